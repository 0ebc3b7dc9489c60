/**
 * Decides whether a set of policies lets a principal perform an action on a resource, in AWS's
 * order: an explicit Deny wins, then an Allow, otherwise the request is implicitly denied.
 *
 * The answer is a range, because a policy pack sees programs rather than requests: `decision` is
 * the most permissive outcome consistent with what is known (an Allow that may apply applies; a
 * Deny that may not apply does not), `mostRestrictive` the least permissive one. When they differ
 * the result is `uncertain`. Questions of the form "can this role destroy production?" read
 * `decision`; questions of the form "is this legitimate restore still possible?" read
 * `mostRestrictive`. A document that cannot be parsed yields `cannot-verify`, never a decision.
 */
import { type CompiledCondition, compileCondition, evaluateConditions } from "./conditions";
import { type ParsedPolicy, type PolicyKind, type PolicyStatement, describeStatement, parsePolicyDocument } from "./policy-document";
import { type ContextIndex, type RequestContext, contextIndexOf } from "./request-context";
import { type CompiledResourcePattern, type RequestResource, compileResourcePattern, matchResourcePattern, parseRequestResource } from "./resource-match";
import { type TriState, triAll, triAny, triNot } from "./tri-state";
import { type ResolvedToken, tokenizePolicyString, tokensGlob } from "./wildcard";

export type Decision = "allow" | "explicit-deny" | "implicit-deny";

export interface PolicyInput {
  /** Names the policy in messages (the Pulumi resource, the managed policy ARN). */
  name: string;
  /** An object or a JSON string. */
  document: unknown;
  /** Default "identity". */
  kind?: PolicyKind;
}

export interface PolicyProblem {
  policyName: string;
  message: string;
}

export interface CompiledStatement {
  readonly policyName: string;
  readonly statement: PolicyStatement;
  readonly actionMatchers: readonly ((action: string) => boolean)[];
  readonly resources?: readonly CompiledResourcePattern[];
  readonly conditions: readonly CompiledCondition[];
  /** `statement "AllowRestore" (#2) of policy "restore-inline"`. */
  readonly label: string;
}

/** Policies parsed and compiled once, to be asked many questions. */
export interface CompiledPolicySet {
  readonly policies: readonly ParsedPolicy[];
  readonly problems: readonly PolicyProblem[];
  readonly statements: readonly CompiledStatement[];
}

function compileActionPattern(pattern: string): (action: string) => boolean {
  if (pattern === "*") return () => true;
  const glob = tokensGlob(tokenizePolicyString(pattern, { wildcards: true, variables: false }) as ResolvedToken[]);
  // Action names are case-insensitive in AWS.
  return (action) => glob.test(action, true);
}

function compileStatement(policy: ParsedPolicy, statement: PolicyStatement): CompiledStatement {
  return {
    policyName: policy.name,
    statement,
    actionMatchers: statement.action.patterns.map(compileActionPattern),
    resources: statement.resource?.patterns.map((p) => compileResourcePattern(p, policy.variablesEnabled)),
    conditions: statement.conditions.map((c) => compileCondition(c, policy.variablesEnabled)),
    label: describeStatement(policy.name, statement),
  };
}

/** Parses and compiles every policy; problems in any of them make every later evaluation "cannot-verify". */
export function compilePolicies(inputs: readonly PolicyInput[]): CompiledPolicySet {
  const policies: ParsedPolicy[] = [];
  const problems: PolicyProblem[] = [];
  const statements: CompiledStatement[] = [];
  for (const input of inputs) {
    const parsed = parsePolicyDocument(input.document, { name: input.name, kind: input.kind });
    if (!parsed.ok) {
      problems.push(...parsed.problems.map((message) => ({ policyName: input.name, message })));
      continue;
    }
    policies.push(parsed.policy);
    for (const s of parsed.policy.statements) statements.push(compileStatement(parsed.policy, s));
  }
  return { policies, problems, statements };
}

export interface AccessRequest {
  /** `service:Action`, e.g. `rds:DeleteDBInstance` (any letter case). */
  action: string;
  /** The resource ARN; `*` in it marks parts the caller does not know. `"*"` alone: an action without resource-level permissions. */
  resource: string;
  context?: RequestContext;
  /** For trust and resource policies: the calling principal's ARN, or a service principal (`backup.amazonaws.com`). Unset: any principal. */
  principal?: string;
}

export interface StatementMatch {
  policyName: string;
  statementIndex: number;
  sid?: string;
  effect: "Allow" | "Deny";
  /** "yes": the statement applies to the request; "maybe": it may, depending on what is unknown. */
  applies: "yes" | "maybe";
  /** Why "maybe". */
  uncertainBecause: string[];
  /** `statement "AllowRestore" (#2) of policy "restore-inline"`. */
  label: string;
}

export interface DecidedEvaluation {
  kind: "decided";
  /** The most permissive outcome consistent with what is known. */
  decision: Decision;
  /** The least permissive outcome consistent with what is known. */
  mostRestrictive: Decision;
  uncertain: boolean;
  /** Allow statements that apply or may apply. */
  allowedBy: StatementMatch[];
  /** Deny statements that apply or may apply. */
  deniedBy: StatementMatch[];
}

export interface CannotVerify {
  kind: "cannot-verify";
  problems: PolicyProblem[];
}

export type AccessEvaluation = DecidedEvaluation | CannotVerify;

const ACTION_NAME = /^[A-Za-z0-9-]+:[A-Za-z0-9]+$/;
const ACCOUNT_ID = /^\d{12}$/;

/** Whether a Principal element names the request's principal. */
function matchPrincipal(statement: PolicyStatement, principal: string | undefined): { result: TriState; reason?: string } {
  if (!statement.principal) return { result: "yes" };
  const { negated, principals } = statement.principal;
  let result: TriState;
  let reason: string | undefined;
  if (principals.everyone || principals.aws.includes("*")) {
    result = "yes";
  } else if (principal === undefined) {
    result = "maybe";
    reason = "the calling principal is not given";
  } else {
    const account = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
    const candidates: TriState[] = [];
    for (const id of principals.aws) {
      if (id === principal) candidates.push("yes");
      else if (ACCOUNT_ID.test(id) || /^arn:[^:]+:iam::\d{12}:root$/.test(id)) {
        // A whole account as principal admits every principal of that account (its own policies decide the rest).
        const idAccount = ACCOUNT_ID.test(id) ? id : id.split(":")[4];
        candidates.push(account === idAccount ? "yes" : "no");
      } else if (id.toLowerCase() === principal.toLowerCase()) {
        candidates.push("maybe");
        reason = "principal ARNs differ only in letter case";
      } else candidates.push("no");
    }
    for (const group of [principals.service, principals.federated, principals.canonicalUser]) {
      for (const id of group) {
        if (id === principal) candidates.push("yes");
        else if (id.toLowerCase() === principal.toLowerCase()) {
          candidates.push("maybe");
          reason = "principal names differ only in letter case";
        } else candidates.push("no");
      }
    }
    result = triAny(candidates);
  }
  return { result: negated ? triNot(result) : result, reason };
}

function matchResources(compiled: CompiledStatement, resource: RequestResource, context: ContextIndex): { result: TriState; reasons: string[] } {
  const element = compiled.statement.resource;
  if (!element || !compiled.resources) return { result: "yes", reasons: [] };
  const reasons: string[] = [];
  const results = compiled.resources.map((pattern) => {
    const m = matchResourcePattern(pattern, resource, context);
    if (m.result === "maybe" && m.reason) reasons.push(`resource pattern "${pattern.raw}": ${m.reason}`);
    return m.result;
  });
  const any = triAny(results);
  return { result: element.negated ? triNot(any) : any, reasons };
}

/** Whether a statement's Action (or NotAction) element covers the action. */
function coversAction(compiled: CompiledStatement, action: string): boolean {
  return compiled.actionMatchers.some((m) => m(action)) !== compiled.statement.action.negated;
}

/** Distinct actions remembered per policy set; more (a fuzzer's) are filtered without memo. */
const ACTIONS_REMEMBERED = 2_000;
const statementsByAction = new WeakMap<CompiledPolicySet, Map<string, readonly CompiledStatement[]>>();

/**
 * The statements whose Action element covers `action`, in document order: a policy set is asked
 * about the same few actions against many resources and contexts (every production probe), and
 * most statements of a long policy name other actions.
 */
export function statementsFor(policies: CompiledPolicySet, action: string): readonly CompiledStatement[] {
  let byAction = statementsByAction.get(policies);
  if (!byAction) {
    byAction = new Map();
    statementsByAction.set(policies, byAction);
  }
  let statements = byAction.get(action);
  if (!statements) {
    statements = policies.statements.filter((c) => coversAction(c, action));
    if (byAction.size < ACTIONS_REMEMBERED) byAction.set(action, statements);
  }
  return statements;
}

/**
 * True when no statement covering `action` has a Condition or a resource pattern with policy
 * variables: the request context cannot change a decision on it, only the resource can.
 */
export function decidedWithoutContext(policies: CompiledPolicySet, action: string): boolean {
  return statementsFor(policies, action).every((c) => c.conditions.length === 0 && !(c.resources ?? []).some((p) => p.needsContext));
}

/** Whether a statement whose Action element covers the request applies to it. */
function statementApplies(compiled: CompiledStatement, request: AccessRequest, resource: RequestResource, context: ContextIndex): { applies: TriState; reasons: string[] } {
  const principal = matchPrincipal(compiled.statement, request.principal);
  if (principal.result === "no") return { applies: "no", reasons: [] };
  const resources = matchResources(compiled, resource, context);
  if (resources.result === "no") return { applies: "no", reasons: [] };
  const conditions = evaluateConditions(compiled.conditions, context);
  const applies = triAll([principal.result, resources.result, conditions.result]);
  if (applies !== "maybe") return { applies, reasons: [] };
  const reasons = [...resources.reasons, ...conditions.uncertainBecause];
  if (principal.result === "maybe" && principal.reason) reasons.unshift(principal.reason);
  return { applies, reasons };
}

/** Evaluates one request against a compiled policy set. */
export function evaluateAccess(policies: CompiledPolicySet, request: AccessRequest): AccessEvaluation {
  if (policies.problems.length > 0) return { kind: "cannot-verify", problems: [...policies.problems] };
  if (!ACTION_NAME.test(request.action)) {
    return { kind: "cannot-verify", problems: [{ policyName: "(request)", message: `"${request.action}" is not an action name of the form service:Action` }] };
  }
  if (request.resource !== "*" && !request.resource.startsWith("arn:")) {
    return { kind: "cannot-verify", problems: [{ policyName: "(request)", message: `"${request.resource}" is neither "*" nor an ARN` }] };
  }
  const context = contextIndexOf(request.context);
  const resource = parseRequestResource(request.resource);
  const allowedBy: StatementMatch[] = [];
  const deniedBy: StatementMatch[] = [];
  for (const compiled of statementsFor(policies, request.action)) {
    const { applies, reasons } = statementApplies(compiled, request, resource, context);
    if (applies === "no") continue;
    const s = compiled.statement;
    const match: StatementMatch = {
      policyName: compiled.policyName,
      statementIndex: s.index,
      sid: s.sid,
      effect: s.effect,
      applies,
      uncertainBecause: reasons,
      label: compiled.label,
    };
    (s.effect === "Deny" ? deniedBy : allowedBy).push(match);
  }
  const certainDeny = deniedBy.some((m) => m.applies === "yes");
  const certainAllow = allowedBy.some((m) => m.applies === "yes");
  let decision: Decision;
  let mostRestrictive: Decision;
  if (certainDeny) {
    decision = "explicit-deny";
    mostRestrictive = "explicit-deny";
  } else {
    decision = allowedBy.length > 0 ? "allow" : "implicit-deny";
    mostRestrictive = deniedBy.length > 0 ? "explicit-deny" : certainAllow ? "allow" : "implicit-deny";
  }
  return { kind: "decided", decision, mostRestrictive, uncertain: decision !== mostRestrictive, allowedBy, deniedBy };
}

/** One resource an API call is authorized against, with the context AWS sees for it. */
export interface Authorization {
  /** What the ARN is to the call: "target DB instance", "source snapshot", "option group". */
  role: string;
  resource: string;
  context?: RequestContext;
  /** The action AWS authorizes on this ARN, when it is not the call's own (DynamoDB restores write their target with item actions). */
  action?: string;
}

export interface ApiCall {
  action: string;
  /** AWS authorizes the call against every one of these; all must be allowed. */
  authorizations: readonly Authorization[];
  principal?: string;
}

export interface ApiCallEvaluation {
  kind: "decided";
  decision: Decision;
  mostRestrictive: Decision;
  uncertain: boolean;
  perResource: Array<{ role: string; action: string; resource: string; evaluation: DecidedEvaluation }>;
}

export interface ApiCallOptions {
  /**
   * Stop at the first authorization the most permissive reading refuses: for callers that only ask
   * whether the call may be allowed. A refused call's `decision` and `mostRestrictive` then come
   * from the authorizations evaluated so far (an implicit deny may hide a later explicit one), and
   * `perResource` lists only those.
   */
  untilRefused?: boolean;
}

/**
 * An API call that AWS authorizes against several resources (a restore checks the target, the
 * source snapshot, the option group, parameter group and subnet group): allowed only when every
 * authorization is, explicitly denied when any is.
 */
export function evaluateApiCall(policies: CompiledPolicySet, call: ApiCall, options: ApiCallOptions = {}): ApiCallEvaluation | CannotVerify {
  if (call.authorizations.length === 0) {
    return { kind: "cannot-verify", problems: [{ policyName: "(request)", message: `${call.action} names no resource to authorize` }] };
  }
  const perResource: ApiCallEvaluation["perResource"] = [];
  for (const a of call.authorizations) {
    const evaluation = evaluateAccess(policies, { action: a.action ?? call.action, resource: a.resource, context: a.context, principal: call.principal });
    if (evaluation.kind === "cannot-verify") return evaluation;
    perResource.push({ role: a.role, action: a.action ?? call.action, resource: a.resource, evaluation });
    if (options.untilRefused && evaluation.decision !== "allow") break;
  }
  const combine = (pick: (e: DecidedEvaluation) => Decision): Decision => {
    const decisions = perResource.map((p) => pick(p.evaluation));
    if (decisions.includes("explicit-deny")) return "explicit-deny";
    if (decisions.includes("implicit-deny")) return "implicit-deny";
    return "allow";
  };
  const decision = combine((e) => e.decision);
  const mostRestrictive = combine((e) => e.mostRestrictive);
  return { kind: "decided", decision, mostRestrictive, uncertain: decision !== mostRestrictive, perResource };
}
