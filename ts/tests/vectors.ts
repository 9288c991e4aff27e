/** The spec's test vectors (packages/types/tests/data/vectors.json), typed. */
import { readFileSync } from "node:fs";
import { fromHex } from "@cosmjs/encoding";

import type { Message } from "../src/message.js";

export interface VectorMessage {
  /** Exact decimal text, as the timeout (u64::MAX is among the vectors). */
  nonce: string;
  source_chain: string;
  sender: string;
  destination_chain: string;
  recipient: string;
  /** Kept as the exact decimal text: nanosecond timestamps exceed 2^53. */
  timeout_timestamp: string;
  body_hex: string;
}

export interface Vectors {
  messages: { message: VectorMessage; encoded_hex: string; id_hex: string }[];
  tree: {
    leaf_hashes_hex: string[];
    roots_hex: string[];
    inclusion: { size: number; index: number; path_hex: string[] }[];
    consistency: { first: number; second: number; path_hex: string[] }[];
  };
  lane: {
    messages: VectorMessage[];
    ids_hex: string[];
    checkpoint: { source_chain: string; source_outbox: string; destination_chain: string; size: number; root_hex: string };
    proofs_hex: string[][];
    root_at_4_hex: string;
    consistency_from_4_hex: string[];
  };
  multiproof: {
    cases: { size: number; indices: number[]; proof_hex: string[]; root_hex: string }[];
    lane_batch: {
      execute_msg: { deliver_batch: { source_chain: string; checkpoint_size: number; messages: string[]; proof: string } };
      proof_hex: string[];
    };
  };
}

const path = new URL("../../../packages/types/tests/data/vectors.json", import.meta.url);
// Quote every message's nonce and timeout before parsing, so no u64 goes through a double.
const text = readFileSync(path, "utf8").replace(/("(?:timeout_timestamp|nonce)"\s*:\s*)(\d+)/g, '$1"$2"');
export const vectors: Vectors = JSON.parse(text) as Vectors;

export function toMessage(v: VectorMessage): Message {
  const timeout = BigInt(v.timeout_timestamp);
  return {
    nonce: BigInt(v.nonce),
    sourceChain: v.source_chain,
    sender: v.sender,
    destinationChain: v.destination_chain,
    recipient: v.recipient,
    timeoutTimestamp: timeout === 0n ? null : timeout,
    body: fromHex(v.body_hex),
  };
}

export const hashes = (hex: readonly string[]): Uint8Array[] => hex.map((h) => fromHex(h));

/** A copy of `bytes` with bit 0 of byte `at` flipped. */
export function flip(bytes: Uint8Array, at: number): Uint8Array {
  const out = bytes.slice();
  out[at] = (out[at] ?? 0) ^ 0x01;
  return out;
}
