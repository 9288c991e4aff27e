//! `ccmp demo`: the whole bridge in one process. Two embedded chains (the compiled
//! contracts in the real CosmWasm VM, blocks on a timer) or, with `--localnet`, two real
//! wasmd nodes of `scripts/localnet.sh` over CometBFT RPC and signed transactions;
//! `ccmp deploy` on both, attesters
//! with mixed key types and weights following each outbox, a relayer in each direction,
//! and pings both ways through the example dApp (each answered by a pong), plus one message
//! to a receiver that fails and is then retried, and one that times out. It shows progress,
//! ends with a summary (per-lane counts by status, end-to-end latency, gas per operation)
//! and fails if any message is lost or processed twice.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use ccmp_attester::{start_with_key, AttesterConfig, AttesterHandle};
use ccmp_chain::embedded::EmbeddedNode;
use ccmp_chain::localnet::Manifest;
use ccmp_chain::record::{TxLog, TxRecord};
use ccmp_chain::rpc::RpcClient;
use ccmp_chain::{query, ChainClient, Execute};
use ccmp_devnet::ChainConfig;
use ccmp_inbox::msg::{QueryMsg as InboxQuery, SourceResponse};
use ccmp_outbox::msg::{LaneResponse, QueryMsg as OutboxQuery};
use ccmp_pingpong::msg::{
    ExecuteMsg as PingpongExecute, PongBudget, QueryMsg as PingpongQuery, StatsResponse,
};
use ccmp_relayer::service::{
    start as start_relayer, AttesterEndpoint, RelayerConfig, RelayerHandle, RetryPolicy,
};
use ccmp_signer::keyfile::{read_key_file, secret_bytes};
use ccmp_signer::{AttesterKey, SignerSet};
use ccmp_types::{MessageStatus, MessageStatusResponse, SendMsg};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::deploy::{deploy, DeployPlan, Deployment, Wasm, SETUP_GAS, STORE_GAS};

/// The embedded chains' ids.
pub const CHAIN_A: &str = "chain-a";
pub const CHAIN_B: &str = "chain-b";

#[derive(clap::Args, Clone, Debug)]
pub struct DemoArgs {
    /// Pings each chain sends the other; every ping is answered by a pong, so the demo
    /// moves four messages per ping pair (plus the failing and the timed-out message).
    #[arg(long, default_value_t = 75)]
    pub pings: u32,
    /// Block time of both embedded chains, in milliseconds (on a localnet the nodes'
    /// own, measured from their block headers).
    #[arg(long, default_value_t = 200)]
    pub block_time_ms: u64,
    /// Run on the first two chains of a running localnet of real wasmd nodes
    /// (`scripts/localnet.sh up`) instead of embedded chains: deploys fresh contracts
    /// there with real transactions.
    #[arg(long)]
    pub localnet: bool,
    /// The localnet's directory (its `localnet.json`), with `--localnet`.
    #[arg(long, env = "CCMP_LOCALNET_DIR", default_value = ".localnet")]
    pub localnet_dir: PathBuf,
    /// Attesters per source chain: alternating secp256k1 and Ed25519 keys, the last one
    /// with twice the weight, threshold two thirds of the weight.
    #[arg(long, default_value_t = 3)]
    pub attesters: u32,
    /// Seed of the attester keys (deterministic test keys: demo only).
    #[arg(long, default_value_t = 1)]
    pub seed: u32,
    /// Where the compiled contracts are (`scripts/build.sh` writes them).
    #[arg(long, default_value = "artifacts")]
    pub wasm_dir: PathBuf,
    /// Give up (and fail) if the messages are not all final after this many seconds.
    #[arg(long, default_value_t = 300)]
    pub timeout_secs: u64,
    /// No progress bars (for logs and CI).
    #[arg(long)]
    pub no_progress: bool,
    /// Also write the summary as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Pings per transaction.
    #[arg(long, default_value_t = 25)]
    pub pings_per_tx: u32,
    /// Send every ping before the relayers start (a queue), instead of while they run.
    #[arg(long)]
    pub queued: bool,
}

impl Default for DemoArgs {
    fn default() -> Self {
        DemoArgs {
            pings: 75,
            block_time_ms: 200,
            localnet: false,
            localnet_dir: PathBuf::from(".localnet"),
            attesters: 3,
            seed: 1,
            wasm_dir: PathBuf::from("artifacts"),
            timeout_secs: 300,
            no_progress: true,
            json: None,
            pings_per_tx: 25,
            queued: false,
        }
    }
}

/// Counts and timings of one lane.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LaneSummary {
    pub source_chain: String,
    pub destination_chain: String,
    pub sent: u64,
    pub checkpointed: u64,
    pub delivered: u64,
    pub failed: u64,
    pub timed_out: u64,
    pub pending: u64,
    /// Delivered after at least one failure (retried).
    pub retried: u64,
    pub latency_blocks: Percentiles,
    pub latency_seconds: PercentilesF,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Percentiles {
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub max: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PercentilesF {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

/// Mean gas of one kind of transaction.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GasLine {
    pub operation: String,
    pub transactions: u64,
    pub mean_gas: u64,
    /// Messages processed by these transactions and the gas per message (delivery only).
    pub messages: u64,
    pub gas_per_message: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DemoSummary {
    /// The chains' block time in milliseconds (measured on real nodes).
    pub block_time_ms: u64,
    pub lanes: Vec<LaneSummary>,
    pub gas: Vec<GasLine>,
    pub messages: u64,
    pub wall_seconds: f64,
    /// Messages delivered per second of wall time, from the first send to the last
    /// delivery.
    pub throughput: f64,
    pub problems: Vec<String>,
}

impl DemoSummary {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let summary = runtime.block_on(run_demo(&args))?;
    print_summary(&summary);
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&summary)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if !summary.ok() {
        bail!(
            "{} problem(s): {}",
            summary.problems.len(),
            summary.problems.join("; ")
        );
    }
    Ok(())
}

fn read_wasm(dir: &std::path::Path, name: &str) -> anyhow::Result<Vec<u8>> {
    let path = dir.join(name);
    std::fs::read(&path).with_context(|| {
        format!(
            "cannot read {} (build the contracts with ./scripts/build.sh, or pass --wasm-dir)",
            path.display()
        )
    })
}

/// The attester keys and set of the demo: alternating key types, the last one weighing
/// twice as much, threshold two thirds of the total weight (rounded up, and a majority).
pub fn demo_signers(count: u32, seed: u32) -> SignerSet {
    let keys: Vec<AttesterKey> = (0..count)
        .map(|i| AttesterKey::test_key(seed * 100 + i, i % 2 == 1))
        .collect();
    let mut weights = vec![1u64; count as usize];
    if let Some(last) = weights.last_mut() {
        *last = 2;
    }
    let total: u64 = weights.iter().sum();
    let threshold = (total * 2).div_ceil(3).max(total / 2 + 1);
    SignerSet::weighted(keys, &weights, threshold)
}

/// Chain clients by chain id, as the relay service takes them.
type Chains = HashMap<String, Arc<dyn ChainClient>>;

/// Who a client of the demo acts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role<'a> {
    Deployer,
    User,
    /// Reads only (the summary, the attesters).
    Observer,
    /// The relayer of the lane from `source`.
    Relayer {
        source: &'a str,
    },
}

/// The two chains the demo runs on.
enum Network {
    /// Embedded chains in this process; block closing times by this process's clock,
    /// from `epoch`.
    Embedded {
        nodes: BTreeMap<String, EmbeddedNode>,
        epoch: Instant,
    },
    /// Real nodes of a localnet: per chain, one client per funded account the demo
    /// signs with (one signer per account in this process, so sequences stay in step).
    Localnet {
        chains: BTreeMap<String, BTreeMap<&'static str, Arc<RpcClient>>>,
    },
}

/// The localnet accounts the demo signs with.
const LOCALNET_ACCOUNTS: [&str; 3] = ["deployer", "user", "relayer"];

impl Network {
    fn embedded(block_time: Duration) -> anyhow::Result<Network> {
        let mut nodes = BTreeMap::new();
        for chain in [CHAIN_A, CHAIN_B] {
            nodes.insert(
                chain.to_string(),
                EmbeddedNode::start(ChainConfig::new(chain, "wasm"), block_time)
                    .map_err(|e| anyhow!("{e}"))?,
            );
        }
        Ok(Network::Embedded {
            nodes,
            epoch: Instant::now(),
        })
    }

    async fn localnet(dir: &Path) -> anyhow::Result<Network> {
        let manifest = Manifest::read(dir)?;
        if manifest.chains.len() < 2 {
            bail!(
                "the localnet at {} has {} chain(s); the demo needs two (scripts/localnet.sh up 2)",
                dir.display(),
                manifest.chains.len()
            );
        }
        let mut chains = BTreeMap::new();
        for chain in manifest.chains.iter().take(2) {
            let mut accounts = BTreeMap::new();
            for account in LOCALNET_ACCOUNTS {
                let key_file = &chain.account(account)?.key_file;
                let key = read_key_file(key_file)
                    .with_context(|| format!("{} account {account}", chain.chain_id))?;
                let mut secret = secret_bytes(&key);
                let client = RpcClient::connect(chain.rpc_config(), &secret).await;
                secret.fill(0);
                std::hint::black_box(&secret);
                let client = client.with_context(|| {
                    format!(
                        "{} at {} (is the localnet up? scripts/localnet.sh status)",
                        chain.chain_id, chain.rpc
                    )
                })?;
                accounts.insert(account, Arc::new(client));
            }
            chains.insert(chain.chain_id.clone(), accounts);
        }
        Ok(Network::Localnet { chains })
    }

    /// The two chain ids, in order (lane a -> b carries the special messages).
    fn chain_ids(&self) -> [String; 2] {
        let ids: Vec<String> = match self {
            Network::Embedded { nodes, .. } => nodes.keys().cloned().collect(),
            Network::Localnet { chains } => chains.keys().cloned().collect(),
        };
        [ids[0].clone(), ids[1].clone()]
    }

    fn client(&self, chain: &str, role: Role) -> Arc<dyn ChainClient> {
        match self {
            Network::Embedded { nodes, .. } => {
                let name = match role {
                    Role::Deployer => "deployer".to_string(),
                    Role::User => "user".to_string(),
                    Role::Observer => "observer".to_string(),
                    Role::Relayer { source } => format!("relayer-{source}"),
                };
                Arc::new(nodes[chain].client(&name))
            }
            Network::Localnet { chains } => {
                let account = match role {
                    Role::Deployer | Role::Observer => "deployer",
                    Role::User => "user",
                    // Each relayer signs only on its lane's destination: one account
                    // serves both.
                    Role::Relayer { .. } => "relayer",
                };
                chains[chain][account].clone()
            }
        }
    }

    /// When block `height` of `chain` closed, in seconds on a clock both chains share
    /// (embedded: this process's; real nodes: the block header's time).
    async fn block_seconds(&self, chain: &str, height: u64) -> Option<f64> {
        match self {
            Network::Embedded { nodes, epoch } => nodes[chain]
                .closed_at(height)
                .map(|at| at.saturating_duration_since(*epoch).as_secs_f64()),
            Network::Localnet { chains } => chains[chain]["deployer"]
                .block_time(height)
                .await
                .ok()
                .map(|t| t.nanos() as f64 / 1e9),
        }
    }

    /// The block time in milliseconds: the embedded chains' setting, or a localnet's mean
    /// over its last (up to) 20 blocks.
    async fn block_time_ms(&self, configured: u64) -> anyhow::Result<u64> {
        let Network::Localnet { chains } = self else {
            return Ok(configured);
        };
        let mut slowest = 1;
        for clients in chains.values() {
            let client = &clients["deployer"];
            let status = client.status().await?;
            let span = status.height.saturating_sub(1).min(20);
            if span == 0 {
                continue;
            }
            let earlier = client.block_time(status.height - span).await?;
            let ms = (status.time.nanos().saturating_sub(earlier.nanos()) / 1_000_000) / span;
            slowest = slowest.max(ms);
        }
        Ok(slowest)
    }

    fn stop(&self) {
        if let Network::Embedded { nodes, .. } = self {
            for node in nodes.values() {
                node.stop();
            }
        }
    }
}

/// Everything the demo started, so it can be inspected and stopped.
pub struct Bridge {
    network: Network,
    /// The chain ids: lane `chains[0] -> chains[1]` carries the special messages.
    pub chains: [String; 2],
    pub deployment: Deployment,
    pub attesters: Vec<AttesterHandle>,
    pub relayers: Vec<RelayerHandle>,
    pub receiver: String,
    /// The block time in milliseconds (measured on a localnet).
    pub block_ms: u64,
    /// Each chain's height before the demo deployed (its events are read from there).
    from_height: BTreeMap<String, u64>,
    /// Every transaction the demo's clients broadcast.
    log: TxLog,
    /// Relayers configured but not started yet.
    pending: Vec<(RelayerConfig, Chains)>,
    shutdown: CancellationToken,
    _data: TempDir,
}

impl Bridge {
    pub async fn stop(self) {
        self.shutdown.cancel();
        for relayer in self.relayers {
            relayer.shutdown_within(Duration::from_secs(10)).await;
        }
        for attester in self.attesters {
            let _ = attester.stop().await;
        }
        self.network.stop();
    }
}

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> anyhow::Result<TempDir> {
        let path = std::env::temp_dir().join(format!(
            "ccmp-demo-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::create_dir_all(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn relayer_config(
    deployment: &Deployment,
    source: &str,
    destination: &str,
    attesters: &[(String, ccmp_types::PubKey)],
    poll_ms: u64,
) -> RelayerConfig {
    let mut config = RelayerConfig::from_toml(&format!(
        "poll_interval_ms = {poll_ms}\n[[lanes]]\nsource_chain = \"{source}\"\ndestination_chain = \"{destination}\"\nsource_outbox = \"{}\"\ndestination_inbox = \"{}\"\n[[lanes.attesters]]\nurl = \"{}\"\n",
        deployment.chains[source].outbox.address,
        deployment.chains[destination].inbox.address,
        attesters.first().map_or("http://127.0.0.1:1", |(url, _)| url.as_str()),
    ))
    .expect("a valid relayer configuration");
    config.lanes[0].attesters = attesters
        .iter()
        .map(|(url, pubkey)| AttesterEndpoint {
            url: url.clone(),
            pubkey: Some(pubkey.clone()),
            index: None,
        })
        .collect();
    config.retry_failed = RetryPolicy {
        enabled: true,
        min_interval_ms: poll_ms * 10,
        ..RetryPolicy::default()
    };
    config
}

/// Starts (or connects to) both chains, deploys, and starts the attesters; the relayers
/// are configured, and start once the special messages are sent
/// ([`Bridge::start_pending_relayers`]).
pub async fn start_bridge(args: &DemoArgs) -> anyhow::Result<Bridge> {
    let data = TempDir::new()?;
    let network = if args.localnet {
        Network::localnet(&args.localnet_dir).await?
    } else {
        Network::embedded(Duration::from_millis(args.block_time_ms.max(10)))?
    };
    let chains = network.chain_ids();
    let block_ms = network.block_time_ms(args.block_time_ms).await?;
    let log = TxLog::new();
    let mut from_height = BTreeMap::new();
    for chain in &chains {
        let height = network.client(chain, Role::Observer).status().await?.height;
        from_height.insert(chain.clone(), height);
    }
    let wasm = Wasm {
        outbox: read_wasm(&args.wasm_dir, "ccmp_outbox.wasm")?,
        inbox: read_wasm(&args.wasm_dir, "ccmp_inbox.wasm")?,
        pingpong: Some(read_wasm(&args.wasm_dir, "ccmp_pingpong.wasm")?),
    };
    let receiver_wasm = read_wasm(&args.wasm_dir.join("test"), "ccmp_devnet_receiver.wasm")?;
    let signers = demo_signers(args.attesters.max(1), args.seed);
    let deployers: Vec<Arc<dyn ChainClient>> = chains
        .iter()
        .map(|chain| log.wrap(network.client(chain, Role::Deployer)))
        .collect();
    let plan = DeployPlan {
        chains: deployers.clone(),
        wasm,
        attesters: chains
            .iter()
            .map(|chain| (chain.clone(), signers.set.clone()))
            .collect(),
        ordered: false,
        trust_delay_seconds: 0,
        fee: None,
        pong_budget: Some(PongBudget {
            max_pongs_per_window: 10_000,
            window_seconds: 3_600,
        }),
    };
    let (deployment, report) = deploy(&plan, &Deployment::default()).await?;
    tracing::info!(actions = report.actions.len(), "deployed");
    // Idempotent: a second run changes nothing.
    let (again, second) = deploy(&plan, &deployment).await?;
    if again != deployment || !second.actions.is_empty() {
        bail!("deploy is not idempotent: {:?}", second.actions);
    }

    // A receiver on the second chain that fails until it is switched, for the retry.
    let b = &deployers[1];
    let (code, _) = b.store_code(&receiver_wasm, STORE_GAS).await?;
    let (receiver, _) = b
        .instantiate(
            code,
            &serde_json::to_vec(&ccmp_devnet_receiver::InstantiateMsg {
                mode: Some(ccmp_devnet_receiver::Mode::Fail),
            })?,
            "failing receiver",
            None,
            SETUP_GAS,
        )
        .await?;

    let shutdown = CancellationToken::new();
    let poll_ms = (block_ms / 2).max(20);
    let mut attesters = vec![];
    let mut endpoints: HashMap<String, Vec<(String, ccmp_types::PubKey)>> = HashMap::new();
    for (source, destination) in [(&chains[0], &chains[1]), (&chains[1], &chains[0])] {
        for (i, key) in signers.keys.iter().enumerate() {
            let mut config = AttesterConfig::new(
                deployment.chains[source].outbox.address.clone(),
                vec![destination.to_string()],
                data.0.join(format!("attester-{source}-{i}.store")),
                "127.0.0.1:0",
                data.0.join("unused.key"),
            );
            config.poll_interval_ms = poll_ms;
            config.start_height = from_height[source].max(1);
            let client = network.client(source, Role::Observer);
            let handle = start_with_key(config, client, key.clone(), shutdown.clone())
                .await
                .map_err(|e| anyhow!("attester {i} of {source}: {e}"))?;
            endpoints
                .entry(source.clone())
                .or_default()
                .push((format!("http://{}", handle.local_addr()), key.pubkey()));
            attesters.push(handle);
        }
    }
    let mut pending = vec![];
    for (source, destination) in [(&chains[0], &chains[1]), (&chains[1], &chains[0])] {
        let mut config = relayer_config(
            &deployment,
            source,
            destination,
            &endpoints[source],
            poll_ms,
        );
        config.lanes[0].start_height = from_height[source].max(1);
        let clients: Chains = chains
            .iter()
            .map(|id| {
                (
                    id.clone(),
                    log.wrap(network.client(id, Role::Relayer { source })),
                )
            })
            .collect();
        pending.push((config, clients));
    }
    Ok(Bridge {
        network,
        chains,
        deployment,
        attesters,
        relayers: vec![],
        receiver,
        block_ms,
        from_height,
        log,
        pending,
        shutdown,
        _data: data,
    })
}

impl Bridge {
    pub async fn start_pending_relayers(&mut self) -> anyhow::Result<()> {
        for (config, chains) in std::mem::take(&mut self.pending) {
            self.relayers.push(start_relayer(config, &chains).await?);
        }
        Ok(())
    }

    /// A client of `chain` acting as `role`; its transactions are in the demo's log.
    pub fn client(&self, chain: &str, role: Role) -> Arc<dyn ChainClient> {
        self.log.wrap(self.network.client(chain, role))
    }
}

/// One message the demo expects on a lane, by nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Delivered,
    Retried,
    TimedOut,
}

async fn send_pings(
    bridge: &Bridge,
    from: &str,
    to: &str,
    count: u32,
    per_tx: u32,
) -> anyhow::Result<Vec<u64>> {
    let user = bridge.client(from, Role::User);
    let pingpong = bridge.deployment.chains[from]
        .pingpong
        .as_ref()
        .ok_or_else(|| anyhow!("no pingpong on {from}"))?
        .address
        .clone();
    let mut heights = vec![];
    let mut sent = 0;
    while sent < count {
        let n = per_tx.min(count - sent).max(1);
        let msgs: Vec<Execute> = (0..n)
            .map(|i| {
                Execute::new(
                    &pingpong,
                    &PingpongExecute::Ping {
                        destination_chain: to.to_string(),
                        text: format!("ping {} from {from}", sent + i),
                    },
                )
            })
            .collect::<Result<_, _>>()?;
        let tx = user.broadcast(&msgs, 2_000_000 * u64::from(n)).await?;
        let tx = tx.into_result()?;
        heights.extend(std::iter::repeat_n(tx.height, n as usize));
        sent += n;
    }
    Ok(heights)
}

/// Runs the demo and returns its summary (also what the tests and the benchmark call).
pub async fn run_demo(args: &DemoArgs) -> anyhow::Result<DemoSummary> {
    let started = Instant::now();
    let mut bridge = start_bridge(args).await?;
    let result = drive(&mut bridge, args, started).await;
    bridge.stop().await;
    result
}

async fn drive(
    bridge: &mut Bridge,
    args: &DemoArgs,
    started: Instant,
) -> anyhow::Result<DemoSummary> {
    let [chain_a, chain_b] = bridge.chains.clone();
    let (chain_a, chain_b) = (chain_a.as_str(), chain_b.as_str());
    let a = bridge.client(chain_a, Role::User);
    let outbox_a = bridge.deployment.chains[chain_a].outbox.address.clone();
    let mut expect: BTreeMap<(String, u64), Expect> = BTreeMap::new();

    // The failing receiver's message and the one that times out go first on the first
    // chain's lane, nonces 0 and 1, before any relayer runs. The timeout is four blocks
    // ahead, so the send is in a block before it on any chain; the relayers start once
    // the destination's time is past it, so the message can only time out.
    let now = a.status().await?.time;
    let timeout = now.plus_nanos(4 * bridge.block_ms.max(10) * 1_000_000);
    let special = [(None, Expect::Retried), (Some(timeout), Expect::TimedOut)];
    for (nonce, (timeout, kind)) in special.into_iter().enumerate() {
        let msg = ccmp_types::OutboxExecuteMsg::Send(SendMsg {
            destination_chain: chain_b.into(),
            recipient: bridge.receiver.clone(),
            body: format!("special {nonce}").into_bytes().into(),
            timeout_timestamp: timeout,
        });
        a.broadcast(&[Execute::new(&outbox_a, &msg)?], 2_000_000)
            .await?
            .into_result()?;
        expect.insert((chain_a.to_string(), nonce as u64), kind);
    }
    let deadline = Instant::now() + Duration::from_secs(args.timeout_secs);
    wait_past(bridge, chain_b, timeout, deadline).await?;
    if !args.queued {
        bridge.start_pending_relayers().await?;
    }
    let traffic_start = Instant::now();
    // Pings both ways; every ping makes a pong on the other lane.
    let (sent_a, sent_b) = tokio::try_join!(
        send_pings(bridge, chain_a, chain_b, args.pings, args.pings_per_tx),
        send_pings(bridge, chain_b, chain_a, args.pings, args.pings_per_tx),
    )?;
    if args.queued {
        bridge.start_pending_relayers().await?;
    }
    let total_a = 2 + sent_a.len() as u64 + sent_b.len() as u64; // specials, pings, pongs
    let total_b = sent_a.len() as u64 + sent_b.len() as u64;
    for nonce in 2..total_a {
        expect.insert((chain_a.to_string(), nonce), Expect::Delivered);
    }
    for nonce in 0..total_b {
        expect.insert((chain_b.to_string(), nonce), Expect::Delivered);
    }
    let totals = [(chain_a, chain_b, total_a), (chain_b, chain_a, total_b)];

    let progress = Progress::new(args, &totals);
    let mut switched = false;
    let mut problems = vec![];
    // Per lane, the first nonce the inbox has not processed: the inbox's statuses are the
    // truth (a relayer's own count can lag behind a checkpoint it has just submitted).
    let mut processed = vec![0u64; totals.len()];
    loop {
        let mut done = true;
        for (i, (source, destination, total)) in totals.iter().enumerate() {
            let source_client = bridge.client(source, Role::Observer);
            let destination_client = bridge.client(destination, Role::Observer);
            let lane: LaneResponse = query(
                &*source_client,
                &bridge.deployment.chains[*source].outbox.address,
                &OutboxQuery::Lane {
                    destination_chain: destination.to_string(),
                },
            )
            .await?;
            let inbox: SourceResponse = query(
                &*destination_client,
                &bridge.deployment.chains[*destination].inbox.address,
                &InboxQuery::Source {
                    chain: source.to_string(),
                },
            )
            .await?;
            let checkpointed = inbox.latest_checkpoint.map_or(0, |c| c.size);
            // Bounded per round, so progress and the retry below keep moving.
            let mut reads = 0;
            while processed[i] < checkpointed && reads < 2_000 {
                let status = status_of(bridge, source, destination, processed[i]).await?;
                if status.status == MessageStatus::Unknown {
                    break;
                }
                processed[i] += 1;
                reads += 1;
            }
            progress.update(i, lane.size, checkpointed, processed[i]);
            if lane.size < *total || processed[i] < *total {
                done = false;
            }
        }
        // The failing receiver's message: once failed, fix the receiver; the relayer's
        // retry policy delivers it again.
        if !switched {
            let status = status_of(bridge, chain_a, chain_b, 0).await?;
            if status.status == MessageStatus::Failed {
                let b = bridge.client(chain_b, Role::Deployer);
                b.broadcast(
                    &[Execute::new(
                        &bridge.receiver,
                        &ccmp_devnet_receiver::ExecuteMsg::SetMode {
                            mode: ccmp_devnet_receiver::Mode::Record,
                        },
                    )?],
                    2_000_000,
                )
                .await?
                .into_result()?;
                switched = true;
            }
        }
        if done && switched {
            let retried = status_of(bridge, chain_a, chain_b, 0).await?;
            if retried.status == MessageStatus::Delivered {
                break;
            }
        }
        if Instant::now() > deadline {
            problems.push(format!(
                "not every message was final after {} s",
                args.timeout_secs
            ));
            break;
        }
        tokio::time::sleep(Duration::from_millis(bridge.block_ms.max(50))).await;
    }
    progress.finish();
    let wall = traffic_start.elapsed().as_secs_f64();
    let mut summary = summarize(bridge, args, &expect, &totals, &mut problems).await?;
    summary.wall_seconds = wall;
    let delivered: u64 = summary.lanes.iter().map(|l| l.delivered).sum();
    summary.throughput = if wall > 0.0 {
        delivered as f64 / wall
    } else {
        0.0
    };
    summary.messages = totals.iter().map(|t| t.2).sum();
    summary.block_time_ms = bridge.block_ms;
    summary.problems = problems;
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "demo finished");
    Ok(summary)
}

/// Waits until `chain`'s latest block is later than `time` (bounded by `deadline`).
async fn wait_past(
    bridge: &Bridge,
    chain: &str,
    time: cosmwasm_std::Timestamp,
    deadline: Instant,
) -> anyhow::Result<()> {
    let client = bridge.client(chain, Role::Observer);
    loop {
        if client.status().await?.time > time {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{chain}'s block time did not pass {time} within the demo's timeout");
        }
        tokio::time::sleep(Duration::from_millis((bridge.block_ms / 2).max(10))).await;
    }
}

async fn status_of(
    bridge: &Bridge,
    source: &str,
    destination: &str,
    nonce: u64,
) -> anyhow::Result<MessageStatusResponse> {
    Ok(query(
        &*bridge.client(destination, Role::Observer),
        &bridge.deployment.chains[destination].inbox.address,
        &InboxQuery::MessageStatus {
            source_chain: source.to_string(),
            nonce,
        },
    )
    .await?)
}

fn percentiles(mut values: Vec<u64>) -> Percentiles {
    values.sort_unstable();
    let at = |q: f64| -> u64 {
        if values.is_empty() {
            return 0;
        }
        let i = ((values.len() as f64 * q).ceil() as usize).clamp(1, values.len()) - 1;
        values[i]
    };
    Percentiles {
        p50: at(0.50),
        p90: at(0.90),
        p99: at(0.99),
        max: values.last().copied().unwrap_or(0),
    }
}

async fn summarize(
    bridge: &Bridge,
    args: &DemoArgs,
    expect: &BTreeMap<(String, u64), Expect>,
    totals: &[(&str, &str, u64)],
    problems: &mut Vec<String>,
) -> anyhow::Result<DemoSummary> {
    let block_seconds = bridge.block_ms.max(1) as f64 / 1000.0;
    let mut lanes = vec![];
    let mut times = BlockTimes::default();
    for (source, destination, total) in totals {
        let source_client = bridge.client(source, Role::Observer);
        let destination_client = bridge.client(destination, Role::Observer);
        let outbox = &bridge.deployment.chains[*source].outbox.address;
        let inbox = &bridge.deployment.chains[*destination].inbox.address;
        let source_height = source_client.status().await?.height;
        let destination_height = destination_client.status().await?.height;
        // When each message was sent and first processed, from the chains' events.
        let mut sent_at: BTreeMap<u64, u64> = BTreeMap::new();
        for event in source_client
            .contract_events(outbox, bridge.from_height[*source], source_height)
            .await?
        {
            if event.event.ty == "wasm-ccmp_send"
                && event.attribute("destination_chain") == Some(destination)
            {
                if let Some(nonce) = event.attribute("nonce").and_then(|n| n.parse().ok()) {
                    sent_at.insert(nonce, event.height);
                }
            }
        }
        let mut processed_at: BTreeMap<u64, u64> = BTreeMap::new();
        for event in destination_client
            .contract_events(inbox, bridge.from_height[*destination], destination_height)
            .await?
        {
            if event.event.ty == "wasm-ccmp_deliver"
                && event.attribute("source_chain") == Some(source)
            {
                if let Some(nonce) = event.attribute("nonce").and_then(|n| n.parse().ok()) {
                    processed_at.entry(nonce).or_insert(event.height);
                }
            }
        }
        let inbox_source: SourceResponse = query(
            &*destination_client,
            inbox,
            &InboxQuery::Source {
                chain: source.to_string(),
            },
        )
        .await?;
        let mut lane = LaneSummary {
            source_chain: source.to_string(),
            destination_chain: destination.to_string(),
            sent: sent_at.len() as u64,
            checkpointed: inbox_source.latest_checkpoint.map_or(0, |c| c.size),
            ..LaneSummary::default()
        };
        if lane.sent != *total {
            problems.push(format!(
                "{source} -> {destination}: {} messages sent, {total} expected",
                lane.sent
            ));
        }
        let mut millis = vec![];
        for nonce in 0..*total {
            let status = status_of(bridge, source, destination, nonce).await?;
            let want = expect.get(&(source.to_string(), nonce)).copied();
            match status.status {
                MessageStatus::Delivered => lane.delivered += 1,
                MessageStatus::Failed => lane.failed += 1,
                MessageStatus::TimedOut => lane.timed_out += 1,
                MessageStatus::Unknown => lane.pending += 1,
            }
            let ok = match (want, status.status, status.attempts) {
                (Some(Expect::Delivered), MessageStatus::Delivered, 1) => true,
                (Some(Expect::Retried), MessageStatus::Delivered, n) if n >= 2 => {
                    lane.retried += 1;
                    true
                }
                (Some(Expect::TimedOut), MessageStatus::TimedOut, _) => true,
                _ => false,
            };
            if !ok {
                problems.push(format!(
                    "{source} -> {destination} nonce {nonce}: expected {want:?}, got {:?} after {} attempt(s)",
                    status.status, status.attempts
                ));
            }
            // From the send's block to the delivery's, on a clock both chains share (the
            // two chains' heights drift apart).
            let sent = match sent_at.get(&nonce) {
                Some(h) => times.at(&bridge.network, source, *h).await,
                None => None,
            };
            let done = match processed_at.get(&nonce) {
                Some(h) => times.at(&bridge.network, destination, *h).await,
                None => None,
            };
            if let (Some(sent), Some(done)) = (sent, done) {
                millis.push(((done - sent).max(0.0) * 1000.0).round() as u64);
            }
        }
        let ms = percentiles(millis);
        let blocks = |m: u64| ((m as f64 / 1000.0) / block_seconds).round() as u64;
        lane.latency_blocks = Percentiles {
            p50: blocks(ms.p50),
            p90: blocks(ms.p90),
            p99: blocks(ms.p99),
            max: blocks(ms.max),
        };
        lane.latency_seconds = PercentilesF {
            p50: ms.p50 as f64 / 1000.0,
            p90: ms.p90 as f64 / 1000.0,
            p99: ms.p99 as f64 / 1000.0,
            max: ms.max as f64 / 1000.0,
        };
        lanes.push(lane);
    }
    // Processed once: each dApp received exactly the pings and pongs that were sent.
    let [a, b] = &bridge.chains;
    for (chain, other) in [(a, b), (b, a)] {
        let pingpong = bridge.deployment.chains[chain]
            .pingpong
            .as_ref()
            .map(|p| p.address.clone())
            .unwrap_or_default();
        let stats: StatsResponse = query(
            &*bridge.client(chain, Role::Observer),
            &pingpong,
            &PingpongQuery::Stats {},
        )
        .await?;
        let expected = u64::from(args.pings);
        if stats.pings_received != expected || stats.pongs_received != expected {
            problems.push(format!(
                "pingpong on {chain} received {} pings and {} pongs from {other}, {expected} each expected",
                stats.pings_received, stats.pongs_received
            ));
        }
    }
    let received: ccmp_devnet_receiver::ReceivedResponse = query(
        &*bridge.client(b, Role::Observer),
        &bridge.receiver,
        &ccmp_devnet_receiver::QueryMsg::Received {},
    )
    .await?;
    if received.count != 1 {
        problems.push(format!(
            "the retried message reached its receiver {} times",
            received.count
        ));
    }
    Ok(DemoSummary {
        lanes,
        gas: gas_lines(bridge),
        ..DemoSummary::default()
    })
}

/// Mean gas per kind of transaction on both chains, from the demo's transaction log.
fn gas_lines(bridge: &Bridge) -> Vec<GasLine> {
    let mut by: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for tx in bridge.log.records().iter().filter(|t| t.code == 0) {
        let name = operation(tx);
        let entry = by.entry(name).or_default();
        entry.0 += 1;
        entry.1 += tx.gas_used;
        entry.2 += tx.processed as u64;
    }
    by.into_iter()
        .map(|(operation, (count, gas, messages))| GasLine {
            mean_gas: gas / count.max(1),
            gas_per_message: gas.checked_div(messages).unwrap_or(0),
            operation,
            transactions: count,
            messages,
        })
        .collect()
}

/// Block times by chain and height, each read once.
#[derive(Default)]
struct BlockTimes(BTreeMap<(String, u64), Option<f64>>);

impl BlockTimes {
    async fn at(&mut self, network: &Network, chain: &str, height: u64) -> Option<f64> {
        let key = (chain.to_string(), height);
        if let Some(known) = self.0.get(&key) {
            return *known;
        }
        let time = network.block_seconds(chain, height).await;
        self.0.insert(key, time);
        time
    }
}

fn operation(tx: &TxRecord) -> String {
    let first = tx.actions.first().cloned().unwrap_or_default();
    if tx.actions.len() > 1 && tx.actions.iter().all(|a| *a == first) {
        format!("{first} x{}", tx.actions.len())
    } else {
        first
    }
}

struct Progress {
    bars: Vec<[ProgressBar; 3]>,
    _multi: Option<MultiProgress>,
}

impl Progress {
    fn new(args: &DemoArgs, totals: &[(&str, &str, u64)]) -> Progress {
        let multi = (!args.no_progress).then(MultiProgress::new);
        let style = ProgressStyle::with_template("{prefix:>28} {bar:30} {pos:>6}/{len:6}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        let bars = totals
            .iter()
            .map(|(source, destination, total)| {
                ["sent", "attested", "delivered"].map(|what| {
                    let bar = match &multi {
                        Some(multi) => multi.add(ProgressBar::new(*total)),
                        None => {
                            let bar = ProgressBar::new(*total);
                            bar.set_draw_target(ProgressDrawTarget::hidden());
                            bar
                        }
                    };
                    bar.set_style(style.clone());
                    bar.set_prefix(format!("{source} -> {destination} {what}"));
                    bar
                })
            })
            .collect();
        Progress {
            bars,
            _multi: multi,
        }
    }

    fn update(&self, lane: usize, sent: u64, attested: u64, delivered: u64) {
        let [s, a, d] = &self.bars[lane];
        s.set_position(sent);
        a.set_position(attested);
        d.set_position(delivered);
    }

    fn finish(&self) {
        for bars in &self.bars {
            for bar in bars {
                bar.finish();
            }
        }
    }
}

pub fn print_summary(summary: &DemoSummary) {
    println!();
    println!(
        "{:<22} {:>6} {:>8} {:>9} {:>6} {:>9} {:>7} {:>7}  latency p50/p99 (blocks, s at {} ms blocks)",
        "lane", "sent", "attested", "delivered", "failed", "timed_out", "retried", "pending", summary.block_time_ms
    );
    for lane in &summary.lanes {
        println!(
            "{:<22} {:>6} {:>8} {:>9} {:>6} {:>9} {:>7} {:>7}  {}/{} blocks, {:.1}/{:.1} s",
            format!("{} -> {}", lane.source_chain, lane.destination_chain),
            lane.sent,
            lane.checkpointed,
            lane.delivered,
            lane.failed,
            lane.timed_out,
            lane.retried,
            lane.pending,
            lane.latency_blocks.p50,
            lane.latency_blocks.p99,
            lane.latency_seconds.p50,
            lane.latency_seconds.p99,
        );
    }
    println!();
    println!(
        "{:<26} {:>6} {:>12} {:>9} {:>12}",
        "operation (gas, SDK units)", "txs", "mean gas", "messages", "gas/message"
    );
    for line in &summary.gas {
        println!(
            "{:<26} {:>6} {:>12} {:>9} {:>12}",
            line.operation,
            line.transactions,
            line.mean_gas,
            line.messages,
            if line.messages > 0 {
                line.gas_per_message.to_string()
            } else {
                "-".into()
            }
        );
    }
    println!();
    println!(
        "{} messages in {:.1} s: {:.1} delivered per second",
        summary.messages, summary.wall_seconds, summary.throughput
    );
    if summary.ok() {
        println!("every message delivered exactly once (one timed out as intended, one failed and was retried)");
    } else {
        for problem in &summary.problems {
            println!("PROBLEM: {problem}");
        }
    }
}
