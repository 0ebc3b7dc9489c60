/**
 * prod-db-no-in-place-restore: a production database that was created from a snapshot, a point in
 * time or a backup lists each restore property it sets in `ignoreChanges`. Changing any of them
 * forces Pulumi to replace the database, which is exactly how a live database gets overwritten
 * with an old snapshot; ignoring them makes such an edit a no-op.
 */
import { ignoresProperty, isSet } from "../lib/checks";
import type { Finding, ResourceRule } from "../lib/rule";
import { violationMessage } from "../lib/rule";
import { RESTORE_PROPERTIES } from "../lib/restore-properties";
import { DYNAMODB_TABLE, RDS_CLUSTER, RDS_INSTANCE } from "../lib/tokens";

export { RESTORE_PROPERTIES };

export const prodDbNoInPlaceRestore: ResourceRule = {
  id: "prod-db-no-in-place-restore",
  description: "A production database restored from a snapshot or point in time ignores later changes to its restore properties.",
  enforcementLevel: "mandatory",
  severity: "critical",
  waivable: true,
  tags: ["rds", "aurora", "dynamodb", "restore", "pulumi"],
  remediationSteps: "Add every restore property the resource sets to the ignoreChanges resource option; restore into a new resource instead of editing them.",
  appliesTo: [RDS_INSTANCE, RDS_CLUSTER, DYNAMODB_TABLE],
  productionOnly: true,
  check(db) {
    const findings: Finding[] = [];
    for (const prop of RESTORE_PROPERTIES[db.type] ?? []) {
      const set = isSet(db.props, prop);
      if (set === "no" || ignoresProperty(db.opts.ignoreChanges, prop)) continue;
      if (set === "unknown") {
        // Unknown still means set: an unknown value will be there, so the option is needed now.
        findings.push({
          message: violationMessage({
            resource: db,
            problem: `${prop} is set (its value is unknown until deployment) but is not in ignoreChanges`,
            why: "any later change to it replaces the live database with a restored copy.",
            fix: `add "${prop}" to the ignoreChanges resource option.`,
          }),
        });
        continue;
      }
      findings.push({
        message: violationMessage({
          resource: db,
          problem: `${prop} is set but is not in ignoreChanges`,
          why: "editing it later (say, to restore a test copy) makes Pulumi replace the live database with that snapshot, losing everything written since.",
          fix: `add "${prop}" to the ignoreChanges resource option, and restore into a new resource instead.`,
        }),
      });
    }
    return findings;
  },
};
