/**
 * `npm test`: typecheck, lint, then every vitest project (unit, integration on real PostgreSQL,
 * browser tests in Chromium). Prints each step's time and, last, one line "N passed, N failed".
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);
const started = Date.now();
const timings: Array<[string, number, boolean]> = [];

function step(name: string, command: string, args: string[]): boolean {
  const t0 = Date.now();
  console.log(`\n── ${name} ──`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit", env: process.env });
  const ok = result.status === 0;
  timings.push([name, (Date.now() - t0) / 1000, ok]);
  return ok;
}

const report = path.join(ROOT, "test-artifacts", "vitest-report.json");
fs.mkdirSync(path.dirname(report), { recursive: true });
fs.rmSync(report, { force: true });

let ok = step("typecheck (app)", bin("tsc"), ["--noEmit"]);
ok = step("typecheck (POS extension)", bin("tsc"), ["--noEmit", "-p", "pos-extension"]) && ok;
ok = step("lint", bin("eslint"), ["--max-warnings", "0", "."]) && ok;
ok = step("vitest (unit, integration, e2e)", bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`]) && ok;

let passed = 0;
let failed = 0;
let skipped = 0;
if (fs.existsSync(report)) {
  const json = JSON.parse(fs.readFileSync(report, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    testResults: Array<{ status: string; assertionResults: Array<{ status: string }> }>;
  };
  passed = json.numPassedTests;
  // A file that fails before its tests run (an import error) counts as one failure.
  const brokenFiles = json.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed")).length;
  failed = json.numFailedTests + brokenFiles;
  skipped = json.numPendingTests + json.numTodoTests;
}
for (const [name, , stepOk] of timings) if (!stepOk && !name.startsWith("vitest")) failed += 1;
// The summary trusts the report, not only the runner's exit code.
const vitestStep = timings.find(([name]) => name.startsWith("vitest"));
if (vitestStep && failed > 0) vitestStep[2] = false;

console.log("\n── summary ──");
for (const [name, seconds, stepOk] of timings) console.log(`${stepOk ? "ok  " : "FAIL"} ${name.padEnd(34)} ${seconds.toFixed(1)} s`);
console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(ok && failed === 0 ? 0 : 1);
