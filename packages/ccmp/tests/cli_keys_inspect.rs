//! `ccmp keys` and `ccmp inspect` through the built binary: one success and one failure per
//! subcommand, their exit codes and the exact text of their errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cosmwasm_std::Binary;
use serde_json::Value;

fn ccmp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ccmp"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("the ccmp binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Exit 0, nothing on standard error; returns standard output.
fn success(args: &[&str]) -> String {
    let output = ccmp(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}{}",
        stdout(&output),
        stderr(&output)
    );
    stdout(&output)
}

/// Exit `code`, no panic; returns standard error, which must contain `expected`.
fn failure(args: &[&str], code: i32, expected: &str) -> String {
    let output = ccmp(args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(code), "{args:?}: {err}");
    assert!(err.contains(expected), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    err
}

fn vectors() -> Value {
    serde_json::from_str(include_str!("../../types/tests/data/vectors.json")).unwrap()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir =
            std::env::temp_dir().join(format!("ccmp-cli-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn secret_of(path: &Path) -> String {
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    file["secret_hex"].as_str().unwrap().to_string()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn keys_generate_writes_a_private_file_and_prints_only_the_public_key() {
    let dir = TempDir::new("generate");
    let path = dir.path("attester.json");
    let path_str = path.to_str().unwrap();
    let output = ccmp(&["keys", "generate", "--type", "secp256k1", "--out", path_str]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (out, err) = (stdout(&output), stderr(&output));
    let secret = secret_of(&path);
    assert_eq!(secret.len(), 64);
    assert!(
        !out.contains(&secret) && !err.contains(&secret),
        "the secret was printed"
    );
    assert!(out.starts_with(&format!("wrote {path_str}\n")), "{out}");
    assert!(out.contains("key type:            secp256k1\n"), "{out}");
    assert!(out.contains("\naddress (wasm):      wasm1"), "{out}");
    assert!(out.contains("\"secp256k1\": \""), "{out}");
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);

    // Ed25519 with --json: no address, an attester entry of the given weight.
    let ed_path = dir.path("ed.json");
    let out = success(&[
        "keys",
        "generate",
        "--type",
        "ed25519",
        "--out",
        ed_path.to_str().unwrap(),
        "--json",
        "--weight",
        "3",
    ]);
    let value: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["key_type"], "ed25519");
    assert!(value.get("address").is_none());
    assert_eq!(value["attester"]["weight"], 3);
    assert_eq!(
        value["attester"]["pubkey"]["ed25519"],
        value["pubkey_base64"]
    );
    assert!(!out.contains(&secret_of(&ed_path)));
}

#[test]
fn keys_generate_refuses_to_overwrite_without_force() {
    let dir = TempDir::new("overwrite");
    let path = dir.path("key.json");
    let path_str = path.to_str().unwrap();
    success(&["keys", "generate", "--type", "ed25519", "--out", path_str]);
    let first = secret_of(&path);
    failure(
        &["keys", "generate", "--type", "ed25519", "--out", path_str],
        1,
        &format!("error: {path_str} already exists: pass --force to overwrite it"),
    );
    assert_eq!(secret_of(&path), first);
    success(&[
        "keys", "generate", "--type", "ed25519", "--out", path_str, "--force",
    ]);
    assert_ne!(secret_of(&path), first);
    failure(
        &["keys", "generate", "--type", "rsa", "--out", path_str],
        2,
        "invalid value 'rsa' for '--type <KEY_TYPE>'",
    );
}

#[test]
fn keys_show_prints_the_public_part_of_a_vector_key() {
    let dir = TempDir::new("show");
    let path = dir.path("key.json");
    let secret = "00000000000000000000000000000000000000000000000000000000000003e8";
    std::fs::write(
        &path,
        format!(r#"{{"key_type": "secp256k1", "secret_hex": "{secret}"}}"#),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let path_str = path.to_str().unwrap();
    let out = success(&["keys", "show", path_str, "--prefix", "cosmos", "--json"]);
    assert!(!out.contains(secret));
    let value: Value = serde_json::from_str(&out).unwrap();
    let expected = &vectors()["attester_set"]["attesters"][0];
    assert_eq!(value["pubkey_hex"], expected["pubkey_hex"]);
    assert!(value["address"].as_str().unwrap().starts_with("cosmos1"));
    assert_eq!(
        value["attester"],
        serde_json::json!({ "pubkey": { "secp256k1": value["pubkey_base64"] }, "weight": 1 })
    );

    failure(
        &["keys", "show", path_str, "--prefix", "Ab"],
        1,
        "--prefix \"Ab\" is not a bech32 prefix: hrp cannot mix upper and lower case",
    );
}

#[cfg(unix)]
#[test]
fn keys_show_refuses_a_key_file_others_can_read() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("mode");
    let path = dir.path("key.json");
    let path_str = path.to_str().unwrap();
    success(&["keys", "generate", "--type", "secp256k1", "--out", path_str]);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = failure(
        &["keys", "show", path_str],
        1,
        &format!(
            "error: key file {path_str} is readable by its group or other users (mode 644): run `chmod 600 {path_str}`"
        ),
    );
    assert!(!err.contains(&secret_of(&path)));
    let missing = dir.path("missing.json");
    let missing = missing.to_str().unwrap();
    failure(
        &["keys", "show", missing],
        1,
        // The cause once, not repeated by the error chain.
        &format!("error: cannot read key file {missing}: No such file or directory (os error 2)\n"),
    );
}

#[test]
fn inspect_message_decodes_vector_bytes_and_names_the_bad_field() {
    let vectors = vectors();
    let case = &vectors["messages"][1];
    let encoded = case["encoded_hex"].as_str().unwrap();
    let id = case["id_hex"].as_str().unwrap();
    let out = success(&["inspect", "message", encoded]);
    assert!(
        out.starts_with(&format!("message_id: {id}\nmessage_bytes: {encoded}\n")),
        "{out}"
    );
    let base64 = Binary::new(hex::decode(encoded).unwrap()).to_base64();
    let value: Value =
        serde_json::from_str(&success(&["inspect", "message", &base64, "--json"])).unwrap();
    assert_eq!(value["message_id"], id);
    assert_eq!(value["message"]["nonce"], 1);
    assert_eq!(value["message"]["timeout_timestamp"], "1700000000000000000");
    // The JSON printed is a Message that reads back to the same id.
    let json = value["message"].to_string();
    let out = success(&["inspect", "message", &json, "--format", "json"]);
    assert!(out.starts_with(&format!("message_id: {id}\n")), "{out}");

    failure(
        &["inspect", "message", &encoded[..encoded.len() - 2]],
        1,
        "error: message_bytes do not decode: input ends inside body: 10 bytes needed, 9 left",
    );
}

#[test]
fn inspect_checkpoint_digest() {
    let vectors = vectors();
    let checkpoint = &vectors["checkpoint"]["checkpoint"];
    let size = checkpoint["size"].to_string();
    let mut args = vec![
        "inspect",
        "checkpoint-digest",
        "--source-chain",
        checkpoint["source_chain"].as_str().unwrap(),
        "--source-outbox",
        checkpoint["source_outbox"].as_str().unwrap(),
        "--destination-chain",
        checkpoint["destination_chain"].as_str().unwrap(),
        "--size",
        &size,
        "--root",
        checkpoint["root_hex"].as_str().unwrap(),
    ];
    assert_eq!(
        success(&args),
        format!(
            "checkpoint_digest: {}\n",
            vectors["checkpoint"]["digest_hex"].as_str().unwrap()
        )
    );
    let last = args.len() - 1;
    args[last] = "00";
    failure(
        &args,
        1,
        "error: --root must be a 32-byte hash (64 hex digits), got 1 bytes",
    );
}

fn vector_set() -> Value {
    let vectors = vectors();
    let section = &vectors["attester_set"];
    let attesters: Vec<Value> = section["attesters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|attester| {
            let key = Binary::new(hex::decode(attester["pubkey_hex"].as_str().unwrap()).unwrap());
            serde_json::json!({
                "pubkey": { attester["key_type"].as_str().unwrap(): key.to_base64() },
                "weight": attester["weight"],
            })
        })
        .collect();
    serde_json::json!({ "attesters": attesters, "threshold": section["threshold"] })
}

#[test]
fn inspect_attester_set_digest_validates_the_set() {
    let vectors = vectors();
    let section = &vectors["attester_set"];
    let dir = TempDir::new("set");
    let file = dir.path("set.json");
    std::fs::write(&file, vector_set().to_string()).unwrap();
    let set_arg = format!("@{}", file.display());
    let lane = [
        "--source-chain",
        section["source_chain"].as_str().unwrap(),
        "--source-outbox",
        section["source_outbox"].as_str().unwrap(),
        "--destination-chain",
        section["destination_chain"].as_str().unwrap(),
        "--epoch",
        "2",
    ];
    let mut args = vec!["inspect", "attester-set-digest"];
    args.extend(lane);
    args.extend(["--set", &set_arg]);
    let out = success(&args);
    assert_eq!(
        out,
        format!(
            "attester_set_digest: {}\nepoch: 2\nattesters: 6\ntotal_weight: 9\nthreshold: 7\n",
            section["digest_hex"].as_str().unwrap()
        )
    );

    let mut zero_weight = vector_set();
    zero_weight["attesters"][4]["weight"] = 0.into();
    let zero_weight = zero_weight.to_string();
    let mut args = vec!["inspect", "attester-set-digest"];
    args.extend(lane);
    args.extend(["--set", &zero_weight]);
    let err = failure(
        &args,
        1,
        "error: invalid attester set: attester 4 has weight 0\n",
    );
    assert_eq!(ccmp(&args).stdout, b"");
    assert!(!err.contains("attester_set_digest"));
}

#[test]
fn inspect_verify_inclusion() {
    let vectors = vectors();
    let tree = &vectors["tree"];
    let leaves = strings(&tree["leaf_hashes_hex"]);
    let roots = strings(&tree["roots_hex"]);
    let case = tree["inclusion"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["size"] == 7 && case["index"] == 5)
        .unwrap();
    let proof = strings(&case["path_hex"]).join(",");
    let mut args = vec![
        "inspect",
        "verify-inclusion",
        "--leaf",
        &leaves[5],
        "--index",
        "5",
        "--size",
        "7",
        "--root",
        &roots[7],
        "--proof",
        &proof,
    ];
    assert_eq!(success(&args), "valid\n");
    args[9] = &roots[6];
    let output = ccmp(&args);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "error: invalid: proof does not lead to the expected root\n"
    );
    assert_eq!(stdout(&output), "");
    args.push("--json");
    let output = ccmp(&args);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "{\"valid\":false,\"error\":\"proof does not lead to the expected root\"}\n"
    );
}

#[test]
fn inspect_verify_consistency() {
    let vectors = vectors();
    let lane = &vectors["lane"];
    let proof = strings(&lane["consistency_from_4_hex"]).join(",");
    let mut args = vec![
        "inspect",
        "verify-consistency",
        "--first",
        "4",
        "--first-root",
        lane["root_at_4_hex"].as_str().unwrap(),
        "--second",
        "7",
        "--second-root",
        lane["checkpoint"]["root_hex"].as_str().unwrap(),
        "--proof",
        &proof,
        "--json",
    ];
    assert_eq!(success(&args), "{\"valid\":true}\n");
    args[3] = "5";
    failure(
        &args,
        1,
        "error: invalid: proof has 1 hashes, but a proof for these sizes has 4\n",
    );
}

#[test]
fn inspect_verify_multiproof() {
    let vectors = vectors();
    let lane = &vectors["lane"];
    let batch = &lane["checkpoint"];
    let ids = strings(&lane["ids_hex"]);
    let proof_hex = strings(&vectors["multiproof"]["lane_batch"]["proof_hex"]);
    let concatenated: Vec<u8> = proof_hex
        .iter()
        .flat_map(|h| hex::decode(h).unwrap())
        .collect();
    let base64 = Binary::new(concatenated).to_base64();
    assert_eq!(
        base64,
        vectors["multiproof"]["lane_batch"]["execute_msg"]["deliver_batch"]["proof"]
            .as_str()
            .unwrap()
    );
    let leaves = [1, 2, 3, 5]
        .iter()
        .map(|&i| ids[i].clone())
        .collect::<Vec<_>>()
        .join(",");
    let mut args = vec![
        "inspect",
        "verify-multiproof",
        "--size",
        "7",
        "--indices",
        "1,2,3,5",
        "--leaves",
        &leaves,
        "--root",
        batch["root_hex"].as_str().unwrap(),
        "--proof",
        &base64,
    ];
    assert_eq!(success(&args), "valid\n");
    let hex_list = proof_hex.join(",");
    args[11] = &hex_list;
    assert_eq!(success(&args), "valid\n");
    args[5] = "1,3,2,5";
    failure(
        &args,
        1,
        "error: invalid: index 2 at position 2 does not follow index 3: indices must be strictly increasing\n",
    );
    args[5] = "1,2,3,5";
    args[11] = "AAAA";
    failure(
        &args,
        1,
        "error: --proof is 3 bytes of base64, not a whole number of 32-byte hashes\n",
    );
}

#[test]
fn every_subcommand_explains_itself() {
    for (args, expected) in [
        (vec!["keys", "--help"], "Generates a new key"),
        (vec!["keys", "generate", "--help"], "mode 0600"),
        (vec!["keys", "show", "--help"], "existing key file"),
        (vec!["inspect", "--help"], "verify-multiproof"),
        (vec!["inspect", "message", "--help"], "message_bytes"),
        (
            vec!["inspect", "checkpoint-digest", "--help"],
            "checkpoint digest",
        ),
        (
            vec!["inspect", "attester-set-digest", "--help"],
            "total weight",
        ),
        (
            vec!["inspect", "verify-inclusion", "--help"],
            "inclusion proof",
        ),
        (
            vec!["inspect", "verify-consistency", "--help"],
            "consistency proof",
        ),
        (vec!["inspect", "verify-multiproof", "--help"], "multiproof"),
    ] {
        let out = success(&args);
        assert!(out.contains(expected), "{args:?}: {out}");
    }
    failure(
        &["inspect", "verify-inclusion", "--leaf", "00"],
        2,
        "the following required arguments were not provided",
    );
}
