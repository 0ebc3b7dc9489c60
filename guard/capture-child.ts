/**
 * The child process of an offline capture (started by guard/capture.ts, one per stack, because the
 * Pulumi runtime is process-global state).
 *
 * It runs the stack's program the way the Node.js language host does (`@pulumi/pulumi/cmd/run`:
 * entry point resolution, ts-node, the root `pulumi:pulumi:Stack`), in preview mode, against the
 * SDK's mock monitor whose `registerResource` is replaced: every `RegisterResourceRequest` the SDK
 * sends is recorded as the engine would pass it to a policy pack (guard/capture-engine-rules.ts),
 * and answered as the engine answers in a preview: the inputs echoed back and no ID, so the SDK
 * leaves computed outputs (ids, ARNs, endpoints) unknown.
 *
 * The SDK is loaded from the project directory, so the program and the capture share one runtime.
 */
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import { Module, createRequire } from "module";
import { AsyncLocalStorage } from "async_hooks";
import type * as resproto from "@pulumi/pulumi/proto/resource_pb";
import type * as structproto from "google-protobuf/google/protobuf/struct_pb";
import {
  analyzerWireProperties,
  collapseAliasToUrn,
  customTimeoutSeconds,
  defaultProviderName,
  engineUrn,
  isDefaultProviderDisabled,
  isProviderType,
  packageOfType,
  parseProviderReference,
  qualifiedTypeOfUrn,
  type AliasSpec,
} from "./capture-engine-rules";
import { answerInvokeOffline, type InvokeForm } from "./capture-invokes";
import {
  SECRET_SIG_KEY,
  SECRET_SIG_VALUE,
  UNKNOWN,
  wireSecret,
  type SourcePosition,
  type WireProperties,
  type WireProvider,
  type WireResource,
  type WireResourceOptions,
  type WireValue,
} from "./wire";

/** What the parent hands the child (a JSON file named by the first argument). */
export interface CaptureJob {
  projectDir: string;
  project: string;
  stack: string;
  organization: string;
  /** `main:` of Pulumi.yaml, or "." (the language host then resolves package.json / index). */
  program: string;
  /** Plaintext config by fully qualified key (what the program also gets in `PULUMI_CONFIG`). */
  config: Record<string, string>;
  secretKeys: string[];
  /** Secret keys without plaintext offline: reading one fails the capture with a usage error. */
  undecryptableKeys: string[];
  resultPath: string;
}

export interface CaptureChildError {
  message: string;
  stack?: string;
  kind: "program" | "usage";
}

/** What the child writes to `resultPath`. */
export interface CaptureChildResult {
  resources: WireResource[];
  errors: CaptureChildError[];
}

/** The goal state the engine keeps per registered URN, as far as inheritance needs it. */
interface RegisteredGoal {
  custom: boolean;
  protect: boolean | undefined;
  providerRef: string;
}

/** Marks a failure that is the user's setup (missing secret, unsupported feature), not program logic. */
class OfflineUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OfflineUsageError";
  }
}

/** `cmd/run/index.ts`: the exit code after the SDK has printed its own explanation of a failure. */
const LANGUAGE_HOST_LOGGED_ERROR_EXIT_CODE = 32;

type GrpcCallback<T> = (err: Error | null, response?: T) => void;

/** The slice of `@pulumi/pulumi` the child drives; loaded from the project directory. */
interface PulumiSdk {
  runtime: {
    setMocks(mocks: object, project: string, stack: string, preview: boolean, organization: string): Promise<void>;
    invoke: (...args: unknown[]) => unknown;
    invokeSingle: (...args: unknown[]) => unknown;
    invokeOutput: (...args: unknown[]) => unknown;
    invokeSingleOutput: (...args: unknown[]) => unknown;
  };
  settings: {
    getMonitor(): MockMonitorLike;
    waitForRPCs(): Promise<void>;
  };
  state: { getStore(): { settings: { rpcDone: Promise<void> }; pendingResourceRegistrations?: Map<unknown, { label?: string; phase?: string }> } };
  runtimeConfig: { getConfig(key: string): string | undefined };
  log: { error: (message: string, ...rest: unknown[]) => unknown };
  resproto: typeof resproto;
  struct: typeof structproto;
  run: (
    argv: Record<string, unknown>,
    programStarted: () => void,
    reportLoggedError: (err: Error) => void,
    isErrorReported: (err: Error) => boolean,
  ) => Promise<unknown>;
}

interface MockMonitorLike {
  resources: Map<string, { urn: string; id: string | null; state: unknown }>;
  registerResource(req: resproto.RegisterResourceRequest, callback: GrpcCallback<resproto.RegisterResourceResponse>): void;
  readResource(req: resproto.ReadResourceRequest, callback: GrpcCallback<resproto.ReadResourceResponse>): void;
  invoke(req: resproto.ResourceInvokeRequest, callback: GrpcCallback<resproto.ResourceInvokeResponse>): void;
  call?(req: resproto.ResourceCallRequest, callback: GrpcCallback<unknown>): void;
  registerStackTransform(req: unknown, callback: GrpcCallback<unknown>): void;
  registerStackInvokeTransform(req: unknown, callback: GrpcCallback<unknown>): void;
}

function loadPulumiSdk(projectDir: string): PulumiSdk {
  const fromProject = createRequire(path.join(projectDir, "__guard_capture__.js"));
  let pulumiEntry: string;
  try {
    pulumiEntry = fromProject.resolve("@pulumi/pulumi");
  } catch {
    throw new OfflineUsageError(`@pulumi/pulumi cannot be found from ${projectDir}: install the project's dependencies first`);
  }
  const fromSdk = createRequire(pulumiEntry);
  // cmd/run/run.js imports cmd/run/index.js only for an exit code, but that module is the language
  // host's command line: loading it parses our argv and exits. Give run.js a stand-in instead.
  const runIndexPath = fromSdk.resolve("./cmd/run/index.js");
  const runIndex = new Module(runIndexPath);
  runIndex.filename = runIndexPath;
  runIndex.loaded = true;
  runIndex.exports = { nodeJSProcessExitedAfterLoggingUserActionableMessage: LANGUAGE_HOST_LOGGED_ERROR_EXIT_CODE };
  require.cache[runIndexPath] = runIndex;
  const run = fromSdk("./cmd/run/run").run;
  if (typeof run !== "function") {
    throw new OfflineUsageError(`${pulumiEntry}: this @pulumi/pulumi has no cmd/run/run.run(); the capture needs 3.x`);
  }
  return {
    runtime: fromSdk("./runtime"),
    settings: fromSdk("./runtime/settings"),
    state: fromSdk("./runtime/state"),
    runtimeConfig: fromSdk("./runtime/config"),
    log: fromSdk("./log"),
    resproto: fromSdk("./proto/resource_pb"),
    // The SDK's own google-protobuf, so the Struct is one its messages accept.
    struct: fromSdk("google-protobuf/google/protobuf/struct_pb"),
    run,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The plain value of a wire value, or "unknown" when it is (or wraps) an unknown sentinel. */
function plainWireString(value: WireValue | undefined): string | "unknown" | undefined {
  let current = value;
  if (isRecord(current) && current[SECRET_SIG_KEY] === SECRET_SIG_VALUE) {
    current = (current as { value?: WireValue }).value;
  }
  if (typeof current !== "string") {
    return undefined;
  }
  return Object.values(UNKNOWN).includes(current as (typeof UNKNOWN)[keyof typeof UNKNOWN]) ? "unknown" : current;
}

const CAPTURE_SOURCE_PREFIX = pathToFileURL(path.join(__dirname, "capture-")).href;

/** A `file:` URI outside node_modules and outside the capture itself: where the user's code is. */
function isUserSource(uri: string): boolean {
  return uri !== "" && !/[\\/]node_modules[\\/]/.test(uri) && !uri.startsWith(CAPTURE_SOURCE_PREFIX);
}

function sourcePositionOf(req: resproto.RegisterResourceRequest): SourcePosition | undefined {
  const declared = req.getSourceposition();
  const candidates = [declared, ...(req.getStacktrace()?.getFramesList().map((frame) => frame.getPc()) ?? [])];
  // The SDK reports the frame that called the resource constructor; for provider resources that
  // frame is inside @pulumi/aws, so the first frame in the user's code is the declaration.
  for (const position of candidates) {
    if (position && isUserSource(position.getUri()) && position.getLine() > 0) {
      return {
        uri: position.getUri(),
        line: position.getLine(),
        ...(position.getColumn() > 0 ? { column: position.getColumn() } : {}),
      };
    }
  }
  return undefined;
}

function errorDetails(err: unknown, kind?: CaptureChildError["kind"]): CaptureChildError {
  if (err instanceof Error) {
    const usage = kind ?? (err instanceof OfflineUsageError || err.name === "OfflineUsageError" ? "usage" : "program");
    return { message: err.message, ...(err.stack ? { stack: err.stack } : {}), kind: usage };
  }
  return { message: `non-Error value thrown: ${String(err)}`, kind: kind ?? "program" };
}

/** Records registrations as the engine sees them and answers the SDK as the engine would in a preview. */
class CaptureRecorder {
  readonly resources: WireResource[] = [];
  private readonly errors: CaptureChildError[] = [];
  private readonly loggedErrors: CaptureChildError[] = [];
  private readonly seenErrors = new Set<unknown>();
  private readonly goals = new Map<string, RegisteredGoal>();
  private readonly componentProviders = new Map<string, Map<string, string>>();
  private readonly providersByUrn = new Map<string, WireProvider>();
  private readonly defaultProviderRefs = new Map<string, string>();

  constructor(private readonly job: CaptureJob) {}

  /** `pulumi.log.error`: an error diagnostic fails a deployment even when nothing is thrown. */
  recordLoggedError(message: string): void {
    this.loggedErrors.push({ message: `the program logged an error: ${message}`, kind: "program" });
  }

  /** Thrown errors first; logged ones only when nothing was thrown (a throw is usually logged too). */
  allErrors(): CaptureChildError[] {
    return this.errors.length > 0 ? this.errors : this.loggedErrors;
  }

  recordError(err: unknown, kind?: CaptureChildError["kind"]): void {
    if (this.seenErrors.has(err)) {
      return;
    }
    this.seenErrors.add(err);
    const details = errorDetails(err, kind);
    // The SDK re-throws a failed registration wrapped in its own message; keep the first report.
    if (this.errors.some((known) => known.message !== "" && details.message.endsWith(known.message))) {
      return;
    }
    this.errors.push(details);
  }

  private providerFor(reference: string, subject: string): WireProvider {
    const { urn } = parseProviderReference(reference);
    const provider = this.providersByUrn.get(urn);
    if (!provider) {
      throw new Error(`${subject}: provider ${urn} was never registered`);
    }
    return provider;
  }

  /** `defaultProviders.handleRequest`: one default provider per package, version and download URL. */
  private defaultProviderReference(pkg: string, version: string, pluginDownloadUrl: string, subject: string): string {
    if (isDefaultProviderDisabled(this.job.config["pulumi:disable-default-providers"], pkg)) {
      throw new Error(`Default provider for '${pkg}' disabled. '${subject}' must use an explicit provider.`);
    }
    const key = JSON.stringify([pkg, version, pluginDownloadUrl]);
    const known = this.defaultProviderRefs.get(key);
    if (known !== undefined) {
      return known;
    }
    const type = `pulumi:providers:${pkg}`;
    const name = defaultProviderName(version, pluginDownloadUrl);
    const urn = engineUrn(this.job.stack, this.job.project, "", type, name);
    const properties: WireProperties = {};
    const secret = new Set(this.job.secretKeys);
    const prefix = `${pkg}:`;
    for (const [key, value] of Object.entries(this.job.config)) {
      if (key.startsWith(prefix)) {
        properties[key.slice(prefix.length)] = secret.has(key) ? wireSecret(value) : value;
      }
    }
    // The engine decrypts every secret; offline a secret nobody supplied is unknown, not invented.
    for (const key of this.job.undecryptableKeys) {
      if (key.startsWith(prefix)) {
        properties[key.slice(prefix.length)] = wireSecret(UNKNOWN.string);
      }
    }
    if (version !== "") {
      properties["version"] = version.replace(/^v/, "");
    }
    const provider: WireProvider = { type, name, urn, properties };
    this.providersByUrn.set(urn, provider);
    this.resources.push({
      type,
      name,
      urn,
      properties,
      options: { protect: false, ignoreChanges: [], deleteBeforeReplace: false, deleteBeforeReplaceDefined: false, additionalSecretOutputs: [], aliases: [] },
      dependencies: [],
      propertyDependencies: {},
      custom: true,
    });
    this.goals.set(urn, { custom: true, protect: undefined, providerRef: "" });
    // A new provider's ID is unknown in a preview (`providers.UnknownID`).
    const reference = `${urn}::${UNKNOWN.string}`;
    this.defaultProviderRefs.set(key, reference);
    return reference;
  }

  /** `resmon.RegisterResource` up to the goal state, plus what the analyzer plugin sends. */
  registerResource(req: resproto.RegisterResourceRequest): { urn: string; id: string } {
    const type = req.getType();
    const name = req.getName();
    const parentUrn = req.getParent();
    const custom = req.getCustom();
    const remote = req.getRemote();
    const label = `${type} "${name}"`;
    if (remote) {
      throw new OfflineUsageError(
        `${label} is a multi-language component: its provider plugin constructs it, which the offline check cannot run`,
      );
    }
    if (req.getTransformsList().length > 0) {
      throw new OfflineUsageError(
        `${label} has resource transforms (the transforms option), which the engine runs; the offline check does not emulate them`,
      );
    }
    const pkg = custom ? packageOfType(type) : undefined;
    const urn = engineUrn(this.job.stack, this.job.project, parentUrn, type, name);
    if (this.goals.has(urn)) {
      throw new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`);
    }
    if (parentUrn !== "" && !this.goals.has(parentUrn)) {
      throw new Error(`${label}: parent ${parentUrn} was never registered`);
    }
    const parentGoal = parentUrn === "" ? undefined : this.goals.get(parentUrn);

    // inheritFromParent (pkg/resource/deploy/source_eval.go): protect and the provider.
    const protect = req.hasProtect() ? req.getProtect() : parentGoal?.protect;
    let providerRef = req.getProvider();
    if (providerRef === "" && parentGoal && parentGoal.providerRef !== "") {
      const parentProviderType = qualifiedTypeOfUrn(parseProviderReference(parentGoal.providerRef).urn).split("$").pop() ?? "";
      const parentProviderPackage = parentProviderType.split(":").pop();
      if (!custom || parentProviderPackage === pkg) {
        providerRef = parentGoal.providerRef;
      }
    }
    let provider: WireProvider | undefined;
    if (custom && pkg !== undefined && !isProviderType(type)) {
      if (providerRef === "") {
        providerRef = req.getProvidersMap().get(pkg) ?? this.componentProviders.get(parentUrn)?.get(pkg) ?? "";
      }
      if (providerRef === "") {
        providerRef = this.defaultProviderReference(pkg, req.getVersion(), req.getPlugindownloadurl(), urn);
      }
    }
    if (providerRef !== "" && !isProviderType(type)) {
      provider = this.providerFor(providerRef, label);
    }
    if (!custom) {
      const providers = new Map(req.getProvidersMap().entries());
      for (const [key, value] of this.componentProviders.get(parentUrn) ?? []) {
        if (!providers.has(key)) {
          providers.set(key, value);
        }
      }
      this.componentProviders.set(urn, providers);
    }

    const inputs = (req.getObject()?.toJavaScript() ?? {}) as WireProperties;
    let properties = analyzerWireProperties(inputs);
    if (isProviderType(type)) {
      const version = req.getVersion();
      if (version !== "") {
        if (!/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(version)) {
          throw new Error(`${label}: passed invalid version: ${version}`);
        }
        properties = { ...properties, version };
      }
      this.providersByUrn.set(urn, { type, name, urn, properties });
    }

    const options: WireResourceOptions = {
      protect: protect ?? false,
      ignoreChanges: req.getIgnorechangesList(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
      deleteBeforeReplaceDefined: req.getDeletebeforereplacedefined() || req.getDeletebeforereplace(),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      aliases: this.aliasUrns(req, { name, type, parentUrn }),
    };
    const timeouts = req.getCustomtimeouts();
    if (timeouts) {
      const customTimeouts: NonNullable<WireResourceOptions["customTimeouts"]> = {};
      if (timeouts.getCreate() !== "") customTimeouts.create = customTimeoutSeconds(timeouts.getCreate());
      if (timeouts.getUpdate() !== "") customTimeouts.update = customTimeoutSeconds(timeouts.getUpdate());
      if (timeouts.getDelete() !== "") customTimeouts.delete = customTimeoutSeconds(timeouts.getDelete());
      // The engine parses `read` too (and rejects a bad one); the analyzer options carry it, the wire shape does not.
      if (timeouts.getRead() !== "") customTimeoutSeconds(timeouts.getRead());
      if (Object.keys(customTimeouts).length > 0) {
        options.customTimeouts = customTimeouts;
      }
    }
    if (parentUrn !== "") {
      options.parent = parentUrn;
    }

    const dependencies = req.getDependenciesList();
    const propertyDependencies: Record<string, string[]> = {};
    const requested = req.getPropertydependenciesMap();
    if (requested.getLength() === 0) {
      // The engine backfills: with no per-property information each input depends on everything.
      if (dependencies.length > 0) {
        for (const key of Object.keys(inputs)) {
          propertyDependencies[key] = [...dependencies];
        }
      }
    } else {
      for (const [key, deps] of requested.entries()) {
        const urns = deps.getUrnsList();
        // The analyzer plugin skips properties without dependencies.
        if (urns.length > 0) {
          propertyDependencies[key] = urns;
        }
      }
    }

    const sourcePosition = sourcePositionOf(req);
    this.resources.push({
      type,
      name,
      urn,
      properties,
      options,
      ...(provider ? { provider } : {}),
      dependencies,
      propertyDependencies,
      ...(sourcePosition ? { sourcePosition } : {}),
      custom,
    });
    this.goals.set(urn, { custom, protect, providerRef: isProviderType(type) ? "" : providerRef });
    // An import reads the existing resource, whose ID is the one given; anything else is created later.
    return { urn, id: custom ? req.getImportid() : "" };
  }

  private aliasUrns(req: resproto.RegisterResourceRequest, resource: { name: string; type: string; parentUrn: string }): string[] {
    const urns: string[] = [...req.getAliasurnsList()];
    for (const alias of req.getAliasesList()) {
      if (alias.hasUrn()) {
        urns.push(alias.getUrn());
        continue;
      }
      const spec = alias.getSpec();
      if (!spec) {
        continue;
      }
      const aliasSpec: AliasSpec = {
        name: spec.getName(),
        type: spec.getType(),
        stack: spec.getStack(),
        project: spec.getProject(),
        parentUrn: spec.getParenturn(),
        noParent: spec.getNoparent(),
      };
      urns.push(
        collapseAliasToUrn({ ...resource, stack: this.job.stack, project: this.job.project }, aliasSpec),
      );
    }
    return [...new Set(urns)];
  }

  /** Where an invoke is served: the region of its provider (explicit, or the default one it creates). */
  invokeProviderRegion(req: resproto.ResourceInvokeRequest): string | "unknown" | undefined {
    const token = req.getTok();
    const pkg = token.split(":")[0];
    let reference = req.getProvider();
    if (reference === "") {
      reference = this.defaultProviderReference(pkg, req.getVersion(), req.getPlugindownloadurl(), token);
    }
    return plainWireString(this.providerFor(reference, token).properties["region"]);
  }
}

function buildMocks(): object {
  const unused = (what: string) => () => {
    throw new Error(`the capture's mock monitor should never call mocks.${what}`);
  };
  return { newResource: unused("newResource"), call: unused("call") };
}

async function runCapture(job: CaptureJob, recorder: CaptureRecorder, finish: () => void): Promise<void> {
  const sdk = loadPulumiSdk(job.projectDir);
  await sdk.runtime.setMocks(buildMocks(), job.project, job.stack, true, job.organization);
  const monitor = sdk.settings.getMonitor();
  const { resproto: proto } = sdk;

  monitor.registerResource = (req, callback) => {
    try {
      const { urn, id } = recorder.registerResource(req);
      monitor.resources.set(urn, { urn, id: id === "" ? null : id, state: req.getObject()?.toJavaScript() ?? {} });
      const response = new proto.RegisterResourceResponse();
      response.setUrn(urn);
      response.setId(id);
      // A preview's state for a new resource is its inputs; what the provider computes stays unknown.
      const echoed = req.getObject();
      if (echoed) {
        response.setObject(echoed);
      }
      callback(null, response);
    } catch (err) {
      recorder.recordError(err);
      callback(err as Error);
    }
  };

  monitor.readResource = (req, callback) => {
    const subject =
      req.getType() === "pulumi:pulumi:StackReference"
        ? `StackReference "${req.getName()}" needs the other stack's outputs from the Pulumi backend`
        : `${req.getType()} "${req.getName()}" reads an existing resource (id ${JSON.stringify(req.getId())}) through its provider`;
    const err = new OfflineUsageError(`${subject}; the offline check has no backend, provider plugin or credentials`);
    recorder.recordError(err);
    callback(err);
  };

  // Promise-form and Output-form invokes look the same on the wire; the form decides whether an
  // unanswerable invoke may be unknown (Output) or must fail (promise). See guard/capture-invokes.ts.
  const invokeForm = new AsyncLocalStorage<InvokeForm>();
  const runtime = sdk.runtime;
  for (const [fn, form] of [
    ["invoke", "promise"],
    ["invokeSingle", "promise"],
    ["invokeOutput", "output"],
    ["invokeSingleOutput", "output"],
  ] as const) {
    const original = runtime[fn];
    runtime[fn] = (...args: unknown[]) => invokeForm.run(form, () => original(...args));
  }
  const originalInvoke = monitor.invoke.bind(monitor);
  monitor.invoke = (req, callback) => {
    const token = req.getTok();
    if (token === "pulumi:pulumi:getResource") {
      originalInvoke(req, callback);
      return;
    }
    try {
      const args = (req.getArgs()?.toJavaScript() ?? {}) as WireProperties;
      const answer = answerInvokeOffline(token, args, {
        form: invokeForm.getStore() ?? "promise",
        providerRegion: recorder.invokeProviderRegion(req),
      });
      const response = new proto.ResourceInvokeResponse();
      if (answer.kind === "error") {
        // The SDK rethrows `new Error(err.details)`, the gRPC status text.
        throw Object.assign(new OfflineUsageError(answer.message), { details: answer.message });
      }
      if (answer.kind === "unknown") {
        response.setUnknown(true);
      } else {
        response.setReturn(sdk.struct.Struct.fromJavaScript(answer.result));
      }
      callback(null, response);
    } catch (err) {
      recorder.recordError(err);
      callback(err as Error);
    }
  };

  monitor.call = (req, callback) => {
    const err = new OfflineUsageError(
      `${req.getTok()} is a method of a resource, which its provider plugin runs; the offline check cannot call it`,
    );
    recorder.recordError(err);
    callback(Object.assign(err, { details: err.message }));
  };

  const refuseStackTransform = (what: string) => (_req: unknown, callback: GrpcCallback<unknown>) => {
    recorder.recordError(
      new OfflineUsageError(`the program registers a stack ${what}, which the engine runs; the offline check does not emulate it`),
    );
    callback(null, {});
  };
  monitor.registerStackTransform = refuseStackTransform("transform (registerResourceTransform)");
  monitor.registerStackInvokeTransform = refuseStackTransform("invoke transform (registerInvokeTransform)");

  const undecryptable = new Set(job.undecryptableKeys);
  const getConfig = sdk.runtimeConfig.getConfig;
  sdk.runtimeConfig.getConfig = (key: string) => {
    if (undecryptable.has(key)) {
      const err = new OfflineUsageError(
        `config key ${key} is a secret (secure:) in Pulumi.${job.stack}.yaml and cannot be decrypted offline; ` +
          `give its value as a config override (GUARD_CONFIG_OVERRIDES or the capture's configOverrides)`,
      );
      recorder.recordError(err);
      throw err;
    }
    return getConfig(key);
  };

  const logError = sdk.log.error;
  sdk.log.error = (message: string, ...rest: unknown[]) => {
    recorder.recordLoggedError(message);
    return logError(message, ...rest);
  };

  const state = sdk.state.getStore();
  let runSettled = false;
  let drained = false;
  let drainedAt: Promise<void> | undefined;
  const drain = () => {
    drained = false;
    void sdk.settings.waitForRPCs().then(() => {
      drained = true;
      drainedAt = state.settings.rpcDone;
    });
  };
  // The language host's program ends when Node's event loop is empty: late registrations (made
  // in callbacks or `beforeExit` handlers) are part of it.
  process.on("beforeExit", () => {
    if (!runSettled) {
      recorder.recordError(new Error("the program never finished: a promise it awaits never settled"));
      finish();
    } else if (!drained) {
      const pending = [...(state.pendingResourceRegistrations?.values() ?? [])]
        .map((registration) => `${registration.label ?? "?"} (waiting for ${registration.phase ?? "?"})`)
        .join(", ");
      recorder.recordError(
        new Error(`the program finished with resource registrations that never completed${pending ? `: ${pending}` : ""}`),
      );
      finish();
    } else if (drainedAt !== state.settings.rpcDone) {
      drain();
    } else {
      finish();
    }
  });

  try {
    await sdk.run(
      { _: [job.program], pwd: job.projectDir },
      () => undefined,
      (err) => recorder.recordError(err),
      // Our own handlers record every uncaught error. The language host's handler would also log it
      // through util.inspect(err, { colors: true }), which never returns on Node 20.20 for stack
      // frames like `node_modules/@pulumi/resource.ts` (what @pulumi/pulumi's source maps produce).
      () => true,
    );
  } catch (err) {
    recorder.recordError(err);
  }
  runSettled = true;
  drain();
}

/** The child's entry point: runs the job in `jobPath` and writes its result file, then exits. */
export function runCaptureChild(jobPath: string): void {
  const job = JSON.parse(fs.readFileSync(jobPath, "utf8")) as CaptureJob;
  const recorder = new CaptureRecorder(job);
  let finished = false;
  const finish = () => {
    if (finished) {
      return;
    }
    finished = true;
    const result: CaptureChildResult = { resources: recorder.resources, errors: recorder.allErrors() };
    fs.writeFileSync(job.resultPath, JSON.stringify(result));
    process.exit(0);
  };
  // The language host explains some failures (an entry point it cannot load) on stderr, then exits.
  let stderrTail = "";
  const writeStderr = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stderrTail = (stderrTail + (typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"))).slice(-4000);
    return (writeStderr as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  process.on("uncaughtException", (err) => recorder.recordError(err));
  process.on("unhandledRejection", (reason) => recorder.recordError(reason));
  process.on("exit", (code) => {
    if (!finished) {
      const said = stderrTail.trim();
      recorder.recordError(
        new Error(`the program ended the process (exit code ${code}) before the capture finished${said ? `:\n${said}` : ""}`),
      );
      finished = true;
      const result: CaptureChildResult = { resources: recorder.resources, errors: recorder.allErrors() };
      fs.writeFileSync(job.resultPath, JSON.stringify(result));
    }
  });
  runCapture(job, recorder, finish).catch((err) => {
    recorder.recordError(err);
    finish();
  });
}

if (require.main === module) {
  runCaptureChild(process.argv[2]);
}
