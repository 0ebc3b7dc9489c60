/**
 * How long a policy pack takes to become usable through the analyzer client: from launch to its
 * port (and a ready connection), and to the end of `Configure` (Handshake, ConfigureStack,
 * GetPluginInfo, GetAnalyzerInfo, reconciliation, Configure), as the engine starts a pack.
 *
 * Run: `npx ts-node -T bench/pack-startup.bench.ts [packDir ...] [--runs N]`
 * Default packs: the test fixture pack, and `policies/` when it has a `PulumiPolicy.yaml`.
 */
import * as fs from "fs";
import * as path from "path";
import { startPolicyPack } from "../guard/analyzer-client";
import { reconcilePolicyConfig } from "../guard/policy-config";

interface Sample {
  toPortMs: number;
  toConfigureMs: number;
}

async function measureOnce(packDir: string): Promise<Sample> {
  const start = process.hrtime.bigint();
  const pack = await startPolicyPack({ packDir, project: "bench", stack: "production" });
  const ready = process.hrtime.bigint();
  try {
    await pack.handshake();
    await pack.configureStack();
    await pack.getPluginInfo();
    const info = await pack.getAnalyzerInfo();
    await pack.configure(reconcilePolicyConfig(info));
    const configured = process.hrtime.bigint();
    return { toPortMs: Number(ready - start) / 1e6, toConfigureMs: Number(configured - start) / 1e6 };
  } finally {
    await pack.close();
  }
}

function summarize(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  return `median ${median.toFixed(0)} ms (min ${(sorted[0] ?? NaN).toFixed(0)}, max ${(sorted[sorted.length - 1] ?? NaN).toFixed(0)})`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsFlag = args.indexOf("--runs");
  const runs = runsFlag >= 0 ? Number(args[runsFlag + 1]) : 7;
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`--runs needs a positive integer, got ${String(args[runsFlag + 1])}`);
  }
  const dirs = args.filter((a, i) => a !== "--runs" && i !== runsFlag + 1);
  const root = path.join(__dirname, "..");
  const packs =
    dirs.length > 0
      ? dirs
      : [path.join(root, "test", "fixtures", "packs", "minimal"), path.join(root, "policies")].filter((dir) =>
          fs.existsSync(path.join(dir, "PulumiPolicy.yaml")),
        );
  console.log(`node ${process.version}, ${runs} run(s) per pack; the first run is reported apart (cold file cache, ts-node cache)`);
  for (const packDir of packs) {
    const samples: Sample[] = [];
    for (let i = 0; i < runs + 1; i++) {
      samples.push(await measureOnce(packDir));
    }
    const [first, ...rest] = samples;
    console.log(path.relative(process.cwd(), packDir) || ".");
    console.log(`  first run: to port ${first?.toPortMs.toFixed(0)} ms, to Configure ${first?.toConfigureMs.toFixed(0)} ms`);
    console.log(`  to port:      ${summarize(rest.map((s) => s.toPortMs))}`);
    console.log(`  to Configure: ${summarize(rest.map((s) => s.toConfigureMs))}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
