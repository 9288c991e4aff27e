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
/// The Ed25519 field prime p = 2^255 - 19, little-endian as keys encode y.
const ED25519_P: [u8; 32] = [
    0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
];
/// The canonical encodings of the eight Ed25519 points whose order divides 8: the identity
/// (0, 1), (0, -1), the two points of order 4 (y = 0) and the four of order 8. Under ZIP-215,
/// which the host verifies by, each of them accepts `R = identity, S = 0` for every message.
const ED25519_SMALL_ORDER: [[u8; 32]; 8] = [
    [
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00,
    ],
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    [0x00; 32],
    [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x80,
    ],
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x85,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0xfa,
    ],
];
/// A well-formed secp256k1 signature (r = 1, s = 1), used only to have the host parse a
/// key: `secp256k1_verify` (cosmwasm-crypto) errs for a key that
/// `VerifyingKey::from_sec1_bytes` refuses (off the curve, x >= p) and answers `Ok(_)`
/// (in practice `Ok(false)`) for every point. In the VM that error comes back as a result
/// code (`GenericErr`, 10), which cosmwasm-std's `ExternalApi` turns into `Err`, not a
/// trap. It costs one host call per key and no curve code in the contract.
const SECP256K1_PROBE_SIGNATURE: [u8; 64] = {
    let mut signature = [0u8; 64];
    signature[31] = 1;
    signature[63] = 1;
    signature
};
/// The secp256k1 group order halved; an `s` above it is the high-S twin of a valid
/// signature. The host accepts both, the spec only low-S.
const SECP256K1_HALF_ORDER: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

#[cw_serde]
pub enum PubKey {
    /// SEC1 compressed (33 bytes) or uncompressed (65 bytes), a point on the curve.
    Secp256k1(Binary),
    /// 32 bytes, the canonical encoding of a point not of small order.
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

    /// The key's identity independent of its encoding, for keys `check` accepted: one
    /// point is one attester. A secp256k1 point is the same attester whether written
    /// compressed or uncompressed: on the curve, x fixes y up to its sign, and y and p - y
    /// differ in parity (p is odd), so (x, parity of y) names exactly one point. An Ed25519
    /// key is its bytes: `check` admits only canonical encodings (y < p, and the sign bit
    /// clear when x = 0), and a point has exactly one of those, so equal points are equal
    /// bytes. `None` for a malformed key.
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

    /// Checks that the key is usable and names one attester (PROTOCOL.md §4): its format,
    /// then for secp256k1 that it is a point on the curve (the host parses it), for
    /// Ed25519 that it is a canonical encoding and not one of the eight small-order points.
    ///
    /// An Ed25519 encoding whose y has no x on the curve is **not** refused: finding that
    /// out takes a square root in the field, code the contract would carry for nothing.
    /// Such a key can never verify a signature (the host fails to decompress it), so it
    /// adds no weight an attacker could use; it only lowers the weight honest signers can
    /// reach, as a key whose secret is lost does.
    fn check(&self, api: &dyn Api) -> Result<(), String> {
        self.check_format()?;
        match self {
            PubKey::Secp256k1(key) => api
                .secp256k1_verify(&[0u8; 32], &SECP256K1_PROBE_SIGNATURE, key)
                .map(|_| ())
                .map_err(|_| "not a point on the curve".into()),
            PubKey::Ed25519(key) => check_ed25519(key).map_err(String::from),
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

/// The exact rules for a 32-byte Ed25519 key without curve arithmetic. The encoding is y
/// (the low 255 bits, little-endian) and the sign of x (the top bit). It is canonical when
/// y < p and, for the two points with x = 0 (y = 1 and y = p - 1), the sign bit is clear;
/// the host (ZIP-215) also accepts the other encodings, so without this rule one point
/// could sit in a set under two byte strings. The small-order points are refused by their
/// canonical encodings, which is all of them once non-canonical ones are gone.
fn check_ed25519(key: &[u8]) -> Result<(), &'static str> {
    let mut y: [u8; 32] = key.try_into().map_err(|_| "malformed")?;
    let sign = y[31] >> 7;
    y[31] &= 0x7f;
    // Little-endian: the most significant byte last.
    if y.iter().rev().cmp(ED25519_P.iter().rev()) != core::cmp::Ordering::Less {
        return Err("non-canonical encoding");
    }
    if sign == 1 && (y == ED25519_SMALL_ORDER[0] || y == ED25519_SMALL_ORDER[1]) {
        return Err("non-canonical encoding");
    }
    if ED25519_SMALL_ORDER.iter().any(|point| point[..] == key[..]) {
        return Err("small-order point");
    }
    Ok(())
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
    /// usable and distinct keys, non-zero weights, and `total / 2 < threshold <= total`, so
    /// two conflicting quorums always share an honest-majority signer.
    ///
    /// Usable and distinct (PROTOCOL.md §4): a secp256k1 key is a point on the curve,
    /// checked by the host through `api` (one `secp256k1_verify` per key, which errs for a
    /// key that is no point); an Ed25519 key is a canonical encoding and not a small-order
    /// point, whose key would accept the forgery `R = identity, S = 0` for every message
    /// under the host's ZIP-215 rules; two entries encoding one point are duplicates. An
    /// Ed25519 encoding that is no point at all is not refused (see `PubKey::check`): it can
    /// never verify a signature.
    pub fn validate(&self, api: &dyn Api) -> Result<u64, AttesterSetError> {
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
                .check(api)
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
    use cosmwasm_std::testing::MockApi;

    /// A prefix and 32 bytes of `fill`: for format and byte-layout tests.
    fn secp(prefix: u8, fill: u8) -> PubKey {
        let mut key = vec![prefix];
        key.extend_from_slice(&[fill; 32]);
        PubKey::Secp256k1(key.into())
    }

    /// A compressed encoding with x = `x`.
    fn small_x(prefix: u8, x: u8) -> Vec<u8> {
        let mut key = vec![prefix];
        key.extend_from_slice(&[0; 31]);
        key.push(x);
        key
    }

    /// The SEC1 encoding of the public key of the secret `[secret; 32]`.
    fn secp_point(secret: u8, compressed: bool) -> Vec<u8> {
        k256::ecdsa::SigningKey::from_slice(&[secret; 32])
            .unwrap()
            .verifying_key()
            .to_encoded_point(compressed)
            .as_bytes()
            .to_vec()
    }

    /// 32 bytes of `fill`, a canonical encoding not of small order for `fill` 1 to 255
    /// (whether it is a point does not matter to `validate`).
    fn ed(fill: u8) -> PubKey {
        PubKey::Ed25519(vec![fill; 32].into())
    }

    fn set(weights: &[u64], threshold: u64) -> AttesterSet {
        AttesterSet {
            attesters: weights
                .iter()
                .enumerate()
                .map(|(i, weight)| Attester {
                    pubkey: ed(i as u8 + 1),
                    weight: *weight,
                })
                .collect(),
            threshold,
        }
    }

    #[test]
    fn threshold_must_be_a_majority_and_reachable() {
        let api = MockApi::default();
        assert_eq!(set(&[1, 1, 1], 2).validate(&api).unwrap(), 3);
        assert_eq!(set(&[1, 1, 1], 3).validate(&api).unwrap(), 3);
        assert_eq!(
            set(&[1, 1, 1], 1).validate(&api).unwrap_err(),
            AttesterSetError::ThresholdTooLow {
                threshold: 1,
                total: 3
            }
        );
        assert_eq!(
            set(&[1, 1, 1], 4).validate(&api).unwrap_err(),
            AttesterSetError::ThresholdTooHigh {
                threshold: 4,
                total: 3
            }
        );
        // total 4: 2 is exactly half, not a majority.
        assert_eq!(
            set(&[1, 1, 1, 1], 2).validate(&api).unwrap_err(),
            AttesterSetError::ThresholdTooLow {
                threshold: 2,
                total: 4
            }
        );
        assert!(set(&[1, 1, 1, 1], 3).validate(&api).is_ok());
    }

    #[test]
    fn rejects_empty_oversized_zero_weight_and_overflowing_sets() {
        let api = MockApi::default();
        assert_eq!(
            set(&[], 1).validate(&api).unwrap_err(),
            AttesterSetError::Empty
        );
        let max = set(&[1; MAX_ATTESTERS], 51);
        assert!(max.validate(&api).is_ok());
        let mut over = max;
        over.attesters.push(Attester {
            pubkey: ed(200),
            weight: 1,
        });
        assert_eq!(
            over.validate(&api).unwrap_err(),
            AttesterSetError::TooManyAttesters {
                count: 101,
                max: 100
            }
        );
        assert_eq!(
            set(&[1, 0, 1], 2).validate(&api).unwrap_err(),
            AttesterSetError::ZeroWeight { index: 1 }
        );
        assert_eq!(
            set(&[u64::MAX, 1], u64::MAX).validate(&api).unwrap_err(),
            AttesterSetError::WeightOverflow
        );
    }

    #[test]
    fn rejects_malformed_keys() {
        let api = MockApi::default();
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
                bad.validate(&api).unwrap_err(),
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
        let api = MockApi::default();
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
            duplicate.validate(&api).unwrap_err(),
            AttesterSetError::DuplicateKey { index: 2, first: 0 }
        );

        // One point compressed and uncompressed, in either order.
        let compressed = secp_point(7, true);
        let uncompressed = secp_point(7, false);
        let pair = |first: &[u8], second: &[u8]| AttesterSet {
            attesters: vec![
                Attester {
                    pubkey: PubKey::Secp256k1(first.to_vec().into()),
                    weight: 1,
                },
                Attester {
                    pubkey: PubKey::Secp256k1(second.to_vec().into()),
                    weight: 1,
                },
            ],
            threshold: 2,
        };
        for (first, second) in [(&compressed, &uncompressed), (&uncompressed, &compressed)] {
            assert_eq!(
                pair(first, second).validate(&api).unwrap_err(),
                AttesterSetError::DuplicateKey { index: 1, first: 0 }
            );
        }
        // The other point with that x (the negated y, of the other parity) is a different
        // attester.
        let mut negated = compressed.clone();
        negated[0] ^= 1;
        assert_eq!(pair(&negated, &uncompressed).validate(&api), Ok(2));
        assert_eq!(pair(&uncompressed, &negated).validate(&api), Ok(2));
    }

    #[test]
    fn the_host_tells_secp256k1_points_from_other_bytes() {
        // What `check` relies on (cosmwasm-crypto 3): the probe signature parses, a point
        // answers Ok(false), anything `VerifyingKey::from_sec1_bytes` refuses is an error.
        let api = MockApi::default();
        let verify = |key: &[u8]| api.secp256k1_verify(&[0u8; 32], &SECP256K1_PROBE_SIGNATURE, key);
        for secret in [1, 7, 0x42] {
            assert_eq!(verify(&secp_point(secret, true)), Ok(false));
            assert_eq!(verify(&secp_point(secret, false)), Ok(false));
        }
        let mut wrong_y = secp_point(7, false);
        wrong_y[64] ^= 1;
        assert!(verify(&wrong_y).is_err());
        assert!(verify(&small_x(0x02, 5)).is_err());
    }

    #[test]
    fn secp256k1_keys_must_be_points_on_the_curve() {
        let api = MockApi::default();
        let one = |pubkey: PubKey| AttesterSet {
            attesters: vec![
                Attester {
                    pubkey: PubKey::Secp256k1(secp_point(1, true).into()),
                    weight: 1,
                },
                Attester { pubkey, weight: 1 },
            ],
            threshold: 2,
        };
        let off_curve = |key: Vec<u8>| {
            assert_eq!(
                one(PubKey::Secp256k1(key.clone().into()))
                    .validate(&api)
                    .unwrap_err(),
                AttesterSetError::InvalidKey {
                    index: 1,
                    key_type: "secp256k1",
                    reason: "not a point on the curve".into(),
                },
                "{}",
                hex::encode(&key)
            );
        };
        let mut wrong_y = secp_point(7, false);
        wrong_y[64] ^= 1;
        off_curve(wrong_y);
        // x = 5 and x = 7 have no y on the curve (x^3 + 7 is no square).
        off_curve(small_x(0x02, 5));
        off_curve(small_x(0x03, 5));
        off_curve(small_x(0x02, 7));
        // x = p, not a field element.
        off_curve(
            hex::decode("02fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
                .unwrap(),
        );
        assert_eq!(
            one(PubKey::Secp256k1(secp_point(2, false).into())).validate(&api),
            Ok(2)
        );
    }

    #[test]
    fn ed25519_keys_must_be_canonical_and_not_of_small_order() {
        let api = MockApi::default();
        let one = |key: &[u8]| AttesterSet {
            attesters: vec![
                Attester {
                    pubkey: ed(1),
                    weight: 1,
                },
                Attester {
                    pubkey: PubKey::Ed25519(key.to_vec().into()),
                    weight: 1,
                },
            ],
            threshold: 2,
        };
        let refused = |key: &[u8], reason: &str| {
            assert_eq!(
                one(key).validate(&api).unwrap_err(),
                AttesterSetError::InvalidKey {
                    index: 1,
                    key_type: "ed25519",
                    reason: reason.into(),
                },
                "{}",
                hex::encode(key)
            );
        };
        for key in SMALL_ORDER {
            refused(&hex::decode(key).unwrap(), "small-order point");
        }
        assert_eq!(
            ED25519_SMALL_ORDER.map(hex::encode),
            SMALL_ORDER.map(String::from)
        );
        // y >= p: every y from p to 2^255 - 1, either sign; among them p + 1, the
        // identity again, and p, a point of order 4 again.
        for excess in 0u8..19 {
            let mut key = ED25519_P;
            key[0] += excess;
            refused(&key, "non-canonical encoding");
            key[31] |= 0x80;
            refused(&key, "non-canonical encoding");
        }
        // x = 0 with the sign bit set: the identity and (0, -1) written as -0.
        for point in &ED25519_SMALL_ORDER[..2] {
            let mut key = *point;
            key[31] |= 0x80;
            refused(&key, "non-canonical encoding");
        }
        // Right below p, both signs, and a y with no point: accepted (see `PubKey::check`).
        let mut below_p = ED25519_P;
        below_p[0] -= 2;
        assert_eq!(one(&below_p).validate(&api), Ok(2));
        below_p[31] |= 0x80;
        assert_eq!(one(&below_p).validate(&api), Ok(2));
        let mut not_a_point = [0u8; 32];
        not_a_point[0] = 2;
        assert_eq!(one(&not_a_point).validate(&api), Ok(2));
        // Such a key never verifies: not the forgery, not anything.
        assert_eq!(
            PubKey::Ed25519(not_a_point.to_vec().into()).verify(
                &api,
                &[0x5a; 32],
                &forged_signature()
            ),
            Err(SignatureFault::Mismatch)
        );
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

    /// The eight Ed25519 encodings of points of order dividing 8 (PROTOCOL.md §4; the
    /// vectors' `invalid_keys`): the identity, (0, -1), the two points of order 4 and the
    /// four of order 8.
    const SMALL_ORDER: [&str; 8] = [
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    ];

    fn ed_hex(key: &str) -> PubKey {
        PubKey::Ed25519(hex::decode(key).unwrap().into())
    }

    /// `R = identity, S = 0`: under ZIP-215 (what the host checks) a valid signature of
    /// every message for every small-order key.
    fn forged_signature() -> Binary {
        let mut signature = vec![0u8; 64];
        signature[0] = 1;
        signature.into()
    }

    #[test]
    fn small_order_ed25519_keys_would_let_anyone_forge_a_quorum() {
        let api = MockApi::default();
        let digest = [0x5a; 32];
        let forged: Vec<AttesterSignature> = (0..5)
            .map(|index| AttesterSignature {
                index,
                signature: forged_signature(),
            })
            .collect();
        // The attack: a set of small-order keys, a quorum of signatures nobody made.
        let small_order = AttesterSet {
            attesters: SMALL_ORDER
                .iter()
                .map(|key| Attester {
                    pubkey: ed_hex(key),
                    weight: 1,
                })
                .collect(),
            threshold: 5,
        };
        // The host accepts the forgery: one by one, and in the batch `verify_signatures`
        // makes of them.
        for attester in &small_order.attesters {
            attester
                .pubkey
                .verify(&api, &digest, &forged_signature())
                .unwrap();
        }
        assert_eq!(small_order.verify_signatures(&api, &digest, &forged), Ok(5));
        // So such a set must never be accepted.
        assert_eq!(
            small_order.validate(&api).unwrap_err(),
            AttesterSetError::InvalidKey {
                index: 0,
                key_type: "ed25519",
                reason: "small-order point".into(),
            }
        );
        // The identity encoded twice (y = 1 and the non-canonical y = p + 1): two
        // attesters by their bytes, one point, and each counts.
        let twice = AttesterSet {
            attesters: vec![
                Attester {
                    pubkey: ed_hex(SMALL_ORDER[0]),
                    weight: 1,
                },
                Attester {
                    pubkey: ed_hex(
                        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                    ),
                    weight: 1,
                },
            ],
            threshold: 2,
        };
        assert_eq!(twice.verify_signatures(&api, &digest, &forged[..2]), Ok(2));
        assert_eq!(
            twice.validate(&api).unwrap_err(),
            AttesterSetError::InvalidKey {
                index: 0,
                key_type: "ed25519",
                reason: "small-order point".into(),
            }
        );
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
