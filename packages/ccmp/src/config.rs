//! The `ccmp` program's configuration: one TOML file for every operator and service
//! command (`deploy`, `status`, `attest`, `relay`), read and validated at start. Every
//! error names the field as the file spells it, e.g. `chains.ccmp-a.rpc: "x" is not a URL`.
//!
//! Only configuration changes between a local chain and a public one: the same sections,
//! other URLs, prefixes, denoms, prices and keys. A commented example is
//! `packages/ccmp/examples/localnet.toml`.
//!
//! ```toml
//! [chains.ccmp-a]                   # one table per chain, by chain id
//! rpc = "http://127.0.0.1:26657"    # CometBFT RPC
//! prefix = "wasm"                   # bech32 account prefix
//! fee_denom = "ustake"
//! gas_price = 0.025                 # fee per gas unit, in fee_denom
//! gas_multiplier = 1.3              # simulated gas × this (default 1.3)
//! max_gas = 30000000                # no transaction asks for more (default)
//! key_file = "keys/operator-a.json" # the account key (`ccmp keys generate --type secp256k1`)
//!
//! [deployment]
//! file = "deployment.json"          # what `ccmp deploy` writes and the others read
//!
//! [[lanes]]
//! source = "ccmp-a"
//! destination = "ccmp-b"
//!
//! [attester]                        # `ccmp attest`
//! key_file = "keys/attester.json"
//! store_dir = "attester"
//! listen = "127.0.0.1:9464"
//!
//! [relayer]                         # `ccmp relay`
//! metrics_listen = "127.0.0.1:9100"
//! [relayer.attesters]               # endpoints by source chain (weights come from the inbox)
//! ccmp-a = [{ url = "http://127.0.0.1:9464" }]
//!
//! [deploy]                          # `ccmp deploy`
//! wasm_dir = "artifacts"
//! [deploy.attesters.ccmp-a]         # each source chain's epoch-1 attester set
//! threshold = 1
//! attesters = [{ pubkey = { ed25519 = "<base64>" }, weight = 1 }]
//! ```
//!
//! Relative paths are relative to the directory of the configuration file.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ccmp_relayer::service::{
    AttesterEndpoint, BackoffPolicy, BatchPolicy, GasPolicy, LaneConfig, RelayerConfig, RetryPolicy,
};
use ccmp_types::AttesterSet;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::deploy::Deployment;

/// A configuration value that cannot work, by its path in the file.
#[derive(Error, Debug, Clone, PartialEq, Eq)]
#[error("{field}: {reason}")]
pub struct ConfigError {
    pub field: String,
    pub reason: String,
}

impl ConfigError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        ConfigError {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

fn check(ok: bool, field: impl Into<String>, reason: impl Into<String>) -> Result<(), ConfigError> {
    if ok {
        Ok(())
    } else {
        Err(ConfigError::new(field, reason))
    }
}

/// The whole file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The chains, by chain id.
    pub chains: BTreeMap<String, ChainConfig>,
    pub deployment: DeploymentSection,
    /// The lanes the bridge carries (the attester and the relayer default to all of them).
    #[serde(default)]
    pub lanes: Vec<LaneRef>,
    #[serde(default)]
    pub attester: Option<AttesterSection>,
    #[serde(default)]
    pub relayer: Option<RelayerSection>,
    #[serde(default)]
    pub deploy: Option<DeploySection>,
}

/// `[chains.<id>]`: how to reach a chain and as whom.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainConfig {
    /// The node's CometBFT RPC URL (`http://` or `https://`).
    pub rpc: String,
    /// The bech32 prefix of account addresses.
    pub prefix: String,
    pub fee_denom: String,
    /// The fee per unit of gas, in `fee_denom`.
    pub gas_price: f64,
    /// Simulated gas is multiplied by this for a transaction's limit.
    #[serde(default = "default_gas_multiplier")]
    pub gas_multiplier: f64,
    /// No transaction asks for more gas.
    #[serde(default = "default_max_gas")]
    pub max_gas: u64,
    /// The account's key file (secp256k1, `ccmp keys generate --type secp256k1`).
    pub key_file: PathBuf,
    /// How long a broadcast waits for its transaction to be in a block.
    #[serde(default = "default_tx_timeout_seconds")]
    pub tx_timeout_seconds: u64,
    /// Blocks per event search.
    #[serde(default = "default_events_chunk")]
    pub events_chunk: u64,
}

fn default_gas_multiplier() -> f64 {
    1.3
}
fn default_max_gas() -> u64 {
    30_000_000
}
fn default_tx_timeout_seconds() -> u64 {
    60
}
fn default_events_chunk() -> u64 {
    1_000
}
fn default_poll_interval_ms() -> u64 {
    1_000
}
fn default_attester_timeout_ms() -> u64 {
    3_000
}
fn default_true() -> bool {
    true
}

impl ChainConfig {
    pub fn tx_timeout(&self) -> Duration {
        Duration::from_secs(self.tx_timeout_seconds)
    }
}

/// `[deployment]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentSection {
    /// The deployment file (JSON): written by `ccmp deploy`, read by the other commands.
    pub file: PathBuf,
}

/// One lane, by chain ids.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaneRef {
    pub source: String,
    pub destination: String,
}

impl std::fmt::Display for LaneRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} -> {}", self.source, self.destination)
    }
}

/// `[attester]`: what `ccmp attest` runs. One attester process attests the lanes of one
/// source chain (its outbox); run one per source chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttesterSection {
    /// The attester's signing key (secp256k1 or Ed25519).
    pub key_file: PathBuf,
    /// Where the attester records durably what it signed (`<source chain>.store.json`).
    pub store_dir: PathBuf,
    /// The HTTP server of `/v1/checkpoints/...`, `/health` and `/metrics`, `host:port`.
    pub listen: String,
    /// The lanes attested; all of `[[lanes]]` when absent.
    #[serde(default)]
    pub lanes: Option<Vec<LaneRef>>,
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// Also write every signed checkpoint as a JSON file under this directory.
    #[serde(default)]
    pub publish_dir: Option<PathBuf>,
    /// The first block read; the outbox's instantiation height from the deployment file
    /// when absent.
    #[serde(default)]
    pub start_height: Option<u64>,
}

/// `[relayer]`: what `ccmp relay` runs (the relay service's policies as
/// `ccmp_relayer::service::RelayerConfig` has them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayerSection {
    /// The attesters' endpoints, by source chain. Weights and keys are the inbox's (its
    /// current set is the truth); `pubkey` or `index` pins an endpoint to a set member.
    pub attesters: BTreeMap<String, Vec<AttesterEndpoint>>,
    /// The lanes relayed; all of `[[lanes]]` when absent.
    #[serde(default)]
    pub lanes: Option<Vec<LaneRef>>,
    /// Where `/metrics` and `/health` are served; none when absent.
    #[serde(default)]
    pub metrics_listen: Option<String>,
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    #[serde(default = "default_attester_timeout_ms")]
    pub attester_timeout_ms: u64,
    /// At start, every attester endpoint must answer (else `ccmp relay` exits with the
    /// endpoint named); a later outage only makes a lane wait.
    #[serde(default = "default_true")]
    pub check_attesters_at_start: bool,
    #[serde(default)]
    pub batch: BatchPolicy,
    /// Gas of the relayer's transactions; `max_gas_per_tx` is also bounded by the
    /// destination chain's `max_gas`.
    #[serde(default)]
    pub gas: GasPolicy,
    #[serde(default)]
    pub backoff: BackoffPolicy,
    #[serde(default)]
    pub retry_failed: RetryPolicy,
}

/// `[deploy]`: what `ccmp deploy` deploys on every chain of `[chains]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploySection {
    /// Where `ccmp_outbox.wasm`, `ccmp_inbox.wasm` (and `ccmp_pingpong.wasm`) are.
    pub wasm_dir: PathBuf,
    /// The epoch-1 attester set of each source chain, by chain id (every chain is a source
    /// of the others).
    pub attesters: BTreeMap<String, AttesterSet>,
    /// The inbox's time lock on owner changes.
    #[serde(default)]
    pub trust_delay_seconds: u64,
    /// Also deploy the example dApp (pingpong) and make the chains' instances peers.
    #[serde(default)]
    pub dapp: bool,
    /// Ordered delivery on every lane.
    #[serde(default)]
    pub ordered: bool,
}

impl Config {
    /// Reads, parses and validates `path`; relative paths become relative to its directory.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|err| {
            ConfigError::new(
                format!("{}", path.display()),
                format!("cannot read the configuration: {err}"),
            )
        })?;
        let mut config = Config::parse(&text).map_err(|err| ConfigError {
            field: if err.field == "configuration" {
                path.display().to_string()
            } else {
                err.field
            },
            reason: err.reason,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.resolve_paths(base);
        Ok(config)
    }

    /// Parses and validates TOML text.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|err| toml_error(text, &err))?;
        config.validate()?;
        Ok(config)
    }

    fn resolve_paths(&mut self, base: &Path) {
        let resolve = |path: &mut PathBuf| {
            if path.is_relative() && !path.as_os_str().is_empty() {
                *path = base.join(&*path);
            }
        };
        for chain in self.chains.values_mut() {
            resolve(&mut chain.key_file);
        }
        resolve(&mut self.deployment.file);
        if let Some(attester) = &mut self.attester {
            resolve(&mut attester.key_file);
            resolve(&mut attester.store_dir);
            if let Some(dir) = &mut attester.publish_dir {
                resolve(dir);
            }
        }
        if let Some(deploy) = &mut self.deploy {
            resolve(&mut deploy.wasm_dir);
        }
    }

    /// Every check, first failure first.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check(
            !self.chains.is_empty(),
            "chains",
            "at least one chain is needed",
        )?;
        for (id, chain) in &self.chains {
            chain.validate(id)?;
        }
        check(
            !self.deployment.file.as_os_str().is_empty(),
            "deployment.file",
            "must name a file",
        )?;
        let mut seen = BTreeSet::new();
        for (i, lane) in self.lanes.iter().enumerate() {
            self.check_lane(&format!("lanes[{i}]"), lane)?;
            check(
                seen.insert(lane.clone()),
                format!("lanes[{i}]"),
                format!("lane {lane} is listed twice"),
            )?;
        }
        if let Some(attester) = &self.attester {
            self.validate_attester(attester)?;
        }
        if let Some(relayer) = &self.relayer {
            self.validate_relayer(relayer)?;
        }
        if let Some(deploy) = &self.deploy {
            self.validate_deploy(deploy)?;
        }
        Ok(())
    }

    fn check_lane(&self, at: &str, lane: &LaneRef) -> Result<(), ConfigError> {
        for (name, chain) in [("source", &lane.source), ("destination", &lane.destination)] {
            check(
                self.chains.contains_key(chain),
                format!("{at}.{name}"),
                format!("{chain:?} is not a chain of [chains]"),
            )?;
        }
        check(
            lane.source != lane.destination,
            format!("{at}.destination"),
            "a lane's source and destination must be different chains",
        )
    }

    /// The lanes of a section: its own list, or every lane of `[[lanes]]`.
    fn section_lanes(
        &self,
        section: &str,
        lanes: &Option<Vec<LaneRef>>,
    ) -> Result<Vec<LaneRef>, ConfigError> {
        let field = format!("{section}.lanes");
        let lanes = match lanes {
            Some(lanes) => {
                for (i, lane) in lanes.iter().enumerate() {
                    self.check_lane(&format!("{field}[{i}]"), lane)?;
                }
                lanes.clone()
            }
            None => self.lanes.clone(),
        };
        check(
            !lanes.is_empty(),
            field,
            "no lanes: list them here or in [[lanes]]",
        )?;
        Ok(lanes)
    }

    fn validate_attester(&self, attester: &AttesterSection) -> Result<(), ConfigError> {
        check(
            !attester.key_file.as_os_str().is_empty(),
            "attester.key_file",
            "must name the attester's key file",
        )?;
        check(
            !attester.store_dir.as_os_str().is_empty(),
            "attester.store_dir",
            "must name a directory",
        )?;
        parse_socket("attester.listen", &attester.listen)?;
        self.attester_source()?;
        check(
            (10..=3_600_000).contains(&attester.poll_interval_ms),
            "attester.poll_interval_ms",
            format!(
                "{} is outside 10..=3600000 (10 ms to an hour)",
                attester.poll_interval_ms
            ),
        )?;
        check(
            attester.start_height != Some(0),
            "attester.start_height",
            "blocks start at height 1",
        )
    }

    /// The one source chain the attester attests, and its lanes' destinations.
    pub fn attester_source(&self) -> Result<(String, Vec<String>), ConfigError> {
        let attester = self
            .attester
            .as_ref()
            .ok_or_else(|| ConfigError::new("attester", "no [attester] section"))?;
        let lanes = self.section_lanes("attester", &attester.lanes)?;
        let sources: BTreeSet<&str> = lanes.iter().map(|l| l.source.as_str()).collect();
        check(
            sources.len() == 1,
            "attester.lanes",
            format!(
                "lanes from {} source chains ({}): one attester attests one source chain's \
                 outbox; list this attester's lanes (and run one `ccmp attest` per source)",
                sources.len(),
                sources.into_iter().collect::<Vec<_>>().join(", ")
            ),
        )?;
        let mut destinations = vec![];
        for lane in &lanes {
            if !destinations.contains(&lane.destination) {
                destinations.push(lane.destination.clone());
            }
        }
        Ok((lanes[0].source.clone(), destinations))
    }

    fn validate_relayer(&self, relayer: &RelayerSection) -> Result<(), ConfigError> {
        for chain in relayer.attesters.keys() {
            check(
                self.chains.contains_key(chain),
                format!("relayer.attesters.{chain}"),
                format!("{chain:?} is not a chain of [chains]"),
            )?;
        }
        let lanes = self.section_lanes("relayer", &relayer.lanes)?;
        for lane in &lanes {
            check(
                relayer
                    .attesters
                    .get(&lane.source)
                    .is_some_and(|e| !e.is_empty()),
                format!("relayer.attesters.{}", lane.source),
                format!("no attester endpoints for lane {lane}"),
            )?;
        }
        if let Some(listen) = &relayer.metrics_listen {
            parse_socket("relayer.metrics_listen", listen)?;
        }
        // Everything else as the relay service checks it, with placeholder addresses (the
        // deployment file gives the real ones at start).
        self.relayer_config(relayer, &lanes, None).map(|_| ())
    }

    /// The relay service's configuration: the relayer's lanes with the deployment's
    /// contracts (placeholders without one, for validation).
    fn relayer_config(
        &self,
        relayer: &RelayerSection,
        lanes: &[LaneRef],
        deployment: Option<&Deployment>,
    ) -> Result<RelayerConfig, ConfigError> {
        let mut configs = vec![];
        for lane in lanes {
            let (outbox, inbox, start_height) = match deployment {
                None => ("outbox".to_string(), "inbox".to_string(), 1),
                Some(deployment) => {
                    let source = deployment_chain(deployment, &self.deployment, &lane.source)?;
                    let destination =
                        deployment_chain(deployment, &self.deployment, &lane.destination)?;
                    (
                        source.outbox.address.clone(),
                        destination.inbox.address.clone(),
                        source.outbox.height.max(1),
                    )
                }
            };
            configs.push(LaneConfig {
                source_chain: lane.source.clone(),
                destination_chain: lane.destination.clone(),
                source_outbox: outbox,
                destination_inbox: inbox,
                start_height,
                attesters: relayer
                    .attesters
                    .get(&lane.source)
                    .cloned()
                    .unwrap_or_default(),
            });
        }
        let mut gas = relayer.gas.clone();
        // No transaction above a destination chain's own cap.
        if let Some(max) = lanes
            .iter()
            .filter_map(|l| self.chains.get(&l.destination))
            .map(|c| c.max_gas)
            .min()
        {
            gas.max_gas_per_tx = gas.max_gas_per_tx.min(max);
        }
        let config = RelayerConfig {
            lanes: configs,
            poll_interval_ms: relayer.poll_interval_ms,
            metrics_address: relayer.metrics_listen.clone(),
            attester_timeout_ms: relayer.attester_timeout_ms,
            batch: relayer.batch.clone(),
            gas,
            backoff: relayer.backoff.clone(),
            retry_failed: relayer.retry_failed.clone(),
        };
        config.validate().map_err(|err| relayer_field(err, lanes))?;
        Ok(config)
    }

    /// The relay service's configuration for `ccmp relay`, with the deployment's contracts.
    pub fn relay_service_config(
        &self,
        deployment: &Deployment,
    ) -> Result<RelayerConfig, ConfigError> {
        let relayer = self
            .relayer
            .as_ref()
            .ok_or_else(|| ConfigError::new("relayer", "no [relayer] section"))?;
        let lanes = self.section_lanes("relayer", &relayer.lanes)?;
        self.relayer_config(relayer, &lanes, Some(deployment))
    }

    /// The chains the relayer's lanes touch.
    pub fn relayer_chains(&self) -> Result<Vec<String>, ConfigError> {
        let relayer = self
            .relayer
            .as_ref()
            .ok_or_else(|| ConfigError::new("relayer", "no [relayer] section"))?;
        let lanes = self.section_lanes("relayer", &relayer.lanes)?;
        let chains: BTreeSet<String> = lanes
            .iter()
            .flat_map(|l| [l.source.clone(), l.destination.clone()])
            .collect();
        Ok(chains.into_iter().collect())
    }

    fn validate_deploy(&self, deploy: &DeploySection) -> Result<(), ConfigError> {
        check(
            !deploy.wasm_dir.as_os_str().is_empty(),
            "deploy.wasm_dir",
            "must name the directory of the compiled contracts",
        )?;
        for chain in deploy.attesters.keys() {
            check(
                self.chains.contains_key(chain),
                format!("deploy.attesters.{chain}"),
                format!("{chain:?} is not a chain of [chains]"),
            )?;
        }
        if self.chains.len() > 1 {
            for chain in self.chains.keys() {
                check(
                    deploy.attesters.contains_key(chain),
                    format!("deploy.attesters.{chain}"),
                    "missing: every chain is a source of the others and needs its epoch-1 attester set",
                )?;
            }
        }
        for (chain, set) in &deploy.attesters {
            set.validate(&cosmwasm_std::testing::MockApi::default())
                .map_err(|err| {
                    ConfigError::new(format!("deploy.attesters.{chain}"), err.to_string())
                })?;
        }
        check(
            deploy.trust_delay_seconds <= 365 * 24 * 3600,
            "deploy.trust_delay_seconds",
            format!("{} is more than a year", deploy.trust_delay_seconds),
        )
    }
}

/// A deployment's chain, or an error naming the file.
pub fn deployment_chain<'a>(
    deployment: &'a Deployment,
    section: &DeploymentSection,
    chain: &str,
) -> Result<&'a crate::deploy::ChainDeployment, ConfigError> {
    deployment.chain(chain).ok_or_else(|| {
        ConfigError::new(
            "deployment.file",
            format!(
                "{} has no contracts on {chain:?}: run `ccmp deploy` first",
                section.file.display()
            ),
        )
    })
}

/// A relay-service field (`lanes[i].attesters[j].url`, `gas.multiplier`) as this file
/// names it (`relayer.attesters.<source>[j].url`, `relayer.gas.multiplier`).
fn relayer_field(err: ccmp_relayer::service::ConfigError, lanes: &[LaneRef]) -> ConfigError {
    let lane_field = err
        .field
        .strip_prefix("lanes[")
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(index, tail)| Some((lanes.get(index.parse::<usize>().ok()?)?, tail)));
    match lane_field {
        Some((lane, tail)) => match tail.strip_prefix(".attesters") {
            Some(attesters) => ConfigError::new(
                format!("relayer.attesters.{}{attesters}", lane.source),
                err.reason,
            ),
            None => ConfigError::new(format!("relayer.lanes ({lane}){tail}"), err.reason),
        },
        None => ConfigError::new(format!("relayer.{}", err.field), err.reason),
    }
}

fn parse_socket(field: &str, value: &str) -> Result<SocketAddr, ConfigError> {
    value.trim().parse::<SocketAddr>().map_err(|_| {
        ConfigError::new(
            field,
            format!("{value:?} is not an address and port, e.g. 127.0.0.1:9464"),
        )
    })
}

impl ChainConfig {
    fn validate(&self, id: &str) -> Result<(), ConfigError> {
        let at = |name: &str| format!("chains.{id}.{name}");
        ccmp_types::validate_chain_id("chain id", id)
            .map_err(|err| ConfigError::new(format!("chains.{id}"), err.to_string()))?;
        match reqwest::Url::parse(&self.rpc) {
            Ok(url)
                if matches!(url.scheme(), "http" | "https")
                    && url.host().is_some()
                    && url.query().is_none() =>
            {
                Ok(())
            }
            _ => Err(ConfigError::new(
                at("rpc"),
                format!(
                    "{:?} is not a URL (http:// or https://, e.g. http://127.0.0.1:26657)",
                    self.rpc
                ),
            )),
        }?;
        bech32::Hrp::parse(&self.prefix).map_err(|err| {
            ConfigError::new(
                at("prefix"),
                format!("{:?} is not a bech32 prefix: {err}", self.prefix),
            )
        })?;
        let denom_ok = (3..=128).contains(&self.fee_denom.len())
            && self
                .fee_denom
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
            && self
                .fee_denom
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/:._-".contains(c));
        check(
            denom_ok,
            at("fee_denom"),
            format!(
                "{:?} is not a denom (3 to 128 characters, a letter first, then letters, digits or /:._-)",
                self.fee_denom
            ),
        )?;
        check(
            self.gas_price.is_finite() && self.gas_price >= 0.0 && self.gas_price <= 1e6,
            at("gas_price"),
            format!("must be 0 to 1000000, got {}", self.gas_price),
        )?;
        check(
            self.gas_multiplier.is_finite() && (1.0..=10.0).contains(&self.gas_multiplier),
            at("gas_multiplier"),
            format!("must be 1.0 to 10.0, got {}", self.gas_multiplier),
        )?;
        check(
            self.max_gas >= 200_000,
            at("max_gas"),
            format!("must be at least 200000, got {}", self.max_gas),
        )?;
        check(
            !self.key_file.as_os_str().is_empty(),
            at("key_file"),
            "must name the account's key file",
        )?;
        check(
            (1..=3_600).contains(&self.tx_timeout_seconds),
            at("tx_timeout_seconds"),
            format!("must be 1 to 3600, got {}", self.tx_timeout_seconds),
        )?;
        check(
            (1..=100_000).contains(&self.events_chunk),
            at("events_chunk"),
            format!("must be 1 to 100000, got {}", self.events_chunk),
        )
    }
}

/// A TOML error on one line: where (line, column and the key of that line) and what,
/// without the snippet.
fn toml_error(text: &str, err: &toml::de::Error) -> ConfigError {
    let message = err.message().trim().replace('\n', " ");
    let reason = match err.span() {
        Some(span) => {
            let start = span.start.min(text.len());
            let before = &text[..start];
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let line = before.matches('\n').count() + 1;
            let column = start - line_start + 1;
            let line_text = text[line_start..].lines().next().unwrap_or("");
            let key = line_text.split('=').next().unwrap_or("").trim();
            let at = if key.is_empty() || key.len() > 80 {
                String::new()
            } else {
                format!(" (`{key}`)")
            };
            format!("line {line}, column {column}{at}: {message}")
        }
        None => message,
    };
    ConfigError::new("configuration", reason)
}

#[cfg(test)]
mod tests;
