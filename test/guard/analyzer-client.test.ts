import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { LogRequest, LogSeverity } from "@pulumi/pulumi/proto/engine_pb";
import {
  AnalyzerCallError,
  PolicyPackStartError,
  runEngineSequence,
  startPolicyPack,
  type AnalyzeDiagnostic,
  type AnalyzerInfo,
  type PolicyPackClient,
} from "../../guard/analyzer-client";
import { reconcilePolicyConfig, type PolicyPackConfigFile } from "../../guard/policy-config";
import { SECRET_SIG_KEY, SECRET_SIG_VALUE, UNKNOWN, wireSecret, type WireProperties, type WireResource } from "../../guard/wire";

const PACKS = path.join(__dirname, "..", "fixtures", "packs");
const MINIMAL_PACK = path.join(PACKS, "minimal");
const MINIMAL_PACK_VERSION = (JSON.parse(fs.readFileSync(path.join(MINIMAL_PACK, "package.json"), "utf8")) as { version: string }).version;
// @pulumi/policy answers GetPluginInfo with its own version (without the "v" of its package.json).
const POLICY_SDK_VERSION = (require("@pulumi/policy/version") as { version: string }).version;

const STACK = "production";
const PROJECT = "shop";
const RDS = "aws:rds/instance:Instance";
const BACKUP_SELECTION = "aws:backup/selection:Selection";

function urnOf(type: string, name: string): string {
  return `urn:pulumi:${STACK}::${PROJECT}::${type}::${name}`;
}

/** An RDS instance declared with `protect: true` (so rds-protect passes unless a test says otherwise). */
function database(name: string, properties: WireProperties): WireResource {
  return { type: RDS, name, urn: urnOf(RDS, name), properties, options: { protect: true }, custom: true };
}

/** Compliant with every resource policy of the fixture pack. */
const COMPLIANT = { deletionProtection: true, backupRetentionPeriod: 35, copyTagsToSnapshot: true } as const;

function byPolicy(diagnostics: readonly AnalyzeDiagnostic[], policyName: string): AnalyzeDiagnostic[] {
  return diagnostics.filter((d) => d.policyName === policyName);
}

/**
 * Printed lines arrive on their own pipe, possibly after the RPC that caused them returned: wait
 * for one (a bound, not a timing check: the assertion after it shows what did arrive).
 */
async function waitForLog(client: PolicyPackClient, matches: (message: string) => boolean): Promise<void> {
  const giveUpAt = Date.now() + 5_000;
  while (!client.logs.some((entry) => matches(entry.message)) && Date.now() < giveUpAt) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function startError(promise: Promise<unknown>): Promise<PolicyPackStartError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PolicyPackStartError) {
      return err;
    }
    throw err;
  }
  throw new Error("expected the pack not to start");
}

let pack: PolicyPackClient;
let info: AnalyzerInfo;

/** Reconciles a user config as the engine does and sends it, like `pulumi preview --policy-pack-config`. */
async function configureWith(userConfig?: PolicyPackConfigFile): Promise<void> {
  await pack.configure(reconcilePolicyConfig(info, userConfig));
}

beforeAll(async () => {
  pack = await startPolicyPack({ packDir: MINIMAL_PACK, project: PROJECT, stack: STACK, stackTags: { team: "payments" } });
  info = await pack.getAnalyzerInfo();
});

afterAll(async () => {
  await pack?.close();
});

describe("handshake and metadata", () => {
  it("tolerates UNIMPLEMENTED Handshake as the engine does, and configures the stack", async () => {
    await expect(pack.handshake()).resolves.toEqual({ implemented: false });
    await expect(pack.configureStack()).resolves.toEqual({ implemented: true });
    await expect(pack.getPluginInfo()).resolves.toEqual({ version: POLICY_SDK_VERSION });
  });

  it("describes the pack and its policies as plain objects", () => {
    expect(info).toMatchObject({
      name: "minimal-pack",
      version: MINIMAL_PACK_VERSION,
      supportsConfig: true,
      description: "A small pack the analyzer client tests run the way the Pulumi CLI runs a pack.",
    });
    expect(info.policies.map((p) => [p.name, p.policyType, p.enforcementLevel])).toEqual([
      ["rds-backup-retention", "resource", "advisory"],
      ["rds-copy-tags-to-snapshot", "resource", "remediate"],
      ["rds-deletion-protection", "resource", "mandatory"],
      ["rds-in-backup-selection", "stack", "mandatory"],
      ["rds-protect", "resource", "advisory"],
    ]);
    expect(info.policies[0]?.configSchema).toEqual({
      properties: { minimumRetentionDays: { type: "integer", minimum: 1, default: 7 } },
      required: [],
    });
    // The pack gave only settings, so the level is the protobuf default, as the engine reads it.
    expect(info.initialConfig).toEqual({ "rds-backup-retention": { enforcementLevel: "advisory", properties: { minimumRetentionDays: 14 } } });
    expect(JSON.parse(JSON.stringify(info))).toEqual(info);
  });
});

describe("Configure and Analyze", () => {
  beforeEach(async () => {
    await configureWith();
  });

  it("reports a mandatory violation as mandatory once the config is reconciled", async () => {
    const diagnostics = await pack.analyze(database("orders", { ...COMPLIANT, deletionProtection: false }));
    expect(diagnostics).toEqual([
      {
        policyName: "rds-deletion-protection",
        policyPackName: "minimal-pack",
        policyPackVersion: MINIMAL_PACK_VERSION,
        description: "RDS instances must have deletion protection enabled.",
        message: "RDS instances must have deletion protection enabled.\ndeletionProtection must be true.",
        urn: "",
        enforcementLevel: "mandatory",
      },
    ]);
  });

  it("refuses a Configure entry without a level, which the pack would read as advisory", async () => {
    const withoutLevel = { "rds-deletion-protection": { properties: {} } } as unknown as Parameters<PolicyPackClient["configure"]>[0];
    await expect(pack.configure(withoutLevel)).rejects.toThrow('invalid enforcement level undefined for "rds-deletion-protection"');
  });

  it("applies the initial config, then 'all', then per-policy settings from the user's file", async () => {
    const shortRetention = database("orders", { ...COMPLIANT, backupRetentionPeriod: 10 });
    expect(byPolicy(await pack.analyze(shortRetention), "rds-backup-retention")).toEqual([
      expect.objectContaining({ enforcementLevel: "advisory", message: expect.stringContaining("at least 14 days") }),
    ]);

    await configureWith({ all: "mandatory" });
    expect(byPolicy(await pack.analyze(shortRetention), "rds-backup-retention")).toEqual([
      expect.objectContaining({ enforcementLevel: "mandatory" }),
    ]);

    await configureWith({ all: "mandatory", "rds-backup-retention": { enforcementLevel: "advisory", minimumRetentionDays: 7 } });
    expect(byPolicy(await pack.analyze(shortRetention), "rds-backup-retention")).toEqual([]);

    await configureWith({ "rds-deletion-protection": "disabled" });
    expect(byPolicy(await pack.analyze(database("orders", { ...COMPLIANT, deletionProtection: false })), "rds-deletion-protection")).toEqual([]);
  });

  it("rejects an invalid setting with the schema error before anything reaches the pack", () => {
    expect(() => reconcilePolicyConfig(info, { "rds-backup-retention": { minimumRetentionDays: "two weeks" } })).toThrow(
      `validating policy config: minimal-pack ${MINIMAL_PACK_VERSION}  rds-backup-retention: minimumRetentionDays: Invalid type. Expected: integer, given: string`,
    );
  });

  it("ends a validation that reads an unknown with @pulumi/policy's advisory preview message", async () => {
    const diagnostics = await pack.analyze(database("orders", { ...COMPLIANT, deletionProtection: UNKNOWN.bool }));
    expect(byPolicy(diagnostics, "rds-deletion-protection")).toEqual([
      expect.objectContaining({
        enforcementLevel: "advisory",
        message:
          `can't run policy 'rds-deletion-protection' from policy pack 'minimal-pack@v${MINIMAL_PACK_VERSION}' during preview: ` +
          "boolean value at .deletionProtection can't be known during preview",
      }),
    ]);
  });

  it("hands secrets to the policy as plain values", async () => {
    expect(byPolicy(await pack.analyze(database("orders", { ...COMPLIANT, deletionProtection: wireSecret(true) })), "rds-deletion-protection")).toEqual(
      [],
    );
    expect(
      byPolicy(await pack.analyze(database("orders", { ...COMPLIANT, deletionProtection: wireSecret(false) })), "rds-deletion-protection"),
    ).toHaveLength(1);
  });

  it("hands the policy the resource options and the provider", async () => {
    const provider = { type: "pulumi:providers:aws", name: "default", urn: urnOf("pulumi:providers:aws", "default"), properties: { region: "eu-west-1" } };
    const unprotected: WireResource = {
      ...database("orders", COMPLIANT),
      options: { protect: false, ignoreChanges: ["snapshotIdentifier"], parent: urnOf("pulumi:pulumi:Stack", "shop-production") },
      provider,
    };
    expect(byPolicy(await pack.analyze(unprotected), "rds-protect")).toEqual([
      expect.objectContaining({ message: expect.stringContaining("protect is not set (provider: default in eu-west-1).") }),
    ]);
    expect(byPolicy(await pack.analyze({ ...unprotected, options: { protect: true } }), "rds-protect")).toEqual([]);
  });

  it("answers nothing for a type no policy checks", async () => {
    const bucket: WireResource = { type: "aws:s3/bucket:Bucket", name: "logs", urn: urnOf("aws:s3/bucket:Bucket", "logs"), properties: {} };
    await expect(pack.analyzeReport(bucket)).resolves.toEqual({ diagnostics: [], notApplicable: [] });
  });

  it("refuses bad input with its path instead of sending it", async () => {
    await expect(pack.analyze({ ...database("orders", COMPLIANT), properties: { tags: { owner: undefined } } } as unknown as WireResource)).rejects.toThrow(
      "resource.properties.tags.owner is undefined, which a wire property cannot carry",
    );
    await expect(pack.analyze({ ...database("orders", COMPLIANT), urn: "" })).rejects.toThrow("resource.urn must be a non-empty string");
    await expect(pack.analyze(database("orders", { backupRetentionPeriod: Number.NaN }))).rejects.toThrow(
      "resource.properties.backupRetentionPeriod is NaN",
    );
  });
});

describe("AnalyzeStack", () => {
  beforeAll(async () => {
    await configureWith();
  });

  it("passes dependencies and property dependencies to stack policies", async () => {
    const orders = database("orders", COMPLIANT);
    const ledger = database("ledger", COMPLIANT);
    const selection: WireResource = {
      type: BACKUP_SELECTION,
      name: "orders-backup",
      urn: urnOf(BACKUP_SELECTION, "orders-backup"),
      properties: { resources: [UNKNOWN.string] },
      // ledger only in plain dependencies: the policy reads propertyDependencies.resources.
      dependencies: [orders.urn, ledger.urn],
      propertyDependencies: { resources: [orders.urn], iamRoleArn: [] },
    };
    const diagnostics = await pack.analyzeStack([orders, ledger, selection]);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        policyName: "rds-in-backup-selection",
        enforcementLevel: "mandatory",
        urn: ledger.urn,
        message: expect.stringContaining("ledger is in no AWS Backup selection."),
      }),
    ]);
  });

  it("collects the pack's printed lines, with the stack from the CLI's environment", async () => {
    await pack.analyzeStack([database("orders", COMPLIANT)]);
    const line = `rds-in-backup-selection checked 1 RDS instance(s) in ${PROJECT}/${STACK}`;
    await waitForLog(pack, (message) => message === line);
    expect(pack.logs).toContainEqual({ source: "stderr", severity: "info", message: line, urn: "" });
  });

  it("collects Engine.Log calls made to the engine address it gave the pack", async () => {
    const engine = new EngineClient(pack.engineAddress, grpc.credentials.createInsecure());
    try {
      const req = new LogRequest();
      req.setSeverity(LogSeverity.WARNING);
      req.setMessage("restore window is short");
      req.setUrn(urnOf(RDS, "orders"));
      await new Promise<void>((resolve, reject) => engine.log(req, (err) => (err ? reject(err) : resolve())));
    } finally {
      engine.close();
    }
    expect(pack.logs).toContainEqual({ source: "engine", severity: "warning", message: "restore window is short", urn: urnOf(RDS, "orders") });
  });
});

describe("Remediate", () => {
  beforeAll(async () => {
    await configureWith();
  });

  it("returns the new properties in wire form, secrets still marked", async () => {
    const remediations = await pack.remediate(database("orders", { ...COMPLIANT, copyTagsToSnapshot: false, masterPassword: wireSecret("hunter2") }));
    expect(remediations).toEqual([
      {
        policyName: "rds-copy-tags-to-snapshot",
        policyPackName: "minimal-pack",
        policyPackVersion: MINIMAL_PACK_VERSION,
        description: "RDS instances must copy their tags to snapshots.",
        properties: {
          ...COMPLIANT,
          copyTagsToSnapshot: true,
          masterPassword: { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, value: "hunter2" },
        },
      },
    ]);
  });

  it("runs no remediation for a policy that is not at 'remediate'", async () => {
    await configureWith({ "rds-copy-tags-to-snapshot": "mandatory" });
    await expect(pack.remediate(database("orders", { ...COMPLIANT, copyTagsToSnapshot: false }))).resolves.toEqual([]);
  });
});

describe("runEngineSequence", () => {
  it("makes the engine's calls in order: remediated properties are what Analyze and AnalyzeStack see", async () => {
    const orders = database("orders", { ...COMPLIANT, copyTagsToSnapshot: false });
    const selection: WireResource = {
      type: BACKUP_SELECTION,
      name: "orders-backup",
      urn: urnOf(BACKUP_SELECTION, "orders-backup"),
      properties: {},
      propertyDependencies: { resources: [orders.urn] },
    };
    const result = await runEngineSequence(pack, { resources: [orders, selection], policyConfig: { "rds-backup-retention": "mandatory" } });
    expect(result.config["rds-backup-retention"]).toEqual({ enforcementLevel: "mandatory", properties: { minimumRetentionDays: 14 } });
    expect(result.resources[0]?.remediations.map((r) => r.policyName)).toEqual(["rds-copy-tags-to-snapshot"]);
    expect(result.resources[0]?.resource.properties["copyTagsToSnapshot"]).toBe(true);
    expect(result.resources.flatMap((r) => r.diagnostics)).toEqual([]);
    expect(result.stackDiagnostics).toEqual([]);
  });
});

describe("start-up failures", () => {
  it("reports a pack that exits before printing its port, with its stderr", async () => {
    const err = await startError(startPolicyPack({ packDir: path.join(PACKS, "missing-version") }));
    expect(err.message).toMatch(/exited with code \d+ before printing its port/);
    expect(err.stderr).toContain("Version must be defined in the package.json file.");
  });

  it("gives up on a pack that prints no port in time", async () => {
    const err = await startError(startPolicyPack({ packDir: MINIMAL_PACK, startTimeoutMs: 1 }));
    expect(err.message).toContain("printed no port within 1 ms");
  });

  describe("outside the repository", () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "analyzer-client-test-"));
    });
    afterAll(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("needs a PulumiPolicy.yaml", async () => {
      const err = await startError(startPolicyPack({ packDir: dir }));
      expect(err.message).toContain(`failed to load Pulumi policy project located at "${dir}"`);
    });

    it("says so when the pack's dependencies cannot be resolved", async () => {
      fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
      const err = await startError(startPolicyPack({ packDir: dir }));
      expect(err.message).toContain("it looks like the policy pack's dependencies are not installed");
    });

    it("runs Node.js packs only", async () => {
      fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime:\n  name: python\n");
      const err = await startError(startPolicyPack({ packDir: dir }));
      expect(err.message).toContain('has runtime "python"; this client runs Node.js packs only');
    });
  });
});

// Last: it closes the pack every other test uses.
describe("close", () => {
  it("is safe to call twice, and later calls fail clearly", async () => {
    await pack.close();
    await pack.close();
    const err = await pack.getPluginInfo().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AnalyzerCallError);
    expect((err as AnalyzerCallError).message).toBe("GetPluginInfo: the policy pack client is closed");
  });
});
