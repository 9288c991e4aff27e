/**
 * @ccmp/client against real wasmd nodes: deploy with `ccmp deploy`, start attesters and a
 * relayer, send through the outbox with CosmJS (the generated outbox and pingpong clients),
 * decode the send events, wait for delivery and check the exact `message_status`:
 * delivered (attempts 1), failed (attempts 1, a receiver that refuses everything) and
 * timed out (attempts 0, a timeout that passes before any relayer runs).
 *
 * Needs the localnet (`scripts/localnet.sh up`, `CCMP_LOCALNET_DIR`), the `ccmp` binary
 * (`CCMP_BIN`) and the compiled contracts (`CCMP_ARTIFACTS_DIR` or artifacts/). Skipped
 * when no localnet manifest exists, unless `CCMP_REQUIRE_LOCALNET` is set (as in CI).
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { toBase64, toHex, toUtf8 } from "@cosmjs/encoding";
import { DirectSecp256k1Wallet } from "@cosmjs/proto-signing";
import { GasPrice } from "@cosmjs/stargate";

import {
  CcmpInboxQueryClient,
  CcmpOutboxClient,
  CcmpPingpongClient,
  CcmpPingpongQueryClient,
  DeliveryError,
  type SendEvent,
  type WaitForDeliveryOptions,
  decodeSendEvents,
  messageId,
  waitForDelivery,
} from "../../src/index.js";
import { A, B, Bridge, type Deployment, artifactsDir, ccmpBinary, localnetDir, readManifest, readKeySecret, waitUntil } from "./harness.js";

const manifest = readManifest();
const required = (process.env["CCMP_REQUIRE_LOCALNET"] ?? "") !== "";
const skip =
  manifest === undefined && !required
    ? `no localnet manifest at ${join(localnetDir(), "localnet.json")} (run scripts/localnet.sh up, or set CCMP_REQUIRE_LOCALNET=1 to make this a failure)`
    : false;
/** Every wait on the chains or the bridge. */
const WAIT_MS = 90_000;

async function signer(bridge: Bridge, chainId: string, account: string): Promise<{ client: SigningCosmWasmClient; address: string }> {
  const chain = bridge.chain(chainId);
  const entry = chain.accounts[account];
  assert.ok(entry, `no account ${account} on ${chainId}`);
  const wallet = await DirectSecp256k1Wallet.fromKey(readKeySecret(entry.key_file), chain.prefix);
  const [acc] = await wallet.getAccounts();
  assert.equal(acc?.address, entry.address);
  const client = await SigningCosmWasmClient.connectWithSigner(chain.rpc, wallet, {
    gasPrice: GasPrice.fromString(`${chain.gas_price}${chain.denom}`),
  });
  return { client, address: entry.address };
}

/** The latest block time of a chain, in ms since the epoch. */
async function blockTimeMs(client: SigningCosmWasmClient): Promise<number> {
  const block = await client.getBlock();
  return Date.parse(block.header.time);
}

describe("@ccmp/client on the localnet (ccmp deploy, attest, relay; CosmJS)", { timeout: 300_000 }, () => {
  let bridge: Bridge;
  let deployment: Deployment;
  let userA: { client: SigningCosmWasmClient; address: string };
  let userB: { client: SigningCosmWasmClient; address: string };
  let receiver: string;
  /** Set when any test fails: the logs are then printed and kept. */
  let failed = false;

  const inbox = (chain: string): string => deployment.chains[chain]?.inbox.address ?? assert.fail(`no inbox on ${chain}`);
  const outbox = (chain: string): string => deployment.chains[chain]?.outbox.address ?? assert.fail(`no outbox on ${chain}`);
  const pingpong = (chain: string): string => deployment.chains[chain]?.pingpong?.address ?? assert.fail(`no pingpong on ${chain}`);

  before(async () => {
    if (skip !== false) return;
    failed = true; // until the setup has finished
    assert.ok(manifest, `CCMP_REQUIRE_LOCALNET is set but there is no localnet manifest at ${join(localnetDir(), "localnet.json")}`);
    const bin = ccmpBinary();
    assert.ok(existsSync(bin), `no ccmp binary at ${bin}: set CCMP_BIN (cargo build -p ccmp)`);
    bridge = new Bridge(manifest, bin);
    await bridge.makeAttesters();
    deployment = await bridge.deploy(180_000);
    userA = await signer(bridge, A, "user");
    userB = await signer(bridge, B, "user");

    // A receiver on chain b that refuses every message (packages/devnet/receiver, mode fail).
    const wasm = readFileSync(join(artifactsDir(), "test", "ccmp_devnet_receiver.wasm"));
    const { codeId } = await userB.client.upload(userB.address, wasm, "auto");
    ({ contractAddress: receiver } = await userB.client.instantiate(userB.address, codeId, { mode: "fail" }, "failing receiver", "auto"));
    bridge.startAttesters();
    failed = false;
  });

  after(async () => {
    if (bridge === undefined) return;
    if (failed) {
      for (const name of ["relayer", "attester-ccmp-a-0", "attester-ccmp-b-0"]) {
        console.error(`--- ${name}.log (last lines)\n${bridge.logTail(name, 30)}`);
      }
    }
    userA?.client.disconnect();
    userB?.client.disconnect();
    await bridge.stop(5000, failed);
    if (failed) console.error(`logs kept in ${bridge.dir}`);
  });

  // Lane a -> b: nonce 0 to the failing receiver, nonce 1 timing out, nonce 2 a ping.
  let failSend: SendEvent;
  let timeoutSend: SendEvent;
  let pingSend: SendEvent;
  let timeoutNs: bigint;
  const wait = (): WaitForDeliveryOptions => ({ timeoutMs: WAIT_MS, pollMs: 300 });
  /** One step of the run: skipped without a localnet; a failure keeps the logs. */
  const step = (name: string, fn: () => Promise<void>): void => {
    it(name, { skip }, async () => {
      try {
        await fn();
      } catch (err) {
        failed = true;
        throw err;
      }
    });
  };

  step("sends through the generated outbox client and decodes the ccmp_send events", async () => {
    const outboxA = new CcmpOutboxClient(userA.client, userA.address, outbox(A));
    const route = await outboxA.destination({ chain: B });
    assert.equal(route.enabled, true);
    const funds = route.fee ? [route.fee] : [];

    // Nonce 0 to the failing receiver; nonce 1 with a timeout a few seconds after chain a's
    // clock (the outbox refuses one already past), both before any relayer runs; the
    // relayer starts only once chain b's clock is past it, so nonce 1 can only time out.
    const toFailing = await outboxA.send({ destinationChain: B, recipient: receiver, body: toBase64(toUtf8("to the failing receiver")) }, "auto", undefined, funds);
    // A slow block can take the timeout past before the send runs (the outbox then refuses
    // it, appending nothing): that send is tried again with a fresh timeout, at most 3 times.
    let timesOut: Awaited<ReturnType<typeof outboxA.send>> | undefined;
    for (let attempt = 1; timesOut === undefined; attempt++) {
      timeoutNs = BigInt(await blockTimeMs(userA.client)) * 1_000_000n + 5_000_000_000n;
      try {
        timesOut = await outboxA.send(
          { destinationChain: B, recipient: receiver, body: toBase64(toUtf8("times out")), timeoutTimestamp: timeoutNs.toString() },
          "auto",
          undefined,
          funds,
        );
      } catch (err) {
        if (attempt >= 3 || !/could only time out/.test(String(err))) throw err;
      }
    }
    const sends = [...decodeSendEvents(toFailing, outbox(A)), ...decodeSendEvents(timesOut, outbox(A))];
    assert.equal(sends.length, 2);
    [failSend, timeoutSend] = sends as [SendEvent, SendEvent];
    // Another contract's address finds none of them.
    assert.deepEqual(decodeSendEvents(toFailing, pingpong(A)), []);
    assert.deepEqual(
      [failSend.outbox, failSend.nonce, failSend.laneSize, failSend.destinationChain, failSend.sender, failSend.recipient],
      [outbox(A), 0n, 1n, B, userA.address, receiver],
    );
    assert.deepEqual(failSend.message, {
      nonce: 0n,
      sourceChain: A,
      sender: userA.address,
      destinationChain: B,
      recipient: receiver,
      timeoutTimestamp: null,
      body: toUtf8("to the failing receiver"),
    });
    assert.deepEqual([timeoutSend.nonce, timeoutSend.laneSize, timeoutSend.message.timeoutTimestamp], [1n, 2n, timeoutNs]);
    // The id the outbox appended is the one computed here; the lane's root is the event's.
    for (const send of [failSend, timeoutSend]) {
      assert.equal(toHex(messageId(send.message)), send.messageId);
      const stored = await outboxA.messageId({ destinationChain: B, nonce: Number(send.nonce) });
      assert.equal(stored.message_id, send.messageId);
    }
    const lane = await outboxA.lane({ destinationChain: B });
    assert.deepEqual([lane.size, lane.root], [2, timeoutSend.laneRoot]);
  });

  step("nothing is delivered without a relayer: waitForDelivery times out with a typed error", async () => {
    await assert.rejects(
      waitForDelivery(userB.client, inbox(B), A, 0n, { timeoutMs: 600, pollMs: 200 }),
      (err: unknown) => err instanceof DeliveryError && err.detail.kind === "timeout" && err.detail.lastStatus === "unknown",
    );
  });

  step("a ping through the generated pingpong client is delivered (attempts 1) and answered by a pong", async () => {
    await waitUntil("chain b's clock past the timeout", WAIT_MS, async () => BigInt(await blockTimeMs(userB.client)) * 1_000_000n > timeoutNs);
    bridge.startRelayer();
    const pingpongA = new CcmpPingpongClient(userA.client, userA.address, pingpong(A));
    const pinged = await pingpongA.ping({ destinationChain: B, text: "hello from TypeScript" });
    const sends = decodeSendEvents(pinged, outbox(A));
    assert.equal(sends.length, 1);
    pingSend = sends[0] as SendEvent;
    assert.deepEqual([pingSend.nonce, pingSend.sender, pingSend.recipient], [2n, pingpong(A), pingpong(B)]);

    // The inbox keeps the id and height only for a failed message (the one a retry may
    // still deliver); delivered and timed-out ones answer without them.
    const delivered = await bridge.guard(waitForDelivery(userB.client, inbox(B), A, pingSend.nonce, wait()));
    assert.deepEqual(delivered, { status: "delivered", attempts: 1 });
    // The pong: lane b -> a, nonce 0, to chain a's dApp.
    const pong = await bridge.guard(waitForDelivery(userA.client, inbox(A), B, 0n, wait()));
    assert.deepEqual(pong, { status: "delivered", attempts: 1 });
    const statsA = await new CcmpPingpongQueryClient(userA.client, pingpong(A)).stats();
    const statsB = await new CcmpPingpongQueryClient(userB.client, pingpong(B)).stats();
    assert.deepEqual([statsB.pings_received, statsB.pongs_received, statsA.pings_received, statsA.pongs_received], [1, 0, 0, 1]);
  });

  step("a message to a receiver that refuses it is failed, attempts 1, with the receiver's error", async () => {
    const { updated_at_height: height, ...status } = await bridge.guard(waitForDelivery(userB.client, inbox(B), A, failSend.nonce, wait()));
    assert.deepEqual(status, {
      status: "failed",
      message_id: failSend.messageId,
      error: "kind: Other, error: receiver refuses nonce 0: execute wasm contract failed",
      attempts: 1,
    });
    assert.ok(typeof height === "number" && height > 0, `updated_at_height ${height}`);
  });

  step("a message that reaches the inbox after its timeout is timed_out, attempts 0", async () => {
    const status = await bridge.guard(waitForDelivery(userB.client, inbox(B), A, timeoutSend.nonce, wait()));
    assert.deepEqual(status, { status: "timed_out", attempts: 0 });
  });

  step("the generated inbox query client agrees, and the checkpoint is the outbox's root", async () => {
    const inboxB = new CcmpInboxQueryClient(userB.client, inbox(B));
    const none = { message_id: null, error: null, updated_at_height: null };
    assert.deepEqual(await inboxB.messageStatus({ sourceChain: A, nonce: 1 }), { status: "timed_out", attempts: 0, ...none });
    assert.deepEqual(await inboxB.messageStatus({ sourceChain: A, nonce: 2 }), { status: "delivered", attempts: 1, ...none });
    assert.deepEqual(await inboxB.messageStatus({ sourceChain: A, nonce: 99 }), { status: "unknown", attempts: 0, ...none });
    const checkpoint = await inboxB.checkpoint({ sourceChain: A });
    assert.deepEqual([checkpoint.source_chain, checkpoint.size, checkpoint.root], [A, 3, pingSend.laneRoot]);
    bridge.checkRunning();
  });

});
