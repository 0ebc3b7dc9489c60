/**
 * What a role's trust policy lets in: which principals may assume it, whether only AWS services
 * can, and whether every human principal must have signed in with MFA.
 *
 * MFA is judged by evaluation, not by looking for a condition: each principal the policy names
 * tries `sts:AssumeRole` (or the SAML / web-identity variants for federated principals) once with
 * `aws:MultiFactorAuthPresent` absent and once with it `false`, every other context key unknown.
 * If the most permissive outcome is still "allow", MFA is not required; so a Deny that enforces
 * MFA counts as much as a condition on the Allow, and a condition the evaluator cannot decide does
 * not count.
 */
import { type PolicyStatement, describeStatement, parsePolicyDocument } from "./policy-document";
import { type CompiledPolicySet, type CompiledStatement, compilePolicies, evaluateAccess } from "./evaluate";
import { globMatches } from "../glob";
import type { RequestContext } from "./request-context";

export const ASSUME_ACTIONS = ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"] as const;

/** Condition keys that narrow a whole-account principal to specific identities. */
const NARROWING_KEYS = /^(aws:PrincipalArn|aws:userid|aws:username|aws:SourceIdentity|aws:PrincipalTag\/.+)$/i;

export type TrustAnalysis =
  | {
      kind: "analyzed";
      /** Every Allow names only AWS service principals. */
      serviceOnly: boolean;
      services: string[];
      /** Ways the policy admits principals it does not name: `*`, NotPrincipal, a whole account without narrowing conditions. */
      openings: string[];
      /** Principals that may assume the role without MFA, with the statement that lets them. */
      mfaGaps: string[];
    }
  | { kind: "cannot-verify"; problems: string[] };

const NO_MFA_CONTEXTS: readonly RequestContext[] = [
  { absentUnlessListed: ["aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge"] },
  { values: { "aws:MultiFactorAuthPresent": "false" }, absentUnlessListed: ["aws:MultiFactorAuthAge"] },
];

function grantsAssume(statement: PolicyStatement): boolean {
  const named = (action: string) =>
    statement.action.patterns.some((p) => p === "*" || globMatches(p, action, { ignoreCase: true, question: true }));
  return ASSUME_ACTIONS.some((a) => named(a) !== statement.action.negated);
}

/** A principal ARN that stands for "someone in this account" when the policy names the whole account. */
function representative(id: string): string {
  const account = /^\d{12}$/.test(id) ? id : /^arn:[^:]+:iam::(\d{12}):root$/.exec(id)?.[1];
  return account ? `arn:aws:iam::${account}:user/any-user-of-the-account` : id;
}

/**
 * Principals that stand for "someone in this account" when a whole account is narrowed by
 * conditions, each in the request contexts it may come with: its identity keys unknown, and
 * then as a user or role with no source identity and no principal tags (a role has no
 * `aws:username`). A condition that lets one of them in for sure names no one.
 */
function someoneInAccount(account: string): Array<{ principal: string; context: RequestContext }> {
  const user = representative(account);
  const role = `arn:aws:iam::${account}:role/any-role-of-the-account`;
  const known = (principal: string) => ({ "aws:PrincipalArn": principal, "aws:PrincipalAccount": account });
  const untagged = ["aws:SourceIdentity", "aws:PrincipalTag/*"];
  return [
    { principal: user, context: { values: known(user) } },
    { principal: user, context: { values: { ...known(user), "aws:username": "any-user-of-the-account", "aws:userid": "AIDAANYUSEROFTHEACCOUNT" }, absentUnlessListed: untagged } },
    { principal: role, context: { values: known(role) } },
    { principal: role, context: { values: { ...known(role), "aws:userid": "AROAANYROLEOFTHEACCOUNT:any-session" }, absentUnlessListed: ["aws:username", ...untagged] } },
  ];
}

const onIdentity = (c: { key: string }) => NARROWING_KEYS.test(c.key);

/**
 * The statement alone, with only its conditions on who the caller is, beside the policy's Denies
 * that depend on nothing else: what narrows its whole account, and nothing that merely may not
 * hold for some request (a Region, a time, another statement that might apply).
 */
function identityOnly(set: CompiledPolicySet, statementIndex: number): CompiledPolicySet {
  const statements: CompiledStatement[] = [];
  for (const c of set.statements) {
    if (c.statement.index === statementIndex) statements.push({ ...c, conditions: c.conditions.filter(onIdentity) });
    else if (c.statement.effect === "Deny" && c.conditions.every(onIdentity)) statements.push(c);
  }
  return { ...set, statements };
}

export function analyzeTrustPolicy(document: unknown, roleName: string): TrustAnalysis {
  const parsed = parsePolicyDocument(document, { name: `trust policy of role "${roleName}"`, kind: "trust" });
  if (!parsed.ok) return { kind: "cannot-verify", problems: parsed.problems };
  const policy = parsed.policy;
  const openings: string[] = [];
  const services = new Set<string>();
  let humans = false;
  const candidates: Array<{ principal: string; actions: readonly string[] }> = [];
  const narrowedAccounts: Array<{ where: string; id: string; index: number }> = [];
  for (const s of policy.statements) {
    if (s.effect !== "Allow" || !grantsAssume(s) || !s.principal) continue;
    const where = describeStatement(policy.name, s);
    const { negated, principals } = s.principal;
    if (negated) {
      openings.push(`${where} uses NotPrincipal, which admits every principal it does not name`);
      humans = true;
      candidates.push({ principal: "arn:aws:iam::000000000000:user/anyone", actions: ASSUME_ACTIONS });
      continue;
    }
    if (principals.everyone || principals.aws.includes("*")) {
      openings.push(`${where} admits every AWS principal ("*")`);
      humans = true;
      candidates.push({ principal: "arn:aws:iam::000000000000:user/anyone", actions: ASSUME_ACTIONS });
    }
    const narrowed = s.conditions.some((c) => !c.operator.negated && NARROWING_KEYS.test(c.key));
    for (const id of principals.aws) {
      if (id === "*") continue;
      humans = true;
      const wholeAccount = /^\d{12}$/.test(id) || /:root$/.test(id);
      if (wholeAccount && !narrowed) openings.push(`${where} admits every principal of account ${representative(id).split(":")[4]} (${id}) without a condition naming who`);
      else if (wholeAccount) narrowedAccounts.push({ where, id, index: s.index });
      candidates.push({ principal: representative(id), actions: ["sts:AssumeRole"] });
    }
    for (const id of principals.federated) {
      humans = true;
      candidates.push({ principal: id, actions: ["sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"] });
    }
    if (principals.canonicalUser.length > 0) humans = true;
    for (const id of principals.service) services.add(id);
  }
  const set = compilePolicies([{ name: policy.name, document, kind: "trust" }]);
  // A condition on an identity key narrows a whole account only if it turns away every principal
  // of it that it does not name: none of the account's stand-ins may be let in for sure.
  for (const { where, id, index } of narrowedAccounts) {
    const account = representative(id).split(":")[4];
    const alone = identityOnly(set, index);
    const admitted = someoneInAccount(account).some(({ principal, context }) => {
      const e = evaluateAccess(alone, { action: "sts:AssumeRole", resource: `arn:aws:iam::*:role/${roleName}`, principal, context });
      return e.kind === "decided" && e.decision === "allow" && e.allowedBy.every((m) => m.applies === "yes");
    });
    if (admitted) openings.push(`${where} admits every principal of account ${account} (${id}): its conditions on who it is let in any principal of the account`);
  }
  const gaps = new Set<string>();
  for (const { principal, actions } of candidates) {
    for (const action of actions) {
      for (const context of NO_MFA_CONTEXTS) {
        const e = evaluateAccess(set, { action, resource: `arn:aws:iam::*:role/${roleName}`, principal, context });
        if (e.kind === "cannot-verify") return { kind: "cannot-verify", problems: e.problems.map((p) => p.message) };
        if (e.decision !== "allow") continue;
        const by = e.allowedBy.map((m) => m.label).join(", ");
        gaps.add(`${principal.includes("any-user-of-the-account") || principal.includes("000000000000") ? "any principal it admits" : principal} can ${action} without MFA (${by})`);
      }
    }
  }
  // A role people assume with MFA that an AWS service may also assume is reachable without MFA:
  // whoever may pass it to that service (a Lambda function, an EC2 instance) acts as the role.
  if (humans) for (const service of services) gaps.add(`${service} can sts:AssumeRole without MFA (AWS services cannot present MFA; whoever may pass the role to ${service} acts as it)`);
  return { kind: "analyzed", serviceOnly: !humans && services.size > 0, services: [...services], openings, mfaGaps: [...gaps] };
}
