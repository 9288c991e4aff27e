//! The embedded backend: a `ccmp-devnet` chain (compiled contracts in the real CosmWasm VM
//! with wasmd's semantics and gas) in this process, producing blocks on a timer so that
//! heights, block times and timeouts behave as on a chain.
//!
//! A transaction runs in the open block and its `broadcast` returns once that block has
//! closed, as a node's "wait for inclusion" does; `status` reports the last closed block,
//! and `contract_events` reads closed blocks only, so a reader that follows heights never
//! misses an event. The chain keeps only its latest state: queries at an older height are
//! refused with [`ChainError::HeightUnavailable`].

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use ccmp_devnet::{Chain, ChainConfig, TxError, TxOutcome};
use cosmwasm_std::{Addr, Coin, Event, Timestamp};
use sha2::{Digest, Sha256};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::{
    ChainClient, ChainError, ChainStatus, ContractEvent, ContractInfo, Execute, TxResult,
    CONTRACT_ADDRESS_ATTRIBUTE,
};

/// The gas limit of a simulation (a node's own cap is its block gas limit).
pub const SIMULATION_GAS_LIMIT: u64 = 100_000_000;
/// Contract events kept for `contract_events`; older blocks are dropped.
pub const MAX_KEPT_EVENTS: usize = 2_000_000;

/// wasmd's `ErrExecuteFailed` code, and the SDK's out-of-gas code.
const CODE_EXECUTE_FAILED: u32 = 5;
const CODE_OUT_OF_GAS: u32 = 11;
const CODE_REJECTED: u32 = 1;

struct Recorded {
    height: u64,
    txhash: String,
    event: Event,
}

/// Blocks whose closing time the node keeps (the newest).
const MAX_KEPT_BLOCKS: usize = 200_000;

struct Inner {
    chain: Mutex<Chain>,
    events: Mutex<EventLog>,
    /// When each block closed, by wall clock (the newest `MAX_KEPT_BLOCKS`).
    closed_at: Mutex<std::collections::VecDeque<(u64, std::time::Instant)>>,
    /// The last closed block.
    closed: watch::Sender<u64>,
    chain_id: String,
}

#[derive(Default)]
struct EventLog {
    events: std::collections::VecDeque<Recorded>,
    /// Blocks below this were dropped.
    earliest: u64,
}

/// One embedded chain and its block producer. Cheap to clone; the producer stops when
/// [`EmbeddedNode::stop`] is called or the last clone is dropped.
#[derive(Clone)]
pub struct EmbeddedNode {
    inner: Arc<Inner>,
    producer: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl EmbeddedNode {
    /// Starts `config`'s chain with a block every `block_time`. Must be called inside a
    /// tokio runtime.
    pub fn start(config: ChainConfig, block_time: Duration) -> Result<EmbeddedNode, ChainError> {
        let chain_id = config.chain_id.clone();
        let chain = Chain::new(config).map_err(|e| ChainError::Unreachable {
            chain_id: chain_id.clone(),
            reason: e.to_string(),
        })?;
        let open = chain.block().height;
        let (closed, _) = watch::channel(open.saturating_sub(1));
        let inner = Arc::new(Inner {
            chain: Mutex::new(chain),
            events: Mutex::new(EventLog::default()),
            closed_at: Mutex::new(std::collections::VecDeque::new()),
            closed,
            chain_id,
        });
        let weak = Arc::downgrade(&inner);
        let nanos = u64::try_from(block_time.as_nanos())
            .unwrap_or(u64::MAX)
            .max(1);
        let producer = tokio::spawn(async move {
            let mut ticker = tokio::time::interval(block_time.max(Duration::from_millis(1)));
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticker.tick().await;
            loop {
                ticker.tick().await;
                let Some(inner) = weak.upgrade() else { return };
                inner.close_block(nanos);
            }
        });
        Ok(EmbeddedNode {
            inner,
            producer: Arc::new(Mutex::new(Some(producer))),
        })
    }

    pub fn chain_id(&self) -> &str {
        &self.inner.chain_id
    }

    /// A client signing as the account `name` (the devnet's deterministic address).
    pub fn client(&self, name: &str) -> EmbeddedClient {
        let signer = self.inner.lock().account(name);
        EmbeddedClient {
            node: self.clone(),
            signer,
        }
    }

    /// Direct access to the chain (to mint coins, read raw state in tests, seed storage).
    pub fn with_chain<T>(&self, f: impl FnOnce(&mut Chain) -> T) -> T {
        f(&mut self.inner.lock())
    }

    pub fn mint(&self, address: &str, coins: &[Coin]) -> Result<(), ChainError> {
        let mut chain = self.inner.lock();
        let address = Addr::unchecked(address);
        chain
            .mint(&address, coins)
            .map_err(|e| ChainError::Rejected { log: e.to_string() })
    }

    /// The last closed block's height.
    pub fn height(&self) -> u64 {
        *self.inner.closed.borrow()
    }

    /// Waits until block `height` has closed.
    pub async fn wait_for_height(&self, height: u64, timeout: Duration) -> Result<(), ChainError> {
        let mut closed = self.inner.closed.subscribe();
        let reached = tokio::time::timeout(timeout, async {
            closed.wait_for(|h| *h >= height).await.map(|_| ())
        })
        .await;
        match reached {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(ChainError::Unreachable {
                chain_id: self.inner.chain_id.clone(),
                reason: "the node stopped".into(),
            }),
            Err(_) => Err(ChainError::Timeout {
                what: format!("block {height} of {}", self.inner.chain_id),
                seconds: timeout.as_secs(),
            }),
        }
    }

    /// When block `height` closed, by this process's clock: chains in one process can be
    /// compared by it, where their heights and block times drift apart.
    pub fn closed_at(&self, height: u64) -> Option<std::time::Instant> {
        let closed = self
            .inner
            .closed_at
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let first = closed.front()?.0;
        let (h, at) = *closed.get(usize::try_from(height.checked_sub(first)?).ok()?)?;
        (h == height).then_some(at)
    }

    /// Stops producing blocks (the chain's state stays readable).
    pub fn stop(&self) {
        if let Some(handle) = self
            .producer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            handle.abort();
        }
    }

    fn record(&self, height: u64, txhash: &str, events: &[Event]) {
        let mut log = self.inner.events.lock().unwrap_or_else(|p| p.into_inner());
        for event in events {
            let emitted_by_contract = event.ty.starts_with("wasm")
                && event
                    .attributes
                    .iter()
                    .any(|a| a.key == CONTRACT_ADDRESS_ATTRIBUTE);
            if emitted_by_contract {
                log.events.push_back(Recorded {
                    height,
                    txhash: txhash.to_string(),
                    event: event.clone(),
                });
            }
        }
        while log.events.len() > MAX_KEPT_EVENTS {
            if let Some(dropped) = log.events.pop_front() {
                log.earliest = dropped.height + 1;
            }
        }
    }

    /// Runs `run` on the chain as one transaction in the open block, then waits for that
    /// block to close.
    async fn transact(
        &self,
        gas_limit: u64,
        run: impl FnOnce(&mut Chain) -> Result<TxOutcome, TxError>,
    ) -> Result<(TxResult, Option<TxOutcome>), ChainError> {
        let (height, txhash, result) = {
            let mut chain = self.inner.lock();
            chain.set_tx_gas_limit(gas_limit);
            let height = chain.block().height;
            let result = run(&mut chain);
            let txhash = {
                let mut hasher = Sha256::new();
                hasher.update(self.inner.chain_id.as_bytes());
                hasher.update(height.to_be_bytes());
                hasher.update(format!("{:?}", std::time::SystemTime::now()).as_bytes());
                hex::encode_upper(hasher.finalize())
            };
            // Recorded before the chain lock is released, so the block cannot close (and
            // be read by `contract_events`) without this transaction's events.
            if let Ok(outcome) = &result {
                self.record(height, &txhash, &outcome.events);
            }
            (height, txhash, result)
        };
        let tx = match &result {
            Ok(outcome) => TxResult {
                txhash,
                height,
                code: 0,
                log: String::new(),
                gas_wanted: gas_limit,
                gas_used: outcome.gas_used,
                events: outcome.events.clone(),
                data: outcome.data.clone(),
                tx_bytes: 0,
            },
            Err(error) => TxResult {
                txhash,
                height,
                code: match error {
                    TxError::OutOfGas { .. } => CODE_OUT_OF_GAS,
                    TxError::Rejected { .. } => CODE_REJECTED,
                    _ => CODE_EXECUTE_FAILED,
                },
                log: error.log(),
                gas_wanted: gas_limit,
                gas_used: error.gas_used(),
                events: vec![],
                data: None,
                tx_bytes: 0,
            },
        };
        self.wait_for_height(height, Duration::from_secs(60))
            .await?;
        Ok((tx, result.ok()))
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Chain> {
        self.chain.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn close_block(&self, nanos: u64) {
        let closed = {
            let mut chain = self.lock();
            let closed = chain.block().height;
            chain.advance_block_nanos(nanos);
            closed
        };
        {
            let mut at = self.closed_at.lock().unwrap_or_else(|p| p.into_inner());
            at.push_back((closed, std::time::Instant::now()));
            while at.len() > MAX_KEPT_BLOCKS {
                at.pop_front();
            }
        }
        self.closed.send_replace(closed);
    }
}

/// The embedded chain as one signer sees it.
#[derive(Clone)]
pub struct EmbeddedClient {
    node: EmbeddedNode,
    signer: Addr,
}

impl EmbeddedClient {
    pub fn node(&self) -> &EmbeddedNode {
        &self.node
    }
}

fn latest_only(chain: &Chain, height: Option<u64>, closed: u64) -> Result<(), ChainError> {
    match height {
        Some(h) if h < closed => Err(ChainError::HeightUnavailable {
            height: h,
            kept: format!("only the latest state of {}", chain.chain_id()),
        }),
        _ => Ok(()),
    }
}

fn executes(msgs: &[Execute]) -> Vec<(Addr, Vec<u8>, Vec<Coin>)> {
    msgs.iter()
        .map(|m| (Addr::unchecked(&m.contract), m.msg.clone(), m.funds.clone()))
        .collect()
}

#[async_trait]
impl ChainClient for EmbeddedClient {
    fn chain_id(&self) -> &str {
        self.node.chain_id()
    }

    fn signer(&self) -> &str {
        self.signer.as_str()
    }

    async fn status(&self) -> Result<ChainStatus, ChainError> {
        let closed = self.node.height();
        let time = self.node.inner.lock().block().time;
        Ok(ChainStatus {
            chain_id: self.node.chain_id().to_string(),
            height: closed,
            time,
        })
    }

    async fn query_smart(
        &self,
        contract: &str,
        msg: &[u8],
        height: Option<u64>,
    ) -> Result<Vec<u8>, ChainError> {
        let chain = self.node.inner.lock();
        latest_only(&chain, height, self.node.height())?;
        let msg: serde_json::Value =
            serde_json::from_slice(msg).map_err(|e| ChainError::Encode(e.to_string()))?;
        let answer: serde_json::Value =
            chain
                .query(&Addr::unchecked(contract), &msg)
                .map_err(|e| match e {
                    ccmp_devnet::Error::NoSuchContract { address } => {
                        ChainError::NoSuchContract { address }
                    }
                    other => ChainError::Query {
                        contract: contract.to_string(),
                        error: other.to_string(),
                    },
                })?;
        serde_json::to_vec(&answer).map_err(|e| ChainError::Decode(e.to_string()))
    }

    async fn query_raw(
        &self,
        contract: &str,
        key: &[u8],
        height: Option<u64>,
    ) -> Result<Option<Vec<u8>>, ChainError> {
        let chain = self.node.inner.lock();
        latest_only(&chain, height, self.node.height())?;
        Ok(chain.raw_query(&Addr::unchecked(contract), key))
    }

    async fn contract_info(&self, address: &str) -> Result<Option<ContractInfo>, ChainError> {
        let chain = self.node.inner.lock();
        match chain.contract_info(&Addr::unchecked(address)) {
            Ok(info) => Ok(Some(ContractInfo {
                address: info.address.to_string(),
                code_id: info.code_id,
                creator: info.creator.to_string(),
                admin: info.admin.map(|a| a.to_string()),
                label: info.label,
            })),
            Err(_) => Ok(None),
        }
    }

    async fn simulate(&self, msgs: &[Execute]) -> Result<u64, ChainError> {
        let mut chain = self.node.inner.lock();
        chain.set_tx_gas_limit(SIMULATION_GAS_LIMIT);
        chain
            .simulate_many(&self.signer, &executes(msgs))
            .map(|outcome| outcome.gas_used)
            .map_err(|e| ChainError::SimulationFailed { log: e.log() })
    }

    async fn broadcast(&self, msgs: &[Execute], gas_limit: u64) -> Result<TxResult, ChainError> {
        let msgs = executes(msgs);
        let signer = self.signer.clone();
        let (tx, _) = self
            .node
            .transact(gas_limit, move |chain| chain.execute_many(&signer, &msgs))
            .await?;
        Ok(tx)
    }

    async fn store_code(
        &self,
        wasm: &[u8],
        _gas_limit: u64,
    ) -> Result<(u64, TxResult), ChainError> {
        let (height, code_id) = {
            let mut chain = self.node.inner.lock();
            let height = chain.block().height;
            let code_id = chain
                .store_code(wasm)
                .map_err(|e| ChainError::Rejected { log: e.to_string() })?;
            (height, code_id)
        };
        self.node
            .wait_for_height(height, Duration::from_secs(60))
            .await?;
        Ok((
            code_id,
            TxResult {
                txhash: String::new(),
                height,
                code: 0,
                log: String::new(),
                gas_wanted: 0,
                gas_used: Chain::store_code_gas(wasm.len()),
                events: vec![],
                data: None,
                tx_bytes: 0,
            },
        ))
    }

    async fn instantiate(
        &self,
        code_id: u64,
        msg: &[u8],
        label: &str,
        admin: Option<&str>,
        gas_limit: u64,
    ) -> Result<(String, TxResult), ChainError> {
        let msg: serde_json::Value =
            serde_json::from_slice(msg).map_err(|e| ChainError::Encode(e.to_string()))?;
        let signer = self.signer.clone();
        let admin = admin.map(Addr::unchecked);
        let label = label.to_string();
        let address = Arc::new(Mutex::new(None));
        let slot = Arc::clone(&address);
        let (tx, _) = self
            .node
            .transact(gas_limit, move |chain| {
                chain
                    .instantiate_with_admin(code_id, &signer, &msg, &[], &label, admin.as_ref())
                    .map(|(addr, outcome)| {
                        *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(addr);
                        outcome
                    })
            })
            .await?;
        let tx = tx.into_result()?;
        let address = address
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .map(|a| a.to_string())
            .ok_or_else(|| ChainError::Decode("no contract address".into()))?;
        Ok((address, tx))
    }

    async fn contract_events(
        &self,
        contract: &str,
        from: u64,
        to: u64,
    ) -> Result<Vec<ContractEvent>, ChainError> {
        let to = to.min(self.node.height());
        let log = self
            .node
            .inner
            .events
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if from < log.earliest {
            return Err(ChainError::HeightUnavailable {
                height: from,
                kept: format!("events from height {}", log.earliest),
            });
        }
        Ok(log
            .events
            .iter()
            .filter(|r| r.height >= from && r.height <= to)
            .filter(|r| {
                r.event
                    .attributes
                    .iter()
                    .any(|a| a.key == CONTRACT_ADDRESS_ATTRIBUTE && a.value == contract)
            })
            .map(|r| ContractEvent {
                height: r.height,
                txhash: r.txhash.clone(),
                event: r.event.clone(),
            })
            .collect())
    }
}

/// The time a block closed at, for tests that need it.
pub fn block_time(node: &EmbeddedNode) -> Timestamp {
    node.inner.lock().block().time
}
