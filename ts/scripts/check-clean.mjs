// Fails when src/generated/ differs from what git has committed (run after codegen):
// the generated clients must be regenerated from schema/ and committed together.
import { execFileSync } from "node:child_process";

const status = execFileSync("git", ["status", "--porcelain", "--", "src/generated"], { encoding: "utf8" });
if (status.trim() !== "") {
  process.stderr.write(status);
  process.stderr.write(execFileSync("git", ["--no-pager", "diff", "--stat", "--", "src/generated"], { encoding: "utf8" }));
  process.stderr.write("src/generated/ is out of date: run `npm run codegen` in ts/ and commit the result\n");
  process.exit(1);
}
console.log("src/generated/ is current");
