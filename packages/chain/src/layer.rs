//! Wrapping a [`ChainClient`]: a [`Layer`] changes the calls it cares about and leaves
//! the others to its defaults, which pass them to the client below unchanged; a
//! [`Layered`] client is the layer over its inner client. The recording client of the
//! demo ([`crate::record`]) is one, and so are the fault injectors of the tests.

use std::sync::Arc;

use async_trait::async_trait;

use crate::{ChainClient, ChainError, ChainStatus, ContractEvent, ContractInfo, Execute, TxResult};

/// What a wrapper does to the calls through it. Every method gets the client below as
/// `inner`; the defaults pass the call on unchanged. The chain id and the signer are
/// always the inner client's.
#[async_trait]
pub trait Layer: Send + Sync {
    async fn status(&self, inner: &dyn ChainClient) -> Result<ChainStatus, ChainError> {
        inner.status().await
    }
    async fn query_smart(
        &self,
        inner: &dyn ChainClient,
        contract: &str,
        msg: &[u8],
        height: Option<u64>,
    ) -> Result<Vec<u8>, ChainError> {
        inner.query_smart(contract, msg, height).await
    }
    async fn query_raw(
        &self,
        inner: &dyn ChainClient,
        contract: &str,
        key: &[u8],
        height: Option<u64>,
    ) -> Result<Option<Vec<u8>>, ChainError> {
        inner.query_raw(contract, key, height).await
    }
    async fn contract_info(
        &self,
        inner: &dyn ChainClient,
        address: &str,
    ) -> Result<Option<ContractInfo>, ChainError> {
        inner.contract_info(address).await
    }
    async fn simulate(&self, inner: &dyn ChainClient, msgs: &[Execute]) -> Result<u64, ChainError> {
        inner.simulate(msgs).await
    }
    async fn broadcast(
        &self,
        inner: &dyn ChainClient,
        msgs: &[Execute],
        gas_limit: u64,
    ) -> Result<TxResult, ChainError> {
        inner.broadcast(msgs, gas_limit).await
    }
    async fn store_code(
        &self,
        inner: &dyn ChainClient,
        wasm: &[u8],
        gas_limit: u64,
    ) -> Result<(u64, TxResult), ChainError> {
        inner.store_code(wasm, gas_limit).await
    }
    async fn instantiate(
        &self,
        inner: &dyn ChainClient,
        code_id: u64,
        msg: &[u8],
        label: &str,
        admin: Option<&str>,
        gas_limit: u64,
    ) -> Result<(String, TxResult), ChainError> {
        inner
            .instantiate(code_id, msg, label, admin, gas_limit)
            .await
    }
    async fn contract_events(
        &self,
        inner: &dyn ChainClient,
        contract: &str,
        from: u64,
        to: u64,
    ) -> Result<Vec<ContractEvent>, ChainError> {
        inner.contract_events(contract, from, to).await
    }
}

/// `layer` over `inner`: a [`ChainClient`] whose every call goes through the layer.
pub struct Layered<L> {
    inner: Arc<dyn ChainClient>,
    layer: L,
}

impl<L: Layer> Layered<L> {
    pub fn new(inner: Arc<dyn ChainClient>, layer: L) -> Self {
        Layered { inner, layer }
    }

    /// The client below.
    pub fn inner(&self) -> &Arc<dyn ChainClient> {
        &self.inner
    }

    pub fn layer(&self) -> &L {
        &self.layer
    }
}

#[async_trait]
impl<L: Layer> ChainClient for Layered<L> {
    fn chain_id(&self) -> &str {
        self.inner.chain_id()
    }
    fn signer(&self) -> &str {
        self.inner.signer()
    }
    async fn status(&self) -> Result<ChainStatus, ChainError> {
        self.layer.status(self.inner.as_ref()).await
    }
    async fn query_smart(
        &self,
        contract: &str,
        msg: &[u8],
        height: Option<u64>,
    ) -> Result<Vec<u8>, ChainError> {
        self.layer
            .query_smart(self.inner.as_ref(), contract, msg, height)
            .await
    }
    async fn query_raw(
        &self,
        contract: &str,
        key: &[u8],
        height: Option<u64>,
    ) -> Result<Option<Vec<u8>>, ChainError> {
        self.layer
            .query_raw(self.inner.as_ref(), contract, key, height)
            .await
    }
    async fn contract_info(&self, address: &str) -> Result<Option<ContractInfo>, ChainError> {
        self.layer.contract_info(self.inner.as_ref(), address).await
    }
    async fn simulate(&self, msgs: &[Execute]) -> Result<u64, ChainError> {
        self.layer.simulate(self.inner.as_ref(), msgs).await
    }
    async fn broadcast(&self, msgs: &[Execute], gas_limit: u64) -> Result<TxResult, ChainError> {
        self.layer
            .broadcast(self.inner.as_ref(), msgs, gas_limit)
            .await
    }
    async fn store_code(&self, wasm: &[u8], gas_limit: u64) -> Result<(u64, TxResult), ChainError> {
        self.layer
            .store_code(self.inner.as_ref(), wasm, gas_limit)
            .await
    }
    async fn instantiate(
        &self,
        code_id: u64,
        msg: &[u8],
        label: &str,
        admin: Option<&str>,
        gas_limit: u64,
    ) -> Result<(String, TxResult), ChainError> {
        self.layer
            .instantiate(self.inner.as_ref(), code_id, msg, label, admin, gas_limit)
            .await
    }
    async fn contract_events(
        &self,
        contract: &str,
        from: u64,
        to: u64,
    ) -> Result<Vec<ContractEvent>, ChainError> {
        self.layer
            .contract_events(self.inner.as_ref(), contract, from, to)
            .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::embedded::EmbeddedNode;
    use ccmp_devnet::ChainConfig;

    /// Refuses every broadcast and counts the simulations it passes on.
    #[derive(Default)]
    struct Refuse {
        simulated: AtomicU32,
    }

    #[async_trait]
    impl Layer for Refuse {
        async fn simulate(
            &self,
            inner: &dyn ChainClient,
            msgs: &[Execute],
        ) -> Result<u64, ChainError> {
            self.simulated.fetch_add(1, Ordering::SeqCst);
            inner.simulate(msgs).await
        }
        async fn broadcast(
            &self,
            _inner: &dyn ChainClient,
            _msgs: &[Execute],
            _gas_limit: u64,
        ) -> Result<TxResult, ChainError> {
            Err(ChainError::Rejected {
                log: "refused by the layer".into(),
            })
        }
    }

    #[tokio::test]
    async fn a_layer_changes_what_it_overrides_and_passes_on_the_rest() {
        let node = EmbeddedNode::start(
            ChainConfig::new("chain-a", "wasm"),
            Duration::from_millis(20),
        )
        .unwrap();
        let inner: Arc<dyn ChainClient> = Arc::new(node.client("user"));
        let layered = Layered::new(Arc::clone(&inner), Refuse::default());
        assert_eq!(layered.chain_id(), "chain-a");
        assert_eq!(layered.signer(), inner.signer());
        node.wait_for_height(2, Duration::from_secs(10))
            .await
            .unwrap();
        assert_eq!(
            layered.status().await.unwrap().chain_id,
            inner.status().await.unwrap().chain_id
        );
        // Passed on: the inner node's own answer (no such contract).
        let query = layered.contract_info("wasm1nothere").await;
        assert_eq!(
            format!("{query:?}"),
            format!("{:?}", inner.contract_info("wasm1nothere").await)
        );
        let msgs = [Execute {
            contract: "wasm1nothere".into(),
            msg: b"{}".to_vec(),
            funds: vec![],
        }];
        let simulated = layered.simulate(&msgs).await;
        assert_eq!(
            format!("{simulated:?}"),
            format!("{:?}", inner.simulate(&msgs).await)
        );
        assert_eq!(layered.layer().simulated.load(Ordering::SeqCst), 1);
        // Changed: the layer's answer, and the inner chain never sees the transaction.
        match layered.broadcast(&msgs, 100_000).await {
            Err(ChainError::Rejected { log }) => assert_eq!(log, "refused by the layer"),
            other => panic!("{other:?}"),
        }
        node.stop();
    }
}
