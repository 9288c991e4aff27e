//! Batch building and sizing: `deliver_batch` with one §8 multiproof (for one message too),
//! sized by simulation against the gas cap and the chain's limits.

use std::future::Future;

use ccmp_chain::ChainError;
use ccmp_inbox::msg::ExecuteMsg as InboxExecuteMsg;
use ccmp_types::{MessageError, MultiproofError};
use thiserror::Error;

use super::classify::{classify, ErrorClass};
use super::config::GasPolicy;
use crate::{LaneFollower, RelayError};

/// Why a delivery could not be built (the relayer asked for something its lane cannot
/// prove: a bug, never the chain's doing).
#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum BuildError {
    #[error(transparent)]
    Relay(#[from] RelayError),
    #[error(transparent)]
    Multiproof(#[from] MultiproofError),
    #[error(transparent)]
    Message(#[from] MessageError),
}

/// What the relayer sends for `nonces` (strictly increasing, below `checkpoint_size`): the
/// form [`LaneFollower::delivery`] picks, one `deliver_batch` with one §8 multiproof (each
/// message as its exact `message_bytes`), for a single message too (fewer bytes and less
/// inbox gas than `deliver` with its inclusion proof, BENCHMARKS.md). A contiguous range
/// goes through [`LaneFollower::delivery`] itself, any other set through
/// [`LaneFollower::deliver_batch`] (the same message).
pub fn delivery_msg(
    lane: &LaneFollower,
    nonces: &[u64],
    checkpoint_size: u64,
) -> Result<InboxExecuteMsg, BuildError> {
    let contiguous = nonces
        .windows(2)
        .all(|pair| pair[1] == pair[0].wrapping_add(1));
    match (nonces.first(), nonces.last()) {
        (Some(&from), Some(&last)) if contiguous && last < u64::MAX => {
            Ok(lane.delivery(from, last + 1, checkpoint_size)?)
        }
        // Empty or unordered: refused by the multiproof, as the inbox would.
        _ => Ok(lane.deliver_batch(nonces, checkpoint_size)?),
    }
}

/// `simulated` × `multiplier` (rounded up) + `receiver_gas`, clamped to `max`.
pub fn gas_limit(simulated: u64, multiplier: f64, receiver_gas: u64, max: u64) -> u64 {
    let margin = (simulated as f64 * multiplier).ceil();
    let margin = if margin >= u64::MAX as f64 {
        u64::MAX
    } else {
        margin as u64
    };
    margin.saturating_add(receiver_gas).min(max)
}

/// The most messages whose receiver gas limits alone leave room for the inbox's own work
/// under `max_gas_per_tx` (at least 1): the inbox applies each receiver's limit only when
/// the transaction has that much gas left, so a batch must carry them all.
pub fn max_batch_by_receivers(receive_gas_limit: u64, max_gas_per_tx: u64) -> usize {
    // Keep a fifth of the cap for the inbox itself, the checkpoint reads and proofs.
    let room = max_gas_per_tx - max_gas_per_tx / 5;
    usize::try_from(room / receive_gas_limit.max(1))
        .unwrap_or(usize::MAX)
        .max(1)
}

/// A batch that fits: its first `len` messages, with their gas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SizedBatch {
    pub len: usize,
    pub simulated: u64,
    pub gas_limit: u64,
}

/// Why no prefix of the batch could be sized: the simulation of the first `len`
/// messages failed with `error` (or one message alone needs more than the cap).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SizingFailure {
    pub len: usize,
    pub class: ErrorClass,
    pub error: ChainError,
}

/// Finds the longest prefix (of at most `max_len` messages, halving) that simulates
/// within the policy: `simulate(len)` simulates the first `len` messages. A prefix is
/// halved while its simulation is above `max_gas_per_tx`, its gas limit (simulated ×
/// multiplier + `len` × `receive_gas_limit`) would be, or its simulation fails for size
/// (too many items, out of gas). A lone message whose limit would exceed the cap is sent
/// with the cap; one whose simulation alone is above it cannot be sent. At most
/// log2(`max_len`) + 1 simulations.
pub async fn fit_batch<F, Fut>(
    max_len: usize,
    policy: &GasPolicy,
    receive_gas_limit: u64,
    mut simulate: F,
) -> Result<SizedBatch, SizingFailure>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<u64, ChainError>>,
{
    let cap = policy.max_gas_per_tx;
    let mut len = max_len
        .min(max_batch_by_receivers(receive_gas_limit, cap))
        .max(1);
    loop {
        let receivers = receive_gas_limit.saturating_mul(len as u64);
        match simulate(len).await {
            Ok(simulated) => {
                let wanted = gas_limit(simulated, policy.multiplier, receivers, u64::MAX);
                if len > 1 && wanted > cap {
                    len /= 2;
                    continue;
                }
                if simulated > cap {
                    return Err(SizingFailure {
                        len,
                        class: ErrorClass::BatchTooLarge,
                        error: ChainError::SimulationFailed {
                            log: format!(
                                "one message simulates at {simulated} gas, above max_gas_per_tx {cap}"
                            ),
                        },
                    });
                }
                return Ok(SizedBatch {
                    len,
                    simulated,
                    gas_limit: wanted.min(cap),
                });
            }
            Err(error) => {
                let class = classify(&error);
                if class.is_size() && len > 1 {
                    len /= 2;
                    continue;
                }
                return Err(SizingFailure { len, class, error });
            }
        }
    }
}
