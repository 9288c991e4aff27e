import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromHex, toHex } from "@cosmjs/encoding";

import { MessageError, type MessageErrorDetail } from "../../src/errors.js";
import {
  type Message,
  decodeMessage,
  encodeMessage,
  fromJsonMessage,
  messageId,
  messageIdOfBytes,
  toJsonMessage,
} from "../../src/message.js";
import { toMessage, vectors } from "../vectors.js";

function throwsDetail(fn: () => unknown, detail: MessageErrorDetail): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MessageError, `expected a MessageError, got ${String(err)}`);
    assert.deepEqual(err.detail, detail);
    return true;
  });
}

const sample = (): Message => ({
  nonce: 3n,
  sourceChain: "chain-a",
  sender: "cosmwasm1sender",
  destinationChain: "chain-b",
  recipient: "cosmwasm1receiver",
  timeoutTimestamp: 42n,
  body: new TextEncoder().encode("hi"),
});

describe("message_bytes and message id (vectors.json → messages, lane)", () => {
  for (const [i, v] of vectors.messages.entries()) {
    it(`messages[${i}]: encodes, decodes back and has the vector's id`, () => {
      const message = toMessage(v.message);
      const bytes = encodeMessage(message);
      assert.equal(toHex(bytes), v.encoded_hex);
      assert.equal(toHex(messageId(message)), v.id_hex);
      assert.equal(toHex(messageIdOfBytes(fromHex(v.encoded_hex))), v.id_hex);
      assert.deepEqual(decodeMessage(fromHex(v.encoded_hex)), message);
      if (message.nonce <= BigInt(Number.MAX_SAFE_INTEGER)) {
        assert.deepEqual(fromJsonMessage(toJsonMessage(message)), message);
      } else {
        // JSON numbers above 2^53 have no exact JS number: refused, never rounded.
        throwsDetail(() => toJsonMessage(message), { kind: "invalid_integer", field: "nonce", value: message.nonce.toString() });
      }
    });
  }

  it("lane messages 0..6 have the lane's ids", () => {
    assert.deepEqual(
      vectors.lane.messages.map((m) => toHex(messageId(toMessage(m)))),
      vectors.lane.ids_hex,
    );
    assert.equal(vectors.lane.ids_hex.length, 7);
  });

  it("the JSON form is exactly the inbox's", () => {
    assert.deepEqual(toJsonMessage(sample()), {
      nonce: 3,
      source_chain: "chain-a",
      sender: "cosmwasm1sender",
      destination_chain: "chain-b",
      recipient: "cosmwasm1receiver",
      timeout_timestamp: "42",
      body: "aGk=",
    });
    const none = toJsonMessage({ ...sample(), timeoutTimestamp: null });
    assert.equal(none.timeout_timestamp, null);
    // `version` (or any unknown field) is refused, not ignored.
    throwsDetail(() => fromJsonMessage({ ...toJsonMessage(sample()), version: 1 } as unknown as ReturnType<typeof toJsonMessage>), {
      kind: "invalid_json",
      field: "version",
      reason: "unknown field",
    });
  });
});

describe("decodeMessage is strict (tampered inputs are refused)", () => {
  const good = encodeMessage(sample());

  it("every truncation is refused, naming the field that ran out", () => {
    for (let len = 0; len < good.length; len++) {
      assert.throws(() => decodeMessage(good.subarray(0, len)), (err: unknown) => {
        assert.ok(err instanceof MessageError);
        assert.equal(err.detail.kind, "unexpected_end", `length ${len}`);
        return true;
      });
    }
    throwsDetail(() => decodeMessage(new Uint8Array()), { kind: "unexpected_end", field: "version", needed: 1, remaining: 0 });
    throwsDetail(() => decodeMessage(good.subarray(0, good.length - 1)), { kind: "unexpected_end", field: "body", needed: 2, remaining: 1 });
  });

  it("trailing bytes, another version, a length past the end", () => {
    const trailing = new Uint8Array([...good, 0]);
    throwsDetail(() => decodeMessage(trailing), { kind: "trailing_bytes", count: 1 });
    const v2 = good.slice();
    v2[0] = 2;
    throwsDetail(() => decodeMessage(v2), { kind: "unsupported_version", version: 2 });
    const overLong = good.slice();
    overLong[9] = 0xff; // source_chain's length prefix
    throwsDetail(() => decodeMessage(overLong), { kind: "unexpected_end", field: "source_chain", needed: 0xff07, remaining: good.length - 11 });
  });

  it("bad UTF-8, whitespace in a chain id, a zero-length recipient", () => {
    const badUtf8 = good.slice();
    badUtf8[11] = 0xff; // first byte of source_chain's text
    throwsDetail(() => decodeMessage(badUtf8), { kind: "invalid_utf8", field: "source_chain" });
    const space = good.slice();
    space[11] = 0x20;
    throwsDetail(() => decodeMessage(space), { kind: "invalid_chain_id_character", field: "source_chain", value: " hain-a" });
    const noRecipient = encodeMessage({ ...sample(), recipient: "r" });
    // Rewrite recipient's length to 0 and drop its one byte: decodes, then fails the limit.
    const at = 1 + 8 + 2 + 7 + 2 + 15 + 2 + 7;
    const empty = new Uint8Array([...noRecipient.subarray(0, at), 0, 0, ...noRecipient.subarray(at + 3)]);
    throwsDetail(() => decodeMessage(empty), { kind: "field_length", field: "recipient", len: 0, min: 1, max: 256 });
  });

  it("a zero timeout on the wire decodes as none; as a value it is refused", () => {
    const none = encodeMessage({ ...sample(), timeoutTimestamp: null });
    assert.equal(decodeMessage(none).timeoutTimestamp, null);
    throwsDetail(() => encodeMessage({ ...sample(), timeoutTimestamp: 0n }), { kind: "zero_timeout" });
  });

  it("a leading BOM is part of the text (not stripped), so the id stays the Rust one", () => {
    const message = { ...sample(), sender: "\uFEFFs" };
    assert.deepEqual(decodeMessage(encodeMessage(message)), message);
  });

  it("every changed byte changes the id or fails to decode", () => {
    const id = toHex(messageIdOfBytes(good));
    for (let at = 0; at < good.length; at++) {
      const changed = good.slice();
      changed[at] = (changed[at] ?? 0) ^ 0x01;
      assert.notEqual(toHex(messageIdOfBytes(changed)), id);
    }
  });
});

describe("encodeMessage enforces the §2 limits", () => {
  it("chain ids 1..64 bytes without whitespace or control characters", () => {
    assert.doesNotThrow(() => encodeMessage({ ...sample(), sourceChain: "a".repeat(64) }));
    throwsDetail(() => encodeMessage({ ...sample(), sourceChain: "a".repeat(65) }), { kind: "field_length", field: "source_chain", len: 65, min: 1, max: 64 });
    throwsDetail(() => encodeMessage({ ...sample(), destinationChain: "" }), { kind: "field_length", field: "destination_chain", len: 0, min: 1, max: 64 });
    for (const bad of ["chain a", "chain\ta", "chain\u0000", "chain\u007f", "a\u00a0b", "a\u2028"]) {
      throwsDetail(() => encodeMessage({ ...sample(), sourceChain: bad }), { kind: "invalid_chain_id_character", field: "source_chain", value: bad });
    }
    assert.doesNotThrow(() => encodeMessage({ ...sample(), sourceChain: "ünïcødé-chain" }));
  });

  it("sender and recipient 1..256 bytes (UTF-8 bytes, not characters)", () => {
    assert.doesNotThrow(() => encodeMessage({ ...sample(), sender: "s".repeat(256), recipient: "r".repeat(256) }));
    throwsDetail(() => encodeMessage({ ...sample(), sender: "s".repeat(257) }), { kind: "field_length", field: "sender", len: 257, min: 1, max: 256 });
    throwsDetail(() => encodeMessage({ ...sample(), sender: "é".repeat(129) }), { kind: "field_length", field: "sender", len: 258, min: 1, max: 256 });
    throwsDetail(() => encodeMessage({ ...sample(), recipient: "" }), { kind: "field_length", field: "recipient", len: 0, min: 1, max: 256 });
  });

  it("a lone surrogate is no text; u64 fields stay in range", () => {
    throwsDetail(() => encodeMessage({ ...sample(), sender: "s\uD800" }), { kind: "invalid_utf8", field: "sender" });
    throwsDetail(() => encodeMessage({ ...sample(), nonce: 1n << 64n }), { kind: "invalid_integer", field: "nonce", value: "18446744073709551616" });
    throwsDetail(() => encodeMessage({ ...sample(), nonce: -1n }), { kind: "invalid_integer", field: "nonce", value: "-1" });
    const max = { ...sample(), nonce: (1n << 64n) - 1n, timeoutTimestamp: (1n << 64n) - 1n };
    assert.deepEqual(decodeMessage(encodeMessage(max)), max);
  });
});
