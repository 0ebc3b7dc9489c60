/**
 * The offline capture: the engine rules it mirrors (pure, many cases), the config it hands the
 * program, the invoke answers, and real captures of the fixture projects under
 * test/fixtures/capture/ (each capture is a child process; they all start at once in one beforeAll).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import {
  CONFIG_OVERRIDES_ENV_VAR,
  CaptureUsageError,
  captureStack,
  listStacks,
  resolveProgramPath,
  type StackCapture,
} from "../../guard/capture";
import {
  RESOURCE_REFERENCE_SIG,
  analyzerWireProperties,
  collapseAliasToUrn,
  configValueText,
  customTimeoutSeconds,
  defaultProviderName,
  downgradeResourceReferences,
  engineUrn,
  goJsonText,
  isDefaultProviderDisabled,
  nameOfUrn,
  packageOfType,
  parseProviderReference,
  qualifiedTypeOfUrn,
} from "../../guard/capture-engine-rules";
import { languageHostConfigJson, loadStackConfig, qualifyConfigKey, readPulumiProject } from "../../guard/capture-config";
import { answerInvokeOffline, partitionOfRegion } from "../../guard/capture-invokes";
import { SECRET_SIG_KEY, UNKNOWN, wireSecret, type WireResource, type WireValue } from "../../guard/wire";

const FIXTURES = path.join(__dirname, "..", "fixtures", "capture");
const BASIC = path.join(FIXTURES, "basic");
const FAILING = path.join(FIXTURES, "failing");
const AWS_VERSION: string = JSON.parse(fs.readFileSync(require.resolve("@pulumi/aws/package.json"), "utf8")).version;

/** The 1-based line of the first line of `file` containing `text`. */
function lineOf(file: string, text: string): number {
  const index = fs.readFileSync(file, "utf8").split("\n").findIndex((line) => line.includes(text));
  if (index < 0) {
    throw new Error(`${text} not in ${file}`);
  }
  return index + 1;
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function tempProject(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "capture-test-"));
  tempDirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe("engine URNs", () => {
  it("prefixes a child's type with its parent's full qualified type, except the root stack's", () => {
    const stackUrn = engineUrn("dev", "proj", "", "pulumi:pulumi:Stack", "proj-dev");
    expect(stackUrn).toBe("urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev");
    const outer = engineUrn("dev", "proj", stackUrn, "acme:index:Outer", "outer");
    expect(outer).toBe("urn:pulumi:dev::proj::acme:index:Outer::outer");
    const inner = engineUrn("dev", "proj", outer, "acme:index:Inner", "inner");
    expect(inner).toBe("urn:pulumi:dev::proj::acme:index:Outer$acme:index:Inner::inner");
    expect(engineUrn("dev", "proj", inner, "aws:s3/bucket:Bucket", "b")).toBe(
      "urn:pulumi:dev::proj::acme:index:Outer$acme:index:Inner$aws:s3/bucket:Bucket::b",
    );
  });

  it("round-trips type chains and names, names with '::' included", () => {
    const token = fc.stringMatching(/^[a-z]{1,6}:[a-z]{1,6}(\/[a-z]{1,6})?:[A-Z][a-z]{0,6}$/);
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 4 }), fc.string({ minLength: 1, maxLength: 12 }), (types, name) => {
        let urn = "";
        for (const type of types) {
          urn = engineUrn("s", "p", urn, type, name);
        }
        expect(qualifiedTypeOfUrn(urn)).toBe(types.join("$"));
        expect(nameOfUrn(urn)).toBe(name);
      }),
    );
  });

  it("rejects strings that are not URNs", () => {
    expect(() => qualifiedTypeOfUrn("arn:aws:s3:::bucket")).toThrow(/not a Pulumi URN/);
    expect(() => engineUrn("s", "p", "not-a-urn", "a:b:C", "x")).toThrow(/not a Pulumi URN/);
  });

  it("collapses alias specs the way the step generator does", () => {
    const parent = "urn:pulumi:dev::proj::acme:index:Db::orders";
    const resource = { name: "orders-instance", type: "aws:rds/instance:Instance", parentUrn: parent, stack: "dev", project: "proj" };
    const blank = { name: "", type: "", stack: "", project: "", parentUrn: "", noParent: false };
    expect(collapseAliasToUrn(resource, { ...blank, name: "old" })).toBe(
      "urn:pulumi:dev::proj::acme:index:Db$aws:rds/instance:Instance::old",
    );
    expect(collapseAliasToUrn(resource, { ...blank, noParent: true })).toBe(
      "urn:pulumi:dev::proj::aws:rds/instance:Instance::orders-instance",
    );
    expect(collapseAliasToUrn(resource, { ...blank, parentUrn: "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev" })).toBe(
      "urn:pulumi:dev::proj::aws:rds/instance:Instance::orders-instance",
    );
    expect(collapseAliasToUrn(resource, { ...blank, stack: "prod", project: "legacy", type: "aws:rds/cluster:Cluster" })).toBe(
      "urn:pulumi:dev::proj::acme:index:Db$aws:rds/cluster:Cluster::orders-instance",
    );
    expect(collapseAliasToUrn({ ...resource, parentUrn: "" }, { ...blank, stack: "prod", project: "legacy" })).toBe(
      "urn:pulumi:prod::legacy::aws:rds/instance:Instance::orders-instance",
    );
  });

  it("reads packages from type tokens and URNs from provider references", () => {
    expect(packageOfType("aws:s3/bucket:Bucket")).toBe("aws");
    expect(packageOfType("pulumi:providers:aws")).toBe("pulumi");
    expect(() => packageOfType("acme:Thing")).toThrow(/three-part/);
    const urn = "urn:pulumi:dev::proj::pulumi:providers:aws::default_7_48_0";
    expect(parseProviderReference(`${urn}::${UNKNOWN.string}`)).toEqual({ urn, id: UNKNOWN.string });
    expect(() => parseProviderReference("no-separator")).toThrow(/malformed provider reference/);
  });
});

describe("default provider names", () => {
  it("follows ProviderRequest.DefaultName", () => {
    expect(defaultProviderName("7.48.0")).toBe("default_7_48_0");
    expect(defaultProviderName("")).toBe("default");
    expect(defaultProviderName("1.2.3-alpha.1+build.5")).toBe("default_1_2_3_alpha_1_build_5");
    expect(defaultProviderName("7.48.0", "https://example.com/plugins")).toBe("default_7_48_0_https_/example.com/plugins");
  });

  it("rejects versions that are not semantic versions", () => {
    expect(() => defaultProviderName("latest")).toThrow(/not a semantic version/);
    expect(() => defaultProviderName("7.48")).toThrow(/not a semantic version/);
  });
});

describe("custom timeouts (Go time.ParseDuration in seconds)", () => {
  it.each([
    ["1h30m", 5400],
    ["45m", 2700],
    ["1.5h", 5400],
    ["300ms", 0.3],
    ["2h45m30.5s", 9930.5],
    ["1h1m1s1ms1us1ns", 3661.001001001],
    ["-1h", -3600],
    ["+10s", 10],
    ["0", 0],
    [".5s", 0.5],
  ])("parses %s", (text, seconds) => {
    expect(customTimeoutSeconds(text)).toBeCloseTo(seconds, 9);
  });

  it.each(["", "10", "1x", "h", ".s", "1.5.5h", "1h 30m", "9999999999h", "-"])("rejects %j with the engine's message", (text) => {
    expect(() => customTimeoutSeconds(text)).toThrow(`unable to parse customTimeout Value ${text}`);
  });

  it("adds up hours, minutes and seconds", () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(59), fc.nat(59), (h, m, s) => {
        expect(customTimeoutSeconds(`${h}h${m}m${s}s`)).toBe(h * 3600 + m * 60 + s);
      }),
    );
  });
});

describe("config text (Go json.Marshal)", () => {
  it("sorts keys and escapes HTML characters as Go does", () => {
    expect(goJsonText({ tags: { owner: "data&platform", environment: "production" } })).toBe(
      '{"tags":{"environment":"production","owner":"data\\u0026platform"}}',
    );
    expect(goJsonText(["<a>", 1, true, null])).toBe('["\\u003ca\\u003e",1,true,null]');
    expect(goJsonText({ "10": 1, "9": 2 })).toBe('{"10":1,"9":2}');
  });

  it("keeps strings raw and renders everything else as JSON", () => {
    expect(configValueText("us-east-1")).toBe("us-east-1");
    expect(configValueText(true)).toBe("true");
    expect(configValueText(30)).toBe("30");
    expect(configValueText(["123456789012"])).toBe('["123456789012"]');
  });

  it("produces JSON that parses back to the same value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(goJsonText(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it("refuses values JSON cannot carry", () => {
    expect(() => goJsonText(Number.NaN)).toThrow(/not representable/);
    expect(() => goJsonText(() => 1)).toThrow(/not representable/);
  });
});

describe("analyzer wire properties", () => {
  const customRef = (id: WireValue) => ({ [SECRET_SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: "urn:pulumi:s::p::aws:iam/role:Role::r", id });

  it("downgrades resource references to their ID, unknown while it is not known, or the URN", () => {
    expect(downgradeResourceReferences(customRef(UNKNOWN.string))).toBe(UNKNOWN.string);
    expect(downgradeResourceReferences(customRef(""))).toBe(UNKNOWN.string);
    expect(downgradeResourceReferences(customRef("role-123"))).toBe("role-123");
    const component = { [SECRET_SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: "urn:pulumi:s::p::acme:index:Db::orders" };
    expect(downgradeResourceReferences(component)).toBe("urn:pulumi:s::p::acme:index:Db::orders");
    expect(downgradeResourceReferences({ roles: [customRef("a"), wireSecret(customRef("b"))] })).toEqual({
      roles: ["a", wireSecret("b")],
    });
  });

  it("leaves everything else unchanged", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(downgradeResourceReferences(value as WireValue)).toEqual(value);
      }),
    );
    const withProtoKey = JSON.parse('{"__proto__": {"a": 1}}') as WireValue;
    expect(Object.keys(downgradeResourceReferences(withProtoKey) as object)).toEqual(["__proto__"]);
  });

  it("refuses malformed references", () => {
    expect(() => downgradeResourceReferences({ [SECRET_SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: 3 })).toThrow(/urn is not a string/);
    expect(() => downgradeResourceReferences(customRef(7))).toThrow(/id is not a string/);
  });

  it("skips top-level internal keys only", () => {
    expect(analyzerWireProperties({ __defaults: ["a"], name: "x", nested: { __kept: 1 } })).toEqual({ name: "x", nested: { __kept: 1 } });
  });
});

describe("pulumi:disable-default-providers", () => {
  it("denies listed packages and '*', never 'pulumi'", () => {
    expect(isDefaultProviderDisabled('["aws"]', "aws")).toBe(true);
    expect(isDefaultProviderDisabled('[" aws "]', "aws")).toBe(true);
    expect(isDefaultProviderDisabled('["*"]', "random")).toBe(true);
    expect(isDefaultProviderDisabled('["*"]', "pulumi")).toBe(false);
    expect(isDefaultProviderDisabled('["random"]', "aws")).toBe(false);
    expect(isDefaultProviderDisabled("", "aws")).toBe(false);
    expect(isDefaultProviderDisabled(undefined, "aws")).toBe(false);
  });

  it("fails on settings the engine cannot parse", () => {
    expect(() => isDefaultProviderDisabled("aws", "aws")).toThrow(/Failed to parse aws/);
    expect(() => isDefaultProviderDisabled("[1]", "aws")).toThrow("pulumi:disable-default-providers[0] must be a string");
  });
});

describe("project and stack config", () => {
  it("qualifies keys as the CLI does", () => {
    expect(qualifyConfigKey("region", "proj")).toBe("proj:region");
    expect(qualifyConfigKey("aws:region", "proj")).toBe("aws:region");
    expect(qualifyConfigKey("aws:config:region", "proj")).toBe("aws:region");
    expect(() => qualifyConfigKey(":x", "proj")).toThrow(CaptureUsageError);
    expect(() => qualifyConfigKey("a:b:c", "proj")).toThrow(CaptureUsageError);
  });

  it("reads the fixture project and lists its stacks", () => {
    const project = readPulumiProject(BASIC);
    expect(project).toMatchObject({ name: "capture-basic", main: "index.ts", typescript: true });
    expect(project.declaredConfig["capture-basic:team"]).toEqual({ defaultValue: "platform", secret: false });
    expect(listStacks(BASIC)).toEqual(["dev"]);
    expect(listStacks(FAILING)).toEqual(["async-errors", "exit", "hang", "sync-throw"]);
    expect(resolveProgramPath(readPulumiProject(FAILING))).toBe(path.join(FAILING, "index.ts"));
  });

  it("gives the program what the engine gives it: defaults, structured values as JSON, secrets listed", () => {
    const config = loadStackConfig(readPulumiProject(BASIC), "dev", { "capture-basic:dbPassword": "hunter2" });
    expect(config.values).toMatchObject({
      "aws:region": "us-east-1",
      "aws:defaultTags": '{"tags":{"environment":"production","owner":"data\\u0026platform"}}',
      "capture-basic:backupWindows": '["03:00-04:00","05:00-06:00"]',
      "capture-basic:team": "platform",
      "capture-basic:dbPassword": "hunter2",
    });
    expect(config.secretKeys).toEqual(["aws:secretKey", "capture-basic:dbPassword"]);
    expect(config.undecryptableKeys).toEqual(["aws:secretKey"]);
    expect(config.values["aws:secretKey"]).toBeUndefined();
    expect(JSON.parse(languageHostConfigJson({ "aws:region": "us-east-1", "p:k": "v" }))).toEqual({
      "aws:config:region": "us-east-1",
      "p:config:k": "v",
    });
  });

  it("reports projects and stacks it cannot use as usage errors", () => {
    const noRuntime = tempProject({ "Pulumi.yaml": "name: py\nruntime: python\n" });
    expect(() => readPulumiProject(noRuntime)).toThrow(/runtime "python" is not supported/);
    const noName = tempProject({ "Pulumi.yaml": "runtime: nodejs\n" });
    expect(() => readPulumiProject(noName)).toThrow(/no project name/);
    expect(() => readPulumiProject(path.join(FIXTURES, "does-not-exist"))).toThrow(CaptureUsageError);
    const project = tempProject({
      "Pulumi.yaml": "name: p\nruntime: nodejs\nconfig:\n  token:\n    secret: true\n",
      "Pulumi.plain.yaml": "config:\n  p:token: plaintext\n",
      "Pulumi.esc.yaml": "environment:\n  - shared/aws\n",
      "Pulumi.bad.yaml": "config: [1, 2\n",
    });
    const read = readPulumiProject(project);
    expect(() => loadStackConfig(read, "plain")).toThrow(/p:token is declared secret/);
    expect(() => loadStackConfig(read, "esc")).toThrow(/ESC environments/);
    expect(() => loadStackConfig(read, "bad")).toThrow(/not valid YAML/);
    expect(() => loadStackConfig(read, "missing")).toThrow(/no Pulumi.missing.yaml/);
    expect(() => loadStackConfig(read, "../plain")).toThrow(/invalid stack name/);
  });

  it("treats a value holding a secure leaf as a secret", () => {
    const project = tempProject({
      "Pulumi.yaml": "name: p\nruntime: nodejs\n",
      "Pulumi.dev.yaml": "config:\n  p:db:\n    user: app\n    password:\n      secure: v1:abc\n",
    });
    const config = loadStackConfig(readPulumiProject(project), "dev");
    expect(config.secretKeys).toEqual(["p:db"]);
    expect(config.undecryptableKeys).toEqual(["p:db"]);
  });
});

describe("offline invoke answers", () => {
  const output = (providerRegion: string | "unknown" | undefined) => ({ form: "output" as const, providerRegion });
  const promise = (providerRegion: string | "unknown" | undefined) => ({ form: "promise" as const, providerRegion });

  it("answers getRegion from the requested or configured region, never inventing the description", () => {
    expect(answerInvokeOffline("aws:index/getRegion:getRegion", {}, promise("eu-west-1"))).toEqual({
      kind: "answer",
      result: { id: "eu-west-1", name: "eu-west-1", region: "eu-west-1", endpoint: "ec2.eu-west-1.amazonaws.com", description: UNKNOWN.string },
    });
    const asked = answerInvokeOffline("aws:index/getRegion:getRegion", { region: "cn-north-1" }, output("eu-west-1"));
    expect(asked).toMatchObject({ kind: "answer", result: { region: "cn-north-1", endpoint: "ec2.cn-north-1.amazonaws.com.cn" } });
  });

  it("answers getPartition for the public partitions only", () => {
    expect(answerInvokeOffline("aws:index/getPartition:getPartition", {}, promise("us-gov-west-1"))).toEqual({
      kind: "answer",
      result: { id: "aws-us-gov", partition: "aws-us-gov", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" },
    });
    expect(partitionOfRegion("us-east-1")?.partition).toBe("aws");
    expect(partitionOfRegion("cn-northwest-1")?.partition).toBe("aws-cn");
    expect(partitionOfRegion("us-iso-east-1")).toBeUndefined();
    expect(partitionOfRegion("not a region")).toBeUndefined();
    expect(answerInvokeOffline("aws:index/getPartition:getPartition", {}, output("us-iso-east-1"))).toEqual({ kind: "unknown" });
  });

  it("makes what it cannot know unknown for Output-form calls and an error naming the function for promises", () => {
    for (const token of ["aws:index/getCallerIdentity:getCallerIdentity", "aws:iam/getPolicyDocument:getPolicyDocument"]) {
      expect(answerInvokeOffline(token, {}, output("us-east-1"))).toEqual({ kind: "unknown" });
      const failed = answerInvokeOffline(token, {}, promise("us-east-1"));
      expect(failed.kind).toBe("error");
      expect(failed.kind === "error" && failed.message.startsWith(`${token} cannot be answered offline`)).toBe(true);
    }
    expect(answerInvokeOffline("aws:index/getRegion:getRegion", {}, output(undefined))).toEqual({ kind: "unknown" });
    expect(answerInvokeOffline("aws:index/getRegion:getRegion", {}, output("unknown"))).toEqual({ kind: "unknown" });
    const noRegion = answerInvokeOffline("aws:index/getRegion:getRegion", {}, promise(undefined));
    expect(noRegion.kind === "error" && /set aws:region/.test(noRegion.message)).toBe(true);
  });
});

describe("captureStack on fixture projects", () => {
  const captures: Record<string, StackCapture> = {};

  beforeAll(async () => {
    // The child processes are independent: run them together.
    process.env[CONFIG_OVERRIDES_ENV_VAR] = JSON.stringify({ "aws:secretKey": "from-the-environment" });
    const basic = captureStack({ projectDir: BASIC, stack: "dev", configOverrides: { dbPassword: "hunter2" } });
    delete process.env[CONFIG_OVERRIDES_ENV_VAR];
    const failing = ["sync-throw", "async-errors", "exit"].map((stack) => captureStack({ projectDir: FAILING, stack }));
    const hang = captureStack({ projectDir: FAILING, stack: "hang", timeoutMs: 4000 });
    const [basicCapture, hangCapture, ...failingCaptures] = await Promise.all([basic, hang, ...failing]);
    captures["dev"] = basicCapture;
    captures["hang"] = hangCapture;
    ["sync-throw", "async-errors", "exit"].forEach((stack, i) => (captures[stack] = failingCaptures[i]));
  }, 90_000);

  const basic = () => captures["dev"];
  const find = (predicate: (r: WireResource) => boolean): WireResource => {
    const found = basic().resources.find(predicate);
    if (!found) {
      throw new Error("resource not captured");
    }
    return found;
  };
  const program = path.join(BASIC, "index.ts");
  const urn = (qualifiedType: string, name: string) => `urn:pulumi:dev::capture-basic::${qualifiedType}::${name}`;

  it("captures a program that works, in registration order, without error", () => {
    const capture = basic();
    expect(capture.error).toBeUndefined();
    expect(capture).toMatchObject({ project: "capture-basic", stack: "dev", programPath: program });
    const urns = capture.resources.map((r) => r.urn);
    expect(new Set(urns).size).toBe(urns.length);
    expect(capture.resources[0]).toMatchObject({
      type: "pulumi:pulumi:Stack",
      urn: urn("pulumi:pulumi:Stack", "capture-basic-dev"),
      custom: false,
      properties: {},
    });
    capture.resources.forEach((resource, index) => {
      // Parents and providers are registered before what uses them.
      const earlier = urns.slice(0, index);
      if (resource.options?.parent) expect(earlier).toContain(resource.options.parent);
      if (resource.provider) expect(earlier).toContain(resource.provider.urn);
      for (const dependency of resource.dependencies ?? []) expect(earlier).toContain(dependency);
    });
    expect(urns).toEqual(
      expect.arrayContaining([
        urn("capturefixture:index:Database", "orders"),
        urn("capturefixture:index:Database$aws:rds/instance:Instance", "orders-instance"),
        urn("aws:kms/key:Key", "db-key"),
        urn("aws:iam/role:Role", "restore-role"),
        urn("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "restore-role-backup"),
        urn("aws:ssm/parameter:Parameter", "db-endpoint"),
      ]),
    );
  });

  it("records the explicit provider with the wire form @pulumi/aws and the engine give it", () => {
    const provider = find((r) => r.type === "pulumi:providers:aws" && r.name === "production");
    expect(provider.custom).toBe(true);
    expect(provider.provider).toBeUndefined();
    expect(provider.properties).toMatchObject({
      region: "eu-west-1",
      allowedAccountIds: '["123456789012"]',
      defaultTags: '{"tags":{"environment":"production"}}',
      version: AWS_VERSION,
    });
    expect(provider.sourcePosition).toEqual({ uri: `file://${program}`, line: lineOf(program, "new aws.Provider("), column: 20 });
  });

  it("records the protected database with its options, explicit provider and parent component", () => {
    const instance = find((r) => r.type === "aws:rds/instance:Instance");
    const provider = find((r) => r.name === "production");
    expect(instance.options).toMatchObject({
      protect: true,
      ignoreChanges: ["snapshotIdentifier", "restoreToPointInTime"],
      deleteBeforeReplace: false,
      deleteBeforeReplaceDefined: true,
      customTimeouts: { create: 5400, delete: 2700 },
      aliases: [urn("capturefixture:index:Database$aws:rds/instance:Instance", "orders-db-old")],
      parent: urn("capturefixture:index:Database", "orders"),
    });
    expect(instance.options?.additionalSecretOutputs).toContain("password");
    expect(instance.provider).toEqual({ type: provider.type, name: provider.name, urn: provider.urn, properties: provider.properties });
    expect(instance.properties).toMatchObject({ engine: "postgres", storageEncrypted: true, backupWindow: "03:00-04:00", tags: { team: "platform" } });
    expect(instance.sourcePosition?.line).toBe(lineOf(program, "this.instance = new aws.rds.Instance("));
    const component = find((r) => r.type === "capturefixture:index:Database");
    expect(component).toMatchObject({ custom: false, properties: {}, options: { protect: false } });
    expect(component.provider).toBeUndefined();
    expect(component.sourcePosition?.line).toBe(lineOf(program, 'new Database("orders"'));
  });

  it("sends another resource's ARN as unknown, with the property dependency", () => {
    const instance = find((r) => r.type === "aws:rds/instance:Instance");
    const key = find((r) => r.type === "aws:kms/key:Key");
    expect(instance.properties["kmsKeyId"]).toBe(UNKNOWN.string);
    expect(instance.propertyDependencies).toEqual({ kmsKeyId: [key.urn] });
    expect(instance.dependencies).toEqual([key.urn]);
    const attachment = find((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    const role = find((r) => r.type === "aws:iam/role:Role");
    // A Role object passed as `role` is a resource reference, sent to the pack as its (unknown) ID.
    expect(attachment.properties["role"]).toBe(UNKNOWN.string);
    expect(attachment.propertyDependencies).toEqual({ role: [role.urn] });
  });

  it("marks a secret config value as a secret on the wire", () => {
    const instance = find((r) => r.type === "aws:rds/instance:Instance");
    expect(instance.properties["password"]).toEqual(wireSecret("hunter2"));
  });

  it("builds the default provider from the aws:* config and gives it to resources without one", () => {
    const name = `default_${AWS_VERSION.replace(/\./g, "_")}`;
    const provider = find((r) => r.type === "pulumi:providers:aws" && r.name === name);
    expect(provider).toMatchObject({
      urn: urn("pulumi:providers:aws", name),
      custom: true,
      properties: {
        region: "us-east-1",
        defaultTags: '{"tags":{"environment":"production","owner":"data\\u0026platform"}}',
        secretKey: wireSecret("from-the-environment"),
        version: AWS_VERSION,
      },
    });
    expect(provider.sourcePosition).toBeUndefined();
    for (const type of ["aws:kms/key:Key", "aws:iam/role:Role", "aws:ssm/parameter:Parameter"]) {
      expect(find((r) => r.type === type).provider?.urn).toBe(provider.urn);
    }
    expect(basic().resources.filter((r) => r.type === "pulumi:providers:aws")).toHaveLength(2);
  });

  it("answers config-derived invokes and leaves the account id unknown", () => {
    const parameter = find((r) => r.type === "aws:ssm/parameter:Parameter");
    expect(parameter.properties["name"]).toBe("/orders/us-east-1/endpoint");
    expect(parameter.properties["description"]).toBe(UNKNOWN.string);
    // The endpoint is computed by the provider: unknown, and secret because @pulumi/aws marks `value` secret.
    expect(parameter.properties["value"]).toEqual(wireSecret(UNKNOWN.string));
  });

  it("reports a program that throws with its message and stack", () => {
    const capture = captures["sync-throw"];
    expect(capture.error).toMatchObject({ kind: "program", message: "sync failure from the failing fixture" });
    expect(capture.error?.stack).toContain(`${path.join(FAILING, "index.ts")}:${lineOf(path.join(FAILING, "index.ts"), "sync failure")}`);
    expect(capture.resources.map((r) => r.name)).toEqual(["capture-failing-sync-throw", "before-failure"]);
  });

  it("reports every asynchronous failure: thrown later, rejected, a failed registration, an unanswerable invoke", () => {
    const error = captures["async-errors"].error;
    expect(error).toBeDefined();
    expect(error?.message).toContain("aws:index/getCallerIdentity:getCallerIdentity cannot be answered offline");
    expect(error?.message).toContain(
      "Duplicate resource URN 'urn:pulumi:async-errors::capture-failing::capturefixture:index:Marker::before-failure'",
    );
    expect(error?.message).toContain("unhandled rejection from the failing fixture");
    expect(error?.message).toContain("config key capture-failing:apiToken is a secret (secure:)");
  });

  it("reports a program that ends the process itself", () => {
    expect(captures["exit"].error).toMatchObject({ kind: "program" });
    expect(captures["exit"].error?.message).toContain("ended the process (exit code 0)");
  });

  it("stops a program that never finishes", () => {
    expect(captures["hang"].error).toMatchObject({ kind: "timeout" });
    expect(captures["hang"].error?.message).toContain("did not finish within 4000 ms");
    expect(captures["hang"].resources).toEqual([]);
  });

  it("rejects bad input before starting anything", async () => {
    await expect(captureStack({ projectDir: BASIC, stack: "nope" })).rejects.toThrow(CaptureUsageError);
    await expect(captureStack({ projectDir: BASIC, stack: "dev", timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
    process.env[CONFIG_OVERRIDES_ENV_VAR] = "{not json";
    try {
      await expect(captureStack({ projectDir: BASIC, stack: "dev" })).rejects.toThrow(/GUARD_CONFIG_OVERRIDES is not JSON/);
    } finally {
      delete process.env[CONFIG_OVERRIDES_ENV_VAR];
    }
  });
});
