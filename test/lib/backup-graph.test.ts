/**
 * The backup graph: ARN patterns against ARNs with unknown parts, where resources live, and which
 * backup selections select a database under AWS Backup's rules (Resources OR ListOfTags, AND
 * Conditions, minus NotResources, same Region and account), in previews and in updates.
 */
import { Secret } from "@pulumi/policy";
import { UNKNOWN } from "../../guard/wire";
import { type BackupGraph, buildBackupGraph, locationOf, matchArnPattern, sameLocation } from "../../policies/lib/backup-graph";
import { recoveryByDatabase, rpoStatus } from "../../policies/lib/recovery";
import {
  ACCOUNT,
  CLUSTER,
  LOCK,
  PLAN,
  PROD,
  RDS,
  SELECTION,
  type StackResourceSpec,
  TABLE,
  VAULT,
  backedUp,
  prodRds,
  stackView,
} from "../helpers/stack-view";

const ORDERS_ARN = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`;

function graphOf(resources: StackResourceSpec[], providers?: Record<string, Record<string, unknown>>): BackupGraph {
  return buildBackupGraph(stackView({ resources, providers }));
}

/** "yes" / "unknown" for the selection named, "no" when it does not select the database. */
function selectedBy(graph: BackupGraph, db: string, selection = "selection"): string {
  const entry = [...graph.coverage.values()].find((c) => c.database.view.name === db);
  if (!entry) throw new Error(`no coverage for ${db}`);
  return entry.matches.find((m) => m.selection.view.name === selection)?.certainty ?? "no";
}

function missesOf(graph: BackupGraph, db: string): string[] {
  return [...graph.coverage.values()].find((c) => c.database.view.name === db)?.misses ?? [];
}

function selection(props: Record<string, unknown>, propertyDependencies: Record<string, string[]> = { planId: ["plan"] }, name = "selection"): StackResourceSpec {
  return { type: SELECTION, name, props: { planId: UNKNOWN.string, iamRoleArn: "arn:aws:iam::111111111111:role/b", ...props }, propertyDependencies };
}

const plan: StackResourceSpec = { type: PLAN, name: "plan", props: { name: "plan", rules: [{ ruleName: "daily", targetVaultName: "vault", schedule: "cron(0 5 ? * * *)" }] } };

describe("matchArnPattern", () => {
  it("matches known ARNs with * spanning any characters, case-sensitively", () => {
    expect(matchArnPattern("arn:aws:rds:*:*:db:*", [ORDERS_ARN])).toBe("yes");
    expect(matchArnPattern("*", [ORDERS_ARN])).toBe("yes");
    expect(matchArnPattern("arn:aws:rds:*", [ORDERS_ARN])).toBe("yes");
    expect(matchArnPattern("arn:aws:rds:*:*:cluster:*", [ORDERS_ARN])).toBe("no");
    expect(matchArnPattern("arn:aws:rds:*:*:db:Orders", [ORDERS_ARN])).toBe("no");
    expect(matchArnPattern(ORDERS_ARN, [ORDERS_ARN])).toBe("yes");
  });
  it("is sure when a * swallows every unknown part, unsure when a literal could meet it, and sure of no otherwise", () => {
    const unknownRegion = ["arn:", undefined, ":rds:", undefined, ":", ACCOUNT, ":db:", "orders"];
    expect(matchArnPattern("arn:aws:rds:*:*:db:*", unknownRegion)).toBe("unknown"); // the partition is unknown too
    expect(matchArnPattern("arn:*:rds:*:*:db:*", unknownRegion)).toBe("yes");
    expect(matchArnPattern("arn:*:rds:eu-west-1:*:db:orders", unknownRegion)).toBe("unknown");
    expect(matchArnPattern("arn:aws:dynamodb:*", unknownRegion)).toBe("no"); // unknown parts hold no ':'
    expect(matchArnPattern("arn:aws-cn:rds:*", unknownRegion)).toBe("unknown");
    const unknownName = ["arn:", "aws", ":rds:", "us-east-1", ":", ACCOUNT, ":db:", undefined];
    expect(matchArnPattern(ORDERS_ARN, unknownName)).toBe("unknown");
    expect(matchArnPattern(`arn:aws:rds:us-east-1:${ACCOUNT}:db:*`, unknownName)).toBe("yes");
    expect(matchArnPattern(`arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-*-x`, unknownName)).toBe("unknown");
    expect(matchArnPattern(`arn:aws:rds:us-east-1:${ACCOUNT}:cluster:*`, unknownName)).toBe("no");
    // An unknown part is never empty: "db:" alone cannot be the whole ARN.
    expect(matchArnPattern(`arn:aws:rds:us-east-1:${ACCOUNT}:db:`, unknownName)).toBe("no");
  });
});

describe("locationOf", () => {
  it("reads the resource's own region, then its provider's, the account from allowedAccountIds, and outputs' ARNs first", () => {
    const g = graphOf(
      [
        { type: RDS, name: "a", props: { identifier: "a", tags: PROD } },
        { type: RDS, name: "b", props: { identifier: "b", tags: PROD, region: "eu-west-1" } },
        { type: RDS, name: "c", props: { identifier: "c", tags: PROD, arn: "arn:aws:rds:ap-south-1:333333333333:db:c" } },
        { type: RDS, name: "d", props: { identifier: "d", tags: PROD, region: UNKNOWN.string } },
      ],
      {},
    );
    const loc = (n: string) => g.databases.find((d) => d.view.name === n)!.location;
    expect([loc("a").region, loc("a").account]).toEqual(["us-east-1", ACCOUNT]);
    expect(loc("b").region).toBe("eu-west-1");
    expect([loc("c").region, loc("c").account]).toEqual(["ap-south-1", "333333333333"]);
    expect(loc("d").region).toBeUndefined();
    expect(sameLocation(loc("a"), loc("b"))).toBe("no");
    expect(sameLocation(loc("a"), loc("d"))).toBe("unknown");
  });
  it("treats resources of one provider as co-located when the provider names no region or account", () => {
    const g = graphOf([{ type: RDS, name: "a", props: { tags: PROD } }, { type: RDS, name: "b", props: { tags: PROD } }, { type: RDS, name: "c", props: { tags: PROD, region: "eu-west-1" } }], { default_7_48_0: {} });
    const [a, b, c] = g.databases.map((d) => locationOf(d.view));
    expect(sameLocation(a, b)).toBe("yes");
    // A Region of its own is not the provider's, which is unknown here.
    expect(sameLocation(a, c)).toBe("unknown");
  });
});

describe("selection coverage", () => {
  it("resolves unknown ARNs through property dependencies (preview) and selects only those databases", () => {
    const g = graphOf([prodRds("orders"), prodRds("users"), plan, selection({ resources: [UNKNOWN.string] }, { planId: ["plan"], resources: ["orders"] })]);
    expect(selectedBy(g, "orders")).toBe("yes");
    expect(selectedBy(g, "users")).toBe("no");
    expect(g.selections[0].plan.state).toBe("in-stack");
  });
  it("matches real ARNs in an update, and plan ids against the plan's ARN", () => {
    const g = graphOf([
      prodRds("orders", { arn: ORDERS_ARN }),
      prodRds("users", { arn: `arn:aws:rds:us-east-1:${ACCOUNT}:db:users` }),
      { type: PLAN, name: "plan", props: { arn: `arn:aws:backup:us-east-1:${ACCOUNT}:backup-plan:8f3e-11`, rules: [] } },
      selection({ planId: "8f3e-11", resources: [ORDERS_ARN] }, {}),
    ]);
    expect(selectedBy(g, "orders")).toBe("yes");
    expect(selectedBy(g, "users")).toBe("no");
    expect(g.selections[0].plan.state).toBe("in-stack");
  });
  it("defers an unknown entry that no property dependency explains", () => {
    const g = graphOf([prodRds("orders"), plan, selection({ resources: [UNKNOWN.string] })]);
    expect(selectedBy(g, "orders")).toBe("unknown");
    const wholeList = graphOf([prodRds("orders"), plan, selection({ resources: UNKNOWN.array }, { planId: ["plan"], resources: ["plan"] })]);
    expect(selectedBy(wholeList, "orders")).toBe("unknown");
  });
  it("judges wildcard patterns against what is known of the database", () => {
    const g = graphOf([
      prodRds("orders"),
      { type: CLUSTER, name: "ledger", props: { clusterIdentifier: "ledger", tags: PROD } },
      { type: TABLE, name: "carts", props: { name: "carts", tags: PROD } },
      plan,
      selection({ resources: ["arn:aws:rds:*:*:db:*"] }),
    ]);
    expect(selectedBy(g, "orders")).toBe("yes");
    expect(selectedBy(g, "ledger")).toBe("no");
    expect(selectedBy(g, "carts")).toBe("no");
    const unknownName = graphOf([prodRds("orders", { identifier: UNKNOWN.string }), plan, selection({ resources: [`arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`] })]);
    expect(selectedBy(unknownName, "orders")).toBe("unknown");
  });
  it("never selects across Regions or accounts, whatever the pattern", () => {
    const g = graphOf([prodRds("orders"), plan, { ...selection({ resources: ["*"] }), provider: "eu" }], { eu: { region: "eu-west-1", allowedAccountIds: `["${ACCOUNT}"]` } });
    expect(selectedBy(g, "orders")).toBe("no");
    expect(missesOf(g, "orders").join()).toContain("Region eu-west-1");
    const otherAccount = graphOf([prodRds("orders"), plan, { ...selection({ resources: ["*"] }), provider: "other" }], { other: { region: "us-east-1", allowedAccountIds: '["222222222222"]' } });
    expect(selectedBy(otherAccount, "orders")).toBe("no");
  });
  it("excludes notResources, by ARN pattern or by property dependency", () => {
    const byPattern = graphOf([prodRds("orders"), plan, selection({ resources: ["*"], notResources: ["arn:aws:rds:*:*:db:orders"] })]);
    expect(selectedBy(byPattern, "orders")).toBe("no");
    expect(missesOf(byPattern, "orders").join()).toContain("excludes it in notResources");
    const byDependency = graphOf([prodRds("orders"), prodRds("users"), plan, selection({ resources: ["*"], notResources: [UNKNOWN.string] }, { planId: ["plan"], notResources: ["orders"] })]);
    expect(selectedBy(byDependency, "orders")).toBe("no");
    expect(selectedBy(byDependency, "users")).toBe("yes");
  });
  it("ORs selectionTags and compares them case-sensitively, with or without the aws:ResourceTag/ prefix", () => {
    const g = graphOf([
      prodRds("orders", { tags: { ...PROD, backup: "daily" } }),
      prodRds("users", { tags: { environment: "Production" } }),
      plan,
      selection({ selectionTags: [{ type: "STRINGEQUALS", key: "aws:ResourceTag/backup", value: "daily" }, { type: "STRINGEQUALS", key: "environment", value: "production" }] }),
    ]);
    expect(selectedBy(g, "orders")).toBe("yes");
    expect(selectedBy(g, "users")).toBe("no");
    expect(missesOf(g, "users").join()).toContain("case-sensitively");
  });
  it("takes the union of resources and selectionTags (a tag does not narrow resources)", () => {
    const g = graphOf([prodRds("orders", { tags: PROD }), prodRds("users", { tags: { ...PROD, backup: "yes" } }), plan, selection({ resources: ["arn:aws:rds:*:*:db:orders"], selectionTags: [{ type: "STRINGEQUALS", key: "backup", value: "yes" }] })]);
    expect(selectedBy(g, "orders")).toBe("yes");
    expect(selectedBy(g, "users")).toBe("yes");
  });
  it("ANDs conditions over resources, with IAM's reading of negated operators on absent tags", () => {
    const conditions = [{ stringEquals: [{ key: "aws:ResourceTag/environment", value: "production" }], stringLikes: [{ key: "aws:ResourceTag/app", value: "ord*" }], stringNotEquals: [{ key: "aws:ResourceTag/backup", value: "false" }] }];
    const g = graphOf([
      prodRds("orders", { tags: { ...PROD, app: "orders" } }),
      prodRds("users", { tags: { ...PROD, app: "users" } }),
      prodRds("legacy", { tags: { ...PROD, app: "ordering", backup: "false" } }),
      plan,
      selection({ resources: ["*"], conditions }),
    ]);
    expect(selectedBy(g, "orders")).toBe("yes");
    expect(selectedBy(g, "users")).toBe("no");
    expect(selectedBy(g, "legacy")).toBe("no");
    expect(missesOf(g, "users").join()).toContain('aws:ResourceTag/app StringLike "ord*"');
  });
  it("selects nothing with conditions alone (AWS refuses such a selection) and says so", () => {
    const g = graphOf([prodRds("orders"), plan, selection({ conditions: [{ stringEquals: [{ key: "aws:ResourceTag/environment", value: "production" }] }] })]);
    expect(selectedBy(g, "orders")).toBe("no");
    expect(g.selections[0].notes.join()).toContain("neither resources nor selectionTags");
  });
  it("defers tag-based selection of a database whose tags are unknown", () => {
    const g = graphOf([{ type: RDS, name: "orders", props: { identifier: "orders", tags: { environment: "production", team: UNKNOWN.string } } }, plan, selection({ selectionTags: [{ type: "STRINGEQUALS", key: "team", value: "payments" }] })]);
    expect(selectedBy(g, "orders")).toBe("unknown");
  });
  it("reads JSON strings, secrets and wrong types without throwing", () => {
    const g = graphOf([
      prodRds("orders", { tags: JSON.stringify({ ...PROD, backup: "yes" }) }),
      prodRds("users", { tags: { ...PROD, backup: new Secret("yes") } }),
      plan,
      selection({ selectionTags: JSON.stringify([{ type: "STRINGEQUALS", key: "backup", value: "yes" }]) }),
      selection({ resources: 42, notResources: [{}] }, { planId: ["plan"] }, "broken"),
    ]);
    expect(selectedBy(g, "orders")).toBe("yes");
    expect(selectedBy(g, "users")).toBe("yes");
    expect(selectedBy(g, "orders", "broken")).toBe("no");
    expect(g.selections[1].notes.join()).toContain("resources is 42, not a list of ARNs");
  });
  it("does not compute coverage for non-production databases", () => {
    const g = graphOf([{ type: RDS, name: "scratch", props: { identifier: "scratch", tags: { environment: "dev" } } }, prodRds("orders"), ...backedUp(["scratch", "orders"])]);
    expect([...g.coverage.values()].map((c) => c.database.view.name)).toEqual(["orders"]);
    const all = buildBackupGraph(stackView({ resources: [{ type: RDS, name: "scratch", props: { tags: {} } }] }), { scope: "all" });
    expect(all.coverage.size).toBe(1);
  });
});

describe("plans and vaults", () => {
  it("resolves targets by name and copy destinations by ARN, and marks vaults outside the stack", () => {
    const g = graphOf([
      { type: VAULT, name: "vault", props: { name: "vault" } },
      { type: VAULT, name: "dr", props: { name: "dr", region: "us-west-2" } },
      {
        type: PLAN,
        name: "plan",
        props: {
          rules: [
            { ruleName: "a", targetVaultName: "vault", copyActions: [{ destinationVaultArn: `arn:aws:backup:us-west-2:${ACCOUNT}:backup-vault:dr` }, { destinationVaultArn: "arn:aws:backup:eu-west-1:999999999999:backup-vault:elsewhere" }] },
            { ruleName: "b", targetVaultName: "nowhere", copyActions: [{ destinationVaultArn: "not-an-arn" }] },
          ],
        },
      },
    ]);
    const [a, b] = g.plans[0].rules;
    expect(a.target).toMatchObject({ state: "in-stack", vaults: [{ name: "vault" }] });
    expect(a.copies[0]).toMatchObject({ state: "in-stack", vaults: [{ name: "dr" }] });
    expect(a.copies[1]).toMatchObject({ state: "outside-stack", location: { region: "eu-west-1", account: "999999999999" } });
    expect(b.target.state).toBe("outside-stack");
    expect(b.copies[0].state).toBe("invalid");
  });
  it("links unknown vault names through the plan's property dependencies, and locks to vaults", () => {
    const g = graphOf([
      { type: VAULT, name: "vault", props: { name: UNKNOWN.string } },
      { type: LOCK, name: "lock", props: { backupVaultName: UNKNOWN.string, changeableForDays: 3, minRetentionDays: 7 }, propertyDependencies: { backupVaultName: ["vault"] } },
      { type: PLAN, name: "plan", props: { rules: [{ ruleName: "a", targetVaultName: UNKNOWN.string }] }, propertyDependencies: { rules: ["vault"] } },
      { type: PLAN, name: "orphan", props: { rules: [{ ruleName: "a", targetVaultName: UNKNOWN.string }] } },
    ]);
    expect(g.plans[0].rules[0].target).toMatchObject({ state: "in-stack", how: "by property dependency" });
    expect(g.plans[1].rules[0].target.state).toBe("unknown");
    expect(g.vaults[0].locks.map((l) => l.view.name)).toEqual(["lock"]);
  });
  it("reads a plan whose rules are a JSON string, unknown, or of the wrong type", () => {
    const g = graphOf([
      { type: PLAN, name: "json", props: { rules: JSON.stringify([{ ruleName: "a", targetVaultName: "v", schedule: "cron(0 * ? * * *)" }]) } },
      { type: PLAN, name: "unknown", props: { rules: UNKNOWN.array } },
      { type: PLAN, name: "wrong", props: { rules: 7 } },
    ]);
    expect(g.plans.map((p) => p.rulesState)).toEqual(["known", "unknown", "invalid"]);
    expect(g.plans[0].rules[0].schedule).toEqual({ state: "known", value: "cron(0 * ? * * *)" });
  });
});

describe("recoveryByDatabase", () => {
  const from = new Date("2026-01-05T00:00:00Z");
  it("gives each database the sources the rule and the report share, analysing shared plans once", () => {
    const stack = stackView({ resources: [prodRds("orders"), prodRds("users", { deleteAutomatedBackups: false, backupRetentionPeriod: 7 }), ...backedUp(["orders", "users"], { schedule: "cron(0 */6 ? * * *)", startWindow: 60 })] });
    const recovery = recoveryByDatabase(stack, { from });
    const orders = recovery.get(stack.resources.find((r) => r.name === "orders")!.urn)!;
    const users = recovery.get(stack.resources.find((r) => r.name === "users")!.urn)!;
    expect(orders.assessment.worstCaseMinutes).toBe(6 * 60 + 60);
    expect(orders.coveredBy).toEqual(['backup plan "plan" (backup selection "selection")']);
    expect(orders.sources.snapshotRules).toEqual([{ name: '"daily" of plan "plan"', scheduleExpression: "cron(0 */6 ? * * *)", startWindowMinutes: 60 }]);
    expect(users.sources.pointInTimeSurvivesDeletion).toBe(true);
    expect(users.assessment.worstCaseMinutes).toBe(5);
  });
  it("counts continuous backup for RDS but schedules it as snapshots for DynamoDB", () => {
    const stack = stackView({ resources: [prodRds("orders"), { type: TABLE, name: "carts", props: { name: "carts", tags: PROD } }, ...backedUp(["orders", "carts"], { continuous: true })] });
    const recovery = recoveryByDatabase(stack, { from });
    const byName = (n: string) => recovery.get(stack.resources.find((r) => r.name === n)!.urn)!;
    expect(byName("orders").assessment.worstCaseMinutes).toBe(5);
    expect(byName("orders").sources.pointInTimeSource).toContain("continuous backup");
    expect(byName("carts").assessment.worstCaseMinutes).toBe(1440 + 480);
  });
  it("lists what is unknown instead of counting it, and plans outside the stack apart", () => {
    const stack = stackView({
      resources: [
        prodRds("orders", { deleteAutomatedBackups: UNKNOWN.bool }),
        { type: PLAN, name: "plan", props: { rules: [{ ruleName: "a", targetVaultName: "v", schedule: UNKNOWN.string }] } },
        selection({ resources: [UNKNOWN.string] }, { planId: ["plan"], resources: ["orders"] }),
        selection({ planId: "abc-123", resources: ["*"] }, {}, "external"),
      ],
    });
    const r = [...recoveryByDatabase(stack, { from }).values()][0];
    expect(r.assessment.worstCaseMinutes).toBeUndefined();
    expect(r.pending.join(" | ")).toContain("schedule unknown until deployment");
    expect(r.pending.join(" | ")).toContain("deleteAutomatedBackups is unknown");
    expect(r.outsideStack).toEqual(['backup plan abc-123 (not in this stack) through backup selection "external"']);
  });
  it("names each database's own plans when plans with the same rules share one analysis", () => {
    const planOf = (n: string): StackResourceSpec => ({ type: PLAN, name: n, props: { rules: [{ ruleName: "nightly", targetVaultName: "v", schedule: "cron(0 2 ? * * *)" }] } });
    const stack = stackView({
      resources: [
        prodRds("a"),
        prodRds("b"),
        planOf("plan-a"),
        planOf("plan-b"),
        selection({ resources: [UNKNOWN.string] }, { planId: ["plan-a"], resources: ["a"] }, "sel-a"),
        selection({ resources: [UNKNOWN.string] }, { planId: ["plan-b"], resources: ["b"] }, "sel-b"),
      ],
    });
    const [a, b] = [...recoveryByDatabase(stack, { from }).values()];
    expect(a.assessment.basis).toContain('rule "nightly" of plan "plan-a": cron(0 2 ? * * *)');
    expect(b.assessment.basis).toContain('rule "nightly" of plan "plan-b": cron(0 2 ? * * *)');
    expect(b.assessment.rules[0].name).toBe('"nightly" of plan "plan-b"');
    expect(a.assessment.worstCaseMinutes).toBe(b.assessment.worstCaseMinutes);
  });

  it("states ok / over / none / unknown the same way for the rule and the report", () => {
    const stack = stackView({
      resources: [
        prodRds("hourly"),
        prodRds("bare"),
        prodRds("pending", { deleteAutomatedBackups: UNKNOWN.bool }),
        ...backedUp(["hourly"], { schedule: "cron(0 * ? * * *)", startWindow: 60 }),
      ],
    });
    const recovery = recoveryByDatabase(stack, { from });
    const status = (n: string, max: number) => rpoStatus(recovery.get(stack.resources.find((r) => r.name === n)!.urn)!, max);
    expect([status("hourly", 120), status("hourly", 60), status("bare", 60), status("pending", 60)]).toEqual(["ok", "over", "none", "unknown"]);
  });

  it("attributes a rule AWS would refuse to its plan", () => {
    const stack = stackView({ resources: [prodRds("orders"), ...backedUp(["orders"], { schedule: "cron(0 5 * * *)" })] });
    const r = [...recoveryByDatabase(stack, { from }).values()][0];
    expect(r.invalidRules).toHaveLength(1);
    expect(r.invalidRules[0].plan.view.name).toBe("plan");
    expect(r.invalidRules[0].ruleName).toBe("daily");
    expect(r.invalidRules[0].error).toContain("has 5 fields");
  });
});
