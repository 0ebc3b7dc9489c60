/**
 * Settings that several rules share, written once by the user.
 *
 * Pulumi's policy config file is keyed by policy name and has no pack-wide settings
 * (pulumi/pulumi-policy#374 is still open; the engine's `"all"` key carries only an enforcement
 * level). So the shared settings belong to one policy, `guardrail-settings`, which the engine
 * validates against its schema like any other. That policy runs first in every call, reads its
 * config and publishes it here for the rules that follow it:
 *
 * ```json
 * { "guardrail-settings": { "productionAccountIds": ["111111111111"], "waivers": [] } }
 * ```
 */
import type { PolicyConfigSchema } from "@pulumi/policy";

export const SETTINGS_POLICY = "guardrail-settings";

export interface WaiverEntry {
  rule: string;
  resource: string;
  owner: string;
  reason: string;
  expires: string;
}

export interface SharedSettings {
  /** Stack name patterns (`*` matches any run of characters) whose every resource is production. */
  productionStacks: string[];
  /** Tag key to the values that mark a resource production; keys and values compare case-insensitively. */
  productionTags: Record<string, string[]>;
  /** AWS account ids that hold production; a non-production stack's providers must not allow them. */
  productionAccountIds: string[];
  /** The tag that declares an IAM role a break-glass role, and its value. */
  breakGlassTag: { key: string; value: string };
  /** Reviewed exceptions: see lib/waivers.ts. */
  waivers: WaiverEntry[];
}

export const DEFAULT_SETTINGS: Readonly<SharedSettings> = Object.freeze({
  productionStacks: ["prod", "prod-*", "production", "production-*"],
  productionTags: { environment: ["prod", "production"], env: ["prod", "production"] },
  productionAccountIds: [],
  breakGlassTag: { key: "db-guardrails:break-glass", value: "true" },
  waivers: [],
});

/** The schema the engine validates `guardrail-settings` config against (defaults filled in by the engine). */
export const SETTINGS_SCHEMA: PolicyConfigSchema = {
  properties: {
    productionStacks: {
      type: "array",
      items: { type: "string", minLength: 1 },
      default: DEFAULT_SETTINGS.productionStacks,
      description: "Stack name patterns whose resources are all production; `*` matches any characters.",
    },
    productionTags: {
      type: "object",
      additionalProperties: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 },
      default: DEFAULT_SETTINGS.productionTags,
      description: "Tag key -> values that mark a resource production (case-insensitive).",
    },
    productionAccountIds: {
      type: "array",
      items: { type: "string", pattern: "^[0-9]{12}$" },
      default: [],
      description: "AWS account ids of production; non-production stacks may not allow them.",
    },
    breakGlassTag: {
      type: "object",
      properties: { key: { type: "string", minLength: 1 }, value: { type: "string" } },
      required: ["key", "value"],
      default: DEFAULT_SETTINGS.breakGlassTag,
      description: "Tag that declares an IAM role a break-glass role (which must require MFA).",
    },
    waivers: {
      type: "array",
      // Shape only; the waiver rules (reason length, expiry, waivable rule) are judged by the
      // guardrail-settings policy itself so that a bad waiver is a violation, not a config error.
      items: { type: "object" },
      default: [],
      description: "Reviewed exceptions: {rule, resource, owner, reason, expires}.",
    },
  },
};

let current: SharedSettings = cloneDefaults();

function cloneDefaults(): SharedSettings {
  return JSON.parse(JSON.stringify(DEFAULT_SETTINGS)) as SharedSettings;
}

const isStringList = (v: unknown, nonEmptyItems: boolean): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string" && (!nonEmptyItems || x !== ""));

/** What each shared setting must be to be used; anything else leaves its default. */
const VALID = {
  productionStacks: (v: unknown): v is string[] => isStringList(v, true),
  productionAccountIds: (v: unknown): v is string[] => isStringList(v, false),
  productionTags: (v: unknown): v is Record<string, string[]> =>
    v !== null &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    Object.keys(v).length > 0 &&
    Object.values(v as Record<string, unknown>).every((values) => isStringList(values, true) && values.length > 0),
  breakGlassTag: (v: unknown): v is { key: string; value: string } => {
    const bg = v as Record<string, unknown> | null;
    return !!bg && typeof bg === "object" && typeof bg.key === "string" && bg.key !== "" && typeof bg.value === "string";
  },
  waivers: (v: unknown): v is unknown[] => Array.isArray(v),
};

/**
 * Turns the config the engine sent for `guardrail-settings` into settings, keeping the default
 * for anything missing or of the wrong shape (the engine has validated it against the schema;
 * this guards against a client that did not).
 */
export function parseSettings(config: unknown): SharedSettings {
  const s = cloneDefaults();
  if (config === null || typeof config !== "object") return s;
  const c = config as Record<string, unknown>;
  // Each setting is taken whole or not at all, by the same tests that settingsConfigProblems
  // reports: a value it names as unusable is never half used.
  if (VALID.productionStacks(c.productionStacks)) s.productionStacks = [...c.productionStacks];
  if (VALID.productionAccountIds(c.productionAccountIds)) s.productionAccountIds = [...c.productionAccountIds];
  if (VALID.productionTags(c.productionTags)) s.productionTags = Object.fromEntries(Object.entries(c.productionTags).map(([k, v]) => [k, [...v]]));
  if (VALID.breakGlassTag(c.breakGlassTag)) s.breakGlassTag = { key: c.breakGlassTag.key, value: c.breakGlassTag.value };
  if (VALID.waivers(c.waivers)) s.waivers = c.waivers as WaiverEntry[];
  return s;
}

/**
 * What in the `guardrail-settings` config `parseSettings` could not use (and so replaced by its
 * default), one sentence each. The engine validates the config against the schema before
 * `Configure`; a client that skips that must still not have a misspelt or mistyped setting pass
 * unnoticed (a `productionAccountIds` written as a string would otherwise switch its check off).
 */
export function settingsConfigProblems(config: unknown): string[] {
  if (config === undefined || config === null) return [];
  if (typeof config !== "object" || Array.isArray(config)) return [`guardrail-settings config is ${describeSetting(config)}, not an object; the defaults are used. Fix: write the settings as an object in the policy config file.`];
  const problems: string[] = [];
  const c = config as Record<string, unknown>;
  const wrong = (key: string, expected: string) =>
    problems.push(`guardrail-settings.${key} is ${describeSetting(c[key])}, not ${expected}; the default is used instead. Fix: correct it in the policy config file.`);
  for (const key of Object.keys(c)) {
    const value = c[key];
    switch (key) {
      case "productionStacks":
        if (!VALID.productionStacks(value)) wrong(key, "a list of stack name patterns");
        break;
      case "productionAccountIds":
        if (!VALID.productionAccountIds(value)) wrong(key, "a list of 12-digit account ids");
        break;
      case "productionTags":
        if (!VALID.productionTags(value)) wrong(key, "an object of tag key -> non-empty list of values");
        break;
      case "breakGlassTag":
        if (!VALID.breakGlassTag(value)) wrong(key, '{ "key": "<tag key>", "value": "<tag value>" }');
        break;
      case "waivers":
        if (!VALID.waivers(value)) wrong(key, "a list of waivers");
        break;
      default:
        problems.push(`guardrail-settings has no setting "${key}" (its settings: ${Object.keys(SETTINGS_SCHEMA.properties ?? {}).join(", ")}); it is ignored. Fix: correct its name in the policy config file.`);
    }
  }
  return problems;
}

function describeSetting(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = typeof value;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

let currentConfigText: string | undefined;

/**
 * Called by the settings policy with its config; later rules in the same call read it. The engine
 * sends the same config with every resource, so an unchanged config keeps the same settings object:
 * what is memoized per settings object (waiver checks, stack views) then survives across calls.
 */
export function publishSettings(config: unknown): SharedSettings {
  let text: string | undefined;
  try {
    text = JSON.stringify(config);
  } catch {
    text = undefined; // not JSON (cyclic, BigInt): parse it afresh every time
  }
  if (text === undefined || text !== currentConfigText) {
    current = parseSettings(config);
    currentConfigText = text;
  }
  return current;
}

/** The settings in force (the defaults until the settings policy has run once). */
export function currentSettings(): SharedSettings {
  return current;
}

/** The stack being checked, as the CLI tells a policy pack (PULUMI_STACK). */
export function currentStackName(env: NodeJS.ProcessEnv = process.env): string {
  return env.PULUMI_STACK ?? env.PULUMI_NODEJS_STACK ?? "";
}
