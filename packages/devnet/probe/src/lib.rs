//! A purpose-built test contract for `ccmp-devnet`. Each message exercises one piece of a
//! CosmWasm chain's semantics — storage, sub-messages and every reply mode, payloads, gas
//! limits, events, queries between contracts, bank sends, the address API — so the
//! runtime's tests can assert exact values. Not for deployment.

pub mod contract;
pub mod msg;
