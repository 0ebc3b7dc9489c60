/**
 * ProductionTable: a DynamoDB table with deletion protection, point-in-time recovery (35 days
 * unless set, never under 14), server-side encryption with its own customer-managed KMS key, and
 * Pulumi `protect`. Restore properties are always in `ignoreChanges`, as for ProductionDatabase.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsContextFor } from "./aws-context";
import { createCustomerManagedKey } from "./customer-managed-key";
import { GuardrailArgumentError, componentLabel, rejectUnprotectedOptions, requireFlag, requireIntegerInRange, requireMatching, requireNonEmptyString } from "./floors";
import { guardrailTags, resolveEnvironment } from "./tags";
import { RESTORE_PROPERTIES } from "../policies/lib/restore-properties";
import { DYNAMODB_TABLE } from "../policies/lib/tokens";

export const PRODUCTION_TABLE_TYPE = "db-guardrails:index:ProductionTable";

/** DynamoDB's longest point-in-time window. */
export const PITR_MAX_DAYS = 35;
export const PITR_FLOOR_DAYS = 14;

/** Properties that create the table from another copy of data; changing one replaces the table. */
export const TABLE_RESTORE_PROPERTIES: readonly string[] = RESTORE_PROPERTIES[DYNAMODB_TABLE]!;

export interface ProductionTableArgs {
  /** Partition key attribute name. Required. */
  hashKey: string;
  /** Sort key attribute name. Default none. */
  rangeKey?: string;
  /** Key attributes (of the table and its indexes) with their types `S`, `N` or `B`. Required. */
  attributes: { name: string; type: "S" | "N" | "B" }[];
  /** Table name. Default: the logical name. Fixed, so a replacement fails instead of creating a second table. */
  tableName?: string;
  /** `PAY_PER_REQUEST` (default) or `PROVISIONED`. */
  billingMode?: "PAY_PER_REQUEST" | "PROVISIONED";
  /** Read capacity, for `PROVISIONED`. */
  readCapacity?: number;
  /** Write capacity, for `PROVISIONED`. */
  writeCapacity?: number;
  /** Global secondary indexes. Default none. */
  globalSecondaryIndexes?: pulumi.Input<pulumi.Input<aws.types.input.dynamodb.TableGlobalSecondaryIndex>[]>;
  /** Time to live. Default none. */
  ttl?: pulumi.Input<aws.types.input.dynamodb.TableTtl>;
  /** Stream view type; turns the stream on when set. Default none. */
  streamViewType?: "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES";

  /** Must be true (the default): AWS refuses to delete the table. */
  deletionProtectionEnabled?: boolean;
  /** Must be true (the default): continuous backups for point-in-time recovery. */
  pointInTimeRecoveryEnabled?: boolean;
  /** Days of point-in-time recovery. Default 35; floor 14; DynamoDB maximum 35. */
  pointInTimeRecoveryDays?: number;
  /** Must be true (the default): server-side encryption with the component's customer-managed KMS key. */
  serverSideEncryptionEnabled?: boolean;

  /** Restore from this table's point-in-time backups (with restoreDateTime or restoreToLatestTime). Ignored after creation. */
  restoreSourceTableArn?: pulumi.Input<string>;
  /** Restore to this time (RFC 3339). Ignored after creation. */
  restoreDateTime?: pulumi.Input<string>;
  /** Restore to the latest restorable time. Ignored after creation. */
  restoreToLatestTime?: pulumi.Input<boolean>;
  /** Restore from this on-demand backup. Ignored after creation. */
  restoreBackupArn?: pulumi.Input<string>;

  /** Environment tag written on every child. Default `"production"`. */
  environment?: string;
  /** Extra tags on every child. `environment` cannot be overridden here. */
  tags?: Record<string, string>;
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

export interface TableGuardrails {
  tableName: string;
  pointInTimeRecoveryDays: number;
  billingMode: "PAY_PER_REQUEST" | "PROVISIONED";
  environment: string;
  tags: Record<string, string>;
}

/** Checks every argument against its floor. Pure; throws on the first violation. */
export function resolveTableGuardrails(name: string, args: ProductionTableArgs): TableGuardrails {
  const component = componentLabel("ProductionTable", name);
  if (args === null || typeof args !== "object") throw new GuardrailArgumentError(component, "args", "must be an object.");
  const tableName = requireMatching(component, "tableName", args.tableName ?? name, TABLE_NAME, "3-255 letters, digits, underscores, hyphens or dots.");
  const hashKey = requireNonEmptyString(component, "hashKey", args.hashKey);
  if (!Array.isArray(args.attributes) || args.attributes.length === 0) {
    throw new GuardrailArgumentError(component, "attributes", "must list the key attributes with their types.");
  }
  args.attributes.forEach((a, i) => {
    if (!a || typeof a.name !== "string" || a.name === "" || !["S", "N", "B"].includes(a.type)) {
      throw new GuardrailArgumentError(component, `attributes[${i}]`, `must be { name, type: "S" | "N" | "B" } (got ${JSON.stringify(a)}).`);
    }
  });
  for (const key of [hashKey, args.rangeKey].filter((k): k is string => k !== undefined)) {
    if (!args.attributes.some((a) => a.name === key)) {
      throw new GuardrailArgumentError(component, "attributes", `must define the key attribute "${key}".`);
    }
  }
  requireFlag(component, "deletionProtectionEnabled", args.deletionProtectionEnabled, true, "Without it, one API call deletes the production table.");
  requireFlag(component, "pointInTimeRecoveryEnabled", args.pointInTimeRecoveryEnabled, true, "Without point-in-time recovery a bad write can only be undone from the last snapshot.");
  requireFlag(component, "serverSideEncryptionEnabled", args.serverSideEncryptionEnabled, true, "Production data is encrypted with the component's customer-managed KMS key, not an AWS-owned one.");
  const pointInTimeRecoveryDays = requireIntegerInRange(component, "pointInTimeRecoveryDays", args.pointInTimeRecoveryDays, {
    defaultValue: PITR_MAX_DAYS,
    min: PITR_FLOOR_DAYS,
    max: PITR_MAX_DAYS,
    unit: "days",
    why: "Point-in-time recovery reaches back only this far; two weeks covers damage noticed after a long weekend, and DynamoDB allows at most 35.",
  });
  const billingMode = args.billingMode ?? "PAY_PER_REQUEST";
  if (billingMode !== "PAY_PER_REQUEST" && billingMode !== "PROVISIONED") {
    throw new GuardrailArgumentError(component, "billingMode", `must be "PAY_PER_REQUEST" or "PROVISIONED" (got ${JSON.stringify(billingMode)}).`);
  }
  if (billingMode === "PROVISIONED") {
    for (const key of ["readCapacity", "writeCapacity"] as const) {
      if (args[key] === undefined) throw new GuardrailArgumentError(component, key, "is required when billingMode is PROVISIONED.");
      requireIntegerInRange(component, key, args[key], { defaultValue: 1, min: 1, unit: "capacity units", why: "DynamoDB needs at least one capacity unit." });
    }
  }
  const environment = resolveEnvironment(component, args.environment);
  return { tableName, pointInTimeRecoveryDays, billingMode, environment, tags: guardrailTags(component, environment, args.tags) };
}

export class ProductionTable extends pulumi.ComponentResource {
  readonly guardrails: TableGuardrails;
  readonly kmsKey: aws.kms.Key;
  readonly table: aws.dynamodb.Table;
  readonly arn: pulumi.Output<string>;
  readonly tableName: pulumi.Output<string>;

  constructor(name: string, args: ProductionTableArgs, opts?: pulumi.ComponentResourceOptions) {
    const component = componentLabel("ProductionTable", name);
    const g = resolveTableGuardrails(name, args);
    rejectUnprotectedOptions(component, opts);
    super(PRODUCTION_TABLE_TYPE, name, {}, opts);
    this.guardrails = g;

    const protectedChild: pulumi.CustomResourceOptions = { parent: this, protect: true };
    this.kmsKey = createCustomerManagedKey(
      `${name}-key`,
      { description: `Encrypts the ${g.tableName} DynamoDB table and its backups`, tags: g.tags, context: awsContextFor(this) },
      protectedChild,
    );
    this.table = new aws.dynamodb.Table(
      name,
      {
        name: g.tableName,
        hashKey: args.hashKey,
        rangeKey: args.rangeKey,
        attributes: args.attributes,
        billingMode: g.billingMode,
        readCapacity: g.billingMode === "PROVISIONED" ? args.readCapacity : undefined,
        writeCapacity: g.billingMode === "PROVISIONED" ? args.writeCapacity : undefined,
        globalSecondaryIndexes: args.globalSecondaryIndexes,
        ttl: args.ttl,
        streamEnabled: args.streamViewType !== undefined ? true : undefined,
        streamViewType: args.streamViewType,
        deletionProtectionEnabled: true,
        pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: g.pointInTimeRecoveryDays },
        serverSideEncryption: { enabled: true, kmsKeyArn: this.kmsKey.arn },
        restoreSourceTableArn: args.restoreSourceTableArn,
        restoreDateTime: args.restoreDateTime,
        restoreToLatestTime: args.restoreToLatestTime,
        restoreBackupArn: args.restoreBackupArn,
        tags: g.tags,
      },
      { ...protectedChild, ignoreChanges: [...TABLE_RESTORE_PROPERTIES] },
    );
    this.arn = this.table.arn;
    this.tableName = this.table.name;
    this.registerOutputs({ arn: this.arn, tableName: this.tableName, kmsKeyArn: this.kmsKey.arn, pointInTimeRecoveryDays: g.pointInTimeRecoveryDays });
  }
}
