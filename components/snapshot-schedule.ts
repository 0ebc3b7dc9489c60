/**
 * SnapshotSchedule: AWS Backup for the databases it is given, built so that backups exist, cannot
 * be deleted early, survive the loss of a region and are proven restorable every week.
 *
 * - A vault encrypted with its own customer-managed key, locked in compliance mode (after the
 *   grace period nobody, not even the account root, can shorten retention or delete the lock), with
 *   an access policy that denies deleting recovery points.
 * - A plan with an hourly rule (`cron(0 * ? * * *)`, 60-minute start window) and a daily rule kept
 *   35 days; and, for RDS and Aurora, a plan with a continuous backup rule (point-in-time
 *   recovery). Every rule copies its recovery points to a locked vault in a second region.
 * - Selections by ARN, run by the schedule's own service role (AWS managed backup and restore policies).
 * - Vault notifications (both regions) to encrypted SNS topics: finished backup jobs (failed ones
 *   are reported as BACKUP_JOB_COMPLETED with a failed state), failed copies, every restore started
 *   and finished, and changed recovery points.
 * - A weekly restore testing plan with a selection per database.
 *
 * Output: the worst-case RPO in minutes this schedule gives each database, computed from the rules
 * by policies/lib/rpo.ts (the same arithmetic the policy pack uses).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type RecoverySources, type RpoAssessment, type ScheduledSnapshotRule, worstCaseRpo } from "../policies/lib/rpo";
import { type AlertSubscription, type AlertTopic, createAlertTopic, validateSubscriptions } from "./alert-topic";
import { type AwsContext, type PolicyDocument, awsContextFor } from "./aws-context";
import { createCustomerManagedKey } from "./customer-managed-key";
import { GuardrailArgumentError, componentLabel, rejectUnprotectedOptions, requireIntegerInRange, requireMatching } from "./floors";
import { guardrailTags, resolveEnvironment } from "./tags";

export const SNAPSHOT_SCHEDULE_TYPE = "db-guardrails:index:SnapshotSchedule";

export const HOURLY_SCHEDULE = "cron(0 * ? * * *)";
export const DAILY_SCHEDULE = "cron(0 5 ? * * *)";
/** Sundays 06:00 UTC: AWS Backup restores the latest recovery point of each database and reports the result. */
export const WEEKLY_RESTORE_TEST_SCHEDULE = "cron(0 6 ? * SUN *)";
/** AWS Backup's smallest start window; also what the hourly rule's RPO is computed with. */
export const START_WINDOW_MINUTES = 60;
export const VAULT_MIN_RETENTION_FLOOR_DAYS = 7;
/** AWS requires at least 3 days before a compliance-mode lock becomes immutable. */
export const VAULT_LOCK_GRACE_FLOOR_DAYS = 3;
export const DAILY_RETENTION_FLOOR_DAYS = 35;
/** AWS Backup keeps continuous backups for at most 35 days. */
export const CONTINUOUS_RETENTION_MAX_DAYS = 35;

/**
 * Vault events sent to the alert topic. Failed backup and restore jobs arrive as
 * BACKUP_JOB_COMPLETED / RESTORE_JOB_COMPLETED with their state; AWS lists BACKUP_JOB_FAILED and
 * RESTORE_JOB_FAILED as deprecated events that are no longer sent, so they are not used.
 */
export const BACKUP_VAULT_EVENTS: readonly string[] = [
  "BACKUP_JOB_COMPLETED",
  "COPY_JOB_FAILED",
  "RESTORE_JOB_STARTED",
  "RESTORE_JOB_COMPLETED",
  "RECOVERY_POINT_MODIFIED",
];

/** AWS managed policies for the schedule's service role. */
export const BACKUP_SERVICE_ROLE_POLICIES: readonly string[] = [
  "service-role/AWSBackupServiceRolePolicyForBackup",
  "service-role/AWSBackupServiceRolePolicyForRestores",
];

export type ProtectedDatabaseKind = "rds-instance" | "aurora-cluster" | "dynamodb-table";

/** AWS Backup restore testing's name for each kind of database. */
const RESTORE_TESTING_RESOURCE_TYPE: Record<ProtectedDatabaseKind, string> = {
  "rds-instance": "RDS",
  "aurora-cluster": "Aurora",
  "dynamodb-table": "DynamoDB",
};

export interface ProtectedDatabase {
  /** Key of this database in the outputs; unique within the schedule. */
  name: string;
  kind: ProtectedDatabaseKind;
  /** ARN of the RDS instance, Aurora cluster or DynamoDB table. */
  arn: pulumi.Input<string>;
  /** DynamoDB only: the table's own point-in-time recovery is on (ProductionTable always turns it on). Default false. */
  pointInTimeRecoveryEnabled?: boolean;
  /** Restore testing metadata overrides, e.g. `{ dbsubnetgroupname: "private" }`. Default none (AWS infers them). */
  restoreTestingMetadataOverrides?: Record<string, pulumi.Input<string>>;
}

export interface SnapshotScheduleArgs {
  /** The databases to back up. Required, non-empty. */
  databases: ProtectedDatabase[];
  /** Provider for the second region that receives a copy of every recovery point. Required. */
  copyRegionProvider: aws.Provider;
  /** Days the hourly snapshots are kept. Default 7; at least vaultMinRetentionDays (the lock refuses shorter), at most 35. */
  hourlyRetentionDays?: number;
  /** Days the daily snapshots are kept. Default 35; floor 35. */
  dailyRetentionDays?: number;
  /** Days of continuous backup (RDS and Aurora). Default 35; at least vaultMinRetentionDays; AWS maximum 35. */
  continuousRetentionDays?: number;
  /** Minutes a started job has to finish, for every rule. Default 180; at least 120 (the start window plus an hour). */
  completionWindowMinutes?: number;
  /** Vault lock: shortest retention any recovery point may have. Default 7; floor 7. */
  vaultMinRetentionDays?: number;
  /** Vault lock: longest retention. Default 400; at least the longest rule retention. */
  vaultMaxRetentionDays?: number;
  /** Vault lock grace period before it becomes immutable (compliance mode). Default 3; AWS minimum 3. */
  vaultLockChangeableForDays?: number;
  /** Subscriptions to the backup alert topics (both regions). Default none. */
  alertSubscriptions?: AlertSubscription[];
  /** Environment tag written on every child. Default `"production"`. */
  environment?: string;
  /** Extra tags on every child. `environment` cannot be overridden here. */
  tags?: Record<string, string>;
}

/** One rule as it goes into the plan, in plain values. */
export interface BackupRuleSpec {
  ruleName: string;
  schedule: string;
  startWindow: number;
  completionWindow: number;
  deleteAfter: number;
  enableContinuousBackup: boolean;
  /** Copies go to the second region (for a continuous rule, AWS copies a snapshot taken at the rule's schedule). */
  copyToSecondRegion: boolean;
}

export interface ScheduleSettings {
  databases: ProtectedDatabase[];
  snapshotRules: BackupRuleSpec[];
  continuousRule: BackupRuleSpec;
  vaultLock: { minRetentionDays: number; maxRetentionDays: number; changeableForDays: number };
  subscriptions: AlertSubscription[];
  names: { vault: string; copyVault: string; snapshotPlan: string; continuousPlan: string; restoreTestingPlan: string; serviceRole: string };
  environment: string;
  tags: Record<string, string>;
}

const VAULT_NAME = /^[A-Za-z0-9_-]{2,50}$/;
const PLAN_NAME = /^[A-Za-z0-9_.-]{1,50}$/;
const RESTORE_TESTING_NAME = /^[A-Za-z0-9_]{1,50}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const KINDS: readonly ProtectedDatabaseKind[] = ["rds-instance", "aurora-cluster", "dynamodb-table"];

/** Checks every argument against its floor and derives the rules. Pure; throws on the first violation. */
export function resolveScheduleSettings(name: string, args: SnapshotScheduleArgs): ScheduleSettings {
  const component = componentLabel("SnapshotSchedule", name);
  if (args === null || typeof args !== "object") throw new GuardrailArgumentError(component, "args", "must be an object.");
  if (!Array.isArray(args.databases) || args.databases.length === 0) {
    throw new GuardrailArgumentError(component, "databases", "must list at least one database to back up.");
  }
  const seen = new Set<string>();
  args.databases.forEach((db, i) => {
    if (!db || typeof db.name !== "string" || db.name.trim() === "") throw new GuardrailArgumentError(component, `databases[${i}].name`, "must be a non-empty string.");
    if (seen.has(db.name)) throw new GuardrailArgumentError(component, `databases[${i}].name`, `"${db.name}" appears twice; names key the outputs.`);
    seen.add(db.name);
    if (!KINDS.includes(db.kind)) throw new GuardrailArgumentError(component, `databases[${i}].kind`, `must be one of ${KINDS.join(", ")} (got ${JSON.stringify(db.kind)}).`);
    if (db.arn === undefined || db.arn === null || db.arn === "") throw new GuardrailArgumentError(component, `databases[${i}].arn`, "is required.");
    if (db.pointInTimeRecoveryEnabled !== undefined && db.kind !== "dynamodb-table") {
      throw new GuardrailArgumentError(component, `databases[${i}].pointInTimeRecoveryEnabled`, "applies to DynamoDB tables only; RDS and Aurora get continuous backup from this schedule.");
    }
  });
  if (!args.copyRegionProvider || !pulumi.ProviderResource.isInstance(args.copyRegionProvider)) {
    throw new GuardrailArgumentError(component, "copyRegionProvider", "is required: an aws.Provider for the second region that keeps a copy of every recovery point.");
  }

  const minRetentionDays = requireIntegerInRange(component, "vaultMinRetentionDays", args.vaultMinRetentionDays, {
    defaultValue: VAULT_MIN_RETENTION_FLOOR_DAYS,
    min: VAULT_MIN_RETENTION_FLOOR_DAYS,
    unit: "days",
    why: "The vault lock keeps every recovery point at least this long; a week covers a compromised account being noticed.",
  });
  const changeableForDays = requireIntegerInRange(component, "vaultLockChangeableForDays", args.vaultLockChangeableForDays, {
    defaultValue: VAULT_LOCK_GRACE_FLOOR_DAYS,
    min: VAULT_LOCK_GRACE_FLOOR_DAYS,
    max: 36500,
    unit: "days",
    why: "Setting it is what puts the lock in compliance mode; AWS requires at least 3 days of grace.",
  });
  const hourly = requireIntegerInRange(component, "hourlyRetentionDays", args.hourlyRetentionDays, {
    defaultValue: minRetentionDays,
    min: minRetentionDays,
    max: 35,
    unit: "days",
    why: `The vault lock refuses recovery points kept less than vaultMinRetentionDays (${minRetentionDays}); more than 35 days of hourly snapshots adds cost, not protection, next to the daily rule.`,
  });
  const daily = requireIntegerInRange(component, "dailyRetentionDays", args.dailyRetentionDays, {
    defaultValue: DAILY_RETENTION_FLOOR_DAYS,
    min: Math.max(DAILY_RETENTION_FLOOR_DAYS, minRetentionDays),
    unit: "days",
    why: "Daily snapshots are the fallback for damage found after the point-in-time window; they are kept at least 35 days.",
  });
  const continuous = requireIntegerInRange(component, "continuousRetentionDays", args.continuousRetentionDays, {
    defaultValue: CONTINUOUS_RETENTION_MAX_DAYS,
    min: minRetentionDays,
    max: CONTINUOUS_RETENTION_MAX_DAYS,
    unit: "days",
    why: `The vault lock refuses shorter retention than vaultMinRetentionDays (${minRetentionDays}); AWS keeps continuous backups at most 35 days.`,
  });
  const maxRetentionDays = requireIntegerInRange(component, "vaultMaxRetentionDays", args.vaultMaxRetentionDays, {
    defaultValue: Math.max(400, daily),
    min: Math.max(daily, hourly, continuous),
    max: 36500,
    unit: "days",
    why: "The vault lock refuses recovery points kept longer than this, so it must allow the longest rule.",
  });
  const completionWindow = requireIntegerInRange(component, "completionWindowMinutes", args.completionWindowMinutes, {
    defaultValue: 180,
    min: START_WINDOW_MINUTES + 60,
    max: 60 * 24 * 7,
    unit: "minutes",
    why: "A job that starts at the end of its 60-minute start window still needs time to finish; AWS cancels it when the completion window ends.",
  });

  const snapshotRules: BackupRuleSpec[] = [
    {
      ruleName: "hourly",
      schedule: HOURLY_SCHEDULE,
      startWindow: START_WINDOW_MINUTES,
      completionWindow,
      deleteAfter: hourly,
      enableContinuousBackup: false,
      copyToSecondRegion: true,
    },
    {
      ruleName: "daily",
      schedule: DAILY_SCHEDULE,
      startWindow: START_WINDOW_MINUTES,
      completionWindow,
      deleteAfter: daily,
      enableContinuousBackup: false,
      copyToSecondRegion: true,
    },
  ];
  const continuousRule: BackupRuleSpec = {
    ruleName: "continuous",
    // A continuous rule still needs a schedule (AWS uses it for maintenance and syncing, not snapshots).
    schedule: DAILY_SCHEDULE,
    startWindow: START_WINDOW_MINUTES,
    completionWindow,
    deleteAfter: continuous,
    enableContinuousBackup: true,
    // AWS copies a continuous backup as a snapshot taken at the rule's schedule.
    copyToSecondRegion: true,
  };

  const names = {
    vault: requireMatching(component, "name", `${name}-vault`, VAULT_NAME, "the vault is named <name>-vault: 2-50 letters, digits, hyphens or underscores."),
    copyVault: requireMatching(component, "name", `${name}-copy-vault`, VAULT_NAME, "the copy vault is named <name>-copy-vault: 2-50 letters, digits, hyphens or underscores."),
    snapshotPlan: requireMatching(component, "name", `${name}-snapshots`, PLAN_NAME, "the plan is named <name>-snapshots: 1-50 letters, digits, hyphens, underscores or dots."),
    continuousPlan: requireMatching(component, "name", `${name}-continuous`, PLAN_NAME, "the plan is named <name>-continuous: 1-50 letters, digits, hyphens, underscores or dots."),
    serviceRole: requireMatching(component, "name", `${name}-backup-role`, ROLE_NAME, "the service role is named <name>-backup-role: 1-64 letters, digits or +=,.@_- characters."),
    restoreTestingPlan: requireMatching(
      component,
      "name",
      `${name}_weekly_restore_test`.replace(/-/g, "_"),
      RESTORE_TESTING_NAME,
      "the restore testing plan is named <name>_weekly_restore_test: 1-50 letters, digits or underscores.",
    ),
  };
  const environment = resolveEnvironment(component, args.environment);
  return {
    databases: args.databases,
    snapshotRules,
    continuousRule,
    vaultLock: { minRetentionDays, maxRetentionDays, changeableForDays },
    subscriptions: validateSubscriptions(component, "alertSubscriptions", args.alertSubscriptions),
    names,
    environment,
    tags: guardrailTags(component, environment, args.tags),
  };
}

/** What protects one database, in the RPO library's terms. */
export function recoverySourcesFor(db: ProtectedDatabase, snapshotRules: BackupRuleSpec[]): RecoverySources {
  const rules: ScheduledSnapshotRule[] = snapshotRules.map((r) => ({ name: r.ruleName, scheduleExpression: r.schedule, startWindowMinutes: r.startWindow }));
  if (db.kind === "dynamodb-table") {
    return {
      pointInTimeSurvivesDeletion: db.pointInTimeRecoveryEnabled === true,
      pointInTimeSource: db.pointInTimeRecoveryEnabled === true ? "DynamoDB point-in-time recovery" : undefined,
      snapshotRules: rules,
    };
  }
  return { pointInTimeSurvivesDeletion: true, pointInTimeSource: "AWS Backup continuous backup", snapshotRules: rules };
}

/** The worst-case RPO of each database; throws if any rule is invalid or a database is left uncovered. */
export function assessSchedule(component: string, databases: ProtectedDatabase[], snapshotRules: BackupRuleSpec[]): Record<string, RpoAssessment> {
  const assessments: Record<string, RpoAssessment> = {};
  for (const db of databases) {
    const assessment = worstCaseRpo(recoverySourcesFor(db, snapshotRules));
    if (assessment.invalidRules.length > 0 || assessment.worstCaseMinutes === undefined) {
      const reasons = assessment.invalidRules.map((r) => r.error).join("; ") || assessment.basis;
      throw new GuardrailArgumentError(component, `databases.${db.name}`, `has no computable recovery point objective: ${reasons}`);
    }
    assessments[db.name] = assessment;
  }
  return assessments;
}

/** The vault access policy: nobody deletes a recovery point or shortens its life by hand. */
export function vaultAccessPolicy(vaultArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyDeletingOrShorteningRecoveryPoints",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
        Resource: vaultArn,
      },
    ],
  };
}

/** Trust policy of the schedule's service role. */
export function backupServiceTrustPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "AwsBackupAssumesRole", Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: ["sts:AssumeRole"] }],
  };
}

function planRule(spec: BackupRuleSpec, vaultName: pulumi.Input<string>, copyVaultArn: pulumi.Input<string>, tags: Record<string, string>): aws.types.input.backup.PlanRule {
  return {
    ruleName: spec.ruleName,
    targetVaultName: vaultName,
    schedule: spec.schedule,
    startWindow: spec.startWindow,
    completionWindow: spec.completionWindow,
    enableContinuousBackup: spec.enableContinuousBackup,
    lifecycle: { deleteAfter: spec.deleteAfter },
    recoveryPointTags: tags,
    copyActions: spec.copyToSecondRegion ? [{ destinationVaultArn: copyVaultArn, lifecycle: { deleteAfter: spec.deleteAfter } }] : undefined,
  };
}

export class SnapshotSchedule extends pulumi.ComponentResource {
  readonly settings: ScheduleSettings;
  readonly vaultKey: aws.kms.Key;
  readonly vault: aws.backup.Vault;
  readonly vaultLock: aws.backup.VaultLockConfiguration;
  readonly vaultPolicy: aws.backup.VaultPolicy;
  readonly copyVaultKey: aws.kms.Key;
  readonly copyVault: aws.backup.Vault;
  readonly copyVaultLock: aws.backup.VaultLockConfiguration;
  readonly copyVaultPolicy: aws.backup.VaultPolicy;
  readonly serviceRole: aws.iam.Role;
  readonly serviceRolePolicyAttachments: aws.iam.RolePolicyAttachment[];
  readonly snapshotPlan: aws.backup.Plan;
  readonly snapshotSelection: aws.backup.Selection;
  /** Present when the schedule covers an RDS instance or Aurora cluster. */
  readonly continuousPlan?: aws.backup.Plan;
  readonly continuousSelection?: aws.backup.Selection;
  readonly alertTopic: AlertTopic;
  readonly copyRegionAlertTopic: AlertTopic;
  readonly notifications: aws.backup.VaultNotifications;
  readonly copyRegionNotifications: aws.backup.VaultNotifications;
  readonly restoreTestingPlan: aws.backup.RestoreTestingPlan;
  readonly restoreTestingSelections: aws.backup.RestoreTestingSelection[];
  /** Per database: the RPO library's full assessment. */
  readonly rpoAssessments: Readonly<Record<string, RpoAssessment>>;
  /** Per database: worst-case recovery point objective in minutes, computed from this schedule's rules. */
  readonly worstCaseRpoMinutes: Readonly<Record<string, number>>;
  /** ARN of the service role AWS Backup uses (also what a RestoreRole may pass to StartRestoreJob). */
  readonly serviceRoleArn: pulumi.Output<string>;

  constructor(name: string, args: SnapshotScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    const component = componentLabel("SnapshotSchedule", name);
    const s = resolveScheduleSettings(name, args);
    // Judged before anything is registered: a schedule whose RPO cannot be computed never deploys.
    const assessments = assessSchedule(component, s.databases, s.snapshotRules);
    rejectUnprotectedOptions(component, opts);
    super(SNAPSHOT_SCHEDULE_TYPE, name, {}, opts);
    this.settings = s;
    this.rpoAssessments = assessments;
    this.worstCaseRpoMinutes = Object.fromEntries(Object.entries(assessments).map(([db, a]) => [db, a.worstCaseMinutes as number]));

    const child: pulumi.CustomResourceOptions = { parent: this };
    const protectedChild: pulumi.CustomResourceOptions = { parent: this, protect: true };
    const copyChild: pulumi.CustomResourceOptions = { parent: this, provider: args.copyRegionProvider };
    const protectedCopyChild: pulumi.CustomResourceOptions = { ...copyChild, protect: true };
    const context: AwsContext = awsContextFor(this);
    const copyContext: AwsContext = awsContextFor(this, args.copyRegionProvider);

    // Primary vault.
    this.vaultKey = createCustomerManagedKey(`${name}-vault-key`, { description: `Encrypts the ${s.names.vault} backup vault`, tags: s.tags, context }, protectedChild);
    this.vault = new aws.backup.Vault(`${name}-vault`, { name: s.names.vault, kmsKeyArn: this.vaultKey.arn, forceDestroy: false, tags: s.tags }, protectedChild);
    this.vaultLock = new aws.backup.VaultLockConfiguration(`${name}-vault-lock`, { backupVaultName: this.vault.name, ...s.vaultLock }, protectedChild);
    this.vaultPolicy = new aws.backup.VaultPolicy(
      `${name}-vault-policy`,
      { backupVaultName: this.vault.name, policy: this.vault.arn.apply((arn) => JSON.stringify(vaultAccessPolicy(arn))) },
      child,
    );

    // Copy vault in the second region, locked the same way.
    this.copyVaultKey = createCustomerManagedKey(
      `${name}-copy-vault-key`,
      { description: `Encrypts the ${s.names.copyVault} backup vault`, tags: s.tags, context: copyContext },
      protectedCopyChild,
    );
    this.copyVault = new aws.backup.Vault(
      `${name}-copy-vault`,
      { name: s.names.copyVault, kmsKeyArn: this.copyVaultKey.arn, forceDestroy: false, tags: s.tags },
      protectedCopyChild,
    );
    this.copyVaultLock = new aws.backup.VaultLockConfiguration(`${name}-copy-vault-lock`, { backupVaultName: this.copyVault.name, ...s.vaultLock }, protectedCopyChild);
    this.copyVaultPolicy = new aws.backup.VaultPolicy(
      `${name}-copy-vault-policy`,
      { backupVaultName: this.copyVault.name, policy: this.copyVault.arn.apply((arn) => JSON.stringify(vaultAccessPolicy(arn))) },
      copyChild,
    );

    // The role AWS Backup runs as, for backups, copies, restores and restore tests.
    this.serviceRole = new aws.iam.Role(
      `${name}-backup-role`,
      // A fixed name: people and policies recognise the role AWS Backup runs as.
      { name: s.names.serviceRole, description: `AWS Backup service role for ${name}`, assumeRolePolicy: JSON.stringify(backupServiceTrustPolicy()), tags: s.tags },
      child,
    );
    this.serviceRolePolicyAttachments = BACKUP_SERVICE_ROLE_POLICIES.map(
      (policy, i) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-backup-role-${i === 0 ? "backup" : "restores"}`,
          { role: this.serviceRole.name, policyArn: pulumi.interpolate`arn:${context.partition}:iam::aws:policy/${policy}` },
          child,
        ),
    );
    this.serviceRoleArn = this.serviceRole.arn;

    // Plans and selections.
    const allArns = s.databases.map((d) => d.arn);
    this.snapshotPlan = new aws.backup.Plan(
      `${name}-snapshots`,
      { name: s.names.snapshotPlan, rules: s.snapshotRules.map((r) => planRule(r, this.vault.name, this.copyVault.arn, s.tags)), tags: s.tags },
      child,
    );
    this.snapshotSelection = new aws.backup.Selection(
      `${name}-snapshots`,
      { name: `${s.names.snapshotPlan}-selection`.slice(0, 50), planId: this.snapshotPlan.id, iamRoleArn: this.serviceRole.arn, resources: allArns },
      child,
    );
    const rdsArns = s.databases.filter((d) => d.kind !== "dynamodb-table").map((d) => d.arn);
    if (rdsArns.length > 0) {
      this.continuousPlan = new aws.backup.Plan(
        `${name}-continuous`,
        { name: s.names.continuousPlan, rules: [planRule(s.continuousRule, this.vault.name, this.copyVault.arn, s.tags)], tags: s.tags },
        child,
      );
      this.continuousSelection = new aws.backup.Selection(
        `${name}-continuous`,
        { name: `${s.names.continuousPlan}-selection`.slice(0, 50), planId: this.continuousPlan.id, iamRoleArn: this.serviceRole.arn, resources: rdsArns },
        child,
      );
    }

    // Notifications, in each vault's region.
    const backupPublisher = [{ service: "backup.amazonaws.com" }];
    this.alertTopic = createAlertTopic(
      `${name}-backup-events`,
      { displayName: `AWS Backup events for ${name}`, tags: s.tags, context, publishers: backupPublisher, subscriptions: s.subscriptions },
      child,
    );
    this.copyRegionAlertTopic = createAlertTopic(
      `${name}-copy-backup-events`,
      { displayName: `AWS Backup events for ${name} (copy region)`, tags: s.tags, context: copyContext, publishers: backupPublisher, subscriptions: s.subscriptions },
      copyChild,
    );
    this.notifications = new aws.backup.VaultNotifications(
      `${name}-vault-notifications`,
      { backupVaultName: this.vault.name, snsTopicArn: this.alertTopic.topic.arn, backupVaultEvents: [...BACKUP_VAULT_EVENTS] },
      { ...child, dependsOn: [this.alertTopic.topicPolicy] },
    );
    this.copyRegionNotifications = new aws.backup.VaultNotifications(
      `${name}-copy-vault-notifications`,
      { backupVaultName: this.copyVault.name, snsTopicArn: this.copyRegionAlertTopic.topic.arn, backupVaultEvents: [...BACKUP_VAULT_EVENTS] },
      { ...copyChild, dependsOn: [this.copyRegionAlertTopic.topicPolicy] },
    );

    // Weekly proof that the latest recovery point of each database restores.
    this.restoreTestingPlan = new aws.backup.RestoreTestingPlan(
      `${name}-restore-testing`,
      {
        name: s.names.restoreTestingPlan,
        scheduleExpression: WEEKLY_RESTORE_TEST_SCHEDULE,
        startWindowHours: 24,
        recoveryPointSelection: {
          algorithm: "LATEST_WITHIN_WINDOW",
          includeVaults: [this.vault.arn],
          recoveryPointTypes: ["CONTINUOUS", "SNAPSHOT"],
          selectionWindowDays: 7,
        },
        tags: s.tags,
      },
      child,
    );
    this.restoreTestingSelections = s.databases.map((db, i) => {
      const selectionName = `${db.name}_${i}`.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 50);
      return new aws.backup.RestoreTestingSelection(
        `${name}-restore-testing-${db.name}`,
        {
          name: selectionName,
          restoreTestingPlanName: this.restoreTestingPlan.name,
          protectedResourceType: RESTORE_TESTING_RESOURCE_TYPE[db.kind],
          protectedResourceArns: [db.arn],
          iamRoleArn: this.serviceRole.arn,
          restoreMetadataOverrides: db.restoreTestingMetadataOverrides,
        },
        child,
      );
    });

    this.registerOutputs({
      vaultArn: this.vault.arn,
      copyVaultArn: this.copyVault.arn,
      snapshotPlanId: this.snapshotPlan.id,
      alertTopicArn: this.alertTopic.topic.arn,
      serviceRoleArn: this.serviceRoleArn,
      worstCaseRpoMinutes: this.worstCaseRpoMinutes,
    });
  }
}
