/**
 * stack-principals.ts on stack views built in process: which principals a stack declares, which
 * policies reach each of them (and through which link), and the state of every document.
 */
import { Secret } from "@pulumi/policy";
import { UNKNOWN } from "../../guard/wire";
import { AWS_MANAGED_POLICIES } from "../../policies/lib/iam/aws-managed-policies";
import { type AttachedPolicy, type StackIam, buildStackIam, documentValue, principalTags } from "../../policies/lib/iam/stack-principals";
import type { ResourceView } from "../../policies/lib/rule";
import {
  IAM_GROUP,
  IAM_GROUP_MEMBERSHIP,
  IAM_GROUP_POLICY,
  IAM_GROUP_POLICY_ATTACHMENT,
  IAM_POLICY,
  IAM_POLICY_ATTACHMENT,
  IAM_ROLE,
  IAM_ROLE_POLICY,
  IAM_ROLE_POLICY_ATTACHMENT,
  IAM_USER,
  IAM_USER_GROUP_MEMBERSHIP,
  IAM_USER_POLICY,
  IAM_USER_POLICY_ATTACHMENT,
} from "../../policies/lib/tokens";
import { ACCOUNT, type StackResourceSpec, stackView } from "../helpers/stack-view";
import { allow } from "./iam-stacks";

const DOC = allow("rds:DescribeDBInstances");
const DOC_TEXT = JSON.stringify(DOC);
const OTHER = allow("dynamodb:GetItem");
const OTHER_TEXT = JSON.stringify(OTHER);

const known = (document: unknown) => ({ state: "known", document });
const unknown = (why: string) => ({ state: "unknown", why });
const unverifiable = (why: string) => ({ state: "unverifiable", why });

function iam(resources: StackResourceSpec[]): StackIam {
  return buildStackIam(stackView({ resources }));
}

/** Each policy as label, declaring resource and document state. */
function summary(policies: readonly AttachedPolicy[]): Array<{ label: string; source: string; document: unknown }> {
  return policies.map((p) => ({ label: p.label, source: p.source.name, document: p.document }));
}

function policiesOf(s: StackIam, name: string): ReturnType<typeof summary> {
  const found = s.principals.filter((p) => p.view.name === name);
  if (found.length !== 1) throw new Error(`expected one principal named ${name}, found ${found.length}`);
  return summary(found[0].policies);
}

const roleSpec = (name: string, props: Record<string, unknown> = { name }, propertyDependencies?: Record<string, string[]>): StackResourceSpec => ({
  type: IAM_ROLE,
  name,
  props,
  ...(propertyDependencies ? { propertyDependencies } : {}),
});
const userSpec = (name: string, props: Record<string, unknown> = { name }): StackResourceSpec => ({ type: IAM_USER, name, props });
const groupSpec = (name: string, props: Record<string, unknown> = { name }): StackResourceSpec => ({ type: IAM_GROUP, name, props });
const policySpec = (name: string, props: Record<string, unknown> = { name, policy: DOC_TEXT }): StackResourceSpec => ({ type: IAM_POLICY, name, props });

const RDS_FULL = "arn:aws:iam::aws:policy/AmazonRDSFullAccess";
const managedEntry = (path: string) => {
  const found = AWS_MANAGED_POLICIES.find((p) => p.path === path);
  if (!found) throw new Error(path);
  return found;
};

describe("buildStackIam: principals", () => {
  it("finds roles, users and groups in stack order, with their kinds and no policies of their own", () => {
    const s = iam([
      userSpec("alice"),
      { type: "aws:rds/instance:Instance", name: "db", props: { identifier: "db" } },
      roleSpec("ops"),
      groupSpec("admins"),
    ]);
    expect(s.principals.map((p) => [p.kind, p.view.name, p.policies])).toEqual([
      ["user", "alice", []],
      ["role", "ops", []],
      ["group", "admins", []],
    ]);
    expect(s.detachedPolicies).toEqual([]);
  });

  it("returns an empty result for a stack without IAM", () => {
    expect(iam([])).toEqual({ principals: [], detachedPolicies: [] });
  });
});

describe("buildStackIam: a role's inline policies", () => {
  it("reads each inlinePolicies entry, named or by position, as JSON text or object", () => {
    const s = iam([
      roleSpec("ops", {
        name: "ops",
        inlinePolicies: [{ name: "read", policy: DOC_TEXT }, { policy: OTHER }, { name: 7, policy: DOC_TEXT }],
      }),
    ]);
    expect(policiesOf(s, "ops")).toEqual([
      { label: 'inline policy "read" of role "ops"', source: "ops", document: known(DOC_TEXT) },
      { label: 'inline policy "1" of role "ops"', source: "ops", document: known(OTHER) },
      { label: 'inline policy "2" of role "ops"', source: "ops", document: known(DOC_TEXT) },
    ]);
    expect(s.detachedPolicies).toEqual([]);
  });

  it("defers a role whose whole inlinePolicies list is unknown", () => {
    expect(policiesOf(iam([roleSpec("ops", { name: "ops", inlinePolicies: UNKNOWN.array })]), "ops")).toEqual([
      { label: 'inline policies of role "ops"', source: "ops", document: unknown("inlinePolicies is unknown until deployment") },
    ]);
  });

  it("marks each entry's document: unknown, part unknown, missing, unreadable", () => {
    const s = iam([
      roleSpec("ops", {
        name: "ops",
        inlinePolicies: [
          { name: "later", policy: UNKNOWN.string },
          { name: "partly", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "rds:*", Resource: UNKNOWN.string }] } },
          { name: "empty" },
          "not an object",
          null,
          [5],
        ],
      }),
    ]);
    expect(policiesOf(s, "ops")).toEqual([
      { label: 'inline policy "later" of role "ops"', source: "ops", document: unknown("policy is unknown until deployment") },
      { label: 'inline policy "partly" of role "ops"', source: "ops", document: unknown("part of policy is unknown until deployment") },
      { label: 'inline policy "empty" of role "ops"', source: "ops", document: unverifiable("policy is not set") },
      { label: 'inline policy #4 of role "ops"', source: "ops", document: unverifiable('it is "not an object", not a {name, policy} block') },
      { label: 'inline policy #5 of role "ops"', source: "ops", document: unverifiable("it is null, not a {name, policy} block") },
      { label: 'inline policy #6 of role "ops"', source: "ops", document: unverifiable("it is [5], not a {name, policy} block") },
    ]);
  });

  it("reads inline policies held in secrets", () => {
    const s = iam([roleSpec("ops", { name: "ops", inlinePolicies: [new Secret({ name: "hidden", policy: new Secret(DOC_TEXT) })] })]);
    expect(policiesOf(s, "ops")).toEqual([{ label: 'inline policy "hidden" of role "ops"', source: "ops", document: known(DOC_TEXT) }]);
  });

  it("reads inlinePolicies given as one block, JSON text or entries of JSON text; absent or empty is none", () => {
    const s = iam([
      roleSpec("a", { name: "a" }),
      roleSpec("b", { name: "b", inlinePolicies: [] }),
      roleSpec("c", { name: "c", inlinePolicies: null }),
      roleSpec("d", { name: "d", inlinePolicies: { name: "x", policy: DOC_TEXT } }),
      roleSpec("e", { name: "e", inlinePolicies: JSON.stringify([{ name: "x", policy: DOC_TEXT }]) }),
      roleSpec("f", { name: "f", inlinePolicies: [JSON.stringify({ name: "x", policy: DOC_TEXT })] }),
      roleSpec("g", { name: "g", inlinePolicies: [UNKNOWN.object] }),
    ]);
    expect(s.principals.map((p) => summary(p.policies))).toEqual([
      [],
      [],
      [],
      [{ label: 'inline policy "x" of role "d"', source: "d", document: known(DOC_TEXT) }],
      [{ label: 'inline policy "x" of role "e"', source: "e", document: known(DOC_TEXT) }],
      [{ label: 'inline policy "x" of role "f"', source: "f", document: known(DOC_TEXT) }],
      [{ label: 'inline policy #1 of role "g"', source: "g", document: unknown('inline policy #1 of role "g" is unknown until deployment') }],
    ]);
  });

  it("fails closed on inlinePolicies that is not a list of blocks", () => {
    const s = iam([roleSpec("a", { name: "a", inlinePolicies: 42 }), roleSpec("b", { name: "b", inlinePolicies: true })]);
    expect(s.principals.map((p) => summary(p.policies))).toEqual([
      [{ label: 'inline policies of role "a"', source: "a", document: unverifiable("inlinePolicies is 42, not a list of {name, policy} blocks") }],
      [{ label: 'inline policies of role "b"', source: "b", document: unverifiable("inlinePolicies is true, not a list of {name, policy} blocks") }],
    ]);
  });
});

describe("buildStackIam: a role's managedPolicyArns", () => {
  it("attaches AWS managed policies the table knows, with their summary", () => {
    const s = iam([roleSpec("ops", { name: "ops", managedPolicyArns: [RDS_FULL, "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"] })]);
    const [rds, backup] = s.principals[0].policies;
    expect(summary([rds, backup])).toEqual([
      { label: 'AWS managed policy "AmazonRDSFullAccess"', source: "ops", document: known(managedEntry("AmazonRDSFullAccess").document) },
      {
        label: 'AWS managed policy "AWSBackupServiceRolePolicyForBackup"',
        source: "ops",
        document: known(managedEntry("service-role/AWSBackupServiceRolePolicyForBackup").document),
      },
    ]);
    expect(rds.managed).toBe(managedEntry("AmazonRDSFullAccess"));
    expect(backup.managed).toBe(managedEntry("service-role/AWSBackupServiceRolePolicyForBackup"));
    expect(s.detachedPolicies).toEqual([]);
  });

  it("defers a role whose managedPolicyArns is unknown", () => {
    expect(policiesOf(iam([roleSpec("ops", { name: "ops", managedPolicyArns: UNKNOWN.array })]), "ops")).toEqual([
      { label: 'managed policies of role "ops"', source: "ops", document: unknown("managedPolicyArns is unknown until deployment") },
    ]);
  });

  it("resolves an unknown entry through the property dependency on a policy of the stack", () => {
    const s = iam([policySpec("db-admin"), roleSpec("ops", { name: "ops", managedPolicyArns: [UNKNOWN.string] }, { managedPolicyArns: ["db-admin"] })]);
    expect(policiesOf(s, "ops")).toEqual([{ label: 'aws:iam/policy:Policy "db-admin"', source: "db-admin", document: known(DOC_TEXT) }]);
    expect(s.detachedPolicies).toEqual([]);
  });

  it("defers an unknown entry whose dependency is not a policy of the stack (or that has none); fails closed on a non-string one", () => {
    const s = iam([
      userSpec("someone"),
      roleSpec("ops", { name: "ops", managedPolicyArns: [UNKNOWN.string] }, { managedPolicyArns: ["someone"] }),
      roleSpec("dev", { name: "dev", managedPolicyArns: [UNKNOWN.string, 42] }),
    ]);
    const why = unknown("its policy ARN is unknown until deployment");
    expect(policiesOf(s, "ops")).toEqual([{ label: 'a policy attached by Role "ops"', source: "ops", document: why }]);
    expect(policiesOf(s, "dev")).toEqual([
      { label: 'a policy attached by Role "dev"', source: "dev", document: why },
      { label: 'a policy attached by Role "dev"', source: "dev", document: unverifiable("the policy ARN is 42, not an ARN") },
    ]);
    expect(s.detachedPolicies).toEqual([]);
  });

  it("does not consult dependencies for a known ARN", () => {
    const s = iam([
      policySpec("db-admin"),
      roleSpec("ops", { name: "ops", managedPolicyArns: [RDS_FULL] }, { managedPolicyArns: ["db-admin"] }),
    ]);
    expect(policiesOf(s, "ops").map((p) => p.label)).toEqual(['AWS managed policy "AmazonRDSFullAccess"']);
    // The policy is attached to nothing, so it is judged on its own.
    expect(summary(s.detachedPolicies)).toEqual([{ label: 'aws:iam/policy:Policy "db-admin"', source: "db-admin", document: known(DOC_TEXT) }]);
  });

  it("reads managedPolicyArns given as one ARN or JSON text of a list; fails closed on anything else", () => {
    const s = iam([
      roleSpec("a", { name: "a" }),
      roleSpec("b", { name: "b", managedPolicyArns: { arn: RDS_FULL } }),
      roleSpec("c", { name: "c", managedPolicyArns: RDS_FULL }),
      roleSpec("d", { name: "d", managedPolicyArns: JSON.stringify([RDS_FULL]) }),
      roleSpec("e", { name: "e", managedPolicyArns: 7 }),
    ]);
    const rds = { label: 'AWS managed policy "AmazonRDSFullAccess"', document: known(managedEntry("AmazonRDSFullAccess").document) };
    expect(s.principals.map((p) => summary(p.policies))).toEqual([
      [],
      [{ label: 'a policy attached by Role "b"', source: "b", document: unverifiable('the policy ARN is {"arn":"arn:aws:iam::aws:policy/AmazonRDSFullAccess"}, not an ARN') }],
      [{ ...rds, source: "c" }],
      [{ ...rds, source: "d" }],
      [{ label: 'managed policies of role "e"', source: "e", document: unverifiable("managedPolicyArns is 7, not a list of policy ARNs") }],
    ]);
  });

  it("gives each unknown entry its own dependency on a policy of the stack", () => {
    const s = iam([policySpec("p1", { name: "p1", policy: DOC_TEXT }), policySpec("p2", { name: "p2", policy: OTHER_TEXT }), roleSpec("ops", { name: "ops", managedPolicyArns: [UNKNOWN.string, UNKNOWN.string] }, { managedPolicyArns: ["p1", "p2"] })]);
    expect(policiesOf(s, "ops").map((p) => p.label)).toEqual(['aws:iam/policy:Policy "p1"', 'aws:iam/policy:Policy "p2"']);
    expect(s.detachedPolicies).toEqual([]);
  });
});

describe("buildStackIam: what a policy ARN stands for", () => {
  const attached = (policyArn: unknown, extra: StackResourceSpec[] = []) =>
    iam([...extra, roleSpec("ops"), { type: IAM_ROLE_POLICY_ATTACHMENT, name: "att", props: { role: "ops", policyArn } }]);

  it("an AWS managed policy the table knows, in any partition", () => {
    const s = attached("arn:aws-cn:iam::aws:policy/job-function/DatabaseAdministrator");
    expect(policiesOf(s, "ops")).toEqual([{ label: 'AWS managed policy "DatabaseAdministrator"', source: "att", document: known(managedEntry("job-function/DatabaseAdministrator").document) }]);
    expect(s.principals[0].policies[0].managed).toBe(managedEntry("job-function/DatabaseAdministrator"));
  });

  it.each([
    ["AmazonRDSDataFullAccess"],
    ["AmazonDynamoDBFullAccesswithDataPipeline"],
    ["AWSBackupAuditAccess"],
    ["AuroraOperations"],
    ["job-function/SystemAdministrator"],
    ["PowerUserWithoutBilling"],
    ["service-role/AmazonDMSDatabaseRole"],
    ["service-role/lowercase-rds-monitoring"],
  ])("an AWS managed policy the table does not know, whose name concerns databases (%s), is unverifiable", (path) => {
    const s = attached(`arn:aws:iam::aws:policy/${path}`);
    expect(policiesOf(s, "ops")).toEqual([
      {
        label: `AWS managed policy "${path}"`,
        source: "att",
        document: unverifiable(`AWS managed policy ${path} is not among the policies this pack knows (lib/iam/aws-managed-policies.ts)`),
      },
    ]);
    expect(s.principals[0].policies[0].managed).toBeUndefined();
  });

  it.each([["AmazonS3FullAccess"], ["AmazonRDSReadOnlyAccess"], ["AmazonDynamoDBreadonlyAccess"], ["job-function/ViewOnlyAccess"]])(
    "an unknown AWS managed policy whose name does not concern databases, or is read-only (%s), is left out",
    (path) => {
      const s = attached(`arn:aws:iam::aws:policy/${path}`);
      expect(s.principals[0].policies).toEqual([]);
      expect(s.detachedPolicies).toEqual([]);
    },
  );

  it("a customer managed policy of the stack, found by its ARN (update)", () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/pol-7f3a`;
    const s = attached(arn, [policySpec("db-admin", { name: "db-admin-x", arn, policy: OTHER_TEXT })]);
    expect(policiesOf(s, "ops")).toEqual([{ label: 'aws:iam/policy:Policy "db-admin"', source: "db-admin", document: known(OTHER_TEXT) }]);
    expect(s.detachedPolicies).toEqual([]);
  });

  it("a customer managed policy of the stack, found by the name at the end of the ARN's path", () => {
    const s = attached(`arn:aws:iam::${ACCOUNT}:policy/team/db-admin`, [policySpec("logical", { name: "db-admin", policy: DOC })]);
    expect(policiesOf(s, "ops")).toEqual([{ label: 'aws:iam/policy:Policy "logical"', source: "logical", document: known(DOC) }]);
    expect(s.detachedPolicies).toEqual([]);
  });

  it("a customer managed policy the stack does not define is unverifiable", () => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/team/elsewhere`;
    const s = attached(arn, [policySpec("db-admin")]);
    expect(policiesOf(s, "ops")).toEqual([
      { label: `customer managed policy "${arn}"`, source: "att", document: unverifiable(`${arn} is not defined in this stack, so its document cannot be read`) },
    ]);
    expect(s.detachedPolicies.map((p) => p.label)).toEqual(['aws:iam/policy:Policy "db-admin"']);
  });

  it.each([["AmazonRDSFullAccess"], [`arn:aws:iam::${ACCOUNT}:role/ops`], ["arn:aws:s3:::bucket"]])("a value that is not a policy ARN (%s) is unverifiable", (arn) => {
    expect(policiesOf(attached(arn), "ops")).toEqual([
      { label: `policy "${arn}" attached by "att"`, source: "att", document: unverifiable(`"${arn}" is not an IAM policy ARN`) },
    ]);
  });

  it("an unknown ARN resolves through the policyArn dependency (preview)", () => {
    const s = iam([
      policySpec("db-admin"),
      roleSpec("ops"),
      { type: IAM_ROLE_POLICY_ATTACHMENT, name: "att", props: { role: UNKNOWN.string, policyArn: UNKNOWN.string }, propertyDependencies: { role: ["ops"], policyArn: ["db-admin"] } },
    ]);
    expect(policiesOf(s, "ops")).toEqual([{ label: 'aws:iam/policy:Policy "db-admin"', source: "db-admin", document: known(DOC_TEXT) }]);
    expect(s.detachedPolicies).toEqual([]);
  });

  it("an unknown ARN whose dependencies hold no policy of the stack stays unknown", () => {
    const s = iam([
      userSpec("u"),
      roleSpec("ops"),
      { type: IAM_ROLE_POLICY_ATTACHMENT, name: "att", props: { role: "ops", policyArn: UNKNOWN.string }, propertyDependencies: { policyArn: ["u"] } },
    ]);
    expect(policiesOf(s, "ops")).toEqual([
      { label: 'a policy attached by RolePolicyAttachment "att"', source: "att", document: unknown("its policy ARN is unknown until deployment") },
    ]);
  });

  it("a policyArn that is missing or not a string attaches nothing AWS accepts: it fails closed", () => {
    const s = iam([
      roleSpec("ops"),
      { type: IAM_ROLE_POLICY_ATTACHMENT, name: "absent", props: { role: "ops" } },
      { type: IAM_ROLE_POLICY_ATTACHMENT, name: "number", props: { role: "ops", policyArn: 42 } },
    ]);
    expect(policiesOf(s, "ops")).toEqual([
      { label: 'a policy attached by RolePolicyAttachment "absent"', source: "absent", document: unverifiable("policyArn is not set") },
      { label: 'a policy attached by RolePolicyAttachment "number"', source: "number", document: unverifiable("the policy ARN is 42, not an ARN") },
    ]);
  });

  it("takes the first dependency that is a policy of the stack", () => {
    const s = iam([
      userSpec("u"),
      policySpec("p1", { name: "p1", policy: DOC_TEXT }),
      policySpec("p2", { name: "p2", policy: OTHER_TEXT }),
      roleSpec("ops"),
      { type: IAM_ROLE_POLICY_ATTACHMENT, name: "att", props: { role: "ops", policyArn: UNKNOWN.string }, propertyDependencies: { policyArn: ["u", "p2", "p1"] } },
    ]);
    expect(policiesOf(s, "ops").map((p) => p.label)).toEqual(['aws:iam/policy:Policy "p2"']);
    expect(s.detachedPolicies.map((p) => p.label)).toEqual(['aws:iam/policy:Policy "p1"']);
  });
});

describe("buildStackIam: RolePolicy, UserPolicy and GroupPolicy", () => {
  it("attach to the principal of their kind named by the reference, never to a namesake of another kind", () => {
    const s = iam([
      roleSpec("x"),
      userSpec("x-user", { name: "x" }),
      groupSpec("x-group", { name: "x" }),
      { type: IAM_ROLE_POLICY, name: "rp", props: { role: "x", policy: DOC_TEXT } },
      { type: IAM_USER_POLICY, name: "up", props: { user: "x", policy: OTHER } },
      { type: IAM_GROUP_POLICY, name: "gp", props: { group: "x", policy: UNKNOWN.string } },
    ]);
    expect(policiesOf(s, "x")).toEqual([{ label: 'RolePolicy "rp"', source: "rp", document: known(DOC_TEXT) }]);
    expect(policiesOf(s, "x-user")).toEqual([{ label: 'UserPolicy "up"', source: "up", document: known(OTHER) }]);
    expect(policiesOf(s, "x-group")).toEqual([{ label: 'GroupPolicy "gp"', source: "gp", document: unknown("policy is unknown until deployment") }]);
    expect(s.detachedPolicies).toEqual([]);
  });

  it("link through the property dependency when the name is unknown (preview), only to the right kind", () => {
    const s = iam([
      roleSpec("ops", { name: UNKNOWN.string }),
      userSpec("alice", { name: UNKNOWN.string }),
      policySpec("pol"),
      { type: IAM_ROLE_POLICY, name: "rp", props: { role: UNKNOWN.string, policy: DOC_TEXT }, propertyDependencies: { role: ["ops"] } },
      { type: IAM_USER_POLICY, name: "up", props: { user: UNKNOWN.string, policy: DOC_TEXT }, propertyDependencies: { user: ["ops", "pol", "alice"] } },
      { type: IAM_ROLE_POLICY, name: "wrong", props: { role: UNKNOWN.string, policy: DOC_TEXT }, propertyDependencies: { role: ["alice"] } },
    ]);
    expect(policiesOf(s, "ops").map((p) => p.label)).toEqual(['RolePolicy "rp"']);
    expect(policiesOf(s, "alice").map((p) => p.label)).toEqual(['UserPolicy "up"']);
    expect(summary(s.detachedPolicies)).toEqual([
      { label: 'RolePolicy "wrong"', source: "wrong", document: known(DOC_TEXT) },
      { label: 'aws:iam/policy:Policy "pol"', source: "pol", document: known(DOC_TEXT) },
    ]);
  });

  it("count a principal named both by dependency and by name once", () => {
    const s = iam([
      roleSpec("ops"),
      { type: IAM_ROLE_POLICY, name: "rp", props: { role: "ops", policy: DOC_TEXT }, propertyDependencies: { role: ["ops"] } },
      // A reference that names no principal of the stack does not undo the link the dependency made.
      { type: IAM_ROLE_POLICY, name: "renamed", props: { role: "ops-renamed", policy: DOC_TEXT }, propertyDependencies: { role: ["ops"] } },
    ]);
    expect(policiesOf(s, "ops").map((p) => p.label)).toEqual(['RolePolicy "rp"', 'RolePolicy "renamed"']);
    expect(s.detachedPolicies).toEqual([]);
  });

  it("find a principal by its ARN (update), by its full ARN or by the name at the end of an ARN with a path", () => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/svc/ops-1234`;
    const s = iam([
      roleSpec("by-arn", { arn }),
      roleSpec("by-name", { name: "reader" }),
      { type: IAM_ROLE_POLICY, name: "rp1", props: { role: arn, policy: DOC_TEXT } },
      { type: IAM_ROLE_POLICY, name: "rp2", props: { role: `arn:aws:iam::${ACCOUNT}:role/team/reader`, policy: DOC_TEXT } },
    ]);
    expect(policiesOf(s, "by-arn").map((p) => p.label)).toEqual(['RolePolicy "rp1"']);
    expect(policiesOf(s, "by-name").map((p) => p.label)).toEqual(['RolePolicy "rp2"']);
    expect(s.detachedPolicies).toEqual([]);
  });

  it("are detached when they name a principal outside the stack, or none", () => {
    const s = iam([
      roleSpec("ops"),
      { type: IAM_ROLE_POLICY, name: "elsewhere", props: { role: "someone-else", policy: DOC_TEXT } },
      { type: IAM_ROLE_POLICY, name: "nobody", props: { policy: DOC_TEXT } },
      { type: IAM_ROLE_POLICY, name: "unknown-role", props: { role: UNKNOWN.string, policy: DOC_TEXT } },
      { type: IAM_ROLE_POLICY, name: "not-a-name", props: { role: 12, policy: DOC_TEXT } },
    ]);
    expect(policiesOf(s, "ops")).toEqual([]);
    expect(s.detachedPolicies.map((p) => p.label)).toEqual(['RolePolicy "elsewhere"', 'RolePolicy "nobody"', 'RolePolicy "unknown-role"', 'RolePolicy "not-a-name"']);
  });

  it("say why a document is not readable: missing, cyclic, too deep", () => {
    const cyclic: Record<string, unknown> = { Version: "2012-10-17" };
    cyclic.Statement = [cyclic];
    let deep: unknown = "rds:*";
    for (let i = 0; i < 40; i++) deep = { nested: deep };
    const s = iam([
      roleSpec("ops"),
      { type: IAM_ROLE_POLICY, name: "missing", props: { role: "ops" } },
      { type: IAM_ROLE_POLICY, name: "cyclic", props: { role: "ops", policy: cyclic } },
      { type: IAM_ROLE_POLICY, name: "deep", props: { role: "ops", policy: deep } },
      { type: IAM_ROLE_POLICY, name: "number", props: { role: "ops", policy: 42 } },
    ]);
    expect(policiesOf(s, "ops")).toEqual([
      { label: 'RolePolicy "missing"', source: "missing", document: unverifiable("policy is not set") },
      { label: 'RolePolicy "cyclic"', source: "cyclic", document: unverifiable("policy contains itself (a reference cycle), so it is not a JSON policy document") },
      { label: 'RolePolicy "deep"', source: "deep", document: unverifiable("policy is nested more than 32 levels deep, so it is not a JSON policy document") },
      { label: 'RolePolicy "number"', source: "number", document: known(42) },
    ]);
  });
});

describe("buildStackIam: attachments", () => {
  it("UserPolicyAttachment and GroupPolicyAttachment attach to users and groups by name or dependency", () => {
    const s = iam([
      userSpec("alice"),
      groupSpec("admins", { name: UNKNOWN.string }),
      roleSpec("alice-role", { name: "alice" }),
      { type: IAM_USER_POLICY_ATTACHMENT, name: "ua", props: { user: "alice", policyArn: RDS_FULL } },
      { type: IAM_GROUP_POLICY_ATTACHMENT, name: "ga", props: { group: UNKNOWN.string, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, propertyDependencies: { group: ["admins"] } },
    ]);
    expect(policiesOf(s, "alice")).toEqual([{ label: 'AWS managed policy "AmazonRDSFullAccess"', source: "ua", document: known(managedEntry("AmazonRDSFullAccess").document) }]);
    expect(policiesOf(s, "admins")).toEqual([{ label: 'AWS managed policy "AdministratorAccess"', source: "ga", document: known(managedEntry("AdministratorAccess").document) }]);
    expect(policiesOf(s, "alice-role")).toEqual([]);
  });

  it("an attachment to a principal outside the stack is detached; one to a policy the table leaves out is dropped", () => {
    const s = iam([
      roleSpec("ops"),
      { type: IAM_ROLE_POLICY_ATTACHMENT, name: "out", props: { role: "elsewhere", policyArn: RDS_FULL } },
      { type: IAM_ROLE_POLICY_ATTACHMENT, name: "s3", props: { role: "elsewhere", policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" } },
    ]);
    expect(policiesOf(s, "ops")).toEqual([]);
    expect(summary(s.detachedPolicies)).toEqual([{ label: 'AWS managed policy "AmazonRDSFullAccess"', source: "out", document: known(managedEntry("AmazonRDSFullAccess").document) }]);
  });

  it("a PolicyAttachment reaches every role, user and group it lists, by name (update)", () => {
    const s = iam([
      policySpec("db-admin"),
      roleSpec("r1"),
      roleSpec("r2"),
      userSpec("u1"),
      groupSpec("g1"),
      { type: IAM_POLICY_ATTACHMENT, name: "pa", props: { policyArn: `arn:aws:iam::${ACCOUNT}:policy/db-admin`, roles: ["r1", "r2"], users: ["u1"], groups: ["g1"] } },
    ]);
    const expected = [{ label: 'aws:iam/policy:Policy "db-admin"', source: "db-admin", document: known(DOC_TEXT) }];
    for (const name of ["r1", "r2", "u1", "g1"]) expect(policiesOf(s, name)).toEqual(expected);
    expect(s.detachedPolicies).toEqual([]);
    // One policy object, shared by every principal it reaches.
    expect(s.principals[0].policies[0]).toBe(s.principals[3].policies[0]);
  });

  it("a PolicyAttachment links by dependency (preview) and takes a single name for a list", () => {
    const s = iam([
      policySpec("db-admin"),
      roleSpec("r1", { name: UNKNOWN.string }),
      userSpec("u1"),
      groupSpec("g1", { name: UNKNOWN.string }),
      {
        type: IAM_POLICY_ATTACHMENT,
        name: "pa",
        props: { policyArn: UNKNOWN.string, roles: [UNKNOWN.string], users: "u1", groups: UNKNOWN.array },
        propertyDependencies: { policyArn: ["db-admin"], roles: ["r1"], groups: ["g1"] },
      },
    ]);
    for (const name of ["r1", "u1", "g1"]) expect(policiesOf(s, name).map((p) => p.label)).toEqual(['aws:iam/policy:Policy "db-admin"']);
    expect(s.detachedPolicies).toEqual([]);
  });

  it("a PolicyAttachment that reaches no principal of the stack is detached once", () => {
    const s = iam([
      roleSpec("ops"),
      { type: IAM_POLICY_ATTACHMENT, name: "pa", props: { policyArn: RDS_FULL, roles: ["elsewhere"], users: "not json", groups: [3] } },
    ]);
    expect(policiesOf(s, "ops")).toEqual([]);
    expect(summary(s.detachedPolicies)).toEqual([{ label: 'AWS managed policy "AmazonRDSFullAccess"', source: "pa", document: known(managedEntry("AmazonRDSFullAccess").document) }]);
  });

  it("a PolicyAttachment with an unknown policy ARN and no policy dependency defers its principals", () => {
    const s = iam([roleSpec("ops"), { type: IAM_POLICY_ATTACHMENT, name: "pa", props: { policyArn: UNKNOWN.string, roles: ["ops"] } }]);
    expect(policiesOf(s, "ops")).toEqual([{ label: 'a policy attached by PolicyAttachment "pa"', source: "pa", document: unknown("its policy ARN is unknown until deployment") }]);
  });
});

describe("buildStackIam: group memberships", () => {
  const groupWithPolicy: StackResourceSpec[] = [
    groupSpec("admins"),
    { type: IAM_GROUP_POLICY, name: "gp", props: { group: "admins", policy: DOC_TEXT } },
  ];

  it("GroupMembership gives every listed user the group's policies, even when declared before them", () => {
    const s = iam([
      { type: IAM_GROUP_MEMBERSHIP, name: "m", props: { group: "admins", users: ["alice", "bob"] } },
      userSpec("alice"),
      userSpec("bob"),
      userSpec("carol"),
      ...groupWithPolicy,
    ]);
    const gp = [{ label: 'GroupPolicy "gp"', source: "gp", document: known(DOC_TEXT) }];
    expect(policiesOf(s, "alice")).toEqual(gp);
    expect(policiesOf(s, "bob")).toEqual(gp);
    expect(policiesOf(s, "carol")).toEqual([]);
    expect(policiesOf(s, "admins")).toEqual(gp);
  });

  it("GroupMembership reads its users given as JSON text of a list", () => {
    const s = iam([{ type: IAM_GROUP_MEMBERSHIP, name: "m", props: { group: "admins", users: JSON.stringify(["alice"]) } }, userSpec("alice"), ...groupWithPolicy]);
    expect(policiesOf(s, "alice")).toEqual([{ label: 'GroupPolicy "gp"', source: "gp", document: known(DOC_TEXT) }]);
  });

  it("GroupMembership links by dependency (preview)", () => {
    const s = iam([
      userSpec("alice", { name: UNKNOWN.string }),
      groupSpec("admins", { name: UNKNOWN.string }),
      { type: IAM_GROUP_POLICY, name: "gp", props: { group: UNKNOWN.string, policy: DOC_TEXT }, propertyDependencies: { group: ["admins"] } },
      { type: IAM_GROUP_MEMBERSHIP, name: "m", props: { group: UNKNOWN.string, users: [UNKNOWN.string] }, propertyDependencies: { group: ["admins"], users: ["alice"] } },
    ]);
    expect(policiesOf(s, "alice").map((p) => p.label)).toEqual(['GroupPolicy "gp"']);
  });

  it("UserGroupMembership gives the user the policies of every listed group, each once", () => {
    const s = iam([
      userSpec("alice"),
      ...groupWithPolicy,
      groupSpec("dbas"),
      policySpec("shared"),
      { type: IAM_POLICY_ATTACHMENT, name: "pa", props: { policyArn: `arn:aws:iam::${ACCOUNT}:policy/shared`, users: ["alice"], groups: ["admins", "dbas"] } },
      { type: IAM_USER_POLICY, name: "own", props: { user: "alice", policy: OTHER_TEXT } },
      { type: IAM_USER_GROUP_MEMBERSHIP, name: "m", props: { user: "alice", groups: ["admins", "dbas"] } },
    ]);
    expect(policiesOf(s, "alice").map((p) => p.label)).toEqual(['aws:iam/policy:Policy "shared"', 'UserPolicy "own"', 'GroupPolicy "gp"']);
    expect(policiesOf(s, "dbas").map((p) => p.label)).toEqual(['aws:iam/policy:Policy "shared"']);
  });

  it("memberships of principals outside the stack, or of the wrong kind, give nothing", () => {
    const s = iam([
      userSpec("alice"),
      roleSpec("admins-role", { name: "admins" }),
      { type: IAM_ROLE_POLICY, name: "rp", props: { role: "admins", policy: DOC_TEXT } },
      ...groupWithPolicy,
      { type: IAM_GROUP_MEMBERSHIP, name: "m1", props: { group: "elsewhere", users: ["alice"] } },
      { type: IAM_GROUP_MEMBERSHIP, name: "m2", props: { group: "admins", users: ["admins"] } },
      { type: IAM_USER_GROUP_MEMBERSHIP, name: "m3", props: { user: "admins", groups: ["admins"] } },
      { type: IAM_USER_GROUP_MEMBERSHIP, name: "m4", props: { user: "alice", groups: ["elsewhere"] } },
    ]);
    expect(policiesOf(s, "alice")).toEqual([]);
    expect(policiesOf(s, "admins-role").map((p) => p.label)).toEqual(['RolePolicy "rp"']);
  });
});

describe("buildStackIam: customer managed policies", () => {
  it("a policy attached to nothing is detached, with its document state", () => {
    const s = iam([
      policySpec("a"),
      policySpec("b", { name: "b", policy: UNKNOWN.string }),
      policySpec("c", { name: "c" }),
      policySpec("d", { name: "d", policy: new Secret(OTHER_TEXT) }),
    ]);
    expect(s.principals).toEqual([]);
    expect(summary(s.detachedPolicies)).toEqual([
      { label: 'aws:iam/policy:Policy "a"', source: "a", document: known(DOC_TEXT) },
      { label: 'aws:iam/policy:Policy "b"', source: "b", document: unknown("policy is unknown until deployment") },
      { label: 'aws:iam/policy:Policy "c"', source: "c", document: unverifiable("policy is not set") },
      { label: 'aws:iam/policy:Policy "d"', source: "d", document: known(OTHER_TEXT) },
    ]);
  });

  it("a policy without a known name or ARN can still be linked by dependency", () => {
    const s = iam([
      policySpec("p", { name: UNKNOWN.string, arn: UNKNOWN.string, policy: DOC_TEXT }),
      roleSpec("ops"),
      { type: IAM_ROLE_POLICY_ATTACHMENT, name: "att", props: { role: "ops", policyArn: UNKNOWN.string }, propertyDependencies: { policyArn: ["p"] } },
      { type: IAM_ROLE_POLICY_ATTACHMENT, name: "by-name", props: { role: "ops", policyArn: `arn:aws:iam::${ACCOUNT}:policy/p` } },
    ]);
    expect(policiesOf(s, "ops")).toEqual([
      { label: 'aws:iam/policy:Policy "p"', source: "p", document: known(DOC_TEXT) },
      {
        label: `customer managed policy "arn:aws:iam::${ACCOUNT}:policy/p"`,
        source: "by-name",
        document: unverifiable(`arn:aws:iam::${ACCOUNT}:policy/p is not defined in this stack, so its document cannot be read`),
      },
    ]);
  });
});

describe("documentValue", () => {
  it("keeps objects and JSON text as they are, with proxies and secrets unwrapped at any depth", () => {
    expect(documentValue(DOC_TEXT, "policy")).toEqual(known(DOC_TEXT));
    expect(documentValue(new Secret({ Version: "2012-10-17", Statement: [new Secret({ Effect: "Allow", Action: new Secret(["rds:*"]), Resource: "*" })] }), "policy")).toEqual(
      known({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["rds:*"], Resource: "*" }] }),
    );
    expect(documentValue(undefined, "policy")).toEqual(known(undefined));
    expect(documentValue(null, "policy")).toEqual(known(null));
  });

  it("converts a shared member once and keeps it shared", () => {
    const statement = { Effect: "Allow", Action: "rds:*", Resource: "*" };
    const result = documentValue({ Version: "2012-10-17", Statement: [statement, statement] }, "policy");
    if (result.state !== "known") throw new Error(result.state);
    const [a, b] = (result.document as { Statement: unknown[] }).Statement;
    expect(a).toEqual(statement);
    expect(a).not.toBe(statement);
    expect(a).toBe(b);
  });

  it("walks a document whose members are shared many times over without visiting each path", () => {
    // 2^30 paths to the leaf, 30 distinct objects.
    let v: unknown = { leaf: "x" };
    for (let i = 0; i < 30; i++) v = { a: v, b: v };
    expect(documentValue(v, "policy").state).toBe("known");
  });

  it("accepts 32 levels of nesting and refuses 33", () => {
    const nest = (levels: number): unknown => {
      let v: unknown = "x";
      for (let i = 0; i < levels; i++) v = i % 2 === 0 ? { k: v } : [v];
      return v;
    };
    expect(documentValue(nest(32), "doc").state).toBe("known");
    expect(documentValue(nest(33), "doc")).toEqual(unverifiable("doc is nested more than 32 levels deep, so it is not a JSON policy document"));
  });

  it("finds a cycle through arrays", () => {
    const list: unknown[] = [];
    list.push({ again: list });
    expect(documentValue({ Statement: list }, "inline")).toEqual(unverifiable("inline contains itself (a reference cycle), so it is not a JSON policy document"));
  });

  it("finds unknown values anywhere: a member, a list element, inside JSON text", () => {
    expect(documentValue({ Statement: [{ Resource: UNKNOWN.string }] }, "p")).toEqual(unknown("part of p is unknown until deployment"));
    expect(documentValue({ Statement: [{ Action: ["rds:x", UNKNOWN.object] }] }, "p")).toEqual(unknown("part of p is unknown until deployment"));
    expect(documentValue(UNKNOWN.string, "p")).toEqual(unknown("part of p is unknown until deployment"));
    const text = `{"Statement":[{"Resource":"arn:aws:rds:us-east-1:${ACCOUNT}:db:${UNKNOWN.string}"}]}`;
    expect(documentValue(text, "p")).toEqual(unknown("part of p is unknown until deployment"));
    expect(documentValue(`{"Resource":"${UNKNOWN.number}"}`, "p")).toEqual(unknown("part of p is unknown until deployment"));
    expect(documentValue({ a: { b: { c: `prefix-${UNKNOWN.bool}` } } }, "p")).toEqual(unknown("part of p is unknown until deployment"));
  });

  it("does not take other text, numbers or shared members for unknown values", () => {
    const shared = { Effect: "Allow" };
    const doc = { a: shared, b: shared, n: 3, t: true, z: null, s: "04da6b54-80e4-46f7-96ec-b56ff0331ba8-and-more-text" };
    expect(documentValue(doc, "p")).toEqual(known(doc));
    expect(documentValue("04da6b54-80e4-46f7-96ec", "p")).toEqual(known("04da6b54-80e4-46f7-96ec"));
  });

  it("lets errors other than unreadable documents through", () => {
    const throwing = {};
    Object.defineProperty(throwing, "Statement", { enumerable: true, get: () => { throw new RangeError("boom"); } });
    expect(() => documentValue(throwing, "p")).toThrow(RangeError);
  });
});

describe("principalTags", () => {
  const view = (props: Record<string, unknown>): ResourceView => stackView({ resources: [roleSpec("r", props)] }).resources.find((v) => v.name === "r")!;

  it("reads known string tags, dropping unknown and non-string values", () => {
    expect(principalTags(view({ tags: { team: "db", env: UNKNOWN.string, n: 3, s: new Secret("hidden") } }))).toEqual({ team: "db", s: "hidden" });
    expect(principalTags(view({ tags: JSON.stringify({ a: "b" }) }))).toEqual({ a: "b" });
  });

  it("is empty without tags, and undefined when the tags are unknown or unreadable", () => {
    expect(principalTags(view({}))).toEqual({});
    expect(principalTags(view({ tags: UNKNOWN.object }))).toBeUndefined();
    expect(principalTags(view({ tags: "not json" }))).toBeUndefined();
    expect(principalTags(view({ tags: ["a"] }))).toBeUndefined();
  });
});
