/**
 * The CCMP message (PROTOCOL.md §2): `message_bytes`, its strict decoding, and the
 * message id `SHA-256(0x00 || message_bytes)`, byte for byte as `ccmp-types` does it.
 */
import { fromBase64, toBase64 } from "@cosmjs/encoding";

import { type Hash, U64_MAX, concat, sha256Of, toBoundedBigInt } from "./bytes.js";
import { MessageError } from "./errors.js";
import type { Message as JsonMessage } from "./generated/CcmpInbox.types.js";

/** The only wire version. */
export const MESSAGE_VERSION = 1;
/** Chain ids are 1 to 64 bytes. */
export const MAX_CHAIN_ID_BYTES = 64;
/** Senders and recipients are 1 to 256 bytes. */
export const MAX_ADDRESS_BYTES = 256;
/** The body limit a contract applies unless configured otherwise. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

/** A cross-chain message. `nonce` and `timeoutTimestamp` are u64 (bigint, exact). */
export interface Message {
  /** 0-based position in the lane (source chain, source outbox, destination chain). */
  nonce: bigint;
  sourceChain: string;
  /** The sending address on the source chain. */
  sender: string;
  destinationChain: string;
  /** The receiving address on the destination chain. */
  recipient: string;
  /** Destination block time (ns since the Unix epoch) at which it times out; null for none. */
  timeoutTimestamp: bigint | null;
  body: Uint8Array;
}

const encoder = new TextEncoder();
// fatal: invalid UTF-8 is an error; ignoreBOM: a leading U+FEFF is kept, as Rust keeps it.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const WHITESPACE_OR_CONTROL = /[\p{White_Space}\p{Cc}]/u;

function utf8(field: string, value: string): Uint8Array {
  // A JS string may hold a lone surrogate, which is no Unicode text (TextEncoder would
  // silently write U+FFFD instead): refuse it rather than encode another string.
  if (LONE_SURROGATE.test(value)) throw new MessageError({ kind: "invalid_utf8", field });
  return encoder.encode(value);
}

function checkLength(field: string, len: number, min: number, max: number): void {
  if (len < min || len > max) throw new MessageError({ kind: "field_length", field, len, min, max });
}

/** A chain id: 1 to 64 bytes, no whitespace or control characters. */
export function validateChainId(field: string, chainId: string): void {
  checkLength(field, utf8(field, chainId).length, 1, MAX_CHAIN_ID_BYTES);
  if (WHITESPACE_OR_CONTROL.test(chainId)) {
    throw new MessageError({ kind: "invalid_chain_id_character", field, value: chainId });
  }
}

/** A sender or recipient address string: 1 to 256 bytes. */
export function validateAddress(field: string, address: string): void {
  checkLength(field, utf8(field, address).length, 1, MAX_ADDRESS_BYTES);
}

/** Every §2 limit that does not depend on configuration (the body's is the contract's). */
export function validateMessage(message: Message): void {
  if (toBoundedBigInt(message.nonce, U64_MAX) === undefined) {
    throw new MessageError({ kind: "invalid_integer", field: "nonce", value: String(message.nonce) });
  }
  validateChainId("source_chain", message.sourceChain);
  validateAddress("sender", message.sender);
  validateChainId("destination_chain", message.destinationChain);
  validateAddress("recipient", message.recipient);
  const timeout = message.timeoutTimestamp;
  if (timeout !== null) {
    // 0 is "none" on the wire: accepting it would give one message two forms.
    if (timeout === 0n) throw new MessageError({ kind: "zero_timeout" });
    if (toBoundedBigInt(timeout, U64_MAX) === undefined) {
      throw new MessageError({ kind: "invalid_integer", field: "timeout_timestamp", value: String(timeout) });
    }
  }
  if (message.body.length > U32_MAX) {
    throw new MessageError({ kind: "too_long", field: "body", len: message.body.length, max: U32_MAX });
  }
}

function u64(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, false);
  return out;
}

function str(field: string, value: string): Uint8Array[] {
  const bytes = utf8(field, value);
  if (bytes.length > U16_MAX) throw new MessageError({ kind: "too_long", field, len: bytes.length, max: U16_MAX });
  return [new Uint8Array([bytes.length >> 8, bytes.length & 0xff]), bytes];
}

/** `message_bytes` of §2. Throws `MessageError` for a message outside the limits. */
export function encodeMessage(message: Message): Uint8Array {
  validateMessage(message);
  const bodyLen = new Uint8Array(4);
  new DataView(bodyLen.buffer).setUint32(0, message.body.length, false);
  return concat([
    new Uint8Array([MESSAGE_VERSION]),
    u64(message.nonce),
    ...str("source_chain", message.sourceChain),
    ...str("sender", message.sender),
    ...str("destination_chain", message.destinationChain),
    ...str("recipient", message.recipient),
    u64(message.timeoutTimestamp ?? 0n),
    bodyLen,
    message.body,
  ]);
}

/** A strict reader: every read names its field, so a short input says which ran out. */
class Reader {
  private offset = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  take(field: string, len: number): Uint8Array {
    const remaining = this.bytes.length - this.offset;
    if (len > remaining) throw new MessageError({ kind: "unexpected_end", field, needed: len, remaining });
    const slice = this.bytes.subarray(this.offset, this.offset + len);
    this.offset += len;
    return slice;
  }
  u8(field: string): number {
    this.take(field, 1);
    return this.view.getUint8(this.offset - 1);
  }
  u16(field: string): number {
    this.take(field, 2);
    return this.view.getUint16(this.offset - 2, false);
  }
  u32(field: string): number {
    this.take(field, 4);
    return this.view.getUint32(this.offset - 4, false);
  }
  u64(field: string): bigint {
    this.take(field, 8);
    return this.view.getBigUint64(this.offset - 8, false);
  }
  str(field: string): string {
    const bytes = this.take(field, this.u16(field));
    try {
      return decoder.decode(bytes);
    } catch {
      throw new MessageError({ kind: "invalid_utf8", field });
    }
  }
  /** Trailing bytes are refused: two byte strings must never decode to one message. */
  finish(): void {
    const trailing = this.bytes.length - this.offset;
    if (trailing !== 0) throw new MessageError({ kind: "trailing_bytes", count: trailing });
  }
}

/**
 * The strict inverse of `encodeMessage`: any other version, a short input, a length past
 * the end, bad UTF-8, trailing bytes or a field outside the §2 limits throws `MessageError`.
 */
export function decodeMessage(bytes: Uint8Array): Message {
  const reader = new Reader(bytes);
  const version = reader.u8("version");
  if (version !== MESSAGE_VERSION) throw new MessageError({ kind: "unsupported_version", version });
  const nonce = reader.u64("nonce");
  const sourceChain = reader.str("source_chain");
  const sender = reader.str("sender");
  const destinationChain = reader.str("destination_chain");
  const recipient = reader.str("recipient");
  const timeout = reader.u64("timeout_timestamp");
  const body = reader.take("body", reader.u32("body")).slice();
  reader.finish();
  const message: Message = {
    nonce,
    sourceChain,
    sender,
    destinationChain,
    recipient,
    timeoutTimestamp: timeout === 0n ? null : timeout,
    body,
  };
  validateMessage(message);
  return message;
}

/** `SHA-256(0x00 || message_bytes)`: the id of already encoded bytes (not checked). */
export function messageIdOfBytes(messageBytes: Uint8Array): Hash {
  return sha256Of(new Uint8Array([0x00]), messageBytes);
}

/** The message id (also its leaf in the lane's Merkle tree). */
export function messageId(message: Message): Hash {
  return messageIdOfBytes(encodeMessage(message));
}

/** The inbox's JSON form of a message (`deliver`, `retry`): snake_case, body base64. */
export function toJsonMessage(message: Message): JsonMessage {
  validateMessage(message);
  return {
    nonce: Number(checkSafe("nonce", message.nonce)),
    source_chain: message.sourceChain,
    sender: message.sender,
    destination_chain: message.destinationChain,
    recipient: message.recipient,
    timeout_timestamp: message.timeoutTimestamp === null ? null : message.timeoutTimestamp.toString(),
    body: toBase64(message.body),
  };
}

function checkSafe(field: string, value: bigint): bigint {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new MessageError({ kind: "invalid_integer", field, value: value.toString() });
  }
  return value;
}

/** Parses the inbox's JSON form of a message; throws `MessageError` when it is malformed. */
export function fromJsonMessage(json: JsonMessage): Message {
  // Exactly the §6 fields (timeout_timestamp may be absent for none); `version` or any
  // other field is refused, as the contracts refuse it.
  const allowed = ["body", "destination_chain", "nonce", "recipient", "sender", "source_chain", "timeout_timestamp"];
  for (const key of Object.keys(json)) {
    if (!allowed.includes(key)) throw new MessageError({ kind: "invalid_json", field: key, reason: "unknown field" });
  }
  for (const key of allowed.slice(0, 6)) {
    if (!(key in json)) throw new MessageError({ kind: "invalid_json", field: key, reason: "missing field" });
  }
  if (!Number.isSafeInteger(json.nonce) || json.nonce < 0) {
    throw new MessageError({ kind: "invalid_integer", field: "nonce", value: String(json.nonce) });
  }
  let timeout: bigint | null = null;
  if (json.timeout_timestamp !== null && json.timeout_timestamp !== undefined) {
    if (!/^[0-9]{1,20}$/.test(json.timeout_timestamp)) {
      throw new MessageError({ kind: "invalid_integer", field: "timeout_timestamp", value: json.timeout_timestamp });
    }
    timeout = BigInt(json.timeout_timestamp);
  }
  let body: Uint8Array;
  try {
    body = fromBase64(json.body);
  } catch (err) {
    throw new MessageError({ kind: "invalid_json", field: "body", reason: String(err) });
  }
  const message: Message = {
    nonce: BigInt(json.nonce),
    sourceChain: json.source_chain,
    sender: json.sender,
    destinationChain: json.destination_chain,
    recipient: json.recipient,
    timeoutTimestamp: timeout,
    body,
  };
  validateMessage(message);
  return message;
}
