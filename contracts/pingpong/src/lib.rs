//! # ccmp-pingpong
//!
//! The example CCMP dApp, written to be copied. It sends a `ping` to its peer on another
//! chain through its own chain's outbox; the peer receives it from its inbox in
//! `ccmp_receive`, records it and answers with a `pong` carrying the ping's nonce. A pong
//! is only recorded, never answered. Pongs are paid from the contract's balance, so they
//! are sent only within a pong budget (at most `max_pongs_per_window` per
//! `window_seconds`) and while the balance covers the fee; other pings are accepted
//! without an answer. Never pay for an answer from a balance an outsider can trigger
//! without a bound.
//!
//! `execute::ccmp_receive` shows every check a receiver must make, and why.

pub mod contract;
pub mod error;
mod execute;
pub mod msg;
mod query;
pub mod state;

pub use crate::error::ContractError;
