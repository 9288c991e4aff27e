//! `verify_consistency` (RFC 9162 §2.1.4.2) on arbitrary arguments: never panics, and
//! answers the documented cases (from size 0 an empty proof always holds; between equal
//! sizes an empty proof holds exactly when the roots are equal). Differential: over a small
//! tree of fuzz-chosen leaves, the proof `consistency_proof` generates from a fuzz-chosen
//! size verifies, and every fuzz-chosen edit that changes the proof, and either root
//! changed, is refused (from size 0 the roots are not involved: still accepted).
#![no_main]

use arbitrary::Arbitrary;
use ccmp_fuzz::mutation::{flip, Mutation};
use ccmp_fuzz::{tree_leaves, MAX_TREE};
use ccmp_types::{
    consistency_proof, root, verify_consistency, MerkleError, MAX_PROOF_HASHES, MAX_TREE_SIZE,
};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    first: u64,
    first_root: [u8; 32],
    second: u64,
    second_root: [u8; 32],
    proof: Vec<[u8; 32]>,
    padding: u8,
    tree_size: u8,
    given: Vec<[u8; 32]>,
    tree_first: u8,
    mutations: Vec<Mutation>,
    root_flip: Option<(u8, u8)>,
}

fuzz_target!(|input: Input| {
    let mut proof = input.proof.clone();
    proof.extend(std::iter::repeat_n([0xa5; 32], input.padding as usize));
    let (first, second) = (input.first, input.second);
    let result = verify_consistency(first, &input.first_root, second, &input.second_root, &proof);
    if proof.len() > MAX_PROOF_HASHES {
        assert!(
            matches!(result, Err(MerkleError::ProofTooLong { len, .. }) if len == proof.len()),
            "{} hashes: {result:?}",
            proof.len()
        );
    } else if proof.is_empty() && first <= second && second <= MAX_TREE_SIZE {
        if first == 0 {
            assert!(result.is_ok(), "from 0: {result:?}");
        } else if first == second {
            assert_eq!(result.is_ok(), input.first_root == input.second_root);
        }
    }
    if result.is_ok() {
        assert!(first <= second && second <= MAX_TREE_SIZE);
    }

    let n = input.tree_size as usize % MAX_TREE + 1;
    let leaves = tree_leaves(n, &input.given);
    let first = input.tree_first as u64 % (n as u64 + 1);
    let second = n as u64;
    let (first_root, second_root) = (root(&leaves[..first as usize]), root(&leaves));
    let proof = consistency_proof(&leaves, first).expect("consistency_proof");
    if let Err(err) = verify_consistency(first, &first_root, second, &second_root, &proof) {
        panic!("generated proof from {first} to {second} refused: {err}");
    }
    for mutation in input.mutations.iter().take(16) {
        let tampered = mutation.apply(&proof);
        if tampered != proof {
            assert!(
                verify_consistency(first, &first_root, second, &second_root, &tampered).is_err(),
                "tampered proof from {first} to {second} accepted: {mutation:?}"
            );
        }
    }
    if let Some((byte, bit)) = input.root_flip {
        let (other_first, other_second) =
            (flip(&first_root, byte, bit), flip(&second_root, byte, bit));
        let with_first = verify_consistency(first, &other_first, second, &second_root, &proof);
        let with_second = verify_consistency(first, &first_root, second, &other_second, &proof);
        if first == 0 {
            assert!(
                with_first.is_ok() && with_second.is_ok(),
                "from 0 the roots are not involved"
            );
        } else {
            assert!(
                with_first.is_err(),
                "another first root accepted ({first} to {second})"
            );
            assert!(
                with_second.is_err(),
                "another second root accepted ({first} to {second})"
            );
        }
    }
});
