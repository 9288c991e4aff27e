//! Storage, reached only through the typed functions below.
//!
//! `send` is the hot path, and on wasmd a write costs 2000 gas plus 30 per byte of key and
//! value, so the three things it writes are raw fixed-size values, not JSON: the lane's
//! `(size, root)` (40 bytes), one frontier level (32 bytes) and the message id (32 bytes).
//! JSON would more than double each (a hex or base64 string plus quotes and field names).
//! Keys still come from cw-storage-plus, so namespaces and length prefixes stay standard.

use ccmp_types::{Hash, Ownership, EMPTY_ROOT};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Coin, Order, StdError, StdResult, Storage};
use cw_storage_plus::{Bound, Item, Map};

#[cw_serde]
pub struct Config {
    pub chain_id: String,
    pub paused: bool,
}

#[cw_serde]
pub struct Destination {
    pub enabled: bool,
    pub fee: Option<Coin>,
    pub max_body_bytes: Option<u32>,
}

/// A lane's current tree: what attesters sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lane {
    pub size: u64,
    pub root: Hash,
}

const CONFIG: Item<Config> = Item::new("c");
const OWNERSHIP: Item<Ownership> = Item::new("o");
const DESTINATIONS: Map<&str, Destination> = Map::new("d");
// Raw-valued maps: only their key layout is used (values are written with `Storage::set`).
const LANES: Map<&str, ()> = Map::new("l");
const FRONTIER: Map<(&str, u8), ()> = Map::new("f");
const MESSAGE_IDS: Map<(&str, u64), ()> = Map::new("m");

const LANE_BYTES: usize = 8 + 32;

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

pub fn load_destination(storage: &dyn Storage, chain: &str) -> StdResult<Option<Destination>> {
    DESTINATIONS.may_load(storage, chain)
}

pub fn save_destination(
    storage: &mut dyn Storage,
    chain: &str,
    destination: &Destination,
) -> StdResult<()> {
    DESTINATIONS.save(storage, chain, destination)
}

pub fn remove_destination(storage: &mut dyn Storage, chain: &str) {
    DESTINATIONS.remove(storage, chain)
}

/// Destinations in chain-id order after `start_after`, at most `limit`.
pub fn destinations_page(
    storage: &dyn Storage,
    start_after: Option<&str>,
    limit: usize,
) -> StdResult<Vec<(String, Destination)>> {
    DESTINATIONS
        .range(
            storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(limit)
        .collect()
}

/// Up to `max` configured destinations (the owner can configure no more than that).
pub fn all_destinations(
    storage: &dyn Storage,
    max: usize,
) -> StdResult<Vec<(String, Destination)>> {
    DESTINATIONS
        .range(storage, None, None, Order::Ascending)
        .take(max)
        .collect()
}

/// The number of configured destinations, counting no further than `cap`.
pub fn count_destinations(storage: &dyn Storage, cap: usize) -> StdResult<usize> {
    Ok(DESTINATIONS
        .keys_raw(storage, None, None, Order::Ascending)
        .take(cap)
        .count())
}

/// The lane's `(size, root)`; a lane never sent on is empty.
pub fn load_lane(storage: &dyn Storage, destination_chain: &str) -> StdResult<Lane> {
    match storage.get(&LANES.key(destination_chain)) {
        None => Ok(Lane {
            size: 0,
            root: EMPTY_ROOT,
        }),
        Some(bytes) => {
            let lane = bytes.split_first_chunk::<8>().and_then(|(size, root)| {
                Some(Lane {
                    size: u64::from_be_bytes(*size),
                    root: root.try_into().ok()?,
                })
            });
            lane.ok_or_else(|| corrupt("lane", destination_chain))
        }
    }
}

pub fn save_lane(storage: &mut dyn Storage, destination_chain: &str, lane: &Lane) {
    let mut bytes = [0u8; LANE_BYTES];
    bytes[..8].copy_from_slice(&lane.size.to_be_bytes());
    bytes[8..].copy_from_slice(&lane.root);
    storage.set(&LANES.key(destination_chain), &bytes);
}

/// The frontier node at `level`. Only levels whose bit is set in the lane's size are
/// meaningful; the others hold stale nodes that are never read, because deleting them
/// would cost gas on every send for nothing.
pub fn load_frontier_level(
    storage: &dyn Storage,
    destination_chain: &str,
    level: u32,
) -> StdResult<Option<Hash>> {
    let key = FRONTIER.key((destination_chain, level_key(level)?));
    load_hash(storage, &key, "frontier level", destination_chain)
}

pub fn save_frontier_level(
    storage: &mut dyn Storage,
    destination_chain: &str,
    level: u32,
    node: &Hash,
) -> StdResult<()> {
    storage.set(&FRONTIER.key((destination_chain, level_key(level)?)), node);
    Ok(())
}

/// Levels fit a byte: trees stop at `MAX_TREE_SIZE` = 2^63 leaves, so levels stay below 64.
fn level_key(level: u32) -> StdResult<u8> {
    u8::try_from(level).map_err(|_| StdError::msg(format!("frontier level {level} out of range")))
}

pub fn load_message_id(
    storage: &dyn Storage,
    destination_chain: &str,
    nonce: u64,
) -> StdResult<Option<Hash>> {
    load_hash(
        storage,
        &MESSAGE_IDS.key((destination_chain, nonce)),
        "message id",
        destination_chain,
    )
}

pub fn save_message_id(storage: &mut dyn Storage, destination_chain: &str, nonce: u64, id: &Hash) {
    storage.set(&MESSAGE_IDS.key((destination_chain, nonce)), id);
}

fn load_hash(storage: &dyn Storage, key: &[u8], what: &str, lane: &str) -> StdResult<Option<Hash>> {
    storage
        .get(key)
        .map(|bytes| bytes.try_into().map_err(|_| corrupt(what, lane)))
        .transpose()
}

fn corrupt(what: &str, lane: &str) -> StdError {
    StdError::msg(format!("corrupt {what} in storage for lane {lane:?}"))
}

#[cfg(test)]
mod tests {
    use cosmwasm_std::testing::MockStorage;

    use super::*;

    #[test]
    fn lane_round_trips_as_40_raw_bytes_and_refuses_corruption() {
        let mut storage = MockStorage::new();
        assert_eq!(
            load_lane(&storage, "b").unwrap(),
            Lane {
                size: 0,
                root: EMPTY_ROOT
            }
        );
        let lane = Lane {
            size: 0x0102_0304_0506_0708,
            root: [9; 32],
        };
        save_lane(&mut storage, "b", &lane);
        assert_eq!(load_lane(&storage, "b").unwrap(), lane);
        let stored = storage.get(&LANES.key("b")).unwrap();
        assert_eq!(&stored[..8], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(stored.len(), LANE_BYTES);

        for bad_len in [1, 8, 39, 41] {
            storage.set(&LANES.key("b"), &vec![0; bad_len]);
            assert!(load_lane(&storage, "b").is_err(), "{bad_len} bytes");
        }
        storage.set(&FRONTIER.key(("b", 0)), &[0; 31]);
        assert!(load_frontier_level(&storage, "b", 0).is_err());
        assert!(load_frontier_level(&storage, "b", 256).is_err());
    }
}
