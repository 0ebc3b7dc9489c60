/**
 * Pulumi type tokens the pack judges, as strings: the pack never loads `@pulumi/aws` at run time
 * (it would cost start-up on every deployment). Each token was checked against the `__pulumiType`
 * of the `@pulumi/aws` 7.x class named beside it.
 */
export const RDS_INSTANCE = "aws:rds/instance:Instance"; // aws.rds.Instance
export const RDS_CLUSTER = "aws:rds/cluster:Cluster"; // aws.rds.Cluster
export const RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"; // aws.rds.ClusterInstance
export const RDS_EVENT_SUBSCRIPTION = "aws:rds/eventSubscription:EventSubscription"; // aws.rds.EventSubscription
export const DYNAMODB_TABLE = "aws:dynamodb/table:Table"; // aws.dynamodb.Table
export const BACKUP_PLAN = "aws:backup/plan:Plan"; // aws.backup.Plan
export const BACKUP_SELECTION = "aws:backup/selection:Selection"; // aws.backup.Selection
export const BACKUP_VAULT = "aws:backup/vault:Vault"; // aws.backup.Vault
export const BACKUP_VAULT_LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"; // aws.backup.VaultLockConfiguration
export const BACKUP_RESTORE_TESTING_PLAN = "aws:backup/restoreTestingPlan:RestoreTestingPlan"; // aws.backup.RestoreTestingPlan
export const BACKUP_RESTORE_TESTING_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection"; // aws.backup.RestoreTestingSelection
export const KMS_KEY = "aws:kms/key:Key"; // aws.kms.Key
export const AWS_PROVIDER = "pulumi:providers:aws"; // aws.Provider
export const IAM_ROLE = "aws:iam/role:Role"; // aws.iam.Role
export const IAM_USER = "aws:iam/user:User"; // aws.iam.User
export const IAM_GROUP = "aws:iam/group:Group"; // aws.iam.Group
export const IAM_POLICY = "aws:iam/policy:Policy"; // aws.iam.Policy
export const IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"; // aws.iam.RolePolicy
export const IAM_USER_POLICY = "aws:iam/userPolicy:UserPolicy"; // aws.iam.UserPolicy
export const IAM_GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy"; // aws.iam.GroupPolicy
export const IAM_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"; // aws.iam.RolePolicyAttachment
export const IAM_USER_POLICY_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment"; // aws.iam.UserPolicyAttachment
export const IAM_GROUP_POLICY_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"; // aws.iam.GroupPolicyAttachment
export const IAM_POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"; // aws.iam.PolicyAttachment
export const IAM_GROUP_MEMBERSHIP = "aws:iam/groupMembership:GroupMembership"; // aws.iam.GroupMembership
export const IAM_USER_GROUP_MEMBERSHIP = "aws:iam/userGroupMembership:UserGroupMembership"; // aws.iam.UserGroupMembership

/** The databases whose loss the pack exists to prevent. */
export const DATABASE_TYPES: readonly string[] = [RDS_INSTANCE, RDS_CLUSTER, DYNAMODB_TABLE];
/** Databases restored and snapshotted by RDS (instances and Aurora clusters). */
export const RDS_DATABASE_TYPES: readonly string[] = [RDS_INSTANCE, RDS_CLUSTER];
