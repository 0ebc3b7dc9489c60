/**
 * Server faults, against the real pack process: an invalid config is refused by the engine's
 * reconciliation with the schema error; a wrong-typed setting sent straight to `Configure` (past
 * reconciliation) neither crashes the pack nor passes silently; a 50 MB request is answered; 1,000
 * concurrent `Analyze` calls all answer.
 *
 * Message sizes: `@pulumi/policy`'s server raises `grpc.max_receive_message_length` to 400 MB
 * (server.js, maxRPCMessageSize) and the engine's client does the same (rpcutil's 400 MB
 * `grpc.max_receive_message_length` / `max_send_message_length`), mirrored by guard/analyzer-client.ts.
 */
import { PolicyConfigError, reconcilePolicyConfig } from "../../guard/policy-config";
import type { WireResource } from "../../guard/wire";
import { COMPLIANT_RDS_PROPS } from "../helpers/resource-view";
import { type PackSession, of, startPackSession, wireResource } from "../helpers/pack-session";

const STACK = "staging";
const RDS = "aws:rds/instance:Instance";
const goodRds = COMPLIANT_RDS_PROPS;

let pack: PackSession;
beforeAll(async () => {
  pack = await startPackSession(STACK);
});
afterAll(async () => {
  await pack?.close();
});
afterEach(async () => {
  await pack.configure();
});

function schemaError(config: Parameters<typeof reconcilePolicyConfig>[1]): PolicyConfigError {
  try {
    reconcilePolicyConfig(pack.info, config);
  } catch (e) {
    if (e instanceof PolicyConfigError) return e;
    throw e;
  }
  throw new Error("the config was accepted");
}

describe("Configure with an invalid config", () => {
  it("is refused before Configure with the schema error, as the engine refuses it", () => {
    const wrongType = schemaError({ "prod-db-backup-retention": { minBackupRetentionDays: "many" } });
    expect(wrongType.kind).toBe("validation");
    expect(wrongType.message).toContain("minBackupRetentionDays: Invalid type. Expected: integer, given: string");
    const badPattern = schemaError({ "guardrail-settings": { productionAccountIds: ["12345"] } });
    expect(badPattern.kind).toBe("validation");
    expect(badPattern.message).toMatch(/productionAccountIds\.0: Does not match pattern '\^\[0-9\]\{12\}\$'/);
  });

  it("sent raw past reconciliation, a wrong-typed setting is reported as a violation and the default floor still applies", async () => {
    const reconciled = reconcilePolicyConfig(pack.info);
    await pack.client.configure({
      ...reconciled,
      "prod-db-backup-retention": { enforcementLevel: "mandatory", properties: { minBackupRetentionDays: "many" } },
      "guardrail-settings": { enforcementLevel: "mandatory", properties: { ...reconciled["guardrail-settings"]!.properties, productionAccountIds: "111111111111" } },
    });
    const ds = await pack.analyze(wireResource(STACK, RDS, { ...goodRds, backupRetentionPeriod: 3 }, { protect: true }));
    const retention = of(ds, "prod-db-backup-retention").map((d) => d.message);
    expect(retention).toEqual([expect.stringContaining('minBackupRetentionDays is "many"'), expect.stringContaining("backupRetentionPeriod is 3 days, below the floor of 14 days")]);
    expect(of(ds, "prod-db-backup-retention").every((d) => d.enforcementLevel === "mandatory")).toBe(true);
    const stack = await pack.client.analyzeStack([]);
    expect(of(stack, "guardrail-settings")).toEqual([expect.objectContaining({ enforcementLevel: "mandatory", message: expect.stringContaining('guardrail-settings.productionAccountIds is "111111111111"') })]);
  });

  it("sent raw with a misspelt setting, the misspelling is reported", async () => {
    await pack.client.configure({ ...reconcilePolicyConfig(pack.info), "guardrail-settings": { enforcementLevel: "mandatory", properties: { productionAccountIDs: ["111111111111"] } } });
    const stack = await pack.client.analyzeStack([]);
    expect(of(stack, "guardrail-settings").map((d) => d.message)).toEqual([expect.stringContaining('no setting "productionAccountIDs"')]);
  });
});

describe("large and concurrent requests", () => {
  it("answers an Analyze with 50 MB of properties", async () => {
    // 50 properties of 1 MB each, as a resource with large inline documents would carry them.
    const big: Record<string, string> = {};
    for (let i = 0; i < 50; i++) big[`document${i}`] = String.fromCharCode(97 + (i % 26)).repeat(1024 * 1024);
    const ds = await pack.analyze(wireResource(STACK, RDS, { ...goodRds, ...big, deletionProtection: false }, { protect: true }));
    expect(ds.map((d) => d.policyName)).toEqual(["prod-db-deletion-protection"]);
  });

  it("answers 1,000 concurrent Analyze calls, each with its own verdict", async () => {
    const resources: WireResource[] = Array.from({ length: 1_000 }, (_, i) =>
      wireResource(STACK, RDS, { ...goodRds, deletionProtection: i % 2 === 0, identifier: `db${i}` }, { protect: true }, { name: `db${i}` }),
    );
    const answers = await Promise.all(resources.map((r) => pack.analyze(r)));
    expect(answers).toHaveLength(1_000);
    answers.forEach((ds, i) => expect(ds.map((d) => d.policyName)).toEqual(i % 2 === 0 ? [] : ["prod-db-deletion-protection"]));
  });
});
