//! What a relayer's proofs cost it off chain as its lane grows, and writes
//! `bench/proofs.json` (rendered into BENCHMARKS.md by `ccmp-bench`). Run by
//! `scripts/proof-bench.sh` on the optimised build.
//!
//!   ccmp-proof-bench <out.json>
//!
//! Per lane size (2^k − 1, so that the right edge of the tree is k subtrees deep: the
//! index's worst case, where no node on it is a stored subtree), the two things a relayer builds for every checkpoint and every batch:
//! the checkpoint's root with its consistency proof from 50 messages back, and the
//! multiproof of a `deliver_batch` of the 50 newest messages. Each is built from the leaf
//! list (`ccmp_types::{root, consistency_proof, multiproof}`, what `LaneFollower` did
//! before it kept a `SubtreeIndex`) and from the `SubtreeIndex` that `LaneFollower` keeps,
//! and both answers are checked equal. Wall-clock microseconds, the median of five runs.

use std::process::ExitCode;
use std::time::Instant;

use ccmp_bench::report::{ProofBench, ProofRow};
use ccmp_types::{consistency_proof, leaf_hash, multiproof, root, Hash, SubtreeIndex};

const SIZES: [u32; 5] = [10, 14, 17, 20, 22];
const BATCH: u64 = 50;
const RUNS: usize = 5;

/// The median wall time of `RUNS` runs of `f`, in microseconds, and its last answer.
fn time<T>(mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let answer = std::hint::black_box(f());
        times.push(start.elapsed().as_secs_f64() * 1e6);
        last = Some(answer);
    }
    times.sort_by(f64::total_cmp);
    (times[RUNS / 2], last.expect("RUNS > 0"))
}

fn row(log2: u32) -> ProofRow {
    let size = (1u64 << log2) - 1;
    let leaves: Vec<Hash> = (0..size).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let start = Instant::now();
    let index = SubtreeIndex::from_leaves(&leaves).expect("within bounds");
    let append_ns = start.elapsed().as_secs_f64() * 1e9 / size as f64;
    let from = size - BATCH;
    let newest: Vec<u64> = (from..size).collect();

    let (checkpoint_leaves_us, by_leaves) = time(|| {
        (
            root(&leaves),
            consistency_proof(&leaves, from).expect("valid range"),
        )
    });
    let (checkpoint_index_us, by_index) = time(|| {
        (
            index.root(size).expect("held"),
            index.consistency_proof(size, from).expect("valid range"),
        )
    });
    assert_eq!(by_leaves, by_index, "checkpoint at {size}");
    let (batch_leaves_us, by_leaves) =
        time(|| multiproof(&newest, &leaves).expect("valid indices"));
    let (batch_index_us, by_index) =
        time(|| index.multiproof(size, &newest).expect("valid indices"));
    assert_eq!(by_leaves, by_index, "multiproof at {size}");
    ProofRow {
        lane_size: size,
        append_ns,
        checkpoint_leaves_us,
        checkpoint_index_us,
        batch_leaves_us,
        batch_index_us,
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [out] = args.as_slice() else {
        eprintln!("usage: ccmp-proof-bench <out.json>");
        return ExitCode::from(2);
    };
    let rows = SIZES
        .iter()
        .map(|&log2| {
            eprintln!("ccmp-proof-bench: lane of 2^{log2} - 1");
            row(log2)
        })
        .collect();
    let bench = ProofBench {
        machine: format!(
            "{} cores, {}",
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            std::env::consts::ARCH
        ),
        batch: BATCH,
        rows,
    };
    let text = serde_json::to_string_pretty(&bench).expect("json") + "\n";
    if let Err(err) = std::fs::write(out, text) {
        eprintln!("ccmp-proof-bench: {out}: {err}");
        return ExitCode::FAILURE;
    }
    eprintln!("ccmp-proof-bench: wrote {out}");
    ExitCode::SUCCESS
}
