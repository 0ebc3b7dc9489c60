/**
 * Fuzzing every rule in-process (see fuzz-cases.ts for the properties). Seeded: `FC_SEED=<n>`
 * replays a run; a failure prints its seed, the path to the shrunk case and the case as a recipe.
 * `npm run fuzz` runs the same properties with many more cases.
 */
import fc from "fast-check";
import { RESOURCE_RULES, STACK_RULES } from "../../policies/rules";
import { fuzzSeed, resourceRuleProperties, stackRuleProperties } from "./fuzz-cases";

const seed = fuzzSeed();
const RESOURCE_RUNS = 25;
const STACK_RUNS = 8;

describe(`fuzzing the rules (seed ${seed})`, () => {
  test("every rule of the pack is fuzzed", () => {
    expect(resourceRuleProperties().map((p) => p.name)).toEqual(RESOURCE_RULES.flatMap((r) => [`${r.id} via check`, `${r.id} via policy`]));
    expect(stackRuleProperties().map((p) => p.name)).toEqual(STACK_RULES.flatMap((r) => [`${r.id} via check`, `${r.id} via policy`]));
  });

  test.each(resourceRuleProperties().map((p) => [p.name, p.property] as const))("resource rule %s", (_name, property) => {
    fc.assert(property, { seed, numRuns: RESOURCE_RUNS });
  });

  test.each(stackRuleProperties().map((p) => [p.name, p.property] as const))("stack rule %s", (_name, property) => {
    fc.assert(property, { seed, numRuns: STACK_RUNS });
  });
});
