/**
 * iam-no-prod-db-destruction: no IAM role, user or group of the stack, through any of its
 * policies (inline, `RolePolicy`/`UserPolicy`/`GroupPolicy`, customer managed `aws:iam/policy:Policy`
 * with its attachments, AWS managed policies attached by ARN such as AmazonRDSFullAccess, a user's
 * group policies), can delete, modify, stop, reboot or restore over a production database, retag
 * it, delete or change production backups, backup vaults and their lock, or schedule the deletion
 * of, disable, or replace the policy of the customer managed KMS key production data is encrypted
 * with (lib/iam/probes.ts DESTRUCTIVE_ACTIONS; the keys come from each production database's,
 * table's and vault's key reference, lib/iam/principal-access.ts), or rewrite its own
 * permissions (add or remove its own policies, lift its boundary, open its trust policy, rewrite a
 * customer managed policy attached to it: it could then do all of the above; probes.ts
 * SELF_ESCALATION_ACTIONS). An unattached customer
 * managed policy is judged on its own, as if attached to a principal with no other policy.
 *
 * The only exception is a declared break-glass role: one tagged with the configured break-glass
 * tag (`guardrail-settings.breakGlassTag`) whose trust policy requires MFA for everyone it admits.
 * A role carrying the tag without such a trust policy is a violation.
 *
 * AWS's own service-role policies for AWS Backup (AWSBackupServiceRolePolicyForBackup and
 * ...ForRestores) are accepted on a role only AWS Backup can assume: AWS Backup deletes expired
 * recovery points and replaces resources on restore with exactly those permissions, and the trust
 * policy keeps people from using them. Everything else such a role is given is judged as usual.
 *
 * Production is probed as AWS sees it (lib/iam/probes.ts): every spelling of every production tag,
 * and the stack's production databases and vaults by name, untagged. A policy that cannot be read
 * fails closed; one unknown until deployment is checked at `pulumi up`.
 *
 * No configuration (the break-glass tag and production tags are shared settings).
 */
import { unknownActionPatterns, unknownConditionKeys } from "../lib/iam/action-catalogue";
import type { CompiledPolicySet } from "../lib/iam/evaluate";
import { describeStatement } from "../lib/iam/policy-document";
import { breakGlassStatus, describeGrants, harmfulGrants, locationOf, principalPolicySet, probesFor, productionTargets, roleTrust, selfProbesFor } from "../lib/iam/principal-access";
import { type AttachedPolicy, type StackPrincipal, buildStackIam } from "../lib/iam/stack-principals";
import type { Finding, StackRule, StackView } from "../lib/rule";
import { deferredFinding, violationMessage } from "../lib/rule";
import type { SharedSettings } from "../lib/settings";

const KIND_LABEL = { role: "IAM role", user: "IAM user", group: "IAM group" } as const;

function subject(p: StackPrincipal): { type: string; name: string } {
  return { type: KIND_LABEL[p.kind], name: p.view.name };
}

/** Names AWS does not have: a misspelt action or condition key in a Deny is why a Deny "does not work". */
function misspellings(set: CompiledPolicySet): string {
  const notes = [
    ...unknownActionPatterns(set.policies).map((r) => `${describeStatement(r.policyName, { index: r.statementIndex, sid: r.sid })}: ${r.problem}`),
    ...unknownConditionKeys(set.policies).map((r) => `${describeStatement(r.policyName, { index: r.statementIndex, sid: r.sid })}: AWS has no condition key "${r.key}"`),
  ];
  return notes.length > 0 ? ` (note: ${notes.slice(0, 3).join("; ")}${notes.length > 3 ? `; and ${notes.length - 3} more` : ""})` : "";
}

const WHY = "whoever holds these permissions can destroy or overwrite production data in one API call, as in the incident where a 17-hour-old snapshot was restored over the live database.";

function judgePrincipal(stack: StackView, principal: StackPrincipal, settings: SharedSettings): Finding[] {
  const at = { urn: principal.view.urn, name: principal.view.name };
  const trust = roleTrust(principal);
  const breakGlass = breakGlassStatus(principal, trust, settings);
  if (breakGlass.declared) {
    if (breakGlass.mfa === "required") return [];
    if (breakGlass.mfa === "unknown") return [deferredFinding(subject(principal), "its trust policy (to confirm the break-glass role requires MFA)", principal.view.urn)];
    return [
      {
        ...at,
        message: violationMessage({
          resource: subject(principal),
          problem: `is tagged ${settings.breakGlassTag.key}=${settings.breakGlassTag.value} (break-glass) but its trust policy does not require MFA: ${breakGlass.why}`,
          why: "the break-glass exemption exists for a role only a named person with MFA can assume; without MFA it is an ordinary role with the power to destroy production.",
          fix: 'add Condition {"Bool": {"aws:MultiFactorAuthPresent": "true"}} to every Allow statement of its assumeRolePolicy, or remove the break-glass tag.',
        }),
      },
    ];
  }
  const policies = principalPolicySet(principal, trust);
  if (policies.state === "deferred") {
    return [deferredFinding(subject(principal), `the document of ${policies.unknown.map((p) => p.label).join(", ")}`, principal.view.urn)];
  }
  if (policies.state === "unverifiable") {
    return [
      {
        ...at,
        message: violationMessage({
          resource: subject(principal),
          problem: `its permissions cannot be verified: ${policies.problems.join("; ")}`,
          why: "a policy the pack cannot read may grant anything, so it is treated as if it destroyed production (fail closed).",
          fix: "fix the policy document, define customer managed policies in this stack, or attach AWS managed policies the pack knows; otherwise record a reviewed waiver.",
        }),
      },
    ];
  }
  const probes = probesFor(productionTargets(stack, locationOf(principal.view)), settings);
  const grants = [...harmfulGrants(policies.set, probes), ...harmfulGrants(policies.set, selfProbesFor(principal))];
  if (grants.length === 0) return [];
  return [
    {
      ...at,
      message: violationMessage({
        resource: subject(principal),
        problem: `can harm production: ${describeGrants(grants)}${misspellings(policies.set)}`,
        why: WHY,
        fix: "scope its Allow statements to non-production resources (by ARN, and by aws:ResourceTag / aws:RequestTag conditions that match every spelling of the production tag), or add explicit Deny statements for these actions on production; if it is the break-glass role, tag it as such and require MFA in its trust policy.",
      }),
    },
  ];
}

function judgeDetached(stack: StackView, policy: AttachedPolicy, settings: SharedSettings): Finding[] {
  const resource = { type: policy.source.type, name: policy.source.name };
  const at = { urn: policy.source.urn, name: policy.source.name };
  if (policy.document.state === "unknown") return [deferredFinding(resource, `the document of ${policy.label}`, policy.source.urn)];
  if (policy.document.state === "unverifiable") {
    return [{ ...at, message: violationMessage({ resource, problem: `${policy.label} cannot be verified: ${policy.document.why}`, why: "a policy the pack cannot read may grant anything (fail closed).", fix: "make its document readable, or record a reviewed waiver." }) }];
  }
  const holder: StackPrincipal = { kind: "role", view: policy.source, policies: [policy] };
  const state = principalPolicySet(holder, undefined);
  if (state.state !== "ready") {
    const problems = state.state === "unverifiable" ? state.problems : [];
    return [{ ...at, message: violationMessage({ resource, problem: `${policy.label} cannot be verified: ${problems.join("; ")}`, why: "a policy the pack cannot read may grant anything (fail closed).", fix: "fix the policy document." }) }];
  }
  const grants = harmfulGrants(state.set, probesFor(productionTargets(stack, locationOf(policy.source)), settings));
  if (grants.length === 0) return [];
  return [
    {
      ...at,
      message: violationMessage({
        resource,
        problem: `${policy.label}, attached to no principal of this stack, would let whoever it is attached to harm production: ${describeGrants(grants)}`,
        why: WHY,
        fix: "scope the policy to non-production resources or add explicit Deny statements for production.",
      }),
    },
  ];
}

export const iamNoProdDbDestruction: StackRule = {
  id: "iam-no-prod-db-destruction",
  description: "No IAM policy in the stack lets a principal destroy, overwrite or weaken a production database, its backups or its encryption key (except a break-glass role that requires MFA).",
  enforcementLevel: "mandatory",
  severity: "critical",
  waivable: true,
  tags: ["iam", "rds", "aurora", "dynamodb", "backup", "kms"],
  remediationSteps:
    "Scope the policy's Allow statements away from production (ARNs and tag conditions that cover every spelling of the production tag) or deny the destructive actions on production explicitly; reserve such power for a break-glass role tagged as configured whose trust policy requires MFA.",
  check(stack, _config, settings) {
    const iam = buildStackIam(stack);
    const findings: Finding[] = [];
    for (const principal of iam.principals) findings.push(...judgePrincipal(stack, principal, settings));
    for (const policy of iam.detachedPolicies) findings.push(...judgeDetached(stack, policy, settings));
    return findings;
  },
};
