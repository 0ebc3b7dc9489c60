/**
 * The arguments `@pulumi/policy`'s server hands a policy (server.js, makeAnalyzeRpcFun and
 * makeAnalyzeStackRpcFun), built in-process so a fuzz case costs microseconds: properties behind
 * the library's own unknown-checking proxy, options as `getResourceOptions` builds them,
 * `notApplicable` throwing an error named `NotApplicableError`, and violations collected.
 *
 * Two ways in: `wire` runs a JSON bag through `google.protobuf.Struct` and the library's
 * `deserializeProperties` exactly as an `Analyze` request does; `raw` wraps any in-process value
 * (Secret objects, NaN, cyclic objects) in the proxy directly.
 */
import type { PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";

// Internal modules of @pulumi/policy (their .d.ts export nothing); the server uses exactly these.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy(value: unknown): unknown };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { deserializeProperties } = require("@pulumi/policy/deserialize") as { deserializeProperties(struct: Struct, keepSecrets: boolean): Record<string, unknown> };

/** The server's error for `args.notApplicable(...)`; the pack recognizes it by name. */
export class NotApplicableError extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "Policy does not apply");
    this.name = "NotApplicableError";
  }
}

export interface Violation {
  message: string;
  enforcementLevel?: string;
  urn?: string;
}

export interface FakeResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
  protect?: boolean;
  ignoreChanges?: string[];
  provider?: { type: string; name: string; props: Record<string, unknown> };
  /** Stack analysis: property name to the logical names of the resources its value came from. */
  propertyDependencies?: Record<string, string[]>;
}

/** How the properties reach the policy. */
export type Delivery = "wire" | "raw";

/** The properties as the policy receives them. */
export function deliveredProps(props: Record<string, unknown>, delivery: Delivery): Record<string, unknown> {
  if (delivery === "raw") return unknownCheckingProxy(props) as Record<string, unknown>;
  const struct = Struct.fromJavaScript(props as { [key: string]: JavaScriptValue });
  return unknownCheckingProxy(deserializeProperties(struct, false)) as Record<string, unknown>;
}

function urnOf(stack: string, type: string, name: string): string {
  return `urn:pulumi:${stack}::shop::${type}::${name}`;
}

function options(r: FakeResource) {
  return {
    protect: r.protect === true,
    ignoreChanges: r.ignoreChanges ?? [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
  };
}

function provider(r: FakeResource, stack: string, delivery: Delivery) {
  if (!r.provider) return undefined;
  return { type: r.provider.type, name: r.provider.name, urn: urnOf(stack, r.provider.type, r.provider.name), props: deliveredProps(r.provider.props, delivery) };
}

const noStackTags: ReadonlyMap<string, string> = new Map();

/** `ResourceValidationArgs` for one resource, and the violations its validation reports. */
export function resourceArgs(
  r: FakeResource,
  options_: { stack: string; delivery: Delivery; config?: Record<string, unknown> },
): { args: ResourceValidationArgs; violations: Violation[]; report: (v: string | Violation, urn?: string) => void } {
  const violations: Violation[] = [];
  const props = deliveredProps(r.props, options_.delivery);
  const args = {
    type: r.type,
    props,
    urn: urnOf(options_.stack, r.type, r.name),
    name: r.name,
    opts: options(r),
    stackTags: noStackTags,
    provider: provider(r, options_.stack, options_.delivery),
    isType: () => false,
    asType: () => undefined,
    getConfig: () => options_.config ?? {},
    notApplicable: (reason?: string): never => {
      throw new NotApplicableError(reason);
    },
  } as unknown as ResourceValidationArgs;
  const report = (v: string | Violation, urn?: string) => violations.push(typeof v === "string" ? { message: v, urn } : v);
  return { args, violations, report };
}

/** The resources of `StackValidationArgs`, linked as the server links them (dependencies are resource objects). */
export function stackResources(resources: readonly FakeResource[], stack: string, delivery: Delivery): PolicyResource[] {
  const built = resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: urnOf(stack, r.type, r.name),
    props: deliveredProps(r.props, delivery),
    opts: options(r),
    provider: provider(r, stack, delivery),
    dependencies: [] as unknown[],
    propertyDependencies: {} as Record<string, unknown[]>,
    isType: () => false,
    asType: () => undefined,
  }));
  const byName = new Map(built.map((b) => [b.name, b]));
  resources.forEach((r, i) => {
    const b = built[i]!;
    for (const [property, names] of Object.entries(r.propertyDependencies ?? {})) {
      // The server drops URNs it cannot resolve to a resource of the stack.
      const deps = names.map((n) => byName.get(n)).filter((d) => d !== undefined);
      b.propertyDependencies[property] = deps;
      for (const d of deps) if (!b.dependencies.includes(d)) b.dependencies.push(d);
    }
  });
  return built as unknown as PolicyResource[];
}

export function stackArgs(resources: PolicyResource[], config: Record<string, unknown> = {}): { args: StackValidationArgs; violations: Violation[]; report: (v: string | Violation, urn?: string) => void } {
  const violations: Violation[] = [];
  const args = {
    resources,
    getConfig: () => config,
    stackTags: noStackTags,
    notApplicable: (reason?: string): never => {
      throw new NotApplicableError(reason);
    },
  } as unknown as StackValidationArgs;
  return { args, violations, report: (v, urn) => violations.push(typeof v === "string" ? { message: v, urn } : v) };
}
