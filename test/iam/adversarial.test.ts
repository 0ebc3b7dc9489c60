/**
 * Adversarial review of the IAM evaluator (policies/lib/iam/): inputs meant to make it FAIL OPEN,
 * i.e. judge as "no grant" a document AWS would let destroy production, or judge as harmless a
 * document AWS would refuse. The first blocks pin behaviour that is right today; the last block
 * ("... (fail until fixed)") asserts the behaviour AWS calls for where the pack gets it wrong, so
 * its tests fail until the bugs are fixed.
 */
import { parsePolicyDocument } from "../../policies/lib/iam/policy-document";
import { spawnSync } from "child_process";
import * as path from "path";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { mfaTrustPolicy, restoreRolePermissionsPolicy } from "../../components/restore-role";
import { BREAK_GLASS_TAG } from "../../components/tags";
import { type AccessEvaluation, type AccessRequest, compilePolicies, evaluateAccess, evaluateApiCall } from "../../policies/lib/iam/evaluate";
import { productionProbes, restoreAuthorizations } from "../../policies/lib/iam/probes";
import { analyzeTrustPolicy } from "../../policies/lib/iam/trust";
import type { Finding } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { iamNoProdDbDestruction } from "../../policies/rules/iam-no-prod-db-destruction";
import { ACCOUNT, type StackResourceSpec, stackView } from "../helpers/stack-view";
import { ONCALL, allow, productionData, role } from "./iam-stacks";

const V = "2012-10-17";
const DB = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`;
const HERE = { partition: "aws", region: "us-east-1", account: ACCOUNT };
const TAGS = DEFAULT_SETTINGS.productionTags;

type Doc = Record<string, unknown>;

/** "allow" / "implicit-deny" / "explicit-deny", or "cannot-verify". */
function outcome(e: AccessEvaluation): string {
  return e.kind === "cannot-verify" ? "cannot-verify" : e.decision;
}

function judge(documents: unknown[], request: AccessRequest): string {
  return outcome(evaluateAccess(compilePolicies(documents.map((document, i) => ({ name: `p${i}`, document }))), request));
}

/** Closed world: every key not listed is absent (as a simulator sees one concrete request). */
const deleteProd = (values: Record<string, string | string[]> = {}): AccessRequest => ({ action: "rds:DeleteDBInstance", resource: DB, context: { values, absentUnlessListed: "all" } });

/** "fails closed" when the evaluator grants (or may grant) or refuses to decide; otherwise its decision. */
function failsClosed(documents: unknown[], request: AccessRequest): string {
  const o = judge(documents, request);
  return o === "allow" || o === "cannot-verify" ? "fails closed" : o;
}

/** What the oracle (@cloud-copilot/iam-simulate) says of one concrete identity-policy request. */
function oracle(documents: Doc[], action: string, resource: string, values: Record<string, string | string[]>): string {
  return runUnsafeSimulation(
    {
      request: { principal: `arn:aws:iam::${ACCOUNT}:role/ops`, action, resource: { resource, accountId: ACCOUNT }, contextVariables: values },
      identityPolicies: documents.map((policy, i) => ({ name: `p${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
}

/** Decisions of the evaluator on every probe of `action` against one production target, counted. */
function probeDecisions(documents: unknown[], target: Parameters<typeof productionProbes>[0], action: string): Record<string, number> {
  const set = compilePolicies(documents.map((document, i) => ({ name: `p${i}`, document })));
  const counts: Record<string, number> = {};
  for (const probe of productionProbes(target, TAGS).filter((p) => p.action === action)) {
    const o = outcome(evaluateAccess(set, probe));
    counts[o] = (counts[o] ?? 0) + 1;
  }
  return counts;
}

function check(resources: StackResourceSpec[]): Finding[] {
  return iamNoProdDbDestruction.check(stackView({ resources }), {}, DEFAULT_SETTINGS as SharedSettings).filter((f) => !f.deferred);
}

/**
 * Evaluates an Allow of `actionPattern` in a child process, killed after a generous guard: a
 * hang shows as a signal instead of freezing the test run (the guard catches a hang, it does not
 * measure speed).
 */
function evaluateActionInChild(actionPattern: string): { signal: NodeJS.Signals | null; stdout: string } {
  const root = path.resolve(__dirname, "../..");
  const script = [
    `const { compilePolicies, evaluateAccess } = require(${JSON.stringify(path.join(root, "policies/lib/iam/evaluate"))});`,
    `const set = compilePolicies([{ name: "p", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ${JSON.stringify(actionPattern)}, Resource: "*" }] } }]);`,
    `const e = evaluateAccess(set, { action: "rds:RestoreDBInstanceFromDBSnapshot", resource: "*" });`,
    `process.stdout.write(e.kind === "decided" ? e.decision : e.kind);`,
  ].join("\n");
  const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
    cwd: root,
    env: { ...process.env, TS_NODE_PROJECT: path.join(root, "tsconfig.json") },
    encoding: "utf8",
    timeout: 20_000,
  });
  return { signal: run.signal, stdout: run.stdout };
}

const ADMIN_RDS = { Effect: "Allow", Action: "rds:*", Resource: "*" };

describe("adversarial: spellings AWS reads the same way (pinned, correct today)", () => {
  it.each([
    ["upper-case service and action", "RDS:DELETEDBINSTANCE"],
    ["mixed case with a trailing wildcard", "Rds:delete*"],
    ["a leading wildcard", "rds:*DBInstance"],
    ["? for one letter", "rds:DeleteD?Instance"],
    ["a list holding it", ["s3:GetObject", "rds:DeleteDBInstance"]],
  ])("Action as %s grants rds:DeleteDBInstance", (_what, Action) => {
    expect(judge([{ Version: V, Statement: [{ Effect: "Allow", Action, Resource: "*" }] }], deleteProd())).toBe("allow");
  });

  it("Statement as a single object, and a document given as JSON text, grant the same", () => {
    const single = { Version: V, Statement: { Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: DB } };
    expect(judge([single], deleteProd())).toBe("allow");
    expect(judge([JSON.stringify(single)], deleteProd())).toBe("allow");
  });

  it("a condition key in any letter case reads the same request key (key names are case-insensitive)", () => {
    const deny = { Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { StringEquals: { "AWS:RESOURCETAG/ENVIRONMENT": "production" } } };
    expect(judge([{ Version: V, Statement: [ADMIN_RDS, deny] }], deleteProd({ "aws:ResourceTag/environment": "production" }))).toBe("explicit-deny");
  });

  it("two tag keys differing only in case leave the comparison undecided: an Allow may apply, a Deny may not", () => {
    const bothSpellings = { "aws:ResourceTag/environment": "staging", "aws:ResourceTag/Environment": "production" };
    const allowStaging = { Version: V, Statement: [{ Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/environment": "staging" } } }] };
    const e = evaluateAccess(compilePolicies([{ name: "p", document: allowStaging }]), deleteProd(bothSpellings));
    expect(e).toMatchObject({ kind: "decided", decision: "allow", mostRestrictive: "implicit-deny", uncertain: true });
    // Listed the other way round, the same: neither value wins.
    expect(evaluateAccess(compilePolicies([{ name: "p", document: allowStaging }]), deleteProd({ "aws:ResourceTag/Environment": "production", "aws:ResourceTag/environment": "staging" }))).toMatchObject({ decision: "allow", uncertain: true });
    const denyProduction = { Version: V, Statement: [ADMIN_RDS, { Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/environment": "production" } } }] };
    expect(evaluateAccess(compilePolicies([{ name: "p", document: denyProduction }]), deleteProd(bothSpellings))).toMatchObject({ decision: "allow", mostRestrictive: "explicit-deny", uncertain: true });
    // One spelling alone is decided.
    expect(judge([allowStaging], deleteProd({ "aws:ResourceTag/Environment": "production" }))).toBe("implicit-deny");
  });

  it("StringEquals values are case-sensitive: a Deny on \"production\" misses \"PRODUCTION\", as in AWS", () => {
    const docs: Doc[] = [{ Version: V, Statement: [ADMIN_RDS, { Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/environment": "production" } } }] }];
    expect(judge(docs, deleteProd({ "aws:ResourceTag/environment": "PRODUCTION" }))).toBe("allow");
    expect(oracle(docs, "rds:DeleteDBInstance", DB, { "aws:ResourceTag/environment": "PRODUCTION" })).toBe("Allowed");
  });

  it("Deny with NotAction denies everything it does not name", () => {
    const docs = [{ Version: V, Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }, { Effect: "Deny", NotAction: ["rds:Describe*", "rds:List*"], Resource: "*" }] }];
    expect(judge(docs, deleteProd())).toBe("explicit-deny");
  });

  it("Deny with NotResource naming only staging denies production", () => {
    const docs = [{ Version: V, Statement: [ADMIN_RDS, { Effect: "Deny", Action: "rds:Delete*", NotResource: `arn:aws:rds:*:${ACCOUNT}:db:staging-*` }] }];
    expect(judge(docs, deleteProd())).toBe("explicit-deny");
  });

  it("ForAllValues on an absent key is true: the Allow applies to a request without tags", () => {
    const docs = [{ Version: V, Statement: [{ Effect: "Allow", Action: "rds:*", Resource: "*", Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["team"] } } }] }];
    expect(judge(docs, deleteProd())).toBe("allow");
  });

  it("without Version (2008-10-17) a policy variable is literal text; under 2012-10-17 it is substituted", () => {
    const statement = { Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: `arn:aws:rds:*:${ACCOUNT}:db:\${aws:username}` };
    const request = deleteProd({ "aws:username": "orders" });
    expect(judge([{ Statement: [statement] }], request)).toBe("implicit-deny");
    expect(judge([{ Version: V, Statement: [statement] }], request)).toBe("allow");
  });

  it("a Deny whose condition the evaluator cannot decide is not relied on", () => {
    const deny = { Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } };
    const e = evaluateAccess(compilePolicies([{ name: "p", document: { Version: V, Statement: [ADMIN_RDS, deny] } }]), { action: "rds:DeleteDBInstance", resource: DB });
    expect(e.kind === "decided" ? [e.decision, e.mostRestrictive] : e.kind).toEqual(["allow", "explicit-deny"]);
  });

  it("a short Action of `*?` pairs is answered in a child process (control for the backtracking test below)", () => {
    expect(evaluateActionInChild("rds:" + "*?".repeat(3) + "Z")).toEqual({ signal: null, stdout: "implicit-deny" });
    expect(evaluateActionInChild("rds:" + "*?".repeat(3) + "t")).toEqual({ signal: null, stdout: "allow" });
  });

  it("the last of 2,000 statements still grants", () => {
    const filler = Array.from({ length: 1999 }, (_, i) => ({ Sid: `S${i}`, Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::bucket-${i}/*` }));
    expect(judge([{ Version: V, Statement: [...filler, { Sid: "Last", Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: DB }] }], deleteProd())).toBe("allow");
  });
});

describe("adversarial: documents AWS refuses or cannot be read the same way fail closed (pinned, correct today)", () => {
  const s = (extra: Doc): Doc => ({ Version: V, Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*", ...extra }] });
  it.each<[string, unknown]>([
    ["Effect in lower case", s({ Effect: "allow" })],
    ["Effect with a Cyrillic o", s({ Effect: "All\u043ew" })],
    ["Effect with a trailing space", s({ Effect: "Allow " })],
    ["a nested Action list", s({ Action: [["s3:GetObject"]] })],
    ["a wildcard in the service prefix", s({ Action: "s*:GetObject" })],
    ["spaces around an action", s({ Action: " s3:GetObject " })],
    ["a statement element in lower case", { Version: V, Statement: [{ Effect: "Allow", action: "rds:*", Resource: "*" }] }],
    ["a top-level element in lower case", { version: V, Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }],
    ["a misspelt condition operator", s({ Condition: { StringEqual: { "aws:username": "a" } } })],
    ["a condition operator in lower case", s({ Condition: { stringequals: { "aws:username": "a" } } })],
    ["NullIfExists", s({ Condition: { NullIfExists: { "aws:username": "true" } } })],
    ["ForAnyValue:Null", s({ Condition: { "ForAnyValue:Null": { "aws:username": "true" } } })],
    ["a Principal in an identity policy", s({ Principal: "*" })],
    ["an empty Statement list", { Version: V, Statement: [] }],
    ["a null statement", { Version: V, Statement: [null] }],
    ["JSON text with a byte-order mark", `\uFEFF${JSON.stringify(s({}))}`],
    ["JSON text with a trailing comma", '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",}]}'],
  ])("%s: cannot-verify", (_what, document) => {
    expect(judge([document], deleteProd())).toBe("cannot-verify");
  });
});

describe("adversarial: what AWS does with the requests the bugs below hide (pinned, correct today)", () => {
  it("a production database that also carries team=payments is deletable under a team-scoped Allow (oracle agrees)", () => {
    const docs: Doc[] = [{ Version: V, Statement: [{ Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/team": "payments" } } }] }];
    const values = { "aws:ResourceTag/environment": "production", "aws:ResourceTag/team": "payments" };
    expect(judge(docs, deleteProd(values))).toBe("allow");
    expect(oracle(docs, "rds:DeleteDBInstance", DB, values)).toBe("Allowed");
  });

  it("the component RestoreRole may restore a point in time INTO the production identifier when the request tags it environment=restore", () => {
    const policy = restoreRolePermissionsPolicy({
      partition: "aws",
      accountId: ACCOUNT,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/restore`,
      productionDatabaseArns: [DB],
      restoreNamePrefix: "restore-",
      restoreTagKeys: ["environment", "restored-from", "incident"],
      backupServiceRoleArns: [],
      kmsKeyArns: [],
    });
    const call = restoreAuthorizations({
      action: "rds:RestoreDBInstanceToPointInTime",
      location: HERE,
      target: { name: "orders", requestTags: { environment: "restore" } },
      source: { name: "orders", tags: { environment: "production" } },
      optionGroup: { name: "default:postgres-16", tags: {} },
      parameterGroup: { name: "default.postgres16", tags: {} },
      subnetGroup: { name: "default", tags: {} },
    });
    const e = evaluateApiCall(compilePolicies([{ name: "restore", document: policy }]), call);
    expect(e.kind === "decided" ? [e.decision, e.mostRestrictive] : e.kind).toEqual(["allow", "allow"]);
    expect(e.kind === "decided" ? e.perResource.find((p) => p.role === "target DB instance")?.evaluation.allowedBy.map((m) => m.sid) : []).toEqual(["RestoreProductionRdsToPointInTime"]);
  });
});

describe("adversarial: fail-open cases found by review (fixed; each failed before its fix)", () => {
  // ---- Bug 1 (fixed): probes.ts tagContext declared every resource tag but the probed production tag ABSENT.
  // A production database may carry any other tags; an Allow scoped by another tag, or a Deny that
  // fires on "not tagged team=payments", is judged on a fiction.
  describe("probes declare a production resource's other tags absent", () => {
    it("an Allow scoped to team=payments may apply to a production database (some probe must be allowed)", () => {
      const docs = [{ Version: V, Statement: [{ Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/team": "payments" } } }] }];
      expect(probeDecisions(docs, { kind: "rds-instance", location: HERE }, "rds:DeleteDBInstance").allow ?? 0).toBeGreaterThan(0);
    });

    it("a Deny on everything not tagged team=payments does not protect a production database tagged team=payments", () => {
      const docs = [{ Version: V, Statement: [ADMIN_RDS, { Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { StringNotEquals: { "aws:ResourceTag/team": "payments" } } }] }];
      expect(probeDecisions(docs, { kind: "rds-instance", location: HERE }, "rds:DeleteDBInstance").allow ?? 0).toBeGreaterThan(0);
    });

    it("the rule fails a team-scoped admin role: production databases elsewhere in the account may be tagged team=payments", () => {
      const policy = { Version: V, Statement: [ADMIN_RDS, { Effect: "Deny", Action: "rds:*", Resource: "*", Condition: { StringNotEquals: { "aws:ResourceTag/team": "payments" } } }] };
      const fs = check([...productionData(), ...role("payments-admin", policy)]);
      expect(fs.map((f) => f.name)).toEqual(["payments-admin"]);
      expect(fs[0]?.message).toContain("rds:DeleteDBInstance on arn:aws:rds:*:111111111111:db:*");
    });
  });

  // ---- Bug 3 (fixed): principal-access.ts productionTargets gave the account-wide (by tag) targets the
  // principal's Region; an IAM principal acts in every Region of its account.
  it("an Allow to delete any database in another Region of the account is a violation", () => {
    const fs = check([...productionData(), ...role("eu-ops", allow("rds:DeleteDBInstance", `arn:aws:rds:eu-west-1:${ACCOUNT}:db:*`))]);
    expect(fs.map((f) => f.name)).toEqual(["eu-ops"]);
    expect(fs[0]?.message).toContain("rds:DeleteDBInstance on arn:aws:rds:*:111111111111:db:*");
  });

  // ---- Bug 4 (fixed): trust.ts tested MFA only for AWS and federated principals; a service principal in
  // its own statement (Lambda, EC2) assumed the break-glass role without MFA.
  describe("break-glass exemption with a service principal beside the MFA statement", () => {
    const trust = {
      Version: V,
      Statement: [...(mfaTrustPolicy([ONCALL], 900).Statement as object[]), { Sid: "LambdaToo", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    };

    it("the trust analysis reports the service principal as an MFA gap", () => {
      const a = analyzeTrustPolicy(trust, "glass");
      expect(a.kind === "analyzed" ? a.mfaGaps.length > 0 : a.kind).toBe(true);
    });

    it("the rule does not exempt the role", () => {
      const fs = check([...productionData(), ...role("glass", allow("rds:*"), { trust, tags: { [BREAK_GLASS_TAG.key]: BREAK_GLASS_TAG.value } })]);
      expect(fs.map((f) => f.name)).toEqual(["glass"]);
    });
  });

  // ---- Bug 7 (fixed in part): documents IAM refuses were decided as "no grant". Still open:
  // condition keys differing only in case in one block, and duplicate keys in JSON text; bugs 5-6
  // of this review (tag keys differing only in case, value spellings beyond the four probed) too:
  // docs/OPEN-GAPS.md.
  describe("documents IAM refuses are not decided", () => {
    it.each<[string, unknown, string]>([
      [
        "duplicate Sids",
        { Version: V, Statement: [{ Sid: "A", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }, { Sid: "A", Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: "*" }] },
        'Sid "A" names more than one statement; IAM requires each Sid of a policy to be unique',
      ],
      // IAM: "Statement IDs (SID) must be alpha-numeric" in identity policies.
      ["a Sid with a hyphen", { Version: V, Statement: [{ Sid: "read-only", Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: "*" }] }, 'Statement[0].Sid "read-only" is not alphanumeric, which IAM refuses in an identity policy'],
      // IAM API: PolicyDocument must match [\u0009\u000A\u000D\u0020-\u00FF]+.
      ["a character outside U+00FF (long s) in an action", { Version: V, Statement: [{ Effect: "Allow", Action: "rds:DeleteDBIn\u017ftance", Resource: "*" }] }, "the document holds the character U+017F, outside what the IAM API accepts (U+0020-U+00FF, tab and line breaks)"],
      ["a character outside U+00FF in a condition value", { Version: V, Statement: [{ Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/team": "paym\u0435nts" } } }] }, "the document holds the character U+0435, outside what the IAM API accepts (U+0020-U+00FF, tab and line breaks)"],
    ])("%s: cannot-verify, naming why", (_what, document, problem) => {
      expect(judge([document], deleteProd())).toBe("cannot-verify");
      const parsed = parsePolicyDocument(document);
      expect(parsed.ok ? [] : parsed.problems).toEqual([problem]);
    });

    it("a Sid with a hyphen is accepted in a trust policy, and unique Sids anywhere", () => {
      const trust = { Version: V, Statement: [{ Sid: "on-call", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:role/oncall" }, Action: "sts:AssumeRole" }] };
      expect(parsePolicyDocument(trust, { kind: "trust" }).ok).toBe(true);
      expect(parsePolicyDocument({ Version: V, Statement: [{ Sid: "A1", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }, { Sid: "A2", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }).ok).toBe(true);
    });
  });

  // ---- Bug 8 (fixed, lib/glob.ts): evaluate.ts / resource-match.ts compiled globs to
  // backtracking regexes: `rds:*?*?...*?Z` takes exponential time (n=12: ~4 s, doubling per `*?`).
  // Run in a child process so a hang is killed; the guard is generous and only catches a hang.
  it("an Action of 40 `*?` pairs is answered (no catastrophic backtracking)", () => {
    expect(evaluateActionInChild("rds:" + "*?".repeat(40) + "Z")).toEqual({ signal: null, stdout: "implicit-deny" });
  });
});
