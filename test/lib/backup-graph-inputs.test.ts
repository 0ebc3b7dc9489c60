/**
 * The backup graph and the recovery sources against every shape a property can arrive in: wrong
 * types, values unknown until deployment, secrets, JSON strings, single blocks instead of lists,
 * absent values, and the boundaries of each comparison. Each malformed input has its own case and
 * the exact note, reading or reason it produces; the helpers the rules share are pinned down with
 * exact values too, so that a changed word or operator fails a test.
 */
import { globMatches } from "../../policies/lib/glob";
import { Secret } from "@pulumi/policy";
import { UNKNOWN } from "../../guard/wire";
import {
  ArnPatternIndex,
  type ArnListView,
  type BackupGraph,
  type DatabaseNode,
  type Location,
  type PlanReference,
  type PlanRuleNode,
  type SelectionNode,
  type TagCondition,
  type TagReading,
  type VaultReference,
  arnListMatches,
  buildBackupGraph,
  conditionsMatch,
  describeLocation,
  describePlanReference,
  describeTagCondition,
  describeVaultReference,
  effectiveTags,
  evaluateTagCondition,
  isInScope,
  locationOf,
  matchArnPattern,
  parseArn,
  partitionOf,
  planLabel,
  productionDatabases,
  resourceTagKey,
  sameAccount,
  sameLocation,
  sameRegion,
  supportsContinuousBackup,
  triAnd,
  triNot,
  triOr,
  unresolvedUnknownEntries,
} from "../../policies/lib/backup-graph";
import { type DatabaseRecovery, recoveryByDatabase, rpoStatus, snapshotRuleLabel } from "../../policies/lib/recovery";
import { describeValue } from "../../policies/lib/properties";
import type { ResourceView } from "../../policies/lib/rule";
import {
  ACCOUNT,
  CLUSTER,
  EVENTS,
  LOCK,
  OTHER_ACCOUNT,
  PLAN,
  PROD,
  RDS,
  RT_PLAN,
  RT_SELECTION,
  SELECTION,
  type StackResourceSpec,
  TABLE,
  VAULT,
  backedUp,
  prodRds,
  stackView,
} from "../helpers/stack-view";

const ORDERS_ARN = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`;
const NEITHER = "it has neither resources nor selectionTags, which AWS Backup refuses (conditions alone select nothing)";
const FROM = new Date("2026-01-05T00:00:00Z");

type Providers = Record<string, Record<string, unknown>>;

function graphOf(resources: StackResourceSpec[], providers?: Providers, scope?: "production" | "all"): BackupGraph {
  return buildBackupGraph(stackView({ resources, providers }), scope ? { scope } : {});
}

function viewOf(resources: StackResourceSpec[], name: string, providers?: Providers): ResourceView {
  const view = stackView({ resources, providers }).resources.find((r) => r.name === name);
  if (!view) throw new Error(`no resource ${name}`);
  return view;
}

function dbOf(g: BackupGraph, name: string): DatabaseNode {
  const db = g.databases.find((d) => d.view.name === name);
  if (!db) throw new Error(`no database ${name}`);
  return db;
}

function selectionOf(g: BackupGraph, name = "selection"): SelectionNode {
  const s = g.selections.find((x) => x.view.name === name);
  if (!s) throw new Error(`no selection ${name}`);
  return s;
}

/** The coverage of one database, with selections by name. */
function coverageOf(g: BackupGraph, db: string): { matches: { selection: string; certainty: string; reason: string }[]; misses: string[] } {
  const entry = [...g.coverage.values()].find((c) => c.database.view.name === db);
  if (!entry) throw new Error(`no coverage for ${db}`);
  return { matches: entry.matches.map((m) => ({ selection: m.selection.view.name, certainty: m.certainty, reason: m.reason })), misses: entry.misses };
}

/** "yes" / "unknown" for the selection named, "no" when it does not select the database. */
function selectedBy(g: BackupGraph, db: string, selection = "selection"): string {
  return coverageOf(g, db).matches.find((m) => m.selection === selection)?.certainty ?? "no";
}

function refSummary(ref: VaultReference): unknown {
  return ref.state === "in-stack" ? { state: ref.state, vaults: ref.vaults.map((v) => v.view.name), how: ref.how } : ref;
}

function ruleSummary(r: PlanRuleNode): unknown {
  return {
    index: r.index,
    name: r.name,
    schedule: r.schedule,
    timezone: r.timezone,
    startWindow: r.startWindow,
    continuous: r.continuous,
    target: refSummary(r.target),
    copies: r.copies.map(refSummary),
    copiesUnknown: r.copiesUnknown,
  };
}

function planRefSummary(ref: PlanReference): unknown {
  return ref.state === "in-stack" ? { state: ref.state, plan: ref.plan.view.name } : ref;
}

function vault(name: string, props: Record<string, unknown> = {}, provider?: string): StackResourceSpec {
  return { type: VAULT, name, props: { name, ...props }, ...(provider ? { provider } : {}) };
}

function planWith(name: string, rules: unknown, deps: string[] = []): StackResourceSpec {
  return { type: PLAN, name, props: { name, rules }, propertyDependencies: deps.length > 0 ? { rules: deps } : {} };
}

function selection(props: Record<string, unknown>, propertyDependencies: Record<string, string[]> = { planId: ["plan"] }, name = "selection"): StackResourceSpec {
  return { type: SELECTION, name, props: { planId: UNKNOWN.string, iamRoleArn: "arn:aws:iam::111111111111:role/b", ...props }, propertyDependencies };
}

const plan: StackResourceSpec = planWith("plan", [{ ruleName: "daily", targetVaultName: "vault", schedule: "cron(0 5 ? * * *)" }]);

const loc = (region: string | undefined, account: string | undefined, regionSource = "provider p", accountSource = "provider p"): Location => ({ region, account, regionSource, accountSource });

// ---------------------------------------------------------------------------------------------

describe("three-valued helpers", () => {
  it("triOr: yes wins, then unknown, otherwise no (no for nothing at all)", () => {
    expect(triOr("no", "unknown", "yes")).toBe("yes");
    expect(triOr("unknown", "yes")).toBe("yes");
    expect(triOr("no", "unknown")).toBe("unknown");
    expect(triOr("no", "no")).toBe("no");
    expect(triOr()).toBe("no");
  });
  it("triAnd: no wins, then unknown, otherwise yes (yes for nothing at all)", () => {
    expect(triAnd("yes", "unknown", "no")).toBe("no");
    expect(triAnd("unknown", "no")).toBe("no");
    expect(triAnd("yes", "unknown")).toBe("unknown");
    expect(triAnd("yes", "yes")).toBe("yes");
    expect(triAnd()).toBe("yes");
  });
  it("triNot swaps yes and no and keeps unknown", () => {
    expect([triNot("yes"), triNot("no"), triNot("unknown")]).toEqual(["no", "yes", "unknown"]);
  });
});

describe("ARNs, partitions and locations", () => {
  it("gives each Region prefix its partition, and aws for everything else", () => {
    expect(partitionOf("cn-north-1")).toBe("aws-cn");
    expect(partitionOf("us-gov-west-1")).toBe("aws-us-gov");
    expect(partitionOf("us-isob-east-1")).toBe("aws-iso-b");
    expect(partitionOf("us-iso-east-1")).toBe("aws-iso");
    expect(partitionOf("eu-isoe-west-1")).toBe("aws-iso-e");
    expect(partitionOf("us-east-1")).toBe("aws");
    // Prefixes, not substrings.
    expect(partitionOf("xcn-north-1")).toBe("aws");
    expect(partitionOf("eu-us-gov-1")).toBe("aws");
  });

  it("parses arn:partition:service:region:account:resource, keeping colons in the resource", () => {
    expect(parseArn(ORDERS_ARN)).toEqual({ partition: "aws", service: "rds", region: "us-east-1", account: ACCOUNT, resource: "db:orders" });
    expect(parseArn("arn:aws:backup:us-west-2:222222222222:backup-vault:dr:x")).toEqual({ partition: "aws", service: "backup", region: "us-west-2", account: "222222222222", resource: "backup-vault:dr:x" });
    // Exactly six parts is enough; empty Region and account are allowed.
    expect(parseArn("arn:aws:s3:::bucket")).toEqual({ partition: "aws", service: "s3", region: "", account: "", resource: "bucket" });
  });

  it("refuses text that is not an ARN", () => {
    expect(parseArn("arn:aws:s3::bucket")).toBeUndefined(); // five parts
    expect(parseArn("ARN:aws:rds:us-east-1:1:db:x")).toBeUndefined();
    expect(parseArn("arn::rds:us-east-1:1:db:x")).toBeUndefined();
    expect(parseArn("arn:aws::us-east-1:1:db:x")).toBeUndefined();
    expect(parseArn("orders")).toBeUndefined();
  });

  it("describes a location, with placeholders for what is unknown", () => {
    expect(describeLocation(loc("us-east-1", ACCOUNT))).toBe("us-east-1/111111111111");
    expect(describeLocation(loc(undefined, undefined))).toBe("(region unknown)/(account unknown)");
  });

  it("compares known Regions and accounts by value, unknown ones by what decides them", () => {
    expect(sameRegion(loc("us-east-1", undefined, "a"), loc("us-east-1", undefined, "b"))).toBe("yes");
    expect(sameRegion(loc("us-east-1", undefined, "a"), loc("eu-west-1", undefined, "a"))).toBe("no");
    expect(sameRegion(loc("us-east-1", undefined, "a"), loc(undefined, undefined, "a"))).toBe("yes");
    expect(sameRegion(loc(undefined, undefined, "a"), loc("us-east-1", undefined, "b"))).toBe("unknown");
    expect(sameRegion(loc(undefined, undefined, "a"), loc(undefined, undefined, "b"))).toBe("unknown");
    expect(sameAccount(loc(undefined, ACCOUNT, "r", "a"), loc(undefined, ACCOUNT, "r", "b"))).toBe("yes");
    expect(sameAccount(loc(undefined, ACCOUNT, "r", "a"), loc(undefined, OTHER_ACCOUNT, "r", "a"))).toBe("no");
    expect(sameAccount(loc(undefined, ACCOUNT, "r", "a"), loc(undefined, undefined, "r", "a"))).toBe("yes");
    expect(sameAccount(loc(undefined, undefined, "r", "a"), loc(undefined, ACCOUNT, "r", "b"))).toBe("unknown");
    expect(sameLocation(loc("us-east-1", ACCOUNT), loc("us-east-1", OTHER_ACCOUNT))).toBe("no");
    expect(sameLocation(loc("us-east-1", ACCOUNT, "a", "a"), loc("us-east-1", undefined, "b", "b"))).toBe("unknown");
    expect(sameLocation(loc("us-east-1", ACCOUNT), loc("us-east-1", ACCOUNT, "b", "b"))).toBe("yes");
  });

  it("reads the resource's own Region (trimmed), an unknown one as its own source, a blank or wrong-typed one as absent", () => {
    const resources: StackResourceSpec[] = [
      prodRds("padded", { region: " eu-west-1 " }),
      prodRds("blank", { region: "  " }),
      prodRds("typed", { region: 42 }),
      prodRds("unknown", { region: UNKNOWN.string }),
    ];
    const providerUrn = "urn:pulumi:dev::proj::pulumi:providers:aws::default_7_48_0";
    expect(locationOf(viewOf(resources, "padded"))).toEqual({ region: "eu-west-1", account: ACCOUNT, regionSource: "region eu-west-1", accountSource: `provider ${providerUrn}` });
    expect(locationOf(viewOf(resources, "blank"))).toEqual({ region: "us-east-1", account: ACCOUNT, regionSource: `provider ${providerUrn}`, accountSource: `provider ${providerUrn}` });
    expect(locationOf(viewOf(resources, "typed"))).toEqual({ region: "us-east-1", account: ACCOUNT, regionSource: `provider ${providerUrn}`, accountSource: `provider ${providerUrn}` });
    expect(locationOf(viewOf(resources, "unknown"))).toEqual({
      account: ACCOUNT,
      regionSource: "resource urn:pulumi:dev::proj::aws:rds/instance:Instance::unknown",
      accountSource: `provider ${providerUrn}`,
    });
  });

  it("takes the provider's Region only when it is a non-blank string", () => {
    const resources = [prodRds("a")];
    const at = (region: unknown) => locationOf(viewOf(resources, "a", { default_7_48_0: { region } })).region;
    expect(at(" us-west-2 ")).toBe("us-west-2");
    expect(at("   ")).toBeUndefined();
    expect(at(7)).toBeUndefined();
    expect(at(UNKNOWN.string)).toBeUndefined();
  });

  it("takes the account from allowedAccountIds only when exactly one valid id remains", () => {
    const resources = [prodRds("a")];
    const account = (allowedAccountIds: unknown) => locationOf(viewOf(resources, "a", { default_7_48_0: { region: "us-east-1", allowedAccountIds } })).account;
    expect(account([ACCOUNT])).toBe(ACCOUNT);
    expect(account(JSON.stringify([ACCOUNT]))).toBe(ACCOUNT);
    expect(account([` ${ACCOUNT} `, ACCOUNT])).toBe(ACCOUNT);
    expect(account([ACCOUNT, "12345", "abcdefghijkl", "1111111111111"])).toBe(ACCOUNT);
    expect(account([ACCOUNT, OTHER_ACCOUNT])).toBeUndefined();
    expect(account(["12345678901"])).toBeUndefined();
    expect(account([UNKNOWN.string])).toBeUndefined();
    expect(account(UNKNOWN.array)).toBeUndefined();
    expect(account(42)).toBeUndefined();
  });

  it("lets a parseable ARN decide Region and account, part by part", () => {
    const resources: StackResourceSpec[] = [
      prodRds("full", { arn: "arn:aws:rds:ap-south-1:333333333333:db:full" }),
      prodRds("no-region", { arn: "arn:aws:rds::333333333333:db:x" }),
      prodRds("no-account", { arn: "arn:aws:rds:ap-south-1::db:x" }),
      prodRds("garbage", { arn: "not-an-arn" }),
      prodRds("unknown", { arn: UNKNOWN.string }),
    ];
    const p = "provider urn:pulumi:dev::proj::pulumi:providers:aws::default_7_48_0";
    expect(locationOf(viewOf(resources, "full"))).toEqual({ region: "ap-south-1", account: "333333333333", regionSource: "region ap-south-1", accountSource: "account 333333333333" });
    expect(locationOf(viewOf(resources, "no-region"))).toEqual({ region: "us-east-1", account: "333333333333", regionSource: p, accountSource: "account 333333333333" });
    expect(locationOf(viewOf(resources, "no-account"))).toEqual({ region: "ap-south-1", account: ACCOUNT, regionSource: "region ap-south-1", accountSource: p });
    expect(locationOf(viewOf(resources, "garbage"))).toEqual({ region: "us-east-1", account: ACCOUNT, regionSource: p, accountSource: p });
    expect(locationOf(viewOf(resources, "unknown"))).toEqual({ region: "us-east-1", account: ACCOUNT, regionSource: p, accountSource: p });
  });

  it("names the default provider when the view has none", () => {
    const view = { ...viewOf([prodRds("a")], "a"), provider: undefined };
    expect(locationOf(view)).toEqual({ regionSource: "provider (default provider)", accountSource: "provider (default provider)" });
  });
});

describe("ARN patterns", () => {
  it("matches * over any characters (newlines and colons too), everything else literally and case-sensitively", () => {
    expect(globMatches("a*c", "abc")).toBe(true);
    expect(globMatches("a*c", "ac")).toBe(true);
    expect(globMatches("a*c", "a:b:c")).toBe(true);
    expect(globMatches("a*", "a\nb")).toBe(true);
    expect(globMatches("a*c", "abd")).toBe(false);
    expect(globMatches("a*c", "xabc")).toBe(false);
    expect(globMatches("a*c", "abcx")).toBe(false);
    expect(globMatches("A*", "abc")).toBe(false);
    expect(globMatches("a.c", "abc")).toBe(false);
    expect(globMatches("a.c", "a.c")).toBe(true);
    expect(globMatches("db(1)+[x]?{2}|$^\\", "db(1)+[x]?{2}|$^\\")).toBe(true);
    expect(globMatches("db(1)+", "db11")).toBe(false);
    // Same pattern again (from the cache), same answers.
    expect(globMatches("a*c", "abc")).toBe(true);
    expect(globMatches("a*c", "abd")).toBe(false);
  });

  it("treats an unknown part as non-empty text without ':', swallowed for sure only by a *", () => {
    expect(matchArnPattern("*", [undefined])).toBe("yes");
    expect(matchArnPattern("abc", [undefined])).toBe("unknown");
    expect(matchArnPattern("a:b", [undefined])).toBe("no");
    expect(matchArnPattern("", [undefined])).toBe("no");
    expect(matchArnPattern("a*", ["a", undefined])).toBe("yes");
    expect(matchArnPattern("a", ["a", undefined])).toBe("no");
    expect(matchArnPattern("ab", ["a", undefined])).toBe("unknown");
    expect(matchArnPattern("a:", ["a", undefined])).toBe("no");
    expect(matchArnPattern("x*", ["a", undefined])).toBe("no");
    expect(matchArnPattern("a*:x", ["a", undefined, ":x"])).toBe("yes");
    expect(matchArnPattern("ab:x", ["a", undefined, ":x"])).toBe("unknown");
    expect(matchArnPattern("ab:y", ["a", undefined, ":x"])).toBe("no");
    expect(matchArnPattern("*b", [undefined, "b"])).toBe("yes");
    expect(matchArnPattern("*b", [undefined, "c"])).toBe("no");
    expect(matchArnPattern("a*b*c", ["a", undefined, "b", undefined, "c"])).toBe("yes");
    expect(matchArnPattern("a*bc", ["a", undefined, "b"])).toBe("no");
  });

  it("indexes patterns by literal prefix and returns every one that can match, once", () => {
    const index = new ArnPatternIndex<string>();
    index.add("arn:aws:rds:us-east-1:1:db:orders", "exact");
    index.add("arn:aws:rds:*", "rds");
    index.add("*", "all");
    index.add("arn:aws:dynamodb:*", "dynamodb");
    index.add("arn:aws:rds:us-east-1:1:db:ord*", "ord");
    index.add("arn:aws:rds:us-east-1:1:db:*", "db");
    index.add("arn:aws:a:*", "before");
    index.add("arn:aws:z:*", "after");
    const sorted = (items: string[]) => [...items].sort();
    expect(sorted(index.candidates(["arn:aws:rds:us-east-1:1:db:orders"]))).toEqual(["all", "db", "exact", "ord", "rds"]);
    expect(sorted(index.candidates(["arn:aws:rds:us-east-1:1:db:users"]))).toEqual(["all", "db", "rds"]);
    // Unknown identifier: patterns whose literal text runs into it are candidates too.
    expect(sorted(index.candidates(["arn:aws:rds:us-east-1:1:db:", undefined]))).toEqual(["all", "db", "exact", "ord", "rds"]);
    expect(sorted(index.candidates(["arn:aws:", undefined]))).toEqual(["after", "all", "before", "db", "dynamodb", "exact", "ord", "rds"]);
    expect(sorted(index.candidates([undefined]))).toEqual(["after", "all", "before", "db", "dynamodb", "exact", "ord", "rds"]);
    // A pattern added after a lookup is found by the next one.
    index.add("arn:aws:rds:us-east-1:1:db:orders-*", "late");
    expect(sorted(index.candidates(["arn:aws:rds:us-east-1:1:db:", undefined]))).toEqual(["all", "db", "exact", "late", "ord", "rds"]);
  });

  it("does not return a prefix pattern twice when a longer prefix exists", () => {
    const index = new ArnPatternIndex<string>();
    index.add("abc*", "short");
    index.add("abcdef*", "long");
    expect(index.candidates(["abc"])).toEqual(["short"]);
    expect(index.candidates(["abcdefg"])).toEqual(["short", "long"]);
    expect(index.candidates(["ab", undefined])).toEqual(["short", "long"]);
    expect(new ArnPatternIndex<string>().candidates(["x", undefined])).toEqual([]);
  });

  it("keeps every pattern that shares a literal prefix with another", () => {
    const index = new ArnPatternIndex<string>();
    index.add("arn:aws:rds:*:*:db:*", "db");
    index.add("arn:aws:rds:zz*", "zz");
    index.add("arn:aws:rds:*", "rds");
    index.add("arn:aws:rds:*:*:cluster:*", "cluster");
    // Three share the prefix "arn:aws:rds:"; "zz" runs past it into the unknown part.
    expect(index.candidates(["arn:aws:rds:", undefined])).toEqual(["db", "rds", "cluster", "zz"]);
    expect(index.candidates(["arn:aws:rds:x"])).toEqual(["db", "rds", "cluster"]);
    expect([...index.candidates(["arn:aws:", undefined])].sort()).toEqual(["cluster", "db", "rds", "zz"]);
  });
});

describe("tags and tag conditions", () => {
  const known = (entries: [string, string | undefined][]): TagReading => ({ state: "known", tags: new Map(entries) });
  const tags = known([
    ["env", "prod"],
    ["team", undefined],
  ]);
  const c = (operator: TagCondition["operator"], key: string | undefined, value: string | undefined): TagCondition => ({ operator, key, value });

  it("reads the tag key of an aws:ResourceTag/ condition key, the prefix in any case", () => {
    expect(resourceTagKey("aws:ResourceTag/env")).toBe("env");
    expect(resourceTagKey("AWS:RESOURCETAG/Env")).toBe("Env");
    expect(resourceTagKey("aws:ResourceTag/")).toBe("");
    expect(resourceTagKey("env")).toBeUndefined();
    expect(resourceTagKey("x-aws:ResourceTag/env")).toBeUndefined();
    expect(resourceTagKey("aws:ResourceTags/env")).toBeUndefined();
  });

  it("is unknown when the condition's key or value, the tags, or the tag's value are unknown", () => {
    expect(evaluateTagCondition(c("StringEquals", undefined, "prod"), tags)).toBe("unknown");
    expect(evaluateTagCondition(c("StringNotEquals", "aws:ResourceTag/env", undefined), tags)).toBe("unknown");
    expect(evaluateTagCondition(c("StringEquals", "aws:ResourceTag/env", "prod"), { state: "unknown", why: "x" })).toBe("unknown");
    expect(evaluateTagCondition(c("StringNotEquals", "aws:ResourceTag/team", "x"), tags)).toBe("unknown");
  });

  it("compares a present tag exactly (Equals) or as a glob (Like), negated for Not operators", () => {
    expect(evaluateTagCondition(c("StringEquals", "aws:ResourceTag/env", "prod"), tags)).toBe("yes");
    expect(evaluateTagCondition(c("StringEquals", "aws:ResourceTag/env", "Prod"), tags)).toBe("no");
    expect(evaluateTagCondition(c("StringEquals", "aws:ResourceTag/env", "pr*"), tags)).toBe("no");
    expect(evaluateTagCondition(c("StringLike", "aws:ResourceTag/env", "pr*"), tags)).toBe("yes");
    expect(evaluateTagCondition(c("StringLike", "aws:ResourceTag/env", "Pr*"), tags)).toBe("no");
    expect(evaluateTagCondition(c("StringNotEquals", "aws:ResourceTag/env", "prod"), tags)).toBe("no");
    expect(evaluateTagCondition(c("StringNotEquals", "aws:ResourceTag/env", "dev"), tags)).toBe("yes");
    expect(evaluateTagCondition(c("StringNotLike", "aws:ResourceTag/env", "p*"), tags)).toBe("no");
    expect(evaluateTagCondition(c("StringNotLike", "aws:ResourceTag/env", "d*"), tags)).toBe("yes");
  });

  it("reads an absent tag as IAM does: positive operators fail, negated ones hold", () => {
    expect(evaluateTagCondition(c("StringEquals", "aws:ResourceTag/app", "x"), tags)).toBe("no");
    expect(evaluateTagCondition(c("StringLike", "aws:ResourceTag/app", "*"), tags)).toBe("no");
    expect(evaluateTagCondition(c("StringNotEquals", "aws:ResourceTag/app", "x"), tags)).toBe("yes");
    expect(evaluateTagCondition(c("StringNotLike", "aws:ResourceTag/app", "*"), tags)).toBe("yes");
  });

  it("treats a key that is not a resource tag key as a tag nobody has, even when the tags are unknown", () => {
    expect(evaluateTagCondition(c("StringEquals", "env", "prod"), tags)).toBe("no");
    expect(evaluateTagCondition(c("StringEquals", "env", "prod"), { state: "unknown", why: "x" })).toBe("no");
    expect(evaluateTagCondition(c("StringNotLike", "env", "prod"), tags)).toBe("yes");
  });

  it("describes a condition for messages", () => {
    expect(describeTagCondition(c("StringEquals", "aws:ResourceTag/env", "prod"))).toBe('aws:ResourceTag/env StringEquals "prod"');
    expect(describeTagCondition(c("StringLike", undefined, undefined))).toBe("(unknown key) StringLike (unknown value)");
  });

  it("ANDs conditions, naming the first that fails", () => {
    const eq = c("StringEquals", "aws:ResourceTag/env", "prod");
    const unknownTeam = c("StringEquals", "aws:ResourceTag/team", "a");
    const dev = c("StringEquals", "aws:ResourceTag/env", "dev");
    const absent = c("StringEquals", "aws:ResourceTag/app", "x");
    expect(conditionsMatch("unknown", tags)).toEqual({ tri: "unknown" });
    expect(conditionsMatch([], tags)).toEqual({ tri: "yes" });
    expect(conditionsMatch([eq], tags)).toEqual({ tri: "yes" });
    expect(conditionsMatch([eq, unknownTeam], tags)).toEqual({ tri: "unknown" });
    expect(conditionsMatch([unknownTeam, dev, absent], tags)).toEqual({ tri: "no", failed: dev });
  });

  it("stringifies number and boolean tag values, drops objects and nulls, keeps unknown values as unknown", () => {
    const view = viewOf([prodRds("a", { tags: { environment: "production", tier: 1, zero: 0, critical: true, off: false, owner: { team: "x" }, unset: null, team: UNKNOWN.string, secret: new Secret("s") } })], "a");
    expect(effectiveTags(view)).toEqual({
      state: "known",
      tags: new Map<string, string | undefined>([
        ["environment", "production"],
        ["tier", "1"],
        ["zero", "0"],
        ["critical", "true"],
        ["off", "false"],
        ["team", undefined],
        ["secret", "s"],
      ]),
    });
  });

  it("prefers tagsAll when known, otherwise overlays tags on the provider's defaultTags", () => {
    const withDefaults = { default_7_48_0: { region: "us-east-1", defaultTags: { tags: { environment: "production", team: "core" } } } };
    expect(effectiveTags(viewOf([prodRds("a", { tags: { a: "1" }, tagsAll: { a: "2", b: "3" } })], "a"))).toEqual({ state: "known", tags: new Map([["a", "2"], ["b", "3"]]) });
    expect(effectiveTags(viewOf([prodRds("a", { tags: { team: "db" }, tagsAll: UNKNOWN.object })], "a", withDefaults))).toEqual({
      state: "known",
      tags: new Map([["environment", "production"], ["team", "db"]]),
    });
    expect(effectiveTags(viewOf([prodRds("a", { tags: JSON.stringify({ team: "db" }), tagsAll: 42 })], "a"))).toEqual({ state: "known", tags: new Map([["team", "db"]]) });
    expect(effectiveTags(viewOf([prodRds("a", { tags: undefined })], "a"))).toEqual({ state: "known", tags: new Map() });
  });

  it("is unknown, and says why, when the provider's defaultTags or the resource's tags are unknown", () => {
    const unknownDefaults = { default_7_48_0: { region: "us-east-1", defaultTags: UNKNOWN.object } };
    expect(effectiveTags(viewOf([prodRds("a")], "a", unknownDefaults))).toEqual({ state: "unknown", why: "its provider's defaultTags are unknown until deployment" });
    expect(effectiveTags(viewOf([prodRds("a", { tags: UNKNOWN.object })], "a"))).toEqual({ state: "unknown", why: "its tags are unknown until deployment" });
    expect(effectiveTags(viewOf([prodRds("a", { tags: UNKNOWN.object })], "a", unknownDefaults))).toEqual({ state: "unknown", why: "its provider's defaultTags are unknown until deployment" });
  });
});

describe("scope and kinds", () => {
  it("supports continuous backup for RDS instances and clusters only", () => {
    expect([supportsContinuousBackup("rds-instance"), supportsContinuousBackup("rds-cluster"), supportsContinuousBackup("dynamodb-table")]).toEqual([true, true, false]);
  });

  it("puts production and maybe-production databases in the production scope, every database in the full one", () => {
    const g = graphOf([prodRds("orders"), { type: RDS, name: "scratch", props: { identifier: "scratch", tags: { environment: "dev" } } }, { type: RDS, name: "maybe", props: { identifier: "maybe", tags: UNKNOWN.object } }]);
    const [orders, scratch, maybe] = ["orders", "scratch", "maybe"].map((n) => dbOf(g, n));
    expect([isInScope(orders, "production"), isInScope(scratch, "production"), isInScope(maybe, "production")]).toEqual([true, false, true]);
    expect([isInScope(orders, "all"), isInScope(scratch, "all"), isInScope(maybe, "all")]).toEqual([true, true, true]);
    expect([...g.coverage.values()].map((c) => c.database.view.name)).toEqual(["orders", "maybe"]);
  });

  it("builds one graph per stack view and scope", () => {
    const stack = stackView({ resources: [prodRds("orders")] });
    const first = buildBackupGraph(stack);
    expect(buildBackupGraph(stack)).toBe(first);
    expect(buildBackupGraph(stack, { scope: "production" })).toBe(first);
    const all = buildBackupGraph(stack, { scope: "all" });
    expect(all).not.toBe(first);
    expect(buildBackupGraph(stack, { scope: "all" })).toBe(all);
    expect(buildBackupGraph(stackView({ resources: [prodRds("orders")] }))).not.toBe(first);
  });
});

describe("database nodes", () => {
  it("reads identifiers per kind and builds the ARN from its parts when the ARN is not known", () => {
    const g = graphOf(
      [
        prodRds("orders", { identifier: " orders " }),
        prodRds("blank", { identifier: "  " }),
        prodRds("typed", { identifier: 42 }),
        prodRds("unknown-id", { identifier: UNKNOWN.string }),
        { type: CLUSTER, name: "ledger", props: { clusterIdentifier: "ledger", identifier: "wrong", tags: PROD } },
        { type: TABLE, name: "carts", props: { name: "carts", tags: PROD } },
        prodRds("known", { arn: "arn:aws:rds:eu-west-1:333333333333:db:known" }),
        prodRds("garbage", { arn: "not-an-arn" }),
        prodRds("unknown-region", { region: UNKNOWN.string }),
        { ...prodRds("china"), provider: "cn" },
      ],
      { cn: { region: "cn-north-1" } },
    );
    const summary = (n: string) => ({ kind: dbOf(g, n).kind, identifier: dbOf(g, n).identifier, arn: dbOf(g, n).arn });
    expect(summary("orders")).toEqual({ kind: "rds-instance", identifier: "orders", arn: ["arn:", "aws", ":rds:", "us-east-1", ":", ACCOUNT, ":db:", "orders"] });
    expect(summary("blank")).toEqual({ kind: "rds-instance", identifier: undefined, arn: ["arn:", "aws", ":rds:", "us-east-1", ":", ACCOUNT, ":db:", undefined] });
    expect(summary("typed")).toEqual({ kind: "rds-instance", identifier: undefined, arn: ["arn:", "aws", ":rds:", "us-east-1", ":", ACCOUNT, ":db:", undefined] });
    expect(summary("unknown-id")).toEqual({ kind: "rds-instance", identifier: undefined, arn: ["arn:", "aws", ":rds:", "us-east-1", ":", ACCOUNT, ":db:", undefined] });
    expect(summary("ledger")).toEqual({ kind: "rds-cluster", identifier: "ledger", arn: ["arn:", "aws", ":rds:", "us-east-1", ":", ACCOUNT, ":cluster:", "ledger"] });
    expect(summary("carts")).toEqual({ kind: "dynamodb-table", identifier: "carts", arn: ["arn:", "aws", ":dynamodb:", "us-east-1", ":", ACCOUNT, ":table/", "carts"] });
    expect(summary("known")).toEqual({ kind: "rds-instance", identifier: "known", arn: ["arn:aws:rds:eu-west-1:333333333333:db:known"] });
    expect(summary("garbage")).toEqual({ kind: "rds-instance", identifier: "garbage", arn: ["arn:", "aws", ":rds:", "us-east-1", ":", ACCOUNT, ":db:", "garbage"] });
    expect(summary("unknown-region")).toEqual({ kind: "rds-instance", identifier: "unknown-region", arn: ["arn:", undefined, ":rds:", undefined, ":", ACCOUNT, ":db:", "unknown-region"] });
    expect(summary("china")).toEqual({ kind: "rds-instance", identifier: "china", arn: ["arn:", "aws-cn", ":rds:", "cn-north-1", ":", undefined, ":db:", "china"] });
  });

  it("names the unknown parts of a database's ARN when a pattern may match it", () => {
    const pattern = "arn:aws:rds:us-east-1:111111111111:db:x";
    const g = graphOf(
      [
        prodRds("unknown-id", { identifier: UNKNOWN.string }),
        prodRds("unknown-region", { region: UNKNOWN.string }),
        { ...prodRds("no-account"), provider: "bare" },
        { ...prodRds("nothing", { identifier: UNKNOWN.string }), provider: "empty" },
      ],
      { bare: { region: "us-east-1" }, empty: {} },
    );
    const list: ArnListView = { patterns: [pattern], unknownEntries: 0, wholeUnknown: false, databaseDependencies: [], otherDependencies: 0 };
    const why = (n: string) => arnListMatches(list, dbOf(g, n));
    expect(why("unknown-id")).toEqual({ tri: "unknown", why: `pattern "${pattern}" may match its ARN, whose identifier is unknown until deployment` });
    expect(why("unknown-region")).toEqual({ tri: "no", why: "" }); // its name "unknown-region" is not "x"
    const ownName = { ...list, patterns: ["arn:aws:rds:us-east-1:111111111111:db:unknown-region"] };
    expect(arnListMatches(ownName, dbOf(g, "unknown-region"))).toEqual({
      tri: "unknown",
      why: 'pattern "arn:aws:rds:us-east-1:111111111111:db:unknown-region" may match its ARN, whose Region is unknown until deployment',
    });
    expect(arnListMatches({ ...list, patterns: ["arn:aws:rds:us-east-1:111111111111:db:no-account"] }, dbOf(g, "no-account"))).toEqual({
      tri: "unknown",
      why: 'pattern "arn:aws:rds:us-east-1:111111111111:db:no-account" may match its ARN, whose account is unknown until deployment',
    });
    expect(arnListMatches(list, dbOf(g, "nothing"))).toEqual({ tri: "unknown", why: `pattern "${pattern}" may match its ARN, whose Region and account and identifier is unknown until deployment` });
  });
});

describe("ARN lists against a database", () => {
  const base: ArnListView = { patterns: [], unknownEntries: 0, wholeUnknown: false, databaseDependencies: [], otherDependencies: 0 };
  const g = graphOf([prodRds("orders"), prodRds("anon", { identifier: UNKNOWN.string })]);
  const orders = dbOf(g, "orders");
  const anon = dbOf(g, "anon");

  it("counts unknown entries as explained only when no more of them than dependencies exist", () => {
    expect(unresolvedUnknownEntries(base)).toBe(false);
    expect(unresolvedUnknownEntries({ ...base, wholeUnknown: true, otherDependencies: 3 })).toBe(true);
    expect(unresolvedUnknownEntries({ ...base, unknownEntries: 1 })).toBe(true);
    expect(unresolvedUnknownEntries({ ...base, unknownEntries: 1, otherDependencies: 1 })).toBe(false);
    expect(unresolvedUnknownEntries({ ...base, unknownEntries: 2, databaseDependencies: [orders], otherDependencies: 1 })).toBe(false);
    expect(unresolvedUnknownEntries({ ...base, unknownEntries: 2, databaseDependencies: [orders] })).toBe(true);
    expect(unresolvedUnknownEntries({ ...base, unknownEntries: 0, otherDependencies: 0, patterns: ["*"] })).toBe(false);
  });

  it("selects a database the list depends on only when the list holds something unknown", () => {
    expect(arnListMatches({ ...base, unknownEntries: 1, databaseDependencies: [orders] }, orders)).toEqual({ tri: "yes", why: "its ARN (linked by property dependency)" });
    expect(arnListMatches({ ...base, wholeUnknown: true, databaseDependencies: [orders] }, orders)).toEqual({ tri: "yes", why: "its ARN (linked by property dependency)" });
    expect(arnListMatches({ ...base, databaseDependencies: [orders] }, orders)).toEqual({ tri: "no", why: "" });
    expect(arnListMatches({ ...base, unknownEntries: 1, databaseDependencies: [orders] }, anon)).toEqual({ tri: "no", why: "" });
  });

  it("answers yes at the first sure pattern, else the first maybe, else what unknown entries leave open", () => {
    expect(arnListMatches({ ...base, patterns: ["arn:aws:rds:*:*:db:users", "*"] }, orders)).toEqual({ tri: "yes", why: 'pattern "*"' });
    const exact = `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`;
    const other = `arn:aws:rds:us-east-1:${ACCOUNT}:db:users`;
    expect(arnListMatches({ ...base, patterns: [exact, `arn:aws:rds:us-east-1:${ACCOUNT}:db:*`] }, anon)).toEqual({ tri: "yes", why: `pattern "arn:aws:rds:us-east-1:${ACCOUNT}:db:*"` });
    expect(arnListMatches({ ...base, patterns: [exact, other], unknownEntries: 1 }, anon)).toEqual({ tri: "unknown", why: `pattern "${exact}" may match its ARN, whose identifier is unknown until deployment` });
    expect(arnListMatches({ ...base, unknownEntries: 1 }, orders)).toEqual({ tri: "unknown", why: "it holds values unknown until deployment that no property dependency explains" });
    expect(arnListMatches({ ...base, wholeUnknown: true }, orders)).toEqual({ tri: "unknown", why: "the whole list is unknown until deployment" });
    expect(arnListMatches({ ...base, unknownEntries: 1, otherDependencies: 1 }, orders)).toEqual({ tri: "no", why: "" });
    expect(arnListMatches({ ...base, patterns: [other] }, orders)).toEqual({ tri: "no", why: "" });
  });

  it("judges the patterns given instead of the list's own when asked", () => {
    expect(arnListMatches({ ...base, patterns: ["*"] }, orders, [])).toEqual({ tri: "no", why: "" });
    expect(arnListMatches(base, orders, ["*"])).toEqual({ tri: "yes", why: 'pattern "*"' });
  });
});

describe("vaults and vault locks", () => {
  it("keeps a vault's name only when it is a string (a secret one unwrapped)", () => {
    const g = graphOf([vault("vault"), { type: VAULT, name: "typed", props: { name: 42 } }, { type: VAULT, name: "secret", props: { name: new Secret("secret-vault") } }, { type: VAULT, name: "pending", props: { name: UNKNOWN.string } }]);
    expect(g.vaults.map((v) => [v.view.name, v.name])).toEqual([
      ["vault", "vault"],
      ["typed", undefined],
      ["secret", "secret-vault"],
      ["pending", undefined],
    ]);
  });

  it("links each lock by its single vault dependency, else by a name in its location; unresolved only when the name is unknown or ambiguous", () => {
    const lock = (name: string, backupVaultName: unknown, deps: string[] = [], provider?: string): StackResourceSpec => ({
      type: LOCK,
      name,
      props: { backupVaultName, changeableForDays: 3, minRetentionDays: 7 },
      propertyDependencies: deps.length > 0 ? { backupVaultName: deps } : {},
      ...(provider ? { provider } : {}),
    });
    const west = { west: { region: "us-west-2", allowedAccountIds: [ACCOUNT] } };
    const g = graphOf(
      [
        vault("a"),
        vault("b"),
        vault("twin"),
        { type: VAULT, name: "twin2", props: { name: "twin" } },
        vault("far", {}, "west"),
        lock("by-dep", UNKNOWN.string, ["a"]),
        lock("dep-wins", "b", ["a"]),
        lock("by-name", "b", ["a", "b"]),
        lock("secret-name", new Secret("b")),
        lock("no-such", "missing"),
        lock("ambiguous", "twin"),
        lock("other-region", "far"),
        lock("unknown-name", UNKNOWN.string),
        lock("unknown-two", UNKNOWN.string, ["a", "b"]),
        lock("typed", 42),
        lock("typed-two", 42, ["a", "b"]),
        lock("absent", undefined),
        lock("west-named", "far", [], "west"),
      ],
      west,
    );
    expect(g.locks.map((l) => [l.view.name, l.link, l.vaults.map((v) => v.view.name)])).toEqual([
      ["by-dep", "dependency", ["a"]],
      ["dep-wins", "dependency", ["a"]],
      ["by-name", "name", ["b"]],
      ["secret-name", "name", ["b"]],
      // A known name no vault of the stack has, a wrong type or no name: it locks none of them.
      ["no-such", "none", []],
      ["ambiguous", "unresolved", ["twin", "twin2"]],
      ["other-region", "none", []],
      ["unknown-name", "unresolved", []],
      ["unknown-two", "unresolved", ["a", "b"]],
      ["typed", "none", []],
      ["typed-two", "none", []],
      ["absent", "none", []],
      ["west-named", "name", ["far"]],
    ]);
    // Only resolved locks are attached to their vault.
    expect(g.vaults.map((v) => [v.view.name, v.locks.map((l) => l.view.name)])).toEqual([
      ["a", ["by-dep", "dep-wins"]],
      ["b", ["by-name", "secret-name"]],
      ["twin", []],
      ["twin2", []],
      ["far", ["west-named"]],
    ]);
  });
});

describe("plan rules", () => {
  const vaults: StackResourceSpec[] = [
    vault("vault"),
    vault("dr", { region: "us-west-2" }),
    vault("arned", { arn: "arn:aws:backup:eu-west-1:111111111111:backup-vault:arned" }),
  ];
  const rulesOf = (rules: unknown, deps: string[] = ["vault"], extra: StackResourceSpec[] = []) => {
    const g = graphOf([...vaults, ...extra, planWith("plan", rules, deps)]);
    return g.plans[0];
  };
  const absent = { state: "absent" };

  it("reads the rules list as a whole: absent, null, unknown, wrong type, JSON text, a secret, one block", () => {
    const state = (rules: unknown) => {
      const p = rulesOf(rules);
      return [p.rulesState, p.rules.map((r) => r.name)];
    };
    expect(state(undefined)).toEqual(["absent", []]);
    expect(state(null)).toEqual(["absent", []]);
    expect(state(UNKNOWN.array)).toEqual(["unknown", []]);
    expect(state("oops")).toEqual(["invalid", []]);
    expect(state(7)).toEqual(["invalid", []]);
    expect(state([])).toEqual(["known", []]);
    expect(state(JSON.stringify([{ ruleName: "json", targetVaultName: "vault" }]))).toEqual(["known", ["json"]]);
    expect(state(new Secret([{ ruleName: "secret", targetVaultName: "vault" }]))).toEqual(["known", ["secret"]]);
    expect(state({ ruleName: "solo", targetVaultName: "vault" })).toEqual(["known", ["solo"]]);
  });

  it("keeps an unknown rule element as an unknown rule that may copy anywhere", () => {
    expect(rulesOf([UNKNOWN.object]).rules.map(ruleSummary)).toEqual([
      { index: 0, name: "#1", schedule: { state: "unknown" }, timezone: absent, startWindow: absent, continuous: absent, target: { state: "unknown", what: "rule #1 is unknown until deployment" }, copies: [], copiesUnknown: true },
    ]);
  });

  it.each<[string, unknown, string]>([
    ["a number", 42, "42"],
    ["null", null, "null"],
    ["text that is not JSON", "not json", '"not json"'],
    ["a list", [{ ruleName: "x" }], '[{"ruleName":"x"}]'],
    ["JSON text of a list", '[{"ruleName":"x"}]', '"[{\\"ruleName\\":\\"x\\"}]"'],
  ])("keeps a rule element that is %s as an invalid rule named by its position", (_label, element, described) => {
    const p = rulesOf([{ ruleName: "first", targetVaultName: "vault" }, element]);
    expect(p.rules.map(ruleSummary)[1]).toEqual({
      index: 1,
      name: "#2",
      schedule: { state: "invalid", raw: element, expected: "a backup rule block" },
      timezone: absent,
      startWindow: absent,
      continuous: absent,
      target: { state: "invalid", what: `rule #2 is ${described}, not a rule block` },
      copies: [],
      copiesUnknown: false,
    });
  });

  it("reads a rule block given as JSON text or as a secret", () => {
    const p = rulesOf([JSON.stringify({ ruleName: "json", targetVaultName: "vault", schedule: "cron(0 1 ? * * *)" }), new Secret({ ruleName: "secret", targetVaultName: "vault" })]);
    expect(p.rules.map((r) => [r.name, refSummary(r.target), r.schedule])).toEqual([
      ["json", { state: "in-stack", vaults: ["vault"], how: 'by name "vault"' }, { state: "known", value: "cron(0 1 ? * * *)" }],
      ["secret", { state: "in-stack", vaults: ["vault"], how: 'by name "vault"' }, absent],
    ]);
  });

  it("names a rule by its trimmed ruleName, or by its position when that is blank, unknown or not a string", () => {
    const p = rulesOf([
      { ruleName: " padded ", targetVaultName: "vault" },
      { ruleName: "  ", targetVaultName: "vault" },
      { ruleName: 42, targetVaultName: "vault" },
      { ruleName: UNKNOWN.string, targetVaultName: "vault" },
      { targetVaultName: "vault" },
    ]);
    expect(p.rules.map((r) => r.name)).toEqual(["padded", "#2", "#3", "#4", "#5"]);
  });

  it("reads schedule, time zone, start window and continuous backup as they are, for recovery to judge", () => {
    const [r1, r2] = rulesOf([
      { ruleName: "a", targetVaultName: "vault", schedule: "cron(0 * ? * * *)", scheduleExpressionTimezone: UNKNOWN.string, startWindow: "120", enableContinuousBackup: "true" },
      { ruleName: "b", targetVaultName: "vault", schedule: 42, startWindow: UNKNOWN.number, enableContinuousBackup: "yes" },
    ]).rules;
    expect([r1.schedule, r1.timezone, r1.startWindow, r1.continuous]).toEqual([{ state: "known", value: "cron(0 * ? * * *)" }, { state: "unknown" }, { state: "known", value: "120" }, { state: "known", value: true }]);
    expect([r2.schedule, r2.timezone, r2.startWindow, r2.continuous]).toEqual([{ state: "known", value: 42 }, absent, { state: "unknown" }, { state: "invalid", raw: "yes", expected: "a boolean" }]);
  });

  it.each<[string, unknown, string[], unknown]>([
    ["absent", undefined, ["vault"], { state: "invalid", what: 'rule "daily" targetVaultName is not set' }],
    ["not a string", 42, ["vault"], { state: "invalid", what: 'rule "daily" targetVaultName is 42, not a vault name' }],
    ["an object", { name: "vault" }, ["vault"], { state: "invalid", what: 'rule "daily" targetVaultName is {"name":"vault"}, not a vault name' }],
    ["unknown, linked by dependency", UNKNOWN.string, ["vault"], { state: "in-stack", vaults: ["vault"], how: "by property dependency" }],
    ["unknown, linked to two vaults", UNKNOWN.string, ["vault", "dr"], { state: "in-stack", vaults: ["vault", "dr"], how: "by property dependency" }],
    ["unknown, linked to nothing", UNKNOWN.string, [], { state: "unknown", what: 'rule "daily" targetVaultName is unknown until deployment and depends on no vault of this stack' }],
    ["a vault of this stack", "vault", [], { state: "in-stack", vaults: ["vault"], how: 'by name "vault"' }],
    ["a secret name", new Secret("vault"), [], { state: "in-stack", vaults: ["vault"], how: 'by name "vault"' }],
    ["a name nobody has", "elsewhere", ["vault"], { state: "outside-stack", ref: "elsewhere", location: { region: "us-east-1", account: ACCOUNT } }],
    ["the name of a vault in another Region", "dr", ["vault"], { state: "outside-stack", ref: "dr", location: { region: "us-east-1", account: ACCOUNT } }],
  ])("reads a targetVaultName that is %s", (_label, targetVaultName, deps, expected) => {
    const [rule] = rulesOf([{ ruleName: "daily", targetVaultName }], deps).rules;
    expect(refSummary(rule.target)).toEqual(expected);
  });

  it("finds a target by name in a plan whose own Region is unknown, for every vault that may share it", () => {
    const g = graphOf([vault("vault"), vault("dr", { region: "us-west-2" }), { ...planWith("plan", [{ ruleName: "daily", targetVaultName: "vault" }]), props: { rules: [{ ruleName: "daily", targetVaultName: "vault" }], region: UNKNOWN.string } }]);
    expect(refSummary(g.plans[0].rules[0].target)).toEqual({ state: "in-stack", vaults: ["vault"], how: 'by name "vault"' });
  });

  it("reads copyActions as a whole: unknown, wrong type, absent, one block", () => {
    const copiesOf = (copyActions: unknown) => {
      const [rule] = rulesOf([{ ruleName: "daily", targetVaultName: "vault", copyActions }], ["vault", "dr"]).rules;
      return [rule.copies.map(refSummary), rule.copiesUnknown];
    };
    expect(copiesOf(UNKNOWN.array)).toEqual([[], true]);
    expect(copiesOf("oops")).toEqual([[{ state: "invalid", what: 'copyActions is "oops", not a list of copy actions' }], false]);
    expect(copiesOf(7)).toEqual([[{ state: "invalid", what: "copyActions is 7, not a list of copy actions" }], false]);
    expect(copiesOf(undefined)).toEqual([[], false]);
    expect(copiesOf(null)).toEqual([[], false]);
    expect(copiesOf([])).toEqual([[], false]);
    expect(copiesOf({ destinationVaultArn: `arn:aws:backup:us-west-2:${ACCOUNT}:backup-vault:dr` })).toEqual([
      [{ state: "in-stack", vaults: ["dr"], how: `by ARN arn:aws:backup:us-west-2:${ACCOUNT}:backup-vault:dr` }],
      false,
    ]);
  });

  const DR_ARN = `arn:aws:backup:us-west-2:${ACCOUNT}:backup-vault:dr`;
  it.each<[string, unknown, unknown]>([
    ["unknown, linked to the vaults other than the target", UNKNOWN.object, { state: "in-stack", vaults: ["dr"], how: "by property dependency" }],
    ["a number", 42, { state: "invalid", what: "copy action #1 is 42, not a copy action block" }],
    ["text that is not JSON", "dr", { state: "invalid", what: 'copy action #1 is "dr", not a copy action block' }],
    ["a block without destinationVaultArn", {}, { state: "invalid", what: "copy action #1 destinationVaultArn is not set" }],
    ["a destinationVaultArn that is not a string", { destinationVaultArn: 42 }, { state: "invalid", what: "copy action #1 destinationVaultArn is 42, not a vault ARN" }],
    ["an unknown destinationVaultArn", { destinationVaultArn: UNKNOWN.string }, { state: "in-stack", vaults: ["dr"], how: "by property dependency" }],
    [
      "the ARN of something else",
      { destinationVaultArn: ORDERS_ARN },
      { state: "invalid", what: `copy action #1 destinationVaultArn "${ORDERS_ARN}" is not a backup vault ARN (arn:<partition>:backup:<region>:<account>:backup-vault:<name>)` },
    ],
    [
      "a backup ARN that is not a vault's",
      { destinationVaultArn: `arn:aws:backup:us-east-1:${ACCOUNT}:backup-plan:p` },
      { state: "invalid", what: `copy action #1 destinationVaultArn "arn:aws:backup:us-east-1:${ACCOUNT}:backup-plan:p" is not a backup vault ARN (arn:<partition>:backup:<region>:<account>:backup-vault:<name>)` },
    ],
    [
      "a name instead of an ARN",
      { destinationVaultArn: "dr" },
      { state: "invalid", what: 'copy action #1 destinationVaultArn "dr" is not a backup vault ARN (arn:<partition>:backup:<region>:<account>:backup-vault:<name>)' },
    ],
    ["the known ARN of a vault of this stack", { destinationVaultArn: "arn:aws:backup:eu-west-1:111111111111:backup-vault:arned" }, { state: "in-stack", vaults: ["arned"], how: "by ARN" }],
    ["an ARN naming a vault of this stack in its Region", { destinationVaultArn: DR_ARN }, { state: "in-stack", vaults: ["dr"], how: `by ARN ${DR_ARN}` }],
    ["JSON text of a block", JSON.stringify({ destinationVaultArn: DR_ARN }), { state: "in-stack", vaults: ["dr"], how: `by ARN ${DR_ARN}` }],
    ["a secret block", new Secret({ destinationVaultArn: DR_ARN }), { state: "in-stack", vaults: ["dr"], how: `by ARN ${DR_ARN}` }],
    ["a secret ARN", { destinationVaultArn: new Secret(DR_ARN) }, { state: "in-stack", vaults: ["dr"], how: `by ARN ${DR_ARN}` }],
    [
      "an ARN naming a vault of this stack in another Region",
      { destinationVaultArn: `arn:aws:backup:us-east-1:${ACCOUNT}:backup-vault:dr` },
      { state: "outside-stack", ref: `arn:aws:backup:us-east-1:${ACCOUNT}:backup-vault:dr`, location: { region: "us-east-1", account: ACCOUNT } },
    ],
    [
      "an ARN naming a vault of this stack in another account",
      { destinationVaultArn: `arn:aws:backup:us-west-2:${OTHER_ACCOUNT}:backup-vault:dr` },
      { state: "outside-stack", ref: `arn:aws:backup:us-west-2:${OTHER_ACCOUNT}:backup-vault:dr`, location: { region: "us-west-2", account: OTHER_ACCOUNT } },
    ],
    ["an ARN without Region or account", { destinationVaultArn: "arn:aws:backup:::backup-vault:dr" }, { state: "outside-stack", ref: "arn:aws:backup:::backup-vault:dr", location: { region: undefined, account: undefined } }],
  ])("reads a copy action that is %s", (_label, action, expected) => {
    const [rule] = rulesOf([{ ruleName: "daily", targetVaultName: "vault", copyActions: [action] }], ["vault", "dr"]).rules;
    expect(rule.copies.map(refSummary)).toEqual([expected]);
    expect(rule.copiesUnknown).toBe(false);
  });

  it("resolves unknown copy destinations to the vaults the rules depend on, the target left out when known", () => {
    const copy = [{ destinationVaultArn: UNKNOWN.string }];
    const copiesWith = (targetVaultName: unknown, deps: string[]) => rulesOf([{ ruleName: "daily", targetVaultName, copyActions: copy }], deps).rules[0].copies.map(refSummary);
    // Only the target to depend on: the copy may go into the target itself.
    expect(copiesWith("vault", ["vault"])).toEqual([{ state: "in-stack", vaults: ["vault"], how: "by property dependency" }]);
    // The target known only by dependency: it may be either vault.
    expect(copiesWith(UNKNOWN.string, ["vault", "dr"])).toEqual([{ state: "in-stack", vaults: ["vault", "dr"], how: "by property dependency" }]);
    // The target outside the stack: every dependency.
    expect(copiesWith("elsewhere", ["vault", "dr"])).toEqual([{ state: "in-stack", vaults: ["vault", "dr"], how: "by property dependency" }]);
    // No dependency: unknown, by position.
    expect(rulesOf([{ ruleName: "daily", targetVaultName: "vault", copyActions: [UNKNOWN.object, { destinationVaultArn: UNKNOWN.string }] }], []).rules[0].copies.map(refSummary)).toEqual([
      { state: "unknown", what: "copy action #1 is unknown until deployment" },
      { state: "unknown", what: "copy action #2 destinationVaultArn is unknown until deployment and depends on no vault of this stack" },
    ]);
  });

  it("lists each vault the rules depend on once, and nothing that is not a vault", () => {
    const p = rulesOf([{ ruleName: "daily", targetVaultName: "vault" }], ["vault", "dr", "vault", "orders"], [prodRds("orders")]);
    expect(p.vaultDependencies.map((v) => v.view.name)).toEqual(["vault", "dr"]);
    expect(rulesOf(UNKNOWN.array, ["dr"]).vaultDependencies.map((v) => v.view.name)).toEqual(["dr"]);
  });
});

describe("which plan a selection belongs to", () => {
  const plans: StackResourceSpec[] = [
    { type: PLAN, name: "plan", props: { id: "plan-id", rules: [] } },
    { type: PLAN, name: "other", props: { id: "other-id", rules: [] } },
    { type: PLAN, name: "by-arn", props: { arn: `arn:aws:backup:us-east-1:${ACCOUNT}:backup-plan:8f3e-11`, rules: [] } },
    { type: PLAN, name: "blank", props: { id: "", arn: `arn:aws:backup:us-east-1:${ACCOUNT}:`, rules: [] } },
  ];
  const refOf = (planId: unknown, deps: string[] = []) => {
    const props: Record<string, unknown> = { resources: ["*"] };
    if (planId !== undefined) props.planId = planId;
    const s: StackResourceSpec = { type: SELECTION, name: "selection", props, propertyDependencies: deps.length > 0 ? { planId: deps } : {} };
    return planRefSummary(graphOf([...plans, s]).selections[0].plan);
  };

  it("follows a single plan dependency whatever planId holds", () => {
    expect(refOf(42, ["plan"])).toEqual({ state: "in-stack", plan: "plan" });
    expect(refOf(UNKNOWN.string, ["plan", "plan"])).toEqual({ state: "in-stack", plan: "plan" });
  });

  it("looks a known planId up among the plans' ids and ARNs when dependencies do not decide", () => {
    expect(refOf("other-id", ["plan", "other"])).toEqual({ state: "in-stack", plan: "other" });
    expect(refOf("plan-id")).toEqual({ state: "in-stack", plan: "plan" });
    expect(refOf("8f3e-11")).toEqual({ state: "in-stack", plan: "by-arn" });
    expect(refOf(new Secret("plan-id"))).toEqual({ state: "in-stack", plan: "plan" });
    expect(refOf("abc-123")).toEqual({ state: "outside-stack", id: "abc-123" });
    // Empty ids are not indexed: an empty planId names no plan of this stack.
    expect(refOf("")).toEqual({ state: "outside-stack", id: "" });
  });

  it("is unknown, and says why, when planId is unknown and no single plan is linked", () => {
    const what = "planId is unknown until deployment and depends on no single backup plan of this stack";
    expect(refOf(UNKNOWN.string)).toEqual({ state: "unknown", what });
    expect(refOf(UNKNOWN.string, ["plan", "other"])).toEqual({ state: "unknown", what });
  });

  it("names a missing or wrong-typed planId", () => {
    expect(refOf(undefined)).toEqual({ state: "invalid", what: "planId is not set" });
    expect(refOf(42)).toEqual({ state: "invalid", what: "planId is 42, not a plan id" });
  });
});

describe("selection resources", () => {
  const summary = (s: SelectionNode, key: "resources" | "notResources") => {
    const l = s[key];
    return { state: l.state, patterns: l.patterns, unknownEntries: l.unknownEntries, wholeUnknown: l.wholeUnknown, invalid: l.invalid, databaseDependencies: l.databaseDependencies.map((d) => d.view.name), otherDependencies: l.otherDependencies };
  };
  const list = (over: Record<string, unknown>) => ({ state: "known", patterns: [], unknownEntries: 0, wholeUnknown: false, invalid: undefined, databaseDependencies: [], otherDependencies: 0, ...over });
  const graphWith = (props: Record<string, unknown>, deps: Record<string, string[]> = { planId: ["plan"] }) => graphOf([prodRds("orders", { tags: { ...PROD, backup: "daily" } }), prodRds("users"), plan, selection(props, deps)]);

  it.each<[string, unknown, Record<string, unknown>, string[], string]>([
    ["absent", undefined, { state: "absent" }, [NEITHER], "no"],
    ["an empty list", [], {}, [NEITHER], "no"],
    ["unknown as a whole", UNKNOWN.array, { state: "unknown", wholeUnknown: true }, [], "unknown"],
    ["a number", 42, { state: "invalid", invalid: "resources is 42, not a list of ARNs" }, ["resources is 42, not a list of ARNs"], "no"],
    ["one ARN as plain text", ORDERS_ARN, { state: "invalid", invalid: `resources is "${ORDERS_ARN}", not a list of ARNs` }, [`resources is "${ORDERS_ARN}", not a list of ARNs`], "no"],
    ["JSON text of a list", JSON.stringify([ORDERS_ARN]), { patterns: [ORDERS_ARN] }, [], "yes"],
    ["a secret list", new Secret([ORDERS_ARN]), { patterns: [ORDERS_ARN] }, [], "yes"],
    ["a list with a padded ARN", [` ${ORDERS_ARN} `], { patterns: [ORDERS_ARN] }, [], "yes"],
    ["a list with a secret ARN", [new Secret(ORDERS_ARN)], { patterns: [ORDERS_ARN] }, [], "yes"],
    ["a list with a number", [ORDERS_ARN, 42], { state: "invalid", invalid: "resources holds 42, not an ARN" }, ["resources holds 42, not an ARN"], "no"],
    ["a list with null", [UNKNOWN.string, null], { state: "invalid", invalid: "resources holds null, not an ARN" }, ["resources holds null, not an ARN"], "no"],
    ["one object", { arn: ORDERS_ARN }, { state: "invalid", invalid: `resources holds {"arn":"${ORDERS_ARN}"}, not an ARN` }, [`resources holds {"arn":"${ORDERS_ARN}"}, not an ARN`], "no"],
  ])("reads resources that are %s", (_label, resources, expected, notes, verdict) => {
    const g = graphWith(resources === undefined ? {} : { resources });
    expect(summary(selectionOf(g), "resources")).toEqual(list(expected));
    expect(selectionOf(g).notes).toEqual(notes);
    expect(selectedBy(g, "orders")).toBe(verdict);
  });

  it("counts unknown entries and the dependencies that can explain them", () => {
    const twoForOne = graphWith({ resources: [UNKNOWN.string, UNKNOWN.string] }, { planId: ["plan"], resources: ["orders"] });
    expect(summary(selectionOf(twoForOne), "resources")).toEqual(list({ unknownEntries: 2, databaseDependencies: ["orders"] }));
    expect(selectionOf(twoForOne).notes).toEqual([]);
    expect(coverageOf(twoForOne, "orders").matches).toEqual([{ selection: "selection", certainty: "yes", reason: "its ARN (linked by property dependency)" }]);
    expect(coverageOf(twoForOne, "users").matches).toEqual([{ selection: "selection", certainty: "unknown", reason: "its resources: it holds values unknown until deployment that no property dependency explains" }]);
    const explainedByOther = graphWith({ resources: [UNKNOWN.string] }, { planId: ["plan"], resources: ["plan"] });
    expect(summary(selectionOf(explainedByOther), "resources")).toEqual(list({ unknownEntries: 1, otherDependencies: 1 }));
    expect(selectedBy(explainedByOther, "orders")).toBe("no");
    expect(selectedBy(explainedByOther, "users")).toBe("no");
  });

  it("says why an unknown whole list leaves a database undecided", () => {
    const g = graphWith({ resources: UNKNOWN.array });
    expect(coverageOf(g, "orders").matches).toEqual([{ selection: "selection", certainty: "unknown", reason: "its resources: the whole list is unknown until deployment" }]);
  });

  it.each<[string, unknown, Record<string, unknown>, string[]]>([
    ["a number", 42, { state: "invalid", invalid: "notResources is 42, not a list of ARNs" }, ["notResources is 42, not a list of ARNs"]],
    ["a list with an object", [{}], { state: "invalid", invalid: "notResources holds {}, not an ARN" }, ["notResources holds {}, not an ARN"]],
  ])("notes notResources that are %s", (_label, notResources, expected, notes) => {
    const g = graphWith({ resources: ["*"], notResources });
    expect(summary(selectionOf(g), "notResources")).toEqual(list(expected));
    expect(selectionOf(g).notes).toEqual(notes);
  });

  it("excludes by notResources, and defers when notResources may hold the database", () => {
    const excluded = graphWith({ resources: ["*"], notResources: ["arn:aws:rds:*:*:db:orders"] });
    expect(coverageOf(excluded, "orders")).toEqual({ matches: [], misses: ['backup selection "selection" would select it but excludes it in notResources (pattern "arn:aws:rds:*:*:db:orders")'] });
    const whole = graphWith({ resources: ["*"], notResources: UNKNOWN.array });
    expect(coverageOf(whole, "orders").matches).toEqual([{ selection: "selection", certainty: "unknown", reason: "whether notResources excludes it: the whole list is unknown until deployment" }]);
    const anon = graphOf([prodRds("anon", { identifier: UNKNOWN.string }), plan, selection({ resources: ["*"], notResources: [`arn:aws:rds:us-east-1:${ACCOUNT}:db:legacy`] })]);
    expect(coverageOf(anon, "anon").matches).toEqual([
      {
        selection: "selection",
        certainty: "unknown",
        reason: `whether notResources excludes it: pattern "arn:aws:rds:us-east-1:${ACCOUNT}:db:legacy" may match its ARN, whose identifier is unknown until deployment`,
      },
    ]);
  });
});

describe("selection tags", () => {
  const DAILY = { type: "STRINGEQUALS", key: "backup", value: "daily" };
  const graphWith = (selectionTags: unknown, extra: Record<string, unknown> = {}) =>
    graphOf([prodRds("orders", { tags: { ...PROD, backup: "daily" } }), plan, selection(selectionTags === undefined ? extra : { selectionTags, ...extra })]);

  it.each<[string, unknown, unknown, string[], string]>([
    ["absent", undefined, [], [NEITHER], "no"],
    ["unknown as a whole", UNKNOWN.array, "unknown", [], "unknown"],
    ["a number", 42, [], ["selectionTags is 42, not a list of tag filters", NEITHER], "no"],
    ["text that is not JSON", "backup=daily", [], ['selectionTags is "backup=daily", not a list of tag filters', NEITHER], "no"],
    ["JSON text of a list", JSON.stringify([DAILY]), [DAILY], [], "yes"],
    ["a secret list", new Secret([DAILY]), [DAILY], [], "yes"],
    ["one block", DAILY, [DAILY], [], "yes"],
    ["a list with an unknown entry", [DAILY, UNKNOWN.object], "unknown", [], "unknown"],
    ["a list with text", ["backup=daily"], [], ['selectionTags holds "backup=daily", not a {type, key, value} block', NEITHER], "no"],
    ["a list with a number", [7], [], ["selectionTags holds 7, not a {type, key, value} block", NEITHER], "no"],
    ["a list with null", [null], [], ["selectionTags holds null, not a {type, key, value} block", NEITHER], "no"],
    ["a list with JSON text of a block", [JSON.stringify(DAILY)], [DAILY], [], "yes"],
    ["a list with a secret block", [new Secret(DAILY)], [DAILY], [], "yes"],
    ["an entry without value", [{ type: "STRINGEQUALS", key: "backup" }], [], ['selectionTags entry {"type":"STRINGEQUALS","key":"backup"} lacks a string type, key or value', NEITHER], "no"],
    ["an entry without type", [{ key: "backup", value: "daily" }], [], ['selectionTags entry {"key":"backup","value":"daily"} lacks a string type, key or value', NEITHER], "no"],
    ["an entry with a number key", [{ type: "STRINGEQUALS", key: 5, value: "daily" }], [], ['selectionTags entry {"type":"STRINGEQUALS","key":5,"value":"daily"} lacks a string type, key or value', NEITHER], "no"],
    ["an entry of type STRINGLIKE", [{ ...DAILY, type: "STRINGLIKE" }], [], ['selectionTags entry type "STRINGLIKE" is not STRINGEQUALS, the only type AWS Backup accepts there', NEITHER], "no"],
    ["an entry of type stringequals", [{ ...DAILY, type: "stringequals" }], [], ['selectionTags entry type "stringequals" is not STRINGEQUALS, the only type AWS Backup accepts there', NEITHER], "no"],
    ["an entry of unknown type", [{ ...DAILY, type: UNKNOWN.string }], [{ type: undefined, key: "backup", value: "daily" }], [], "yes"],
    ["an entry with an unknown key", [{ ...DAILY, key: UNKNOWN.string }], [{ type: "STRINGEQUALS", key: undefined, value: "daily" }], [], "unknown"],
    ["an entry with an unknown value", [{ ...DAILY, value: UNKNOWN.string }], [{ type: "STRINGEQUALS", key: "backup", value: undefined }], [], "unknown"],
    ["an entry with secret key and value", [{ type: "STRINGEQUALS", key: new Secret("backup"), value: new Secret("daily") }], [DAILY], [], "yes"],
    ["an entry keyed aws:ResourceTag/", [{ ...DAILY, key: "aws:ResourceTag/backup" }], [{ ...DAILY, key: "aws:ResourceTag/backup" }], [], "yes"],
    // AWS Backup refuses the whole selection: the good entry beside the bad one selects nothing.
    ["a bad entry beside a good one", ["bad", DAILY], [DAILY], ['selectionTags holds "bad", not a {type, key, value} block'], "no"],
  ])("reads selectionTags that are %s", (_label, selectionTags, tags, notes, verdict) => {
    const g = graphWith(selectionTags);
    expect(selectionOf(g).tags).toEqual(tags);
    expect(selectionOf(g).notes).toEqual(notes);
    expect(selectedBy(g, "orders")).toBe(verdict);
  });

  it("says why selection tags leave a database undecided", () => {
    const g = graphWith([{ ...DAILY, key: UNKNOWN.string }]);
    expect(coverageOf(g, "orders").matches).toEqual([{ selection: "selection", certainty: "unknown", reason: "whether its selection tags match (values unknown until deployment)" }]);
    const unknownTags = graphOf([prodRds("orders", { tags: UNKNOWN.object }), plan, selection({ selectionTags: [DAILY] })]);
    expect(coverageOf(unknownTags, "orders").matches).toEqual([{ selection: "selection", certainty: "unknown", reason: "whether its tags match: its tags are unknown until deployment" }]);
    const unknownValue = graphOf([prodRds("orders", { tags: { ...PROD, backup: UNKNOWN.string } }), plan, selection({ selectionTags: [DAILY] })]);
    expect(coverageOf(unknownValue, "orders").matches).toEqual([{ selection: "selection", certainty: "unknown", reason: "whether its selection tags match (values unknown until deployment)" }]);
  });

  it("selects by any one tag (OR), past tags that are undecided or absent", () => {
    const g = graphWith([{ ...DAILY, key: UNKNOWN.string }, { ...DAILY, key: "team", value: "x" }, DAILY]);
    expect(coverageOf(g, "orders").matches).toEqual([{ selection: "selection", certainty: "yes", reason: "tag" }]);
    const none = graphWith([{ ...DAILY, key: "team" }, { ...DAILY, value: "weekly" }]);
    expect(coverageOf(none, "orders")).toEqual({ matches: [], misses: [] });
    // A candidate by pattern whose tag holds another value is not selected by that tag.
    const otherValue = graphWith([{ ...DAILY, value: "weekly" }], { resources: ["arn:aws:rds:*:*:db:users*"] });
    expect(coverageOf(otherValue, "orders")).toEqual({ matches: [], misses: [] });
  });

  it("does not select a database whose only unknown tag is another key", () => {
    const g = graphOf([prodRds("orders", { tags: { ...PROD, team: UNKNOWN.string } }), plan, selection({ selectionTags: [DAILY] })]);
    expect(coverageOf(g, "orders")).toEqual({ matches: [], misses: [] });
  });

  it("explains a tag that differs only in case, with or without the aws:ResourceTag/ prefix", () => {
    const g = graphOf([prodRds("orders", { tags: { ...PROD, Backup: "Daily" } }), plan, selection({ selectionTags: [{ ...DAILY, key: "aws:ResourceTag/backup" }] })]);
    expect(coverageOf(g, "orders")).toEqual({
      matches: [],
      misses: ['backup selection "selection" selects tag backup=daily but the database has Backup=Daily; AWS Backup compares tag keys and values case-sensitively'],
    });
  });
});

describe("selection conditions", () => {
  const ENV = { key: "aws:ResourceTag/environment", value: "production" };
  const EQ_ENV = { operator: "StringEquals", key: "aws:ResourceTag/environment", value: "production" };
  const graphWith = (conditions: unknown) => graphOf([prodRds("orders", { tags: { ...PROD, backup: "daily" } }), plan, selection(conditions === undefined ? { resources: ["*"] } : { resources: ["*"], conditions })]);

  it.each<[string, unknown, unknown, string[]]>([
    ["absent", undefined, [], []],
    ["unknown as a whole", UNKNOWN.array, "unknown", []],
    ["a number", 42, [], ["conditions is 42, not a conditions block"]],
    ["text that is not JSON", "env=prod", [], ['conditions is "env=prod", not a conditions block']],
    ["JSON text of a list", JSON.stringify([{ stringEquals: [ENV] }]), [EQ_ENV], []],
    ["one block", { stringEquals: [ENV] }, [EQ_ENV], []],
    ["a secret block", new Secret({ stringEquals: [ENV] }), [EQ_ENV], []],
    ["a list with an unknown block", [UNKNOWN.object], "unknown", []],
    ["a list with a number", [42], [], ["conditions holds 42, not a conditions block"]],
    ["a bad block beside a good one", [42, { stringEquals: [ENV] }], [EQ_ENV], ["conditions holds 42, not a conditions block"]],
    ["an unknown operator list", [{ stringEquals: UNKNOWN.array }], "unknown", []],
    ["an operator list that is a number", [{ stringEquals: 5 }], [], ["conditions.stringEquals is 5, not a list of {key, value}"]],
    ["an operator list that is text", [{ stringLikes: "env=prod" }], [], ['conditions.stringLikes is "env=prod", not a list of {key, value}']],
    ["an operator given one entry", [{ stringEquals: ENV }], [EQ_ENV], []],
    ["an operator the resource does not have", [{ stringContains: [ENV], stringEquals: [ENV] }], [EQ_ENV], ['conditions has no operator "stringContains" (only stringEquals, stringLikes, stringNotEquals, stringNotLikes)']],
    ["an operator spelt as AWS's API does", [{ StringEquals: [ENV] }], [], ['conditions has no operator "StringEquals" (only stringEquals, stringLikes, stringNotEquals, stringNotLikes)']],
    ["an operator list with an unknown entry", [{ stringEquals: [ENV, UNKNOWN.object] }], "unknown", []],
    ["an operator list with text", [{ stringNotEquals: ["env=prod"] }], [], ['conditions.stringNotEquals holds "env=prod", not a {key, value} block']],
    ["an entry without value", [{ stringNotLikes: [{ key: "aws:ResourceTag/backup" }] }], [], ['conditions.stringNotLikes entry {"key":"aws:ResourceTag/backup"} lacks a string key or value']],
    ["an entry without key", [{ stringEquals: [{ value: "production" }] }], [], ['conditions.stringEquals entry {"value":"production"} lacks a string key or value']],
    ["an entry with a number key", [{ stringEquals: [{ key: 5, value: "x" }] }], [], ['conditions.stringEquals entry {"key":5,"value":"x"} lacks a string key or value']],
    ["an entry with a number value", [{ stringEquals: [{ key: "aws:ResourceTag/tier", value: 5 }] }], [], ['conditions.stringEquals entry {"key":"aws:ResourceTag/tier","value":5} lacks a string key or value']],
    ["an entry with an unknown key and a number value", [{ stringEquals: [{ key: UNKNOWN.string, value: 5 }] }], [], [`conditions.stringEquals entry {"key":"${UNKNOWN.string}","value":5} lacks a string key or value`]],
    ["an entry with an unknown key", [{ stringEquals: [{ key: UNKNOWN.string, value: "production" }] }], [{ operator: "StringEquals", key: undefined, value: "production" }], []],
    ["an entry with an unknown value", [{ stringEquals: [{ ...ENV, value: UNKNOWN.string }] }], [{ ...EQ_ENV, value: undefined }], []],
    ["an entry with secret key and value", [{ stringEquals: [{ key: new Secret(ENV.key), value: new Secret(ENV.value) }] }], [EQ_ENV], []],
    ["an entry given as JSON text", [{ stringEquals: [JSON.stringify(ENV)] }], [EQ_ENV], []],
  ])("reads conditions that are %s", (_label, conditions, expected, notes) => {
    const g = graphWith(conditions);
    expect(selectionOf(g).conditions).toEqual(expected);
    expect(selectionOf(g).notes).toEqual(notes);
  });

  it("maps each operator block to its operator, in a fixed order", () => {
    const e = (key: string) => [{ key: `aws:ResourceTag/${key}`, value: "v" }];
    const g = graphWith([{ stringNotLikes: e("d"), stringNotEquals: e("c"), stringLikes: e("b"), stringEquals: e("a"), stringContains: e("z") }]);
    expect(selectionOf(g).conditions).toEqual([
      { operator: "StringEquals", key: "aws:ResourceTag/a", value: "v" },
      { operator: "StringLike", key: "aws:ResourceTag/b", value: "v" },
      { operator: "StringNotEquals", key: "aws:ResourceTag/c", value: "v" },
      { operator: "StringNotLike", key: "aws:ResourceTag/d", value: "v" },
    ]);
  });

  it("keeps a condition on a key that is not a resource tag key, notes it, and lets it match no tag", () => {
    const equals = graphWith([{ stringEquals: [{ key: "environment", value: "production" }] }]);
    expect(selectionOf(equals).conditions).toEqual([{ operator: "StringEquals", key: "environment", value: "production" }]);
    expect(selectionOf(equals).notes).toEqual(['condition key "environment" does not start with aws:ResourceTag/, so it matches no tag']);
    expect(coverageOf(equals, "orders")).toEqual({
      matches: [],
      misses: ['backup selection "selection" matches it by pattern "*" but its condition environment StringEquals "production" does not hold for the database\'s tags (conditions must all hold, case-sensitively)'],
    });
    const notEquals = graphWith([{ stringNotEquals: [{ key: "environment", value: "staging" }] }]);
    expect(selectionOf(notEquals).notes).toEqual(['condition key "environment" does not start with aws:ResourceTag/, so it matches no tag']);
    expect(selectedBy(notEquals, "orders")).toBe("yes");
  });

  it("ANDs conditions across blocks and selects only when all hold", () => {
    expect(selectedBy(graphWith([{ stringEquals: [ENV] }, { stringEquals: [{ key: "aws:ResourceTag/backup", value: "daily" }] }]), "orders")).toBe("yes");
    const g = graphWith([{ stringEquals: [ENV] }, { stringEquals: [{ key: "aws:ResourceTag/backup", value: "weekly" }] }]);
    expect(coverageOf(g, "orders").misses).toEqual([
      'backup selection "selection" matches it by pattern "*" but its condition aws:ResourceTag/backup StringEquals "weekly" does not hold for the database\'s tags (conditions must all hold, case-sensitively)',
    ]);
  });

  it("says why conditions leave a database undecided", () => {
    expect(coverageOf(graphWith(UNKNOWN.array), "orders").matches).toEqual([{ selection: "selection", certainty: "unknown", reason: "whether its conditions hold (values unknown until deployment)" }]);
    const unknownTags = graphOf([prodRds("orders", { tags: UNKNOWN.object }), plan, selection({ resources: ["*"], conditions: [{ stringEquals: [ENV] }] })]);
    expect(coverageOf(unknownTags, "orders").matches).toEqual([{ selection: "selection", certainty: "unknown", reason: "whether its conditions hold: its tags are unknown until deployment" }]);
  });

  it("names a failing condition by tag when the selection picked the database by tag", () => {
    const g = graphOf([prodRds("orders", { tags: { ...PROD, backup: "daily" } }), plan, selection({ selectionTags: [{ type: "STRINGEQUALS", key: "backup", value: "daily" }], conditions: [{ stringEquals: [{ ...ENV, value: "staging" }] }] })]);
    expect(coverageOf(g, "orders").misses).toEqual([
      'backup selection "selection" matches it by tag but its condition aws:ResourceTag/environment StringEquals "staging" does not hold for the database\'s tags (conditions must all hold, case-sensitively)',
    ]);
  });

  it("reports a notResources exclusion before a failing condition", () => {
    const g = graphOf([prodRds("orders"), plan, selection({ resources: ["*"], notResources: ["*"], conditions: [{ stringEquals: [{ ...ENV, value: "staging" }] }] })]);
    expect(coverageOf(g, "orders").misses).toEqual(['backup selection "selection" would select it but excludes it in notResources (pattern "*")']);
  });
});

describe("where a selection lives", () => {
  const at = (provider: Record<string, unknown>) => graphOf([prodRds("orders"), plan, { ...selection({ resources: ["*"] }), provider: "p" }], { p: provider });

  it("explains a selection in another Region or account", () => {
    expect(coverageOf(at({ region: "eu-west-1", allowedAccountIds: [ACCOUNT] }), "orders")).toEqual({
      matches: [],
      misses: ['backup selection "selection" is in Region eu-west-1, the database in us-east-1; a selection only picks resources in its own Region'],
    });
    expect(coverageOf(at({ region: "us-east-1", allowedAccountIds: [OTHER_ACCOUNT] }), "orders")).toEqual({
      matches: [],
      misses: ['backup selection "selection" is in account 222222222222, the database in 111111111111; a selection only picks resources in its own account'],
    });
  });

  it("defers a selection whose Region or account cannot be told", () => {
    expect(coverageOf(at({ allowedAccountIds: [ACCOUNT] }), "orders").matches).toEqual([{ selection: "selection", certainty: "unknown", reason: "whether the selection and the database are in the same Region" }]);
    expect(coverageOf(at({ region: "us-east-1" }), "orders").matches).toEqual([{ selection: "selection", certainty: "unknown", reason: "whether the selection and the database are in the same account" }]);
    expect(coverageOf(at({}), "orders").matches).toEqual([
      { selection: "selection", certainty: "unknown", reason: "whether the selection and the database are in the same Region; whether the selection and the database are in the same account" },
    ]);
  });

  it("joins every reason a selection is undecided", () => {
    const defaults = { default_7_48_0: { region: "us-east-1", allowedAccountIds: [ACCOUNT], defaultTags: UNKNOWN.object } };
    const g = graphOf(
      [prodRds("orders"), plan, selection({ selectionTags: [{ type: "STRINGEQUALS", key: "backup", value: "daily" }], conditions: [{ stringEquals: [{ key: "aws:ResourceTag/environment", value: "production" }] }], notResources: UNKNOWN.array })],
      defaults,
    );
    expect(coverageOf(g, "orders").matches).toEqual([
      {
        selection: "selection",
        certainty: "unknown",
        reason:
          "whether its tags match: its provider's defaultTags are unknown until deployment; whether its conditions hold: its provider's defaultTags are unknown until deployment; whether notResources excludes it: the whole list is unknown until deployment",
      },
    ]);
  });
});

describe("coverage", () => {
  it("has an empty entry for each database in scope when there is no selection", () => {
    const g = graphOf([prodRds("orders"), prodRds("users")]);
    expect([...g.coverage.values()].map((c) => [c.database.view.name, c.matches, c.misses])).toEqual([
      ["orders", [], []],
      ["users", [], []],
    ]);
    expect(graphOf([plan, selection({ resources: ["*"] })]).coverage.size).toBe(0);
  });

  it("selects through a dependency only databases in scope, and every database in the full scope", () => {
    const resources = [prodRds("orders"), { type: RDS, name: "scratch", props: { identifier: "scratch", tags: { environment: "dev" } } }, plan, selection({ resources: [UNKNOWN.string, UNKNOWN.string] }, { planId: ["plan"], resources: ["orders", "scratch"] })];
    const g = graphOf(resources);
    expect([...g.coverage.keys()].length).toBe(1);
    expect(selectedBy(g, "orders")).toBe("yes");
    const all = graphOf(resources, undefined, "all");
    expect(selectedBy(all, "scratch")).toBe("yes");
  });

  it("gives each matching selection its own entry and reason", () => {
    const g = graphOf([
      prodRds("orders", { tags: { ...PROD, backup: "daily" } }),
      plan,
      selection({ resources: ["*"] }, { planId: ["plan"] }, "by-pattern"),
      selection({ selectionTags: [{ type: "STRINGEQUALS", key: "backup", value: "daily" }] }, { planId: ["plan"] }, "by-tag"),
      selection({ resources: [UNKNOWN.string] }, { planId: ["plan"], resources: ["orders"] }, "by-dependency"),
      selection({ resources: ["arn:aws:rds:*:*:cluster:*"] }, { planId: ["plan"] }, "none"),
    ]);
    expect(coverageOf(g, "orders")).toEqual({
      matches: [
        { selection: "by-pattern", certainty: "yes", reason: 'pattern "*"' },
        { selection: "by-tag", certainty: "yes", reason: "tag" },
        { selection: "by-dependency", certainty: "yes", reason: "its ARN (linked by property dependency)" },
      ],
      misses: [],
    });
  });
});

describe("event subscriptions and restore testing selections", () => {
  it("reads an event subscription's settings and source ids", () => {
    const sub = (name: string, props: Record<string, unknown>, deps: string[] = []): StackResourceSpec => ({ type: EVENTS, name, props, propertyDependencies: deps.length > 0 ? { sourceIds: deps } : {} });
    const g = graphOf([
      prodRds("orders"),
      sub("all", { enabled: "false", sourceType: "db-instance", eventCategories: JSON.stringify(["deletion"]) }),
      sub("empty", { sourceIds: [], sourceType: 5, eventCategories: UNKNOWN.array }),
      sub("named", { sourceIds: ["orders"], enabled: UNKNOWN.bool }),
      sub("linked", { sourceIds: [UNKNOWN.string] }, ["orders", "all"]),
      sub("whole", { sourceIds: UNKNOWN.array }),
    ]);
    const summary = (i: number) => {
      const s = g.eventSubscriptions[i];
      return { enabled: s.enabled, sourceType: s.sourceType, categories: s.categories, sourceIds: s.sourceIds && { ...s.sourceIds, databaseDependencies: s.sourceIds.databaseDependencies.map((d) => d.view.name) } };
    };
    expect(summary(0)).toEqual({ enabled: { state: "known", value: false }, sourceType: { state: "known", value: "db-instance" }, categories: { state: "known", value: ["deletion"] }, sourceIds: undefined });
    expect(summary(1)).toEqual({ enabled: { state: "absent" }, sourceType: { state: "invalid", raw: 5, expected: "a string" }, categories: { state: "unknown" }, sourceIds: undefined });
    expect(summary(2)).toEqual({ enabled: { state: "unknown" }, sourceType: { state: "absent" }, categories: { state: "absent" }, sourceIds: { known: ["orders"], unknownEntries: 0, wholeUnknown: false, databaseDependencies: [], otherDependencies: 0 } });
    expect(summary(3).sourceIds).toEqual({ known: [], unknownEntries: 1, wholeUnknown: false, databaseDependencies: ["orders"], otherDependencies: 1 });
    expect(summary(4).sourceIds).toEqual({ known: [], unknownEntries: 0, wholeUnknown: true, databaseDependencies: [], otherDependencies: 0 });
  });

  it("finds a restore testing selection's plan by dependency, by name in its location, or says why not", () => {
    const rtPlan = (name: string, planName: string, provider?: string): StackResourceSpec => ({ type: RT_PLAN, name, props: { name: planName }, ...(provider ? { provider } : {}) });
    const rtSel = (name: string, restoreTestingPlanName: unknown, deps: string[] = []): StackResourceSpec => ({
      type: RT_SELECTION,
      name,
      props: restoreTestingPlanName === undefined ? {} : { restoreTestingPlanName },
      propertyDependencies: deps.length > 0 ? { restoreTestingPlanName: deps } : {},
    });
    const g = graphOf(
      [
        rtPlan("tests", "tests"),
        rtPlan("tests-again", "tests"),
        rtPlan("weekly", "weekly"),
        rtPlan("west", "west", "west"),
        { type: RT_PLAN, name: "typed-plan", props: { name: 7 } },
        rtSel("by-dep", 42, ["weekly"]),
        rtSel("by-dep-twice", UNKNOWN.string, ["weekly", "weekly"]),
        rtSel("by-name", "weekly", ["tests", "weekly"]),
        rtSel("first-of-two", "tests"),
        rtSel("secret", new Secret("weekly")),
        rtSel("other-region", "west"),
        rtSel("nowhere", "missing"),
        rtSel("unknown", UNKNOWN.string),
        rtSel("unknown-two", UNKNOWN.string, ["tests", "weekly"]),
        rtSel("absent", undefined),
        rtSel("typed", 42),
      ],
      { west: { region: "us-west-2", allowedAccountIds: [ACCOUNT] } },
    );
    expect(g.restoreTestingPlans.map((p) => p.name)).toEqual(["tests", "tests", "weekly", "west", undefined]);
    const unknownWhat = "restoreTestingPlanName is unknown until deployment and depends on no restore testing plan of this stack";
    expect(g.restoreTestingSelections.map((s) => [s.view.name, s.plan.state === "in-stack" ? { state: "in-stack", plan: s.plan.plan.view.name } : s.plan])).toEqual([
      ["by-dep", { state: "in-stack", plan: "weekly" }],
      ["by-dep-twice", { state: "in-stack", plan: "weekly" }],
      ["by-name", { state: "in-stack", plan: "weekly" }],
      ["first-of-two", { state: "in-stack", plan: "tests" }],
      ["secret", { state: "in-stack", plan: "weekly" }],
      ["other-region", { state: "outside-stack", name: "west" }],
      ["nowhere", { state: "outside-stack", name: "missing" }],
      ["unknown", { state: "unknown", what: unknownWhat }],
      ["unknown-two", { state: "unknown", what: unknownWhat }],
      ["absent", { state: "invalid", what: "restoreTestingPlanName is not set" }],
      ["typed", { state: "invalid", what: "restoreTestingPlanName is 42, not a plan name" }],
    ]);
  });

  it("reads a restore testing selection's type, ARNs and conditions (StringEquals and StringNotEquals only)", () => {
    const cond = (key: string) => [{ key: `aws:ResourceTag/${key}`, value: "v" }];
    const rt = (name: string, props: Record<string, unknown>, deps: string[] = []): StackResourceSpec => ({ type: RT_SELECTION, name, props: { restoreTestingPlanName: "p", ...props }, propertyDependencies: deps.length > 0 ? { protectedResourceArns: deps } : {} });
    const g = graphOf([
      prodRds("orders"),
      rt("a", { protectedResourceType: "RDS", protectedResourceArns: [UNKNOWN.string], protectedResourceConditions: { stringEquals: cond("a"), stringLikes: cond("b"), stringNotEquals: cond("c"), stringNotLikes: cond("d") } }, ["orders"]),
      rt("b", { protectedResourceType: 7, protectedResourceConditions: UNKNOWN.object }),
      rt("c", { protectedResourceType: UNKNOWN.string, protectedResourceArns: "*", protectedResourceConditions: 42 }),
    ]);
    const [a, b, c] = g.restoreTestingSelections;
    expect([a.resourceType, a.arns.state, a.arns.unknownEntries, a.arns.databaseDependencies.map((d) => d.view.name), a.conditions]).toEqual([
      { state: "known", value: "RDS" },
      "known",
      1,
      ["orders"],
      [
        { operator: "StringEquals", key: "aws:ResourceTag/a", value: "v" },
        { operator: "StringNotEquals", key: "aws:ResourceTag/c", value: "v" },
      ],
    ]);
    expect([b.resourceType, b.arns.state, b.conditions]).toEqual([{ state: "invalid", raw: 7, expected: "a string" }, "absent", "unknown"]);
    expect([c.resourceType, c.arns.state, c.arns.invalid, c.conditions]).toEqual([{ state: "unknown" }, "invalid", 'protectedResourceArns is "*", not a list of ARNs', []]);
  });
});

describe("productionDatabases", () => {
  const resources: StackResourceSpec[] = [
    prodRds("orders"),
    prodRds("replica", { replicateSourceDb: "orders" }),
    prodRds("maybe-replica", { replicateSourceDb: UNKNOWN.string }),
    { type: CLUSTER, name: "cluster-replica", props: { clusterIdentifier: "cr", replicationSourceIdentifier: "arn:aws:rds:us-west-2:111111111111:cluster:src", tags: PROD } },
    { type: TABLE, name: "carts", props: { name: "carts", tags: PROD, replicateSourceDb: "odd" } },
    { type: RDS, name: "unsure", props: { identifier: "unsure", tags: UNKNOWN.object } },
    { type: RDS, name: "scratch", props: { identifier: "scratch", tags: { environment: "dev" } } },
  ];
  const names = (r: { databases: DatabaseNode[] }) => r.databases.map((d) => d.view.name);
  const unsureMessage = 'RDS instance "unsure": whether it is production (tags are unknown until deployment) is unknown until deployment; this check runs again with the real value at `pulumi up`.';

  it("judges production databases, defers those whose production status is unknown, and skips the rest", () => {
    const r = productionDatabases(graphOf(resources));
    expect(names(r)).toEqual(["orders", "replica", "maybe-replica", "cluster-replica", "carts"]);
    expect(r.deferred).toEqual([{ deferred: true, urn: "urn:pulumi:dev::proj::aws:rds/instance:Instance::unsure", name: "unsure", message: unsureMessage }]);
    // A graph of every database still judges only production ones.
    expect(names(productionDatabases(graphOf(resources, undefined, "all")))).toEqual(["orders", "replica", "maybe-replica", "cluster-replica", "carts"]);
  });

  it("leaves out read replicas (not tables) on request, deferring an unknown replica status", () => {
    const r = productionDatabases(graphOf(resources), { exceptReadReplicas: true });
    expect(names(r)).toEqual(["orders", "carts"]);
    expect(r.deferred.map((f) => f.message)).toEqual([
      'RDS instance "maybe-replica": whether it is a read replica is unknown until deployment; this check runs again with the real value at `pulumi up`.',
      unsureMessage,
    ]);
  });

  it("keeps only the kinds asked for, before judging production status", () => {
    expect(productionDatabases(graphOf(resources), { kinds: ["dynamodb-table"] })).toEqual({ databases: [dbOf(graphOf(resources), "carts")], deferred: [] });
    expect(names(productionDatabases(graphOf(resources), { kinds: ["rds-cluster", "dynamodb-table"], exceptReadReplicas: true }))).toEqual(["carts"]);
  });
});

describe("labels for messages", () => {
  const g = graphOf([vault("vault"), vault("dr"), plan]);
  const [v1, v2] = g.vaults;

  it("names plans and plan references", () => {
    expect(planLabel(g.plans[0])).toBe('backup plan "plan"');
    expect(describePlanReference({ state: "in-stack", plan: g.plans[0] })).toBe('backup plan "plan"');
    expect(describePlanReference({ state: "outside-stack", id: "abc-123" })).toBe("backup plan abc-123 (not in this stack)");
    expect(describePlanReference({ state: "unknown", what: "planId is not set" })).toBe("a backup plan (planId is not set)");
  });

  it("names vault references", () => {
    expect(describeVaultReference({ state: "in-stack", vaults: [v1], how: "x" })).toBe('vault "vault"');
    expect(describeVaultReference({ state: "in-stack", vaults: [v1, v2], how: "x" })).toBe('one of the vaults "vault", "dr"');
    expect(describeVaultReference({ state: "outside-stack", ref: "arn:aws:backup:us-west-2:222222222222:backup-vault:dr" })).toBe("vault arn:aws:backup:us-west-2:222222222222:backup-vault:dr (not in this stack)");
    expect(describeVaultReference({ state: "unknown", what: "copy action #1 is unknown until deployment" })).toBe("copy action #1 is unknown until deployment");
    expect(describeVaultReference({ state: "invalid", what: "copyActions is 7, not a list of copy actions" })).toBe("copyActions is 7, not a list of copy actions");
  });
});

// ---------------------------------------------------------------------------------------------
// Recovery sources

describe("recoveryByDatabase: what selects the database", () => {
  const recoveryOf = (resources: StackResourceSpec[], db = "orders"): DatabaseRecovery => {
    const stack = stackView({ resources });
    const r = recoveryByDatabase(stack, { from: FROM }).get(stack.resources.find((x) => x.name === db)!.urn);
    if (!r) throw new Error(`no recovery for ${db}`);
    return r;
  };

  it("lists a selection that may select the database as pending, and counts nothing from it", () => {
    const r = recoveryOf([prodRds("orders"), plan, selection({ resources: [UNKNOWN.string] })]);
    expect(r.pending).toEqual(['backup selection "selection" may select it (its resources: it holds values unknown until deployment that no property dependency explains)']);
    expect([r.coveredBy, r.sources.snapshotRules, r.outsideStack]).toEqual([[], [], []]);
  });

  it("lists a selection whose plan cannot be told as pending", () => {
    const r = recoveryOf([prodRds("orders"), plan, selection({ resources: [UNKNOWN.string] }, { resources: ["orders"] })]);
    expect(r.pending).toEqual(['backup selection "selection" selects it for a backup plan (planId is unknown until deployment and depends on no single backup plan of this stack)']);
    expect([r.coveredBy, r.sources.snapshotRules]).toEqual([[], []]);
  });

  it("lists a plan whose rules are unknown as pending, while it still covers the database", () => {
    const r = recoveryOf([prodRds("orders"), planWith("plan", UNKNOWN.array), selection({ resources: [UNKNOWN.string] }, { planId: ["plan"], resources: ["orders"] })]);
    expect(r.pending).toEqual(['the rules of backup plan "plan" are unknown until deployment']);
    expect(r.coveredBy).toEqual(['backup plan "plan" (backup selection "selection")']);
    expect(r.sources.snapshotRules).toEqual([]);
  });

  it("reads a plan selected twice once, naming both selections", () => {
    const r = recoveryOf([
      prodRds("orders"),
      plan,
      selection({ resources: [UNKNOWN.string] }, { planId: ["plan"], resources: ["orders"] }, "a"),
      selection({ resources: ["*"] }, { planId: ["plan"] }, "b"),
    ]);
    expect(r.coveredBy).toEqual(['backup plan "plan" (backup selection "a")', 'backup plan "plan" (backup selection "b")']);
    expect(r.sources.snapshotRules).toEqual([{ name: '"daily" of plan "plan"', scheduleExpression: "cron(0 5 ? * * *)" }]);
  });

  it("lists a plan outside the stack apart, and as covering the database", () => {
    const r = recoveryOf([prodRds("orders"), selection({ planId: "abc-123", resources: ["*"] }, {}, "external")]);
    expect(r.outsideStack).toEqual(['backup plan abc-123 (not in this stack) through backup selection "external"']);
    expect(r.coveredBy).toEqual(['backup plan abc-123 (not in this stack) (backup selection "external")']);
    expect([r.pending, r.sources.snapshotRules]).toEqual([[], []]);
  });

  it("joins several point-in-time sources", () => {
    const r = recoveryOf([prodRds("orders", { deleteAutomatedBackups: false }), ...backedUp(["orders"], { continuous: true })]);
    expect(r.sources.pointInTimeSource).toBe('AWS Backup continuous backup (rule "daily" of plan "plan"); RDS automated backups kept after deletion');
    expect(r.assessment.basis).toBe('AWS Backup continuous backup (rule "daily" of plan "plan"); RDS automated backups kept after deletion (point in time, about 5 min)');
  });

  it("recovers with the graph it is given (all databases) or builds its own (production ones)", () => {
    const stack = stackView({ resources: [prodRds("orders"), { type: RDS, name: "scratch", props: { identifier: "scratch", tags: {} } }, ...backedUp(["orders"])] });
    const byDefault = [...recoveryByDatabase(stack).values()];
    expect(byDefault.map((r) => [r.database.view.name, r.coveredBy, r.sources.snapshotRules])).toEqual([
      ["orders", ['backup plan "plan" (backup selection "selection")'], [{ name: '"daily" of plan "plan"', scheduleExpression: "cron(0 5 ? * * *)" }]],
    ]);
    expect(recoveryByDatabase(stack, { from: FROM }).size).toBe(1);
    expect(recoveryByDatabase(stack, { from: FROM, graph: buildBackupGraph(stack, { scope: "all" }) }).size).toBe(2);
  });
});

describe("recoveryByDatabase: rules of the selected plans", () => {
  const recoveryWith = (rules: unknown, db: StackResourceSpec = prodRds("orders")) => {
    const stack = stackView({ resources: [db, planWith("plan", rules), selection({ resources: [UNKNOWN.string] }, { planId: ["plan"], resources: [db.name] })] });
    return [...recoveryByDatabase(stack, { from: FROM }).values()][0];
  };
  const LABEL = '"daily" of plan "plan"';
  const table: StackResourceSpec = { type: TABLE, name: "carts", props: { name: "carts", tags: PROD } };

  it("counts continuous backup (also given as text) as point-in-time recovery for RDS", () => {
    for (const enableContinuousBackup of [true, "true"]) {
      const r = recoveryWith([{ ruleName: "daily", targetVaultName: "vault", enableContinuousBackup }]);
      expect(r.sources).toEqual({ pointInTimeSurvivesDeletion: true, pointInTimeSource: `AWS Backup continuous backup (rule ${LABEL})`, snapshotRules: [] });
      expect(r.assessment.worstCaseMinutes).toBe(5);
      expect(r.pending).toEqual([]);
    }
  });

  it("counts a rule whose continuous backup is unknown as a snapshot, pending for RDS only", () => {
    const rule = [{ ruleName: "daily", targetVaultName: "vault", enableContinuousBackup: UNKNOWN.bool }];
    const rds = recoveryWith(rule);
    expect(rds.pending).toEqual([`whether rule ${LABEL} is a continuous backup (enableContinuousBackup is unknown until deployment)`]);
    expect(rds.sources.snapshotRules).toEqual([{ name: LABEL, scheduleExpression: "cron(0 5 ? * * *)" }]);
    const dynamo = recoveryWith(rule, table);
    expect(dynamo.pending).toEqual([]);
    expect(dynamo.sources.snapshotRules).toEqual([{ name: LABEL, scheduleExpression: "cron(0 5 ? * * *)" }]);
    const continuousTable = recoveryWith([{ ruleName: "daily", targetVaultName: "vault", enableContinuousBackup: true }], table);
    expect(continuousTable.sources).toEqual({ pointInTimeSurvivesDeletion: false, pointInTimeSource: undefined, snapshotRules: [{ name: LABEL, scheduleExpression: "cron(0 5 ? * * *)" }] });
  });

  it("counts a rule with continuous backup off as a snapshot rule", () => {
    expect(recoveryWith([{ ruleName: "daily", targetVaultName: "vault", enableContinuousBackup: false, schedule: "cron(0 * ? * * *)" }]).sources.snapshotRules).toEqual([{ name: LABEL, scheduleExpression: "cron(0 * ? * * *)" }]);
  });

  it("does not count a rule whose schedule, time zone or start window is unknown, and names which", () => {
    const r = recoveryWith([
      { ruleName: "daily", targetVaultName: "vault", schedule: UNKNOWN.string, scheduleExpressionTimezone: UNKNOWN.string },
      { ruleName: "window", targetVaultName: "vault", startWindow: UNKNOWN.number },
    ]);
    expect(r.pending).toEqual([`rule ${LABEL}: schedule, scheduleExpressionTimezone unknown until deployment`, 'rule "window" of plan "plan": startWindow unknown until deployment']);
    expect(r.sources.snapshotRules).toEqual([]);
    expect(rpoStatus(r, 100000)).toBe("unknown");
  });

  it("passes schedule, time zone and start window on, with AWS's default schedule when none is given", () => {
    const r = recoveryWith([{ ruleName: "daily", targetVaultName: "vault", scheduleExpressionTimezone: "Europe/Paris", startWindow: "120" }]);
    expect(r.sources.snapshotRules).toEqual([{ name: LABEL, scheduleExpression: "cron(0 5 ? * * *)", scheduleExpressionTimezone: "Europe/Paris", startWindowMinutes: 120 }]);
    // Paris leaves summer time once a year: 25 h between two 05:00 starts.
    expect(r.assessment.worstCaseMinutes).toBe(1500 + 120);
    expect(r.invalidRules).toEqual([]);
  });

  it("attributes each rule AWS Backup would refuse to its plan and rule, without the rule prefix", () => {
    const r = recoveryWith([
      { ruleName: "daily", targetVaultName: "vault", startWindow: "soon" },
      { ruleName: "zone", targetVaultName: "vault", scheduleExpressionTimezone: "Mars/Olympus" },
      { ruleName: "typed", targetVaultName: "vault", schedule: 42 },
      { ruleName: "short", targetVaultName: "vault", startWindow: 59 },
    ]);
    expect(r.invalidRules.map((x) => [x.plan.view.name, x.ruleName, x.scheduleExpression, x.error.startsWith("rule ")])).toEqual([
      ["plan", "daily", "cron(0 5 ? * * *)", false],
      ["plan", "zone", "cron(0 5 ? * * *)", false],
      ["plan", "typed", "42", false],
      ["plan", "short", "cron(0 5 ? * * *)", false],
    ]);
    expect(r.invalidRules[0].error).toBe("startWindowMinutes must be a number of minutes, not a string");
    expect(r.invalidRules[3].error).toBe("startWindowMinutes 59 is below 60, which AWS Backup refuses; leave it out for 480 min or set at least 60");
    expect(r.assessment.worstCaseMinutes).toBeUndefined();
  });

  it("accepts the smallest start window AWS Backup allows", () => {
    const r = recoveryWith([{ ruleName: "daily", targetVaultName: "vault", schedule: "cron(0 * ? * * *)", startWindow: 60 }]);
    expect(r.invalidRules).toEqual([]);
    expect(r.assessment.worstCaseMinutes).toBe(120);
  });

  it("keeps each database's own names when plans with the same rules share one analysis", () => {
    const stack = stackView({
      resources: [
        prodRds("a", { deleteAutomatedBackups: false }),
        { type: TABLE, name: "b", props: { name: "b", tags: PROD, pointInTimeRecovery: { enabled: true } } },
        prodRds("c"),
        prodRds("d"),
        planWith("plan-c", [{ ruleName: "bad", targetVaultName: "v", startWindow: 10 }]),
        planWith("plan-d", [{ ruleName: "bad", targetVaultName: "v", startWindow: 10 }]),
        selection({ resources: [UNKNOWN.string] }, { planId: ["plan-c"], resources: ["c"] }, "sel-c"),
        selection({ resources: [UNKNOWN.string] }, { planId: ["plan-d"], resources: ["d"] }, "sel-d"),
      ],
    });
    const [a, b, c, d] = [...recoveryByDatabase(stack, { from: FROM }).values()];
    expect(a.assessment.basis).toBe("RDS automated backups kept after deletion (point in time, about 5 min)");
    expect(b.assessment.basis).toBe("DynamoDB point-in-time recovery (point in time, about 5 min)");
    expect(c.assessment.invalidRules.map((x) => x.name)).toEqual(['"bad" of plan "plan-c"']);
    expect(d.assessment.invalidRules.map((x) => x.name)).toEqual(['"bad" of plan "plan-d"']);
    expect(d.assessment.invalidRules[0].error).toBe('rule "bad" of plan "plan-d": startWindowMinutes 10 is below 60, which AWS Backup refuses; leave it out for 480 min or set at least 60');
    expect(d.invalidRules.map((x) => [x.plan.view.name, x.ruleName])).toEqual([["plan-d", "bad"]]);
  });

  it("puts back the names of plans with more than ten rules", () => {
    const rules = Array.from({ length: 11 }, (_, i) => ({ ruleName: `r${i + 1}`, targetVaultName: "vault", ...(i === 10 ? { startWindow: 10 } : {}) }));
    const r = recoveryWith(rules);
    expect(r.assessment.rules.map((x) => x.name)[10]).toBe('"r11" of plan "plan"');
    expect(r.invalidRules.map((x) => [x.ruleName, x.error])).toEqual([["r11", "startWindowMinutes 10 is below 60, which AWS Backup refuses; leave it out for 480 min or set at least 60"]]);
  });

  it("keeps dates as dates when it puts the names back", () => {
    const r = recoveryWith([{ ruleName: "daily", targetVaultName: "vault" }]);
    expect(r.assessment.rules[0].name).toBe(LABEL);
    expect(r.assessment.rules[0].largestInterval?.from).toBeInstanceOf(Date);
    expect(r.assessment.basis).toBe(`rule ${LABEL}: cron(0 5 ? * * *) UTC, up to 1440 min (24 h) between starts + 480 min (8 h) start window`);
  });

  it("labels a snapshot rule by rule and plan", () => {
    const g = graphOf([planWith("nightly", [{ ruleName: "r1", targetVaultName: "v" }])]);
    expect(snapshotRuleLabel(g.plans[0], g.plans[0].rules[0])).toBe('"r1" of plan "nightly"');
  });
});

describe("recoveryByDatabase: the database's own point-in-time recovery", () => {
  const own = (db: StackResourceSpec) => {
    const stack = stackView({ resources: [db] });
    const r = [...recoveryByDatabase(stack, { from: FROM }).values()][0];
    return { source: r.sources.pointInTimeSource, pending: r.pending };
  };
  const none = { source: undefined, pending: [] };
  const KEPT = { source: "RDS automated backups kept after deletion", pending: [] };
  const RETENTION_UNKNOWN = { source: undefined, pending: ["whether RDS automated backups are on (backupRetentionPeriod is unknown until deployment)"] };
  const KEEPS_UNKNOWN = { source: undefined, pending: ["whether RDS automated backups survive deletion (deleteAutomatedBackups is unknown until deployment)"] };

  it.each<[string, Record<string, unknown>, unknown]>([
    ["retention 0, backups kept", { backupRetentionPeriod: 0, deleteAutomatedBackups: false }, none],
    ["retention 1, backups kept", { backupRetentionPeriod: 1, deleteAutomatedBackups: false }, KEPT],
    ["retention as text, kept as text", { backupRetentionPeriod: "7", deleteAutomatedBackups: "false" }, KEPT],
    ["retention absent (AWS: 1 day), backups kept", { deleteAutomatedBackups: false }, KEPT],
    ["a read replica with retention absent (AWS: 0)", { replicateSourceDb: "src", deleteAutomatedBackups: false }, none],
    ["maybe a read replica with retention absent", { replicateSourceDb: UNKNOWN.string, deleteAutomatedBackups: false }, RETENTION_UNKNOWN],
    ["retention unknown, backups kept", { backupRetentionPeriod: UNKNOWN.number, deleteAutomatedBackups: false }, RETENTION_UNKNOWN],
    ["retention not a number, backups kept", { backupRetentionPeriod: "a week", deleteAutomatedBackups: false }, none],
    ["retention 7, deletion of backups unknown", { backupRetentionPeriod: 7, deleteAutomatedBackups: UNKNOWN.bool }, KEEPS_UNKNOWN],
    ["retention unknown, deletion of backups unknown", { backupRetentionPeriod: UNKNOWN.number, deleteAutomatedBackups: UNKNOWN.bool }, KEEPS_UNKNOWN],
    ["retention 0, deletion of backups unknown", { backupRetentionPeriod: 0, deleteAutomatedBackups: UNKNOWN.bool }, none],
    ["retention 7, backups deleted", { backupRetentionPeriod: 7, deleteAutomatedBackups: true }, none],
    ["retention 7, deletion of backups at AWS's default", { backupRetentionPeriod: 7 }, none],
    ["retention 7, deletion of backups not a boolean", { backupRetentionPeriod: 7, deleteAutomatedBackups: "no" }, none],
  ])("RDS instance: %s", (_label, props, expected) => {
    expect(own(prodRds("orders", props))).toEqual(expected);
  });

  it("never reads a cluster as a read replica", () => {
    expect(own({ type: CLUSTER, name: "ledger", props: { clusterIdentifier: "ledger", tags: PROD, replicationSourceIdentifier: UNKNOWN.string, deleteAutomatedBackups: false } })).toEqual(KEPT);
  });

  const table = (props: Record<string, unknown>): StackResourceSpec => ({ type: TABLE, name: "carts", props: { name: "carts", tags: PROD, ...props } });
  const PITR = { source: "DynamoDB point-in-time recovery", pending: [] };
  const PITR_UNKNOWN = { source: undefined, pending: ["whether DynamoDB point-in-time recovery is enabled (unknown until deployment)"] };
  it.each<[string, Record<string, unknown>, unknown]>([
    ["enabled", { pointInTimeRecovery: { enabled: true } }, PITR],
    ["enabled in a one-element list", { pointInTimeRecovery: [{ enabled: true }] }, PITR],
    ["enabled as text", { pointInTimeRecovery: { enabled: "true" } }, PITR],
    ["enabled as JSON text", { pointInTimeRecovery: JSON.stringify({ enabled: true }) }, PITR],
    ["unknown", { pointInTimeRecovery: { enabled: UNKNOWN.bool } }, PITR_UNKNOWN],
    ["an unknown block", { pointInTimeRecovery: UNKNOWN.object }, PITR_UNKNOWN],
    ["disabled", { pointInTimeRecovery: { enabled: false } }, none],
    ["not a boolean", { pointInTimeRecovery: { enabled: "yes" } }, none],
    ["absent, with RDS settings that do not apply", { backupRetentionPeriod: 7, deleteAutomatedBackups: false }, none],
  ])("DynamoDB table: point-in-time recovery %s", (_label, props, expected) => {
    expect(own(table(props))).toEqual(expected);
  });
});

describe("rpoStatus", () => {
  const r = (worstCaseMinutes: number | undefined, pending: string[]) => ({ assessment: { worstCaseMinutes }, pending }) as unknown as DatabaseRecovery;
  it("is ok up to and including the maximum, whatever is pending", () => {
    expect(rpoStatus(r(60, []), 60)).toBe("ok");
    expect(rpoStatus(r(60, ["x"]), 60)).toBe("ok");
    expect(rpoStatus(r(59, []), 60)).toBe("ok");
  });
  it("is over above the maximum, unknown when something is pending, none without any source", () => {
    expect(rpoStatus(r(61, []), 60)).toBe("over");
    expect(rpoStatus(r(61, ["x"]), 60)).toBe("unknown");
    expect(rpoStatus(r(undefined, []), 60)).toBe("none");
    expect(rpoStatus(r(undefined, ["x"]), 60)).toBe("unknown");
  });
});

// ---------------------------------------------------------------------------------------------
// Known bugs: these cases are written as the code should behave and fail today.

describe("malformed inputs once mistaken for protection or for unknowns", () => {
  it("does not count a plan rule that is not a rule block as a daily snapshot rule, and names it", () => {
    for (const element of [42, "cron(0 * * * ? *)"]) {
      const stack = stackView({ resources: [prodRds("orders"), ...backedUp(["orders"]).map((r) => (r.type === PLAN ? { ...r, props: { rules: [element] } } : r))] });
      const r = [...recoveryByDatabase(stack, { from: FROM }).values()][0];
      expect(r.assessment.worstCaseMinutes).toBeUndefined();
      expect(r.invalidRules).toEqual([{ plan: expect.objectContaining({ view: expect.objectContaining({ name: "plan" }) }), ruleName: "#1", scheduleExpression: String(element), error: `it is ${JSON.stringify(element)}, not a rule block` }]);
    }
  });

  it("does not take a wrong-typed schedule for AWS's default daily one", () => {
    const stack = stackView({ resources: [prodRds("orders"), ...backedUp(["orders"]).map((r) => (r.type === PLAN ? { ...r, props: { rules: [{ ruleName: "daily", targetVaultName: "vault", schedule: 42 }] } } : r))] });
    const r = [...recoveryByDatabase(stack, { from: FROM }).values()][0];
    expect(r.assessment.worstCaseMinutes).toBeUndefined();
    expect(r.invalidRules.map((i) => i.error)).toEqual(['schedule expression must be a string such as "cron(0 5 ? * * *)", not a number']);
  });

  it("notes a selectionTags entry whose key is unknown but whose value is missing or not a string", () => {
    for (const entry of [{ type: "STRINGEQUALS", key: UNKNOWN.string }, { type: UNKNOWN.string, key: 5, value: "daily" }]) {
      const g = graphOf([prodRds("orders"), plan, selection({ resources: [ORDERS_ARN], selectionTags: [entry] })]);
      expect(selectionOf(g).notes).toEqual([`selectionTags entry ${describeValue(entry)} lacks a string type, key or value`]);
      expect(selectedBy(g, "orders")).toBe("no");
    }
  });
});
