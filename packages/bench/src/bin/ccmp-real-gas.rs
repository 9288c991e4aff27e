//! Measures CCMP's calls on a real wasmd node and on `ccmp-devnet`'s model of it, and
//! writes `bench/real_gas.json` (rendered into BENCHMARKS.md by `ccmp-bench`). Run by
//! `scripts/real-gas-bench.sh`, which starts a localnet of its own for it.
//!
//!   ccmp-real-gas <localnet.json> <out.json> <node description>
//!
//! Every call goes to the localnet's first chain, signed by its `deployer` account, and the
//! same bytes go to a devnet twin: a `ccmp-devnet` chain with the node's chain id and
//! prefix, on which the same signer stores the same code and instantiates the same
//! contracts in the same order, so code ids and contract addresses are the node's (checked)
//! and every message is byte for byte the one the node ran. The messages come from
//! `ccmp_bench::measure`, as the benchmark builds them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use ccmp_bench::measure::{
    attester_set, batch_msg, checkpoint_msg, delivery_items, inbox_init, outbox_init,
    receiver_init, send_msg, sparse_lane, KeyMix, DESTINATION,
};
use ccmp_bench::realgas::{Probe, RealGas, RealGasRow};
use ccmp_bench::{artifact, tx};
use ccmp_chain::rpc::{RpcClient, RpcConfig};
use ccmp_chain::{ChainClient, Execute, TxResult};
use ccmp_devnet::{Chain, ChainConfig};
use ccmp_inbox::msg::ExecuteMsg as InboxMsg;
use ccmp_pingpong::msg::InstantiateMsg as PingpongInit;
use cosmwasm_std::{to_json_vec, Addr};
use serde::Serialize;
use serde_json::Value;

/// The gas limit of every transaction: room for the largest (storing the inbox, a batch of
/// 50) with a fee of six digits at the localnet's 0.025.
const GAS_LIMIT: u64 = 30_000_000;

/// The measured lane: 2^20 messages, of which the delivered ones are real, from the middle.
const LANE_HEIGHT: u32 = 20;
/// Deliveries measured, in this order: `deliver` then `deliver_batch` of each size.
const BATCHES: [u64; 3] = [1, 10, 50];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [manifest, out, node] = args.as_slice() else {
        eprintln!("usage: ccmp-real-gas <localnet.json> <out.json> <node description>");
        return ExitCode::from(2);
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(Path::new(manifest), node)) {
        Ok(real_gas) => {
            let text = serde_json::to_string_pretty(&real_gas).expect("json") + "\n";
            std::fs::write(out, text).unwrap_or_else(|e| panic!("{out}: {e}"));
            eprintln!("ccmp-real-gas: wrote {out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ccmp-real-gas: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The node and its devnet twin, and what was measured so far.
struct Bench {
    node: RpcClient,
    twin: Chain,
    sender: Addr,
    rows: Vec<RealGasRow>,
}

fn checked(
    result: Result<TxResult, ccmp_chain::ChainError>,
    what: &str,
) -> Result<TxResult, String> {
    result
        .and_then(TxResult::into_result)
        .map_err(|e| format!("{what} on the node: {e}"))
}

impl Bench {
    fn push(
        &mut self,
        call: &str,
        messages: u64,
        real: &TxResult,
        model_contract: u64,
        model_tx_bytes: u64,
    ) {
        let row = RealGasRow {
            call: call.into(),
            messages,
            gas_used: real.gas_used,
            tx_bytes: real.tx_bytes,
            model_contract,
            model_tx_bytes,
        };
        eprintln!(
            "{call}: gas_used {} ({} tx bytes); model {} + tx {} ({} bytes)",
            row.gas_used,
            row.tx_bytes,
            row.model_contract,
            row.model_tx(),
            row.model_tx_bytes
        );
        self.rows.push(row);
    }

    async fn store(&mut self, name: &str, file: &str) -> Result<u64, String> {
        let wasm = artifact(file);
        let (code_id, real) = self
            .node
            .store_code(&wasm, GAS_LIMIT)
            .await
            .map_err(|e| format!("store {file}: {e}"))?;
        let real = checked(Ok(real), &format!("store {file}"))?;
        let twin_id = self.twin.store_code(&wasm).map_err(|e| e.to_string())?;
        if twin_id != code_id {
            return Err(format!(
                "{file}: code id {code_id} on the node, {twin_id} on the twin"
            ));
        }
        let model_bytes =
            tx::store_code_tx_bytes(self.sender.as_str().len() as u64, wasm.len() as u64);
        self.push(
            &format!("store code: {name} ({} bytes)", wasm.len()),
            0,
            &real,
            Chain::store_code_gas(wasm.len()),
            model_bytes,
        );
        Ok(code_id)
    }

    async fn instantiate(
        &mut self,
        name: &str,
        code_id: u64,
        msg: &impl Serialize,
        label: &str,
    ) -> Result<Addr, String> {
        let json = to_json_vec(msg).expect("json");
        let (address, real) = self
            .node
            .instantiate(code_id, &json, label, None, GAS_LIMIT)
            .await
            .map_err(|e| format!("instantiate {name}: {e}"))?;
        let real = checked(Ok(real), &format!("instantiate {name}"))?;
        let (twin_address, outcome) = self
            .twin
            .instantiate(code_id, &self.sender, msg, &[], label)
            .map_err(|e| format!("instantiate {name} on the twin: {e}"))?;
        if twin_address.as_str() != address {
            return Err(format!(
                "{name}: {address} on the node, {twin_address} on the twin"
            ));
        }
        let model_bytes = tx::instantiate_tx_bytes(
            self.sender.as_str().len() as u64,
            code_id,
            label.len() as u64,
            json.len() as u64,
        );
        self.push(
            &format!("instantiate: {name}"),
            0,
            &real,
            outcome.gas_used,
            model_bytes,
        );
        Ok(twin_address)
    }

    async fn execute(
        &mut self,
        call: &str,
        messages: u64,
        contract: &Addr,
        msg: &impl Serialize,
    ) -> Result<(), String> {
        let execute = Execute::new(contract.as_str(), msg).map_err(|e| e.to_string())?;
        let real = checked(
            self.node
                .broadcast(std::slice::from_ref(&execute), GAS_LIMIT)
                .await,
            call,
        )?;
        let outcome = self
            .twin
            .execute(&self.sender, contract, msg, &[])
            .map_err(|e| format!("{call} on the twin: {e}"))?;
        let envelope = tx::Envelope {
            sender_len: self.sender.as_str().len() as u64,
            contract_len: contract.as_str().len() as u64,
            funds: vec![],
        };
        let model_bytes = envelope.tx_bytes(execute.msg.len() as u64);
        self.push(call, messages, &real, outcome.gas_used, model_bytes);
        Ok(())
    }

    /// An execute of a contract that does not exist: the ante handler's fixed work.
    async fn probe(&mut self) -> Result<Probe, String> {
        // A 20-byte address nothing lives at.
        let nobody = self.twin.account("ccmp-real-gas: no contract here");
        let execute = Execute::new(nobody.as_str(), &serde_json::json!({ "probe": {} }))
            .map_err(|e| e.to_string())?;
        let real = self
            .node
            .broadcast(&[execute], GAS_LIMIT)
            .await
            .map_err(|e| format!("probe: {e}"))?;
        if real.is_ok() || !real.log.contains("no such contract") {
            return Err(format!(
                "the probe should fail with no such contract: code {} {}",
                real.code, real.log
            ));
        }
        let probe = Probe {
            gas_used: real.gas_used,
            tx_bytes: real.tx_bytes,
        };
        eprintln!(
            "probe: gas_used {} ({} tx bytes): ante fixed {}",
            probe.gas_used,
            probe.tx_bytes,
            probe.ante_fixed()
        );
        Ok(probe)
    }
}

struct Localnet {
    chain_id: String,
    rpc: String,
    prefix: String,
    denom: String,
    gas_price: f64,
    secret: [u8; 32],
}

fn localnet(manifest: &Path) -> Result<Localnet, String> {
    let text =
        std::fs::read_to_string(manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let manifest: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let chain = &manifest["chains"][0];
    let field = |key: &str| {
        chain[key]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("localnet.json: no chains[0].{key}"))
    };
    let denom = field("denom")?;
    let gas_price = field("gas_price")?
        .trim_end_matches(denom.as_str())
        .parse()
        .map_err(|e| format!("gas_price: {e}"))?;
    let key_file = PathBuf::from(
        chain["accounts"]["deployer"]["key_file"]
            .as_str()
            .ok_or("localnet.json: no deployer key_file")?,
    );
    let key: Value = serde_json::from_str(
        &std::fs::read_to_string(&key_file).map_err(|e| format!("{}: {e}", key_file.display()))?,
    )
    .map_err(|e| e.to_string())?;
    let secret = hex::decode(
        key["secret_hex"]
            .as_str()
            .ok_or("key file: no secret_hex")?,
    )
    .map_err(|e| e.to_string())?
    .try_into()
    .map_err(|_| "key file: not a 32-byte secret".to_string())?;
    Ok(Localnet {
        chain_id: field("chain_id")?,
        rpc: field("rpc")?,
        prefix: field("prefix")?,
        denom,
        gas_price,
        secret,
    })
}

async fn run(manifest: &Path, node_description: &str) -> Result<RealGas, String> {
    let net = localnet(manifest)?;
    let mut config = RpcConfig::new(&net.chain_id, &net.rpc, &net.prefix, &net.denom);
    config.gas_price = net.gas_price;
    config.max_gas = GAS_LIMIT;
    config.tx_timeout = Duration::from_secs(60);
    let node = RpcClient::connect(config, &net.secret)
        .await
        .map_err(|e| format!("connect to {}: {e}", net.rpc))?;
    let mut twin =
        Chain::new(ChainConfig::new(&net.chain_id, &net.prefix)).map_err(|e| e.to_string())?;
    twin.set_tx_gas_limit(GAS_LIMIT);
    let sender = Addr::unchecked(node.signer());
    let mut bench = Bench {
        node,
        twin,
        sender,
        rows: vec![],
    };
    // The signer's first transaction writes its public key; the second is the fixed part.
    let mut probes = vec![bench.probe().await?, bench.probe().await?];

    let outbox_code = bench.store("ccmp-outbox", "ccmp_outbox.wasm").await?;
    let inbox_code = bench.store("ccmp-inbox", "ccmp_inbox.wasm").await?;
    let pingpong_code = bench.store("ccmp-pingpong", "ccmp_pingpong.wasm").await?;
    let receiver_code = bench
        .store(
            "ccmp-devnet-receiver (test)",
            "test/ccmp_devnet_receiver.wasm",
        )
        .await?;

    let four = attester_set(4, KeyMix::Mixed);
    let fifty = attester_set(50, KeyMix::Mixed);
    let destination = Some(DESTINATION.to_string());
    let outbox = bench
        .instantiate("ccmp-outbox", outbox_code, &outbox_init(), "ccmp outbox")
        .await?;
    let inbox = bench
        .instantiate(
            "ccmp-inbox (4 attesters)",
            inbox_code,
            &inbox_init(&four, false, destination.clone()),
            "ccmp inbox",
        )
        .await?;
    let inbox_50 = bench
        .instantiate(
            "ccmp-inbox (50 attesters)",
            inbox_code,
            &inbox_init(&fifty, false, destination),
            "ccmp inbox 50",
        )
        .await?;
    bench
        .instantiate(
            "ccmp-pingpong",
            pingpong_code,
            &PingpongInit {
                owner: None,
                outbox: outbox.to_string(),
                inbox: inbox.to_string(),
                peers: vec![],
                pong_fee: None,
                pong_budget: None,
            },
            "pingpong",
        )
        .await?;
    let receiver = bench
        .instantiate(
            "ccmp-devnet-receiver (test)",
            receiver_code,
            &receiver_init(),
            "receiver",
        )
        .await?;

    for lane in [0, 1] {
        bench
            .execute(
                &format!("outbox send (100 B), lane of {lane}"),
                0,
                &outbox,
                &send_msg(100),
            )
            .await?;
    }

    // One lane for every delivery: consecutive nonces from the middle of 2^20.
    let total: u64 = 2 * BATCHES.iter().sum::<u64>();
    let first = ((1u64 << LANE_HEIGHT) - total) / 2;
    let (messages, tree) = sparse_lane(LANE_HEIGHT, first, total, receiver.as_str());
    for (n, signers, inbox) in [(4, &four, &inbox), (50, &fifty, &inbox_50)] {
        let msg = checkpoint_msg(signers, tree.size(), &tree.root(), &[]);
        bench
            .execute(
                &format!("inbox submit_checkpoint ({n} attesters, first, lane of 2^{LANE_HEIGHT})"),
                0,
                inbox,
                &msg,
            )
            .await?;
    }
    let mut next = 0usize;
    for batch in BATCHES {
        let part = messages[next..next + batch as usize].to_vec();
        next += batch as usize;
        let msg = InboxMsg::Deliver {
            items: delivery_items(part, &tree),
        };
        bench
            .execute(
                &format!("inbox deliver, {batch} messages"),
                batch,
                &inbox,
                &msg,
            )
            .await?;
    }
    for batch in BATCHES {
        let part = &messages[next..next + batch as usize];
        next += batch as usize;
        bench
            .execute(
                &format!("inbox deliver_batch, {batch} messages"),
                batch,
                &inbox,
                &batch_msg(part, &tree),
            )
            .await?;
    }
    probes.push(bench.probe().await?);

    Ok(RealGas {
        node: node_description.to_string(),
        chain_id: net.chain_id,
        gas_limit: GAS_LIMIT,
        probes,
        rows: bench.rows,
    })
}
