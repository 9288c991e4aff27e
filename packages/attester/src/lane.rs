//! One lane as the attester follows it: [`ccmp_relayer::LaneFollower`] takes in the
//! outbox's `ccmp_send` events (decoding each message from its exact bytes, checking its
//! nonce and the root the outbox announced), and beside it the attester recomputes the
//! root at every size with its own frontier, so it can sign, or check against what it
//! signed, any size it has seen in O(1).

use ccmp_relayer::{LaneFollower, RelayError};
use ccmp_types::{Frontier, Hash, EMPTY_ROOT};
use cosmwasm_std::{Event, HexBinary};

use crate::store::PrefixRoots;

/// A lane's tree as rebuilt from the outbox's events.
#[derive(Debug, Clone)]
pub struct LaneTree {
    follower: LaneFollower,
    frontier: Frontier,
    /// `roots[n - 1]`: the root of the first `n` messages.
    roots: Vec<Hash>,
}

impl LaneTree {
    pub fn new(source_chain: impl Into<String>, destination_chain: impl Into<String>) -> Self {
        LaneTree {
            follower: LaneFollower::new(source_chain, destination_chain),
            frontier: Frontier::new(),
            roots: vec![],
        }
    }

    pub fn destination_chain(&self) -> &str {
        &self.follower.destination_chain
    }

    /// Takes in one event of the outbox (other event types and other lanes' sends are
    /// ignored); returns how many messages it added. On an error nothing is added.
    pub fn observe(&mut self, event: &Event) -> Result<usize, RelayError> {
        let before = self.follower.ids().len();
        // The follower checks the announced root with its subtree index; the attester's
        // own roots are computed below, independently, with its frontier.
        let taken = self.follower.observe([event])?;
        let mut frontier = self.frontier.clone();
        let mut roots = vec![];
        for id in &self.follower.ids()[before..] {
            roots.push(frontier.push(*id)?);
        }
        // The follower checked the announced root against its own computation; the
        // frontier's must be the same, or one of the two is wrong and nothing is signed.
        let announced = event
            .attributes
            .iter()
            .find(|a| a.key == "root")
            .map(|a| a.value.as_str());
        if let (Some(last), Some(announced)) = (roots.last(), announced) {
            let computed = HexBinary::from(last).to_hex();
            if computed != announced {
                self.follower.truncate(before as u64);
                return Err(RelayError::RootMismatch {
                    size: before as u64 + roots.len() as u64,
                    announced: announced.to_string(),
                    computed,
                });
            }
        }
        // The attester needs only the ids: the messages (bodies up to the outbox's limit
        // each) would make memory grow with the lane's bytes instead of its length.
        self.follower.release_below(self.follower.size(), |_| false);
        self.frontier = frontier;
        self.roots.extend(roots);
        Ok(taken.len())
    }
}

impl PrefixRoots for LaneTree {
    fn size(&self) -> u64 {
        self.roots.len() as u64
    }

    fn root_at(&self, size: u64) -> Option<Hash> {
        match size {
            0 => Some(EMPTY_ROOT),
            n => self.roots.get(usize::try_from(n - 1).ok()?).copied(),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ccmp_relayer::SEND_EVENT;
    use ccmp_types::{root, Message};
    use cosmwasm_std::Timestamp;

    pub(crate) fn message(source: &str, destination: &str, nonce: u64) -> Message {
        Message {
            nonce,
            source_chain: source.into(),
            sender: "sender".into(),
            destination_chain: destination.into(),
            recipient: "recipient".into(),
            timeout_timestamp: Some(Timestamp::from_nanos(nonce + 1)),
            body: cosmwasm_std::Binary::from(vec![nonce as u8; 100]),
        }
    }

    /// The `wasm-ccmp_send` event the outbox emits for `message` with the lane's ids
    /// (including this message's) as given.
    pub(crate) fn send_event(message: &Message, ids: &[Hash], outbox: &str) -> Event {
        let (bytes, id) = message.encode_with_id().unwrap();
        Event::new(SEND_EVENT)
            .add_attribute("_contract_address", outbox)
            .add_attribute("destination_chain", &message.destination_chain)
            .add_attribute("nonce", message.nonce.to_string())
            .add_attribute("message_id", HexBinary::from(&id).to_hex())
            .add_attribute("sender", &message.sender)
            .add_attribute("recipient", &message.recipient)
            .add_attribute("size", ids.len().to_string())
            .add_attribute("root", HexBinary::from(&root(ids)).to_hex())
            .add_attribute("message", hex::encode(bytes))
    }

    #[test]
    fn recomputes_every_prefix_root_and_keeps_no_bodies() {
        let mut lane = LaneTree::new("a", "b");
        let mut ids = vec![];
        assert_eq!(lane.root_at(0), Some(EMPTY_ROOT));
        for nonce in 0..9 {
            let m = message("a", "b", nonce);
            ids.push(m.message_id().unwrap());
            assert_eq!(lane.observe(&send_event(&m, &ids, "o")).unwrap(), 1);
            // Another lane's send is not this lane's.
            let other = message("a", "c", nonce);
            assert_eq!(
                lane.observe(&send_event(&other, &[other.message_id().unwrap()], "o"))
                    .unwrap(),
                0
            );
        }
        assert_eq!(lane.size(), 9);
        for size in 0..=9 {
            assert_eq!(lane.root_at(size), Some(root(&ids[..size as usize])));
        }
        assert_eq!(lane.root_at(10), None);
        assert_eq!(lane.follower.held(), 0);

        // A wrong announced root is refused and changes nothing.
        let m = message("a", "b", 9);
        let mut wrong = send_event(&m, &ids, "o");
        wrong.attributes.retain(|a| a.key != "root");
        let wrong = wrong.add_attribute("root", "00".repeat(32));
        assert!(matches!(
            lane.observe(&wrong).unwrap_err(),
            RelayError::RootMismatch { size: 10, .. }
        ));
        assert_eq!(lane.size(), 9);
        assert_eq!(lane.follower.size(), 9);
    }
}
