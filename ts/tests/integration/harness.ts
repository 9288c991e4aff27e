/**
 * The bridge on the localnet (scripts/localnet.sh), driven as operators drive it: the
 * `ccmp` binary's `deploy`, three `ccmp attest` processes per source chain (secp256k1,
 * weight 1, threshold 2) and one `ccmp relay`. Every process started here is killed in
 * `stop()`, and on process exit too; every wait is bounded.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Secp256k1 } from "@cosmjs/crypto";
import { fromHex, toBase64, toHex } from "@cosmjs/encoding";

export const A = "ccmp-a";
export const B = "ccmp-b";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

export interface ManifestChain {
  chain_id: string;
  rpc: string;
  prefix: string;
  denom: string;
  gas_price: string;
  accounts: Record<string, { address: string; key_file: string }>;
}

export interface Deployment {
  chains: Record<string, { outbox: { address: string }; inbox: { address: string }; pingpong?: { address: string } | null }>;
}

export function localnetDir(): string {
  const dir = process.env["CCMP_LOCALNET_DIR"];
  return dir !== undefined && dir !== "" ? dir : join(repo, ".localnet");
}

/** The manifest's chains by id, or undefined when no localnet manifest exists. */
export function readManifest(): Map<string, ManifestChain> | undefined {
  const path = join(localnetDir(), "localnet.json");
  if (!existsSync(path)) return undefined;
  const manifest = JSON.parse(readFileSync(path, "utf8")) as { chains: ManifestChain[] };
  return new Map(manifest.chains.map((c) => [c.chain_id, c]));
}

export function artifactsDir(): string {
  const dir = process.env["CCMP_ARTIFACTS_DIR"];
  return dir !== undefined && dir !== "" ? dir : join(repo, "artifacts");
}

/** `CCMP_BIN`, else the workspace's debug build. */
export function ccmpBinary(): string {
  const bin = process.env["CCMP_BIN"];
  if (bin !== undefined && bin !== "") return bin;
  const target = process.env["CARGO_TARGET_DIR"];
  return join(target !== undefined && target !== "" ? target : join(repo, "target"), "debug", "ccmp");
}

/** The 32-byte secret of a CCMP key file (`{ "key_type", "secret_hex" }`). */
export function readKeySecret(path: string): Uint8Array {
  const file = JSON.parse(readFileSync(path, "utf8")) as { key_type: string; secret_hex: string };
  if (file.key_type !== "secp256k1") throw new Error(`${path}: a ${file.key_type} key, not secp256k1`);
  return fromHex(file.secret_hex);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Polls `done` every `pollMs` until it holds; throws after `timeoutMs` naming `what`. */
export async function waitUntil(what: string, timeoutMs: number, done: () => Promise<boolean>, pollMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

interface Attester {
  source: string;
  index: number;
  keyFile: string;
  pubkeyBase64: string;
  listen: string;
}

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export class Bridge {
  readonly dir = mkdtempSync(join(tmpdir(), "ccmp-ts-it-"));
  private readonly children = new Map<string, ChildProcess>();
  private attesters: Attester[] = [];
  private stopping = false;
  private crashed: (err: Error) => void = () => {};
  /** Rejects as soon as a service exits by itself (never resolves). */
  private readonly crash = new Promise<never>((_, reject) => {
    this.crashed = reject;
  });

  constructor(
    readonly chains: Map<string, ManifestChain>,
    readonly bin: string,
  ) {
    this.crash.catch(() => {}); // observed through guard() and checkRunning()
  }

  chain(id: string): ManifestChain {
    const chain = this.chains.get(id);
    if (chain === undefined) throw new Error(`the localnet has no chain ${id}`);
    return chain;
  }

  /** Three fresh secp256k1 attester keys per source chain, with listen addresses. */
  async makeAttesters(): Promise<void> {
    for (const source of [A, B]) {
      for (let index = 0; index < 3; index++) {
        let secret: Uint8Array;
        let pubkey: Uint8Array;
        for (;;) {
          secret = new Uint8Array(randomBytes(32));
          try {
            pubkey = Secp256k1.compressPubkey((await Secp256k1.makeKeypair(secret)).pubkey);
            break;
          } catch {
            // Zero or over the group order: draw again (probability ~2^-128).
          }
        }
        const keyFile = join(this.dir, `attester-${source}-${index}.json`);
        writeFileSync(keyFile, JSON.stringify({ key_type: "secp256k1", secret_hex: toHex(secret) }), { mode: 0o600 });
        this.attesters.push({ source, index, keyFile, pubkeyBase64: toBase64(pubkey), listen: `127.0.0.1:${await freePort()}` });
      }
    }
  }

  /** A configuration file: the chains (signing as `account`), lanes, deploy section, `extra`. */
  config(name: string, account: string, extra = ""): string {
    let text = "";
    for (const id of [A, B]) {
      const c = this.chain(id);
      const account_ = c.accounts[account];
      if (account_ === undefined) throw new Error(`no account ${account} on ${id}`);
      text += `[chains.${id}]\nrpc = "${c.rpc}"\nprefix = "${c.prefix}"\nfee_denom = "${c.denom}"\ngas_price = ${c.gas_price}\ngas_multiplier = 1.4\nkey_file = "${account_.key_file}"\ntx_timeout_seconds = 30\n\n`;
    }
    text += `[deployment]\nfile = "${join(this.dir, "deployment.json")}"\n\n`;
    text += `[[lanes]]\nsource = "${A}"\ndestination = "${B}"\n\n[[lanes]]\nsource = "${B}"\ndestination = "${A}"\n\n`;
    text += `[deploy]\nwasm_dir = "${artifactsDir()}"\ntrust_delay_seconds = 0\ndapp = true\n`;
    for (const source of [A, B]) {
      const set = this.attesters
        .filter((a) => a.source === source)
        .map((a) => `{ pubkey = { secp256k1 = "${a.pubkeyBase64}" }, weight = 1 }`)
        .join(", ");
      text += `\n[deploy.attesters.${source}]\nthreshold = 2\nattesters = [${set}]\n`;
    }
    text += extra;
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  /** Runs `ccmp args` to completion (bounded); throws with its output unless it exits 0. */
  run(args: string[], timeoutMs: number): Promise<string> {
    return new Promise((resolveRun, reject) => {
      execFile(this.bin, args, { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (err !== null) reject(new Error(`ccmp ${args.join(" ")} failed (${err.message}):\n${stdout}${stderr}`));
        else resolveRun(`${stdout}${stderr}`);
      });
    });
  }

  async deploy(timeoutMs: number): Promise<Deployment> {
    await this.run(["--config", this.config("deploy.toml", "deployer"), "deploy"], timeoutMs);
    return JSON.parse(readFileSync(join(this.dir, "deployment.json"), "utf8")) as Deployment;
  }

  private spawn(name: string, args: string[]): void {
    const log = openSync(join(this.dir, `${name}.log`), "w");
    const child = spawn(this.bin, ["--log", "info", ...args], { stdio: ["ignore", log, log] });
    closeSync(log);
    live.add(child);
    child.once("exit", (code, signal) => {
      live.delete(child);
      if (!this.stopping) this.crashed(new Error(`${name} exited (${code ?? signal}):\n${this.logTail(name, 40)}`));
    });
    this.children.set(name, child);
  }

  /** `promise`, or the error of a service that exited by itself while it was pending. */
  guard<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.crash]);
  }

  startAttesters(): void {
    for (const a of this.attesters) {
      const destination = a.source === A ? B : A;
      const config = this.config(
        `attester-${a.source}-${a.index}.toml`,
        "validator",
        `\n[attester]\nkey_file = "${a.keyFile}"\nstore_dir = "${join(this.dir, `attester-${a.source}-${a.index}`)}"\nlisten = "${a.listen}"\nlanes = [{ source = "${a.source}", destination = "${destination}" }]\npoll_interval_ms = 300\n`,
      );
      this.spawn(`attester-${a.source}-${a.index}`, ["--config", config, "attest"]);
    }
  }

  /** One relayer for both lanes; `retry` of failed messages off, so a failure stays final. */
  startRelayer(): void {
    const endpoints = (source: string): string =>
      this.attesters
        .filter((a) => a.source === source)
        .map((a) => `{ url = "http://${a.listen}" }`)
        .join(", ");
    const config = this.config(
      "relayer.toml",
      "relayer",
      `\n[relayer]\npoll_interval_ms = 300\nattester_timeout_ms = 2000\ncheck_attesters_at_start = false\n[relayer.attesters]\n${A} = [${endpoints(A)}]\n${B} = [${endpoints(B)}]\n[relayer.backoff]\ninitial_ms = 100\nmax_ms = 1000\nmax_attempts = 20\n[relayer.retry_failed]\nenabled = false\n`,
    );
    this.spawn("relayer", ["--config", config, "relay"]);
  }

  /** Throws when a service exited by itself, with the end of its log. */
  checkRunning(): void {
    for (const [name, child] of this.children) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${this.logTail(name, 40)}`);
      }
    }
  }

  logTail(name: string, lines: number): string {
    const path = join(this.dir, `${name}.log`);
    return existsSync(path) ? readFileSync(path, "utf8").split("\n").slice(-lines).join("\n") : "";
  }

  /** SIGTERM to every process, SIGKILL to any still running after `graceMs`; removes the directory. */
  async stop(graceMs = 5000, keepDir = false): Promise<void> {
    this.stopping = true;
    const running = [...this.children.values()].filter((c) => c.exitCode === null && c.signalCode === null);
    await Promise.all(
      running.map(
        (child) =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
            child.once("exit", () => {
              clearTimeout(timer);
              done();
            });
            child.kill("SIGTERM");
          }),
      ),
    );
    this.children.clear();
    if (!keepDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
