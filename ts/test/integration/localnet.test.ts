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
  DeliveryError,
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

describe("@ccmp/client on the localnet (ccmp deploy, attest, relay; CosmJS)", { skip, timeout: 300_000 }, () => {
  let bridge: Bridge;
  let deployment: Deployment;
  let userA: { client: SigningCosmWasmClient; address: string };
  let userB: { client: SigningCosmWasmClient; address: string };
  let receiver: string;
  let failed = true;

  const inbox = (chain: string): string => deployment.chains[chain]?.inbox.address ?? assert.fail(`no inbox on ${chain}`);
  const outbox = (chain: string): string => deployment.chains[chain]?.outbox.address ?? assert.fail(`no outbox on ${chain}`);
  const pingpong = (chain: string): string => deployment.chains[chain]?.pingpong?.address ?? assert.fail(`no pingpong on ${chain}`);

  before(async () => {
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

  it("sends, decodes the send events and tracks delivered, failed and timed-out messages", async () => {
    const outboxA = new CcmpOutboxClient(userA.client, userA.address, outbox(A));
    const route = await outboxA.destination({ chain: B });
    assert.equal(route.enabled, true);
    const funds = route.fee ? [route.fee] : [];

    // Nonce 0 to the failing receiver; nonce 1 with a timeout a few seconds after chain a's
    // clock (the outbox refuses one already past), both before any relayer runs; the
    // relayer starts only once chain b's clock is past it, so nonce 1 can only time out.
    const toFailing = await outboxA.send({ destinationChain: B, recipient: receiver, body: toBase64(toUtf8("to the failing receiver")) }, "auto", undefined, funds);
    const timeoutNs = BigInt(await blockTimeMs(userA.client)) * 1_000_000n + 5_000_000_000n;
    const timesOut = await outboxA.send(
      { destinationChain: B, recipient: receiver, body: toBase64(toUtf8("times out")), timeoutTimestamp: timeoutNs.toString() },
      "auto",
      undefined,
      funds,
    );
    const [failSend] = decodeSendEvents(toFailing, outbox(A));
    const [timeoutSend] = decodeSendEvents(timesOut, outbox(A));
    assert.ok(failSend && timeoutSend);
    assert.deepEqual(decodeSendEvents(toFailing, pingpong(A)), []);
    assert.deepEqual(
      [failSend.nonce, failSend.laneSize, failSend.destinationChain, failSend.sender, failSend.recipient],
      [0n, 1n, B, userA.address, receiver],
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
    assert.equal(timeoutSend.nonce, 1n);
    assert.equal(timeoutSend.message.timeoutTimestamp, timeoutNs);
    // The id the outbox appended is the one computed here, and the lane root proves it.
    for (const send of [failSend, timeoutSend]) {
      assert.equal(toHex(messageId(send.message)), send.messageId);
      const stored = await outboxA.messageId({ destinationChain: B, nonce: Number(send.nonce) });
      assert.equal(stored.message_id, send.messageId);
    }
    const lane = await outboxA.lane({ destinationChain: B });
    assert.deepEqual([lane.size, lane.root], [2, timeoutSend.laneRoot]);

    // Nothing is delivered without a relayer: waitForDelivery gives up with a typed error.
    await assert.rejects(
      waitForDelivery(userB.client, inbox(B), A, 0n, { timeoutMs: 600, pollMs: 200 }),
      (err: unknown) => err instanceof DeliveryError && err.detail.kind === "timeout" && err.detail.lastStatus === "unknown",
    );

    // The relayer starts once chain b's clock is past the timeout.
    await waitUntil("chain b's clock past the timeout", WAIT_MS, async () => BigInt(await blockTimeMs(userB.client)) * 1_000_000n > timeoutNs);
    bridge.startRelayer();

    // Nonce 2: a ping through the generated pingpong client; chain b's dApp answers with a pong.
    const pingpongA = new CcmpPingpongClient(userA.client, userA.address, pingpong(A));
    const pinged = await pingpongA.ping({ destinationChain: B, text: "hello from TypeScript" });
    const [pingSend] = decodeSendEvents(pinged, outbox(A));
    assert.ok(pingSend);
    assert.deepEqual([pingSend.nonce, pingSend.sender, pingSend.recipient], [2n, pingpong(A), pingpong(B)]);

    const wait = { timeoutMs: WAIT_MS, pollMs: 300 };
    const alive = (): void => bridge.checkRunning();
    alive();
    // Exact statuses. The inbox keeps the id and height only for a failed message (the
    // one that can be retried); delivered and timed-out ones answer without them.
    const delivered = await waitForDelivery(userB.client, inbox(B), A, pingSend.nonce, wait);
    assert.deepEqual(delivered, { status: "delivered", attempts: 1 });

    const { updated_at_height: failedAt, ...failedStatus } = await waitForDelivery(userB.client, inbox(B), A, failSend.nonce, wait);
    assert.deepEqual(failedStatus, {
      status: "failed",
      message_id: failSend.messageId,
      error: "kind: Other, error: receiver refuses nonce 0: execute wasm contract failed",
      attempts: 1,
    });
    assert.ok(typeof failedAt === "number" && failedAt > 0, `updated_at_height ${failedAt}`);

    const timedOut = await waitForDelivery(userB.client, inbox(B), A, timeoutSend.nonce, wait);
    assert.deepEqual(timedOut, { status: "timed_out", attempts: 0 });

    // The pong: lane b -> a, nonce 0, delivered to chain a's dApp.
    const pong = await waitForDelivery(userA.client, inbox(A), B, 0n, wait);
    assert.deepEqual([pong.status, pong.attempts], ["delivered", 1]);
    const statsA = await new CcmpPingpongClient(userA.client, userA.address, pingpong(A)).stats();
    const statsB = await new CcmpPingpongClient(userB.client, userB.address, pingpong(B)).stats();
    assert.deepEqual([statsB.pings_received, statsA.pongs_received], [1, 1]);

    // The generated inbox query client sees the same statuses, and a nonce never sent is unknown.
    const inboxB = new CcmpInboxQueryClient(userB.client, inbox(B));
    const none = { message_id: null, error: null, updated_at_height: null };
    assert.deepEqual(await inboxB.messageStatus({ sourceChain: A, nonce: 1 }), { status: "timed_out", attempts: 0, ...none });
    assert.deepEqual(await inboxB.messageStatus({ sourceChain: A, nonce: 2 }), { status: "delivered", attempts: 1, ...none });
    assert.deepEqual(await inboxB.messageStatus({ sourceChain: A, nonce: 99 }), { status: "unknown", attempts: 0, ...none });
    // The inbox's latest checkpoint of the lane is the outbox's root after the ping.
    const checkpoint = await inboxB.checkpoint({ sourceChain: A });
    assert.deepEqual([checkpoint.size, checkpoint.root], [3, pingSend.laneRoot]);
    failed = false;
  });
});
