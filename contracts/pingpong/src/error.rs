use ccmp_types::{MessageError, MigrateError, OwnershipError};
use cosmwasm_std::{Addr, Coin, StdError};
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
    Migrate(#[from] MigrateError),
    #[error(
        "cannot migrate from version {from}: this code reads the storage of {oldest} and later"
    )]
    LayoutTooOld { from: String, oldest: String },

    // ccmp_receive refusals.
    #[error("unauthorized: only the inbox {inbox} may deliver messages, not {sender}")]
    NotInbox { sender: Addr, inbox: Addr },
    #[error("unexpected funds attached to a delivery: {funds} (the inbox sends none)")]
    FundsWithDelivery { funds: String },
    #[error("no peer is configured on chain {chain:?}")]
    UnknownPeer { chain: String },
    #[error("sender {got:?} on chain {chain:?} is not the peer {expected:?}")]
    WrongPeer {
        chain: String,
        expected: String,
        got: String,
    },
    #[error("failing on purpose: the fail switch is on")]
    FailSwitchOn,
    #[error("body is not a ping or pong payload: {reason}")]
    InvalidPayload { reason: String },

    // ping refusals.
    #[error("text is {len} bytes, over the limit of {max}")]
    TextTooLong { len: usize, max: usize },
    #[error("attach at most one coin, the outbox's fee; got {funds}")]
    MultipleFeeCoins { funds: String },

    // Owner settings.
    #[error("peer chain {chain:?} is listed twice")]
    DuplicatePeer { chain: String },
    #[error("{count} peers, more than the limit of {max}")]
    TooManyPeers { count: usize, max: usize },
    #[error("pong fee must be a non-zero amount of a non-empty denom, got {fee}")]
    InvalidFee { fee: Coin },
    #[error("{field} must be {min} to {max}, got {value}")]
    PongBudgetOutOfBounds {
        field: String,
        value: u64,
        min: u64,
        max: u64,
    },
    #[error("nothing to withdraw")]
    NothingToWithdraw,
    #[error("cannot withdraw {requested}: the balance is {available}")]
    InsufficientBalance { requested: Coin, available: Coin },
}
