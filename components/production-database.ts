/**
 * ProductionDatabase: an RDS instance (PostgreSQL, MySQL) or an Aurora cluster with its instances,
 * built so that losing it takes several deliberate steps. Every guardrail has a floor the caller
 * cannot go below (see floors.ts): deletion protection, Pulumi `protect`, a final snapshot under a
 * fixed name, automated backups kept after deletion, at least 14 days of point-in-time backups,
 * encryption with its own rotating KMS key, tags copied to snapshots, a password only Secrets
 * Manager knows, Multi-AZ, log exports, and restore fields in `ignoreChanges`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContextFor } from "./aws-context";
import { createCustomerManagedKey } from "./customer-managed-key";
import {
  GuardrailArgumentError,
  componentLabel,
  rejectUnprotectedOptions,
  requireFlag,
  requireIncludes,
  requireIntegerInRange,
  requireMatching,
} from "./floors";
import { guardrailTags, resolveEnvironment } from "./tags";
import { RESTORE_PROPERTIES as SHARED_RESTORE_PROPERTIES } from "../policies/lib/restore-properties";
import { RDS_INSTANCE } from "../policies/lib/tokens";

export const PRODUCTION_DATABASE_TYPE = "db-guardrails:index:ProductionDatabase";

export type DatabaseEngine = "postgres" | "mysql" | "aurora-postgresql" | "aurora-mysql";
const ENGINES: readonly DatabaseEngine[] = ["postgres", "mysql", "aurora-postgresql", "aurora-mysql"];

export const BACKUP_RETENTION_FLOOR_DAYS = 14;
/** AWS's maximum for automated backups. */
export const BACKUP_RETENTION_MAX_DAYS = 35;
/** Aurora is Multi-AZ only with a writer and at least one reader in another zone. */
export const AURORA_INSTANCE_COUNT_FLOOR = 2;

/**
 * Restore properties: changing either replaces the database with a restored copy (the incident this
 * kit was born from), so they are always ignored after creation. Restoring means a new database.
 */
export const RESTORE_PROPERTIES: readonly string[] = SHARED_RESTORE_PROPERTIES[RDS_INSTANCE]!;

/**
 * CloudWatch log exports per engine: what is exported by default, what must always be exported,
 * and what AWS accepts. MySQL's `audit` log needs an option group (RDS) or parameter group (Aurora)
 * with the audit plugin, so it is allowed but not a default.
 */
export const LOG_EXPORTS: Readonly<Record<DatabaseEngine, { defaults: string[]; required: string[]; allowed: string[] }>> = {
  postgres: { defaults: ["postgresql", "upgrade"], required: ["postgresql"], allowed: ["postgresql", "upgrade", "iam-db-auth-error"] },
  mysql: { defaults: ["error", "general", "slowquery"], required: ["error"], allowed: ["audit", "error", "general", "slowquery", "iam-db-auth-error"] },
  "aurora-postgresql": { defaults: ["postgresql"], required: ["postgresql"], allowed: ["postgresql", "instance", "iam-db-auth-error"] },
  "aurora-mysql": { defaults: ["error", "slowquery"], required: ["error"], allowed: ["audit", "error", "general", "slowquery", "instance", "iam-db-auth-error"] },
};

export interface ProductionDatabaseArgs {
  /** `postgres` or `mysql` (an RDS instance), `aurora-postgresql` or `aurora-mysql` (an Aurora cluster). Required. */
  engine: DatabaseEngine;
  /** Engine version, e.g. `16.4`. Default: AWS's default for the engine. */
  engineVersion?: pulumi.Input<string>;
  /** Instance class, e.g. `db.r6g.large` (for Aurora, of each cluster instance). Required. */
  instanceClass: pulumi.Input<string>;
  /**
   * The RDS identifier (instance or cluster). Default: the logical name. Fixed rather than
   * auto-named, so a change that would replace the database fails instead of quietly creating a
   * second one, and the final snapshot name is known in advance.
   */
  identifier?: string;
  /** Storage in GiB (RDS instance only). Default 20. */
  allocatedStorage?: number;
  /** Storage autoscaling ceiling in GiB (RDS instance only). Default none. */
  maxAllocatedStorage?: number;
  /** Storage type (RDS instance only). Default `gp3`. */
  storageType?: pulumi.Input<string>;
  /** Number of Aurora cluster instances (writer plus readers). Default 2; floor 2 (Multi-AZ). */
  clusterInstanceCount?: number;
  /** Initial database name. Default none. */
  dbName?: pulumi.Input<string>;
  /** Master user name. Default `dbadmin`. Its password is generated and kept in Secrets Manager. */
  masterUsername?: pulumi.Input<string>;
  /** DB subnet group. Default: the account's default subnet group. */
  dbSubnetGroupName?: pulumi.Input<string>;
  /** VPC security groups. Default: the VPC's default security group. */
  vpcSecurityGroupIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Parameter group (DB cluster parameter group for Aurora). Default: AWS's default group. */
  parameterGroupName?: pulumi.Input<string>;
  /** Option group (RDS instance only). Default: AWS's default group. */
  optionGroupName?: pulumi.Input<string>;
  /** Daily automated backup window (UTC), e.g. `03:00-04:00`. Default: chosen by AWS. */
  backupWindow?: pulumi.Input<string>;
  /** Weekly maintenance window (UTC), e.g. `sun:05:00-sun:06:00`. Default: chosen by AWS. */
  maintenanceWindow?: pulumi.Input<string>;
  /** IAM database authentication. Default false. */
  iamDatabaseAuthenticationEnabled?: boolean;

  /** Days of automated (point-in-time) backups. Default 14; floor 14; AWS maximum 35. */
  backupRetentionPeriod?: number;
  /** Must be true (the default): AWS refuses to delete the database. */
  deletionProtection?: boolean;
  /** Must be false (the default): deleting the database takes a final snapshot first. */
  skipFinalSnapshot?: boolean;
  /** Must be false (the default; AWS's default is true): automated backups outlive the database. */
  deleteAutomatedBackups?: boolean;
  /** Must be true (the default): storage encrypted with the component's own customer-managed KMS key. */
  storageEncrypted?: boolean;
  /** Must be true (the default): snapshots carry the database's tags (and so its `environment`). */
  copyTagsToSnapshot?: boolean;
  /** Must be true (the default): RDS generates the password and keeps it in Secrets Manager; no password in code or state. */
  manageMasterUserPassword?: boolean;
  /** Must be true (the default) for an RDS instance: a standby in another Availability Zone. */
  multiAz?: boolean;
  /** Must be false (the default): the database has no public address. */
  publiclyAccessible?: boolean;
  /** CloudWatch log exports. Default per engine (see LOG_EXPORTS); must include the engine's main log. */
  enabledCloudwatchLogsExports?: string[];

  /** Create the database from this snapshot. Ignored after creation (always in `ignoreChanges`). */
  snapshotIdentifier?: pulumi.Input<string>;
  /** Create an RDS instance from a point in time. Ignored after creation (always in `ignoreChanges`). */
  restoreToPointInTime?: pulumi.Input<aws.types.input.rds.InstanceRestoreToPointInTime>;
  /** Create an Aurora cluster from a point in time. Ignored after creation (always in `ignoreChanges`). */
  clusterRestoreToPointInTime?: pulumi.Input<aws.types.input.rds.ClusterRestoreToPointInTime>;

  /** Environment tag written on every child. Default `"production"`. */
  environment?: string;
  /** Extra tags on every child. `environment` cannot be overridden here. */
  tags?: Record<string, string>;
}

/** Arguments that would put a plaintext password in code and state. */
const PLAINTEXT_PASSWORD_ARGUMENTS = ["password", "masterPassword", "passwordWo", "masterPasswordWo"];

const RDS_IDENTIFIER = /^[a-z](?!.*--)[a-z0-9-]{0,62}(?<!-)$/;
const RDS_IDENTIFIER_RULE = "1-63 lowercase letters, digits or hyphens, starting with a letter, without a trailing or double hyphen.";

/** The identifier used when the caller gives none: the logical name, lower-cased. */
export function defaultRdsIdentifier(name: string): string {
  return name.toLowerCase();
}

/** The final snapshot's name: fixed, so it is known before anyone deletes anything. */
export function finalSnapshotIdentifier(identifier: string): string {
  return `${identifier}-final`;
}

/** The checked guardrail settings, exposed so the stack, the alerts and the tests read one copy. */
export interface DatabaseGuardrails {
  engine: DatabaseEngine;
  kind: "rds-instance" | "aurora-cluster";
  identifier: string;
  finalSnapshotIdentifier: string;
  backupRetentionPeriod: number;
  enabledCloudwatchLogsExports: string[];
  clusterInstanceCount: number;
  environment: string;
  tags: Record<string, string>;
}

/** Checks every argument against its floor. Pure; throws on the first violation. */
export function resolveDatabaseGuardrails(name: string, args: ProductionDatabaseArgs): DatabaseGuardrails {
  const component = componentLabel("ProductionDatabase", name);
  if (args === null || typeof args !== "object") throw new GuardrailArgumentError(component, "args", "must be an object.");
  const engine = args.engine;
  if (!ENGINES.includes(engine)) {
    throw new GuardrailArgumentError(component, "engine", `= ${JSON.stringify(engine)} is not supported; use one of ${ENGINES.join(", ")}.`);
  }
  if (args.instanceClass === undefined || args.instanceClass === null || args.instanceClass === "") {
    throw new GuardrailArgumentError(component, "instanceClass", "is required (e.g. db.r6g.large).");
  }
  for (const key of PLAINTEXT_PASSWORD_ARGUMENTS) {
    if ((args as unknown as Record<string, unknown>)[key] !== undefined) {
      throw new GuardrailArgumentError(
        component,
        key,
        "is not accepted: the master password is generated by RDS and kept in Secrets Manager (manageMasterUserPassword), so it never appears in code or state.",
      );
    }
  }
  const aurora = engine.startsWith("aurora-");

  const identifier = requireMatching(component, "identifier", args.identifier ?? defaultRdsIdentifier(name), RDS_IDENTIFIER, RDS_IDENTIFIER_RULE);
  if (aurora && identifier.length > 60) {
    // Cluster instances are named <identifier>-<n>, and RDS identifiers stop at 63 characters.
    throw new GuardrailArgumentError(component, "identifier", `= ${JSON.stringify(identifier)} is too long for an Aurora cluster: at most 60 characters, leaving room for the instance suffix.`);
  }
  const backupRetentionPeriod = requireIntegerInRange(component, "backupRetentionPeriod", args.backupRetentionPeriod, {
    defaultValue: BACKUP_RETENTION_FLOOR_DAYS,
    min: BACKUP_RETENTION_FLOOR_DAYS,
    max: BACKUP_RETENTION_MAX_DAYS,
    unit: "days",
    why: "Point-in-time recovery reaches back only this far; two weeks covers damage noticed after a long weekend, and AWS allows at most 35.",
  });
  requireFlag(component, "deletionProtection", args.deletionProtection, true, "Without it, one API call deletes the production database.");
  requireFlag(component, "skipFinalSnapshot", args.skipFinalSnapshot, false, "Skipping the final snapshot means a deletion leaves no copy of the data.");
  requireFlag(component, "deleteAutomatedBackups", args.deleteAutomatedBackups, false, "AWS deletes the point-in-time backups together with the database unless they are kept.");
  requireFlag(component, "storageEncrypted", args.storageEncrypted, true, "Production data is encrypted at rest with the component's customer-managed KMS key.");
  requireFlag(component, "copyTagsToSnapshot", args.copyTagsToSnapshot, true, "Snapshots must carry the environment tag, or restore permissions and policies cannot tell production snapshots apart.");
  requireFlag(component, "manageMasterUserPassword", args.manageMasterUserPassword, true, "A password written in code ends up in the Pulumi state; RDS must generate it and keep it in Secrets Manager.");
  requireFlag(component, "publiclyAccessible", args.publiclyAccessible, false, "A production database is reachable only from inside its VPC.");
  if (aurora) {
    if (args.multiAz !== undefined) requireFlag(component, "multiAz", args.multiAz, true, "Aurora is Multi-AZ through its reader instances (clusterInstanceCount).");
    for (const key of ["allocatedStorage", "maxAllocatedStorage", "storageType", "optionGroupName", "restoreToPointInTime"] as const) {
      if (args[key] !== undefined) {
        throw new GuardrailArgumentError(component, key, `applies to an RDS instance, not to an Aurora cluster (engine ${engine})${key === "restoreToPointInTime" ? "; use clusterRestoreToPointInTime" : ""}.`);
      }
    }
  } else {
    requireFlag(component, "multiAz", args.multiAz, true, "A single-AZ database is down (or lost) with its Availability Zone; production keeps a standby in another zone.");
    if (args.clusterInstanceCount !== undefined) {
      throw new GuardrailArgumentError(component, "clusterInstanceCount", `applies to Aurora only (engine ${engine} is an RDS instance; Multi-AZ comes from multiAz).`);
    }
    if (args.clusterRestoreToPointInTime !== undefined) {
      throw new GuardrailArgumentError(component, "clusterRestoreToPointInTime", `applies to Aurora only; use restoreToPointInTime for engine ${engine}.`);
    }
  }
  const clusterInstanceCount = aurora
    ? requireIntegerInRange(component, "clusterInstanceCount", args.clusterInstanceCount, {
        defaultValue: AURORA_INSTANCE_COUNT_FLOOR,
        min: AURORA_INSTANCE_COUNT_FLOOR,
        max: 16,
        unit: "instances",
        why: "An Aurora cluster needs a reader in a second Availability Zone to fail over to (AWS allows at most 16 instances).",
      })
    : 0;
  const logs = LOG_EXPORTS[engine];
  const enabledCloudwatchLogsExports = requireIncludes(component, "enabledCloudwatchLogsExports", args.enabledCloudwatchLogsExports, {
    defaults: logs.defaults,
    required: logs.required,
    allowed: logs.allowed,
    why: "The engine's main log is what shows who dropped a table and when; it must reach CloudWatch before the instance is gone.",
    allowedWhy: `AWS accepts only these log exports for engine ${engine}.`,
  });
  if (!aurora) {
    if (args.allocatedStorage !== undefined) {
      requireIntegerInRange(component, "allocatedStorage", args.allocatedStorage, { defaultValue: 20, min: 20, max: 65536, unit: "GiB", why: "AWS accepts 20 to 65536 GiB for gp3 storage." });
    }
    if (args.maxAllocatedStorage !== undefined) {
      const floor = args.allocatedStorage ?? 20;
      requireIntegerInRange(component, "maxAllocatedStorage", args.maxAllocatedStorage, {
        defaultValue: floor,
        min: floor,
        max: 65536,
        unit: "GiB",
        why: "The autoscaling ceiling must be at least the allocated storage.",
      });
    }
  }
  const environment = resolveEnvironment(component, args.environment);
  const tags = guardrailTags(component, environment, args.tags);
  return {
    engine,
    kind: aurora ? "aurora-cluster" : "rds-instance",
    identifier,
    finalSnapshotIdentifier: finalSnapshotIdentifier(identifier),
    backupRetentionPeriod,
    enabledCloudwatchLogsExports,
    clusterInstanceCount,
    environment,
    tags,
  };
}

export class ProductionDatabase extends pulumi.ComponentResource {
  /** The checked settings the database was created with. */
  readonly guardrails: DatabaseGuardrails;
  /** The customer-managed key for storage, the master secret and Performance Insights. */
  readonly kmsKey: aws.kms.Key;
  /** Set for an RDS instance engine. */
  readonly instance?: aws.rds.Instance;
  /** Set for an Aurora engine. */
  readonly cluster?: aws.rds.Cluster;
  /** Aurora writer and readers (empty for an RDS instance). */
  readonly clusterInstances: aws.rds.ClusterInstance[];
  /** ARN of the instance or cluster: what AWS Backup selects. */
  readonly arn: pulumi.Output<string>;
  /** Connection endpoint (`host:port` for an instance; the writer endpoint for a cluster). */
  readonly endpoint: pulumi.Output<string>;
  /** Port. */
  readonly port: pulumi.Output<number>;
  /** ARN of the Secrets Manager secret that holds the master password. */
  readonly masterUserSecretArn: pulumi.Output<string | undefined>;
  /** Identifiers of the RDS instances (the instance, or every cluster instance) for event subscriptions. */
  readonly instanceIdentifiers: pulumi.Output<string>[];
  /** Identifier of the Aurora cluster, when there is one. */
  readonly clusterIdentifier?: pulumi.Output<string>;
  /** ARNs of every RDS resource holding or serving the data (instance; or cluster and its instances), for explicit IAM Denies. */
  readonly resourceArns: pulumi.Output<string>[];

  constructor(name: string, args: ProductionDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    const component = componentLabel("ProductionDatabase", name);
    const guardrails = resolveDatabaseGuardrails(name, args);
    rejectUnprotectedOptions(component, opts);
    super(PRODUCTION_DATABASE_TYPE, name, {}, opts);
    this.guardrails = guardrails;
    const g = guardrails;

    // protect on the key too: scheduling its deletion would make every snapshot unreadable.
    const protectedChild: pulumi.CustomResourceOptions = { parent: this, protect: true };
    this.kmsKey = createCustomerManagedKey(
      `${name}-key`,
      { description: `Encrypts the ${g.identifier} database, its snapshots and its master secret`, tags: g.tags, context: awsContextFor(this) },
      protectedChild,
    );
    const databaseOpts: pulumi.CustomResourceOptions = { ...protectedChild, ignoreChanges: [...RESTORE_PROPERTIES] };
    const restoring = args.snapshotIdentifier !== undefined || args.restoreToPointInTime !== undefined || args.clusterRestoreToPointInTime !== undefined;
    // A restored database takes its master user from its source; RDS rejects a second one.
    const masterUsername = restoring ? undefined : (args.masterUsername ?? "dbadmin");

    if (g.kind === "rds-instance") {
      const instance = new aws.rds.Instance(
        name,
        {
          identifier: g.identifier,
          engine: g.engine,
          engineVersion: args.engineVersion,
          instanceClass: args.instanceClass,
          allocatedStorage: args.allocatedStorage ?? 20,
          maxAllocatedStorage: args.maxAllocatedStorage,
          storageType: args.storageType ?? "gp3",
          dbName: args.dbName,
          username: masterUsername,
          manageMasterUserPassword: true,
          masterUserSecretKmsKeyId: this.kmsKey.arn,
          multiAz: true,
          publiclyAccessible: false,
          storageEncrypted: true,
          kmsKeyId: this.kmsKey.arn,
          backupRetentionPeriod: g.backupRetentionPeriod,
          backupWindow: args.backupWindow,
          maintenanceWindow: args.maintenanceWindow,
          deletionProtection: true,
          skipFinalSnapshot: false,
          finalSnapshotIdentifier: g.finalSnapshotIdentifier,
          deleteAutomatedBackups: false,
          copyTagsToSnapshot: true,
          enabledCloudwatchLogsExports: g.enabledCloudwatchLogsExports,
          autoMinorVersionUpgrade: true,
          iamDatabaseAuthenticationEnabled: args.iamDatabaseAuthenticationEnabled,
          dbSubnetGroupName: args.dbSubnetGroupName,
          vpcSecurityGroupIds: args.vpcSecurityGroupIds,
          parameterGroupName: args.parameterGroupName,
          optionGroupName: args.optionGroupName,
          snapshotIdentifier: args.snapshotIdentifier,
          restoreToPointInTime: args.restoreToPointInTime,
          tags: g.tags,
        },
        databaseOpts,
      );
      this.instance = instance;
      this.clusterInstances = [];
      this.arn = instance.arn;
      this.endpoint = instance.endpoint;
      this.port = instance.port;
      this.masterUserSecretArn = instance.masterUserSecrets.apply((s) => s?.[0]?.secretArn);
      this.instanceIdentifiers = [instance.identifier];
      this.resourceArns = [instance.arn];
    } else {
      const cluster = new aws.rds.Cluster(
        name,
        {
          clusterIdentifier: g.identifier,
          engine: g.engine,
          engineVersion: args.engineVersion,
          databaseName: args.dbName,
          masterUsername,
          manageMasterUserPassword: true,
          masterUserSecretKmsKeyId: this.kmsKey.arn,
          storageEncrypted: true,
          kmsKeyId: this.kmsKey.arn,
          backupRetentionPeriod: g.backupRetentionPeriod,
          preferredBackupWindow: args.backupWindow,
          preferredMaintenanceWindow: args.maintenanceWindow,
          deletionProtection: true,
          skipFinalSnapshot: false,
          finalSnapshotIdentifier: g.finalSnapshotIdentifier,
          deleteAutomatedBackups: false,
          copyTagsToSnapshot: true,
          enabledCloudwatchLogsExports: g.enabledCloudwatchLogsExports,
          iamDatabaseAuthenticationEnabled: args.iamDatabaseAuthenticationEnabled,
          dbSubnetGroupName: args.dbSubnetGroupName,
          vpcSecurityGroupIds: args.vpcSecurityGroupIds,
          dbClusterParameterGroupName: args.parameterGroupName,
          snapshotIdentifier: args.snapshotIdentifier,
          restoreToPointInTime: args.clusterRestoreToPointInTime,
          tags: g.tags,
        },
        databaseOpts,
      );
      this.cluster = cluster;
      this.clusterInstances = [];
      for (let i = 0; i < g.clusterInstanceCount; i++) {
        this.clusterInstances.push(
          new aws.rds.ClusterInstance(
            `${name}-${i + 1}`,
            {
              identifier: `${g.identifier}-${i + 1}`,
              clusterIdentifier: cluster.id,
              engine: g.engine as "aurora-postgresql" | "aurora-mysql",
              engineVersion: cluster.engineVersion,
              instanceClass: args.instanceClass,
              dbSubnetGroupName: args.dbSubnetGroupName,
              publiclyAccessible: false,
              copyTagsToSnapshot: true,
              autoMinorVersionUpgrade: true,
              promotionTier: i,
              tags: g.tags,
            },
            // Losing the writer is an outage even though the data lives in the cluster volume.
            protectedChild,
          ),
        );
      }
      this.arn = cluster.arn;
      this.endpoint = cluster.endpoint;
      this.port = cluster.port;
      this.masterUserSecretArn = cluster.masterUserSecrets.apply((s) => s?.[0]?.secretArn);
      this.instanceIdentifiers = this.clusterInstances.map((ci) => ci.identifier);
      this.clusterIdentifier = cluster.clusterIdentifier;
      this.resourceArns = [cluster.arn, ...this.clusterInstances.map((ci) => ci.arn)];
    }

    this.registerOutputs({
      arn: this.arn,
      endpoint: this.endpoint,
      port: this.port,
      kmsKeyArn: this.kmsKey.arn,
      masterUserSecretArn: this.masterUserSecretArn,
      backupRetentionPeriod: g.backupRetentionPeriod,
      finalSnapshotIdentifier: g.finalSnapshotIdentifier,
    });
  }
}
