import { AWS_MANAGED_POLICIES, lookupManagedPolicyArn } from "../../policies/lib/iam/aws-managed-policies";
import { compilePolicies, evaluateAccess } from "../../policies/lib/iam/evaluate";
import { productionProbes } from "../../policies/lib/iam/probes";

const PRODUCTION_TAGS = { environment: ["production"] };

function harmfulActions(path: string, kinds: Array<"rds-instance" | "rds-cluster" | "dynamodb-table" | "backup-vault">): string[] {
  const managed = AWS_MANAGED_POLICIES.find((p) => p.path === path);
  if (!managed) throw new Error(`no summary for ${path}`);
  const set = compilePolicies([{ name: managed.name, document: managed.document }]);
  const allowed = new Set<string>();
  for (const kind of kinds) {
    for (const probe of productionProbes({ kind, name: "prod-x" }, PRODUCTION_TAGS)) {
      const e = evaluateAccess(set, probe);
      if (e.kind !== "decided") throw new Error(`${path}: cannot verify`);
      if (e.decision === "allow") allowed.add(probe.action);
    }
  }
  return [...allowed];
}

describe("lookupManagedPolicyArn", () => {
  it("finds AWS managed policies by ARN in any partition, with paths", () => {
    expect(lookupManagedPolicyArn("arn:aws:iam::aws:policy/AmazonRDSFullAccess")).toMatchObject({ kind: "aws-managed", policy: { name: "AmazonRDSFullAccess" } });
    expect(lookupManagedPolicyArn("arn:aws-us-gov:iam::aws:policy/AdministratorAccess")).toMatchObject({ kind: "aws-managed", policy: { name: "AdministratorAccess" } });
    expect(lookupManagedPolicyArn("arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores")).toMatchObject({ kind: "aws-managed", policy: { acceptedForServices: ["backup.amazonaws.com"] } });
    expect(lookupManagedPolicyArn("arn:aws:iam::aws:policy/job-function/DatabaseAdministrator")).toMatchObject({ kind: "aws-managed", policy: { name: "DatabaseAdministrator" } });
  });

  it("tells unknown AWS policies, customer policies and non-policies apart", () => {
    expect(lookupManagedPolicyArn("arn:aws:iam::aws:policy/ReadOnlyAccess")).toEqual({ kind: "aws-managed-unknown", path: "ReadOnlyAccess" });
    expect(lookupManagedPolicyArn("arn:aws:iam::123456789012:policy/team/restore")).toEqual({ kind: "customer-managed", account: "123456789012", path: "team/restore" });
    expect(lookupManagedPolicyArn("arn:aws:iam::aws:role/x")).toEqual({ kind: "not-a-policy-arn" });
    expect(lookupManagedPolicyArn("AmazonRDSFullAccess")).toEqual({ kind: "not-a-policy-arn" });
  });
});

describe("what the summarized managed policies let a principal do to production", () => {
  it("full-access and admin policies delete production databases", () => {
    expect(harmfulActions("AdministratorAccess", ["rds-instance"])).toContain("rds:DeleteDBInstance");
    expect(harmfulActions("PowerUserAccess", ["rds-instance", "dynamodb-table"])).toEqual(expect.arrayContaining(["rds:DeleteDBInstance", "dynamodb:DeleteTable"]));
    expect(harmfulActions("AmazonRDSFullAccess", ["rds-instance", "rds-cluster", "dynamodb-table"])).toEqual(expect.arrayContaining(["rds:DeleteDBInstance", "rds:DeleteDBCluster"]));
    expect(harmfulActions("AmazonRDSFullAccess", ["dynamodb-table"])).toEqual([]);
    expect(harmfulActions("AmazonDynamoDBFullAccess", ["dynamodb-table"])).toEqual(expect.arrayContaining(["dynamodb:DeleteTable", "dynamodb:DeleteBackup"]));
    expect(harmfulActions("job-function/DatabaseAdministrator", ["rds-cluster", "dynamodb-table"])).toEqual(expect.arrayContaining(["rds:DeleteDBCluster", "dynamodb:UpdateTable"]));
    expect(harmfulActions("AWSBackupFullAccess", ["backup-vault"])).toEqual(expect.arrayContaining(["backup:DeleteBackupVault", "backup:DeleteRecoveryPoint", "backup:DeleteBackupVaultLockConfiguration"]));
  });

  it("AWSBackupOperatorAccess can remove production from a backup plan but not delete recovery points", () => {
    const harmful = harmfulActions("AWSBackupOperatorAccess", ["backup-vault"]);
    expect(harmful).toContain("backup:DeleteBackupSelection");
    expect(harmful).not.toContain("backup:DeleteRecoveryPoint");
  });

  it("the AWS Backup restore service-role policy deletes DB instances: acceptable only for AWS Backup itself", () => {
    expect(harmfulActions("service-role/AWSBackupServiceRolePolicyForRestores", ["rds-instance"])).toEqual(expect.arrayContaining(["rds:DeleteDBInstance", "rds:RestoreDBInstanceFromDBSnapshot"]));
    for (const p of AWS_MANAGED_POLICIES) {
      expect({ name: p.name, accepted: p.acceptedForServices ?? [] }).toEqual({ name: p.name, accepted: p.path.startsWith("service-role/AWSBackup") ? ["backup.amazonaws.com"] : [] });
    }
  });
});
