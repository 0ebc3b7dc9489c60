/**
 * The property checks most rules are made of, each turning every state of a reading (known,
 * absent, unknown, wrong type) into exactly one outcome, so no rule can forget a case.
 */
import { type PlainProps, type Reading, describeValue, readBoolean, readNumber, readRaw } from "./properties";
import { type Finding, type ResourceView, deferredFinding, violationMessage } from "./rule";

export interface Advice {
  /** One line: why this guardrail matters. */
  why: string;
  /** The exact fix: property or option and value. */
  fix: string;
}

function invalid(view: ResourceView, path: string, r: { raw: unknown; expected: string }, advice: Advice): Finding {
  return { message: violationMessage({ resource: view, problem: `${path} is ${describeValue(r.raw)}, not ${r.expected}`, ...advice }) };
}

/**
 * `path` must be `expected`. `absentMeans` is what AWS does when the property is not set (so an
 * absent property is judged as that value).
 */
export function requireBoolean(view: ResourceView, path: string, expected: boolean, absentMeans: boolean, advice: Advice): Finding[] {
  const r = readBoolean(view.props, path);
  switch (r.state) {
    case "unknown":
      return [deferredFinding(view, path)];
    case "invalid":
      return [invalid(view, path, r, advice)];
    case "absent":
      return absentMeans === expected ? [] : [{ message: violationMessage({ resource: view, problem: `${path} is not set (AWS then uses ${absentMeans})`, ...advice }) }];
    case "known":
      return r.value === expected ? [] : [{ message: violationMessage({ resource: view, problem: `${path} is ${r.value}`, ...advice }) }];
  }
}

/** `path` must be a number >= `floor`; `absentMeans` is AWS's default (undefined: absent is a violation). */
export function requireAtLeast(view: ResourceView, path: string, floor: number, absentMeans: number | undefined, unit: string, advice: Advice): Finding[] {
  const r: Reading<number> = readNumber(view.props, path);
  switch (r.state) {
    case "unknown":
      return [deferredFinding(view, path)];
    case "invalid":
      return [invalid(view, path, r, advice)];
    case "absent":
      if (absentMeans !== undefined && absentMeans >= floor) return [];
      return [{ message: violationMessage({ resource: view, problem: `${path} is not set${absentMeans !== undefined ? ` (AWS then uses ${absentMeans} ${unit})` : ""}, below the floor of ${floor} ${unit}`, ...advice }) }];
    case "known":
      return r.value >= floor ? [] : [{ message: violationMessage({ resource: view, problem: `${path} is ${r.value} ${unit}, below the floor of ${floor} ${unit}`, ...advice }) }];
  }
}

/** A non-empty string must be set at `path`. */
export function requireNonEmptyString(view: ResourceView, path: string, advice: Advice): Finding[] {
  const r = readRaw(view.props, path);
  switch (r.state) {
    case "unknown":
      return [deferredFinding(view, path)];
    case "absent":
      return [{ message: violationMessage({ resource: view, problem: `${path} is not set`, ...advice }) }];
    case "invalid":
      return [invalid(view, path, r, advice)];
    case "known":
      if (typeof r.value !== "string") return [invalid(view, path, { raw: r.value, expected: "a string" }, advice)];
      return r.value.trim() === "" ? [{ message: violationMessage({ resource: view, problem: `${path} is empty`, ...advice }) }] : [];
  }
}

/** Whether a property is set at all (unknown counts as set: a value will be there). */
export function isSet(props: PlainProps, path: string): "yes" | "no" | "unknown" {
  const r = readRaw(props, path);
  if (r.state === "unknown") return "unknown";
  if (r.state === "absent") return "no";
  if (r.state === "known" && (r.value === "" || r.value === false)) return "no";
  return "yes";
}

/** One element of a Pulumi property path: a key, an index, or the wildcard `*`. */
export type PathElement = string | number;

/**
 * An ignoreChanges entry parsed as the engine parses property paths (pulumi/pulumi
 * `sdk/go/common/resource/properties_path.go`, ParsePropertyPath): `a.b`, `a[0]`, `a[*]`, and
 * quoted keys `["a"]`, also at the root; leading dots are skipped. Undefined when the engine would
 * refuse the entry. A `"*"` element (written `*`, `[*]` or `["*"]`) matches any key.
 */
export function parsePropertyPath(entry: string): PathElement[] | undefined {
  const elements: PathElement[] = [];
  let rest = entry;
  while (rest.length > 0) {
    if (rest.startsWith(".")) {
      rest = rest.slice(1);
    } else if (rest.startsWith('["')) {
      let key = "";
      let i = 2;
      while (i < rest.length && rest[i] !== '"') {
        if (rest[i] === "\\" && rest[i + 1] === '"') {
          key += '"';
          i += 2;
        } else {
          key += rest[i];
          i += 1;
        }
      }
      if (i >= rest.length || rest[i + 1] !== "]") return undefined;
      elements.push(key);
      rest = rest.slice(i + 2);
    } else if (rest.startsWith("[")) {
      const close = rest.indexOf("]");
      if (close < 0) return undefined;
      const segment = rest.slice(1, close);
      if (segment === "*") elements.push("*");
      else if (/^[+-]?\d+$/.test(segment)) elements.push(Number(segment));
      else return undefined;
      rest = rest.slice(close + 1);
    } else {
      const end = rest.search(/[.[]/);
      const name = end < 0 ? rest : rest.slice(0, end);
      elements.push(name);
      rest = end < 0 ? "" : rest.slice(end);
    }
  }
  return elements;
}

/**
 * True when `ignoreChanges` covers the whole top-level `property`: the property itself, all of its
 * elements (`p[*]`, `p.*`), or `*` (every property), in any path form the engine accepts.
 * A nested path (`restoreToPointInTime.restoreTime`) covers only part, so it does not count.
 */
export function ignoresProperty(ignoreChanges: readonly string[], property: string): boolean {
  return ignoreChanges.some((entry) => {
    const path = parsePropertyPath(entry);
    if (!path || path.length === 0 || path.length > 2) return false;
    if (path.length === 1) return path[0] === "*" || path[0] === property;
    return path[0] === property && path[1] === "*";
  });
}

/**
 * Whether the resource is a read replica, which inherits encryption, backups and final-snapshot
 * behaviour from its source (as AWS applies them). Only a source identifier (a non-empty string)
 * makes it one: a value of another type is a mistake, and a mistake must not exempt a database
 * from its guardrails.
 */
export function isReadReplica(view: ResourceView): "yes" | "no" | "unknown" {
  const sources = [readRaw(view.props, "replicateSourceDb"), readRaw(view.props, "replicationSourceIdentifier")];
  if (sources.some((r) => r.state === "known" && typeof r.value === "string" && r.value.trim() !== "")) return "yes";
  if (sources.some((r) => r.state === "unknown")) return "unknown";
  return "no";
}
