//! The attester's key file.
//!
//! A JSON object, and nothing else in the file:
//!
//! ```json
//! { "key_type": "secp256k1", "secret_hex": "<64 hex digits>" }
//! ```
//!
//! `key_type` is `secp256k1` (the 32-byte secret scalar) or `ed25519` (the 32-byte seed).
//! On unix the file must not be accessible to other users (no bit of `o=rwx`, e.g. mode
//! 0600 or 0640): a key any local user can read is a key anyone may have signed with, so
//! loading refuses it instead of warning. Errors name the file but never quote its
//! content, and [`KeyFile`]'s `Debug`, like [`AttesterKey`]'s, leaves the secret out.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ccmp_signer::AttesterKey;
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum KeyFileError {
    #[error("key file {p} does not exist", p = .path.display())]
    Missing { path: PathBuf },
    #[error("key file {p}: cannot {action}: {reason}", p = .path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        reason: String,
    },
    #[error("key file {p} is not a regular file", p = .path.display())]
    NotAFile { path: PathBuf },
    #[error(
        "key file {p} is accessible to other users (mode {mode:04o}); \
         restrict it with `chmod 600 {p}`",
        p = .path.display()
    )]
    Exposed { path: PathBuf, mode: u32 },
    #[error(
        "key file {p} is not {{\"key_type\": \"secp256k1\" | \"ed25519\", \
         \"secret_hex\": \"<64 hex digits>\"}}: {reason}",
        p = .path.display()
    )]
    Format { path: PathBuf, reason: String },
    #[error("key file {p} already exists; not overwriting a key", p = .path.display())]
    Exists { path: PathBuf },
}

/// The key file's content. Its `Debug` never shows `secret_hex`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    pub key_type: String,
    pub secret_hex: String,
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyFile")
            .field("key_type", &self.key_type)
            .field("secret_hex", &"<redacted>")
            .finish()
    }
}

/// Overwrites a buffer that held a secret (best effort: the optimizer may not drop it).
fn wipe(mut bytes: Vec<u8>) {
    bytes.iter_mut().for_each(|b| *b = 0);
    std::hint::black_box(&bytes);
}

impl KeyFile {
    /// The key; errors say what is wrong without quoting the secret.
    pub fn key(&self) -> Result<AttesterKey, String> {
        let secret = self.secret_hex.trim();
        if secret.len() != 64 {
            return Err(format!(
                "secret_hex must be 64 hex digits (32 bytes), got {} characters",
                secret.len()
            ));
        }
        let bytes = hex::decode(secret).map_err(|_| "secret_hex is not hexadecimal".to_string())?;
        let key = match self.key_type.as_str() {
            "secp256k1" => AttesterKey::secp256k1(&bytes).map_err(|e| e.to_string()),
            "ed25519" => AttesterKey::ed25519(&bytes).map_err(|e| e.to_string()),
            other => Err(format!(
                "key_type {other:?} is neither \"secp256k1\" nor \"ed25519\""
            )),
        };
        wipe(bytes);
        key
    }
}

/// What a serde error may say without quoting a value (which could be the secret).
fn describe_json_error(err: &serde_json::Error) -> String {
    let message = err.to_string();
    if message.starts_with("missing field") || message.starts_with("unknown field") {
        return message;
    }
    let what = match err.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not valid JSON",
        serde_json::error::Category::Data => "a field has the wrong type",
        serde_json::error::Category::Eof => "the JSON ends early",
    };
    format!("{what} (line {}, column {})", err.line(), err.column())
}

#[cfg(unix)]
fn check_permissions(path: &Path, metadata: &fs::Metadata) -> Result<(), KeyFileError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & 0o007 != 0 {
        return Err(KeyFileError::Exposed {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &Path, _metadata: &fs::Metadata) -> Result<(), KeyFileError> {
    Ok(())
}

/// Loads the attester key from `path` (see the module's documentation for the format).
pub fn load_key(path: &Path) -> Result<AttesterKey, KeyFileError> {
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(KeyFileError::Missing {
                path: path.to_path_buf(),
            })
        }
        Err(err) => {
            return Err(KeyFileError::Io {
                path: path.to_path_buf(),
                action: "read its metadata",
                reason: err.to_string(),
            })
        }
    };
    if !metadata.is_file() {
        return Err(KeyFileError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    check_permissions(path, &metadata)?;
    let bytes = fs::read(path).map_err(|err| KeyFileError::Io {
        path: path.to_path_buf(),
        action: "read it",
        reason: err.to_string(),
    })?;
    let parsed = serde_json::from_slice::<KeyFile>(&bytes);
    wipe(bytes);
    let file = parsed.map_err(|err| KeyFileError::Format {
        path: path.to_path_buf(),
        reason: describe_json_error(&err),
    })?;
    let key = file.key().map_err(|reason| KeyFileError::Format {
        path: path.to_path_buf(),
        reason,
    });
    wipe(file.secret_hex.into_bytes());
    key
}

/// Writes a new key file readable by its owner only (mode 0600 on unix); refuses to
/// overwrite an existing file.
pub fn write_key_file(path: &Path, file: &KeyFile) -> Result<(), KeyFileError> {
    file.key().map_err(|reason| KeyFileError::Format {
        path: path.to_path_buf(),
        reason,
    })?;
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
            KeyFileError::Io {
                path: path.to_path_buf(),
                action: "create it",
                reason: err.to_string(),
            }
        }
    })?;
    let json = serde_json::to_vec_pretty(file).map_err(|err| KeyFileError::Io {
        path: path.to_path_buf(),
        action: "encode it",
        reason: err.to_string(),
    })?;
    let written = out.write_all(&json).and_then(|()| out.sync_all());
    wipe(json);
    written.map_err(|err| KeyFileError::Io {
        path: path.to_path_buf(),
        action: "write it",
        reason: err.to_string(),
    })?;
    crate::fsutil::sync_dir(path).map_err(|err| KeyFileError::Io {
        path: path.to_path_buf(),
        action: "sync its directory",
        reason: err.to_string(),
    })
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
        assert_eq!(err, KeyFileError::Missing { path: path.clone() });
        assert_eq!(
            err.to_string(),
            format!("key file {} does not exist", path.display())
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
    fn a_file_other_users_can_read_or_write_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.json");
        write_key_file(&path, &file("ed25519")).unwrap();
        for mode in [0o644, 0o604, 0o602, 0o601] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            let err = load_key(&path).unwrap_err();
            assert_eq!(
                err,
                KeyFileError::Exposed {
                    path: path.clone(),
                    mode
                }
            );
            assert!(err.to_string().contains("chmod 600"), "{err}");
        }
        // Owner and group only is accepted.
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        load_key(&path).unwrap();
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
                "not hexadecimal",
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
            assert!(matches!(err, KeyFileError::Format { .. }), "{err:?}");
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
