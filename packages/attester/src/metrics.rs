//! The attester's Prometheus metrics (`GET /metrics`, OpenMetrics text), all prefixed
//! `ccmp_attester_`:
//!
//! | metric | labels | what |
//! |---|---|---|
//! | `lanes_followed` | | lanes being followed and signed (a halted lane no longer counts) |
//! | `signed_size` | `source_chain`, `destination_chain` | the newest size signed on the lane |
//! | `checkpoints_signed_total` | `source_chain`, `destination_chain` | signatures made |
//! | `events_read_total` | | outbox events read from the chain |
//! | `height` | | the last block whose events were processed |
//! | `errors_total` | `class` | failures: `chain` (the node; retried), `event` (an event that does not check out; the lane halts), `outbox_mismatch` (the outbox's stored root differs from the events'; the lane halts), `store` (the store could not be written; nothing is published), `publish` (the publish directory could not be written) |
//! | `refusals_total` | `destination_chain`, `reason` | signatures refused ([`crate::Refusal::reason`]) |
//! | `healthy` | | 1 while `/health` answers 200, 0 once it answers 503 |

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LaneLabels {
    pub source_chain: String,
    pub destination_chain: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ErrorLabels {
    pub class: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RefusalLabels {
    pub destination_chain: String,
    pub reason: String,
}

pub struct Metrics {
    registry: Registry,
    pub lanes_followed: Gauge,
    pub signed_size: Family<LaneLabels, Gauge>,
    pub checkpoints_signed: Family<LaneLabels, Counter>,
    pub events_read: Counter,
    pub height: Gauge,
    pub errors: Family<ErrorLabels, Counter>,
    pub refusals: Family<RefusalLabels, Counter>,
    pub healthy: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("ccmp_attester");
        let metrics = Metrics {
            registry: Registry::default(),
            lanes_followed: Gauge::default(),
            signed_size: Family::default(),
            checkpoints_signed: Family::default(),
            events_read: Counter::default(),
            height: Gauge::default(),
            errors: Family::default(),
            refusals: Family::default(),
            healthy: Gauge::default(),
        };
        registry.register(
            "lanes_followed",
            "Lanes followed and signed",
            metrics.lanes_followed.clone(),
        );
        registry.register(
            "signed_size",
            "The newest checkpoint size signed per lane",
            metrics.signed_size.clone(),
        );
        registry.register(
            "checkpoints_signed",
            "Checkpoint signatures made",
            metrics.checkpoints_signed.clone(),
        );
        registry.register(
            "events_read",
            "Outbox events read from the chain",
            metrics.events_read.clone(),
        );
        registry.register(
            "height",
            "The last block whose outbox events were processed",
            metrics.height.clone(),
        );
        registry.register("errors", "Failures by class", metrics.errors.clone());
        registry.register(
            "refusals",
            "Signatures refused, by lane and reason",
            metrics.refusals.clone(),
        );
        registry.register(
            "healthy",
            "1 while healthy, 0 once failed closed",
            metrics.healthy.clone(),
        );
        Metrics {
            registry,
            ..metrics
        }
    }

    pub fn error(&self, class: &str) {
        self.errors
            .get_or_create(&ErrorLabels {
                class: class.to_string(),
            })
            .inc();
    }

    /// The OpenMetrics text of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// A u64 as a gauge value (saturating).
pub(crate) fn gauge_value(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
