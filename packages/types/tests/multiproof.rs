//! The `multiproof` section of the spec's `vectors.json` (PROTOCOL.md §8), reproduced
//! exactly through the public API of `ccmp-types`: every case generated and verified, and
//! refused once tampered with; the `deliver_batch` a relayer sends for nonces 1, 2, 3, 5 of
//! the lane section; and the section's figures for a lane of 2^20 on a sparse tree.

mod common;

use std::collections::BTreeMap;

use ccmp_types::{
    multiproof, multiproof_with, node_hash, root, verify_multiproof, Hash, Message,
    MultiproofError, MAX_PROOF_HASHES,
};
use common::*;
use cosmwasm_std::Binary;
use serde_json::Value;

fn tree_leaves() -> Vec<Hash> {
    hashes(at(section("tree"), &["leaf_hashes_hex"]))
}

/// An object's keys, sorted (serde_json keeps them sorted).
fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap_or_else(|| panic!("vectors: {value} is not an object"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

/// One entry of `multiproof.cases`.
struct Case {
    size: u64,
    indices: Vec<u64>,
    proof: Vec<Hash>,
    root: Hash,
}

impl Case {
    fn name(&self) -> String {
        format!("size {} indices {:?}", self.size, self.indices)
    }

    fn leaves(&self, all: &[Hash]) -> Vec<Hash> {
        self.indices.iter().map(|&i| all[i as usize]).collect()
    }
}

fn cases() -> Vec<Case> {
    array_of(section("multiproof"), "cases")
        .iter()
        .map(|case| Case {
            size: u64_of(case, "size"),
            indices: array_of(case, "indices")
                .iter()
                .map(|index| index.as_u64().expect("vectors: index is not a u64"))
                .collect(),
            proof: hashes(at(case, &["proof_hex"])),
            root: hash(at(case, &["root_hex"])),
        })
        .collect()
}

fn hex_list(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(hex::encode).collect()
}

#[test]
fn multiproof_section_has_the_expected_shape() {
    let section = section("multiproof");
    assert_eq!(keys(section), ["cases", "lane_batch", "note"]);
    for case in array_of(section, "cases") {
        assert_eq!(keys(case), ["indices", "proof_hex", "root_hex", "size"]);
    }
    let batch = at(section, &["lane_batch"]);
    assert_eq!(keys(batch), ["execute_msg", "note", "proof_hex"]);
    assert_eq!(keys(at(batch, &["execute_msg"])), ["deliver_batch"]);
    assert_eq!(
        keys(at(batch, &["execute_msg", "deliver_batch"])),
        ["checkpoint_size", "messages", "proof", "source_chain"]
    );
}

#[test]
fn cases_cover_every_subset_of_the_small_trees() {
    let cases = cases();
    assert_eq!(cases.len(), 117);
    // Every non-empty index set of the trees of 1 to 5 leaves, then six per larger size.
    for size in 1..=5u64 {
        let count = cases.iter().filter(|case| case.size == size).count();
        assert_eq!(count, (1 << size) - 1, "size {size}");
    }
    for size in [6, 7, 8, 9, 13, 16, 17, 31, 32, 33] {
        let count = cases.iter().filter(|case| case.size == size).count();
        assert_eq!(count, 6, "size {size}");
    }
    let leaves = tree_leaves();
    for case in &cases {
        assert!(case.size as usize <= leaves.len(), "{}", case.name());
        assert!(!case.indices.is_empty(), "{}", case.name());
        assert!(
            case.indices.windows(2).all(|pair| pair[0] < pair[1]),
            "{}",
            case.name()
        );
        assert!(
            case.indices.iter().all(|&i| i < case.size),
            "{}",
            case.name()
        );
    }
}

#[test]
fn cases_are_generated_exactly_and_verify() {
    let leaves = tree_leaves();
    let roots = hashes(at(section("tree"), &["roots_hex"]));
    for case in cases() {
        let name = case.name();
        let tree = &leaves[..case.size as usize];
        assert_eq!(case.root, roots[case.size as usize], "{name}: root");
        assert_eq!(root(tree), case.root, "{name}: recomputed root");

        let proof = multiproof(&case.indices, tree).unwrap();
        assert_eq!(
            hex_list(&proof),
            hex_list(&case.proof),
            "{name}: multiproof"
        );
        let with = multiproof_with(case.size, &case.indices, |lo, hi| {
            root(&tree[lo as usize..hi as usize])
        })
        .unwrap();
        assert_eq!(with, case.proof, "{name}: multiproof_with");

        verify_multiproof(
            case.size,
            &case.indices,
            &case.leaves(&leaves),
            &case.proof,
            &case.root,
        )
        .unwrap_or_else(|err| panic!("{name}: {err}"));
    }
}

#[test]
fn every_case_is_refused_once_tampered_with() {
    let leaves = tree_leaves();
    for case in cases() {
        let name = case.name();
        let given = case.leaves(&leaves);
        let verify = |given: &[Hash], proof: &[Hash]| {
            verify_multiproof(case.size, &case.indices, given, proof, &case.root)
        };
        let len = case.proof.len();

        // A flipped byte in each proof hash and in each leaf.
        for k in 0..len {
            let mut tampered = case.proof.clone();
            tampered[k] = flip_bit(&tampered[k], 8 * k + 3);
            assert_eq!(
                verify(&given, &tampered),
                Err(MultiproofError::RootMismatch),
                "{name}: proof hash {k} flipped"
            );
        }
        for j in 0..given.len() {
            let mut tampered = given.clone();
            tampered[j] = flip_bit(&tampered[j], 8 * j + 5);
            assert_eq!(
                verify(&tampered, &case.proof),
                Err(MultiproofError::RootMismatch),
                "{name}: leaf {j} flipped"
            );
        }
        // The root flipped.
        assert_eq!(
            verify_multiproof(
                case.size,
                &case.indices,
                &given,
                &case.proof,
                &flip_bit(&case.root, 0)
            ),
            Err(MultiproofError::RootMismatch),
            "{name}: root flipped"
        );

        // A hash removed, from each position.
        for k in 0..len {
            let mut removed = case.proof.clone();
            removed.remove(k);
            assert_eq!(
                verify(&given, &removed),
                Err(MultiproofError::ProofTooShort {
                    len: len - 1,
                    expected: len
                }),
                "{name}: proof hash {k} removed"
            );
        }
        // A hash added: at the end, at the front, and a proof hash repeated in place.
        let extra = leaves[case.size as usize % leaves.len()];
        let mut added = vec![case.proof.clone(), case.proof.clone()];
        added[0].push(extra);
        added[1].insert(0, extra);
        if let Some(&first) = case.proof.first() {
            let mut repeated = case.proof.clone();
            repeated.insert(0, first);
            added.push(repeated);
        }
        for tampered in added {
            assert_eq!(
                verify(&given, &tampered),
                Err(MultiproofError::ProofHashesLeftOver {
                    len: len + 1,
                    expected: len
                }),
                "{name}: a hash added"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// lane_batch: the deliver_batch for nonces 1, 2, 3, 5 of the lane section
// ---------------------------------------------------------------------------------------

const BATCH_NONCES: [u64; 4] = [1, 2, 3, 5];

fn lane() -> &'static Value {
    section("lane")
}

fn lane_messages() -> Vec<Message> {
    array_of(lane(), "messages").iter().map(message).collect()
}

fn deliver_batch() -> &'static Value {
    at(
        section("multiproof"),
        &["lane_batch", "execute_msg", "deliver_batch"],
    )
}

#[test]
fn lane_batch_messages_decode_to_the_lane_messages() {
    let batch = deliver_batch();
    let checkpoint = at(lane(), &["checkpoint"]);
    assert_eq!(
        str_of(batch, "source_chain"),
        str_of(checkpoint, "source_chain")
    );
    assert_eq!(u64_of(batch, "checkpoint_size"), u64_of(checkpoint, "size"));
    assert_eq!(u64_of(batch, "checkpoint_size"), 7);

    let lane_messages = lane_messages();
    let ids = hashes(at(lane(), &["ids_hex"]));
    let encoded = array_of(batch, "messages");
    assert_eq!(encoded.len(), BATCH_NONCES.len());
    for (&nonce, encoded) in BATCH_NONCES.iter().zip(encoded) {
        let text = encoded.as_str().expect("vectors: message is not a string");
        let bytes = Binary::from_base64(text).expect("vectors: message is not base64");
        let decoded = Message::decode(&bytes).unwrap_or_else(|err| panic!("nonce {nonce}: {err}"));
        assert_eq!(decoded, lane_messages[nonce as usize], "nonce {nonce}");
        assert_eq!(decoded.nonce, nonce);
        assert_eq!(decoded.source_chain, str_of(checkpoint, "source_chain"));
        assert_eq!(
            decoded.destination_chain,
            str_of(checkpoint, "destination_chain")
        );
        assert_eq!(decoded.encode().unwrap(), bytes.to_vec(), "nonce {nonce}");
        assert_eq!(
            decoded.message_id().unwrap(),
            ids[nonce as usize],
            "nonce {nonce}"
        );
    }
}

#[test]
fn lane_batch_proof_is_reproduced_and_verifies() {
    let section = at(section("multiproof"), &["lane_batch"]);
    let batch = deliver_batch();
    let expected = hashes(at(section, &["proof_hex"]));

    // The base64 proof is the concatenation of proof_hex.
    let bytes = Binary::from_base64(str_of(batch, "proof")).expect("vectors: proof is base64");
    assert_eq!(bytes.len() % 32, 0);
    let from_base64: Vec<Hash> = bytes
        .chunks_exact(32)
        .map(|chunk| chunk.try_into().unwrap())
        .collect();
    assert_eq!(from_base64, expected);

    // Reproduced from the lane's message ids (recomputed from its messages).
    let ids: Vec<Hash> = lane_messages()
        .iter()
        .map(|message| message.message_id().unwrap())
        .collect();
    assert_eq!(ids, hashes(at(lane(), &["ids_hex"])));
    let proof = multiproof(&BATCH_NONCES, &ids).unwrap();
    assert_eq!(hex_list(&proof), hex_list(&expected));
    // Leaves 0, 4 and 6 are the maximal subtrees without a batch nonce.
    assert_eq!(proof, vec![ids[0], ids[4], ids[6]]);

    // Verified as the inbox will: the leaves are the ids of the decoded messages.
    let checkpoint = at(lane(), &["checkpoint"]);
    let checkpoint_root = hash(at(checkpoint, &["root_hex"]));
    assert_eq!(root(&ids), checkpoint_root);
    let leaves: Vec<Hash> = array_of(batch, "messages")
        .iter()
        .map(|encoded| {
            let bytes = Binary::from_base64(encoded.as_str().unwrap()).unwrap();
            Message::decode(&bytes).unwrap().message_id().unwrap()
        })
        .collect();
    let size = u64_of(batch, "checkpoint_size");
    verify_multiproof(size, &BATCH_NONCES, &leaves, &from_base64, &checkpoint_root).unwrap();

    // A message left out (leaves 4 to 6 are then one subtree), or one of another nonce in
    // its place, is refused.
    assert_eq!(
        verify_multiproof(
            size,
            &[1, 2, 3],
            &leaves[..3],
            &from_base64,
            &checkpoint_root
        ),
        Err(MultiproofError::ProofHashesLeftOver {
            len: 3,
            expected: 2
        })
    );
    let mut swapped = leaves.clone();
    swapped[3] = ids[4];
    assert_eq!(
        verify_multiproof(
            size,
            &BATCH_NONCES,
            &swapped,
            &from_base64,
            &checkpoint_root
        ),
        Err(MultiproofError::RootMismatch)
    );
    assert_eq!(
        verify_multiproof(
            size,
            &[1, 2, 3, 4],
            &swapped,
            &from_base64,
            &checkpoint_root
        ),
        Err(MultiproofError::RootMismatch)
    );
}

// ---------------------------------------------------------------------------------------
// A sparse lane of 2^20: generation through subtree roots, never the leaf list
// ---------------------------------------------------------------------------------------

/// A tree whose leaves are all `[0; 32]` but a few. `mth(lo, hi)` costs O(log n) hashes
/// plus O(log n) per set leaf in the range.
struct SparseTree {
    size: u64,
    set: BTreeMap<u64, Hash>,
    /// `zero_roots[k]`: the root of 2^k zero leaves.
    zero_roots: Vec<Hash>,
}

impl SparseTree {
    fn new(size: u64, set: BTreeMap<u64, Hash>) -> Self {
        let mut zero_roots = vec![[0; 32]];
        for k in 1..64 {
            let below = zero_roots[k - 1];
            zero_roots.push(node_hash(&below, &below));
        }
        Self {
            size,
            set,
            zero_roots,
        }
    }

    fn mth(&self, lo: u64, hi: u64) -> Hash {
        let n = hi - lo;
        let has_set = self.set.range(lo..hi).next().is_some();
        if n == 1 {
            return self.set.get(&lo).copied().unwrap_or([0; 32]);
        }
        if !has_set && n.is_power_of_two() {
            return self.zero_roots[n.trailing_zeros() as usize];
        }
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        node_hash(&self.mth(lo, lo + k), &self.mth(lo + k, hi))
    }

    fn root(&self) -> Hash {
        self.mth(0, self.size)
    }
}

fn sparse_leaf(index: u64) -> Hash {
    ccmp_types::leaf_hash(&index.to_be_bytes())
}

#[test]
fn the_sparse_tree_agrees_with_the_full_one() {
    let size = 1000;
    let set: BTreeMap<u64, Hash> = [3, 17, 500, 999]
        .into_iter()
        .map(|i| (i, sparse_leaf(i)))
        .collect();
    let tree = SparseTree::new(size, set.clone());
    let leaves: Vec<Hash> = (0..size)
        .map(|i| set.get(&i).copied().unwrap_or([0; 32]))
        .collect();
    assert_eq!(tree.root(), root(&leaves));
    for (lo, hi) in [(0, 1), (0, 512), (3, 4), (500, 1000), (17, 999), (0, 1000)] {
        assert_eq!(
            tree.mth(lo, hi),
            root(&leaves[lo as usize..hi as usize]),
            "{lo}..{hi}"
        );
    }
    let indices = [3, 17, 500, 999];
    let proof = multiproof_with(size, &indices, |lo, hi| tree.mth(lo, hi)).unwrap();
    assert_eq!(proof, multiproof(&indices, &leaves).unwrap());
}

/// The multiproof length of the run `[start, start + len)` in a perfect tree of 2^`height`
/// leaves, counted level by level: every node on a path to the run has two children, and
/// those not on a path are the proof's subtrees.
fn run_proof_len(height: u32, start: u64, len: u64) -> usize {
    let end = start + len - 1;
    let mut below = len;
    let mut total = 0;
    for level in 1..=height {
        let on_path = (end >> level) - (start >> level) + 1;
        total += 2 * on_path - below;
        below = on_path;
    }
    total as usize
}

#[test]
fn fifty_messages_in_a_lane_of_2_pow_20() {
    // PROTOCOL.md §8: 50 consecutive messages in a lane of 2^20 carry 1,000 hashes as
    // inclusion proofs, and one multiproof for them far fewer; 1 when they are the newest
    // 50 above 2^20. Lengths only: the closure's hash does not matter here.
    let size = 1u64 << 20;
    let len_at = |start: u64| {
        let indices: Vec<u64> = (start..start + 50).collect();
        multiproof_with(size, &indices, |_, _| [0; 32])
            .unwrap()
            .len()
    };
    // Aligned at the start of a block of 64: 17, the fewest.
    assert_eq!(len_at(0), 17);
    assert_eq!(len_at(64 * 1001), 17);
    // The most is 36, not the 32 §8 states: a run across the middle of the tree, e.g. one
    // message closing the left half and 49 opening the right, needs 19 + 17 hashes. (All
    // 2^20 - 49 starts counted with the model below: 99 of them need 33 to 36, the four
    // starting at 2^19 - 1, - 17, - 33 and - 49 need 36.)
    for before_middle in [1, 17, 33, 49] {
        assert_eq!(len_at(size / 2 - before_middle), 36, "{before_middle}");
    }
    assert_eq!(len_at(size / 2 - 48), 32);
    assert_eq!(len_at(size / 2 - 50), 17);
    let straddles = (16..20).flat_map(|bit| ((1u64 << bit) - 50)..(1u64 << bit));
    let starts = (0..1024)
        .chain((0..64).map(|k| size - 50 - k * 7919))
        .chain(straddles);
    let (mut shortest, mut longest) = (usize::MAX, 0);
    for start in starts {
        let len = len_at(start);
        assert_eq!(len, run_proof_len(20, start, 50), "start {start}");
        shortest = shortest.min(len);
        longest = longest.max(len);
    }
    assert_eq!((shortest, longest), (17, 36));

    let newest: Vec<u64> = (size..size + 50).collect();
    let proof = multiproof_with(size + 50, &newest, |_, _| [0; 32]).unwrap();
    assert_eq!(proof.len(), 1);
}

#[test]
fn a_thousand_indices_in_a_sparse_lane_of_2_pow_20() {
    // The largest batch the inbox accepts, spread over a lane it must never materialise.
    let size = (1u64 << 20) + 12_345;
    let indices: Vec<u64> = (0..1000u64)
        .map(|k| (k * 1_048_573 + k * k * 31) % size)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(indices.len() > 990, "{}", indices.len());
    let set: BTreeMap<u64, Hash> = indices.iter().map(|&i| (i, sparse_leaf(i))).collect();
    let tree = SparseTree::new(size, set);
    let tree_root = tree.root();

    let mut calls = 0;
    let proof = multiproof_with(size, &indices, |lo, hi| {
        calls += 1;
        tree.mth(lo, hi)
    })
    .unwrap();
    assert_eq!(calls, proof.len());
    assert!(proof.len() < indices.len() * 21, "{}", proof.len());
    assert!(proof.len() <= indices.len() * MAX_PROOF_HASHES);

    let leaves: Vec<Hash> = indices.iter().map(|&i| sparse_leaf(i)).collect();
    verify_multiproof(size, &indices, &leaves, &proof, &tree_root).unwrap();
    let mut tampered = leaves.clone();
    tampered[indices.len() / 2] = [0; 32];
    assert_eq!(
        verify_multiproof(size, &indices, &tampered, &proof, &tree_root),
        Err(MultiproofError::RootMismatch)
    );
    assert_eq!(
        verify_multiproof(size, &indices, &leaves, &proof[1..], &tree_root),
        Err(MultiproofError::ProofTooShort {
            len: proof.len() - 1,
            expected: proof.len()
        })
    );
}
