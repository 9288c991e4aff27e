//! # ccmp-tests
//!
//! CCMP end to end in cw-multi-test: two chains ("chain-a" and "chain-b"), each with an
//! outbox, an inbox following the other chain's outbox and the pingpong dApp; three
//! attesters of mixed key types per direction; and a relayer built only from `ccmp-types`
//! and `ccmp-signer` that reads `ccmp_send` events, rebuilds each lane's tree, has the
//! attesters sign checkpoints and delivers proven batches.
//!
//! `tests/flows.rs` runs the protocol's scenarios; `tests/exploits.rs` replays the
//! failure classes of past bridge incidents against it.

use std::fmt::Display;

pub mod chain;
pub mod receiver;
pub mod relayer;
pub mod suite;

pub use chain::{deliver_outcomes, event_values, Chain, Outcome, SentMessage, Side};
pub use relayer::{concat, high_s_twin, mixed_attesters, sign_as, to_hex, LaneView};
pub use suite::{proposal_id, Snapshot, Suite, SuiteBuilder};

pub const CHAIN_A: &str = "chain-a";
pub const CHAIN_B: &str = "chain-b";
/// A third chain both outboxes can send to but no inbox here follows: another lane.
pub const CHAIN_C: &str = "chain-c";
/// The denom fees are charged in.
pub const DENOM: &str = "ucosm";
pub const OTHER_DENOM: &str = "uatom";

/// Checks that `outcome` failed with exactly `expected`: the contract error the chain
/// reports at the root of its error chain must equal the text of `expected`, not merely
/// contain it (an error of a later check that quotes the same words, such as a multiproof
/// error carrying "proof has N hashes, more than the limit of M", must not pass for it).
pub fn assert_error(outcome: Outcome, expected: impl Display) {
    let expected = expected.to_string();
    match outcome {
        Ok(response) => panic!("expected error {expected:?}, but the call succeeded: {response:?}"),
        Err(err) => assert_eq!(
            root_error(&err),
            expected,
            "expected error {expected:?}, got: {err}"
        ),
    }
}

/// The innermost error of a chain's error text: cw-multi-test reports an execution as
/// its context ("Error executing WasmMsg: …") followed by `kind: <kind>, error: <error>`
/// for each cause; the last is the contract's (or the deserializer's) own error.
pub fn root_error(err: &str) -> &str {
    const CAUSE: &str = ", error: ";
    match err.rfind("kind: ") {
        Some(start) => match err[start..].find(CAUSE) {
            Some(offset) => &err[start + offset + CAUSE.len()..],
            None => err,
        },
        None => err,
    }
}
