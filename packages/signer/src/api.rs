//! The attester's public HTTP interface, as JSON. Relayers fetch signatures from here; the
//! types are shared so both sides agree byte for byte.
//!
//! - `GET /v1/checkpoints/{source_chain}/{destination_chain}/latest`: the newest checkpoint
//!   this attester signed on that lane.
//! - `GET /v1/checkpoints/{source_chain}/{destination_chain}/{size}`: the one of `size`, if
//!   signed (404 otherwise).
//! - `GET /health`: 200 with [`Health`] while the attester follows its lanes, 503 when it
//!   has stopped (fail-closed).
//! - `GET /metrics`: Prometheus text format.

use cosmwasm_std::HexBinary;
use serde::{Deserialize, Serialize};

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
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaneHealth {
    pub source_chain: String,
    pub destination_chain: String,
    pub signed_size: u64,
}
