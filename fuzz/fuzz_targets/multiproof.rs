//! `verify_multiproof` (PROTOCOL.md §8) on arbitrary arguments: never panics; a proof of
//! more than 64 × |indices| hashes is refused as too long before anything else is looked
//! at (only an empty index list or a leaf count that differs comes first), so before any
//! hashing; and it accepts only valid index lists. Differential: over a small tree of
//! fuzz-chosen leaves and a fuzz-chosen index set, the proof `multiproof` generates
//! verifies, holds the audit path's hashes for one index, fits the bound, and every
//! fuzz-chosen edit of the proof or of a leaf that changes it is refused, as is the proof
//! padded past the bound.
#![no_main]

use arbitrary::Arbitrary;
use ccmp_fuzz::mutation::{flip, Mutation};
use ccmp_fuzz::{tree_leaves, MAX_TREE};
use ccmp_types::{
    inclusion_proof, multiproof, multiproof_with, root, verify_inclusion, verify_multiproof,
    MultiproofError, MAX_PROOF_HASHES, MAX_TREE_SIZE,
};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    size: u64,
    indices: Vec<u64>,
    leaves: Vec<[u8; 32]>,
    proof: Vec<[u8; 32]>,
    /// Extra hashes appended to `proof` (up to 4,095), so the 64-per-index bound is cheap
    /// to reach.
    padding: u16,
    root: [u8; 32],
    tree_size: u8,
    given: Vec<[u8; 32]>,
    index_bits: u128,
    mutations: Vec<Mutation>,
    leaf_flip: Option<(u8, u8, u8)>,
}

fuzz_target!(|input: Input| {
    let mut proof = input.proof.clone();
    proof.extend(std::iter::repeat_n(
        [0x3c; 32],
        input.padding as usize % 4096,
    ));
    let (size, indices, leaves) = (input.size, &input.indices, &input.leaves);
    let result = verify_multiproof(size, indices, leaves, &proof, &input.root);
    let max = indices.len().saturating_mul(MAX_PROOF_HASHES);
    if !indices.is_empty() && leaves.len() == indices.len() && proof.len() > max {
        assert!(
            matches!(result, Err(MultiproofError::ProofTooLong { len, max: m }) if len == proof.len() && m == max),
            "{} hashes for {} indices: {result:?}",
            proof.len(),
            indices.len()
        );
    }
    if result.is_ok() {
        assert!(size > 0 && size <= MAX_TREE_SIZE && !indices.is_empty());
        assert!(indices.windows(2).all(|w| w[0] < w[1]) && indices.iter().all(|&i| i < size));
        assert_eq!(leaves.len(), indices.len());
    }

    let n = input.tree_size as usize % MAX_TREE + 1;
    let tree = tree_leaves(n, &input.given);
    let mut indices: Vec<u64> = (0..n as u64)
        .filter(|i| input.index_bits >> i & 1 == 1)
        .collect();
    if indices.is_empty() {
        indices.push((input.index_bits % n as u128) as u64);
    }
    let given: Vec<_> = indices.iter().map(|&i| tree[i as usize]).collect();
    let tree_root = root(&tree);
    let size = n as u64;
    let proof = multiproof(&indices, &tree).expect("multiproof");
    let with = multiproof_with(size, &indices, |lo, hi| {
        root(&tree[lo as usize..hi as usize])
    })
    .expect("multiproof_with");
    assert_eq!(proof, with, "multiproof and multiproof_with differ");
    assert!(proof.len() <= MAX_PROOF_HASHES * indices.len());
    if indices.len() == n {
        assert!(
            proof.is_empty(),
            "every leaf given, yet {} proof hashes",
            proof.len()
        );
    }
    if let Err(err) = verify_multiproof(size, &indices, &given, &proof, &tree_root) {
        panic!("generated multiproof of {indices:?} in {size} refused: {err}");
    }
    if let [index] = indices[..] {
        let mut path = inclusion_proof(&tree, index).expect("inclusion_proof");
        verify_inclusion(&tree[index as usize], index, size, &path, &tree_root).expect("path");
        let mut sorted = proof.clone();
        sorted.sort();
        path.sort();
        assert_eq!(
            sorted, path,
            "one index: the multiproof holds the audit path's hashes"
        );
    }
    for mutation in input.mutations.iter().take(16) {
        let tampered = mutation.apply(&proof);
        if tampered != proof {
            assert!(
                verify_multiproof(size, &indices, &given, &tampered, &tree_root).is_err(),
                "tampered multiproof of {indices:?} in {size} accepted: {mutation:?}"
            );
        }
    }
    if let Some((which, byte, bit)) = input.leaf_flip {
        let mut other = given.clone();
        let at = which as usize % other.len();
        other[at] = flip(&other[at], byte, bit);
        assert!(verify_multiproof(size, &indices, &other, &proof, &tree_root).is_err());
        let other_root = flip(&tree_root, byte, bit);
        assert!(verify_multiproof(size, &indices, &given, &proof, &other_root).is_err());
    }
    let mut padded = proof.clone();
    padded.resize(MAX_PROOF_HASHES * indices.len() + 1, [0x3c; 32]);
    assert!(matches!(
        verify_multiproof(size, &indices, &given, &padded, &tree_root),
        Err(MultiproofError::ProofTooLong { .. })
    ));
});
