//! # ccmp-signer
//!
//! Attester keys off chain: what an attester runs to sign checkpoint and attester-set
//! digests (PROTOCOL.md §4), and what tests and relayers use to build quorums. secp256k1
//! signs the digest as a prehash (RFC 6979 nonces, always low-S, which the inbox demands);
//! Ed25519 signs the digest as the message. Never compiled into a contract.

pub mod api;
pub mod keyfile;

use ccmp_types::{Attester, AttesterSet, AttesterSignature, Hash, PubKey};
use cosmwasm_std::Binary;
use k256::ecdsa::signature::hazmat::PrehashSigner;
use thiserror::Error;

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    #[error("secret is not hex: {0}")]
    Hex(String),
    #[error("{key_type} secret must be 32 bytes, got {len}")]
    Length { key_type: &'static str, len: usize },
    #[error("secret is not a valid secp256k1 scalar")]
    InvalidScalar,
    #[error("key spec {0:?} is not <secp256k1|ed25519>:<64 hex digits>")]
    Spec(String),
}

/// One attester's private key.
#[derive(Clone)]
pub enum AttesterKey {
    Secp256k1(k256::ecdsa::SigningKey),
    Ed25519(ed25519_zebra::SigningKey),
}

impl std::fmt::Debug for AttesterKey {
    // Never print the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AttesterKey({:?})", self.pubkey())
    }
}

impl AttesterKey {
    pub fn secp256k1(secret: &[u8]) -> Result<Self, KeyError> {
        if secret.len() != 32 {
            return Err(KeyError::Length {
                key_type: "secp256k1",
                len: secret.len(),
            });
        }
        k256::ecdsa::SigningKey::from_slice(secret)
            .map(AttesterKey::Secp256k1)
            .map_err(|_| KeyError::InvalidScalar)
    }

    pub fn ed25519(seed: &[u8]) -> Result<Self, KeyError> {
        let seed: [u8; 32] = seed.try_into().map_err(|_| KeyError::Length {
            key_type: "ed25519",
            len: seed.len(),
        })?;
        Ok(AttesterKey::Ed25519(ed25519_zebra::SigningKey::from(seed)))
    }

    /// Parses `secp256k1:<hex>` or `ed25519:<hex>`.
    pub fn from_spec(spec: &str) -> Result<Self, KeyError> {
        let (kind, secret) = spec
            .split_once(':')
            .ok_or_else(|| KeyError::Spec(spec.to_string()))?;
        let bytes = hex::decode(secret.trim()).map_err(|err| KeyError::Hex(err.to_string()))?;
        match kind.trim() {
            "secp256k1" => Self::secp256k1(&bytes),
            "ed25519" => Self::ed25519(&bytes),
            _ => Err(KeyError::Spec(spec.to_string())),
        }
    }

    /// A deterministic test key: `secp256k1` (even `n`) or `ed25519` (odd `n`) from a
    /// secret derived from `n`. For tests and the local demo only.
    pub fn test_key(n: u32, ed25519: bool) -> Self {
        let mut secret = [0u8; 32];
        secret[0] = 0x5e;
        secret[28..].copy_from_slice(&n.to_be_bytes());
        secret[27] = u8::from(ed25519);
        if ed25519 {
            AttesterKey::Ed25519(ed25519_zebra::SigningKey::from(secret))
        } else {
            // A 32-byte value far below the group order is always a valid scalar.
            match k256::ecdsa::SigningKey::from_slice(&secret) {
                Ok(key) => AttesterKey::Secp256k1(key),
                Err(_) => unreachable!("a small non-zero scalar is valid"),
            }
        }
    }

    /// The public key as an attester set lists it (secp256k1 compressed).
    pub fn pubkey(&self) -> PubKey {
        match self {
            AttesterKey::Secp256k1(key) => {
                PubKey::Secp256k1(Binary::new(key.verifying_key().to_sec1_bytes().to_vec()))
            }
            AttesterKey::Ed25519(key) => {
                let verification: ed25519_zebra::VerificationKeyBytes = key.into();
                PubKey::Ed25519(Binary::new(verification.as_ref().to_vec()))
            }
        }
    }

    /// Signs a 32-byte digest.
    pub fn sign(&self, digest: &Hash) -> Vec<u8> {
        match self {
            AttesterKey::Secp256k1(key) => {
                let signature: k256::ecdsa::Signature = match key.sign_prehash(digest) {
                    Ok(signature) => signature,
                    // A 32-byte prehash is always accepted by k256.
                    Err(err) => unreachable!("k256 refused a 32-byte prehash: {err}"),
                };
                // k256 already normalizes to low-S; normalizing again is free and explicit.
                signature
                    .normalize_s()
                    .unwrap_or(signature)
                    .to_bytes()
                    .to_vec()
            }
            AttesterKey::Ed25519(key) => key.sign(digest).to_bytes().to_vec(),
        }
    }
}

/// An attester set's keys and the set itself.
#[derive(Debug, Clone)]
pub struct SignerSet {
    pub keys: Vec<AttesterKey>,
    pub set: AttesterSet,
}

impl SignerSet {
    /// Weight 1 each, threshold the smallest majority.
    pub fn equal_weights(keys: Vec<AttesterKey>) -> Self {
        let weights = vec![1; keys.len()];
        let threshold = keys.len() as u64 / 2 + 1;
        Self::weighted(keys, &weights, threshold)
    }

    pub fn weighted(keys: Vec<AttesterKey>, weights: &[u64], threshold: u64) -> Self {
        let attesters = keys
            .iter()
            .zip(weights)
            .map(|(key, weight)| Attester {
                pubkey: key.pubkey(),
                weight: *weight,
            })
            .collect();
        SignerSet {
            keys,
            set: AttesterSet {
                attesters,
                threshold,
            },
        }
    }

    /// Signatures of the attesters at `indices` (which must be increasing to be accepted).
    pub fn sign_with(&self, digest: &Hash, indices: &[u32]) -> Vec<AttesterSignature> {
        indices
            .iter()
            .filter_map(|&index| {
                let key = self.keys.get(index as usize)?;
                Some(AttesterSignature {
                    index,
                    signature: Binary::new(key.sign(digest)),
                })
            })
            .collect()
    }

    /// Signatures of every attester.
    pub fn sign_all(&self, digest: &Hash) -> Vec<AttesterSignature> {
        let indices: Vec<u32> = (0..self.keys.len() as u32).collect();
        self.sign_with(digest, &indices)
    }

    /// The fewest leading attesters whose weight reaches the threshold.
    pub fn sign_quorum(&self, digest: &Hash) -> Vec<AttesterSignature> {
        let mut weight = 0;
        let mut indices = Vec::new();
        for (index, attester) in self.set.attesters.iter().enumerate() {
            if weight >= self.set.threshold {
                break;
            }
            weight += attester.weight;
            indices.push(index as u32);
        }
        self.sign_with(digest, &indices)
    }
}

#[cfg(test)]
mod tests {
    use cosmwasm_std::testing::MockApi;

    use super::*;

    #[test]
    fn signatures_verify_through_the_host_api_and_sets_validate() {
        let api = MockApi::default();
        let keys: Vec<AttesterKey> = (0..4)
            .map(|n| AttesterKey::test_key(n, n % 2 == 1))
            .collect();
        let signers = SignerSet::equal_weights(keys);
        assert_eq!(signers.set.threshold, 3);
        assert_eq!(signers.set.validate(&api).unwrap(), 4);
        let digest = [7u8; 32];
        let signed = signers
            .set
            .verify_signatures(&api, &digest, &signers.sign_all(&digest))
            .unwrap();
        assert_eq!(signed, 4);
        assert_eq!(signers.sign_quorum(&digest).len(), 3);
        let other = [8u8; 32];
        assert!(signers
            .set
            .verify_signatures(&api, &other, &signers.sign_all(&digest))
            .is_err());
    }

    #[test]
    fn parses_key_specs() {
        let secp =
            AttesterKey::from_spec(&format!("secp256k1:{}", "00".repeat(31) + "03")).unwrap();
        assert_eq!(secp.pubkey().key_type_name(), "secp256k1");
        let ed = AttesterKey::from_spec(&format!("ed25519:{}", "11".repeat(32))).unwrap();
        assert_eq!(ed.pubkey().bytes().len(), 32);
        assert_eq!(
            AttesterKey::from_spec("rsa:00").unwrap_err(),
            KeyError::Spec("rsa:00".into())
        );
        assert_eq!(
            AttesterKey::from_spec("ed25519:0011").unwrap_err(),
            KeyError::Length {
                key_type: "ed25519",
                len: 2
            }
        );
        assert_eq!(
            AttesterKey::from_spec(&format!("secp256k1:{}", "00".repeat(32))).unwrap_err(),
            KeyError::InvalidScalar
        );
    }
}
