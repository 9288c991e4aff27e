use ccmp_types::{
    AttesterSetError, CodecError, MerkleError, MessageError, MessageStatus, MigrateError,
    MultiproofError, OwnershipError, SignatureError,
};
use cosmwasm_std::{StdError, Timestamp};
use thiserror::Error;

#[derive(Error, Debug)]
pub enum ContractError {
    #[error(transparent)]
    Std(#[from] StdError),
    #[error(transparent)]
    Ownership(#[from] OwnershipError),
    #[error(transparent)]
    Message(#[from] MessageError),
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error(transparent)]
    AttesterSet(#[from] AttesterSetError),
    #[error(transparent)]
    Signature(#[from] SignatureError),
    #[error(transparent)]
    Migrate(#[from] MigrateError),

    // Sources and configuration.
    #[error("source {chain:?} is not configured")]
    UnknownSource { chain: String },
    #[error("source {chain:?} is already configured")]
    SourceExists { chain: String },
    #[error("source {chain:?} is this chain: a lane must come from elsewhere")]
    SourceIsSelf { chain: String },
    #[error("source {chain:?} is listed twice")]
    DuplicateSource { chain: String },
    #[error("{count} sources at instantiation, more than the limit of {max}")]
    TooManySources { count: usize, max: usize },
    #[error("receive_gas_limit {receive} must be {min} to max_receive_gas_limit {max}, which is at most {cap}")]
    InvalidGasLimits {
        receive: u64,
        max: u64,
        min: u64,
        cap: u64,
    },
    #[error("max_batch_size must be 1 to {max}, got {got}")]
    InvalidBatchLimit { got: u32, max: u32 },
    #[error("max_body_bytes must be 1 to {max}, got {got}")]
    InvalidBodyLimit { got: u32, max: u32 },
    #[error("inbox is paused")]
    Paused,
    #[error("trust_delay_seconds must be at most {max}, got {got}")]
    TrustDelayTooLong { got: u64, max: u64 },

    // Proposals (time-locked changes of trust).
    #[error("no pending proposal {id}")]
    UnknownProposal { id: u64 },
    #[error("proposal {id} can be executed from {executable_at}, not before")]
    ProposalNotDue { id: u64, executable_at: Timestamp },
    #[error("{max} proposals are pending: execute or cancel one first")]
    TooManyProposals { max: usize },
    #[error("proposal {id} was made for an earlier freeze of source {chain:?}, lifted since: propose the unfreeze again")]
    StaleUnfreeze { id: u64, chain: String },

    // Light client.
    #[error("source {chain:?} is frozen (rollback at most to size {size}): the owner must unfreeze it, after replacing its attesters if they equivocated")]
    SourceFrozen { chain: String, size: u64 },
    #[error("rollback_to {rollback_to} of source {chain:?} must be a stored checkpoint size (or 0) at most {max}, the smallest size the evidence disputes")]
    InvalidRollback {
        chain: String,
        rollback_to: u64,
        max: u64,
    },
    #[error("no equivocation: {reason}")]
    NotEvidence { reason: String },
    #[error("source {chain:?} is not frozen")]
    NotFrozen { chain: String },
    #[error("source {chain:?} was frozen under attester epoch {frozen_epoch}: set a new attester set before unfreezing (epoch is {epoch})")]
    AttestersNotReplaced {
        chain: String,
        frozen_epoch: u64,
        epoch: u64,
    },
    #[error("checkpoint size must be at least 1")]
    EmptyCheckpoint,
    #[error("checkpoint size {size} is behind the latest stored checkpoint {latest} of source {chain:?}")]
    StaleCheckpoint {
        chain: String,
        size: u64,
        latest: u64,
    },
    #[error(
        "consistency proof from size {from} to size {to} of source {chain:?} refused: {reason}"
    )]
    InvalidConsistencyProof {
        chain: String,
        from: u64,
        to: u64,
        reason: MerkleError,
    },
    #[error("epoch overflow")]
    EpochOverflow,

    // Delivery.
    #[error("no items to deliver")]
    EmptyBatch,
    #[error("{count} items, more than the batch limit of {max}")]
    BatchTooLarge { count: usize, max: u32 },
    #[error("message is for chain {got:?}, but this inbox is chain {expected:?}")]
    WrongDestination { expected: String, got: String },
    #[error("source {chain:?} has no stored checkpoint of size {size}")]
    UnknownCheckpoint { chain: String, size: u64 },
    #[error("nonce {nonce} is not in the checkpoint of size {size}")]
    NonceOutsideCheckpoint { nonce: u64, size: u64 },
    #[error("inclusion proof of nonce {nonce} in checkpoint {size} of source {chain:?} refused: {reason}")]
    InvalidInclusionProof {
        chain: String,
        nonce: u64,
        size: u64,
        reason: MerkleError,
    },
    #[error("ordered source {chain:?} expects nonce {expected} next, got {nonce}")]
    NonceGap {
        chain: String,
        nonce: u64,
        expected: u64,
    },
    #[error("proof has {len} hashes, more than the limit of {max}")]
    ProofTooLong { len: usize, max: usize },
    #[error("message {index} of the batch: {reason}")]
    InvalidMessageBytes { index: usize, reason: MessageError },
    #[error("message {index} of the batch is from {got:?}, not the batch's source {expected:?}")]
    WrongSource {
        index: usize,
        expected: String,
        got: String,
    },
    #[error("message {index} of the batch has nonce {nonce}, not above the previous {previous}: nonces must strictly increase")]
    NoncesNotIncreasing {
        index: usize,
        nonce: u64,
        previous: u64,
    },
    #[error("multiproof is {len} bytes, not a multiple of 32")]
    ProofNotHashes { len: usize },
    #[error(
        "multiproof of {count} messages in checkpoint {size} of source {chain:?} refused: {reason}"
    )]
    InvalidMultiproof {
        chain: String,
        size: u64,
        count: usize,
        reason: MultiproofError,
    },

    // Retry.
    #[error("message {nonce} from {chain:?} is {status:?}, not failed: only a failed message can be retried")]
    NotFailed {
        chain: String,
        nonce: u64,
        status: MessageStatus,
    },
    #[error("message {nonce} from {chain:?} has id {stored}, not {given}")]
    MessageMismatch {
        chain: String,
        nonce: u64,
        stored: String,
        given: String,
    },
    #[error("gas limit {requested} is above the source's maximum of {max}")]
    GasLimitTooHigh { requested: u64, max: u64 },
    #[error("message cannot be delivered: {reason}")]
    Undeliverable { reason: String },
    #[error("message {nonce} from {chain:?} failed under checkpoints since rolled back (to size {rollback_to:?}): it may not be of the lane's history and is never retried")]
    RolledBack {
        chain: String,
        nonce: u64,
        rollback_to: Option<u64>,
    },
    #[error("gas limit must be at least {min}, got {requested}")]
    GasLimitTooLow { requested: u64, min: u64 },

    // Replies (only from this contract's own sub-messages).
    #[error("reply with unknown id {id}")]
    UnknownReply { id: u64 },
    #[error("malformed reply payload")]
    MalformedPayload,
}
