/**
 * lib/glob.ts: the same answers as the regular expressions it replaced (checked against RegExp on
 * generated patterns, with barred characters and letter case), in time that does not explode on
 * patterns made to make a backtracking matcher stall.
 */
import fc from "fast-check";
import { Glob, type GlobElement, globElements, globMatches } from "../../policies/lib/glob";

const SEED = Number(process.env.FC_SEED ?? 20261126);

function regexOf(elements: readonly GlobElement[]): string {
  let source = "";
  for (const e of elements) {
    if (e.kind === "char") source += e.char.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    else {
      const cls = e.forbidden === "" ? "[\\s\\S]" : `[^${e.forbidden.replace(/[\]\\^-]/g, "\\$&")}]`;
      source += e.kind === "star" ? `${cls}*` : cls;
    }
  }
  return `^${source}$`;
}

const element: fc.Arbitrary<GlobElement> = fc.oneof(
  fc.constantFrom("a", "A", "b", "z", "Z", "@", "`", "{", ":", "/", "é", "É", "ſ", "S", "\u212a", "k", "σ", "ς", "ß", "ı", "I").map((char): GlobElement => ({ kind: "char", char })),
  fc.constantFrom("", ":", ":/").map((forbidden): GlobElement => ({ kind: "star", forbidden })),
  fc.constantFrom("", ":").map((forbidden): GlobElement => ({ kind: "one", forbidden })),
);
const text = fc.array(fc.constantFrom("a", "A", "b", "z", "Z", "@", "`", "{", "[", ":", "/", "é", "É", "ſ", "s", "S", "\u212a", "k", "K", "σ", "ς", "Σ", "ß", "ı", "i", "I", "İ"), { maxLength: 12 }).map((cs) => cs.join(""));

describe("Glob", () => {
  test("answers as the equivalent RegExp does, with and without case folding", () => {
    fc.assert(
      fc.property(fc.array(element, { maxLength: 10 }), text, fc.boolean(), (elements, t, ignoreCase) => {
        expect(new Glob(elements).test(t, ignoreCase)).toBe(new RegExp(regexOf(elements), ignoreCase ? "i" : "").test(t));
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  test.each([
    ["rds:Delete*", "rds:DeleteDBInstance", true],
    ["rds:Delete*", "rds:deletedbinstance", false],
    ["rds:*Instance", "rds:DeleteDBInstance", true],
    ["rds:?elete*", "rds:DeleteDBInstance", true],
    ["*", "", true],
    ["", "", true],
    ["", "a", false],
    ["a*b*c", "abc", true],
    ["a*b*c", "acb", false],
    ["a**", "a", true],
    ["?", "", false],
    ["?", "ab", false],
  ])("%s against %s: %s", (pattern, t, expected) => {
    expect(new Glob(globElements(pattern, true)).test(t)).toBe(expected);
  });

  test.each([
    // RegExp's i flag folds by upper case: final and medial sigma meet, sharp s and dotless i stay themselves.
    ["σ", "ς", true],
    ["σ", "Σ", true],
    ["ß", "SS", false],
    ["ß", "S", false],
    ["é", "É", true],
    ["É", "é", true],
    ["ı", "I", false],
    ["i", "I", true],
    ["ſ", "S", false],
    ["z", "Z", true],
    ["@", "`", false],
    ["[", "{", false],
    ["*ab", "XAB", true],
    ["*abc", "xxABC", true],
    ["*ab", "XBA", false],
  ])("%s against %s, ignoring case: %s (as RegExp)", (pattern, t, expected) => {
    expect(globMatches(pattern, t, { ignoreCase: true })).toBe(expected);
    expect(new RegExp(`^${pattern.replace(/[[@`{]/g, "\\$&").replace("*", "[\\s\\S]*")}$`, "i").test(t)).toBe(expected);
  });

  test("`?` matches any character, upper-case letters included", () => {
    expect(globMatches("a?c", "aSc", { question: true })).toBe(true);
    expect(globMatches("a?c", "a!c", { question: true })).toBe(true);
  });

  test("the same pattern with and without `?` as a wildcard is compiled apart", () => {
    expect(globMatches("ab?", "abc", { question: true })).toBe(true);
    expect(globMatches("ab?", "abc")).toBe(false);
    expect(globMatches("ab?", "ab?")).toBe(true);
  });

  test("a `?` is literal unless asked for; `*` is always a wildcard", () => {
    expect(globMatches("prod-?", "prod-1")).toBe(false);
    expect(globMatches("prod-?", "prod-?")).toBe(true);
    expect(globMatches("prod-?", "prod-1", { question: true })).toBe(true);
    expect(globMatches("PROD-*", "prod-eu", { ignoreCase: true })).toBe(true);
    expect(globMatches("PROD-*", "prod-eu")).toBe(false);
  });

  test("a literal pattern compares case-insensitively only when asked", () => {
    expect(new Glob(globElements("Orders", false)).test("orders")).toBe(false);
    expect(new Glob(globElements("Orders", false)).test("orders", true)).toBe(true);
  });

  test("patterns that make a backtracking matcher stall are answered (results checked, not timed)", () => {
    // `*?` pairs: exponential for the RegExp the pack used to build; here a few thousand steps.
    expect(globMatches(`rds:${"*?".repeat(200)}Z`, `rds:${"x".repeat(300)}`, { question: true, ignoreCase: true })).toBe(false);
    expect(globMatches(`rds:${"*?".repeat(200)}Z`, `rds:${"x".repeat(300)}Z`, { question: true, ignoreCase: true })).toBe(true);
    // Many stars against a long name: polynomial of high degree for a RegExp.
    expect(globMatches(`${"*a".repeat(30)}*b`, "a".repeat(5_000))).toBe(false);
    expect(globMatches(`${"*a".repeat(30)}*b`, `${"a".repeat(5_000)}b`)).toBe(true);
  });
});
