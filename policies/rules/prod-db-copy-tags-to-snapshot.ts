/**
 * prod-db-copy-tags-to-snapshot: production RDS instances and clusters copy their tags to their
 * snapshots, so the `environment` tag that IAM conditions and backup selections rely on follows
 * the data. Advisory by default; supports `remediate`.
 */
import { requireBoolean } from "../lib/checks";
import { readBoolean } from "../lib/properties";
import type { ResourceRule } from "../lib/rule";
import { RDS_CLUSTER, RDS_INSTANCE } from "../lib/tokens";

export const prodDbCopyTagsToSnapshot: ResourceRule = {
  id: "prod-db-copy-tags-to-snapshot",
  description: "Production RDS and Aurora databases copy their tags to snapshots.",
  enforcementLevel: "advisory",
  severity: "medium",
  waivable: true,
  tags: ["rds", "aurora", "tagging", "iam"],
  remediationSteps: "Set copyTagsToSnapshot: true.",
  appliesTo: [RDS_INSTANCE, RDS_CLUSTER],
  productionOnly: true,
  check(db) {
    return requireBoolean(db, "copyTagsToSnapshot", true, false, {
      why: "untagged snapshots escape the IAM conditions that protect production data and look like test data to a tired engineer.",
      fix: "set copyTagsToSnapshot: true.",
    });
  },
  remediate(db) {
    const r = readBoolean(db.props, "copyTagsToSnapshot");
    return r.state === "absent" || (r.state === "known" && !r.value) ? { copyTagsToSnapshot: true } : undefined;
  },
};
