//! `verify_inclusion` (RFC 9162 §2.1.3.2) on arbitrary arguments: never panics, and accepts
//! only within its documented bounds. Differential: over a small tree of fuzz-chosen
//! leaves, the proof `inclusion_proof` generates verifies (against `root`, which equals the
//! frontier's root), and every fuzz-chosen edit that changes the proof, and any other leaf,
//! is refused.
#![no_main]

use arbitrary::Arbitrary;
use ccmp_fuzz::mutation::{flip, Mutation};
use ccmp_fuzz::{tree_leaves, MAX_TREE};
use ccmp_types::{
    inclusion_proof, root, verify_inclusion, Frontier, MerkleError, MAX_PROOF_HASHES, MAX_TREE_SIZE,
};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    // Arbitrary arguments.
    leaf: [u8; 32],
    index: u64,
    size: u64,
    proof: Vec<[u8; 32]>,
    /// Extra copies of a hash appended to `proof`, so long proofs cost few input bytes.
    padding: u8,
    root: [u8; 32],
    // A small tree.
    tree_size: u8,
    given: Vec<[u8; 32]>,
    tree_index: u8,
    mutations: Vec<Mutation>,
    leaf_flip: Option<(u8, u8)>,
}

fuzz_target!(|input: Input| {
    let mut proof = input.proof.clone();
    proof.extend(std::iter::repeat_n([0x5a; 32], input.padding as usize));
    let result = verify_inclusion(&input.leaf, input.index, input.size, &proof, &input.root);
    if proof.len() > MAX_PROOF_HASHES {
        assert!(
            matches!(result, Err(MerkleError::ProofTooLong { len, .. }) if len == proof.len()),
            "{} hashes: {result:?}",
            proof.len()
        );
    }
    if result.is_ok() {
        assert!(input.size > 0 && input.size <= MAX_TREE_SIZE && input.index < input.size);
    }

    let n = input.tree_size as usize % MAX_TREE + 1;
    let leaves = tree_leaves(n, &input.given);
    let index = input.tree_index as u64 % n as u64;
    let tree_root = root(&leaves);
    assert_eq!(
        Frontier::from_leaves(&leaves).expect("frontier").root(),
        tree_root,
        "frontier root differs from MTH"
    );
    let proof = inclusion_proof(&leaves, index).expect("inclusion_proof");
    let leaf = leaves[index as usize];
    let size = n as u64;
    if let Err(err) = verify_inclusion(&leaf, index, size, &proof, &tree_root) {
        panic!("generated proof of {index} in {size} refused: {err}");
    }
    for mutation in input.mutations.iter().take(16) {
        let tampered = mutation.apply(&proof);
        if tampered != proof {
            assert!(
                verify_inclusion(&leaf, index, size, &tampered, &tree_root).is_err(),
                "tampered proof accepted: {mutation:?}"
            );
        }
    }
    if let Some((byte, bit)) = input.leaf_flip {
        let other = flip(&leaf, byte, bit);
        assert!(verify_inclusion(&other, index, size, &proof, &tree_root).is_err());
        let other_root = flip(&tree_root, byte, bit);
        assert!(verify_inclusion(&leaf, index, size, &proof, &other_root).is_err());
    }
});
