/**
 * The details of condition evaluation that callers read beyond yes / no: the exact "maybe" and
 * the reasons it gives (they reach users as `uncertainBecause`), each operator's boundaries, the
 * context values a program may hand over (numbers, booleans, values it cannot read), and the
 * several ways a key name may be spelled in a request.
 */
import { type ConditionOutcome, compileCondition, describeContextValue, evaluateCondition, evaluateConditions, parseConditionOperator } from "../../policies/lib/iam/conditions";
import { ContextIndex, type RequestContext } from "../../policies/lib/iam/request-context";

function clause(operator: string, key: string, values: string[], variablesEnabled = true) {
  const op = parseConditionOperator(operator);
  if (!op) throw new Error(`unknown operator ${operator}`);
  return compileCondition({ operator: op, key, values }, variablesEnabled);
}

/** The whole outcome: result and reasons. */
function evaluate(operator: string, key: string, values: string[], context: RequestContext): ConditionOutcome {
  return evaluateCondition(clause(operator, key, values), new ContextIndex(context));
}

/** Every unlisted key is absent; values may be of any type a program hands over. */
const closed = (values: Record<string, unknown>): RequestContext => ({ values: values as RequestContext["values"], absentUnlessListed: "all" });

const yes: ConditionOutcome = { result: "yes", uncertainBecause: [] };
const no: ConditionOutcome = { result: "no", uncertainBecause: [] };
const maybe = (...uncertainBecause: string[]): ConditionOutcome => ({ result: "maybe", uncertainBecause });

const TAG = "aws:RequestTag/environment";

describe("Null", () => {
  // AWS: Null "true" matches when the key is absent, "false" when it is present.
  it("decides on presence, whatever the value", () => {
    expect(evaluate("Null", TAG, ["true"], closed({}))).toStrictEqual(yes);
    expect(evaluate("Null", TAG, ["false"], closed({}))).toStrictEqual(no);
    expect(evaluate("Null", TAG, ["false"], closed({ [TAG]: "production" }))).toStrictEqual(yes);
    expect(evaluate("Null", TAG, ["true"], closed({ [TAG]: "production" }))).toStrictEqual(no);
    expect(evaluate("Null", "aws:TagKeys", ["false"], closed({ "aws:TagKeys": ["environment"] }))).toStrictEqual(yes);
    expect(evaluate("Null", "aws:TagKeys", ["true"], closed({ "aws:TagKeys": ["environment"] }))).toStrictEqual(no);
  });

  it("is maybe when presence is unknown", () => {
    for (const value of ["true", "false"]) {
      expect(evaluate("Null", TAG, [value], {})).toStrictEqual(maybe(`whether ${TAG} is present is unknown`));
    }
  });

  it("is maybe for a key present but empty (an empty string or an empty list)", () => {
    for (const empty of ["", []]) {
      for (const value of ["true", "false"]) {
        expect(evaluate("Null", TAG, [value], closed({ [TAG]: empty }))).toStrictEqual(maybe(`${TAG} is present but empty; AWS does not document how Null treats it`));
      }
    }
  });

  it("is maybe for a value other than true or false, unless another value decides", () => {
    expect(evaluate("Null", TAG, ["yes"], closed({}))).toStrictEqual(maybe('Null value "yes" is neither true nor false'));
    // Values are ORed: "true" matches the absent key, so the odd value does not matter.
    expect(evaluate("Null", TAG, ["yes", "true"], closed({}))).toStrictEqual(yes);
  });
});

describe("Bool", () => {
  it("matches true and false, in any letter case", () => {
    expect(evaluate("Bool", "aws:SecureTransport", ["false"], closed({ "aws:SecureTransport": "false" }))).toStrictEqual(yes);
    expect(evaluate("Bool", "aws:SecureTransport", ["FALSE"], closed({ "aws:SecureTransport": "False" }))).toStrictEqual(yes);
    expect(evaluate("Bool", "aws:SecureTransport", ["false"], closed({ "aws:SecureTransport": "true" }))).toStrictEqual(no);
    expect(evaluate("Bool", "aws:SecureTransport", ["true"], closed({ "aws:SecureTransport": "false" }))).toStrictEqual(no);
  });

  it("says which side is not a boolean", () => {
    expect(evaluate("Bool", "aws:SecureTransport", ["yes"], closed({ "aws:SecureTransport": "true" }))).toStrictEqual(maybe('Bool value "yes" is neither true nor false'));
    expect(evaluate("Bool", "aws:SecureTransport", ["true"], closed({ "aws:SecureTransport": "1" }))).toStrictEqual(maybe('request value "1" is not a boolean'));
  });
});

describe("Numeric operators", () => {
  const age = (v: string) => closed({ "aws:MultiFactorAuthAge": v });
  const numeric = (operator: string, request: string) => evaluate(operator, "aws:MultiFactorAuthAge", ["10"], age(request)).result;

  it.each([
    // operator, request 5 / 10 / 15 against the policy value 10
    ["NumericEquals", "no", "yes", "no"],
    ["NumericNotEquals", "yes", "no", "yes"],
    ["NumericLessThan", "yes", "no", "no"],
    ["NumericLessThanEquals", "yes", "yes", "no"],
    ["NumericGreaterThan", "no", "no", "yes"],
    ["NumericGreaterThanEquals", "no", "yes", "yes"],
  ])("%s 10: 5 → %s, 10 → %s, 15 → %s", (operator, below, equal, above) => {
    expect([numeric(operator, "5"), numeric(operator, "10"), numeric(operator, "15")]).toStrictEqual([below, equal, above]);
  });

  it("compares values, not text", () => {
    expect(numeric("NumericLessThan", "9.5")).toBe("yes");
    expect(numeric("NumericGreaterThan", "+10.01")).toBe("yes");
    expect(numeric("NumericEquals", "10.000")).toBe("yes");
  });

  it("says which side is not a number", () => {
    expect(evaluate("NumericLessThan", "aws:MultiFactorAuthAge", ["ten"], age("5"))).toStrictEqual(maybe('"ten" is not a number'));
    expect(evaluate("NumericLessThan", "aws:MultiFactorAuthAge", ["10"], age("1e1"))).toStrictEqual(maybe('request value "1e1" is not a number'));
  });
});

describe("StringEquals and StringLike with policy variables", () => {
  const ctx = (extra: Record<string, unknown>) => closed({ "aws:username": "alice", ...extra });

  it("substitutes a variable followed by text", () => {
    expect(evaluate("StringEquals", "aws:ResourceTag/owner", ["${aws:username}-admin"], ctx({ "aws:ResourceTag/owner": "alice-admin" }))).toStrictEqual(yes);
    expect(evaluate("StringEquals", "aws:ResourceTag/owner", ["team-${aws:username}-admin"], ctx({ "aws:ResourceTag/owner": "team-alice-admin" }))).toStrictEqual(yes);
    expect(evaluate("StringEquals", "aws:ResourceTag/owner", ["${aws:username}-admin"], ctx({ "aws:ResourceTag/owner": "alice" }))).toStrictEqual(no);
  });

  it("StringEquals compares a substituted * literally", () => {
    const star = { "aws:username": "a*" };
    expect(evaluate("StringEquals", "aws:ResourceTag/owner", ["${aws:username}"], closed({ ...star, "aws:ResourceTag/owner": "a*" }))).toStrictEqual(yes);
    expect(evaluate("StringEquals", "aws:ResourceTag/owner", ["${aws:username}"], closed({ ...star, "aws:ResourceTag/owner": "ab" }))).toStrictEqual(no);
  });

  // AWS does not say whether a * that a variable brings into StringLike is a wildcard.
  it("StringLike is maybe when a substituted value holds a wildcard character", () => {
    expect(evaluate("StringLike", "aws:ResourceTag/owner", ["${aws:username}"], closed({ "aws:username": "a*", "aws:ResourceTag/owner": "ab" }))).toStrictEqual(
      maybe('policy variable ${aws:username} resolves to "a*", which holds a wildcard character'),
    );
  });

  it("StringEqualsIgnoreCase substitutes variables too", () => {
    expect(evaluate("StringEqualsIgnoreCase", "aws:ResourceTag/owner", ["${aws:username}"], ctx({ "aws:ResourceTag/owner": "ALICE" }))).toStrictEqual(yes);
    expect(evaluate("StringNotEqualsIgnoreCase", "aws:ResourceTag/owner", ["${aws:username}"], ctx({ "aws:ResourceTag/owner": "Alice" }))).toStrictEqual(no);
  });
});

describe("String*IgnoreCase outside ASCII", () => {
  const owner = (v: string) => closed({ "aws:ResourceTag/owner": v });

  it("identical text matches, whatever the characters", () => {
    expect(evaluate("StringEqualsIgnoreCase", "aws:ResourceTag/owner", ["straße"], owner("straße"))).toStrictEqual(yes);
    expect(evaluate("StringNotEqualsIgnoreCase", "aws:ResourceTag/owner", ["straße"], owner("straße"))).toStrictEqual(no);
  });

  it("otherwise is maybe and names the request value", () => {
    expect(evaluate("StringEqualsIgnoreCase", "aws:ResourceTag/owner", ["straße"], owner("STRASSE"))).toStrictEqual(maybe('case-insensitive comparison of non-ASCII text "STRASSE"'));
    expect(evaluate("StringEqualsIgnoreCase", "aws:ResourceTag/owner", ["team"], owner("tëam"))).toStrictEqual(maybe('case-insensitive comparison of non-ASCII text "tëam"'));
  });
});

describe("StringLike ? against characters outside the Basic Multilingual Plane", () => {
  const owner = (v: string) => closed({ "aws:ResourceTag/owner": v });
  const emoji = "\u{1F600}"; // two UTF-16 code units: does "?" match one character or one code unit?

  it("is maybe when the pattern holds a ?", () => {
    const reason = '"?" against text with characters outside the Basic Multilingual Plane';
    expect(evaluate("StringLike", "aws:ResourceTag/owner", ["a?"], owner(`a${emoji}`))).toStrictEqual(maybe(reason));
    expect(evaluate("StringLike", "aws:ResourceTag/owner", ["?"], owner(emoji))).toStrictEqual(maybe(reason));
  });

  it("is decided when the pattern has no ?, or the text no such character", () => {
    expect(evaluate("StringLike", "aws:ResourceTag/owner", ["a*"], owner(`a${emoji}`))).toStrictEqual(yes);
    expect(evaluate("StringLike", "aws:ResourceTag/owner", ["b*"], owner(`a${emoji}`))).toStrictEqual(no);
    expect(evaluate("StringLike", "aws:ResourceTag/owner", ["a?"], owner("ab"))).toStrictEqual(yes);
  });
});

describe("ARN operators", () => {
  const ACCOUNT = "123456789012";
  const DB = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`;
  const source = (arn: string, extra: Record<string, unknown> = {}) => closed({ "aws:SourceArn": arn, ...extra });

  it("keeps the colons of the resource part: it is compared whole", () => {
    expect(evaluate("ArnEquals", "aws:SourceArn", [DB], source(DB))).toStrictEqual(yes);
    expect(evaluate("ArnEquals", "aws:SourceArn", [DB], source(`arn:aws:rds:us-east-1:${ACCOUNT}:db:invoices`))).toStrictEqual(no);
    expect(evaluate("ArnLike", "aws:SourceArn", [`arn:aws:rds:us-east-1:${ACCOUNT}:db:ord*`], source(DB))).toStrictEqual(yes);
    expect(evaluate("ArnLike", "aws:SourceArn", [`arn:aws:rds:us-east-1:${ACCOUNT}:*`], source(DB))).toStrictEqual(yes);
    expect(evaluate("ArnNotLike", "aws:SourceArn", [`arn:aws:rds:us-east-1:${ACCOUNT}:db:invoices`], source(DB))).toStrictEqual(yes);
  });

  it("says why a policy value is not an ARN", () => {
    expect(evaluate("ArnLike", "aws:SourceArn", ["arn:aws:*:db:orders"], source(DB))).toStrictEqual(maybe('"arn:aws:*:db:orders" does not have the six components of an ARN'));
  });

  it("is maybe, not a match of the negated operator, for a request value that is not an ARN", () => {
    for (const operator of ["ArnLike", "ArnNotLike"]) {
      expect(evaluate(operator, "aws:SourceArn", [DB], source("orders"))).toStrictEqual(maybe('request value "orders" is not an ARN'));
      // Starting with "arn:", but with fewer than six components.
      expect(evaluate(operator, "aws:SourceArn", [DB], source("arn:aws:rds"))).toStrictEqual(maybe('request value "arn:aws:rds" is not an ARN'));
      // Six components, but not starting with "arn:".
      expect(evaluate(operator, "aws:SourceArn", [DB], source(`urn:aws:rds:us-east-1:${ACCOUNT}:db:orders`))).toStrictEqual(maybe(`request value "urn:aws:rds:us-east-1:${ACCOUNT}:db:orders" is not an ARN`));
    }
  });

  it("substitutes variables, and is maybe when one cannot be resolved or brings a wildcard", () => {
    const arn = `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`;
    const alice = `arn:aws:iam::${ACCOUNT}:user/alice`;
    expect(evaluate("ArnLike", "aws:PrincipalArn", [arn], closed({ "aws:PrincipalArn": alice, "aws:username": "alice" }))).toStrictEqual(yes);
    expect(evaluate("ArnLike", "aws:PrincipalArn", [arn], closed({ "aws:PrincipalArn": alice, "aws:username": "a*" }))).toStrictEqual(
      maybe('policy variable ${aws:username} resolves to "a*", which holds a wildcard character'),
    );
    expect(evaluate("ArnNotLike", "aws:PrincipalArn", [arn], closed({ "aws:PrincipalArn": alice }))).toStrictEqual(maybe("policy variable ${aws:username} cannot be resolved for this request"));
  });
});

describe("operators the evaluator does not model (dates, IP addresses, binary)", () => {
  it("are maybe on a present key, and name the operator", () => {
    expect(evaluate("DateLessThan", "aws:CurrentTime", ["2030-01-01T00:00:00Z"], closed({ "aws:CurrentTime": "2024-01-01T00:00:00Z" }))).toStrictEqual(
      maybe("DateLessThan comparisons are not modelled"),
    );
    expect(evaluate("NotIpAddress", "aws:SourceIp", ["10.0.0.0/8"], closed({ "aws:SourceIp": "192.0.2.1" }))).toStrictEqual(maybe("NotIpAddress comparisons are not modelled"));
  });
});

describe("several policy values", () => {
  const env = (v: string) => closed({ "aws:ResourceTag/environment": v });
  const values = ["${aws:PrincipalTag/missing}", "staging"];
  const unresolved = "policy variable ${aws:PrincipalTag/missing} cannot be resolved for this request";

  it("one matching value decides, and then no reason is given", () => {
    expect(evaluate("StringEquals", "aws:ResourceTag/environment", values, env("staging"))).toStrictEqual(yes);
    expect(evaluate("StringNotEquals", "aws:ResourceTag/environment", values, env("staging"))).toStrictEqual(no);
  });

  it("otherwise the reasons are those of the undecided values only, each once", () => {
    expect(evaluate("StringEquals", "aws:ResourceTag/environment", values, env("production"))).toStrictEqual(maybe(unresolved));
    expect(evaluate("StringNotEquals", "aws:ResourceTag/environment", [...values, values[0]], env("production"))).toStrictEqual(maybe(unresolved));
  });
});

describe("set operators and multivalued keys", () => {
  const keys = (...k: string[]) => closed({ "aws:TagKeys": k });

  // What ForAnyValue:...IfExists does on an absent key is not documented; ForAllValues matches an absent key anyway.
  it("an absent key: ForAllValues matches, ForAnyValue does not, ForAnyValue...IfExists is maybe", () => {
    expect(evaluate("ForAllValues:StringEqualsIfExists", "aws:TagKeys", ["environment"], closed({}))).toStrictEqual(yes);
    expect(evaluate("ForAnyValue:StringEquals", "aws:TagKeys", ["environment"], closed({}))).toStrictEqual(no);
    expect(evaluate("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", ["environment"], closed({}))).toStrictEqual(
      maybe("ForAnyValue:StringEqualsIfExists on an absent key is not documented by AWS"),
    );
  });

  it("an empty value in the set is maybe, and says so", () => {
    expect(evaluate("ForAnyValue:StringEquals", "aws:TagKeys", ["environment"], keys("environment", ""))).toStrictEqual(maybe("aws:TagKeys holds an empty value; AWS treats empty sets specially"));
  });

  it("a single-valued operator on a multivalued key is maybe, and names both", () => {
    expect(evaluate("StringEquals", "aws:TagKeys", ["environment"], keys("environment"))).toStrictEqual(maybe("single-valued operator StringEquals used on multivalued aws:TagKeys"));
  });
});

describe("context values a program hands over", () => {
  it("reads numbers and booleans as their text", () => {
    expect(evaluate("NumericLessThan", "aws:MultiFactorAuthAge", ["3600"], closed({ "aws:MultiFactorAuthAge": 300 }))).toStrictEqual(yes);
    expect(evaluate("NumericEquals", "aws:MultiFactorAuthAge", ["300"], closed({ "aws:MultiFactorAuthAge": 300 }))).toStrictEqual(yes);
    expect(evaluate("Bool", "aws:MultiFactorAuthPresent", ["true"], closed({ "aws:MultiFactorAuthPresent": true }))).toStrictEqual(yes);
    expect(evaluate("Bool", "aws:MultiFactorAuthPresent", ["true"], closed({ "aws:MultiFactorAuthPresent": false }))).toStrictEqual(no);
    expect(evaluate("StringEquals", "aws:MultiFactorAuthPresent", ["false"], closed({ "aws:MultiFactorAuthPresent": false }))).toStrictEqual(yes);
  });

  it("reads numbers and booleans inside lists as their text", () => {
    expect(evaluate("ForAnyValue:StringEquals", "aws:TagKeys", ["2"], closed({ "aws:TagKeys": [1, 2] }))).toStrictEqual(yes);
    expect(evaluate("ForAllValues:StringEquals", "aws:TagKeys", ["7", "false", "x"], closed({ "aws:TagKeys": [7, false, "x"] }))).toStrictEqual(yes);
    expect(evaluate("ForAnyValue:Bool", "aws:TagKeys", ["true"], closed({ "aws:TagKeys": [true] }))).toStrictEqual(yes);
    expect(evaluate("ForAnyValue:NumericGreaterThan", "aws:TagKeys", ["5"], closed({ "aws:TagKeys": [7] }))).toStrictEqual(yes);
  });

  it("a value it cannot read (an object, null, a list holding one) is unknown, even in a closed world", () => {
    const unknown = maybe("aws:username is not known for this request");
    expect(evaluate("StringEquals", "aws:username", ["alice"], closed({ "aws:username": { name: "alice" } }))).toStrictEqual(unknown);
    expect(evaluate("StringEquals", "aws:username", ["alice"], closed({ "aws:username": null }))).toStrictEqual(unknown);
    expect(evaluate("ForAnyValue:StringEquals", "aws:username", ["alice"], closed({ "aws:username": ["alice", { name: "bob" }] }))).toStrictEqual(unknown);
    expect(evaluate("StringNotEquals", "aws:username", ["alice"], closed({ "aws:username": ["alice", ["bob"]] }))).toStrictEqual(unknown);
  });
});

describe("spellings of a key", () => {
  it("key patterns of absentUnlessListed match in any letter case", () => {
    const ctx: RequestContext = { absentUnlessListed: ["aws:ResourceTag/*"] };
    expect(evaluate("StringEquals", "AWS:RESOURCETAG/environment", ["production"], ctx)).toStrictEqual(no);
    expect(evaluate("StringNotEquals", "Aws:ResourceTag/Environment", ["production"], ctx)).toStrictEqual(yes);
  });

  // Tags `Env` and `env` are distinct on an RDS resource; which one AWS compares is undocumented.
  it("a key listed in several letter cases: every value is a possible reading", () => {
    const two = closed({ "aws:ResourceTag/Env": "a", "aws:ResourceTag/env": "b" });
    expect(evaluate("StringEquals", "aws:ResourceTag/env", ["c"], two)).toStrictEqual(no);
    expect(evaluate("StringNotEquals", "aws:ResourceTag/ENV", ["c"], two)).toStrictEqual(yes);
    expect(evaluate("StringEquals", "aws:ResourceTag/env", ["a", "b"], two)).toStrictEqual(yes);
    // The reason names the several spellings, not Unicode folding (none is involved here).
    const several = "the request lists aws:ResourceTag/env in several letter cases, and AWS does not document which one IAM reads";
    expect(evaluate("StringEquals", "aws:ResourceTag/env", ["a"], two)).toStrictEqual(maybe(several));
    expect(evaluate("StringEquals", "aws:ResourceTag/env", ["b"], two)).toStrictEqual(maybe(several));

    const three = closed({ "aws:ResourceTag/Env": "a", "aws:ResourceTag/env": "b", "aws:ResourceTag/ENV": "c" });
    expect(evaluate("StringEquals", "aws:ResourceTag/env", ["a", "b"], three).result).toBe("maybe");
    expect(evaluate("StringEquals", "aws:ResourceTag/env", ["c"], three).result).toBe("maybe");
    expect(evaluate("StringEquals", "aws:ResourceTag/env", ["a", "b", "c"], three)).toStrictEqual(yes);
  });

  it("a key listed in several letter cases, one of them empty: Null says so", () => {
    const outcome = evaluate("Null", "aws:RequestTag/env", ["false"], closed({ "aws:RequestTag/Env": "", "aws:RequestTag/env": "x" }));
    expect(outcome.result).toBe("maybe");
    expect(outcome.uncertainBecause).toContain("aws:RequestTag/env is present but empty; AWS does not document how Null treats it");
  });

  describe("a match only through Unicode case folding (present or absent)", () => {
    const fold = (key: string) => `${key} matches a request key only through Unicode case folding`;

    it("U+017F LONG S: maybe when the two readings disagree, and says why", () => {
      expect(evaluate("StringEquals", "aws:ResourceTag/cost", ["a"], closed({ "aws:ResourceTag/co\u017ft": "a" }))).toStrictEqual(maybe(fold("aws:ResourceTag/cost")));
    });

    it("decided when present and absent agree", () => {
      // StringEqualsIfExists matches an absent key, and the listed value matches too.
      expect(evaluate("StringEqualsIfExists", "aws:ResourceTag/cost", ["staging"], closed({ "aws:ResourceTag/co\u017ft": "staging" }))).toStrictEqual(yes);
      expect(evaluate("StringNotEquals", "aws:ResourceTag/cost", ["production"], closed({ "aws:ResourceTag/co\u017ft": "staging" }))).toStrictEqual(yes);
    });

    it("U+0131 DOTLESS I and U+0130 CAPITAL I WITH DOT fold onto i", () => {
      expect(evaluate("StringEquals", "aws:ResourceTag/id", ["a"], closed({ "aws:ResourceTag/\u0131d": "a" }))).toStrictEqual(maybe(fold("aws:ResourceTag/id")));
      expect(evaluate("StringEquals", "aws:ResourceTag/ID", ["a"], closed({ "aws:ResourceTag/\u0130d": "a" }))).toStrictEqual(maybe(fold("aws:ResourceTag/ID")));
    });

    it("Null on a folded key listed empty gives both reasons", () => {
      expect(evaluate("Null", "aws:RequestTag/cost", ["true"], closed({ "aws:RequestTag/co\u017ft": "" }))).toStrictEqual(
        maybe(fold("aws:RequestTag/cost"), "aws:RequestTag/cost is present but empty; AWS does not document how Null treats it"),
      );
    });
  });
});

describe("evaluateConditions", () => {
  it("prefixes each clause's reasons with its operator and key", () => {
    const ctx = new ContextIndex(closed({ "aws:ResourceTag/environment": "STRASSE", "aws:CurrentTime": "2024-01-01T00:00:00Z" }));
    const outcome = evaluateConditions(
      [
        clause("StringEqualsIgnoreCase", "aws:ResourceTag/environment", ["straße"]),
        clause("DateLessThan", "aws:CurrentTime", ["2030-01-01T00:00:00Z"]),
        clause("Null", "aws:RequestTag/environment", ["true"]),
      ],
      ctx,
    );
    expect(outcome).toStrictEqual(
      maybe(
        'StringEqualsIgnoreCase aws:ResourceTag/environment: case-insensitive comparison of non-ASCII text "STRASSE"',
        "DateLessThan aws:CurrentTime: DateLessThan comparisons are not modelled",
      ),
    );
  });
});

describe("describeContextValue", () => {
  it("quotes a value, and lists a multivalued one", () => {
    expect(describeContextValue("production")).toBe('"production"');
    expect(describeContextValue(["environment", "team"])).toBe('["environment", "team"]');
    expect(describeContextValue([])).toBe("[]");
  });
});
