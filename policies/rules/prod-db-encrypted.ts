/**
 * prod-db-encrypted: production RDS instances and Aurora/RDS clusters have `storageEncrypted: true`.
 * Read replicas are excepted as AWS excepts them: a replica takes its source's encryption.
 */
import { isReadReplica, requireBoolean } from "../lib/checks";
import type { ResourceRule } from "../lib/rule";
import { deferredFinding } from "../lib/rule";
import { RDS_CLUSTER, RDS_INSTANCE } from "../lib/tokens";

export const prodDbEncrypted: ResourceRule = {
  id: "prod-db-encrypted",
  description: "Production RDS and Aurora storage is encrypted.",
  enforcementLevel: "mandatory",
  severity: "high",
  waivable: true,
  tags: ["rds", "aurora", "encryption"],
  remediationSteps: "Set storageEncrypted: true (with a customer-managed kmsKeyId). An existing unencrypted database must be migrated through an encrypted snapshot copy.",
  appliesTo: [RDS_INSTANCE, RDS_CLUSTER],
  productionOnly: true,
  check(db) {
    const replica = isReadReplica(db);
    if (replica === "yes") return [];
    if (replica === "unknown") return [deferredFinding(db, "whether it is a read replica")];
    return requireBoolean(db, "storageEncrypted", true, false, {
      why: "unencrypted storage leaks every snapshot and copy of production data, and cannot be encrypted in place later.",
      fix: "set storageEncrypted: true and kmsKeyId to a customer-managed key.",
    });
  },
};
