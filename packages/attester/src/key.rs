//! The attester's key file: the format and the one reader of `ccmp_signer::keyfile`
//! (shared with `ccmp keys` and the chain connection of `ccmp`).
//!
//! ```json
//! { "key_type": "secp256k1", "secret_hex": "<64 hex digits>" }
//! ```
//!
//! `key_type` is `secp256k1` (the 32-byte secret scalar) or `ed25519` (the 32-byte seed).
//! On unix the file must not be accessible to its group or other users (no bit of
//! `0o077`: mode 0600 or 0400): a key others can read is a key others may have signed
//! with, so loading refuses it instead of warning. Errors name the file but never quote
//! its content, and [`KeyFile`]'s `Debug`, like [`AttesterKey`]'s, leaves the secret out.

use std::fs;
use std::io::Write;
use std::path::Path;

pub use ccmp_signer::keyfile::{KeyFile, KeyFileError};
use ccmp_signer::AttesterKey;

/// Loads the attester key from `path` (see the module's documentation for the format).
pub fn load_key(path: &Path) -> Result<AttesterKey, KeyFileError> {
    ccmp_signer::keyfile::read_key_file(path)
}

/// Writes a new key file readable by its owner only (mode 0600 on unix); refuses to
/// overwrite an existing file.
pub fn write_key_file(path: &Path, file: &KeyFile) -> Result<(), KeyFileError> {
    file.key(path)?;
    let write_error = |reason: String| KeyFileError::Write {
        path: path.to_path_buf(),
        reason,
    };
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut out = options.open(path).map_err(|err| {
        if err.kind() == std::io::ErrorKind::AlreadyExists {
            KeyFileError::Exists {
                path: path.to_path_buf(),
            }
        } else {
            write_error(format!("cannot create it: {err}"))
        }
    })?;
    let mut json = serde_json::to_vec_pretty(file)
        .map_err(|err| write_error(format!("cannot encode it: {err}")))?;
    let written = out.write_all(&json).and_then(|()| out.sync_all());
    json.fill(0);
    std::hint::black_box(&json);
    written.map_err(|err| write_error(err.to_string()))?;
    crate::fsutil::sync_dir(path)
        .map_err(|err| write_error(format!("cannot sync its directory: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "5e00000000000000000000000000000000000000000000000000000000000007";

    fn file(key_type: &str) -> KeyFile {
        KeyFile {
            key_type: key_type.into(),
            secret_hex: SECRET.into(),
        }
    }

    #[test]
    fn loads_both_key_types_from_private_files() {
        let dir = tempfile::tempdir().unwrap();
        for key_type in ["secp256k1", "ed25519"] {
            let path = dir.path().join(format!("{key_type}.json"));
            write_key_file(&path, &file(key_type)).unwrap();
            let key = load_key(&path).unwrap();
            assert_eq!(key.pubkey().key_type_name(), key_type);
            let expected = AttesterKey::from_spec(&format!("{key_type}:{SECRET}")).unwrap();
            assert_eq!(key.pubkey(), expected.pubkey());
            // Neither the key nor the file's Debug shows the secret.
            assert!(!format!("{key:?}").contains(SECRET));
            assert!(!format!("{:?}", file(key_type)).contains(SECRET));
            assert_eq!(
                write_key_file(&path, &file(key_type)).unwrap_err(),
                KeyFileError::Exists { path: path.clone() }
            );
        }
    }

    #[test]
    fn a_missing_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope.json");
        let err = load_key(&path).unwrap_err();
        assert!(err.is_missing(), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "cannot read key file {}: No such file or directory (os error 2)",
                path.display()
            )
        );
        assert_eq!(
            load_key(dir.path()).unwrap_err(),
            KeyFileError::NotAFile {
                path: dir.path().to_path_buf()
            }
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_file_its_group_or_other_users_can_access_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.json");
        write_key_file(&path, &file("ed25519")).unwrap();
        for mode in [0o644, 0o640, 0o620, 0o610, 0o604, 0o602, 0o601] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            let err = load_key(&path).unwrap_err();
            assert_eq!(
                err,
                KeyFileError::Permissions {
                    path: path.clone(),
                    mode
                }
            );
            assert!(err.to_string().contains("chmod 600"), "{err}");
        }
        // The owner only (the one rule of `ccmp_signer::keyfile`, as `ccmp keys` reads).
        for mode in [0o600, 0o400] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            load_key(&path).unwrap();
        }
    }

    #[test]
    fn malformed_files_are_refused_without_quoting_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (
                format!(
                    "{{\"key_type\": \"secp256k1\", \"secret_hex\": {}}}",
                    "1".repeat(64)
                ),
                "wrong type",
            ),
            (
                format!(
                    "{{\"key_type\": \"secp256k1\", \"secret_hex\": \"{}\"",
                    SECRET
                ),
                "ends early",
            ),
            (
                format!(
                    "{{\"key_type\": \"secp256k1\", \"secret_hex\": \"{}zz\"}}",
                    &SECRET[..62]
                ),
                "not hex",
            ),
            (
                format!(
                    "{{\"key_type\": \"secp256k1\", \"secret_hex\": \"{}\"}}",
                    &SECRET[..60]
                ),
                "64 hex digits",
            ),
            (
                format!("{{\"key_type\": \"rsa\", \"secret_hex\": \"{SECRET}\"}}"),
                "\"rsa\"",
            ),
            (
                format!(
                    "{{\"key_type\": \"secp256k1\", \"secret_hex\": \"{}\"}}",
                    "00".repeat(32)
                ),
                "not a valid secp256k1 scalar",
            ),
            (
                "{\"key_type\": \"ed25519\"}".to_string(),
                "missing field `secret_hex`",
            ),
            (
                format!("{{\"key_type\": \"ed25519\", \"secret_hex\": \"{SECRET}\", \"x\": 1}}"),
                "unknown field `x`",
            ),
            (format!("ed25519:{SECRET}"), "not valid JSON"),
        ];
        for (n, (content, expected)) in cases.iter().enumerate() {
            let path = dir.path().join(format!("{n}.json"));
            let mut options = fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            options
                .open(&path)
                .unwrap()
                .write_all(content.as_bytes())
                .unwrap();
            let err = load_key(&path).unwrap_err();
            assert!(
                matches!(err, KeyFileError::Format { .. } | KeyFileError::Key { .. }),
                "{err:?}"
            );
            let text = err.to_string();
            assert!(text.contains(expected), "{n}: {text}");
            assert!(
                !text.contains(&SECRET[2..]),
                "{n}: the secret leaked: {text}"
            );
            assert!(
                !text.contains(&"1".repeat(64)),
                "{n}: the secret leaked: {text}"
            );
        }
    }
}
