import fc from "fast-check";
import type { EnforcementLevel, FailOn, Finding, FindingKind, StackResult } from "../../guard/model";
import { exitCodeFor, findingClass, summarize } from "../../guard/report/verdict";
import { deferred, resource, stackResult, violation, waived } from "../helpers/guard-run";

const orders = resource("orders");

describe("findingClass", () => {
  test.each<[FindingKind, EnforcementLevel, string]>([
    ["violation", "mandatory", "mandatory"],
    ["violation", "remediate", "mandatory"],
    ["violation", "advisory", "advisory"],
    ["violation", "disabled", "advisory"],
    ["waived", "advisory", "waived"],
    ["deferred", "advisory", "deferred"],
    // The engine blocks on the level, whatever our label says.
    ["waived", "mandatory", "mandatory"],
    ["deferred", "remediate", "mandatory"],
  ])("%s at %s counts as %s", (kind, level, expected) => {
    expect(findingClass({ kind, level })).toBe(expected);
  });

  test("an unexpected level or kind fails closed", () => {
    expect(findingClass({ kind: "violation", level: "blocking" as EnforcementLevel })).toBe("mandatory");
    expect(findingClass({ kind: "surprise" as FindingKind, level: "advisory" })).toBe("advisory");
  });
});

describe("summarize", () => {
  test("counts each class over every stack and the stacks that errored", () => {
    const a = stackResult({ findings: [violation("r1", "mandatory", orders), violation("r2", "remediate", orders), violation("r3", "advisory", orders), waived("r4", orders)] });
    const b = stackResult({ stack: "staging", findings: [deferred("r5", orders), deferred("r6", orders)], error: { message: "boom" } });
    expect(summarize([a, b])).toEqual({ mandatory: 2, advisory: 1, waived: 1, deferred: 2, errors: 1 });
    expect(summarize([])).toEqual({ mandatory: 0, advisory: 0, waived: 0, deferred: 0, errors: 0 });
  });
});

describe("exitCodeFor", () => {
  const clean = stackResult();
  const advisoryOnly = stackResult({ findings: [violation("r", "advisory", orders)] });
  const mandatory = stackResult({ findings: [violation("r", "mandatory", orders)] });
  const remediate = stackResult({ findings: [violation("r", "remediate", orders)] });
  const waivedOnly = stackResult({ findings: [waived("r", orders)] });
  const deferredOnly = stackResult({ findings: [deferred("r", orders)] });
  const errored = stackResult({ error: { message: "TypeError: x is undefined" } });
  const cases: Array<[string, StackResult[], Record<FailOn, 0 | 1 | 2>]> = [
    ["a clean stack", [clean], { mandatory: 0, advisory: 0, none: 0 }],
    ["an advisory violation", [advisoryOnly], { mandatory: 0, advisory: 1, none: 0 }],
    ["a mandatory violation", [mandatory], { mandatory: 1, advisory: 1, none: 0 }],
    ["a remediate-level violation", [remediate], { mandatory: 1, advisory: 1, none: 0 }],
    ["only waived findings", [waivedOnly], { mandatory: 0, advisory: 0, none: 0 }],
    ["only deferred findings", [deferredOnly], { mandatory: 0, advisory: 0, none: 0 }],
    ["a stack that threw", [errored], { mandatory: 2, advisory: 2, none: 2 }],
    ["a stack that threw beside a mandatory violation", [mandatory, errored], { mandatory: 2, advisory: 2, none: 2 }],
    ["a clean stack beside a failing one", [clean, mandatory], { mandatory: 1, advisory: 1, none: 0 }],
    ["no stack at all", [], { mandatory: 2, advisory: 2, none: 2 }],
  ];
  for (const [name, stacks, expected] of cases) {
    test.each<FailOn>(["mandatory", "advisory", "none"])(`${name}, --fail-on %s`, (failOn) => {
      expect(exitCodeFor(stacks, failOn)).toBe(expected[failOn]);
    });
  }

  test("a waived finding the engine would still report as mandatory fails the run", () => {
    expect(exitCodeFor([stackResult({ findings: [{ ...waived("r", orders), level: "mandatory" }] })], "mandatory")).toBe(1);
  });

  test("bad input is an error, never a pass", () => {
    expect(exitCodeFor([stackResult()], "Mandatory" as FailOn)).toBe(2);
    expect(exitCodeFor([stackResult({ findings: undefined as unknown as Finding[] })], "none")).toBe(2);
  });

  test("a stricter --fail-on never gives a lower exit code, and totals count every finding", () => {
    const finding = fc.record({
      kind: fc.constantFrom<FindingKind>("violation", "waived", "deferred"),
      level: fc.constantFrom<EnforcementLevel>("advisory", "mandatory", "remediate", "disabled"),
    });
    const stack = fc.record({ findings: fc.array(finding, { maxLength: 6 }), errored: fc.boolean() });
    fc.assert(
      fc.property(fc.array(stack, { minLength: 1, maxLength: 4 }), (specs) => {
        const stacks = specs.map((s) =>
          stackResult({
            findings: s.findings.map((f) => ({ ...violation("r", f.level, orders), kind: f.kind })),
            ...(s.errored ? { error: { message: "boom" } } : {}),
          }),
        );
        const none = exitCodeFor(stacks, "none");
        const mandatory = exitCodeFor(stacks, "mandatory");
        const advisory = exitCodeFor(stacks, "advisory");
        expect(mandatory).toBeGreaterThanOrEqual(none);
        expect(advisory).toBeGreaterThanOrEqual(mandatory);
        const s = summarize(stacks);
        expect(s.mandatory + s.advisory + s.waived + s.deferred).toBe(specs.reduce((n, x) => n + x.findings.length, 0));
        expect(s.errors).toBe(specs.filter((x) => x.errored).length);
      }),
      { numRuns: 200 },
    );
  });
});
