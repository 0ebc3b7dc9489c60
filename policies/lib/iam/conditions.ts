/**
 * Condition operators, evaluated the way AWS documents them, in three values.
 *
 * Missing keys follow AWS's rules: a negated operator (`StringNotEquals`, `ArnNotLike`, ...) and
 * any `...IfExists` operator match when the key is absent; `ForAllValues:` matches when the key is
 * absent or empty (the trap that makes an Allow apply to requests without tags); `ForAnyValue:`
 * does not match an absent key; `Null` tests presence. Where AWS's answer cannot be computed here
 * (an unlisted key, a date or IP comparison, a single-valued operator on a multivalued key, an
 * unresolvable policy variable, a malformed value) the result is "maybe".
 */
import type { ContextIndex, ContextValue, KeyReading } from "./request-context";
import { type TriState, triAgreement, triAll, triAny, triFromBoolean, triNot } from "./tri-state";
import { type PolicyStringToken, type ResolvedToken, resolveTokens, tokenizePolicyString, tokensGlob } from "./wildcard";

export const BASE_OPERATORS = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "NumericEquals",
  "NumericNotEquals",
  "NumericLessThan",
  "NumericLessThanEquals",
  "NumericGreaterThan",
  "NumericGreaterThanEquals",
  "DateEquals",
  "DateNotEquals",
  "DateLessThan",
  "DateLessThanEquals",
  "DateGreaterThan",
  "DateGreaterThanEquals",
  "Bool",
  "BinaryEquals",
  "IpAddress",
  "NotIpAddress",
  "ArnEquals",
  "ArnLike",
  "ArnNotEquals",
  "ArnNotLike",
  "Null",
] as const;

export type BaseOperator = (typeof BASE_OPERATORS)[number];

type Comparison =
  | "string"
  | "string-ignore-case"
  | "string-like"
  | "numeric-eq"
  | "numeric-lt"
  | "numeric-lte"
  | "numeric-gt"
  | "numeric-gte"
  | "bool"
  | "arn"
  | "unmodelled"
  | "null";

/** Each operator: what it compares, and whether it is the negation of that comparison. */
const OPERATOR_TABLE: Readonly<Record<BaseOperator, { comparison: Comparison; negated: boolean }>> = {
  StringEquals: { comparison: "string", negated: false },
  StringNotEquals: { comparison: "string", negated: true },
  StringEqualsIgnoreCase: { comparison: "string-ignore-case", negated: false },
  StringNotEqualsIgnoreCase: { comparison: "string-ignore-case", negated: true },
  StringLike: { comparison: "string-like", negated: false },
  StringNotLike: { comparison: "string-like", negated: true },
  NumericEquals: { comparison: "numeric-eq", negated: false },
  NumericNotEquals: { comparison: "numeric-eq", negated: true },
  NumericLessThan: { comparison: "numeric-lt", negated: false },
  NumericLessThanEquals: { comparison: "numeric-lte", negated: false },
  NumericGreaterThan: { comparison: "numeric-gt", negated: false },
  NumericGreaterThanEquals: { comparison: "numeric-gte", negated: false },
  // Dates, IP ranges and binary values are not compared here: absent keys are still decided
  // exactly, a present value makes the condition "maybe".
  DateEquals: { comparison: "unmodelled", negated: false },
  DateNotEquals: { comparison: "unmodelled", negated: true },
  DateLessThan: { comparison: "unmodelled", negated: false },
  DateLessThanEquals: { comparison: "unmodelled", negated: false },
  DateGreaterThan: { comparison: "unmodelled", negated: false },
  DateGreaterThanEquals: { comparison: "unmodelled", negated: false },
  Bool: { comparison: "bool", negated: false },
  BinaryEquals: { comparison: "unmodelled", negated: false },
  IpAddress: { comparison: "unmodelled", negated: false },
  NotIpAddress: { comparison: "unmodelled", negated: true },
  // AWS documents ArnEquals and ArnLike as the same test, wildcards included.
  ArnEquals: { comparison: "arn", negated: false },
  ArnLike: { comparison: "arn", negated: false },
  ArnNotEquals: { comparison: "arn", negated: true },
  ArnNotLike: { comparison: "arn", negated: true },
  Null: { comparison: "null", negated: false },
};

export interface ConditionOperator {
  /** As written in the policy. */
  readonly name: string;
  readonly base: BaseOperator;
  readonly set?: "ForAllValues" | "ForAnyValue";
  readonly ifExists: boolean;
  readonly negated: boolean;
  readonly comparison: Comparison;
}

const OPERATOR_SHAPE = /^(?:(ForAllValues|ForAnyValue):)?([A-Za-z]+?)(IfExists)?$/;

/**
 * The operator named `name`, or undefined when AWS has no such operator. Names are matched as
 * AWS spells them; `Null` takes neither `IfExists` nor a set qualifier.
 */
export function parseConditionOperator(name: string): ConditionOperator | undefined {
  const m = OPERATOR_SHAPE.exec(name);
  if (!m) return undefined;
  const base = m[2] as BaseOperator;
  const entry = (OPERATOR_TABLE as Record<string, { comparison: Comparison; negated: boolean } | undefined>)[base];
  if (!entry || !Object.prototype.hasOwnProperty.call(OPERATOR_TABLE, base)) return undefined;
  const set = m[1] as ConditionOperator["set"] | undefined;
  const ifExists = m[3] !== undefined;
  if (base === "Null" && (ifExists || set)) return undefined;
  return { name, base, set, ifExists, negated: entry.negated, comparison: entry.comparison };
}

export interface ConditionClause {
  readonly operator: ConditionOperator;
  readonly key: string;
  readonly values: readonly string[];
}

export interface ConditionOutcome {
  result: TriState;
  /** Why the result is "maybe" (empty otherwise). */
  uncertainBecause: string[];
}

interface CompiledValue {
  raw: string;
  tokens: PolicyStringToken[];
}

/** A clause with its policy values tokenized once, ready for many requests. */
export interface CompiledCondition extends ConditionClause {
  readonly compiled: readonly CompiledValue[];
  readonly variablesEnabled: boolean;
}

export function compileCondition(clause: ConditionClause, variablesEnabled: boolean): CompiledCondition {
  const { comparison } = clause.operator;
  // Variables are substituted in string and ARN comparisons only; elsewhere `${` is literal text.
  const variables = variablesEnabled && (comparison === "string" || comparison === "string-ignore-case" || comparison === "string-like" || comparison === "arn");
  const wildcards = comparison === "string-like" || comparison === "arn";
  return {
    ...clause,
    variablesEnabled,
    compiled: clause.values.map((raw) => ({ raw, tokens: tokenizePolicyString(raw, { wildcards, variables }) })),
  };
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const ASCII = /^[\x00-\x7f]*$/;
const SURROGATE = /[\uD800-\uDFFF]/;

interface Verdict {
  result: TriState;
  reason?: string;
}

function maybe(reason: string): Verdict {
  return { result: "maybe", reason };
}

function textOf(tokens: readonly ResolvedToken[]): string {
  return tokens.map((t) => (t.kind === "text" ? t.text : t.kind === "star" ? "*" : "?")).join("");
}

/** Splits resolved ARN tokens into AWS's six components (the last keeps its colons). */
function arnComponents(tokens: readonly ResolvedToken[]): ResolvedToken[][] {
  const components: ResolvedToken[][] = [[]];
  for (const t of tokens) {
    if (t.kind !== "text" || components.length === 6) {
      components[components.length - 1].push(t);
      continue;
    }
    let rest = t.text;
    while (rest !== "") {
      const colon = components.length < 6 ? rest.indexOf(":") : -1;
      if (colon < 0) {
        components[components.length - 1].push({ kind: "text", text: rest });
        break;
      }
      if (colon > 0) components[components.length - 1].push({ kind: "text", text: rest.slice(0, colon) });
      components.push([]);
      rest = rest.slice(colon + 1);
    }
  }
  return components;
}

/** The positive comparison of one request value with one policy value. */
function compareOne(condition: CompiledCondition, requestValue: string, policyValue: CompiledValue, context: ContextIndex): Verdict {
  const { comparison } = condition.operator;
  switch (comparison) {
    case "string":
    case "string-ignore-case":
    case "string-like": {
      const resolved = resolveTokens(policyValue.tokens, context, comparison === "string-like");
      if (!resolved.ok) return maybe(resolved.reason);
      if (comparison === "string") return { result: triFromBoolean(textOf(resolved.tokens) === requestValue) };
      if (comparison === "string-ignore-case") {
        const expected = textOf(resolved.tokens);
        if (expected === requestValue) return { result: "yes" };
        // Outside ASCII, which case folding AWS applies is not documented.
        if (!ASCII.test(expected) || !ASCII.test(requestValue)) return maybe(`case-insensitive comparison of non-ASCII text "${requestValue}"`);
        return { result: triFromBoolean(expected.toLowerCase() === requestValue.toLowerCase()) };
      }
      if (SURROGATE.test(requestValue) && resolved.tokens.some((t) => t.kind === "one")) {
        return maybe(`"?" against text with characters outside the Basic Multilingual Plane`);
      }
      return { result: triFromBoolean(tokensGlob(resolved.tokens).test(requestValue)) };
    }
    case "numeric-eq":
    case "numeric-lt":
    case "numeric-lte":
    case "numeric-gt":
    case "numeric-gte": {
      if (!NUMBER.test(policyValue.raw)) return maybe(`"${policyValue.raw}" is not a number`);
      if (!NUMBER.test(requestValue)) return maybe(`request value "${requestValue}" is not a number`);
      const want = Number(policyValue.raw);
      const got = Number(requestValue);
      const holds =
        comparison === "numeric-eq" ? got === want : comparison === "numeric-lt" ? got < want : comparison === "numeric-lte" ? got <= want : comparison === "numeric-gt" ? got > want : got >= want;
      return { result: triFromBoolean(holds) };
    }
    case "bool": {
      const want = policyValue.raw.toLowerCase();
      const got = requestValue.toLowerCase();
      if (want !== "true" && want !== "false") return maybe(`Bool value "${policyValue.raw}" is neither true nor false`);
      if (got !== "true" && got !== "false") return maybe(`request value "${requestValue}" is not a boolean`);
      return { result: triFromBoolean(want === got) };
    }
    case "arn": {
      const resolved = resolveTokens(policyValue.tokens, context, true);
      if (!resolved.ok) return maybe(resolved.reason);
      const policyParts = arnComponents(resolved.tokens);
      const requestParts = arnComponents([{ kind: "text", text: requestValue }]);
      if (policyParts.length < 6) return maybe(`"${policyValue.raw}" does not have the six components of an ARN`);
      if (requestParts.length < 6 || requestValue.slice(0, 4) !== "arn:") return maybe(`request value "${requestValue}" is not an ARN`);
      for (let i = 0; i < 6; i++) {
        const want = policyParts[i];
        const got = textOf(requestParts[i]);
        if (!tokensGlob(want).test(got)) return { result: "no" };
      }
      return { result: "yes" };
    }
    case "unmodelled":
      return maybe(`${condition.operator.base} comparisons are not modelled`);
    case "null":
      return maybe("Null is decided on presence");
  }
}

/** The (possibly negated) operator applied to one request value against all policy values. */
function applyToValue(condition: CompiledCondition, requestValue: string, context: ContextIndex, reasons: string[]): TriState {
  const verdicts = condition.compiled.map((pv) => compareOne(condition, requestValue, pv, context));
  for (const v of verdicts) if (v.result === "maybe" && v.reason) reasons.push(v.reason);
  const positive = triAny(verdicts.map((v) => v.result));
  return condition.operator.negated ? triNot(positive) : positive;
}

function evaluateNull(condition: CompiledCondition, reading: KeyReading, reasons: string[]): TriState {
  if (reading.state === "unknown") {
    reasons.push(`whether ${condition.key} is present is unknown`);
    return "maybe";
  }
  if (reading.state === "present" && (reading.value === "" || (Array.isArray(reading.value) && reading.value.length === 0))) {
    reasons.push(`${condition.key} is present but empty; AWS does not document how Null treats it`);
    return "maybe";
  }
  const goal = reading.state === "absent" ? "true" : "false";
  return triAny(
    condition.values.map((v): TriState => {
      const lower = v.toLowerCase();
      if (lower === "true" || lower === "false") return triFromBoolean(lower === goal);
      reasons.push(`Null value "${v}" is neither true nor false`);
      return "maybe";
    }),
  );
}

function evaluateReading(condition: CompiledCondition, reading: KeyReading, context: ContextIndex, reasons: string[]): TriState {
  const op = condition.operator;
  if (op.comparison === "null") return evaluateNull(condition, reading, reasons);
  if (reading.state === "unknown") {
    reasons.push(`${condition.key} is not known for this request`);
    return "maybe";
  }
  if (op.set) {
    if (reading.state === "absent") {
      if (op.set === "ForAllValues") return "yes";
      if (op.ifExists) {
        reasons.push(`${op.name} on an absent key is not documented by AWS`);
        return "maybe";
      }
      return "no";
    }
    const values: readonly string[] = typeof reading.value === "string" ? [reading.value] : reading.value;
    if (values.some((v) => v === "")) {
      reasons.push(`${condition.key} holds an empty value; AWS treats empty sets specially`);
      return "maybe";
    }
    const perValue = values.map((v) => applyToValue(condition, v, context, reasons));
    return op.set === "ForAllValues" ? triAll(perValue) : triAny(perValue);
  }
  if (reading.state === "absent") return triFromBoolean(op.negated || op.ifExists);
  if (typeof reading.value !== "string") {
    reasons.push(`single-valued operator ${op.name} used on multivalued ${condition.key}`);
    return "maybe";
  }
  return applyToValue(condition, reading.value, context, reasons);
}

/** One clause (operator, key, values) against the request. */
export function evaluateCondition(condition: CompiledCondition, context: ContextIndex): ConditionOutcome {
  const reasons: string[] = [];
  const readings = context.lookup(condition.key);
  if (readings.length > 1) {
    reasons.push(
      context.listedInSeveralCases(condition.key)
        ? `the request lists ${condition.key} in several letter cases, and AWS does not document which one IAM reads`
        : `${condition.key} matches a request key only through Unicode case folding`,
    );
  }
  const result = triAgreement(readings.map((r) => evaluateReading(condition, r, context, reasons)));
  return { result, uncertainBecause: result === "maybe" ? [...new Set(reasons)] : [] };
}

/** A statement's whole Condition block: every clause must hold. */
export function evaluateConditions(conditions: readonly CompiledCondition[], context: ContextIndex): ConditionOutcome {
  const reasons: string[] = [];
  const results: TriState[] = [];
  for (const c of conditions) {
    const outcome = evaluateCondition(c, context);
    if (outcome.result === "no") return { result: "no", uncertainBecause: [] };
    results.push(outcome.result);
    reasons.push(...outcome.uncertainBecause.map((r) => `${c.operator.name} ${c.key}: ${r}`));
  }
  const result = triAll(results);
  return { result, uncertainBecause: result === "maybe" ? reasons : [] };
}

/** For messages: a context value as written. */
export function describeContextValue(value: ContextValue): string {
  return typeof value === "string" ? `"${value}"` : `[${value.map((v) => `"${v}"`).join(", ")}]`;
}
