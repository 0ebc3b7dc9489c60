/**
 * Runs a Node.js Pulumi policy pack the way the Pulumi CLI runs it for
 * `pulumi preview --policy-pack <dir>`, and talks to it over the real `pulumirpc.Analyzer` gRPC
 * protocol. The offline checker (`npm run guard`) and the tests use it; teams that write their
 * own rules can test them the same way, with no Pulumi CLI and no cloud account.
 *
 * Launch (pulumi/pulumi `sdk/nodejs/cmd/pulumi-language-nodejs/main.go` `RunPlugin`, and the
 * older shim path in `pkg/resource/plugin/analyzer_plugin.go` `NewPolicyAnalyzer`):
 * `node <@pulumi/pulumi/cmd/run-policy-pack resolved from the pack directory> <engine address> .`
 * with the pack directory as working directory, `PULUMI_NODEJS_{PROJECT,STACK,ORGANIZATION,DRY_RUN}`,
 * their `PULUMI_*` twins (set by the older path), `PULUMI_CONFIG` (the stack's config as JSON) and
 * `PULUMI_NODEJS_TYPESCRIPT` / `PULUMI_NODEJS_TSCONFIG_PATH` from the runtime options of
 * `PulumiPolicy.yaml`. The first line on the pack's stdout is its port. A minimal
 * `pulumirpc.Engine` server is hosted on 127.0.0.1 and its address passed as the CLI passes its own.
 *
 * Where the pack's output goes: `run-policy-pack` drops the engine address it is given and the CLI
 * sets no `PULUMI_NODEJS_ENGINE` for packs, so `pulumi.log.*` inside a policy falls back to the
 * console, and the CLI shows every later stdout and stderr line of the pack as an info message.
 * {@link PolicyPackClient.logs} collects those lines, and any `Engine.Log` call (a pack that learns
 * the engine address from `Handshake` can log there), in arrival order.
 *
 * The calls, in the order the engine makes them for one preview (see {@link runEngineSequence}):
 * `Handshake`, `ConfigureStack` (both at plugin start; in recent CLIs the Node.js language host's
 * policy proxy answers `Handshake` itself and forwards `ConfigureStack`), `GetPluginInfo`, `GetAnalyzerInfo`,
 * `Configure` (with the config reconciled by `policy-config.ts`), then for each resource
 * `Remediate` (its new properties replace the inputs) and `Analyze`, and once `AnalyzeStack`.
 * Property bags travel as `google.protobuf.Struct`s built from the wire JSON unchanged (unknown
 * sentinels and secret markers stay as the engine sends them, see `wire.ts`).
 *
 * @example
 * ```ts
 * import { startPolicyPack } from "./analyzer-client";
 * import { reconcilePolicyConfig } from "./policy-config";
 *
 * const pack = await startPolicyPack({ packDir: "policies", project: "shop", stack: "production" });
 * try {
 *   await pack.handshake();
 *   await pack.configureStack();
 *   await pack.getPluginInfo();
 *   const info = await pack.getAnalyzerInfo();
 *   await pack.configure(reconcilePolicyConfig(info, { all: "mandatory" }));
 *   const diagnostics = await pack.analyze({
 *     type: "aws:rds/instance:Instance",
 *     name: "orders",
 *     urn: "urn:pulumi:production::shop::aws:rds/instance:Instance::orders",
 *     properties: { deletionProtection: false },
 *   });
 *   for (const d of diagnostics) console.error(`${d.enforcementLevel} ${d.policyName}: ${d.message}`);
 * } finally {
 *   await pack.close();
 * }
 * ```
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as yaml from "js-yaml";
// The generated stubs check `instanceof` against their own google-protobuf; one copy is installed.
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as enginePb from "@pulumi/pulumi/proto/engine_pb";
import type * as pluginPb from "@pulumi/pulumi/proto/plugin_pb";
import { EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";
import {
  isEnforcementLevel,
  reconcilePolicyConfig,
  type EnforcementLevel,
  type PolicyConfigEntry,
  type PolicyConfigSchema,
  type PolicyPackConfigFile,
  type ReconciledPolicyConfig,
} from "./policy-config";
import type { WireProperties, WireProvider, WireResource, WireResourceOptions, WireValue } from "./wire";

/** How to start a policy pack; the stack fields are what the CLI would pass for that stack. */
export interface StartPolicyPackOptions {
  /** The pack's directory (holds `PulumiPolicy.yaml` and `package.json`). */
  packDir: string;
  /** Pulumi project name (`PULUMI_NODEJS_PROJECT`, `ConfigureStack.project`). */
  project?: string;
  /** Stack name (`PULUMI_NODEJS_STACK`, `ConfigureStack.stack`). */
  stack?: string;
  /** Organization (`PULUMI_NODEJS_ORGANIZATION`, `ConfigureStack.organization`). */
  organization?: string;
  /** Preview (true) or update (false). Default: true, as in `pulumi preview`. */
  dryRun?: boolean;
  /** The stack's configuration, `"<namespace>:<key>"` to value (`PULUMI_CONFIG`, `ConfigureStack.config`). */
  stackConfig?: Record<string, string>;
  /** Keys of {@link stackConfig} that are secrets (`ConfigureStack.configSecretKeys`). */
  configSecretKeys?: string[];
  /** Stack tags (`ConfigureStack.tags`; policies read them as `args.stackTags`). */
  stackTags?: Record<string, string>;
  /** Environment the pack inherits before the Pulumi variables are added. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the pack's port and connection. Default: 60 000 ms. */
  startTimeoutMs?: number;
}

/** `Handshake` outcome: Node packs built on `@pulumi/policy` answer UNIMPLEMENTED, which the engine accepts. */
export interface HandshakeResult {
  implemented: boolean;
}

/** `ConfigureStack` outcome; older packs answer UNIMPLEMENTED, which the engine accepts. */
export interface ConfigureStackResult {
  implemented: boolean;
}

/** `GetPluginInfo`: the `@pulumi/policy` version serving the pack. */
export interface PluginInfo {
  version: string;
}

/** Kind of policy, as declared in `GetAnalyzerInfo`. */
export type PolicyType = "resource" | "stack" | "unknown";

/** Severity a policy or diagnostic declares. */
export type PolicySeverity = "low" | "medium" | "high" | "critical";

/** One policy, as the pack describes it in `GetAnalyzerInfo`. */
export interface PolicyInfo {
  name: string;
  displayName: string;
  description: string;
  message: string;
  /** The level the pack declares (the engine starts reconciliation from it). */
  enforcementLevel: EnforcementLevel;
  /** Present when the pack declares one and supports config. */
  configSchema?: PolicyConfigSchema;
  policyType: PolicyType;
  severity?: PolicySeverity;
  tags: string[];
  remediationSteps: string;
  url: string;
  framework?: { name: string; version: string; reference: string; specification: string };
}

/** `GetAnalyzerInfo` as the engine reads it. */
export interface AnalyzerInfo {
  name: string;
  displayName: string;
  /** `PulumiPolicy.yaml`'s `version` when set (the engine prefers it), else the pack's `package.json` version. */
  version: string;
  supportsConfig: boolean;
  /** The pack's description, else `PulumiPolicy.yaml`'s. */
  description: string;
  readme: string;
  provider: string;
  tags: string[];
  repository: string;
  /** Sorted by name, as the engine sorts them. */
  policies: PolicyInfo[];
  /**
   * The pack's initial config. As in the engine, every entry has a level: an entry the pack gave
   * only settings arrives with the protobuf default, advisory.
   */
  initialConfig: Record<string, PolicyConfigEntry & { enforcementLevel: EnforcementLevel }>;
}

/** One policy violation, as the pack reports it. */
export interface AnalyzeDiagnostic {
  policyName: string;
  policyPackName: string;
  /** `PulumiPolicy.yaml`'s `version` when set (the engine prefers it), else what the pack sent. */
  policyPackVersion: string;
  description: string;
  message: string;
  /** The URN the policy named; `""` when it named none (the engine then uses the analyzed resource, or the stack). */
  urn: string;
  enforcementLevel: EnforcementLevel;
  /** As sent, else the policy's declared severity (as the engine fills it in), else absent. */
  severity?: PolicySeverity;
}

/** A policy that declared itself not applicable, and why. */
export interface PolicyNotApplicable {
  policyName: string;
  reason: string;
}

/** Everything `Analyze` / `AnalyzeStack` answered. */
export interface AnalyzeReport {
  diagnostics: AnalyzeDiagnostic[];
  notApplicable: PolicyNotApplicable[];
}

/** One remediation: new properties for the resource, or a diagnostic explaining why there are none. */
export interface Remediation {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  description: string;
  /** The resource's new properties, in wire form (secrets stay marked). */
  properties?: WireProperties;
  /** Set when the remediation could not run (e.g. it read an unknown value during preview). */
  diagnostic?: string;
}

/** Everything `Remediate` answered. */
export interface RemediateReport {
  remediations: Remediation[];
  notApplicable: PolicyNotApplicable[];
}

/** What the pack said outside the analyzer protocol. */
export interface PackLogEntry {
  /** `engine`: an `Engine.Log` call; `stdout` / `stderr`: a line the pack printed (after its port, for stdout). */
  source: "engine" | "stdout" | "stderr";
  /** For printed lines, `info`: the CLI shows them as info messages. */
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  /** The resource an `Engine.Log` call was about; `""` otherwise. */
  urn: string;
}

/** A running policy pack. Methods map one to one onto `pulumirpc.Analyzer` calls. */
export interface PolicyPackClient {
  /** Absolute path of the pack directory. */
  readonly packDir: string;
  /** Address of the `pulumirpc.Engine` server given to the pack. */
  readonly engineAddress: string;
  /** Engine log calls and the pack's printed lines, in arrival order. */
  readonly logs: readonly PackLogEntry[];
  /** `Handshake`, with the engine address and the pack directory as root and program directory. */
  handshake(): Promise<HandshakeResult>;
  /** `ConfigureStack` with the stack fields given to {@link startPolicyPack}. */
  configureStack(): Promise<ConfigureStackResult>;
  /** `GetPluginInfo`. */
  getPluginInfo(): Promise<PluginInfo>;
  /** `GetAnalyzerInfo`, as plain objects. */
  getAnalyzerInfo(): Promise<AnalyzerInfo>;
  /**
   * `Configure`. Give every policy an explicit level (use `reconcilePolicyConfig`): the pack reads a
   * missing level as advisory. Like the engine, sends nothing when `config` is empty.
   * @throws {TypeError} for an invalid level or settings that are not JSON.
   */
  configure(config: Readonly<Record<string, { enforcementLevel: EnforcementLevel; properties?: Record<string, unknown> }>>): Promise<void>;
  /** `Analyze` one resource (its inputs); the diagnostics. */
  analyze(resource: WireResource): Promise<AnalyzeDiagnostic[]>;
  /** `Analyze` one resource; diagnostics and not-applicable answers. */
  analyzeReport(resource: WireResource): Promise<AnalyzeReport>;
  /** `AnalyzeStack` over all resources (with `dependencies` / `propertyDependencies`); the diagnostics. */
  analyzeStack(resources: readonly WireResource[]): Promise<AnalyzeDiagnostic[]>;
  /** `AnalyzeStack`; diagnostics and not-applicable answers. UNIMPLEMENTED is read as no diagnostics, as the engine does. */
  analyzeStackReport(resources: readonly WireResource[]): Promise<AnalyzeReport>;
  /** `Remediate` one resource; the remediations in order (the last with properties is what the engine keeps). */
  remediate(resource: WireResource): Promise<Remediation[]>;
  /** `Remediate`; remediations and not-applicable answers. UNIMPLEMENTED is read as none, as the engine does. */
  remediateReport(resource: WireResource): Promise<RemediateReport>;
  /** Stops the pack and the engine server. Safe to call more than once. */
  close(): Promise<void>;
}

/** The pack could not be started: no `PulumiPolicy.yaml`, no dependencies, exited or silent before its port. */
export class PolicyPackStartError extends Error {
  constructor(
    message: string,
    /** Everything the pack wrote to stderr before failing. */
    readonly stderr: string = "",
  ) {
    super(message);
    this.name = "PolicyPackStartError";
  }
}

/** A `pulumirpc.Analyzer` call failed. */
export class AnalyzerCallError extends Error {
  constructor(
    readonly method: string,
    /** gRPC status code. */
    readonly code: grpc.status | undefined,
    /** gRPC status details (for a policy that threw: its error and stack). */
    readonly details: string,
    message: string,
  ) {
    super(message);
    this.name = "AnalyzerCallError";
  }
}

const DEFAULT_START_TIMEOUT_MS = 60_000;
/** The engine raises gRPC's 4 MB message limit to 400 MB for analyzers (`rpcutil.GrpcChannelOptions`). */
const MAX_MESSAGE_BYTES = 400 * 1024 * 1024;
const GRPC_OPTIONS: grpc.ChannelOptions = {
  "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
  "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
};

/**
 * Starts the policy pack in `options.packDir` as the CLI does and connects to it.
 * @throws {PolicyPackStartError} with the pack's stderr when it cannot start, exits before
 *   printing its port, prints something else, or stays silent past `startTimeoutMs`.
 */
export async function startPolicyPack(options: StartPolicyPackOptions): Promise<PolicyPackClient> {
  const packDir = path.resolve(options.packDir);
  const project = readPolicyPackProject(packDir);
  const runPolicyPack = resolveRunPolicyPack(packDir);
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`startTimeoutMs must be a positive number of milliseconds, got ${String(options.startTimeoutMs)}`);
  }
  const deadline = Date.now() + timeoutMs;
  const logs: PackLogEntry[] = [];
  const engine = await EngineServer.start(logs);
  let output: PackOutput | undefined;
  try {
    const child = spawn(process.execPath, [runPolicyPack, ...project.nodeArgs, engine.address, "."], {
      cwd: packDir,
      env: packEnvironment(options, project),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const packOutput = new PackOutput(child, logs);
    output = packOutput;
    const port = await packOutput.port(packDir, deadline, timeoutMs);
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), GRPC_OPTIONS);
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      client.waitForReady(deadline, (err) => {
        if (settled) return;
        settled = true;
        if (err) {
          client.close();
          reject(new PolicyPackStartError(`policy pack at ${packDir} printed port ${port} but did not accept a connection: ${err.message}`, packOutput.stderr));
        } else {
          resolve();
        }
      });
      // A pack that dies right after printing its port must not leave us waiting for the deadline.
      void packOutput.exited().then(() => {
        if (settled) return;
        settled = true;
        client.close();
        reject(new PolicyPackStartError(`policy pack at ${packDir} exited right after printing port ${port}`, packOutput.stderr));
      });
    });
    return new RunningPolicyPack(packDir, options, project, packOutput, client, engine, logs);
  } catch (err) {
    await output?.stop();
    engine.stop();
    throw err;
  }
}

/** What the client uses from `PulumiPolicy.yaml`. */
interface PolicyPackProject {
  version: string;
  description: string;
  typescript: boolean;
  tsconfig: string;
  nodeArgs: string[];
}

/** Reads `PulumiPolicy.yaml` as the CLI does first (`workspace.LoadPolicyPack`), and its Node.js runtime options. */
function readPolicyPackProject(packDir: string): PolicyPackProject {
  const file = path.join(packDir, "PulumiPolicy.yaml");
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new PolicyPackStartError(`failed to load Pulumi policy project located at "${packDir}": ${errorMessage(err)}`);
  }
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (err) {
    throw new PolicyPackStartError(`failed to load Pulumi policy project located at "${packDir}": ${errorMessage(err)}`);
  }
  if (!isPlainObject(doc)) {
    throw new PolicyPackStartError(`failed to load Pulumi policy project located at "${packDir}": PulumiPolicy.yaml is not a mapping`);
  }
  const runtime = doc["runtime"];
  const runtimeName = typeof runtime === "string" ? runtime : isPlainObject(runtime) ? runtime["name"] : undefined;
  if (typeof runtimeName !== "string" || runtimeName === "") {
    throw new PolicyPackStartError(`failed to load Pulumi policy project located at "${packDir}": project is missing a 'runtime' attribute`);
  }
  if (runtimeName !== "nodejs") {
    throw new PolicyPackStartError(`policy pack at "${packDir}" has runtime "${runtimeName}"; this client runs Node.js packs only`);
  }
  const runtimeOptions = isPlainObject(runtime) && isPlainObject(runtime["options"]) ? runtime["options"] : {};
  const typescript = runtimeOptions["typescript"] ?? true;
  const tsconfig = runtimeOptions["tsconfig"] ?? "";
  const nodeargs = runtimeOptions["nodeargs"] ?? "";
  // Same checks and messages as the Node.js language host's parseOptions.
  if (typeof typescript !== "boolean") {
    throw new PolicyPackStartError(`policy pack at "${packDir}": typescript option must be a boolean`);
  }
  if (typeof tsconfig !== "string") {
    throw new PolicyPackStartError(`policy pack at "${packDir}": tsconfigpath option must be a string`);
  }
  if (typeof nodeargs !== "string") {
    throw new PolicyPackStartError(`policy pack at "${packDir}": nodeargs option must be a string`);
  }
  const version = doc["version"];
  const description = doc["description"];
  return {
    version: typeof version === "string" ? version : "",
    description: typeof description === "string" ? description : "",
    typescript,
    tsconfig,
    nodeArgs: splitShellWords(nodeargs, packDir),
  };
}

/** Node's resolution from the pack directory, as the language host's `locateModule` does. */
function resolveRunPolicyPack(packDir: string): string {
  try {
    return require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
  } catch {
    throw new PolicyPackStartError(
      `it looks like the policy pack's dependencies are not installed; try running npm install or yarn install in "${packDir}" ` +
        "(@pulumi/pulumi/cmd/run-policy-pack cannot be resolved from there)",
    );
  }
}

/** The environment the CLI gives a Node.js pack. */
function packEnvironment(options: StartPolicyPackOptions, project: PolicyPackProject): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  const setIfPresent = (key: string, value: string | undefined): void => {
    if (value !== undefined && value !== "") {
      env[key] = value;
    }
  };
  const dryRun = String(options.dryRun ?? true);
  for (const prefix of ["PULUMI_NODEJS_", "PULUMI_"]) {
    setIfPresent(`${prefix}ORGANIZATION`, options.organization);
    setIfPresent(`${prefix}PROJECT`, options.project);
    setIfPresent(`${prefix}STACK`, options.stack);
    env[`${prefix}DRY_RUN`] = dryRun;
  }
  if (options.stackConfig !== undefined) {
    for (const [key, value] of Object.entries(options.stackConfig)) {
      if (typeof value !== "string") {
        throw new TypeError(`stackConfig["${key}"] must be a string (stack config values travel as strings), got ${typeof value}`);
      }
    }
    env["PULUMI_CONFIG"] = JSON.stringify(options.stackConfig);
  }
  if (project.typescript) {
    env["PULUMI_NODEJS_TYPESCRIPT"] = "true";
  }
  setIfPresent("PULUMI_NODEJS_TSCONFIG_PATH", project.tsconfig);
  return env;
}

/** Splits `nodeargs` like a POSIX shell would (quotes and backslashes), as the language host's shlex does. */
function splitShellWords(text: string, packDir: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && i + 1 < text.length && '"\\$`'.includes(text.charAt(i + 1))) current += text.charAt(++i);
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      current += text.charAt(++i);
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote !== undefined) {
    throw new PolicyPackStartError(`policy pack at "${packDir}": nodeargs option has an unclosed ${quote} quote`);
  }
  if (inWord) words.push(current);
  return words;
}

/** Enough stderr for an error message; a chatty pack must not grow it without bound. */
const STDERR_KEPT_CHARS = 64 * 1024;

/** Reads the pack's port from its first stdout line, then collects its printed lines as logs. */
class PackOutput {
  private stdoutBuffer = "";
  private stderrBuffer = "";
  private stderrText = "";
  private portLine: string | undefined;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly waiters: Array<() => void> = [];
  private spawnError: Error | undefined;

  constructor(
    private readonly child: ChildProcess,
    private readonly logs: PackLogEntry[],
  ) {
    child.stdout?.setEncoding("utf8");
    child.stderr?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => this.onStdout(chunk));
    child.stderr?.on("data", (chunk: string) => this.onStderr(chunk));
    child.on("error", (err) => {
      this.spawnError = err;
      this.notify();
    });
    // "close" comes after the pipes are drained, so stderr is complete when we report it.
    child.on("close", (code, signal) => {
      this.flush();
      this.exit = { code, signal };
      this.notify();
    });
  }

  /**
   * Ends the pack (SIGTERM, then SIGKILL if it lingers) and resolves once its pipes are drained,
   * so every line it printed is in the logs.
   */
  stop(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.exit !== undefined || this.spawnError !== undefined) {
        resolve();
        return;
      }
      const killTimer = setTimeout(() => this.child.kill("SIGKILL"), 3_000);
      const done = (): void => {
        if (this.exit !== undefined) {
          clearTimeout(killTimer);
          this.waiters.splice(this.waiters.indexOf(done), 1);
          resolve();
        }
      };
      this.waiters.push(done);
      this.child.kill("SIGTERM");
    });
  }

  /** Resolves when the pack has ended (or could not be spawned); never rejects. */
  exited(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        if (this.exit !== undefined || this.spawnError !== undefined) {
          this.waiters.splice(this.waiters.indexOf(done), 1);
          resolve();
        }
      };
      this.waiters.push(done);
      done();
    });
  }

  /** What the pack wrote to stderr so far (the last {@link STDERR_KEPT_CHARS} characters). */
  get stderr(): string {
    return this.stderrText;
  }

  /** How the pack ended, if it did. */
  get exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exit;
  }

  /** Resolves with the port once the first stdout line arrives; rejects if the pack fails first. */
  port(packDir: string, deadline: number, timeoutMs: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const check = (): void => {
        const outcome = this.portOutcome(packDir, deadline, timeoutMs);
        if (outcome === undefined) {
          return;
        }
        clearTimeout(timer);
        const index = this.waiters.indexOf(check);
        if (index >= 0) {
          this.waiters.splice(index, 1);
        }
        if (outcome.port !== undefined) {
          resolve(outcome.port);
        } else {
          reject(outcome.error);
        }
      };
      this.waiters.push(check);
      timer = setTimeout(check, Math.max(0, deadline - Date.now()));
      check();
    });
  }

  /** The port, the reason there will be none, or undefined while still waiting. */
  private portOutcome(
    packDir: string,
    deadline: number,
    timeoutMs: number,
  ): { port: number; error?: undefined } | { port?: undefined; error: PolicyPackStartError } | undefined {
    const stderrSection = this.stderrText.trim() === "" ? "" : `\n--- stderr ---\n${this.stderrText.trimEnd()}`;
    const failure = (message: string) => ({ error: new PolicyPackStartError(`${message}${stderrSection}`, this.stderrText) });
    if (this.portLine !== undefined) {
      const line = this.portLine.trim();
      const port = /^\d+$/.test(line) ? Number(line) : NaN;
      if (port > 0 && port < 65536) {
        return { port };
      }
      return failure(
        `policy pack at ${packDir} wrote a non-numeric port to stdout ('${line}'); anything printed before the port breaks the engine's handshake`,
      );
    }
    if (this.spawnError !== undefined) {
      return failure(`could not start the policy pack at ${packDir}: ${this.spawnError.message}`);
    }
    if (this.exit !== undefined) {
      const how = this.exit.signal !== null ? `was killed by ${this.exit.signal}` : `exited with code ${String(this.exit.code)}`;
      return failure(`policy pack at ${packDir} ${how} before printing its port`);
    }
    if (Date.now() >= deadline) {
      return failure(`policy pack at ${packDir} printed no port within ${timeoutMs} ms`);
    }
    return undefined;
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private onStdout(chunk: string): void {
    this.stdoutBuffer += chunk;
    let newline: number;
    while ((newline = this.stdoutBuffer.indexOf("\n")) >= 0) {
      const line = this.stdoutBuffer.slice(0, newline);
      this.stdoutBuffer = this.stdoutBuffer.slice(newline + 1);
      if (this.portLine === undefined) {
        this.portLine = line;
        this.notify();
      } else {
        this.addLine("stdout", line);
      }
    }
  }

  private onStderr(chunk: string): void {
    this.stderrText = (this.stderrText + chunk).slice(-STDERR_KEPT_CHARS);
    this.stderrBuffer += chunk;
    let newline: number;
    while ((newline = this.stderrBuffer.indexOf("\n")) >= 0) {
      this.addLine("stderr", this.stderrBuffer.slice(0, newline));
      this.stderrBuffer = this.stderrBuffer.slice(newline + 1);
    }
  }

  /** A last line without its newline is still logged, as in the engine; it is never a port (the engine needs the newline). */
  flush(): void {
    if (this.stdoutBuffer !== "") {
      this.addLine("stdout", this.stdoutBuffer);
      this.stdoutBuffer = "";
    }
    if (this.stderrBuffer !== "") {
      this.addLine("stderr", this.stderrBuffer);
      this.stderrBuffer = "";
    }
  }

  private addLine(source: "stdout" | "stderr", line: string): void {
    // The engine skips blank lines.
    if (line.trim() !== "") {
      this.logs.push({ source, severity: "info", message: line.replace(/\r$/, ""), urn: "" });
    }
  }
}

const LOG_SEVERITIES: Record<number, PackLogEntry["severity"]> = {
  [enginePb.LogSeverity.DEBUG]: "debug",
  [enginePb.LogSeverity.INFO]: "info",
  [enginePb.LogSeverity.WARNING]: "warning",
  [enginePb.LogSeverity.ERROR]: "error",
};

/** A minimal `pulumirpc.Engine`: collects `Log` calls; the root resource calls answer as for a program without one. */
class EngineServer {
  private constructor(
    private readonly server: grpc.Server,
    readonly address: string,
  ) {}

  static async start(logs: PackLogEntry[]): Promise<EngineServer> {
    const server = new grpc.Server(GRPC_OPTIONS);
    const unimplemented = (name: string) => (_call: unknown, callback: grpc.sendUnaryData<never>) =>
      callback({ code: grpc.status.UNIMPLEMENTED, details: `${name} is not implemented by the guard's test engine` }, null);
    server.addService(EngineService, {
      log: (call: grpc.ServerUnaryCall<enginePb.LogRequest, Empty>, callback: grpc.sendUnaryData<Empty>) => {
        const req = call.request;
        logs.push({
          source: "engine",
          severity: LOG_SEVERITIES[req.getSeverity()] ?? "info",
          message: req.getMessage(),
          urn: req.getUrn(),
        });
        callback(null, new Empty());
      },
      getRootResource: (
        _call: grpc.ServerUnaryCall<enginePb.GetRootResourceRequest, enginePb.GetRootResourceResponse>,
        callback: grpc.sendUnaryData<enginePb.GetRootResourceResponse>,
      ) => callback(null, new enginePb.GetRootResourceResponse()),
      setRootResource: (
        _call: grpc.ServerUnaryCall<enginePb.SetRootResourceRequest, enginePb.SetRootResourceResponse>,
        callback: grpc.sendUnaryData<enginePb.SetRootResourceResponse>,
      ) => callback(null, new enginePb.SetRootResourceResponse()),
      startDebugging: unimplemented("StartDebugging"),
      requirePulumiVersion: unimplemented("RequirePulumiVersion"),
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, boundPort) => (err ? reject(err) : resolve(boundPort)));
    });
    return new EngineServer(server, `127.0.0.1:${port}`);
  }

  stop(): void {
    this.server.forceShutdown();
  }
}

class RunningPolicyPack implements PolicyPackClient {
  private closing: Promise<void> | undefined;
  /** Declared severities, to fill in diagnostics that carry none (as the engine does). */
  private policySeverities = new Map<string, PolicySeverity>();

  constructor(
    readonly packDir: string,
    private readonly options: StartPolicyPackOptions,
    private readonly project: PolicyPackProject,
    private readonly output: PackOutput,
    private readonly client: AnalyzerClient,
    private readonly engine: EngineServer,
    readonly logs: PackLogEntry[],
  ) {}

  get engineAddress(): string {
    return this.engine.address;
  }

  async handshake(): Promise<HandshakeResult> {
    const req = new analyzerPb.AnalyzerHandshakeRequest();
    req.setEngineAddress(this.engine.address);
    req.setRootDirectory(this.packDir);
    req.setProgramDirectory(this.packDir);
    const res = await this.call<analyzerPb.AnalyzerHandshakeResponse | undefined>(
      "Handshake",
      (cb) => this.client.handshake(req, cb),
      { tolerateUnimplemented: undefined },
    );
    return { implemented: res !== undefined };
  }

  async configureStack(): Promise<ConfigureStackResult> {
    const req = new analyzerPb.AnalyzerStackConfigureRequest();
    req.setStack(this.options.stack ?? "");
    req.setProject(this.options.project ?? "");
    req.setOrganization(this.options.organization ?? "");
    req.setDryRun(this.options.dryRun ?? true);
    for (const [key, value] of Object.entries(this.options.stackConfig ?? {})) {
      req.getConfigMap().set(key, value);
    }
    req.setConfigSecretKeysList([...(this.options.configSecretKeys ?? [])]);
    for (const [key, value] of Object.entries(this.options.stackTags ?? {})) {
      req.getTagsMap().set(key, value);
    }
    const res = await this.call<analyzerPb.AnalyzerStackConfigureResponse | undefined>(
      "ConfigureStack",
      (cb) => this.client.configureStack(req, cb),
      { tolerateUnimplemented: undefined },
    );
    return { implemented: res !== undefined };
  }

  async getPluginInfo(): Promise<PluginInfo> {
    const res = await this.call<pluginPb.PluginInfo>("GetPluginInfo", (cb) => this.client.getPluginInfo(new Empty(), cb));
    return { version: res.getVersion() };
  }

  async getAnalyzerInfo(): Promise<AnalyzerInfo> {
    const res = await this.call<analyzerPb.AnalyzerInfo>("GetAnalyzerInfo", (cb) => this.client.getAnalyzerInfo(new Empty(), cb));
    const supportsConfig = res.getSupportsconfig();
    const policies = res.getPoliciesList().map((p): PolicyInfo => {
      const schema = p.getConfigschema();
      const severity = severityFromWire(p.getSeverity());
      const framework = p.getFramework();
      return {
        name: p.getName(),
        displayName: p.getDisplayname(),
        description: p.getDescription(),
        message: p.getMessage(),
        enforcementLevel: levelFromWire(p.getEnforcementlevel(), `policy "${p.getName()}"`),
        ...(supportsConfig && schema !== undefined
          ? { configSchema: { properties: (schema.getProperties()?.toJavaScript() ?? {}) as PolicyConfigSchema["properties"], required: schema.getRequiredList() } }
          : {}),
        policyType: policyTypeFromWire(p.getPolicyType()),
        ...(severity !== undefined ? { severity } : {}),
        tags: p.getTagsList(),
        remediationSteps: p.getRemediationSteps(),
        url: p.getUrl(),
        ...(framework !== undefined
          ? {
              framework: {
                name: framework.getName(),
                version: framework.getVersion(),
                reference: framework.getReference(),
                specification: framework.getSpecification(),
              },
            }
          : {}),
      };
    });
    policies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.policySeverities = new Map(policies.flatMap((p) => (p.severity !== undefined ? [[p.name, p.severity] as const] : [])));
    const initialConfig: AnalyzerInfo["initialConfig"] = {};
    res.getInitialconfigMap().forEach((entry, key) => {
      initialConfig[key] = {
        enforcementLevel: levelFromWire(entry.getEnforcementlevel(), `initial config "${key}"`),
        properties: (entry.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>,
      };
    });
    return {
      name: res.getName(),
      displayName: res.getDisplayname(),
      version: this.project.version !== "" ? this.project.version : res.getVersion(),
      supportsConfig,
      description: res.getDescription() !== "" ? res.getDescription() : this.project.description,
      readme: res.getReadme(),
      provider: res.getProvider(),
      tags: res.getTagsList(),
      repository: res.getRepository(),
      policies,
      initialConfig,
    };
  }

  async configure(
    config: Readonly<Record<string, { enforcementLevel: EnforcementLevel; properties?: Record<string, unknown> }>>,
  ): Promise<void> {
    const entries = Object.entries(config);
    if (entries.length === 0) {
      return;
    }
    const req = new analyzerPb.ConfigureAnalyzerRequest();
    for (const [name, entry] of entries) {
      if (!isEnforcementLevel(entry.enforcementLevel)) {
        throw new TypeError(
          `invalid enforcement level ${JSON.stringify(entry.enforcementLevel)} for "${name}" ` +
            "(a missing level reaches the pack as advisory; reconcile the config with reconcilePolicyConfig first)",
        );
      }
      const policyConfig = new analyzerPb.PolicyConfig();
      policyConfig.setEnforcementlevel(levelToWire(entry.enforcementLevel));
      policyConfig.setProperties(toStruct(entry.properties ?? {}, `config["${name}"].properties`));
      req.getPolicyconfigMap().set(name, policyConfig);
    }
    await this.call<Empty>("Configure", (cb) => this.client.configure(req, cb));
  }

  async analyze(resource: WireResource): Promise<AnalyzeDiagnostic[]> {
    return (await this.analyzeReport(resource)).diagnostics;
  }

  async analyzeReport(resource: WireResource): Promise<AnalyzeReport> {
    const req = toAnalyzeRequest(resource, "resource");
    const res = await this.call<analyzerPb.AnalyzeResponse>("Analyze", (cb) => this.client.analyze(req, cb));
    return this.toReport(res);
  }

  async analyzeStack(resources: readonly WireResource[]): Promise<AnalyzeDiagnostic[]> {
    return (await this.analyzeStackReport(resources)).diagnostics;
  }

  async analyzeStackReport(resources: readonly WireResource[]): Promise<AnalyzeReport> {
    if (!Array.isArray(resources)) {
      throw new TypeError(`analyzeStack needs an array of resources, got ${jsonTypeName(resources)}`);
    }
    const req = new analyzerPb.AnalyzeStackRequest();
    req.setResourcesList(resources.map((r, i) => toAnalyzerResource(r, `resources[${i}]`)));
    const res = await this.call<analyzerPb.AnalyzeResponse | undefined>("AnalyzeStack", (cb) => this.client.analyzeStack(req, cb), {
      tolerateUnimplemented: undefined,
    });
    return res === undefined ? { diagnostics: [], notApplicable: [] } : this.toReport(res);
  }

  async remediate(resource: WireResource): Promise<Remediation[]> {
    return (await this.remediateReport(resource)).remediations;
  }

  async remediateReport(resource: WireResource): Promise<RemediateReport> {
    const req = toAnalyzeRequest(resource, "resource");
    const res = await this.call<analyzerPb.RemediateResponse | undefined>("Remediate", (cb) => this.client.remediate(req, cb), {
      tolerateUnimplemented: undefined,
    });
    if (res === undefined) {
      return { remediations: [], notApplicable: [] };
    }
    return {
      remediations: res.getRemediationsList().map((r): Remediation => {
        const properties = r.getProperties();
        const diagnostic = r.getDiagnostic();
        return {
          policyName: r.getPolicyname(),
          policyPackName: r.getPolicypackname(),
          policyPackVersion: this.project.version !== "" ? this.project.version : r.getPolicypackversion(),
          description: r.getDescription(),
          ...(properties !== undefined ? { properties: properties.toJavaScript() as WireProperties } : {}),
          ...(diagnostic !== "" ? { diagnostic } : {}),
        };
      }),
      notApplicable: notApplicableFromWire(res.getNotApplicableList()),
    };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.client.close();
      await this.output.stop();
      this.engine.stop();
    })();
    return this.closing;
  }

  private toReport(res: analyzerPb.AnalyzeResponse): AnalyzeReport {
    return {
      diagnostics: res.getDiagnosticsList().map((d): AnalyzeDiagnostic => {
        const severity = severityFromWire(d.getSeverity()) ?? this.policySeverities.get(d.getPolicyname());
        return {
          policyName: d.getPolicyname(),
          policyPackName: d.getPolicypackname(),
          policyPackVersion: this.project.version !== "" ? this.project.version : d.getPolicypackversion(),
          description: d.getDescription(),
          message: d.getMessage(),
          urn: d.getUrn(),
          enforcementLevel: levelFromWire(d.getEnforcementlevel(), `diagnostic of "${d.getPolicyname()}"`),
          ...(severity !== undefined ? { severity } : {}),
        };
      }),
      notApplicable: notApplicableFromWire(res.getNotApplicableList()),
    };
  }

  /** One unary call; UNIMPLEMENTED becomes `tolerateUnimplemented` when given; other failures name the pack's fate. */
  private call<T>(
    method: string,
    invoke: (callback: (err: grpc.ServiceError | null, res?: T) => void) => unknown,
    options?: { tolerateUnimplemented: T },
  ): Promise<T> {
    if (this.closing !== undefined) {
      return Promise.reject(new AnalyzerCallError(method, undefined, "", `${method}: the policy pack client is closed`));
    }
    return new Promise<T>((resolve, reject) => {
      invoke((err, res) => {
        if (err) {
          if (options !== undefined && err.code === grpc.status.UNIMPLEMENTED) {
            resolve(options.tolerateUnimplemented);
            return;
          }
          const exit = this.output.exitStatus;
          const fate =
            exit !== undefined
              ? ` (the policy pack ${exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${String(exit.code)}`}` +
                `${this.output.stderr.trim() !== "" ? `; stderr:\n${this.output.stderr.trimEnd()}` : ""})`
              : "";
          reject(new AnalyzerCallError(method, err.code, err.details, `${method} failed: ${err.details || err.message}${fate}`));
          return;
        }
        if (res === undefined) {
          reject(new AnalyzerCallError(method, undefined, "", `${method} returned no response`));
          return;
        }
        resolve(res);
      });
    });
  }
}

/** Options for {@link runEngineSequence}. */
export interface EngineSequenceOptions {
  /** The resources in registration order, inputs in wire form (with dependencies for the stack analysis). */
  resources: readonly WireResource[];
  /** The content of a `--policy-pack-config` file, if the user gives one. */
  policyConfig?: PolicyPackConfigFile;
  /** `Remediate`/`Analyze` calls in flight at once. Default: 8. Results keep the input order. */
  concurrency?: number;
}

/** What one resource went through. */
export interface ResourceAnalysis {
  /** The resource as analyzed: its properties are the last remediation's, if any. */
  resource: WireResource;
  remediations: Remediation[];
  /** Remediation diagnostics (advisory, as the engine reports them) then `Analyze` diagnostics. */
  diagnostics: AnalyzeDiagnostic[];
}

/** The outcome of {@link runEngineSequence}. */
export interface EngineSequenceResult {
  handshake: HandshakeResult;
  configureStack: ConfigureStackResult;
  pluginInfo: PluginInfo;
  info: AnalyzerInfo;
  /** What was sent in `Configure`. */
  config: ReconciledPolicyConfig;
  resources: ResourceAnalysis[];
  /** `AnalyzeStack` diagnostics; `remediate` reads as mandatory, as in the engine. */
  stackDiagnostics: AnalyzeDiagnostic[];
}

/**
 * Makes the engine's calls for one preview, in its order: `Handshake`, `ConfigureStack`,
 * `GetPluginInfo`, `GetAnalyzerInfo`, `Configure` (reconciled config), then per resource
 * `Remediate` (new properties replace the inputs) and `Analyze`, then `AnalyzeStack` over the
 * resources as analyzed. In a real update `AnalyzeStack` sees outputs (inputs plus what the
 * provider computed); give resources with outputs to mimic that.
 * @throws {PolicyConfigError} when the configuration is refused (nothing is analyzed).
 */
export async function runEngineSequence(client: PolicyPackClient, options: EngineSequenceOptions): Promise<EngineSequenceResult> {
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new TypeError(`concurrency must be a positive integer, got ${String(options.concurrency)}`);
  }
  const handshake = await client.handshake();
  const configureStack = await client.configureStack();
  const pluginInfo = await client.getPluginInfo();
  const info = await client.getAnalyzerInfo();
  const config = reconcilePolicyConfig(info, options.policyConfig);
  await client.configure(config);

  const resources = await mapInOrder(options.resources, concurrency, async (original): Promise<ResourceAnalysis> => {
    const remediations = await client.remediate(original);
    let resource = original;
    const diagnostics: AnalyzeDiagnostic[] = [];
    for (const r of remediations) {
      if (r.diagnostic !== undefined) {
        diagnostics.push({
          policyName: r.policyName,
          policyPackName: r.policyPackName,
          policyPackVersion: r.policyPackVersion,
          description: r.description,
          message: r.diagnostic,
          urn: original.urn,
          enforcementLevel: "advisory",
        });
      } else if (r.properties !== undefined) {
        resource = { ...resource, properties: r.properties };
      }
    }
    diagnostics.push(...(await client.analyze(resource)));
    return { resource, remediations, diagnostics };
  });

  const stackDiagnostics = (await client.analyzeStack(resources.map((r) => r.resource))).map((d) =>
    d.enforcementLevel === "remediate" ? { ...d, enforcementLevel: "mandatory" as const } : d,
  );
  return { handshake, configureStack, pluginInfo, info, config, resources, stackDiagnostics };
}

async function mapInOrder<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

function levelFromWire(level: analyzerPb.EnforcementLevel, what: string): EnforcementLevel {
  switch (level) {
    case analyzerPb.EnforcementLevel.ADVISORY:
      return "advisory";
    case analyzerPb.EnforcementLevel.MANDATORY:
      return "mandatory";
    case analyzerPb.EnforcementLevel.REMEDIATE:
      return "remediate";
    case analyzerPb.EnforcementLevel.DISABLED:
      return "disabled";
    default:
      throw new Error(`invalid enforcement level ${String(level)} in ${what}`);
  }
}

function levelToWire(level: EnforcementLevel): analyzerPb.EnforcementLevel {
  switch (level) {
    case "advisory":
      return analyzerPb.EnforcementLevel.ADVISORY;
    case "mandatory":
      return analyzerPb.EnforcementLevel.MANDATORY;
    case "remediate":
      return analyzerPb.EnforcementLevel.REMEDIATE;
    case "disabled":
      return analyzerPb.EnforcementLevel.DISABLED;
  }
}

function severityFromWire(severity: analyzerPb.PolicySeverity): PolicySeverity | undefined {
  switch (severity) {
    case analyzerPb.PolicySeverity.POLICY_SEVERITY_LOW:
      return "low";
    case analyzerPb.PolicySeverity.POLICY_SEVERITY_MEDIUM:
      return "medium";
    case analyzerPb.PolicySeverity.POLICY_SEVERITY_HIGH:
      return "high";
    case analyzerPb.PolicySeverity.POLICY_SEVERITY_CRITICAL:
      return "critical";
    default:
      return undefined;
  }
}

function policyTypeFromWire(type: analyzerPb.PolicyType): PolicyType {
  switch (type) {
    case analyzerPb.PolicyType.POLICY_TYPE_RESOURCE:
      return "resource";
    case analyzerPb.PolicyType.POLICY_TYPE_STACK:
      return "stack";
    default:
      return "unknown";
  }
}

function notApplicableFromWire(list: analyzerPb.PolicyNotApplicable[]): PolicyNotApplicable[] {
  return list.map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() }));
}

/** Checks a resource before it goes on the wire, so bad input fails here with its path, not inside protobuf. */
function checkResource(resource: WireResource, where: string): void {
  if (!isPlainObject(resource)) {
    throw new TypeError(`${where} must be an object, got ${jsonTypeName(resource)}`);
  }
  for (const field of ["type", "name", "urn"] as const) {
    if (typeof resource[field] !== "string" || resource[field] === "") {
      throw new TypeError(`${where}.${field} must be a non-empty string, got ${JSON.stringify(resource[field])}`);
    }
  }
  if (!isPlainObject(resource.properties)) {
    throw new TypeError(`${where}.properties must be an object, got ${jsonTypeName(resource.properties)}`);
  }
}

function toAnalyzeRequest(resource: WireResource, where: string): analyzerPb.AnalyzeRequest {
  checkResource(resource, where);
  const req = new analyzerPb.AnalyzeRequest();
  req.setType(resource.type);
  req.setName(resource.name);
  req.setUrn(resource.urn);
  req.setProperties(toStruct(resource.properties, `${where}.properties`));
  req.setOptions(toResourceOptions(resource.options, `${where}.options`));
  if (resource.provider !== undefined) {
    req.setProvider(toProvider(resource.provider, `${where}.provider`));
  }
  return req;
}

function toAnalyzerResource(resource: WireResource, where: string): analyzerPb.AnalyzerResource {
  checkResource(resource, where);
  const res = new analyzerPb.AnalyzerResource();
  res.setType(resource.type);
  res.setName(resource.name);
  res.setUrn(resource.urn);
  res.setProperties(toStruct(resource.properties, `${where}.properties`));
  res.setOptions(toResourceOptions(resource.options, `${where}.options`));
  if (resource.provider !== undefined) {
    res.setProvider(toProvider(resource.provider, `${where}.provider`));
  }
  // The engine sends the parent twice: in the options and on the resource.
  res.setParent(resource.options?.parent ?? "");
  res.setDependenciesList(checkStringList(resource.dependencies ?? [], `${where}.dependencies`));
  for (const [property, urns] of Object.entries(resource.propertyDependencies ?? {})) {
    checkStringList(urns, `${where}.propertyDependencies["${property}"]`);
    // The engine leaves out properties without dependencies.
    if (urns.length > 0) {
      res.getPropertydependenciesMap().set(property, new analyzerPb.AnalyzerPropertyDependencies().setUrnsList([...urns]));
    }
  }
  return res;
}

/** Marshals options as the engine does: always present, custom timeouts always set, `deleteBeforeReplaceDefined` from presence. */
function toResourceOptions(options: WireResourceOptions | undefined, where: string): analyzerPb.AnalyzerResourceOptions {
  if (options !== undefined && !isPlainObject(options)) {
    throw new TypeError(`${where} must be an object, got ${jsonTypeName(options)}`);
  }
  const o: WireResourceOptions = options ?? {};
  const result = new analyzerPb.AnalyzerResourceOptions();
  result.setProtect(o.protect === true);
  result.setIgnorechangesList(checkStringList(o.ignoreChanges ?? [], `${where}.ignoreChanges`));
  result.setDeletebeforereplace(o.deleteBeforeReplace === true);
  result.setDeletebeforereplacedefined(o.deleteBeforeReplaceDefined ?? o.deleteBeforeReplace !== undefined);
  result.setAdditionalsecretoutputsList(checkStringList(o.additionalSecretOutputs ?? [], `${where}.additionalSecretOutputs`));
  result.setAliasesList(checkStringList(o.aliases ?? [], `${where}.aliases`));
  const timeouts = new analyzerPb.AnalyzerResourceOptions.CustomTimeouts();
  timeouts.setCreate(o.customTimeouts?.create ?? 0);
  timeouts.setUpdate(o.customTimeouts?.update ?? 0);
  timeouts.setDelete(o.customTimeouts?.delete ?? 0);
  result.setCustomtimeouts(timeouts);
  result.setParent(o.parent ?? "");
  return result;
}

function toProvider(provider: WireProvider, where: string): analyzerPb.AnalyzerProviderResource {
  if (!isPlainObject(provider)) {
    throw new TypeError(`${where} must be an object, got ${jsonTypeName(provider)}`);
  }
  for (const field of ["type", "name", "urn"] as const) {
    if (typeof provider[field] !== "string" || provider[field] === "") {
      throw new TypeError(`${where}.${field} must be a non-empty string, got ${JSON.stringify(provider[field])}`);
    }
  }
  const result = new analyzerPb.AnalyzerProviderResource();
  result.setType(provider.type);
  result.setName(provider.name);
  result.setUrn(provider.urn);
  result.setProperties(toStruct(provider.properties ?? {}, `${where}.properties`));
  return result;
}

function checkStringList(list: readonly unknown[], where: string): string[] {
  if (!Array.isArray(list) || list.some((item) => typeof item !== "string")) {
    throw new TypeError(`${where} must be an array of strings, got ${JSON.stringify(list)}`);
  }
  return [...(list as string[])];
}

/** A `google.protobuf.Struct` holding `properties` unchanged; anything JSON cannot carry is refused with its path. */
function toStruct(properties: Record<string, unknown>, where: string): Struct {
  if (!isPlainObject(properties)) {
    throw new TypeError(`${where} must be an object, got ${jsonTypeName(properties)}`);
  }
  checkWireValue(properties, where);
  return Struct.fromJavaScript(properties as { [key: string]: JavaScriptValue });
}

function checkWireValue(value: unknown, where: string): asserts value is WireValue {
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    return;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new TypeError(`${where} is ${String(value)}, which a wire property cannot carry`);
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkWireValue(item, `${where}[${i}]`));
    return;
  }
  if (isPlainObject(value)) {
    // Realm-independent "plain object": its prototype is some realm's Object.prototype, or null.
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto !== null && Object.getPrototypeOf(proto) !== null) {
      throw new TypeError(`${where} is a ${(value as object).constructor?.name ?? "non-plain"} object; wire properties are plain JSON`);
    }
    for (const [key, item] of Object.entries(value)) {
      checkWireValue(item, `${where}.${key}`);
    }
    return;
  }
  throw new TypeError(`${where} is ${value === undefined ? "undefined" : `a ${typeof value}`}, which a wire property cannot carry`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jsonTypeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
