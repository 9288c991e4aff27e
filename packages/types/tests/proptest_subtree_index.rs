//! `SubtreeIndex` (the stored complete subtrees a relayer builds proofs from) against the
//! leaf-slice functions it must agree with, hash for hash: roots, inclusion and
//! consistency proofs and multiproofs of every prefix, after appends and truncations.

mod common;

use ccmp_types::{
    consistency_proof, inclusion_proof, multiproof, root, MerkleError, MultiproofError,
    SubtreeIndex, EMPTY_ROOT,
};
use common::leaves;
use proptest::prelude::*;

const MAX_SIZE: usize = 300;

/// A strictly increasing subset of `0..size` picked by `mask` bits (at least one index).
fn indices(size: u64, mask: &[bool]) -> Vec<u64> {
    let mut picked: Vec<u64> = (0..size)
        .filter(|&i| mask.get(i as usize).copied().unwrap_or(false))
        .collect();
    if picked.is_empty() {
        picked.push(size / 2);
    }
    picked
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_prefix_gives_what_the_leaves_give(
        seed in any::<u64>(),
        n in 1usize..=MAX_SIZE,
        picks in proptest::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 1..8),
        mask in proptest::collection::vec(any::<bool>(), MAX_SIZE),
    ) {
        let all = leaves(seed, n);
        let index = SubtreeIndex::from_leaves(&all).unwrap();
        prop_assert_eq!(index.size(), n as u64);
        prop_assert_eq!(index.leaves(), &all[..]);
        for (a, b) in picks {
            let second = b.index(n) as u64 + 1;
            let first = a.index(second as usize + 1) as u64;
            let prefix = &all[..second as usize];
            prop_assert_eq!(index.root(second).unwrap(), root(prefix));
            prop_assert_eq!(index.root(first).unwrap(), root(&all[..first as usize]));
            let leaf = a.index(second as usize) as u64;
            prop_assert_eq!(
                index.inclusion_proof(second, leaf).unwrap(),
                inclusion_proof(prefix, leaf).unwrap()
            );
            prop_assert_eq!(
                index.consistency_proof(second, first).unwrap(),
                consistency_proof(prefix, first).unwrap()
            );
            let picked = indices(second, &mask[first as usize..]);
            prop_assert_eq!(
                index.multiproof(second, &picked).unwrap(),
                multiproof(&picked, prefix).unwrap()
            );
            // Any range, node of the tree or not, is MTH of its leaves.
            let lo = a.index(second as usize + 1) as u64;
            prop_assert_eq!(
                index.subtree_root(lo, second),
                Some(root(&all[lo as usize..second as usize]))
            );
        }
    }

    #[test]
    fn appends_after_a_truncation_are_a_fresh_index(
        seed in any::<u64>(),
        n in 1usize..=MAX_SIZE,
        cut in any::<prop::sample::Index>(),
        other in any::<u64>(),
    ) {
        let all = leaves(seed, n);
        let cut = cut.index(n + 1);
        let mut index = SubtreeIndex::from_leaves(&all).unwrap();
        index.truncate(cut as u64);
        prop_assert_eq!(&index, &SubtreeIndex::from_leaves(&all[..cut]).unwrap());
        let more = leaves(other, 40);
        for leaf in &more {
            index.push(*leaf).unwrap();
        }
        let mut expected = all[..cut].to_vec();
        expected.extend_from_slice(&more);
        prop_assert_eq!(&index, &SubtreeIndex::from_leaves(&expected).unwrap());
        prop_assert_eq!(index.root(index.size()).unwrap(), root(&expected));
    }
}

#[test]
fn what_the_index_does_not_hold_is_refused_not_guessed() {
    let all = leaves(7, 10);
    let index = SubtreeIndex::from_leaves(&all).unwrap();
    assert_eq!(SubtreeIndex::new().root(0), Ok(EMPTY_ROOT));
    assert_eq!(index.root(0), Ok(EMPTY_ROOT));
    assert_eq!(
        index.root(11),
        Err(MerkleError::IndexOutOfRange {
            index: 10,
            size: 10
        })
    );
    assert_eq!(
        index.inclusion_proof(11, 3),
        Err(MerkleError::IndexOutOfRange {
            index: 10,
            size: 10
        })
    );
    assert_eq!(
        index.inclusion_proof(10, 10),
        Err(MerkleError::IndexOutOfRange {
            index: 10,
            size: 10
        })
    );
    assert_eq!(
        index.consistency_proof(12, 4),
        Err(MerkleError::IndexOutOfRange {
            index: 11,
            size: 10
        })
    );
    assert_eq!(
        index.consistency_proof(8, 9),
        Err(MerkleError::InvalidConsistencyRange {
            first: 9,
            second: 8
        })
    );
    assert_eq!(
        index.multiproof(11, &[1]),
        Err(MultiproofError::TreeTooLarge { size: 11, max: 10 })
    );
    assert_eq!(index.multiproof(10, &[]), Err(MultiproofError::NoIndices));
    assert_eq!(index.subtree_root(3, 11), None);
    assert_eq!(index.subtree_root(4, 3), None);
    assert_eq!(index.subtree_root(5, 5), Some(EMPTY_ROOT));
}
