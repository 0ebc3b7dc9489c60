/**
 * RestoreRole and BreakGlassRole: the registered role and policy, the documents statement by
 * statement, and what they allow and deny when AWS evaluates them (simulated with
 * @cloud-copilot/iam-simulate, which also validates actions, resource types and context keys
 * against the service authorization reference).
 */
import { installPulumiMocks, outputValue } from "../helpers/pulumi-mocks";

const env = installPulumiMocks();
/* eslint-disable @typescript-eslint/no-require-imports */
const roles = require("../../components/restore-role") as typeof import("../../components/restore-role");
const { runSimulation } = require("@cloud-copilot/iam-simulate") as typeof import("@cloud-copilot/iam-simulate");
/* eslint-enable @typescript-eslint/no-require-imports */
const { RestoreRole, BreakGlassRole, restoreRolePermissionsPolicy, breakGlassPermissionsPolicy, mfaTrustPolicy, splitRolePolicies } = roles;
type PolicyDocument = import("../../components/aws-context").PolicyDocument;

const ACCOUNT = env.accountId;
const ordersArn = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`;
const billingArn = `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:billing`;
const sessionsArn = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/sessions`;
const backupRoleArn = `arn:aws:iam::${ACCOUNT}:role/orders-backups-backup-role`;
const keyArn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const oncall = `arn:aws:iam::${ACCOUNT}:role/oncall`;
const restoreRoleArn = `arn:aws:iam::${ACCOUNT}:role/orders-restore`;

const ownPolicies = `arn:aws:iam::${ACCOUNT}:policy/db-guardrails/orders-restore-*`;
const restorePolicy: PolicyDocument = restoreRolePermissionsPolicy({
  partition: "aws",
  accountId: ACCOUNT,
  roleArn: restoreRoleArn,
  ownPolicyArnPattern: ownPolicies,
  productionDatabaseArns: [ordersArn, billingArn, sessionsArn],
  backupServiceRoleArns: [backupRoleArn],
  kmsKeyArns: [keyArn],
  restoreNamePrefix: "restore-",
  restoreTagKeys: ["environment", "restored-from", "incident"],
});

type Outcome = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

/** What AWS decides for one authorization, given the identity policies of the principal. */
async function decide(policies: PolicyDocument[], action: string, resource: string, context: Record<string, string | string[]> = {}): Promise<Outcome> {
  const result = await runSimulation(
    {
      identityPolicies: policies.map((policy, i) => ({ name: `policy-${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: { principal: restoreRoleArn, action, resource: { resource, accountId: ACCOUNT }, contextVariables: context },
    },
    {},
  );
  if (result.resultType === "error") throw new Error(`${action} on ${resource}: the simulator rejected the request or policy: ${JSON.stringify(result.errors)}`);
  return (result as { overallResult: Outcome }).overallResult;
}

const restoreTags = { "aws:RequestTag/environment": "restore", "aws:TagKeys": ["environment", "incident"] };
const productionTag = { "aws:ResourceTag/environment": "production" };

describe("RestoreRole: registered resources", () => {
  let role: InstanceType<typeof RestoreRole>;
  beforeAll(async () => {
    role = new RestoreRole("orders-restore", {
      trustedPrincipalArns: [oncall],
      productionDatabaseArns: [ordersArn, billingArn, sessionsArn],
      backupServiceRoleArns: [backupRoleArn],
      kmsKeyArns: [keyArn],
      tags: { team: "payments" },
    });
    await outputValue(role.urn);
    await env.settle();
  });

  test("the role is named, tagged, parented, limited to one-hour sessions and trusts only the named principals with MFA", () => {
    const self = env.one("db-guardrails:index:RestoreRole", "orders-restore");
    const registered = env.one("aws:iam/role:Role", "orders-restore");
    expect(registered.parent).toBe(self.urn);
    expect(registered.inputs).toMatchObject({ name: "orders-restore", maxSessionDuration: 3600, tags: { environment: "production", team: "payments" } });
    expect(JSON.parse(registered.inputs.assumeRolePolicy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "NamedPrincipalsWithMfa",
          Effect: "Allow",
          Principal: { AWS: [oncall] },
          Action: ["sts:AssumeRole"],
          Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" }, NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } },
        },
      ],
    });
  });

  test("the Allows are the inline policy; the Denies are two attached managed policies; together they are exactly the documented permissions", async () => {
    const self = env.one("db-guardrails:index:RestoreRole", "orders-restore").urn;
    const inline = env.one("aws:iam/rolePolicy:RolePolicy", "orders-restore-permissions");
    expect(inline.parent).toBe(self);
    expect(inline.inputs.role).toBe("orders-restore");
    const managed = ["deny-tagged-production", "deny-named-production-and-backups"].map((suffix) => env.one("aws:iam/policy:Policy", `orders-restore-${suffix}`));
    for (const [i, policy] of managed.entries()) {
      expect(policy.parent).toBe(self);
      expect(policy.inputs).toMatchObject({ name: `orders-restore-${["deny-tagged-production", "deny-named-production-and-backups"][i]}`, path: "/db-guardrails/", tags: { environment: "production", team: "payments" } });
      const attachment = env.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", policy.name);
      expect(attachment.inputs).toEqual({ role: "orders-restore", policyArn: policy.state.arn });
      expect(policy.state.arn).toBe(`arn:aws:iam::${ACCOUNT}:policy/db-guardrails/${policy.inputs.name}`);
    }
    const documents = [inline, ...managed].map((r) => JSON.parse(r.inputs.policy) as PolicyDocument);
    expect(documents[0].Statement.every((st) => st.Effect === "Allow")).toBe(true);
    expect(documents.slice(1).every((d) => d.Statement.every((st) => st.Effect === "Deny"))).toBe(true);
    expect({ Version: "2012-10-17", Statement: documents.flatMap((d) => d.Statement) }).toEqual({
      ...restorePolicy,
      Statement: [...restorePolicy.Statement.filter((st) => st.Effect === "Allow"), ...restorePolicy.Statement.filter((st) => st.Effect === "Deny")],
    });
    expect(await outputValue(role.permissionsPolicy)).toEqual(restorePolicy);
  });

  test("every document fits IAM's size limits (inline 10,240, managed 6,144 characters), even for a 16-instance Aurora cluster", () => {
    const arns = [`arn:aws:rds:us-east-1:${ACCOUNT}:cluster:billing`, ...Array.from({ length: 16 }, (_, i) => `arn:aws:rds:us-east-1:${ACCOUNT}:db:billing-${i + 1}`)];
    const big = restoreRolePermissionsPolicy({ partition: "aws", accountId: ACCOUNT, roleArn: restoreRoleArn, ownPolicyArnPattern: ownPolicies, productionDatabaseArns: arns, backupServiceRoleArns: [backupRoleArn], kmsKeyArns: [keyArn, keyArn, keyArn], restoreNamePrefix: "restore-", restoreTagKeys: ["environment", "restored-from", "incident"] });
    const set = splitRolePolicies("RestoreRole \"billing-restore\"", big);
    expect(JSON.stringify(set.inline).length).toBeLessThanOrEqual(10240);
    for (const m of set.managed) expect(JSON.stringify(m.document).length).toBeLessThanOrEqual(6144);
  });

  test("a role whose Denies would not fit IAM's limit is refused with the reason", () => {
    const arns = Array.from({ length: 200 }, (_, i) => `arn:aws:rds:us-east-1:${ACCOUNT}:db:database-number-${i}`);
    const huge = restoreRolePermissionsPolicy({ partition: "aws", accountId: ACCOUNT, roleArn: restoreRoleArn, productionDatabaseArns: arns, backupServiceRoleArns: [], kmsKeyArns: [], restoreNamePrefix: "restore-", restoreTagKeys: ["environment"] });
    expect(() => splitRolePolicies('RestoreRole "big"', huge)).toThrow(/RestoreRole "big": productionDatabaseArns make the role's .* characters long, over IAM's/);
  });
});

describe("RestoreRole: the permissions document, statement by statement", () => {
  const statement = (sid: string) => {
    const found = restorePolicy.Statement.find((s) => s.Sid === sid);
    if (!found) throw new Error(`no statement ${sid}`);
    return found;
  };

  test("the statements, in order", () => {
    expect(restorePolicy.Statement.map((s) => `${s.Effect} ${s.Sid}`)).toEqual([
      "Allow ReadSnapshotsAndRecoveryPoints",
      "Allow RestoreRdsOnlyIntoNewTaggedTargets",
      "Allow RestoreProductionRdsToPointInTime",
      "Allow UseRdsRestoreSources",
      "Allow RestoreDynamoDbTablesToPointInTime",
      "Allow RestoreDynamoDbBackupsIntoRestoreTables",
      "Allow WriteOnlyIntoRestoredTables",
      "Allow TagRestoredTables",
      "Allow StartAwsBackupRestores",
      "Allow PassBackupServiceRoleToAwsBackup",
      "Allow DescribeDatabaseKeys",
      "Allow GrantDatabaseKeysToRestoringService",
      "Allow UseDatabaseKeysThroughDatabaseServices",
      "Deny DenyChangingDatabasesTaggedenvironmentProduction",
      "Deny DenyChangingDatabasesTaggedEnvironmentProduction",
      "Deny DenyChangingDatabasesTaggedENVIRONMENTProduction",
      "Deny DenyChangingDatabasesTaggedenvProduction",
      "Deny DenyChangingDatabasesTaggedEnvProduction",
      "Deny DenyChangingDatabasesTaggedENVProduction",
      "Deny DenyChangingNamedProductionDatabases",
      "Deny DenyDestroyingBackupsAndKeys",
      "Deny DenyChangingOwnPermissions",
    ]);
  });

  test("reading is the only thing allowed on every resource", () => {
    for (const s of restorePolicy.Statement.filter((s) => s.Effect === "Allow" && s.Resource === "*")) {
      expect(s.Sid).toBe("ReadSnapshotsAndRecoveryPoints");
      for (const action of s.Action) expect(action).toMatch(/:(Describe|List|Get)/);
    }
  });

  test("RDS restores go only into restore-* targets tagged environment=restore, with a closed set of tag keys", () => {
    expect(statement("RestoreRdsOnlyIntoNewTaggedTargets")).toEqual({
      Sid: "RestoreRdsOnlyIntoNewTaggedTargets",
      Effect: "Allow",
      Action: [
        "rds:RestoreDBInstanceFromDBSnapshot",
        "rds:RestoreDBClusterFromSnapshot",
        "rds:RestoreDBInstanceToPointInTime",
        "rds:RestoreDBClusterToPointInTime",
        "rds:CreateDBInstance",
        "rds:AddTagsToResource",
      ],
      Resource: [`arn:aws:rds:*:${ACCOUNT}:db:restore-*`, `arn:aws:rds:*:${ACCOUNT}:cluster:restore-*`],
      Condition: {
        StringEquals: { "aws:RequestTag/environment": "restore" },
        "ForAllValues:StringEquals": { "aws:TagKeys": ["environment", "restored-from", "incident"] },
      },
    });
  });

  test("the tag-based Denies match production in any letter case, on db, cluster and table ARNs only", () => {
    for (const key of ["environment", "Environment", "ENVIRONMENT", "env", "Env", "ENV"]) {
      const deny = statement(`DenyChangingDatabasesTagged${key}Production`);
      expect(deny.Resource).toEqual([`arn:aws:rds:*:${ACCOUNT}:db:*`, `arn:aws:rds:*:${ACCOUNT}:cluster:*`, `arn:aws:dynamodb:*:${ACCOUNT}:table/*`]);
      expect(deny.Condition).toEqual({ StringEqualsIgnoreCase: { [`aws:ResourceTag/${key}`]: ["prod", "production"] } });
      expect(deny.Action).toEqual([
        "rds:Delete*",
        "rds:Modify*",
        "rds:Stop*",
        "rds:Reboot*",
        "rds:Failover*",
        "rds:Promote*",
        "rds:Switchover*",
        "rds:Backtrack*",
        "rds:AddTagsToResource",
        "rds:RemoveTagsFromResource",
        "dynamodb:Delete*",
        "dynamodb:Update*",
        "dynamodb:Put*",
        "dynamodb:BatchWriteItem",
        "dynamodb:PartiQLInsert",
        "dynamodb:PartiQLUpdate",
        "dynamodb:PartiQLDelete",
        "dynamodb:TagResource",
        "dynamodb:UntagResource",
      ]);
      // A production database is the source of a point-in-time restore; denying that would block recovery.
      expect(deny.Action.filter((a) => /Restore/.test(a))).toEqual([]);
    }
  });

  test("the named production databases are denied even untagged; backups, keys and the role's own policies are off limits", () => {
    expect(statement("DenyChangingNamedProductionDatabases").Resource).toEqual([ordersArn, billingArn, sessionsArn]);
    expect(statement("DenyChangingNamedProductionDatabases").Action).toEqual(expect.arrayContaining(["rds:Delete*", "rds:RestoreDBInstanceFromDBSnapshot", "rds:RestoreDBClusterFromSnapshot", "dynamodb:RestoreTableFromBackup"]));
    expect(statement("DenyDestroyingBackupsAndKeys")).toMatchObject({ Resource: "*" });
    expect(statement("DenyDestroyingBackupsAndKeys").Action).toEqual(
      expect.arrayContaining(["backup:Delete*", "backup:Put*", "backup:Update*", "backup:Disassociate*", "rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot", "dynamodb:DeleteBackup", "kms:ScheduleKeyDeletion", "kms:DisableKey"]),
    );
    expect(statement("DenyChangingOwnPermissions")).toMatchObject({ Resource: [restoreRoleArn, ownPolicies] });
  });

  test("the backup service role may be passed to AWS Backup only", () => {
    expect(statement("PassBackupServiceRoleToAwsBackup")).toEqual({
      Sid: "PassBackupServiceRoleToAwsBackup",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: [backupRoleArn],
      Condition: { StringEquals: { "iam:PassedToService": "backup.amazonaws.com" } },
    });
  });
});

describe("RestoreRole: what AWS would decide", () => {
  test("restoring a production snapshot into a new tagged restore-* instance is allowed on every ARN the call is authorized on", async () => {
    const action = "rds:RestoreDBInstanceFromDBSnapshot";
    expect(await decide([restorePolicy], action, `arn:aws:rds:us-east-1:${ACCOUNT}:db:restore-orders-0501`, restoreTags)).toBe("Allowed");
    // The source snapshot carries the production tag (copyTagsToSnapshot): still allowed.
    expect(await decide([restorePolicy], action, `arn:aws:rds:us-east-1:${ACCOUNT}:snapshot:awsbackup:job-1234`, { ...restoreTags, ...productionTag })).toBe("Allowed");
    for (const supporting of ["og:default:postgres-16", "pg:default.postgres16", "subgrp:private"]) {
      expect(await decide([restorePolicy], action, `arn:aws:rds:us-east-1:${ACCOUNT}:${supporting}`, restoreTags)).toBe("Allowed");
    }
    expect(await decide([restorePolicy], "rds:AddTagsToResource", `arn:aws:rds:us-east-1:${ACCOUNT}:db:restore-orders-0501`, restoreTags)).toBe("Allowed");
  });

  test("a point-in-time restore from the production instance into a restore-* copy is allowed", async () => {
    const action = "rds:RestoreDBInstanceToPointInTime";
    expect(await decide([restorePolicy], action, `arn:aws:rds:us-east-1:${ACCOUNT}:db:restore-orders-pitr`, restoreTags)).toBe("Allowed");
    expect(await decide([restorePolicy], action, ordersArn, { ...restoreTags, ...productionTag })).toBe("Allowed");
  });

  test("a restore that is not tagged environment=restore, names another tag key, or targets a production name is refused", async () => {
    const action = "rds:RestoreDBInstanceFromDBSnapshot";
    const target = `arn:aws:rds:us-east-1:${ACCOUNT}:db:restore-orders-x`;
    expect(await decide([restorePolicy], action, target, {})).toBe("ImplicitlyDenied");
    expect(await decide([restorePolicy], action, target, { "aws:RequestTag/environment": "production", "aws:TagKeys": ["environment"] })).toBe("ImplicitlyDenied");
    expect(await decide([restorePolicy], action, target, { "aws:RequestTag/environment": "restore", "aws:TagKeys": ["environment", "owner"] })).toBe("ImplicitlyDenied");
    expect(await decide([restorePolicy], action, ordersArn, restoreTags)).toBe("ExplicitlyDenied");
    expect(await decide([restorePolicy], action, `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-copy`, restoreTags)).toBe("ImplicitlyDenied");
    expect(await decide([restorePolicy], "rds:RestoreDBClusterFromSnapshot", billingArn, restoreTags)).toBe("ExplicitlyDenied");
    // A point-in-time restore that would tag its target as production: refused.
    expect(await decide([restorePolicy], "rds:RestoreDBInstanceToPointInTime", ordersArn, { "aws:RequestTag/environment": "production", "aws:TagKeys": ["environment"] })).toBe("ImplicitlyDenied");
  });

  test("deleting, modifying, stopping, rebooting or retagging production is explicitly denied, whatever the tag's case", async () => {
    const someDb = `arn:aws:rds:us-east-1:${ACCOUNT}:db:payments`;
    for (const action of ["rds:DeleteDBInstance", "rds:ModifyDBInstance", "rds:StopDBInstance", "rds:RebootDBInstance", "rds:RemoveTagsFromResource", "rds:AddTagsToResource"]) {
      const spellings: Record<string, string>[] = [{ "aws:ResourceTag/environment": "production" }, { "aws:ResourceTag/environment": "PRODUCTION" }, { "aws:ResourceTag/env": "Prod" }];
      for (const tags of spellings) {
        expect([action, tags, await decide([restorePolicy], action, someDb, tags)]).toEqual([action, tags, "ExplicitlyDenied"]);
      }
      // Untagged but named: still denied.
      expect(await decide([restorePolicy], action, ordersArn, {})).toBe("ExplicitlyDenied");
    }
    for (const action of ["rds:DeleteDBCluster", "rds:FailoverDBCluster", "rds:BacktrackDBCluster"]) {
      expect(await decide([restorePolicy], action, `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:ledger`, { "aws:ResourceTag/Environment": "Production" })).not.toBe("Allowed");
      expect(await decide([restorePolicy], action, billingArn, {})).toBe("ExplicitlyDenied");
    }
    for (const action of ["dynamodb:DeleteTable", "dynamodb:UpdateTable", "dynamodb:PutItem", "dynamodb:UpdateContinuousBackups", "dynamodb:UntagResource"]) {
      expect(await decide([restorePolicy], action, `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/carts`, productionTag)).toBe("ExplicitlyDenied");
      expect(await decide([restorePolicy], action, sessionsArn, {})).toBe("ExplicitlyDenied");
    }
  });

  test("the Denies hold even if someone attaches AdministratorAccess to the role", async () => {
    const admin: PolicyDocument = { Version: "2012-10-17", Statement: [{ Sid: "Admin", Effect: "Allow", Action: ["*"], Resource: "*" }] };
    const both = [restorePolicy, admin];
    expect(await decide(both, "rds:DeleteDBInstance", ordersArn)).toBe("ExplicitlyDenied");
    expect(await decide(both, "rds:ModifyDBInstance", `arn:aws:rds:eu-west-1:${ACCOUNT}:db:anything`, { "aws:ResourceTag/environment": "Production" })).toBe("ExplicitlyDenied");
    expect(await decide(both, "backup:DeleteRecoveryPoint", `arn:aws:backup:us-east-1:${ACCOUNT}:recovery-point:abc`)).toBe("ExplicitlyDenied");
    expect(await decide(both, "backup:DeleteBackupVault", `arn:aws:backup:us-east-1:${ACCOUNT}:backup-vault:orders-backups-vault`)).toBe("ExplicitlyDenied");
    expect(await decide(both, "backup:PutBackupVaultLockConfiguration", `arn:aws:backup:us-east-1:${ACCOUNT}:backup-vault:orders-backups-vault`)).toBe("ExplicitlyDenied");
    expect(await decide(both, "rds:DeleteDBSnapshot", `arn:aws:rds:us-east-1:${ACCOUNT}:snapshot:orders-final`)).toBe("ExplicitlyDenied");
    expect(await decide(both, "kms:ScheduleKeyDeletion", keyArn)).toBe("ExplicitlyDenied");
    expect(await decide(both, "iam:PutRolePolicy", restoreRoleArn)).toBe("ExplicitlyDenied");
    expect(await decide(both, "iam:DeleteRolePolicy", restoreRoleArn)).toBe("ExplicitlyDenied");
    expect(await decide(both, "iam:DetachRolePolicy", restoreRoleArn)).toBe("ExplicitlyDenied");
    expect(await decide(both, "iam:CreatePolicyVersion", `arn:aws:iam::${ACCOUNT}:policy/db-guardrails/orders-restore-deny-tagged-production`)).toBe("ExplicitlyDenied");
    expect(await decide(both, "backup:UpdateRecoveryPointLifecycle", `arn:aws:backup:us-east-1:${ACCOUNT}:recovery-point:abc`)).toBe("ExplicitlyDenied");
    expect(await decide(both, "dynamodb:PutItem", `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/restore-sessions`, { "aws:ResourceTag/Environment": "Production" })).toBe("ExplicitlyDenied");
  });

  test("DynamoDB: restore from production to a point in time, writing only into restore-* tables", async () => {
    expect(await decide([restorePolicy], "dynamodb:RestoreTableToPointInTime", sessionsArn, productionTag)).toBe("Allowed");
    expect(await decide([restorePolicy], "dynamodb:BatchWriteItem", `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/restore-sessions`)).toBe("Allowed");
    expect(await decide([restorePolicy], "dynamodb:BatchWriteItem", `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/sessions-copy`)).toBe("ImplicitlyDenied");
    expect(await decide([restorePolicy], "dynamodb:RestoreTableFromBackup", `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/sessions/backup/01700000000000-abcdefgh`)).toBe("Allowed");
    expect(await decide([restorePolicy], "dynamodb:RestoreTableFromBackup", sessionsArn)).toBe("ExplicitlyDenied");
    expect(await decide([restorePolicy], "dynamodb:RestoreTableToPointInTime", `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/carts`)).toBe("ImplicitlyDenied");
  });

  test("AWS Backup restores: start a job and pass only the backup service role, only to AWS Backup", async () => {
    expect(await decide([restorePolicy], "backup:StartRestoreJob", `arn:aws:backup:us-east-1:${ACCOUNT}:recovery-point:1EB3B5E7-9EB0-435A-BE1F-8B3A1B1A1A1A`)).toBe("Allowed");
    expect(await decide([restorePolicy], "iam:PassRole", backupRoleArn, { "iam:PassedToService": "backup.amazonaws.com" })).toBe("Allowed");
    expect(await decide([restorePolicy], "iam:PassRole", backupRoleArn, { "iam:PassedToService": "ec2.amazonaws.com" })).toBe("ImplicitlyDenied");
    expect(await decide([restorePolicy], "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/admin`, { "iam:PassedToService": "backup.amazonaws.com" })).toBe("ImplicitlyDenied");
  });
});

describe("RestoreRole: floors and bad input", () => {
  const base = { trustedPrincipalArns: [oncall], productionDatabaseArns: [ordersArn] };
  test("sessions longer than an hour are refused", () => {
    expect(() => new RestoreRole("r1", { ...base, maxSessionDurationSeconds: 7200 })).toThrow(/RestoreRole "r1": maxSessionDurationSeconds = 7200 is not allowed; the floor is between 900 and 3600 seconds/);
    expect(() => new RestoreRole("r2", { ...base, mfaMaxAgeSeconds: 86400 })).toThrow(/mfaMaxAgeSeconds = 86400 is not allowed; the floor is between 60 and 3600 seconds/);
  });
  test("principals must be named users or roles", () => {
    expect(() => new RestoreRole("r3", { ...base, trustedPrincipalArns: [] })).toThrow(/trustedPrincipalArns must be a non-empty list/);
    expect(() => new RestoreRole("r4", { ...base, trustedPrincipalArns: ["*"] })).toThrow(/trustedPrincipalArns\[0\] = "\*" is invalid/);
    expect(() => new RestoreRole("r5", { ...base, trustedPrincipalArns: [`arn:aws:iam::${ACCOUNT}:root`] })).toThrow(/names a whole account/);
    expect(() => new RestoreRole("r6", { ...base, trustedPrincipalArns: [`arn:aws:iam::${ACCOUNT}:role/team-*`] })).toThrow(/without wildcards/);
  });
  test("the role must know the production databases it protects", () => {
    expect(() => new RestoreRole("r7", { ...base, productionDatabaseArns: [] })).toThrow(/productionDatabaseArns must list the production databases/);
  });
  test("restore tags must include environment and may not smuggle in another environment or the break-glass tag", () => {
    expect(() => new RestoreRole("r8", { ...base, restoreTagKeys: ["incident"] })).toThrow(/must include "environment"/);
    expect(() => new RestoreRole("r9", { ...base, restoreTagKeys: ["environment", "Env"] })).toThrow(/may not include "Env"/);
    expect(() => new RestoreRole("r10", { ...base, restoreTagKeys: ["environment", "db-guardrails:break-glass"] })).toThrow(/may not include "db-guardrails:break-glass"/);
    expect(() => new RestoreRole("r11", { ...base, restoreNamePrefix: "Restore_" })).toThrow(/restoreNamePrefix = "Restore_" is invalid/);
  });
});

describe("BreakGlassRole", () => {
  const policy = breakGlassPermissionsPolicy({
    partition: "aws",
    accountId: ACCOUNT,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/orders-break-glass`,
    ownPolicyArnPattern: `arn:aws:iam::${ACCOUNT}:policy/db-guardrails/orders-break-glass-*`,
    productionDatabaseArns: [ordersArn],
    restoreNamePrefix: "restore-",
  });

  test("is tagged as the break-glass role, needs a recent MFA sign-in and lasts at most an hour", async () => {
    const role = new BreakGlassRole("orders-break-glass", { trustedPrincipalArns: [`arn:aws:iam::${ACCOUNT}:user/alice`], productionDatabaseArns: [ordersArn] });
    await outputValue(role.urn);
    await env.settle();
    const registered = env.one("aws:iam/role:Role", "orders-break-glass");
    expect(registered.inputs.tags).toEqual({ environment: "production", "db-guardrails:break-glass": "true" });
    expect(registered.inputs.maxSessionDuration).toBe(3600);
    expect(JSON.parse(registered.inputs.assumeRolePolicy)).toEqual(mfaTrustPolicy([`arn:aws:iam::${ACCOUNT}:user/alice`], 900));
    const documents = [
      env.one("aws:iam/rolePolicy:RolePolicy", "orders-break-glass-permissions"),
      env.one("aws:iam/policy:Policy", "orders-break-glass-deny-tagged-production"),
      env.one("aws:iam/policy:Policy", "orders-break-glass-deny-named-production-and-backups"),
    ].map((r) => JSON.parse(r.inputs.policy) as PolicyDocument);
    expect(documents.flatMap((d) => d.Statement)).toEqual(policy.Statement);
    // Only the role is declared break-glass, not its policies.
    expect(env.one("aws:iam/policy:Policy", "orders-break-glass-deny-tagged-production").inputs.tags).toEqual({ environment: "production" });
  });

  test("may cut over production (modify, fail over, retag) but never delete a database or a backup", async () => {
    expect(await decide([policy], "rds:ModifyDBInstance", ordersArn)).toBe("Allowed");
    expect(await decide([policy], "rds:ModifyDBInstance", `arn:aws:rds:us-east-1:${ACCOUNT}:db:restore-orders-0501`)).toBe("Allowed");
    expect(await decide([policy], "rds:AddTagsToResource", ordersArn, { "aws:RequestTag/environment": "retired", "aws:TagKeys": ["environment"] })).toBe("Allowed");
    expect(await decide([policy], "rds:DeleteDBInstance", ordersArn)).toBe("ExplicitlyDenied");
    expect(await decide([policy], "rds:DeleteDBInstance", `arn:aws:rds:us-east-1:${ACCOUNT}:db:other`, productionTag)).toBe("ExplicitlyDenied");
    expect(await decide([policy], "backup:DeleteRecoveryPoint", `arn:aws:backup:us-east-1:${ACCOUNT}:recovery-point:abc`)).toBe("ExplicitlyDenied");
    expect(await decide([policy], "rds:ModifyDBInstance", `arn:aws:rds:us-east-1:${ACCOUNT}:db:unrelated`)).toBe("ImplicitlyDenied");
  });

  test("is off unless created: RestoreRole is never tagged break-glass", () => {
    for (const role of env.byType("aws:iam/role:Role").filter((r) => r.name !== "orders-break-glass")) {
      expect(role.inputs.tags?.["db-guardrails:break-glass"]).toBeUndefined();
    }
  });
});
