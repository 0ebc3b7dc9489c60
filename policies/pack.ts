/**
 * Assembles the `database-guardrails` policies from the rules; no rule logic lives here.
 * Kept apart from index.ts (which starts the server) so tests can build the policies in-process.
 */
import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { beginStackCall, buildStackView, registerRuleIds, toResourcePolicy, toStackPolicy } from "./lib/rule";
import { SETTINGS_POLICY, SETTINGS_SCHEMA, currentStackName, publishSettings } from "./lib/settings";
import { ALL_RULES, RESOURCE_RULES, SETTINGS_RULE, STACK_RULES } from "./rules";

export const PACK_NAME = "database-guardrails";

/**
 * The settings policy is both a resource and a stack policy so that it runs first in every
 * `Analyze`, `AnalyzeStack` and (at the `remediate` level) `Remediate` call and publishes the
 * shared settings before the rules that read them.
 */
function settingsPolicy(): ResourceValidationPolicy & StackValidationPolicy {
  const rule = SETTINGS_RULE;
  return {
    name: SETTINGS_POLICY,
    description: rule.description,
    enforcementLevel: rule.enforcementLevel,
    severity: rule.severity,
    remediationSteps: rule.remediationSteps,
    tags: rule.tags,
    configSchema: SETTINGS_SCHEMA,
    validateResource: (args) => {
      publishSettings(args.getConfig());
    },
    remediateResource: (args) => {
      publishSettings(args.getConfig());
      return undefined;
    },
    validateStack: (args, reportViolation) => {
      beginStackCall();
      const config = args.getConfig<Record<string, unknown>>();
      const settings = publishSettings(config);
      const stack = buildStackView([], settings, currentStackName(), args.stackTags);
      for (const f of rule.check(stack, config, settings)) reportViolation(f.message);
    },
  };
}

export function buildPolicies(): Policies {
  registerRuleIds(ALL_RULES);
  return [settingsPolicy(), ...RESOURCE_RULES.map((r) => toResourcePolicy(r)), ...STACK_RULES.map((r) => toStackPolicy(r))];
}
