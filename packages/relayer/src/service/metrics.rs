//! The relayer's Prometheus metrics (`prometheus-client`), every one per lane.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LaneLabels {
    pub source: String,
    pub destination: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ClassLabels {
    pub source: String,
    pub destination: String,
    pub class: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    pub source: String,
    pub destination: String,
    /// `checkpoint`, `deliver` or `retry`.
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AttesterLabels {
    pub source: String,
    pub destination: String,
    pub attester: String,
    pub problem: String,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 10 ms to about 80 s.
    Histogram::new(exponential_buckets(0.01, 2.0, 14))
}

/// All metrics of one relayer process (`ccmp_relayer_*`).
pub struct Metrics {
    registry: Registry,
    /// The source lane's size as followed (messages sent).
    pub sent: Family<LaneLabels, Gauge>,
    /// The inbox's latest checkpoint size (messages attested).
    pub attested: Family<LaneLabels, Gauge>,
    /// Messages not known to be processed by the inbox.
    pub pending: Family<LaneLabels, Gauge>,
    /// Messages whose bytes the process holds (the others only as their 32-byte ids).
    pub held: Family<LaneLabels, Gauge>,
    /// 1 while the inbox has the source frozen.
    pub frozen: Family<LaneLabels, Gauge>,
    /// Outcomes of this process's deliveries (the inbox's `ccmp_deliver` statuses).
    pub delivered: Family<LaneLabels, Counter>,
    pub failed: Family<LaneLabels, Counter>,
    pub timed_out: Family<LaneLabels, Counter>,
    /// Messages in this process's batches the inbox had already processed.
    pub skipped: Family<LaneLabels, Counter>,
    pub checkpoints: Family<LaneLabels, Counter>,
    pub retried: Family<LaneLabels, Counter>,
    /// Messages set aside for a round because delivering them alone failed.
    pub isolated: Family<LaneLabels, Counter>,
    pub errors: Family<ClassLabels, Counter>,
    pub attester_problems: Family<AttesterLabels, Counter>,
    /// Seconds from broadcasting a transaction to its inclusion.
    pub submission_seconds: HistogramFamily<KindLabels>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("ccmp_relayer");
        let metrics = Metrics {
            sent: Family::default(),
            attested: Family::default(),
            pending: Family::default(),
            held: Family::default(),
            frozen: Family::default(),
            delivered: Family::default(),
            failed: Family::default(),
            timed_out: Family::default(),
            skipped: Family::default(),
            checkpoints: Family::default(),
            retried: Family::default(),
            isolated: Family::default(),
            errors: Family::default(),
            attester_problems: Family::default(),
            submission_seconds: Family::new_with_constructor(latency_histogram),
            registry: Registry::default(),
        };
        registry.register(
            "lane_sent",
            "Messages on the source lane as followed",
            metrics.sent.clone(),
        );
        registry.register(
            "lane_attested",
            "The inbox's latest checkpoint size",
            metrics.attested.clone(),
        );
        registry.register(
            "lane_pending",
            "Messages not known to be processed by the inbox",
            metrics.pending.clone(),
        );
        registry.register(
            "lane_held",
            "Messages whose bytes the relayer holds: not known to be processed, or failed and waiting for a retry",
            metrics.held.clone(),
        );
        registry.register(
            "lane_frozen",
            "1 while the inbox has the source frozen",
            metrics.frozen.clone(),
        );
        registry.register(
            "messages_delivered",
            "Messages this relayer delivered",
            metrics.delivered.clone(),
        );
        registry.register(
            "messages_failed",
            "Messages this relayer dispatched whose receiver failed",
            metrics.failed.clone(),
        );
        registry.register(
            "messages_timed_out",
            "Messages this relayer brought in past their timeout",
            metrics.timed_out.clone(),
        );
        registry.register(
            "messages_skipped",
            "Messages of this relayer's batches that the inbox had already processed",
            metrics.skipped.clone(),
        );
        registry.register(
            "checkpoints_submitted",
            "Checkpoints this relayer stored in the inbox",
            metrics.checkpoints.clone(),
        );
        registry.register(
            "messages_retried",
            "Failed messages this relayer retried",
            metrics.retried.clone(),
        );
        registry.register(
            "messages_isolated",
            "Messages set aside for a round because delivering them alone failed",
            metrics.isolated.clone(),
        );
        registry.register("errors", "Errors by class", metrics.errors.clone());
        registry.register(
            "attester_problems",
            "Attester answers dropped, by attester and problem",
            metrics.attester_problems.clone(),
        );
        registry.register(
            "submission_seconds",
            "Seconds from broadcasting a transaction to its inclusion",
            metrics.submission_seconds.clone(),
        );
        Metrics {
            registry,
            ..metrics
        }
    }

    /// The Prometheus text exposition (OpenMetrics).
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

pub(crate) fn lane_labels(source: &str, destination: &str) -> LaneLabels {
    LaneLabels {
        source: source.to_string(),
        destination: destination.to_string(),
    }
}
