//! Bounded exponential backoff for transient failures.

use std::future::Future;
use std::time::Duration;

use ccmp_chain::ChainError;

use super::config::BackoffPolicy;

/// `initial`, doubling, at most `max` between tries; `max_attempts` tries in all. No
/// jitter: the delays are deterministic (several relayers of one lane are not in
/// lock-step anyway: they start at different times).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
    pub max_attempts: u32,
}

impl From<&BackoffPolicy> for Backoff {
    fn from(policy: &BackoffPolicy) -> Self {
        Backoff {
            initial: Duration::from_millis(policy.initial_ms),
            max: Duration::from_millis(policy.max_ms),
            max_attempts: policy.max_attempts,
        }
    }
}

impl Backoff {
    /// The wait after the `failures`-th consecutive failure (1 = the first).
    pub fn delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(32);
        self.initial
            .checked_mul(1u32 << doublings.min(31))
            .unwrap_or(self.max)
            .min(self.max)
    }

    /// Runs `op` until it succeeds, fails with an error that is not transient, or has
    /// been tried `max_attempts` times; waits [`Backoff::delay`] between tries.
    pub async fn retry<T, F, Fut>(&self, mut op: F) -> Result<T, ChainError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ChainError>>,
    {
        let mut failures = 0;
        loop {
            match op().await {
                Ok(value) => return Ok(value),
                Err(err) if err.is_transient() && failures + 1 < self.max_attempts => {
                    failures += 1;
                    tracing::debug!(%err, failures, "transient failure, backing off");
                    tokio::time::sleep(self.delay(failures)).await;
                }
                Err(err) => return Err(err),
            }
        }
    }
}
