//! The lane Merkle tree (PROTOCOL.md §3): RFC 6962 / RFC 9162 §2.1 hashing, a frontier
//! for O(1)-amortised appends, and inclusion and consistency proofs.
//!
//! Leaves are message ids, which are already RFC 6962 leaf hashes; the tree never hashes
//! them again. Generation (`root`, `inclusion_proof`, `consistency_proof`) takes the whole
//! leaf list and is meant for tooling; verification is what contracts call.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::codec::Hash;
use crate::error::MerkleError;
use crate::multiproof::split_point;
use cosmwasm_std::HexBinary;

/// No proof may carry more hashes than this. With sizes capped at `MAX_TREE_SIZE` every
/// valid inclusion or consistency proof fits, so the bound rejects only garbage, before
/// any hashing is spent on it.
pub const MAX_PROOF_HASHES: usize = 64;
/// The largest tree size any function here accepts: 2^63 leaves keeps every proof within
/// `MAX_PROOF_HASHES` and every size computation far from overflow.
pub const MAX_TREE_SIZE: u64 = 1 << 63;

/// `MTH({}) = SHA-256("")`.
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// RFC 6962 leaf hash: `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(data);
    hasher.finalize().into()
}

/// RFC 6962 inner node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// `MTH(leaves)`.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => EMPTY_ROOT,
        [leaf] => *leaf,
        _ => {
            let (left, right) = leaves.split_at(split_point(leaves.len() as u64) as usize);
            node_hash(&root(left), &root(right))
        }
    }
}

/// RFC 9162 §2.1.3.1 `PATH(index, leaves)`: the audit path, deepest sibling first.
pub fn inclusion_proof(leaves: &[Hash], index: u64) -> Result<Vec<Hash>, MerkleError> {
    inclusion_proof_with(leaves.len() as u64, index, |lo, hi| {
        root(&leaves[lo as usize..hi as usize])
    })
}

/// [`inclusion_proof`] in a tree of `size` leaves the caller does not pass leaf by leaf:
/// `subtree_root(lo, hi)` must return `MTH(D[lo:hi])`. It is asked once per path hash, for
/// nodes of the tree only (see [`SubtreeIndex`]).
pub fn inclusion_proof_with(
    size: u64,
    index: u64,
    mut subtree_root: impl FnMut(u64, u64) -> Hash,
) -> Result<Vec<Hash>, MerkleError> {
    check_size(size)?;
    if size == 0 {
        return Err(MerkleError::EmptyTree);
    }
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    let mut path = Vec::new();
    fill_path(0, size, index, &mut subtree_root, &mut path);
    Ok(path)
}

/// The path of leaf `index` (absolute) in the node over `[lo, hi)`.
fn fill_path(
    lo: u64,
    hi: u64,
    index: u64,
    subtree_root: &mut impl FnMut(u64, u64) -> Hash,
    path: &mut Vec<Hash>,
) {
    if hi - lo <= 1 {
        return;
    }
    let mid = lo + split_point(hi - lo);
    if index < mid {
        fill_path(lo, mid, index, subtree_root, path);
        path.push(subtree_root(mid, hi));
    } else {
        fill_path(mid, hi, index, subtree_root, path);
        path.push(subtree_root(lo, mid));
    }
}

/// RFC 9162 §2.1.4.1 `PROOF(first, leaves)`: proves the tree of the first `first` leaves
/// is a prefix of the tree of all of them. Empty for `first` 0 and for `first == size`.
pub fn consistency_proof(leaves: &[Hash], first: u64) -> Result<Vec<Hash>, MerkleError> {
    consistency_proof_with(leaves.len() as u64, first, |lo, hi| {
        root(&leaves[lo as usize..hi as usize])
    })
}

/// [`consistency_proof`] from `first` to a tree of `second` leaves the caller does not
/// pass leaf by leaf: `subtree_root(lo, hi)` must return `MTH(D[lo:hi])`, asked once per
/// proof hash, for nodes of the tree only.
pub fn consistency_proof_with(
    second: u64,
    first: u64,
    mut subtree_root: impl FnMut(u64, u64) -> Hash,
) -> Result<Vec<Hash>, MerkleError> {
    check_size(second)?;
    if first > second {
        return Err(MerkleError::InvalidConsistencyRange { first, second });
    }
    let mut proof = Vec::new();
    if first != 0 {
        fill_subproof(first, 0, second, true, &mut subtree_root, &mut proof);
    }
    Ok(proof)
}

/// `SUBPROOF(first, D[lo:hi], first_is_whole)`, `first` counted from `lo`.
fn fill_subproof(
    first: u64,
    lo: u64,
    hi: u64,
    first_is_whole: bool,
    subtree_root: &mut impl FnMut(u64, u64) -> Hash,
    proof: &mut Vec<Hash>,
) {
    if first == hi - lo {
        if !first_is_whole {
            proof.push(subtree_root(lo, hi));
        }
        return;
    }
    let k = split_point(hi - lo);
    if first <= k {
        fill_subproof(first, lo, lo + k, first_is_whole, subtree_root, proof);
        proof.push(subtree_root(lo + k, hi));
    } else {
        fill_subproof(first - k, lo + k, hi, false, subtree_root, proof);
        proof.push(subtree_root(lo, lo + k));
    }
}

fn check_size(size: u64) -> Result<(), MerkleError> {
    if size > MAX_TREE_SIZE {
        return Err(MerkleError::TreeFull { size });
    }
    Ok(())
}

fn check_proof_bound(proof: &[Hash]) -> Result<(), MerkleError> {
    if proof.len() > MAX_PROOF_HASHES {
        return Err(MerkleError::ProofTooLong {
            len: proof.len(),
            max: MAX_PROOF_HASHES,
        });
    }
    Ok(())
}

/// Shifts `fn_` and `sn` right together until `fn_`'s low bit is set or it reaches 0
/// (RFC 9162, the step shared by both verification algorithms).
fn shift_to_right_edge(fn_: &mut u64, sn: &mut u64) {
    while *fn_ & 1 == 0 && *fn_ != 0 {
        *fn_ >>= 1;
        *sn >>= 1;
    }
}

/// The number of hashes in the inclusion proof of `index` in a tree of `size`
/// (`index < size`): the RFC 9162 verification loop run without hashing.
fn inclusion_proof_len(index: u64, size: u64) -> usize {
    let (mut fn_, mut sn) = (index, size - 1);
    let mut len = 0;
    while sn != 0 {
        if fn_ & 1 == 1 || fn_ == sn {
            shift_to_right_edge(&mut fn_, &mut sn);
        }
        fn_ >>= 1;
        sn >>= 1;
        len += 1;
    }
    len
}

/// RFC 9162 §2.1.3.2: checks that `leaf` is at `index` in the tree of `size` leaves whose
/// root is `root`.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), MerkleError> {
    check_proof_bound(proof)?;
    check_size(size)?;
    if size == 0 {
        return Err(MerkleError::EmptyTree);
    }
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    let expected = inclusion_proof_len(index, size);
    if proof.len() != expected {
        return Err(MerkleError::WrongProofLength {
            len: proof.len(),
            expected,
        });
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut computed = *leaf;
    for sibling in proof {
        if fn_ & 1 == 1 || fn_ == sn {
            computed = node_hash(sibling, &computed);
            shift_to_right_edge(&mut fn_, &mut sn);
        } else {
            computed = node_hash(&computed, sibling);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 || computed != *root {
        return Err(MerkleError::RootMismatch);
    }
    Ok(())
}

/// The number of hashes in the consistency proof from `first` to `second`
/// (`0 < first < second`).
fn consistency_proof_len(first: u64, second: u64) -> usize {
    let (mut fn_, mut sn) = (first - 1, second - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let mut len = usize::from(!first.is_power_of_two());
    while sn != 0 {
        if fn_ & 1 == 1 || fn_ == sn {
            shift_to_right_edge(&mut fn_, &mut sn);
        }
        fn_ >>= 1;
        sn >>= 1;
        len += 1;
    }
    len
}

/// RFC 9162 §2.1.4.2: checks that the tree of `first` leaves with root `first_root` is a
/// prefix of the tree of `second` leaves with root `second_root`. From size 0 the proof is
/// empty and always valid; between equal sizes it is empty and the roots must be equal.
pub fn verify_consistency(
    first: u64,
    first_root: &Hash,
    second: u64,
    second_root: &Hash,
    proof: &[Hash],
) -> Result<(), MerkleError> {
    check_proof_bound(proof)?;
    check_size(second)?;
    if first > second {
        return Err(MerkleError::InvalidConsistencyRange { first, second });
    }
    let expected = if first == 0 || first == second {
        0
    } else {
        consistency_proof_len(first, second)
    };
    if proof.len() != expected {
        return Err(MerkleError::WrongProofLength {
            len: proof.len(),
            expected,
        });
    }
    if first == 0 {
        return Ok(());
    }
    if first == second {
        return if first_root == second_root {
            Ok(())
        } else {
            Err(MerkleError::RootMismatch)
        };
    }

    // When `first` is a power of two its root is the first node of the path, implicitly.
    let mut nodes = proof.iter();
    let seed = if first.is_power_of_two() {
        first_root
    } else {
        nodes.next().ok_or(MerkleError::RootMismatch)?
    };
    let (mut fn_, mut sn) = (first - 1, second - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*seed, *seed);
    for node in nodes {
        if sn == 0 {
            return Err(MerkleError::RootMismatch);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(node, &fr);
            sr = node_hash(node, &sr);
            shift_to_right_edge(&mut fn_, &mut sn);
        } else {
            sr = node_hash(&sr, node);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 || fr != *first_root || sr != *second_root {
        return Err(MerkleError::RootMismatch);
    }
    Ok(())
}

/// The result of appending one leaf to a frontier stored level by level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontierAppend {
    /// The tree size after the append.
    pub size: u64,
    /// The one frontier level whose node changes; every level below it is now unused.
    pub level: u32,
    /// The node to store at `level`.
    pub node: Hash,
    /// The root of the tree after the append.
    pub root: Hash,
}

/// Appends `leaf` to the tree of `size` leaves whose frontier node at each set bit
/// `level` of `size` is returned by `read_level(level)`.
///
/// This is the frontier algorithm once, for both the in-memory [`Frontier`] and a contract
/// that keeps one storage entry per level: it reads each set level of `size` exactly once
/// (the trailing ones to merge, the rest to fold the root) and asks the caller to write
/// only `level`, so a send costs O(log n) reads but one write, never the whole frontier.
pub fn append_to_frontier<E: From<MerkleError>>(
    size: u64,
    leaf: Hash,
    mut read_level: impl FnMut(u32) -> Result<Hash, E>,
) -> Result<FrontierAppend, E> {
    if size >= MAX_TREE_SIZE {
        return Err(MerkleError::TreeFull { size }.into());
    }
    let level = size.trailing_ones();
    let mut node = leaf;
    for merged in 0..level {
        node = node_hash(&read_level(merged)?, &node);
    }
    let new_size = size + 1;
    let mut root = node;
    for higher in (level + 1)..(u64::BITS - new_size.leading_zeros()) {
        if (new_size >> higher) & 1 == 1 {
            root = node_hash(&read_level(higher)?, &root);
        }
    }
    Ok(FrontierAppend {
        size: new_size,
        level,
        node,
        root,
    })
}

/// The right edge of a Merkle tree: one subtree root per set bit of `size`, highest level
/// first. O(log n) state, O(1) amortised append, and `root()` without the leaves.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "FrontierJson", into = "FrontierJson")]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
}

/// The serialized form: `{ "size": n, "nodes": ["<hex>", ...] }`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontierJson {
    size: u64,
    nodes: Vec<HexBinary>,
}

impl From<Frontier> for FrontierJson {
    fn from(frontier: Frontier) -> Self {
        FrontierJson {
            size: frontier.size,
            nodes: frontier.nodes.iter().map(HexBinary::from).collect(),
        }
    }
}

impl TryFrom<FrontierJson> for Frontier {
    type Error = MerkleError;

    fn try_from(json: FrontierJson) -> Result<Self, Self::Error> {
        let nodes = json
            .nodes
            .iter()
            .enumerate()
            .map(|(position, node)| {
                node.to_array::<32>()
                    .map_err(|_| MerkleError::InvalidFrontierNode {
                        position,
                        len: node.len(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Frontier::from_parts(json.size, nodes)
    }
}

impl Frontier {
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds a frontier from its size and nodes (highest level first), checking that
    /// there is exactly one node per set bit of `size`.
    pub fn from_parts(size: u64, nodes: Vec<Hash>) -> Result<Self, MerkleError> {
        check_size(size)?;
        let expected = size.count_ones() as usize;
        if nodes.len() != expected {
            return Err(MerkleError::MalformedFrontier {
                size,
                nodes: nodes.len(),
                expected,
            });
        }
        Ok(Self { size, nodes })
    }

    pub fn from_leaves(leaves: &[Hash]) -> Result<Self, MerkleError> {
        let mut frontier = Self::new();
        for leaf in leaves {
            frontier.push(*leaf)?;
        }
        Ok(frontier)
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Subtree roots, highest level (leftmost subtree) first.
    pub fn nodes(&self) -> &[Hash] {
        &self.nodes
    }

    /// Appends a leaf and returns the new root.
    pub fn push(&mut self, leaf: Hash) -> Result<Hash, MerkleError> {
        let size = self.size;
        let nodes = &self.nodes;
        // Level L is preceded (highest first) by one node per set bit above L.
        let update = append_to_frontier(size, leaf, |level| {
            let position = (size >> (level + 1)).count_ones() as usize;
            nodes
                .get(position)
                .copied()
                .ok_or(MerkleError::MalformedFrontier {
                    size,
                    nodes: nodes.len(),
                    expected: size.count_ones() as usize,
                })
        })?;
        let merged = update.level as usize;
        self.nodes.truncate(self.nodes.len().saturating_sub(merged));
        self.nodes.push(update.node);
        self.size = update.size;
        Ok(update.root)
    }

    /// The root: the right fold of the subtree roots.
    pub fn root(&self) -> Hash {
        let mut nodes = self.nodes.iter().rev();
        match nodes.next() {
            None => EMPTY_ROOT,
            Some(lowest) => nodes.fold(*lowest, |acc, higher| node_hash(higher, &acc)),
        }
    }
}

/// A lane's leaves with the root of every complete, aligned subtree (`2^j` leaves starting
/// at a multiple of `2^j`): 2n hashes for n leaves, O(1) amortised per append. Every node
/// of the tree of any prefix is such a subtree or splits into one and a smaller node, so
/// [`SubtreeIndex::subtree_root`] answers each node in O(log n) hashes instead of
/// rehashing its leaves: roots, inclusion and consistency proofs and multiproofs for a
/// relayer that follows a lane of millions, through the same proof functions as the
/// slices (`*_with`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubtreeIndex {
    /// `levels[j][i]` is the root of leaves `[i·2^j, (i+1)·2^j)`; `levels[0]` the leaves.
    levels: Vec<Vec<Hash>>,
}

impl SubtreeIndex {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn from_leaves(leaves: &[Hash]) -> Result<Self, MerkleError> {
        let mut index = Self::new();
        for leaf in leaves {
            index.push(*leaf)?;
        }
        Ok(index)
    }

    pub fn size(&self) -> u64 {
        self.leaves().len() as u64
    }

    pub fn leaves(&self) -> &[Hash] {
        self.levels.first().map_or(&[], Vec::as_slice)
    }

    /// Appends a leaf, and every complete subtree it closes.
    pub fn push(&mut self, leaf: Hash) -> Result<(), MerkleError> {
        let size = self.size();
        if size >= MAX_TREE_SIZE {
            return Err(MerkleError::TreeFull { size });
        }
        let mut node = leaf;
        let mut level = 0;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            self.levels[level].push(node);
            let nodes = &self.levels[level];
            if nodes.len() % 2 == 1 {
                return Ok(());
            }
            node = node_hash(&nodes[nodes.len() - 2], &nodes[nodes.len() - 1]);
            level += 1;
        }
    }

    /// Drops every leaf from `size` on, and the subtrees that held them.
    pub fn truncate(&mut self, size: u64) {
        for (level, nodes) in self.levels.iter_mut().enumerate() {
            nodes.truncate((size >> level) as usize);
        }
        while self.levels.last().is_some_and(Vec::is_empty) {
            self.levels.pop();
        }
    }

    /// `MTH(D[lo:hi])` (`lo <= hi <= size`, else `None`): a stored subtree, or a split into
    /// two as RFC 9162 splits, down to stored subtrees; O(log n) hashes for any node of the
    /// tree of a prefix.
    pub fn subtree_root(&self, lo: u64, hi: u64) -> Option<Hash> {
        if lo > hi || hi > self.size() {
            return None;
        }
        Some(self.node(lo, hi))
    }

    fn node(&self, lo: u64, hi: u64) -> Hash {
        let n = hi - lo;
        if n == 0 {
            return EMPTY_ROOT;
        }
        if n.is_power_of_two() && lo.is_multiple_of(n) {
            let level = n.trailing_zeros() as usize;
            return self.levels[level][(lo >> level) as usize];
        }
        let mid = lo + split_point(n);
        node_hash(&self.node(lo, mid), &self.node(mid, hi))
    }

    fn check(&self, size: u64) -> Result<(), MerkleError> {
        if size > self.size() {
            // The prefix of `size` needs leaf `size - 1`.
            return Err(MerkleError::IndexOutOfRange {
                index: size - 1,
                size: self.size(),
            });
        }
        Ok(())
    }

    /// The root of the tree of the first `size` leaves.
    pub fn root(&self, size: u64) -> Result<Hash, MerkleError> {
        self.check(size)?;
        Ok(self.node(0, size))
    }

    /// [`inclusion_proof`] of `index` in the tree of the first `size` leaves.
    pub fn inclusion_proof(&self, size: u64, index: u64) -> Result<Vec<Hash>, MerkleError> {
        self.check(size)?;
        inclusion_proof_with(size, index, |lo, hi| self.node(lo, hi))
    }

    /// [`consistency_proof`] from the tree of `first` leaves to that of `second`.
    pub fn consistency_proof(&self, second: u64, first: u64) -> Result<Vec<Hash>, MerkleError> {
        self.check(second)?;
        consistency_proof_with(second, first, |lo, hi| self.node(lo, hi))
    }

    /// The §8 multiproof of `indices` in the tree of the first `size` leaves.
    pub fn multiproof(
        &self,
        size: u64,
        indices: &[u64],
    ) -> Result<Vec<Hash>, crate::error::MultiproofError> {
        if size > self.size() {
            return Err(crate::error::MultiproofError::TreeTooLarge {
                size,
                max: self.size(),
            });
        }
        crate::multiproof::multiproof_with(size, indices, |lo, hi| self.node(lo, hi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(format!("leaf-{i}").as_bytes()))
            .collect()
    }

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(EMPTY_ROOT, crate::codec::sha256(b""));
        assert_eq!(root(&[]), EMPTY_ROOT);
        assert_eq!(Frontier::new().root(), EMPTY_ROOT);
    }

    #[test]
    fn frontier_matches_recomputed_root_at_every_size() {
        let all = leaves(70);
        let mut frontier = Frontier::new();
        for (i, leaf) in all.iter().enumerate() {
            let pushed_root = frontier.push(*leaf).unwrap();
            assert_eq!(pushed_root, root(&all[..=i]), "size {}", i + 1);
            assert_eq!(frontier.root(), pushed_root);
            assert_eq!(frontier.nodes().len(), (i + 1).count_ones() as usize);
        }
    }

    #[test]
    fn append_reads_each_set_level_once_and_writes_one() {
        // size 11 = 0b1011: merge levels 0 and 1, write level 2, fold level 3 into the root.
        let mut reads = Vec::new();
        let update = append_to_frontier::<MerkleError>(11, [7; 32], |level| {
            reads.push(level);
            Ok([level as u8; 32])
        })
        .unwrap();
        assert_eq!(reads, vec![0, 1, 3]);
        assert_eq!(update.size, 12);
        assert_eq!(update.level, 2);
        let node = node_hash(&[1; 32], &node_hash(&[0; 32], &[7; 32]));
        assert_eq!(update.node, node);
        assert_eq!(update.root, node_hash(&[3; 32], &node));
    }

    #[test]
    fn frontier_refuses_to_grow_past_the_bound() {
        let err = append_to_frontier::<MerkleError>(MAX_TREE_SIZE, [0; 32], |_| Ok([0; 32]));
        assert_eq!(
            err.unwrap_err(),
            MerkleError::TreeFull {
                size: MAX_TREE_SIZE
            }
        );
    }

    #[test]
    fn frontier_serializes_and_validates() {
        let frontier = Frontier::from_leaves(&leaves(5)).unwrap();
        let json = serde_json::to_string(&frontier).unwrap();
        assert!(json.starts_with(r#"{"size":5,"nodes":[""#), "{json}");
        let back: Frontier = serde_json::from_str(&json).unwrap();
        assert_eq!(back, frontier);
        let wrong_count = r#"{"size":3,"nodes":[]}"#;
        let err = serde_json::from_str::<Frontier>(wrong_count).unwrap_err();
        assert!(
            err.to_string()
                .contains("frontier holds 0 nodes but size 3 needs 2"),
            "{err}"
        );
        let short_node = r#"{"size":1,"nodes":["00"]}"#;
        let err = serde_json::from_str::<Frontier>(short_node).unwrap_err();
        assert!(
            err.to_string()
                .contains("frontier node 0 is 1 bytes, expected 32"),
            "{err}"
        );
        assert_eq!(
            Frontier::from_parts(3, vec![[0; 32]]).unwrap_err(),
            MerkleError::MalformedFrontier {
                size: 3,
                nodes: 1,
                expected: 2
            }
        );
    }

    #[test]
    fn verify_rejects_bad_shapes_with_typed_errors() {
        let all = leaves(7);
        let tree_root = root(&all);
        let proof = inclusion_proof(&all, 3).unwrap();
        assert_eq!(proof.len(), 3);
        verify_inclusion(&all[3], 3, 7, &proof, &tree_root).unwrap();
        assert_eq!(
            verify_inclusion(&all[3], 7, 7, &proof, &tree_root).unwrap_err(),
            MerkleError::IndexOutOfRange { index: 7, size: 7 }
        );
        assert_eq!(
            verify_inclusion(&all[3], 0, 0, &[], &EMPTY_ROOT).unwrap_err(),
            MerkleError::EmptyTree
        );
        assert_eq!(
            verify_inclusion(&all[3], 3, 7, &proof[..2], &tree_root).unwrap_err(),
            MerkleError::WrongProofLength {
                len: 2,
                expected: 3
            }
        );
        assert_eq!(
            verify_inclusion(&all[3], 3, 7, &[[0; 32]; 65], &tree_root).unwrap_err(),
            MerkleError::ProofTooLong { len: 65, max: 64 }
        );
        assert_eq!(
            verify_inclusion(&all[2], 3, 7, &proof, &tree_root).unwrap_err(),
            MerkleError::RootMismatch
        );
        assert_eq!(
            verify_consistency(5, &root(&all[..5]), 4, &root(&all[..4]), &[]).unwrap_err(),
            MerkleError::InvalidConsistencyRange {
                first: 5,
                second: 4
            }
        );
        assert_eq!(
            verify_consistency(0, &[9; 32], 7, &tree_root, &[[0; 32]]).unwrap_err(),
            MerkleError::WrongProofLength {
                len: 1,
                expected: 0
            }
        );
        verify_consistency(0, &[9; 32], 7, &tree_root, &[]).unwrap();
        verify_consistency(7, &tree_root, 7, &tree_root, &[]).unwrap();
        assert_eq!(
            verify_consistency(7, &[1; 32], 7, &tree_root, &[]).unwrap_err(),
            MerkleError::RootMismatch
        );
    }

    #[test]
    fn largest_sizes_have_bounded_proofs() {
        assert_eq!(inclusion_proof_len(MAX_TREE_SIZE - 1, MAX_TREE_SIZE), 63);
        assert_eq!(inclusion_proof_len(0, MAX_TREE_SIZE), 63);
        assert!(consistency_proof_len(3, MAX_TREE_SIZE) <= MAX_PROOF_HASHES);
        assert!(consistency_proof_len(MAX_TREE_SIZE - 1, MAX_TREE_SIZE) <= MAX_PROOF_HASHES);
        assert_eq!(
            verify_inclusion(&[0; 32], 0, MAX_TREE_SIZE + 1, &[], &[0; 32]).unwrap_err(),
            MerkleError::TreeFull {
                size: MAX_TREE_SIZE + 1
            }
        );
    }
}
