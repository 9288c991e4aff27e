//! The test relayer, built only from `ccmp-types` and `ccmp-signer`: it rebuilds a lane's
//! Merkle tree from the message ids it read in `ccmp_send` events, has the attesters sign
//! checkpoints, and builds the consistency and inclusion proofs and the §8 multiproofs the
//! inbox checks. A lane can also be made up (`of_messages`, `push`): the history a
//! compromised quorum or a faulty outbox would attest.

use ccmp_inbox::msg::{DeliveryItem, ExecuteMsg as InboxExecute};
use ccmp_signer::{AttesterKey, SignerSet};
use ccmp_types::{
    consistency_proof, inclusion_proof, multiproof, root, AttesterSignature, Checkpoint, Hash,
    Message,
};
use cosmwasm_std::{Binary, HexBinary};

use crate::chain::SentMessage;

/// One lane (source chain, source outbox, destination chain) as the relayer sees it.
#[derive(Debug, Clone)]
pub struct LaneView {
    pub source_chain: String,
    pub source_outbox: String,
    pub destination_chain: String,
    pub messages: Vec<Message>,
    pub ids: Vec<Hash>,
}

impl LaneView {
    /// Rebuilds the lane from the events. Nonces must run 0, 1, 2… without gaps, and
    /// the root the outbox announced after each message must match the rebuilt tree.
    pub fn from_events(
        source_chain: &str,
        source_outbox: &str,
        destination_chain: &str,
        sent: &[SentMessage],
    ) -> Self {
        let mut lane = LaneView {
            source_chain: source_chain.to_string(),
            source_outbox: source_outbox.to_string(),
            destination_chain: destination_chain.to_string(),
            messages: vec![],
            ids: vec![],
        };
        for (position, event) in sent.iter().enumerate() {
            assert_eq!(event.message.nonce, position as u64, "gap in the lane");
            lane.messages.push(event.message.clone());
            lane.ids.push(event.message_id);
            assert_eq!(event.size, lane.size());
            assert_eq!(event.root, lane.root(lane.size()), "announced root differs");
        }
        lane
    }

    /// A lane of the caller's messages, their ids computed as the inbox computes them.
    /// Nothing checks that they belong to the lane: this is how a forged history, or a
    /// faulty outbox's, is built.
    pub fn of_messages(
        source_chain: &str,
        source_outbox: &str,
        destination_chain: &str,
        messages: Vec<Message>,
    ) -> Self {
        let mut lane = LaneView {
            source_chain: source_chain.to_string(),
            source_outbox: source_outbox.to_string(),
            destination_chain: destination_chain.to_string(),
            messages: vec![],
            ids: vec![],
        };
        for message in messages {
            lane.push(message);
        }
        lane
    }

    /// The lane's first `size` messages: where a forged history forks from the real one.
    pub fn prefix(&self, size: u64) -> Self {
        let size = size as usize;
        LaneView {
            messages: self.messages[..size].to_vec(),
            ids: self.ids[..size].to_vec(),
            ..self.clone()
        }
    }

    /// Appends `message` as it is (whatever its nonce, source or destination).
    pub fn push(&mut self, message: Message) {
        self.ids.push(message.message_id().unwrap());
        self.messages.push(message);
    }

    /// A message of this lane at its next nonce: from `sender` to `recipient` on the
    /// lane's destination, no timeout.
    pub fn next_message(&self, sender: &str, recipient: &str, body: &[u8]) -> Message {
        Message {
            nonce: self.size(),
            source_chain: self.source_chain.clone(),
            sender: sender.to_string(),
            destination_chain: self.destination_chain.clone(),
            recipient: recipient.to_string(),
            timeout_timestamp: None,
            body: Binary::from(body),
        }
    }

    pub fn size(&self) -> u64 {
        self.ids.len() as u64
    }

    pub fn message(&self, nonce: u64) -> Message {
        self.messages[nonce as usize].clone()
    }

    pub fn root(&self, size: u64) -> Hash {
        root(&self.ids[..size as usize])
    }

    pub fn checkpoint(&self, size: u64) -> Checkpoint {
        Checkpoint {
            source_chain: self.source_chain.clone(),
            size,
            root: HexBinary::from(&self.root(size)),
        }
    }

    /// The digest attesters sign for the checkpoint of `size` on this lane.
    pub fn digest(&self, checkpoint: &Checkpoint) -> Hash {
        checkpoint
            .digest(&self.source_outbox, &self.destination_chain)
            .unwrap()
    }

    pub fn proof(&self, nonce: u64, size: u64) -> Vec<HexBinary> {
        to_hex(&inclusion_proof(&self.ids[..size as usize], nonce).unwrap())
    }

    pub fn consistency(&self, from: u64, to: u64) -> Vec<HexBinary> {
        to_hex(&consistency_proof(&self.ids[..to as usize], from).unwrap())
    }

    /// Message `nonce` with its inclusion proof in the checkpoint of `size`.
    pub fn item(&self, nonce: u64, size: u64) -> DeliveryItem {
        DeliveryItem {
            message: self.message(nonce),
            checkpoint_size: size,
            proof: self.proof(nonce, size),
        }
    }

    /// Message `nonce`'s `message_bytes` (PROTOCOL.md §2), as `deliver_batch` carries them.
    pub fn bytes(&self, nonce: u64) -> Binary {
        Binary::new(self.message(nonce).encode().unwrap())
    }

    /// The §8 multiproof of `nonces` (strictly increasing) in the checkpoint of `size`.
    pub fn multiproof(&self, nonces: &[u64], size: u64) -> Vec<Hash> {
        multiproof(nonces, &self.ids[..size as usize]).unwrap()
    }

    /// The `deliver_batch` a relayer sends for `nonces` (strictly increasing), proven by
    /// one multiproof in the checkpoint of `size`.
    pub fn batch(&self, nonces: &[u64], size: u64) -> InboxExecute {
        InboxExecute::DeliverBatch {
            source_chain: self.source_chain.clone(),
            checkpoint_size: size,
            messages: nonces.iter().map(|&nonce| self.bytes(nonce)).collect(),
            proof: concat(&self.multiproof(nonces, size)),
        }
    }
}

/// A `deliver_batch` proof: the hashes, concatenated.
pub fn concat(hashes: &[Hash]) -> Binary {
    Binary::new(hashes.concat())
}

pub fn to_hex(hashes: &[Hash]) -> Vec<HexBinary> {
    hashes.iter().map(HexBinary::from).collect()
}

/// Three attesters of mixed key types: Ed25519 (weight 2), secp256k1 (1), Ed25519 (1),
/// threshold 3 of 4. The smallest quorum, attesters 0 and 1, signs with both key types.
pub fn mixed_attesters(seed: u32) -> SignerSet {
    SignerSet::weighted(
        vec![
            AttesterKey::test_key(seed, true),
            AttesterKey::test_key(seed + 1, false),
            AttesterKey::test_key(seed + 2, true),
        ],
        &[2, 1, 1],
        3,
    )
}

/// The signatures of `keys` over `digest`, listed under `indices` (no matter whose key
/// sits at that index in the stored set): how an attacker presents signatures.
pub fn sign_as(keys: &[&AttesterKey], indices: &[u32], digest: &Hash) -> Vec<AttesterSignature> {
    keys.iter()
        .zip(indices)
        .map(|(key, index)| AttesterSignature {
            index: *index,
            signature: key.sign(digest).into(),
        })
        .collect()
}

/// secp256k1's group order n.
const SECP256K1_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];

/// The high-S twin `(r, n - s)` of a secp256k1 signature `(r, s)`: as valid to the
/// host's verifier as the original, a second encoding of one attester's approval.
pub fn high_s_twin(signature: &[u8]) -> Vec<u8> {
    assert_eq!(signature.len(), 64);
    let s = &signature[32..];
    let mut twin = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut digit = i16::from(SECP256K1_ORDER[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(digit < 0);
        if digit < 0 {
            digit += 256;
        }
        twin[i] = digit as u8;
    }
    assert_eq!(borrow, 0);
    let mut out = signature[..32].to_vec();
    out.extend_from_slice(&twin);
    out
}
