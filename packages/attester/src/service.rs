//! The running attester: a poll loop that follows the lanes and signs, and the HTTP
//! server that publishes what it signed, both tokio tasks stopped by one cancellation
//! token.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ccmp_chain::{query_at, ChainClient, ChainError, ContractEvent};
use ccmp_outbox::msg::{ConfigResponse, LaneResponse, QueryMsg as OutboxQuery};
use ccmp_signer::AttesterKey;
use ccmp_types::{checkpoint_digest, CodecError, Hash};
use cosmwasm_std::HexBinary;
use thiserror::Error;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::api::{Health, LaneHealth, SignedCheckpoint};
use crate::config::{AttesterConfig, ConfigError};
use crate::key::{load_key, KeyFileError};
use crate::lane::LaneTree;
use crate::metrics::{gauge_value, LaneLabels, Metrics, RefusalLabels};
use crate::publish::Publisher;
use crate::store::{LaneId, PrefixRoots, Refusal, Store, StoreError};

/// `Health::status` while healthy.
pub const STATUS_OK: &str = "ok";
/// `Health::status` once a refusal or a lane that does not check out made it fail closed.
pub const STATUS_FAILED: &str = "failed";
/// `Health::status` after shutdown.
pub const STATUS_STOPPED: &str = "stopped";
/// Problems kept for `/health` (older ones are dropped, the count stays in the metrics).
const MAX_PROBLEMS: usize = 32;
/// How long start waits for the events of a size the store says was signed.
const MIN_CATCH_UP: Duration = Duration::from_secs(30);

/// Why the attester did not start. Every one is fail-closed: nothing was signed.
#[derive(Error, Debug)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Key(#[from] KeyFileError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot {what}: {source}")]
    Chain {
        what: String,
        #[source]
        source: ChainError,
    },
    #[error(
        "config field `source_chain`: {configured:?}, but the outbox's chain id is {outbox:?}"
    )]
    SourceChainMismatch { configured: String, outbox: String },
    #[error("the lane to {destination:?} does not check out on the chain: {reason}")]
    Lane { destination: String, reason: String },
    #[error(
        "fail-closed: the store records that this attester signed the lane to \
         {destination:?} at size {size} with root {stored_root}, but the chain's lane has \
         root {chain_root} at that size; the chain (or the node answering for it) is not \
         the history that was signed, so nothing more is signed until an operator \
         investigates"
    )]
    StoreDisagrees {
        destination: String,
        size: u64,
        stored_root: String,
        chain_root: String,
    },
    #[error(
        "fail-closed: the store records that this attester signed the lane to \
         {destination:?} at size {signed_size}, but the chain's outbox has only {chain_size} \
         messages on it (another outbox, or another chain, than the one signed?)"
    )]
    StoreAhead {
        destination: String,
        signed_size: u64,
        chain_size: u64,
    },
    #[error(
        "fail-closed: the outbox stores root {outbox_root} at size {size} for the lane to \
         {destination:?}, but its events give {events_root}"
    )]
    OutboxDisagrees {
        destination: String,
        size: u64,
        outbox_root: String,
        events_root: String,
    },
    #[error("timed out after {seconds} s waiting for {what}")]
    Timeout { what: String, seconds: u64 },
    #[error("shut down while starting")]
    Cancelled,
}

/// Why a checkpoint was not signed on request.
#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum AttestError {
    #[error("this attester does not follow a lane to {0:?}")]
    UnknownLane(String),
    #[error("the lane to {destination:?} is halted (fail-closed): {reason}")]
    Halted { destination: String, reason: String },
    #[error(transparent)]
    Refused(Refusal),
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Codec(#[from] CodecError),
}

/// Why a running attester ended other than by shutdown.
#[derive(Error, Debug)]
pub enum ServiceError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("the HTTP server failed: {0}")]
    Server(std::io::Error),
    #[error("the attester's {task} task failed: {reason}")]
    Task { task: &'static str, reason: String },
}

fn hex(hash: &Hash) -> String {
    HexBinary::from(hash).to_hex()
}

#[derive(Default)]
struct SharedState {
    /// Per lane, the signatures kept for relayers, by size.
    recent: BTreeMap<String, BTreeMap<u64, SignedCheckpoint>>,
    /// Per lane, the newest size signed (from the store at start).
    signed: BTreeMap<String, u64>,
    problems: Vec<String>,
    halted: BTreeSet<String>,
    stopped: bool,
}

/// What the HTTP server reads and the signer writes.
pub(crate) struct Shared {
    pub(crate) source_chain: String,
    pub(crate) lanes: Vec<String>,
    keep: usize,
    state: Mutex<SharedState>,
    pub(crate) metrics: Metrics,
    /// Bumped on every change, for waiters.
    changed: watch::Sender<u64>,
}

impl Shared {
    pub(crate) fn new(source_chain: &str, lanes: &[String], keep: usize) -> Arc<Shared> {
        let shared = Shared {
            source_chain: source_chain.to_string(),
            lanes: lanes.to_vec(),
            keep: keep.max(1),
            state: Mutex::new(SharedState::default()),
            metrics: Metrics::new(),
            changed: watch::channel(0).0,
        };
        shared
            .metrics
            .lanes_followed
            .set(gauge_value(lanes.len() as u64));
        shared.metrics.healthy.set(1);
        for lane in lanes {
            shared
                .metrics
                .signed_size
                .get_or_create(&shared.labels(lane))
                .set(0);
        }
        Arc::new(shared)
    }

    fn state(&self) -> MutexGuard<'_, SharedState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn labels(&self, destination: &str) -> LaneLabels {
        LaneLabels {
            source_chain: self.source_chain.clone(),
            destination_chain: destination.to_string(),
        }
    }

    fn bump(&self) {
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Keeps `signed` for relayers; returns whether it is the lane's newest and the sizes
    /// dropped to stay within the bound.
    pub(crate) fn publish(&self, signed: SignedCheckpoint) -> (bool, Vec<u64>) {
        let destination = signed.destination_chain.clone();
        let size = signed.size;
        let (latest, evicted) = {
            let mut state = self.state();
            let recent = state.recent.entry(destination.clone()).or_default();
            recent.insert(size, signed);
            let mut evicted = vec![];
            while recent.len() > self.keep {
                if let Some((old, _)) = recent.pop_first() {
                    evicted.push(old);
                }
            }
            let latest = recent.last_key_value().map(|(s, _)| *s) == Some(size);
            let newest = state.signed.entry(destination.clone()).or_default();
            *newest = (*newest).max(size);
            let newest = *newest;
            self.metrics
                .signed_size
                .get_or_create(&self.labels(&destination))
                .set(gauge_value(newest));
            (latest, evicted)
        };
        self.metrics
            .checkpoints_signed
            .get_or_create(&self.labels(&destination))
            .inc();
        self.bump();
        (latest, evicted)
    }

    pub(crate) fn set_signed(&self, destination: &str, size: u64) {
        let mut state = self.state();
        let newest = state.signed.entry(destination.to_string()).or_default();
        *newest = (*newest).max(size);
        self.metrics
            .signed_size
            .get_or_create(&self.labels(destination))
            .set(gauge_value(*newest));
    }

    /// Fails closed: `/health` answers 503 from now on.
    pub(crate) fn problem(&self, text: String) {
        tracing::error!(target: "ccmp_attester", problem = %text, "attester failed closed");
        {
            let mut state = self.state();
            state.problems.push(text);
            if state.problems.len() > MAX_PROBLEMS {
                state.problems.remove(0);
            }
        }
        self.metrics.healthy.set(0);
        self.bump();
    }

    /// Stops signing `destination`'s lane, failing closed.
    pub(crate) fn halt(&self, destination: &str, text: String) {
        let followed = {
            let mut state = self.state();
            state.halted.insert(destination.to_string());
            self.lanes.len() - state.halted.len()
        };
        self.metrics
            .lanes_followed
            .set(gauge_value(followed as u64));
        self.problem(text);
    }

    pub(crate) fn refused(&self, destination: &str, refusal: &Refusal) {
        self.metrics
            .refusals
            .get_or_create(&RefusalLabels {
                destination_chain: destination.to_string(),
                reason: refusal.reason().to_string(),
            })
            .inc();
        self.halt(destination, refusal.to_string());
    }

    pub(crate) fn stop(&self) {
        self.state().stopped = true;
        self.metrics.healthy.set(0);
        self.bump();
    }

    /// Whether `/health` answers 200, and what it says.
    pub(crate) fn health(&self) -> (bool, Health) {
        let state = self.state();
        let healthy = state.problems.is_empty() && !state.stopped;
        let status = if state.stopped {
            STATUS_STOPPED
        } else if healthy {
            STATUS_OK
        } else {
            STATUS_FAILED
        };
        let lanes = self
            .lanes
            .iter()
            .map(|lane| LaneHealth {
                source_chain: self.source_chain.clone(),
                destination_chain: lane.clone(),
                signed_size: state.signed.get(lane).copied().unwrap_or(0),
            })
            .collect();
        (
            healthy,
            Health {
                status: status.to_string(),
                lanes,
                problems: state.problems.clone(),
            },
        )
    }

    /// The kept signature of `size` (the newest for `None`) on the lane to `destination`.
    pub(crate) fn checkpoint(
        &self,
        destination: &str,
        size: Option<u64>,
    ) -> Option<SignedCheckpoint> {
        let state = self.state();
        let recent = state.recent.get(destination)?;
        match size {
            Some(size) => recent.get(&size).cloned(),
            None => recent.last_key_value().map(|(_, c)| c.clone()),
        }
    }

    /// The sizes kept for a lane, smallest and largest.
    pub(crate) fn kept(&self, destination: &str) -> Option<(u64, u64)> {
        let state = self.state();
        let recent = state.recent.get(destination)?;
        Some((*recent.first_key_value()?.0, *recent.last_key_value()?.0))
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }
}

struct LaneState {
    tree: LaneTree,
    /// An `(size, root)` the outbox reported beyond the events read so far, checked once
    /// they are (so a lane that grows every block, whose latest state is always ahead of
    /// its readable events, still gets checkpoints).
    pending: Option<(u64, Hash)>,
    /// The largest size whose root the outbox's stored state confirmed.
    verified: u64,
    /// The largest size signed and published by this run.
    published: u64,
    halted: Option<String>,
}

struct Core {
    /// The next block whose events are read.
    next_height: u64,
    lanes: BTreeMap<String, LaneState>,
}

pub(crate) struct Engine {
    chain: Arc<dyn ChainClient>,
    outbox: String,
    source_chain: String,
    key: AttesterKey,
    store: Store,
    pub(crate) shared: Arc<Shared>,
    publisher: Option<Publisher>,
    poll_interval: Duration,
    blocks_per_request: u64,
    requests_per_poll: u32,
    core: Mutex<Core>,
}

enum Claim {
    /// The outbox's root at this size matches the events'.
    Verified(u64),
    /// The outbox is ahead of the events read: check later.
    Ahead,
    Mismatch {
        size: u64,
        outbox_root: Hash,
        events_root: Hash,
    },
}

impl Engine {
    fn core(&self) -> MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lane_id(&self, destination: &str) -> LaneId {
        LaneId {
            source_chain: self.source_chain.clone(),
            source_outbox: self.outbox.clone(),
            destination_chain: destination.to_string(),
        }
    }

    fn chain_error(&self, what: &str, err: &ChainError) {
        self.shared.metrics.error("chain");
        tracing::warn!(target: "ccmp_attester", error = %err, "cannot {what}; retrying at the next poll");
    }

    /// Reads the outbox's events from the next unread block to the chain's latest, in
    /// requests of `blocks_per_request` blocks, at most `max_requests` of them. Returns
    /// whether it caught up.
    async fn read_events(&self, max_requests: Option<u32>) -> Result<bool, ChainError> {
        let head = self.chain.status().await?.height;
        let mut requests = 0u32;
        loop {
            let from = self.core().next_height;
            if from > head {
                return Ok(true);
            }
            if max_requests.is_some_and(|max| requests >= max) {
                return Ok(false);
            }
            let to = head.min(from.saturating_add(self.blocks_per_request - 1));
            let events = self.chain.contract_events(&self.outbox, from, to).await?;
            requests += 1;
            self.take_events(from, to, &events);
        }
    }

    fn take_events(&self, from: u64, to: u64, events: &[ContractEvent]) {
        let mut halts = vec![];
        {
            let mut core = self.core();
            if core.next_height != from {
                return;
            }
            for event in events {
                for (destination, lane) in core.lanes.iter_mut() {
                    if lane.halted.is_some() {
                        continue;
                    }
                    if let Err(err) = lane.tree.observe(&event.event) {
                        let reason = format!(
                            "the outbox's event at height {} (tx {}) does not check out: {err}",
                            event.height, event.txhash
                        );
                        lane.halted = Some(reason.clone());
                        halts.push((destination.clone(), reason));
                    }
                }
            }
            core.next_height = to + 1;
        }
        self.shared.metrics.events_read.inc_by(events.len() as u64);
        self.shared.metrics.height.set(gauge_value(to));
        for (destination, reason) in halts {
            self.shared.metrics.error("event");
            self.shared.halt(
                &destination,
                format!("lane to {destination:?} halted: {reason}"),
            );
        }
    }

    /// The outbox's stored `(size, root)` of the lane, at `height` where the chain keeps
    /// it, else the latest.
    async fn query_lane(
        &self,
        destination: &str,
        height: Option<u64>,
    ) -> Result<(u64, Hash), ChainError> {
        let msg = OutboxQuery::Lane {
            destination_chain: destination.to_string(),
        };
        let answer: LaneResponse = match height {
            Some(height) if height > 0 => {
                match query_at(&*self.chain, &self.outbox, &msg, Some(height)).await {
                    Err(ChainError::HeightUnavailable { .. }) => {
                        query_at(&*self.chain, &self.outbox, &msg, None).await?
                    }
                    other => other?,
                }
            }
            _ => query_at(&*self.chain, &self.outbox, &msg, None).await?,
        };
        if answer.destination_chain != destination {
            return Err(ChainError::Decode(format!(
                "asked the outbox for the lane to {destination:?}, it answered for {:?}",
                answer.destination_chain
            )));
        }
        let root = answer
            .root
            .to_array::<32>()
            .map_err(|_| ChainError::Decode("the outbox's lane root is not 32 bytes".into()))?;
        Ok((answer.size, root))
    }

    fn check_claim(tree: &LaneTree, size: u64, root: Hash) -> Claim {
        match tree.root_at(size) {
            None => Claim::Ahead,
            Some(events_root) if events_root == root => Claim::Verified(size),
            Some(events_root) => Claim::Mismatch {
                size,
                outbox_root: root,
                events_root,
            },
        }
    }

    /// Takes in the outbox's `(size, root)`: compares it, and a pending one, with the
    /// tree at that size. Returns a mismatch if there is one.
    fn take_claim(lane: &mut LaneState, size: u64, root: Hash) -> Result<(), (u64, Hash, Hash)> {
        let mut claims = vec![];
        if let Some(pending) = lane.pending.take() {
            claims.push(pending);
        }
        claims.push((size, root));
        for (size, root) in claims {
            match Self::check_claim(&lane.tree, size, root) {
                Claim::Verified(size) => lane.verified = lane.verified.max(size),
                Claim::Ahead => {
                    // Keep the smallest unchecked claim: the events reach it first (and
                    // a claim far ahead, true or not, cannot hold back smaller ones).
                    lane.pending = match lane.pending {
                        Some(pending) if pending.0 <= size => Some(pending),
                        _ => Some((size, root)),
                    };
                }
                Claim::Mismatch {
                    size,
                    outbox_root,
                    events_root,
                } => return Err((size, outbox_root, events_root)),
            }
        }
        Ok(())
    }

    /// Checks one lane against the outbox's stored state and signs its newest verified
    /// size if it is new.
    async fn check_lane(&self, destination: &str) {
        let processed = {
            let core = self.core();
            match core.lanes.get(destination) {
                Some(lane) if lane.halted.is_none() => core.next_height.saturating_sub(1),
                _ => return,
            }
        };
        let (size, root) = match self.query_lane(destination, Some(processed)).await {
            Ok(answer) => answer,
            Err(err) => {
                self.chain_error("query the outbox's lane", &err);
                return;
            }
        };
        let mut core = self.core();
        let Some(lane) = core.lanes.get_mut(destination) else {
            return;
        };
        if lane.halted.is_some() {
            return;
        }
        if let Err((size, outbox_root, events_root)) = Self::take_claim(lane, size, root) {
            let reason = format!(
                "lane to {destination:?} halted: the outbox stores root {} at size {size}, \
                 but its events give {}",
                hex(&outbox_root),
                hex(&events_root)
            );
            lane.halted = Some(reason.clone());
            drop(core);
            self.shared.metrics.error("outbox_mismatch");
            self.shared.halt(destination, reason);
            return;
        }
        let verified = lane.verified;
        if verified == 0 || verified <= lane.published {
            return;
        }
        let Some(root) = lane.tree.root_at(verified) else {
            return;
        };
        // Failures are counted and reported inside.
        let _ = self.sign_locked(&mut core, destination, verified, &root);
    }

    /// The one path to a signature: the store checks `(size, root)` against what was
    /// signed and the lane's own tree and records it durably; only then is it signed and
    /// published.
    fn sign_locked(
        &self,
        core: &mut Core,
        destination: &str,
        size: u64,
        root: &Hash,
    ) -> Result<SignedCheckpoint, AttestError> {
        let lane = core
            .lanes
            .get_mut(destination)
            .ok_or_else(|| AttestError::UnknownLane(destination.to_string()))?;
        if let Some(reason) = &lane.halted {
            return Err(AttestError::Halted {
                destination: destination.to_string(),
                reason: reason.clone(),
            });
        }
        let lane_id = self.lane_id(destination);
        match self
            .store
            .record_checkpoint(&lane_id, size, root, &lane.tree)
        {
            Ok(_) => {}
            Err(StoreError::Refused(refusal)) => {
                lane.halted = Some(refusal.to_string());
                self.shared.refused(destination, &refusal);
                return Err(AttestError::Refused(refusal));
            }
            Err(err) => {
                self.shared.metrics.error("store");
                tracing::error!(target: "ccmp_attester", error = %err, "cannot record a checkpoint; nothing is signed");
                return Err(AttestError::Store(err));
            }
        }
        let digest = checkpoint_digest(&self.source_chain, &self.outbox, destination, size, root)?;
        let pubkey = self.key.pubkey();
        let signed = SignedCheckpoint {
            source_chain: self.source_chain.clone(),
            source_outbox: self.outbox.clone(),
            destination_chain: destination.to_string(),
            size,
            root: HexBinary::from(root),
            digest: HexBinary::from(&digest),
            key_type: pubkey.key_type_name().to_string(),
            pubkey: HexBinary::from(pubkey.bytes()),
            signature: HexBinary::from(self.key.sign(&digest)),
        };
        lane.published = lane.published.max(size);
        let (latest, evicted) = self.shared.publish(signed.clone());
        if let Some(publisher) = &self.publisher {
            if let Err(err) = publisher.publish(&signed, latest, &evicted) {
                self.shared.metrics.error("publish");
                tracing::warn!(target: "ccmp_attester", error = %err, size, destination, "cannot write the checkpoint to the publish directory (it is served over HTTP)");
            }
        }
        tracing::info!(target: "ccmp_attester", destination, size, root = %hex(root), "signed checkpoint");
        Ok(signed)
    }

    async fn poll_once(&self) {
        if let Err(err) = self.read_events(Some(self.requests_per_poll)).await {
            self.chain_error("read the outbox's events", &err);
            return;
        }
        for destination in &self.shared.lanes {
            self.check_lane(destination).await;
        }
    }

    /// Catches up with the chain and checks the store against it (fail-closed).
    async fn startup(&self) -> Result<(), StartError> {
        let read = |err| StartError::Chain {
            what: "read the outbox's events".into(),
            source: err,
        };
        self.read_events(None).await.map_err(read)?;
        let catch_up = MIN_CATCH_UP.max(self.poll_interval * 20);
        let deadline = Instant::now() + catch_up;
        for destination in &self.shared.lanes {
            self.lane_checks_out(destination)?;
            let Some((signed_size, signed_root)) =
                self.store.last_checkpoint(&self.lane_id(destination))?
            else {
                continue;
            };
            self.shared.set_signed(destination, signed_size);
            loop {
                let tree_size = self.core().lanes[destination].tree.size();
                if tree_size >= signed_size {
                    break;
                }
                let (chain_size, _) =
                    self.query_lane(destination, None).await.map_err(|source| {
                        StartError::Chain {
                            what: format!("query the outbox's lane to {destination:?}"),
                            source,
                        }
                    })?;
                if chain_size < signed_size {
                    return Err(StartError::StoreAhead {
                        destination: destination.clone(),
                        signed_size,
                        chain_size,
                    });
                }
                if Instant::now() >= deadline {
                    return Err(StartError::Timeout {
                        what: format!(
                            "the events of the lane to {destination:?} up to size {signed_size}"
                        ),
                        seconds: catch_up.as_secs(),
                    });
                }
                tokio::time::sleep(self.poll_interval).await;
                self.read_events(None).await.map_err(read)?;
                self.lane_checks_out(destination)?;
            }
            let chain_root = self.core().lanes[destination]
                .tree
                .root_at(signed_size)
                .unwrap_or_default();
            if chain_root != signed_root {
                return Err(StartError::StoreDisagrees {
                    destination: destination.clone(),
                    size: signed_size,
                    stored_root: hex(&signed_root),
                    chain_root: hex(&chain_root),
                });
            }
        }
        // The outbox's own state must agree with its events before anything is signed.
        let processed = self.core().next_height.saturating_sub(1);
        for destination in &self.shared.lanes {
            let (size, root) = self
                .query_lane(destination, Some(processed))
                .await
                .map_err(|source| StartError::Chain {
                    what: format!("query the outbox's lane to {destination:?}"),
                    source,
                })?;
            let mut core = self.core();
            let Some(lane) = core.lanes.get_mut(destination) else {
                continue;
            };
            if let Err((size, outbox_root, events_root)) = Self::take_claim(lane, size, root) {
                return Err(StartError::OutboxDisagrees {
                    destination: destination.clone(),
                    size,
                    outbox_root: hex(&outbox_root),
                    events_root: hex(&events_root),
                });
            }
        }
        Ok(())
    }

    fn lane_checks_out(&self, destination: &str) -> Result<(), StartError> {
        match &self.core().lanes[destination].halted {
            Some(reason) => Err(StartError::Lane {
                destination: destination.to_string(),
                reason: reason.clone(),
            }),
            None => Ok(()),
        }
    }
}

/// A running attester. Dropping it stops it (as [`AttesterHandle::shutdown`] does), so a
/// test that fails halfway leaves no task behind.
pub struct AttesterHandle {
    engine: Arc<Engine>,
    local_addr: SocketAddr,
    token: CancellationToken,
    poller: Option<JoinHandle<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl std::fmt::Debug for AttesterHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttesterHandle")
            .field("local_addr", &self.local_addr)
            .field("source_chain", &self.engine.source_chain)
            .field("source_outbox", &self.engine.outbox)
            .finish()
    }
}

impl Drop for AttesterHandle {
    fn drop(&mut self) {
        self.token.cancel();
    }
}

impl AttesterHandle {
    /// Where the HTTP server listens (the actual port when `listen` asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The outbox's chain id: the `source_chain` of every checkpoint signed.
    pub fn source_chain(&self) -> &str {
        &self.engine.source_chain
    }

    pub fn source_outbox(&self) -> &str {
        &self.engine.outbox
    }

    /// What `GET /health` answers.
    pub fn health(&self) -> Health {
        self.engine.shared.health().1
    }

    /// Whether `GET /health` answers 200.
    pub fn is_healthy(&self) -> bool {
        self.engine.shared.health().0
    }

    /// The newest checkpoint signed on the lane to `destination` (as `…/latest` answers).
    pub fn latest(&self, destination: &str) -> Option<SignedCheckpoint> {
        self.engine.shared.checkpoint(destination, None)
    }

    /// The kept checkpoint of `size` on the lane to `destination`.
    pub fn checkpoint(&self, destination: &str, size: u64) -> Option<SignedCheckpoint> {
        self.engine.shared.checkpoint(destination, Some(size))
    }

    /// Asks the attester to sign `(size, root)` on the lane to `destination` through the
    /// same checks as its own checkpoints: `root` must be its own tree's root at `size`,
    /// consistent with everything signed before. A refusal halts the lane and makes
    /// `/health` answer 503.
    pub fn sign_checkpoint(
        &self,
        destination: &str,
        size: u64,
        root: &Hash,
    ) -> Result<SignedCheckpoint, AttestError> {
        let mut core = self.engine.core();
        self.engine.sign_locked(&mut core, destination, size, root)
    }

    /// What `GET /metrics` answers.
    pub fn metrics_text(&self) -> String {
        self.engine.shared.metrics.encode()
    }

    /// Waits (up to `timeout`) until a checkpoint of at least `size` is signed on the lane
    /// to `destination`, and returns the newest.
    pub async fn wait_for_checkpoint(
        &self,
        destination: &str,
        size: u64,
        timeout: Duration,
    ) -> Option<SignedCheckpoint> {
        self.wait_until(timeout, || {
            self.latest(destination)
                .filter(|signed| signed.size >= size)
        })
        .await
    }

    /// Waits (up to `timeout`) until `/health` answers 503, and returns what it says.
    pub async fn wait_until_unhealthy(&self, timeout: Duration) -> Option<Health> {
        self.wait_until(timeout, || {
            let (healthy, health) = self.engine.shared.health();
            (!healthy).then_some(health)
        })
        .await
    }

    /// Waits (up to `timeout`) until `check` gives something: checked on every change of
    /// what the attester signed or reported, and at least every 10 ms.
    pub async fn wait_until<T>(
        &self,
        timeout: Duration,
        check: impl Fn() -> Option<T>,
    ) -> Option<T> {
        let mut changed = self.engine.shared.subscribe();
        tokio::time::timeout(timeout, async {
            loop {
                changed.borrow_and_update();
                if let Some(found) = check() {
                    return found;
                }
                tokio::select! {
                    _ = changed.changed() => {}
                    _ = tokio::time::sleep(Duration::from_millis(10)) => {}
                }
            }
        })
        .await
        .ok()
    }

    /// Asks the tasks to stop (they finish their current step).
    pub fn shutdown(&self) {
        self.token.cancel();
    }

    /// Waits until both tasks have ended: after [`AttesterHandle::shutdown`], or once the
    /// token given to [`start`] is cancelled.
    pub async fn join(mut self) -> Result<(), ServiceError> {
        let poller = self.poller.take();
        let server = self.server.take();
        if let Some(poller) = poller {
            poller.await.map_err(|err| ServiceError::Task {
                task: "poll",
                reason: err.to_string(),
            })?;
        }
        if let Some(server) = server {
            server
                .await
                .map_err(|err| ServiceError::Task {
                    task: "HTTP server",
                    reason: err.to_string(),
                })?
                .map_err(ServiceError::Server)?;
        }
        Ok(())
    }

    /// Shuts down and waits for the tasks.
    pub async fn stop(self) -> Result<(), ServiceError> {
        self.shutdown();
        self.join().await
    }
}

/// Starts the attester with the key in `config.key_path` ([`crate::key`]).
pub async fn start(
    config: AttesterConfig,
    chain: Arc<dyn ChainClient>,
    shutdown: CancellationToken,
) -> Result<AttesterHandle, StartError> {
    config.validate()?;
    let key = load_key(&config.key_path)?;
    start_with_key(config, chain, key, shutdown).await
}

/// Starts the attester with `key` (`config.key_path` is not read): validates the
/// configuration, opens the store, reads the outbox's chain id and every lane's events,
/// fails closed if the store and the chain disagree, binds the HTTP server, then spawns
/// the poll loop and the server. Both stop when `shutdown` is cancelled (or the handle
/// is dropped).
pub async fn start_with_key(
    config: AttesterConfig,
    chain: Arc<dyn ChainClient>,
    key: AttesterKey,
    shutdown: CancellationToken,
) -> Result<AttesterHandle, StartError> {
    config.validate()?;
    let listen = config.listen_addr()?;
    let token = shutdown.child_token();
    let store = Store::open(&config.store_path, &key.pubkey())?;
    let outbox_config: ConfigResponse = tokio::select! {
        biased;
        _ = token.cancelled() => return Err(StartError::Cancelled),
        answer = ccmp_chain::query(&*chain, &config.outbox, &OutboxQuery::Config {}) => {
            answer.map_err(|source| StartError::Chain {
                what: format!("query the outbox {}'s config (field `outbox`)", config.outbox),
                source,
            })?
        }
    };
    let source_chain = outbox_config.chain_id;
    if let Some(configured) = &config.source_chain {
        if *configured != source_chain {
            return Err(StartError::SourceChainMismatch {
                configured: configured.clone(),
                outbox: source_chain,
            });
        }
    }
    let publisher = match &config.publish_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|err| {
                ConfigError::new(
                    "publish_dir",
                    format!("cannot create {}: {err}", dir.display()),
                )
            })?;
            Some(Publisher::new(dir))
        }
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|err| ConfigError::new("listen", format!("cannot listen on {listen}: {err}")))?;
    let local_addr = listener
        .local_addr()
        .map_err(|err| ConfigError::new("listen", format!("cannot listen on {listen}: {err}")))?;
    let shared = Shared::new(&source_chain, &config.lanes, config.keep_checkpoints);
    let lanes = config
        .lanes
        .iter()
        .map(|destination| {
            (
                destination.clone(),
                LaneState {
                    tree: LaneTree::new(&source_chain, destination),
                    pending: None,
                    verified: 0,
                    published: 0,
                    halted: None,
                },
            )
        })
        .collect();
    let engine = Arc::new(Engine {
        chain,
        outbox: config.outbox.clone(),
        source_chain,
        key,
        store,
        shared: Arc::clone(&shared),
        publisher,
        poll_interval: config.poll_interval(),
        blocks_per_request: config.blocks_per_request,
        requests_per_poll: config.requests_per_poll,
        core: Mutex::new(Core {
            next_height: config.start_height,
            lanes,
        }),
    });
    tokio::select! {
        biased;
        _ = token.cancelled() => return Err(StartError::Cancelled),
        started = engine.startup() => started?,
    }
    let server = tokio::spawn(crate::http::serve(
        listener,
        Arc::clone(&shared),
        token.clone(),
    ));
    let poller = tokio::spawn(poll_loop(Arc::clone(&engine), token.clone()));
    tracing::info!(target: "ccmp_attester", %local_addr, source_chain = %engine.source_chain, outbox = %engine.outbox, lanes = ?config.lanes, "attester started");
    Ok(AttesterHandle {
        engine,
        local_addr,
        token,
        poller: Some(poller),
        server: Some(server),
    })
}

/// Runs the attester until `shutdown` is cancelled: what `ccmp attest` does.
pub async fn run(
    config: AttesterConfig,
    chain: Arc<dyn ChainClient>,
    shutdown: CancellationToken,
) -> Result<(), ServiceError> {
    let handle = start(config, chain, shutdown.clone()).await?;
    shutdown.cancelled().await;
    handle.join().await
}

async fn poll_loop(engine: Arc<Engine>, token: CancellationToken) {
    loop {
        tokio::select! {
            biased;
            _ = token.cancelled() => break,
            _ = engine.poll_once() => {}
        }
        tokio::select! {
            biased;
            _ = token.cancelled() => break,
            _ = tokio::time::sleep(engine.poll_interval) => {}
        }
    }
    engine.shared.stop();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lane::tests::{message, send_event};

    #[test]
    fn claims_ahead_of_the_events_wait_and_the_smallest_is_kept() {
        let mut tree = LaneTree::new("a", "b");
        let mut ids = vec![];
        for nonce in 0..3 {
            let m = message("a", "b", nonce);
            ids.push(m.message_id().unwrap());
            tree.observe(&send_event(&m, &ids, "o")).unwrap();
        }
        let r3 = tree.root_at(3).unwrap();
        let mut lane = LaneState {
            tree,
            pending: None,
            verified: 0,
            published: 0,
            halted: None,
        };
        Engine::take_claim(&mut lane, 5, [5; 32]).unwrap();
        assert_eq!((lane.pending, lane.verified), (Some((5, [5; 32])), 0));
        Engine::take_claim(&mut lane, 6, [6; 32]).unwrap();
        assert_eq!(
            lane.pending,
            Some((5, [5; 32])),
            "the older, smaller claim stays"
        );
        Engine::take_claim(&mut lane, 4, [4; 32]).unwrap();
        assert_eq!(
            lane.pending,
            Some((4, [4; 32])),
            "a smaller claim replaces it"
        );
        Engine::take_claim(&mut lane, 3, r3).unwrap();
        assert_eq!((lane.pending, lane.verified), (Some((4, [4; 32])), 3));
        assert_eq!(
            Engine::take_claim(&mut lane, 2, [2; 32]).unwrap_err(),
            (2, [2; 32], lane.tree.root_at(2).unwrap())
        );
    }
}
