/**
 * The report's recovery table: for each production database, what covers it and its worst-case
 * data-loss window, computed by the same function the `prod-db-rpo` rule uses
 * (policies/lib/recovery.ts), on the resources exactly as they were analyzed.
 */
import type { PolicyResource } from "@pulumi/policy";
import type { RecoveryRow } from "./model";
import type { ReconciledPolicyConfig } from "./policy-config";
import { SECRET_SIG_KEY, SECRET_SIG_VALUE, type WireResource } from "./wire";
import { recoveryByDatabase, rpoStatus } from "../policies/lib/recovery";
import { buildStackView } from "../policies/lib/rule";
import { SETTINGS_POLICY, parseSettings } from "../policies/lib/settings";
import { DEFAULT_MAX_RPO_MINUTES } from "../policies/rules/prod-db-rpo";

/** Replaces the engine's secret markers by their values, as `@pulumi/policy` does for validations. */
export function revealSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o[SECRET_SIG_KEY] === SECRET_SIG_VALUE) return revealSecrets(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, revealSecrets(v)]));
  }
  return value;
}

/** The resources as `@pulumi/policy` hands them to a stack policy. */
export function asPolicyResources(resources: readonly WireResource[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const out = resources.map((r) => {
    const pr = {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: revealSecrets(r.properties) as Record<string, unknown>,
      opts: { protect: r.options?.protect === true, ignoreChanges: r.options?.ignoreChanges ?? [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [], parent: r.options?.parent },
      provider: r.provider ? { type: r.provider.type, name: r.provider.name, urn: r.provider.urn, props: revealSecrets(r.provider.properties) as Record<string, unknown> } : undefined,
      dependencies: [] as PolicyResource[],
      propertyDependencies: {} as Record<string, PolicyResource[]>,
    } as unknown as PolicyResource;
    byUrn.set(r.urn, pr);
    return pr;
  });
  const ref = (urn: string) => byUrn.get(urn) ?? ({ urn } as PolicyResource);
  resources.forEach((r, i) => {
    out[i]!.dependencies = (r.dependencies ?? []).map(ref);
    out[i]!.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([k, urns]) => [k, urns.map(ref)]));
  });
  return out;
}

export function recoveryRowsFor(resources: readonly WireResource[], stackName: string, config: ReconciledPolicyConfig): RecoveryRow[] {
  const settings = parseSettings(config[SETTINGS_POLICY]?.properties ?? {});
  const configured = Number(config["prod-db-rpo"]?.properties?.maxRpoMinutes);
  const maxRpoMinutes = Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_MAX_RPO_MINUTES;
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const stack = buildStackView(asPolicyResources(resources), settings, stackName);
  const rows: RecoveryRow[] = [];
  for (const [urn, rec] of recoveryByDatabase(stack)) {
    const wire = byUrn.get(urn);
    const view = rec.database.view;
    const engine = typeof view.props.engine === "string" ? view.props.engine : view.type === "aws:dynamodb/table:Table" ? "dynamodb" : "unknown";
    const worst = rec.assessment.worstCaseMinutes;
    rows.push({
      resource: { urn, type: view.type, name: view.name, ...(wire?.sourcePosition ? { sourcePosition: wire.sourcePosition } : {}) },
      engine,
      coveredBy: rec.coveredBy,
      worstCaseRpoMinutes: worst ?? null,
      basis: rec.assessment.basis,
      maxRpoMinutes,
      status: rpoStatus(rec, maxRpoMinutes),
    });
  }
  return rows;
}
