/**
 * The per-resource rules, called directly (no server): a compliant case, every way of violating
 * each rule, and the hard inputs (unknowns, wrong types, JSON strings, absent properties).
 * The same rules are exercised through the analyzer protocol in test/pack/.
 */
import { UNKNOWN } from "../../guard/wire";
import type { Finding, ResourceRule } from "../../policies/lib/rule";
import { awsProviderAccountPinned } from "../../policies/rules/aws-provider-account-pinned";
import { prodDbBackupRetention } from "../../policies/rules/prod-db-backup-retention";
import { prodDbCopyTagsToSnapshot } from "../../policies/rules/prod-db-copy-tags-to-snapshot";
import { prodDbDeletionProtection } from "../../policies/rules/prod-db-deletion-protection";
import { prodDbEncrypted } from "../../policies/rules/prod-db-encrypted";
import { finalSnapshotIdentifierFor, prodDbFinalSnapshot } from "../../policies/rules/prod-db-final-snapshot";
import { prodDbNoIgnoredGuardrails } from "../../policies/rules/prod-db-no-ignored-guardrails";
import { prodDbNoInPlaceRestore } from "../../policies/rules/prod-db-no-in-place-restore";
import { prodDbProtect } from "../../policies/rules/prod-db-protect";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { PRODUCTION_TAGS, type ViewSpec, resourceView, settingsWith, COMPLIANT_RDS_PROPS, COMPLIANT_TABLE_PROPS } from "../helpers/resource-view";

const RDS = "aws:rds/instance:Instance";
const CLUSTER = "aws:rds/cluster:Cluster";
const TABLE = "aws:dynamodb/table:Table";
const PROVIDER = "pulumi:providers:aws";

/** A production RDS instance that passes every rule. */
const goodRds = COMPLIANT_RDS_PROPS;
const goodTable = COMPLIANT_TABLE_PROPS;

function run<C>(rule: ResourceRule<C>, spec: ViewSpec, config: C = {} as C, settings: SharedSettings = DEFAULT_SETTINGS as SharedSettings): Finding[] {
  return rule.check(resourceView({ settings, ...spec }), config, settings);
}
const violations = (fs: Finding[]) => fs.filter((f) => !f.deferred);
const deferred = (fs: Finding[]) => fs.filter((f) => f.deferred);

describe("prod-db-deletion-protection", () => {
  const rule = prodDbDeletionProtection;
  it("passes a protected RDS instance, cluster and table", () => {
    expect(run(rule, { type: RDS, props: goodRds })).toEqual([]);
    expect(run(rule, { type: CLUSTER, props: goodRds })).toEqual([]);
    expect(run(rule, { type: TABLE, props: goodTable })).toEqual([]);
  });
  it.each([
    ["false", false, "deletionProtection is false"],
    ["absent", undefined, "deletionProtection is not set (AWS then uses false)"],
    ["a wrong type", "yes", 'deletionProtection is "yes", not a boolean'],
    ["a number", 1, "deletionProtection is 1, not a boolean"],
  ])("fails an RDS instance whose deletionProtection is %s", (_label, value, problem) => {
    const fs = run(rule, { type: RDS, props: { ...goodRds, deletionProtection: value } });
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0]!.message).toContain(`RDS instance "orders": ${problem}`);
    expect(fs[0]!.message).toContain("Fix: set deletionProtection: true.");
    expect(fs[0]!.message).toContain("Why it matters:");
  });
  it("accepts the string form the engine uses for config-derived booleans", () => {
    expect(run(rule, { type: RDS, props: { ...goodRds, deletionProtection: "true" } })).toEqual([]);
    expect(violations(run(rule, { type: RDS, props: { ...goodRds, deletionProtection: "false" } }))).toHaveLength(1);
  });
  it("checks DynamoDB's own property name, not the RDS one", () => {
    const fs = run(rule, { type: TABLE, props: { ...goodTable, deletionProtectionEnabled: undefined, deletionProtection: true } });
    expect(fs[0]!.message).toContain("deletionProtectionEnabled is not set");
  });
  it("defers an unknown value instead of passing or failing it", () => {
    const fs = run(rule, { type: RDS, props: { ...goodRds, deletionProtection: UNKNOWN.bool } });
    expect(deferred(fs)).toHaveLength(1);
    expect(fs[0]!.message).toContain("deletionProtection is unknown until deployment");
  });
});

describe("prod-db-protect", () => {
  it("passes protect: true and fails anything else", () => {
    expect(run(prodDbProtect, { type: RDS, props: goodRds, protect: true })).toEqual([]);
    const fs = run(prodDbProtect, { type: TABLE, props: goodTable, protect: false });
    expect(fs).toHaveLength(1);
    expect(fs[0]!.message).toContain('DynamoDB table "orders": the resource option protect is not true');
    expect(fs[0]!.message).toContain("Fix: pass { protect: true }");
  });
});

describe("prod-db-final-snapshot", () => {
  const rule = prodDbFinalSnapshot;
  it("passes a database that keeps a final snapshot and its backups", () => {
    expect(run(rule, { type: RDS, props: goodRds })).toEqual([]);
    expect(run(rule, { type: CLUSTER, props: goodRds })).toEqual([]);
  });
  it("fails skipFinalSnapshot: true", () => {
    const fs = run(rule, { type: RDS, props: { ...goodRds, skipFinalSnapshot: true } });
    expect(fs.map((f) => f.message)).toEqual([expect.stringContaining("skipFinalSnapshot is true")]);
  });
  it("fails a missing or empty finalSnapshotIdentifier, naming the identifier to use", () => {
    for (const id of [undefined, "", "   "]) {
      const fs = run(rule, { type: RDS, props: { ...goodRds, finalSnapshotIdentifier: id } });
      expect(fs).toHaveLength(1);
      expect(fs[0]!.message).toMatch(/finalSnapshotIdentifier is (not set|empty)/);
      expect(fs[0]!.message).toContain('finalSnapshotIdentifier: "orders-final"');
    }
  });
  it("fails deleteAutomatedBackups absent (AWS defaults it to true) or true", () => {
    for (const v of [undefined, true]) {
      const fs = run(rule, { type: RDS, props: { ...goodRds, deleteAutomatedBackups: v } });
      expect(fs).toHaveLength(1);
      expect(fs[0]!.message).toContain("deleteAutomatedBackups");
    }
  });
  it("reports every weakness at once, and defers only the unknown one", () => {
    const fs = run(rule, { type: RDS, props: { ...goodRds, skipFinalSnapshot: true, finalSnapshotIdentifier: UNKNOWN.string, deleteAutomatedBackups: true } });
    expect(violations(fs)).toHaveLength(2);
    expect(deferred(fs)).toHaveLength(1);
  });
  it("excepts read replicas, and defers when replication is unknown", () => {
    expect(run(rule, { type: RDS, props: { tags: PRODUCTION_TAGS, replicateSourceDb: "orders", skipFinalSnapshot: true } })).toEqual([]);
    expect(deferred(run(rule, { type: RDS, props: { tags: PRODUCTION_TAGS, replicateSourceDb: UNKNOWN.string } }))).toHaveLength(1);
  });
  it("remediates only what is missing, with a valid deterministic identifier", () => {
    const view = resourceView({ type: RDS, name: "Orders_DB", props: { tags: PRODUCTION_TAGS, skipFinalSnapshot: true } });
    expect(rule.remediate!(view, {}, DEFAULT_SETTINGS as SharedSettings)).toEqual({
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "orders-db-final",
      deleteAutomatedBackups: false,
    });
    expect(rule.remediate!(resourceView({ type: RDS, props: goodRds }), {}, DEFAULT_SETTINGS as SharedSettings)).toBeUndefined();
    expect(finalSnapshotIdentifierFor("9lives")).toBe("db-9lives-final");
    // RDS refuses two hyphens in a row and a trailing hyphen.
    for (const name of ["_x", "--orders--", "Orders DB", "x".repeat(300)]) {
      expect(finalSnapshotIdentifierFor(name)).toMatch(/^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/);
    }
    expect(finalSnapshotIdentifierFor("_x")).toBe("db-x-final");
  });
});

describe("prod-db-backup-retention", () => {
  const rule = prodDbBackupRetention;
  it("passes 14 days and more", () => {
    expect(run(rule, { type: RDS, props: goodRds })).toEqual([]);
    expect(run(rule, { type: CLUSTER, props: { ...goodRds, backupRetentionPeriod: 35 } })).toEqual([]);
    expect(run(rule, { type: TABLE, props: goodTable })).toEqual([]);
  });
  it("fails retention below the floor, and absent retention as AWS's 1 day", () => {
    expect(run(rule, { type: RDS, props: { ...goodRds, backupRetentionPeriod: 7 } })[0]!.message).toContain("backupRetentionPeriod is 7 days, below the floor of 14 days");
    expect(run(rule, { type: RDS, props: { ...goodRds, backupRetentionPeriod: undefined } })[0]!.message).toContain("not set (AWS then uses 1 days), below the floor of 14 days");
    expect(run(rule, { type: RDS, props: { ...goodRds, backupRetentionPeriod: "a week" } })[0]!.message).toContain("not a number");
  });
  it("honours a configured floor", () => {
    expect(run(rule, { type: RDS, props: { ...goodRds, backupRetentionPeriod: 14 } }, { minBackupRetentionDays: 21 })).toHaveLength(1);
    expect(run(rule, { type: RDS, props: { ...goodRds, backupRetentionPeriod: 7 } }, { minBackupRetentionDays: 7 })).toEqual([]);
  });
  it("requires DynamoDB point-in-time recovery, enabled, with enough days", () => {
    expect(run(rule, { type: TABLE, props: { ...goodTable, pointInTimeRecovery: undefined } })[0]!.message).toContain("point-in-time recovery is not configured");
    expect(run(rule, { type: TABLE, props: { ...goodTable, pointInTimeRecovery: { enabled: false } } })[0]!.message).toContain("pointInTimeRecovery.enabled is false");
    expect(run(rule, { type: TABLE, props: { ...goodTable, pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 7 } } })[0]!.message).toContain("below the floor of 14 days");
    // recoveryPeriodInDays absent means AWS's 35 days.
    expect(run(rule, { type: TABLE, props: { ...goodTable, pointInTimeRecovery: { enabled: true } } })).toEqual([]);
    // Nested blocks may arrive as one-element lists or JSON strings.
    expect(run(rule, { type: TABLE, props: { ...goodTable, pointInTimeRecovery: [{ enabled: true }] } })).toEqual([]);
    expect(run(rule, { type: TABLE, props: { ...goodTable, pointInTimeRecovery: JSON.stringify({ enabled: false }) } })).toHaveLength(1);
    expect(deferred(run(rule, { type: TABLE, props: { ...goodTable, pointInTimeRecovery: UNKNOWN.object } }))).toHaveLength(1);
  });
});

describe("prod-db-no-in-place-restore", () => {
  const rule = prodDbNoInPlaceRestore;
  it("passes databases that set no restore property", () => {
    expect(run(rule, { type: RDS, props: goodRds })).toEqual([]);
    expect(run(rule, { type: TABLE, props: goodTable })).toEqual([]);
  });
  it("passes restore properties listed in ignoreChanges (or *)", () => {
    expect(run(rule, { type: RDS, props: { ...goodRds, snapshotIdentifier: "snap-1" }, ignoreChanges: ["snapshotIdentifier"] })).toEqual([]);
    expect(run(rule, { type: RDS, props: { ...goodRds, restoreToPointInTime: { sourceDbInstanceIdentifier: "x", useLatestRestorableTime: true } }, ignoreChanges: ["*"] })).toEqual([]);
  });
  it("fails each restore property not ignored, on every database type", () => {
    const rds = run(rule, { type: RDS, props: { ...goodRds, snapshotIdentifier: "snap-1", restoreToPointInTime: { restoreTime: "2026-01-01T00:00:00Z" } }, ignoreChanges: ["snapshotIdentifier"] });
    expect(rds.map((f) => f.message)).toEqual([expect.stringContaining("restoreToPointInTime is set but is not in ignoreChanges")]);
    expect(rds[0]!.message).toContain('Fix: add "restoreToPointInTime" to the ignoreChanges resource option');
    const table = run(rule, { type: TABLE, props: { ...goodTable, restoreSourceName: "orders-old", restoreDateTime: "2026-01-01T00:00:00Z", restoreToLatestTime: false, restoreBackupArn: "arn:aws:dynamodb:us-east-1:111111111111:table/x/backup/1" } });
    expect(table.map((f) => f.message.match(/: (\w+) is set/)?.[1])).toEqual(["restoreSourceName", "restoreDateTime", "restoreBackupArn"]);
  });
  it("a nested ignoreChanges path covers only part of the property, so it does not count", () => {
    expect(run(rule, { type: RDS, props: { ...goodRds, restoreToPointInTime: { restoreTime: "t" } }, ignoreChanges: ["restoreToPointInTime.restoreTime"] })).toHaveLength(1);
  });
  it("an unknown restore value is still a set value: ignoreChanges is needed now", () => {
    const fs = run(rule, { type: CLUSTER, props: { ...goodRds, snapshotIdentifier: UNKNOWN.string } });
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0]!.message).toContain("its value is unknown until deployment");
  });
});

describe("prod-db-no-ignored-guardrails", () => {
  const rule = prodDbNoIgnoredGuardrails;
  it("passes ignoreChanges that touch no guardrail", () => {
    expect(run(rule, { type: RDS, props: goodRds, ignoreChanges: ["snapshotIdentifier", "engineVersion"] })).toEqual([]);
  });
  it.each([
    [RDS, "deletionProtection"],
    [RDS, "backupRetentionPeriod"],
    [CLUSTER, "skipFinalSnapshot"],
    [CLUSTER, "storageEncrypted"],
    [RDS, "deleteAutomatedBackups"],
    [TABLE, "pointInTimeRecovery.enabled"],
    [TABLE, "deletionProtectionEnabled"],
    [TABLE, "serverSideEncryption"],
    [RDS, "*"],
  ])("fails %s ignoring %s", (type, entry) => {
    const fs = run(rule, { type, props: type === TABLE ? goodTable : goodRds, ignoreChanges: [entry] });
    expect(fs).toHaveLength(1);
    expect(fs[0]!.message).toContain(`ignoreChanges lists "${entry}"`);
    expect(fs[0]!.message).toContain(`Fix: remove "${entry}"`);
  });
});

describe("prod-db-encrypted", () => {
  it("passes encrypted storage and read replicas, fails the rest", () => {
    expect(run(prodDbEncrypted, { type: RDS, props: goodRds })).toEqual([]);
    expect(run(prodDbEncrypted, { type: CLUSTER, props: { tags: PRODUCTION_TAGS, replicationSourceIdentifier: "arn:aws:rds:us-east-1:111111111111:cluster:src" } })).toEqual([]);
    expect(run(prodDbEncrypted, { type: RDS, props: { ...goodRds, storageEncrypted: false } })[0]!.message).toContain("storageEncrypted is false");
    expect(run(prodDbEncrypted, { type: CLUSTER, props: { ...goodRds, storageEncrypted: undefined } })[0]!.message).toContain("storageEncrypted is not set");
  });
});

describe("prod-db-copy-tags-to-snapshot", () => {
  const rule = prodDbCopyTagsToSnapshot;
  it("passes true, fails false or absent, and remediates to true", () => {
    expect(run(rule, { type: RDS, props: goodRds })).toEqual([]);
    expect(run(rule, { type: RDS, props: { ...goodRds, copyTagsToSnapshot: false } })).toHaveLength(1);
    expect(run(rule, { type: CLUSTER, props: { ...goodRds, copyTagsToSnapshot: undefined } })).toHaveLength(1);
    expect(rule.remediate!(resourceView({ type: RDS, props: { ...goodRds, copyTagsToSnapshot: false } }), {}, DEFAULT_SETTINGS as SharedSettings)).toEqual({ copyTagsToSnapshot: true });
    expect(rule.remediate!(resourceView({ type: RDS, props: goodRds }), {}, DEFAULT_SETTINGS as SharedSettings)).toBeUndefined();
  });
});

describe("aws-provider-account-pinned", () => {
  const rule = awsProviderAccountPinned;
  const prodIds = settingsWith({ productionAccountIds: ["111111111111"] });
  it("passes a provider pinned to its account, in the JSON-string form @pulumi/aws sends", () => {
    expect(run(rule, { type: PROVIDER, name: "aws", props: { allowedAccountIds: '["222222222222"]' } })).toEqual([]);
    expect(run(rule, { type: PROVIDER, name: "aws", props: { allowedAccountIds: ["222222222222"] } })).toEqual([]);
  });
  it("fails a provider without, or with an empty, or a malformed allowedAccountIds", () => {
    expect(run(rule, { type: PROVIDER, name: "default_7_48_0", props: { region: "us-east-1" } })[0]!.message).toContain("aws:allowedAccountIds in the stack config");
    expect(run(rule, { type: PROVIDER, name: "aws", props: { allowedAccountIds: "[]" } })[0]!.message).toContain("allowedAccountIds is empty");
    expect(run(rule, { type: PROVIDER, name: "aws", props: { allowedAccountIds: "not json" } })[0]!.message).toContain("not a list of account ids");
    expect(run(rule, { type: PROVIDER, name: "aws", props: { allowedAccountIds: '["12345"]' } })[0]!.message).toContain("not a 12-digit AWS account id");
  });
  it("fails a non-production stack that may reach a production account", () => {
    const fs = run(rule, { type: PROVIDER, name: "aws", stack: "staging", props: { allowedAccountIds: '["222222222222","111111111111"]' } }, {}, prodIds);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.message).toContain("allows the production account 111111111111");
  });
  it("lets a production stack, or a provider tagged production, allow the production account", () => {
    expect(run(rule, { type: PROVIDER, name: "aws", stack: "production", props: { allowedAccountIds: '["111111111111"]' } }, {}, prodIds)).toEqual([]);
    expect(run(rule, { type: PROVIDER, name: "aws", stack: "ops", props: { allowedAccountIds: '["111111111111"]', defaultTags: '{"tags":{"Environment":"Production"}}' } }, {}, prodIds)).toEqual([]);
  });
  it("defers unknown account ids", () => {
    expect(deferred(run(rule, { type: PROVIDER, name: "aws", props: { allowedAccountIds: UNKNOWN.array } }))).toHaveLength(1);
    expect(deferred(run(rule, { type: PROVIDER, name: "aws", props: { allowedAccountIds: [UNKNOWN.string] } }))).toHaveLength(1);
  });
});
