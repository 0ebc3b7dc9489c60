/**
 * The reference production stack as the engine would send it (captured under mocks, in preview),
 * judged by the real pack over gRPC: it passes with no violation, its recovery table matches the
 * components' own RPO output, and each copy of it with one guardrail weakened fails with exactly
 * the rule id that guards it. Every rule is exercised here through the analyzer protocol.
 */
import * as path from "path";
import { type AnalyzeDiagnostic, type PolicyPackClient, runEngineSequence, startPolicyPack } from "../../guard/analyzer-client";
import { captureStack } from "../../guard/capture";
import type { PolicyPackConfigFile } from "../../guard/policy-config";
import { recoveryRowsFor } from "../../guard/recovery-table";
import { findingKindOf } from "../../guard/run";
import type { WireResource } from "../../guard/wire";
import { installPulumiMocks, outputValue, stackConfigFromFile } from "../helpers/pulumi-mocks";

const ROOT = path.resolve(__dirname, "../..");
const STACK = "production";

let resources: WireResource[];
let pack: PolicyPackClient;
let componentOutputs: Record<string, Record<string, unknown>>;

beforeAll(async () => {
  const env = installPulumiMocks({ stack: STACK, config: stackConfigFromFile(STACK), accountId: "111111111111" });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  componentOutputs = require("../../stacks/index") as Record<string, Record<string, unknown>>;
  await outputValue(componentOutputs.orders!.databaseArn as never);
  await env.settle();
  const [capture, started] = await Promise.all([
    captureStack({ projectDir: ROOT, stack: STACK }),
    startPolicyPack({ packDir: path.join(ROOT, "policies"), project: "db-guardrails", stack: STACK }),
  ]);
  if (capture.error) throw new Error(capture.error.message);
  resources = capture.resources;
  pack = started;
}, 60_000);
afterAll(async () => {
  await pack?.close();
});

/** A deep copy of the stack with `change` applied to the named resource. */
function weakened(type: string, name: string, change: (r: WireResource) => void): WireResource[] {
  const copy = JSON.parse(JSON.stringify(resources)) as WireResource[];
  const target = copy.find((r) => r.type === type && r.name === name);
  if (!target) throw new Error(`no ${type} ${name} in the reference stack`);
  change(target);
  return copy;
}
function without(type: string, names: string[]): WireResource[] {
  return (JSON.parse(JSON.stringify(resources)) as WireResource[]).filter((r) => !(r.type === type && names.includes(r.name)));
}

async function judge(stack: WireResource[], policyConfig?: PolicyPackConfigFile): Promise<AnalyzeDiagnostic[]> {
  const seq = await runEngineSequence(pack, { resources: stack, policyConfig });
  return [...seq.resources.flatMap((r) => r.diagnostics), ...seq.stackDiagnostics];
}
const violations = (ds: AnalyzeDiagnostic[]) => ds.filter((d) => findingKindOf(d.message) === "violation");
const ruleIds = (ds: AnalyzeDiagnostic[]) => [...new Set(violations(ds).map((d) => d.policyName))].sort();

const RDS = "aws:rds/instance:Instance";
const TABLE = "aws:dynamodb/table:Table";

describe("the production reference stack through the pack", () => {
  it("passes with no violation at all", async () => {
    expect(violations(await judge(resources))).toEqual([]);
  });

  it("its recovery table matches the components' own worst-case RPO output", async () => {
    const seq = await runEngineSequence(pack, { resources });
    const rows = recoveryRowsFor(seq.resources.map((r) => r.resource), STACK, seq.config);
    const byName = Object.fromEntries(rows.map((r) => [r.resource.name, r.worstCaseRpoMinutes]));
    expect(byName).toEqual({
      orders: componentOutputs.orders!.worstCaseRpoMinutes,
      sessions: componentOutputs.sessions!.worstCaseRpoMinutes,
    });
    expect(rows.every((r) => r.status === "ok")).toBe(true);
  });

  const cases: Array<[string, () => WireResource[], string[]]> = [
    ["deletion protection off", () => weakened(RDS, "orders", (r) => (r.properties.deletionProtection = false)), ["prod-db-deletion-protection"]],
    ["DynamoDB deletion protection off", () => weakened(TABLE, "sessions", (r) => (r.properties.deletionProtectionEnabled = false)), ["prod-db-deletion-protection"]],
    ["protect dropped", () => weakened(RDS, "orders", (r) => (r.options!.protect = false)), ["prod-db-protect"]],
    ["final snapshot skipped", () => weakened(RDS, "orders", (r) => (r.properties.skipFinalSnapshot = true)), ["prod-db-final-snapshot"]],
    ["retention cut to 3 days", () => weakened(RDS, "orders", (r) => (r.properties.backupRetentionPeriod = 3)), ["prod-db-backup-retention"]],
    ["a restore written into the live database", () => weakened(RDS, "orders", (r) => {
      r.properties.snapshotIdentifier = "orders-2026-11-24";
      r.options!.ignoreChanges = [];
    }), ["prod-db-no-in-place-restore"]],
    ["a guardrail put in ignoreChanges", () => weakened(RDS, "orders", (r) => r.options!.ignoreChanges!.push("backupRetentionPeriod")), ["prod-db-no-ignored-guardrails"]],
    ["storage unencrypted", () => weakened(RDS, "orders", (r) => (r.properties.storageEncrypted = false)), ["prod-db-encrypted"]],
    ["tags not copied to snapshots", () => weakened(RDS, "orders", (r) => (r.properties.copyTagsToSnapshot = false)), ["prod-db-copy-tags-to-snapshot"]],
    ["no backup selection for orders", () => without("aws:backup/selection:Selection", ["orders-backups-snapshots", "orders-backups-continuous"]), ["prod-db-backup-coverage"]],
    [
      "only a daily snapshot, and backups deleted with the database",
      () => {
        const s = weakened(RDS, "orders", (r) => (r.properties.deleteAutomatedBackups = true)).filter((r) => !(r.type === "aws:backup/selection:Selection" && r.name === "orders-backups-continuous"));
        const plan = s.find((r) => r.name === "orders-backups-snapshots")!;
        (plan.properties.rules as Array<Record<string, unknown>>).forEach((rule) => (rule.schedule = "cron(0 3 * * ? *)"));
        return s;
      },
      ["prod-db-final-snapshot", "prod-db-rpo"],
    ],
    ["vault lock removed", () => without("aws:backup/vaultLockConfiguration:VaultLockConfiguration", ["orders-backups-vault-lock"]), ["backup-vault-lock"]],
    [
      "no copy to the second region",
      () => {
        const s = JSON.parse(JSON.stringify(resources)) as WireResource[];
        for (const plan of s.filter((r) => r.type === "aws:backup/plan:Plan" && r.name.startsWith("orders"))) {
          for (const rule of plan.properties.rules as Array<Record<string, unknown>>) delete rule.copyActions;
        }
        return s;
      },
      ["backup-offsite-copy"],
    ],
    ["restore testing removed", () => without("aws:backup/restoreTestingSelection:RestoreTestingSelection", ["orders-backups-restore-testing-orders"]), ["backup-restore-testing"]],
    ["event subscription removed", () => without("aws:rds/eventSubscription:EventSubscription", ["orders-alerts-instances"]), ["prod-db-event-alerts"]],
    ["provider no longer pinned", () => weakened("pulumi:providers:aws", "production", (r) => delete r.properties.allowedAccountIds), ["aws-provider-account-pinned"]],
  ];

  it.each(cases)("%s fails with exactly its rule id", async (_label, make, expected) => {
    expect(ruleIds(await judge(make()))).toEqual(expected);
  });

  it("an expired waiver in the config file fails guardrail-settings", async () => {
    const config = { "guardrail-settings": { waivers: [{ rule: "prod-db-rpo", resource: "orders", owner: "team-data", reason: "Nightly batch only until the migration lands", expires: "2020-01-31" }] } };
    expect(ruleIds(await judge(resources, config))).toEqual(["guardrail-settings"]);
  });
});

describe("IAM rules through the pack", () => {
  const role = (name: string, trust: unknown, extra: Partial<WireResource["properties"]> = {}): WireResource => ({
    type: "aws:iam/role:Role",
    name,
    urn: `urn:pulumi:${STACK}::db-guardrails::aws:iam/role:Role::${name}`,
    properties: { name, assumeRolePolicy: JSON.stringify(trust), ...extra },
    options: {},
  });
  const inline = (roleName: string, name: string, policy: unknown): WireResource => ({
    type: "aws:iam/rolePolicy:RolePolicy",
    name,
    urn: `urn:pulumi:${STACK}::db-guardrails::aws:iam/rolePolicy:RolePolicy::${name}`,
    properties: { role: roleName, policy: JSON.stringify(policy) },
    options: {},
  });
  const mfaTrust = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:role/oncall" }, Action: "sts:AssumeRole", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }],
  };

  it("a role that can modify or delete any RDS database fails iam-no-prod-db-destruction", async () => {
    const sloppy = [role("dba", mfaTrust, { maxSessionDuration: 3600 }), inline("dba", "dba-rds", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "rds:*", Resource: "*" }] })];
    const ds = await judge([...resources, ...sloppy]);
    expect(ruleIds(ds)).toContain("iam-no-prod-db-destruction");
    expect(violations(ds).find((d) => d.policyName === "iam-no-prod-db-destruction")!.enforcementLevel).toBe("mandatory");
  });

  it("a restore role without request-tag conditions and with an open trust fails the restore rules", async () => {
    const openTrust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] };
    const restorer = [
      role("restorer", openTrust, { maxSessionDuration: 43200 }),
      inline("restorer", "restorer-restore", {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["rds:RestoreDBInstanceFromDBSnapshot", "rds:DescribeDBSnapshots", "rds:AddTagsToResource"], Resource: "*" }],
      }),
    ];
    const ids = ruleIds(await judge([...resources, ...restorer]));
    expect(ids).toEqual(expect.arrayContaining(["iam-restore-role-scoped", "iam-restore-role-trust"]));
  });
});
