//! The batch multiproof (PROTOCOL.md §8): one proof for many leaves of a lane tree.
//!
//! For a tree of `size` leaves and a non-empty, strictly increasing list of indices, the
//! multiproof is the hash of every maximal subtree holding none of the indices,
//! depth-first, left to right:
//!
//! ```text
//! MP(I, D[lo:hi]) = [ MTH(D[lo:hi]) ]                       if no index of I lies in [lo, hi)
//!                 = [ ]                                     if hi - lo = 1 (the leaf is given)
//!                 = MP(I, D[lo:lo+k]) ++ MP(I, D[lo+k:hi])  otherwise, k = split point
//! ```
//!
//! For one index it holds the hashes of the RFC 9162 audit path, in tree order: the left
//! siblings top-down, then the right siblings bottom-up (the vectors fix this order). As in
//! the rest of the tree, leaves are message ids, which are already leaf hashes, and are
//! never hashed again.
//!
//! Verification is what the inbox calls for every `deliver_batch`: it walks only the paths
//! from the root to the given leaves, O(|I| · log n) steps and one hash per inner node on
//! them, allocates nothing, and refuses an oversized proof before hashing anything.
//! Generation (`multiproof`, `multiproof_with`) is for tooling: relayers and benchmarks.

use crate::codec::Hash;
use crate::error::MultiproofError;
use crate::merkle::{node_hash, root, MAX_PROOF_HASHES, MAX_TREE_SIZE};

/// Checks that `leaf_hashes[j]` is the leaf at `indices[j]` of the tree of `size` leaves
/// whose root is `root`, for every `j`, with `proof` the §8 multiproof of `indices`.
///
/// Every proof hash and every leaf must be used exactly once. A proof of more than
/// `MAX_PROOF_HASHES` hashes per index is refused before any hashing; so are empty or
/// unordered indices, an index at or past `size`, a leaf count that differs from the index
/// count and a size of 0 or over `MAX_TREE_SIZE`. Subtrees without indices are never
/// descended into.
pub fn verify_multiproof(
    size: u64,
    indices: &[u64],
    leaf_hashes: &[Hash],
    proof: &[Hash],
    root: &Hash,
) -> Result<(), MultiproofError> {
    if indices.is_empty() {
        return Err(MultiproofError::NoIndices);
    }
    if leaf_hashes.len() != indices.len() {
        return Err(MultiproofError::LeafCountMismatch {
            indices: indices.len(),
            leaves: leaf_hashes.len(),
        });
    }
    let max = indices.len().saturating_mul(MAX_PROOF_HASHES);
    if proof.len() > max {
        return Err(MultiproofError::ProofTooLong {
            len: proof.len(),
            max,
        });
    }
    check_indices(size, indices)?;

    let mut rebuild = Rebuild {
        leaves: leaf_hashes.iter(),
        proof: proof.iter(),
    };
    let computed = walk(&mut rebuild, indices, &mut 0, 0, size);
    let computed = match computed {
        Some(computed) if rebuild.proof.len() == 0 => computed,
        Some(_) => {
            return Err(MultiproofError::ProofHashesLeftOver {
                len: proof.len(),
                expected: multiproof_len(size, indices),
            })
        }
        // The leaves cannot run out (one per index, checked above): the proof did.
        None => {
            return Err(MultiproofError::ProofTooShort {
                len: proof.len(),
                expected: multiproof_len(size, indices),
            })
        }
    };
    if computed != *root {
        return Err(MultiproofError::RootMismatch);
    }
    Ok(())
}

/// The §8 multiproof of `indices` in the tree over `leaves`, for tooling that holds the
/// whole leaf list. Its hashes are the roots of the maximal subtrees without indices,
/// depth-first, left to right.
pub fn multiproof(indices: &[u64], leaves: &[Hash]) -> Result<Vec<Hash>, MultiproofError> {
    // `multiproof_with` asks only for ranges inside [0, size), so the slice is in bounds.
    multiproof_with(leaves.len() as u64, indices, |lo, hi| {
        root(&leaves[lo as usize..hi as usize])
    })
}

/// The §8 multiproof of `indices` in a tree of `size` leaves that the caller does not hold
/// leaf by leaf: `subtree_root(lo, hi)` must return `MTH(D[lo:hi])`. It is called once per
/// proof hash, in proof order, for the maximal subtrees without indices only, so a sparse
/// or implicit tree of any size needs O(|I| · log n) calls.
pub fn multiproof_with<F: FnMut(u64, u64) -> Hash>(
    size: u64,
    indices: &[u64],
    subtree_root: F,
) -> Result<Vec<Hash>, MultiproofError> {
    if indices.is_empty() {
        return Err(MultiproofError::NoIndices);
    }
    check_indices(size, indices)?;
    let mut generate = Generate {
        subtree_root,
        proof: Vec::new(),
    };
    // Generation never runs out of anything: `walk` always completes.
    let _ = walk(&mut generate, indices, &mut 0, 0, size);
    Ok(generate.proof)
}

/// The number of hashes in the multiproof of valid `indices` in a tree of `size`: the walk
/// without hashing, for the error path.
fn multiproof_len(size: u64, indices: &[u64]) -> usize {
    let mut count = Count(0);
    let _ = walk(&mut count, indices, &mut 0, 0, size);
    count.0
}

/// Size in `1..=MAX_TREE_SIZE`; indices non-empty (checked by the callers), strictly
/// increasing and below `size`.
fn check_indices(size: u64, indices: &[u64]) -> Result<(), MultiproofError> {
    if size == 0 {
        return Err(MultiproofError::EmptyTree);
    }
    if size > MAX_TREE_SIZE {
        return Err(MultiproofError::TreeTooLarge {
            size,
            max: MAX_TREE_SIZE,
        });
    }
    let mut previous: Option<u64> = None;
    for (position, &index) in indices.iter().enumerate() {
        if let Some(previous) = previous {
            if index <= previous {
                return Err(MultiproofError::IndicesNotIncreasing {
                    position,
                    index,
                    previous,
                });
            }
        }
        if index >= size {
            return Err(MultiproofError::IndexOutOfRange {
                position,
                index,
                size,
            });
        }
        previous = Some(index);
    }
    Ok(())
}

/// The largest power of two strictly smaller than `n` (`n >= 2`): RFC 6962's split point,
/// for every tree function of the crate.
pub(crate) fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (u64::BITS - 1 - (n - 1).leading_zeros())
}

/// What one run of the §8 recursion does at each kind of node.
trait Walk {
    type Node;
    /// A maximal subtree `[lo, hi)` without indices: one proof hash. `None` stops the walk.
    fn pruned(&mut self, lo: u64, hi: u64) -> Option<Self::Node>;
    /// The next given leaf. `None` stops the walk.
    fn leaf(&mut self) -> Option<Self::Node>;
    /// An inner node on a path to a given leaf.
    fn inner(&mut self, left: Self::Node, right: Self::Node) -> Self::Node;
}

/// The §8 recursion over `[lo, hi)`, once for verification, generation and counting.
///
/// `indices` are valid for the tree (strictly increasing, below its size) and `*next` is the
/// position of the first index not yet reached: every index below `lo` lies in a subtree
/// already walked, so `[lo, hi)` holds an index exactly when `indices[*next] < hi`. Each
/// step is O(1) and the recursion is at most 63 deep (sizes are at most 2^63).
fn walk<W: Walk>(
    walker: &mut W,
    indices: &[u64],
    next: &mut usize,
    lo: u64,
    hi: u64,
) -> Option<W::Node> {
    match indices.get(*next) {
        Some(&index) if index < hi => {
            if hi - lo == 1 {
                *next += 1;
                walker.leaf()
            } else {
                let mid = lo + split_point(hi - lo);
                let left = walk(walker, indices, next, lo, mid)?;
                let right = walk(walker, indices, next, mid, hi)?;
                Some(walker.inner(left, right))
            }
        }
        _ => walker.pruned(lo, hi),
    }
}

/// Verification: rebuilds the root from the given leaves and the proof, in order.
struct Rebuild<'a> {
    leaves: core::slice::Iter<'a, Hash>,
    proof: core::slice::Iter<'a, Hash>,
}

impl Walk for Rebuild<'_> {
    type Node = Hash;

    fn pruned(&mut self, _lo: u64, _hi: u64) -> Option<Hash> {
        self.proof.next().copied()
    }

    fn leaf(&mut self) -> Option<Hash> {
        self.leaves.next().copied()
    }

    fn inner(&mut self, left: Hash, right: Hash) -> Hash {
        node_hash(&left, &right)
    }
}

/// Generation: collects the roots of the pruned subtrees.
struct Generate<F> {
    subtree_root: F,
    proof: Vec<Hash>,
}

impl<F: FnMut(u64, u64) -> Hash> Walk for Generate<F> {
    type Node = ();

    fn pruned(&mut self, lo: u64, hi: u64) -> Option<()> {
        self.proof.push((self.subtree_root)(lo, hi));
        Some(())
    }

    fn leaf(&mut self) -> Option<()> {
        Some(())
    }

    fn inner(&mut self, _left: (), _right: ()) {}
}

/// Counting: the proof length without computing it.
struct Count(usize);

impl Walk for Count {
    type Node = ();

    fn pruned(&mut self, _lo: u64, _hi: u64) -> Option<()> {
        self.0 += 1;
        Some(())
    }

    fn leaf(&mut self) -> Option<()> {
        Some(())
    }

    fn inner(&mut self, _left: (), _right: ()) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{inclusion_proof, leaf_hash};

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(format!("leaf-{i}").as_bytes()))
            .collect()
    }

    /// The given leaves of `indices`.
    fn given(all: &[Hash], indices: &[u64]) -> Vec<Hash> {
        indices.iter().map(|&i| all[i as usize]).collect()
    }

    #[test]
    fn split_point_is_largest_power_of_two_below() {
        assert_eq!(split_point(2), 1);
        assert_eq!(split_point(3), 2);
        assert_eq!(split_point(4), 2);
        assert_eq!(split_point(5), 4);
        assert_eq!(split_point(9), 8);
        assert_eq!(split_point(MAX_TREE_SIZE), 1 << 62);
        assert_eq!(split_point(MAX_TREE_SIZE - 1), 1 << 62);
        assert_eq!(split_point(u64::MAX), 1 << 63);
    }

    /// Whether each node of the RFC 9162 audit path of `index` in a tree of `size` is a left
    /// sibling, top-down (the path itself is deepest first).
    fn sibling_is_left_top_down(mut index: u64, mut size: u64) -> Vec<bool> {
        let mut sides = Vec::new();
        while size > 1 {
            let k = split_point(size);
            if index < k {
                sides.push(false);
                size = k;
            } else {
                sides.push(true);
                index -= k;
                size -= k;
            }
        }
        sides
    }

    #[test]
    fn one_index_is_the_audit_path_left_to_right() {
        // The same hashes as the RFC 9162 audit path, depth-first and left to right: the
        // left siblings top-down, then the right siblings bottom-up. Only when every
        // sibling is on the left (the last leaf of a perfect tree) is that the path
        // reversed; when every sibling is on the right (leaf 0) it is the path itself.
        let all = leaves(40);
        for n in 1..=all.len() {
            let tree_root = root(&all[..n]);
            for index in 0..n as u64 {
                let mut top_down = inclusion_proof(&all[..n], index).unwrap();
                top_down.reverse();
                let sides = sibling_is_left_top_down(index, n as u64);
                assert_eq!(sides.len(), top_down.len());
                let mut expected: Vec<Hash> = top_down
                    .iter()
                    .zip(&sides)
                    .filter(|(_, &left)| left)
                    .map(|(hash, _)| *hash)
                    .collect();
                expected.extend(
                    top_down
                        .iter()
                        .zip(&sides)
                        .rev()
                        .filter(|(_, &left)| !left)
                        .map(|(hash, _)| *hash),
                );
                let proof = multiproof(&[index], &all[..n]).unwrap();
                assert_eq!(proof, expected, "leaf {index} of {n}");
                if index == n as u64 - 1 && n.is_power_of_two() {
                    assert_eq!(proof, top_down, "last leaf of {n}");
                }
                if index == 0 {
                    top_down.reverse();
                    assert_eq!(proof, top_down, "first leaf of {n}");
                }
                verify_multiproof(
                    n as u64,
                    &[index],
                    &all[index as usize..=index as usize],
                    &proof,
                    &tree_root,
                )
                .unwrap();
            }
        }
    }

    #[test]
    fn the_protocol_example_shapes() {
        // Nonces 1, 2, 3, 5 of a lane of 7 (the lane_batch vector): leaves 0, 4 and 6 are
        // the maximal subtrees without indices.
        let all = leaves(7);
        let proof = multiproof(&[1, 2, 3, 5], &all).unwrap();
        assert_eq!(proof, vec![all[0], all[4], all[6]]);
        // Every leaf given: nothing to prove. The newest leaves above a power of two: the
        // left subtree's root alone.
        assert!(multiproof(&[0, 1, 2, 3, 4, 5, 6], &all).unwrap().is_empty());
        assert_eq!(multiproof(&[4, 5, 6], &all).unwrap(), vec![root(&all[..4])]);
        let indices: Vec<u64> = (0..7).collect();
        verify_multiproof(7, &indices, &all, &[], &root(&all)).unwrap();
        assert_eq!(multiproof_len(7, &[1, 2, 3, 5]), 3);
    }

    #[test]
    fn verify_refuses_bad_shapes_with_typed_errors() {
        let all = leaves(7);
        let tree_root = root(&all);
        let indices = [1, 2, 5];
        let leaf_hashes = given(&all, &indices);
        let proof = multiproof(&indices, &all).unwrap();
        assert_eq!(proof.len(), 4);
        verify_multiproof(7, &indices, &leaf_hashes, &proof, &tree_root).unwrap();

        assert_eq!(
            verify_multiproof(7, &[], &[], &proof, &tree_root).unwrap_err(),
            MultiproofError::NoIndices
        );
        assert_eq!(
            verify_multiproof(7, &indices, &leaf_hashes[..2], &proof, &tree_root).unwrap_err(),
            MultiproofError::LeafCountMismatch {
                indices: 3,
                leaves: 2
            }
        );
        assert_eq!(
            verify_multiproof(7, &[1, 5, 2], &leaf_hashes, &proof, &tree_root).unwrap_err(),
            MultiproofError::IndicesNotIncreasing {
                position: 2,
                index: 2,
                previous: 5
            }
        );
        assert_eq!(
            verify_multiproof(7, &[1, 1, 5], &leaf_hashes, &proof, &tree_root).unwrap_err(),
            MultiproofError::IndicesNotIncreasing {
                position: 1,
                index: 1,
                previous: 1
            }
        );
        assert_eq!(
            verify_multiproof(7, &[1, 2, 7], &leaf_hashes, &proof, &tree_root).unwrap_err(),
            MultiproofError::IndexOutOfRange {
                position: 2,
                index: 7,
                size: 7
            }
        );
        assert_eq!(
            verify_multiproof(0, &indices, &leaf_hashes, &proof, &tree_root).unwrap_err(),
            MultiproofError::EmptyTree
        );
        assert_eq!(
            verify_multiproof(
                MAX_TREE_SIZE + 1,
                &indices,
                &leaf_hashes,
                &proof,
                &tree_root
            )
            .unwrap_err(),
            MultiproofError::TreeTooLarge {
                size: MAX_TREE_SIZE + 1,
                max: MAX_TREE_SIZE
            }
        );
        assert_eq!(
            verify_multiproof(7, &indices, &leaf_hashes, &proof[..3], &tree_root).unwrap_err(),
            MultiproofError::ProofTooShort {
                len: 3,
                expected: 4
            }
        );
        let mut longer = proof.clone();
        longer.push(all[3]);
        assert_eq!(
            verify_multiproof(7, &indices, &leaf_hashes, &longer, &tree_root).unwrap_err(),
            MultiproofError::ProofHashesLeftOver {
                len: 5,
                expected: 4
            }
        );
        assert_eq!(
            verify_multiproof(7, &indices, &leaf_hashes, &proof, &all[0]).unwrap_err(),
            MultiproofError::RootMismatch
        );
        let mut swapped = leaf_hashes.clone();
        swapped.swap(0, 1);
        assert_eq!(
            verify_multiproof(7, &indices, &swapped, &proof, &tree_root).unwrap_err(),
            MultiproofError::RootMismatch
        );
    }

    #[test]
    fn the_length_bound_is_checked_before_hashing() {
        // 64 hashes per index and one more: refused as too long whatever the rest says,
        // even with a size and indices that would be refused later.
        let garbage = vec![[7; 32]; 2 * MAX_PROOF_HASHES + 1];
        let expected = MultiproofError::ProofTooLong {
            len: 2 * MAX_PROOF_HASHES + 1,
            max: 2 * MAX_PROOF_HASHES,
        };
        let leaves = [[1; 32], [2; 32]];
        assert_eq!(
            verify_multiproof(1 << 20, &[3, 9], &leaves, &garbage, &[0; 32]),
            Err(expected.clone())
        );
        assert_eq!(
            verify_multiproof(0, &[9, 3], &leaves, &garbage, &[0; 32]),
            Err(expected.clone())
        );
        assert_eq!(
            verify_multiproof(u64::MAX, &[3, 9], &leaves, &garbage, &[0; 32]),
            Err(expected)
        );
        // At the bound itself the length is not refused up front; the walk finds the
        // hashes left over.
        assert_eq!(
            verify_multiproof(
                1 << 20,
                &[3, 9],
                &leaves,
                &garbage[..2 * MAX_PROOF_HASHES],
                &[0; 32]
            ),
            Err(MultiproofError::ProofHashesLeftOver {
                len: 2 * MAX_PROOF_HASHES,
                expected: multiproof_len(1 << 20, &[3, 9]),
            })
        );
        // The bound never refuses a real proof: at most 63 hashes per index at the
        // largest size.
        assert_eq!(multiproof_len(MAX_TREE_SIZE, &[0]), 63);
        assert_eq!(multiproof_len(MAX_TREE_SIZE, &[MAX_TREE_SIZE - 1]), 63);
        let spread: Vec<u64> = (0..64).map(|k| (MAX_TREE_SIZE - 1) >> k).rev().collect();
        assert!(multiproof_len(MAX_TREE_SIZE, &spread) <= spread.len() * MAX_PROOF_HASHES);
    }

    #[test]
    fn generation_refuses_bad_input_with_typed_errors() {
        let all = leaves(5);
        assert_eq!(
            multiproof(&[], &all).unwrap_err(),
            MultiproofError::NoIndices
        );
        assert_eq!(
            multiproof(&[0], &[]).unwrap_err(),
            MultiproofError::EmptyTree
        );
        assert_eq!(
            multiproof(&[2, 2], &all).unwrap_err(),
            MultiproofError::IndicesNotIncreasing {
                position: 1,
                index: 2,
                previous: 2
            }
        );
        assert_eq!(
            multiproof(&[0, 5], &all).unwrap_err(),
            MultiproofError::IndexOutOfRange {
                position: 1,
                index: 5,
                size: 5
            }
        );
        assert_eq!(
            multiproof_with(MAX_TREE_SIZE + 1, &[0], |_, _| [0; 32]).unwrap_err(),
            MultiproofError::TreeTooLarge {
                size: MAX_TREE_SIZE + 1,
                max: MAX_TREE_SIZE
            }
        );
    }

    #[test]
    fn generation_asks_only_for_the_pruned_subtrees_in_order() {
        let mut asked = Vec::new();
        let proof = multiproof_with(7, &[1, 2, 3, 5], |lo, hi| {
            asked.push((lo, hi));
            [asked.len() as u8; 32]
        })
        .unwrap();
        assert_eq!(asked, vec![(0, 1), (4, 5), (6, 7)]);
        assert_eq!(proof, vec![[1; 32], [2; 32], [3; 32]]);

        // The largest tree: one index at each end, 62 hashes under each half, no leaf list.
        let mut calls = 0;
        let proof = multiproof_with(MAX_TREE_SIZE, &[0, MAX_TREE_SIZE - 1], |lo, hi| {
            calls += 1;
            assert!(lo < hi && hi <= MAX_TREE_SIZE);
            [0; 32]
        })
        .unwrap();
        assert_eq!(proof.len(), 124);
        assert_eq!(calls, 124);
    }
}
