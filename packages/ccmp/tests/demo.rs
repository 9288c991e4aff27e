//! `ccmp demo`'s input errors. (The demo end to end is run by hand for now — see the
//! README; an automated run under CI's load is left for the next step.)

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
