/**
 * The crashes and silent passes the fuzz found, one test each, so they stay fixed whatever the
 * seed. Each case is what the fuzz reported, reduced by hand.
 */
import { Secret } from "@pulumi/policy";
import { ignoresProperty, parsePropertyPath } from "../../policies/lib/checks";
import { describeValue, readNumber, readRaw, toObject, unwrapProperties } from "../../policies/lib/properties";
import { toResourcePolicy } from "../../policies/lib/rule";
import { settingsConfigProblems } from "../../policies/lib/settings";
import { prodDbBackupRetention } from "../../policies/rules/prod-db-backup-retention";
import { prodDbDeletionProtection } from "../../policies/rules/prod-db-deletion-protection";
import { prodDbEncrypted } from "../../policies/rules/prod-db-encrypted";
import { prodDbFinalSnapshot } from "../../policies/rules/prod-db-final-snapshot";
import { prodDbNoIgnoredGuardrails } from "../../policies/rules/prod-db-no-ignored-guardrails";
import { iamNoProdDbDestruction } from "../../policies/rules/iam-no-prod-db-destruction";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { resourceView } from "../helpers/resource-view";
import { stackView } from "../helpers/stack-view";
import { productionData, role } from "../iam/iam-stacks";
import { type Violation, resourceArgs } from "./policy-args";

const RDS = "aws:rds/instance:Instance";
const PROD = { environment: "production" };
const goodRds = { tags: PROD, deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "orders-final", deleteAutomatedBackups: false, backupRetentionPeriod: 14, storageEncrypted: true };

function validate(rule: Parameters<typeof toResourcePolicy>[0], props: Record<string, unknown>, delivery: "wire" | "raw" = "wire"): Violation[] {
  const { args, violations, report } = resourceArgs({ type: RDS, name: "orders", props, protect: true }, { stack: "dev", delivery });
  (toResourcePolicy(rule).validateResource as (a: typeof args, r: typeof report) => void)(args, report);
  return violations;
}

describe("regressions found by fuzzing", () => {
  test("a bag whose own keys spell @pulumi/policy's proxy markers cannot substitute another bag", () => {
    const smuggled = { ...goodRds, deletionProtection: false, __isSpecialProxy: true, __getSpecialProxyTarget: goodRds };
    expect(validate(prodDbDeletionProtection, smuggled).map((v) => v.message)).toEqual([expect.stringContaining("deletionProtection is false")]);
    expect(unwrapProperties(smuggled)).toBe(smuggled);
  });

  test.each([[14], [{}], [[]], [true], [{ arn: "x" }]])("a read-replica source of the wrong type (%j) exempts nothing", (source) => {
    const view = resourceView({ type: RDS, props: { tags: PROD, replicateSourceDb: source } });
    expect(prodDbEncrypted.check(view, {}, undefined as never).map((f) => f.message)).toEqual([expect.stringContaining("storageEncrypted is not set")]);
    expect(prodDbFinalSnapshot.check(view, {}, undefined as never)).toHaveLength(2); // finalSnapshotIdentifier, deleteAutomatedBackups
    expect(prodDbBackupRetention.check(view, {}, undefined as never)).toHaveLength(1);
  });

  test("a read replica named by a source identifier is still excepted", () => {
    const view = resourceView({ type: RDS, props: { tags: PROD, replicateSourceDb: new Secret("orders-primary") } });
    expect(prodDbEncrypted.check(view, {}, undefined as never)).toEqual([]);
  });

  test.each(['["deletionProtection"]', ".deletionProtection", '["deletionProtection"].x', "[*]", '["*"]', "*"])("ignoreChanges %s is seen to cover a guardrail", (entry) => {
    const view = resourceView({ type: RDS, props: goodRds, ignoreChanges: [entry] });
    expect(prodDbNoIgnoredGuardrails.check(view, {}, undefined as never)).toHaveLength(1);
  });

  test("ignoreChanges paths parse as the engine parses them", () => {
    expect(parsePropertyPath('["a.b"].c[0][*]')).toEqual(["a.b", "c", 0, "*"]);
    expect(parsePropertyPath('["unclosed')).toBeUndefined();
    expect(ignoresProperty(['["snapshotIdentifier"]'], "snapshotIdentifier")).toBe(true);
    expect(ignoresProperty(["snapshotIdentifier.restoreTime"], "snapshotIdentifier")).toBe(false);
  });

  test("a guardrail holding a 5,000-deep list or a cyclic object is reported, not thrown", () => {
    let deep: unknown = false;
    for (let i = 0; i < 5_000; i++) deep = [deep];
    const cyclic: Record<string, unknown> = { toString: 5 };
    cyclic.self = cyclic;
    expect(describeValue(deep)).toBe("a list of 1");
    expect(describeValue(cyclic)).toBe("an object that is not JSON");
    for (const value of [deep, cyclic]) {
      expect(validate(prodDbFinalSnapshot, { ...goodRds, skipFinalSnapshot: value }, "raw").map((v) => v.message)).toEqual([expect.stringContaining("not a boolean")]);
    }
  });

  test('numbers in text are read only in decimal: "0x10" days of retention is not 16', () => {
    expect(readNumber({ n: "0x10" }, "n").state).toBe("invalid");
    expect(readNumber({ n: " 35 " }, "n")).toEqual({ state: "known", value: 35 });
    expect(validate(prodDbBackupRetention, { ...goodRds, backupRetentionPeriod: "0x10" }).map((v) => v.message)).toEqual([expect.stringContaining('backupRetentionPeriod is "0x10", not a number')]);
  });

  test("inherited properties are not settings, and a __proto__ key stays a key", () => {
    expect(readRaw({}, "constructor")).toEqual({ state: "absent" });
    const parsed = toObject('{"__proto__": {"environment": "production"}}');
    expect(parsed.state === "known" && Object.keys(parsed.value)).toEqual(["__proto__"]);
  });

  test("a resource whose properties cannot be read is reported, not thrown out of the validation", () => {
    const props = {};
    Object.defineProperty(props, "tags", { enumerable: true, get: () => { throw new Error("unreadable"); } });
    expect(validate(prodDbDeletionProtection, props, "raw").map((v) => v.message)).toEqual([expect.stringContaining("failed to evaluate (unreadable)")]);
  });

  test("an unusable minBackupRetentionDays is reported and the default floor applies", () => {
    const view = resourceView({ type: RDS, props: { ...goodRds, backupRetentionPeriod: 3 } });
    for (const bad of ["many", -5, 0, null, Number.NaN]) {
      const messages = prodDbBackupRetention.check(view, { minBackupRetentionDays: bad as never }, undefined as never).map((f) => f.message);
      expect(messages).toEqual([expect.stringContaining("minBackupRetentionDays is"), expect.stringContaining("below the floor of 14 days")]);
    }
  });

  test("wrong-typed or misspelt shared settings are named", () => {
    expect(settingsConfigProblems({ productionStacks: ["prod"], productionTags: { env: ["prod"] }, productionAccountIds: [], breakGlassTag: { key: "k", value: "v" }, waivers: [] })).toEqual([]);
    expect(settingsConfigProblems({ productionAccountIds: "111111111111", productionTags: { env: [] }, breakGlassTag: { key: "" }, waivers: {}, productionStack: ["x"] })).toEqual([
      expect.stringContaining("productionAccountIds is"),
      expect.stringContaining("productionTags is"),
      expect.stringContaining("breakGlassTag is"),
      expect.stringContaining("waivers is"),
      expect.stringContaining('no setting "productionStack"'),
    ]);
    expect(settingsConfigProblems("all")).toHaveLength(1);
  });

  describe("an IAM policy document given as an object that is not JSON", () => {
    // Found by the long fuzz run (seed 7, case 108): a cyclic object under `policy` made the
    // document walk visit 2^30 paths and exhausted the heap. Each object is now walked once.
    function findings(document: unknown) {
      const [roleSpec, policySpec] = role("app", { Version: "2012-10-17", Statement: [] });
      const resources = [...productionData(), roleSpec!, { ...policySpec!, props: { ...policySpec!.props, policy: document } }];
      return iamNoProdDbDestruction.check(stackView({ resources }), {}, DEFAULT_SETTINGS as SharedSettings).map((f) => f.message);
    }

    test("a document that contains itself is a violation naming the cycle, found at once", () => {
      const cyclic: Record<string, unknown> = { Version: "2012-10-17" };
      cyclic.Statement = [cyclic, cyclic];
      cyclic.Condition = { a: cyclic, b: cyclic };
      expect(findings(cyclic)).toEqual([expect.stringMatching(/^IAM role "app": its permissions cannot be verified: RolePolicy "app-permissions": policy contains itself \(a reference cycle\), so it is not a JSON policy document/)]);
    });

    test("a document nested deeper than any IAM document can be is a violation", () => {
      let deep: unknown = "rds:*";
      for (let i = 0; i < 5_000; i++) deep = [deep];
      expect(findings({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: deep, Resource: "*" }] })).toEqual([expect.stringContaining("is nested more than 32 levels deep")]);
    });

    test("a member shared by many paths is read once and judged like its JSON copy", () => {
      const actions = ["rds:DeleteDBInstance"]; // one array object in both statements
      const twice = { Version: "2012-10-17", Statement: [{ Sid: "One", Effect: "Allow", Action: actions, Resource: "*" }, { Sid: "Two", Effect: "Allow", Action: actions, Resource: "*" }] };
      const asJson = findings(JSON.parse(JSON.stringify(twice)));
      expect(asJson).toEqual([expect.stringContaining('granted by statement "One" (#1) of RolePolicy "app-permissions" and statement "Two" (#2)')]);
      expect(findings(twice)).toEqual(asJson);
      // 2^25 paths to one leaf: walked path by path this would not end.
      let shared: unknown = { leaf: "x" };
      for (let i = 0; i < 25; i++) shared = { left: shared, right: shared };
      expect(findings({ ...twice, Extra: shared })).toEqual(findings({ ...twice, Extra: {} }));
      expect(findings({ ...twice, Extra: {} })).toEqual([expect.stringContaining('unknown element "Extra"')]);
    });
  });
});
