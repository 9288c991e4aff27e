//! Fuzz-chosen edits of a proof (a list of 32-byte hashes). A target applies one to a valid
//! proof and, when the result differs from the original, expects the verifier to refuse it.

use arbitrary::Arbitrary;
use ccmp_types::Hash;

#[derive(Arbitrary, Debug, Clone)]
pub enum Mutation {
    /// Flip one bit of one hash (`at` indexes the proof's bytes).
    FlipBit {
        at: u16,
        bit: u8,
    },
    Replace {
        at: u8,
        with: [u8; 32],
    },
    Remove {
        at: u8,
    },
    Insert {
        at: u8,
        with: [u8; 32],
    },
    Duplicate {
        at: u8,
    },
    Swap {
        a: u8,
        b: u8,
    },
    Truncate {
        len: u8,
    },
    Append {
        with: [u8; 32],
    },
    Reverse,
    Rotate {
        by: u8,
    },
    /// Replace a hash by its neighbour (a hash of the same tree in the wrong place).
    CopyFrom {
        from: u8,
        to: u8,
    },
}

impl Mutation {
    /// The edited copy of `proof`.
    pub fn apply(&self, proof: &[Hash]) -> Vec<Hash> {
        let mut out = proof.to_vec();
        let len = out.len();
        let at = |i: u8| i as usize % len.max(1);
        match *self {
            Mutation::FlipBit { at: byte, bit } => {
                if len > 0 {
                    let byte = byte as usize % (len * 32);
                    out[byte / 32][byte % 32] ^= 1 << (bit % 8);
                }
            }
            Mutation::Replace { at: i, with } => {
                if len > 0 {
                    out[at(i)] = with;
                }
            }
            Mutation::Remove { at: i } => {
                if len > 0 {
                    out.remove(at(i));
                }
            }
            Mutation::Insert { at: i, with } => out.insert(i as usize % (len + 1), with),
            Mutation::Duplicate { at: i } => {
                if len > 0 {
                    let hash = out[at(i)];
                    out.insert(at(i), hash);
                }
            }
            Mutation::Swap { a, b } => {
                if len > 0 {
                    out.swap(at(a), at(b));
                }
            }
            Mutation::Truncate { len: keep } => out.truncate(keep as usize % (len + 1)),
            Mutation::Append { with } => out.push(with),
            Mutation::Reverse => out.reverse(),
            Mutation::Rotate { by } => {
                if len > 0 {
                    out.rotate_left(at(by));
                }
            }
            Mutation::CopyFrom { from, to } => {
                if len > 0 {
                    out[at(to)] = out[at(from)];
                }
            }
        }
        out
    }
}

/// Flips one bit of a hash.
pub fn flip(hash: &Hash, byte: u8, bit: u8) -> Hash {
    let mut out = *hash;
    out[byte as usize % 32] ^= 1 << (bit % 8);
    out
}
