import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBase64, fromHex, toBase64, toHex } from "@cosmjs/encoding";

import { MultiproofError, type MultiproofErrorDetail } from "../../src/errors.js";
import { verifyInclusion } from "../../src/merkle.js";
import { encodeMessage } from "../../src/message.js";
import {
  buildDeliverBatch,
  decodeBatchProof,
  encodeBatchProof,
  multiproof,
  verifyDeliverBatch,
  verifyMultiproof,
} from "../../src/multiproof.js";
import { flip, hashes, toMessage, vectors } from "../vectors.js";

function throwsDetail(fn: () => unknown, detail: MultiproofErrorDetail | MultiproofErrorDetail["kind"]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MultiproofError, `expected a MultiproofError, got ${String(err)}`);
    if (typeof detail === "string") assert.equal(err.detail.kind, detail);
    else assert.deepEqual(err.detail, detail);
    return true;
  });
}

const leaves = hashes(vectors.tree.leaf_hashes_hex);
const leavesAt = (indices: readonly number[]): Uint8Array[] =>
  indices.map((i) => {
    const leaf = leaves[i];
    assert.ok(leaf !== undefined);
    return leaf;
  });

describe("§8 multiproof (vectors.json → multiproof)", () => {
  const { cases } = vectors.multiproof;

  it(`every case (${cases.length}) verifies and is what multiproof() generates`, () => {
    for (const { size, indices, proof_hex, root_hex } of cases) {
      const proof = hashes(proof_hex);
      verifyMultiproof(size, indices, leavesAt(indices), proof, fromHex(root_hex));
      assert.deepEqual(multiproof(indices, leaves.slice(0, size)).map(toHex), proof_hex, `size ${size} indices ${indices}`);
    }
  });

  it("every case fails with a flipped byte, a hash missing or one extra", () => {
    for (const { size, indices, proof_hex, root_hex } of cases) {
      const proof = hashes(proof_hex);
      const root = fromHex(root_hex);
      const given = leavesAt(indices);
      const expected = proof.length;
      proof.forEach((_, at) => {
        const tampered = proof.map((h, j) => (j === at ? flip(h, 5) : h));
        throwsDetail(() => verifyMultiproof(size, indices, given, tampered, root), { kind: "root_mismatch" });
      });
      given.forEach((_, at) => {
        const tampered = given.map((h, j) => (j === at ? flip(h, 30) : h));
        throwsDetail(() => verifyMultiproof(size, indices, tampered, proof, root), { kind: "root_mismatch" });
      });
      throwsDetail(() => verifyMultiproof(size, indices, given, proof, flip(root, 0)), { kind: "root_mismatch" });
      if (expected > 0) {
        throwsDetail(() => verifyMultiproof(size, indices, given, proof.slice(0, -1), root), { kind: "proof_too_short", len: expected - 1, expected });
      }
      throwsDetail(() => verifyMultiproof(size, indices, given, [...proof, root], root), { kind: "proof_hashes_left_over", len: expected + 1, expected });
    }
  });

  it("for one index it holds the audit path's hashes (top-down order)", () => {
    for (const { size, indices, proof_hex } of cases.filter((c) => c.indices.length === 1)) {
      const inclusion = vectors.tree.inclusion.find((c) => c.size === size && c.index === indices[0]);
      if (inclusion === undefined) continue;
      assert.deepEqual([...proof_hex].sort(), [...inclusion.path_hex].sort());
    }
  });

  it("refuses bad indices and oversized proofs before hashing", () => {
    const leaf = leavesAt([0])[0];
    assert.ok(leaf);
    throwsDetail(() => verifyMultiproof(4, [], [], [], leaf), { kind: "no_indices" });
    throwsDetail(() => verifyMultiproof(4, [0, 1], [leaf], [], leaf), { kind: "leaf_count_mismatch", indices: 2, leaves: 1 });
    throwsDetail(() => verifyMultiproof(4, [2, 1], [leaf, leaf], [], leaf), { kind: "indices_not_increasing", position: 1, index: 1n, previous: 2n });
    throwsDetail(() => verifyMultiproof(4, [1, 1], [leaf, leaf], [], leaf), { kind: "indices_not_increasing", position: 1, index: 1n, previous: 1n });
    throwsDetail(() => verifyMultiproof(4, [0, 4], [leaf, leaf], [], leaf), { kind: "index_out_of_range", position: 1, index: 4n, size: 4n });
    throwsDetail(() => verifyMultiproof(0, [0], [leaf], [], leaf), { kind: "empty_tree" });
    throwsDetail(() => verifyMultiproof((1n << 63n) + 1n, [0], [leaf], [], leaf), { kind: "tree_too_large", size: (1n << 63n) + 1n, max: 1n << 63n });
    throwsDetail(() => verifyMultiproof(4, [0], [leaf], Array.from({ length: 65 }, () => leaf), leaf), { kind: "proof_too_long", len: 65, max: 64 });
    throwsDetail(() => verifyMultiproof(4, [0], [leaf.subarray(2)], [], leaf), { kind: "invalid_hash", field: "leaves", len: 30 });
    // A whole covered tree needs no proof at all.
    verifyMultiproof(2, [0, 1], leavesAt([0, 1]), [], fromHex(vectors.tree.roots_hex[2] ?? ""));
    // The largest tree: the walk stays O(|I| · log n).
    const big = 1n << 63n;
    throwsDetail(() => verifyMultiproof(big, [0n, big - 1n], [leaf, leaf], Array.from({ length: 124 }, () => leaf), leaf), { kind: "root_mismatch" });
  });

  it("the relayer's deliver_batch for nonces 1, 2, 3, 5 of the lane (lane_batch)", () => {
    const { lane } = vectors;
    const batch = vectors.multiproof.lane_batch;
    const msg = batch.execute_msg.deliver_batch;
    const root = fromHex(lane.checkpoint.root_hex);
    const decoded = verifyDeliverBatch(msg, root, "chain-b");
    assert.deepEqual(decoded.map((m) => m.nonce), [1n, 2n, 3n, 5n]);
    assert.deepEqual(decodeBatchProof(fromBase64(msg.proof)).map(toHex), batch.proof_hex);
    assert.equal(toBase64(encodeBatchProof(hashes(batch.proof_hex))), msg.proof);
    // Building it from the lane's messages gives the vector's execute message exactly.
    const bytes = [1, 2, 3, 5].map((n) => {
      const m = lane.messages[n];
      assert.ok(m);
      return encodeMessage(toMessage(m));
    });
    assert.deepEqual(buildDeliverBatch("chain-a", bytes, hashes(lane.ids_hex)), msg);
    // One message's inclusion proof agrees with the same tree.
    const id = hashes(lane.ids_hex)[5];
    assert.ok(id);
    verifyInclusion(id, 5, 7, hashes(lane.proofs_hex[5] ?? []), root);

    // Tampered batches.
    const [first, second, ...rest] = msg.messages;
    assert.ok(first !== undefined && second !== undefined);
    throwsDetail(() => verifyDeliverBatch({ ...msg, messages: [second, first, ...rest] }, root), "indices_not_increasing");
    throwsDetail(() => verifyDeliverBatch({ ...msg, proof: toBase64(fromBase64(msg.proof).subarray(1)) }, root), { kind: "invalid_proof_bytes", len: 95 });
    throwsDetail(() => verifyDeliverBatch({ ...msg, checkpoint_size: 5 }, root), { kind: "index_out_of_range", position: 3, index: 5n, size: 5n });
    throwsDetail(() => verifyDeliverBatch({ ...msg, checkpoint_size: 6 }, root), { kind: "proof_hashes_left_over", len: 3, expected: 2 });
    throwsDetail(() => verifyDeliverBatch(msg, root, "chain-c"), { kind: "message_mismatch", position: 0, reason: "destination chain chain-b, expected chain-c" });
    throwsDetail(() => verifyDeliverBatch({ ...msg, source_chain: "chain-x" }, root), "message_mismatch");
    const changedBody = fromBase64(first);
    changedBody[changedBody.length - 1] = (changedBody[changedBody.length - 1] ?? 0) ^ 1;
    throwsDetail(() => verifyDeliverBatch({ ...msg, messages: [toBase64(changedBody), second, ...rest] }, root), { kind: "root_mismatch" });
    const trailing = new Uint8Array([...fromBase64(first), 0]);
    throwsDetail(() => verifyDeliverBatch({ ...msg, messages: [toBase64(trailing), second, ...rest] }, root), "message_mismatch");
  });
});
