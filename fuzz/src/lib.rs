//! Shared pieces of the CCMP fuzz targets (`fuzz_targets/`): proof mutations, small trees
//! from fuzz-chosen leaves, key pools for attester sets, and the inbox harness (prepared
//! contract states and a generator of `ExecuteMsg` JSON that reaches deep code).
//!
//! Nothing here is part of the protocol: it only drives `ccmp-types` and `ccmp-inbox`.

pub mod inbox;
pub mod keys;
pub mod mutation;

use ccmp_types::{leaf_hash, Hash};

/// The largest tree the differential parts of the tree targets build: big enough for every
/// shape of the RFC 9162 recursion up to depth 7, small enough to rebuild per input.
pub const MAX_TREE: usize = 70;

/// A tree of `n` leaves: the fuzz-chosen `given` ones first, the rest derived from their
/// position (so a short input still gives a full tree of distinct leaves).
pub fn tree_leaves(n: usize, given: &[Hash]) -> Vec<Hash> {
    (0..n)
        .map(|i| {
            given
                .get(i)
                .copied()
                .unwrap_or_else(|| leaf_hash(&(i as u64).to_be_bytes()))
        })
        .collect()
}

/// The vectors every implementation must reproduce (packages/types/tests/data).
pub fn vectors() -> &'static serde_json::Value {
    static VECTORS: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    VECTORS.get_or_init(|| {
        serde_json::from_str(include_str!("../../packages/types/tests/data/vectors.json"))
            .expect("vectors.json parses")
    })
}
