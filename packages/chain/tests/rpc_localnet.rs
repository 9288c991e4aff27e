//! The RPC backend against real wasmd nodes: the localnet of `scripts/localnet.sh up`.
//!
//! Ignored by default (they need the nodes): `cargo test -p ccmp-chain --test rpc_localnet
//! -- --ignored --nocapture`. The manifest is read from `$CCMP_LOCALNET_DIR` (default
//! `<repo>/.localnet`), the contracts from `$CCMP_ARTIFACTS_DIR` (default `<repo>/artifacts`).
//! These tests never start nodes: without the manifest they fail saying so.

use std::path::PathBuf;
use std::time::Duration;

use ccmp_chain::localnet::{self, LocalChain, Manifest};
use ccmp_chain::rpc::{address_of, RpcClient, RpcConfig};
use ccmp_chain::{ChainClient, ChainError, Execute};
use ccmp_outbox::msg::{DestinationConfig, ExecuteMsg, InstantiateMsg, LaneResponse, QueryMsg};
use ccmp_signer::keyfile::{read_key_file, secret_bytes};
use ccmp_signer::AttesterKey;
use ccmp_types::SendMsg;
use cosmwasm_std::Binary;
use serde_json::Value;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// The localnet's chains, with what these tests need of each.
fn chains() -> Vec<LocalChain> {
    let dir = localnet::dir_or(&repo_root().join(".localnet"));
    Manifest::read(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .chains
}

/// What the tests need of a localnet chain.
trait TestChain {
    fn address(&self, account: &str) -> String;
    fn secret(&self, account: &str) -> [u8; 32];
    fn config(&self) -> RpcConfig;
    async fn client(&self, account: &str) -> RpcClient;
}

impl TestChain for LocalChain {
    fn address(&self, account: &str) -> String {
        self.account(account)
            .unwrap_or_else(|e| panic!("{e}"))
            .address
            .clone()
    }

    fn secret(&self, account: &str) -> [u8; 32] {
        let path = &self
            .account(account)
            .unwrap_or_else(|e| panic!("{e}"))
            .key_file;
        let key = read_key_file(path).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(key, AttesterKey::Secp256k1(_)),
            "{}",
            path.display()
        );
        secret_bytes(&key)
    }

    fn config(&self) -> RpcConfig {
        let mut config = self.rpc_config();
        config.tx_timeout = Duration::from_secs(30);
        config
    }

    async fn client(&self, account: &str) -> RpcClient {
        RpcClient::connect(self.config(), &self.secret(account))
            .await
            .unwrap_or_else(|e| panic!("connect to {} as {account}: {e}", self.chain_id))
    }
}

fn artifact(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("CCMP_ARTIFACTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("artifacts"));
    let path = dir.join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "no {} ({e}): build the contracts (scripts/build.sh) or set CCMP_ARTIFACTS_DIR",
            path.display()
        )
    })
}

#[tokio::test]
#[ignore = "needs the localnet: scripts/localnet.sh up"]
async fn connect_status_and_signer() {
    for chain in chains() {
        let client = chain.client("user").await;
        assert_eq!(client.signer(), chain.address("user"));
        assert_eq!(
            address_of(&chain.secret("user"), &chain.prefix).unwrap(),
            chain.address("user")
        );
        let status = client.status().await.unwrap();
        assert_eq!(status.chain_id, chain.chain_id);
        assert!(status.height >= client.probe().latest_height);
        let probe = client.probe();
        assert!(probe.tx_indexer);
        assert!(!probe.catching_up);
        println!(
            "{}: height {} time {} node {} earliest {} block max gas {:?} account {} seq {}",
            chain.chain_id,
            status.height,
            status.time,
            probe.node_version,
            probe.earliest_height,
            probe.block_max_gas,
            probe.account_number,
            probe.sequence
        );
        // A wrong chain id is refused at connect.
        let mut wrong = chain.config();
        wrong.chain_id = "not-this-chain".into();
        match RpcClient::connect(wrong, &chain.secret("user")).await {
            Err(ChainError::Rejected { log }) => assert!(log.contains("serves chain")),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}

#[tokio::test]
#[ignore = "needs the localnet: scripts/localnet.sh up"]
async fn unreachable_node_is_transient() {
    let chain = &chains()[0];
    let mut config = chain.config();
    config.rpc_url = "http://127.0.0.1:1".into();
    let error = RpcClient::connect(config, &chain.secret("user"))
        .await
        .unwrap_err();
    assert!(error.is_transient(), "{error:?}");
}

#[tokio::test]
#[ignore = "needs the localnet: scripts/localnet.sh up"]
async fn outbox_store_instantiate_send_and_read_back() {
    let chains = chains();
    let chain = &chains[0];
    let other = chains
        .get(1)
        .map(|c| c.chain_id.clone())
        .unwrap_or_else(|| "ccmp-other".into());
    let client = chain.client("deployer").await;

    // store
    let wasm = artifact("ccmp_outbox.wasm");
    let (code_id, stored) = client.store_code(&wasm, 10_000_000).await.unwrap();
    println!(
        "store_code: {} bytes, code id {code_id}, gas used {} of {}, height {}, tx {}",
        wasm.len(),
        stored.gas_used,
        stored.gas_wanted,
        stored.height,
        stored.txhash
    );

    // instantiate
    let init = InstantiateMsg {
        owner: None,
        chain_id: None,
        destinations: Some(vec![DestinationConfig {
            chain: other.clone(),
            enabled: true,
            fee: None,
            max_body_bytes: None,
        }]),
    };
    let (outbox, instantiated) = client
        .instantiate(
            code_id,
            &serde_json::to_vec(&init).unwrap(),
            "rpc-test outbox",
            Some(client.signer()),
            2_000_000,
        )
        .await
        .unwrap();
    println!(
        "instantiate: {outbox}, gas used {} of {}, height {}",
        instantiated.gas_used, instantiated.gas_wanted, instantiated.height
    );
    let info = client.contract_info(&outbox).await.unwrap().expect("info");
    assert_eq!(info.code_id, code_id);
    assert_eq!(info.creator, client.signer());
    assert_eq!(info.admin.as_deref(), Some(client.signer()));
    assert_eq!(info.label, "rpc-test outbox");
    let nobody = address_of(&[7u8; 32], &chain.prefix).unwrap();
    assert_eq!(client.contract_info(&nobody).await.unwrap(), None);

    // raw query at a height: cw2's record exists from the instantiation's block on.
    let before = instantiated.height - 1;
    assert_eq!(
        client
            .query_raw(&outbox, b"contract_info", Some(before))
            .await
            .unwrap(),
        None
    );
    let version = client
        .query_raw(&outbox, b"contract_info", Some(instantiated.height))
        .await
        .unwrap()
        .expect("cw2 contract_info");
    let version: Value = serde_json::from_slice(&version).unwrap();
    assert_eq!(version["contract"], "crates.io:ccmp-outbox");
    assert_eq!(
        client
            .query_raw(&outbox, b"no such key", None)
            .await
            .unwrap(),
        None
    );

    // simulate, then send
    let send = Execute::new(
        &outbox,
        &ExecuteMsg::Send(SendMsg {
            destination_chain: other.clone(),
            recipient: "ccmpb1recipient".into(),
            body: Binary::new(b"hello over rpc".to_vec()),
            timeout_timestamp: None,
        }),
    )
    .unwrap();
    let simulated = client.simulate(std::slice::from_ref(&send)).await.unwrap();
    let limit = client.gas_limit_for(simulated);
    let sent = client
        .broadcast(std::slice::from_ref(&send), limit)
        .await
        .unwrap();
    assert!(sent.is_ok(), "{}", sent.log);
    println!(
        "send: simulated {simulated}, limit {limit}, gas used {} of {}, fee {}, height {}",
        sent.gas_used,
        sent.gas_wanted,
        client.fee_for(limit),
        sent.height
    );
    assert_eq!(sent.gas_wanted, limit);
    // The simulation is an estimate (the SDK's is a little low): the multiplier covers it.
    assert!(
        sent.gas_used.abs_diff(simulated) < simulated / 10,
        "simulated {simulated}, used {}",
        sent.gas_used
    );
    let data: Value = serde_json::from_slice(sent.data.as_ref().expect("send data")).unwrap();
    assert_eq!(data["nonce"], 0);
    let event = sent
        .events_of("wasm-ccmp_send")
        .next()
        .expect("wasm-ccmp_send in the tx");

    // The same event through contract_events, with the tx's hash.
    let events = client
        .contract_events(&outbox, instantiated.height, sent.height + 1000)
        .await
        .unwrap();
    let sends: Vec<_> = events
        .iter()
        .filter(|e| e.event.ty == "wasm-ccmp_send")
        .collect();
    assert_eq!(sends.len(), 1, "{events:?}");
    assert_eq!(sends[0].height, sent.height);
    assert_eq!(sends[0].txhash, sent.txhash);
    assert_eq!(&sends[0].event, event);
    assert!(events.iter().all(|e| e.event.ty.starts_with("wasm")));
    // Another contract's range sees none of them.
    assert!(client
        .contract_events(&nobody, sent.height, sent.height)
        .await
        .unwrap()
        .is_empty());

    // smart query now and at the height before the send
    let lane = QueryMsg::Lane {
        destination_chain: other.clone(),
    };
    let now: LaneResponse = ccmp_chain::query(&client, &outbox, &lane).await.unwrap();
    assert_eq!(now.size, 1);
    let then: LaneResponse = ccmp_chain::query_at(&client, &outbox, &lane, Some(sent.height - 1))
        .await
        .unwrap();
    assert_eq!(then.size, 0);
    match ccmp_chain::query::<Value>(
        &client,
        &outbox,
        &QueryMsg::MessageId {
            destination_chain: other.clone(),
            nonce: 99,
        },
    )
    .await
    {
        Err(ChainError::Query { contract, error }) => {
            assert_eq!(contract, outbox);
            println!("query error: {error}");
        }
        other => panic!("expected a query error, got {other:?}"),
    }
    match client.query_smart(&nobody, b"{}", None).await {
        Err(ChainError::NoSuchContract { .. }) => {}
        other => panic!("expected no such contract, got {other:?}"),
    }
    match client
        .query_smart(&outbox, br#"{"config":{}}"#, Some(sent.height + 1_000_000))
        .await
    {
        Err(ChainError::HeightUnavailable { .. }) => {}
        other => panic!("expected a height error, got {other:?}"),
    }

    // A failing execute lands with a non-zero code and the contract's error.
    let bad = Execute::new(
        &outbox,
        &ExecuteMsg::Send(SendMsg {
            destination_chain: "nowhere".into(),
            recipient: "x".into(),
            body: Binary::default(),
            timeout_timestamp: None,
        }),
    )
    .unwrap();
    match client.simulate(std::slice::from_ref(&bad)).await {
        Err(ChainError::SimulationFailed { log }) => {
            assert!(log.contains("is not configured"), "{log}")
        }
        other => panic!("expected a failed simulation, got {other:?}"),
    }
    let failed = client.broadcast(&[bad], 300_000).await.unwrap();
    assert_ne!(failed.code, 0);
    assert!(failed.log.contains("is not configured"), "{}", failed.log);
    assert!(failed.events_of("wasm-ccmp_send").next().is_none());
    println!(
        "failed send: code {}, gas used {}, log {:?}",
        failed.code, failed.gas_used, failed.log
    );

    // Out of gas in the block (the ante handler's share fits, the contract's does not):
    // Ok with the SDK's code 11, the sequence used.
    let seq = client.next_sequence();
    let starved = client
        .broadcast(std::slice::from_ref(&send), simulated / 2)
        .await
        .unwrap();
    assert_eq!(starved.code, 11, "{}", starved.log);
    assert!(starved.log.contains("out of gas"), "{}", starved.log);
    assert_eq!(client.next_sequence(), seq + 1);
    println!(
        "out of gas: limit {}, gas used {}, log {:?}",
        simulated / 2,
        starved.gas_used,
        starved.log
    );

    // Two broadcasts at once from one client: both land, one after the other.
    let seq = client.next_sequence();
    let (a, b) = tokio::join!(
        client.broadcast(std::slice::from_ref(&send), limit),
        client.broadcast(std::slice::from_ref(&send), limit)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.is_ok() && b.is_ok(), "{} / {}", a.log, b.log);
    assert_ne!(a.txhash, b.txhash);
    assert_eq!(client.next_sequence(), seq + 2);
    let again = client.simulate(std::slice::from_ref(&send)).await.unwrap();
    println!(
        "concurrent sends: heights {} and {}, gas used {} and {}; simulated now {again}",
        a.height, b.height, a.gas_used, b.gas_used
    );

    // A desynced sequence (ahead, then behind) is corrected by the node's answer.
    // (Each with its own body: a transaction of the same bytes as one the node has seen
    // is refused by CometBFT's cache, "tx already exists in cache".)
    for wrong in [seq + 2 + 5, seq] {
        client.set_sequence(wrong).await;
        let msg = Execute::new(
            &outbox,
            &ExecuteMsg::Send(SendMsg {
                destination_chain: other.clone(),
                recipient: "ccmpb1recipient".into(),
                body: Binary::new(format!("signed with sequence {wrong} first").into_bytes()),
                timeout_timestamp: None,
            }),
        )
        .unwrap();
        let tx = client.broadcast(&[msg], limit).await.unwrap();
        assert!(tx.is_ok(), "{}", tx.log);
    }
    assert_eq!(client.next_sequence(), client.resync().await.unwrap());
    let now: LaneResponse = ccmp_chain::query(&client, &outbox, &lane).await.unwrap();
    assert_eq!(now.size, 5);

    // Every send's event, in order, through contract_events over the whole range.
    let latest = client.status().await.unwrap().height;
    let started = std::time::Instant::now();
    let events = client
        .contract_events(&outbox, instantiated.height, latest)
        .await
        .unwrap();
    let nonces: Vec<&str> = events
        .iter()
        .filter(|e| e.event.ty == "wasm-ccmp_send")
        .filter_map(|e| e.attribute("nonce"))
        .collect();
    assert_eq!(nonces, ["0", "1", "2", "3", "4"]);
    println!(
        "contract_events over {} heights: {} events in {:?}",
        latest - instantiated.height + 1,
        events.len(),
        started.elapsed()
    );
}

#[tokio::test]
#[ignore = "needs the localnet: scripts/localnet.sh up"]
async fn contract_events_scan_rate_and_bounds() {
    let chain = &chains()[0];
    let client = chain.client("user").await;
    let latest = client.status().await.unwrap().height;
    let from = latest
        .saturating_sub(999)
        .max(client.probe().earliest_height);
    let started = std::time::Instant::now();
    let nobody = address_of(&[9u8; 32], &chain.prefix).unwrap();
    // `to` past the latest block is clamped, as the embedded backend does.
    let events = client
        .contract_events(&nobody, from, latest + 1_000_000)
        .await
        .unwrap();
    assert!(events.is_empty());
    println!(
        "{}: scanned heights {from}..={latest} ({}) in {:?}",
        chain.chain_id,
        latest - from + 1,
        started.elapsed()
    );
    assert!(client
        .contract_events(&nobody, latest + 10, latest + 20)
        .await
        .unwrap()
        .is_empty());
}

/// A localnet of its own, of pruning nodes (`CCMP_LOCALNET_RETAIN_BLOCKS`), stopped when
/// dropped (also when the test fails).
struct PrunedLocalnet {
    dir: tempfile::TempDir,
}

/// Ports of the pruned localnet: clear of `scripts/test.sh`'s (46656...) and the default.
const PRUNED_PORT_BASE: &str = "48656";
const RETAIN_BLOCKS: u64 = 5;

impl PrunedLocalnet {
    fn script(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(repo_root().join("scripts/localnet.sh"))
            .args(args)
            .env("CCMP_LOCALNET_DIR", self.dir.path())
            .env("CCMP_LOCALNET_PORT_BASE", PRUNED_PORT_BASE)
            .env("CCMP_LOCALNET_RETAIN_BLOCKS", RETAIN_BLOCKS.to_string())
            .output()
            .expect("scripts/localnet.sh runs")
    }

    fn up() -> PrunedLocalnet {
        let localnet = PrunedLocalnet {
            dir: tempfile::tempdir().unwrap(),
        };
        let out = localnet.script(&["up", "1"]);
        assert!(
            out.status.success(),
            "localnet.sh up: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        localnet
    }

    fn chain(&self) -> LocalChain {
        Manifest::read(self.dir.path()).unwrap().chains.remove(0)
    }
}

impl Drop for PrunedLocalnet {
    fn drop(&mut self) {
        let _ = self.script(&["down"]);
    }
}

/// A pruning node, as many public RPC nodes are: the probe reports the earliest height it
/// keeps, and events or state below it are `HeightUnavailable`, saying what the node
/// keeps, never an empty answer that would pass for "nothing happened".
#[tokio::test]
#[ignore = "needs the pinned wasmd (scripts/wasmd.sh) and artifacts/; starts a localnet of its own"]
async fn a_pruning_node_says_which_heights_it_keeps() {
    let localnet = PrunedLocalnet::up();
    let chain = localnet.chain();
    let client = chain.client("deployer").await;
    let wasm = artifact("ccmp_outbox.wasm");
    let (code_id, _) = client.store_code(&wasm, 10_000_000).await.unwrap();
    let init = InstantiateMsg {
        owner: None,
        chain_id: None,
        destinations: None,
    };
    let (outbox, instantiated) = client
        .instantiate(
            code_id,
            &serde_json::to_vec(&init).unwrap(),
            "pruned outbox",
            None,
            2_000_000,
        )
        .await
        .unwrap();
    let at = instantiated.height;
    // At once the node has the block and the state.
    client.contract_events(&outbox, at, at).await.unwrap();
    let config = br#"{"config":{}}"#;
    client.query_smart(&outbox, config, Some(at)).await.unwrap();

    // Until both the block and the state at `at` are pruned (bounded).
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        let earliest = client.status().await.unwrap();
        let state = client.query_smart(&outbox, config, Some(at)).await;
        let events = client.contract_events(&outbox, at, earliest.height).await;
        if matches!(state, Err(ChainError::HeightUnavailable { .. }))
            && matches!(events, Err(ChainError::HeightUnavailable { .. }))
        {
            match events {
                Err(ChainError::HeightUnavailable { height, kept }) => {
                    assert_eq!(height, at);
                    assert!(kept.starts_with("blocks from height "), "{kept}");
                    let from: u64 = kept["blocks from height ".len()..].parse().unwrap();
                    assert!(from > at, "{kept}");
                }
                other => panic!("{other:?}"),
            }
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "height {at} not pruned within 90 s: state {state:?}, events {events:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // A client connecting now learns what the node keeps; from there on all is served.
    let fresh = chain.client("user").await;
    let probe = fresh.probe();
    assert!(probe.earliest_height > at, "{probe:?}");
    assert!(
        probe.latest_height - probe.earliest_height <= 3 * RETAIN_BLOCKS + 10,
        "{probe:?}"
    );
    let latest = fresh.status().await.unwrap().height;
    let kept = fresh
        .contract_events(&outbox, probe.earliest_height, latest)
        .await
        .unwrap();
    assert!(kept.is_empty(), "{kept:?}");
    fresh.query_smart(&outbox, config, None).await.unwrap();
}
