/**
 * The IAM traps behind real incidents, each written by hand: the evaluator must see through them,
 * and where the oracle (`@cloud-copilot/iam-simulate`) models the same request it must agree.
 */
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { type AccessEvaluation, type DecidedEvaluation, compilePolicies, evaluateAccess, evaluateApiCall } from "../../policies/lib/iam/evaluate";
import { productionProbes, restoreAuthorizations } from "../../policies/lib/iam/probes";

const ACCOUNT = "123456789012";
const DB = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`;
const PRODUCTION_TAGS = { environment: ["production"] };

type Doc = Record<string, unknown>;

function policies(...documents: Doc[]) {
  return compilePolicies(documents.map((document, i) => ({ name: `inline-${i}`, document })));
}

function decided(e: AccessEvaluation): DecidedEvaluation {
  if (e.kind !== "decided") throw new Error(`expected a decision, got cannot-verify: ${e.problems.map((p) => p.message).join("; ")}`);
  return e;
}

/** Closed-world evaluation (every unlisted key absent), as the oracle sees a request. */
function closed(documents: Doc[], action: string, resource: string, values: Record<string, string | string[]>) {
  return decided(evaluateAccess(policies(...documents), { action, resource, context: { values, absentUnlessListed: "all" } }));
}

function oracle(documents: Doc[], action: string, resource: string, values: Record<string, string | string[]>): string {
  return runUnsafeSimulation(
    {
      request: { principal: `arn:aws:iam::${ACCOUNT}:role/ops`, action, resource: { resource, accountId: ACCOUNT }, contextVariables: values },
      identityPolicies: documents.map((policy, i) => ({ name: `inline-${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
}

const ALLOW_RDS: Doc = { Version: "2012-10-17", Statement: [{ Sid: "RdsAdmin", Effect: "Allow", Action: "rds:*", Resource: "*" }] };

describe("trap: a case-sensitive StringEquals \"production\" deny", () => {
  const deny: Doc = {
    Version: "2012-10-17",
    Statement: [{ Sid: "ProtectProd", Effect: "Deny", Action: "rds:DeleteDBInstance", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/environment": "production" } } }],
  };

  it("stops the delete of a database tagged environment=production", () => {
    const e = closed([ALLOW_RDS, deny], "rds:DeleteDBInstance", DB, { "aws:ResourceTag/environment": "production" });
    expect(e).toMatchObject({ decision: "explicit-deny", uncertain: false });
    expect(e.deniedBy.map((m) => m.label)).toEqual(['statement "ProtectProd" (#1) of policy "inline-1"']);
    expect(oracle([ALLOW_RDS, deny], "rds:DeleteDBInstance", DB, { "aws:ResourceTag/environment": "production" })).toBe("ExplicitlyDenied");
  });

  it("misses a database tagged environment=Production, which the pack calls production", () => {
    const e = closed([ALLOW_RDS, deny], "rds:DeleteDBInstance", DB, { "aws:ResourceTag/environment": "Production" });
    expect(e).toMatchObject({ decision: "allow", uncertain: false, deniedBy: [] });
    expect(e.allowedBy.map((m) => m.sid)).toEqual(["RdsAdmin"]);
    expect(oracle([ALLOW_RDS, deny], "rds:DeleteDBInstance", DB, { "aws:ResourceTag/environment": "Production" })).toBe("Allowed");
  });

  it("is found by the production probes, which try every spelling", () => {
    const set = policies(ALLOW_RDS, deny);
    const allowed = productionProbes({ kind: "rds-instance", name: "orders" }, PRODUCTION_TAGS)
      .filter((p) => p.action === "rds:DeleteDBInstance")
      .filter((p) => decided(evaluateAccess(set, p)).decision === "allow")
      .map((p) => p.description);
    expect(allowed).toEqual(expect.arrayContaining([expect.stringContaining("environment=Production"), expect.stringContaining("untagged")]));
    expect(allowed.some((d) => d.includes("environment=production)"))).toBe(false);
  });

  it("is closed by StringEqualsIgnoreCase", () => {
    const fixed: Doc = JSON.parse(JSON.stringify(deny).replace('"StringEquals"', '"StringEqualsIgnoreCase"'));
    const e = closed([ALLOW_RDS, fixed], "rds:DeleteDBInstance", DB, { "aws:ResourceTag/environment": "Production" });
    expect(e.decision).toBe("explicit-deny");
  });
});

describe("trap: ForAllValues on a missing key is true", () => {
  // Meant as "only restores tagged staging or dev"; a restore with no tags at all matches too.
  const restore: Doc = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "RestoreNonProd",
        Effect: "Allow",
        Action: "rds:RestoreDBInstanceFromDBSnapshot",
        Resource: "*",
        Condition: { "ForAllValues:StringLike": { "aws:RequestTag/environment": ["staging*", "dev*"] } },
      },
    ],
  };

  it("allows a restore that sends no tags", () => {
    const e = closed([restore], "rds:RestoreDBInstanceFromDBSnapshot", DB, {});
    expect(e).toMatchObject({ decision: "allow", uncertain: false });
    expect(oracle([restore], "rds:RestoreDBInstanceFromDBSnapshot", DB, {})).toBe("Allowed");
  });

  it("still refuses a restore tagged production", () => {
    const values = { "aws:RequestTag/environment": "production" };
    expect(closed([restore], "rds:RestoreDBInstanceFromDBSnapshot", DB, values).decision).toBe("implicit-deny");
    expect(oracle([restore], "rds:RestoreDBInstanceFromDBSnapshot", DB, values)).toBe("ImplicitlyDenied");
  });

  it("lets the probe restore an untagged copy over the production name", () => {
    const set = policies(restore);
    const untagged = productionProbes({ kind: "rds-instance", name: "orders" }, PRODUCTION_TAGS).find(
      (p) => p.action === "rds:RestoreDBInstanceFromDBSnapshot" && p.description.includes("request untagged"),
    );
    expect(untagged).toBeDefined();
    expect(decided(evaluateAccess(set, untagged!)).decision).toBe("allow");
  });

  it("is closed by a single-valued StringLike, which fails on a missing key", () => {
    const fixed: Doc = JSON.parse(JSON.stringify(restore).replace('"ForAllValues:StringLike"', '"StringLike"'));
    expect(closed([fixed], "rds:RestoreDBInstanceFromDBSnapshot", DB, {}).decision).toBe("implicit-deny");
    expect(oracle([fixed], "rds:RestoreDBInstanceFromDBSnapshot", DB, {})).toBe("ImplicitlyDenied");
  });
});

describe("trap: StringNotEquals on a missing key is true", () => {
  // Meant as "anything but production"; a production database production by name, untagged, matches.
  const cleanup: Doc = {
    Version: "2012-10-17",
    Statement: [{ Sid: "CleanupNonProd", Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: "*", Condition: { StringNotEquals: { "aws:ResourceTag/environment": "production" } } }],
  };

  it("allows deleting an untagged database", () => {
    expect(closed([cleanup], "rds:DeleteDBInstance", DB, {}).decision).toBe("allow");
    expect(oracle([cleanup], "rds:DeleteDBInstance", DB, {})).toBe("Allowed");
  });

  it("refuses the database tagged exactly production", () => {
    const values = { "aws:ResourceTag/environment": "production" };
    expect(closed([cleanup], "rds:DeleteDBInstance", DB, values).decision).toBe("implicit-deny");
    expect(oracle([cleanup], "rds:DeleteDBInstance", DB, values)).toBe("ImplicitlyDenied");
  });

  it("answers maybe when the resource's tags are not known", () => {
    const e = decided(evaluateAccess(policies(cleanup), { action: "rds:DeleteDBInstance", resource: DB }));
    expect(e).toMatchObject({ decision: "allow", mostRestrictive: "implicit-deny", uncertain: true });
    expect(e.allowedBy[0].uncertainBecause.join(" ")).toContain("aws:ResourceTag/environment is not known");
  });
});

describe("trap: NotAction allows what it does not name", () => {
  const everythingButIam: Doc = { Version: "2012-10-17", Statement: [{ Sid: "NotIam", Effect: "Allow", NotAction: ["iam:*", "organizations:*"], Resource: "*" }] };
  const everythingButDelete: Doc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", NotAction: "rds:DeleteDBInstance", Resource: "*" }] };

  it("grants rds:DeleteDBInstance through an Allow that never names RDS", () => {
    const e = closed([everythingButIam], "rds:DeleteDBInstance", DB, {});
    expect(e.decision).toBe("allow");
    expect(e.allowedBy[0].label).toBe('statement "NotIam" (#1) of policy "inline-0"');
    expect(oracle([everythingButIam], "rds:DeleteDBInstance", DB, {})).toBe("Allowed");
  });

  it("excluding DeleteDBInstance still leaves ModifyDBInstance and the cluster deletes", () => {
    const set = policies(everythingButDelete);
    const harmful = productionProbes({ kind: "rds-instance", name: "orders" }, PRODUCTION_TAGS)
      .filter((p) => decided(evaluateAccess(set, p)).decision === "allow")
      .map((p) => p.action);
    expect(harmful).not.toContain("rds:DeleteDBInstance");
    expect(harmful).toEqual(expect.arrayContaining(["rds:ModifyDBInstance", "rds:RestoreDBInstanceFromDBSnapshot", "rds:DeleteDBSnapshot"]));
    const clusters = productionProbes({ kind: "rds-cluster" }, PRODUCTION_TAGS).filter((p) => decided(evaluateAccess(set, p)).decision === "allow");
    expect(clusters.map((p) => p.action)).toContain("rds:DeleteDBCluster");
  });
});

describe("trap: a Deny on rds:Restore* that also blocks reading the production snapshot", () => {
  const restoreRole: Doc = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "RestoreToStaging",
        Effect: "Allow",
        Action: "rds:RestoreDBInstanceFromDBSnapshot",
        Resource: "*",
        Condition: { StringEquals: { "aws:RequestTag/environment": "staging" } },
      },
    ],
  };
  const broadDeny: Doc = {
    Version: "2012-10-17",
    Statement: [{ Sid: "NoProdRestore", Effect: "Deny", Action: "rds:Restore*", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/environment": "production" } } }],
  };
  const targetedDeny: Doc = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "NoRestoreIntoProd",
        Effect: "Deny",
        Action: "rds:Restore*",
        Resource: `arn:aws:rds:*:${ACCOUNT}:db:*`,
        Condition: { StringEqualsIgnoreCase: { "aws:RequestTag/environment": "production" } },
      },
    ],
  };
  const legitimateRestore = restoreAuthorizations({
    action: "rds:RestoreDBInstanceFromDBSnapshot",
    location: { region: "us-east-1", account: ACCOUNT },
    target: { name: "orders-investigation", requestTags: { environment: "staging" } },
    source: { name: "orders-2024-06-01", tags: { environment: "production" } },
    optionGroup: { name: "default:postgres-16", tags: {} },
    parameterGroup: { name: "default.postgres16", tags: {} },
    subnetGroup: { name: "staging", tags: {} },
  });

  it("denies the legitimate restore, at the source snapshot's authorization", () => {
    const e = evaluateApiCall(policies(restoreRole, broadDeny), legitimateRestore);
    if (e.kind !== "decided") throw new Error("expected a decision");
    expect(e).toMatchObject({ decision: "explicit-deny", uncertain: false });
    const denied = e.perResource.filter((r) => r.evaluation.decision === "explicit-deny");
    expect(denied.map((r) => r.role)).toEqual(["source DB snapshot"]);
    expect(e.perResource.find((r) => r.role === "target DB instance")?.evaluation.decision).toBe("allow");
  });

  it("agrees with the oracle on each authorization", () => {
    for (const a of legitimateRestore.authorizations) {
      const values = (a.context?.values ?? {}) as Record<string, string | string[]>;
      const ours = closed([restoreRole, broadDeny], legitimateRestore.action, a.resource.replace(/\*/g, "x"), values).decision;
      const theirs = oracle([restoreRole, broadDeny], legitimateRestore.action, a.resource.replace(/\*/g, "x"), values);
      expect({ role: a.role, ours }).toEqual({ role: a.role, ours: { Allowed: "allow", ExplicitlyDenied: "explicit-deny", ImplicitlyDenied: "implicit-deny" }[theirs] });
    }
  });

  it("a Deny aimed at the target ARN and the request tag lets it through and still stops restores tagged production", () => {
    const set = policies(restoreRole, targetedDeny);
    const ok = evaluateApiCall(set, legitimateRestore);
    expect(ok).toMatchObject({ kind: "decided", decision: "allow", mostRestrictive: "allow" });
    const intoProd = restoreAuthorizations({
      action: "rds:RestoreDBInstanceFromDBSnapshot",
      location: { region: "us-east-1", account: ACCOUNT },
      target: { name: "orders", requestTags: { environment: "Production" } },
      source: { name: "orders-2024-06-01", tags: { environment: "production" } },
    });
    expect(evaluateApiCall(set, intoProd)).toMatchObject({ kind: "decided", decision: "explicit-deny" });
  });
});

describe("trap: Action \"*\" and \"rds:*\"", () => {
  const admin: Doc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

  it("\"*\" allows every destructive probe on every kind of production resource", () => {
    const set = policies(admin);
    for (const kind of ["rds-instance", "rds-cluster", "dynamodb-table", "backup-vault"] as const) {
      const probes = productionProbes({ kind }, PRODUCTION_TAGS);
      expect(probes.length).toBeGreaterThan(0);
      const notAllowed = probes.filter((p) => decided(evaluateAccess(set, p)).decision !== "allow");
      expect(notAllowed.map((p) => p.description)).toEqual([]);
    }
  });

  it("\"rds:*\" allows every RDS probe and no DynamoDB or Backup probe", () => {
    const set = policies(ALLOW_RDS);
    const rdsProbes = [...productionProbes({ kind: "rds-instance" }, PRODUCTION_TAGS), ...productionProbes({ kind: "rds-cluster" }, PRODUCTION_TAGS)];
    expect(rdsProbes.every((p) => decided(evaluateAccess(set, p)).decision === "allow")).toBe(true);
    const others = [...productionProbes({ kind: "dynamodb-table" }, PRODUCTION_TAGS), ...productionProbes({ kind: "backup-vault" }, PRODUCTION_TAGS)];
    expect(others.map((p) => decided(evaluateAccess(set, p)).decision)).toEqual(others.map(() => "implicit-deny"));
  });
});
