//! The RPC backend: a wasmd node (CometBFT 0.38) over its CometBFT JSON-RPC endpoint.
//!
//! Everything goes through the one RPC address: queries are `abci_query` with the
//! module's gRPC method as path (`/cosmwasm.wasm.v1.Query/SmartContractState`, ...),
//! simulation is `/cosmos.tx.v1beta1.Service/Simulate` the same way, transactions are
//! signed here (SIGN_MODE_DIRECT, secp256k1) and sent with `broadcast_tx_sync`, then
//! `tx` is polled by hash until the transaction is in a block.
//!
//! One client is one signer. Its account number and sequence are read at
//! [`RpcClient::connect`] and tracked behind a mutex: one transaction of a client is in
//! flight at a time, the sequence moves only once CheckTx has accepted a transaction,
//! and a CheckTx refusal for a wrong sequence (another process signed with the same key,
//! or a transaction dropped from the mempool) resyncs to the sequence the node expects
//! and is tried once more.
//!
//! `contract_events` reads `block_results` height by height (the results of every
//! transaction and CometBFT 0.38's `finalize_block_events`) and keeps the events a
//! contract emitted (`wasm` and `wasm-*` with its `_contract_address`), as the embedded
//! backend does; a transaction's hash is the SHA-256 of its bytes in the block.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use cosmrs::crypto::secp256k1::SigningKey;
use cosmrs::crypto::PublicKey;
use cosmrs::proto::cosmos::auth::v1beta1::{
    BaseAccount, QueryAccountRequest, QueryAccountResponse,
};
use cosmrs::proto::cosmos::base::abci::v1beta1::TxMsgData;
use cosmrs::proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use cosmrs::proto::cosmos::tx::signing::v1beta1::SignMode;
use cosmrs::proto::cosmos::tx::v1beta1::{
    mode_info, AuthInfo, Fee, ModeInfo, SignDoc, SignerInfo, SimulateRequest, SimulateResponse,
    TxBody, TxRaw,
};
use cosmrs::proto::cosmwasm::wasm::v1::{
    MsgExecuteContract, MsgExecuteContractResponse, MsgInstantiateContract,
    MsgInstantiateContractResponse, MsgStoreCode, MsgStoreCodeResponse, QueryContractInfoRequest,
    QueryContractInfoResponse, QueryRawContractStateRequest, QueryRawContractStateResponse,
    QuerySmartContractStateRequest, QuerySmartContractStateResponse,
};
use cosmrs::proto::prost::{Message, Name};
use cosmrs::tendermint::abci;
use cosmrs::tendermint::block::Height;
use cosmrs::Any;
use cosmwasm_std::{Attribute, Binary, Event, Timestamp};
use futures::stream::{self, StreamExt, TryStreamExt};
use sha2::{Digest, Sha256};
use tendermint_rpc::client::CompatMode;
use tendermint_rpc::error::ErrorDetail;
use tendermint_rpc::{Client, HttpClient, HttpClientUrl};
use tokio::sync::Mutex;

use crate::{
    ChainClient, ChainError, ChainStatus, ContractEvent, ContractInfo, Execute, TxResult,
    CONTRACT_ADDRESS_ATTRIBUTE,
};

/// How long one RPC request may take before the node counts as unreachable.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// How often `tx` is asked for a broadcast transaction.
pub const POLL_INTERVAL: Duration = Duration::from_millis(150);
/// `block_results` (and `block`) requests in flight at once while reading events.
pub const EVENTS_CONCURRENCY: usize = 8;

/// The SDK's code for a wrong account sequence (codespace `sdk`).
pub const CODE_WRONG_SEQUENCE: u32 = 32;

/// Where a node is and how its transactions are paid for.
#[derive(Clone, Debug, PartialEq)]
pub struct RpcConfig {
    pub chain_id: String,
    /// The CometBFT RPC address, e.g. `http://127.0.0.1:36657`.
    pub rpc_url: String,
    /// The chain's bech32 account prefix, e.g. `ccmpa`.
    pub account_prefix: String,
    pub fee_denom: String,
    /// The fee per gas unit in `fee_denom`.
    pub gas_price: f64,
    /// Applied to simulated gas by [`RpcClient::gas_limit_for`].
    pub gas_multiplier: f64,
    /// The largest gas limit of one transaction.
    pub max_gas: u64,
    /// How long a broadcast waits for its transaction to be in a block.
    pub tx_timeout: Duration,
    /// Heights read per batch of `block_results` by `contract_events`.
    pub events_chunk: u64,
}

impl RpcConfig {
    /// A config with the defaults: gas price 0.025, multiplier 1.4, at most 50,000,000
    /// gas a transaction, 60 s to wait for inclusion, events read 50 heights at a time.
    pub fn new(
        chain_id: impl Into<String>,
        rpc_url: impl Into<String>,
        account_prefix: impl Into<String>,
        fee_denom: impl Into<String>,
    ) -> RpcConfig {
        RpcConfig {
            chain_id: chain_id.into(),
            rpc_url: rpc_url.into(),
            account_prefix: account_prefix.into(),
            fee_denom: fee_denom.into(),
            gas_price: 0.025,
            gas_multiplier: 1.4,
            max_gas: 50_000_000,
            tx_timeout: Duration::from_secs(60),
            events_chunk: 50,
        }
    }
}

/// What the node offered when the client connected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeProbe {
    pub chain_id: String,
    /// The CometBFT version the node reports.
    pub node_version: String,
    pub moniker: String,
    /// The lowest height whose blocks and results the node still has.
    pub earliest_height: u64,
    pub latest_height: u64,
    pub catching_up: bool,
    /// Whether the node indexes transactions (`tx` by hash needs it).
    pub tx_indexer: bool,
    /// The block gas limit of the consensus params; `None` when unlimited or unread.
    pub block_max_gas: Option<u64>,
    pub account_number: u64,
    /// The account's sequence when the client connected.
    pub sequence: u64,
}

/// The signer's account as this client tracks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Account {
    number: u64,
    sequence: u64,
}

/// A wasmd node over CometBFT RPC, as one signer.
pub struct RpcClient {
    config: RpcConfig,
    http: HttpClient,
    key: SigningKey,
    public_key: PublicKey,
    address: String,
    probe: NodeProbe,
    /// Held for the whole of a broadcast: one transaction in flight per signer.
    account: Mutex<Account>,
    /// The sequence of the next transaction, readable without waiting for a broadcast
    /// (simulations sign with it).
    sequence_hint: AtomicU64,
}

impl std::fmt::Debug for RpcClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RpcClient")
            .field("chain_id", &self.config.chain_id)
            .field("rpc_url", &self.config.rpc_url)
            .field("signer", &self.address)
            .finish_non_exhaustive()
    }
}

/// The bech32 account address of a secp256k1 key: RIPEMD-160 of the SHA-256 of the
/// compressed public key, with `prefix`.
pub fn address_of(secp256k1_secret: &[u8; 32], prefix: &str) -> Result<String, ChainError> {
    let key = SigningKey::from_slice(secp256k1_secret)
        .map_err(|_| ChainError::Encode("not a valid secp256k1 secret key".into()))?;
    key.public_key()
        .account_id(prefix)
        .map(|id| id.to_string())
        .map_err(|e| ChainError::Encode(format!("bad account prefix {prefix:?}: {e}")))
}

/// The fee for `gas_limit` at `gas_price`: rounded up to a whole unit.
pub fn fee_amount(gas_limit: u64, gas_price: f64) -> u128 {
    let fee = (gas_limit as f64 * gas_price).ceil();
    if fee.is_finite() && fee > 0.0 {
        // Saturating: f64 to u128 clamps at the bounds.
        fee as u128
    } else {
        0
    }
}

/// The gas limit for a transaction simulated at `simulated`: times `multiplier`, rounded
/// up, at least `simulated`, at most `max_gas` and the block's gas limit.
pub fn gas_limit(simulated: u64, multiplier: f64, max_gas: u64, block_max_gas: Option<u64>) -> u64 {
    let scaled = (simulated as f64 * multiplier).ceil();
    let scaled = if scaled.is_finite() && scaled > 0.0 {
        (scaled as u64).max(simulated)
    } else {
        simulated
    };
    let cap = block_max_gas.map_or(max_gas, |b| b.min(max_gas));
    scaled.min(cap).max(1)
}

/// The sequence the node expects, from a CheckTx (or simulation) log such as
/// `account sequence mismatch, expected 7, got 5: incorrect account sequence`.
pub fn expected_sequence(log: &str) -> Option<u64> {
    let rest = &log[log.find("account sequence mismatch")?..];
    let rest = &rest[rest.find("expected")? + "expected".len()..];
    let digits: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// An ABCI event as a CosmWasm event (attribute bytes that are not UTF-8 are replaced).
/// The attributes are built as they are: `Attribute::new` refuses (in debug builds) the
/// keys wasmd reserves, such as `_contract_address`.
pub fn to_event(event: &abci::Event) -> Event {
    let mut converted = Event::new(event.kind.clone());
    converted.attributes = event
        .attributes
        .iter()
        .map(|a| Attribute {
            key: String::from_utf8_lossy(a.key_bytes()).into_owned(),
            value: String::from_utf8_lossy(a.value_bytes()).into_owned(),
        })
        .collect();
    converted
}

/// Whether `event` was emitted by `contract` (a `wasm` or `wasm-*` event with its address
/// in `_contract_address`, which only wasmd sets).
pub fn emitted_by(event: &Event, contract: &str) -> bool {
    event.ty.starts_with("wasm")
        && event
            .attributes
            .iter()
            .any(|a| a.key == CONTRACT_ADDRESS_ATTRIBUTE && a.value == contract)
}

/// The uppercase hex SHA-256 of a transaction's bytes: its hash as CometBFT names it.
pub fn tx_hash(tx: &[u8]) -> String {
    hex::encode_upper(Sha256::digest(tx))
}

/// The events `contract` emitted in one block's results, in the order the block ran them:
/// begin-block events, the transactions in order, then the end-block events. `txs` are the
/// block's transactions (for their hashes); a failed transaction emitted nothing.
pub fn block_contract_events(
    results: &tendermint_rpc::endpoint::block_results::Response,
    txs: Option<&[Vec<u8>]>,
    contract: &str,
) -> Result<Vec<ContractEvent>, ChainError> {
    let height = results.height.value();
    let mut found = Vec::new();
    let block_event = |e: &abci::Event, mode: &str| {
        e.attributes
            .iter()
            .any(|a| a.key_bytes() == b"mode" && a.value_bytes() == mode.as_bytes())
    };
    let finalize: Vec<Event> = results
        .finalize_block_events
        .iter()
        .chain(results.begin_block_events.iter().flatten())
        .filter(|e| !block_event(e, "EndBlock"))
        .map(to_event)
        .collect();
    for event in finalize.into_iter().filter(|e| emitted_by(e, contract)) {
        found.push(ContractEvent {
            height,
            txhash: String::new(),
            event,
        });
    }
    for (index, tx) in results.txs_results.iter().flatten().enumerate() {
        if tx.code.is_err() {
            continue;
        }
        let events: Vec<Event> = tx
            .events
            .iter()
            .map(to_event)
            .filter(|e| emitted_by(e, contract))
            .collect();
        if events.is_empty() {
            continue;
        }
        let txhash = match txs.and_then(|txs| txs.get(index)) {
            Some(bytes) => tx_hash(bytes),
            None => {
                return Err(ChainError::Decode(format!(
                    "block {height} has no transaction {index} for its results"
                )))
            }
        };
        found.extend(events.into_iter().map(|event| ContractEvent {
            height,
            txhash: txhash.clone(),
            event,
        }));
    }
    let end: Vec<Event> = results
        .finalize_block_events
        .iter()
        .filter(|e| block_event(e, "EndBlock"))
        .chain(results.end_block_events.iter().flatten())
        .map(to_event)
        .collect();
    for event in end.into_iter().filter(|e| emitted_by(e, contract)) {
        found.push(ContractEvent {
            height,
            txhash: String::new(),
            event,
        });
    }
    Ok(found)
}

/// Whether any transaction of the block emitted an event of `contract` (then the block's
/// transactions are needed for their hashes).
fn txs_emitted(
    results: &tendermint_rpc::endpoint::block_results::Response,
    contract: &str,
) -> bool {
    results.txs_results.iter().flatten().any(|tx| {
        tx.code.is_ok()
            && tx
                .events
                .iter()
                .any(|e| e.kind.starts_with("wasm") && emitted_by(&to_event(e), contract))
    })
}

fn any<M: Message + Name>(msg: &M) -> Any {
    Any {
        type_url: format!("/{}", M::full_name()),
        value: msg.encode_to_vec(),
    }
}

fn coins(coins: &[cosmwasm_std::Coin]) -> Vec<ProtoCoin> {
    coins
        .iter()
        .map(|c| ProtoCoin {
            denom: c.denom.clone(),
            amount: c.amount.to_string(),
        })
        .collect()
}

/// The node's words for a state it no longer (or does not yet) have.
fn is_height_unavailable(log: &str) -> bool {
    let log = log.to_ascii_lowercase();
    // The SDK's ErrInvalidHeight, as `abci_query` below words it.
    log.contains("(codespace sdk, code 26)")
        || [
            "version does not exist",
            "failed to load state at height",
            "cannot query with height in the future",
            "is not available",
            "pruned",
            "lowest height is",
            "must be less than or equal to the current blockchain height",
        ]
        .iter()
        .any(|needle| log.contains(needle))
}

fn is_no_such_contract(log: &str) -> bool {
    let log = log.to_ascii_lowercase();
    log.contains("no such contract") || log.contains("contract: not found")
}

/// What a failed RPC call is: the node unreachable or slow (transient), or its answer.
enum RpcFailure {
    Unreachable(String),
    /// A JSON-RPC error from the node (its message and data).
    Node(String),
    Decode(String),
}

fn failure(e: &tendermint_rpc::Error) -> RpcFailure {
    match e.detail() {
        ErrorDetail::Response(r) => {
            let r = &r.source;
            let mut text = r.message().to_string();
            if let Some(data) = r.data() {
                text.push_str(": ");
                text.push_str(data);
            }
            RpcFailure::Node(text)
        }
        ErrorDetail::Parse(_)
        | ErrorDetail::Serde(_)
        | ErrorDetail::MalformedJson(_)
        | ErrorDetail::UnsupportedRpcVersion(_)
        | ErrorDetail::MismatchResponse(_)
        | ErrorDetail::Tendermint(_)
        | ErrorDetail::ParseInt(_)
        | ErrorDetail::OutOfRange(_) => RpcFailure::Decode(describe(e)),
        _ => RpcFailure::Unreachable(describe(e)),
    }
}

/// The error with its causes, without the name of flex-error's tracer it starts with.
fn describe(e: &tendermint_rpc::Error) -> String {
    let text = e.to_string();
    match text.strip_prefix("StringTracer: ") {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

fn height(h: u64) -> Result<Height, ChainError> {
    Height::try_from(h).map_err(|e| ChainError::Encode(format!("height {h}: {e}")))
}

impl RpcClient {
    /// Connects to the node at `config.rpc_url`: checks it serves `config.chain_id`, is
    /// not catching up and indexes transactions, reads the block gas limit, and reads the
    /// signer's account number and sequence.
    pub async fn connect(
        config: RpcConfig,
        secp256k1_secret: &[u8; 32],
    ) -> Result<RpcClient, ChainError> {
        let key = SigningKey::from_slice(secp256k1_secret)
            .map_err(|_| ChainError::Encode("not a valid secp256k1 secret key".into()))?;
        let public_key = key.public_key();
        let address = public_key
            .account_id(&config.account_prefix)
            .map_err(|e| {
                ChainError::Encode(format!(
                    "bad account prefix {:?}: {e}",
                    config.account_prefix
                ))
            })?
            .to_string();
        let url: HttpClientUrl = config.rpc_url.as_str().try_into().map_err(|e| {
            ChainError::Encode(format!("bad RPC address {:?}: {e}", config.rpc_url))
        })?;
        let http = HttpClient::builder(url)
            .compat_mode(CompatMode::V0_38)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| ChainError::Unreachable {
                chain_id: config.chain_id.clone(),
                reason: e.to_string(),
            })?;
        let mut client = RpcClient {
            config,
            http,
            key,
            public_key,
            address,
            probe: NodeProbe {
                chain_id: String::new(),
                node_version: String::new(),
                moniker: String::new(),
                earliest_height: 0,
                latest_height: 0,
                catching_up: false,
                tx_indexer: false,
                block_max_gas: None,
                account_number: 0,
                sequence: 0,
            },
            account: Mutex::new(Account {
                number: 0,
                sequence: 0,
            }),
            sequence_hint: AtomicU64::new(0),
        };
        let status = client.http.status().await.map_err(|e| client.error(&e))?;
        let network = status.node_info.network.to_string();
        if network != client.config.chain_id {
            return Err(ChainError::Rejected {
                log: format!(
                    "the node at {} serves chain {network:?}, not {:?}",
                    client.config.rpc_url, client.config.chain_id
                ),
            });
        }
        if status.sync_info.catching_up {
            return Err(client.unreachable(format!(
                "the node at {} is catching up (at height {})",
                client.config.rpc_url, status.sync_info.latest_block_height
            )));
        }
        let tx_indexer =
            status.node_info.other.tx_index == cosmrs::tendermint::node::info::TxIndexStatus::On;
        if !tx_indexer {
            return Err(ChainError::Rejected {
                log: format!(
                    "the node at {} does not index transactions (tx_index off): broadcasts \
                     could not wait for inclusion",
                    client.config.rpc_url
                ),
            });
        }
        let block_max_gas = match client.http.latest_consensus_params().await {
            Ok(params) => u64::try_from(params.consensus_params.block.max_gas)
                .ok()
                .filter(|g| *g > 0),
            Err(e) => match failure(&e) {
                RpcFailure::Unreachable(reason) => return Err(client.unreachable(reason)),
                // Not fatal: the limit is then only `max_gas`.
                _ => None,
            },
        };
        let account = client.query_account().await?;
        client.probe = NodeProbe {
            chain_id: network,
            node_version: status.node_info.version.to_string(),
            moniker: status.node_info.moniker.to_string(),
            earliest_height: status.sync_info.earliest_block_height.value(),
            latest_height: status.sync_info.latest_block_height.value(),
            catching_up: false,
            tx_indexer,
            block_max_gas,
            account_number: account.number,
            sequence: account.sequence,
        };
        client
            .sequence_hint
            .store(account.sequence, Ordering::SeqCst);
        *client.account.get_mut() = account;
        tracing::info!(
            chain_id = %client.config.chain_id,
            signer = %client.address,
            node_version = %client.probe.node_version,
            earliest_height = client.probe.earliest_height,
            "connected"
        );
        Ok(client)
    }

    /// What the node offered at connect.
    pub fn probe(&self) -> &NodeProbe {
        &self.probe
    }

    pub fn config(&self) -> &RpcConfig {
        &self.config
    }

    /// The gas limit to broadcast a transaction with that simulated at `simulated`:
    /// times the multiplier, at most `max_gas` and the block's gas limit.
    pub fn gas_limit_for(&self, simulated: u64) -> u64 {
        gas_limit(
            simulated,
            self.config.gas_multiplier,
            self.config.max_gas,
            self.probe.block_max_gas,
        )
    }

    /// The time in block `height`'s header (the proposer's clock when it made the block).
    pub async fn block_time(&self, height: u64) -> Result<Timestamp, ChainError> {
        let header = self
            .http
            .header(self::height(height)?)
            .await
            .map_err(|e| self.error(&e))?
            .header;
        let nanos = header.time.unix_timestamp_nanos();
        Ok(Timestamp::from_nanos(u64::try_from(nanos).unwrap_or(0)))
    }

    /// The fee a transaction with `gas_limit` pays, in `fee_denom`.
    pub fn fee_for(&self, gas_limit: u64) -> u128 {
        fee_amount(gas_limit, self.config.gas_price)
    }

    /// The sequence the next transaction will be signed with.
    pub fn next_sequence(&self) -> u64 {
        self.sequence_hint.load(Ordering::SeqCst)
    }

    /// Sets the tracked sequence (for tests of the resync: a wrong one is corrected by
    /// the next broadcast).
    pub async fn set_sequence(&self, sequence: u64) {
        let mut account = self.account.lock().await;
        account.sequence = sequence;
        self.sequence_hint.store(sequence, Ordering::SeqCst);
    }

    /// Reads the account's number and sequence from the chain again.
    pub async fn resync(&self) -> Result<u64, ChainError> {
        let mut account = self.account.lock().await;
        *account = self.query_account().await?;
        self.sequence_hint.store(account.sequence, Ordering::SeqCst);
        Ok(account.sequence)
    }

    /// Signs and broadcasts any messages (as `Any`), waiting for inclusion.
    pub async fn broadcast_any(
        &self,
        msgs: Vec<Any>,
        gas_limit: u64,
    ) -> Result<TxResult, ChainError> {
        let mut account = self.account.lock().await;
        let mut resynced = false;
        loop {
            let tx = self.sign(&msgs, gas_limit, None, *account)?;
            let sent = match self.http.broadcast_tx_sync(tx.clone()).await {
                Ok(sent) => Some(sent),
                Err(e) => match failure(&e) {
                    // A full mempool clears as blocks are made: worth retrying.
                    RpcFailure::Node(text) if text.contains("mempool is full") => {
                        return Err(self.unreachable(text))
                    }
                    // These exact signed bytes are in the node's mempool already (sent by
                    // another process signing the same messages with this key at the same
                    // sequence): it is the same transaction, so its outcome is ours.
                    RpcFailure::Node(text) if text.contains("tx already exists in cache") => {
                        tracing::warn!(chain_id = %self.config.chain_id, "the same transaction is already in the mempool: waiting for it");
                        None
                    }
                    _ => return Err(self.error(&e)),
                },
            };
            let code = sent.as_ref().map_or(0, |sent| sent.code.value());
            if code == 0 {
                account.sequence += 1;
                self.sequence_hint.store(account.sequence, Ordering::SeqCst);
                let hash = tx_hash(&tx);
                tracing::debug!(chain_id = %self.config.chain_id, txhash = %hash, "broadcast");
                let tm_hash = match &sent {
                    Some(sent) => sent.hash,
                    None => cosmrs::tendermint::Hash::Sha256(Sha256::digest(&tx).into()),
                };
                let included = self.wait_for_tx(tm_hash, hash).await?;
                // A sequence refused in the block (another signer's transaction with the
                // same key came first): the chain did not move, so neither do we.
                if included.code == CODE_WRONG_SEQUENCE {
                    if let Some(expected) = expected_sequence(&included.log) {
                        account.sequence = expected;
                        self.sequence_hint.store(expected, Ordering::SeqCst);
                    }
                }
                return Ok(included);
            }
            let log = sent.as_ref().map_or("", |sent| sent.log.as_str());
            if code == CODE_WRONG_SEQUENCE {
                if let Some(expected) = expected_sequence(log) {
                    tracing::warn!(
                        chain_id = %self.config.chain_id,
                        signer = %self.address,
                        tracked = account.sequence,
                        expected,
                        "account sequence mismatch: resynced"
                    );
                    // Taken even when not tried again, so the next broadcast is right.
                    account.sequence = expected;
                    self.sequence_hint.store(expected, Ordering::SeqCst);
                    if !resynced {
                        resynced = true;
                        continue;
                    }
                }
            }
            let (codespace, log) = sent
                .map(|sent| (sent.codespace, sent.log))
                .unwrap_or_default();
            return Err(ChainError::Rejected {
                log: format!("code {code} ({codespace}): {log}"),
            });
        }
    }

    /// Simulates any messages; the gas used.
    pub async fn simulate_any(&self, msgs: Vec<Any>) -> Result<u64, ChainError> {
        let mut account = Account {
            number: self.probe.account_number,
            sequence: self.next_sequence(),
        };
        let mut retried = false;
        loop {
            // A fee of one unit: the fee's deduction (a bank transfer) is part of what the
            // transaction costs, and one unit is in any funded account. The gas limit is
            // `max_gas` (a simulation runs on an unlimited meter anyway).
            let tx = self.sign(&msgs, self.config.max_gas, Some(1), account)?;
            let request = SimulateRequest {
                tx_bytes: tx,
                ..Default::default()
            };
            let answer = self
                .abci_query(
                    "/cosmos.tx.v1beta1.Service/Simulate",
                    request.encode_to_vec(),
                    None,
                )
                .await?;
            match answer {
                Ok(value) => {
                    let response = SimulateResponse::decode(value.as_slice())
                        .map_err(|e| ChainError::Decode(format!("SimulateResponse: {e}")))?;
                    return response
                        .gas_info
                        .map(|g| g.gas_used)
                        .ok_or_else(|| ChainError::Decode("simulation without gas info".into()));
                }
                Err(log) => {
                    if !retried {
                        if let Some(expected) = expected_sequence(&log) {
                            account.sequence = expected;
                            retried = true;
                            continue;
                        }
                    }
                    return Err(ChainError::SimulationFailed { log });
                }
            }
        }
    }

    /// A signed transaction's bytes.
    /// `fee` None is the fee for `gas_limit` at the gas price.
    fn sign(
        &self,
        msgs: &[Any],
        gas_limit: u64,
        fee: Option<u128>,
        account: Account,
    ) -> Result<Vec<u8>, ChainError> {
        let body = TxBody {
            messages: msgs.to_vec(),
            ..Default::default()
        };
        let fee = fee.unwrap_or_else(|| fee_amount(gas_limit, self.config.gas_price));
        let public_key = self
            .public_key
            .to_any()
            .map_err(|e| ChainError::Encode(e.to_string()))?;
        let auth_info = AuthInfo {
            signer_infos: vec![SignerInfo {
                public_key: Some(public_key),
                mode_info: Some(ModeInfo {
                    sum: Some(mode_info::Sum::Single(mode_info::Single {
                        mode: SignMode::Direct as i32,
                    })),
                }),
                sequence: account.sequence,
            }],
            fee: Some(Fee {
                amount: if fee == 0 {
                    vec![]
                } else {
                    vec![ProtoCoin {
                        denom: self.config.fee_denom.clone(),
                        amount: fee.to_string(),
                    }]
                },
                gas_limit,
                payer: String::new(),
                granter: String::new(),
            }),
            ..Default::default()
        };
        let body_bytes = body.encode_to_vec();
        let auth_info_bytes = auth_info.encode_to_vec();
        let doc = SignDoc {
            body_bytes: body_bytes.clone(),
            auth_info_bytes: auth_info_bytes.clone(),
            chain_id: self.config.chain_id.clone(),
            account_number: account.number,
        };
        let signature = self
            .key
            .sign(&doc.encode_to_vec())
            .map_err(|e| ChainError::Encode(format!("signing failed: {e}")))?;
        Ok(TxRaw {
            body_bytes,
            auth_info_bytes,
            signatures: vec![signature.to_vec()],
        }
        .encode_to_vec())
    }

    /// Polls `tx` until the transaction is in a block, for at most `tx_timeout`.
    async fn wait_for_tx(
        &self,
        hash: cosmrs::tendermint::Hash,
        txhash: String,
    ) -> Result<TxResult, ChainError> {
        let deadline = Instant::now() + self.config.tx_timeout;
        loop {
            // Not found yet (or the node briefly unreachable): asked again until the deadline.
            let last = match self.http.tx(hash, false).await {
                Ok(found) => return self.tx_result(txhash, found),
                Err(e) => match failure(&e) {
                    RpcFailure::Node(text) => text,
                    RpcFailure::Unreachable(reason) => reason,
                    RpcFailure::Decode(reason) => return Err(ChainError::Decode(reason)),
                },
            };
            if Instant::now() + POLL_INTERVAL > deadline {
                tracing::warn!(chain_id = %self.config.chain_id, %txhash, last = %last, "not included in time");
                return Err(ChainError::Timeout {
                    what: format!(
                        "transaction {txhash} on {} to be in a block",
                        self.config.chain_id
                    ),
                    seconds: self.config.tx_timeout.as_secs(),
                });
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    fn tx_result(
        &self,
        txhash: String,
        found: tendermint_rpc::endpoint::tx::Response,
    ) -> Result<TxResult, ChainError> {
        let result = &found.tx_result;
        let code = result.code.value();
        let data = if code == 0 {
            last_msg_data(&result_data(&result.data))?
        } else {
            None
        };
        Ok(TxResult {
            txhash,
            height: found.height.value(),
            code,
            log: result.log.clone(),
            gas_wanted: u64::try_from(result.gas_wanted).unwrap_or(0),
            gas_used: u64::try_from(result.gas_used).unwrap_or(0),
            events: result.events.iter().map(to_event).collect(),
            data,
            tx_bytes: found.tx.len() as u64,
        })
    }

    /// An ABCI query: `Ok(value)` for code 0, `Err(log)` for the application's refusal.
    async fn abci_query(
        &self,
        path: &str,
        data: Vec<u8>,
        at: Option<u64>,
    ) -> Result<Result<Vec<u8>, String>, ChainError> {
        let at = at.map(height).transpose()?;
        match self
            .http
            .abci_query(Some(path.to_string()), data, at, false)
            .await
        {
            Ok(answer) if answer.code.is_ok() => Ok(Ok(answer.value)),
            Ok(answer) => Ok(Err(if answer.codespace.is_empty() {
                answer.log
            } else {
                format!(
                    "{} (codespace {}, code {})",
                    answer.log,
                    answer.codespace,
                    answer.code.value()
                )
            })),
            Err(e) => match failure(&e) {
                RpcFailure::Node(text) => Ok(Err(text)),
                RpcFailure::Unreachable(reason) => Err(self.unreachable(reason)),
                RpcFailure::Decode(reason) => Err(ChainError::Decode(reason)),
            },
        }
    }

    async fn query_account(&self) -> Result<Account, ChainError> {
        let request = QueryAccountRequest {
            address: self.address.clone(),
        };
        let value = self
            .abci_query(
                "/cosmos.auth.v1beta1.Query/Account",
                request.encode_to_vec(),
                None,
            )
            .await?
            .map_err(|log| ChainError::Rejected {
                log: format!("cannot read account {}: {log}", self.address),
            })?;
        let response = QueryAccountResponse::decode(value.as_slice())
            .map_err(|e| ChainError::Decode(format!("QueryAccountResponse: {e}")))?;
        let any = response
            .account
            .ok_or_else(|| ChainError::Decode(format!("no account {}", self.address)))?;
        if any.type_url != format!("/{}", BaseAccount::full_name()) {
            return Err(ChainError::Decode(format!(
                "account {} is a {}, not a base account",
                self.address, any.type_url
            )));
        }
        let account = BaseAccount::decode(any.value.as_slice())
            .map_err(|e| ChainError::Decode(format!("BaseAccount: {e}")))?;
        Ok(Account {
            number: account.account_number,
            sequence: account.sequence,
        })
    }

    fn unreachable(&self, reason: String) -> ChainError {
        ChainError::Unreachable {
            chain_id: self.config.chain_id.clone(),
            reason,
        }
    }

    fn error(&self, e: &tendermint_rpc::Error) -> ChainError {
        match failure(e) {
            RpcFailure::Unreachable(reason) => self.unreachable(reason),
            RpcFailure::Decode(reason) => ChainError::Decode(reason),
            RpcFailure::Node(text) => ChainError::Rejected { log: text },
        }
    }

    /// A block-range read's error: a height the node does not have, or another error.
    fn height_error(&self, at: u64, e: &tendermint_rpc::Error) -> ChainError {
        match failure(e) {
            RpcFailure::Node(text) if is_height_unavailable(&text) => {
                ChainError::HeightUnavailable {
                    height: at,
                    kept: text,
                }
            }
            _ => self.error(e),
        }
    }

    fn height_unavailable(&self, at: Option<u64>, log: &str) -> Option<ChainError> {
        match at {
            Some(h) if is_height_unavailable(log) => Some(ChainError::HeightUnavailable {
                height: h,
                kept: log.to_string(),
            }),
            _ => None,
        }
    }

    /// One height's events of `contract`.
    async fn height_events(
        &self,
        at: u64,
        contract: &str,
    ) -> Result<Vec<ContractEvent>, ChainError> {
        let h = height(at)?;
        // A node reports a block as its latest a moment before it has stored the block's
        // results ("could not find results for height"): wait for them, briefly.
        let mut waits = 0;
        let results = loop {
            match self.http.block_results(h).await {
                Ok(results) => break results,
                Err(e) if waits < RESULTS_WAITS && results_not_stored_yet(&e) => {
                    waits += 1;
                    tokio::time::sleep(RESULTS_WAIT).await;
                }
                Err(e) => return Err(self.height_error(at, &e)),
            }
        };
        if !txs_emitted(&results, contract) {
            return block_contract_events(&results, None, contract);
        }
        let block = self
            .http
            .block(h)
            .await
            .map_err(|e| self.height_error(at, &e))?;
        block_contract_events(&results, Some(&block.block.data), contract)
    }
}

/// How often, and how long each time, `contract_events` waits for the results of a block
/// the node has just made (at most 2 s in all).
const RESULTS_WAITS: u32 = 40;
const RESULTS_WAIT: Duration = Duration::from_millis(50);

/// CometBFT's answer for a block whose results it has not stored yet.
fn results_not_stored_yet(e: &tendermint_rpc::Error) -> bool {
    e.to_string().contains("could not find results for height")
}

/// A transaction result's `data` as bytes. tendermint-rpc 0.40 decodes the CometBFT 0.38
/// `/tx` answer's `tx_result.data` (a base64 string in the JSON) as the string's own bytes,
/// not the bytes it encodes (its 0.34 dialect decodes base64, the 0.37/0.38 one does not):
/// decoded here when it is base64 text, taken as it is otherwise.
pub fn result_data(data: &[u8]) -> Vec<u8> {
    std::str::from_utf8(data)
        .ok()
        .and_then(|text| Binary::from_base64(text).ok())
        .map(|b| b.to_vec())
        .unwrap_or_else(|| data.to_vec())
}

/// The last message's result data of a transaction (`TxMsgData.msg_responses`); `None`
/// when the message returned none.
pub fn last_msg_data(data: &[u8]) -> Result<Option<Binary>, ChainError> {
    if data.is_empty() {
        return Ok(None);
    }
    let msg_data =
        TxMsgData::decode(data).map_err(|e| ChainError::Decode(format!("TxMsgData: {e}")))?;
    let Some(last) = msg_data.msg_responses.last() else {
        #[allow(deprecated)]
        return Ok(msg_data
            .data
            .last()
            .filter(|d| !d.data.is_empty())
            .map(|d| Binary::new(d.data.clone())));
    };
    let bytes = if last.type_url == format!("/{}", MsgExecuteContractResponse::full_name()) {
        MsgExecuteContractResponse::decode(last.value.as_slice())
            .map_err(|e| ChainError::Decode(format!("MsgExecuteContractResponse: {e}")))?
            .data
    } else if last.type_url == format!("/{}", MsgInstantiateContractResponse::full_name()) {
        MsgInstantiateContractResponse::decode(last.value.as_slice())
            .map_err(|e| ChainError::Decode(format!("MsgInstantiateContractResponse: {e}")))?
            .data
    } else if last.type_url == format!("/{}", MsgStoreCodeResponse::full_name()) {
        vec![]
    } else {
        last.value.clone()
    };
    Ok((!bytes.is_empty()).then(|| Binary::new(bytes)))
}

fn execute_msgs(sender: &str, msgs: &[Execute]) -> Vec<Any> {
    msgs.iter()
        .map(|m| {
            any(&MsgExecuteContract {
                sender: sender.to_string(),
                contract: m.contract.clone(),
                msg: m.msg.clone(),
                funds: coins(&m.funds),
            })
        })
        .collect()
}

#[async_trait]
impl ChainClient for RpcClient {
    fn chain_id(&self) -> &str {
        &self.config.chain_id
    }

    fn signer(&self) -> &str {
        &self.address
    }

    async fn status(&self) -> Result<ChainStatus, ChainError> {
        let status = self.http.status().await.map_err(|e| self.error(&e))?;
        let nanos = status.sync_info.latest_block_time.unix_timestamp_nanos();
        Ok(ChainStatus {
            chain_id: status.node_info.network.to_string(),
            height: status.sync_info.latest_block_height.value(),
            time: Timestamp::from_nanos(u64::try_from(nanos).unwrap_or(0)),
        })
    }

    async fn query_smart(
        &self,
        contract: &str,
        msg: &[u8],
        height: Option<u64>,
    ) -> Result<Vec<u8>, ChainError> {
        let request = QuerySmartContractStateRequest {
            address: contract.to_string(),
            query_data: msg.to_vec(),
        };
        match self
            .abci_query(
                "/cosmwasm.wasm.v1.Query/SmartContractState",
                request.encode_to_vec(),
                height,
            )
            .await?
        {
            Ok(value) => Ok(QuerySmartContractStateResponse::decode(value.as_slice())
                .map_err(|e| ChainError::Decode(format!("QuerySmartContractStateResponse: {e}")))?
                .data),
            Err(log) => Err(self.height_unavailable(height, &log).unwrap_or_else(|| {
                if is_no_such_contract(&log) {
                    ChainError::NoSuchContract {
                        address: contract.to_string(),
                    }
                } else {
                    ChainError::Query {
                        contract: contract.to_string(),
                        error: log,
                    }
                }
            })),
        }
    }

    async fn query_raw(
        &self,
        contract: &str,
        key: &[u8],
        height: Option<u64>,
    ) -> Result<Option<Vec<u8>>, ChainError> {
        let request = QueryRawContractStateRequest {
            address: contract.to_string(),
            query_data: key.to_vec(),
        };
        match self
            .abci_query(
                "/cosmwasm.wasm.v1.Query/RawContractState",
                request.encode_to_vec(),
                height,
            )
            .await?
        {
            Ok(value) => {
                let data = QueryRawContractStateResponse::decode(value.as_slice())
                    .map_err(|e| ChainError::Decode(format!("QueryRawContractStateResponse: {e}")))?
                    .data;
                // wasmd answers an absent key with empty data (a stored value is never
                // empty: the SDK's stores refuse empty values).
                Ok((!data.is_empty()).then_some(data))
            }
            Err(log) => match self.height_unavailable(height, &log) {
                Some(e) => Err(e),
                // As the embedded backend: nothing is stored under a contract that is not.
                None if is_no_such_contract(&log) => Ok(None),
                None => Err(ChainError::Query {
                    contract: contract.to_string(),
                    error: log,
                }),
            },
        }
    }

    async fn contract_info(&self, address: &str) -> Result<Option<ContractInfo>, ChainError> {
        let request = QueryContractInfoRequest {
            address: address.to_string(),
        };
        match self
            .abci_query(
                "/cosmwasm.wasm.v1.Query/ContractInfo",
                request.encode_to_vec(),
                None,
            )
            .await?
        {
            Ok(value) => {
                let response = QueryContractInfoResponse::decode(value.as_slice())
                    .map_err(|e| ChainError::Decode(format!("QueryContractInfoResponse: {e}")))?;
                let Some(info) = response.contract_info else {
                    return Ok(None);
                };
                Ok(Some(ContractInfo {
                    address: if response.address.is_empty() {
                        address.to_string()
                    } else {
                        response.address
                    },
                    code_id: info.code_id,
                    creator: info.creator,
                    admin: (!info.admin.is_empty()).then_some(info.admin),
                    label: info.label,
                }))
            }
            Err(log)
                if is_no_such_contract(&log) || log.to_ascii_lowercase().contains("not found") =>
            {
                Ok(None)
            }
            Err(log) => Err(ChainError::Query {
                contract: address.to_string(),
                error: log,
            }),
        }
    }

    async fn simulate(&self, msgs: &[Execute]) -> Result<u64, ChainError> {
        self.simulate_any(execute_msgs(&self.address, msgs)).await
    }

    async fn broadcast(&self, msgs: &[Execute], gas_limit: u64) -> Result<TxResult, ChainError> {
        self.broadcast_any(execute_msgs(&self.address, msgs), gas_limit)
            .await
    }

    async fn store_code(&self, wasm: &[u8], gas_limit: u64) -> Result<(u64, TxResult), ChainError> {
        let msg = any(&MsgStoreCode {
            sender: self.address.clone(),
            wasm_byte_code: wasm.to_vec(),
            instantiate_permission: None,
        });
        let tx = self
            .broadcast_any(vec![msg], gas_limit)
            .await?
            .into_result()?;
        let code_id = tx
            .attribute("store_code", "code_id")
            .ok_or_else(|| ChainError::Decode(format!("transaction {} has no code_id", tx.txhash)))?
            .parse::<u64>()
            .map_err(|e| ChainError::Decode(format!("code_id: {e}")))?;
        Ok((code_id, tx))
    }

    async fn instantiate(
        &self,
        code_id: u64,
        msg: &[u8],
        label: &str,
        admin: Option<&str>,
        gas_limit: u64,
    ) -> Result<(String, TxResult), ChainError> {
        let msg = any(&MsgInstantiateContract {
            sender: self.address.clone(),
            admin: admin.unwrap_or_default().to_string(),
            code_id,
            label: label.to_string(),
            msg: msg.to_vec(),
            funds: vec![],
        });
        let tx = self
            .broadcast_any(vec![msg], gas_limit)
            .await?
            .into_result()?;
        let address = tx
            .attribute("instantiate", CONTRACT_ADDRESS_ATTRIBUTE)
            .map(str::to_string)
            .ok_or_else(|| {
                ChainError::Decode(format!("transaction {} has no contract address", tx.txhash))
            })?;
        Ok((address, tx))
    }

    async fn contract_events(
        &self,
        contract: &str,
        from: u64,
        to: u64,
    ) -> Result<Vec<ContractEvent>, ChainError> {
        let status = self.http.status().await.map_err(|e| self.error(&e))?;
        let latest = status.sync_info.latest_block_height.value();
        let earliest = status.sync_info.earliest_block_height.value();
        let to = to.min(latest);
        if from > to {
            return Ok(vec![]);
        }
        if from < earliest {
            return Err(ChainError::HeightUnavailable {
                height: from,
                kept: format!("blocks from height {earliest}"),
            });
        }
        let chunk = self.config.events_chunk.max(1);
        let mut found = Vec::new();
        let mut start = from;
        while start <= to {
            let end = start.saturating_add(chunk - 1).min(to);
            let per_height: Vec<Vec<ContractEvent>> = stream::iter(start..=end)
                .map(|h| self.height_events(h, contract))
                .buffered(EVENTS_CONCURRENCY)
                .try_collect()
                .await?;
            found.extend(per_height.into_iter().flatten());
            match end.checked_add(1) {
                Some(next) => start = next,
                None => break,
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fee_is_rounded_up() {
        assert_eq!(fee_amount(200_000, 0.025), 5_000);
        assert_eq!(fee_amount(200_001, 0.025), 5_001);
        assert_eq!(fee_amount(1, 0.025), 1);
        assert_eq!(fee_amount(0, 0.025), 0);
        assert_eq!(fee_amount(100, 0.0), 0);
        assert_eq!(fee_amount(123_457, 1.0), 123_457);
    }

    #[test]
    fn gas_limit_is_scaled_and_clamped() {
        assert_eq!(gas_limit(100_000, 1.4, 10_000_000, None), 140_000);
        assert_eq!(gas_limit(100_001, 1.4, 10_000_000, None), 140_002);
        assert_eq!(gas_limit(100_000, 1.4, 120_000, None), 120_000);
        assert_eq!(gas_limit(100_000, 1.4, 10_000_000, Some(130_000)), 130_000);
        assert_eq!(gas_limit(100_000, 0.5, 10_000_000, None), 100_000);
        assert_eq!(gas_limit(0, 1.4, 10_000_000, None), 1);
    }

    #[test]
    fn sequence_mismatch_is_parsed() {
        assert_eq!(
            expected_sequence(
                "account sequence mismatch, expected 7, got 5: incorrect account sequence"
            ),
            Some(7)
        );
        assert_eq!(
            expected_sequence("account sequence mismatch, expected 12345, got 0"),
            Some(12345)
        );
        assert_eq!(expected_sequence("out of gas"), None);
        assert_eq!(
            expected_sequence("account sequence mismatch, expected x"),
            None
        );
    }

    #[test]
    fn messages_are_typed_any() {
        let msgs = execute_msgs(
            "wasm1sender",
            &[Execute {
                contract: "wasm1contract".into(),
                msg: br#"{"pause":{}}"#.to_vec(),
                funds: vec![cosmwasm_std::coin(5, "ustake")],
            }],
        );
        assert_eq!(msgs[0].type_url, "/cosmwasm.wasm.v1.MsgExecuteContract");
        let back = MsgExecuteContract::decode(msgs[0].value.as_slice()).unwrap();
        assert_eq!(back.contract, "wasm1contract");
        assert_eq!(back.funds[0].amount, "5");
    }

    #[test]
    fn execute_data_is_the_last_response() {
        let data = TxMsgData {
            msg_responses: vec![
                any(&MsgExecuteContractResponse {
                    data: b"first".to_vec(),
                }),
                any(&MsgExecuteContractResponse {
                    data: b"last".to_vec(),
                }),
            ],
            ..Default::default()
        };
        assert_eq!(
            last_msg_data(&data.encode_to_vec()).unwrap(),
            Some(Binary::new(b"last".to_vec()))
        );
        let empty = TxMsgData {
            msg_responses: vec![any(&MsgExecuteContractResponse { data: vec![] })],
            ..Default::default()
        };
        assert_eq!(last_msg_data(&empty.encode_to_vec()).unwrap(), None);
        assert_eq!(last_msg_data(&[]).unwrap(), None);
        assert!(last_msg_data(&[0xff, 0xff]).is_err());
    }

    #[test]
    fn height_errors_are_recognised() {
        assert!(is_height_unavailable(
            "failed to load state at height 3; version does not exist (latest height: 90)"
        ));
        assert!(is_height_unavailable(
            "height 1 is not available, lowest height is 50"
        ));
        assert!(!is_height_unavailable("Generic error: unknown destination"));
    }
}
