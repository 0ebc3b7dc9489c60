/**
 * prod-db-backup-retention: production RDS and Aurora keep automated backups for at least
 * `minBackupRetentionDays` (default 14; an absent `backupRetentionPeriod` counts as AWS's default
 * of 1 day); production DynamoDB tables have point-in-time recovery enabled with
 * `recoveryPeriodInDays` at least the same floor (absent counts as AWS's default of 35).
 * Read replicas are excepted: they are recovered from their source.
 */
import { isReadReplica, requireAtLeast, requireBoolean } from "../lib/checks";
import { describeValue, readRaw } from "../lib/properties";
import type { Finding, ResourceRule, ResourceView } from "../lib/rule";
import { deferredFinding, violationMessage } from "../lib/rule";
import { DYNAMODB_TABLE, RDS_CLUSTER, RDS_INSTANCE } from "../lib/tokens";

/** AWS's retention when `backupRetentionPeriod` is not given (CreateDBInstance / CreateDBCluster). */
export const AWS_DEFAULT_RDS_RETENTION_DAYS = 1;
/** DynamoDB's point-in-time recovery period when `recoveryPeriodInDays` is not given. */
export const AWS_DEFAULT_PITR_DAYS = 35;
export const DEFAULT_MIN_BACKUP_RETENTION_DAYS = 14;

export interface BackupRetentionConfig {
  minBackupRetentionDays?: number;
}

/** The configured floor, or the default with a finding when the value is unusable (a raw Configure skips the schema). */
export function minRetentionFrom(config: BackupRetentionConfig | undefined): { floor: number; problem?: Finding } {
  const raw = config?.minBackupRetentionDays;
  if (raw === undefined) return { floor: DEFAULT_MIN_BACKUP_RETENTION_DAYS };
  if (typeof raw === "number" && Number.isFinite(raw) && raw >= 1) return { floor: raw };
  return {
    floor: DEFAULT_MIN_BACKUP_RETENTION_DAYS,
    problem: {
      message: `Policy config: prod-db-backup-retention.minBackupRetentionDays is ${describeValue(raw)}, not a number of days >= 1; the default ${DEFAULT_MIN_BACKUP_RETENTION_DAYS} is used. Why it matters: a floor that cannot be read must not silently loosen the check. Fix: set prod-db-backup-retention.minBackupRetentionDays to a whole number of days (1-35) in the policy config.`,
    },
  };
}

export const prodDbBackupRetention: ResourceRule<BackupRetentionConfig> = {
  id: "prod-db-backup-retention",
  description: "Production databases keep point-in-time backups for at least minBackupRetentionDays.",
  enforcementLevel: "mandatory",
  severity: "high",
  waivable: true,
  tags: ["rds", "aurora", "dynamodb", "backup", "retention"],
  remediationSteps: "Set backupRetentionPeriod (RDS, Aurora) or pointInTimeRecovery { enabled: true, recoveryPeriodInDays } (DynamoDB) to at least the floor.",
  configSchema: {
    properties: {
      minBackupRetentionDays: {
        type: "integer",
        minimum: 1,
        maximum: 35,
        default: DEFAULT_MIN_BACKUP_RETENTION_DAYS,
        description: "Fewest days of automated backups (RDS, Aurora) or point-in-time recovery (DynamoDB).",
      },
    },
  },
  appliesTo: [RDS_INSTANCE, RDS_CLUSTER, DYNAMODB_TABLE],
  productionOnly: true,
  check(db, config) {
    const { floor, problem } = minRetentionFrom(config);
    return problem ? [problem, ...judgeRetention(db, floor)] : judgeRetention(db, floor);
  },
};

function judgeRetention(db: ResourceView, floor: number): Finding[] {
  const why = `a mistake noticed after the retention window cannot be undone; ${floor} days covers a long weekend plus the time to notice.`;
  if (db.type === DYNAMODB_TABLE) {
    const pitr = readRaw(db.props, "pointInTimeRecovery");
    if (pitr.state === "absent") {
      return [{ message: violationMessage({ resource: db, problem: "point-in-time recovery is not configured (AWS then leaves it off)", why, fix: `set pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: ${Math.max(floor, AWS_DEFAULT_PITR_DAYS)} }.` }) }];
    }
    if (pitr.state === "unknown") return [deferredFinding(db, "pointInTimeRecovery")];
    const fix = `set pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: ${Math.max(floor, AWS_DEFAULT_PITR_DAYS)} }.`;
    const enabled = requireBoolean(db, "pointInTimeRecovery.enabled", true, false, { why, fix });
    if (enabled.length > 0) return enabled;
    return requireAtLeast(db, "pointInTimeRecovery.recoveryPeriodInDays", floor, AWS_DEFAULT_PITR_DAYS, "days", { why, fix });
  }
  const replica = isReadReplica(db);
  if (replica === "yes") return [];
  if (replica === "unknown") return [deferredFinding(db, "whether it is a read replica")];
  const findings: Finding[] = requireAtLeast(db, "backupRetentionPeriod", floor, AWS_DEFAULT_RDS_RETENTION_DAYS, "days", {
    why,
    fix: `set backupRetentionPeriod: ${floor} (or more, up to 35).`,
  });
  return findings;
}
