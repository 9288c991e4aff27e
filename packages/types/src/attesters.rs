//! Attester sets and signature checking (PROTOCOL.md §4).

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Api, Binary};
use sha2::{Digest, Sha256};

use crate::codec::{hash_str, Hash, Reader};
use crate::error::{AttesterSetError, CodecError, SignatureError, SignatureFault};

pub const ATTESTER_SET_DOMAIN: &[u8] = b"ccmp:attesters:v2";
/// The most attesters a set may hold. Bounds the signature loop (and so the gas) of every
/// checkpoint and rotation, and the storage of one set.
pub const MAX_ATTESTERS: usize = 100;

const SECP256K1_SIGNATURE_BYTES: usize = 64;
const ED25519_SIGNATURE_BYTES: usize = 64;
const ED25519_KEY_BYTES: usize = 32;
/// The secp256k1 group order halved; an `s` above it is the high-S twin of a valid
/// signature. The host accepts both, the spec only low-S.
const SECP256K1_HALF_ORDER: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

#[cw_serde]
pub enum PubKey {
    /// SEC1 compressed (33 bytes) or uncompressed (65 bytes).
    Secp256k1(Binary),
    /// 32 bytes.
    Ed25519(Binary),
}

impl PubKey {
    /// The `key_type` byte of the attester-set digest.
    pub fn key_type(&self) -> u8 {
        match self {
            PubKey::Secp256k1(_) => 1,
            PubKey::Ed25519(_) => 2,
        }
    }

    pub fn key_type_name(&self) -> &'static str {
        match self {
            PubKey::Secp256k1(_) => "secp256k1",
            PubKey::Ed25519(_) => "ed25519",
        }
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            PubKey::Secp256k1(key) | PubKey::Ed25519(key) => key,
        }
    }

    /// The key's identity independent of its encoding: a secp256k1 point is the same
    /// attester whether written compressed or uncompressed, so duplicates are caught
    /// across encodings (x coordinate plus the parity of y). `None` for a malformed key.
    fn identity(&self) -> Option<(u8, [u8; 32], u8)> {
        let bytes = self.bytes();
        match self {
            PubKey::Secp256k1(_) => match bytes.len() {
                33 if bytes[0] == 0x02 || bytes[0] == 0x03 => {
                    Some((1, bytes[1..33].try_into().ok()?, bytes[0] & 1))
                }
                65 if bytes[0] == 0x04 => Some((1, bytes[1..33].try_into().ok()?, bytes[64] & 1)),
                _ => None,
            },
            PubKey::Ed25519(_) => Some((2, bytes.try_into().ok()?, 0)),
        }
    }

    fn check_format(&self) -> Result<(), String> {
        let bytes = self.bytes();
        match self {
            PubKey::Secp256k1(_) => match (bytes.len(), bytes.first()) {
                (33, Some(0x02 | 0x03)) | (65, Some(0x04)) => Ok(()),
                (33 | 65, _) => {
                    Err("SEC1 prefix must be 02 or 03 (33 bytes) or 04 (65 bytes)".into())
                }
                (len, _) => Err(format!("{len} bytes, expected 33 or 65")),
            },
            PubKey::Ed25519(_) if bytes.len() == ED25519_KEY_BYTES => Ok(()),
            PubKey::Ed25519(_) => Err(format!("{} bytes, expected 32", bytes.len())),
        }
    }

    /// Verifies one signature over a 32-byte digest: secp256k1 as a prehash (64-byte
    /// `r||s`, low-S), Ed25519 with the digest as the message.
    pub fn verify(
        &self,
        api: &dyn Api,
        digest: &Hash,
        signature: &[u8],
    ) -> Result<(), SignatureFault> {
        let verified = match self {
            PubKey::Secp256k1(key) => {
                check_signature_length(signature, SECP256K1_SIGNATURE_BYTES)?;
                if signature[32..] > SECP256K1_HALF_ORDER[..] {
                    return Err(SignatureFault::HighS);
                }
                api.secp256k1_verify(digest, signature, key)
            }
            PubKey::Ed25519(key) => {
                check_signature_length(signature, ED25519_SIGNATURE_BYTES)?;
                api.ed25519_verify(digest, signature, key)
            }
        };
        match verified {
            Ok(true) => Ok(()),
            Ok(false) => Err(SignatureFault::Mismatch),
            Err(err) => Err(SignatureFault::Verification(err.to_string())),
        }
    }
}

fn check_signature_length(signature: &[u8], expected: usize) -> Result<(), SignatureFault> {
    if signature.len() != expected {
        return Err(SignatureFault::WrongLength {
            len: signature.len(),
            expected,
        });
    }
    Ok(())
}

#[cw_serde]
pub struct Attester {
    pub pubkey: PubKey,
    pub weight: u64,
}

#[cw_serde]
pub struct AttesterSet {
    pub attesters: Vec<Attester>,
    pub threshold: u64,
}

/// One attester's signature, by position in the set.
#[cw_serde]
pub struct AttesterSignature {
    pub index: u32,
    pub signature: Binary,
}

impl AttesterSet {
    /// Checks the set and returns its total weight: non-empty, at most `MAX_ATTESTERS`,
    /// well-formed and distinct keys, non-zero weights, and
    /// `total / 2 < threshold <= total`, so two conflicting quorums always share an
    /// honest-majority signer.
    pub fn validate(&self) -> Result<u64, AttesterSetError> {
        if self.attesters.is_empty() {
            return Err(AttesterSetError::Empty);
        }
        if self.attesters.len() > MAX_ATTESTERS {
            return Err(AttesterSetError::TooManyAttesters {
                count: self.attesters.len(),
                max: MAX_ATTESTERS,
            });
        }
        let mut identities = Vec::with_capacity(self.attesters.len());
        let mut total: u64 = 0;
        for (index, attester) in self.attesters.iter().enumerate() {
            attester
                .pubkey
                .check_format()
                .map_err(|reason| AttesterSetError::InvalidKey {
                    index,
                    key_type: attester.pubkey.key_type_name(),
                    reason,
                })?;
            let identity =
                attester
                    .pubkey
                    .identity()
                    .ok_or_else(|| AttesterSetError::InvalidKey {
                        index,
                        key_type: attester.pubkey.key_type_name(),
                        reason: "malformed".into(),
                    })?;
            if let Some(first) = identities.iter().position(|seen| *seen == identity) {
                return Err(AttesterSetError::DuplicateKey { index, first });
            }
            identities.push(identity);
            if attester.weight == 0 {
                return Err(AttesterSetError::ZeroWeight { index });
            }
            total = total
                .checked_add(attester.weight)
                .ok_or(AttesterSetError::WeightOverflow)?;
        }
        if self.threshold <= total / 2 {
            return Err(AttesterSetError::ThresholdTooLow {
                threshold: self.threshold,
                total,
            });
        }
        if self.threshold > total {
            return Err(AttesterSetError::ThresholdTooHigh {
                threshold: self.threshold,
                total,
            });
        }
        Ok(total)
    }

    /// The digest the current set signs to hand over to this set as epoch `new_epoch` on
    /// the lane from `source_outbox` on `source_chain` to `destination_chain`:
    /// `SHA-256("ccmp:attesters:v2" || str source_chain || str source_outbox ||
    /// str destination_chain || u64 new_epoch || to_bytes())`. Naming the lane keeps a
    /// hand-over signed for one inbox from replaying on another that follows a different
    /// outbox with the same keys.
    pub fn digest(
        &self,
        source_chain: &str,
        source_outbox: &str,
        destination_chain: &str,
        new_epoch: u64,
    ) -> Result<Hash, CodecError> {
        let mut hasher = Sha256::new();
        hasher.update(ATTESTER_SET_DOMAIN);
        hash_str(&mut hasher, "source_chain", source_chain)?;
        hash_str(&mut hasher, "source_outbox", source_outbox)?;
        hash_str(&mut hasher, "destination_chain", destination_chain)?;
        hasher.update(new_epoch.to_be_bytes());
        hasher.update(self.to_bytes()?);
        Ok(hasher.finalize().into())
    }

    /// The set in the layout its digest hashes: `u32 count || for each attester: u8 key_type
    /// || u16 key length || key || u64 weight || u64 threshold`. Also how a contract stores
    /// it: about half the bytes of its JSON, and every stored byte is read with each
    /// checkpoint.
    pub fn to_bytes(&self) -> Result<Vec<u8>, CodecError> {
        let count = u32::try_from(self.attesters.len()).map_err(|_| CodecError::TooLong {
            field: "attesters",
            len: self.attesters.len(),
            max: u32::MAX as usize,
        })?;
        let keys: usize = self.attesters.iter().map(|a| a.pubkey.bytes().len()).sum();
        let mut out = Vec::with_capacity(4 + self.attesters.len() * 11 + keys + 8);
        out.extend_from_slice(&count.to_be_bytes());
        for attester in &self.attesters {
            let key = attester.pubkey.bytes();
            let key_len = u16::try_from(key.len()).map_err(|_| CodecError::TooLong {
                field: "pubkey",
                len: key.len(),
                max: u16::MAX as usize,
            })?;
            out.push(attester.pubkey.key_type());
            out.extend_from_slice(&key_len.to_be_bytes());
            out.extend_from_slice(key);
            out.extend_from_slice(&attester.weight.to_be_bytes());
        }
        out.extend_from_slice(&self.threshold.to_be_bytes());
        Ok(out)
    }

    /// Reads `to_bytes` back, strictly: an unknown key type, a short input or trailing
    /// bytes are errors. The count is bounded by the input, not trusted for allocation.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut reader = Reader::new(bytes);
        let count = reader.u32("attesters")?;
        let mut attesters = Vec::new();
        for _ in 0..count {
            let key_type = reader.u8("key_type")?;
            let len = reader.u16("pubkey")? as usize;
            let key = Binary::from(reader.take("pubkey", len)?);
            let pubkey = match key_type {
                1 => PubKey::Secp256k1(key),
                2 => PubKey::Ed25519(key),
                other => return Err(CodecError::UnknownKeyType { key_type: other }),
            };
            let weight = reader.u64("weight")?;
            attesters.push(Attester { pubkey, weight });
        }
        let threshold = reader.u64("threshold")?;
        reader.finish()?;
        Ok(AttesterSet {
            attesters,
            threshold,
        })
    }

    /// Checks `signatures` over `digest` and returns the signed weight, which reaches the
    /// threshold. Indices must be strictly increasing (no attester counts twice) and every
    /// signature must verify, even beside a quorum: a bad signature is a relayer bug or an
    /// attack, and either should be loud. Indices are all checked before any signature,
    /// so malformed input costs no crypto gas.
    pub fn verify_signatures(
        &self,
        api: &dyn Api,
        digest: &Hash,
        signatures: &[AttesterSignature],
    ) -> Result<u64, SignatureError> {
        if signatures.len() > self.attesters.len() {
            return Err(SignatureError::TooMany {
                count: signatures.len(),
                max: self.attesters.len(),
            });
        }
        let mut signers = Vec::with_capacity(signatures.len());
        let mut ed25519_count = 0usize;
        let mut previous: Option<u32> = None;
        for signature in signatures {
            if let Some(previous) = previous.filter(|previous| signature.index <= *previous) {
                return Err(SignatureError::IndexNotIncreasing {
                    index: signature.index,
                    previous,
                });
            }
            let attester = usize::try_from(signature.index)
                .ok()
                .and_then(|index| self.attesters.get(index))
                .ok_or(SignatureError::IndexOutOfRange {
                    index: signature.index,
                    size: self.attesters.len(),
                })?;
            if matches!(attester.pubkey, PubKey::Ed25519(_)) {
                ed25519_count += 1;
            }
            signers.push((signature, attester));
            previous = Some(signature.index);
        }

        let mut signed: u64 = 0;
        let mut ed25519_batch = Vec::new();
        for (signature, attester) in signers {
            let result = match &attester.pubkey {
                // Held back for one batch call: the host charges 24 + 21n units for a batch
                // against 35n one by one, cheaper from two signatures on.
                PubKey::Ed25519(key) if ed25519_count >= 2 => {
                    check_signature_length(&signature.signature, ED25519_SIGNATURE_BYTES).map(
                        |()| {
                            ed25519_batch.push((signature, attester, key.as_slice()));
                        },
                    )
                }
                pubkey => pubkey.verify(api, digest, &signature.signature),
            };
            result.map_err(|fault| SignatureError::Invalid {
                index: signature.index,
                fault,
            })?;
            signed = signed
                .checked_add(attester.weight)
                .ok_or(SignatureError::WeightOverflow)?;
        }
        if !ed25519_batch.is_empty() {
            verify_ed25519_batch(api, digest, &ed25519_batch)?;
        }
        if signed < self.threshold {
            return Err(SignatureError::InsufficientWeight {
                signed,
                threshold: self.threshold,
            });
        }
        Ok(signed)
    }
}

/// Verifies Ed25519 signatures over one digest in one host call. If the batch fails, each
/// is verified alone to name the one at fault: the extra cost falls only on bad input.
fn verify_ed25519_batch(
    api: &dyn Api,
    digest: &Hash,
    batch: &[(&AttesterSignature, &Attester, &[u8])],
) -> Result<(), SignatureError> {
    let signatures: Vec<&[u8]> = batch
        .iter()
        .map(|(s, _, _)| s.signature.as_slice())
        .collect();
    let keys: Vec<&[u8]> = batch.iter().map(|(_, _, key)| *key).collect();
    // One message stands for all: every signature is over the same digest.
    if let Ok(true) = api.ed25519_batch_verify(&[digest.as_slice()], &signatures, &keys) {
        return Ok(());
    }
    for (signature, attester, _) in batch {
        attester
            .pubkey
            .verify(api, digest, &signature.signature)
            .map_err(|fault| SignatureError::Invalid {
                index: signature.index,
                fault,
            })?;
    }
    Err(SignatureError::Invalid {
        index: batch.first().map_or(0, |(s, _, _)| s.index),
        fault: SignatureFault::Verification("ed25519 batch verification failed".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secp(prefix: u8, fill: u8) -> PubKey {
        let mut key = vec![prefix];
        key.extend_from_slice(&[fill; 32]);
        PubKey::Secp256k1(key.into())
    }

    fn ed(fill: u8) -> PubKey {
        PubKey::Ed25519(vec![fill; 32].into())
    }

    fn set(weights: &[u64], threshold: u64) -> AttesterSet {
        AttesterSet {
            attesters: weights
                .iter()
                .enumerate()
                .map(|(i, weight)| Attester {
                    pubkey: ed(i as u8),
                    weight: *weight,
                })
                .collect(),
            threshold,
        }
    }

    #[test]
    fn threshold_must_be_a_majority_and_reachable() {
        assert_eq!(set(&[1, 1, 1], 2).validate().unwrap(), 3);
        assert_eq!(set(&[1, 1, 1], 3).validate().unwrap(), 3);
        assert_eq!(
            set(&[1, 1, 1], 1).validate().unwrap_err(),
            AttesterSetError::ThresholdTooLow {
                threshold: 1,
                total: 3
            }
        );
        assert_eq!(
            set(&[1, 1, 1], 4).validate().unwrap_err(),
            AttesterSetError::ThresholdTooHigh {
                threshold: 4,
                total: 3
            }
        );
        // total 4: 2 is exactly half, not a majority.
        assert_eq!(
            set(&[1, 1, 1, 1], 2).validate().unwrap_err(),
            AttesterSetError::ThresholdTooLow {
                threshold: 2,
                total: 4
            }
        );
        assert!(set(&[1, 1, 1, 1], 3).validate().is_ok());
    }

    #[test]
    fn rejects_empty_oversized_zero_weight_and_overflowing_sets() {
        assert_eq!(set(&[], 1).validate().unwrap_err(), AttesterSetError::Empty);
        let max = set(&[1; MAX_ATTESTERS], 51);
        assert!(max.validate().is_ok());
        let mut over = max;
        over.attesters.push(Attester {
            pubkey: ed(200),
            weight: 1,
        });
        assert_eq!(
            over.validate().unwrap_err(),
            AttesterSetError::TooManyAttesters {
                count: 101,
                max: 100
            }
        );
        assert_eq!(
            set(&[1, 0, 1], 2).validate().unwrap_err(),
            AttesterSetError::ZeroWeight { index: 1 }
        );
        assert_eq!(
            set(&[u64::MAX, 1], u64::MAX).validate().unwrap_err(),
            AttesterSetError::WeightOverflow
        );
    }

    #[test]
    fn rejects_malformed_keys() {
        let cases = [
            (PubKey::Ed25519(vec![1; 31].into()), "31 bytes, expected 32"),
            (
                PubKey::Secp256k1(vec![2; 32].into()),
                "32 bytes, expected 33 or 65",
            ),
            (
                secp(0x04, 1),
                "SEC1 prefix must be 02 or 03 (33 bytes) or 04 (65 bytes)",
            ),
        ];
        for (pubkey, reason) in cases {
            let key_type = pubkey.key_type_name();
            let bad = AttesterSet {
                attesters: vec![
                    Attester {
                        pubkey: ed(9),
                        weight: 1,
                    },
                    Attester { pubkey, weight: 1 },
                ],
                threshold: 2,
            };
            assert_eq!(
                bad.validate().unwrap_err(),
                AttesterSetError::InvalidKey {
                    index: 1,
                    key_type,
                    reason: reason.to_string()
                }
            );
        }
    }

    #[test]
    fn rejects_duplicate_keys_even_across_encodings() {
        let duplicate = AttesterSet {
            attesters: vec![
                Attester {
                    pubkey: ed(1),
                    weight: 1,
                },
                Attester {
                    pubkey: ed(2),
                    weight: 1,
                },
                Attester {
                    pubkey: ed(1),
                    weight: 1,
                },
            ],
            threshold: 2,
        };
        assert_eq!(
            duplicate.validate().unwrap_err(),
            AttesterSetError::DuplicateKey { index: 2, first: 0 }
        );

        // The same point compressed (02 = even y) and uncompressed (y ending in an even byte).
        let mut uncompressed = vec![0x04];
        uncompressed.extend_from_slice(&[7; 32]);
        uncompressed.extend_from_slice(&[8; 32]);
        let same_point = AttesterSet {
            attesters: vec![
                Attester {
                    pubkey: secp(0x02, 7),
                    weight: 1,
                },
                Attester {
                    pubkey: PubKey::Secp256k1(uncompressed.clone().into()),
                    weight: 1,
                },
            ],
            threshold: 2,
        };
        assert_eq!(
            same_point.validate().unwrap_err(),
            AttesterSetError::DuplicateKey { index: 1, first: 0 }
        );
        // The other point with that x (odd y) is a different attester.
        let negated = AttesterSet {
            attesters: vec![
                Attester {
                    pubkey: secp(0x03, 7),
                    weight: 1,
                },
                Attester {
                    pubkey: PubKey::Secp256k1(uncompressed.into()),
                    weight: 1,
                },
            ],
            threshold: 2,
        };
        assert!(negated.validate().is_ok());
    }

    #[test]
    fn bytes_round_trip_and_refuse_malformed_input() {
        let mixed = AttesterSet {
            attesters: vec![
                Attester {
                    pubkey: secp(0x02, 7),
                    weight: 3,
                },
                Attester {
                    pubkey: ed(9),
                    weight: 1,
                },
            ],
            threshold: 3,
        };
        let bytes = mixed.to_bytes().unwrap();
        // 4 + (1 + 2 + 33 + 8) + (1 + 2 + 32 + 8) + 8
        assert_eq!(bytes.len(), 99);
        assert_eq!(&bytes[..5], &[0, 0, 0, 2, 1]);
        assert_eq!(AttesterSet::from_bytes(&bytes).unwrap(), mixed);
        assert_eq!(
            AttesterSet::from_bytes(&bytes[..98]).unwrap_err(),
            CodecError::UnexpectedEnd {
                field: "threshold",
                needed: 8,
                remaining: 7
            }
        );
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert_eq!(
            AttesterSet::from_bytes(&trailing).unwrap_err(),
            CodecError::TrailingBytes { count: 1 }
        );
        let mut unknown = bytes.clone();
        unknown[4] = 3;
        assert_eq!(
            AttesterSet::from_bytes(&unknown).unwrap_err(),
            CodecError::UnknownKeyType { key_type: 3 }
        );
        // A huge count is bounded by the input, not by an allocation.
        assert!(AttesterSet::from_bytes(&[0xff, 0xff, 0xff, 0xff]).is_err());
    }

    #[test]
    fn json_shape_matches_the_spec() {
        let set = AttesterSet {
            attesters: vec![Attester {
                pubkey: PubKey::Ed25519(vec![0; 32].into()),
                weight: 2,
            }],
            threshold: 2,
        };
        assert_eq!(
            cosmwasm_std::to_json_string(&set).unwrap(),
            r#"{"attesters":[{"pubkey":{"ed25519":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},"weight":2}],"threshold":2}"#
        );
    }
}
