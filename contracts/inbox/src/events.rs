//! Every event and attribute key the inbox emits, in one place. The keys are a public
//! interface (relayers, indexers and monitors read them; README lists them): never rename
//! one. On chain each type gets the `wasm-` prefix.

use ccmp_types::{AttesterSet, Hash, MessageStatus};
use cosmwasm_std::{Event, HexBinary};

pub const CHECKPOINT_EVENT: &str = "ccmp_checkpoint";
pub const SOURCE_FROZEN_EVENT: &str = "ccmp_source_frozen";
pub const ATTESTERS_EVENT: &str = "ccmp_attesters";
pub const DELIVER_EVENT: &str = "ccmp_deliver";
pub const RETRY_EVENT: &str = "ccmp_retry";

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

/// Two attested roots for one size: the evidence that froze the source.
pub fn source_frozen(
    source_chain: &str,
    size: u64,
    stored_root: &Hash,
    conflicting_root: &Hash,
    epoch: u64,
) -> Event {
    Event::new(SOURCE_FROZEN_EVENT)
        .add_attribute("source_chain", source_chain)
        .add_attribute("size", size.to_string())
        .add_attribute("stored_root", hex(stored_root))
        .add_attribute("conflicting_root", hex(conflicting_root))
        .add_attribute("epoch", epoch.to_string())
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
