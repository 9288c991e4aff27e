import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromHex, toHex } from "@cosmjs/encoding";

import { MerkleError, type MerkleErrorDetail } from "../../src/errors.js";
import { EMPTY_ROOT, leafHash, merkleRoot, verifyConsistency, verifyInclusion } from "../../src/merkle.js";
import { flip, hashes, vectors } from "../vectors.js";

function throwsDetail(fn: () => unknown, detail: MerkleErrorDetail): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MerkleError, `expected a MerkleError, got ${String(err)}`);
    assert.deepEqual(err.detail, detail);
    return true;
  });
}

const tree = vectors.tree;
const leaves = hashes(tree.leaf_hashes_hex);
const roots = hashes(tree.roots_hex);
const rootOf = (size: number): Uint8Array => {
  const root = roots[size];
  assert.ok(root !== undefined, `no root of size ${size}`);
  return root;
};

describe("lane Merkle tree (vectors.json → tree, lane)", () => {
  it("leaf i is SHA-256(0x00 || 'leaf-<i>') and roots[n] is MTH of the first n leaves", () => {
    assert.equal(leaves.length, 33);
    leaves.forEach((leaf, i) => assert.equal(toHex(leafHash(new TextEncoder().encode(`leaf-${i}`))), toHex(leaf)));
    assert.equal(roots.length, 34);
    roots.forEach((root, n) => assert.equal(toHex(merkleRoot(leaves.slice(0, n))), toHex(root), `size ${n}`));
    assert.equal(toHex(rootOf(0)), toHex(EMPTY_ROOT));
  });

  it(`every inclusion vector (${tree.inclusion.length}) verifies; each tampered one is refused`, () => {
    for (const { size, index, path_hex } of tree.inclusion) {
      const leaf = leaves[index];
      assert.ok(leaf !== undefined);
      const path = hashes(path_hex);
      const root = rootOf(size);
      verifyInclusion(leaf, index, size, path, root);
      verifyInclusion(leaf, BigInt(index), BigInt(size), path, root);
      throwsDetail(() => verifyInclusion(flip(leaf, 31), index, size, path, root), { kind: "root_mismatch" });
      throwsDetail(() => verifyInclusion(leaf, index, size, path, flip(root, 0)), { kind: "root_mismatch" });
      path.forEach((_, at) => {
        const tampered = path.map((h, j) => (j === at ? flip(h, 7) : h));
        throwsDetail(() => verifyInclusion(leaf, index, size, tampered, root), { kind: "root_mismatch" });
      });
      throwsDetail(() => verifyInclusion(leaf, index, size, [...path, leaf], root), {
        kind: "wrong_proof_length",
        len: path.length + 1,
        expected: path.length,
      });
      if (path.length > 0) {
        throwsDetail(() => verifyInclusion(leaf, index, size, path.slice(1), root), {
          kind: "wrong_proof_length",
          len: path.length - 1,
          expected: path.length,
        });
      }
      throwsDetail(() => verifyInclusion(leaf, size, size, path, root), { kind: "index_out_of_range", index: BigInt(size), size: BigInt(size) });
    }
  });

  it("a proof at another index of the same tree is refused", () => {
    const [a, b] = [tree.inclusion.find((c) => c.size === 7 && c.index === 2), tree.inclusion.find((c) => c.size === 7 && c.index === 3)];
    assert.ok(a && b);
    const leaf = leaves[2];
    assert.ok(leaf);
    throwsDetail(() => verifyInclusion(leaf, 3, 7, hashes(a.path_hex), rootOf(7)), { kind: "root_mismatch" });
  });

  it("bounds: empty tree, too many hashes, sizes over 2^63, hashes of 32 bytes", () => {
    const leaf = leaves[0];
    assert.ok(leaf);
    throwsDetail(() => verifyInclusion(leaf, 0, 0, [], EMPTY_ROOT), { kind: "empty_tree" });
    throwsDetail(() => verifyInclusion(leaf, 0, 2, Array.from({ length: 65 }, () => leaf), leaf), { kind: "proof_too_long", len: 65, max: 64 });
    throwsDetail(() => verifyInclusion(leaf, 0, (1n << 63n) + 1n, [], leaf), { kind: "tree_too_large", size: (1n << 63n) + 1n, max: 1n << 63n });
    throwsDetail(() => verifyInclusion(leaf.subarray(1), 0, 1, [], leaf), { kind: "invalid_hash", field: "leaf", len: 31 });
    throwsDetail(() => verifyInclusion(leaf, -1, 1, [], leaf), { kind: "invalid_integer", field: "index", value: "-1" });
    throwsDetail(() => verifyInclusion(leaf, 0.5, 1, [], leaf), { kind: "invalid_integer", field: "index", value: "0.5" });
    // The largest tree: 63 hashes for its last leaf; a wrong root is only a mismatch.
    verifyInclusionBig(leaf);
  });

  it(`every consistency vector (${tree.consistency.length}) verifies; each tampered one is refused`, () => {
    for (const { first, second, path_hex } of tree.consistency) {
      const proof = hashes(path_hex);
      verifyConsistency(first, rootOf(first), second, rootOf(second), proof);
      if (first === 0) continue;
      throwsDetail(() => verifyConsistency(first, rootOf(first), second, flip(rootOf(second), 3), proof), { kind: "root_mismatch" });
      throwsDetail(() => verifyConsistency(first, flip(rootOf(first), 3), second, rootOf(second), proof), { kind: "root_mismatch" });
      proof.forEach((_, at) => {
        const tampered = proof.map((h, j) => (j === at ? flip(h, 9) : h));
        throwsDetail(() => verifyConsistency(first, rootOf(first), second, rootOf(second), tampered), { kind: "root_mismatch" });
      });
      throwsDetail(() => verifyConsistency(first, rootOf(first), second, rootOf(second), [...proof, rootOf(1)]), {
        kind: "wrong_proof_length",
        len: proof.length + 1,
        expected: proof.length,
      });
    }
    throwsDetail(() => verifyConsistency(5, rootOf(5), 4, rootOf(4), []), { kind: "invalid_consistency_range", first: 5n, second: 4n });
  });

  it("the lane: each message's inclusion proof at checkpoint 7, and consistency from 4", () => {
    const { lane } = vectors;
    const root = fromHex(lane.checkpoint.root_hex);
    const ids = hashes(lane.ids_hex);
    assert.equal(toHex(merkleRoot(ids)), lane.checkpoint.root_hex);
    ids.forEach((id, nonce) => {
      const proof = hashes(lane.proofs_hex[nonce] ?? []);
      verifyInclusion(id, nonce, lane.checkpoint.size, proof, root);
      const other = ids[(nonce + 1) % ids.length];
      assert.ok(other);
      throwsDetail(() => verifyInclusion(other, nonce, lane.checkpoint.size, proof, root), { kind: "root_mismatch" });
    });
    const at4 = fromHex(lane.root_at_4_hex);
    assert.equal(toHex(merkleRoot(ids.slice(0, 4))), lane.root_at_4_hex);
    verifyConsistency(4, at4, 7, root, hashes(lane.consistency_from_4_hex));
    throwsDetail(() => verifyConsistency(4, flip(at4, 0), 7, root, hashes(lane.consistency_from_4_hex)), { kind: "root_mismatch" });
  });
});

function verifyInclusionBig(leaf: Uint8Array): void {
  const size = 1n << 63n;
  const proof = Array.from({ length: 63 }, () => leaf);
  throwsDetail(() => verifyInclusion(leaf, size - 1n, size, proof, leaf), { kind: "root_mismatch" });
  throwsDetail(() => verifyInclusion(leaf, size - 1n, size, proof.slice(1), leaf), { kind: "wrong_proof_length", len: 62, expected: 63 });
}
