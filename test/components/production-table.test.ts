/** ProductionTable under Pulumi mocks: every guardrail as registered and every floor refused. */
import { installPulumiMocks, outputValue } from "../helpers/pulumi-mocks";

const env = installPulumiMocks();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ProductionTable } = require("../../components/production-table") as typeof import("../../components/production-table");
type Args = import("../../components/production-table").ProductionTableArgs;

const TABLE = "aws:dynamodb/table:Table";
const base: Args = { hashKey: "id", attributes: [{ name: "id", type: "S" }] };

beforeEach(() => env.reset());

async function create(name: string, args: Partial<Args> = {}) {
  const table = new ProductionTable(name, { ...base, ...args });
  await outputValue(table.urn);
  await env.settle();
  return table;
}

describe("ProductionTable with every default", () => {
  test("deletion protection, 35 days of point-in-time recovery, its own KMS key, protect, restore fields ignored", async () => {
    const component = await create("sessions", { tags: { team: "web" } });
    const table = env.one(TABLE, "sessions");
    const key = env.one("aws:kms/key:Key", "sessions-key");
    expect(table.inputs).toMatchObject({
      name: "sessions",
      hashKey: "id",
      billingMode: "PAY_PER_REQUEST",
      deletionProtectionEnabled: true,
      pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 35 },
      serverSideEncryption: { enabled: true, kmsKeyArn: key.state.arn },
      tags: { environment: "production", team: "web" },
    });
    expect(table.protect).toBe(true);
    expect([...table.ignoreChanges].sort()).toEqual(["importTable", "restoreBackupArn", "restoreDateTime", "restoreSourceName", "restoreSourceTableArn", "restoreToLatestTime"]);
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30, tags: { environment: "production", team: "web" } });
    expect(key.protect).toBe(true);
    const self = env.one("db-guardrails:index:ProductionTable", "sessions");
    for (const child of env.descendantsOf(self.urn)) expect(child.parent).toBe(self.urn);
    expect(env.descendantsOf(self.urn)).toHaveLength(2);
    expect(await outputValue(component.arn)).toBe(`arn:aws:dynamodb:us-east-1:${env.accountId}:table/sessions`);
  });

  test("a restored table keeps its restore source out of later diffs", async () => {
    await create("sessions-restored", { restoreSourceTableArn: "arn:aws:dynamodb:us-east-1:111111111111:table/sessions", restoreToLatestTime: true });
    const table = env.one(TABLE, "sessions-restored");
    expect(table.inputs).toMatchObject({ restoreSourceTableArn: "arn:aws:dynamodb:us-east-1:111111111111:table/sessions", restoreToLatestTime: true });
    expect(table.ignoreChanges).toEqual(expect.arrayContaining(["restoreSourceTableArn", "restoreToLatestTime"]));
  });

  test("a shorter window above the floor is kept; provisioned capacity passes through", async () => {
    await create("carts", { pointInTimeRecoveryDays: 14, billingMode: "PROVISIONED", readCapacity: 5, writeCapacity: 5 });
    expect(env.one(TABLE, "carts").inputs).toMatchObject({ pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 14 }, readCapacity: 5, writeCapacity: 5 });
  });
});

describe("ProductionTable floors", () => {
  const floors: { title: string; args: Record<string, unknown>; argument: string; floor: RegExp }[] = [
    { title: "deletion protection off", args: { deletionProtectionEnabled: false }, argument: "deletionProtectionEnabled", floor: /true \(the only accepted value\)/ },
    { title: "point-in-time recovery off", args: { pointInTimeRecoveryEnabled: false }, argument: "pointInTimeRecoveryEnabled", floor: /true \(the only accepted value\)/ },
    { title: "13 days of point-in-time recovery", args: { pointInTimeRecoveryDays: 13 }, argument: "pointInTimeRecoveryDays", floor: /between 14 and 35 days/ },
    { title: "36 days (above DynamoDB's maximum)", args: { pointInTimeRecoveryDays: 36 }, argument: "pointInTimeRecoveryDays", floor: /between 14 and 35 days/ },
    { title: "encryption off", args: { serverSideEncryptionEnabled: false }, argument: "serverSideEncryptionEnabled", floor: /true \(the only accepted value\)/ },
  ];
  test.each(floors)("$title throws, naming the argument and the floor, before registering anything", async ({ args, argument, floor }) => {
    let error: Error | undefined;
    try {
      new ProductionTable("sessions", { ...base, ...(args as object) });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.name).toBe("GuardrailFloorError");
    expect(error?.message).toContain(`ProductionTable "sessions": ${argument} = `);
    expect(error?.message).toMatch(floor);
    await env.settle();
    expect(env.resources).toHaveLength(0);
  });

  test("bad input is refused", () => {
    expect(() => new ProductionTable("ab", base)).toThrow(/tableName = "ab" is invalid/);
    expect(() => new ProductionTable("sessions", { ...base, attributes: [] })).toThrow(/attributes must list the key attributes/);
    expect(() => new ProductionTable("sessions", { ...base, rangeKey: "ts" })).toThrow(/must define the key attribute "ts"/);
    expect(() => new ProductionTable("sessions", { ...base, attributes: [{ name: "id", type: "X" as never }] })).toThrow(/attributes\[0\] must be/);
    expect(() => new ProductionTable("sessions", { ...base, billingMode: "PROVISIONED" })).toThrow(/readCapacity is required when billingMode is PROVISIONED/);
    expect(() => new ProductionTable("sessions", base, { protect: false })).toThrow(/opts\.protect = false is not allowed/);
    expect(() => new ProductionTable("sessions", { ...base, environment: "staging", tags: { env: "production" } })).toThrow(/contradicts environment "staging"/);
  });
});
