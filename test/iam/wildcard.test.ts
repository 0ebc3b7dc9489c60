/**
 * lib/iam/wildcard.ts: how a policy string is read (literal text, `*`, `?`, policy variables
 * `${aws:username}` and `${key, 'default'}`, the escapes `${*}`, `${?}`, `${$}`), how its variables
 * resolve against a request, and how two patterns relate (one covers / may overlap the other).
 *
 * AWS IAM User Guide, "IAM policy elements: Variables and tags": variables are `${...}` (policy
 * Version 2012-10-17 only); `${*}`, `${?}` and `${$}` stand for a literal `*`, `?` and `$`; a default
 * value is written `${key, 'value'}` (the key, a comma and a space, the value in single quotes) and
 * is used when the key is not present in the request.
 */
import fc from "fast-check";
import { ContextIndex, type RequestContext } from "../../policies/lib/iam/request-context";
import {
  type PolicyStringToken,
  type RelationToken,
  type Resolution,
  type ResolvedToken,
  hasVariables,
  patternCovers,
  patternsIntersect,
  resolveTokens,
  tokenizePolicyString,
  tokensGlob,
} from "../../policies/lib/iam/wildcard";

const SEED = Number(process.env.FC_SEED ?? 20261126);

const both = { wildcards: true, variables: true };
const tokenize = (value: string, options = both): PolicyStringToken[] => tokenizePolicyString(value, options);

const txt = (text: string): PolicyStringToken => ({ kind: "text", text });
const STAR: PolicyStringToken = { kind: "star" };
const ONE: PolicyStringToken = { kind: "one" };
const variable = (raw: string, name: string, fallback?: string): PolicyStringToken =>
  fallback === undefined ? { kind: "variable", raw, name, malformed: false } : { kind: "variable", raw, name, fallback, malformed: false };
const malformed = (raw: string, name: string): PolicyStringToken => ({ kind: "variable", raw, name, malformed: true });

/** Tokenize with variables on, then resolve against a request context. */
function resolve(value: string, context: RequestContext, wildcards = true): Resolution {
  return resolveTokens(tokenizePolicyString(value, { wildcards, variables: true }), new ContextIndex(context), wildcards);
}
const closed = (values: Record<string, unknown>): RequestContext => ({ values: values as RequestContext["values"], absentUnlessListed: "all" });
/** Keys not listed may be present with any value (the default world). */
const open = (values: Record<string, unknown>): RequestContext => ({ values: values as RequestContext["values"] });
const resolved = (...tokens: ResolvedToken[]): Resolution => ({ ok: true, tokens });
const unresolved = (raw: string): Resolution => ({ ok: false, reason: `policy variable ${raw} cannot be resolved for this request` });
const undocumented = (raw: string): Resolution => ({ ok: false, reason: `policy variable ${raw} is not in the form AWS documents` });
const holdsWildcard = (raw: string, text: string): Resolution => ({
  ok: false,
  reason: `policy variable ${raw} resolves to "${text}", which holds a wildcard character`,
});

// Relation tokens: characters, and wildcards barred from some characters.
const chars = (s: string): RelationToken[] => [...s].map((char): RelationToken => ({ kind: "char", char }));
const star = (forbidden = ""): RelationToken => ({ kind: "star", forbidden });
const one = (forbidden = ""): RelationToken => ({ kind: "one", forbidden });

describe("tokenizePolicyString: text and wildcards", () => {
  it("keeps a string without wildcards or variables as one text token", () => {
    for (const s of ["arn:aws:rds:us-east-1:123456789012:db:prod", "Team Orders!", "a b, c 'd'", "$", "{}", "a{b}", "$x}", "a$"]) {
      expect(tokenize(s)).toStrictEqual([txt(s)]);
    }
  });

  it("reads nothing from the empty string", () => {
    expect(tokenize("")).toStrictEqual([]);
    expect(tokenize("", { wildcards: false, variables: false })).toStrictEqual([]);
  });

  it("splits on `*` and `?` when they are wildcards", () => {
    expect(tokenize("rds:Delete*")).toStrictEqual([txt("rds:Delete"), STAR]);
    expect(tokenize("*")).toStrictEqual([STAR]);
    expect(tokenize("?")).toStrictEqual([ONE]);
    expect(tokenize("db-?x*y")).toStrictEqual([txt("db-"), ONE, txt("x"), STAR, txt("y")]);
    expect(tokenize("**??")).toStrictEqual([STAR, STAR, ONE, ONE]);
    expect(tokenize("?a")).toStrictEqual([ONE, txt("a")]);
  });

  it("keeps `*` and `?` literal when they are not wildcards (StringEquals)", () => {
    expect(tokenize("a*b?c", { wildcards: false, variables: true })).toStrictEqual([txt("a*b?c")]);
    expect(tokenize("*", { wildcards: false, variables: false })).toStrictEqual([txt("*")]);
  });
});

describe("tokenizePolicyString: policy variables", () => {
  it("reads `${key}` as a variable", () => {
    expect(tokenize("arn:aws:s3:::bucket/${aws:username}/*")).toStrictEqual([
      txt("arn:aws:s3:::bucket/"),
      variable("${aws:username}", "aws:username"),
      txt("/"),
      STAR,
    ]);
    expect(tokenize("${aws:username}")).toStrictEqual([variable("${aws:username}", "aws:username")]);
    expect(tokenize("${a}${b}")).toStrictEqual([variable("${a}", "a"), variable("${b}", "b")]);
  });

  it("leaves `${...}` literal where variables are not enabled (policy Version 2008-10-17)", () => {
    expect(tokenize("home/${aws:username}", { wildcards: true, variables: false })).toStrictEqual([txt("home/${aws:username}")]);
    expect(tokenize("${*}", { wildcards: true, variables: false })).toStrictEqual([txt("${"), STAR, txt("}")]);
    expect(tokenize("${?}", { wildcards: false, variables: false })).toStrictEqual([txt("${?}")]);
  });

  it("needs `$` immediately followed by `{`", () => {
    expect(tokenize("$x}")).toStrictEqual([txt("$x}")]);
    expect(tokenize("x{y}")).toStrictEqual([txt("x{y}")]);
    expect(tokenize("a{aws:username}")).toStrictEqual([txt("a{aws:username}")]);
    expect(tokenize("$ {a}")).toStrictEqual([txt("$ {a}")]);
    expect(tokenize("$${a}")).toStrictEqual([txt("$"), variable("${a}", "a")]);
  });

  it("keeps an unterminated `${` as literal text", () => {
    expect(tokenize("${")).toStrictEqual([txt("${")]);
    expect(tokenize("arn:${aws:username")).toStrictEqual([txt("arn:${aws:username")]);
    expect(tokenize("a${b*")).toStrictEqual([txt("a${b"), STAR]);
    expect(tokenize("${a}${b")).toStrictEqual([variable("${a}", "a"), txt("${b")]);
  });

  it("reads the escapes `${*}`, `${?}`, `${$}` as literal characters, joined to the text around them", () => {
    expect(tokenize("${*}")).toStrictEqual([txt("*")]);
    expect(tokenize("${?}")).toStrictEqual([txt("?")]);
    expect(tokenize("${$}")).toStrictEqual([txt("$")]);
    expect(tokenize("a${*}b${?}c${$}d")).toStrictEqual([txt("a*b?c$d")]);
    expect(tokenize("${*}${?}")).toStrictEqual([txt("*?")]);
    expect(tokenize("x*${*}")).toStrictEqual([txt("x"), STAR, txt("*")]);
    expect(tokenize("${$}{a}")).toStrictEqual([txt("${a}")]);
    expect(tokenize("${ * }")).toStrictEqual([variable("${ * }", "*")]);
  });

  it("reads AWS's default-value form `${key, 'value'}`", () => {
    expect(tokenize("${aws:PrincipalTag/team, 'company-wide'}")).toStrictEqual([
      variable("${aws:PrincipalTag/team, 'company-wide'}", "aws:PrincipalTag/team", "company-wide"),
    ]);
    expect(tokenize("${k, ''}")).toStrictEqual([variable("${k, ''}", "k", "")]);
    expect(tokenize("${k, 'a b,c'}")).toStrictEqual([variable("${k, 'a b,c'}", "k", "a b,c")]);
    expect(tokenize("team-${k, '*'}-x")).toStrictEqual([txt("team-"), variable("${k, '*'}", "k", "*"), txt("-x")]);
  });

  it("does not count surrounding spaces as part of the key name", () => {
    expect(tokenize("${ aws:username }")).toStrictEqual([variable("${ aws:username }", "aws:username")]);
    expect(tokenize("${ aws:username , 'x'}")).toStrictEqual([variable("${ aws:username , 'x'}", "aws:username", "x")]);
  });

  it("marks every other use of a comma or a quote, and an empty name, as not in AWS's form", () => {
    const cases: Array<[string, string]> = [
      ["${a,b}", "a,b"],
      ["${a, b}", "a, b"],
      ["${a,'b'}", "a,'b'"],
      ["${a,  'b'}", "a,  'b'"],
      ["${a'b}", "a'b"],
      ["${'a'}", "'a'"],
      ["${a, 'b'x}", "a, 'b'x"],
      ["${a, 'b' }", "a, 'b'"],
      ["${a,b, 'c'}", "a,b, 'c'"],
      ["${'x, 'c'}", "'x, 'c'"],
      ["${, 'c'}", ", 'c'"],
      ["${a, 'b', 'c'}", "a, 'b', 'c'"],
      ["${}", ""],
      ["${ }", ""],
      ["${   }", ""],
    ];
    for (const [raw, name] of cases) expect(tokenize(raw)).toStrictEqual([malformed(raw, name)]);
    // A `}` inside the quotes ends the variable there: the rest is text.
    expect(tokenize("${a, '}'}")).toStrictEqual([malformed("${a, '}", "a, '"), txt("'}")]);
  });

  it("hasVariables tells whether any token is a variable", () => {
    expect(hasVariables(tokenize("arn:${aws:username}"))).toBe(true);
    expect(hasVariables(tokenize("${a,b}"))).toBe(true);
    expect(hasVariables(tokenize("arn:*${*}"))).toBe(false);
    expect(hasVariables([])).toBe(false);
  });
});

describe("resolveTokens", () => {
  it("passes text and wildcards through unchanged", () => {
    expect(resolve("a*b?c", closed({}))).toStrictEqual(resolved({ kind: "text", text: "a" }, { kind: "star" }, { kind: "text", text: "b" }, { kind: "one" }, { kind: "text", text: "c" }));
    expect(resolve("", closed({}))).toStrictEqual(resolved());
  });

  it("substitutes a present value, joined to the text before it", () => {
    const ctx = closed({ "aws:username": "alice", "aws:userid": "AIDAEXAMPLE" });
    // Text after a variable stays a token of its own (the glob built from them is the same).
    expect(resolve("arn:aws:s3:::bucket/${aws:username}/*", ctx)).toStrictEqual(
      resolved({ kind: "text", text: "arn:aws:s3:::bucket/alice" }, { kind: "text", text: "/" }, { kind: "star" }),
    );
    expect(resolve("${aws:username}", ctx)).toStrictEqual(resolved({ kind: "text", text: "alice" }));
    expect(resolve("${aws:username}${aws:userid}", ctx)).toStrictEqual(resolved({ kind: "text", text: "aliceAIDAEXAMPLE" }));
    expect(resolve("*${aws:username}", ctx)).toStrictEqual(resolved({ kind: "star" }, { kind: "text", text: "alice" }));
    expect(resolve("?${aws:username}-", ctx)).toStrictEqual(resolved({ kind: "one" }, { kind: "text", text: "alice" }, { kind: "text", text: "-" }));
    expect(resolve("${aws:username}*${aws:userid}", ctx)).toStrictEqual(resolved({ kind: "text", text: "alice" }, { kind: "star" }, { kind: "text", text: "AIDAEXAMPLE" }));
  });

  it("looks keys up case-insensitively and substitutes values of any text", () => {
    expect(resolve("${AWS:UserName}", closed({ "aws:username": "alice" }))).toStrictEqual(resolved({ kind: "text", text: "alice" }));
    for (const value of ["Team Orders!", " ", "a:b/c", "${x}"]) {
      expect(resolve("${aws:PrincipalTag/motto}", closed({ "aws:PrincipalTag/motto": value }))).toStrictEqual(resolved({ kind: "text", text: value }));
    }
    // Numbers and booleans a program hands over are read as their text.
    expect(resolve("${aws:MultiFactorAuthAge}", closed({ "aws:MultiFactorAuthAge": 300 }))).toStrictEqual(resolved({ kind: "text", text: "300" }));
  });

  it("uses the default value only when the key is certainly absent", () => {
    const raw = "${aws:PrincipalTag/team, 'company-wide'}";
    expect(resolve(`team/${raw}`, closed({}))).toStrictEqual(resolved({ kind: "text", text: "team/company-wide" }));
    expect(resolve(raw, closed({ "aws:PrincipalTag/team": "red" }))).toStrictEqual(resolved({ kind: "text", text: "red" }));
    // The key may be present with some other value: the default may not apply.
    expect(resolve(raw, open({}))).toStrictEqual(unresolved(raw));
    expect(resolve(raw, { absentUnlessListed: ["aws:RequestTag/*"] })).toStrictEqual(unresolved(raw));
    expect(resolve(raw, { absentUnlessListed: ["aws:PrincipalTag/*"] })).toStrictEqual(resolved({ kind: "text", text: "company-wide" }));
  });

  it("cannot resolve a key that is absent without a default, unknown, empty, multivalued or unreadable", () => {
    expect(resolve("home/${aws:username}", closed({}))).toStrictEqual(unresolved("${aws:username}"));
    expect(resolve("${aws:username}", open({}))).toStrictEqual(unresolved("${aws:username}"));
    expect(resolve("${aws:username}", closed({ "aws:username": "" }))).toStrictEqual(unresolved("${aws:username}"));
    // Present but empty: the default is for absent keys only.
    expect(resolve("${aws:username, 'x'}", closed({ "aws:username": "" }))).toStrictEqual(unresolved("${aws:username, 'x'}"));
    expect(resolve("${aws:TagKeys}", closed({ "aws:TagKeys": ["a", "b"] }))).toStrictEqual(unresolved("${aws:TagKeys}"));
    expect(resolve("${aws:TagKeys}", closed({ "aws:TagKeys": ["a"] }))).toStrictEqual(unresolved("${aws:TagKeys}"));
    expect(resolve("${aws:username, 'x'}", closed({ "aws:username": { nested: true } }))).toStrictEqual(unresolved("${aws:username, 'x'}"));
    // The first unresolvable variable is the one reported.
    expect(resolve("${a}${b}", closed({}))).toStrictEqual(unresolved("${a}"));
    expect(resolve("${a}${b}", closed({ a: "x" }))).toStrictEqual(unresolved("${b}"));
  });

  it("cannot resolve a key listed in several letter cases (which value AWS reads is not documented)", () => {
    const raw = "${aws:PrincipalTag/team}";
    expect(resolve(raw, closed({ "aws:PrincipalTag/Team": "red", "aws:PrincipalTag/team": "blue" }))).toStrictEqual(unresolved(raw));
  });

  it("does not resolve a variable written in a form AWS does not document, whatever the request holds", () => {
    expect(resolve("${a,b}", closed({ "a,b": "x", a: "y" }))).toStrictEqual(undocumented("${a,b}"));
    expect(resolve("x${a'b}", closed({ "a'b": "x" }))).toStrictEqual(undocumented("${a'b}"));
    expect(resolve("${}", closed({ "": "x" }))).toStrictEqual(undocumented("${}"));
    expect(resolve("${a, 'b'x}", closed({}))).toStrictEqual(undocumented("${a, 'b'x}"));
  });

  it("with wildcards, does not resolve a value holding `*` or `?` (literal or not is undocumented)", () => {
    expect(resolve("${aws:username}", closed({ "aws:username": "a*" }))).toStrictEqual(holdsWildcard("${aws:username}", "a*"));
    expect(resolve("x/${aws:username}", closed({ "aws:username": "?" }))).toStrictEqual(holdsWildcard("${aws:username}", "?"));
    expect(resolve("${k, '*'}", closed({}))).toStrictEqual(holdsWildcard("${k, '*'}", "*"));
    // Without wildcards (StringEquals) the value is plain text.
    expect(resolve("${aws:username}", closed({ "aws:username": "a*" }), false)).toStrictEqual(resolved({ kind: "text", text: "a*" }));
    expect(resolve("x${k, '?'}", closed({}), false)).toStrictEqual(resolved({ kind: "text", text: "x?" }));
  });
});

describe("tokensGlob", () => {
  const glob = (value: string) => tokensGlob(tokenizePolicyString(value, { wildcards: true, variables: false }) as ResolvedToken[]);

  it("matches the whole text; `*` any run (colons included), `?` one character", () => {
    expect(glob("rds:Delete*").test("rds:DeleteDBInstance")).toBe(true);
    expect(glob("rds:Delete*").test("rds:Delete")).toBe(true);
    expect(glob("rds:Delete*").test("rds:CreateDBInstance")).toBe(false);
    expect(glob("arn:*").test("arn:aws:rds:us-east-1:1:db:x")).toBe(true);
    expect(glob("a?c").test("abc")).toBe(true);
    expect(glob("a?c").test("ac")).toBe(false);
    expect(glob("a?c").test("abbc")).toBe(false);
    expect(glob("a${*}c").test("a*c")).toBe(false);
  });

  it("compares letter case only when asked to ignore it", () => {
    expect(glob("rds:delete*").test("RDS:DeleteDBInstance")).toBe(false);
    expect(glob("rds:delete*").test("RDS:DeleteDBInstance", true)).toBe(true);
    expect(glob("Rds:?elete").test("rds:Delete", true)).toBe(true);
  });

  it("does not confuse patterns that differ only by a `?` or by where text ends", () => {
    const withOne = tokensGlob([{ kind: "text", text: "wc-cache" }, { kind: "one" }]);
    expect(withOne.test("wc-cacheX")).toBe(true);
    const without = tokensGlob([{ kind: "text", text: "wc-cache" }]);
    expect(without.test("wc-cache")).toBe(true);
    expect(without.test("wc-cacheX")).toBe(false);
    const starThenOne = tokensGlob([{ kind: "text", text: "q" }, { kind: "star" }, { kind: "one" }]);
    const oneThenStar = tokensGlob([{ kind: "text", text: "q" }, { kind: "one" }, { kind: "star" }]);
    expect(starThenOne.test("q")).toBe(false);
    expect(oneThenStar.test("q")).toBe(false);
    expect(tokensGlob([{ kind: "text", text: "q" }, { kind: "star" }]).test("q")).toBe(true);
    expect(tokensGlob([{ kind: "text", text: "ab" }, { kind: "text", text: "c" }]).test("abc")).toBe(true);
    expect(tokensGlob([{ kind: "text", text: "a" }, { kind: "text", text: "bc" }]).test("abc")).toBe(true);
  });
});

describe("patternsIntersect", () => {
  it("relates literal patterns by equality", () => {
    expect(patternsIntersect(chars("ab"), chars("ab"))).toBe(true);
    expect(patternsIntersect(chars("ab"), chars("ac"))).toBe(false);
    expect(patternsIntersect(chars("a"), chars("ab"))).toBe(false);
    expect(patternsIntersect(chars("ab"), chars("a"))).toBe(false);
    expect(patternsIntersect(chars("a"), chars("ba"))).toBe(false);
    expect(patternsIntersect([], [])).toBe(true);
    expect(patternsIntersect([], chars("a"))).toBe(false);
  });

  it("lets a `*` on either side stand for any run, the empty one included", () => {
    expect(patternsIntersect(chars("a"), [star()])).toBe(true);
    expect(patternsIntersect([star()], chars("a"))).toBe(true);
    expect(patternsIntersect([star()], chars("ab"))).toBe(true);
    expect(patternsIntersect([star()], [])).toBe(true);
    expect(patternsIntersect([], [star()])).toBe(true);
    expect(patternsIntersect(chars("a"), [...chars("a"), star()])).toBe(true);
    expect(patternsIntersect([...chars("a"), star(), ...chars("z")], [...chars("ab"), star()])).toBe(true);
    expect(patternsIntersect([...chars("a"), star()], [...chars("b"), star()])).toBe(false);
    expect(patternsIntersect([star(), ...chars("x")], [star(), ...chars("y")])).toBe(false);
    expect(patternsIntersect([star()], [star()])).toBe(true);
  });

  it("lets a `?` on either side stand for exactly one character", () => {
    expect(patternsIntersect([one()], [one()])).toBe(true);
    expect(patternsIntersect([one()], chars("a"))).toBe(true);
    expect(patternsIntersect(chars("a"), [one()])).toBe(true);
    expect(patternsIntersect([one()], chars("ab"))).toBe(false);
    expect(patternsIntersect([one()], [])).toBe(false);
    expect(patternsIntersect([one()], [star()])).toBe(true);
    expect(patternsIntersect([star()], [one()])).toBe(true);
    expect(patternsIntersect([one(), one()], [one()])).toBe(false);
  });

  it("respects the characters a wildcard may not stand for", () => {
    expect(patternsIntersect([one(":")], chars(":"))).toBe(false);
    expect(patternsIntersect(chars(":"), [one(":")])).toBe(false);
    expect(patternsIntersect([star(":")], chars("a:b"))).toBe(false);
    expect(patternsIntersect(chars("a:b"), [star(":")])).toBe(false);
    expect(patternsIntersect([star(":")], chars("ab"))).toBe(true);
    expect(patternsIntersect([star(":"), ...chars(":x")], chars("ab:x"))).toBe(true);
    // Two wildcards share a character unless together they bar every one.
    expect(patternsIntersect([one(":")], [one("/")])).toBe(true);
    expect(patternsIntersect([star(":")], [one("/")])).toBe(true);
    expect(patternsIntersect([one("undefined")], [one()])).toBe(true);
  });
});

describe("patternCovers", () => {
  it("covers literal requests the policy pattern matches", () => {
    expect(patternCovers(chars("ab"), chars("ab"))).toBe(true);
    expect(patternCovers(chars("a"), chars("b"))).toBe(false);
    expect(patternCovers(chars("a"), chars("ab"))).toBe(false);
    expect(patternCovers(chars("ab"), chars("a"))).toBe(false);
    expect(patternCovers(chars("a"), [])).toBe(false);
    expect(patternCovers([], [])).toBe(true);
    expect(patternCovers([star()], [])).toBe(true);
    expect(patternCovers([star()], chars("a"))).toBe(true);
    expect(patternCovers([star()], chars("abc"))).toBe(true);
    expect(patternCovers([...chars("a"), star(), ...chars("c")], chars("abbc"))).toBe(true);
    // `**` is `*`, and a `*` may stand for nothing.
    expect(patternCovers([star(), star(), ...chars("a")], chars("a"))).toBe(true);
    expect(patternCovers([star(), star(":"), one()], chars("b"))).toBe(true);
    expect(patternCovers([star(), star(), ...chars("a")], [star(), ...chars("a")])).toBe(true);
    expect(patternCovers([...chars("a"), star(), ...chars("c")], chars("abcb"))).toBe(false);
    expect(patternCovers([one()], chars("a"))).toBe(true);
    expect(patternCovers([one()], chars("ab"))).toBe(false);
    expect(patternCovers([one()], [])).toBe(false);
  });

  it("covers a request wildcard only with a policy `*` at least as wide", () => {
    expect(patternCovers([star()], [star()])).toBe(true);
    expect(patternCovers([star()], [one()])).toBe(true);
    expect(patternCovers([star()], [star(":")])).toBe(true);
    expect(patternCovers([star(":")], [star(":")])).toBe(true);
    expect(patternCovers([star(":")], [star(":/")])).toBe(true);
    expect(patternCovers([star(":/")], [star("/:")])).toBe(true);
    expect(patternCovers([...chars("a"), star()], [...chars("a"), star()])).toBe(true);
    expect(patternCovers([...chars("a"), star(), ...chars("z")], [...chars("ab"), star(), ...chars("yz")])).toBe(true);
    // The request's `*` may stand for a `:`, which the policy's may not.
    expect(patternCovers([star(":")], [star()])).toBe(false);
    expect(patternCovers([star(":")], [one()])).toBe(false);
    expect(patternCovers([star(":/")], [star(":")])).toBe(false);
    // A `*` may stand for nothing, or for more than one character.
    expect(patternCovers([one()], [star()])).toBe(false);
    expect(patternCovers(chars("a"), [star()])).toBe(false);
    expect(patternCovers([star(), ...chars("a")], [star()])).toBe(false);
    expect(patternCovers([...chars("a"), star()], [star(), ...chars("a")])).toBe(false);
  });

  it("respects the characters a policy wildcard may not stand for", () => {
    expect(patternCovers([star(":")], chars("ab"))).toBe(true);
    expect(patternCovers([star(":")], chars("a:b"))).toBe(false);
    expect(patternCovers([one(":")], chars("a"))).toBe(true);
    expect(patternCovers([one(":")], chars(":"))).toBe(false);
    expect(patternCovers([star(":"), ...chars(":"), star(":")], chars("a:b"))).toBe(true);
  });

  it("does not claim a `?` covers another wildcard (sound, not complete)", () => {
    expect(patternCovers([one()], [one()])).toBe(false);
    expect(patternCovers(chars("?"), [one()])).toBe(false);
  });
});

describe("patternsIntersect and patternCovers agree with brute force", () => {
  // Every string over a small alphabet up to a length that holds a witness for patterns this short.
  const ALPHABET = ["a", "b", ":", "/"];
  const MAX_LEN = 6;
  const strings: string[] = [""];
  for (let n = 1, layer = [""]; n <= MAX_LEN; n++) {
    layer = layer.flatMap((s) => ALPHABET.map((c) => s + c));
    strings.push(...layer);
  }
  const matches = (pattern: readonly RelationToken[], s: string): boolean => {
    let source = "^";
    for (const e of pattern) {
      if (e.kind === "char") source += e.char.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      else source += `${e.forbidden === "" ? "[\\s\\S]" : `[^${e.forbidden}]`}${e.kind === "star" ? "*" : ""}`;
    }
    return new RegExp(`${source}$`).test(s);
  };
  const token: fc.Arbitrary<RelationToken> = fc.oneof(
    fc.constantFrom("a", "b", ":").map((char): RelationToken => ({ kind: "char", char })),
    fc.constantFrom("", ":", ":/").map((forbidden) => star(forbidden)),
    fc.constantFrom("", ":").map((forbidden) => one(forbidden)),
  );
  const pattern = fc.array(token, { maxLength: 3 });

  it("intersect is exact and covers is sound on short patterns", () => {
    fc.assert(
      fc.property(pattern, pattern, (policy, request) => {
        const requestStrings = strings.filter((s) => matches(request, s));
        expect(patternsIntersect(policy, request)).toBe(requestStrings.some((s) => matches(policy, s)));
        if (patternCovers(policy, request)) expect(requestStrings.every((s) => matches(policy, s))).toBe(true);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe("pattern relations: cost", () => {
  it("decides star-heavy patterns without walking every way to split them", () => {
    const policy: RelationToken[] = [];
    for (let k = 0; k < 20; k++) policy.push(star(), ...chars("a"));
    policy.push(...chars("b"));
    const request = chars(`${"a".repeat(60)}c`);
    expect(patternCovers(policy, request)).toBe(false);
    expect(patternsIntersect(policy, request)).toBe(false);
    expect(patternsIntersect(policy, [...chars("a".repeat(60)), star()])).toBe(true);
  });
});
