/**
 * The pack as the engine runs it: started from `policies/` like the CLI does, configured through
 * the engine's reconciliation, fed resources in the engine's wire form (unknowns, secrets, JSON
 * strings) over gRPC. The rules' logic is tested in test/rules/; this proves the wiring: levels,
 * deferred and waived findings, shared settings, remediation, and that bad input never crashes.
 */
import { UNKNOWN, wireSecret } from "../../guard/wire";
import { STACK_RULES } from "../../policies/rules";
import { COMPLIANT_RDS_PROPS } from "../helpers/resource-view";
import { type PackSession, of, startPackSession, wireResource } from "../helpers/pack-session";

const STACK = "staging"; // not a production stack name: production comes from tags here
const RDS = "aws:rds/instance:Instance";
const TABLE = "aws:dynamodb/table:Table";
const PROVIDER = "pulumi:providers:aws";
const prodTags = { environment: "production" };
const isStackRule = (name: string) => STACK_RULES.some((r) => r.id === name);
const goodRds = COMPLIANT_RDS_PROPS;
const rds = (props: Record<string, unknown>, options: Record<string, unknown> = { protect: true }, name?: string) =>
  wireResource(STACK, RDS, { ...goodRds, ...props } as never, options, name ? { name } : {});

let pack: PackSession;
beforeAll(async () => {
  pack = await startPackSession(STACK);
});
afterAll(async () => {
  await pack?.close();
});
afterEach(async () => {
  await pack.configure(); // back to defaults
});

describe("database-guardrails over the analyzer protocol", () => {
  it("describes every rule with its default level", () => {
    const levels = Object.fromEntries(pack.info.policies.map((p) => [p.name, p.enforcementLevel]));
    expect(pack.info.name).toBe("database-guardrails");
    expect(levels).toMatchObject({
      "guardrail-settings": "mandatory",
      "prod-db-deletion-protection": "mandatory",
      "prod-db-protect": "mandatory",
      "prod-db-final-snapshot": "mandatory",
      "prod-db-backup-retention": "mandatory",
      "prod-db-no-in-place-restore": "mandatory",
      "prod-db-no-ignored-guardrails": "mandatory",
      "prod-db-encrypted": "mandatory",
      "prod-db-copy-tags-to-snapshot": "advisory",
      "aws-provider-account-pinned": "mandatory",
    });
  });

  it("passes a compliant production database with no diagnostics", async () => {
    expect(await pack.analyze(rds({}))).toEqual([]);
  });

  it("reports each weakened guardrail under its own rule id, as mandatory, with the fix", async () => {
    const ds = await pack.analyze(rds({ deletionProtection: false, backupRetentionPeriod: 3, skipFinalSnapshot: true }, { protect: false }));
    expect(of(ds, "prod-db-deletion-protection")).toEqual([expect.objectContaining({ enforcementLevel: "mandatory", message: expect.stringContaining("Fix: set deletionProtection: true.") })]);
    expect(of(ds, "prod-db-protect")[0]?.enforcementLevel).toBe("mandatory");
    expect(of(ds, "prod-db-backup-retention")[0]?.message).toContain("backupRetentionPeriod is 3 days");
    expect(of(ds, "prod-db-final-snapshot")[0]?.message).toContain("skipFinalSnapshot is true");
    expect(new Set(ds.map((d) => d.policyName))).toEqual(new Set(["prod-db-deletion-protection", "prod-db-protect", "prod-db-backup-retention", "prod-db-final-snapshot"]));
  });

  it("does not judge non-production databases", async () => {
    const ds = await pack.analyze(wireResource(STACK, RDS, { tags: { environment: "staging" }, deletionProtection: false }));
    expect(ds).toEqual([]);
  });

  it("defers only the check whose value is unknown; every other guardrail is still judged", async () => {
    const ds = await pack.analyze(rds({ deletionProtection: UNKNOWN.bool, storageEncrypted: false }));
    const deferred = of(ds, "prod-db-deletion-protection");
    expect(deferred).toEqual([expect.objectContaining({ enforcementLevel: "advisory", message: expect.stringMatching(/^Checked at deployment: .*deletionProtection is unknown/) })]);
    expect(of(ds, "prod-db-encrypted")[0]?.enforcementLevel).toBe("mandatory");
  });

  it("unknown tags defer the production question instead of passing", async () => {
    const ds = await pack.analyze(wireResource(STACK, RDS, { tags: UNKNOWN.object, deletionProtection: false }, { protect: true }));
    expect(of(ds, "prod-db-deletion-protection")[0]?.message).toMatch(/^Checked at deployment: .*whether it is production/);
    expect(ds.every((d) => d.enforcementLevel === "advisory")).toBe(true);
  });

  it("judges secret values by what they hold", async () => {
    const ds = await pack.analyze(rds({ deletionProtection: wireSecret(false), tags: wireSecret(prodTags) }));
    expect(of(ds, "prod-db-deletion-protection")[0]?.enforcementLevel).toBe("mandatory");
  });

  it("never crashes on wrong types; they are violations, not passes", async () => {
    const ds = await pack.analyze(rds({ deletionProtection: "maybe", backupRetentionPeriod: { days: 14 }, storageEncrypted: [true], finalSnapshotIdentifier: 7 }));
    expect(of(ds, "prod-db-deletion-protection")[0]?.message).toContain('"maybe", not a boolean');
    expect(of(ds, "prod-db-backup-retention")[0]?.message).toContain("not a number");
    expect(of(ds, "prod-db-encrypted")[0]?.enforcementLevel).toBe("mandatory");
    expect(of(ds, "prod-db-final-snapshot")[0]?.message).toContain("not a string");
  });

  it("judges a provider's JSON-string allowedAccountIds and the shared productionAccountIds", async () => {
    const provider = wireResource(STACK, PROVIDER, { region: "us-east-1", allowedAccountIds: '["111111111111"]' }, {}, { name: "aws-staging" });
    expect(await pack.analyze(provider)).toEqual([]);
    await pack.configure({ "guardrail-settings": { productionAccountIds: ["111111111111"] } });
    const ds = await pack.analyze(provider);
    expect(of(ds, "aws-provider-account-pinned")[0]).toEqual(expect.objectContaining({ enforcementLevel: "mandatory", message: expect.stringContaining("allows the production account 111111111111") }));
    const unpinned = await pack.analyze(wireResource(STACK, PROVIDER, { region: "us-east-1" }, {}, { name: "default_7_48_0" }));
    expect(of(unpinned, "aws-provider-account-pinned")[0]?.message).toContain("aws:allowedAccountIds");
  });

  it("says which rules do not apply to a resource, and why", async () => {
    const bucket = wireResource(STACK, "aws:s3/bucket:Bucket", { bucket: "assets", tags: prodTags });
    const report = await pack.client.analyzeReport(bucket);
    expect(report.diagnostics).toEqual([]);
    const reasons = Object.fromEntries(report.notApplicable.map((n) => [n.policyName, n.reason]));
    // A single-type rule is skipped by @pulumi/policy's server without deserializing the resource.
    expect(reasons["aws-provider-account-pinned"]).toBe("Policy only applies to resources of type 'pulumi:providers:aws'");
    expect(reasons["prod-db-encrypted"]).toBe("applies to aws:rds/instance:Instance, aws:rds/cluster:Cluster");
    expect(reasons["prod-db-deletion-protection"]).toBe("applies to aws:rds/instance:Instance, aws:rds/cluster:Cluster, aws:dynamodb/table:Table");
    expect(Object.keys(reasons).sort()).toEqual(pack.info.policies.filter((p) => p.name !== "guardrail-settings" && !isStackRule(p.name)).map((p) => p.name).sort());
    // The second time a reason is declared, the pack throws the signal it built the first time.
    expect(await pack.client.analyzeReport(bucket)).toEqual(report);
    const staging = await pack.client.analyzeReport(wireResource(STACK, RDS, { ...goodRds, tags: { environment: "staging" } }));
    expect(staging.notApplicable.find((n) => n.policyName === "prod-db-encrypted")?.reason).toBe("not a production resource");
  });

  it("shared settings written once change what every rule treats as production", async () => {
    const tagged = wireResource(STACK, TABLE, { tags: { tier: "critical" }, deletionProtectionEnabled: false }, { protect: true });
    expect(await pack.analyze(tagged)).toEqual([]);
    await pack.configure({ "guardrail-settings": { productionTags: { tier: ["critical"] } } });
    const ds = await pack.analyze(tagged);
    expect(of(ds, "prod-db-deletion-protection")).toHaveLength(1);
    expect(of(ds, "prod-db-backup-retention")).toHaveLength(1);
  });

  it("rule settings and levels come from the policy config file", async () => {
    await pack.configure({ "prod-db-backup-retention": { minBackupRetentionDays: 21 }, "prod-db-copy-tags-to-snapshot": "mandatory" });
    const ds = await pack.analyze(rds({ copyTagsToSnapshot: false }));
    expect(of(ds, "prod-db-backup-retention")[0]?.message).toContain("below the floor of 21 days");
    expect(of(ds, "prod-db-copy-tags-to-snapshot")[0]?.enforcementLevel).toBe("mandatory");
    await pack.configure({ all: "advisory" });
    const advisory = await pack.analyze(rds({ deletionProtection: false }));
    expect(of(advisory, "prod-db-deletion-protection")[0]?.enforcementLevel).toBe("advisory");
  });

  it("rejects invalid settings the way the engine does, before any analysis", async () => {
    await expect(pack.configure({ "guardrail-settings": { productionAccountIds: ["prod"] } })).rejects.toThrow(/guardrail-settings/);
    await expect(pack.configure({ "prod-db-rpo": { maxRpoMinutes: "an hour" } } as never)).rejects.toThrow();
  });

  it("a waiver turns a finding advisory with its reason; an expired one waives nothing and is itself a violation", async () => {
    const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const waiver = { rule: "prod-db-backup-retention", resource: "legacy-*", owner: "team-data", reason: "Batch database, retention raised in DATA-412", expires };
    await pack.configure({ "guardrail-settings": { waivers: [waiver, { ...waiver, resource: "other", expires: "2020-01-01" }] } });
    const ds = await pack.analyze(rds({ backupRetentionPeriod: 1 }, { protect: true }, "legacy-reports"));
    expect(of(ds, "prod-db-backup-retention")[0]).toEqual(
      expect.objectContaining({ enforcementLevel: "advisory", message: expect.stringMatching(/^Waived: .*owner team-data, expires .*reason: Batch database/) }),
    );
    const other = await pack.analyze(rds({ backupRetentionPeriod: 1 }, { protect: true }, "other"));
    expect(of(other, "prod-db-backup-retention")[0]?.enforcementLevel).toBe("mandatory");
    const stack = await pack.client.analyzeStack([]);
    expect(of(stack, "guardrail-settings")).toEqual([expect.objectContaining({ enforcementLevel: "mandatory", message: expect.stringContaining("expired on 2020-01-01") })]);
  });

  it("deletion protection and protect cannot be waived", async () => {
    const waiver = { rule: "prod-db-protect", resource: "*", owner: "team-data", reason: "We really want to replace this database", expires: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10) };
    await pack.configure({ "guardrail-settings": { waivers: [waiver] } });
    const ds = await pack.analyze(rds({}, { protect: false }));
    expect(of(ds, "prod-db-protect")[0]?.enforcementLevel).toBe("mandatory");
    expect(of(await pack.client.analyzeStack([]), "guardrail-settings")[0]?.message).toContain("cannot be waived");
  });

  it("remediates the safe property changes at the remediate level, keeping secrets marked", async () => {
    await pack.configure({ "prod-db-copy-tags-to-snapshot": "remediate", "prod-db-final-snapshot": "remediate" });
    const weak = rds({ copyTagsToSnapshot: false, password: wireSecret("hunter2") });
    delete weak.properties.deleteAutomatedBackups;
    delete weak.properties.finalSnapshotIdentifier;
    const remediations = await pack.client.remediate(weak);
    const last = [...remediations].reverse().find((r) => r.properties)!;
    expect(last.properties).toMatchObject({ copyTagsToSnapshot: true, deleteAutomatedBackups: false, finalSnapshotIdentifier: `${weak.name}-final` });
    expect(last.properties!.password).toEqual(wireSecret("hunter2"));
    const after = await pack.analyze({ ...weak, properties: last.properties! });
    expect(of(after, "prod-db-copy-tags-to-snapshot")).toEqual([]);
    expect(of(after, "prod-db-final-snapshot")).toEqual([]);
  });

  it("stack rules judge each AnalyzeStack on its own properties, even with the same URNs and the settings policy disabled", async () => {
    const arn = "arn:aws:rds:us-east-1:111111111111:db:orders";
    const provider = { type: PROVIDER, name: "aws", urn: `urn:pulumi:${STACK}::shop::${PROVIDER}::aws`, properties: { region: "us-east-1", allowedAccountIds: '["111111111111"]' } };
    const stack = (selected: string) => [
      wireResource(STACK, RDS, { ...goodRds, arn }, { protect: true }, { name: "orders", provider }),
      wireResource(STACK, "aws:backup/selection:Selection", { planId: "plan-1", iamRoleArn: "arn:aws:iam::111111111111:role/backup", resources: [selected] }, {}, { name: "orders-selection", provider }),
    ];
    for (const config of [undefined, { "guardrail-settings": "disabled" as const }]) {
      await pack.configure(config);
      const covered = await pack.client.analyzeStack(stack(arn));
      const uncovered = await pack.client.analyzeStack(stack("arn:aws:rds:us-east-1:111111111111:db:other"));
      const again = await pack.client.analyzeStack(stack(arn));
      expect(of(covered, "prod-db-backup-coverage")).toEqual([]);
      expect(of(uncovered, "prod-db-backup-coverage")).toHaveLength(1);
      expect(of(again, "prod-db-backup-coverage")).toEqual([]);
    }
  });
});

