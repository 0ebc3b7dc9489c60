/**
 * The assembled `database-guardrails` policies in-process: their order and metadata, the settings
 * policy that publishes the shared settings and begins each stack call, `guardrail-settings`
 * itself, and the behaviours test/pack/database-guardrails.test.ts proves over gRPC, replayed
 * through a small engine that calls the policies as `@pulumi/policy`'s server does (server.js:
 * levels from the config, `disabled` skipped, `remediate` reported as mandatory, the single-type
 * fast check, object violations keeping their own level, string violations prefixed with the
 * policy's description, `NotApplicableError` collected, remediation results carried forward).
 */
import type { EnforcementLevel, Policies, Policy, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import { SECRET_SIG_KEY, SECRET_SIG_VALUE, UNKNOWN } from "../../guard/wire";
import { DEFERRED_PREFIX, WAIVED_PREFIX, beginStackCall, registerRuleIds, stackViewForCall, waiverState } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, SETTINGS_SCHEMA, currentSettings, parseSettings, publishSettings } from "../../policies/lib/settings";
import { PACK_NAME, buildPolicies } from "../../policies/pack";
import { ALL_RULES, RESOURCE_RULES, SETTINGS_RULE, STACK_RULES } from "../../policies/rules";
import { guardrailSettings, settingsProblems } from "../../policies/rules/guardrail-settings";
import { COMPLIANT_RDS_PROPS } from "../helpers/resource-view";
import { type FakeResource, NotApplicableError, resourceArgs, stackArgs, stackResources } from "../fuzz/policy-args";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy(value: unknown): unknown };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { deserializeProperties, serializeProperties } = require("@pulumi/policy/deserialize") as {
  deserializeProperties(struct: Struct, keepSecrets: boolean): Record<string, unknown>;
  serializeProperties(props: unknown): Promise<Record<string, unknown>>;
};

const STACK = "staging"; // not a production stack name: production comes from tags here
const RDS = "aws:rds/instance:Instance";
const TABLE = "aws:dynamodb/table:Table";
const PROVIDER = "pulumi:providers:aws";
const SELECTION = "aws:backup/selection:Selection";
const prodTags = { environment: "production" };
const urnOf = (type: string, name: string) => `urn:pulumi:${STACK}::shop::${type}::${name}`;
const ORDERS = urnOf(RDS, "orders");
const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
const secret = (value: JavaScriptValue) => ({ [SECRET_SIG_KEY]: SECRET_SIG_VALUE, value });
const rds = (props: Record<string, unknown> = {}, extra: Partial<FakeResource> = { protect: true }): FakeResource => ({
  type: RDS,
  name: "orders",
  props: { ...COMPLIANT_RDS_PROPS, ...props },
  ...extra,
});

// ---------------------------------------------------------------------------------------------
// A small engine: what @pulumi/policy's server does with the policies (server.js, v1.21).

type PolicyConfig = { enforcementLevel?: EnforcementLevel } & Record<string, unknown>;
type PackConfig = Record<string, PolicyConfig>;
interface Diagnostic {
  policyName: string;
  message: string;
  enforcementLevel: string;
  urn?: string;
}
interface Analysis {
  diagnostics: Diagnostic[];
  notApplicable: Record<string, string | undefined>;
}
/** The server has one `notApplicable` for every call (server.js, throwNotApplicable); the pack keys its signals by it. */
const throwNotApplicable = (reason?: string): never => {
  throw new NotApplicableError(reason);
};
const serverArgs = <T>(args: T): T => ({ ...args, notApplicable: throwNotApplicable });
type Validate = (args: ResourceValidationArgs, report: ReportViolation) => void;
type ValidateStack = (args: StackValidationArgs, report: ReportViolation) => void;
type Remediate = (args: ResourceValidationArgs) => Record<string, unknown> | undefined;

class Engine {
  constructor(
    readonly policies: Policies,
    private readonly config: PackConfig = {},
  ) {}

  private level(p: Policy): EnforcementLevel {
    return this.config[p.name]?.enforcementLevel || p.enforcementLevel || "advisory";
  }

  private policyConfig(p: Policy): Record<string, unknown> {
    const { enforcementLevel: _level, ...rest } = this.config[p.name] ?? {};
    return rest;
  }

  private reporter(p: Policy, level: EnforcementLevel, ds: Diagnostic[]): ReportViolation {
    const report = (message: string | { message?: string; enforcementLevel?: string; urn?: string }, urn?: string) => {
      if (typeof message === "object") {
        ds.push({ policyName: p.name, message: message.message || p.description, enforcementLevel: message.enforcementLevel || level, urn: message.urn });
      } else {
        ds.push({ policyName: p.name, message: message ? `${p.description}\n${message}` : p.description, enforcementLevel: level, urn });
      }
    };
    return report as ReportViolation;
  }

  analyze(resource: FakeResource): Analysis {
    const diagnostics: Diagnostic[] = [];
    const notApplicable: Record<string, string | undefined> = {};
    for (const p of this.policies) {
      let level = this.level(p);
      const validate = (p as ResourceValidationPolicy).validateResource as Validate | undefined;
      if (level === "disabled" || typeof validate !== "function") continue;
      if (level === "remediate") level = "mandatory";
      const pulumiType = (validate as { __pulumiType?: string }).__pulumiType;
      if (pulumiType && resource.type !== pulumiType) {
        notApplicable[p.name] = `Policy only applies to resources of type '${pulumiType}'`;
        continue;
      }
      const { args } = resourceArgs(resource, { stack: STACK, delivery: "wire", config: this.policyConfig(p) });
      try {
        validate(serverArgs(args), this.reporter(p, level, diagnostics));
      } catch (e) {
        if (!(e instanceof NotApplicableError)) throw e;
        notApplicable[p.name] = e.reason;
      }
    }
    return { diagnostics, notApplicable };
  }

  analyzeStack(resources: FakeResource[]): Analysis {
    const diagnostics: Diagnostic[] = [];
    const notApplicable: Record<string, string | undefined> = {};
    for (const p of this.policies) {
      let level = this.level(p);
      const validate = (p as StackValidationPolicy).validateStack as ValidateStack | undefined;
      if (level === "disabled" || typeof validate !== "function") continue;
      if (level === "remediate") level = "mandatory";
      // Each stack policy gets its own copy of the resources, as the server deserializes them per policy.
      const { args } = stackArgs(stackResources(resources, STACK, "wire"), this.policyConfig(p));
      try {
        validate(serverArgs(args), this.reporter(p, level, diagnostics));
      } catch (e) {
        if (!(e instanceof NotApplicableError)) throw e;
        notApplicable[p.name] = e.reason;
      }
    }
    return { diagnostics, notApplicable };
  }

  /** Remediate: properties kept secret-preserving, each policy's result handed to the next. */
  async remediate(resource: FakeResource, wireProps: { [key: string]: JavaScriptValue }): Promise<Array<{ policyName: string; properties: Record<string, unknown> }>> {
    let props = unknownCheckingProxy(deserializeProperties(Struct.fromJavaScript(wireProps), true)) as Record<string, unknown>;
    const results: Array<{ policyName: string; properties: Record<string, unknown> }> = [];
    for (const p of this.policies) {
      const remediate = (p as ResourceValidationPolicy).remediateResource as Remediate | undefined;
      if (this.level(p) !== "remediate" || typeof (p as ResourceValidationPolicy).validateResource !== "function" || !remediate) continue;
      const pulumiType = (remediate as { __pulumiType?: string }).__pulumiType;
      if (pulumiType && resource.type !== pulumiType) continue;
      const { args } = resourceArgs(resource, { stack: STACK, delivery: "wire", config: this.policyConfig(p) });
      const result = remediate(serverArgs({ ...args, props } as ResourceValidationArgs));
      if (result) {
        props = result;
        results.push({ policyName: p.name, properties: await serializeProperties(result) });
      }
    }
    return results;
  }
}

const of = (a: Analysis, policy: string) => a.diagnostics.filter((d) => d.policyName === policy);
const names = (a: Analysis) => [...new Set(a.diagnostics.map((d) => d.policyName))].sort();

// ---------------------------------------------------------------------------------------------

const saved = { stack: process.env.PULUMI_STACK, nodejs: process.env.PULUMI_NODEJS_STACK };
afterAll(() => {
  for (const [key, value] of [["PULUMI_STACK", saved.stack], ["PULUMI_NODEJS_STACK", saved.nodejs]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

let policies: Policies;
beforeEach(() => {
  process.env.PULUMI_STACK = STACK;
  delete process.env.PULUMI_NODEJS_STACK;
  publishSettings(undefined); // the defaults, as before any settings policy ran
  beginStackCall();
  registerRuleIds([]);
  policies = buildPolicies(); // registers every rule id again
});

const settingsPolicy = () => policies[0] as ResourceValidationPolicy & StackValidationPolicy;
const settingsDescription = "The pack's shared settings and waivers are valid (and carried to every rule).";

describe("buildPolicies", () => {
  it("names the pack", () => {
    expect(PACK_NAME).toBe("database-guardrails");
  });

  it("puts the settings policy first, then the resource rules, then the stack rules, each under its id", () => {
    expect(policies.map((p) => p.name)).toEqual([
      "guardrail-settings",
      "prod-db-deletion-protection",
      "prod-db-protect",
      "prod-db-final-snapshot",
      "prod-db-backup-retention",
      "prod-db-no-in-place-restore",
      "prod-db-no-ignored-guardrails",
      "prod-db-encrypted",
      "prod-db-copy-tags-to-snapshot",
      "aws-provider-account-pinned",
      "prod-db-backup-coverage",
      "prod-db-rpo",
      "backup-vault-lock",
      "backup-offsite-copy",
      "backup-restore-testing",
      "prod-db-event-alerts",
      "iam-no-prod-db-destruction",
      "iam-restore-role-scoped",
      "iam-restore-role-trust",
    ]);
    expect(policies.map((p) => p.name)).toEqual(ALL_RULES.map((r) => r.id));
  });

  it("makes resource policies of the resource rules and stack policies of the stack rules", () => {
    const resource = policies.slice(1, 1 + RESOURCE_RULES.length);
    const stack = policies.slice(1 + RESOURCE_RULES.length);
    expect(resource.map((p) => [p.name, typeof (p as ResourceValidationPolicy).validateResource, "validateStack" in p])).toEqual(RESOURCE_RULES.map((r) => [r.id, "function", false]));
    expect(stack.map((p) => [p.name, typeof (p as StackValidationPolicy).validateStack, "validateResource" in p])).toEqual(STACK_RULES.map((r) => [r.id, "function", false]));
    expect(policies.map((p) => (p as ResourceValidationPolicy).remediateResource !== undefined)).toEqual(policies.map((p) => ["guardrail-settings", "prod-db-final-snapshot", "prod-db-copy-tags-to-snapshot"].includes(p.name)));
  });

  it("describes every rule with its default level", () => {
    expect(Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel]))).toEqual({
      "guardrail-settings": "mandatory",
      "prod-db-deletion-protection": "mandatory",
      "prod-db-protect": "mandatory",
      "prod-db-final-snapshot": "mandatory",
      "prod-db-backup-retention": "mandatory",
      "prod-db-no-in-place-restore": "mandatory",
      "prod-db-no-ignored-guardrails": "mandatory",
      "prod-db-encrypted": "mandatory",
      "prod-db-copy-tags-to-snapshot": "advisory",
      "aws-provider-account-pinned": "mandatory",
      "prod-db-backup-coverage": "mandatory",
      "prod-db-rpo": "mandatory",
      "backup-vault-lock": "mandatory",
      "backup-offsite-copy": "advisory",
      "backup-restore-testing": "advisory",
      "prod-db-event-alerts": "advisory",
      "iam-no-prod-db-destruction": "mandatory",
      "iam-restore-role-scoped": "mandatory",
      "iam-restore-role-trust": "mandatory",
    });
  });

  it("describes the settings policy with the guardrail-settings rule and the settings schema", () => {
    expect(settingsPolicy()).toEqual({
      name: "guardrail-settings",
      description: settingsDescription,
      enforcementLevel: "mandatory",
      severity: "high",
      remediationSteps: "Fix or remove the settings or waivers named in the message in the policy config file.",
      tags: ["configuration", "waivers"],
      configSchema: SETTINGS_SCHEMA,
      validateResource: expect.any(Function),
      remediateResource: expect.any(Function),
      validateStack: expect.any(Function),
    });
    expect(settingsPolicy().configSchema).toBe(SETTINGS_SCHEMA);
    expect(SETTINGS_RULE).toBe(guardrailSettings);
  });

  it("registers every rule id, so waivers are judged against the pack's rules", () => {
    registerRuleIds([]);
    const w = { resource: "orders", owner: "team-data", reason: "Batch database, retention raised in DATA-412", expires: "2026-12-01" };
    const settings = parseSettings({ waivers: [{ ...w, rule: "prod-db-rpo" }, { ...w, rule: "prod-db-protect" }, { ...w, rule: "guardrail-settings" }, { ...w, rule: "no-such-rule" }] });
    const now = new Date("2026-11-25T12:00:00Z");
    expect(waiverState(settings, now).active).toEqual([]);
    buildPolicies();
    const { active, problems } = waiverState(settings, now);
    expect(active).toEqual([{ ...w, rule: "prod-db-rpo", index: 0 }]);
    expect(problems).toEqual([
      'Waiver #2 (prod-db-protect on orders) waives nothing: rule "prod-db-protect" cannot be waived: it is the last line between a mistake and a deleted production database. Fix or remove it in the policy config file.',
      'Waiver #3 (guardrail-settings on orders) waives nothing: rule "guardrail-settings" cannot be waived: it is the last line between a mistake and a deleted production database. Fix or remove it in the policy config file.',
      'Waiver #4 (no-such-rule on orders) waives nothing: "rule" names no rule of this pack: "no-such-rule". Fix or remove it in the policy config file.',
    ]);
  });
});

describe("the settings policy", () => {
  it("publishes its config on every Analyze, reporting nothing", () => {
    const { args } = resourceArgs(rds(), { stack: STACK, delivery: "wire", config: { productionStacks: ["live"] } });
    const report = jest.fn();
    expect((settingsPolicy().validateResource as Validate)(args, report)).toBeUndefined();
    expect(report).not.toHaveBeenCalled();
    expect(currentSettings()).toEqual({ ...DEFAULT_SETTINGS, productionStacks: ["live"] });
  });

  it("publishes its config on every Remediate and changes nothing", () => {
    const { args } = resourceArgs(rds(), { stack: STACK, delivery: "wire", config: { productionAccountIds: ["111111111111"] } });
    expect((settingsPolicy().remediateResource as Remediate)(args)).toBeUndefined();
    expect(currentSettings().productionAccountIds).toEqual(["111111111111"]);
  });

  it("keeps the same settings object while its config is unchanged", () => {
    const run = (config: Record<string, unknown>) => {
      const { args } = resourceArgs(rds(), { stack: STACK, delivery: "wire", config });
      (settingsPolicy().validateResource as Validate)(args, jest.fn());
      return currentSettings();
    };
    const first = run({ productionStacks: ["live"] });
    expect(run({ productionStacks: ["live"] })).toBe(first);
    expect(run({ productionStacks: ["other"] })).not.toBe(first);
  });

  it("publishes on AnalyzeStack and reports nothing for valid settings", () => {
    const { args } = stackArgs([], { productionTags: { tier: ["critical"] } });
    const report = jest.fn();
    (settingsPolicy().validateStack as ValidateStack)(args, report);
    expect(report).not.toHaveBeenCalled();
    expect(currentSettings().productionTags).toEqual({ tier: ["critical"] });
  });

  it("reports each config problem, then each waiver problem, then bad account ids, as its own violation", () => {
    const expired = { rule: "prod-db-rpo", resource: "orders", owner: "team-data", reason: "Batch database, retention raised in DATA-412", expires: "2020-01-01" };
    const { args } = stackArgs([], { productionAccountIds: ["prod"], waivers: [expired], productionStack: ["x"] });
    const report = jest.fn();
    (settingsPolicy().validateStack as ValidateStack)(args, report);
    expect(report.mock.calls).toEqual([
      ['guardrail-settings has no setting "productionStack" (its settings: productionStacks, productionTags, productionAccountIds, breakGlassTag, waivers); it is ignored. Fix: correct its name in the policy config file.'],
      ["Waiver #1 (prod-db-rpo on orders) waives nothing: it expired on 2020-01-01. Fix or remove it in the policy config file."],
      ['guardrail-settings.productionAccountIds holds "prod", not 12-digit account ids; non-production stacks are not checked against them. Fix: list 12-digit ids.'],
    ]);
  });

  it("begins a new stack call, so the rules that follow build a fresh stack view", () => {
    const { args } = stackArgs([], {});
    (settingsPolicy().validateStack as ValidateStack)(args, jest.fn());
    const settings = currentSettings();
    const resources = stackResources([rds()], STACK, "wire");
    const first = stackViewForCall("prod-db-rpo", resources, settings, STACK);
    expect(stackViewForCall("prod-db-backup-coverage", resources, settings, STACK)).toBe(first);
    (settingsPolicy().validateStack as ValidateStack)(args, jest.fn());
    expect(currentSettings()).toBe(settings); // same config: same settings, so only the new call explains a new view
    expect(stackViewForCall("backup-vault-lock", resources, settings, STACK)).not.toBe(first);
  });
});

describe("guardrail-settings", () => {
  const now = new Date("2026-11-25T12:00:00Z");
  const w = { rule: "prod-db-rpo", resource: "orders", owner: "team-data", reason: "Batch database, retention raised in DATA-412", expires: "2026-12-01" };

  it("describes itself as a mandatory, unwaivable rule", () => {
    expect({ ...guardrailSettings, check: undefined }).toEqual({
      id: "guardrail-settings",
      description: settingsDescription,
      enforcementLevel: "mandatory",
      severity: "high",
      waivable: false,
      tags: ["configuration", "waivers"],
      remediationSteps: "Fix or remove the settings or waivers named in the message in the policy config file.",
    });
  });

  it("finds nothing wrong with the defaults or with good settings", () => {
    expect(settingsProblems(parseSettings({}), now)).toEqual([]);
    expect(settingsProblems(parseSettings({ productionAccountIds: ["111111111111", "000000000000"], waivers: [w] }), now)).toEqual([]);
  });

  it.each([["11111111111"], ["1111111111111"], ["11111111111a"], [" 111111111111"], [""]])("names account id %j, which is not 12 digits", (id) => {
    expect(settingsProblems(parseSettings({ productionAccountIds: ["111111111111", id] }), now)).toEqual([
      `guardrail-settings.productionAccountIds holds "${id}", not 12-digit account ids; non-production stacks are not checked against them. Fix: list 12-digit ids.`,
    ]);
  });

  it("names every bad account id in one problem, after the waiver problems of the day given", () => {
    const settings = parseSettings({ productionAccountIds: ["a", "111111111111", "b"], waivers: [w] });
    expect(settingsProblems(settings, new Date("2026-12-02T00:00:00Z"))).toEqual([
      "Waiver #1 (prod-db-rpo on orders) waives nothing: it expired on 2026-12-01. Fix or remove it in the policy config file.",
      'guardrail-settings.productionAccountIds holds "a", "b", not 12-digit account ids; non-production stacks are not checked against them. Fix: list 12-digit ids.',
    ]);
    expect(settingsProblems(settings, now)).toEqual(['guardrail-settings.productionAccountIds holds "a", "b", not 12-digit account ids; non-production stacks are not checked against them. Fix: list 12-digit ids.']);
  });

  it("does not change the waiver state it reads", () => {
    const settings = parseSettings({ productionAccountIds: ["a"], waivers: [{ ...w, expires: "2020-01-01" }] });
    settingsProblems(settings, now);
    settingsProblems(settings, now);
    expect(waiverState(settings, now).problems).toEqual(["Waiver #1 (prod-db-rpo on orders) waives nothing: it expired on 2020-01-01. Fix or remove it in the policy config file."]);
  });

  it("checks the config it was given and the settings in force today", () => {
    const settings = parseSettings({ waivers: [{ ...w, expires: inDays(-1) }, { ...w, expires: inDays(5) }] });
    const findings = guardrailSettings.check({ stackName: STACK, resources: [], byUrn: new Map() }, { waivers: "none" }, settings);
    expect(findings).toEqual([
      { message: 'guardrail-settings.waivers is "none", not a list of waivers; the default is used instead. Fix: correct it in the policy config file.' },
      { message: `Waiver #1 (prod-db-rpo on orders) waives nothing: it expired on ${inDays(-1)}. Fix or remove it in the policy config file.` },
    ]);
    expect(guardrailSettings.check({ stackName: STACK, resources: [], byUrn: new Map() }, {}, parseSettings({}))).toEqual([]);
  });
});

describe("database-guardrails in-process, as over the analyzer protocol", () => {
  it("passes a compliant production database with no diagnostics", () => {
    const { diagnostics, notApplicable } = new Engine(policies).analyze(rds());
    expect(diagnostics).toEqual([]);
    expect(notApplicable).toEqual({ "aws-provider-account-pinned": "Policy only applies to resources of type 'pulumi:providers:aws'" });
  });

  it("reports each weakened guardrail under its own rule id, as mandatory, with the fix", () => {
    const a = new Engine(policies).analyze(rds({ deletionProtection: false, backupRetentionPeriod: 3, skipFinalSnapshot: true }, { protect: false }));
    expect(a.diagnostics).toEqual([
      {
        policyName: "prod-db-deletion-protection",
        enforcementLevel: "mandatory",
        urn: ORDERS,
        message: 'RDS instance "orders": deletionProtection is false. Why it matters: without it one API call or one mistaken `pulumi up` deletes the live database. Fix: set deletionProtection: true.',
      },
      {
        policyName: "prod-db-protect",
        enforcementLevel: "mandatory",
        urn: ORDERS,
        message:
          'RDS instance "orders": the resource option protect is not true. Why it matters: Pulumi then replaces or deletes the live database whenever the program asks it to, as in the incident this kit exists for. Fix: pass { protect: true } in the resource options.',
      },
      {
        policyName: "prod-db-final-snapshot",
        enforcementLevel: "mandatory",
        urn: ORDERS,
        message: 'RDS instance "orders": skipFinalSnapshot is true. Why it matters: deleting the database would then leave no final copy of its data. Fix: set skipFinalSnapshot: false.',
      },
      {
        policyName: "prod-db-backup-retention",
        enforcementLevel: "mandatory",
        urn: ORDERS,
        message:
          'RDS instance "orders": backupRetentionPeriod is 3 days, below the floor of 14 days. Why it matters: a mistake noticed after the retention window cannot be undone; 14 days covers a long weekend plus the time to notice. Fix: set backupRetentionPeriod: 14 (or more, up to 35).',
      },
    ]);
  });

  it("does not judge non-production databases, and says why", () => {
    const a = new Engine(policies).analyze({ type: RDS, name: "orders", props: { tags: { environment: "staging" }, deletionProtection: false } });
    expect(a.diagnostics).toEqual([]);
    expect(a.notApplicable).toEqual({
      ...Object.fromEntries(RESOURCE_RULES.filter((r) => r.appliesTo.includes(RDS)).map((r) => [r.id, "not a production resource"])),
      "aws-provider-account-pinned": "Policy only applies to resources of type 'pulumi:providers:aws'",
    });
  });

  it("defers only the check whose value is unknown; every other guardrail is still judged", () => {
    const a = new Engine(policies).analyze(rds({ deletionProtection: UNKNOWN.bool, storageEncrypted: false }));
    expect(of(a, "prod-db-deletion-protection")).toEqual([
      {
        policyName: "prod-db-deletion-protection",
        enforcementLevel: "advisory",
        urn: ORDERS,
        message: `${DEFERRED_PREFIX}RDS instance "orders": deletionProtection is unknown until deployment; this check runs again with the real value at \`pulumi up\`.`,
      },
    ]);
    expect(of(a, "prod-db-encrypted")).toEqual([expect.objectContaining({ enforcementLevel: "mandatory", urn: ORDERS, message: expect.stringMatching(/^RDS instance "orders": storageEncrypted is false\. /) })]);
    expect(names(a)).toEqual(["prod-db-deletion-protection", "prod-db-encrypted"]);
  });

  it("unknown tags defer the production question of every production-only rule instead of passing", () => {
    const a = new Engine(policies).analyze({ type: RDS, name: "orders", props: { tags: UNKNOWN.object, deletionProtection: false }, protect: true });
    const deferred = `${DEFERRED_PREFIX}RDS instance "orders": whether it is production (tags are unknown until deployment) is unknown until deployment; this check runs again with the real value at \`pulumi up\`.`;
    expect(a.diagnostics).toEqual(
      RESOURCE_RULES.filter((r) => r.appliesTo.includes(RDS)).map((r) => ({ policyName: r.id, enforcementLevel: "advisory", urn: ORDERS, message: deferred })),
    );
  });

  it("judges secret values by what they hold", () => {
    const a = new Engine(policies).analyze(rds({ deletionProtection: secret(false), tags: secret(prodTags) }));
    expect(of(a, "prod-db-deletion-protection")).toEqual([expect.objectContaining({ enforcementLevel: "mandatory", message: expect.stringContaining("deletionProtection is false.") })]);
    expect(names(a)).toEqual(["prod-db-deletion-protection"]);
  });

  it("never crashes on wrong types; they are violations, not passes", () => {
    const a = new Engine(policies).analyze(rds({ deletionProtection: "maybe", backupRetentionPeriod: { days: 14 }, storageEncrypted: [true], finalSnapshotIdentifier: 7 }));
    expect(of(a, "prod-db-deletion-protection")[0]?.message).toContain('deletionProtection is "maybe", not a boolean');
    expect(of(a, "prod-db-backup-retention")[0]?.message).toContain("not a number");
    expect(of(a, "prod-db-encrypted")[0]?.enforcementLevel).toBe("mandatory");
    expect(of(a, "prod-db-final-snapshot")[0]?.message).toContain("finalSnapshotIdentifier is 7, not a string");
    expect(a.diagnostics.every((d) => d.enforcementLevel === "mandatory" && d.urn === ORDERS)).toBe(true);
  });

  it("judges a provider's JSON-string allowedAccountIds and the shared productionAccountIds", () => {
    const provider: FakeResource = { type: PROVIDER, name: "aws-staging", props: { region: "us-east-1", allowedAccountIds: '["111111111111"]' } };
    const unconfigured = new Engine(policies).analyze(provider);
    expect(unconfigured.diagnostics).toEqual([]);
    // Every other resource policy is skipped for a provider, by the single-type mark or by type.
    expect(unconfigured.notApplicable).toEqual(Object.fromEntries(RESOURCE_RULES.filter((r) => r.id !== "aws-provider-account-pinned").map((r) => [r.id, `applies to ${r.appliesTo.join(", ")}`])));
    const a = new Engine(policies, { "guardrail-settings": { productionAccountIds: ["111111111111"] } }).analyze(provider);
    expect(a.diagnostics).toEqual([
      {
        policyName: "aws-provider-account-pinned",
        enforcementLevel: "mandatory",
        urn: urnOf(PROVIDER, "aws-staging"),
        message:
          'AWS provider "aws-staging": this non-production stack\'s provider allows the production account 111111111111. Why it matters: a staging or test deployment could then create, change or delete production resources. Fix: remove 111111111111 from allowedAccountIds and add it to forbiddenAccountIds.',
      },
    ]);
    const unpinned = new Engine(policies).analyze({ type: PROVIDER, name: "default_7_48_0", props: { region: "us-east-1" } });
    expect(of(unpinned, "aws-provider-account-pinned")[0]?.message).toContain("aws:allowedAccountIds");
  });

  it("says which rules do not apply to a resource, and why", () => {
    const a = new Engine(policies).analyze({ type: "aws:s3/bucket:Bucket", name: "assets", props: { bucket: "assets", tags: prodTags } });
    expect(a.diagnostics).toEqual([]);
    expect(a.notApplicable["aws-provider-account-pinned"]).toBe("Policy only applies to resources of type 'pulumi:providers:aws'");
    expect(a.notApplicable["prod-db-encrypted"]).toBe("applies to aws:rds/instance:Instance, aws:rds/cluster:Cluster");
    expect(a.notApplicable["prod-db-deletion-protection"]).toBe("applies to aws:rds/instance:Instance, aws:rds/cluster:Cluster, aws:dynamodb/table:Table");
    expect(Object.keys(a.notApplicable).sort()).toEqual(RESOURCE_RULES.map((r) => r.id).sort());
  });

  it("shared settings written once change what every rule treats as production", () => {
    const tagged: FakeResource = { type: TABLE, name: "carts", props: { tags: { tier: "critical" }, deletionProtectionEnabled: false }, protect: true };
    expect(new Engine(policies).analyze(tagged).diagnostics).toEqual([]);
    const a = new Engine(policies, { "guardrail-settings": { productionTags: { tier: ["critical"] } } }).analyze(tagged);
    expect(names(a)).toEqual(["prod-db-backup-retention", "prod-db-deletion-protection"]);
    expect(a.diagnostics.every((d) => d.enforcementLevel === "mandatory" && d.urn === urnOf(TABLE, "carts"))).toBe(true);
  });

  it("rule settings and levels come from the policy config file", () => {
    const a = new Engine(policies, { "prod-db-backup-retention": { minBackupRetentionDays: 21 }, "prod-db-copy-tags-to-snapshot": { enforcementLevel: "mandatory" } }).analyze(rds({ copyTagsToSnapshot: false }));
    expect(of(a, "prod-db-backup-retention")[0]?.message).toContain("backupRetentionPeriod is 14 days, below the floor of 21 days");
    expect(of(a, "prod-db-copy-tags-to-snapshot")).toEqual([expect.objectContaining({ enforcementLevel: "mandatory" })]);
    const allAdvisory = Object.fromEntries(policies.map((p) => [p.name, { enforcementLevel: "advisory" as const }]));
    const advisory = new Engine(policies, allAdvisory).analyze(rds({ deletionProtection: false }));
    expect(of(advisory, "prod-db-deletion-protection")).toEqual([expect.objectContaining({ enforcementLevel: "advisory" })]);
  });

  it("names settings a client sent without the engine's schema check, instead of dropping them", () => {
    const a = new Engine(policies, { "guardrail-settings": { productionAccountIds: "111111111111" } }).analyzeStack([]);
    expect(of(a, "guardrail-settings")).toEqual([
      {
        policyName: "guardrail-settings",
        enforcementLevel: "mandatory",
        urn: undefined,
        message: `${settingsDescription}\nguardrail-settings.productionAccountIds is "111111111111", not a list of 12-digit account ids; the default is used instead. Fix: correct it in the policy config file.`,
      },
    ]);
  });

  it("a waiver turns a finding advisory with its reason; an expired one waives nothing and is itself a violation", () => {
    const expires = inDays(30);
    const waiver = { rule: "prod-db-backup-retention", resource: "legacy-*", owner: "team-data", reason: "Batch database, retention raised in DATA-412", expires };
    const engine = new Engine(policies, { "guardrail-settings": { waivers: [waiver, { ...waiver, resource: "other", expires: "2020-01-01" }] } });
    const a = engine.analyze(rds({ backupRetentionPeriod: 1 }, { protect: true, name: "legacy-reports" }));
    expect(of(a, "prod-db-backup-retention")).toEqual([
      {
        policyName: "prod-db-backup-retention",
        enforcementLevel: "advisory",
        urn: urnOf(RDS, "legacy-reports"),
        message: `${WAIVED_PREFIX}RDS instance "legacy-reports": backupRetentionPeriod is 1 days, below the floor of 14 days. Why it matters: a mistake noticed after the retention window cannot be undone; 14 days covers a long weekend plus the time to notice. Fix: set backupRetentionPeriod: 14 (or more, up to 35). [waiver #1: owner team-data, expires ${expires}, reason: Batch database, retention raised in DATA-412]`,
      },
    ]);
    const other = engine.analyze(rds({ backupRetentionPeriod: 1 }, { protect: true, name: "other" }));
    expect(of(other, "prod-db-backup-retention")).toEqual([expect.objectContaining({ enforcementLevel: "mandatory", message: expect.stringMatching(/^RDS instance "other": backupRetentionPeriod is 1 days/) })]);
    expect(of(engine.analyzeStack([]), "guardrail-settings")).toEqual([
      {
        policyName: "guardrail-settings",
        enforcementLevel: "mandatory",
        urn: undefined,
        message: `${settingsDescription}\nWaiver #2 (prod-db-backup-retention on other) waives nothing: it expired on 2020-01-01. Fix or remove it in the policy config file.`,
      },
    ]);
  });

  it("deletion protection and protect cannot be waived", () => {
    const waiver = { rule: "prod-db-protect", resource: "*", owner: "team-data", reason: "We really want to replace this database", expires: inDays(1) };
    const engine = new Engine(policies, { "guardrail-settings": { waivers: [waiver, { ...waiver, rule: "prod-db-deletion-protection" }] } });
    const a = engine.analyze(rds({ deletionProtection: false }, { protect: false }));
    expect(a.diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.message.startsWith(WAIVED_PREFIX)])).toEqual([
      ["prod-db-deletion-protection", "mandatory", false],
      ["prod-db-protect", "mandatory", false],
    ]);
    expect(of(engine.analyzeStack([]), "guardrail-settings").map((d) => d.message)).toEqual([
      `${settingsDescription}\nWaiver #1 (prod-db-protect on *) waives nothing: rule "prod-db-protect" cannot be waived: it is the last line between a mistake and a deleted production database. Fix or remove it in the policy config file.`,
      `${settingsDescription}\nWaiver #2 (prod-db-deletion-protection on *) waives nothing: rule "prod-db-deletion-protection" cannot be waived: it is the last line between a mistake and a deleted production database. Fix or remove it in the policy config file.`,
    ]);
  });

  it("remediates the safe property changes at the remediate level, keeping secrets marked", async () => {
    const engine = new Engine(policies, { "prod-db-copy-tags-to-snapshot": { enforcementLevel: "remediate" }, "prod-db-final-snapshot": { enforcementLevel: "remediate" } });
    const { deleteAutomatedBackups: _d, finalSnapshotIdentifier: _f, ...rest } = COMPLIANT_RDS_PROPS;
    const weak = { ...rest, copyTagsToSnapshot: false, password: secret("hunter2") } as { [key: string]: JavaScriptValue };
    const remediations = await engine.remediate(rds(), weak);
    const expected = { ...rest, copyTagsToSnapshot: true, password: secret("hunter2"), deleteAutomatedBackups: false, finalSnapshotIdentifier: "orders-final" };
    expect(remediations).toEqual([
      { policyName: "prod-db-final-snapshot", properties: { ...expected, copyTagsToSnapshot: false } },
      { policyName: "prod-db-copy-tags-to-snapshot", properties: expected },
    ]);
    const { password: _p, ...plain } = expected;
    const after = engine.analyze(rds(plain, { protect: true }));
    expect(after.diagnostics).toEqual([]);
  });

  it("does not remediate at the default levels", async () => {
    expect(await new Engine(policies).remediate(rds(), { ...COMPLIANT_RDS_PROPS, copyTagsToSnapshot: false } as { [key: string]: JavaScriptValue })).toEqual([]);
  });

  it("stack rules judge each AnalyzeStack on its own properties, even with the same URNs and the settings policy disabled", () => {
    const arn = "arn:aws:rds:us-east-1:111111111111:db:orders";
    const provider = { type: PROVIDER, name: "aws", props: { region: "us-east-1", allowedAccountIds: '["111111111111"]' } };
    const stack = (selected: string): FakeResource[] => [
      { type: RDS, name: "orders", props: { ...COMPLIANT_RDS_PROPS, arn }, protect: true, provider },
      { type: SELECTION, name: "orders-selection", props: { planId: "plan-1", iamRoleArn: "arn:aws:iam::111111111111:role/backup", resources: [selected] }, provider },
    ];
    const configs: PackConfig[] = [{}, { "guardrail-settings": { enforcementLevel: "disabled" } }];
    for (const config of configs) {
      const engine = new Engine(policies, config);
      const covered = engine.analyzeStack(stack(arn));
      const uncovered = engine.analyzeStack(stack("arn:aws:rds:us-east-1:111111111111:db:other"));
      const again = engine.analyzeStack(stack(arn));
      expect(of(covered, "prod-db-backup-coverage")).toEqual([]);
      expect(of(uncovered, "prod-db-backup-coverage")).toEqual([expect.objectContaining({ enforcementLevel: "mandatory", urn: ORDERS, message: expect.stringMatching(/^RDS instance "orders": no aws:backup\/selection:Selection selects it/) })]);
      expect(of(again, "prod-db-backup-coverage")).toEqual([]);
    }
  });

  it("a stack rule that throws reports a violation instead of failing the call", () => {
    // A resource whose properties throw when read reaches every stack rule through the shared view.
    const props: Record<string, unknown> = {};
    Object.defineProperty(props, "tags", { enumerable: true, get: () => { throw new Error("unreadable"); } });
    const { args } = stackArgs(stackResources([{ type: RDS, name: "orders", props }], STACK, "raw"));
    const report = jest.fn();
    const rpo = policies.find((p) => p.name === "prod-db-rpo") as StackValidationPolicy;
    (rpo.validateStack as ValidateStack)(args, report);
    expect(report.mock.calls).toEqual([
      [
        "Stack: the prod-db-rpo check failed to evaluate (unreadable). Why it matters: a check that cannot run must not pass a production database. Fix: report this pack error with the resource's properties; until then, review the resource by hand.",
      ],
    ]);
  });
});
