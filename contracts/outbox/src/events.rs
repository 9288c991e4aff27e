//! Every event and attribute key the outbox emits, in one place. The keys are a public
//! interface (relayers and indexers read them; README lists them): never rename one.

use ccmp_types::{Hash, Message};
use cosmwasm_std::{Event, HexBinary};

use crate::state::Lane;

pub const SEND_EVENT: &str = "ccmp_send";

/// `ccmp_send`: everything a relayer needs to prove the message, with `message` the hex
/// of the exact bytes whose id was appended, so nobody has to re-encode to check it.
pub fn send(message: &Message, message_bytes: &[u8], message_id: &Hash, lane: &Lane) -> Event {
    Event::new(SEND_EVENT)
        .add_attribute("destination_chain", &message.destination_chain)
        .add_attribute("nonce", message.nonce.to_string())
        .add_attribute("message_id", HexBinary::from(message_id).to_hex())
        .add_attribute("sender", &message.sender)
        .add_attribute("recipient", &message.recipient)
        .add_attribute("size", lane.size.to_string())
        .add_attribute("root", HexBinary::from(&lane.root).to_hex())
        .add_attribute("message", HexBinary::from(message_bytes).to_hex())
}
