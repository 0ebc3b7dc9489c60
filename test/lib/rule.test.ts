/**
 * The rule adapters in-process, with the arguments `@pulumi/policy`'s server builds (properties
 * behind its unknown-checking proxy, `notApplicable` throwing `NotApplicableError`): production
 * gating, deferred and waived findings, internal errors, remediation, the single-type mark and the
 * per-call stack view. test/pack/database-guardrails.test.ts proves the same wiring over gRPC.
 *
 * Module state is reset before each test: rule ids are registered afresh (which also drops the
 * waiver memo), the settings are published from an absent config (the defaults), a new stack
 * call is begun, and the stack name comes from a PULUMI_STACK set here.
 */
import type { PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { Secret } from "@pulumi/policy";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import { types } from "util";
import { SECRET_SIG_KEY, SECRET_SIG_VALUE, UNKNOWN } from "../../guard/wire";
import {
  DEFERRED_PREFIX,
  type Finding,
  type ResourceRule,
  type ResourceView,
  type StackRule,
  type StackView,
  WAIVED_PREFIX,
  beginStackCall,
  buildStackView,
  deferredFinding,
  productionOf,
  registerRuleIds,
  resourceLabel,
  stackViewForCall,
  toResourcePolicy,
  toStackPolicy,
  typeLabel,
  violationMessage,
  waiverState,
} from "../../policies/lib/rule";
import { type SharedSettings, currentSettings, parseSettings, publishSettings } from "../../policies/lib/settings";
import { type FakeResource, NotApplicableError, resourceArgs, stackArgs, stackResources } from "../fuzz/policy-args";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy(value: unknown): unknown };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { deserializeProperties, serializeProperties } = require("@pulumi/policy/deserialize") as {
  deserializeProperties(struct: Struct, keepSecrets: boolean): Record<string, unknown>;
  serializeProperties(props: unknown): Promise<Record<string, unknown>>;
};

const STACK = "staging"; // not a production stack name: production comes from tags
const RDS = "aws:rds/instance:Instance";
const CLUSTER = "aws:rds/cluster:Cluster";
const TABLE = "aws:dynamodb/table:Table";
const PROVIDER = "pulumi:providers:aws";
const PROD_TAGS = { environment: "production" };
const RDS_URN = `urn:pulumi:${STACK}::shop::${RDS}::orders`;
const DAY = 86_400_000;

const RULE_ID = "test-rule";
const UNWAIVABLE_ID = "unwaivable-rule";
const STACK_RULE_ID = "test-stack-rule";

const failedToEvaluate = (subject: string, id: string, detail: string) =>
  `${subject}: the ${id} check failed to evaluate (${detail}). Why it matters: a check that cannot run must not pass a production database. Fix: report this pack error with the resource's properties; until then, review the resource by hand.`;

/** A date `days` from now, as a waiver's `expires` (waivers in force are judged against the real clock). */
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
const REASON = "Batch database, retention raised in DATA-412";
const waiver = (overrides: Record<string, unknown> = {}) => ({ rule: RULE_ID, resource: "orders", owner: "team-data", reason: REASON, expires: inDays(30), ...overrides });

type Check = ResourceRule["check"];

function resourceRule(overrides: Partial<ResourceRule> = {}): ResourceRule {
  return {
    id: RULE_ID,
    description: "A rule under test.",
    enforcementLevel: "mandatory",
    severity: "high",
    waivable: true,
    remediationSteps: "Fix the test property.",
    tags: ["test"],
    appliesTo: [RDS, CLUSTER],
    productionOnly: true,
    check: () => [],
    ...overrides,
  };
}

function stackRule(check: StackRule["check"], overrides: Partial<StackRule> = {}): StackRule {
  return {
    id: STACK_RULE_ID,
    description: "A stack rule under test.",
    enforcementLevel: "advisory",
    severity: "low",
    waivable: true,
    remediationSteps: "Fix the stack.",
    tags: ["stack", "test"],
    check,
    ...overrides,
  };
}

function rds(props: Record<string, unknown> = {}, extra: Partial<FakeResource> = {}): FakeResource {
  return { type: RDS, name: "orders", props: { tags: PROD_TAGS, ...props }, ...extra };
}

type Validate = (args: ResourceValidationArgs, report: ReportViolation) => void;
type Remediate = (args: ResourceValidationArgs) => Record<string, unknown> | undefined;

/** Runs a rule's validation over a resource; returns the calls made to reportViolation. */
function validate(rule: ResourceRule, resource: FakeResource, options: { config?: Record<string, unknown>; delivery?: "wire" | "raw"; edit?: (args: Record<string, unknown>) => void } = {}): unknown[][] {
  const { args } = resourceArgs(resource, { stack: STACK, delivery: options.delivery ?? "wire", config: options.config });
  options.edit?.(args as unknown as Record<string, unknown>);
  const report = jest.fn();
  (toResourcePolicy(rule).validateResource as Validate)(args, report);
  return report.mock.calls;
}

/** The view and settings a rule's check receives for a resource. */
function seen(resource: FakeResource, edit?: (args: Record<string, unknown>) => void, delivery: "wire" | "raw" = "wire"): { view: ResourceView; config: unknown; settings: SharedSettings } {
  let got: { view: ResourceView; config: unknown; settings: SharedSettings } | undefined;
  const calls = validate(resourceRule({ check: (view, config, settings) => ((got = { view, config, settings }), []) }), resource, { edit, delivery });
  expect(calls).toEqual([]);
  return got!;
}

/** Calls `fn`, which must throw a NotApplicableError; returns its reason. */
function notApplicableReason(fn: () => void): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NotApplicableError);
    return (e as NotApplicableError).reason;
  }
  throw new Error("expected NotApplicableError");
}

const saved = { stack: process.env.PULUMI_STACK, nodejs: process.env.PULUMI_NODEJS_STACK };
afterAll(() => {
  for (const [key, value] of [["PULUMI_STACK", saved.stack], ["PULUMI_NODEJS_STACK", saved.nodejs]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});
beforeEach(() => {
  process.env.PULUMI_STACK = STACK;
  delete process.env.PULUMI_NODEJS_STACK;
  registerRuleIds([
    { id: RULE_ID, waivable: true },
    { id: UNWAIVABLE_ID, waivable: false },
    { id: STACK_RULE_ID, waivable: true },
  ]);
  publishSettings(undefined);
  beginStackCall();
});

describe("message helpers", () => {
  it("marks deferred and waived findings with fixed prefixes", () => {
    expect(DEFERRED_PREFIX).toBe("Checked at deployment: ");
    expect(WAIVED_PREFIX).toBe("Waived: ");
  });

  it.each([
    ["aws:rds/instance:Instance", "RDS instance"],
    ["aws:rds/cluster:Cluster", "Aurora/RDS cluster"],
    ["aws:dynamodb/table:Table", "DynamoDB table"],
    ["aws:backup/plan:Plan", "backup plan"],
    ["aws:backup/selection:Selection", "backup selection"],
    ["aws:backup/vault:Vault", "backup vault"],
    ["pulumi:providers:aws", "AWS provider"],
    ["aws:s3/bucket:Bucket", "aws:s3/bucket:Bucket"],
    // Not looked up on an object's prototype chain.
    ["constructor", "constructor"],
    ["toString", "toString"],
  ])("labels %s as %s", (type, label) => {
    expect(typeLabel(type)).toBe(label);
  });

  it("labels a resource by type and quoted name", () => {
    expect(resourceLabel({ type: TABLE, name: "carts" })).toBe('DynamoDB table "carts"');
    expect(resourceLabel({ type: "x:y:Z", name: "" })).toBe('x:y:Z ""');
  });

  it("writes every violation in four parts", () => {
    expect(violationMessage({ resource: { type: RDS, name: "orders" }, problem: "deletionProtection is false", why: "one call deletes it.", fix: "set it." })).toBe(
      'RDS instance "orders": deletionProtection is false. Why it matters: one call deletes it. Fix: set it.',
    );
  });

  it("builds a deferred finding naming the unknown value, with or without a URN", () => {
    const message = 'RDS instance "orders": deletionProtection is unknown until deployment; this check runs again with the real value at `pulumi up`.';
    expect(deferredFinding({ type: RDS, name: "orders" }, "deletionProtection", RDS_URN)).toStrictEqual({ deferred: true, urn: RDS_URN, name: "orders", message });
    expect(deferredFinding({ type: RDS, name: "orders" }, "deletionProtection")).toStrictEqual({ deferred: true, urn: undefined, name: "orders", message });
  });
});

describe("productionOf", () => {
  const settings = parseSettings({});
  const providerProd = { defaultTags: { tags: PROD_TAGS } };

  it("judges a resource by its own tags over its provider's defaultTags", () => {
    expect(productionOf(RDS, { tags: PROD_TAGS }, undefined, "dev", undefined, settings)).toEqual({ production: true, reason: "tag environment=production" });
    expect(productionOf(RDS, {}, providerProd, "dev", undefined, settings)).toEqual({ production: true, reason: "tag environment=production (provider defaultTags)" });
    expect(productionOf(RDS, { tags: { environment: "staging" } }, undefined, "dev", undefined, settings)).toEqual({ production: false });
  });

  it("judges a provider by its own defaultTags only: neither its tags nor another provider count", () => {
    expect(productionOf(PROVIDER, providerProd, undefined, "dev", undefined, settings)).toEqual({ production: true, reason: "tag environment=production (provider defaultTags)" });
    expect(productionOf(PROVIDER, { tags: PROD_TAGS }, undefined, "dev", undefined, settings)).toEqual({ production: false });
    expect(productionOf(PROVIDER, {}, providerProd, "dev", undefined, settings)).toEqual({ production: false });
  });

  it("passes the stack name, stack tags and settings through", () => {
    expect(productionOf(RDS, {}, undefined, "prod-eu", undefined, settings)).toEqual({ production: true, reason: 'stack "prod-eu" matches productionStacks pattern "prod-*"' });
    expect(productionOf(PROVIDER, {}, undefined, "prod", undefined, settings)).toEqual({ production: true, reason: 'stack "prod" matches productionStacks pattern "prod"' });
    expect(productionOf(RDS, {}, undefined, "dev", new Map([["env", "prod"]]), settings)).toEqual({ production: true, reason: "stack tag env=prod" });
    expect(productionOf(PROVIDER, {}, undefined, "dev", new Map([["env", "prod"]]), settings)).toEqual({ production: true, reason: "stack tag env=prod" });
    const tiered = parseSettings({ productionTags: { tier: ["critical"] } });
    expect(productionOf(RDS, { tags: { tier: "critical" } }, undefined, "dev", undefined, tiered)).toEqual({ production: true, reason: "tag tier=critical" });
    expect(productionOf(RDS, { tags: PROD_TAGS }, undefined, "dev", undefined, tiered)).toEqual({ production: false });
  });
});

describe("registerRuleIds and waiverState", () => {
  const now = new Date("2026-11-25T12:00:00Z");
  const w = { rule: RULE_ID, resource: "orders", owner: "team-data", reason: REASON, expires: "2026-11-25" };

  it("accepts waivers of registered waivable rules only", () => {
    const settings = parseSettings({ waivers: [w, { ...w, rule: UNWAIVABLE_ID }, { ...w, rule: "no-such-rule" }, { ...w, rule: STACK_RULE_ID }] });
    const { active, problems } = waiverState(settings, now);
    expect({ active, problems }).toEqual({
      active: [
        { ...w, index: 0 },
        { ...w, rule: STACK_RULE_ID, index: 3 },
      ],
      problems: [
        `Waiver #2 (${UNWAIVABLE_ID} on orders) waives nothing: rule "${UNWAIVABLE_ID}" cannot be waived: it is the last line between a mistake and a deleted production database. Fix or remove it in the policy config file.`,
        `Waiver #3 (no-such-rule on orders) waives nothing: "rule" names no rule of this pack: "no-such-rule". Fix or remove it in the policy config file.`,
      ],
    });
  });

  it("judges waivers against the rules registered last", () => {
    registerRuleIds([{ id: RULE_ID, waivable: false }]);
    const settings = parseSettings({ waivers: [w, { ...w, rule: STACK_RULE_ID }] });
    expect(waiverState(settings, now)).toMatchObject({
      active: [],
      problems: [
        `Waiver #1 (${RULE_ID} on orders) waives nothing: rule "${RULE_ID}" cannot be waived: it is the last line between a mistake and a deleted production database. Fix or remove it in the policy config file.`,
        `Waiver #2 (${STACK_RULE_ID} on orders) waives nothing: "rule" names no rule of this pack: "${STACK_RULE_ID}". Fix or remove it in the policy config file.`,
      ],
    });
  });

  it("reports a waivers value that is not a list", () => {
    const settings = { ...parseSettings({}), waivers: "none" as never };
    expect(waiverState(settings, now)).toMatchObject({ active: [], problems: ["guardrail-settings.waivers must be a list of waivers."] });
  });

  it("reuses its answer for the same settings object within one UTC day", () => {
    const settings = parseSettings({ waivers: [w] });
    const first = waiverState(settings, new Date("2026-11-25T00:00:00.000Z"));
    expect(waiverState(settings, new Date("2026-11-25T23:59:59.999Z"))).toBe(first);
    expect(waiverState(settings, now)).toBe(first);
  });

  it("judges afresh on another day: a waiver in force through its expiry day is expired the next", () => {
    const settings = parseSettings({ waivers: [w] });
    const lastDay = waiverState(settings, new Date("2026-11-25T23:59:59.999Z"));
    expect(lastDay.active).toEqual([{ ...w, index: 0 }]);
    const nextDay = waiverState(settings, new Date("2026-11-26T00:00:00.000Z"));
    expect(nextDay).not.toBe(lastDay);
    expect(nextDay).toMatchObject({ active: [], problems: [`Waiver #1 (${RULE_ID} on orders) waives nothing: it expired on 2026-11-25. Fix or remove it in the policy config file.`] });
  });

  it("judges afresh for another settings object, even an equal one", () => {
    const first = waiverState(parseSettings({ waivers: [w] }), now);
    const equal = waiverState(parseSettings({ waivers: [w] }), now);
    expect(equal).not.toBe(first);
    expect({ active: equal.active, problems: equal.problems }).toEqual({ active: first.active, problems: first.problems });
  });

  it("judges afresh after the rules are registered again", () => {
    const settings = parseSettings({ waivers: [w] });
    const first = waiverState(settings, now);
    registerRuleIds([{ id: RULE_ID, waivable: true }]);
    const second = waiverState(settings, now);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it("judges against the current time by default", () => {
    const settings = parseSettings({ waivers: [{ ...w, expires: inDays(10) }, { ...w, expires: inDays(-2) }] });
    const state = waiverState(settings);
    expect(state.active.map((a) => a.index)).toEqual([0]);
    expect(state.problems).toEqual([`Waiver #2 (${RULE_ID} on orders) waives nothing: it expired on ${inDays(-2)}. Fix or remove it in the policy config file.`]);
  });
});

describe("toResourcePolicy: the policy's description", () => {
  it("carries the rule's metadata under its id", () => {
    const policy = toResourcePolicy(resourceRule());
    expect(policy).toEqual({
      name: RULE_ID,
      description: "A rule under test.",
      enforcementLevel: "mandatory",
      severity: "high",
      remediationSteps: "Fix the test property.",
      tags: ["test"],
      configSchema: undefined,
      validateResource: expect.any(Function),
    });
    expect(policy.remediateResource).toBeUndefined();
  });

  it("carries the rule's config schema", () => {
    const configSchema = { properties: { minDays: { type: "integer" as const, minimum: 1 } } };
    expect(toResourcePolicy(resourceRule({ configSchema })).configSchema).toBe(configSchema);
  });

  it("marks a single-type rule's validation and remediation with its type, as validateResourceOfType does", () => {
    const policy = toResourcePolicy(resourceRule({ appliesTo: [PROVIDER], remediate: () => undefined }));
    for (const fn of [policy.validateResource, policy.remediateResource]) {
      expect(Object.getOwnPropertyDescriptor(fn, "__pulumiType")).toEqual({ value: PROVIDER, enumerable: false, writable: false, configurable: false });
    }
  });

  it("marks a single-type rule without a remediation on its validation only", () => {
    const policy = toResourcePolicy(resourceRule({ appliesTo: [TABLE] }));
    expect((policy.validateResource as unknown as { __pulumiType?: string }).__pulumiType).toBe(TABLE);
    expect(policy.remediateResource).toBeUndefined();
  });

  it.each([[[RDS, CLUSTER]], [[]]])("does not mark a rule for %j types", (appliesTo) => {
    const policy = toResourcePolicy(resourceRule({ appliesTo, remediate: () => undefined }));
    expect(Object.getOwnPropertyDescriptor(policy.validateResource, "__pulumiType")).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(policy.remediateResource, "__pulumiType")).toBeUndefined();
  });
});

describe("toResourcePolicy: what the rule is asked to judge", () => {
  it("declares itself not applicable to other types, naming the types it judges, without running the check", () => {
    const check = jest.fn<Finding[], Parameters<Check>>(() => []);
    const rule = resourceRule({ check });
    const table = { type: TABLE, name: "carts", props: { tags: PROD_TAGS } };
    expect(notApplicableReason(() => validate(rule, table))).toBe("applies to aws:rds/instance:Instance, aws:rds/cluster:Cluster");
    expect(check).not.toHaveBeenCalled();
  });

  it("declares not applicable without a stack trace, and restores the stack trace limit", () => {
    const original = Error.stackTraceLimit;
    let during: number | undefined;
    const edit = (args: Record<string, unknown>) => {
      args.notApplicable = (reason?: string): never => {
        during = Error.stackTraceLimit;
        throw new NotApplicableError(reason);
      };
    };
    try {
      Error.stackTraceLimit = 23;
      expect(notApplicableReason(() => validate(resourceRule(), { type: TABLE, name: "carts", props: {} }, { edit }))).toBe("applies to aws:rds/instance:Instance, aws:rds/cluster:Cluster");
      expect(during).toBe(0);
      expect(Error.stackTraceLimit).toBe(23);
    } finally {
      Error.stackTraceLimit = original;
    }
  });

  it("declares a production-only rule not applicable to a non-production resource", () => {
    const check = jest.fn<Finding[], Parameters<Check>>(() => []);
    expect(notApplicableReason(() => validate(resourceRule({ check }), rds({ tags: { environment: "staging" } })))).toBe("not a production resource");
    expect(notApplicableReason(() => validate(resourceRule({ check }), { type: RDS, name: "orders", props: {} }))).toBe("not a production resource");
    expect(check).not.toHaveBeenCalled();
  });

  it("runs a rule for every resource of its types on a non-production resource", () => {
    const calls = validate(resourceRule({ productionOnly: false, check: (v) => [{ message: `judged ${v.production.production}` }] }), rds({ tags: { environment: "staging" } }));
    expect(calls).toStrictEqual([[{ message: "judged false", urn: RDS_URN }, RDS_URN]]);
  });

  it("defers a production-only rule while the production question is unknown, without running the check", () => {
    const check = jest.fn<Finding[], Parameters<Check>>(() => [{ message: "never" }]);
    const calls = validate(resourceRule({ check }), rds({ tags: UNKNOWN.object }));
    expect(calls).toStrictEqual([
      [
        {
          message: 'Checked at deployment: RDS instance "orders": whether it is production (tags are unknown until deployment) is unknown until deployment; this check runs again with the real value at `pulumi up`.',
          enforcementLevel: "advisory",
          urn: RDS_URN,
        },
        RDS_URN,
      ],
    ]);
    expect(check).not.toHaveBeenCalled();
  });

  it("does not waive the deferred production question", () => {
    publishSettings({ waivers: [waiver()] });
    const calls = validate(resourceRule(), rds({ tags: { environment: UNKNOWN.string } }));
    expect(calls).toStrictEqual([
      [
        {
          message: 'Checked at deployment: RDS instance "orders": whether it is production (tag "environment" is unknown until deployment) is unknown until deployment; this check runs again with the real value at `pulumi up`.',
          enforcementLevel: "advisory",
          urn: RDS_URN,
        },
        RDS_URN,
      ],
    ]);
  });

  it("runs a rule for every resource of its types when the production question is unknown", () => {
    const calls = validate(resourceRule({ productionOnly: false, check: (v) => [{ message: `judged ${v.production.production}` }] }), rds({ tags: UNKNOWN.object }));
    expect(calls).toStrictEqual([[{ message: "judged unknown", urn: RDS_URN }, RDS_URN]]);
  });

  it("gives the check plain properties, options, provider and production verdict", () => {
    const provider = { type: PROVIDER, name: "aws-staging", props: { region: "us-east-1", defaultTags: { tags: { team: "orders" } } } };
    const { view, config, settings } = seen(rds({ deletionProtection: false, port: 5432 }, { protect: true, ignoreChanges: ["tags", "port"], provider }));
    expect(types.isProxy(view.props)).toBe(false);
    expect(types.isProxy(view.provider!.props)).toBe(false);
    expect(view).toStrictEqual({
      type: RDS,
      name: "orders",
      urn: RDS_URN,
      props: { tags: PROD_TAGS, deletionProtection: false, port: 5432 },
      opts: { protect: true, ignoreChanges: ["tags", "port"], parent: undefined },
      provider: { type: PROVIDER, name: "aws-staging", urn: `urn:pulumi:${STACK}::shop::${PROVIDER}::aws-staging`, props: { region: "us-east-1", defaultTags: { tags: { team: "orders" } } } },
      production: { production: true, reason: "tag environment=production" },
    });
    expect(config).toEqual({});
    expect(settings).toBe(currentSettings());
  });

  it("reads secrets by their values, as sent on the wire or as Secret objects", () => {
    const secret = (value: unknown) => ({ [SECRET_SIG_KEY]: SECRET_SIG_VALUE, value });
    const wire = seen({ type: RDS, name: "orders", props: { tags: secret(PROD_TAGS), deletionProtection: secret(false) } }).view;
    expect(wire.props).toEqual({ tags: PROD_TAGS, deletionProtection: false });
    expect(wire.production).toEqual({ production: true, reason: "tag environment=production" });
    const raw = seen({ type: RDS, name: "orders", props: { tags: new Secret(PROD_TAGS), deletionProtection: new Secret(false) } }, undefined, "raw").view;
    expect(raw.production).toEqual({ production: true, reason: "tag environment=production" });
    expect(raw.props.deletionProtection).toEqual(new Secret(false));
  });

  it("takes production from the provider's defaultTags", () => {
    const provider = { type: PROVIDER, name: "aws", props: { defaultTags: JSON.stringify({ tags: PROD_TAGS }) } };
    expect(seen({ type: RDS, name: "orders", props: {}, provider }).view.production).toEqual({ production: true, reason: "tag environment=production (provider defaultTags)" });
  });

  it("takes production from the stack name the CLI gives the pack", () => {
    process.env.PULUMI_STACK = "production-eu";
    expect(seen({ type: RDS, name: "orders", props: {} }).view.production).toEqual({ production: true, reason: 'stack "production-eu" matches productionStacks pattern "production-*"' });
  });

  it("takes production from the stack's tags", () => {
    const edit = (args: Record<string, unknown>) => {
      args.stackTags = new Map([["Environment", "Production"]]);
    };
    expect(seen({ type: RDS, name: "orders", props: {} }, edit).view.production).toEqual({ production: true, reason: "stack tag Environment=Production" });
  });

  it("takes production from the published shared settings", () => {
    publishSettings({ productionTags: { tier: ["critical"] } });
    const { view, settings } = seen({ type: RDS, name: "orders", props: { tags: { tier: "critical" } } });
    expect(view.production).toEqual({ production: true, reason: "tag tier=critical" });
    expect(settings).toBe(currentSettings());
    expect(settings.productionTags).toEqual({ tier: ["critical"] });
  });

  it("passes the rule's config from the policy config file", () => {
    const config = { minDays: 21 };
    let got: unknown;
    validate(resourceRule({ check: (_v, c) => ((got = c), []) }), rds(), { config });
    expect(got).toBe(config);
  });

  it.each([
    ["no options at all", undefined, { protect: false, ignoreChanges: [], parent: undefined }],
    ["protect given as text", { protect: "true", ignoreChanges: [] }, { protect: false, ignoreChanges: [], parent: undefined }],
    ["ignoreChanges not a list", { protect: true, ignoreChanges: "tags" }, { protect: true, ignoreChanges: [], parent: undefined }],
    ["ignoreChanges with non-strings", { protect: false, ignoreChanges: ["tags", 3, null, "port"] }, { protect: false, ignoreChanges: ["tags", "port"], parent: undefined }],
    ["an empty parent", { protect: false, ignoreChanges: [], parent: "" }, { protect: false, ignoreChanges: [], parent: undefined }],
    ["a parent", { protect: false, ignoreChanges: [], parent: "urn:pulumi:staging::shop::db:Database::orders" }, { protect: false, ignoreChanges: [], parent: "urn:pulumi:staging::shop::db:Database::orders" }],
  ])("reads the options of a resource with %s", (_what, opts, expected) => {
    const edit = (args: Record<string, unknown>) => {
      args.opts = opts;
    };
    expect(seen(rds(), edit).view.opts).toStrictEqual(expected);
  });

  it("gives no provider when the resource has none", () => {
    expect(seen(rds()).view.provider).toBeUndefined();
  });
});

describe("toResourcePolicy: declaring not applicable, once per reason", () => {
  const table: FakeResource = { type: TABLE, name: "carts", props: {} };
  const RDS_ONLY = "applies to aws:rds/instance:Instance, aws:rds/cluster:Cluster";

  /** Validates `resource` with `rule`, handing it the given notApplicable; returns what was thrown (undefined: nothing). */
  function thrownBy(rule: ResourceRule, resource: FakeResource, notApplicable: unknown): unknown {
    const { args } = resourceArgs(resource, { stack: STACK, delivery: "wire" });
    (args as unknown as Record<string, unknown>).notApplicable = notApplicable;
    const report = jest.fn();
    try {
      (toResourcePolicy(rule).validateResource as Validate)(args, report);
    } catch (e) {
      expect(report).not.toHaveBeenCalled();
      return e;
    }
    expect(report).not.toHaveBeenCalled();
    return undefined;
  }
  const throwing = () => jest.fn((reason?: string): never => { throw new NotApplicableError(reason); });

  it("throws what notApplicable throws the first time, then a signal of the same class without calling it again", () => {
    const notApplicable = throwing();
    const first = thrownBy(resourceRule(), table, notApplicable);
    expect(notApplicable.mock.results[0]!.type).toBe("throw");
    expect(first).toBe(notApplicable.mock.results[0]!.value);
    expect(first).toBeInstanceOf(NotApplicableError);
    expect((first as NotApplicableError).reason).toBe(RDS_ONLY);
    expect(notApplicable.mock.calls).toEqual([[RDS_ONLY]]);

    const second = thrownBy(resourceRule(), table, notApplicable);
    expect(second).not.toBe(first);
    expect(Object.getPrototypeOf(second)).toBe(NotApplicableError.prototype);
    expect(second).toBeInstanceOf(Error);
    expect((second as NotApplicableError).reason).toBe(RDS_ONLY);
    expect((second as NotApplicableError).message).toBe(RDS_ONLY);
    expect(Object.keys(second as object)).toEqual(["reason"]);
    expect(thrownBy(resourceRule(), table, notApplicable)).toBe(second);
    expect(notApplicable).toHaveBeenCalledTimes(1);
  });

  it("keeps one signal per reason", () => {
    const notApplicable = throwing();
    thrownBy(resourceRule(), table, notApplicable);
    const byType = thrownBy(resourceRule(), table, notApplicable);
    const byProduction = thrownBy(resourceRule(), rds({ tags: {} }), notApplicable);
    expect((byProduction as NotApplicableError).reason).toBe("not a production resource");
    expect(byProduction).not.toBe(byType);
    expect(thrownBy(resourceRule(), rds({ tags: {} }), notApplicable)).toBe(byProduction);
    expect(thrownBy(resourceRule(), table, notApplicable)).toBe(byType);
    expect(notApplicable).toHaveBeenCalledTimes(1);
  });

  it("keeps the signals of each notApplicable function apart", () => {
    const a = throwing();
    const b = throwing();
    thrownBy(resourceRule(), table, a);
    const fromA = thrownBy(resourceRule(), table, a);
    const fromB = thrownBy(resourceRule(), table, b);
    expect(b).toHaveBeenCalledTimes(1);
    expect(fromB).toBe(b.mock.results[0]!.value);
    expect(fromB).not.toBe(fromA);
  });

  it("keeps at most 64 reasons, and still signals the others", () => {
    const notApplicable = throwing();
    const ruleFor = (i: number) => resourceRule({ appliesTo: [`test:index/t${i}:T`, `test:index/u${i}:U`] });
    thrownBy(ruleFor(0), table, notApplicable); // the real throw: no signal kept yet
    const signals = Array.from({ length: 65 }, (_, i) => thrownBy(ruleFor(i + 1), table, notApplicable));
    expect(signals.map((s) => (s as NotApplicableError).reason)).toEqual(Array.from({ length: 65 }, (_, i) => `applies to test:index/t${i + 1}:T, test:index/u${i + 1}:U`));
    expect(thrownBy(ruleFor(64), table, notApplicable)).toBe(signals[63]); // the 64th reason was kept
    const beyond = thrownBy(ruleFor(65), table, notApplicable); // the 65th was not
    expect(beyond).not.toBe(signals[64]);
    expect(beyond).toBeInstanceOf(NotApplicableError);
    expect((beyond as NotApplicableError).reason).toBe("applies to test:index/t65:T, test:index/u65:U");
    expect(notApplicable).toHaveBeenCalledTimes(1);
  });

  it("calls a notApplicable that throws something else every time, and lets it through", () => {
    const notApplicable = jest.fn((reason?: string): never => { throw new Error(`other: ${reason}`); });
    const first = thrownBy(resourceRule(), table, notApplicable);
    const second = thrownBy(resourceRule(), table, notApplicable);
    expect(first).toEqual(new Error(`other: ${RDS_ONLY}`));
    expect(second).toEqual(new Error(`other: ${RDS_ONLY}`));
    expect(second).not.toBe(first);
    expect(notApplicable).toHaveBeenCalledTimes(2);
  });

  it("ends the validation without judging when notApplicable returns instead of throwing", () => {
    const notApplicable = jest.fn(() => undefined);
    const check = jest.fn<Finding[], Parameters<Check>>(() => [{ message: "judged" }]);
    expect(thrownBy(resourceRule({ check }), table, notApplicable)).toBeUndefined();
    expect(thrownBy(resourceRule({ check }), rds({ tags: {} }), notApplicable)).toBeUndefined();
    expect(thrownBy(resourceRule({ check }), table, notApplicable)).toBeUndefined();
    expect(notApplicable.mock.calls).toEqual([[RDS_ONLY], ["not a production resource"], [RDS_ONLY]]);
    expect(check).not.toHaveBeenCalled();
  });
});

describe("toResourcePolicy: how findings are reported", () => {
  it("reports each finding in order on the resource, at the rule's own level", () => {
    const calls = validate(resourceRule({ check: () => [{ message: "first" }, { message: "second" }] }), rds());
    expect(calls).toStrictEqual([
      [{ message: "first", urn: RDS_URN }, RDS_URN],
      [{ message: "second", urn: RDS_URN }, RDS_URN],
    ]);
  });

  it("reports nothing when the check finds nothing", () => {
    expect(validate(resourceRule(), rds())).toEqual([]);
  });

  it("reports a deferred finding as advisory with the deferred prefix, even when a waiver matches", () => {
    publishSettings({ waivers: [waiver()] });
    const calls = validate(resourceRule({ check: (v) => [deferredFinding(v, "deletionProtection")] }), rds());
    expect(calls).toStrictEqual([
      [
        {
          message: 'Checked at deployment: RDS instance "orders": deletionProtection is unknown until deployment; this check runs again with the real value at `pulumi up`.',
          enforcementLevel: "advisory",
          urn: RDS_URN,
        },
        RDS_URN,
      ],
    ]);
  });

  it("reports a waived finding as advisory with the waiver's number, owner, expiry and reason", () => {
    const expires = inDays(30);
    publishSettings({ waivers: [waiver({ rule: STACK_RULE_ID }), waiver({ resource: "ord*", expires })] });
    const calls = validate(resourceRule({ check: () => [{ message: "retention is 1 day" }] }), rds());
    expect(calls).toStrictEqual([
      [
        { message: `Waived: retention is 1 day [waiver #2: owner team-data, expires ${expires}, reason: ${REASON}]`, enforcementLevel: "advisory", urn: RDS_URN },
        RDS_URN,
      ],
    ]);
  });

  it("matches a waiver by the resource's URN", () => {
    publishSettings({ waivers: [waiver({ resource: RDS_URN })] });
    const calls = validate(resourceRule({ check: () => [{ message: "m" }] }), rds());
    expect(calls[0]![0]).toMatchObject({ message: expect.stringMatching(/^Waived: m \[waiver #1: /), enforcementLevel: "advisory" });
  });

  it.each([
    ["another resource", { resource: "other" }],
    ["another rule", { rule: STACK_RULE_ID }],
    ["an expired waiver", { expires: "2020-01-01" }],
    ["a malformed waiver (short reason)", { reason: "because" }],
    ["a waiver expiring too far ahead", { expires: inDays(400) }],
  ])("does not waive with %s", (_what, overrides) => {
    publishSettings({ waivers: [waiver(overrides)] });
    expect(validate(resourceRule({ check: () => [{ message: "m" }] }), rds())).toStrictEqual([[{ message: "m", urn: RDS_URN }, RDS_URN]]);
  });

  it("does not waive a rule registered as unwaivable", () => {
    publishSettings({ waivers: [waiver({ rule: UNWAIVABLE_ID })] });
    const calls = validate(resourceRule({ id: UNWAIVABLE_ID, waivable: false, check: () => [{ message: "m" }] }), rds());
    expect(calls).toStrictEqual([[{ message: "m", urn: RDS_URN }, RDS_URN]]);
  });

  it("does not look for waivers for an unwaivable rule, even when a waiver for its id is in force", () => {
    publishSettings({ waivers: [waiver()] });
    const calls = validate(resourceRule({ waivable: false, check: () => [{ message: "m" }] }), rds());
    expect(calls).toStrictEqual([[{ message: "m", urn: RDS_URN }, RDS_URN]]);
  });
});

describe("toResourcePolicy: errors", () => {
  it("reports an error thrown by the check as a finding of the rule, never a pass or a crash", () => {
    const calls = validate(resourceRule({ check: () => { throw new Error("boom"); } }), rds());
    expect(calls).toEqual([[failedToEvaluate('RDS instance "orders"', RULE_ID, "boom")]]);
  });

  it("reports a thrown value that is not an Error by its text", () => {
    const calls = validate(resourceRule({ check: () => { throw "plain text"; } }), { type: CLUSTER, name: "main", props: { tags: PROD_TAGS } });
    expect(calls).toEqual([[failedToEvaluate('Aurora/RDS cluster "main"', RULE_ID, "plain text")]]);
  });

  it("re-throws a NotApplicableError from the check, reporting nothing", () => {
    const check = () => {
      throw new NotApplicableError("not for replicas");
    };
    const report = jest.fn();
    const { args } = resourceArgs(rds(), { stack: STACK, delivery: "wire" });
    expect(() => (toResourcePolicy(resourceRule({ check })).validateResource as Validate)(args, report)).toThrow(new NotApplicableError("not for replicas"));
    expect(report).not.toHaveBeenCalled();
  });

  it("knows NotApplicableError by its class name, not by its name property or a look-alike", () => {
    const renamed = Object.assign(new Error("renamed"), { name: "NotApplicableError" });
    expect(validate(resourceRule({ check: () => { throw renamed; } }), rds())).toEqual([[failedToEvaluate('RDS instance "orders"', RULE_ID, "renamed")]]);
    const lookalike = { constructor: { name: "NotApplicableError" }, message: "fake" };
    expect(validate(resourceRule({ check: () => { throw lookalike; } }), rds())).toEqual([[failedToEvaluate('RDS instance "orders"', RULE_ID, "[object Object]")]]);
  });

  it("reports a resource whose properties cannot be read, before any rule logic", () => {
    const props: Record<string, unknown> = {};
    Object.defineProperty(props, "tags", { enumerable: true, get: () => { throw new Error("unreadable"); } });
    const check = jest.fn<Finding[], Parameters<Check>>(() => []);
    const calls = validate(resourceRule({ appliesTo: [TABLE], check }), { type: TABLE, name: "carts", props }, { delivery: "raw" });
    expect(calls).toEqual([[failedToEvaluate('DynamoDB table "carts"', RULE_ID, "unreadable")]]);
    expect(check).not.toHaveBeenCalled();
  });
});

describe("toResourcePolicy: remediation", () => {
  function remediateWith(rule: ResourceRule, resource: FakeResource, options: { config?: Record<string, unknown>; delivery?: "wire" | "raw" } = {}) {
    const { args } = resourceArgs(resource, { stack: STACK, delivery: options.delivery ?? "wire", config: options.config });
    return { args, result: (toResourcePolicy(rule).remediateResource as Remediate)(args) };
  }

  it("sets the changes on the resource's own properties and returns them", () => {
    let before: Record<string, unknown> | undefined;
    const remediate = jest.fn((view: ResourceView) => ((before = { ...view.props }), { copyTagsToSnapshot: true, port: 5433 }));
    const config = { level: "remediate" };
    const { args, result } = remediateWith(resourceRule({ remediate }), rds({ copyTagsToSnapshot: false, port: 5432 }), { config });
    expect(result).toBe(args.props);
    expect({ ...result }).toEqual({ tags: PROD_TAGS, copyTagsToSnapshot: true, port: 5433 });
    expect(remediate).toHaveBeenCalledTimes(1);
    const [view, gotConfig, settings] = remediate.mock.calls[0] as unknown as [ResourceView, unknown, SharedSettings];
    expect(before).toEqual({ tags: PROD_TAGS, copyTagsToSnapshot: false, port: 5432 });
    expect(view.name).toBe("orders");
    expect(view.production).toEqual({ production: true, reason: "tag environment=production" });
    expect(gotConfig).toBe(config);
    expect(settings).toBe(currentSettings());
  });

  it("calls the rule's remediate with the rule as this", () => {
    const rule = resourceRule({
      remediate(this: ResourceRule) {
        return { remediatedBy: this.id };
      },
    });
    expect({ ...remediateWith(rule, rds()).result }).toEqual({ tags: PROD_TAGS, remediatedBy: RULE_ID });
  });

  it("keeps secrets secret, both the untouched ones and those it overwrites", async () => {
    const secret = (value: JavaScriptValue) => ({ [SECRET_SIG_KEY]: SECRET_SIG_VALUE, value });
    const wire = { tags: PROD_TAGS, password: secret("hunter2"), masterUsername: secret("admin"), copyTagsToSnapshot: false } as { [key: string]: JavaScriptValue };
    const { args } = resourceArgs(rds(), { stack: STACK, delivery: "wire" });
    // Remediate requests are deserialized keeping secrets (server.js, makeRemediateRpcFun).
    const remediateArgs = { ...args, props: unknownCheckingProxy(deserializeProperties(Struct.fromJavaScript(wire), true)) } as ResourceValidationArgs;
    const rule = resourceRule({ remediate: () => ({ copyTagsToSnapshot: true, masterUsername: "root" }) });
    const result = (toResourcePolicy(rule).remediateResource as Remediate)(remediateArgs);
    expect(result).toBe(remediateArgs.props);
    expect(await serializeProperties(result)).toEqual({ tags: PROD_TAGS, password: secret("hunter2"), masterUsername: secret("root"), copyTagsToSnapshot: true });
  });

  it("changes nothing when the rule has nothing to change", () => {
    const { args, result } = remediateWith(resourceRule({ remediate: () => undefined }), rds({ port: 5432 }));
    expect(result).toBeUndefined();
    expect({ ...args.props }).toEqual({ tags: PROD_TAGS, port: 5432 });
  });

  it("changes nothing, and does not throw, when the resource's properties cannot be read", () => {
    const props: Record<string, unknown> = {};
    Object.defineProperty(props, "tags", { enumerable: true, get: () => { throw new Error("unreadable"); } });
    const remediate = jest.fn(() => ({ copyTagsToSnapshot: true }));
    expect(remediateWith(resourceRule({ appliesTo: [TABLE], remediate }), { type: TABLE, name: "carts", props }, { delivery: "raw" }).result).toBeUndefined();
    expect(remediate).not.toHaveBeenCalled();
  });

  it("changes nothing when the remediation throws (the validation reports the problem)", () => {
    const { args, result } = remediateWith(resourceRule({ remediate: () => { throw new Error("boom"); } }), rds({ port: 5432 }));
    expect(result).toBeUndefined();
    expect({ ...args.props }).toEqual({ tags: PROD_TAGS, port: 5432 });
  });

  it.each([
    ["another type", { type: TABLE, name: "carts", props: { tags: PROD_TAGS } }, {}],
    ["a non-production resource", rds({ tags: { environment: "staging" } }), {}],
    ["a resource whose production is unknown", rds({ tags: UNKNOWN.object }), {}],
    ["a non-production resource, even for a rule of every resource", rds({ tags: {} }), { productionOnly: false }],
    ["an unknown-production resource, even for a rule of every resource", rds({ tags: UNKNOWN.object }), { productionOnly: false }],
  ])("does not remediate %s, nor call the rule", (_what, resource, overrides) => {
    const remediate = jest.fn(() => ({ deletionProtection: true }));
    const { args, result } = remediateWith(resourceRule({ remediate, ...overrides }), resource);
    expect(result).toBeUndefined();
    expect(remediate).not.toHaveBeenCalled();
    expect(Object.keys(args.props)).not.toContain("deletionProtection");
  });

  it("remediates a production resource for a rule of every resource", () => {
    expect({ ...remediateWith(resourceRule({ productionOnly: false, remediate: () => ({ a: 1 }) }), rds()).result }).toEqual({ tags: PROD_TAGS, a: 1 });
  });
});

describe("buildStackView", () => {
  const settings = parseSettings({});

  it("builds a view of every resource, in order, indexed by URN, with dependencies as URNs", () => {
    const provider = { type: PROVIDER, name: "aws", props: { region: "us-east-1" } };
    const resources = stackResources(
      [
        { type: "aws:backup/vault:Vault", name: "vault", props: { name: "vault" }, provider },
        { type: RDS, name: "orders", props: { tags: PROD_TAGS }, protect: true, provider },
        { type: "aws:backup/selection:Selection", name: "sel", props: { resources: ["x"] }, propertyDependencies: { resources: ["orders"], planId: ["vault", "orders"] } },
      ],
      STACK,
      "wire",
    );
    const view = buildStackView(resources, settings, "dev");
    const urn = (type: string, name: string) => `urn:pulumi:${STACK}::shop::${type}::${name}`;
    expect(view.stackName).toBe("dev");
    expect(view.resources.map((r) => r.urn)).toEqual([urn("aws:backup/vault:Vault", "vault"), urn(RDS, "orders"), urn("aws:backup/selection:Selection", "sel")]);
    expect([...view.byUrn.keys()]).toEqual(view.resources.map((r) => r.urn));
    expect(view.byUrn.get(urn(RDS, "orders"))).toBe(view.resources[1]);
    expect(view.resources[1]).toStrictEqual({
      type: RDS,
      name: "orders",
      urn: urn(RDS, "orders"),
      props: { tags: PROD_TAGS },
      opts: { protect: true, ignoreChanges: [], parent: undefined },
      provider: { type: PROVIDER, name: "aws", urn: urn(PROVIDER, "aws"), props: { region: "us-east-1" } },
      production: { production: true, reason: "tag environment=production" },
      dependencies: [],
      propertyDependencies: {},
    });
    expect(types.isProxy(view.resources[1]!.props)).toBe(false);
    expect(view.resources[2]!.dependencies).toEqual([urn(RDS, "orders"), urn("aws:backup/vault:Vault", "vault")]);
    expect(view.resources[2]!.propertyDependencies).toEqual({ resources: [urn(RDS, "orders")], planId: [urn("aws:backup/vault:Vault", "vault"), urn(RDS, "orders")] });
    expect(view.resources[2]!.provider).toBeUndefined();
  });

  it("takes the parent from the parent resource, else from the options", () => {
    const [a, b, c] = stackResources(
      [
        { type: RDS, name: "a", props: {} },
        { type: RDS, name: "b", props: {} },
        { type: RDS, name: "c", props: {} },
      ],
      STACK,
      "wire",
    ) as unknown as Array<Record<string, unknown> & { urn: string; opts: Record<string, unknown> }>;
    b!.parent = a;
    b!.opts = { ...b!.opts, parent: "urn:ignored" };
    c!.opts = { ...c!.opts, parent: "urn:pulumi:staging::shop::my:Component::outside" };
    const view = buildStackView([a, b, c] as unknown as PolicyResource[], settings, "dev");
    expect(view.resources.map((r) => r.opts.parent)).toEqual([undefined, a!.urn, "urn:pulumi:staging::shop::my:Component::outside"]);
  });

  it("reads missing dependency lists as empty", () => {
    const [r] = stackResources([{ type: RDS, name: "a", props: {} }], STACK, "wire") as unknown as Array<Record<string, unknown>>;
    delete r!.dependencies;
    r!.propertyDependencies = { arn: undefined };
    const view = buildStackView([r] as unknown as PolicyResource[], settings, "dev");
    expect(view.resources[0]!.dependencies).toEqual([]);
    expect(view.resources[0]!.propertyDependencies).toEqual({ arn: [] });
    delete r!.propertyDependencies;
    expect(buildStackView([r] as unknown as PolicyResource[], settings, "dev").resources[0]!.propertyDependencies).toEqual({});
  });

  it("judges production with the stack name, stack tags and settings given", () => {
    const resources = stackResources([{ type: TABLE, name: "t", props: { tags: { tier: "critical" } } }], STACK, "wire");
    expect(buildStackView(resources, settings, "prod").resources[0]!.production).toEqual({ production: true, reason: 'stack "prod" matches productionStacks pattern "prod"' });
    expect(buildStackView(resources, settings, "dev", new Map([["env", "production"]])).resources[0]!.production).toEqual({ production: true, reason: "stack tag env=production" });
    expect(buildStackView(resources, settings, "dev").resources[0]!.production).toEqual({ production: false });
    expect(buildStackView(resources, parseSettings({ productionTags: { tier: ["critical"] } }), "dev").resources[0]!.production).toEqual({ production: true, reason: "tag tier=critical" });
  });

  it("builds an empty view of an empty stack", () => {
    const view = buildStackView([], settings, "dev");
    expect(view).toEqual({ stackName: "dev", resources: [], byUrn: new Map() });
  });
});

describe("stackViewForCall: one view per AnalyzeStack call", () => {
  const fakes: FakeResource[] = [
    { type: RDS, name: "orders", props: { tags: PROD_TAGS } },
    { type: TABLE, name: "carts", props: {} },
  ];
  /** A fresh copy of the same resources, as @pulumi/policy hands each stack policy. */
  const copy = () => stackResources(fakes, STACK, "wire");
  const settings = parseSettings({});
  const tags: ReadonlyMap<string, string> = new Map();
  const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

  it("shares the view between the rules of one call", () => {
    const first = stackViewForCall("rule-a", copy(), settings, "dev", tags);
    expect(first.resources.map((r) => r.name)).toEqual(["orders", "carts"]);
    expect(stackViewForCall("rule-b", copy(), settings, "dev", tags)).toBe(first);
    expect(stackViewForCall("rule-c", copy(), settings, "dev", tags)).toBe(first);
  });

  it("starts a new call when a rule runs a second time", () => {
    const first = stackViewForCall("rule-a", copy(), settings, "dev", tags);
    const second = stackViewForCall("rule-a", copy(), settings, "dev", tags);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
    // The new call shares its own view; rule-b ran in neither before.
    expect(stackViewForCall("rule-b", copy(), settings, "dev", tags)).toBe(second);
  });

  it("starts a new call when the settings policy begins one", () => {
    const first = stackViewForCall("rule-a", copy(), settings, "dev", tags);
    beginStackCall();
    const second = stackViewForCall("rule-b", copy(), settings, "dev", tags);
    expect(second).not.toBe(first);
    expect(stackViewForCall("rule-a", copy(), settings, "dev", tags)).toBe(second);
  });

  it.each([
    ["other settings", { settings: parseSettings({}) }],
    ["another stack name", { stackName: "qa" }],
    ["other stack tags", { stackTags: new Map() }],
    ["no stack tags", { stackTags: undefined }],
  ])("rebuilds the view within a call for %s, and shares the rebuilt one", (_what, change: { settings?: SharedSettings; stackName?: string; stackTags?: ReadonlyMap<string, string> }) => {
    const first = stackViewForCall("rule-a", copy(), settings, "dev", tags);
    const next = { settings, stackName: "dev", stackTags: tags, ...change };
    const second = stackViewForCall("rule-b", copy(), next.settings, next.stackName, next.stackTags);
    expect(second).not.toBe(first);
    expect(second.stackName).toBe(next.stackName);
    expect(stackViewForCall("rule-c", copy(), next.settings, next.stackName, next.stackTags)).toBe(second);
  });

  it("rebuilds the view when the resources differ in number, URN or type", () => {
    const base = stackViewForCall("rule-a", copy(), settings, "dev", tags);
    const fewer = stackViewForCall("rule-b", copy().slice(0, 1), settings, "dev", tags);
    expect(fewer).not.toBe(base);
    expect(fewer.resources.map((r) => r.name)).toEqual(["orders"]);
    const more = stackViewForCall("rule-c", [...copy(), ...stackResources([{ type: RDS, name: "extra", props: {} }], STACK, "wire")], settings, "dev", tags);
    expect(more.resources.map((r) => r.name)).toEqual(["orders", "carts", "extra"]);

    const renamed = copy();
    (renamed[1] as { urn: string }).urn = "urn:pulumi:staging::shop::aws:dynamodb/table:Table::other";
    stackViewForCall("rule-d", copy(), settings, "dev", tags);
    const byUrn = stackViewForCall("rule-e", renamed, settings, "dev", tags);
    expect(byUrn.resources[1]!.urn).toBe("urn:pulumi:staging::shop::aws:dynamodb/table:Table::other");

    const retyped = copy();
    (retyped[0] as { type: string }).type = CLUSTER;
    const same = stackViewForCall("rule-f", copy(), settings, "dev", tags);
    const byType = stackViewForCall("rule-g", retyped, settings, "dev", tags);
    expect(byType).not.toBe(same);
    expect(byType.resources[0]!.type).toBe(CLUSTER);
  });

  it("shares the view of an empty stack", () => {
    const first = stackViewForCall("rule-a", [], settings, "dev", undefined);
    expect(stackViewForCall("rule-b", [], settings, "dev", undefined)).toBe(first);
  });

  it("forgets the call once the event loop turns, so the next call builds its own view", async () => {
    const first = stackViewForCall("rule-a", copy(), settings, "dev", tags);
    await tick();
    expect(stackViewForCall("rule-b", copy(), settings, "dev", tags)).not.toBe(first);
  });

  it("an earlier call's clean-up does not end a later call", async () => {
    stackViewForCall("rule-a", copy(), settings, "dev", tags); // call 1 schedules its clean-up
    let fromLater: StackView | undefined;
    const checked = new Promise<void>((resolve) =>
      setImmediate(() => {
        // Runs after call 1's clean-up and before call 2's.
        fromLater = stackViewForCall("rule-b", copy(), settings, "dev", tags);
        resolve();
      }),
    );
    beginStackCall(); // call 2
    const later = stackViewForCall("rule-a", copy(), settings, "dev", tags);
    await checked;
    expect(fromLater).toBe(later);
  });
});

describe("toStackPolicy", () => {
  const fakes: FakeResource[] = [
    { type: RDS, name: "orders", props: { tags: PROD_TAGS } },
    { type: TABLE, name: "carts", props: {} },
  ];
  const ORDERS_URN = RDS_URN;

  function validateStack(rule: StackRule, options: { config?: Record<string, unknown>; resources?: PolicyResource[] } = {}): unknown[][] {
    const { args } = stackArgs(options.resources ?? stackResources(fakes, STACK, "wire"), options.config);
    const report = jest.fn();
    (toStackPolicy(rule).validateStack as (a: StackValidationArgs, r: ReportViolation) => void)(args, report);
    return report.mock.calls;
  }

  it("carries the rule's metadata under its id", () => {
    const configSchema = { properties: { maxRpoMinutes: { type: "number" as const } } };
    const policy: StackValidationPolicy = toStackPolicy(stackRule(() => [], { configSchema }));
    expect(policy).toEqual({
      name: STACK_RULE_ID,
      description: "A stack rule under test.",
      enforcementLevel: "advisory",
      severity: "low",
      remediationSteps: "Fix the stack.",
      tags: ["stack", "test"],
      configSchema,
      validateStack: expect.any(Function),
    });
    expect(Object.getOwnPropertyDescriptor(policy.validateStack, "__pulumiType")).toBeUndefined();
  });

  it("gives the check the stack view, its config and the published settings", () => {
    publishSettings({ productionStacks: ["staging"] });
    const config = { maxRpoMinutes: 60 };
    let got: { stack: StackView; config: unknown; settings: SharedSettings } | undefined;
    expect(validateStack(stackRule((stack, c, settings) => ((got = { stack, config: c, settings }), [])), { config })).toEqual([]);
    expect(got!.stack.stackName).toBe(STACK);
    expect(got!.stack.resources.map((r) => [r.name, r.production])).toEqual([
      ["orders", { production: true, reason: 'stack "staging" matches productionStacks pattern "staging"' }],
      ["carts", { production: true, reason: 'stack "staging" matches productionStacks pattern "staging"' }],
    ]);
    expect(got!.config).toBe(config);
    expect(got!.settings).toBe(currentSettings());
  });

  it("reports each finding on its resource, or on the stack when it names none", () => {
    const calls = validateStack(stackRule(() => [{ message: "on orders", urn: ORDERS_URN, name: "orders" }, { message: "on the stack" }]));
    expect(calls).toStrictEqual([
      [{ message: "on orders", urn: ORDERS_URN }, ORDERS_URN],
      [{ message: "on the stack", urn: undefined }, undefined],
    ]);
  });

  it("reports deferred findings as advisory", () => {
    const calls = validateStack(stackRule((stack) => [deferredFinding(stack.resources[0]!, "whether a backup selection selects it", stack.resources[0]!.urn)]));
    expect(calls).toStrictEqual([
      [
        {
          message: 'Checked at deployment: RDS instance "orders": whether a backup selection selects it is unknown until deployment; this check runs again with the real value at `pulumi up`.',
          enforcementLevel: "advisory",
          urn: ORDERS_URN,
        },
        ORDERS_URN,
      ],
    ]);
  });

  it("waives a finding by the resource's name or URN", () => {
    const expires = inDays(20);
    publishSettings({ waivers: [waiver({ rule: STACK_RULE_ID, resource: "ord*", expires }), waiver({ rule: STACK_RULE_ID, resource: ORDERS_URN.replace("orders", "carts"), expires })] });
    const calls = validateStack(
      stackRule(() => [
        { message: "m1", urn: ORDERS_URN, name: "orders" },
        { message: "m2", urn: ORDERS_URN.replace("orders", "carts"), name: "carts" },
        { message: "m3", urn: "urn:pulumi:staging::shop::x:y:Z::other", name: "other" },
      ]),
    );
    const suffix = (n: number) => ` [waiver #${n}: owner team-data, expires ${expires}, reason: ${REASON}]`;
    expect(calls).toStrictEqual([
      [{ message: `Waived: m1${suffix(1)}`, enforcementLevel: "advisory", urn: ORDERS_URN }, ORDERS_URN],
      [{ message: `Waived: m2${suffix(2)}`, enforcementLevel: "advisory", urn: ORDERS_URN.replace("orders", "carts") }, ORDERS_URN.replace("orders", "carts")],
      [{ message: "m3", urn: "urn:pulumi:staging::shop::x:y:Z::other" }, "urn:pulumi:staging::shop::x:y:Z::other"],
    ]);
  });

  it("matches a finding that names no resource only by patterns that match an empty name", () => {
    publishSettings({ waivers: [waiver({ rule: STACK_RULE_ID, resource: "S*" })] });
    expect(validateStack(stackRule(() => [{ message: "m" }]))).toStrictEqual([[{ message: "m", urn: undefined }, undefined]]);
    publishSettings({ waivers: [waiver({ rule: STACK_RULE_ID, resource: "*" })] });
    expect(validateStack(stackRule(() => [{ message: "m" }]))[0]![0]).toMatchObject({ message: expect.stringMatching(/^Waived: m \[waiver #1:/), enforcementLevel: "advisory" });
  });

  it("does not waive a stack rule that is not waivable", () => {
    publishSettings({ waivers: [waiver({ rule: STACK_RULE_ID, resource: "orders" })] });
    expect(validateStack(stackRule(() => [{ message: "m", urn: ORDERS_URN, name: "orders" }], { waivable: false }))).toStrictEqual([[{ message: "m", urn: ORDERS_URN }, ORDERS_URN]]);
  });

  it("reports an error thrown by the check against the stack", () => {
    expect(validateStack(stackRule(() => { throw new Error("graph broke"); }))).toEqual([[failedToEvaluate("Stack", STACK_RULE_ID, "graph broke")]]);
    expect(validateStack(stackRule(() => { throw 42; }))).toEqual([[failedToEvaluate("Stack", STACK_RULE_ID, "42")]]);
  });

  it("reports a stack whose properties cannot be read", () => {
    const props: Record<string, unknown> = {};
    Object.defineProperty(props, "tags", { enumerable: true, get: () => { throw new Error("unreadable"); } });
    const check = jest.fn<Finding[], Parameters<StackRule["check"]>>(() => []);
    expect(validateStack(stackRule(check), { resources: stackResources([{ type: RDS, name: "x", props }], STACK, "raw") })).toEqual([[failedToEvaluate("Stack", STACK_RULE_ID, "unreadable")]]);
    expect(check).not.toHaveBeenCalled();
  });

  it("re-throws a NotApplicableError from the check", () => {
    const { args } = stackArgs(stackResources(fakes, STACK, "wire"));
    const report = jest.fn();
    const policy = toStackPolicy(stackRule(() => { throw new NotApplicableError("no databases"); }));
    expect(() => (policy.validateStack as (a: StackValidationArgs, r: ReportViolation) => void)(args, report)).toThrow(new NotApplicableError("no databases"));
    expect(report).not.toHaveBeenCalled();
  });

  it("shares one view between the stack rules of a call and builds a new one for the next call", () => {
    const views: StackView[] = [];
    const a = stackRule((stack) => (views.push(stack), []), { id: "stack-a" });
    const b = stackRule((stack) => (views.push(stack), []), { id: "stack-b" });
    validateStack(a);
    validateStack(b);
    validateStack(a); // runs again: a new call, even with the same resources
    validateStack(b);
    expect(views[1]).toBe(views[0]);
    expect(views[2]).not.toBe(views[0]);
    expect(views[3]).toBe(views[2]);
  });
});
