//! # ccmp-relayer
//!
//! What a relayer does between an outbox and an inbox, independent of how it talks to the
//! chains: follow a lane from its `ccmp_send` events (the `message` attribute is the exact
//! `message_bytes` the outbox hashed), rebuild the lane's Merkle tree and check it against
//! the roots the outbox announced, have attesters sign checkpoints, and build the inbox's
//! `submit_checkpoint` and `deliver` messages with their consistency and inclusion proofs.
//! The relayer is trusted with nothing: every proof it builds is checked by the inbox.

pub mod service;

use ccmp_inbox::msg::{DeliveryItem, ExecuteMsg as InboxExecuteMsg};
use ccmp_signer::SignerSet;
use ccmp_types::{
    consistency_proof, inclusion_proof, root, Checkpoint, CodecError, Hash, MerkleError, Message,
    MessageError,
};
use cosmwasm_std::{Event, HexBinary};
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
}

/// One lane (source chain's outbox → destination chain) as a relayer follows it.
#[derive(Debug, Clone)]
pub struct LaneFollower {
    pub source_chain: String,
    pub destination_chain: String,
    pub messages: Vec<Message>,
    pub ids: Vec<Hash>,
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
            messages: vec![],
            ids: vec![],
        }
    }

    pub fn size(&self) -> u64 {
        self.messages.len() as u64
    }

    /// Takes in the `ccmp_send` events of a transaction (others are ignored, and so are
    /// sends to other lanes). Each message is decoded from its exact bytes, must be the
    /// lane's next nonce, and the tree with it must have the root the outbox announced.
    /// Returns the messages taken in.
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
            if message.source_chain != self.source_chain
                || message.destination_chain != self.destination_chain
            {
                return Err(RelayError::WrongLane {
                    source_chain: self.source_chain.clone(),
                    destination_chain: self.destination_chain.clone(),
                    got_source: message.source_chain,
                    got_destination: message.destination_chain,
                });
            }
            if message.nonce != self.size() {
                return Err(RelayError::OutOfOrder {
                    expected: self.size(),
                    got: message.nonce,
                });
            }
            self.ids.push(message.message_id()?);
            self.messages.push(message.clone());
            let announced = attribute(event, "root")?;
            let computed = HexBinary::from(&root(&self.ids)).to_hex();
            if announced != computed {
                self.ids.pop();
                self.messages.pop();
                return Err(RelayError::RootMismatch {
                    size: message.nonce + 1,
                    announced: announced.to_string(),
                    computed,
                });
            }
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

    pub fn checkpoint(&self, size: u64) -> Result<Checkpoint, RelayError> {
        let size_index = self.check_size(size)?;
        Ok(Checkpoint {
            source_chain: self.source_chain.clone(),
            size,
            root: HexBinary::from(&root(&self.ids[..size_index])),
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
        let proof = consistency_proof(&self.ids[..to], from)?;
        Ok(InboxExecuteMsg::SubmitCheckpoint {
            checkpoint,
            signatures: sign(signers, &digest),
            consistency_proof: proof.iter().map(HexBinary::from).collect(),
        })
    }

    /// The delivery item for `nonce`, proven against the checkpoint of `size`.
    pub fn item(&self, nonce: u64, size: u64) -> Result<DeliveryItem, RelayError> {
        let to = self.check_size(size)?;
        let proof = inclusion_proof(&self.ids[..to], nonce)?;
        Ok(DeliveryItem {
            message: self.messages[nonce as usize].clone(),
            checkpoint_size: size,
            proof: proof.iter().map(HexBinary::from).collect(),
        })
    }

    /// `deliver` for nonces `from..to`, proven against the checkpoint of `size`.
    pub fn deliver(&self, from: u64, to: u64, size: u64) -> Result<InboxExecuteMsg, RelayError> {
        let items = (from..to)
            .map(|nonce| self.item(nonce, size))
            .collect::<Result<_, _>>()?;
        Ok(InboxExecuteMsg::Deliver { items })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
}
