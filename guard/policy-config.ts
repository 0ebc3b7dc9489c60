/**
 * The policy configuration the Pulumi engine hands a policy pack in `Configure`, reconciled the
 * way the engine reconciles it (pulumi/pulumi `pkg/resource/analyzer/config.go`,
 * `ReconcilePolicyPackConfig`, called from `pkg/engine/update.go` for `--policy-pack`):
 *
 * 1. every policy starts at the enforcement level the pack declares for it, with the `default`
 *    of each top-level property of its `configSchema`;
 * 2. the pack's initial config (the third argument of `new PolicyPack(...)`) is applied;
 * 3. the user's `--policy-pack-config` file is applied: `"all"` first, then each named entry;
 *    a value is a level string or an object `{ "enforcementLevel": ..., "<setting>": ... }`
 *    whose settings are merged (shallowly) over what is already there;
 * 4. each policy's settings are validated against its `configSchema`.
 *
 * Every entry of the result carries an explicit level. That matters: a `Configure` entry without
 * a level is read by `@pulumi/policy` as the protobuf default, advisory, even for a mandatory
 * policy, so a client that skips this step sees advisories where users see errors.
 *
 * Engine behaviours kept on purpose (each one is what users get from the CLI):
 * - `"all"` and names that match no policy are kept as entries and sent to the pack; an entry
 *   with settings but no level for a name that matches no policy makes the engine fail in
 *   `Configure` with `invalid enforcement level ""`, and so does this module;
 * - in the pack's initial config an entry that gives only settings arrives with the protobuf
 *   default level (advisory) and so resets that policy to advisory (`convertPolicyConfig` in
 *   `pkg/resource/plugin/analyzer_plugin.go`); {@link reconcilePolicyConfig} applies the
 *   initial config exactly as `getAnalyzerInfo` in `analyzer-client.ts` returns it;
 * - only `properties` and `required` of a `configSchema` reach the engine (`@pulumi/policy`
 *   sends nothing else), so a top-level `additionalProperties: false` is never enforced.
 *
 * Validation: the engine uses gojsonschema v1.2.0 with no `$schema`, which accepts the keywords
 * of drafts 4, 6 and 7 together. This module uses ajv (draft 7) with `allErrors`, no type
 * coercion, no defaults filling, unknown keywords and unknown formats ignored, and the formats
 * both libraries know. Messages are rewritten into gojsonschema's wording
 * (`foo: Invalid type. Expected: string, given: integer`). Known differences:
 * - draft-4 boolean `exclusiveMinimum`/`exclusiveMaximum` is a schema error here
 *   ({@link PolicyConfigError} of kind `"schema"`), accepted by the engine;
 * - gojsonschema validates `idn-email`, `idn-hostname`, `iri`, `iri-reference`, which ajv-formats
 *   lacks (ignored here); remote `$ref`s are not fetched here;
 * - when `anyOf`/`oneOf` fails, the engine also lists the errors of the best-matching branch;
 *   here only the `anyOf`/`oneOf` error is reported.
 *
 * @example
 * ```ts
 * const info = await pack.getAnalyzerInfo();
 * const config = reconcilePolicyConfig(info, readPolicyPackConfigFile("policy-config.json"));
 * await pack.configure(config);
 * ```
 */
import * as fs from "fs";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats, { type FormatName } from "ajv-formats";

/** How a policy's violations are treated (`apitype.EnforcementLevel`). */
export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

/** Every enforcement level, in the order the CLI lists them. */
export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** True when `value` is one of {@link ENFORCEMENT_LEVELS}. */
export function isEnforcementLevel(value: unknown): value is EnforcementLevel {
  return typeof value === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(value);
}

/** A JSON schema, as plain JSON. */
export type JsonSchema = { [keyword: string]: unknown };

/** What a policy declares about its settings (`pulumirpc.PolicyConfigSchema`). */
export interface PolicyConfigSchema {
  /** Schema of each top-level setting. */
  properties: Record<string, JsonSchema>;
  /** Settings that must be present. */
  required: string[];
}

/** One entry of a policy configuration before reconciliation: the level is optional. */
export interface PolicyConfigEntry {
  enforcementLevel?: EnforcementLevel;
  properties?: Record<string, unknown>;
}

/** One entry of a reconciled policy configuration, ready for `Configure`. */
export interface ReconciledPolicyConfigEntry {
  enforcementLevel: EnforcementLevel;
  properties: Record<string, unknown>;
}

/** A reconciled configuration: policy name (or `"all"`, or a name the user wrote) to its entry. */
export type ReconciledPolicyConfig = Record<string, ReconciledPolicyConfigEntry>;

/**
 * The content of a `--policy-pack-config` file: policy name (or `"all"`) to a level, or to an
 * object with an optional `enforcementLevel` and the policy's settings.
 */
export type PolicyPackConfigFile = Record<string, EnforcementLevel | { enforcementLevel?: EnforcementLevel; [setting: string]: unknown }>;

/** What reconciliation needs to know about a pack; `AnalyzerInfo` from `analyzer-client.ts` fits. */
export interface PolicyPackConfigTarget {
  name: string;
  version: string;
  /** False for packs that take no configuration (`AnalyzerInfo.supportsConfig`). */
  supportsConfig: boolean;
  policies: ReadonlyArray<{ name: string; enforcementLevel: EnforcementLevel; configSchema?: PolicyConfigSchema }>;
  /** The pack's initial config as the engine reads it from `GetAnalyzerInfo`. */
  initialConfig: Readonly<Record<string, PolicyConfigEntry>>;
}

/** One thing wrong with a policy configuration. */
export interface PolicyConfigProblem {
  /** The policy (or config key) concerned, when there is one. */
  policy?: string;
  /** The top-level setting concerned, when there is one. */
  setting?: string;
  /** The problem in the CLI's words. */
  message: string;
}

/**
 * Why a configuration was refused:
 * `file` (unreadable or not JSON), `shape` (not the file format the CLI accepts),
 * `unsupported` (something only the Pulumi Cloud backend can resolve, or config for a pack that
 * takes none), `schema` (a policy's `configSchema` cannot be compiled),
 * `validation` (a setting breaks its schema), `level` (an entry ends without a valid level).
 */
export type PolicyConfigErrorKind = "file" | "shape" | "unsupported" | "schema" | "validation" | "level";

/** A policy configuration the engine would refuse; `message` reads like the CLI's error. */
export class PolicyConfigError extends Error {
  constructor(
    readonly kind: PolicyConfigErrorKind,
    readonly problems: readonly PolicyConfigProblem[],
    message: string = problems.map((p) => p.message).join("\n"),
  ) {
    super(message);
    this.name = "PolicyConfigError";
  }
}

/**
 * Reads a `--policy-pack-config` JSON file and checks its shape the way the CLI does
 * (`parsePolicyPackConfig`). An empty file is an empty configuration, as in the CLI.
 * @throws {PolicyConfigError} kind `file`, `shape` or `unsupported`, naming the file.
 */
export function readPolicyPackConfigFile(path: string): PolicyPackConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (err) {
    throw new PolicyConfigError("file", [{ message: `reading policy pack config file "${path}": ${errorMessage(err)}` }]);
  }
  if (text.trim() === "") {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new PolicyConfigError("file", [{ message: `parsing policy pack config file "${path}": ${errorMessage(err)}` }]);
  }
  parsePolicyPackConfig(parsed, `policy pack config file "${path}"`);
  return parsed as PolicyPackConfigFile;
}

/**
 * Turns the content of a `--policy-pack-config` file into entries with an optional level, with
 * the CLI's rules: a string must be a level; an object may carry `enforcementLevel` (a valid level
 * string) and settings; entries with neither are dropped; `"environments"` (Pulumi ESC) is
 * refused because only the Pulumi Cloud backend can resolve it.
 * @param source names the input in error messages.
 * @throws {PolicyConfigError} kind `shape` or `unsupported`.
 */
export function parsePolicyPackConfig(config: unknown, source = "policy pack config"): Record<string, PolicyConfigEntry> {
  if (!isPlainObject(config)) {
    throw new PolicyConfigError("shape", [
      { message: `${source}: must be a JSON object mapping policy names to a level or settings, got ${jsonTypeName(config)}` },
    ]);
  }
  const result: Record<string, PolicyConfigEntry> = {};
  const problems: PolicyConfigProblem[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (key === "environments") {
      throw new PolicyConfigError("unsupported", [
        {
          policy: key,
          message: `${source}: "environments" names Pulumi ESC environments, which only the Pulumi Cloud backend can resolve; this offline client cannot`,
        },
      ]);
    }
    if (typeof value === "string") {
      if (!isEnforcementLevel(value)) {
        problems.push({ policy: key, message: `${source}: parsing enforcement level for "${key}": "${value}" is not a valid enforcement level` });
        continue;
      }
      result[key] = { enforcementLevel: value };
      continue;
    }
    if (!isPlainObject(value)) {
      problems.push({ policy: key, message: `${source}: parsing "${key}": ${JSON.stringify(value)} is not a valid value; must be a string or object` });
      continue;
    }
    const { enforcementLevel, ...settings } = value;
    if (enforcementLevel !== undefined && typeof enforcementLevel !== "string") {
      problems.push({
        policy: key,
        setting: "enforcementLevel",
        message: `${source}: parsing enforcement level for "${key}": ${JSON.stringify(enforcementLevel)} is not a valid enforcement level; must be a string`,
      });
      continue;
    }
    if (enforcementLevel !== undefined && !isEnforcementLevel(enforcementLevel)) {
      problems.push({
        policy: key,
        setting: "enforcementLevel",
        message: `${source}: parsing enforcement level for "${key}": "${enforcementLevel}" is not a valid enforcement level`,
      });
      continue;
    }
    const hasSettings = Object.keys(settings).length > 0;
    // The CLI drops entries that say nothing.
    if (enforcementLevel === undefined && !hasSettings) {
      continue;
    }
    result[key] = {
      ...(enforcementLevel !== undefined ? { enforcementLevel } : {}),
      ...(hasSettings ? { properties: settings } : {}),
    };
  }
  if (problems.length > 0) {
    throw new PolicyConfigError("shape", problems);
  }
  return result;
}

/**
 * Reconciles a pack's configuration exactly as the engine does before `Configure` (see the
 * module comment), and validates each policy's settings against its `configSchema`.
 * @param info the pack's `GetAnalyzerInfo` answer (`AnalyzerInfo` from `analyzer-client.ts`).
 * @param userConfig the content of the user's `--policy-pack-config` file, if any.
 * @returns every policy (and every other key the engine keeps) with an explicit level and its
 *   settings; for a pack that takes no configuration, an empty object.
 * @throws {PolicyConfigError} kind `validation` with one line per broken setting, in the CLI's
 *   words (`validating policy config: <pack> <version>  <policy>: <setting>: <problem>`); kind
 *   `shape`, `unsupported`, `schema` or `level` as documented on {@link PolicyConfigErrorKind}.
 */
export function reconcilePolicyConfig(info: PolicyPackConfigTarget, userConfig?: PolicyPackConfigFile): ReconciledPolicyConfig {
  checkTarget(info);
  const userEntries = userConfig === undefined ? undefined : parsePolicyPackConfig(userConfig);
  if (!info.supportsConfig) {
    if (userEntries !== undefined && Object.keys(userEntries).length > 0) {
      throw new PolicyConfigError("unsupported", [{ message: `policy pack "${info.name}" does not support config` }]);
    }
    return {};
  }

  let result = configWithSchemaDefaults(info.policies);
  result = applyPolicyConfig(result, info.initialConfig);
  if (userEntries !== undefined) {
    result = applyPolicyConfig(result, userEntries);
  }

  const violations = validateAgainstConfigSchemas(info, result);
  if (violations.length > 0) {
    // The CLI sorts the lines before printing them.
    const lines = violations
      .map((v) => ({ ...v, message: `validating policy config: ${info.name} ${info.version}  ${v.policy}: ${v.message}` }))
      .sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
    throw new PolicyConfigError("validation", lines);
  }

  const reconciled: ReconciledPolicyConfig = {};
  const levelProblems: PolicyConfigProblem[] = [];
  for (const [key, entry] of Object.entries(result)) {
    if (entry.enforcementLevel === "") {
      levelProblems.push({
        policy: key,
        message:
          `configuring policy pack "${info.name}": invalid enforcement level "" for "${key}": it has settings but no enforcementLevel` +
          (key === "all" ? " (settings under \"all\" reach no policy)" : ", and the pack has no policy of that name"),
      });
      continue;
    }
    reconciled[key] = { enforcementLevel: entry.enforcementLevel, properties: cloneSettings(entry.properties ?? {}) };
  }
  if (levelProblems.length > 0) {
    throw new PolicyConfigError("level", levelProblems);
  }
  return reconciled;
}

/**
 * Names in a user configuration that match no policy of the pack (`"all"` excepted). The engine
 * passes such entries on silently; a checker can warn about them (they are usually typos).
 */
export function findUnknownPolicyNames(info: Pick<PolicyPackConfigTarget, "policies">, userConfig: PolicyPackConfigFile): string[] {
  const known = new Set(info.policies.map((p) => p.name));
  return Object.keys(parsePolicyPackConfig(userConfig)).filter((name) => name !== "all" && !known.has(name));
}

/** A malformed pack description is a programming error: say what is wrong rather than fail deep inside. */
function checkTarget(info: PolicyPackConfigTarget): void {
  const problems: string[] = [];
  if (!isPlainObject(info)) {
    throw new TypeError(`reconcilePolicyConfig needs the pack's GetAnalyzerInfo answer, got ${jsonTypeName(info)}`);
  }
  if (typeof info.name !== "string") problems.push("name must be a string");
  if (typeof info.version !== "string") problems.push("version must be a string");
  if (typeof info.supportsConfig !== "boolean") problems.push("supportsConfig must be a boolean");
  if (!Array.isArray(info.policies)) {
    problems.push("policies must be an array");
  } else {
    info.policies.forEach((p, i) => {
      const policy: unknown = p;
      if (!isPlainObject(policy) || typeof policy["name"] !== "string" || !isEnforcementLevel(policy["enforcementLevel"])) {
        problems.push(`policies[${i}] must have a name and a valid enforcementLevel`);
        return;
      }
      const schema = policy["configSchema"];
      if (schema !== undefined && (!isPlainObject(schema) || !isPlainObject(schema["properties"]) || !Array.isArray(schema["required"]))) {
        problems.push(`policies[${i}].configSchema must have properties (object) and required (array)`);
      }
    });
  }
  if (!isPlainObject(info.initialConfig)) problems.push("initialConfig must be an object");
  if (problems.length > 0) {
    throw new TypeError(`reconcilePolicyConfig: malformed pack description: ${problems.join("; ")}`);
  }
}

/** An entry during reconciliation; `""` is the engine's "no level yet". */
interface WorkingEntry {
  enforcementLevel: EnforcementLevel | "";
  properties?: Record<string, unknown>;
}

/** `createConfigWithDefaults`: each policy's own level, and the `default` of each top-level setting. */
function configWithSchemaDefaults(policies: PolicyPackConfigTarget["policies"]): Record<string, WorkingEntry> {
  const result: Record<string, WorkingEntry> = {};
  for (const policy of policies) {
    let properties: Record<string, unknown> | undefined;
    for (const [setting, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
      if (isPlainObject(schema) && Object.prototype.hasOwnProperty.call(schema, "default")) {
        properties ??= {};
        properties[setting] = schema["default"];
      }
    }
    result[policy.name] = { enforcementLevel: policy.enforcementLevel, properties };
  }
  return result;
}

/** `applyConfig`: `"all"` sets every level first, then each entry overrides its own. */
function applyPolicyConfig(
  current: Record<string, WorkingEntry>,
  toApply: Readonly<Record<string, PolicyConfigEntry>>,
): Record<string, WorkingEntry> {
  const result: Record<string, WorkingEntry> = { ...current };
  const all = toApply["all"];
  if (all !== undefined && isEnforcementLevel(all.enforcementLevel)) {
    for (const key of Object.keys(result)) {
      result[key] = { enforcementLevel: all.enforcementLevel, properties: result[key]?.properties };
    }
  }
  for (const [key, given] of Object.entries(toApply)) {
    const existing = result[key];
    let enforcementLevel: EnforcementLevel | "" = existing?.enforcementLevel ?? "";
    let properties = existing?.properties;
    if (isEnforcementLevel(given.enforcementLevel)) {
      enforcementLevel = given.enforcementLevel;
    }
    const givenProperties = given.properties ?? {};
    if (Object.keys(givenProperties).length > 0) {
      // Shallow, as the engine's maps.Copy: a nested object replaces, it does not merge.
      properties = { ...(properties ?? {}), ...givenProperties };
    }
    result[key] = { enforcementLevel, properties };
  }
  return result;
}

/** A validation failure before it is prefixed with the pack name. */
interface SchemaViolation {
  policy: string;
  setting?: string;
  message: string;
}

/** Formats ajv and gojsonschema both check; the others are ignored, as unknown formats are by both. */
const SHARED_FORMATS: FormatName[] = [
  "date",
  "time",
  "date-time",
  "email",
  "hostname",
  "ipv4",
  "ipv6",
  "uri",
  "uri-reference",
  "uri-template",
  "json-pointer",
  "relative-json-pointer",
  "regex",
  "uuid",
];

let sharedAjv: Ajv | undefined;
/** Compiled validators by schema text: reconciliation runs once per check, but tests and checkers call it often. */
const compiledSchemas = new Map<string, ValidateFunction>();

function compileConfigSchema(schema: JsonSchema): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiledSchemas.get(key);
  if (validate === undefined) {
    if (sharedAjv === undefined) {
      sharedAjv = new Ajv({ allErrors: true, strict: false, logger: false, verbose: true, validateFormats: true, addUsedSchema: false });
      addFormats(sharedAjv, SHARED_FORMATS);
    }
    validate = sharedAjv.compile(schema);
    compiledSchemas.set(key, validate);
  }
  return validate;
}

/** `validatePolicyPackConfig`: each policy's settings against `{type: object, properties, required}`. */
function validateAgainstConfigSchemas(info: PolicyPackConfigTarget, config: Record<string, WorkingEntry>): SchemaViolation[] {
  const violations: SchemaViolation[] = [];
  for (const policy of info.policies) {
    // The engine adds `enforcementLevel` to every schema of a pack that supports config.
    const schema: JsonSchema = {
      type: "object",
      properties: {
        ...(policy.configSchema?.properties ?? {}),
        enforcementLevel: { type: "string", enum: [...ENFORCEMENT_LEVELS] },
      },
      ...(policy.configSchema && policy.configSchema.required.length > 0 ? { required: policy.configSchema.required } : {}),
    };
    let validate: ValidateFunction;
    try {
      validate = compileConfigSchema(schema);
    } catch (err) {
      throw new PolicyConfigError("schema", [
        {
          policy: policy.name,
          message: `reconciling policy config for "${info.name}": policy "${policy.name}" has a configSchema that cannot be used: ${errorMessage(err)}`,
        },
      ]);
    }
    const settings = config[policy.name]?.properties ?? {};
    if (validate(settings)) {
      continue;
    }
    for (const error of keepErrorsTheEngineReports(validate.errors ?? [])) {
      violations.push({ policy: policy.name, setting: settingOf(error), message: inGojsonschemaWords(error) });
    }
  }
  return violations;
}

/**
 * gojsonschema stops at a type mismatch (it checks nothing else of that subschema) and reports a
 * failed `anyOf`/`oneOf` once; ajv with `allErrors` reports everything. Keep what the engine shows.
 */
function keepErrorsTheEngineReports(errors: readonly ErrorObject[]): ErrorObject[] {
  const typeFailures = errors
    .filter((e) => e.keyword === "type")
    .map((e) => ({ instancePath: e.instancePath, schemaBase: e.schemaPath.slice(0, -"/type".length) }));
  return errors.filter((e) => {
    if (/\/(anyOf|oneOf)\/\d+(\/|$)/.test(e.schemaPath)) {
      return false;
    }
    if (e.keyword === "type") {
      return true;
    }
    return !typeFailures.some(
      (t) =>
        (e.instancePath === t.instancePath || e.instancePath.startsWith(`${t.instancePath}/`)) &&
        (e.schemaPath === t.schemaBase || e.schemaPath.startsWith(`${t.schemaBase}/`)),
    );
  });
}

/** `/a/b~1c` to gojsonschema's `a.b/c`; the root is `""`. */
function fieldPath(instancePath: string): string {
  if (instancePath === "") {
    return "";
  }
  return instancePath
    .slice(1)
    .split("/")
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"))
    .join(".");
}

/** The top-level setting an error is about, when it is about one. */
function settingOf(error: ErrorObject): string | undefined {
  const path = fieldPath(error.instancePath);
  if (path !== "") {
    return path.split(".")[0];
  }
  if (error.keyword === "required") {
    return String((error.params as { missingProperty?: unknown }).missingProperty);
  }
  if (error.keyword === "additionalProperties") {
    return String((error.params as { additionalProperty?: unknown }).additionalProperty);
  }
  return undefined;
}

/** gojsonschema's name for the JSON type of a value: whole numbers are `integer`. */
function gojsonschemaTypeName(value: unknown): string {
  if (typeof value === "number") {
    return Number.isInteger(value) ? "integer" : "number";
  }
  return jsonTypeName(value);
}

/** One error in the words of gojsonschema v1.2.0's default locale, prefixed by its field as the CLI prints it. */
function inGojsonschemaWords(error: ErrorObject): string {
  const path = fieldPath(error.instancePath);
  const field = path === "" ? "(root)" : path;
  const params = error.params as Record<string, unknown>;
  let description: string;
  switch (error.keyword) {
    case "required":
      description = `${String(params["missingProperty"])} is required`;
      break;
    case "type": {
      const expected = Array.isArray(params["type"]) ? `[${(params["type"] as string[]).join(",")}]` : String(params["type"]);
      description = `Invalid type. Expected: ${expected}, given: ${gojsonschemaTypeName(error.data)}`;
      break;
    }
    case "enum":
      description = `${field} must be one of the following: ${(params["allowedValues"] as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
      break;
    case "const":
      description = `${field} does not match: ${JSON.stringify(params["allowedValue"])}`;
      break;
    case "minimum":
      description = `Must be greater than or equal to ${String(params["limit"])}`;
      break;
    case "exclusiveMinimum":
      description = `Must be greater than ${String(params["limit"])}`;
      break;
    case "maximum":
      description = `Must be less than or equal to ${String(params["limit"])}`;
      break;
    case "exclusiveMaximum":
      description = `Must be less than ${String(params["limit"])}`;
      break;
    case "multipleOf":
      description = `Must be a multiple of ${String(params["multipleOf"])}`;
      break;
    case "minLength":
      description = `String length must be greater than or equal to ${String(params["limit"])}`;
      break;
    case "maxLength":
      description = `String length must be less than or equal to ${String(params["limit"])}`;
      break;
    case "pattern":
      description = `Does not match pattern '${String(params["pattern"])}'`;
      break;
    case "format":
      description = `Does not match format '${String(params["format"])}'`;
      break;
    case "minItems":
      description = `Array must have at least ${String(params["limit"])} items`;
      break;
    case "maxItems":
      description = `Array must have at most ${String(params["limit"])} items`;
      break;
    case "uniqueItems":
      description = "array items must be unique";
      break;
    case "minProperties":
      description = `Must have at least ${String(params["limit"])} properties`;
      break;
    case "maxProperties":
      description = `Must have at most ${String(params["limit"])} properties`;
      break;
    case "additionalProperties":
      description = `Additional property ${String(params["additionalProperty"])} is not allowed`;
      break;
    case "dependencies":
    case "dependentRequired":
      description = `Has a dependency on ${String(params["missingProperty"])}`;
      break;
    case "anyOf":
      description = "Must validate at least one schema (anyOf)";
      break;
    case "oneOf":
      description = "Must validate one and only one schema (oneOf)";
      break;
    case "not":
      description = "Must not validate the schema (not)";
      break;
    default:
      description = error.message ?? `fails "${error.keyword}"`;
  }
  // The engine trims gojsonschema's "(root): " prefix.
  return path === "" ? description : `${path}: ${description}`;
}

/** A deep copy of JSON settings, so the result shares nothing with the inputs. */
function cloneSettings(settings: Record<string, unknown>): Record<string, unknown> {
  const clone = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(clone)
      : isPlainObject(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)]))
        : value;
  return clone(settings) as Record<string, unknown>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jsonTypeName(value: unknown): string {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "array";
  }
  return typeof value;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
