/**
 * iam-restore-role-scoped, called directly on stack views: the components' RestoreRole passes;
 * restore roles without request-tag conditions, with the ForAllValues trap, or with access to
 * production fail.
 */
import { UNKNOWN } from "../../guard/wire";
import type { Finding } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { iamRestoreRoleScoped } from "../../policies/rules/iam-restore-role-scoped";
import { type StackResourceSpec, stackView } from "../helpers/stack-view";
import { BREAK_GLASS_TAG } from "../../components/tags";
import { ACCOUNT, allow, attach, componentRoles, productionData, role } from "../iam/iam-stacks";

function check(resources: StackResourceSpec[]): Finding[] {
  return iamRestoreRoleScoped.check(stackView({ resources: [...productionData(), ...resources] }), {}, DEFAULT_SETTINGS as SharedSettings);
}
const violations = (fs: Finding[]) => fs.filter((f) => !f.deferred);

const restore = ["rds:RestoreDBInstanceFromDBSnapshot", "rds:RestoreDBClusterFromSnapshot"];
const stagingOnly = { StringEquals: { "aws:RequestTag/environment": "staging" } };

describe("iam-restore-role-scoped", () => {
  it("passes the components' RestoreRole, BreakGlassRole and AWS Backup service role", () => {
    expect(check(componentRoles())).toEqual([]);
  });

  it("passes a restore role that demands a non-production request tag and denies production", () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Sid: "RestoreIntoStaging", Effect: "Allow", Action: restore, Resource: "*", Condition: stagingOnly },
        { Sid: "Read", Effect: "Allow", Action: ["rds:Describe*"], Resource: "*" },
      ],
    };
    expect(check(role("restorer", policy))).toEqual([]);
  });

  it("defers a break-glass role whose trust policy is unknown until deployment, and fails it once known without MFA", () => {
    const tags = { [BREAK_GLASS_TAG.key]: BREAK_GLASS_TAG.value };
    const fs = check(role("glass", allow(["rds:*"]), { tags, trust: UNKNOWN.string }));
    expect(fs).toHaveLength(1);
    expect(fs[0].deferred).toBe(true);
    expect(fs[0].message).toContain("its trust policy (to confirm the break-glass role requires MFA)");
    const open = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/oncall` }, Action: "sts:AssumeRole" }] };
    const known = check(role("glass", allow(["rds:*"]), { tags, trust: open }));
    expect(violations(known)).toHaveLength(1);
    expect(violations(known)[0].message).toContain('IAM role "glass": may restore (');
  });

  it("fails a restore role that may attach policies to itself", () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Sid: "RestoreIntoStaging", Effect: "Allow", Action: restore, Resource: "*", Condition: stagingOnly },
        { Sid: "Attach", Effect: "Allow", Action: "iam:AttachRolePolicy", Resource: "*" },
      ],
    };
    const fs = violations(check(role("restorer", policy)));
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain(`and it can act on production beyond reading snapshots and recovery points: iam:AttachRolePolicy on arn:aws:iam::${ACCOUNT}:role/restorer (its own role: it can give itself any permission, production's included), granted by statement "Attach" (#2) of RolePolicy "restorer-permissions"`);
  });

  it("ignores roles that cannot restore", () => {
    expect(check(role("reader", allow(["rds:Describe*", "dynamodb:GetItem"])))).toEqual([]);
  });

  it("fails a restore without request-tag conditions, naming the statement", () => {
    const fs = violations(check(role("restorer", { Version: "2012-10-17", Statement: [{ Sid: "Restore", Effect: "Allow", Action: restore, Resource: "*" }] })));
    expect(fs).toHaveLength(1);
    expect(fs[0].name).toBe("restorer");
    expect(fs[0].message).toContain("may restore (rds:RestoreDBInstanceFromDBSnapshot, rds:RestoreDBClusterFromSnapshot)");
    expect(fs[0].message).toContain("rds:RestoreDBInstanceFromDBSnapshot into a new database with no tags, tagged only owner=on-call (no environment tag), tagged environment=prod and 35 more tag sets");
    expect(fs[0].message).toContain('granted by statement "Restore" (#1) of RolePolicy "restorer-permissions"');
  });

  it("fails the ForAllValues trap: a restore with no tags passes it", () => {
    const trap = allow(restore, "*", { Condition: { "ForAllValues:StringEquals": { "aws:RequestTag/environment": ["staging", "dev"] } } });
    const fs = violations(check(role("restorer", trap)));
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain("into a new database with no tags");
  });

  it("fails a case-sensitive StringNotEquals on the request tag", () => {
    const notProd = allow(restore, "*", { Condition: { StringNotEquals: { "aws:RequestTag/environment": "production" } } });
    const fs = violations(check(role("restorer", notProd)));
    expect(fs).toHaveLength(1);
    // A missing tag passes StringNotEquals, and so do other spellings of production.
    expect(fs[0].message).toContain("rds:RestoreDBInstanceFromDBSnapshot into a new database with no tags, tagged only owner=on-call (no environment tag), tagged environment=prod");
    expect(fs[0].message).toMatch(/and \d+ more tag sets/);
    expect(fs[0].message).not.toContain("tagged environment=production,");
  });

  it("fails a restore role that requires only an unrelated tag", () => {
    const ownerOnly = allow(restore, "*", { Condition: { StringLike: { "aws:RequestTag/owner": "*" } } });
    const fs = violations(check(role("restorer", ownerOnly)));
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain("into a new database tagged only owner=on-call (no environment tag)");
  });

  it("fails a well-scoped restore role that can also act on production", () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: restore, Resource: "*", Condition: stagingOnly },
        { Sid: "Cleanup", Effect: "Allow", Action: ["rds:DeleteDBInstance"], Resource: `arn:aws:rds:*:${ACCOUNT}:db:*` },
      ],
    };
    const fs = violations(check(role("restorer", policy)));
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain("it can act on production beyond reading snapshots and recovery points: rds:DeleteDBInstance");
    expect(fs[0].message).not.toContain("restore into databases not tagged non-production");
  });

  it("fails a DynamoDB restore role that may write production tables", () => {
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["dynamodb:RestoreTableFromBackup", "dynamodb:PutItem", "dynamodb:BatchWriteItem"], Resource: "*" }] };
    const fs = violations(check(role("table-restorer", policy)));
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain("may restore (dynamodb:RestoreTableFromBackup)");
    expect(fs[0].message).toMatch(/dynamodb:PutItem on arn:aws:dynamodb:(\*|us-east-1):111111111111:table\/(\*|carts)/);
    const restoreOnly = { Effect: "Allow", Action: ["dynamodb:RestoreTableFromBackup", "dynamodb:PutItem", "dynamodb:BatchWriteItem"], Resource: [`arn:aws:dynamodb:*:${ACCOUNT}:table/*/backup/*`, `arn:aws:dynamodb:*:${ACCOUNT}:table/restore-*`] };
    // A production table could still be named restore-…: only a Deny on production's tags closes that.
    const byName = violations(check(role("table-restorer", { Version: "2012-10-17", Statement: [restoreOnly] })));
    expect(byName).toHaveLength(1);
    expect(byName[0].message).toContain('resource pattern "arn:aws:dynamodb:*:111111111111:table/restore-*"');
    const denyTagged = (key: string) => ({ Effect: "Deny", Action: "dynamodb:*", Resource: `arn:aws:dynamodb:*:${ACCOUNT}:table/*`, Condition: { StringEqualsIgnoreCase: { [`aws:ResourceTag/${key}`]: ["prod", "production"] } } });
    expect(check(role("table-restorer", { Version: "2012-10-17", Statement: [restoreOnly, denyTagged("environment"), denyTagged("env")] }))).toEqual([]);
  });

  it.each([
    ["AWS Backup's own", "arn:aws:backup:*:*:recovery-point:*"],
    ["RDS snapshots", "arn:aws:rds:*:*:snapshot:awsbackup:*"],
    ["Aurora cluster snapshots", "arn:aws:rds:*:*:cluster-snapshot:awsbackup:*"],
    ["DynamoDB backups", `arn:aws:dynamodb:*:${ACCOUNT}:table/*/backup/*`],
  ])("counts a role that may start AWS Backup restores of recovery points kept as %s as a restore role", (_kept, resource) => {
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "backup:StartRestoreJob", Resource: resource }, { Effect: "Allow", Action: "dynamodb:PutItem", Resource: "*" }] };
    const fs = violations(check(role("backup-restorer", policy)));
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain("may restore (backup:StartRestoreJob)");
    expect(fs[0].message).toMatch(/dynamodb:PutItem on arn:aws:dynamodb:(\*|us-east-1):111111111111:table\/(\*|carts)/);
    // Without the restore grant, item writes alone do not make a restore role.
    expect(check(role("backup-restorer", { Version: "2012-10-17", Statement: [policy.Statement[1]] }))).toEqual([]);
  });

  it("fails AmazonRDSFullAccess as a restore role", () => {
    const fs = violations(check([...role("dba", undefined), attach("dba", "arn:aws:iam::aws:policy/AmazonRDSFullAccess")]));
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain('granted by statement #1 of AWS managed policy "AmazonRDSFullAccess"');
  });

  it("defers when the role's policy is unknown in a preview", () => {
    const fs = check(role("restorer", UNKNOWN.string));
    expect(fs).toHaveLength(1);
    expect(fs[0].deferred).toBe(true);
  });
});
