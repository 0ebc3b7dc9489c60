/**
 * Fuzzing the real pack process over gRPC (one pack for the file, started as the CLI starts it):
 * a few hundred arbitrary resources of every judged type and a few arbitrary stacks, in the
 * engine's wire form. Every call answers (no gRPC error, whatever the property bag), the process
 * stays up, and a production database with no diagnostic from a rule really satisfies it.
 * Seeded like the in-process fuzz (`FC_SEED`); a failure names the seed and the case.
 */
import fc from "fast-check";
import type { WireProperties, WireResource } from "../../guard/wire";
import { RESOURCE_RULES } from "../../policies/rules";
import { type PackSession, of, startPackSession, wireResource } from "../helpers/pack-session";
import { type ResourceCase, type StackCase, fuzzSeed, resourceCase, stackCase, stackFakes, wireForms } from "./fuzz-cases";
import { AWS_PROVIDER, COMPLIANT } from "./oracles";

const STACK = "staging"; // production comes from the resources' tags, as the rules need it
const seed = fuzzSeed();
const RESOURCES_PER_RULE = Number(process.env.FUZZ_GRPC_RUNS ?? 6); // `FUZZ_GRPC_RUNS=25 npx jest test/fuzz` for a longer run
const STACKS = Number(process.env.FUZZ_GRPC_STACKS ?? 3);

let pack: PackSession;
beforeAll(async () => {
  pack = await startPackSession(STACK);
});
afterAll(async () => {
  await pack?.close();
});

function toWire(c: ResourceCase, index: number): { resource: WireResource; oracleProps: Record<string, unknown> } {
  const { props, providerProps, oracleProps } = wireForms(c);
  const resource = wireResource(STACK, c.type, props as WireProperties, { protect: c.protect, ignoreChanges: c.ignoreChanges }, { name: `fuzz${index}` });
  if (providerProps) {
    resource.provider = { type: AWS_PROVIDER, name: "aws", urn: `urn:pulumi:${STACK}::shop::${AWS_PROVIDER}::aws`, properties: providerProps as WireProperties };
  }
  return { resource, oracleProps };
}

describe(`fuzzing the pack over gRPC (seed ${seed})`, () => {
  test(`${RESOURCES_PER_RULE} arbitrary resources per resource rule: every Analyze answers, no production database passes unguarded`, async () => {
    const failures: string[] = [];
    let index = 0;
    for (const rule of RESOURCE_RULES) {
      const cases = fc.sample(resourceCase(rule, ["wire"]), { seed: seed + index, numRuns: RESOURCES_PER_RULE });
      for (const c of cases) {
        const { resource, oracleProps } = toWire(c, index++);
        let diagnostics;
        try {
          diagnostics = await pack.analyze(resource);
        } catch (e) {
          failures.push(`${rule.id}: Analyze failed (${e instanceof Error ? e.message : String(e)}) for ${JSON.stringify(c).slice(0, 2_000)}`);
          continue;
        }
        const judged = !rule.productionOnly || c.form !== "fuzzed";
        const compliant = COMPLIANT[rule.id]!({ type: c.type, props: oracleProps, protect: c.protect, ignoreChanges: c.ignoreChanges });
        if (judged && !compliant && of(diagnostics, rule.id).length === 0) failures.push(`${rule.id}: no diagnostic on ${JSON.stringify(c).slice(0, 2_000)}`);
        const internal = diagnostics.find((d) => d.message.includes("failed to evaluate"));
        if (internal) failures.push(`${rule.id}: internal failure ${internal.message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  test(`${STACKS} arbitrary stacks: every AnalyzeStack answers without an internal failure`, async () => {
    const stacks: StackCase[] = fc.sample(stackCase(["wire"]), { seed, numRuns: STACKS });
    for (const [n, c] of stacks.entries()) {
      const urn = (type: string, name: string) => `urn:pulumi:${STACK}::shop::${type}::s${n}${name}`;
      const fakes = stackFakes(c, true);
      const types = new Map(fakes.map((f) => [f.name, f.type]));
      const resources: WireResource[] = fakes.map((f) => {
        const propertyDependencies: Record<string, string[]> = {};
        for (const [property, names] of Object.entries(f.propertyDependencies ?? {})) propertyDependencies[property] = names.map((name) => urn(types.get(name)!, name));
        const resource = wireResource(STACK, f.type, f.props as WireProperties, {}, { name: `s${n}${f.name}`, propertyDependencies, dependencies: [...new Set(Object.values(propertyDependencies).flat())] });
        if (f.provider) resource.provider = { type: f.provider.type, name: f.provider.name, urn: urn(f.provider.type, f.provider.name), properties: f.provider.props as WireProperties };
        return resource;
      });
      const diagnostics = await pack.client.analyzeStack(resources);
      expect(diagnostics.filter((d) => d.message.includes("failed to evaluate"))).toEqual([]);
    }
  });

  test("the pack is still up and judging after the fuzz", async () => {
    const ds = await pack.analyze(wireResource(STACK, "aws:rds/instance:Instance", { tags: { environment: "production" }, deletionProtection: false }));
    expect(of(ds, "prod-db-deletion-protection")).toHaveLength(1);
  });
});
