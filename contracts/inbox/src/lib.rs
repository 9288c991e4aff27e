//! # ccmp-inbox
//!
//! The destination side of CCMP, and its security boundary. For each source chain it keeps
//! a light client of that chain's outbox lane to this chain: checkpoints attested by the
//! source's attester set and proven consistent with each other, frozen on equivocation.
//! Messages are delivered with an inclusion proof against a stored checkpoint, each at most
//! once, to their recipient's `ccmp_receive`; a failing receiver is recorded, never able
//! to block or corrupt the inbox, and its message can be retried.

pub mod contract;
mod delivery;
pub mod error;
mod events;
mod execute;
mod light_client;
pub mod msg;
mod query;
pub mod state;
mod util;

pub use crate::delivery::{MAX_ERROR_BYTES, RECEIVE_REPLY_ID};
pub use crate::error::ContractError;
pub use crate::events::{
    ATTESTERS_EVENT, CHECKPOINT_EVENT, DELIVER_EVENT, RETRY_EVENT, SOURCE_FROZEN_EVENT,
};
pub use crate::execute::{
    DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_RECEIVE_GAS_LIMIT, DEFAULT_RECEIVE_GAS_LIMIT,
    MAX_BATCH_SIZE_CAP, MAX_BODY_LIMIT, MAX_RECEIVE_GAS_LIMIT_CAP, MIN_RECEIVE_GAS_LIMIT,
};
