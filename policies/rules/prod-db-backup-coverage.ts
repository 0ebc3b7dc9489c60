/**
 * prod-db-backup-coverage: every production database (RDS instance, RDS/Aurora cluster, DynamoDB
 * table) is selected by an `aws:backup/selection:Selection`: by its ARN (or, in a preview, by a
 * property dependency on it), by an ARN pattern that matches it, or by `selectionTags`, with
 * `conditions` holding for its tags and no `notResources` entry excluding it, in the selection's own
 * Region and account. The AWS Backup selection semantics are in lib/backup-graph.ts.
 *
 * A selection that may select the database but depends on values unknown until deployment gives a
 * deferred finding; a database no selection can select is a violation that names the near misses
 * (a tag that differs only in case, a notResources exclusion, a condition that fails). Read
 * replicas are not judged: their data is their source's and is recovered with it.
 *
 * No configuration.
 */
import { buildBackupGraph, productionDatabases } from "../lib/backup-graph";
import type { Finding, StackRule } from "../lib/rule";
import { deferredFinding, typeLabel, violationMessage } from "../lib/rule";

/** Near misses quoted in one message, at most (the rest are counted). */
const MAX_MISSES_SHOWN = 3;

export const prodDbBackupCoverage: StackRule = {
  id: "prod-db-backup-coverage",
  description: "Every production database is selected by an AWS Backup selection.",
  enforcementLevel: "mandatory",
  severity: "critical",
  waivable: true,
  tags: ["backup", "rds", "aurora", "dynamodb", "aws-backup"],
  remediationSteps:
    "Add an aws.backup.Selection for the database's backup plan: resources: [db.arn], or selectionTags / resources plus conditions that match the database's tags exactly (case-sensitive), and make sure notResources does not exclude it.",
  check(stack) {
    const graph = buildBackupGraph(stack);
    const { databases, deferred } = productionDatabases(graph, { exceptReadReplicas: true });
    // Selections that cannot select anything as written: worth naming when a database is left out.
    const broken = graph.selections.flatMap((s) => s.notes.map((n) => `backup selection "${s.view.name}": ${n}`));
    const brokenNote = broken.length > 0 ? `; note ${broken.slice(0, MAX_MISSES_SHOWN).join("; ")}${broken.length > MAX_MISSES_SHOWN ? ` (and ${broken.length - MAX_MISSES_SHOWN} more)` : ""}` : "";
    const findings: Finding[] = [...deferred];
    for (const db of databases) {
      const coverage = graph.coverage.get(db.view.urn);
      if (!coverage) continue;
      if (coverage.matches.some((m) => m.certainty === "yes")) continue;
      const possible = coverage.matches.filter((m) => m.certainty === "unknown");
      if (possible.length > 0) {
        const detail = possible.map((m) => `backup selection "${m.selection.view.name}" (${m.reason})`).join("; ");
        findings.push(deferredFinding(db.view, `whether a backup selection selects it: ${detail}`, db.view.urn));
        continue;
      }
      const misses = [...new Set(coverage.misses)];
      const shown = misses.slice(0, MAX_MISSES_SHOWN).join("; ");
      const more = misses.length > MAX_MISSES_SHOWN ? ` (and ${misses.length - MAX_MISSES_SHOWN} more)` : "";
      const problem =
        graph.selections.length === 0
          ? "no aws:backup/selection:Selection in this stack selects it (there is none)"
          : `no aws:backup/selection:Selection selects it${misses.length > 0 ? `: ${shown}${more}` : ""}${brokenNote}`;
      findings.push({
        urn: db.view.urn,
        name: db.view.name,
        message: violationMessage({
          resource: db.view,
          problem,
          why: "AWS Backup then keeps no copy of it in a vault, so a deleted or overwritten database can only come back from what the database service itself keeps.",
          fix: `add an aws.backup.Selection with planId: <plan>.id and resources: [${db.view.name}.arn] (or a selectionTags entry that matches one of its tags exactly) for this ${typeLabel(db.view.type)}, and keep it out of notResources.`,
        }),
      });
    }
    return findings;
  },
};
