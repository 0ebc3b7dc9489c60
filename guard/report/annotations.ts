/**
 * GitHub workflow annotations, printed when `GITHUB_ACTIONS` is set, so each finding shows on the
 * line that declares the resource in the pull request's changed files:
 * - a mandatory (or remediate) violation is `::error`;
 * - an advisory violation is `::warning`, or `::error` under `--fail-on advisory`, where it fails
 *   the run like an error;
 * - a waived finding is a `::notice` naming its owner and expiry, so exceptions stay visible;
 * - a deferred finding is a `::notice` "checked at deployment" (it is not a defect);
 * - a stack that could not be checked is an `::error` titled with the stack.
 * Errors come first, then warnings, then notices (GitHub shows a limited number of each).
 *
 * Escaping follows the runner (actions/toolkit `command.ts`): in the message `%`, `\r` and `\n`
 * become `%25`, `%0D` and `%0A`; in property values also `:` and `,` become `%3A` and `%2C`.
 */
import type { Finding, FailOn, GuardRun, StackResult } from "../model";
import { type RepoLocation, locateInRepo, localPathOf, repoRelativePath } from "./locations";
import { findingClass } from "./verdict";

export interface AnnotationOptions {
  /** The repository root: `file=` paths are relative to it (the runner's checkout). */
  repoRoot: string;
}

type Command = "error" | "warning" | "notice";

/** Escapes a workflow command's message (the data after `::`). */
export function escapeAnnotationData(text: string): string {
  return String(text).replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escapes a workflow command's property value (`file=`, `title=`). */
export function escapeAnnotationProperty(text: string): string {
  return escapeAnnotationData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function command(kind: Command, properties: Array<[string, string | number | undefined]>, message: string): string {
  const props = properties
    .filter((p): p is [string, string | number] => p[1] !== undefined && p[1] !== "")
    .map(([key, value]) => `${key}=${escapeAnnotationProperty(String(value))}`)
    .join(",");
  return `::${kind}${props ? ` ${props}` : ""}::${escapeAnnotationData(message)}`;
}

function locationProperties(where: RepoLocation | undefined): Array<[string, string | number | undefined]> {
  if (!where) return [];
  return [
    ["file", where.path],
    ["line", where.line],
    ["col", where.column],
  ];
}

const RANK: Record<Command, number> = { error: 0, warning: 1, notice: 2 };

function findingAnnotation(finding: Finding, stack: StackResult, failOn: FailOn, repoRoot: string): { kind: Command; line: string; order: number } {
  const where = locateInRepo(finding.resource, stack.programPath, repoRoot);
  const cls = findingClass(finding);
  switch (cls) {
    case "mandatory":
      return { kind: "error", order: 0, line: command("error", [...locationProperties(where), ["title", finding.ruleId]], finding.message) };
    case "advisory": {
      const kind: Command = failOn === "advisory" ? "error" : "warning";
      return { kind, order: 0, line: command(kind, [...locationProperties(where), ["title", finding.ruleId]], finding.message) };
    }
    case "waived": {
      const w = finding.waiver;
      const title = w ? `${finding.ruleId} (waived until ${w.expires}, owner ${w.owner})` : `${finding.ruleId} (waived)`;
      return { kind: "notice", order: 0, line: command("notice", [...locationProperties(where), ["title", title]], finding.message) };
    }
    case "deferred":
      // After the waivers: an exception in force matters more than a check still to come.
      return { kind: "notice", order: 1, line: command("notice", [...locationProperties(where), ["title", `${finding.ruleId} (checked at deployment)`]], finding.message) };
  }
}

function stackErrorAnnotation(stack: StackResult, repoRoot: string): string {
  const program = localPathOf(stack.programPath);
  const file = program === undefined ? undefined : repoRelativePath(program, repoRoot);
  const message = stack.error && typeof stack.error.message === "string" && stack.error.message.trim() !== "" ? stack.error.message : "the run recorded no result for this stack";
  return command("error", [["file", file], ["title", `${stack.project}/${stack.stack}`]], `Stack ${stack.stack} could not be checked, so it has not passed: ${message}`);
}

/** The annotation lines for a run, one workflow command per line, errors first. */
export function renderGithubAnnotations(run: GuardRun, options: AnnotationOptions): string[] {
  const entries: Array<{ kind: Command; line: string; order: number; seq: number }> = [];
  let seq = 0;
  for (const stack of Array.isArray(run.stacks) ? run.stacks : []) {
    if (stack.error || !Array.isArray(stack.findings)) entries.push({ kind: "error", order: -1, line: stackErrorAnnotation(stack, options.repoRoot), seq: seq++ });
    for (const finding of Array.isArray(stack.findings) ? stack.findings : []) {
      entries.push({ ...findingAnnotation(finding, stack, run.failOn, options.repoRoot), seq: seq++ });
    }
  }
  entries.sort((a, b) => RANK[a.kind] - RANK[b.kind] || a.order - b.order || a.seq - b.seq);
  return entries.map((e) => e.line);
}
