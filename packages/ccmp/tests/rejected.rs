//! A transaction the node refuses, or one that fails in its block, makes `ccmp deploy`
//! (`ccmp::deploy::run_config`) fail with one line naming the chain and the node's reason,
//! and leaves the deployment file unwritten. (No compiled contracts needed: the node
//! refuses before any code runs.)

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use ccmp::config::Config;
use ccmp::connect::Chains;
use ccmp_chain::embedded::EmbeddedNode;
use ccmp_chain::layer::{Layer, Layered};
use ccmp_chain::{ChainClient, ChainError, Execute, TxResult};
use ccmp_devnet::ChainConfig;
use ccmp_signer::AttesterKey;
use cosmwasm_std::Binary;

/// The layer of a node that refuses (CheckTx) every transaction, or fails it in its block.
struct Refusing {
    in_block: bool,
}

impl Refusing {
    fn refuse(&self) -> Result<TxResult, ChainError> {
        if self.in_block {
            Ok(TxResult {
                txhash: "AB".into(),
                height: 5,
                code: 5,
                log: "insufficient funds: 0stake is smaller than 1000stake".into(),
                gas_wanted: 1,
                gas_used: 1,
                events: vec![],
                data: None,
                tx_bytes: 0,
            })
        } else {
            Err(ChainError::Rejected {
                log: "account sequence mismatch, expected 4, got 3".into(),
            })
        }
    }
}

#[async_trait]
impl Layer for Refusing {
    async fn broadcast(
        &self,
        _inner: &dyn ChainClient,
        _msgs: &[Execute],
        _gas: u64,
    ) -> Result<TxResult, ChainError> {
        self.refuse()
    }
    async fn store_code(
        &self,
        _inner: &dyn ChainClient,
        _wasm: &[u8],
        _gas: u64,
    ) -> Result<(u64, TxResult), ChainError> {
        // What a backend does with a transaction that failed in its block.
        self.refuse()
            .and_then(TxResult::into_result)
            .map(|tx| (0, tx))
    }
    async fn instantiate(
        &self,
        _inner: &dyn ChainClient,
        _code: u64,
        _msg: &[u8],
        _label: &str,
        _admin: Option<&str>,
        _gas: u64,
    ) -> Result<(String, TxResult), ChainError> {
        self.refuse()
            .and_then(TxResult::into_result)
            .map(|tx| (String::new(), tx))
    }
}

fn config(dir: &std::path::Path) -> Config {
    let wasm = dir.join("wasm");
    std::fs::create_dir_all(&wasm).unwrap();
    for name in ["ccmp_outbox.wasm", "ccmp_inbox.wasm"] {
        std::fs::write(wasm.join(name), b"\0asm not really").unwrap();
    }
    let pubkey = |n| {
        let key = AttesterKey::test_key(n, true).pubkey();
        Binary::new(key.bytes().to_vec()).to_base64()
    };
    let text = format!(
        r#"
[chains.ccmp-a]
rpc = "http://127.0.0.1:1"
prefix = "wasm"
fee_denom = "stake"
gas_price = 0.0
key_file = "unused.json"

[chains.ccmp-b]
rpc = "http://127.0.0.1:2"
prefix = "wasm"
fee_denom = "stake"
gas_price = 0.0
key_file = "unused.json"

[deployment]
file = "deployment.json"

[deploy]
wasm_dir = "wasm"
[deploy.attesters.ccmp-a]
threshold = 1
attesters = [{{ pubkey = {{ ed25519 = "{a}" }}, weight = 1 }}]
[deploy.attesters.ccmp-b]
threshold = 1
attesters = [{{ pubkey = {{ ed25519 = "{b}" }}, weight = 1 }}]
"#,
        a = pubkey(1),
        b = pubkey(2),
    );
    let path = dir.join("ccmp.toml");
    std::fs::write(&path, text).unwrap();
    Config::load(&path).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_or_failed_transaction_is_one_line_naming_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let nodes = [
        EmbeddedNode::start(
            ChainConfig::new("ccmp-a", "wasm"),
            Duration::from_millis(50),
        )
        .unwrap(),
        EmbeddedNode::start(
            ChainConfig::new("ccmp-b", "wasm"),
            Duration::from_millis(50),
        )
        .unwrap(),
    ];
    for (in_block, expected) in [
        (
            false,
            "chain ccmp-a: transaction refused by the node: account sequence mismatch, expected 4, got 3",
        ),
        (
            true,
            "chain ccmp-a: transaction failed at height 5 (code 5, gas used 1): insufficient funds: 0stake is smaller than 1000stake",
        ),
    ] {
        let chains: Chains = nodes
            .iter()
            .map(|node| {
                (
                    node.chain_id().to_string(),
                    Arc::new(Layered::new(
                        Arc::new(node.client("operator")),
                        Refusing { in_block },
                    )) as Arc<dyn ChainClient>,
                )
            })
            .collect::<HashMap<_, _>>();
        let err = ccmp::deploy::run_config(&config, &chains)
            .await
            .expect_err("a refused deployment");
        let text = format!("{err:#}");
        assert_eq!(text, expected);
        assert!(!text.contains('\n'));
        assert!(
            !config.deployment.file.exists(),
            "nothing written when nothing was deployed"
        );
    }
    for node in &nodes {
        node.stop();
    }
}
