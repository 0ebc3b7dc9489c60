/**
 * iam-restore-role-trust: a restore role (as iam-restore-role-scoped defines it: its policies may
 * allow an RDS, Aurora, DynamoDB or AWS Backup restore) is assumable only by principals its trust
 * policy names (no `*`, no NotPrincipal, no whole account without a condition on aws:PrincipalArn,
 * aws:userid, aws:username, aws:SourceIdentity or aws:PrincipalTag), only with MFA, and for at
 * most `maxSessionDurationSeconds` (default and ceiling one hour; AWS's default when unset is one
 * hour).
 *
 * MFA is judged by evaluating the trust policy without MFA (lib/iam/trust.ts), so a Deny that
 * enforces it counts like a condition on the Allow. A role only an AWS service can assume cannot
 * use MFA and needs none; its restore permissions are judged by iam-restore-role-scoped. Federated
 * principals (SAML, web identity) cannot present `aws:MultiFactorAuthPresent` and fail the MFA
 * requirement: waive the rule for them with the identity provider's MFA recorded as the reason.
 *
 * It is a stack rule because whether a role restores is written in other resources (its
 * `RolePolicy` and attachments).
 *
 * Configuration: `maxSessionDurationSeconds` (integer, 900-3600, default 3600).
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import { locationOf, principalPolicySet, roleTrust } from "../lib/iam/principal-access";
import { type StackPrincipal, buildStackIam } from "../lib/iam/stack-principals";
import { readNumber } from "../lib/properties";
import type { Finding, StackRule } from "../lib/rule";
import { deferredFinding, violationMessage } from "../lib/rule";
import { restoresAllowed } from "./iam-restore-role-scoped";

export interface RestoreRoleTrustConfig {
  maxSessionDurationSeconds?: number;
}

/** One hour: AWS's own default, and long enough for a restore. */
export const DEFAULT_MAX_SESSION_SECONDS = 3600;

/** The session length of a role whose maxSessionDuration is unset (IAM CreateRole: default 3600). */
const AWS_DEFAULT_SESSION_SECONDS = 3600;

const CONFIG_SCHEMA: PolicyConfigSchema = {
  properties: {
    maxSessionDurationSeconds: {
      type: "integer",
      minimum: 900,
      maximum: DEFAULT_MAX_SESSION_SECONDS,
      default: DEFAULT_MAX_SESSION_SECONDS,
      description: "Longest session a restore role may allow, in seconds (AWS's minimum is 900; the ceiling is one hour).",
    },
  },
};

function limitFrom(config: RestoreRoleTrustConfig | undefined): number {
  const v = config?.maxSessionDurationSeconds;
  return typeof v === "number" && Number.isInteger(v) && v >= 900 && v <= DEFAULT_MAX_SESSION_SECONDS ? v : DEFAULT_MAX_SESSION_SECONDS;
}

function judge(principal: StackPrincipal, limit: number): Finding[] {
  if (principal.kind !== "role") return [];
  const trust = roleTrust(principal);
  const policies = principalPolicySet(principal, trust);
  const resource = { type: "IAM role", name: principal.view.name };
  const at = { urn: principal.view.urn, name: principal.view.name };
  if (policies.state === "deferred") return [deferredFinding(resource, `whether it is a restore role (the document of ${policies.unknown.map((p) => p.label).join(", ")})`, principal.view.urn)];
  if (policies.state === "unverifiable") return [];
  const restores = restoresAllowed(policies.set, locationOf(principal.view));
  if (restores.length === 0) return [];
  const findings: Finding[] = [];
  const problems: string[] = [];
  if (trust === "unknown") findings.push(deferredFinding(resource, "its trust policy (assumeRolePolicy)", principal.view.urn));
  else if (trust === undefined || trust.kind === "cannot-verify") problems.push(`its trust policy cannot be verified: ${trust ? trust.problems.join("; ") : "it has none"}`);
  else if (!trust.serviceOnly) {
    problems.push(...trust.openings);
    if (trust.mfaGaps.length > 0) problems.push(`it does not require MFA: ${trust.mfaGaps.join("; ")}`);
  }
  const duration = readNumber(principal.view.props, "maxSessionDuration");
  if (duration.state === "unknown") findings.push(deferredFinding(resource, "maxSessionDuration", principal.view.urn));
  else if (duration.state === "invalid") problems.push(`maxSessionDuration is not a number`);
  else if (duration.state === "known" && duration.value > limit) problems.push(`maxSessionDuration is ${duration.value} seconds, above ${limit}`);
  // Unset, a role's sessions last AWS's default of one hour: above a lower configured limit.
  else if (duration.state === "absent" && AWS_DEFAULT_SESSION_SECONDS > limit) problems.push(`maxSessionDuration is not set, so sessions last AWS's default of ${AWS_DEFAULT_SESSION_SECONDS} seconds, above ${limit}`);
  if (problems.length > 0) {
    findings.push({
      ...at,
      message: violationMessage({
        resource,
        problem: `may restore (${restores.join(", ")}) but ${problems.join("; ")}`,
        why: "a restore role can recreate databases from production data; who may assume it, and for how long, must be as narrow as a production change.",
        fix: `name the people or roles that restore in the trust policy's Principal (never "*" or a whole account without an aws:PrincipalArn condition), require {"Bool": {"aws:MultiFactorAuthPresent": "true"}}, and set maxSessionDuration to at most ${limit}.`,
      }),
    });
  }
  return findings;
}

export const iamRestoreRoleTrust: StackRule<RestoreRoleTrustConfig> = {
  id: "iam-restore-role-trust",
  description: "A restore role trusts only named principals, requires MFA, and limits sessions to one hour.",
  enforcementLevel: "mandatory",
  severity: "high",
  waivable: true,
  tags: ["iam", "restore", "mfa"],
  remediationSteps:
    'List specific principals in the restore role\'s trust policy, add {"Bool": {"aws:MultiFactorAuthPresent": "true"}} to it, and set maxSessionDuration to 3600 seconds or less.',
  configSchema: CONFIG_SCHEMA,
  check(stack, config) {
    const limit = limitFrom(config);
    return buildStackIam(stack).principals.flatMap((p) => judge(p, limit));
  },
};
