/**
 * The production reference stack, run through its real entry point (stacks/index.ts, Pulumi.yaml's
 * `main`) under Pulumi mocks with the sample config of Pulumi.production.yaml.
 */
import { acceptsTags, installPulumiMocks, outputValue, projectFile, REPOSITORY_ROOT, stackConfigFromFile } from "../helpers/pulumi-mocks";
import * as fs from "fs";
import * as path from "path";

const config = stackConfigFromFile("production");
const env = installPulumiMocks({ stack: "production", config, accountId: "111111111111" });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const outputs = require("../../stacks/index") as Record<string, Record<string, unknown>>;

beforeAll(async () => {
  await outputValue(outputs.orders.databaseArn as never);
  await env.settle();
});

describe("Pulumi.yaml and Pulumi.production.yaml", () => {
  test("the project runs stacks/index.ts with the Node.js runtime and TypeScript", () => {
    const project = projectFile();
    expect(project.name).toBe("db-guardrails");
    expect(project.runtime).toEqual({ name: "nodejs", options: { typescript: true, packagemanager: "npm" } });
    expect(project.main).toBe("stacks/index.ts");
    expect(fs.existsSync(path.join(REPOSITORY_ROOT, project.main!))).toBe(true);
  });

  test("the stack file gives every setting the project declares, with the declared type", () => {
    for (const [key, schema] of Object.entries(projectFile().config ?? {})) {
      const value = config[`db-guardrails:${key}`];
      expect([key, value === undefined]).toEqual([key, false]);
      if (schema.type === "array") expect(JSON.parse(value).every((v: unknown) => typeof v === schema.items?.type)).toBe(true);
      if (schema.type === "string") expect(typeof value).toBe("string");
    }
  });

  test("the default provider is pinned too (aws:region and aws:allowedAccountIds)", () => {
    expect(config["aws:region"]).toBe("us-east-1");
    expect(JSON.parse(config["aws:allowedAccountIds"])).toEqual(["111111111111"]);
  });
});

describe("production stack", () => {
  test("runs GuardedDatabase for PostgreSQL orders and DynamoDB sessions", () => {
    expect(env.byType("db-guardrails:index:GuardedDatabase").map((r) => r.name).sort()).toEqual(["orders", "sessions"]);
    expect(env.one("aws:rds/instance:Instance", "orders").inputs).toMatchObject({
      engine: "postgres",
      engineVersion: "16.4",
      instanceClass: "db.r6g.large",
      dbName: "orders",
      deletionProtection: true,
      skipFinalSnapshot: false,
      deleteAutomatedBackups: false,
      backupRetentionPeriod: 14,
      multiAz: true,
      storageEncrypted: true,
      manageMasterUserPassword: true,
    });
    expect(env.one("aws:rds/instance:Instance", "orders").protect).toBe(true);
    expect(env.one("aws:dynamodb/table:Table", "sessions").inputs).toMatchObject({ deletionProtectionEnabled: true, pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 35 } });
  });

  test("two providers pinned to the production account, and no resource uses Pulumi's default provider", async () => {
    const providers = env.byType("pulumi:providers:aws");
    expect(providers.map((p) => [p.name, p.inputs.region]).sort()).toEqual([
      ["production", "us-east-1"],
      ["production-copy-region", "us-west-2"],
    ]);
    for (const p of providers) {
      expect(JSON.parse(p.inputs.allowedAccountIds)).toEqual(["111111111111"]);
      expect(JSON.parse(p.inputs.defaultTags)).toEqual({ tags: { environment: "production" } });
    }
    const providerUrns = providers.map((p) => p.urn);
    for (const r of env.resources.filter((x) => x.custom && x.type.startsWith("aws:"))) {
      expect([r.type, r.name, providerUrns.some((u) => r.provider.startsWith(`${u}::`))]).toEqual([r.type, r.name, true]);
    }
    // Invokes (account id, partition) go through the pinned providers as well.
    expect(env.invokes.length).toBeGreaterThan(0);
    for (const call of env.invokes) expect([call.token, providerUrns.some((u) => call.provider.startsWith(`${u}::`))]).toEqual([call.token, true]);
  });

  test("every taggable resource is tagged environment=production", () => {
    for (const r of env.resources.filter((x) => x.custom && x.type.startsWith("aws:") && acceptsTags(x.type))) {
      expect([r.type, r.name, r.inputs.tags?.environment]).toEqual([r.type, r.name, "production"]);
    }
  });

  test("restore principals and alert endpoints come from the stack config", () => {
    const trust = JSON.parse(env.one("aws:iam/role:Role", "orders-restore").inputs.assumeRolePolicy);
    expect(trust.Statement[0].Principal).toEqual({ AWS: ["arn:aws:iam::111111111111:role/oncall-database"] });
    expect(env.one("aws:sns/topicSubscription:TopicSubscription", "orders-alerts-topic-email-0").inputs.endpoint).toBe("database-oncall@example.com");
    const webhook = env.one("aws:sns/topicSubscription:TopicSubscription", "orders-alerts-topic-https-1");
    // Read as a secret, so the token in the URL stays encrypted in the state.
    expect(webhook.inputs.endpoint).toEqual({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "https://chat.example.com/hooks/database-alerts" });
    expect(env.byType("db-guardrails:index:BreakGlassRole")).toHaveLength(0);
  });

  test("the copies go to the second region in the same account", () => {
    const copyVault = env.one("aws:backup/vault:Vault", "orders-backups-copy-vault");
    expect(env.regionOf(copyVault)).toBe("us-west-2");
  });

  test("exports endpoint, ARNs, role ARN, topic ARN and worst-case RPO of each database", async () => {
    expect(Object.keys(outputs).sort()).toEqual(["orders", "sessions"]);
    expect(await outputValue(outputs.orders.endpoint as never)).toBe("orders.c0ffee.us-east-1.rds.amazonaws.com:5432");
    expect(await outputValue(outputs.orders.databaseArn as never)).toBe("arn:aws:rds:us-east-1:111111111111:db:orders");
    expect(await outputValue(outputs.orders.restoreRoleArn as never)).toBe("arn:aws:iam::111111111111:role/orders-restore");
    expect(await outputValue(outputs.orders.alertTopicArn as never)).toBe("arn:aws:sns:us-east-1:111111111111:orders-alerts-topic");
    expect(outputs.orders.worstCaseRpoMinutes).toBe(5);
    expect(await outputValue(outputs.sessions.databaseArn as never)).toBe("arn:aws:dynamodb:us-east-1:111111111111:table/sessions");
    expect(outputs.sessions.worstCaseRpoMinutes).toBe(5);
  });
});
