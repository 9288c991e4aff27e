/**
 * Typed errors of the hand-written layer. Every error carries a `detail` object whose
 * `kind` names the exact failure (switch on it), mirroring the Rust `ccmp-types` errors.
 */

/** Why `message_bytes` could not be encoded or decoded, or a message is outside the §2 limits. */
export type MessageErrorDetail =
  | { kind: "unexpected_end"; field: string; needed: number; remaining: number }
  | { kind: "trailing_bytes"; count: number }
  | { kind: "invalid_utf8"; field: string }
  | { kind: "too_long"; field: string; len: number; max: number }
  | { kind: "unsupported_version"; version: number }
  | { kind: "field_length"; field: string; len: number; min: number; max: number }
  | { kind: "invalid_chain_id_character"; field: string; value: string }
  | { kind: "zero_timeout" }
  | { kind: "invalid_integer"; field: string; value: string }
  | { kind: "invalid_json"; field: string; reason: string };

/** Why an inclusion or consistency proof was refused (RFC 9162, PROTOCOL.md §3). */
export type MerkleErrorDetail =
  | { kind: "empty_tree" }
  | { kind: "index_out_of_range"; index: bigint; size: bigint }
  | { kind: "proof_too_long"; len: number; max: number }
  | { kind: "wrong_proof_length"; len: number; expected: number }
  | { kind: "invalid_consistency_range"; first: bigint; second: bigint }
  | { kind: "tree_too_large"; size: bigint; max: bigint }
  | { kind: "invalid_hash"; field: string; len: number }
  | { kind: "invalid_integer"; field: string; value: string }
  | { kind: "root_mismatch" };

/** Why a §8 multiproof was refused. */
export type MultiproofErrorDetail =
  | { kind: "no_indices" }
  | { kind: "leaf_count_mismatch"; indices: number; leaves: number }
  | { kind: "indices_not_increasing"; position: number; index: bigint; previous: bigint }
  | { kind: "index_out_of_range"; position: number; index: bigint; size: bigint }
  | { kind: "empty_tree" }
  | { kind: "tree_too_large"; size: bigint; max: bigint }
  | { kind: "proof_too_long"; len: number; max: number }
  | { kind: "proof_too_short"; len: number; expected: number }
  | { kind: "proof_hashes_left_over"; len: number; expected: number }
  | { kind: "invalid_proof_bytes"; len: number }
  | { kind: "invalid_hash"; field: string; len: number }
  | { kind: "invalid_integer"; field: string; value: string }
  | { kind: "message_mismatch"; position: number; reason: string }
  | { kind: "root_mismatch" };

/** Why a `wasm-ccmp_send` event could not be decoded. */
export type SendEventErrorDetail =
  | { kind: "missing_attribute"; index: number; key: string }
  | { kind: "duplicate_attribute"; index: number; key: string }
  | { kind: "invalid_attribute"; index: number; key: string; reason: string }
  | { kind: "inconsistent"; index: number; reason: string };

/** Why `waitForDelivery` stopped without a final status. */
export type DeliveryErrorDetail =
  | { kind: "timeout"; timeoutMs: number; polls: number; lastStatus: string | null }
  | { kind: "invalid_response"; reason: string }
  | { kind: "invalid_options"; reason: string }
  | { kind: "aborted" };

function describe(detail: { kind: string }): string {
  const parts = Object.entries(detail)
    .filter(([key]) => key !== "kind")
    .map(([key, value]) => `${key}=${typeof value === "string" ? JSON.stringify(value) : String(value)}`);
  return parts.length === 0 ? detail.kind : `${detail.kind} (${parts.join(", ")})`;
}

/** The base of every error this package throws. */
export abstract class CcmpError<D extends { kind: string }> extends Error {
  readonly detail: D;
  constructor(what: string, detail: D) {
    super(`${what}: ${describe(detail)}`);
    this.detail = detail;
  }
  get kind(): D["kind"] {
    return this.detail.kind;
  }
}

export class MessageError extends CcmpError<MessageErrorDetail> {
  override readonly name = "MessageError";
  constructor(detail: MessageErrorDetail) {
    super("invalid CCMP message", detail);
  }
}

export class MerkleError extends CcmpError<MerkleErrorDetail> {
  override readonly name = "MerkleError";
  constructor(detail: MerkleErrorDetail) {
    super("invalid Merkle proof", detail);
  }
}

export class MultiproofError extends CcmpError<MultiproofErrorDetail> {
  override readonly name = "MultiproofError";
  constructor(detail: MultiproofErrorDetail) {
    super("invalid multiproof", detail);
  }
}

export class SendEventError extends CcmpError<SendEventErrorDetail> {
  override readonly name = "SendEventError";
  constructor(detail: SendEventErrorDetail) {
    super("invalid ccmp_send event", detail);
  }
}

export class DeliveryError extends CcmpError<DeliveryErrorDetail> {
  override readonly name = "DeliveryError";
  constructor(detail: DeliveryErrorDetail) {
    super("waitForDelivery", detail);
  }
}
