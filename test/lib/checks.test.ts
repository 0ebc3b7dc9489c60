/**
 * The shared property checks (policies/lib/checks.ts), exactly: each state of a reading (known,
 * absent, unknown until deployment, wrong type) gives one outcome and one message, the
 * ignoreChanges path parser agrees with the engine's grammar, and only a real source identifier
 * makes a read replica.
 */
import { UNKNOWN } from "../../guard/wire";
import { ignoresProperty, isReadReplica, isSet, parsePropertyPath, requireAtLeast, requireBoolean, requireNonEmptyString } from "../../policies/lib/checks";
import { unwrapProperties } from "../../policies/lib/properties";
import { resourceView } from "../helpers/resource-view";

const RDS = "aws:rds/instance:Instance";
const ADVICE = { why: "because.", fix: "set it." };
const view = (props: Record<string, unknown>) => resourceView({ type: RDS, name: "orders", props });
const said = (problem: string) => `RDS instance "orders": ${problem}. Why it matters: because. Fix: set it.`;
const deferredOn = (path: string) => ({
  deferred: true,
  urn: undefined,
  name: "orders",
  message: `RDS instance "orders": ${path} is unknown until deployment; this check runs again with the real value at \`pulumi up\`.`,
});
const messages = (findings: Array<{ message: string }>) => findings.map((f) => f.message);

describe("requireBoolean", () => {
  const check = (props: Record<string, unknown>, absentMeans = false) => requireBoolean(view(props), "deletionProtection", true, absentMeans, ADVICE);

  test("the expected value passes, the other is named", () => {
    expect(check({ deletionProtection: true })).toEqual([]);
    expect(messages(check({ deletionProtection: false }))).toEqual([said("deletionProtection is false")]);
  });

  test("absent is judged as AWS's default", () => {
    expect(messages(check({}))).toEqual([said("deletionProtection is not set (AWS then uses false)")]);
    expect(check({}, true)).toEqual([]);
  });

  test("unknown is deferred; a wrong type is named with its value", () => {
    expect(check({ deletionProtection: UNKNOWN.bool })).toEqual([deferredOn("deletionProtection")]);
    expect(messages(check({ deletionProtection: "maybe" }))).toEqual([said('deletionProtection is "maybe", not a boolean')]);
  });
});

describe("requireAtLeast", () => {
  const check = (props: Record<string, unknown>, absentMeans?: number) => requireAtLeast(view(props), "backupRetentionPeriod", 7, absentMeans, "days", ADVICE);

  test("the floor itself passes; below it is named with both numbers", () => {
    expect(check({ backupRetentionPeriod: 7 })).toEqual([]);
    expect(check({ backupRetentionPeriod: 35 })).toEqual([]);
    expect(messages(check({ backupRetentionPeriod: 6 }))).toEqual([said("backupRetentionPeriod is 6 days, below the floor of 7 days")]);
  });

  test("absent passes only when AWS's default reaches the floor", () => {
    expect(check({}, 7)).toEqual([]);
    expect(check({}, 8)).toEqual([]);
    expect(messages(check({}, 1))).toEqual([said("backupRetentionPeriod is not set (AWS then uses 1 days), below the floor of 7 days")]);
    expect(messages(check({}))).toEqual([said("backupRetentionPeriod is not set, below the floor of 7 days")]);
  });

  test("unknown is deferred; a wrong type is named", () => {
    expect(check({ backupRetentionPeriod: UNKNOWN.number })).toEqual([deferredOn("backupRetentionPeriod")]);
    expect(messages(check({ backupRetentionPeriod: "two weeks" }))).toEqual([said('backupRetentionPeriod is "two weeks", not a number')]);
    expect(messages(check({ backupRetentionPeriod: [14] }))).toEqual([said("backupRetentionPeriod is [14], not a number")]);
  });
});

describe("requireNonEmptyString", () => {
  const check = (props: Record<string, unknown>) => requireNonEmptyString(view(props), "finalSnapshotIdentifier", ADVICE);

  test("a name passes; absent, empty and blank are named", () => {
    expect(check({ finalSnapshotIdentifier: "orders-final" })).toEqual([]);
    expect(messages(check({}))).toEqual([said("finalSnapshotIdentifier is not set")]);
    expect(messages(check({ finalSnapshotIdentifier: "" }))).toEqual([said("finalSnapshotIdentifier is empty")]);
    expect(messages(check({ finalSnapshotIdentifier: "  " }))).toEqual([said("finalSnapshotIdentifier is empty")]);
  });

  test("unknown is deferred; a value of another type is named", () => {
    expect(check({ finalSnapshotIdentifier: UNKNOWN.string })).toEqual([deferredOn("finalSnapshotIdentifier")]);
    expect(messages(check({ finalSnapshotIdentifier: 14 }))).toEqual([said("finalSnapshotIdentifier is 14, not a string")]);
    expect(messages(check({ finalSnapshotIdentifier: true }))).toEqual([said("finalSnapshotIdentifier is true, not a string")]);
  });
});

describe("isSet", () => {
  test.each([
    [{ p: "x" }, "yes"],
    [{ p: 0 }, "yes"],
    [{ p: true }, "yes"],
    [{ p: {} }, "yes"],
    [{ p: "" }, "no"],
    [{ p: false }, "no"],
    [{}, "no"],
    [{ p: UNKNOWN.string }, "unknown"],
  ])("%j is %s", (props, expected) => {
    expect(isSet(unwrapProperties(props), "p")).toBe(expected);
  });
});

describe("parsePropertyPath (the engine's ParsePropertyPath grammar)", () => {
  test.each([
    ["a", ["a"]],
    ["a.b", ["a", "b"]],
    ["..a", ["a"]],
    ["a[0].b", ["a", 0, "b"]],
    ["a[12]", ["a", 12]],
    ["a[+3]", ["a", 3]],
    ["a[-2]", ["a", -2]],
    ["a[*]", ["a", "*"]],
    ["*", ["*"]],
    ['["a.b"]', ["a.b"]],
    ['["a"].b', ["a", "b"]],
    ['["a"][1]', ["a", 1]],
    ['["*"]', ["*"]],
    ['["say \\"hi\\""]', ['say "hi"']],
    ['["back\\slash"]', ["back\\slash"]],
    ['[""]', [""]],
    ["", []],
  ])("%s parses as %j", (entry, expected) => {
    expect(parsePropertyPath(entry)).toEqual(expected);
  });

  test.each([
    '["unclosed',
    '["a"',
    '["a"x',
    '["a\\"]',
    "a[",
    "a[12",
    "a[]",
    "a[1a]",
    "a[b]",
    "a[1.5]",
    "[ 1]",
  ])("%s is refused", (entry) => {
    expect(parsePropertyPath(entry)).toBeUndefined();
  });
});

describe("ignoresProperty", () => {
  test.each([
    [["skipFinalSnapshot"], true],
    [['["skipFinalSnapshot"]'], true],
    [["skipFinalSnapshot[*]"], true],
    [["skipFinalSnapshot.*"], true],
    [["*"], true],
    [["[*]"], true],
    [["tags", "skipFinalSnapshot"], true],
    [["skipFinalSnapshot.x"], false],
    [["skipFinalSnapshot[0]"], false],
    [["skipFinalSnapshot.*.x"], false],
    [["*.skipFinalSnapshot"], false],
    [["*.*"], false],
    [["tags"], false],
    [["skipFinalSnapshotX"], false],
    [['["skipFinalSnapshot'], false],
    [[""], false],
    [[], false],
  ])("%j covers skipFinalSnapshot: %s", (entries, expected) => {
    expect(ignoresProperty(entries, "skipFinalSnapshot")).toBe(expected);
  });
});

describe("isReadReplica", () => {
  test.each([
    [{ replicateSourceDb: "orders-primary" }, "yes"],
    [{ replicationSourceIdentifier: "arn:aws:rds:us-east-1:111111111111:cluster:orders" }, "yes"],
    [{ replicateSourceDb: "", replicationSourceIdentifier: "orders" }, "yes"],
    [{}, "no"],
    [{ replicateSourceDb: "" }, "no"],
    [{ replicateSourceDb: "   " }, "no"],
    [{ replicateSourceDb: 14 }, "no"],
    [{ replicateSourceDb: { id: "orders" } }, "no"],
    [{ replicateSourceDb: UNKNOWN.string }, "unknown"],
    [{ replicateSourceDb: "", replicationSourceIdentifier: UNKNOWN.string }, "unknown"],
    [{ replicateSourceDb: "orders", replicationSourceIdentifier: UNKNOWN.string }, "yes"],
  ])("%j: %s", (props, expected) => {
    expect(isReadReplica(view(props))).toBe(expected);
  });
});
