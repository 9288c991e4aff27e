//! Storage, reached only through the typed functions below.
//!
//! Everything is bounded: at most `MAX_PEERS` peers, one `Received` record per chain a
//! peer was ever configured on (only configured peers are accepted), texts of at most
//! `MAX_TEXT_BYTES`, fixed-size counters and one pong window (its start and a count).
//! Nothing grows with the number of messages.

use ccmp_types::Ownership;
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Coin, Order, StdResult, Storage};
use cw_storage_plus::{Item, Map};

use crate::msg::{PongBudget, ReceivedMessage, StatsResponse};

#[cw_serde]
pub struct Config {
    pub outbox: Addr,
    pub inbox: Addr,
    pub pong_fee: Option<Coin>,
    pub fail: bool,
}

/// What arrived from one source chain.
#[cw_serde]
pub struct Received {
    pub count: u64,
    pub last: ReceivedMessage,
}

pub type Stats = StatsResponse;

/// The pong budget and the current window: O(1), whatever the number of pings. Absent
/// from a pingpong stored before the budget existed; `migrate` then stores the default.
#[cw_serde]
pub struct PongWindow {
    pub budget: PongBudget,
    /// Block time, in seconds, at which the current window began.
    pub start: u64,
    /// Pongs sent since `start`.
    pub pongs: u32,
}

impl PongWindow {
    pub fn new(budget: PongBudget, now: u64) -> Self {
        PongWindow {
            budget,
            start: now,
            pongs: 0,
        }
    }

    /// The first second after the current window.
    pub fn end(&self) -> u64 {
        self.start.saturating_add(self.budget.window_seconds)
    }

    /// Opens a new window at `now` if the current one has ended.
    pub fn roll(&mut self, now: u64) {
        if now >= self.end() {
            *self = PongWindow::new(self.budget, now);
        }
    }

    /// Pongs the current window still allows.
    pub fn pongs_left(&self) -> u32 {
        self.budget.max_pongs_per_window.saturating_sub(self.pongs)
    }
}

const CONFIG: Item<Config> = Item::new("c");
const OWNERSHIP: Item<Ownership> = Item::new("o");
const STATS: Item<Stats> = Item::new("s");
const PONG_WINDOW: Item<PongWindow> = Item::new("b");
/// Chain id → the peer contract's address on it.
const PEERS: Map<&str, String> = Map::new("p");
/// Source chain id → what arrived from it.
const RECEIVED: Map<&str, Received> = Map::new("r");

pub fn load_config(storage: &dyn Storage) -> StdResult<Config> {
    CONFIG.load(storage)
}

pub fn save_config(storage: &mut dyn Storage, config: &Config) -> StdResult<()> {
    CONFIG.save(storage, config)
}

pub fn load_ownership(storage: &dyn Storage) -> StdResult<Ownership> {
    OWNERSHIP.load(storage)
}

pub fn save_ownership(storage: &mut dyn Storage, ownership: &Ownership) -> StdResult<()> {
    OWNERSHIP.save(storage, ownership)
}

/// All zero before the first ping or delivery.
pub fn load_stats(storage: &dyn Storage) -> StdResult<Stats> {
    Ok(STATS.may_load(storage)?.unwrap_or_default())
}

pub fn save_stats(storage: &mut dyn Storage, stats: &Stats) -> StdResult<()> {
    STATS.save(storage, stats)
}

pub fn load_pong_window(storage: &dyn Storage) -> StdResult<PongWindow> {
    PONG_WINDOW.load(storage)
}

/// `None` in a pingpong stored before the pong budget existed.
pub fn may_load_pong_window(storage: &dyn Storage) -> StdResult<Option<PongWindow>> {
    PONG_WINDOW.may_load(storage)
}

pub fn save_pong_window(storage: &mut dyn Storage, window: &PongWindow) -> StdResult<()> {
    PONG_WINDOW.save(storage, window)
}

pub fn load_peer(storage: &dyn Storage, chain: &str) -> StdResult<Option<String>> {
    PEERS.may_load(storage, chain)
}

pub fn save_peer(storage: &mut dyn Storage, chain: &str, address: &str) -> StdResult<()> {
    PEERS.save(storage, chain, &address.to_string())
}

pub fn remove_peer(storage: &mut dyn Storage, chain: &str) {
    PEERS.remove(storage, chain)
}

/// Up to `max` peers in chain-id order (the owner can configure no more than that).
pub fn all_peers(storage: &dyn Storage, max: usize) -> StdResult<Vec<(String, String)>> {
    PEERS
        .range(storage, None, None, Order::Ascending)
        .take(max)
        .collect()
}

/// The number of configured peers, counting no further than `cap`.
pub fn count_peers(storage: &dyn Storage, cap: usize) -> usize {
    PEERS
        .keys_raw(storage, None, None, Order::Ascending)
        .take(cap)
        .count()
}

pub fn load_received(storage: &dyn Storage, source_chain: &str) -> StdResult<Option<Received>> {
    RECEIVED.may_load(storage, source_chain)
}

pub fn save_received(
    storage: &mut dyn Storage,
    source_chain: &str,
    received: &Received,
) -> StdResult<()> {
    RECEIVED.save(storage, source_chain, received)
}
