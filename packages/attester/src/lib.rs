//! # ccmp-attester
//!
//! The attester service: it follows lanes of one source outbox, recomputes every root it
//! signs, keeps what it signed durably, and publishes its signatures where relayers fetch
//! them. The `ccmp attest` command is a thin wrapper over [`start`] / [`run`] and
//! [`sign_rotation`].
//!
//! ## What it does
//!
//! - **Follows lanes** through [`ccmp_chain::ChainClient`] only: the outbox's events
//!   (`contract_events` on the outbox's address, in requests of `blocks_per_request`
//!   blocks, resuming from the last block processed, at most `requests_per_poll` requests
//!   per poll) feed a [`ccmp_relayer::LaneFollower`] per lane, which decodes each message
//!   from its exact bytes, checks its nonce and the root the outbox announced; beside it
//!   the attester recomputes the root at every size ([`lane::LaneTree`]).
//! - **Checks the outbox's stored state** (its `lane` query) before signing: at the last
//!   block processed where the node keeps history, else the latest state. An outbox that
//!   reports `(S, R)` with `S` at most the size read is compared at that prefix, root(S)
//!   = R; one ahead of the events read is compared once they are (the attester keeps that
//!   claim, so a lane that grows every block still gets checkpoints). A mismatch halts the
//!   lane. Only sizes confirmed this way are signed, and only roots the attester
//!   recomputed.
//! - **Refuses to equivocate** ([`store`]): before a signature exists it is checked
//!   against the last `(size, root)` signed on the lane, through the attester's own tree
//!   (a size already signed only with the same root; the last signed root must be the new
//!   history's prefix root at its size), and recorded and fsynced. A refusal is an alarm:
//!   an error log, `ccmp_attester_refusals_total`, the lane halted and `/health` 503.
//! - **Fails closed at start**: if the store says it signed `(s, r)` and the chain's lane
//!   has another root at `s` (or fewer than `s` messages), [`start`] returns an error and
//!   signs nothing.
//! - **Publishes** ([`api`]): `GET /v1/checkpoints/{source}/{destination}/latest` and
//!   `…/{size}` answer a [`api::SignedCheckpoint`] (the last `keep_checkpoints`, 256 by
//!   default, per lane), optionally also written to a directory ([`publish`]); `/health`
//!   and Prometheus `/metrics` ([`metrics`]).
//! - **Signs attester-set hand-overs** on request ([`rotation`]), with the same store.
//!
//! ## The store: an fsynced JSON file, not an embedded database
//!
//! What must survive is small: per lane one `(size, root)`, per hand-over one digest.
//! The store is one JSON file replaced atomically (write a temporary file, fsync it,
//! rename it over the store, fsync the directory) under an exclusive lock on
//! `<store>.lock`, re-read on every operation. redb (3.x builds with this workspace's
//! Rust 1.89) would give transactions too, but for a few hundred bytes a file is enough
//! and has what matters more here: when the attester fails closed, an operator must see
//! exactly what was signed, and a JSON file reads with `cat` and is restored from a backup
//! with `cp`, with no database format or migration between versions to trust. The lock
//! and the re-read let `ccmp attest sign-rotation` use the store while the service runs,
//! and keep two processes started on one store by mistake from signing conflicting
//! checkpoints. Checkpoints kept for relayers are not in the store: signatures are
//! deterministic (RFC 6979, Ed25519), so after a restart the attester signs its current
//! checkpoint again and serves it.
//!
//! ## Running it
//!
//! ```no_run
//! # async fn example(chain: std::sync::Arc<dyn ccmp_chain::ChainClient>) -> Result<(), Box<dyn std::error::Error>> {
//! let config: ccmp_attester::AttesterConfig = toml::from_str(&std::fs::read_to_string("attester.toml")?)?;
//! let shutdown = tokio_util::sync::CancellationToken::new();
//! let handle = ccmp_attester::start(config, chain, shutdown.clone()).await?;
//! println!("serving on {}", handle.local_addr());
//! tokio::signal::ctrl_c().await?;
//! handle.stop().await?;
//! # Ok(()) }
//! ```

pub mod config;
mod fsutil;
mod http;
pub mod key;
pub mod lane;
pub mod metrics;
pub mod publish;
pub mod rotation;
mod service;
pub mod store;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;

/// The HTTP interface's JSON types (defined in `ccmp-signer`, shared with the relayer).
pub use ccmp_signer::api;

pub use config::{AttesterConfig, ConfigError};
pub use http::METRICS_CONTENT_TYPE;
pub use key::{load_key, write_key_file, KeyFile, KeyFileError};
pub use rotation::{sign_rotation, RotationError, RotationRequest};
pub use service::{
    run, start, start_with_key, AttestError, AttesterHandle, ServiceError, StartError,
    STATUS_FAILED, STATUS_OK, STATUS_STOPPED,
};
pub use store::{check_checkpoint, LaneId, PrefixRoots, Recorded, Refusal, Store, StoreError};
