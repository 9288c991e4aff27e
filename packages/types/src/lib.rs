//! # ccmp-types
//!
//! The CCMP protocol, once: the message encoding and id (PROTOCOL.md §2), the lane Merkle
//! tree with RFC 9162 inclusion and consistency proofs (§3), checkpoint and attester-set
//! digests and signature checks (§4), the receiver interface and the status types
//! integrators read (§6), the batch multiproof (§8), and the two-step ownership both
//! contracts share.
//!
//! Builds for `wasm32-unknown-unknown` with `sha2` as its only crypto dependency; signatures
//! are verified through the host (`cosmwasm_std::Api`).

pub mod attesters;
pub mod checkpoint;
mod codec;
pub mod error;
pub mod merkle;
pub mod message;
pub mod multiproof;
pub mod outbox;
pub mod ownership;
pub mod receiver;
pub mod version;

pub use attesters::{Attester, AttesterSet, AttesterSignature, PubKey, MAX_ATTESTERS};
pub use checkpoint::{checkpoint_digest, to_hash, Checkpoint};
pub use codec::{sha256, Hash};
pub use error::{
    AttesterSetError, CodecError, MerkleError, MessageError, MultiproofError, OwnershipError,
    SignatureError, SignatureFault,
};
pub use merkle::{
    append_to_frontier, consistency_proof, consistency_proof_with, inclusion_proof,
    inclusion_proof_with, leaf_hash, node_hash, root, verify_consistency, verify_inclusion,
    Frontier, FrontierAppend, SubtreeIndex, EMPTY_ROOT, MAX_PROOF_HASHES, MAX_TREE_SIZE,
};
pub use message::{
    validate_address, validate_body, validate_chain_id, Message, DEFAULT_MAX_BODY_BYTES,
    MAX_ADDRESS_BYTES, MAX_CHAIN_ID_BYTES, MESSAGE_VERSION,
};
pub use multiproof::{multiproof, multiproof_with, verify_multiproof};
pub use outbox::{OutboxExecuteMsg, SendMsg, SendResponse};
pub use ownership::{Ownership, OwnershipAction};
pub use receiver::{CcmpReceiveMsg, MessageStatus, MessageStatusResponse, ReceiverExecuteMsg};
pub use version::{check_migration, check_migration_from_layout, MigrateError};
