/**
 * Guardrail floors: the one place where a caller's value is checked against the minimum (or the
 * fixed value) a production database needs. A value below its floor throws a `GuardrailFloorError`
 * whose message names the component, the argument, the value given, the floor and why the floor
 * exists, so the person who typed the value learns what to write instead. Nothing is clamped or
 * corrected silently: a wrong value is a mistake to surface, not to paper over.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Everything a floor message says. */
export interface FloorViolation {
  /** Component and logical name, e.g. `ProductionDatabase "orders"`. */
  component: string;
  /** The argument as the caller wrote it, e.g. `backupRetentionPeriod`. */
  argument: string;
  /** The value the caller passed. */
  given: unknown;
  /** The floor in words, e.g. `at least 14`. */
  floor: string;
  /** Why the floor exists, one sentence. */
  why: string;
}

export class GuardrailFloorError extends Error {
  readonly violation: FloorViolation;
  constructor(violation: FloorViolation) {
    super(floorViolationMessage(violation));
    this.name = "GuardrailFloorError";
    this.violation = violation;
  }
}

export function floorViolationMessage(v: FloorViolation): string {
  return `${v.component}: ${v.argument} = ${describeValue(v.given)} is not allowed; the floor is ${v.floor}. ${v.why}`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `Kind "name"`: how every component names itself in errors. */
export function componentLabel(kind: string, name: string): string {
  return `${kind} "${name}"`;
}

export interface IntegerFloor {
  /** Used when the caller passes nothing. */
  defaultValue: number;
  /** Smallest accepted value (inclusive). */
  min: number;
  /** Largest accepted value (inclusive), where AWS or safety sets a ceiling. */
  max?: number;
  /** Unit for messages, e.g. `days`. */
  unit: string;
  why: string;
}

/**
 * The caller's whole number, or the default when absent. Throws when it is not a whole number,
 * below `min` or above `max`.
 */
export function requireIntegerInRange(component: string, argument: string, value: unknown, floor: IntegerFloor): number {
  if (value === undefined) return floor.defaultValue;
  const range = floor.max === undefined ? `at least ${floor.min} ${floor.unit}` : `between ${floor.min} and ${floor.max} ${floor.unit}`;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new GuardrailFloorError({ component, argument, given: value, floor: `a whole number ${range}`, why: floor.why });
  }
  if (value < floor.min || (floor.max !== undefined && value > floor.max)) {
    throw new GuardrailFloorError({ component, argument, given: value, floor: range, why: floor.why });
  }
  return value;
}

/**
 * A guardrail switch that has exactly one safe position. Absent means the safe position; the other
 * position throws (it is the setting that makes the database easy to lose).
 */
export function requireFlag(component: string, argument: string, value: unknown, required: boolean, why: string): boolean {
  if (value === undefined || value === required) return required;
  throw new GuardrailFloorError({ component, argument, given: value, floor: `${required} (the only accepted value)`, why });
}

/** A list that must contain every required entry; absent means `defaults`. */
export function requireIncludes(
  component: string,
  argument: string,
  value: unknown,
  spec: { defaults: readonly string[]; required: readonly string[]; allowed?: readonly string[]; why: string; allowedWhy?: string },
): string[] {
  if (value === undefined) return [...spec.defaults];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new GuardrailFloorError({ component, argument, given: value, floor: `a list of strings including ${spec.required.join(", ")}`, why: spec.why });
  }
  const list = value as string[];
  const missing = spec.required.filter((r) => !list.includes(r));
  if (missing.length > 0) {
    throw new GuardrailFloorError({
      component,
      argument,
      given: value,
      floor: `a list that includes ${spec.required.map((r) => `"${r}"`).join(", ")} (missing ${missing.map((m) => `"${m}"`).join(", ")})`,
      why: spec.why,
    });
  }
  if (spec.allowed) {
    const unknown = list.filter((v) => !spec.allowed!.includes(v));
    if (unknown.length > 0) {
      throw new GuardrailFloorError({
        component,
        argument,
        given: value,
        floor: `entries from ${spec.allowed.map((a) => `"${a}"`).join(", ")} (not ${unknown.map((u) => `"${u}"`).join(", ")})`,
        why: spec.allowedWhy ?? "AWS accepts no other value here.",
      });
    }
  }
  return [...new Set(list)];
}

/** Thrown for input that is malformed rather than below a floor (bad names, empty lists, wrong types). */
export class GuardrailArgumentError extends Error {
  constructor(component: string, argument: string, problem: string) {
    super(`${component}: ${argument} ${problem}`);
    this.name = "GuardrailArgumentError";
  }
}

/** A non-empty string, trimmed. */
export function requireNonEmptyString(component: string, argument: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new GuardrailArgumentError(component, argument, `must be a non-empty string (got ${describeValue(value)}).`);
  }
  return value.trim();
}

/** Checks `value` against a pattern and explains the rule when it does not match. */
export function requireMatching(component: string, argument: string, value: unknown, pattern: RegExp, rule: string): string {
  if (typeof value !== "string" || !pattern.test(value)) {
    throw new GuardrailArgumentError(component, argument, `= ${describeValue(value)} is invalid: ${rule}`);
  }
  return value;
}

/** A non-empty list whose entries each pass `check`. */
export function requireNonEmptyList<T>(component: string, argument: string, value: unknown, check: (item: unknown, index: number) => T): T[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new GuardrailArgumentError(component, argument, `must be a non-empty list (got ${describeValue(value)}).`);
  }
  return value.map((item, i) => check(item, i));
}

/** Refuses component options that would switch off `protect` for the children. */
export function rejectUnprotectedOptions(component: string, opts: pulumi.ComponentResourceOptions | undefined): void {
  if (opts?.protect === false) {
    throw new GuardrailArgumentError(component, "opts.protect", "= false is not allowed: databases, their keys and backup vaults are always protected, so `pulumi destroy` or a replacement cannot delete them.");
  }
}
