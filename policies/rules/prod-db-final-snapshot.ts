/**
 * prod-db-final-snapshot: deleting a production RDS instance or Aurora cluster leaves a final
 * snapshot and keeps its automated backups: `skipFinalSnapshot` not true, a
 * `finalSnapshotIdentifier`, and `deleteAutomatedBackups: false` (AWS's default is true).
 * Read replicas are excepted: AWS takes no final snapshot of a replica. Supports `remediate`.
 */
import { isReadReplica, isSet, requireBoolean, requireNonEmptyString } from "../lib/checks";
import { readBoolean } from "../lib/properties";
import type { Finding, ResourceRule } from "../lib/rule";
import { deferredFinding } from "../lib/rule";
import { RDS_CLUSTER, RDS_INSTANCE } from "../lib/tokens";

/** A deterministic, valid RDS snapshot identifier derived from the logical name. */
export function finalSnapshotIdentifierFor(name: string): string {
  // RDS identifiers: a letter first, letters, digits and single hyphens, no hyphen at the end.
  let id = `${name}-final`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
  if (!/^[a-z]/.test(id)) id = `db-${id}`;
  return id.replace(/-+/g, "-").slice(0, 255).replace(/-+$/, "");
}

export const prodDbFinalSnapshot: ResourceRule = {
  id: "prod-db-final-snapshot",
  description: "Deleting a production RDS or Aurora database leaves a final snapshot and keeps its automated backups.",
  enforcementLevel: "mandatory",
  severity: "high",
  waivable: true,
  tags: ["rds", "aurora", "backup", "deletion"],
  remediationSteps: "Set skipFinalSnapshot: false, finalSnapshotIdentifier: \"<name>-final\" and deleteAutomatedBackups: false.",
  appliesTo: [RDS_INSTANCE, RDS_CLUSTER],
  productionOnly: true,
  check(db) {
    const replica = isReadReplica(db);
    if (replica === "yes") return [];
    if (replica === "unknown") return [deferredFinding(db, "whether it is a read replica")];
    const findings: Finding[] = [];
    findings.push(
      ...requireBoolean(db, "skipFinalSnapshot", false, false, {
        why: "deleting the database would then leave no final copy of its data.",
        fix: "set skipFinalSnapshot: false.",
      }),
    );
    findings.push(
      ...requireNonEmptyString(db, "finalSnapshotIdentifier", {
        why: "without a name AWS cannot take the final snapshot, so the deletion either fails midway or, with skipFinalSnapshot, leaves nothing.",
        fix: `set finalSnapshotIdentifier: "${finalSnapshotIdentifierFor(db.name)}".`,
      }),
    );
    findings.push(
      ...requireBoolean(db, "deleteAutomatedBackups", false, true, {
        why: "AWS deletes the point-in-time backups together with the database unless told to keep them.",
        fix: "set deleteAutomatedBackups: false.",
      }),
    );
    return findings;
  },
  remediate(db) {
    if (isReadReplica(db) !== "no") return undefined;
    const changes: Record<string, unknown> = {};
    const skip = readBoolean(db.props, "skipFinalSnapshot");
    if (skip.state === "known" && skip.value) changes.skipFinalSnapshot = false;
    if (isSet(db.props, "finalSnapshotIdentifier") === "no") changes.finalSnapshotIdentifier = finalSnapshotIdentifierFor(db.name);
    const del = readBoolean(db.props, "deleteAutomatedBackups");
    if (del.state === "absent" || (del.state === "known" && del.value)) changes.deleteAutomatedBackups = false;
    return Object.keys(changes).length > 0 ? changes : undefined;
  },
};
