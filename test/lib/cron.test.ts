import fc from "fast-check";
import {
  AWS_BACKUP_DEFAULT_SCHEDULE_EXPRESSION,
  type CronSchedule,
  type DaySelector,
  analyzeScheduleExpression,
  analyzeScheduledStarts,
  checkScheduleTimeZone,
  civilFromDays,
  daysFromCivil,
  parseBackupScheduleExpression,
} from "../../policies/lib/cron";

/** Fixed analysis start: results must not depend on the day the tests run. */
const FROM = new Date(Date.UTC(2026, 0, 1));
const SEED = Number(process.env.FC_SEED ?? 20260308);
const DAY = 1440;

function parsed(expression: string): CronSchedule {
  const result = parseBackupScheduleExpression(expression);
  if (!result.ok) throw new Error(`expected ${expression} to parse: ${result.error}`);
  return result.schedule;
}

function analysed(expression: string, timeZone?: string, until?: Date) {
  const result = analyzeScheduleExpression(expression, { timeZone, from: FROM, until });
  if (!result.ok) throw new Error(`expected ${expression} to analyse: ${result.error}`);
  return result;
}

describe("largest interval between scheduled starts (hand-checked)", () => {
  // [expression, time zone, largest gap in minutes, smallest gap, why]
  const rows: [string, string | undefined, number, number, string][] = [
    ["cron(0 * ? * * *)", undefined, 60, 60, "minute 0 of every hour, every day: always one hour apart"],
    ["cron(0/15 * * * ? *)", undefined, 15, 15, "minutes 0,15,30,45 of every hour: 45 -> next hour's 0 is also 15"],
    ["cron(0 5 ? * * *)", undefined, 1440, 1440, "once a day at 05:00 UTC, no daylight saving in UTC"],
    ["cron(0 5 ? * MON-FRI *)", undefined, 4320, 1440, "Friday 05:00 -> Monday 05:00 is 3 days; weekdays are 1 day apart"],
    ["cron(0 0 L * ? *)", undefined, 44640, 40320, "last day of month: Jul 31 -> Aug 31 is 31 days; Jan 31 -> Feb 28 (2026) is 28"],
    [
      "cron(0 12 15W * ? *)",
      undefined,
      46080,
      40320,
      "weekday nearest the 15th: a 31-day month whose 15th is a Thursday (Jan 2026) is followed by a Sunday 15th, " +
        "moved to Monday the 16th: 31 + 1 = 32 days; a Saturday 15th moves to Friday 14th but then the next month " +
        "cannot have a Sunday 15th unless it follows a 29-day February (29 + 2 = 31). Smallest: Feb 2026 (16th, Monday) -> Mar 16 2026 (Monday), 28 days",
    ],
    ["cron(0 9 ? * 6#3 *)", undefined, 50400, 40320, "third Friday: always a whole number of weeks apart, 4 or 5 weeks (35 days)"],
    ["cron(0 9 ? * 6L *)", undefined, 50400, 40320, "last Friday (6 = FRI, 1 = SUN): 4 or 5 weeks apart"],
    ["cron(0 5 ? * L *)", undefined, 10080, 10080, "L alone in Day-of-week is Saturday: weekly"],
    ["cron(0 22-2 * * ? *)", undefined, 1200, 60, "22-2 wraps: 22,23,0,1,2; 02:00 -> 22:00 is 20 h"],
    ["cron(0 0 29 2 ? *)", undefined, 2921 * DAY, 1461 * DAY, "Feb 29: 2096 -> 2104 because 2100 is not a leap year (8*365+1 days); otherwise 4 years (1461 days)"],
    [
      "cron(30 1 * * ? *)",
      "America/New_York",
      1500,
      1380,
      "01:30 New York: spring-forward day has 23 h (01:30 EST -> 01:30 EDT), fall-back day 25 h; 01:30 itself exists both days",
    ],
    [
      "cron(30 1 * * ? *)",
      "Europe/London",
      2820,
      1440,
      "01:30 London: on the spring-forward night clocks go 01:00 GMT -> 02:00 BST, so 01:30 does not exist and is skipped: " +
        "Saturday 01:30 GMT -> Monday 01:30 BST = 48 h - 1 h = 47 h. The repeated 01:xx in autumn (BST then GMT) runs once, " +
        "either way 24 h from the day before or 24 h to the day after plus the extra hour (25 h)",
    ],
    ["cron(30 0 * * ? *)", "Europe/London", 1500, 1380, "00:30 London is outside both transitions: 23 h and 25 h days only"],
    ["cron(30 2 * * ? *)", "America/New_York", 2820, 1440, "02:30 New York does not exist on the spring-forward day: skipped, 47 h gap"],
    [
      "cron(0 * ? * * *)",
      "America/New_York",
      120,
      60,
      "hourly New York. Spring: 01:00 EST -> 03:00 EDT is one real hour (02:00 is skipped, no gap grows). " +
        "Fall: 01:00 happens twice and runs once, so 01:00 EDT -> 02:00 EST (or 00:00 EDT -> 01:00 EST) is 2 real hours",
    ],
    ["cron(0 5 ? * * *)", "Asia/Kolkata", 1440, 1440, "no daylight saving in India: daily is always 24 h"],
    [
      "cron(0 * ? * * *)",
      "Australia/Lord_Howe",
      90,
      60,
      "Lord Howe moves its clock by 30 min. Spring (02:00 +10:30 -> 02:30 +11): 02:00 does not exist, so 01:00 -> 03:00 " +
        "is 120 - 30 = 90 real min. Autumn (02:00 +11 -> 01:30 +10:30): 01:30-01:59 repeat but no start is there; " +
        "01:00 (+11) -> 02:00 (+10:30) is 60 + 30 = 90. No gap ever shrinks below an hour",
    ],
  ];

  test.each(rows)("%s in %s: largest %d min, smallest %d min (%s)", (expression, timeZone, largest, smallest) => {
    const result = analysed(expression, timeZone);
    expect(result.status).toBe("repeats");
    expect(result.maxIntervalMinutes).toBe(largest);
    expect(result.minIntervalMinutes).toBe(smallest);
    const gap = result.largestInterval;
    expect(gap).toBeDefined();
    expect(((gap?.to.getTime() ?? 0) - (gap?.from.getTime() ?? 0)) / 60000).toBe(largest);
  });

  test("the largest gap is located where the reasoning says", () => {
    // New York falls back on Sunday 2026-11-01: 01:30 EDT is 05:30Z, the next day's 01:30 EST is 06:30Z.
    const ny = analysed("cron(30 1 * * ? *)", "America/New_York");
    expect(ny.largestInterval?.from.toISOString()).toBe("2026-11-01T05:30:00.000Z");
    expect(ny.largestInterval?.to.toISOString()).toBe("2026-11-02T06:30:00.000Z");
    // London springs forward on Sunday 2026-03-29: Saturday 01:30 GMT -> Monday 01:30 BST (00:30Z).
    const london = analysed("cron(30 1 * * ? *)", "Europe/London");
    expect(london.largestInterval?.from.toISOString()).toBe("2026-03-28T01:30:00.000Z");
    expect(london.largestInterval?.to.toISOString()).toBe("2026-03-30T00:30:00.000Z");
    // Weekdays: Friday 2026-01-02 -> Monday 2026-01-05.
    const weekdays = analysed("cron(0 5 ? * MON-FRI *)");
    expect(weekdays.largestInterval?.from.toISOString()).toBe("2026-01-02T05:00:00.000Z");
    expect(weekdays.largestInterval?.to.toISOString()).toBe("2026-01-05T05:00:00.000Z");
  });

  test("minWallClockIntervalMinutes ignores daylight saving, minIntervalMinutes does not", () => {
    // 01:30 and 03:30 New York: 2 h apart on the clock; on the spring-forward night 01:30 EST -> 03:30 EDT is 1 real hour.
    const result = analysed("cron(30 1,3 * * ? *)", "America/New_York");
    expect(result.minWallClockIntervalMinutes).toBe(120);
    expect(result.minIntervalMinutes).toBe(60);
    // Fall back: 03:30 EDT Saturday -> 01:30 read as EST on Sunday is 23 h (22 h when read as EDT): the worse is kept.
    expect(result.maxIntervalMinutes).toBe(1380);
  });

  test("the analysis covers AWS's whole Year range, not a sample", () => {
    const hourly = analysed("cron(0 * ? * * *)");
    expect(hourly.lastStart.toISOString()).toBe("2199-12-31T23:00:00.000Z");
    const days = daysFromCivil(2200, 1, 1) - daysFromCivil(2026, 1, 1);
    expect(hourly.startCount).toBe(days * 24);
  });

  test("a Year field that ends makes the schedule stop", () => {
    const result = analysed("cron(0 5 * * ? 2026-2030)");
    expect(result.status).toBe("stops");
    expect(result.lastStart.toISOString()).toBe("2030-12-31T05:00:00.000Z");
    expect(result.maxIntervalMinutes).toBe(1440);
  });

  test("a Year field that ended before the analysis start has no start, and says why", () => {
    const result = analyzeScheduleExpression("cron(0 5 * * ? 2020)", { from: FROM });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/Year field ends in 2020/);
  });

  test("every other year: gaps of more than a year are measured, and it stops after 2198", () => {
    // Jan 1 of even years from 2026: two years hold a Feb 29 (731 days) except 2100 -> 2102 (730; 2100 is not leap).
    const result = analysed("cron(0 0 1 1 ? 2026/2)");
    expect(result.status).toBe("stops");
    expect(result.lastStart.toISOString()).toBe("2198-01-01T00:00:00.000Z");
    expect(result.maxIntervalMinutes).toBe(731 * DAY);
    expect(result.minIntervalMinutes).toBe(730 * DAY);
  });
});

describe("day forms pick the right dates", () => {
  const firstStart = (expression: string, from: Date, until: Date): string | undefined => {
    const result = analyzeScheduleExpression(expression, { from, until });
    return result.ok ? result.firstStart.toISOString().slice(0, 10) : undefined;
  };
  const month = (y: number, m: number): [Date, Date] => [new Date(Date.UTC(y, m - 1, 1)), new Date(Date.UTC(y, m, 0, 23, 59))];

  test.each([
    // [expression, year, month, first start date, why]
    ["cron(0 0 1W * ? *)", 2026, 8, "2026-08-03", "Aug 1 2026 is a Saturday; Friday would leave the month, so Monday the 3rd"],
    ["cron(0 0 15W * ? *)", 2026, 2, "2026-02-16", "Feb 15 2026 is a Sunday: the Monday after"],
    ["cron(0 0 30W * ? *)", 2028, 4, "2028-04-28", "Apr 30 2028 is a Sunday and the last day: the Friday before"],
    ["cron(0 0 LW * ? *)", 2026, 5, "2026-05-29", "May 31 2026 is a Sunday: the last weekday is Friday the 29th"],
    ["cron(0 0 L * ? *)", 2028, 2, "2028-02-29", "2028 is a leap year"],
    ["cron(0 0 ? * 6#5 *)", 2026, 1, "2026-01-30", "Fridays in Jan 2026: 2, 9, 16, 23, 30"],
    ["cron(0 0 ? * 2#1 *)", 2026, 6, "2026-06-01", "Jun 1 2026 is a Monday (2 = MON)"],
    ["cron(0 0 ? * 6L *)", 2026, 1, "2026-01-30", "the last Friday of Jan 2026"],
    ["cron(0 0 ? * FRIL *)", 2026, 1, "2026-01-30", "a day name works before L too"],
    ["cron(0 0 ? * 1 *)", 2026, 1, "2026-01-04", "1 is Sunday in AWS cron"],
    ["cron(0 0 ? * sun *)", 2026, 1, "2026-01-04", "names are case-insensitive"],
    ["cron(0 0 5/10 * ? *)", 2026, 1, "2026-01-05", "5/10 starts at the 5th"],
  ])("%s in %d-%d first runs on %s (%s)", (expression, y, m, expected) => {
    const [from, until] = month(y as number, m as number);
    expect(firstStart(expression as string, from, until)).toBe(expected);
  });

  test("31W gives no start in a 30-day month", () => {
    const [from, until] = month(2026, 4);
    const result = analyzeScheduleExpression("cron(0 0 31W * ? *)", { from, until });
    expect(result.ok).toBe(false);
  });

  test("6#5 skips months without a fifth Friday", () => {
    // Fifth Fridays in 2026: Jan 30, May 29, Jul 31, Oct 30.
    const result = analyzeScheduleExpression("cron(0 0 ? * 6#5 *)", { from: FROM, until: new Date(Date.UTC(2026, 11, 31, 23, 59)) });
    expect(result.ok && result.startCount).toBe(4);
  });

  test("steps and ranges expand as in Quartz", () => {
    expect(parsed("cron(5/15 * * * ? *)").minutes).toEqual([5, 20, 35, 50]);
    expect(parsed("cron(1-10/4 * * * ? *)").minutes).toEqual([1, 5, 9]);
    expect(parsed("cron(50-10/5 * * * ? *)").minutes).toEqual([0, 5, 10, 50, 55]);
    expect(parsed("cron(0 */6 * * ? *)").hours).toEqual([0, 6, 12, 18]);
    expect(parsed("cron(0 0 ? JAN-MAR,OCT * *)").months).toEqual([1, 2, 3, 10]);
    expect(parsed("cron(0 0 ? * MON-FRI *)").days).toEqual({ kind: "days-of-week", daysOfWeek: [2, 3, 4, 5, 6] });
    expect(parsed("cron(0 0 ? * FRI-MON *)").days).toEqual({ kind: "days-of-week", daysOfWeek: [1, 2, 6, 7] });
    expect(parsed("cron(0 0 1 * ? 2026/50)").years).toEqual([2026, 2076, 2126, 2176]);
    expect(parsed(AWS_BACKUP_DEFAULT_SCHEDULE_EXPRESSION).hours).toEqual([5]);
  });
});

describe("invalid expressions are refused with a reason that names the field", () => {
  // [input, patterns the error must match]
  const rows: [unknown, RegExp[]][] = [
    ["cron(0 5 * * *)", [/5 fields/, /exactly 6/, /Year/]],
    ["cron(0 0 5 * * ? *)", [/7 fields/, /seconds/]],
    ["cron(0 5 * * * *)", [/Day-of-month/, /Day-of-week/, /both \*/]],
    ["cron(0 5 ? * ? *)", [/Day-of-month/, /Day-of-week/, /both \?/]],
    ["cron(0 5 1 * MON *)", [/Day-of-month/, /Day-of-week/, /put \? in one/]],
    ["cron(60 5 * * ? *)", [/Minutes/, /60 is out of range \(0-59\)/]],
    ["cron(0 24 * * ? *)", [/Hours/, /24 is out of range/]],
    ["cron(0 5 32 * ? *)", [/Day-of-month/, /32 is out of range/]],
    ["cron(0 5 0 * ? *)", [/Day-of-month/, /0 is out of range/]],
    ["cron(0 5 * 13 ? *)", [/Month/, /13 is out of range/]],
    ["cron(0 5 ? * 0 *)", [/Day-of-week/, /0 is out of range \(1-7\)/]],
    ["cron(0 5 ? * 8 *)", [/Day-of-week/, /8 is out of range/]],
    ["cron(0 5 * * ? 1969)", [/Year/, /1969 is out of range \(1970-2199\)/]],
    ["cron(0 5 * * ? 2200)", [/Year/, /2200 is out of range/]],
    ["cron(0 5 * * ? 2199-1970)", [/Year/, /backwards/]],
    ["cron(0 5 * FOO ? *)", [/Month/, /"FOO" is not a known name/]],
    ["cron(0 5 ? * FUNDAY *)", [/Day-of-week/, /not a known name/]],
    ["cron(0 5 ? * MON/2 *)", [/Day-of-week/, /\/ \(increments\) is not allowed/]],
    ["cron(0/0 5 * * ? *)", [/Minutes/, /increment 0/]],
    ["cron(0/61 5 * * ? *)", [/Minutes/, /increment 61/]],
    ["cron(0,,5 5 * * ? *)", [/Minutes/, /empty value/]],
    ["cron(*,5 5 * * ? *)", [/Minutes/, /\* cannot be part of a list/]],
    ["cron(0 L * * ? *)", [/Hours/, /L and W are only allowed/]],
    ["cron(0 5L * * ? *)", [/Hours/]],
    ["cron(L 5 * * ? *)", [/Minutes/]],
    ["cron(0 5 * L ? *)", [/Month/]],
    ["cron(0 5 * * ? L)", [/Year/]],
    ["cron(0 5 1,L * ? *)", [/Day-of-month/, /must stand alone/]],
    ["cron(0 5 L-3 * ? *)", [/Day-of-month/, /L-n/]],
    ["cron(0 5 15W,20 * ? *)", [/Day-of-month/, /must stand alone/]],
    ["cron(0 5 1-15W * ? *)", [/Day-of-month/]],
    ["cron(0 5 32W * ? *)", [/Day-of-month/, /32 is out of range/]],
    ["cron(0 5 5#2 * ? *)", [/Day-of-month/, /# is only allowed in Day-of-week/]],
    ["cron(0 5 ? * 6L,2 *)", [/Day-of-week/, /L must stand alone/]],
    ["cron(0 5 ? * 8L *)", [/Day-of-week/, /8 is out of range/]],
    ["cron(0 5 ? * 15W *)", [/Day-of-week/, /W is only allowed in Day-of-month/]],
    ["cron(0 5 ? * 6#0 *)", [/Day-of-week/, /after # must be 1-5/]],
    ["cron(0 5 ? * 6#6 *)", [/Day-of-week/, /after # must be 1-5/]],
    ["cron(0 5 ? * 3#1,6#3 *)", [/Day-of-week/, /# must appear once/]],
    ["cron(0 ? * * ? *)", [/Hours/, /\? is only allowed/]],
    ["cron(0 5 1,? * ? *)", [/Day-of-month/]],
    ["cron(0 5 -1 * ? *)", [/Day-of-month/, /not a range/]],
    ["cron(0 5 1.5 * ? *)", [/Day-of-month/, /not a number/]],
    ["cron(00005 5 * * ? *)", [/Minutes/, /not a number/]],
    ["cron(0 0 31 2 ? *)", [/never starts/]],
    ["cron(0 0 30 FEB ? *)", [/never starts/]],
    ["cron(0 0 29 2 ? 2100)", [/never starts/]],
    ["rate(1 hour)", [/rate expression/, /only cron/]],
    ["rate(5 minutes)", [/rate expression/]],
    ["at(2026-01-01T00:00:00)", [/not of the form cron\(/]],
    ["0 5 * * ? *", [/not of the form cron\(/]],
    ["CRON(0 5 * * ? *)", [/lower case/]],
    ["cron (0 5 * * ? *)", [/lower case/]],
    ["cron(0 5 * * ? *", [/not of the form cron\(/]],
    ["cron()", [/0 fields/]],
    ["cron(hello)", [/1 field\b/]],
    ["hello world", [/not of the form/]],
    ["", [/empty/]],
    ["   ", [/empty/]],
    ["cron(0\u00a05 * * ? *)", [/U\+00A0/]],
    ["cron(０ 5 * * ? *)", [/U\+FF10/]],
    ["cron(0 5 * * ? *)\n", [/U\+000A/]],
    [`cron(${"0,".repeat(400)}0 5 * * ? *)`, [/characters long/]],
    [undefined, [/must be a string/, /undefined/]],
    [null, [/must be a string/, /null/]],
    [42, [/must be a string/, /number/]],
    [{ expression: "cron(0 5 * * ? *)" }, [/must be a string/, /object/]],
    [["cron(0 5 * * ? *)"], [/must be a string/, /list/]],
    [Symbol("cron"), [/must be a string/, /symbol/]],
    [BigInt(5), [/must be a string/, /bigint/]],
  ];

  test.each(rows)("%p", (input, patterns) => {
    const result = parseBackupScheduleExpression(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    for (const pattern of patterns) expect(result.error).toMatch(pattern);
  });

  test("huge input is not echoed back whole", () => {
    const result = parseBackupScheduleExpression(`cron(0 5 * * ? *)${"x".repeat(100000)}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.length).toBeLessThan(300);
  });

  test("surrounding whitespace and repeated spaces are tolerated", () => {
    expect(parseBackupScheduleExpression("  cron(0  5 * * ?  *) ").ok).toBe(true);
  });
});

describe("time zones and analysis options", () => {
  test.each([
    [undefined, true],
    ["UTC", true],
    ["Etc/UTC", true],
    ["America/New_York", true],
    ["Mars/Olympus_Mons", false],
    ["", false],
    ["+05:00", false],
    ["America/New York", false],
    [42, false],
    [null, false],
  ])("scheduleExpressionTimezone %p accepted: %p", (zone, ok) => {
    const result = checkScheduleTimeZone(zone);
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.error).toMatch(/scheduleExpressionTimezone/);
  });

  test("an unknown zone is an error from the analysis, not a crash", () => {
    const result = analyzeScheduleExpression("cron(0 5 * * ? *)", { timeZone: "Mars/Olympus_Mons", from: FROM });
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/scheduleExpressionTimezone "Mars\/Olympus_Mons"/) });
  });

  test("invalid dates are errors", () => {
    expect(analyzeScheduleExpression("cron(0 5 * * ? *)", { from: new Date(NaN) }).ok).toBe(false);
    expect(analyzeScheduleExpression("cron(0 5 * * ? *)", { from: FROM, until: new Date(NaN) }).ok).toBe(false);
    expect(analyzeScheduleExpression("cron(0 5 * * ? *)", { from: FROM, until: new Date(Date.UTC(2025, 0, 1)) }).ok).toBe(false);
  });

  test("a schedule object that is not what the parser produces is an error, not a crash", () => {
    const broken = { expression: "x", minutes: [], hours: [], months: [], years: [], days: { kind: "days-of-month", days: [] } } as unknown as CronSchedule;
    expect(analyzeScheduledStarts(broken, { from: FROM }).ok).toBe(false);
    expect(analyzeScheduledStarts(null as unknown as CronSchedule, { from: FROM }).ok).toBe(false);
  });

  test("calendar helpers agree with Date over the whole AWS range", () => {
    for (let day = daysFromCivil(1970, 1, 1); day <= daysFromCivil(2199, 12, 31); day += 97) {
      const date = new Date(day * 86400000);
      expect(civilFromDays(day)).toEqual({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() });
      expect(daysFromCivil(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())).toBe(day);
    }
  });
});

// -----------------------------------------------------------------------------------------------
// Independent oracle: walks every UTC minute, reads the wall clock with Intl, matches the fields
// from their definitions, and applies the documented daylight-saving reading (skipped local times
// never run; a repeated local time runs once, at its first or at its second occurrence).

function oracleDayMatches(days: DaySelector, date: Date): boolean {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  const d = date.getUTCDate();
  const dow = date.getUTCDay() + 1; // AWS: 1 = SUN
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const isWeekday = (day: number) => {
    const w = new Date(Date.UTC(y, m, day)).getUTCDay();
    return w !== 0 && w !== 6;
  };
  switch (days.kind) {
    case "days-of-month":
      return days.days.includes(d);
    case "last-day-of-month":
      return d === last;
    case "last-weekday-of-month": {
      let day = last;
      while (!isWeekday(day)) day--;
      return d === day;
    }
    case "weekday-nearest-day": {
      if (days.day > last) return false;
      // The weekday of the month closest to the target (never a tie: Saturday -> Friday is 1, Monday is 2).
      let best = -1;
      for (let day = 1; day <= last; day++) {
        if (isWeekday(day) && (best < 0 || Math.abs(day - days.day) < Math.abs(best - days.day))) best = day;
      }
      return d === best;
    }
    case "days-of-week":
      return days.daysOfWeek.includes(dow);
    case "last-day-of-week-in-month":
      return dow === days.dayOfWeek && d + 7 > last;
    case "nth-day-of-week-in-month":
      return dow === days.dayOfWeek && Math.ceil(d / 7) === days.nth;
  }
}

interface OracleResult {
  count: number;
  max: number | undefined;
  min: number | undefined;
}

function oracle(schedule: CronSchedule, timeZone: string, from: Date, until: Date): OracleResult {
  const format = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
  const offsetOf = (minute: number): number => {
    const m = /GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(format.format(minute * 60000));
    if (!m) throw new Error("offset");
    return m[1] === undefined ? 0 : (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  };
  const start = Math.ceil(from.getTime() / 60000);
  const end = Math.floor(until.getTime() / 60000);
  const locals = new Int32Array(end - start + 1);
  for (let hour = start; hour <= end; hour += 60) {
    const a = offsetOf(hour);
    const same = a === offsetOf(Math.min(hour + 60, end));
    for (let u = hour; u < hour + 60 && u <= end; u++) locals[u - start] = u + (same ? a : offsetOf(u));
  }
  const timeOfDay = new Uint8Array(DAY);
  for (let t = 0; t < DAY; t++) timeOfDay[t] = schedule.minutes.includes(t % 60) && schedule.hours.includes(Math.floor(t / 60)) ? 1 : 0;
  const dayCache = new Map<number, boolean>();
  const matches = (local: number): boolean => {
    if (timeOfDay[((local % DAY) + DAY) % DAY] === 0) return false;
    const day = Math.floor(local / DAY);
    let ok = dayCache.get(day);
    if (ok === undefined) {
      const date = new Date(day * 86400000);
      ok = schedule.years.includes(date.getUTCFullYear()) && schedule.months.includes(date.getUTCMonth() + 1) && oracleDayMatches(schedule.days, date);
      dayCache.set(day, ok);
    }
    return ok;
  };
  const gaps = (starts: number[]): OracleResult => {
    let max: number | undefined;
    let min: number | undefined;
    for (let i = 1; i < starts.length; i++) {
      const g = starts[i] - starts[i - 1];
      max = max === undefined ? g : Math.max(max, g);
      min = min === undefined ? g : Math.min(min, g);
    }
    return { count: starts.length, max, min };
  };
  // First occurrence of each local minute.
  const earlier: number[] = [];
  let highest = -Infinity;
  for (let i = 0; i < locals.length; i++) {
    if (locals[i] <= highest) continue;
    highest = locals[i];
    if (matches(locals[i])) earlier.push(start + i);
  }
  // Last occurrence of each local minute.
  const later: number[] = [];
  let lowest = Infinity;
  for (let i = locals.length - 1; i >= 0; i--) {
    if (locals[i] >= lowest) continue;
    lowest = locals[i];
    if (matches(locals[i])) later.push(start + i);
  }
  later.reverse();
  const a = gaps(earlier);
  const b = gaps(later);
  const worst = (a.max ?? -1) >= (b.max ?? -1) ? a : b;
  const mins = [a.min, b.min].filter((x): x is number => x !== undefined);
  return { count: worst.count, max: worst.max, min: mins.length ? Math.min(...mins) : undefined };
}

/** Compares the analysis with the oracle over a window; returns a description of any difference. */
function compareWithOracle(expression: string, timeZone: string, from: Date, until: Date): string | undefined {
  const schedule = parsed(expression);
  const expected = oracle(schedule, timeZone, from, until);
  const actual = analyzeScheduledStarts(schedule, { timeZone, from, until });
  if (!actual.ok) return expected.count === 0 ? undefined : `${expression} ${timeZone}: analysis failed (${actual.error}) but the oracle found ${expected.count} starts`;
  const got = { count: actual.startCount, max: actual.maxIntervalMinutes, min: actual.minIntervalMinutes };
  return JSON.stringify(got) === JSON.stringify(expected) ? undefined : `${expression} ${timeZone}: got ${JSON.stringify(got)}, oracle ${JSON.stringify(expected)}`;
}

// A window that holds both 2026 transitions in both hemispheres and a year boundary.
const WINDOW_FROM = new Date(Date.UTC(2026, 0, 1));
const WINDOW_UNTIL = new Date(Date.UTC(2027, 0, 10));
// Shorter, for the random runs: still both 2026 transitions of every zone below (northern March and
// October/November, southern April and September/October).
const PROPERTY_FROM = new Date(Date.UTC(2026, 2, 1));
const PROPERTY_UNTIL = new Date(Date.UTC(2026, 10, 10));
const ZONES = ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "America/St_Johns", "Pacific/Chatham", "Asia/Kolkata"];

describe("agreement with a minute-by-minute oracle", () => {
  test.each([
    ["cron(0 * ? * * *)", "Australia/Lord_Howe"],
    ["cron(30 1 * * ? *)", "Europe/London"],
    ["cron(30 1 * * ? *)", "America/New_York"],
    ["cron(0,30 0-3 ? * SUN *)", "America/New_York"],
    ["cron(45 2 ? * * *)", "Pacific/Chatham"],
    ["cron(0/20 * * * ? *)", "America/St_Johns"],
    ["cron(59 23 L * ? *)", "Asia/Kolkata"],
  ])("%s in %s", (expression, zone) => {
    expect(compareWithOracle(expression, zone, WINDOW_FROM, WINDOW_UNTIL)).toBeUndefined();
  });
});

// -----------------------------------------------------------------------------------------------
// Property tests (seeded; fast-check prints the seed and path of any failure).

const int = (min: number, max: number) => fc.integer({ min, max });
const valueItem = (min: number, max: number, steps: boolean) =>
  fc.oneof(
    int(min, max).map(String),
    fc.tuple(int(min, max), int(min, max)).map(([a, b]) => `${a}-${b}`),
    ...(steps
      ? [
          fc.tuple(int(min, max), int(1, max - min + 1)).map(([a, s]) => `${a}/${s}`),
          int(1, max - min + 1).map((s) => `*/${s}`),
        ]
      : []),
  );
const valueField = (min: number, max: number, steps = true) =>
  fc.oneof(fc.constant("*"), fc.array(valueItem(min, max, steps), { minLength: 1, maxLength: 3 }).map((items) => items.join(",")));
const dayFields = fc.oneof(
  fc.oneof(valueField(1, 31), fc.constantFrom("L", "LW"), int(1, 31).map((d) => `${d}W`)).map((dom) => [dom, "?"] as const),
  fc
    .oneof(
      valueField(1, 7, false),
      fc.constantFrom("L", "MON-FRI", "SAT,SUN", "wed"),
      int(1, 7).map((d) => `${d}L`),
      fc.tuple(int(1, 7), int(1, 5)).map(([d, n]) => `${d}#${n}`),
    )
    .map((dow) => ["?", dow] as const),
);
const validExpression = fc
  .tuple(valueField(0, 59), valueField(0, 23), dayFields, fc.oneof(valueField(1, 12), fc.constantFrom("JAN-MAR", "jun,DEC")), fc.constantFrom("*", "*", "*", "2026", "2025-2027", "2026/1"))
  .map(([min, hour, [dom, dow], month, year]) => `cron(${min} ${hour} ${dom} ${month} ${dow} ${year})`);

describe("properties", () => {
  test("valid expressions parse (or never start), analyse without throwing, and agree with the oracle", () => {
    fc.assert(
      fc.property(validExpression, fc.constantFrom(...ZONES), (expression, zone) => {
        const result = parseBackupScheduleExpression(expression);
        if (!result.ok) {
          expect(result.error).toMatch(/never starts/);
          return;
        }
        expect(compareWithOracle(expression, zone, PROPERTY_FROM, PROPERTY_UNTIL)).toBeUndefined();
      }),
      { seed: SEED, numRuns: 20 },
    );
  });

  test("over the whole horizon the largest interval is at least the smallest, and at least the smallest step", () => {
    fc.assert(
      fc.property(validExpression, fc.constantFrom(...ZONES), (expression, zone) => {
        const parsedResult = parseBackupScheduleExpression(expression);
        if (!parsedResult.ok) return;
        const result = analyzeScheduledStarts(parsedResult.schedule, { timeZone: zone, from: FROM });
        if (!result.ok) {
          expect(result.error).toMatch(/no start/);
          return;
        }
        if (result.maxIntervalMinutes === undefined) {
          expect(result.startCount).toBe(1);
          return;
        }
        expect(result.minIntervalMinutes).toBeGreaterThanOrEqual(1);
        expect(result.maxIntervalMinutes).toBeGreaterThanOrEqual(result.minIntervalMinutes as number);
        expect(result.maxIntervalMinutes).toBeGreaterThanOrEqual(result.minWallClockIntervalMinutes as number);
        if (zone === "UTC" || zone === "Asia/Kolkata") expect(result.minIntervalMinutes).toBe(result.minWallClockIntervalMinutes);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  test("arbitrary strings and values never throw", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme", maxLength: 400 }), fc.anything()), (input) => {
        const result = parseBackupScheduleExpression(input);
        expect(typeof result.ok).toBe("boolean");
        if (!result.ok) expect(result.error.length).toBeGreaterThan(0);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  test("cron-shaped token soup never throws, and whatever parses can be analysed", () => {
    const token = fc.constantFrom("0", "5", "15", "31", "59", "7", "*", "?", ",", "-", "/", "L", "W", "#", "LW", "MON", "FRI", "JAN", "2026", "2199", "x", "");
    const field = fc.array(token, { minLength: 1, maxLength: 4 }).map((t) => t.join(""));
    fc.assert(
      fc.property(fc.array(field, { minLength: 4, maxLength: 8 }), fc.constantFrom(...ZONES), (fields, zone) => {
        const result = parseBackupScheduleExpression(`cron(${fields.join(" ")})`);
        if (!result.ok) {
          expect(result.error.length).toBeGreaterThan(0);
          return;
        }
        const analysis = analyzeScheduledStarts(result.schedule, { timeZone: zone, from: FROM, until: new Date(Date.UTC(2028, 0, 1)) });
        expect(typeof analysis.ok).toBe("boolean");
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
