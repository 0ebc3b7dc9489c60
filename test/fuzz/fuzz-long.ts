/**
 * The long fuzz run (`npm run fuzz`): the in-process properties of fuzz-cases.ts with megabyte
 * strings, thousands of nesting levels and many cases. `FC_SEED` picks the seed, `FUZZ_RUNS` the
 * cases per property (default 5,000; 100,000 for a soak). Exits non-zero on the first failing
 * property, printing its seed, the shrunk case and the reason. `FUZZ_ONLY` (part of a property's
 * name, e.g. `iam-no-prod-db-destruction`) runs only the matching properties.
 */
import fc from "fast-check";
import { fuzzSeed, resourceRuleProperties, stackRuleProperties } from "./fuzz-cases";

function runsFromEnv(): number {
  const raw = process.env.FUZZ_RUNS;
  const runs = raw === undefined || raw === "" ? 5_000 : Number(raw);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`FUZZ_RUNS must be a positive integer, got "${raw}"`);
  return runs;
}

function main(): number {
  const seed = fuzzSeed();
  const numRuns = runsFromEnv();
  console.log(`fuzzing every rule: seed ${seed}, ${numRuns} cases per property, heavy values`);
  const properties: Array<{ name: string; property: fc.IProperty<[never]> }> = [
    ...(resourceRuleProperties(true) as Array<{ name: string; property: fc.IProperty<[never]> }>),
    ...(stackRuleProperties(true) as Array<{ name: string; property: fc.IProperty<[never]> }>),
  ];
  const only = process.env.FUZZ_ONLY ?? "";
  for (const { name, property } of properties.filter((p) => p.name.includes(only))) {
    const started = Date.now();
    const result = fc.check(property, { seed, numRuns });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (result.failed) {
      console.error(`FAILED ${name} (seed ${seed}, path ${result.counterexamplePath ?? "?"}) after ${result.numRuns} cases:`);
      console.error(`case: ${fc.stringify(result.counterexample)}`);
      console.error(`reason: ${result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance)}`);
      console.error(`replay: FC_SEED=${seed} FUZZ_RUNS=${numRuns} npm run fuzz`);
      return 1;
    }
    console.log(`ok ${name}: ${result.numRuns} cases in ${seconds} s`);
  }
  return 0;
}

process.exitCode = main();
