/**
 * The batch multiproof (PROTOCOL.md §8): one proof for many leaves of a lane tree — the
 * hash of every maximal subtree holding none of the indices, depth-first, left to right.
 *
 * Verification walks only the paths from the root to the given leaves (O(|I| · log n)),
 * refuses a proof over 64 hashes per index before any hashing, and accepts only when every
 * proof hash and every leaf is used exactly once.
 */
import { fromBase64, toBase64 } from "@cosmjs/encoding";

import { type Hash, equalBytes, toBoundedBigInt } from "./bytes.js";
import { MultiproofError } from "./errors.js";
import { MAX_PROOF_HASHES, MAX_TREE_SIZE, merkleRoot, nodeHash, splitPoint } from "./merkle.js";
import { type Message, decodeMessage, messageIdOfBytes } from "./message.js";

function integer(field: string, value: number | bigint): bigint {
  const out = toBoundedBigInt(value, (1n << 64n) - 1n);
  if (out === undefined) throw new MultiproofError({ kind: "invalid_integer", field, value: String(value) });
  return out;
}

function checkIndices(size: bigint, indices: readonly bigint[]): void {
  if (size === 0n) throw new MultiproofError({ kind: "empty_tree" });
  if (size > MAX_TREE_SIZE) throw new MultiproofError({ kind: "tree_too_large", size, max: MAX_TREE_SIZE });
  let previous: bigint | undefined;
  indices.forEach((index, position) => {
    if (previous !== undefined && index <= previous) {
      throw new MultiproofError({ kind: "indices_not_increasing", position, index, previous });
    }
    if (index >= size) throw new MultiproofError({ kind: "index_out_of_range", position, index, size });
    previous = index;
  });
}

/** What one run of the §8 recursion does at each kind of node. */
interface Walker<N> {
  /** A maximal subtree [lo, hi) without indices: one proof hash; undefined stops the walk. */
  pruned(lo: bigint, hi: bigint): N | undefined;
  /** The next given leaf. */
  leaf(): N | undefined;
  inner(left: N, right: N): N;
}

/** The §8 recursion over [lo, hi); `state.next` is the first index not yet reached. */
function walk<N>(walker: Walker<N>, indices: readonly bigint[], state: { next: number }, lo: bigint, hi: bigint): N | undefined {
  const index = indices[state.next];
  if (index === undefined || index >= hi) return walker.pruned(lo, hi);
  if (hi - lo === 1n) {
    state.next++;
    return walker.leaf();
  }
  const mid = lo + splitPoint(hi - lo);
  const left = walk(walker, indices, state, lo, mid);
  if (left === undefined) return undefined;
  const right = walk(walker, indices, state, mid, hi);
  if (right === undefined) return undefined;
  return walker.inner(left, right);
}

function multiproofLength(size: bigint, indices: readonly bigint[]): number {
  let count = 0;
  walk<true>(
    { pruned: () => (count++, true), leaf: () => true, inner: () => true },
    indices,
    { next: 0 },
    0n,
    size,
  );
  return count;
}

/**
 * Checks that `leaves[j]` is the leaf at `indices[j]` of the tree of `size` leaves whose
 * root is `root`, for every j, with `proof` the §8 multiproof of `indices`.
 * Throws `MultiproofError` (its `kind` says why) otherwise.
 */
export function verifyMultiproof(
  size: number | bigint,
  indices: readonly (number | bigint)[],
  leaves: readonly Hash[],
  proof: readonly Hash[],
  root: Hash,
): void {
  if (indices.length === 0) throw new MultiproofError({ kind: "no_indices" });
  if (leaves.length !== indices.length) {
    throw new MultiproofError({ kind: "leaf_count_mismatch", indices: indices.length, leaves: leaves.length });
  }
  const max = indices.length * MAX_PROOF_HASHES;
  if (proof.length > max) throw new MultiproofError({ kind: "proof_too_long", len: proof.length, max });
  const n = integer("size", size);
  const is = indices.map((index, position) => integer(`indices[${position}]`, index));
  checkIndices(n, is);
  for (const [field, hashes] of [["leaves", leaves], ["proof", proof], ["root", [root]]] as const) {
    for (const hash of hashes) {
      if (hash.length !== 32) throw new MultiproofError({ kind: "invalid_hash", field, len: hash.length });
    }
  }
  let nextLeaf = 0;
  let nextProof = 0;
  const computed = walk<Hash>(
    {
      pruned: () => proof[nextProof++],
      leaf: () => leaves[nextLeaf++],
      inner: nodeHash,
    },
    is,
    { next: 0 },
    0n,
    n,
  );
  if (computed === undefined) {
    throw new MultiproofError({ kind: "proof_too_short", len: proof.length, expected: multiproofLength(n, is) });
  }
  if (nextProof !== proof.length) {
    throw new MultiproofError({ kind: "proof_hashes_left_over", len: proof.length, expected: multiproofLength(n, is) });
  }
  if (!equalBytes(computed, root)) throw new MultiproofError({ kind: "root_mismatch" });
}

/** The §8 multiproof of `indices` in the tree over `leaves` (tooling: holds every leaf). */
export function multiproof(indices: readonly (number | bigint)[], leaves: readonly Hash[]): Hash[] {
  if (indices.length === 0) throw new MultiproofError({ kind: "no_indices" });
  const is = indices.map((index, position) => integer(`indices[${position}]`, index));
  checkIndices(BigInt(leaves.length), is);
  const proof: Hash[] = [];
  walk<true>(
    {
      pruned: (lo, hi) => (proof.push(merkleRoot(leaves.slice(Number(lo), Number(hi)))), true),
      leaf: () => true,
      inner: () => true,
    },
    is,
    { next: 0 },
    0n,
    BigInt(leaves.length),
  );
  return proof;
}

/** `deliver_batch`'s `proof`: the multiproof's 32-byte hashes, concatenated. */
export function encodeBatchProof(proof: readonly Hash[]): Uint8Array {
  const out = new Uint8Array(proof.length * 32);
  proof.forEach((hash, i) => {
    if (hash.length !== 32) throw new MultiproofError({ kind: "invalid_hash", field: "proof", len: hash.length });
    out.set(hash, i * 32);
  });
  return out;
}

/** Splits `deliver_batch`'s `proof` bytes into hashes (its length must be a multiple of 32). */
export function decodeBatchProof(bytes: Uint8Array): Hash[] {
  if (bytes.length % 32 !== 0) throw new MultiproofError({ kind: "invalid_proof_bytes", len: bytes.length });
  const out: Hash[] = [];
  for (let offset = 0; offset < bytes.length; offset += 32) out.push(bytes.slice(offset, offset + 32));
  return out;
}

/** The inbox's `deliver_batch` execute message body. */
export interface DeliverBatchMsg {
  source_chain: string;
  checkpoint_size: number;
  /** Each message's `message_bytes`, base64, in strictly increasing nonce order. */
  messages: string[];
  /** The multiproof's hashes concatenated, base64. */
  proof: string;
}

/**
 * Builds `deliver_batch` for `messageBytes` (strictly increasing nonces) from the lane's
 * leaves (message ids, nonce order) at `checkpointSize`.
 */
export function buildDeliverBatch(
  sourceChain: string,
  messageBytes: readonly Uint8Array[],
  laneLeaves: readonly Hash[],
): DeliverBatchMsg {
  const nonces = messageBytes.map((bytes) => decodeMessage(bytes).nonce);
  return {
    source_chain: sourceChain,
    checkpoint_size: laneLeaves.length,
    messages: messageBytes.map((bytes) => toBase64(bytes)),
    proof: toBase64(encodeBatchProof(multiproof(nonces, laneLeaves))),
  };
}

/**
 * Checks a `deliver_batch` as the inbox does before dispatching: every message decodes
 * strictly, names `source_chain` (and `destinationChain`, when given), nonces strictly
 * increase, and the multiproof of their ids verifies against `root` (the checkpoint's at
 * `checkpoint_size`). Returns the decoded messages.
 */
export function verifyDeliverBatch(msg: DeliverBatchMsg, root: Hash, destinationChain?: string): Message[] {
  const messages = msg.messages.map((b64, position) => {
    let message: Message;
    try {
      message = decodeMessage(fromBase64(b64));
    } catch (err) {
      throw new MultiproofError({ kind: "message_mismatch", position, reason: String(err) });
    }
    if (message.sourceChain !== msg.source_chain) {
      throw new MultiproofError({ kind: "message_mismatch", position, reason: `source chain ${message.sourceChain}, batch ${msg.source_chain}` });
    }
    if (destinationChain !== undefined && message.destinationChain !== destinationChain) {
      throw new MultiproofError({ kind: "message_mismatch", position, reason: `destination chain ${message.destinationChain}, expected ${destinationChain}` });
    }
    return message;
  });
  const leaves = msg.messages.map((b64) => messageIdOfBytes(fromBase64(b64)));
  let proofBytes: Uint8Array;
  try {
    proofBytes = fromBase64(msg.proof);
  } catch {
    throw new MultiproofError({ kind: "invalid_proof_bytes", len: msg.proof.length });
  }
  verifyMultiproof(
    msg.checkpoint_size,
    messages.map((m) => m.nonce),
    leaves,
    decodeBatchProof(proofBytes),
    root,
  );
  return messages;
}
