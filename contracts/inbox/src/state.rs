//! Storage, reached only through the typed functions below.
//!
//! Delivery is the hot path, and on wasmd a write costs 2000 gas plus 30 per byte of key
//! and value (keys carry a 33-byte contract prefix). So a message's status is two bits in
//! a 32-byte chunk that covers 128 nonces: the messages of a batch share their chunk's
//! single write instead of paying a write each. Only messages that fail get a record of
//! their own (id, error, attempts, height), written on the failure path. Checkpoint roots,
//! the latest checkpoint and an ordered lane's next nonce are raw fixed-size values too.
//! Keys come from cw-storage-plus, so namespaces and length prefixes stay standard.

use ccmp_types::{AttesterSet, Hash, MessageStatus, Ownership};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{HexBinary, Order, StdError, StdResult, Storage, Timestamp};
use cw_storage_plus::{Bound, Item, Map};

pub use crate::msg::Freeze;
use crate::msg::TrustChange;

#[cw_serde]
pub struct Config {
    pub chain_id: String,
    pub paused: bool,
    pub max_batch_size: u32,
    pub max_body_bytes: u32,
    pub trust_delay_seconds: u64,
    pub next_proposal_id: u64,
}

/// A change of trust waiting for its delay.
#[cw_serde]
pub struct Proposal {
    pub change: TrustChange,
    pub proposed_at: Timestamp,
    pub executable_at: Timestamp,
    /// For an unfreeze: the source's checkpoint generation when it was proposed, which
    /// names the freeze it answers (a freeze ends with the rollback to the next
    /// generation). Absent for other changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freeze_generation: Option<u32>,
}

/// What delivery reads of a source; the attester set is kept apart because only
/// checkpoints and rotations need it, and it can hold a hundred keys.
#[cw_serde]
pub struct Source {
    pub outbox: String,
    pub ordered: bool,
    pub receive_gas_limit: u64,
    pub max_receive_gas_limit: u64,
    /// The epoch of the current attester set: 1, plus one per change.
    pub epoch: u64,
    pub frozen: Option<Freeze>,
    /// The checkpoint generation: stored checkpoints are keyed by it, and a rollback
    /// moves to the next one, so every checkpoint of an earlier generation is unusable at
    /// once, whatever their number.
    pub generation: u32,
}

/// A stored checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub size: u64,
    pub root: Hash,
}

/// The record of a message that failed at least once.
#[cw_serde]
pub struct Receipt {
    pub message_id: HexBinary,
    pub error: Option<String>,
    pub attempts: u32,
    pub updated_at_height: u64,
    /// The checkpoint generation the message was proven under.
    pub generation: u32,
}

const CONFIG: Item<Config> = Item::new("c");
const OWNERSHIP: Item<Ownership> = Item::new("o");
const SOURCES: Map<&str, Source> = Map::new("s");
const ATTESTERS: Map<&str, ()> = Map::new("a");
const RECEIPTS: Map<(&str, u64), Receipt> = Map::new("r");
const PROPOSALS: Map<u64, Proposal> = Map::new("p");
/// Per source and generation: the checkpoint size that generation was rolled back to.
const ROLLBACKS: Map<(&str, u32), u64> = Map::new("g");
/// Generations `rollback_floor` looks through; beyond it a retry is refused.
pub const MAX_ROLLBACKS_SCANNED: u32 = 64;
// Raw-valued maps: only their key layout is used (values are written with `Storage::set`).
const LATEST_CHECKPOINT: Map<&str, ()> = Map::new("l");
const CHECKPOINTS: Map<(&str, u32, u64), ()> = Map::new("k");
const NEXT_NONCE: Map<&str, ()> = Map::new("n");
const STATUS_CHUNKS: Map<(&str, u64), ()> = Map::new("b");

/// Nonces per status chunk: 2 bits each in 32 bytes.
pub const NONCES_PER_CHUNK: u64 = 128;
const CHUNK_BYTES: usize = 32;

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

pub fn load_source(storage: &dyn Storage, chain: &str) -> StdResult<Option<Source>> {
    SOURCES.may_load(storage, chain)
}

pub fn save_source(storage: &mut dyn Storage, chain: &str, source: &Source) -> StdResult<()> {
    SOURCES.save(storage, chain, source)
}

/// Sources in chain-id order after `start_after`, at most `limit`.
pub fn sources_page(
    storage: &dyn Storage,
    start_after: Option<&str>,
    limit: usize,
) -> StdResult<Vec<(String, Source)>> {
    SOURCES
        .range(
            storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(limit)
        .collect()
}

/// The source's attester set, stored in the byte layout of its digest (`AttesterSet::
/// to_bytes`): every checkpoint reads it whole at 3 gas a byte, and that is about half
/// the bytes of its JSON.
pub fn load_attesters(storage: &dyn Storage, chain: &str) -> StdResult<AttesterSet> {
    let bytes = storage
        .get(&ATTESTERS.key(chain))
        .ok_or_else(|| corrupt("attester set", chain))?;
    AttesterSet::from_bytes(&bytes).map_err(|_| corrupt("attester set", chain))
}

pub fn save_attesters(
    storage: &mut dyn Storage,
    chain: &str,
    attesters: &AttesterSet,
) -> StdResult<()> {
    let bytes = attesters
        .to_bytes()
        .map_err(|err| StdError::msg(err.to_string()))?;
    storage.set(&ATTESTERS.key(chain), &bytes);
    Ok(())
}

pub fn load_latest_checkpoint(
    storage: &dyn Storage,
    chain: &str,
) -> StdResult<Option<StoredCheckpoint>> {
    storage
        .get(&LATEST_CHECKPOINT.key(chain))
        .map(|bytes| {
            bytes
                .split_first_chunk::<8>()
                .and_then(|(size, root)| {
                    Some(StoredCheckpoint {
                        size: u64::from_be_bytes(*size),
                        root: root.try_into().ok()?,
                    })
                })
                .ok_or_else(|| corrupt("latest checkpoint", chain))
        })
        .transpose()
}

/// The root of a stored checkpoint of generation `generation` (the source's current one
/// for every use: older generations were rolled back).
pub fn load_checkpoint_root(
    storage: &dyn Storage,
    chain: &str,
    generation: u32,
    size: u64,
) -> StdResult<Option<Hash>> {
    storage
        .get(&CHECKPOINTS.key((chain, generation, size)))
        .map(|bytes| {
            bytes
                .try_into()
                .map_err(|_| corrupt("checkpoint root", chain))
        })
        .transpose()
}

/// Stores a checkpoint in `generation` and makes it the latest (checkpoints only ever
/// grow, but for a rollback).
pub fn save_checkpoint(
    storage: &mut dyn Storage,
    chain: &str,
    generation: u32,
    checkpoint: &StoredCheckpoint,
) {
    storage.set(
        &CHECKPOINTS.key((chain, generation, checkpoint.size)),
        &checkpoint.root,
    );
    save_latest_checkpoint(storage, chain, checkpoint);
}

/// Makes `checkpoint` the latest, which every new checkpoint must extend.
pub fn save_latest_checkpoint(
    storage: &mut dyn Storage,
    chain: &str,
    checkpoint: &StoredCheckpoint,
) {
    let mut latest = [0u8; 40];
    latest[..8].copy_from_slice(&checkpoint.size.to_be_bytes());
    latest[8..].copy_from_slice(&checkpoint.root);
    storage.set(&LATEST_CHECKPOINT.key(chain), &latest);
}

/// Back to the empty log (a rollback to 0).
pub fn remove_latest_checkpoint(storage: &mut dyn Storage, chain: &str) {
    storage.remove(&LATEST_CHECKPOINT.key(chain));
}

/// Stored checkpoints in size order after `start_after`, at most `limit`.
pub fn checkpoints_page(
    storage: &dyn Storage,
    chain: &str,
    generation: u32,
    start_after: Option<u64>,
    limit: usize,
) -> StdResult<Vec<StoredCheckpoint>> {
    // Keys only: the values are raw roots, which a typed range would try to parse.
    let sizes: Vec<Vec<u8>> = CHECKPOINTS
        .prefix((chain, generation))
        .keys_raw(
            storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(limit)
        .collect();
    sizes
        .into_iter()
        .map(|key| {
            let size = <[u8; 8]>::try_from(key.as_slice())
                .map(u64::from_be_bytes)
                .map_err(|_| corrupt("checkpoint key", chain))?;
            let root = load_checkpoint_root(storage, chain, generation, size)?
                .ok_or_else(|| corrupt("checkpoint root", chain))?;
            Ok(StoredCheckpoint { size, root })
        })
        .collect()
}

/// The next nonce of an ordered lane (0 before any delivery).
pub fn load_next_nonce(storage: &dyn Storage, chain: &str) -> StdResult<u64> {
    match storage.get(&NEXT_NONCE.key(chain)) {
        None => Ok(0),
        Some(bytes) => <[u8; 8]>::try_from(bytes.as_slice())
            .map(u64::from_be_bytes)
            .map_err(|_| corrupt("next nonce", chain)),
    }
}

pub fn save_next_nonce(storage: &mut dyn Storage, chain: &str, nonce: u64) {
    storage.set(&NEXT_NONCE.key(chain), &nonce.to_be_bytes());
}

/// The statuses of 128 consecutive nonces, 2 bits each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusChunk([u8; CHUNK_BYTES]);

impl StatusChunk {
    pub fn index(nonce: u64) -> u64 {
        nonce / NONCES_PER_CHUNK
    }

    fn position(nonce: u64) -> (usize, u32) {
        let slot = (nonce % NONCES_PER_CHUNK) as usize;
        (slot / 4, (slot % 4) as u32 * 2)
    }

    pub fn get(&self, nonce: u64) -> MessageStatus {
        let (byte, shift) = Self::position(nonce);
        match (self.0[byte] >> shift) & 0b11 {
            0 => MessageStatus::Unknown,
            1 => MessageStatus::Delivered,
            2 => MessageStatus::Failed,
            _ => MessageStatus::TimedOut,
        }
    }

    pub fn set(&mut self, nonce: u64, status: MessageStatus) {
        let bits = match status {
            MessageStatus::Unknown => 0,
            MessageStatus::Delivered => 1,
            MessageStatus::Failed => 2,
            MessageStatus::TimedOut => 3,
        };
        let (byte, shift) = Self::position(nonce);
        self.0[byte] = (self.0[byte] & !(0b11 << shift)) | (bits << shift);
    }
}

pub fn load_status_chunk(storage: &dyn Storage, chain: &str, index: u64) -> StdResult<StatusChunk> {
    match storage.get(&STATUS_CHUNKS.key((chain, index))) {
        None => Ok(StatusChunk::default()),
        Some(bytes) => bytes
            .try_into()
            .map(StatusChunk)
            .map_err(|_| corrupt("status chunk", chain)),
    }
}

pub fn save_status_chunk(storage: &mut dyn Storage, chain: &str, index: u64, chunk: &StatusChunk) {
    storage.set(&STATUS_CHUNKS.key((chain, index)), &chunk.0);
}

pub fn load_status(storage: &dyn Storage, chain: &str, nonce: u64) -> StdResult<MessageStatus> {
    Ok(load_status_chunk(storage, chain, StatusChunk::index(nonce))?.get(nonce))
}

pub fn save_status(
    storage: &mut dyn Storage,
    chain: &str,
    nonce: u64,
    status: MessageStatus,
) -> StdResult<()> {
    let index = StatusChunk::index(nonce);
    let mut chunk = load_status_chunk(storage, chain, index)?;
    chunk.set(nonce, status);
    save_status_chunk(storage, chain, index, &chunk);
    Ok(())
}

pub fn load_receipt(storage: &dyn Storage, chain: &str, nonce: u64) -> StdResult<Option<Receipt>> {
    RECEIPTS.may_load(storage, (chain, nonce))
}

pub fn save_receipt(
    storage: &mut dyn Storage,
    chain: &str,
    nonce: u64,
    receipt: &Receipt,
) -> StdResult<()> {
    RECEIPTS.save(storage, (chain, nonce), receipt)
}

/// Records that `generation` of `chain` ended in a rollback to `rollback_to`.
pub fn save_rollback(
    storage: &mut dyn Storage,
    chain: &str,
    generation: u32,
    rollback_to: u64,
) -> StdResult<()> {
    ROLLBACKS.save(storage, (chain, generation), &rollback_to)
}

/// The smallest rollback target of the generations `from..to` of `chain`: messages
/// proven in generation `from` below it belong to the history every rollback kept.
/// `None` when more than `MAX_ROLLBACKS_SCANNED` generations lie between (refuse).
pub fn rollback_floor(
    storage: &dyn Storage,
    chain: &str,
    from: u32,
    to: u32,
) -> StdResult<Option<u64>> {
    if to.saturating_sub(from) > MAX_ROLLBACKS_SCANNED {
        return Ok(None);
    }
    let mut floor = u64::MAX;
    for generation in from..to {
        let target = ROLLBACKS
            .may_load(storage, (chain, generation))?
            .ok_or_else(|| corrupt("rollback record", chain))?;
        floor = floor.min(target);
    }
    Ok(Some(floor))
}

pub fn load_proposal(storage: &dyn Storage, id: u64) -> StdResult<Option<Proposal>> {
    PROPOSALS.may_load(storage, id)
}

pub fn save_proposal(storage: &mut dyn Storage, id: u64, proposal: &Proposal) -> StdResult<()> {
    PROPOSALS.save(storage, id, proposal)
}

pub fn remove_proposal(storage: &mut dyn Storage, id: u64) {
    PROPOSALS.remove(storage, id)
}

/// Pending proposals in id order after `start_after`, at most `limit`.
pub fn proposals_page(
    storage: &dyn Storage,
    start_after: Option<u64>,
    limit: usize,
) -> StdResult<Vec<(u64, Proposal)>> {
    PROPOSALS
        .range(
            storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(limit)
        .collect()
}

/// How many proposals are pending, up to `max` (a bounded count).
pub fn count_proposals(storage: &dyn Storage, max: usize) -> usize {
    PROPOSALS
        .keys_raw(storage, None, None, Order::Ascending)
        .take(max)
        .count()
}

fn corrupt(what: &str, chain: &str) -> StdError {
    StdError::msg(format!("corrupt {what} in storage for source {chain:?}"))
}

#[cfg(test)]
mod tests {
    use cosmwasm_std::testing::MockStorage;

    use super::*;

    #[test]
    fn status_bits_are_independent_per_nonce() {
        let mut chunk = StatusChunk::default();
        let statuses = [
            MessageStatus::Delivered,
            MessageStatus::Failed,
            MessageStatus::TimedOut,
            MessageStatus::Unknown,
        ];
        for nonce in 0..NONCES_PER_CHUNK {
            chunk.set(nonce, statuses[(nonce % 4) as usize]);
        }
        for nonce in 0..NONCES_PER_CHUNK {
            assert_eq!(chunk.get(nonce), statuses[(nonce % 4) as usize], "{nonce}");
        }
        chunk.set(5, MessageStatus::Delivered);
        assert_eq!(chunk.get(4), MessageStatus::Delivered);
        assert_eq!(chunk.get(5), MessageStatus::Delivered);
        assert_eq!(chunk.get(6), MessageStatus::TimedOut);
        // Nonce 128 is slot 0 of the next chunk.
        assert_eq!(StatusChunk::index(127), 0);
        assert_eq!(StatusChunk::index(128), 1);
        assert_eq!(StatusChunk::position(128), (0, 0));
        assert_eq!(StatusChunk::position(127), (31, 6));
    }

    #[test]
    fn raw_values_round_trip_and_refuse_corruption() {
        let mut storage = MockStorage::new();
        assert_eq!(
            load_status(&storage, "a", 1000).unwrap(),
            MessageStatus::Unknown
        );
        save_status(&mut storage, "a", 1000, MessageStatus::Failed).unwrap();
        assert_eq!(
            load_status(&storage, "a", 1000).unwrap(),
            MessageStatus::Failed
        );
        assert_eq!(
            load_status(&storage, "a", 1001).unwrap(),
            MessageStatus::Unknown
        );
        assert_eq!(
            load_status(&storage, "b", 1000).unwrap(),
            MessageStatus::Unknown
        );
        assert_eq!(storage.get(&STATUS_CHUNKS.key(("a", 7))).unwrap().len(), 32);

        assert_eq!(load_latest_checkpoint(&storage, "a").unwrap(), None);
        let checkpoint = StoredCheckpoint {
            size: 0x0102_0304_0506_0708,
            root: [9; 32],
        };
        save_checkpoint(&mut storage, "a", 0, &checkpoint);
        assert_eq!(
            load_latest_checkpoint(&storage, "a").unwrap(),
            Some(checkpoint)
        );
        assert_eq!(
            load_checkpoint_root(&storage, "a", 0, checkpoint.size).unwrap(),
            Some([9; 32])
        );
        // Another generation does not see it.
        assert_eq!(
            load_checkpoint_root(&storage, "a", 1, checkpoint.size).unwrap(),
            None
        );
        assert_eq!(
            checkpoints_page(&storage, "a", 0, None, 10).unwrap(),
            vec![checkpoint]
        );
        assert_eq!(
            checkpoints_page(&storage, "a", 1, None, 10).unwrap(),
            vec![]
        );

        assert_eq!(load_next_nonce(&storage, "a").unwrap(), 0);
        save_next_nonce(&mut storage, "a", 42);
        assert_eq!(load_next_nonce(&storage, "a").unwrap(), 42);

        storage.set(&STATUS_CHUNKS.key(("a", 0)), &[0; 31]);
        assert!(load_status(&storage, "a", 3).is_err());
        storage.set(&LATEST_CHECKPOINT.key("a"), &[0; 39]);
        assert!(load_latest_checkpoint(&storage, "a").is_err());
        storage.set(&CHECKPOINTS.key(("a", 0, 3)), &[0; 33]);
        assert!(load_checkpoint_root(&storage, "a", 0, 3).is_err());
        storage.set(&NEXT_NONCE.key("a"), &[0; 7]);
        assert!(load_next_nonce(&storage, "a").is_err());
    }
}
