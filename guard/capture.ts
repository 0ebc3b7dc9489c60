/**
 * Captures a Pulumi stack's resources as the engine would send them to a policy pack, offline:
 * the stack's program runs in a fresh child process (guard/capture-child.ts) under the SDK's mock
 * monitor in preview mode, with the stack's config passed as the engine passes it.
 *
 * What the capture cannot do offline, and how it says so:
 * - `secure:` config: reading one fails with a usage error naming the key, unless the plaintext comes
 *   from `configOverrides` or the `GUARD_CONFIG_OVERRIDES` environment variable (a JSON object of
 *   key to string); a secret `aws:*` key nobody supplies is an unknown (secret) default provider input.
 * - provider functions: see guard/capture-invokes.ts; reading existing resources, StackReferences,
 *   multi-language components and engine-side transforms fail with an error naming them.
 * - provider `Check`: properties are the program's inputs as the SDK sends them, before the provider
 *   adds its defaults (autonames, schema defaults such as `deleteAutomatedBackups: true`, `tagsAll`).
 * - aliases: all declared aliases, as URNs; the engine sends only the one that matched prior state.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  CaptureUsageError,
  languageHostConfigJson,
  listStacks,
  loadStackConfig,
  readPulumiProject,
  type PulumiProject,
} from "./capture-config";
import type { CaptureChildResult, CaptureJob } from "./capture-child";
import type { WireResource } from "./wire";

export { CaptureUsageError, listStacks };

/** Environment variable with config overrides (JSON object, key to plaintext string) for every stack. */
export const CONFIG_OVERRIDES_ENV_VAR = "GUARD_CONFIG_OVERRIDES";
export const DEFAULT_CAPTURE_TIMEOUT_MS = 120_000;
/** The organization a DIY-backend stack reports (`pulumi.getOrganization()`); offline there is no other. */
export const OFFLINE_ORGANIZATION = "organization";

export interface CaptureOptions {
  projectDir: string;
  stack: string;
  /** Config key (`ns:key`, or `key` for the project) to plaintext; wins over the stack file and the env var. */
  configOverrides?: Record<string, string>;
  /** The child is killed after this long (default DEFAULT_CAPTURE_TIMEOUT_MS). */
  timeoutMs?: number;
}

export interface CaptureError {
  message: string;
  stack?: string;
  /** `program`: the program failed; `usage`: setup the offline check cannot satisfy; `timeout`: killed. */
  kind: "program" | "usage" | "timeout";
}

export interface StackCapture {
  project: string;
  stack: string;
  /** The program's entry file (or directory when none can be found), absolute. */
  programPath: string;
  /** Every registration in the engine's order, default providers included; partial when `error` is set. */
  resources: WireResource[];
  durationMs: number;
  error?: CaptureError;
}

const OUTPUT_TAIL_BYTES = 16 * 1024;

/** The entry point the Node.js language host would load (`cmd/run/run.ts`), for reports. */
export function resolveProgramPath(project: PulumiProject): string {
  let program = path.resolve(project.projectDir, project.main);
  if (project.main === ".") {
    let root = program;
    while (!fs.existsSync(path.join(root, "package.json")) && path.dirname(root) !== root) {
      root = path.dirname(root);
    }
    const packageFile = path.join(root, "package.json");
    if (fs.existsSync(packageFile)) {
      let packageObject: Record<string, unknown> = {};
      try {
        packageObject = JSON.parse(fs.readFileSync(packageFile, "utf8")) as Record<string, unknown>;
      } catch {
        // The language host fails on it too; the child reports that error.
      }
      const exportsField = packageObject["exports"];
      const mainExport =
        typeof exportsField === "object" && exportsField !== null ? (exportsField as Record<string, unknown>)["."] : exportsField;
      const entry =
        typeof mainExport === "string"
          ? mainExport
          : typeof mainExport === "object" && mainExport !== null
            ? ["default", "require", "import"].map((k) => (mainExport as Record<string, unknown>)[k]).find((v) => typeof v === "string")
            : packageObject["main"];
      if (typeof entry === "string" && fs.existsSync(path.join(root, entry))) {
        program = path.join(root, entry);
      }
    }
  }
  const candidates = [program, `${program}.js`, `${program}.ts`, path.join(program, "index.js"), path.join(program, "index.ts")];
  return candidates.find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile()) ?? program;
}

function overridesFromEnvironment(): Record<string, string> {
  const text = process.env[CONFIG_OVERRIDES_ENV_VAR];
  if (text === undefined || text.trim() === "") {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CaptureUsageError(`${CONFIG_OVERRIDES_ENV_VAR} is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new CaptureUsageError(`${CONFIG_OVERRIDES_ENV_VAR} must be a JSON object of config key to string`);
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== "string") {
      throw new CaptureUsageError(`${CONFIG_OVERRIDES_ENV_VAR}: the value of ${key} must be a string`);
    }
  }
  return parsed as Record<string, string>;
}

/** How to start the child: its compiled JavaScript when this module is compiled, else through ts-node. */
function childArguments(jobPath: string): string[] {
  const compiledChild = path.join(__dirname, "capture-child.js");
  if (__filename.endsWith(".js") && fs.existsSync(compiledChild)) {
    return [compiledChild, jobPath];
  }
  // Options given in code, not TS_NODE_* variables: ts-node reads those once per process and the
  // program's own ts-node (the language host's settings) would inherit them.
  const tsNodeOptions = {
    transpileOnly: true,
    skipProject: true,
    // Only the capture's own files go through this ts-node.
    scope: true,
    scopeDir: __dirname,
    compilerOptions: { module: "commonjs", target: "ES2022", esModuleInterop: true, sourceMap: true },
  };
  const bootstrap =
    `require(${JSON.stringify(require.resolve("ts-node"))}).register(${JSON.stringify(tsNodeOptions)});` +
    `require(${JSON.stringify(path.join(__dirname, "capture-child.ts"))}).runCaptureChild(${JSON.stringify(jobPath)});`;
  return ["-e", bootstrap];
}

function appendTail(tail: string, chunk: Buffer): string {
  const combined = tail + chunk.toString("utf8");
  return combined.length > OUTPUT_TAIL_BYTES ? combined.slice(combined.length - OUTPUT_TAIL_BYTES) : combined;
}

function isChildResult(value: unknown): value is CaptureChildResult {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const candidate = value as Record<string, unknown>;
  return (
    Array.isArray(candidate["resources"]) &&
    candidate["resources"].every((r) => typeof r === "object" && r !== null && typeof (r as WireResource).urn === "string") &&
    Array.isArray(candidate["errors"]) &&
    candidate["errors"].every((e) => typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string")
  );
}

function summarizeErrors(errors: CaptureChildResult["errors"]): CaptureError {
  const [first, ...others] = errors;
  const message =
    others.length === 0 ? first.message : `${first.message}\n(and ${others.length} more: ${others.map((e) => e.message).join("; ")})`;
  return { message, ...(first.stack ? { stack: first.stack } : {}), kind: first.kind };
}

/**
 * Runs `options.stack`'s program offline and records every resource registration.
 * Throws CaptureUsageError when the project, the stack file or the overrides are invalid;
 * a program that fails, hangs or needs what the capture cannot provide yields `error`.
 */
export async function captureStack(options: CaptureOptions): Promise<StackCapture> {
  const started = process.hrtime.bigint();
  const elapsedMs = () => Number(process.hrtime.bigint() - started) / 1e6;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CAPTURE_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new CaptureUsageError(`timeoutMs must be a positive number of milliseconds, not ${timeoutMs}`);
  }
  const project = readPulumiProject(options.projectDir);
  const config = loadStackConfig(project, options.stack, { ...overridesFromEnvironment(), ...(options.configOverrides ?? {}) });
  const programPath = resolveProgramPath(project);
  const base = { project: project.name, stack: options.stack, programPath };

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "guard-capture-"));
  try {
    const job: CaptureJob = {
      projectDir: project.projectDir,
      project: project.name,
      stack: options.stack,
      organization: OFFLINE_ORGANIZATION,
      program: project.main,
      config: config.values,
      secretKeys: config.secretKeys,
      undecryptableKeys: config.undecryptableKeys,
      resultPath: path.join(workDir, "result.json"),
    };
    const jobPath = path.join(workDir, "job.json");
    fs.writeFileSync(jobPath, JSON.stringify(job));

    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      // The engine's variables belong to this run only; the parent's (if any) must not leak in.
      if (value !== undefined && !/^(PULUMI_NODEJS_|PULUMI_CONFIG|TS_NODE_)/.test(key)) {
        env[key] = value;
      }
    }
    Object.assign(env, {
      PULUMI_CONFIG: languageHostConfigJson(config.values),
      PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(config.secretKeys),
      PULUMI_NODEJS_PROJECT: project.name,
      PULUMI_NODEJS_STACK: options.stack,
      PULUMI_NODEJS_ORGANIZATION: OFFLINE_ORGANIZATION,
      PULUMI_NODEJS_ROOT_DIRECTORY: project.projectDir,
      PULUMI_NODEJS_DRY_RUN: "true",
      PULUMI_NODEJS_TYPESCRIPT: project.typescript ? "true" : "false",
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      ...(project.tsconfig ? { PULUMI_NODEJS_TSCONFIG_PATH: project.tsconfig } : {}),
    });

    const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean; stderr: string; spawnError?: Error }>(
      (resolve) => {
        let stderr = "";
        let timedOut = false;
        const child = spawn(process.execPath, childArguments(jobPath), {
          cwd: project.projectDir,
          env,
          stdio: ["ignore", "pipe", "pipe"],
        });
        child.stdout.on("data", () => undefined);
        child.stderr.on("data", (chunk: Buffer) => {
          stderr = appendTail(stderr, chunk);
        });
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill("SIGKILL");
        }, timeoutMs);
        child.on("error", (spawnError) => {
          clearTimeout(timer);
          resolve({ code: null, signal: null, timedOut, stderr, spawnError });
        });
        child.on("close", (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal, timedOut, stderr });
        });
      },
    );

    if (outcome.spawnError) {
      return { ...base, resources: [], durationMs: elapsedMs(), error: { message: `cannot start the capture process: ${outcome.spawnError.message}`, kind: "program" } };
    }
    if (outcome.timedOut) {
      return {
        ...base,
        resources: [],
        durationMs: elapsedMs(),
        error: {
          message: `stack ${options.stack}: the program did not finish within ${timeoutMs} ms and was stopped (a timer, open handle or promise that never settles keeps it running)`,
          kind: "timeout",
        },
      };
    }
    let result: unknown;
    try {
      result = JSON.parse(fs.readFileSync(job.resultPath, "utf8"));
    } catch {
      result = undefined;
    }
    if (!isChildResult(result)) {
      const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.code}`;
      return {
        ...base,
        resources: [],
        durationMs: elapsedMs(),
        error: { message: `the capture process ${how} without a result${outcome.stderr ? `:\n${outcome.stderr.trim()}` : ""}`, kind: "program" },
      };
    }
    return {
      ...base,
      resources: result.resources,
      durationMs: elapsedMs(),
      ...(result.errors.length > 0 ? { error: summarizeErrors(result.errors) } : {}),
    };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}
