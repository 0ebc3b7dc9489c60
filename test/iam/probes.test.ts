import { compilePolicies, evaluateAccess } from "../../policies/lib/iam/evaluate";
import { DESTRUCTIVE_ACTIONS, RESTORE_TARGET_WRITES, SELF_ESCALATION_ACTIONS, arnFromFormat, productionProbes, productionTagVariants, restoreAuthorizations, selfEscalationProbes } from "../../policies/lib/iam/probes";

const ACCOUNT = "123456789012";
const PRODUCTION_TAGS = { environment: ["prod", "production"] };

describe("productionTagVariants", () => {
  it("spells every production key and value the ways people write them, one tag per set", () => {
    const variants = productionTagVariants({ environment: ["production"] });
    expect(variants).toEqual(
      expect.arrayContaining([{ environment: "production" }, { environment: "Production" }, { Environment: "Production" }, { ENVIRONMENT: "PRODUCTION" }, { Environment: "production" }]),
    );
    expect(new Set(variants.map((v) => JSON.stringify(v))).size).toBe(variants.length);
    expect(variants.every((v) => Object.keys(v).length === 1)).toBe(true);
  });
});

describe("arnFromFormat", () => {
  it("fills the reference's ARN format and leaves unknown parts as *", () => {
    expect(arnFromFormat("arn:${Partition}:rds:${Region}:${Account}:db:${DbInstanceName}", { Partition: "aws", Account: ACCOUNT, DbInstanceName: "orders" })).toBe(`arn:aws:rds:*:${ACCOUNT}:db:orders`);
  });
});

describe("productionProbes", () => {
  it("probes a named database under every production tag spelling and untagged", () => {
    const probes = productionProbes({ kind: "rds-instance", name: "orders", location: { region: "eu-west-1", account: ACCOUNT } }, PRODUCTION_TAGS);
    const deletes = probes.filter((p) => p.action === "rds:DeleteDBInstance");
    expect(new Set(deletes.map((p) => p.resource))).toEqual(new Set([`arn:aws:rds:eu-west-1:${ACCOUNT}:db:orders`]));
    expect(deletes.length).toBe(productionTagVariants(PRODUCTION_TAGS).length + 1);
    const untagged = deletes.find((p) => p.description.includes("untagged"));
    expect(untagged?.context.values).toEqual({});
    expect(untagged?.context.absentUnlessListed).toEqual(expect.arrayContaining(["aws:ResourceTag/*", "rds:db-tag/*"]));
    const tagged = deletes.find((p) => p.description.includes("Environment=Production"));
    expect(tagged?.context.values).toEqual({ "aws:ResourceTag/Environment": "Production", "rds:db-tag/Environment": "Production" });
  });

  it("probes an unnamed production resource by tag only: an untagged resource of any name is not production", () => {
    const probes = productionProbes({ kind: "dynamodb-table" }, PRODUCTION_TAGS);
    expect(probes.some((p) => p.description.includes("untagged"))).toBe(false);
    expect(probes.find((p) => p.action === "dynamodb:DeleteTable")?.resource).toBe("arn:aws:dynamodb:*:*:table/*");
  });

  it("uses the resource's own tags when they are known", () => {
    const probes = productionProbes({ kind: "rds-cluster", name: "ledger", tags: { env: "prod", team: "payments" } }, PRODUCTION_TAGS);
    const deletes = probes.filter((p) => p.action === "rds:DeleteDBCluster");
    expect(deletes).toHaveLength(1);
    expect(deletes[0].context.values).toEqual({ "aws:ResourceTag/env": "prod", "rds:cluster-tag/env": "prod", "aws:ResourceTag/team": "payments", "rds:cluster-tag/team": "payments" });
  });

  it("probes a restore over production as a request: target without tags, the request carrying them", () => {
    const probes = productionProbes({ kind: "rds-instance", name: "orders" }, { environment: ["production"] });
    const restore = probes.find((p) => p.action === "rds:RestoreDBInstanceFromDBSnapshot" && p.description.includes("environment=production"));
    expect(restore?.context.values).toEqual({ "aws:RequestTag/environment": "production", "rds:req-tag/environment": "production", "aws:TagKeys": ["environment"] });
    expect(restore?.context.absentUnlessListed).toEqual(expect.arrayContaining(["aws:ResourceTag/*", "aws:RequestTag/*", "aws:TagKeys"]));
    // DynamoDB restores are authorized on their source and never target an existing table: no restore-over probe.
    const table = productionProbes({ kind: "dynamodb-table", name: "sessions" }, PRODUCTION_TAGS);
    expect(table.some((p) => p.harm === "restore-over")).toBe(false);
  });

  it("covers backups and the vault: recovery points, snapshots, lock, access policy", () => {
    const vault = productionProbes({ kind: "backup-vault", name: "prod-vault" }, PRODUCTION_TAGS);
    const actions = new Set(vault.map((p) => p.action));
    for (const a of ["backup:DeleteBackupVault", "backup:DeleteBackupVaultLockConfiguration", "backup:PutBackupVaultAccessPolicy", "backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"]) {
      expect(actions).toContain(a);
    }
    expect(vault.find((p) => p.action === "backup:DeleteBackupVault")?.resource).toBe("arn:aws:backup:*:*:backup-vault:prod-vault");
    expect(vault.find((p) => p.action === "backup:DeleteRecoveryPoint")?.resource).toBe("arn:aws:backup:*:*:recovery-point:*");
    const instance = productionProbes({ kind: "rds-instance", name: "orders" }, PRODUCTION_TAGS);
    expect(instance.find((p) => p.action === "rds:DeleteDBSnapshot")?.resource).toBe("arn:aws:rds:*:*:snapshot:*");
  });

  it("covers every destructive action of a kind (restores over it only by name)", () => {
    expect(productionProbes({ kind: "rds-cluster" }, PRODUCTION_TAGS).some((p) => p.harm === "restore-over")).toBe(false);
    const probes = productionProbes({ kind: "rds-cluster", name: "ledger" }, PRODUCTION_TAGS);
    const expected = DESTRUCTIVE_ACTIONS.filter((d) => d.kind === "rds-cluster").map((d) => d.action);
    expect(new Set(probes.map((p) => p.action))).toEqual(new Set(expected));
  });

  it("a role scoped to staging names and tags passes every probe; the same role on * fails", () => {
    const scoped = compilePolicies([
      {
        name: "staging-admin",
        document: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "rds:*", Resource: `arn:aws:rds:*:${ACCOUNT}:*:staging-*`, Condition: { StringEquals: { "aws:ResourceTag/environment": "staging" } } }],
        },
      },
    ]);
    const probes = productionProbes({ kind: "rds-instance", name: "orders", location: { account: ACCOUNT } }, PRODUCTION_TAGS);
    const allowed = probes.filter((p) => {
      const e = evaluateAccess(scoped, p);
      return e.kind !== "decided" || e.decision === "allow";
    });
    expect(allowed.map((p) => p.description)).toEqual([]);
    const loose = compilePolicies([{ name: "any", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "rds:*", Resource: "*" }] } }]);
    expect(probes.every((p) => {
      const e = evaluateAccess(loose, p);
      return e.kind === "decided" && e.decision === "allow";
    })).toBe(true);
  });
});

describe("restoreAuthorizations", () => {
  it("authorizes an RDS snapshot restore against target, snapshot, option, parameter and subnet groups", () => {
    const call = restoreAuthorizations({
      action: "rds:RestoreDBInstanceFromDBSnapshot",
      location: { region: "us-east-1", account: ACCOUNT },
      target: { name: "orders-copy", requestTags: { environment: "staging" } },
      source: { name: "orders-2024", tags: { environment: "production" } },
      subnetGroup: { name: "staging", tags: { environment: "staging" } },
    });
    expect(call.authorizations.map((a) => [a.role, a.resource])).toEqual([
      ["target DB instance", `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders-copy`],
      ["source DB snapshot", `arn:aws:rds:us-east-1:${ACCOUNT}:snapshot:orders-2024`],
      ["option group", `arn:aws:rds:us-east-1:${ACCOUNT}:og:*`],
      ["DB parameter group", `arn:aws:rds:us-east-1:${ACCOUNT}:pg:*`],
      ["DB subnet group", `arn:aws:rds:us-east-1:${ACCOUNT}:subgrp:staging`],
    ]);
    const [target, source, optionGroup, , subnet] = call.authorizations;
    expect(target.context?.values).toEqual({ "aws:RequestTag/environment": "staging", "rds:req-tag/environment": "staging", "aws:TagKeys": ["environment"] });
    expect(target.context?.absentUnlessListed).toContain("aws:ResourceTag/*");
    expect(source.context?.values).toMatchObject({ "aws:ResourceTag/environment": "production", "rds:snapshot-tag/environment": "production", "aws:RequestTag/environment": "staging" });
    expect(subnet.context?.values).toMatchObject({ "rds:subgrp-tag/environment": "staging" });
    // The option group's tags were not given: unknown, not absent.
    expect(optionGroup.context?.absentUnlessListed).not.toContain("aws:ResourceTag/*");
  });

  it("builds DynamoDB and AWS Backup restores from their own ARN formats", () => {
    const table = restoreAuthorizations({ action: "dynamodb:RestoreTableFromBackup", target: { name: "sessions-copy" }, source: { name: "01" }, sourceTableName: "sessions" });
    // Authorized on the source backup; the new table is written with item actions (AWS: "Using IAM with DynamoDB backup and restore").
    expect(table.authorizations[0]).toMatchObject({ role: "source table backup", resource: "arn:aws:dynamodb:*:*:table/sessions/backup/01" });
    expect(table.authorizations[0].action).toBeUndefined();
    expect(table.authorizations.slice(1).map((a) => [a.action, a.resource])).toEqual(RESTORE_TARGET_WRITES.map((w) => [w, "arn:aws:dynamodb:*:*:table/sessions-copy"]));
    const backupRestore = restoreAuthorizations({ action: "backup:StartRestoreJob", target: {}, source: { name: "rp-1", tags: { environment: "production" } } });
    expect(backupRestore.authorizations.map((a) => a.resource)).toEqual(["arn:aws:backup:*:*:recovery-point:rp-1"]);
  });

  it("refuses an action it does not model", () => {
    expect(() => restoreAuthorizations({ action: "rds:CreateDBInstance", target: {} })).toThrow(/not a restore this kit models/);
  });
});

describe("selfEscalationProbes", () => {
  const here = { partition: "aws", region: "us-east-1", account: "111111111111" };

  it("probes a role's own ARN (with its path) for every way to rewrite its permissions, and each attached policy's ARN", () => {
    const probes = selfEscalationProbes({ kind: "role", nameWithPath: "team/app", location: here, policies: [{ arn: "arn:aws:iam::111111111111:policy/app-extra" }, { nameWithPath: "ops/shared" }, {}] });
    const own = "arn:aws:iam::111111111111:role/team/app";
    const ownProbes = SELF_ESCALATION_ACTIONS.role.length;
    expect(ownProbes).toBe(7);
    expect(probes.slice(0, ownProbes).map((p) => [p.action, p.resource])).toEqual(SELF_ESCALATION_ACTIONS.role.map((e) => [e.action, own]));
    expect(probes[0]).toEqual({ action: "iam:PutRolePolicy", resource: own, context: {}, harm: "escalate", description: `iam:PutRolePolicy on ${own} (its own role: it can give itself any permission, production's included)` });
    expect(probes.slice(ownProbes).map((p) => `${p.action} ${p.resource}`)).toEqual([
      "iam:CreatePolicyVersion arn:aws:iam::111111111111:policy/app-extra",
      "iam:SetDefaultPolicyVersion arn:aws:iam::111111111111:policy/app-extra",
      "iam:CreatePolicyVersion arn:aws:iam::111111111111:policy/ops/shared",
      "iam:SetDefaultPolicyVersion arn:aws:iam::111111111111:policy/ops/shared",
      "iam:CreatePolicyVersion arn:aws:iam::111111111111:policy/*",
      "iam:SetDefaultPolicyVersion arn:aws:iam::111111111111:policy/*",
    ]);
    expect(probes[ownProbes]!.description).toBe("iam:CreatePolicyVersion on arn:aws:iam::111111111111:policy/app-extra (a policy attached to it: it can rewrite the policy to allow anything)");
  });

  it("leaves what is unknown as * (name, account, partition default aws), and a user's group as any group", () => {
    const user = selfEscalationProbes({ kind: "user", policies: [] });
    expect(user.map((p) => `${p.action} ${p.resource}`)).toEqual([
      "iam:PutUserPolicy arn:aws:iam::*:user/*",
      "iam:AttachUserPolicy arn:aws:iam::*:user/*",
      "iam:DeleteUserPolicy arn:aws:iam::*:user/*",
      "iam:DetachUserPolicy arn:aws:iam::*:user/*",
      "iam:DeleteUserPermissionsBoundary arn:aws:iam::*:user/*",
      "iam:PutUserPermissionsBoundary arn:aws:iam::*:user/*",
      "iam:AddUserToGroup arn:aws:iam::*:group/*",
    ]);
    const group = selfEscalationProbes({ kind: "group", nameWithPath: "dbas", location: { partition: "aws-cn", account: "222222222222" }, policies: [] });
    expect(group.map((p) => `${p.action} ${p.resource}`)).toEqual([
      "iam:PutGroupPolicy arn:aws-cn:iam::222222222222:group/dbas",
      "iam:AttachGroupPolicy arn:aws-cn:iam::222222222222:group/dbas",
      "iam:DeleteGroupPolicy arn:aws-cn:iam::222222222222:group/dbas",
      "iam:DetachGroupPolicy arn:aws-cn:iam::222222222222:group/dbas",
    ]);
  });

  it("is allowed exactly where a policy lets the principal edit itself", () => {
    const [put] = selfEscalationProbes({ kind: "role", nameWithPath: "app", location: here, policies: [] });
    const grants = (Resource: string) => evaluateAccess(compilePolicies([{ name: "p", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:PutRolePolicy", Resource }] } }]), put!);
    expect(grants("arn:aws:iam::111111111111:role/app")).toMatchObject({ decision: "allow", uncertain: false });
    expect(grants("arn:aws:iam::111111111111:role/other")).toMatchObject({ decision: "implicit-deny" });
  });
});
