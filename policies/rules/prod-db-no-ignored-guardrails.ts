/**
 * prod-db-no-ignored-guardrails: a production database's `ignoreChanges` names none of its
 * guardrail properties (deletion protection, retention, final snapshot, encryption,
 * point-in-time recovery). An ignored guardrail is one that silently stops being enforced:
 * `pulumi up` would keep whatever someone set by hand in the console.
 */
import { parsePropertyPath } from "../lib/checks";
import type { ResourceRule } from "../lib/rule";
import { violationMessage } from "../lib/rule";
import { DYNAMODB_TABLE, RDS_CLUSTER, RDS_INSTANCE } from "../lib/tokens";

const RDS_GUARDRAILS = ["deletionProtection", "backupRetentionPeriod", "skipFinalSnapshot", "finalSnapshotIdentifier", "deleteAutomatedBackups", "storageEncrypted", "kmsKeyId"];

/** Guardrail properties per type; ignoring any of them (or a path inside one) is a violation. */
export const GUARDRAIL_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  [RDS_INSTANCE]: RDS_GUARDRAILS,
  [RDS_CLUSTER]: RDS_GUARDRAILS,
  [DYNAMODB_TABLE]: ["deletionProtectionEnabled", "pointInTimeRecovery", "serverSideEncryption"],
};

/**
 * The guardrail an ignoreChanges entry covers, if any: the property or a path inside it, in any
 * path form the engine accepts (`p`, `p.x`, `["p"]`, `.p`), or `*` / `[*]` / `["*"]` (every property).
 * Names compare trimmed and case-insensitively, so a near miss is reported rather than trusted.
 * An entry the engine cannot parse is read by its leading name, for the same reason.
 */
export function ignoredGuardrail(entry: string, guardrails: readonly string[]): string | undefined {
  const path = parsePropertyPath(entry.trim());
  const head = path ? path[0] : entry.split(/[.[]/)[0];
  if (path && path.length === 1 && head === "*") return 'every property ("*")';
  if (typeof head !== "string") return undefined;
  const name = head.trim().toLowerCase();
  return guardrails.find((g) => g.toLowerCase() === name);
}

export const prodDbNoIgnoredGuardrails: ResourceRule = {
  id: "prod-db-no-ignored-guardrails",
  description: "A production database does not put its guardrail properties in ignoreChanges.",
  enforcementLevel: "mandatory",
  severity: "high",
  waivable: true,
  tags: ["rds", "aurora", "dynamodb", "pulumi"],
  remediationSteps: "Remove the guardrail properties from the ignoreChanges resource option.",
  appliesTo: [RDS_INSTANCE, RDS_CLUSTER, DYNAMODB_TABLE],
  productionOnly: true,
  check(db) {
    const guardrails = GUARDRAIL_PROPERTIES[db.type] ?? [];
    return db.opts.ignoreChanges.flatMap((entry) => {
      const hit = ignoredGuardrail(entry, guardrails);
      if (!hit) return [];
      return [
        {
          message: violationMessage({
            resource: db,
            problem: `ignoreChanges lists "${entry}", which covers the guardrail ${hit}`,
            why: "Pulumi then stops enforcing it, so a change made by hand (deletion protection switched off, retention cut) stays unnoticed.",
            fix: `remove "${entry}" from the ignoreChanges resource option.`,
          }),
        },
      ];
    });
  },
};
