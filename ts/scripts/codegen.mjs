// Regenerates src/generated/ from the committed contract schemas (../schema/<contract>/)
// with the pinned @cosmwasm/ts-codegen: one <Contract>.types.ts and <Contract>.client.ts
// per contract, on @cosmjs/cosmwasm-stargate. The output is committed;
// `npm run check-generated` fails when regenerating changes it.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import codegen from "@cosmwasm/ts-codegen";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const schema = join(root, "..", "schema");
const outPath = join(root, "src", "generated");

// Each contract's one IDL file, <contract_name>.json: this ts-codegen reads every *.json
// below the directory it is given (but raw/), so the cw_schema/ copy is left out by giving
// it a directory holding the IDL file alone.
const work = mkdtempSync(join(tmpdir(), "ccmp-codegen-"));
const contracts = [
  ["CcmpOutbox", "outbox", "ccmp-outbox.json"],
  ["CcmpInbox", "inbox", "ccmp-inbox.json"],
  ["CcmpPingpong", "pingpong", "ccmp-pingpong.json"],
].map(([name, dir, file]) => {
  const only = join(work, dir);
  mkdirSync(only);
  copyFileSync(join(schema, dir, file), join(only, file));
  return { name, dir: only };
});

rmSync(outPath, { recursive: true, force: true });
try {
await codegen.default({
  contracts,
  outPath,
  options: {
    bundle: { enabled: false },
    types: { enabled: true, itemsUseTuples: false },
    client: { enabled: true, execExtendsQuery: true, noImplicitOverride: false },
    reactQuery: { enabled: false },
    recoil: { enabled: false },
    messageComposer: { enabled: false },
    messageBuilder: { enabled: false },
    useContractsHook: { enabled: false },
  },
});
} finally {
  rmSync(work, { recursive: true, force: true });
}

// Node's ESM loader needs the file extension on relative imports; this ts-codegen writes
// them without one. Add ".js" (what tsc emits for a ".ts" source).
for (const file of readdirSync(outPath).filter((f) => f.endsWith(".ts")).sort()) {
  const path = join(outPath, file);
  const text = readFileSync(path, "utf8");
  writeFileSync(path, text.replace(/(from\s+["'])(\.\.?\/[^"']+?)(?<!\.js)(["'])/g, "$1$2.js$3"));
}
