//! A CosmWasm chain in a process, for tests and gas benchmarks of compiled contracts.
//!
//! cw-multi-test runs contracts as native Rust; this crate runs the `.wasm` a chain would
//! run, in the real VM (cosmwasm-vm, with its static checks and gas metering), and
//! reproduces around it what a stock wasmd chain does:
//!
//! - storing code (the VM's checks against the chain's capabilities; a module cache shared
//!   by the whole process), instantiate (wasmd's classic addresses), execute, migrate, sudo
//!   and smart/raw queries;
//! - the message semantics of wasmd: funds moved before a call, `WasmMsg` and
//!   `BankMsg::Send` sub-messages with every `ReplyOn`, `payload`, `gas_limit` (running out
//!   inside a limited sub-message is an error its caller's `reply` sees), replies, a branch
//!   of the state per sub-message and per transaction, reply data overriding response data,
//!   events as a chain emits them, queries between contracts and to the bank;
//! - the gas a wasmd chain charges per call, part by part, in a [`GasReport`]: VM gas
//!   converted at 140,000 per SDK gas, the instance cost, KV-store gas, the address API,
//!   response deserialization, events and replies (see [`gas`] for every constant and
//!   where it comes from). Not metered: the SDK's own bookkeeping around a message (ante
//!   handler, signatures, tx size, contract and code info reads, bank module storage).
//!
//! ```no_run
//! use ccmp_devnet::{Chain, ChainConfig};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut chain = Chain::new(ChainConfig::new("chain-a", "wasm"))?;
//! let code_id = chain.store_code(&std::fs::read("artifacts/ccmp_outbox.wasm")?)?;
//! let owner = chain.account("owner");
//! let (outbox, _) = chain.instantiate(code_id, &owner, &serde_json::json!({}), &[], "outbox")?;
//! let outcome = chain.execute(&owner, &outbox, &serde_json::json!({ "pause": {} }), &[])?;
//! println!("{}", outcome.gas);
//! # Ok(()) }
//! ```

mod address;
mod backend;
mod cache;
mod chain;
mod error;
pub mod gas;
mod outcome;
mod runtime;
mod store;

pub use chain::{
    Chain, ChainConfig, CodeInfo, ContractInfo, DEFAULT_QUERY_GAS_LIMIT, STOCK_CAPABILITIES,
};
pub use error::{Error, TxError};
pub use gas::GasReport;
pub use outcome::{CallGas, EntryPoint, TxOutcome};
