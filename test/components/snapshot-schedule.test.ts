/**
 * SnapshotSchedule under Pulumi mocks: vaults, locks, rules, copies, selections, notifications,
 * restore tests, the worst-case RPO per database, and every floor.
 */
import { acceptsTags, installPulumiMocks, outputValue } from "../helpers/pulumi-mocks";

const env = installPulumiMocks();
/* eslint-disable @typescript-eslint/no-require-imports */
const aws = require("@pulumi/aws") as typeof import("@pulumi/aws");
const scheduleModule = require("../../components/snapshot-schedule") as typeof import("../../components/snapshot-schedule");
const rpo = require("../../policies/lib/rpo") as typeof import("../../policies/lib/rpo");
/* eslint-enable @typescript-eslint/no-require-imports */
const { SnapshotSchedule, BACKUP_VAULT_EVENTS } = scheduleModule;
type ProtectedDatabase = import("../../components/snapshot-schedule").ProtectedDatabase;

const copyRegionProvider = new aws.Provider("copy-region", { region: "us-west-2", allowedAccountIds: [env.accountId] });
const ordersArn = `arn:aws:rds:us-east-1:${env.accountId}:db:orders`;
const billingArn = `arn:aws:rds:us-east-1:${env.accountId}:cluster:billing`;
const sessionsArn = `arn:aws:dynamodb:us-east-1:${env.accountId}:table/sessions`;
const databases: ProtectedDatabase[] = [
  { name: "orders", kind: "rds-instance", arn: ordersArn, restoreTestingMetadataOverrides: { dbsubnetgroupname: "private" } },
  { name: "billing", kind: "aurora-cluster", arn: billingArn },
  { name: "sessions", kind: "dynamodb-table", arn: sessionsArn, pointInTimeRecoveryEnabled: true },
];

async function create(name: string, args: Partial<import("../../components/snapshot-schedule").SnapshotScheduleArgs> = {}) {
  const schedule = new SnapshotSchedule(name, { databases, copyRegionProvider, alertSubscriptions: [{ protocol: "email", endpoint: "oncall@example.com" }], ...args });
  await outputValue(schedule.urn);
  await env.settle();
  return schedule;
}

let schedule: InstanceType<typeof SnapshotSchedule>;
let selfUrn: string;
beforeAll(async () => {
  schedule = await create("main");
  selfUrn = env.one("db-guardrails:index:SnapshotSchedule", "main").urn;
});

const named = (type: string, name: string) => env.one(type, name);

describe("SnapshotSchedule: vaults", () => {
  test("the primary vault uses its own rotating key, is never force-destroyed and is protected", () => {
    const vault = named("aws:backup/vault:Vault", "main-vault");
    const key = named("aws:kms/key:Key", "main-vault-key");
    expect(vault.inputs).toMatchObject({ name: "main-vault", kmsKeyArn: key.state.arn, forceDestroy: false });
    expect(vault.protect).toBe(true);
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(key.protect).toBe(true);
  });

  test("both vaults are locked in compliance mode with a 7-day minimum retention", () => {
    for (const [lockName, vaultName] of [
      ["main-vault-lock", "main-vault"],
      ["main-copy-vault-lock", "main-copy-vault"],
    ]) {
      const lock = named("aws:backup/vaultLockConfiguration:VaultLockConfiguration", lockName);
      expect(lock.inputs).toEqual({ backupVaultName: vaultName, changeableForDays: 3, minRetentionDays: 7, maxRetentionDays: 400 });
      expect(lock.protect).toBe(true);
    }
  });

  test("each vault's access policy denies deleting or shortening recovery points, to everyone", () => {
    for (const [policyName, vaultName] of [
      ["main-vault-policy", "main-vault"],
      ["main-copy-vault-policy", "main-copy-vault"],
    ]) {
      const policy = JSON.parse(named("aws:backup/vaultPolicy:VaultPolicy", policyName).inputs.policy);
      const vault = named("aws:backup/vault:Vault", vaultName);
      expect(policy).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "DenyDeletingOrShorteningRecoveryPoints",
            Effect: "Deny",
            Principal: { AWS: "*" },
            Action: ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
            Resource: vault.state.arn,
          },
        ],
      });
    }
  });

  test("the copy vault, its key, lock and alert topic live in the second region through the second provider", async () => {
    const providerUrn = await outputValue(copyRegionProvider.urn);
    for (const [type, name] of [
      ["aws:backup/vault:Vault", "main-copy-vault"],
      ["aws:kms/key:Key", "main-copy-vault-key"],
      ["aws:backup/vaultLockConfiguration:VaultLockConfiguration", "main-copy-vault-lock"],
      ["aws:sns/topic:Topic", "main-copy-backup-events"],
      ["aws:backup/vaultNotifications:VaultNotifications", "main-copy-vault-notifications"],
    ]) {
      const resource = named(type, name);
      expect(resource.provider.startsWith(`${providerUrn}::`)).toBe(true);
      expect(env.regionOf(resource)).toBe("us-west-2");
    }
    expect(env.regionOf(named("aws:backup/vault:Vault", "main-vault"))).toBe("us-east-1");
    const copyVault = named("aws:backup/vault:Vault", "main-copy-vault");
    expect(copyVault.inputs).toMatchObject({ forceDestroy: false, kmsKeyArn: named("aws:kms/key:Key", "main-copy-vault-key").state.arn });
    expect(copyVault.protect).toBe(true);
  });
});

describe("SnapshotSchedule: plans and selections", () => {
  test("the snapshot plan has the hourly and daily rules, each copied to the second region", () => {
    const plan = named("aws:backup/plan:Plan", "main-snapshots");
    const copyVaultArn = named("aws:backup/vault:Vault", "main-copy-vault").state.arn;
    const tags = { environment: "production" };
    expect(plan.inputs.name).toBe("main-snapshots");
    expect(plan.inputs.rules).toEqual([
      {
        ruleName: "hourly",
        targetVaultName: "main-vault",
        schedule: "cron(0 * ? * * *)",
        startWindow: 60,
        completionWindow: 180,
        enableContinuousBackup: false,
        lifecycle: { deleteAfter: 7 },
        recoveryPointTags: tags,
        copyActions: [{ destinationVaultArn: copyVaultArn, lifecycle: { deleteAfter: 7 } }],
      },
      {
        ruleName: "daily",
        targetVaultName: "main-vault",
        schedule: "cron(0 5 ? * * *)",
        startWindow: 60,
        completionWindow: 180,
        enableContinuousBackup: false,
        lifecycle: { deleteAfter: 35 },
        recoveryPointTags: tags,
        copyActions: [{ destinationVaultArn: copyVaultArn, lifecycle: { deleteAfter: 35 } }],
      },
    ]);
  });

  test("the continuous plan gives RDS and Aurora point-in-time recovery for 35 days, copied to the second region", () => {
    const plan = named("aws:backup/plan:Plan", "main-continuous");
    expect(plan.inputs.rules).toHaveLength(1);
    expect(plan.inputs.rules[0]).toMatchObject({
      ruleName: "continuous",
      targetVaultName: "main-vault",
      enableContinuousBackup: true,
      startWindow: 60,
      completionWindow: 180,
      lifecycle: { deleteAfter: 35 },
      copyActions: [{ destinationVaultArn: named("aws:backup/vault:Vault", "main-copy-vault").state.arn, lifecycle: { deleteAfter: 35 } }],
    });
  });

  test("selections pick the databases by ARN and run as the schedule's own role", () => {
    const role = named("aws:iam/role:Role", "main-backup-role");
    const snapshots = named("aws:backup/selection:Selection", "main-snapshots");
    expect(snapshots.inputs).toMatchObject({ iamRoleArn: role.state.arn, planId: named("aws:backup/plan:Plan", "main-snapshots").state.id ?? expect.any(String) });
    expect(snapshots.inputs.resources).toEqual([ordersArn, billingArn, sessionsArn]);
    const continuous = named("aws:backup/selection:Selection", "main-continuous");
    // DynamoDB has no AWS Backup continuous backup; its own point-in-time recovery covers it.
    expect(continuous.inputs.resources).toEqual([ordersArn, billingArn]);
    expect(continuous.inputs.iamRoleArn).toBe(role.state.arn);
  });

  test("the service role trusts only AWS Backup and carries the AWS managed backup and restore policies", () => {
    const role = named("aws:iam/role:Role", "main-backup-role");
    expect(role.inputs.name).toBe("main-backup-role");
    expect(JSON.parse(role.inputs.assumeRolePolicy)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Sid: "AwsBackupAssumesRole", Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: ["sts:AssumeRole"] }],
    });
    const attachments = env.byType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.parent === selfUrn);
    expect(attachments.map((a) => a.inputs.policyArn).sort()).toEqual([
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    ]);
    for (const a of attachments) expect(a.inputs.role).toBe(role.state.name);
  });
});

describe("SnapshotSchedule: notifications", () => {
  test("both vaults notify on finished backups, failed copies and every restore", () => {
    for (const [name, topic] of [
      ["main-vault-notifications", "main-backup-events"],
      ["main-copy-vault-notifications", "main-copy-backup-events"],
    ]) {
      const notifications = named("aws:backup/vaultNotifications:VaultNotifications", name);
      expect(notifications.inputs.snsTopicArn).toBe(named("aws:sns/topic:Topic", topic).state.arn);
      expect(notifications.inputs.backupVaultEvents).toEqual(["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED", "RESTORE_JOB_STARTED", "RESTORE_JOB_COMPLETED", "RECOVERY_POINT_MODIFIED"]);
    }
    // Deprecated by AWS: they are no longer sent, so listening to them would be silent.
    expect(BACKUP_VAULT_EVENTS).not.toContain("BACKUP_JOB_FAILED");
    expect(BACKUP_VAULT_EVENTS).not.toContain("RESTORE_JOB_FAILED");
  });

  test("the topics are encrypted with their own key, which AWS Backup may use, and only AWS Backup may publish", () => {
    for (const prefix of ["main-backup-events", "main-copy-backup-events"]) {
      const topic = named("aws:sns/topic:Topic", prefix);
      const key = named("aws:kms/key:Key", `${prefix}-key`);
      expect(topic.inputs.kmsMasterKeyId).toBe(key.state.arn);
      expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
      const keyPolicy = JSON.parse(key.inputs.policy);
      expect(keyPolicy.Statement[1]).toEqual({ Sid: "backupamazonawscomUsesKey", Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*" });
      const policy = JSON.parse(named("aws:sns/topicPolicy:TopicPolicy", `${prefix}-policy`).inputs.policy);
      expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["AccountManagesTopic", "backupamazonawscomPublishes", "DenyPublishingWithoutTls"]);
      expect(policy.Statement[1]).toEqual({ Sid: "backupamazonawscomPublishes", Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: ["sns:Publish"], Resource: topic.state.arn });
      const subscription = named("aws:sns/topicSubscription:TopicSubscription", `${prefix}-email-0`);
      expect(subscription.inputs).toMatchObject({ topic: topic.state.arn, protocol: "email", endpoint: "oncall@example.com" });
    }
  });
});

describe("SnapshotSchedule: weekly restore tests", () => {
  test("a weekly plan restores the latest recovery point of each database", () => {
    const plan = named("aws:backup/restoreTestingPlan:RestoreTestingPlan", "main-restore-testing");
    expect(plan.inputs).toMatchObject({
      name: "main_weekly_restore_test",
      scheduleExpression: "cron(0 6 ? * SUN *)",
      recoveryPointSelection: {
        algorithm: "LATEST_WITHIN_WINDOW",
        includeVaults: [named("aws:backup/vault:Vault", "main-vault").state.arn],
        recoveryPointTypes: ["CONTINUOUS", "SNAPSHOT"],
        selectionWindowDays: 7,
      },
    });
    const selection = (db: string) => named("aws:backup/restoreTestingSelection:RestoreTestingSelection", `main-restore-testing-${db}`);
    expect(selection("orders").inputs).toMatchObject({ protectedResourceType: "RDS", protectedResourceArns: [ordersArn] });
    expect(selection("billing").inputs).toMatchObject({ protectedResourceType: "Aurora", protectedResourceArns: [billingArn] });
    expect(selection("sessions").inputs).toMatchObject({ protectedResourceType: "DynamoDB", protectedResourceArns: [sessionsArn] });
    const selections = ["orders", "billing", "sessions"].map(selection);
    for (const s of selections) {
      expect(s.inputs.restoreTestingPlanName).toBe("main_weekly_restore_test");
      expect(s.inputs.iamRoleArn).toBe(named("aws:iam/role:Role", "main-backup-role").state.arn);
    }
    expect(selections[0].inputs.restoreMetadataOverrides).toEqual({ dbsubnetgroupname: "private" });
  });
});

describe("SnapshotSchedule: worst-case RPO", () => {
  test("computed from the schedule's rules with the shared RPO library", () => {
    const rules = schedule.settings.snapshotRules.map((r) => ({ name: r.ruleName, scheduleExpression: r.schedule, startWindowMinutes: r.startWindow }));
    // Hand-checked: hourly starts 60 min apart, plus a 60 min start window = 120 min without point in time.
    expect(rpo.worstCaseRpo({ pointInTimeSurvivesDeletion: false, snapshotRules: rules }).worstCaseMinutes).toBe(120);
    expect(schedule.rpoAssessments.orders.rules.map((r) => r.worstCaseMinutes)).toEqual([120, 1500]);
    // Continuous backup (RDS, Aurora) and DynamoDB point-in-time recovery: about 5 minutes.
    expect(schedule.worstCaseRpoMinutes).toEqual({ orders: rpo.POINT_IN_TIME_RPO_MINUTES, billing: 5, sessions: 5 });
    expect(schedule.rpoAssessments.orders.basis).toContain("AWS Backup continuous backup");
    expect(schedule.rpoAssessments.sessions.basis).toContain("DynamoDB point-in-time recovery");
  });

  test("a table without its own point-in-time recovery gets the hourly rule's figure", async () => {
    const other = await create("tables", { databases: [{ name: "cache", kind: "dynamodb-table", arn: sessionsArn }] });
    expect(other.worstCaseRpoMinutes).toEqual({ cache: 120 });
    expect(other.rpoAssessments.cache.basis).toContain("rule hourly");
    // No RDS or Aurora: no continuous plan.
    expect(env.byType("aws:backup/plan:Plan").filter((p) => p.name.startsWith("tables-")).map((p) => p.name)).toEqual(["tables-snapshots"]);
  });
});

describe("SnapshotSchedule: tags and parenting", () => {
  test("every child is parented to the schedule, and every taggable child carries environment=production", () => {
    const children = env.descendantsOf(selfUrn);
    expect(children.length).toBeGreaterThan(20);
    for (const child of children) {
      expect(child.parent).toBe(selfUrn);
      if (acceptsTags(child.type)) expect([child.name, child.inputs.tags]).toEqual([child.name, { environment: "production" }]);
    }
  });
});

describe("SnapshotSchedule: floors", () => {
  const floors: { title: string; args: Record<string, unknown>; argument: string; floor: RegExp }[] = [
    { title: "a vault lock minimum under 7 days", args: { vaultMinRetentionDays: 6 }, argument: "vaultMinRetentionDays", floor: /at least 7 days/ },
    { title: "a lock grace period under AWS's 3 days", args: { vaultLockChangeableForDays: 2 }, argument: "vaultLockChangeableForDays", floor: /between 3 and 36500 days/ },
    { title: "hourly snapshots kept less than the lock minimum", args: { hourlyRetentionDays: 6 }, argument: "hourlyRetentionDays", floor: /between 7 and 35 days/ },
    { title: "daily snapshots kept 34 days", args: { dailyRetentionDays: 34 }, argument: "dailyRetentionDays", floor: /at least 35 days/ },
    { title: "continuous backups kept longer than AWS allows", args: { continuousRetentionDays: 36 }, argument: "continuousRetentionDays", floor: /between 7 and 35 days/ },
    { title: "continuous backups kept less than the lock minimum", args: { continuousRetentionDays: 6 }, argument: "continuousRetentionDays", floor: /between 7 and 35 days/ },
    { title: "a completion window no longer than the start window plus an hour", args: { completionWindowMinutes: 119 }, argument: "completionWindowMinutes", floor: /between 120 and 10080 minutes/ },
    { title: "a lock maximum shorter than the daily retention", args: { vaultMaxRetentionDays: 30 }, argument: "vaultMaxRetentionDays", floor: /between 35 and 36500 days/ },
  ];
  test.each(floors)("$title throws, naming the argument and the floor", async ({ args, argument, floor }) => {
    const before = env.resources.length;
    let error: Error | undefined;
    try {
      new SnapshotSchedule("bad", { databases, copyRegionProvider, ...(args as object) });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.name).toBe("GuardrailFloorError");
    expect(error?.message).toContain(`SnapshotSchedule "bad": ${argument} = `);
    expect(error?.message).toMatch(floor);
    await env.settle();
    expect(env.resources.length).toBe(before);
  });

  test("values above the floors are kept", async () => {
    await create("long", { vaultMinRetentionDays: 14, hourlyRetentionDays: 14, dailyRetentionDays: 90, vaultMaxRetentionDays: 365, completionWindowMinutes: 240 });
    const plan = named("aws:backup/plan:Plan", "long-snapshots");
    expect(plan.inputs.rules.map((r: { lifecycle: { deleteAfter: number } }) => r.lifecycle.deleteAfter)).toEqual([14, 90]);
    expect(named("aws:backup/vaultLockConfiguration:VaultLockConfiguration", "long-vault-lock").inputs).toMatchObject({ minRetentionDays: 14, maxRetentionDays: 365 });
  });

  test("bad input is refused", () => {
    expect(() => new SnapshotSchedule("bad", { databases: [], copyRegionProvider })).toThrow(/databases must list at least one database/);
    expect(() => new SnapshotSchedule("bad", { databases: [databases[0], databases[0]], copyRegionProvider })).toThrow(/"orders" appears twice/);
    expect(() => new SnapshotSchedule("bad", { databases } as never)).toThrow(/copyRegionProvider is required/);
    expect(() => new SnapshotSchedule("bad", { databases: [{ name: "x", kind: "redshift" as never, arn: "arn" }], copyRegionProvider })).toThrow(/kind must be one of/);
    expect(() => new SnapshotSchedule("bad", { databases: [{ ...databases[0], pointInTimeRecoveryEnabled: true }], copyRegionProvider })).toThrow(/applies to DynamoDB tables only/);
    expect(() => new SnapshotSchedule("bad", { databases, copyRegionProvider, alertSubscriptions: [{ protocol: "http" as never, endpoint: "x" }] })).toThrow(/must be "email" or "https"/);
    expect(() => new SnapshotSchedule("bad", { databases, copyRegionProvider, alertSubscriptions: [{ protocol: "https", endpoint: "http://hooks.example.com/x" }] })).toThrow(/not an https:\/\/ URL/);
    expect(() => new SnapshotSchedule("a-name-far-too-long-for-an-aws-backup-vault-name-x", { databases, copyRegionProvider })).toThrow(/2-50 letters/);
  });
});
