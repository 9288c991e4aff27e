/**
 * The lane Merkle tree (PROTOCOL.md §3): RFC 6962 / RFC 9162 §2.1 hashing, the tree
 * root, and inclusion and consistency proof verification. Leaves are message ids, which
 * are already leaf hashes: the tree never hashes them again.
 *
 * Sizes and indices are u64 (bigint inside; a safe-integer number is accepted too).
 */
import { fromHex } from "@cosmjs/encoding";

import { type Hash, equalBytes, sha256Of, toBoundedBigInt } from "./bytes.js";
import { MerkleError } from "./errors.js";

/** No inclusion or consistency proof carries more hashes than this. */
export const MAX_PROOF_HASHES = 64;
/** The largest tree size accepted: 2^63 leaves. */
export const MAX_TREE_SIZE = 1n << 63n;
/** `MTH({}) = SHA-256("")`. */
export const EMPTY_ROOT: Hash = fromHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

/** RFC 6962 leaf hash: `SHA-256(0x00 || data)` (for a message, its id). */
export function leafHash(data: Uint8Array): Hash {
  return sha256Of(new Uint8Array([0x00]), data);
}

/** RFC 6962 inner node: `SHA-256(0x01 || left || right)`. */
export function nodeHash(left: Hash, right: Hash): Hash {
  return sha256Of(new Uint8Array([0x01]), left, right);
}

/** The largest power of two strictly smaller than `n` (`n >= 2`). */
export function splitPoint(n: bigint): bigint {
  let k = 1n;
  while (k << 1n < n) k <<= 1n;
  return k;
}

/** `MTH(leaves)`: the root of the tree over `leaves` (tooling: O(n) hashing). */
export function merkleRoot(leaves: readonly Hash[]): Hash {
  if (leaves.length === 0) return EMPTY_ROOT;
  const [only] = leaves;
  if (leaves.length === 1 && only !== undefined) return only;
  const k = Number(splitPoint(BigInt(leaves.length)));
  return nodeHash(merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k)));
}

function integer(field: string, value: number | bigint): bigint {
  const out = toBoundedBigInt(value, (1n << 64n) - 1n);
  if (out === undefined) throw new MerkleError({ kind: "invalid_integer", field, value: String(value) });
  return out;
}

function checkHashes(field: string, hashes: readonly Hash[]): void {
  for (const hash of hashes) {
    if (hash.length !== 32) throw new MerkleError({ kind: "invalid_hash", field, len: hash.length });
  }
}

function checkSize(size: bigint): void {
  if (size > MAX_TREE_SIZE) throw new MerkleError({ kind: "tree_too_large", size, max: MAX_TREE_SIZE });
}

function checkProofBound(proof: readonly Hash[]): void {
  if (proof.length > MAX_PROOF_HASHES) {
    throw new MerkleError({ kind: "proof_too_long", len: proof.length, max: MAX_PROOF_HASHES });
  }
}

/** Shifts both right until `fn`'s low bit is set or it is 0 (RFC 9162's shared step). */
function shiftToRightEdge(fn: bigint, sn: bigint): [bigint, bigint] {
  while ((fn & 1n) === 0n && fn !== 0n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  return [fn, sn];
}

function inclusionProofLength(index: bigint, size: bigint): number {
  let fn = index;
  let sn = size - 1n;
  let len = 0;
  while (sn !== 0n) {
    if ((fn & 1n) === 1n || fn === sn) [fn, sn] = shiftToRightEdge(fn, sn);
    fn >>= 1n;
    sn >>= 1n;
    len++;
  }
  return len;
}

/**
 * RFC 9162 §2.1.3.2: checks that `leaf` (a message id) is at `index` in the tree of `size`
 * leaves whose root is `root`, `proof` being the audit path (deepest sibling first).
 * Throws `MerkleError` otherwise; a proof of the wrong length is refused before hashing.
 */
export function verifyInclusion(
  leaf: Hash,
  index: number | bigint,
  size: number | bigint,
  proof: readonly Hash[],
  root: Hash,
): void {
  checkProofBound(proof);
  const i = integer("index", index);
  const n = integer("size", size);
  checkSize(n);
  checkHashes("leaf", [leaf]);
  checkHashes("root", [root]);
  checkHashes("proof", proof);
  if (n === 0n) throw new MerkleError({ kind: "empty_tree" });
  if (i >= n) throw new MerkleError({ kind: "index_out_of_range", index: i, size: n });
  const expected = inclusionProofLength(i, n);
  if (proof.length !== expected) throw new MerkleError({ kind: "wrong_proof_length", len: proof.length, expected });
  let fn = i;
  let sn = n - 1n;
  let computed = leaf;
  for (const sibling of proof) {
    if ((fn & 1n) === 1n || fn === sn) {
      computed = nodeHash(sibling, computed);
      [fn, sn] = shiftToRightEdge(fn, sn);
    } else {
      computed = nodeHash(computed, sibling);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n || !equalBytes(computed, root)) throw new MerkleError({ kind: "root_mismatch" });
}

function isPowerOfTwo(n: bigint): boolean {
  return n > 0n && (n & (n - 1n)) === 0n;
}

function consistencyProofLength(first: bigint, second: bigint): number {
  let fn = first - 1n;
  let sn = second - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let len = isPowerOfTwo(first) ? 0 : 1;
  while (sn !== 0n) {
    if ((fn & 1n) === 1n || fn === sn) [fn, sn] = shiftToRightEdge(fn, sn);
    fn >>= 1n;
    sn >>= 1n;
    len++;
  }
  return len;
}

/**
 * RFC 9162 §2.1.4.2: checks that the tree of `first` leaves with root `firstRoot` is a
 * prefix of the tree of `second` leaves with root `secondRoot`. From size 0 the proof is
 * empty and always valid; between equal sizes it is empty and the roots must be equal.
 */
export function verifyConsistency(
  first: number | bigint,
  firstRoot: Hash,
  second: number | bigint,
  secondRoot: Hash,
  proof: readonly Hash[],
): void {
  checkProofBound(proof);
  const m = integer("first", first);
  const n = integer("second", second);
  checkSize(n);
  checkHashes("first_root", [firstRoot]);
  checkHashes("second_root", [secondRoot]);
  checkHashes("proof", proof);
  if (m > n) throw new MerkleError({ kind: "invalid_consistency_range", first: m, second: n });
  const expected = m === 0n || m === n ? 0 : consistencyProofLength(m, n);
  if (proof.length !== expected) throw new MerkleError({ kind: "wrong_proof_length", len: proof.length, expected });
  if (m === 0n) return;
  if (m === n) {
    if (!equalBytes(firstRoot, secondRoot)) throw new MerkleError({ kind: "root_mismatch" });
    return;
  }
  // When `first` is a power of two its root is the path's first node, implicitly.
  let next = 0;
  let seed: Hash;
  if (isPowerOfTwo(m)) {
    seed = firstRoot;
  } else {
    const head = proof[next++];
    if (head === undefined) throw new MerkleError({ kind: "root_mismatch" });
    seed = head;
  }
  let fn = m - 1n;
  let sn = n - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = seed;
  let sr = seed;
  for (const node of proof.slice(next)) {
    if (sn === 0n) throw new MerkleError({ kind: "root_mismatch" });
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(node, fr);
      sr = nodeHash(node, sr);
      [fn, sn] = shiftToRightEdge(fn, sn);
    } else {
      sr = nodeHash(sr, node);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n || !equalBytes(fr, firstRoot) || !equalBytes(sr, secondRoot)) {
    throw new MerkleError({ kind: "root_mismatch" });
  }
}
