import { type AccessRequest, type DecidedEvaluation, compilePolicies, decidedWithoutContext, evaluateAccess, evaluateApiCall } from "../../policies/lib/iam/evaluate";
import { ContextIndex } from "../../policies/lib/iam/request-context";
import { compileResourcePattern, matchResourcePattern, parseRequestResource } from "../../policies/lib/iam/resource-match";

const ACCOUNT = "123456789012";
const DB = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`;

function resourceMatch(pattern: string, resource: string, values: Record<string, string> = {}) {
  return matchResourcePattern(compileResourcePattern(pattern, true), parseRequestResource(resource), new ContextIndex({ values, absentUnlessListed: "all" })).result;
}

describe("Resource patterns", () => {
  it.each([
    ["*", DB, "yes"],
    [DB, DB, "yes"],
    [`arn:aws:rds:*:${ACCOUNT}:db:*`, DB, "yes"],
    [`arn:aws:rds:us-east-1:${ACCOUNT}:db:ord?rs`, DB, "yes"],
    [`arn:aws:rds:us-east-1:${ACCOUNT}:db:order`, DB, "no"],
    [`arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-*`, DB, "no"],
    [`arn:aws:rds:us-east-1:210987654321:db:orders`, DB, "no"],
    [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/*`, DB, "no"],
    // A trailing `*` spans colons (AWS documents it), so short ARNs cover the rest.
    ["arn:aws:rds:*", DB, "yes"],
    ["arn:aws:rds:*", `arn:aws:backup:us-east-1:${ACCOUNT}:backup-vault:main`, "no"],
    // The resource part is one glob: `/` and `:` inside it are ordinary characters.
    [`arn:aws:dynamodb:*:*:table/*`, `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t/backup/01`, "yes"],
  ])("%s against %s: %s", (pattern, resource, expected) => {
    expect(resourceMatch(pattern, resource)).toBe(expected);
  });

  it("is maybe when only a case-insensitive match exists, or when a mid-segment * would have to span a colon", () => {
    expect(resourceMatch(`arn:aws:rds:us-east-1:${ACCOUNT}:db:Orders`, DB)).toBe("maybe");
    expect(resourceMatch(`arn:aws:RDS:us-east-1:${ACCOUNT}:db:orders`, DB)).toBe("maybe");
    expect(resourceMatch("arn:aws:rds:us-*rders", DB)).toBe("maybe");
  });

  it("resolves policy variables, and is maybe when they cannot be resolved", () => {
    const pattern = `arn:aws:rds:*:${ACCOUNT}:db:\${aws:PrincipalTag/team}-*`;
    const teamDb = `arn:aws:rds:us-east-1:${ACCOUNT}:db:dba-orders`;
    expect(resourceMatch(pattern, teamDb, { "aws:PrincipalTag/team": "dba" })).toBe("yes");
    expect(resourceMatch(pattern, teamDb, { "aws:PrincipalTag/team": "web" })).toBe("no");
    expect(resourceMatch(pattern, teamDb)).toBe("maybe");
  });

  it("with unknown parts in the request: yes only when the pattern covers every value", () => {
    const anyRegion = `arn:aws:rds:*:${ACCOUNT}:db:orders`;
    expect(resourceMatch(`arn:aws:rds:*:${ACCOUNT}:db:*`, anyRegion)).toBe("yes");
    expect(resourceMatch(DB, anyRegion)).toBe("maybe");
    expect(resourceMatch(`arn:aws:rds:*:${ACCOUNT}:db:staging-*`, anyRegion)).toBe("no");
    expect(resourceMatch(`arn:aws:rds:*:${ACCOUNT}:db:staging-*`, `arn:aws:rds:*:${ACCOUNT}:db:*`)).toBe("maybe");
    expect(resourceMatch(`arn:aws:rds:*:*:db:*`, `arn:aws:rds:*:*:db:*`)).toBe("yes");
  });

  it("an action without resource-level permissions (resource \"*\") is covered only by Resource \"*\"", () => {
    expect(resourceMatch("*", "*")).toBe("yes");
    expect(resourceMatch("arn:aws:rds:*:*:*", "*")).toBe("no");
  });
});

const doc = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });

function decide(documents: object[], request: AccessRequest): DecidedEvaluation {
  const e = evaluateAccess(
    compilePolicies(documents.map((document, i) => ({ name: `p${i}`, document }))),
    request,
  );
  if (e.kind !== "decided") throw new Error(e.problems.map((p) => p.message).join("; "));
  return e;
}

const deleteDb: AccessRequest = { action: "rds:DeleteDBInstance", resource: DB, context: { absentUnlessListed: "all" } };

describe("evaluateAccess: AWS's order", () => {
  it("no statement applies: implicit deny", () => {
    expect(decide([doc({ Effect: "Allow", Action: "s3:*", Resource: "*" })], deleteDb)).toMatchObject({ decision: "implicit-deny", mostRestrictive: "implicit-deny", uncertain: false });
  });

  it("an Allow applies: allow, naming the statement", () => {
    const e = decide([doc({ Sid: "Ops", Effect: "Allow", Action: "RDS:deletedbinstance", Resource: "*" })], deleteDb);
    expect(e).toMatchObject({ decision: "allow", uncertain: false });
    expect(e.allowedBy).toEqual([{ policyName: "p0", statementIndex: 0, sid: "Ops", effect: "Allow", applies: "yes", uncertainBecause: [], label: 'statement "Ops" (#1) of policy "p0"' }]);
  });

  it("an explicit Deny wins over any Allow, across policies", () => {
    const e = decide([doc({ Effect: "Allow", Action: "*", Resource: "*" }), doc({ Effect: "Deny", Action: "rds:Delete*", Resource: DB })], deleteDb);
    expect(e).toMatchObject({ decision: "explicit-deny", mostRestrictive: "explicit-deny", uncertain: false });
    expect(e.deniedBy.map((m) => m.policyName)).toEqual(["p1"]);
  });

  it("NotResource applies to every resource it does not name", () => {
    const allowElsewhere = doc({ Effect: "Allow", Action: "rds:*", NotResource: `arn:aws:rds:*:${ACCOUNT}:db:orders` });
    expect(decide([allowElsewhere], deleteDb).decision).toBe("implicit-deny");
    expect(decide([allowElsewhere], { ...deleteDb, resource: `arn:aws:rds:us-east-1:${ACCOUNT}:db:other` }).decision).toBe("allow");
  });

  it("an Allow that may apply makes allow the worst case; a Deny that may apply does not deny", () => {
    const mfaAllow = doc({ Sid: "WithMfa", Effect: "Allow", Action: "rds:*", Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } });
    const unknownMfa: AccessRequest = { action: "rds:DeleteDBInstance", resource: DB };
    const e = decide([mfaAllow], unknownMfa);
    expect(e).toMatchObject({ decision: "allow", mostRestrictive: "implicit-deny", uncertain: true });
    expect(e.allowedBy[0]).toMatchObject({ applies: "maybe", uncertainBecause: ["Bool aws:MultiFactorAuthPresent: aws:MultiFactorAuthPresent is not known for this request"] });

    const denyWithoutMfa = doc({ Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } });
    const both = decide([doc({ Effect: "Allow", Action: "rds:*", Resource: "*" }), denyWithoutMfa], unknownMfa);
    expect(both).toMatchObject({ decision: "allow", mostRestrictive: "explicit-deny", uncertain: true });
    expect(decide([doc({ Effect: "Allow", Action: "rds:*", Resource: "*" }), denyWithoutMfa], deleteDb)).toMatchObject({ decision: "explicit-deny", uncertain: false });
  });

  it("a policy it cannot parse makes every answer cannot-verify", () => {
    const set = compilePolicies([
      { name: "good", document: doc({ Effect: "Deny", Action: "*", Resource: "*" }) },
      { name: "bad", document: "{not json" },
    ]);
    const e = evaluateAccess(set, deleteDb);
    expect(e.kind).toBe("cannot-verify");
    if (e.kind === "cannot-verify") expect(e.problems.map((p) => p.policyName)).toEqual(["bad"]);
  });

  it("a malformed request is cannot-verify, not a guess", () => {
    const set = compilePolicies([{ name: "p", document: doc({ Effect: "Allow", Action: "*", Resource: "*" }) }]);
    expect(evaluateAccess(set, { action: "DeleteDBInstance", resource: DB }).kind).toBe("cannot-verify");
    expect(evaluateAccess(set, { action: "rds:DeleteDBInstance", resource: "db:orders" }).kind).toBe("cannot-verify");
  });
});

describe("trust policies: Principal matching", () => {
  const trust = (principal: unknown, extra: object = {}) =>
    compilePolicies([{ name: "trust", kind: "trust", document: doc({ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...extra }) }]);
  const assume = (principal?: string): AccessRequest => ({ action: "sts:AssumeRole", resource: `arn:aws:iam::${ACCOUNT}:role/restore`, principal, context: { absentUnlessListed: "all" } });
  const decision = (set: ReturnType<typeof trust>, principal?: string) => {
    const e = evaluateAccess(set, assume(principal));
    return e.kind === "decided" ? `${e.decision}${e.uncertain ? "?" : ""}` : "cannot-verify";
  };

  it("matches a role ARN exactly, a whole account for its root or id, and everyone for *", () => {
    const alice = `arn:aws:iam::${ACCOUNT}:user/alice`;
    expect(decision(trust({ AWS: alice }), alice)).toBe("allow");
    expect(decision(trust({ AWS: alice }), `arn:aws:iam::${ACCOUNT}:user/bob`)).toBe("implicit-deny");
    expect(decision(trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), alice)).toBe("allow");
    expect(decision(trust({ AWS: ACCOUNT }), alice)).toBe("allow");
    expect(decision(trust({ AWS: ACCOUNT }), "arn:aws:iam::210987654321:user/alice")).toBe("implicit-deny");
    expect(decision(trust("*"), "arn:aws:iam::210987654321:user/eve")).toBe("allow");
    expect(decision(trust({ Service: "backup.amazonaws.com" }), "backup.amazonaws.com")).toBe("allow");
    expect(decision(trust({ Service: "backup.amazonaws.com" }), alice)).toBe("implicit-deny");
  });

  it("without a calling principal, a specific Principal may or may not apply", () => {
    expect(decision(trust({ AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }))).toBe("allow?");
    expect(decision(trust("*"))).toBe("allow");
  });
});

describe("evaluateApiCall: every authorization must be allowed", () => {
  const set = compilePolicies([
    {
      name: "restore",
      document: doc(
        { Effect: "Allow", Action: "rds:RestoreDBInstanceFromDBSnapshot", Resource: [`arn:aws:rds:*:${ACCOUNT}:db:restored-*`, `arn:aws:rds:*:${ACCOUNT}:snapshot:*`] },
        { Effect: "Allow", Action: "rds:RestoreDBInstanceFromDBSnapshot", Resource: `arn:aws:rds:*:${ACCOUNT}:og:*`, Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } },
      ),
    },
  ]);
  const call = (target: string) => ({
    action: "rds:RestoreDBInstanceFromDBSnapshot",
    authorizations: [
      { role: "target DB instance", resource: `arn:aws:rds:us-east-1:${ACCOUNT}:db:${target}` },
      { role: "source DB snapshot", resource: `arn:aws:rds:us-east-1:${ACCOUNT}:snapshot:s1` },
    ],
  });

  it("allows when each ARN is allowed, implicitly denies when one is not", () => {
    expect(evaluateApiCall(set, call("restored-1"))).toMatchObject({ decision: "allow", mostRestrictive: "allow", uncertain: false });
    const denied = evaluateApiCall(set, call("orders"));
    expect(denied).toMatchObject({ decision: "implicit-deny" });
    if (denied.kind === "decided") expect(denied.perResource.map((r) => r.evaluation.decision)).toEqual(["implicit-deny", "allow"]);
  });

  it("carries uncertainty from any authorization", () => {
    const withOptionGroup = { ...call("restored-1"), authorizations: [...call("restored-1").authorizations, { role: "option group", resource: `arn:aws:rds:us-east-1:${ACCOUNT}:og:default` }] };
    expect(evaluateApiCall(set, withOptionGroup)).toMatchObject({ decision: "allow", mostRestrictive: "implicit-deny", uncertain: true });
  });

  it("stops at the first refused authorization when asked only whether the call may be allowed", () => {
    const refused = evaluateApiCall(set, call("orders"), { untilRefused: true });
    expect(refused).toMatchObject({ decision: "implicit-deny" });
    if (refused.kind === "decided") expect(refused.perResource.map((r) => r.role)).toEqual(["target DB instance"]);
    const allowed = evaluateApiCall(set, call("restored-1"), { untilRefused: true });
    expect(allowed).toMatchObject({ decision: "allow", mostRestrictive: "allow" });
    if (allowed.kind === "decided") expect(allowed.perResource.map((r) => r.role)).toEqual(["target DB instance", "source DB snapshot"]);
  });

  it("refuses a call with nothing to authorize", () => {
    expect(evaluateApiCall(set, { action: "rds:RestoreDBInstanceFromDBSnapshot", authorizations: [] }).kind).toBe("cannot-verify");
  });
});

describe("decidedWithoutContext", () => {
  const set = (...Statement: object[]) => compilePolicies([{ name: "p", document: { Version: "2012-10-17", Statement } }]);
  const DELETE = "rds:DeleteDBInstance";

  it("is true when no statement covering the action has a Condition or a variable in its Resource", () => {
    expect(decidedWithoutContext(set({ Effect: "Allow", Action: "rds:*", Resource: "*" }, { Effect: "Deny", Action: DELETE, Resource: "arn:aws:rds:*:*:db:orders" }), DELETE)).toBe(true);
    // A Condition on a statement for other actions does not count.
    expect(decidedWithoutContext(set({ Effect: "Allow", Action: DELETE, Resource: "*" }, { Effect: "Deny", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }), DELETE)).toBe(true);
    // Without Version, ${...} is literal text, not a variable.
    expect(decidedWithoutContext(compilePolicies([{ name: "p", document: { Statement: [{ Effect: "Allow", Action: DELETE, Resource: "arn:aws:rds:*:*:db:${aws:username}" }] } }]), DELETE)).toBe(true);
  });

  it("is false when one does", () => {
    expect(decidedWithoutContext(set({ Effect: "Allow", Action: DELETE, Resource: "*" }, { Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/environment": "production" } } }), DELETE)).toBe(false);
    expect(decidedWithoutContext(set({ Effect: "Allow", Action: DELETE, Resource: "arn:aws:rds:*:*:db:${aws:username}-*" }), DELETE)).toBe(false);
    expect(decidedWithoutContext(set({ Effect: "Allow", Action: DELETE, NotResource: "arn:aws:rds:*:*:db:${aws:PrincipalTag/team}" }), DELETE)).toBe(false);
  });
});
