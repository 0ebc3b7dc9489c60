/**
 * Whole messages and exact behaviours of four stack rules: backup-restore-testing,
 * backup-offsite-copy, prod-db-event-alerts and prod-db-rpo.
 *
 * Each case pins down one thing the rule decides (which selections or subscriptions are
 * considered, how an unknown or malformed setting counts, how a list of names is cut and joined)
 * by asserting the complete findings, so a change to any part of a message or a verdict fails it.
 */
import { UNKNOWN } from "../../guard/wire";
import type { Finding } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { backupOffsiteCopy } from "../../policies/rules/backup-offsite-copy";
import { backupRestoreTesting } from "../../policies/rules/backup-restore-testing";
import { prodDbEventAlerts } from "../../policies/rules/prod-db-event-alerts";
import { maxRpoFrom, prodDbRpo } from "../../policies/rules/prod-db-rpo";
import { ACCOUNT, EVENTS, PLAN, RT_PLAN, RT_SELECTION, SELECTION, type StackResourceSpec, VAULT, backedUp, prodRds, stackView } from "../helpers/stack-view";

const SETTINGS = DEFAULT_SETTINGS as SharedSettings;
const ORDERS_URN = "urn:pulumi:dev::proj::aws:rds/instance:Instance::orders";
const PLAN_URN = "urn:pulumi:dev::proj::aws:backup/plan:Plan::plan";
const deferredMessage = (label: string, what: string) => `${label}: ${what} is unknown until deployment; this check runs again with the real value at \`pulumi up\`.`;
/** What prod-db-event-alerts and prod-db-rpo say of a database whose replica source is unknown. */
const MAYBE_REPLICA: Finding[] = [
  { deferred: true, urn: "urn:pulumi:dev::proj::aws:rds/instance:Instance::maybe", name: "maybe", message: deferredMessage('RDS instance "maybe"', "whether it is a read replica") },
];

// ---------------------------------------------------------------------------------------------

describe("backup-restore-testing: whole messages", () => {
  const check = (resources: StackResourceSpec[]) => backupRestoreTesting.check(stackView({ resources }), {}, SETTINGS);
  const rtPlan: StackResourceSpec = { type: RT_PLAN, name: "restore-tests", props: { name: "restore_tests" } };
  const rt = (name: string, props: Record<string, unknown>, deps: Record<string, string[]> = {}): StackResourceSpec => ({
    type: RT_SELECTION,
    name,
    props: { restoreTestingPlanName: "restore_tests", ...props },
    propertyDependencies: deps,
  });
  /** A selection AWS Backup refuses: protectedResourceArns is not a list. */
  const broken = (name: string): StackResourceSpec => rt(name, { protectedResourceType: "RDS", protectedResourceArns: 42 });
  const brokenText = (name: string) => `restore testing selection "${name}": protectedResourceArns is 42, not a list of ARNs`;
  const notCovered = (note = ""): Finding => ({
    urn: ORDERS_URN,
    name: "orders",
    message: `RDS instance "orders": no AWS Backup restore testing selection covers it (none has protectedResourceType "RDS" with its ARN, "*" or conditions matching its tags in its Region and account)${note}. Why it matters: a backup that has never been restored may not restore when the database is lost. Fix: add an aws.backup.RestoreTestingSelection with restoreTestingPlanName: <plan>.name, protectedResourceType: "RDS" and protectedResourceArns: [orders.arn] for this RDS instance.`,
  });

  it("names a selection that selects nothing as written", () => {
    expect(check([prodRds("orders"), rtPlan, broken("b1")])).toEqual([notCovered(`; these select nothing as written: ${brokenText("b1")}`)]);
  });

  it("names each note of a selection apart, joined by semicolons", () => {
    const twoNotes: StackResourceSpec = { type: RT_SELECTION, name: "bad", props: { protectedResourceType: "RDS", protectedResourceArns: 42 } };
    expect(check([prodRds("orders"), rtPlan, twoNotes])).toEqual([
      notCovered(
        '; these select nothing as written: restore testing selection "bad": restoreTestingPlanName is not set, and AWS Backup refuses a restore testing selection without its plan; restore testing selection "bad": protectedResourceArns is 42, not a list of ARNs',
      ),
    ]);
  });

  it("lists exactly three broken selections without a remainder", () => {
    expect(check([prodRds("orders"), rtPlan, broken("b1"), broken("b2"), broken("b3")])).toEqual([
      notCovered(`; these select nothing as written: ${brokenText("b1")}; ${brokenText("b2")}; ${brokenText("b3")}`),
    ]);
  });

  it("lists the first three of more broken selections and counts the rest", () => {
    expect(check([prodRds("orders"), rtPlan, broken("b1"), broken("b2"), broken("b3"), broken("b4")])).toEqual([
      notCovered(`; these select nothing as written: ${brokenText("b1")}; ${brokenText("b2")}; ${brokenText("b3")} (and 1 more)`),
    ]);
    expect(check([prodRds("orders"), rtPlan, broken("b1"), broken("b2"), broken("b3"), broken("b4"), broken("b5"), broken("b6")])).toEqual([
      notCovered(`; these select nothing as written: ${brokenText("b1")}; ${brokenText("b2")}; ${brokenText("b3")} (and 3 more)`),
    ]);
  });

  it("keeps every selection that depends on the database, not only the last one", () => {
    // Both list the database by an unknown ARN explained by a dependency on it; only the first has its type.
    const rds = rt("first", { protectedResourceType: "RDS", protectedResourceArns: [UNKNOWN.string] }, { protectedResourceArns: ["orders"] });
    const dynamo = rt("second", { protectedResourceType: "DynamoDB", protectedResourceArns: [UNKNOWN.string] }, { protectedResourceArns: ["orders"] });
    expect(check([prodRds("orders"), rtPlan, rds, dynamo])).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("backup-offsite-copy: exact behaviours", () => {
  const check = (resources: StackResourceSpec[]) => backupOffsiteCopy.check(stackView({ resources }), {}, SETTINGS);
  const planViolation = (problem: string): Finding => ({
    urn: PLAN_URN,
    name: "plan",
    message: `backup plan "plan": ${problem}. Why it matters: a Region outage, or anyone with administrator rights in this account, can take the backups together with the database. Fix: add copyActions: [{ destinationVaultArn: <vault in another Region or account>.arn }] to rule "daily" of this plan.`,
  });
  const dr: StackResourceSpec = { type: VAULT, name: "dr", props: { name: "dr", region: "us-west-2" } };
  /** The backedUp() stack with one rule whose target is unknown and which depends on `deps` (in that order). */
  const unknownTarget = (deps: string[], copyActions: unknown): StackResourceSpec[] => [
    prodRds("orders"),
    ...backedUp(["orders"]).map((r) => (r.type === PLAN ? { ...r, props: { name: "plan", rules: [{ ruleName: "daily", targetVaultName: UNKNOWN.string, copyActions }] }, propertyDependencies: { rules: deps } } : r)),
    dr,
  ];

  it("measures from the plan's location when the target may be either of several vaults, whichever is listed first", () => {
    const toEast = [{ destinationVaultArn: `arn:aws:backup:us-east-1:${ACCOUNT}:backup-vault:other` }];
    const local = planViolation('rule "daily" (backing up production database "orders") copies only within us-east-1/111111111111');
    expect(check(unknownTarget(["dr", "vault"], toEast))).toEqual([local]);
    expect(check(unknownTarget(["vault", "dr"], toEast))).toEqual([local]);
  });

  it("ignores a production database's selection whose plan is not in this stack", () => {
    const outside: StackResourceSpec = { type: SELECTION, name: "elsewhere", props: { planId: "plan-elsewhere", iamRoleArn: "arn:aws:iam::111111111111:role/b", resources: [UNKNOWN.string] }, propertyDependencies: { resources: ["orders"] } };
    expect(check([prodRds("orders"), outside])).toEqual([]);
    // ... and still judges the plan of this stack that backs it up too.
    expect(check([prodRds("orders"), outside, ...backedUp(["orders"])])).toEqual([
      planViolation('rule "daily" (backing up production database "orders") has no copyActions, so every recovery point stays in us-east-1/111111111111'),
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("prod-db-event-alerts: exact behaviours", () => {
  const check = (resources: StackResourceSpec[]) => prodDbEventAlerts.check(stackView({ resources }), {}, SETTINGS);
  const sub = (name: string, props: Record<string, unknown>, deps: Record<string, string[]> = {}): StackResourceSpec => ({
    type: EVENTS,
    name,
    props: { snsTopic: "arn:aws:sns:us-east-1:111111111111:alerts", ...props },
    propertyDependencies: deps,
  });
  const FIX = 'Fix: add an aws.rds.EventSubscription with snsTopic: <alert topic>.arn, sourceType: "db-instance", sourceIds: [orders.identifier] (or no sourceIds for every db-instance) and eventCategories: ["deletion", "restoration"] (or none for all).';
  const missing = (categories = '"deletion" and "restoration"', note = "", name = "orders"): Finding => ({
    urn: `urn:pulumi:dev::proj::aws:rds/instance:Instance::${name}`,
    name,
    message: `RDS instance "${name}": no enabled RDS event subscription in its Region and account sends its ${categories} events (source type db-instance)${note}. Why it matters: a deletion of the database, or a restore that replaces it, then goes unnoticed until users miss their data. ${FIX.replace("orders.identifier", `${name}.identifier`)}`,
  });
  const pending: Finding = {
    deferred: true,
    urn: ORDERS_URN,
    name: "orders",
    message: deferredMessage('RDS instance "orders"', 'whether an RDS event subscription sends its "deletion" and "restoration" events (a subscription\'s settings, Region or the database\'s identifier)'),
  };

  describe("enabled", () => {
    it.each<[string, unknown]>([
      ["true", true],
      ['"true"', "true"],
    ])("counts a subscription whose enabled is %s", (_label, enabled) => {
      expect(check([prodRds("orders"), sub("alerts", { enabled, sourceType: "db-instance" })])).toEqual([]);
    });

    it("does not count a subscription whose enabled is not a boolean, nor defers it", () => {
      expect(check([prodRds("orders"), sub("alerts", { enabled: "sometimes", sourceType: "db-instance" })])).toEqual([missing()]);
    });
  });

  describe("sourceType", () => {
    it("defers a subscription whose sourceType is unknown until deployment", () => {
      expect(check([prodRds("orders"), sub("alerts", { sourceType: UNKNOWN.string })])).toEqual([pending]);
    });

    it("does not count a subscription whose sourceType is not a string, nor defers it", () => {
      expect(check([prodRds("orders"), sub("alerts", { sourceType: 5 })])).toEqual([missing()]);
    });
  });

  describe("eventCategories", () => {
    it("counts an empty list as every category", () => {
      expect(check([prodRds("orders"), sub("alerts", { sourceType: "db-instance", eventCategories: [] })])).toEqual([]);
    });

    it("defers categories unknown until deployment", () => {
      expect(check([prodRds("orders"), sub("alerts", { sourceType: "db-instance", eventCategories: UNKNOWN.array })])).toEqual([pending]);
    });

    it("does not count categories that are not a list of strings, nor defers them", () => {
      expect(check([prodRds("orders"), sub("alerts", { sourceType: "db-instance", eventCategories: 42 })])).toEqual([missing()]);
    });
  });

  describe("sourceIds", () => {
    it("does not count a subscription that depends on the database but lists only another identifier", () => {
      // The property dependency explains no unknown entry: the list is known, and it is not this database.
      expect(check([prodRds("orders"), sub("alerts", { sourceType: "db-instance", sourceIds: ["users"] }, { sourceIds: ["orders"] })])).toEqual([missing()]);
    });

    it("does not count, for a database whose identifier is unknown, a subscription whose only unknown id is another database's", () => {
      const resources = [prodRds("orders", { identifier: UNKNOWN.string }), prodRds("users"), sub("alerts", { sourceType: "db-instance", sourceIds: [UNKNOWN.string] }, { sourceIds: ["users"] })];
      expect(check(resources)).toEqual([missing()]);
    });

    it("keeps every subscription that lists the database, not only the last one", () => {
      const resources = [
        prodRds("orders"),
        sub("both", { sourceType: "db-instance", sourceIds: ["orders"], eventCategories: ["deletion", "restoration"] }),
        sub("failures", { sourceType: "db-instance", sourceIds: ["orders"], eventCategories: ["failure"] }),
      ];
      expect(check(resources)).toEqual([]);
    });
  });

  describe("which databases it judges", () => {
    it("does not judge a read replica, and defers a database that may be one", () => {
      expect(check([prodRds("replica", { replicateSourceDb: "orders" })])).toEqual([]);
      expect(check([prodRds("maybe", { replicateSourceDb: UNKNOWN.string })])).toEqual(MAYBE_REPLICA);
    });
  });

  describe("subscriptions that send nothing as written", () => {
    const bad = (name: string) => sub(name, { sourceType: "db-instance", sourceIds: 42 });
    const badText = (name: string) => `RDS event subscription "${name}": sourceIds is 42, not a list of ARNs`;

    it("names one", () => {
      expect(check([prodRds("orders"), bad("bad1")])).toEqual([missing(undefined, `; these send nothing as written: ${badText("bad1")}`)]);
    });

    it("names exactly three without a remainder", () => {
      expect(check([prodRds("orders"), bad("bad1"), bad("bad2"), bad("bad3")])).toEqual([missing(undefined, `; these send nothing as written: ${badText("bad1")}; ${badText("bad2")}; ${badText("bad3")}`)]);
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe("prod-db-rpo: exact behaviours", () => {
  const check = (resources: StackResourceSpec[], config = {}) => prodDbRpo.check(stackView({ resources }), config, SETTINGS);
  const WHY = "Why it matters: after an accidental deletion or a restore over it, everything written since the last recovery point is lost.";
  const FIX_60 =
    "Fix: add a rule with enableContinuousBackup: true to a backup plan whose selection picks it (about 5 min), or set deleteAutomatedBackups: false with backupRetentionPeriod >= 1 so its point-in-time backups survive deletion (snapshot rules alone cannot reach 60 min: the best AWS Backup allows is hourly with a 60-minute startWindow, 120 min).";
  const PLAN_WHY = "Why it matters: AWS Backup refuses such a rule or stops running it, so the databases it was meant to protect are not backed up on that schedule.";
  const planFix = (rule: string) =>
    `Fix: correct rules[] "${rule}" of this plan: schedule as an AWS cron expression cron(Minutes Hours Day-of-month Month Day-of-week Year) at least 60 minutes apart (e.g. "cron(0 * ? * * *)"), startWindow >= 60, scheduleExpressionTimezone an IANA zone.`;
  const FIVE_FIELDS = "has 5 fields; AWS cron needs exactly 6: Minutes Hours Day-of-month Month Day-of-week Year; AWS cron needs the Year field too, and Unix cron's five-field form is not accepted";
  const withPlan = (rules: unknown[], databases = ["orders"]) => [
    ...databases.map((d) => prodRds(d)),
    ...backedUp(databases).map((r) => (r.type === PLAN ? { ...r, props: { ...r.props, rules } } : r)),
  ];

  describe("maxRpoMinutes", () => {
    it("uses the default without a finding when there is no config at all", () => {
      expect(maxRpoFrom(undefined)).toEqual({ max: 60 });
      expect(maxRpoFrom({})).toEqual({ max: 60 });
    });

    it.each<[string, unknown, string]>([
      ["zero", 0, "0"],
      ["text", "90", '"90"'],
      ["infinite", Number.POSITIVE_INFINITY, "null"],
    ])("falls back to 60 with a finding when it is %s", (_label, maxRpoMinutes, shown) => {
      expect(maxRpoFrom({ maxRpoMinutes: maxRpoMinutes as number })).toEqual({
        max: 60,
        problem: {
          message: `Policy config: prod-db-rpo.maxRpoMinutes is ${shown}, not a number of minutes >= 1; the default 60 is used. Why it matters: a target that cannot be read must not silently loosen the check. Fix: set prod-db-rpo.maxRpoMinutes to a whole number of minutes in the policy config.`,
        },
      });
    });

    it("accepts 1 and fractions above it", () => {
      expect(maxRpoFrom({ maxRpoMinutes: 1 })).toEqual({ max: 1 });
      expect(maxRpoFrom({ maxRpoMinutes: 90.5 })).toEqual({ max: 90.5 });
    });

    it("offers a snapshot rule as a fix from a target of exactly 120 min (hourly, 60-minute start window)", () => {
      const fs = check([prodRds("orders"), ...backedUp(["orders"])], { maxRpoMinutes: 120 });
      expect(fs).toEqual([
        {
          urn: ORDERS_URN,
          name: "orders",
          message: `RDS instance "orders": the worst-case data-loss window is 1920 min (32 h) (rule "daily" of plan "plan": cron(0 5 ? * * *) UTC, up to 1440 min (24 h) between starts + 480 min (8 h) start window), above the maximum of 120 min. ${WHY} Fix: add a rule with enableContinuousBackup: true to a backup plan whose selection picks it (about 5 min), or set deleteAutomatedBackups: false with backupRetentionPeriod >= 1 so its point-in-time backups survive deletion or a snapshot rule whose largest gap between scheduled starts plus its startWindow is at most 120 min.`,
        },
      ]);
    });
  });

  describe("which databases it judges", () => {
    it("does not judge a read replica, and defers a database that may be one", () => {
      expect(check([prodRds("replica", { replicateSourceDb: "orders" })])).toEqual([]);
      expect(check([prodRds("maybe", { replicateSourceDb: UNKNOWN.string })])).toEqual(MAYBE_REPLICA);
    });
  });

  describe("lists in messages", () => {
    it("reports each rule it does not count on the plan once, naming the first database, and joins them on the database", () => {
      const bad = (ruleName: string) => ({ ruleName, targetVaultName: "vault", schedule: "cron(0 5 * * *)" });
      const fs = check(withPlan([bad("bad"), bad("bad2")], ["orders", "users"]));
      const dbFinding = (name: string) => ({
        urn: `urn:pulumi:dev::proj::aws:rds/instance:Instance::${name}`,
        name,
        message: `RDS instance "${name}": it has no recovery point source: no point-in-time recovery that survives its deletion and no valid backup rule; not counted: rule "bad" of plan "plan", rule "bad2" of plan "plan" (target: at most 60 min). ${WHY} ${FIX_60}`,
      });
      const planFinding = (rule: string) => ({
        urn: PLAN_URN,
        name: "plan",
        message: `backup plan "plan": its rule "${rule}" is not counted as a backup of production database "orders": schedule expression "cron(0 5 * * *)" ${FIVE_FIELDS}. ${PLAN_WHY} ${planFix(rule)}`,
      });
      expect(fs).toEqual([dbFinding("orders"), dbFinding("users"), planFinding("bad"), planFinding("bad2")]);
    });

    it("joins the plans outside the stack with commas", () => {
      const outside = (name: string, planId: string): StackResourceSpec => ({
        type: SELECTION,
        name,
        props: { planId, resources: [UNKNOWN.string], iamRoleArn: "arn:aws:iam::111111111111:role/b" },
        propertyDependencies: { resources: ["orders"] },
      });
      expect(check([prodRds("orders"), outside("sel-a", "plan-a"), outside("sel-b", "plan-b")])).toEqual([
        {
          urn: ORDERS_URN,
          name: "orders",
          message: `RDS instance "orders": it has no recovery point source: no point-in-time recovery that survives its deletion and no valid backup rule; not counted because not in this stack: backup plan plan-a (not in this stack) through backup selection "sel-a", backup plan plan-b (not in this stack) through backup selection "sel-b" (target: at most 60 min). ${WHY} ${FIX_60}`,
        },
      ]);
    });

    it("joins what is still unknown with semicolons", () => {
      const fs = check(withPlan([{ ruleName: "a", targetVaultName: "vault", schedule: UNKNOWN.string }, { ruleName: "b", targetVaultName: "vault", schedule: UNKNOWN.string }]));
      expect(fs).toEqual([
        {
          deferred: true,
          urn: ORDERS_URN,
          name: "orders",
          message: deferredMessage(
            'RDS instance "orders"',
            'its worst-case data-loss window (from known sources no recovery point source is known; still unknown: rule "a" of plan "plan": schedule unknown until deployment; rule "b" of plan "plan": schedule unknown until deployment)',
          ),
        },
      ]);
    });
  });
});
