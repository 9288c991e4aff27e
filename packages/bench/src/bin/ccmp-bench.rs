//! Regenerates `BENCHMARKS.md`, `bench/results.json` and the charts in `bench/` from the
//! compiled contracts (`scripts/build.sh` first). `--check` instead compares a fresh run
//! with the committed results and fails if any figure moved (beyond a tolerance only for
//! what the VM does not make deterministic: nothing, so far) or the rendering differs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ccmp_bench::measure::{
    attester_set, attester_set_bytes, signature_host_gas, Call, InboxBench, KeyMix, OutboxBench,
};
use ccmp_bench::realgas::RealGas;
use ccmp_bench::report::{
    checkpoint_chart, comparison, deliver_chart, markdown, whole_tx, BatchBreakdown, BatchRow,
    CheckpointRow, DeliverRow, DemoBench, Position, ProofBench, ResponseBytes, Results, SendRow,
    SizeItem, SizeReport, SizeRow, Target, SIZE_BUDGET,
};
use ccmp_bench::tree::SparseTree;
use ccmp_bench::{artifacts_dir, attesters, tx};
use ccmp_devnet_receiver::Mode;
use ccmp_inbox::msg::{DeliveryOutcome, DeliveryResult, ExecuteMsg as InboxMsg};
use ccmp_types::{leaf_hash, CcmpReceiveMsg};
use cosmwasm_std::{to_json_vec, Binary, Event, HexBinary, SubMsg};

const LANE_2_20: u64 = 1 << 20;

/// The targets' batch: 50 messages on a lane of 2^20.
const TARGET_BATCH: u64 = 50;
const TARGET_HEIGHT: u32 = 20;

fn root_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where cargo put the wasm release build (`scripts/build.sh` honours CARGO_TARGET_DIR).
fn release_dir() -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => root_dir().join("target"),
    };
    target.join("wasm32-unknown-unknown/release")
}

fn sizes() -> Vec<SizeRow> {
    ["outbox", "inbox", "pingpong"]
        .iter()
        .map(|name| {
            let file = format!("ccmp_{name}.wasm");
            let len = |path: &Path| {
                std::fs::metadata(path)
                    .unwrap_or_else(|err| panic!("{}: {err}; run scripts/build.sh", path.display()))
                    .len()
            };
            SizeRow {
                contract: format!("ccmp-{name}"),
                raw_bytes: len(&release_dir().join(&file)),
                optimized_bytes: len(&artifacts_dir().join(&file)),
                sha256: hex::encode(ccmp_types::sha256(&ccmp_bench::artifact(&file))),
            }
        })
        .collect()
}

/// What `scripts/size-report.sh` writes to `bench/inbox_size.json`.
#[derive(serde::Deserialize)]
struct TwiggyReport {
    sha256: String,
    optimized_bytes: u64,
    with_names_bytes: u64,
    top: Vec<TwiggyItem>,
}

#[derive(serde::Deserialize)]
struct TwiggyItem {
    name: String,
    shallow_size: u64,
}

/// A symbol without its hashes: the `::h…` suffix and the `[…]` crate disambiguators.
fn readable(name: &str) -> String {
    let is_hash = |s: &str| s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit());
    let mut out = String::new();
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        let (before, after) = rest.split_at(open);
        out.push_str(before);
        match after.get(1..17) {
            Some(hash) if is_hash(hash) && after.get(17..18) == Some("]") => {
                rest = &after[18..];
            }
            _ => {
                out.push('[');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    match out.rfind("::h") {
        Some(at) if is_hash(&out[at + 3..]) => out.truncate(at),
        _ => {}
    }
    out
}

/// The `ccmp demo` runs of `scripts/demo-bench.sh` (none if `bench/demo.json` is missing).
fn demo_bench() -> DemoBench {
    let path = root_dir().join("bench/demo.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return DemoBench::default();
    };
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// What `scripts/proof-bench.sh` measured (none if `bench/proofs.json` is missing).
fn proof_bench() -> ProofBench {
    let path = root_dir().join("bench/proofs.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return ProofBench::default();
    };
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// What `scripts/real-gas-bench.sh` measured on a wasmd node (none if `bench/real_gas.json`
/// is missing).
fn real_gas() -> RealGas {
    let path = root_dir().join("bench/real_gas.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return RealGas::default();
    };
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// The inbox's 15 largest items but names, from `bench/inbox_size.json` (empty if the
/// file is missing).
fn inbox_size() -> SizeReport {
    let path = root_dir().join("bench/inbox_size.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return SizeReport::default();
    };
    let report: TwiggyReport =
        serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    SizeReport {
        sha256: report.sha256,
        name_section_bytes: report.with_names_bytes - report.optimized_bytes,
        top: report
            .top
            .into_iter()
            .filter(|item| !item.name.ends_with("names\" subsection"))
            .take(15)
            .map(|item| SizeItem {
                name: readable(&item.name),
                bytes: item.shallow_size,
            })
            .collect(),
    }
}

fn send_by_lane() -> Vec<SendRow> {
    let mut rows = vec![];
    for k in [1u32, 2, 4, 8, 12, 16, 20] {
        for size in [(1u64 << k) - 1, 1 << k] {
            let call = OutboxBench::with_lane(size).send(100);
            rows.push(SendRow {
                lane_size: size,
                body_bytes: 100,
                call,
            });
        }
    }
    rows
}

fn send_by_body() -> Vec<SendRow> {
    [0usize, 100, 10 * 1024, 64 * 1024]
        .iter()
        .map(|&body| SendRow {
            lane_size: LANE_2_20,
            body_bytes: body as u64,
            call: OutboxBench::with_lane(LANE_2_20).send(body),
        })
        .collect()
}

fn send_amortized() -> (SendRow, u64) {
    let mut bench = OutboxBench::with_lane(LANE_2_20);
    let mut sum = Call::default();
    let mut max = 0;
    for _ in 0..1024 {
        let call = bench.send(100);
        let gas = call.gas;
        max = max.max(gas.excluding_instance());
        sum.gas.total += gas.total;
        sum.gas.instance += gas.instance;
        sum.gas.wasm += gas.wasm;
        sum.gas.storage += gas.storage;
        sum.gas.events += gas.events;
        sum.gas.deserialization += gas.deserialization;
        sum.gas.other += gas.other;
        sum.msg_bytes += call.msg_bytes;
        sum.tx_bytes += call.tx_bytes;
    }
    (
        SendRow {
            lane_size: LANE_2_20,
            body_bytes: 100,
            call: Call {
                gas: sum.gas.per(1024),
                msg_bytes: sum.msg_bytes / 1024,
                tx_bytes: sum.tx_bytes / 1024,
            },
        },
        max,
    )
}

fn checkpoint_by_signatures() -> Vec<CheckpointRow> {
    let mut rows = vec![];
    for mix in [KeyMix::Secp256k1, KeyMix::Ed25519, KeyMix::Mixed] {
        for n in [1u32, 4, 7, 13, 19, 31, 50] {
            let signers = attester_set(n, mix);
            let ed = (0..n)
                .filter(|i| {
                    matches!(
                        signers.set.attesters[*i as usize].pubkey,
                        ccmp_types::PubKey::Ed25519(_)
                    )
                })
                .count() as u64;
            let set_bytes = attester_set_bytes(&signers.set);
            let mut bench = InboxBench::new(signers, false);
            let call = bench.submit(1, &leaf_hash(b"first"), &[]);
            rows.push(CheckpointRow {
                keys: mix.name().into(),
                signatures: n as u64,
                proof_len: 0,
                set_bytes,
                signature_gas: signature_host_gas(n as u64 - ed, ed),
                call,
            });
        }
    }
    rows
}

fn checkpoint_by_proof() -> Vec<CheckpointRow> {
    let mut rows = vec![];
    for k in [1u32, 2, 4, 8, 12, 16, 20] {
        let signers = attesters(10);
        let set_bytes = attester_set_bytes(&signers.set);
        let ed = 2;
        let mut bench = InboxBench::new(signers, false);
        let tree = SparseTree::new(k, 0, vec![leaf_hash(b"first")]);
        bench.submit(1, &tree.first_leaf(), &[]);
        let call = bench.submit(tree.size(), &tree.root(), &tree.consistency_from_one());
        rows.push(CheckpointRow {
            keys: "mixed".into(),
            signatures: 3,
            proof_len: k as u64,
            set_bytes,
            signature_gas: signature_host_gas(1, ed),
            call,
        });
    }
    rows
}

/// A batch of `batch` messages from nonce `first` on a lane of 2^`height`.
fn deliver(ordered: bool, height: u32, batch: u64) -> DeliverRow {
    let mut bench = InboxBench::new(attesters(10), ordered);
    // Start mid-lane so the batch is not aligned to anything in particular.
    let first = ((1u64 << height) - batch) / 2;
    let items = bench.lane(height, first, batch);
    if ordered {
        bench.set_next_nonce(first);
    }
    DeliverRow {
        ordered,
        batch,
        proof_len: height as u64,
        call: bench.deliver(items),
    }
}

fn deliver_by_batch() -> Vec<DeliverRow> {
    let mut rows = vec![];
    for ordered in [false, true] {
        for batch in [1u64, 10, 50, ccmp_inbox::DEFAULT_MAX_BATCH_SIZE as u64] {
            rows.push(deliver(ordered, 20, batch));
        }
    }
    rows
}

fn deliver_by_proof() -> Vec<DeliverRow> {
    let mut rows = vec![];
    for ordered in [false, true] {
        for k in [0u32, 1, 2, 4, 8, 12, 16, 20] {
            rows.push(deliver(ordered, k, (1u64 << k).min(50)));
        }
    }
    rows
}

/// The first nonce of a batch of `batch` at `position` in a lane of 2^`height`.
fn batch_start(position: Position, height: u32, batch: u64) -> u64 {
    match position {
        Position::Newest => (1u64 << height) - batch,
        // As `deliver`'s rows: not aligned to anything in particular.
        Position::Middle => ((1u64 << height) - batch) / 2,
    }
}

fn proof_hashes(msg: &InboxMsg) -> u64 {
    match msg {
        InboxMsg::DeliverBatch { proof, .. } => proof.len() as u64 / 32,
        _ => unreachable!("a deliver_batch"),
    }
}

/// A `deliver_batch` of `batch` messages at `position` in a lane of 2^`height`; with
/// `again`, the same batch a second time (every message skipped) as well.
fn deliver_batch(
    position: Position,
    ordered: bool,
    height: u32,
    batch: u64,
    again: bool,
) -> (BatchRow, Option<Call>) {
    let mut bench = InboxBench::new(attesters(10), ordered);
    let first = batch_start(position, height, batch);
    let msg = bench.batch_lane(height, first, batch);
    if ordered {
        bench.set_next_nonce(first);
    }
    let (_, call) = bench.execute(&msg).expect("deliver_batch");
    let skipped = again.then(|| bench.execute(&msg).expect("deliver_batch again").1);
    let row = BatchRow {
        position,
        ordered,
        lane_height: height,
        batch,
        proof_hashes: proof_hashes(&msg),
        call,
    };
    (row, skipped)
}

fn batch_by_size() -> Vec<BatchRow> {
    let mut rows = vec![];
    for position in [Position::Newest, Position::Middle] {
        for height in [4u32, 8, 12, 16, 20] {
            for batch in [1u64, 10, 50, ccmp_inbox::DEFAULT_MAX_BATCH_SIZE as u64] {
                if batch <= 1 << height {
                    rows.push(deliver_batch(position, false, height, batch, false).0);
                }
            }
        }
    }
    for batch in [1u64, 10, 50, ccmp_inbox::DEFAULT_MAX_BATCH_SIZE as u64] {
        rows.push(deliver_batch(Position::Middle, true, TARGET_HEIGHT, batch, false).0);
    }
    rows
}

/// The bytes one dispatched message adds to `deliver_batch`'s response JSON, by part:
/// built here as the inbox builds them (same message, id, recipient, gas limit, payload
/// length and outcome).
fn response_bytes(bench: &InboxBench, nonce: u64) -> ResponseBytes {
    let message = bench.message(nonce);
    let id = message.message_id().expect("id");
    let sub_message = SubMsg::reply_on_error(
        CcmpReceiveMsg::new(&message, &id)
            .into_cosmos_msg(bench.receiver.to_string())
            .expect("cosmos msg"),
        1,
    )
    .with_gas_limit(ccmp_inbox::DEFAULT_RECEIVE_GAS_LIMIT)
    // nonce (8) || id (32) || source chain
    .with_payload(Binary::new(vec![0; 40 + message.source_chain.len()]));
    let event = Event::new("ccmp_deliver")
        .add_attribute("source_chain", &message.source_chain)
        .add_attribute("nonce", nonce.to_string())
        .add_attribute("message_id", HexBinary::from(&id).to_hex())
        .add_attribute("status", "delivered");
    let result = DeliveryResult {
        source_chain: message.source_chain.clone(),
        nonce,
        outcome: DeliveryOutcome::Dispatched,
    };
    let json_len = |bytes: Vec<u8>| bytes.len() as u64 + 1; // and its comma
    ResponseBytes {
        sub_message: json_len(to_json_vec(&sub_message).expect("json")),
        event: json_len(to_json_vec(&event).expect("json")),
        // The data is base64 in the response: 4 characters per 3 bytes.
        data: json_len(to_json_vec(&result).expect("json")) * 4 / 3,
    }
}

fn batch_breakdown() -> BatchBreakdown {
    let (row, skipped) = deliver_batch(Position::Middle, false, TARGET_HEIGHT, TARGET_BATCH, true);
    let bench = InboxBench::new(attesters(10), false);
    let nonce = batch_start(Position::Middle, TARGET_HEIGHT, TARGET_BATCH);
    BatchBreakdown {
        lane_height: TARGET_HEIGHT,
        batch: TARGET_BATCH,
        proof_hashes: row.proof_hashes,
        dispatched: row.call,
        skipped: skipped.expect("skipped"),
        response: response_bytes(&bench, nonce),
    }
}

fn retry() -> Call {
    let mut bench = InboxBench::new(attesters(10), false);
    let items = bench.lane(4, 3, 1);
    bench.set_receiver(Mode::Fail);
    bench.deliver(items.clone());
    bench.set_receiver(Mode::Accept);
    bench.retry(items[0].message.clone())
}

fn targets(results: &Results) -> Vec<Target> {
    let target = |name: &str, limit: u64, measured: u64| Target {
        name: name.into(),
        limit,
        measured,
        pass: measured <= limit,
    };
    let mut targets = vec![];
    targets.push(target(
        "outbox `send` (100 B), mean of 1,024 sends from 2^20, SDK gas excl. instance",
        18_000,
        results.send_amortized.call.gas.excluding_instance(),
    ));
    for ordered in [false, true] {
        let per = results
            .deliver_by_batch
            .iter()
            .find(|r| r.ordered == ordered && r.batch == 50)
            .map_or(0, |r| r.per_message().excluding_instance());
        targets.push(target(
            &format!(
                "inbox `deliver`, per message, batch of 50 on a lane of 2^20 ({})",
                if ordered { "ordered" } else { "unordered" }
            ),
            3_000,
            per,
        ));
    }
    // deliver_batch at the targets' batch and lane, 100-byte bodies, a no-op receiver.
    if let Some((_, middle, newest)) = comparison(results, TARGET_BATCH) {
        for row in [middle, newest] {
            let at = format!(
                "batch of {} on a lane of 2^{} ({})",
                row.batch,
                row.lane_height,
                row.position.name()
            );
            targets.push(target(
                &format!("inbox `deliver_batch`, contract gas per message, {at}"),
                1_600,
                row.per_message().excluding_instance(),
            ));
            targets.push(target(
                &format!("inbox `deliver_batch`, transaction bytes per message, {at}"),
                400,
                row.call.tx_bytes / row.batch,
            ));
            targets.push(target(
                &format!("inbox `deliver_batch`, whole-transaction gas per message, {at}"),
                6_000,
                whole_tx(&row.call) / row.batch,
            ));
        }
    }
    // Everything but signatures, against 20,000 plus the bytes of the attester set: the
    // worst margin over every row.
    let worst = results
        .checkpoint_by_signatures
        .iter()
        .chain(&results.checkpoint_by_proof)
        .max_by_key(|r| r.other_gas() as i64 - (20_000 + r.set_bytes) as i64);
    if let Some(row) = worst {
        targets.push(target(
            &format!(
                "inbox `submit_checkpoint`, all but signatures, worst row ({} {}, {}-hash proof): limit 20,000 + {} set bytes",
                row.signatures, row.keys, row.proof_len, row.set_bytes
            ),
            20_000 + row.set_bytes,
            row.other_gas(),
        ));
    }
    for size in &results.sizes {
        targets.push(target(
            &format!("{} optimised wasm (bytes)", size.contract),
            SIZE_BUDGET,
            size.optimized_bytes,
        ));
    }
    targets
}

fn run() -> Results {
    eprintln!("sizes");
    let sizes = sizes();
    eprintln!("outbox send by lane size");
    let send_by_lane = send_by_lane();
    eprintln!("outbox send by body size");
    let send_by_body = send_by_body();
    eprintln!("outbox send: 1,024 consecutive");
    let (send_amortized, send_amortized_max) = send_amortized();
    eprintln!("inbox submit_checkpoint by signatures");
    let checkpoint_by_signatures = checkpoint_by_signatures();
    eprintln!("inbox submit_checkpoint by proof length");
    let checkpoint_by_proof = checkpoint_by_proof();
    eprintln!("inbox deliver by batch size");
    let deliver_by_batch = deliver_by_batch();
    eprintln!("inbox deliver by proof length");
    let deliver_by_proof = deliver_by_proof();
    eprintln!("inbox deliver_batch by lane and batch size");
    let batch_by_size = batch_by_size();
    eprintln!("inbox deliver_batch: where the gas goes");
    let batch_breakdown = batch_breakdown();
    eprintln!("inbox retry");
    let retry = retry();
    let mut results = Results {
        sizes,
        inbox_size: inbox_size(),
        demo: demo_bench(),
        proofs: proof_bench(),
        real_gas: real_gas(),
        send_by_lane,
        send_by_body,
        send_amortized,
        send_amortized_max,
        checkpoint_by_signatures,
        checkpoint_by_proof,
        deliver_by_batch,
        deliver_by_proof,
        batch_by_size,
        batch_breakdown,
        retry,
        ante_fixed_gas: tx::ante_fixed_gas(),
        targets: vec![],
    };
    results.targets = targets(&results);
    results
}

fn outputs(results: &Results) -> Vec<(PathBuf, String)> {
    let root = root_dir();
    vec![
        (root.join("BENCHMARKS.md"), markdown(results)),
        (
            root.join("bench/results.json"),
            serde_json::to_string_pretty(results).expect("json") + "\n",
        ),
        (
            root.join("bench/deliver_by_batch.svg"),
            deliver_chart(results),
        ),
        (
            root.join("bench/checkpoint_by_signatures.svg"),
            checkpoint_chart(results),
        ),
    ]
}

/// Compares a fresh run with `bench/results.json`. The VM is deterministic, so for the same
/// wasm files (same SHA-256) every figure must be equal. If the build made different files
/// (another toolchain), figures may move a little: 2% is allowed then, and said.
fn check_against_committed(results: &Results) -> ExitCode {
    let root = root_dir();
    let committed_text =
        std::fs::read_to_string(root.join("bench/results.json")).unwrap_or_default();
    let Ok(committed) = serde_json::from_str::<Results>(&committed_text) else {
        eprintln!("bench/results.json is missing or unreadable: run scripts/bench.sh and commit");
        return ExitCode::FAILURE;
    };
    let same_wasm = committed
        .sizes
        .iter()
        .map(|s| &s.sha256)
        .eq(results.sizes.iter().map(|s| &s.sha256));
    let tolerance = if same_wasm { 0.0 } else { 0.02 };
    if !same_wasm {
        println!("the wasm files differ from the benchmarked ones: comparing with a 2% tolerance");
    }
    let mut differences = vec![];
    compare(
        "",
        &serde_json::to_value(&committed).expect("json"),
        &serde_json::to_value(results).expect("json"),
        tolerance,
        &mut differences,
    );
    // The committed report must be what the committed figures render to.
    for (path, rendered) in outputs(&committed) {
        if path.extension().is_some_and(|e| e == "json") {
            continue;
        }
        if std::fs::read_to_string(&path).unwrap_or_default() != rendered {
            differences.push(format!(
                "{} is not rendered from bench/results.json",
                path.display()
            ));
        }
    }
    if differences.is_empty() {
        println!("benchmark figures match the committed ones");
        return ExitCode::SUCCESS;
    }
    for d in &differences {
        eprintln!("{d}");
    }
    eprintln!("benchmark figures differ from the committed ones: run scripts/bench.sh and commit");
    ExitCode::FAILURE
}

fn compare(
    path: &str,
    committed: &serde_json::Value,
    fresh: &serde_json::Value,
    tolerance: f64,
    out: &mut Vec<String>,
) {
    use serde_json::Value;
    match (committed, fresh) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let sub = format!("{path}.{key}");
                match b.get(key) {
                    Some(other) => compare(&sub, value, other, tolerance, out),
                    None => out.push(format!("{sub}: missing in the fresh run")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(&format!("{path}[{i}]"), x, y, tolerance, out);
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
            if (x - y).abs() > x.abs() * tolerance {
                out.push(format!("{path}: committed {x}, measured {y}"));
            }
        }
        (Value::String(_), Value::String(_)) if tolerance > 0.0 && path.ends_with("sha256") => {}
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: committed {a}, measured {b}")),
    }
}

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let results = run();
    for t in &results.targets {
        println!(
            "{} {}: {} (limit {})",
            if t.pass { "PASS" } else { "FAIL" },
            t.name,
            t.measured,
            t.limit
        );
    }
    if check {
        return check_against_committed(&results);
    }
    std::fs::create_dir_all(root_dir().join("bench")).expect("bench dir");
    for (path, text) in outputs(&results) {
        std::fs::write(&path, text).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        println!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}
