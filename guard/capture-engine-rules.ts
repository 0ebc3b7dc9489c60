/**
 * What the Pulumi engine does to a registration before a policy pack sees it, as pure functions.
 *
 * Each function mirrors one piece of pulumi/pulumi (named in its comment) so the offline capture
 * sends the pack what `pulumi preview --policy-pack` would. No Pulumi SDK import: the capture child
 * and the tests both use these.
 */
import { UNKNOWN, SECRET_SIG_KEY, type WireProperties, type WireValue } from "./wire";

export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
export const PROVIDER_TYPE_PREFIX = "pulumi:providers:";

/** `specialResourceSig` in sdk/nodejs/runtime/rpc.ts: marks a serialized resource reference. */
export const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/** The qualified type of a URN (`parent$child` chain), the third `::` part. */
export function qualifiedTypeOfUrn(urn: string): string {
  const parts = urn.split("::");
  if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) {
    throw new Error(`not a Pulumi URN: ${JSON.stringify(urn)}`);
  }
  return parts[2];
}

/** The name part of a URN (everything after the fourth `::`, names may contain `::`). */
export function nameOfUrn(urn: string): string {
  qualifiedTypeOfUrn(urn);
  return urn.split("::").slice(3).join("::");
}

/**
 * `Deployment.generateURN` (pkg/resource/deploy/deployment.go): the parent's full qualified type
 * prefixes the child's type with `$`, except when the parent is the root stack.
 */
export function engineUrn(stack: string, project: string, parentUrn: string, type: string, name: string): string {
  let qualifiedType = type;
  if (parentUrn !== "") {
    const parentType = qualifiedTypeOfUrn(parentUrn);
    if (parentType !== ROOT_STACK_TYPE) {
      qualifiedType = `${parentType}$${type}`;
    }
  }
  return `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
}

/** The alias spec the Node SDK sends (`pulumirpc.Alias.Spec`). */
export interface AliasSpec {
  name: string;
  type: string;
  stack: string;
  project: string;
  parentUrn: string;
  noParent: boolean;
}

/**
 * `stepGenerator.collapseAliasToUrn` + `resource.CreateURN`: empty fields default to the resource's
 * own; a root-stack or absent parent gives an unprefixed type.
 */
export function collapseAliasToUrn(
  resource: { name: string; type: string; parentUrn: string; stack: string; project: string },
  alias: AliasSpec,
): string {
  const name = alias.name || resource.name;
  const type = alias.type || resource.type;
  let parent = alias.parentUrn || resource.parentUrn;
  if (alias.noParent || (parent !== "" && qualifiedTypeOfUrn(parent) === ROOT_STACK_TYPE)) {
    parent = "";
  }
  const project = alias.project || resource.project;
  const stack = alias.stack || resource.stack;
  if (parent === "") {
    return `urn:pulumi:${stack}::${project}::${type}::${name}`;
  }
  // CreateURN keeps everything of the parent up to its last `::` (the name) and appends `$type`.
  return `${parent.slice(0, parent.lastIndexOf("::"))}$${type}::${name}`;
}

/** The package of a type token (`aws:s3/bucket:Bucket` -> `aws`; `pulumi:providers:aws` -> `pulumi`). */
export function packageOfType(type: string): string {
  const parts = type.split(":");
  if (parts.length !== 3 || parts.some((part) => part === "")) {
    throw new Error(`${JSON.stringify(type)} is not a three-part type token (package:module:Type)`);
  }
  return parts[0];
}

export function isProviderType(type: string): boolean {
  return type.startsWith(PROVIDER_TYPE_PREFIX) && type.length > PROVIDER_TYPE_PREFIX.length;
}

/** `pulumirpc` provider references are `<provider URN>::<provider ID>`. */
export function parseProviderReference(reference: string): { urn: string; id: string } {
  const cut = reference.lastIndexOf("::");
  if (cut <= 0) {
    throw new Error(`malformed provider reference ${JSON.stringify(reference)}`);
  }
  const urn = reference.slice(0, cut);
  qualifiedTypeOfUrn(urn);
  return { urn, id: reference.slice(cut + 2) };
}

const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** `tokens.IntoQName`: every byte outside `[A-Za-z0-9_.-]` of each `/`-separated segment becomes `_`. */
function intoQName(text: string): string {
  const segments = text
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) =>
      Array.from(Buffer.from(segment, "utf8"))
        .map((byte) => (/[A-Za-z0-9_.-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : "_"))
        .join(""),
    );
  const joined = segments.join("/");
  return joined === "" ? "_" : joined;
}

/**
 * `ProviderRequest.DefaultName` (pkg/resource/deploy/providers/provider.go): `default`, then
 * `_major_minor_patch`, each pre-release and build identifier, and the plugin download URL.
 */
export function defaultProviderName(version: string, pluginDownloadUrl = ""): string {
  let name = "default";
  if (version !== "") {
    const match = SEMVER.exec(version);
    if (!match) {
      throw new Error(`provider version ${JSON.stringify(version)} is not a semantic version`);
    }
    name += `_${match[1]}_${match[2]}_${match[3]}`;
    for (const identifier of [...(match[4]?.split(".") ?? []), ...(match[5]?.split(".") ?? [])]) {
      name += `_${identifier}`;
    }
  }
  if (pluginDownloadUrl !== "") {
    name += `_${intoQName(pluginDownloadUrl)}`;
  }
  return name;
}

const DURATION_UNIT_NANOSECONDS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n,
  "\u03bcs": 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_DURATION_NANOSECONDS = (1n << 63n) - 1n;

/**
 * Go's `time.ParseDuration(text).Seconds()`, which the engine applies to each custom timeout
 * (`generateTimeoutInSeconds`, pkg/resource/deploy/source_eval.go). Throws the engine's message.
 */
export function customTimeoutSeconds(text: string): number {
  const failure = new Error(`unable to parse customTimeout Value ${text}`);
  let rest = text;
  let negative = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest.startsWith("-");
    rest = rest.slice(1);
  }
  if (rest === "0") {
    return 0;
  }
  if (rest === "") {
    throw failure;
  }
  let total = 0n;
  const component = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]+)/;
  while (rest !== "") {
    const match = component.exec(rest);
    if (!match || (match[1] === "" && (match[2] ?? "") === "")) {
      throw failure;
    }
    // The unit is the longest run of non-digits; it must be one Go knows.
    const unit = DURATION_UNIT_NANOSECONDS[match[3]];
    if (unit === undefined) {
      throw failure;
    }
    let nanoseconds = BigInt(match[1] === "" ? "0" : match[1]) * unit;
    const fraction = match[2] ?? "";
    if (fraction !== "") {
      // Go scales the fraction in floating point and truncates.
      nanoseconds += BigInt(Math.trunc(Number(`0.${fraction}`) * Number(unit)));
    }
    total += nanoseconds;
    if (total > MAX_DURATION_NANOSECONDS) {
      throw failure;
    }
    rest = rest.slice(match[0].length);
  }
  const seconds = Number(total) / 1e9;
  return negative ? -seconds : seconds;
}

/**
 * Go's `json.Marshal` of a config value: map keys sorted, `<`, `>`, `&`, U+2028 and U+2029
 * escaped. The engine renders structured config this way (`config.Plaintext.marshalText`).
 */
export function goJsonText(value: unknown): string {
  if (value === null || value === undefined) {
    return "null";
  }
  if (typeof value === "string") {
    return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new Error(`config value ${value} is not representable in JSON`);
    }
    return JSON.stringify(value);
  }
  if (typeof value === "boolean") {
    return value ? "true" : "false";
  }
  if (Array.isArray(value)) {
    return `[${value.map((element) => goJsonText(element)).join(",")}]`;
  }
  if (typeof value === "object") {
    const entries = Object.keys(value as Record<string, unknown>)
      .sort()
      .map((key) => `${goJsonText(key)}:${goJsonText((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  throw new Error(`config value of type ${typeof value} is not representable in JSON`);
}

/** A config value as the engine hands it to programs and default providers: strings raw, the rest JSON. */
export function configValueText(value: unknown): string {
  return typeof value === "string" ? value : goJsonText(value);
}

function isPlainObject(value: unknown): value is Record<string, WireValue> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `plugin.MarshalPropertyValue` with `KeepResources: false` (how the analyzer plugin marshals
 * properties): a resource reference becomes its ID when it has an `id` field (unknown if empty or
 * unknown), else its URN.
 */
export function downgradeResourceReferences(value: WireValue): WireValue {
  if (Array.isArray(value)) {
    return value.map((element) => downgradeResourceReferences(element));
  }
  if (!isPlainObject(value)) {
    return value;
  }
  if (value[SECRET_SIG_KEY] === RESOURCE_REFERENCE_SIG) {
    const urn = value["urn"];
    if (typeof urn !== "string") {
      throw new Error("malformed resource reference: urn is not a string");
    }
    if (!Object.prototype.hasOwnProperty.call(value, "id")) {
      return urn;
    }
    const id = value["id"];
    if (id === "" || id === UNKNOWN.string) {
      return UNKNOWN.string;
    }
    if (typeof id !== "string") {
      throw new Error(`malformed resource reference to ${urn}: id is not a string`);
    }
    return id;
  }
  // fromEntries defines own properties, so even a `__proto__` key stays a plain key.
  return Object.fromEntries(Object.entries(value).map(([key, element]) => [key, downgradeResourceReferences(element)]));
}

/**
 * The properties of one resource as the analyzer plugin sends them: top-level keys starting with
 * `__` skipped (`SkipInternalKeys`), resource references downgraded.
 */
export function analyzerWireProperties(properties: WireProperties): WireProperties {
  return Object.fromEntries(
    Object.entries(properties)
      .filter(([key]) => !key.startsWith("__"))
      .map(([key, value]) => [key, downgradeResourceReferences(value)]),
  );
}

/**
 * `pulumi:disable-default-providers` (`defaultProviders.shouldDenyRequest`): a JSON list of
 * package names or `*`; the `pulumi` package is never denied. Throws the engine's errors.
 */
export function isDefaultProviderDisabled(disableSetting: string | undefined, pkg: string): boolean {
  if (pkg === "pulumi" || disableSetting === undefined || disableSetting === "") {
    return false;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(disableSetting);
  } catch (err) {
    throw new Error(`Failed to parse ${disableSetting}: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) {
    throw new Error(`Failed to parse ${disableSetting}: not a list`);
  }
  return parsed.some((entry, index) => {
    if (typeof entry !== "string") {
      throw new Error(`pulumi:disable-default-providers[${index}] must be a string`);
    }
    const barred = entry.trim();
    return barred === "*" || barred === pkg;
  });
}
