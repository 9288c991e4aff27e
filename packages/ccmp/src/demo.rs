//! `ccmp demo`: the whole bridge in one process. Two embedded chains (the compiled
//! contracts in the real CosmWasm VM, blocks on a timer), `ccmp deploy` on both, attesters
//! with mixed key types and weights following each outbox, a relayer in each direction,
//! and pings both ways through the example dApp (each answered by a pong), plus one message
//! to a receiver that fails and is then retried, and one that times out. It shows progress,
//! ends with a summary (per-lane counts by status, end-to-end latency, gas per operation)
//! and fails if any message is lost or processed twice.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use ccmp_attester::{start_with_key, AttesterConfig, AttesterHandle};
use ccmp_chain::embedded::{EmbeddedClient, EmbeddedNode, TxRecord};
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
use ccmp_signer::{AttesterKey, SignerSet};
use ccmp_types::{MessageStatus, MessageStatusResponse, SendMsg};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::deploy::{deploy, DeployPlan, Deployment, Wasm};

pub const CHAIN_A: &str = "chain-a";
pub const CHAIN_B: &str = "chain-b";

#[derive(clap::Args, Clone, Debug)]
pub struct DemoArgs {
    /// Pings each chain sends the other; every ping is answered by a pong, so the demo
    /// moves four messages per ping pair (plus the failing and the timed-out message).
    #[arg(long, default_value_t = 75)]
    pub pings: u32,
    /// Block time of both embedded chains, in milliseconds.
    #[arg(long, default_value_t = 200)]
    pub block_time_ms: u64,
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
    print_summary(&summary, &args);
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

/// Everything the demo started, so it can be inspected and stopped.
pub struct Bridge {
    pub nodes: BTreeMap<String, EmbeddedNode>,
    pub deployment: Deployment,
    pub attesters: Vec<AttesterHandle>,
    pub relayers: Vec<RelayerHandle>,
    pub receiver: String,
    /// Relayers configured but not started yet (`--queued`).
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
        for node in self.nodes.values() {
            node.stop();
        }
    }
}

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> anyhow::Result<TempDir> {
        let path = std::env::temp_dir().join(format!(
            "ccmp-demo-{}-{}",
            std::process::id(),
            Instant::now().elapsed().as_nanos()
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

/// Starts both chains, deploys, and starts the attesters and relayers.
pub async fn start_bridge(args: &DemoArgs) -> anyhow::Result<Bridge> {
    let block_time = Duration::from_millis(args.block_time_ms.max(10));
    let data = TempDir::new()?;
    let mut nodes = BTreeMap::new();
    for (chain, prefix) in [(CHAIN_A, "wasm"), (CHAIN_B, "wasm")] {
        nodes.insert(
            chain.to_string(),
            EmbeddedNode::start(ChainConfig::new(chain, prefix), block_time)
                .map_err(|e| anyhow!("{e}"))?,
        );
    }
    let wasm = Wasm {
        outbox: read_wasm(&args.wasm_dir, "ccmp_outbox.wasm")?,
        inbox: read_wasm(&args.wasm_dir, "ccmp_inbox.wasm")?,
        pingpong: Some(read_wasm(&args.wasm_dir, "ccmp_pingpong.wasm")?),
    };
    let signers = demo_signers(args.attesters.max(1), args.seed);
    let deployers: Vec<Arc<dyn ChainClient>> = nodes
        .values()
        .map(|node| Arc::new(node.client("deployer")) as Arc<dyn ChainClient>)
        .collect();
    let plan = DeployPlan {
        chains: deployers.clone(),
        wasm,
        attesters: nodes
            .keys()
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

    // A receiver on chain-b that fails until it is switched, for the retry.
    let receiver_wasm = read_wasm(&args.wasm_dir.join("test"), "ccmp_devnet_receiver.wasm")?;
    let b = &deployers[1];
    let (code, _) = b.store_code(&receiver_wasm, 0).await?;
    let (receiver, _) = b
        .instantiate(
            code,
            &serde_json::to_vec(&ccmp_devnet_receiver::InstantiateMsg {
                mode: Some(ccmp_devnet_receiver::Mode::Fail),
            })?,
            "failing receiver",
            None,
            5_000_000,
        )
        .await?;

    let shutdown = CancellationToken::new();
    let poll_ms = (args.block_time_ms / 2).max(20);
    let mut attesters = vec![];
    let mut endpoints: HashMap<String, Vec<(String, ccmp_types::PubKey)>> = HashMap::new();
    for (source, node) in &nodes {
        let destination = if source == CHAIN_A { CHAIN_B } else { CHAIN_A };
        for (i, key) in signers.keys.iter().enumerate() {
            let mut config = AttesterConfig::new(
                deployment.chains[source].outbox.address.clone(),
                vec![destination.to_string()],
                data.0.join(format!("attester-{source}-{i}.store")),
                "127.0.0.1:0",
                data.0.join("unused.key"),
            );
            config.poll_interval_ms = poll_ms;
            let client: Arc<dyn ChainClient> = Arc::new(node.client(&format!("attester-{i}")));
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
    let mut bridge = Bridge {
        nodes,
        deployment,
        attesters,
        relayers: vec![],
        receiver,
        pending: vec![],
        shutdown,
        _data: data,
    };
    for (source, destination) in [(CHAIN_A, CHAIN_B), (CHAIN_B, CHAIN_A)] {
        let config = relayer_config(
            &bridge.deployment,
            source,
            destination,
            &endpoints[source],
            poll_ms,
        );
        let chains: HashMap<String, Arc<dyn ChainClient>> = bridge
            .nodes
            .iter()
            .map(|(id, node)| {
                (
                    id.clone(),
                    Arc::new(node.client(&format!("relayer-{source}"))) as Arc<dyn ChainClient>,
                )
            })
            .collect();
        if args.queued {
            // Started once the traffic is queued.
            bridge.pending.push((config, chains));
        } else {
            bridge.relayers.push(start_relayer(config, &chains).await?);
        }
    }
    Ok(bridge)
}

impl Bridge {
    async fn start_pending_relayers(&mut self) -> anyhow::Result<()> {
        for (config, chains) in std::mem::take(&mut self.pending) {
            self.relayers.push(start_relayer(config, &chains).await?);
        }
        Ok(())
    }

    pub fn client(&self, chain: &str, name: &str) -> EmbeddedClient {
        self.nodes[chain].client(name)
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
    let user = bridge.client(from, "user");
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
    let a = bridge.client(CHAIN_A, "user");
    let outbox_a = bridge.deployment.chains[CHAIN_A].outbox.address.clone();
    let mut expect: BTreeMap<(String, u64), Expect> = BTreeMap::new();

    // The failing receiver's message and the one that times out go first on chain-a's
    // lane: nonces 0 and 1.
    let now = a.status().await?.time;
    let special = [
        (None, Expect::Retried),
        // Strictly after the open block (the last closed one plus a block), and before
        // any block its delivery can be in: the send's block must close, then a
        // checkpoint's, then the delivery's.
        (
            Some(now.plus_nanos(2 * args.block_time_ms.max(10) * 1_000_000)),
            Expect::TimedOut,
        ),
    ];
    for (nonce, (timeout, kind)) in special.into_iter().enumerate() {
        let msg = ccmp_types::OutboxExecuteMsg::Send(SendMsg {
            destination_chain: CHAIN_B.into(),
            recipient: bridge.receiver.clone(),
            body: format!("special {nonce}").into_bytes().into(),
            timeout_timestamp: timeout,
        });
        a.broadcast(&[Execute::new(&outbox_a, &msg)?], 2_000_000)
            .await?
            .into_result()?;
        expect.insert((CHAIN_A.to_string(), nonce as u64), kind);
    }
    let traffic_start = Instant::now();
    // Pings both ways; every ping makes a pong on the other lane.
    let (sent_a, sent_b) = tokio::try_join!(
        send_pings(bridge, CHAIN_A, CHAIN_B, args.pings, args.pings_per_tx),
        send_pings(bridge, CHAIN_B, CHAIN_A, args.pings, args.pings_per_tx),
    )?;
    if args.queued {
        bridge.start_pending_relayers().await?;
    }
    let total_a = 2 + sent_a.len() as u64 + sent_b.len() as u64; // specials, pings, pongs
    let total_b = sent_a.len() as u64 + sent_b.len() as u64;
    for nonce in 2..total_a {
        expect.insert((CHAIN_A.to_string(), nonce), Expect::Delivered);
    }
    for nonce in 0..total_b {
        expect.insert((CHAIN_B.to_string(), nonce), Expect::Delivered);
    }
    let totals = [(CHAIN_A, CHAIN_B, total_a), (CHAIN_B, CHAIN_A, total_b)];

    let progress = Progress::new(args, &totals);
    let deadline = Instant::now() + Duration::from_secs(args.timeout_secs);
    let mut switched = false;
    let mut problems = vec![];
    // Per lane, the first nonce the inbox has not processed: the inbox's statuses are the
    // truth (a relayer's own count can lag behind a checkpoint it has just submitted).
    let mut processed = vec![0u64; totals.len()];
    loop {
        let mut done = true;
        for (i, (source, destination, total)) in totals.iter().enumerate() {
            let source_client = bridge.client(source, "observer");
            let destination_client = bridge.client(destination, "observer");
            let lane: LaneResponse = query(
                &source_client,
                &bridge.deployment.chains[*source].outbox.address,
                &OutboxQuery::Lane {
                    destination_chain: destination.to_string(),
                },
            )
            .await?;
            let inbox: SourceResponse = query(
                &destination_client,
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
            let status = status_of(bridge, CHAIN_A, CHAIN_B, 0).await?;
            if status.status == MessageStatus::Failed {
                let b = bridge.client(CHAIN_B, "deployer");
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
            let retried = status_of(bridge, CHAIN_A, CHAIN_B, 0).await?;
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
        tokio::time::sleep(Duration::from_millis(args.block_time_ms.max(50))).await;
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
    summary.problems = problems;
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "demo finished");
    Ok(summary)
}

async fn status_of(
    bridge: &Bridge,
    source: &str,
    destination: &str,
    nonce: u64,
) -> anyhow::Result<MessageStatusResponse> {
    Ok(query(
        &bridge.client(destination, "observer"),
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
    let block_seconds = args.block_time_ms as f64 / 1000.0;
    let mut lanes = vec![];
    for (source, destination, total) in totals {
        let source_client = bridge.client(source, "observer");
        let destination_client = bridge.client(destination, "observer");
        let outbox = &bridge.deployment.chains[*source].outbox.address;
        let inbox = &bridge.deployment.chains[*destination].inbox.address;
        let source_height = source_client.status().await?.height;
        let destination_height = destination_client.status().await?.height;
        // When each message was sent and first processed, from the chains' events.
        let mut sent_at: BTreeMap<u64, u64> = BTreeMap::new();
        for event in source_client
            .contract_events(outbox, 0, source_height)
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
            .contract_events(inbox, 0, destination_height)
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
            &destination_client,
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
            // From the close of the send's block to the close of the delivery's, by this
            // process's clock (the two chains' heights drift apart).
            let sent = sent_at
                .get(&nonce)
                .and_then(|h| bridge.nodes[*source].closed_at(*h));
            let done = processed_at
                .get(&nonce)
                .and_then(|h| bridge.nodes[*destination].closed_at(*h));
            if let (Some(sent), Some(done)) = (sent, done) {
                millis.push(done.saturating_duration_since(sent).as_millis() as u64);
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
    for (chain, other) in [(CHAIN_A, CHAIN_B), (CHAIN_B, CHAIN_A)] {
        let pingpong = bridge.deployment.chains[chain]
            .pingpong
            .as_ref()
            .map(|p| p.address.clone())
            .unwrap_or_default();
        let stats: StatsResponse = query(
            &bridge.client(chain, "observer"),
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
        &bridge.client(CHAIN_B, "observer"),
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

/// Mean gas per kind of transaction on both chains, from the nodes' transaction logs.
fn gas_lines(bridge: &Bridge) -> Vec<GasLine> {
    let mut by: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for node in bridge.nodes.values() {
        for tx in node.transactions().iter().filter(|t| t.code == 0) {
            let name = operation(tx);
            let entry = by.entry(name).or_default();
            entry.0 += 1;
            entry.1 += tx.gas_used;
            entry.2 += tx.processed as u64;
        }
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

pub fn print_summary(summary: &DemoSummary, args: &DemoArgs) {
    println!();
    println!(
        "{:<22} {:>6} {:>8} {:>9} {:>6} {:>9} {:>7} {:>7}  latency p50/p99 (blocks, s at {} ms blocks)",
        "lane", "sent", "attested", "delivered", "failed", "timed_out", "retried", "pending", args.block_time_ms
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
