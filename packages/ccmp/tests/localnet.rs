//! The bridge on real wasmd nodes, run as operators run it: the `ccmp` binary's `deploy`,
//! three `ccmp attest` processes per source chain (Ed25519, secp256k1, Ed25519; two of
//! three sign) and one `ccmp relay` process for both lanes, over CometBFT RPC and signed
//! transactions to the two chains of `scripts/localnet.sh`.
//!
//! One run covers: deploy (and a second deploy changing nothing), pings both ways through
//! the example dApp (each answered by a pong), a message to a receiver that fails and is
//! retried once fixed, a message that times out, the relayer process killed (SIGKILL) and
//! restarted mid-stream, and a wasmd node killed and restarted mid-stream. At the end every
//! message is final with its exact status and attempt count, each dApp received every ping
//! and pong once, and `ccmp status lane` says so.
//!
//! Needs the localnet (`scripts/localnet.sh up`; the test script starts one of its own) and
//! the compiled contracts (`scripts/build.sh`), hence `#[ignore]`. Every wait is bounded;
//! every process it starts is killed when the test ends, also when it fails.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ccmp::deploy::Deployment;
use ccmp_chain::localnet::{LocalChain, Manifest};
use ccmp_chain::rpc::RpcClient;
use ccmp_chain::{query, ChainClient, Execute};
use ccmp_signer::keyfile::KeyFile;
use ccmp_signer::AttesterKey;
use ccmp_types::{MessageStatus, MessageStatusResponse, OutboxExecuteMsg, SendMsg};
use cosmwasm_std::Binary;
use serde_json::Value;

const A: &str = "ccmp-a";
const B: &str = "ccmp-b";
/// Pings each chain sends in each of the two rounds.
const PINGS: u32 = 6;
const WAIT: Duration = Duration::from_secs(240);

/// The tests share the localnet's accounts (deployer, relayer, user): one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn artifacts() -> PathBuf {
    match std::env::var_os("CCMP_ARTIFACTS_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => repo().join("artifacts"),
    }
}

fn localnet_dir() -> PathBuf {
    ccmp_chain::localnet::dir_or(&repo().join(".localnet"))
}

fn manifest() -> BTreeMap<String, LocalChain> {
    let manifest = Manifest::read(&localnet_dir()).unwrap_or_else(|err| panic!("{err}"));
    manifest
        .chains
        .into_iter()
        .map(|c| (c.chain_id.clone(), c))
        .collect()
}

/// Every process the test started, killed when it ends (also on a failed assertion).
#[derive(Default)]
struct Processes {
    children: BTreeMap<String, Child>,
}

impl Processes {
    fn spawn(&mut self, name: &str, dir: &Path, args: &[&str]) {
        let log = fs::File::create(dir.join(format!("{name}.log"))).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_ccmp"))
            .args(["--log", "info"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {name}: {err}"));
        self.children.insert(name.to_string(), child);
    }

    /// SIGKILL, as a crash: no graceful shutdown.
    fn kill(&mut self, name: &str) {
        if let Some(mut child) = self.children.remove(name) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, as systemd stops a service: it must exit 0 within `within`.
    fn terminate(&mut self, name: &str, dir: &Path, within: Duration) {
        let pid = self.children[name].id();
        let sent = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = self.wait(name, dir, within);
        let log = fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default();
        assert!(
            status.success(),
            "{name} exited {status} on SIGTERM:\n{}",
            tail(&log, 20)
        );
    }

    /// Waits for `name` to exit; kills it and fails if it runs longer than `within`.
    fn wait(&mut self, name: &str, dir: &Path, within: Duration) -> std::process::ExitStatus {
        let mut child = self.children.remove(name).expect("a running process");
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                let log = fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default();
                panic!(
                    "{name} did not exit within {} s:\n{}",
                    within.as_secs(),
                    tail(&log, 40)
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Fails if a service exited by itself (its log says why).
    fn check_running(&mut self, dir: &Path) {
        for (name, child) in &mut self.children {
            if let Ok(Some(status)) = child.try_wait() {
                let log = fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default();
                panic!("{name} exited ({status}):\n{}", tail(&log, 40));
            }
        }
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        for child in self.children.values_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn write_key(path: &Path, key: &AttesterKey) {
    let mut file = fs::File::create(path).unwrap();
    file.write_all(&serde_json::to_vec(&KeyFile::of(key)).unwrap())
        .unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
}

fn pubkey_toml(key: &AttesterKey) -> String {
    let pubkey = key.pubkey();
    format!(
        "{{ {} = \"{}\" }}",
        pubkey.key_type_name(),
        Binary::new(pubkey.bytes().to_vec()).to_base64()
    )
}

/// The attesters of `source`: Ed25519, secp256k1, Ed25519, weight 1 each, threshold 2.
fn attester_keys(source: &str) -> Vec<AttesterKey> {
    let seed = if source == A { 700 } else { 800 };
    (0..3)
        .map(|i| AttesterKey::test_key(seed + i, i % 2 == 0))
        .collect()
}

struct Setup {
    dir: tempfile::TempDir,
    chains: BTreeMap<String, LocalChain>,
    /// Attester listen addresses by source chain.
    attesters: BTreeMap<String, Vec<String>>,
}

impl Setup {
    fn new() -> Setup {
        let chains = manifest();
        assert!(
            chains.contains_key(A) && chains.contains_key(B),
            "the localnet has no {A} and {B}"
        );
        let dir = tempfile::tempdir().unwrap();
        let mut attesters = BTreeMap::new();
        for source in [A, B] {
            let mut listen = vec![];
            for (i, key) in attester_keys(source).iter().enumerate() {
                write_key(&dir.path().join(format!("attester-{source}-{i}.json")), key);
                listen.push(format!("127.0.0.1:{}", free_port()));
            }
            attesters.insert(source.to_string(), listen);
        }
        Setup {
            dir,
            chains,
            attesters,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A configuration file of the chains (signing as `account`), the lanes, the
    /// deployment file and the deploy section, plus `extra`.
    fn config(&self, name: &str, account: &str, extra: &str) -> String {
        let mut text = String::new();
        for chain in self
            .chains
            .values()
            .filter(|c| c.chain_id == A || c.chain_id == B)
        {
            text += &format!(
                "[chains.{id}]\nrpc = \"{rpc}\"\nprefix = \"{prefix}\"\nfee_denom = \"{denom}\"\ngas_price = {price}\ngas_multiplier = 1.4\nkey_file = \"{key}\"\ntx_timeout_seconds = 30\n\n",
                id = chain.chain_id,
                rpc = chain.rpc,
                prefix = chain.prefix,
                denom = chain.denom,
                price = chain.gas_price,
                key = chain.accounts[account].key_file.display(),
            );
        }
        text += &format!(
            "[deployment]\nfile = \"{}\"\n\n[[lanes]]\nsource = \"{A}\"\ndestination = \"{B}\"\n\n[[lanes]]\nsource = \"{B}\"\ndestination = \"{A}\"\n\n[deploy]\nwasm_dir = \"{}\"\ntrust_delay_seconds = 0\ndapp = true\n",
            self.path("deployment.json").display(),
            artifacts().display()
        );
        for source in [A, B] {
            let set = attester_keys(source)
                .iter()
                .map(|k| format!("{{ pubkey = {}, weight = 1 }}", pubkey_toml(k)))
                .collect::<Vec<_>>()
                .join(", ");
            text += &format!("\n[deploy.attesters.{source}]\nthreshold = 2\nattesters = [{set}]\n");
        }
        text += extra;
        let path = self.path(name);
        fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    fn attester_config(&self, source: &str, i: usize) -> String {
        let destination = if source == A { B } else { A };
        self.config(
            &format!("attester-{source}-{i}.toml"),
            "validator",
            &format!(
                "\n[attester]\nkey_file = \"{key}\"\nstore_dir = \"{store}\"\nlisten = \"{listen}\"\nlanes = [{{ source = \"{source}\", destination = \"{destination}\" }}]\npoll_interval_ms = 300\n",
                key = self.path(&format!("attester-{source}-{i}.json")).display(),
                store = self.path(&format!("attester-{source}-{i}")).display(),
                listen = self.attesters[source][i],
            ),
        )
    }

    fn relayer_config(&self) -> String {
        self.relayer_config_on(free_port())
    }

    /// The relayer's configuration, its metrics and health on `metrics_port`.
    fn relayer_config_on(&self, metrics_port: u16) -> String {
        let endpoints = |source: &str| {
            self.attesters[source]
                .iter()
                .map(|l| format!("{{ url = \"http://{l}\" }}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        self.config(
            "relayer.toml",
            "relayer",
            &format!(
                "\n[relayer]\npoll_interval_ms = 300\nattester_timeout_ms = 2000\ncheck_attesters_at_start = false\nmetrics_listen = \"127.0.0.1:{port}\"\n[relayer.attesters]\n{A} = [{a}]\n{B} = [{b}]\n[relayer.backoff]\ninitial_ms = 100\nmax_ms = 1000\nmax_attempts = 20\n[relayer.retry_failed]\nenabled = true\nmax_attempts = 5\nmin_interval_ms = 1000\n",
                port = metrics_port,
                a = endpoints(A),
                b = endpoints(B),
            ),
        )
    }

    async fn client(&self, chain: &str, account: &str) -> RpcClient {
        let c = &self.chains[chain];
        let key = ccmp_signer::keyfile::read_key_file(&c.accounts[account].key_file)
            .unwrap_or_else(|err| panic!("{err}"));
        let mut config = c.rpc_config();
        config.tx_timeout = Duration::from_secs(30);
        let client = RpcClient::connect(config, &ccmp_signer::keyfile::secret_bytes(&key))
            .await
            .unwrap_or_else(|err| panic!("{chain}: {err}"));
        assert_eq!(client.signer(), c.accounts[account].address);
        client
    }
}

/// Runs `ccmp` to completion; panics with its output unless it exits 0.
fn ccmp(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ccmp"))
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "ccmp {args:?} failed:\n{text}");
    text
}

fn lane_report(config: &str, source: &str, destination: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_ccmp"))
        .args([
            "--config",
            config,
            "status",
            "lane",
            "--json",
            "--source",
            source,
            "--destination",
            destination,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ccmp status lane: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|err| {
        panic!(
            "ccmp status lane --json: {err}: {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

async fn status(
    client: &dyn ChainClient,
    inbox: &str,
    source: &str,
    nonce: u64,
) -> MessageStatusResponse {
    query(
        client,
        inbox,
        &ccmp_inbox::msg::QueryMsg::MessageStatus {
            source_chain: source.to_string(),
            nonce,
        },
    )
    .await
    .unwrap()
}

async fn send_pings(user: &RpcClient, pingpong: &str, to: &str, count: u32, round: u32) {
    let msgs: Vec<Execute> = (0..count)
        .map(|i| {
            Execute::new(
                pingpong,
                &ccmp_pingpong::msg::ExecuteMsg::Ping {
                    destination_chain: to.to_string(),
                    text: format!("round {round} ping {i}"),
                },
            )
            .unwrap()
        })
        .collect();
    let gas = user.gas_limit_for(user.simulate(&msgs).await.unwrap());
    let tx = user.broadcast(&msgs, gas).await.unwrap();
    assert!(tx.is_ok(), "pings: {}", tx.log);
}

/// Waits until `done` holds, checking the services are alive; bounded by `WAIT`.
async fn wait_until<F, Fut>(what: &str, processes: &mut Processes, dir: &Path, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if done().await {
            return;
        }
        processes.check_running(dir);
        assert!(
            Instant::now() < deadline,
            "timed out after {} s waiting for {what}",
            WAIT.as_secs()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

async fn delivered(client: &dyn ChainClient, inbox: &str, source: &str, nonces: u64) -> u64 {
    let mut n = 0;
    for nonce in 0..nonces {
        if status(client, inbox, source, nonce).await.status == MessageStatus::Delivered {
            n += 1;
        }
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the localnet (scripts/localnet.sh up) and artifacts/ (scripts/build.sh)"]
async fn the_bridge_on_wasmd_nodes_with_a_relayer_and_a_node_killed_mid_stream() {
    let _one = ONE_AT_A_TIME.lock().await;
    let setup = Setup::new();
    let dir = setup.dir.path().to_path_buf();
    let deployer = setup.config("deploy.toml", "deployer", "");

    // Deploy through real transactions; a second run changes nothing.
    let first = ccmp(&["--config", &deployer, "deploy"]);
    assert!(!first.contains("nothing to do"), "{first}");
    let second = ccmp(&["--config", &deployer, "deploy"]);
    assert!(second.contains("nothing to do"), "{second}");
    let deployment: Deployment =
        serde_json::from_slice(&fs::read(setup.path("deployment.json")).unwrap()).unwrap();
    let inbox_a = deployment.chains[A].inbox.address.clone();
    let inbox_b = deployment.chains[B].inbox.address.clone();
    let outbox_a = deployment.chains[A].outbox.address.clone();
    let pingpong = |chain: &str| deployment.chains[chain].pingpong.clone().unwrap().address;

    let user_a = setup.client(A, "user").await;
    let user_b = setup.client(B, "user").await;

    // A receiver on chain b that refuses every message until it is switched.
    let wasm = fs::read(artifacts().join("test/ccmp_devnet_receiver.wasm"))
        .expect("artifacts/test/ccmp_devnet_receiver.wasm (scripts/build.sh)");
    let (code, _) = user_b.store_code(&wasm, 10_000_000).await.unwrap();
    let (receiver, _) = user_b
        .instantiate(
            code,
            &serde_json::to_vec(&ccmp_devnet_receiver::InstantiateMsg {
                mode: Some(ccmp_devnet_receiver::Mode::Fail),
            })
            .unwrap(),
            "failing receiver",
            None,
            2_000_000,
        )
        .await
        .unwrap();

    // Lane a -> b, nonce 0: to the failing receiver; nonce 1: a timeout one second after
    // chain a's latest block. Both are sent before any relayer runs, and the relayer
    // starts once chain b's time is past the timeout, so nonce 1 can only time out.
    let timeout = user_a.status().await.unwrap().time.plus_seconds(1);
    for (body, timeout) in [
        ("to the failing receiver", None),
        ("times out", Some(timeout)),
    ] {
        let msg = OutboxExecuteMsg::Send(SendMsg {
            destination_chain: B.into(),
            recipient: receiver.clone(),
            body: Binary::from(body.as_bytes()),
            timeout_timestamp: timeout,
        });
        let tx = user_a
            .broadcast(&[Execute::new(&outbox_a, &msg).unwrap()], 1_000_000)
            .await
            .unwrap();
        assert!(tx.is_ok(), "{}", tx.log);
    }

    let mut processes = Processes::default();
    for source in [A, B] {
        for i in 0..3 {
            let config = setup.attester_config(source, i);
            processes.spawn(
                &format!("attester-{source}-{i}"),
                &dir,
                &["--config", &config, "attest"],
            );
        }
    }
    let relayer = setup.relayer_config();
    let deadline = Instant::now() + WAIT;
    while user_b.status().await.unwrap().time <= timeout {
        assert!(Instant::now() < deadline, "chain b's clock does not move");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    processes.spawn("relayer", &dir, &["--config", &relayer, "relay"]);

    // Round 1: pings both ways (each answered by a pong on the other lane).
    send_pings(&user_a, &pingpong(A), B, PINGS, 1).await;
    send_pings(&user_b, &pingpong(B), A, PINGS, 1).await;

    // The failing receiver's message fails, then is retried once the receiver is fixed.
    wait_until("nonce 0 of a -> b failed", &mut processes, &dir, || async {
        status(&user_b, &inbox_b, A, 0).await.status == MessageStatus::Failed
    })
    .await;
    let fix = Execute::new(
        &receiver,
        &ccmp_devnet_receiver::ExecuteMsg::SetMode {
            mode: ccmp_devnet_receiver::Mode::Record,
        },
    )
    .unwrap();
    assert!(user_b.broadcast(&[fix], 1_000_000).await.unwrap().is_ok());

    // Some of round 1 delivered, then the relayer dies mid-stream (SIGKILL).
    wait_until(
        "the first pings delivered",
        &mut processes,
        &dir,
        || async { delivered(&user_a, &inbox_a, B, 2).await == 2 },
    )
    .await;
    processes.kill("relayer");

    // Round 2 while no relayer runs; a new relayer process takes over from the chains'
    // state, and while it works chain b's node is killed and restarted.
    send_pings(&user_a, &pingpong(A), B, PINGS, 2).await;
    send_pings(&user_b, &pingpong(B), A, PINGS, 2).await;
    let before = lane_report(&relayer, A, B)["delivered"].as_u64().unwrap();
    processes.spawn("relayer-2", &dir, &["--config", &relayer, "relay"]);
    wait_until("round 2 under way", &mut processes, &dir, || async {
        lane_report(&relayer, A, B)["delivered"].as_u64().unwrap() > before
    })
    .await;
    let pid: i32 = fs::read_to_string(&setup.chains[B].pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let killed = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + WAIT;
    while user_b.status().await.is_ok() {
        assert!(Instant::now() < deadline, "chain b's node does not stop");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let up = Command::new(repo().join("scripts/localnet.sh"))
        .arg("up")
        .output()
        .unwrap();
    assert!(
        up.status.success(),
        "localnet.sh up: {}",
        String::from_utf8_lossy(&up.stderr)
    );

    // Everything final: lane a -> b carries the two specials, both rounds' pings from a and
    // the pongs answering b's; lane b -> a the reverse without specials.
    let pings = u64::from(2 * PINGS);
    let total_ab = 2 + 2 * pings;
    let total_ba = 2 * pings;
    wait_until("every message final", &mut processes, &dir, || async {
        let ab = lane_report(&relayer, A, B);
        let ba = lane_report(&relayer, B, A);
        ab["sent"] == total_ab
            && ab["pending"] == 0
            && ba["sent"] == total_ba
            && ba["pending"] == 0
            && ab["failed"] == 0
    })
    .await;

    // Exact statuses: delivered once each, the retried message twice, the timed-out one.
    for nonce in 0..total_ab {
        let s = status(&user_b, &inbox_b, A, nonce).await;
        let want = match nonce {
            0 => (MessageStatus::Delivered, 2),
            1 => (MessageStatus::TimedOut, 0),
            _ => (MessageStatus::Delivered, 1),
        };
        assert_eq!((s.status, s.attempts), want, "a -> b nonce {nonce}: {s:?}");
    }
    for nonce in 0..total_ba {
        let s = status(&user_a, &inbox_a, B, nonce).await;
        assert_eq!(
            (s.status, s.attempts),
            (MessageStatus::Delivered, 1),
            "b -> a nonce {nonce}: {s:?}"
        );
    }
    let ab = lane_report(&relayer, A, B);
    assert_eq!(
        (
            &ab["sent"],
            &ab["delivered"],
            &ab["failed"],
            &ab["timed_out"],
            &ab["pending"],
            &ab["frozen"]
        ),
        (
            &Value::from(total_ab),
            &Value::from(total_ab - 1),
            &Value::from(0),
            &Value::from(1),
            &Value::from(0),
            &Value::from(false)
        ),
        "{ab}"
    );
    // Each dApp received every ping and every pong once; the receiver the retried message.
    for chain in [A, B] {
        let client: &dyn ChainClient = if chain == A { &user_a } else { &user_b };
        let stats: ccmp_pingpong::msg::StatsResponse = query(
            client,
            &pingpong(chain),
            &ccmp_pingpong::msg::QueryMsg::Stats {},
        )
        .await
        .unwrap();
        assert_eq!(
            (stats.pings_received, stats.pongs_received),
            (pings, pings),
            "pingpong on {chain}"
        );
    }
    let received: ccmp_devnet_receiver::ReceivedResponse = query(
        &user_b,
        &receiver,
        &ccmp_devnet_receiver::QueryMsg::Received {},
    )
    .await
    .unwrap();
    assert_eq!(received.count, 1);
    processes.check_running(&dir);
}

async fn http_get(url: &str) -> String {
    reqwest::get(url)
        .await
        .unwrap_or_else(|err| panic!("GET {url}: {err}"))
        .text()
        .await
        .unwrap()
}

/// A compromised quorum signs another root for a size the inbox stored; anyone submits it
/// and the real inbox freezes the source. The relayer process stops delivering, says so on
/// /health and /metrics, and `ccmp status lane` shows the lane frozen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the localnet (scripts/localnet.sh up) and artifacts/ (scripts/build.sh)"]
async fn a_conflicting_checkpoint_freezes_the_source_on_wasmd_and_the_relayer_stops() {
    let _one = ONE_AT_A_TIME.lock().await;
    let setup = Setup::new();
    let dir = setup.dir.path().to_path_buf();
    let deployer = setup.config("deploy.toml", "deployer", "");
    ccmp(&["--config", &deployer, "deploy"]);
    let deployment: Deployment =
        serde_json::from_slice(&fs::read(setup.path("deployment.json")).unwrap()).unwrap();
    let inbox_b = deployment.chains[B].inbox.address.clone();
    let outbox_a = deployment.chains[A].outbox.address.clone();
    let pingpong_a = deployment.chains[A].pingpong.clone().unwrap().address;
    let user_a = setup.client(A, "user").await;
    let user_b = setup.client(B, "user").await;

    let mut processes = Processes::default();
    for i in 0..3 {
        let config = setup.attester_config(A, i);
        processes.spawn(
            &format!("attester-{A}-{i}"),
            &dir,
            &["--config", &config, "attest"],
        );
    }
    let metrics_port = free_port();
    let relayer = setup.relayer_config_on(metrics_port);
    processes.spawn("relayer", &dir, &["--config", &relayer, "relay"]);

    send_pings(&user_a, &pingpong_a, B, 3, 1).await;
    wait_until("three pings delivered", &mut processes, &dir, || async {
        let ab = lane_report(&relayer, A, B);
        ab["delivered"] == 3 && ab["checkpointed"] == 3
    })
    .await;

    // The attesters' keys, compromised: all three sign a forged root for the stored size 3.
    let source: ccmp_inbox::msg::SourceResponse = query(
        &user_b,
        &inbox_b,
        &ccmp_inbox::msg::QueryMsg::Source { chain: A.into() },
    )
    .await
    .unwrap();
    assert_eq!(source.latest_checkpoint.as_ref().map(|c| c.size), Some(3));
    let forged = ccmp_types::Checkpoint {
        source_chain: A.into(),
        size: 3,
        root: cosmwasm_std::HexBinary::from(&[0x55u8; 32]),
    };
    assert_ne!(source.latest_checkpoint.unwrap().root, forged.root);
    let signers = ccmp_signer::SignerSet::weighted(attester_keys(A), &[1, 1, 1], 2);
    let signatures = signers.sign_all(&forged.digest(&outbox_a, B).unwrap());
    let submit = Execute::new(
        &inbox_b,
        &ccmp_inbox::msg::ExecuteMsg::SubmitCheckpoint {
            checkpoint: forged,
            signatures,
            consistency_proof: vec![],
        },
    )
    .unwrap();
    let tx = user_b.broadcast(&[submit], 2_000_000).await.unwrap();
    assert!(tx.is_ok(), "{}", tx.log);
    assert!(
        tx.events_of("wasm-ccmp_source_frozen").next().is_some(),
        "{:?}",
        tx.events
    );

    // New messages are not delivered; the relayer reports the freeze.
    send_pings(&user_a, &pingpong_a, B, 2, 2).await;
    let metrics_url = format!("http://127.0.0.1:{metrics_port}/metrics");
    wait_until(
        "the relayer reports the freeze",
        &mut processes,
        &dir,
        || async {
            http_get(&metrics_url)
                .await
                .contains(r#"ccmp_relayer_lane_frozen{source="ccmp-a",destination="ccmp-b"} 1"#)
        },
    )
    .await;
    let health: Value =
        serde_json::from_str(&http_get(&format!("http://127.0.0.1:{metrics_port}/health")).await)
            .unwrap();
    assert_eq!(health["status"], "degraded", "{health}");
    let ab = lane_report(&relayer, A, B);
    assert_eq!(
        (&ab["sent"], &ab["delivered"], &ab["pending"], &ab["frozen"]),
        (
            &Value::from(5),
            &Value::from(3),
            &Value::from(2),
            &Value::from(true)
        ),
        "{ab}"
    );
    for nonce in 3..5 {
        assert_eq!(
            status(&user_b, &inbox_b, A, nonce).await.status,
            MessageStatus::Unknown
        );
    }
    processes.check_running(&dir);

    // Stopped as a service manager stops them: SIGTERM, a clean exit 0.
    processes.terminate("relayer", &dir, Duration::from_secs(20));
    processes.terminate(&format!("attester-{A}-0"), &dir, Duration::from_secs(20));
}

/// `ccmp demo --localnet`, as a user runs it: the embedded demo's whole run on the real
/// nodes (the optimised wasm deployed by real transactions, attesters and relayers in the
/// process, pings both ways, the failing receiver's message retried, the timed-out one),
/// and its summary says every message is final exactly once.
#[test]
#[ignore = "needs the localnet (scripts/localnet.sh up) and artifacts/ (scripts/build.sh)"]
fn ccmp_demo_runs_green_on_the_localnet() {
    let _one = ONE_AT_A_TIME.blocking_lock();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("summary.json");
    let mut processes = Processes::default();
    processes.spawn(
        "demo",
        dir.path(),
        &[
            "demo",
            "--localnet",
            "--localnet-dir",
            &localnet_dir().display().to_string(),
            "--wasm-dir",
            &artifacts().display().to_string(),
            "--pings",
            "6",
            "--pings-per-tx",
            "3",
            "--timeout-secs",
            "150",
            "--no-progress",
            "--json",
            &json.display().to_string(),
        ],
    );
    let status = processes.wait("demo", dir.path(), Duration::from_secs(240));
    let log = fs::read_to_string(dir.path().join("demo.log")).unwrap_or_default();
    assert!(
        status.success(),
        "ccmp demo --localnet failed:\n{}",
        tail(&log, 40)
    );
    let summary: Value = serde_json::from_slice(&fs::read(&json).unwrap()).unwrap();
    assert_eq!(summary["problems"], serde_json::json!([]), "{log}");
    let lanes: Vec<_> = summary["lanes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let n = |k: &str| l[k].as_u64().unwrap();
            (
                l["source_chain"].as_str().unwrap().to_string(),
                [
                    n("sent"),
                    n("delivered"),
                    n("failed"),
                    n("timed_out"),
                    n("pending"),
                    n("retried"),
                ],
            )
        })
        .collect();
    // Lane a -> b: the failing receiver's message (retried), the timed-out one, 6 pings
    // from a and 6 pongs to b's pings; lane b -> a: 6 pings and 6 pongs.
    assert_eq!(
        lanes,
        vec![
            (A.to_string(), [14, 13, 0, 1, 0, 1]),
            (B.to_string(), [12, 12, 0, 0, 0, 0]),
        ]
    );
    assert_eq!(summary["messages"], 26);
    // Block time measured from the nodes' headers (scripts/localnet.sh: 300 ms).
    let block_ms = summary["block_time_ms"].as_u64().unwrap();
    assert!(
        (200..=1_000).contains(&block_ms),
        "block time {block_ms} ms"
    );
    // Real gas_used of the deliveries, per delivered message.
    let deliver = summary["gas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| {
            g["operation"]
                .as_str()
                .unwrap()
                .starts_with("deliver_batch")
        })
        .unwrap_or_else(|| panic!("no deliver_batch in {}", summary["gas"]));
    assert!(deliver["messages"].as_u64().unwrap() >= 25, "{deliver}");
    assert!(
        deliver["gas_per_message"].as_u64().unwrap() > 0,
        "{deliver}"
    );
    assert!(
        log.contains("every message delivered exactly once"),
        "{log}"
    );
}
