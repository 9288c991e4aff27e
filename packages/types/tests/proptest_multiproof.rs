//! Property tests of the §8 multiproof (PROTOCOL.md §8): generation equals a brute-force
//! recomputation written from the spec's recursion, every generated proof verifies, and
//! every tampering is refused with the error an independent model predicts.
//!
//! As with inclusion proofs, a verifier cannot tell two tree sizes apart when they give
//! the proof the same shape (indices `[0]` in trees of 3 and 4 hash alike: the checkpoint
//! binds the size). The tests do not pretend otherwise: a wrong size checked against the
//! original root is predicted from the shape model, and against the root of the claimed
//! size it is always refused.

mod common;

use ccmp_types::{
    multiproof, multiproof_with, node_hash, root, verify_multiproof, Hash, MultiproofError,
    EMPTY_ROOT,
};
use common::{flip_bit, leaves};
use proptest::prelude::*;

const MAX_SIZE: usize = 300;

/// RFC 6962's split: the largest power of two strictly below `n` (`n >= 2`).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// `MTH(D)`, straight from RFC 6962.
fn brute_mth(d: &[Hash]) -> Hash {
    match d.len() {
        0 => EMPTY_ROOT,
        1 => d[0],
        n => {
            let k = split(n);
            node_hash(&brute_mth(&d[..k]), &brute_mth(&d[k..]))
        }
    }
}

/// `MP(I, D[lo:lo+|d|])` exactly as §8 writes it.
fn brute_mp(indices: &[u64], d: &[Hash], lo: u64, out: &mut Vec<Hash>) {
    let hi = lo + d.len() as u64;
    if !indices.iter().any(|&i| lo <= i && i < hi) {
        out.push(brute_mth(d));
    } else if d.len() > 1 {
        let k = split(d.len());
        brute_mp(indices, &d[..k], lo, out);
        brute_mp(indices, &d[k..], lo + k as u64, out);
    }
}

fn brute_multiproof(indices: &[u64], d: &[Hash]) -> Vec<Hash> {
    let mut out = Vec::new();
    brute_mp(indices, d, 0, &mut out);
    out
}

/// The shape of the §8 recursion over `[lo, hi)`, pre-order: `N` an inner node, `L` a
/// given leaf, `P` a proof hash. Two (size, indices) pairs of one shape hash alike.
fn shape(indices: &[u64], lo: u64, hi: u64, out: &mut Vec<u8>) {
    if !indices.iter().any(|&i| lo <= i && i < hi) {
        out.push(b'P');
    } else if hi - lo == 1 {
        out.push(b'L');
    } else {
        out.push(b'N');
        let k = split((hi - lo) as usize) as u64;
        shape(indices, lo, lo + k, out);
        shape(indices, lo + k, hi, out);
    }
}

fn shape_of(size: u64, indices: &[u64]) -> Vec<u8> {
    let mut out = Vec::new();
    shape(indices, 0, size, &mut out);
    out
}

fn proof_len_of(size: u64, indices: &[u64]) -> usize {
    shape_of(size, indices)
        .iter()
        .filter(|&&token| token == b'P')
        .count()
}

/// What `verify_multiproof` must answer for a proof of `len` hashes built for
/// `(built_size, indices)`, presented with valid `indices` in a tree of `claimed` leaves.
/// `same_hashing_is_right` says whether hashing as built leads to the root checked
/// against (true for the built root, false for the root of another size).
fn predicted(
    (built_size, claimed): (u64, u64),
    indices: &[u64],
    len: usize,
    same_hashing_is_right: bool,
) -> Result<(), MultiproofError> {
    if claimed == 0 {
        return Err(MultiproofError::EmptyTree);
    }
    if let Some(position) = indices.iter().position(|&i| i >= claimed) {
        return Err(MultiproofError::IndexOutOfRange {
            position,
            index: indices[position],
            size: claimed,
        });
    }
    let expected = proof_len_of(claimed, indices);
    if len < expected {
        return Err(MultiproofError::ProofTooShort { len, expected });
    }
    if len > expected {
        return Err(MultiproofError::ProofHashesLeftOver { len, expected });
    }
    if same_hashing_is_right && shape_of(claimed, indices) == shape_of(built_size, indices) {
        Ok(())
    } else {
        Err(MultiproofError::RootMismatch)
    }
}

/// A tree of 1 to `MAX_SIZE` leaves and a non-empty, strictly increasing index set of any
/// density (from a single index to every leaf).
fn tree_and_indices() -> impl Strategy<Value = (u64, usize, Vec<u64>)> {
    (any::<u64>(), 1..=MAX_SIZE, 0.0..1.0f64, any::<u64>()).prop_flat_map(
        |(seed, n, density, fallback)| {
            let density = density * density;
            proptest::collection::vec(proptest::bool::weighted(density), n).prop_map(move |mask| {
                let mut indices: Vec<u64> = mask
                    .iter()
                    .enumerate()
                    .filter(|(_, &on)| on)
                    .map(|(i, _)| i as u64)
                    .collect();
                if indices.is_empty() {
                    indices.push(fallback % n as u64);
                }
                (seed, n, indices)
            })
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn multiproofs_match_the_spec_verify_and_tampering_is_refused(
        (seed, n, indices) in tree_and_indices(),
        pick in any::<usize>(),
        bit in 0usize..256,
    ) {
        let all = leaves(seed, n + 1);
        let tree = &all[..n];
        let size = n as u64;
        let tree_root = root(tree);
        prop_assert_eq!(brute_mth(tree), tree_root);
        let given: Vec<Hash> = indices.iter().map(|&i| tree[i as usize]).collect();

        // Generation equals the brute force, through both entry points; its length is the
        // shape model's.
        let proof = multiproof(&indices, tree).unwrap();
        prop_assert_eq!(&proof, &brute_multiproof(&indices, tree));
        let mut asked = Vec::new();
        let with = multiproof_with(size, &indices, |lo, hi| {
            asked.push((lo, hi));
            brute_mth(&tree[lo as usize..hi as usize])
        }).unwrap();
        prop_assert_eq!(&with, &proof);
        let len = proof.len();
        prop_assert_eq!(len, proof_len_of(size, &indices));
        // The subtrees asked for are disjoint, in order, and cover exactly the leaves
        // without an index.
        let mut covered = vec![false; n];
        let mut last_hi = 0;
        for &(lo, hi) in &asked {
            prop_assert!(lo >= last_hi && lo < hi && hi <= size);
            last_hi = hi;
            for leaf in lo..hi {
                covered[leaf as usize] = true;
            }
        }
        for leaf in 0..size {
            prop_assert_eq!(covered[leaf as usize], !indices.contains(&leaf), "leaf {}", leaf);
        }

        let verify = |size: u64, indices: &[u64], given: &[Hash], proof: &[Hash], root: &Hash| {
            verify_multiproof(size, indices, given, proof, root)
        };
        prop_assert_eq!(verify(size, &indices, &given, &proof, &tree_root), Ok(()));

        // A given leaf swapped with another given leaf, or replaced by a leaf of the tree
        // from another index.
        let j = pick % given.len();
        if given.len() > 1 {
            let other = (j + 1 + pick / 7 % (given.len() - 1)) % given.len();
            let mut swapped = given.clone();
            swapped.swap(j, other);
            prop_assert_eq!(
                verify(size, &indices, &swapped, &proof, &tree_root),
                Err(MultiproofError::RootMismatch),
                "leaves {} and {} swapped", j, other
            );
        }
        let elsewhere = (indices[j] + 1 + (pick as u64 / 13) % size) % size;
        if elsewhere != indices[j] {
            let mut replaced = given.clone();
            replaced[j] = tree[elsewhere as usize];
            prop_assert_eq!(
                verify(size, &indices, &replaced, &proof, &tree_root),
                Err(MultiproofError::RootMismatch),
                "leaf {} replaced by leaf {}", indices[j], elsewhere
            );
        }
        // A flipped bit in a leaf and in a proof hash.
        let mut flipped = given.clone();
        flipped[j] = flip_bit(&flipped[j], bit);
        prop_assert_eq!(
            verify(size, &indices, &flipped, &proof, &tree_root),
            Err(MultiproofError::RootMismatch)
        );
        if len > 0 {
            let k = pick % len;
            let mut tampered = proof.clone();
            tampered[k] = flip_bit(&tampered[k], bit);
            prop_assert_eq!(
                verify(size, &indices, &given, &tampered, &tree_root),
                Err(MultiproofError::RootMismatch),
                "proof hash {} flipped", k
            );
        }

        // An index moved to a position without one, claiming the same leaf there and the
        // leaf that really is there.
        let free: Vec<u64> = (0..size).filter(|i| !indices.contains(i)).collect();
        if !free.is_empty() {
            let to = free[pick / 3 % free.len()];
            let mut moved: Vec<(u64, Hash)> =
                indices.iter().copied().zip(given.iter().copied()).collect();
            moved[j].0 = to;
            moved.sort_unstable_by_key(|&(index, _)| index);
            let moved_indices: Vec<u64> = moved.iter().map(|&(index, _)| index).collect();
            let moved_leaves: Vec<Hash> = moved.iter().map(|&(_, leaf)| leaf).collect();
            let real_leaves: Vec<Hash> =
                moved_indices.iter().map(|&i| tree[i as usize]).collect();
            // Moved indices shape the proof differently (the shape fixes the indices), so
            // only the lengths decide between the errors.
            prop_assert_ne!(shape_of(size, &moved_indices), shape_of(size, &indices));
            let expected = predicted((size, size), &moved_indices, len, false);
            prop_assert_eq!(
                verify(size, &moved_indices, &moved_leaves, &proof, &tree_root),
                expected.clone(),
                "index {} moved to {}", indices[j], to
            );
            prop_assert_eq!(
                verify(size, &moved_indices, &real_leaves, &proof, &tree_root),
                expected,
                "index {} moved to {}, with its leaf", indices[j], to
            );
        }

        // The size one less and one more: against this root accepted exactly when the
        // shape is unchanged; against the root of that size, never.
        let bigger_root = root(&all[..n + 1]);
        let smaller_root = root(&all[..n - 1]);
        for (claimed, claimed_root) in [(size - 1, smaller_root), (size + 1, bigger_root)] {
            prop_assert_eq!(
                verify(claimed, &indices, &given, &proof, &tree_root),
                predicted((size, claimed), &indices, len, true),
                "claimed size {} with this root", claimed
            );
            let real = verify(claimed, &indices, &given, &proof, &claimed_root);
            prop_assert_eq!(
                real.clone(),
                predicted((size, claimed), &indices, len, false),
                "claimed size {} with its own root", claimed
            );
            prop_assert!(real.is_err());
        }

        // Two differing proof hashes reordered: neighbours, and the first with the last.
        if len > 1 {
            let k = 1 + pick % (len - 1);
            for (a, b) in [(k - 1, k), (0, len - 1)] {
                if proof[a] != proof[b] {
                    let mut reordered = proof.clone();
                    reordered.swap(a, b);
                    prop_assert_eq!(
                        verify(size, &indices, &given, &reordered, &tree_root),
                        Err(MultiproofError::RootMismatch),
                        "proof hashes {} and {} reordered", a, b
                    );
                }
            }
        }

        // A proof hash dropped (first, last, any), appended or prepended.
        if len > 0 {
            for k in [0, len - 1, pick % len] {
                let mut dropped = proof.clone();
                dropped.remove(k);
                prop_assert_eq!(
                    verify(size, &indices, &given, &dropped, &tree_root),
                    Err(MultiproofError::ProofTooShort { len: len - 1, expected: len }),
                    "proof hash {} dropped", k
                );
            }
        }
        let extra = all[n];
        let mut appended = proof.clone();
        appended.push(extra);
        prop_assert_eq!(
            verify(size, &indices, &given, &appended, &tree_root),
            Err(MultiproofError::ProofHashesLeftOver { len: len + 1, expected: len })
        );
        let mut prepended = vec![extra];
        prepended.extend_from_slice(&proof);
        prop_assert_eq!(
            verify(size, &indices, &given, &prepended, &tree_root),
            Err(MultiproofError::ProofHashesLeftOver { len: len + 1, expected: len })
        );

        // A leaf left out or added.
        prop_assert_eq!(
            verify(size, &indices, &given[1..], &proof, &tree_root),
            Err(MultiproofError::LeafCountMismatch {
                indices: indices.len(),
                leaves: given.len() - 1
            })
        );
        let mut one_more = given.clone();
        one_more.push(extra);
        prop_assert_eq!(
            verify(size, &indices, &one_more, &proof, &tree_root),
            Err(MultiproofError::LeafCountMismatch {
                indices: indices.len(),
                leaves: given.len() + 1
            })
        );
    }
}

/// The shape model that predicts acceptance under a wrong size is checked exhaustively
/// against the verifier on every index set of every small tree.
#[test]
fn shape_model_matches_the_verifier_on_small_trees() {
    const N: usize = 9;
    let all = leaves(11, N + 2);
    let roots: Vec<Hash> = (0..=N + 1).map(|size| root(&all[..size])).collect();
    let mut accepted_elsewhere = 0;
    for n in 1..=N {
        let size = n as u64;
        for mask in 1u32..1 << n {
            let indices: Vec<u64> = (0..size).filter(|&i| mask >> i & 1 == 1).collect();
            let given: Vec<Hash> = indices.iter().map(|&i| all[i as usize]).collect();
            let proof = multiproof(&indices, &all[..n]).unwrap();
            assert_eq!(proof.len(), proof_len_of(size, &indices));
            for claimed in 1..=N as u64 + 1 {
                let result = verify_multiproof(claimed, &indices, &given, &proof, &roots[n]);
                let expected = if claimed == size {
                    Ok(())
                } else {
                    predicted((size, claimed), &indices, proof.len(), true)
                };
                assert_eq!(result, expected, "{indices:?} of {n} claimed in {claimed}");
                accepted_elsewhere += usize::from(claimed != size && result.is_ok());
            }
        }
    }
    // The model is not vacuous: some proofs do hold under another size.
    assert!(accepted_elsewhere > 0);
    // The example above: leaf 0 of 3 and of 4 hash alike.
    let proof = multiproof(&[0], &all[..3]).unwrap();
    verify_multiproof(4, &[0], &all[..1], &proof, &roots[3]).unwrap();
}
