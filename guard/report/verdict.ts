/**
 * The verdict of a guard run: how each finding counts, the totals, and the exit code.
 *
 * Every report (text, JSON, SARIF, annotations) classifies findings with {@link findingClass} so
 * that they never disagree about what blocks. The rule the engine applies is the level, not our
 * label: a finding the engine would report as mandatory blocks `pulumi up` even if it is marked
 * waived or deferred, so it counts as mandatory here too (the pack reports waived and deferred
 * findings as advisory, so in a consistent run the label and the level agree).
 */
import type { Finding, FailOn, GuardRun, StackResult } from "../model";

/** How a finding counts: a blocking or non-blocking violation, a waived one, or one checked at deployment. */
export type FindingClass = "mandatory" | "advisory" | "waived" | "deferred";

export const FAIL_ON_VALUES: readonly FailOn[] = ["mandatory", "advisory", "none"];

/** True when `value` is a valid `--fail-on` value. */
export function isFailOn(value: unknown): value is FailOn {
  return typeof value === "string" && (FAIL_ON_VALUES as readonly string[]).includes(value);
}

/**
 * Classifies a finding. Fails closed: a level that is not advisory or disabled (mandatory,
 * remediate, which the engine reports as mandatory, or anything unexpected) is mandatory whatever
 * the finding's kind; an unexpected kind is a violation. A `disabled` level cannot block
 * (the engine never runs disabled policies), so such a finding is shown as advisory.
 */
export function findingClass(finding: Pick<Finding, "kind" | "level">): FindingClass {
  const level: string = finding.level;
  if (level !== "advisory" && level !== "disabled") return "mandatory";
  if (finding.kind === "waived") return "waived";
  if (finding.kind === "deferred") return "deferred";
  return "advisory";
}

function findingsOf(stack: StackResult): readonly Finding[] {
  return Array.isArray(stack.findings) ? stack.findings : [];
}

/** A stack that threw, or whose findings are not a list, was not checked: it never passes. */
export function stackFailedToRun(stack: StackResult): boolean {
  return Boolean(stack.error) || !Array.isArray(stack.findings);
}

/** Counts per class over the given stacks (waived and deferred apart from violations), and the stacks that errored. */
export function summarize(stacks: readonly StackResult[]): GuardRun["summary"] {
  const summary: GuardRun["summary"] = { mandatory: 0, advisory: 0, waived: 0, deferred: 0, errors: 0 };
  for (const stack of stacks) {
    if (stackFailedToRun(stack)) summary.errors += 1;
    for (const finding of findingsOf(stack)) summary[findingClass(finding)] += 1;
  }
  return summary;
}

/**
 * The process exit code:
 * - 2 when a stack could not be checked (it threw, or its findings are missing), when no stack
 *   was checked at all (nothing checked is not a pass), or when `failOn` is not a valid value;
 * - 1 when a violation at or above `failOn` is left: `mandatory` counts mandatory findings
 *   (including remediate-level ones), `advisory` counts mandatory and advisory, `none` never fails
 *   on findings; waived and deferred findings never count (unless the engine would block on them);
 * - 0 otherwise.
 */
export function exitCodeFor(stacks: readonly StackResult[], failOn: FailOn): 0 | 1 | 2 {
  if (!isFailOn(failOn) || !Array.isArray(stacks) || stacks.length === 0) return 2;
  if (stacks.some(stackFailedToRun)) return 2;
  if (failOn === "none") return 0;
  const counts = summarize(stacks);
  if (counts.mandatory > 0) return 1;
  if (failOn === "advisory" && counts.advisory > 0) return 1;
  return 0;
}

/** What an exit code means, for the end of the text report. */
export function exitCodeMeaning(code: 0 | 1 | 2, failOn: FailOn): string {
  switch (code) {
    case 0:
      return failOn === "none" ? "report only (--fail-on none): findings never fail the run" : `no violation at or above --fail-on ${failOn} is left`;
    case 1:
      return `a violation at or above --fail-on ${failOn} is left`;
    case 2:
      return "a stack could not be checked, or the run itself failed (usage or program error)";
  }
}
