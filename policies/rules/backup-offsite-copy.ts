/**
 * backup-offsite-copy (advisory): every rule of a backup plan that selects a production database
 * copies its recovery points to a vault in another AWS Region or another account
 * (`copyActions[].destinationVaultArn`).
 *
 * The source is the rule's target vault (its Region and account), or the plan's when the vault is
 * not in this stack. A destination is read from its ARN (`arn:aws:backup:<region>:<account>:
 * backup-vault:<name>`) or, for a vault of this stack, from its provider and `region`. In a preview
 * an unknown destination is resolved through the plan's property dependencies on vaults; when the
 * candidates disagree, or nothing links it, the finding is deferred.
 *
 * No configuration.
 */
import {
  type BackupGraph,
  type Location,
  type PlanNode,
  type PlanRuleNode,
  type Tri,
  type VaultReference,
  buildBackupGraph,
  describeLocation,
  productionDatabases,
  sameAccount,
  sameRegion,
  triNot,
  triOr,
} from "../lib/backup-graph";
import type { Finding, StackRule } from "../lib/rule";
import { deferredFinding, violationMessage } from "../lib/rule";

function plansOfProduction(graph: BackupGraph): Map<PlanNode, string> {
  const plans = new Map<PlanNode, string>();
  for (const db of productionDatabases(graph).databases) {
    for (const m of graph.coverage.get(db.view.urn)?.matches ?? []) {
      if (m.certainty === "yes" && m.selection.plan.state === "in-stack" && !plans.has(m.selection.plan.plan)) plans.set(m.selection.plan.plan, db.view.name);
    }
  }
  return plans;
}

function sourceLocation(rule: PlanRuleNode): Location {
  return rule.target.state === "in-stack" && rule.target.vaults.length === 1 ? rule.target.vaults[0].location : rule.plan.location;
}

/** Whether a copy leaves the source's Region or account: "unknown" when either side is. */
function isOffsite(source: Location, ref: VaultReference): Tri {
  const differs = (target: Location): Tri => triOr(triNot(sameRegion(source, target)), triNot(sameAccount(source, target)));
  switch (ref.state) {
    case "in-stack": {
      // The copy goes to one of the candidates: decided only when they all agree.
      const verdicts = new Set(ref.vaults.map((v) => differs(v.location)));
      return verdicts.size === 1 ? [...verdicts][0] : "unknown";
    }
    case "outside-stack": {
      const target: Location = { region: ref.location?.region, account: ref.location?.account, regionSource: `vault ${ref.ref}`, accountSource: `vault ${ref.ref}` };
      return differs(target);
    }
    case "unknown":
      return "unknown";
    case "invalid":
      return "no";
  }
}

export const backupOffsiteCopy: StackRule = {
  id: "backup-offsite-copy",
  description: "Backup rules that protect production databases copy to a vault in another Region or account.",
  enforcementLevel: "advisory",
  severity: "medium",
  waivable: true,
  tags: ["backup", "aws-backup", "disaster-recovery", "cross-region", "cross-account"],
  remediationSteps:
    "Add copyActions to each production backup rule with destinationVaultArn of a vault in another Region or (better) another account, ideally locked.",
  check(stack) {
    const graph = buildBackupGraph(stack);
    const findings: Finding[] = [];
    for (const [plan, dbName] of plansOfProduction(graph)) {
      if (plan.rulesState === "unknown") {
        findings.push(deferredFinding(plan.view, "its rules, and so whether they copy offsite", plan.view.urn));
        continue;
      }
      for (const rule of plan.rules) {
        const source = sourceLocation(rule);
        const verdicts = rule.copies.map((c) => isOffsite(source, c));
        const offsite = triOr(...verdicts, rule.copiesUnknown ? "unknown" : "no");
        if (offsite === "yes") continue;
        if (offsite === "unknown") {
          findings.push(deferredFinding(plan.view, `whether rule "${rule.name}" copies to another Region or account (its copy destination or a Region/account is unknown until deployment)`, plan.view.urn));
          continue;
        }
        const invalid = rule.copies.filter((c): c is Extract<VaultReference, { state: "invalid" }> => c.state === "invalid").map((c) => c.what);
        const problem =
          rule.copies.length === 0
            ? `rule "${rule.name}" (backing up production database "${dbName}") has no copyActions, so every recovery point stays in ${describeLocation(source)}`
            : `rule "${rule.name}" (backing up production database "${dbName}") copies only within ${describeLocation(source)}${invalid.length > 0 ? ` (${invalid.join("; ")})` : ""}`;
        findings.push({
          urn: plan.view.urn,
          name: plan.view.name,
          message: violationMessage({
            resource: plan.view,
            problem,
            why: "a Region outage, or anyone with administrator rights in this account, can take the backups together with the database.",
            fix: `add copyActions: [{ destinationVaultArn: <vault in another Region or account>.arn }] to rule "${rule.name}" of this plan.`,
          }),
        });
      }
    }
    return findings;
  },
};
