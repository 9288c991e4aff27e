use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Coin, HexBinary};

pub use ccmp_types::CcmpReceiveMsg;

/// The pingpong contract on another chain that this one talks to.
#[cw_serde]
pub struct Peer {
    /// The peer's chain id, as its outbox stamps it on messages (`source_chain`).
    pub chain: String,
    /// The peer contract's address on that chain, as a string: it is never validated
    /// against this chain's address format, because it is not an address of this chain.
    pub address: String,
}

#[cw_serde]
pub struct InstantiateMsg {
    /// Defaults to the instantiating address.
    pub owner: Option<String>,
    /// The outbox on this chain that pings and pongs are sent through.
    pub outbox: String,
    /// The inbox on this chain whose `ccmp_receive` calls are trusted.
    pub inbox: String,
    /// At most one peer per chain, at most 50 in all.
    pub peers: Vec<Peer>,
    /// The outbox fee attached to every pong, paid from this contract's balance; none when
    /// `null`. It must match what the outbox charges for the peer's chain.
    pub pong_fee: Option<Coin>,
}

/// What a ping or pong carries, as the message body: `{"ping":{"text":"hi"}}` or
/// `{"pong":{"text":"hi","ping_nonce":0}}`. Anything else is refused, except that unknown
/// fields inside a variant are ignored (serde does not apply `deny_unknown_fields` to
/// enum variants), so a newer peer may add fields without breaking older ones.
#[cw_serde]
pub enum Payload {
    Ping {
        text: String,
    },
    /// The answer to the ping with nonce `ping_nonce` on the lane from the pinging chain;
    /// `text` echoes the ping's.
    Pong {
        text: String,
        ping_nonce: u64,
    },
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Sends a ping to the peer on `destination_chain` through the outbox. Attach the
    /// outbox's fee for that destination (nothing if it is free): it is forwarded as is.
    /// Anyone.
    Ping {
        destination_chain: String,
        text: String,
    },
    /// A message delivered by the inbox. Only the configured inbox.
    CcmpReceive(CcmpReceiveMsg),
    /// While `fail` is true every `ccmp_receive` is refused, so deliveries fail and can be
    /// retried once it is false again. Owner.
    SetFail {
        fail: bool,
    },
    /// Adds the peer for a chain or replaces its address. Owner.
    SetPeer {
        chain: String,
        address: String,
    },
    /// Stops accepting messages from a chain and sending to it. Owner.
    RemovePeer {
        chain: String,
    },
    /// Sets the fee attached to every pong (`null` for none). Owner.
    SetPongFee {
        pong_fee: Option<Coin>,
    },
    /// Sends coins held for pong fees back out. Owner.
    Withdraw {
        to: String,
        amount: Coin,
    },
    TransferOwnership {
        new_owner: String,
    },
    AcceptOwnership {},
    CancelOwnershipTransfer {},
    RenounceOwnership {},
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(ConfigResponse)]
    Config {},
    /// How many messages arrived from `source_chain`, and the last of them.
    #[returns(ReceivedResponse)]
    Received { source_chain: String },
    #[returns(StatsResponse)]
    Stats {},
}

#[cw_serde]
pub struct ConfigResponse {
    pub owner: Option<Addr>,
    pub pending_owner: Option<Addr>,
    pub outbox: Addr,
    pub inbox: Addr,
    /// In chain-id order.
    pub peers: Vec<Peer>,
    pub pong_fee: Option<Coin>,
    pub fail: bool,
}

/// One accepted message.
#[cw_serde]
pub struct ReceivedMessage {
    pub nonce: u64,
    pub message_id: HexBinary,
    pub payload: Payload,
}

#[cw_serde]
pub struct ReceivedResponse {
    pub source_chain: String,
    pub count: u64,
    /// `null` until a message from `source_chain` is accepted.
    pub last: Option<ReceivedMessage>,
}

#[cw_serde]
#[derive(Default, Copy, Eq)]
pub struct StatsResponse {
    pub pings_sent: u64,
    pub pongs_sent: u64,
    pub pings_received: u64,
    pub pongs_received: u64,
}
