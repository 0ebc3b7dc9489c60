import {
  type CronSchedule,
  analyzeScheduleExpression,
  analyzeScheduledStarts,
  checkScheduleTimeZone,
  civilFromDays,
  daysFromCivil,
  parseBackupScheduleExpression,
} from "../../policies/lib/cron";

const DAY = 1440;

function analysed(expression: string, timeZone: string | undefined, from: Date, until: Date) {
  const result = analyzeScheduleExpression(expression, { timeZone, from, until });
  if (!result.ok) throw new Error(`expected ${expression} to analyse: ${result.error}`);
  return result;
}

/** Local wall-clock date and time of an instant in a zone, from Intl (independent of cron.ts). */
function wallClock(timeZone: string, at: Date): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
}

describe("civil calendar at the end of a 400-year era", () => {
  it("maps the last day of each era (29 February of a year divisible by 400) and its neighbours like Date does", () => {
    for (const year of [2000, 2400, 1600]) {
      for (const [month, day] of [
        [2, 28],
        [2, 29],
        [3, 1],
      ]) {
        const n = Date.UTC(year, month - 1, day) / 86400000;
        expect(daysFromCivil(year, month, day)).toBe(n);
        expect(civilFromDays(n)).toEqual({ year, month, day });
      }
    }
    expect(civilFromDays(11016)).toEqual({ year: 2000, month: 2, day: 29 });
  });
});

describe("February in years divisible by 400", () => {
  it("2000 is a leap year (divisible by 400), 2100 is not (divisible by 100 only)", () => {
    expect(new Date(Date.UTC(2000, 1, 29)).getUTCMonth()).toBe(1);
    expect(parseBackupScheduleExpression("cron(0 0 29 2 ? 2000)").ok).toBe(true);
    expect(parseBackupScheduleExpression("cron(0 0 29 2 ? 2100)").ok).toBe(false);
  });

  it("L in February 2000 is the 29th", () => {
    const r = analysed("cron(0 12 L 2 ? 2000)", undefined, new Date(Date.UTC(2000, 0, 1)), new Date(Date.UTC(2000, 11, 31)));
    expect(r.firstStart.toISOString()).toBe("2000-02-29T12:00:00.000Z");
    expect(r.startCount).toBe(1);
  });
});

describe("LW: the last weekday of the month", () => {
  /** Brute force with Date: the last day of the month, stepped back over Saturday and Sunday. */
  function lastWeekday(year: number, month: number): Date {
    const d = new Date(Date.UTC(year, month, 0, 12));
    while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() - 1);
    return d;
  }

  it("steps back from a Saturday (Jan 2026) and a Sunday (May 2026) to the Friday, keeps a Tuesday (Mar 2026)", () => {
    const r = analysed("cron(0 12 LW * ? 2026)", undefined, new Date(Date.UTC(2026, 0, 1)), new Date(Date.UTC(2026, 5, 30, 23, 59)));
    const expected = [1, 2, 3, 4, 5, 6].map((m) => lastWeekday(2026, m).getTime() / 60000);
    expect(expected.map((m) => new Date(m * 60000).toISOString().slice(0, 10))).toEqual([
      "2026-01-30",
      "2026-02-27",
      "2026-03-31",
      "2026-04-30",
      "2026-05-29",
      "2026-06-30",
    ]);
    const gaps = expected.slice(1).map((m, i) => m - expected[i]);
    expect(r.startCount).toBe(6);
    expect(r.firstStart.getTime()).toBe(expected[0] * 60000);
    expect(r.lastStart.getTime()).toBe(expected[5] * 60000);
    expect(r.maxIntervalMinutes).toBe(Math.max(...gaps));
    expect(r.maxIntervalMinutes).toBe(32 * DAY);
    expect(r.largestInterval?.from.toISOString()).toBe("2026-02-27T12:00:00.000Z");
    expect(r.minIntervalMinutes).toBe(Math.min(...gaps));
    expect(r.minIntervalMinutes).toBe(28 * DAY);
  });
});

describe("checkScheduleTimeZone rejects malformed names before asking the runtime", () => {
  const notIana = /^scheduleExpressionTimezone .* is not an IANA time zone name such as "America\/New_York"$/;
  const unknown = /is not a time zone this runtime knows/;

  it.each(["", "   ", "\t"])("an empty or blank name (%j) is reported as empty", (name) => {
    const r = checkScheduleTimeZone(name);
    expect(r).toEqual({ ok: false, error: expect.stringContaining("scheduleExpressionTimezone is empty") });
  });

  it.each(["9Europe/London", "Europe/London!", "Europe/London ", "/Europe/London", "America/" + "A".repeat(57)])(
    "a name of the wrong shape or over 64 characters (%j) is not an IANA name",
    (name) => {
      const r = checkScheduleTimeZone(name);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(notIana);
    },
  );

  it("a well-formed name of exactly 64 characters is passed to the runtime, which does not know it", () => {
    const name = "America/" + "A".repeat(56);
    expect(name).toHaveLength(64);
    const r = checkScheduleTimeZone(name);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatch(unknown);
      expect(r.error).not.toMatch(notIana);
    }
  });

  it("accepts real zone names as given", () => {
    for (const tz of ["America/New_York", "Etc/GMT+5", "Australia/Lord_Howe"]) expect(checkScheduleTimeZone(tz)).toEqual({ ok: true, timeZone: tz });
  });
});

describe("offsets with seconds (Liberia before 1972: GMT-0:44:30)", () => {
  it("rounds -44:30 to -45 minutes: noon in Monrovia is 12:45 UTC", () => {
    expect(new Intl.DateTimeFormat("en-US", { timeZone: "Africa/Monrovia", timeZoneName: "longOffset" }).format(new Date(Date.UTC(1971, 5, 1)))).toMatch(
      /GMT-00:44:30$/,
    );
    const r = analysed("cron(0 12 ? * * 1971)", "Africa/Monrovia", new Date(Date.UTC(1971, 5, 1)), new Date(Date.UTC(1971, 5, 3, 23, 59)));
    expect(r.firstStart.toISOString()).toBe("1971-06-01T12:45:00.000Z");
    // 12:45:00 UTC is 12:00:30 on Monrovia's clock.
    expect(wallClock("Africa/Monrovia", r.firstStart)).toBe("1971-06-01 12:00");
    expect(r.startCount).toBe(3);
    expect(r.maxIntervalMinutes).toBe(DAY);
  });
});

describe("zones without daylight saving", () => {
  it("Asia/Kolkata (+5:30): noon is 06:30 UTC, one day apart on the wall clock", () => {
    const r = analysed("cron(0 12 ? * * *)", "Asia/Kolkata", new Date(Date.UTC(2026, 0, 1)), new Date(Date.UTC(2026, 0, 10)));
    expect(r.firstStart.toISOString()).toBe("2026-01-01T06:30:00.000Z");
    expect(r.startCount).toBe(9);
    expect(r.minWallClockIntervalMinutes).toBe(DAY);
  });

  it("UTC: once a day is one day apart on the wall clock", () => {
    const r = analysed("cron(0 5 ? * * *)", undefined, new Date(Date.UTC(2026, 0, 1)), new Date(Date.UTC(2026, 0, 10)));
    expect(r.minWallClockIntervalMinutes).toBe(DAY);
  });
});

describe("a zone whose only change in the year turns clocks back (Sao Paulo, 17 Feb 2019, DST then abolished)", () => {
  it("takes the later reading of the repeated 23:30 when it gives the longer gap", () => {
    // 2019-02-17 02:00 UTC: 00:00 -02 became 23:00 -03 on 16 February; no DST started in late 2019.
    expect(wallClock("America/Sao_Paulo", new Date(Date.UTC(2019, 1, 17, 1, 30)))).toBe("2019-02-16 23:30");
    expect(wallClock("America/Sao_Paulo", new Date(Date.UTC(2019, 1, 17, 2, 30)))).toBe("2019-02-16 23:30");
    expect(wallClock("America/Sao_Paulo", new Date(Date.UTC(2019, 10, 17, 12)))).toBe("2019-11-17 09:00");
    const r = analysed("cron(30 23 15,16 2 ? 2019)", "America/Sao_Paulo", new Date(Date.UTC(2019, 1, 1)), new Date(Date.UTC(2019, 1, 28)));
    // 15 Feb 23:30 -02 = 16 Feb 01:30 UTC; 16 Feb 23:30 -03 (second time round) = 17 Feb 02:30 UTC.
    expect(r.maxIntervalMinutes).toBe(DAY + 60);
    expect(r.largestInterval?.from.toISOString()).toBe("2019-02-16T01:30:00.000Z");
    expect(r.largestInterval?.to.toISOString()).toBe("2019-02-17T02:30:00.000Z");
    expect(r.minIntervalMinutes).toBe(DAY);
    expect(r.minWallClockIntervalMinutes).toBe(DAY);
  });
});

describe("the wall-clock day of the analysis bounds uses the offset in force then", () => {
  it("New York in summer: 04:30 UTC on 1 July is already 1 July locally (EDT), so 30 June is not counted", () => {
    const from = new Date(Date.UTC(2026, 6, 1, 4, 30));
    expect(wallClock("America/New_York", from)).toBe("2026-07-01 00:30");
    const r = analysed("cron(45 0 1,30 6-7 ? 2026)", "America/New_York", from, new Date(Date.UTC(2026, 7, 31)));
    expect(r.firstStart.toISOString()).toBe("2026-07-01T04:45:00.000Z");
    expect(r.startCount).toBe(2);
    expect(r.minIntervalMinutes).toBe(29 * DAY);
    expect(r.minWallClockIntervalMinutes).toBe(29 * DAY);
  });

  it("New York in December, after both of the year's changes: 04:45 UTC on 15 Dec is still 14 Dec locally (EST)", () => {
    const from = new Date(Date.UTC(2026, 11, 15, 4, 45));
    expect(wallClock("America/New_York", from)).toBe("2026-12-14 23:45");
    const r = analysed("cron(50 23 14,20 12 ? 2026)", "America/New_York", from, new Date(Date.UTC(2026, 11, 31, 12)));
    expect(r.firstStart.toISOString()).toBe("2026-12-15T04:50:00.000Z");
    expect(r.startCount).toBe(2);
    expect(r.minIntervalMinutes).toBe(6 * DAY);
    expect(r.minWallClockIntervalMinutes).toBe(6 * DAY);
  });

  it("Santiago at the very minute clocks go back (5 Apr 2026 03:00 UTC, 24:00 -03 -> 23:00 -04): it is 4 April locally", () => {
    const change = new Date(Date.UTC(2026, 3, 5, 3, 0));
    expect(wallClock("America/Santiago", new Date(change.getTime() - 60000))).toBe("2026-04-04 23:59");
    expect(wallClock("America/Santiago", change)).toBe("2026-04-04 23:00");
    const r = analysed("cron(30 23 4,10 4 ? 2026)", "America/Santiago", change, new Date(Date.UTC(2026, 3, 30)));
    // 4 Apr 23:30 happens at 02:30 UTC (-03, before the analysis starts) and again at 03:30 UTC (-04).
    expect(r.firstStart.toISOString()).toBe("2026-04-05T03:30:00.000Z");
    expect(r.lastStart.toISOString()).toBe("2026-04-11T03:30:00.000Z");
    expect(r.maxIntervalMinutes).toBe(6 * DAY);
    expect(r.minWallClockIntervalMinutes).toBe(6 * DAY);
  });
});

describe("analyzeScheduledStarts reports internal failures as results", () => {
  it("a schedule object without its fields comes back as not analysable, naming the expression", () => {
    const broken = { expression: "cron(0 5 ? * * *)" } as unknown as CronSchedule;
    const r = analyzeScheduledStarts(broken, { from: new Date(Date.UTC(2026, 0, 1)), until: new Date(Date.UTC(2026, 1, 1)) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^schedule "cron\(0 5 \? \* \* \*\)" could not be analysed \(.+\)$/);
  });
});
