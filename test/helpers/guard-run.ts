/**
 * Builds synthetic `GuardRun`s for the report tests: resources declared at a file and line of a
 * repository at {@link REPO_ROOT}, findings worded the way the pack words them, and runs whose
 * summary and exit code are computed the way the checker computes them.
 */
import * as path from "path";
import { pathToFileURL } from "url";
import type { EnforcementLevel, FailOn, Finding, FindingResource, GuardRun, RecoveryRow, RuleInfo, StackResult } from "../../guard/model";
import { REPORT_SCHEMA_VERSION } from "../../guard/model";
import type { SourcePosition } from "../../guard/wire";
import { exitCodeFor, summarize } from "../../guard/report/verdict";

export const REPO_ROOT = path.resolve("/work/acme-infra");
export const RDS_INSTANCE = "aws:rds/instance:Instance";
export const DYNAMODB_TABLE = "aws:dynamodb/table:Table";

/** The rules the reports are tested with, described as the pack describes them. */
export const PACK_RULES: RuleInfo[] = [
  {
    id: "guardrail-settings",
    description: "The shared guardrail settings and waivers are valid.",
    level: "mandatory",
    severity: "high",
    remediationSteps: "Fix the guardrail-settings entry of the policy config file as the message says.",
    tags: ["settings", "waivers"],
  },
  {
    id: "prod-db-deletion-protection",
    description: "Production databases have AWS deletion protection enabled.",
    level: "mandatory",
    severity: "critical",
    remediationSteps: "Set deletionProtection: true (RDS, Aurora) or deletionProtectionEnabled: true (DynamoDB).",
    tags: ["rds", "aurora", "dynamodb", "deletion"],
  },
  {
    id: "prod-db-backup-retention",
    description: "Production databases keep automated backups for at least the configured number of days.",
    level: "mandatory",
    severity: "high",
    remediationSteps: "Set backupRetentionPeriod to at least the configured minimum.",
    tags: ["rds", "aurora", "backup"],
  },
  {
    id: "prod-db-encrypted",
    description: "Production databases are encrypted at rest.",
    level: "mandatory",
    severity: "high",
    remediationSteps: "Set storageEncrypted: true.",
    tags: ["rds", "aurora", "encryption"],
  },
  {
    id: "prod-db-copy-tags-to-snapshot",
    description: "Production RDS databases copy their tags to snapshots.",
    level: "advisory",
    severity: "low",
    remediationSteps: "Set copyTagsToSnapshot: true.",
    tags: ["rds", "aurora", "snapshot"],
  },
];

/** A source position as the Node SDK records it: a `file://` URL of a file under the repository. */
export function declaredAt(relativeFile: string, line: number, column?: number): SourcePosition {
  const uri = pathToFileURL(path.join(REPO_ROOT, relativeFile)).href;
  return column === undefined ? { uri, line } : { uri, line, column };
}

export interface ResourceSpec {
  type?: string;
  stack?: string;
  project?: string;
  /** Where the program declares it; `null` for a resource without a source position. */
  at?: SourcePosition | null;
}

export function resource(name: string, spec: ResourceSpec = {}): FindingResource {
  const type = spec.type ?? RDS_INSTANCE;
  const r: FindingResource = { urn: `urn:pulumi:${spec.stack ?? "production"}::${spec.project ?? "acme-db"}::${type}::${name}`, type, name };
  const at = spec.at === undefined ? declaredAt("stacks/production/index.ts", 12, 5) : spec.at;
  if (at !== null) r.sourcePosition = at;
  return r;
}

/** `RDS instance "orders": <problem>. Why it matters: <why> Fix: <fix>` */
export function packMessage(r: FindingResource | undefined, problem: string, why: string, fix: string): string {
  const label = r ? `${r.type === DYNAMODB_TABLE ? "DynamoDB table" : "RDS instance"} "${r.name}"` : "Stack";
  return `${label}: ${problem}. Why it matters: ${why} Fix: ${fix}`;
}

export function violation(ruleId: string, level: EnforcementLevel, r: FindingResource | undefined, message?: string): Finding {
  const f: Finding = {
    ruleId,
    level,
    kind: "violation",
    message: message ?? packMessage(r, `${ruleId} is not met`, "without it one mistaken `pulumi up` can lose the live database.", `follow the ${ruleId} remediation steps.`),
  };
  if (r) f.resource = r;
  return f;
}

export function waived(ruleId: string, r: FindingResource, waiver: Partial<NonNullable<Finding["waiver"]>> = {}): Finding {
  return {
    ruleId,
    level: "advisory",
    kind: "waived",
    message: packMessage(r, `${ruleId} is not met`, "an exception is in force.", `follow the ${ruleId} remediation steps before the waiver expires.`),
    resource: r,
    waiver: { owner: "dba-team@acme.example", reason: "Legacy snapshot restore until the migration in Q3 completes", expires: "2031-06-30", index: 0, ...waiver },
  };
}

export function deferred(ruleId: string, r: FindingResource, what = "backupRetentionPeriod"): Finding {
  return {
    ruleId,
    level: "advisory",
    kind: "deferred",
    message: `${r.type === DYNAMODB_TABLE ? "DynamoDB table" : "RDS instance"} "${r.name}": ${what} is unknown until deployment; this check runs again with the real value at \`pulumi up\`.`,
    resource: r,
  };
}

export function recoveryRow(r: FindingResource, overrides: Partial<RecoveryRow> = {}): RecoveryRow {
  return {
    resource: r,
    engine: "postgres",
    coveredBy: ["rule hourly (cron(0 * ? * * *), 60 min window)", "continuous backup"],
    worstCaseRpoMinutes: 5,
    basis: "continuous backup restores to any second within 5 minutes of the failure",
    maxRpoMinutes: 60,
    status: "ok",
    ...overrides,
  };
}

export function stackResult(overrides: Partial<StackResult> = {}): StackResult {
  return {
    project: "acme-db",
    stack: "production",
    programPath: path.join(REPO_ROOT, "stacks/production/index.ts"),
    resourceCount: 42,
    durationMs: 1340,
    findings: [],
    remediations: [],
    recovery: [],
    ...overrides,
  };
}

/** A run over the given stacks, with the summary and exit code the checker computes for them. */
export function guardRun(stacks: StackResult[], overrides: Partial<GuardRun> = {}): GuardRun {
  const failOn: FailOn = overrides.failOn ?? "mandatory";
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: "db-guardrails", version: "0.1.0" },
    pack: { name: "database-guardrails", version: "0.1.0" },
    startedAt: "2031-03-14T02:07:00.000Z",
    failOn,
    rules: PACK_RULES,
    stacks,
    summary: summarize(stacks),
    exitCode: exitCodeFor(stacks, failOn),
    ...overrides,
  };
}

/**
 * A production stack with one of everything: a mandatory and an advisory violation on one
 * database, a waived and a deferred finding on another, a stack-wide finding, a remediation and
 * recovery rows in each status; plus a staging stack that passes.
 */
export function richRun(overrides: Partial<GuardRun> = {}): GuardRun {
  const orders = resource("orders", { at: declaredAt("stacks/production/index.ts", 12, 5) });
  const sessions = resource("sessions", { type: DYNAMODB_TABLE, at: declaredAt("components/production-table.ts", 48, 23) });
  const ledger = resource("ledger", { at: null });
  const production = stackResult({
    findings: [
      violation(
        "prod-db-deletion-protection",
        "mandatory",
        orders,
        packMessage(orders, "deletionProtection is false", "without it one API call or one mistaken `pulumi up` deletes the live database.", "set deletionProtection: true."),
      ),
      violation("prod-db-copy-tags-to-snapshot", "advisory", orders),
      waived("prod-db-encrypted", sessions),
      deferred("prod-db-backup-retention", ledger),
      violation("guardrail-settings", "mandatory", undefined, "Waiver #2 expired on 2031-01-31; it waives nothing. Fix: renew it with a new reason or remove it."),
    ],
    remediations: [{ ruleId: "prod-db-deletion-protection", resource: sessions, changedProperties: ["deletionProtectionEnabled"] }],
    recovery: [
      recoveryRow(orders),
      recoveryRow(sessions, { engine: "dynamodb", coveredBy: ["DynamoDB PITR"], worstCaseRpoMinutes: 5, basis: "point-in-time recovery", status: "ok" }),
      recoveryRow(ledger, { coveredBy: ["rule daily (cron(0 5 ? * * *), 480 min window)"], worstCaseRpoMinutes: 1920, basis: "a daily rule can start up to 8 h late", status: "over" }),
    ],
  });
  const staging = stackResult({ stack: "staging", programPath: path.join(REPO_ROOT, "stacks/staging/index.ts"), resourceCount: 17, durationMs: 610 });
  return guardRun([production, staging], overrides);
}
