/**
 * The long differential run against the oracle (`@cloud-copilot/iam-simulate`):
 *
 *   npx ts-node --transpile-only test/iam/differential.ts [cases=10000] [seed=20240611]
 *
 * Seeded and reproducible; exits 1 with the seed and the shrunk counterexample on a disagreement.
 */
import { runDifferential } from "./differential-cases";

function positiveInteger(text: string | undefined, fallback: number, what: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) {
    console.error(`${what} must be a positive integer, not "${text}"`);
    process.exit(2);
  }
  return n;
}

const cases = positiveInteger(process.argv[2], 10_000, "cases");
const seed = positiveInteger(process.argv[3], 20240611, "seed");
const started = process.hrtime.bigint();
const run = runDifferential(cases, seed);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
if (run.failure) {
  console.error(`IAM differential: DISAGREEMENT after ${run.cases} agreeing cases\n${run.failure}`);
  process.exit(1);
}
const share = ((100 * run.certain) / run.cases).toFixed(1);
console.log(`IAM differential: ${run.cases} cases agree with the oracle (seed ${seed}); the evaluator was certain in ${run.certain} (${share}%), within range otherwise; ${seconds.toFixed(1)} s`);
