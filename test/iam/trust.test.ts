/**
 * trust.ts directly: what analyzeTrustPolicy makes of a role's trust policy. Which statements
 * count (Allow statements whose Action or NotAction element covers an assume action), each kind of
 * principal (an account id, an account's root ARN, a role or user, "*", Service, Federated,
 * CanonicalUser, NotPrincipal), the openings (everyone, a whole account with or without a
 * condition that names who), MFA judged by evaluation (Bool, BoolIfExists, MultiFactorAuthAge, a
 * Deny that enforces MFA), service-only trust, documents it cannot read (a result, never a throw),
 * and the exact texts the rules show their users.
 */
import { ASSUME_ACTIONS, analyzeTrustPolicy } from "../../policies/lib/iam/trust";

const V = "2012-10-17";
const ACCOUNT = "111111111111";
const OTHER = "222222222222";
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const ONCALL = `arn:aws:iam::${ACCOUNT}:role/oncall`;
const ALICE = `arn:aws:iam::${OTHER}:user/alice`;
const SAML = `arn:aws:iam::${ACCOUNT}:saml-provider/corp`;
const MFA = { Bool: { "aws:MultiFactorAuthPresent": "true" } };
const RECENT_MFA = { NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } };

type Doc = Record<string, unknown>;

const trust = (...statements: Doc[]): Doc => ({ Version: V, Statement: statements });
const allow = (Principal: unknown, extra: Doc = {}): Doc => ({ Effect: "Allow", Principal, Action: "sts:AssumeRole", ...extra });
const analyze = (document: unknown, role = "restore") => analyzeTrustPolicy(document, role);

/** How messages name statement `n` (1-based) of the trust policy of role "restore". */
const stmt = (n: number, sid?: string) => `${sid ? `statement "${sid}" (#${n})` : `statement #${n}`} of trust policy of role "restore"`;
const analyzed = (fields: { serviceOnly?: boolean; services?: string[]; openings?: string[]; mfaGaps?: string[] }) => ({
  kind: "analyzed",
  serviceOnly: fields.serviceOnly ?? false,
  services: fields.services ?? [],
  openings: fields.openings ?? [],
  mfaGaps: fields.mfaGaps ?? [],
});
const everyone = (n: number, sid?: string) => `${stmt(n, sid)} admits every AWS principal ("*")`;
const wholeAccount = (n: number, id: string, account = ACCOUNT) => `${stmt(n)} admits every principal of account ${account} (${id}) without a condition naming who`;
const narrowedInVain = (n: number, id: string, sid?: string) =>
  `${stmt(n, sid)} admits every principal of account ${ACCOUNT} (${id}): its conditions on who it is let in any principal of the account`;
const anyoneGap = (action: string, by: string) => `any principal it admits can ${action} without MFA (${by})`;
const gap = (principal: string, action: string, by: string) => `${principal} can ${action} without MFA (${by})`;
const serviceGap = (service: string) => `${service} can sts:AssumeRole without MFA (AWS services cannot present MFA; whoever may pass the role to ${service} acts as it)`;

describe("ASSUME_ACTIONS", () => {
  it("are the three ways to assume a role", () => {
    expect(ASSUME_ACTIONS).toStrictEqual(["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"]);
  });
});

describe("analyzeTrustPolicy: a named principal", () => {
  it("a role that must sign in with MFA: nothing to report", () => {
    expect(analyze(trust(allow({ AWS: ONCALL }, { Condition: MFA })))).toStrictEqual(analyzed({}));
  });

  it("a role without an MFA condition is an MFA gap, named by its ARN and the statement that lets it in", () => {
    expect(analyze(trust(allow({ AWS: ONCALL })))).toStrictEqual(analyzed({ mfaGaps: [gap(ONCALL, "sts:AssumeRole", stmt(1))] }));
  });

  it("reads the same policy given as a JSON string", () => {
    const doc = trust(allow({ AWS: [ONCALL, ALICE] }, { Sid: "People" }));
    const expected = analyzed({ mfaGaps: [gap(ONCALL, "sts:AssumeRole", stmt(1, "People")), gap(ALICE, "sts:AssumeRole", stmt(1, "People"))] });
    expect(analyze(doc)).toStrictEqual(expected);
    expect(analyze(JSON.stringify(doc))).toStrictEqual(expected);
  });

  it("reads a single statement object as well as an array", () => {
    expect(analyze({ Version: V, Statement: allow({ AWS: ONCALL }) })).toStrictEqual(analyzed({ mfaGaps: [gap(ONCALL, "sts:AssumeRole", stmt(1))] }));
  });

  it("names the role in every message", () => {
    expect(analyzeTrustPolicy(trust(allow({ AWS: ONCALL })), "db-admin")).toStrictEqual(
      analyzed({ mfaGaps: [`${ONCALL} can sts:AssumeRole without MFA (statement #1 of trust policy of role "db-admin")`] }),
    );
  });

  it("lists every statement that lets the principal in without MFA, joined by commas, once", () => {
    expect(analyze(trust(allow({ AWS: ONCALL }, { Sid: "A" }), allow({ AWS: ONCALL }, { Sid: "B" }), allow({ AWS: ONCALL }, { Sid: "C", Condition: MFA })))).toStrictEqual(
      analyzed({ mfaGaps: [gap(ONCALL, "sts:AssumeRole", `${stmt(1, "A")}, ${stmt(2, "B")}`)] }),
    );
  });
});

describe("analyzeTrustPolicy: MFA is judged by evaluation", () => {
  it.each<[string, Doc]>([
    ['Bool aws:MultiFactorAuthPresent "true"', MFA],
    ["Bool aws:MultiFactorAuthPresent true (a JSON boolean)", { Bool: { "aws:MultiFactorAuthPresent": true } }],
    ["NumericLessThan aws:MultiFactorAuthAge (absent without MFA)", RECENT_MFA],
    ["MFA and a recent MFA sign-in", { ...MFA, ...RECENT_MFA }],
    ["MFA beside a condition the evaluator cannot decide", { ...MFA, IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }],
  ])("%s on the Allow requires MFA", (_, Condition) => {
    expect(analyze(trust(allow({ AWS: ONCALL }, { Condition })))).toStrictEqual(analyzed({}));
  });

  it.each<[string, Doc]>([
    // BoolIfExists also matches requests without the key: long-term credentials carry none.
    ['BoolIfExists aws:MultiFactorAuthPresent "true"', { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } }],
    // Null "false" holds for a session that signed in without MFA (the key is present, "false").
    ['Null aws:MultiFactorAuthPresent "false"', { Null: { "aws:MultiFactorAuthPresent": "false" } }],
    ["NumericLessThanIfExists aws:MultiFactorAuthAge", { NumericLessThanIfExists: { "aws:MultiFactorAuthAge": "3600" } }],
    ["only a condition the evaluator cannot decide", { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }],
    ["a condition on another key", { StringEquals: { "sts:ExternalId": "abc" } }],
  ])("%s does not require MFA", (_, Condition) => {
    expect(analyze(trust(allow({ AWS: ONCALL }, { Condition })))).toStrictEqual(analyzed({ mfaGaps: [gap(ONCALL, "sts:AssumeRole", stmt(1))] }));
  });

  it('a Deny with BoolIfExists aws:MultiFactorAuthPresent "false" enforces MFA', () => {
    const deny = { Effect: "Deny", Principal: "*", Action: "sts:AssumeRole", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } };
    expect(analyze(trust(allow({ AWS: ONCALL }), deny))).toStrictEqual(analyzed({}));
  });

  it('a Deny with Bool aws:MultiFactorAuthPresent "false" does not: it misses long-term credentials, which carry no such key', () => {
    const deny = { Effect: "Deny", Principal: "*", Action: "sts:AssumeRole", Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } };
    expect(analyze(trust(allow({ AWS: ONCALL }), deny))).toStrictEqual(analyzed({ mfaGaps: [gap(ONCALL, "sts:AssumeRole", stmt(1))] }));
  });
});

describe("analyzeTrustPolicy: a whole account", () => {
  it("an account id without conditions: an opening, and any principal of it may assume the role without MFA", () => {
    expect(analyze(trust(allow({ AWS: ACCOUNT })))).toStrictEqual(
      analyzed({ openings: [wholeAccount(1, ACCOUNT)], mfaGaps: [anyoneGap("sts:AssumeRole", stmt(1))] }),
    );
  });

  it("an account's root ARN without conditions: the same", () => {
    expect(analyze(trust(allow({ AWS: ROOT })))).toStrictEqual(analyzed({ openings: [wholeAccount(1, ROOT)], mfaGaps: [anyoneGap("sts:AssumeRole", stmt(1))] }));
  });

  it("an account's root ARN in another partition names that account", () => {
    const cn = `arn:aws-cn:iam::${OTHER}:root`;
    expect(analyze(trust(allow({ AWS: cn })))).toStrictEqual(analyzed({ openings: [wholeAccount(1, cn, OTHER)], mfaGaps: [anyoneGap("sts:AssumeRole", stmt(1))] }));
  });

  it("MFA alone does not name who: still an opening, though no MFA gap", () => {
    expect(analyze(trust(allow({ AWS: ROOT }, { Condition: { ...MFA, ...RECENT_MFA } })))).toStrictEqual(analyzed({ openings: [wholeAccount(1, ROOT)] }));
  });

  it.each<[string, Doc]>([
    ["ArnEquals aws:PrincipalArn", { ArnEquals: { "aws:PrincipalArn": ONCALL } }],
    ["StringEquals aws:PrincipalArn", { StringEquals: { "aws:PrincipalArn": ONCALL } }],
    ["the key in another letter case", { StringEquals: { "AWS:principalarn": ONCALL } }],
    ["StringLike aws:PrincipalArn on a path of roles", { StringLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/oncall-*` } }],
    ["StringEquals aws:userid", { StringEquals: { "aws:userid": "AROAEXAMPLEID:alice" } }],
    ["StringEquals aws:username", { StringEquals: { "aws:username": "alice" } }],
    ["StringEquals aws:SourceIdentity", { StringEquals: { "aws:SourceIdentity": "alice" } }],
    ["StringEquals aws:PrincipalTag/team (untagged principals are refused)", { StringEquals: { "aws:PrincipalTag/team": "oncall" } }],
  ])("a condition naming who (%s) closes the opening", (_, narrowing) => {
    expect(analyze(trust(allow({ AWS: ROOT }, { Condition: { ...MFA, ...narrowing } })))).toStrictEqual(analyzed({}));
  });

  it("a condition naming who closes the opening for an account id too", () => {
    expect(analyze(trust(allow({ AWS: ACCOUNT }, { Condition: { ...MFA, ArnEquals: { "aws:PrincipalArn": ONCALL } } })))).toStrictEqual(analyzed({}));
  });

  it("a negated condition on who (StringNotEquals aws:PrincipalArn) names who is kept out, not who is let in", () => {
    expect(analyze(trust(allow({ AWS: ROOT }, { Condition: { ...MFA, StringNotEquals: { "aws:PrincipalArn": ONCALL } } })))).toStrictEqual(
      analyzed({ openings: [wholeAccount(1, ROOT)] }),
    );
  });

  it("a condition on who that every principal of the account meets is an opening, even with MFA and a recent sign-in", () => {
    const Condition = { ...MFA, ...RECENT_MFA, StringLike: { "aws:PrincipalArn": "*" } };
    expect(analyze(trust(allow({ AWS: ROOT }, { Condition })))).toStrictEqual(analyzed({ openings: [narrowedInVain(1, ROOT)] }));
  });

  it("a condition on who matching every principal of the named account (by ARN or by account) is an opening", () => {
    const doc = trust(
      allow({ AWS: ROOT }, { Sid: "Users", Condition: { ...MFA, ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:*` } } }),
      allow({ AWS: ACCOUNT }, { Sid: "Account", Condition: { ...MFA, StringLike: { "aws:PrincipalArn": "*" } } }),
    );
    // Each statement alone lets in any principal of the account.
    expect(analyze(doc)).toStrictEqual(analyzed({ openings: [narrowedInVain(1, ROOT, "Users"), narrowedInVain(2, ACCOUNT, "Account")] }));
  });

  // Each of these once passed as "narrowed": the check asked whether one sample user of the
  // account was let in for sure, over the whole policy, with its other keys unknown.
  it.each<[string, Doc]>([
    ["StringEqualsIfExists aws:username (a role has no user name)", { StringEqualsIfExists: { "aws:username": "alice" } }],
    ["StringEqualsIfExists aws:SourceIdentity (most sessions have none)", { StringEqualsIfExists: { "aws:SourceIdentity": "alice" } }],
    ["StringEqualsIfExists aws:PrincipalTag/team (untagged principals pass)", { StringEqualsIfExists: { "aws:PrincipalTag/team": "ops" } }],
    ["StringLike aws:userid \"*\" (every principal has a user id)", { StringLike: { "aws:userid": "*" } }],
    ["ArnLike aws:PrincipalArn on every role of the account", { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/*` } }],
    ["StringLike aws:PrincipalArn \"*\" beside a condition on something else (the Region)", { StringLike: { "aws:PrincipalArn": "*" }, StringEquals: { "aws:RequestedRegion": "us-east-1" } }],
  ])("a condition on who that names no one (%s) is an opening", (_, narrowing) => {
    expect(analyze(trust(allow({ AWS: ROOT }, { Condition: { ...MFA, ...narrowing } })))).toStrictEqual(analyzed({ openings: [narrowedInVain(1, ROOT)] }));
  });

  it("each statement is judged alone: another statement that may apply does not hide one that names no one", () => {
    const doc = trust(
      allow({ AWS: ROOT }, { Sid: "All", Condition: { ...MFA, StringLike: { "aws:PrincipalArn": "*" } } }),
      allow({ AWS: ROOT }, { Sid: "Ops", Condition: { ...MFA, ArnEquals: { "aws:PrincipalArn": ONCALL } } }),
      allow({ AWS: ROOT }, { Sid: "Team", Condition: { ...MFA, StringEquals: { "aws:PrincipalTag/team": "ops" } } }),
    );
    expect(analyze(doc)).toStrictEqual(analyzed({ openings: [narrowedInVain(1, ROOT, "All")] }));
  });

  it("a Deny that refuses everyone but the named role narrows the account; a Deny that depends on the request does not", () => {
    const open = allow({ AWS: ROOT }, { Condition: { ...MFA, StringLike: { "aws:PrincipalArn": "*" } } });
    const denyOthers = { Effect: "Deny", Principal: { AWS: "*" }, Action: "sts:AssumeRole", Condition: { ArnNotEquals: { "aws:PrincipalArn": ONCALL } } };
    expect(analyze(trust(open, denyOthers))).toStrictEqual(analyzed({}));
    const denyByRegion = { ...denyOthers, Condition: { ...denyOthers.Condition, StringEquals: { "aws:RequestedRegion": "eu-west-1" } } };
    expect(analyze(trust(open, denyByRegion))).toStrictEqual(analyzed({ openings: [narrowedInVain(1, ROOT)] }));
  });

  it("the condition naming who still counts for MFA: without MFA, the account is an MFA gap", () => {
    expect(analyze(trust(allow({ AWS: ROOT }, { Condition: { StringLike: { "aws:PrincipalArn": "*" } } })))).toStrictEqual(
      analyzed({ openings: [narrowedInVain(1, ROOT)], mfaGaps: [anyoneGap("sts:AssumeRole", stmt(1))] }),
    );
  });

  it("a named role beside a whole account in one statement: the account is the opening, both are MFA gaps", () => {
    expect(analyze(trust(allow({ AWS: [ONCALL, ACCOUNT] })))).toStrictEqual(
      analyzed({ openings: [wholeAccount(1, ACCOUNT)], mfaGaps: [gap(ONCALL, "sts:AssumeRole", stmt(1)), anyoneGap("sts:AssumeRole", stmt(1))] }),
    );
  });

  it("a named role with a condition on who is no whole account", () => {
    expect(analyze(trust(allow({ AWS: ONCALL }, { Condition: { ...MFA, ArnEquals: { "aws:PrincipalArn": ONCALL } } })))).toStrictEqual(analyzed({}));
  });

  it("only a 12-digit id or an ARN ending in :root is a whole account; other ids stand for themselves", () => {
    const odd = ["x111111111111", "1111111111112", "11111111111", `${ROOT}x`];
    expect(analyze(trust(allow({ AWS: odd })))).toStrictEqual(analyzed({ mfaGaps: odd.map((id) => gap(id, "sts:AssumeRole", stmt(1))) }));
  });

  it("an id ending in :root that is no account root ARN is an opening, and stands for itself", () => {
    const id = `x${ROOT}`;
    expect(analyze(trust(allow({ AWS: id })))).toStrictEqual(analyzed({ openings: [wholeAccount(1, id)], mfaGaps: [gap(id, "sts:AssumeRole", stmt(1))] }));
  });
});

describe("analyzeTrustPolicy: everyone", () => {
  it('"Principal": "*" is an opening and, without MFA, a gap', () => {
    expect(analyze(trust(allow("*")))).toStrictEqual(analyzed({ openings: [everyone(1)], mfaGaps: [anyoneGap("sts:AssumeRole", stmt(1))] }));
  });

  it('{"AWS": "*"} is the same opening and gap', () => {
    expect(analyze(trust(allow({ AWS: "*" }, { Sid: "Open" })))).toStrictEqual(analyzed({ openings: [everyone(1, "Open")], mfaGaps: [anyoneGap("sts:AssumeRole", stmt(1, "Open"))] }));
  });

  it('{"AWS": ["*", role]}: one opening for the "*", the role is a gap of its own', () => {
    expect(analyze(trust(allow({ AWS: ["*", ONCALL] })))).toStrictEqual(
      analyzed({ openings: [everyone(1)], mfaGaps: [anyoneGap("sts:AssumeRole", stmt(1)), gap(ONCALL, "sts:AssumeRole", stmt(1))] }),
    );
  });

  it('"*" with MFA: still an opening, no MFA gap', () => {
    expect(analyze(trust(allow({ AWS: "*" }, { Condition: MFA })))).toStrictEqual(analyzed({ openings: [everyone(1)] }));
    expect(analyze(trust(allow("*", { Condition: MFA })))).toStrictEqual(analyzed({ openings: [everyone(1)] }));
  });

  it('"*" with every assume action: a gap for each', () => {
    expect(analyze(trust(allow("*", { Action: "sts:*" })))).toStrictEqual(
      analyzed({ openings: [everyone(1)], mfaGaps: ASSUME_ACTIONS.map((a) => anyoneGap(a, stmt(1))) }),
    );
  });

  it("NotPrincipal in an Allow admits everyone it does not name", () => {
    const doc = trust({ Effect: "Allow", NotPrincipal: { AWS: ONCALL }, Action: "sts:AssumeRole" });
    expect(analyze(doc)).toStrictEqual(
      analyzed({ openings: [`${stmt(1)} uses NotPrincipal, which admits every principal it does not name`], mfaGaps: [anyoneGap("sts:AssumeRole", stmt(1))] }),
    );
  });

  it("NotPrincipal with MFA: an opening without an MFA gap", () => {
    const doc = trust({ Effect: "Allow", NotPrincipal: { AWS: ONCALL }, Action: "sts:AssumeRole", Condition: MFA });
    expect(analyze(doc)).toStrictEqual(analyzed({ openings: [`${stmt(1)} uses NotPrincipal, which admits every principal it does not name`] }));
  });

  it("a Deny is no opening, whoever it names", () => {
    const doc = trust(
      allow({ AWS: ONCALL }, { Condition: MFA }),
      { Effect: "Deny", Principal: "*", Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } } },
      { Effect: "Deny", Principal: { AWS: ROOT }, Action: "sts:*", Condition: { StringEquals: { "aws:PrincipalTag/blocked": "yes" } } },
      { Effect: "Deny", NotPrincipal: { AWS: ONCALL }, Action: "sts:AssumeRole" },
    );
    expect(analyze(doc)).toStrictEqual(analyzed({}));
  });
});

describe("analyzeTrustPolicy: which actions count", () => {
  it.each<[string, Doc]>([
    ["sts:*", { Action: "sts:*" }],
    ["sts:Assume*", { Action: "sts:Assume*" }],
    ['"*"', { Action: "*" }],
    ["another letter case", { Action: "STS:assumerole" }],
    ["a ? wildcard", { Action: "sts:AssumeRol?" }],
    ["a list with sts:TagSession", { Action: ["sts:TagSession", "sts:AssumeRole"] }],
    ["NotAction sts:TagSession", { NotAction: "sts:TagSession" }],
  ])("an Allow of %s lets principals assume the role", (_, action) => {
    const doc = trust({ Effect: "Allow", Principal: { AWS: ACCOUNT }, ...action });
    expect(analyze(doc)).toStrictEqual(analyzed({ openings: [wholeAccount(1, ACCOUNT)], mfaGaps: [anyoneGap("sts:AssumeRole", stmt(1))] }));
  });

  it.each<[string, Doc]>([
    ["sts:TagSession", { Action: "sts:TagSession" }],
    ["sts:TagSession and sts:SetSourceIdentity", { Action: ["sts:TagSession", "sts:SetSourceIdentity"] }],
    ["sts:AssumeRole? (one more character)", { Action: "sts:AssumeRole?" }],
    ["NotAction sts:Assume*", { NotAction: "sts:Assume*" }],
    ["NotAction of the three assume actions", { NotAction: [...ASSUME_ACTIONS] }],
  ])("an Allow of %s alone lets no one assume the role", (_, action) => {
    expect(analyze(trust({ Effect: "Allow", Principal: "*", ...action }))).toStrictEqual(analyzed({}));
  });

  it("NotAction sts:AssumeRole still lets everyone use SAML and web identity", () => {
    expect(analyze(trust({ Effect: "Allow", Principal: "*", NotAction: "sts:AssumeRole" }))).toStrictEqual(
      analyzed({ openings: [everyone(1)], mfaGaps: [anyoneGap("sts:AssumeRoleWithSAML", stmt(1)), anyoneGap("sts:AssumeRoleWithWebIdentity", stmt(1))] }),
    );
  });

  it("an Allow of sts:TagSession beside the assume statement adds nothing", () => {
    const doc = trust(allow({ AWS: ONCALL }, { Condition: MFA }), { Effect: "Allow", Principal: "*", Action: "sts:TagSession" }, { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:TagSession" });
    expect(analyze(doc)).toStrictEqual(analyzed({}));
  });
});

describe("analyzeTrustPolicy: AWS services", () => {
  it("a role only a service may assume is service-only, with no MFA gap", () => {
    expect(analyze(trust(allow({ Service: "backup.amazonaws.com" })))).toStrictEqual(analyzed({ serviceOnly: true, services: ["backup.amazonaws.com"] }));
  });

  it("lists each service once, in the order the policy names them", () => {
    const doc = trust(allow({ Service: ["lambda.amazonaws.com", "ec2.amazonaws.com"] }), allow({ Service: "lambda.amazonaws.com" }, { Action: "sts:*" }));
    expect(analyze(doc)).toStrictEqual(analyzed({ serviceOnly: true, services: ["lambda.amazonaws.com", "ec2.amazonaws.com"] }));
  });

  it("a service beside a person who must use MFA is the MFA gap", () => {
    const doc = trust(allow({ AWS: ONCALL }, { Condition: MFA }), allow({ Service: "lambda.amazonaws.com" }));
    expect(analyze(doc)).toStrictEqual(analyzed({ services: ["lambda.amazonaws.com"], mfaGaps: [serviceGap("lambda.amazonaws.com")] }));
  });

  it.each<[string, Doc]>([
    ['"*"', allow("*", { Condition: MFA })],
    ['{"AWS": "*"}', allow({ AWS: "*" }, { Condition: MFA })],
    ["NotPrincipal", { Effect: "Allow", NotPrincipal: { AWS: ONCALL }, Action: "sts:AssumeRole", Condition: MFA }],
  ])("a service beside %s is no service-only role", (_, human) => {
    const r = analyze(trust(human, allow({ Service: "ec2.amazonaws.com" })));
    expect(r.kind === "analyzed" && [r.serviceOnly, r.services, r.mfaGaps]).toStrictEqual([false, ["ec2.amazonaws.com"], [serviceGap("ec2.amazonaws.com")]]);
  });

  it("a service beside a federated provider is no service-only role", () => {
    const doc = trust({ Effect: "Allow", Principal: { Federated: SAML }, Action: "sts:AssumeRoleWithSAML" }, allow({ Service: "ec2.amazonaws.com" }));
    expect(analyze(doc)).toStrictEqual(
      analyzed({ services: ["ec2.amazonaws.com"], mfaGaps: [gap(SAML, "sts:AssumeRoleWithSAML", stmt(1)), serviceGap("ec2.amazonaws.com")] }),
    );
  });

  it("a service beside a CanonicalUser is no service-only role", () => {
    const doc = trust(allow({ CanonicalUser: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", Service: "lambda.amazonaws.com" }));
    expect(analyze(doc)).toStrictEqual(analyzed({ services: ["lambda.amazonaws.com"], mfaGaps: [serviceGap("lambda.amazonaws.com")] }));
  });

  it("a service only in a Deny or in a statement that grants no assume action does not count", () => {
    const doc = trust({ Effect: "Deny", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }, { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:TagSession" });
    expect(analyze(doc)).toStrictEqual(analyzed({}));
  });
});

describe("analyzeTrustPolicy: federated principals", () => {
  it("a SAML provider is tried with SAML (and web identity when allowed): each allowed one is an MFA gap", () => {
    expect(analyze(trust({ Effect: "Allow", Principal: { Federated: SAML }, Action: "sts:AssumeRoleWithSAML" }))).toStrictEqual(
      analyzed({ mfaGaps: [gap(SAML, "sts:AssumeRoleWithSAML", stmt(1))] }),
    );
    expect(analyze(trust({ Effect: "Allow", Principal: { Federated: [SAML, "cognito-identity.amazonaws.com"] }, Action: "sts:AssumeRoleWith*" }))).toStrictEqual(
      analyzed({
        mfaGaps: [
          gap(SAML, "sts:AssumeRoleWithSAML", stmt(1)),
          gap(SAML, "sts:AssumeRoleWithWebIdentity", stmt(1)),
          gap("cognito-identity.amazonaws.com", "sts:AssumeRoleWithSAML", stmt(1)),
          gap("cognito-identity.amazonaws.com", "sts:AssumeRoleWithWebIdentity", stmt(1)),
        ],
      }),
    );
  });

  it("a federated principal allowed only sts:AssumeRole cannot use it", () => {
    expect(analyze(trust(allow({ Federated: SAML })))).toStrictEqual(analyzed({}));
  });

  it("a Deny that enforces MFA covers federated sign-ins too", () => {
    const doc = trust(
      { Effect: "Allow", Principal: { Federated: SAML }, Action: "sts:AssumeRoleWithSAML", Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } } },
      { Effect: "Deny", Principal: "*", Action: "sts:*", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } },
    );
    expect(analyze(doc)).toStrictEqual(analyzed({}));
  });
});

describe("analyzeTrustPolicy: documents it cannot read", () => {
  const cannot = (...problems: unknown[]) => ({ kind: "cannot-verify", problems });

  it.each<[string, unknown, unknown[]]>([
    ["null", null, ["the document must be a JSON object, not null"]],
    ["a number", 42, ["the document must be a JSON object, not number 42"]],
    ["an array", [allow({ AWS: ONCALL })], ["the document must be a JSON object, not an array"]],
    ["a JSON string of an array", "[]", ["the document must be a JSON object, not an array"]],
    ["no Statement", { Version: V }, ["Statement must be an object or an array of objects, not missing"]],
    ["an empty Statement", { Version: V, Statement: [] }, ["Statement must not be empty"]],
    ["a Statement string", { Version: V, Statement: "sts:AssumeRole" }, ['Statement must be an object or an array of objects, not "sts:AssumeRole"']],
    ["a statement that is not an object", { Version: V, Statement: [allow({ AWS: ONCALL }), 7] }, ["Statement[1] must be an object, not number 7"]],
    ["an unknown Version", { Version: "2020-01-01", Statement: [allow({ AWS: ONCALL })] }, ['Version must be "2012-10-17" or "2008-10-17", not "2020-01-01"']],
    ["an Effect in another letter case", trust({ Effect: "allow", Principal: { AWS: ONCALL }, Action: "sts:AssumeRole" }), ['Statement[0].Effect must be "Allow" or "Deny", not "allow"']],
    ["no Principal", trust({ Effect: "Allow", Action: "sts:AssumeRole" }), ["Statement[0] must have exactly one of Principal and NotPrincipal"]],
    ["a Resource", trust(allow({ AWS: ONCALL }, { Resource: "*" })), ["Statement[0] is in a trust policy, which must not name a Resource"]],
    ["a principal that is no string", trust(allow({ AWS: 111111111111 })), ["Statement[0].Principal.AWS must be a string or a non-empty array of strings, not number 111111111111"]],
    ["an unknown principal type", trust(allow({ Account: ACCOUNT })), ['Statement[0].Principal has unknown principal type "Account" (expected AWS, Service, Federated or CanonicalUser)']],
    ["no Action", trust({ Effect: "Allow", Principal: { AWS: ONCALL } }), ["Statement[0] must have exactly one of Action and NotAction"]],
    ["an unknown condition operator", trust(allow({ AWS: ONCALL }, { Condition: { BoolEquals: { "aws:MultiFactorAuthPresent": "true" } } })), ['Statement[0].Condition uses unknown condition operator "BoolEquals"']],
  ])("%s", (_, document, problems) => {
    expect(analyze(document)).toStrictEqual(cannot(...problems));
  });

  it("no document at all", () => {
    expect(analyze(undefined)).toStrictEqual(cannot(expect.stringMatching(/^the document must be a JSON object, not /)));
  });

  it("a string that is not JSON", () => {
    expect(analyze('{"Statement": [')).toStrictEqual(cannot(expect.stringMatching(/^the document is not valid JSON \(.+\)$/)));
  });

  it("one bad statement makes the whole policy unverifiable, even beside an open one", () => {
    expect(analyze(trust(allow("*"), { Effect: "Allow", Principal: { AWS: [] }, Action: "sts:AssumeRole" }))).toStrictEqual(
      cannot("Statement[1].Principal.AWS must be a string or a non-empty array of strings, not an array"),
    );
  });
});
