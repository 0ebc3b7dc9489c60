/**
 * backup-restore-testing, called directly on stack views: restore testing selections by ARN,
 * wildcard with conditions, resource type per database kind, and unknowns.
 */
import { UNKNOWN } from "../../guard/wire";
import type { Finding } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { backupRestoreTesting } from "../../policies/rules/backup-restore-testing";
import { CLUSTER, PROD, RDS, RT_PLAN, RT_SELECTION, type StackResourceSpec, TABLE, prodRds, stackView } from "../helpers/stack-view";

function check(resources: StackResourceSpec[], providers?: Record<string, Record<string, unknown>>): Finding[] {
  return backupRestoreTesting.check(stackView({ resources, providers }), {}, DEFAULT_SETTINGS as SharedSettings);
}
const violations = (fs: Finding[]) => fs.filter((f) => !f.deferred);
const deferred = (fs: Finding[]) => fs.filter((f) => f.deferred);

const rtPlan: StackResourceSpec = { type: RT_PLAN, name: "restore-tests", props: { name: "restore_tests", scheduleExpression: "cron(0 1 ? * SUN *)" } };
function rtSelection(props: Record<string, unknown>, deps: Record<string, string[]> = {}, name = "rt"): StackResourceSpec {
  return { type: RT_SELECTION, name, props: { restoreTestingPlanName: "restore_tests", iamRoleArn: "arn:aws:iam::111111111111:role/r", ...props }, propertyDependencies: deps };
}

describe("backup-restore-testing", () => {
  it("passes a database listed by ARN dependency, and databases picked by * with matching conditions", () => {
    expect(check([prodRds("orders"), rtPlan, rtSelection({ protectedResourceType: "RDS", protectedResourceArns: [UNKNOWN.string] }, { protectedResourceArns: ["orders"] })])).toEqual([]);
    const byTag = rtSelection({ protectedResourceType: "DynamoDB", protectedResourceArns: ["*"], protectedResourceConditions: { stringEquals: [{ key: "aws:ResourceTag/environment", value: "production" }] } });
    expect(check([{ type: TABLE, name: "carts", props: { name: "carts", tags: PROD } }, rtPlan, byTag])).toEqual([]);
  });

  it("expects Aurora for an Aurora cluster and RDS for another cluster", () => {
    const aurora = { type: CLUSTER, name: "ledger", props: { clusterIdentifier: "ledger", engine: "aurora-postgresql", tags: PROD } };
    expect(check([aurora, rtPlan, rtSelection({ protectedResourceType: "Aurora", protectedResourceArns: ["*"] })])).toEqual([]);
    const fs = check([aurora, rtPlan, rtSelection({ protectedResourceType: "RDS", protectedResourceArns: ["*"] })]);
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0].message).toContain('protectedResourceType "Aurora"');
    const multiAz = { ...aurora, props: { ...aurora.props, engine: "postgres" } };
    expect(check([multiAz, rtPlan, rtSelection({ protectedResourceType: "RDS", protectedResourceArns: ["*"] })])).toEqual([]);
  });

  it("fails when there is no restore testing selection at all", () => {
    const fs = check([prodRds("orders")]);
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0].message).toContain('RDS instance "orders": no AWS Backup restore testing selection exists in this stack');
    expect(fs[0].message).toContain('protectedResourceType: "RDS" and protectedResourceArns: [orders.arn]');
  });

  it("fails when conditions do not hold (case-sensitively), when the ARN is another database's, or the Region differs", () => {
    const conditions = { stringEquals: [{ key: "aws:ResourceTag/environment", value: "Production" }] };
    expect(violations(check([prodRds("orders"), rtPlan, rtSelection({ protectedResourceType: "RDS", protectedResourceArns: ["*"], protectedResourceConditions: conditions })]))).toHaveLength(1);
    expect(violations(check([prodRds("orders"), rtPlan, rtSelection({ protectedResourceType: "RDS", protectedResourceArns: ["arn:aws:rds:us-east-1:111111111111:db:users"] })]))).toHaveLength(1);
    const west = { west: { region: "us-west-2", allowedAccountIds: '["111111111111"]' } };
    expect(violations(check([prodRds("orders"), rtPlan, { ...rtSelection({ protectedResourceType: "RDS", protectedResourceArns: ["*"] }), provider: "west" }], west))).toHaveLength(1);
  });

  it("passes a selection given only conditions (ProtectedResourceArns and conditions are alternatives), not one given neither", () => {
    const conditions = { stringNotEquals: [{ key: "aws:ResourceTag/restore-test", value: "skip" }] };
    expect(check([prodRds("orders"), rtPlan, rtSelection({ protectedResourceType: "RDS", protectedResourceConditions: conditions })])).toEqual([]);
    expect(violations(check([prodRds("orders"), rtPlan, rtSelection({ protectedResourceType: "RDS" })]))).toHaveLength(1);
  });

  it("defers unknown ARNs without a dependency, an unknown cluster engine, and an unknown resource type", () => {
    const fs = check([prodRds("orders"), rtPlan, rtSelection({ protectedResourceType: "RDS", protectedResourceArns: [UNKNOWN.string] })]);
    expect(violations(fs)).toEqual([]);
    expect(deferred(fs)[0].message).toContain("whether a restore testing selection covers it");
    const cluster = { type: CLUSTER, name: "ledger", props: { clusterIdentifier: "ledger", engine: UNKNOWN.string, tags: PROD } };
    expect(deferred(check([cluster, rtPlan, rtSelection({ protectedResourceType: "Aurora", protectedResourceArns: ["*"] })]))).toHaveLength(1);
    expect(deferred(check([prodRds("orders"), rtPlan, rtSelection({ protectedResourceType: UNKNOWN.string, protectedResourceArns: ["*"] })]))).toHaveLength(1);
  });

  it("reads wrong types without throwing and does not judge non-production databases", () => {
    expect(violations(check([prodRds("orders"), rtPlan, rtSelection({ protectedResourceType: 7, protectedResourceArns: "*", protectedResourceConditions: [] })]))).toHaveLength(1);
    expect(check([{ type: RDS, name: "scratch", props: { identifier: "scratch", tags: {} } }])).toEqual([]);
  });
});
