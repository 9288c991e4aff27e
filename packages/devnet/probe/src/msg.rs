use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Binary, Coin, SubMsg};

#[cw_serde]
#[derive(Default)]
pub struct InstantiateMsg {
    /// Written under the key `init`.
    pub value: Option<String>,
    /// Refuse to be instantiated, with this error.
    pub fail: Option<String>,
    /// The response data.
    pub data: Option<Binary>,
}

/// An attribute as the probe emits it.
#[cw_serde]
pub struct Attr {
    pub key: String,
    pub value: String,
}

/// A custom event: it appears on chain as `wasm-{ty}`.
#[cw_serde]
pub struct EventSpec {
    pub ty: String,
    pub attributes: Vec<Attr>,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Writes `value` under `key`.
    Write { key: String, value: String },
    /// Removes `key`.
    Remove { key: String },
    /// Writes `value` under `key`, then returns `error`: the write must not survive.
    WriteThenFail {
        key: String,
        value: String,
        error: String,
    },
    /// Returns `error`.
    Fail { error: String },
    /// Panics (a Wasm trap, not a contract error).
    Panic {},
    /// Loops forever, burning gas until the limit.
    Loop {},
    /// Adds `attributes` to the `wasm` event and emits `events` as custom events.
    Emit {
        attributes: Vec<Attr>,
        events: Vec<EventSpec>,
    },
    /// Returns these sub-messages, and `data` as the response data.
    Dispatch {
        msgs: Vec<SubMsg>,
        data: Option<Binary>,
    },
    /// Sets the response data.
    SetData { data: Binary },
    /// Smart-queries `contract` with `msg`; stores the answer under `query` and returns it
    /// as the response data.
    QuerySmart { contract: String, msg: Binary },
    /// Raw-queries `contract` for `key`; stores the value (or `none`) under `query`.
    QueryRaw { contract: String, key: Binary },
    /// Queries `address`'s balance of `denom`; stores the amount under `query`.
    QueryBalance { address: String, denom: String },
    /// Queries `contract`'s contract info; stores its JSON under `query`.
    QueryContractInfo { contract: String },
    /// Sends `amount` to `to` (a `BankMsg::Send` as a plain message).
    Send { to: String, amount: Vec<Coin> },
    /// Validates, canonicalizes and humanizes `address`, `times` times.
    Addresses { address: String, times: u32 },
    /// Iterates over every key of its storage; returns the count as response data
    /// (8 bytes, big-endian).
    Scan {},
}

/// What `reply` does, read from the sub-message's payload when it parses as this JSON;
/// any other payload just records the reply.
#[cw_serde]
#[derive(Default)]
pub struct ReplyAction {
    /// Fail the reply with this error.
    pub fail: Option<String>,
    /// Return this as the reply's response data (overriding the caller's data).
    pub data: Option<Binary>,
    /// Write this key/value pair.
    pub write: Option<Attr>,
}

#[cw_serde]
pub struct MigrateMsg {
    /// Written under the key `migrated`.
    pub value: String,
}

#[cw_serde]
pub struct SudoMsg {
    /// Written under the key `sudo`.
    pub value: String,
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// The value under `key`.
    #[returns(Option<String>)]
    Get { key: String },
    /// The last reply received for sub-message `id`, as the contract saw it.
    #[returns(Option<cosmwasm_std::Reply>)]
    Reply { id: u64 },
    /// How many replies the contract has received.
    #[returns(u64)]
    ReplyCount {},
    #[returns(String)]
    Echo { value: String },
    #[returns(String)]
    Fail { error: String },
    /// Loops forever.
    #[returns(u64)]
    Loop {},
    /// Smart-queries `contract` with `msg` and returns its answer.
    #[returns(Binary)]
    Forward { contract: String, msg: Binary },
}
