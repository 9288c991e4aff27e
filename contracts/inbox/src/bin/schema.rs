//! Writes the inbox's JSON schemas to `schema/inbox/` at the repository root
//! (`cargo run -p ccmp-inbox --bin ccmp-inbox-schema`).

use std::{env, fs, io, path::Path};

use ccmp_inbox::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use cosmwasm_schema::write_api;

fn main() -> io::Result<()> {
    let schema_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema");
    // write_api! always writes to `./schema`: run it in a staging folder, then move that
    // into place, so the repository holds one `schema/<contract>/` per contract.
    let staging = schema_root.join(".staging-inbox");
    let target = schema_root.join("inbox");
    fs::create_dir_all(&staging)?;
    env::set_current_dir(&staging)?;
    write_api! {
        name: "ccmp-inbox",
        instantiate: InstantiateMsg,
        execute: ExecuteMsg,
        query: QueryMsg,
        migrate: MigrateMsg,
    }
    match fs::remove_dir_all(&target) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
        _ => {}
    }
    fs::rename(staging.join("schema"), &target)?;
    fs::remove_dir_all(&staging)
}
