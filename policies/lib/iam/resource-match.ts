/**
 * Does a statement's `Resource` pattern cover the resource a request is about?
 *
 * AWS documents that `*` and `?` work within any colon-separated ARN segment and that a `*` ending
 * a segment "can expand to match beyond the colon boundaries"; a `*` inside a segment is not said
 * to. The matcher answers under both readings (doc-faithful, and a whole-string glob) and says
 * "maybe" when they differ. ARNs are case-sensitive; a match that holds only when case is ignored
 * is "maybe" as well.
 *
 * A request resource may itself contain `*` for parts the caller does not know (the account of a
 * stack whose provider is not configured yet, any name): the pattern then answers "yes" only if it
 * covers every possible value, "maybe" if it covers some.
 */
import type { ContextIndex } from "./request-context";
import { type TriState, triAgreement } from "./tri-state";
import {
  type PolicyStringToken,
  type RelationToken,
  type ResolvedToken,
  hasVariables,
  patternCovers,
  patternsIntersect,
  resolveTokens,
  tokenizePolicyString,
} from "./wildcard";
import { BoundedCache } from "../bounded-cache";
import { Glob } from "../glob";

export interface CompiledResourcePattern {
  readonly raw: string;
  readonly matchesEverything: boolean;
  readonly tokens: readonly PolicyStringToken[];
  readonly needsContext: boolean;
  /** Precompiled for patterns without variables. */
  readonly fixed?: ResolvedMatchers;
}

interface ResolvedMatchers {
  /** Identity for caches. */
  readonly id: number;
  /** The service segment, lowercased, when it is literal: a cheap first test. */
  readonly service?: string;
  readonly relation: { strict: RelationToken[]; loose: RelationToken[] };
  /** The strict reading; `loose` only when it differs (a `*` or `?` that may span a colon). */
  strict: Glob;
  loose?: Glob;
}

export interface ResourceMatch {
  result: TriState;
  reason?: string;
}

/**
 * Relation tokens. "strict" is the doc-faithful reading of a policy pattern: wildcards in the
 * resource part (after the fifth colon) and a `*` that ends one of the first five segments may
 * span colons, others may not; "loose" lets every wildcard span colons; "request" is a request's
 * unknown part: it spans colons only in the resource part (account ids and regions have none; an
 * AWS Backup snapshot name has one) and never a `/` (no database, snapshot or vault name has one).
 */
function relationTokens(tokens: readonly ResolvedToken[], reading: "strict" | "loose" | "request"): RelationToken[] {
  const chars: Array<{ kind: "char"; char: string } | { kind: "star" } | { kind: "one" }> = [];
  for (const t of tokens) {
    if (t.kind === "text") for (const char of t.text) chars.push({ kind: "char", char });
    else chars.push(t);
  }
  const out: RelationToken[] = [];
  let colons = 0;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c.kind === "char") {
      if (c.char === ":") colons++;
      out.push(c);
      continue;
    }
    const inResourcePart = colons >= 5;
    const next = chars[i + 1];
    const endsSegment = next === undefined || (next.kind === "char" && next.char === ":");
    if (reading === "request") {
      out.push({ kind: c.kind, forbidden: inResourcePart ? "/" : ":/" });
      continue;
    }
    const crossesColon = reading === "loose" || inResourcePart || (reading === "strict" && c.kind === "star" && endsSegment);
    out.push({ kind: c.kind, forbidden: crossesColon ? "" : ":" });
  }
  return out;
}

let nextMatcherId = 0;

/**
 * A key for the compiled reading of the tokens, built without per-character objects (this runs for
 * every resolved pattern on the pack's hot path; the glob itself is built on a cache miss only).
 */
function readingKey(tokens: readonly ResolvedToken[], reading: "strict" | "loose"): string {
  let source = "";
  let colons = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === "text") {
      source += t.text.replace(/[\\*?]/g, "\\$&");
      for (const c of t.text) if (c === ":") colons++;
      continue;
    }
    const next = tokens[i + 1];
    const endsSegment = next === undefined || (next.kind === "text" && next.text.startsWith(":"));
    const crossesColon = reading === "loose" || colons >= 5 || (t.kind === "star" && endsSegment);
    if (t.kind === "star") source += crossesColon ? "*" : "\\0*";
    else source += crossesColon ? "?" : "\\0?";
  }
  return source;
}

const readings = new BoundedCache<Glob>(20_000);

function readingGlob(tokens: readonly ResolvedToken[], reading: "strict" | "loose", key: string): Glob {
  let glob = readings.get(key);
  if (!glob) {
    glob = new Glob(relationTokens(tokens, reading));
    readings.set(key, glob);
  }
  return glob;
}

function buildMatchers(tokens: readonly ResolvedToken[]): ResolvedMatchers {
  const strictKey = readingKey(tokens, "strict");
  const looseKey = readingKey(tokens, "loose");
  const differs = strictKey !== looseKey;
  let relation: ResolvedMatchers["relation"] | undefined;
  const first = tokens[0];
  const literalHead = first && first.kind === "text" ? first.text.split(":") : [];
  return {
    id: nextMatcherId++,
    service: literalHead.length > 3 ? literalHead[2].toLowerCase() : undefined,
    // Needed only for requests with unknown parts: built on first use.
    get relation() {
      relation ??= { strict: relationTokens(tokens, "strict"), loose: relationTokens(tokens, "loose") };
      return relation;
    },
    // Matching never backtracks (lib/glob.ts): no Resource pattern can stall the pack.
    strict: readingGlob(tokens, "strict", strictKey),
    loose: differs ? readingGlob(tokens, "loose", looseKey) : undefined,
  };
}

export function compileResourcePattern(raw: string, variablesEnabled: boolean): CompiledResourcePattern {
  if (raw === "*") return { raw, matchesEverything: true, tokens: [], needsContext: false };
  const tokens = tokenizePolicyString(raw, { wildcards: true, variables: variablesEnabled });
  const needsContext = hasVariables(tokens);
  return {
    raw,
    matchesEverything: false,
    tokens,
    needsContext,
    fixed: needsContext ? undefined : buildMatchers(tokens as ResolvedToken[]),
  };
}

/** A resource the request names: an ARN whose `*` marks unknown parts, or `*` for actions without resource-level permissions. */
export interface RequestResource {
  readonly raw: string;
  readonly isWildcardOnly: boolean;
  readonly hasUnknownParts: boolean;
  readonly relation?: RelationToken[];
  readonly relationFolded?: RelationToken[];
  /** The service segment, lowercased, when it is literal. */
  readonly service?: string;
}

const requestCache = new BoundedCache<RequestResource>(5000);

export function parseRequestResource(raw: string): RequestResource {
  if (raw === "*") return { raw, isWildcardOnly: true, hasUnknownParts: false };
  if (!raw.includes("*")) return { raw, isWildcardOnly: false, hasUnknownParts: false };
  const cached = requestCache.get(raw);
  if (cached) return cached;
  const parsed = parseUnknownParts(raw);
  requestCache.set(raw, parsed);
  return parsed;
}

function parseUnknownParts(raw: string): RequestResource {
  const relation = relationTokens(tokenizePolicyString(raw, { wildcards: true, variables: false }) as ResolvedToken[], "request").map(
    (t): RelationToken => (t.kind === "one" ? { kind: "char", char: "?" } : t),
  );
  const relationFolded = relation.map((t): RelationToken => (t.kind === "char" ? { kind: "char", char: t.char.toLowerCase() } : t));
  const service = raw.split(":")[2];
  return { raw, isWildcardOnly: false, hasUnknownParts: true, relation, relationFolded, service: service !== undefined && !service.includes("*") ? service.toLowerCase() : undefined };
}

function foldRelation(tokens: readonly RelationToken[]): RelationToken[] {
  return tokens.map((t) => (t.kind === "char" ? { kind: "char", char: t.char.toLowerCase() } : t));
}

function relate(policy: readonly RelationToken[], request: readonly RelationToken[]): TriState {
  if (patternCovers(policy, request)) return "yes";
  return patternsIntersect(policy, request) ? "maybe" : "no";
}

/** Pattern-to-pattern answers, keyed by matcher and request: probes repeat the same pairs under many tag sets. */
const relationCache = new BoundedCache<ResourceMatch>(20_000);

function matchWith(matchers: ResolvedMatchers, request: RequestResource): ResourceMatch {
  if (request.hasUnknownParts) {
    const key = `${matchers.id}\u0000${request.raw}`;
    let answer = relationCache.get(key);
    if (!answer) {
      answer = relateToUnknownParts(matchers, request);
      relationCache.set(key, answer);
    }
    return answer;
  }
  return matchConcrete(matchers, request);
}

function relateToUnknownParts(matchers: ResolvedMatchers, request: RequestResource): ResourceMatch {
  if (matchers.service !== undefined && request.service !== undefined && matchers.service !== request.service) return { result: "no" };
  const strict = relate(matchers.relation.strict, request.relation!);
  const loose = relate(matchers.relation.loose, request.relation!);
  const agreed = triAgreement([strict, loose]);
  if (agreed !== "no") return { result: agreed, reason: agreed === "maybe" ? `"${request.raw}" stands for resources only some of which the pattern covers` : undefined };
  const folded = patternsIntersect(foldRelation(matchers.relation.loose), request.relationFolded!);
  return folded ? { result: "maybe", reason: "the ARN matches only when letter case is ignored" } : { result: "no" };
}

function matchConcrete(matchers: ResolvedMatchers, request: RequestResource): ResourceMatch {
  const strict = matchers.strict.test(request.raw);
  const loose = matchers.loose ? matchers.loose.test(request.raw) : strict;
  if (strict !== loose) return { result: "maybe", reason: "a wildcard inside an ARN segment may or may not span a colon" };
  if (strict) return { result: "yes" };
  const folded = matchers.strict.test(request.raw, true) || (matchers.loose ? matchers.loose.test(request.raw, true) : false);
  return folded ? { result: "maybe", reason: "the ARN matches only when letter case is ignored" } : { result: "no" };
}

/** One pattern of a `Resource`/`NotResource` element against the request's resource. */
export function matchResourcePattern(pattern: CompiledResourcePattern, request: RequestResource, context: ContextIndex): ResourceMatch {
  if (pattern.matchesEverything) return { result: "yes" };
  const matchers = matchersFor(pattern, context);
  if (request.isWildcardOnly) return againstWildcardOnly(pattern, matchers);
  if ("reason" in matchers) return { result: "maybe", reason: matchers.reason };
  return matchWith(matchers, request);
}

/** The pattern's matchers: precompiled, or built from its variables' values; why not, when a value is unknown. */
function matchersFor(pattern: CompiledResourcePattern, context: ContextIndex): ResolvedMatchers | { reason: string } {
  if (pattern.fixed) return pattern.fixed;
  const resolved = resolveTokens(pattern.tokens, context, true);
  return resolved.ok ? resolvedMatchers(resolved.tokens) : { reason: resolved.reason };
}

/**
 * Actions without resource-level permissions are authorized by Resource "*". AWS does not say
 * whether another pattern that matches the text `*` (`**`, `?`, `${*}`) authorizes them too, so
 * such a pattern is "maybe"; one that cannot match `*` (any ARN) is "no".
 */
function againstWildcardOnly(pattern: CompiledResourcePattern, matchers: ResolvedMatchers | { reason: string }): ResourceMatch {
  if ("reason" in matchers) {
    // A variable whose value is unknown: only a pattern with no literal text could become "*".
    return pattern.tokens.every((t) => t.kind !== "text") ? { result: "maybe", reason: matchers.reason } : { result: "no" };
  }
  if (!matchers.strict.test("*")) return { result: "no" };
  return { result: "maybe", reason: `AWS does not document whether Resource "${pattern.raw}", which matches the text "*", authorizes an action without resource-level permissions` };
}

const resolvedCache = new BoundedCache<ResolvedMatchers>(5000);

/** Patterns with variables resolve to the same few strings across requests: build their matchers once. */
function resolvedMatchers(tokens: readonly ResolvedToken[]): ResolvedMatchers {
  const key = tokens.map((t) => (t.kind === "text" ? `t${t.text.length}:${t.text}` : t.kind === "star" ? "*" : "?")).join("");
  let matchers = resolvedCache.get(key);
  if (!matchers) {
    matchers = buildMatchers(tokens);
    resolvedCache.set(key, matchers);
  }
  return matchers;
}
