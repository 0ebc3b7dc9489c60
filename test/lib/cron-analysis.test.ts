import { analyzeScheduleExpression, checkScheduleTimeZone, isoMinute, parseBackupScheduleExpression } from "../../policies/lib/cron";

/** Fixed analysis start: results must not depend on the day the tests run. */
const FROM = new Date(Date.UTC(2026, 0, 1));
const DAY = 1440;
const utc = (y: number, mo: number, d: number, h = 0, mi = 0): Date => new Date(Date.UTC(y, mo - 1, d, h, mi));

function ok(expression: string, options: Parameters<typeof analyzeScheduleExpression>[1]) {
  const result = analyzeScheduleExpression(expression, options);
  if (!result.ok) throw new Error(`expected ${expression} to analyse: ${result.error}`);
  return result;
}

function errorOf(expression: unknown, options: Parameters<typeof analyzeScheduleExpression>[1]): string {
  const result = analyzeScheduleExpression(expression, options);
  if (result.ok) throw new Error(`expected ${String(expression)} to fail`);
  return result.error;
}

/**
 * Independent reference: walks every UTC minute in [from, until], reads the local wall clock with
 * Intl and keeps the minutes whose local time matches. Only for plain minute/hour lists and a
 * day-of-month predicate, and only over a few days (and no repeated local hour).
 */
function bruteStarts(minutes: number[], hours: number[], dayOk: (day: number) => boolean, timeZone: string, from: Date, until: Date): number[] {
  const format = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", day: "numeric", hour: "numeric", minute: "numeric" });
  const out: number[] = [];
  for (let m = from.getTime() / 60000; m <= until.getTime() / 60000; m++) {
    const parts = Object.fromEntries(format.formatToParts(m * 60000).map((p) => [p.type, p.value]));
    if (minutes.includes(Number(parts.minute)) && hours.includes(Number(parts.hour)) && dayOk(Number(parts.day))) out.push(m);
  }
  return out;
}

function gaps(starts: number[]): number[] {
  return starts.slice(1).map((s, i) => s - starts[i]);
}

describe("analysis options are checked", () => {
  it("refuses an invalid or non-Date start", () => {
    expect(errorOf("cron(0 5 ? * * *)", { from: new Date(Number.NaN) })).toBe("the analysis start (from) is not a valid date");
    expect(errorOf("cron(0 5 ? * * *)", { from: "2026-01-01" as unknown as Date })).toBe("the analysis start (from) is not a valid date");
  });

  it("refuses an invalid or non-Date end", () => {
    expect(errorOf("cron(0 5 ? * * *)", { from: FROM, until: new Date(Number.NaN) })).toBe("the analysis end (until) is not a valid date");
    expect(errorOf("cron(0 5 ? * * *)", { from: FROM, until: "2027-01-01" as unknown as Date })).toBe("the analysis end (until) is not a valid date");
  });

  it("refuses an end before the start, but accepts an end equal to it", () => {
    expect(errorOf("cron(0 5 ? * * *)", { from: utc(2026, 1, 1, 5), until: utc(2026, 1, 1, 4, 59) })).toBe(
      "the analysis end (until) is before its start (from)",
    );
    const single = ok("cron(0 5 ? * * *)", { from: utc(2026, 1, 1, 5), until: utc(2026, 1, 1, 5) });
    expect(single.startCount).toBe(1);
    expect(single.firstStart).toEqual(utc(2026, 1, 1, 5));
    expect(single.lastStart).toEqual(utc(2026, 1, 1, 5));
    expect(single.maxIntervalMinutes).toBeUndefined();
    expect(single.largestInterval).toBeUndefined();
    expect(single.minIntervalMinutes).toBeUndefined();
  });
});

describe("schedules with no start in the window", () => {
  it("explains that the Year field has ended", () => {
    expect(errorOf("cron(0 5 ? * * 2020)", { from: FROM })).toBe(
      'schedule "cron(0 5 ? * * 2020)" has no start between 2026-01-01 00:00 UTC and 2200-01-02 00:00 UTC: its Year field ends in 2020',
    );
    // The analysis starts within the last year, after its only start.
    expect(errorOf("cron(0 5 1 1 ? 2026)", { from: utc(2026, 6, 1) })).toBe(
      'schedule "cron(0 5 1 1 ? 2026)" has no start between 2026-06-01 00:00 UTC and 2200-01-02 00:00 UTC: its Year field ends in 2026',
    );
  });

  it("gives no Year reason when the years have not ended", () => {
    expect(errorOf("cron(0 5 ? * * 2030)", { from: FROM, until: utc(2026, 1, 1, 4) })).toBe(
      'schedule "cron(0 5 ? * * 2030)" has no start between 2026-01-01 00:00 UTC and 2026-01-01 04:00 UTC',
    );
    expect(errorOf("cron(0 5 ? * * *)", { from: utc(2199, 3, 1), until: utc(2199, 3, 1, 4) })).toBe(
      'schedule "cron(0 5 ? * * *)" has no start between 2199-03-01 00:00 UTC and 2199-03-01 04:00 UTC',
    );
  });

  it("knows that Samoa skipped 30 December 2011 (change just before the end of the analysed year)", () => {
    // Pacific/Apia went from UTC-10 to UTC+14 at 2011-12-30 10:00 UTC: local 29 Dec 24:00 became 31 Dec 00:00.
    expect(errorOf("cron(0 12 30 * ? *)", { timeZone: "Pacific/Apia", from: utc(2011, 12, 1), until: utc(2011, 12, 31, 23) })).toBe(
      'schedule "cron(0 12 30 * ? *)" has no start between 2011-12-01 00:00 UTC and 2011-12-31 23:00 UTC',
    );
  });

  it("reads a start just after midnight on 1 January at the offset then in force (Sao Tome, 2018)", () => {
    // Africa/Sao_Tome moved from UTC+0 to UTC+1 at 2018-01-01 01:00 local.
    const r = ok("cron(30 0 1 1 ? 2018)", { timeZone: "Africa/Sao_Tome", from: utc(2018, 1, 1) });
    expect(r.firstStart).toEqual(utc(2018, 1, 1, 0, 30));
    expect(r.startCount).toBe(1);
    const local = new Intl.DateTimeFormat("en-US", { timeZone: "Africa/Sao_Tome", hourCycle: "h23", dateStyle: "short", timeStyle: "short" });
    expect(local.format(r.firstStart)).toBe("1/1/18, 00:30");
  });
});

describe("status: whether starts run to the end of the horizon", () => {
  it("stops when the Year field ends and the analysis reaches past it", () => {
    expect(ok("cron(0 5 ? * * 2026-2027)", { from: FROM }).status).toBe("stops");
    // The end must reach one day into the year after the last (slack for zones west of UTC).
    expect(ok("cron(0 5 ? * * 2026-2027)", { from: FROM, until: utc(2028, 1, 2) }).status).toBe("stops");
    expect(ok("cron(0 5 ? * * 2026-2027)", { from: FROM, until: utc(2028, 1, 1, 23, 59) }).status).toBe("repeats");
    expect(ok("cron(0 5 ? * * 2026-2027)", { from: FROM, until: utc(2026, 2, 1) }).status).toBe("repeats");
  });

  it("repeats when the Year field is open", () => {
    expect(ok("cron(0 5 ? * * *)", { from: FROM, until: utc(2026, 2, 1) }).status).toBe("repeats");
  });
});

describe("gaps within and across days (UTC)", () => {
  it("reports the first of several equally largest gaps", () => {
    const until = utc(2026, 1, 3);
    const r = ok("cron(0 0,8,16 ? * * *)", { from: FROM, until });
    const ref = bruteStarts([0], [0, 8, 16], () => true, "UTC", FROM, until);
    expect(r.startCount).toBe(ref.length);
    expect(r.startCount).toBe(7);
    expect(r.maxIntervalMinutes).toBe(480);
    expect(r.largestInterval).toEqual({ from: utc(2026, 1, 1, 0), to: utc(2026, 1, 1, 8) });
    expect(r.minIntervalMinutes).toBe(480);
  });

  it("finds a smaller gap inside a day after a larger one on a partial first day", () => {
    const from = utc(2026, 1, 1, 0, 30);
    const until = utc(2026, 1, 3);
    const r = ok("cron(0 0,1,12 ? * * *)", { from, until });
    const ref = bruteStarts([0], [0, 1, 12], () => true, "UTC", from, until);
    expect(gaps(ref)).toEqual([660, 720, 60, 660, 720]);
    expect(r.startCount).toBe(ref.length);
    expect(r.firstStart).toEqual(new Date(ref[0] * 60000));
    expect(r.lastStart).toEqual(new Date(ref[ref.length - 1] * 60000));
    expect(r.minIntervalMinutes).toBe(60);
    expect(r.maxIntervalMinutes).toBe(720);
    expect(r.largestInterval).toEqual({ from: utc(2026, 1, 1, 12), to: utc(2026, 1, 2, 0) });
  });

  it("measures the wall-clock gap from the last start of a day to the first of the next", () => {
    const until = utc(2026, 1, 3);
    const r = ok("cron(0 1,23 1,2 * ? *)", { from: FROM, until });
    expect(gaps(bruteStarts([0], [1, 23], (d) => d <= 2, "UTC", FROM, until))).toEqual([1320, 120, 1320]);
    expect(r.minIntervalMinutes).toBe(120);
    expect(r.minWallClockIntervalMinutes).toBe(120);
    expect(r.maxIntervalMinutes).toBe(1320);
    expect(r.largestInterval).toEqual({ from: utc(2026, 1, 1, 1), to: utc(2026, 1, 1, 23) });
  });

  it("counts a start on the first of the month that falls on the last day analysed", () => {
    const r = ok("cron(0 5 1 * ? *)", { from: FROM, until: utc(2026, 2, 1, 5) });
    expect(r.startCount).toBe(2);
    expect(r.maxIntervalMinutes).toBe(31 * DAY);
    expect(r.minWallClockIntervalMinutes).toBe(31 * DAY);
  });

  it("ignores start days outside the window for the wall-clock gap", () => {
    const r = ok("cron(0 5 1,10,20 * ? *)", { from: utc(2026, 1, 5), until: utc(2026, 1, 15) });
    expect(r.startCount).toBe(1);
    expect(r.firstStart).toEqual(utc(2026, 1, 10, 5));
    expect(r.minWallClockIntervalMinutes).toBeUndefined();
    expect(r.maxIntervalMinutes).toBeUndefined();
  });
});

describe("gaps in a fixed-offset zone", () => {
  it("places the largest gap inside a day at its real instants (Asia/Tokyo, UTC+9)", () => {
    const until = utc(2026, 1, 3);
    const r = ok("cron(0 3,17,18 ? * * *)", { timeZone: "Asia/Tokyo", from: FROM, until });
    const ref = bruteStarts([0], [3, 17, 18], () => true, "Asia/Tokyo", FROM, until);
    expect(gaps(ref)).toEqual([60, 540, 840, 60, 540]);
    expect(r.startCount).toBe(6);
    expect(r.firstStart).toEqual(utc(2026, 1, 1, 8));
    expect(r.maxIntervalMinutes).toBe(840);
    expect(r.largestInterval).toEqual({ from: utc(2026, 1, 1, 18), to: utc(2026, 1, 2, 8) });
    expect(r.minIntervalMinutes).toBe(60);
  });

  it("takes the wall-clock gap over the local start days of the window (Pacific/Kiritimati, UTC+14)", () => {
    // from = 1 Jan 14:00 local, until = 31 Jan 23:00 local: starts on local 1, 20 and 31 January.
    const from = FROM;
    const until = utc(2026, 1, 31, 9);
    const r = ok("cron(0 20 1,20,31 * ? *)", { timeZone: "Pacific/Kiritimati", from, until });
    expect(r.startCount).toBe(3);
    expect(r.firstStart).toEqual(utc(2026, 1, 1, 6));
    expect(r.lastStart).toEqual(utc(2026, 1, 31, 6));
    expect(r.maxIntervalMinutes).toBe(19 * DAY);
    expect(r.minIntervalMinutes).toBe(11 * DAY);
    expect(r.minWallClockIntervalMinutes).toBe(11 * DAY);
  });
});

describe("repeated local times when clocks go back (America/New_York, 2026-11-01 02:00 EDT -> 01:00 EST)", () => {
  it("takes the earlier instant for a single start in the repeated hour", () => {
    const r = ok("cron(30 1 1 11 ? 2026)", { timeZone: "America/New_York", from: FROM });
    expect(r.startCount).toBe(1);
    expect(r.firstStart).toEqual(utc(2026, 11, 1, 5, 30));
    expect(r.lastStart).toEqual(utc(2026, 11, 1, 5, 30));
    expect(r.maxIntervalMinutes).toBeUndefined();
    expect(r.minIntervalMinutes).toBeUndefined();
  });

  it("reports the later reading when it gives the larger gap, with the smaller gap of either reading", () => {
    // Earlier reading: 04:10, 04:50, 05:10, 05:50 UTC; later reading: 04:10, 04:50, 06:10, 06:50 UTC.
    const r = ok("cron(10,50 0,1 1 11 ? 2026)", { timeZone: "America/New_York", from: FROM });
    expect(r.status).toBe("stops");
    expect(r.startCount).toBe(4);
    expect(r.maxIntervalMinutes).toBe(80);
    expect(r.largestInterval).toEqual({ from: utc(2026, 11, 1, 4, 50), to: utc(2026, 11, 1, 6, 10) });
    expect(r.lastStart).toEqual(utc(2026, 11, 1, 6, 50));
    expect(r.minIntervalMinutes).toBe(20);
  });

  it("finds the second 01:00, at the very instant the clock goes back", () => {
    // 00:00 EDT = 04:00 UTC; 01:00 is 05:00 UTC (EDT) or 06:00 UTC (EST, the moment of the change).
    const r = ok("cron(0 0,1 1 11 ? 2026)", { timeZone: "America/New_York", from: FROM });
    expect(r.firstStart).toEqual(utc(2026, 11, 1, 4));
    expect(r.maxIntervalMinutes).toBe(120);
    expect(r.lastStart).toEqual(utc(2026, 11, 1, 6));
    expect(r.minIntervalMinutes).toBe(60);
  });
});

describe("messages", () => {
  const formHint = "is not of the form cron(Minutes Hours Day-of-month Month Day-of-week Year)";

  it("quotes input of up to 80 characters whole", () => {
    const text = "abcdefghij".repeat(8);
    expect(parseBackupScheduleExpression(text)).toEqual({ ok: false, error: `schedule expression "${text}" ${formHint}` });
  });

  it("cuts longer input to 77 characters and an ellipsis", () => {
    const text = "abcdefghij".repeat(8) + "k";
    expect(parseBackupScheduleExpression(text)).toEqual({ ok: false, error: `schedule expression "${text.slice(0, 77)}..." ${formHint}` });
    expect(`${text.slice(0, 77)}...`).toBe("abcdefghij".repeat(7) + "abcdefg...");
  });

  it("describes the type of a non-string expression or time zone", () => {
    const prefix = 'schedule expression must be a string such as "cron(0 5 ? * * *)", not ';
    expect(parseBackupScheduleExpression(null)).toEqual({ ok: false, error: `${prefix}null` });
    expect(parseBackupScheduleExpression(undefined)).toEqual({ ok: false, error: `${prefix}undefined` });
    expect(parseBackupScheduleExpression({})).toEqual({ ok: false, error: `${prefix}an object` });
    expect(parseBackupScheduleExpression(["cron(0 5 ? * * *)"])).toEqual({ ok: false, error: `${prefix}a list` });
    expect(parseBackupScheduleExpression(5)).toEqual({ ok: false, error: `${prefix}a number` });
    expect(checkScheduleTimeZone(null)).toEqual({
      ok: false,
      error: 'scheduleExpressionTimezone must be an IANA time zone name such as "America/New_York", not null',
    });
  });

  it("formats instants to the minute in UTC", () => {
    expect(isoMinute(new Date(Date.UTC(2026, 2, 8, 7, 0, 30)))).toBe("2026-03-08 07:00 UTC");
    expect(isoMinute(Date.UTC(2026, 2, 8, 7, 5) / 60000)).toBe("2026-03-08 07:05 UTC");
    expect(isoMinute(0)).toBe("1970-01-01 00:00 UTC");
  });
});
