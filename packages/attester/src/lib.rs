//! # ccmp-attester
//!
//! The attester service (in progress): its configuration ([`config`]), key file
//! ([`key`]), the durable record of what it signed and the refusal rules ([`store`]), a
//! lane's tree rebuilt from the outbox's events ([`lane`]) and the signing of attester-set
//! hand-overs ([`rotation`]). The HTTP JSON types are [`api`].
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

pub mod config;
mod fsutil;
pub mod key;
pub mod lane;
pub mod rotation;
pub mod store;

/// The HTTP interface's JSON types (defined in `ccmp-signer`, shared with the relayer).
pub use ccmp_signer::api;

pub use config::{AttesterConfig, ConfigError};
pub use key::{load_key, write_key_file, KeyFile, KeyFileError};
pub use rotation::{sign_rotation, RotationError, RotationRequest};
pub use store::{check_checkpoint, LaneId, PrefixRoots, Recorded, Refusal, Store, StoreError};
