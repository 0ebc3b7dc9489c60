/**
 * backup-offsite-copy, called directly on stack views: copies to another Region or account pass,
 * missing or local copies fail, unknown destinations defer.
 */
import { UNKNOWN } from "../../guard/wire";
import type { Finding } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { backupOffsiteCopy } from "../../policies/rules/backup-offsite-copy";
import { ACCOUNT, PLAN, RDS, type StackResourceSpec, VAULT, backedUp, prodRds, stackView } from "../helpers/stack-view";

function check(resources: StackResourceSpec[], providers?: Record<string, Record<string, unknown>>): Finding[] {
  return backupOffsiteCopy.check(stackView({ resources, providers }), {}, DEFAULT_SETTINGS as SharedSettings);
}
const violations = (fs: Finding[]) => fs.filter((f) => !f.deferred);
const deferred = (fs: Finding[]) => fs.filter((f) => f.deferred);

function withCopies(copyActions: unknown, extra: StackResourceSpec[] = [], planDeps: string[] = ["vault"]): StackResourceSpec[] {
  return [
    prodRds("orders"),
    ...backedUp(["orders"]).map((r) => (r.type === PLAN ? { ...r, props: { rules: [{ ruleName: "daily", targetVaultName: "vault", copyActions }] }, propertyDependencies: { rules: planDeps } } : r)),
    ...extra,
  ];
}

describe("backup-offsite-copy", () => {
  it("passes a copy to another Region, or to another account, by ARN", () => {
    expect(check(withCopies([{ destinationVaultArn: `arn:aws:backup:us-west-2:${ACCOUNT}:backup-vault:dr` }]))).toEqual([]);
    expect(check(withCopies([{ destinationVaultArn: "arn:aws:backup:us-east-1:222222222222:backup-vault:dr" }]))).toEqual([]);
  });

  it("passes a copy to a vault of this stack that another provider puts in another Region", () => {
    const west = { west: { region: "us-west-2", allowedAccountIds: `["${ACCOUNT}"]` } };
    const dr: StackResourceSpec = { type: VAULT, name: "dr", props: { name: "dr" }, provider: "west" };
    // The rules depend on both vaults; the known target is "vault", so the copy goes to "dr".
    expect(check(withCopies([{ destinationVaultArn: UNKNOWN.string }], [dr], ["vault", "dr"]), west)).toEqual([]);
    // With the target unknown too, the copy may go to either: undecided until deployment.
    const bothUnknown = withCopies([{ destinationVaultArn: UNKNOWN.string }], [dr], ["vault", "dr"]).map((r) =>
      r.type === PLAN ? { ...r, props: { rules: [{ ruleName: "daily", targetVaultName: UNKNOWN.string, copyActions: [{ destinationVaultArn: UNKNOWN.string }] }] } } : r,
    );
    const fs = check(bothUnknown, west);
    expect(violations(fs)).toEqual([]);
    expect(deferred(fs)).toHaveLength(1);
  });

  it("fails a production rule without copyActions", () => {
    const fs = check([prodRds("orders"), ...backedUp(["orders"])]);
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0].name).toBe("plan");
    expect(fs[0].message).toContain('backup plan "plan": rule "daily" (backing up production database "orders") has no copyActions, so every recovery point stays in us-east-1/111111111111');
    expect(fs[0].message).toContain('Fix: add copyActions: [{ destinationVaultArn: <vault in another Region or account>.arn }] to rule "daily"');
  });

  it("fails a copy that stays in the same Region and account, and a copy whose ARN is not a vault ARN", () => {
    expect(violations(check(withCopies([{ destinationVaultArn: `arn:aws:backup:us-east-1:${ACCOUNT}:backup-vault:other` }])))[0].message).toContain("copies only within us-east-1/111111111111");
    expect(violations(check(withCopies([{ destinationVaultArn: "dr-vault" }])))[0].message).toContain("is not a backup vault ARN");
    expect(violations(check(withCopies("not json")))[0].message).toContain("copyActions is");
  });

  it("defers an unknown destination that depends on no vault", () => {
    const fs = check(withCopies([{ destinationVaultArn: UNKNOWN.string }], [], []));
    expect(violations(fs)).toEqual([]);
    expect(deferred(fs)[0].message).toContain('whether rule "daily" copies to another Region or account');
    expect(deferred(check(withCopies(UNKNOWN.array, [], []))).length).toBe(1);
  });

  it("does not judge plans that back up no production database", () => {
    expect(check([{ type: RDS, name: "scratch", props: { identifier: "scratch", tags: {} } }, ...backedUp(["scratch"])])).toEqual([]);
  });
});
