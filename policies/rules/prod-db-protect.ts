/**
 * prod-db-protect: a production database carries the Pulumi `protect: true` resource option, so
 * the engine refuses to replace or delete it. Not waivable.
 */
import type { ResourceRule } from "../lib/rule";
import { violationMessage } from "../lib/rule";
import { DYNAMODB_TABLE, RDS_CLUSTER, RDS_INSTANCE } from "../lib/tokens";

export const prodDbProtect: ResourceRule = {
  id: "prod-db-protect",
  description: "Production databases carry the Pulumi `protect: true` resource option.",
  enforcementLevel: "mandatory",
  severity: "critical",
  waivable: false,
  tags: ["rds", "aurora", "dynamodb", "deletion", "pulumi"],
  remediationSteps: "Add the resource option { protect: true }.",
  appliesTo: [RDS_INSTANCE, RDS_CLUSTER, DYNAMODB_TABLE],
  productionOnly: true,
  check(db) {
    if (db.opts.protect) return [];
    return [
      {
        message: violationMessage({
          resource: db,
          problem: "the resource option protect is not true",
          why: "Pulumi then replaces or deletes the live database whenever the program asks it to, as in the incident this kit exists for.",
          fix: "pass { protect: true } in the resource options.",
        }),
      },
    ];
  },
};
