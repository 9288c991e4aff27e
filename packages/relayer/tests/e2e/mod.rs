//! Two embedded chains (`EmbeddedNode`, 50 ms blocks) running the compiled contracts
//! from artifacts/, with attester stand-ins that read the source outbox and sign with
//! `ccmp_signer` keys over HTTP: what the end-to-end tests stand on.

#![allow(dead_code)]

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::common::FakeAttester;
use ccmp_bench::artifact;
use ccmp_chain::embedded::EmbeddedNode;
use ccmp_chain::{query, ChainClient, Execute};
use ccmp_devnet::ChainConfig;
use ccmp_devnet_receiver::{
    InstantiateMsg as ReceiverInit, Mode as ReceiverMode, QueryMsg as ReceiverQuery,
    ReceivedResponse,
};
use ccmp_inbox::msg::{
    InstantiateMsg as InboxInit, QueryMsg as InboxQuery, SourceConfig, SourceResponse,
};
use ccmp_outbox::msg::{DestinationConfig, InstantiateMsg as OutboxInit};
use ccmp_relayer::service::{
    start, AttesterEndpoint, BackoffPolicy, BatchPolicy, LaneConfig, LaneStatus, RelayerConfig,
    RelayerHandle,
};
use ccmp_signer::SignerSet;
use ccmp_types::{MessageStatusResponse, OutboxExecuteMsg, SendMsg};
use cosmwasm_std::{Binary, Timestamp};

pub const A: &str = "chain-a";
pub const B: &str = "chain-b";
pub const BLOCK: Duration = Duration::from_millis(50);
pub const WAIT: Duration = Duration::from_secs(180);
pub const GAS: u64 = 50_000_000;

pub struct Net {
    pub a: EmbeddedNode,
    pub b: EmbeddedNode,
    pub user: Arc<dyn ChainClient>,
    /// Reads on chain b.
    pub reader: Arc<dyn ChainClient>,
    pub outbox: String,
    pub inbox: String,
    pub receiver: String,
    pub failing: String,
    pub signers: SignerSet,
    pub attesters: Vec<FakeAttester>,
}

pub async fn deploy(ordered: bool) -> Net {
    let a = EmbeddedNode::start(ChainConfig::new(A, "neutron"), BLOCK).unwrap();
    let b = EmbeddedNode::start(ChainConfig::new(B, "osmo"), BLOCK).unwrap();
    let deployer_a: Arc<dyn ChainClient> = Arc::new(a.client("deployer"));
    let deployer_b: Arc<dyn ChainClient> = Arc::new(b.client("deployer"));
    let code = |chain: Arc<dyn ChainClient>, name: &'static str| async move {
        chain.store_code(&artifact(name), GAS).await.unwrap().0
    };
    let instantiate =
        |chain: Arc<dyn ChainClient>, code_id: u64, msg: Vec<u8>, label: &'static str| async move {
            chain
                .instantiate(code_id, &msg, label, None, GAS)
                .await
                .unwrap_or_else(|err| panic!("{label}: {err}"))
                .0
        };
    let outbox_code = code(Arc::clone(&deployer_a), "ccmp_outbox.wasm").await;
    let outbox = instantiate(
        Arc::clone(&deployer_a),
        outbox_code,
        serde_json::to_vec(&OutboxInit {
            owner: None,
            chain_id: None,
            destinations: Some(vec![DestinationConfig {
                chain: B.into(),
                enabled: true,
                fee: None,
                max_body_bytes: None,
            }]),
        })
        .unwrap(),
        "outbox",
    )
    .await;
    let signers = ccmp_bench::attesters(70);
    let inbox_code = code(Arc::clone(&deployer_b), "ccmp_inbox.wasm").await;
    let inbox = instantiate(
        Arc::clone(&deployer_b),
        inbox_code,
        serde_json::to_vec(&InboxInit {
            owner: None,
            chain_id: None,
            sources: Some(vec![SourceConfig {
                chain: A.into(),
                outbox: outbox.clone(),
                attesters: signers.set.clone(),
                ordered,
                receive_gas_limit: None,
                max_receive_gas_limit: None,
            }]),
            max_batch_size: None,
            max_body_bytes: None,
            trust_delay_seconds: 0,
        })
        .unwrap(),
        "inbox",
    )
    .await;
    let receiver_code = code(Arc::clone(&deployer_b), "test/ccmp_devnet_receiver.wasm").await;
    let receiver = instantiate(
        Arc::clone(&deployer_b),
        receiver_code,
        serde_json::to_vec(&ReceiverInit {
            mode: Some(ReceiverMode::Record),
        })
        .unwrap(),
        "receiver",
    )
    .await;
    let failing = instantiate(
        Arc::clone(&deployer_b),
        receiver_code,
        serde_json::to_vec(&ReceiverInit {
            mode: Some(ReceiverMode::Fail),
        })
        .unwrap(),
        "failing receiver",
    )
    .await;
    let mut attesters = vec![];
    for key in &signers.keys {
        attesters.push(
            FakeAttester::following(key.clone(), Arc::new(a.client("attester")), &outbox, B).await,
        );
    }
    Net {
        user: Arc::new(a.client("user")),
        reader: Arc::new(b.client("reader")),
        a,
        b,
        outbox,
        inbox,
        receiver,
        failing,
        signers,
        attesters,
    }
}

impl Net {
    pub fn config(&self, batch: u32) -> RelayerConfig {
        RelayerConfig {
            lanes: vec![LaneConfig {
                source_chain: A.into(),
                destination_chain: B.into(),
                source_outbox: self.outbox.clone(),
                destination_inbox: self.inbox.clone(),
                start_height: 1,
                attesters: self
                    .attesters
                    .iter()
                    .map(|a| AttesterEndpoint {
                        url: a.url.clone(),
                        pubkey: None,
                        index: None,
                    })
                    .collect(),
            }],
            poll_interval_ms: 50,
            metrics_address: Some("127.0.0.1:0".into()),
            attester_timeout_ms: 5_000,
            batch: BatchPolicy {
                max_messages: batch,
                ..BatchPolicy::default()
            },
            gas: Default::default(),
            backoff: BackoffPolicy {
                initial_ms: 20,
                max_ms: 500,
                max_attempts: 5,
            },
            retry_failed: Default::default(),
        }
    }

    /// Clients of both chains signing as `account`.
    pub fn chains(&self, account: &str) -> HashMap<String, Arc<dyn ChainClient>> {
        HashMap::from([
            (
                A.to_string(),
                Arc::new(self.a.client(account)) as Arc<dyn ChainClient>,
            ),
            (
                B.to_string(),
                Arc::new(self.b.client(account)) as Arc<dyn ChainClient>,
            ),
        ])
    }

    pub async fn relayer(&self, account: &str, batch: u32) -> RelayerHandle {
        start(self.config(batch), &self.chains(account))
            .await
            .unwrap()
    }

    /// Sends `count` messages to `recipient` in one transaction.
    pub async fn send(&self, count: usize, recipient: &str, timeout: Option<Timestamp>) {
        let msgs: Vec<Execute> = (0..count)
            .map(|i| {
                Execute::new(
                    self.outbox.clone(),
                    &OutboxExecuteMsg::Send(SendMsg {
                        destination_chain: B.into(),
                        recipient: recipient.into(),
                        body: Binary::from(format!("message {i}").into_bytes()),
                        timeout_timestamp: timeout,
                    }),
                )
                .unwrap()
            })
            .collect();
        self.user
            .broadcast(&msgs, GAS)
            .await
            .unwrap()
            .into_result()
            .unwrap();
    }

    pub async fn received(&self) -> u64 {
        query::<ReceivedResponse>(
            self.reader.as_ref(),
            &self.receiver,
            &ReceiverQuery::Received {},
        )
        .await
        .unwrap()
        .count
    }

    pub async fn status(&self, nonce: u64) -> MessageStatusResponse {
        query(
            self.reader.as_ref(),
            &self.inbox,
            &InboxQuery::MessageStatus {
                source_chain: A.into(),
                nonce,
            },
        )
        .await
        .unwrap()
    }

    pub async fn source(&self) -> SourceResponse {
        query(
            self.reader.as_ref(),
            &self.inbox,
            &InboxQuery::Source { chain: A.into() },
        )
        .await
        .unwrap()
    }

    /// Waits, a block of chain b at a time, until `condition` holds.
    pub async fn until<F, Fut>(&self, what: &str, mut condition: F)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = bool>,
    {
        let waited = tokio::time::timeout(WAIT, async {
            loop {
                if condition().await {
                    return;
                }
                self.b
                    .wait_for_height(self.b.height() + 1, WAIT)
                    .await
                    .unwrap();
            }
        })
        .await;
        assert!(waited.is_ok(), "timed out waiting for {what}");
    }
}

pub fn lane(statuses: &[LaneStatus]) -> &LaneStatus {
    &statuses[0]
}

pub async fn wait_lane(
    relayer: &RelayerHandle,
    what: &str,
    condition: impl Fn(&LaneStatus) -> bool,
) -> LaneStatus {
    match relayer
        .wait_until(WAIT, |statuses| condition(lane(statuses)))
        .await
    {
        Ok(statuses) => statuses[0].clone(),
        Err(statuses) => panic!("timed out waiting for {what}: {:?}", statuses[0]),
    }
}

pub async fn http_get(relayer: &RelayerHandle, path: &str) -> (u16, String) {
    let address = relayer.metrics_address().expect("metrics served");
    let response = reqwest::Client::new()
        .get(format!("http://{address}{path}"))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}
