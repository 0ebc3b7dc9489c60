/**
 * GuardedDatabase: the one-line kit. `new GuardedDatabase("orders", { database: {...}, ... })`
 * creates a ProductionDatabase (or, with `table`, a ProductionTable), its SnapshotSchedule, a
 * RestoreRole, DatabaseAlerts and, only when asked, a BreakGlassRole, wired together.
 */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlertSubscription } from "./alert-topic";
import { DatabaseAlerts, resolveAlertSettings } from "./database-alerts";
import { GuardrailArgumentError, componentLabel, rejectUnprotectedOptions } from "./floors";
import { ProductionDatabase, type ProductionDatabaseArgs, resolveDatabaseGuardrails } from "./production-database";
import { ProductionTable, type ProductionTableArgs, resolveTableGuardrails } from "./production-table";
import { BreakGlassRole, RestoreRole, type RestoreRoleArgs, resolveBreakGlassRoleSettings, resolveRestoreRoleSettings } from "./restore-role";
import { type ProtectedDatabase, SnapshotSchedule, type SnapshotScheduleArgs, assessSchedule, resolveScheduleSettings } from "./snapshot-schedule";
import { resolveEnvironment } from "./tags";

export const GUARDED_DATABASE_TYPE = "db-guardrails:index:GuardedDatabase";

/** Schedule settings a caller may tune; the databases, copy provider, subscriptions and tags come from GuardedDatabase. */
export type GuardedScheduleArgs = Omit<SnapshotScheduleArgs, "databases" | "copyRegionProvider" | "alertSubscriptions" | "environment" | "tags">;
/** Restore role settings a caller may tune. */
export type GuardedRestoreRoleArgs = Pick<RestoreRoleArgs, "restoreNamePrefix" | "maxSessionDurationSeconds" | "mfaMaxAgeSeconds" | "restoreTagKeys" | "roleName">;

export interface GuardedDatabaseArgs {
  /** An RDS instance or Aurora cluster (see ProductionDatabaseArgs). Exactly one of `database` and `table`. */
  database?: ProductionDatabaseArgs;
  /** A DynamoDB table (see ProductionTableArgs). Exactly one of `database` and `table`. */
  table?: ProductionTableArgs;
  /** Provider for the second region that keeps a copy of every recovery point. Required. */
  copyRegionProvider: aws.Provider;
  /** IAM users or roles of the on-call engineers who may restore (with MFA). Required, non-empty. */
  restorePrincipalArns: string[];
  /** IAM users or roles who may assume the break-glass role. Default none: no break-glass role is created. */
  breakGlassPrincipalArns?: string[];
  /** Alert subscriptions (email, https webhook) for database events and backup events. Required, non-empty. */
  alertSubscriptions: AlertSubscription[];
  /**
   * Backup schedule tuning. Defaults as SnapshotSchedule's, except that for an RDS instance or
   * Aurora cluster `continuousRetentionDays` defaults to the database's `backupRetentionPeriod`:
   * AWS Backup takes over the RDS backup retention when it manages continuous backup, so two
   * different numbers would fight on every update.
   */
  schedule?: GuardedScheduleArgs;
  /** Restore role tuning. Defaults as RestoreRole's; `roleName` defaults to `<name>-restore`. */
  restoreRole?: GuardedRestoreRoleArgs;
  /** Environment of every resource. Default `"production"`. */
  environment?: string;
  /** Tags on every resource (merged with `database.tags` / `table.tags`). */
  tags?: Record<string, string>;
}

export class GuardedDatabase extends pulumi.ComponentResource {
  readonly database?: ProductionDatabase;
  readonly table?: ProductionTable;
  readonly schedule: SnapshotSchedule;
  readonly restoreRole: RestoreRole;
  readonly breakGlassRole?: BreakGlassRole;
  readonly alerts: DatabaseAlerts;

  /** Connection endpoint (RDS/Aurora); undefined for a table. */
  readonly endpoint: pulumi.Output<string | undefined>;
  /** ARN of the instance, cluster or table. */
  readonly databaseArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;
  readonly backupVaultArn: pulumi.Output<string>;
  readonly copyBackupVaultArn: pulumi.Output<string>;
  readonly restoreRoleArn: pulumi.Output<string>;
  readonly breakGlassRoleArn: pulumi.Output<string | undefined>;
  readonly alertTopicArn: pulumi.Output<string>;
  readonly backupAlertTopicArn: pulumi.Output<string>;
  /** Worst-case recovery point objective in minutes, from the schedule's rules. */
  readonly worstCaseRpoMinutes: number;
  /** What gives that figure, in words. */
  readonly rpoBasis: string;

  constructor(name: string, args: GuardedDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    const component = componentLabel("GuardedDatabase", name);
    if (args === null || typeof args !== "object") throw new GuardrailArgumentError(component, "args", "must be an object.");
    if ((args.database === undefined) === (args.table === undefined)) {
      throw new GuardrailArgumentError(component, "database", "and table: give exactly one (a relational database or a DynamoDB table).");
    }
    const environment = resolveEnvironment(component, args.environment);
    const inner = (args.database ?? args.table) as { environment?: string; tags?: Record<string, string> };
    if (inner.environment !== undefined && inner.environment !== environment) {
      throw new GuardrailArgumentError(component, `${args.database ? "database" : "table"}.environment`, `= ${JSON.stringify(inner.environment)} contradicts environment ${JSON.stringify(environment)}; set it once, on GuardedDatabase.`);
    }
    const tags = { ...(args.tags ?? {}), ...(inner.tags ?? {}) };
    const common = { environment, tags };
    const names = { backups: `${name}-backups`, restore: `${name}-restore`, breakGlass: `${name}-break-glass`, alerts: `${name}-alerts` };

    // Every argument of every part is checked before anything is registered, so a mistake in, say,
    // the backup settings cannot leave a database created without its schedule.
    const pending = "arn:aws:pending:checked-before-creation";
    const dbGuardrails = args.database ? resolveDatabaseGuardrails(name, { ...args.database, ...common }) : undefined;
    if (args.table) resolveTableGuardrails(name, { ...args.table, ...common });
    const kind: ProtectedDatabase["kind"] = dbGuardrails?.kind ?? "dynamodb-table";
    const continuousDefault = dbGuardrails?.backupRetentionPeriod;
    const scheduleArgs = (databases: ProtectedDatabase[]): SnapshotScheduleArgs => ({
      ...(args.schedule ?? {}),
      continuousRetentionDays: args.schedule?.continuousRetentionDays ?? continuousDefault,
      databases,
      copyRegionProvider: args.copyRegionProvider,
      alertSubscriptions: args.alertSubscriptions,
      ...common,
    });
    const checked = resolveScheduleSettings(names.backups, scheduleArgs([{ name, kind, arn: pending, pointInTimeRecoveryEnabled: args.table ? true : undefined }]));
    assessSchedule(componentLabel("SnapshotSchedule", names.backups), checked.databases, checked.snapshotRules);
    const restoreArgs = (productionDatabaseArns: pulumi.Input<string>[]): RestoreRoleArgs => ({
      ...(args.restoreRole ?? {}),
      roleName: args.restoreRole?.roleName ?? names.restore,
      trustedPrincipalArns: args.restorePrincipalArns,
      productionDatabaseArns,
      ...common,
    });
    resolveRestoreRoleSettings(names.restore, restoreArgs([pending]));
    if (args.breakGlassPrincipalArns !== undefined) {
      resolveBreakGlassRoleSettings(names.breakGlass, { roleName: names.breakGlass, trustedPrincipalArns: args.breakGlassPrincipalArns, productionDatabaseArns: [pending], restoreNamePrefix: args.restoreRole?.restoreNamePrefix, ...common });
    }
    resolveAlertSettings(names.alerts, { instanceIdentifiers: args.database ? [pending] : undefined, watchDynamoDbControlPlane: args.table !== undefined, subscriptions: args.alertSubscriptions, ...common });

    rejectUnprotectedOptions(component, opts);
    super(GUARDED_DATABASE_TYPE, name, {}, opts);
    const child: pulumi.ComponentResourceOptions = { parent: this };

    let protectedDatabase: ProtectedDatabase;
    let productionArns: pulumi.Input<string>[];
    if (args.database) {
      const db = new ProductionDatabase(name, { ...args.database, ...common }, child);
      this.database = db;
      protectedDatabase = { name, kind: db.guardrails.kind, arn: db.arn };
      productionArns = db.resourceArns;
      this.endpoint = db.endpoint;
      this.databaseArn = db.arn;
      this.kmsKeyArn = db.kmsKey.arn;
    } else {
      const table = new ProductionTable(name, { ...(args.table as ProductionTableArgs), ...common }, child);
      this.table = table;
      protectedDatabase = { name, kind: "dynamodb-table", arn: table.arn, pointInTimeRecoveryEnabled: true };
      productionArns = [table.arn];
      this.endpoint = pulumi.output(undefined);
      this.databaseArn = table.arn;
      this.kmsKeyArn = table.kmsKey.arn;
    }

    this.schedule = new SnapshotSchedule(names.backups, scheduleArgs([protectedDatabase]), child);
    this.restoreRole = new RestoreRole(
      names.restore,
      {
        ...restoreArgs(productionArns),
        backupServiceRoleArns: [this.schedule.serviceRoleArn],
        kmsKeyArns: [this.kmsKeyArn, this.schedule.vaultKey.arn, this.schedule.copyVaultKey.arn],
      },
      child,
    );
    if (args.breakGlassPrincipalArns !== undefined) {
      this.breakGlassRole = new BreakGlassRole(
        names.breakGlass,
        {
          roleName: names.breakGlass,
          trustedPrincipalArns: args.breakGlassPrincipalArns,
          productionDatabaseArns: productionArns,
          restoreNamePrefix: args.restoreRole?.restoreNamePrefix,
          ...common,
        },
        child,
      );
    }
    this.alerts = new DatabaseAlerts(
      names.alerts,
      {
        instanceIdentifiers: this.database?.instanceIdentifiers,
        clusterIdentifiers: this.database?.clusterIdentifier ? [this.database.clusterIdentifier] : undefined,
        watchDynamoDbControlPlane: this.table !== undefined,
        subscriptions: args.alertSubscriptions,
        ...common,
      },
      child,
    );

    const assessment = this.schedule.rpoAssessments[name];
    this.worstCaseRpoMinutes = this.schedule.worstCaseRpoMinutes[name];
    this.rpoBasis = assessment.basis;
    this.backupVaultArn = this.schedule.vault.arn;
    this.copyBackupVaultArn = this.schedule.copyVault.arn;
    this.restoreRoleArn = this.restoreRole.roleArn;
    this.breakGlassRoleArn = this.breakGlassRole ? this.breakGlassRole.roleArn : pulumi.output(undefined);
    this.alertTopicArn = this.alerts.topicArn;
    this.backupAlertTopicArn = this.schedule.alertTopic.topic.arn;

    this.registerOutputs(this.exports());
  }

  /** What a stack exports for this database. */
  exports(): Record<string, pulumi.Input<unknown>> {
    return {
      endpoint: this.endpoint,
      databaseArn: this.databaseArn,
      kmsKeyArn: this.kmsKeyArn,
      backupVaultArn: this.backupVaultArn,
      copyBackupVaultArn: this.copyBackupVaultArn,
      restoreRoleArn: this.restoreRoleArn,
      breakGlassRoleArn: this.breakGlassRoleArn,
      alertTopicArn: this.alertTopicArn,
      backupAlertTopicArn: this.backupAlertTopicArn,
      worstCaseRpoMinutes: this.worstCaseRpoMinutes,
      rpoBasis: this.rpoBasis,
    };
  }
}
