/**
 * The details of evaluateAccess / evaluateApiCall that callers read beyond the decision: why a
 * statement "maybe" applies (`uncertainBecause`, principal reason first), which principals a
 * Principal / NotPrincipal element names, and the exact problems of a request that cannot be
 * verified.
 */
import { type AccessEvaluation, type AccessRequest, type DecidedEvaluation, type PolicyInput, compilePolicies, decidedWithoutContext, evaluateAccess, evaluateApiCall } from "../../policies/lib/iam/evaluate";
import { triAgreement } from "../../policies/lib/iam/tri-state";

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";
const DB = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`;
/** The same ARN with the resource name in another letter case: matches only when case is ignored. */
const DB_OTHER_CASE = `arn:aws:rds:us-east-1:${ACCOUNT}:db:Orders`;
const OPS = `arn:aws:iam::${ACCOUNT}:role/ops`;
const OPS_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/ops/session-1`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/restore`;

const PRINCIPAL_NOT_GIVEN = "the calling principal is not given";
const PRINCIPAL_CASE = "principal ARNs differ only in letter case";
const RESOURCE_CASE = (pattern: string) => `resource pattern "${pattern}": the ARN matches only when letter case is ignored`;

const doc = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });

function decided(e: AccessEvaluation): DecidedEvaluation {
  if (e.kind !== "decided") throw new Error(`expected a decision, got cannot-verify: ${e.problems.map((p) => p.message).join("; ")}`);
  return e;
}

/** A trust policy with one Allow sts:AssumeRole statement whose Principal (or NotPrincipal) is given. */
function trust(element: "Principal" | "NotPrincipal", principal: unknown) {
  return compilePolicies([{ name: "trust", kind: "trust", document: doc({ Sid: "Trust", Effect: "Allow", [element]: principal, Action: "sts:AssumeRole" }) }]);
}

function assume(set: ReturnType<typeof trust>, principal?: string): DecidedEvaluation {
  return decided(evaluateAccess(set, { action: "sts:AssumeRole", resource: ROLE_ARN, principal }));
}

/** "allow" / "allow?" (uncertain) / "implicit-deny" ... of a trust policy for a caller. */
function outcome(set: ReturnType<typeof trust>, principal?: string): string {
  const e = assume(set, principal);
  return `${e.decision}${e.uncertain ? "?" : ""}`;
}

/** A resource policy (Principal and Resource) with one Allow rds:DeleteDBInstance statement. */
function resourcePolicy(principal: unknown, resource: unknown) {
  const input: PolicyInput = { name: "bucket-like", kind: "resource", document: doc({ Sid: "Share", Effect: "Allow", Principal: principal, Action: "rds:DeleteDBInstance", Resource: resource }) };
  return compilePolicies([input]);
}

describe("matchPrincipal: which callers a Principal element names", () => {
  it('Principal "*" and {"AWS": "*"} name every caller, given or not, in any account', () => {
    for (const p of ["*", { AWS: "*" }, { AWS: ["*"] }]) {
      expect(outcome(trust("Principal", p), `arn:aws:iam::${OTHER_ACCOUNT}:user/eve`)).toBe("allow");
      expect(outcome(trust("Principal", p), "backup.amazonaws.com")).toBe("allow");
      expect(outcome(trust("Principal", p))).toBe("allow");
      expect(assume(trust("Principal", p), OPS).allowedBy).toEqual([
        { policyName: "trust", statementIndex: 0, sid: "Trust", effect: "Allow", applies: "yes", uncertainBecause: [], label: expect.any(String) },
      ]);
    }
  });

  it('NotPrincipal "*" / {"AWS": "*"} names no caller: the statement never applies', () => {
    for (const p of ["*", { AWS: "*" }]) {
      const given = assume(trust("NotPrincipal", p), OPS);
      expect(given).toMatchObject({ decision: "implicit-deny", mostRestrictive: "implicit-deny", uncertain: false, allowedBy: [], deniedBy: [] });
      const notGiven = assume(trust("NotPrincipal", p));
      expect(notGiven).toMatchObject({ decision: "implicit-deny", mostRestrictive: "implicit-deny", uncertain: false, allowedBy: [], deniedBy: [] });
    }
  });

  it("without a calling principal, a specific Principal maybe applies, and says why", () => {
    const e = assume(trust("Principal", { AWS: OPS }));
    expect(e).toMatchObject({ decision: "allow", mostRestrictive: "implicit-deny", uncertain: true });
    expect(e.allowedBy).toEqual([
      { policyName: "trust", statementIndex: 0, sid: "Trust", effect: "Allow", applies: "maybe", uncertainBecause: [PRINCIPAL_NOT_GIVEN], label: expect.any(String) },
    ]);
    // The same for a NotPrincipal: whether the caller is excluded is unknown.
    expect(assume(trust("NotPrincipal", { AWS: OPS })).allowedBy.map((m) => [m.applies, m.uncertainBecause])).toEqual([["maybe", [PRINCIPAL_NOT_GIVEN]]]);
  });

  it("a Principal that names someone else does not apply (no match listed at all)", () => {
    const e = assume(trust("Principal", { AWS: `arn:aws:iam::${ACCOUNT}:role/other` }), OPS);
    expect(e).toEqual({ kind: "decided", decision: "implicit-deny", mostRestrictive: "implicit-deny", uncertain: false, allowedBy: [], deniedBy: [] });
    // NotPrincipal naming someone else admits the caller.
    expect(outcome(trust("NotPrincipal", { AWS: `arn:aws:iam::${ACCOUNT}:role/other` }), OPS)).toBe("allow");
    expect(outcome(trust("NotPrincipal", { AWS: OPS }), OPS)).toBe("implicit-deny");
  });

  it.each([
    [ACCOUNT, OPS, "allow"],
    [ACCOUNT, OPS_SESSION, "allow"],
    [ACCOUNT, `arn:aws:iam::${OTHER_ACCOUNT}:role/ops`, "implicit-deny"],
    [`arn:aws:iam::${ACCOUNT}:root`, OPS, "allow"],
    [`arn:aws:iam::${ACCOUNT}:root`, OPS_SESSION, "allow"],
    [`arn:aws:iam::${ACCOUNT}:root`, `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/ops/s`, "implicit-deny"],
    [`arn:aws:iam::${OTHER_ACCOUNT}:root`, OPS, "implicit-deny"],
    // A caller that is not an IAM/STS ARN belongs to no account.
    [ACCOUNT, "backup.amazonaws.com", "implicit-deny"],
    [ACCOUNT, `x-arn:aws:iam::${ACCOUNT}:role/ops`, "implicit-deny"],
    // Only `arn:...:iam::<id>:root` exactly is a whole account, not something that merely contains it.
    [`arn:aws:iam::${ACCOUNT}:rootless`, OPS, "implicit-deny"],
    [`x-arn:aws:iam::${ACCOUNT}:root`, OPS, "implicit-deny"],
  ])("a whole account %s as Principal, caller %s: %s", (id, caller, expected) => {
    expect(outcome(trust("Principal", { AWS: id }), caller)).toBe(expected);
  });

  it("principal ARNs that differ only in letter case: maybe, with the reason", () => {
    const e = assume(trust("Principal", { AWS: `arn:aws:iam::${ACCOUNT}:role/Ops` }), OPS);
    expect(e).toMatchObject({ decision: "allow", mostRestrictive: "implicit-deny", uncertain: true, deniedBy: [] });
    expect(e.allowedBy).toEqual([
      { policyName: "trust", statementIndex: 0, sid: "Trust", effect: "Allow", applies: "maybe", uncertainBecause: [PRINCIPAL_CASE], label: expect.any(String) },
    ]);
    // Under NotPrincipal it stays maybe.
    expect(outcome(trust("NotPrincipal", { AWS: `arn:aws:iam::${ACCOUNT}:role/Ops` }), OPS)).toBe("allow?");
    // An exact match among the principals decides.
    const exact = assume(trust("Principal", { AWS: [`arn:aws:iam::${ACCOUNT}:role/Ops`, OPS] }), OPS);
    expect(exact.allowedBy.map((m) => [m.applies, m.uncertainBecause])).toEqual([["yes", []]]);
  });

  it.each([
    ["Service", "backup.amazonaws.com"],
    ["Federated", "cognito-identity.amazonaws.com"],
    ["Federated", `arn:aws:iam::${ACCOUNT}:saml-provider/corp`],
    ["CanonicalUser", "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"],
  ])("a %s principal %s: yes when equal, maybe when equal ignoring case, otherwise no", (type, id) => {
    expect(outcome(trust("Principal", { [type]: id }), id)).toBe("allow");
    expect(outcome(trust("Principal", { [type]: id }), id.toUpperCase())).toBe("allow?");
    expect(assume(trust("Principal", { [type]: id }), id.toUpperCase()).allowedBy.map((m) => [m.applies, m.uncertainBecause])).toEqual([["maybe", ["principal names differ only in letter case"]]]);
    expect(outcome(trust("Principal", { [type]: id }), OPS)).toBe("implicit-deny");
    expect(outcome(trust("NotPrincipal", { [type]: id }), id)).toBe("implicit-deny");
    expect(outcome(trust("NotPrincipal", { [type]: id }), OPS)).toBe("allow");
    expect(outcome(trust("NotPrincipal", { [type]: id }), id.toUpperCase())).toBe("allow?");
  });

  it("a principal that is a case-variant of a service principal is maybe only once, not yes", () => {
    const e = assume(trust("Principal", { Service: ["backup.amazonaws.com", "rds.amazonaws.com"] }), "Backup.amazonaws.com");
    expect(e).toMatchObject({ decision: "allow", mostRestrictive: "implicit-deny", uncertain: true });
  });
});

describe("statementApplies: uncertainBecause", () => {
  const deleteDb = (resource: string, principal?: string): AccessRequest => ({ action: "rds:DeleteDBInstance", resource, principal, context: { absentUnlessListed: "all" } });

  it("an identity statement applies without any principal reason", () => {
    const set = compilePolicies([{ name: "id", document: doc({ Sid: "Ops", Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: DB }) }]);
    expect(decided(evaluateAccess(set, deleteDb(DB))).allowedBy.map((m) => [m.applies, m.uncertainBecause])).toEqual([["yes", []]]);
    expect(decided(evaluateAccess(set, deleteDb(DB, OPS))).allowedBy.map((m) => [m.applies, m.uncertainBecause])).toEqual([["yes", []]]);
  });

  it("names the resource pattern that matches only when case is ignored", () => {
    const set = compilePolicies([{ name: "id", document: doc({ Sid: "Ops", Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: DB_OTHER_CASE }) }]);
    const e = decided(evaluateAccess(set, deleteDb(DB)));
    expect(e).toMatchObject({ decision: "allow", mostRestrictive: "implicit-deny", uncertain: true });
    expect(e.allowedBy).toEqual([
      {
        policyName: "id",
        statementIndex: 0,
        sid: "Ops",
        effect: "Allow",
        applies: "maybe",
        uncertainBecause: [RESOURCE_CASE(DB_OTHER_CASE)],
        label: 'statement "Ops" (#1) of policy "id"',
      },
    ]);
  });

  it("lists reasons only for the patterns that maybe match, not for those that do not", () => {
    const elsewhere = `arn:aws:rds:us-east-1:${OTHER_ACCOUNT}:db:orders`;
    const set = compilePolicies([{ name: "id", document: doc({ Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: [elsewhere, DB_OTHER_CASE, "arn:aws:s3:::bucket"] }) }]);
    expect(decided(evaluateAccess(set, deleteDb(DB))).allowedBy.map((m) => m.uncertainBecause)).toEqual([[RESOURCE_CASE(DB_OTHER_CASE)]]);
  });

  it("a statement that certainly applies carries no reasons, even when another of its patterns only maybe matches", () => {
    const set = compilePolicies([{ name: "id", document: doc({ Effect: "Deny", Action: "rds:DeleteDBInstance", Resource: [DB_OTHER_CASE, DB] }) }]);
    const e = decided(evaluateAccess(set, deleteDb(DB)));
    expect(e).toMatchObject({ decision: "explicit-deny", mostRestrictive: "explicit-deny", uncertain: false, allowedBy: [] });
    expect(e.deniedBy.map((m) => [m.applies, m.uncertainBecause])).toEqual([["yes", []]]);
  });

  it("a statement whose Resource does not match is not listed", () => {
    const set = compilePolicies([{ name: "id", document: doc({ Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: `arn:aws:rds:us-east-1:${ACCOUNT}:db:staging` }) }]);
    expect(decided(evaluateAccess(set, deleteDb(DB)))).toEqual({ kind: "decided", decision: "implicit-deny", mostRestrictive: "implicit-deny", uncertain: false, allowedBy: [], deniedBy: [] });
  });

  it("a trust statement (no Resource) that maybe applies gives only the principal's reason", () => {
    expect(assume(trust("Principal", { AWS: OPS })).allowedBy.map((m) => m.uncertainBecause)).toEqual([[PRINCIPAL_NOT_GIVEN]]);
  });

  it("the principal's reason comes first, then the resource patterns'", () => {
    const e = decided(evaluateAccess(resourcePolicy({ AWS: OPS }, DB_OTHER_CASE), deleteDb(DB)));
    expect(e.allowedBy.map((m) => [m.applies, m.uncertainBecause])).toEqual([["maybe", [PRINCIPAL_NOT_GIVEN, RESOURCE_CASE(DB_OTHER_CASE)]]]);
    const caseVariant = decided(evaluateAccess(resourcePolicy({ AWS: `arn:aws:iam::${ACCOUNT}:role/OPS` }, DB_OTHER_CASE), deleteDb(DB, OPS)));
    expect(caseVariant.allowedBy.map((m) => m.uncertainBecause)).toEqual([[PRINCIPAL_CASE, RESOURCE_CASE(DB_OTHER_CASE)]]);
  });

  it("a principal that certainly matches adds no reason, even when a case-variant of it is also listed", () => {
    const principals = { AWS: [`arn:aws:iam::${ACCOUNT}:role/OPS`, OPS] };
    const e = decided(evaluateAccess(resourcePolicy(principals, DB_OTHER_CASE), deleteDb(DB, OPS)));
    expect(e.allowedBy.map((m) => [m.applies, m.uncertainBecause])).toEqual([["maybe", [RESOURCE_CASE(DB_OTHER_CASE)]]]);
    // Principal certain, resource certain: no reasons at all.
    const certain = decided(evaluateAccess(resourcePolicy({ AWS: OPS }, DB), deleteDb(DB, OPS)));
    expect(certain.allowedBy.map((m) => [m.applies, m.uncertainBecause])).toEqual([["yes", []]]);
  });

  it("a principal that does not match hides the statement, whatever its resource", () => {
    const e = decided(evaluateAccess(resourcePolicy({ AWS: `arn:aws:iam::${ACCOUNT}:role/other` }, DB_OTHER_CASE), deleteDb(DB, OPS)));
    expect(e).toEqual({ kind: "decided", decision: "implicit-deny", mostRestrictive: "implicit-deny", uncertain: false, allowedBy: [], deniedBy: [] });
  });
});

describe("evaluateAccess: requests that cannot be verified", () => {
  const set = compilePolicies([{ name: "id", document: doc({ Effect: "Allow", Action: "*", Resource: "*" }) }]);

  it("an action that is not service:Action", () => {
    expect(evaluateAccess(set, { action: "DeleteDBInstance", resource: DB })).toEqual({
      kind: "cannot-verify",
      problems: [{ policyName: "(request)", message: '"DeleteDBInstance" is not an action name of the form service:Action' }],
    });
  });

  it("a resource that is neither \"*\" nor an ARN", () => {
    expect(evaluateAccess(set, { action: "rds:DeleteDBInstance", resource: "db:orders" })).toEqual({
      kind: "cannot-verify",
      problems: [{ policyName: "(request)", message: '"db:orders" is neither "*" nor an ARN' }],
    });
    expect(evaluateAccess(set, { action: "rds:DeleteDBInstance", resource: "" })).toEqual({
      kind: "cannot-verify",
      problems: [{ policyName: "(request)", message: '"" is neither "*" nor an ARN' }],
    });
  });

  it('resource "*" is a valid request (an action without resource-level permissions)', () => {
    expect(evaluateAccess(set, { action: "rds:DescribeDBInstances", resource: "*" })).toMatchObject({ kind: "decided", decision: "allow", uncertain: false });
  });

  it('Action "*" covers any action name', () => {
    for (const action of ["rds:DeleteDBInstance", "s3:GetObject", "dynamodb:RestoreTableToPointInTime", "a-b:X1"]) {
      expect(evaluateAccess(set, { action, resource: DB })).toMatchObject({ kind: "decided", decision: "allow" });
    }
  });
});

describe("evaluateApiCall: details", () => {
  const set = compilePolicies([
    { name: "id", document: doc({ Effect: "Allow", Action: ["rds:RestoreDBInstanceFromDBSnapshot", "rds:AddTagsToResource", "dynamodb:PutItem"], Resource: "*" }) },
  ]);

  it("a call with no authorization cannot be verified", () => {
    expect(evaluateApiCall(set, { action: "rds:RestoreDBInstanceFromDBSnapshot", authorizations: [] })).toEqual({
      kind: "cannot-verify",
      problems: [{ policyName: "(request)", message: "rds:RestoreDBInstanceFromDBSnapshot names no resource to authorize" }],
    });
  });

  it("a cannot-verify from one authorization is returned as is", () => {
    const e = evaluateApiCall(set, {
      action: "rds:RestoreDBInstanceFromDBSnapshot",
      authorizations: [
        { role: "target DB instance", resource: DB },
        { role: "source snapshot", resource: "snapshot:nightly" },
        { role: "option group", resource: `arn:aws:rds:us-east-1:${ACCOUNT}:og:default` },
      ],
    });
    expect(e).toEqual({ kind: "cannot-verify", problems: [{ policyName: "(request)", message: '"snapshot:nightly" is neither "*" nor an ARN' }] });
    const badAction = evaluateApiCall(set, { action: "rds:RestoreDBInstanceFromDBSnapshot", authorizations: [{ role: "tags", resource: DB, action: "AddTagsToResource" }] });
    expect(badAction).toEqual({ kind: "cannot-verify", problems: [{ policyName: "(request)", message: '"AddTagsToResource" is not an action name of the form service:Action' }] });
  });

  it("perResource names the action each authorization is checked for: its own, else the call's", () => {
    const table = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`;
    const e = evaluateApiCall(set, {
      action: "rds:RestoreDBInstanceFromDBSnapshot",
      authorizations: [
        { role: "target DB instance", resource: DB },
        { role: "tags", resource: DB, action: "rds:AddTagsToResource" },
        { role: "target table", resource: table, action: "dynamodb:PutItem" },
      ],
    });
    if (e.kind !== "decided") throw new Error("expected a decision");
    expect(e).toMatchObject({ decision: "allow", mostRestrictive: "allow", uncertain: false });
    expect(e.perResource.map((p) => [p.role, p.action, p.resource, p.evaluation.decision])).toEqual([
      ["target DB instance", "rds:RestoreDBInstanceFromDBSnapshot", DB, "allow"],
      ["tags", "rds:AddTagsToResource", DB, "allow"],
      ["target table", "dynamodb:PutItem", table, "allow"],
    ]);
  });
});

describe("decidedWithoutContext", () => {
  it("is false when any resource pattern of a covering statement has a policy variable", () => {
    const set = compilePolicies([
      { name: "id", document: doc({ Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: [DB, `arn:aws:rds:*:${ACCOUNT}:db:\${aws:PrincipalTag/team}-*`] }) },
    ]);
    expect(decidedWithoutContext(set, "rds:DeleteDBInstance")).toBe(false);
    expect(decidedWithoutContext(set, "s3:GetObject")).toBe(true);
  });

  it("is true when no covering statement has a condition or a variable", () => {
    const set = compilePolicies([{ name: "id", document: doc({ Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: [DB, `arn:aws:rds:*:${ACCOUNT}:db:x-*`] }) }]);
    expect(decidedWithoutContext(set, "rds:DeleteDBInstance")).toBe(true);
  });
});

describe("triAgreement", () => {
  it.each([
    [["maybe"], "maybe"],
    [["maybe", "maybe"], "maybe"],
    [["yes", "maybe"], "maybe"],
    [["maybe", "no"], "maybe"],
    [["yes", "yes"], "yes"],
    [["no"], "no"],
    [["yes", "no"], "maybe"],
    [[], "maybe"],
  ] as const)("%j: %s", (values, expected) => {
    expect(triAgreement(values)).toBe(expected);
  });
});
