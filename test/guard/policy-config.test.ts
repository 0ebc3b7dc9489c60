import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import {
  ENFORCEMENT_LEVELS,
  PolicyConfigError,
  findUnknownPolicyNames,
  parsePolicyPackConfig,
  readPolicyPackConfigFile,
  reconcilePolicyConfig,
  type EnforcementLevel,
  type PolicyPackConfigFile,
  type PolicyPackConfigTarget,
} from "../../guard/policy-config";

/** A pack description shaped like the fixture pack's GetAnalyzerInfo answer. */
function packInfo(overrides: Partial<PolicyPackConfigTarget> = {}): PolicyPackConfigTarget {
  return {
    name: "minimal-pack",
    version: "0.1.0",
    supportsConfig: true,
    policies: [
      {
        name: "rds-backup-retention",
        enforcementLevel: "advisory",
        configSchema: { properties: { minimumRetentionDays: { type: "integer", minimum: 1, default: 7 } }, required: [] },
      },
      { name: "rds-copy-tags-to-snapshot", enforcementLevel: "remediate" },
      { name: "rds-deletion-protection", enforcementLevel: "mandatory" },
      { name: "rds-in-backup-selection", enforcementLevel: "mandatory" },
    ],
    initialConfig: {},
    ...overrides,
  };
}

/** A single policy with the given settings schema, as in pulumi/pulumi's config_test.go cases. */
function onePolicy(properties: Record<string, Record<string, unknown>>, required: string[] = []): PolicyPackConfigTarget {
  return packInfo({
    policies: [{ name: "foo-policy", enforcementLevel: "advisory", configSchema: { properties, required } }],
  });
}

function reconcileError(info: PolicyPackConfigTarget, userConfig?: PolicyPackConfigFile): PolicyConfigError {
  try {
    reconcilePolicyConfig(info, userConfig);
  } catch (err) {
    if (err instanceof PolicyConfigError) {
      return err;
    }
    throw err;
  }
  throw new Error("expected reconcilePolicyConfig to refuse the configuration");
}

function validationLines(info: PolicyPackConfigTarget, userConfig?: PolicyPackConfigFile): string[] {
  const err = reconcileError(info, userConfig);
  expect(err.kind).toBe("validation");
  const prefix = `validating policy config: ${info.name} ${info.version}  `;
  return err.problems.map((p) => {
    expect(p.message.startsWith(prefix)).toBe(true);
    return p.message.slice(prefix.length);
  });
}

describe("reconcilePolicyConfig: precedence", () => {
  it("starts every policy at its declared level with its schema defaults", () => {
    expect(reconcilePolicyConfig(packInfo())).toEqual({
      "rds-backup-retention": { enforcementLevel: "advisory", properties: { minimumRetentionDays: 7 } },
      "rds-copy-tags-to-snapshot": { enforcementLevel: "remediate", properties: {} },
      "rds-deletion-protection": { enforcementLevel: "mandatory", properties: {} },
      "rds-in-backup-selection": { enforcementLevel: "mandatory", properties: {} },
    });
  });

  it("applies the pack's initial config over the defaults, with the level the engine reads for it", () => {
    const info = packInfo({
      initialConfig: {
        "rds-backup-retention": { enforcementLevel: "advisory", properties: { minimumRetentionDays: 14 } },
        // A settings-only entry reaches the engine as advisory (protobuf default) and resets the level.
        "rds-deletion-protection": { enforcementLevel: "advisory", properties: {} },
      },
    });
    const config = reconcilePolicyConfig(info);
    expect(config["rds-backup-retention"]).toEqual({ enforcementLevel: "advisory", properties: { minimumRetentionDays: 14 } });
    expect(config["rds-deletion-protection"]?.enforcementLevel).toBe("advisory");
  });

  it("applies the user's file last: 'all' first, then each policy", () => {
    const info = packInfo({ initialConfig: { "rds-backup-retention": { enforcementLevel: "advisory", properties: { minimumRetentionDays: 14 } } } });
    const config = reconcilePolicyConfig(info, { all: "mandatory", "rds-copy-tags-to-snapshot": "advisory" });
    expect(config["rds-backup-retention"]).toEqual({ enforcementLevel: "mandatory", properties: { minimumRetentionDays: 14 } });
    expect(config["rds-deletion-protection"]?.enforcementLevel).toBe("mandatory");
    expect(config["rds-in-backup-selection"]?.enforcementLevel).toBe("mandatory");
    expect(config["rds-copy-tags-to-snapshot"]?.enforcementLevel).toBe("advisory");
    // The engine keeps "all" as an entry of its own and sends it to the pack.
    expect(config["all"]).toEqual({ enforcementLevel: "mandatory", properties: {} });
  });

  it("reads the object form: a level and settings merged over what is there", () => {
    const config = reconcilePolicyConfig(packInfo(), {
      "rds-backup-retention": { enforcementLevel: "mandatory", minimumRetentionDays: 35 },
      "rds-deletion-protection": { enforcementLevel: "disabled" },
    });
    expect(config["rds-backup-retention"]).toEqual({ enforcementLevel: "mandatory", properties: { minimumRetentionDays: 35 } });
    expect(config["rds-deletion-protection"]).toEqual({ enforcementLevel: "disabled", properties: {} });
  });

  it("keeps the current level when the object form gives only settings", () => {
    const config = reconcilePolicyConfig(packInfo(), { "rds-backup-retention": { minimumRetentionDays: 30 } });
    expect(config["rds-backup-retention"]).toEqual({ enforcementLevel: "advisory", properties: { minimumRetentionDays: 30 } });
  });

  it("merges settings shallowly: a nested object replaces the default, as the engine's maps.Copy does", () => {
    const info = onePolicy({
      windows: { type: "object", default: { start: "03:00", end: "04:00" } },
      limit: { type: "integer", default: 3 },
    });
    const config = reconcilePolicyConfig(info, { "foo-policy": { windows: { start: "05:00" } } });
    expect(config["foo-policy"]?.properties).toEqual({ windows: { start: "05:00" }, limit: 3 });
  });

  it("does not share objects with its inputs", () => {
    const userConfig: PolicyPackConfigFile = { "foo-policy": { tags: ["a"] } };
    const config = reconcilePolicyConfig(onePolicy({ tags: { type: "array" } }), userConfig);
    (config["foo-policy"]?.properties["tags"] as string[]).push("b");
    expect(userConfig).toEqual({ "foo-policy": { tags: ["a"] } });
  });

  it("passes entries for unknown names on, as the engine does, and reports them for a checker to warn", () => {
    const userConfig: PolicyPackConfigFile = { "rds-deletion-protektion": "disabled", all: "advisory" };
    const config = reconcilePolicyConfig(packInfo(), userConfig);
    expect(config["rds-deletion-protektion"]).toEqual({ enforcementLevel: "disabled", properties: {} });
    expect(config["rds-deletion-protection"]?.enforcementLevel).toBe("advisory");
    expect(findUnknownPolicyNames(packInfo(), userConfig)).toEqual(["rds-deletion-protektion"]);
  });

  it("refuses settings without a level for a name that matches no policy, as the engine's Configure does", () => {
    const err = reconcileError(packInfo(), { "rds-deletion-protektion": { minimumRetentionDays: 3 } });
    expect(err.kind).toBe("level");
    expect(err.message).toContain('invalid enforcement level "" for "rds-deletion-protektion"');
    expect(err.problems[0]?.policy).toBe("rds-deletion-protektion");
  });

  it("refuses settings under 'all' without a level: they reach no policy", () => {
    const err = reconcileError(packInfo(), { all: { minimumRetentionDays: 3 } });
    expect(err.kind).toBe("level");
    expect(err.message).toContain('invalid enforcement level "" for "all"');
  });

  it("says what is wrong with a malformed pack description instead of failing inside", () => {
    const malformed = { ...packInfo(), policies: [{ name: "p", enforcementLevel: "strict" }] } as unknown as PolicyPackConfigTarget;
    expect(() => reconcilePolicyConfig(malformed)).toThrow("policies[0] must have a name and a valid enforcementLevel");
    expect(() => reconcilePolicyConfig(undefined as unknown as PolicyPackConfigTarget)).toThrow(TypeError);
  });

  it("gives every policy the level a model of the engine's precedence predicts", () => {
    const info = packInfo();
    const names = info.policies.map((p) => p.name);
    const level = fc.constantFrom(...ENFORCEMENT_LEVELS);
    fc.assert(
      fc.property(fc.option(level, { nil: undefined }), fc.dictionary(fc.constantFrom(...names), level), (all, perPolicy) => {
        const userConfig: PolicyPackConfigFile = { ...perPolicy, ...(all !== undefined ? { all } : {}) };
        const config = reconcilePolicyConfig(info, userConfig);
        for (const policy of info.policies) {
          const expected: EnforcementLevel = perPolicy[policy.name] ?? all ?? policy.enforcementLevel;
          expect(config[policy.name]?.enforcementLevel).toBe(expected);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("reconcilePolicyConfig: validation against configSchema (cases from pulumi/pulumi config_test.go)", () => {
  it("rejects an invalid user value with the schema error, naming the policy and the setting", () => {
    const err = reconcileError(packInfo(), { "rds-backup-retention": { minimumRetentionDays: 0 } });
    expect(err.kind).toBe("validation");
    expect(err.message).toBe(
      "validating policy config: minimal-pack 0.1.0  rds-backup-retention: minimumRetentionDays: Must be greater than or equal to 1",
    );
    expect(err.problems).toEqual([expect.objectContaining({ policy: "rds-backup-retention", setting: "minimumRetentionDays" })]);
  });

  it("reports only the type error when a value has the wrong type, as gojsonschema stops there", () => {
    expect(validationLines(packInfo(), { "rds-backup-retention": { minimumRetentionDays: 0.5 } })).toEqual([
      "rds-backup-retention: minimumRetentionDays: Invalid type. Expected: integer, given: number",
    ]);
    expect(validationLines(packInfo(), { "rds-backup-retention": { minimumRetentionDays: "seven" } })).toEqual([
      "rds-backup-retention: minimumRetentionDays: Invalid type. Expected: integer, given: string",
    ]);
  });

  it("requires required settings", () => {
    expect(validationLines(onePolicy({ foo: { type: "string" } }, ["foo"]))).toEqual(["foo-policy: foo is required"]);
  });

  it("validates schema defaults too", () => {
    expect(validationLines(onePolicy({ foo: { type: "string", default: 1 } }))).toEqual([
      "foo-policy: foo: Invalid type. Expected: string, given: integer",
    ]);
    expect(validationLines(onePolicy({ foo: { type: "string", maxLength: 3, default: "this value is too long" } }))).toEqual([
      "foo-policy: foo: String length must be less than or equal to 3",
    ]);
    expect(validationLines(onePolicy({ foo: { type: "string", minLength: 50, default: "this value is too short" } }))).toEqual([
      "foo-policy: foo: String length must be greater than or equal to 50",
    ]);
    expect(validationLines(onePolicy({ foo: { type: "string", enum: ["bar", "baz"], default: "blah" } }))).toEqual([
      'foo-policy: foo: foo must be one of the following: "bar", "baz"',
    ]);
    expect(validationLines(onePolicy({ foo: { const: "bar", default: "blah" } }))).toEqual(['foo-policy: foo: foo does not match: "bar"']);
  });

  it("lists every broken setting, sorted as the CLI prints them", () => {
    const info = onePolicy({ foo: { type: "string", maxLength: 3 }, bar: { type: "integer" } });
    expect(validationLines(info, { "foo-policy": { foo: "this is too long", bar: 3.14 } })).toEqual([
      "foo-policy: bar: Invalid type. Expected: integer, given: number",
      "foo-policy: foo: String length must be less than or equal to 3",
    ]);
  });

  it("reports nested paths and array items with gojsonschema's dotted fields", () => {
    const info = onePolicy({
      window: { type: "object", properties: { hours: { type: "array", items: { type: "integer", maximum: 23 } } } },
    });
    expect(validationLines(info, { "foo-policy": { window: { hours: [1, 30] } } })).toEqual([
      "foo-policy: window.hours.1: Must be less than or equal to 23",
    ]);
  });

  it("reports a failed anyOf once", () => {
    const info = onePolicy({ size: { anyOf: [{ type: "string" }, { type: "integer" }] } });
    expect(validationLines(info, { "foo-policy": { size: true } })).toEqual(["foo-policy: size: Must validate at least one schema (anyOf)"]);
  });

  it("accepts settings the schema does not declare: only properties and required reach the engine", () => {
    expect(reconcilePolicyConfig(onePolicy({ foo: { type: "string" } }), { "foo-policy": { other: 1 } })["foo-policy"]?.properties).toEqual({
      other: 1,
    });
  });

  it("ignores formats it does not share with the engine's validator, and checks the ones it does", () => {
    expect(reconcilePolicyConfig(onePolicy({ n: { type: "string", format: "int32" } }), { "foo-policy": { n: "x" } })).toBeDefined();
    expect(validationLines(onePolicy({ id: { type: "string", format: "uuid" } }), { "foo-policy": { id: "not-a-uuid" } })).toEqual([
      "foo-policy: id: Does not match format 'uuid'",
    ]);
  });

  it("refuses a configSchema it cannot compile, naming the policy", () => {
    const err = reconcileError(onePolicy({ limit: { type: "number", maximum: 3, exclusiveMaximum: true } }));
    expect(err.kind).toBe("schema");
    expect(err.message).toContain('policy "foo-policy" has a configSchema that cannot be used');
  });

  it("takes no configuration for a pack that does not support it", () => {
    const info = packInfo({ supportsConfig: false });
    expect(reconcilePolicyConfig(info)).toEqual({});
    const err = reconcileError(info, { all: "mandatory" });
    expect(err.kind).toBe("unsupported");
    expect(err.message).toBe('policy pack "minimal-pack" does not support config');
  });
});

describe("parsePolicyPackConfig: the --policy-pack-config file format", () => {
  it("reads level strings and objects, and drops entries that say nothing", () => {
    expect(parsePolicyPackConfig({ all: "mandatory", a: { enforcementLevel: "disabled", x: 1 }, b: { y: [2] }, c: {} })).toEqual({
      all: { enforcementLevel: "mandatory" },
      a: { enforcementLevel: "disabled", properties: { x: 1 } },
      b: { properties: { y: [2] } },
    });
  });

  it.each([
    [{ a: "strict" }, 'parsing enforcement level for "a": "strict" is not a valid enforcement level'],
    [{ a: { enforcementLevel: 1 } }, 'parsing enforcement level for "a": 1 is not a valid enforcement level; must be a string'],
    [{ a: { enforcementLevel: "warn" } }, 'parsing enforcement level for "a": "warn" is not a valid enforcement level'],
    [{ a: 3 }, 'parsing "a": 3 is not a valid value; must be a string or object'],
    [{ a: null }, 'parsing "a": null is not a valid value; must be a string or object'],
    [{ a: ["mandatory"] }, 'parsing "a": ["mandatory"] is not a valid value; must be a string or object'],
  ])("refuses %j with the CLI's message", (config, message) => {
    expect(() => parsePolicyPackConfig(config, "policy-config.json")).toThrow(`policy-config.json: ${message}`);
  });

  it("refuses a file that is not an object", () => {
    expect(() => parsePolicyPackConfig(["mandatory"])).toThrow("must be a JSON object mapping policy names to a level or settings, got array");
  });

  it("refuses Pulumi ESC environments, which only the cloud backend resolves", () => {
    let caught: unknown;
    try {
      parsePolicyPackConfig({ environments: ["org/prod"] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PolicyConfigError);
    expect((caught as PolicyConfigError).kind).toBe("unsupported");
  });
});

describe("readPolicyPackConfigFile", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-test-"));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function write(name: string, content: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  }

  it("reads a config file that reconciles like the literal object", () => {
    const file = write("ok.json", JSON.stringify({ all: "mandatory", "rds-backup-retention": { minimumRetentionDays: 21 } }));
    const config = reconcilePolicyConfig(packInfo(), readPolicyPackConfigFile(file));
    expect(config["rds-backup-retention"]).toEqual({ enforcementLevel: "mandatory", properties: { minimumRetentionDays: 21 } });
  });

  it("reads an empty file as no configuration, as the CLI does", () => {
    expect(readPolicyPackConfigFile(write("empty.json", "  \n"))).toEqual({});
  });

  it("names the file when it is not JSON", () => {
    const file = write("bad.json", '{"all": "mandatory",}');
    expect(() => readPolicyPackConfigFile(file)).toThrow(`parsing policy pack config file "${file}"`);
  });

  it("names the file when it is missing", () => {
    const file = path.join(dir, "missing.json");
    let caught: unknown;
    try {
      readPolicyPackConfigFile(file);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PolicyConfigError);
    expect((caught as PolicyConfigError).kind).toBe("file");
    expect((caught as Error).message).toContain(`reading policy pack config file "${file}"`);
  });

  it("names the file when its shape is wrong", () => {
    const file = write("shape.json", JSON.stringify({ all: "strict" }));
    expect(() => readPolicyPackConfigFile(file)).toThrow(`policy pack config file "${file}": parsing enforcement level for "all"`);
  });
});
