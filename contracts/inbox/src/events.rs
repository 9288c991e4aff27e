//! Every event and attribute key the inbox emits, in one place. The keys are a public
//! interface (relayers, indexers and monitors read them; README lists them): never rename
//! one. On chain each type gets the `wasm-` prefix.

use ccmp_types::{AttesterSet, Hash, MessageStatus};
use cosmwasm_std::{Attribute, Event, Timestamp};

use crate::msg::{Freeze, FreezeCause, TrustChange};

pub const CHECKPOINT_EVENT: &str = "ccmp_checkpoint";
pub const SOURCE_FROZEN_EVENT: &str = "ccmp_source_frozen";
pub const ATTESTERS_EVENT: &str = "ccmp_attesters";
pub const DELIVER_EVENT: &str = "ccmp_deliver";
pub const RETRY_EVENT: &str = "ccmp_retry";
pub const SOURCE_UNFROZEN_EVENT: &str = "ccmp_source_unfrozen";
pub const PROPOSAL_EVENT: &str = "ccmp_proposal";

/// Lower-case hex, as `HexBinary::to_hex`, written straight into one sized string.
fn hex(hash: &Hash) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * hash.len());
    for &byte in hash {
        out.push(char::from(DIGITS[(byte >> 4) as usize]));
        out.push(char::from(DIGITS[(byte & 0xf) as usize]));
    }
    out
}

/// A decimal number, as `u64::to_string`, without the formatting machinery.
fn decimal(mut n: u64) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits[at..].iter().map(|&d| char::from(d)).collect()
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
/// One per delivered message, so built with its attribute list allocated once.
pub fn deliver(
    source_chain: &str,
    nonce: u64,
    message_id: &Hash,
    status: &str,
    error: Option<&str>,
) -> Event {
    let mut attributes = Vec::with_capacity(4 + usize::from(error.is_some()));
    attributes.push(Attribute::new("source_chain", source_chain));
    attributes.push(Attribute::new("nonce", decimal(nonce)));
    attributes.push(Attribute::new("message_id", hex(message_id)));
    attributes.push(Attribute::new("status", status));
    if let Some(error) = error {
        attributes.push(Attribute::new("error", error));
    }
    let mut event = Event::new(DELIVER_EVENT);
    event.attributes = attributes;
    event
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

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::HexBinary;

    #[test]
    fn hex_and_decimal_are_the_usual_forms() {
        for hash in [
            [0u8; 32],
            [0xff; 32],
            core::array::from_fn(|i| (i as u8).wrapping_mul(37)),
        ] {
            assert_eq!(hex(&hash), HexBinary::from(&hash).to_hex());
        }
        for n in [0u64, 7, 10, 524_263, u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }

    #[test]
    fn the_deliver_event_is_what_the_builder_makes() {
        let id = [7u8; 32];
        for error in [None, Some("receiver refuses")] {
            let mut expected = Event::new(DELIVER_EVENT)
                .add_attribute("source_chain", "chain-a")
                .add_attribute("nonce", "42")
                .add_attribute("message_id", HexBinary::from(&id).to_hex())
                .add_attribute("status", "failed");
            if let Some(error) = error {
                expected = expected.add_attribute("error", error);
            }
            assert_eq!(deliver("chain-a", 42, &id, "failed", error), expected);
        }
    }
}
