/**
 * Tracking a message on its destination: `message_status` of the inbox, polled until the
 * message is final (delivered, failed or timed out), bounded in time.
 */
import { DeliveryError } from "./errors.js";
import type { MessageStatus, MessageStatusResponse } from "./generated/CcmpInbox.types.js";

/** What `waitForDelivery` needs of a client: CosmJS `CosmWasmClient` / `SigningCosmWasmClient`. */
export interface ContractQuerier {
  queryContractSmart(address: string, queryMsg: Record<string, unknown>): Promise<unknown>;
}

export interface WaitForDeliveryOptions {
  /** Give up after this long (required: every wait is bounded). */
  timeoutMs: number;
  /** Pause between two queries (default 500 ms). */
  pollMs?: number;
  /** Stops the wait early (throws `DeliveryError` of kind `aborted`). */
  signal?: AbortSignal;
}

const STATUSES: readonly MessageStatus[] = ["unknown", "delivered", "failed", "timed_out"];

/** Checks the shape of a `message_status` answer. */
export function parseMessageStatus(value: unknown): MessageStatusResponse {
  const invalid = (reason: string): never => {
    throw new DeliveryError({ kind: "invalid_response", reason: `${reason}: ${JSON.stringify(value)}` });
  };
  if (typeof value !== "object" || value === null) return invalid("not an object");
  const record = value as Record<string, unknown>;
  const status = record["status"];
  if (typeof status !== "string" || !(STATUSES as readonly string[]).includes(status)) return invalid("unknown status");
  const attempts = record["attempts"];
  if (typeof attempts !== "number" || !Number.isSafeInteger(attempts) || attempts < 0) return invalid("attempts is not a count");
  const out: MessageStatusResponse = { status: status as MessageStatus, attempts };
  const id = record["message_id"];
  if (id !== undefined && id !== null) {
    if (typeof id !== "string") return invalid("message_id is not hex");
    out.message_id = id;
  }
  const error = record["error"];
  if (error !== undefined && error !== null) {
    if (typeof error !== "string") return invalid("error is not a string");
    out.error = error;
  }
  const height = record["updated_at_height"];
  if (height !== undefined && height !== null) {
    if (typeof height !== "number" || !Number.isSafeInteger(height)) return invalid("updated_at_height is not a height");
    out.updated_at_height = height;
  }
  return out;
}

/** The inbox's `message_status` of `(sourceChain, nonce)` once. */
export async function queryMessageStatus(
  client: ContractQuerier,
  inboxAddress: string,
  sourceChain: string,
  nonce: number | bigint,
): Promise<MessageStatusResponse> {
  const answer = await client.queryContractSmart(inboxAddress, {
    message_status: { source_chain: sourceChain, nonce: Number(nonce) },
  });
  return parseMessageStatus(answer);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DeliveryError({ kind: "aborted" }));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new DeliveryError({ kind: "aborted" }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `promise`, or undefined once `ms` have passed (the query is then abandoned). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Polls the destination inbox's `message_status` for `(sourceChain, nonce)` until it is
 * no longer `unknown`, and returns it: `delivered`, `failed` (the receiver refused it; a
 * `retry` may still deliver it later) or `timed_out`. Throws `DeliveryError` of kind
 * `timeout` (with the last status seen) after `timeoutMs`, and `invalid_response` for an
 * answer that is not a `message_status`. A query that fails (a node restarting) is retried
 * until the deadline; the last error is kept as the timeout's `lastStatus`.
 */
export async function waitForDelivery(
  client: ContractQuerier,
  inboxAddress: string,
  sourceChain: string,
  nonce: number | bigint,
  options: WaitForDeliveryOptions,
): Promise<MessageStatusResponse> {
  const { timeoutMs, pollMs = 500, signal } = options;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new DeliveryError({ kind: "invalid_options", reason: `timeoutMs must be a positive number, not ${timeoutMs}` });
  }
  if (!Number.isFinite(pollMs) || pollMs <= 0) {
    throw new DeliveryError({ kind: "invalid_options", reason: `pollMs must be a positive number, not ${pollMs}` });
  }
  const deadline = Date.now() + timeoutMs;
  let polls = 0;
  let last: string | null = null;
  for (;;) {
    if (signal?.aborted) throw new DeliveryError({ kind: "aborted" });
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    polls++;
    let status: MessageStatusResponse | undefined;
    try {
      status = await within(queryMessageStatus(client, inboxAddress, sourceChain, nonce), remaining);
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      last = `query failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (status !== undefined) {
      if (status.status !== "unknown") return status;
      last = status.status;
    }
    const pause = Math.min(pollMs, deadline - Date.now());
    if (pause <= 0) break;
    await sleep(pause, signal);
  }
  throw new DeliveryError({ kind: "timeout", timeoutMs, polls, lastStatus: last });
}
