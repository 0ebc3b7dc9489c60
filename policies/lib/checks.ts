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

/**
 * True when `ignoreChanges` covers `property`: the property itself, or `*` (every property).
 * A nested path (`restoreToPointInTime.restoreTime`) covers only part, so it does not count.
 */
export function ignoresProperty(ignoreChanges: readonly string[], property: string): boolean {
  return ignoreChanges.some((p) => p === "*" || p === property || p === `${property}[*]` || p === `${property}.*`);
}

/** Read replicas inherit encryption, backups and final-snapshot behaviour from their source (as AWS applies them). */
export function isReadReplica(view: ResourceView): "yes" | "no" | "unknown" {
  const instanceSource = isSet(view.props, "replicateSourceDb");
  const clusterSource = isSet(view.props, "replicationSourceIdentifier");
  if (instanceSource === "yes" || clusterSource === "yes") return "yes";
  if (instanceSource === "unknown" || clusterSource === "unknown") return "unknown";
  return "no";
}
