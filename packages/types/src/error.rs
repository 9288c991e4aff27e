//! Typed errors for every rule `ccmp-types` enforces. Each carries the values that explain
//! it, so a relayer or an integrator reading a failed transaction knows what to fix.

use thiserror::Error;

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum CodecError {
    #[error("{field} is {len} bytes, more than the {max} its length prefix can hold")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("input ends inside {field}: {needed} bytes needed, {remaining} left")]
    UnexpectedEnd {
        field: &'static str,
        needed: usize,
        remaining: usize,
    },
    #[error("{field} is not valid UTF-8")]
    InvalidUtf8 { field: &'static str },
    #[error("{count} trailing bytes after the encoding")]
    TrailingBytes { count: usize },
    #[error("{field} must be a 32-byte hash, got {len} bytes")]
    InvalidHashLength { field: &'static str, len: usize },
    #[error("unknown key type {key_type} (1 is secp256k1, 2 is Ed25519)")]
    UnknownKeyType { key_type: u8 },
}

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum MessageError {
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error("unsupported message version {version} (this is CCMP v1)")]
    UnsupportedVersion { version: u8 },
    #[error("{field} must be {min} to {max} bytes, got {len}")]
    FieldLength {
        field: &'static str,
        len: usize,
        min: usize,
        max: usize,
    },
    #[error("{field} {value:?} contains whitespace or a control character")]
    InvalidChainIdCharacter { field: &'static str, value: String },
    #[error("body is {len} bytes, over the limit of {max}")]
    BodyTooLarge { len: usize, max: usize },
    #[error("timeout_timestamp 0 means no timeout on the wire: send null instead")]
    ZeroTimeout,
}

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum MerkleError {
    #[error("tree size must be at least 1")]
    EmptyTree,
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("proof has {len} hashes, more than the limit of {max}")]
    ProofTooLong { len: usize, max: usize },
    #[error("proof has {len} hashes, but a proof for these sizes has {expected}")]
    WrongProofLength { len: usize, expected: usize },
    #[error("consistency proof from size {first} to size {second}: the first size must not exceed the second")]
    InvalidConsistencyRange { first: u64, second: u64 },
    #[error("proof does not lead to the expected root")]
    RootMismatch,
    #[error("frontier holds {nodes} nodes but size {size} needs {expected}")]
    MalformedFrontier {
        size: u64,
        nodes: usize,
        expected: usize,
    },
    #[error("frontier node {position} is {len} bytes, expected 32")]
    InvalidFrontierNode { position: usize, len: usize },
    #[error("tree is full at size {size}")]
    TreeFull { size: u64 },
}

/// Why a §8 multiproof (or a request to generate one) was refused.
#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum MultiproofError {
    #[error("a multiproof proves at least one leaf: no indices given")]
    NoIndices,
    #[error("{indices} indices but {leaves} leaf hashes: each index needs exactly one leaf")]
    LeafCountMismatch { indices: usize, leaves: usize },
    #[error("index {index} at position {position} does not follow index {previous}: indices must be strictly increasing")]
    IndicesNotIncreasing {
        position: usize,
        index: u64,
        previous: u64,
    },
    #[error("index {index} at position {position} is not below tree size {size}")]
    IndexOutOfRange {
        position: usize,
        index: u64,
        size: u64,
    },
    #[error("tree size must be at least 1")]
    EmptyTree,
    #[error("tree size {size} is over the limit of {max}")]
    TreeTooLarge { size: u64, max: u64 },
    #[error("proof has {len} hashes, more than the limit of {max} (64 per index)")]
    ProofTooLong { len: usize, max: usize },
    #[error("proof has {len} hashes, but these indices need {expected}: the proof ran out")]
    ProofTooShort { len: usize, expected: usize },
    #[error("proof has {len} hashes, but these indices use only {expected}: hashes left over")]
    ProofHashesLeftOver { len: usize, expected: usize },
    #[error("multiproof does not lead to the expected root")]
    RootMismatch,
}

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum AttesterSetError {
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error("attester set is empty")]
    Empty,
    #[error("attester set has {count} attesters, more than the limit of {max}")]
    TooManyAttesters { count: usize, max: usize },
    #[error("attester {index} has the same key as attester {first}")]
    DuplicateKey { index: usize, first: usize },
    #[error("attester {index} has an invalid {key_type} key: {reason}")]
    InvalidKey {
        index: usize,
        key_type: &'static str,
        reason: String,
    },
    #[error("attester {index} has weight 0")]
    ZeroWeight { index: usize },
    #[error("total attester weight overflows u64")]
    WeightOverflow,
    #[error("threshold {threshold} is not a majority of total weight {total}")]
    ThresholdTooLow { threshold: u64, total: u64 },
    #[error("threshold {threshold} exceeds total weight {total}")]
    ThresholdTooHigh { threshold: u64, total: u64 },
}

/// Why one submitted signature was refused.
#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum SignatureFault {
    #[error("signature is {len} bytes, expected {expected}")]
    WrongLength { len: usize, expected: usize },
    #[error("secp256k1 signature is not low-S")]
    HighS,
    #[error("signature does not verify against the attester's key")]
    Mismatch,
    #[error("verification failed: {0}")]
    Verification(String),
}

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    #[error("{count} signatures submitted but the set has only {max} attesters")]
    TooMany { count: usize, max: usize },
    #[error("signature index {index} does not follow index {previous}: indices must be strictly increasing")]
    IndexNotIncreasing { index: u32, previous: u32 },
    #[error("signature index {index} is outside the attester set of {size}")]
    IndexOutOfRange { index: u32, size: usize },
    #[error("signature of attester {index} refused: {fault}")]
    Invalid { index: u32, fault: SignatureFault },
    #[error("signed weight {signed} is under the threshold {threshold}")]
    InsufficientWeight { signed: u64, threshold: u64 },
    #[error("signed weight overflows u64")]
    WeightOverflow,
}

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum OwnershipError {
    #[error("unauthorized: only the owner may do this")]
    NotOwner,
    #[error("ownership has been renounced: no owner actions are possible")]
    NoOwner,
    #[error("no ownership transfer is pending")]
    NoPendingTransfer,
    #[error("unauthorized: only the pending owner may accept ownership")]
    NotPendingOwner,
    #[error("{address:?} is not a valid address on this chain")]
    InvalidAddress { address: String },
}
