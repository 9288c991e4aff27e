//! `ccmp deploy`, `status`, `attest` and `relay` through the built binary: their help, and
//! every start-up error as one line on standard error with exit code 1, never a panic (a
//! missing, malformed or unknown-field configuration, a missing or exposed key file, an
//! unreachable attester, the RPC backend this branch lacks); `attest sign-rotation`
//! offline end to end.

use std::path::Path;
use std::process::{Command, Output};

use ccmp_signer::AttesterKey;
use cosmwasm_std::Binary;

fn ccmp(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ccmp"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env_remove("CCMP_CONFIG")
        .output()
        .expect("the ccmp binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Exit 1 with exactly one line on standard error, `error: ` + something starting with
/// `expected`; returns that line.
fn fails(dir: &Path, args: &[&str], expected: &str) -> String {
    let output = ccmp(dir, args);
    let err = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err:?}");
    let line = err.trim_end().to_string();
    assert!(
        line.starts_with(&format!("error: {expected}")),
        "{args:?}: expected `error: {expected}…`, got {line}"
    );
    line
}

fn pubkey_toml(key: &AttesterKey) -> String {
    let pubkey = key.pubkey();
    format!(
        "{{ {} = \"{}\" }}",
        pubkey.key_type_name(),
        Binary::new(pubkey.bytes().to_vec()).to_base64()
    )
}

const ATTESTER_URL: &str = "http://127.0.0.1:9";

fn config() -> String {
    let a = AttesterKey::test_key(7, true);
    let b = AttesterKey::test_key(8, false);
    format!(
        r#"
[chains.ccmp-a]
rpc = "http://127.0.0.1:1"
prefix = "wasm"
fee_denom = "stake"
gas_price = 0.025
key_file = "account.json"

[chains.ccmp-b]
rpc = "http://127.0.0.1:26757"
prefix = "wasm"
fee_denom = "stake"
gas_price = 0.025
key_file = "account.json"

[deployment]
file = "deployment.json"

[[lanes]]
source = "ccmp-a"
destination = "ccmp-b"

[deploy]
wasm_dir = "artifacts"
[deploy.attesters.ccmp-a]
threshold = 1
attesters = [{{ pubkey = {a}, weight = 1 }}]
[deploy.attesters.ccmp-b]
threshold = 1
attesters = [{{ pubkey = {b}, weight = 1 }}]

[attester]
key_file = "attester.json"
store_dir = "store"
listen = "127.0.0.1:0"

[relayer]
[relayer.attesters]
ccmp-a = [{{ url = "{ATTESTER_URL}" }}]
"#,
        a = pubkey_toml(&a),
        b = pubkey_toml(&b),
    )
}

fn deployment_json() -> String {
    let contract = |address: &str| {
        format!(r#"{{"address": "{address}", "code_id": 1, "checksum": "00", "height": 3}}"#)
    };
    format!(
        r#"{{"chains": {{"ccmp-a": {{"outbox": {}, "inbox": {}, "pingpong": null}}, "ccmp-b": {{"outbox": {}, "inbox": {}, "pingpong": null}}}}}}"#,
        contract("outbox-a"),
        contract("inbox-a"),
        contract("outbox-b"),
        contract("inbox-b"),
    )
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ccmp.toml"), config()).unwrap();
    dir
}

fn write_key(dir: &Path, name: &str, key: &AttesterKey) {
    ccmp::keys::write_key_file(dir.join(name), key, true).unwrap();
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn every_command_has_help_that_says_what_it_does() {
    let dir = tempfile::tempdir().unwrap();
    for (args, expected) in [
        (vec!["deploy", "--help"], "Idempotent"),
        (vec!["status", "--help"], "--nonce"),
        (vec!["status", "lane", "--help"], "checkpointed"),
        (vec!["attest", "--help"], "until Ctrl-C or SIGTERM"),
        (vec!["attest", "sign-rotation", "--help"], "hand-over"),
        (vec!["relay", "--help"], "until Ctrl-C or SIGTERM"),
        (vec!["--help"], "--config"),
    ] {
        let output = ccmp(dir.path(), &args);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        let out = text(&output.stdout);
        assert!(out.contains(expected), "{args:?}: {out}");
    }
}

#[test]
fn configuration_errors_are_one_line_and_name_the_field() {
    let dir = setup();
    let path = dir.path().join("ccmp.toml");
    // No configuration file.
    fails(
        dir.path(),
        &["--config", "missing.toml", "deploy"],
        "missing.toml: cannot read the configuration:",
    );
    // Malformed TOML.
    std::fs::write(&path, config().replace("[deployment]", "[deployment")).unwrap();
    fails(dir.path(), &["deploy"], "ccmp.toml: line ");
    // An unknown field.
    std::fs::write(
        &path,
        config().replace("gas_price = 0.025\nkey_file", "gas_prize = 0.025\nkey_file"),
    )
    .unwrap();
    let line = fails(dir.path(), &["relay"], "ccmp.toml: line ");
    assert!(line.contains("unknown field `gas_prize`"), "{line}");
    // A wrong value, by its field.
    std::fs::write(
        &path,
        config().replace("http://127.0.0.1:1", "localhost:26657"),
    )
    .unwrap();
    fails(
        dir.path(),
        &[
            "status",
            "lane",
            "--source",
            "ccmp-a",
            "--destination",
            "ccmp-b",
        ],
        "chains.ccmp-a.rpc: \"localhost:26657\" is not a URL",
    );
    // CCMP_CONFIG names the file too.
    let output = Command::new(env!("CARGO_BIN_EXE_ccmp"))
        .args(["deploy"])
        .current_dir(dir.path())
        .env("CCMP_CONFIG", "elsewhere.toml")
        .output()
        .unwrap();
    assert!(text(&output.stderr).starts_with("error: elsewhere.toml: cannot read"));
}

#[test]
fn key_file_errors_stop_every_command_before_it_connects() {
    let dir = setup();
    // Paths relative to the configuration file's directory (here the current one).
    let account = dir.path().join("account.json");
    fails(
        dir.path(),
        &["deploy"],
        "chains.ccmp-a.key_file: cannot read key file account.json: No such file or directory",
    );
    write_key(dir.path(), "account.json", &AttesterKey::test_key(3, false));
    #[cfg(unix)]
    {
        for mode in [0o644, 0o640, 0o604] {
            chmod(&account, mode);
            fails(
                dir.path(),
                &["deploy"],
                &format!(
                    "chains.ccmp-a.key_file: key file {p} is readable by its group or other users (mode {mode:03o}): run `chmod 600 {p}`",
                    p = "account.json"
                ),
            );
        }
        chmod(&account, 0o600);
    }
    // An Ed25519 key is not an account key.
    write_key(dir.path(), "account.json", &AttesterKey::test_key(3, true));
    fails(dir.path(), &["deploy"], "chains.ccmp-a.key_file: ");
    // A good key: then the node, which is not there (port 1), said as such.
    write_key(dir.path(), "account.json", &AttesterKey::test_key(3, false));
    fails(
        dir.path(),
        &["deploy"],
        "chains.ccmp-a.rpc: http://127.0.0.1:1: chain \"ccmp-a\" unreachable: HTTP error: ",
    );
    // The attester's own key, checked before it connects.
    std::fs::write(dir.path().join("deployment.json"), deployment_json()).unwrap();
    fails(
        dir.path(),
        &["attest"],
        "attester.key_file: cannot read key file attester.json",
    );
}

#[test]
fn relay_refuses_to_start_without_a_deployment_or_with_an_unreachable_attester() {
    let dir = setup();
    write_key(dir.path(), "account.json", &AttesterKey::test_key(3, false));
    fails(
        dir.path(),
        &["relay"],
        "deployment.file: deployment.json does not exist: run `ccmp deploy` first",
    );
    std::fs::write(dir.path().join("deployment.json"), deployment_json()).unwrap();
    fails(
        dir.path(),
        &["relay"],
        &format!("relayer.attesters.ccmp-a[0].url: attester {ATTESTER_URL} is unreachable"),
    );
    // Without the check, the chains are next.
    std::fs::write(
        dir.path().join("ccmp.toml"),
        config().replace(
            "[relayer]\n",
            "[relayer]\ncheck_attesters_at_start = false\n",
        ),
    )
    .unwrap();
    fails(
        dir.path(),
        &["relay"],
        "chains.ccmp-a.rpc: http://127.0.0.1:1: chain \"ccmp-a\" unreachable",
    );
    fails(
        dir.path(),
        &["status"],
        "name the message: --source <chain> --nonce <n>",
    );
}

#[test]
fn sign_rotation_signs_offline_and_refuses_another_set_for_the_same_epoch() {
    let dir = setup();
    std::fs::write(dir.path().join("deployment.json"), deployment_json()).unwrap();
    let key = AttesterKey::test_key(7, true);
    write_key(dir.path(), "attester.json", &key);
    let set = |n: u32| {
        let next = AttesterKey::test_key(n, true);
        serde_json::json!({
            "attesters": [{"pubkey": next.pubkey(), "weight": 1}],
            "threshold": 1
        })
        .to_string()
    };
    std::fs::write(dir.path().join("set-1.json"), set(20)).unwrap();
    std::fs::write(dir.path().join("set-2.json"), set(21)).unwrap();
    let args = |file: &'static str| {
        vec![
            "attest",
            "sign-rotation",
            "--destination",
            "ccmp-b",
            "--epoch",
            "2",
            "--new-set",
            file,
        ]
    };
    let output = ccmp(dir.path(), &args("set-1.json"));
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let signed: ccmp_signer::api::SignedRotation = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (
            signed.source_chain.as_str(),
            signed.source_outbox.as_str(),
            signed.destination_chain.as_str(),
            signed.new_epoch
        ),
        ("ccmp-a", "outbox-a", "ccmp-b", 2)
    );
    // The same set again: the same signature.
    let again = ccmp(dir.path(), &args("set-1.json"));
    assert_eq!(again.stdout, output.stdout);
    // Another set for epoch 2: refused (the store recorded the first).
    fails(dir.path(), &args("set-2.json"), "sign-rotation: ");
    fails(
        dir.path(),
        &[
            "attest",
            "sign-rotation",
            "--destination",
            "ccmp-c",
            "--epoch",
            "2",
            "--new-set",
            "set-1.json",
        ],
        "--destination \"ccmp-c\"",
    );
}
