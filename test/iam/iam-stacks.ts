/**
 * Stacks for the IAM rules' tests: the components' own roles (their policy documents come from the
 * components' pure functions, exactly what they deploy) and sloppy roles, as the engine shows them.
 */
import { breakGlassPermissionsPolicy, mfaTrustPolicy, restoreRolePermissionsPolicy } from "../../components/restore-role";
import { backupServiceTrustPolicy } from "../../components/snapshot-schedule";
import { BREAK_GLASS_TAG } from "../../components/tags";
import { UNKNOWN } from "../../guard/wire";
import { ACCOUNT, PROD, RDS, type StackResourceSpec, TABLE, VAULT, prodRds } from "../helpers/stack-view";

export const ROLE = "aws:iam/role:Role";
export const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
export const ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
export const POLICY = "aws:iam/policy:Policy";
export const USER = "aws:iam/user:User";
export const USER_POLICY = "aws:iam/userPolicy:UserPolicy";
export const GROUP = "aws:iam/group:Group";
export const GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy";
export const GROUP_MEMBERSHIP = "aws:iam/groupMembership:GroupMembership";

export const ONCALL = `arn:aws:iam::${ACCOUNT}:role/oncall`;

/** The production data of the stack: an RDS instance, a DynamoDB table and a vault. */
export function productionData(): StackResourceSpec[] {
  return [prodRds("orders"), { type: TABLE, name: "carts", props: { name: "carts", tags: PROD } }, { type: VAULT, name: "vault", props: { name: "prod-vault", tags: PROD } }];
}

const productionDatabaseArns = [`arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`, `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/carts`];

export type Doc = object;

/** A role (trust policy, session length, tags) with one RolePolicy linked the way a preview shows it. */
export function role(name: string, policy: Doc | string | undefined, options: { trust?: Doc | string; maxSessionDuration?: number | string; tags?: Record<string, string> } = {}): StackResourceSpec[] {
  const specs: StackResourceSpec[] = [
    {
      type: ROLE,
      name,
      props: {
        name,
        assumeRolePolicy: typeof options.trust === "string" ? options.trust : JSON.stringify(options.trust ?? mfaTrustPolicy([ONCALL], 3600)),
        ...(options.maxSessionDuration !== undefined ? { maxSessionDuration: options.maxSessionDuration } : {}),
        ...(options.tags ? { tags: options.tags } : {}),
      },
    },
  ];
  if (policy !== undefined) {
    specs.push({ type: ROLE_POLICY, name: `${name}-permissions`, props: { role: UNKNOWN.string, policy: typeof policy === "string" ? policy : JSON.stringify(policy) }, propertyDependencies: { role: [name] } });
  }
  return specs;
}

/** Attaches a managed policy by ARN to a role, as RolePolicyAttachment does. */
export function attach(roleName: string, policyArn: string, name = `${roleName}-${policyArn.split("/").pop()}`): StackResourceSpec {
  return { type: ROLE_POLICY_ATTACHMENT, name, props: { role: roleName, policyArn } };
}

export const allow = (Action: string | string[], Resource: string | string[] = "*", extra: Doc = {}): Doc => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action, Resource, ...extra }] });

/** The components' RestoreRole, BreakGlassRole and AWS Backup service role, as SnapshotSchedule and RestoreRole create them. */
export function componentRoles(): StackResourceSpec[] {
  const common = { partition: "aws", accountId: ACCOUNT, productionDatabaseArns, restoreNamePrefix: "restore-" };
  return [
    ...role(
      "restore",
      restoreRolePermissionsPolicy({
        ...common,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/restore`,
        restoreTagKeys: ["environment", "restored-from", "incident"],
        backupServiceRoleArns: [`arn:aws:iam::${ACCOUNT}:role/backup-service`],
        kmsKeyArns: [`arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`],
      }),
      { trust: mfaTrustPolicy([ONCALL], 3600), maxSessionDuration: 3600, tags: { environment: "production" } },
    ),
    ...role("break-glass", breakGlassPermissionsPolicy({ ...common, roleArn: `arn:aws:iam::${ACCOUNT}:role/break-glass` }), {
      trust: mfaTrustPolicy([ONCALL], 900),
      maxSessionDuration: 3600,
      tags: { environment: "production", [BREAK_GLASS_TAG.key]: BREAK_GLASS_TAG.value },
    }),
    ...role("backup-service", undefined, { trust: backupServiceTrustPolicy(), tags: { environment: "production" } }),
    attach("backup-service", "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"),
    attach("backup-service", "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"),
  ];
}

export { ACCOUNT, PROD, RDS };
