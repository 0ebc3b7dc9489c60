/**
 * Exact results of parsePolicyDocument: the normalized statements of documents IAM accepts, and
 * the precise problem messages for documents IAM would refuse (IAM JSON policy element reference:
 * Version, Id, Statement, Sid, Effect, Action/NotAction, Resource/NotResource, Principal,
 * Condition; IAM quotas: the characters the IAM API takes in a policy document).
 */
import { parseConditionOperator } from "../../policies/lib/iam/conditions";
import { type PolicyKind, parsePolicyDocument } from "../../policies/lib/iam/policy-document";

const DESCRIBE_DB = "rds:DescribeDBInstances";
const ORDERS_DB = "arn:aws:rds:us-east-1:123456789012:db:orders";
const ACCOUNT_ROOT = "arn:aws:iam::123456789012:root";

/** The refusal parsePolicyDocument returns for a document of `kind` named "orders". */
function refused(problems: string[], kind: PolicyKind = "identity") {
  return { ok: false, name: "orders", kind, problems };
}

function parse(document: unknown, kind: PolicyKind = "identity") {
  return parsePolicyDocument(document, { name: "orders", kind });
}

/** A single-statement identity document whose statement is a valid one changed by `changes`. */
function identityStatement(changes: Record<string, unknown>) {
  return { Version: "2012-10-17", Statement: { Effect: "Allow", Action: DESCRIBE_DB, Resource: ORDERS_DB, ...changes } };
}

/** A single-statement resource-policy document (such as a bucket or key policy). */
function resourceStatement(changes: Record<string, unknown>) {
  return { Version: "2012-10-17", Statement: { Effect: "Allow", Principal: { AWS: ACCOUNT_ROOT }, Action: "s3:GetObject", Resource: "arn:aws:s3:::orders-exports/*", ...changes } };
}

/** A single-statement role trust policy. */
function trustStatement(changes: Record<string, unknown>) {
  return { Version: "2012-10-17", Statement: { Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole", ...changes } };
}

const NO_PRINCIPALS = { everyone: false, aws: [], service: [], federated: [], canonicalUser: [] };

describe("parsePolicyDocument: documents IAM accepts", () => {
  it("reads a JSON text with Id, Version 2008-10-17, a Statement list, NotAction and NotResource", () => {
    const text = JSON.stringify({
      Version: "2008-10-17",
      Id: "orders-guard",
      Statement: [
        { Sid: "ReadOrders", Effect: "Allow", Action: [DESCRIBE_DB, "rds:ListTagsForResource"], Resource: [ORDERS_DB, "*"] },
        { Effect: "Deny", NotAction: "rds:Describe*", NotResource: ORDERS_DB },
      ],
    });
    expect(parse(text)).toStrictEqual({
      ok: true,
      policy: {
        name: "orders",
        kind: "identity",
        version: "2008-10-17",
        variablesEnabled: false,
        statements: [
          {
            index: 0,
            sid: "ReadOrders",
            effect: "Allow",
            action: { negated: false, patterns: [DESCRIBE_DB, "rds:ListTagsForResource"] },
            resource: { negated: false, patterns: [ORDERS_DB, "*"] },
            principal: undefined,
            conditions: [],
          },
          {
            index: 1,
            sid: undefined,
            effect: "Deny",
            action: { negated: true, patterns: ["rds:Describe*"] },
            resource: { negated: true, patterns: [ORDERS_DB] },
            principal: undefined,
            conditions: [],
          },
        ],
      },
    });
  });

  it("defaults the name to \"policy\" and the kind to identity, and leaves the version absent when the document names none", () => {
    expect(parsePolicyDocument({ Statement: { Effect: "Deny", Action: "*", Resource: "*" } })).toStrictEqual({
      ok: true,
      policy: {
        name: "policy",
        kind: "identity",
        version: undefined,
        variablesEnabled: false,
        statements: [{ index: 0, sid: undefined, effect: "Deny", action: { negated: false, patterns: ["*"] }, resource: { negated: false, patterns: ["*"] }, principal: undefined, conditions: [] }],
      },
    });
  });

  it("reads every principal type of a resource policy, and Principal \"*\" as everyone", () => {
    const r = parse(
      {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: {
              AWS: [ACCOUNT_ROOT, "arn:aws:iam::210987654321:role/exporter"],
              Service: "export.rds.amazonaws.com",
              Federated: "cognito-identity.amazonaws.com",
              CanonicalUser: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
            },
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::orders-exports/*",
          },
          { Effect: "Deny", Principal: "*", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::orders-exports/*" },
        ],
      },
      "resource",
    );
    if (!r.ok) throw new Error(r.problems.join("; "));
    expect(r.policy.statements.map((s) => s.principal)).toStrictEqual([
      {
        negated: false,
        principals: {
          everyone: false,
          aws: [ACCOUNT_ROOT, "arn:aws:iam::210987654321:role/exporter"],
          service: ["export.rds.amazonaws.com"],
          federated: ["cognito-identity.amazonaws.com"],
          canonicalUser: ["79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"],
        },
      },
      { negated: false, principals: { ...NO_PRINCIPALS, everyone: true } },
    ]);
  });

  it("reads a trust policy statement without a resource", () => {
    expect(parse(trustStatement({ Sid: "BackupAssumes" }), "trust")).toStrictEqual({
      ok: true,
      policy: {
        name: "orders",
        kind: "trust",
        version: "2012-10-17",
        variablesEnabled: true,
        statements: [
          {
            index: 0,
            sid: "BackupAssumes",
            effect: "Allow",
            action: { negated: false, patterns: ["sts:AssumeRole"] },
            resource: undefined,
            principal: { negated: false, principals: { ...NO_PRINCIPALS, service: ["backup.amazonaws.com"] } },
            conditions: [],
          },
        ],
      },
    });
  });

  it("reads each key of each condition operator as one clause, its values as strings", () => {
    const r = parse(
      identityStatement({
        Condition: {
          StringEquals: { "aws:PrincipalTag/team": ["dba", "sre"], "aws:RequestedRegion": "eu-west-1" },
          "ForAnyValue:StringLike": { "aws:TagKeys": "orders-*" },
          NumericLessThanEquals: { "aws:MultiFactorAuthAge": 3600 },
          Bool: { "aws:SecureTransport": true },
        },
      }),
    );
    if (!r.ok) throw new Error(r.problems.join("; "));
    expect(r.policy.statements[0].conditions).toStrictEqual([
      { operator: parseConditionOperator("StringEquals"), key: "aws:PrincipalTag/team", values: ["dba", "sre"] },
      { operator: parseConditionOperator("StringEquals"), key: "aws:RequestedRegion", values: ["eu-west-1"] },
      { operator: parseConditionOperator("ForAnyValue:StringLike"), key: "aws:TagKeys", values: ["orders-*"] },
      { operator: parseConditionOperator("NumericLessThanEquals"), key: "aws:MultiFactorAuthAge", values: ["3600"] },
      { operator: parseConditionOperator("Bool"), key: "aws:SecureTransport", values: ["true"] },
    ]);
  });

  it("accepts Latin-1 characters, which the IAM API takes", () => {
    const r = parse(identityStatement({ Condition: { StringEquals: { "aws:PrincipalTag/office": "Zürich" } } }));
    expect(r.ok).toBe(true);
  });
});

describe("parsePolicyDocument: the document", () => {
  it("refuses a document without Statement, saying it is missing", () => {
    expect(parse({ Version: "2012-10-17" })).toStrictEqual(refused(["Statement must be an object or an array of objects, not missing"]));
  });

  it.each([
    ["a string", "Allow everything", 'not "Allow everything"'],
    ["null", null, "not null"],
    ["a number", 1, "not number 1"],
    ["a boolean", true, "not boolean true"],
  ])("refuses a Statement that is %s", (_what, statement, ending) => {
    expect(parse({ Version: "2012-10-17", Statement: statement })).toStrictEqual(refused([`Statement must be an object or an array of objects, ${ending}`]));
  });

  it("refuses an empty Statement list", () => {
    expect(parse({ Version: "2012-10-17", Statement: [] })).toStrictEqual(refused(["Statement must not be empty"]));
  });

  it("refuses Statement entries that are not objects, including a nested list", () => {
    const ok = { Effect: "Allow", Action: DESCRIBE_DB, Resource: ORDERS_DB };
    expect(parse({ Version: "2012-10-17", Statement: [ok, "rds:*", null, [ok], 7] })).toStrictEqual(
      refused(['Statement[1] must be an object, not "rds:*"', "Statement[2] must be an object, not null", "Statement[3] must be an object, not an array", "Statement[4] must be an object, not number 7"]),
    );
  });

  it("refuses unknown top-level elements, which are case-sensitive", () => {
    expect(parse({ Version: "2012-10-17", statement: { Effect: "Allow", Action: DESCRIBE_DB, Resource: ORDERS_DB } })).toStrictEqual(
      refused(['the document has unknown element "statement"', "Statement must be an object or an array of objects, not missing"]),
    );
  });

  it.each([
    ["an unknown date", "2020-01-01", 'not "2020-01-01"'],
    ["a number", 2012, "not number 2012"],
    ["null", null, "not null"],
    ["a list", ["2012-10-17"], "not an array"],
  ])("refuses a Version that is %s", (_what, version, ending) => {
    const document = { ...identityStatement({}), Version: version };
    expect(parse(document)).toStrictEqual(refused([`Version must be "2012-10-17" or "2008-10-17", ${ending}`]));
  });

  it("takes an Id that is a string and refuses one that is not", () => {
    expect(parse({ ...identityStatement({}), Id: "orders-guard" }).ok).toBe(true);
    expect(parse({ ...identityStatement({}), Id: 5 })).toStrictEqual(refused(["Id must be a string, not number 5"]));
    expect(parse({ ...identityStatement({}), Id: { name: "x" } })).toStrictEqual(refused(["Id must be a string, not an object"]));
  });

  it("refuses JSON text that does not parse, quoting the parser's reason", () => {
    const text = '{"Version": "2012-10-17", "Statement": [';
    let reason = "";
    try {
      JSON.parse(text);
    } catch (e) {
      reason = (e as Error).message;
    }
    expect(reason).not.toBe("");
    expect(parse(text)).toStrictEqual(refused([`the document is not valid JSON (${reason})`]));
  });

  it.each([
    ["null", "null", "not null"],
    ["a list", JSON.stringify([identityStatement({})]), "not an array"],
    ["a number", "42", "not number 42"],
    ["a boolean", "false", "not boolean false"],
  ])("refuses JSON text that is %s rather than an object", (_what, text, ending) => {
    expect(parse(text)).toStrictEqual(refused([`the document must be a JSON object, ${ending}`]));
  });

  it("refuses a document encoded twice, quoting the first 57 characters of the inner text", () => {
    const inner = JSON.stringify(identityStatement({}));
    expect(inner.length).toBeGreaterThan(60);
    expect(parse(JSON.stringify(inner))).toStrictEqual(refused([`the document must be a JSON object, not "${inner.slice(0, 57)}..."`]));
  });

  it("reports a Sid used by more than one statement once", () => {
    const read = { Sid: "ReadOrders", Effect: "Allow", Action: DESCRIBE_DB, Resource: ORDERS_DB };
    expect(parse({ Version: "2012-10-17", Statement: [read, read, { ...read, Sid: "Other" }, read] })).toStrictEqual(
      refused(['Sid "ReadOrders" names more than one statement; IAM requires each Sid of a policy to be unique']),
    );
  });
});

describe("parsePolicyDocument: values quoted in messages", () => {
  const ending = (effect: unknown) => {
    const r = parse(identityStatement({ Effect: effect }));
    return r.ok ? "accepted" : r.problems;
  };

  it.each([
    ["lower case", "allow", '"allow"'],
    ["null", null, "null"],
    ["a list", ["Allow"], "an array"],
    ["an object", { Allow: true }, "an object"],
    ["a boolean", true, "boolean true"],
    ["a number", 1, "number 1"],
    ["missing", undefined, "missing"],
  ])("names an Effect that is %s", (_what, effect, shown) => {
    expect(ending(effect)).toStrictEqual([`Statement[0].Effect must be "Allow" or "Deny", not ${shown}`]);
  });

  it("quotes a string of 60 characters whole and shortens a longer one to 57 characters and an ellipsis", () => {
    const sixty = "Allow the DBA team to describe the orders database instances";
    expect(sixty).toHaveLength(60);
    expect(ending(sixty)).toStrictEqual([`Statement[0].Effect must be "Allow" or "Deny", not "${sixty}"`]);
    const longer = `${sixty}.`;
    expect(ending(longer)).toStrictEqual([`Statement[0].Effect must be "Allow" or "Deny", not "${sixty.slice(0, 57)}..."`]);
  });
});

describe("parsePolicyDocument: statement elements", () => {
  it("refuses unknown statement elements, which are case-sensitive", () => {
    const document = { Version: "2012-10-17", Statement: { Effect: "Allow", Action: DESCRIBE_DB, Resources: ORDERS_DB } };
    expect(parse(document)).toStrictEqual(refused(['Statement[0] has unknown element "Resources"', "Statement[0] must have Resource or NotResource"]));
  });

  it("refuses a Sid that is not a string", () => {
    expect(parse(identityStatement({ Sid: 7 }))).toStrictEqual(refused(["Statement[0].Sid must be a string, not number 7"]));
    expect(parse(identityStatement({ Sid: ["A"] }))).toStrictEqual(refused(["Statement[0].Sid must be a string, not an array"]));
  });

  it("refuses a Sid with other characters than letters and digits in an identity policy, and names the statement by position", () => {
    expect(parse(identityStatement({ Sid: "Read-Orders", Effect: "Permit" }))).toStrictEqual(
      refused(['Statement[0].Sid "Read-Orders" is not alphanumeric, which IAM refuses in an identity policy', 'Statement[0].Effect must be "Allow" or "Deny", not "Permit"']),
    );
  });

  it("names the statement by Sid in its other problems", () => {
    expect(parse(identityStatement({ Sid: "ReadOrders", NotAction: "rds:Delete*" }))).toStrictEqual(refused(['Statement[0] ("ReadOrders") must have exactly one of Action and NotAction']));
  });

  it.each([
    ["an empty list", [], "an array"],
    ["a list holding a number", [DESCRIBE_DB, 3], "an array"],
    ["a list holding null", [DESCRIBE_DB, null], "an array"],
    ["an object", { rds: "DescribeDBInstances" }, "an object"],
    ["null", null, "null"],
  ])("refuses an Action that is %s", (_what, action, shown) => {
    expect(parse(identityStatement({ Action: action }))).toStrictEqual(refused([`Statement[0].Action must be a string or a non-empty array of strings, not ${shown}`]));
  });

  it("refuses malformed NotAction entries by name", () => {
    const document = identityStatement({ Action: undefined, NotAction: ["rds:Describe*", "", "rds: Describe*"] });
    expect(parse(document)).toStrictEqual(
      refused([
        'Statement[0].NotAction "" is not "*" or "service:action" with a literal service prefix',
        'Statement[0].NotAction "rds: Describe*" is not "*" or "service:action" with a literal service prefix',
      ]),
    );
    expect(parse(identityStatement({ Action: undefined, NotAction: [] }))).toStrictEqual(refused(["Statement[0].NotAction must be a string or a non-empty array of strings, not an array"]));
  });

  it("refuses a statement with both Resource and NotResource", () => {
    expect(parse(identityStatement({ NotResource: "arn:aws:rds:us-east-1:123456789012:db:audit" }))).toStrictEqual(refused(["Statement[0] must not have both Resource and NotResource"]));
    expect(parse(resourceStatement({ NotResource: "arn:aws:s3:::orders-exports/private/*" }), "resource")).toStrictEqual(refused(["Statement[0] must not have both Resource and NotResource"], "resource"));
  });

  it("refuses an empty or mistyped Resource and NotResource", () => {
    expect(parse(identityStatement({ Resource: [] }))).toStrictEqual(refused(["Statement[0].Resource must be a string or a non-empty array of strings, not an array"]));
    expect(parse(identityStatement({ Resource: undefined, NotResource: [] }))).toStrictEqual(refused(["Statement[0].NotResource must be a string or a non-empty array of strings, not an array"]));
    expect(parse(identityStatement({ Resource: 42 }))).toStrictEqual(refused(["Statement[0].Resource must be a string or a non-empty array of strings, not number 42"]));
    expect(parse(identityStatement({ Resource: [ORDERS_DB, "orders"] }))).toStrictEqual(refused(['Statement[0].Resource "orders" is neither "*" nor an ARN']));
  });

  it("refuses a Resource in a trust policy and a missing Principal in a resource policy", () => {
    expect(parse(trustStatement({ Resource: "*" }), "trust")).toStrictEqual(refused(["Statement[0] is in a trust policy, which must not name a Resource"], "trust"));
    expect(parse(resourceStatement({ Principal: undefined }), "resource")).toStrictEqual(refused(["Statement[0] must have exactly one of Principal and NotPrincipal"], "resource"));
  });
});

describe("parsePolicyDocument: Principal", () => {
  it.each([
    ["an empty object", {}, "an object"],
    ["an ARN without its type", ACCOUNT_ROOT, `"${ACCOUNT_ROOT}"`],
    ["a list", ["*"], "an array"],
    ["null", null, "null"],
  ])("refuses a Principal that is %s", (_what, principal, shown) => {
    expect(parse(resourceStatement({ Principal: principal }), "resource")).toStrictEqual(
      refused([`Statement[0].Principal must be "*" or an object such as {"AWS": [...]}, not ${shown}`], "resource"),
    );
  });

  it("refuses empty or mistyped principal lists, naming the type", () => {
    expect(parse(resourceStatement({ Principal: { AWS: [], Service: 5 } }), "resource")).toStrictEqual(
      refused(
        [
          "Statement[0].Principal.AWS must be a string or a non-empty array of strings, not an array",
          "Statement[0].Principal.Service must be a string or a non-empty array of strings, not number 5",
        ],
        "resource",
      ),
    );
    expect(parse(trustStatement({ Sid: "Backup", Principal: { Service: [] } }), "trust")).toStrictEqual(
      refused(['Statement[0] ("Backup").Principal.Service must be a string or a non-empty array of strings, not an array'], "trust"),
    );
  });

  it("refuses principal types AWS does not have, including names every object inherits", () => {
    const text = `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"constructor": "${ACCOUNT_ROOT}", "aws": "${ACCOUNT_ROOT}"}, "Action": "s3:GetObject", "Resource": "*"}}`;
    expect(parse(text, "resource")).toStrictEqual(
      refused(
        [
          'Statement[0].Principal has unknown principal type "constructor" (expected AWS, Service, Federated or CanonicalUser)',
          'Statement[0].Principal has unknown principal type "aws" (expected AWS, Service, Federated or CanonicalUser)',
        ],
        "resource",
      ),
    );
  });
});

describe("parsePolicyDocument: Condition", () => {
  const withCondition = (condition: unknown, sid?: string) => parse(identityStatement({ Effect: "Deny", ...(sid ? { Sid: sid } : {}), Condition: condition }));

  it.each([
    ["a list", [{ Bool: { "aws:SecureTransport": "false" } }], "an array"],
    ["a string", "aws:SecureTransport", '"aws:SecureTransport"'],
    ["null", null, "null"],
  ])("refuses a Condition that is %s", (_what, condition, shown) => {
    expect(withCondition(condition)).toStrictEqual(refused([`Statement[0].Condition must be an object of operators, not ${shown}`]));
  });

  it.each([
    ["a key name", "aws:SecureTransport", '"aws:SecureTransport"'],
    ["a list", [{ "aws:SecureTransport": "false" }], "an array"],
    ["an empty object", {}, "an object"],
    ["null", null, "null"],
  ])("refuses an operator whose block is %s", (_what, block, shown) => {
    expect(withCondition({ Bool: block }, "RequireTls")).toStrictEqual(refused([`Statement[0] ("RequireTls").Condition.Bool must be a non-empty object of condition keys, not ${shown}`]));
  });

  it("refuses an empty condition key and one of blanks only", () => {
    expect(withCondition({ StringNotEquals: { "": "vpc-0a1b2c3d" } })).toStrictEqual(refused(["Statement[0].Condition.StringNotEquals has an empty condition key"]));
    expect(withCondition({ StringNotEquals: { "  ": "vpc-0a1b2c3d" } })).toStrictEqual(refused(["Statement[0].Condition.StringNotEquals has an empty condition key"]));
  });

  it.each([
    ["an empty list", [], "an array"],
    ["a list holding an object", ["dba", { team: "sre" }], "an array"],
    ["a list holding null", ["dba", null], "an array"],
    ["a nested list", [["dba"]], "an array"],
    ["an object", { team: "dba" }, "an object"],
    ["null", null, "null"],
  ])("refuses a condition value that is %s", (_what, value, shown) => {
    expect(withCondition({ StringNotEquals: { "aws:PrincipalTag/team": value } })).toStrictEqual(
      refused([`Statement[0].Condition.StringNotEquals["aws:PrincipalTag/team"] must be a string, number, boolean or a non-empty array of them, not ${shown}`]),
    );
  });

  it("refuses an unknown operator and goes on to the others", () => {
    expect(withCondition({ StringEqual: { "aws:username": "alice" }, Bool: { "aws:SecureTransport": [] } })).toStrictEqual(
      refused([
        'Statement[0].Condition uses unknown condition operator "StringEqual"',
        'Statement[0].Condition.Bool["aws:SecureTransport"] must be a string, number, boolean or a non-empty array of them, not an array',
      ]),
    );
  });
});

describe("parsePolicyDocument: characters the IAM API refuses", () => {
  const outside = (code: string) => `the document holds the character U+${code}, outside what the IAM API accepts (U+0020-U+00FF, tab and line breaks)`;

  it("finds the character in any statement, not only the first", () => {
    const document = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: DESCRIBE_DB, Resource: ORDERS_DB },
        { Effect: "Allow", Action: DESCRIBE_DB, Resource: "arn:aws:rds:us-east-1:123456789012:db:orders\u2013replica" },
      ],
    };
    expect(parse(document)).toStrictEqual(refused([outside("2013")]));
  });

  it("finds it in a principal of a trust policy", () => {
    expect(parse(trustStatement({ Principal: { AWS: "arn:aws:iam::123456789012:role/ops\u2013admin" } }), "trust")).toStrictEqual(refused([outside("2013")], "trust"));
  });

  it("finds it in a condition value", () => {
    expect(parse(identityStatement({ Condition: { StringEquals: { "aws:PrincipalTag/team": "\u201Cdba\u201D" } } }))).toStrictEqual(refused([outside("201C")]));
  });

  it("finds it in the Sid of a trust policy", () => {
    const r = parse(trustStatement({ Sid: "Backup\u2014Assume" }), "trust");
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.problems).toContain(outside("2014"));
  });
});
