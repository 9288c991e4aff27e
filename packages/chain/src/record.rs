//! A [`ChainClient`] that keeps a log of the transactions broadcast through it, whatever
//! the backend: what the demo's gas summary reads, on embedded chains and on real nodes
//! alike. Every call is passed through unchanged; only `broadcast` is also recorded.

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use cosmwasm_std::Event;

use crate::{ChainClient, ChainError, ChainStatus, ContractEvent, ContractInfo, Execute, TxResult};

/// One transaction that made it into a block: for summaries of what operations cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxRecord {
    pub chain_id: String,
    pub height: u64,
    pub signer: String,
    /// The top-level key of each execute message (`send`, `deliver_batch`, ...).
    pub actions: Vec<String>,
    pub code: u32,
    pub gas_used: u64,
    /// The messages it processed: its `wasm-ccmp_deliver` events, each `(source_chain,
    /// nonce)` counted once (a receiver's failure adds a second event, status `failed`,
    /// for a message already counted at dispatch).
    pub processed: usize,
}

impl TxRecord {
    pub fn new(chain_id: &str, signer: &str, msgs: &[Execute], tx: &TxResult) -> TxRecord {
        TxRecord {
            chain_id: chain_id.to_string(),
            height: tx.height,
            signer: signer.to_string(),
            actions: msgs.iter().map(|m| action(&m.msg)).collect(),
            code: tx.code,
            gas_used: tx.gas_used,
            processed: processed_messages(&tx.events),
        }
    }
}

/// The top-level key of a JSON execute message (`""` if it has none).
pub fn action(msg: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(msg)
        .ok()
        .and_then(|v| v.as_object().and_then(|o| o.keys().next().cloned()))
        .unwrap_or_default()
}

/// The distinct `(source_chain, nonce)` of the `wasm-ccmp_deliver` events.
pub fn processed_messages(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| e.ty == "wasm-ccmp_deliver")
        .map(|e| {
            let find = |key: &str| {
                e.attributes
                    .iter()
                    .find(|a| a.key == key)
                    .map(|a| a.value.clone())
            };
            (find("source_chain"), find("nonce"))
        })
        .collect::<BTreeSet<_>>()
        .len()
}

/// Transactions a [`TxLog`] keeps (the newest).
pub const MAX_KEPT_TXS: usize = 200_000;

/// A log shared by the recording clients of a process.
#[derive(Clone, Default)]
pub struct TxLog(Arc<Mutex<VecDeque<TxRecord>>>);

impl TxLog {
    pub fn new() -> TxLog {
        TxLog::default()
    }

    fn push(&self, record: TxRecord) {
        let mut txs = self.0.lock().unwrap_or_else(|p| p.into_inner());
        txs.push_back(record);
        while txs.len() > MAX_KEPT_TXS {
            txs.pop_front();
        }
    }

    /// The transactions recorded so far (the newest [`MAX_KEPT_TXS`]).
    pub fn records(&self) -> Vec<TxRecord> {
        let txs = self.0.lock().unwrap_or_else(|p| p.into_inner());
        txs.iter().cloned().collect()
    }

    /// `client`, recording into this log.
    pub fn wrap(&self, client: Arc<dyn ChainClient>) -> Arc<dyn ChainClient> {
        Arc::new(Recording {
            inner: client,
            log: self.clone(),
        })
    }
}

/// A client that records each transaction it broadcasts into a [`TxLog`].
pub struct Recording {
    inner: Arc<dyn ChainClient>,
    log: TxLog,
}

#[async_trait]
impl ChainClient for Recording {
    fn chain_id(&self) -> &str {
        self.inner.chain_id()
    }
    fn signer(&self) -> &str {
        self.inner.signer()
    }
    async fn status(&self) -> Result<ChainStatus, ChainError> {
        self.inner.status().await
    }
    async fn query_smart(
        &self,
        contract: &str,
        msg: &[u8],
        height: Option<u64>,
    ) -> Result<Vec<u8>, ChainError> {
        self.inner.query_smart(contract, msg, height).await
    }
    async fn query_raw(
        &self,
        contract: &str,
        key: &[u8],
        height: Option<u64>,
    ) -> Result<Option<Vec<u8>>, ChainError> {
        self.inner.query_raw(contract, key, height).await
    }
    async fn contract_info(&self, address: &str) -> Result<Option<ContractInfo>, ChainError> {
        self.inner.contract_info(address).await
    }
    async fn simulate(&self, msgs: &[Execute]) -> Result<u64, ChainError> {
        self.inner.simulate(msgs).await
    }
    async fn broadcast(&self, msgs: &[Execute], gas_limit: u64) -> Result<TxResult, ChainError> {
        let tx = self.inner.broadcast(msgs, gas_limit).await?;
        self.log.push(TxRecord::new(
            self.inner.chain_id(),
            self.inner.signer(),
            msgs,
            &tx,
        ));
        Ok(tx)
    }
    async fn store_code(&self, wasm: &[u8], gas_limit: u64) -> Result<(u64, TxResult), ChainError> {
        self.inner.store_code(wasm, gas_limit).await
    }
    async fn instantiate(
        &self,
        code_id: u64,
        msg: &[u8],
        label: &str,
        admin: Option<&str>,
        gas_limit: u64,
    ) -> Result<(String, TxResult), ChainError> {
        self.inner
            .instantiate(code_id, msg, label, admin, gas_limit)
            .await
    }
    async fn contract_events(
        &self,
        contract: &str,
        from: u64,
        to: u64,
    ) -> Result<Vec<ContractEvent>, ChainError> {
        self.inner.contract_events(contract, from, to).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::Attribute;

    fn deliver(source: &str, nonce: &str, status: &str) -> Event {
        Event::new("wasm-ccmp_deliver").add_attributes(vec![
            Attribute::new("source_chain", source),
            Attribute::new("nonce", nonce),
            Attribute::new("status", status),
        ])
    }

    #[test]
    fn a_failed_receiver_counts_its_message_once() {
        let events = vec![
            deliver("a", "0", "delivered"),
            deliver("a", "0", "failed"),
            deliver("a", "1", "delivered"),
            deliver("b", "1", "delivered"),
            Event::new("wasm-ccmp_checkpoint"),
        ];
        assert_eq!(processed_messages(&events), 3);
        assert_eq!(processed_messages(&[]), 0);
    }

    #[test]
    fn action_is_the_top_level_key() {
        assert_eq!(action(br#"{"deliver_batch":{"x":1}}"#), "deliver_batch");
        assert_eq!(action(b"[1]"), "");
        assert_eq!(action(b"not json"), "");
    }
}
