/**
 * The request context an IAM decision is made against, and what the evaluator may assume about
 * keys nobody listed.
 *
 * A policy pack sees a program, not a request: it knows the tags a stack gives a database and the
 * tags a restore would send, but not whether the caller used MFA or which principal tags it has.
 * So a context says which keys it lists and which of the others are certainly absent; every other
 * key may be present with any value, and conditions on it evaluate to "maybe".
 *
 * Condition key names are case-insensitive in AWS, the tag-key part of `aws:ResourceTag/<key>`
 * and `aws:PrincipalTag/<key>` included (AWS's IAM condition reference; AWS's own data-perimeter
 * examples rely on the folding, aws-samples/data-perimeter-policy-examples#64). AWS folds case the
 * Unicode way, so a few non-ASCII letters (the Kelvin sign, the long s, dotted and dotless i)
 * fold onto ASCII ones; a lookup that matches only through such a letter is reported as "present
 * or absent", which makes the condition "maybe".
 */
import { globMatches } from "../glob";

export type ContextValue = string | readonly string[];

export interface RequestContext {
  /** Keys the request carries, with their values (arrays for multivalued keys such as `aws:TagKeys`). */
  readonly values?: Readonly<Record<string, ContextValue>>;
  /**
   * Which keys missing from `values` are certainly absent from the request: `"all"` (a closed
   * world, as a simulator sees it) or key patterns where `*` matches any characters
   * (`"aws:ResourceTag/*"` when the resource's tags are known). Default: none, so every unlisted
   * key may be present.
   */
  readonly absentUnlessListed?: "all" | readonly string[];
}

export type KeyReading = { state: "present"; value: ContextValue } | { state: "absent" } | { state: "unknown" };

const ABSENT: KeyReading = Object.freeze({ state: "absent" });
const UNKNOWN: KeyReading = Object.freeze({ state: "unknown" });

/** Keys compare case-insensitively. */
function foldKey(key: string): string {
  return key.toLowerCase();
}

/** Case folding beyond toLowerCase: letters Unicode folds onto ASCII ones (K KELVIN SIGN, ſ LONG S, İ ı). */
function foldSkeleton(lower: string): string {
  return lower.replace(/\u212a/g, "k").replace(/\u017f/g, "s").replace(/\u0131/g, "i").replace(/i\u0307/g, "i");
}

/** Key patterns (`aws:ResourceTag/*`) repeat across every request a rule builds: compiled once (lib/glob.ts). */
function keyPattern(pattern: string): { test(key: string): boolean } {
  return { test: (key) => globMatches(pattern, key, { ignoreCase: true }) };
}

function normalizeValue(value: unknown): ContextValue | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (const item of value) {
      if (typeof item === "string") items.push(item);
      else if (typeof item === "number" || typeof item === "boolean") items.push(String(item));
      else return undefined;
    }
    return items;
  }
  return undefined;
}

/** A request context indexed for lookups; build it once per request. */
export class ContextIndex {
  private readonly exact = new Map<string, ContextValue>();
  /**
   * Keys listed more than once in different letter cases (tags `environment` and `Environment`,
   * distinct on an RDS resource): AWS compares key names case-insensitively, so which value a
   * condition sees is not documented, and every one of them is a possible reading.
   */
  private readonly several = new Map<string, ContextValue[]>();
  /** Values by the folded skeleton of keys that hold non-ASCII letters (or of every key, for non-ASCII lookups). */
  private readonly skeletons = new Map<string, ContextValue[]>();
  /** Keys given with a value the evaluator cannot read (an object, null): treated as unknown. */
  private readonly unreadable = new Set<string>();
  private readonly allAbsent: boolean;
  private readonly absentPatterns: Array<{ test(key: string): boolean }>;

  constructor(context: RequestContext = {}) {
    const values = context.values ?? {};
    for (const [key, raw] of Object.entries(values)) {
      const value = normalizeValue(raw);
      if (value === undefined) {
        this.unreadable.add(foldKey(key));
        continue;
      }
      const lower = foldKey(key);
      const prior = this.exact.get(lower);
      if (prior !== undefined) this.several.set(lower, [...(this.several.get(lower) ?? [prior]), value]);
      this.exact.set(lower, value);
      const skeleton = foldSkeleton(lower);
      const list = this.skeletons.get(skeleton) ?? [];
      list.push(value);
      this.skeletons.set(skeleton, list);
    }
    const absent = context.absentUnlessListed;
    this.allAbsent = absent === "all";
    this.absentPatterns = Array.isArray(absent) ? absent.map(keyPattern) : [];
  }

  /** Whether the request lists the key in more than one letter case (`Env` and `env`). */
  listedInSeveralCases(key: string): boolean {
    return this.several.has(foldKey(key));
  }

  /**
   * Every state the key may be in for this request: one reading when the context decides it,
   * several when it does not (a tag key listed only in another letter case).
   */
  lookup(key: string): readonly KeyReading[] {
    const lower = foldKey(key);
    if (this.unreadable.has(lower)) return [UNKNOWN];
    const several = this.several.get(lower);
    if (several) return several.map((value): KeyReading => ({ state: "present", value }));
    const hit = this.exact.get(lower);
    if (hit !== undefined) return [{ state: "present", value: hit }];
    const base = this.allAbsent || this.absentPatterns.some((re) => re.test(key)) ? ABSENT : UNKNOWN;
    const foldVariants = this.skeletons.get(foldSkeleton(lower));
    // The exact lookup missed, so a skeleton hit differs only by a letter Unicode folds: present or not.
    if (foldVariants) return [...foldVariants.map((value): KeyReading => ({ state: "present", value })), base];
    return [base];
  }
}

const indexes = new WeakMap<RequestContext, ContextIndex>();
const EMPTY_CONTEXT: RequestContext = Object.freeze({});

/**
 * The index of a context object, built once per object: the rules evaluate the same probe and
 * restore contexts against every principal of a stack. Contexts are never changed after they are
 * built (every field is read-only).
 */
export function contextIndexOf(context: RequestContext = EMPTY_CONTEXT): ContextIndex {
  let index = indexes.get(context);
  if (!index) {
    index = new ContextIndex(context);
    indexes.set(context, index);
  }
  return index;
}
