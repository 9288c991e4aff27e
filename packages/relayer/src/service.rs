//! The relay service: one tokio task per configured lane carries an outbox's messages to
//! an inbox on another chain, through two [`ChainClient`]s, until a shutdown signal.
//!
//! Per lane, every iteration of its loop (each bounded; see [`BatchPolicy`]):
//!
//! 1. **Follow** the source lane from the outbox's `wasm-ccmp_send` events, in chunks of
//!    blocks ([`LaneFollower`](crate::LaneFollower) checks every announced root).
//! 2. **Read the inbox's view** (`source { chain }`): its current attester set, epoch,
//!    latest checkpoint and freeze. A frozen source stops delivery (and is reported); an
//!    inbox checkpoint whose root is not the lane's is reported as an equivocation when
//!    the relayer can prove it, and stops delivery otherwise.
//! 3. **Checkpoint** when messages wait beyond the inbox's latest checkpoint: fetch
//!    signed checkpoints from the configured attesters over HTTP
//!    ([`ccmp_signer::api::SignedCheckpoint`]), check each signature against that
//!    attester's key in the inbox's set over the digest the relayer computes itself
//!    (a bad one is dropped and counted, never submitted), and submit `submit_checkpoint`
//!    with the consistency proof from the inbox's latest checkpoint once the signers'
//!    weight reaches the threshold. Below it the lane waits for attesters (and delivers
//!    what the existing checkpoint covers).
//! 4. **Deliver** what the inbox has not processed: the inbox's `message_status` (or, on an
//!    ordered source, its `next_nonce`) is the truth, so a restart or another relayer
//!    changes nothing. Pending nonces come from two sources ([`PendingTracker`]): *live*
//!    messages (seen after the relayer started) and *backfill* (the lane's messages from
//!    before it started, scanned oldest-first, at most
//!    [`BatchPolicy::max_backfill_per_iteration`] per iteration, so a long backlog never
//!    starves live traffic). Batches go out as `deliver_batch` with one §8 multiproof
//!    (`deliver` for a lone message), sized by simulation ([`fit_batch`]).
//! 5. **Retry** `failed` messages through the inbox's `retry`, if the policy allows
//!    ([`RetryPolicy`], off by default).
//!
//! Errors are classified ([`classify`]) rather than retried blindly: transient ones with a
//! bounded exponential [`Backoff`], out of gas once with a bigger limit, a frozen source
//! stops the lane's deliveries ([`LaneState::Frozen`], a metric and a log), a bad proof or
//! an unknown checkpoint resyncs from chain state on the next iteration, and a message
//! whose delivery keeps failing is isolated (delivered alone, then skipped for a while and
//! counted) so it never blocks the lane.
//!
//! [`RelayerHandle`] is what a caller holds: every lane's [`LaneStatus`], the metrics
//! (`/metrics`, Prometheus text, and `/health` over HTTP when `metrics_address` is set),
//! shutdown and abort.

mod attesters;
mod backoff;
mod batch;
mod classify;
mod config;
mod lane;
mod metrics;
mod pending;
mod runner;

pub use attesters::{
    check_signed, AttesterClient, CollectReport, Collected, EndpointProblem, ProblemKind,
};
pub use backoff::Backoff;
pub use batch::{
    delivery_msg, fit_batch, gas_limit, max_batch_by_receivers, BuildError, SizedBatch,
    SizingFailure,
};
pub use classify::{classify, classify_log, ErrorClass};
pub use config::{
    AttesterEndpoint, BackoffPolicy, BatchPolicy, ConfigError, GasPolicy, LaneConfig,
    RelayerConfig, RetryPolicy,
};
pub use lane::{LaneError, LaneState, LaneStatus, LaneWorker, StepReport};
pub use metrics::Metrics;
pub use pending::{Candidates, PendingTracker};
pub use runner::{run, start, Health, RelayerHandle, ServiceError};

pub use ccmp_chain::ChainClient;
