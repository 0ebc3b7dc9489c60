/**
 * Glob matching in time proportional to the text's length times the number of ways the pattern
 * can be part-way through it, never exponential: the patterns come from the policies and settings
 * being judged (IAM `Action` and `Resource` globs, `StringLike` values, backup selection ARNs,
 * stack name patterns), and a pattern such as `rds:*?*?*?*?*?*?*?*?*?*?*?*?Z` made a regular
 * expression backtrack for seconds per match, which would hang the pack on every deployment.
 *
 * A pattern is a list of elements: a literal character, `*` (any run of characters) or `?` (any
 * one character), where a `*` or `?` may be barred from some characters (an ARN segment's `*` does
 * not cross a `:`). Matching simulates the pattern as a set of positions (an NFA), one text
 * character at a time, as `RegExp` would with `[\s\S]*`, `[^:]*` and so on: JavaScript strings are
 * read as UTF-16 code units, and case-insensitive matching folds characters as a `RegExp` with the
 * `i` flag (and without `u`) does.
 */
import { BoundedCache } from "./bounded-cache";

export type GlobElement = { kind: "char"; char: string } | { kind: "star" | "one"; forbidden: string };

/** The `RegExp` `i` flag's canonical form of one code unit (ECMAScript Canonicalize, non-Unicode mode). */
function canonical(ch: string): string {
  const upper = ch.toUpperCase();
  if (upper.length !== 1) return ch;
  if (ch.charCodeAt(0) >= 128 && upper.charCodeAt(0) < 128) return ch;
  return upper;
}

/** `canonical` on a code unit; ASCII (nearly every ARN and action name) without building strings. */
function canonicalCode(code: number): number {
  if (code < 128) return code >= 97 && code <= 122 ? code - 32 : code;
  return canonical(String.fromCharCode(code)).charCodeAt(0);
}


export class Glob {
  /** The elements between the literal prefix and the literal suffix (starting with a wildcard). */
  private readonly middle: readonly GlobElement[];
  private readonly middleFolded: Uint16Array;
  private readonly prefix: string;
  private readonly prefixFolded: Uint16Array;
  private readonly suffix: string;
  private readonly suffixFolded: Uint16Array;
  /** Characters the pattern needs at least (its literal characters and `?`s). */
  private readonly minLength: number;
  /** No wildcard at all: the text must equal `prefix`. */
  private readonly literal: boolean;
  /** The middle is one `*`: only its barred characters need checking. */
  private readonly singleStar: string | undefined;
  private stamp = new Int32Array(0);
  private generation = 0;

  constructor(elements: readonly GlobElement[]) {
    // `**` matches what `*` matches: collapse runs so that the state sets stay small.
    const compact: GlobElement[] = [];
    for (const e of elements) {
      const last = compact[compact.length - 1];
      if (e.kind === "star" && last?.kind === "star" && last.forbidden === e.forbidden) continue;
      compact.push(e);
    }
    let head = 0;
    while (head < compact.length && compact[head].kind === "char") head++;
    let tail = compact.length;
    while (tail > head && compact[tail - 1].kind === "char") tail--;
    const chars = (list: readonly GlobElement[]) => list.map((e) => (e as { char: string }).char).join("");
    this.prefix = chars(compact.slice(0, head));
    this.suffix = chars(compact.slice(tail));
    const folded = (text: string) => Uint16Array.from({ length: text.length }, (_, i) => canonicalCode(text.charCodeAt(i)));
    this.prefixFolded = folded(this.prefix);
    this.suffixFolded = folded(this.suffix);
    this.middle = compact.slice(head, tail);
    this.middleFolded = Uint16Array.from(this.middle, (e) => (e.kind === "char" ? canonicalCode(e.char.charCodeAt(0)) : 0));
    this.minLength = compact.filter((e) => e.kind !== "star").length;
    this.literal = this.middle.length === 0;
    this.singleStar = this.middle.length === 1 && this.middle[0].kind === "star" ? this.middle[0].forbidden : undefined;
  }

  /** Whether the whole `text` matches the whole pattern. */
  test(text: string, ignoreCase = false): boolean {
    if (this.literal) {
      if (text.length !== this.prefix.length) return false;
      if (!ignoreCase) return text === this.prefix;
    } else if (text.length < this.minLength) return false;
    const p = this.prefix.length;
    const q = this.suffix.length;
    if (ignoreCase) {
      for (let i = 0; i < p; i++) if (this.prefixFolded[i] !== canonicalCode(text.charCodeAt(i))) return false;
    } else if (!text.startsWith(this.prefix)) return false;
    if (this.literal) return true;
    const end = text.length - q;
    if (ignoreCase) {
      for (let i = 0; i < q; i++) if (this.suffixFolded[i] !== canonicalCode(text.charCodeAt(end + i))) return false;
    } else if (!text.endsWith(this.suffix)) return false;
    if (this.singleStar !== undefined) {
      if (this.singleStar === "") return true;
      for (let i = p; i < end; i++) if (this.singleStar.includes(text[i])) return false;
      return true;
    }
    return this.simulate(text, p, end, ignoreCase);
  }

  /** The middle elements against text[from, to), as a set of positions advanced one character at a time. */
  private simulate(text: string, from: number, to: number, ignoreCase: boolean): boolean {
    const elements = this.middle;
    const m = elements.length;
    if (this.stamp.length < m + 1 || this.generation > 0x3fffffff) {
      this.stamp = new Int32Array(m + 1);
      this.generation = 0;
    }
    const stamp = this.stamp;
    let current: number[] = [];
    let next: number[] = [];
    let generation = ++this.generation;
    // Entering a position enters the ones after each `*` too (a star may match nothing).
    for (let state = 0; stamp[state] !== generation; state++) {
      stamp[state] = generation;
      current.push(state);
      if (state === m || elements[state].kind !== "star") break;
    }
    for (let i = from; i < to; i++) {
      const ch = text[i];
      const folded = ignoreCase ? canonicalCode(text.charCodeAt(i)) : 0;
      generation = ++this.generation;
      next.length = 0;
      for (const state of current) {
        if (state === m) continue;
        const e = elements[state];
        let target: number;
        if (e.kind === "char") {
          if (!(ignoreCase ? this.middleFolded[state] === folded : e.char === ch)) continue;
          target = state + 1;
        } else if (e.forbidden !== "" && e.forbidden.includes(ch)) continue;
        else target = e.kind === "star" ? state : state + 1;
        for (let s = target; stamp[s] !== generation; s++) {
          stamp[s] = generation;
          next.push(s);
          if (s === m || elements[s].kind !== "star") break;
        }
      }
      if (next.length === 0) return false;
      [current, next] = [next, current];
    }
    return stamp[m] === this.generation;
  }
}

/** Pattern text to elements: `*` always a wildcard, `?` one only when `question` is set; both match any character. */
export function globElements(pattern: string, question: boolean): GlobElement[] {
  const out: GlobElement[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === "*") out.push({ kind: "star", forbidden: "" });
    else if (char === "?" && question) out.push({ kind: "one", forbidden: "" });
    else out.push({ kind: "char", char });
  }
  return out;
}

const cache = new BoundedCache<Glob>(20_000);

/**
 * Whether `text` matches `pattern`, where `*` is any run of characters and, with `question`, `?`
 * any one character; everything else literal. Compiled patterns are shared across calls.
 */
export function globMatches(pattern: string, text: string, options: { ignoreCase?: boolean; question?: boolean } = {}): boolean {
  const question = options.question ?? false;
  const key = `${question ? "?" : "-"}${pattern}`;
  let glob = cache.get(key);
  if (!glob) {
    glob = new Glob(globElements(pattern, question));
    cache.set(key, glob);
  }
  return glob.test(text, options.ignoreCase ?? false);
}
