//! `ccmp deploy`: stores and instantiates the outbox, the inbox and (optionally) the example
//! dApp on every configured chain, wires each outbox's destinations and each inbox's
//! sources with their attester sets, and returns the deployment the other commands read.
//!
//! Idempotent: given the deployment of an earlier run, every contract that exists with the
//! expected code is kept, and only missing wiring (a destination, a source, a peer) is
//! added, so running it again changes nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use ccmp_chain::{query, ChainClient, ChainError, Execute};
use ccmp_inbox::msg::{
    ExecuteMsg as InboxExecute, InstantiateMsg as InboxInstantiate, QueryMsg as InboxQuery,
    SourceConfig, SourceResponse,
};
use ccmp_outbox::msg::{
    DestinationConfig, DestinationsResponse, ExecuteMsg as OutboxExecute,
    InstantiateMsg as OutboxInstantiate, QueryMsg as OutboxQuery,
};
use ccmp_pingpong::msg::{
    ConfigResponse as PingpongConfig, ExecuteMsg as PingpongExecute,
    InstantiateMsg as PingpongInstantiate, PongBudget, QueryMsg as PingpongQuery,
};
use ccmp_types::AttesterSet;
use cosmwasm_std::Coin;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Gas for one instantiate or wiring transaction.
pub const SETUP_GAS: u64 = 5_000_000;
pub const STORE_GAS: u64 = 40_000_000;

#[derive(Error, Debug)]
pub enum DeployError {
    // The cause is a field named `error`, not `source`: the message includes it, and `{:#}`
    // (anyhow) would repeat a `#[source]`.
    #[error("chain {chain}: {error}")]
    Chain { chain: String, error: ChainError },
    #[error("chain {chain}: the deployment names {contract} at {address}, but the chain has no such contract (or it runs code {found:?}, not {expected})")]
    Mismatch {
        chain: String,
        contract: &'static str,
        address: String,
        expected: u64,
        found: Option<u64>,
    },
    #[error("no attester set configured for source chain {0}")]
    NoAttesters(String),
    #[error("attester set for {chain} is invalid: {reason}")]
    InvalidAttesters { chain: String, reason: String },
}

/// One contract of a deployment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    pub address: String,
    pub code_id: u64,
    /// SHA-256 of the wasm, hex.
    pub checksum: String,
    /// The block of its instantiation (where the attester and the relayer start reading an
    /// outbox's events); 0 when unknown.
    #[serde(default)]
    pub height: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainDeployment {
    pub outbox: Contract,
    pub inbox: Contract,
    pub pingpong: Option<Contract>,
}

/// What `ccmp deploy` writes and every other command reads (JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    pub chains: BTreeMap<String, ChainDeployment>,
    /// Contracts a run instantiated before it failed (chain → `outbox`, `inbox` or
    /// `pingpong` → contract): the next run takes them up instead of instantiating again.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending: BTreeMap<String, BTreeMap<String, Contract>>,
}

impl Deployment {
    pub fn chain(&self, chain: &str) -> Option<&ChainDeployment> {
        self.chains.get(chain)
    }

    /// The contract `name` of `chain`: the deployment's, or one a failed run left pending.
    fn contract(&self, chain: &str, name: &str) -> Option<&Contract> {
        let deployed = self.chain(chain).and_then(|c| match name {
            "outbox" => Some(&c.outbox),
            "inbox" => Some(&c.inbox),
            _ => c.pingpong.as_ref(),
        });
        deployed.or_else(|| self.pending.get(chain).and_then(|p| p.get(name)))
    }
}

/// The compiled contracts to deploy.
#[derive(Clone)]
pub struct Wasm {
    pub outbox: Vec<u8>,
    pub inbox: Vec<u8>,
    pub pingpong: Option<Vec<u8>>,
}

/// What to deploy where.
pub struct DeployPlan {
    /// Each chain with the client that deploys on it (its signer becomes every contract's
    /// owner and admin).
    pub chains: Vec<Arc<dyn ChainClient>>,
    pub wasm: Wasm,
    /// The epoch-1 attester set of each source chain.
    pub attesters: BTreeMap<String, AttesterSet>,
    pub ordered: bool,
    pub trust_delay_seconds: u64,
    /// The outbox fee on every lane (none when `None`).
    pub fee: Option<Coin>,
    /// The pingpong's pong budget, when one is deployed.
    pub pong_budget: Option<PongBudget>,
}

/// What a run did: every action taken, in order (empty when nothing had to change).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeployReport {
    pub actions: Vec<String>,
    pub gas_used: BTreeMap<String, u64>,
    /// The contracts this run instantiated (chain → name → contract), so a failed run's
    /// progress can be recorded.
    pub created: BTreeMap<String, BTreeMap<String, Contract>>,
}

impl DeployReport {
    fn did(&mut self, chain: &str, what: String, gas: u64) {
        self.actions.push(format!("{chain}: {what}"));
        *self
            .gas_used
            .entry(what.split(' ').next().unwrap_or("").to_string())
            .or_default() += gas;
    }
}

fn checksum(wasm: &[u8]) -> String {
    hex::encode(Sha256::digest(wasm))
}

fn err(chain: &str) -> impl Fn(ChainError) -> DeployError + '_ {
    move |error| DeployError::Chain {
        chain: chain.to_string(),
        error,
    }
}

/// Keeps `existing` if the chain has it with the expected code, or stores and instantiates.
async fn ensure_contract(
    chain: &dyn ChainClient,
    existing: Option<&Contract>,
    name: &'static str,
    wasm: &[u8],
    msg: &impl Serialize,
    report: &mut DeployReport,
) -> Result<Contract, DeployError> {
    let id = chain.chain_id().to_string();
    let sum = checksum(wasm);
    if let Some(contract) = existing {
        let info = chain
            .contract_info(&contract.address)
            .await
            .map_err(err(&id))?;
        return match info {
            Some(info) if info.code_id == contract.code_id && contract.checksum == sum => {
                Ok(contract.clone())
            }
            other => Err(DeployError::Mismatch {
                chain: id,
                contract: name,
                address: contract.address.clone(),
                expected: contract.code_id,
                found: other.map(|i| i.code_id),
            }),
        };
    }
    let (code_id, stored) = chain.store_code(wasm, STORE_GAS).await.map_err(err(&id))?;
    report.did(
        &id,
        format!("store_code {name} (code {code_id})"),
        stored.gas_used,
    );
    let msg = serde_json::to_vec(msg).map_err(|e| err(&id)(ChainError::Encode(e.to_string())))?;
    let (address, tx) = chain
        .instantiate(
            code_id,
            &msg,
            &format!("ccmp {name}"),
            Some(chain.signer()),
            SETUP_GAS,
        )
        .await
        .map_err(err(&id))?;
    report.did(&id, format!("instantiate {name} at {address}"), tx.gas_used);
    let contract = Contract {
        address,
        code_id,
        checksum: sum,
        height: tx.height,
    };
    report
        .created
        .entry(id)
        .or_default()
        .insert(name.to_string(), contract.clone());
    Ok(contract)
}

async fn execute(
    chain: &dyn ChainClient,
    contract: &str,
    msg: &impl Serialize,
    what: String,
    report: &mut DeployReport,
) -> Result<(), DeployError> {
    let id = chain.chain_id().to_string();
    let tx = chain
        .broadcast(&[Execute::new(contract, msg).map_err(err(&id))?], SETUP_GAS)
        .await
        .and_then(|tx| tx.into_result())
        .map_err(err(&id))?;
    report.did(&id, what, tx.gas_used);
    Ok(())
}

/// Deploys `plan`, keeping what `existing` already deployed (or left pending). Returns
/// the deployment and what changed.
pub async fn deploy(
    plan: &DeployPlan,
    existing: &Deployment,
) -> Result<(Deployment, DeployReport), DeployError> {
    let mut report = DeployReport::default();
    let deployment = deploy_into(plan, existing, &mut report).await?;
    Ok((deployment, report))
}

/// [`deploy`], recording what it does in `report` as it goes (so that after an error
/// `report.created` still says what exists).
pub async fn deploy_into(
    plan: &DeployPlan,
    existing: &Deployment,
    report: &mut DeployReport,
) -> Result<Deployment, DeployError> {
    let ids: Vec<String> = plan
        .chains
        .iter()
        .map(|c| c.chain_id().to_string())
        .collect();
    for (chain, set) in &plan.attesters {
        set.validate(&cosmwasm_std::testing::MockApi::default())
            .map_err(|e| DeployError::InvalidAttesters {
                chain: chain.clone(),
                reason: e.to_string(),
            })?;
    }

    // Outboxes first: the inboxes name them.
    let mut outboxes = BTreeMap::new();
    for chain in &plan.chains {
        let id = chain.chain_id().to_string();
        let destinations: Vec<DestinationConfig> = ids
            .iter()
            .filter(|other| **other != id)
            .map(|other| destination(other, &plan.fee))
            .collect();
        let outbox = ensure_contract(
            chain.as_ref(),
            existing.contract(&id, "outbox"),
            "outbox",
            &plan.wasm.outbox,
            &OutboxInstantiate {
                owner: None,
                chain_id: Some(id.clone()),
                destinations: Some(destinations),
            },
            report,
        )
        .await?;
        // Destinations added since (a chain joined the deployment).
        let configured: DestinationsResponse = query(
            chain.as_ref(),
            &outbox.address,
            &OutboxQuery::Destinations {
                start_after: None,
                limit: Some(30),
            },
        )
        .await
        .map_err(err(&id))?;
        for other in ids.iter().filter(|other| **other != id) {
            if !configured.destinations.iter().any(|d| d.chain == *other) {
                execute(
                    chain.as_ref(),
                    &outbox.address,
                    &OutboxExecute::SetDestination(destination(other, &plan.fee)),
                    format!("set_destination {other}"),
                    report,
                )
                .await?;
            }
        }
        outboxes.insert(id, outbox);
    }

    let mut deployment = Deployment::default();
    for chain in &plan.chains {
        let id = chain.chain_id().to_string();
        let mut sources = Vec::new();
        for other in ids.iter().filter(|other| **other != id) {
            sources.push(SourceConfig {
                chain: other.clone(),
                outbox: outboxes[other].address.clone(),
                attesters: plan
                    .attesters
                    .get(other)
                    .cloned()
                    .ok_or_else(|| DeployError::NoAttesters(other.clone()))?,
                ordered: plan.ordered,
                receive_gas_limit: None,
                max_receive_gas_limit: None,
            });
        }
        let inbox = ensure_contract(
            chain.as_ref(),
            existing.contract(&id, "inbox"),
            "inbox",
            &plan.wasm.inbox,
            &InboxInstantiate {
                owner: None,
                chain_id: Some(id.clone()),
                sources: Some(sources.clone()),
                max_batch_size: None,
                max_body_bytes: None,
                trust_delay_seconds: plan.trust_delay_seconds,
            },
            report,
        )
        .await?;
        for source in sources {
            let known: Result<SourceResponse, _> = query(
                chain.as_ref(),
                &inbox.address,
                &InboxQuery::Source {
                    chain: source.chain.clone(),
                },
            )
            .await;
            if known.is_err() {
                let name = source.chain.clone();
                execute(
                    chain.as_ref(),
                    &inbox.address,
                    &InboxExecute::AddSource(source),
                    format!("add_source {name}"),
                    report,
                )
                .await?;
            }
        }
        let pingpong = match &plan.wasm.pingpong {
            None => None,
            Some(wasm) => Some(
                ensure_contract(
                    chain.as_ref(),
                    existing.contract(&id, "pingpong"),
                    "pingpong",
                    wasm,
                    &PingpongInstantiate {
                        owner: None,
                        outbox: outboxes[&id].address.clone(),
                        inbox: inbox.address.clone(),
                        peers: vec![],
                        pong_fee: plan.fee.clone(),
                        pong_budget: plan.pong_budget,
                    },
                    report,
                )
                .await?,
            ),
        };
        deployment.chains.insert(
            id.clone(),
            ChainDeployment {
                outbox: outboxes[&id].clone(),
                inbox,
                pingpong,
            },
        );
    }

    // Pingpong peers, once every pingpong exists.
    for chain in &plan.chains {
        let id = chain.chain_id().to_string();
        let Some(pingpong) = deployment.chains[&id].pingpong.clone() else {
            continue;
        };
        let config: PingpongConfig =
            query(chain.as_ref(), &pingpong.address, &PingpongQuery::Config {})
                .await
                .map_err(err(&id))?;
        for other in ids.iter().filter(|other| **other != id) {
            let Some(peer) = deployment.chains[other].pingpong.as_ref() else {
                continue;
            };
            if !config
                .peers
                .iter()
                .any(|p| p.chain == *other && p.address == peer.address)
            {
                execute(
                    chain.as_ref(),
                    &pingpong.address,
                    &PingpongExecute::SetPeer {
                        chain: other.clone(),
                        address: peer.address.clone(),
                    },
                    format!("set_peer {other}"),
                    report,
                )
                .await?;
            }
        }
    }
    Ok(deployment)
}

fn destination(chain: &str, fee: &Option<Coin>) -> DestinationConfig {
    DestinationConfig {
        chain: chain.to_string(),
        enabled: true,
        fee: fee.clone(),
        max_body_bytes: None,
    }
}

/// What `ccmp deploy` did from the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeployOutcome {
    pub deployment: Deployment,
    pub report: DeployReport,
    /// Whether the deployment file was (re)written: only when something changed.
    pub written: bool,
}

impl DeployOutcome {
    /// What the command prints.
    pub fn to_text(&self, file: &std::path::Path) -> String {
        if self.report.actions.is_empty() {
            return format!(
                "nothing to do: every contract and its wiring is deployed as {} records\n",
                file.display()
            );
        }
        let mut out = String::new();
        for action in &self.report.actions {
            out.push_str(action);
            out.push('\n');
        }
        out.push_str(&format!(
            "{} action(s); wrote {}\n",
            self.report.actions.len(),
            file.display()
        ));
        out
    }
}

/// The deployment file of `config`, or an empty deployment when it does not exist yet.
pub fn read_deployment(path: &std::path::Path) -> anyhow::Result<Option<Deployment>> {
    use anyhow::Context;
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).with_context(|| {
            format!(
                "deployment.file: {} is not a deployment file",
                path.display()
            )
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(anyhow::anyhow!(
            "deployment.file: cannot read {}: {err}",
            path.display()
        )),
    }
}

/// The deployment the configuration names; an error if `ccmp deploy` has not written it.
pub fn load_deployment(config: &crate::config::Config) -> anyhow::Result<Deployment> {
    let path = &config.deployment.file;
    read_deployment(path)?.ok_or_else(|| {
        anyhow::anyhow!(
            "deployment.file: {} does not exist: run `ccmp deploy` first",
            path.display()
        )
    })
}

/// Writes the deployment file atomically: a temporary file beside it, synced, renamed
/// over it, the directory synced.
pub fn write_deployment(path: &std::path::Path, deployment: &Deployment) -> anyhow::Result<()> {
    use std::io::Write;
    let fail = |err: std::io::Error| {
        anyhow::anyhow!("deployment.file: cannot write {}: {err}", path.display())
    };
    let mut json = serde_json::to_vec_pretty(deployment)?;
    json.push(b'\n');
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(fail)?;
    let name = path
        .file_name()
        .ok_or_else(|| anyhow::anyhow!("deployment.file: {} names no file", path.display()))?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(&json)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)?;
        if let Ok(dir) = std::fs::File::open(&dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written.map_err(fail)
}

fn read_wasm(dir: &std::path::Path, name: &str) -> anyhow::Result<Vec<u8>> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|err| {
        anyhow::anyhow!(
            "deploy.wasm_dir: cannot read {}: {err} (build the contracts with ./scripts/build.sh)",
            path.display()
        )
    })
}

/// `ccmp deploy`: deploys the configured bridge on `chains` (one client per `[chains]`
/// entry, its account the contracts' owner), keeping what the deployment file records,
/// and writes the file if anything changed. A second run changes nothing.
pub async fn run_config(
    config: &crate::config::Config,
    chains: &crate::connect::Chains,
) -> anyhow::Result<DeployOutcome> {
    let section = config
        .deploy
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("deploy: no [deploy] section in the configuration"))?;
    let existing = read_deployment(&config.deployment.file)?.unwrap_or_default();
    let wasm = Wasm {
        outbox: read_wasm(&section.wasm_dir, "ccmp_outbox.wasm")?,
        inbox: read_wasm(&section.wasm_dir, "ccmp_inbox.wasm")?,
        pingpong: if section.dapp {
            Some(read_wasm(&section.wasm_dir, "ccmp_pingpong.wasm")?)
        } else {
            None
        },
    };
    let clients = config
        .chains
        .keys()
        .map(|id| {
            chains
                .get(id)
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("chains.{id}: no connection"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let plan = DeployPlan {
        chains: clients,
        wasm,
        attesters: section.attesters.clone(),
        ordered: section.ordered,
        trust_delay_seconds: section.trust_delay_seconds,
        fee: None,
        pong_budget: section.dapp.then_some(PongBudget {
            max_pongs_per_window: 10_000,
            window_seconds: 3_600,
        }),
    };
    let mut report = DeployReport::default();
    let deployment = match deploy_into(&plan, &existing, &mut report).await {
        Ok(deployment) => deployment,
        Err(err) if report.created.is_empty() => return Err(err.into()),
        Err(err) => {
            // Keep what exists on chain, so the next run takes it up.
            let mut progress = existing.clone();
            for (chain, contracts) in &report.created {
                progress
                    .pending
                    .entry(chain.clone())
                    .or_default()
                    .extend(contracts.clone());
            }
            write_deployment(&config.deployment.file, &progress)?;
            return Err(anyhow::Error::new(err).context(format!(
                "deployment.file: the {} contract(s) instantiated so far are recorded in {}; run `ccmp deploy` again to continue",
                report.created.values().map(BTreeMap::len).sum::<usize>(),
                config.deployment.file.display()
            )));
        }
    };
    let written = !report.actions.is_empty() || deployment != existing;
    if written {
        write_deployment(&config.deployment.file, &deployment)?;
    }
    Ok(DeployOutcome {
        deployment,
        report,
        written,
    })
}
