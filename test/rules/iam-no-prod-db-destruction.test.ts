/**
 * iam-no-prod-db-destruction, called directly on stack views: the components' roles pass; sloppy
 * roles, users, groups and detached policies fail with the statement that grants the harm.
 */
import { BREAK_GLASS_TAG } from "../../components/tags";
import { UNKNOWN } from "../../guard/wire";
import type { Finding } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { iamNoProdDbDestruction } from "../../policies/rules/iam-no-prod-db-destruction";
import { type StackResourceSpec, stackView } from "../helpers/stack-view";
import {
  ACCOUNT,
  GROUP,
  GROUP_MEMBERSHIP,
  GROUP_POLICY,
  ONCALL,
  POLICY,
  ROLE_POLICY_ATTACHMENT,
  USER,
  allow,
  attach,
  componentRoles,
  productionData,
  role,
} from "../iam/iam-stacks";

function check(resources: StackResourceSpec[], settings: SharedSettings = DEFAULT_SETTINGS as SharedSettings): Finding[] {
  return iamNoProdDbDestruction.check(stackView({ resources: [...productionData(), ...resources] }), {}, settings);
}
const violations = (fs: Finding[]) => fs.filter((f) => !f.deferred);
const deferred = (fs: Finding[]) => fs.filter((f) => f.deferred);

describe("iam-no-prod-db-destruction", () => {
  it("passes the components' RestoreRole, BreakGlassRole and AWS Backup service role", () => {
    expect(check(componentRoles())).toEqual([]);
  });

  it.each([
    ["rds:*", allow("rds:*"), /rds:DeleteDBInstance on arn:aws:rds:\*:111111111111:db:\*/],
    ["*", allow("*"), /rds:DeleteDBInstance/],
    ["NotAction", allow([], "*", { Action: undefined, NotAction: ["iam:*", "organizations:*"] }), /granted by statement #1 of RolePolicy "app-permissions"/],
    ["backup:Delete*", allow("backup:Delete*"), /backup:DeleteBackupVault on arn:aws:backup:\*:111111111111:backup-vault:\*/],
    ["dynamodb:DeleteTable on the table by name", allow("dynamodb:DeleteTable", `arn:aws:dynamodb:*:${ACCOUNT}:table/carts`), /dynamodb:DeleteTable on arn:aws:dynamodb:us-east-1:111111111111:table\/carts \(resource /],
    // AWS Backup keeps an RDS database's recovery points as RDS snapshots, and a DynamoDB table's
    // (without advanced backup) as DynamoDB backups: the reference's recoveryPoint ARN is arn:…:${Vendor}:…
    ["backup:DeleteRecoveryPoint on the RDS snapshots AWS Backup takes", allow("backup:DeleteRecoveryPoint", "arn:aws:rds:*:*:snapshot:awsbackup:*"), /backup:DeleteRecoveryPoint on arn:aws:rds:\*:111111111111:snapshot:awsbackup:\* \(resource tagged environment=prod\), granted by /],
    ["backup:UpdateRecoveryPointLifecycle on Aurora snapshots", allow("backup:UpdateRecoveryPointLifecycle", "arn:aws:rds:*:*:cluster-snapshot:*"), /backup:UpdateRecoveryPointLifecycle on arn:aws:rds:\*:111111111111:cluster-snapshot:awsbackup:\* \(resource /],
    ["backup:DeleteRecoveryPoint on DynamoDB backups", allow("backup:DeleteRecoveryPoint", "arn:aws:dynamodb:*:*:table/*/backup/*"), /backup:DeleteRecoveryPoint on arn:aws:dynamodb:\*:111111111111:table\/\*\/backup\/\* \(resource /],
  ])("fails a role allowed %s", (_what, policy, expected) => {
    const fs = check(role("app", policy));
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0].name).toBe("app");
    expect(fs[0].urn).toContain("aws:iam/role:Role::app");
    expect(fs[0].message).toMatch(/^IAM role "app": can harm production: /);
    expect(fs[0].message).toMatch(expected);
  });

  it("passes recovery-point grants on snapshots AWS Backup does not take, or on another account's backups", () => {
    // AWS Backup names the RDS snapshots it keeps awsbackup:…; a vault's DynamoDB backups live in its account.
    expect(check(role("app", allow("backup:DeleteRecoveryPoint", `arn:aws:rds:us-east-1:${ACCOUNT}:snapshot:dev-*`)))).toEqual([]);
    expect(check(role("app", allow("backup:DeleteRecoveryPoint", "arn:aws:dynamodb:*:222222222222:table/*/backup/*")))).toEqual([]);
    // A `*` ending the Region segment may span colons (AWS's documentation), and the snapshot id is
    // unknown: such a grant may reach awsbackup:… snapshots, and is reported as such (failing closed).
    const fs = check(role("app", allow("backup:DeleteRecoveryPoint", "arn:aws:rds:*:*:snapshot:dev-*")));
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0].message).toMatch(/backup:DeleteRecoveryPoint on arn:aws:rds:\*:111111111111:snapshot:awsbackup:\* \(resource tagged environment=prod\) \(may be allowed: /);
  });

  it("fails a role whose production Deny compares the tag case-sensitively", () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Sid: "Admin", Effect: "Allow", Action: "rds:*", Resource: "*" },
        { Sid: "ProtectProd", Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/environment": "production" } } },
      ],
    };
    const fs = violations(check(role("dba", policy)));
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toMatch(/environment=Production\)|environment=prod\)|untagged\)/);
    expect(fs[0].message).toContain('granted by statement "Admin" (#1) of RolePolicy "dba-permissions"');
  });

  it("passes a role whose Deny covers every production tag key and value, and the named databases", () => {
    const denyTagged = (key: string) => ({ Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { StringEqualsIgnoreCase: { [`aws:ResourceTag/${key}`]: ["prod", "production"] } } });
    const allowAll = { Effect: "Allow", Action: "rds:*", Resource: "*" };
    const named = { Effect: "Deny", Action: "rds:*", Resource: `arn:aws:rds:*:${ACCOUNT}:db:orders` };
    expect(check(role("dba", { Version: "2012-10-17", Statement: [allowAll, denyTagged("environment"), denyTagged("env"), named] }))).toEqual([]);
    // Both keys in one condition block are ANDed: a resource carries one of them, so the Deny never applies.
    const anded = { Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { StringEqualsIgnoreCase: { "aws:ResourceTag/environment": ["prod", "production"], "aws:ResourceTag/env": ["prod", "production"] } } };
    expect(violations(check(role("dba", { Version: "2012-10-17", Statement: [allowAll, anded, named] })))).toHaveLength(1);
    // Without the Deny on the named database, the untagged production database is open.
    const fs = violations(check(role("dba", { Version: "2012-10-17", Statement: [allowAll, denyTagged("environment"), denyTagged("env")] })));
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain("db:orders (resource untagged)");
  });

  it("fails a role with AmazonRDSFullAccess attached, and names the managed policy", () => {
    const fs = violations(check([...role("app", undefined), attach("app", "arn:aws:iam::aws:policy/AmazonRDSFullAccess")]));
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain('granted by statement #1 of AWS managed policy "AmazonRDSFullAccess"');
  });

  it.each([
    ["one ARN", "arn:aws:iam::aws:policy/AdministratorAccess"],
    ["JSON text of a list", JSON.stringify(["arn:aws:iam::aws:policy/AdministratorAccess"])],
  ])("fails a role whose managedPolicyArns is %s naming AdministratorAccess (it was once read as no list at all)", (_what, managedPolicyArns) => {
    const [roleSpec] = role("app", undefined);
    const fs = violations(check([{ ...roleSpec!, props: { ...roleSpec!.props, managedPolicyArns } }]));
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain('AWS managed policy "AdministratorAccess"');
  });

  it("accepts AWS Backup's restore service-role policy only on a role AWS Backup alone assumes", () => {
    const human = violations(check([...role("ops", undefined), attach("ops", "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores")]));
    expect(human).toHaveLength(1);
    expect(human[0].message).toContain("rds:DeleteDBInstance");
  });

  it("fails a break-glass tag on a role without MFA, and exempts it with MFA", () => {
    const tags = { [BREAK_GLASS_TAG.key]: BREAK_GLASS_TAG.value };
    const openTrust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: ONCALL }, Action: "sts:AssumeRole" }] };
    const withoutMfa = violations(check(role("glass", allow("rds:*"), { tags, trust: openTrust })));
    expect(withoutMfa).toHaveLength(1);
    expect(withoutMfa[0].message).toContain("(break-glass) but its trust policy does not require MFA");
    expect(check(role("glass", allow("rds:*"), { tags }))).toEqual([]);
  });

  it("judges users through their group's policies, and groups themselves", () => {
    const fs = violations(
      check([
        { type: USER, name: "alice", props: { name: "alice" } },
        { type: GROUP, name: "dbas", props: { name: "dbas" } },
        { type: GROUP_POLICY, name: "dbas-policy", props: { group: "dbas", policy: JSON.stringify(allow("rds:DeleteDBInstance")) } },
        { type: GROUP_MEMBERSHIP, name: "dbas-members", props: { group: "dbas", users: ["alice"] } },
      ]),
    );
    expect(fs.map((f) => f.name).sort()).toEqual(["alice", "dbas"]);
  });

  it("judges a customer managed policy attached in a preview, and one attached to nothing", () => {
    const attached = violations(
      check([
        ...role("app", undefined),
        { type: POLICY, name: "rds-admin", props: { name: "rds-admin", policy: JSON.stringify(allow("rds:*")) } },
        { type: ROLE_POLICY_ATTACHMENT, name: "app-rds-admin", props: { role: "app", policyArn: UNKNOWN.string }, propertyDependencies: { policyArn: ["rds-admin"] } },
      ]),
    );
    expect(attached.map((f) => f.name)).toEqual(["app"]);
    expect(attached[0].message).toContain('of aws:iam/policy:Policy "rds-admin"');
    const detached = violations(check([{ type: POLICY, name: "spare", props: { policy: JSON.stringify(allow("dynamodb:*")) } }]));
    expect(detached.map((f) => f.name)).toEqual(["spare"]);
    expect(detached[0].message).toContain("attached to no principal of this stack");
  });

  it("defers a policy whose document is unknown in a preview", () => {
    const fs = check(role("app", UNKNOWN.string));
    expect(violations(fs)).toEqual([]);
    expect(deferred(fs)).toHaveLength(1);
    expect(deferred(fs)[0].message).toContain('the document of RolePolicy "app-permissions"');
  });

  it("fails closed on a policy it cannot read or a customer policy defined elsewhere", () => {
    const unreadable = violations(check(role("app", '{"Statement": [{"Effect": "allow", "Action": "rds:*", "Resource": "*"}]}')));
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0].message).toContain("its permissions cannot be verified");
    expect(unreadable[0].message).toContain('Effect must be "Allow" or "Deny"');
    const elsewhere = violations(check([...role("app", undefined), attach("app", `arn:aws:iam::${ACCOUNT}:policy/legacy-admin`)]));
    expect(elsewhere).toHaveLength(1);
    expect(elsewhere[0].message).toContain("is not defined in this stack");
    const unknownOperator = violations(check(role("app", allow("s3:GetObject", "*", { Condition: { StringEqualsAnyCase: { "aws:username": "a" } } }))));
    expect(unknownOperator[0].message).toContain('unknown condition operator "StringEqualsAnyCase"');
  });

  it("points out a misspelt action or condition key when a Deny does not hold", () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "rds:*", Resource: "*" },
        { Sid: "Guard", Effect: "Deny", Action: ["rds:DeleteDbInstances", "rds:Modify*"], Resource: "*", Condition: { StringEqualsIgnoreCase: { "aws:ResourceTags/environment": ["prod", "production"] } } },
      ],
    };
    const fs = violations(check(role("dba", policy)));
    expect(fs[0].message).toContain('note: statement "Guard" (#2) of RolePolicy "dba-permissions": no rds action matches "rds:DeleteDbInstances"');
    expect(fs[0].message).toContain('AWS has no condition key "aws:ResourceTags/environment"');
  });

  describe("the KMS keys production data is encrypted with", () => {
    const KEY = "aws:kms/key:Key";
    const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
    const keyArn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
    /** A production database encrypted with a key of the stack (unknown in a preview) or a known key. */
    const encrypted = (kmsKeyId: unknown, deps: string[] = []): StackResourceSpec[] => [
      { type: KEY, name: "db-key", props: { arn: UNKNOWN.string, keyId: UNKNOWN.string, tags: { team: "payments" } } },
      { type: "aws:rds/instance:Instance", name: "ledger", props: { identifier: "ledger", kmsKeyId, tags: { environment: "production" } }, propertyDependencies: { kmsKeyId: deps } },
    ];

    it("fails a role that may schedule the deletion of, or disable, the key of a production database", () => {
      const fs = check([...encrypted(UNKNOWN.string, ["db-key"]), ...role("keys", allow(["kms:ScheduleKeyDeletion", "kms:DisableKey"]))]);
      expect(violations(fs)).toHaveLength(1);
      // Allowed on any key, so the first probe stands for the rest (a production-tagged key).
      expect(fs[0].message).toContain(`can harm production: kms:ScheduleKeyDeletion on arn:aws:kms:*:${ACCOUNT}:key/* (resource tagged environment=prod), granted by statement #1 of RolePolicy "keys-permissions"; kms:DisableKey on`);
    });

    it("judges the stack's key by its own tags: a grant on the owning team's keys reaches it, another team's does not", () => {
      const byTeam = (team: string) => allow(["kms:ScheduleKeyDeletion"], "*", { Condition: { StringEquals: { "aws:ResourceTag/team": team } } });
      const payments = violations(check([...encrypted(UNKNOWN.string, ["db-key"]), ...role("keys", byTeam("payments"))]));
      expect(payments).toHaveLength(1);
      expect(payments[0].message).toContain(`kms:ScheduleKeyDeletion on arn:aws:kms:us-east-1:${ACCOUNT}:key/* (resource tagged team=payments, the key RDS instance "ledger" is encrypted with), granted by`);
      // Another team's keys: only the production-tagged keys of unknown other tags may match (uncertain), not the stack's key.
      const analytics = violations(check([...encrypted(UNKNOWN.string, ["db-key"]), ...role("keys", byTeam("analytics"))]));
      expect(analytics).toHaveLength(1);
      expect(analytics[0].message).toContain("(may be allowed: ");
      expect(analytics[0].message).not.toContain('the key RDS instance "ledger"');
    });

    it("probes a key named by ARN by its id, and a key of unknown tags whatever a condition says", () => {
      const other = allow(["kms:ScheduleKeyDeletion"], `arn:aws:kms:us-east-1:${ACCOUNT}:key/other-key`);
      // A Deny-free grant on one other key: only the unnamed, production-tagged key probes may match it.
      const scoped = violations(check([...encrypted(keyArn), ...role("keys", other)]));
      expect(scoped.every((f) => !f.message.includes(`key/${KEY_ID}`))).toBe(true);
      const exact = violations(check([...encrypted(keyArn), ...role("keys", allow(["kms:ScheduleKeyDeletion"], keyArn))]));
      expect(exact).toHaveLength(1);
      expect(exact[0].message).toContain(`kms:ScheduleKeyDeletion on ${keyArn} (resource tags unknown, the key RDS instance "ledger" is encrypted with)`);
    });

    it("passes a role that only uses keys (Decrypt, GenerateDataKey, DescribeKey, CreateGrant)", () => {
      expect(check([...encrypted(UNKNOWN.string, ["db-key"]), ...role("app", allow(["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"]))])).toEqual([]);
    });
  });

  describe("principals that can rewrite their own permissions", () => {
    it("fails a role that may add a policy to itself, and names the action on its own ARN", () => {
      const fs = violations(check(role("app", allow("iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/app`))));
      expect(fs).toHaveLength(1);
      expect(fs[0].message).toBe(
        `IAM role "app": can harm production: iam:PutRolePolicy on arn:aws:iam::${ACCOUNT}:role/app (its own role: it can give itself any permission, production's included), granted by statement #1 of RolePolicy "app-permissions". Why it matters: whoever holds these permissions can destroy or overwrite production data in one API call, as in the incident where a 17-hour-old snapshot was restored over the live database. Fix: scope its Allow statements to non-production resources (by ARN, and by aws:ResourceTag / aws:RequestTag conditions that match every spelling of the production tag), or add explicit Deny statements for these actions on production; if it is the break-glass role, tag it as such and require MFA in its trust policy.`,
      );
    });

    it("fails a role with IAMFullAccess attached (it can attach AdministratorAccess to itself)", () => {
      const fs = violations(check([...role("iam-admin", undefined), attach("iam-admin", "arn:aws:iam::aws:policy/IAMFullAccess")]));
      expect(fs).toHaveLength(1);
      expect(fs[0].message).toContain(`iam:PutRolePolicy on arn:aws:iam::${ACCOUNT}:role/iam-admin (its own role: it can give itself any permission, production's included), granted by statement #1 of AWS managed policy "IAMFullAccess"`);
    });

    it("passes a role that manages only other roles' policies", () => {
      expect(check(role("deployer", allow(["iam:PutRolePolicy", "iam:AttachRolePolicy"], `arn:aws:iam::${ACCOUNT}:role/apps/*`)))).toEqual([]);
    });

    it("fails a role that may rewrite a customer managed policy attached to it", () => {
      const policyArn = `arn:aws:iam::${ACCOUNT}:policy/app-extra`;
      const fs = violations(
        check([
          ...role("app", allow("iam:CreatePolicyVersion", policyArn)),
          { type: POLICY, name: "app-extra", props: { name: "app-extra", arn: policyArn, policy: JSON.stringify(allow("s3:GetObject")) } },
          attach("app", policyArn),
        ]),
      );
      expect(fs.map((f) => f.name)).toEqual(["app"]);
      expect(fs[0].message).toContain(`iam:CreatePolicyVersion on ${policyArn} (a policy attached to it: it can rewrite the policy to allow anything)`);
    });

    it("fails a user that may join any group, and a group that may attach policies to itself", () => {
      const fs = violations(
        check([
          { type: USER, name: "alice", props: { name: "alice" } },
          { type: "aws:iam/userPolicy:UserPolicy", name: "alice-policy", props: { user: "alice", policy: JSON.stringify(allow("iam:AddUserToGroup")) } },
          { type: GROUP, name: "dbas", props: { name: "dbas" } },
          { type: GROUP_POLICY, name: "dbas-policy", props: { group: "dbas", policy: JSON.stringify(allow("iam:AttachGroupPolicy", `arn:aws:iam::${ACCOUNT}:group/dbas`)) } },
        ]),
      );
      expect(fs.map((f) => f.name).sort()).toEqual(["alice", "dbas"]);
      expect(fs.find((f) => f.name === "alice")!.message).toContain(`iam:AddUserToGroup on arn:aws:iam::${ACCOUNT}:group/* (any group: it can join one with more permissions)`);
      expect(fs.find((f) => f.name === "dbas")!.message).toContain(`iam:AttachGroupPolicy on arn:aws:iam::${ACCOUNT}:group/dbas (its own group`);
    });
  });

  it("passes read-only and unrelated roles", () => {
    expect(check([...role("reader", allow(["rds:Describe*", "rds:ListTagsForResource", "dynamodb:GetItem", "dynamodb:PutItem"])), attach("reader", "arn:aws:iam::aws:policy/ReadOnlyAccess")])).toEqual([]);
  });
});
