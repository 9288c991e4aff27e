//! `ccmp inspect`: decodes messages, computes ids and digests and verifies proofs, offline,
//! with exactly the code the contracts run (`ccmp-types`).
//!
//! Hashes are hex (64 digits, an optional `0x`); lists are separated by commas or
//! whitespace. An argument written `@path` is read from that file (`@-`: standard input).
//! A proof that does not verify prints the exact `MerkleError` / `MultiproofError` and exits
//! non-zero, as does any malformed input, with a message naming the argument.

use std::io::{Read, Write};

use anyhow::{anyhow, bail, Context};
use ccmp_types::{
    checkpoint_digest, verify_consistency, verify_inclusion, verify_multiproof, AttesterSet, Hash,
    Message,
};
use clap::{Args, Subcommand, ValueEnum};
use cosmwasm_std::testing::MockApi;
use cosmwasm_std::{Binary, HexBinary};
use serde::Serialize;

#[derive(Args, Debug, Clone)]
pub struct InspectArgs {
    #[command(subcommand)]
    pub command: InspectCommand,
}

#[derive(Subcommand, Debug, Clone)]
pub enum InspectCommand {
    /// Decodes a message, strictly, from its `message_bytes` (hex or base64) or its JSON, and
    /// prints it as JSON with its `message_bytes` in hex and its id (PROTOCOL.md §2).
    Message(MessageArgs),
    /// Computes the checkpoint digest attesters sign (PROTOCOL.md §4).
    CheckpointDigest(CheckpointDigestArgs),
    /// Computes the digest a set signs to hand over to a new attester set (PROTOCOL.md §4,
    /// v2), and validates the new set as the inbox does, printing its total weight.
    AttesterSetDigest(AttesterSetDigestArgs),
    /// Verifies an RFC 9162 inclusion proof of a message id in a checkpoint's root.
    VerifyInclusion(VerifyInclusionArgs),
    /// Verifies an RFC 9162 consistency proof between two checkpoints of one lane.
    VerifyConsistency(VerifyConsistencyArgs),
    /// Verifies a batch multiproof (PROTOCOL.md §8) of several message ids in a checkpoint's
    /// root, as `deliver_batch` does.
    VerifyMultiproof(VerifyMultiproofArgs),
}

/// How `ccmp inspect message` reads its input.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageFormat {
    /// `message_bytes` in hex.
    Hex,
    /// `message_bytes` in base64, as `deliver_batch` carries them.
    Base64,
    /// The JSON `Message` of `deliver`.
    Json,
}

#[derive(Args, Debug, Clone)]
pub struct MessageArgs {
    /// The message: `message_bytes` in hex or base64, its JSON, or `@file` holding any of
    /// them (`@-`: standard input). The format is detected unless --format is given: JSON
    /// starts with `{`, hex is only hex digits, anything else is base64.
    pub input: String,
    /// The input's format, instead of detecting it.
    #[arg(long, value_enum)]
    pub format: Option<MessageFormat>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// A lane: what a checkpoint or attester-set digest names.
#[derive(Args, Debug, Clone)]
pub struct LaneArgs {
    /// The source chain's chain id.
    #[arg(long)]
    pub source_chain: String,
    /// The outbox's address on the source chain.
    #[arg(long)]
    pub source_outbox: String,
    /// The destination chain's chain id.
    #[arg(long)]
    pub destination_chain: String,
}

#[derive(Args, Debug, Clone)]
pub struct CheckpointDigestArgs {
    #[command(flatten)]
    pub lane: LaneArgs,
    /// The checkpoint's size (number of messages in the lane).
    #[arg(long)]
    pub size: u64,
    /// The checkpoint's root, hex.
    #[arg(long)]
    pub root: String,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct AttesterSetDigestArgs {
    #[command(flatten)]
    pub lane: LaneArgs,
    /// The epoch the new set takes (the current epoch + 1).
    #[arg(long)]
    pub epoch: u64,
    /// The new set as JSON, `{"attesters": [{"pubkey": {"secp256k1": "<base64>"}, "weight":
    /// 1}, ...], "threshold": 2}`, or `@file` holding it.
    #[arg(long)]
    pub set: String,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct VerifyInclusionArgs {
    /// The leaf: the message id, hex.
    #[arg(long)]
    pub leaf: String,
    /// The leaf's index (the message's nonce).
    #[arg(long)]
    pub index: u64,
    /// The checkpoint's size.
    #[arg(long)]
    pub size: u64,
    /// The checkpoint's root, hex.
    #[arg(long)]
    pub root: String,
    /// The audit path: hex hashes separated by commas (empty for a tree of one leaf).
    #[arg(long, default_value = "")]
    pub proof: String,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct VerifyConsistencyArgs {
    /// The first (older) checkpoint's size.
    #[arg(long)]
    pub first: u64,
    /// The first checkpoint's root, hex (may be left out when --first is 0).
    #[arg(long)]
    pub first_root: Option<String>,
    /// The second (newer) checkpoint's size.
    #[arg(long)]
    pub second: u64,
    /// The second checkpoint's root, hex.
    #[arg(long)]
    pub second_root: String,
    /// The consistency proof: hex hashes separated by commas (empty from size 0 or between
    /// equal sizes).
    #[arg(long, default_value = "")]
    pub proof: String,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// How `--proof` of `verify-multiproof` is written.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProofFormat {
    /// Hex hashes, separated by commas or whitespace, or concatenated.
    Hex,
    /// The 32-byte hashes concatenated, base64: the `proof` field of `deliver_batch`.
    Base64,
}

#[derive(Args, Debug, Clone)]
pub struct VerifyMultiproofArgs {
    /// The checkpoint's size.
    #[arg(long)]
    pub size: u64,
    /// The leaf indices (the messages' nonces), strictly increasing, e.g. `1,2,5`.
    #[arg(long)]
    pub indices: String,
    /// The leaves (message ids), hex, one per index, in the same order.
    #[arg(long)]
    pub leaves: String,
    /// The checkpoint's root, hex.
    #[arg(long)]
    pub root: String,
    /// The multiproof: base64 of the concatenated hashes (as `deliver_batch` carries it) or
    /// a list of hex hashes; detected unless --proof-format is given. Empty when the leaves
    /// are the whole tree.
    #[arg(long, default_value = "")]
    pub proof: String,
    /// The format of --proof, instead of detecting it.
    #[arg(long, value_enum)]
    pub proof_format: Option<ProofFormat>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// What a subcommand prints to standard output, and, for a proof that does not verify,
/// why (the command then exits non-zero with that reason).
#[derive(Debug)]
pub struct Output {
    pub stdout: String,
    pub invalid: Option<String>,
}

pub fn run(args: InspectArgs) -> anyhow::Result<()> {
    let output = execute(&args)?;
    // Not `print!`, which panics when standard output is closed (`| head`).
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(output.stdout.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write to standard output")?;
    match output.invalid {
        Some(reason) => Err(anyhow!("invalid: {reason}")),
        None => Ok(()),
    }
}

pub fn execute(args: &InspectArgs) -> anyhow::Result<Output> {
    match &args.command {
        InspectCommand::Message(args) => {
            let report = inspect_message(args)?;
            printed(args.json, &report, report.to_text()?)
        }
        InspectCommand::CheckpointDigest(args) => {
            let report = checkpoint_digest_report(args)?;
            let text = format!("checkpoint_digest: {}\n", report.digest);
            printed(args.json, &report, text)
        }
        InspectCommand::AttesterSetDigest(args) => {
            let report = attester_set_digest_report(args)?;
            printed(args.json, &report, report.to_text())
        }
        InspectCommand::VerifyInclusion(args) => verdict(args.json, check_inclusion(args)?),
        InspectCommand::VerifyConsistency(args) => verdict(args.json, check_consistency(args)?),
        InspectCommand::VerifyMultiproof(args) => verdict(args.json, check_multiproof(args)?),
    }
}

fn printed<T: Serialize>(json: bool, report: &T, text: String) -> anyhow::Result<Output> {
    let stdout = if json {
        let mut out = serde_json::to_string_pretty(report)?;
        out.push('\n');
        out
    } else {
        text
    };
    Ok(Output {
        stdout,
        invalid: None,
    })
}

#[derive(Serialize)]
struct VerdictJson<'a> {
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

fn verdict<E: std::fmt::Display>(json: bool, result: Result<(), E>) -> anyhow::Result<Output> {
    let invalid = result.err().map(|err| err.to_string());
    let stdout = match (json, &invalid) {
        (true, invalid) => {
            let mut out = serde_json::to_string(&VerdictJson {
                valid: invalid.is_none(),
                error: invalid.as_deref(),
            })?;
            out.push('\n');
            out
        }
        (false, None) => "valid\n".to_string(),
        // The reason goes to standard error, with the non-zero exit.
        (false, Some(_)) => String::new(),
    };
    Ok(Output { stdout, invalid })
}

/// The text of an argument, or of the file it names as `@path` (`@-`: standard input).
pub fn read_argument(name: &str, value: &str) -> anyhow::Result<String> {
    match value.strip_prefix('@') {
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .with_context(|| format!("cannot read {name} from standard input"))?;
            Ok(text)
        }
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {name} from file {path}")),
        None => Ok(value.to_string()),
    }
}

fn strip_0x(text: &str) -> &str {
    text.strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text)
}

fn without_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A 32-byte hash in hex; `name` is the argument, for the error.
pub fn parse_hash(name: &str, text: &str) -> anyhow::Result<Hash> {
    let digits = strip_0x(text.trim());
    let bytes = hex::decode(digits).map_err(|err| anyhow!("{name} is not hex: {err}"))?;
    let len = bytes.len();
    bytes
        .try_into()
        .map_err(|_| anyhow!("{name} must be a 32-byte hash (64 hex digits), got {len} bytes"))
}

fn list_items(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|item| !item.is_empty())
}

/// Hex hashes separated by commas or whitespace (an empty text is an empty list).
pub fn parse_hash_list(name: &str, text: &str) -> anyhow::Result<Vec<Hash>> {
    list_items(text)
        .enumerate()
        .map(|(position, item)| parse_hash(&format!("{name} item {position}"), item))
        .collect()
}

/// Numbers separated by commas or whitespace.
pub fn parse_u64_list(name: &str, text: &str) -> anyhow::Result<Vec<u64>> {
    list_items(text)
        .enumerate()
        .map(|(position, item)| {
            item.parse::<u64>().map_err(|err| {
                anyhow!("{name} item {position} ({item:?}) is not a non-negative integer: {err}")
            })
        })
        .collect()
}

fn split_hashes(name: &str, bytes: &[u8], encoding: &str) -> anyhow::Result<Vec<Hash>> {
    if !bytes.len().is_multiple_of(32) {
        bail!(
            "{name} is {} bytes of {encoding}, not a whole number of 32-byte hashes",
            bytes.len()
        );
    }
    Ok(bytes
        .chunks_exact(32)
        .map(|chunk| {
            let mut hash = [0u8; 32];
            hash.copy_from_slice(chunk);
            hash
        })
        .collect())
}

/// A §8 multiproof: base64 of the concatenated hashes, or hex (a list, or concatenated).
/// Detected unless `format` is given: a list separator or only hex digits in a multiple of
/// 64 mean hex, anything else base64.
pub fn parse_multiproof(
    name: &str,
    text: &str,
    format: Option<ProofFormat>,
) -> anyhow::Result<Vec<Hash>> {
    let text = text.trim();
    let format = format.unwrap_or_else(|| {
        let digits = strip_0x(text);
        if text.contains(|c: char| c == ',' || c.is_whitespace())
            || (digits.len().is_multiple_of(64) && digits.chars().all(|c| c.is_ascii_hexdigit()))
        {
            ProofFormat::Hex
        } else {
            ProofFormat::Base64
        }
    });
    match format {
        ProofFormat::Hex => {
            let mut hashes = Vec::new();
            for (position, item) in list_items(text).enumerate() {
                let bytes = hex::decode(strip_0x(item))
                    .map_err(|err| anyhow!("{name} item {position} is not hex: {err}"))?;
                hashes.extend(split_hashes(
                    &format!("{name} item {position}"),
                    &bytes,
                    "hex",
                )?);
            }
            Ok(hashes)
        }
        ProofFormat::Base64 => {
            let bytes = Binary::from_base64(&without_whitespace(text))
                .map_err(|err| anyhow!("{name} is not base64: {err}"))?;
            split_hashes(name, &bytes, "base64")
        }
    }
}

/// Which format `ccmp inspect message` reads when none is given.
pub fn detect_message_format(text: &str) -> MessageFormat {
    let text = text.trim();
    if text.starts_with('{') {
        MessageFormat::Json
    } else if !text.is_empty()
        && without_whitespace(strip_0x(text))
            .chars()
            .all(|c| c.is_ascii_hexdigit())
    {
        MessageFormat::Hex
    } else {
        MessageFormat::Base64
    }
}

/// A message from its `message_bytes` (hex or base64, decoded strictly) or its JSON
/// (checked against every limit of §2).
pub fn parse_message(text: &str, format: Option<MessageFormat>) -> anyhow::Result<Message> {
    let format = format.unwrap_or_else(|| detect_message_format(text));
    let bytes = match format {
        MessageFormat::Json => {
            let message: Message = serde_json::from_str(text)
                .map_err(|err| anyhow!("message JSON is not a Message: {err}"))?;
            message
                .validate()
                .map_err(|err| anyhow!("message is invalid: {err}"))?;
            return Ok(message);
        }
        MessageFormat::Hex => hex::decode(without_whitespace(strip_0x(text.trim())))
            .map_err(|err| anyhow!("message is not hex: {err}"))?,
        MessageFormat::Base64 => Binary::from_base64(&without_whitespace(text))
            .map_err(|err| anyhow!("message is not base64: {err}"))?
            .to_vec(),
    };
    Message::decode(&bytes).map_err(|err| anyhow!("message_bytes do not decode: {err}"))
}

/// What `ccmp inspect message` prints.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct MessageReport {
    pub message_id: HexBinary,
    pub message_bytes: HexBinary,
    pub message: Message,
}

impl MessageReport {
    pub fn new(message: Message) -> anyhow::Result<Self> {
        let (bytes, id) = message
            .encode_with_id()
            .map_err(|err| anyhow!("message is invalid: {err}"))?;
        Ok(MessageReport {
            message_id: HexBinary::from(id.as_slice()),
            message_bytes: HexBinary::from(bytes),
            message,
        })
    }

    fn to_text(&self) -> anyhow::Result<String> {
        Ok(format!(
            "message_id: {}\nmessage_bytes: {}\nmessage:\n{}\n",
            self.message_id,
            self.message_bytes,
            serde_json::to_string_pretty(&self.message)?
        ))
    }
}

pub fn inspect_message(args: &MessageArgs) -> anyhow::Result<MessageReport> {
    let text = read_argument("the message", &args.input)?;
    MessageReport::new(parse_message(&text, args.format)?)
}

/// What `ccmp inspect checkpoint-digest` prints.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct CheckpointDigestReport {
    pub source_chain: String,
    pub source_outbox: String,
    pub destination_chain: String,
    pub size: u64,
    pub root: HexBinary,
    pub digest: HexBinary,
}

pub fn checkpoint_digest_report(
    args: &CheckpointDigestArgs,
) -> anyhow::Result<CheckpointDigestReport> {
    let root = parse_hash("--root", &args.root)?;
    let lane = &args.lane;
    let digest = checkpoint_digest(
        &lane.source_chain,
        &lane.source_outbox,
        &lane.destination_chain,
        args.size,
        &root,
    )
    .map_err(|err| anyhow!("cannot compute the checkpoint digest: {err}"))?;
    Ok(CheckpointDigestReport {
        source_chain: lane.source_chain.clone(),
        source_outbox: lane.source_outbox.clone(),
        destination_chain: lane.destination_chain.clone(),
        size: args.size,
        root: HexBinary::from(root.as_slice()),
        digest: HexBinary::from(digest.as_slice()),
    })
}

/// What `ccmp inspect attester-set-digest` prints.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct AttesterSetDigestReport {
    pub digest: HexBinary,
    pub epoch: u64,
    pub attesters: usize,
    pub total_weight: u64,
    pub threshold: u64,
}

impl AttesterSetDigestReport {
    fn to_text(&self) -> String {
        format!(
            "attester_set_digest: {}\nepoch: {}\nattesters: {}\ntotal_weight: {}\nthreshold: {}\n",
            self.digest, self.epoch, self.attesters, self.total_weight, self.threshold
        )
    }
}

/// An attester set from its JSON (PROTOCOL.md §4), not yet validated.
pub fn parse_attester_set(text: &str) -> anyhow::Result<AttesterSet> {
    serde_json::from_str(text).map_err(|err| anyhow!("--set is not an attester set: {err}"))
}

pub fn attester_set_digest_report(
    args: &AttesterSetDigestArgs,
) -> anyhow::Result<AttesterSetDigestReport> {
    let set = parse_attester_set(&read_argument("--set", &args.set)?)?;
    let total_weight = set
        .validate(&MockApi::default())
        .map_err(|err| anyhow!("invalid attester set: {err}"))?;
    let lane = &args.lane;
    let digest = set
        .digest(
            &lane.source_chain,
            &lane.source_outbox,
            &lane.destination_chain,
            args.epoch,
        )
        .map_err(|err| anyhow!("cannot compute the attester-set digest: {err}"))?;
    Ok(AttesterSetDigestReport {
        digest: HexBinary::from(digest.as_slice()),
        epoch: args.epoch,
        attesters: set.attesters.len(),
        total_weight,
        threshold: set.threshold,
    })
}

/// Parses the arguments (an error for malformed input) and verifies (the inner result).
pub fn check_inclusion(
    args: &VerifyInclusionArgs,
) -> anyhow::Result<Result<(), ccmp_types::MerkleError>> {
    let leaf = parse_hash("--leaf", &args.leaf)?;
    let root = parse_hash("--root", &args.root)?;
    let proof = parse_hash_list("--proof", &args.proof)?;
    Ok(verify_inclusion(
        &leaf, args.index, args.size, &proof, &root,
    ))
}

pub fn check_consistency(
    args: &VerifyConsistencyArgs,
) -> anyhow::Result<Result<(), ccmp_types::MerkleError>> {
    let first_root = match (&args.first_root, args.first) {
        (Some(root), _) => parse_hash("--first-root", root)?,
        // From size 0 the first root takes no part in the check.
        (None, 0) => ccmp_types::EMPTY_ROOT,
        (None, _) => bail!("--first-root is required unless --first is 0"),
    };
    let second_root = parse_hash("--second-root", &args.second_root)?;
    let proof = parse_hash_list("--proof", &args.proof)?;
    Ok(verify_consistency(
        args.first,
        &first_root,
        args.second,
        &second_root,
        &proof,
    ))
}

pub fn check_multiproof(
    args: &VerifyMultiproofArgs,
) -> anyhow::Result<Result<(), ccmp_types::MultiproofError>> {
    let indices = parse_u64_list("--indices", &args.indices)?;
    let leaves = parse_hash_list("--leaves", &args.leaves)?;
    let root = parse_hash("--root", &args.root)?;
    let proof = parse_multiproof("--proof", &args.proof, args.proof_format)?;
    Ok(verify_multiproof(
        args.size, &indices, &leaves, &proof, &root,
    ))
}

#[cfg(test)]
mod tests {
    use ccmp_types::{MerkleError, MessageError, MultiproofError};
    use serde_json::Value;

    use super::*;

    fn vectors() -> Value {
        serde_json::from_str(include_str!("../../types/tests/data/vectors.json")).unwrap()
    }

    fn strings(value: &Value) -> Vec<String> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    fn lane(value: &Value) -> LaneArgs {
        LaneArgs {
            source_chain: value["source_chain"].as_str().unwrap().into(),
            source_outbox: value["source_outbox"].as_str().unwrap().into(),
            destination_chain: value["destination_chain"].as_str().unwrap().into(),
        }
    }

    fn message_args(input: &str, format: Option<MessageFormat>) -> MessageArgs {
        MessageArgs {
            input: input.into(),
            format,
            json: false,
        }
    }

    #[test]
    fn messages_decode_to_their_vector_ids_in_every_input_form() {
        let vectors = vectors();
        for case in vectors["messages"].as_array().unwrap() {
            let encoded = case["encoded_hex"].as_str().unwrap();
            let id = case["id_hex"].as_str().unwrap();
            let bytes = hex::decode(encoded).unwrap();
            let base64 = Binary::new(bytes.clone()).to_base64();

            let report = inspect_message(&message_args(encoded, None)).unwrap();
            assert_eq!(report.message_id.to_hex(), id);
            assert_eq!(report.message_bytes.to_hex(), encoded);
            let expected = &case["message"];
            assert_eq!(report.message.nonce, expected["nonce"].as_u64().unwrap());
            assert_eq!(report.message.sender, expected["sender"].as_str().unwrap());
            assert_eq!(
                report.message.timeout_nanos(),
                expected["timeout_timestamp"]
            );
            assert_eq!(
                hex::encode(&report.message.body),
                expected["body_hex"].as_str().unwrap()
            );

            let json = serde_json::to_string(&report.message).unwrap();
            for (input, format) in [
                (format!("0x{encoded}\n"), None),
                (encoded.to_uppercase(), None),
                (base64.clone(), None),
                (base64.clone(), Some(MessageFormat::Base64)),
                (encoded.to_string(), Some(MessageFormat::Hex)),
                (json.clone(), None),
                (json.clone(), Some(MessageFormat::Json)),
            ] {
                let again = inspect_message(&message_args(&input, format)).unwrap();
                assert_eq!(again, report, "{input}");
            }

            // Text and JSON output carry the id and the bytes.
            let text = report.to_text().unwrap();
            assert!(text.starts_with(&format!("message_id: {id}\nmessage_bytes: {encoded}\n")));
            let output = execute(&InspectArgs {
                command: InspectCommand::Message(MessageArgs {
                    input: base64,
                    format: None,
                    json: true,
                }),
            })
            .unwrap();
            let value: Value = serde_json::from_str(&output.stdout).unwrap();
            assert_eq!(value["message_id"], id);
            assert_eq!(value["message_bytes"], encoded);
            assert_eq!(
                serde_json::from_value::<Message>(value["message"].clone()).unwrap(),
                report.message
            );
        }
    }

    #[test]
    fn message_input_is_read_from_a_file() {
        let vectors = vectors();
        let encoded = vectors["messages"][1]["encoded_hex"].as_str().unwrap();
        let path = std::env::temp_dir().join(format!("ccmp-inspect-{}.hex", std::process::id()));
        std::fs::write(&path, format!("{encoded}\n")).unwrap();
        let report = inspect_message(&message_args(&format!("@{}", path.display()), None));
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            report.unwrap().message_id.to_hex(),
            vectors["messages"][1]["id_hex"].as_str().unwrap()
        );
        let err = inspect_message(&message_args("@/nonexistent/ccmp-message", None)).unwrap_err();
        assert!(
            format!("{err:#}")
                .starts_with("cannot read the message from file /nonexistent/ccmp-message: "),
            "{err:#}"
        );
    }

    #[test]
    fn bad_messages_name_what_is_wrong() {
        let vectors = vectors();
        let good = hex::decode(vectors["messages"][1]["encoded_hex"].as_str().unwrap()).unwrap();
        let error = |input: &str, format| parse_message(input, format).unwrap_err().to_string();

        let short = hex::encode(&good[..good.len() - 1]);
        assert_eq!(
            error(&short, None),
            format!(
                "message_bytes do not decode: {}",
                MessageError::from(ccmp_types::CodecError::UnexpectedEnd {
                    field: "body",
                    needed: 10,
                    remaining: 9
                })
            )
        );
        assert_eq!(
            error(&short, None),
            "message_bytes do not decode: input ends inside body: 10 bytes needed, 9 left"
        );
        let mut wrong_version = good.clone();
        wrong_version[0] = 2;
        assert_eq!(
            error(&hex::encode(&wrong_version), None),
            "message_bytes do not decode: unsupported message version 2 (this is CCMP v1)"
        );
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(
            error(&Binary::new(trailing).to_base64(), None),
            "message_bytes do not decode: 1 trailing bytes after the encoding"
        );
        assert_eq!(
            error("abc", Some(MessageFormat::Hex)),
            "message is not hex: Odd number of digits"
        );
        assert!(error("%%%", None).starts_with("message is not base64: "));
        assert_eq!(
            error("", None),
            "message_bytes do not decode: input ends inside version: 1 bytes needed, 0 left"
        );

        let json = r#"{"nonce":0,"source_chain":"a","sender":"","destination_chain":"b","recipient":"r","timeout_timestamp":null,"body":""}"#;
        assert_eq!(
            error(json, None),
            "message is invalid: sender must be 1 to 256 bytes, got 0"
        );
        let json = r#"{"version":1,"nonce":0,"source_chain":"a","sender":"s","destination_chain":"b","recipient":"r","timeout_timestamp":null,"body":""}"#;
        assert!(
            error(json, None).starts_with("message JSON is not a Message: unknown field `version`"),
            "{}",
            error(json, None)
        );
        let json = r#"{"nonce":0,"source_chain":"a b","sender":"s","destination_chain":"b","recipient":"r","timeout_timestamp":null,"body":""}"#;
        assert_eq!(
            error(json, None),
            "message is invalid: source_chain \"a b\" contains whitespace or a control character"
        );
    }

    #[test]
    fn checkpoint_digest_matches_the_vector() {
        let vectors = vectors();
        for section in [&vectors["checkpoint"], &vectors["lane"]] {
            let checkpoint = &section["checkpoint"];
            let args = CheckpointDigestArgs {
                lane: lane(checkpoint),
                size: checkpoint["size"].as_u64().unwrap(),
                root: checkpoint["root_hex"].as_str().unwrap().into(),
                json: false,
            };
            let report = checkpoint_digest_report(&args).unwrap();
            assert_eq!(
                report.digest.to_hex(),
                section["digest_hex"].as_str().unwrap()
            );
            let output = execute(&InspectArgs {
                command: InspectCommand::CheckpointDigest(args),
            })
            .unwrap();
            assert_eq!(
                output.stdout,
                format!(
                    "checkpoint_digest: {}\n",
                    section["digest_hex"].as_str().unwrap()
                )
            );
        }
        let err = checkpoint_digest_report(&CheckpointDigestArgs {
            lane: lane(&vectors["checkpoint"]["checkpoint"]),
            size: 5,
            root: "00".repeat(31),
            json: false,
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "--root must be a 32-byte hash (64 hex digits), got 31 bytes"
        );
    }

    fn vector_set_json(section: &Value) -> String {
        let attesters: Vec<Value> = section["attesters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|attester| {
                let key =
                    Binary::new(hex::decode(attester["pubkey_hex"].as_str().unwrap()).unwrap());
                serde_json::json!({
                    "pubkey": { attester["key_type"].as_str().unwrap(): key.to_base64() },
                    "weight": attester["weight"],
                })
            })
            .collect();
        serde_json::json!({ "attesters": attesters, "threshold": section["threshold"] }).to_string()
    }

    #[test]
    fn attester_set_digest_matches_the_vector_and_validates() {
        let vectors = vectors();
        let section = &vectors["attester_set"];
        let args = AttesterSetDigestArgs {
            lane: lane(section),
            epoch: section["epoch"].as_u64().unwrap(),
            set: vector_set_json(section),
            json: true,
        };
        let report = attester_set_digest_report(&args).unwrap();
        assert_eq!(
            report.digest.to_hex(),
            section["digest_hex"].as_str().unwrap()
        );
        assert_eq!(report.total_weight, 9);
        assert_eq!(report.threshold, 7);
        assert_eq!(report.attesters, 6);
        let output = execute(&InspectArgs {
            command: InspectCommand::AttesterSetDigest(args),
        })
        .unwrap();
        let value: Value = serde_json::from_str(&output.stdout).unwrap();
        assert_eq!(value["digest"], section["digest_hex"]);
        assert_eq!(value["total_weight"], 9);

        // The exact validation errors: threshold, and each refused key of the vectors.
        let mut set: Value = serde_json::from_str(&vector_set_json(section)).unwrap();
        set["threshold"] = 4.into();
        let err = attester_set_digest_report(&AttesterSetDigestArgs {
            set: set.to_string(),
            json: false,
            lane: lane(section),
            epoch: 2,
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid attester set: threshold 4 is not a majority of total weight 9"
        );
        for (key_type, list) in [
            ("ed25519", "ed25519_small_order_hex"),
            ("ed25519", "ed25519_non_canonical_hex"),
            ("secp256k1", "secp256k1_invalid_hex"),
        ] {
            for key in strings(&vectors["invalid_keys"][list]) {
                let mut set: Value = serde_json::from_str(&vector_set_json(section)).unwrap();
                set["attesters"][2]["pubkey"] = serde_json::json!({
                    key_type: Binary::new(hex::decode(&key).unwrap()).to_base64()
                });
                let err = attester_set_digest_report(&AttesterSetDigestArgs {
                    set: set.to_string(),
                    json: false,
                    lane: lane(section),
                    epoch: 2,
                })
                .unwrap_err()
                .to_string();
                assert!(
                    err.starts_with(&format!(
                        "invalid attester set: attester 2 has an invalid {key_type} key: "
                    )),
                    "{key}: {err}"
                );
            }
        }
        let err = parse_attester_set(r#"{"attesters": []}"#).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("--set is not an attester set: missing field `threshold`"),
            "{err}"
        );
    }

    #[test]
    fn inclusion_proofs_of_the_vectors_verify_and_tampered_ones_do_not() {
        let vectors = vectors();
        let tree = &vectors["tree"];
        let leaves = strings(&tree["leaf_hashes_hex"]);
        let roots = strings(&tree["roots_hex"]);
        let cases = tree["inclusion"].as_array().unwrap();
        assert!(cases.len() > 100);
        for case in cases {
            let size = case["size"].as_u64().unwrap();
            let index = case["index"].as_u64().unwrap();
            let path = strings(&case["path_hex"]);
            let mut args = VerifyInclusionArgs {
                leaf: leaves[index as usize].clone(),
                index,
                size,
                root: roots[size as usize].clone(),
                proof: path.join(","),
                json: false,
            };
            assert_eq!(check_inclusion(&args).unwrap(), Ok(()), "{case}");
            args.root = roots[size as usize - 1].clone();
            assert_eq!(
                check_inclusion(&args).unwrap(),
                Err(MerkleError::RootMismatch)
            );
        }
        let mut args = VerifyInclusionArgs {
            leaf: leaves[0].clone(),
            index: 0,
            size: 1,
            root: roots[1].clone(),
            proof: String::new(),
            json: false,
        };
        let output = execute(&InspectArgs {
            command: InspectCommand::VerifyInclusion(args.clone()),
        })
        .unwrap();
        assert_eq!(output.stdout, "valid\n");
        assert!(output.invalid.is_none());
        args.index = 1;
        args.json = true;
        let output = execute(&InspectArgs {
            command: InspectCommand::VerifyInclusion(args.clone()),
        })
        .unwrap();
        assert_eq!(
            output.invalid.as_deref(),
            Some("leaf index 1 is not below tree size 1")
        );
        assert_eq!(
            output.stdout,
            "{\"valid\":false,\"error\":\"leaf index 1 is not below tree size 1\"}\n"
        );
        args.proof = format!("{},zz", leaves[1]);
        assert_eq!(
            check_inclusion(&args).unwrap_err().to_string(),
            "--proof item 1 is not hex: Invalid character 'z' at position 0"
        );
    }

    #[test]
    fn consistency_proofs_of_the_vectors_verify_and_tampered_ones_do_not() {
        let vectors = vectors();
        let tree = &vectors["tree"];
        let roots = strings(&tree["roots_hex"]);
        let cases = tree["consistency"].as_array().unwrap();
        assert!(cases.len() > 100);
        for case in cases {
            let first = case["first"].as_u64().unwrap();
            let second = case["second"].as_u64().unwrap();
            let path = strings(&case["path_hex"]);
            let mut args = VerifyConsistencyArgs {
                first,
                first_root: Some(roots[first as usize].clone()),
                second,
                second_root: roots[second as usize].clone(),
                proof: path.join(" "),
                json: false,
            };
            assert_eq!(check_consistency(&args).unwrap(), Ok(()), "{case}");
            if first > 0 && first < second {
                args.second_root = roots[second as usize - 1].clone();
                assert_eq!(
                    check_consistency(&args).unwrap(),
                    Err(MerkleError::RootMismatch),
                    "{case}"
                );
            }
        }
        // From size 0 the first root may be left out; otherwise it is required.
        let mut args = VerifyConsistencyArgs {
            first: 0,
            first_root: None,
            second: 3,
            second_root: roots[3].clone(),
            proof: String::new(),
            json: false,
        };
        assert_eq!(check_consistency(&args).unwrap(), Ok(()));
        args.first = 4;
        assert_eq!(
            check_consistency(&args).unwrap_err().to_string(),
            "--first-root is required unless --first is 0"
        );
        args.first_root = Some(roots[4].clone());
        assert_eq!(
            check_consistency(&args).unwrap(),
            Err(MerkleError::InvalidConsistencyRange {
                first: 4,
                second: 3
            })
        );
    }

    #[test]
    fn multiproofs_of_the_vectors_verify_in_both_proof_forms() {
        let vectors = vectors();
        let leaves = strings(&vectors["tree"]["leaf_hashes_hex"]);
        let cases = vectors["multiproof"]["cases"].as_array().unwrap();
        assert!(cases.len() > 100);
        for case in cases {
            let indices: Vec<u64> = case["indices"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i.as_u64().unwrap())
                .collect();
            let proof = strings(&case["proof_hex"]);
            let concatenated: Vec<u8> =
                proof.iter().flat_map(|h| hex::decode(h).unwrap()).collect();
            let base64 = Binary::new(concatenated).to_base64();
            let mut args = VerifyMultiproofArgs {
                size: case["size"].as_u64().unwrap(),
                indices: indices
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
                leaves: indices
                    .iter()
                    .map(|&i| leaves[i as usize].clone())
                    .collect::<Vec<_>>()
                    .join(","),
                root: case["root_hex"].as_str().unwrap().into(),
                proof: proof.join(","),
                proof_format: None,
                json: false,
            };
            assert_eq!(check_multiproof(&args).unwrap(), Ok(()), "{case}");
            args.proof = base64.clone();
            assert_eq!(check_multiproof(&args).unwrap(), Ok(()), "{case}");
            args.proof_format = Some(ProofFormat::Base64);
            assert_eq!(check_multiproof(&args).unwrap(), Ok(()), "{case}");
            args.proof = proof.concat();
            args.proof_format = Some(ProofFormat::Hex);
            assert_eq!(check_multiproof(&args).unwrap(), Ok(()), "{case}");
            args.proof_format = None;
            assert_eq!(check_multiproof(&args).unwrap(), Ok(()), "{case}");
            if !proof.is_empty() {
                args.proof = proof[1..].join(",");
                assert!(check_multiproof(&args).unwrap().is_err(), "{case}");
            }
        }
    }

    #[test]
    fn multiproof_refusals_are_the_exact_errors() {
        let vectors = vectors();
        let leaves = strings(&vectors["tree"]["leaf_hashes_hex"]);
        let roots = strings(&vectors["tree"]["roots_hex"]);
        let args = |indices: &str, leaf_list: &[usize], proof: &str| VerifyMultiproofArgs {
            size: 4,
            indices: indices.into(),
            leaves: leaf_list
                .iter()
                .map(|&i| leaves[i].clone())
                .collect::<Vec<_>>()
                .join(","),
            root: roots[4].clone(),
            proof: proof.into(),
            proof_format: None,
            json: false,
        };
        assert_eq!(
            check_multiproof(&args("0,1,2,3", &[0, 1, 2, 3], "")).unwrap(),
            Ok(())
        );
        assert_eq!(
            check_multiproof(&args("1,0", &[1, 0], "")).unwrap(),
            Err(MultiproofError::IndicesNotIncreasing {
                position: 1,
                index: 0,
                previous: 1
            })
        );
        assert_eq!(
            check_multiproof(&args("0,1", &[0], "")).unwrap(),
            Err(MultiproofError::LeafCountMismatch {
                indices: 2,
                leaves: 1
            })
        );
        assert_eq!(
            check_multiproof(&args("0,1,2,3", &[0, 1, 3, 2], "")).unwrap(),
            Err(MultiproofError::RootMismatch)
        );
        assert_eq!(
            check_multiproof(&args("", &[], "")).unwrap(),
            Err(MultiproofError::NoIndices)
        );
        let err = check_multiproof(&args("0,x", &[0, 1], "")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("--indices item 1 (\"x\") is not a non-negative integer"),
            "{err}"
        );
        let err = check_multiproof(&args("0", &[0], "AAAA")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--proof is 3 bytes of base64, not a whole number of 32-byte hashes"
        );
        let err = check_multiproof(&args("0", &[0], "!!")).unwrap_err();
        assert!(
            err.to_string().starts_with("--proof is not base64: "),
            "{err}"
        );
    }
}
