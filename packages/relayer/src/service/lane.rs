//! One lane's relaying: [`LaneWorker::step`] is one bounded iteration (follow, read the
//! inbox, checkpoint, deliver, retry); the runner calls it in a loop.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ccmp_chain::{query, ChainClient, ChainError, Execute, TxResult};
use ccmp_inbox::msg::{
    ConfigResponse, ExecuteMsg as InboxExecuteMsg, QueryMsg as InboxQuery, SourceResponse,
};
use ccmp_outbox::msg::{LaneResponse, QueryMsg as OutboxQuery};
use ccmp_types::{MerkleError, MessageStatus, MessageStatusResponse};
use cosmwasm_std::HexBinary;
use serde::Serialize;
use thiserror::Error;

use super::attesters::{AttesterClient, ProblemKind};
use super::backoff::Backoff;
use super::batch::{delivery_msg, fit_batch, gas_limit, BuildError};
use super::classify::{classify, ErrorClass};
use super::config::{BatchPolicy, GasPolicy, LaneConfig, RelayerConfig, RetryPolicy};
use super::metrics::{lane_labels, AttesterLabels, ClassLabels, KindLabels, LaneLabels, Metrics};
use super::pending::PendingTracker;
use crate::{LaneFollower, RelayError};

/// The inbox's per-message event, as the chain emits it.
const DELIVER_EVENT: &str = "wasm-ccmp_deliver";
/// Rewinds in a row, without the lane growing, before a gap in the events halts the lane.
const MAX_GAP_REWINDS: u32 = 10;
/// The longest a message that fails alone is set aside.
const MAX_ISOLATION: Duration = Duration::from_secs(600);

/// Where a lane stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LaneState {
    /// Not yet through its first iteration.
    Starting,
    Running,
    /// The valid signatures the configured attesters serve weigh less than the threshold
    /// of the inbox's current set: no new checkpoint until they do (what the existing
    /// checkpoint covers is still delivered).
    WaitingForAttesters {
        weight: u64,
        threshold: u64,
    },
    /// The inbox froze the source: nothing is delivered until its owner unfreezes it.
    Frozen {
        reason: String,
    },
    /// The inbox's checkpoint at `size` has a root that is not the source lane's: the
    /// relayer reports the equivocation when it can prove it and delivers nothing.
    Diverged {
        size: u64,
        inbox_root: String,
        lane_root: String,
    },
    /// A problem the lane cannot get past by itself (a wrong outbox, a source whose events
    /// contradict its roots): the lane's loop stopped.
    Halted {
        reason: String,
    },
    /// Shut down.
    Stopped,
}

/// What a caller can read about a lane (also served by `/health`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LaneStatus {
    pub source_chain: String,
    pub destination_chain: String,
    pub state: LaneState,
    /// The next source block to read.
    pub next_height: u64,
    /// Messages followed on the source lane.
    pub source_size: u64,
    /// The inbox's latest checkpoint size.
    pub checkpoint_size: u64,
    /// Messages not known to be processed by the inbox.
    pub pending: u64,
    /// Messages whose bytes this process holds: not known to be processed, or failed and
    /// waiting for a retry (the others are kept as their ids only).
    pub held: u64,
    /// This process's counts.
    pub delivered: u64,
    pub failed: u64,
    pub timed_out: u64,
    pub skipped: u64,
    pub isolated: u64,
    pub retried: u64,
    pub checkpoints: u64,
    pub bad_signatures: u64,
    /// Iterations completed (with or without an error).
    pub iterations: u64,
    pub last_error: Option<String>,
}

impl LaneStatus {
    fn new(config: &LaneConfig) -> Self {
        LaneStatus {
            source_chain: config.source_chain.clone(),
            destination_chain: config.destination_chain.clone(),
            state: LaneState::Starting,
            next_height: config.start_height,
            source_size: 0,
            checkpoint_size: 0,
            pending: 0,
            held: 0,
            delivered: 0,
            failed: 0,
            timed_out: 0,
            skipped: 0,
            isolated: 0,
            retried: 0,
            checkpoints: 0,
            bad_signatures: 0,
            iterations: 0,
            last_error: None,
        }
    }
}

/// What one iteration did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepReport {
    /// The source has blocks the lane has not read yet: the next iteration should come at
    /// once.
    pub behind: bool,
    pub observed: u64,
    /// The size of a checkpoint this iteration stored.
    pub checkpoint: Option<u64>,
    pub delivered: u64,
    pub failed: u64,
    pub timed_out: u64,
    pub skipped: u64,
    /// Messages set aside this round (delivering them alone failed).
    pub isolated: Vec<u64>,
    pub retried: u64,
    /// Transactions sent.
    pub transactions: u64,
}

/// Why an iteration stopped early. The next iteration starts from chain state again.
#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum LaneError {
    #[error("{context}: {error}")]
    Chain {
        context: String,
        class: ErrorClass,
        error: ChainError,
    },
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error("halted: {0}")]
    Halt(String),
}

impl LaneError {
    pub fn class(&self) -> ErrorClass {
        match self {
            LaneError::Chain { class, .. } => *class,
            LaneError::Build(_) | LaneError::Halt(_) => ErrorClass::Other,
        }
    }

    fn chain(context: impl Into<String>, error: ChainError) -> Self {
        LaneError::Chain {
            context: context.into(),
            class: classify(&error),
            error,
        }
    }
}

impl From<MerkleError> for LaneError {
    fn from(err: MerkleError) -> Self {
        LaneError::Build(BuildError::Relay(RelayError::Merkle(err)))
    }
}

impl From<RelayError> for LaneError {
    fn from(err: RelayError) -> Self {
        LaneError::Build(BuildError::Relay(err))
    }
}

struct Isolated {
    failures: u32,
    until: Instant,
}

struct FailedEntry {
    attempts: u32,
    next_at: Instant,
}

/// A batch that did not go through: its first `len` messages failed with `error`.
struct BatchFailure {
    len: usize,
    class: ErrorClass,
    error: LaneError,
}

/// One lane's state and clients.
pub struct LaneWorker {
    config: LaneConfig,
    batch: BatchPolicy,
    gas: GasPolicy,
    retry: RetryPolicy,
    backoff: Backoff,
    poll_interval: Duration,
    source: Arc<dyn ChainClient>,
    destination: Arc<dyn ChainClient>,
    attesters: AttesterClient,
    metrics: Arc<Metrics>,
    labels: LaneLabels,
    follower: LaneFollower,
    next_height: u64,
    /// The height of the last `ccmp_send` of this lane taken in.
    last_event_height: Option<u64>,
    /// The outbox's lane size and the source's height just after it was read: once the
    /// lane has read past that height, it must have seen that many messages.
    probe: Option<(u64, u64)>,
    /// Rewinds after a gap in the events since the lane last grew.
    gap_rewinds: u32,
    tracker: Option<PendingTracker>,
    inbox_max_batch: Option<u32>,
    isolated: HashMap<u64, Isolated>,
    failed: BTreeMap<u64, FailedEntry>,
    status: LaneStatus,
}

impl LaneWorker {
    /// The worker of `config.lanes[lane]`, reaching the source and destination chains
    /// through the two clients.
    pub fn new(
        config: &RelayerConfig,
        lane: usize,
        source: Arc<dyn ChainClient>,
        destination: Arc<dyn ChainClient>,
        metrics: Arc<Metrics>,
    ) -> Result<LaneWorker, String> {
        let lane_config = config
            .lanes
            .get(lane)
            .ok_or_else(|| format!("no lane {lane}"))?
            .clone();
        let attesters =
            AttesterClient::new(lane_config.attesters.clone(), config.attester_timeout())?;
        let labels = lane_labels(&lane_config.source_chain, &lane_config.destination_chain);
        Ok(LaneWorker {
            follower: LaneFollower::new(
                lane_config.source_chain.clone(),
                lane_config.destination_chain.clone(),
            ),
            next_height: lane_config.start_height,
            last_event_height: None,
            probe: None,
            gap_rewinds: 0,
            status: LaneStatus::new(&lane_config),
            config: lane_config,
            batch: config.batch.clone(),
            gas: config.gas.clone(),
            retry: config.retry_failed.clone(),
            backoff: Backoff::from(&config.backoff),
            poll_interval: config.poll_interval(),
            source,
            destination,
            attesters,
            metrics,
            labels,
            tracker: None,
            inbox_max_batch: None,
            isolated: HashMap::new(),
            failed: BTreeMap::new(),
        })
    }

    pub fn status(&self) -> &LaneStatus {
        &self.status
    }

    pub fn follower(&self) -> &LaneFollower {
        &self.follower
    }

    pub(crate) fn backoff(&self) -> Backoff {
        self.backoff
    }

    pub(crate) fn set_state(&mut self, state: LaneState) {
        self.status.state = state;
    }

    fn count_error(&self, class: ErrorClass) {
        self.metrics
            .errors
            .get_or_create(&ClassLabels {
                source: self.labels.source.clone(),
                destination: self.labels.destination.clone(),
                class: class.as_str().to_string(),
            })
            .inc();
    }

    /// Records the outcome of an iteration in the status (the runner calls it).
    pub(crate) fn finish_iteration(&mut self, result: &Result<StepReport, LaneError>) {
        self.status.iterations += 1;
        match result {
            Ok(_) => {}
            Err(err) => {
                self.count_error(err.class());
                self.status.last_error = Some(err.to_string());
                if err.class().needs_resync() || err.class() == ErrorClass::BatchTooLarge {
                    // Read the inbox's limits again too (the owner may have set them).
                    self.inbox_max_batch = None;
                }
                if let LaneError::Halt(reason) = err {
                    self.status.state = LaneState::Halted {
                        reason: reason.clone(),
                    };
                }
            }
        }
    }

    /// The source outbox's lane to this worker's destination (its size and root).
    async fn outbox_lane(&self) -> Result<LaneResponse, LaneError> {
        self.query_source(
            "outbox lane",
            &self.config.source_outbox,
            &OutboxQuery::Lane {
                destination_chain: self.config.destination_chain.clone(),
            },
        )
        .await
    }

    async fn query_source<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        contract: &str,
        msg: &impl Serialize,
    ) -> Result<T, LaneError> {
        let chain = Arc::clone(&self.source);
        self.backoff
            .retry(|| query::<T>(chain.as_ref(), contract, msg))
            .await
            .map_err(|err| {
                LaneError::chain(format!("query {what} on {}", self.config.source_chain), err)
            })
    }

    async fn query_inbox<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        msg: &InboxQuery,
    ) -> Result<T, LaneError> {
        let chain = Arc::clone(&self.destination);
        let inbox = self.config.destination_inbox.as_str();
        self.backoff
            .retry(|| query::<T>(chain.as_ref(), inbox, msg))
            .await
            .map_err(|err| {
                LaneError::chain(
                    format!("query {what} on {}", self.config.destination_chain),
                    err,
                )
            })
    }

    /// One iteration: follow, read the inbox, checkpoint, deliver, retry. Bounded by the
    /// batch policy; leaves nothing half-done that the next iteration would not redo from
    /// chain state.
    pub async fn step(&mut self) -> Result<StepReport, LaneError> {
        let mut report = StepReport::default();
        if self.tracker.is_none() {
            let lane = self.outbox_lane().await?;
            tracing::info!(
                source = %self.config.source_chain,
                destination = %self.config.destination_chain,
                size = lane.size,
                "lane starts: messages below this size are backfilled"
            );
            self.tracker = Some(PendingTracker::new(lane.size));
        }
        report.behind = self.follow(&mut report).await?;
        if self.check_probe().await? {
            report.behind = true;
        }
        let known = self.follower.size();
        self.status.source_size = known;
        self.status.next_height = self.next_height;
        self.metrics
            .sent
            .get_or_create(&self.labels)
            .set(gauge(known));

        let source: SourceResponse = self
            .query_inbox(
                "inbox source",
                &InboxQuery::Source {
                    chain: self.config.source_chain.clone(),
                },
            )
            .await?;
        if source.outbox != self.config.source_outbox {
            return Err(LaneError::Halt(format!(
                "the inbox follows outbox {} of {}, not the configured {}",
                source.outbox, self.config.source_chain, self.config.source_outbox
            )));
        }
        let latest = source.latest_checkpoint.as_ref().map_or(0, |c| c.size);
        self.status.checkpoint_size = latest;
        self.metrics
            .attested
            .get_or_create(&self.labels)
            .set(gauge(latest));
        if let Some(freeze) = &source.frozen {
            let reason = format!(
                "source {} is frozen in the inbox ({:?}, rollback at most to size {}, at height {})",
                self.config.source_chain, freeze.cause, freeze.max_rollback_to, freeze.height
            );
            self.enter_frozen(reason);
            self.update_pending();
            return Ok(report);
        }
        self.metrics.frozen.get_or_create(&self.labels).set(0);
        if self.inbox_max_batch.is_none() {
            let config: ConfigResponse = self
                .query_inbox("inbox config", &InboxQuery::Config {})
                .await?;
            self.inbox_max_batch = Some(config.max_batch_size);
        }
        if let Some(stored) = &source.latest_checkpoint {
            if stored.size <= known {
                let ours = HexBinary::from(&self.follower.root_at(stored.size)?);
                if ours != stored.root {
                    self.diverged(&source, stored.size, &stored.root, &ours)
                        .await?;
                    return Ok(report);
                }
            }
        }
        if matches!(
            self.status.state,
            LaneState::Starting | LaneState::Frozen { .. } | LaneState::Diverged { .. }
        ) {
            self.status.state = LaneState::Running;
        }
        if source.ordered {
            if let Some(next) = source.next_nonce {
                self.tracker_mut().mark_done_below(next);
                let failed = &self.failed;
                self.follower
                    .release_below(next, |nonce| failed.contains_key(&nonce));
            }
        }

        let mut checkpoint = latest;
        if known > latest && self.needs_checkpoint(latest, known) {
            if let Some(size) = self.checkpoint(&source, latest).await? {
                checkpoint = size;
                report.checkpoint = Some(size);
                report.transactions += 1;
            }
        } else if matches!(self.status.state, LaneState::WaitingForAttesters { .. }) {
            self.status.state = LaneState::Running;
        }
        if checkpoint <= known && checkpoint > 0 {
            let nonces = self.pending(&source, checkpoint, latest).await?;
            self.deliver(&source, nonces, checkpoint, &mut report)
                .await?;
        }
        if self.retry.enabled {
            self.retry_failed(&source, &mut report).await?;
        }
        self.update_pending();
        Ok(report)
    }

    fn tracker_mut(&mut self) -> &mut PendingTracker {
        self.tracker.get_or_insert_with(|| PendingTracker::new(0))
    }

    fn update_pending(&mut self) {
        let known = self.follower.size();
        let pending = self.tracker_mut().outstanding(known);
        self.status.pending = pending;
        self.metrics
            .pending
            .get_or_create(&self.labels)
            .set(gauge(pending));
        let held = self.follower.held() as u64;
        self.status.held = held;
        self.metrics
            .held
            .get_or_create(&self.labels)
            .set(gauge(held));
    }

    fn enter_frozen(&mut self, reason: String) {
        if !matches!(self.status.state, LaneState::Frozen { .. }) {
            tracing::error!(
                source = %self.config.source_chain,
                destination = %self.config.destination_chain,
                %reason,
                "source frozen: the lane stops delivering"
            );
        }
        self.metrics.frozen.get_or_create(&self.labels).set(1);
        self.status.state = LaneState::Frozen { reason };
    }

    /// Reads the source's new blocks, at most `max_event_chunks_per_iteration` chunks.
    /// Returns whether blocks are left to read.
    async fn follow(&mut self, report: &mut StepReport) -> Result<bool, LaneError> {
        let chain = Arc::clone(&self.source);
        let tip = self
            .backoff
            .retry(|| chain.status())
            .await
            .map_err(|err| {
                LaneError::chain(format!("status of {}", self.config.source_chain), err)
            })?
            .height;
        let outbox = self.config.source_outbox.clone();
        for _ in 0..self.batch.max_event_chunks_per_iteration {
            if self.next_height > tip {
                break;
            }
            let from = self.next_height;
            let to = from
                .saturating_add(self.batch.event_chunk_blocks - 1)
                .min(tip);
            let events = self
                .backoff
                .retry(|| chain.contract_events(&outbox, from, to))
                .await
                .map_err(|err| {
                    LaneError::chain(format!("events of {outbox} in blocks {from}..={to}"), err)
                })?;
            for event in &events {
                if self.already_taken(&event.event)? {
                    continue;
                }
                let taken = match self.follower.observe([&event.event]) {
                    Ok(taken) => taken,
                    // A later message than the next: the events before it were missed
                    // (or the lane started before `start_height`, which rewinding cannot
                    // mend: then the lane halts after a few tries).
                    Err(RelayError::OutOfOrder { expected, got })
                        if got > expected && self.gap_rewinds < MAX_GAP_REWINDS =>
                    {
                        self.gap_rewinds += 1;
                        let from = self.last_event_height.unwrap_or(self.config.start_height);
                        tracing::warn!(
                            source = %self.config.source_chain,
                            destination = %self.config.destination_chain,
                            expected,
                            got,
                            height = event.height,
                            from,
                            "events missing before this one: reading the source again"
                        );
                        self.count_error(ErrorClass::MissedEvents);
                        self.next_height = from;
                        self.probe = None;
                        return Ok(true);
                    }
                    Err(err) => {
                        return Err(LaneError::Halt(format!(
                            "the outbox's events at height {} do not continue the lane (is start_height {} at or before its first send?): {err}",
                            event.height, self.config.start_height
                        )))
                    }
                };
                if !taken.is_empty() {
                    self.last_event_height = Some(event.height);
                    self.gap_rewinds = 0;
                }
                report.observed += taken.len() as u64;
            }
            self.next_height = to + 1;
        }
        Ok(self.next_height <= tip)
    }

    /// Whether `event` is a send of this lane the follower already has (read again after
    /// a gap): it must then be the very message the lane holds at that nonce.
    fn already_taken(&self, event: &cosmwasm_std::Event) -> Result<bool, LaneError> {
        let value = |key: &str| {
            event
                .attributes
                .iter()
                .find(|a| a.key == key)
                .map(|a| a.value.as_str())
        };
        if event.ty != crate::SEND_EVENT
            || value("destination_chain") != Some(self.config.destination_chain.as_str())
        {
            return Ok(false);
        }
        let Some(nonce) = value("nonce").and_then(|n| n.parse::<u64>().ok()) else {
            return Ok(false);
        };
        if nonce >= self.follower.size() {
            return Ok(false);
        }
        let held = HexBinary::from(&self.follower.ids()[nonce as usize]).to_hex();
        if value("message_id") != Some(held.as_str()) {
            return Err(LaneError::Halt(format!(
                "the outbox announced message {:?} at nonce {nonce}, where the lane holds {held}",
                value("message_id")
            )));
        }
        Ok(true)
    }

    /// Checks the lane against the outbox's own size once the lane has read past the
    /// height of the last probe: fewer messages than the outbox had then means events
    /// were missed (a node whose event index lagged its blocks), and the lane reads again
    /// from its last message's height (what it already has is skipped). Returns whether it
    /// rewound. Then takes a new probe.
    async fn check_probe(&mut self) -> Result<bool, LaneError> {
        let mut rewound = false;
        if let Some((size, height)) = self.probe {
            if self.next_height > height + 1 {
                self.probe = None;
                if self.follower.size() < size {
                    let from = self.last_event_height.unwrap_or(self.config.start_height);
                    tracing::warn!(
                        source = %self.config.source_chain,
                        destination = %self.config.destination_chain,
                        outbox_size = size,
                        followed = self.follower.size(),
                        from,
                        "events missing: reading the source again"
                    );
                    self.count_error(ErrorClass::MissedEvents);
                    self.next_height = from.min(self.next_height);
                    rewound = true;
                }
            }
        }
        if self.probe.is_none() {
            let lane = self.outbox_lane().await?;
            let chain = Arc::clone(&self.source);
            let height = self
                .backoff
                .retry(|| chain.status())
                .await
                .map_err(|err| {
                    LaneError::chain(format!("status of {}", self.config.source_chain), err)
                })?
                .height;
            self.probe = Some((lane.size, height));
        }
        Ok(rewound)
    }

    fn needs_checkpoint(&self, latest: u64, known: u64) -> bool {
        let Some(tracker) = &self.tracker else {
            return true;
        };
        (latest..known).any(|nonce| !tracker.is_done(nonce))
    }

    fn note_attester_problems(&mut self, problems: &[super::attesters::EndpointProblem]) {
        for problem in problems {
            self.metrics
                .attester_problems
                .get_or_create(&AttesterLabels {
                    source: self.labels.source.clone(),
                    destination: self.labels.destination.clone(),
                    attester: problem.url.clone(),
                    problem: problem.kind.as_str().to_string(),
                })
                .inc();
            if problem.kind == ProblemKind::BadSignature {
                self.status.bad_signatures += 1;
                tracing::warn!(
                    source = %self.config.source_chain,
                    destination = %self.config.destination_chain,
                    attester = %problem.url,
                    reason = %problem.reason,
                    "attester signature dropped"
                );
            } else {
                tracing::debug!(
                    attester = %problem.url,
                    problem = problem.kind.as_str(),
                    reason = %problem.reason,
                    "attester answer unusable"
                );
            }
        }
    }

    /// Collects signatures and stores a checkpoint above `latest`; `None` while the
    /// attesters' valid signatures stay under the threshold.
    async fn checkpoint(
        &mut self,
        source: &SourceResponse,
        latest: u64,
    ) -> Result<Option<u64>, LaneError> {
        let report = self
            .attesters
            .collect(
                &self.follower,
                &self.config.source_outbox,
                &source.attesters,
                latest,
            )
            .await;
        self.note_attester_problems(&report.problems);
        let Some(quorum) = report.quorum else {
            if !matches!(self.status.state, LaneState::WaitingForAttesters { .. }) {
                tracing::warn!(
                    source = %self.config.source_chain,
                    destination = %self.config.destination_chain,
                    weight = report.best_weight,
                    threshold = report.threshold,
                    "attesters below the threshold: waiting"
                );
            }
            self.status.state = LaneState::WaitingForAttesters {
                weight: report.best_weight,
                threshold: report.threshold,
            };
            return Ok(None);
        };
        if matches!(self.status.state, LaneState::WaitingForAttesters { .. }) {
            tracing::info!(
                source = %self.config.source_chain,
                destination = %self.config.destination_chain,
                weight = quorum.weight,
                "attesters back above the threshold"
            );
            self.status.state = LaneState::Running;
        }
        let size = quorum.size;
        let msg = InboxExecuteMsg::SubmitCheckpoint {
            checkpoint: self.follower.checkpoint(size)?,
            signatures: quorum.signatures,
            consistency_proof: self
                .follower
                .consistency_proof(size, latest)?
                .iter()
                .map(HexBinary::from)
                .collect(),
        };
        match self.submit("checkpoint", &msg, 0).await {
            Ok(_) => {}
            Err(err) => {
                if err.class() == ErrorClass::SourceFrozen {
                    self.enter_frozen(err.to_string());
                }
                return Err(err);
            }
        }
        tracing::info!(
            source = %self.config.source_chain,
            destination = %self.config.destination_chain,
            size,
            from = latest,
            "checkpoint stored"
        );
        self.status.checkpoints += 1;
        self.status.checkpoint_size = size;
        self.metrics.checkpoints.get_or_create(&self.labels).inc();
        self.metrics
            .attested
            .get_or_create(&self.labels)
            .set(gauge(size));
        Ok(Some(size))
    }

    /// The inbox holds a checkpoint whose root is not the lane's: report the
    /// equivocation if the attesters sign a larger honest checkpoint (PROTOCOL.md §5: its
    /// history at the stored size differs from the stored root), and deliver nothing.
    async fn diverged(
        &mut self,
        source: &SourceResponse,
        size: u64,
        inbox_root: &HexBinary,
        lane_root: &HexBinary,
    ) -> Result<(), LaneError> {
        let state = LaneState::Diverged {
            size,
            inbox_root: inbox_root.to_hex(),
            lane_root: lane_root.to_hex(),
        };
        if self.status.state != state {
            tracing::error!(
                source = %self.config.source_chain,
                destination = %self.config.destination_chain,
                size,
                inbox_root = %inbox_root,
                lane_root = %lane_root,
                "the inbox's checkpoint is not the source lane's history"
            );
        }
        self.status.state = state;
        let report = self
            .attesters
            .collect(
                &self.follower,
                &self.config.source_outbox,
                &source.attesters,
                size,
            )
            .await;
        self.note_attester_problems(&report.problems);
        let Some(quorum) = report.quorum else {
            return Ok(());
        };
        let msg = InboxExecuteMsg::ReportEquivocation {
            checkpoint: self.follower.checkpoint(quorum.size)?,
            signatures: quorum.signatures,
            stored_size: size,
            prefix_root: lane_root.clone(),
            consistency_proof: self
                .follower
                .consistency_proof(quorum.size, size)?
                .iter()
                .map(HexBinary::from)
                .collect(),
        };
        self.submit("report_equivocation", &msg, 0).await?;
        tracing::warn!(
            source = %self.config.source_chain,
            size,
            attested = quorum.size,
            "equivocation reported: the inbox freezes the source"
        );
        Ok(())
    }

    /// The nonces to deliver now, below `checkpoint`, oldest first: the inbox's statuses
    /// decide (nonces at or above `latest`, the inbox's latest checkpoint when the
    /// iteration began, cannot have been processed but under a rolled-back history, and
    /// the inbox skips those: they are not queried).
    async fn pending(
        &mut self,
        source: &SourceResponse,
        checkpoint: u64,
        latest: u64,
    ) -> Result<Vec<u64>, LaneError> {
        let now = Instant::now();
        let isolated = std::mem::take(&mut self.isolated);
        let skip = |nonce: u64| isolated.get(&nonce).is_some_and(|i| i.until > now);
        let max_live = self.batch.max_live_per_iteration as usize;
        let max_backfill = self.batch.max_backfill_per_iteration as usize;
        if source.ordered {
            // Everything from `next_nonce` on is unprocessed, and only in order.
            let next = source.next_nonce.unwrap_or(0);
            let nonces = (next..checkpoint)
                .take_while(|&nonce| !skip(nonce))
                .take(max_live + max_backfill)
                .collect();
            self.isolated = isolated;
            return Ok(nonces);
        }
        let candidates = self
            .tracker_mut()
            .candidates(checkpoint, max_live, max_backfill, skip);
        self.isolated = isolated;
        let mut nonces = vec![];
        for nonce in candidates.all() {
            if nonce >= latest {
                nonces.push(nonce);
                continue;
            }
            let status: MessageStatusResponse = self
                .query_inbox(
                    "message status",
                    &InboxQuery::MessageStatus {
                        source_chain: self.config.source_chain.clone(),
                        nonce,
                    },
                )
                .await?;
            match status.status {
                MessageStatus::Unknown => nonces.push(nonce),
                MessageStatus::Delivered | MessageStatus::TimedOut => {
                    self.tracker_mut().mark_done(nonce);
                    self.settle(nonce);
                }
                MessageStatus::Failed => {
                    self.tracker_mut().mark_done(nonce);
                    self.note_failed(nonce, status.attempts);
                    self.settle(nonce);
                }
            }
        }
        Ok(nonces)
    }

    /// A message the inbox has processed is released (its id stays, for proofs) unless it
    /// failed and waits for a retry, which carries it again.
    fn settle(&mut self, nonce: u64) {
        if !self.failed.contains_key(&nonce) {
            self.follower.release(nonce);
        }
    }

    fn note_failed(&mut self, nonce: u64, attempts: u32) {
        if self.retry.enabled {
            let next_at = Instant::now() + self.retry.min_interval();
            self.failed
                .entry(nonce)
                .or_insert(FailedEntry { attempts, next_at });
        }
    }

    /// Delivers `nonces` (increasing) against `checkpoint` in batches, isolating a message
    /// that fails so that the rest go on. At most about four transactions or simulations
    /// per message.
    async fn deliver(
        &mut self,
        source: &SourceResponse,
        nonces: Vec<u64>,
        checkpoint: u64,
        report: &mut StepReport,
    ) -> Result<(), LaneError> {
        if nonces.is_empty() {
            return Ok(());
        }
        let cap = self
            .batch
            .max_messages
            .min(self.inbox_max_batch.unwrap_or(u32::MAX))
            .max(1) as usize;
        let max_rounds = 4 * nonces.len() + 8;
        let mut queue: VecDeque<Vec<u64>> = nonces.chunks(cap).map(<[u64]>::to_vec).collect();
        for _ in 0..max_rounds {
            let Some(batch) = queue.pop_front() else {
                break;
            };
            match self.deliver_batch(source, &batch, checkpoint).await {
                Ok((len, tx)) => {
                    report.transactions += 1;
                    self.record_delivery(&batch[..len], &tx, report);
                    if len < batch.len() {
                        queue.push_front(batch[len..].to_vec());
                    }
                }
                Err(failure) => {
                    let BatchFailure { len, class, error } = failure;
                    match class {
                        ErrorClass::SourceFrozen => {
                            self.enter_frozen(error.to_string());
                            return Err(error);
                        }
                        ErrorClass::Transient | ErrorClass::Paused => return Err(error),
                        class if class.needs_resync() => return Err(error),
                        _ => {}
                    }
                    self.count_error(class);
                    let len = len.clamp(1, batch.len());
                    if len < batch.len() {
                        queue.push_front(batch[len..].to_vec());
                    }
                    if len > 1 {
                        // Split what failed: the message at fault ends up alone.
                        let (first, second) = batch[..len].split_at(len / 2);
                        queue.push_front(second.to_vec());
                        queue.push_front(first.to_vec());
                        continue;
                    }
                    let nonce = batch[0];
                    self.isolate(nonce, &error);
                    report.isolated.push(nonce);
                    if source.ordered {
                        // Nothing after it can go before it does.
                        return Ok(());
                    }
                }
            }
        }
        Ok(())
    }

    fn isolate(&mut self, nonce: u64, error: &LaneError) {
        let poll = self.poll_interval;
        let entry = self.isolated.entry(nonce).or_insert(Isolated {
            failures: 0,
            until: Instant::now(),
        });
        entry.failures += 1;
        let wait = poll
            .checked_mul(1u32 << entry.failures.min(16))
            .unwrap_or(MAX_ISOLATION)
            .min(MAX_ISOLATION);
        entry.until = Instant::now() + wait;
        self.status.isolated += 1;
        self.metrics.isolated.get_or_create(&self.labels).inc();
        tracing::warn!(
            source = %self.config.source_chain,
            destination = %self.config.destination_chain,
            nonce,
            failures = entry.failures,
            wait_ms = wait.as_millis() as u64,
            %error,
            "message fails alone: set aside for now"
        );
    }

    /// Sizes, simulates and broadcasts the longest prefix of `batch` that fits. Returns
    /// how many messages went, and the transaction.
    async fn deliver_batch(
        &self,
        source: &SourceResponse,
        batch: &[u64],
        checkpoint: u64,
    ) -> Result<(usize, TxResult), BatchFailure> {
        let inbox = self.config.destination_inbox.clone();
        let build = |len: usize| -> Result<Execute, LaneError> {
            let msg = delivery_msg(&self.follower, &batch[..len], checkpoint)?;
            Execute::new(inbox.clone(), &msg).map_err(|err| LaneError::chain("encode", err))
        };
        let backoff = self.backoff;
        let chain = Arc::clone(&self.destination);
        let sized = fit_batch(batch.len(), &self.gas, source.receive_gas_limit, |len| {
            let exec = build(len);
            let chain = Arc::clone(&chain);
            async move {
                let exec = exec.map_err(|err| ChainError::Encode(err.to_string()))?;
                backoff
                    .retry(|| chain.simulate(std::slice::from_ref(&exec)))
                    .await
            }
        })
        .await
        .map_err(|failure| BatchFailure {
            len: failure.len,
            class: failure.class,
            error: LaneError::chain(
                format!("simulate delivery of {} messages", failure.len),
                failure.error,
            ),
        })?;
        let exec = build(sized.len).map_err(|error| BatchFailure {
            len: sized.len,
            class: ErrorClass::Other,
            error,
        })?;
        let tx = self
            .broadcast("deliver", exec, sized.gas_limit)
            .await
            .map_err(|error| BatchFailure {
                len: sized.len,
                class: error.class(),
                error,
            })?;
        Ok((sized.len, tx))
    }

    /// Counts what the inbox did with a delivered batch (its `ccmp_deliver` events; the
    /// last one of a nonce is its outcome) and marks every nonce of it done.
    fn record_delivery(&mut self, nonces: &[u64], tx: &TxResult, report: &mut StepReport) {
        let outcomes = deliver_outcomes(
            tx,
            &self.config.destination_inbox,
            &self.config.source_chain,
        );
        let (mut delivered, mut failed, mut timed_out) = (0u64, 0u64, 0u64);
        for &nonce in nonces {
            self.tracker_mut().mark_done(nonce);
            self.isolated.remove(&nonce);
            match outcomes.get(&nonce).map(String::as_str) {
                Some("delivered") => delivered += 1,
                Some("failed") => {
                    failed += 1;
                    self.note_failed(nonce, 1);
                }
                Some("timed_out") => timed_out += 1,
                _ => {}
            }
            self.settle(nonce);
        }
        let skipped = nonces.len() as u64 - delivered - failed - timed_out;
        report.delivered += delivered;
        report.failed += failed;
        report.timed_out += timed_out;
        report.skipped += skipped;
        self.status.delivered += delivered;
        self.status.failed += failed;
        self.status.timed_out += timed_out;
        self.status.skipped += skipped;
        self.metrics
            .delivered
            .get_or_create(&self.labels)
            .inc_by(delivered);
        self.metrics
            .failed
            .get_or_create(&self.labels)
            .inc_by(failed);
        self.metrics
            .timed_out
            .get_or_create(&self.labels)
            .inc_by(timed_out);
        self.metrics
            .skipped
            .get_or_create(&self.labels)
            .inc_by(skipped);
        tracing::info!(
            source = %self.config.source_chain,
            destination = %self.config.destination_chain,
            first = nonces.first().copied().unwrap_or_default(),
            count = nonces.len(),
            delivered,
            failed,
            timed_out,
            skipped,
            height = tx.height,
            "batch delivered"
        );
    }

    /// Simulates `msg` and broadcasts it with simulated × multiplier + `receiver_gas`.
    async fn submit(
        &self,
        kind: &str,
        msg: &InboxExecuteMsg,
        receiver_gas: u64,
    ) -> Result<TxResult, LaneError> {
        let exec = Execute::new(self.config.destination_inbox.clone(), msg)
            .map_err(|err| LaneError::chain("encode", err))?;
        let chain = Arc::clone(&self.destination);
        let simulated = self
            .backoff
            .retry(|| chain.simulate(std::slice::from_ref(&exec)))
            .await
            .map_err(|err| LaneError::chain(format!("simulate {kind}"), err))?;
        let limit = gas_limit(
            simulated,
            self.gas.multiplier,
            receiver_gas,
            self.gas.max_gas_per_tx,
        );
        self.broadcast(kind, exec, limit).await
    }

    /// Broadcasts with retries of transient failures; out of gas once more with a bigger
    /// limit. The inbox makes every retry safe: a message or checkpoint that already
    /// landed is skipped.
    async fn broadcast(&self, kind: &str, exec: Execute, gas: u64) -> Result<TxResult, LaneError> {
        let chain = Arc::clone(&self.destination);
        let mut gas = gas;
        let mut bumped = false;
        loop {
            let started = Instant::now();
            let result = self
                .backoff
                .retry(|| chain.broadcast(std::slice::from_ref(&exec), gas))
                .await;
            self.metrics
                .submission_seconds
                .get_or_create(&KindLabels {
                    source: self.labels.source.clone(),
                    destination: self.labels.destination.clone(),
                    kind: kind.to_string(),
                })
                .observe(started.elapsed().as_secs_f64());
            let error = match result.and_then(TxResult::into_result) {
                Ok(tx) => return Ok(tx),
                Err(error) => error,
            };
            let class = classify(&error);
            let bigger = gas_limit(
                gas,
                self.gas.out_of_gas_multiplier,
                0,
                self.gas.max_gas_per_tx,
            );
            if class == ErrorClass::OutOfGas && !bumped && bigger > gas {
                tracing::info!(
                    kind,
                    gas,
                    bigger,
                    "out of gas: once more with a bigger limit"
                );
                self.count_error(class);
                gas = bigger;
                bumped = true;
                continue;
            }
            return Err(LaneError::chain(
                format!("broadcast {kind} with gas {gas}"),
                error,
            ));
        }
    }

    /// Retries failed messages whose time has come, as the policy allows.
    async fn retry_failed(
        &mut self,
        source: &SourceResponse,
        report: &mut StepReport,
    ) -> Result<(), LaneError> {
        let now = Instant::now();
        let max_attempts = self.retry.max_attempts;
        let mut given_up = vec![];
        self.failed.retain(|&nonce, entry| {
            let keep = entry.attempts < max_attempts;
            if !keep {
                tracing::warn!(
                    nonce,
                    attempts = entry.attempts,
                    "failed message: no more retries"
                );
                given_up.push(nonce);
            }
            keep
        });
        for nonce in given_up {
            self.follower.release(nonce);
        }
        let due: Vec<u64> = self
            .failed
            .iter()
            .filter(|(nonce, entry)| entry.next_at <= now && **nonce < self.follower.size())
            .map(|(nonce, _)| *nonce)
            .take(self.retry.max_per_iteration as usize)
            .collect();
        for nonce in due {
            let message = self.follower.message(nonce)?.clone();
            let msg = InboxExecuteMsg::Retry {
                message,
                gas_limit: self.retry.gas_limit,
            };
            let receiver_gas = self.retry.gas_limit.unwrap_or(source.receive_gas_limit);
            let result = self.submit("retry", &msg, receiver_gas).await;
            match result {
                Ok(_) => {
                    report.transactions += 1;
                    report.retried += 1;
                    self.status.retried += 1;
                    self.metrics.retried.get_or_create(&self.labels).inc();
                }
                Err(err) if err.class() == ErrorClass::AlreadyProcessed => {
                    self.failed.remove(&nonce);
                    self.follower.release(nonce);
                    continue;
                }
                Err(err) if err.class() == ErrorClass::SourceFrozen => {
                    self.enter_frozen(err.to_string());
                    return Err(err);
                }
                Err(err) if err.class() == ErrorClass::Transient => return Err(err),
                Err(err) => {
                    self.count_error(err.class());
                    tracing::warn!(nonce, %err, "retry failed");
                }
            }
            let status: MessageStatusResponse = self
                .query_inbox(
                    "message status",
                    &InboxQuery::MessageStatus {
                        source_chain: self.config.source_chain.clone(),
                        nonce,
                    },
                )
                .await?;
            match status.status {
                MessageStatus::Failed => {
                    if let Some(entry) = self.failed.get_mut(&nonce) {
                        entry.attempts = status.attempts;
                        entry.next_at = Instant::now() + self.retry.min_interval();
                    }
                }
                outcome => {
                    self.failed.remove(&nonce);
                    self.follower.release(nonce);
                    if outcome == MessageStatus::Delivered {
                        self.status.delivered += 1;
                        report.delivered += 1;
                        self.metrics.delivered.get_or_create(&self.labels).inc();
                    } else if outcome == MessageStatus::TimedOut {
                        self.status.timed_out += 1;
                        report.timed_out += 1;
                        self.metrics.timed_out.get_or_create(&self.labels).inc();
                    }
                }
            }
        }
        Ok(())
    }
}

fn gauge(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The last `ccmp_deliver` status of each nonce of `source_chain` in `tx`, from events
/// the inbox emitted (`_contract_address`: a receiver cannot forge them).
pub(crate) fn deliver_outcomes(
    tx: &TxResult,
    inbox: &str,
    source_chain: &str,
) -> HashMap<u64, String> {
    let mut outcomes = HashMap::new();
    for event in tx.events_of(DELIVER_EVENT) {
        let value = |key: &str| {
            event
                .attributes
                .iter()
                .find(|a| a.key == key)
                .map(|a| a.value.as_str())
        };
        if value(ccmp_chain::CONTRACT_ADDRESS_ATTRIBUTE) != Some(inbox)
            || value("source_chain") != Some(source_chain)
        {
            continue;
        }
        if let (Some(nonce), Some(status)) = (
            value("nonce").and_then(|n| n.parse::<u64>().ok()),
            value("status"),
        ) {
            outcomes.insert(nonce, status.to_string());
        }
    }
    outcomes
}
