/**
 * Policy strings: wildcards (`*`, `?`), policy variables (`${aws:username}`,
 * `${aws:PrincipalTag/team, 'default'}`) and the escapes `${*}`, `${?}`, `${$}`; how they resolve
 * against a request and how two patterns relate.
 */
import type { ContextIndex } from "./request-context";
import { BoundedCache } from "../bounded-cache";
import { Glob, type GlobElement } from "../glob";

export type PolicyStringToken =
  | { kind: "text"; text: string }
  | { kind: "star" }
  | { kind: "one" }
  | { kind: "variable"; raw: string; name: string; fallback?: string; malformed: boolean };

/** After variables are substituted: literal text and wildcards only. */
export type ResolvedToken = { kind: "text"; text: string } | { kind: "star" } | { kind: "one" };

export interface TokenizeOptions {
  /** `*` and `?` are wildcards (StringLike, ArnLike, Action, Resource) rather than literal characters. */
  wildcards: boolean;
  /** `${...}` is a policy variable (policy Version 2012-10-17 only; elsewhere it is literal text). */
  variables: boolean;
}

const ESCAPES: Readonly<Record<string, string>> = { "${*}": "*", "${?}": "?", "${$}": "$" };

function pushText(tokens: PolicyStringToken[], text: string): void {
  if (text === "") return;
  const last = tokens[tokens.length - 1];
  if (last && last.kind === "text") last.text += text;
  else tokens.push({ kind: "text", text });
}

/** AWS's documented default form: `${key, 'value'}`; anything else with a comma is not trusted. */
function parseVariable(raw: string): PolicyStringToken {
  const inner = raw.slice(2, -1);
  const withDefault = /^([^,']+), '([^']*)'$/.exec(inner);
  if (withDefault) return { kind: "variable", raw, name: withDefault[1].trim(), fallback: withDefault[2], malformed: false };
  const malformed = inner.includes(",") || inner.includes("'") || inner.trim() === "";
  return { kind: "variable", raw, name: inner.trim(), malformed };
}

export function tokenizePolicyString(value: string, options: TokenizeOptions): PolicyStringToken[] {
  const tokens: PolicyStringToken[] = [];
  let literalStart = 0;
  let i = 0;
  const flush = (upTo: number) => {
    if (upTo > literalStart) pushText(tokens, value.slice(literalStart, upTo));
  };
  while (i < value.length) {
    const c = value.charCodeAt(i);
    if (options.variables && c === 36 /* $ */ && value.charCodeAt(i + 1) === 123 /* { */) {
      const end = value.indexOf("}", i + 2);
      if (end >= 0) {
        flush(i);
        const raw = value.slice(i, end + 1);
        const escaped = ESCAPES[raw];
        if (escaped !== undefined) pushText(tokens, escaped);
        else tokens.push(parseVariable(raw));
        i = end + 1;
        literalStart = i;
        continue;
      }
    }
    if (options.wildcards && (c === 42 /* * */ || c === 63) /* ? */) {
      flush(i);
      tokens.push(c === 42 ? { kind: "star" } : { kind: "one" });
      literalStart = i + 1;
    }
    i++;
  }
  flush(value.length);
  return tokens;
}

export function hasVariables(tokens: readonly PolicyStringToken[]): boolean {
  return tokens.some((t) => t.kind === "variable");
}

export type Resolution = { ok: true; tokens: ResolvedToken[] } | { ok: false; reason: string };

/**
 * Substitutes policy variables from the request. A variable that is absent without a default,
 * multivalued, empty, of unknown value, or written in a form AWS does not document cannot be
 * resolved: the caller must treat the comparison as "maybe". With `wildcards`, a substituted value
 * holding `*` or `?` is also unresolved, since AWS does not say whether it stays literal.
 */
export function resolveTokens(tokens: readonly PolicyStringToken[], context: ContextIndex, wildcards: boolean): Resolution {
  const out: ResolvedToken[] = [];
  for (const token of tokens) {
    if (token.kind !== "variable") {
      out.push(token);
      continue;
    }
    if (token.malformed) return { ok: false, reason: `policy variable ${token.raw} is not in the form AWS documents` };
    const readings = context.lookup(token.name);
    let text: string | undefined;
    if (readings.length === 1) {
      const r = readings[0];
      if (r.state === "present" && typeof r.value === "string" && r.value !== "") text = r.value;
      else if (r.state === "absent" && token.fallback !== undefined) text = token.fallback;
    }
    if (text === undefined) return { ok: false, reason: `policy variable ${token.raw} cannot be resolved for this request` };
    if (wildcards && /[*?]/.test(text)) return { ok: false, reason: `policy variable ${token.raw} resolves to "${text}", which holds a wildcard character` };
    const last = out[out.length - 1];
    if (last && last.kind === "text") out[out.length - 1] = { kind: "text", text: last.text + text };
    else out.push({ kind: "text", text });
  }
  return { ok: true, tokens: out };
}

const globCache = new BoundedCache<Glob>(20_000);

/**
 * A resolved glob as a matcher (`*` and `?` match any character, colons included), shared:
 * policies repeat the same patterns across statements and requests. Matching never backtracks
 * (lib/glob.ts), so no pattern in a policy can stall the pack.
 */
export function tokensGlob(tokens: readonly ResolvedToken[]): Glob {
  let key = "";
  // Length-prefixed text: unambiguous without escaping (this runs for every resolved pattern).
  for (const t of tokens) key += t.kind === "text" ? `${t.text.length}:${t.text}` : t.kind === "star" ? "*" : "?";
  let glob = globCache.get(key);
  if (!glob) {
    const elements: GlobElement[] = [];
    for (const t of tokens) {
      if (t.kind !== "text") elements.push({ kind: t.kind, forbidden: "" });
      else for (let i = 0; i < t.text.length; i++) elements.push({ kind: "char", char: t.text[i] });
    }
    glob = new Glob(elements);
    globCache.set(key, glob);
  }
  return glob;
}

/**
 * Character-level pattern used to relate two ARN patterns: a policy pattern (wildcards `*`, `?`)
 * and a request pattern whose `*` stands for a part the caller does not know. `forbidden` lists
 * the characters a wildcard cannot stand for (`:` outside the resource part, and for a request's
 * unknown name `/`, which no RDS, DynamoDB or AWS Backup name contains).
 */
export type RelationToken = GlobElement;

function accepts(token: RelationToken, char: string): boolean {
  if (token.kind === "char") return token.char === char;
  return !token.forbidden.includes(char);
}

/**
 * Both walks below visit (policy position, request position) pairs: up to the product of the two
 * lengths when wildcards are involved. Past this many pairs (absurdly long patterns, which no real
 * ARN has) they stop and give the cautious answer: "may intersect", "not proven covered", which
 * the evaluator reads as "maybe" (an Allow may apply, a Deny may not).
 */
export const MAX_PATTERN_STATES = 1_000_000;

/** Whether some concrete string matches both patterns (true when too large to decide: may match). */
export function patternsIntersect(policy: readonly RelationToken[], request: readonly RelationToken[]): boolean {
  const seen = new Set<number>();
  const width = request.length + 1;
  const stack: Array<[number, number]> = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    const key = i * width + j;
    if (seen.has(key)) continue;
    if (seen.size >= MAX_PATTERN_STATES) return true;
    seen.add(key);
    if (i === policy.length && j === request.length) return true;
    const p = policy[i];
    const r = request[j];
    if (p && p.kind === "star") stack.push([i + 1, j]);
    if (r && r.kind === "star") stack.push([i, j + 1]);
    if (!p || !r) continue;
    let common: boolean;
    if (p.kind === "char") common = accepts(r, p.char);
    else if (r.kind === "char") common = accepts(p, r.char);
    else common = true; // two wildcards share any letter (neither forbids letters)
    if (!common) continue;
    stack.push([p.kind === "star" ? i : i + 1, r.kind === "star" ? j : j + 1]);
  }
  return false;
}

/**
 * Whether every string the request pattern stands for matches the policy pattern. Sound but not
 * complete: a request wildcard is covered only by a policy `*` at least as wide, so "false" means
 * "not proven" (also when too large to decide) and callers answer "maybe" when the patterns intersect.
 */
export function patternCovers(policy: readonly RelationToken[], request: readonly RelationToken[]): boolean {
  const seen = new Set<number>();
  const width = request.length + 1;
  const stack: Array<[number, number]> = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    const key = i * width + j;
    if (seen.has(key)) continue;
    if (seen.size >= MAX_PATTERN_STATES) return false;
    seen.add(key);
    if (i === policy.length && j === request.length) return true;
    const p = policy[i];
    const r = request[j];
    if (!p) continue;
    if (p.kind === "star") {
      stack.push([i + 1, j]);
      // A policy `*` absorbs a request wildcard when it accepts everything that wildcard may stand for.
      if (r && (r.kind === "char" ? accepts(p, r.char) : [...p.forbidden].every((c) => r.forbidden.includes(c)))) stack.push([i, j + 1]);
      continue;
    }
    if (!r || r.kind !== "char") continue;
    if (accepts(p, r.char)) stack.push([i + 1, j + 1]);
  }
  return false;
}
