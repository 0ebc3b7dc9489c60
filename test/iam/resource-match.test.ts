/**
 * How one `Resource`/`NotResource` pattern matches the resource a request names
 * (policies/lib/iam/resource-match.ts), with the exact answers and reasons.
 *
 * AWS (IAM JSON policy elements: Resource): `*` and `?` may be used within any colon-separated
 * segment of an ARN, and "if the * wildcard is the last character of a resource ARN segment, it
 * can expand to match beyond the colon boundaries". ARNs are case-sensitive. The matcher reads a
 * mid-segment wildcard both ways (confined to its segment, and free to span colons) and answers
 * "maybe" when the readings disagree; a match that needs letter case to be ignored is "maybe" too.
 * A request ARN may hold `*` for a part not known yet (a name chosen at deployment, an account of
 * an unconfigured provider): "yes" only when every value is covered, "maybe" when some are.
 */
import { ContextIndex } from "../../policies/lib/iam/request-context";
import { type ResourceMatch, compileResourcePattern, matchResourcePattern, parseRequestResource } from "../../policies/lib/iam/resource-match";

const ACCOUNT = "123456789012";
const DB = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`;

const SPAN = "a wildcard inside an ARN segment may or may not span a colon";
const CASE = "the ARN matches only when letter case is ignored";
const SOME = (request: string) => `"${request}" stands for resources only some of which the pattern covers`;

/** Answers are compared as `{ result, reason }`: a "yes" or "no" carries no reason. */
type Answer = { result: ResourceMatch["result"]; reason: string | undefined };
const YES: Answer = { result: "yes", reason: undefined };
const NO: Answer = { result: "no", reason: undefined };
const maybe = (reason: string): Answer => ({ result: "maybe", reason });

function match(pattern: string, resource: string, values: Record<string, string> = {}, variablesEnabled = true): Answer {
  const m = matchResourcePattern(
    compileResourcePattern(pattern, variablesEnabled),
    parseRequestResource(resource),
    new ContextIndex({ values, absentUnlessListed: "all" }),
  );
  return { result: m.result, reason: m.reason };
}

/** Every pattern against every request, compiled in the order given (as a policy's statements are). */
function table(patterns: readonly string[], requests: readonly string[], values: Record<string, string> = {}): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const pattern of patterns) out[pattern] = requests.map((r) => match(pattern, r, values).result);
  return out;
}

describe("compiling patterns and parsing request resources", () => {
  it('Resource "*" compiles to a pattern that matches everything', () => {
    expect(compileResourcePattern("*", true)).toStrictEqual({ raw: "*", matchesEverything: true, tokens: [], needsContext: false });
  });

  it("a pattern with a policy variable needs the request context; one without does not", () => {
    expect(compileResourcePattern("arn:aws:s3:::home/${aws:username}/*", true)).toMatchObject({ matchesEverything: false, needsContext: true, fixed: undefined });
    expect(compileResourcePattern("arn:aws:s3:::home/${aws:username}/*", false)).toMatchObject({ matchesEverything: false, needsContext: false });
  });

  it('"*" as the request resource is an action without resource-level permissions', () => {
    expect(parseRequestResource("*")).toStrictEqual({ raw: "*", isWildcardOnly: true, hasUnknownParts: false });
  });

  it("an ARN without * is fully known", () => {
    expect(parseRequestResource(DB)).toStrictEqual({ raw: DB, isWildcardOnly: false, hasUnknownParts: false });
    expect(parseRequestResource("arn:aws:s3:::bucket/a?b")).toStrictEqual({ raw: "arn:aws:s3:::bucket/a?b", isWildcardOnly: false, hasUnknownParts: false });
  });

  it("an ARN with * has unknown parts; its service is kept, lowercased, when it is literal", () => {
    const anyName = `arn:aws:rds:us-east-1:${ACCOUNT}:db:*`;
    expect(parseRequestResource(anyName)).toMatchObject({ raw: anyName, isWildcardOnly: false, hasUnknownParts: true, service: "rds" });
    expect(parseRequestResource(`arn:aws:RDS:*:${ACCOUNT}:db:orders`).service).toBe("rds");
    expect(parseRequestResource(`arn:aws:*:us-east-1:${ACCOUNT}:db:orders`).service).toBeUndefined();
    expect(parseRequestResource(`arn:aws:rd*:us-east-1:${ACCOUNT}:db:orders`).service).toBeUndefined();
    expect(parseRequestResource("arn:*").service).toBeUndefined();
  });
});

describe("fully known request ARNs", () => {
  it("exact ARNs: equal is yes, any other account, name, region or service is no", () => {
    expect(match("*", DB)).toStrictEqual(YES);
    expect(match(DB, DB)).toStrictEqual(YES);
    expect(match(`arn:aws:rds:us-east-1:${ACCOUNT}:db:order`, DB)).toStrictEqual(NO);
    expect(match(`arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-2`, DB)).toStrictEqual(NO);
    expect(match(`arn:aws:rds:us-east-1:210987654321:db:orders`, DB)).toStrictEqual(NO);
    expect(match(`arn:aws:rds:us-west-2:${ACCOUNT}:db:orders`, DB)).toStrictEqual(NO);
    expect(match(`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`, DB)).toStrictEqual(NO);
    expect(match("arn:aws:rds:*", `arn:aws:backup:us-east-1:${ACCOUNT}:backup-vault:main`)).toStrictEqual(NO);
  });

  it("? matches exactly one character", () => {
    expect(match(`arn:aws:rds:us-east-1:${ACCOUNT}:db:ord?rs`, DB)).toStrictEqual(YES);
    expect(match(`arn:aws:rds:us-east-1:${ACCOUNT}:db:orders?`, DB)).toStrictEqual(NO);
    expect(match(`arn:aws:rds:us-east-1:${ACCOUNT}:db:orde?`, DB)).toStrictEqual(NO);
    expect(match(`arn:aws:rds:us-east-?:${ACCOUNT}:db:orders`, DB)).toStrictEqual(YES);
    expect(match(`arn:aws:rds:us-east-?:${ACCOUNT}:db:orders`, `arn:aws:rds:us-east-12:${ACCOUNT}:db:orders`)).toStrictEqual(NO);
  });

  it("a * within a segment that needs no colon is yes", () => {
    expect(match(`arn:aws:rds:us-*-1:${ACCOUNT}:db:orders`, DB)).toStrictEqual(YES);
    expect(match(`arn:aws:rds:*:${ACCOUNT}:db:*`, DB)).toStrictEqual(YES);
    expect(match(`arn:aws:rds:us-east-1:${ACCOUNT}:db:o**s`, DB)).toStrictEqual(YES);
    expect(match(`arn:aws:rds:us-east-1:${ACCOUNT}:db:o*?s`, DB)).toStrictEqual(YES);
  });

  it("a * that is the last character of a segment expands beyond the colon boundaries", () => {
    expect(match("arn:aws:rds:*", DB)).toStrictEqual(YES);
    expect(match("arn:aws:rds:us-*", DB)).toStrictEqual(YES);
    expect(match("arn:aws:*:db:orders", DB)).toStrictEqual(YES);
    expect(match("arn:*", DB)).toStrictEqual(YES);
    // `?` stands for one character and ends the region segment; the `*` ending it spans the rest.
    expect(match("arn:aws:rds:u?-*", DB)).toStrictEqual(YES);
  });

  it("wildcards in the resource part (after the fifth colon) span its colons", () => {
    expect(match(`arn:aws:rds:us-east-1:${ACCOUNT}:d*s`, DB)).toStrictEqual(YES);
    expect(match(`arn:aws:rds:us-east-1:${ACCOUNT}:db?orders`, DB)).toStrictEqual(YES);
    expect(match(`arn:aws:dynamodb:*:*:table/*`, `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t/backup/01`)).toStrictEqual(YES);
  });

  it("a wildcard inside one of the first five segments that would have to span a colon is maybe", () => {
    expect(match("arn:aws:rds:us-*rders", DB)).toStrictEqual(maybe(SPAN));
    expect(match("arn:aws:rds:*rders", DB)).toStrictEqual(maybe(SPAN));
    expect(match("arn:aws:rds:us-*?", DB)).toStrictEqual(maybe(SPAN));
    // A leading `*` ends the first segment (it may span colons); the later mid-segment one may not.
    expect(match("*:rds:us-*rders", DB)).toStrictEqual(maybe(SPAN));
    // The region `*` is followed by "-1", not by a colon: "-1:" later in the ARN needs it to span.
    expect(match("arn:aws:rds:*-1:*", `arn:aws:rds:us-east-2:${ACCOUNT}:db:orders-1:x`)).toStrictEqual(maybe(SPAN));
    expect(match("arn:aws:rds:*-1:*", DB)).toStrictEqual(YES);
    // `?` is never documented to span a colon, even at the end of a segment.
    expect(match("arn:aws:s3:?:bucket", "arn:aws:s3:::bucket")).toStrictEqual(maybe(SPAN));
    // No reading matches.
    expect(match("arn:aws:rds:us-*rders", `arn:aws:rds:us-east-1:${ACCOUNT}:db:order`)).toStrictEqual(NO);
  });

  it("ARNs are case-sensitive: a match only when case is ignored is maybe", () => {
    expect(match(`arn:aws:rds:us-east-1:${ACCOUNT}:db:Orders`, DB)).toStrictEqual(maybe(CASE));
    expect(match(`arn:aws:RDS:us-east-1:${ACCOUNT}:db:orders`, DB)).toStrictEqual(maybe(CASE));
    expect(match(`arn:aws:rds:*:${ACCOUNT}:db:ORD*`, DB)).toStrictEqual(maybe(CASE));
    expect(match(DB, `arn:aws:rds:us-east-1:${ACCOUNT}:db:ORDERS`)).toStrictEqual(maybe(CASE));
    // Only when case is ignored and the mid-segment `*` spans colons.
    expect(match("arn:aws:rds:us-*ORDERS", DB)).toStrictEqual(maybe(CASE));
    expect(match(`arn:aws:rds:us-east-1:${ACCOUNT}:db:Other`, DB)).toStrictEqual(NO);
  });

  it("several patterns compiled in turn each keep their own meaning", () => {
    const requests = [
      "arn:aws:s3:::b",
      "arn:aws:s3:::b?",
      "arn:aws:s3:::bx",
      "arn:aws:s3:::bxy",
      DB,
      `arn:aws:rds:us-east-:${ACCOUNT}:db:orders`,
      "arn:aws:rds:us-xrders",
    ];
    const expected: Record<string, string[]> = {
      "arn:aws:s3:::b*": ["yes", "yes", "yes", "yes", "no", "no", "no"],
      "arn:aws:s3:::b?": ["no", "yes", "yes", "no", "no", "no", "no"],
      "arn:aws:s3:::a?": ["no", "no", "no", "no", "no", "no", "no"],
      "arn:aws:s3:::b${?}": ["no", "yes", "no", "no", "no", "no", "no"],
      "arn:aws:s3:::b${*}": ["no", "no", "no", "no", "no", "no", "no"],
      "arn:aws:s3:::b": ["yes", "no", "no", "no", "no", "no", "no"],
      "arn:aws:rds:us-*rders": ["no", "no", "no", "no", "maybe", "maybe", "yes"],
      "arn:aws:rds:us-rders": ["no", "no", "no", "no", "no", "no", "no"],
      [`arn:aws:rds:us-east-?:${ACCOUNT}:db:orders`]: ["no", "no", "no", "no", "yes", "no", "no"],
      [`arn:aws:rds:us-east-:${ACCOUNT}:db:orders`]: ["no", "no", "no", "no", "no", "yes", "no"],
    };
    const patterns = Object.keys(expected);
    expect(table(patterns, requests)).toStrictEqual(expected);
    // The other order, with other names so that nothing compiled above is reused.
    const rename = (s: string) => s.replace(":::b", ":::c").replace(":::a", ":::d").replace(":us-", ":eu-");
    const renamed = Object.fromEntries([...patterns].reverse().map((p) => [rename(p), expected[p]]));
    expect(table(Object.keys(renamed), requests.map(rename))).toStrictEqual(renamed);
  });
});

describe("policy variables", () => {
  const HOME = "arn:aws:s3:::home/${aws:username}/*";

  it("resolve from the request before matching", () => {
    expect(match(HOME, "arn:aws:s3:::home/alice/notes.txt", { "aws:username": "alice" })).toStrictEqual(YES);
    expect(match(HOME, "arn:aws:s3:::home/bob/notes.txt", { "aws:username": "alice" })).toStrictEqual(NO);
    expect(match(HOME, "arn:aws:s3:::home/Alice/notes.txt", { "aws:username": "alice" })).toStrictEqual(maybe(CASE));
  });

  it("are literal text when the policy version has none", () => {
    expect(match(HOME, "arn:aws:s3:::home/alice/notes.txt", { "aws:username": "alice" }, false)).toStrictEqual(NO);
    expect(match(HOME, "arn:aws:s3:::home/${aws:username}/notes.txt", { "aws:username": "alice" }, false)).toStrictEqual(YES);
  });

  it("are maybe when they cannot be resolved", () => {
    expect(match(HOME, "arn:aws:s3:::home/alice/notes.txt")).toStrictEqual(maybe("policy variable ${aws:username} cannot be resolved for this request"));
  });

  it("are maybe when the value holds a wildcard character (AWS does not say whether it stays literal)", () => {
    expect(match(HOME, "arn:aws:s3:::home/a*/notes.txt", { "aws:username": "a*" })).toStrictEqual(
      maybe('policy variable ${aws:username} resolves to "a*", which holds a wildcard character'),
    );
    expect(match(HOME, "arn:aws:s3:::home/ab/notes.txt", { "aws:username": "a?" })).toStrictEqual(
      maybe('policy variable ${aws:username} resolves to "a?", which holds a wildcard character'),
    );
  });

  it("patterns that differ only after the variable keep their own meaning", () => {
    const values = { "aws:username": "alice" };
    const requests = ["arn:aws:s3:::home/alice", "arn:aws:s3:::home/alicex", "arn:aws:s3:::home/alicexy"];
    expect(
      table(["arn:aws:s3:::home/${aws:username}*", "arn:aws:s3:::home/${aws:username}?", "arn:aws:s3:::home/${aws:username}"], requests, values),
    ).toStrictEqual({
      "arn:aws:s3:::home/${aws:username}*": ["yes", "yes", "yes"],
      "arn:aws:s3:::home/${aws:username}?": ["no", "yes", "no"],
      "arn:aws:s3:::home/${aws:username}": ["yes", "no", "no"],
    });
  });
});

describe("request ARNs with unknown parts", () => {
  const ANY_REGION = `arn:aws:rds:*:${ACCOUNT}:db:orders`;
  const ANY_NAME = `arn:aws:rds:us-east-1:${ACCOUNT}:db:*`;

  it("yes when the pattern covers every value of the unknown part", () => {
    expect(match("*", ANY_REGION)).toStrictEqual(YES);
    expect(match(`arn:aws:rds:*:${ACCOUNT}:db:*`, ANY_REGION)).toStrictEqual(YES);
    expect(match(`arn:aws:rds:*:*:db:*`, `arn:aws:rds:*:*:db:*`)).toStrictEqual(YES);
    expect(match(`arn:aws:rds:*:${ACCOUNT}:db:orders`, ANY_REGION)).toStrictEqual(YES);
  });

  it("a * ending a segment covers the unknown parts beyond it", () => {
    expect(match("arn:aws:rds:*", ANY_REGION)).toStrictEqual(YES);
    expect(match("arn:aws:*", ANY_REGION)).toStrictEqual(YES);
    expect(match("arn:*", ANY_REGION)).toStrictEqual(YES);
    expect(match("arn:aws:rds*", `arn:aws:rds-data:*:${ACCOUNT}:cluster:main`)).toStrictEqual(YES);
  });

  it("maybe when the pattern covers only some values", () => {
    expect(match(DB, ANY_REGION)).toStrictEqual(maybe(SOME(ANY_REGION)));
    expect(match(DB, ANY_NAME)).toStrictEqual(maybe(SOME(ANY_NAME)));
    expect(match(`arn:aws:rds:*:${ACCOUNT}:db:staging-*`, `arn:aws:rds:*:${ACCOUNT}:db:*`)).toStrictEqual(maybe(SOME(`arn:aws:rds:*:${ACCOUNT}:db:*`)));
    // Only when the mid-segment `*` spans the colon after the unknown account.
    const anyAccount = `arn:aws:rds:us-east-1:*:db:orders`;
    expect(match("arn:aws:rds:us-*rders", anyAccount)).toStrictEqual(maybe(SOME(anyAccount)));
  });

  it("no when no value of the unknown part matches", () => {
    expect(match(`arn:aws:rds:*:${ACCOUNT}:db:staging-*`, ANY_REGION)).toStrictEqual(NO);
    expect(match(`arn:aws:rds:*:210987654321:db:*`, ANY_REGION)).toStrictEqual(NO);
    expect(match(`arn:aws:rds:us-east-1:${ACCOUNT}:cluster:*`, ANY_NAME)).toStrictEqual(NO);
  });

  it("no when the literal services differ", () => {
    expect(match("arn:aws:dynamodb:*", ANY_REGION)).toStrictEqual(NO);
    expect(match(`arn:aws:dynamodb:*:${ACCOUNT}:table/*`, ANY_NAME)).toStrictEqual(NO);
  });

  it("an unknown service may be the pattern's: maybe", () => {
    const anyService = `arn:aws:*:us-east-1:${ACCOUNT}:db:orders`;
    expect(match("arn:aws:rds:*", anyService)).toStrictEqual(maybe(SOME(anyService)));
    expect(match(DB, anyService)).toStrictEqual(maybe(SOME(anyService)));
    expect(match("arn:aws:dynamodb:*", anyService)).toStrictEqual(maybe(SOME(anyService)));
  });

  it("an unknown database name holds no /", () => {
    expect(match(`arn:aws:rds:us-east-1:${ACCOUNT}:db:team/*`, ANY_NAME)).toStrictEqual(NO);
    expect(match(`arn:aws:rds:*:${ACCOUNT}:db:team/*`, `arn:aws:rds:*:${ACCOUNT}:db:*`)).toStrictEqual(NO);
  });

  it("an unknown region or account holds no colon", () => {
    expect(match(`arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`, `arn:aws:rds:*:db:orders`)).toStrictEqual(NO);
  });

  it("? in a request ARN is a literal character, not an unknown one", () => {
    const q = `arn:aws:rds:*:${ACCOUNT}:db:a?`;
    expect(match(`arn:aws:rds:*:${ACCOUNT}:db:ab`, q)).toStrictEqual(NO);
    expect(match(`arn:aws:rds:*:${ACCOUNT}:db:a?`, q)).toStrictEqual(YES);
    expect(match(`arn:aws:rds:*:${ACCOUNT}:db:a\${?}`, q)).toStrictEqual(YES);
    expect(match(`arn:aws:rds:*:${ACCOUNT}:db:A\${?}`, q)).toStrictEqual(maybe(CASE));
  });

  it("a match only when letter case is ignored is maybe", () => {
    expect(match(`arn:aws:rds:*:${ACCOUNT}:db:Orders`, ANY_REGION)).toStrictEqual(maybe(CASE));
    expect(match(`arn:aws:rds:*:${ACCOUNT}:db:orders`, `arn:aws:rds:*:${ACCOUNT}:db:Orders`)).toStrictEqual(maybe(CASE));
    expect(match(`arn:aws:RDS:*:${ACCOUNT}:db:orders`, ANY_REGION)).toStrictEqual(maybe(CASE));
    expect(match(`arn:aws:rds:*:${ACCOUNT}:db:Other*`, ANY_REGION)).toStrictEqual(NO);
  });
});

describe('actions without resource-level permissions (request resource "*")', () => {
  it('are matched by Resource "*"; an ARN pattern cannot match them', () => {
    expect(match("*", "*")).toStrictEqual(YES);
    expect(match("arn:aws:rds:*:*:*", "*")).toStrictEqual(NO);
    expect(match("arn:*", "*")).toStrictEqual(NO);
    expect(match("*:*", "*")).toStrictEqual(NO);
  });

  // AWS documents Resource "*" for these actions and says nothing of other patterns that match the
  // text "*": the pack must not read them as "no" (that would hide a grant), so it says "maybe".
  const undocumented = (raw: string) =>
    maybe(`AWS does not document whether Resource "${raw}", which matches the text "*", authorizes an action without resource-level permissions`);

  it('another pattern that matches the text "*" is maybe, and says why', () => {
    expect(match("**", "*")).toStrictEqual(undocumented("**"));
    expect(match("?", "*")).toStrictEqual(undocumented("?"));
    expect(match("*?", "*")).toStrictEqual(undocumented("*?"));
    expect(match("${*}", "*")).toStrictEqual(undocumented("${*}"));
    // With variables off, "${*}" is plain text that cannot be "*".
    expect(match("${*}", "*", {}, false)).toStrictEqual(NO);
  });

  it("a pattern with a variable: judged on its value, or maybe when the value is unknown and nothing else is literal", () => {
    expect(match("${aws:username}", "*", { "aws:username": "alice" })).toStrictEqual(NO);
    const unknown = match("${aws:PrincipalTag/team}", "*", {});
    expect(unknown.result).toBe("maybe");
    expect(unknown.reason).toContain("aws:PrincipalTag/team");
    expect(match("arn:aws:rds:${aws:RequestedRegion}:*:db:*", "*", {})).toStrictEqual(NO);
  });
});
