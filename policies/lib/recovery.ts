/**
 * What each database can be recovered from, and its worst-case data-loss window: the one place
 * that turns a stack into `RecoverySources` for `worstCaseRpo`, used by the `prod-db-rpo` rule and
 * the offline report so both give the same figures.
 *
 * Sources of a database (AWS semantics, checked 2026):
 * - Point-in-time recovery that survives the database's deletion:
 *   - AWS Backup continuous backup: a rule with `enableContinuousBackup: true` in a plan whose
 *     selection picks the database. Continuous backup is for RDS and Aurora (and S3, SAP HANA), not
 *     DynamoDB ("Retention period by service" in the developer guide); for a DynamoDB table AWS Backup
 *     falls back to snapshots on the rule's schedule, so there the rule counts as a snapshot rule.
 *   - DynamoDB point-in-time recovery (`pointInTimeRecovery.enabled`): deleting the table leaves a
 *     system backup restorable for 35 days.
 *   - RDS automated backups (`backupRetentionPeriod` >= 1; AWS's default is 1, 0 for read replicas)
 *     only when `deleteAutomatedBackups` is false (AWS's default, true, deletes them with the database).
 * - Scheduled snapshots: every other rule of every plan that selects the database, judged by
 *   `worstCaseRpo` (largest gap between scheduled starts + start window, AWS's defaults when absent).
 * Values unknown until deployment never count as protection; they are listed in `pending` so a rule
 * can defer instead of failing. Plans outside this stack are listed in `outsideStack`: their
 * schedules cannot be read here.
 */
import { type BackupGraph, type DatabaseNode, type PlanNode, type PlanRuleNode, buildBackupGraph, describePlanReference, supportsContinuousBackup } from "./backup-graph";
import { isReadReplica } from "./checks";
import { AWS_BACKUP_DEFAULT_SCHEDULE_EXPRESSION } from "./cron";
import { readBoolean, readNumber } from "./properties";
import { type RecoverySources, type RpoAssessment, type ScheduledSnapshotRule, worstCaseRpo } from "./rpo";
import type { StackView } from "./rule";

export interface InvalidPlanRule {
  plan: PlanNode;
  ruleName: string;
  scheduleExpression: string;
  error: string;
}

export interface DatabaseRecovery {
  database: DatabaseNode;
  sources: RecoverySources;
  assessment: RpoAssessment;
  /** Plans (and the selections through which) that back the database up, for reports. */
  coveredBy: string[];
  /** Protection that may exist but depends on values unknown until deployment. */
  pending: string[];
  /** Plans that select the database but are not in this stack. */
  outsideStack: string[];
  /** Snapshot rules of this database's plans that AWS Backup would refuse or that stop (not counted). */
  invalidRules: InvalidPlanRule[];
}

export interface RecoveryOptions {
  /** A graph already built for this stack (saves a pass). */
  graph?: BackupGraph;
  /**
   * Schedules are judged from this instant; default: from the start of today (UTC), which lets
   * every call of a day share one analysis per schedule (lib/rpo.ts).
   */
  from?: Date;
}

/** Recovery sources and worst-case RPO of every database whose coverage the graph holds (production ones by default). */
export function recoveryByDatabase(stack: StackView, options: RecoveryOptions = {}): Map<string, DatabaseRecovery> {
  const graph = options.graph ?? buildBackupGraph(stack);
  const from = options.from;
  // Many databases share the same plans: the schedule analysis runs once per distinct set of sources.
  const memo = new Map<string, RpoAssessment>();
  const out = new Map<string, DatabaseRecovery>();
  for (const [urn, coverage] of graph.coverage) {
    const db = coverage.database;
    const pending: string[] = [];
    const outsideStack: string[] = [];
    const coveredBy: string[] = [];
    const pitr: string[] = [];
    const snapshotRules: ScheduledSnapshotRule[] = [];
    const ruleByLabel = new Map<string, { plan: PlanNode; rule: PlanRuleNode }>();
    const seenPlans = new Set<PlanNode>();

    for (const match of coverage.matches) {
      const via = `backup selection "${match.selection.view.name}"`;
      if (match.certainty === "unknown") {
        pending.push(`${via} may select it (${match.reason})`);
        continue;
      }
      const ref = match.selection.plan;
      if (ref.state === "outside-stack") {
        outsideStack.push(`${describePlanReference(ref)} through ${via}`);
        coveredBy.push(`${describePlanReference(ref)} (${via})`);
        continue;
      }
      if (ref.state === "unknown") {
        pending.push(`${via} selects it for ${describePlanReference(ref)}`);
        continue;
      }
      // A selection without a usable plan id selects nothing (its notes void it in the graph).
      if (ref.state === "invalid") continue;
      coveredBy.push(`backup plan "${ref.plan.view.name}" (${via})`);
      if (seenPlans.has(ref.plan)) continue;
      seenPlans.add(ref.plan);
      collectPlanSources(ref.plan, db, pitr, snapshotRules, ruleByLabel, pending);
    }
    ownPointInTime(db, pitr, pending);

    const sources: RecoverySources = {
      pointInTimeSurvivesDeletion: pitr.length > 0,
      pointInTimeSource: pitr.length > 0 ? pitr.join("; ") : undefined,
      snapshotRules,
    };
    const assessment = assessWithMemo(sources, memo, from);
    const invalidRules: InvalidPlanRule[] = assessment.invalidRules.flatMap((r) => {
      const origin = ruleByLabel.get(r.name);
      if (!origin) return [];
      // worstCaseRpo starts each error with "rule <label>: "; the plan and rule are named apart here.
      const prefix = `rule ${r.name}: `;
      const error = r.error.startsWith(prefix) ? r.error.slice(prefix.length) : r.error;
      return [{ plan: origin.plan, ruleName: origin.rule.name, scheduleExpression: r.scheduleExpression, error }];
    });
    out.set(urn, { database: db, sources, assessment, coveredBy, pending, outsideStack, invalidRules });
  }
  return out;
}

const PLACEHOLDER = /\u0001(pitr|\d+)\u0001/g;

/**
 * `worstCaseRpo` once per distinct content of sources. Databases that each have their own plan
 * with the same rules (one plan per database is what the components create) differ only in rule
 * names, so the names are replaced by placeholders for the analysis and put back in its words.
 */
function assessWithMemo(sources: RecoverySources, memo: Map<string, RpoAssessment>, from: Date | undefined): RpoAssessment {
  const names = new Map<string, string>();
  if (sources.pointInTimeSource !== undefined) names.set("pitr", sources.pointInTimeSource);
  const canonical: RecoverySources = {
    ...sources,
    pointInTimeSource: sources.pointInTimeSource === undefined ? undefined : "\u0001pitr\u0001",
    snapshotRules: sources.snapshotRules.map((rule, i) => {
      names.set(String(i), rule.name);
      return { ...rule, name: `\u0001${i}\u0001` };
    }),
  };
  const key = JSON.stringify(canonical);
  let assessment = memo.get(key);
  if (!assessment) {
    assessment = worstCaseRpo(canonical, { from });
    memo.set(key, assessment);
  }
  return relabel(assessment, names) as RpoAssessment;
}

function relabel(value: unknown, names: ReadonlyMap<string, string>): unknown {
  if (typeof value === "string") return value.replace(PLACEHOLDER, (_m, id: string) => names.get(id) ?? id);
  if (Array.isArray(value)) return value.map((v) => relabel(v, names));
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, relabel(v, names)]));
  }
  return value;
}

/** How a database stands against a maximum: the rule and the offline report use the same words. */
export type RpoStatus = "ok" | "over" | "none" | "unknown";

/**
 * "ok": worst case within the maximum; "unknown": not within it from known sources, but values
 * unknown until deployment may still add protection; "none": nothing protects it; "over": the
 * worst case is above the maximum.
 */
export function rpoStatus(recovery: DatabaseRecovery, maxRpoMinutes: number): RpoStatus {
  const worst = recovery.assessment.worstCaseMinutes;
  if (worst !== undefined && worst <= maxRpoMinutes) return "ok";
  if (recovery.pending.length > 0) return "unknown";
  return worst === undefined ? "none" : "over";
}

/** The label a plan rule carries in `RecoverySources` and hence in every RPO message. */
export function snapshotRuleLabel(plan: PlanNode, rule: PlanRuleNode): string {
  return `"${rule.name}" of plan "${plan.view.name}"`;
}

function collectPlanSources(
  plan: PlanNode,
  db: DatabaseNode,
  pitr: string[],
  snapshotRules: ScheduledSnapshotRule[],
  ruleByLabel: Map<string, { plan: PlanNode; rule: PlanRuleNode }>,
  pending: string[],
): void {
  if (plan.rulesState === "unknown") {
    pending.push(`the rules of backup plan "${plan.view.name}" are unknown until deployment`);
    return;
  }
  for (const rule of plan.rules) {
    const label = snapshotRuleLabel(plan, rule);
    if (supportsContinuousBackup(db.kind)) {
      if (rule.continuous.state === "known" && rule.continuous.value) {
        pitr.push(`AWS Backup continuous backup (rule ${label})`);
        continue;
      }
      if (rule.continuous.state === "unknown") pending.push(`whether rule ${label} is a continuous backup (enableContinuousBackup is unknown until deployment)`);
    }
    const unknown = (["schedule", "timezone", "startWindow"] as const).filter((k) => rule[k].state === "unknown");
    if (unknown.length > 0) {
      const names = { schedule: "schedule", timezone: "scheduleExpressionTimezone", startWindow: "startWindow" };
      pending.push(`rule ${label}: ${unknown.map((k) => names[k]).join(", ")} unknown until deployment`);
      continue;
    }
    const snapshot: ScheduledSnapshotRule = {
      name: label,
      // Only an absent schedule is AWS's default. Values of the wrong type are passed on as they
      // are, and a rule that is no rule block is marked: worstCaseRpo reports both, never counts them.
      scheduleExpression:
        rule.schedule.state === "known" ? (rule.schedule.value as string) : rule.schedule.state === "invalid" ? (rule.schedule.raw as string) : AWS_BACKUP_DEFAULT_SCHEDULE_EXPRESSION,
      ...(rule.malformed !== undefined ? { unusable: rule.malformed } : {}),
    };
    if (rule.timezone.state === "known") snapshot.scheduleExpressionTimezone = rule.timezone.value as string;
    if (rule.startWindow.state === "known") {
      const n = readNumber({ v: rule.startWindow.value }, "v");
      snapshot.startWindowMinutes = (n.state === "known" ? n.value : rule.startWindow.value) as number;
    }
    snapshotRules.push(snapshot);
    ruleByLabel.set(label, { plan, rule });
  }
}

/** Point-in-time recovery the database itself keeps after its deletion. */
function ownPointInTime(db: DatabaseNode, pitr: string[], pending: string[]): void {
  const props = db.view.props;
  if (db.kind === "dynamodb-table") {
    const enabled = readBoolean(props, "pointInTimeRecovery.enabled");
    if (enabled.state === "known" && enabled.value) pitr.push("DynamoDB point-in-time recovery");
    else if (enabled.state === "unknown") pending.push("whether DynamoDB point-in-time recovery is enabled (unknown until deployment)");
    return;
  }
  const retention = readNumber(props, "backupRetentionPeriod");
  const replica = db.kind === "rds-instance" ? isReadReplica(db.view) : "no";
  const keeps = readBoolean(props, "deleteAutomatedBackups");
  let retained: boolean | "unknown";
  if (retention.state === "known") retained = retention.value >= 1;
  else if (retention.state === "absent") retained = replica === "no" ? true : replica === "unknown" ? "unknown" : false; // AWS: 1 day, 0 for read replicas
  else retained = retention.state === "unknown" ? "unknown" : false;
  if (retained === false) return;
  if (keeps.state === "known" && keeps.value === false) {
    if (retained === true) pitr.push("RDS automated backups kept after deletion");
    else pending.push("whether RDS automated backups are on (backupRetentionPeriod is unknown until deployment)");
  } else if (keeps.state === "unknown") {
    pending.push("whether RDS automated backups survive deletion (deleteAutomatedBackups is unknown until deployment)");
  }
}
