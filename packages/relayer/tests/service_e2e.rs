//! The relay service end to end on two embedded chains (`EmbeddedNode`, 50 ms blocks)
//! running the compiled contracts from artifacts/, with attester stand-ins that follow
//! the source outbox and sign with `ccmp_signer` keys over HTTP.

mod common;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ccmp_bench::artifact;
use ccmp_chain::embedded::{block_time, EmbeddedNode};
use ccmp_chain::{query, ChainClient, Execute};
use ccmp_devnet::ChainConfig;
use ccmp_devnet_receiver::{
    InstantiateMsg as ReceiverInit, Mode as ReceiverMode, QueryMsg as ReceiverQuery,
    ReceivedResponse,
};
use ccmp_inbox::msg::{
    ExecuteMsg as InboxMsg, InstantiateMsg as InboxInit, QueryMsg as InboxQuery, SourceConfig,
    SourceResponse,
};
use ccmp_outbox::msg::{DestinationConfig, InstantiateMsg as OutboxInit};
use ccmp_relayer::service::{
    start, AttesterEndpoint, BackoffPolicy, BatchPolicy, LaneConfig, LaneState, LaneStatus,
    RelayerConfig, RelayerHandle,
};
use ccmp_signer::SignerSet;
use ccmp_types::{
    AttesterSignature, Checkpoint, MessageStatus, MessageStatusResponse, OutboxExecuteMsg, SendMsg,
};
use common::{FakeAttester, Mode};
use cosmwasm_std::{Binary, HexBinary, Timestamp};

const A: &str = "chain-a";
const B: &str = "chain-b";
const BLOCK: Duration = Duration::from_millis(50);
const WAIT: Duration = Duration::from_secs(180);
const GAS: u64 = 50_000_000;

struct Net {
    a: EmbeddedNode,
    b: EmbeddedNode,
    user: Arc<dyn ChainClient>,
    /// Reads on chain b.
    reader: Arc<dyn ChainClient>,
    outbox: String,
    inbox: String,
    receiver: String,
    failing: String,
    signers: SignerSet,
    attesters: Vec<FakeAttester>,
}

async fn deploy(ordered: bool) -> Net {
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
    fn config(&self, batch: u32) -> RelayerConfig {
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

    async fn relayer(&self, account: &str, batch: u32) -> RelayerHandle {
        let chains: HashMap<String, Arc<dyn ChainClient>> = HashMap::from([
            (
                A.to_string(),
                Arc::new(self.a.client(account)) as Arc<dyn ChainClient>,
            ),
            (
                B.to_string(),
                Arc::new(self.b.client(account)) as Arc<dyn ChainClient>,
            ),
        ]);
        start(self.config(batch), &chains).await.unwrap()
    }

    /// Sends `count` messages to `recipient` in one transaction.
    async fn send(&self, count: usize, recipient: &str, timeout: Option<Timestamp>) {
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

    async fn received(&self) -> u64 {
        query::<ReceivedResponse>(
            self.reader.as_ref(),
            &self.receiver,
            &ReceiverQuery::Received {},
        )
        .await
        .unwrap()
        .count
    }

    async fn status(&self, nonce: u64) -> MessageStatusResponse {
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

    async fn source(&self) -> SourceResponse {
        query(
            self.reader.as_ref(),
            &self.inbox,
            &InboxQuery::Source { chain: A.into() },
        )
        .await
        .unwrap()
    }

    /// Waits, a block of chain b at a time, until `condition` holds.
    async fn until<F, Fut>(&self, what: &str, mut condition: F)
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

fn lane(statuses: &[LaneStatus]) -> &LaneStatus {
    &statuses[0]
}

async fn wait_lane(
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

async fn http_get(relayer: &RelayerHandle, path: &str) -> (u16, String) {
    let address = relayer.metrics_address().expect("metrics served");
    let response = reqwest::Client::new()
        .get(format!("http://{address}{path}"))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh"]
async fn every_message_is_delivered_once_with_its_exact_status() {
    let net = deploy(false).await;
    // Before the relayer runs (backfill): 12 to the recording receiver, 3 to one that
    // refuses, 1 that times out before it can arrive.
    net.send(12, &net.receiver, None).await;
    net.send(3, &net.failing, None).await;
    let timeout = block_time(&net.a).plus_nanos(500_000_000);
    net.send(1, &net.receiver, Some(timeout)).await;
    net.until("chain b's time past the timeout", || async {
        block_time(&net.b) > timeout
    })
    .await;

    let relayer = net.relayer("relayer", 100).await;
    // Live traffic.
    net.send(10, &net.receiver, None).await;
    let status = wait_lane(&relayer, "every message processed", |s| {
        s.source_size == 26 && s.pending == 0
    })
    .await;
    assert_eq!(status.state, LaneState::Running);
    assert_eq!(
        (
            status.delivered,
            status.failed,
            status.timed_out,
            status.skipped
        ),
        (22, 3, 1, 0),
        "{status:?}"
    );
    assert!(status.checkpoints >= 1);
    assert_eq!(status.checkpoint_size, 26);
    assert_eq!(net.received().await, 22);
    for nonce in 0..26 {
        let status = net.status(nonce).await;
        let (expected, attempts) = match nonce {
            12..=14 => (MessageStatus::Failed, 1),
            15 => (MessageStatus::TimedOut, 0),
            _ => (MessageStatus::Delivered, 1),
        };
        assert_eq!(
            (status.status, status.attempts),
            (expected, attempts),
            "nonce {nonce}"
        );
        if expected == MessageStatus::Failed {
            assert!(
                status
                    .error
                    .as_deref()
                    .unwrap_or("")
                    .contains("receiver refuses nonce"),
                "{status:?}"
            );
        }
    }
    assert_eq!(net.status(26).await.status, MessageStatus::Unknown);

    let (code, metrics) = http_get(&relayer, "/metrics").await;
    assert_eq!(code, 200);
    let labels = r#"{source="chain-a",destination="chain-b"}"#;
    for line in [
        format!("ccmp_relayer_messages_delivered_total{labels} 22"),
        format!("ccmp_relayer_messages_failed_total{labels} 3"),
        format!("ccmp_relayer_messages_timed_out_total{labels} 1"),
        format!("ccmp_relayer_lane_sent{labels} 26"),
        format!("ccmp_relayer_lane_attested{labels} 26"),
        format!("ccmp_relayer_lane_pending{labels} 0"),
        format!("ccmp_relayer_lane_frozen{labels} 0"),
    ] {
        assert!(metrics.contains(&line), "{line} missing from\n{metrics}");
    }
    assert!(metrics.contains("ccmp_relayer_submission_seconds_bucket"));
    let (code, health) = http_get(&relayer, "/health").await;
    assert_eq!(code, 200, "{health}");
    let health: serde_json::Value = serde_json::from_str(&health).unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["lanes"][0]["delivered"], 22);

    relayer.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh"]
async fn a_relayer_killed_mid_batch_and_restarted_loses_and_doubles_nothing() {
    let net = deploy(false).await;
    for _ in 0..3 {
        net.send(20, &net.receiver, None).await;
    }
    // Four messages a batch: fifteen transactions for the lot.
    let first = net.relayer("relayer", 4).await;
    net.until("some batches delivered", || async {
        net.received().await >= 8
    })
    .await;
    first.abort();
    let delivered_before = net.received().await;
    assert!(
        delivered_before < 60,
        "the first relayer was not stopped mid-way"
    );

    let second = net.relayer("relayer", 4).await;
    let status = wait_lane(&second, "the rest delivered", |s| {
        s.source_size == 60 && s.pending == 0
    })
    .await;
    assert_eq!(net.received().await, 60);
    for nonce in 0..60 {
        let status = net.status(nonce).await;
        assert_eq!(
            (status.status, status.attempts),
            (MessageStatus::Delivered, 1),
            "nonce {nonce}"
        );
    }
    // What the first had done was found on chain, not redone (a batch in flight when it
    // died may have landed after: the inbox skipped it then).
    assert!(status.delivered <= 60 - delivered_before, "{status:?}");
    second.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh"]
async fn two_relayers_racing_on_one_lane_deliver_every_message_once() {
    let net = deploy(false).await;
    let one = net.relayer("relayer-1", 10).await;
    let two = net.relayer("relayer-2", 10).await;
    for _ in 0..4 {
        net.send(10, &net.receiver, None).await;
    }
    let done = |s: &LaneStatus| s.source_size == 40 && s.pending == 0;
    let first = wait_lane(&one, "relayer 1 done", done).await;
    let second = wait_lane(&two, "relayer 2 done", done).await;
    assert_eq!(net.received().await, 40);
    assert_eq!(
        first.delivered + second.delivered,
        40,
        "{first:?} {second:?}"
    );
    for nonce in 0..40 {
        let status = net.status(nonce).await;
        assert_eq!(
            (status.status, status.attempts),
            (MessageStatus::Delivered, 1),
            "nonce {nonce}"
        );
    }
    one.shutdown().await;
    two.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh"]
async fn an_ordered_lane_is_delivered_in_order_past_a_failing_receiver() {
    let net = deploy(true).await;
    net.send(4, &net.receiver, None).await;
    net.send(1, &net.failing, None).await;
    net.send(4, &net.receiver, None).await;
    let relayer = net.relayer("relayer", 3).await;
    let status = wait_lane(&relayer, "the ordered lane delivered", |s| {
        s.source_size == 9 && s.pending == 0
    })
    .await;
    assert_eq!((status.delivered, status.failed), (8, 1), "{status:?}");
    assert_eq!(net.source().await.next_nonce, Some(9));
    assert_eq!(net.status(4).await.status, MessageStatus::Failed);
    assert_eq!(net.received().await, 8);
    relayer.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh"]
async fn a_forged_checkpoint_freezes_the_source_and_the_relayer_stops_delivering() {
    let net = deploy(false).await;
    let relayer = net.relayer("relayer", 100).await;
    net.send(5, &net.receiver, None).await;
    wait_lane(&relayer, "the first five delivered", |s| s.delivered == 5).await;
    assert_eq!(net.source().await.latest_checkpoint.unwrap().size, 5);

    // The attesters now sign another root for the stored size 5.
    let forged = [0x55u8; 32];
    for attester in &net.attesters {
        attester.set_mode(Mode::Forge {
            size: 5,
            root: forged,
        });
    }
    // The relayer drops their signatures (they are not over the lane's root) and waits.
    net.send(3, &net.receiver, None).await;
    let status = wait_lane(&relayer, "forged signatures dropped", |s| {
        s.source_size == 8 && s.bad_signatures >= 3
    })
    .await;
    assert!(
        matches!(
            status.state,
            LaneState::WaitingForAttesters { weight: 0, .. }
        ),
        "{status:?}"
    );

    // Someone else submits them: the inbox freezes the source.
    let mut signatures = vec![];
    for attester in &net.attesters {
        let signed = attester.latest(A, B).await;
        let index = net
            .signers
            .keys
            .iter()
            .position(|k| k.pubkey().bytes() == signed.pubkey.as_slice())
            .unwrap() as u32;
        signatures.push(AttesterSignature {
            index,
            signature: Binary::new(signed.signature.to_vec()),
        });
    }
    signatures.sort_by_key(|s| s.index);
    let mallory: Arc<dyn ChainClient> = Arc::new(net.b.client("mallory"));
    let submit = Execute::new(
        net.inbox.clone(),
        &InboxMsg::SubmitCheckpoint {
            checkpoint: Checkpoint {
                source_chain: A.into(),
                size: 5,
                root: HexBinary::from(&forged),
            },
            signatures,
            consistency_proof: vec![],
        },
    )
    .unwrap();
    mallory
        .broadcast(&[submit], GAS)
        .await
        .unwrap()
        .into_result()
        .unwrap();
    assert!(net.source().await.frozen.is_some());

    let frozen = wait_lane(&relayer, "the relayer reports the freeze", |s| {
        matches!(s.state, LaneState::Frozen { .. })
    })
    .await;
    // It keeps watching, and delivers nothing.
    let iterations = frozen.iterations;
    let status = wait_lane(&relayer, "more iterations while frozen", |s| {
        s.iterations >= iterations + 3
    })
    .await;
    assert!(
        matches!(status.state, LaneState::Frozen { .. }),
        "{status:?}"
    );
    assert_eq!(status.delivered, 5);
    for nonce in 5..8 {
        assert_eq!(net.status(nonce).await.status, MessageStatus::Unknown);
    }
    let (code, metrics) = http_get(&relayer, "/metrics").await;
    assert_eq!(code, 200);
    assert!(
        metrics.contains(r#"ccmp_relayer_lane_frozen{source="chain-a",destination="chain-b"} 1"#)
    );
    assert!(metrics.contains(r#"problem="bad_signature""#), "{metrics}");
    let (code, health) = http_get(&relayer, "/health").await;
    assert_eq!(code, 200);
    let health: serde_json::Value = serde_json::from_str(&health).unwrap();
    assert_eq!(health["status"], "degraded");
    assert!(
        health["problems"][0].as_str().unwrap().contains("frozen"),
        "{health}"
    );
    relayer.shutdown().await;
}
