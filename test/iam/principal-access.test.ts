/**
 * principal-access.ts in process: trust, break-glass status, policy sets of principals built by
 * stack-principals.ts, locations and production targets, and the harmful grants of a policy set.
 */
import { mfaTrustPolicy } from "../../components/restore-role";
import { backupServiceTrustPolicy } from "../../components/snapshot-schedule";
import { UNKNOWN } from "../../guard/wire";
import { AWS_MANAGED_POLICIES } from "../../policies/lib/iam/aws-managed-policies";
import { type StatementMatch, compilePolicies } from "../../policies/lib/iam/evaluate";
import {
  type HarmfulGrant,
  breakGlassStatus,
  describeGrants,
  harmfulGrants,
  selfProbesFor,
  locationOf,
  principalPolicySet,
  probesFor,
  productionTargets,
  roleName,
  roleTrust,
} from "../../policies/lib/iam/principal-access";
import type { Probe, ProductionTarget } from "../../policies/lib/iam/probes";
import type { RequestContext } from "../../policies/lib/iam/request-context";
import { type AttachedPolicy, type StackPrincipal, buildStackIam } from "../../policies/lib/iam/stack-principals";
import type { PlainProps } from "../../policies/lib/properties";
import type { ResourceView } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { IAM_ROLE, IAM_ROLE_POLICY, IAM_USER } from "../../policies/lib/tokens";
import { ACCOUNT, CLUSTER, DEFAULT_PROVIDER, OTHER_ACCOUNT, RDS, type StackResourceSpec, TABLE, VAULT, stackView } from "../helpers/stack-view";
import { ONCALL, allow } from "./iam-stacks";

const SETTINGS = DEFAULT_SETTINGS as SharedSettings;
const BG = SETTINGS.breakGlassTag;
const NO_MFA_TRUST = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: ONCALL }, Action: "sts:AssumeRole" }] };

function principals(resources: StackResourceSpec[]): StackPrincipal[] {
  return buildStackIam(stackView({ resources })).principals;
}

function onlyRole(props: PlainProps, extra: StackResourceSpec[] = []): StackPrincipal {
  const p = principals([{ type: IAM_ROLE, name: "ops", props }, ...extra]);
  return p[0];
}

/** A role with one RolePolicy that reads RDS, trusting the on-call role. */
const roleWith = (name: string): StackResourceSpec[] => [
  { type: IAM_ROLE, name, props: { name, assumeRolePolicy: JSON.stringify(NO_MFA_TRUST) } },
  { type: IAM_ROLE_POLICY, name: `${name}-p`, props: { role: name, policy: JSON.stringify(allow("rds:Describe*")) } },
];
const viewOf = (name: string): ResourceView => stackView({ resources: [{ type: IAM_ROLE, name, props: {} }] }).resources.find((v) => v.name === name)!;

function attached(label: string, document: AttachedPolicy["document"], managed?: AttachedPolicy["managed"]): AttachedPolicy {
  return { label, source: viewOf("src"), document, ...(managed ? { managed } : {}) };
}

const managed = (path: string) => AWS_MANAGED_POLICIES.find((p) => p.path === path)!;

describe("roleName and roleTrust", () => {
  it("roleName is the physical name when known, else the logical one", () => {
    expect(roleName(onlyRole({ name: "physical" }).view)).toBe("physical");
    expect(roleName(onlyRole({ name: UNKNOWN.string }).view)).toBe("ops");
    expect(roleName(onlyRole({}).view)).toBe("ops");
  });

  it("users and groups have no trust policy", () => {
    expect(roleTrust(principals([{ type: IAM_USER, name: "alice", props: { name: "alice", assumeRolePolicy: JSON.stringify(NO_MFA_TRUST) } }])[0])).toBeUndefined();
  });

  it("is unknown in a preview that does not know the document, or part of it", () => {
    expect(roleTrust(onlyRole({ assumeRolePolicy: UNKNOWN.string }))).toBe("unknown");
    expect(roleTrust(onlyRole({ assumeRolePolicy: { ...NO_MFA_TRUST, Statement: [{ ...NO_MFA_TRUST.Statement[0], Principal: { AWS: UNKNOWN.string } }] } }))).toBe("unknown");
  });

  it("cannot be verified without a readable document", () => {
    const cannot = { kind: "cannot-verify", problems: ["the role has no assumeRolePolicy"] };
    expect(roleTrust(onlyRole({}))).toEqual(cannot);
    expect(roleTrust(onlyRole({ assumeRolePolicy: null }))).toEqual(cannot);
    const cyclic: Record<string, unknown> = {};
    cyclic.Statement = cyclic;
    // A document the pack cannot read says why, rather than that there is none.
    expect(roleTrust(onlyRole({ assumeRolePolicy: cyclic }))).toEqual({ kind: "cannot-verify", problems: ["assumeRolePolicy contains itself (a reference cycle), so it is not a JSON policy document"] });
  });

  it("analyzes a known document (JSON text or object) under the role's physical name", () => {
    expect(roleTrust(onlyRole({ name: "oncall-admin", assumeRolePolicy: JSON.stringify(mfaTrustPolicy([ONCALL], 900)) }))).toEqual({
      kind: "analyzed",
      serviceOnly: false,
      services: [],
      openings: [],
      mfaGaps: [],
    });
    expect(roleTrust(onlyRole({ name: "oncall-admin", assumeRolePolicy: NO_MFA_TRUST }))).toEqual({
      kind: "analyzed",
      serviceOnly: false,
      services: [],
      openings: [],
      mfaGaps: [`${ONCALL} can sts:AssumeRole without MFA (statement #1 of trust policy of role "oncall-admin")`],
    });
    expect(roleTrust(onlyRole({ assumeRolePolicy: backupServiceTrustPolicy() }))).toMatchObject({ kind: "analyzed", serviceOnly: true, services: ["backup.amazonaws.com"] });
  });
});

describe("principalPolicySet", () => {
  const holder = (...policies: AttachedPolicy[]): StackPrincipal => ({ kind: "role", view: viewOf("holder"), policies });
  const readable = attached('RolePolicy "read"', { state: "known", document: allow("rds:Describe*") });
  const later = attached('RolePolicy "later"', { state: "unknown", why: "policy is unknown until deployment" });
  const broken = attached('customer managed policy "x"', { state: "unverifiable", why: "x is not defined in this stack" });

  it("defers on any document unknown until deployment, before looking for unreadable ones", () => {
    expect(principalPolicySet(holder(readable, broken, later), undefined)).toEqual({ state: "deferred", unknown: [later] });
  });

  it("fails closed on every unreadable document, naming each", () => {
    const other = attached('RolePolicy "y"', { state: "unverifiable", why: "policy is not set" });
    expect(principalPolicySet(holder(readable, broken, other), undefined)).toEqual({
      state: "unverifiable",
      problems: ['customer managed policy "x": x is not defined in this stack', 'RolePolicy "y": policy is not set'],
    });
  });

  it("fails closed on a document the parser rejects", () => {
    const bad = attached('RolePolicy "bad"', { state: "known", document: 42 });
    expect(principalPolicySet(holder(readable, bad), undefined)).toEqual({ state: "unverifiable", problems: ['RolePolicy "bad": the document must be a JSON object, not number 42'] });
  });

  it("compiles the same documents once, across principals and stacks", () => {
    const stack = () => stackView({ resources: [...roleWith("one"), ...roleWith("two")] });
    const [one, two] = buildStackIam(stack()).principals;
    const [again] = buildStackIam(stack()).principals;
    const compiled = (p: StackPrincipal | undefined) => {
      const state = principalPolicySet(p!, roleTrust(p!));
      return state.state === "ready" ? state.set : undefined;
    };
    expect(compiled(one)).toBeDefined();
    // Same labels and documents: the same compiled set; another role's policy has another label.
    expect(compiled(again)).toBe(compiled(one));
    expect(compiled(two)).not.toBe(compiled(one));
    expect(roleTrust(again!)).toBe(roleTrust(one!));
  });

  it("compiles the readable documents under their labels", () => {
    const result = principalPolicySet(holder(readable, attached('RolePolicy "two"', { state: "known", document: JSON.stringify(allow("dynamodb:GetItem")) })), undefined);
    if (result.state !== "ready") throw new Error(result.state);
    expect(result.accepted).toEqual([]);
    expect(result.set.problems).toEqual([]);
    expect(result.set.policies.map((p) => p.name)).toEqual(['RolePolicy "read"', 'RolePolicy "two"']);
  });

  it("sets an AWS Backup service-role policy aside only on a role that AWS Backup alone can assume", () => {
    const p = principals([
      { type: IAM_ROLE, name: "backup", props: { name: "backup", assumeRolePolicy: JSON.stringify(backupServiceTrustPolicy()), managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores", "arn:aws:iam::aws:policy/AmazonRDSFullAccess"] } },
    ])[0];
    const result = principalPolicySet(p, roleTrust(p));
    if (result.state !== "ready") throw new Error(result.state);
    expect(result.accepted.map((a) => a.label)).toEqual(['AWS managed policy "AWSBackupServiceRolePolicyForRestores"']);
    expect(result.set.policies.map((x) => x.name)).toEqual(['AWS managed policy "AmazonRDSFullAccess"']);
  });

  it("judges a service-role policy on a role people can assume, or whose trust is unknown or shared with another service", () => {
    const restores = attached('AWS managed policy "AWSBackupServiceRolePolicyForRestores"', { state: "known", document: managed("service-role/AWSBackupServiceRolePolicyForRestores").document }, managed("service-role/AWSBackupServiceRolePolicyForRestores"));
    const judged = (trust: Parameters<typeof principalPolicySet>[1]) => {
      const result = principalPolicySet(holder(restores), trust);
      if (result.state !== "ready") throw new Error(result.state);
      return [result.accepted.length, result.set.policies.length];
    };
    expect(judged({ kind: "analyzed", serviceOnly: true, services: ["backup.amazonaws.com"], openings: [], mfaGaps: [] })).toEqual([1, 0]);
    expect(judged({ kind: "analyzed", serviceOnly: true, services: ["backup.amazonaws.com", "ec2.amazonaws.com"], openings: [], mfaGaps: [] })).toEqual([0, 1]);
    expect(judged({ kind: "analyzed", serviceOnly: false, services: ["backup.amazonaws.com"], openings: [], mfaGaps: [] })).toEqual([0, 1]);
    expect(judged({ kind: "cannot-verify", problems: ["x"] })).toEqual([0, 1]);
    expect(judged("unknown")).toEqual([0, 1]);
    expect(judged(undefined)).toEqual([0, 1]);
    // A managed policy accepted for no service is judged even on a service-only role.
    const rds = attached('AWS managed policy "AmazonRDSFullAccess"', { state: "known", document: managed("AmazonRDSFullAccess").document }, managed("AmazonRDSFullAccess"));
    const result = principalPolicySet(holder(rds), { kind: "analyzed", serviceOnly: true, services: ["backup.amazonaws.com"], openings: [], mfaGaps: [] });
    expect(result.state === "ready" && [result.accepted.length, result.set.policies.length]).toEqual([0, 1]);
  });
});

describe("breakGlassStatus", () => {
  const tagged = { [BG.key]: BG.value };
  const status = (props: PlainProps, trust?: Parameters<typeof breakGlassStatus>[1], settings: SharedSettings = SETTINGS) => {
    const p = onlyRole(props);
    return breakGlassStatus(p, trust === undefined ? roleTrust(p) : trust, settings);
  };

  it("is not declared for users, untagged roles, other tag values or unknown tags", () => {
    const user = principals([{ type: IAM_USER, name: "alice", props: { tags: tagged } }])[0];
    expect(breakGlassStatus(user, undefined, SETTINGS)).toEqual({ declared: false });
    expect(status({ assumeRolePolicy: JSON.stringify(mfaTrustPolicy([ONCALL], 900)) })).toEqual({ declared: false });
    expect(status({ tags: { [BG.key]: "false" }, assumeRolePolicy: JSON.stringify(mfaTrustPolicy([ONCALL], 900)) })).toEqual({ declared: false });
    expect(status({ tags: UNKNOWN.object, assumeRolePolicy: JSON.stringify(mfaTrustPolicy([ONCALL], 900)) })).toEqual({ declared: false });
  });

  it("requires MFA when the trust policy demands it of everyone", () => {
    expect(status({ tags: tagged, assumeRolePolicy: JSON.stringify(mfaTrustPolicy([ONCALL], 900)) })).toEqual({ declared: true, mfa: "required" });
  });

  it("reads the tag the settings name", () => {
    const settings: SharedSettings = { ...SETTINGS, breakGlassTag: { key: "emergency", value: "yes" } };
    expect(status({ tags: { emergency: "yes" }, assumeRolePolicy: JSON.stringify(mfaTrustPolicy([ONCALL], 900)) }, undefined, settings)).toEqual({ declared: true, mfa: "required" });
    expect(status({ tags: tagged, assumeRolePolicy: JSON.stringify(mfaTrustPolicy([ONCALL], 900)) }, undefined, settings)).toEqual({ declared: false });
  });

  it("is unknown while the trust policy is", () => {
    expect(status({ tags: tagged, assumeRolePolicy: UNKNOWN.string })).toEqual({ declared: true, mfa: "unknown" });
    const p = onlyRole({ tags: tagged });
    expect(breakGlassStatus(p, undefined, SETTINGS)).toEqual({ declared: true, mfa: "unknown" });
  });

  it("does not require MFA with an unreadable trust policy, gaps, or a service principal", () => {
    expect(status({ tags: tagged })).toEqual({ declared: true, mfa: "not-required", why: "its trust policy cannot be verified (the role has no assumeRolePolicy)" });
    expect(status({ tags: tagged }, { kind: "cannot-verify", problems: ["a", "b"] })).toEqual({ declared: true, mfa: "not-required", why: "its trust policy cannot be verified (a; b)" });
    expect(status({ tags: tagged }, { kind: "analyzed", serviceOnly: false, services: [], openings: [], mfaGaps: ["gap one", "gap two"] })).toEqual({
      declared: true,
      mfa: "not-required",
      why: "gap one; gap two",
    });
    expect(status({ tags: tagged, assumeRolePolicy: JSON.stringify(backupServiceTrustPolicy()) })).toEqual({
      declared: true,
      mfa: "not-required",
      why: "only an AWS service can assume it, which cannot use MFA",
    });
  });
});

describe("locationOf", () => {
  const located = (providerProps: PlainProps | undefined): ReturnType<typeof locationOf> => {
    const spec = stackView({ providers: providerProps ? { p: providerProps } : {}, resources: [{ type: IAM_ROLE, name: "r", props: {}, ...(providerProps ? { provider: "p" } : {}) }] });
    return locationOf(spec.resources.find((v) => v.name === "r")!);
  };

  it.each([
    ["us-east-1", "aws"],
    ["cn-north-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
    ["us-iso-east-1", "aws-iso"],
    ["us-isob-east-1", "aws-iso-b"],
    ["eu-west-1", "aws"],
  ])("takes the partition of Region %s (%s)", (region, partition) => {
    expect(located({ region })).toEqual({ partition, region, account: undefined });
  });

  it("pins the account only when the provider allows exactly one", () => {
    expect(located({ region: "us-east-1", allowedAccountIds: [ACCOUNT] })).toEqual({ partition: "aws", region: "us-east-1", account: ACCOUNT });
    expect(located({ region: "us-east-1", allowedAccountIds: JSON.stringify([ACCOUNT]) })).toEqual({ partition: "aws", region: "us-east-1", account: ACCOUNT });
    expect(located({ region: "us-east-1", allowedAccountIds: [ACCOUNT, OTHER_ACCOUNT] })).toEqual({ partition: "aws", region: "us-east-1", account: undefined });
    expect(located({ region: "us-east-1", allowedAccountIds: [UNKNOWN.string] })).toEqual({ partition: "aws", region: "us-east-1", account: undefined });
    expect(located({ region: UNKNOWN.string, allowedAccountIds: [] })).toEqual({ partition: undefined, region: undefined, account: undefined });
  });

  it("knows nothing of a resource without a provider", () => {
    const view: ResourceView = { ...viewOf("bare"), provider: undefined };
    expect(locationOf(view)).toEqual({ partition: undefined, region: undefined, account: undefined });
  });
});

describe("productionTargets", () => {
  const here = { partition: "aws", region: "us-east-1", account: ACCOUNT };
  // Production found by tag may be in any Region of the account: the unnamed probes leave it open.
  const unnamed = (location: { partition?: string; account?: string }) =>
    (["rds-instance", "rds-cluster", "dynamodb-table", "backup-vault", "kms-key"] as const).map((kind) => ({ kind, location: { partition: location.partition, account: location.account } }));

  it("probes every kind unnamed, then each production database and vault of the stack by name, and with its tags when all are known", () => {
    const stack = stackView({
      providers: { west: { region: "eu-west-1", allowedAccountIds: [OTHER_ACCOUNT] }, odd: { region: "x".repeat(256) }, edge: { region: "y".repeat(255) } },
      resources: [
        { type: RDS, name: "orders", props: { identifier: "orders", tags: { environment: "production" } } },
        { type: RDS, name: "scratch", props: { identifier: "scratch", tags: { environment: "staging" } } },
        { type: RDS, name: "untagged", props: { identifier: "untagged" } },
        { type: RDS, name: "later", props: { identifier: UNKNOWN.string, tags: { environment: "production" } } },
        { type: RDS, name: "tags-later", props: { identifier: "tags-later", tags: UNKNOWN.object } },
        { type: CLUSTER, name: "aurora", props: { clusterIdentifier: "aurora", tags: { env: "prod" } }, provider: "west" },
        { type: TABLE, name: "carts", props: { name: "carts", tags: { environment: "production" } }, provider: "odd" },
        { type: VAULT, name: "vault", props: { name: "prod-vault", tags: { environment: "production" } } },
        { type: TABLE, name: "long", props: { name: "t".repeat(256), tags: { environment: "production" } } },
        { type: TABLE, name: "longest", props: { name: "t".repeat(255), tags: { environment: "production" } } },
        { type: IAM_ROLE, name: "role", props: { name: "orders", tags: { environment: "production" } } },
        { type: VAULT, name: "edge-vault", props: { name: "edge-vault", tags: { environment: "production" } }, provider: "edge" },
      ],
    });
    const targets = productionTargets(stack, here);
    expect(targets).toEqual([
      ...unnamed(here),
      { kind: "rds-instance", name: "orders", location: here },
      { kind: "rds-instance", name: "orders", location: here, tags: { environment: "production" } },
      // Its tags are unknown until deployment: probed by every production tag spelling only.
      { kind: "rds-instance", name: "tags-later", location: here },
      { kind: "rds-cluster", name: "aurora", location: { partition: "aws", region: "eu-west-1", account: OTHER_ACCOUNT } },
      { kind: "rds-cluster", name: "aurora", location: { partition: "aws", region: "eu-west-1", account: OTHER_ACCOUNT }, tags: { env: "prod" } },
      { kind: "dynamodb-table", name: "carts", location: { partition: "aws", region: "us-east-1", account: ACCOUNT } },
      { kind: "dynamodb-table", name: "carts", location: { partition: "aws", region: "us-east-1", account: ACCOUNT }, tags: { environment: "production" } },
      { kind: "backup-vault", name: "prod-vault", location: here },
      { kind: "backup-vault", name: "prod-vault", location: here, tags: { environment: "production" } },
      { kind: "dynamodb-table", name: "t".repeat(255), location: here },
      { kind: "dynamodb-table", name: "t".repeat(255), location: here, tags: { environment: "production" } },
      { kind: "backup-vault", name: "edge-vault", location: { partition: "aws", region: "y".repeat(255), account: ACCOUNT } },
      { kind: "backup-vault", name: "edge-vault", location: { partition: "aws", region: "y".repeat(255), account: ACCOUNT }, tags: { environment: "production" } },
    ]);
  });

  it("fills what a resource's provider leaves out from the principal's location", () => {
    const stack = stackView({
      providers: { [DEFAULT_PROVIDER]: {} },
      resources: [{ type: RDS, name: "orders", props: { identifier: "orders", tags: { environment: "production" } } }],
    });
    const tags = { environment: "production" };
    expect(productionTargets(stack, here).slice(5)).toEqual([
      { kind: "rds-instance", name: "orders", location: here },
      { kind: "rds-instance", name: "orders", location: here, tags },
    ]);
    const nowhere = { partition: undefined, region: undefined, account: undefined };
    expect(productionTargets(stack, {}).slice(5)).toEqual([
      { kind: "rds-instance", name: "orders", location: nowhere },
      { kind: "rds-instance", name: "orders", location: nowhere, tags },
    ]);
  });

  it("adds the customer managed KMS key each production database, table and vault is encrypted with", () => {
    const KEY = "aws:kms/key:Key";
    const keyArn = `arn:aws:kms:eu-west-1:${OTHER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const stack = stackView({
      resources: [
        // A key of the stack, created in this deployment (its ARN and id unknown in a preview).
        { type: KEY, name: "db-key", props: { arn: UNKNOWN.string, keyId: UNKNOWN.string, tags: { team: "payments" } } },
        { type: KEY, name: "known-key", props: { arn: keyArn, keyId: "1234abcd-12ab-34cd-56ef-1234567890ab", tags: { purpose: "vault" } } },
        { type: RDS, name: "orders", props: { identifier: UNKNOWN.string, kmsKeyId: UNKNOWN.string, tags: { environment: "production" } }, propertyDependencies: { kmsKeyId: ["db-key"] } },
        { type: CLUSTER, name: "ledger", props: { clusterIdentifier: UNKNOWN.string, kmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/ledger`, tags: { environment: "production" } } },
        { type: TABLE, name: "carts", props: { name: UNKNOWN.string, serverSideEncryption: { enabled: true, kmsKeyArn: "0000-bare-id" }, tags: { environment: "production" } } },
        { type: VAULT, name: "vault", props: { name: UNKNOWN.string, kmsKeyArn: keyArn, tags: { environment: "production" } } },
        // Unknown, with no key of the stack behind it: any key.
        { type: RDS, name: "elsewhere", props: { identifier: UNKNOWN.string, kmsKeyId: UNKNOWN.string, tags: { environment: "production" } } },
        // AWS managed keys (no kmsKeyId) and non-production databases add nothing.
        { type: RDS, name: "managed", props: { identifier: UNKNOWN.string, storageEncrypted: true, tags: { environment: "production" } } },
        { type: RDS, name: "scratch", props: { identifier: UNKNOWN.string, kmsKeyId: keyArn, tags: { environment: "staging" } } },
      ],
    });
    expect(productionTargets(stack, here).slice(5)).toEqual([
      { kind: "kms-key", name: undefined, location: here, role: 'the key RDS instance "orders" is encrypted with', tags: { team: "payments" } },
      { kind: "kms-key", name: undefined, location: { partition: "aws", region: "us-east-1", account: ACCOUNT }, role: 'the key Aurora/RDS cluster "ledger" is encrypted with', anyTags: true },
      { kind: "kms-key", name: "0000-bare-id", location: here, role: 'the key DynamoDB table "carts" is encrypted with', anyTags: true },
      { kind: "kms-key", name: "1234abcd-12ab-34cd-56ef-1234567890ab", location: { partition: "aws", region: "eu-west-1", account: OTHER_ACCOUNT }, role: 'the key backup vault "vault" is encrypted with', tags: { purpose: "vault" } },
      { kind: "kms-key", name: undefined, location: here, role: 'the key RDS instance "elsewhere" is encrypted with', anyTags: true },
    ]);
  });

  it("reads a key of the stack by its known key id, ignores dependencies that are not keys, and takes an alias name for any key", () => {
    const KEY = "aws:kms/key:Key";
    const stack = stackView({
      resources: [
        { type: KEY, name: "known-id", props: { arn: UNKNOWN.string, keyId: "abcd-1234", tags: { team: "db" } } },
        { type: "aws:iam/role:Role", name: "not-a-key", props: { name: "x" } },
        { type: RDS, name: "orders", props: { identifier: UNKNOWN.string, kmsKeyId: UNKNOWN.string, tags: { environment: "production" } }, propertyDependencies: { kmsKeyId: ["known-id", "not-a-key"] } },
        { type: RDS, name: "aliased", props: { identifier: UNKNOWN.string, kmsKeyId: "alias/orders", tags: { environment: "production" } } },
        { type: RDS, name: "odd", props: { identifier: UNKNOWN.string, kmsKeyId: "key-alias/orders", tags: { environment: "production" } } },
        // Depends only on something that is no key: any key, tags unknown.
        { type: RDS, name: "other-deps", props: { identifier: UNKNOWN.string, kmsKeyId: UNKNOWN.string, tags: { environment: "production" } }, propertyDependencies: { kmsKeyId: ["not-a-key"] } },
        // A table's key hides in serverSideEncryption; its dependencies are under that property.
        { type: TABLE, name: "carts", props: { name: UNKNOWN.string, serverSideEncryption: { enabled: true, kmsKeyArn: UNKNOWN.string }, tags: { environment: "production" } }, propertyDependencies: { serverSideEncryption: ["known-id"] } },
        // The key of a stack view without propertyDependencies at all.
        { type: VAULT, name: "vault", props: { name: UNKNOWN.string, kmsKeyArn: "k".repeat(256), tags: { environment: "production" } } },
      ],
    });
    const keys = productionTargets(stack, here).filter((t) => t.kind === "kms-key" && t.role !== undefined);
    expect(keys.map((t) => [t.role, t.name, t.tags ?? (t.anyTags ? "any tags" : "production tags")])).toEqual([
      ['the key RDS instance "orders" is encrypted with', "abcd-1234", { team: "db" }],
      ['the key RDS instance "aliased" is encrypted with', undefined, "any tags"],
      ['the key RDS instance "odd" is encrypted with', "key-alias/orders", "any tags"],
      ['the key RDS instance "other-deps" is encrypted with', undefined, "any tags"],
      ['the key DynamoDB table "carts" is encrypted with', "abcd-1234", { team: "db" }],
      // Longer than any name AWS allows: probed as any key.
      ['the key backup vault "vault" is encrypted with', undefined, "any tags"],
    ]);
  });

  it("finds a stack key by its ARN or key id, whichever the reference gives", () => {
    const KEY = "aws:kms/key:Key";
    const arn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/abcd-1234`;
    const stack = stackView({
      resources: [
        { type: KEY, name: "k", props: { arn, keyId: "abcd-1234", tags: { team: "db" } } },
        { type: KEY, name: "later", props: { arn: UNKNOWN.string, keyId: UNKNOWN.string, tags: { team: "other" } } },
        { type: RDS, name: "by-arn", props: { identifier: UNKNOWN.string, kmsKeyId: arn, tags: { environment: "production" } } },
        { type: RDS, name: "by-id", props: { identifier: UNKNOWN.string, kmsKeyId: "abcd-1234", tags: { environment: "production" } } },
      ],
    });
    const keys = productionTargets(stack, here).filter((t) => t.kind === "kms-key" && t.role !== undefined);
    expect(keys.map((t) => t.tags)).toEqual([{ team: "db" }, { team: "db" }]);
  });

  it("scans a stack once per location", () => {
    const stack = stackView({ resources: [{ type: RDS, name: "orders", props: { identifier: "orders", tags: { environment: "production" } } }] });
    const first = productionTargets(stack, here);
    expect(productionTargets(stack, { ...here })).toBe(first);
    const elsewhere = productionTargets(stack, { ...here, region: "eu-west-1" });
    expect(elsewhere).not.toBe(first);
    expect(elsewhere[0]).toEqual({ kind: "rds-instance", location: { partition: here.partition, account: here.account } });
    expect(productionTargets(stack, { region: "us-east-1" })).not.toBe(first);
    expect(productionTargets(stack, { ...here, account: OTHER_ACCOUNT })).not.toBe(first);
    expect(productionTargets(stack, { ...here, partition: "aws-cn" })).not.toBe(first);
  });
});

describe("probesFor", () => {
  const target = (name: string): ProductionTarget => ({ kind: "backup-vault", name, location: { partition: "aws", region: "us-east-1", account: ACCOUNT } });

  it("probes each target once, without repeating a probe two targets share", () => {
    const one = probesFor([target("v")], SETTINGS);
    expect(one.length).toBeGreaterThan(0);
    expect(new Set(one.map((p) => p.description)).size).toBe(one.length);
    expect(probesFor([target("v"), target("v")], SETTINGS).map((p) => p.description)).toEqual(one.map((p) => p.description));
    expect(one.some((p) => p.description === "backup:DeleteBackupVault on arn:aws:backup:us-east-1:111111111111:backup-vault:v (resource tagged environment=prod)")).toBe(true);
  });

  it("reuses the probes of the same targets and production tags, and recomputes for other tags", () => {
    const targets = [target("w")];
    const first = probesFor(targets, SETTINGS);
    expect(probesFor(targets, SETTINGS)).toBe(first);
    expect(probesFor([target("w")], { ...SETTINGS })).toBe(first);
    const other = probesFor(targets, { ...SETTINGS, productionTags: { stage: ["live"] } });
    expect(other).not.toBe(first);
    expect(other.map((p) => p.description)).toContain("backup:DeleteBackupVault on arn:aws:backup:us-east-1:111111111111:backup-vault:w (resource tagged stage=live)");
    expect(other.map((p) => p.description)).not.toContain("backup:DeleteBackupVault on arn:aws:backup:us-east-1:111111111111:backup-vault:w (resource tagged environment=prod)");
    expect(probesFor(targets, SETTINGS)).toBe(first);
  });

  it("keeps at most 51 probe lists in memory", () => {
    let fresh!: typeof import("../../policies/lib/iam/principal-access");
    jest.isolateModules(() => {
      fresh = require("../../policies/lib/iam/principal-access");
    });
    const settings: SharedSettings = { ...SETTINGS, productionTags: { e: ["p"] } };
    const probe = (i: number) => fresh.probesFor([{ kind: "backup-vault", name: `v${i}` }], settings);
    const first = probe(0);
    for (let i = 1; i <= 50; i++) probe(i);
    expect(probe(0)).toBe(first);
    probe(51);
    const again = probe(0);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});

describe("harmfulGrants", () => {
  const DELETE = "rds:DeleteDBInstance";
  const db = (name: string) => `arn:aws:rds:us-east-1:${ACCOUNT}:db:${name}`;
  const probe = (action: string, resource: string, context: RequestContext = {}, description = `${action} on ${resource}${context.values ? ` ${JSON.stringify(context.values)}` : ""}`): Probe => ({
    action,
    resource,
    context,
    harm: "delete",
    description,
  });
  const prodTagged: RequestContext = { values: { "aws:ResourceTag/environment": "production" } };
  const set = (...statements: object[]) => compilePolicies([{ name: 'RolePolicy "p"', document: { Version: "2012-10-17", Statement: statements } }]);
  const grantsOf = (s: ReturnType<typeof set>, probes: Probe[]) => harmfulGrants(s, probes).map((g) => g.probe.description);

  const a = probe(DELETE, db("a"));
  const b = probe(DELETE, db("b"));
  const bProd = probe(DELETE, db("b"), prodTagged);

  it("finds nothing when no Allow names the action, without evaluating a single probe", () => {
    const bad = probe(DELETE, "db:orders");
    expect(harmfulGrants(set({ Effect: "Allow", Action: "rds:Describe*", Resource: "*" }), [bad])).toEqual([]);
    expect(harmfulGrants(set({ Effect: "Deny", Action: DELETE, Resource: "*" }), [bad])).toEqual([]);
    expect(harmfulGrants(set({ Effect: "Allow", NotAction: "rds:*", Resource: "*" }), [bad])).toEqual([]);
  });

  it("judges one probe per request context when every statement naming the action allows any resource", () => {
    const s = set({ Effect: "Allow", Action: DELETE, Resource: "*" }, { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" });
    const grants = harmfulGrants(s, [a, b, bProd]);
    expect(grants).toEqual([
      { probe: a, allowedBy: [{ policyName: 'RolePolicy "p"', statementIndex: 0, effect: "Allow", applies: "yes", uncertainBecause: [], label: 'statement #1 of RolePolicy "p"' }], uncertain: false, uncertainBecause: undefined },
      { probe: bProd, allowedBy: [{ policyName: 'RolePolicy "p"', statementIndex: 0, effect: "Allow", applies: "yes", uncertainBecause: [], label: 'statement #1 of RolePolicy "p"' }], uncertain: false, uncertainBecause: undefined },
    ]);
    expect(grantsOf(set({ Effect: "Allow", Action: "rds:*", Resource: ["*", "*"] }), [a, b])).toEqual([a.description]);
    expect(grantsOf(set({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }), [a, b])).toEqual([a.description]);
  });

  it("decides each resource once, for every context, when the statements naming the action read only the resource", () => {
    // Allowed on orders only, no Condition: every probe of orders is granted, whatever its context; b never.
    const ordersOnly = set({ Effect: "Allow", Action: DELETE, Resource: db("a") });
    const aProd = probe(DELETE, db("a"), prodTagged);
    expect(grantsOf(ordersOnly, [a, b, aProd, bProd])).toEqual([a.description, aProd.description]);
    // A condition makes each probe count on its own.
    const untaggedOnly = set({ Effect: "Allow", Action: DELETE, Resource: db("a"), Condition: { Null: { "aws:ResourceTag/environment": "true" } } });
    expect(grantsOf(untaggedOnly, [aProd, a])).toEqual([a.description]);
  });

  it("decides every context alike only when no statement naming the action has a Condition", () => {
    // Allow and an unconditioned Deny on any resource: one decision (denied) for every context.
    expect(grantsOf(set({ Effect: "Allow", Action: DELETE, Resource: "*" }, { Effect: "Deny", Action: DELETE, Resource: "*" }), [a, bProd])).toEqual([]);
    // A Deny conditioned on the production tag: the untagged request may pass, the tagged one may not.
    const prodDenied = set({ Effect: "Allow", Action: DELETE, Resource: "*" }, { Effect: "Deny", Action: DELETE, Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/environment": "production" } } });
    expect(grantsOf(prodDenied, [a, bProd])).toEqual([a.description]);
    expect(grantsOf(prodDenied, [bProd, a])).toEqual([a.description]);
    // A condition on a statement for another action leaves this one context-blind.
    const other = set({ Effect: "Allow", Action: DELETE, Resource: "*" }, { Effect: "Deny", Action: "rds:StopDBInstance", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/environment": "production" } } });
    expect(grantsOf(other, [a, b, bProd])).toEqual([a.description, bProd.description]);
  });

  it("treats a trust-style statement without Resource as naming any resource", () => {
    const trustLike = compilePolicies([{ name: "t", kind: "trust", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: DELETE }] } }]);
    expect(trustLike.problems).toEqual([]);
    expect(harmfulGrants(trustLike, [a, b]).map((g) => g.probe)).toEqual([a]);
  });

  it("judges every probe when a statement naming the action looks at the resource", () => {
    expect(grantsOf(set({ Effect: "Allow", Action: DELETE, Resource: db("b") }), [a, b, bProd])).toEqual([b.description, bProd.description]);
    expect(grantsOf(set({ Effect: "Allow", Action: DELETE, Resource: "*" }, { Effect: "Allow", Action: DELETE, NotResource: "*" }), [a, b])).toEqual([a.description, b.description]);
    expect(grantsOf(set({ Effect: "Allow", Action: DELETE, Resource: ["*", db("x")] }), [a, b])).toEqual([a.description, b.description]);
    expect(grantsOf(set({ Effect: "Allow", Action: DELETE, Resource: "*" }, { Effect: "Deny", Action: DELETE, Resource: db("a") }), [a, b])).toEqual([b.description]);
  });

  it("judges probes whose context is not JSON one by one", () => {
    const circular: Record<string, unknown> = { values: {} };
    circular.self = circular;
    const c1 = probe(DELETE, db("c"), circular as RequestContext, "c1");
    const c2 = probe(DELETE, db("d"), circular as RequestContext, "c2");
    expect(grantsOf(set({ Effect: "Allow", Action: DELETE, Resource: "*" }), [a, c1, b, c2])).toEqual([a.description, "c1", "c2"]);
  });

  it("groups probes without a context as one context, and reuses the grouping of a probe list", () => {
    const n1 = { ...probe(DELETE, db("n1"), {}, "n1"), context: undefined } as unknown as Probe;
    const n2 = { ...probe(DELETE, db("n2"), {}, "n2"), context: undefined } as unknown as Probe;
    const probes = [n1, a, n2];
    const anyResource = set({ Effect: "Allow", Action: DELETE, Resource: "*" });
    expect(grantsOf(anyResource, probes)).toEqual(["n1", a.description]);
    expect(grantsOf(set({ Effect: "Allow", Action: DELETE, Resource: db("n2") }), probes)).toEqual(["n2"]);
    expect(grantsOf(anyResource, probes)).toEqual(["n1", a.description]);
  });

  it("reports grants in the order of the probes, across actions", () => {
    const t = probe("dynamodb:DeleteTable", `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/carts`);
    expect(grantsOf(set({ Effect: "Allow", Action: [DELETE, "dynamodb:DeleteTable"], Resource: [db("a"), db("b"), t.resource] }), [a, t, b])).toEqual([a.description, t.description, b.description]);
  });

  it("fails on probes and policy sets the evaluator refuses", () => {
    expect(() => harmfulGrants(set({ Effect: "Allow", Action: DELETE, Resource: "*" }), [a, probe(DELETE, "db:orders", {}, "bad resource")])).toThrow(
      'cannot verify bad resource: "db:orders" is neither "*" nor an ARN',
    );
    expect(() => harmfulGrants(set({ Effect: "Allow", Action: "rds:Describe*", Resource: "*" }), [probe("rds:Delete*", "*", {}, "bad action")])).toThrow(
      'cannot verify bad action: "rds:Delete*" is not an action name of the form service:Action',
    );
    const broken = compilePolicies([{ name: "broken", document: 42 }]);
    expect(() => harmfulGrants(broken, [a])).toThrow(`cannot verify ${a.description}: the document must be a JSON object, not number 42`);
  });

  it("says why a grant is uncertain: an Allow that may apply, or a Deny that may not", () => {
    const tagCondition = { StringEquals: { "aws:ResourceTag/team": "db" } };
    const [maybeAllowed] = harmfulGrants(set({ Sid: "Maybe", Effect: "Allow", Action: DELETE, Resource: "*", Condition: tagCondition }), [a]);
    expect(maybeAllowed.uncertain).toBe(true);
    expect(maybeAllowed.allowedBy.map((m) => [m.applies, m.label])).toEqual([["maybe", 'statement "Maybe" (#1) of RolePolicy "p"']]);
    expect(maybeAllowed.uncertainBecause).toBe(`statement "Maybe" (#1) of RolePolicy "p": ${maybeAllowed.allowedBy[0].uncertainBecause[0]}`);
    expect(maybeAllowed.allowedBy[0].uncertainBecause[0]).toContain("aws:ResourceTag/team");

    const [maybeDenied] = harmfulGrants(
      set({ Sid: "All", Effect: "Allow", Action: DELETE, Resource: "*" }, { Sid: "NotProd", Effect: "Deny", Action: DELETE, Resource: "*", Condition: tagCondition }),
      [a],
    );
    expect(maybeDenied.uncertain).toBe(true);
    expect(maybeDenied.allowedBy.map((m) => m.label)).toEqual(['statement "All" (#1) of RolePolicy "p"']);
    expect(maybeDenied.uncertainBecause).toMatch(/^statement "NotProd" \(#2\) of RolePolicy "p": .*aws:ResourceTag\/team/);

    const [both] = harmfulGrants(
      set(
        { Sid: "MaybeAllow", Effect: "Allow", Action: DELETE, Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/team": "db" } } },
        { Sid: "MaybeDeny", Effect: "Deny", Action: DELETE, Resource: "*", Condition: tagCondition },
      ),
      [a],
    );
    expect(both.uncertain).toBe(true);
    expect(both.uncertainBecause).toMatch(/^statement "MaybeDeny" \(#2\) of RolePolicy "p": .*aws:ResourceTag\/team/);
  });
});

describe("describeGrants", () => {
  const match = (label: string): StatementMatch => ({ policyName: "p", statementIndex: 0, effect: "Allow", applies: "yes", uncertainBecause: [], label });
  const grant = (action: string, description: string, options: { uncertain?: boolean; because?: string; by?: string[] } = {}): HarmfulGrant => ({
    probe: { action, resource: "*", context: {}, harm: "delete", description },
    allowedBy: (options.by ?? ["S1"]).map(match),
    uncertain: options.uncertain ?? false,
    uncertainBecause: options.because,
  });

  it("is empty for no grants", () => {
    expect(describeGrants([])).toBe("");
  });

  it("names each action once, preferring a certain grant, with every statement that grants it", () => {
    expect(
      describeGrants([
        grant("rds:DeleteDBInstance", "delete maybe", { uncertain: true }),
        grant("rds:DeleteDBInstance", "delete surely", { by: ["S1", "S2"] }),
        grant("rds:DeleteDBInstance", "delete again"),
        grant("rds:StopDBInstance", "stop maybe", { uncertain: true, because: "a condition" }),
        grant("rds:StopDBInstance", "stop maybe too", { uncertain: true }),
      ]),
    ).toBe("delete surely, granted by S1 and S2; stop maybe (may be allowed: a condition), granted by S1");
    expect(describeGrants([grant("rds:RebootDBInstance", "reboot", { uncertain: true })])).toBe("reboot (may be allowed, depending on the request), granted by S1");
  });

  it("shows at most `limit` actions (4 by default) and counts the rest", () => {
    const grants = ["A", "B", "C", "D", "E", "F"].map((x) => grant(`rds:${x}`, x));
    expect(describeGrants(grants)).toBe("A, granted by S1; B, granted by S1; C, granted by S1; D, granted by S1; and 2 more actions");
    expect(describeGrants(grants.slice(0, 5))).toBe("A, granted by S1; B, granted by S1; C, granted by S1; D, granted by S1; and 1 more action");
    expect(describeGrants(grants.slice(0, 4))).toBe("A, granted by S1; B, granted by S1; C, granted by S1; D, granted by S1");
    expect(describeGrants(grants, 1)).toBe("A, granted by S1; and 5 more actions");
  });
});

describe("selfProbesFor", () => {
  const resources = (props: PlainProps): StackResourceSpec[] => [
    { type: IAM_ROLE, name: "app", props },
    { type: "aws:iam/policy:Policy", name: "extra", props: { name: "extra", path: "/ops/", policy: JSON.stringify(allow("s3:GetObject")) } },
    // Its ARN (another path) wins over its name: the ARN is what IAM authorizes.
    { type: "aws:iam/policy:Policy", name: "known", props: { name: "renamed", arn: `arn:aws:iam::${ACCOUNT}:policy/team/known`, policy: JSON.stringify(allow("s3:GetObject")) } },
    { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "a1", props: { role: "app", policyArn: UNKNOWN.string }, propertyDependencies: { policyArn: ["extra"] } },
    { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "a2", props: { role: "app", policyArn: `arn:aws:iam::${ACCOUNT}:policy/team/known` } },
  ];
  const probed = (props: PlainProps) => {
    const principal = buildStackIam(stackView({ resources: resources(props) })).principals[0]!;
    const probes = selfProbesFor(principal);
    expect(selfProbesFor(principal)).toBe(probes);
    return [...new Set(probes.map((p) => p.resource))];
  };

  it("names the principal with its path, and each customer managed policy attached to it by ARN or by name and path", () => {
    expect(probed({ name: "app", path: "/team/" })).toEqual([`arn:aws:iam::${ACCOUNT}:role/team/app`, `arn:aws:iam::${ACCOUNT}:policy/ops/extra`, `arn:aws:iam::${ACCOUNT}:policy/team/known`]);
    expect(probed({ name: "app" })[0]).toBe(`arn:aws:iam::${ACCOUNT}:role/app`);
  });

  it("leaves a name or path unknown until deployment, or implausibly long, as *", () => {
    expect(probed({ name: UNKNOWN.string })[0]).toBe(`arn:aws:iam::${ACCOUNT}:role/*`);
    expect(probed({ name: "app", path: UNKNOWN.string })[0]).toBe(`arn:aws:iam::${ACCOUNT}:role/*`);
    expect(probed({ name: "a".repeat(256) })[0]).toBe(`arn:aws:iam::${ACCOUNT}:role/*`);
    expect(probed({ name: "app", path: `/${"p".repeat(511)}/` })[0]).toBe(`arn:aws:iam::${ACCOUNT}:role/*`);
    expect(probed({ name: "app", path: `/${"p".repeat(509)}/` })[0]).toBe(`arn:aws:iam::${ACCOUNT}:role/${"p".repeat(509)}/app`);
    // The longest name and path IAM accepts (a role name is at most 64 characters; the pack allows 255, a path 512).
    expect(probed({ name: "a".repeat(255) })[0]).toBe(`arn:aws:iam::${ACCOUNT}:role/${"a".repeat(255)}`);
    expect(probed({ name: "app", path: `/${"p".repeat(510)}/` })[0]).toBe(`arn:aws:iam::${ACCOUNT}:role/${"p".repeat(510)}/app`);
  });

  it("names an attached policy by its ARN up to 2,048 characters, and by its name beyond", () => {
    const longArn = (n: number) => `arn:aws:iam::${ACCOUNT}:policy/${"x".repeat(n - `arn:aws:iam::${ACCOUNT}:policy/`.length)}`;
    const withPolicyArn = (arn: string) => {
      const principal = buildStackIam(
        stackView({
          resources: [
            { type: IAM_ROLE, name: "app", props: { name: "app" } },
            { type: "aws:iam/policy:Policy", name: "p", props: { name: "by-name", arn, policy: JSON.stringify(allow("s3:GetObject")) } },
            { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "a", props: { role: "app", policyArn: arn } },
          ],
        }),
      ).principals[0]!;
      return selfProbesFor(principal).find((p) => p.action === "iam:CreatePolicyVersion")!.resource;
    };
    expect(withPolicyArn(longArn(2048))).toBe(longArn(2048));
    expect(withPolicyArn(longArn(2049))).toBe(`arn:aws:iam::${ACCOUNT}:policy/by-name`);
  });
});
