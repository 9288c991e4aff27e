//! Shared helpers for the integration tests: the spec's `vectors.json` (the in-repo copy in
//! `tests/data`) and typed readers for its hex fields.
//!
//! Every test binary compiles this module but none uses all of it.
#![allow(dead_code)]

use std::sync::OnceLock;

use ccmp_types::{Attester, AttesterSet, AttesterSignature, Hash, Message, PubKey};
use cosmwasm_std::{Binary, Timestamp};
use serde_json::Value;

/// The vectors, byte for byte as committed.
pub const VECTORS_JSON: &str = include_str!("../data/vectors.json");

/// The parsed vectors.
pub fn vectors() -> &'static Value {
    static PARSED: OnceLock<Value> = OnceLock::new();
    PARSED.get_or_init(|| serde_json::from_str(VECTORS_JSON).expect("vectors.json parses"))
}

/// `vectors()[path[0]][path[1]]...`, panicking with the path when a key is missing, so a
/// renamed field in the vectors fails loudly instead of reading as null.
pub fn at<'a>(value: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(value, |value, key| {
        value
            .get(key)
            .unwrap_or_else(|| panic!("vectors: no field {key:?} (path {path:?})"))
    })
}

pub fn section(name: &str) -> &'static Value {
    at(vectors(), &[name])
}

pub fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    at(value, &[key])
        .as_str()
        .unwrap_or_else(|| panic!("vectors: {key:?} is not a string"))
}

pub fn u64_of(value: &Value, key: &str) -> u64 {
    at(value, &[key])
        .as_u64()
        .unwrap_or_else(|| panic!("vectors: {key:?} is not a u64"))
}

pub fn array_of<'a>(value: &'a Value, key: &str) -> &'a Vec<Value> {
    at(value, &[key])
        .as_array()
        .unwrap_or_else(|| panic!("vectors: {key:?} is not an array"))
}

/// Decodes a hex string value (no `0x` prefix).
pub fn hex_bytes(value: &Value) -> Vec<u8> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("vectors: {value} is not a hex string"));
    hex::decode(text).unwrap_or_else(|err| panic!("vectors: {text:?} is not hex: {err}"))
}

/// Decodes a hex string value that must be exactly 32 bytes.
pub fn hash(value: &Value) -> Hash {
    let bytes = hex_bytes(value);
    bytes
        .as_slice()
        .try_into()
        .unwrap_or_else(|_| panic!("vectors: {value} is {} bytes, not 32", bytes.len()))
}

/// Decodes an array of 32-byte hex hashes.
pub fn hashes(value: &Value) -> Vec<Hash> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("vectors: {value} is not an array"))
        .iter()
        .map(hash)
        .collect()
}

/// Builds a `Message` from a vector's message object: `body_hex` is the body and a
/// `timeout_timestamp` of 0 is "no timeout".
pub fn message(value: &Value) -> Message {
    let timeout = u64_of(value, "timeout_timestamp");
    Message {
        nonce: u64_of(value, "nonce"),
        source_chain: str_of(value, "source_chain").to_string(),
        sender: str_of(value, "sender").to_string(),
        destination_chain: str_of(value, "destination_chain").to_string(),
        recipient: str_of(value, "recipient").to_string(),
        timeout_timestamp: (timeout != 0).then(|| Timestamp::from_nanos(timeout)),
        body: Binary::new(hex_bytes(at(value, &["body_hex"]))),
    }
}

/// A public key from a vector's `key_type` and `pubkey_hex`.
pub fn pubkey(key_type: &str, key: Vec<u8>) -> PubKey {
    match key_type {
        "secp256k1" => PubKey::Secp256k1(key.into()),
        "ed25519" => PubKey::Ed25519(key.into()),
        other => panic!("vectors: unknown key_type {other:?}"),
    }
}

/// The six test keys, in the order of the checkpoint section's signatures.
pub fn checkpoint_keys() -> Vec<PubKey> {
    array_of(section("checkpoint"), "signatures")
        .iter()
        .map(|entry| {
            pubkey(
                str_of(entry, "key_type"),
                hex_bytes(at(entry, &["pubkey_hex"])),
            )
        })
        .collect()
}

/// The raw signature bytes of a vector section's `signatures` array.
pub fn signature_bytes(section: &Value) -> Vec<Vec<u8>> {
    array_of(section, "signatures")
        .iter()
        .map(|entry| hex_bytes(at(entry, &["signature_hex"])))
        .collect()
}

/// The key type of each entry of a section's `signatures` array.
pub fn signature_key_types(section: &Value) -> Vec<String> {
    array_of(section, "signatures")
        .iter()
        .map(|entry| str_of(entry, "key_type").to_string())
        .collect()
}

/// `signatures[i]` submitted under index `i`, for each `i` in `indices`.
pub fn submit(signatures: &[Vec<u8>], indices: &[u32]) -> Vec<AttesterSignature> {
    indices
        .iter()
        .map(|&index| AttesterSignature {
            index,
            signature: Binary::new(signatures[index as usize].clone()),
        })
        .collect()
}

/// All of `signatures`, each under its own position.
pub fn submit_all(signatures: &[Vec<u8>]) -> Vec<AttesterSignature> {
    let indices: Vec<u32> = (0..signatures.len() as u32).collect();
    submit(signatures, &indices)
}

/// The epoch-1 attester set: the six test keys. The vectors give its keys (the checkpoint
/// section) but not its weights or threshold, so this assumes weight 1 each and the
/// smallest majority threshold, 4 of 6.
pub const EPOCH1_WEIGHT: u64 = 1;
pub const EPOCH1_THRESHOLD: u64 = 4;

pub fn epoch1_set() -> AttesterSet {
    AttesterSet {
        attesters: checkpoint_keys()
            .into_iter()
            .map(|pubkey| Attester {
                pubkey,
                weight: EPOCH1_WEIGHT,
            })
            .collect(),
        threshold: EPOCH1_THRESHOLD,
    }
}

/// The epoch-2 attester set of the `attester_set` section, exactly as the vectors give it.
pub fn epoch2_set() -> AttesterSet {
    let section = section("attester_set");
    AttesterSet {
        attesters: array_of(section, "attesters")
            .iter()
            .map(|entry| Attester {
                pubkey: pubkey(
                    str_of(entry, "key_type"),
                    hex_bytes(at(entry, &["pubkey_hex"])),
                ),
                weight: u64_of(entry, "weight"),
            })
            .collect(),
        threshold: u64_of(section, "threshold"),
    }
}

/// Flips one bit of a hash.
pub fn flip_bit(hash: &Hash, bit: usize) -> Hash {
    let mut flipped = *hash;
    flipped[(bit / 8) % 32] ^= 1 << (bit % 8);
    flipped
}

/// `n` distinct leaves, different for every seed.
pub fn leaves(seed: u64, n: usize) -> Vec<Hash> {
    (0..n as u64)
        .map(|i| {
            let mut data = seed.to_be_bytes().to_vec();
            data.extend_from_slice(&i.to_be_bytes());
            ccmp_types::leaf_hash(&data)
        })
        .collect()
}
