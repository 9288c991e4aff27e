import assert from "node:assert/strict";
import { describe, it } from "node:test";

describe("the package entry point", () => {
  it("@ccmp/client resolves through package.json exports to the built ESM module", async () => {
    // A variable, so tsc does not resolve the package's own (not yet built) types.
    const name = "@ccmp/client";
    const mod = (await import(name)) as Record<string, unknown>;
    const functions = Object.keys(mod).filter((k) => typeof mod[k] === "function").sort();
    assert.deepEqual(functions, [
      "CcmpError",
      "CcmpInboxClient",
      "CcmpInboxQueryClient",
      "CcmpOutboxClient",
      "CcmpOutboxQueryClient",
      "CcmpPingpongClient",
      "CcmpPingpongQueryClient",
      "DeliveryError",
      "MerkleError",
      "MessageError",
      "MultiproofError",
      "SendEventError",
      "buildDeliverBatch",
      "decodeBatchProof",
      "decodeMessage",
      "decodeSendEvents",
      "encodeBatchProof",
      "encodeMessage",
      "fromJsonMessage",
      "leafHash",
      "merkleRoot",
      "messageId",
      "messageIdOfBytes",
      "multiproof",
      "nodeHash",
      "parseMessageStatus",
      "queryMessageStatus",
      "toJsonMessage",
      "validateAddress",
      "validateChainId",
      "validateMessage",
      "verifyConsistency",
      "verifyDeliverBatch",
      "verifyInclusion",
      "verifyMultiproof",
      "waitForDelivery",
    ]);
    assert.equal(mod["SEND_EVENT_TYPE"], "wasm-ccmp_send");
    assert.equal(mod["MESSAGE_VERSION"], 1);
  });
});
