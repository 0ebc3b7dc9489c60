/**
 * The state limit of wildcard.ts's pattern relations, pinned exactly: equal literal patterns of
 * length n are decided in n + 1 (policy, request) pairs, so patterns of about a million characters
 * sit on either side of MAX_PATTERN_STATES. Kept apart from test/iam/wildcard.test.ts because it
 * costs seconds: a mutation run of wildcard.ts can leave it out of the slice.
 */
import { MAX_PATTERN_STATES, type RelationToken, patternCovers, patternsIntersect } from "../../policies/lib/iam/wildcard";

const chars = (s: string): RelationToken[] => [...s].map((char): RelationToken => ({ kind: "char", char }));
const x = (n: number) => chars("x".repeat(n));

describe("pattern relations: the state limit", () => {
  it("decides exactly up to MAX_PATTERN_STATES pairs", () => {
    expect(patternCovers(x(MAX_PATTERN_STATES - 1), x(MAX_PATTERN_STATES - 1))).toBe(true);
    expect(patternsIntersect([...x(MAX_PATTERN_STATES - 1), ...chars("a")], [...x(MAX_PATTERN_STATES - 1), ...chars("b")])).toBe(false);
  });

  it("gives the cautious answer once more pairs are needed", () => {
    expect(patternCovers(x(MAX_PATTERN_STATES), x(MAX_PATTERN_STATES))).toBe(false);
    expect(patternsIntersect([...x(MAX_PATTERN_STATES), ...chars("a")], [...x(MAX_PATTERN_STATES), ...chars("b")])).toBe(true);
  });
});
