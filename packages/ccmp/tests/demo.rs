//! `ccmp demo`: its input errors, and the demo end to end on the compiled contracts.

use std::path::PathBuf;

use ccmp::demo::{run_demo, DemoArgs};

#[test]
fn a_missing_wasm_dir_is_a_clear_error() {
    let args = DemoArgs {
        wasm_dir: PathBuf::from("/nonexistent/ccmp-wasm"),
        ..DemoArgs::default()
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let err = runtime.block_on(run_demo(&args)).expect_err("an error");
    let text = format!("{err:#}");
    assert!(
        text.contains("cannot read /nonexistent/ccmp-wasm/ccmp_outbox.wasm (build the contracts with ./scripts/build.sh"),
        "{text}"
    );
}

/// The demo end to end on two embedded chains running the compiled contracts: both lanes,
/// the failing receiver's message retried, the timed-out one, every message final exactly
/// once with its expected status (`run_demo` reports any deviation as a problem).
#[test]
#[ignore = "needs artifacts/ from scripts/build.sh"]
fn the_demo_runs_green_on_embedded_chains() {
    let wasm_dir = match std::env::var_os("CCMP_ARTIFACTS_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../artifacts"),
    };
    let args = DemoArgs {
        pings: 12,
        pings_per_tx: 4,
        block_time_ms: 100,
        timeout_secs: 180,
        wasm_dir,
        ..DemoArgs::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let summary = runtime.block_on(run_demo(&args)).expect("the demo runs");
    assert!(summary.ok(), "{:?}", summary.problems);
    // Lane a -> b: the two special messages, 12 pings from a, 12 pongs answering b's.
    let counts: Vec<_> = summary
        .lanes
        .iter()
        .map(|l| {
            (
                l.source_chain.as_str(),
                l.sent,
                l.delivered,
                l.failed,
                l.timed_out,
                l.pending,
                l.retried,
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![
            ("chain-a", 26, 25, 0, 1, 0, 1),
            ("chain-b", 24, 24, 0, 0, 0, 0),
        ]
    );
    assert_eq!(summary.messages, 50);
    assert!(
        summary
            .gas
            .iter()
            .any(|g| g.operation.contains("deliver_batch") && g.messages > 0),
        "{:?}",
        summary.gas
    );
}
