//! Every artifact passes cosmwasm-vm 3's static checks with the capabilities of a stock
//! wasmd chain (`scripts/check-wasm.sh` runs the same check for cosmwasm-vm 2).

use std::path::PathBuf;

use ccmp_devnet::{Chain, ChainConfig};

#[test]
#[ignore = "needs artifacts from scripts/build.sh"]
fn every_artifact_passes_the_vm_checks_of_a_stock_chain() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../artifacts");
    let mut files: Vec<PathBuf> = ["", "test"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(dir.join(sub)).ok())
        .flat_map(|entries| entries.flatten().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no artifacts: run scripts/build.sh");
    let mut chain = Chain::new(ChainConfig::new("check", "wasm")).unwrap();
    for file in files {
        let wasm = std::fs::read(&file).unwrap();
        chain
            .store_code(&wasm)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
}
