//! The benchmark's results, rendered as `BENCHMARKS.md`, `bench/results.json` and two SVG
//! charts. Rendering depends only on the results, so a run is checked by comparing numbers
//! and then the text rendered from them.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::measure::{Call, Gas};
use crate::realgas::{difference, RealGas};
use crate::tx::{self, ANTE_FIXED, TX_SIZE_COST_PER_BYTE};

/// Each optimised contract must stay within this many bytes (chains accept 800 KiB).
pub const SIZE_BUDGET: u64 = 500_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SizeRow {
    pub contract: String,
    /// The release build as rustc leaves it (stripped), which no VM accepts: it still has
    /// bulk-memory instructions.
    pub raw_bytes: u64,
    /// After `wasm-opt -Oz` with bulk memory lowered: what chains get.
    pub optimized_bytes: u64,
    /// SHA-256 of the optimised file: the figures below are exact for this file.
    pub sha256: String,
}

/// One item of `twiggy top` on the optimised inbox built with its names kept
/// (`scripts/size-report.sh`, which writes `bench/inbox_size.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SizeItem {
    pub name: String,
    pub bytes: u64,
}

/// The inbox's largest items, as `scripts/size-report.sh` found them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SizeReport {
    /// SHA-256 of the optimised inbox the report was made for: it must be the benchmarked
    /// file's (the names build, optimised without its names, is byte for byte that file).
    pub sha256: String,
    /// Bytes of the name section the names build adds (not in the shipped file).
    pub name_section_bytes: u64,
    /// The largest items, name section left out.
    pub top: Vec<SizeItem>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SendRow {
    pub lane_size: u64,
    pub body_bytes: u64,
    pub call: Call,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckpointRow {
    pub keys: String,
    pub signatures: u64,
    pub proof_len: u64,
    pub set_bytes: u64,
    /// The host's signature checks, in SDK gas (part of `gas.wasm`).
    pub signature_gas: u64,
    pub call: Call,
}

impl CheckpointRow {
    /// Everything but loading the instance and the host's signature checks.
    pub fn other_gas(&self) -> u64 {
        self.call.gas.excluding_instance() - self.signature_gas
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliverRow {
    pub ordered: bool,
    pub batch: u64,
    pub proof_len: u64,
    /// The whole `deliver` call's gas charged to the inbox, and its bytes.
    pub call: Call,
}

impl DeliverRow {
    pub fn per_message(&self) -> Gas {
        self.call.gas.per(self.batch)
    }
}

/// Where in the lane a `deliver_batch` takes its messages from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// The lane's last `batch` messages (what a relayer keeping up sends).
    Newest,
    /// `batch` messages from the middle of the lane (a relayer catching up).
    Middle,
}

impl Position {
    pub fn name(self) -> &'static str {
        match self {
            Position::Newest => "newest",
            Position::Middle => "middle",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchRow {
    pub position: Position,
    pub ordered: bool,
    /// The lane (and checkpoint) holds 2^`lane_height` messages.
    pub lane_height: u32,
    pub batch: u64,
    /// Hashes in the multiproof.
    pub proof_hashes: u64,
    /// The whole `deliver_batch` call.
    pub call: Call,
}

impl BatchRow {
    pub fn per_message(&self) -> Gas {
        self.call.gas.per(self.batch)
    }
}

/// The bytes of the inbox's response (its JSON, charged at 1 gas a byte as
/// "deserialization") for one dispatched message of a `deliver_batch`, by part.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseBytes {
    /// The receiver sub-message: `ccmp_receive` (base64 inside `WasmMsg::Execute`), the
    /// reply payload, gas limit and reply mode.
    pub sub_message: u64,
    /// The `ccmp_deliver` event.
    pub event: u64,
    /// The message's entry in the `DeliverResponse` data (base64 in the response).
    pub data: u64,
}

/// Where the gas of the target `deliver_batch` goes: the batch, and the same batch sent
/// again (every message then skipped: the parsing, decoding, hashing and multiproof
/// without status writes, dispatch or events).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchBreakdown {
    pub lane_height: u32,
    pub batch: u64,
    pub proof_hashes: u64,
    pub dispatched: Call,
    pub skipped: Call,
    pub response: ResponseBytes,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub name: String,
    pub limit: u64,
    pub measured: u64,
    pub pass: bool,
}

/// What a relayer's proofs cost it off chain by lane size, as `scripts/proof-bench.sh`
/// wrote it to `bench/proofs.json`: wall-clock, so `--check` renders it but does not
/// re-measure it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProofBench {
    pub machine: String,
    /// Messages in the measured batch (the newest of the lane) and the checkpoint step.
    pub batch: u64,
    pub rows: Vec<ProofRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProofRow {
    pub lane_size: u64,
    /// Building the `SubtreeIndex`, per message appended.
    pub append_ns: f64,
    /// The checkpoint's root and its consistency proof: from the leaf list, from the index.
    pub checkpoint_leaves_us: f64,
    pub checkpoint_index_us: f64,
    /// The batch's multiproof: from the leaf list, from the index.
    pub batch_leaves_us: f64,
    pub batch_index_us: f64,
}

/// `ccmp demo --queued` runs, as `scripts/demo-bench.sh` wrote them to `bench/demo.json`:
/// wall-clock figures of the whole bridge (attesters, relayers, both lanes) on two embedded
/// chains. They depend on the machine, so `--check` renders them but does not re-measure.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DemoBench {
    pub block_time_ms: u64,
    pub machine: String,
    pub runs: Vec<DemoRun>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoRun {
    /// Pings queued on each chain before the relayers start.
    pub pings: u64,
    pub summary: DemoRunSummary,
}

/// The part of `ccmp demo --json`'s summary the benchmark shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoRunSummary {
    pub messages: u64,
    pub wall_seconds: f64,
    pub throughput: f64,
    pub lanes: Vec<DemoLane>,
    /// Transactions and messages per operation (the demo's gas table).
    pub gas: Vec<DemoGasLine>,
    pub problems: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoGasLine {
    pub operation: String,
    pub transactions: u64,
    pub messages: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoLane {
    pub source_chain: String,
    pub destination_chain: String,
    pub sent: u64,
    pub delivered: u64,
    pub latency_blocks: DemoPercentiles<u64>,
    pub latency_seconds: DemoPercentiles<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DemoPercentiles<T> {
    pub p50: T,
    pub p99: T,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Results {
    pub sizes: Vec<SizeRow>,
    pub inbox_size: SizeReport,
    pub send_by_lane: Vec<SendRow>,
    pub send_by_body: Vec<SendRow>,
    /// The mean of 1,024 consecutive sends from a lane of 2^20.
    pub send_amortized: SendRow,
    pub send_amortized_max: u64,
    pub checkpoint_by_signatures: Vec<CheckpointRow>,
    pub checkpoint_by_proof: Vec<CheckpointRow>,
    pub deliver_by_batch: Vec<DeliverRow>,
    pub deliver_by_proof: Vec<DeliverRow>,
    pub batch_by_size: Vec<BatchRow>,
    pub batch_breakdown: BatchBreakdown,
    pub retry: Call,
    /// [`tx::ante_fixed_gas`] when the figures were made.
    pub ante_fixed_gas: u64,
    pub targets: Vec<Target>,
    /// From `bench/demo.json` (empty if it is missing).
    #[serde(default)]
    pub demo: DemoBench,
    /// From `bench/real_gas.json` (empty if it is missing).
    #[serde(default)]
    pub real_gas: RealGas,
    /// From `bench/proofs.json` (empty if it is missing).
    #[serde(default)]
    pub proofs: ProofBench,
}

/// The whole transaction's gas for a call ([`tx::whole_tx_gas`]).
pub fn whole_tx(call: &Call) -> u64 {
    tx::whole_tx_gas(call.gas.excluding_instance(), call.tx_bytes)
}

/// The parts of a call's gas and bytes, each divided by `n` (rounded down): one of `n`
/// messages' share.
fn parts(call: &Call, n: u64) -> String {
    let gas = call.gas.per(n);
    format!(
        "{} | {} | {} | {} | {} | {} | {} | {}",
        gas.excluding_instance(),
        gas.wasm,
        gas.storage,
        gas.events,
        gas.deserialization,
        gas.other,
        call.tx_bytes / n,
        whole_tx(call) / n
    )
}

const PARTS_HEADER: &str = "SDK gas excl. instance | wasm (VM gas / 140,000) | storage (KV) | events | response deserialization | other | tx bytes | whole tx gas";
const PARTS_RULE: &str = "---:|---:|---:|---:|---:|---:|---:|---:";

fn lane_name(ordered: bool) -> &'static str {
    if ordered {
        "ordered"
    } else {
        "unordered"
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The `deliver` row and the `deliver_batch` rows (middle, newest) for `batch` messages on
/// a lane of 2^20, unordered: what the README and the comparison table quote.
pub fn comparison(results: &Results, batch: u64) -> Option<(&DeliverRow, &BatchRow, &BatchRow)> {
    let deliver = results
        .deliver_by_batch
        .iter()
        .find(|r| !r.ordered && r.batch == batch)?;
    let batch_row = |position: Position| {
        results.batch_by_size.iter().find(|r| {
            r.position == position && !r.ordered && r.lane_height == 20 && r.batch == batch
        })
    };
    Some((
        deliver,
        batch_row(Position::Middle)?,
        batch_row(Position::Newest)?,
    ))
}

pub fn markdown(results: &Results) -> String {
    let mut md = String::new();
    let w = &mut md;
    let _ = writeln!(w, "# CCMP gas and size benchmark\n");
    let _ = writeln!(
        w,
        "Generated by `./scripts/bench.sh` (`cargo run -p ccmp-bench --bin ccmp-bench`); CI \
         re-runs it and fails if a figure moved. Every figure comes from the compiled, optimised \
         contracts in `artifacts/` executed by cosmwasm-vm 3.0.10 inside `ccmp-devnet`, with \
         wasmd's gas schedule: VM gas converted at 140,000 per SDK gas, the SDK's KV-store gas \
         (read 1,000 + 3/byte, write 2,000 + 30/byte, keys with wasmd's 33-byte contract \
         prefix), event gas, the gas for deserializing the contract's response (1 gas a \
         byte of its JSON: sub-messages, events, data) and wasmd's own store work before \
         each call (the message router's circuit-breaker check, the contract's and its code's \
         records read, the pinned-code check: about 4,800 gas an execute, in \"other\"). The instance cost (60,000 SDK gas, \
         2,000 for pinned code) is left out of every figure: it is the same for every call. \
         \"wasm\" includes host functions (signature checks, memory). Figures are the contract \
         under test only, never a receiver's.\n"
    );
    let _ = writeln!(
        w,
        "Every call also has its **transaction bytes** (the JSON execute message in one \
         `MsgExecuteContract` of a signed `TxRaw`) and a **whole-transaction** figure: the \
         contract's gas + {TX_SIZE_COST_PER_BYTE} gas per transaction byte (the SDK's \
         `TxSizeCostPerByte`) + {} for the ante handler's fixed work (as measured on a \
         wasmd node, see \
         [Whole transactions](#whole-transactions)). Per-message rows divide both by the \
         batch size.\n",
        thousands(results.ante_fixed_gas)
    );

    let _ = writeln!(w, "## Targets\n");
    let _ = writeln!(
        w,
        "| target | limit | measured | result |\n|---|---:|---:|---|"
    );
    for t in &results.targets {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} |",
            t.name,
            t.limit,
            t.measured,
            if t.pass { "PASS" } else { "FAIL" }
        );
    }

    batch_section(w, results);
    whole_tx_section(w, results);
    real_gas_section(w, &results.real_gas);
    size_section(w, results);
    demo_section(w, results);
    proofs_section(w, results);

    let _ = writeln!(w, "\n## Outbox `send`\n");
    let _ = writeln!(
        w,
        "One `send` with a 100-byte body at each lane size (the lane's frontier seeded, not \
         sent). A lane of 2^k − 1 has k frontier levels set; the send merges them all.\n"
    );
    let _ = writeln!(w, "| lane size | {PARTS_HEADER} |\n|---:|{PARTS_RULE}|");
    for r in &results.send_by_lane {
        let _ = writeln!(w, "| {} | {} |", r.lane_size, parts(&r.call, 1));
    }
    let a = &results.send_amortized;
    let _ = writeln!(
        w,
        "\nMean of 1,024 consecutive sends (100-byte bodies) from a lane of 2^20 = {}: \
         **{}** SDK gas (at most {}, the send that carries into the high frontier), {} \
         transaction bytes, {} gas as a whole transaction. A send onto a lane of 2^k − 1 \
         merges k levels and rewrites the high frontier: the dearest send, once in 2^k.\n",
        a.lane_size,
        a.call.gas.excluding_instance(),
        results.send_amortized_max,
        a.call.tx_bytes,
        whole_tx(&a.call)
    );
    let _ = writeln!(w, "By body size, on a lane of 2^20:\n");
    let _ = writeln!(w, "| body (bytes) | {PARTS_HEADER} |\n|---:|{PARTS_RULE}|");
    for r in &results.send_by_body {
        let _ = writeln!(w, "| {} | {} |", r.body_bytes, parts(&r.call, 1));
    }

    let _ = writeln!(w, "\n## Inbox `submit_checkpoint`\n");
    let _ = writeln!(
        w,
        "The first checkpoint of a source (no consistency proof), every attester of a set of n \
         signing (weight 1 each, threshold n/2 + 1). \"signatures\" is what the host charges \
         for the checks (secp256k1 one by one, Ed25519 in one batch call); \"everything \
         else\" is the rest: reading the config, the source and the attester set (\"set \
         bytes\", 3 gas a byte), parsing, hashing, the two writes and the event.\n"
    );
    let _ = writeln!(
        w,
        "| keys | signatures | set bytes | SDK gas excl. instance | signatures (host) | everything else | storage | tx bytes | whole tx gas |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for r in &results.checkpoint_by_signatures {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.keys,
            r.signatures,
            r.set_bytes,
            r.call.gas.excluding_instance(),
            r.signature_gas,
            r.other_gas(),
            r.call.gas.storage,
            r.call.tx_bytes,
            whole_tx(&r.call)
        );
    }
    let _ = writeln!(
        w,
        "\nBy consistency-proof length: from a stored checkpoint of size 1 to one of size \
         2^k (the proof has k hashes), three mixed attesters signing.\n"
    );
    let _ = writeln!(
        w,
        "| proof hashes | SDK gas excl. instance | signatures (host) | everything else | tx bytes | whole tx gas |\n|---:|---:|---:|---:|---:|---:|"
    );
    for r in &results.checkpoint_by_proof {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} |",
            r.proof_len,
            r.call.gas.excluding_instance(),
            r.signature_gas,
            r.other_gas(),
            r.call.tx_bytes,
            whole_tx(&r.call)
        );
    }

    let _ = writeln!(w, "\n## Inbox `deliver`\n");
    let _ = writeln!(
        w,
        "One inclusion proof per message. Gas charged to the inbox per delivered message (the \
         call's gas and bytes divided by the batch size), with a receiver that accepts and \
         does nothing; the receiver's own instance and execution are not in these figures. \
         100-byte bodies, consecutive nonces.\n"
    );
    let _ = writeln!(
        w,
        "By batch size, on a lane of 2^20 (20-hash proofs):\n\n| lane | batch | {PARTS_HEADER} |\n|---|---:|{PARTS_RULE}|"
    );
    for r in &results.deliver_by_batch {
        let _ = writeln!(
            w,
            "| {} | {} | {} |",
            lane_name(r.ordered),
            r.batch,
            parts(&r.call, r.batch)
        );
    }
    let _ = writeln!(
        w,
        "\nBy proof length (lane of 2^k, batch of min(50, 2^k)), per message:\n\n| lane | proof hashes | batch | {PARTS_HEADER} |\n|---|---:|---:|{PARTS_RULE}|"
    );
    for r in &results.deliver_by_proof {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} |",
            lane_name(r.ordered),
            r.proof_len,
            r.batch,
            parts(&r.call, r.batch)
        );
    }
    let _ = writeln!(
        w,
        "\n`retry` of a failed message (the inbox's part): **{}** SDK gas excl. instance \
         ({} storage, {} wasm, {} events), {} transaction bytes, {} gas as a whole \
         transaction.\n",
        results.retry.gas.excluding_instance(),
        results.retry.gas.storage,
        results.retry.gas.wasm,
        results.retry.gas.events,
        results.retry.tx_bytes,
        whole_tx(&results.retry)
    );
    let _ = writeln!(
        w,
        "## Charts\n\n![gas per delivered message against batch size](bench/deliver_by_batch.svg)\n\n![checkpoint gas against signatures](bench/checkpoint_by_signatures.svg)"
    );
    md
}

fn batch_section(w: &mut String, results: &Results) {
    let _ = writeln!(w, "\n## Inbox `deliver_batch`\n");
    let _ = writeln!(
        w,
        "Many messages of one lane proven by one multiproof (PROTOCOL.md §8): each message \
         as its `message_bytes` in base64, the proof's hashes concatenated. What \
         `ccmp-relayer` sends, for a single message too. Same receiver, bodies and \
         accounting as `deliver` below; the proofs come from `multiproof_with` over the \
         benchmark's sparse tree, so lanes of a million messages are never filled. \
         \"newest\" is the lane's last messages, \"middle\" a batch from the middle of the \
         lane (a relayer catching up).\n"
    );
    if let Some((deliver, middle, newest)) = comparison(results, 50) {
        let _ = writeln!(
            w,
            "Against `deliver`, 50 messages on a lane of 2^20, per message:\n\n| call | proof hashes (whole call) | SDK gas excl. instance | tx bytes | whole tx gas |\n|---|---:|---:|---:|---:|"
        );
        let row = |w: &mut String, name: &str, hashes: u64, call: &Call, n: u64| {
            let _ = writeln!(
                w,
                "| {name} | {hashes} | {} | {} | {} |",
                call.gas.per(n).excluding_instance(),
                call.tx_bytes / n,
                whole_tx(call) / n
            );
        };
        row(
            w,
            "`deliver`",
            deliver.proof_len * deliver.batch,
            &deliver.call,
            deliver.batch,
        );
        row(
            w,
            "`deliver_batch`, middle of the lane",
            middle.proof_hashes,
            &middle.call,
            middle.batch,
        );
        row(
            w,
            "`deliver_batch`, newest",
            newest.proof_hashes,
            &newest.call,
            newest.batch,
        );
    }
    let _ = writeln!(w, "\n{GAS_HISTORY}");
    let _ = writeln!(
        w,
        "\nPer message, by lane size and batch size (batches larger than the lane are not \
         run):\n\n| messages | lane | batch | proof hashes | {PARTS_HEADER} |\n|---|---:|---:|---:|{PARTS_RULE}|"
    );
    for r in &results.batch_by_size {
        let _ = writeln!(
            w,
            "| {}{} | 2^{} | {} | {} | {} |",
            r.position.name(),
            if r.ordered { ", ordered" } else { "" },
            r.lane_height,
            r.batch,
            r.proof_hashes,
            parts(&r.call, r.batch)
        );
    }
    let b = &results.batch_breakdown;
    let n = b.batch;
    let (d, s) = (b.dispatched.gas.per(n), b.skipped.gas.per(n));
    let _ = writeln!(
        w,
        "\n### Where the gas goes\n\nThe target batch ({n} messages from the middle of a lane \
         of 2^{}, {} proof hashes), per message, and the same batch sent again: every \
         message is then already delivered and skipped, so that call is the parsing, base64 \
         and strict decoding, hashing and the multiproof, with no status write, dispatch or \
         event (its response still carries the results).\n",
        b.lane_height, b.proof_hashes
    );
    let _ = writeln!(
        w,
        "| per message | SDK gas excl. instance | wasm | storage | events | response deserialization |\n|---|---:|---:|---:|---:|---:|"
    );
    for (name, g) in [
        ("the batch, dispatched", &d),
        ("the same batch, skipped", &s),
    ] {
        let _ = writeln!(
            w,
            "| {name} | {} | {} | {} | {} | {} |",
            g.excluding_instance(),
            g.wasm,
            g.storage,
            g.events,
            g.deserialization
        );
    }
    let sub = |a: u64, b: u64| a.saturating_sub(b);
    let _ = writeln!(
        w,
        "| difference: status, dispatch, events | {} | {} | {} | {} | {} |",
        sub(d.excluding_instance(), s.excluding_instance()),
        sub(d.wasm, s.wasm),
        sub(d.storage, s.storage),
        sub(d.events, s.events),
        sub(d.deserialization, s.deserialization)
    );
    let r = &b.response;
    let _ = writeln!(
        w,
        "\nThe response's JSON per dispatched message, which the chain charges 1 gas a byte to \
         read: the receiver sub-message {} bytes (the `ccmp_receive` message fixed by \
         PROTOCOL.md §6, in base64, its contract address, reply payload and gas limit), the \
         `ccmp_deliver` event {} bytes (its keys are a public interface), its entry in the \
         `DeliverResponse` data {} bytes (base64).",
        r.sub_message, r.event, r.data
    );
    // What is left once the interface is taken as fixed, and what changing it would save.
    let fixed = r.sub_message + r.event + r.data + d.events;
    let total = d.excluding_instance();
    let _ = writeln!(
        w,
        "\nSo {} of the {total} gas per message are the response the interface prescribes \
         (sub-message, event and data bytes, and the event's {} gas), {} the status chunks, \
         checkpoint, source and configuration (one call's reads and writes shared by the \
         batch) and {} the contract's own work. Even with no Wasm at all the message would \
         cost {}, so the 1,600 target needs a change of interface. Estimates of the next \
         steps, from the bytes above (not measured):\n",
        fixed,
        d.events,
        d.storage,
        d.wasm,
        total - d.wasm
    );
    let _ = writeln!(
        w,
        "- `deliver_batch` without `DeliverResponse` data (the events already say what \
         happened to every message but the skipped): −{} → about {}. The inbox's tests read \
         the data, so it stays for now.\n\
         - one `ccmp_deliver` event per batch instead of per message, listing the nonces \
         (the ids are in the source's `ccmp_send` events): −{} (the event's {} gas and {} \
         bytes, less about 8 bytes a message in the list, paid as event gas and as response \
         bytes) → about {}. Indexers read the per-message event, so it is a change of the \
         public event interface.\n\
         - both: about {}, under the target; as a whole transaction about {} per message.",
        r.data,
        total - r.data,
        d.events + r.event - 16,
        d.events,
        r.event,
        total - (d.events + r.event - 16),
        total - r.data - (d.events + r.event - 16),
        (whole_tx(&b.dispatched) / n) - r.data - (d.events + r.event - 16)
    );
}

fn whole_tx_section(w: &mut String, results: &Results) {
    let _ = writeln!(w, "\n## Whole transactions\n");
    let _ = writeln!(
        w,
        "Transaction bytes are computed from the protobuf field sizes (`ccmp_bench::tx`): \
         one `MsgExecuteContract {{ sender, contract, msg }}` (the sender's and the contract's \
         bech32 addresses as the devnet makes them, 43 and 63 characters; `msg` the exact \
         JSON, a bytes field, not base64; no funds) as an `Any` in the `TxBody`; an \
         `AuthInfo` with one `SignerInfo` (a secp256k1 public key as an `Any`, \
         `SIGN_MODE_DIRECT`, a 3-byte sequence) and a fee of one coin (5-byte denom, 6-digit \
         amount, a 4-byte gas limit); one 64-byte signature; every field its tag, the varint \
         of its length and its bytes. Around the target batch's {}-byte message that \
         envelope is {} bytes.\n",
        results.batch_breakdown.dispatched.msg_bytes,
        results.batch_breakdown.dispatched.tx_bytes - results.batch_breakdown.dispatched.msg_bytes
    );
    let _ = writeln!(
        w,
        "The ante handler's fixed work for one secp256k1 signer is estimated decorator by \
         decorator (SDK v0.50 `x/auth/ante`, the stock `NewAnteHandler`) with the SDK's \
         default `KVGasConfig` and estimated record sizes (auth params 14 bytes with key, a \
         `BaseAccount` with its key 183, the fee collector's module account 142, a balance 37); \
         the per-byte part of `ConsumeGasForTxSize` is the 10 gas a transaction byte above:\n"
    );
    let _ = writeln!(w, "| decorator: work | SDK gas |\n|---|---:|");
    for (name, gas) in ANTE_FIXED {
        let _ = writeln!(w, "| {name} | {} |", thousands(*gas));
    }
    let _ = writeln!(
        w,
        "| **total** | **{}** |\n",
        thousands(results.ante_fixed_gas)
    );
    let _ = writeln!(
        w,
        "wasmd's transaction counter and circuit breaker are in it, and the rest of the fixed \
         part measured on a wasmd node (see [Gas on a real chain](#gas-on-a-real-chain)), \
         which the list does not itemize; fee-market modules and a first transaction's public \
         key write are not. Not in the \
         whole-transaction figures either: the contract's instance cost (60,000 per call, \
         2,000 for pinned code; 1,200 or 40 per message in a batch of 50) and the receivers' \
         own gas."
    );
}

fn size_section(w: &mut String, results: &Results) {
    let _ = writeln!(w, "\n## Wasm size\n");
    let _ = writeln!(
        w,
        "| contract | release build (bytes) | optimised (bytes) | budget | result | optimised SHA-256 |\n|---|---:|---:|---:|---|---|"
    );
    for s in &results.sizes {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | `{}` |",
            s.contract,
            s.raw_bytes,
            s.optimized_bytes,
            SIZE_BUDGET,
            if s.optimized_bytes <= SIZE_BUDGET {
                "PASS"
            } else {
                "FAIL"
            },
            s.sha256
        );
    }
    let _ = writeln!(
        w,
        "\nThe release build is rustc's output with `opt-level = 3`, LTO and symbols \
         stripped, our crates compiled with `-C target-cpu=mvp` (`scripts/wasm-env.sh`); the \
         precompiled standard library in it still holds bulk-memory instructions that no VM \
         accepts. The optimised file is what `scripts/build.sh` makes of it with binaryen's \
         `wasm-opt --llvm-memory-copy-fill-lowering -Oz` (as the CosmWasm optimizer would, \
         plus the lowering), the file a chain stores. The budget is {} bytes per contract, \
         well under the 800 KiB (819,200 bytes) chains accept, so that a contract can grow \
         by a feature or two before an upload is at risk.\n",
        thousands(SIZE_BUDGET)
    );
    let report = &results.inbox_size;
    let inbox = results.sizes.iter().find(|s| s.contract == "ccmp-inbox");
    if let (Some(inbox), false) = (inbox, report.top.is_empty()) {
        let _ = writeln!(
            w,
            "The inbox's largest items (`scripts/size-report.sh`, for the file of SHA-256 \
             `{}…`: the inbox built again without `-C link-arg=-s`, so the linker keeps the \
             name section, and optimised with the same `wasm-opt` passes plus `--debuginfo`, \
             which keeps the names; without `--debuginfo` that build optimises to this file \
             byte for byte but for the order of its functions, which `wasm-opt` breaks ties \
             in by name; then `twiggy top`, the {} bytes of names left out). `execute`, \
             `query`, `instantiate`, `migrate` and `reply` are the entry points with \
             everything inlined into them:\n",
            report.sha256.get(..16).unwrap_or(""),
            thousands(report.name_section_bytes)
        );
        let _ = writeln!(w, "| item | bytes | share |\n|---|---:|---:|");
        for item in &report.top {
            let _ = writeln!(
                w,
                "| `{}` | {} | {:.1}% |",
                item.name.replace('|', "\\|"),
                item.bytes,
                item.bytes as f64 * 100.0 / inbox.optimized_bytes as f64
            );
        }
        if report.sha256 != inbox.sha256 {
            let _ = writeln!(
                w,
                "\n(This list was made for another build of the inbox: run \
                 `scripts/size-report.sh`.)"
            );
        }
    }
    let _ = write!(w, "\n{SIZE_NOTES}");
    match inbox {
        Some(inbox) if inbox.optimized_bytes > SIZE_BUDGET => {
            let excess = thousands(inbox.optimized_bytes - SIZE_BUDGET);
            let _ = writeln!(w, " {}", SIZE_EXCESS.replace("{}", &excess));
        }
        _ => {
            let _ = writeln!(w);
        }
    }
}

/// How the delivery figures moved with this revision's changes (measured with this
/// benchmark, build by build).
const GAS_HISTORY: &str = "What the delivery path's changes bought, per message of a batch \
    of 50 from the middle of a lane of 2^20 (`deliver_batch` / `deliver`, SDK gas): 1,929 / \
    2,683 before; 1,890 / 2,558 with the inbox's per-batch caches in small vectors instead of \
    maps keyed by owned strings, the `ccmp_receive` and `DeliverResponse` JSON each written \
    in one buffer of the right size (byte for byte what serde_json writes, unit-tested) and \
    each `ccmp_deliver` event built with its attributes allocated once \
    (`contracts/inbox/src/delivery.rs`, `events.rs`); 1,835 / 2,358 with our crates \
    compiled for the MVP CPU, so they copy memory with compiler_builtins' word-wise \
    `memcpy` instead of `memory.copy`, which `wasm-opt` must lower to a loop copying a byte \
    at a time (about 5,000 VM gas a byte, some 8 times the word copy); 1,828 / 2,351 with a batch's last valid recipient \
    remembered (one `addr_validate` host call per recipient, not per message). The build \
    flag alone took the outbox's `send` from 17,856 to 17,746. (These figures were made \
    before the model priced wasmd's own work before a call, about 4,770 gas a call: 95 more \
    per message of a batch of 50 today; see [Gas on a real chain](#gas-on-a-real-chain).)";

/// What the size figures rest on, and where the inbox's bytes went since 0.2.0.
const SIZE_NOTES: &str = "Every contract pays a floor for cosmwasm-std 3's JSON (serde_json \
    parses and formats, with its float formatting reached from its error messages: core's \
    `f64` `Display`, 14 KB, above) and, with the `std` feature that cw-storage-plus and cw2 \
    require, a backtrace type whose printer pulls in rustc-demangle; the querier's \
    `raw_query` (15 KB, with the JSON of every query request) is kept by the `&dyn Querier` \
    in `Deps` though the inbox never queries; every message and query variant adds its own \
    serde visitor. `test/ccmp_devnet_receiver.wasm`, a contract that stores one flag and \
    answers one message, is 243 KB built the same way. The contracts are built at opt-level \
    3 because gas is paid per message and the upload once: at `\"z\"` they were about 20% \
    smaller and a delivered message cost 27% more gas.\n\n\
    **The inbox is over budget.** It grew from 485,618 bytes (0.2.0) to 559,527 in 0.3.0 \
    (`twiggy diff` of the two names builds, items summed by origin): serde visitors of the \
    new messages and queries (`report_equivocation`, `deliver_batch`, the proposals, \
    `freeze`, `proposals`) +12 KB, `ccmp_inbox::delivery` (the batch form, over-limit \
    bodies) +11 KB, `ccmp_inbox::execute` (proposals, rollback, freeze) +10 KB, JSON \
    serialization of the new types +6 KB, `query` +6 KB, `execute`'s inlined handlers \
    +5 KB, error texts and other data +4 KB, `light_client` (equivocation evidence) +3 KB, \
    the rest spread over cw-storage-plus, `ccmp-types` (multiproof, key checks) and core. \
    Cut since: `ccmp_inbox::delivery` from 22.7 KB to about 10 KB of functions (its per-batch \
    caches are small vectors instead of `BTreeMap`s keyed by owned strings, whose \
    monomorphised tree code was most of it; the dispatch JSON written directly), 14 KB in \
    all (the retry rule after a rollback has added 3 KB since); `-C target-cpu=mvp` adds \
    2.4 KB (compiler_builtins' `memcpy`, `memset`) for about \
    200 SDK gas less per message `deliver`ed and 55 per message of a `deliver_batch`; \
    tying an unfreeze proposal to its freeze added 1.8 KB, and `instantiate`'s check for a \
    source listed twice, a scan of the sources before it instead of a `BTreeSet`, took \
    3.1 KB of tree code out.";

/// Where the rest of the inbox's excess is; `{}` is the excess in bytes.
const SIZE_EXCESS: &str = "What is left above the budget ({} bytes) is in code the delivery \
    path does not own: the visitors of the admin and recovery messages, `execute`'s \
    handlers, `query` and their error texts. Measured on the 551,482-byte build of the \
    previous revision, with handlers cut out (stubbed; their messages still parsed) to \
    bound what any rewrite of them could save: without the `query` handlers, 527,350 bytes \
    (-24.1 KB); without the handlers of the 14 admin and recovery execute messages, 525,902 \
    (-25.6 KB); without both, 483,471 (-68.0 KB: they share their trust-change, source and \
    ownership records and answers). Three quarters of that code would have to go, so \
    simpler handlers alone will not do it. Hand-written parsers for the rarely used \
    messages, storage records and query answers (`PhantomData<T>`'s `deserialize`, the \
    derived visitors, is 67.7 KB of the file) were tried on the 550,138-byte build, the \
    delivery path untouched: 540,069 bytes (-10.1 KB, 6.6 KB of it only with one error \
    text changed), and about 14 KB projected with every such type converted, because \
    serde_json's parsing code is copied into each visitor that calls it; not merged. What \
    is left is an interface change (the owner's rarely used messages behind one variant, \
    fewer query shapes), which `docs/PROTOCOL.md` does not allow: it names those messages \
    and queries. Out of reach \
    of the contract's code, reached only through the function table: the querier's \
    `raw_query` (21.8 KB with what only it uses), the backtrace printer and rustc-demangle \
    (25 KB) and `f64`'s `Display` (18 KB). Compiler and optimiser settings measured against \
    that build (gas in that revision's model, before wasmd's own work before a call was \
    priced): `-C llvm-args=-inline-threshold=50` makes it 521,056 bytes but a \
    `deliver`ed message cost 2,472 SDK gas instead of 2,351 and a `deliver_batch`ed one \
    1,854 instead of 1,828 (refused: the gas is the product); \
    `-C llvm-args=-inlinehint-threshold=100` saves 0.6 KB for 21 SDK gas more per \
    `deliver`ed message; `wasm-opt -Os`, `-O3`, `-O4` are larger (555,998, 558,876, 559,313) and \
    `-Oz --converge` saves 175 bytes.";

/// A line chart as plain SVG: one polyline per series, labelled axes and a legend.
pub fn svg_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[(&str, Vec<(f64, f64)>)],
) -> String {
    const W: f64 = 640.0;
    const H: f64 = 400.0;
    const L: f64 = 80.0;
    const R: f64 = 20.0;
    const T: f64 = 40.0;
    const B: f64 = 60.0;
    const COLORS: [&str; 4] = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
    let points = series.iter().flat_map(|(_, p)| p.iter());
    let x_max = points.clone().map(|p| p.0).fold(1.0, f64::max);
    let y_max = points.map(|p| p.1).fold(1.0, f64::max) * 1.1;
    let x = |v: f64| L + v / x_max * (W - L - R);
    let y = |v: f64| H - B - v / y_max * (H - T - B);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="24" text-anchor="middle" font-size="15">{title}</text>"#,
        W / 2.0
    );
    let _ = writeln!(
        svg,
        r##"<line x1="{L}" y1="{0}" x2="{1}" y2="{0}" stroke="#333"/><line x1="{L}" y1="{T}" x2="{L}" y2="{0}" stroke="#333"/>"##,
        H - B,
        W - R
    );
    for i in 0..=5 {
        let v = y_max / 5.0 * i as f64;
        let _ = writeln!(
            svg,
            r##"<line x1="{L}" y1="{0:.1}" x2="{1}" y2="{0:.1}" stroke="#ddd"/><text x="{2}" y="{3:.1}" text-anchor="end">{4:.0}</text>"##,
            y(v),
            W - R,
            L - 6.0,
            y(v) + 4.0,
            v
        );
    }
    let mut xs: Vec<f64> = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|q| q.0))
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    for v in xs {
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{v}</text>"#,
            x(v),
            H - B + 18.0
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">{x_label}</text>"#,
        (L + W - R) / 2.0,
        H - 18.0
    );
    let _ = writeln!(
        svg,
        r#"<text x="18" y="{0}" text-anchor="middle" transform="rotate(-90 18 {0})">{y_label}</text>"#,
        (T + H - B) / 2.0
    );
    for (i, (name, pts)) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let path: Vec<String> = pts
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p.0), y(p.1)))
            .collect();
        let _ = writeln!(
            svg,
            r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"/>"#,
            path.join(" ")
        );
        for p in pts {
            let _ = writeln!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{color}"/>"#,
                x(p.0),
                y(p.1)
            );
        }
        let ly = T + 16.0 * i as f64;
        let _ = writeln!(
            svg,
            r#"<rect x="{}" y="{}" width="12" height="3" fill="{color}"/><text x="{}" y="{}">{name}</text>"#,
            W - R - 150.0,
            ly,
            W - R - 132.0,
            ly + 5.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}

pub fn deliver_chart(results: &Results) -> String {
    let deliver = |ordered: bool| -> Vec<(f64, f64)> {
        results
            .deliver_by_batch
            .iter()
            .filter(|r| r.ordered == ordered)
            .map(|r| (r.batch as f64, r.per_message().excluding_instance() as f64))
            .collect()
    };
    let batch = |position: Position| -> Vec<(f64, f64)> {
        results
            .batch_by_size
            .iter()
            .filter(|r| r.position == position && !r.ordered && r.lane_height == 20)
            .map(|r| (r.batch as f64, r.per_message().excluding_instance() as f64))
            .collect()
    };
    svg_chart(
        "Inbox: SDK gas per delivered message (lane of 2^20)",
        "messages per call",
        "SDK gas per message",
        &[
            ("deliver, unordered", deliver(false)),
            ("deliver, ordered", deliver(true)),
            ("deliver_batch, middle", batch(Position::Middle)),
            ("deliver_batch, newest", batch(Position::Newest)),
        ],
    )
}

pub fn checkpoint_chart(results: &Results) -> String {
    let series = |keys: &str| -> Vec<(f64, f64)> {
        results
            .checkpoint_by_signatures
            .iter()
            .filter(|r| r.keys == keys)
            .map(|r| (r.signatures as f64, r.call.gas.excluding_instance() as f64))
            .collect()
    };
    svg_chart(
        "Inbox submit_checkpoint: SDK gas against signatures",
        "signatures",
        "SDK gas (excl. instance)",
        &[
            ("secp256k1", series("secp256k1")),
            ("ed25519", series("ed25519")),
            ("mixed", series("mixed")),
        ],
    )
}

fn percent(model: i64, real: i64) -> String {
    format!("{:+.1}%", difference(model, real))
}

fn real_gas_section(w: &mut String, real: &RealGas) {
    if real.rows.is_empty() {
        return;
    }
    let ante = real.ante_fixed();
    let _ = writeln!(w, "\n## Gas on a real chain\n");
    let _ = writeln!(
        w,
        "Measured by `./scripts/real-gas-bench.sh` on {} (chain `{}`, a single-validator \
         localnet of its own, every transaction with a gas limit of {}): each call's \
         `gas_used` as the node reports it, next to `ccmp-devnet`'s model of the same call — \
         the same bytes run on a devnet twin of the node's chain with the same signer, code \
         ids and contract addresses. Written to `bench/real_gas.json`; `--check` renders it \
         but does not re-measure it.\n",
        real.node,
        real.chain_id,
        thousands(real.gas_limit)
    );
    let probe = |i: usize| {
        real.probes.get(i).map_or(String::from("-"), |p| {
            format!(
                "{} gas for {} bytes, fixed part {}",
                thousands(p.gas_used),
                p.tx_bytes,
                thousands(p.ante_fixed())
            )
        })
    };
    let _ = writeln!(
        w,
        "**The split.** A node's `gas_used` is one meter for the whole transaction. Its own \
         costs are {TX_SIZE_COST_PER_BYTE} gas per byte of the signed transaction (its length \
         as the node stores it) and the ante handler's fixed work, which is measured: a probe \
         transaction executes a contract that does not exist, so it runs the whole ante \
         handler, then the message router's circuit-breaker check and wasmd's one read of the \
         missing contract record ({} gas together), and fails with its gas reported. The \
         signer's first transaction also writes its public key to its account ({}); the \
         fixed part used is the second's ({}); a probe after the calls: {}. The contract's \
         part is `gas_used` less the transaction's costs. The model's transaction costs are \
         `ccmp_bench::tx`'s: the computed bytes × {TX_SIZE_COST_PER_BYTE} and the fixed work \
         ({}); its contract part is every contract call of the twin's transaction (receivers \
         included), or `Chain::store_code_gas` for a store. Δ is (model − real) / real.\n",
        thousands(crate::realgas::PROBE_MSG_GAS),
        probe(0),
        probe(1),
        probe(2),
        thousands(tx::ante_fixed_gas())
    );
    let _ = writeln!(
        w,
        "| call | tx bytes: real / model | tx bytes per message | tx costs: real / model | Δ | contract: real / model | Δ | total: real / model | Δ |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in &real.rows {
        let per_message = row
            .tx_bytes
            .checked_div(row.messages)
            .map_or_else(|| "-".into(), thousands);
        let real_contract = row.real_contract(ante);
        let _ = writeln!(
            w,
            "| {} | {} / {} | {} | {} / {} | {} | {} / {} | {} | {} / {} | {} |",
            row.call,
            thousands(row.tx_bytes),
            thousands(row.model_tx_bytes),
            per_message,
            thousands(row.real_tx(ante)),
            thousands(row.model_tx()),
            percent(row.model_tx() as i64, row.real_tx(ante) as i64),
            thousands(real_contract.max(0) as u64),
            thousands(row.model_contract),
            percent(row.model_contract as i64, real_contract),
            thousands(row.gas_used),
            thousands(row.model_total()),
            percent(row.model_total() as i64, row.gas_used as i64),
        );
    }
    real_gas_notes(w, real);
}

/// The differences above 1%, explained.
fn real_gas_notes(w: &mut String, real: &RealGas) {
    let ante = real.ante_fixed();
    let off = |model: i64, real: i64| difference(model, real).abs() > 1.0;
    let mut others = vec![];
    for row in &real.rows {
        let contract = off(row.model_contract as i64, row.real_contract(ante));
        let tx = off(row.model_tx() as i64, row.real_tx(ante) as i64);
        let total = off(row.model_total() as i64, row.gas_used as i64);
        if contract || tx || total {
            others.push(row.call.clone());
        }
    }
    let _ = writeln!(
        w,
        "\nEvery difference above 1%:\n\n\
         - **Transaction costs**: none. The computed transaction bytes are the node's exactly \
         (the envelope's assumptions — a 5-byte fee denom, a 3-byte sequence — are off by two \
         bytes each way on this chain, `ustakea` and sequences below 128, and cancel), and the \
         fixed part is the measured one."
    );
    if others.is_empty() {
        let _ = writeln!(
            w,
            "- **Contract part**: none. Every store code, instantiate and execute row is within 24 gas \
             of the node's (the chain's first code: its code id sequence read misses)."
        );
    } else {
        let _ = writeln!(
            w,
            "- **Not explained** (look into it): {}.",
            others.join(", ")
        );
    }
    let _ = writeln!(
        w,
        "\nWhat this measurement fixed in the model: `ccmp-devnet` did not charge wasmd's own \
         store work before a call (now `GasReport::keeper`): the message router's \
         circuit-breaker check (1,000 for every routed message: the transaction's and each \
         sub-message), the contract's and its code's records read (`contractInstance`, about \
         2,770) and the pinned-code check (1,000) — about 4,770 gas per execute, so a \
         `deliver_batch` of 50 was 240,000 under; storing code missed 11,459 of keeper work \
         (`STORE_CODE_KEEPER_GAS`); and the ante handler's fixed part was estimated at \
         32,820 (now the measured 48,642, `ccmp_bench::tx::ANTE_FIXED`). Instantiate was \
         39,664 to 170,554 under: wasmd's bookkeeping for a new contract, now \
         `ccmp_devnet::gas::NewContract` (in `GasReport::keeper`, store op by store op): the \
         instance-id sequence read and written, the contract-info existence check, the new \
         contract's account (a read that misses, the next account number read and written, \
         the old value read again by the index, the number index checked and written, the \
         account written), the code-id and creator secondary indexes, the contract history \
         entry — which holds the whole instantiate message, at 30 gas a byte, so the inbox \
         with 50 attesters (a 4 KB message) was furthest off — and the contract record. \
         What the model assumes there: no account at the new address yet (funds sent to it \
         before would make one), an account number below 128 (30 gas more per further \
         varint byte on a chain with more accounts) and the transaction first in its block \
         (wasmd takes the block gas used before it as the position's index)."
    );
}

fn proofs_section(w: &mut String, results: &Results) {
    let proofs = &results.proofs;
    if proofs.rows.is_empty() {
        return;
    }
    let _ = writeln!(w, "\n## The relayer's proofs off chain, by lane length\n");
    let _ = writeln!(
        w,
        "Measured by `./scripts/proof-bench.sh` (on {}, the optimised build): per lane size \
         (2^k − 1: the tree's right edge k subtrees deep, none of them stored whole, the \
         index's worst case), \
         what a relayer builds for every checkpoint (the root and the consistency proof \
         from {} messages back) and for every batch (the multiproof of the {} newest \
         messages), from the leaf list as the relayer did before and from the \
         `ccmp_types::SubtreeIndex` that `LaneFollower` keeps now (both answers checked \
         equal). From the leaves every proof hash is the root of its subtree's leaves, \
         O(n) hashes in all; the index stores the root of every complete aligned subtree \
         (2 hashes, 64 bytes, a message), so each proof hash is O(log n). Wall-clock \
         medians of five runs, written to `bench/proofs.json`; `--check` renders them but \
         does not re-measure them.\n",
        proofs.machine, proofs.batch, proofs.batch
    );
    let _ = writeln!(
        w,
        "| lane size | checkpoint, from leaves | checkpoint, from the index | batch multiproof, from leaves | batch multiproof, from the index | index append per message |"
    );
    let _ = writeln!(w, "|---:|---:|---:|---:|---:|---:|");
    let us = |v: f64| {
        if v >= 1000.0 {
            format!("{} ms", thousands_f(v / 1000.0))
        } else {
            format!("{v:.1} µs")
        }
    };
    for row in &proofs.rows {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {:.0} ns |",
            thousands(row.lane_size),
            us(row.checkpoint_leaves_us),
            us(row.checkpoint_index_us),
            us(row.batch_leaves_us),
            us(row.batch_index_us),
            row.append_ns
        );
    }
}

/// `v` with one decimal below 100 and none above, thousands separated.
fn thousands_f(v: f64) -> String {
    if v < 100.0 {
        format!("{v:.1}")
    } else {
        thousands(v.round() as u64)
    }
}

fn demo_section(w: &mut String, results: &Results) {
    let demo = &results.demo;
    if demo.runs.is_empty() {
        return;
    }
    let _ = writeln!(
        w,
        "\n## The bridge end to end: `ccmp demo` latency and throughput\n"
    );
    let _ = writeln!(
        w,
        "Measured by `./scripts/demo-bench.sh` (on {}), which runs `ccmp demo --queued`: two \
         embedded chains with {} ms blocks running the compiled contracts, three attesters \
         per source chain and a relayer each way, in one process. The pings are queued on \
         both chains before the relayers start; every delivered ping sends its pong on the \
         other lane, and lane a carries the demo's two special messages (one retried, one \
         timed out). Latency is from the close of a message's send block to the close of its \
         delivery block; throughput is messages delivered per second of wall time, from the \
         first send to the last delivery. The program is the optimised build \
         (`cargo build --profile native -p ccmp`). These are wall-clock figures of this \
         machine, written to `bench/demo.json`; `--check` renders them but does not \
         re-measure them.\n",
        demo.machine, demo.block_time_ms
    );
    let _ = writeln!(
        w,
        "| queued pings per chain | messages | wall s | delivered / s | a → b p50 / p99 | b → a p50 / p99 | `deliver_batch` txs | messages / tx | problems |"
    );
    let _ = writeln!(w, "|---:|---:|---:|---:|---|---|---:|---:|---:|");
    for run in &demo.runs {
        let s = &run.summary;
        let lane = |i: usize| {
            s.lanes.get(i).map_or(String::from("-"), |l| {
                format!(
                    "{} / {} blocks ({:.1} / {:.1} s)",
                    l.latency_blocks.p50,
                    l.latency_blocks.p99,
                    l.latency_seconds.p50,
                    l.latency_seconds.p99
                )
            })
        };
        let (txs, delivered) = s
            .gas
            .iter()
            .find(|g| g.operation == "deliver_batch")
            .map_or((0, 0), |g| (g.transactions, g.messages));
        let _ = writeln!(
            w,
            "| {} | {} | {:.1} | {:.0} | {} | {} | {} | {:.1} | {} |",
            thousands(run.pings),
            thousands(s.messages),
            s.wall_seconds,
            s.throughput,
            lane(0),
            lane(1),
            thousands(txs),
            delivered as f64 / txs.max(1) as f64,
            s.problems.len()
        );
    }
    let _ = writeln!(
        w,
        "\nA relayer has one transaction of a lane in flight at a time and waits for its \
         block, so a lane moves at most one `deliver_batch` a block: throughput is bounded \
         by messages per transaction times blocks per second per lane. Under a queue the \
         batches grow (up to the relayer's `batch.max_messages`, 100 by default, and what \
         simulation fits under its gas cap) and latency grows with the queue.\n"
    );
}
