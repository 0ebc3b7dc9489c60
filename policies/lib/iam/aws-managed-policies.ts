/**
 * AWS managed policies that concern production databases, summarized: the statements of AWS's
 * published document that grant RDS, DynamoDB or AWS Backup actions (or every action, or IAM
 * actions by which a principal can give itself more), copied as AWS publishes them, so the
 * evaluator can judge a role that attaches one by ARN.
 *
 * AWS adds permissions to its managed policies over time and does not remove them, so a summary
 * is a lower bound of what the policy grants: enough to prove a policy dangerous, never enough to
 * prove one safe. Policies not listed here are reported as unknown, and the rules decide what an
 * unknown AWS managed policy means.
 *
 * The AWS Backup service-role policies are accepted as the service's own need when the role can
 * be assumed only by AWS Backup: AWS Backup deletes expired recovery points and, for restores,
 * recreates or replaces resources with exactly these permissions, and the role's trust policy
 * keeps people from using them. Attached to a role people can assume, they are judged like any
 * other policy (`AWSBackupServiceRolePolicyForRestores` allows `rds:DeleteDBInstance` on `*`).
 *
 * Sources: AWS's managed policy reference
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/), default versions as
 * published, checked against the zoph-io/MAMIP history of those documents.
 */

type Statement = { [key: string]: string | string[] | { [op: string]: { [key: string]: string | string[] } } };

export interface AwsManagedPolicy {
  name: string;
  /** The ARN's path after `policy/`: `AmazonRDSFullAccess`, `service-role/AWSBackupServiceRolePolicyForBackup`. */
  path: string;
  /** The default version the summary was taken from. */
  version: string;
  /** The database-related statements of AWS's document. */
  document: { Version: "2012-10-17"; Statement: Statement[] };
  /** Service principals whose role may attach it as that service's own need. */
  acceptedForServices?: readonly string[];
}

const doc = (...Statement: Statement[]): AwsManagedPolicy["document"] => ({ Version: "2012-10-17", Statement });

export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = [
  {
    name: "AdministratorAccess",
    path: "AdministratorAccess",
    version: "v1",
    document: doc({ Effect: "Allow", Action: "*", Resource: "*" }),
  },
  {
    name: "PowerUserAccess",
    path: "PowerUserAccess",
    version: "v12",
    document: doc({ Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" }),
  },
  {
    // Not a database policy, but whoever holds it can attach AdministratorAccess to itself.
    name: "IAMFullAccess",
    path: "IAMFullAccess",
    version: "v2",
    document: doc({ Effect: "Allow", Action: ["iam:*"], Resource: "*" }),
  },
  {
    name: "AmazonRDSFullAccess",
    path: "AmazonRDSFullAccess",
    version: "v13",
    document: doc({ Effect: "Allow", Action: ["rds:*"], Resource: "*" }),
  },
  {
    name: "AmazonDynamoDBFullAccess",
    path: "AmazonDynamoDBFullAccess",
    version: "v15",
    document: doc({ Effect: "Allow", Action: ["dynamodb:*", "dax:*"], Resource: "*" }),
  },
  {
    name: "AmazonDynamoDBFullAccess_v2",
    path: "AmazonDynamoDBFullAccess_v2",
    version: "v2",
    document: doc({ Sid: "DDBAndDAXFullAccess", Effect: "Allow", Action: ["dynamodb:*", "dax:*"], Resource: "*" }),
  },
  {
    name: "DatabaseAdministrator",
    path: "job-function/DatabaseAdministrator",
    version: "v4",
    document: doc({ Effect: "Allow", Action: ["dynamodb:*", "rds:*", "redshift:*", "elasticache:*"], Resource: "*" }),
  },
  {
    name: "AWSBackupFullAccess",
    path: "AWSBackupFullAccess",
    version: "v17",
    document: doc(
      { Sid: "AwsBackupAllAccessPermissions", Effect: "Allow", Action: "backup:*", Resource: "*" },
      {
        Sid: "RdsDeletePermissions",
        Effect: "Allow",
        Action: ["rds:DeleteDBSnapshot", "rds:DeleteDBClusterSnapshot"],
        Resource: "*",
        Condition: { "ForAnyValue:StringEquals": { "aws:CalledVia": ["backup.amazonaws.com"] } },
      },
      {
        Sid: "DynamoDbDeleteBackupPermissions",
        Effect: "Allow",
        Action: ["dynamodb:DeleteBackup"],
        Resource: "*",
        Condition: { "ForAnyValue:StringEquals": { "aws:CalledVia": ["backup.amazonaws.com"] } },
      },
    ),
  },
  {
    name: "AWSBackupOperatorAccess",
    path: "AWSBackupOperatorAccess",
    version: "v16",
    document: doc({
      Sid: "AwsBackupAllAccess",
      Effect: "Allow",
      Action: ["backup:Get*", "backup:List*", "backup:Describe*", "backup:CreateBackupSelection", "backup:DeleteBackupSelection", "backup:StartBackupJob", "backup:StartRestoreJob", "backup:StartCopyJob"],
      Resource: "*",
    }),
  },
  {
    name: "AWSBackupServiceRolePolicyForBackup",
    path: "service-role/AWSBackupServiceRolePolicyForBackup",
    version: "v29",
    acceptedForServices: ["backup.amazonaws.com"],
    document: doc(
      { Sid: "DynamoDBPermissions", Effect: "Allow", Action: ["dynamodb:DescribeTable", "dynamodb:CreateBackup"], Resource: "arn:aws:dynamodb:*:*:table/*" },
      { Sid: "DynamoDBBackupResourcePermissions", Effect: "Allow", Action: ["dynamodb:DescribeBackup", "dynamodb:DeleteBackup"], Resource: "arn:aws:dynamodb:*:*:table/*/backup/*" },
      { Sid: "RDSInstanceAutomatedBackupPermissions", Effect: "Allow", Action: "rds:DeleteDBInstanceAutomatedBackup", Resource: "arn:aws:rds:*:*:auto-backup:*" },
      { Sid: "RDSClusterPermissions", Effect: "Allow", Action: ["rds:ModifyDBCluster"], Resource: ["arn:aws:rds:*:*:cluster:*"] },
      { Sid: "RDSClusterBackupPermissions", Effect: "Allow", Action: "rds:DeleteDBClusterAutomatedBackup", Resource: "arn:aws:rds:*:*:cluster-auto-backup:*" },
      { Sid: "RDSModifyPermissions", Effect: "Allow", Action: ["rds:ModifyDBInstance"], Resource: ["arn:aws:rds:*:*:db:*"] },
      { Sid: "RDSBackupPermissions", Effect: "Allow", Action: ["rds:DeleteDBSnapshot", "rds:ModifyDBSnapshotAttribute"], Resource: ["arn:aws:rds:*:*:snapshot:awsbackup:*"] },
      { Sid: "RDSClusterModifyPermissions", Effect: "Allow", Action: ["rds:DeleteDBClusterSnapshot", "rds:ModifyDBClusterSnapshotAttribute"], Resource: ["arn:aws:rds:*:*:cluster-snapshot:awsbackup:*"] },
      { Sid: "BackupVaultPermissions", Effect: "Allow", Action: ["backup:DescribeBackupVault", "backup:CopyIntoBackupVault"], Resource: "arn:aws:backup:*:*:backup-vault:*" },
      { Sid: "BackupVaultCopyPermissions", Effect: "Allow", Action: ["backup:CopyFromBackupVault"], Resource: "*" },
    ),
  },
  {
    name: "AWSBackupServiceRolePolicyForRestores",
    path: "service-role/AWSBackupServiceRolePolicyForRestores",
    version: "v25",
    acceptedForServices: ["backup.amazonaws.com"],
    document: doc(
      {
        Sid: "DynamoDBPermissions",
        Effect: "Allow",
        Action: ["dynamodb:Scan", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:DescribeTable"],
        Resource: "arn:aws:dynamodb:*:*:table/*",
      },
      { Sid: "DynamoDBBackupResourcePermissions", Effect: "Allow", Action: ["dynamodb:RestoreTableFromBackup"], Resource: "arn:aws:dynamodb:*:*:table/*/backup/*" },
      {
        Sid: "RDSPermissions",
        Effect: "Allow",
        Action: [
          "rds:DescribeDBInstances",
          "rds:DescribeDBSnapshots",
          "rds:ListTagsForResource",
          "rds:RestoreDBInstanceFromDBSnapshot",
          "rds:DeleteDBInstance",
          "rds:AddTagsToResource",
          "rds:DescribeDBClusters",
          "rds:RestoreDBClusterFromSnapshot",
          "rds:DeleteDBCluster",
          "rds:RestoreDBInstanceToPointInTime",
          "rds:DescribeDBClusterSnapshots",
          "rds:RestoreDBClusterToPointInTime",
          "rds:CreateTenantDatabase",
          "rds:DeleteTenantDatabase",
        ],
        Resource: "*",
      },
      { Sid: "RDSResourcePermissions", Effect: "Allow", Action: ["rds:CreateDBInstance"], Resource: "arn:aws:rds:*:*:db:*" },
      { Sid: "DynamoDBRestorePermissions", Effect: "Allow", Action: ["dynamodb:RestoreTableFromAwsBackup"], Resource: "arn:aws:dynamodb:*:*:table/*" },
      {
        Sid: "BackupRestoreJobManagementPermissions",
        Effect: "Allow",
        Action: ["backup:StartRestoreJob", "backup:ListRestoreJobs", "backup:ListRecoveryPointsByBackupVault", "backup:DescribeRestoreJob"],
        Resource: "*",
      },
    ),
  },
];

export type ManagedPolicyLookup =
  | { kind: "aws-managed"; policy: AwsManagedPolicy }
  /** An AWS managed policy this table does not summarize. */
  | { kind: "aws-managed-unknown"; path: string }
  /** A policy of the customer's own account: its document is in the stack or elsewhere. */
  | { kind: "customer-managed"; account: string; path: string }
  | { kind: "not-a-policy-arn" };

const POLICY_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):iam::(aws|\d{12}):policy\/(.+)$/;

/** What a managed policy ARN attached to a role, user or group refers to. */
export function lookupManagedPolicyArn(arn: string): ManagedPolicyLookup {
  const m = POLICY_ARN.exec(arn);
  if (!m) return { kind: "not-a-policy-arn" };
  const [, , owner, path] = m;
  if (owner !== "aws") return { kind: "customer-managed", account: owner, path };
  const policy = AWS_MANAGED_POLICIES.find((p) => p.path === path);
  return policy ? { kind: "aws-managed", policy } : { kind: "aws-managed-unknown", path };
}
