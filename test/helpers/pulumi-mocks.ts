/**
 * Runs Pulumi programs under `pulumi.runtime.setMocks` and records every registration as the
 * engine would see it: type, name, parent, inputs, and the resource options the SDK sends
 * (`protect`, `ignoreChanges`, provider, dependencies). The mock monitor passes only type, name
 * and inputs to `newResource`, so the options are read from the monitor's request itself.
 *
 * Install it before importing the components or the program under test.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

export const MOCK_ACCOUNT_ID = "111111111111";
export const MOCK_REGION = "us-east-1";

export interface RegisteredResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** URN of the parent ("" for a root resource). */
  parent: string;
  /** The `protect` option as sent (undefined when unset). */
  protect: boolean | undefined;
  ignoreChanges: string[];
  /** Provider reference (`<urn>::<id>`), "" for the default provider or a component. */
  provider: string;
  dependencies: string[];
  inputs: Record<string, any>;
  state: Record<string, any>;
}

export interface MockOptions {
  project?: string;
  stack?: string;
  accountId?: string;
  region?: string;
  /** Stack configuration, keys as `namespace:key`, values as Pulumi stores them (objects as JSON). */
  config?: Record<string, string>;
}

export interface RecordedInvoke {
  token: string;
  /** Provider reference the invoke went through ("" for the default provider). */
  provider: string;
}

export interface MockEnvironment {
  readonly resources: RegisteredResource[];
  readonly invokes: RecordedInvoke[];
  readonly accountId: string;
  /** Forget what was recorded (between tests). */
  reset(): void;
  /** Waits until every registration started so far has reached the mock monitor. */
  settle(): Promise<void>;
  byType(type: string): RegisteredResource[];
  /** The only resource of this type (and name, when given); throws when there is not exactly one. */
  one(type: string, name?: string): RegisteredResource;
  byUrn(urn: string): RegisteredResource;
  /** Every resource whose parent chain reaches `urn`. */
  descendantsOf(urn: string): RegisteredResource[];
  /** Region a custom resource lives in (its provider's region, or the default). */
  regionOf(resource: RegisteredResource): string;
}

/** The value of an Output once known (the mocks run with preview off, so every value is known). */
export function outputValue<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise<T>((resolve) => {
    pulumi.output(value).apply((v) => {
      resolve(v as T);
      return v;
    });
  });
}

let counter = 0;

/**
 * The SDK tracks its in-flight RPCs and exposes a wait for them (`runtime.waitForRPCs`, used at
 * shutdown) that its typings leave out; without it, fall back to letting queued work run.
 */
async function waitForRpcs(): Promise<void> {
  const wait = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
  if (typeof wait === "function") await wait();
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

/** ARNs and ids as AWS would return them, so documents built from outputs look real. */
function mockState(type: string, name: string, inputs: Record<string, any>, region: string, account: string): { id: string; state: Record<string, any> } {
  const arn = (service: string, resource: string, r: string = region) => `arn:aws:${service}:${r}:${account}:${resource}`;
  switch (type) {
    case "aws:rds/instance:Instance": {
      const id = inputs.identifier ?? name;
      const port = inputs.engine === "mysql" ? 3306 : 5432;
      const address = `${id}.c0ffee.${region}.rds.amazonaws.com`;
      return {
        id,
        state: {
          ...inputs,
          identifier: id,
          arn: arn("rds", `db:${id}`),
          address,
          port,
          endpoint: `${address}:${port}`,
          resourceId: `db-${id.toUpperCase()}`,
          masterUserSecrets: [{ secretArn: arn("secretsmanager", `secret:rds!db-${id}`), kmsKeyId: inputs.masterUserSecretKmsKeyId, secretStatus: "active" }],
        },
      };
    }
    case "aws:rds/cluster:Cluster": {
      const id = inputs.clusterIdentifier ?? name;
      return {
        id,
        state: {
          ...inputs,
          clusterIdentifier: id,
          arn: arn("rds", `cluster:${id}`),
          endpoint: `${id}.cluster-c0ffee.${region}.rds.amazonaws.com`,
          readerEndpoint: `${id}.cluster-ro-c0ffee.${region}.rds.amazonaws.com`,
          port: inputs.engine === "aurora-mysql" ? 3306 : 5432,
          engineVersion: inputs.engineVersion ?? "16.4",
          masterUserSecrets: [{ secretArn: arn("secretsmanager", `secret:rds!cluster-${id}`), kmsKeyId: inputs.masterUserSecretKmsKeyId, secretStatus: "active" }],
        },
      };
    }
    case "aws:rds/clusterInstance:ClusterInstance": {
      const id = inputs.identifier ?? name;
      return { id, state: { ...inputs, identifier: id, arn: arn("rds", `db:${id}`) } };
    }
    case "aws:dynamodb/table:Table": {
      const id = inputs.name ?? name;
      return { id, state: { ...inputs, name: id, arn: arn("dynamodb", `table/${id}`) } };
    }
    case "aws:kms/key:Key": {
      const id = `0000${(++counter).toString(16).padStart(4, "0")}-aaaa-bbbb-cccc-${name.length.toString().padStart(12, "0")}`;
      return { id, state: { ...inputs, keyId: id, arn: arn("kms", `key/${id}`) } };
    }
    case "aws:backup/vault:Vault": {
      const id = inputs.name ?? name;
      return { id, state: { ...inputs, name: id, arn: arn("backup", `backup-vault:${id}`) } };
    }
    case "aws:backup/plan:Plan": {
      const id = `plan-${++counter}`;
      return { id, state: { ...inputs, name: inputs.name ?? name, arn: arn("backup", `backup-plan:${id}`), version: "v1" } };
    }
    case "aws:backup/restoreTestingPlan:RestoreTestingPlan": {
      const id = inputs.name ?? name;
      return { id, state: { ...inputs, name: id, arn: arn("backup", `restore-testing-plan:${id}-${++counter}`) } };
    }
    case "aws:iam/role:Role": {
      const id = inputs.name ?? name;
      return { id, state: { ...inputs, name: id, arn: `arn:aws:iam::${account}:role/${id}`, uniqueId: `AROA${++counter}` } };
    }
    case "aws:iam/policy:Policy": {
      const id = inputs.name ?? name;
      const arnValue = `arn:aws:iam::${account}:policy${inputs.path ?? "/"}${id}`;
      return { id: arnValue, state: { ...inputs, name: id, arn: arnValue } };
    }
    case "aws:sns/topic:Topic": {
      const id = inputs.name ?? name;
      return { id: arn("sns", id), state: { ...inputs, name: id, arn: arn("sns", id) } };
    }
    case "aws:cloudwatch/eventRule:EventRule": {
      const id = inputs.name ?? name;
      return { id, state: { ...inputs, name: id, arn: arn("events", `rule/${id}`) } };
    }
    default:
      return { id: `${name}-id`, state: { ...inputs } };
  }
}

/** Sets the mocks and the config, and starts recording. Call once per test file, before importing the code under test. */
export function installPulumiMocks(options: MockOptions = {}): MockEnvironment {
  const accountId = options.accountId ?? MOCK_ACCOUNT_ID;
  const defaultRegion = options.region ?? options.config?.["aws:region"] ?? MOCK_REGION;
  const resources: RegisteredResource[] = [];
  const invokes: RecordedInvoke[] = [];
  const providerRegions = new Map<string, string>();

  const providerRegion = (ref: string | undefined): string => {
    if (!ref) return defaultRegion;
    const urn = ref.split("::").slice(0, -1).join("::");
    return providerRegions.get(urn) ?? defaultRegion;
  };

  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      if (args.type === "pulumi:providers:aws") {
        return { id: `${args.name}-provider-id`, state: { ...args.inputs } };
      }
      if (!args.custom) return { id: undefined, state: {} };
      const region = typeof args.inputs.region === "string" ? args.inputs.region : providerRegion(args.provider);
      return mockState(args.type, args.name, args.inputs, region, accountId);
    },
    call(args) {
      invokes.push({ token: args.token, provider: args.provider ?? "" });
      const region = providerRegion(args.provider);
      switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return { accountId, arn: `arn:aws:iam::${accountId}:user/test`, userId: "AIDATEST", id: accountId };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
        case "aws:index/getRegion:getRegion":
          return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
        default:
          // An invoke the tests do not know about is a test gap, not something to answer with nothing.
          throw new Error(`unexpected invoke in a test: ${args.token}`);
      }
    },
  };
  if (options.config) pulumi.runtime.setAllConfig(options.config);
  void pulumi.runtime.setMocks(mocks, options.project ?? "db-guardrails", options.stack ?? "test", false);

  // Record each registration from the request the SDK sends, which carries the resource options.
  const monitor = pulumi.runtime.getMonitor() as any;
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) => {
    const type: string = req.getType();
    const name: string = req.getName();
    const parent: string = req.getParent();
    const inputs = pulumi.runtime.deserializeProperties(req.getObject()) as Record<string, any>;
    const record: Omit<RegisteredResource, "urn" | "state"> = {
      type,
      name,
      custom: req.getCustom(),
      parent,
      protect: typeof req.hasProtect === "function" && !req.hasProtect() ? undefined : req.getProtect(),
      ignoreChanges: req.getIgnorechangesList(),
      provider: req.getProvider(),
      dependencies: req.getDependenciesList(),
      inputs,
    };
    original(req, (err: any, resp: any) => {
      if (!err && resp) {
        const urn: string = resp.getUrn();
        const state = pulumi.runtime.deserializeProperties(resp.getObject()) as Record<string, any>;
        if (type === "pulumi:providers:aws") providerRegions.set(urn, typeof inputs.region === "string" ? inputs.region : defaultRegion);
        resources.push({ ...record, urn, state });
      }
      callback(err, resp);
    });
  };

  const env: MockEnvironment = {
    resources,
    invokes,
    accountId,
    reset() {
      resources.length = 0;
      invokes.length = 0;
    },
    async settle() {
      // Registrations wait on Outputs (ARNs feeding policies), so drain until nothing new arrives.
      let before = -1;
      while (before !== resources.length) {
        before = resources.length;
        await waitForRpcs();
        await new Promise((r) => setImmediate(r));
      }
    },
    byType(type) {
      return resources.filter((r) => r.type === type);
    },
    one(type, name) {
      const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
      if (found.length !== 1) {
        throw new Error(`expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
      }
      return found[0];
    },
    byUrn(urn) {
      const found = resources.find((r) => r.urn === urn);
      if (!found) throw new Error(`no resource registered with URN ${urn}`);
      return found;
    },
    descendantsOf(urn) {
      const result: RegisteredResource[] = [];
      const frontier = [urn];
      while (frontier.length > 0) {
        const current = frontier.pop()!;
        for (const r of resources) {
          if (r.parent === current) {
            result.push(r);
            frontier.push(r.urn);
          }
        }
      }
      return result;
    },
    regionOf(resource) {
      if (typeof resource.inputs.region === "string") return resource.inputs.region;
      return providerRegion(resource.provider);
    },
  };
  return env;
}

// ---- What @pulumi/aws accepts, read from its installed typings -------------------------------

const argsCache = new Map<string, Set<string>>();

/**
 * The top-level argument names of a resource type, read from `@pulumi/aws`'s `.d.ts` (token
 * `aws:rds/instance:Instance` -> `rds/instance.d.ts`, interface `InstanceArgs`). Tests use it to
 * prove every input the components send exists in the installed provider.
 */
export function awsArgumentNames(type: string): Set<string> {
  const cached = argsCache.get(type);
  if (cached) return cached;
  const match = /^aws:([a-zA-Z0-9]+)\/([a-zA-Z0-9]+):([A-Za-z0-9]+)$/.exec(type);
  if (!match) throw new Error(`not an @pulumi/aws resource type token: ${type}`);
  const [, module, file, className] = match;
  const dts = path.join(path.dirname(require.resolve("@pulumi/aws/package.json")), module, `${file}.d.ts`);
  const source = fs.readFileSync(dts, "utf8");
  const start = source.indexOf(`export interface ${className}Args {`);
  if (start < 0) throw new Error(`${className}Args not found in ${dts}`);
  const end = source.indexOf("\n}", start);
  const names = new Set<string>();
  for (const line of source.slice(start, end).split("\n")) {
    const prop = /^ {4}([A-Za-z0-9_]+)\??:/.exec(line);
    if (prop) names.add(prop[1]);
  }
  argsCache.set(type, names);
  return names;
}

/** True when the resource type takes a `tags` argument. */
export function acceptsTags(type: string): boolean {
  return awsArgumentNames(type).has("tags");
}

// ---- Stack configuration files --------------------------------------------------------------

/** The repository root (where Pulumi.yaml lives). */
export const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");

/**
 * The config of `Pulumi.<stack>.yaml` as the CLI hands it to a program: `namespace:key` to a
 * string, lists and objects as JSON. Encrypted (`secure:`) values cannot be read without the
 * stack's secrets provider, so they make this throw rather than be silently dropped.
 */
export function stackConfigFromFile(stack: string): Record<string, string> {
  const file = path.join(REPOSITORY_ROOT, `Pulumi.${stack}.yaml`);
  const parsed = yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | undefined;
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed?.config ?? {})) {
    if (value !== null && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
      throw new Error(`${file}: ${key} is encrypted; tests read sample values only`);
    }
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return config;
}

/** Pulumi.yaml, parsed. */
export function projectFile(): { name: string; runtime: unknown; main?: string; config?: Record<string, { type?: string; items?: { type: string } }> } {
  return yaml.load(fs.readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.yaml"), "utf8")) as never;
}
