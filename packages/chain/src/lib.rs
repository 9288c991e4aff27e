//! # ccmp-chain
//!
//! The one interface between CCMP's off-chain services (attester, relayer, operator
//! commands, the demo) and the chains they work on: [`ChainClient`]. Nothing above it
//! knows whether it talks to an embedded chain in this process ([`embedded`]) or to a wasmd
//! node over CometBFT RPC ([`rpc`]).
//!
//! It offers what the services need and no more: the chain's id and latest block; smart
//! and raw queries (at a height where the backend keeps history); simulating and
//! broadcasting a transaction of one or more execute messages with a gas limit, and its
//! outcome; storing and instantiating code (for `ccmp deploy`); and the events a contract
//! emitted in a range of blocks, filtered by the emitting contract's address (the
//! `_contract_address` attribute, which a contract cannot forge).

pub mod embedded;
pub mod layer;
pub mod localnet;
pub mod record;
pub mod rpc;

use async_trait::async_trait;
use cosmwasm_std::{Binary, Coin, Event, Timestamp};
use serde::de::DeserializeOwned;
use serde::Serialize;
use thiserror::Error;

/// The attribute wasmd adds to every event a contract emits, naming the contract.
pub const CONTRACT_ADDRESS_ATTRIBUTE: &str = "_contract_address";

/// One `MsgExecuteContract` of a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execute {
    pub contract: String,
    /// The JSON execute message.
    pub msg: Vec<u8>,
    pub funds: Vec<Coin>,
}

impl Execute {
    pub fn new(contract: impl Into<String>, msg: &impl Serialize) -> Result<Execute, ChainError> {
        Ok(Execute {
            contract: contract.into(),
            msg: serde_json::to_vec(msg).map_err(|e| ChainError::Encode(e.to_string()))?,
            funds: vec![],
        })
    }

    pub fn with_funds(mut self, funds: Vec<Coin>) -> Execute {
        self.funds = funds;
        self
    }
}

/// The latest block a node has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainStatus {
    pub chain_id: String,
    pub height: u64,
    pub time: Timestamp,
}

/// A transaction that made it into a block: `code` 0 is success, anything else a failure
/// whose state changes were dropped (but whose gas was paid).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxResult {
    pub txhash: String,
    pub height: u64,
    pub code: u32,
    /// The chain's log: the error text on failure.
    pub log: String,
    pub gas_wanted: u64,
    pub gas_used: u64,
    /// The events of the transaction's messages (as the chain emits them, `wasm-` prefix
    /// on contract events).
    pub events: Vec<Event>,
    /// The last message's result data.
    pub data: Option<Binary>,
    /// The signed transaction's bytes as the chain has them (what `TxSizeCostPerByte` is
    /// charged on); 0 where the backend has no signed transaction (the embedded chain).
    pub tx_bytes: u64,
}

impl TxResult {
    pub fn is_ok(&self) -> bool {
        self.code == 0
    }

    /// The events of type `ty`.
    pub fn events_of<'a>(&'a self, ty: &'a str) -> impl Iterator<Item = &'a Event> + 'a {
        self.events.iter().filter(move |e| e.ty == ty)
    }

    /// The first value of `key` in an event of type `ty`.
    pub fn attribute(&self, ty: &str, key: &str) -> Option<&str> {
        self.events
            .iter()
            .filter(|e| e.ty == ty)
            .flat_map(|e| e.attributes.iter())
            .find(|a| a.key == key)
            .map(|a| a.value.as_str())
    }

    /// The failure as an error, or `self` on success.
    pub fn into_result(self) -> Result<TxResult, ChainError> {
        if self.is_ok() {
            Ok(self)
        } else {
            Err(ChainError::TxFailed {
                code: self.code,
                log: self.log,
                gas_used: self.gas_used,
                height: self.height,
            })
        }
    }
}

/// An event a contract emitted, with where it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractEvent {
    pub height: u64,
    pub txhash: String,
    pub event: Event,
}

impl ContractEvent {
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.event
            .attributes
            .iter()
            .find(|a| a.key == key)
            .map(|a| a.value.as_str())
    }
}

/// A contract as the chain records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractInfo {
    pub address: String,
    pub code_id: u64,
    pub creator: String,
    pub admin: Option<String>,
    pub label: String,
}

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum ChainError {
    /// The node could not be reached or answered garbage: worth retrying.
    #[error("chain {chain_id:?} unreachable: {reason}")]
    Unreachable { chain_id: String, reason: String },
    /// The node refused the transaction before a block (CheckTx): nothing happened, the
    /// account sequence did not move.
    #[error("transaction refused by the node: {log}")]
    Rejected { log: String },
    /// The transaction ran in a block and failed (out of gas, a contract error): its gas
    /// was paid, its state changes dropped.
    #[error("transaction failed at height {height} (code {code}, gas used {gas_used}): {log}")]
    TxFailed {
        code: u32,
        log: String,
        gas_used: u64,
        height: u64,
    },
    /// Simulation failed: the transaction would fail (the log says why).
    #[error("simulation failed: {log}")]
    SimulationFailed { log: String },
    /// A smart query was answered with an error by the contract or the node.
    #[error("query of {contract} failed: {error}")]
    Query { contract: String, error: String },
    #[error("no contract at {address}")]
    NoSuchContract { address: String },
    #[error("height {height} is not available (the backend keeps {kept})")]
    HeightUnavailable { height: u64, kept: String },
    #[error("cannot encode: {0}")]
    Encode(String),
    #[error("cannot decode the answer: {0}")]
    Decode(String),
    #[error("timed out after {seconds} s waiting for {what}")]
    Timeout { what: String, seconds: u64 },
}

impl ChainError {
    /// Whether trying again later may succeed without changing the request.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ChainError::Unreachable { .. } | ChainError::Timeout { .. }
        )
    }
}

/// Access to one chain as one signer. Every service is written against this trait.
#[async_trait]
pub trait ChainClient: Send + Sync {
    /// The chain id this client is configured for.
    fn chain_id(&self) -> &str;
    /// The address that signs this client's transactions.
    fn signer(&self) -> &str;
    async fn status(&self) -> Result<ChainStatus, ChainError>;
    /// A smart query's JSON answer; `height` None is the latest state.
    async fn query_smart(
        &self,
        contract: &str,
        msg: &[u8],
        height: Option<u64>,
    ) -> Result<Vec<u8>, ChainError>;
    /// The raw value under `key` in `contract`'s storage.
    async fn query_raw(
        &self,
        contract: &str,
        key: &[u8],
        height: Option<u64>,
    ) -> Result<Option<Vec<u8>>, ChainError>;
    async fn contract_info(&self, address: &str) -> Result<Option<ContractInfo>, ChainError>;
    /// The gas the transaction would use (the chain's own estimate, before any margin).
    async fn simulate(&self, msgs: &[Execute]) -> Result<u64, ChainError>;
    /// Signs and broadcasts one transaction and waits until it is in a block. A failure
    /// in the block is `Ok` with a non-zero `code`; a refusal before it is an error.
    async fn broadcast(&self, msgs: &[Execute], gas_limit: u64) -> Result<TxResult, ChainError>;
    /// Stores wasm code; returns its code id.
    async fn store_code(&self, wasm: &[u8], gas_limit: u64) -> Result<(u64, TxResult), ChainError>;
    /// Instantiates a contract; returns its address.
    async fn instantiate(
        &self,
        code_id: u64,
        msg: &[u8],
        label: &str,
        admin: Option<&str>,
        gas_limit: u64,
    ) -> Result<(String, TxResult), ChainError>;
    /// The events `contract` emitted in blocks `from..=to`, in order. Only events whose
    /// `_contract_address` is `contract`: another contract cannot forge them.
    async fn contract_events(
        &self,
        contract: &str,
        from: u64,
        to: u64,
    ) -> Result<Vec<ContractEvent>, ChainError>;
}

/// A typed smart query.
pub async fn query<T: DeserializeOwned>(
    chain: &dyn ChainClient,
    contract: &str,
    msg: &impl Serialize,
) -> Result<T, ChainError> {
    query_at(chain, contract, msg, None).await
}

/// A typed smart query at `height`.
pub async fn query_at<T: DeserializeOwned>(
    chain: &dyn ChainClient,
    contract: &str,
    msg: &impl Serialize,
    height: Option<u64>,
) -> Result<T, ChainError> {
    let msg = serde_json::to_vec(msg).map_err(|e| ChainError::Encode(e.to_string()))?;
    let answer = chain.query_smart(contract, &msg, height).await?;
    serde_json::from_slice(&answer).map_err(|e| ChainError::Decode(e.to_string()))
}
