/**
 * Offline check: `npm run guard` on the reference stacks (Pulumi.production.yaml,
 * Pulumi.staging.yaml), whole process, as a developer or CI runs it: build, capture of each
 * stack's program under mocks, the pack started as the CLI starts it, every engine call, report.
 * Two variants: through npm (what users type) and `ts-node guard/cli.ts` alone (leaves out npm
 * and the build). No ratio target; the figure tells what the offline check costs a CI job.
 *
 * Run: `npm run bench -- guard` or `npx ts-node -T bench/guard.bench.ts [--runs N]` (default 5).
 */
import { spawnSync } from "child_process";
import { REPO_ROOT, describeMs, elapsedMs, loadLine, machineLine, positiveIntegerFlag } from "./bench-support";

interface Variant {
  label: string;
  command: string;
  args: string[];
  ms: number[];
  exitCodes: Set<number | null>;
}

function runOnce(variant: Variant, record: boolean): void {
  const start = process.hrtime.bigint();
  const result = spawnSync(variant.command, variant.args, { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: "1" }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const ms = elapsedMs(start);
  if (result.error) throw new Error(`${variant.label}: could not run: ${result.error.message}`);
  // Exit 2 is a usage or program error: the figure would not be a check's cost.
  if (result.status === 2 || result.status === null) {
    throw new Error(`${variant.label} failed (exit ${String(result.status ?? result.signal)}):\n${`${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-10).join("\n")}`);
  }
  if (record) {
    variant.ms.push(ms);
    variant.exitCodes.add(result.status);
  }
}

function main(): void {
  const runs = positiveIntegerFlag(process.argv.slice(2), "runs", 5);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const variants: Variant[] = [
    { label: "npm run guard (build + check)", command: npm, args: ["run", "--silent", "guard"], ms: [], exitCodes: new Set() },
    { label: "ts-node guard/cli.ts (check only)", command: process.execPath, args: [require.resolve("ts-node/dist/bin"), "-T", "guard/cli.ts"], ms: [], exitCodes: new Set() },
  ];
  console.log(`machine: ${machineLine()}`);
  console.log(`inputs: the reference stacks (production, staging) with the default pack and config; ${runs} measured runs per variant after 1 warm-up, alternating`);
  for (const v of variants) runOnce(v, false);
  for (let i = 0; i < runs; i++) for (const v of variants) runOnce(v, true);
  for (const v of variants) {
    console.log(`${v.label}: ${describeMs(v.ms, 0)}; exit code ${[...v.exitCodes].join(", ")}`);
  }
  console.log(`after: ${loadLine()}`);
}

try {
  main();
} catch (err: unknown) {
  console.error(err);
  process.exit(1);
}
