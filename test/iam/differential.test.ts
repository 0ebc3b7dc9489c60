/**
 * The evaluator against the oracle (`@cloud-copilot/iam-simulate`) on generated policies: seeded
 * and reproducible, 1,000 cases in every run (the long run is test/iam/differential.ts).
 */
import { compareWithOracle, runDifferential } from "./differential-cases";

const SEED = 20240611;
const CASES = 1_000;

describe("differential: evaluator vs iam-simulate", () => {
  it(`agrees on ${CASES} generated cases (seed ${SEED}), or is uncertain with the oracle inside its range`, () => {
    const run = runDifferential(CASES, SEED);
    if (run.failure) throw new Error(`disagreement (rerun: npx ts-node --transpile-only test/iam/differential.ts ${CASES} ${SEED})\n${run.failure}`);
    expect(run.cases).toBe(CASES);
    // Uncertainty is allowed, but a generator that makes the evaluator unsure of most cases tests nothing.
    expect(run.certain / run.cases).toBeGreaterThan(0.85);
  });

  it("the comparison itself rejects a certain answer the oracle contradicts", () => {
    const base = {
      action: "rds:DeleteDBInstance",
      resource: "arn:aws:rds:us-east-1:123456789012:db:orders",
      context: { "aws:ResourceTag/environment": "Production" },
    };
    const deny = { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/environment": "production" } } }] };
    const allow = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "rds:*", Resource: "*" }] };
    expect(compareWithOracle({ ...base, policies: [{ name: "a", document: allow }, { name: "d", document: deny }] })).toEqual({ agrees: true, certain: true });
    // A document the evaluator refuses is a failure of the comparison, never a pass.
    const refused = compareWithOracle({ ...base, policies: [{ name: "x", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "rds:*", Resource: "*", Condition: { StringEqualz: { k: "v" } } }] } }] });
    expect(refused.agrees).toBe(false);
  });
});
