/**
 * Exact shapes of the probes (probes.ts) and of the catalogue lookups behind them
 * (action-catalogue.ts): ARNs per kind, partition and region, actions, request contexts, tag
 * spellings, descriptions, self-escalation probes and restore authorizations.
 */
import { ActionCatalogue, actionCatalogue, unknownActionPatterns, unknownConditionKeys } from "../../policies/lib/iam/action-catalogue";
import {
  DESTRUCTIVE_ACTIONS,
  type Probe,
  type ProductionKind,
  RESTORE_TARGET_WRITES,
  arnFromFormat,
  locationKey,
  productionProbes,
  productionTagVariants,
  recoveryPointArn,
  restoreAuthorizations,
  selfEscalationProbes,
} from "../../policies/lib/iam/probes";

const ACCOUNT = "123456789012";
const CN = { partition: "aws-cn", region: "cn-north-1", account: ACCOUNT };

/** The nine spellings of environment=production (key as written/lower, Capitalized, UPPER; same for the value). */
const ENV_PRODUCTION: Array<[string, string]> = [
  ["environment", "production"],
  ["environment", "Production"],
  ["environment", "PRODUCTION"],
  ["Environment", "production"],
  ["Environment", "Production"],
  ["Environment", "PRODUCTION"],
  ["ENVIRONMENT", "production"],
  ["ENVIRONMENT", "Production"],
  ["ENVIRONMENT", "PRODUCTION"],
];

/**
 * [action, ARN, harm] of each probe. Retag probes are listed once per action and ARN: what their
 * request contexts are is left open here (see the report on request tags).
 */
const triples = (probes: readonly Probe[]) => {
  const seen = new Set<string>();
  return probes
    .filter((p) => {
      if (p.harm !== "retag") return true;
      const key = `${p.action} ${p.resource}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((p) => [p.action, p.resource, p.harm]);
};

describe("locationKey", () => {
  it("joins partition, region and account with NUL, unknown parts empty", () => {
    expect(locationKey({})).toBe("\u0000\u0000");
    expect(locationKey({ partition: "aws", region: "us-east-1", account: ACCOUNT })).toBe(`aws\u0000us-east-1\u0000${ACCOUNT}`);
    expect(locationKey({ account: ACCOUNT })).toBe(`\u0000\u0000${ACCOUNT}`);
    expect(locationKey({ region: "eu-west-1" })).toBe("\u0000eu-west-1\u0000");
    expect(locationKey({ partition: "aws-cn" })).toBe("aws-cn\u0000\u0000");
    // A part in another position is another location.
    expect(locationKey({ region: ACCOUNT })).not.toBe(locationKey({ account: ACCOUNT }));
  });
});

describe("arnFromFormat", () => {
  it("fills every variable, unknown ones with *, and leaves other text alone", () => {
    expect(arnFromFormat("arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/backup/${BackupName}", { Partition: "aws", Region: "eu-west-1", TableName: "orders" })).toBe(
      "arn:aws:dynamodb:eu-west-1:*:table/orders/backup/*",
    );
    expect(arnFromFormat("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", {})).toBe("arn:*:iam::*:role/*");
    expect(arnFromFormat("${a}${B}-${a}", { a: "x", B: "y" })).toBe("xy-x");
    // An empty value is a value, not an unknown.
    expect(arnFromFormat("arn:${Partition}:s3:::${BucketName}", { Partition: "aws", BucketName: "" })).toBe("arn:aws:s3:::");
    expect(arnFromFormat("no variables: $ {} ${}", { Partition: "aws" })).toBe("no variables: $ {} ${}");
  });
});

describe("productionTagVariants", () => {
  it("spells each key and value as written, lower, Capitalized and UPPER, one tag per set, in order", () => {
    expect(productionTagVariants({ environment: ["production"] })).toStrictEqual(ENV_PRODUCTION.map(([k, v]) => ({ [k]: v })));
    expect(productionTagVariants({ eNv: ["pRoD"] })).toStrictEqual([
      { eNv: "pRoD" },
      { eNv: "prod" },
      { eNv: "Prod" },
      { eNv: "PROD" },
      { env: "pRoD" },
      { env: "prod" },
      { env: "Prod" },
      { env: "PROD" },
      { Env: "pRoD" },
      { Env: "prod" },
      { Env: "Prod" },
      { Env: "PROD" },
      { ENV: "pRoD" },
      { ENV: "prod" },
      { ENV: "Prod" },
      { ENV: "PROD" },
    ]);
  });

  it("walks keys, then their values, and never repeats a tag", () => {
    expect(productionTagVariants({ stage: ["prod", "PROD", "live"], Stage: ["live"], tier: ["1"] })).toStrictEqual([
      { stage: "prod" },
      { stage: "Prod" },
      { stage: "PROD" },
      { stage: "live" },
      { stage: "Live" },
      { stage: "LIVE" },
      { Stage: "prod" },
      { Stage: "Prod" },
      { Stage: "PROD" },
      { Stage: "live" },
      { Stage: "Live" },
      { Stage: "LIVE" },
      { STAGE: "prod" },
      { STAGE: "Prod" },
      { STAGE: "PROD" },
      { STAGE: "live" },
      { STAGE: "Live" },
      { STAGE: "LIVE" },
      { tier: "1" },
      { Tier: "1" },
      { TIER: "1" },
    ]);
  });

  it("keeps an empty tag value (AWS allows one) and gives nothing for no production tags", () => {
    expect(productionTagVariants({ prod: [""] })).toStrictEqual([{ prod: "" }, { Prod: "" }, { PROD: "" }]);
    expect(productionTagVariants({})).toStrictEqual([]);
    expect(productionTagVariants({ environment: [] })).toStrictEqual([]);
  });
});

describe("productionProbes: actions, ARNs and harms per kind", () => {
  const known = (kind: ProductionKind) => productionProbes({ kind, name: "x1", tags: { environment: "production" }, location: CN }, {});

  it("an RDS instance: its own ARN, snapshots and automated backups of any id", () => {
    const db = `arn:aws-cn:rds:cn-north-1:${ACCOUNT}:db:x1`;
    expect(triples(known("rds-instance"))).toStrictEqual([
      ["rds:DeleteDBInstance", db, "delete"],
      ["rds:ModifyDBInstance", db, "modify"],
      ["rds:StopDBInstance", db, "stop"],
      ["rds:RebootDBInstance", db, "reboot"],
      ["rds:RestoreDBInstanceFromDBSnapshot", db, "restore-over"],
      ["rds:RestoreDBInstanceToPointInTime", db, "restore-over"],
      ["rds:RestoreDBInstanceFromS3", db, "restore-over"],
      ["rds:AddTagsToResource", db, "retag"],
      ["rds:RemoveTagsFromResource", db, "retag"],
      ["rds:DeleteDBSnapshot", `arn:aws-cn:rds:cn-north-1:${ACCOUNT}:snapshot:*`, "delete-backup"],
      ["rds:DeleteDBInstanceAutomatedBackup", `arn:aws-cn:rds:cn-north-1:${ACCOUNT}:auto-backup:*`, "delete-backup"],
    ]);
  });

  it("an Aurora cluster", () => {
    const cluster = `arn:aws-cn:rds:cn-north-1:${ACCOUNT}:cluster:x1`;
    expect(triples(known("rds-cluster"))).toStrictEqual([
      ["rds:DeleteDBCluster", cluster, "delete"],
      ["rds:ModifyDBCluster", cluster, "modify"],
      ["rds:StopDBCluster", cluster, "stop"],
      ["rds:RebootDBCluster", cluster, "reboot"],
      ["rds:FailoverDBCluster", cluster, "reboot"],
      ["rds:BacktrackDBCluster", cluster, "modify"],
      ["rds:RemoveFromGlobalCluster", cluster, "modify"],
      ["rds:RestoreDBClusterFromSnapshot", cluster, "restore-over"],
      ["rds:RestoreDBClusterToPointInTime", cluster, "restore-over"],
      ["rds:RestoreDBClusterFromS3", cluster, "restore-over"],
      ["rds:AddTagsToResource", cluster, "retag"],
      ["rds:RemoveTagsFromResource", cluster, "retag"],
      ["rds:DeleteDBClusterSnapshot", `arn:aws-cn:rds:cn-north-1:${ACCOUNT}:cluster-snapshot:*`, "delete-backup"],
      ["rds:DeleteDBClusterAutomatedBackup", `arn:aws-cn:rds:cn-north-1:${ACCOUNT}:cluster-auto-backup:*`, "delete-backup"],
    ]);
  });

  it("a DynamoDB table: its ARN and its own backups", () => {
    const table = `arn:aws-cn:dynamodb:cn-north-1:${ACCOUNT}:table/x1`;
    expect(triples(known("dynamodb-table"))).toStrictEqual([
      ["dynamodb:DeleteTable", table, "delete"],
      ["dynamodb:UpdateTable", table, "modify"],
      ["dynamodb:UpdateContinuousBackups", table, "change-backup"],
      ["dynamodb:TagResource", table, "retag"],
      ["dynamodb:UntagResource", table, "retag"],
      ["dynamodb:DeleteBackup", `${table}/backup/*`, "delete-backup"],
    ]);
  });

  it("a backup vault: the vault, recovery points (account * in the reference's format) and backup plans", () => {
    const vault = `arn:aws-cn:backup:cn-north-1:${ACCOUNT}:backup-vault:x1`;
    // A recovery point is AWS Backup's own (account * in the reference), or the snapshot RDS keeps
    // (named awsbackup:…), or the backup DynamoDB keeps, both in the vault's account.
    const points = [
      "arn:aws-cn:backup:cn-north-1:*:recovery-point:*",
      `arn:aws-cn:rds:cn-north-1:${ACCOUNT}:snapshot:awsbackup:*`,
      `arn:aws-cn:rds:cn-north-1:${ACCOUNT}:cluster-snapshot:awsbackup:*`,
      `arn:aws-cn:dynamodb:cn-north-1:${ACCOUNT}:table/*/backup/*`,
    ];
    const plan = `arn:aws-cn:backup:cn-north-1:${ACCOUNT}:backup-plan:*`;
    expect(triples(known("backup-vault"))).toStrictEqual([
      ["backup:DeleteBackupVault", vault, "delete"],
      ["backup:DeleteBackupVaultLockConfiguration", vault, "change-backup"],
      ["backup:PutBackupVaultLockConfiguration", vault, "change-backup"],
      ["backup:DeleteBackupVaultAccessPolicy", vault, "change-backup"],
      ["backup:PutBackupVaultAccessPolicy", vault, "change-backup"],
      ["backup:DeleteBackupVaultNotifications", vault, "change-backup"],
      ["backup:PutBackupVaultNotifications", vault, "change-backup"],
      ["backup:UntagResource", vault, "retag"],
      ...points.map((point) => ["backup:DeleteRecoveryPoint", point, "delete-backup"]),
      ...points.map((point) => ["backup:UpdateRecoveryPointLifecycle", point, "change-backup"]),
      ...points.map((point) => ["backup:DisassociateRecoveryPoint", point, "change-backup"]),
      ["backup:DeleteBackupPlan", plan, "change-backup"],
      ["backup:UpdateBackupPlan", plan, "change-backup"],
      ["backup:DeleteBackupSelection", plan, "change-backup"],
    ]);
  });

  it("a KMS key", () => {
    const key = `arn:aws-cn:kms:cn-north-1:${ACCOUNT}:key/x1`;
    expect(triples(known("kms-key"))).toStrictEqual([
      ["kms:ScheduleKeyDeletion", key, "delete"],
      ["kms:DisableKey", key, "modify"],
      ["kms:DeleteImportedKeyMaterial", key, "delete"],
      ["kms:PutKeyPolicy", key, "modify"],
    ]);
  });

  it("an unknown location is * in every part but the partition, which defaults to aws", () => {
    const resources = (kind: ProductionKind) => [...new Set(triples(productionProbes({ kind, name: "n", tags: {} }, {})).map(([, resource]) => resource))];
    expect(resources("rds-instance")).toStrictEqual(["arn:aws:rds:*:*:db:n", "arn:aws:rds:*:*:snapshot:*", "arn:aws:rds:*:*:auto-backup:*"]);
    expect(resources("rds-cluster")).toStrictEqual(["arn:aws:rds:*:*:cluster:n", "arn:aws:rds:*:*:cluster-snapshot:*", "arn:aws:rds:*:*:cluster-auto-backup:*"]);
    expect(resources("dynamodb-table")).toStrictEqual(["arn:aws:dynamodb:*:*:table/n", "arn:aws:dynamodb:*:*:table/n/backup/*"]);
    expect(resources("backup-vault")).toStrictEqual([
      "arn:aws:backup:*:*:backup-vault:n",
      "arn:aws:backup:*:*:recovery-point:*",
      "arn:aws:rds:*:*:snapshot:awsbackup:*",
      "arn:aws:rds:*:*:cluster-snapshot:awsbackup:*",
      "arn:aws:dynamodb:*:*:table/*/backup/*",
      "arn:aws:backup:*:*:backup-plan:*",
    ]);
    expect(resources("kms-key")).toStrictEqual(["arn:aws:kms:*:*:key/n"]);
    // Each part independently.
    expect(productionProbes({ kind: "kms-key", name: "k", tags: {}, location: { region: "us-west-2" } }, {})[0].resource).toBe("arn:aws:kms:us-west-2:*:key/k");
    expect(productionProbes({ kind: "kms-key", name: "k", tags: {}, location: { account: ACCOUNT } }, {})[0].resource).toBe(`arn:aws:kms:*:${ACCOUNT}:key/k`);
    expect(productionProbes({ kind: "kms-key", name: "k", tags: {}, location: { partition: "aws-us-gov" } }, {})[0].resource).toBe("arn:aws-us-gov:kms:*:*:key/k");
  });

  it("an unnamed resource is any name (*), and is never restored over", () => {
    const table = productionProbes({ kind: "dynamodb-table", tags: {} }, {});
    expect(triples(table).map(([a, r]) => `${a} ${r}`)).toStrictEqual([
      "dynamodb:DeleteTable arn:aws:dynamodb:*:*:table/*",
      "dynamodb:UpdateTable arn:aws:dynamodb:*:*:table/*",
      "dynamodb:UpdateContinuousBackups arn:aws:dynamodb:*:*:table/*",
      "dynamodb:TagResource arn:aws:dynamodb:*:*:table/*",
      "dynamodb:UntagResource arn:aws:dynamodb:*:*:table/*",
      "dynamodb:DeleteBackup arn:aws:dynamodb:*:*:table/*/backup/*",
    ]);
    const instance = productionProbes({ kind: "rds-instance", tags: {} }, { environment: ["production"] });
    expect(triples(instance).map(([action]) => action)).toStrictEqual([
      "rds:DeleteDBInstance",
      "rds:ModifyDBInstance",
      "rds:StopDBInstance",
      "rds:RebootDBInstance",
      "rds:AddTagsToResource",
      "rds:RemoveTagsFromResource",
      "rds:DeleteDBSnapshot",
      "rds:DeleteDBInstanceAutomatedBackup",
    ]);
  });

  it("a name is put in the ARN as given, even one longer than AWS allows or with a path-like shape", () => {
    const long = "a".repeat(300);
    expect(productionProbes({ kind: "rds-instance", name: long, tags: {} }, {})[0].resource).toBe(`arn:aws:rds:*:*:db:${long}`);
    expect(productionProbes({ kind: "dynamodb-table", name: "a.b-c_d", tags: {} }, {})[0].resource).toBe("arn:aws:dynamodb:*:*:table/a.b-c_d");
    // An empty name is a name (not "any"): the ARN ends empty, and it is probed untagged and restored over.
    const empty = productionProbes({ kind: "rds-cluster", name: "" }, {});
    expect(empty.map((p) => `${p.action} ${p.resource}`).slice(0, 2)).toStrictEqual(["rds:DeleteDBCluster arn:aws:rds:*:*:cluster:", "rds:ModifyDBCluster arn:aws:rds:*:*:cluster:"]);
    expect(empty.filter((p) => p.harm === "restore-over").map((p) => p.description)).toStrictEqual([
      "rds:RestoreDBClusterFromSnapshot on arn:aws:rds:*:*:cluster: (request untagged)",
      "rds:RestoreDBClusterToPointInTime on arn:aws:rds:*:*:cluster: (request untagged)",
      "rds:RestoreDBClusterFromS3 on arn:aws:rds:*:*:cluster: (request untagged)",
    ]);
  });
});

describe("productionProbes: tag sets, contexts and descriptions", () => {
  const NAMED_ABSENT_DB = ["aws:ResourceTag/*", "rds:db-tag/*", "aws:RequestTag/*", "aws:TagKeys"];

  it("a named instance with unknown tags: every spelling (other tags unknown), then untagged (nothing else)", () => {
    const deletes = productionProbes({ kind: "rds-instance", name: "orders", location: { region: "eu-west-1", account: ACCOUNT } }, { environment: ["production"] }).filter(
      (p) => p.action === "rds:DeleteDBInstance",
    );
    const arn = `arn:aws:rds:eu-west-1:${ACCOUNT}:db:orders`;
    expect(deletes).toStrictEqual([
      ...ENV_PRODUCTION.map(([k, v]) => ({
        action: "rds:DeleteDBInstance",
        resource: arn,
        context: { values: { [`aws:ResourceTag/${k}`]: v, [`rds:db-tag/${k}`]: v }, absentUnlessListed: ["aws:RequestTag/*", "aws:TagKeys"] },
        harm: "delete",
        description: `rds:DeleteDBInstance on ${arn} (resource tagged ${k}=${v})`,
      })),
      { action: "rds:DeleteDBInstance", resource: arn, context: { values: {}, absentUnlessListed: NAMED_ABSENT_DB }, harm: "delete", description: `rds:DeleteDBInstance on ${arn} (resource untagged)` },
    ]);
  });

  it("snapshots and automated backups are probed by tag only: an untagged one of any id is not production's", () => {
    const probes = productionProbes({ kind: "rds-instance", name: "orders" }, { env: ["prod"] });
    const snapshots = probes.filter((p) => p.action === "rds:DeleteDBSnapshot");
    expect(snapshots.map((p) => p.context)).toStrictEqual(
      [
        ["env", "prod"],
        ["env", "Prod"],
        ["env", "PROD"],
        ["Env", "prod"],
        ["Env", "Prod"],
        ["Env", "PROD"],
        ["ENV", "prod"],
        ["ENV", "Prod"],
        ["ENV", "PROD"],
      ].map(([k, v]) => ({ values: { [`aws:ResourceTag/${k}`]: v, [`rds:snapshot-tag/${k}`]: v }, absentUnlessListed: ["aws:RequestTag/*", "aws:TagKeys"] })),
    );
    expect(snapshots[0].description).toBe("rds:DeleteDBSnapshot on arn:aws:rds:*:*:snapshot:* (resource tagged env=prod)");
    const automated = probes.filter((p) => p.action === "rds:DeleteDBInstanceAutomatedBackup");
    expect(automated).toHaveLength(9);
    expect(automated[8]).toStrictEqual({
      action: "rds:DeleteDBInstanceAutomatedBackup",
      resource: "arn:aws:rds:*:*:auto-backup:*",
      context: { values: { "aws:ResourceTag/ENV": "PROD" }, absentUnlessListed: ["aws:RequestTag/*", "aws:TagKeys"] },
      harm: "delete-backup",
      description: "rds:DeleteDBInstanceAutomatedBackup on arn:aws:rds:*:*:auto-backup:* (resource tagged ENV=PROD)",
    });
    // A table's backups carry its name in their ARN: probed untagged too.
    const backups = productionProbes({ kind: "dynamodb-table", name: "sessions" }, { env: ["prod"] }).filter((p) => p.action === "dynamodb:DeleteBackup");
    expect(backups).toHaveLength(10);
    expect(backups[9]).toStrictEqual({
      action: "dynamodb:DeleteBackup",
      resource: "arn:aws:dynamodb:*:*:table/sessions/backup/*",
      context: { values: {}, absentUnlessListed: ["aws:ResourceTag/*", "aws:RequestTag/*", "aws:TagKeys"] },
      harm: "delete-backup",
      description: "dynamodb:DeleteBackup on arn:aws:dynamodb:*:*:table/sessions/backup/* (resource untagged)",
    });
    // The backup resource type has no tag condition keys of its own: only the production tag's absence is visible.
    expect(backups[0].context).toStrictEqual({ values: {}, absentUnlessListed: ["aws:RequestTag/*", "aws:TagKeys"] });
    // Recovery points of a named vault: by tag only.
    const points = productionProbes({ kind: "backup-vault", name: "v" }, { env: ["prod"] }).filter((p) => p.action === "backup:DeleteRecoveryPoint");
    expect(points.filter((p) => p.resource.includes(":recovery-point:")).map((p) => p.description)).toStrictEqual(
      ["env=prod", "env=Prod", "env=PROD", "Env=prod", "Env=Prod", "Env=PROD", "ENV=prod", "ENV=Prod", "ENV=PROD"].map((t) => `backup:DeleteRecoveryPoint on arn:aws:backup:*:*:recovery-point:* (resource tagged ${t})`),
    );
  });

  it("an unnamed resource with unknown tags: every spelling, never untagged", () => {
    const probes = productionProbes({ kind: "kms-key" }, { environment: ["production"] });
    expect(probes).toHaveLength(4 * 9);
    expect(probes.filter((p) => p.action === "kms:DisableKey")).toStrictEqual(
      ENV_PRODUCTION.map(([k, v]) => ({
        action: "kms:DisableKey",
        resource: "arn:aws:kms:*:*:key/*",
        context: { values: { [`aws:ResourceTag/${k}`]: v }, absentUnlessListed: ["aws:RequestTag/*", "aws:TagKeys"] },
        harm: "modify",
        description: `kms:DisableKey on arn:aws:kms:*:*:key/* (resource tagged ${k}=${v})`,
      })),
    );
  });

  it("known tags: exactly those, all others absent, several tags in one set", () => {
    const probes = productionProbes({ kind: "rds-cluster", name: "ledger", tags: { env: "prod", team: "payments" }, role: "the cluster the ledger runs on" }, { environment: ["production"] });
    const deletes = probes.filter((p) => p.action === "rds:DeleteDBCluster");
    expect(deletes).toStrictEqual([
      {
        action: "rds:DeleteDBCluster",
        resource: "arn:aws:rds:*:*:cluster:ledger",
        context: {
          values: { "aws:ResourceTag/env": "prod", "rds:cluster-tag/env": "prod", "aws:ResourceTag/team": "payments", "rds:cluster-tag/team": "payments" },
          absentUnlessListed: ["aws:ResourceTag/*", "rds:cluster-tag/*", "aws:RequestTag/*", "aws:TagKeys"],
        },
        harm: "delete",
        description: "rds:DeleteDBCluster on arn:aws:rds:*:*:cluster:ledger (resource tagged env=prod, team=payments, the cluster the ledger runs on)",
      },
    ]);
    // Known tags on snapshots too (those of the cluster, by assumption), with the snapshot's own tag keys.
    expect(probes.find((p) => p.action === "rds:DeleteDBClusterSnapshot")!.context).toStrictEqual({
      values: { "aws:ResourceTag/env": "prod", "rds:cluster-snapshot-tag/env": "prod", "aws:ResourceTag/team": "payments", "rds:cluster-snapshot-tag/team": "payments" },
      absentUnlessListed: ["aws:ResourceTag/*", "rds:cluster-snapshot-tag/*", "aws:RequestTag/*", "aws:TagKeys"],
    });
  });

  it("known to be untagged ({}): one probe per action, with every tag absent", () => {
    const probes = productionProbes({ kind: "backup-vault", name: "vault", tags: {} }, { environment: ["production"] });
    expect(triples(probes)).toHaveLength(14 + 3 * 3);
    expect(probes.filter((p) => p.harm !== "retag").map((p) => p.context)).toStrictEqual(
      Array(13 + 3 * 3).fill({ values: {}, absentUnlessListed: ["aws:ResourceTag/*", "aws:RequestTag/*", "aws:TagKeys"] }),
    );
    expect(probes[0]).toStrictEqual({
      action: "backup:DeleteBackupVault",
      resource: "arn:aws:backup:*:*:backup-vault:vault",
      context: { values: {}, absentUnlessListed: ["aws:ResourceTag/*", "aws:RequestTag/*", "aws:TagKeys"] },
      harm: "delete",
      description: "backup:DeleteBackupVault on arn:aws:backup:*:*:backup-vault:vault (resource untagged)",
    });
  });

  it("anyTags: once per action with resource tags unknown (no absent resource tags), named or not", () => {
    const probes = productionProbes({ kind: "kms-key", name: "1234abcd-12ab-34cd-56ef-1234567890ab", anyTags: true, role: 'the key RDS instance "orders" is encrypted with', location: CN }, { environment: ["production"] });
    const key = `arn:aws-cn:kms:cn-north-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const effect = (action: string, harm: string) => ({
      action,
      resource: key,
      context: { values: {}, absentUnlessListed: ["aws:RequestTag/*", "aws:TagKeys"] },
      harm,
      description: `${action} on ${key} (resource tags unknown, the key RDS instance "orders" is encrypted with)`,
    });
    expect(probes).toStrictEqual([
      effect("kms:ScheduleKeyDeletion", "delete"),
      effect("kms:DisableKey", "modify"),
      effect("kms:DeleteImportedKeyMaterial", "delete"),
      effect("kms:PutKeyPolicy", "modify"),
    ]);
    expect(productionProbes({ kind: "kms-key", anyTags: true }, { environment: ["production"] }).map((p) => p.description)).toStrictEqual([
      "kms:ScheduleKeyDeletion on arn:aws:kms:*:*:key/* (resource tags unknown)",
      "kms:DisableKey on arn:aws:kms:*:*:key/* (resource tags unknown)",
      "kms:DeleteImportedKeyMaterial on arn:aws:kms:*:*:key/* (resource tags unknown)",
      "kms:PutKeyPolicy on arn:aws:kms:*:*:key/* (resource tags unknown)",
    ]);
    // Known tags win over anyTags.
    expect(productionProbes({ kind: "kms-key", name: "k", anyTags: true, tags: { a: "b" } }, {}).map((p) => p.context)).toStrictEqual(
      Array(4).fill({ values: { "aws:ResourceTag/a": "b" }, absentUnlessListed: ["aws:ResourceTag/*", "aws:RequestTag/*", "aws:TagKeys"] }),
    );
  });

  it("no production tags configured: a named resource is probed untagged only, an unnamed one not at all", () => {
    const table = productionProbes({ kind: "dynamodb-table", name: "t" }, {});
    expect(table.filter((p) => p.harm !== "retag").map((p) => p.description)).toStrictEqual([
      "dynamodb:DeleteTable on arn:aws:dynamodb:*:*:table/t (resource untagged)",
      "dynamodb:UpdateTable on arn:aws:dynamodb:*:*:table/t (resource untagged)",
      "dynamodb:UpdateContinuousBackups on arn:aws:dynamodb:*:*:table/t (resource untagged)",
      "dynamodb:DeleteBackup on arn:aws:dynamodb:*:*:table/t/backup/* (resource untagged)",
    ]);
    expect(table.map((p) => p.description)).toEqual(
      expect.arrayContaining(["dynamodb:TagResource on arn:aws:dynamodb:*:*:table/t (resource untagged)", "dynamodb:UntagResource on arn:aws:dynamodb:*:*:table/t (resource untagged)"]),
    );
    expect(productionProbes({ kind: "dynamodb-table" }, {})).toStrictEqual([]);
  });

  it("restores over a named database: request untagged, then every production tag spelling in the request", () => {
    const restores = productionProbes({ kind: "rds-instance", name: "orders", tags: { team: "x" }, role: "ignored in restores" }, { environment: ["production"] }).filter(
      (p) => p.action === "rds:RestoreDBInstanceFromS3",
    );
    const arn = "arn:aws:rds:*:*:db:orders";
    const absent = ["aws:ResourceTag/*", "rds:db-tag/*", "aws:RequestTag/*", "rds:req-tag/*", "aws:TagKeys"];
    expect(restores).toStrictEqual([
      { action: "rds:RestoreDBInstanceFromS3", resource: arn, context: { values: {}, absentUnlessListed: absent }, harm: "restore-over", description: `rds:RestoreDBInstanceFromS3 on ${arn} (request untagged)` },
      ...ENV_PRODUCTION.map(([k, v]) => ({
        action: "rds:RestoreDBInstanceFromS3",
        resource: arn,
        context: { values: { [`aws:RequestTag/${k}`]: v, [`rds:req-tag/${k}`]: v, "aws:TagKeys": [k] }, absentUnlessListed: absent },
        harm: "restore-over",
        description: `rds:RestoreDBInstanceFromS3 on ${arn} (request tagged ${k}=${v})`,
      })),
    ]);
    const cluster = productionProbes({ kind: "rds-cluster", name: "ledger", location: { region: "eu-central-1" } }, { env: ["prod"] }).filter((p) => p.harm === "restore-over");
    expect(cluster.map((p) => p.action)).toStrictEqual([
      ...Array(10).fill("rds:RestoreDBClusterFromSnapshot"),
      ...Array(10).fill("rds:RestoreDBClusterToPointInTime"),
      ...Array(10).fill("rds:RestoreDBClusterFromS3"),
    ]);
    expect(cluster[1]).toStrictEqual({
      action: "rds:RestoreDBClusterFromSnapshot",
      resource: "arn:aws:rds:eu-central-1:*:cluster:ledger",
      context: {
        values: { "aws:RequestTag/env": "prod", "rds:req-tag/env": "prod", "aws:TagKeys": ["env"] },
        absentUnlessListed: ["aws:ResourceTag/*", "rds:cluster-tag/*", "aws:RequestTag/*", "rds:req-tag/*", "aws:TagKeys"],
      },
      harm: "restore-over",
      description: "rds:RestoreDBClusterFromSnapshot on arn:aws:rds:eu-central-1:*:cluster:ledger (request tagged env=prod)",
    });
  });

  it("every destructive action's effect reads as documented", () => {
    expect(DESTRUCTIVE_ACTIONS.map((d) => `${d.action} [${d.resourceType}] ${d.kind} ${d.harm}: ${d.effect}`)).toStrictEqual([
      "rds:DeleteDBInstance [db] rds-instance delete: deletes the DB instance",
      "rds:ModifyDBInstance [db] rds-instance modify: modifies the DB instance (deletion protection, backups, identifier)",
      "rds:StopDBInstance [db] rds-instance stop: stops the DB instance",
      "rds:RebootDBInstance [db] rds-instance reboot: reboots the DB instance",
      "rds:RestoreDBInstanceFromDBSnapshot [db] rds-instance restore-over: restores a snapshot into the production DB instance identifier",
      "rds:RestoreDBInstanceToPointInTime [db] rds-instance restore-over: restores a point in time into the production DB instance identifier",
      "rds:RestoreDBInstanceFromS3 [db] rds-instance restore-over: restores an S3 backup into the production DB instance identifier",
      "rds:AddTagsToResource [db] rds-instance retag: changes the DB instance's tags",
      "rds:RemoveTagsFromResource [db] rds-instance retag: removes the DB instance's tags",
      "rds:DeleteDBSnapshot [snapshot] rds-instance delete-backup: deletes a DB snapshot",
      "rds:DeleteDBInstanceAutomatedBackup [auto-backup] rds-instance delete-backup: deletes retained automated backups",
      "rds:DeleteDBCluster [cluster] rds-cluster delete: deletes the DB cluster",
      "rds:ModifyDBCluster [cluster] rds-cluster modify: modifies the DB cluster (deletion protection, backups, identifier)",
      "rds:StopDBCluster [cluster] rds-cluster stop: stops the DB cluster",
      "rds:RebootDBCluster [cluster] rds-cluster reboot: reboots the DB cluster",
      "rds:FailoverDBCluster [cluster] rds-cluster reboot: forces a failover of the DB cluster",
      "rds:BacktrackDBCluster [cluster] rds-cluster modify: rewinds the Aurora DB cluster in place, discarding everything written since",
      "rds:RemoveFromGlobalCluster [cluster] rds-cluster modify: detaches the DB cluster from its global cluster",
      "rds:RestoreDBClusterFromSnapshot [cluster] rds-cluster restore-over: restores a snapshot into the production DB cluster identifier",
      "rds:RestoreDBClusterToPointInTime [cluster] rds-cluster restore-over: restores a point in time into the production DB cluster identifier",
      "rds:RestoreDBClusterFromS3 [cluster] rds-cluster restore-over: restores an S3 backup into the production DB cluster identifier",
      "rds:AddTagsToResource [cluster] rds-cluster retag: changes the DB cluster's tags",
      "rds:RemoveTagsFromResource [cluster] rds-cluster retag: removes the DB cluster's tags",
      "rds:DeleteDBClusterSnapshot [cluster-snapshot] rds-cluster delete-backup: deletes a DB cluster snapshot",
      "rds:DeleteDBClusterAutomatedBackup [cluster-auto-backup] rds-cluster delete-backup: deletes retained cluster automated backups",
      "dynamodb:DeleteTable [table] dynamodb-table delete: deletes the table",
      "dynamodb:UpdateTable [table] dynamodb-table modify: modifies the table (deletion protection, replicas, streams)",
      "dynamodb:UpdateContinuousBackups [table] dynamodb-table change-backup: changes the table's point-in-time recovery",
      "dynamodb:TagResource [table] dynamodb-table retag: changes the table's tags",
      "dynamodb:UntagResource [table] dynamodb-table retag: removes the table's tags",
      "dynamodb:DeleteBackup [backup] dynamodb-table delete-backup: deletes an on-demand table backup",
      "backup:DeleteBackupVault [backupVault] backup-vault delete: deletes the backup vault",
      "backup:DeleteBackupVaultLockConfiguration [backupVault] backup-vault change-backup: removes the vault lock",
      "backup:PutBackupVaultLockConfiguration [backupVault] backup-vault change-backup: changes the vault lock",
      "backup:DeleteBackupVaultAccessPolicy [backupVault] backup-vault change-backup: removes the vault's access policy",
      "backup:PutBackupVaultAccessPolicy [backupVault] backup-vault change-backup: replaces the vault's access policy",
      "backup:DeleteBackupVaultNotifications [backupVault] backup-vault change-backup: removes the vault's notifications",
      "backup:PutBackupVaultNotifications [backupVault] backup-vault change-backup: changes the vault's notifications",
      "backup:UntagResource [backupVault] backup-vault retag: removes the vault's tags",
      "backup:DeleteRecoveryPoint [recoveryPoint] backup-vault delete-backup: deletes a recovery point",
      "backup:UpdateRecoveryPointLifecycle [recoveryPoint] backup-vault change-backup: shortens a recovery point's retention",
      "backup:DisassociateRecoveryPoint [recoveryPoint] backup-vault change-backup: disassociates a continuous recovery point",
      "backup:DeleteBackupPlan [backupPlan] backup-vault change-backup: deletes a backup plan",
      "backup:UpdateBackupPlan [backupPlan] backup-vault change-backup: changes a backup plan",
      "backup:DeleteBackupSelection [backupPlan] backup-vault change-backup: removes resources from a backup plan",
      "kms:ScheduleKeyDeletion [key] kms-key delete: schedules the deletion of the KMS key production data is encrypted with (after 7-30 days the data and its backups are unreadable for good)",
      "kms:DisableKey [key] kms-key modify: disables the KMS key production data is encrypted with (the database and its backups cannot be read until it is enabled)",
      "kms:DeleteImportedKeyMaterial [key] kms-key delete: deletes the imported key material of the KMS key production data is encrypted with",
      "kms:PutKeyPolicy [key] kms-key modify: replaces the policy of the KMS key production data is encrypted with (it can lock the database's service out of the key)",
    ]);
  });

  it("takes only request-tag keys of an action as request tags (not a resource tag key AWS lists at action level)", () => {
    const real = actionCatalogue();
    const listing = {
      action: (a: string) => {
        const found = real.action(a);
        return found && { ...found, conditionKeys: [...found.conditionKeys, "aws:ResourceTag/${TagKey}", "rds:db-tag/${TagKey}"] };
      },
      resourceType: (s: string, n: string) => real.resourceType(s, n),
    } as unknown as ActionCatalogue;
    const [restore] = productionProbes({ kind: "rds-instance", name: "orders", tags: {} }, { env: ["prod"] }, listing).filter((p) => p.harm === "restore-over").slice(1);
    expect(restore.context).toStrictEqual({
      values: { "aws:RequestTag/env": "prod", "rds:req-tag/env": "prod", "aws:TagKeys": ["env"] },
      absentUnlessListed: ["aws:ResourceTag/*", "rds:db-tag/*", "aws:RequestTag/*", "rds:req-tag/*", "aws:TagKeys"],
    });
  });

  it("refuses to probe with a catalogue that lacks an action or its resource type", () => {
    const real = actionCatalogue();
    const noType = { action: (a: string) => real.action(a), resourceType: () => undefined } as unknown as ActionCatalogue;
    expect(() => productionProbes({ kind: "kms-key", name: "k" }, {}, noType)).toThrow(new Error("the service authorization reference has no kms:ScheduleKeyDeletion on key"));
    const noAction = { action: () => undefined, resourceType: (s: string, n: string) => real.resourceType(s, n) } as unknown as ActionCatalogue;
    expect(() => productionProbes({ kind: "rds-cluster", name: "c" }, {}, noAction)).toThrow(new Error("the service authorization reference has no rds:DeleteDBCluster on cluster"));
  });
});

describe("selfEscalationProbes", () => {
  const here = { partition: "aws", region: "us-east-1", account: "111111111111" };
  const MODELLED = new Set([
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
    "iam:UpdateAssumeRolePolicy",
    "iam:PutUserPolicy",
    "iam:AttachUserPolicy",
    "iam:DeleteUserPolicy",
    "iam:DetachUserPolicy",
    "iam:DeleteUserPermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:AddUserToGroup",
  ]);
  const modelled = (probes: readonly Probe[]) => probes.filter((p) => MODELLED.has(p.action));

  it("a role: every way to rewrite its own permissions, on its ARN with path, each with why", () => {
    const own = "arn:aws:iam::111111111111:role/team/app";
    const probe = (action: string, why: string) => ({ action, resource: own, context: {}, harm: "escalate", description: `${action} on ${own} (its own role: ${why})` });
    expect(modelled(selfEscalationProbes({ kind: "role", nameWithPath: "team/app", location: here, policies: [] }))).toStrictEqual([
      probe("iam:PutRolePolicy", "it can give itself any permission, production's included"),
      probe("iam:AttachRolePolicy", "it can give itself any permission, production's included"),
      probe("iam:DeleteRolePolicy", "it can delete the policy that holds its Denies"),
      probe("iam:DetachRolePolicy", "it can detach the policy that holds its Denies"),
      probe("iam:DeleteRolePermissionsBoundary", "it can lift its permissions boundary"),
      probe("iam:PutRolePermissionsBoundary", "it can replace its permissions boundary with a wider one"),
      probe("iam:UpdateAssumeRolePolicy", "it can let anyone assume it"),
    ]);
  });

  it("a user: its own user ARN, and any group it could join", () => {
    const own = "arn:aws-us-gov:iam::222222222222:user/ops/alice";
    expect(modelled(selfEscalationProbes({ kind: "user", nameWithPath: "ops/alice", location: { partition: "aws-us-gov", region: "us-gov-west-1", account: "222222222222" }, policies: [] }))).toStrictEqual([
      { action: "iam:PutUserPolicy", resource: own, context: {}, harm: "escalate", description: `iam:PutUserPolicy on ${own} (its own user: it can give itself any permission, production's included)` },
      { action: "iam:AttachUserPolicy", resource: own, context: {}, harm: "escalate", description: `iam:AttachUserPolicy on ${own} (its own user: it can give itself any permission, production's included)` },
      { action: "iam:DeleteUserPolicy", resource: own, context: {}, harm: "escalate", description: `iam:DeleteUserPolicy on ${own} (its own user: it can delete the policy that holds its Denies)` },
      { action: "iam:DetachUserPolicy", resource: own, context: {}, harm: "escalate", description: `iam:DetachUserPolicy on ${own} (its own user: it can detach the policy that holds its Denies)` },
      {
        action: "iam:DeleteUserPermissionsBoundary",
        resource: own,
        context: {},
        harm: "escalate",
        description: `iam:DeleteUserPermissionsBoundary on ${own} (its own user: it can lift its permissions boundary)`,
      },
      {
        action: "iam:PutUserPermissionsBoundary",
        resource: own,
        context: {},
        harm: "escalate",
        description: `iam:PutUserPermissionsBoundary on ${own} (its own user: it can replace its permissions boundary with a wider one)`,
      },
      {
        action: "iam:AddUserToGroup",
        resource: "arn:aws-us-gov:iam::222222222222:group/*",
        context: {},
        harm: "escalate",
        description: "iam:AddUserToGroup on arn:aws-us-gov:iam::222222222222:group/* (any group: it can join one with more permissions)",
      },
    ]);
  });

  it("a group: its own group ARN; unknown account and name are *", () => {
    const own = "arn:aws:iam::*:group/*";
    expect(selfEscalationProbes({ kind: "group", policies: [] })).toStrictEqual([
      { action: "iam:PutGroupPolicy", resource: own, context: {}, harm: "escalate", description: `iam:PutGroupPolicy on ${own} (its own group: it can give itself any permission, production's included)` },
      { action: "iam:AttachGroupPolicy", resource: own, context: {}, harm: "escalate", description: `iam:AttachGroupPolicy on ${own} (its own group: it can give itself any permission, production's included)` },
      { action: "iam:DeleteGroupPolicy", resource: own, context: {}, harm: "escalate", description: `iam:DeleteGroupPolicy on ${own} (its own group: it can delete the policy that holds its Denies)` },
      { action: "iam:DetachGroupPolicy", resource: own, context: {}, harm: "escalate", description: `iam:DetachGroupPolicy on ${own} (its own group: it can detach the policy that holds its Denies)` },
    ]);
    expect(selfEscalationProbes({ kind: "group", nameWithPath: "dbas", location: { region: "eu-west-1" }, policies: [] })[0].resource).toBe("arn:aws:iam::*:group/dbas");
  });

  it("each attached customer managed policy: its ARN as given, else built from its name with path, else any policy", () => {
    const probes = selfEscalationProbes({
      kind: "group",
      nameWithPath: "g",
      location: { partition: "aws-cn", account: "333333333333" },
      policies: [{ arn: "arn:aws-cn:iam::333333333333:policy/given", nameWithPath: "ignored/when/arn" }, { nameWithPath: "team/shared" }, {}],
    });
    const rewrite = (resource: string) => [
      { action: "iam:CreatePolicyVersion", resource, context: {}, harm: "escalate", description: `iam:CreatePolicyVersion on ${resource} (a policy attached to it: it can rewrite the policy to allow anything)` },
      { action: "iam:SetDefaultPolicyVersion", resource, context: {}, harm: "escalate", description: `iam:SetDefaultPolicyVersion on ${resource} (a policy attached to it: it can switch the policy to another version)` },
    ];
    expect(probes.slice(4)).toStrictEqual([
      ...rewrite("arn:aws-cn:iam::333333333333:policy/given"),
      ...rewrite("arn:aws-cn:iam::333333333333:policy/team/shared"),
      ...rewrite("arn:aws-cn:iam::333333333333:policy/*"),
    ]);
    expect(probes).toHaveLength(10);
  });

  it("refuses a catalogue without the IAM resource type or action", () => {
    const real = actionCatalogue();
    const noType = { action: (a: string) => real.action(a), resourceType: () => undefined } as unknown as ActionCatalogue;
    expect(() => selfEscalationProbes({ kind: "user", policies: [] }, noType)).toThrow(new Error("the service authorization reference has no iam resource type user"));
    const noAction = { action: () => undefined, resourceType: (s: string, n: string) => real.resourceType(s, n) } as unknown as ActionCatalogue;
    expect(() => selfEscalationProbes({ kind: "role", policies: [] }, noAction)).toThrow(new Error("the service authorization reference has no iam:PutRolePolicy"));
  });
});

describe("restoreAuthorizations", () => {
  const rdsAbsent = (type: string) => ["aws:ResourceTag/*", `rds:${type}-tag/*`, "aws:RequestTag/*", "rds:req-tag/*", "aws:TagKeys"];
  const request = { "aws:RequestTag/team": "data", "rds:req-tag/team": "data", "aws:TagKeys": ["team"] };
  const scenario = {
    location: CN,
    target: { name: "new1", requestTags: { team: "data" } },
    source: { name: "src1", tags: { environment: "production" } },
    optionGroup: { name: "og1" },
    parameterGroup: { name: "pg1", tags: {} },
    subnetGroup: { name: "sg1", tags: { a: "b" } },
    sourceTableName: "tbl",
  };
  const at = `arn:aws-cn:rds:cn-north-1:${ACCOUNT}`;

  it("an RDS snapshot restore: target without tags, given tags on the source, unknown tags on the option group", () => {
    expect(restoreAuthorizations({ action: "rds:RestoreDBInstanceFromDBSnapshot", ...scenario })).toStrictEqual({
      action: "rds:RestoreDBInstanceFromDBSnapshot",
      authorizations: [
        { role: "target DB instance", resource: `${at}:db:new1`, context: { values: request, absentUnlessListed: rdsAbsent("db") } },
        {
          role: "source DB snapshot",
          resource: `${at}:snapshot:src1`,
          context: { values: { "aws:ResourceTag/environment": "production", "rds:snapshot-tag/environment": "production", ...request }, absentUnlessListed: rdsAbsent("snapshot") },
        },
        { role: "option group", resource: `${at}:og:og1`, context: { values: request, absentUnlessListed: ["aws:RequestTag/*", "rds:req-tag/*", "aws:TagKeys"] } },
        { role: "DB parameter group", resource: `${at}:pg:pg1`, context: { values: request, absentUnlessListed: rdsAbsent("pg") } },
        { role: "DB subnet group", resource: `${at}:subgrp:sg1`, context: { values: { "aws:ResourceTag/a": "b", "rds:subgrp-tag/a": "b", ...request }, absentUnlessListed: rdsAbsent("subgrp") } },
      ],
    });
  });

  it("point-in-time and cluster restores name their own source and parameter group types", () => {
    expect(restoreAuthorizations({ action: "rds:RestoreDBInstanceToPointInTime", ...scenario }).authorizations.map((a) => [a.role, a.resource])).toStrictEqual([
      ["target DB instance", `${at}:db:new1`],
      ["source DB instance", `${at}:db:src1`],
      ["option group", `${at}:og:og1`],
      ["DB parameter group", `${at}:pg:pg1`],
      ["DB subnet group", `${at}:subgrp:sg1`],
    ]);
    const fromSnapshot = restoreAuthorizations({ action: "rds:RestoreDBClusterFromSnapshot", ...scenario });
    expect(fromSnapshot.authorizations.map((a) => [a.role, a.resource])).toStrictEqual([
      ["target DB cluster", `${at}:cluster:new1`],
      ["source DB cluster snapshot", `${at}:cluster-snapshot:src1`],
      ["DB cluster parameter group", `${at}:cluster-pg:pg1`],
      ["option group", `${at}:og:og1`],
      ["DB subnet group", `${at}:subgrp:sg1`],
    ]);
    expect(fromSnapshot.authorizations[1].context).toStrictEqual({
      values: { "aws:ResourceTag/environment": "production", "rds:cluster-snapshot-tag/environment": "production", ...request },
      absentUnlessListed: rdsAbsent("cluster-snapshot"),
    });
    expect(fromSnapshot.authorizations[2].context).toStrictEqual({ values: request, absentUnlessListed: rdsAbsent("cluster-pg") });
    const pitr = restoreAuthorizations({ action: "rds:RestoreDBClusterToPointInTime", ...scenario });
    expect(pitr.authorizations.map((a) => [a.role, a.resource])).toStrictEqual([
      ["target DB cluster", `${at}:cluster:new1`],
      ["source DB cluster", `${at}:cluster:src1`],
      ["DB cluster parameter group", `${at}:cluster-pg:pg1`],
      ["option group", `${at}:og:og1`],
      ["DB subnet group", `${at}:subgrp:sg1`],
    ]);
    expect(pitr.authorizations[0].context).toStrictEqual({ values: request, absentUnlessListed: rdsAbsent("cluster") });
  });

  it("nothing known: every name *, partition aws, no request tags (their keys absent)", () => {
    const call = restoreAuthorizations({ action: "rds:RestoreDBInstanceFromDBSnapshot", target: {} });
    expect(call.authorizations).toStrictEqual([
      { role: "target DB instance", resource: "arn:aws:rds:*:*:db:*", context: { values: {}, absentUnlessListed: rdsAbsent("db") } },
      { role: "source DB snapshot", resource: "arn:aws:rds:*:*:snapshot:*", context: { values: {}, absentUnlessListed: ["aws:RequestTag/*", "rds:req-tag/*", "aws:TagKeys"] } },
      { role: "option group", resource: "arn:aws:rds:*:*:og:*", context: { values: {}, absentUnlessListed: ["aws:RequestTag/*", "rds:req-tag/*", "aws:TagKeys"] } },
      { role: "DB parameter group", resource: "arn:aws:rds:*:*:pg:*", context: { values: {}, absentUnlessListed: ["aws:RequestTag/*", "rds:req-tag/*", "aws:TagKeys"] } },
      { role: "DB subnet group", resource: "arn:aws:rds:*:*:subgrp:*", context: { values: {}, absentUnlessListed: ["aws:RequestTag/*", "rds:req-tag/*", "aws:TagKeys"] } },
    ]);
    // Empty request tags are no request tags.
    expect(restoreAuthorizations({ action: "rds:RestoreDBInstanceFromDBSnapshot", target: { requestTags: {} } })).toStrictEqual(call);
  });

  it("DynamoDB restores: the source (backup of the named table, or the table), then the item writes on the new table", () => {
    const absent = ["aws:ResourceTag/*", "aws:RequestTag/*", "aws:TagKeys"];
    const table = `arn:aws-cn:dynamodb:cn-north-1:${ACCOUNT}:table/new1`;
    const writes = RESTORE_TARGET_WRITES.map((action) => ({ role: `target table (${action})`, action, resource: table, context: { values: {}, absentUnlessListed: absent } }));
    expect(RESTORE_TARGET_WRITES).toStrictEqual(["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"]);
    expect(restoreAuthorizations({ action: "dynamodb:RestoreTableFromBackup", ...scenario })).toStrictEqual({
      action: "dynamodb:RestoreTableFromBackup",
      authorizations: [
        { role: "source table backup", resource: `arn:aws-cn:dynamodb:cn-north-1:${ACCOUNT}:table/tbl/backup/src1`, context: { values: {}, absentUnlessListed: absent } },
        ...writes,
      ],
    });
    expect(restoreAuthorizations({ action: "dynamodb:RestoreTableToPointInTime", ...scenario })).toStrictEqual({
      action: "dynamodb:RestoreTableToPointInTime",
      authorizations: [
        { role: "source table", resource: `arn:aws-cn:dynamodb:cn-north-1:${ACCOUNT}:table/src1`, context: { values: { "aws:ResourceTag/environment": "production" }, absentUnlessListed: absent } },
        ...writes,
      ],
    });
    // The backup's table unknown: any table's backup of that name.
    expect(restoreAuthorizations({ action: "dynamodb:RestoreTableFromBackup", target: {}, source: { name: "b1" } }).authorizations[0].resource).toBe("arn:aws:dynamodb:*:*:table/*/backup/b1");
    // Neither the backup nor its table known: any backup of any table, tags unknown.
    expect(restoreAuthorizations({ action: "dynamodb:RestoreTableFromBackup", target: {} }).authorizations[0]).toStrictEqual({
      role: "source table backup",
      resource: "arn:aws:dynamodb:*:*:table/*/backup/*",
      context: { values: {}, absentUnlessListed: ["aws:RequestTag/*", "aws:TagKeys"] },
    });
  });

  it("an AWS Backup restore of a recovery point RDS or DynamoDB keeps: the source by its keeper's ARN", () => {
    const source = (recoveryPointKeeper: "rds-instance" | "rds-cluster" | "dynamodb") =>
      restoreAuthorizations({ action: "backup:StartRestoreJob", ...scenario, recoveryPointKeeper }).authorizations.map((a) => [a.role, a.resource]);
    expect(source("rds-instance")).toStrictEqual([["source recovery point", `arn:aws-cn:rds:cn-north-1:${ACCOUNT}:snapshot:src1`]]);
    expect(source("rds-cluster")).toStrictEqual([["source recovery point", `arn:aws-cn:rds:cn-north-1:${ACCOUNT}:cluster-snapshot:src1`]]);
    expect(source("dynamodb")).toStrictEqual([["source recovery point", `arn:aws-cn:dynamodb:cn-north-1:${ACCOUNT}:table/*/backup/src1`]]);
  });

  it("recoveryPointArn: each keeper's form, the id unknown (AWS Backup's RDS snapshots are awsbackup:…) or given", () => {
    const at = { partition: "aws", region: "eu-west-1", account: ACCOUNT };
    expect(recoveryPointArn("backup", at, undefined)).toBe("arn:aws:backup:eu-west-1:*:recovery-point:*");
    expect(recoveryPointArn("rds-instance", at, undefined)).toBe(`arn:aws:rds:eu-west-1:${ACCOUNT}:snapshot:awsbackup:*`);
    expect(recoveryPointArn("rds-cluster", at, undefined)).toBe(`arn:aws:rds:eu-west-1:${ACCOUNT}:cluster-snapshot:awsbackup:*`);
    expect(recoveryPointArn("dynamodb", at, undefined)).toBe(`arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/*/backup/*`);
    expect(recoveryPointArn("backup", {}, "rp-1")).toBe("arn:aws:backup:*:*:recovery-point:rp-1");
    expect(recoveryPointArn("rds-instance", {}, "awsbackup:job-1")).toBe("arn:aws:rds:*:*:snapshot:awsbackup:job-1");
    const noType = { resourceType: () => undefined } as unknown as ActionCatalogue;
    expect(() => recoveryPointArn("rds-instance", {}, undefined, noType)).toThrow(new Error("the service authorization reference has no rds resource type snapshot"));
  });

  it("an AWS Backup restore: the recovery point, account * as in the reference", () => {
    expect(restoreAuthorizations({ action: "backup:StartRestoreJob", ...scenario })).toStrictEqual({
      action: "backup:StartRestoreJob",
      authorizations: [
        {
          role: "source recovery point",
          resource: "arn:aws-cn:backup:cn-north-1:*:recovery-point:src1",
          context: { values: { "aws:ResourceTag/environment": "production" }, absentUnlessListed: ["aws:ResourceTag/*", "aws:RequestTag/*", "aws:TagKeys"] },
        },
      ],
    });
  });

  it("refuses a restore it does not model, listing those it does, and a catalogue that lacks one", () => {
    expect(() => restoreAuthorizations({ action: "rds:CreateDBInstance", target: {} })).toThrow(
      new Error(
        "rds:CreateDBInstance is not a restore this kit models (rds:RestoreDBInstanceFromDBSnapshot, rds:RestoreDBInstanceToPointInTime, rds:RestoreDBClusterFromSnapshot, rds:RestoreDBClusterToPointInTime, dynamodb:RestoreTableFromBackup, dynamodb:RestoreTableToPointInTime, backup:StartRestoreJob)",
      ),
    );
    const real = actionCatalogue();
    const noAction = { action: () => undefined, resourceType: (s: string, n: string) => real.resourceType(s, n) } as unknown as ActionCatalogue;
    expect(() => restoreAuthorizations({ action: "backup:StartRestoreJob", target: {} }, noAction)).toThrow(new Error("the service authorization reference has no backup:StartRestoreJob"));
    const noType = { action: (a: string) => real.action(a), resourceType: () => undefined } as unknown as ActionCatalogue;
    expect(() => restoreAuthorizations({ action: "backup:StartRestoreJob", target: {} }, noType)).toThrow(new Error("the service authorization reference has no backup resource type recoveryPoint"));
  });
});

describe("ActionCatalogue details", () => {
  it("looks actions up by service:name only", () => {
    const catalogue = new ActionCatalogue();
    expect(catalogue.action("DeleteDBInstance")).toBeUndefined();
    expect(catalogue.action(":DeleteDBInstance")).toBeUndefined();
    expect(catalogue.action("rdz:DeleteDBInstance")).toBeUndefined();
    expect(catalogue.stats().servicesLoaded).toBe(0);
    expect(catalogue.action("rds:")).toBeUndefined();
    expect(catalogue.action("rds:DeleteDBInstance")).toStrictEqual({
      service: "rds",
      name: "DeleteDBInstance",
      accessLevel: "Write",
      resourceTypes: [{ name: "db", required: true }],
      conditionKeys: [],
    });
    expect(catalogue.stats().servicesLoaded).toBe(1);
    expect(catalogue.stats().loadMilliseconds).toBeGreaterThan(0);
  });

  it("counts the milliseconds spent reading data files, no more than the time that passed", () => {
    const catalogue = new ActionCatalogue();
    const started = performance.now();
    catalogue.action("dynamodb:DeleteTable");
    const elapsed = performance.now() - started;
    const { loadMilliseconds } = catalogue.stats();
    expect(loadMilliseconds).toBeGreaterThan(0);
    expect(loadMilliseconds).toBeLessThanOrEqual(elapsed + 1);
  });

  it("knows the services and their resource types, case-insensitively", () => {
    const catalogue = new ActionCatalogue();
    expect(catalogue.serviceExists("RDS")).toBe(true);
    expect(catalogue.serviceExists("rdz")).toBe(false);
    expect(catalogue.serviceKeys().has("dynamodb")).toBe(true);
    expect(catalogue.resourceType("BACKUP", "BACKUPVAULT")).toStrictEqual({
      service: "backup",
      name: "backupVault",
      arnFormat: "arn:${Partition}:backup:${Region}:${Account}:backup-vault:${BackupVaultName}",
      conditionKeys: ["aws:ResourceTag/${TagKey}"],
    });
    expect(catalogue.resourceType("iam", "group")).toStrictEqual({ service: "iam", name: "group", arnFormat: "arn:${Partition}:iam::${Account}:group/${GroupNameWithPath}", conditionKeys: [] });
    expect(catalogue.resourceType("rdz", "db")).toBeUndefined();
    expect(catalogue.resourceType("rds", "nosuchtype")).toBeUndefined();
    expect(catalogue.serviceActions("rdz")).toBeUndefined();
    expect(catalogue.serviceActions("kms")).toEqual(expect.arrayContaining(["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"]));
  });

  it("expands patterns with ? and *, case-insensitively, remembering each", () => {
    const catalogue = new ActionCatalogue();
    expect(catalogue.expand("kms:DisableKe?")).toStrictEqual({ kind: "actions", actions: ["kms:DisableKey"] });
    expect(catalogue.expand("KMS:schedulekey*")).toStrictEqual({ kind: "actions", actions: ["kms:ScheduleKeyDeletion"] });
    expect(catalogue.expand("*")).toStrictEqual({ kind: "all-actions" });
    expect(catalogue.stats().servicesLoaded).toBe(1);
    expect(catalogue.expand("rds")).toStrictEqual({ kind: "unknown-service", service: "rds" });
    expect(catalogue.expand("RDZ:*")).toStrictEqual({ kind: "unknown-service", service: "rdz" });
    expect(catalogue.expand(":Delete*")).toStrictEqual({ kind: "unknown-service", service: ":delete*" });
    expect(catalogue.expand("kms:NoSuch*")).toStrictEqual({ kind: "no-such-action", pattern: "kms:NoSuch*" });
    expect(catalogue.expand("kms:DisableKe?")).toBe(catalogue.expand("kms:DisableKe?"));
  });

  it("reports unknown services and unknown condition keys per statement", () => {
    const policies = [
      {
        name: "p",
        statements: [
          { index: 0, sid: "A", action: { patterns: ["rdz:Delete*", "rds:DeleteDBInstance", "*"] }, conditions: [{ key: "rds:db-tag/env" }, { key: "nocolon" }, { key: "nocolon" }, { key: "rdz:x" }] },
          { index: 1, action: { patterns: ["kms:Nope"] }, conditions: [] },
        ],
      },
    ];
    expect(unknownActionPatterns(policies)).toStrictEqual([
      { policyName: "p", statementIndex: 0, sid: "A", pattern: "rdz:Delete*", problem: 'AWS has no service prefix "rdz"' },
      { policyName: "p", statementIndex: 1, sid: undefined, pattern: "kms:Nope", problem: 'no kms action matches "kms:Nope"' },
    ]);
    expect(unknownConditionKeys(policies)).toStrictEqual([
      { policyName: "p", statementIndex: 0, sid: "A", key: "nocolon" },
      { policyName: "p", statementIndex: 0, sid: "A", key: "rdz:x" },
    ]);
  });

  it("matches templated service condition keys whole, case-insensitively", () => {
    const catalogue = new ActionCatalogue();
    expect(catalogue.conditionKeyExists("RDS:DB-TAG/env")).toBe(true);
    expect(catalogue.conditionKeyExists("rds:db-tag/")).toBe(false);
    expect(catalogue.conditionKeyExists("xrds:db-tag/env")).toBe(false);
    expect(catalogue.conditionKeyExists("rds:db-tag")).toBe(false);
    expect(catalogue.conditionKeyExists("backup:MINRETENTIONDAYS")).toBe(true);
    expect(catalogue.conditionKeyExists(":x")).toBe(false);
  });

  it("knows global condition keys by name and templated global keys by prefix", () => {
    const catalogue = new ActionCatalogue();
    expect(catalogue.conditionKeyExists("aws:SourceIp")).toBe(true);
    expect(catalogue.conditionKeyExists("aws:PrincipalTag/team")).toBe(true);
    expect(catalogue.conditionKeyExists("AWS:resourcetag/environment")).toBe(true);
    // Misspelt: no slash, so no prefix to look up.
    expect(catalogue.conditionKeyExists("aws:RequestTags")).toBe(false);
    expect(catalogue.conditionKeyExists("aws:ResourceTag")).toBe(false);
    // Nothing was loaded for them: aws is not a service.
    expect(catalogue.stats().servicesLoaded).toBe(0);
  });
});

describe("ActionCatalogue on its own data directory", () => {
  const fs = require("fs") as typeof import("fs");
  const os = require("os") as typeof import("os");
  const path = require("path") as typeof import("path");
  const dataDirectory = (files: Record<string, unknown>): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iam-data-"));
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), JSON.stringify(content));
    }
    return dir;
  };

  it("refuses a services.json that is not a list of service keys", () => {
    expect(() => new ActionCatalogue(dataDirectory({ "services.json": { rds: true } })).serviceExists("rds")).toThrow(new Error("iam-data services.json is not a list of service keys"));
    expect(() => new ActionCatalogue(dataDirectory({ "services.json": ["rds", 7] })).serviceExists("rds")).toThrow(new Error("iam-data services.json is not a list of service keys"));
  });

  it("lowercases service keys, defaults missing lists, and tolerates missing resource type and condition key files", () => {
    const catalogue = new ActionCatalogue(
      dataDirectory({
        "services.json": ["Svc", "bare"],
        "actions/svc.json": { doit: { name: "DoIt", accessLevel: "Write" }, other: { name: "Other", accessLevel: "Read", resourceTypes: [{ name: "thing", required: false, extra: 1 }], conditionKeys: ["svc:k"] } },
        "resourceTypes/svc.json": { thing: { key: "Thing", arn: "arn:${Partition}:svc:::thing/${ThingName}" } },
        "conditionKeys/svc.json": { "svc:plain": {}, "svc:a.b/${tagkey}": {} },
      }),
    );
    expect(catalogue.serviceExists("SVC")).toBe(true);
    expect(catalogue.action("svc:doit")).toStrictEqual({ service: "svc", name: "DoIt", accessLevel: "Write", resourceTypes: [], conditionKeys: [] });
    expect(catalogue.action("SVC:OTHER")).toStrictEqual({ service: "svc", name: "Other", accessLevel: "Read", resourceTypes: [{ name: "thing", required: false }], conditionKeys: ["svc:k"] });
    expect(catalogue.serviceActions("svc")).toStrictEqual(["svc:DoIt", "svc:Other"]);
    expect(catalogue.resourceType("svc", "THING")).toStrictEqual({ service: "svc", name: "Thing", arnFormat: "arn:${Partition}:svc:::thing/${ThingName}", conditionKeys: [] });
    expect(catalogue.resourceType("bare", "thing")).toBeUndefined();
    expect(catalogue.conditionKeyExists("svc:PLAIN")).toBe(true);
    expect(catalogue.conditionKeyExists("SVC:A.B/x")).toBe(true);
    expect(catalogue.conditionKeyExists("svc:aXb/x")).toBe(false);
    expect(catalogue.conditionKeyExists("svc:a.b/")).toBe(false);
    expect(catalogue.conditionKeyExists("svc:other")).toBe(false);
    expect(catalogue.conditionKeyExists("bare:anything")).toBe(false);
    expect(catalogue.stats().servicesLoaded).toBe(1);
  });
});
