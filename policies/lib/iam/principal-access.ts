/**
 * What the pack's IAM rules share: a principal's policies ready for the evaluator (AWS's
 * service-role policies set aside for roles only that service can assume), whether it is a
 * declared break-glass role, where it lives, the production targets to probe, and the probing
 * itself. Built on stack-principals.ts; not exported from ./index for the same reason.
 */
import { effectiveTags } from "../backup-graph";
import { BoundedCache } from "../bounded-cache";
import { readString, toStringList } from "../properties";
import { type ResourceView, type StackView, resourceLabel } from "../rule";
import type { SharedSettings } from "../settings";
import { BACKUP_VAULT, DYNAMODB_TABLE, IAM_POLICY, KMS_KEY, RDS_CLUSTER, RDS_INSTANCE } from "../tokens";
import { type AccessEvaluation, type CompiledPolicySet, type PolicyInput, type StatementMatch, compilePolicies, decidedWithoutContext, evaluateAccess, statementsFor } from "./evaluate";
import { type ProductionKind, type ProductionTarget, type Probe, type ResourceLocation, locationKey, productionProbes, selfEscalationProbes } from "./probes";
import { type AttachedPolicy, type StackPrincipal, documentValue, principalTags } from "./stack-principals";
import { type TrustAnalysis, analyzeTrustPolicy } from "./trust";

export type PolicySetState =
  | { state: "ready"; set: CompiledPolicySet; accepted: AttachedPolicy[] }
  | { state: "deferred"; unknown: AttachedPolicy[] }
  | { state: "unverifiable"; problems: string[] };

type RoleTrust = TrustAnalysis | "unknown" | undefined;

/** Per principal (buildStackIam builds each once per stack): the three IAM rules ask alike. */
const trustMemo = new WeakMap<StackPrincipal, RoleTrust>();
const policySetMemo = new WeakMap<StackPrincipal, { trust: RoleTrust; state: PolicySetState }>();

/** The trust policy of a role, analyzed; undefined for users and groups, "unknown" in a preview. */
export function roleTrust(principal: StackPrincipal): RoleTrust {
  if (trustMemo.has(principal)) return trustMemo.get(principal);
  const trust = analyzeRoleTrust(principal);
  trustMemo.set(principal, trust);
  return trust;
}

function analyzeRoleTrust(principal: StackPrincipal): RoleTrust {
  if (principal.kind !== "role") return undefined;
  const document = documentValue(principal.view.props.assumeRolePolicy, "assumeRolePolicy");
  if (document.state === "unknown") return "unknown";
  if (document.state === "unverifiable") return { kind: "cannot-verify", problems: [document.why] };
  if (document.state !== "known" || document.document === undefined || document.document === null) return { kind: "cannot-verify", problems: ["the role has no assumeRolePolicy"] };
  const name = roleName(principal.view);
  const key = contentKey([document.document, name]);
  let analysis = key === undefined ? undefined : trustByContent.get(key);
  if (!analysis) {
    analysis = analyzeTrustPolicy(document.document, name);
    if (key !== undefined) trustByContent.set(key, analysis);
  }
  return analysis;
}

export function roleName(view: ResourceView): string {
  const name = readString(view.props, "name");
  return name.state === "known" ? name.value : view.name;
}

/**
 * The principal's policies compiled. An AWS service-role policy (AWSBackupServiceRolePolicyFor*)
 * is set aside when only its own service can assume the role: it is that service's need, and the
 * trust policy keeps people out. Anything unknown defers; anything unreadable fails closed.
 */
export function principalPolicySet(principal: StackPrincipal, trust: RoleTrust): PolicySetState {
  const memo = policySetMemo.get(principal);
  if (memo && memo.trust === trust) return memo.state;
  const state = compilePrincipalPolicies(principal, trust);
  policySetMemo.set(principal, { trust, state });
  return state;
}

/**
 * Compiled policy sets and analyzed trust policies by content: the same principals come back in
 * every call for a stack, and the sets' own memos (statements per action) with them. Keys up to
 * 64 KB (a policy document is at most 10 KB in IAM); anything larger is compiled each time.
 */
const compiledByContent = new BoundedCache<CompiledPolicySet>(2_000, 65_536);
const trustByContent = new BoundedCache<TrustAnalysis>(2_000, 65_536);

function contentKey(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function compileRemembered(inputs: PolicyInput[]): CompiledPolicySet {
  const key = contentKey(inputs);
  let set = key === undefined ? undefined : compiledByContent.get(key);
  if (!set) {
    set = compilePolicies(inputs);
    if (key !== undefined) compiledByContent.set(key, set);
  }
  return set;
}

function compilePrincipalPolicies(principal: StackPrincipal, trust: RoleTrust): PolicySetState {
  const unknown = principal.policies.filter((p) => p.document.state === "unknown");
  if (unknown.length > 0) return { state: "deferred", unknown };
  const problems = principal.policies.flatMap((p) => (p.document.state === "unverifiable" ? [`${p.label}: ${p.document.why}`] : []));
  if (problems.length > 0) return { state: "unverifiable", problems };
  const serviceOnly = typeof trust === "object" && trust.kind === "analyzed" && trust.serviceOnly ? new Set(trust.services) : undefined;
  const accepted: AttachedPolicy[] = [];
  const judged: AttachedPolicy[] = [];
  for (const p of principal.policies) {
    const services = p.managed?.acceptedForServices;
    if (services && serviceOnly && [...serviceOnly].every((s) => services.includes(s))) accepted.push(p);
    else judged.push(p);
  }
  const set = compileRemembered(judged.map((p) => ({ name: p.label, document: p.document.state === "known" ? p.document.document : undefined })));
  if (set.problems.length > 0) return { state: "unverifiable", problems: set.problems.map((p) => `${p.policyName}: ${p.message}`) };
  return { state: "ready", set, accepted };
}

export type BreakGlass = { declared: false } | { declared: true; mfa: "required" | "not-required" | "unknown"; why?: string };

/** A role carrying the configured break-glass tag, and whether its trust policy requires MFA. */
export function breakGlassStatus(principal: StackPrincipal, trust: TrustAnalysis | "unknown" | undefined, settings: SharedSettings): BreakGlass {
  if (principal.kind !== "role") return { declared: false };
  const tags = principalTags(principal.view);
  const { key, value } = settings.breakGlassTag;
  if (!tags || tags[key] !== value) return { declared: false };
  if (trust === undefined || trust === "unknown") return { declared: true, mfa: "unknown" };
  if (trust.kind === "cannot-verify") return { declared: true, mfa: "not-required", why: `its trust policy cannot be verified (${trust.problems.join("; ")})` };
  if (trust.mfaGaps.length > 0) return { declared: true, mfa: "not-required", why: trust.mfaGaps.join("; ") };
  // Break glass is for named people with MFA: a trust policy open to every principal, or to a
  // whole account without naming who, is no break-glass role whatever MFA it asks for.
  if (trust.openings.length > 0) return { declared: true, mfa: "not-required", why: trust.openings.join("; ") };
  if (trust.serviceOnly) return { declared: true, mfa: "not-required", why: "only an AWS service can assume it, which cannot use MFA" };
  return { declared: true, mfa: "required" };
}

function partitionOf(region: string | undefined): string | undefined {
  if (region === undefined) return undefined;
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-iso-")) return "aws-iso";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  return "aws";
}

/** Partition, Region and account of a resource, from its provider (a single allowed account pins it). */
export function locationOf(view: ResourceView): ResourceLocation {
  const props = view.provider?.props ?? {};
  const region = readString(props, "region");
  const accounts = toStringList(props.allowedAccountIds);
  const r = region.state === "known" ? region.value : undefined;
  return {
    partition: partitionOf(r),
    region: r,
    account: accounts.state === "known" && accounts.value.length === 1 ? accounts.value[0] : undefined,
  };
}

const KIND_OF: Readonly<Record<string, { kind: ProductionKind; nameProperty: string }>> = {
  [RDS_INSTANCE]: { kind: "rds-instance", nameProperty: "identifier" },
  [RDS_CLUSTER]: { kind: "rds-cluster", nameProperty: "clusterIdentifier" },
  [DYNAMODB_TABLE]: { kind: "dynamodb-table", nameProperty: "name" },
  [BACKUP_VAULT]: { kind: "backup-vault", nameProperty: "name" },
};

/**
 * What to probe: every kind of production resource anywhere in the principal's account (by tag),
 * and each production database and vault of this stack by its name as well (production by name,
 * even untagged).
 */
export function productionTargets(stack: StackView, location: ResourceLocation): ProductionTarget[] {
  // Every principal of a stack asks, mostly from the same location: scanning the stack once per
  // principal made the IAM rules quadratic in the stack's size.
  const key = locationKey(location);
  let byLocation = targetMemo.get(stack);
  if (!byLocation) {
    byLocation = new Map();
    targetMemo.set(stack, byLocation);
  }
  let targets = byLocation.get(key);
  if (!targets) {
    targets = scanProductionTargets(stack, location);
    byLocation.set(key, targets);
  }
  return targets;
}

const targetMemo = new WeakMap<StackView, Map<string, ProductionTarget[]>>();

/** The longest name AWS allows for a DynamoDB table; RDS identifiers (63) and Backup vaults (50) are shorter. */
const MAX_AWS_NAME_LENGTH = 255;

/**
 * Where each kind names the customer managed KMS key its data (and its snapshots and recovery
 * points) is encrypted with, and the property whose dependencies lead to a key of the stack. Unset,
 * the data uses a key AWS manages (aws/rds, aws/dynamodb, aws/backup) or owns, which no principal
 * can delete or disable.
 */
const KEY_PROPERTY: Readonly<Record<string, { path: string; dependencyProperty: string }>> = {
  [RDS_INSTANCE]: { path: "kmsKeyId", dependencyProperty: "kmsKeyId" },
  [RDS_CLUSTER]: { path: "kmsKeyId", dependencyProperty: "kmsKeyId" },
  [DYNAMODB_TABLE]: { path: "serverSideEncryption.kmsKeyArn", dependencyProperty: "serverSideEncryption" },
  [BACKUP_VAULT]: { path: "kmsKeyArn", dependencyProperty: "kmsKeyArn" },
};

const KEY_ARN = /^arn:([^:]+):kms:([^:]*):(\d{12}):(key|alias)\/(.+)$/;

const keysByReference = new WeakMap<StackView, Map<string, ResourceView>>();

/** A key of the stack, by its known ARN or key id (indexed once per stack). */
function stackKey(stack: StackView, ref: string): ResourceView | undefined {
  let index = keysByReference.get(stack);
  if (!index) {
    index = new Map();
    for (const view of stack.resources) {
      if (view.type !== KMS_KEY) continue;
      for (const property of ["arn", "keyId"]) {
        const value = readString(view.props, property);
        if (value.state === "known" && !index.has(value.value)) index.set(value.value, view);
      }
    }
    keysByReference.set(stack, index);
  }
  return index.get(ref);
}

/**
 * The KMS key a production resource is encrypted with, as a target: by key id when the reference
 * names one (an alias may point at any key), with the key's own tags when the stack creates it and
 * they are known, otherwise with tags unknown (production by use, whatever its tags say).
 */
function keyTargets(stack: StackView, view: ResourceView, location: ResourceLocation): ProductionTarget[] {
  const spec = KEY_PROPERTY[view.type];
  if (!spec) return [];
  const role = `the key ${resourceLabel(view)} is encrypted with`;
  const reference = readString(view.props, spec.path);
  if (reference.state === "absent") return [];
  const target = (keyView: ResourceView | undefined, name: string | undefined, at: ResourceLocation): ProductionTarget => {
    const tags = keyView ? knownTags(keyView) : undefined;
    return { kind: "kms-key", name: name !== undefined && name.length <= MAX_AWS_NAME_LENGTH ? name : undefined, location: at, role, ...(tags ? { tags } : { anyTags: true }) };
  };
  if (reference.state === "known") {
    const arn = KEY_ARN.exec(reference.value);
    const inStack = stackKey(stack, reference.value);
    if (arn) {
      const [, partition, region, account, kind, id] = arn;
      return [target(inStack, kind === "key" ? id : undefined, { partition, region: region || undefined, account })];
    }
    // A bare key id is in the resource's own Region and account; an alias name may be any key.
    return [target(inStack, reference.value.startsWith("alias/") ? undefined : reference.value, location)];
  }
  // Unknown until deployment (a key the stack creates) or unreadable: the keys it depends on, else any key.
  const keys = (view.propertyDependencies?.[spec.dependencyProperty] ?? []).map((urn) => stack.byUrn.get(urn)).filter((v): v is ResourceView => v !== undefined && v.type === KMS_KEY);
  if (keys.length === 0) return [target(undefined, undefined, location)];
  return keys.map((key) => {
    const id = readString(key.props, "keyId");
    return target(key, id.state === "known" ? id.value : undefined, location);
  });
}

function scanProductionTargets(stack: StackView, location: ResourceLocation): ProductionTarget[] {
  // Production found by tag may be anywhere in the principal's account: IAM permissions hold in
  // every Region, so these probes leave the Region open (`*` in their ARNs).
  const anyRegion: ResourceLocation = { partition: location.partition, account: location.account };
  const targets: ProductionTarget[] = (["rds-instance", "rds-cluster", "dynamodb-table", "backup-vault", "kms-key"] as const).map((kind) => ({ kind, location: anyRegion }));
  for (const view of stack.resources) {
    const shape = KIND_OF[view.type];
    if (!shape || view.production.production === false) continue;
    // Its key is where it lives, whatever its name says.
    const own = locationOf(view);
    const plausible = (v: string | undefined) => (v !== undefined && v.length <= MAX_AWS_NAME_LENGTH ? v : undefined);
    const at: ResourceLocation = { partition: plausible(own.partition) ?? location.partition, region: plausible(own.region) ?? location.region, account: plausible(own.account) ?? location.account };
    targets.push(...keyTargets(stack, view, at));
    const name = readString(view.props, shape.nameProperty);
    // A name AWS could not hold (no RDS, DynamoDB or Backup name exceeds 255 characters) is left to
    // the kind's unnamed probes: building every probe ARN from it would cost memory per character.
    if (name.state !== "known" || name.value.length > MAX_AWS_NAME_LENGTH) continue;
    const target: ProductionTarget = { kind: shape.kind, name: name.value, location: at };
    targets.push(target);
    // And with the tags AWS will really see on it (its own and its provider's default tags), when
    // every one is known: a grant scoped to another of its tags (owner=payments), or a Deny that
    // misses its exact spelling ("Production "), shows only against those.
    const tags = knownTags(view);
    if (tags) targets.push({ ...target, tags });
  }
  return targets;
}

function knownTags(view: ResourceView): Record<string, string> | undefined {
  const reading = effectiveTags(view);
  if (reading.state !== "known") return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of reading.tags) {
    if (v === undefined) return undefined;
    out[k] = v;
  }
  return out;
}

/** An IAM name with its path (`/team/` and `app`: `team/app`); undefined when either is unknown. */
function nameWithPath(view: ResourceView): string | undefined {
  const name = readString(view.props, "name");
  const path = readString(view.props, "path");
  if (name.state !== "known" || name.value.length > MAX_AWS_NAME_LENGTH) return undefined;
  if (path.state === "absent") return name.value;
  if (path.state !== "known" || path.value.length > 512) return undefined;
  return `${path.value.replace(/^\//, "")}${name.value}`;
}

const selfProbeMemo = new WeakMap<StackPrincipal, Probe[]>();
const selfProbesByReference = new BoundedCache<Probe[]>(20_000);

/**
 * The requests that would prove a principal can rewrite its own permissions: on itself (its own
 * role, user or group ARN, `*` where its name is unknown) and on each customer managed policy of
 * the stack attached to it. Built once per principal.
 */
export function selfProbesFor(principal: StackPrincipal): Probe[] {
  let probes = selfProbeMemo.get(principal);
  if (!probes) {
    const policies = principal.policies
      .filter((p) => p.source.type === IAM_POLICY)
      .map((p) => {
        const arn = readString(p.source.props, "arn");
        return arn.state === "known" && arn.value.length <= 2_048 ? { arn: arn.value } : { nameWithPath: nameWithPath(p.source) };
      });
    const self = { kind: principal.kind, nameWithPath: nameWithPath(principal.view), location: locationOf(principal.view), policies };
    // The same principals come back in every call for the stack: the same probe list each time
    // also keeps harmfulGrants' grouping of it.
    const key = JSON.stringify(self);
    probes = selfProbesByReference.get(key);
    if (!probes) {
      probes = selfEscalationProbes(self);
      selfProbesByReference.set(key, probes);
    }
    selfProbeMemo.set(principal, probes);
  }
  return probes;
}

export interface HarmfulGrant {
  probe: Probe;
  /** The Allow statements that grant it (or may). */
  allowedBy: StatementMatch[];
  uncertain: boolean;
  /** Why a Deny that may apply could not be relied on, or why the Allow may apply. */
  uncertainBecause?: string;
}

/**
 * The probes the policy set may allow (most permissive reading), in the order of `probes`. Where
 * several probes of an action differ only in a resource that no statement naming the action looks
 * at (`Resource: "*"`), they share one decision and the first of them stands for the rest: every
 * allowed action, and each allowed request context, is still reported.
 */
export function harmfulGrants(set: CompiledPolicySet, probes: readonly Probe[]): HarmfulGrant[] {
  const found: Array<{ index: number; grant: HarmfulGrant }> = [];
  const record = (index: number, outcome: GrantOutcome): GrantOutcome => {
    if (outcome !== "denied") found.push({ index, grant: { probe: probes[index]!, ...outcome } });
    return outcome;
  };
  const judge = (index: number): GrantOutcome => record(index, grantOutcome(evaluateAccess(set, probes[index]!), probes[index]!));
  for (const [action, group] of probesByAction(probes)) {
    // Most principals allow no destructive action at all; an action that no Allow statement names
    // can only be denied, whatever the resource and context, so its probes need no evaluation.
    // Checking once per action keeps a principal's cost independent of how many databases the
    // stack has. (A set with problems still goes through evaluateAccess, which reports them.)
    const checkable = set.problems.length === 0 && ACTION_NAME.test(action);
    if (checkable) {
      const mayMatch = statementsFor(set, action).some((c) => c.statement.effect === "Allow");
      if (!mayMatch) continue;
    }
    // When no statement that names the action looks at the resource, the decision depends on the
    // request context alone: one evaluation per context, whatever the number of databases.
    if (checkable && resourceBlind(set, action)) {
      if (decidedWithoutContext(set, action)) {
        // Nor at the request context (no Condition): one decision for every probe of the action,
        // reported once per context as above.
        let shared: GrantOutcome | undefined;
        for (const indices of group.byContext.values()) {
          const index = indices[0]!;
          if (shared === undefined) shared = judge(index);
          else record(index, shared);
        }
      } else {
        for (const indices of group.byContext.values()) judge(indices[0]!);
      }
      for (const index of group.unkeyed) judge(index);
    } else if (checkable && decidedWithoutContext(set, action)) {
      // The resource matters but the context does not: one evaluation per resource ARN (a table's
      // probes differ only in the tags they suppose it has), every probe reported.
      const byResource = new Map<string, GrantOutcome>();
      for (const index of group.all) {
        const probe = probes[index]!;
        const known = byResource.get(probe.resource);
        if (known !== undefined) record(index, known);
        else byResource.set(probe.resource, judge(index));
      }
    } else {
      for (const index of group.all) judge(index);
    }
  }
  return found.sort((a, b) => a.index - b.index).map((f) => f.grant);
}

type GrantOutcome = Omit<HarmfulGrant, "probe"> | "denied";

function grantOutcome(e: AccessEvaluation, probe: Probe): GrantOutcome {
  if (e.kind === "cannot-verify") throw new Error(`cannot verify ${probe.description}: ${e.problems.map((p) => p.message).join("; ")}`);
  if (e.decision !== "allow") return "denied";
  const doubtful = [...e.deniedBy, ...e.allowedBy].find((m) => m.applies === "maybe" && m.uncertainBecause.length > 0);
  return { allowedBy: e.allowedBy, uncertain: e.uncertain, uncertainBecause: doubtful ? `${doubtful.label}: ${doubtful.uncertainBecause[0]}` : undefined };
}

/** True when every statement that names `action` applies to any resource (no Resource, or only "*"). */
function resourceBlind(set: CompiledPolicySet, action: string): boolean {
  return statementsFor(set, action).every((c) => {
    const resource = c.statement.resource;
    return resource === undefined || (!resource.negated && resource.patterns.length > 0 && resource.patterns.every((p) => p === "*"));
  });
}

/** The probes of one action: all of them, and grouped by request context (the text of it). */
interface ActionProbes {
  all: number[];
  byContext: Map<string, number[]>;
  /** Probes whose context is not JSON, or whose resource evaluateAccess refuses: never grouped. */
  unkeyed: number[];
}

function contextKey(probe: Probe): string | undefined {
  // evaluateAccess refuses a resource that is neither "*" nor an ARN: such a probe stands alone.
  if (probe.resource !== "*" && !probe.resource.startsWith("arn:")) return undefined;
  try {
    return JSON.stringify(probe.context ?? null);
  } catch {
    return undefined;
  }
}

const groupedProbes = new WeakMap<readonly Probe[], Map<string, ActionProbes>>();

/** The probes of each action (indices, in first-appearance order); memoized per probe list, which every principal of a stack shares. */
function probesByAction(probes: readonly Probe[]): Map<string, ActionProbes> {
  let groups = groupedProbes.get(probes);
  if (!groups) {
    const built = new Map<string, ActionProbes>();
    probes.forEach((probe, index) => {
      let group = built.get(probe.action);
      if (!group) {
        group = { all: [], byContext: new Map(), unkeyed: [] };
        built.set(probe.action, group);
      }
      group.all.push(index);
      const key = contextKey(probe);
      if (key === undefined) group.unkeyed.push(index);
      else {
        const same = group.byContext.get(key);
        if (same) same.push(index);
        else group.byContext.set(key, [index]);
      }
    });
    groups = built;
    groupedProbes.set(probes, groups);
  }
  return groups;
}

/** Same as evaluate.ts: an action name evaluateAccess accepts. */
const ACTION_NAME = /^[A-Za-z0-9-]+:[A-Za-z0-9]+$/;

const probeMemo = new Map<string, Probe[]>();
const probesByTargets = new WeakMap<readonly ProductionTarget[], { productionTags: SharedSettings["productionTags"]; probes: Probe[] }>();

/** All probes for the targets, each once; memoized, since every principal of a stack shares them. */
export function probesFor(targets: readonly ProductionTarget[], settings: SharedSettings): Probe[] {
  // productionTargets hands every principal of a stack the same array: keying on it spares
  // serializing every target once per principal.
  const same = probesByTargets.get(targets);
  if (same && same.productionTags === settings.productionTags) return same.probes;
  const probes = probesForTargets(targets, settings);
  probesByTargets.set(targets, { productionTags: settings.productionTags, probes });
  return probes;
}

function probesForTargets(targets: readonly ProductionTarget[], settings: SharedSettings): Probe[] {
  const memoKey = JSON.stringify([targets, settings.productionTags]);
  const memo = probeMemo.get(memoKey);
  if (memo) return memo;
  const seen = new Set<string>();
  const out: Probe[] = [];
  for (const target of targets) {
    for (const probe of productionProbes(target, settings.productionTags)) {
      // The description names the action, the ARN and the tags: it identifies the probe.
      if (seen.has(probe.description)) continue;
      seen.add(probe.description);
      out.push(probe);
    }
  }
  if (probeMemo.size > 50) probeMemo.clear();
  probeMemo.set(memoKey, out);
  return out;
}

/** At most `limit` grants in a message, one per action, naming the statement that grants it. */
export function describeGrants(grants: readonly HarmfulGrant[], limit = 4): string {
  // One grant per action; a certain one when there is one, since it is the clearest to act on.
  const byAction = new Map<string, HarmfulGrant>();
  for (const g of grants) {
    const current = byAction.get(g.probe.action);
    if (!current || (current.uncertain && !g.uncertain)) byAction.set(g.probe.action, g);
  }
  const shown = [...byAction.values()].slice(0, limit).map((g) => {
    const who = g.allowedBy.map((m) => m.label).join(" and ");
    const doubt = g.uncertain ? ` (may be allowed${g.uncertainBecause ? `: ${g.uncertainBecause}` : ", depending on the request"})` : "";
    return `${g.probe.description}${doubt}, granted by ${who}`;
  });
  const more = byAction.size - shown.length;
  return shown.join("; ") + (more > 0 ? `; and ${more} more action${more === 1 ? "" : "s"}` : "");
}
