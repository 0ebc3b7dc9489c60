/**
 * principal-access.ts: exact values where principal-access.test.ts leaves room. A break-glass role
 * whose trust policy is open to a whole account or to everyone; a principal's policy set asked
 * again under another trust; the KMS key targets (ARN parsing, name length limit, keys found by
 * reference or dependency, references that only look like ARNs or aliases, stack views without
 * dependencies); tags of which one is unknown; self-escalation probes (inline policies are no
 * managed policy ARNs, IAM paths); harmfulGrants on `*` probes, invalid action names and several
 * problems at once; and probesFor adding nothing of its own.
 */
import { UNKNOWN } from "../../guard/wire";
import { AWS_MANAGED_POLICIES } from "../../policies/lib/iam/aws-managed-policies";
import { compilePolicies } from "../../policies/lib/iam/evaluate";
import { breakGlassStatus, harmfulGrants, principalPolicySet, probesFor, productionTargets, roleTrust, selfProbesFor } from "../../policies/lib/iam/principal-access";
import { type Probe, type ProductionTarget, productionProbes } from "../../policies/lib/iam/probes";
import { type AttachedPolicy, type StackPrincipal, buildStackIam } from "../../policies/lib/iam/stack-principals";
import type { PlainProps } from "../../policies/lib/properties";
import type { ResourceView, StackView } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { IAM_ROLE, IAM_ROLE_POLICY } from "../../policies/lib/tokens";
import { ACCOUNT, CLUSTER, OTHER_ACCOUNT, RDS, type StackResourceSpec, TABLE, stackView } from "../helpers/stack-view";
import { ONCALL, allow } from "./iam-stacks";

const SETTINGS = DEFAULT_SETTINGS as SharedSettings;
const BG = SETTINGS.breakGlassTag;
const KEY = "aws:kms/key:Key";
const ALIAS = "aws:kms/alias:Alias";
const POLICY = "aws:iam/policy:Policy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const MFA = { Bool: { "aws:MultiFactorAuthPresent": "true" } };
const here = { partition: "aws", region: "us-east-1", account: ACCOUNT };

function onlyRole(props: PlainProps): StackPrincipal {
  return buildStackIam(stackView({ resources: [{ type: IAM_ROLE, name: "bg", props: { name: "bg", ...props } }] })).principals[0]!;
}

describe("breakGlassStatus: a trust policy open beyond named principals", () => {
  const tagged = { [BG.key]: BG.value };
  const status = (principal: unknown) => {
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", Condition: MFA }] };
    const p = onlyRole({ tags: tagged, assumeRolePolicy: JSON.stringify(trust) });
    return breakGlassStatus(p, roleTrust(p), SETTINGS);
  };

  it("does not count MFA from a whole account without a condition naming who", () => {
    expect(status({ AWS: ACCOUNT })).toEqual({
      declared: true,
      mfa: "not-required",
      why: `statement #1 of trust policy of role "bg" admits every principal of account ${ACCOUNT} (${ACCOUNT}) without a condition naming who`,
    });
  });

  it("names every opening, joined by semicolons", () => {
    expect(status({ AWS: ["*", `arn:aws:iam::${ACCOUNT}:root`] })).toEqual({
      declared: true,
      mfa: "not-required",
      why: `statement #1 of trust policy of role "bg" admits every AWS principal ("*"); statement #1 of trust policy of role "bg" admits every principal of account ${ACCOUNT} (arn:aws:iam::${ACCOUNT}:root) without a condition naming who`,
    });
  });

  it("still requires MFA of a named role (no opening)", () => {
    expect(status({ AWS: ONCALL })).toEqual({ declared: true, mfa: "required" });
  });
});

describe("principalPolicySet asked again for the same principal", () => {
  const managed = AWS_MANAGED_POLICIES.find((p) => p.path === "service-role/AWSBackupServiceRolePolicyForRestores")!;
  const view = stackView({ resources: [{ type: IAM_ROLE, name: "holder", props: {} }] }).resources.find((v) => v.name === "holder")!;
  const restores: AttachedPolicy = { label: 'AWS managed policy "AWSBackupServiceRolePolicyForRestores"', source: view, document: { state: "known", document: managed.document }, managed };
  const backupOnly = { kind: "analyzed" as const, serviceOnly: true, services: ["backup.amazonaws.com"], openings: [], mfaGaps: [] };
  const split = (state: ReturnType<typeof principalPolicySet>) => (state.state === "ready" ? [state.accepted.length, state.set.policies.length] : state.state);

  it("answers for the trust it is given, not the one it was first asked with", () => {
    const principal: StackPrincipal = { kind: "role", view, policies: [restores] };
    expect(split(principalPolicySet(principal, backupOnly))).toEqual([1, 0]);
    const judged = principalPolicySet(principal, undefined);
    expect(split(judged)).toEqual([0, 1]);
    // Asked again with the same trust: the same answer (remembered), never nothing.
    expect(principalPolicySet(principal, undefined)).toBe(judged);
    expect(split(principalPolicySet(principal, backupOnly))).toEqual([1, 0]);
    expect(split(principalPolicySet(principal, "unknown"))).toEqual([0, 1]);
  });
});

describe("productionTargets: the KMS keys of production data", () => {
  /** The key targets (those with a role) of a stack of production RDS instances whose identifiers are unknown. */
  const keyTargets = (stack: StackView) => productionTargets(stack, here).filter((t) => t.kind === "kms-key" && t.role !== undefined);
  const encrypted = (name: string, kmsKeyId: unknown, extra: Partial<StackResourceSpec> = {}): StackResourceSpec => ({
    type: RDS,
    name,
    props: { identifier: UNKNOWN.string, kmsKeyId, tags: { environment: "production" } },
    ...extra,
  });
  const role = (name: string) => `the key RDS instance "${name}" is encrypted with`;

  it("reads partition, Region, account and key id from a key ARN, keeping a key id of up to 255 characters", () => {
    const long = "k".repeat(255);
    const stack = stackView({
      resources: [
        encrypted("china", `arn:aws-cn:kms:cn-north-1:${ACCOUNT}:key/abcd-1234`),
        encrypted("no-region", `arn:aws:kms::${OTHER_ACCOUNT}:key/abcd-1234`),
        encrypted("long-arn", `arn:aws:kms:eu-west-1:${OTHER_ACCOUNT}:key/${long}`),
        encrypted("longer-arn", `arn:aws:kms:eu-west-1:${OTHER_ACCOUNT}:key/${long}k`),
        encrypted("long-id", long),
      ],
    });
    expect(keyTargets(stack)).toStrictEqual([
      { kind: "kms-key", name: "abcd-1234", location: { partition: "aws-cn", region: "cn-north-1", account: ACCOUNT }, role: role("china"), anyTags: true },
      { kind: "kms-key", name: "abcd-1234", location: { partition: "aws", region: undefined, account: OTHER_ACCOUNT }, role: role("no-region"), anyTags: true },
      { kind: "kms-key", name: long, location: { partition: "aws", region: "eu-west-1", account: OTHER_ACCOUNT }, role: role("long-arn"), anyTags: true },
      // A key id no name limit allows: any key of that account.
      { kind: "kms-key", name: undefined, location: { partition: "aws", region: "eu-west-1", account: OTHER_ACCOUNT }, role: role("longer-arn"), anyTags: true },
      { kind: "kms-key", name: long, location: here, role: role("long-id"), anyTags: true },
    ]);
  });

  it("takes a reference that is not exactly a key ARN as a key id in the resource's own Region and account", () => {
    const arn = `arn:aws:kms:eu-west-1:${OTHER_ACCOUNT}:key/abcd-1234`;
    const notArns = [`x${arn}`, `arn:aws:kms:eu-west-1:12345:key/abcd-1234`, `${arn}\nabcd`, `arn::kms:eu-west-1:${OTHER_ACCOUNT}:key/abcd-1234`, `arn:aws:kms:eu-west-1:${OTHER_ACCOUNT}:key/`];
    const stack = stackView({ resources: notArns.map((ref, i) => encrypted(`db${i}`, ref)) });
    expect(keyTargets(stack)).toStrictEqual(notArns.map((ref, i) => ({ kind: "kms-key", name: ref, location: here, role: role(`db${i}`), anyTags: true })));
  });

  it("takes an alias ARN for any key, even when the stack creates the alias (an alias is no key)", () => {
    const aliasArn = `arn:aws:kms:us-east-1:${ACCOUNT}:alias/orders`;
    const stack = stackView({
      resources: [
        { type: KEY, name: "k", props: { arn: UNKNOWN.string, keyId: UNKNOWN.string, tags: { team: "db" } } },
        { type: ALIAS, name: "orders-alias", props: { name: "alias/orders", arn: aliasArn, targetKeyId: UNKNOWN.string } },
        encrypted("orders", aliasArn),
      ],
    });
    expect(keyTargets(stack)).toStrictEqual([{ kind: "kms-key", name: undefined, location: here, role: role("orders"), anyTags: true }]);
  });

  it("takes any key when the reference is unknown and the view has no dependencies, or depends on a resource it does not hold", () => {
    const stack = stackView({
      resources: [
        { type: KEY, name: "k", props: { arn: UNKNOWN.string, keyId: "abcd-1234", tags: { team: "db" } } },
        encrypted("no-dependencies", UNKNOWN.string),
        encrypted("elsewhere", UNKNOWN.string),
        encrypted("known", UNKNOWN.string, { propertyDependencies: { kmsKeyId: ["k"] } }),
      ],
    });
    const view = (name: string) => stack.resources.find((v) => v.name === name)! as { -readonly [K in keyof ResourceView]: ResourceView[K] };
    view("no-dependencies").propertyDependencies = undefined;
    view("elsewhere").propertyDependencies = { kmsKeyId: [`urn:pulumi:dev::proj::${KEY}::not-in-this-stack`] };
    expect(keyTargets(stack)).toStrictEqual([
      { kind: "kms-key", name: undefined, location: here, role: role("no-dependencies"), anyTags: true },
      { kind: "kms-key", name: undefined, location: here, role: role("elsewhere"), anyTags: true },
      { kind: "kms-key", name: "abcd-1234", location: here, role: role("known"), tags: { team: "db" } },
    ]);
  });

  it("probes a database and its key with unknown tags when one tag value is unknown", () => {
    const stack = stackView({
      resources: [
        { type: KEY, name: "k", props: { arn: UNKNOWN.string, keyId: "abcd-1234", tags: { team: "db", owner: UNKNOWN.string } } },
        { type: CLUSTER, name: "ledger", props: { clusterIdentifier: "ledger", kmsKeyId: "abcd-1234", tags: { environment: "production", owner: UNKNOWN.string } } },
        { type: TABLE, name: "carts", props: { name: "carts", tags: { environment: "production", owner: "payments" } } },
      ],
    });
    expect(productionTargets(stack, here).slice(5)).toStrictEqual([
      { kind: "kms-key", name: "abcd-1234", location: here, role: 'the key Aurora/RDS cluster "ledger" is encrypted with', anyTags: true },
      { kind: "rds-cluster", name: "ledger", location: here },
      { kind: "dynamodb-table", name: "carts", location: here },
      { kind: "dynamodb-table", name: "carts", location: here, tags: { environment: "production", owner: "payments" } },
    ]);
  });
});

describe("selfProbesFor: which policies and names", () => {
  const probedResources = (resources: StackResourceSpec[]) => [...new Set(selfProbesFor(buildStackIam(stackView({ resources })).principals[0]!).map((p) => p.resource))];

  it("probes the customer managed policies attached to the principal, not its inline policies", () => {
    expect(
      probedResources([
        { type: IAM_ROLE, name: "app", props: { name: "app" } },
        { type: IAM_ROLE_POLICY, name: "inline", props: { name: "inline", role: "app", policy: JSON.stringify(allow("s3:GetObject")) } },
        { type: POLICY, name: "extra", props: { name: "extra", policy: JSON.stringify(allow("s3:GetObject")) } },
        { type: ATTACHMENT, name: "a", props: { role: "app", policyArn: UNKNOWN.string }, propertyDependencies: { policyArn: ["extra"] } },
      ]),
    ).toEqual([`arn:aws:iam::${ACCOUNT}:role/app`, `arn:aws:iam::${ACCOUNT}:policy/extra`]);
  });

  it("drops only the path's leading slash: the root path names the role alone, and inner slashes stay", () => {
    const roleArn = (path: string) => probedResources([{ type: IAM_ROLE, name: "app", props: { name: "app", path } }])[0];
    expect(roleArn("/")).toBe(`arn:aws:iam::${ACCOUNT}:role/app`);
    expect(roleArn("/team/db/")).toBe(`arn:aws:iam::${ACCOUNT}:role/team/db/app`);
    expect(roleArn("team/")).toBe(`arn:aws:iam::${ACCOUNT}:role/team/app`);
  });
});

describe("harmfulGrants: details", () => {
  const DELETE = "rds:DeleteDBInstance";
  const probe = (action: string, resource: string, description = `${action} on ${resource}`): Probe => ({ action, resource, context: {}, harm: "delete", description });
  const set = (...statements: object[]) => compilePolicies([{ name: 'RolePolicy "p"', document: { Version: "2012-10-17", Statement: statements } }]);

  it('lets a probe on "*" stand for the other probes of its action and context when the statements look at no resource', () => {
    const any = probe(DELETE, "*");
    const orders = probe(DELETE, `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`);
    const grants = harmfulGrants(set({ Effect: "Allow", Action: DELETE, Resource: "*" }), [any, orders]);
    expect(grants.map((g) => g.probe)).toEqual([any]);
  });

  it("refuses action names the evaluator refuses, even when no Allow names them", () => {
    const onlyReads = set({ Effect: "Allow", Action: "rds:Describe*", Resource: "*" });
    for (const action of [" rds:DeleteDBInstance", "rds:DeleteDBInstance ", "*:DeleteDBInstance", "rds:***", "rds:", ":DeleteDBInstance"]) {
      expect(() => harmfulGrants(onlyReads, [probe(action, "*", "bad action")])).toThrow(`cannot verify bad action: "${action}" is not an action name of the form service:Action`);
    }
  });

  it("names every problem of a policy set it cannot verify", () => {
    const broken = compilePolicies([
      { name: "one", document: 42 },
      { name: "two", document: "[]" },
    ]);
    expect(broken.problems).toHaveLength(2);
    expect(() => harmfulGrants(broken, [probe(DELETE, "*", "the probe")])).toThrow(`cannot verify the probe: ${broken.problems[0]!.message}; ${broken.problems[1]!.message}`);
  });
});

describe("probesFor: exactly the targets' probes", () => {
  it("adds nothing to the probes of a single target", () => {
    const settings: SharedSettings = { ...SETTINGS, productionTags: { stage: ["live"] } };
    const target: ProductionTarget = { kind: "dynamodb-table", name: "carts", location: here };
    expect(probesFor([target], settings)).toEqual(productionProbes(target, settings.productionTags));
  });
});

