//! The attester's configuration: what the `ccmp attest` binary reads from its TOML file
//! (the chain itself is not here: the binary builds a [`ccmp_chain::ChainClient`] from its
//! own chain section and passes it in).
//!
//! ```toml
//! outbox = "neutron1…"
//! source_chain = "chain-a"          # optional: the outbox's chain id, checked at start
//! lanes = ["chain-b", "chain-c"]
//! poll_interval_ms = 1000
//! store_path = "/var/lib/ccmp/attester/store.json"
//! listen = "127.0.0.1:9464"
//! key_path = "/etc/ccmp/attester-key.json"
//! publish_dir = "/var/lib/ccmp/attester/published"   # optional
//! start_height = 1                  # optional: the outbox's instantiation height
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;

use ccmp_types::validate_chain_id;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The default pause between two polls of the chain.
pub const DEFAULT_POLL_INTERVAL_MS: u64 = 1_000;
/// The default number of blocks asked for in one `contract_events` request.
pub const DEFAULT_BLOCKS_PER_REQUEST: u64 = 1_000;
/// The default number of `contract_events` requests in one poll (the poll's bound).
pub const DEFAULT_REQUESTS_PER_POLL: u32 = 20;
/// The default number of signed checkpoints kept per lane for relayers to fetch.
pub const DEFAULT_KEEP_CHECKPOINTS: usize = 256;
/// An outbox has at most this many destinations.
pub const MAX_LANES: usize = 100;

/// A configuration field that is not acceptable, named as in the TOML file.
#[derive(Error, Debug, Clone, PartialEq, Eq)]
#[error("config field `{field}`: {reason}")]
pub struct ConfigError {
    pub field: &'static str,
    pub reason: String,
}

impl ConfigError {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        ConfigError {
            field,
            reason: reason.into(),
        }
    }
}

fn default_poll_interval_ms() -> u64 {
    DEFAULT_POLL_INTERVAL_MS
}
fn default_start_height() -> u64 {
    1
}
fn default_blocks_per_request() -> u64 {
    DEFAULT_BLOCKS_PER_REQUEST
}
fn default_requests_per_poll() -> u32 {
    DEFAULT_REQUESTS_PER_POLL
}
fn default_keep_checkpoints() -> usize {
    DEFAULT_KEEP_CHECKPOINTS
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttesterConfig {
    /// The source outbox's address.
    pub outbox: String,
    /// The outbox's chain id as its messages carry it; checked against the outbox's
    /// `config` at start when given. The attester always uses the outbox's own.
    #[serde(default)]
    pub source_chain: Option<String>,
    /// The lanes followed, by destination chain id.
    pub lanes: Vec<String>,
    #[serde(default = "default_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// The file that records, durably, what this attester signed.
    pub store_path: PathBuf,
    /// Where the HTTP server listens, `host:port` (port 0 picks a free one).
    pub listen: String,
    /// The attester's key file ([`crate::key`]).
    pub key_path: PathBuf,
    /// If set, every signed checkpoint is also written here as JSON, one file per lane
    /// and size (`<dir>/<source>/<destination>/<size>.json`, and `latest.json`).
    #[serde(default)]
    pub publish_dir: Option<PathBuf>,
    /// The first block read for `ccmp_send` events: the outbox's instantiation height or
    /// earlier.
    #[serde(default = "default_start_height")]
    pub start_height: u64,
    #[serde(default = "default_blocks_per_request")]
    pub blocks_per_request: u64,
    #[serde(default = "default_requests_per_poll")]
    pub requests_per_poll: u32,
    /// Signed checkpoints kept per lane for relayers (older ones are dropped).
    #[serde(default = "default_keep_checkpoints")]
    pub keep_checkpoints: usize,
}

impl AttesterConfig {
    /// A configuration with every optional field at its default.
    pub fn new(
        outbox: impl Into<String>,
        lanes: Vec<String>,
        store_path: impl Into<PathBuf>,
        listen: impl Into<String>,
        key_path: impl Into<PathBuf>,
    ) -> Self {
        AttesterConfig {
            outbox: outbox.into(),
            source_chain: None,
            lanes,
            poll_interval_ms: DEFAULT_POLL_INTERVAL_MS,
            store_path: store_path.into(),
            listen: listen.into(),
            key_path: key_path.into(),
            publish_dir: None,
            start_height: 1,
            blocks_per_request: DEFAULT_BLOCKS_PER_REQUEST,
            requests_per_poll: DEFAULT_REQUESTS_PER_POLL,
            keep_checkpoints: DEFAULT_KEEP_CHECKPOINTS,
        }
    }

    /// Checks every field; the first one wrong is named in the error.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.outbox.is_empty() {
            return Err(ConfigError::new("outbox", "must not be empty"));
        }
        if self
            .outbox
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(ConfigError::new(
                "outbox",
                format!(
                    "{:?} contains whitespace or control characters",
                    self.outbox
                ),
            ));
        }
        if let Some(source_chain) = &self.source_chain {
            validate_chain_id("source_chain", source_chain)
                .map_err(|e| ConfigError::new("source_chain", e.to_string()))?;
        }
        if self.lanes.is_empty() {
            return Err(ConfigError::new(
                "lanes",
                "must name at least one destination chain",
            ));
        }
        if self.lanes.len() > MAX_LANES {
            return Err(ConfigError::new(
                "lanes",
                format!("{} lanes, at most {MAX_LANES}", self.lanes.len()),
            ));
        }
        for (index, lane) in self.lanes.iter().enumerate() {
            validate_chain_id("lanes", lane)
                .map_err(|e| ConfigError::new("lanes", e.to_string()))?;
            if self.lanes[..index].contains(lane) {
                return Err(ConfigError::new(
                    "lanes",
                    format!("{lane:?} is listed twice"),
                ));
            }
        }
        if !(10..=3_600_000).contains(&self.poll_interval_ms) {
            return Err(ConfigError::new(
                "poll_interval_ms",
                format!(
                    "{} is outside 10..=3600000 (10 ms to an hour)",
                    self.poll_interval_ms
                ),
            ));
        }
        if self.store_path.as_os_str().is_empty() {
            return Err(ConfigError::new("store_path", "must not be empty"));
        }
        if self.store_path.file_name().is_none() {
            return Err(ConfigError::new(
                "store_path",
                format!("{} does not name a file", self.store_path.display()),
            ));
        }
        self.listen_addr()?;
        if self.key_path.as_os_str().is_empty() {
            return Err(ConfigError::new("key_path", "must not be empty"));
        }
        if let Some(dir) = &self.publish_dir {
            if dir.as_os_str().is_empty() {
                return Err(ConfigError::new(
                    "publish_dir",
                    "must not be empty (leave it out to publish over HTTP only)",
                ));
            }
        }
        if self.start_height == 0 {
            return Err(ConfigError::new("start_height", "blocks start at height 1"));
        }
        if !(1..=100_000).contains(&self.blocks_per_request) {
            return Err(ConfigError::new(
                "blocks_per_request",
                format!("{} is outside 1..=100000", self.blocks_per_request),
            ));
        }
        if !(1..=10_000).contains(&self.requests_per_poll) {
            return Err(ConfigError::new(
                "requests_per_poll",
                format!("{} is outside 1..=10000", self.requests_per_poll),
            ));
        }
        if !(1..=65_536).contains(&self.keep_checkpoints) {
            return Err(ConfigError::new(
                "keep_checkpoints",
                format!("{} is outside 1..=65536", self.keep_checkpoints),
            ));
        }
        Ok(())
    }

    /// `listen` as a socket address.
    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.listen.parse().map_err(|_| {
            ConfigError::new(
                "listen",
                format!(
                    "{:?} is not an address and port, e.g. 127.0.0.1:9464",
                    self.listen
                ),
            )
        })
    }

    pub fn poll_interval(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.poll_interval_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> AttesterConfig {
        AttesterConfig::new(
            "outbox1",
            vec!["chain-b".into(), "chain-c".into()],
            "/tmp/store.json",
            "127.0.0.1:0",
            "/tmp/key.json",
        )
    }

    #[test]
    fn reads_toml_with_defaults_and_refuses_unknown_fields() {
        let text = r#"
            outbox = "outbox1"
            lanes = ["chain-b", "chain-c"]
            store_path = "/tmp/store.json"
            listen = "127.0.0.1:0"
            key_path = "/tmp/key.json"
        "#;
        let config: AttesterConfig = toml::from_str(text).unwrap();
        assert_eq!(config, valid());
        config.validate().unwrap();
        let full = format!(
            "{text}\nsource_chain = \"chain-a\"\npoll_interval_ms = 50\npublish_dir = \"/tmp/p\"\nstart_height = 7\nblocks_per_request = 10\nrequests_per_poll = 3\nkeep_checkpoints = 4\n"
        );
        let config: AttesterConfig = toml::from_str(&full).unwrap();
        assert_eq!(config.source_chain.as_deref(), Some("chain-a"));
        assert_eq!(config.poll_interval(), std::time::Duration::from_millis(50));
        assert_eq!(config.publish_dir, Some(PathBuf::from("/tmp/p")));
        assert_eq!(
            (
                config.start_height,
                config.blocks_per_request,
                config.requests_per_poll,
                config.keep_checkpoints
            ),
            (7, 10, 3, 4)
        );
        config.validate().unwrap();
        let unknown = format!("{text}\npoll_intervall_ms = 5\n");
        let err = toml::from_str::<AttesterConfig>(&unknown).unwrap_err();
        assert!(err.to_string().contains("poll_intervall_ms"), "{err}");
    }

    #[test]
    fn every_invalid_field_is_named() {
        type Edit = fn(&mut AttesterConfig);
        let cases: Vec<(&str, Edit)> = vec![
            ("outbox", |c| c.outbox.clear()),
            ("outbox", |c| c.outbox = "out box".into()),
            ("source_chain", |c| c.source_chain = Some("chain a".into())),
            ("source_chain", |c| c.source_chain = Some(String::new())),
            ("lanes", |c| c.lanes.clear()),
            ("lanes", |c| {
                c.lanes = vec!["chain-b".into(), "chain-b".into()]
            }),
            ("lanes", |c| c.lanes = vec!["x".repeat(65)]),
            ("lanes", |c| {
                c.lanes = (0..101).map(|n| format!("c{n}")).collect()
            }),
            ("poll_interval_ms", |c| c.poll_interval_ms = 0),
            ("poll_interval_ms", |c| c.poll_interval_ms = 3_600_001),
            ("store_path", |c| c.store_path = PathBuf::new()),
            ("store_path", |c| c.store_path = PathBuf::from("/")),
            ("listen", |c| c.listen = "localhost".into()),
            ("listen", |c| c.listen = "127.0.0.1:99999".into()),
            ("key_path", |c| c.key_path = PathBuf::new()),
            ("publish_dir", |c| c.publish_dir = Some(PathBuf::new())),
            ("start_height", |c| c.start_height = 0),
            ("blocks_per_request", |c| c.blocks_per_request = 0),
            ("requests_per_poll", |c| c.requests_per_poll = 0),
            ("keep_checkpoints", |c| c.keep_checkpoints = 0),
        ];
        for (field, edit) in cases {
            let mut config = valid();
            edit(&mut config);
            let err = config.validate().unwrap_err();
            assert_eq!(err.field, field, "{err}");
            assert!(
                err.to_string()
                    .starts_with(&format!("config field `{field}`: ")),
                "{err}"
            );
        }
    }
}
