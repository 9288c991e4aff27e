//! The relay service's configuration: serde types (the `ccmp relay` binary reads them from
//! TOML), checked at start with errors naming the field.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use ccmp_types::PubKey;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A configuration value that cannot work, by its path in the configuration (as in TOML:
/// `lanes[0].attesters[1].url`).
#[derive(Error, Debug, Clone, PartialEq, Eq)]
#[error("relayer config `{field}`: {reason}")]
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

/// Everything the relay service needs besides its chain clients.
///
/// ```toml
/// poll_interval_ms = 1000
/// metrics_address = "127.0.0.1:9464"
///
/// [[lanes]]
/// source_chain = "chain-a"
/// destination_chain = "chain-b"
/// source_outbox = "neutron1..."
/// destination_inbox = "osmo1..."
/// [[lanes.attesters]]
/// url = "http://10.0.0.5:8080"
/// pubkey = { ed25519 = "base64 of the 32-byte key" }
/// [[lanes.attesters]]
/// url = "http://10.0.0.6:8080"
/// index = 1
///
/// [gas]
/// multiplier = 1.3
/// max_gas_per_tx = 30000000
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayerConfig {
    pub lanes: Vec<LaneConfig>,
    /// The pause between two iterations of a lane's loop that found nothing more to do
    /// at once (a lane still catching up on events goes on without it).
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// Where `/metrics` and `/health` are served; none when absent.
    #[serde(default)]
    pub metrics_address: Option<String>,
    /// The timeout of one request to an attester.
    #[serde(default = "default_attester_timeout_ms")]
    pub attester_timeout_ms: u64,
    #[serde(default)]
    pub batch: BatchPolicy,
    #[serde(default)]
    pub gas: GasPolicy,
    #[serde(default)]
    pub backoff: BackoffPolicy,
    #[serde(default)]
    pub retry_failed: RetryPolicy,
}

/// One lane: `source_outbox` on `source_chain` → `destination_inbox` on
/// `destination_chain`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaneConfig {
    pub source_chain: String,
    pub destination_chain: String,
    pub source_outbox: String,
    pub destination_inbox: String,
    /// The first source block whose events are read. The relayer rebuilds the lane's tree
    /// from its `ccmp_send` events, so this must be at or before the lane's first send
    /// (the outbox's instantiation height is always safe).
    #[serde(default = "default_start_height")]
    pub start_height: u64,
    /// The attesters to ask for signatures. Their weights are always the inbox's (its
    /// current set is the truth); each is matched to its entry in that set by `pubkey`,
    /// by `index`, or, with neither, by the key it serves.
    pub attesters: Vec<AttesterEndpoint>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttesterEndpoint {
    /// The attester's HTTP base URL (`http://host:port`, no TLS in this build: put a
    /// TLS-terminating proxy on the relayer's side for a remote attester).
    pub url: String,
    /// The key this attester signs with, as the inbox's set lists it. A served signature
    /// under any other key is refused.
    #[serde(default)]
    pub pubkey: Option<PubKey>,
    /// The attester's position in the inbox's current set.
    #[serde(default)]
    pub index: Option<u32>,
}

/// How many messages go in one transaction, and how much each iteration takes on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BatchPolicy {
    /// Messages per `deliver_batch`, also bounded by the inbox's `max_batch_size` and by
    /// [`GasPolicy::max_gas_per_tx`].
    pub max_messages: u32,
    /// Backfilled messages (sent before the relayer started) looked at per iteration,
    /// oldest first.
    pub max_backfill_per_iteration: u32,
    /// Live messages (sent since it started) looked at per iteration, oldest first.
    pub max_live_per_iteration: u32,
    /// Source blocks per `contract_events` request.
    pub event_chunk_blocks: u64,
    /// `contract_events` requests per iteration.
    pub max_event_chunks_per_iteration: u32,
}

impl Default for BatchPolicy {
    fn default() -> Self {
        BatchPolicy {
            max_messages: 100,
            max_backfill_per_iteration: 200,
            max_live_per_iteration: 1_000,
            event_chunk_blocks: 1_000,
            max_event_chunks_per_iteration: 20,
        }
    }
}

/// A transaction's gas limit: simulated × `multiplier` + the batch's receiver gas limits,
/// clamped to `max_gas_per_tx`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GasPolicy {
    pub multiplier: f64,
    /// No transaction asks for more (a batch that would need more is halved).
    pub max_gas_per_tx: u64,
    /// After an out-of-gas failure the same transaction is tried once more with its limit
    /// multiplied by this (clamped to `max_gas_per_tx`).
    pub out_of_gas_multiplier: f64,
}

impl Default for GasPolicy {
    fn default() -> Self {
        GasPolicy {
            multiplier: 1.3,
            max_gas_per_tx: 30_000_000,
            out_of_gas_multiplier: 2.0,
        }
    }
}

/// Retries of transient failures (an unreachable node, a timeout): `initial_ms`, doubling,
/// at most `max_ms` between tries, `max_attempts` tries in all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackoffPolicy {
    pub initial_ms: u64,
    pub max_ms: u64,
    pub max_attempts: u32,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        BackoffPolicy {
            initial_ms: 200,
            max_ms: 10_000,
            max_attempts: 5,
        }
    }
}

/// Whether and how the relayer `retry`s messages the inbox recorded as `failed` (a
/// receiver's error). Off by default: a retry runs the receiver again, which only its
/// owner may know to be useful.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryPolicy {
    pub enabled: bool,
    /// The relayer stops retrying a message once the inbox counts this many dispatch
    /// attempts for it (the first delivery included).
    pub max_attempts: u32,
    /// The least time between the relayer seeing a message failed (or retrying it) and its
    /// next retry.
    pub min_interval_ms: u64,
    /// The receiver's gas limit for a retry; the source's `receive_gas_limit` when absent.
    pub gas_limit: Option<u64>,
    /// Retries per iteration.
    pub max_per_iteration: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            enabled: false,
            max_attempts: 3,
            min_interval_ms: 60_000,
            gas_limit: None,
            max_per_iteration: 10,
        }
    }
}

fn default_poll_interval_ms() -> u64 {
    1_000
}

fn default_attester_timeout_ms() -> u64 {
    3_000
}

fn default_start_height() -> u64 {
    1
}

/// The inbox refuses receiver gas limits under this, so a retry's limit must reach it.
const MIN_RECEIVE_GAS_LIMIT: u64 = 100_000;
const MAX_BATCH_MESSAGES: u32 = 1_000;
const MAX_POLL_INTERVAL_MS: u64 = 3_600_000;

fn check(ok: bool, field: impl Into<String>, reason: impl Into<String>) -> Result<(), ConfigError> {
    if ok {
        Ok(())
    } else {
        Err(ConfigError::new(field, reason))
    }
}

impl RelayerConfig {
    /// Parses TOML and validates it.
    pub fn from_toml(text: &str) -> Result<RelayerConfig, ConfigError> {
        let config: RelayerConfig = toml::from_str(text).map_err(|err| {
            ConfigError::new("(toml)", err.to_string().trim_end().replace('\n', " | "))
        })?;
        config.validate()?;
        Ok(config)
    }

    pub fn to_toml(&self) -> Result<String, ConfigError> {
        toml::to_string(self).map_err(|err| ConfigError::new("(toml)", err.to_string()))
    }

    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms)
    }

    pub fn attester_timeout(&self) -> Duration {
        Duration::from_millis(self.attester_timeout_ms)
    }

    /// The metrics address, parsed (validated by [`RelayerConfig::validate`]).
    pub fn metrics_socket(&self) -> Result<Option<SocketAddr>, ConfigError> {
        self.metrics_address
            .as_deref()
            .map(|address| {
                address.trim().parse::<SocketAddr>().map_err(|err| {
                    ConfigError::new(
                        "metrics_address",
                        format!("{address:?} is not an ip:port address: {err}"),
                    )
                })
            })
            .transpose()
    }

    /// Every check, first failure first.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check(
            !self.lanes.is_empty(),
            "lanes",
            "at least one lane is needed",
        )?;
        let mut lanes = BTreeSet::new();
        for (i, lane) in self.lanes.iter().enumerate() {
            lane.validate(&format!("lanes[{i}]"))?;
            check(
                lanes.insert((lane.source_chain.clone(), lane.destination_chain.clone())),
                format!("lanes[{i}]"),
                format!(
                    "lane {} -> {} is configured twice",
                    lane.source_chain, lane.destination_chain
                ),
            )?;
        }
        check(
            (1..=MAX_POLL_INTERVAL_MS).contains(&self.poll_interval_ms),
            "poll_interval_ms",
            format!(
                "must be 1 to {MAX_POLL_INTERVAL_MS}, got {}",
                self.poll_interval_ms
            ),
        )?;
        check(
            (1..=600_000).contains(&self.attester_timeout_ms),
            "attester_timeout_ms",
            format!("must be 1 to 600000, got {}", self.attester_timeout_ms),
        )?;
        self.metrics_socket()?;
        self.batch.validate()?;
        self.gas.validate()?;
        self.backoff.validate()?;
        self.retry_failed.validate()
    }
}

impl LaneConfig {
    fn validate(&self, at: &str) -> Result<(), ConfigError> {
        for (name, value) in [
            ("source_chain", &self.source_chain),
            ("destination_chain", &self.destination_chain),
        ] {
            ccmp_types::validate_chain_id(name, value)
                .map_err(|err| ConfigError::new(format!("{at}.{name}"), err.to_string()))?;
        }
        check(
            self.source_chain != self.destination_chain,
            format!("{at}.destination_chain"),
            "a lane's source and destination must be different chains",
        )?;
        for (name, value) in [
            ("source_outbox", &self.source_outbox),
            ("destination_inbox", &self.destination_inbox),
        ] {
            check(
                !value.trim().is_empty() && value.trim() == value,
                format!("{at}.{name}"),
                "must be a contract address (non-empty, no surrounding whitespace)",
            )?;
        }
        check(
            self.start_height >= 1,
            format!("{at}.start_height"),
            "heights start at 1",
        )?;
        check(
            !self.attesters.is_empty(),
            format!("{at}.attesters"),
            "at least one attester endpoint is needed",
        )?;
        let mut urls = BTreeSet::new();
        let mut indices = BTreeSet::new();
        for (j, attester) in self.attesters.iter().enumerate() {
            let field = format!("{at}.attesters[{j}]");
            attester.validate(&field)?;
            check(
                urls.insert(attester.url.trim_end_matches('/').to_string()),
                format!("{field}.url"),
                format!("{} is listed twice", attester.url),
            )?;
            if let Some(index) = attester.index {
                check(
                    indices.insert(index),
                    format!("{field}.index"),
                    format!("index {index} is listed twice"),
                )?;
            }
        }
        Ok(())
    }
}

impl AttesterEndpoint {
    fn validate(&self, at: &str) -> Result<(), ConfigError> {
        let url = reqwest::Url::parse(&self.url).map_err(|err| {
            ConfigError::new(format!("{at}.url"), format!("{:?}: {err}", self.url))
        })?;
        check(
            url.scheme() == "http",
            format!("{at}.url"),
            format!(
                "{:?}: only http:// is supported (this build has no TLS; use a local TLS proxy)",
                self.url
            ),
        )?;
        check(
            url.host().is_some() && url.query().is_none() && url.fragment().is_none(),
            format!("{at}.url"),
            format!(
                "{:?} must be a base URL: scheme, host, port and path only",
                self.url
            ),
        )?;
        if let Some(pubkey) = &self.pubkey {
            let (len, ok): (usize, &[usize]) = match pubkey {
                PubKey::Secp256k1(key) => (key.len(), &[33, 65]),
                PubKey::Ed25519(key) => (key.len(), &[32]),
            };
            check(
                ok.contains(&len),
                format!("{at}.pubkey"),
                format!(
                    "a {} key is {} bytes, got {len}",
                    pubkey.key_type_name(),
                    ok.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            )?;
        }
        Ok(())
    }
}

impl BatchPolicy {
    fn validate(&self) -> Result<(), ConfigError> {
        check(
            (1..=MAX_BATCH_MESSAGES).contains(&self.max_messages),
            "batch.max_messages",
            format!(
                "must be 1 to {MAX_BATCH_MESSAGES}, got {}",
                self.max_messages
            ),
        )?;
        for (name, value) in [
            (
                "max_backfill_per_iteration",
                self.max_backfill_per_iteration,
            ),
            ("max_live_per_iteration", self.max_live_per_iteration),
            (
                "max_event_chunks_per_iteration",
                self.max_event_chunks_per_iteration,
            ),
        ] {
            check(
                (1..=1_000_000).contains(&value),
                format!("batch.{name}"),
                format!("must be 1 to 1000000, got {value}"),
            )?;
        }
        check(
            (1..=1_000_000).contains(&self.event_chunk_blocks),
            "batch.event_chunk_blocks",
            format!("must be 1 to 1000000, got {}", self.event_chunk_blocks),
        )
    }
}

impl GasPolicy {
    fn validate(&self) -> Result<(), ConfigError> {
        check(
            self.multiplier.is_finite() && (1.0..=10.0).contains(&self.multiplier),
            "gas.multiplier",
            format!("must be 1.0 to 10.0, got {}", self.multiplier),
        )?;
        check(
            self.out_of_gas_multiplier.is_finite()
                && self.out_of_gas_multiplier > 1.0
                && self.out_of_gas_multiplier <= 10.0,
            "gas.out_of_gas_multiplier",
            format!(
                "must be above 1.0, at most 10.0, got {}",
                self.out_of_gas_multiplier
            ),
        )?;
        check(
            self.max_gas_per_tx >= 200_000,
            "gas.max_gas_per_tx",
            format!("must be at least 200000, got {}", self.max_gas_per_tx),
        )
    }
}

impl BackoffPolicy {
    fn validate(&self) -> Result<(), ConfigError> {
        check(
            self.initial_ms >= 1,
            "backoff.initial_ms",
            "must be at least 1",
        )?;
        check(
            self.max_ms >= self.initial_ms && self.max_ms <= 600_000,
            "backoff.max_ms",
            format!(
                "must be initial_ms ({}) to 600000, got {}",
                self.initial_ms, self.max_ms
            ),
        )?;
        check(
            (1..=20).contains(&self.max_attempts),
            "backoff.max_attempts",
            format!("must be 1 to 20, got {}", self.max_attempts),
        )
    }
}

impl RetryPolicy {
    fn validate(&self) -> Result<(), ConfigError> {
        check(
            (2..=100).contains(&self.max_attempts),
            "retry_failed.max_attempts",
            format!(
                "must be 2 to 100 (the first delivery counts as one), got {}",
                self.max_attempts
            ),
        )?;
        check(
            (1..=1_000).contains(&self.max_per_iteration),
            "retry_failed.max_per_iteration",
            format!("must be 1 to 1000, got {}", self.max_per_iteration),
        )?;
        if let Some(gas_limit) = self.gas_limit {
            check(
                gas_limit >= MIN_RECEIVE_GAS_LIMIT,
                "retry_failed.gas_limit",
                format!("must be at least {MIN_RECEIVE_GAS_LIMIT} (the inbox's minimum), got {gas_limit}"),
            )?;
        }
        Ok(())
    }

    pub fn min_interval(&self) -> Duration {
        Duration::from_millis(self.min_interval_ms)
    }
}
