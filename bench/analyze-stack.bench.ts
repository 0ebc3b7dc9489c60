/**
 * Whole stack: `AnalyzeStack` over synthetic stacks of 1,000, 10,000 and 50,000 resources in the
 * engine's wire form (renamed copies of the captured production stack plus application resources:
 * see synthetic-stack.ts for the shares), database-guardrails against the no-op pack given as many
 * stack policies as ours (`@pulumi/policy` deserializes every resource again for each stack
 * policy; with the same count, that cost is the same on both sides and the ratio is ours).
 *
 * Prints wall-clock time and the pack's CPU time, per call and per 1,000 resources at each size.
 * Every stack rule must be linear: the 50,000 figure per 1,000 resources within 1.3x of the 1,000
 * figure, and ours within 1.3x of the no-op pack.
 *
 * Run: `npm run bench -- analyze-stack` or
 * `npx ts-node -T bench/analyze-stack.bench.ts [--runs N] [--sizes 1000,10000,50000]`.
 */
import type { WireResource } from "../guard/wire";
import {
  NOOP_PACK_DIR,
  OUR_PACK_DIR,
  describeMs,
  describeRatio,
  elapsedMs,
  loadLine,
  machineLine,
  median,
  noopPackMirroringOurs,
  packCpuMs,
  positiveIntegerFlag,
  startConfiguredPack,
  type StartedPack,
} from "./bench-support";
import { captureReferenceStack, describeShares, syntheticStack } from "./synthetic-stack";

const TARGET_GROWTH = 1.3;
const TARGET_VS_NOOP = 1.3;

function sizesFlag(argv: readonly string[]): number[] {
  const index = argv.indexOf("--sizes");
  if (index < 0) return [1000, 10000, 50000];
  const sizes = (argv[index + 1] ?? "").split(",").map(Number);
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 10)) {
    throw new Error(`--sizes needs comma-separated integers of at least 10, got ${String(argv[index + 1])}`);
  }
  return sizes;
}

interface Figures {
  wallMs: number[];
  cpuMs: number[];
  diagnostics: number;
}

async function measure(pack: StartedPack, resources: readonly WireResource[], runs: number): Promise<Figures> {
  const figures: Figures = { wallMs: [], cpuMs: [], diagnostics: 0 };
  for (let run = 0; run <= runs; run++) {
    const cpuBefore = packCpuMs(pack.client.packDir);
    const start = process.hrtime.bigint();
    figures.diagnostics = (await pack.client.analyzeStack(resources)).length;
    const wall = elapsedMs(start);
    const cpuAfter = packCpuMs(pack.client.packDir);
    if (run === 0) continue; // warm-up
    figures.wallMs.push(wall);
    if (cpuBefore !== undefined && cpuAfter !== undefined) figures.cpuMs.push(cpuAfter - cpuBefore);
  }
  return figures;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const runs = positiveIntegerFlag(argv, "runs", 3);
  const sizes = sizesFlag(argv);
  const production = await captureReferenceStack("production");
  console.log(`machine: ${machineLine()}`);
  console.log(`inputs: ${runs} measured AnalyzeStack calls per pack and size after 1 warm-up; one pack process per pack for all sizes`);

  const ours = await startConfiguredPack(OUR_PACK_DIR);
  const noop = await startConfiguredPack(NOOP_PACK_DIR, noopPackMirroringOurs());
  const perThousand: Array<{ size: number; ours: Figures; noop: Figures }> = [];
  try {
    for (const size of sizes) {
      const resources = syntheticStack(production, size);
      console.log(`stack: ${describeShares(resources)}`);
      const oursFigures = await measure(ours, resources, runs);
      const noopFigures = await measure(noop, resources, runs);
      perThousand.push({ size, ours: oursFigures, noop: noopFigures });
      const per1k = (ms: number) => `${((ms * 1000) / size).toFixed(1)} ms per 1,000 resources`;
      for (const [label, f] of [["database-guardrails", oursFigures], ["no-op pack (mirrors our policy count)", noopFigures]] as const) {
        console.log(`  ${label}: ${f.diagnostics} diagnostics`);
        console.log(`    wall: ${describeMs(f.wallMs, 0)} = ${per1k(median(f.wallMs))}`);
        if (f.cpuMs.length > 0) console.log(`    pack CPU: ${describeMs(f.cpuMs, 0)} = ${per1k(median(f.cpuMs))}`);
      }
      console.log(`  ours / no-op, wall:     ${describeRatio(median(oursFigures.wallMs), median(noopFigures.wallMs), TARGET_VS_NOOP)}`);
      if (oursFigures.cpuMs.length > 0 && noopFigures.cpuMs.length > 0) {
        console.log(`  ours / no-op, pack CPU: ${describeRatio(median(oursFigures.cpuMs), median(noopFigures.cpuMs), TARGET_VS_NOOP)}`);
      }
      console.log(`  (${loadLine()})`);
    }
  } finally {
    await ours.client.close();
    await noop.client.close();
  }
  const first = perThousand[0];
  const last = perThousand[perThousand.length - 1];
  if (first && last && last !== first) {
    const scaled = (f: Figures, size: number, pick: (f: Figures) => number[]) => (median(pick(f)) * 1000) / size;
    console.log(`growth, time per 1,000 resources at ${last.size} / at ${first.size}:`);
    console.log(`  ours, wall:      ${describeRatio(scaled(last.ours, last.size, (f) => f.wallMs), scaled(first.ours, first.size, (f) => f.wallMs), TARGET_GROWTH)}`);
    console.log(`  no-op, wall:     ${describeRatio(scaled(last.noop, last.size, (f) => f.wallMs), scaled(first.noop, first.size, (f) => f.wallMs))}`);
    if (last.ours.cpuMs.length > 0 && first.ours.cpuMs.length > 0) {
      console.log(`  ours, pack CPU:  ${describeRatio(scaled(last.ours, last.size, (f) => f.cpuMs), scaled(first.ours, first.size, (f) => f.cpuMs), TARGET_GROWTH)}`);
      console.log(`  no-op, pack CPU: ${describeRatio(scaled(last.noop, last.size, (f) => f.cpuMs), scaled(first.noop, first.size, (f) => f.cpuMs))}`);
    }
  }
  console.log(`after: ${loadLine()}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
