/**
 * The IAM principals a stack declares (roles, users, groups) and every policy that applies to
 * each: inline policies, `RolePolicy`/`UserPolicy`/`GroupPolicy`, customer managed
 * `aws:iam/policy:Policy` resources and AWS managed policies attached by ARN (through
 * `*PolicyAttachment`, `PolicyAttachment` or a role's `managedPolicyArns`), and a user's groups.
 *
 * Links are followed the way the engine shows them: in a preview a reference (`role: role.name`,
 * `policyArn: policy.arn`) is unknown and the property dependency names the resource; in an update
 * it is the name or ARN itself. A policy whose document is unknown until deployment is marked so
 * (its check is deferred); one that can never be known here (a customer managed policy from
 * outside the stack) is marked unverifiable, so the rules fail closed.
 *
 * Not exported from ./index: it reads engine views (lib/properties, lib/rule), which the
 * components, who also import the evaluator, have no use for.
 */
import { type PlainProps, type Reading, UNKNOWN_SENTINELS, describeValue, isUnknownValue, parseJsonText, readObject, readRaw, readString, toObject, toStringList, unwrapValue } from "../properties";
import type { ResourceView, StackView } from "../rule";
import { type AwsManagedPolicy, lookupManagedPolicyArn } from "./aws-managed-policies";
import {
  IAM_ROLE,
  IAM_USER,
  IAM_GROUP,
  IAM_POLICY,
  IAM_ROLE_POLICY,
  IAM_USER_POLICY,
  IAM_GROUP_POLICY,
  IAM_ROLE_POLICY_ATTACHMENT,
  IAM_USER_POLICY_ATTACHMENT,
  IAM_GROUP_POLICY_ATTACHMENT,
  IAM_POLICY_ATTACHMENT,
  IAM_GROUP_MEMBERSHIP,
  IAM_USER_GROUP_MEMBERSHIP,
} from "../tokens";


// Type tokens, checked against the `__pulumiType` of the @pulumi/aws 7.x classes named beside them.

export type PrincipalKind = "role" | "user" | "group";

const PRINCIPAL_TYPES: Readonly<Record<string, PrincipalKind>> = { [IAM_ROLE]: "role", [IAM_USER]: "user", [IAM_GROUP]: "group" };

export type PolicyDocumentState =
  | { state: "known"; document: unknown }
  /** Unknown until deployment: judged at `pulumi up`. */
  | { state: "unknown"; why: string }
  /** Can never be read from the program: the rules fail closed. */
  | { state: "unverifiable"; why: string };

export interface AttachedPolicy {
  /** Names the policy in messages and as the evaluator's policy name. */
  label: string;
  /** The resource that declares the policy or the attachment. */
  source: ResourceView;
  document: PolicyDocumentState;
  /** For an AWS managed policy summarized in aws-managed-policies.ts. */
  managed?: AwsManagedPolicy;
}

export interface StackPrincipal {
  kind: PrincipalKind;
  view: ResourceView;
  /** Its own policies, and for a user those of its groups. */
  policies: AttachedPolicy[];
}

export interface StackIam {
  principals: StackPrincipal[];
  /** Policies that attach to no principal of the stack (an unattached customer managed policy, or a principal outside the stack). */
  detachedPolicies: AttachedPolicy[];
}

/** True when any string inside the value is one of the engine's unknown sentinels. */
function containsUnknown(value: unknown, seen = new Set<object>()): boolean {
  if (isUnknownValue(value)) return true;
  // A JSON document serialized around an unknown value carries the sentinel inside the text.
  if (typeof value === "string") return value.length > 36 && [...UNKNOWN_SENTINELS].some((s) => value.includes(s));
  if (value === null || typeof value !== "object" || seen.has(value)) return false;
  // Each object is walked once: `plainDeep` keeps shared members shared, and a value reached a
  // second time has already answered false (a true answer ends the walk).
  seen.add(value);
  return Object.values(value as Record<string, unknown>).some((v) => containsUnknown(v, seen));
}

function documentAt(props: PlainProps, path: string): PolicyDocumentState {
  const r = readRaw(props, path);
  if (r.state === "unknown") return { state: "unknown", why: `${path} is unknown until deployment` };
  if (r.state === "absent") return { state: "unverifiable", why: `${path} is not set` };
  if (r.state === "invalid") return { state: "unverifiable", why: `${path} cannot be read` };
  return documentValue(r.value, path);
}

/**
 * Deeper than any IAM policy document can be (Statement, statement, Condition, operator, key,
 * values: six levels); a deeper value is not a policy document the rules could vouch for.
 */
const MAX_DOCUMENT_DEPTH = 32;

/** Why a document given as an object cannot be read as JSON. */
class NotJsonDocument extends Error {}

/**
 * A document given as an object may still hold the engine's proxies and secrets at any depth.
 * Each object is converted once (`done`), so a value shared by many members costs one walk, not
 * one per path to it; an object met again on its own path (`path`) is a cycle, which no JSON
 * document has. Values over the wire are JSON; shared and cyclic objects come only from programs
 * that call the rules in process.
 */
function plainDeep(value: unknown, depth: number, path: Set<object>, done: Map<object, unknown>): unknown {
  const v = unwrapValue(value);
  if (v === null || typeof v !== "object") return v;
  const converted = done.get(v);
  if (converted !== undefined) return converted;
  if (path.has(v)) throw new NotJsonDocument("contains itself (a reference cycle)");
  if (depth >= MAX_DOCUMENT_DEPTH) throw new NotJsonDocument(`is nested more than ${MAX_DOCUMENT_DEPTH} levels deep`);
  path.add(v);
  let out: unknown;
  if (Array.isArray(v)) out = v.map((item) => plainDeep(item, depth + 1, path, done));
  else {
    const members: Record<string, unknown> = {};
    for (const [k, member] of Object.entries(v as Record<string, unknown>)) members[k] = plainDeep(member, depth + 1, path, done);
    out = members;
  }
  path.delete(v);
  done.set(v, out);
  return out;
}

/** The state of a policy document value (object or JSON text) read from a property. */
export function documentValue(value: unknown, path: string): PolicyDocumentState {
  let plain: unknown;
  try {
    plain = plainDeep(value, 0, new Set(), new Map());
  } catch (e) {
    if (!(e instanceof NotJsonDocument)) throw e;
    return { state: "unverifiable", why: `${path} ${e.message}, so it is not a JSON policy document` };
  }
  if (containsUnknown(plain)) return { state: "unknown", why: `part of ${path} is unknown until deployment` };
  return { state: "known", document: plain };
}

/** Heuristic for AWS managed policies the table does not summarize: their names say whether they may touch databases. */
function mayConcernDatabases(path: string): boolean {
  return /RDS|DynamoDB|Backup|Aurora|Database|Administrator|PowerUser/i.test(path) && !/ReadOnly/i.test(path);
}

function lastPathSegment(text: string): string {
  return text.slice(text.lastIndexOf("/") + 1);
}

interface Index {
  byUrn: Map<string, StackPrincipal>;
  byKindAndName: Map<string, StackPrincipal>;
  policiesByUrn: Map<string, ResourceView>;
  policiesByArnOrName: Map<string, ResourceView>;
}

function principalName(view: ResourceView): string | undefined {
  const name = readString(view.props, "name");
  return name.state === "known" ? name.value : undefined;
}

/** The principals of `kind` a reference property points at: by dependency (preview), by name or ARN (update). */
function resolvePrincipals(view: ResourceView, property: string, kind: PrincipalKind, index: Index): { principals: StackPrincipal[]; outside: string[] } {
  const principals: StackPrincipal[] = [];
  for (const urn of view.propertyDependencies?.[property] ?? []) {
    const p = index.byUrn.get(urn);
    if (p && p.kind === kind) principals.push(p);
  }
  const outside: string[] = [];
  const raw = readRaw(view.props, property);
  const refs: string[] = [];
  if (raw.state === "known") {
    // A list (or JSON text of one), or a single name.
    const list = toStringList(raw.value);
    if (list.state === "known") refs.push(...list.value);
    else if (typeof raw.value === "string") refs.push(raw.value);
  }
  for (const ref of refs) {
    const p = index.byKindAndName.get(`${kind}:${ref}`) ?? index.byKindAndName.get(`${kind}:${lastPathSegment(ref)}`);
    if (p) {
      if (!principals.includes(p)) principals.push(p);
    } else if (principals.length === 0) outside.push(ref);
  }
  return { principals, outside };
}

/**
 * The entries of a list property as the engine or a program may give it: a list, JSON text of a
 * list, or a single entry (an ARN, a block, or JSON text of a block). Numbers, booleans and null
 * are not lists.
 */
function entriesOf(value: unknown): { state: "known"; entries: unknown[] } | { state: "invalid"; raw: unknown } {
  const v = unwrapValue(value);
  if (Array.isArray(v)) return { state: "known", entries: v.map((e) => unwrapValue(e)) };
  if (typeof v === "string") {
    const parsed = parseJsonText(v);
    return { state: "known", entries: Array.isArray(parsed) ? parsed.map((e) => unwrapValue(e)) : [v] };
  }
  if (v !== null && typeof v === "object") return { state: "known", entries: [v] };
  return { state: "invalid", raw: v };
}

function customerPolicy(view: ResourceView): AttachedPolicy {
  return { label: `aws:iam/policy:Policy "${view.name}"`, source: view, document: documentAt(view.props, "policy") };
}

/**
 * What a `policyArn` (or a managedPolicyArns entry) stands for. An ARN unknown until deployment is
 * the stack's policy it depends on (`taken`: the dependencies earlier unknown entries of the same
 * list stand for); an absent or wrong-typed ARN attaches nothing AWS would accept, so it cannot be
 * vouched for.
 */
function attachedByArn(source: ResourceView, reading: Reading<string>, dependencies: readonly string[], index: Index, used: Set<string>, taken: Set<string> = new Set()): AttachedPolicy | undefined {
  const label = `a policy attached by ${source.type.split(":").pop()} "${source.name}"`;
  if (reading.state === "absent") return { label, source, document: { state: "unverifiable", why: "policyArn is not set" } };
  if (reading.state === "invalid") return { label, source, document: { state: "unverifiable", why: `the policy ARN is ${describeValue(reading.raw)}, not an ARN` } };
  if (reading.state === "unknown") {
    const policy = dependencies.map((urn) => index.policiesByUrn.get(urn)).find((v): v is ResourceView => v !== undefined && !taken.has(v.urn));
    if (policy) {
      used.add(policy.urn);
      taken.add(policy.urn);
      return customerPolicy(policy);
    }
    return { label, source, document: { state: "unknown", why: "its policy ARN is unknown until deployment" } };
  }
  const arn = reading.value;
  const found = lookupManagedPolicyArn(arn);
  switch (found.kind) {
    case "aws-managed":
      return { label: `AWS managed policy "${found.policy.name}"`, source, document: { state: "known", document: found.policy.document }, managed: found.policy };
    case "aws-managed-unknown":
      if (!mayConcernDatabases(found.path)) return undefined;
      return { label: `AWS managed policy "${found.path}"`, source, document: { state: "unverifiable", why: `AWS managed policy ${found.path} is not among the policies this pack knows (lib/iam/aws-managed-policies.ts)` } };
    case "customer-managed": {
      const policy = index.policiesByArnOrName.get(arn) ?? index.policiesByArnOrName.get(lastPathSegment(found.path));
      if (policy) {
        used.add(policy.urn);
        return customerPolicy(policy);
      }
      return { label: `customer managed policy "${arn}"`, source, document: { state: "unverifiable", why: `${arn} is not defined in this stack, so its document cannot be read` } };
    }
    case "not-a-policy-arn":
      return { label: `policy "${arn}" attached by "${source.name}"`, source, document: { state: "unverifiable", why: `"${arn}" is not an IAM policy ARN` } };
  }
}

const built = new WeakMap<StackView, StackIam>();

/**
 * The principals and their policies of a stack, built once per stack view: the three IAM rules
 * each ask for them in the same AnalyzeStack call. Nothing changes the result after it is built.
 */
export function buildStackIam(stack: StackView): StackIam {
  let iam = built.get(stack);
  if (!iam) {
    iam = scanStackIam(stack);
    built.set(stack, iam);
  }
  return iam;
}

/** Builds the principals and their policies, in one pass over the stack. */
function scanStackIam(stack: StackView): StackIam {
  const index: Index = { byUrn: new Map(), byKindAndName: new Map(), policiesByUrn: new Map(), policiesByArnOrName: new Map() };
  const principals: StackPrincipal[] = [];
  for (const view of stack.resources) {
    const kind = PRINCIPAL_TYPES[view.type];
    if (kind) {
      const p: StackPrincipal = { kind, view, policies: [] };
      principals.push(p);
      index.byUrn.set(view.urn, p);
      const name = principalName(view);
      if (name) index.byKindAndName.set(`${kind}:${name}`, p);
      const arn = readString(view.props, "arn");
      if (arn.state === "known") index.byKindAndName.set(`${kind}:${arn.value}`, p);
    } else if (view.type === IAM_POLICY) {
      index.policiesByUrn.set(view.urn, view);
      const arn = readString(view.props, "arn");
      if (arn.state === "known") index.policiesByArnOrName.set(arn.value, view);
      const name = principalName(view);
      if (name) index.policiesByArnOrName.set(name, view);
    }
  }

  const detached: AttachedPolicy[] = [];
  const usedPolicies = new Set<string>();
  const attach = (targets: { principals: StackPrincipal[]; outside: string[] }, policy: AttachedPolicy | undefined) => {
    if (!policy) return;
    for (const p of targets.principals) p.policies.push(policy);
    if (targets.principals.length === 0) detached.push(policy);
  };
  const memberships: Array<{ user: StackPrincipal; group: StackPrincipal }> = [];

  for (const view of stack.resources) {
    switch (view.type) {
      case IAM_ROLE: {
        const role = index.byUrn.get(view.urn)!;
        const inline = readRaw(view.props, "inlinePolicies");
        const inlineLabel = `inline policies of role "${view.name}"`;
        if (inline.state === "unknown") role.policies.push({ label: inlineLabel, source: view, document: { state: "unknown", why: "inlinePolicies is unknown until deployment" } });
        else if (inline.state === "known") {
          const list = entriesOf(inline.value);
          if (list.state === "invalid") {
            role.policies.push({ label: inlineLabel, source: view, document: { state: "unverifiable", why: `inlinePolicies is ${describeValue(list.raw)}, not a list of {name, policy} blocks` } });
          }
          (list.state === "known" ? list.entries : []).forEach((entry, i) => {
            const entryLabel = `inline policy #${i + 1} of role "${view.name}"`;
            if (isUnknownValue(entry)) {
              role.policies.push({ label: entryLabel, source: view, document: { state: "unknown", why: `${entryLabel} is unknown until deployment` } });
              return;
            }
            const block = toObject(entry);
            if (block.state !== "known") {
              role.policies.push({ label: entryLabel, source: view, document: { state: "unverifiable", why: `it is ${describeValue(entry)}, not a {name, policy} block` } });
              return;
            }
            const name = readString(block.value, "name");
            role.policies.push({ label: `inline policy "${name.state === "known" ? name.value : i}" of role "${view.name}"`, source: view, document: documentAt(block.value, "policy") });
          });
        }
        const managed = readRaw(view.props, "managedPolicyArns");
        if (managed.state === "known") {
          const list = entriesOf(managed.value);
          if (list.state === "invalid") {
            role.policies.push({ label: `managed policies of role "${view.name}"`, source: view, document: { state: "unverifiable", why: `managedPolicyArns is ${describeValue(list.raw)}, not a list of policy ARNs` } });
          }
          const deps = view.propertyDependencies?.managedPolicyArns ?? [];
          const taken = new Set<string>();
          for (const entry of list.state === "known" ? list.entries : []) {
            const reading: Reading<string> = isUnknownValue(entry) ? { state: "unknown" } : typeof entry === "string" ? { state: "known", value: entry } : { state: "invalid", raw: entry, expected: "a policy ARN" };
            attach({ principals: [role], outside: [] }, attachedByArn(view, reading, deps, index, usedPolicies, taken));
          }
        } else if (managed.state === "unknown") {
          role.policies.push({ label: `managed policies of role "${view.name}"`, source: view, document: { state: "unknown", why: "managedPolicyArns is unknown until deployment" } });
        }
        break;
      }
      case IAM_ROLE_POLICY:
      case IAM_USER_POLICY:
      case IAM_GROUP_POLICY: {
        const [property, kind] = view.type === IAM_ROLE_POLICY ? ["role", "role" as const] : view.type === IAM_USER_POLICY ? ["user", "user" as const] : ["group", "group" as const];
        attach(resolvePrincipals(view, property, kind, index), { label: `${view.type.split(":").pop()} "${view.name}"`, source: view, document: documentAt(view.props, "policy") });
        break;
      }
      case IAM_ROLE_POLICY_ATTACHMENT:
      case IAM_USER_POLICY_ATTACHMENT:
      case IAM_GROUP_POLICY_ATTACHMENT: {
        const [property, kind] =
          view.type === IAM_ROLE_POLICY_ATTACHMENT ? ["role", "role" as const] : view.type === IAM_USER_POLICY_ATTACHMENT ? ["user", "user" as const] : ["group", "group" as const];
        attach(resolvePrincipals(view, property, kind, index), attachedByArn(view, readString(view.props, "policyArn"), view.propertyDependencies?.policyArn ?? [], index, usedPolicies));
        break;
      }
      case IAM_POLICY_ATTACHMENT: {
        const policy = attachedByArn(view, readString(view.props, "policyArn"), view.propertyDependencies?.policyArn ?? [], index, usedPolicies);
        const targets = { principals: [] as StackPrincipal[], outside: [] as string[] };
        for (const [property, kind] of [["roles", "role"], ["users", "user"], ["groups", "group"]] as const) {
          const t = resolvePrincipals(view, property, kind, index);
          targets.principals.push(...t.principals);
          targets.outside.push(...t.outside);
        }
        attach(targets, policy);
        break;
      }
      case IAM_GROUP_MEMBERSHIP: {
        const groups = resolvePrincipals(view, "group", "group", index).principals;
        const users = resolvePrincipals(view, "users", "user", index).principals;
        for (const group of groups) for (const user of users) memberships.push({ user, group });
        break;
      }
      case IAM_USER_GROUP_MEMBERSHIP: {
        const users = resolvePrincipals(view, "user", "user", index).principals;
        const groups = resolvePrincipals(view, "groups", "group", index).principals;
        for (const group of groups) for (const user of users) memberships.push({ user, group });
        break;
      }
    }
  }
  // Group policies apply to their members (after every group has its policies).
  for (const { user, group } of memberships) {
    for (const policy of group.policies) if (!user.policies.includes(policy)) user.policies.push(policy);
  }
  for (const [urn, view] of index.policiesByUrn) if (!usedPolicies.has(urn)) detached.push(customerPolicy(view));
  return { principals, detachedPolicies: detached };
}

/** A role's tags, as far as they are known. */
export function principalTags(view: ResourceView): Record<string, string> | undefined {
  const tags = readObject(view.props, "tags");
  if (tags.state !== "known") return tags.state === "absent" ? {} : undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags.value)) if (typeof v === "string" && !isUnknownValue(v)) out[k] = v;
  return out;
}
