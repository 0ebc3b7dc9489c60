/**
 * What counts as production: one definition for every rule, the components and the offline report.
 *
 * A resource is production when its stack name matches a `productionStacks` pattern, or when its
 * effective tags (the provider's `defaultTags` overlaid by the resource's own `tags`, as the AWS
 * provider merges them) or the stack's tags carry a production tag. Keys and values compare
 * case-insensitively: `Environment=Production` is production to a human, so it is to the pack.
 */
import { type PlainProps, type Reading, isUnknownValue, readObject, readRaw, toObject } from "./properties";
import { globMatches } from "./glob";
import type { SharedSettings } from "./settings";

export type ProductionVerdict =
  | { production: true; reason: string }
  | { production: false }
  /** Tags are unknown until deployment and the stack name does not decide it. */
  | { production: "unknown"; reason: string };

export interface ProductionInput {
  props: PlainProps;
  /** The resource's provider properties (explicit or default provider). */
  providerProps?: PlainProps;
  stackName: string;
  stackTags?: ReadonlyMap<string, string>;
}

/** `*` matches any run of characters; everything else literally; whole name, case-insensitive. */
export function matchesPattern(value: string, pattern: string): boolean {
  return globMatches(pattern, value, { ignoreCase: true });
}

export function isProductionStack(stackName: string, settings: SharedSettings): string | undefined {
  return settings.productionStacks.find((p) => stackName !== "" && matchesPattern(stackName, p));
}

/** The production tag (key=value as written) among these tags, if any. */
export function productionTagIn(tags: Record<string, unknown>, settings: SharedSettings): { tag?: string; unknownKey?: string } {
  const wanted = new Map<string, string[]>();
  for (const [k, values] of Object.entries(settings.productionTags)) {
    wanted.set(k.toLowerCase(), values.map((v) => v.toLowerCase()));
  }
  let unknownKey: string | undefined;
  for (const [key, value] of Object.entries(tags)) {
    const values = wanted.get(key.toLowerCase());
    if (!values) continue;
    if (isUnknownValue(value)) unknownKey = key;
    else if (typeof value === "string" && values.includes(value.trim().toLowerCase())) return { tag: `${key}=${value}` };
  }
  return { unknownKey };
}

/** The provider's `defaultTags.tags`, from an object or the JSON string `@pulumi/aws` sends. */
export function providerDefaultTags(providerProps: PlainProps | undefined): Reading<PlainProps> {
  if (!providerProps) return { state: "absent" };
  const dt = readObject(providerProps, "defaultTags");
  if (dt.state !== "known") return dt;
  const inner = readRaw(dt.value, "tags");
  if (inner.state !== "known") return inner;
  return toObject(inner.value);
}

export function classifyProduction(input: ProductionInput, settings: SharedSettings): ProductionVerdict {
  const stackPattern = isProductionStack(input.stackName, settings);
  if (stackPattern) {
    return { production: true, reason: `stack "${input.stackName}" matches productionStacks pattern "${stackPattern}"` };
  }
  if (input.stackTags && input.stackTags.size > 0) {
    const found = productionTagIn(Object.fromEntries(input.stackTags), settings);
    if (found.tag) return { production: true, reason: `stack tag ${found.tag}` };
  }
  const own = readObject(input.props, "tags");
  const defaults = providerDefaultTags(input.providerProps);
  const effective: PlainProps = {};
  if (defaults.state === "known") Object.assign(effective, defaults.value);
  if (own.state === "known") Object.assign(effective, own.value);
  const found = productionTagIn(effective, settings);
  if (found.tag) {
    const fromProvider = own.state !== "known" || !Object.keys(own.value).some((k) => found.tag!.startsWith(`${k}=`));
    return { production: true, reason: `tag ${found.tag}${fromProvider ? " (provider defaultTags)" : ""}` };
  }
  if (found.unknownKey) return { production: "unknown", reason: `tag "${found.unknownKey}" is unknown until deployment` };
  if (own.state === "unknown") return { production: "unknown", reason: "tags are unknown until deployment" };
  if (defaults.state === "unknown") return { production: "unknown", reason: "the provider's defaultTags are unknown until deployment" };
  return { production: false };
}
