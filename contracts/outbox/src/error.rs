use ccmp_types::{MerkleError, MessageError, MigrateError, OwnershipError};
use cosmwasm_std::{Coin, StdError};
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
    Merkle(#[from] MerkleError),
    #[error(transparent)]
    Migrate(#[from] MigrateError),

    #[error("outbox is paused")]
    Paused,
    #[error("destination {chain:?} is not configured")]
    UnknownDestination { chain: String },
    #[error("destination {chain:?} is disabled")]
    DestinationDisabled { chain: String },
    #[error("destination {chain:?} is this chain: a lane must lead elsewhere")]
    DestinationIsSelf { chain: String },
    #[error("destination {chain:?} is listed twice")]
    DuplicateDestination { chain: String },
    #[error("{count} destinations at instantiation, more than the limit of {max}")]
    TooManyDestinations { count: usize, max: usize },
    #[error("max_body_bytes must be 1 to {max}, got {got}")]
    InvalidBodyLimit { got: u32, max: u32 },
    #[error("fee must be a non-zero amount of a non-empty denom, got {fee}")]
    InvalidFee { fee: Coin },

    #[error("destination charges {expected} but no funds were attached")]
    MissingFee { expected: Coin },
    #[error("fee must be paid in {expected}, got {got}")]
    WrongFeeDenom { expected: String, got: String },
    #[error("fee is {expected}, only {got} attached")]
    InsufficientFee { expected: Coin, got: Coin },
    #[error("fee is {expected}, but {got} attached")]
    ExcessFee { expected: Coin, got: Coin },
    #[error("unexpected funds attached: {funds} (the fee is {expected})")]
    UnexpectedFunds { funds: String, expected: String },

    #[error(
        "timeout {timeout} is not after this block's time {now}: the message could only time out"
    )]
    TimeoutInPast { timeout: u64, now: u64 },

    #[error("nothing to withdraw")]
    NothingToWithdraw,
    #[error("cannot withdraw {requested}: the balance is {available}")]
    InsufficientBalance { requested: Coin, available: Coin },

    #[error("lane to {destination_chain:?} has no nonce {nonce} (size {size})")]
    NonceNotFound {
        destination_chain: String,
        nonce: u64,
        size: u64,
    },
    #[error("stored frontier of lane {destination_chain:?} lacks level {level} at size {size}")]
    CorruptFrontier {
        destination_chain: String,
        level: u32,
        size: u64,
    },
}
