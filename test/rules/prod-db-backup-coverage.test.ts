/**
 * prod-db-backup-coverage, called directly on stack views: every way a production database can be
 * selected (and left out) by AWS Backup, in previews and updates.
 */
import { Secret } from "@pulumi/policy";
import { UNKNOWN } from "../../guard/wire";
import type { Finding } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { prodDbBackupCoverage } from "../../policies/rules/prod-db-backup-coverage";
import { ACCOUNT, CLUSTER, PLAN, PROD, RDS, SELECTION, type StackResourceSpec, TABLE, backedUp, prodRds, stackView } from "../helpers/stack-view";

function check(resources: StackResourceSpec[], providers?: Record<string, Record<string, unknown>>): Finding[] {
  return prodDbBackupCoverage.check(stackView({ resources, providers }), {}, DEFAULT_SETTINGS as SharedSettings);
}
const violations = (fs: Finding[]) => fs.filter((f) => !f.deferred);
const deferred = (fs: Finding[]) => fs.filter((f) => f.deferred);

const plan: StackResourceSpec = { type: PLAN, name: "plan", props: { rules: [{ ruleName: "daily", targetVaultName: "vault" }] } };
function selection(props: Record<string, unknown>, deps: Record<string, string[]> = { planId: ["plan"] }, name = "selection"): StackResourceSpec {
  return { type: SELECTION, name, props: { planId: UNKNOWN.string, iamRoleArn: "arn:aws:iam::111111111111:role/b", ...props }, propertyDependencies: deps };
}

describe("prod-db-backup-coverage", () => {
  it("passes databases selected by ARN dependency (preview), by ARN (update) and by tag", () => {
    expect(check([prodRds("orders"), ...backedUp(["orders"])])).toEqual([]);
    expect(
      check([
        prodRds("orders", { arn: `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders` }),
        { type: CLUSTER, name: "ledger", props: { clusterIdentifier: "ledger", tags: PROD, arn: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:ledger` } },
        plan,
        selection({ resources: [`arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`, "arn:aws:rds:*:*:cluster:*"] }),
      ]),
    ).toEqual([]);
    expect(check([{ type: TABLE, name: "carts", props: { name: "carts", tags: { ...PROD, backup: "daily" } } }, plan, selection({ selectionTags: [{ type: "STRINGEQUALS", key: "backup", value: "daily" }] })])).toEqual([]);
  });

  it("fails a production database when the stack has no selection at all", () => {
    const fs = check([prodRds("orders")]);
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0].urn).toContain("::orders");
    expect(fs[0].message).toContain('RDS instance "orders": no aws:backup/selection:Selection in this stack selects it');
    expect(fs[0].message).toContain("Fix: add an aws.backup.Selection with planId: <plan>.id and resources: [orders.arn]");
  });

  it("fails a database that the selections leave out", () => {
    const fs = check([prodRds("orders"), prodRds("users"), ...backedUp(["orders"])]);
    expect(violations(fs).map((f) => f.name)).toEqual(["users"]);
  });

  it("fails a database whose tags differ from the selection tag only in case, and says why", () => {
    const fs = check([prodRds("orders", { tags: { ...PROD, Backup: "Daily" } }), plan, selection({ selectionTags: [{ type: "STRINGEQUALS", key: "backup", value: "daily" }] })]);
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0].message).toContain("selects tag backup=daily but the database has Backup=Daily; AWS Backup compares tag keys and values case-sensitively");
  });

  it("fails a database that notResources excludes", () => {
    const fs = check([prodRds("orders"), plan, selection({ resources: ["*"], notResources: [`arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`] })]);
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0].message).toContain('backup selection "selection" would select it but excludes it in notResources');
  });

  it("fails a database selected only by a selection in another Region", () => {
    const fs = check([prodRds("orders"), plan, { ...selection({ resources: ["*"] }), provider: "west" }], { west: { region: "us-west-2", allowedAccountIds: `["${ACCOUNT}"]` } });
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0].message).toContain("a selection only picks resources in its own Region");
  });

  it("fails when the only selection is unreadable, and names what is wrong with it", () => {
    const fs = check([prodRds("orders"), plan, selection({ resources: { arn: "x" } })]);
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0].message).toContain('note backup selection "selection": resources holds {"arn":"x"}, not an ARN');
  });

  it("defers when an unknown ARN has no property dependency", () => {
    const fs = check([prodRds("orders"), plan, selection({ resources: [UNKNOWN.string] })]);
    expect(violations(fs)).toEqual([]);
    expect(deferred(fs)).toHaveLength(1);
    expect(fs[0].message).toContain('whether a backup selection selects it: backup selection "selection"');
    expect(fs[0].message).toContain("values unknown until deployment that no property dependency explains");
  });

  it("defers a database whose production status is unknown, and ignores non-production ones", () => {
    const fs = check([
      { type: RDS, name: "maybe", props: { identifier: "maybe", tags: { environment: UNKNOWN.string } } },
      { type: RDS, name: "scratch", props: { identifier: "scratch", tags: { environment: "dev" } } },
    ]);
    expect(fs).toHaveLength(1);
    expect(fs[0].deferred).toBe(true);
    expect(fs[0].message).toContain('RDS instance "maybe": whether it is production');
  });

  it("does not judge read replicas, and defers when it is unknown whether a database is one", () => {
    expect(check([prodRds("replica", { replicateSourceDb: "orders" })])).toEqual([]);
    const fs = check([prodRds("maybe", { replicateSourceDb: UNKNOWN.string })]);
    expect(fs).toHaveLength(1);
    expect(fs[0].deferred).toBe(true);
    expect(fs[0].message).toContain("whether it is a read replica");
  });

  it("reads JSON strings and secrets as values, and never throws on wrong types", () => {
    expect(
      check([
        prodRds("orders", { tags: JSON.stringify({ ...PROD, backup: "daily" }) }),
        prodRds("users", { tags: new Secret({ ...PROD, backup: new Secret("daily") }) }),
        plan,
        selection({ selectionTags: [{ type: "STRINGEQUALS", key: "backup", value: new Secret("daily") }] }),
      ]),
    ).toEqual([]);
    expect(check([prodRds("orders", { tags: { ...PROD, backup: "daily" } }), plan, selection({ selectionTags: JSON.stringify([{ type: "STRINGEQUALS", key: "backup", value: "daily" }]) })])).toEqual([]);
    expect(() => check([prodRds("orders"), plan, selection({ resources: "not json", selectionTags: 3, conditions: [null] })])).not.toThrow();
  });
});

describe("prod-db-backup-coverage: whole messages", () => {
  const WHY = "Why it matters: AWS Backup then keeps no copy of it in a vault, so a deleted or overwritten database can only come back from what the database service itself keeps.";
  const FIX = 'Fix: add an aws.backup.Selection with planId: <plan>.id and resources: [orders.arn] (or a selectionTags entry that matches one of its tags exactly) for this RDS instance, and keep it out of notResources.';
  const tagSelection = (name: string, key: string) => selection({ selectionTags: [{ type: "STRINGEQUALS", key, value: "daily" }] }, { planId: ["plan"] }, name);
  const tags = { ...PROD, A: "Daily", B: "Daily", C: "Daily", D: "Daily" };
  const miss = (name: string, key: string) => `backup selection "${name}" selects tag ${key}=daily but the database has ${key.toUpperCase()}=Daily; AWS Backup compares tag keys and values case-sensitively`;

  it("names at most three near misses and counts the rest", () => {
    const fs = check([prodRds("orders", { tags }), plan, tagSelection("s1", "a"), tagSelection("s2", "b"), tagSelection("s3", "c"), tagSelection("s4", "d")]);
    expect(fs.map((f) => f.message)).toEqual([`RDS instance "orders": no aws:backup/selection:Selection selects it: ${miss("s1", "a")}; ${miss("s2", "b")}; ${miss("s3", "c")} (and 1 more). ${WHY} ${FIX}`]);
  });

  it("names exactly three near misses without counting", () => {
    const fs = check([prodRds("orders", { tags }), plan, tagSelection("s1", "a"), tagSelection("s2", "b"), tagSelection("s3", "c")]);
    expect(fs.map((f) => f.message)).toEqual([`RDS instance "orders": no aws:backup/selection:Selection selects it: ${miss("s1", "a")}; ${miss("s2", "b")}; ${miss("s3", "c")}. ${WHY} ${FIX}`]);
  });

  it("names the selections that select nothing as written, three at most, when nothing else comes near", () => {
    const broken = (name: string) => selection({ resources: [42] }, { planId: ["plan"] }, name);
    const four = check([prodRds("orders"), plan, broken("b1"), broken("b2"), broken("b3"), broken("b4")]);
    const note = (name: string) => `backup selection "${name}": resources holds 42, not an ARN`;
    expect(four.map((f) => f.message)).toEqual([`RDS instance "orders": no aws:backup/selection:Selection selects it; note ${note("b1")}; ${note("b2")}; ${note("b3")} (and 1 more). ${WHY} ${FIX}`]);
    const one = check([prodRds("orders"), plan, broken("b1")]);
    expect(one.map((f) => f.message)).toEqual([`RDS instance "orders": no aws:backup/selection:Selection selects it; note ${note("b1")}. ${WHY} ${FIX}`]);
  });

  it("says which selections may select it when that is unknown until deployment", () => {
    const maybe = (name: string) => selection({ resources: [UNKNOWN.string] }, { planId: ["plan"] }, name);
    const fs = check([prodRds("orders"), plan, maybe("m1"), maybe("m2")]);
    expect(fs.map((f) => [f.deferred, f.message])).toEqual([[true, expect.stringMatching(/^RDS instance "orders": whether a backup selection selects it: backup selection "m1" \(.+\); backup selection "m2" \(.+\) is unknown until deployment/)]]);
  });
});
