//! # ccmp-pingpong
//!
//! The example CCMP dApp, written to be copied. It sends a `ping` to its peer on another
//! chain through its own chain's outbox; the peer receives it from its inbox in
//! `ccmp_receive`, records it and answers with a `pong` carrying the ping's nonce. A pong
//! is only recorded, never answered.
//!
//! `execute::ccmp_receive` shows every check a receiver must make, and why.

pub mod contract;
pub mod error;
mod execute;
pub mod msg;
mod query;
pub mod state;

pub use crate::error::ContractError;
