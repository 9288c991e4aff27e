/** Small byte helpers shared by the hand-written modules. */
import { sha256 } from "@cosmjs/crypto";

/** A 32-byte SHA-256 output: message ids, tree nodes, roots. */
export type Hash = Uint8Array;

export const U64_MAX = (1n << 64n) - 1n;

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const part of parts) len += part.length;
  const out = new Uint8Array(len);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function sha256Of(...parts: Uint8Array[]): Hash {
  return sha256(concat(parts));
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `value` as a bigint in [0, max], or undefined when it is not such an integer. */
export function toBoundedBigInt(value: number | bigint, max: bigint): bigint | undefined {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) return undefined;
    value = BigInt(value);
  }
  if (value < 0n || value > max) return undefined;
  return value;
}
