/**
 * The SARIF 2.1.0 report (`--format sarif`) for GitHub code scanning.
 *
 * Choices, each made for what GitHub reads (docs.github.com, "SARIF support for code scanning"):
 * - One SARIF run per stack, each with its own `automationDetails.id` category
 *   (`db-guardrails/<project>/<stack>/`): code scanning replaces a category's alerts with each
 *   upload, so per-stack categories let a team upload stacks together or from separate jobs without
 *   one stack's upload closing another's alerts, and GitHub rejects files with two runs of the same
 *   tool and category. (GitHub accepts at most 20 runs per file.)
 * - Every run lists every rule of the pack (rules should not change between uploads), each with
 *   `help` built from its remediation steps; a rule id a finding names but the pack did not
 *   describe gets a descriptor of its own so `ruleIndex` always resolves.
 * - Results: violations only. Mandatory (and remediate) findings are `error`, advisory `warning`.
 *   Waived findings are left out: code scanning ignores `suppressions` and would raise them as
 *   alerts; the text and JSON reports list them. Deferred findings ("checked at deployment") are not
 *   defects, so they are not results either: each is a `note` tool execution notification, which
 *   SARIF defines for conditions met while running the tool and code scanning does not raise.
 * - Locations: the file and line that declare the resource, relative to the repository root with
 *   `uriBaseId: "%SRCROOT%"`; the stack's program (line 1) only when the resource has no source
 *   position inside the repository. The URN is the logical location.
 * - `partialFingerprints.primaryLocationLineHash` (the only fingerprint code scanning uses) is a
 *   hash of the rule id and the URN, so an alert follows its resource when lines move. The
 *   upload-sarif action keeps a fingerprint it finds (it logs that its own line hash differs).
 * - A stack that failed: `executionSuccessful: false` and an `error` notification with the message.
 */
import { createHash } from "crypto";
import * as path from "path";
import { pathToFileURL } from "url";
import type { EnforcementLevel, Finding, FindingResource, GuardRun, RuleInfo, StackResult } from "../model";
import { type RepoLocation, locateInRepo, localPathOf, repoRelativePath } from "./locations";
import { exitCodeFor, exitCodeMeaning, findingClass, summarize } from "./verdict";

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";
export const SARIF_VERSION = "2.1.0";
/** Code scanning rejects a file with more runs than this. */
export const GITHUB_MAX_RUNS_PER_FILE = 20;
/** Code scanning's limit on rule descriptions. */
const GITHUB_DESCRIPTION_LIMIT = 1024;

export interface SarifOptions {
  /** The repository root: artifact URIs are relative to it. */
  repoRoot: string;
}

export type SarifLevel = "error" | "warning" | "note" | "none";

export interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifLocation {
  physicalLocation?: {
    artifactLocation: { uri: string; uriBaseId?: string };
    region?: { startLine: number; startColumn?: number };
  };
  logicalLocations?: Array<{ name?: string; fullyQualifiedName?: string; kind?: string }>;
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel; enabled?: boolean };
  properties: { tags: string[]; precision: string; "problem.severity": string; "security-severity"?: string };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: SarifLocation[];
  partialFingerprints: { primaryLocationLineHash: string };
  properties: { enforcementLevel: string; urn?: string };
}

export interface SarifNotification {
  level: SarifLevel;
  message: SarifMessage;
  locations?: SarifLocation[];
  associatedRule?: { id: string; index: number };
  exception?: { kind?: string; message: string };
  properties?: Record<string, unknown>;
}

export interface SarifRun {
  tool: { driver: { name: string; version: string; semanticVersion?: string; rules: SarifRule[] } };
  automationDetails: { id: string; description: SarifMessage };
  originalUriBaseIds: Record<string, { uri: string; description: SarifMessage }>;
  columnKind: "utf16CodeUnits";
  invocations: Array<{
    executionSuccessful: boolean;
    exitCode: number;
    exitCodeDescription: string;
    startTimeUtc?: string;
    toolExecutionNotifications: SarifNotification[];
  }>;
  results: SarifResult[];
  properties: Record<string, unknown>;
}

export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: SarifRun[];
}

/** SARIF result level of an enforcement level: mandatory and remediate block (`error`), the rest do not. */
export function sarifLevelOf(level: EnforcementLevel): SarifLevel {
  switch (level) {
    case "mandatory":
    case "remediate":
      return "error";
    case "advisory":
      return "warning";
    case "disabled":
      return "note";
    default:
      // Fail closed: an unknown level is treated as blocking, as the verdict does.
      return "error";
  }
}

/** GitHub's `security-severity` scale (critical above 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9). */
const SECURITY_SEVERITY: Record<string, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

function cap(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** `prod-db-deletion-protection` -> `ProdDbDeletionProtection` (SARIF's rule `name` is an identifier). */
function pascalCase(id: string): string {
  const name = id
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p !== "")
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join("");
  return name === "" ? "UnnamedRule" : name;
}

function levelInWords(level: EnforcementLevel): string {
  switch (level) {
    case "mandatory":
      return "mandatory (blocks `pulumi up`)";
    case "remediate":
      return "remediate (the pack fixes the resource; reported as mandatory when it cannot)";
    case "advisory":
      return "advisory (reported, does not block)";
    case "disabled":
      return "disabled";
    default:
      return String(level);
  }
}

function ruleDescriptor(rule: RuleInfo, run: GuardRun): SarifRule {
  const description = (rule.description ?? "").trim() || `Policy ${rule.id} of the ${run.pack.name} policy pack.`;
  const fix = (rule.remediationSteps ?? "").trim();
  const facts = [`Enforcement level: ${levelInWords(rule.level)}.`, rule.severity ? `Severity: ${rule.severity}.` : "", `Policy pack: ${run.pack.name} ${run.pack.version}.`]
    .filter((x) => x !== "")
    .join(" ");
  const helpText = [description, fix ? `How to fix: ${fix}` : "The pack gives no remediation steps for this policy; the finding's message ends with the fix.", facts].join("\n\n");
  const helpMarkdown = [
    description,
    fix ? `**How to fix:** ${fix}` : "The pack gives no remediation steps for this policy; the finding's message ends with the fix.",
    facts,
    rule.url ? `[Documentation](${rule.url})` : "",
  ]
    .filter((x) => x !== "")
    .join("\n\n");
  const level = sarifLevelOf(rule.level);
  // Losing a production database is an availability and integrity failure: rules with a severity
  // are security rules to code scanning, so its severity filters and merge protection apply.
  const securitySeverity = rule.severity ? SECURITY_SEVERITY[rule.severity] : undefined;
  // Tags must be unique (SARIF); GitHub takes at most 20 and shows the first 10.
  const tags = [...new Set([...(securitySeverity ? ["security"] : []), "db-guardrails", ...(Array.isArray(rule.tags) ? rule.tags.filter((t) => typeof t === "string") : [])])].slice(0, 20);
  return {
    id: rule.id,
    name: pascalCase(rule.id),
    shortDescription: { text: cap(description, GITHUB_DESCRIPTION_LIMIT) },
    fullDescription: { text: cap(fix ? `${description} Fix: ${fix}` : description, GITHUB_DESCRIPTION_LIMIT) },
    help: { text: helpText, markdown: helpMarkdown },
    ...(rule.url ? { helpUri: rule.url } : {}),
    defaultConfiguration: rule.level === "disabled" ? { level, enabled: false } : { level },
    properties: {
      tags,
      // The rules judge what the program declares; they do not guess.
      precision: "high",
      "problem.severity": level === "error" ? "error" : level === "warning" ? "warning" : "recommendation",
      ...(securitySeverity ? { "security-severity": securitySeverity } : {}),
    },
  };
}

/** Every rule of the pack once (first description wins), then any rule id a finding names that the pack did not describe. */
function ruleTable(run: GuardRun): { rules: SarifRule[]; indexOf: Map<string, number> } {
  const infos: RuleInfo[] = [];
  const seen = new Set<string>();
  for (const rule of Array.isArray(run.rules) ? run.rules : []) {
    if (!rule || typeof rule.id !== "string" || seen.has(rule.id)) continue;
    seen.add(rule.id);
    infos.push(rule);
  }
  for (const stack of Array.isArray(run.stacks) ? run.stacks : []) {
    for (const f of Array.isArray(stack.findings) ? stack.findings : []) {
      if (seen.has(f.ruleId)) continue;
      seen.add(f.ruleId);
      infos.push({ id: f.ruleId, description: `Policy ${f.ruleId}: reported by the pack, which did not describe it in its analyzer info.`, level: f.level });
    }
  }
  const rules = infos.map((r) => ruleDescriptor(r, run));
  return { rules, indexOf: new Map(rules.map((r, i) => [r.id, i])) };
}

function physicalLocation(location: RepoLocation): SarifLocation["physicalLocation"] {
  const uri = location.path.split("/").map(encodeURIComponent).join("/");
  // Code scanning needs a start line; the program fallback points at its first line.
  const region = location.line !== undefined ? { startLine: location.line, ...(location.column !== undefined ? { startColumn: location.column } : {}) } : { startLine: 1 };
  return { artifactLocation: { uri, uriBaseId: "%SRCROOT%" }, region };
}

function stackIdentity(stack: StackResult): string {
  return `${stack.project}/${stack.stack}`;
}

function findingLocations(finding: Finding, stack: StackResult, repoRoot: string): SarifLocation[] {
  const where = locateInRepo(finding.resource, stack.programPath, repoRoot);
  const logical = finding.resource
    ? [{ name: finding.resource.name, fullyQualifiedName: finding.resource.urn, kind: "resource" }]
    : [{ name: stack.stack, fullyQualifiedName: stackIdentity(stack), kind: "module" }];
  return [{ ...(where ? { physicalLocation: physicalLocation(where) } : {}), logicalLocations: logical }];
}

function hash(parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);
}

function resultFor(finding: Finding, stack: StackResult, repoRoot: string, ruleIndex: number, occurrences: Map<string, number>): SarifResult {
  // Stack-wide findings have no URN: their message tells them apart.
  const identity = finding.resource ? [finding.ruleId, finding.resource.urn] : [finding.ruleId, stackIdentity(stack), finding.message];
  const base = hash(identity);
  const occurrence = (occurrences.get(base) ?? 0) + 1;
  occurrences.set(base, occurrence);
  return {
    ruleId: finding.ruleId,
    ruleIndex,
    level: findingClass(finding) === "mandatory" ? "error" : "warning",
    message: { text: finding.message },
    locations: findingLocations(finding, stack, repoRoot),
    partialFingerprints: { primaryLocationLineHash: `${base}:${occurrence}` },
    properties: { enforcementLevel: finding.level, ...(finding.resource ? { urn: finding.resource.urn } : {}) },
  };
}

function deferredNotification(finding: Finding, stack: StackResult, repoRoot: string, ruleIndex: number): SarifNotification {
  return {
    level: "note",
    message: { text: `Checked at deployment: ${finding.message}` },
    locations: findingLocations(finding, stack, repoRoot),
    associatedRule: { id: finding.ruleId, index: ruleIndex },
  };
}

function errorNotification(stack: StackResult): SarifNotification {
  const error = stack.error;
  const message = error && typeof error.message === "string" && error.message.trim() !== "" ? error.message : "the run recorded no result for this stack";
  return {
    level: "error",
    message: { text: `Stack ${stackIdentity(stack)} could not be checked, so it has not passed: ${message}` },
    exception: { kind: "Error", message },
    ...(error?.stack ? { properties: { stackTrace: error.stack } } : {}),
  };
}

function validTime(text: string): string | undefined {
  const time = new Date(text);
  return typeof text === "string" && !Number.isNaN(time.getTime()) ? time.toISOString() : undefined;
}

function baseRun(run: GuardRun, rules: SarifRule[], repoRoot: string, category: string, description: string): SarifRun {
  const semver = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(run.tool.version) ? run.tool.version : undefined;
  const startTimeUtc = validTime(run.startedAt);
  return {
    tool: { driver: { name: "db-guardrails", version: run.tool.version, ...(semver ? { semanticVersion: semver } : {}), rules } },
    automationDetails: { id: category, description: { text: description } },
    originalUriBaseIds: {
      "%SRCROOT%": { uri: `${pathToFileURL(path.resolve(repoRoot)).href.replace(/\/?$/, "/")}`, description: { text: "The repository root." } },
    },
    columnKind: "utf16CodeUnits",
    invocations: [
      {
        executionSuccessful: true,
        exitCode: run.exitCode,
        exitCodeDescription: exitCodeMeaning(run.exitCode, run.failOn) ?? "unknown exit code",
        ...(startTimeUtc ? { startTimeUtc } : {}),
        toolExecutionNotifications: [],
      },
    ],
    results: [],
    properties: { policyPack: { name: run.pack.name, version: run.pack.version }, failOn: run.failOn },
  };
}

function stackRun(run: GuardRun, stack: StackResult, table: { rules: SarifRule[]; indexOf: Map<string, number> }, repoRoot: string): SarifRun {
  const sarifRun = baseRun(run, table.rules, repoRoot, `db-guardrails/${stackIdentity(stack)}/`, `db-guardrails policy checks of stack ${stackIdentity(stack)}`);
  const invocation = sarifRun.invocations[0];
  const occurrences = new Map<string, number>();
  for (const finding of Array.isArray(stack.findings) ? stack.findings : []) {
    const index = table.indexOf.get(finding.ruleId) ?? 0;
    const cls = findingClass(finding);
    if (cls === "waived") continue;
    if (cls === "deferred") invocation.toolExecutionNotifications.push(deferredNotification(finding, stack, repoRoot, index));
    else sarifRun.results.push(resultFor(finding, stack, repoRoot, index, occurrences));
  }
  if (stack.error || !Array.isArray(stack.findings)) {
    invocation.executionSuccessful = false;
    invocation.toolExecutionNotifications.unshift(errorNotification(stack));
  }
  const program = localPathOf(stack.programPath);
  sarifRun.properties = {
    ...sarifRun.properties,
    project: stack.project,
    stack: stack.stack,
    ...(program && repoRelativePath(program, repoRoot) ? { programPath: repoRelativePath(program, repoRoot) } : {}),
    resourceCount: stack.resourceCount,
    stackExitCode: exitCodeFor([stack], run.failOn),
    summary: summarize([stack]),
  };
  return sarifRun;
}

/** The SARIF log of a run: one SARIF run per stack (see the file comment for what goes where). */
export function renderSarif(run: GuardRun, options: SarifOptions): SarifLog {
  const table = ruleTable(run);
  const stacks = Array.isArray(run.stacks) ? run.stacks : [];
  const runs = stacks.map((stack) => stackRun(run, stack, table, options.repoRoot));
  if (runs.length === 0) {
    // Nothing checked is not a clean result: say so rather than upload an empty pass.
    const empty = baseRun(run, table.rules, options.repoRoot, "db-guardrails/", "db-guardrails policy checks");
    empty.invocations[0].executionSuccessful = false;
    empty.invocations[0].toolExecutionNotifications.push({ level: "error", message: { text: "No stack was checked." } });
    runs.push(empty);
  }
  return { $schema: SARIF_SCHEMA_URI, version: SARIF_VERSION, runs };
}
