import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { type ContractQuerier, queryMessageStatus, waitForDelivery } from "../../src/delivery.js";
import { DeliveryError, type DeliveryErrorDetail } from "../../src/errors.js";

/** A querier answering from a script; records every query. */
function scripted(answers: (() => unknown)[]): ContractQuerier & { queries: unknown[] } {
  const queries: unknown[] = [];
  return {
    queries,
    async queryContractSmart(address: string, query: Record<string, unknown>): Promise<unknown> {
      queries.push({ address, query });
      const next = answers.length > 1 ? answers.shift() : answers[0];
      assert.ok(next);
      return next();
    },
  };
}

async function rejectsDetail(promise: Promise<unknown>, check: (d: DeliveryErrorDetail) => void): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof DeliveryError, `expected a DeliveryError, got ${String(err)}`);
    check(err.detail);
    return true;
  });
}

const unknown = () => ({ status: "unknown", attempts: 0 });
const delivered = () => ({ status: "delivered", message_id: "aa".repeat(32), attempts: 1, updated_at_height: 42, error: null });

describe("waitForDelivery", () => {
  it("polls message_status until it is final and returns it", async () => {
    const client = scripted([unknown, unknown, delivered]);
    const status = await waitForDelivery(client, "inbox", "ccmp-a", 7n, { timeoutMs: 5000, pollMs: 10 });
    assert.deepEqual(status, { status: "delivered", message_id: "aa".repeat(32), attempts: 1, updated_at_height: 42 });
    assert.equal(client.queries.length, 3);
    assert.deepEqual(client.queries[0], { address: "inbox", query: { message_status: { source_chain: "ccmp-a", nonce: 7 } } });
  });

  it("failed and timed_out are final too", async () => {
    const failed = await waitForDelivery(scripted([() => ({ status: "failed", error: "no", attempts: 1 })]), "i", "s", 0, { timeoutMs: 1000, pollMs: 10 });
    assert.deepEqual(failed, { status: "failed", error: "no", attempts: 1 });
    const timedOut = await waitForDelivery(scripted([() => ({ status: "timed_out", attempts: 0 })]), "i", "s", 0, { timeoutMs: 1000, pollMs: 10 });
    assert.deepEqual(timedOut, { status: "timed_out", attempts: 0 });
  });

  it("gives up after timeoutMs with the last status seen", async () => {
    const started = Date.now();
    const client = scripted([unknown]);
    await rejectsDetail(waitForDelivery(client, "i", "s", 0, { timeoutMs: 200, pollMs: 50 }), (d) => {
      assert.equal(d.kind, "timeout");
      if (d.kind !== "timeout") return;
      assert.equal(d.timeoutMs, 200);
      assert.equal(d.lastStatus, "unknown");
      assert.equal(d.polls, client.queries.length);
      assert.ok(d.polls >= 2 && d.polls <= 6, `polls ${d.polls}`);
    });
    const took = Date.now() - started;
    assert.ok(took >= 190 && took < 1000, `took ${took} ms`);
  });

  it("a query that hangs is bounded by the deadline; one that fails is retried", async () => {
    const hangs = scripted([() => new Promise(() => {})]);
    await rejectsDetail(waitForDelivery(hangs, "i", "s", 0, { timeoutMs: 100, pollMs: 10 }), (d) => {
      assert.deepEqual(d, { kind: "timeout", timeoutMs: 100, polls: 1, lastStatus: null });
    });
    const flaky = scripted([
      () => {
        throw new Error("connection refused");
      },
      delivered,
    ]);
    assert.equal((await waitForDelivery(flaky, "i", "s", 0, { timeoutMs: 1000, pollMs: 10 })).status, "delivered");
    const down = scripted([
      () => {
        throw new Error("connection refused");
      },
    ]);
    await rejectsDetail(waitForDelivery(down, "i", "s", 0, { timeoutMs: 50, pollMs: 10 }), (d) => {
      assert.equal(d.kind === "timeout" && d.lastStatus, "query failed: connection refused");
    });
  });

  it("refuses an answer that is no message_status, bad options, and stops on abort", async () => {
    await rejectsDetail(waitForDelivery(scripted([() => ({ status: "lost", attempts: 0 })]), "i", "s", 0, { timeoutMs: 100 }), (d) => {
      assert.deepEqual(d, { kind: "invalid_response", reason: 'unknown status: {"status":"lost","attempts":0}' });
    });
    await rejectsDetail(queryMessageStatus(scripted([() => ({ status: "delivered" })]), "i", "s", 0), (d) => {
      assert.deepEqual(d, { kind: "invalid_response", reason: 'attempts is not a count: {"status":"delivered"}' });
    });
    await rejectsDetail(waitForDelivery(scripted([unknown]), "i", "s", 0, { timeoutMs: 0 }), (d) => {
      assert.equal(d.kind, "invalid_options");
    });
    const controller = new AbortController();
    const waiting = waitForDelivery(scripted([unknown]), "i", "s", 0, { timeoutMs: 10_000, pollMs: 1000, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await rejectsDetail(waiting, (d) => assert.deepEqual(d, { kind: "aborted" }));
  });
});
