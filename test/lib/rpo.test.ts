import fc from "fast-check";
import {
  AWS_BACKUP_DEFAULT_START_WINDOW_MINUTES,
  POINT_IN_TIME_RPO_MINUTES,
  type RecoverySources,
  type ScheduledSnapshotRule,
  formatMinutes,
  worstCaseRpo,
} from "../../policies/lib/rpo";

const FROM = new Date(Date.UTC(2026, 0, 1));
const SEED = Number(process.env.FC_SEED ?? 20260308);

const assess = (sources: RecoverySources) => worstCaseRpo(sources, { from: FROM });
const rulesOnly = (...snapshotRules: ScheduledSnapshotRule[]): RecoverySources => ({ pointInTimeSurvivesDeletion: false, snapshotRules });

describe("worst-case RPO of one snapshot rule = largest gap between starts + start window", () => {
  // [rule, expected worst case, why]
  const rows: [ScheduledSnapshotRule, number, string][] = [
    [{ name: "hourly", scheduleExpression: "cron(0 * ? * * *)", startWindowMinutes: 60 }, 120, "60 between starts + 60 window"],
    [{ name: "daily", scheduleExpression: "cron(0 5 ? * * *)" }, 1440 + 480, "no window given: AWS's 8 hours"],
    [{ name: "weekdays", scheduleExpression: "cron(0 5 ? * MON-FRI *)", startWindowMinutes: 120 }, 4320 + 120, "Friday -> Monday is 3 days"],
    [{ name: "month-end", scheduleExpression: "cron(0 0 L * ? *)", startWindowMinutes: 60 }, 44640 + 60, "31 days between month ends"],
    [
      { name: "ny", scheduleExpression: "cron(30 1 * * ? *)", scheduleExpressionTimezone: "America/New_York", startWindowMinutes: 60 },
      1500 + 60,
      "the 25-hour fall-back day",
    ],
    [
      { name: "london", scheduleExpression: "cron(30 1 * * ? *)", scheduleExpressionTimezone: "Europe/London", startWindowMinutes: 60 },
      2820 + 60,
      "01:30 does not exist on the spring-forward night: 47 h",
    ],
    [{ name: "default", scheduleExpression: undefined as unknown as string, startWindowMinutes: 60 }, 1440 + 60, "no schedule: AWS's cron(0 5 ? * * *)"],
  ];

  test.each(rows)("%o -> %d min (%s)", (rule, expected) => {
    const result = assess(rulesOnly(rule));
    expect(result.invalidRules).toEqual([]);
    expect(result.worstCaseMinutes).toBe(expected);
    expect(result.rules).toHaveLength(1);
    expect(result.rules[0].worstCaseMinutes).toBe(expected);
    expect(result.rules[0].worstCaseMinutes).toBe((result.rules[0].maxIntervalMinutes as number) + result.rules[0].startWindowMinutes);
  });

  test("the basis names the rule, its schedule, zone, interval and window", () => {
    const result = assess(rulesOnly({ name: "hourly", scheduleExpression: "cron(0 * ? * * *)", startWindowMinutes: 60 }));
    expect(result.basis).toBe("rule hourly: cron(0 * ? * * *) UTC, up to 60 min between starts + 60 min start window");
    expect(result.rules[0].timezone).toBe("UTC");
  });

  test("the default start window is AWS's 8 hours", () => {
    expect(AWS_BACKUP_DEFAULT_START_WINDOW_MINUTES).toBe(480);
    const result = assess(rulesOnly({ name: "daily", scheduleExpression: "cron(0 5 ? * * *)" }));
    expect(result.rules[0].startWindowMinutes).toBe(480);
  });

  test("the largest gap's place is reported", () => {
    const result = assess(rulesOnly({ name: "weekdays", scheduleExpression: "cron(0 5 ? * MON-FRI *)", startWindowMinutes: 60 }));
    expect(result.rules[0].largestInterval?.from.toISOString()).toBe("2026-01-02T05:00:00.000Z");
  });
});

describe("the assessment is the best source", () => {
  test("point-in-time recovery that survives deletion gives about 5 minutes", () => {
    const result = assess({ pointInTimeSurvivesDeletion: true, pointInTimeSource: "AWS Backup continuous backup", snapshotRules: [] });
    expect(result.worstCaseMinutes).toBe(POINT_IN_TIME_RPO_MINUTES);
    expect(result.basis).toMatch(/^AWS Backup continuous backup \(point in time/);
  });

  test("point in time beats any snapshot rule", () => {
    const result = assess({
      pointInTimeSurvivesDeletion: true,
      snapshotRules: [{ name: "hourly", scheduleExpression: "cron(0 * ? * * *)", startWindowMinutes: 60 }],
    });
    expect(result.worstCaseMinutes).toBe(5);
    expect(result.basis).toMatch(/point in time/);
    expect(result.rules[0].worstCaseMinutes).toBe(120);
  });

  test("point-in-time recovery that dies with the database does not count", () => {
    const result = assess(rulesOnly({ name: "daily", scheduleExpression: "cron(0 5 ? * * *)", startWindowMinutes: 60 }));
    expect(result.worstCaseMinutes).toBe(1500);
  });

  test("the smallest rule wins, whatever its position", () => {
    const result = assess(
      rulesOnly(
        { name: "weekly", scheduleExpression: "cron(0 5 ? * SUN *)", startWindowMinutes: 60 },
        { name: "twice-a-day", scheduleExpression: "cron(0 5,17 ? * * *)", startWindowMinutes: 60 },
        { name: "daily", scheduleExpression: "cron(0 5 ? * * *)", startWindowMinutes: 60 },
      ),
    );
    expect(result.worstCaseMinutes).toBe(720 + 60);
    expect(result.basis).toMatch(/^rule twice-a-day: /);
    expect(result.rules.map((r) => r.worstCaseMinutes)).toEqual([10080 + 60, 780, 1500]);
  });

  test("rules are not merged: two daily rules twelve hours apart still count as daily each", () => {
    const result = assess(
      rulesOnly(
        { name: "morning", scheduleExpression: "cron(0 5 ? * * *)", startWindowMinutes: 60 },
        { name: "evening", scheduleExpression: "cron(0 17 ? * * *)", startWindowMinutes: 60 },
      ),
    );
    expect(result.worstCaseMinutes).toBe(1500);
  });

  test("nothing covering the database is undefined, and the basis says so", () => {
    const result = assess(rulesOnly());
    expect(result.worstCaseMinutes).toBeUndefined();
    expect(result.basis).toMatch(/^nothing/);
  });
});

describe("rules AWS Backup would refuse, or that stop, are reported and never used", () => {
  const daily = "cron(0 5 ? * * *)";
  // [rule, pattern the error must match]
  const rows: [ScheduledSnapshotRule, RegExp][] = [
    [{ name: "w-neg", scheduleExpression: daily, startWindowMinutes: -5 }, /startWindowMinutes -5 is below 60/],
    [{ name: "w-0", scheduleExpression: daily, startWindowMinutes: 0 }, /startWindowMinutes 0 is below 60/],
    [{ name: "w-30", scheduleExpression: daily, startWindowMinutes: 30 }, /startWindowMinutes 30 is below 60/],
    [{ name: "w-59", scheduleExpression: daily, startWindowMinutes: 59 }, /below 60/],
    [{ name: "w-frac", scheduleExpression: daily, startWindowMinutes: 90.5 }, /90.5 is not a whole number/],
    [{ name: "w-nan", scheduleExpression: daily, startWindowMinutes: NaN }, /NaN is not a whole number/],
    [{ name: "w-inf", scheduleExpression: daily, startWindowMinutes: Infinity }, /Infinity is not a whole number/],
    [{ name: "w-str", scheduleExpression: daily, startWindowMinutes: "60" as unknown as number }, /must be a number of minutes, not a string/],
    [{ name: "w-null", scheduleExpression: daily, startWindowMinutes: null as unknown as number }, /not null/],
    [{ name: "15min", scheduleExpression: "cron(0/15 * * * ? *)", startWindowMinutes: 60 }, /15 min apart; AWS Backup refuses .* less than 60 min/],
    [{ name: "half-hour-pair", scheduleExpression: "cron(0,30 5 ? * * *)", startWindowMinutes: 60 }, /30 min apart/],
    [{ name: "stops", scheduleExpression: "cron(0 5 * * ? 2026-2030)", startWindowMinutes: 60 }, /stops: its last start is 2030-12-31 05:00 UTC/],
    [{ name: "stopped", scheduleExpression: "cron(0 5 * * ? 2020)", startWindowMinutes: 60 }, /Year field ends in 2020/],
    [{ name: "never", scheduleExpression: "cron(0 0 31 2 ? *)", startWindowMinutes: 60 }, /never starts/],
    // One start in AWS's last cron year (2199): the Year field does not end early, so the rule does not "stop", yet it has no interval.
    [{ name: "once", scheduleExpression: "cron(0 0 1 1 ? 2199)", startWindowMinutes: 60 }, /^rule once: cron\(0 0 1 1 \? 2199\) starts only once$/],
    [{ name: "rate", scheduleExpression: "rate(1 day)", startWindowMinutes: 60 }, /rate expression/],
    [{ name: "five", scheduleExpression: "cron(0 5 * * *)", startWindowMinutes: 60 }, /5 fields/],
    [{ name: "both-star", scheduleExpression: "cron(0 5 * * * *)", startWindowMinutes: 60 }, /Day-of-month .* Day-of-week/],
    [{ name: "empty", scheduleExpression: "", startWindowMinutes: 60 }, /empty/],
    [{ name: "not-string", scheduleExpression: 5 as unknown as string, startWindowMinutes: 60 }, /must be a string/],
    [{ name: "zone", scheduleExpression: daily, scheduleExpressionTimezone: "Mars/Olympus_Mons", startWindowMinutes: 60 }, /scheduleExpressionTimezone "Mars\/Olympus_Mons"/],
    [{ name: "empty-zone", scheduleExpression: daily, scheduleExpressionTimezone: "", startWindowMinutes: 60 }, /scheduleExpressionTimezone is empty/],
  ];

  test.each(rows)("%o", (rule, pattern) => {
    const result = assess(rulesOnly(rule));
    expect(result.worstCaseMinutes).toBeUndefined();
    expect(result.basis).toMatch(/^nothing.*1 snapshot rule is not counted/);
    expect(result.invalidRules).toHaveLength(1);
    expect(result.invalidRules[0].name).toBe(rule.name);
    expect(result.invalidRules[0].error).toMatch(pattern);
    expect(result.invalidRules[0].error).toMatch(new RegExp(`^rule ${rule.name}: `));
    expect(result.rules[0].worstCaseMinutes).toBeUndefined();
    expect(result.rules[0].error).toBe(result.invalidRules[0].error);
  });

  test("a start window of exactly 60 is accepted", () => {
    expect(assess(rulesOnly({ name: "w-60", scheduleExpression: daily, startWindowMinutes: 60 })).worstCaseMinutes).toBe(1500);
  });

  test("an invalid rule does not hide a valid one, and is still listed", () => {
    const result = assess(
      rulesOnly(
        { name: "bad", scheduleExpression: "cron(0 5 * * *)", startWindowMinutes: 60 },
        { name: "good", scheduleExpression: daily, startWindowMinutes: 60 },
      ),
    );
    expect(result.worstCaseMinutes).toBe(1500);
    expect(result.invalidRules.map((r) => r.name)).toEqual(["bad"]);
  });

  test("both a bad window and a bad zone are reported together", () => {
    const result = assess(rulesOnly({ name: "both", scheduleExpression: daily, scheduleExpressionTimezone: "Nowhere/Land", startWindowMinutes: 10 }));
    expect(result.invalidRules[0].error).toMatch(/startWindowMinutes 10.*; scheduleExpressionTimezone "Nowhere\/Land"/);
  });
});

describe("malformed input never crashes and never passes silently", () => {
  test.each([
    [null, /recovery sources must be an object, not null/],
    [undefined, /must be an object, not undefined/],
    ["sources", /not a string/],
    [{ pointInTimeSurvivesDeletion: false, snapshotRules: "cron(0 5 ? * * *)" }, /snapshotRules must be a list/],
    [{ pointInTimeSurvivesDeletion: false, snapshotRules: [null] }, /snapshot rule #1 must be an object, not null/],
    [{ pointInTimeSurvivesDeletion: false, snapshotRules: [42] }, /snapshot rule #1 must be an object, not a number/],
  ])("%p", (sources, pattern) => {
    const result = worstCaseRpo(sources as unknown as RecoverySources, { from: FROM });
    expect(result.worstCaseMinutes).toBeUndefined();
    expect(result.invalidRules.length).toBeGreaterThan(0);
    expect(result.invalidRules.map((r) => r.error).join("\n")).toMatch(pattern);
  });

  test("pointInTimeSurvivesDeletion counts only when it is true", () => {
    for (const value of ["true", 1, null, undefined]) {
      const result = worstCaseRpo({ pointInTimeSurvivesDeletion: value, snapshotRules: [] } as unknown as RecoverySources, { from: FROM });
      expect(result.worstCaseMinutes).toBeUndefined();
    }
  });

  test("a rule without a name is named by its position", () => {
    const result = assess(rulesOnly({ scheduleExpression: "cron(0 5 * * *)" } as ScheduledSnapshotRule));
    expect(result.invalidRules[0].name).toBe("#1");
  });

  test("arbitrary values never throw", () => {
    fc.assert(
      fc.property(fc.anything(), fc.array(fc.anything(), { maxLength: 3 }), (sources, rules) => {
        for (const input of [sources, { pointInTimeSurvivesDeletion: true, snapshotRules: rules }]) {
          const result = worstCaseRpo(input as RecoverySources, { from: FROM });
          expect(typeof result.basis).toBe("string");
          if (result.worstCaseMinutes !== undefined) expect(result.worstCaseMinutes).toBeGreaterThan(0);
        }
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});

describe("formatMinutes", () => {
  test.each([
    [45, "45 min"],
    [119, "119 min"],
    [120, "120 min (2 h)"],
    [1500, "1500 min (25 h)"],
    [1530, "1530 min (25.5 h)"],
    [4320, "4320 min (3 days)"],
    [44640, "44640 min (31 days)"],
    [NaN, "NaN min"],
  ])("%d -> %s", (minutes, text) => {
    expect(formatMinutes(minutes)).toBe(text);
  });
});

// Messages and edges that mutation testing (docs/MUTATION.md) showed were open.
describe("worstCaseRpo: what it says about bad input and how it names its basis", () => {
  const at = { from: FROM };
  it.each<[unknown, string]>([
    [null, "recovery sources must be an object, not null"],
    [[], "recovery sources must be an object, not a list"],
    ["x", "recovery sources must be an object, not a string"],
  ])("refuses recovery sources %j", (sources, error) => {
    const got = worstCaseRpo(sources as RecoverySources, at);
    expect(got.worstCaseMinutes).toBeUndefined();
    expect(got.invalidRules).toEqual([{ name: "(recovery sources)", scheduleExpression: "", error }]);
    expect(got.basis).toBe("nothing: no point-in-time recovery that survives deletion and no valid snapshot rule; 1 snapshot rule is not counted (see invalidRules)");
  });
  it.each<[unknown, string]>([
    [{}, "snapshotRules must be a list of rules, not an object"],
    [Number.NaN, "snapshotRules must be a list of rules, not NaN"],
    [7, "snapshotRules must be a list of rules, not a number"],
  ])("refuses snapshotRules %j", (snapshotRules, error) => {
    const got = worstCaseRpo({ pointInTimeSurvivesDeletion: false, snapshotRules } as unknown as RecoverySources, at);
    expect(got.rules).toEqual([]);
    expect(got.invalidRules).toEqual([{ name: "(snapshot rules)", scheduleExpression: "", error }]);
  });
  it("accepts sources without snapshotRules as having none", () => {
    const got = worstCaseRpo({ pointInTimeSurvivesDeletion: false } as unknown as RecoverySources, at);
    expect(got).toEqual({ worstCaseMinutes: undefined, basis: "nothing: no point-in-time recovery that survives deletion and no valid snapshot rule", rules: [], invalidRules: [] });
  });
  it("counts invalid rules in the basis, in the plural too", () => {
    const got = worstCaseRpo({ pointInTimeSurvivesDeletion: false, snapshotRules: [[], { name: "  ", scheduleExpression: 42 }] as unknown as ScheduledSnapshotRule[] }, at);
    expect(got.invalidRules.map((r) => [r.name, r.scheduleExpression])).toEqual([["#1", ""], ["#2", "42"]]);
    expect(got.invalidRules[0]!.error).toBe("snapshot rule #1 must be an object, not a list");
    expect(got.basis).toMatch(/; 2 snapshot rules are not counted \(see invalidRules\)$/);
  });
  it("names the point-in-time source, trimmed, or calls it continuous backup", () => {
    expect(worstCaseRpo({ pointInTimeSurvivesDeletion: true, pointInTimeSource: "  AWS Backup continuous ", snapshotRules: [] }, at).basis).toBe("AWS Backup continuous (point in time, about 5 min)");
    for (const pointInTimeSource of [undefined, "   "]) {
      expect(worstCaseRpo({ pointInTimeSurvivesDeletion: true, pointInTimeSource, snapshotRules: [] }, at).basis).toBe("continuous backup (point in time, about 5 min)");
    }
  });
  it("keeps the first of two equally good rules as the basis, and says why", () => {
    const rule = (name: string): ScheduledSnapshotRule => ({ name, scheduleExpression: "cron(0 * * * ? *)", startWindowMinutes: 60 });
    const got = worstCaseRpo({ pointInTimeSurvivesDeletion: false, snapshotRules: [rule("first"), rule("second")] }, at);
    expect(got.worstCaseMinutes).toBe(120);
    expect(got.basis).toBe("rule first: cron(0 * * * ? *) UTC, up to 60 min between starts + 60 min start window");
  });
  it("keeps a rule's own name, untrimmed, and numbers only nameless rules", () => {
    const got = worstCaseRpo({ pointInTimeSurvivesDeletion: false, snapshotRules: [{ name: " hourly ", scheduleExpression: "cron(0 * * * ? *)" }, { scheduleExpression: "cron(0 * * * ? *)" } as ScheduledSnapshotRule] }, at);
    expect(got.rules.map((r) => r.name)).toEqual([" hourly ", "#2"]);
  });
  it("does not count a rule that starts only once", () => {
    // AWS Backup takes no at() expression: that is a parse error, not a single start.
    const at2026 = worstCaseRpo({ pointInTimeSurvivesDeletion: false, snapshotRules: [{ name: "once", scheduleExpression: "at(2026-06-01T00:00:00)" }] }, at);
    expect(at2026.invalidRules.map((r) => r.error)).toEqual([expect.not.stringContaining("starts only once")]);
    // A single start in AWS's last cron year is one.
    const got = worstCaseRpo({ pointInTimeSurvivesDeletion: false, snapshotRules: [{ name: "once", scheduleExpression: "cron(30 4 1 1 ? 2199)" }] }, at);
    expect(got.worstCaseMinutes).toBeUndefined();
    expect(got.invalidRules).toEqual([{ name: "once", scheduleExpression: "cron(30 4 1 1 ? 2199)", error: "rule once: cron(30 4 1 1 ? 2199) starts only once" }]);
  });
});

describe("formatMinutes: unit boundaries", () => {
  it.each([
    [119, "119 min"],
    [120, "120 min (2 h)"],
    [2879, "2879 min (48.0 h)"],
    [2880, "2880 min (2 days)"],
    [-2880, "-2880 min (-2 days)"],
  ])("%p minutes read %p", (minutes, text) => {
    expect(formatMinutes(minutes)).toBe(text);
  });
});

describe("worstCaseRpo: defaults", () => {
  it("judges from the start of today (UTC) when no instant is given", () => {
    const sources: RecoverySources = { pointInTimeSurvivesDeletion: false, snapshotRules: [{ name: "daily", scheduleExpression: "cron(0 5 ? * * *)" }] };
    const startOfToday = () => new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000);
    const before = startOfToday();
    const got = worstCaseRpo(sources);
    const after = startOfToday();
    // Either day, should the call straddle midnight UTC.
    expect([before, after].map((from) => worstCaseRpo(sources, { from }))).toContainEqual(got);
    expect(got.rules[0]!.largestInterval!.from.getTime()).toBeGreaterThanOrEqual(before.getTime());
  });
  it("reports a rule that is not an object in UTC with no expression", () => {
    const rule = worstCaseRpo({ pointInTimeSurvivesDeletion: false, snapshotRules: [null as unknown as ScheduledSnapshotRule] }, { from: FROM }).rules[0]!;
    expect(rule).toMatchObject({ name: "#1", scheduleExpression: "", timezone: "UTC", worstCaseMinutes: undefined, error: "snapshot rule #1 must be an object, not null" });
  });
});
