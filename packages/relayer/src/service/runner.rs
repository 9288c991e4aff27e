//! Starting, watching and stopping the service: one task per lane, and the HTTP server of
//! `/metrics` and `/health`.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use ccmp_chain::ChainClient;
use serde::Serialize;
use thiserror::Error;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::config::{ConfigError, RelayerConfig};
use super::lane::{LaneState, LaneStatus, LaneWorker};
use super::metrics::Metrics;

#[derive(Error, Debug)]
pub enum ServiceError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot serve metrics on {address}: {reason}")]
    Bind { address: SocketAddr, reason: String },
    #[error("lane {lane}: {reason}")]
    Lane { lane: usize, reason: String },
}

/// What the lanes' tasks and the HTTP server share.
struct Shared {
    statuses: Mutex<Vec<(LaneStatus, Instant)>>,
    changed: watch::Sender<u64>,
    metrics: Arc<Metrics>,
    /// A lane whose last iteration ended longer ago than this is reported stalled.
    stall_after: Duration,
}

impl Shared {
    fn publish(&self, lane: usize, status: LaneStatus) {
        {
            let mut statuses = self.statuses.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(slot) = statuses.get_mut(lane) {
                *slot = (status, Instant::now());
            }
        }
        self.changed.send_modify(|version| *version += 1);
    }

    fn statuses(&self) -> Vec<LaneStatus> {
        self.statuses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(status, _)| status.clone())
            .collect()
    }

    fn health(&self) -> Health {
        let statuses = self.statuses.lock().unwrap_or_else(|p| p.into_inner());
        let mut status = "ok";
        let mut problems = vec![];
        for (lane, published) in statuses.iter() {
            let name = format!("{} -> {}", lane.source_chain, lane.destination_chain);
            match &lane.state {
                LaneState::Halted { reason } => {
                    status = "failing";
                    problems.push(format!("{name}: halted: {reason}"));
                }
                LaneState::Stopped => {
                    status = "failing";
                    problems.push(format!("{name}: stopped"));
                }
                LaneState::Frozen { reason } => {
                    if status == "ok" {
                        status = "degraded";
                    }
                    problems.push(format!("{name}: {reason}"));
                }
                LaneState::Diverged { size, .. } => {
                    if status == "ok" {
                        status = "degraded";
                    }
                    problems.push(format!(
                        "{name}: the inbox's checkpoint {size} is not the lane's history"
                    ));
                }
                LaneState::WaitingForAttesters { weight, threshold } => {
                    if status == "ok" {
                        status = "degraded";
                    }
                    problems.push(format!(
                        "{name}: attesters sign {weight} of the {threshold} weight needed"
                    ));
                }
                LaneState::Starting | LaneState::Running => {}
            }
            if published.elapsed() > self.stall_after
                && !matches!(lane.state, LaneState::Halted { .. } | LaneState::Stopped)
            {
                status = "failing";
                problems.push(format!(
                    "{name}: no iteration finished for {} s",
                    published.elapsed().as_secs()
                ));
            }
        }
        Health {
            status: status.to_string(),
            problems,
            lanes: statuses.iter().map(|(s, _)| s.clone()).collect(),
        }
    }
}

/// The `/health` answer: 200 while every lane's loop runs (`ok`, or `degraded` with a
/// frozen source, a diverged checkpoint or too few attesters: not the relayer's to fix),
/// 503 (`failing`) once a lane halted, stopped or stalled.
#[derive(Clone, Debug, Serialize)]
pub struct Health {
    pub status: String,
    pub problems: Vec<String>,
    pub lanes: Vec<LaneStatus>,
}

/// A running relay service.
pub struct RelayerHandle {
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    lanes: Vec<JoinHandle<()>>,
    server: Option<JoinHandle<()>>,
    metrics_address: Option<SocketAddr>,
}

/// Validates `config`, binds the metrics address (if any) and starts one task per lane,
/// each reaching its source and destination chains through `chains` (by chain id). Must
/// be called inside a tokio runtime.
pub async fn start(
    config: RelayerConfig,
    chains: &HashMap<String, Arc<dyn ChainClient>>,
) -> Result<RelayerHandle, ServiceError> {
    config.validate()?;
    let chain_for = |lane: usize, field: &str, chain_id: &str| {
        let client = chains.get(chain_id).ok_or_else(|| {
            ConfigError::new(
                format!("lanes[{lane}].{field}"),
                format!("no chain client for {chain_id:?}"),
            )
        })?;
        if client.chain_id() != chain_id {
            return Err(ConfigError::new(
                format!("lanes[{lane}].{field}"),
                format!(
                    "the client given for {chain_id:?} is for chain {:?}",
                    client.chain_id()
                ),
            ));
        }
        Ok(Arc::clone(client))
    };
    let metrics = Arc::new(Metrics::new());
    let mut workers = vec![];
    for (i, lane) in config.lanes.iter().enumerate() {
        let source = chain_for(i, "source_chain", &lane.source_chain)?;
        let destination = chain_for(i, "destination_chain", &lane.destination_chain)?;
        let worker = LaneWorker::new(&config, i, source, destination, Arc::clone(&metrics))
            .map_err(|reason| ServiceError::Lane { lane: i, reason })?;
        workers.push(worker);
    }
    let poll = config.poll_interval();
    let (changed, _) = watch::channel(0);
    let shared = Arc::new(Shared {
        statuses: Mutex::new(
            workers
                .iter()
                .map(|w| (w.status().clone(), Instant::now()))
                .collect(),
        ),
        changed,
        metrics,
        stall_after: (poll * 20).max(Duration::from_secs(120)),
    });
    let (shutdown, _) = watch::channel(false);
    let server = match config.metrics_socket()? {
        Some(address) => {
            let listener = tokio::net::TcpListener::bind(address)
                .await
                .map_err(|err| ServiceError::Bind {
                    address,
                    reason: err.to_string(),
                })?;
            let bound = listener.local_addr().map_err(|err| ServiceError::Bind {
                address,
                reason: err.to_string(),
            })?;
            let app = router(Arc::clone(&shared));
            let mut stop = shutdown.subscribe();
            let task = tokio::spawn(async move {
                let served = crate::http::serve(listener, app, async move {
                    let _ = stop.wait_for(|stopped| *stopped).await;
                })
                .await;
                if let Err(err) = served {
                    tracing::error!(%err, "metrics server stopped");
                }
            });
            tracing::info!(address = %bound, "serving /metrics and /health");
            Some((task, bound))
        }
        None => None,
    };
    let lanes = workers
        .into_iter()
        .enumerate()
        .map(|(i, worker)| {
            tokio::spawn(run_lane(
                worker,
                Arc::clone(&shared),
                i,
                poll,
                shutdown.subscribe(),
            ))
        })
        .collect();
    let (server, metrics_address) = match server {
        Some((task, address)) => (Some(task), Some(address)),
        None => (None, None),
    };
    Ok(RelayerHandle {
        shared,
        shutdown,
        lanes,
        server,
        metrics_address,
    })
}

/// Runs the service until `shutdown` completes, then stops it (what `ccmp relay` does
/// with ctrl-c).
pub async fn run(
    config: RelayerConfig,
    chains: &HashMap<String, Arc<dyn ChainClient>>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServiceError> {
    let handle = start(config, chains).await?;
    shutdown.await;
    handle.shutdown().await;
    Ok(())
}

async fn run_lane(
    mut worker: LaneWorker,
    shared: Arc<Shared>,
    index: usize,
    poll: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let backoff = worker.backoff();
    let mut failures = 0u32;
    loop {
        if *shutdown.borrow() {
            break;
        }
        let result = tokio::select! {
            biased;
            _ = shutdown.changed() => break,
            result = worker.step() => result,
        };
        worker.finish_iteration(&result);
        let wait = match &result {
            Ok(report) => {
                failures = 0;
                if report.behind {
                    Duration::ZERO
                } else {
                    poll
                }
            }
            Err(err) => {
                failures += 1;
                tracing::warn!(
                    source = %worker.status().source_chain,
                    destination = %worker.status().destination_chain,
                    class = err.class().as_str(),
                    %err,
                    "iteration failed"
                );
                backoff.delay(failures).max(poll)
            }
        };
        shared.publish(index, worker.status().clone());
        if matches!(worker.status().state, LaneState::Halted { .. }) {
            tracing::error!(
                source = %worker.status().source_chain,
                destination = %worker.status().destination_chain,
                "lane halted"
            );
            return;
        }
        if wait.is_zero() {
            tokio::task::yield_now().await;
            continue;
        }
        tokio::select! {
            biased;
            _ = shutdown.changed() => break,
            _ = tokio::time::sleep(wait) => {}
        }
    }
    worker.set_state(LaneState::Stopped);
    shared.publish(index, worker.status().clone());
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/metrics", get(metrics_handler))
        .route("/health", get(health_handler))
        .with_state(shared)
}

async fn metrics_handler(State(shared): State<Arc<Shared>>) -> Response {
    crate::http::metrics_response(shared.metrics.encode())
}

async fn health_handler(State(shared): State<Arc<Shared>>) -> Response {
    let health = shared.health();
    crate::http::health_response(health.status != "failing", &health)
}

impl RelayerHandle {
    /// Where `/metrics` and `/health` are served (the bound port, for `:0`).
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics_address
    }

    /// Every lane's status, in configuration order.
    pub fn statuses(&self) -> Vec<LaneStatus> {
        self.shared.statuses()
    }

    pub fn status(&self, source_chain: &str, destination_chain: &str) -> Option<LaneStatus> {
        self.statuses()
            .into_iter()
            .find(|s| s.source_chain == source_chain && s.destination_chain == destination_chain)
    }

    /// What `/health` answers.
    pub fn health(&self) -> Health {
        self.shared.health()
    }

    pub fn metrics(&self) -> Arc<Metrics> {
        Arc::clone(&self.shared.metrics)
    }

    /// Waits until `condition` holds for the lanes' statuses (checked at every status
    /// change), or `timeout`: `Err` with the last statuses then.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        mut condition: impl FnMut(&[LaneStatus]) -> bool,
    ) -> Result<Vec<LaneStatus>, Vec<LaneStatus>> {
        let mut changed = self.shared.changed.subscribe();
        let waited = tokio::time::timeout(timeout, async {
            loop {
                let statuses = self.statuses();
                if condition(&statuses) {
                    return statuses;
                }
                if changed.changed().await.is_err() {
                    // The sender lives in `shared`, as long as `self`.
                    tokio::task::yield_now().await;
                }
            }
        })
        .await;
        waited.map_err(|_| self.statuses())
    }

    /// Whether every lane's task has ended (halted or stopped).
    pub fn is_finished(&self) -> bool {
        self.lanes.iter().all(JoinHandle::is_finished)
    }

    /// Signals shutdown and waits for every task, at most `timeout` (then aborts them).
    pub async fn shutdown_within(self, timeout: Duration) {
        let _ = self.shutdown.send(true);
        let mut tasks = self.lanes;
        tasks.extend(self.server);
        let deadline = tokio::time::Instant::now() + timeout;
        for mut task in tasks {
            if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
                task.abort();
            }
        }
    }

    /// Signals shutdown and waits (at most 30 s) for the tasks to end.
    pub async fn shutdown(self) {
        self.shutdown_within(Duration::from_secs(30)).await;
    }

    /// Kills every task at once, wherever it is (mid-batch included): what a crash does.
    pub fn abort(self) {
        for task in self.lanes.iter().chain(self.server.iter()) {
            task.abort();
        }
    }
}
