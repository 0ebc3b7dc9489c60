/**
 * Differential testing of the IAM evaluator against `@cloud-copilot/iam-simulate` (AGPL, a dev
 * dependency: imported only here, never by the pack or the components).
 *
 * Cases are generated with fast-check: identity policies with wildcard and case-mangled actions,
 * NotAction, Resource/NotResource patterns (wildcards, `?`, policy variables, short ARNs), Allow
 * and Deny mixes, and conditions of every operator family the evaluator models, against requests
 * whose context keys are present, absent, multivalued or differ in tag-key case.
 *
 * The contract: where the evaluator is certain it must agree with the oracle exactly; where it
 * is uncertain the oracle's answer must lie within its range (most restrictive .. most
 * permissive). It must never say "cannot verify" for a well-formed generated policy.
 *
 * Known divergences kept out of the generator, each a point where the oracle departs from AWS's
 * documentation rather than a choice of the evaluator:
 * - wildcards in the resource-type part of a Resource ARN (`arn:aws:rds:*:*:d?:x`): the oracle
 *   requires that part to be literal, AWS documents wildcards in any segment;
 * - condition operator names in other letter cases: the oracle folds them, the evaluator refuses;
 * - a short ARN (`arn:aws:rds:*`) in NotResource: the oracle never inverts the mismatch of a
 *   padded short ARN, so `NotResource: arn:aws:rds:*` does not apply to a backup ARN there;
 * - a policy variable before the resource part of an ArnLike value
 *   (`arn:aws:iam::${aws:PrincipalAccount}:role/*`): the oracle splits the value at the colon
 *   inside the variable name before substituting it.
 */
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import * as fc from "fast-check";
import { type AccessEvaluation, type Decision, compilePolicies, evaluateAccess } from "../../policies/lib/iam/evaluate";

export const ACCOUNT = "123456789012";
export const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/restore`;

const REQUEST_ACTIONS = [
  "rds:DeleteDBInstance",
  "rds:RestoreDBInstanceFromDBSnapshot",
  "rds:DescribeDBSnapshots",
  "rds:ModifyDBCluster",
  "dynamodb:DeleteTable",
  "dynamodb:RestoreTableFromBackup",
  "backup:DeleteRecoveryPoint",
  "backup:StartRestoreJob",
  "s3:GetObject",
] as const;

const PATTERN_SOURCE_ACTIONS = [...REQUEST_ACTIONS, "rds:DeleteDBCluster", "rds:CreateDBInstance", "rds:RebootDBInstance", "dynamodb:UpdateTable", "backup:DeleteBackupVault"];

const REQUEST_RESOURCES = [
  `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-prod`,
  `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-staging`,
  `arn:aws:rds:eu-west-1:${ACCOUNT}:snapshot:orders-prod-2024`,
  `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:ledger`,
  `arn:aws:rds:us-east-1:210987654321:db:orders-prod`,
  `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/sessions`,
  `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/sessions/backup/01`,
  `arn:aws:backup:us-east-1:${ACCOUNT}:recovery-point:abc`,
  "arn:aws:s3:::bucket/key",
] as const;

type Json = string | number | boolean | Json[] | { [key: string]: Json };

export interface DifferentialCase {
  policies: Array<{ name: string; document: { [key: string]: Json } }>;
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
}

/** Deterministic letter-case mangling: bit i of `mask` flips the case of letter i. */
function mangleCase(text: string, mask: number): string {
  let i = 0;
  return text.replace(/[A-Za-z]/g, (c) => {
    const flip = (mask >> i++ % 30) & 1;
    return flip ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c;
  });
}

/** Patterns derived mostly from the request's own action, so that statements tend to apply. */
const actionPattern = (requested: string): fc.Arbitrary<string> =>
  fc
  .tuple(fc.oneof({ arbitrary: fc.constant(requested), weight: 3 }, { arbitrary: fc.constantFrom(...PATTERN_SOURCE_ACTIONS), weight: 1 }), fc.constantFrom("exact", "suffix-star", "prefix-star", "one-char", "service-star", "all", "mangled", "infix-star"), fc.nat())
  .map(([action, form, n]) => {
    const [service, name] = action.split(":");
    const cut = 1 + (n % (name.length - 1));
    switch (form) {
      case "exact":
        return action;
      case "suffix-star":
        return `${service}:${name.slice(0, cut)}*`;
      case "prefix-star":
        return `${service}:*${name.slice(cut)}`;
      case "infix-star":
        return `${service}:${name.slice(0, cut)}*${name.slice(Math.min(name.length, cut + 3))}`;
      case "one-char":
        return `${service}:${name.slice(0, cut)}?${name.slice(cut + 1)}`;
      case "service-star":
        return `${service}:*`;
      case "all":
        return "*";
      default:
        return `${mangleCase(service, n)}:${mangleCase(name, n >> 3)}`;
    }
  });

/** Patterns derived mostly from the request's own resource. */
const resourcePattern = (requested: string): fc.Arbitrary<string> =>
  fc
  .tuple(
    fc.oneof({ arbitrary: fc.constant(requested), weight: 3 }, { arbitrary: fc.constantFrom(...REQUEST_RESOURCES), weight: 1 }),
    fc.constantFrom("exact", "all", "any-region", "any-account", "name-star", "name-one", "type-any", "short", "variable", "other-service", "mangled-name"),
    fc.nat(),
  )
  .map(([arn, form, n]) => {
    const parts = arn.split(":");
    const resource = parts.slice(5).join(":");
    const sep = resource.search(/[:/]/);
    const type = sep >= 0 ? resource.slice(0, sep + 1) : "";
    const name = sep >= 0 ? resource.slice(sep + 1) : resource;
    const head = parts.slice(0, 5);
    const cut = name.length > 1 ? 1 + (n % (name.length - 1)) : 1;
    const join = (h: string[], r: string) => [...h, r].join(":");
    switch (form) {
      case "exact":
        return arn;
      case "all":
        return "*";
      case "any-region":
        return join([head[0], head[1], head[2], "*", head[4]], resource);
      case "any-account":
        return join([head[0], head[1], head[2], head[3], "*"], resource);
      case "name-star":
        return join(head, `${type}${name.slice(0, cut)}*`);
      case "name-one":
        return join(head, `${type}${name.slice(0, cut)}?${name.slice(cut + 1)}`);
      case "type-any":
        return join([head[0], head[1], head[2], "*", "*"], `${type}*`);
      case "short":
        return `arn:aws:${head[2]}:*`;
      case "variable":
        return join(head, `${type}\${aws:PrincipalTag/team}*`);
      case "other-service":
        return join([head[0], head[1], head[2] === "rds" ? "dynamodb" : "rds", head[3], head[4]], resource);
      default:
        return join(head, `${type}${mangleCase(name, n)}`);
    }
  });

const STRING_KEYS = ["aws:ResourceTag/environment", "aws:ResourceTag/Environment", "aws:RequestTag/environment", "aws:PrincipalTag/team", "aws:username", "rds:db-tag/environment"];
const MULTI_KEYS = ["aws:TagKeys", "aws:CalledVia"];
const BOOL_KEYS = ["aws:MultiFactorAuthPresent", "aws:SecureTransport"];
const NUMBER_KEYS = ["aws:MultiFactorAuthAge"];
const ARN_KEYS = ["aws:PrincipalArn", "aws:SourceArn"];

const STRING_VALUES = [
  "production",
  "Production",
  "PRODUCTION",
  "prod*",
  "*prod*",
  "prod?ction",
  "staging",
  "Staging",
  "",
  "dba",
  "environment",
  "Environment",
  "team",
  "backup.amazonaws.com",
  "${aws:PrincipalTag/team}",
  "${aws:username}",
  "${aws:PrincipalTag/team, 'dba'}",
  "team-${aws:username}",
  "${*}",
];
const BOOL_VALUES = ["true", "false", "TRUE"];
const NUMBER_VALUES = ["3600", "0", "7200", "1.5", "300"];
const ARN_VALUES = [
  PRINCIPAL,
  `arn:aws:iam::${ACCOUNT}:role/*`,
  "arn:aws:iam::*:role/restore",
  `arn:aws:iam::${ACCOUNT}:user/alice`,
  `arn:aws:iam::${ACCOUNT}:role/\${aws:username}*`,
  `arn:aws:rds:*:${ACCOUNT}:db:orders-*`,
];

const STRING_OPERATORS = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "StringEqualsIfExists",
  "StringNotEqualsIfExists",
  "StringLikeIfExists",
  "StringNotLikeIfExists",
];
const SET_OPERATORS = [
  "ForAnyValue:StringEquals",
  "ForAllValues:StringEquals",
  "ForAnyValue:StringLike",
  "ForAllValues:StringLike",
  "ForAllValues:StringNotEquals",
  "ForAnyValue:StringNotLike",
  "ForAnyValue:StringEqualsIgnoreCase",
];

function values<T extends string>(pool: readonly T[]): fc.Arbitrary<string[]> {
  return fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 3 });
}

const conditionClause: fc.Arbitrary<[string, string, string[]]> = fc.oneof(
  fc.tuple(fc.constantFrom(...STRING_OPERATORS), fc.constantFrom(...STRING_KEYS, ...MULTI_KEYS), values(STRING_VALUES)),
  fc.tuple(fc.constantFrom(...SET_OPERATORS), fc.constantFrom(...MULTI_KEYS, ...STRING_KEYS), values(STRING_VALUES)),
  fc.tuple(fc.constantFrom("Bool", "BoolIfExists"), fc.constantFrom(...BOOL_KEYS), values(BOOL_VALUES)),
  fc.tuple(fc.constantFrom("Null"), fc.constantFrom(...STRING_KEYS, ...BOOL_KEYS, ...MULTI_KEYS), values(["true", "false"])),
  fc.tuple(
    fc.constantFrom("NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "NumericEquals", "NumericNotEquals", "NumericLessThanIfExists"),
    fc.constantFrom(...NUMBER_KEYS),
    values(NUMBER_VALUES),
  ),
  fc.tuple(fc.constantFrom("ArnLike", "ArnEquals", "ArnNotLike", "ArnNotEquals", "ArnLikeIfExists", "ArnNotLikeIfExists"), fc.constantFrom(...ARN_KEYS), values(ARN_VALUES)),
);

function conditionBlock(clauses: Array<[string, string, string[]]>): { [key: string]: Json } | undefined {
  if (clauses.length === 0) return undefined;
  const block: { [op: string]: { [key: string]: Json } } = {};
  for (const [op, key, vals] of clauses) {
    block[op] ??= {};
    block[op][key] = vals.length === 1 ? vals[0] : vals;
  }
  return block;
}

const statement = (action: string, resource: string): fc.Arbitrary<{ [key: string]: Json }> =>
  fc
  .record({
    sid: fc.option(fc.constantFrom("A", "B", "Restore"), { nil: undefined }),
    effect: fc.constantFrom("Allow", "Allow", "Deny"),
    notAction: fc.boolean(),
    actions: fc.uniqueArray(actionPattern(action), { minLength: 1, maxLength: 3 }),
    notResource: fc.constantFrom(false, false, false, true),
    resources: fc.uniqueArray(resourcePattern(resource), { minLength: 1, maxLength: 3 }),
    conditions: fc.array(conditionClause, { maxLength: 3 }),
  })
  .map((s) => {
    const out: { [key: string]: Json } = { Effect: s.effect };
    if (s.sid) out.Sid = s.sid;
    out[s.notAction ? "NotAction" : "Action"] = s.actions.length === 1 ? s.actions[0] : s.actions;
    const resources = s.notResource ? s.resources.map((r) => (r.split(":").length < 6 ? "*" : r)) : s.resources;
    out[s.notResource ? "NotResource" : "Resource"] = resources.length === 1 ? resources[0] : [...new Set(resources)];
    const condition = conditionBlock(s.conditions);
    if (condition) out.Condition = condition;
    return out;
  });

const policy = (action: string, resource: string) =>
  fc
    .array(statement(action, resource), { minLength: 1, maxLength: 4 })
    // IAM requires the Sids of a policy to be unique (the evaluator refuses duplicates).
    .map((statements) => ({ Version: "2012-10-17", Statement: statements.map((st, i) => (typeof st.Sid === "string" ? { ...st, Sid: `${st.Sid}${i}` } : st)) as Json[] }));

const context: fc.Arbitrary<Record<string, string | string[]>> = fc
  .record(
    {
      resourceTagKey: fc.constantFrom("aws:ResourceTag/environment", "aws:ResourceTag/Environment"),
      resourceTag: fc.constantFrom("production", "Production", "PRODUCTION", "staging", "prod"),
      requestTag: fc.constantFrom("production", "Production", "staging"),
      tagKeys: fc.uniqueArray(fc.constantFrom("environment", "Environment", "team", "owner"), { maxLength: 3 }),
      team: fc.constantFrom("dba", "prod", "ops"),
      username: fc.constantFrom("alice", "dba"),
      mfa: fc.constantFrom("true", "false"),
      mfaAge: fc.constantFrom("300", "4000", "0", "3600"),
      principalArn: fc.constantFrom(PRINCIPAL, `arn:aws:iam::${ACCOUNT}:user/alice`),
      calledVia: fc.uniqueArray(fc.constantFrom("backup.amazonaws.com", "cloudformation.amazonaws.com"), { maxLength: 2 }),
      secure: fc.constantFrom("true", "false"),
      dbTag: fc.constantFrom("production", "staging"),
    },
    { requiredKeys: [] },
  )
  .map((c) => {
    const out: Record<string, string | string[]> = { "aws:PrincipalAccount": ACCOUNT };
    if (c.resourceTag !== undefined) out[c.resourceTagKey ?? "aws:ResourceTag/environment"] = c.resourceTag;
    if (c.requestTag !== undefined) out["aws:RequestTag/environment"] = c.requestTag;
    if (c.tagKeys !== undefined) out["aws:TagKeys"] = c.tagKeys;
    if (c.team !== undefined) out["aws:PrincipalTag/team"] = c.team;
    if (c.username !== undefined) out["aws:username"] = c.username;
    if (c.mfa !== undefined) out["aws:MultiFactorAuthPresent"] = c.mfa;
    if (c.mfaAge !== undefined) out["aws:MultiFactorAuthAge"] = c.mfaAge;
    if (c.principalArn !== undefined) out["aws:PrincipalArn"] = c.principalArn;
    if (c.calledVia !== undefined) out["aws:CalledVia"] = c.calledVia;
    if (c.secure !== undefined) out["aws:SecureTransport"] = c.secure;
    if (c.dbTag !== undefined) out["rds:db-tag/environment"] = c.dbTag;
    return out;
  });

export const differentialCase: fc.Arbitrary<DifferentialCase> = fc
  .record({ action: fc.constantFrom(...REQUEST_ACTIONS), resource: fc.constantFrom(...REQUEST_RESOURCES), context })
  .chain((request) =>
    fc
      .array(policy(request.action, request.resource), { minLength: 1, maxLength: 2 })
      .map((docs) => ({ ...request, policies: docs.map((document, i) => ({ name: `policy-${i}`, document })) })),
  );

const ORACLE_DECISIONS: Readonly<Record<string, Decision>> = {
  Allowed: "allow",
  ExplicitlyDenied: "explicit-deny",
  ImplicitlyDenied: "implicit-deny",
};

export function oracleDecision(c: DifferentialCase): Decision {
  const result = runUnsafeSimulation(
    {
      request: { principal: PRINCIPAL, action: c.action, resource: { resource: c.resource, accountId: ACCOUNT }, contextVariables: c.context },
      identityPolicies: c.policies.map((p) => ({ name: p.name, policy: p.document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  const decision = ORACLE_DECISIONS[result];
  if (!decision) throw new Error(`oracle returned "${String(result)}"`);
  return decision;
}

export function evaluatorResult(c: DifferentialCase): AccessEvaluation {
  const set = compilePolicies(c.policies.map((p) => ({ name: p.name, document: p.document })));
  return evaluateAccess(set, { action: c.action, resource: c.resource, context: { values: c.context, absentUnlessListed: "all" } });
}

/** explicit-deny < implicit-deny < allow: how permissive an outcome is. */
const PERMISSIVENESS: Readonly<Record<Decision, number>> = { "explicit-deny": 0, "implicit-deny": 1, allow: 2 };

export type Comparison = { agrees: true; certain: boolean } | { agrees: false; why: string };

export function compareWithOracle(c: DifferentialCase): Comparison {
  const ours = evaluatorResult(c);
  const oracle = oracleDecision(c);
  if (ours.kind === "cannot-verify") return { agrees: false, why: `cannot-verify on a well-formed policy: ${ours.problems.map((p) => p.message).join("; ")}` };
  if (!ours.uncertain) {
    return ours.decision === oracle ? { agrees: true, certain: true } : { agrees: false, why: `evaluator is certain of ${ours.decision}, oracle says ${oracle}` };
  }
  const low = PERMISSIVENESS[ours.mostRestrictive];
  const high = PERMISSIVENESS[ours.decision];
  const o = PERMISSIVENESS[oracle];
  if (low <= o && o <= high) return { agrees: true, certain: false };
  return {
    agrees: false,
    why: `oracle says ${oracle}, outside the evaluator's range ${ours.mostRestrictive}..${ours.decision} (uncertain: ${[...ours.allowedBy, ...ours.deniedBy].flatMap((m) => m.uncertainBecause).join("; ")})`,
  };
}

export interface DifferentialRun {
  cases: number;
  certain: number;
  seed: number;
  failure?: string;
}

/** Runs `cases` generated cases from `seed`; a failure carries the seed, path and shrunk counterexample. */
export function runDifferential(cases: number, seed: number): DifferentialRun {
  let total = 0;
  let certain = 0;
  const details = fc.check(
    fc.property(differentialCase, (c) => {
      const comparison = compareWithOracle(c);
      if (!comparison.agrees) throw new Error(comparison.why);
      total++;
      if (comparison.certain) certain++;
      return true;
    }),
    { numRuns: cases, seed },
  );
  if (details.failed) {
    const counterexample = details.counterexample ? JSON.stringify(details.counterexample[0], null, 2) : "(none)";
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    return {
      cases: total,
      certain,
      seed,
      failure: `seed ${details.seed}, path "${details.counterexamplePath}": ${error}\ncounterexample: ${counterexample}`,
    };
  }
  return { cases: total, certain, seed };
}
