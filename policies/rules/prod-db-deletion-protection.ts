/**
 * prod-db-deletion-protection: a production RDS instance, Aurora/RDS cluster or DynamoDB table has
 * AWS deletion protection on (`deletionProtection: true`; DynamoDB `deletionProtectionEnabled: true`).
 * Not waivable.
 */
import { requireBoolean } from "../lib/checks";
import type { ResourceRule } from "../lib/rule";
import { DYNAMODB_TABLE, RDS_CLUSTER, RDS_INSTANCE } from "../lib/tokens";

export const prodDbDeletionProtection: ResourceRule = {
  id: "prod-db-deletion-protection",
  description: "Production databases have AWS deletion protection enabled.",
  enforcementLevel: "mandatory",
  severity: "critical",
  waivable: false,
  tags: ["rds", "aurora", "dynamodb", "deletion"],
  remediationSteps: "Set deletionProtection: true (RDS, Aurora) or deletionProtectionEnabled: true (DynamoDB).",
  appliesTo: [RDS_INSTANCE, RDS_CLUSTER, DYNAMODB_TABLE],
  productionOnly: true,
  check(db) {
    const why = "without it one API call or one mistaken `pulumi up` deletes the live database.";
    if (db.type === DYNAMODB_TABLE) {
      return requireBoolean(db, "deletionProtectionEnabled", true, false, { why, fix: "set deletionProtectionEnabled: true." });
    }
    return requireBoolean(db, "deletionProtection", true, false, { why, fix: "set deletionProtection: true." });
  },
};
