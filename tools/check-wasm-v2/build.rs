// Names the cosmwasm-vm version in the report, read from the lock file.
fn main() {
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"cosmwasm-vm\""))
        .and_then(|p| p.lines().find(|l| l.starts_with("version = ")))
        .map(|l| {
            l.trim_start_matches("version = ")
                .trim_matches('"')
                .to_string()
        })
        .unwrap_or_else(|| "2.x".to_string());
    println!("cargo:rustc-env=COSMWASM_VM_VERSION={version}");
    println!("cargo:rerun-if-changed=Cargo.lock");
}
