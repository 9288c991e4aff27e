//! Storage, reached only through the typed functions below.
//!
//! `send` is the hot path. On wasmd a read costs 1000 gas plus 3 per byte and a write 2000
//! plus 30 per byte of key (with a 33-byte contract prefix) and value, so a send touches as
//! few entries as it can, all raw bytes rather than JSON (which would more than double
//! each):
//! - the lane: `size (8) || root (32) || low frontier`, where the low frontier is the
//!   subtree roots of levels 0..4 set in `size` (0 to 4 nodes of 32 bytes, highest first).
//!   Read and written by every send.
//! - the high frontier: the subtree roots of levels 4 and up set in `size`, highest first.
//!   Read by every send once the lane holds 16 messages (the root needs every level), but
//!   written only when a carry reaches level 4, once per 16 sends.
//! - the message id (32 bytes) under its nonce, written once.
//!
//! One entry per level would cost a read (1000 gas and up) per set bit of the size, about
//! 12,000 gas a send on a lane of a million messages; one entry for the whole frontier
//! would rewrite up to 2 KiB every send. The split reads two entries and writes a small
//! one. Keys come from cw-storage-plus, so namespaces and length prefixes stay standard.

use ccmp_types::{FrontierAppend, Hash, Ownership, EMPTY_ROOT};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Coin, Order, StdError, StdResult, Storage};
use cw_storage_plus::{Bound, Item, Map};

#[cw_serde]
pub struct Config {
    pub chain_id: String,
    pub paused: bool,
}

/// Read by every send at 3 gas a byte, so its stored field names are one letter.
#[cw_serde]
pub struct Destination {
    #[serde(rename = "e")]
    pub enabled: bool,
    #[serde(rename = "f")]
    pub fee: Option<Coin>,
    #[serde(rename = "m")]
    pub max_body_bytes: Option<u32>,
    /// This outbox's chain id, copied from the config (it never changes).
    #[serde(rename = "c")]
    pub source_chain: String,
    /// The outbox's pause flag, copied into every destination by `pause` and `unpause`.
    #[serde(rename = "p")]
    pub paused: bool,
    /// The lane's index in the keys of its entries.
    #[serde(rename = "l")]
    pub lane: u16,
}

/// A lane's current tree: what attesters sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lane {
    pub size: u64,
    pub root: Hash,
}

/// Frontier levels below this live in the lane entry; the others in the high entry.
pub const LOW_LEVELS: u32 = 4;

/// A lane with its frontier: every subtree root the next append and root need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaneFrontier {
    pub lane: Lane,
    /// Subtree roots of the levels below `LOW_LEVELS` set in the size, highest first.
    pub low: Vec<Hash>,
    /// Subtree roots of the levels from `LOW_LEVELS` up set in the size, highest first.
    pub high: Vec<Hash>,
}

impl LaneFrontier {
    /// The subtree root at `level` (a set bit of the size).
    pub fn node(&self, level: u32) -> Option<Hash> {
        let size = self.lane.size;
        if (size >> level) & 1 == 0 {
            return None;
        }
        // Highest first: a level is preceded by one node per set bit above it in its part.
        if level < LOW_LEVELS {
            let low_bits = size & low_mask();
            self.low
                .get((low_bits >> (level + 1)).count_ones() as usize)
                .copied()
        } else {
            self.high
                .get((size >> (level + 1)).count_ones() as usize)
                .copied()
        }
    }
}

impl LaneFrontier {
    /// The lane after `append` (computed from this frontier): levels below the changed one
    /// are now clear, the changed one holds the new node, the ones above are unchanged.
    /// `None` if this frontier lacks a level the append relies on.
    pub fn appended(&self, append: &FrontierAppend) -> Option<LaneFrontier> {
        let size = append.size;
        let nodes = |levels: std::ops::Range<u32>| {
            levels
                .rev()
                .filter(|level| (size >> level) & 1 == 1)
                .map(|level| {
                    if level == append.level {
                        Some(append.node)
                    } else {
                        self.node(level)
                    }
                })
                .collect::<Option<Vec<_>>>()
        };
        Some(LaneFrontier {
            lane: Lane {
                size,
                root: append.root,
            },
            low: nodes(0..LOW_LEVELS)?,
            high: if append.level >= LOW_LEVELS {
                nodes(LOW_LEVELS..u64::BITS)?
            } else {
                self.high.clone()
            },
        })
    }
}

fn low_mask() -> u64 {
    (1 << LOW_LEVELS) - 1
}

const CONFIG: Item<Config> = Item::new("c");
const OWNERSHIP: Item<Ownership> = Item::new("o");
const DESTINATIONS: Map<&str, Destination> = Map::new("d");
/// Each destination chain's lane gets a 2-byte index the first time the chain is set, kept
/// for good (a removed destination's lane continues if it is set again). The per-send keys
/// carry the index instead of the chain id: 5 bytes less on each of the keys a send writes
/// (30 gas a byte) for chain ids like "chain-b", more for longer ones.
const LANE_INDEX: Map<&str, u16> = Map::new("i");
const LANE_COUNT: Item<u16> = Item::new("n");
// Raw-valued maps: only their key layout is used (values are written with `Storage::set`).
const LANES: Map<u16, ()> = Map::new("l");
const HIGH_FRONTIER: Map<u16, ()> = Map::new("h");
const MESSAGE_IDS: Map<(u16, u64), ()> = Map::new("m");

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

/// The lane index of `chain`, if it was ever a destination.
pub fn lane_index(storage: &dyn Storage, chain: &str) -> StdResult<Option<u16>> {
    LANE_INDEX.may_load(storage, chain)
}

/// The lane index of `chain`, assigning the next one if it has none.
pub fn assign_lane_index(storage: &mut dyn Storage, chain: &str) -> StdResult<u16> {
    if let Some(index) = lane_index(storage, chain)? {
        return Ok(index);
    }
    let index = LANE_COUNT.may_load(storage)?.unwrap_or(0);
    let next = index
        .checked_add(1)
        .ok_or_else(|| StdError::msg("no lane index left: 65,535 destination chains in use"))?;
    LANE_INDEX.save(storage, chain, &index)?;
    LANE_COUNT.save(storage, &next)?;
    Ok(index)
}

const EMPTY_LANE: Lane = Lane {
    size: 0,
    root: EMPTY_ROOT,
};

/// The lane's `(size, root)`; a lane never sent on is empty.
pub fn load_lane(storage: &dyn Storage, destination_chain: &str) -> StdResult<Lane> {
    match lane_index(storage, destination_chain)? {
        Some(lane) => Ok(load_lane_entry(storage, lane)?.0),
        None => Ok(EMPTY_LANE),
    }
}

/// The lane's `(size, root)` and the low frontier stored with it.
fn load_lane_entry(storage: &dyn Storage, lane: u16) -> StdResult<(Lane, Vec<Hash>)> {
    let Some(bytes) = storage.get(&LANES.key(lane)) else {
        return Ok((EMPTY_LANE, vec![]));
    };
    let corrupt_lane = || corrupt("lane", lane);
    let (size, rest) = bytes.split_first_chunk::<8>().ok_or_else(corrupt_lane)?;
    let (root, low) = rest.split_first_chunk::<32>().ok_or_else(corrupt_lane)?;
    let size = u64::from_be_bytes(*size);
    let low = hashes(low, (size & low_mask()).count_ones()).ok_or_else(corrupt_lane)?;
    Ok((Lane { size, root: *root }, low))
}

/// The lane and its whole frontier: two reads, or one while the lane is under 16 messages.
pub fn load_lane_frontier(storage: &dyn Storage, lane: u16) -> StdResult<LaneFrontier> {
    let (lane_entry, low) = load_lane_entry(storage, lane)?;
    let high_count = (lane_entry.size >> LOW_LEVELS).count_ones();
    let high = if high_count == 0 {
        vec![]
    } else {
        let bytes = storage.get(&HIGH_FRONTIER.key(lane)).unwrap_or_default();
        hashes(&bytes, high_count).ok_or_else(|| corrupt("high frontier", lane))?
    };
    Ok(LaneFrontier {
        lane: lane_entry,
        low,
        high,
    })
}

/// Stores the lane after an append that changed frontier `level`: the lane entry always,
/// the high entry only when the change reached it.
pub fn save_lane_frontier(
    storage: &mut dyn Storage,
    lane: u16,
    frontier: &LaneFrontier,
    level: u32,
) {
    let mut entry = Vec::with_capacity(LANE_BYTES + 32 * frontier.low.len());
    entry.extend_from_slice(&frontier.lane.size.to_be_bytes());
    entry.extend_from_slice(&frontier.lane.root);
    frontier
        .low
        .iter()
        .for_each(|node| entry.extend_from_slice(node));
    storage.set(&LANES.key(lane), &entry);
    // A carry that reaches level 4 or above always leaves a high node (the level itself).
    if level >= LOW_LEVELS && !frontier.high.is_empty() {
        storage.set(&HIGH_FRONTIER.key(lane), &frontier.high.concat());
    }
}

/// Exactly `count` 32-byte hashes, or `None`.
fn hashes(bytes: &[u8], count: u32) -> Option<Vec<Hash>> {
    let (chunks, rest) = bytes.as_chunks::<32>();
    (rest.is_empty() && chunks.len() == count as usize).then(|| chunks.to_vec())
}

/// The id of message `nonce` on the lane to `destination_chain`, if it was sent.
pub fn load_message_id(
    storage: &dyn Storage,
    destination_chain: &str,
    nonce: u64,
) -> StdResult<Option<Hash>> {
    let Some(lane) = lane_index(storage, destination_chain)? else {
        return Ok(None);
    };
    storage
        .get(&MESSAGE_IDS.key((lane, nonce)))
        .map(|bytes| bytes.try_into().map_err(|_| corrupt("message id", lane)))
        .transpose()
}

pub fn save_message_id(storage: &mut dyn Storage, lane: u16, nonce: u64, id: &Hash) {
    storage.set(&MESSAGE_IDS.key((lane, nonce)), id);
}

fn corrupt(what: &str, lane: u16) -> StdError {
    StdError::msg(format!("corrupt {what} in storage for lane {lane}"))
}

#[cfg(test)]
mod tests {
    use cosmwasm_std::testing::MockStorage;

    use super::*;

    use ccmp_types::{append_to_frontier, leaf_hash, root};

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    /// Appends `leaves` through storage exactly as `send` does.
    fn append_all(storage: &mut MockStorage, lane: u16, leaves: &[Hash]) {
        for leaf in leaves {
            let frontier = load_lane_frontier(storage, lane).unwrap();
            let append = append_to_frontier(frontier.lane.size, *leaf, |level| {
                frontier.node(level).ok_or(StdError::msg("missing level"))
            })
            .unwrap();
            let next = frontier.appended(&append).unwrap();
            save_lane_frontier(storage, lane, &next, append.level);
        }
    }

    #[test]
    fn the_split_frontier_keeps_the_rfc_root_at_every_size() {
        let mut storage = MockStorage::new();
        let all = leaves(300);
        for size in 1..=300u64 {
            append_all(&mut storage, 0, &all[size as usize - 1..size as usize]);
            let frontier = load_lane_frontier(&storage, 0).unwrap();
            assert_eq!(frontier.lane.size, size);
            assert_eq!(
                frontier.lane.root,
                root(&all[..size as usize]),
                "size {size}"
            );
            assert_eq!(frontier.low.len() as u32, (size & 15).count_ones());
            assert_eq!(frontier.high.len() as u32, (size >> 4).count_ones());
            assert_eq!(
                storage.get(&LANES.key(0)).unwrap().len(),
                LANE_BYTES + 32 * frontier.low.len()
            );
        }
        // Another lane is independent.
        assert_eq!(load_lane_frontier(&storage, 1).unwrap().lane.size, 0);
    }

    #[test]
    fn lane_entries_refuse_corruption() {
        let mut storage = MockStorage::new();
        assert_eq!(load_lane(&storage, "b").unwrap(), EMPTY_LANE);
        assert_eq!(assign_lane_index(&mut storage, "b").unwrap(), 0);
        assert_eq!(assign_lane_index(&mut storage, "c").unwrap(), 1);
        assert_eq!(assign_lane_index(&mut storage, "b").unwrap(), 0);
        append_all(&mut storage, 0, &leaves(17));
        let stored = storage.get(&LANES.key(0)).unwrap();
        assert_eq!(&stored[..8], &17u64.to_be_bytes());
        // 17 = 0b1_0001: one low node (level 0) and one high node (level 4).
        assert_eq!(stored.len(), LANE_BYTES + 32);
        assert_eq!(storage.get(&HIGH_FRONTIER.key(0)).unwrap().len(), 32);

        for bad_len in [1, 8, 39, 40, 71, 73, 104] {
            let mut bad = stored.clone();
            bad.resize(bad_len, 0);
            storage.set(&LANES.key(0), &bad);
            assert!(load_lane(&storage, "b").is_err(), "{bad_len} bytes");
        }
        storage.set(&LANES.key(0), &stored);
        storage.set(&HIGH_FRONTIER.key(0), &[0; 33]);
        assert!(load_lane_frontier(&storage, 0).is_err());
        storage.remove(&HIGH_FRONTIER.key(0));
        assert!(load_lane_frontier(&storage, 0).is_err());
    }
}
