/**
 * The backup graph's user-visible readings and texts, pinned down exactly: how references
 * (plan ids, vault locks, restore testing plans, copy destinations) resolve when a property
 * depends on more than the resource it names, the notes of restore testing selections, the text
 * naming what is unknown about a database's ARN, the case-miss text, and what a refused or
 * non-selecting selection leaves in a database's coverage (no match, no empty miss).
 */
import { UNKNOWN } from "../../guard/wire";
import { type BackupGraph, buildBackupGraph, effectiveTags, locationOf, matchArnPattern } from "../../policies/lib/backup-graph";
import type { ResourceView, StackView } from "../../policies/lib/rule";
import {
  ACCOUNT,
  LOCK,
  PLAN,
  PROD,
  RT_PLAN,
  RT_SELECTION,
  SELECTION,
  type StackResourceSpec,
  VAULT,
  prodRds,
  stackView,
} from "../helpers/stack-view";

type Providers = Record<string, Record<string, unknown>>;

const KMS_KEY = "aws:kms/key:Key";
const CASE_RULE = "AWS Backup compares tag keys and values case-sensitively";

function graphOf(resources: StackResourceSpec[], providers?: Providers, scope?: "production" | "all"): BackupGraph {
  return buildBackupGraph(stackView({ resources, providers }), scope ? { scope } : {});
}

function coverageOf(g: BackupGraph, db: string): { matches: { selection: string; certainty: string; reason: string }[]; misses: string[] } {
  const entry = [...g.coverage.values()].find((c) => c.database.view.name === db);
  if (!entry) throw new Error(`no coverage for ${db}`);
  return { matches: entry.matches.map((m) => ({ selection: m.selection.view.name, certainty: m.certainty, reason: m.reason })), misses: entry.misses };
}

function selection(props: Record<string, unknown>, propertyDependencies: Record<string, string[]> = { planId: ["plan"] }, name = "selection"): StackResourceSpec {
  return { type: SELECTION, name, props: { planId: UNKNOWN.string, iamRoleArn: "arn:aws:iam::111111111111:role/b", ...props }, propertyDependencies };
}

const plan: StackResourceSpec = { type: PLAN, name: "plan", props: { name: "plan", rules: [{ ruleName: "daily", targetVaultName: "vault", schedule: "cron(0 5 ? * * *)" }] } };
const key: StackResourceSpec = { type: KMS_KEY, name: "key", props: {} };

// ---------------------------------------------------------------------------------------------

describe("references that depend on more than the resource they name", () => {
  it("links a lock to the one vault among its backupVaultName dependencies", () => {
    const g = graphOf([
      { type: VAULT, name: "vault", props: { name: UNKNOWN.string } },
      key,
      { type: LOCK, name: "lock", props: { backupVaultName: UNKNOWN.string, changeableForDays: 3, minRetentionDays: 7 }, propertyDependencies: { backupVaultName: ["vault", "key"] } },
    ]);
    expect(g.locks.map((l) => ({ link: l.link, vaults: l.vaults.map((v) => v.view.name) }))).toEqual([{ link: "dependency", vaults: ["vault"] }]);
    expect(g.vaults[0].locks.map((l) => l.view.name)).toEqual(["lock"]);
  });

  it("resolves a selection's plan from the one plan among its planId dependencies", () => {
    const g = graphOf([prodRds("orders"), plan, key, selection({ resources: ["*"] }, { planId: ["plan", "key"] })]);
    const ref = g.selections[0].plan;
    expect(ref.state === "in-stack" ? ref.plan.view.name : ref.state).toBe("plan");
    expect(g.selections[0].notes).toEqual([]);
  });

  it("resolves a restore testing selection's plan from the one plan among its restoreTestingPlanName dependencies", () => {
    const g = graphOf([
      { type: RT_PLAN, name: "rt-plan", props: { name: UNKNOWN.string } },
      key,
      { type: RT_SELECTION, name: "rts", props: { restoreTestingPlanName: UNKNOWN.string, protectedResourceType: "RDS", protectedResourceArns: ["*"] }, propertyDependencies: { restoreTestingPlanName: ["rt-plan", "key"] } },
    ]);
    const ref = g.restoreTestingSelections[0].plan;
    expect(ref.state === "in-stack" ? ref.plan.view.name : ref.state).toBe("rt-plan");
  });

  it("matches a plan's id output whole, even when it holds a colon (only the ARN is cut at its last colon)", () => {
    const g = graphOf([
      { type: PLAN, name: "by-id", props: { id: "plan:v2", rules: [] } },
      { type: PLAN, name: "by-arn", props: { arn: `arn:aws:backup:us-east-1:${ACCOUNT}:backup-plan:8f3e-11`, rules: [] } },
      selection({ planId: "plan:v2", resources: ["*"] }, {}, "s1"),
      selection({ planId: "8f3e-11", resources: ["*"] }, {}, "s2"),
      selection({ planId: "v2", resources: ["*"] }, {}, "s3"),
    ]);
    const planOf = (i: number) => {
      const ref = g.selections[i].plan;
      return ref.state === "in-stack" ? ref.plan.view.name : ref;
    };
    expect(planOf(0)).toBe("by-id");
    expect(planOf(1)).toBe("by-arn");
    expect(planOf(2)).toEqual({ state: "outside-stack", id: "v2" });
  });
});

describe("copy destinations", () => {
  it("refuses an ARN of another service even when its resource reads backup-vault:", () => {
    const arn = `arn:aws:kms:us-west-2:${ACCOUNT}:backup-vault:dr`;
    const g = graphOf([
      { type: VAULT, name: "vault", props: { name: "vault" } },
      { type: VAULT, name: "dr", props: { name: "dr", region: "us-west-2" } },
      { type: PLAN, name: "plan", props: { rules: [{ ruleName: "a", targetVaultName: "vault", copyActions: [{ destinationVaultArn: arn }] }] } },
    ]);
    expect(g.plans[0].rules[0].copies).toEqual([
      { state: "invalid", what: `copy action #1 destinationVaultArn ${JSON.stringify(arn)} is not a backup vault ARN (arn:<partition>:backup:<region>:<account>:backup-vault:<name>)` },
    ]);
  });

  it("takes an unknown copy destination from the rules' vault dependencies when the target vault is outside the stack", () => {
    const g = graphOf([
      { type: VAULT, name: "dr", props: { name: "dr" } },
      { type: PLAN, name: "plan", props: { rules: [{ ruleName: "a", targetVaultName: "external", copyActions: [UNKNOWN.string] }] }, propertyDependencies: { rules: ["dr"] } },
    ]);
    const rule = g.plans[0].rules[0];
    expect(rule.target).toEqual({ state: "outside-stack", ref: "external", location: { region: "us-east-1", account: ACCOUNT } });
    expect(rule.copies.map((c) => (c.state === "in-stack" ? { how: c.how, vaults: c.vaults.map((v) => v.view.name) } : c))).toEqual([{ how: "by property dependency", vaults: ["dr"] }]);
  });
});

describe("restore testing selection notes", () => {
  const rts = (props: Record<string, unknown>): StackResourceSpec => ({ type: RT_SELECTION, name: "rts", props: { protectedResourceType: "RDS", ...props } });
  const notesOf = (props: Record<string, unknown>) => graphOf([{ type: RT_PLAN, name: "p", props: { name: "p" } }, rts(props)]).restoreTestingSelections[0].notes;

  it("says that AWS refuses a selection without its plan name", () => {
    expect(notesOf({ protectedResourceArns: ["*"] })).toEqual(["restoreTestingPlanName is not set, and AWS Backup refuses a restore testing selection without its plan"]);
    expect(notesOf({ restoreTestingPlanName: 7, protectedResourceArns: ["*"] })).toEqual(["restoreTestingPlanName is 7, not a plan name, and AWS Backup refuses a restore testing selection without its plan"]);
  });

  it("names protectedResourceArns that are not a list of ARNs", () => {
    expect(notesOf({ restoreTestingPlanName: "p", protectedResourceArns: 42 })).toEqual(["protectedResourceArns is 42, not a list of ARNs"]);
  });

  it("names protectedResourceConditions that are not a conditions block, by their property name", () => {
    expect(notesOf({ restoreTestingPlanName: "p", protectedResourceArns: ["*"], protectedResourceConditions: 42 })).toEqual(["protectedResourceConditions is 42, not a conditions block"]);
    expect(notesOf({ restoreTestingPlanName: "p", protectedResourceArns: ["*"], protectedResourceConditions: { stringLikes: [] } })).toEqual([
      'protectedResourceConditions has no operator "stringLikes" (only stringEquals, stringNotEquals)',
    ]);
  });
});

describe("what is unknown about a database's ARN", () => {
  const PATTERN = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`;
  const SAME_REGION = "whether the selection and the database are in the same Region";

  it("names the Region when the database's own Region is unknown", () => {
    const g = graphOf([prodRds("orders", { region: UNKNOWN.string }), plan, selection({ resources: [PATTERN] })]);
    expect(coverageOf(g, "orders").matches).toEqual([
      { selection: "selection", certainty: "unknown", reason: `its resources: pattern ${JSON.stringify(PATTERN)} may match its ARN, whose Region is unknown until deployment; ${SAME_REGION}` },
    ]);
  });

  it("names the Region and the identifier when both are unknown", () => {
    const g = graphOf([prodRds("orders", { region: UNKNOWN.string, identifier: UNKNOWN.string }), plan, selection({ resources: [PATTERN] })]);
    expect(coverageOf(g, "orders").matches[0].reason).toBe(`its resources: pattern ${JSON.stringify(PATTERN)} may match its ARN, whose Region and identifier is unknown until deployment; ${SAME_REGION}`);
  });

  it("names only the identifier when the Region is known", () => {
    const g = graphOf([prodRds("orders", { identifier: UNKNOWN.string }), plan, selection({ resources: [PATTERN] })]);
    expect(coverageOf(g, "orders").matches[0].reason).toBe(`its resources: pattern ${JSON.stringify(PATTERN)} may match its ARN, whose identifier is unknown until deployment`);
  });

  it("never lets an unknown part be empty: an empty Region field in a pattern cannot match a database whose Region is unknown", () => {
    const unknownRegion = ["arn:", undefined, ":rds:", undefined, ":", ACCOUNT, ":db:", "orders"];
    expect(matchArnPattern(`arn:aws:rds::${ACCOUNT}:db:orders`, unknownRegion)).toBe("no");
    expect(matchArnPattern(`arn::rds::${ACCOUNT}:db:orders`, unknownRegion)).toBe("no");
    const g = graphOf([prodRds("orders", { region: UNKNOWN.string }), plan, selection({ resources: [`arn:aws:rds::${ACCOUNT}:db:orders`] })]);
    expect(coverageOf(g, "orders")).toEqual({ matches: [], misses: [] });
  });
});

describe("how a selection selects, and what it leaves in the coverage", () => {
  it("keeps a resource match when the same database is also a tag candidate", () => {
    const g = graphOf([
      prodRds("orders", { tags: { ...PROD, team: UNKNOWN.string } }),
      plan,
      selection({ resources: ["arn:aws:rds:*:*:db:*"], selectionTags: [{ type: "STRINGEQUALS", key: "team", value: "payments" }] }),
    ]);
    expect(coverageOf(g, "orders")).toEqual({ matches: [{ selection: "selection", certainty: "yes", reason: 'pattern "arn:aws:rds:*:*:db:*"' }], misses: [] });
  });

  it("defers every database when one of several selection tags has a value unknown until deployment", () => {
    const g = graphOf([
      prodRds("orders"),
      plan,
      selection({ selectionTags: [{ type: "STRINGEQUALS", key: "backup", value: UNKNOWN.string }, { type: "STRINGEQUALS", key: "team", value: "payments" }] }),
    ]);
    expect(coverageOf(g, "orders")).toEqual({
      matches: [{ selection: "selection", certainty: "unknown", reason: "whether its selection tags match (values unknown until deployment)" }],
      misses: [],
    });
  });

  it("records neither a match nor an empty miss for a refused selection", () => {
    const g = graphOf([prodRds("orders"), selection({ planId: undefined, resources: ["*"] }, {})]);
    expect(g.selections[0].notes).toEqual(["planId is not set, and AWS Backup refuses a selection without its plan"]);
    // toStrictEqual: toEqual would take [undefined] for [].
    expect(coverageOf(g, "orders")).toStrictEqual({ matches: [], misses: [] });
  });

  it("records no empty miss for a candidate its patterns do not select", () => {
    const g = graphOf([prodRds("orders"), plan, selection({ resources: [`arn:aws:rds:us-east-1:${ACCOUNT}:db:users`, "arn:aws:rds:*:*:cluster:*"] })]);
    expect(coverageOf(g, "orders")).toStrictEqual({ matches: [], misses: [] });
  });
});

describe("the case-miss text", () => {
  const tagSelection = selection({ selectionTags: [{ type: "STRINGEQUALS", key: "environment", value: "production" }] });
  const caseMiss = (has: string) => `backup selection "selection" selects tag environment=production but the database has ${has}; ${CASE_RULE}`;

  it("quotes the tag whose key and value both differ only in case, not one that shares only the value", () => {
    const g = graphOf([prodRds("orders", { tags: { owner: "production", Environment: "Production" } }), plan, tagSelection], undefined, "all");
    expect(coverageOf(g, "orders")).toEqual({ matches: [], misses: [caseMiss("Environment=Production")] });
  });

  it("quotes the tag whose key and value both differ only in case, not one that shares only the key", () => {
    const g = graphOf([prodRds("orders", { tags: { environment: "staging", Environment: "Production" } }), plan, tagSelection], undefined, "all");
    expect(coverageOf(g, "orders")).toEqual({ matches: [], misses: [caseMiss("Environment=Production")] });
  });

  it("skips a same-key tag whose value is unknown until deployment", () => {
    const g = graphOf([prodRds("orders", { tags: { Environment: UNKNOWN.string, ENVIRONMENT: "Production" } }), plan, tagSelection], undefined, "all");
    expect(coverageOf(g, "orders")).toEqual({ matches: [], misses: [caseMiss("ENVIRONMENT=Production")] });
  });

  it("gives the hint even when a resource pattern equals the known start of the database's ARN", () => {
    // The database's Region is unknown, so its ARN is known only up to "arn:"; the exact pattern "arn:" cannot match it.
    const g = graphOf(
      [prodRds("orders", { region: UNKNOWN.string, tags: { Environment: "Production" } }), plan, selection({ resources: ["arn:"], selectionTags: [{ type: "STRINGEQUALS", key: "environment", value: "production" }] })],
      undefined,
      "all",
    );
    expect(coverageOf(g, "orders")).toEqual({ matches: [], misses: [caseMiss("Environment=Production")] });
  });
});

describe("providers and views without optional parts", () => {
  it("trims the ids in the provider's allowedAccountIds", () => {
    const view = stackView({ resources: [prodRds("orders")], providers: { default_7_48_0: { region: "us-east-1", allowedAccountIds: [` ${ACCOUNT} `] } } }).resources.find((r) => r.name === "orders")!;
    expect(locationOf(view).account).toBe(ACCOUNT);
  });

  function stripped(spec: StackResourceSpec[]): StackView {
    const base = stackView({ resources: spec });
    const resources: ResourceView[] = base.resources.map((r) => {
      const { provider: _provider, propertyDependencies: _deps, ...rest } = r;
      return rest;
    });
    return { stackName: base.stackName, resources, byUrn: new Map(resources.map((r) => [r.urn, r])) };
  }

  it("reads the tags of a resource that has no provider", () => {
    const view = stripped([prodRds("orders", { tags: { ...PROD, team: "payments" } })]).resources.find((r) => r.name === "orders")!;
    expect(effectiveTags(view)).toEqual({ state: "known", tags: new Map([["environment", "production"], ["team", "payments"]]) });
  });

  it("builds the graph from views that carry no propertyDependencies", () => {
    const g = buildBackupGraph(
      stripped([
        prodRds("orders"),
        { type: VAULT, name: "vault", props: { name: "vault" } },
        { type: LOCK, name: "lock", props: { backupVaultName: "vault", changeableForDays: 3, minRetentionDays: 7 } },
        plan,
        selection({ planId: "abc-123", resources: ["*"] }, {}),
        { type: RT_SELECTION, name: "rts", props: { restoreTestingPlanName: "p", protectedResourceType: "RDS", protectedResourceArns: ["*"] } },
      ]),
    );
    expect(g.locks.map((l) => l.link)).toEqual(["name"]);
    expect(g.plans[0].rules[0].target.state).toBe("in-stack");
    expect(coverageOf(g, "orders").matches.map((m) => m.certainty)).toEqual(["yes"]);
  });
});
