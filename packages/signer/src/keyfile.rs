//! The key file: the one reader of attester and account keys, used by `ccmp keys`, the
//! attester service and the chain connection of `ccmp`.
//!
//! One JSON object, nothing else (unknown fields are refused):
//!
//! ```json
//! { "key_type": "secp256k1", "secret_hex": "<64 hex digits>" }
//! ```
//!
//! - `key_type` is `secp256k1` or `ed25519`;
//! - `secret_hex` is the 32-byte secret in hex: for secp256k1 the scalar (big-endian,
//!   non-zero and below the group order), for Ed25519 the seed (RFC 8032 private key).
//!
//! On unix a key file with any permission bit for its group or other users (`0o077`) is
//! refused, naming the path and the `chmod` that fixes it: a key others can read is a key
//! others may have signed with. Errors name the file but never quote its content.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{AttesterKey, KeyError};

/// A key file larger than this is not a key file (it is refused before parsing).
pub const MAX_KEY_FILE_BYTES: u64 = 4096;

/// The permission bits a key file must not have (group and other).
pub const FORBIDDEN_MODE_BITS: u32 = 0o077;

/// Why a key file could not be read or written. Every variant names the file.
#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum KeyFileError {
    #[error("cannot read key file {}: {reason}", path.display())]
    Read {
        path: PathBuf,
        kind: io::ErrorKind,
        reason: String,
    },
    #[error(
        "key file {} is readable by its group or other users (mode {mode:03o}): run `chmod 600 {}`",
        path.display(),
        path.display()
    )]
    Permissions { path: PathBuf, mode: u32 },
    #[error("key file {} is not a regular file", path.display())]
    NotAFile { path: PathBuf },
    #[error("key file {} is larger than {max} bytes: not a key file", path.display())]
    TooLarge { path: PathBuf, max: u64 },
    #[error(
        "key file {} is not {{\"key_type\": \"secp256k1\"|\"ed25519\", \"secret_hex\": \"<64 hex digits>\"}}: {reason}",
        path.display()
    )]
    Format { path: PathBuf, reason: String },
    #[error("key file {}: {error}", path.display())]
    Key { path: PathBuf, error: KeyError },
    #[error("{} already exists: pass --force to overwrite it", path.display())]
    Exists { path: PathBuf },
    #[error("cannot write key file {}: {reason}", path.display())]
    Write { path: PathBuf, reason: String },
}

impl KeyFileError {
    /// Whether the file does not exist.
    pub fn is_missing(&self) -> bool {
        matches!(self, KeyFileError::Read { kind, .. } if *kind == io::ErrorKind::NotFound)
    }
}

/// The key file's JSON. Its `Debug` never shows `secret_hex`.
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

impl KeyFile {
    /// The file's content for `key`.
    pub fn of(key: &AttesterKey) -> KeyFile {
        let mut secret = secret_bytes(key);
        let file = KeyFile {
            key_type: key.pubkey().key_type_name().to_string(),
            secret_hex: hex::encode(secret),
        };
        secret.fill(0);
        file
    }

    /// The key; errors say what is wrong without quoting the secret.
    pub fn key(&self, path: &Path) -> Result<AttesterKey, KeyFileError> {
        let format_error = |reason: String| KeyFileError::Format {
            path: path.to_path_buf(),
            reason,
        };
        let ed25519 = match self.key_type.as_str() {
            "secp256k1" => false,
            "ed25519" => true,
            other => {
                return Err(format_error(format!(
                    "key_type {other:?} is neither \"secp256k1\" nor \"ed25519\""
                )))
            }
        };
        let secret_hex = self.secret_hex.trim();
        if secret_hex.len() != 64 {
            return Err(format_error(format!(
                "secret_hex must be 64 hex digits, got {} characters",
                secret_hex.len()
            )));
        }
        let mut secret = hex::decode(secret_hex)
            .map_err(|_| format_error("secret_hex is not hex".to_string()))?;
        let key = if ed25519 {
            AttesterKey::ed25519(&secret)
        } else {
            AttesterKey::secp256k1(&secret)
        };
        // Best effort: the decoded secret does not outlive the key made from it.
        secret.fill(0);
        std::hint::black_box(&secret);
        key.map_err(|error| KeyFileError::Key {
            path: path.to_path_buf(),
            error,
        })
    }
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        // Best effort: the hex secret does not outlive the file's content.
        let mut bytes = std::mem::take(&mut self.secret_hex).into_bytes();
        bytes.fill(0);
        std::hint::black_box(&bytes);
    }
}

/// The 32 secret bytes of a key, as the key file holds them (for a chain account key:
/// what signs its transactions).
pub fn secret_bytes(key: &AttesterKey) -> [u8; 32] {
    match key {
        AttesterKey::Secp256k1(key) => key.to_bytes().into(),
        AttesterKey::Ed25519(key) => {
            let mut seed = [0u8; 32];
            seed.copy_from_slice(key.as_ref());
            seed
        }
    }
}

/// Reads a key file (format in the module documentation). The checks are made on the
/// opened file, so the file checked is the file read; a FIFO or a device is refused before
/// it is opened (which could block).
pub fn read_key_file(path: impl AsRef<Path>) -> Result<AttesterKey, KeyFileError> {
    let path = path.as_ref();
    let read_error = |error: io::Error| KeyFileError::Read {
        path: path.to_path_buf(),
        kind: error.kind(),
        reason: error.to_string(),
    };
    if fs::metadata(path).is_ok_and(|metadata| !metadata.is_file()) {
        return Err(KeyFileError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let file = File::open(path).map_err(read_error)?;
    let metadata = file.metadata().map_err(read_error)?;
    if !metadata.is_file() {
        return Err(KeyFileError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    check_permissions(path, &metadata)?;
    if metadata.len() > MAX_KEY_FILE_BYTES {
        return Err(KeyFileError::TooLarge {
            path: path.to_path_buf(),
            max: MAX_KEY_FILE_BYTES,
        });
    }
    let mut text = String::new();
    let read = file
        .take(MAX_KEY_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(read_error);
    let parsed = read.and_then(|_| {
        serde_json::from_str::<KeyFile>(&text).map_err(|err| KeyFileError::Format {
            path: path.to_path_buf(),
            reason: describe_json_error(&err),
        })
    });
    let mut bytes = text.into_bytes();
    bytes.fill(0);
    std::hint::black_box(&bytes);
    parsed?.key(path)
}

#[cfg(unix)]
fn check_permissions(path: &Path, metadata: &fs::Metadata) -> Result<(), KeyFileError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & FORBIDDEN_MODE_BITS != 0 {
        return Err(KeyFileError::Permissions {
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

/// What a JSON error may say without quoting a value of the file (which could be the
/// secret): field names, or the kind of error and where.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_round_trips_and_its_debug_hides_the_secret() {
        for ed25519 in [false, true] {
            let key = AttesterKey::test_key(3, ed25519);
            let file = KeyFile::of(&key);
            assert!(!format!("{file:?}").contains(&file.secret_hex));
            let back = file.key(Path::new("k.json")).unwrap();
            assert_eq!(back.pubkey(), key.pubkey());
        }
    }
}
