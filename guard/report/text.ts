/**
 * The text report of `npm run guard`, written for an on-call engineer reading it at 2 a.m.:
 * per stack a header and a one-line verdict, then what blocks (grouped by resource), what is
 * waived (with owner, reason and expiry), what is checked only at deployment (kept apart so it is
 * never mistaken for an advisory), what the pack remediates, and the recovery table. Messages are
 * wrapped at word boundaries, never cut: the fix is at the end of each message.
 */
import type { EnforcementLevel, FailOn, Finding, FindingResource, GuardRun, RecoveryRow, StackResult } from "../model";
import { displayPosition, localPathOf, repoRelativePath } from "./locations";
import { type FindingClass, exitCodeFor, exitCodeMeaning, findingClass, summarize } from "./verdict";

export interface TextOptions {
  /** ANSI colours (see {@link shouldUseColor}). */
  color: boolean;
  /** Wrap messages at this many columns (default 100); 0 leaves every message on one line. */
  width?: number;
  /** Show source files relative to this directory (default: as the SDK recorded them). */
  repoRoot?: string;
}

/** Lines of a stack trace shown under a stack error; the rest is counted, not shown. */
export const MAX_TRACE_LINES = 12;

const DEFAULT_WIDTH = 100;

/**
 * Colour only on a terminal, never when `NO_COLOR` is set to a non-empty value (no-color.org).
 * `FORCE_COLOR` turns colour on off a terminal (any value but `0` or `false`), for CI logs that
 * render ANSI; `NO_COLOR` still wins. A `dumb` terminal gets none.
 */
export function shouldUseColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (typeof env.NO_COLOR === "string" && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (typeof force === "string") return force !== "0" && force.toLowerCase() !== "false";
  return stream?.isTTY === true && env.TERM !== "dumb";
}

/** `1.3 s`, `420 ms`, `2 min 05 s`; `unknown time` for a value that is not a duration. */
export function formatDuration(durationMs: number): string {
  if (typeof durationMs !== "number" || !Number.isFinite(durationMs) || durationMs < 0) return "unknown time";
  if (durationMs < 1000) return `${Math.round(durationMs)} ms`;
  if (durationMs < 60_000) return `${(durationMs / 1000).toFixed(1)} s`;
  const seconds = Math.round(durationMs / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
}

/** The line printed on a terminal as each stack finishes: `production: 42 resources captured in 1.3 s`. */
export function formatProgressLine(stack: string, resourceCount: number, durationMs: number): string {
  const count = typeof resourceCount === "number" && Number.isInteger(resourceCount) && resourceCount >= 0 ? resourceCount : undefined;
  const resources = count === undefined ? "an unknown number of resources" : `${count} ${plural(count, "resource")}`;
  return `${clean(String(stack))}: ${resources} captured in ${formatDuration(durationMs)}`;
}

type Style = "bold" | "dim" | "red" | "yellow" | "green" | "cyan" | "magenta";
const ANSI: Record<Style, [string, string]> = {
  bold: ["\u001b[1m", "\u001b[22m"],
  dim: ["\u001b[2m", "\u001b[22m"],
  red: ["\u001b[31m", "\u001b[39m"],
  yellow: ["\u001b[33m", "\u001b[39m"],
  green: ["\u001b[32m", "\u001b[39m"],
  cyan: ["\u001b[36m", "\u001b[39m"],
  magenta: ["\u001b[35m", "\u001b[39m"],
};

type Paint = (text: string, ...styles: Style[]) => string;

function painter(color: boolean): Paint {
  if (!color) return (text) => text;
  return (text, ...styles) => styles.reduce((t, s) => `${ANSI[s][0]}${t}${ANSI[s][1]}`, text);
}

/**
 * Control characters in program-supplied text (names, messages) are shown escaped, so that a
 * name cannot move the cursor, recolour the report or hide a line. Newlines and tabs are kept.
 */
function clean(text: string): string {
  return String(text)
    .replace(/\r\n?/g, "\n")
    .replace(/\t/g, "  ")
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/** Wraps at word boundaries; a word longer than the width stays whole. Paragraph breaks are kept. */
export function wrapText(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  for (const paragraph of clean(text).split("\n")) {
    const words = paragraph.split(/ +/).filter((w) => w !== "");
    if (words.length === 0) {
      lines.push(indent.trimEnd());
      continue;
    }
    if (!(width > 0)) {
      lines.push(indent + words.join(" "));
      continue;
    }
    let line = "";
    for (const word of words) {
      if (line !== "" && indent.length + line.length + 1 + word.length > width) {
        lines.push(indent + line);
        line = word;
      } else {
        line = line === "" ? word : `${line} ${word}`;
      }
    }
    lines.push(indent + line);
  }
  return lines;
}

const STACK_WIDE = "\u0000stack";

interface ResourceGroup {
  resource?: FindingResource;
  findings: Finding[];
}

/** Groups in the order resources first appear (the program's order); stack-wide findings last. */
function groupByResource(findings: readonly Finding[]): ResourceGroup[] {
  const groups = new Map<string, ResourceGroup>();
  for (const finding of findings) {
    const key = finding.resource?.urn ?? STACK_WIDE;
    let group = groups.get(key);
    if (!group) {
      group = { resource: finding.resource, findings: [] };
      groups.set(key, group);
    }
    group.findings.push(finding);
  }
  const wide = groups.get(STACK_WIDE);
  groups.delete(STACK_WIDE);
  return wide ? [...groups.values(), wide] : [...groups.values()];
}

function displayPath(programPath: string, repoRoot: string | undefined): string {
  const local = localPathOf(programPath);
  return (local !== undefined && repoRoot !== undefined ? repoRelativePath(local, repoRoot) : undefined) ?? programPath;
}

function resourceHeading(resource: FindingResource | undefined, options: TextOptions, paint: Paint): string {
  if (!resource) return paint("Stack-wide", "bold");
  const where = displayPosition(resource, options.repoRoot);
  const name = paint(clean(resource.name), "bold");
  return `${name} ${paint(`(${clean(resource.type)})`, "dim")}${where ? ` at ${clean(where)}` : ""}`;
}

function levelTag(cls: FindingClass, level: EnforcementLevel, paint: Paint): string {
  switch (cls) {
    case "mandatory":
      return paint(level === "remediate" ? "MANDATORY (remediate)" : "MANDATORY", "red", "bold");
    case "advisory":
      return paint(level === "disabled" ? "advisory (disabled)" : "advisory", "yellow");
    case "waived":
      return paint("waived", "magenta");
    case "deferred":
      return paint("at deployment", "cyan");
  }
}

function waiverLine(finding: Finding): string {
  const w = finding.waiver;
  if (!w) return "waiver details missing: owner, reason and expiry unknown";
  const number = Number.isInteger(w.index) && w.index >= 0 ? `waiver #${w.index + 1}` : "waiver";
  return `${number}, owner ${w.owner || "(none)"}, expires ${w.expires || "(none)"}, reason: ${w.reason || "(none)"}`;
}

function renderFindingGroups(groups: ResourceGroup[], options: TextOptions, paint: Paint, width: number): string[] {
  const out: string[] = [];
  for (const group of groups) {
    out.push(`    ${resourceHeading(group.resource, options, paint)}`);
    for (const finding of group.findings) {
      const cls = findingClass(finding);
      out.push(`      ${levelTag(cls, finding.level, paint)}  ${paint(clean(finding.ruleId), "bold")}`);
      if (finding.waiver || cls === "waived") out.push(...wrapText(waiverLine(finding), width, "        ").map((l) => paint(l, "magenta")));
      out.push(...wrapText(finding.message, width, "        "));
    }
  }
  return out;
}

function byClass(findings: readonly Finding[], ...classes: FindingClass[]): Finding[] {
  return findings.filter((f) => classes.includes(findingClass(f)));
}

/** Mandatory first, then advisory; each keeps the program's order. */
function violationsInOrder(findings: readonly Finding[]): Finding[] {
  return [...byClass(findings, "mandatory"), ...byClass(findings, "advisory")];
}

function rpoCell(minutes: number | null): string {
  return typeof minutes === "number" && Number.isFinite(minutes) ? `${minutes} min` : "-";
}

const STATUS_WORDS: Record<RecoveryRow["status"], string> = {
  ok: "ok",
  over: "OVER LIMIT",
  none: "NOT COVERED",
  unknown: "at deployment",
};

function statusCell(status: RecoveryRow["status"], paint: Paint): { plain: string; painted: string } {
  const plain = STATUS_WORDS[status] ?? `unknown status ${clean(String(status))}`;
  const style: Style[] = status === "ok" ? ["green"] : status === "unknown" ? ["cyan"] : ["red", "bold"];
  return { plain, painted: paint(plain, ...style) };
}

function renderRecoveryTable(rows: readonly RecoveryRow[], paint: Paint, width: number): string[] {
  const header = ["DATABASE", "ENGINE", "COVERED BY", "WORST-CASE RPO", "LIMIT", "STATUS"];
  const body = rows.map((row) => {
    const covered = Array.isArray(row.coveredBy) && row.coveredBy.length > 0 ? row.coveredBy.map(clean).join("; ") : "nothing";
    const status = statusCell(row.status, paint);
    return {
      cells: [clean(row.resource?.name ?? "?"), clean(row.engine || "?"), covered, rpoCell(row.worstCaseRpoMinutes), rpoCell(row.maxRpoMinutes), status.plain],
      painted: status.painted,
    };
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r.cells[i].length)));
  const line = (cells: string[], last: string) =>
    `    ${cells
      .slice(0, -1)
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")}  ${last}`;
  const out = [paint(line(header, header[header.length - 1]), "dim"), ...body.map((r) => line(r.cells, r.painted))];
  // Why a row is not ok, under the table, so the table stays readable.
  const notes = rows
    .map((row) => ({ row, basis: typeof row.basis === "string" ? row.basis.trim() : "" }))
    .filter(({ row, basis }) => row.status !== "ok" && basis !== "");
  for (const { row, basis } of notes) out.push(...wrapText(`${row.resource?.name ?? "?"}: ${basis}`, width, "      "));
  return out;
}

function stackSummaryLine(stack: StackResult, failOn: FailOn, paint: Paint): string {
  const counts = summarize([stack]);
  const code = exitCodeFor([stack], failOn);
  const verdict = code === 2 ? paint("ERROR", "red", "bold") : code === 1 ? paint("FAIL", "red", "bold") : paint("PASS", "green", "bold");
  const parts = [
    `${counts.mandatory} mandatory`,
    `${counts.advisory} advisory`,
    `${counts.waived} waived`,
    `${counts.deferred} checked at deployment`,
    `${Number.isInteger(stack.resourceCount) ? stack.resourceCount : "?"} ${plural(stack.resourceCount, "resource")}`,
    formatDuration(stack.durationMs),
  ];
  if (code === 2) {
    // The counts of a stack that was not checked would read as a clean bill of health.
    return `  ${verdict}  ${paint("not checked: the program or the pack failed; this stack has not passed", "red", "bold")} · ${parts.slice(4).join(" · ")}`;
  }
  const reportOnly = failOn === "none" && counts.mandatory > 0 ? paint(" (report only: the mandatory violations would block `pulumi up`)", "red") : "";
  return `  ${verdict}  ${parts.join(" · ")}${reportOnly}`;
}

function renderStackError(error: NonNullable<StackResult["error"]>, paint: Paint, width: number): string[] {
  const message = clean(typeof error.message === "string" && error.message.trim() !== "" ? error.message : "(no error message)");
  const out = wrapText(message, width, "    ").map((l) => paint(l, "red"));
  if (typeof error.stack === "string" && error.stack.trim() !== "") {
    let trace = clean(error.stack)
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "");
    // Node's stack starts with "Error: <message>", already shown above.
    if (trace.length > 0 && trace[0].includes(message.split("\n")[0])) trace = trace.slice(1);
    const shown = trace.slice(0, MAX_TRACE_LINES);
    out.push(...shown.map((l) => paint(`      ${l}`, "dim")));
    if (trace.length > shown.length) out.push(paint(`      ... ${trace.length - shown.length} more ${plural(trace.length - shown.length, "line")}`, "dim"));
  }
  return out;
}

function renderStack(stack: StackResult, run: GuardRun, options: TextOptions, paint: Paint, width: number): string[] {
  const findings = Array.isArray(stack.findings) ? stack.findings : [];
  const out: string[] = [];
  const program = stack.programPath ? paint(`  ${clean(displayPath(stack.programPath, options.repoRoot))}`, "dim") : "";
  out.push(`${paint(`== ${clean(stack.project)} / ${clean(stack.stack)} ==`, "bold")}${program}`);
  out.push(stackSummaryLine(stack, run.failOn, paint));
  if (stack.error) out.push(...renderStackError(stack.error, paint, width));
  if (!Array.isArray(stack.findings)) out.push(`    ${paint("the run recorded no findings list for this stack", "red")}`);
  if (!stack.error && stack.resourceCount === 0) out.push(`  ${paint("note", "yellow")}  the program registered no resources: nothing was checked.`);

  const violations = violationsInOrder(findings);
  const waived = byClass(findings, "waived");
  const deferred = byClass(findings, "deferred");
  if (violations.length > 0) {
    out.push("", `  ${paint("Violations", "bold")}`);
    out.push(...renderFindingGroups(groupByResource(violations), options, paint, width));
  } else if (!stack.error) {
    out.push("", `  ${paint("No violations.", "green")}`);
  }
  if (waived.length > 0) {
    out.push("", `  ${paint("Waived", "bold")} ${paint("(reviewed exceptions: reported as advisory until they expire)", "dim")}`);
    out.push(...renderFindingGroups(groupByResource(waived), options, paint, width));
  }
  if (deferred.length > 0) {
    out.push("", `  ${paint("Checked at deployment", "bold")} ${paint("(a value is unknown before deployment; the pack checks it again during `pulumi up`)", "dim")}`);
    out.push(...renderFindingGroups(groupByResource(deferred), options, paint, width));
  }
  const remediations = Array.isArray(stack.remediations) ? stack.remediations : [];
  if (remediations.length > 0) {
    out.push("", `  ${paint("Remediated", "bold")} ${paint("(rules at `remediate` level change these properties; `pulumi up` would apply the changes)", "dim")}`);
    for (const r of remediations) {
      const changed = Array.isArray(r.changedProperties) && r.changedProperties.length > 0 ? r.changedProperties.map(clean).join(", ") : "(no property named)";
      out.push(`    ${resourceHeading(r.resource, options, paint)}`);
      out.push(...wrapText(`${r.ruleId}: ${changed}`, width, "      "));
    }
  }
  const recovery = Array.isArray(stack.recovery) ? stack.recovery : [];
  if (recovery.length > 0) {
    out.push("", `  ${paint("Recovery", "bold")} ${paint("(worst-case data loss if each production database had to be restored now)", "dim")}`);
    out.push(...renderRecoveryTable(recovery, paint, width));
  } else if (!stack.error) {
    out.push("", `  ${paint("Recovery", "bold")}: no production database in this stack.`);
  }
  return out;
}

function stacksOf(run: GuardRun): StackResult[] {
  return Array.isArray(run.stacks) ? run.stacks : [];
}

function overallLine(run: GuardRun, paint: Paint): string[] {
  const all = stacksOf(run);
  const computed = exitCodeFor(all, run.failOn);
  const code = run.exitCode;
  const counts = summarize(all);
  const stacks = all.length;
  const word = code === 0 ? paint("PASS", "green", "bold") : code === 1 ? paint("FAIL", "red", "bold") : paint("ERROR", "red", "bold");
  const failing = all.filter((s) => exitCodeFor([s], run.failOn) !== 0).length;
  const tally = `${counts.mandatory} mandatory, ${counts.advisory} advisory, ${counts.waived} waived, ${counts.deferred} checked at deployment, ${counts.errors} ${plural(counts.errors, "stack error")}`;
  const scope = stacks === 0 ? "no stack was checked" : `${failing} of ${stacks} ${plural(stacks, "stack")} not passing`;
  const out = [`${word}  ${tally}; ${scope}.`, `Exit code ${code}: ${exitCodeMeaning(code, run.failOn) ?? "not a known exit code"}.`];
  if (computed !== code) {
    out.push(paint(`Warning: the findings above call for exit code ${computed}, not ${code}: ${exitCodeMeaning(computed, run.failOn)}.`, "red", "bold"));
  }
  return out;
}

/** The whole text report, ending with a newline. */
export function renderText(run: GuardRun, options: TextOptions): string {
  const paint = painter(options.color === true);
  const width = options.width === undefined ? DEFAULT_WIDTH : options.width;
  const out: string[] = [];
  out.push(
    paint(`${clean(run.tool.name)} ${clean(run.tool.version)}`, "bold") +
      ` · policy pack ${clean(run.pack.name)} ${clean(run.pack.version)} · --fail-on ${clean(run.failOn)} · started ${clean(run.startedAt)}`,
  );
  for (const stack of stacksOf(run)) out.push("", ...renderStack(stack, run, options, paint, width));
  out.push("", ...overallLine(run, paint));
  return `${out.join("\n")}\n`;
}
