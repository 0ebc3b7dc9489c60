/**
 * iam-restore-role-scoped: a role that may restore RDS instances, Aurora clusters, DynamoDB tables
 * or AWS Backup recovery points may create only new resources tagged non-production, and cannot
 * act on production other than reading its snapshots and recovery points.
 *
 * A restore role is one whose policies may allow (most permissive reading) any restore the kit
 * models (lib/iam/probes.ts RESTORE_ACTIONS) on some resource. For each RDS and Aurora restore it
 * may perform, the whole API call (target, source snapshot or instance, option, parameter and
 * subnet groups: every ARN AWS authorizes) must be refused when the request tags the new database
 * with any spelling of a production tag, with no tag at all, or with only unrelated tags: the
 * restore's request-tag conditions must demand a non-production environment. DynamoDB restores
 * take no request tags, so for them the role must be unable to write the stack's production
 * tables, which is how a DynamoDB restore fills its target. And on production itself the role may
 * do none of the destructive actions of iam-no-prod-db-destruction (its own permissions included),
 * nor write DynamoDB items.
 *
 * A declared break-glass role (break-glass tag and an MFA trust policy) is exempt, as in
 * iam-no-prod-db-destruction; AWS's own AWS Backup service-role policies are set aside on a role
 * only AWS Backup can assume (they are that service's need, and then it is no restore role of
 * ours). `backup:StartRestoreJob` takes no request tags: AWS Backup restores are held to the
 * service role they pass, which this rule judges like any other role.
 *
 * No configuration.
 */
import { BoundedCache } from "../lib/bounded-cache";
import { type ApiCall, type CompiledPolicySet, decidedWithoutContext, evaluateApiCall } from "../lib/iam/evaluate";
import { breakGlassStatus, describeGrants, harmfulGrants, locationOf, principalPolicySet, probesFor, productionTargets, roleTrust, selfProbesFor } from "../lib/iam/principal-access";
import { type Probe, RECOVERY_POINT_KEEPERS, type ResourceLocation, RESTORE_ACTIONS, locationKey, productionTagVariants, restoreAuthorizations } from "../lib/iam/probes";
import { type StackPrincipal, buildStackIam } from "../lib/iam/stack-principals";
import type { Finding, StackRule, StackView } from "../lib/rule";
import { deferredFinding, violationMessage } from "../lib/rule";
import type { SharedSettings } from "../lib/settings";

const ITEM_WRITES = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"];

/**
 * The API calls the rules evaluate depend only on the action, the location and the request tags,
 * never on the role: built once per location (and per settings object, for the tag sets) and shared
 * by every role of every stack the pack sees.
 */
const ownCalls = new BoundedCache<Array<{ action: string; call: ApiCall }>>(1_000);

function ownRestoreCalls(location: ResourceLocation): Array<{ action: string; call: ApiCall }> {
  const key = locationKey(location);
  let calls = ownCalls.get(key);
  if (!calls) {
    // An AWS Backup restore reads its recovery point by whichever ARN its keeper gives it.
    const scenarios = Object.keys(RESTORE_ACTIONS).flatMap((action) =>
      action === "backup:StartRestoreJob" ? RECOVERY_POINT_KEEPERS.map((recoveryPointKeeper) => ({ action, location, target: {}, recoveryPointKeeper })) : [{ action, location, target: {} }],
    );
    calls = scenarios.map((scenario) => {
      const call = restoreAuthorizations(scenario);
      // Request tags unknown: the most permissive reading says whether any restore is possible.
      return { action: scenario.action, call: { ...call, authorizations: call.authorizations.filter((a) => !a.action).map((a) => ({ ...a, context: {} })) } };
    });
    ownCalls.set(key, calls);
  }
  return calls;
}

/** The restores this role may perform on some resource, judging only the restore action's own authorizations. */
export function restoresAllowed(set: CompiledPolicySet, location: ResourceLocation): string[] {
  const allowed: string[] = [];
  for (const { action, call } of ownRestoreCalls(location)) {
    if (allowed.includes(action)) continue;
    const e = evaluateApiCall(set, call, { untilRefused: true });
    if (e.kind === "decided" && e.decision === "allow") allowed.push(action);
  }
  return allowed;
}

/** Request tag sets a restore must be refused with: production spellings, none, and only unrelated tags. */
function refusedTagSets(settings: SharedSettings): Array<{ tags: Record<string, string>; label: string }> {
  return [
    { tags: {}, label: "with no tags" },
    { tags: { owner: "on-call" }, label: "tagged only owner=on-call (no environment tag)" },
    ...productionTagVariants(settings.productionTags).map((tags) => ({ tags, label: `tagged ${Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(", ")}` })),
  ];
}

/** At most this many tag sets are named per restore action (the rest are counted). */
const TAG_SETS_SHOWN = 3;

const taggedCalls = new WeakMap<SharedSettings, BoundedCache<Array<{ label: string; call: ApiCall }>>>();

/** The restore `action` at `location` requested with each tag set it must be refused with. */
function refusedRestoreCalls(action: string, location: ResourceLocation, settings: SharedSettings): Array<{ label: string; call: ApiCall }> {
  let memo = taggedCalls.get(settings);
  if (!memo) {
    memo = new BoundedCache(1_000);
    taggedCalls.set(settings, memo);
  }
  const key = `${action}\u0000${locationKey(location)}`;
  let calls = memo.get(key);
  if (!calls) {
    calls = refusedTagSets(settings).map(({ tags, label }) => ({ label, call: restoreAuthorizations({ action, location, target: { requestTags: tags } }) }));
    memo.set(key, calls);
  }
  return calls;
}

function restoreGaps(set: CompiledPolicySet, restores: readonly string[], location: ResourceLocation, settings: SharedSettings): string[] {
  const gaps: string[] = [];
  for (const action of restores) {
    // RDS and Aurora restores take request tags; DynamoDB restores do not (judged by their target writes).
    if (!action.startsWith("rds:")) continue;
    const open: string[] = [];
    let by = "";
    let uncertain = false;
    // The calls differ only in their request tags: without a condition on the action, one decides all.
    const calls = refusedRestoreCalls(action, location, settings);
    const oneForAll = decidedWithoutContext(set, action) ? evaluateApiCall(set, calls[0]!.call, { untilRefused: true }) : undefined;
    for (const { label, call } of calls) {
      const e = oneForAll ?? evaluateApiCall(set, call, { untilRefused: true });
      if (e.kind === "cannot-verify") throw new Error(e.problems.map((p) => p.message).join("; "));
      if (e.decision !== "allow") continue;
      open.push(label);
      uncertain ||= e.uncertain;
      by ||= e.perResource.find((r) => r.role.startsWith("target"))?.evaluation.allowedBy.map((m) => m.label).join(" and ") ?? "";
    }
    if (open.length === 0) continue;
    const more = open.length > TAG_SETS_SHOWN ? ` and ${open.length - TAG_SETS_SHOWN} more tag sets` : "";
    gaps.push(`${action} into a new database ${open.slice(0, TAG_SETS_SHOWN).join(", ")}${more}${uncertain ? " (may be allowed, depending on the request)" : ""}, granted by ${by || "its policies"}`);
  }
  return gaps;
}

/**
 * Item writes into production tables, on every table the DeleteTable probes stand for (tagged
 * production, or a production table of the stack by name): how a DynamoDB restore fills its
 * target, so how a restore role would overwrite one.
 */
function tableWriteProbes(probes: readonly Probe[]): Probe[] {
  const out: Probe[] = [];
  for (const p of probes.filter((probe) => probe.action === "dynamodb:DeleteTable")) {
    for (const action of ITEM_WRITES) out.push({ ...p, action, harm: "modify", description: p.description.replace("dynamodb:DeleteTable", action) });
  }
  return out;
}

const restoreRoleProbeMemo = new WeakMap<readonly Probe[], Probe[]>();

/** The probes and their item-write twins, built once per probe list: every restore role of a stack shares them. */
function restoreRoleProbes(probes: readonly Probe[]): Probe[] {
  let all = restoreRoleProbeMemo.get(probes);
  if (!all) {
    all = [...probes, ...tableWriteProbes(probes)];
    restoreRoleProbeMemo.set(probes, all);
  }
  return all;
}

function judge(stack: StackView, principal: StackPrincipal, settings: SharedSettings): Finding[] {
  if (principal.kind !== "role") return [];
  const trust = roleTrust(principal);
  const breakGlass = breakGlassStatus(principal, trust, settings);
  if (breakGlass.declared && breakGlass.mfa === "required") return [];
  const policies = principalPolicySet(principal, trust);
  const resource = { type: "IAM role", name: principal.view.name };
  const at = { urn: principal.view.urn, name: principal.view.name };
  if (policies.state === "deferred") return [deferredFinding(resource, `whether it is a restore role (the document of ${policies.unknown.map((p) => p.label).join(", ")})`, principal.view.urn)];
  // Unverifiable policies are iam-no-prod-db-destruction's finding; here they leave the role unjudged rather than reported twice.
  if (policies.state === "unverifiable") return [];
  const location = locationOf(principal.view);
  const restores = restoresAllowed(policies.set, location);
  if (restores.length === 0) return [];
  const problems: string[] = [];
  const gaps = restoreGaps(policies.set, restores, location, settings);
  if (gaps.length > 0) problems.push(`it can restore into databases not tagged non-production: ${gaps.join("; ")}`);
  const probes = probesFor(productionTargets(stack, location), settings);
  const grants = [...harmfulGrants(policies.set, restoreRoleProbes(probes)), ...harmfulGrants(policies.set, selfProbesFor(principal))];
  if (grants.length > 0) problems.push(`it can act on production beyond reading snapshots and recovery points: ${describeGrants(grants)}`);
  if (problems.length === 0) return [];
  // A break-glass role whose trust policy is unknown until deployment may yet be exempt: checked then.
  if (breakGlass.declared && breakGlass.mfa === "unknown") return [deferredFinding(resource, "its trust policy (to confirm the break-glass role requires MFA)", principal.view.urn)];
  return [
    {
      ...at,
      message: violationMessage({
        resource,
        problem: `may restore (${restores.join(", ")}) and ${problems.join("; and ")}`,
        why: "a restore role exists to bring back data next to production; if it can also create production-tagged or untagged databases, or touch production, one mistyped identifier overwrites the live database.",
        fix: 'give each restore Allow a condition {"StringEquals": {"aws:RequestTag/environment": "<non-production value>"}} (plain StringEquals: ForAllValues passes requests without tags), allow item writes only on restore-target tables, and deny the destructive actions on production (scoped to database ARNs, not snapshots, so restores from production snapshots still work).',
      }),
    },
  ];
}

export const iamRestoreRoleScoped: StackRule = {
  id: "iam-restore-role-scoped",
  description: "A role that may restore databases or recovery points creates only resources tagged non-production and cannot act on production beyond reading its backups.",
  enforcementLevel: "mandatory",
  severity: "critical",
  waivable: true,
  tags: ["iam", "restore", "rds", "aurora", "dynamodb", "backup"],
  remediationSteps:
    "Require a non-production aws:RequestTag value on every restore Allow (StringEquals, not ForAllValues), scope DynamoDB item writes to restore targets, and deny destructive actions on production database ARNs.",
  check(stack, _config, settings) {
    const iam = buildStackIam(stack);
    return iam.principals.flatMap((p) => judge(stack, p, settings));
  },
};
