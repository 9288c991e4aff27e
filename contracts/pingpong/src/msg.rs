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
    /// How many pongs the contract may send per window; `null` for the default of 100
    /// pongs per hour.
    pub pong_budget: Option<PongBudget>,
}

/// The default pong budget: at most 100 pongs ...
pub const DEFAULT_MAX_PONGS_PER_WINDOW: u32 = 100;
/// ... per hour.
pub const DEFAULT_WINDOW_SECONDS: u64 = 3_600;
/// A budget allows 1 to this many pongs per window.
pub const MAX_PONGS_PER_WINDOW: u32 = 10_000;
/// A window lasts from a minute ...
pub const MIN_WINDOW_SECONDS: u64 = 60;
/// ... to 30 days.
pub const MAX_WINDOW_SECONDS: u64 = 30 * 24 * 3_600;

/// At most `max_pongs_per_window` pongs in each window of `window_seconds`: a bound on
/// what pings, which anyone on a peer's chain can trigger, can make this contract spend
/// (`max_pongs_per_window` x the pong fee per window). A ping over the budget is accepted
/// and counted, but not answered.
#[cw_serde]
#[derive(Copy, Eq)]
pub struct PongBudget {
    /// 1 to 10,000.
    pub max_pongs_per_window: u32,
    /// 60 (a minute) to 2,592,000 (30 days).
    pub window_seconds: u64,
}

impl Default for PongBudget {
    fn default() -> Self {
        PongBudget {
            max_pongs_per_window: DEFAULT_MAX_PONGS_PER_WINDOW,
            window_seconds: DEFAULT_WINDOW_SECONDS,
        }
    }
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
    /// Sets the pong budget. The current window keeps its start and the pongs already sent
    /// in it, so lowering the maximum takes effect at once. Owner.
    SetPongBudget {
        max_pongs_per_window: u32,
        window_seconds: u64,
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
    /// The pong budget and how much of it the current window has used.
    #[returns(PongBudgetResponse)]
    PongBudget {},
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
    pub pong_budget: PongBudget,
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

/// Every received ping is answered or skipped, once:
/// `pings_received == pongs_sent + pongs_skipped_budget + pongs_skipped_unfunded`.
///
/// Also the stored form of the counters; the two `skipped` counters are absent from a
/// pingpong stored before the pong budget and read as 0.
#[cw_serde]
#[derive(Default, Copy, Eq)]
pub struct StatsResponse {
    pub pings_sent: u64,
    pub pongs_sent: u64,
    pub pings_received: u64,
    pub pongs_received: u64,
    /// Pings accepted without a pong because the window's budget was used up.
    #[serde(default)]
    pub pongs_skipped_budget: u64,
    /// Pings accepted without a pong because the balance did not cover the pong fee.
    #[serde(default)]
    pub pongs_skipped_unfunded: u64,
}

/// The budget, and its use as of the block the query runs in.
#[cw_serde]
pub struct PongBudgetResponse {
    pub max_pongs_per_window: u32,
    pub window_seconds: u64,
    /// When the current window began, in block-time seconds. A window opens at
    /// instantiation and then with the first ping after the previous one ended; one that
    /// has ended by the query's block reads as the fresh window the next ping would open.
    pub window_start: u64,
    /// When it ends (`window_start + window_seconds`): the budget refills from then on.
    pub window_end: u64,
    /// Pongs sent in the current window (0 once it has ended).
    pub pongs_in_window: u32,
    /// How many more pings would be answered now, funds permitting.
    pub pongs_left: u32,
}
