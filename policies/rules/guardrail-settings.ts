/**
 * guardrail-settings: the pack's shared settings (what counts as production, production account
 * ids, the break-glass tag, waivers) are valid, and every waiver is well-formed and in force.
 *
 * This policy also carries those settings to the rules: it runs first in every call and
 * publishes its config (see lib/settings.ts for why). A malformed or expired waiver waives
 * nothing and is reported here as a mandatory violation.
 */
import type { Finding, StackRule } from "../lib/rule";
import { waiverState } from "../lib/rule";
import { type SharedSettings, settingsConfigProblems } from "../lib/settings";

export function settingsProblems(settings: SharedSettings, now: Date): string[] {
  const problems = [...waiverState(settings, now).problems];
  const badIds = settings.productionAccountIds.filter((id) => !/^\d{12}$/.test(id));
  if (badIds.length > 0) {
    problems.push(`guardrail-settings.productionAccountIds holds ${badIds.map((b) => `"${b}"`).join(", ")}, not 12-digit account ids; non-production stacks are not checked against them. Fix: list 12-digit ids.`);
  }
  return problems;
}

export const guardrailSettings: StackRule = {
  id: "guardrail-settings",
  description: "The pack's shared settings and waivers are valid (and carried to every rule).",
  enforcementLevel: "mandatory",
  severity: "high",
  waivable: false,
  tags: ["configuration", "waivers"],
  remediationSteps: "Fix or remove the settings or waivers named in the message in the policy config file.",
  check(_stack, config, settings): Finding[] {
    return [...settingsConfigProblems(config), ...settingsProblems(settings, new Date())].map((message) => ({ message }));
  },
};
