/**
 * backup-vault-lock: every backup vault that receives production recovery points is locked in
 * compliance mode and cannot be force-destroyed.
 *
 * A vault receives production recovery points when a backup plan that selects a production database
 * names it: the `targetVaultName` of any of the plan's rules, the `destinationVaultArn` of their
 * `copyActions`, and every vault the plan's `rules` depend on (in a preview the names are unknown and
 * only the property dependency links them). Each such vault needs:
 * - an `aws:backup/vaultLockConfiguration:VaultLockConfiguration` in compliance mode:
 *   `changeableForDays` set (without it AWS creates a governance-mode lock, which anyone with the
 *   right IAM permission can remove, along with the recovery points);
 * - `minRetentionDays` >= `minVaultLockDays`, so no recovery point can be deleted sooner;
 * - not `forceDestroy: true` on the `aws:backup/vault:Vault` (that deletes every recovery point when
 *   the vault is destroyed).
 * A vault outside this stack cannot be inspected: list it in `lockedExternalVaults` once its lock is
 * checked where it is managed, or the plan is a violation.
 *
 * Configuration:
 * - `minVaultLockDays` (integer, default 7): the smallest acceptable `minRetentionDays`.
 * - `lockedExternalVaults` (list of strings, default []): ARNs or names (`*` wildcards) of vaults
 *   managed elsewhere whose compliance-mode lock has been verified there.
 */
import { globMatches } from "../lib/glob";
import type { PolicyConfigSchema } from "@pulumi/policy";
import {
  type BackupGraph,
  type PlanNode,
  type VaultNode,
  type VaultReference,
  buildBackupGraph,
  describeVaultReference,
  productionDatabases,
  sameLocation,
} from "../lib/backup-graph";
import { describeValue, readBoolean, readNumber } from "../lib/properties";
import type { Finding, StackRule } from "../lib/rule";
import { deferredFinding, violationMessage } from "../lib/rule";

export const DEFAULT_MIN_VAULT_LOCK_DAYS = 7;

export interface BackupVaultLockConfig {
  minVaultLockDays?: number;
  lockedExternalVaults?: string[];
}

const configSchema: PolicyConfigSchema = {
  properties: {
    minVaultLockDays: {
      type: "integer",
      minimum: 1,
      default: DEFAULT_MIN_VAULT_LOCK_DAYS,
      description: "Smallest acceptable minRetentionDays of the vault lock on vaults holding production recovery points.",
    },
    lockedExternalVaults: {
      type: "array",
      items: { type: "string", minLength: 1 },
      default: [],
      description: "ARNs or names (with * wildcards) of vaults outside this stack whose compliance-mode lock was verified where they are managed.",
    },
  },
};

/** AWS Backup API reference, PutBackupVaultLockConfiguration: "you must set ChangeableForDays to 3 or greater" (a 72-hour cooling-off period). */
const AWS_MIN_CHANGEABLE_FOR_DAYS = 3;

const WHY_LOCK = "without a compliance-mode lock anyone with enough IAM rights (or a compromised deploy role) can delete the recovery points together with the database.";

/** Plans that select a production database: for sure, or only possibly (values unknown until deployment). */
function productionPlans(graph: BackupGraph): { certain: Map<PlanNode, string>; possible: Map<PlanNode, string> } {
  const certain = new Map<PlanNode, string>();
  const possible = new Map<PlanNode, string>();
  for (const db of productionDatabases(graph).databases) {
    for (const m of graph.coverage.get(db.view.urn)?.matches ?? []) {
      if (m.selection.plan.state !== "in-stack") continue;
      const plan = m.selection.plan.plan;
      if (m.certainty === "yes") {
        if (!certain.has(plan)) certain.set(plan, db.view.name);
      } else if (!possible.has(plan)) possible.set(plan, db.view.name);
    }
  }
  for (const plan of certain.keys()) possible.delete(plan);
  return { certain, possible };
}

interface VaultVerdict {
  violations: string[];
  unknowns: string[];
}

function judgeVault(vault: VaultNode, graph: BackupGraph, minDays: number): VaultVerdict {
  const violations: string[] = [];
  const unknowns: string[] = [];
  const force = readBoolean(vault.view.props, "forceDestroy");
  if (force.state === "known" && force.value) violations.push("forceDestroy is true, so destroying the vault deletes every recovery point in it (set forceDestroy: false)");
  else if (force.state === "unknown") unknowns.push("forceDestroy");
  else if (force.state === "invalid") violations.push(`forceDestroy is ${describeValue(force.raw)}, not a boolean`);

  if (vault.locks.length === 0) {
    const maybe = graph.locks.some((l) => l.link === "unresolved" && (l.vaults.includes(vault) || (l.vaults.length === 0 && sameLocation(l.location, vault.location) !== "no")));
    if (maybe) unknowns.push("which vault its VaultLockConfiguration locks");
    else violations.push(`no aws:backup/vaultLockConfiguration:VaultLockConfiguration locks it (add one with backupVaultName: ${vault.view.name}.name, changeableForDays: 3, minRetentionDays: ${minDays})`);
    return { violations, unknowns };
  }
  // One lock per vault in AWS; if the program declares several, the best one is judged.
  let best: VaultVerdict | undefined;
  for (const lock of vault.locks) {
    const v: VaultVerdict = { violations: [], unknowns: [] };
    const changeable = readNumber(lock.view.props, "changeableForDays");
    if (changeable.state === "absent") v.violations.push(`lock "${lock.view.name}" has no changeableForDays, so it is a governance-mode lock that can be removed (set changeableForDays, e.g. 3, for compliance mode)`);
    else if (changeable.state === "unknown") v.unknowns.push(`lock "${lock.view.name}" changeableForDays`);
    else if (changeable.state === "invalid") v.violations.push(`lock "${lock.view.name}" changeableForDays is ${describeValue(changeable.raw)}, not a number of days`);
    else if (changeable.value < AWS_MIN_CHANGEABLE_FOR_DAYS) {
      v.violations.push(`lock "${lock.view.name}" changeableForDays is ${changeable.value}, below the ${AWS_MIN_CHANGEABLE_FOR_DAYS} days AWS Backup requires, so AWS refuses the lock and the vault stays unlocked (set changeableForDays: ${AWS_MIN_CHANGEABLE_FOR_DAYS})`);
    }
    const minRetention = readNumber(lock.view.props, "minRetentionDays");
    if (minRetention.state === "absent") v.violations.push(`lock "${lock.view.name}" sets no minRetentionDays, so recovery points can be deleted at once (set minRetentionDays: ${minDays} or more)`);
    else if (minRetention.state === "unknown") v.unknowns.push(`lock "${lock.view.name}" minRetentionDays`);
    else if (minRetention.state === "invalid") v.violations.push(`lock "${lock.view.name}" minRetentionDays is ${describeValue(minRetention.raw)}, not a number of days`);
    else if (minRetention.value < minDays) v.violations.push(`lock "${lock.view.name}" minRetentionDays is ${minRetention.value}, below the required ${minDays} days`);
    if (!best || rank(v) < rank(best)) best = v;
  }
  return { violations: [...violations, ...(best?.violations ?? [])], unknowns: [...unknowns, ...(best?.unknowns ?? [])] };
}

function rank(v: VaultVerdict): number {
  return v.violations.length > 0 ? 2 : v.unknowns.length > 0 ? 1 : 0;
}

function receivingReferences(plan: PlanNode): { ref: VaultReference; role: string }[] {
  const refs: { ref: VaultReference; role: string }[] = [];
  for (const rule of plan.rules) {
    refs.push({ ref: rule.target, role: `target of rule "${rule.name}"` });
    rule.copies.forEach((c, i) => refs.push({ ref: c, role: `copy destination #${i + 1} of rule "${rule.name}"` }));
    if (rule.copiesUnknown && plan.vaultDependencies.length === 0) refs.push({ ref: { state: "unknown", what: `copyActions of rule "${rule.name}" are unknown until deployment` }, role: `copies of rule "${rule.name}"` });
  }
  if (plan.vaultDependencies.length > 0) refs.push({ ref: { state: "in-stack", vaults: plan.vaultDependencies, how: "by property dependency" }, role: "vault its rules depend on" });
  return refs;
}

export const backupVaultLock: StackRule<BackupVaultLockConfig> = {
  id: "backup-vault-lock",
  description: "Vaults that receive production recovery points are locked in compliance mode and cannot be force-destroyed.",
  enforcementLevel: "mandatory",
  severity: "critical",
  waivable: true,
  tags: ["backup", "aws-backup", "vault-lock", "ransomware"],
  remediationSteps:
    "Add an aws.backup.VaultLockConfiguration to each such vault with changeableForDays (compliance mode) and minRetentionDays >= minVaultLockDays, and remove forceDestroy: true from the vault.",
  configSchema,
  check(stack, config) {
    const findings: Finding[] = [];
    let minDays = DEFAULT_MIN_VAULT_LOCK_DAYS;
    const rawMin = config?.minVaultLockDays;
    if (rawMin !== undefined) {
      if (typeof rawMin === "number" && Number.isFinite(rawMin) && rawMin >= 1) minDays = rawMin;
      else
        findings.push({
          message: `Policy config: backup-vault-lock.minVaultLockDays is ${JSON.stringify(rawMin)}, not a number of days >= 1; the default ${DEFAULT_MIN_VAULT_LOCK_DAYS} is used. Why it matters: a floor that cannot be read must not silently loosen the check. Fix: set backup-vault-lock.minVaultLockDays to a whole number of days.`,
        });
    }
    const rawExternal: unknown = config?.lockedExternalVaults;
    const external = Array.isArray(rawExternal) ? rawExternal.filter((x): x is string => typeof x === "string" && x !== "") : [];
    if (rawExternal !== undefined && (!Array.isArray(rawExternal) || external.length !== rawExternal.length)) {
      findings.push({
        message: `Policy config: backup-vault-lock.lockedExternalVaults is ${describeValue(rawExternal)}, not a list of vault ARNs or names; entries that are not strings are ignored. Why it matters: a vault exempted by mistake would hold production backups unlocked. Fix: list vault ARNs or names as strings.`,
      });
    }

    const graph = buildBackupGraph(stack);
    const { certain, possible } = productionPlans(graph);
    const judged = new Map<VaultNode, VaultVerdict>();
    const reported = new Set<VaultNode>();

    const judgePlan = (plan: PlanNode, dbName: string, sure: boolean) => {
      const planFinding = (problem: string, fix: string): Finding =>
        sure
          ? { urn: plan.view.urn, name: plan.view.name, message: violationMessage({ resource: plan.view, problem, why: WHY_LOCK, fix }) }
          : deferredFinding(plan.view, `whether it backs up production database "${dbName}" (so that: ${problem})`, plan.view.urn);
      if (plan.rulesState === "unknown" && plan.vaultDependencies.length === 0) {
        findings.push(deferredFinding(plan.view, `its rules, and so the vaults that receive production recovery points`, plan.view.urn));
        return;
      }
      for (const { ref, role } of receivingReferences(plan)) {
        switch (ref.state) {
          case "unknown":
            findings.push(deferredFinding(plan.view, `the vault that is the ${role} (${ref.what})`, plan.view.urn));
            break;
          case "invalid":
            findings.push(planFinding(`the ${role} cannot be read: ${ref.what}`, `set it to the name (targetVaultName) or ARN (destinationVaultArn) of a locked vault.`));
            break;
          case "outside-stack":
            if (!external.some((pattern) => globMatches(pattern, ref.ref))) {
              findings.push(
                planFinding(
                  `the ${role}, ${describeVaultReference(ref)}, receives recovery points of production database "${dbName}" but is not managed in this stack, so its lock cannot be checked`,
                  `verify its compliance-mode lock where it is managed, then add "${ref.ref}" to lockedExternalVaults in the backup-vault-lock policy config (or manage the vault and its VaultLockConfiguration in this stack).`,
                ),
              );
            }
            break;
          case "in-stack":
            for (const vault of ref.vaults) {
              if (reported.has(vault)) continue;
              let verdict = judged.get(vault);
              if (!verdict) {
                verdict = judgeVault(vault, graph, minDays);
                judged.set(vault, verdict);
              }
              if (verdict.violations.length === 0 && verdict.unknowns.length === 0) continue;
              reported.add(vault);
              if (verdict.violations.length > 0 && sure) {
                findings.push({
                  urn: vault.view.urn,
                  name: vault.view.name,
                  message: violationMessage({
                    resource: vault.view,
                    problem: `it receives recovery points of production database "${dbName}" (${role} in backup plan "${plan.view.name}") but ${verdict.violations.join("; ")}`,
                    why: WHY_LOCK,
                    fix: `add an aws.backup.VaultLockConfiguration with backupVaultName: ${vault.view.name}.name, changeableForDays: 3 and minRetentionDays: ${minDays} (or more), and keep forceDestroy unset or false on the vault.`,
                  }),
                });
              } else {
                const what = [...verdict.violations, ...verdict.unknowns.map((u) => `${u} unknown until deployment`)].join("; ");
                findings.push(deferredFinding(vault.view, `whether it is locked well enough for production recovery points (${what})`, vault.view.urn));
              }
            }
            break;
        }
      }
    };
    for (const [plan, dbName] of certain) judgePlan(plan, dbName, true);
    for (const [plan, dbName] of possible) judgePlan(plan, dbName, false);
    return findings;
  },
};
