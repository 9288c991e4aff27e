import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromHex, toHex } from "@cosmjs/encoding";

import { SendEventError, type SendEventErrorDetail } from "../../src/errors.js";
import { type TxEvent, decodeSendEvents } from "../../src/events.js";
import { encodeMessage } from "../../src/message.js";
import { toMessage, vectors } from "../vectors.js";

const OUTBOX = "wasm1outbox";

function throwsDetail(fn: () => unknown, detail: SendEventErrorDetail): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SendEventError, `expected a SendEventError, got ${String(err)}`);
    assert.deepEqual(err.detail, detail);
    return true;
  });
}

/** The event the outbox emits for lane message `nonce` (vectors.json → lane), as CosmJS shows it. */
function sendEvent(nonce: number, contract = OUTBOX): TxEvent {
  const m = vectors.lane.messages[nonce];
  const id = vectors.lane.ids_hex[nonce];
  assert.ok(m && id);
  const message = toMessage(m);
  return {
    type: "wasm-ccmp_send",
    attributes: [
      { key: "_contract_address", value: contract },
      { key: "destination_chain", value: m.destination_chain },
      { key: "nonce", value: String(nonce) },
      { key: "message_id", value: id },
      { key: "sender", value: m.sender },
      { key: "recipient", value: m.recipient },
      { key: "size", value: String(nonce + 1) },
      { key: "root", value: "ab".repeat(32) },
      { key: "message", value: encodedHex(message) },
      { key: "msg_index", value: "0" },
    ],
  };
}

const encodedHex = (m: ReturnType<typeof toMessage>): string => toHex(encodeMessage(m));

const withAttribute = (event: TxEvent, key: string, value: string | undefined): TxEvent => ({
  type: event.type,
  attributes:
    value === undefined
      ? event.attributes.filter((a) => a.key !== key)
      : event.attributes.map((a) => (a.key === key ? { key, value } : a)),
});

describe("decodeSendEvents", () => {
  it("decodes every send of the outbox, in order, with the exact message", () => {
    const tx = {
      events: [
        { type: "message", attributes: [{ key: "action", value: "/cosmwasm.wasm.v1.MsgExecuteContract" }] },
        { type: "execute", attributes: [{ key: "_contract_address", value: OUTBOX }] },
        sendEvent(0),
        sendEvent(1),
      ],
    };
    const sends = decodeSendEvents(tx, OUTBOX);
    assert.equal(sends.length, 2);
    const [first, second] = sends;
    assert.ok(first && second);
    assert.deepEqual(
      { ...first, messageBytes: toHex(first.messageBytes) },
      {
        outbox: OUTBOX,
        destinationChain: "chain-b",
        nonce: 0n,
        messageId: vectors.lane.ids_hex[0],
        sender: "cosmwasm1dapp0",
        recipient: "cosmwasm1receiver",
        laneSize: 1n,
        laneRoot: "ab".repeat(32),
        messageBytes: encodedHex(first.message),
        message: toMessage(vectors.lane.messages[0] ?? assert.fail()),
      },
    );
    assert.equal(second.nonce, 1n);
    assert.equal(toHex(fromHex(second.messageId)), vectors.lane.ids_hex[1]);
    assert.deepEqual(decodeSendEvents({ events: [] }, OUTBOX), []);
  });

  it("leaves out sends emitted by another contract (another outbox, an impostor)", () => {
    const tx = { events: [sendEvent(0, "wasm1impostor"), sendEvent(1), withAttribute(sendEvent(2), "_contract_address", undefined)] };
    assert.deepEqual(decodeSendEvents(tx, OUTBOX).map((s) => s.nonce), [1n]);
    assert.deepEqual(decodeSendEvents(tx, "wasm1impostor").map((s) => s.nonce), [0n]);
    // Garbage in an impostor's event is not this outbox's problem.
    const garbage = withAttribute(sendEvent(0, "wasm1impostor"), "message", "zz");
    assert.deepEqual(decodeSendEvents({ events: [garbage] }, OUTBOX), []);
  });

  it("refuses a send event that is malformed or disagrees with its message", () => {
    const event = sendEvent(3);
    const one = (e: TxEvent): unknown => decodeSendEvents({ events: [e] }, OUTBOX);
    throwsDetail(() => one(withAttribute(event, "nonce", undefined)), { kind: "missing_attribute", index: 0, key: "nonce" });
    throwsDetail(() => one({ type: event.type, attributes: [...event.attributes, { key: "nonce", value: "3" }] }), { kind: "duplicate_attribute", index: 0, key: "nonce" });
    throwsDetail(() => one(withAttribute(event, "nonce", "03")), { kind: "invalid_attribute", index: 0, key: "nonce", reason: 'not a u64: "03"' });
    throwsDetail(() => one(withAttribute(event, "nonce", "4")), { kind: "inconsistent", index: 0, reason: "nonce 4, message's 3" });
    throwsDetail(() => one(withAttribute(event, "size", "9")), { kind: "inconsistent", index: 0, reason: "size 9 after nonce 3" });
    throwsDetail(() => one(withAttribute(event, "message_id", vectors.lane.ids_hex[2])), { kind: "inconsistent", index: 0, reason: "message_id is not the id of message" });
    throwsDetail(() => one(withAttribute(event, "message_id", "AB".repeat(32))), { kind: "invalid_attribute", index: 0, key: "message_id", reason: "not 32 bytes of lower-case hex" });
    throwsDetail(() => one(withAttribute(event, "recipient", "someone-else")), { kind: "inconsistent", index: 0, reason: "recipient someone-else, message's cosmwasm1receiver" });
    const bytes = event.attributes.find((a) => a.key === "message")?.value ?? "";
    assert.throws(() => one(withAttribute(event, "message", bytes + "00")), (err: unknown) => {
      assert.ok(err instanceof SendEventError);
      assert.equal(err.detail.kind, "invalid_attribute");
      assert.match(err.message, /trailing_bytes/);
      return true;
    });
  });
});
