/**
 * The details of the per-resource rules that a user reads or relies on and that the broader tests
 * in resource-rules.test.ts leave open: each message's "why" and "fix", boundaries of configured
 * floors, defaults for absent properties, deferrals and remediation. Written from the surviving
 * mutants of a StrykerJS run (docs/MUTATION.md).
 */
import { UNKNOWN } from "../../guard/wire";
import type { Finding, ResourceRule } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { awsProviderAccountPinned } from "../../policies/rules/aws-provider-account-pinned";
import { DEFAULT_MIN_BACKUP_RETENTION_DAYS, minRetentionFrom, prodDbBackupRetention } from "../../policies/rules/prod-db-backup-retention";
import { prodDbCopyTagsToSnapshot } from "../../policies/rules/prod-db-copy-tags-to-snapshot";
import { prodDbDeletionProtection } from "../../policies/rules/prod-db-deletion-protection";
import { prodDbEncrypted } from "../../policies/rules/prod-db-encrypted";
import { finalSnapshotIdentifierFor, prodDbFinalSnapshot } from "../../policies/rules/prod-db-final-snapshot";
import { ignoredGuardrail, prodDbNoIgnoredGuardrails } from "../../policies/rules/prod-db-no-ignored-guardrails";
import { prodDbNoInPlaceRestore } from "../../policies/rules/prod-db-no-in-place-restore";
import { prodDbProtect } from "../../policies/rules/prod-db-protect";
import { PRODUCTION_TAGS, type ViewSpec, resourceView, settingsWith, COMPLIANT_RDS_PROPS, COMPLIANT_TABLE_PROPS } from "../helpers/resource-view";

const RDS = "aws:rds/instance:Instance";
const CLUSTER = "aws:rds/cluster:Cluster";
const TABLE = "aws:dynamodb/table:Table";
const PROVIDER = "pulumi:providers:aws";
const SETTINGS = DEFAULT_SETTINGS as SharedSettings;

const goodRds = COMPLIANT_RDS_PROPS;
const goodTable = COMPLIANT_TABLE_PROPS;

function run<C>(rule: ResourceRule<C>, spec: ViewSpec, config: C = {} as C, settings: SharedSettings = SETTINGS): Finding[] {
  return rule.check(resourceView({ settings, ...spec }), config, settings);
}

/** A violation message split into the parts every rule must fill (policies/lib/rule.ts violationMessage). */
function parts(finding: Finding | undefined): { problem: string; why: string; fix: string } {
  expect(finding).toBeDefined();
  expect(finding!.deferred).toBeFalsy();
  const m = /^.+? "[^"]+": (.*)\. Why it matters: (.*) Fix: (.*)$/s.exec(finding!.message);
  if (!m) throw new Error(`not a violation message: ${finding!.message}`);
  return { problem: m[1]!, why: m[2]!, fix: m[3]! };
}

function onlyDeferral(findings: Finding[], what: string): void {
  expect(findings).toHaveLength(1);
  expect(findings[0]!.deferred).toBe(true);
  expect(findings[0]!.message).toContain(`: ${what} is unknown until deployment`);
}

describe("every violation says why it matters and exactly how to fix it", () => {
  it.each<[string, ResourceRule<any>, ViewSpec, object, RegExp, RegExp]>([
    ["deletion protection (RDS)", prodDbDeletionProtection, { type: RDS, props: { ...goodRds, deletionProtection: false } }, {}, /one API call or one mistaken `pulumi up` deletes the live database/, /^set deletionProtection: true\.$/],
    ["deletion protection (DynamoDB)", prodDbDeletionProtection, { type: TABLE, props: { ...goodTable, deletionProtectionEnabled: false } }, {}, /deletes the live database/, /^set deletionProtectionEnabled: true\.$/],
    ["protect", prodDbProtect, { type: RDS, props: goodRds, protect: false }, {}, /replaces or deletes the live database/, /protect: true/],
    ["skipFinalSnapshot", prodDbFinalSnapshot, { type: RDS, props: { ...goodRds, skipFinalSnapshot: true } }, {}, /no final copy of its data/, /^set skipFinalSnapshot: false\.$/],
    ["finalSnapshotIdentifier", prodDbFinalSnapshot, { type: RDS, props: { ...goodRds, finalSnapshotIdentifier: "" } }, {}, /AWS cannot take the final snapshot/, /^set finalSnapshotIdentifier: "orders-final"\.$/],
    ["deleteAutomatedBackups", prodDbFinalSnapshot, { type: RDS, props: { ...goodRds, deleteAutomatedBackups: true } }, {}, /point-in-time backups together with the database/, /^set deleteAutomatedBackups: false\.$/],
    ["retention (RDS)", prodDbBackupRetention, { type: RDS, props: { ...goodRds, backupRetentionPeriod: 3 } }, { minBackupRetentionDays: 10 }, /retention window cannot be undone; 10 days covers/, /^set backupRetentionPeriod: 10 \(or more, up to 35\)\.$/],
    ["PITR absent", prodDbBackupRetention, { type: TABLE, props: { ...goodTable, pointInTimeRecovery: undefined } }, {}, /14 days covers a long weekend/, /^set pointInTimeRecovery: \{ enabled: true, recoveryPeriodInDays: 35 \}\.$/],
    ["PITR disabled", prodDbBackupRetention, { type: TABLE, props: { ...goodTable, pointInTimeRecovery: { enabled: false } } }, {}, /retention window cannot be undone/, /recoveryPeriodInDays: 35 \}\.$/],
    ["PITR too short", prodDbBackupRetention, { type: TABLE, props: { ...goodTable, pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 7 } } }, {}, /retention window cannot be undone/, /recoveryPeriodInDays: 35 \}\.$/],
    ["encryption", prodDbEncrypted, { type: RDS, props: { ...goodRds, storageEncrypted: false } }, {}, /leaks every snapshot and copy of production data/, /^set storageEncrypted: true and kmsKeyId to a customer-managed key\.$/],
    ["copy tags", prodDbCopyTagsToSnapshot, { type: RDS, props: { ...goodRds, copyTagsToSnapshot: false } }, {}, /untagged snapshots escape the IAM conditions/, /^set copyTagsToSnapshot: true\.$/],
    ["ignored guardrail", prodDbNoIgnoredGuardrails, { type: RDS, props: goodRds, ignoreChanges: ["deletionProtection"] }, {}, /Pulumi then stops enforcing it/, /^remove "deletionProtection" from the ignoreChanges resource option\.$/],
    ["unpinned explicit provider", awsProviderAccountPinned, { type: PROVIDER, name: "aws", props: { region: "us-east-1" } }, {}, /whatever account the shell's credentials point at/, /^set allowedAccountIds: \["<account id>"\] on this provider\.$/],
    ["malformed account id", awsProviderAccountPinned, { type: PROVIDER, name: "aws", props: { allowedAccountIds: ["12345"] } }, {}, /refuse every account/, /^list the 12-digit account ids of the accounts this stack deploys to\.$/],
  ])("%s", (_label, rule, spec, config, why, fix) => {
    const findings = run(rule, spec, config);
    expect(findings).toHaveLength(1);
    const p = parts(findings[0]);
    expect(p.why).toMatch(why);
    expect(p.fix).toMatch(fix);
  });

  it("an in-place restore property says what replacing the database would do, known or not yet known", () => {
    const known = parts(run(prodDbNoInPlaceRestore, { type: RDS, props: { ...goodRds, snapshotIdentifier: "snap-1" } })[0]);
    expect(known.why).toMatch(/replace the live database with that snapshot, losing everything written since\.$/);
    expect(known.fix).toBe('add "snapshotIdentifier" to the ignoreChanges resource option, and restore into a new resource instead.');
    const unknown = run(prodDbNoInPlaceRestore, { type: RDS, props: { ...goodRds, snapshotIdentifier: UNKNOWN.string } });
    expect(unknown).toHaveLength(1);
    const p = parts(unknown[0]);
    expect(p.problem).toBe("snapshotIdentifier is set (its value is unknown until deployment) but is not in ignoreChanges");
    expect(p.why).toBe("any later change to it replaces the live database with a restored copy.");
    expect(p.fix).toBe('add "snapshotIdentifier" to the ignoreChanges resource option.');
  });
  it("on a type without restore or guardrail properties, finds only an ignoreChanges of everything", () => {
    expect(run(prodDbNoInPlaceRestore, { type: "aws:s3/bucket:Bucket", props: { snapshotIdentifier: "snap-1" } })).toEqual([]);
    const findings = run(prodDbNoIgnoredGuardrails, { type: "aws:s3/bucket:Bucket", props: {}, ignoreChanges: ["deletionProtection", "*"] });
    expect(findings).toHaveLength(1);
    expect(parts(findings[0]).problem).toBe('ignoreChanges lists "*", which covers the guardrail every property ("*")');
  });
});

describe("prod-db-backup-retention: the configured floor", () => {
  it.each([
    [undefined, 14, false],
    [1, 1, false],
    [35, 35, false],
    [0.5, 14, true],
    [0, 14, true],
    [-3, 14, true],
    [Number.NaN, 14, true],
    [Number.POSITIVE_INFINITY, 14, true],
    ["21", 14, true],
    [null, 14, true],
  ])("minBackupRetentionDays %p gives floor %p (problem: %p)", (raw, floor, problem) => {
    const got = minRetentionFrom({ minBackupRetentionDays: raw as number });
    expect(got.floor).toBe(floor);
    expect(got.problem !== undefined).toBe(problem);
    if (problem) expect(got.problem!.message).toContain(`not a number of days >= 1; the default ${DEFAULT_MIN_BACKUP_RETENTION_DAYS} is used`);
  });
  it("reads a missing config as the default", () => {
    expect(minRetentionFrom(undefined)).toEqual({ floor: 14 });
  });
  it("reports an unusable floor before judging the database against the default", () => {
    const findings = run(prodDbBackupRetention, { type: RDS, props: { ...goodRds, backupRetentionPeriod: 7 } }, { minBackupRetentionDays: "7" as unknown as number });
    expect(findings).toHaveLength(2);
    expect(findings[0]!.message).toMatch(/^Policy config: prod-db-backup-retention.minBackupRetentionDays is /);
    expect(findings[1]!.message).toContain("below the floor of 14 days");
    expect(run(prodDbBackupRetention, { type: RDS, props: goodRds }, { minBackupRetentionDays: 0 })).toHaveLength(1);
  });
  it("asks for the larger of the floor and AWS's 35 days in a DynamoDB fix", () => {
    const fix = parts(run(prodDbBackupRetention, { type: TABLE, props: { ...goodTable, pointInTimeRecovery: undefined } }, { minBackupRetentionDays: 40 })[0]).fix;
    expect(fix).toContain("recoveryPeriodInDays: 40 }");
  });
  it("reads point-in-time recovery without `enabled` as off", () => {
    const findings = run(prodDbBackupRetention, { type: TABLE, props: { ...goodTable, pointInTimeRecovery: { recoveryPeriodInDays: 35 } } });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain("pointInTimeRecovery.enabled is not set");
  });
  it("defers unknown point-in-time recovery settings, and unknown replication", () => {
    onlyDeferral(run(prodDbBackupRetention, { type: TABLE, props: { ...goodTable, pointInTimeRecovery: UNKNOWN.object } }), "pointInTimeRecovery");
    onlyDeferral(run(prodDbBackupRetention, { type: RDS, props: { tags: PRODUCTION_TAGS, replicateSourceDb: UNKNOWN.string } }), "whether it is a read replica");
  });
  it("excepts read replicas, whatever their retention", () => {
    expect(run(prodDbBackupRetention, { type: RDS, props: { tags: PRODUCTION_TAGS, replicateSourceDb: "orders", backupRetentionPeriod: 0 } })).toEqual([]);
  });
});

describe("prod-db-encrypted and prod-db-final-snapshot: replicas", () => {
  it("defers when replication is unknown", () => {
    onlyDeferral(run(prodDbEncrypted, { type: RDS, props: { tags: PRODUCTION_TAGS, replicateSourceDb: UNKNOWN.string } }), "whether it is a read replica");
    onlyDeferral(run(prodDbFinalSnapshot, { type: RDS, props: { tags: PRODUCTION_TAGS, replicateSourceDb: UNKNOWN.string } }), "whether it is a read replica");
  });
  it("reads an absent skipFinalSnapshot as AWS's false", () => {
    expect(run(prodDbFinalSnapshot, { type: RDS, props: { ...goodRds, skipFinalSnapshot: undefined } })).toEqual([]);
  });
  it("remediates nothing on a replica or on unknown replication", () => {
    for (const replicateSourceDb of ["orders", UNKNOWN.string]) {
      const view = resourceView({ type: RDS, props: { tags: PRODUCTION_TAGS, replicateSourceDb, skipFinalSnapshot: true } });
      expect(prodDbFinalSnapshot.remediate!(view, {}, SETTINGS)).toBeUndefined();
    }
  });
  it.each([
    [{ skipFinalSnapshot: false }, undefined],
    [{ skipFinalSnapshot: UNKNOWN.bool }, undefined],
    [{ skipFinalSnapshot: undefined }, undefined],
    [{ deleteAutomatedBackups: undefined }, { deleteAutomatedBackups: false }],
    [{ deleteAutomatedBackups: true }, { deleteAutomatedBackups: false }],
    [{ deleteAutomatedBackups: UNKNOWN.bool }, undefined],
    [{ finalSnapshotIdentifier: UNKNOWN.string }, undefined],
  ])("remediates %j of a good database to %j", (change, expected) => {
    const view = resourceView({ type: RDS, props: { ...goodRds, ...change } });
    expect(prodDbFinalSnapshot.remediate!(view, {}, SETTINGS)).toEqual(expected);
  });
  it.each([
    ["orders", "orders-final"],
    ["Orders DB!!", "orders-db-final"],
    ["a--b", "a-b-final"],
    ["9lives", "db-9lives-final"],
    ["a".repeat(254) + "-b", "a".repeat(254)],
    ["a".repeat(300), "a".repeat(255)],
  ])("derives the snapshot identifier of %s", (name, id) => {
    const got = finalSnapshotIdentifierFor(name);
    expect(got).toBe(id);
    expect(got).toMatch(/^[a-z][a-z0-9-]{0,254}$/);
    expect(got).not.toMatch(/--|-$/);
  });
});

describe("prod-db-copy-tags-to-snapshot: remediation", () => {
  it.each([
    [false, { copyTagsToSnapshot: true }],
    [undefined, { copyTagsToSnapshot: true }],
    [true, undefined],
    [UNKNOWN.bool, undefined],
  ])("copyTagsToSnapshot %p remediates to %j", (value, expected) => {
    expect(prodDbCopyTagsToSnapshot.remediate!(resourceView({ type: RDS, props: { ...goodRds, copyTagsToSnapshot: value } }), {}, SETTINGS)).toEqual(expected);
  });
});

describe("prod-db-no-ignored-guardrails: reading ignoreChanges entries", () => {
  const guardrails = ["deletionProtection", "backupRetentionPeriod"];
  it.each([
    ["deletionProtection", "deletionProtection"],
    ["  deletionProtection  ", "deletionProtection"],
    ["DELETIONPROTECTION", "deletionProtection"],
    ['["deletionProtection"]', "deletionProtection"],
    ["backupRetentionPeriod.x", "backupRetentionPeriod"],
    ["*", 'every property ("*")'],
    ["[*]", 'every property ("*")'],
    ["deletionProtection[", "deletionProtection"],
    [" deletionProtection[", "deletionProtection"],
    [" * ", 'every property ("*")'],
    ["*.tags", undefined],
    ["engineVersion", undefined],
    ["tags.*", undefined],
    ["", undefined],
  ])("%j covers %p", (entry, hit) => {
    expect(ignoredGuardrail(entry, guardrails)).toBe(hit);
  });
  it("covers no guardrail on a type it does not know", () => {
    expect(ignoredGuardrail("deletionProtection", [])).toBeUndefined();
  });
});

describe("aws-provider-account-pinned: details", () => {
  const prodIds = settingsWith({ productionAccountIds: ["111111111111"] });
  it("tells a default provider to use the stack config, an explicit one its own argument", () => {
    expect(parts(run(awsProviderAccountPinned, { type: PROVIDER, name: "default_7_48_0", props: {} })[0]).fix).toMatch(/^set aws:allowedAccountIds in the stack config/);
    expect(parts(run(awsProviderAccountPinned, { type: PROVIDER, name: "my-default", props: {} })[0]).fix).toMatch(/^set allowedAccountIds: /);
  });
  it("trims account ids and ignores empty entries", () => {
    expect(run(awsProviderAccountPinned, { type: PROVIDER, name: "aws", props: { allowedAccountIds: [" 222222222222 ", ""] } })).toEqual([]);
    expect(parts(run(awsProviderAccountPinned, { type: PROVIDER, name: "aws", props: { allowedAccountIds: [" ", ""] } })[0]).problem).toBe("allowedAccountIds is empty");
  });
  it("accepts exactly twelve digits, naming every malformed id", () => {
    const findings = run(awsProviderAccountPinned, { type: PROVIDER, name: "aws", props: { allowedAccountIds: ["x222222222222", "2222222222223", "222222222222"] } });
    expect(findings).toHaveLength(1);
    expect(parts(findings[0]).problem).toBe('allowedAccountIds holds "x222222222222", "2222222222223", which is not a 12-digit AWS account id');
  });
  it("gives an empty or unreadable list the same fix as an absent one", () => {
    for (const allowedAccountIds of [[], 42]) {
      expect(parts(run(awsProviderAccountPinned, { type: PROVIDER, name: "aws", props: { allowedAccountIds } })[0]).fix).toBe('set allowedAccountIds: ["<account id>"] on this provider.');
    }
  });
  it("lets a non-production provider allow accounts that are not production ones", () => {
    expect(run(awsProviderAccountPinned, { type: PROVIDER, name: "aws", stack: "staging", props: { allowedAccountIds: ["222222222222"] } }, {}, prodIds)).toEqual([]);
  });
  it("lists every production account a non-production provider reaches", () => {
    const settings = settingsWith({ productionAccountIds: ["111111111111", "333333333333"] });
    const p = parts(run(awsProviderAccountPinned, { type: PROVIDER, name: "aws", stack: "staging", props: { allowedAccountIds: ["333333333333", "222222222222", "111111111111"] } }, {}, settings)[0]);
    expect(p.problem).toBe("this non-production stack's provider allows the production account 333333333333, 111111111111");
    expect(p.fix).toBe("remove 333333333333, 111111111111 from allowedAccountIds and add it to forbiddenAccountIds.");
  });
  it("names an absent or unreadable list", () => {
    expect(parts(run(awsProviderAccountPinned, { type: PROVIDER, name: "aws", props: {} })[0]).problem).toBe("allowedAccountIds is not set");
    expect(parts(run(awsProviderAccountPinned, { type: PROVIDER, name: "aws", props: { allowedAccountIds: 42 } })[0]).problem).toMatch(/^allowedAccountIds is .*, not a list of account ids$/);
    onlyDeferral(run(awsProviderAccountPinned, { type: PROVIDER, name: "aws", props: { allowedAccountIds: UNKNOWN.array } }), "allowedAccountIds");
  });
  it("says which production account a non-production provider reaches, and how to forbid it", () => {
    const p = parts(run(awsProviderAccountPinned, { type: PROVIDER, name: "aws", stack: "staging", props: { allowedAccountIds: ["111111111111"] } }, {}, prodIds)[0]);
    expect(p.problem).toBe("this non-production stack's provider allows the production account 111111111111");
    expect(p.why).toBe("a staging or test deployment could then create, change or delete production resources.");
    expect(p.fix).toBe("remove 111111111111 from allowedAccountIds and add it to forbiddenAccountIds.");
  });
  it("without configured production accounts, reaches nothing and defers nothing", () => {
    const settings = settingsWith({ productionAccountIds: [] });
    expect(run(awsProviderAccountPinned, { type: PROVIDER, name: "aws", stack: "staging", props: { allowedAccountIds: ["111111111111"], defaultTags: UNKNOWN.object } }, {}, settings)).toEqual([]);
  });
  it("defers the production-account check when it cannot tell whether the provider is for production", () => {
    const findings = run(awsProviderAccountPinned, { type: PROVIDER, name: "aws", stack: "staging", props: { allowedAccountIds: ["222222222222"], defaultTags: UNKNOWN.object } }, {}, prodIds);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.deferred).toBe(true);
    expect(findings[0]!.message).toMatch(/: whether this provider is for production \(.+\) is unknown until deployment/);
  });
});
