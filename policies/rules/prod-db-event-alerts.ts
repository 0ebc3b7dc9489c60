/**
 * prod-db-event-alerts (advisory): an enabled `aws:rds/eventSubscription:EventSubscription` sends
 * the events that reveal a production RDS database being deleted or replaced by a restore.
 *
 * A subscription covers a database when it is enabled (AWS's default), its `sourceType` is the
 * database's (or absent: every source type), its `sourceIds` list the database's identifier (or are
 * absent: every source of the type; in a preview a property dependency on the database counts), it
 * is in the database's Region and account, and its `eventCategories` (absent: all) include the
 * required ones. Categories may come from several subscriptions.
 *
 * Required categories, per the RDS event tables ("Amazon RDS event categories and event messages",
 * RDS and Aurora user guides, checked 2026), which differ by source type:
 * - `db-instance`: `deletion` (RDS-EVENT-0003, the instance was deleted) and `restoration`
 *   (RDS-EVENT-0008 / 0019, the instance was restored from a snapshot / to a point in time).
 * - `db-cluster`: `deletion` (RDS-EVENT-0171, the cluster was deleted) and `creation`
 *   (RDS-EVENT-0170). RDS has no `restoration` category for clusters: a cluster restore
 *   (RestoreDBClusterFromSnapshot / ToPointInTime) always creates a new cluster, so `creation` is
 *   the event that reveals it. The RDS user guide's table for Multi-AZ DB clusters lists no
 *   deletion event; subscribing to `deletion` is still what AWS accepts for the source type.
 * DynamoDB tables have no RDS events and are not judged here; nor are read replicas, whose loss
 * loses no data.
 *
 * No configuration.
 */
import {
  type DatabaseNode,
  type EventSubscriptionNode,
  type Tri,
  buildBackupGraph,
  productionDatabases,
  sameLocation,
  triAnd,
  triOr,
  unresolvedUnknownEntries,
} from "../lib/backup-graph";
import type { Finding, StackRule } from "../lib/rule";
import { deferredFinding, violationMessage } from "../lib/rule";

/** The RDS event source type and the categories that reveal a deletion or a restore, per kind. */
export const REQUIRED_EVENT_CATEGORIES: Readonly<Record<"rds-instance" | "rds-cluster", { sourceType: string; categories: readonly string[] }>> = {
  "rds-instance": { sourceType: "db-instance", categories: ["deletion", "restoration"] },
  "rds-cluster": { sourceType: "db-cluster", categories: ["deletion", "creation"] },
};

function idsCover(sub: EventSubscriptionNode, db: DatabaseNode): Tri {
  const ids = sub.sourceIds;
  if (!ids) return "yes";
  if (ids.databaseDependencies.includes(db) && (ids.unknownEntries > 0 || ids.wholeUnknown)) return "yes";
  let result: Tri = "no";
  if (db.identifier !== undefined) {
    // RDS identifiers are case-insensitive (stored in lower case).
    if (ids.known.some((id) => id.toLowerCase() === db.identifier!.toLowerCase())) return "yes";
  } else if (ids.known.length > 0) result = "unknown";
  if (unresolvedUnknownEntries({ ...ids, patterns: ids.known })) {
    result = triOr(result, "unknown");
  }
  return result;
}

/** Whether this subscription delivers `category` events of this database. */
function deliversCategory(sub: EventSubscriptionNode, db: DatabaseNode, sourceType: string, category: string): Tri {
  if (sub.invalid !== undefined) return "no"; // RDS refuses sourceIds that are not identifiers
  const enabled: Tri = sub.enabled.state === "known" ? (sub.enabled.value ? "yes" : "no") : sub.enabled.state === "absent" ? "yes" : sub.enabled.state === "unknown" ? "unknown" : "no";
  const type: Tri = sub.sourceType.state === "absent" ? "yes" : sub.sourceType.state === "known" ? (sub.sourceType.value === sourceType ? "yes" : "no") : sub.sourceType.state === "unknown" ? "unknown" : "no";
  let categories: Tri;
  if (sub.categories.state === "absent") categories = "yes";
  else if (sub.categories.state === "known") categories = sub.categories.value.length === 0 || sub.categories.value.includes(category) ? "yes" : "no";
  else categories = sub.categories.state === "unknown" ? "unknown" : "no";
  return triAnd(enabled, type, categories, idsCover(sub, db), sameLocation(sub.location, db.location));
}

/** Subscriptions indexed by source id and dependency; the broad ones (no ids, unknown ids) apply to all. */
function candidateIndex(subscriptions: readonly EventSubscriptionNode[]): (db: DatabaseNode) => EventSubscriptionNode[] {
  const byId = new Map<string, EventSubscriptionNode[]>();
  const byDependency = new Map<DatabaseNode, EventSubscriptionNode[]>();
  const broad: EventSubscriptionNode[] = [];
  const withIds: EventSubscriptionNode[] = [];
  const add = <K>(map: Map<K, EventSubscriptionNode[]>, key: K, sub: EventSubscriptionNode) => {
    const list = map.get(key);
    if (list) list.push(sub);
    else map.set(key, [sub]);
  };
  for (const sub of subscriptions) {
    const ids = sub.sourceIds;
    if (!ids || unresolvedUnknownEntries({ ...ids, patterns: ids.known })) broad.push(sub);
    if (!ids) continue;
    withIds.push(sub);
    for (const id of ids.known) add(byId, id.toLowerCase(), sub);
    for (const db of ids.databaseDependencies) add(byDependency, db, sub);
  }
  return (db) => {
    // An identifier unknown until deployment may be any listed id.
    const byName = db.identifier !== undefined ? byId.get(db.identifier.toLowerCase()) ?? [] : withIds;
    return [...new Set([...byName, ...(byDependency.get(db) ?? []), ...broad])];
  };
}

export const prodDbEventAlerts: StackRule = {
  id: "prod-db-event-alerts",
  description: "An RDS event subscription alerts on the deletion or restore of every production RDS instance and cluster.",
  enforcementLevel: "advisory",
  severity: "medium",
  waivable: true,
  tags: ["rds", "aurora", "alerting", "events"],
  remediationSteps:
    'Add an aws.rds.EventSubscription (snsTopic: your alert topic) with sourceType "db-instance" and eventCategories ["deletion", "restoration"] for instances, and sourceType "db-cluster" with ["deletion", "creation"] for clusters; list the databases in sourceIds or leave sourceIds out for all.',
  check(stack) {
    const graph = buildBackupGraph(stack);
    const { databases, deferred } = productionDatabases(graph, { kinds: ["rds-instance", "rds-cluster"], exceptReadReplicas: true });
    const findings: Finding[] = [...deferred];
    const candidatesOf = candidateIndex(graph.eventSubscriptions);
    const broken = graph.eventSubscriptions.flatMap((sub) => (sub.invalid !== undefined ? [`RDS event subscription "${sub.view.name}": ${sub.invalid}`] : []));
    const brokenNote = broken.length > 0 ? `; these send nothing as written: ${broken.slice(0, 3).join("; ")}${broken.length > 3 ? ` (and ${broken.length - 3} more)` : ""}` : "";
    for (const db of databases) {
      const required = REQUIRED_EVENT_CATEGORIES[db.kind as "rds-instance" | "rds-cluster"];
      const candidates = candidatesOf(db);
      const missing: string[] = [];
      const pending: string[] = [];
      for (const category of required.categories) {
        let tri: Tri = "no";
        for (const sub of candidates) {
          tri = triOr(tri, deliversCategory(sub, db, required.sourceType, category));
          if (tri === "yes") break;
        }
        if (tri === "no") missing.push(category);
        else if (tri === "unknown") pending.push(category);
      }
      if (missing.length > 0) {
        const list = required.categories.map((c) => `"${c}"`).join(", ");
        findings.push({
          urn: db.view.urn,
          name: db.view.name,
          message: violationMessage({
            resource: db.view,
            problem: `no enabled RDS event subscription in its Region and account sends its ${missing.map((c) => `"${c}"`).join(" and ")} events (source type ${required.sourceType})${brokenNote}`,
            why: "a deletion of the database, or a restore that replaces it, then goes unnoticed until users miss their data.",
            fix: `add an aws.rds.EventSubscription with snsTopic: <alert topic>.arn, sourceType: "${required.sourceType}", sourceIds: [${db.view.name}.${db.kind === "rds-instance" ? "identifier" : "clusterIdentifier"}] (or no sourceIds for every ${required.sourceType}) and eventCategories: [${list}] (or none for all).`,
          }),
        });
      } else if (pending.length > 0) {
        findings.push(deferredFinding(db.view, `whether an RDS event subscription sends its ${pending.map((c) => `"${c}"`).join(" and ")} events (a subscription's settings, Region or the database's identifier)`, db.view.urn));
      }
    }
    return findings;
  },
};
