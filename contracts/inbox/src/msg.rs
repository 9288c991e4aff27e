//! The inbox's public JSON interface (PROTOCOL.md §6).

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, HexBinary, Timestamp};

pub use ccmp_types::{
    AttesterSet, AttesterSignature, Checkpoint, Message, MessageStatus, MessageStatusResponse,
};

#[cw_serde]
pub struct InstantiateMsg {
    /// Defaults to the instantiating address.
    pub owner: Option<String>,
    /// This chain's id as messages name their destination. Defaults to the block's chain id.
    pub chain_id: Option<String>,
    pub sources: Option<Vec<SourceConfig>>,
    /// Items per `deliver` call; 100 when omitted, at most 1,000.
    pub max_batch_size: Option<u32>,
    /// The largest message body accepted; 65,536 when omitted, at most 1 MiB.
    pub max_body_bytes: Option<u32>,
    /// How long every change of trust (`add_source`, `set_attesters`, `unfreeze`) waits
    /// between its proposal and the moment it can take effect, in seconds: at most
    /// 30 days. Fixed for the contract's life. Zero applies them at once: only for tests
    /// and chains whose owner is itself time-locked governance.
    pub trust_delay_seconds: u64,
}

/// A source chain whose outbox lane to this chain the inbox follows.
#[cw_serde]
pub struct SourceConfig {
    pub chain: String,
    /// The outbox's address on the source chain: checkpoints are signed for it.
    pub outbox: String,
    /// The epoch-1 attester set.
    pub attesters: AttesterSet,
    /// Whether messages must be processed in nonce order.
    pub ordered: bool,
    /// The gas limit of each receiver call; 500,000 when omitted.
    pub receive_gas_limit: Option<u64>,
    /// The highest gas limit a `retry` may ask for; 5,000,000 when omitted.
    pub max_receive_gas_limit: Option<u64>,
}

/// One message to deliver, proven against a stored checkpoint.
#[cw_serde]
pub struct DeliveryItem {
    pub message: Message,
    /// The size of a stored checkpoint of the message's lane, above `message.nonce`.
    pub checkpoint_size: u64,
    /// The RFC 9162 inclusion proof of leaf `message.nonce` in that checkpoint.
    pub proof: Vec<HexBinary>,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Adds a checkpoint to a source's light client: attested by the source's current
    /// set and consistent with the latest stored checkpoint. A stored checkpoint again is a
    /// no-op; an attested one that conflicts with a stored one freezes the source. Anyone.
    SubmitCheckpoint {
        checkpoint: Checkpoint,
        signatures: Vec<AttesterSignature>,
        /// From the latest stored checkpoint to this one; empty for the first.
        consistency_proof: Vec<HexBinary>,
    },
    /// Proves and dispatches messages. Anyone.
    Deliver {
        items: Vec<DeliveryItem>,
    },
    /// Proves many messages of one lane with one multiproof (PROTOCOL.md §8) and
    /// dispatches them as `deliver` does. Anyone.
    DeliverBatch {
        source_chain: String,
        /// A stored checkpoint of the source, above every nonce.
        checkpoint_size: u64,
        /// Each message's `message_bytes` (§2), nonces strictly increasing.
        messages: Vec<Binary>,
        /// The multiproof's 32-byte hashes, concatenated.
        proof: Binary,
    },
    /// Dispatches a failed message again, optionally with a higher gas limit (up to the
    /// source's `max_receive_gas_limit`). Anyone.
    Retry {
        message: Message,
        gas_limit: Option<u64>,
    },
    /// Hands a source over to a new attester set, signed by the current set over the
    /// attester-set digest with epoch + 1. Anyone.
    RotateAttesters {
        source_chain: String,
        attesters: AttesterSet,
        signatures: Vec<AttesterSignature>,
    },
    /// Freezes a source on attested evidence that its attesters signed two histories
    /// (PROTOCOL.md §5): `checkpoint` attested by the current set, and the root at the
    /// smaller size of the larger history (`prefix_root`) proven by `consistency_proof`
    /// and differing from the other. Anyone; refused, changing nothing, unless it is
    /// evidence.
    ReportEquivocation {
        checkpoint: Checkpoint,
        signatures: Vec<AttesterSignature>,
        /// A stored checkpoint of the source.
        stored_size: u64,
        prefix_root: HexBinary,
        consistency_proof: Vec<HexBinary>,
    },
    /// Proposes to follow a new source (time-locked). Owner.
    AddSource(SourceConfig),
    /// Proposes to replace a source's attester set (epoch + 1), also while it is frozen
    /// (time-locked). Owner.
    SetAttesters {
        source_chain: String,
        attesters: AttesterSet,
    },
    /// Sets a source's receiver gas limits. Owner.
    SetGasLimits {
        source_chain: String,
        receive_gas_limit: u64,
        max_receive_gas_limit: u64,
    },
    /// Sets the batch and body limits. Owner.
    SetLimits {
        max_batch_size: u32,
        max_body_bytes: u32,
    },
    /// Proposes to lift a freeze (time-locked), rolling the light client back to the stored
    /// checkpoint `rollback_to` (0: to the empty log): every stored checkpoint above it
    /// stops being usable. After an equivocation the attester set must have been replaced
    /// by the time it executes. Owner.
    Unfreeze {
        source_chain: String,
        rollback_to: u64,
    },
    /// Freezes a source at once (no deliveries, retries or checkpoints) on the owner's
    /// word. Owner.
    Freeze {
        source_chain: String,
    },
    /// Carries out a proposal whose delay has passed. Anyone.
    ExecuteProposal {
        id: u64,
    },
    /// Withdraws a pending proposal. Owner.
    CancelProposal {
        id: u64,
    },
    /// Stops `deliver` and `retry` (checkpoints, rotations and queries go on). Owner.
    Pause {},
    Unpause {},
    /// Proposes a new owner, who must accept. Owner.
    TransferOwnership {
        new_owner: String,
    },
    /// Completes a transfer. The proposed owner.
    AcceptOwnership {},
    /// Withdraws a pending transfer. Owner.
    CancelOwnershipTransfer {},
    /// Leaves the contract without an owner, for good. Owner.
    RenounceOwnership {},
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(ConfigResponse)]
    Config {},
    #[returns(SourceResponse)]
    Source { chain: String },
    /// Sources in chain-id order after `start_after`: 10 by default, at most 30.
    #[returns(SourcesResponse)]
    Sources {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// The stored checkpoint of `size`, or the latest when `size` is omitted.
    #[returns(CheckpointResponse)]
    Checkpoint {
        source_chain: String,
        size: Option<u64>,
    },
    /// Stored checkpoints in size order after `start_after`: 30 by default, at most 100.
    #[returns(CheckpointsResponse)]
    Checkpoints {
        source_chain: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// Where a message stands; `unknown` for a nonce never seen (not an error).
    #[returns(MessageStatusResponse)]
    MessageStatus { source_chain: String, nonce: u64 },
    /// A pending proposal.
    #[returns(ProposalResponse)]
    Proposal { id: u64 },
    /// Pending proposals in id order after `start_after`: 10 by default, at most 30.
    #[returns(ProposalsResponse)]
    Proposals {
        start_after: Option<u64>,
        limit: Option<u32>,
    },
}

#[cw_serde]
pub struct ConfigResponse {
    pub owner: Option<Addr>,
    pub pending_owner: Option<Addr>,
    pub chain_id: String,
    pub paused: bool,
    pub max_batch_size: u32,
    pub max_body_bytes: u32,
    pub trust_delay_seconds: u64,
    /// The id the next proposal gets.
    pub next_proposal_id: u64,
}

/// Why and where a source is frozen.
#[cw_serde]
pub struct Freeze {
    pub cause: FreezeCause,
    /// The highest checkpoint size `unfreeze` may roll back to: the smallest size the
    /// evidence disputes (the latest size at an owner's freeze).
    pub max_rollback_to: u64,
    /// The attester epoch at the freeze.
    pub epoch: u64,
    pub height: u64,
}

#[cw_serde]
pub enum FreezeCause {
    /// Attested evidence: the stored checkpoint `stored_size` and the attested
    /// `conflicting_size` cannot both be the lane. With equal sizes the roots are the two
    /// checkpoints' roots; otherwise `conflicting_root` is the root at the smaller size
    /// of the larger history, which differs from the smaller checkpoint's root.
    Equivocation {
        stored_size: u64,
        stored_root: HexBinary,
        conflicting_size: u64,
        conflicting_root: HexBinary,
    },
    /// The owner's `freeze`.
    Owner {},
}

/// A change of trust waiting for its delay.
#[cw_serde]
pub enum TrustChange {
    AddSource(SourceConfig),
    SetAttesters {
        source_chain: String,
        attesters: AttesterSet,
    },
    Unfreeze {
        source_chain: String,
        rollback_to: u64,
    },
}

#[cw_serde]
pub struct ProposalResponse {
    pub id: u64,
    pub change: TrustChange,
    pub proposed_at: Timestamp,
    /// From when anyone may execute it.
    pub executable_at: Timestamp,
}

#[cw_serde]
pub struct ProposalsResponse {
    pub proposals: Vec<ProposalResponse>,
}

#[cw_serde]
pub struct SourceResponse {
    pub chain: String,
    pub outbox: String,
    pub ordered: bool,
    pub attesters: AttesterSet,
    pub epoch: u64,
    /// Set while the source is frozen.
    pub frozen: Option<Freeze>,
    /// Rises by one with every rollback: checkpoints of earlier generations are unusable.
    pub checkpoint_generation: u32,
    pub latest_checkpoint: Option<CheckpointEntry>,
    /// For ordered sources: the nonce that must come next.
    pub next_nonce: Option<u64>,
    pub receive_gas_limit: u64,
    pub max_receive_gas_limit: u64,
}

#[cw_serde]
pub struct SourcesResponse {
    pub sources: Vec<SourceResponse>,
}

#[cw_serde]
pub struct CheckpointEntry {
    pub size: u64,
    pub root: HexBinary,
}

#[cw_serde]
pub struct CheckpointResponse {
    pub source_chain: String,
    pub size: u64,
    pub root: HexBinary,
}

#[cw_serde]
pub struct CheckpointsResponse {
    pub source_chain: String,
    pub checkpoints: Vec<CheckpointEntry>,
}

/// What `deliver` did with each item, in item order (the response data).
#[cw_serde]
pub struct DeliverResponse {
    pub results: Vec<DeliveryResult>,
}

#[cw_serde]
pub struct DeliveryResult {
    pub source_chain: String,
    pub nonce: u64,
    pub outcome: DeliveryOutcome,
}

#[cw_serde]
#[derive(Copy, Eq)]
pub enum DeliveryOutcome {
    /// Handed to the receiver: `delivered` unless the receiver fails, which a later
    /// `ccmp_deliver` event with status `failed` in the same transaction reports.
    Dispatched,
    /// Past its timeout: recorded as `timed_out`, the receiver not called.
    TimedOut,
    /// Refused before dispatch (a recipient that is not a valid address, or this inbox):
    /// recorded as `failed`.
    Failed,
    /// Already processed (delivered, failed or timed out): nothing changed.
    Skipped,
}
