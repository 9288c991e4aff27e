//! Delivery (PROTOCOL.md §6–§7): proving messages against stored checkpoints, recording
//! their status before the receiver runs, dispatching them with a gas limit, catching a
//! receiver's failure, and retrying failed messages.

use ccmp_types::{
    leaf_hash, validate_body, verify_inclusion, verify_multiproof, Hash, Message, MessageStatus,
    MAX_PROOF_HASHES,
};
use cosmwasm_std::{
    Addr, Api, Binary, DepsMut, Env, HexBinary, Reply, Response, Storage, SubMsg, SubMsgResult,
    WasmMsg,
};

use crate::error::ContractError;
use crate::events;
use crate::execute::{load_source, MIN_RECEIVE_GAS_LIMIT};
use crate::light_client::load_live_source;
use crate::msg::{DeliveryItem, DeliveryOutcome, DeliveryResult};
use crate::state::{self, Config, Receipt, Source, StatusChunk};
use crate::util::to_proof;

/// The id of every receiver sub-message; which message it was travels in the payload.
pub const RECEIVE_REPLY_ID: u64 = 1;
/// A receiver's error is stored for integrators, cut to this many bytes so a receiver
/// cannot make the inbox store (and pay for) an arbitrarily long string.
pub const MAX_ERROR_BYTES: usize = 256;

/// A source as one batch sees it, with an ordered lane's next nonce.
struct BatchSource {
    chain: String,
    source: Source,
    next_nonce: u64,
    next_nonce_changed: bool,
}

/// A 128-nonce status chunk as one batch sees it.
struct BatchChunk {
    chain: String,
    index: u64,
    chunk: StatusChunk,
    changed: bool,
}

/// What a batch has read and changed. Statuses are written once per 128-nonce chunk at
/// the end, so the messages of a batch share their writes.
///
/// The caches are small vectors searched from the most recently added entry: a batch
/// names a few sources, checkpoints and chunks (one lane's consecutive nonces share a
/// chunk), and a lookup then costs a comparison or two and no allocation, where a map
/// keyed by an owned chain id would allocate a key for every lookup.
#[derive(Default)]
struct Batch {
    sources: Vec<BatchSource>,
    checkpoints: Vec<(String, u64, Hash)>,
    chunks: Vec<BatchChunk>,
    /// The last recipient found valid: a batch's messages are often for one dApp, and
    /// validating an address is a call into the host.
    recipient: Option<Addr>,
}

impl Batch {
    fn source(
        &mut self,
        storage: &dyn Storage,
        chain: &str,
    ) -> Result<&mut BatchSource, ContractError> {
        let position = match self.sources.iter().rposition(|s| s.chain == chain) {
            Some(position) => position,
            None => {
                let source = load_live_source(storage, chain)?;
                let next_nonce = if source.ordered {
                    state::load_next_nonce(storage, chain)?
                } else {
                    0
                };
                self.sources.push(BatchSource {
                    chain: chain.to_string(),
                    source,
                    next_nonce,
                    next_nonce_changed: false,
                });
                self.sources.len() - 1
            }
        };
        Ok(&mut self.sources[position])
    }

    fn checkpoint_root(
        &mut self,
        storage: &dyn Storage,
        chain: &str,
        size: u64,
    ) -> Result<Hash, ContractError> {
        if let Some((_, _, root)) = self
            .checkpoints
            .iter()
            .rev()
            .find(|(c, s, _)| *s == size && c == chain)
        {
            return Ok(*root);
        }
        let generation = self.source(storage, chain)?.source.generation;
        let root =
            state::load_checkpoint_root(storage, chain, generation, size)?.ok_or_else(|| {
                ContractError::UnknownCheckpoint {
                    chain: chain.to_string(),
                    size,
                }
            })?;
        self.checkpoints.push((chain.to_string(), size, root));
        Ok(root)
    }

    fn chunk(
        &mut self,
        storage: &dyn Storage,
        chain: &str,
        nonce: u64,
    ) -> Result<&mut BatchChunk, ContractError> {
        let index = StatusChunk::index(nonce);
        let position = match self
            .chunks
            .iter()
            .rposition(|c| c.index == index && c.chain == chain)
        {
            Some(position) => position,
            None => {
                let chunk = state::load_status_chunk(storage, chain, index)?;
                self.chunks.push(BatchChunk {
                    chain: chain.to_string(),
                    index,
                    chunk,
                    changed: false,
                });
                self.chunks.len() - 1
            }
        };
        Ok(&mut self.chunks[position])
    }

    fn status(
        &mut self,
        storage: &dyn Storage,
        chain: &str,
        nonce: u64,
    ) -> Result<MessageStatus, ContractError> {
        Ok(self.chunk(storage, chain, nonce)?.chunk.get(nonce))
    }

    fn set_status(
        &mut self,
        storage: &dyn Storage,
        chain: &str,
        nonce: u64,
        status: MessageStatus,
    ) -> Result<(), ContractError> {
        let entry = self.chunk(storage, chain, nonce)?;
        entry.chunk.set(nonce, status);
        entry.changed = true;
        Ok(())
    }

    /// Whether §7 skips this nonce: already processed, or below an ordered lane's next
    /// nonce. An ordered lane refuses a nonce above its next one (a gap).
    fn processed(
        &mut self,
        storage: &dyn Storage,
        chain: &str,
        nonce: u64,
    ) -> Result<bool, ContractError> {
        let lane = self.source(storage, chain)?;
        if lane.source.ordered {
            if nonce > lane.next_nonce {
                return Err(ContractError::NonceGap {
                    chain: chain.to_string(),
                    nonce,
                    expected: lane.next_nonce,
                });
            }
            if nonce < lane.next_nonce {
                return Ok(true);
            }
        }
        Ok(self.status(storage, chain, nonce)? != MessageStatus::Unknown)
    }

    /// `check_dispatchable`, with the last valid recipient remembered. A valid address is
    /// its own normal form (`addr_validate` refuses any other), so a recipient equal to it
    /// is valid; the inbox itself is never remembered.
    fn dispatchable(
        &mut self,
        api: &dyn Api,
        config: &Config,
        message: &Message,
        inbox: &Addr,
    ) -> Result<Addr, String> {
        if let Some(recipient) = &self.recipient {
            if recipient.as_str() == message.recipient {
                check_body(config, message)?;
                return Ok(recipient.clone());
            }
        }
        let recipient = check_dispatchable(api, config, message, inbox)?;
        self.recipient = Some(recipient.clone());
        Ok(recipient)
    }

    fn write(self, storage: &mut dyn Storage) {
        for entry in &self.chunks {
            if entry.changed {
                state::save_status_chunk(storage, &entry.chain, entry.index, &entry.chunk);
            }
        }
        for source in &self.sources {
            if source.next_nonce_changed {
                state::save_next_nonce(storage, &source.chain, source.next_nonce);
            }
        }
    }
}

/// What a call has decided so far: per-message results, failure receipts and the
/// response with its sub-messages and events. Written only once every item has passed.
struct Outcomes {
    results: Vec<DeliveryResult>,
    receipts: Vec<(String, u64, Receipt)>,
    response: Response,
}

impl Outcomes {
    fn new(count: usize) -> Self {
        let mut response = Response::new();
        // At most one sub-message and one event per message (a failure's second event
        // comes in the reply): no reallocation, which in the VM is a byte-by-byte copy.
        response.messages.reserve_exact(count);
        response.events.reserve_exact(count);
        Outcomes {
            results: Vec::with_capacity(count),
            receipts: Vec::new(),
            response,
        }
    }

    fn push(&mut self, chain: &str, nonce: u64, outcome: DeliveryOutcome) {
        self.results.push(DeliveryResult {
            source_chain: chain.to_string(),
            nonce,
            outcome,
        });
    }

    /// Writes the batch's statuses and the receipts, and returns the response.
    fn finish(
        self,
        batch: Batch,
        storage: &mut dyn Storage,
        action: &str,
    ) -> Result<Response, ContractError> {
        batch.write(storage);
        for (chain, nonce, receipt) in &self.receipts {
            state::save_receipt(storage, chain, *nonce, receipt)?;
        }
        // `DeliverResponse { results }`, written as serde_json would in one sized buffer.
        Ok(self
            .response
            .add_attribute("action", action)
            .set_data(Binary::new(json::deliver_response(&self.results))))
    }
}

fn check_batch_size(config: &Config, count: usize) -> Result<(), ContractError> {
    if config.paused {
        return Err(ContractError::Paused);
    }
    if count == 0 {
        return Err(ContractError::EmptyBatch);
    }
    if count > config.max_batch_size as usize {
        return Err(ContractError::BatchTooLarge {
            count,
            max: config.max_batch_size,
        });
    }
    Ok(())
}

pub fn deliver(
    deps: DepsMut,
    env: Env,
    items: Vec<DeliveryItem>,
) -> Result<Response, ContractError> {
    let config = state::load_config(deps.storage)?;
    check_batch_size(&config, items.len())?;
    let mut batch = Batch::default();
    let mut outcomes = Outcomes::new(items.len());
    for item in &items {
        let message = &item.message;
        let chain = message.source_chain.as_str();
        let message_id = check_message(&config, message)?;
        // Processed before (in an earlier call or earlier in this one): nothing to do,
        // and no proof to check since nothing changes. No event either: an unproven
        // item must not put its claims into the chain's event log.
        if batch.processed(deps.storage, chain, message.nonce)? {
            outcomes.push(chain, message.nonce, DeliveryOutcome::Skipped);
            continue;
        }
        prove(&mut batch, deps.storage, item, &message_id)?;
        let outcome = process(
            &mut batch,
            deps.storage,
            deps.api,
            &env,
            &config,
            message,
            &message_id,
            &mut outcomes,
        )?;
        outcomes.push(chain, message.nonce, outcome);
    }
    // Every item has been checked: only now does anything get written.
    outcomes.finish(batch, deps.storage, "deliver")
}

/// `deliver_batch` (PROTOCOL.md §8): the messages' bytes decode strictly, belong to this
/// lane in strictly increasing nonce order below the checkpoint, and one multiproof
/// proves them all; then each follows §7 exactly as in `deliver`.
pub fn deliver_batch(
    deps: DepsMut,
    env: Env,
    source_chain: String,
    checkpoint_size: u64,
    messages: Vec<Binary>,
    proof: Binary,
) -> Result<Response, ContractError> {
    let config = state::load_config(deps.storage)?;
    check_batch_size(&config, messages.len())?;
    // Bounds before any work: whole hashes, at most 64 a message.
    if !proof.len().is_multiple_of(32) {
        return Err(ContractError::ProofNotHashes { len: proof.len() });
    }
    let max = MAX_PROOF_HASHES * messages.len();
    if proof.len() / 32 > max {
        return Err(ContractError::ProofTooLong {
            len: proof.len() / 32,
            max,
        });
    }
    let chain = source_chain.as_str();
    let mut batch = Batch::default();
    let root = batch.checkpoint_root(deps.storage, chain, checkpoint_size)?;

    let mut decoded = Vec::with_capacity(messages.len());
    let mut nonces = Vec::with_capacity(messages.len());
    let mut ids = Vec::with_capacity(messages.len());
    for (index, bytes) in messages.iter().enumerate() {
        let message = Message::decode(bytes)
            .map_err(|reason| ContractError::InvalidMessageBytes { index, reason })?;
        if message.source_chain != source_chain {
            return Err(ContractError::WrongSource {
                index,
                expected: source_chain,
                got: message.source_chain,
            });
        }
        if message.destination_chain != config.chain_id {
            return Err(ContractError::WrongDestination {
                expected: config.chain_id,
                got: message.destination_chain,
            });
        }
        if let Some(&previous) = nonces.last() {
            if message.nonce <= previous {
                return Err(ContractError::NoncesNotIncreasing {
                    index,
                    nonce: message.nonce,
                    previous,
                });
            }
        }
        if message.nonce >= checkpoint_size {
            return Err(ContractError::NonceOutsideCheckpoint {
                nonce: message.nonce,
                size: checkpoint_size,
            });
        }
        nonces.push(message.nonce);
        // The strict decode makes these bytes the message's only encoding: hashing them is
        // its id, with no re-encoding.
        ids.push(leaf_hash(bytes));
        decoded.push(message);
    }
    let proof: Vec<Hash> = proof
        .chunks_exact(32)
        .map(|chunk| {
            let mut hash = [0u8; 32];
            hash.copy_from_slice(chunk);
            hash
        })
        .collect();
    verify_multiproof(checkpoint_size, &nonces, &ids, &proof, &root).map_err(|reason| {
        ContractError::InvalidMultiproof {
            chain: source_chain.clone(),
            size: checkpoint_size,
            count: nonces.len(),
            reason,
        }
    })?;

    let mut outcomes = Outcomes::new(decoded.len());
    for (message, message_id) in decoded.iter().zip(&ids) {
        let outcome = if batch.processed(deps.storage, chain, message.nonce)? {
            DeliveryOutcome::Skipped
        } else {
            process(
                &mut batch,
                deps.storage,
                deps.api,
                &env,
                &config,
                message,
                message_id,
                &mut outcomes,
            )?
        };
        outcomes.push(chain, message.nonce, outcome);
    }
    outcomes.finish(batch, deps.storage, "deliver_batch")
}

/// §7 for one proven, unprocessed message: it advances an ordered lane, then is recorded
/// `timed_out` past its timeout, `failed` if this inbox will not dispatch it (a body over
/// the limit, a recipient that is no address here or is the inbox), or is dispatched
/// with its status `delivered` written first, so a reentrant call sees it processed.
#[allow(clippy::too_many_arguments)]
fn process(
    batch: &mut Batch,
    storage: &dyn Storage,
    api: &dyn Api,
    env: &Env,
    config: &Config,
    message: &Message,
    message_id: &Hash,
    outcomes: &mut Outcomes,
) -> Result<DeliveryOutcome, ContractError> {
    let chain = message.source_chain.as_str();
    let nonce = message.nonce;
    let lane = batch.source(storage, chain)?;
    let gas_limit = lane.source.receive_gas_limit;
    let generation = lane.source.generation;
    if lane.source.ordered {
        // Every outcome advances an ordered lane: a failing receiver never blocks the
        // messages behind it.
        lane.next_nonce = nonce + 1;
        lane.next_nonce_changed = true;
    }
    // Pushed in place: `Response`'s builder methods move the whole response per call.
    let response = &mut outcomes.response;
    let (status, outcome) = if message.is_timed_out(env.block.time) {
        response.events.push(events::deliver(
            chain,
            nonce,
            message_id,
            events::status_name(MessageStatus::TimedOut),
            None,
        ));
        (MessageStatus::TimedOut, DeliveryOutcome::TimedOut)
    } else {
        match batch.dispatchable(api, config, message, &env.contract.address) {
            Ok(recipient) => {
                response
                    .messages
                    .push(dispatch(message, message_id, recipient, gas_limit)?);
                response.events.push(events::deliver(
                    chain,
                    nonce,
                    message_id,
                    events::status_name(MessageStatus::Delivered),
                    None,
                ));
                (MessageStatus::Delivered, DeliveryOutcome::Dispatched)
            }
            Err(reason) => {
                response.events.push(events::deliver(
                    chain,
                    nonce,
                    message_id,
                    events::status_name(MessageStatus::Failed),
                    Some(&reason),
                ));
                outcomes.receipts.push((
                    chain.to_string(),
                    nonce,
                    Receipt {
                        message_id: HexBinary::from(message_id),
                        error: Some(reason),
                        attempts: 0,
                        updated_at_height: env.block.height,
                        generation,
                    },
                ));
                (MessageStatus::Failed, DeliveryOutcome::Failed)
            }
        }
    };
    batch.set_status(storage, chain, nonce, status)?;
    Ok(outcome)
}

/// The checks on a message that need no storage: it is for this chain, and it encodes
/// (every limit of §2). Returns its id. The body limit is not checked here: a proven
/// message over it is recorded `failed` (§7), so it cannot block an ordered lane.
fn check_message(config: &Config, message: &Message) -> Result<Hash, ContractError> {
    if message.destination_chain != config.chain_id {
        return Err(ContractError::WrongDestination {
            expected: config.chain_id.clone(),
            got: message.destination_chain.clone(),
        });
    }
    Ok(message.message_id()?)
}

/// Why this inbox will not dispatch a proven message, if it will not: a body over its
/// limit, or a recipient that is not an address of this chain or is this inbox.
fn check_dispatchable(
    api: &dyn Api,
    config: &Config,
    message: &Message,
    inbox: &Addr,
) -> Result<Addr, String> {
    check_body(config, message)?;
    check_recipient(api, &message.recipient, inbox)
}

/// A proven body over this inbox's limit is not dispatched.
fn check_body(config: &Config, message: &Message) -> Result<(), String> {
    validate_body(&message.body, config.max_body_bytes as usize).map_err(|_| {
        format!(
            "body of {} bytes is over this inbox's limit of {} bytes",
            message.body.len(),
            config.max_body_bytes
        )
    })
}

/// The item's message id is leaf `nonce` of a stored checkpoint of its source.
fn prove(
    batch: &mut Batch,
    storage: &dyn Storage,
    item: &DeliveryItem,
    message_id: &Hash,
) -> Result<(), ContractError> {
    let chain = item.message.source_chain.as_str();
    let nonce = item.message.nonce;
    let size = item.checkpoint_size;
    let root = batch.checkpoint_root(storage, chain, size)?;
    if nonce >= size {
        return Err(ContractError::NonceOutsideCheckpoint { nonce, size });
    }
    let proof = to_proof(&item.proof)?;
    verify_inclusion(message_id, nonce, size, &proof, &root).map_err(|reason| {
        ContractError::InvalidInclusionProof {
            chain: chain.to_string(),
            nonce,
            size,
            reason,
        }
    })
}

/// A recipient must be an address of this chain and not this inbox: a message can only
/// ever reach some contract's `ccmp_receive`, never the inbox's own entry points. A
/// recipient that is an address but not a contract fails in its sub-message and is
/// caught like any receiver error.
fn check_recipient(api: &dyn Api, recipient: &str, inbox: &Addr) -> Result<Addr, String> {
    let address = api
        .addr_validate(recipient)
        .map_err(|_| format!("recipient {recipient:?} is not a valid address on this chain"))?;
    if address == *inbox {
        return Err("recipient is the inbox itself".to_string());
    }
    Ok(address)
}

/// The receiver call: `ccmp_receive`, no funds, a gas limit (so a receiver that runs out
/// of gas fails alone instead of aborting the batch), and a reply only on error (a
/// success costs no second call into the inbox).
///
/// The `ccmp_receive` JSON is written here in one pass into a buffer of the right size:
/// the very bytes `CcmpReceiveMsg::new(message, message_id).into_cosmos_msg(recipient)`
/// serializes to (a unit test compares them), without copying the message's strings and
/// body into a `CcmpReceiveMsg` first or growing the buffer as it goes; in the VM every
/// copy is a metered byte-by-byte loop.
fn dispatch(
    message: &Message,
    message_id: &Hash,
    recipient: Addr,
    gas_limit: u64,
) -> Result<SubMsg, ContractError> {
    let msg = WasmMsg::Execute {
        contract_addr: recipient.into_string(),
        msg: Binary::new(json::ccmp_receive(message, message_id)),
        funds: vec![],
    };
    Ok(SubMsg::reply_on_error(msg, RECEIVE_REPLY_ID)
        .with_gas_limit(gas_limit)
        .with_payload(encode_payload(
            &message.source_chain,
            message.nonce,
            message_id,
        )))
}

/// The two JSON documents a delivery writes per message, byte for byte as serde_json
/// writes them (`to_json_vec`), built without intermediate strings.
mod json {
    use ccmp_types::{Hash, Message};

    use crate::msg::{DeliveryOutcome, DeliveryResult};

    const HEX: &[u8; 16] = b"0123456789abcdef";
    const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// A JSON string as serde_json writes it: `"` and `\` escaped, control characters as
    /// `\b \t \n \f \r` or `\u00XX`, everything else (UTF-8 included) as is.
    pub fn string(out: &mut Vec<u8>, text: &str) {
        out.push(b'"');
        let bytes = text.as_bytes();
        let mut start = 0;
        for (i, &byte) in bytes.iter().enumerate() {
            let escape: &[u8] = match byte {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                0x08 => b"\\b",
                0x0c => b"\\f",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x00..=0x1f => {
                    out.extend_from_slice(&bytes[start..i]);
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[(byte >> 4) as usize]);
                    out.push(HEX[(byte & 0xf) as usize]);
                    start = i + 1;
                    continue;
                }
                _ => continue,
            };
            out.extend_from_slice(&bytes[start..i]);
            out.extend_from_slice(escape);
            start = i + 1;
        }
        out.extend_from_slice(&bytes[start..]);
        out.push(b'"');
    }

    pub fn number(out: &mut Vec<u8>, mut n: u64) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        out.extend_from_slice(&digits[at..]);
    }

    fn hex(out: &mut Vec<u8>, bytes: &[u8]) {
        for &byte in bytes {
            out.push(HEX[(byte >> 4) as usize]);
            out.push(HEX[(byte & 0xf) as usize]);
        }
    }

    /// Standard base64 with padding, as `Binary` serializes.
    fn base64(out: &mut Vec<u8>, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(3);
        for chunk in &mut chunks {
            let n = (u32::from(chunk[0]) << 16) | (u32::from(chunk[1]) << 8) | u32::from(chunk[2]);
            out.extend_from_slice(&[
                BASE64[(n >> 18) as usize & 63],
                BASE64[(n >> 12) as usize & 63],
                BASE64[(n >> 6) as usize & 63],
                BASE64[n as usize & 63],
            ]);
        }
        match *chunks.remainder() {
            [a] => {
                let n = u32::from(a) << 16;
                out.extend_from_slice(&[
                    BASE64[(n >> 18) as usize & 63],
                    BASE64[(n >> 12) as usize & 63],
                    b'=',
                    b'=',
                ]);
            }
            [a, b] => {
                let n = (u32::from(a) << 16) | (u32::from(b) << 8);
                out.extend_from_slice(&[
                    BASE64[(n >> 18) as usize & 63],
                    BASE64[(n >> 12) as usize & 63],
                    BASE64[(n >> 6) as usize & 63],
                    b'=',
                ]);
            }
            _ => {}
        }
    }

    /// `{"ccmp_receive":{"message_id","source_chain","sender","nonce","body"}}` (PROTOCOL.md
    /// §6), as `to_json_vec(&ReceiverExecuteMsg::CcmpReceive(CcmpReceiveMsg::new(..)))`.
    pub fn ccmp_receive(message: &Message, message_id: &Hash) -> Vec<u8> {
        // The fixed parts are 80 bytes; a string grows past its length + 2 only when it
        // has characters to escape.
        let capacity = 100
            + 2 * message_id.len()
            + message.source_chain.len()
            + message.sender.len()
            + message.body.len().div_ceil(3) * 4;
        let mut out = Vec::with_capacity(capacity);
        out.extend_from_slice(b"{\"ccmp_receive\":{\"message_id\":\"");
        hex(&mut out, message_id);
        out.extend_from_slice(b"\",\"source_chain\":");
        string(&mut out, &message.source_chain);
        out.extend_from_slice(b",\"sender\":");
        string(&mut out, &message.sender);
        out.extend_from_slice(b",\"nonce\":");
        number(&mut out, message.nonce);
        out.extend_from_slice(b",\"body\":\"");
        base64(&mut out, &message.body);
        out.extend_from_slice(b"\"}}");
        out
    }

    /// `DeliverResponse { results }`, as `to_json_vec` writes it.
    pub fn deliver_response(results: &[DeliveryResult]) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            16 + results
                .iter()
                .map(|r| 64 + r.source_chain.len())
                .sum::<usize>(),
        );
        out.extend_from_slice(b"{\"results\":[");
        for (i, result) in results.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"source_chain\":");
            string(&mut out, &result.source_chain);
            out.extend_from_slice(b",\"nonce\":");
            number(&mut out, result.nonce);
            let outcome: &[u8] = match result.outcome {
                DeliveryOutcome::Dispatched => b",\"outcome\":\"dispatched\"}",
                DeliveryOutcome::TimedOut => b",\"outcome\":\"timed_out\"}",
                DeliveryOutcome::Failed => b",\"outcome\":\"failed\"}",
                DeliveryOutcome::Skipped => b",\"outcome\":\"skipped\"}",
            };
            out.extend_from_slice(outcome);
        }
        out.extend_from_slice(b"]}");
        out
    }
}

/// `nonce (8) || message id (32) || source chain`: which message a reply is about.
fn encode_payload(chain: &str, nonce: u64, message_id: &Hash) -> Binary {
    let mut payload = Vec::with_capacity(40 + chain.len());
    payload.extend_from_slice(&nonce.to_be_bytes());
    payload.extend_from_slice(message_id);
    payload.extend_from_slice(chain.as_bytes());
    Binary::new(payload)
}

fn decode_payload(payload: &[u8]) -> Result<(String, u64, Hash), ContractError> {
    let (nonce, rest) = payload
        .split_first_chunk::<8>()
        .ok_or(ContractError::MalformedPayload)?;
    let (message_id, chain) = rest
        .split_first_chunk::<32>()
        .ok_or(ContractError::MalformedPayload)?;
    let chain = String::from_utf8(chain.to_vec()).map_err(|_| ContractError::MalformedPayload)?;
    Ok((chain, u64::from_be_bytes(*nonce), *message_id))
}

/// A receiver failed (an error, a panic or out of gas): its state is already rolled back;
/// the message becomes `failed` with the error, and can be retried.
pub fn reply(deps: DepsMut, env: Env, reply: Reply) -> Result<Response, ContractError> {
    if reply.id != RECEIVE_REPLY_ID {
        return Err(ContractError::UnknownReply { id: reply.id });
    }
    let SubMsgResult::Err(error) = reply.result else {
        return Ok(Response::new());
    };
    let error = truncate(error, MAX_ERROR_BYTES);
    let (chain, nonce, message_id) = decode_payload(&reply.payload)?;
    state::save_status(deps.storage, &chain, nonce, MessageStatus::Failed)?;
    let receipt = match state::load_receipt(deps.storage, &chain, nonce)? {
        // A retry: it counted the attempt when it dispatched.
        Some(receipt) => Receipt {
            error: Some(error.clone()),
            updated_at_height: env.block.height,
            ..receipt
        },
        // The reply runs in the dispatching transaction: the generation is the one the
        // message was proven under.
        None => Receipt {
            message_id: HexBinary::from(&message_id),
            error: Some(error.clone()),
            attempts: 1,
            updated_at_height: env.block.height,
            generation: load_source(deps.storage, &chain)?.generation,
        },
    };
    state::save_receipt(deps.storage, &chain, nonce, &receipt)?;
    Ok(Response::new().add_event(events::deliver(
        &chain,
        nonce,
        &message_id,
        events::status_name(MessageStatus::Failed),
        Some(&error),
    )))
}

fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// Dispatches a failed message again. The message must be the one that failed (its id is
/// compared with the stored one, so no proof is needed), and a message whose timeout has
/// passed since becomes `timed_out` instead.
pub fn retry(
    deps: DepsMut,
    env: Env,
    message: Message,
    gas_limit: Option<u64>,
) -> Result<Response, ContractError> {
    let config = state::load_config(deps.storage)?;
    if config.paused {
        return Err(ContractError::Paused);
    }
    let chain = message.source_chain.as_str();
    let source = load_live_source(deps.storage, chain)?;
    if message.destination_chain != config.chain_id {
        return Err(ContractError::WrongDestination {
            expected: config.chain_id,
            got: message.destination_chain,
        });
    }
    let message_id = message.message_id()?;
    let nonce = message.nonce;
    let status = state::load_status(deps.storage, chain, nonce)?;
    let receipt = match (status, state::load_receipt(deps.storage, chain, nonce)?) {
        (MessageStatus::Failed, Some(receipt)) => receipt,
        (status, _) => {
            return Err(ContractError::NotFailed {
                chain: chain.to_string(),
                nonce,
                status,
            })
        }
    };
    if receipt.message_id.as_slice() != message_id {
        return Err(ContractError::MessageMismatch {
            chain: chain.to_string(),
            nonce,
            stored: receipt.message_id.to_hex(),
            given: HexBinary::from(&message_id).to_hex(),
        });
    }
    // A retry needs no proof because the message was proven when it failed; after a
    // rollback that proof may have been against a discarded checkpoint. Every checkpoint
    // of one generation extends the one it was rolled back to, so a message below the
    // rollback is of the kept history; one at or above it may be forged.
    if receipt.generation < source.generation {
        let floor =
            state::rollback_floor(deps.storage, chain, receipt.generation, source.generation)?;
        if floor.is_none_or(|floor| nonce >= floor) {
            return Err(ContractError::RolledBack {
                chain: chain.to_string(),
                nonce,
                rollback_to: floor,
            });
        }
    }
    let gas_limit = gas_limit.unwrap_or(source.receive_gas_limit);
    if gas_limit > source.max_receive_gas_limit {
        return Err(ContractError::GasLimitTooHigh {
            requested: gas_limit,
            max: source.max_receive_gas_limit,
        });
    }
    if gas_limit < MIN_RECEIVE_GAS_LIMIT {
        return Err(ContractError::GasLimitTooLow {
            requested: gas_limit,
            min: MIN_RECEIVE_GAS_LIMIT,
        });
    }

    let mut receipt = Receipt {
        updated_at_height: env.block.height,
        ..receipt
    };
    let mut response = Response::new().add_attribute("action", "retry");
    let status = if message.is_timed_out(env.block.time) {
        receipt.error = None;
        MessageStatus::TimedOut
    } else {
        let recipient = check_dispatchable(deps.api, &config, &message, &env.contract.address)
            .map_err(|reason| ContractError::Undeliverable { reason })?;
        receipt.error = None;
        receipt.attempts = receipt.attempts.saturating_add(1);
        response = response.add_submessage(dispatch(&message, &message_id, recipient, gas_limit)?);
        MessageStatus::Delivered
    };
    // Written before the receiver runs, as in deliver: a reentrant retry sees it.
    state::save_status(deps.storage, chain, nonce, status)?;
    state::save_receipt(deps.storage, chain, nonce, &receipt)?;
    Ok(response.add_event(events::retry(
        chain,
        nonce,
        &message_id,
        receipt.attempts,
        status,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccmp_types::CcmpReceiveMsg;
    use cosmwasm_std::{to_json_vec, Timestamp};

    use crate::msg::DeliverResponse;

    /// Strings with everything serde_json escapes, and some it does not.
    fn tricky_strings() -> Vec<String> {
        let mut strings: Vec<String> = (0u8..0x80).map(|b| char::from(b).to_string()).collect();
        strings.extend(
            [
                "",
                "chain-a",
                "osmo1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu",
                "a\"b\\c\u{7f}d\u{1f}e\n",
                "\u{e9}t\u{e9} \u{1f980} \u{2028}\u{2029}",
                "\"\"\\\\",
            ]
            .map(String::from),
        );
        strings.push((0u8..0x20).map(char::from).collect());
        strings
    }

    #[test]
    fn json_strings_and_numbers_are_what_serde_json_writes() {
        for text in tricky_strings() {
            let mut out = vec![];
            json::string(&mut out, &text);
            assert_eq!(out, to_json_vec(&text).unwrap(), "{text:?}");
        }
        for n in [0u64, 1, 9, 10, 99, 100, 524_263, u64::MAX - 1, u64::MAX] {
            let mut out = vec![];
            json::number(&mut out, n);
            assert_eq!(out, to_json_vec(&n).unwrap());
        }
    }

    #[test]
    fn the_dispatch_is_the_receiver_interface_byte_for_byte() {
        let recipient = Addr::unchecked("osmo1receiver");
        let mut n = 0u64;
        for sender in tricky_strings() {
            for body_len in [0usize, 1, 2, 3, 4, 5, 100, 257] {
                n = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let message = Message {
                    nonce: n,
                    source_chain: sender.chars().rev().collect(),
                    sender: sender.clone(),
                    destination_chain: "chain-b".into(),
                    recipient: recipient.to_string(),
                    timeout_timestamp: Some(Timestamp::from_nanos(n)),
                    body: Binary::new((0..body_len).map(|i| (i as u64 ^ n) as u8).collect()),
                };
                let id = [n as u8; 32];
                let expected = CcmpReceiveMsg::new(&message, &id)
                    .into_cosmos_msg(recipient.clone())
                    .unwrap();
                let sub = dispatch(&message, &id, recipient.clone(), 500_000).unwrap();
                assert_eq!(sub.msg, expected, "{sender:?} {body_len}");
            }
        }
    }

    #[test]
    fn the_response_data_is_deliver_response_byte_for_byte() {
        let outcomes = [
            DeliveryOutcome::Dispatched,
            DeliveryOutcome::TimedOut,
            DeliveryOutcome::Failed,
            DeliveryOutcome::Skipped,
        ];
        for count in [0usize, 1, 2, 7] {
            let results: Vec<DeliveryResult> = (0..count)
                .map(|i| DeliveryResult {
                    source_chain: tricky_strings()[i * 19 % 134].clone(),
                    nonce: (i as u64) << (i * 9),
                    outcome: outcomes[i % 4],
                })
                .collect();
            assert_eq!(
                json::deliver_response(&results),
                to_json_vec(&DeliverResponse {
                    results: results.clone()
                })
                .unwrap()
            );
        }
    }

    #[test]
    fn payload_round_trips_and_refuses_garbage() {
        let payload = encode_payload("chain-a", 7, &[3; 32]);
        assert_eq!(
            decode_payload(&payload).unwrap(),
            ("chain-a".to_string(), 7, [3; 32])
        );
        assert!(matches!(
            decode_payload(&payload[..39]),
            Err(ContractError::MalformedPayload)
        ));
    }

    #[test]
    fn errors_are_cut_at_a_char_boundary() {
        assert_eq!(truncate("abc".into(), 2), "ab");
        assert_eq!(truncate("abc".into(), 3), "abc");
        // 'é' is two bytes: cutting inside it backs off to the boundary.
        assert_eq!(truncate("aé".into(), 2), "a");
        assert_eq!(
            truncate("x".repeat(1000), MAX_ERROR_BYTES).len(),
            MAX_ERROR_BYTES
        );
    }
}
