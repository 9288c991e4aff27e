//! `ccmp deploy`, `ccmp attest` and `ccmp relay` as the binary runs them (the library
//! functions behind the commands), driven through the configuration layer on two embedded
//! chains (`EmbeddedNode`, 50 ms blocks) running the compiled contracts from artifacts/:
//! every message delivered exactly once, an attester restarted signs nothing conflicting,
//! attesters below the threshold make the lane wait and it continues once they are back.
//! Every wait is bounded; every service is stopped at the end.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ccmp::config::Config;
use ccmp::connect::Chains;
use ccmp_attester::AttesterHandle;
use ccmp_chain::embedded::EmbeddedNode;
use ccmp_chain::layer::{Layer, Layered};
use ccmp_chain::{query, ChainClient, Execute};
use ccmp_devnet::ChainConfig;
use ccmp_devnet_receiver::{
    InstantiateMsg as ReceiverInit, Mode as ReceiverMode, QueryMsg as ReceiverQuery,
    ReceivedResponse,
};
use ccmp_outbox::msg::{LaneResponse, QueryMsg as OutboxQuery};
use ccmp_relayer::service::{LaneState, LaneStatus, RelayerHandle};
use ccmp_signer::AttesterKey;
use ccmp_types::{MessageStatus, OutboxExecuteMsg, SendMsg};
use cosmwasm_std::Binary;
use tokio_util::sync::CancellationToken;

const A: &str = "ccmp-a";
const B: &str = "ccmp-b";
const BLOCK: Duration = Duration::from_millis(50);
const WAIT: Duration = Duration::from_secs(120);
const GAS: u64 = 50_000_000;

fn artifacts() -> PathBuf {
    match std::env::var_os("CCMP_ARTIFACTS_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../artifacts"),
    }
}

/// Three attesters of chain a (Ed25519, secp256k1, Ed25519), weight 1 each, threshold 2.
fn attester_keys() -> Vec<AttesterKey> {
    vec![
        AttesterKey::test_key(41, true),
        AttesterKey::test_key(42, false),
        AttesterKey::test_key(43, true),
    ]
}

fn pubkey_toml(key: &AttesterKey) -> String {
    let pubkey = key.pubkey();
    format!(
        "{{ {} = \"{}\" }}",
        pubkey.key_type_name(),
        Binary::new(pubkey.bytes().to_vec()).to_base64()
    )
}

/// The configuration every process shares, plus its own `extra` sections.
fn config_text(dir: &Path, extra: &str) -> String {
    let set = |keys: &[AttesterKey]| {
        keys.iter()
            .map(|k| format!("{{ pubkey = {}, weight = 1 }}", pubkey_toml(k)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let keys = attester_keys();
    let b_keys = vec![AttesterKey::test_key(51, true)];
    format!(
        r#"
[chains.ccmp-a]
rpc = "http://127.0.0.1:1"
prefix = "wasm"
fee_denom = "stake"
gas_price = 0.0
key_file = "unused-a.json"

[chains.ccmp-b]
rpc = "http://127.0.0.1:2"
prefix = "wasm"
fee_denom = "stake"
gas_price = 0.0
key_file = "unused-b.json"

[deployment]
file = "{deployment}"

[[lanes]]
source = "ccmp-a"
destination = "ccmp-b"

[deploy]
wasm_dir = "{wasm}"

[deploy.attesters.ccmp-a]
threshold = 2
attesters = [{a_set}]

[deploy.attesters.ccmp-b]
threshold = 1
attesters = [{b_set}]
{extra}
"#,
        deployment = dir.join("deployment.json").display(),
        wasm = artifacts().display(),
        a_set = set(&keys),
        b_set = set(&b_keys),
    )
}

struct Net {
    dir: tempfile::TempDir,
    a: EmbeddedNode,
    b: EmbeddedNode,
    receiver: String,
    outbox: String,
}

impl Net {
    fn chains(&self, account: &str) -> Chains {
        let mut chains: Chains = HashMap::new();
        chains.insert(
            A.into(),
            Arc::new(self.a.client(account)) as Arc<dyn ChainClient>,
        );
        chains.insert(
            B.into(),
            Arc::new(self.b.client(account)) as Arc<dyn ChainClient>,
        );
        chains
    }

    fn config(&self, extra: &str) -> Config {
        let path = self.dir.path().join(format!(
            "ccmp-{}.toml",
            hex::encode(ccmp_types::sha256(extra.as_bytes()))
        ));
        std::fs::write(&path, config_text(self.dir.path(), extra)).unwrap();
        Config::load(&path).unwrap_or_else(|err| panic!("{err}"))
    }

    fn attester_config(&self, i: usize, listen: &str) -> Config {
        self.config(&format!(
            r#"
[attester]
key_file = "attester-{i}.json"
store_dir = "attester-{i}"
listen = "{listen}"
poll_interval_ms = 20
"#
        ))
    }

    /// Attester `i` listening on `listen` (a restart takes the address it had).
    async fn start_attester(&self, i: usize, listen: &str) -> AttesterHandle {
        ccmp::attest::start(
            &self.attester_config(i, listen),
            &self.chains(&format!("attester-{i}")),
            CancellationToken::new(),
        )
        .await
        .unwrap_or_else(|err| panic!("attester {i}: {err:#}"))
    }

    fn relayer_config(&self, urls: &[String]) -> Config {
        let endpoints = urls
            .iter()
            .map(|u| format!("{{ url = \"{u}\" }}"))
            .collect::<Vec<_>>()
            .join(", ");
        self.config(&format!(
            r#"
[relayer]
poll_interval_ms = 50
attester_timeout_ms = 2000
[relayer.attesters]
ccmp-a = [{endpoints}]
[relayer.backoff]
initial_ms = 20
max_ms = 200
"#
        ))
    }

    async fn send(&self, count: usize) {
        let user = self.a.client("user");
        let msgs: Vec<Execute> = (0..count)
            .map(|i| {
                Execute::new(
                    self.outbox.clone(),
                    &OutboxExecuteMsg::Send(SendMsg {
                        destination_chain: B.into(),
                        recipient: self.receiver.clone(),
                        body: Binary::from(format!("message {i}").into_bytes()),
                        timeout_timestamp: None,
                    }),
                )
                .unwrap()
            })
            .collect();
        user.broadcast(&msgs, GAS)
            .await
            .unwrap()
            .into_result()
            .unwrap();
    }

    async fn received(&self) -> u64 {
        query::<ReceivedResponse>(
            &self.b.client("reader"),
            &self.receiver,
            &ReceiverQuery::Received {},
        )
        .await
        .unwrap()
        .count
    }

    async fn lane_size(&self) -> u64 {
        query::<LaneResponse>(
            &self.a.client("reader"),
            &self.outbox,
            &OutboxQuery::Lane {
                destination_chain: B.into(),
            },
        )
        .await
        .unwrap()
        .size
    }
}

/// Two chains, `ccmp deploy` through the configuration (twice: the second changes
/// nothing), a recording receiver on chain b and the attesters' key files.
async fn deploy() -> Net {
    let dir = tempfile::tempdir().unwrap();
    let a = EmbeddedNode::start(ChainConfig::new(A, "wasm"), BLOCK).unwrap();
    let b = EmbeddedNode::start(ChainConfig::new(B, "wasm"), BLOCK).unwrap();
    let mut net = Net {
        dir,
        a,
        b,
        receiver: String::new(),
        outbox: String::new(),
    };
    let config = net.config("");
    let first = ccmp::deploy::run_config(&config, &net.chains("operator"))
        .await
        .unwrap_or_else(|err| panic!("{err:#}"));
    assert!(first.written);
    assert!(!first.report.actions.is_empty());
    let on_disk = ccmp::deploy::load_deployment(&config).unwrap();
    assert_eq!(on_disk, first.deployment);
    assert!(on_disk.chains[A].outbox.height >= 1);
    let second = ccmp::deploy::run_config(&config, &net.chains("operator"))
        .await
        .unwrap();
    assert!(
        second.report.actions.is_empty() && !second.written,
        "{:?}",
        second.report.actions
    );
    assert_eq!(second.deployment, first.deployment);
    assert!(second
        .to_text(&config.deployment.file)
        .starts_with("nothing to do"));
    net.outbox = on_disk.chains[A].outbox.address.clone();

    let deployer = net.b.client("operator");
    let wasm = std::fs::read(artifacts().join("test/ccmp_devnet_receiver.wasm")).unwrap();
    let (code, _) = deployer.store_code(&wasm, GAS).await.unwrap();
    net.receiver = deployer
        .instantiate(
            code,
            &serde_json::to_vec(&ReceiverInit {
                mode: Some(ReceiverMode::Record),
            })
            .unwrap(),
            "receiver",
            None,
            GAS,
        )
        .await
        .unwrap()
        .0;
    for (i, key) in attester_keys().iter().enumerate() {
        ccmp::keys::write_key_file(
            net.dir.path().join(format!("attester-{i}.json")),
            key,
            false,
        )
        .unwrap();
    }
    net
}

async fn wait_lane(
    relayer: &RelayerHandle,
    what: &str,
    condition: impl Fn(&LaneStatus) -> bool,
) -> LaneStatus {
    match relayer
        .wait_until(WAIT, |statuses| condition(&statuses[0]))
        .await
    {
        Ok(statuses) => statuses[0].clone(),
        Err(statuses) => panic!("timed out waiting for {what}: {:?}", statuses[0]),
    }
}

fn refusals(handle: &AttesterHandle) -> Vec<String> {
    handle
        .metrics_text()
        .lines()
        .filter(|l| l.starts_with("ccmp_attester_refusals_total{") && !l.ends_with(" 0"))
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh (CCMP_ARTIFACTS_DIR)"]
async fn deploy_attest_relay_through_the_configuration() {
    let net = deploy().await;
    let mut attesters = vec![];
    for i in 0..3 {
        attesters.push(Some(net.start_attester(i, "127.0.0.1:0").await));
    }
    let addresses: Vec<String> = attesters
        .iter()
        .map(|h| h.as_ref().unwrap().local_addr().to_string())
        .collect();
    let urls: Vec<String> = addresses.iter().map(|a| format!("http://{a}")).collect();
    let relay_config = net.relayer_config(&urls);
    let relayer = ccmp::relay::start(&relay_config, &net.chains("relayer"))
        .await
        .unwrap_or_else(|err| panic!("{err:#}"));

    // Every message delivered exactly once.
    net.send(8).await;
    wait_lane(&relayer, "8 delivered", |s| {
        s.source_size == 8 && s.pending == 0
    })
    .await;
    assert_eq!(net.received().await, 8);

    // Attester 0 restarted (same store): it resumes and signs nothing conflicting.
    attesters[0].take().unwrap().stop().await.unwrap();
    net.send(5).await;
    wait_lane(&relayer, "13 delivered", |s| {
        s.source_size == 13 && s.pending == 0
    })
    .await;
    let restarted = net.start_attester(0, &addresses[0]).await;
    let signed = restarted
        .wait_for_checkpoint(B, 13, WAIT)
        .await
        .expect("the restarted attester signs the lane's new size");
    assert!(restarted.is_healthy(), "{:?}", restarted.health());
    assert!(
        refusals(&restarted).is_empty(),
        "{:?}",
        refusals(&restarted)
    );
    let lane: LaneResponse = query(
        &net.a.client("reader"),
        &net.outbox,
        &OutboxQuery::Lane {
            destination_chain: B.into(),
        },
    )
    .await
    .unwrap();
    assert_eq!((signed.size, signed.root.clone()), (lane.size, lane.root));
    attesters[0] = Some(restarted);

    // Two of three down: below the threshold the lane waits, delivering nothing new.
    for i in [1, 2] {
        attesters[i].take().unwrap().stop().await.unwrap();
    }
    net.send(4).await;
    let waiting = wait_lane(&relayer, "waiting for attesters", |s| {
        s.source_size == 17 && matches!(s.state, LaneState::WaitingForAttesters { .. })
    })
    .await;
    assert_eq!(waiting.checkpoint_size, 13, "{waiting:?}");
    assert_eq!(net.received().await, 13);
    // One back: the weight reaches the threshold and the lane goes on.
    attesters[1] = Some(net.start_attester(1, &addresses[1]).await);
    let done = wait_lane(&relayer, "17 delivered", |s| {
        s.source_size == 17 && s.pending == 0 && s.state == LaneState::Running
    })
    .await;
    assert_eq!(done.checkpoint_size, 17);

    // Exactly once, as the inbox and the receiver record it, and as `ccmp status` says.
    assert_eq!(net.received().await, 17);
    assert_eq!(net.lane_size().await, 17);
    let deployment = ccmp::deploy::load_deployment(&relay_config).unwrap();
    let chains = net.chains("reader");
    let lane = ccmp::status::lane_status(&relay_config, &deployment, &chains, A, B, 1_000)
        .await
        .unwrap();
    assert_eq!(
        (
            lane.sent,
            lane.checkpointed,
            lane.delivered,
            lane.failed,
            lane.timed_out,
            lane.pending
        ),
        (17, 17, 17, 0, 0, 0),
        "{lane:?}"
    );
    for nonce in 0..17 {
        let message =
            ccmp::status::message_status(&relay_config, &deployment, &chains, A, B, nonce)
                .await
                .unwrap();
        assert_eq!(
            (message.status, message.attempts, message.checkpointed),
            (MessageStatus::Delivered, 1, true),
            "nonce {nonce}"
        );
        if nonce == 3 {
            let id = message.message_id.clone().unwrap();
            let found = ccmp::status::find_by_id(&relay_config, &deployment, &chains, &id, None)
                .await
                .unwrap();
            assert_eq!(found, message);
        }
    }
    let unsent = ccmp::status::message_status(&relay_config, &deployment, &chains, A, B, 17)
        .await
        .unwrap();
    assert_eq!(
        (unsent.status, unsent.message_id),
        (MessageStatus::Unknown, None)
    );

    relayer.shutdown_within(Duration::from_secs(30)).await;
    for handle in attesters.into_iter().flatten() {
        assert!(refusals(&handle).is_empty());
        handle.stop().await.unwrap();
    }
    net.a.stop();
    net.b.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh (CCMP_ARTIFACTS_DIR)"]
async fn attest_and_relay_run_until_shutdown_and_stop_gracefully() {
    let net = deploy().await;
    let config = net.attester_config(0, "127.0.0.1:0");
    let token = CancellationToken::new();
    let chains = net.chains("attester-0");
    let attest = {
        let token = token.clone();
        tokio::spawn(async move { ccmp::attest::run(&config, &chains, token).await })
    };
    net.send(1).await;
    // An attester on an unreachable port makes `ccmp relay` refuse to start, naming it.
    let Err(err) = ccmp::relay::start(
        &net.relayer_config(&["http://127.0.0.1:9".to_string()]),
        &net.chains("relayer"),
    )
    .await
    else {
        panic!("a relayer started with an unreachable attester");
    };
    let text = format!("{err:#}");
    assert!(
        text.starts_with(
            "relayer.attesters.ccmp-a[0].url: attester http://127.0.0.1:9 is unreachable"
        ),
        "{text}"
    );
    token.cancel();
    tokio::time::timeout(WAIT, attest)
        .await
        .expect("the attester stops")
        .unwrap()
        .unwrap();
    net.a.stop();
    net.b.stop();
}

/// The layer whose first instantiate of `label` is refused by the node.
struct RefuseOnce {
    label: &'static str,
    refused: std::sync::atomic::AtomicBool,
}

#[async_trait::async_trait]
impl Layer for RefuseOnce {
    async fn instantiate(
        &self,
        inner: &dyn ChainClient,
        code: u64,
        msg: &[u8],
        label: &str,
        admin: Option<&str>,
        gas: u64,
    ) -> Result<(String, ccmp_chain::TxResult), ccmp_chain::ChainError> {
        if label == self.label && !self.refused.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return Err(ccmp_chain::ChainError::Rejected {
                log: "out of fees".into(),
            });
        }
        inner.instantiate(code, msg, label, admin, gas).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs artifacts/ from scripts/build.sh (CCMP_ARTIFACTS_DIR)"]
async fn a_deploy_that_fails_halfway_records_its_contracts_and_the_next_run_continues() {
    let dir = tempfile::tempdir().unwrap();
    let a = EmbeddedNode::start(ChainConfig::new(A, "wasm"), BLOCK).unwrap();
    let b = EmbeddedNode::start(ChainConfig::new(B, "wasm"), BLOCK).unwrap();
    let path = dir.path().join("ccmp.toml");
    std::fs::write(&path, config_text(dir.path(), "")).unwrap();
    let config = Config::load(&path).unwrap();
    let mut chains: Chains = HashMap::new();
    chains.insert(
        A.into(),
        Arc::new(a.client("operator")) as Arc<dyn ChainClient>,
    );
    chains.insert(
        B.into(),
        Arc::new(Layered::new(
            Arc::new(b.client("operator")),
            RefuseOnce {
                label: "ccmp inbox",
                refused: Default::default(),
            },
        )) as Arc<dyn ChainClient>,
    );
    let err = ccmp::deploy::run_config(&config, &chains)
        .await
        .expect_err("the inbox on b is refused");
    let text = format!("{err:#}");
    assert!(
        text.contains("recorded in")
            && text.ends_with("chain ccmp-b: transaction refused by the node: out of fees"),
        "{text}"
    );
    // Both outboxes and a's inbox exist and are recorded as pending.
    let partial = ccmp::deploy::read_deployment(&config.deployment.file)
        .unwrap()
        .unwrap();
    assert!(partial.chains.is_empty());
    assert_eq!(partial.pending[A].len(), 2, "{partial:?}");
    assert_eq!(partial.pending[B].len(), 1, "{partial:?}");
    // The next run takes them up: the same outboxes, only the rest is added.
    let done = ccmp::deploy::run_config(&config, &chains).await.unwrap();
    assert!(done.written);
    assert!(done.deployment.pending.is_empty());
    assert_eq!(
        done.deployment.chains[A].outbox,
        partial.pending[A]["outbox"]
    );
    assert_eq!(
        done.deployment.chains[B].outbox,
        partial.pending[B]["outbox"]
    );
    assert_eq!(done.deployment.chains[A].inbox, partial.pending[A]["inbox"]);
    assert!(
        done.report
            .actions
            .iter()
            .all(|action| !action.contains("instantiate outbox")),
        "{:?}",
        done.report.actions
    );
    let again = ccmp::deploy::run_config(&config, &chains).await.unwrap();
    assert!(again.report.actions.is_empty() && !again.written);
    a.stop();
    b.stop();
}
