//! The `ccmp` program's library: what its commands do, so that tests and the benchmark run
//! exactly the code the binary runs.
//!
//! The operator and service commands read one TOML file ([`config`]), reach chains through
//! [`connect`] (the one seam to a node's RPC) and otherwise take `Arc<dyn ChainClient>`s,
//! so tests drive them over embedded chains: [`deploy::run_config`], [`status::run`],
//! [`attest::run`], [`relay::run`].

pub mod attest;
pub mod config;
pub mod connect;
pub mod demo;
pub mod deploy;
pub mod inspect;
pub mod keys;
pub mod logging;
pub mod relay;
pub mod signal;
pub mod status;
