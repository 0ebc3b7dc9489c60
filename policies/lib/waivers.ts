/**
 * Waivers: reviewed, temporary exceptions that live in the policy config file (which goes through
 * code review), never in resource tags (which the people being checked could set themselves).
 *
 * A waiver names a rule id, a resource (its URN, or a logical-name pattern with `*`), an owner, a
 * reason of at least 20 characters and an expiry date (YYYY-MM-DD, valid through that day, UTC).
 * A waived finding is still reported, as advisory, with the waiver's reason. A malformed or expired
 * waiver waives nothing and is itself a mandatory violation of `guardrail-settings`.
 */
import { matchesPattern } from "./production";
import type { WaiverEntry } from "./settings";

export const MIN_REASON_LENGTH = 20;
/** Waivers are temporary: an expiry further out than this is refused. */
export const MAX_WAIVER_DAYS = 366;

export interface Waiver extends WaiverEntry {
  /** Index in the config's `waivers` list, for messages. */
  index: number;
}

export interface WaiverCheck {
  active: Waiver[];
  problems: string[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** End of the expiry day in UTC, or undefined when the text is not a real calendar date. */
export function parseExpiry(text: string): Date | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const end = new Date(Date.UTC(y, mo - 1, d, 23, 59, 59, 999));
  if (end.getUTCFullYear() !== y || end.getUTCMonth() !== mo - 1 || end.getUTCDate() !== d) return undefined;
  return end;
}

/**
 * Splits the configured waivers into those in force and the problems with the rest.
 * @param ruleIds every rule id of the pack
 * @param unwaivable rule ids that no waiver may switch off
 */
export function checkWaivers(entries: unknown, ruleIds: ReadonlySet<string>, unwaivable: ReadonlySet<string>, now: Date): WaiverCheck {
  const active: Waiver[] = [];
  const problems: string[] = [];
  if (!Array.isArray(entries)) {
    return { active, problems: ["guardrail-settings.waivers must be a list of waivers."] };
  }
  entries.forEach((entry, index) => {
    const where = `Waiver #${index + 1}`;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      problems.push(`${where} is not an object; it waives nothing. Write {"rule", "resource", "owner", "reason", "expires"}.`);
      return;
    }
    const w = entry as Record<string, unknown>;
    const faults: string[] = [];
    const text = (k: string) => (typeof w[k] === "string" ? (w[k] as string).trim() : "");
    const rule = text("rule");
    const resource = text("resource");
    const owner = text("owner");
    const reason = text("reason");
    const expires = text("expires");
    if (!rule) faults.push(`"rule" (a rule id) is missing`);
    else if (!ruleIds.has(rule)) faults.push(`"rule" names no rule of this pack: "${rule}"`);
    else if (unwaivable.has(rule)) faults.push(`rule "${rule}" cannot be waived: it is the last line between a mistake and a deleted production database`);
    if (!resource) faults.push(`"resource" (a URN or a logical-name pattern) is missing`);
    if (!owner) faults.push(`"owner" (who answers for this exception) is missing`);
    if (reason.length < MIN_REASON_LENGTH) faults.push(`"reason" must say why in at least ${MIN_REASON_LENGTH} characters`);
    const end = expires ? parseExpiry(expires) : undefined;
    if (!expires) faults.push(`"expires" (YYYY-MM-DD) is missing`);
    else if (!end) faults.push(`"expires" is not a date in the form YYYY-MM-DD: "${expires}"`);
    else if (end.getTime() < now.getTime()) faults.push(`it expired on ${expires}`);
    else if (end.getTime() - now.getTime() > MAX_WAIVER_DAYS * 86_400_000) faults.push(`"expires" is more than ${MAX_WAIVER_DAYS} days away (${expires}); waivers are temporary`);
    if (faults.length > 0) {
      const label = rule || resource ? ` (${rule || "?"} on ${resource || "?"})` : "";
      problems.push(`${where}${label} waives nothing: ${faults.join("; ")}. Fix or remove it in the policy config file.`);
      return;
    }
    active.push({ rule, resource, owner, reason, expires, index });
  });
  return { active, problems };
}

/** The waiver in force for this rule on this resource, if any. */
export function findWaiver(active: readonly Waiver[], ruleId: string, urn: string, name: string): Waiver | undefined {
  return active.find((w) => w.rule === ruleId && (w.resource.startsWith("urn:") ? matchesPattern(urn, w.resource) : matchesPattern(name, w.resource)));
}
