/**
 * What one `npm run guard` run found: the model every report (text, JSON, SARIF, GitHub
 * annotations) renders. The JSON report is this model, versioned by `REPORT_SCHEMA_VERSION`
 * and described by `guard/schemas/guard-report.schema.json`.
 */
import type { SourcePosition } from "./wire";

export const REPORT_SCHEMA_VERSION = "1.0.0";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

/**
 * - `violation`: a rule is broken (its level says whether it blocks);
 * - `waived`: a rule is broken but a waiver in the policy config file turns it advisory;
 * - `deferred`: the check needs a value unknown before deployment ("checked at deployment").
 */
export type FindingKind = "violation" | "waived" | "deferred";

export interface FindingResource {
  urn: string;
  type: string;
  name: string;
  /** Where the program declares it (from the SDK's registration), if known. */
  sourcePosition?: SourcePosition;
}

export interface Finding {
  ruleId: string;
  /** The level the engine would report it at. */
  level: EnforcementLevel;
  kind: FindingKind;
  message: string;
  /** Absent for stack-wide findings. */
  resource?: FindingResource;
  /** For waived findings. */
  waiver?: { owner: string; reason: string; expires: string; index: number };
}

/** A property change a rule at `remediate` level applied (as `pulumi up` would). */
export interface Remediation {
  ruleId: string;
  resource: FindingResource;
  /** The properties after remediation, in wire form. */
  changedProperties: string[];
}

/** One production database's recovery picture (the report's recovery table). */
export interface RecoveryRow {
  resource: FindingResource;
  engine: string;
  /** What covers it, in words: "rule hourly (cron(0 * ? * * *), 60 min window)", "continuous backup", "DynamoDB PITR". */
  coveredBy: string[];
  /** Worst-case data-loss window in minutes; null when nothing covers it or it cannot be known before deployment. */
  worstCaseRpoMinutes: number | null;
  /** What gives that figure. */
  basis: string;
  maxRpoMinutes: number;
  /** "ok" (within the limit), "over" (above it), "none" (not covered), "unknown" (decided at deployment). */
  status: "ok" | "over" | "none" | "unknown";
}

export interface StackResult {
  project: string;
  stack: string;
  /** The stack's program (SARIF's fallback location). */
  programPath: string;
  resourceCount: number;
  durationMs: number;
  /** The program or the pack failed: the stack did not pass. */
  error?: { message: string; stack?: string };
  findings: Finding[];
  remediations: Remediation[];
  recovery: RecoveryRow[];
}

export interface RuleInfo {
  id: string;
  description: string;
  level: EnforcementLevel;
  severity?: string;
  remediationSteps?: string;
  /** The policy's tags (`PolicyInfo.tags`), for filtering (SARIF `properties.tags`). */
  tags?: string[];
  /** A page that documents the policy (`PolicyInfo.url`; SARIF `helpUri`). */
  url?: string;
}

export type FailOn = "mandatory" | "advisory" | "none";

export interface GuardRun {
  schemaVersion: string;
  tool: { name: string; version: string };
  pack: { name: string; version: string };
  /** ISO 8601 time the run started. */
  startedAt: string;
  failOn: FailOn;
  rules: RuleInfo[];
  stacks: StackResult[];
  /** Totals over all stacks (waived and deferred findings are counted apart from violations). */
  summary: { mandatory: number; advisory: number; waived: number; deferred: number; errors: number };
  /** 0: pass; 1: a violation at or above `failOn`; 2: usage or program error. */
  exitCode: 0 | 1 | 2;
}
