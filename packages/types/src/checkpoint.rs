//! Checkpoints (PROTOCOL.md §4): "the lane's log has `size` messages and root `root`".

use cosmwasm_schema::cw_serde;
use cosmwasm_std::HexBinary;
use sha2::{Digest, Sha256};

use crate::codec::{hash_str, Hash};
use crate::error::CodecError;

pub const CHECKPOINT_DOMAIN: &[u8] = b"ccmp:checkpoint:v1";

/// A lane checkpoint as relayers submit it. The source outbox and destination chain are
/// not fields: the inbox supplies them from its own configuration when it computes the
/// digest, so a checkpoint signed for another lane can never verify here.
#[cw_serde]
pub struct Checkpoint {
    pub source_chain: String,
    pub size: u64,
    pub root: HexBinary,
}

impl Checkpoint {
    pub fn root_hash(&self) -> Result<Hash, CodecError> {
        to_hash("root", &self.root)
    }

    /// The digest attesters sign for this checkpoint on the lane to `destination_chain`
    /// from `source_outbox`.
    pub fn digest(&self, source_outbox: &str, destination_chain: &str) -> Result<Hash, CodecError> {
        checkpoint_digest(
            &self.source_chain,
            source_outbox,
            destination_chain,
            self.size,
            &self.root_hash()?,
        )
    }
}

/// `SHA-256("ccmp:checkpoint:v1" || str source_chain || str source_outbox ||
/// str destination_chain || u64 size || root)`.
pub fn checkpoint_digest(
    source_chain: &str,
    source_outbox: &str,
    destination_chain: &str,
    size: u64,
    root: &Hash,
) -> Result<Hash, CodecError> {
    let mut hasher = Sha256::new();
    hasher.update(CHECKPOINT_DOMAIN);
    hash_str(&mut hasher, "source_chain", source_chain)?;
    hash_str(&mut hasher, "source_outbox", source_outbox)?;
    hash_str(&mut hasher, "destination_chain", destination_chain)?;
    hasher.update(size.to_be_bytes());
    hasher.update(root);
    Ok(hasher.finalize().into())
}

/// Reads a 32-byte hash out of a JSON hex field, naming the field if it is the wrong size.
pub fn to_hash(field: &'static str, bytes: &[u8]) -> Result<Hash, CodecError> {
    bytes.try_into().map_err(|_| CodecError::InvalidHashLength {
        field,
        len: bytes.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_must_be_32_bytes() {
        let checkpoint = Checkpoint {
            source_chain: "a".into(),
            size: 1,
            root: HexBinary::from(vec![0u8; 31]),
        };
        assert_eq!(
            checkpoint.digest("outbox", "b").unwrap_err(),
            CodecError::InvalidHashLength {
                field: "root",
                len: 31
            }
        );
    }

    #[test]
    fn digest_binds_every_field() {
        let base = checkpoint_digest("a", "o", "b", 1, &[0; 32]).unwrap();
        assert_ne!(base, checkpoint_digest("b", "o", "b", 1, &[0; 32]).unwrap());
        assert_ne!(base, checkpoint_digest("a", "p", "b", 1, &[0; 32]).unwrap());
        assert_ne!(base, checkpoint_digest("a", "o", "c", 1, &[0; 32]).unwrap());
        assert_ne!(base, checkpoint_digest("a", "o", "b", 2, &[0; 32]).unwrap());
        assert_ne!(base, checkpoint_digest("a", "o", "b", 1, &[1; 32]).unwrap());
        // Length prefixes keep field boundaries apart: "ab"+"c" is not "a"+"bc".
        assert_ne!(
            checkpoint_digest("ab", "c", "b", 1, &[0; 32]).unwrap(),
            checkpoint_digest("a", "bc", "b", 1, &[0; 32]).unwrap()
        );
    }
}
