/**
 * Pattern-against-pattern matching walks pairs of positions; on absurdly long patterns it must
 * stop with the cautious answer instead of exhausting memory.
 */
import { MAX_PATTERN_STATES, type RelationToken, patternCovers, patternsIntersect } from "../../policies/lib/iam/wildcard";

const text = (s: string): RelationToken[] => [...s].map((char) => ({ kind: "char", char }));
const star: RelationToken = { kind: "star", forbidden: "" };

describe("wildcard relations on huge patterns", () => {
  // Stars at both ends, a mismatch at the very end: deciding needs about n*n states.
  const n = Math.ceil(Math.sqrt(MAX_PATTERN_STATES)) * 2;
  const policy = [star, ...text("a".repeat(n)), ...text("b")];
  const request = [star, ...text("a".repeat(n)), ...text("c")];

  it("still decides small cases exactly", () => {
    expect(patternsIntersect([star, ...text("ab")], text("xab"))).toBe(true);
    expect(patternsIntersect(text("ab"), text("ac"))).toBe(false);
    expect(patternCovers([star], [star, ...text("x")])).toBe(true);
    expect(patternCovers(text("ab"), [star])).toBe(false);
  });

  it("answers 'may intersect' and 'not proven covered' past the state limit", () => {
    expect(patternsIntersect(policy, request)).toBe(true);
    expect(patternCovers(policy, request)).toBe(false);
  });
});
