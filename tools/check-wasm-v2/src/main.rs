//! Runs cosmwasm-vm 2's static checks on each Wasm file given, with the capabilities of a
//! stock wasmd chain (up to `cosmwasm_2_2`): the same `check_wasm` the VM runs when code is
//! stored. Exits non-zero if any file is refused.
//!
//! `cargo run --release --locked --manifest-path tools/check-wasm-v2/Cargo.toml -- artifacts/*.wasm`

use std::collections::HashSet;

use cosmwasm_vm::internals::{check_wasm, Logger};
use cosmwasm_vm::WasmLimits;

const STOCK_CAPABILITIES: &[&str] = &[
    "iterator",
    "staking",
    "stargate",
    "cosmwasm_1_1",
    "cosmwasm_1_2",
    "cosmwasm_1_3",
    "cosmwasm_1_4",
    "cosmwasm_2_0",
    "cosmwasm_2_1",
    "cosmwasm_2_2",
];

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: check-wasm-v2 FILE.wasm...");
        std::process::exit(2);
    }
    let capabilities: HashSet<String> = STOCK_CAPABILITIES.iter().map(|c| c.to_string()).collect();
    let version = env!("COSMWASM_VM_VERSION");
    let mut failed = 0;
    for file in &files {
        let result = std::fs::read(file)
            .map_err(|e| e.to_string())
            .and_then(|wasm| {
                check_wasm(&wasm, &capabilities, &WasmLimits::default(), Logger::Off)
                    .map_err(|e| e.to_string())
            });
        match result {
            Ok(()) => println!("ok      cosmwasm-vm {version}  {file}"),
            Err(e) => {
                failed += 1;
                println!("REFUSED cosmwasm-vm {version}  {file}: {e}");
            }
        }
    }
    println!(
        "cosmwasm-vm {version}: {} accepted, {failed} refused (capabilities: {})",
        files.len() - failed,
        STOCK_CAPABILITIES.join(",")
    );
    if failed > 0 {
        std::process::exit(1);
    }
}
