/**
 * Per resource: `Analyze` over 5,000 mixed resources in the engine's wire form (databases, backup
 * resources, IAM roles and policies, resources the pack ignores; production and staging), one at a
 * time and 16 in flight, database-guardrails against the no-op pack given as many resource
 * policies as ours (the server deserializes the properties again for each policy it runs).
 *
 * Two measures per pass: wall-clock time seen by the client (includes the client's own protobuf
 * encoding, the same for both packs) and the pack process's CPU time from /proc (the pack's cost
 * alone). Passes alternate between the packs; the first pass of each pack warms it up and is not
 * counted.
 *
 * Run: `npm run bench -- analyze.bench` or `npx ts-node -T bench/analyze.bench.ts [--runs N] [--resources N]`.
 * Target: ours at most 1.2x the no-op pack.
 */
import type { PolicyPackClient } from "../guard/analyzer-client";
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
} from "./bench-support";
import { captureReferenceStack, describeShares, syntheticStack } from "./synthetic-stack";

const TARGET_VS_NOOP = 1.2;
const IN_FLIGHT = 16;

interface Mode {
  label: string;
  inFlight: number;
}

interface Series {
  wallMs: number[];
  cpuMs: number[];
}

async function analyzeAll(client: PolicyPackClient, resources: readonly WireResource[], inFlight: number): Promise<number> {
  let next = 0;
  let diagnostics = 0;
  const worker = async (): Promise<void> => {
    while (next < resources.length) {
      const resource = resources[next++]!;
      diagnostics += (await client.analyze(resource)).length;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return diagnostics;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const runs = positiveIntegerFlag(argv, "runs", 5);
  const size = positiveIntegerFlag(argv, "resources", 5000);
  const [production, staging] = await Promise.all([captureReferenceStack("production"), captureReferenceStack("staging")]);
  // Staging copies stand for the non-production resources a production account also holds.
  const resources = syntheticStack(production, size, staging);
  const modes: Mode[] = [
    { label: "one at a time", inFlight: 1 },
    { label: `${IN_FLIGHT} in flight`, inFlight: IN_FLIGHT },
  ];
  console.log(`machine: ${machineLine()}`);
  console.log(`inputs: ${describeShares(resources)}; every fourth block from the staging stack`);
  console.log(`        ${runs} measured passes per pack and mode after 1 warm-up, packs alternating`);

  const packs = [
    { label: "database-guardrails", started: await startConfiguredPack(OUR_PACK_DIR), diagnostics: 0 },
    { label: "no-op pack (mirrors our policy count)", started: await startConfiguredPack(NOOP_PACK_DIR, noopPackMirroringOurs()), diagnostics: 0 },
  ];
  try {
    const series = new Map<string, Series>();
    for (const mode of modes) {
      for (const pack of packs) series.set(`${pack.label}/${mode.label}`, { wallMs: [], cpuMs: [] });
      for (let pass = 0; pass <= runs; pass++) {
        for (const pack of packs) {
          const cpuBefore = packCpuMs(pack.started.client.packDir);
          const start = process.hrtime.bigint();
          pack.diagnostics = await analyzeAll(pack.started.client, resources, mode.inFlight);
          const wall = elapsedMs(start);
          const cpuAfter = packCpuMs(pack.started.client.packDir);
          if (pass === 0) continue;
          const s = series.get(`${pack.label}/${mode.label}`)!;
          s.wallMs.push(wall);
          if (cpuBefore !== undefined && cpuAfter !== undefined) s.cpuMs.push(cpuAfter - cpuBefore);
        }
      }
    }
    const perResource = (ms: number) => `${((ms * 1000) / resources.length).toFixed(1)} us/resource`;
    for (const mode of modes) {
      console.log(`${mode.label}:`);
      for (const pack of packs) {
        const s = series.get(`${pack.label}/${mode.label}`)!;
        console.log(`  ${pack.label}: ${pack.diagnostics} diagnostics per pass`);
        console.log(`    wall: ${describeMs(s.wallMs, 0)} = ${perResource(median(s.wallMs))}`);
        if (s.cpuMs.length > 0) console.log(`    pack CPU: ${describeMs(s.cpuMs, 0)} = ${perResource(median(s.cpuMs))}`);
      }
      const ours = series.get(`${packs[0]!.label}/${mode.label}`)!;
      const noop = series.get(`${packs[1]!.label}/${mode.label}`)!;
      console.log(`  ours / no-op, wall:     ${describeRatio(median(ours.wallMs), median(noop.wallMs), TARGET_VS_NOOP)}`);
      if (ours.cpuMs.length > 0 && noop.cpuMs.length > 0) {
        console.log(`  ours / no-op, pack CPU: ${describeRatio(median(ours.cpuMs), median(noop.cpuMs), TARGET_VS_NOOP)}`);
      }
    }
  } finally {
    for (const pack of packs) await pack.started.client.close();
  }
  console.log(`after: ${loadLine()}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
