/**
 * When a production database is really compliant with each resource rule, written independently
 * of the rules from what AWS and Pulumi do with the properties. The fuzz tests assert one
 * direction only: a rule may report more (a deferred or a wrong-type finding), but it may report
 * nothing only when its oracle says the guardrail is really set.
 *
 * Bags are the in-process form (see property-bags.ts): secrets are `Secret` objects, which a policy
 * sees as their values.
 */
import { Secret } from "@pulumi/policy";

export const RDS_INSTANCE = "aws:rds/instance:Instance";
export const RDS_CLUSTER = "aws:rds/cluster:Cluster";
export const DYNAMODB_TABLE = "aws:dynamodb/table:Table";
export const AWS_PROVIDER = "pulumi:providers:aws";
export const DATABASE_TYPES = [RDS_INSTANCE, RDS_CLUSTER, DYNAMODB_TABLE] as const;

export interface OracleInput {
  type: string;
  props: Record<string, unknown>;
  protect: boolean;
  ignoreChanges: string[];
}

type Oracle = (r: OracleInput) => boolean;

/** A secret's value (secrets may wrap secrets). */
export function peel(v: unknown): unknown {
  let current = v;
  while (current instanceof Secret) current = current.value;
  return current;
}

/** An own property only: an inherited or smuggled value is not a setting. */
function own(o: unknown, key: string): unknown {
  const p = peel(o);
  if (p === null || typeof p !== "object" || !Object.prototype.hasOwnProperty.call(p, key)) return undefined;
  return peel((p as Record<string, unknown>)[key]);
}

const isTrue = (v: unknown) => v === true || v === "true";
const isAbsent = (v: unknown) => v === undefined || v === null;
const nonEmptyString = (v: unknown) => typeof v === "string" && v.trim() !== "";

/** A number of at least `floor`, written as a JSON number or as the text of one. */
function atLeast(v: unknown, floor: number): boolean {
  if (typeof v === "number") return Number.isFinite(v) && v >= floor;
  if (typeof v !== "string") return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(v.trim());
  } catch {
    return false;
  }
  return typeof parsed === "number" && parsed >= floor;
}

/** AWS takes a replica's encryption, backups and final snapshot from its source: only a real source id counts. */
function isReadReplica(props: Record<string, unknown>): boolean {
  return nonEmptyString(own(props, "replicateSourceDb")) || nonEmptyString(own(props, "replicationSourceIdentifier"));
}

/**
 * The elements of an ignoreChanges entry as the engine parses a property path
 * (pulumi/pulumi `sdk/go/common/resource/properties_path.go`, ParsePropertyPath): leading dots are
 * skipped, `["key"]` quotes a key, `[*]` and `*` are wildcards, `[0]` an index. Undefined when the
 * engine would refuse the path. No trimming: the engine does none.
 */
export function propertyPath(entry: string): Array<string | number> | undefined {
  const elements: Array<string | number> = [];
  let rest = entry;
  while (rest.length > 0) {
    if (rest[0] === ".") {
      rest = rest.slice(1);
    } else if (rest[0] === "[") {
      if (rest[1] === '"') {
        let key = "";
        let i = 2;
        for (;;) {
          if (i >= rest.length) return undefined;
          if (rest[i] === '"') {
            i++;
            break;
          }
          if (rest[i] === "\\" && rest[i + 1] === '"') {
            key += '"';
            i += 2;
          } else {
            key += rest[i];
            i++;
          }
        }
        if (rest[i] !== "]") return undefined;
        elements.push(key);
        rest = rest.slice(i + 1);
      } else {
        const close = rest.indexOf("]");
        if (close < 0) return undefined;
        const segment = rest.slice(1, close);
        if (segment === "*") elements.push("*");
        else if (/^[+-]?\d+$/.test(segment)) elements.push(Number(segment));
        else return undefined;
        rest = rest.slice(close + 1);
      }
    } else {
      let i = 0;
      while (i < rest.length && rest[i] !== "." && rest[i] !== "[") i++;
      elements.push(rest.slice(0, i));
      rest = rest.slice(i);
    }
  }
  return elements;
}

/**
 * True when the engine, given this ignoreChanges list, keeps the old value of the top-level
 * `property`: the property, every property (`*`), or each of its members (`p.*`, `p[*]`), which is
 * how a restore block's fields are pinned.
 */
function ignores(ignoreChanges: readonly string[], property: string): boolean {
  return ignoreChanges.some((entry) => {
    const path = propertyPath(entry);
    if (path === undefined) return false;
    if (path.length === 1) return path[0] === "*" || path[0] === property;
    return path.length === 2 && path[0] === property && path[1] === "*";
  });
}

/** The DynamoDB point-in-time recovery block: an object, a one-element list, or JSON text of either. */
function pitrBlock(props: Record<string, unknown>): unknown {
  let block = own(props, "pointInTimeRecovery");
  if (Array.isArray(block)) block = peel(block[0]);
  if (typeof block === "string") {
    try {
      block = JSON.parse(block);
    } catch {
      return undefined;
    }
    if (Array.isArray(block)) block = block[0];
  }
  return block;
}

const RDS_GUARDRAILS = ["deletionProtection", "backupRetentionPeriod", "skipFinalSnapshot", "finalSnapshotIdentifier", "deleteAutomatedBackups", "storageEncrypted", "kmsKeyId"];
const GUARDRAILS: Record<string, string[]> = {
  [RDS_INSTANCE]: RDS_GUARDRAILS,
  [RDS_CLUSTER]: RDS_GUARDRAILS,
  [DYNAMODB_TABLE]: ["deletionProtectionEnabled", "pointInTimeRecovery", "serverSideEncryption"],
};

const RESTORE_PROPERTIES: Record<string, string[]> = {
  [RDS_INSTANCE]: ["snapshotIdentifier", "restoreToPointInTime"],
  [RDS_CLUSTER]: ["snapshotIdentifier", "restoreToPointInTime"],
  [DYNAMODB_TABLE]: ["restoreSourceName", "restoreSourceTableArn", "restoreDateTime", "restoreToLatestTime", "restoreBackupArn", "importTable"],
};

export const MIN_RETENTION_DAYS = 14;

/** Rule id to "this production resource really is compliant". */
export const COMPLIANT: Readonly<Record<string, Oracle>> = {
  "prod-db-deletion-protection": (r) => isTrue(own(r.props, r.type === DYNAMODB_TABLE ? "deletionProtectionEnabled" : "deletionProtection")),
  "prod-db-protect": (r) => r.protect === true,
  "prod-db-final-snapshot": (r) =>
    isReadReplica(r.props) ||
    ((isAbsent(own(r.props, "skipFinalSnapshot")) || [false, "false"].includes(own(r.props, "skipFinalSnapshot") as never)) &&
      nonEmptyString(own(r.props, "finalSnapshotIdentifier")) &&
      [false, "false"].includes(own(r.props, "deleteAutomatedBackups") as never)),
  "prod-db-backup-retention": (r) => {
    if (r.type !== DYNAMODB_TABLE) return isReadReplica(r.props) || atLeast(own(r.props, "backupRetentionPeriod"), MIN_RETENTION_DAYS);
    const block = pitrBlock(r.props);
    if (block === null || typeof block !== "object") return false;
    const days = own(block, "recoveryPeriodInDays");
    // AWS keeps 35 days when the period is not given.
    return isTrue(own(block, "enabled")) && (isAbsent(days) || atLeast(days, MIN_RETENTION_DAYS));
  },
  "prod-db-no-in-place-restore": (r) =>
    (RESTORE_PROPERTIES[r.type] ?? []).every((p) => {
      const v = own(r.props, p);
      const set = !(v === undefined || v === null || v === "" || v === false);
      return !set || ignores(r.ignoreChanges, p);
    }),
  // Any entry that reaches into a guardrail (the whole of it or a part) stops Pulumi enforcing it.
  "prod-db-no-ignored-guardrails": (r) =>
    !r.ignoreChanges.some((entry) => {
      const path = propertyPath(entry);
      if (path === undefined || path.length === 0) return false;
      if (path[0] === "*") return path.length === 1;
      return (GUARDRAILS[r.type] ?? []).includes(String(path[0]));
    }),
  "prod-db-encrypted": (r) => isReadReplica(r.props) || isTrue(own(r.props, "storageEncrypted")),
  "prod-db-copy-tags-to-snapshot": (r) => isTrue(own(r.props, "copyTagsToSnapshot")),
  "aws-provider-account-pinned": (r) => {
    let ids = own(r.props, "allowedAccountIds");
    if (typeof ids === "string") {
      try {
        ids = JSON.parse(ids);
      } catch {
        return false;
      }
    }
    if (!Array.isArray(ids)) return false;
    const texts = ids.map(peel);
    if (!texts.every((t) => typeof t === "string")) return false;
    const written = (texts as string[]).map((t) => t.trim()).filter((t) => t !== "");
    return written.length > 0 && written.every((t) => /^\d{12}$/.test(t));
  },
};

/** The properties each rule reads, so generated bags hit them often. */
export const KEYS_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  [RDS_INSTANCE]: [...RDS_GUARDRAILS, "copyTagsToSnapshot", "replicateSourceDb", "snapshotIdentifier", "restoreToPointInTime", "identifier", "engine", "arn", "tags"],
  [RDS_CLUSTER]: [...RDS_GUARDRAILS, "copyTagsToSnapshot", "replicationSourceIdentifier", "snapshotIdentifier", "restoreToPointInTime", "clusterIdentifier", "engine", "arn", "tags"],
  [DYNAMODB_TABLE]: [...GUARDRAILS[DYNAMODB_TABLE]!, ...RESTORE_PROPERTIES[DYNAMODB_TABLE]!, "name", "arn", "tags"],
  [AWS_PROVIDER]: ["allowedAccountIds", "forbiddenAccountIds", "defaultTags", "region"],
};

/** ignoreChanges entries: guardrails and restore properties in each path form Pulumi accepts, and noise. */
export function ignoreChangesCandidates(type: string): string[] {
  const names = [...(GUARDRAILS[type] ?? []), ...(RESTORE_PROPERTIES[type] ?? [])];
  return [
    ...names.flatMap((n) => [n, `${n}[*]`, `${n}.*`, `["${n}"]`, `.${n}`, `["${n}"].inner`, `${n}.inner`, n.toUpperCase(), ` ${n}`]),
    "*",
    "[*]",
    '["*"]',
    "*.inner",
    "tags",
    "tags.environment",
    "",
    "[",
    '["',
  ];
}
