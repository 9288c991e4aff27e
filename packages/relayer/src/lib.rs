//! # ccmp-relayer
//!
//! What a relayer does between an outbox and an inbox, independent of how it talks to the
//! chains: follow a lane from its `ccmp_send` events (the `message` attribute is the exact
//! `message_bytes` the outbox hashed), rebuild the lane's Merkle tree and check it against
//! the roots the outbox announced, have attesters sign checkpoints, and build the inbox's
//! `submit_checkpoint`, `deliver_batch` and `deliver` messages with their consistency
//! proofs, multiproofs (PROTOCOL.md §8) and inclusion proofs. The relayer is trusted with
//! nothing: every proof it builds is checked by the inbox.
//!
//! [`LaneFollower::delivery`] is what a relayer sends by default: one `deliver_batch` (the
//! messages' exact bytes and one multiproof), for a single message too: on a lane of 2^20
//! it is then about a quarter fewer transaction bytes and a little less inbox gas than
//! `deliver` with its inclusion proof, and a batch of 50 carries under 400 bytes per
//! message instead of about 1,800 (BENCHMARKS.md). `deliver` stays available.

pub mod http;
pub mod service;

use std::collections::BTreeMap;

use ccmp_inbox::msg::{DeliveryItem, ExecuteMsg as InboxExecuteMsg};
use ccmp_signer::SignerSet;
use ccmp_types::{
    Checkpoint, CodecError, Hash, MerkleError, Message, MessageError, MultiproofError, SubtreeIndex,
};
use cosmwasm_std::{Binary, Event, HexBinary};
use thiserror::Error;

/// The `ccmp_send` event's type as a chain emits it.
pub const SEND_EVENT: &str = "wasm-ccmp_send";

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum RelayError {
    #[error("ccmp_send event lacks attribute {0:?}")]
    MissingAttribute(&'static str),
    #[error("attribute {key:?} is not valid: {value:?}")]
    InvalidAttribute { key: &'static str, value: String },
    #[error(transparent)]
    Message(#[from] MessageError),
    #[error(transparent)]
    Merkle(#[from] MerkleError),
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error(transparent)]
    Multiproof(#[from] MultiproofError),
    #[error("message is for lane {got_source:?} -> {got_destination:?}, not {source_chain:?} -> {destination_chain:?}")]
    WrongLane {
        source_chain: String,
        destination_chain: String,
        got_source: String,
        got_destination: String,
    },
    #[error("expected nonce {expected} next on the lane, got {got}")]
    OutOfOrder { expected: u64, got: u64 },
    #[error(
        "the outbox announced root {announced} at size {size}, but the messages give {computed}"
    )]
    RootMismatch {
        size: u64,
        announced: String,
        computed: String,
    },
    #[error("the lane has {size} messages; size {requested} is not available")]
    BeyondLane { size: u64, requested: u64 },
    #[error(
        "message {nonce} was released (the inbox processed it); its id is kept, not its bytes"
    )]
    Released { nonce: u64 },
}

/// One lane (source chain's outbox → destination chain) as a relayer follows it: the id
/// of every message (the tree's leaves, what every proof needs), and the messages
/// themselves until they are released. A service that runs for months releases what the
/// inbox has processed, so that its memory grows by 32 bytes a message, not by the
/// messages' bytes.
#[derive(Debug, Clone)]
pub struct LaneFollower {
    pub source_chain: String,
    pub destination_chain: String,
    /// Every message's id (the leaves) and the root of every complete subtree: proofs and
    /// roots of any prefix in O(log n) hashes each, not O(n).
    tree: SubtreeIndex,
    /// The messages held, by nonce.
    messages: BTreeMap<u64, Message>,
}

fn attribute<'a>(event: &'a Event, key: &'static str) -> Result<&'a str, RelayError> {
    event
        .attributes
        .iter()
        .find(|attribute| attribute.key == key)
        .map(|attribute| attribute.value.as_str())
        .ok_or(RelayError::MissingAttribute(key))
}

impl LaneFollower {
    pub fn new(source_chain: impl Into<String>, destination_chain: impl Into<String>) -> Self {
        LaneFollower {
            source_chain: source_chain.into(),
            destination_chain: destination_chain.into(),
            tree: SubtreeIndex::new(),
            messages: BTreeMap::new(),
        }
    }

    /// A follower holding `messages`, the lane's from nonce 0 in order (checked, as
    /// [`LaneFollower::observe`] checks each, but with no announced root to compare).
    pub fn with_messages(
        source_chain: impl Into<String>,
        destination_chain: impl Into<String>,
        messages: impl IntoIterator<Item = Message>,
    ) -> Result<Self, RelayError> {
        let mut lane = LaneFollower::new(source_chain, destination_chain);
        for message in messages {
            let id = lane.next_id(&message)?;
            lane.tree.push(id)?;
            lane.messages.insert(message.nonce, message);
        }
        Ok(lane)
    }

    /// The id of `message` if it is this lane's next one: its source and destination, and
    /// the nonce that comes next.
    fn next_id(&self, message: &Message) -> Result<Hash, RelayError> {
        if message.source_chain != self.source_chain
            || message.destination_chain != self.destination_chain
        {
            return Err(RelayError::WrongLane {
                source_chain: self.source_chain.clone(),
                destination_chain: self.destination_chain.clone(),
                got_source: message.source_chain.clone(),
                got_destination: message.destination_chain.clone(),
            });
        }
        if message.nonce != self.size() {
            return Err(RelayError::OutOfOrder {
                expected: self.size(),
                got: message.nonce,
            });
        }
        Ok(message.message_id()?)
    }

    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// The lane's message ids, by nonce: the tree's leaves.
    pub fn ids(&self) -> &[Hash] {
        self.tree.leaves()
    }

    /// Message `nonce`, while it is held.
    pub fn message(&self, nonce: u64) -> Result<&Message, RelayError> {
        if nonce >= self.size() {
            return Err(RelayError::BeyondLane {
                size: self.size(),
                requested: nonce + 1,
            });
        }
        self.messages
            .get(&nonce)
            .ok_or(RelayError::Released { nonce })
    }

    /// How many messages are held (the others are released: only their ids are kept).
    pub fn held(&self) -> usize {
        self.messages.len()
    }

    /// Forgets message `nonce`'s bytes (its id stays): for a message the inbox has
    /// processed, which no delivery will carry again.
    pub fn release(&mut self, nonce: u64) {
        self.messages.remove(&nonce);
    }

    /// [`LaneFollower::release`] for every held nonce below `end` that `keep` refuses.
    pub fn release_below(&mut self, end: u64, keep: impl Fn(u64) -> bool) {
        let below: Vec<u64> = self
            .messages
            .range(..end)
            .map(|(&nonce, _)| nonce)
            .filter(|&nonce| !keep(nonce))
            .collect();
        for nonce in below {
            self.messages.remove(&nonce);
        }
    }

    /// Drops everything from `size` on (ids and messages): undoes an observation a caller
    /// found wrong.
    pub fn truncate(&mut self, size: u64) {
        self.tree.truncate(size);
        self.messages.split_off(&size);
    }

    /// Takes in the `ccmp_send` events of a transaction (others are ignored, and so are
    /// sends to other lanes). Each message is decoded from its exact bytes, must be the
    /// lane's next nonce, and the tree with it must have the root the outbox announced
    /// (O(log n) per message, from the subtree index). Returns the messages taken in; on
    /// an error the messages before it stay taken and the one at fault is not.
    pub fn observe<'a>(
        &mut self,
        events: impl IntoIterator<Item = &'a Event>,
    ) -> Result<Vec<Message>, RelayError> {
        let mut taken = vec![];
        for event in events.into_iter().filter(|e| e.ty == SEND_EVENT) {
            if attribute(event, "destination_chain")? != self.destination_chain {
                continue;
            }
            let hex_bytes = attribute(event, "message")?;
            let bytes = hex::decode(hex_bytes).map_err(|_| RelayError::InvalidAttribute {
                key: "message",
                value: hex_bytes.to_string(),
            })?;
            let message = Message::decode(&bytes)?;
            let id = self.next_id(&message)?;
            let announced = attribute(event, "root")?;
            let size = self.size();
            self.tree.push(id)?;
            let computed = HexBinary::from(&self.tree.root(size + 1)?).to_hex();
            if announced != computed {
                self.tree.truncate(size);
                return Err(RelayError::RootMismatch {
                    size: size + 1,
                    announced: announced.to_string(),
                    computed,
                });
            }
            self.messages.insert(message.nonce, message.clone());
            taken.push(message);
        }
        Ok(taken)
    }

    fn check_size(&self, size: u64) -> Result<usize, RelayError> {
        if size > self.size() {
            return Err(RelayError::BeyondLane {
                size: self.size(),
                requested: size,
            });
        }
        Ok(size as usize)
    }

    /// The root of the lane's first `size` messages.
    pub fn root_at(&self, size: u64) -> Result<Hash, RelayError> {
        self.check_size(size)?;
        Ok(self.tree.root(size)?)
    }

    /// RFC 9162's consistency proof from the lane's first `from` messages to its first
    /// `to`.
    pub fn consistency_proof(&self, to: u64, from: u64) -> Result<Vec<Hash>, RelayError> {
        self.check_size(to)?;
        Ok(self.tree.consistency_proof(to, from)?)
    }

    pub fn checkpoint(&self, size: u64) -> Result<Checkpoint, RelayError> {
        let size_index = self.check_size(size)?;
        Ok(Checkpoint {
            source_chain: self.source_chain.clone(),
            size,
            root: HexBinary::from(&self.tree.root(size_index as u64)?),
        })
    }

    /// `submit_checkpoint` for `size`, signed by `signers` (those that `sign` picks), with
    /// the consistency proof from the inbox's latest stored size `from`.
    pub fn submit_checkpoint(
        &self,
        size: u64,
        from: u64,
        source_outbox: &str,
        signers: &SignerSet,
        sign: impl Fn(&SignerSet, &Hash) -> Vec<ccmp_types::AttesterSignature>,
    ) -> Result<InboxExecuteMsg, RelayError> {
        let checkpoint = self.checkpoint(size)?;
        let digest = checkpoint.digest(source_outbox, &self.destination_chain)?;
        let to = self.check_size(size)?;
        let proof = self.tree.consistency_proof(to as u64, from)?;
        Ok(InboxExecuteMsg::SubmitCheckpoint {
            checkpoint,
            signatures: sign(signers, &digest),
            consistency_proof: proof.iter().map(HexBinary::from).collect(),
        })
    }

    /// The delivery item for `nonce`, proven against the checkpoint of `size`.
    pub fn item(&self, nonce: u64, size: u64) -> Result<DeliveryItem, RelayError> {
        let to = self.check_size(size)?;
        let proof = self.tree.inclusion_proof(to as u64, nonce)?;
        Ok(DeliveryItem {
            message: self.message(nonce)?.clone(),
            checkpoint_size: size,
            proof: proof.iter().map(HexBinary::from).collect(),
        })
    }

    /// `deliver` for nonces `from..to`, proven against the checkpoint of `size`: one
    /// inclusion proof per message.
    pub fn deliver(&self, from: u64, to: u64, size: u64) -> Result<InboxExecuteMsg, RelayError> {
        let items = (from..to)
            .map(|nonce| self.item(nonce, size))
            .collect::<Result<_, _>>()?;
        Ok(InboxExecuteMsg::Deliver { items })
    }

    /// `deliver_batch` (PROTOCOL.md §8) for `nonces` (strictly increasing, below `size`),
    /// proven against the checkpoint of `size` by one multiproof: each message as its
    /// exact `message_bytes`, the multiproof's hashes concatenated.
    pub fn deliver_batch(&self, nonces: &[u64], size: u64) -> Result<InboxExecuteMsg, RelayError> {
        let to = self.check_size(size)?;
        // Refuses empty, unordered and out-of-range nonces before anything is indexed.
        let proof = self.tree.multiproof(to as u64, nonces)?;
        let messages = nonces
            .iter()
            // A strict decode (`observe`) makes the re-encoding the bytes the outbox hashed.
            .map(|&nonce| Ok(Binary::new(self.message(nonce)?.encode()?)))
            .collect::<Result<_, RelayError>>()?;
        Ok(InboxExecuteMsg::DeliverBatch {
            source_chain: self.source_chain.clone(),
            checkpoint_size: size,
            messages,
            proof: Binary::new(proof.concat()),
        })
    }

    /// What a relayer sends for nonces `from..to` against the checkpoint of `size`: one
    /// `deliver_batch`. Even for a single message it beats `deliver`, whose inclusion
    /// proof holds the same hashes in hex inside a JSON message object, in bytes and in
    /// the inbox's gas (BENCHMARKS.md). An empty range is refused as the inbox would.
    pub fn delivery(&self, from: u64, to: u64, size: u64) -> Result<InboxExecuteMsg, RelayError> {
        let nonces: Vec<u64> = (from..to).collect();
        self.deliver_batch(&nonces, size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccmp_types::{inclusion_proof, root};
    use cosmwasm_std::{Binary, Timestamp};

    fn send_event(message: &Message, ids: &[Hash]) -> Event {
        let (bytes, id) = message.encode_with_id().unwrap();
        Event::new(SEND_EVENT)
            .add_attribute("destination_chain", &message.destination_chain)
            .add_attribute("nonce", message.nonce.to_string())
            .add_attribute("message_id", HexBinary::from(&id).to_hex())
            .add_attribute("root", HexBinary::from(&root(ids)).to_hex())
            .add_attribute("message", hex::encode(bytes))
    }

    fn message(nonce: u64) -> Message {
        Message {
            nonce,
            source_chain: "a".into(),
            sender: "s".into(),
            destination_chain: "b".into(),
            recipient: "r".into(),
            timeout_timestamp: Some(Timestamp::from_nanos(5)),
            body: Binary::from(nonce.to_be_bytes()),
        }
    }

    #[test]
    fn follows_a_lane_and_refuses_gaps_foreign_lanes_and_wrong_roots() {
        let mut lane = LaneFollower::new("a", "b");
        let mut ids = vec![];
        for nonce in 0..3 {
            ids.push(message(nonce).message_id().unwrap());
            let taken = lane.observe([&send_event(&message(nonce), &ids)]).unwrap();
            assert_eq!(taken, vec![message(nonce)]);
        }
        assert_eq!(lane.size(), 3);
        // A send to another destination is not this lane's.
        let elsewhere = Message {
            destination_chain: "c".into(),
            ..message(0)
        };
        assert!(lane
            .observe([&send_event(&elsewhere, &ids)])
            .unwrap()
            .is_empty());
        // A gap.
        assert_eq!(
            lane.observe([&send_event(&message(4), &ids)]).unwrap_err(),
            RelayError::OutOfOrder {
                expected: 3,
                got: 4
            }
        );
        // A root the messages do not give: refused and not kept.
        let mut wrong = send_event(&message(3), &ids);
        wrong.attributes.retain(|a| a.key != "root");
        wrong = wrong.add_attribute("root", "00".repeat(32));
        assert!(matches!(
            lane.observe([&wrong]).unwrap_err(),
            RelayError::RootMismatch { size: 4, .. }
        ));
        assert_eq!(lane.size(), 3);
        let item = lane.item(1, 3).unwrap();
        assert_eq!(item.proof.len(), 2);
        assert_eq!(
            lane.item(1, 4).unwrap_err(),
            RelayError::BeyondLane {
                size: 3,
                requested: 4
            }
        );
    }

    #[test]
    fn observe_keeps_the_root_of_every_prefix_and_refuses_a_wrong_one_untouched() {
        let mut lane = LaneFollower::new("a", "b");
        let mut ids = vec![];
        for nonce in 0..37 {
            ids.push(message(nonce).message_id().unwrap());
            let event = send_event(&message(nonce), &ids);
            assert_eq!(lane.observe([&event]).unwrap(), vec![message(nonce)]);
            assert_eq!(lane.root_at(lane.size()).unwrap(), root(&ids));
        }
        for size in 0..=37 {
            assert_eq!(lane.root_at(size).unwrap(), root(&ids[..size as usize]));
        }
        // A wrong root leaves the lane as it was: ids, tree and messages.
        let before = lane.clone();
        let mut wrong = send_event(&message(37), &ids);
        wrong.attributes.retain(|a| a.key != "root");
        wrong = wrong.add_attribute("root", "00".repeat(32));
        assert!(matches!(
            lane.observe([&wrong]).unwrap_err(),
            RelayError::RootMismatch { size: 38, .. }
        ));
        assert_eq!((lane.size(), lane.held()), (37, 37));
        assert_eq!(lane.ids(), before.ids());
        assert_eq!(lane.root_at(37).unwrap(), root(&ids));
        // And the right one still goes on.
        ids.push(message(37).message_id().unwrap());
        lane.observe([&send_event(&message(37), &ids)]).unwrap();
        assert_eq!(lane.root_at(38).unwrap(), root(&ids));
        assert_eq!(lane_of(38).ids(), lane.ids());
    }

    fn lane_of(size: u64) -> LaneFollower {
        let mut lane = LaneFollower::new("a", "b");
        let mut ids = vec![];
        for nonce in 0..size {
            ids.push(message(nonce).message_id().unwrap());
            lane.observe([&send_event(&message(nonce), &ids)]).unwrap();
        }
        lane
    }

    /// What the inbox does with a `deliver_batch`: decode every message strictly, take its
    /// id as the leaf at its nonce, and verify the multiproof against the checkpoint root.
    fn check_batch(lane: &LaneFollower, msg: &InboxExecuteMsg, nonces: &[u64], size: u64) {
        let InboxExecuteMsg::DeliverBatch {
            source_chain,
            checkpoint_size,
            messages,
            proof,
        } = msg
        else {
            panic!("not a deliver_batch: {msg:?}");
        };
        assert_eq!(source_chain, "a");
        assert_eq!(*checkpoint_size, size);
        let decoded: Vec<Message> = messages
            .iter()
            .map(|bytes| Message::decode(bytes).unwrap())
            .collect();
        let expected: Vec<Message> = nonces
            .iter()
            .map(|&n| lane.message(n).unwrap().clone())
            .collect();
        assert_eq!(decoded, expected);
        let ids: Vec<Hash> = messages.iter().map(|b| ccmp_types::leaf_hash(b)).collect();
        assert_eq!(
            ids,
            nonces
                .iter()
                .map(|&n| lane.ids()[n as usize])
                .collect::<Vec<_>>()
        );
        assert_eq!(proof.len() % 32, 0);
        let hashes: Vec<Hash> = proof
            .chunks_exact(32)
            .map(|c| c.try_into().unwrap())
            .collect();
        let checkpoint = lane.checkpoint(size).unwrap();
        ccmp_types::verify_multiproof(
            size,
            nonces,
            &ids,
            &hashes,
            &ccmp_types::to_hash("root", &checkpoint.root).unwrap(),
        )
        .unwrap();
    }

    #[test]
    fn deliver_batch_carries_exact_bytes_and_one_multiproof_that_verifies() {
        let lane = lane_of(7);
        for (nonces, size) in [
            (vec![0u64, 1, 2, 3, 4, 5, 6], 7u64),
            (vec![1, 2, 3, 5], 7),
            (vec![6], 7),
            (vec![0, 2], 3),
            (vec![4, 5], 6),
        ] {
            let msg = lane.deliver_batch(&nonces, size).unwrap();
            check_batch(&lane, &msg, &nonces, size);
        }
        // The whole checkpoint needs no proof hashes; one leaf of 7 needs its audit path.
        let InboxExecuteMsg::DeliverBatch { proof, .. } =
            lane.deliver_batch(&[0, 1, 2, 3, 4, 5, 6], 7).unwrap()
        else {
            unreachable!()
        };
        assert!(proof.is_empty());
        let InboxExecuteMsg::DeliverBatch { proof, .. } = lane.deliver_batch(&[3], 7).unwrap()
        else {
            unreachable!()
        };
        let path: Vec<u8> = inclusion_proof(lane.ids(), 3).unwrap().concat();
        let mut sorted = proof.chunks(32).collect::<Vec<_>>();
        let mut expected = path.chunks(32).collect::<Vec<_>>();
        sorted.sort();
        expected.sort();
        assert_eq!(sorted, expected, "one index: the audit path's hashes");
    }

    #[test]
    fn deliver_batch_refuses_what_the_inbox_would() {
        let lane = lane_of(4);
        assert_eq!(
            lane.deliver_batch(&[0, 1], 5).unwrap_err(),
            RelayError::BeyondLane {
                size: 4,
                requested: 5
            }
        );
        assert_eq!(
            lane.deliver_batch(&[], 4).unwrap_err(),
            RelayError::Multiproof(MultiproofError::NoIndices)
        );
        assert!(matches!(
            lane.deliver_batch(&[2, 1], 4).unwrap_err(),
            RelayError::Multiproof(MultiproofError::IndicesNotIncreasing { .. })
        ));
        assert!(matches!(
            lane.deliver_batch(&[1, 1], 4).unwrap_err(),
            RelayError::Multiproof(MultiproofError::IndicesNotIncreasing { .. })
        ));
        assert!(matches!(
            lane.deliver_batch(&[1, 3], 3).unwrap_err(),
            RelayError::Multiproof(MultiproofError::IndexOutOfRange { index: 3, .. })
        ));
    }

    #[test]
    fn delivery_is_one_deliver_batch_for_one_message_or_many() {
        let lane = lane_of(5);
        let one = lane.delivery(2, 3, 5).unwrap();
        check_batch(&lane, &one, &[2], 5);
        // The same hashes as `deliver`'s inclusion proof, as bytes instead of hex.
        let InboxExecuteMsg::Deliver { items } = lane.deliver(2, 3, 5).unwrap() else {
            unreachable!()
        };
        let InboxExecuteMsg::DeliverBatch { proof, .. } = &one else {
            unreachable!()
        };
        assert_eq!(proof.len(), 32 * items[0].proof.len());
        let many = lane.delivery(1, 5, 5).unwrap();
        check_batch(&lane, &many, &[1, 2, 3, 4], 5);
        assert_eq!(many, lane.deliver_batch(&[1, 2, 3, 4], 5).unwrap());
        assert_eq!(
            lane.delivery(3, 3, 5).unwrap_err(),
            RelayError::Multiproof(MultiproofError::NoIndices)
        );
    }
}
