//! `ccmp keys`: attester and account key files, and their public parts.
//!
//! # The key file
//!
//! One JSON object, nothing else (unknown fields are refused):
//!
//! ```json
//! { "key_type": "secp256k1", "secret_hex": "<64 hex digits>" }
//! ```
//!
//! - `key_type` is `secp256k1` or `ed25519`;
//! - `secret_hex` is the 32-byte secret in hex: for secp256k1 the scalar (big-endian, non-zero
//!   and below the group order), for Ed25519 the seed (RFC 8032 private key).
//!
//! One reader, [`read_key_file`] (`ccmp_signer::keyfile`), serves `ccmp keys`, the attester
//! service and the chain connection; `ccmp keys generate` writes ([`write_key_file`]). A key file is written atomically (a temporary file in the
//! same directory, synced, then renamed or linked into place) with mode 0600, and on unix a
//! key file that its group or other users can read is refused when read. The secret is never
//! printed or logged: every output of this module is built from the public key alone.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use ccmp_signer::AttesterKey;
use ccmp_types::{sha256, Attester, PubKey};
use clap::{Args, Subcommand, ValueEnum};
use cosmwasm_std::Binary;
use ripemd::{Digest, Ripemd160};
use serde::{Deserialize, Serialize};

#[derive(Args, Debug)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Generates a new key from the operating system's random source, writes it to a key
    /// file (mode 0600, never over an existing file without --force) and prints its public
    /// key, account address and attester-set entry. The secret is never printed.
    Generate(GenerateArgs),
    /// Prints the public key, account address and attester-set entry of an existing key
    /// file. The secret is never printed.
    Show(ShowArgs),
}

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// The key's algorithm.
    #[arg(long = "type", value_enum)]
    pub key_type: KeyType,
    /// The key file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub output: PublicOutputArgs,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The key file to read.
    pub file: PathBuf,
    #[command(flatten)]
    pub output: PublicOutputArgs,
}

#[derive(Args, Debug, Clone)]
pub struct PublicOutputArgs {
    /// Bech32 prefix of the account address printed for a secp256k1 key.
    #[arg(long, default_value = "wasm")]
    pub prefix: String,
    /// Weight of the attester-set entry printed.
    #[arg(long, default_value_t = 1)]
    pub weight: u64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// A key file's `key_type`.
#[derive(ValueEnum, Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    Secp256k1,
    Ed25519,
}

impl KeyType {
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Secp256k1 => "secp256k1",
            KeyType::Ed25519 => "ed25519",
        }
    }

    #[cfg(test)]
    fn of(key: &AttesterKey) -> Self {
        match key {
            AttesterKey::Secp256k1(_) => KeyType::Secp256k1,
            AttesterKey::Ed25519(_) => KeyType::Ed25519,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

pub use ccmp_signer::keyfile::{read_key_file, secret_bytes, KeyFile, KeyFileError};

/// Writes `key` to `path` as a key file, atomically and with mode 0600 (on unix): the JSON
/// goes to a temporary file beside `path`, is synced, then linked into place (so an existing
/// file is never replaced unless `overwrite`) or, with `overwrite`, renamed over it.
pub fn write_key_file(
    path: impl AsRef<Path>,
    key: &AttesterKey,
    overwrite: bool,
) -> Result<(), KeyFileError> {
    let path = path.as_ref();
    let write_error = |error: io::Error| KeyFileError::Write {
        path: path.to_path_buf(),
        reason: error.to_string(),
    };
    if !overwrite && fs::symlink_metadata(path).is_ok() {
        return Err(KeyFileError::Exists {
            path: path.to_path_buf(),
        });
    }
    let file = KeyFile::of(key);
    let mut json = serde_json::to_string_pretty(&file)
        .map_err(|err| write_error(io::Error::other(err.to_string())))?;
    json.push('\n');

    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| write_error(io::Error::other("the path names no file")))?;
    let (temp_path, mut temp) = create_temp(&dir, &name.to_string_lossy()).map_err(write_error)?;
    let result = (|| {
        temp.write_all(json.as_bytes())?;
        temp.sync_all()?;
        drop(temp);
        if overwrite {
            fs::rename(&temp_path, path)
        } else {
            // A hard link fails if `path` exists, so a file created since the check above is
            // not replaced either.
            match fs::hard_link(&temp_path, path) {
                Ok(()) => fs::remove_file(&temp_path),
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Err(err),
                // A file system without hard links: the check above is the guard.
                Err(_) => fs::rename(&temp_path, path),
            }
        }
    })();
    if let Err(err) = result {
        let _ = fs::remove_file(&temp_path);
        return Err(if err.kind() == io::ErrorKind::AlreadyExists {
            KeyFileError::Exists {
                path: path.to_path_buf(),
            }
        } else {
            write_error(err)
        });
    }
    sync_dir(&dir);
    Ok(())
}

/// A new file beside the target, created exclusively with mode 0600.
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    for attempt in 0..16u32 {
        let mut nonce = [0u8; 8];
        getrandom::getrandom(&mut nonce).map_err(|err| io::Error::other(err.to_string()))?;
        let temp_path = dir.join(format!(
            ".{name}.{}-{attempt}-{}.tmp",
            std::process::id(),
            hex::encode(nonce)
        ));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&temp_path) {
            Ok(file) => return Ok((temp_path, file)),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        }
    }
    Err(io::Error::other("could not create a temporary file"))
}

/// Makes the rename durable; best effort (not every platform can open a directory).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// A new random key from the operating system's random source.
pub fn generate_key(key_type: KeyType) -> anyhow::Result<AttesterKey> {
    // A uniformly random 32-byte value is a valid secp256k1 scalar except with probability
    // about 2^-128; draw again in that case.
    for _ in 0..8 {
        let mut secret = [0u8; 32];
        getrandom::getrandom(&mut secret)
            .map_err(|err| anyhow::anyhow!("the operating system's random source failed: {err}"))?;
        let key = match key_type {
            KeyType::Secp256k1 => AttesterKey::secp256k1(&secret),
            KeyType::Ed25519 => AttesterKey::ed25519(&secret),
        };
        secret.fill(0);
        if let Ok(key) = key {
            return Ok(key);
        }
    }
    anyhow::bail!("the random source gave no valid {key_type} secret in 8 draws")
}

/// The Cosmos SDK account address of a secp256k1 public key: bech32 with `prefix` of
/// RIPEMD160(SHA256(compressed SEC1 key)).
pub fn account_address(compressed_pubkey: &[u8], prefix: &str) -> anyhow::Result<String> {
    anyhow::ensure!(
        compressed_pubkey.len() == 33,
        "an account address is made from a compressed secp256k1 key (33 bytes), got {} bytes",
        compressed_pubkey.len()
    );
    let hrp = bech32::Hrp::parse(prefix)
        .map_err(|err| anyhow::anyhow!("--prefix {prefix:?} is not a bech32 prefix: {err}"))?;
    let hash = Ripemd160::digest(sha256(compressed_pubkey));
    bech32::encode::<bech32::Bech32>(hrp, &hash)
        .map_err(|err| anyhow::anyhow!("--prefix {prefix:?} gives no bech32 address: {err}"))
}

/// What `ccmp keys` prints: the public key, made from nothing but the public key.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct PublicKeyInfo {
    pub key_type: KeyType,
    pub pubkey_hex: String,
    pub pubkey_base64: String,
    /// The account address, secp256k1 only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The entry of an attester set (PROTOCOL.md §4) for this key.
    pub attester: Attester,
}

impl PublicKeyInfo {
    pub fn new(pubkey: PubKey, prefix: &str, weight: u64) -> anyhow::Result<Self> {
        let bytes = pubkey.bytes().to_vec();
        let (key_type, address) = match &pubkey {
            PubKey::Secp256k1(_) => (KeyType::Secp256k1, Some(account_address(&bytes, prefix)?)),
            PubKey::Ed25519(_) => (KeyType::Ed25519, None),
        };
        Ok(PublicKeyInfo {
            key_type,
            pubkey_hex: hex::encode(&bytes),
            pubkey_base64: Binary::new(bytes).to_base64(),
            address,
            attester: Attester { pubkey, weight },
        })
    }

    pub fn of_key(key: &AttesterKey, prefix: &str, weight: u64) -> anyhow::Result<Self> {
        Self::new(key.pubkey(), prefix, weight)
    }

    /// The text form: one field per line, then the attester-set entry as JSON.
    pub fn to_text(&self, prefix: &str) -> anyhow::Result<String> {
        let mut out = format!(
            "key type:            {}\npublic key (hex):    {}\npublic key (base64): {}\n",
            self.key_type, self.pubkey_hex, self.pubkey_base64
        );
        if let Some(address) = &self.address {
            let label = format!("address ({prefix}):");
            out.push_str(&format!("{label:<21}{address}\n"));
        }
        out.push_str("attester entry:\n");
        out.push_str(&serde_json::to_string_pretty(&self.attester)?);
        out.push('\n');
        Ok(out)
    }

    pub fn render(&self, output: &PublicOutputArgs) -> anyhow::Result<String> {
        if output.json {
            let mut json = serde_json::to_string_pretty(self)?;
            json.push('\n');
            Ok(json)
        } else {
            self.to_text(&output.prefix)
        }
    }
}

/// `ccmp keys generate`: the text printed (public only), after writing the file.
pub fn generate(args: &GenerateArgs) -> anyhow::Result<String> {
    // Check the output options before creating anything.
    let key = generate_key(args.key_type)?;
    let info = PublicKeyInfo::of_key(&key, &args.output.prefix, args.output.weight)?;
    let rendered = info.render(&args.output)?;
    write_key_file(&args.out, &key, args.force)?;
    if args.output.json {
        Ok(rendered)
    } else {
        Ok(format!("wrote {}\n{rendered}", args.out.display()))
    }
}

/// `ccmp keys show`: the text printed (public only).
pub fn show(args: &ShowArgs) -> anyhow::Result<String> {
    let key = read_key_file(&args.file)?;
    PublicKeyInfo::of_key(&key, &args.output.prefix, args.output.weight)
        .and_then(|info| info.render(&args.output))
        .with_context(|| format!("key file {}", args.file.display()))
}

pub fn run(args: KeysArgs) -> anyhow::Result<()> {
    let out = match &args.command {
        KeysCommand::Generate(args) => generate(args)?,
        KeysCommand::Show(args) => show(args)?,
    };
    // Not `print!`, which panics when standard output is closed (`| head`).
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write to standard output")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory under the system's temporary directory, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let mut nonce = [0u8; 8];
            getrandom::getrandom(&mut nonce).unwrap();
            let dir = std::env::temp_dir().join(format!(
                "ccmp-keys-{name}-{}-{}",
                std::process::id(),
                hex::encode(nonce)
            ));
            fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        fn path(&self, name: &str) -> PathBuf {
            self.0.join(name)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn output(json: bool) -> PublicOutputArgs {
        PublicOutputArgs {
            prefix: "wasm".into(),
            weight: 1,
            json,
        }
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    fn set_mode(path: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    fn secret_hex_of(path: &Path) -> String {
        let file: KeyFile = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
        file.secret_hex.clone()
    }

    #[test]
    fn address_is_the_cosmos_sdk_rule() {
        // Secret 1: the generator point, whose HASH160 is 751e76e8…3bd6 (Bitcoin's best known
        // key); its bech32 under "cosmos" is the one every Cosmos SDK tool derives.
        let key = AttesterKey::secp256k1(&hex::decode("00".repeat(31) + "01").unwrap()).unwrap();
        let pubkey = key.pubkey();
        assert_eq!(
            hex::encode(pubkey.bytes()),
            "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
        );
        assert_eq!(
            account_address(pubkey.bytes(), "cosmos").unwrap(),
            "cosmos1w508d6qejxtdg4y5r3zarvary0c5xw7k6ah60c"
        );
        assert_eq!(
            account_address(pubkey.bytes(), "wasm").unwrap(),
            "wasm1w508d6qejxtdg4y5r3zarvary0c5xw7kspx0xn"
        );
        let err = account_address(pubkey.bytes(), "").unwrap_err().to_string();
        assert!(
            err.contains("--prefix \"\" is not a bech32 prefix"),
            "{err}"
        );
        let err = account_address(&[2; 65], "wasm").unwrap_err().to_string();
        assert!(err.contains("33 bytes), got 65 bytes"), "{err}");
    }

    #[test]
    fn public_output_of_the_vector_keys_matches_their_attester_entries() {
        let vectors: serde_json::Value =
            serde_json::from_str(include_str!("../../types/tests/data/vectors.json")).unwrap();
        let keys = &vectors["keys"];
        let attesters = vectors["attester_set"]["attesters"].as_array().unwrap();
        let secrets = keys["secp256k1_secret_hex"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| ("secp256k1", s))
            .chain(
                keys["ed25519_seed_hex"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| ("ed25519", s)),
            );
        for ((key_type, secret), attester) in secrets.zip(attesters) {
            let secret = secret.as_str().unwrap();
            let dir = TempDir::new("vector");
            let path = dir.path("key.json");
            fs::write(
                &path,
                format!(r#"{{"key_type": "{key_type}", "secret_hex": "{secret}"}}"#),
            )
            .unwrap();
            #[cfg(unix)]
            set_mode(&path, 0o600);
            let key = read_key_file(&path).unwrap();
            let info = PublicKeyInfo::of_key(&key, "wasm", 2).unwrap();
            assert_eq!(info.key_type.name(), attester["key_type"]);
            assert_eq!(info.pubkey_hex, attester["pubkey_hex"].as_str().unwrap());
            assert_eq!(info.address.is_some(), key_type == "secp256k1");
            let entry = serde_json::to_value(&info.attester).unwrap();
            assert_eq!(entry["weight"], 2);
            assert_eq!(
                entry["pubkey"][key_type],
                Binary::new(hex::decode(&info.pubkey_hex).unwrap()).to_base64()
            );
            for json in [false, true] {
                let printed = show(&ShowArgs {
                    file: path.clone(),
                    output: output(json),
                })
                .unwrap();
                assert!(printed.contains(&info.pubkey_hex), "{printed}");
                assert!(!printed.contains(secret), "the secret was printed");
            }
        }
    }

    #[test]
    fn generate_writes_a_private_file_and_prints_only_the_public_key() {
        let dir = TempDir::new("generate");
        for key_type in [KeyType::Secp256k1, KeyType::Ed25519] {
            for json in [false, true] {
                let path = dir.path(&format!("{key_type}-{json}.json"));
                let args = GenerateArgs {
                    key_type,
                    out: path.clone(),
                    force: false,
                    output: output(json),
                };
                let printed = generate(&args).unwrap();
                #[cfg(unix)]
                assert_eq!(mode(&path), 0o600);
                let secret = secret_hex_of(&path);
                assert_eq!(secret.len(), 64);
                assert!(!printed.contains(&secret), "the secret was printed");
                let secret_base64 = Binary::new(hex::decode(&secret).unwrap()).to_base64();
                assert!(!printed.contains(&secret_base64), "the secret was printed");
                let key = read_key_file(&path).unwrap();
                assert_eq!(KeyType::of(&key), key_type);
                let info = PublicKeyInfo::of_key(&key, "wasm", 1).unwrap();
                assert!(printed.contains(&info.pubkey_hex));
                assert!(printed.contains(&info.pubkey_base64));
                if json {
                    let value: serde_json::Value = serde_json::from_str(&printed).unwrap();
                    assert_eq!(value, serde_json::to_value(&info).unwrap());
                } else if let Some(address) = &info.address {
                    assert!(printed.contains(&format!("address (wasm):      {address}\n")));
                }
                // The key's Debug shows only the public key.
                assert!(!format!("{key:?}").contains(&secret));
            }
        }
        // No temporary file is left behind.
        let names: Vec<_> = fs::read_dir(&dir.0)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|name| !name.ends_with(".tmp")),
            "{names:?}"
        );
        assert_eq!(names.len(), 4);
    }

    #[test]
    fn two_generated_keys_differ() {
        let a = generate_key(KeyType::Secp256k1).unwrap();
        let b = generate_key(KeyType::Secp256k1).unwrap();
        assert_ne!(a.pubkey(), b.pubkey());
        let a = generate_key(KeyType::Ed25519).unwrap();
        let b = generate_key(KeyType::Ed25519).unwrap();
        assert_ne!(a.pubkey(), b.pubkey());
    }

    #[test]
    fn never_overwrites_without_force() {
        let dir = TempDir::new("overwrite");
        let path = dir.path("key.json");
        let first = AttesterKey::test_key(1, false);
        let second = AttesterKey::test_key(2, true);
        write_key_file(&path, &first, false).unwrap();
        let err = write_key_file(&path, &second, false).unwrap_err();
        assert!(matches!(err, KeyFileError::Exists { .. }));
        assert_eq!(
            err.to_string(),
            format!(
                "{} already exists: pass --force to overwrite it",
                path.display()
            )
        );
        assert_eq!(read_key_file(&path).unwrap().pubkey(), first.pubkey());

        let err = generate(&GenerateArgs {
            key_type: KeyType::Ed25519,
            out: path.clone(),
            force: false,
            output: output(false),
        })
        .unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(read_key_file(&path).unwrap().pubkey(), first.pubkey());

        write_key_file(&path, &second, true).unwrap();
        assert_eq!(read_key_file(&path).unwrap().pubkey(), second.pubkey());
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);
        assert_eq!(fs::read_dir(&dir.0).unwrap().count(), 1);
    }

    #[test]
    fn round_trips_both_key_types() {
        let dir = TempDir::new("round-trip");
        for (n, ed25519) in [(3, false), (4, true)] {
            let key = AttesterKey::test_key(n, ed25519);
            let path = dir.path(&format!("{n}.json"));
            write_key_file(&path, &key, false).unwrap();
            let back = read_key_file(&path).unwrap();
            assert_eq!(back.pubkey(), key.pubkey());
            assert_eq!(secret_bytes(&back), secret_bytes(&key));
            let digest = [9u8; 32];
            assert_eq!(back.sign(&digest), key.sign(&digest));
            let text = fs::read_to_string(&path).unwrap();
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                value["key_type"],
                if ed25519 { "ed25519" } else { "secp256k1" }
            );
            assert_eq!(value["secret_hex"], hex::encode(secret_bytes(&key)));
            assert_eq!(value.as_object().unwrap().len(), 2);
        }
        // A relative path in the current directory works too (no parent component).
        let relative = format!("ccmp-keys-relative-{}.json", std::process::id());
        write_key_file(&relative, &AttesterKey::test_key(5, false), false).unwrap();
        let read = read_key_file(&relative);
        let _ = fs::remove_file(&relative);
        assert!(read.is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_key_file_others_can_read() {
        let dir = TempDir::new("mode");
        let path = dir.path("key.json");
        write_key_file(&path, &AttesterKey::test_key(1, false), false).unwrap();
        for bad in [0o644, 0o640, 0o604, 0o660, 0o700 | 0o040] {
            set_mode(&path, bad);
            let err = read_key_file(&path).unwrap_err();
            assert!(matches!(err, KeyFileError::Permissions { mode, .. } if mode == bad));
            assert_eq!(
                err.to_string(),
                format!(
                    "key file {p} is readable by its group or other users (mode {bad:03o}): run `chmod 600 {p}`",
                    p = path.display()
                )
            );
        }
        for good in [0o600, 0o400, 0o700] {
            set_mode(&path, good);
            assert!(read_key_file(&path).is_ok(), "{good:o}");
        }
    }

    #[test]
    fn malformed_key_files_are_refused_with_the_reason() {
        let dir = TempDir::new("malformed");
        let path = dir.path("key.json");
        let zero = "00".repeat(32);
        let cases = [
            (
                r#"not json"#.to_string(),
                "not valid JSON (line 1, column 2)",
            ),
            (
                format!(r#"{{"key_type": "rsa", "secret_hex": "{zero}"}}"#),
                "key_type \"rsa\" is neither \"secp256k1\" nor \"ed25519\"",
            ),
            (
                r#"{"key_type": "ed25519", "secret_hex": 123456789}"#.to_string(),
                "a field has the wrong type (line 1, column",
            ),
            (
                r#"{"key_type": "ed25519", "#.to_string(),
                "the JSON ends early",
            ),
            (
                r#"{"key_type": "ed25519"}"#.to_string(),
                "missing field `secret_hex`",
            ),
            (
                format!(r#"{{"key_type": "ed25519", "secret_hex": "{zero}", "x": 1}}"#),
                "unknown field `x`",
            ),
            (
                r#"{"key_type": "ed25519", "secret_hex": "0011"}"#.to_string(),
                "secret_hex must be 64 hex digits, got 4 characters",
            ),
            (
                format!(
                    r#"{{"key_type": "ed25519", "secret_hex": "{}zz"}}"#,
                    "00".repeat(31)
                ),
                "secret_hex is not hex",
            ),
            (
                format!(r#"{{"key_type": "secp256k1", "secret_hex": "{zero}"}}"#),
                "secret is not a valid secp256k1 scalar",
            ),
            (
                format!(
                    r#"{{"key_type": "secp256k1", "secret_hex": "{}"}}"#,
                    "ff".repeat(32)
                ),
                "secret is not a valid secp256k1 scalar",
            ),
        ];
        for (text, expected) in cases {
            fs::write(&path, &text).unwrap();
            #[cfg(unix)]
            set_mode(&path, 0o600);
            let err = read_key_file(&path).unwrap_err().to_string();
            assert!(err.contains(expected), "{text}: {err}");
            assert!(err.contains(&path.display().to_string()), "{err}");
        }
        // An error never echoes the secret, even a malformed one.
        for text in [
            format!(
                r#"{{"key_type": "ed25519", "secret_hex": "{}zz"}}"#,
                "ab".repeat(31)
            ),
            format!(
                r#"{{"key_type": "ed25519", "secret_hex": ["{}"]}}"#,
                "ab".repeat(32)
            ),
            format!(
                r#"{{"key_type": "ed25519", "secret_hex": 1{}}}"#,
                "12".repeat(31)
            ),
        ] {
            fs::write(&path, text).unwrap();
            let err = read_key_file(&path).unwrap_err().to_string();
            assert!(!err.contains(&"ab".repeat(31)), "{err}");
            assert!(!err.contains(&"12".repeat(31)), "{err}");
        }
        // Whitespace around the secret is tolerated (as the attester service does).
        fs::write(
            &path,
            format!(
                r#"{{"key_type": "ed25519", "secret_hex": " {} "}}"#,
                "11".repeat(32)
            ),
        )
        .unwrap();
        assert!(read_key_file(&path).is_ok());
        let err = read_key_file(&dir.0).unwrap_err();
        assert!(matches!(err, KeyFileError::NotAFile { .. }), "{err}");

        fs::write(&path, " ".repeat(5000)).unwrap();
        let err = read_key_file(&path).unwrap_err();
        assert!(matches!(err, KeyFileError::TooLarge { .. }), "{err}");

        let missing = dir.path("missing.json");
        let err = read_key_file(&missing).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("cannot read key file {}: ", missing.display())),
            "{err}"
        );
    }
}
