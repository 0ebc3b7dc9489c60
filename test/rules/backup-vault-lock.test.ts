/**
 * backup-vault-lock, called directly on stack views: the vaults that receive production recovery
 * points (targets, copy destinations, dependencies) and every way their lock falls short.
 */
import { UNKNOWN } from "../../guard/wire";
import type { Finding } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { type BackupVaultLockConfig, backupVaultLock } from "../../policies/rules/backup-vault-lock";
import { LOCK, PLAN, RDS, type StackResourceSpec, VAULT, backedUp, prodRds, stackView } from "../helpers/stack-view";

function check(resources: StackResourceSpec[], config: BackupVaultLockConfig = {}): Finding[] {
  return backupVaultLock.check(stackView({ resources }), config, DEFAULT_SETTINGS as SharedSettings);
}
const violations = (fs: Finding[]) => fs.filter((f) => !f.deferred);
const deferred = (fs: Finding[]) => fs.filter((f) => f.deferred);

/** The backedUp() stack with one resource's props changed. */
function withProps(name: string, change: (props: Record<string, unknown>) => Record<string, unknown>, options = {}): StackResourceSpec[] {
  return [prodRds("orders"), ...backedUp(["orders"], options)].map((r) => (r.name === name ? { ...r, props: change({ ...r.props }) } : r));
}

const EXTERNAL_VAULT = "arn:aws:backup:us-west-2:222222222222:backup-vault:dr";

describe("backup-vault-lock", () => {
  it("passes a target vault with a compliance-mode lock of at least 7 days", () => {
    expect(check([prodRds("orders"), ...backedUp(["orders"])])).toEqual([]);
    expect(check([prodRds("orders"), ...backedUp(["orders"], { lockDays: 30 })], { minVaultLockDays: 30 })).toEqual([]);
  });

  it("fails a target vault without a lock", () => {
    const fs = check([prodRds("orders"), ...backedUp(["orders"]).filter((r) => r.type !== LOCK)]);
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0].name).toBe("vault");
    expect(fs[0].message).toContain('backup vault "vault": it receives recovery points of production database "orders" (target of rule "daily" in backup plan "plan")');
    expect(fs[0].message).toContain("no aws:backup/vaultLockConfiguration:VaultLockConfiguration locks it");
  });

  it("fails a governance-mode lock (no changeableForDays)", () => {
    const fs = check(withProps("vault-lock", ({ changeableForDays: _omit, ...rest }) => rest));
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0].message).toContain("governance-mode lock");
  });

  it("fails a lock whose minRetentionDays is below the floor, or absent", () => {
    expect(check([prodRds("orders"), ...backedUp(["orders"], { lockDays: 3 })])[0].message).toContain("minRetentionDays is 3, below the required 7 days");
    expect(check([prodRds("orders"), ...backedUp(["orders"])], { minVaultLockDays: 30 })[0].message).toContain("below the required 30 days");
    expect(check(withProps("vault-lock", ({ minRetentionDays: _omit, ...rest }) => rest))[0].message).toContain("sets no minRetentionDays");
  });

  it("fails a vault with forceDestroy: true", () => {
    const fs = check(withProps("vault", (p) => ({ ...p, forceDestroy: true })));
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0].message).toContain("forceDestroy is true");
  });

  it("judges copy destinations too: in the stack, and outside it unless listed as verified", () => {
    const copyTo = (arn: string) => withProps("plan", (p) => ({ ...p, rules: [{ ruleName: "daily", targetVaultName: "vault", copyActions: [{ destinationVaultArn: arn }] }] }));
    const inStack = [...copyTo("arn:aws:backup:us-west-2:111111111111:backup-vault:dr"), { type: VAULT, name: "dr", props: { name: "dr", region: "us-west-2" } }];
    const fs = check(inStack);
    expect(violations(fs).map((f) => f.name)).toEqual(["dr"]);
    expect(fs[0].message).toContain("copy destination #1 of rule");
    const outside = check(copyTo(EXTERNAL_VAULT));
    expect(violations(outside)).toHaveLength(1);
    expect(outside[0].name).toBe("plan");
    expect(outside[0].message).toContain(`vault ${EXTERNAL_VAULT} (not in this stack)`);
    expect(outside[0].message).toContain("lockedExternalVaults");
    expect(check(copyTo(EXTERNAL_VAULT), { lockedExternalVaults: ["arn:aws:backup:us-west-2:222222222222:backup-vault:*"] })).toEqual([]);
  });

  it("resolves unknown vault names and lock targets through property dependencies (preview)", () => {
    const preview = [prodRds("orders"), ...backedUp(["orders"])].map((r) => {
      if (r.type === VAULT) return { ...r, props: { name: UNKNOWN.string } };
      if (r.type === LOCK) return { ...r, props: { ...r.props, backupVaultName: UNKNOWN.string }, propertyDependencies: { backupVaultName: ["vault"] } };
      if (r.type === PLAN) return { ...r, props: { rules: [{ ruleName: "daily", targetVaultName: UNKNOWN.string, schedule: "cron(0 5 ? * * *)" }] } };
      return r;
    });
    expect(check(preview)).toEqual([]);
    const unlocked = preview.filter((r) => r.type !== LOCK);
    expect(violations(check(unlocked))).toHaveLength(1);
  });

  it("defers what is unknown: a target with no property dependency, forceDestroy, a lock's vault", () => {
    const noLink = withProps("plan", () => ({ rules: [{ ruleName: "daily", targetVaultName: UNKNOWN.string }] })).map((r) => (r.type === PLAN ? { ...r, propertyDependencies: {} } : r));
    const fs = check(noLink);
    expect(violations(fs)).toEqual([]);
    expect(deferred(fs)[0].message).toContain('the vault that is the target of rule "daily"');
    expect(deferred(check(withProps("vault", (p) => ({ ...p, forceDestroy: UNKNOWN.bool }))))[0].message).toContain("forceDestroy unknown until deployment");
    expect(deferred(check(withProps("vault-lock", (p) => ({ ...p, backupVaultName: UNKNOWN.string })))).map((f) => f.message).join()).toContain("which vault its VaultLockConfiguration locks");
  });

  it("fails a rule whose target vault is missing, since no lock can be checked", () => {
    const fs = check(withProps("plan", () => ({ rules: [{ ruleName: "daily", schedule: "cron(0 5 ? * * *)" }] })));
    expect(violations(fs).map((f) => f.name)).toEqual(["plan"]);
    expect(fs[0].message).toContain('the target of rule "daily" cannot be read: rule "daily" targetVaultName is not set');
  });

  it("reads wrong types as violations, not crashes", () => {
    const fs = check(withProps("vault-lock", (p) => ({ ...p, minRetentionDays: "a week" })));
    expect(violations(fs)[0].message).toContain('minRetentionDays is "a week", not a number of days');
    const bad = check([prodRds("orders"), ...backedUp(["orders"])], { minVaultLockDays: -1 });
    expect(bad[0].message).toContain("backup-vault-lock.minVaultLockDays is -1");
  });

  it("does not judge vaults of plans that back up no production database", () => {
    const stack = [{ type: RDS, name: "scratch", props: { identifier: "scratch", tags: { environment: "dev" } } }, ...backedUp(["scratch"]).filter((r) => r.type !== LOCK)];
    expect(check(stack)).toEqual([]);
  });
});
