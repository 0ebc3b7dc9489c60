/**
 * backup-restore-testing (advisory): every production database is covered by an AWS Backup
 * restore testing selection (`aws:backup/restoreTestingSelection:RestoreTestingSelection`, which
 * belongs to an `aws:backup/restoreTestingPlan:RestoreTestingPlan`), so its backups are restored
 * on a schedule and a broken backup is found before it is needed.
 *
 * A selection covers a database when (AWS Backup `RestoreTestingSelectionForCreate`, checked 2026):
 * - `protectedResourceType` is the database's AWS Backup resource type: `RDS` for an RDS instance,
 *   `Aurora` for an Aurora cluster (engine `aurora*`), `RDS` for another (Multi-AZ) DB cluster,
 *   `DynamoDB` for a table; compared exactly, as AWS does;
 * - `protectedResourceArns` lists its ARN (or, in a preview, depends on it) or is `["*"]`, or is
 *   absent while `protectedResourceConditions` is given (the two are alternatives);
 * - `protectedResourceConditions` (`stringEquals`, `stringNotEquals` on `aws:ResourceTag/<key>`)
 *   all hold for its tags;
 * - it is in the database's Region and account.
 * Read replicas are not judged (their source's backups are the ones to test).
 *
 * No configuration.
 */
import {
  ArnPatternIndex,
  type DatabaseNode,
  type RestoreTestingSelectionNode,
  type Tri,
  arnListMatches,
  buildBackupGraph,
  conditionsMatch,
  productionDatabases,
  sameLocation,
  triAnd,
  triOr,
  unresolvedUnknownEntries,
} from "../lib/backup-graph";
import { readString } from "../lib/properties";
import type { Finding, StackRule } from "../lib/rule";
import { deferredFinding, typeLabel, violationMessage } from "../lib/rule";

/** The `protectedResourceType` values that can mean this database ("unknown" engine: either). */
export function restoreTestingTypesOf(db: DatabaseNode): { types: string[]; certain: boolean } {
  if (db.kind === "rds-instance") return { types: ["RDS"], certain: true };
  if (db.kind === "dynamodb-table") return { types: ["DynamoDB"], certain: true };
  const engine = readString(db.view.props, "engine");
  if (engine.state === "known") return { types: [engine.value.toLowerCase().startsWith("aurora") ? "Aurora" : "RDS"], certain: true };
  return { types: ["Aurora", "RDS"], certain: false };
}

function selectionCovers(s: RestoreTestingSelectionNode, db: DatabaseNode): { tri: Tri; why: string } {
  // AWS Backup refuses it, or part of it cannot be read: reading around that part would widen it.
  if (s.notes.length > 0) return { tri: "no", why: "" };
  const wanted = restoreTestingTypesOf(db);
  let typeTri: Tri;
  if (s.resourceType.state === "known") typeTri = wanted.types.includes(s.resourceType.value) ? (wanted.certain ? "yes" : "unknown") : "no";
  else typeTri = s.resourceType.state === "unknown" ? "unknown" : "no";
  if (typeTri === "no") return { tri: "no", why: "" };
  const hasArns = s.arns.state !== "absent";
  const hasConditions = s.conditions === "unknown" || s.conditions.length > 0;
  let arnTri: Tri;
  let why = "";
  if (!hasArns) arnTri = hasConditions ? "yes" : "no";
  else {
    const m = arnListMatches(s.arns, db);
    arnTri = m.tri;
    why = m.why;
  }
  const conditions = conditionsMatch(s.conditions, db.tags);
  const tri = triAnd(typeTri, arnTri, conditions.tri, sameLocation(s.location, db.location));
  if (tri !== "unknown") return { tri, why: "" };
  const reasons: string[] = [];
  if (typeTri === "unknown") reasons.push("its protectedResourceType or the cluster's engine is unknown until deployment");
  if (arnTri === "unknown") reasons.push(`protectedResourceArns: ${why}`);
  if (conditions.tri === "unknown") reasons.push(db.tags.state === "unknown" ? db.tags.why : "its conditions hold values unknown until deployment");
  if (sameLocation(s.location, db.location) === "unknown") reasons.push("whether it is in the database's Region and account");
  return { tri, why: reasons.join("; ") };
}

/**
 * Restore testing selections indexed so that each database meets only those that can cover it:
 * by ARN pattern, by property dependency, and the broad ones (no ARNs, or unknown entries).
 */
function candidateIndex(selections: readonly RestoreTestingSelectionNode[]): (db: DatabaseNode) => RestoreTestingSelectionNode[] {
  const byPattern = new ArnPatternIndex<RestoreTestingSelectionNode>();
  const byDependency = new Map<DatabaseNode, RestoreTestingSelectionNode[]>();
  const broad: RestoreTestingSelectionNode[] = [];
  for (const s of selections) {
    if (s.arns.state === "absent" || unresolvedUnknownEntries(s.arns)) broad.push(s);
    for (const pattern of s.arns.patterns) byPattern.add(pattern, s);
    for (const db of s.arns.databaseDependencies) {
      const list = byDependency.get(db);
      if (list) list.push(s);
      else byDependency.set(db, [s]);
    }
  }
  return (db) => [...new Set([...byPattern.candidates(db.arn), ...(byDependency.get(db) ?? []), ...broad])];
}

export const backupRestoreTesting: StackRule = {
  id: "backup-restore-testing",
  description: "Every production database's backups are restore-tested by an AWS Backup restore testing plan.",
  enforcementLevel: "advisory",
  severity: "medium",
  waivable: true,
  tags: ["backup", "aws-backup", "restore-testing"],
  remediationSteps:
    "Add an aws.backup.RestoreTestingPlan and an aws.backup.RestoreTestingSelection with the database's protectedResourceType and protectedResourceArns: [db.arn] (or [\"*\"] with protectedResourceConditions matching its tags).",
  check(stack) {
    const graph = buildBackupGraph(stack);
    const { databases, deferred } = productionDatabases(graph, { exceptReadReplicas: true });
    const findings: Finding[] = [...deferred];
    const candidatesOf = candidateIndex(graph.restoreTestingSelections);
    for (const db of databases) {
      let result: Tri = "no";
      const pending: string[] = [];
      for (const s of candidatesOf(db)) {
        const v = selectionCovers(s, db);
        result = triOr(result, v.tri);
        if (result === "yes") break;
        if (v.tri === "unknown") pending.push(`restore testing selection "${s.view.name}" (${v.why})`);
      }
      if (result === "yes") continue;
      if (result === "unknown") {
        findings.push(deferredFinding(db.view, `whether a restore testing selection covers it: ${pending.join("; ")}`, db.view.urn));
        continue;
      }
      const type = restoreTestingTypesOf(db).types.join(" or ");
      const broken = graph.restoreTestingSelections.flatMap((s) => s.notes.map((n) => `restore testing selection "${s.view.name}": ${n}`));
      const brokenNote = broken.length > 0 ? `; these select nothing as written: ${broken.slice(0, 3).join("; ")}${broken.length > 3 ? ` (and ${broken.length - 3} more)` : ""}` : "";
      findings.push({
        urn: db.view.urn,
        name: db.view.name,
        message: violationMessage({
          resource: db.view,
          problem:
            graph.restoreTestingSelections.length === 0
              ? "no AWS Backup restore testing selection exists in this stack, so its backups are never restored to prove they work"
              : `no AWS Backup restore testing selection covers it (none has protectedResourceType "${type}" with its ARN, "*" or conditions matching its tags in its Region and account)${brokenNote}`,
          why: "a backup that has never been restored may not restore when the database is lost.",
          fix: `add an aws.backup.RestoreTestingSelection with restoreTestingPlanName: <plan>.name, protectedResourceType: "${type}" and protectedResourceArns: [${db.view.name}.arn] for this ${typeLabel(db.view.type)}.`,
        }),
      });
    }
    return findings;
  },
};
