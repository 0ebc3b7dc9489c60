/**
 * prod-db-rpo, called directly on stack views: each recovery source, each way to miss the target,
 * unparseable schedules, configuration, and values unknown during a preview.
 */
import { UNKNOWN } from "../../guard/wire";
import type { Finding } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { type ProdDbRpoConfig, prodDbRpo } from "../../policies/rules/prod-db-rpo";
import { CLUSTER, PLAN, PROD, RDS, SELECTION, type StackResourceSpec, TABLE, backedUp, prodRds, stackView } from "../helpers/stack-view";

function check(resources: StackResourceSpec[], config: ProdDbRpoConfig = {}): Finding[] {
  return prodDbRpo.check(stackView({ resources }), config, DEFAULT_SETTINGS as SharedSettings);
}
const violations = (fs: Finding[]) => fs.filter((f) => !f.deferred);
const deferred = (fs: Finding[]) => fs.filter((f) => f.deferred);

describe("prod-db-rpo", () => {
  it("passes continuous backup, RDS automated backups kept after deletion, and DynamoDB point-in-time recovery", () => {
    expect(check([prodRds("orders"), { type: CLUSTER, name: "ledger", props: { clusterIdentifier: "ledger", tags: PROD } }, ...backedUp(["orders", "ledger"], { continuous: true })])).toEqual([]);
    expect(check([prodRds("orders", { deleteAutomatedBackups: false, backupRetentionPeriod: 7 })])).toEqual([]);
    expect(check([prodRds("orders", { deleteAutomatedBackups: false })])).toEqual([]); // AWS keeps 1 day by default
    expect(check([{ type: TABLE, name: "carts", props: { name: "carts", tags: PROD, pointInTimeRecovery: { enabled: true } } }])).toEqual([]);
  });

  it("passes an hourly snapshot rule when the target allows its 120 minutes", () => {
    expect(check([prodRds("orders"), ...backedUp(["orders"], { schedule: "cron(0 * ? * * *)", startWindow: 60 })], { maxRpoMinutes: 120 })).toEqual([]);
  });

  it("fails a daily snapshot with the figure and where it comes from", () => {
    const fs = check([prodRds("orders"), ...backedUp(["orders"])]);
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0].name).toBe("orders");
    expect(fs[0].message).toContain('RDS instance "orders": the worst-case data-loss window is 1920 min (32 h) (rule "daily" of plan "plan": cron(0 5 ? * * *) UTC');
    expect(fs[0].message).toContain("above the maximum of 60 min");
    expect(fs[0].message).toContain("snapshot rules alone cannot reach 60 min");
  });

  it("fails a schedule with a large gap (weekdays only) with its worst gap in the figure", () => {
    const fs = check([prodRds("orders"), ...backedUp(["orders"], { schedule: "cron(0 1 ? * MON-FRI *)", startWindow: 120 })], { maxRpoMinutes: 1440 });
    expect(violations(fs)).toHaveLength(1);
    // Friday 01:00 to Monday 01:00 is 72 h, plus the 2 h start window.
    expect(fs[0].message).toContain("the worst-case data-loss window is 4440 min (3.1 days)");
    expect(fs[0].message).toContain("above the maximum of 1440 min");
  });

  it("does not count RDS automated backups that AWS deletes with the database (deleteAutomatedBackups absent or true)", () => {
    for (const props of [{ backupRetentionPeriod: 35 }, { backupRetentionPeriod: 35, deleteAutomatedBackups: true }, { backupRetentionPeriod: 0, deleteAutomatedBackups: false }]) {
      const fs = check([prodRds("orders", props)]);
      expect(violations(fs)).toHaveLength(1);
      expect(fs[0].message).toContain("it has no recovery point source");
    }
  });

  it("does not count AWS Backup continuous backup for a DynamoDB table (it falls back to the schedule)", () => {
    const fs = check([{ type: TABLE, name: "carts", props: { name: "carts", tags: PROD } }, ...backedUp(["carts"], { continuous: true })]);
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0].message).toContain("1920 min");
    expect(fs[0].message).toContain("set pointInTimeRecovery: { enabled: true }");
  });

  it("reports an unparseable schedule on its plan, naming the rule and the parse error", () => {
    const fs = check([prodRds("orders"), ...backedUp(["orders"], { schedule: "cron(0 5 * * *)" })]);
    const onPlan = fs.filter((f) => f.name === "plan");
    expect(onPlan).toHaveLength(1);
    expect(onPlan[0].deferred).toBeUndefined();
    expect(onPlan[0].message).toContain('backup plan "plan": its rule "daily" is not counted');
    expect(onPlan[0].message).toContain("has 5 fields; AWS cron needs exactly 6");
    // ... and the database, left with nothing valid, fails too.
    expect(fs.find((f) => f.name === "orders")?.message).toContain('not counted: rule "daily" of plan "plan"');
  });

  it("reports a rule AWS Backup would refuse on its plan even when point-in-time recovery meets the target", () => {
    const fs = check([prodRds("orders", { deleteAutomatedBackups: false }), ...backedUp(["orders"], { schedule: "cron(0/30 * ? * * *)" })]);
    expect(fs.map((f) => f.name)).toEqual(["plan"]);
    expect(fs[0].message).toContain("less than 60 min between jobs");
  });

  it("reads a schedule of the wrong type as an invalid rule, not a crash", () => {
    const resources = backedUp(["orders"]);
    const plan = resources.find((r) => r.type === PLAN)!;
    plan.props = { rules: [{ ruleName: "daily", targetVaultName: "vault", schedule: 5 }] };
    const fs = check([prodRds("orders"), ...resources]);
    expect(fs.find((f) => f.name === "plan")?.message).toContain("must be a string");
  });

  it("defers when the known sources miss the target but unknown values could add protection", () => {
    const fs = check([prodRds("orders"), ...backedUp(["orders"], { schedule: UNKNOWN.string })]);
    expect(violations(fs)).toEqual([]);
    expect(deferred(fs)).toHaveLength(1);
    expect(fs[0].message).toContain('rule "daily" of plan "plan": schedule unknown until deployment');
    const continuousUnknown = backedUp(["orders"]);
    continuousUnknown.find((r) => r.type === PLAN)!.props = { rules: [{ ruleName: "daily", targetVaultName: "vault", schedule: "cron(0 5 ? * * *)", enableContinuousBackup: UNKNOWN.bool }] };
    const fs2 = check([prodRds("orders"), ...continuousUnknown]);
    expect(deferred(fs2).map((f) => f.message).join()).toContain("whether rule");
    expect(deferred(fs2)[0].message).toContain("from known sources the worst-case data-loss window is 1920 min");
  });

  it("defers when the selection may select the database and fails when nothing links it", () => {
    const unlinked: StackResourceSpec = { type: SELECTION, name: "selection", props: { planId: UNKNOWN.string, resources: [UNKNOWN.string] }, propertyDependencies: { planId: ["plan"] } };
    const [vault, lock, plan] = backedUp(["orders"]);
    const fs = check([prodRds("orders"), vault, lock, plan, unlinked]);
    expect(violations(fs)).toEqual([]);
    expect(deferred(fs)[0].message).toContain('backup selection "selection" may select it');
    const other = { ...unlinked, props: { planId: UNKNOWN.string, resources: ["arn:aws:rds:us-east-1:111111111111:db:users"] } };
    expect(violations(check([prodRds("orders"), vault, lock, plan, other]))[0].message).toContain("it has no recovery point source");
  });

  it("uses maxRpoMinutes, and falls back to 60 with a finding when it is unusable", () => {
    expect(check([prodRds("orders"), ...backedUp(["orders"])], { maxRpoMinutes: 2000 })).toEqual([]);
    const fs = check([prodRds("orders"), ...backedUp(["orders"])], { maxRpoMinutes: "soon" as unknown as number });
    expect(fs.map((f) => f.message).join()).toContain("prod-db-rpo.maxRpoMinutes is \"soon\"");
    expect(violations(fs).some((f) => f.name === "orders")).toBe(true);
  });

  it("does not judge non-production databases", () => {
    expect(check([{ type: RDS, name: "scratch", props: { identifier: "scratch", tags: { environment: "staging" } } }])).toEqual([]);
  });
});


describe("prod-db-rpo: whole messages", () => {
  const withPlan = (rules: unknown[]) => [prodRds("orders"), ...backedUp(["orders"]).map((r) => (r.type === PLAN ? { ...r, props: { ...r.props, rules } } : r))];

  it("names a rule it does not count, on the database and on the plan", () => {
    const fs = check(withPlan([{ ruleName: "bad", targetVaultName: "vault", schedule: "cron(0 5 * * *)" }, { ruleName: "daily", targetVaultName: "vault" }]));
    expect(fs.map((f) => [f.name, f.message])).toEqual([
      ["orders", "RDS instance \"orders\": the worst-case data-loss window is 1920 min (32 h) (rule \"daily\" of plan \"plan\": cron(0 5 ? * * *) UTC, up to 1440 min (24 h) between starts + 480 min (8 h) start window), above the maximum of 60 min; not counted: rule \"bad\" of plan \"plan\". Why it matters: after an accidental deletion or a restore over it, everything written since the last recovery point is lost. Fix: add a rule with enableContinuousBackup: true to a backup plan whose selection picks it (about 5 min), or set deleteAutomatedBackups: false with backupRetentionPeriod >= 1 so its point-in-time backups survive deletion (snapshot rules alone cannot reach 60 min: the best AWS Backup allows is hourly with a 60-minute startWindow, 120 min)."],
      ["plan", "backup plan \"plan\": its rule \"bad\" is not counted as a backup of production database \"orders\": schedule expression \"cron(0 5 * * *)\" has 5 fields; AWS cron needs exactly 6: Minutes Hours Day-of-month Month Day-of-week Year; AWS cron needs the Year field too, and Unix cron's five-field form is not accepted. Why it matters: AWS Backup refuses such a rule or stops running it, so the databases it was meant to protect are not backed up on that schedule. Fix: correct rules[] \"bad\" of this plan: schedule as an AWS cron expression cron(Minutes Hours Day-of-month Month Day-of-week Year) at least 60 minutes apart (e.g. \"cron(0 * ? * * *)\"), startWindow >= 60, scheduleExpressionTimezone an IANA zone."],
    ]);
  });

  it("says which plans it did not count because they are not in the stack", () => {
    const fs = check([prodRds("orders"), { type: SELECTION, name: "sel", props: { planId: "plan-elsewhere", resources: [UNKNOWN.string], iamRoleArn: "arn:aws:iam::111111111111:role/b" }, propertyDependencies: { resources: ["orders"] } }]);
    expect(fs.map((f) => f.message)).toEqual(["RDS instance \"orders\": it has no recovery point source: no point-in-time recovery that survives its deletion and no valid backup rule; not counted because not in this stack: backup plan plan-elsewhere (not in this stack) through backup selection \"sel\" (target: at most 60 min). Why it matters: after an accidental deletion or a restore over it, everything written since the last recovery point is lost. Fix: add a rule with enableContinuousBackup: true to a backup plan whose selection picks it (about 5 min), or set deleteAutomatedBackups: false with backupRetentionPeriod >= 1 so its point-in-time backups survive deletion (snapshot rules alone cannot reach 60 min: the best AWS Backup allows is hourly with a 60-minute startWindow, 120 min)."]);
  });

  it("defers with what is known and what is not", () => {
    const fs = check(withPlan([{ ruleName: "daily", targetVaultName: "vault", schedule: UNKNOWN.string }]));
    expect(fs.map((f) => [f.deferred, f.message])).toEqual([[true, "RDS instance \"orders\": its worst-case data-loss window (from known sources no recovery point source is known; still unknown: rule \"daily\" of plan \"plan\": schedule unknown until deployment) is unknown until deployment; this check runs again with the real value at `pulumi up`."]]);
  });

  it("reports an unreadable target and judges against the default", () => {
    expect(check([prodRds("orders")], { maxRpoMinutes: "x" as never }).map((f) => f.message)).toEqual(["Policy config: prod-db-rpo.maxRpoMinutes is \"x\", not a number of minutes >= 1; the default 60 is used. Why it matters: a target that cannot be read must not silently loosen the check. Fix: set prod-db-rpo.maxRpoMinutes to a whole number of minutes in the policy config.", "RDS instance \"orders\": it has no recovery point source: no point-in-time recovery that survives its deletion and no valid backup rule (target: at most 60 min). Why it matters: after an accidental deletion or a restore over it, everything written since the last recovery point is lost. Fix: add a rule with enableContinuousBackup: true to a backup plan whose selection picks it (about 5 min), or set deleteAutomatedBackups: false with backupRetentionPeriod >= 1 so its point-in-time backups survive deletion (snapshot rules alone cannot reach 60 min: the best AWS Backup allows is hourly with a 60-minute startWindow, 120 min)."]);
  });

  it.each([
    [1, 0],
    [0.99, 1],
    [0, 1],
    [Number.POSITIVE_INFINITY, 1],
  ])("maxRpoMinutes %p gives %p config finding(s)", (maxRpoMinutes, configFindings) => {
    const fs = check([prodRds("orders", { deleteAutomatedBackups: false, backupRetentionPeriod: 7 })], { maxRpoMinutes });
    expect(fs.filter((f) => f.message.startsWith("Policy config:"))).toHaveLength(configFindings);
  });
});
