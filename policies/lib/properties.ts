/**
 * Reading resource properties as the engine sends them, one guardrail at a time.
 *
 * `@pulumi/policy` hands validations a proxy that throws as soon as an unknown (preview) value is
 * read, ending the whole validation with one advisory. The pack instead unwraps that proxy and
 * reads each property itself, so one unknown value defers only the check that needs it and every
 * other guardrail is still judged. Values also arrive in shapes TypeScript would not allow:
 * missing, of the wrong type, JSON strings where objects are expected; every reader says which.
 */
import { types } from "util";
import { Secret } from "@pulumi/policy";

/** The engine's sentinels for values not known until the deployment. */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // bool
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

const SPECIAL_PROXY = "__isSpecialProxy";
const PROXY_TARGET = "__getSpecialProxyTarget";

/** The result of reading one property. */
export type Reading<T> =
  | { state: "known"; value: T }
  | { state: "absent" }
  | { state: "unknown" }
  | { state: "invalid"; raw: unknown; expected: string };

export type PlainProps = Record<string, unknown>;

/** True for a value the engine will only know at deployment. */
export function isUnknownValue(value: unknown): boolean {
  return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}

/**
 * The plain object behind `@pulumi/policy`'s proxies (and its secret wrappers), so that reading a
 * property never throws. Secrets are unwrapped to their values: guardrails judge what a secret
 * holds, and nothing read here is written back.
 */
export function unwrapProperties(props: unknown): PlainProps {
  const raw = unwrapValue(props);
  return raw !== null && typeof raw === "object" && !Array.isArray(raw) ? (raw as PlainProps) : {};
}

function unwrapProxy(value: unknown): unknown {
  let current = value;
  // Proxies nest (unknown-checking around secrets-preserving); peel each layer. Only a real Proxy
  // is peeled: a plain object whose own keys spell the markers (a property bag can hold any key)
  // must not make the pack judge a value it smuggles in instead of the resource's own.
  for (let depth = 0; depth < 4; depth++) {
    if (current === null || typeof current !== "object" || !types.isProxy(current)) return current;
    let isProxy = false;
    try {
      isProxy = (current as Record<string, unknown>)[SPECIAL_PROXY] === true;
    } catch {
      return current;
    }
    if (!isProxy) return current;
    current = (current as Record<string, unknown>)[PROXY_TARGET];
  }
  return current;
}

/** A shallow-safe view of one value: proxies peeled, a Secret replaced by its value. */
export function unwrapValue(value: unknown): unknown {
  let current = unwrapProxy(value);
  if (current instanceof Secret) current = unwrapProxy(current.value);
  return current;
}

/** Reads `props[key]` (or a dotted path through nested objects and first list elements). */
export function readRaw(props: PlainProps, path: string): Reading<unknown> {
  let current: unknown = props;
  for (const segment of path.split(".")) {
    const block = blockOf(current);
    if (block.state !== "known") return block;
    // Own properties only: an inherited `constructor` or `toString` is not a setting.
    current = Object.prototype.hasOwnProperty.call(block.value, segment) ? (block.value as Record<string, unknown>)[segment] : undefined;
  }
  current = unwrapValue(current);
  if (isUnknownValue(current)) return { state: "unknown" };
  if (current === undefined || current === null) return { state: "absent" };
  return { state: "known", value: current };
}

/**
 * The block a value on a path holds. Nested blocks (pointInTimeRecovery, ruleCopyActions ...)
 * arrive as objects or one-element lists, and either may come as JSON text (as some SDKs send
 * maps): a list is read by its first element whether it came as a value or as text, so an empty
 * list is absent and an unknown first element unknown in both forms.
 */
function blockOf(value: unknown): Reading<object> {
  let current = unwrapValue(value);
  if (isUnknownValue(current)) return { state: "unknown" };
  if (current === undefined || current === null) return { state: "absent" };
  if (typeof current === "string") current = parsedBlock(current);
  if (Array.isArray(current)) {
    if (current.length === 0) return { state: "absent" };
    current = unwrapValue(current[0]);
    if (isUnknownValue(current)) return { state: "unknown" };
    if (typeof current === "string") {
      const element = parsedBlock(current);
      current = Array.isArray(element) ? element[0] : element;
    }
  }
  if (typeof current !== "object" || current === null) return { state: "invalid", raw: current, expected: "an object" };
  return { state: "known", value: current };
}

/** JSON text holding an object or a list, parsed; any other text stays as it is. */
function parsedBlock(text: string): unknown {
  const parsed = parseJsonText(text);
  return parsed !== null && typeof parsed === "object" ? parsed : text;
}

/** A boolean; the strings "true"/"false" are accepted because config-derived values arrive as strings. */
export function readBoolean(props: PlainProps, path: string): Reading<boolean> {
  const r = readRaw(props, path);
  if (r.state !== "known") return r;
  if (typeof r.value === "boolean") return { state: "known", value: r.value };
  if (r.value === "true" || r.value === "false") return { state: "known", value: r.value === "true" };
  return { state: "invalid", raw: r.value, expected: "a boolean" };
}

/** A number as JSON writes one; `Number()` would also take "0x10", "0b1" and "Infinity". */
const DECIMAL_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** A finite number; numeric strings (decimal, as JSON writes numbers) are accepted for the same reason as booleans. */
export function readNumber(props: PlainProps, path: string): Reading<number> {
  const r = readRaw(props, path);
  if (r.state !== "known") return r;
  const n = typeof r.value === "number" ? r.value : typeof r.value === "string" && DECIMAL_NUMBER.test(r.value.trim()) ? Number(r.value) : NaN;
  return Number.isFinite(n) ? { state: "known", value: n } : { state: "invalid", raw: r.value, expected: "a number" };
}

export function readString(props: PlainProps, path: string): Reading<string> {
  const r = readRaw(props, path);
  if (r.state !== "known") return r;
  return typeof r.value === "string" ? { state: "known", value: r.value } : { state: "invalid", raw: r.value, expected: "a string" };
}

/**
 * A list of strings; a JSON string holding a list is parsed (providers serialize lists that way),
 * an unknown element makes the whole list unknown.
 */
export function readStringList(props: PlainProps, path: string): Reading<string[]> {
  const r = readRaw(props, path);
  if (r.state !== "known") return r;
  return toStringList(r.value);
}

export function toStringList(value: unknown): Reading<string[]> {
  let v = unwrapValue(value);
  if (typeof v === "string") {
    const parsed = parseJsonText(v);
    if (parsed === undefined) return { state: "invalid", raw: v, expected: "a list of strings" };
    v = parsed;
  }
  if (!Array.isArray(v)) return { state: "invalid", raw: v, expected: "a list of strings" };
  const out: string[] = [];
  for (const element of v) {
    const e = unwrapValue(element);
    if (isUnknownValue(e)) return { state: "unknown" };
    if (typeof e !== "string") return { state: "invalid", raw: v, expected: "a list of strings" };
    out.push(e);
  }
  return { state: "known", value: out };
}

/**
 * An object (map); a JSON string holding an object is parsed. Unknown members stay as sentinels
 * for the caller to judge (one unknown tag must not hide the known ones).
 */
export function readObject(props: PlainProps, path: string): Reading<PlainProps> {
  const r = readRaw(props, path);
  if (r.state !== "known") return r;
  return toObject(r.value);
}

export function toObject(value: unknown): Reading<PlainProps> {
  let v = unwrapValue(value);
  if (typeof v === "string") {
    const parsed = parseJsonText(v);
    if (parsed === undefined) return { state: "invalid", raw: v, expected: "an object" };
    v = parsed;
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) return { state: "invalid", raw: v, expected: "an object" };
  const out: PlainProps = {};
  // defineProperty: a key named `__proto__` (JSON.parse makes one) stays a key, never a prototype.
  for (const [k, member] of Object.entries(v as PlainProps)) Object.defineProperty(out, k, { value: unwrapValue(member), enumerable: true, writable: true, configurable: true });
  return { state: "known", value: out };
}

/** Characters JSON text may start with, after JSON's own whitespace. */
const JSON_START = /^[ \t\n\r]*[{["\-0-9tfn]/;

/** JSON.parse that never throws; undefined when the text is not JSON. */
export function parseJsonText(text: string): unknown {
  // Names and ARNs reach here often (a reference that may be a list or JSON text of one): refusing
  // them before JSON.parse spares building and unwinding an exception for each.
  if (!JSON_START.test(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Short rendering of a value for a message: never longer than 60 characters, never a crash.
 * It cannot hide secrets: `@pulumi/policy` hands validations a secret as its plain value, with no
 * mark left (`Analyze` deserializes without its secret proxy), so a value of the wrong type in a
 * guardrail property is quoted as it is, secret or not (docs/OPEN-GAPS.md).
 */
export function describeValue(value: unknown): string {
  if (isUnknownValue(value)) return "(unknown until deployment)";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Cyclic, too deeply nested or holding a BigInt: String() would recurse or throw on those too.
    text = Array.isArray(value) ? `a list of ${value.length}` : value !== null && typeof value === "object" ? "an object that is not JSON" : typeof value;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
