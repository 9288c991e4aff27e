//! Every event and attribute key the inbox emits, in one place. The keys are a public
//! interface (relayers, indexers and monitors read them; README lists them): never rename
//! one. On chain each type gets the `wasm-` prefix.

use ccmp_types::{AttesterSet, Hash, MessageStatus};
use cosmwasm_std::{Event, HexBinary, Timestamp};

use crate::msg::{Freeze, FreezeCause, TrustChange};

pub const CHECKPOINT_EVENT: &str = "ccmp_checkpoint";
pub const SOURCE_FROZEN_EVENT: &str = "ccmp_source_frozen";
pub const ATTESTERS_EVENT: &str = "ccmp_attesters";
pub const DELIVER_EVENT: &str = "ccmp_deliver";
pub const RETRY_EVENT: &str = "ccmp_retry";
pub const SOURCE_UNFROZEN_EVENT: &str = "ccmp_source_unfrozen";
pub const PROPOSAL_EVENT: &str = "ccmp_proposal";

fn hex(hash: &Hash) -> String {
    HexBinary::from(hash).to_hex()
}

pub fn status_name(status: MessageStatus) -> &'static str {
    match status {
        MessageStatus::Unknown => "unknown",
        MessageStatus::Delivered => "delivered",
        MessageStatus::Failed => "failed",
        MessageStatus::TimedOut => "timed_out",
    }
}

/// A checkpoint joined the source's light client.
pub fn checkpoint(source_chain: &str, size: u64, root: &Hash, previous_size: u64) -> Event {
    Event::new(CHECKPOINT_EVENT)
        .add_attribute("source_chain", source_chain)
        .add_attribute("size", size.to_string())
        .add_attribute("root", hex(root))
        .add_attribute("previous_size", previous_size.to_string())
}

/// A source froze. `cause` is `equivocation` (with the evidence: the stored checkpoint
/// and the attested one, and the two roots that disagree at `size`, the smallest disputed
/// size) or `owner` (`size` is then the latest checkpoint size).
pub fn source_frozen(source_chain: &str, freeze: &Freeze) -> Event {
    let event = Event::new(SOURCE_FROZEN_EVENT)
        .add_attribute("source_chain", source_chain)
        .add_attribute("size", freeze.max_rollback_to.to_string())
        .add_attribute("epoch", freeze.epoch.to_string());
    match &freeze.cause {
        FreezeCause::Equivocation {
            stored_size,
            stored_root,
            conflicting_size,
            conflicting_root,
        } => event
            .add_attribute("cause", "equivocation")
            .add_attribute("stored_size", stored_size.to_string())
            .add_attribute("stored_root", stored_root.to_hex())
            .add_attribute("conflicting_size", conflicting_size.to_string())
            .add_attribute("conflicting_root", conflicting_root.to_hex()),
        FreezeCause::Owner {} => event.add_attribute("cause", "owner"),
    }
}

/// A freeze lifted: the light client now continues from `rollback_to` in `generation`.
pub fn source_unfrozen(source_chain: &str, rollback_to: u64, generation: u32, epoch: u64) -> Event {
    Event::new(SOURCE_UNFROZEN_EVENT)
        .add_attribute("source_chain", source_chain)
        .add_attribute("rollback_to", rollback_to.to_string())
        .add_attribute("generation", generation.to_string())
        .add_attribute("epoch", epoch.to_string())
}

/// A change of trust was `proposed`, `executed` or `cancelled`. `change` is
/// `add_source`, `set_attesters` or `unfreeze`.
pub fn proposal(action: &str, id: u64, change: &TrustChange, executable_at: Timestamp) -> Event {
    let (kind, source_chain) = match change {
        TrustChange::AddSource(config) => ("add_source", config.chain.as_str()),
        TrustChange::SetAttesters { source_chain, .. } => ("set_attesters", source_chain.as_str()),
        TrustChange::Unfreeze { source_chain, .. } => ("unfreeze", source_chain.as_str()),
    };
    Event::new(PROPOSAL_EVENT)
        .add_attribute("action", action)
        .add_attribute("id", id.to_string())
        .add_attribute("change", kind)
        .add_attribute("source_chain", source_chain)
        .add_attribute("executable_at", executable_at.seconds().to_string())
}

/// A source's attester set changed: `by` is `rotation` (signed by the old set) or `owner`.
pub fn attesters(source_chain: &str, epoch: u64, set: &AttesterSet, by: &str) -> Event {
    Event::new(ATTESTERS_EVENT)
        .add_attribute("source_chain", source_chain)
        .add_attribute("epoch", epoch.to_string())
        .add_attribute("attesters", set.attesters.len().to_string())
        .add_attribute("threshold", set.threshold.to_string())
        .add_attribute("by", by)
}

/// What happened to one message. `skipped` marks an item that was already processed.
pub fn deliver(
    source_chain: &str,
    nonce: u64,
    message_id: &Hash,
    status: &str,
    error: Option<&str>,
) -> Event {
    let event = Event::new(DELIVER_EVENT)
        .add_attribute("source_chain", source_chain)
        .add_attribute("nonce", nonce.to_string())
        .add_attribute("message_id", hex(message_id))
        .add_attribute("status", status);
    match error {
        Some(error) => event.add_attribute("error", error),
        None => event,
    }
}

/// A failed message dispatched again (`status` delivered) or found timed out.
pub fn retry(
    source_chain: &str,
    nonce: u64,
    message_id: &Hash,
    attempts: u32,
    status: MessageStatus,
) -> Event {
    Event::new(RETRY_EVENT)
        .add_attribute("source_chain", source_chain)
        .add_attribute("nonce", nonce.to_string())
        .add_attribute("message_id", hex(message_id))
        .add_attribute("attempts", attempts.to_string())
        .add_attribute("status", status_name(status))
}
