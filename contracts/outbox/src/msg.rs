use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Coin, HexBinary};

pub use ccmp_types::{SendMsg, SendResponse};

#[cw_serde]
pub struct InstantiateMsg {
    /// Defaults to the instantiating address.
    pub owner: Option<String>,
    /// This chain's id as messages carry it. Defaults to the block's chain id.
    pub chain_id: Option<String>,
    pub destinations: Option<Vec<DestinationConfig>>,
}

/// A destination chain and the terms on which the outbox sends to it.
#[cw_serde]
pub struct DestinationConfig {
    pub chain: String,
    /// A disabled destination refuses `send`; its lane keeps its history.
    pub enabled: bool,
    /// The fee attached to every `send`, exactly; none when `null`.
    pub fee: Option<Coin>,
    /// The largest body accepted, in bytes; the protocol default (64 KiB) when `null`.
    pub max_body_bytes: Option<u32>,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Sends a message to an enabled destination, with its fee attached. Anyone.
    Send(SendMsg),
    /// Adds a destination or replaces its terms. Owner.
    SetDestination(DestinationConfig),
    /// Stops sending to a destination. Its lane stays queryable and, if it is set again,
    /// continues from the same nonce. Owner.
    RemoveDestination {
        chain: String,
    },
    /// Stops all sends (queries keep working). Owner.
    Pause {},
    Unpause {},
    /// Sends collected fees to `to`: `amount` exactly, or, without it, the whole balance
    /// of every denom a configured destination charges. Owner.
    WithdrawFees {
        to: String,
        amount: Option<Coin>,
    },
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
    #[returns(DestinationResponse)]
    Destination { chain: String },
    #[returns(DestinationsResponse)]
    Destinations {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// The lane's current size and root; size 0 and the empty root for a lane never used.
    #[returns(LaneResponse)]
    Lane { destination_chain: String },
    #[returns(MessageIdResponse)]
    MessageId {
        destination_chain: String,
        nonce: u64,
    },
    /// Message ids by nonce, ascending, from `start_after + 1` (or 0).
    #[returns(MessageIdsResponse)]
    MessageIds {
        destination_chain: String,
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
}

#[cw_serde]
pub struct DestinationResponse {
    pub chain: String,
    pub enabled: bool,
    pub fee: Option<Coin>,
    /// The limit in force: the configured one or the protocol default.
    pub max_body_bytes: u32,
}

#[cw_serde]
pub struct DestinationsResponse {
    pub destinations: Vec<DestinationResponse>,
}

#[cw_serde]
pub struct LaneResponse {
    pub destination_chain: String,
    pub size: u64,
    pub root: HexBinary,
}

#[cw_serde]
pub struct MessageIdResponse {
    pub destination_chain: String,
    pub nonce: u64,
    pub message_id: HexBinary,
}

#[cw_serde]
pub struct MessageIdEntry {
    pub nonce: u64,
    pub message_id: HexBinary,
}

#[cw_serde]
pub struct MessageIdsResponse {
    pub destination_chain: String,
    pub message_ids: Vec<MessageIdEntry>,
}
