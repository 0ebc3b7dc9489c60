/**
 * Reads a Pulumi project (`Pulumi.yaml`) and one stack's configuration (`Pulumi.<stack>.yaml`)
 * into what the engine hands a Node.js program: the `PULUMI_CONFIG` map (every value a string,
 * structured values as JSON) and the secret keys (`PULUMI_CONFIG_SECRET_KEYS`).
 *
 * `secure:` values cannot be decrypted offline. They are listed as undecryptable unless an
 * override supplies the plaintext; the capture fails with a usage error naming the key when the
 * program reads one (see guard/capture-child.ts).
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { configValueText } from "./capture-engine-rules";

/** A problem with the project, the stack files or the options, as opposed to the program. */
export class CaptureUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CaptureUsageError";
  }
}

export interface PulumiProject {
  /** `name:` in Pulumi.yaml. */
  name: string;
  /** Absolute directory holding Pulumi.yaml. */
  projectDir: string;
  projectFile: string;
  /** `main:` as written (relative to projectDir), or "." when absent. */
  main: string;
  /** `runtime.options.typescript`; the Node.js language host defaults it to true. */
  typescript: boolean;
  /** `runtime.options.tsconfig`, if set. */
  tsconfig?: string;
  /** Absolute directory holding the `Pulumi.<stack>.yaml` files (`stackConfigDir:`). */
  stackConfigDir: string;
  /** Project-level `config:` block, keys fully qualified. */
  declaredConfig: Record<string, ProjectConfigDeclaration>;
}

export interface ProjectConfigDeclaration {
  /** The value stacks get when they set none (`default:` / `value:` / a bare value). */
  defaultValue?: unknown;
  /** `secret: true`: stacks must give it as `secure:`. */
  secret: boolean;
}

export interface StackConfig {
  /** Fully qualified key (`namespace:name`) to the text the engine hands the program. */
  values: Record<string, string>;
  /** Keys holding secrets, as the engine lists them in `PULUMI_CONFIG_SECRET_KEYS`. */
  secretKeys: string[];
  /** Secret keys with no plaintext offline (absent from `values`). */
  undecryptableKeys: string[];
}

const PROJECT_FILE_NAMES = ["Pulumi.yaml", "Pulumi.yml"];
const PROJECT_CONFIG_SCHEMA_KEYS = new Set(["type", "description", "default", "value", "secret", "items"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readYamlFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new CaptureUsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    // The core schema: no timestamps or other YAML 1.1 types the engine would read as strings.
    return yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: file });
  } catch (err) {
    throw new CaptureUsageError(`${file} is not valid YAML: ${(err as Error).message}`);
  }
}

/** `aws:region`, `proj:key`, legacy `aws:config:region`; a bare `key` belongs to the project. */
export function qualifyConfigKey(key: string, project: string): string {
  const colon = key.indexOf(":");
  if (colon === -1) {
    if (key === "") {
      throw new CaptureUsageError("empty config key");
    }
    return `${project}:${key}`;
  }
  const namespace = key.slice(0, colon);
  let name = key.slice(colon + 1);
  if (name.startsWith("config:")) {
    name = name.slice("config:".length);
  }
  if (namespace === "" || name === "" || name.includes(":")) {
    throw new CaptureUsageError(`config key ${JSON.stringify(key)} is not of the form namespace:name`);
  }
  return `${namespace}:${name}`;
}

export function findProjectFile(projectDir: string): string {
  for (const name of PROJECT_FILE_NAMES) {
    const candidate = path.join(projectDir, name);
    if (fs.existsSync(candidate)) {
      return candidate;
    }
  }
  throw new CaptureUsageError(`no Pulumi.yaml in ${projectDir}`);
}

export function readPulumiProject(projectDirInput: string): PulumiProject {
  const projectDir = path.resolve(projectDirInput);
  const projectFile = findProjectFile(projectDir);
  const document = readYamlFile(projectFile);
  if (!isRecord(document)) {
    throw new CaptureUsageError(`${projectFile} must be a YAML mapping`);
  }
  const name = document["name"];
  if (typeof name !== "string" || name === "") {
    throw new CaptureUsageError(`${projectFile} has no project name (name:)`);
  }
  const runtime = document["runtime"];
  const runtimeName = isRecord(runtime) ? runtime["name"] : runtime;
  if (runtimeName !== "nodejs") {
    throw new CaptureUsageError(
      `${projectFile}: runtime ${JSON.stringify(runtimeName)} is not supported; the offline capture runs nodejs programs only`,
    );
  }
  const options = isRecord(runtime) && isRecord(runtime["options"]) ? runtime["options"] : {};
  const typescriptOption = options["typescript"];
  if (typescriptOption !== undefined && typeof typescriptOption !== "boolean") {
    throw new CaptureUsageError(`${projectFile}: runtime.options.typescript must be true or false`);
  }
  const tsconfigOption = options["tsconfig"];
  if (tsconfigOption !== undefined && typeof tsconfigOption !== "string") {
    throw new CaptureUsageError(`${projectFile}: runtime.options.tsconfig must be a path`);
  }
  const main = document["main"];
  if (main !== undefined && (typeof main !== "string" || main === "")) {
    throw new CaptureUsageError(`${projectFile}: main must be a path`);
  }
  const stackConfigDir = document["stackConfigDir"];
  if (stackConfigDir !== undefined && typeof stackConfigDir !== "string") {
    throw new CaptureUsageError(`${projectFile}: stackConfigDir must be a path`);
  }
  const declaredConfig: Record<string, ProjectConfigDeclaration> = {};
  const configBlock = document["config"];
  if (configBlock !== undefined && configBlock !== null) {
    if (!isRecord(configBlock)) {
      throw new CaptureUsageError(`${projectFile}: config must be a mapping`);
    }
    for (const [key, declaration] of Object.entries(configBlock)) {
      const fullKey = qualifyConfigKey(key, name);
      const isSchema = isRecord(declaration) && Object.keys(declaration).every((k) => PROJECT_CONFIG_SCHEMA_KEYS.has(k));
      if (isSchema) {
        const given = "value" in declaration ? declaration["value"] : declaration["default"];
        declaredConfig[fullKey] = {
          ...(given === undefined ? {} : { defaultValue: given }),
          secret: declaration["secret"] === true,
        };
      } else {
        declaredConfig[fullKey] = { defaultValue: declaration, secret: false };
      }
    }
  }
  return {
    name,
    projectDir,
    projectFile,
    main: (main as string | undefined) ?? ".",
    typescript: typescriptOption !== false,
    ...(tsconfigOption === undefined ? {} : { tsconfig: tsconfigOption }),
    stackConfigDir: path.resolve(projectDir, (stackConfigDir as string | undefined) ?? "."),
    declaredConfig,
  };
}

/** The stacks of a project: one per `Pulumi.<stack>.yaml` (or `.yml`) beside Pulumi.yaml, sorted. */
export function listStacks(projectDir: string): string[] {
  const project = readPulumiProject(projectDir);
  let entries: string[];
  try {
    entries = fs.readdirSync(project.stackConfigDir);
  } catch (err) {
    throw new CaptureUsageError(`cannot list ${project.stackConfigDir}: ${(err as Error).message}`);
  }
  const stacks = new Set<string>();
  for (const entry of entries) {
    const match = /^Pulumi\.(.+)\.ya?ml$/.exec(entry);
    if (match) {
      stacks.add(match[1]);
    }
  }
  return [...stacks].sort();
}

export function stackConfigFile(project: PulumiProject, stack: string): string {
  if (stack === "" || /[\\/]/.test(stack)) {
    throw new CaptureUsageError(`invalid stack name ${JSON.stringify(stack)}`);
  }
  for (const extension of ["yaml", "yml"]) {
    const candidate = path.join(project.stackConfigDir, `Pulumi.${stack}.${extension}`);
    if (fs.existsSync(candidate)) {
      return candidate;
    }
  }
  throw new CaptureUsageError(`no Pulumi.${stack}.yaml in ${project.stackConfigDir}`);
}

/** True when a stack config value is (or contains) a `secure:` ciphertext. */
function containsSecure(value: unknown): boolean {
  if (Array.isArray(value)) {
    return value.some(containsSecure);
  }
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "secure" && typeof value["secure"] === "string") {
      return true;
    }
    return Object.values(value).some(containsSecure);
  }
  return false;
}

/**
 * The configuration the engine would give the program of `stack`: project defaults, then the
 * stack file, then `overrides` (plaintext strings; an override of a secure key stays secret).
 */
export function loadStackConfig(project: PulumiProject, stack: string, overrides: Record<string, string> = {}): StackConfig {
  const file = stackConfigFile(project, stack);
  const document = readYamlFile(file) ?? {};
  if (!isRecord(document)) {
    throw new CaptureUsageError(`${file} must be a YAML mapping`);
  }
  if (document["environment"] !== undefined) {
    throw new CaptureUsageError(
      `${file} imports Pulumi ESC environments (environment:), which cannot be opened offline; ` +
        "give the values the program needs as config overrides instead",
    );
  }
  const stackValues = document["config"] ?? {};
  if (!isRecord(stackValues)) {
    throw new CaptureUsageError(`${file}: config must be a mapping`);
  }

  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  const undecryptable = new Set<string>();

  for (const [key, declaration] of Object.entries(project.declaredConfig)) {
    if (declaration.defaultValue !== undefined) {
      values[key] = configValueText(declaration.defaultValue);
    }
  }
  for (const [rawKey, value] of Object.entries(stackValues)) {
    const key = qualifyConfigKey(rawKey, project.name);
    if (value === null || value === undefined) {
      continue;
    }
    if (containsSecure(value)) {
      secretKeys.add(key);
      undecryptable.add(key);
      delete values[key];
      continue;
    }
    if (project.declaredConfig[key]?.secret) {
      throw new CaptureUsageError(`${file}: config key ${key} is declared secret in ${project.projectFile} and must be set with --secret`);
    }
    values[key] = configValueText(value);
  }
  for (const [rawKey, value] of Object.entries(overrides)) {
    if (typeof value !== "string") {
      throw new CaptureUsageError(`config override ${rawKey} must be a string`);
    }
    const key = qualifyConfigKey(rawKey, project.name);
    values[key] = value;
    undecryptable.delete(key);
    if (project.declaredConfig[key]?.secret) {
      secretKeys.add(key);
    }
  }
  return {
    values,
    secretKeys: [...secretKeys].sort(),
    undecryptableKeys: [...undecryptable].sort(),
  };
}

/**
 * `PULUMI_CONFIG` as the Node.js language host writes it: keys in the legacy
 * `namespace:config:name` form (the SDK accepts both), values as strings.
 */
export function languageHostConfigJson(values: Record<string, string>): string {
  const legacy: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    const colon = key.indexOf(":");
    legacy[`${key.slice(0, colon)}:config:${key.slice(colon + 1)}`] = value;
  }
  return JSON.stringify(legacy);
}
