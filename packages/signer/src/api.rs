//! The attester service's public HTTP interface, as JSON (served by `ccmp-attester`, read by
//! `ccmp-relayer`): the types live here so both sides agree byte for byte.
//!
//! - `GET /v1/checkpoints/{source_chain}/{destination_chain}/latest`: the newest checkpoint
//!   this attester signed on that lane.
//! - `GET /v1/checkpoints/{source_chain}/{destination_chain}/{size}`: the one of `size`, if
//!   signed (404 otherwise).
//! - `GET /health`: 200 with [`Health`] while the attester follows its lanes, 503 when it
//!   has stopped (fail-closed).
//! - `GET /metrics`: Prometheus text format.
//!
//! Errors (400, 404) are `{ "error": "<what was wrong>" }` ([`ErrorBody`]).

use ccmp_types::{
    checkpoint_digest, to_hash, AttesterSet, CodecError, Hash, PubKey, SignatureFault,
};
use cosmwasm_std::{Api, Binary, HexBinary};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// One attester's signature of one checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCheckpoint {
    pub source_chain: String,
    pub source_outbox: String,
    pub destination_chain: String,
    pub size: u64,
    pub root: HexBinary,
    /// The checkpoint digest signed (PROTOCOL.md §4), for the relayer to check.
    pub digest: HexBinary,
    /// `secp256k1` or `ed25519`.
    pub key_type: String,
    pub pubkey: HexBinary,
    pub signature: HexBinary,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    /// Per lane: the newest size signed.
    pub lanes: Vec<LaneHealth>,
    /// Why the attester is unhealthy (a refusal, a lane it stopped following), oldest
    /// first; absent while it is healthy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaneHealth {
    pub source_chain: String,
    pub destination_chain: String,
    pub signed_size: u64,
}

/// The body of a 400 or 404 answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
}

/// One attester's signature of an attester-set hand-over (PROTOCOL.md §4): what
/// `ccmp attest sign-rotation` prints, for the operator who collects the current set's
/// signatures into `rotate_attesters`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignedRotation {
    pub source_chain: String,
    pub source_outbox: String,
    pub destination_chain: String,
    pub new_epoch: u64,
    pub attesters: AttesterSet,
    /// `AttesterSet::digest` (v2) of `attesters` for this lane and epoch.
    pub digest: HexBinary,
    pub key_type: String,
    pub pubkey: HexBinary,
    pub signature: HexBinary,
}

impl SignedRotation {
    /// The signature as `rotate_attesters` takes it, at the signer's `index` in the
    /// current set.
    pub fn attester_signature(&self, index: u32) -> ccmp_types::AttesterSignature {
        ccmp_types::AttesterSignature {
            index,
            signature: Binary::new(self.signature.to_vec()),
        }
    }
}

/// Why a [`SignedCheckpoint`] does not check out.
#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error("unknown key type {0:?}")]
    UnknownKeyType(String),
    #[error("digest {given} is not the checkpoint's digest {computed}")]
    WrongDigest { given: String, computed: String },
    #[error("signature does not verify: {0}")]
    Signature(#[from] SignatureFault),
}

/// A public key from its JSON form (`key_type` and the key's bytes).
pub fn pubkey_from_parts(key_type: &str, bytes: &[u8]) -> Result<PubKey, VerifyError> {
    let bytes = Binary::new(bytes.to_vec());
    match key_type {
        "secp256k1" => Ok(PubKey::Secp256k1(bytes)),
        "ed25519" => Ok(PubKey::Ed25519(bytes)),
        other => Err(VerifyError::UnknownKeyType(other.to_string())),
    }
}

impl SignedCheckpoint {
    /// The checkpoint digest of this lane, size and root (PROTOCOL.md §4).
    pub fn computed_digest(&self) -> Result<Hash, VerifyError> {
        Ok(checkpoint_digest(
            &self.source_chain,
            &self.source_outbox,
            &self.destination_chain,
            self.size,
            &to_hash("root", &self.root)?,
        )?)
    }

    pub fn pubkey(&self) -> Result<PubKey, VerifyError> {
        pubkey_from_parts(&self.key_type, &self.pubkey)
    }

    /// What a relayer checks before using the signature: `digest` is the checkpoint's
    /// digest and `signature` verifies over it under `pubkey` (through `api`, as the inbox
    /// verifies). Whether `pubkey` is in the inbox's set is the relayer's to check.
    pub fn verify(&self, api: &dyn Api) -> Result<(), VerifyError> {
        let computed = self.computed_digest()?;
        if computed[..] != self.digest[..] {
            return Err(VerifyError::WrongDigest {
                given: self.digest.to_hex(),
                computed: HexBinary::from(&computed).to_hex(),
            });
        }
        self.pubkey()?.verify(api, &computed, &self.signature)?;
        Ok(())
    }
}
