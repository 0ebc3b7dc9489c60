/**
 * prod-db-rpo: the worst-case data-loss window (recovery point objective) of every production
 * database is at most `maxRpoMinutes`.
 *
 * The figure is `worstCaseRpo` (lib/rpo.ts) over the sources `recoveryByDatabase` (lib/recovery.ts)
 * finds: about 5 minutes with point-in-time recovery that survives the database's deletion (AWS
 * Backup continuous backup, DynamoDB point-in-time recovery, RDS automated backups kept after
 * deletion), otherwise the best snapshot rule of the plans that select it (largest gap between
 * scheduled starts plus the start window). A snapshot rule AWS Backup would refuse (an unparseable
 * or too frequent schedule, a start window under 60 minutes, an unknown time zone) or that stops is
 * a violation on its plan, naming the plan, the rule and the reason. When the known sources miss
 * the target but values unknown until deployment could add protection, the finding is deferred.
 * Read replicas are not judged: their data is their source's and is recovered with it.
 *
 * Configuration:
 * - `maxRpoMinutes` (integer, default 60): the largest acceptable worst-case data-loss window.
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import { buildBackupGraph, productionDatabases } from "../lib/backup-graph";
import { recoveryByDatabase, rpoStatus } from "../lib/recovery";
import { AWS_BACKUP_MIN_INTERVAL_MINUTES, AWS_BACKUP_MIN_START_WINDOW_MINUTES, formatMinutes } from "../lib/rpo";
import type { Finding, StackRule } from "../lib/rule";
import { deferredFinding, violationMessage } from "../lib/rule";

export const DEFAULT_MAX_RPO_MINUTES = 60;

export interface ProdDbRpoConfig {
  maxRpoMinutes?: number;
}

const configSchema: PolicyConfigSchema = {
  properties: {
    maxRpoMinutes: {
      type: "integer",
      minimum: 1,
      default: DEFAULT_MAX_RPO_MINUTES,
      description: "Largest acceptable worst-case data-loss window of a production database, in minutes.",
    },
  },
};

/** The configured maximum, or the default with a finding when the value is unusable. */
export function maxRpoFrom(config: ProdDbRpoConfig | undefined): { max: number; problem?: Finding } {
  const raw = config?.maxRpoMinutes;
  if (raw === undefined) return { max: DEFAULT_MAX_RPO_MINUTES };
  if (typeof raw === "number" && Number.isFinite(raw) && raw >= 1) return { max: raw };
  return {
    max: DEFAULT_MAX_RPO_MINUTES,
    problem: {
      message: `Policy config: prod-db-rpo.maxRpoMinutes is ${JSON.stringify(raw)}, not a number of minutes >= 1; the default ${DEFAULT_MAX_RPO_MINUTES} is used. Why it matters: a target that cannot be read must not silently loosen the check. Fix: set prod-db-rpo.maxRpoMinutes to a whole number of minutes in the policy config.`,
    },
  };
}

/** Hourly starts with the shortest start window AWS Backup accepts: the best a snapshot rule can do. */
const BEST_SNAPSHOT_RPO_MINUTES = AWS_BACKUP_MIN_INTERVAL_MINUTES + AWS_BACKUP_MIN_START_WINDOW_MINUTES;

function fixFor(kind: string, max: number): string {
  const snapshot =
    max >= BEST_SNAPSHOT_RPO_MINUTES
      ? `or a snapshot rule whose largest gap between scheduled starts plus its startWindow is at most ${max} min`
      : `(snapshot rules alone cannot reach ${max} min: the best AWS Backup allows is hourly with a 60-minute startWindow, ${BEST_SNAPSHOT_RPO_MINUTES} min)`;
  if (kind === "dynamodb-table") return `set pointInTimeRecovery: { enabled: true } on the table (about 5 min) ${snapshot}.`;
  return `add a rule with enableContinuousBackup: true to a backup plan whose selection picks it (about 5 min), or set deleteAutomatedBackups: false with backupRetentionPeriod >= 1 so its point-in-time backups survive deletion ${snapshot}.`;
}

export const prodDbRpo: StackRule<ProdDbRpoConfig> = {
  id: "prod-db-rpo",
  description: "Every production database can be recovered to within maxRpoMinutes (default 60) of any moment, even after it is deleted.",
  enforcementLevel: "mandatory",
  severity: "high",
  waivable: true,
  tags: ["backup", "rpo", "rds", "aurora", "dynamodb", "aws-backup"],
  remediationSteps:
    "Enable AWS Backup continuous backup for the database (or DynamoDB point-in-time recovery, or RDS automated backups with deleteAutomatedBackups: false), or schedule snapshot rules often enough; fix any backup rule whose schedule AWS Backup would refuse.",
  configSchema,
  check(stack, config) {
    const { max, problem } = maxRpoFrom(config);
    const graph = buildBackupGraph(stack);
    const { databases, deferred } = productionDatabases(graph, { exceptReadReplicas: true });
    const findings: Finding[] = problem ? [problem, ...deferred] : [...deferred];
    const recovery = recoveryByDatabase(stack, { graph });
    const planFindings = new Map<string, Finding>();
    for (const db of databases) {
      const r = recovery.get(db.view.urn);
      if (!r) continue;
      for (const bad of r.invalidRules) {
        const key = `${bad.plan.view.urn}\u0000${bad.ruleName}`;
        if (planFindings.has(key)) continue;
        planFindings.set(key, {
          urn: bad.plan.view.urn,
          name: bad.plan.view.name,
          message: violationMessage({
            resource: bad.plan.view,
            problem: `its rule "${bad.ruleName}" is not counted as a backup of production database "${db.view.name}": ${bad.error}`,
            why: "AWS Backup refuses such a rule or stops running it, so the databases it was meant to protect are not backed up on that schedule.",
            fix: `correct rules[] "${bad.ruleName}" of this plan: schedule as an AWS cron expression cron(Minutes Hours Day-of-month Month Day-of-week Year) at least 60 minutes apart (e.g. "cron(0 * ? * * *)"), startWindow >= 60, scheduleExpressionTimezone an IANA zone.`,
          }),
        });
      }
      const status = rpoStatus(r, max);
      if (status === "ok") continue;
      const worst = r.assessment.worstCaseMinutes;
      const figure = worst === undefined ? "no recovery point source is known" : `the worst-case data-loss window is ${formatMinutes(worst)} (${r.assessment.basis})`;
      if (status === "unknown") {
        findings.push(deferredFinding(db.view, `its worst-case data-loss window (from known sources ${figure}; still unknown: ${r.pending.join("; ")})`, db.view.urn));
        continue;
      }
      const outside = r.outsideStack.length > 0 ? `; not counted because not in this stack: ${r.outsideStack.join(", ")}` : "";
      const invalid = r.invalidRules.length > 0 ? `; not counted: ${r.invalidRules.map((x) => `rule "${x.ruleName}" of plan "${x.plan.view.name}"`).join(", ")}` : "";
      findings.push({
        urn: db.view.urn,
        name: db.view.name,
        message: violationMessage({
          resource: db.view,
          problem:
            worst === undefined
              ? `it has no recovery point source: no point-in-time recovery that survives its deletion and no valid backup rule${outside}${invalid} (target: at most ${max} min)`
              : `${figure}, above the maximum of ${max} min${outside}${invalid}`,
          why: "after an accidental deletion or a restore over it, everything written since the last recovery point is lost.",
          fix: fixFor(db.kind, max),
        }),
      });
    }
    return [...findings, ...planFindings.values()];
  },
};
