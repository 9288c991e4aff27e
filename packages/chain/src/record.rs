//! A [`ChainClient`] that keeps a log of the transactions broadcast through it, whatever
//! the backend: what the demo's gas summary reads, on embedded chains and on real nodes
//! alike. A [`Layer`]: every call is passed through unchanged; only `broadcast` is also
//! recorded.

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use cosmwasm_std::Event;

use crate::layer::{Layer, Layered};
use crate::{ChainClient, ChainError, Execute, TxResult};

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
        Arc::new(Layered::new(client, Recording { log: self.clone() }))
    }
}

/// The layer that records each transaction broadcast through it into a [`TxLog`].
pub struct Recording {
    log: TxLog,
}

#[async_trait]
impl Layer for Recording {
    async fn broadcast(
        &self,
        inner: &dyn ChainClient,
        msgs: &[Execute],
        gas_limit: u64,
    ) -> Result<TxResult, ChainError> {
        let tx = inner.broadcast(msgs, gas_limit).await?;
        self.log
            .push(TxRecord::new(inner.chain_id(), inner.signer(), msgs, &tx));
        Ok(tx)
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
