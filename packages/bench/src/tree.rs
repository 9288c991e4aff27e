//! A perfect RFC 9162 tree of 2^k leaves in which every leaf outside one range is the
//! same filler: roots and proofs of a lane of a million messages cost O(range × k) hashes,
//! not 2^k, so the benchmark can stand on lanes it never fills. Every proof it hands out
//! is checked with `ccmp_types` before use.

use ccmp_types::{
    leaf_hash, multiproof_with, node_hash, verify_consistency, verify_inclusion, verify_multiproof,
    Hash,
};

pub struct SparseTree {
    height: u32,
    first: u64,
    leaves: Vec<Hash>,
    /// The root of a subtree of 2^level filler leaves, per level.
    filler_roots: Vec<Hash>,
}

impl SparseTree {
    /// A tree of 2^`height` leaves: `leaves` from index `first`, filler elsewhere.
    pub fn new(height: u32, first: u64, leaves: Vec<Hash>) -> SparseTree {
        assert!(
            first + leaves.len() as u64 <= 1 << height,
            "leaves past the tree"
        );
        let mut filler_roots = vec![leaf_hash(b"ccmp-bench filler")];
        for level in 1..=height as usize {
            let below = filler_roots[level - 1];
            filler_roots.push(node_hash(&below, &below));
        }
        SparseTree {
            height,
            first,
            leaves,
            filler_roots,
        }
    }

    pub fn size(&self) -> u64 {
        1 << self.height
    }

    fn node(&self, level: u32, index: u64) -> Hash {
        let start = index << level;
        let end = start + (1 << level);
        let real_end = self.first + self.leaves.len() as u64;
        if end <= self.first || start >= real_end {
            return self.filler_roots[level as usize];
        }
        if level == 0 {
            return self.leaves[(start - self.first) as usize];
        }
        node_hash(
            &self.node(level - 1, 2 * index),
            &self.node(level - 1, 2 * index + 1),
        )
    }

    pub fn root(&self) -> Hash {
        self.node(self.height, 0)
    }

    /// The inclusion proof of leaf `index` (checked).
    pub fn inclusion_proof(&self, index: u64) -> Vec<Hash> {
        let proof: Vec<Hash> = (0..self.height)
            .map(|level| self.node(level, (index >> level) ^ 1))
            .collect();
        let leaf = self.node(0, index);
        verify_inclusion(&leaf, index, self.size(), &proof, &self.root())
            .expect("sparse tree inclusion proof");
        proof
    }

    /// `MTH(D[lo:hi])` for a subtree of this perfect tree: `[lo, hi)` is a power of two
    /// wide and aligned to its width (every subtree §8's recursion asks for is).
    pub fn subtree_root(&self, lo: u64, hi: u64) -> Hash {
        let width = hi - lo;
        assert!(
            width.is_power_of_two() && lo.is_multiple_of(width) && hi <= self.size(),
            "[{lo}, {hi}) is not a subtree of a perfect tree of {}",
            self.size()
        );
        let level = width.trailing_zeros();
        self.node(level, lo >> level)
    }

    /// The §8 multiproof of `indices` (strictly increasing), from `multiproof_with` over
    /// this tree's subtree roots: O(|indices| · height) hashes however large the tree.
    /// Checked.
    pub fn multiproof(&self, indices: &[u64]) -> Vec<Hash> {
        let proof = multiproof_with(self.size(), indices, |lo, hi| self.subtree_root(lo, hi))
            .expect("sparse tree multiproof");
        let leaves: Vec<Hash> = indices.iter().map(|&i| self.node(0, i)).collect();
        verify_multiproof(self.size(), indices, &leaves, &proof, &self.root())
            .expect("sparse tree multiproof verifies");
        proof
    }

    /// The consistency proof from the tree of its first leaf alone to this tree (checked):
    /// for a perfect tree that is the first leaf's audit path.
    pub fn consistency_from_one(&self) -> Vec<Hash> {
        let proof: Vec<Hash> = (0..self.height).map(|level| self.node(level, 1)).collect();
        verify_consistency(1, &self.node(0, 0), self.size(), &self.root(), &proof)
            .expect("sparse tree consistency proof");
        proof
    }

    /// The root of the tree of its first leaf alone.
    pub fn first_leaf(&self) -> Hash {
        self.node(0, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccmp_types::root;

    #[test]
    fn matches_the_reference_tree() {
        for height in 0..7u32 {
            let size = 1u64 << height;
            let first = size / 3;
            let count = (size - first).min(5);
            let real: Vec<Hash> = (0..count).map(|i| leaf_hash(&i.to_be_bytes())).collect();
            let tree = SparseTree::new(height, first, real.clone());
            let mut all = vec![leaf_hash(b"ccmp-bench filler"); size as usize];
            all[first as usize..(first + count) as usize].copy_from_slice(&real);
            assert_eq!(tree.root(), root(&all), "height {height}");
            for index in first..first + count {
                assert_eq!(
                    tree.inclusion_proof(index),
                    ccmp_types::inclusion_proof(&all, index).unwrap()
                );
            }
            let indices: Vec<u64> = (first..first + count).step_by(2).collect();
            assert_eq!(
                tree.multiproof(&indices),
                ccmp_types::multiproof(&indices, &all).unwrap(),
                "height {height}"
            );
            let ends = [0, size - 1];
            let ends = &ends[..if size > 1 { 2 } else { 1 }];
            assert_eq!(
                tree.multiproof(ends),
                ccmp_types::multiproof(ends, &all).unwrap()
            );
            if height > 0 {
                assert_eq!(
                    tree.consistency_from_one(),
                    ccmp_types::consistency_proof(&all, 1).unwrap()
                );
            }
        }
    }
}
