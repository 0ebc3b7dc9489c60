/**
 * The pack matches type tokens as strings (it never loads @pulumi/aws at run time): each string
 * must be exactly the token of the @pulumi/aws class it stands for, or the rule silently passes
 * everything.
 */
import * as aws from "@pulumi/aws";
import * as tokens from "../../policies/lib/tokens";

// `__pulumiType` is internal to the SDK's classes (not in their typings), hence the cast.
const classes: Record<string, unknown> = {
  RDS_INSTANCE: aws.rds.Instance,
  RDS_CLUSTER: aws.rds.Cluster,
  RDS_CLUSTER_INSTANCE: aws.rds.ClusterInstance,
  RDS_EVENT_SUBSCRIPTION: aws.rds.EventSubscription,
  DYNAMODB_TABLE: aws.dynamodb.Table,
  BACKUP_PLAN: aws.backup.Plan,
  BACKUP_SELECTION: aws.backup.Selection,
  BACKUP_VAULT: aws.backup.Vault,
  BACKUP_VAULT_LOCK: aws.backup.VaultLockConfiguration,
  KMS_KEY: aws.kms.Key,
  BACKUP_RESTORE_TESTING_PLAN: aws.backup.RestoreTestingPlan,
  BACKUP_RESTORE_TESTING_SELECTION: aws.backup.RestoreTestingSelection,
  IAM_ROLE: aws.iam.Role,
  IAM_USER: aws.iam.User,
  IAM_GROUP: aws.iam.Group,
  IAM_POLICY: aws.iam.Policy,
  IAM_ROLE_POLICY: aws.iam.RolePolicy,
  IAM_USER_POLICY: aws.iam.UserPolicy,
  IAM_GROUP_POLICY: aws.iam.GroupPolicy,
  IAM_ROLE_POLICY_ATTACHMENT: aws.iam.RolePolicyAttachment,
  IAM_USER_POLICY_ATTACHMENT: aws.iam.UserPolicyAttachment,
  IAM_GROUP_POLICY_ATTACHMENT: aws.iam.GroupPolicyAttachment,
  IAM_POLICY_ATTACHMENT: aws.iam.PolicyAttachment,
  IAM_GROUP_MEMBERSHIP: aws.iam.GroupMembership,
  IAM_USER_GROUP_MEMBERSHIP: aws.iam.UserGroupMembership,
};

describe("type tokens", () => {
  it.each(Object.entries(classes))("%s is the token of its @pulumi/aws class", (name, cls) => {
    expect((tokens as unknown as Record<string, string>)[name]).toBe((cls as { __pulumiType: string }).__pulumiType);
  });
  it("every string token of tokens.ts is checked here", () => {
    const stringTokens = Object.entries(tokens).filter(([, v]) => typeof v === "string").map(([k]) => k);
    expect(stringTokens.filter((k) => k !== "AWS_PROVIDER").sort()).toEqual(Object.keys(classes).sort());
    // A provider's resource type is pulumi:providers:<package>; @pulumi/aws's Provider names the package.
    expect(tokens.AWS_PROVIDER).toBe(`pulumi:providers:${(aws.Provider as unknown as { __pulumiType: string }).__pulumiType}`);
  });
});
