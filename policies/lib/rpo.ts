/**
 * Worst-case recovery point objective (RPO) of a database: how much recent data can be lost, at
 * worst, if it has to be recovered now. Used by the `prod-db-rpo` rule, the SnapshotSchedule
 * component's output and the offline report, so that all three give the same figure.
 *
 * The data lost is everything written since the last completed recovery point. For each source:
 * - Point-in-time recovery (AWS Backup continuous backup, DynamoDB PITR, RDS automated backups kept
 *   after deletion) restores to within about 5 minutes of any moment: `POINT_IN_TIME_RPO_MINUTES`.
 *   It counts only when it survives the database's deletion; otherwise the incident that needs it
 *   (the database deleted or overwritten) also takes it away.
 * - A scheduled snapshot rule starts a job at each scheduled time, but AWS Backup may start it
 *   anywhere within the start window after that time. At worst one job starts at its scheduled time
 *   and the next at the very end of its window, so the time between two recovery points is the
 *   largest gap between consecutive scheduled starts plus the start window. The largest gap is taken
 *   over the schedule's whole remaining life in its own time zone, daylight saving included (see
 *   `cron.ts`: a start in a skipped hour is lost, a repeated hour starts once).
 *   Not included, because the plan cannot tell them: how long the snapshot itself takes to complete
 *   (a disaster during a running job falls back to the previous point), and jobs AWS cancels because
 *   they did not start within the window (those lose a whole interval; alert on failed jobs).
 *   So the figure is a floor for the true worst case, never an overstatement of the protection.
 * The assessment is the smallest worst case over all sources. Rules are judged one by one, not as a
 * union of their starts: two daily rules twelve hours apart are reported as 24 h, not 12 h. That
 * errs on the safe side and matches AWS Backup, which may merge overlapping rules' jobs.
 *
 * Rules AWS Backup would refuse or that stop protecting the database are listed in `invalidRules`
 * with the reason, never used: an unparseable or never-starting schedule, a Year field that ends, a
 * schedule with starts less than 60 minutes apart (AWS Backup: "The interval between backup jobs
 * shouldn't be less than 60 minutes"), an unknown time zone, and a start window that is not a whole
 * number of minutes of at least 60 (AWS Backup's floor; 8 hours when absent).
 */
import {
  AWS_BACKUP_DEFAULT_SCHEDULE_EXPRESSION,
  type StartIntervalAnalysis,
  analyzeScheduleExpression,
  checkScheduleTimeZone,
  isoMinute,
} from "./cron";

/** Continuous backup / PITR restore granularity ("about 5 minutes" in AWS's documentation). */
export const POINT_IN_TIME_RPO_MINUTES = 5;
/** AWS Backup's start window when a rule sets none ("Start within defaults to 8 hours"). */
export const AWS_BACKUP_DEFAULT_START_WINDOW_MINUTES = 480;
/** AWS Backup refuses shorter start windows ("it must be at least 60 minutes"). */
export const AWS_BACKUP_MIN_START_WINDOW_MINUTES = 60;
/** AWS Backup refuses schedules whose jobs are closer together ("as frequently as hourly"). */
export const AWS_BACKUP_MIN_INTERVAL_MINUTES = 60;

export interface ScheduledSnapshotRule {
  /** Rule name, for messages. */
  name: string;
  /** As written in the backup plan rule; `undefined` (a rule without `schedule`) means AWS's default, cron(0 5 ? * * *). */
  scheduleExpression: string;
  /** IANA zone; absent = UTC. */
  scheduleExpressionTimezone?: string;
  /** Absent = AWS default (480). */
  startWindowMinutes?: number;
  /** Why the rule cannot run as written (e.g. its plan holds no rule block there): reported, never counted. */
  unusable?: string;
}

export interface RecoverySources {
  /** Point-in-time recovery that survives the database's deletion: AWS Backup continuous backup covering it, DynamoDB PITR, or RDS automated backups kept after deletion (deleteAutomatedBackups false). */
  pointInTimeSurvivesDeletion: boolean;
  /** Words for reports, e.g. "AWS Backup continuous backup". */
  pointInTimeSource?: string;
  snapshotRules: ScheduledSnapshotRule[];
}

export interface RuleRpo {
  name: string;
  scheduleExpression: string;
  timezone: string;
  /** Largest gap between consecutive scheduled starts, in real minutes; undefined when unknown. */
  maxIntervalMinutes: number | undefined;
  /** The start window used (or given, when it is invalid; NaN when it is not a number). */
  startWindowMinutes: number;
  /** maxIntervalMinutes + startWindowMinutes; undefined when the rule is invalid. */
  worstCaseMinutes: number | undefined;
  /** Where the largest gap first occurs. */
  largestInterval?: { from: Date; to: Date };
  /** Why the rule is not counted. */
  error?: string;
}

export interface RpoAssessment {
  /** Smallest worst case over all sources; undefined when nothing covers the database (or all rules are invalid / stop). */
  worstCaseMinutes: number | undefined;
  /** What gives that figure, in words for reports, e.g. "continuous backup (point in time)" or "rule hourly: cron(0 * ? * * *) UTC, every 60 min + 60 min start window". */
  basis: string;
  /** Each snapshot rule's own figure. */
  rules: RuleRpo[];
  /** Unparseable, no start, or stops (and any other reason a rule is not counted). */
  invalidRules: { name: string; scheduleExpression: string; error: string }[];
}

export interface RpoOptions {
  /** Schedules are judged from this instant on; default: the start of today (UTC), so that one day's calls share each analysis. */
  from?: Date;
}

/** The worst-case RPO of a database protected by these sources. Never throws. */
export function worstCaseRpo(sources: RecoverySources, options: RpoOptions = {}): RpoAssessment {
  const rules: RuleRpo[] = [];
  const invalidRules: RpoAssessment["invalidRules"] = [];
  const input: unknown = sources;
  const record = isRecord(input) ? input : undefined;
  if (!record) {
    invalidRules.push({ name: "(recovery sources)", scheduleExpression: "", error: `recovery sources must be an object, not ${describeType(input)}` });
  }
  const rawRules = record?.snapshotRules;
  if (record && rawRules !== undefined && !Array.isArray(rawRules)) {
    invalidRules.push({ name: "(snapshot rules)", scheduleExpression: "", error: `snapshotRules must be a list of rules, not ${describeType(rawRules)}` });
  }
  const list: unknown[] = Array.isArray(rawRules) ? rawRules : [];
  list.forEach((raw, index) => {
    const rule = ruleRpo(raw, index, options);
    rules.push(rule);
    if (rule.error !== undefined) invalidRules.push({ name: rule.name, scheduleExpression: rule.scheduleExpression, error: rule.error });
  });

  let worst: number | undefined;
  let basis = "";
  if (record?.pointInTimeSurvivesDeletion === true) {
    worst = POINT_IN_TIME_RPO_MINUTES;
    const source = typeof record.pointInTimeSource === "string" && record.pointInTimeSource.trim() !== "" ? record.pointInTimeSource.trim() : "continuous backup";
    basis = `${source} (point in time, about ${POINT_IN_TIME_RPO_MINUTES} min)`;
  }
  for (const rule of rules) {
    if (rule.worstCaseMinutes === undefined || rule.maxIntervalMinutes === undefined) continue;
    if (worst === undefined || rule.worstCaseMinutes < worst) {
      worst = rule.worstCaseMinutes;
      basis =
        `rule ${rule.name}: ${rule.scheduleExpression} ${rule.timezone}, up to ${formatMinutes(rule.maxIntervalMinutes)} between starts` +
        ` + ${formatMinutes(rule.startWindowMinutes)} start window`;
    }
  }
  if (worst === undefined) {
    const invalid = invalidRules.length > 0 ? `; ${invalidRules.length} snapshot rule${invalidRules.length === 1 ? " is" : "s are"} not counted (see invalidRules)` : "";
    basis = `nothing: no point-in-time recovery that survives deletion and no valid snapshot rule${invalid}`;
  }
  return { worstCaseMinutes: worst, basis, rules, invalidRules };
}

function ruleRpo(raw: unknown, index: number, options: RpoOptions): RuleRpo {
  const fallbackName = `#${index + 1}`;
  if (!isRecord(raw)) {
    return invalid(fallbackName, "", "UTC", NaN, `snapshot rule ${fallbackName} must be an object, not ${describeType(raw)}`);
  }
  const name = typeof raw.name === "string" && raw.name.trim() !== "" ? raw.name : fallbackName;
  const expression = raw.scheduleExpression === undefined ? AWS_BACKUP_DEFAULT_SCHEDULE_EXPRESSION : raw.scheduleExpression;
  const expressionText = typeof expression === "string" ? expression : String(expression);
  if (raw.unusable !== undefined) return invalid(name, expressionText, "UTC", NaN, `rule ${name}: ${String(raw.unusable)}`);
  const zone = checkScheduleTimeZone(raw.scheduleExpressionTimezone);
  const timezone = zone.ok ? zone.timeZone : String(raw.scheduleExpressionTimezone);

  const window = checkStartWindow(raw.startWindowMinutes);
  const settingErrors = [window, zone].flatMap((check) => (check.ok ? [] : [check.error]));
  if (settingErrors.length > 0 || !zone.ok) return invalid(name, expressionText, timezone, window.minutes, `rule ${name}: ${settingErrors.join("; ")}`);

  const analysis = analyzeScheduleCached(expression, zone.timeZone, options.from);
  if (!analysis.ok) return invalid(name, expressionText, timezone, window.minutes, `rule ${name}: ${analysis.error}`);
  const base = { name, scheduleExpression: expressionText, timezone, startWindowMinutes: window.minutes, largestInterval: analysis.largestInterval };
  const max = analysis.maxIntervalMinutes;
  if (analysis.status === "stops") {
    return {
      ...base,
      maxIntervalMinutes: max,
      worstCaseMinutes: undefined,
      error: `rule ${name}: ${expressionText} stops: its last start is ${isoMinute(analysis.lastStart)} because its Year field ends; after that nothing is backed up`,
    };
  }
  if (analysis.minWallClockIntervalMinutes !== undefined && analysis.minWallClockIntervalMinutes < AWS_BACKUP_MIN_INTERVAL_MINUTES) {
    return {
      ...base,
      maxIntervalMinutes: max,
      worstCaseMinutes: undefined,
      error:
        `rule ${name}: ${expressionText} starts jobs ${analysis.minWallClockIntervalMinutes} min apart; AWS Backup refuses schedules with less than ` +
        `${AWS_BACKUP_MIN_INTERVAL_MINUTES} min between jobs, so this rule cannot be deployed (use continuous backup for a finer RPO)`,
    };
  }
  if (max === undefined) {
    return { ...base, maxIntervalMinutes: undefined, worstCaseMinutes: undefined, error: `rule ${name}: ${expressionText} starts only once` };
  }
  return { ...base, maxIntervalMinutes: max, worstCaseMinutes: max + window.minutes };
}

function checkStartWindow(value: unknown): { ok: true; minutes: number } | { ok: false; minutes: number; error: string } {
  if (value === undefined) return { ok: true, minutes: AWS_BACKUP_DEFAULT_START_WINDOW_MINUTES };
  if (typeof value !== "number") return { ok: false, minutes: NaN, error: `startWindowMinutes must be a number of minutes, not ${describeType(value)}` };
  if (!Number.isInteger(value)) return { ok: false, minutes: value, error: `startWindowMinutes ${value} is not a whole number of minutes` };
  if (value < AWS_BACKUP_MIN_START_WINDOW_MINUTES) {
    return {
      ok: false,
      minutes: value,
      error: `startWindowMinutes ${value} is below ${AWS_BACKUP_MIN_START_WINDOW_MINUTES}, which AWS Backup refuses; leave it out for ${AWS_BACKUP_DEFAULT_START_WINDOW_MINUTES} min or set at least ${AWS_BACKUP_MIN_START_WINDOW_MINUTES}`,
    };
  }
  return { ok: true, minutes: value };
}

function invalid(name: string, scheduleExpression: string, timezone: string, startWindowMinutes: number, error: string): RuleRpo {
  return { name, scheduleExpression, timezone, maxIntervalMinutes: undefined, startWindowMinutes, worstCaseMinutes: undefined, error };
}

/** "45 min", "1500 min (25 h)", "44640 min (31 days)": exact minutes, with a human scale for long spans. */
/**
 * Stacks repeat the same few schedules across many databases (and the pack sees them on every
 * call): analyse each (expression, zone) once per day instead of once per database.
 */
const scheduleCache = new Map<string, StartIntervalAnalysis>();
const SCHEDULE_CACHE_LIMIT = 1_000;

function analyzeScheduleCached(expression: unknown, timeZone: string, from: Date | undefined): StartIntervalAnalysis {
  if (typeof expression !== "string") return analyzeScheduleExpression(expression, { timeZone, from });
  // Without an explicit instant, judge from the start of today (UTC) so one day's calls share a result.
  const start = from ?? new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000);
  const key = `${start.getTime()}\u0000${timeZone}\u0000${expression}`;
  const hit = scheduleCache.get(key);
  if (hit) return hit;
  const analysis = analyzeScheduleExpression(expression, { timeZone, from: start });
  if (scheduleCache.size >= SCHEDULE_CACHE_LIMIT) scheduleCache.clear();
  scheduleCache.set(key, analysis);
  return analysis;
}

export function formatMinutes(minutes: number): string {
  if (!Number.isFinite(minutes)) return `${minutes} min`;
  if (Math.abs(minutes) < 120) return `${minutes} min`;
  if (Math.abs(minutes) < 2 * 1440) return `${minutes} min (${round1(minutes / 60)} h)`;
  return `${minutes} min (${round1(minutes / 1440)} days)`;
}

function round1(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
