import { compileCondition, evaluateCondition, evaluateConditions, parseConditionOperator } from "../../policies/lib/iam/conditions";
import { ContextIndex, type RequestContext } from "../../policies/lib/iam/request-context";

function clause(operator: string, key: string, values: string[], variablesEnabled = true) {
  const op = parseConditionOperator(operator);
  if (!op) throw new Error(`unknown operator ${operator}`);
  return compileCondition({ operator: op, key, values }, variablesEnabled);
}

function evaluate(operator: string, key: string, values: string[], context: RequestContext, variablesEnabled = true) {
  return evaluateCondition(clause(operator, key, values, variablesEnabled), new ContextIndex(context)).result;
}

const closed = (values: Record<string, string | string[]>): RequestContext => ({ values, absentUnlessListed: "all" });

describe("parseConditionOperator", () => {
  it("splits set qualifier, base operator and IfExists", () => {
    expect(parseConditionOperator("ForAllValues:StringNotEqualsIfExists")).toMatchObject({ set: "ForAllValues", base: "StringNotEquals", ifExists: true, negated: true });
    expect(parseConditionOperator("ArnLike")).toMatchObject({ set: undefined, base: "ArnLike", ifExists: false, negated: false });
    expect(parseConditionOperator("NotIpAddress")).toMatchObject({ base: "NotIpAddress", negated: true });
  });

  it.each(["StringEqual", "stringEquals", "ForSomeValues:StringEquals", "NullIfExists", "ForAnyValue:Null", "toString", "constructor", ""])("has no operator %p", (name) => {
    expect(parseConditionOperator(name)).toBeUndefined();
  });
});

describe("a key absent from the request (AWS's documented rules)", () => {
  it.each([
    ["StringEquals", "no"],
    ["StringLike", "no"],
    ["StringNotEquals", "yes"],
    ["StringNotLike", "yes"],
    ["StringNotEqualsIgnoreCase", "yes"],
    ["ArnLike", "no"],
    ["ArnNotLike", "yes"],
    ["NumericNotEquals", "yes"],
    ["NumericLessThan", "no"],
    ["DateNotEquals", "yes"],
    ["NotIpAddress", "yes"],
    ["IpAddress", "no"],
    ["StringEqualsIfExists", "yes"],
    ["BoolIfExists", "yes"],
    ["ForAllValues:StringEquals", "yes"],
    ["ForAllValues:StringNotLike", "yes"],
    ["ForAnyValue:StringEquals", "no"],
    ["ForAnyValue:StringNotEquals", "no"],
  ])("%s matches: %s", (operator, expected) => {
    const value = operator.includes("Numeric") ? "1" : operator.includes("Arn") ? "arn:aws:iam::1:role/x" : operator.includes("Bool") ? "true" : "v";
    expect(evaluate(operator, "aws:ResourceTag/environment", [value], closed({}))).toBe(expected);
  });

  it("Null tests presence", () => {
    expect(evaluate("Null", "aws:RequestTag/environment", ["true"], closed({}))).toBe("yes");
    expect(evaluate("Null", "aws:RequestTag/environment", ["false"], closed({}))).toBe("no");
    expect(evaluate("Null", "aws:RequestTag/environment", ["false"], closed({ "aws:RequestTag/environment": "x" }))).toBe("yes");
    expect(evaluate("Null", "aws:RequestTag/environment", ["yes"], closed({}))).toBe("maybe");
  });
});

describe("string comparisons", () => {
  const tagged = (v: string) => closed({ "aws:ResourceTag/environment": v });

  it("StringEquals is case-sensitive; StringEqualsIgnoreCase is not", () => {
    expect(evaluate("StringEquals", "aws:ResourceTag/environment", ["production"], tagged("Production"))).toBe("no");
    expect(evaluate("StringEqualsIgnoreCase", "aws:ResourceTag/environment", ["production"], tagged("Production"))).toBe("yes");
    expect(evaluate("StringNotEqualsIgnoreCase", "aws:ResourceTag/environment", ["production"], tagged("PRODUCTION"))).toBe("no");
  });

  it("is maybe for case folding outside ASCII", () => {
    expect(evaluate("StringEqualsIgnoreCase", "aws:ResourceTag/environment", ["STRASSE"], tagged("straße"))).toBe("maybe");
  });

  it("treats * literally in StringEquals and as a wildcard in StringLike", () => {
    expect(evaluate("StringEquals", "aws:ResourceTag/environment", ["prod*"], tagged("production"))).toBe("no");
    expect(evaluate("StringEquals", "aws:ResourceTag/environment", ["prod*"], tagged("prod*"))).toBe("yes");
    expect(evaluate("StringLike", "aws:ResourceTag/environment", ["prod*"], tagged("production"))).toBe("yes");
    expect(evaluate("StringLike", "aws:ResourceTag/environment", ["prod?ction"], tagged("production"))).toBe("yes");
    expect(evaluate("StringLike", "aws:ResourceTag/environment", ["prod?"], tagged("production"))).toBe("no");
  });

  it("with several values: positive operators need one to match, negated ones need none", () => {
    expect(evaluate("StringEquals", "aws:ResourceTag/environment", ["staging", "production"], tagged("production"))).toBe("yes");
    expect(evaluate("StringNotEquals", "aws:ResourceTag/environment", ["staging", "production"], tagged("production"))).toBe("no");
    expect(evaluate("StringNotEquals", "aws:ResourceTag/environment", ["staging", "dev"], tagged("production"))).toBe("yes");
  });

  it("a single-valued operator on a multivalued key is maybe", () => {
    expect(evaluate("StringEquals", "aws:TagKeys", ["environment"], closed({ "aws:TagKeys": ["environment"] }))).toBe("maybe");
    expect(evaluate("StringNotEqualsIfExists", "aws:TagKeys", ["environment"], closed({ "aws:TagKeys": ["team"] }))).toBe("maybe");
  });
});

describe("set operators", () => {
  const keys = (...k: string[]) => closed({ "aws:TagKeys": k });

  it("ForAllValues needs every request value to match; ForAnyValue needs one", () => {
    expect(evaluate("ForAllValues:StringEquals", "aws:TagKeys", ["environment", "team"], keys("environment", "team"))).toBe("yes");
    expect(evaluate("ForAllValues:StringEquals", "aws:TagKeys", ["environment"], keys("environment", "owner"))).toBe("no");
    expect(evaluate("ForAnyValue:StringEquals", "aws:TagKeys", ["owner"], keys("environment", "owner"))).toBe("yes");
    expect(evaluate("ForAnyValue:StringEquals", "aws:TagKeys", ["owner"], keys("environment"))).toBe("no");
  });

  it("negated set operators apply the negation per request value", () => {
    expect(evaluate("ForAllValues:StringNotEquals", "aws:TagKeys", ["environment"], keys("team", "owner"))).toBe("yes");
    expect(evaluate("ForAllValues:StringNotEquals", "aws:TagKeys", ["environment"], keys("team", "environment"))).toBe("no");
    expect(evaluate("ForAnyValue:StringNotLike", "aws:TagKeys", ["env*"], keys("environment", "team"))).toBe("yes");
  });

  it("an empty set: ForAllValues matches, ForAnyValue does not; an empty string is maybe", () => {
    expect(evaluate("ForAllValues:StringEquals", "aws:TagKeys", ["environment"], keys())).toBe("yes");
    expect(evaluate("ForAnyValue:StringEquals", "aws:TagKeys", ["environment"], keys())).toBe("no");
    expect(evaluate("ForAllValues:StringEquals", "aws:TagKeys", ["environment"], keys(""))).toBe("maybe");
  });

  it("a single-valued key is a set of one", () => {
    expect(evaluate("ForAnyValue:StringEquals", "aws:username", ["alice"], closed({ "aws:username": "alice" }))).toBe("yes");
  });
});

describe("numeric, boolean and ARN comparisons", () => {
  it("compares numbers strictly and is maybe on values that are not numbers", () => {
    const age = (v: string) => closed({ "aws:MultiFactorAuthAge": v });
    expect(evaluate("NumericLessThan", "aws:MultiFactorAuthAge", ["3600"], age("300"))).toBe("yes");
    expect(evaluate("NumericLessThan", "aws:MultiFactorAuthAge", ["3600"], age("3600"))).toBe("no");
    expect(evaluate("NumericLessThanEquals", "aws:MultiFactorAuthAge", ["3600"], age("3600"))).toBe("yes");
    expect(evaluate("NumericGreaterThan", "aws:MultiFactorAuthAge", ["1.5"], age("2"))).toBe("yes");
    expect(evaluate("NumericGreaterThanEquals", "aws:MultiFactorAuthAge", ["10"], age("9.99"))).toBe("no");
    expect(evaluate("NumericEquals", "aws:MultiFactorAuthAge", ["1.0"], age("1"))).toBe("yes");
    expect(evaluate("NumericNotEquals", "aws:MultiFactorAuthAge", ["1"], age("2"))).toBe("yes");
    expect(evaluate("NumericEquals", "aws:MultiFactorAuthAge", ["12abc"], age("12"))).toBe("maybe");
    expect(evaluate("NumericEquals", "aws:MultiFactorAuthAge", ["12"], age("1e1"))).toBe("maybe");
  });

  it("compares booleans without regard to case and is maybe on other values", () => {
    const mfa = (v: string) => closed({ "aws:MultiFactorAuthPresent": v });
    expect(evaluate("Bool", "aws:MultiFactorAuthPresent", ["true"], mfa("TRUE"))).toBe("yes");
    expect(evaluate("Bool", "aws:MultiFactorAuthPresent", ["true"], mfa("false"))).toBe("no");
    expect(evaluate("Bool", "aws:MultiFactorAuthPresent", ["yes"], mfa("true"))).toBe("maybe");
    expect(evaluate("Bool", "aws:MultiFactorAuthPresent", ["true"], mfa("1"))).toBe("maybe");
  });

  it("matches ARNs component by component, wildcards within a component, case-sensitively", () => {
    const principal = (arn: string) => closed({ "aws:PrincipalArn": arn });
    const role = "arn:aws:iam::123456789012:role/restore";
    expect(evaluate("ArnLike", "aws:PrincipalArn", ["arn:aws:iam::*:role/restore"], principal(role))).toBe("yes");
    expect(evaluate("ArnEquals", "aws:PrincipalArn", ["arn:aws:iam::123456789012:role/*"], principal(role))).toBe("yes");
    expect(evaluate("ArnLike", "aws:PrincipalArn", ["arn:aws:iam::123456789012:role/Restore"], principal(role))).toBe("no");
    expect(evaluate("ArnNotLike", "aws:PrincipalArn", ["arn:aws:iam::123456789012:user/*"], principal(role))).toBe("yes");
    // A `*` cannot reach across components.
    expect(evaluate("ArnLike", "aws:PrincipalArn", ["arn:aws:iam::1*:role/restore"], principal(role))).toBe("yes");
    expect(evaluate("ArnLike", "aws:PrincipalArn", ["arn:aws:*:role/restore"], principal(role))).toBe("maybe");
    expect(evaluate("ArnLike", "aws:PrincipalArn", [role], principal("restore"))).toBe("maybe");
  });

  it("does not compare dates, IP addresses or binary values: maybe when present, exact when absent", () => {
    expect(evaluate("DateLessThan", "aws:CurrentTime", ["2030-01-01T00:00:00Z"], closed({ "aws:CurrentTime": "2024-01-01T00:00:00Z" }))).toBe("maybe");
    expect(evaluate("IpAddress", "aws:SourceIp", ["10.0.0.0/8"], closed({ "aws:SourceIp": "10.1.2.3" }))).toBe("maybe");
    expect(evaluate("IpAddress", "aws:SourceIp", ["10.0.0.0/8"], closed({}))).toBe("no");
  });
});

describe("policy variables", () => {
  const ctx = closed({ "aws:username": "alice", "aws:PrincipalTag/team": "dba", "aws:ResourceTag/owner": "dba", "aws:TagKeys": ["a", "b"] });

  it("substitutes single-valued keys in string and ARN comparisons", () => {
    expect(evaluate("StringEquals", "aws:ResourceTag/owner", ["${aws:PrincipalTag/team}"], ctx)).toBe("yes");
    expect(evaluate("StringLike", "aws:ResourceTag/owner", ["${aws:username}*"], ctx)).toBe("no");
    expect(evaluate("ArnLike", "aws:PrincipalArn", ["arn:aws:iam::123456789012:user/${aws:username}"], closed({ "aws:PrincipalArn": "arn:aws:iam::123456789012:user/alice", "aws:username": "alice" }))).toBe("yes");
  });

  it("uses a documented default for an absent key, and the escapes ${*} ${?} ${$}", () => {
    expect(evaluate("StringEquals", "aws:ResourceTag/owner", ["${aws:PrincipalTag/missing, 'dba'}"], ctx)).toBe("yes");
    expect(evaluate("StringEquals", "aws:ResourceTag/owner", ["${*}"], closed({ "aws:ResourceTag/owner": "*" }))).toBe("yes");
    expect(evaluate("StringLike", "aws:ResourceTag/owner", ["a${?}b${$}"], closed({ "aws:ResourceTag/owner": "a?b$" }))).toBe("yes");
    expect(evaluate("StringLike", "aws:ResourceTag/owner", ["a${?}b"], closed({ "aws:ResourceTag/owner": "axb" }))).toBe("no");
  });

  it("is maybe when the variable cannot be resolved", () => {
    expect(evaluate("StringEquals", "aws:ResourceTag/owner", ["${aws:PrincipalTag/missing}"], ctx)).toBe("maybe");
    expect(evaluate("StringNotEquals", "aws:ResourceTag/owner", ["${aws:TagKeys}"], ctx)).toBe("maybe");
    expect(evaluate("StringEquals", "aws:ResourceTag/owner", ["${aws:PrincipalTag/missing,'dba'}"], ctx)).toBe("maybe");
    expect(evaluate("StringEquals", "aws:ResourceTag/owner", ["${aws:username}"], { values: { "aws:ResourceTag/owner": "alice" } })).toBe("maybe");
  });

  it("leaves ${...} literal without Version 2012-10-17, and in numeric comparisons", () => {
    expect(evaluate("StringEquals", "aws:ResourceTag/owner", ["${aws:username}"], closed({ "aws:ResourceTag/owner": "${aws:username}", "aws:username": "alice" }), false)).toBe("yes");
    expect(evaluate("NumericEquals", "aws:MultiFactorAuthAge", ["${aws:username}"], closed({ "aws:MultiFactorAuthAge": "1", "aws:username": "1" }))).toBe("maybe");
  });
});

describe("what the context does not say", () => {
  it("an unlisted key is unknown unless declared absent", () => {
    expect(evaluate("StringEquals", "aws:ResourceTag/environment", ["production"], {})).toBe("maybe");
    expect(evaluate("StringEquals", "aws:ResourceTag/environment", ["production"], { absentUnlessListed: ["aws:ResourceTag/*"] })).toBe("no");
    expect(evaluate("Bool", "aws:MultiFactorAuthPresent", ["true"], { absentUnlessListed: ["aws:ResourceTag/*"] })).toBe("maybe");
  });

  it("key names are case-insensitive, the tag key included; a match only through Unicode folding is maybe", () => {
    expect(evaluate("StringEquals", "AWS:RESOURCETAG/environment", ["production"], closed({ "aws:ResourceTag/environment": "production" }))).toBe("yes");
    expect(evaluate("StringEquals", "aws:ResourceTag/Environment", ["production"], closed({ "aws:ResourceTag/environment": "production" }))).toBe("yes");
    expect(evaluate("StringEquals", "aws:ResourceTag/environment", ["production"], closed({ "aws:ResourceTag/ENVIRONMENT": "staging" }))).toBe("no");
    // U+017F LONG S folds onto "s": AWS may see the same key; the evaluator cannot be sure.
    expect(evaluate("StringEquals", "aws:ResourceTag/owner", ["dba"], closed({ "aws:ResourceTag/owner": "dba" }))).toBe("yes");
    expect(evaluate("StringEquals", "aws:ResourceTag/cost", ["a"], closed({ "aws:ResourceTag/co\u017ft": "a" }))).toBe("maybe");
    // Both readings agree here: absent or "staging", StringEquals "production" fails either way.
    expect(evaluate("StringEquals", "aws:ResourceTag/cost", ["production"], closed({ "aws:ResourceTag/co\u017ft": "staging" }))).toBe("no");
  });

  it("a value the evaluator cannot read is unknown, not a crash", () => {
    const odd = { values: { "aws:username": { nested: true } as unknown as string }, absentUnlessListed: "all" as const };
    expect(evaluate("StringEquals", "aws:username", ["alice"], odd)).toBe("maybe");
  });
});

describe("evaluateConditions", () => {
  it("needs every clause; a failing clause decides even next to a maybe", () => {
    const ctx = new ContextIndex({ values: { "aws:RequestTag/environment": "staging" }, absentUnlessListed: ["aws:RequestTag/*"] });
    const staging = clause("StringEquals", "aws:RequestTag/environment", ["staging"]);
    const mfa = clause("Bool", "aws:MultiFactorAuthPresent", ["true"]);
    const prod = clause("StringEquals", "aws:RequestTag/environment", ["production"]);
    expect(evaluateConditions([staging], ctx).result).toBe("yes");
    const open = evaluateConditions([staging, mfa], ctx);
    expect(open.result).toBe("maybe");
    expect(open.uncertainBecause).toEqual(["Bool aws:MultiFactorAuthPresent: aws:MultiFactorAuthPresent is not known for this request"]);
    expect(evaluateConditions([mfa, prod], ctx)).toEqual({ result: "no", uncertainBecause: [] });
    expect(evaluateConditions([], ctx).result).toBe("yes");
  });
});
