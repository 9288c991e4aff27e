//! Property tests of the lane Merkle tree (PROTOCOL.md §3): every generated proof verifies,
//! every tampering is refused, and the frontier agrees with the recomputed root.
//!
//! Where RFC 9162 verification cannot tell two sizes apart (a proof of leaf 0 in a tree of 3
//! has the same shape as one in a tree of 4: the verifier cannot know the size the root was
//! built for), the tests do not pretend otherwise: they predict acceptance exactly from
//! an independent model of the proof shape, written from the RFC's recursive definitions.

mod common;

use ccmp_types::{
    consistency_proof, inclusion_proof, root, verify_consistency, verify_inclusion, Frontier, Hash,
    MerkleError, EMPTY_ROOT, MAX_PROOF_HASHES,
};
use common::{flip_bit, leaves};
use proptest::prelude::*;

const MAX_SIZE: usize = 300;

/// RFC 6962's split: the largest power of two strictly below `n` (`n >= 2`).
fn split(n: u64) -> u64 {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The shape of `PATH(index, D[size])`, deepest node first: for each proof node, whether it
/// is the left sibling. Two (index, size) pairs with the same shape run the verifier
/// through exactly the same hashing.
fn inclusion_shape(index: u64, size: u64) -> Vec<bool> {
    if size <= 1 {
        return Vec::new();
    }
    let k = split(size);
    let (mut shape, left) = if index < k {
        (inclusion_shape(index, k), false)
    } else {
        (inclusion_shape(index - k, size - k), true)
    };
    shape.push(left);
    shape
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The proof carries the old tree's subtree root that seeds both computations.
    Seed,
    /// A left sibling: part of both the old and the new tree.
    Both,
    /// A right sibling: part of the new tree only.
    SecondOnly,
}

/// The shape of RFC 9162 `SUBPROOF(m, D[n], b)`, deepest node first.
fn subproof_shape(m: u64, n: u64, whole: bool) -> Vec<Step> {
    if m == n {
        return if whole { Vec::new() } else { vec![Step::Seed] };
    }
    let k = split(n);
    let (mut shape, step) = if m <= k {
        (subproof_shape(m, k, whole), Step::SecondOnly)
    } else {
        (subproof_shape(m - k, n - k, false), Step::Both)
    };
    shape.push(step);
    shape
}

fn consistency_shape(first: u64, second: u64) -> Vec<Step> {
    if first == 0 || first == second {
        Vec::new()
    } else {
        subproof_shape(first, second, true)
    }
}

/// Whether `verify_inclusion` must accept a proof built for (index, size), presented with
/// the same leaf and root but a claimed size `claimed`.
fn inclusion_accepts_other_size(index: u64, size: u64, claimed: u64) -> bool {
    claimed > index && inclusion_shape(index, claimed) == inclusion_shape(index, size)
}

/// Whether `verify_consistency` must accept a proof built from `first` to `second`,
/// presented with claimed sizes and roots. `roots_equal` says whether the two claimed roots
/// are the same hash.
fn consistency_accepts(
    (first, second): (u64, u64),
    (claimed_first, claimed_second): (u64, u64),
    same_roots_as_built: bool,
    roots_equal: bool,
) -> bool {
    let proof_len = consistency_shape(first, second).len();
    if claimed_first > claimed_second {
        return false;
    }
    if claimed_first == 0 {
        return proof_len == 0;
    }
    if claimed_first == claimed_second {
        return proof_len == 0 && roots_equal;
    }
    // Same hashing as the real proof: accepted exactly when it is also checked against the
    // roots it was built for.
    same_roots_as_built
        && consistency_shape(claimed_first, claimed_second) == consistency_shape(first, second)
}

fn tree_and_index() -> impl Strategy<Value = (u64, usize, u64)> {
    (any::<u64>(), 1..=MAX_SIZE).prop_flat_map(|(seed, n)| (Just(seed), Just(n), 0..n as u64))
}

fn tree_and_first() -> impl Strategy<Value = (u64, usize, u64)> {
    (any::<u64>(), 1..=MAX_SIZE).prop_flat_map(|(seed, n)| (Just(seed), Just(n), 0..=n as u64))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn inclusion_proofs_verify_and_tampering_is_refused(
        (seed, n, index) in tree_and_index(),
        bit in 0usize..256,
        beyond in 0u64..1_000,
    ) {
        let all = leaves(seed, n + 1);
        let leaves = &all[..n];
        let size = n as u64;
        let tree_root = root(leaves);
        let leaf = leaves[index as usize];
        let proof = inclusion_proof(leaves, index).unwrap();

        prop_assert_eq!(proof.len(), inclusion_shape(index, size).len());
        prop_assert!(proof.len() <= MAX_PROOF_HASHES);
        prop_assert_eq!(verify_inclusion(&leaf, index, size, &proof, &tree_root), Ok(()));

        // A flipped bit anywhere: in each proof node, in the leaf, in the root.
        for k in 0..proof.len() {
            let mut tampered = proof.clone();
            tampered[k] = flip_bit(&tampered[k], bit + k);
            prop_assert_eq!(
                verify_inclusion(&leaf, index, size, &tampered, &tree_root),
                Err(MerkleError::RootMismatch),
                "node {} flipped", k
            );
        }
        prop_assert_eq!(
            verify_inclusion(&flip_bit(&leaf, bit), index, size, &proof, &tree_root),
            Err(MerkleError::RootMismatch)
        );
        prop_assert_eq!(
            verify_inclusion(&leaf, index, size, &proof, &flip_bit(&tree_root, bit)),
            Err(MerkleError::RootMismatch)
        );

        // The wrong index, for this leaf and for the leaf that really is there.
        for other in [index.wrapping_sub(1), index + 1] {
            if other < size {
                prop_assert!(verify_inclusion(&leaf, other, size, &proof, &tree_root).is_err());
                prop_assert!(verify_inclusion(
                    &leaves[other as usize], other, size, &proof, &tree_root
                ).is_err());
            }
        }

        // The wrong size. Against the real root of that size: always refused.
        let smaller = size - 1;
        let smaller_result =
            verify_inclusion(&leaf, index, smaller, &proof, &root(&leaves[..n - 1]));
        if smaller == 0 {
            prop_assert_eq!(smaller_result, Err(MerkleError::EmptyTree));
        } else if index >= smaller {
            prop_assert_eq!(
                smaller_result,
                Err(MerkleError::IndexOutOfRange { index, size: smaller })
            );
        } else {
            prop_assert!(smaller_result.is_err());
        }
        prop_assert!(verify_inclusion(&leaf, index, size + 1, &proof, &root(&all)).is_err());
        // Against this root: accepted exactly when the other size gives the proof the same
        // shape, so the verifier cannot tell the sizes apart (the checkpoint binds the size).
        for claimed in [smaller, size + 1] {
            let result = verify_inclusion(&leaf, index, claimed, &proof, &tree_root);
            prop_assert_eq!(
                result.is_ok(),
                inclusion_accepts_other_size(index, size, claimed),
                "claimed size {}: {:?}", claimed, result
            );
        }

        // A node appended (at either end), removed, or two differing neighbours swapped.
        let extra = all[n];
        let len = proof.len();
        let mut appended = proof.clone();
        appended.push(extra);
        prop_assert_eq!(
            verify_inclusion(&leaf, index, size, &appended, &tree_root),
            Err(MerkleError::WrongProofLength { len: len + 1, expected: len })
        );
        let mut prepended = vec![extra];
        prepended.extend_from_slice(&proof);
        prop_assert_eq!(
            verify_inclusion(&leaf, index, size, &prepended, &tree_root),
            Err(MerkleError::WrongProofLength { len: len + 1, expected: len })
        );
        for k in 0..len {
            let mut removed = proof.clone();
            removed.remove(k);
            prop_assert_eq!(
                verify_inclusion(&leaf, index, size, &removed, &tree_root),
                Err(MerkleError::WrongProofLength { len: len - 1, expected: len })
            );
        }
        for k in 1..len {
            if proof[k - 1] != proof[k] {
                let mut swapped = proof.clone();
                swapped.swap(k - 1, k);
                prop_assert_eq!(
                    verify_inclusion(&leaf, index, size, &swapped, &tree_root),
                    Err(MerkleError::RootMismatch),
                    "nodes {} and {} swapped", k - 1, k
                );
            }
        }

        // Size 0 and indices at or past the size.
        prop_assert_eq!(
            verify_inclusion(&leaf, index, 0, &proof, &tree_root),
            Err(MerkleError::EmptyTree)
        );
        prop_assert_eq!(
            verify_inclusion(&leaf, size + beyond, size, &proof, &tree_root),
            Err(MerkleError::IndexOutOfRange { index: size + beyond, size })
        );
        prop_assert_eq!(
            inclusion_proof(leaves, size + beyond),
            Err(MerkleError::IndexOutOfRange { index: size + beyond, size })
        );
    }

    #[test]
    fn consistency_proofs_verify_and_tampering_is_refused(
        (seed, n, first) in tree_and_first(),
        bit in 0usize..256,
    ) {
        let all = leaves(seed, n + 1);
        let leaves = &all[..n];
        let second = n as u64;
        let roots_at = |size: u64| root(&all[..size as usize]);
        let first_root = roots_at(first);
        let second_root = roots_at(second);
        let proof = consistency_proof(leaves, first).unwrap();

        prop_assert_eq!(proof.len(), consistency_shape(first, second).len());
        prop_assert!(proof.len() <= MAX_PROOF_HASHES);
        prop_assert_eq!(
            verify_consistency(first, &first_root, second, &second_root, &proof),
            Ok(())
        );
        let verify = |first_size: u64, first_root: &Hash, second_size: u64, second_root: &Hash,
                      proof: &[Hash]| {
            verify_consistency(first_size, first_root, second_size, second_root, proof)
        };

        // Flipped bits in the proof and in either root.
        for k in 0..proof.len() {
            let mut tampered = proof.clone();
            tampered[k] = flip_bit(&tampered[k], bit + k);
            prop_assert_eq!(
                verify(first, &first_root, second, &second_root, &tampered),
                Err(MerkleError::RootMismatch),
                "node {} flipped", k
            );
        }
        let bad_first = flip_bit(&first_root, bit);
        let bad_second = flip_bit(&second_root, bit);
        if first == 0 {
            // From the empty tree every (empty) proof holds, whatever the roots say.
            prop_assert_eq!(verify(0, &bad_first, second, &bad_second, &proof), Ok(()));
        } else {
            prop_assert_eq!(
                verify(first, &bad_first, second, &second_root, &proof),
                Err(MerkleError::RootMismatch)
            );
            prop_assert_eq!(
                verify(first, &first_root, second, &bad_second, &proof),
                Err(MerkleError::RootMismatch)
            );
        }

        // Nodes added, removed or swapped.
        let extra = all[n];
        let len = proof.len();
        let mut appended = proof.clone();
        appended.push(extra);
        prop_assert_eq!(
            verify(first, &first_root, second, &second_root, &appended),
            Err(MerkleError::WrongProofLength { len: len + 1, expected: len })
        );
        let mut prepended = vec![extra];
        prepended.extend_from_slice(&proof);
        prop_assert_eq!(
            verify(first, &first_root, second, &second_root, &prepended),
            Err(MerkleError::WrongProofLength { len: len + 1, expected: len })
        );
        for k in 0..len {
            let mut removed = proof.clone();
            removed.remove(k);
            prop_assert_eq!(
                verify(first, &first_root, second, &second_root, &removed),
                Err(MerkleError::WrongProofLength { len: len - 1, expected: len })
            );
        }
        for k in 1..len {
            if proof[k - 1] != proof[k] {
                let mut swapped = proof.clone();
                swapped.swap(k - 1, k);
                prop_assert_eq!(
                    verify(first, &first_root, second, &second_root, &swapped),
                    Err(MerkleError::RootMismatch),
                    "nodes {} and {} swapped", k - 1, k
                );
            }
        }

        // A wrong first size, with this tree's first root and with the real root of that
        // size; a wrong second size, likewise.
        let mut claims = Vec::new();
        if first > 0 {
            claims.push((first - 1, second));
        }
        if first < second {
            claims.push((first + 1, second));
        }
        claims.push((first, second + 1));
        if second > 1 {
            claims.push((first, second - 1));
        }
        for (claimed_first, claimed_second) in claims {
            if claimed_first > claimed_second {
                prop_assert_eq!(
                    verify(claimed_first, &first_root, claimed_second, &second_root, &proof),
                    Err(MerkleError::InvalidConsistencyRange {
                        first: claimed_first,
                        second: claimed_second
                    })
                );
                continue;
            }
            let same = verify(claimed_first, &first_root, claimed_second, &second_root, &proof);
            prop_assert_eq!(
                same.is_ok(),
                consistency_accepts(
                    (first, second),
                    (claimed_first, claimed_second),
                    true,
                    first_root == second_root,
                ),
                "claimed {} -> {} with the built roots: {:?}", claimed_first, claimed_second, same
            );
            let (real_first, real_second) = (roots_at(claimed_first), roots_at(claimed_second));
            let real = verify(claimed_first, &real_first, claimed_second, &real_second, &proof);
            prop_assert_eq!(
                real.is_ok(),
                consistency_accepts(
                    (first, second),
                    (claimed_first, claimed_second),
                    false,
                    real_first == real_second,
                ),
                "claimed {} -> {} with their own roots: {:?}", claimed_first, claimed_second, real
            );
        }
    }

    #[test]
    fn frontier_json_round_trips(seed in any::<u64>(), n in 0..=MAX_SIZE, more in 1usize..8) {
        let all = leaves(seed, n + more);
        let frontier = Frontier::from_leaves(&all[..n]).unwrap();
        let json = serde_json::to_string(&frontier).unwrap();

        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&value["size"], &serde_json::json!(n));
        let nodes = value["nodes"].as_array().unwrap();
        prop_assert_eq!(nodes.len(), n.count_ones() as usize);
        for (node, expected) in nodes.iter().zip(frontier.nodes()) {
            prop_assert_eq!(node.as_str().unwrap(), hex::encode(expected));
        }

        let mut back: Frontier = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &frontier);
        prop_assert_eq!(back.root(), root(&all[..n]));
        prop_assert_eq!(
            Frontier::from_parts(n as u64, frontier.nodes().to_vec()).unwrap(),
            frontier.clone()
        );
        // The restored frontier keeps growing into the same tree.
        for size in n + 1..=n + more {
            prop_assert_eq!(back.push(all[size - 1]).unwrap(), root(&all[..size]));
        }

        // A node too many or too few does not deserialize.
        let mut wrong = value.clone();
        wrong["size"] = serde_json::json!(n + 1);
        if (n + 1).count_ones() != n.count_ones() {
            prop_assert!(serde_json::from_value::<Frontier>(wrong).is_err());
        }
    }
}

proptest! {
    // Recomputes the root from scratch at every size: quadratic, so fewer cases.
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn frontier_matches_root_at_every_size(seed in any::<u64>(), n in 1..=MAX_SIZE) {
        let leaves = leaves(seed, n);
        let mut frontier = Frontier::new();
        prop_assert_eq!(frontier.root(), EMPTY_ROOT);
        for size in 1..=n {
            let pushed = frontier.push(leaves[size - 1]).unwrap();
            let expected = root(&leaves[..size]);
            prop_assert_eq!(pushed, expected, "push at size {}", size);
            prop_assert_eq!(frontier.root(), expected, "root at size {}", size);
            prop_assert_eq!(frontier.size(), size as u64);
            prop_assert_eq!(frontier.nodes().len(), size.count_ones() as usize);
        }
    }
}

/// The shape models above are what the property tests predict acceptance from, so they are
/// checked exhaustively against the verifier on every small tree.
#[test]
fn shape_models_match_the_verifier_on_small_trees() {
    const N: usize = 24;
    let all = leaves(7, N + 1);
    let roots: Vec<Hash> = (0..=N + 1).map(|size| root(&all[..size])).collect();
    for n in 1..=N {
        let size = n as u64;
        for index in 0..size {
            let proof = inclusion_proof(&all[..n], index).unwrap();
            assert_eq!(proof.len(), inclusion_shape(index, size).len());
            for claimed in 1..=N as u64 + 1 {
                let result =
                    verify_inclusion(&all[index as usize], index, claimed, &proof, &roots[n]);
                assert_eq!(
                    result.is_ok(),
                    claimed == size || inclusion_accepts_other_size(index, size, claimed),
                    "leaf {index} of {size} claimed in {claimed}: {result:?}"
                );
            }
        }
        for first in 0..=size {
            let proof = consistency_proof(&all[..n], first).unwrap();
            assert_eq!(proof.len(), consistency_shape(first, size).len());
            for claimed_first in 0..=N as u64 {
                for claimed_second in claimed_first.max(1)..=N as u64 {
                    let (f, s) = (claimed_first as usize, claimed_second as usize);
                    let result = verify_consistency(
                        claimed_first,
                        &roots[first as usize],
                        claimed_second,
                        &roots[n],
                        &proof,
                    );
                    let built = (claimed_first, claimed_second) == (first, size);
                    assert_eq!(
                        result.is_ok(),
                        built
                            || consistency_accepts(
                                (first, size),
                                (claimed_first, claimed_second),
                                true,
                                roots[first as usize] == roots[n],
                            ),
                        "{first}->{size} claimed {f}->{s} with built roots: {result:?}"
                    );
                    let result = verify_consistency(
                        claimed_first,
                        &roots[f],
                        claimed_second,
                        &roots[s],
                        &proof,
                    );
                    assert_eq!(
                        result.is_ok(),
                        built
                            || consistency_accepts(
                                (first, size),
                                (claimed_first, claimed_second),
                                false,
                                roots[f] == roots[s],
                            ),
                        "{first}->{size} claimed {f}->{s} with their roots: {result:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn known_shapes() {
    // Spot checks of the models against the seven-leaf example tree of RFC 9162 §2.1.5
    // (leaves a..g over d0..d6): PATH(0) = [b, h, l] are all right siblings, PATH(3) =
    // [c, g, l], PATH(6) = [i, k] are left siblings.
    assert_eq!(inclusion_shape(0, 7), vec![false, false, false]);
    assert_eq!(inclusion_shape(3, 7), vec![true, true, false]);
    assert_eq!(inclusion_shape(6, 7), vec![true, true]);
    // PROOF(3, D[7]) = [c, d, g, l]: c seeds, d and l are only in the new tree, g in both.
    // PROOF(4, D[7]) = [l]; PROOF(6, D[7]) = [i, j, k].
    assert_eq!(
        consistency_shape(3, 7),
        vec![Step::Seed, Step::SecondOnly, Step::Both, Step::SecondOnly]
    );
    assert_eq!(consistency_shape(4, 7), vec![Step::SecondOnly]);
    assert_eq!(
        consistency_shape(6, 7),
        vec![Step::Seed, Step::SecondOnly, Step::Both]
    );
}
