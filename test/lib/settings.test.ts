/**
 * The shared settings in-process: parsing with defaults, the problems named for a config the
 * engine did not validate, publishing once per config text, and the stack name. The same
 * behaviours over gRPC are in test/pack/database-guardrails.test.ts.
 */
import Ajv from "ajv";
import {
  DEFAULT_SETTINGS,
  SETTINGS_POLICY,
  SETTINGS_SCHEMA,
  type SharedSettings,
  currentSettings,
  currentStackName,
  parseSettings,
  publishSettings,
  settingsConfigProblems,
} from "../../policies/lib/settings";

const DEFAULTS: SharedSettings = {
  productionStacks: ["prod", "prod-*", "production", "production-*"],
  productionTags: { environment: ["prod", "production"], env: ["prod", "production"] },
  productionAccountIds: [],
  breakGlassTag: { key: "db-guardrails:break-glass", value: "true" },
  waivers: [],
};

const SETTING_NAMES = "productionStacks, productionTags, productionAccountIds, breakGlassTag, waivers";
const wrong = (key: string, value: string, expected: string) =>
  `guardrail-settings.${key} is ${value}, not ${expected}; the default is used instead. Fix: correct it in the policy config file.`;
const notAnObject = (value: string) => `guardrail-settings config is ${value}, not an object; the defaults are used. Fix: write the settings as an object in the policy config file.`;

// publishSettings keeps module state; undefined config is never memoized, so publishing it
// restores the state of a freshly loaded module (defaults, no remembered config text).
beforeEach(() => {
  publishSettings(undefined);
});

describe("SETTINGS_SCHEMA and the defaults", () => {
  it("names the settings policy", () => {
    expect(SETTINGS_POLICY).toBe("guardrail-settings");
  });

  it("defaults to production stacks prod*/production*, environment/env tags and the break-glass tag", () => {
    expect(DEFAULT_SETTINGS).toEqual(DEFAULTS);
    expect(Object.isFrozen(DEFAULT_SETTINGS)).toBe(true);
  });

  describe("as a JSON schema (the engine rejects what it rejects before any analysis)", () => {
    const validate = new Ajv({ strict: false }).compile({ type: "object", ...SETTINGS_SCHEMA });
    it.each([
      [{}],
      [DEFAULTS],
      [{ productionAccountIds: ["111111111111"], productionTags: { tier: ["critical"] }, breakGlassTag: { key: "k", value: "" }, waivers: [{ rule: "x" }] }],
    ])("accepts %j", (config) => {
      expect(validate(config)).toBe(true);
    });
    it.each([
      [{ productionAccountIds: ["prod"] }],
      [{ productionAccountIds: ["11111111111"] }],
      [{ productionAccountIds: ["1111111111111"] }],
      [{ productionAccountIds: "111111111111" }],
      [{ productionStacks: [""] }],
      [{ productionTags: { env: [] } }],
      [{ productionTags: { env: [""] } }],
      [{ breakGlassTag: { key: "", value: "true" } }],
      [{ breakGlassTag: { key: "k" } }],
      [{ waivers: ["a string"] }],
    ])("rejects %j", (config) => {
      expect(validate(config)).toBe(false);
    });
  });
});

describe("parseSettings", () => {
  it.each([[undefined], [null], ["prod"], [5], [true]])("keeps every default for a config of %j", (config) => {
    expect(parseSettings(config)).toEqual(DEFAULTS);
  });

  it("returns a fresh deep copy of the defaults each time, so no caller can change them", () => {
    const a = parseSettings({});
    const b = parseSettings({});
    expect(a).toEqual(DEFAULTS);
    expect(a).not.toBe(b);
    expect(a.productionStacks).not.toBe(DEFAULT_SETTINGS.productionStacks);
    expect(a.productionTags.env).not.toBe(DEFAULT_SETTINGS.productionTags.env);
    a.productionStacks.push("mine");
    a.productionTags.env!.push("mine");
    a.breakGlassTag.key = "mine";
    expect(DEFAULT_SETTINGS).toEqual(DEFAULTS);
    expect(b).toEqual(DEFAULTS);
  });

  it("reads every setting that has the right shape", () => {
    const waivers = [{ rule: "r", resource: "x", owner: "o", reason: "a reason of twenty chars", expires: "2026-01-01" }];
    const parsed = parseSettings({
      productionStacks: ["live"],
      productionTags: { tier: ["critical", "gold"] },
      productionAccountIds: ["111111111111"],
      breakGlassTag: { key: "bg", value: "" },
      waivers,
    });
    expect(parsed).toEqual({
      productionStacks: ["live"],
      productionTags: { tier: ["critical", "gold"] },
      productionAccountIds: ["111111111111"],
      breakGlassTag: { key: "bg", value: "" },
      waivers,
    });
    expect(parsed.waivers).toBe(waivers);
  });

  it("accepts empty lists for the list settings", () => {
    expect(parseSettings({ productionStacks: [], productionAccountIds: [] })).toEqual({ ...DEFAULTS, productionStacks: [], productionAccountIds: [] });
  });

  it.each([
    ["productionStacks", "prod"],
    ["productionStacks", ["prod", 1]],
    ["productionStacks", { 0: "prod" }],
    ["productionAccountIds", "111111111111"],
    ["productionAccountIds", [111111111111]],
    ["productionAccountIds", null],
  ])("keeps the default %s for %j", (key, value) => {
    expect(parseSettings({ [key]: value })).toEqual(DEFAULTS);
  });

  it("takes productionTags whole or not at all, as settingsConfigProblems reports it", () => {
    const partly = { productionTags: { tier: ["critical"], env: "prod", stage: [1], other: null } };
    expect(parseSettings(partly).productionTags).toEqual(DEFAULTS.productionTags);
    expect(settingsConfigProblems(partly)).toEqual([expect.stringContaining("guardrail-settings.productionTags is")]);
    expect(parseSettings({ productionTags: { tier: ["critical"] } }).productionTags).toEqual({ tier: ["critical"] });
  });

  it.each([
    ["productionStacks", [""]],
    ["productionStacks", ["prod", 7]],
    ["productionTags", { environment: [] }],
    ["productionTags", { environment: [""] }],
  ])("a %s of %j that settingsConfigProblems names is not used: the default applies (it once left production unjudged)", (key, value) => {
    expect(settingsConfigProblems({ [key]: value })).toEqual([expect.stringContaining("the default is used instead")]);
    expect(parseSettings({ [key]: value })).toEqual(DEFAULTS);
  });

  it.each([
    ["no usable key", { env: "prod" }],
    ["an empty object", {}],
    ["a list of lists", [["prod"]]],
    ["null", null],
    ["a string", "env"],
    ["a number", 7],
  ])("keeps the default productionTags for %s", (_what, productionTags) => {
    expect(parseSettings({ productionTags }).productionTags).toEqual(DEFAULTS.productionTags);
  });

  it.each([
    ["null", null],
    ["a string", "bg"],
    ["no value", { key: "bg" }],
    ["an empty key", { key: "", value: "true" }],
    ["a number key", { key: 1, value: "true" }],
    ["a boolean value", { key: "bg", value: true }],
  ])("keeps the default breakGlassTag for %s", (_what, breakGlassTag) => {
    expect(parseSettings({ breakGlassTag }).breakGlassTag).toEqual(DEFAULTS.breakGlassTag);
  });

  it("copies only key and value of the break-glass tag", () => {
    expect(parseSettings({ breakGlassTag: { key: "bg", value: "yes", extra: 1 } }).breakGlassTag).toEqual({ key: "bg", value: "yes" });
  });

  it.each([[{}], ["none"], [null]])("keeps no waivers for a waivers value of %j", (waivers) => {
    expect(parseSettings({ waivers }).waivers).toEqual([]);
  });

  it("keeps a waivers list as given (the guardrail-settings policy judges its entries)", () => {
    expect(parseSettings({ waivers: [5, "x"] }).waivers).toEqual([5, "x"]);
  });

  it("ignores unknown settings", () => {
    expect(parseSettings({ productionStack: ["live"] })).toEqual(DEFAULTS);
  });
});

describe("settingsConfigProblems", () => {
  it.each([[undefined], [null]])("finds nothing in an absent config (%j)", (config) => {
    expect(settingsConfigProblems(config)).toEqual([]);
  });

  it("finds nothing in a complete, well-typed config or an empty one", () => {
    expect(settingsConfigProblems({})).toEqual([]);
    expect(settingsConfigProblems(DEFAULTS)).toEqual([]);
    expect(
      settingsConfigProblems({ productionStacks: [], productionAccountIds: [""], productionTags: { tier: ["critical"] }, breakGlassTag: { key: "k", value: "" }, waivers: [] }),
    ).toEqual([]);
  });

  it.each([
    ['"all"', "all"],
    ["5", 5],
    ["true", true],
    ['["prod"]', ["prod"]],
    ["bigint", 10n],
    ["Symbol(s)", Symbol("s")],
  ])("says a config that is not an object (%s) leaves the defaults in force", (described, config) => {
    expect(settingsConfigProblems(config)).toEqual([notAnObject(described)]);
  });

  it("quotes a value of up to 60 characters whole and cuts a longer one to 57 and an ellipsis", () => {
    const sixty = "x".repeat(58); // 60 characters with its quotes
    expect(settingsConfigProblems(sixty)).toEqual([notAnObject(`"${sixty}"`)]);
    const sixtyOne = "x".repeat(59);
    expect(settingsConfigProblems(sixtyOne)).toEqual([notAnObject(`"${"x".repeat(56)}...`)]);
  });

  it.each([
    ["productionStacks", "prod", '"prod"', "a list of stack name patterns"],
    ["productionStacks", [""], '[""]', "a list of stack name patterns"],
    ["productionStacks", ["prod", 1], '["prod",1]', "a list of stack name patterns"],
    ["productionStacks", undefined, "undefined", "a list of stack name patterns"],
    ["productionAccountIds", "111111111111", '"111111111111"', "a list of 12-digit account ids"],
    ["productionAccountIds", [111111111111], "[111111111111]", "a list of 12-digit account ids"],
    ["productionTags", null, "null", "an object of tag key -> non-empty list of values"],
    ["productionTags", "env", '"env"', "an object of tag key -> non-empty list of values"],
    ["productionTags", [["prod"]], '[["prod"]]', "an object of tag key -> non-empty list of values"],
    ["productionTags", {}, "{}", "an object of tag key -> non-empty list of values"],
    ["productionTags", { env: [] }, '{"env":[]}', "an object of tag key -> non-empty list of values"],
    ["productionTags", { env: [""] }, '{"env":[""]}', "an object of tag key -> non-empty list of values"],
    ["productionTags", { env: "prod" }, '{"env":"prod"}', "an object of tag key -> non-empty list of values"],
    ["productionTags", { tier: ["critical"], env: [1] }, '{"tier":["critical"],"env":[1]}', "an object of tag key -> non-empty list of values"],
    ["breakGlassTag", null, "null", '{ "key": "<tag key>", "value": "<tag value>" }'],
    ["breakGlassTag", "bg", '"bg"', '{ "key": "<tag key>", "value": "<tag value>" }'],
    ["breakGlassTag", { key: 1, value: "v" }, '{"key":1,"value":"v"}', '{ "key": "<tag key>", "value": "<tag value>" }'],
    ["breakGlassTag", { key: "", value: "v" }, '{"key":"","value":"v"}', '{ "key": "<tag key>", "value": "<tag value>" }'],
    ["breakGlassTag", { key: "k", value: 1 }, '{"key":"k","value":1}', '{ "key": "<tag key>", "value": "<tag value>" }'],
    ["breakGlassTag", { key: "k" }, '{"key":"k"}', '{ "key": "<tag key>", "value": "<tag value>" }'],
    ["waivers", {}, "{}", "a list of waivers"],
    ["waivers", "none", '"none"', "a list of waivers"],
  ])("names %s = %j", (key, value, described, expected) => {
    expect(settingsConfigProblems({ [key]: value })).toEqual([wrong(key, described, expected)]);
  });

  it("describes a value that is not JSON by its type", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(settingsConfigProblems({ waivers: cyclic })).toEqual([wrong("waivers", "object", "a list of waivers")]);
    expect(settingsConfigProblems({ productionStacks: 3n })).toEqual([wrong("productionStacks", "bigint", "a list of stack name patterns")]);
  });

  it("names a misspelt setting with the list of real ones", () => {
    expect(settingsConfigProblems({ productionStack: ["x"] })).toEqual([
      `guardrail-settings has no setting "productionStack" (its settings: ${SETTING_NAMES}); it is ignored. Fix: correct its name in the policy config file.`,
    ]);
  });

  it("names every problem, in the config's key order", () => {
    expect(settingsConfigProblems({ waivers: {}, productionAccountIds: "111111111111", extra: 1, productionStacks: ["prod"] })).toEqual([
      wrong("waivers", "{}", "a list of waivers"),
      wrong("productionAccountIds", '"111111111111"', "a list of 12-digit account ids"),
      `guardrail-settings has no setting "extra" (its settings: ${SETTING_NAMES}); it is ignored. Fix: correct its name in the policy config file.`,
    ]);
  });
});

describe("publishSettings and currentSettings", () => {
  it("holds a fresh copy of the defaults until the settings policy has run once", () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fresh = require("../../policies/lib/settings") as typeof import("../../policies/lib/settings");
      const first = fresh.currentSettings();
      expect(first).toEqual(DEFAULTS);
      expect(first).not.toBe(fresh.DEFAULT_SETTINGS);
      expect(fresh.currentSettings()).toBe(first);
    });
  });

  it("publishes the parsed config for the rules that follow", () => {
    const published = publishSettings({ productionStacks: ["live"] });
    expect(published).toEqual({ ...DEFAULTS, productionStacks: ["live"] });
    expect(currentSettings()).toBe(published);
  });

  it("keeps the same settings object while the config text is unchanged, even from another object", () => {
    const first = publishSettings({ productionAccountIds: ["111111111111"] });
    expect(publishSettings({ productionAccountIds: ["111111111111"] })).toBe(first);
    expect(publishSettings({ productionAccountIds: ["111111111111"] })).toBe(first);
    expect(currentSettings()).toBe(first);
  });

  it("parses a changed config afresh, and again when it changes back", () => {
    const first = publishSettings({ productionStacks: ["a"] });
    const second = publishSettings({ productionStacks: ["b"] });
    expect(second).not.toBe(first);
    expect(second.productionStacks).toEqual(["b"]);
    const third = publishSettings({ productionStacks: ["a"] });
    expect(third).not.toBe(first);
    expect(third).toEqual(first);
    expect(currentSettings()).toBe(third);
  });

  it("keeps the empty config's settings object across calls", () => {
    const first = publishSettings({});
    expect(publishSettings({})).toBe(first);
    expect(first).toEqual(DEFAULTS);
  });

  it("parses a config that is not JSON afresh every time, each time from its own content", () => {
    const cyclic: Record<string, unknown> = { productionStacks: ["loop"] };
    cyclic.self = cyclic;
    const first = publishSettings(cyclic);
    const second = publishSettings(cyclic);
    expect(first.productionStacks).toEqual(["loop"]);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    const big = { productionStacks: ["big"], n: 1n };
    expect(publishSettings(big).productionStacks).toEqual(["big"]);
    expect(publishSettings(big)).not.toBe(publishSettings(big));
  });

  it("after a config that is not JSON, the previous config text is forgotten", () => {
    const first = publishSettings({ productionStacks: ["a"] });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(publishSettings(cyclic)).toEqual(DEFAULTS);
    const again = publishSettings({ productionStacks: ["a"] });
    expect(again).not.toBe(first);
    expect(again.productionStacks).toEqual(["a"]);
  });

  it("returns to the defaults when the config is absent, in a new object each time", () => {
    publishSettings({ productionStacks: ["a"] });
    const first = publishSettings(undefined);
    expect(first).toEqual(DEFAULTS);
    expect(publishSettings(undefined)).not.toBe(first);
  });
});

describe("currentStackName", () => {
  it("reads PULUMI_STACK first, then PULUMI_NODEJS_STACK, else empty", () => {
    expect(currentStackName({ PULUMI_STACK: "prod", PULUMI_NODEJS_STACK: "dev" })).toBe("prod");
    expect(currentStackName({ PULUMI_NODEJS_STACK: "dev" })).toBe("dev");
    expect(currentStackName({})).toBe("");
  });

  it("keeps an empty PULUMI_STACK (set, so not replaced)", () => {
    expect(currentStackName({ PULUMI_STACK: "", PULUMI_NODEJS_STACK: "dev" })).toBe("");
  });

  it("reads the process environment by default", () => {
    const saved = { stack: process.env.PULUMI_STACK, nodejs: process.env.PULUMI_NODEJS_STACK };
    try {
      process.env.PULUMI_STACK = "from-env";
      expect(currentStackName()).toBe("from-env");
      delete process.env.PULUMI_STACK;
      process.env.PULUMI_NODEJS_STACK = "nodejs-env";
      expect(currentStackName()).toBe("nodejs-env");
    } finally {
      for (const [key, value] of [["PULUMI_STACK", saved.stack], ["PULUMI_NODEJS_STACK", saved.nodejs]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

describe("SETTINGS_SCHEMA, as the engine applies it (JSON Schema validation with defaults)", () => {
  const validate = new Ajv({ strict: false, useDefaults: true, allErrors: true }).compile({ type: "object", ...SETTINGS_SCHEMA });

  it("accepts the documented settings and fills every default", () => {
    const config: Record<string, unknown> = {};
    expect(validate(config)).toBe(true);
    expect(config).toEqual({ ...DEFAULT_SETTINGS, productionAccountIds: [], waivers: [] });
    expect(validate({ productionStacks: ["prod-*"], productionTags: { tier: ["critical"] }, productionAccountIds: ["111111111111"], breakGlassTag: { key: "k", value: "" }, waivers: [{}] })).toBe(true);
  });

  it.each([
    ["productionStacks", [""]],
    ["productionStacks", "prod"],
    ["productionTags", { tier: [] }],
    ["productionTags", { tier: [""] }],
    ["productionTags", { tier: "critical" }],
    ["productionTags", []],
    ["productionAccountIds", ["11111111111"]],
    ["productionAccountIds", ["1111111111112"]],
    ["productionAccountIds", ["prod"]],
    ["productionAccountIds", "111111111111"],
    ["breakGlassTag", { key: "k" }],
    ["breakGlassTag", { value: "v" }],
    ["breakGlassTag", { key: "", value: "v" }],
    ["breakGlassTag", { key: "k", value: 1 }],
    ["breakGlassTag", "k=v"],
    ["waivers", [1]],
    ["waivers", {}],
  ])("refuses %s = %j", (key, value) => {
    expect(validate({ [key]: value })).toBe(false);
  });

  it("describes every setting for the policy config UI", () => {
    for (const [key, property] of Object.entries(SETTINGS_SCHEMA.properties ?? {})) {
      expect([key, typeof (property as { description?: unknown }).description === "string" && ((property as { description: string }).description.length > 30)]).toEqual([key, true]);
    }
    expect(SETTINGS_POLICY).toBe("guardrail-settings");
  });
});
