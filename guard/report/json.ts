/**
 * The JSON report (`--format json`): the `GuardRun` model, versioned by `schemaVersion` and
 * documented by `guard/schemas/guard-report.schema.json`.
 *
 * Every object is rebuilt with its keys in one fixed order (the schema's), so two runs over the
 * same program give byte-identical output whatever order the checker filled the model in; only
 * the model's fields are written, optional ones only when present.
 */
import type { Finding, FindingResource, GuardRun, RecoveryRow, Remediation, RuleInfo, StackResult } from "../model";

/** The schema file that documents this output, relative to the repository root. */
export const GUARD_REPORT_SCHEMA_PATH = "guard/schemas/guard-report.schema.json";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Keeps the keys whose value is defined, in the order given. */
function ordered(entries: Array<[string, Json | undefined]>): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const [key, value] of entries) if (value !== undefined) out[key] = value;
  return out;
}

function list<T>(values: readonly T[] | undefined, each: (value: T) => Json): Json[] {
  return Array.isArray(values) ? values.map(each) : [];
}

function resourceJson(r: FindingResource): Json {
  const position = r.sourcePosition;
  return ordered([
    ["urn", r.urn],
    ["type", r.type],
    ["name", r.name],
    ["sourcePosition", position ? ordered([["uri", position.uri], ["line", position.line], ["column", position.column]]) : undefined],
  ]);
}

function findingJson(f: Finding): Json {
  const w = f.waiver;
  return ordered([
    ["ruleId", f.ruleId],
    ["level", f.level],
    ["kind", f.kind],
    ["message", f.message],
    ["resource", f.resource ? resourceJson(f.resource) : undefined],
    ["waiver", w ? ordered([["owner", w.owner], ["reason", w.reason], ["expires", w.expires], ["index", w.index]]) : undefined],
  ]);
}

function remediationJson(r: Remediation): Json {
  return ordered([
    ["ruleId", r.ruleId],
    ["resource", resourceJson(r.resource)],
    ["changedProperties", list(r.changedProperties, (p) => p)],
  ]);
}

function recoveryJson(r: RecoveryRow): Json {
  return ordered([
    ["resource", resourceJson(r.resource)],
    ["engine", r.engine],
    ["coveredBy", list(r.coveredBy, (c) => c)],
    ["worstCaseRpoMinutes", r.worstCaseRpoMinutes],
    ["basis", r.basis],
    ["maxRpoMinutes", r.maxRpoMinutes],
    ["status", r.status],
  ]);
}

function stackJson(s: StackResult): Json {
  return ordered([
    ["project", s.project],
    ["stack", s.stack],
    ["programPath", s.programPath],
    ["resourceCount", s.resourceCount],
    ["durationMs", s.durationMs],
    ["error", s.error ? ordered([["message", s.error.message], ["stack", s.error.stack]]) : undefined],
    ["findings", list(s.findings, findingJson)],
    ["remediations", list(s.remediations, remediationJson)],
    ["recovery", list(s.recovery, recoveryJson)],
  ]);
}

function ruleJson(r: RuleInfo): Json {
  return ordered([
    ["id", r.id],
    ["description", r.description],
    ["level", r.level],
    ["severity", r.severity],
    ["remediationSteps", r.remediationSteps],
    ["tags", r.tags ? list(r.tags, (t) => t) : undefined],
    // The analyzer protocol sends "" for a policy without a page: that is no URL.
    ["url", r.url ? r.url : undefined],
  ]);
}

/** The model as a plain JSON value in the schema's key order. */
export function guardRunJson(run: GuardRun): Json {
  const s = run.summary;
  return ordered([
    ["schemaVersion", run.schemaVersion],
    ["tool", ordered([["name", run.tool.name], ["version", run.tool.version]])],
    ["pack", ordered([["name", run.pack.name], ["version", run.pack.version]])],
    ["startedAt", run.startedAt],
    ["failOn", run.failOn],
    ["exitCode", run.exitCode],
    ["summary", ordered([["mandatory", s.mandatory], ["advisory", s.advisory], ["waived", s.waived], ["deferred", s.deferred], ["errors", s.errors]])],
    ["rules", list(run.rules, ruleJson)],
    ["stacks", list(run.stacks, stackJson)],
  ]);
}

/** The JSON report: pretty-printed (two spaces), keys in a stable order, ending with a newline. */
export function renderJson(run: GuardRun): string {
  return `${JSON.stringify(guardRunJson(run), null, 2)}\n`;
}
