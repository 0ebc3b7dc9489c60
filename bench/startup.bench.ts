/**
 * Start-up: from launching a pack to its port line, and to a completed `Configure` (Handshake,
 * ConfigureStack, GetPluginInfo, GetAnalyzerInfo, reconciled Configure), as the engine starts a
 * pack on every deployment. Compared side by side: database-guardrails as users run it (compiled
 * `policies/bin/index.js`), the no-op pack (the floor: same `@pulumi/policy`, one policy that does
 * nothing) and `@pulumi/awsguard` (a peer). Runs alternate between the packs so that drift on a
 * shared machine hits all three alike; one unmeasured warm-up run each fills the file cache.
 *
 * Run: `npm run bench -- startup` or `npx ts-node -T bench/startup.bench.ts [--runs N]` (default 15).
 * Target: ours at most 1.15x the no-op pack to a completed Configure.
 */
import * as path from "path";
import {
  AWSGUARD_PACK_DIR,
  NOOP_PACK_DIR,
  OUR_PACK_DIR,
  REPO_ROOT,
  describeMs,
  describeRatio,
  ensureAwsguardInstalled,
  loadLine,
  machineLine,
  median,
  positiveIntegerFlag,
  startConfiguredPack,
} from "./bench-support";

const TARGET_VS_NOOP = 1.15;

interface Contender {
  label: string;
  packDir: string;
  toPortMs: number[];
  toConfigureMs: number[];
}

async function measureOnce(contender: Contender, record: boolean): Promise<void> {
  const started = await startConfiguredPack(contender.packDir);
  await started.client.close();
  if (record) {
    contender.toPortMs.push(started.toPortMs);
    contender.toConfigureMs.push(started.toConfigureMs);
  }
}

async function main(): Promise<void> {
  const runs = positiveIntegerFlag(process.argv.slice(2), "runs", 15);
  const contenders: Contender[] = [
    { label: "database-guardrails (policies/, bin/index.js)", packDir: OUR_PACK_DIR, toPortMs: [], toConfigureMs: [] },
    { label: "no-op pack (bench/noop-pack, 1 policy)", packDir: NOOP_PACK_DIR, toPortMs: [], toConfigureMs: [] },
  ];
  const awsguardProblem = ensureAwsguardInstalled();
  if (awsguardProblem === undefined) {
    contenders.push({ label: "@pulumi/awsguard (bench/awsguard)", packDir: AWSGUARD_PACK_DIR, toPortMs: [], toConfigureMs: [] });
  } else {
    console.log(`@pulumi/awsguard left out: ${awsguardProblem}`);
  }
  console.log(`machine: ${machineLine()}`);
  console.log(`inputs: ${runs} measured runs per pack after 1 warm-up, packs alternating; stack "production", project "bench"`);

  for (const c of contenders) await measureOnce(c, false);
  for (let i = 0; i < runs; i++) {
    for (const c of contenders) await measureOnce(c, true);
  }

  for (const c of contenders) {
    console.log(`${c.label} [${path.relative(REPO_ROOT, c.packDir)}]`);
    console.log(`  to port line:          ${describeMs(c.toPortMs)}`);
    console.log(`  to completed Configure: ${describeMs(c.toConfigureMs)}`);
  }
  const [ours, noop, awsguard] = contenders;
  console.log("ratios (medians):");
  console.log(`  ours / no-op, to port:      ${describeRatio(median(ours!.toPortMs), median(noop!.toPortMs))}`);
  console.log(`  ours / no-op, to Configure: ${describeRatio(median(ours!.toConfigureMs), median(noop!.toConfigureMs), TARGET_VS_NOOP)}`);
  if (awsguard) {
    console.log(`  ours / awsguard, to port:      ${describeRatio(median(ours!.toPortMs), median(awsguard.toPortMs))}`);
    console.log(`  ours / awsguard, to Configure: ${describeRatio(median(ours!.toConfigureMs), median(awsguard.toConfigureMs))}`);
  }
  console.log(`after: ${loadLine()}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
