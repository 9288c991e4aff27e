/**
 * `ccmp_send` events (emitted by the outbox on every send, `wasm-ccmp_send` in a
 * transaction result), decoded and checked: the `message` attribute must decode strictly
 * and its id, nonce, destination, sender and recipient must match the other attributes.
 */
import { fromHex, toHex } from "@cosmjs/encoding";

import { equalBytes } from "./bytes.js";
import { SendEventError } from "./errors.js";
import { type Message, decodeMessage, messageIdOfBytes } from "./message.js";

/** The event type of a send as it appears in a transaction result. */
export const SEND_EVENT_TYPE = "wasm-ccmp_send";

/** An event as CosmJS returns it (`ExecuteResult.events`, `DeliverTxResponse.events`). */
export interface TxEvent {
  readonly type: string;
  readonly attributes: readonly { readonly key: string; readonly value: string }[];
}

/** Anything with the events of a transaction: CosmJS `ExecuteResult`, `DeliverTxResponse`, `IndexedTx`. */
export interface TxWithEvents {
  readonly events: readonly TxEvent[];
}

/** One decoded send. */
export interface SendEvent {
  /** The outbox that emitted it (`_contract_address`). */
  outbox: string;
  destinationChain: string;
  nonce: bigint;
  /** The message id, lower-case hex. */
  messageId: string;
  sender: string;
  recipient: string;
  /** The lane's size after this send (`nonce + 1`). */
  laneSize: bigint;
  /** The lane's root after this send, lower-case hex. */
  laneRoot: string;
  /** The exact `message_bytes` whose id was appended. */
  messageBytes: Uint8Array;
  /** `messageBytes` decoded. */
  message: Message;
}

const KEYS = ["_contract_address", "destination_chain", "nonce", "message_id", "sender", "recipient", "size", "root", "message"] as const;
type Key = (typeof KEYS)[number];

function u64(index: number, key: string, value: string): bigint {
  if (!/^(0|[1-9][0-9]{0,19})$/.test(value) || BigInt(value) > (1n << 64n) - 1n) {
    throw new SendEventError({ kind: "invalid_attribute", index, key, reason: `not a u64: ${JSON.stringify(value)}` });
  }
  return BigInt(value);
}

function hex(index: number, key: string, value: string, len?: number): Uint8Array {
  if (!/^([0-9a-f]{2})*$/.test(value) || (len !== undefined && value.length !== 2 * len)) {
    throw new SendEventError({ kind: "invalid_attribute", index, key, reason: `not ${len ?? "some"} bytes of lower-case hex` });
  }
  return fromHex(value);
}

/**
 * Every `ccmp_send` of `tx` emitted by `outboxAddress`, in event order. Events of other
 * contracts (another outbox, a contract faking the event type) are left out; a send event
 * of this outbox that is malformed or inconsistent throws `SendEventError`.
 */
export function decodeSendEvents(tx: TxWithEvents, outboxAddress: string): SendEvent[] {
  const out: SendEvent[] = [];
  tx.events.forEach((event, index) => {
    if (event.type !== SEND_EVENT_TYPE) return;
    const emitters = event.attributes.filter((a) => a.key === "_contract_address");
    if (emitters.length !== 1 || emitters[0]?.value !== outboxAddress) return;
    const attrs = new Map<Key, string>();
    for (const { key, value } of event.attributes) {
      if (!(KEYS as readonly string[]).includes(key)) continue;
      if (attrs.has(key as Key)) throw new SendEventError({ kind: "duplicate_attribute", index, key });
      attrs.set(key as Key, value);
    }
    const get = (key: Key): string => {
      const value = attrs.get(key);
      if (value === undefined) throw new SendEventError({ kind: "missing_attribute", index, key });
      return value;
    };
    const messageBytes = hex(index, "message", get("message"));
    let message: Message;
    try {
      message = decodeMessage(messageBytes);
    } catch (err) {
      throw new SendEventError({ kind: "invalid_attribute", index, key: "message", reason: String(err) });
    }
    const decoded: SendEvent = {
      outbox: outboxAddress,
      destinationChain: get("destination_chain"),
      nonce: u64(index, "nonce", get("nonce")),
      messageId: toHex(hex(index, "message_id", get("message_id"), 32)),
      sender: get("sender"),
      recipient: get("recipient"),
      laneSize: u64(index, "size", get("size")),
      laneRoot: toHex(hex(index, "root", get("root"), 32)),
      messageBytes,
      message,
    };
    const inconsistent = (reason: string): never => {
      throw new SendEventError({ kind: "inconsistent", index, reason });
    };
    if (!equalBytes(messageIdOfBytes(messageBytes), fromHex(decoded.messageId))) inconsistent("message_id is not the id of message");
    if (message.nonce !== decoded.nonce) inconsistent(`nonce ${decoded.nonce}, message's ${message.nonce}`);
    if (message.destinationChain !== decoded.destinationChain) inconsistent(`destination_chain ${decoded.destinationChain}, message's ${message.destinationChain}`);
    if (message.sender !== decoded.sender) inconsistent(`sender ${decoded.sender}, message's ${message.sender}`);
    if (message.recipient !== decoded.recipient) inconsistent(`recipient ${decoded.recipient}, message's ${message.recipient}`);
    if (decoded.laneSize !== decoded.nonce + 1n) inconsistent(`size ${decoded.laneSize} after nonce ${decoded.nonce}`);
    out.push(decoded);
  });
  return out;
}
