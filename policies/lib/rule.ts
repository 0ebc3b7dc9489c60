/**
 * The shape of a rule and the one adapter that turns it into a `@pulumi/policy` policy.
 *
 * A rule module exports a plain object with a pure `check` function (tests call it directly);
 * this file does what every rule needs once: decide whether the resource is production, unwrap
 * the engine's proxies so that one unknown value defers only its own check, apply waivers, tag
 * deferred and waived findings so reports can tell them apart, and turn any unexpected error into
 * a violation instead of a crashed deployment or a silent pass.
 */
import type {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { type PlainProps, unwrapProperties } from "./properties";
import { type ProductionVerdict, classifyProduction } from "./production";
import { type SharedSettings, currentSettings, currentStackName } from "./settings";
import { AWS_PROVIDER, BACKUP_PLAN, BACKUP_SELECTION, BACKUP_VAULT, DYNAMODB_TABLE, RDS_CLUSTER, RDS_INSTANCE } from "./tokens";
import { type Waiver, checkWaivers, findWaiver } from "./waivers";

/** Findings that could not be judged because a value is unknown before deployment start with this. */
export const DEFERRED_PREFIX = "Checked at deployment: ";
/** Findings switched to advisory by a waiver start with this. */
export const WAIVED_PREFIX = "Waived: ";

export interface Finding {
  /** What is wrong, on which resource, why it matters and the fix. */
  message: string;
  /** The check needs a value that is unknown until deployment. */
  deferred?: boolean;
  /** Stack rules: the resource the finding is about. */
  urn?: string;
  /** Stack rules: that resource's logical name (for waivers). */
  name?: string;
}

/** A resource as rules see it: plain properties, options, provider, production verdict. */
export interface ResourceView {
  type: string;
  name: string;
  urn: string;
  props: PlainProps;
  opts: {
    protect: boolean;
    ignoreChanges: string[];
    parent?: string;
  };
  provider?: { type: string; name: string; urn: string; props: PlainProps };
  production: ProductionVerdict;
  /** Stack rules only. */
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
}

interface RuleMetadata {
  /** Public, stable rule id (also the policy name). */
  id: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  severity: Severity;
  /** False for the rules whose protection no exception may remove. */
  waivable: boolean;
  remediationSteps: string;
  tags: string[];
  configSchema?: PolicyConfigSchema;
}

export interface ResourceRule<C = Record<string, unknown>> extends RuleMetadata {
  /** Type tokens the rule judges. */
  appliesTo: readonly string[];
  /** Judge production resources only (true), or every resource of its types (false). */
  productionOnly: boolean;
  check(resource: ResourceView, config: C, settings: SharedSettings): Finding[];
  /** Property changes that fix the finding safely (for the `remediate` level); undefined: nothing to change. */
  remediate?(resource: ResourceView, config: C, settings: SharedSettings): Record<string, unknown> | undefined;
}

export interface StackView {
  stackName: string;
  resources: ResourceView[];
  byUrn: ReadonlyMap<string, ResourceView>;
}

export interface StackRule<C = Record<string, unknown>> extends RuleMetadata {
  check(stack: StackView, config: C, settings: SharedSettings): Finding[];
}

const TYPE_LABELS: ReadonlyMap<string, string> = new Map([
  [RDS_INSTANCE, "RDS instance"],
  [RDS_CLUSTER, "Aurora/RDS cluster"],
  [DYNAMODB_TABLE, "DynamoDB table"],
  [BACKUP_PLAN, "backup plan"],
  [BACKUP_SELECTION, "backup selection"],
  [BACKUP_VAULT, "backup vault"],
  [AWS_PROVIDER, "AWS provider"],
]);

/** Short human label of a type token, for messages: "RDS instance", "DynamoDB table". */
export function typeLabel(type: string): string {
  return TYPE_LABELS.get(type) ?? type;
}

/** `RDS instance "orders"` */
export function resourceLabel(r: { type: string; name: string }): string {
  return `${typeLabel(r.type)} "${r.name}"`;
}

/** Every message has the same four parts so that it reads the same at 2 a.m. */
export function violationMessage(parts: { resource: { type: string; name: string }; problem: string; why: string; fix: string }): string {
  return `${resourceLabel(parts.resource)}: ${parts.problem}. Why it matters: ${parts.why} Fix: ${parts.fix}`;
}

export function deferredFinding(resource: { type: string; name: string }, what: string, urn?: string): Finding {
  return { deferred: true, urn, name: resource.name, message: `${resourceLabel(resource)}: ${what} is unknown until deployment; this check runs again with the real value at \`pulumi up\`.` };
}

let waiverMemo: { settings: SharedSettings; day: number; active: Waiver[]; problems: string[] } | undefined;
let registeredRuleIds: ReadonlySet<string> = new Set();
let unwaivableRuleIds: ReadonlySet<string> = new Set();

/** Called once by the pack's entry point with every rule, so waivers can be checked against them. */
export function registerRuleIds(all: ReadonlyArray<{ id: string; waivable: boolean }>): void {
  registeredRuleIds = new Set(all.map((r) => r.id));
  unwaivableRuleIds = new Set(all.filter((r) => !r.waivable).map((r) => r.id));
  waiverMemo = undefined;
}

/** Waivers in force and problems with the others, for the current settings and day. */
export function waiverState(settings: SharedSettings, now: Date = new Date()): { active: Waiver[]; problems: string[] } {
  const day = Math.floor(now.getTime() / 86_400_000);
  if (!waiverMemo || waiverMemo.settings !== settings || waiverMemo.day !== day) {
    const { active, problems } = checkWaivers(settings.waivers, registeredRuleIds, unwaivableRuleIds, now);
    waiverMemo = { settings, day, active, problems };
  }
  return waiverMemo;
}

function toView(
  r: { type: string; name: string; urn: string; props: unknown; opts?: { protect?: boolean; ignoreChanges?: string[]; parent?: string }; provider?: { type: string; name: string; urn: string; props: unknown } },
  settings: SharedSettings,
  stackName: string,
  stackTags: ReadonlyMap<string, string> | undefined,
): ResourceView {
  const props = unwrapProperties(r.props);
  const providerProps = r.provider ? unwrapProperties(r.provider.props) : undefined;
  const ignore = Array.isArray(r.opts?.ignoreChanges) ? r.opts!.ignoreChanges!.filter((x): x is string => typeof x === "string") : [];
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    props,
    opts: { protect: r.opts?.protect === true, ignoreChanges: ignore, parent: r.opts?.parent || undefined },
    provider: r.provider && providerProps ? { type: r.provider.type, name: r.provider.name, urn: r.provider.urn, props: providerProps } : undefined,
    production: productionOf(r.type, props, providerProps, stackName, stackTags, settings),
  };
}

/** A provider is production by its own defaultTags; any other resource by its tags over its provider's. */
export function productionOf(
  type: string,
  props: PlainProps,
  providerProps: PlainProps | undefined,
  stackName: string,
  stackTags: ReadonlyMap<string, string> | undefined,
  settings: SharedSettings,
): ProductionVerdict {
  if (type === AWS_PROVIDER) return classifyProduction({ props: {}, providerProps: props, stackName, stackTags }, settings);
  return classifyProduction({ props, providerProps, stackName, stackTags }, settings);
}

/**
 * `@pulumi/policy` accepts a violation object with its own level (server.js,
 * makeReportViolationFun), though its published type only shows a string: deferred and waived
 * findings use it to report as advisory from a mandatory rule.
 */
type RichReport = (violation: { message: string; enforcementLevel?: EnforcementLevel; urn?: string }, urn?: string) => void;

function report(rule: RuleMetadata, f: Finding, urn: string, name: string, settings: SharedSettings, reportViolation: ReportViolation): void {
  const send = reportViolation as unknown as RichReport;
  const target = urn || undefined;
  if (f.deferred) {
    send({ message: DEFERRED_PREFIX + f.message, enforcementLevel: "advisory", urn: target }, target);
    return;
  }
  if (rule.waivable) {
    const waiver = findWaiver(waiverState(settings).active, rule.id, urn, name);
    if (waiver) {
      const text = `${WAIVED_PREFIX}${f.message} [waiver #${waiver.index + 1}: owner ${waiver.owner}, expires ${waiver.expires}, reason: ${waiver.reason}]`;
      send({ message: text, enforcementLevel: "advisory", urn: target }, target);
      return;
    }
  }
  send({ message: f.message, urn: target }, target);
}

/**
 * `args.notApplicable(reason)` throws `@pulumi/policy`'s `NotApplicableError`, which its server
 * catches (`instanceof`) to report the rule as not applicable to the resource. Most rules do not
 * apply to most resources, so this is the commonest outcome of `Analyze`, and constructing an
 * `Error` for it, inside the server's generator, was most of the pack's cost over the no-op pack
 * (bench/RESULTS.md). The signal is therefore built once per reason: the first call lets
 * `args.notApplicable` throw for real, keeps the prototype of what it threw, and later calls
 * throw a plain object of that prototype carrying the reason, which the server treats the same
 * (`instanceof`, then `reason`). Should `args.notApplicable` ever stop throwing an object, every
 * call goes through it as documented.
 */
interface NotApplicableSignals {
  /** The prototype of what `notApplicable` throws; null when it throws no NotApplicableError. */
  prototype: object | null;
  byReason: Map<string, object>;
}
/** Keyed by the `notApplicable` function: the server has one; tests may bring their own. */
const notApplicableSignals = new WeakMap<(reason?: string) => never, NotApplicableSignals>();

function declareNotApplicable(args: { notApplicable(reason?: string): never }, reason: string): never {
  const known = notApplicableSignals.get(args.notApplicable);
  const signal = known?.byReason.get(reason);
  if (signal) throw signal;
  if (!known) {
    let thrown: unknown;
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      args.notApplicable(reason);
    } catch (e) {
      thrown = e;
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    notApplicableSignals.set(args.notApplicable, { prototype: isNotApplicable(thrown) ? Object.getPrototypeOf(thrown) : null, byReason: new Map() });
    if (thrown !== undefined) throw thrown;
    return undefined as never; // it did not throw: the rule is done with this resource either way
  }
  if (known.prototype === null) return args.notApplicable(reason);
  const created = Object.create(known.prototype, {
    reason: { value: reason, enumerable: true },
    message: { value: reason },
  }) as object;
  // Reasons are few (one per rule's list of types, and "not a production resource"); bounded anyway.
  if (known.byReason.size < 64) known.byReason.set(reason, created);
  throw created;
}

function isNotApplicable(e: unknown): boolean {
  return e instanceof Error && e.constructor.name === "NotApplicableError";
}

function internalErrorMessage(rule: RuleMetadata, subject: string, e: unknown): string {
  const detail = e instanceof Error ? e.message : String(e);
  return `${subject}: the ${rule.id} check failed to evaluate (${detail}). Why it matters: a check that cannot run must not pass a production database. Fix: report this pack error with the resource's properties; until then, review the resource by hand.`;
}

function policyMetadata(rule: RuleMetadata) {
  return {
    name: rule.id,
    description: rule.description,
    enforcementLevel: rule.enforcementLevel,
    severity: rule.severity,
    remediationSteps: rule.remediationSteps,
    tags: rule.tags,
    configSchema: rule.configSchema,
  };
}

/** The `@pulumi/policy` resource policy for a rule. */
export function toResourcePolicy<C>(rule: ResourceRule<C>): ResourceValidationPolicy {
  const applies = new Set(rule.appliesTo);
  const prepare = (args: ResourceValidationArgs): { view: ResourceView; settings: SharedSettings } | string => {
    if (!applies.has(args.type)) return `applies to ${rule.appliesTo.join(", ")}`;
    const settings = currentSettings();
    const view = toView(args, settings, currentStackName(), args.stackTags);
    if (rule.productionOnly && view.production.production === false) return "not a production resource";
    return { view, settings };
  };
  const policy: ResourceValidationPolicy = {
    ...policyMetadata(rule),
    validateResource: (args, reportViolation) => {
      let prepared: ReturnType<typeof prepare>;
      try {
        prepared = prepare(args);
      } catch (e) {
        // Reading the resource failed before any rule logic: still a finding, never a crashed call.
        reportViolation(internalErrorMessage(rule, resourceLabel(args), e));
        return;
      }
      if (typeof prepared === "string") return declareNotApplicable(args, prepared);
      const { view, settings } = prepared as { view: ResourceView; settings: SharedSettings };
      try {
        if (rule.productionOnly && view.production.production === "unknown") {
          report(rule, deferredFinding(view, `whether it is production (${view.production.reason})`), view.urn, view.name, settings, reportViolation);
          return;
        }
        for (const f of rule.check(view, args.getConfig<C & object>(), settings)) report(rule, f, view.urn, view.name, settings, reportViolation);
      } catch (e) {
        if (isNotApplicable(e)) throw e;
        reportViolation(internalErrorMessage(rule, resourceLabel(view), e));
      }
    },
  };
  if (rule.remediate) {
    const remediate = rule.remediate.bind(rule);
    policy.remediateResource = (args) => {
      let prepared: ReturnType<typeof prepare>;
      try {
        prepared = prepare(args);
      } catch {
        return undefined; // a resource that cannot be read is reported by the validation, never remediated
      }
      if (typeof prepared === "string" || prepared.view.production.production !== true) return undefined;
      let changes: Record<string, unknown> | undefined;
      try {
        changes = remediate(prepared.view, args.getConfig<C & object>(), prepared.settings);
      } catch {
        return undefined; // the validation reports the problem; a remediation never guesses
      }
      if (!changes) return undefined;
      // Set through the engine's proxy so secrets stay secrets when the result is serialized.
      const props = args.props as Record<string, unknown>;
      for (const [k, v] of Object.entries(changes)) props[k] = v;
      return props;
    };
  }
  markSingleType(rule, policy.validateResource);
  markSingleType(rule, policy.remediateResource);
  return policy;
}

/**
 * A rule for one resource type carries that type as `__pulumiType`, the mark `@pulumi/policy`'s
 * `validateResourceOfType` sets: its server then answers "not applicable" for every other type
 * without deserializing the properties or calling the rule (server.js, "Fast check"), which for
 * `aws-provider-account-pinned` is every resource but the providers. Should a later
 * `@pulumi/policy` ignore the mark, the rule still declares itself not applicable as before.
 */
function markSingleType(rule: { appliesTo: readonly string[] }, fn: unknown): void {
  if (typeof fn !== "function" || rule.appliesTo.length !== 1) return;
  Object.defineProperty(fn, "__pulumiType", { value: rule.appliesTo[0], enumerable: false });
}

/** Builds the stack view once per call: every rule indexes what it needs from it in one pass. */
export function buildStackView(resources: readonly PolicyResource[], settings: SharedSettings, stackName: string, stackTags?: ReadonlyMap<string, string>): StackView {
  const views: ResourceView[] = [];
  const byUrn = new Map<string, ResourceView>();
  for (const r of resources) {
    const v = toView({ ...r, opts: { ...r.opts, parent: r.parent?.urn ?? r.opts?.parent } }, settings, stackName, stackTags);
    v.dependencies = (r.dependencies ?? []).map((d) => d.urn);
    const pd: Record<string, string[]> = {};
    for (const [k, deps] of Object.entries(r.propertyDependencies ?? {})) pd[k] = (deps ?? []).map((d) => d.urn);
    v.propertyDependencies = pd;
    views.push(v);
    byUrn.set(v.urn, v);
  }
  return { stackName, resources: views, byUrn };
}

/**
 * One `AnalyzeStack` call runs every stack rule in turn, and `@pulumi/policy` hands each its own
 * copy of the same resources. Building the view once per call instead of once per rule was most of
 * the pack's cost over large stacks. A call is recognised without trusting content: the settings
 * policy runs first in every call and starts a new one ({@link beginStackCall}); should it be
 * disabled, a rule that runs a second time also starts one, since each rule runs once per call.
 * `@pulumi/policy` runs a call's policies one after another without yielding to other requests
 * (our validations are synchronous), so no other call can interleave. The resources' count, URNs
 * and types, the settings, stack name and tags must also match, or the view is rebuilt.
 */
interface StackCall {
  ran: Set<string>;
  shared?: { settings: SharedSettings; stackName: string; stackTags: ReadonlyMap<string, string> | undefined; view: StackView };
}

let stackCall: StackCall | undefined;

function startStackCall(): StackCall {
  const call: StackCall = { ran: new Set() };
  stackCall = call;
  // Do not hold a large stack's view past the call that built it.
  setImmediate(() => {
    if (stackCall === call) stackCall = undefined;
  });
  return call;
}

/** Called by the settings policy at the start of every `AnalyzeStack` call. */
export function beginStackCall(): void {
  startStackCall();
}

function sameResources(view: StackView, resources: readonly PolicyResource[]): boolean {
  if (view.resources.length !== resources.length) return false;
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i]!;
    const v = view.resources[i]!;
    if (v.urn !== r.urn || v.type !== r.type) return false;
  }
  return true;
}

/** The stack view for this rule in the current call: shared with the call's other rules. */
export function stackViewForCall(ruleId: string, resources: readonly PolicyResource[], settings: SharedSettings, stackName: string, stackTags?: ReadonlyMap<string, string>): StackView {
  let call = stackCall;
  if (call === undefined || call.ran.has(ruleId)) call = startStackCall();
  call.ran.add(ruleId);
  const shared = call.shared;
  if (shared && shared.settings === settings && shared.stackName === stackName && shared.stackTags === stackTags && sameResources(shared.view, resources)) {
    return shared.view;
  }
  const view = buildStackView(resources, settings, stackName, stackTags);
  call.shared = { settings, stackName, stackTags, view };
  return view;
}

/** The `@pulumi/policy` stack policy for a rule. */
export function toStackPolicy<C>(rule: StackRule<C>): StackValidationPolicy {
  return {
    ...policyMetadata(rule),
    validateStack: (args: StackValidationArgs, reportViolation) => {
      const settings = currentSettings();
      try {
        const stack = stackViewForCall(rule.id, args.resources, settings, currentStackName(), args.stackTags);
        for (const f of rule.check(stack, args.getConfig<C & object>(), settings)) {
          report(rule, f, f.urn ?? "", f.name ?? "", settings, reportViolation);
        }
      } catch (e) {
        if (isNotApplicable(e)) throw e;
        reportViolation(internalErrorMessage(rule, "Stack", e));
      }
    },
  };
}
