//! # ccmp-outbox
//!
//! The source side of CCMP. A dApp calls `send`; the outbox gives the message the next
//! nonce of its destination's lane, appends the message id to the lane's Merkle tree and
//! stores the lane's new `(size, root)`, which attesters sign and relayers prove against.

pub mod contract;
pub mod error;
mod events;
mod execute;
pub mod msg;
mod query;
pub mod state;

pub use crate::error::ContractError;
