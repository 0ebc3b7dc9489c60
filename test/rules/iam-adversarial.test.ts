/**
 * Adversarial review of the three IAM stack rules (iam-no-prod-db-destruction,
 * iam-restore-role-scoped, iam-restore-role-trust): stacks in which a principal really can
 * destroy or overwrite production, or assume a restore role without MFA or from anywhere.
 *
 * The first block documents fail-open bugs: each test asserts what the rule SHOULD report and
 * fails until the rule is fixed. The other blocks pin behaviour that is already correct against
 * the same kind of attack, so that fixing one hole does not open another.
 */
import { BREAK_GLASS_TAG } from "../../components/tags";
import { UNKNOWN } from "../../guard/wire";
import type { Finding } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { iamNoProdDbDestruction } from "../../policies/rules/iam-no-prod-db-destruction";
import { iamRestoreRoleScoped } from "../../policies/rules/iam-restore-role-scoped";
import { iamRestoreRoleTrust } from "../../policies/rules/iam-restore-role-trust";
import { CLUSTER, DEFAULT_PROVIDER, DEFAULT_PROVIDER_PROPS, type StackResourceSpec, prodRds, stackView } from "../helpers/stack-view";
import { ACCOUNT, GROUP, ONCALL, POLICY, ROLE_POLICY, ROLE_POLICY_ATTACHMENT, USER, allow, attach, productionData, role } from "../iam/iam-stacks";

const SETTINGS = DEFAULT_SETTINGS as SharedSettings;
const GROUP_POLICY_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment";
const USER_GROUP_MEMBERSHIP = "aws:iam/userGroupMembership:UserGroupMembership";
const POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment";

interface StackOptions {
  stack?: string;
  providers?: Record<string, Record<string, unknown>>;
  /** Replaces the default production data (orders, carts, prod-vault). */
  data?: StackResourceSpec[];
  settings?: SharedSettings;
}

function view(resources: StackResourceSpec[], o: StackOptions) {
  return stackView({ stack: o.stack, providers: o.providers, settings: o.settings, resources: [...(o.data ?? productionData()), ...resources] });
}
const destruction = (resources: StackResourceSpec[], o: StackOptions = {}): Finding[] => iamNoProdDbDestruction.check(view(resources, o), {}, o.settings ?? SETTINGS);
const scoped = (resources: StackResourceSpec[], o: StackOptions = {}): Finding[] => iamRestoreRoleScoped.check(view(resources, o), {}, o.settings ?? SETTINGS);
const trust = (resources: StackResourceSpec[], o: StackOptions = {}): Finding[] => iamRestoreRoleTrust.check(view(resources, o), {}, o.settings ?? SETTINGS);
const violations = (fs: Finding[]) => fs.filter((f) => !f.deferred);
/** Who a rule reports, deferred findings marked. */
const names = (fs: Finding[]) => fs.map((f) => `${f.deferred ? "deferred " : ""}${f.name}`);
/** The problem part of a message (before "Why it matters"). */
const problem = (f: Finding) => f.message.split(". Why it matters")[0];

const MFA = { Bool: { "aws:MultiFactorAuthPresent": "true" } };
const trustPolicy = (statement: Record<string, unknown>) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", ...statement }] });
const BREAK_GLASS = { [BREAK_GLASS_TAG.key]: BREAK_GLASS_TAG.value };
/** A restore role's permission, well scoped by request tag: only the trust policy is under test. */
const RESTORE = allow("rds:RestoreDBInstanceFromDBSnapshot", "*", { Condition: { StringEquals: { "aws:RequestTag/environment": "restore" } } });
const restoreWhen = (condition: Record<string, unknown>) => allow("rds:RestoreDBInstanceFromDBSnapshot", "*", { Condition: condition });
const ORDERS_DELETE = "rds:DeleteDBInstance on arn:aws:rds:us-east-1:111111111111:db:orders";
/** Allows everything on databases not tagged production, under either production key (a common "deny-list" policy). */
const NOT_PRODUCTION_TAGGED = { StringNotEqualsIgnoreCase: { "aws:ResourceTag/environment": ["prod", "production"], "aws:ResourceTag/env": ["prod", "production"] } };

describe("IAM rules, adversarial: fail-open cases found by review (fixed; each failed before its fix)", () => {
  // --- Bug 1 (fixed): the stack's own production databases were probed with invented tags, never their real ones.
  it("no-prod-db-destruction: rds:* on resources tagged owner=payments can delete the production database tagged environment=production, owner=payments", () => {
    const data = [prodRds("orders", { tags: { environment: "production", owner: "payments" } })];
    const fs = destruction(role("payments-app", allow("rds:*", "*", { Condition: { StringEquals: { "aws:ResourceTag/owner": "payments" } } })), { data });
    expect(names(fs)).toEqual(["payments-app"]);
    expect(fs[0].message).toContain(ORDERS_DELETE);
  });

  it("no-prod-db-destruction: the same hole when production comes from the provider's defaultTags", () => {
    const providers = { [DEFAULT_PROVIDER]: { ...DEFAULT_PROVIDER_PROPS, defaultTags: { tags: { Environment: "Production", team: "payments" } } } };
    const data = [prodRds("orders", { tags: {} })];
    const fs = destruction(role("payments-app", allow("rds:*", "*", { Condition: { StringEquals: { "aws:ResourceTag/team": "payments" } } })), { data, providers });
    expect(names(fs)).toEqual(["payments-app"]);
    expect(fs[0].message).toContain(ORDERS_DELETE);
  });

  it("no-prod-db-destruction: the same hole when production comes from the stack name", () => {
    const data = [prodRds("orders", { tags: { team: "payments" } })];
    const fs = destruction(role("payments-app", allow("rds:*", "*", { Condition: { StringEquals: { "aws:ResourceTag/team": "payments" } } })), { data, stack: "prod" });
    expect(names(fs)).toEqual(["payments-app"]);
    expect(fs[0].message).toContain(ORDERS_DELETE);
  });

  it('no-prod-db-destruction: a Deny covering every probed spelling misses the stack\'s own value "Production " (the pack trims it; IAM does not)', () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Sid: "TaggedOnly", Effect: "Allow", Action: "rds:*", Resource: "*", Condition: { StringLike: { "aws:ResourceTag/environment": "*" } } },
        { Sid: "NotProd", Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { StringEqualsIgnoreCase: { "aws:ResourceTag/environment": ["prod", "production"] } } },
        { Sid: "NotProdEnv", Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { StringEqualsIgnoreCase: { "aws:ResourceTag/env": ["prod", "production"] } } },
      ],
    };
    const fs = destruction(role("dba", policy), { data: [prodRds("orders", { tags: { environment: "Production " } })] });
    expect(names(fs)).toEqual(["dba"]);
    expect(fs[0].message).toContain(ORDERS_DELETE);
    expect(fs[0].message).toContain('granted by statement "TaggedOnly" (#1) of RolePolicy "dba-permissions"');
  });

  // --- Bug 3 (fixed for rds:BacktrackDBCluster; KMS key deletion is open, docs/OPEN-GAPS.md): destructive actions missing from DESTRUCTIVE_ACTIONS.
  it("no-prod-db-destruction: rds:BacktrackDBCluster rewinds a production Aurora cluster in place, and is not probed", () => {
    const data = [{ type: CLUSTER, name: "ledger", props: { clusterIdentifier: "ledger", tags: { environment: "production" }, backtrackWindow: 86400 } }];
    const fs = violations(destruction(role("ops", allow("rds:BacktrackDBCluster")), { data }));
    expect(names(fs)).toEqual(["ops"]);
    expect(fs[0].message).toContain("rds:BacktrackDBCluster on arn:aws:rds:*:111111111111:cluster:* (resource tagged environment=prod)");
  });

  // --- Bug 5 (fixed): the break-glass exemption checked MFA gaps only.
  it("no-prod-db-destruction: a break-glass role is exempted whatever else its trust admits: every AWS principal, another account, a service without MFA", () => {
    const destroy = allow(["rds:DeleteDBInstance", "dynamodb:DeleteTable", "backup:DeleteRecoveryPoint"]);
    const anyoneWithMfa = trustPolicy({ Principal: { AWS: "*" }, Condition: MFA });
    const otherAccount = trustPolicy({ Principal: { AWS: "arn:aws:iam::999999999999:root" }, Condition: MFA });
    const lambdaToo = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: ONCALL }, Action: "sts:AssumeRole", Condition: MFA },
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    };
    expect(names(destruction(role("glass", destroy, { tags: BREAK_GLASS, trust: anyoneWithMfa })))).toEqual(["glass"]);
    expect(names(destruction(role("glass", destroy, { tags: BREAK_GLASS, trust: otherAccount })))).toEqual(["glass"]);
    expect(names(destruction(role("glass", destroy, { tags: BREAK_GLASS, trust: lambdaToo })))).toEqual(["glass"]);
  });

  // --- Bug 9 (fixed): a whole-account principal counted as narrowed when a narrowing KEY was present, whatever it admitted.
  it('restore-role-trust: a whole account "narrowed" by a condition that admits everyone (aws:PrincipalArn like *) is an opening', () => {
    const starLike = trustPolicy({ Principal: { AWS: ACCOUNT }, Condition: { ...MFA, StringLike: { "aws:PrincipalArn": "*" } } });
    const accountLike = trustPolicy({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Condition: { ...MFA, ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:*` } } });
    for (const policy of [starLike, accountLike]) {
      const fs = violations(trust(role("restorer", RESTORE, { trust: policy })));
      expect(names(fs)).toEqual(["restorer"]);
      expect(fs[0].message).toContain(`admits every principal of account ${ACCOUNT}`);
    }
    // A condition that names who (one role) still narrows the account.
    const named = trustPolicy({ Principal: { AWS: ACCOUNT }, Condition: { ...MFA, ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/oncall` } } });
    expect(violations(trust(role("restorer", RESTORE, { trust: named }))).map((f) => f.message).filter((m) => m.includes("admits every principal"))).toEqual([]);
  });

  // --- Bug 10 (fixed): service principals of a role that people also assume were never tried without MFA.
  it("restore-role-trust: a restore role people assume with MFA that a service (lambda) may also assume, without MFA, passes", () => {
    const lambdaToo = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: ONCALL }, Action: "sts:AssumeRole", Condition: MFA },
        { Sid: "Automation", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    };
    const fs = violations(trust(role("restorer", RESTORE, { trust: lambdaToo })));
    expect(names(fs)).toEqual(["restorer"]);
    expect(fs[0].message).toContain("lambda.amazonaws.com");
  });
  it("no-prod-db-destruction: kms:ScheduleKeyDeletion / kms:DisableKey on the production database's key (destroys it and every backup) is probed", () => {
    const keyArn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const data = [prodRds("orders", { kmsKeyId: keyArn, storageEncrypted: true })];
    const fs = violations(destruction(role("key-admin", allow(["kms:ScheduleKeyDeletion", "kms:DisableKey"])), { data }));
    expect(names(fs)).toEqual(["key-admin"]);
    expect(fs[0].message).toMatch(/kms:(ScheduleKeyDeletion|DisableKey) on arn:aws:kms:/);
  });
});

describe("IAM rules, adversarial: production spellings and detection", () => {
  it("reads ENV=PROD as production: a Deny on environment alone does not protect it", () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "rds:*", Resource: "*", Condition: { StringLike: { "aws:ResourceTag/ENV": "*" } } },
        { Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { StringEqualsIgnoreCase: { "aws:ResourceTag/environment": ["prod", "production"] } } },
      ],
    };
    const fs = destruction(role("x", policy), { data: [prodRds("orders", { tags: { ENV: "PROD" } })] });
    expect(names(fs)).toEqual(["x"]);
    expect(problem(fs[0])).toMatch(/^IAM role "x": can harm production: rds:DeleteDBInstance on arn:aws:rds:\*:111111111111:db:(\*|orders) \(resource tagged (env|ENV)=(prod|PROD)\)/);
  });

  it('reads environment="Production " as production: the database is probed by name', () => {
    const byName = allow("rds:DeleteDBInstance", `arn:aws:rds:*:${ACCOUNT}:db:orders`, { Condition: NOT_PRODUCTION_TAGGED });
    const fs = destruction(role("x", byName), { data: [prodRds("orders", { tags: { environment: "Production " } })] });
    expect(names(fs)).toEqual(["x"]);
    expect(fs[0].message).toContain(`${ORDERS_DELETE} (resource untagged), granted by statement #1 of RolePolicy "x-permissions"`);
  });

  it("an untagged database is production in a production-named stack, and not in dev", () => {
    const untaggedOnly = allow("rds:DeleteDBInstance", "*", { Condition: { Null: { "aws:ResourceTag/environment": "true", "aws:ResourceTag/env": "true" } } });
    const prod = destruction(role("x", untaggedOnly), { data: [prodRds("orders", { tags: {} })], stack: "prod" });
    expect(names(prod)).toEqual(["x"]);
    expect(prod[0].message).toContain(`${ORDERS_DELETE} (resource untagged)`);
    expect(destruction(role("x", untaggedOnly), { data: [prodRds("orders", { tags: {} })], stack: "dev" })).toEqual([]);
  });
});

describe("IAM rules, adversarial: restore roles", () => {
  it("a restore-* target name is not enough: the request tags must be constrained", () => {
    const rds = (r: string) => `arn:aws:rds:*:${ACCOUNT}:${r}`;
    const fs = scoped(role("r", allow("rds:RestoreDBInstanceFromDBSnapshot", [rds("db:restore-*"), rds("snapshot:*"), rds("og:*"), rds("pg:*"), rds("subgrp:*")])));
    expect(names(fs)).toEqual(["r"]);
    expect(problem(fs[0])).toMatch(/^IAM role "r": may restore \(rds:RestoreDBInstanceFromDBSnapshot\) and it can restore into databases not tagged non-production: rds:RestoreDBInstanceFromDBSnapshot into a new database with no tags, /);
    expect(problem(fs[0])).toMatch(/granted by statement #1 of RolePolicy "r-permissions"$/);
  });

  it("reads request-tag condition keys case-insensitively, both ways", () => {
    const open = scoped(role("r", restoreWhen({ StringLike: { "aws:RequestTag/ENVIRONMENT": "*" } })));
    expect(names(open)).toEqual(["r"]);
    expect(open[0].message).toContain("rds:RestoreDBInstanceFromDBSnapshot into a new database tagged environment=prod, tagged environment=Prod, tagged environment=PROD");
    expect(open[0].message).not.toContain("with no tags");
    expect(scoped(role("r", restoreWhen({ StringEquals: { "aws:RequestTag/Environment": "restore" }, "ForAllValues:StringEquals": { "aws:TagKeys": ["environment"] } })))).toEqual([]);
  });
});

describe("IAM rules, adversarial: restore role trust", () => {
  const restorer = (policy: object | string, extra: { maxSessionDuration?: number | string } = {}) => trust(role("r", RESTORE, { trust: policy, ...extra }));
  const NO_MFA = `it does not require MFA: ${ONCALL} can sts:AssumeRole without MFA (statement #1 of trust policy of role "r")`;

  it('reports "*" even with MFA and an always-true or account condition, and Principal given as the string "*"', () => {
    const opening = 'IAM role "r": may restore (rds:RestoreDBInstanceFromDBSnapshot) but statement #1 of trust policy of role "r" admits every AWS principal ("*")';
    for (const policy of [
      trustPolicy({ Principal: { AWS: "*" }, Condition: { ...MFA, StringLike: { "aws:PrincipalArn": "*" } } }),
      trustPolicy({ Principal: { AWS: "*" }, Condition: { ...MFA, StringEquals: { "aws:PrincipalAccount": ACCOUNT } } }),
      trustPolicy({ Principal: "*", Condition: MFA }),
    ]) {
      expect(restorer(policy).map(problem)).toEqual([opening]);
    }
  });

  it("finds the MFA gap whether the assume action is sts:AssumeRole, sts:*, * or a NotAction", () => {
    for (const actions of [{ Action: "sts:*" }, { Action: "*" }, { Action: undefined, NotAction: "sts:TagSession" }]) {
      const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: ONCALL }, ...actions }] };
      expect(restorer(policy).map(problem)).toEqual([`IAM role "r": may restore (rds:RestoreDBInstanceFromDBSnapshot) but ${NO_MFA}`]);
    }
  });

  it("accepts aws:MultiFactorAuthAge (absent without MFA) and rejects its IfExists form", () => {
    expect(restorer(trustPolicy({ Principal: { AWS: ONCALL }, Condition: { NumericLessThan: { "aws:MultiFactorAuthAge": "900" } } }))).toEqual([]);
    const ifExists = restorer(trustPolicy({ Principal: { AWS: ONCALL }, Condition: { NumericLessThanIfExists: { "aws:MultiFactorAuthAge": "900" } } }));
    expect(ifExists.map(problem)).toEqual([`IAM role "r": may restore (rds:RestoreDBInstanceFromDBSnapshot) but ${NO_MFA}`]);
  });

  it("reads maxSessionDuration given as a string, fails one that is not a number, defers an unknown one", () => {
    const withMfa = trustPolicy({ Principal: { AWS: ONCALL }, Condition: MFA });
    expect(restorer(withMfa, { maxSessionDuration: "43200" }).map(problem)).toEqual(['IAM role "r": may restore (rds:RestoreDBInstanceFromDBSnapshot) but maxSessionDuration is 43200 seconds, above 3600']);
    expect(restorer(withMfa, { maxSessionDuration: "1h" }).map(problem)).toEqual(['IAM role "r": may restore (rds:RestoreDBInstanceFromDBSnapshot) but maxSessionDuration is not a number']);
    const unknown = restorer(withMfa, { maxSessionDuration: UNKNOWN.number });
    expect(names(unknown)).toEqual(["deferred r"]);
  });
});

describe("IAM rules, adversarial: how principals get their permissions", () => {
  const [bareRole] = role("r", undefined);

  it("does not let a permissions boundary vouch for a role (fails closed), nor count the boundary as a grant", () => {
    const bounded = { ...bareRole!, props: { ...bareRole!.props, permissionsBoundary: "arn:aws:iam::aws:policy/ReadOnlyAccess" } };
    const fs = destruction([bounded, { type: ROLE_POLICY, name: "r-p", props: { role: "r", policy: JSON.stringify(allow("rds:*")) } }]);
    expect(names(fs)).toEqual(["r"]);
    expect(fs[0].message).toContain('rds:DeleteDBInstance on arn:aws:rds:*:111111111111:db:* (resource tagged environment=prod), granted by statement #1 of RolePolicy "r-p"');
    expect(destruction([{ ...bareRole!, props: { ...bareRole!.props, permissionsBoundary: "arn:aws:iam::aws:policy/AdministratorAccess" } }])).toEqual([]);
  });

  it("judges a user through a group's managed policy, linked by UserGroupMembership in a preview", () => {
    const fs = destruction([
      { type: USER, name: "alice", props: { name: "alice" } },
      { type: GROUP, name: "dbas", props: { name: "dbas" } },
      { type: GROUP_POLICY_ATTACHMENT, name: "dbas-rds", props: { group: UNKNOWN.string, policyArn: "arn:aws:iam::aws:policy/AmazonRDSFullAccess" }, propertyDependencies: { group: ["dbas"] } },
      { type: USER_GROUP_MEMBERSHIP, name: "alice-groups", props: { user: UNKNOWN.string, groups: [UNKNOWN.string] }, propertyDependencies: { user: ["alice"], groups: ["dbas"] } },
    ]);
    expect(names(fs)).toEqual(["alice", "dbas"]);
    for (const f of fs) expect(f.message).toContain('granted by statement #1 of AWS managed policy "AmazonRDSFullAccess"');
  });

  it("gives a PolicyAttachment's policy to every role it names, in a preview and in an update", () => {
    const fs = destruction([
      ...role("a", undefined),
      ...role("b", undefined),
      ...role("c", undefined),
      { type: POLICY_ATTACHMENT, name: "tables", props: { policyArn: "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess", roles: [UNKNOWN.string, UNKNOWN.string] }, propertyDependencies: { roles: ["a", "b"] } },
      { type: POLICY_ATTACHMENT, name: "backups", props: { policyArn: "arn:aws:iam::aws:policy/AWSBackupFullAccess", roles: ["b", "c"] } },
    ]);
    expect(names(fs)).toEqual(["a", "b", "c"]);
    expect(fs[0].message).toContain('dynamodb:DeleteTable on arn:aws:dynamodb:*:111111111111:table/* (resource tagged environment=prod), granted by statement #1 of AWS managed policy "AmazonDynamoDBFullAccess"');
    expect(fs[2].message).toContain('AWS managed policy "AWSBackupFullAccess"');
    expect(fs[2].message).not.toContain("AmazonDynamoDBFullAccess");
  });

  it("follows a customer managed policy of the stack named in managedPolicyArns by an ARN unknown in a preview", () => {
    const fs = destruction([
      { ...bareRole!, props: { ...bareRole!.props, managedPolicyArns: [UNKNOWN.string] }, propertyDependencies: { managedPolicyArns: ["vault-admin"] } },
      { type: POLICY, name: "vault-admin", props: { name: "vault-admin", policy: JSON.stringify(allow("backup:*")) } },
    ]);
    expect(names(fs)).toEqual(["r"]);
    expect(fs[0].message).toContain('backup:DeleteBackupVault on arn:aws:backup:*:111111111111:backup-vault:* (resource tagged environment=prod), granted by statement #1 of aws:iam/policy:Policy "vault-admin"');
  });

  it("treats a misspelt break-glass tag as an ordinary role, and a correct tag without MFA as a violation", () => {
    const spoofed = destruction(role("g", allow("rds:*"), { tags: { [BREAK_GLASS_TAG.key]: "True" } }));
    expect(names(spoofed)).toEqual(["g"]);
    expect(spoofed[0].message).toMatch(/^IAM role "g": can harm production: rds:DeleteDBInstance/);
    const ifExists = destruction(role("g", allow("rds:*"), { tags: BREAK_GLASS, trust: trustPolicy({ Principal: { AWS: ONCALL }, Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } } }) }));
    expect(ifExists.map(problem)).toEqual([
      `IAM role "g": is tagged ${BREAK_GLASS_TAG.key}=${BREAK_GLASS_TAG.value} (break-glass) but its trust policy does not require MFA: ${ONCALL} can sts:AssumeRole without MFA (statement #1 of trust policy of role "g")`,
    ]);
  });
});
