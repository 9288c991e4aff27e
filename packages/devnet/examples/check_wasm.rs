//! Runs cosmwasm-vm 3's static checks, with a stock wasmd chain's capabilities, on each
//! file given: `cargo run -p ccmp-devnet --example check_wasm -- artifacts/*.wasm`.
//! Exits non-zero if any is refused.

use ccmp_devnet::{Chain, ChainConfig, STOCK_CAPABILITIES};

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: check_wasm FILE.wasm...");
        std::process::exit(2);
    }
    let mut chain = Chain::new(ChainConfig::new("check", "wasm")).expect("a chain");
    let mut failed = 0;
    for file in &files {
        let result = std::fs::read(file)
            .map_err(|e| e.to_string())
            .and_then(|wasm| chain.store_code(&wasm).map_err(|e| e.to_string()));
        match result {
            Ok(_) => println!("ok      cosmwasm-vm 3.0.10  {file}"),
            Err(e) => {
                failed += 1;
                println!("REFUSED cosmwasm-vm 3.0.10  {file}: {e}");
            }
        }
    }
    println!(
        "cosmwasm-vm 3.0.10: {} accepted, {failed} refused (capabilities: {})",
        files.len() - failed,
        STOCK_CAPABILITIES.join(",")
    );
    if failed > 0 {
        std::process::exit(1);
    }
}
