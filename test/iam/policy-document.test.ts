import { describeStatement, parsePolicyDocument } from "../../policies/lib/iam/policy-document";

const allowRds = { Version: "2012-10-17", Statement: [{ Sid: "A", Effect: "Allow", Action: "rds:*", Resource: "*" }] };

function problems(document: unknown, kind?: "identity" | "trust" | "resource"): string[] {
  const r = parsePolicyDocument(document, { name: "p", kind });
  return r.ok ? [] : r.problems;
}

describe("parsePolicyDocument", () => {
  it("reads a document given as an object or as a JSON string, and a single statement object", () => {
    const fromObject = parsePolicyDocument(allowRds);
    const fromString = parsePolicyDocument(JSON.stringify(allowRds));
    const single = parsePolicyDocument({ Version: "2012-10-17", Statement: allowRds.Statement[0] });
    for (const r of [fromObject, fromString, single]) {
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.policy.statements).toEqual([{ index: 0, sid: "A", effect: "Allow", action: { negated: false, patterns: ["rds:*"] }, resource: { negated: false, patterns: ["*"] }, principal: undefined, conditions: [] }]);
    }
  });

  it("normalizes NotAction, NotResource, arrays and condition values given as booleans or numbers", () => {
    const r = parsePolicyDocument({
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", NotAction: ["s3:*", "iam:*"], NotResource: ["arn:aws:s3:::b"], Condition: { Bool: { "aws:MultiFactorAuthPresent": false }, NumericLessThan: { "aws:MultiFactorAuthAge": [3600] } } }],
    });
    if (!r.ok) throw new Error(r.problems.join("; "));
    const s = r.policy.statements[0];
    expect(s.action).toEqual({ negated: true, patterns: ["s3:*", "iam:*"] });
    expect(s.resource).toEqual({ negated: true, patterns: ["arn:aws:s3:::b"] });
    expect(s.conditions.map((c) => [c.operator.name, c.key, c.values])).toEqual([
      ["Bool", "aws:MultiFactorAuthPresent", ["false"]],
      ["NumericLessThan", "aws:MultiFactorAuthAge", ["3600"]],
    ]);
  });

  it("enables policy variables only under Version 2012-10-17", () => {
    const versions = [undefined, "2008-10-17", "2012-10-17"].map((Version) => {
      const r = parsePolicyDocument({ ...(Version ? { Version } : {}), Statement: allowRds.Statement });
      return r.ok && r.policy.variablesEnabled;
    });
    expect(versions).toEqual([false, false, true]);
  });

  it.each([
    ["not JSON", "{", /not valid JSON/],
    ["not an object", [allowRds], /must be a JSON object/],
    ["no Statement", { Version: "2012-10-17" }, /Statement must be an object or an array/],
    ["an empty Statement", { Statement: [] }, /must not be empty/],
    ["an unknown top-level element", { ...allowRds, Extra: 1 }, /unknown element "Extra"/],
    ["an unknown Version", { ...allowRds, Version: "2020-01-01" }, /Version must be/],
    ["Effect in lower case", { Statement: { Effect: "allow", Action: "rds:*", Resource: "*" } }, /Effect must be "Allow" or "Deny"/],
    ["both Action and NotAction", { Statement: { Effect: "Allow", Action: "rds:*", NotAction: "s3:*", Resource: "*" } }, /exactly one of Action and NotAction/],
    ["neither Action nor NotAction", { Statement: { Effect: "Allow", Resource: "*" } }, /exactly one of Action and NotAction/],
    ["a wildcard in the service prefix", { Statement: { Effect: "Allow", Action: "rds*:Delete*", Resource: "*" } }, /literal service prefix/],
    ["an action without a service", { Statement: { Effect: "Allow", Action: "DeleteDBInstance", Resource: "*" } }, /literal service prefix/],
    ["an empty Action array", { Statement: { Effect: "Allow", Action: [], Resource: "*" } }, /non-empty array of strings/],
    ["a number in Action", { Statement: { Effect: "Allow", Action: [1], Resource: "*" } }, /non-empty array of strings/],
    ["no Resource in an identity policy", { Statement: { Effect: "Allow", Action: "rds:*" } }, /must have Resource or NotResource/],
    ["a Resource that is not an ARN", { Statement: { Effect: "Allow", Action: "rds:*", Resource: "db:orders" } }, /neither "\*" nor an ARN/],
    ["a Principal in an identity policy", { Statement: { Effect: "Allow", Action: "rds:*", Resource: "*", Principal: "*" } }, /must not name a Principal/],
    ["an unknown condition operator", { Statement: { Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { StringEqual: { "aws:username": "a" } } } }, /unknown condition operator "StringEqual"/],
    ["an operator in another letter case", { Statement: { Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { stringequals: { "aws:username": "a" } } } }, /unknown condition operator "stringequals"/],
    ["NullIfExists", { Statement: { Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { NullIfExists: { "aws:username": "true" } } } }, /unknown condition operator "NullIfExists"/],
    ["a condition value that is an object", { Statement: { Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { StringEquals: { "aws:username": { a: 1 } } } } }, /must be a string, number, boolean/],
    ["an empty condition block", { Statement: { Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { StringEquals: {} } } }, /non-empty object of condition keys/],
  ])("refuses %s", (_what, document, expected) => {
    expect(problems(document).join("\n")).toMatch(expected);
  });

  it("reports every problem, naming the statement by Sid and position", () => {
    const found = problems({ Statement: [{ Sid: "Ok", Effect: "Allow", Action: "rds:*", Resource: "*" }, { Sid: "Bad", Effect: "Permit", Action: "rds:*" }] });
    expect(found).toEqual(['Statement[1] ("Bad").Effect must be "Allow" or "Deny", not "Permit"', 'Statement[1] ("Bad") must have Resource or NotResource']);
  });

  it("reads trust policies: Principal required, Resource refused", () => {
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: ["arn:aws:iam::123456789012:root"], Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }] };
    const r = parsePolicyDocument(trust, { kind: "trust" });
    if (!r.ok) throw new Error(r.problems.join("; "));
    expect(r.policy.statements[0].principal).toEqual({
      negated: false,
      principals: { everyone: false, aws: ["arn:aws:iam::123456789012:root"], service: ["backup.amazonaws.com"], federated: [], canonicalUser: [] },
    });
    expect(problems({ Statement: [{ Effect: "Allow", Action: "sts:AssumeRole" }] }, "trust").join()).toMatch(/exactly one of Principal and NotPrincipal/);
    expect(problems({ Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole", Resource: "*" }] }, "trust").join()).toMatch(/must not name a Resource/);
    expect(problems({ Statement: [{ Effect: "Allow", Principal: { Users: "x" }, Action: "sts:AssumeRole" }] }, "trust").join()).toMatch(/unknown principal type "Users"/);
  });

  it("names statements for messages", () => {
    expect(describeStatement("restore-inline", { index: 1, sid: "AllowRestore" })).toBe('statement "AllowRestore" (#2) of policy "restore-inline"');
    expect(describeStatement("restore-inline", { index: 0 })).toBe('statement #1 of policy "restore-inline"');
  });
});
