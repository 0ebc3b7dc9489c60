/**
 * ProductionDatabase under Pulumi mocks: every guardrail as registered, every floor refused with a
 * message that names the argument and the floor, and nothing registered when an argument is refused.
 */
import { installPulumiMocks, outputValue } from "../helpers/pulumi-mocks";

const env = installPulumiMocks();
// Loaded after the mocks are installed, as a Pulumi program would be.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const db = require("../../components/production-database") as typeof import("../../components/production-database");
const { ProductionDatabase } = db;

const INSTANCE = "aws:rds/instance:Instance";
const CLUSTER = "aws:rds/cluster:Cluster";
const CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const KEY = "aws:kms/key:Key";

beforeEach(() => env.reset());

async function create(name: string, args: Partial<import("../../components/production-database").ProductionDatabaseArgs> = {}) {
  const component = new ProductionDatabase(name, { engine: "postgres", instanceClass: "db.r6g.large", ...args });
  await outputValue(component.urn);
  await env.settle();
  return component;
}

describe("ProductionDatabase: PostgreSQL instance with every default", () => {
  test("registers the component with its type token and an instance carrying every guardrail", async () => {
    const component = await create("orders", { tags: { team: "payments" } });
    const self = env.one("db-guardrails:index:ProductionDatabase", "orders");
    expect(self.urn).toBe(await outputValue(component.urn));

    const instance = env.one(INSTANCE, "orders");
    expect(instance.inputs).toMatchObject({
      identifier: "orders",
      engine: "postgres",
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "orders-final",
      deleteAutomatedBackups: false,
      backupRetentionPeriod: 14,
      storageEncrypted: true,
      copyTagsToSnapshot: true,
      manageMasterUserPassword: true,
      multiAz: true,
      publiclyAccessible: false,
      enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
      username: "dbadmin",
    });
    // No password in any form, anywhere in the inputs.
    for (const key of ["password", "passwordWo", "masterPassword"]) expect(instance.inputs[key]).toBeUndefined();
    const key = env.one(KEY, "orders-key");
    expect(instance.inputs.kmsKeyId).toBe(key.state.arn);
    expect(instance.inputs.masterUserSecretKmsKeyId).toBe(key.state.arn);
  });

  test("protects the database and its key, and ignores the restore fields", async () => {
    await create("orders");
    const instance = env.one(INSTANCE, "orders");
    expect(instance.protect).toBe(true);
    expect([...instance.ignoreChanges].sort()).toEqual(["restoreToPointInTime", "snapshotIdentifier"]);
    expect(env.one(KEY, "orders-key").protect).toBe(true);
  });

  test("the KMS key rotates and waits 30 days before deletion", async () => {
    await create("orders");
    const key = env.one(KEY, "orders-key");
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(key.inputs.deletionWindowInDays).toBe(30);
    const policy = JSON.parse(key.inputs.policy);
    expect(policy.Statement).toEqual([
      { Sid: "AccountAdministersKeyThroughIam", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${env.accountId}:root` }, Action: ["kms:*"], Resource: "*" },
    ]);
  });

  test("every child is parented to the component and tagged environment=production plus the caller's tags", async () => {
    await create("orders", { tags: { team: "payments" } });
    const self = env.one("db-guardrails:index:ProductionDatabase", "orders");
    const children = env.descendantsOf(self.urn);
    expect(children.map((c) => c.type).sort()).toEqual([INSTANCE, KEY].sort());
    for (const child of children) {
      expect(child.parent).toBe(self.urn);
      expect(child.inputs.tags).toEqual({ environment: "production", team: "payments" });
    }
  });

  test("outputs the endpoint, ARN and master secret from the instance", async () => {
    const component = await create("orders");
    expect(await outputValue(component.endpoint)).toBe("orders.c0ffee.us-east-1.rds.amazonaws.com:5432");
    expect(await outputValue(component.arn)).toBe(`arn:aws:rds:us-east-1:${env.accountId}:db:orders`);
    expect(await outputValue(component.masterUserSecretArn)).toBe(`arn:aws:secretsmanager:us-east-1:${env.accountId}:secret:rds!db-orders`);
    expect(component.guardrails.backupRetentionPeriod).toBe(14);
  });

  test("values above the floor are kept", async () => {
    await create("ledger", { backupRetentionPeriod: 35, enabledCloudwatchLogsExports: ["postgresql", "upgrade", "iam-db-auth-error"] });
    const instance = env.one(INSTANCE, "ledger");
    expect(instance.inputs.backupRetentionPeriod).toBe(35);
    expect(instance.inputs.enabledCloudwatchLogsExports).toEqual(["postgresql", "upgrade", "iam-db-auth-error"]);
  });
});

describe("ProductionDatabase: restored databases", () => {
  test("a database created from a snapshot keeps the snapshot out of later diffs and takes no master user name", async () => {
    await create("orders-restored", { identifier: "orders-restored", snapshotIdentifier: "orders-2024-05-01" });
    const instance = env.one(INSTANCE, "orders-restored");
    expect(instance.inputs.snapshotIdentifier).toBe("orders-2024-05-01");
    expect(instance.inputs.username).toBeUndefined();
    expect(instance.ignoreChanges).toEqual(expect.arrayContaining(["snapshotIdentifier", "restoreToPointInTime"]));
    expect(instance.protect).toBe(true);
  });

  test("a point-in-time restore is ignored after creation too", async () => {
    await create("orders-pitr", { restoreToPointInTime: { sourceDbInstanceIdentifier: "orders", useLatestRestorableTime: true } });
    const instance = env.one(INSTANCE, "orders-pitr");
    expect(instance.inputs.restoreToPointInTime).toEqual({ sourceDbInstanceIdentifier: "orders", useLatestRestorableTime: true });
    expect(instance.ignoreChanges).toEqual(expect.arrayContaining(["restoreToPointInTime", "snapshotIdentifier"]));
  });
});

describe("ProductionDatabase: MySQL and Aurora", () => {
  test("MySQL exports its error, general and slow query logs by default", async () => {
    await create("inventory", { engine: "mysql" });
    expect(env.one(INSTANCE, "inventory").inputs.enabledCloudwatchLogsExports).toEqual(["error", "general", "slowquery"]);
  });

  test("Aurora PostgreSQL: a protected cluster with every guardrail and two protected instances", async () => {
    const component = await create("billing", { engine: "aurora-postgresql", tags: { team: "billing" } });
    const cluster = env.one(CLUSTER, "billing");
    expect(cluster.inputs).toMatchObject({
      clusterIdentifier: "billing",
      engine: "aurora-postgresql",
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "billing-final",
      deleteAutomatedBackups: false,
      backupRetentionPeriod: 14,
      storageEncrypted: true,
      copyTagsToSnapshot: true,
      manageMasterUserPassword: true,
      enabledCloudwatchLogsExports: ["postgresql"],
      masterUsername: "dbadmin",
      tags: { environment: "production", team: "billing" },
    });
    expect(cluster.protect).toBe(true);
    expect([...cluster.ignoreChanges].sort()).toEqual(["restoreToPointInTime", "snapshotIdentifier"]);
    const instances = env.byType(CLUSTER_INSTANCE);
    expect(instances.map((i) => i.inputs.identifier).sort()).toEqual(["billing-1", "billing-2"]);
    for (const instance of instances) {
      expect(instance.protect).toBe(true);
      expect(instance.inputs).toMatchObject({ clusterIdentifier: "billing", publiclyAccessible: false, engine: "aurora-postgresql", tags: { environment: "production", team: "billing" } });
      expect(instance.parent).toBe(env.one("db-guardrails:index:ProductionDatabase", "billing").urn);
    }
    expect(await outputValue(component.clusterIdentifier!)).toBe("billing");
    expect(component.instanceIdentifiers).toHaveLength(2);
    expect(await outputValue(component.resourceArns[0])).toBe(`arn:aws:rds:us-east-1:${env.accountId}:cluster:billing`);
  });

  test("Aurora takes more readers when asked", async () => {
    await create("billing3", { engine: "aurora-mysql", clusterInstanceCount: 3 });
    expect(env.byType(CLUSTER_INSTANCE)).toHaveLength(3);
    expect(env.one(CLUSTER, "billing3").inputs.enabledCloudwatchLogsExports).toEqual(["error", "slowquery"]);
  });
});

describe("ProductionDatabase: floors", () => {
  const floors: { title: string; args: Record<string, unknown>; argument: string; floor: RegExp }[] = [
    { title: "deletion protection off", args: { deletionProtection: false }, argument: "deletionProtection", floor: /true \(the only accepted value\)/ },
    { title: "skipping the final snapshot", args: { skipFinalSnapshot: true }, argument: "skipFinalSnapshot", floor: /false \(the only accepted value\)/ },
    { title: "deleting automated backups", args: { deleteAutomatedBackups: true }, argument: "deleteAutomatedBackups", floor: /false \(the only accepted value\)/ },
    { title: "13 days of backups", args: { backupRetentionPeriod: 13 }, argument: "backupRetentionPeriod", floor: /between 14 and 35 days/ },
    { title: "0 days of backups", args: { backupRetentionPeriod: 0 }, argument: "backupRetentionPeriod", floor: /between 14 and 35 days/ },
    { title: "36 days of backups (above AWS's maximum)", args: { backupRetentionPeriod: 36 }, argument: "backupRetentionPeriod", floor: /between 14 and 35 days/ },
    { title: "a fractional retention", args: { backupRetentionPeriod: 14.5 }, argument: "backupRetentionPeriod", floor: /a whole number between 14 and 35 days/ },
    { title: "a retention given as text", args: { backupRetentionPeriod: "30" }, argument: "backupRetentionPeriod", floor: /a whole number between 14 and 35 days/ },
    { title: "unencrypted storage", args: { storageEncrypted: false }, argument: "storageEncrypted", floor: /true \(the only accepted value\)/ },
    { title: "tags not copied to snapshots", args: { copyTagsToSnapshot: false }, argument: "copyTagsToSnapshot", floor: /true \(the only accepted value\)/ },
    { title: "a password managed outside RDS", args: { manageMasterUserPassword: false }, argument: "manageMasterUserPassword", floor: /true \(the only accepted value\)/ },
    { title: "single-AZ", args: { multiAz: false }, argument: "multiAz", floor: /true \(the only accepted value\)/ },
    { title: "a public address", args: { publiclyAccessible: true }, argument: "publiclyAccessible", floor: /false \(the only accepted value\)/ },
    { title: "no log exports", args: { enabledCloudwatchLogsExports: [] }, argument: "enabledCloudwatchLogsExports", floor: /includes "postgresql"/ },
    { title: "log exports without the main log", args: { enabledCloudwatchLogsExports: ["upgrade"] }, argument: "enabledCloudwatchLogsExports", floor: /includes "postgresql"/ },
    { title: "an Aurora cluster with one instance", args: { engine: "aurora-postgresql", clusterInstanceCount: 1 }, argument: "clusterInstanceCount", floor: /between 2 and 16 instances/ },
  ];

  test.each(floors)("$title throws, naming the component, the argument, the value and the floor", async ({ args, argument, floor }) => {
    const before = env.resources.length;
    let error: Error | undefined;
    try {
      new ProductionDatabase("orders", { engine: "postgres", instanceClass: "db.r6g.large", ...(args as object) });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.name).toBe("GuardrailFloorError");
    expect(error?.message).toContain('ProductionDatabase "orders"');
    expect(error?.message).toContain(`${argument} = `);
    expect(error?.message).toMatch(floor);
    expect(error?.message).toContain("the floor is");
    await env.settle();
    // Checked before registration: nothing at all is created.
    expect(env.resources.length).toBe(before);
  });

  test("the same floors apply to a staging database", () => {
    expect(() => new ProductionDatabase("orders", { engine: "postgres", instanceClass: "db.t4g.medium", environment: "staging", deletionProtection: false })).toThrow(
      /deletionProtection = false is not allowed; the floor is true/,
    );
  });

  test("a plaintext password is refused", () => {
    expect(() => new ProductionDatabase("orders", { engine: "postgres", instanceClass: "db.r6g.large", password: "hunter2" } as never)).toThrow(/password is not accepted/);
    expect(() => new ProductionDatabase("billing", { engine: "aurora-mysql", instanceClass: "db.r6g.large", masterPassword: "hunter2" } as never)).toThrow(/masterPassword is not accepted/);
  });

  test("protect: false on the component is refused", () => {
    expect(() => new ProductionDatabase("orders", { engine: "postgres", instanceClass: "db.r6g.large" }, { protect: false })).toThrow(/opts\.protect = false is not allowed/);
  });

  test("the environment tag cannot be overridden through tags, in any spelling", () => {
    expect(() => new ProductionDatabase("orders", { engine: "postgres", instanceClass: "db.r6g.large", tags: { environment: "staging" } })).toThrow(/tags\.environment = "staging" contradicts environment "production"/);
    expect(() => new ProductionDatabase("orders", { engine: "postgres", instanceClass: "db.r6g.large", tags: { Env: "dev" } })).toThrow(/tags\.Env = "dev" contradicts/);
    expect(() => new ProductionDatabase("orders", { engine: "postgres", instanceClass: "db.r6g.large", tags: { "db-guardrails:break-glass": "true" } })).toThrow(/reserved for the break-glass role/);
  });

  test("bad input is refused, never passed through", () => {
    expect(() => new ProductionDatabase("orders", { engine: "oracle-ee" as never, instanceClass: "db.r6g.large" })).toThrow(/engine = "oracle-ee" is not supported/);
    expect(() => new ProductionDatabase("Orders_DB", { engine: "postgres", instanceClass: "db.r6g.large" })).toThrow(/identifier = "orders_db" is invalid/);
    expect(() => new ProductionDatabase("orders", { engine: "postgres", instanceClass: "db.r6g.large", identifier: "orders--1" })).toThrow(/identifier = "orders--1" is invalid/);
    expect(() => new ProductionDatabase("orders", { engine: "postgres", instanceClass: "" })).toThrow(/instanceClass is required/);
    expect(() => new ProductionDatabase("orders", { engine: "postgres", instanceClass: "db.r6g.large", enabledCloudwatchLogsExports: ["postgresql", "slowquery"] })).toThrow(/not "slowquery"/);
    expect(() => new ProductionDatabase("orders", { engine: "aurora-postgresql", instanceClass: "db.r6g.large", allocatedStorage: 100 })).toThrow(/allocatedStorage applies to an RDS instance/);
    expect(() => new ProductionDatabase("orders", { engine: "postgres", instanceClass: "db.r6g.large", clusterInstanceCount: 2 })).toThrow(/clusterInstanceCount applies to Aurora only/);
  });
});
