/**
 * What the pack's IAM rules share: a principal's policies ready for the evaluator (AWS's
 * service-role policies set aside for roles only that service can assume), whether it is a
 * declared break-glass role, where it lives, the production targets to probe, and the probing
 * itself. Built on stack-principals.ts; not exported from ./index for the same reason.
 */
import { readString, toStringList } from "../properties";
import type { ResourceView, StackView } from "../rule";
import type { SharedSettings } from "../settings";
import { BACKUP_VAULT, DYNAMODB_TABLE, RDS_CLUSTER, RDS_INSTANCE } from "../tokens";
import { type CompiledPolicySet, type StatementMatch, compilePolicies, evaluateAccess } from "./evaluate";
import { type ProductionKind, type ProductionTarget, type Probe, type ResourceLocation, productionProbes } from "./probes";
import { type AttachedPolicy, type StackPrincipal, documentValue, principalTags } from "./stack-principals";
import { type TrustAnalysis, analyzeTrustPolicy } from "./trust";

export type PolicySetState =
  | { state: "ready"; set: CompiledPolicySet; accepted: AttachedPolicy[] }
  | { state: "deferred"; unknown: AttachedPolicy[] }
  | { state: "unverifiable"; problems: string[] };

/** The trust policy of a role, analyzed; undefined for users and groups, "unknown" in a preview. */
export function roleTrust(principal: StackPrincipal): TrustAnalysis | "unknown" | undefined {
  if (principal.kind !== "role") return undefined;
  const document = documentValue(principal.view.props.assumeRolePolicy, "assumeRolePolicy");
  if (document.state === "unknown") return "unknown";
  if (document.state !== "known" || document.document === undefined || document.document === null) return { kind: "cannot-verify", problems: ["the role has no assumeRolePolicy"] };
  return analyzeTrustPolicy(document.document, roleName(principal.view));
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
export function principalPolicySet(principal: StackPrincipal, trust: TrustAnalysis | "unknown" | undefined): PolicySetState {
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
  const set = compilePolicies(judged.map((p) => ({ name: p.label, document: p.document.state === "known" ? p.document.document : undefined })));
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
  const targets: ProductionTarget[] = (["rds-instance", "rds-cluster", "dynamodb-table", "backup-vault"] as const).map((kind) => ({ kind, location }));
  for (const view of stack.resources) {
    const shape = KIND_OF[view.type];
    if (!shape || view.production.production === false) continue;
    const name = readString(view.props, shape.nameProperty);
    if (name.state !== "known") continue;
    const own = locationOf(view);
    targets.push({ kind: shape.kind, name: name.value, location: { partition: own.partition ?? location.partition, region: own.region ?? location.region, account: own.account ?? location.account } });
  }
  return targets;
}

export interface HarmfulGrant {
  probe: Probe;
  /** The Allow statements that grant it (or may). */
  allowedBy: StatementMatch[];
  uncertain: boolean;
  /** Why a Deny that may apply could not be relied on, or why the Allow may apply. */
  uncertainBecause?: string;
}

/** Every probe the policy set may allow (most permissive reading). */
export function harmfulGrants(set: CompiledPolicySet, probes: readonly Probe[]): HarmfulGrant[] {
  const grants: HarmfulGrant[] = [];
  for (const probe of probes) {
    const e = evaluateAccess(set, probe);
    if (e.kind === "cannot-verify") throw new Error(`cannot verify ${probe.description}: ${e.problems.map((p) => p.message).join("; ")}`);
    if (e.decision !== "allow") continue;
    const doubtful = [...e.deniedBy, ...e.allowedBy].find((m) => m.applies === "maybe" && m.uncertainBecause.length > 0);
    grants.push({ probe, allowedBy: e.allowedBy, uncertain: e.uncertain, uncertainBecause: doubtful ? `${doubtful.label}: ${doubtful.uncertainBecause[0]}` : undefined });
  }
  return grants;
}

const probeMemo = new Map<string, Probe[]>();

/** All probes for the targets, each once; memoized, since every principal of a stack shares them. */
export function probesFor(targets: readonly ProductionTarget[], settings: SharedSettings): Probe[] {
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
