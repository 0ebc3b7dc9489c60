/**
 * AWS Backup schedule expressions: parse them, and enumerate when they start a backup.
 *
 * What AWS accepts (AWS Backup `BackupRuleInput.ScheduleExpression`, which points to the EventBridge
 * "Cron expressions reference"; checked 2026):
 * - Only `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, six fields. AWS Backup's API
 *   takes "a CRON expression"; `rate(...)` is an EventBridge form the Backup API refuses
 *   (hashicorp/terraform-provider-aws#8269), so it is refused here with that reason.
 * - Minutes 0-59 `, - * /`; Hours 0-23 `, - * /`; Day-of-month 1-31 `, - * ? / L W`; Month 1-12 or
 *   JAN-DEC `, - * /`; Day-of-week 1-7 or SUN-SAT (1 = SUN) `, - * ? L #`; Year 1970-2199 `, - * /`.
 * - Exactly one of Day-of-month and Day-of-week is `?`: a value or `*` in one needs `?` in the other
 *   (so `*` in both is refused, and so is `?` in both).
 * - `L` alone: last day of the month (Day-of-month) or of the week, Saturday (Day-of-week).
 *   `6L` is the last Friday of the month (6 = FRI because 1 = SUN). `15W` is the weekday (MON-FRI)
 *   nearest the 15th without leaving the month; `LW` the last weekday of the month. `6#3` is the
 *   third Friday; with `#` the Day-of-week field holds that one expression only.
 * - AWS Backup itself refuses schedules whose jobs are less than 60 minutes apart ("The interval
 *   between backup jobs shouldn't be less than 60 minutes"; the developer guide: "as frequently as
 *   hourly"). That is a property of the starts, not of the syntax: `analyzeScheduledStarts` reports
 *   `minWallClockIntervalMinutes` and `rpo.ts` enforces the floor.
 *
 * Where AWS's documentation is silent we follow Quartz, the scheduler AWS's syntax comes from: names
 * are case-insensitive; a reversed range wraps (`22-2` is 22,23,0,1,2); `5/15` is 5,20,35,50; `L`,
 * `W`, `LW`, `nL` and `n#k` stand alone in their field. Forms AWS does not document (`L-3`, `W` in a
 * list, `/` in Day-of-week) are refused with a reason rather than guessed at.
 *
 * Time zones and daylight saving. A schedule is read on the wall clock of its
 * `scheduleExpressionTimezone` (IANA name, default UTC). AWS Backup does not document what happens
 * on the days the clock jumps, so we take the reading that never understates a gap, which is also
 * what EventBridge Scheduler documents for itself: a start whose local time does not exist (02:30
 * on a spring-forward night in New York) is skipped, and a local time that happens twice (01:30 on
 * a fall-back night) starts once. Which of the two it picks is not documented either, so every
 * figure is computed both ways and the worse is reported.
 */

/** First and last year AWS's Year field allows. */
export const AWS_CRON_YEAR_MIN = 1970;
export const AWS_CRON_YEAR_MAX = 2199;
/** What AWS Backup uses when a rule gives no schedule. */
export const AWS_BACKUP_DEFAULT_SCHEDULE_EXPRESSION = "cron(0 5 ? * * *)";
/** Longer input is refused before any work (AWS expressions are a few dozen characters). */
export const MAX_SCHEDULE_EXPRESSION_LENGTH = 256;

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] as const;
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;
const FIELD_ORDER = "Minutes Hours Day-of-month Month Day-of-week Year";

/** Which days of a month a schedule runs on: one of AWS's day forms. Day-of-week numbers are 1-7, 1 = SUN. */
export type DaySelector =
  /** Plain Day-of-month values (`*`, lists, ranges, steps); Day-of-week is `?`. */
  | { kind: "days-of-month"; days: readonly number[] }
  /** Day-of-month `L`. */
  | { kind: "last-day-of-month" }
  /** Day-of-month `LW`. */
  | { kind: "last-weekday-of-month" }
  /** Day-of-month `15W`: the MON-FRI day nearest `day`, within the month; no start if the month is shorter. */
  | { kind: "weekday-nearest-day"; day: number }
  /** Plain Day-of-week values; Day-of-month is `?`. */
  | { kind: "days-of-week"; daysOfWeek: readonly number[] }
  /** Day-of-week `6L`: the last such day of the month (`L` alone is every Saturday, a `days-of-week`). */
  | { kind: "last-day-of-week-in-month"; dayOfWeek: number }
  /** Day-of-week `6#3`: the nth such day of the month; no start in months without one. */
  | { kind: "nth-day-of-week-in-month"; dayOfWeek: number; nth: number };

/** A parsed AWS Backup cron expression. Value lists are sorted and unique. */
export interface CronSchedule {
  /** The expression as given, trimmed. */
  readonly expression: string;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly days: DaySelector;
  /** 1-12. */
  readonly months: readonly number[];
  /** 1970-2199. */
  readonly years: readonly number[];
}

export type ScheduleParseResult = { ok: true; schedule: CronSchedule } | { ok: false; error: string };

/**
 * Parses an AWS Backup schedule expression. Never throws: anything that is not a schedule AWS Backup
 * accepts (including non-strings) comes back as `{ ok: false, error }` naming the field, the value and
 * what is allowed. A syntactically valid schedule that never starts (`cron(0 0 31 2 ? *)`) is refused.
 */
export function parseBackupScheduleExpression(input: unknown): ScheduleParseResult {
  try {
    return parseExpression(input);
  } catch (e) {
    // Defence in depth: the parser has no known throwing path, but a policy must never crash on input.
    return { ok: false, error: `schedule expression could not be read (${e instanceof Error ? e.message : String(e)})` };
  }
}

function parseExpression(input: unknown): ScheduleParseResult {
  if (typeof input !== "string") {
    return fail(`schedule expression must be a string such as "cron(0 5 ? * * *)", not ${describeType(input)}`);
  }
  if (input.length > MAX_SCHEDULE_EXPRESSION_LENGTH) {
    return fail(`schedule expression is ${input.length} characters long; AWS cron expressions are short (at most ${MAX_SCHEDULE_EXPRESSION_LENGTH} accepted here)`);
  }
  const bad = [...input].find((c) => !/^[\x20-\x7e]$/.test(c));
  const expression = input.trim();
  if (expression === "") {
    return fail(`schedule expression is empty; write a cron expression such as "cron(0 5 ? * * *)" (AWS Backup's default when no schedule is given)`);
  }
  if (bad !== undefined) {
    const code = bad.codePointAt(0) ?? 0;
    return fail(`schedule expression ${quote(expression)} contains the character U+${code.toString(16).toUpperCase().padStart(4, "0")}; only plain ASCII is allowed`);
  }
  if (/^rate\s*\(/i.test(expression)) {
    return fail(`schedule expression ${quote(expression)} is a rate expression; AWS Backup accepts only cron(...) expressions (for example "cron(0 * ? * * *)" for hourly, "cron(0 5 ? * * *)" for daily at 05:00)`);
  }
  const wrapped = /^cron\((.*)\)$/.exec(expression);
  if (!wrapped) {
    const hint = /^cron\s*\(/i.test(expression) ? ` (write "cron(" in lower case, with nothing between "cron" and "(", and end with ")")` : "";
    return fail(`schedule expression ${quote(expression)} is not of the form cron(${FIELD_ORDER})${hint}`);
  }
  const body = wrapped[1].trim();
  const parts = body === "" ? [] : body.split(/ +/);
  if (parts.length !== 6) {
    const why =
      parts.length === 5
        ? "; AWS cron needs the Year field too, and Unix cron's five-field form is not accepted"
        : parts.length === 7
          ? "; AWS cron has no seconds field"
          : "";
    return fail(`schedule expression ${quote(expression)} has ${parts.length} field${parts.length === 1 ? "" : "s"}; AWS cron needs exactly 6: ${FIELD_ORDER}${why}`);
  }
  const [minText, hourText, domText, monthText, dowText, yearText] = parts;

  const minutes = parseValueField(minText, FIELDS.minutes);
  if (!minutes.ok) return minutes;
  const hours = parseValueField(hourText, FIELDS.hours);
  if (!hours.ok) return hours;
  const months = parseValueField(monthText, FIELDS.month);
  if (!months.ok) return months;
  const years = parseValueField(yearText, FIELDS.year);
  if (!years.ok) return years;
  const days = parseDayFields(domText, dowText);
  if (!days.ok) return days;

  const schedule: CronSchedule = {
    expression,
    minutes: minutes.values,
    hours: hours.values,
    days: days.selector,
    months: months.values,
    years: years.values,
  };
  if (!hasAnyStartDay(schedule)) {
    return fail(`schedule expression ${quote(expression)} never starts: no date in its years and months matches its Day-of-month and Day-of-week fields`);
  }
  return { ok: true, schedule };
}

interface FieldSpec {
  label: string;
  position: number;
  min: number;
  max: number;
  /** Names for min, min+1, ... (months, days of the week). */
  names?: readonly string[];
  allowsStep: boolean;
  allowed: string;
}

const FIELDS = {
  minutes: { label: "Minutes", position: 1, min: 0, max: 59, allowsStep: true, allowed: "0-59 with , - * /" },
  hours: { label: "Hours", position: 2, min: 0, max: 23, allowsStep: true, allowed: "0-23 with , - * /" },
  dayOfMonth: { label: "Day-of-month", position: 3, min: 1, max: 31, allowsStep: true, allowed: "1-31 with , - * / or ? L W" },
  month: { label: "Month", position: 4, min: 1, max: 12, names: MONTH_NAMES, allowsStep: true, allowed: "1-12 or JAN-DEC with , - * /" },
  dayOfWeek: { label: "Day-of-week", position: 5, min: 1, max: 7, names: DAY_NAMES, allowsStep: false, allowed: "1-7 (1 = SUN) or SUN-SAT with , - * or ? L #" },
  year: { label: "Year", position: 6, min: AWS_CRON_YEAR_MIN, max: AWS_CRON_YEAR_MAX, allowsStep: true, allowed: `${AWS_CRON_YEAR_MIN}-${AWS_CRON_YEAR_MAX} with , - * /` },
} satisfies Record<string, FieldSpec>;

type FieldResult = { ok: true; values: number[] } | { ok: false; error: string };
type DayResult = { ok: true; selector: DaySelector } | { ok: false; error: string };

function fieldError(spec: FieldSpec, text: string, problem: string): { ok: false; error: string } {
  return fail(`${spec.label} field (field ${spec.position}) ${quote(text)}: ${problem}; allowed: ${spec.allowed}`);
}

/** A field of values: `*`, or a comma list of values, ranges and steps. */
function parseValueField(text: string, spec: FieldSpec): FieldResult {
  const special = specialCharacterProblem(text, spec);
  if (special !== undefined) return fieldError(spec, text, special);
  const seen = new Set<number>();
  for (const item of text.split(",")) {
    if (item === "") return fieldError(spec, text, "an empty value between commas");
    if (item === "*" && text !== "*") return fieldError(spec, text, "* cannot be part of a list");
    const values = parseItem(item, spec, text);
    if (!values.ok) return values;
    for (const v of values.values) seen.add(v);
  }
  return { ok: true, values: [...seen].sort((a, b) => a - b) };
}

/** Why ?, #, L or W cannot appear where they do in a plain value field (their valid forms are parsed before). */
function specialCharacterProblem(text: string, spec: FieldSpec): string | undefined {
  const dayField = spec === FIELDS.dayOfMonth || spec === FIELDS.dayOfWeek;
  if (text.includes("?")) return dayField ? "? must stand alone" : "? is only allowed in Day-of-month or Day-of-week";
  if (text.includes("#")) {
    return spec === FIELDS.dayOfWeek
      ? "# must appear once, as day#n (for example 6#3, the third Friday), with nothing else in the field"
      : "# is only allowed in Day-of-week";
  }
  const words = (text.match(/[A-Z]+/gi) ?? []).map((w) => w.toUpperCase());
  const stray = words.find((w) => w === "L" || w === "W" || w === "LW");
  if (stray === undefined) return undefined;
  if (spec === FIELDS.dayOfMonth) return "L and W must stand alone in Day-of-month: L, LW, or a single day followed by W such as 15W";
  if (spec === FIELDS.dayOfWeek) {
    return stray === "L" ? "L must stand alone (every Saturday) or follow a single day, as in 6L (the last Friday of the month)" : "W is only allowed in Day-of-month";
  }
  return "L and W are only allowed in Day-of-month and Day-of-week";
}

function parseItem(item: string, spec: FieldSpec, fieldText: string): FieldResult {
  const slash = item.split("/");
  if (slash.length > 2) return fieldError(spec, fieldText, `${quote(item)} has more than one /`);
  if (slash.length === 2) {
    if (!spec.allowsStep) return fieldError(spec, fieldText, "/ (increments) is not allowed in this field");
    const [baseText, stepText] = slash;
    const step = parseNumber(stepText);
    if (step === undefined) return fieldError(spec, fieldText, `the increment ${quote(stepText)} after / must be a whole number`);
    const span = spec.max - spec.min + 1;
    if (step < 1 || step > span) return fieldError(spec, fieldText, `the increment ${step} must be between 1 and ${span}`);
    let start: number;
    let end: number;
    if (baseText === "*") {
      start = spec.min;
      end = spec.max;
    } else if (baseText.includes("-")) {
      const range = parseRange(baseText, spec, fieldText);
      if (!range.ok) return range;
      [start, end] = range.bounds;
    } else {
      const v = parseValue(baseText, spec, fieldText);
      if (!v.ok) return v;
      start = v.value;
      end = spec.max;
    }
    return { ok: true, values: steppedSequence(start, end, step, spec) };
  }
  if (item === "*") return { ok: true, values: steppedSequence(spec.min, spec.max, 1, spec) };
  if (item.includes("-")) {
    const range = parseRange(item, spec, fieldText);
    if (!range.ok) return range;
    return { ok: true, values: steppedSequence(range.bounds[0], range.bounds[1], 1, spec) };
  }
  const v = parseValue(item, spec, fieldText);
  if (!v.ok) return v;
  return { ok: true, values: [v.value] };
}

/** start, start+step, ... up to end; a reversed range wraps past the field's maximum (Quartz). */
function steppedSequence(start: number, end: number, step: number, spec: FieldSpec): number[] {
  const out: number[] = [];
  const span = spec.max - spec.min + 1;
  const length = end >= start ? end - start : end - start + span;
  for (let k = 0; k <= length; k += step) {
    out.push(((start - spec.min + k) % span) + spec.min);
  }
  return out;
}

function parseRange(text: string, spec: FieldSpec, fieldText: string): { ok: true; bounds: [number, number] } | { ok: false; error: string } {
  const ends = text.split("-");
  if (ends.length !== 2 || ends[0] === "" || ends[1] === "") {
    return fieldError(spec, fieldText, `${quote(text)} is not a range of the form a-b`);
  }
  const a = parseValue(ends[0], spec, fieldText);
  if (!a.ok) return a;
  const b = parseValue(ends[1], spec, fieldText);
  if (!b.ok) return b;
  if (spec === FIELDS.year && a.value > b.value) {
    return fieldError(spec, fieldText, `the range ${quote(text)} runs backwards`);
  }
  return { ok: true, bounds: [a.value, b.value] };
}

function parseValue(text: string, spec: FieldSpec, fieldText: string): { ok: true; value: number } | { ok: false; error: string } {
  if (/^[A-Za-z]+$/.test(text)) {
    if (!spec.names) return fieldError(spec, fieldText, `${quote(text)} is not a number`);
    const index = spec.names.indexOf(text.toUpperCase());
    if (index < 0) return fieldError(spec, fieldText, `${quote(text)} is not a known name (${spec.names[0]}-${spec.names[spec.names.length - 1]})`);
    return { ok: true, value: spec.min + index };
  }
  const n = parseNumber(text);
  if (n === undefined) return fieldError(spec, fieldText, `${quote(text)} is not a number`);
  if (n < spec.min || n > spec.max) {
    return fieldError(spec, fieldText, `${n} is out of range (${spec.min}-${spec.max})`);
  }
  return { ok: true, value: n };
}

/** Whole numbers written with at most 4 digits (the largest AWS value, 2199, has four). */
function parseNumber(text: string): number | undefined {
  return /^\d{1,4}$/.test(text) ? Number(text) : undefined;
}

function parseDayFields(domText: string, dowText: string): DayResult {
  const dom = FIELDS.dayOfMonth;
  const dow = FIELDS.dayOfWeek;
  if (domText === "?" && dowText === "?") {
    return fail(`Day-of-month (field 3) and Day-of-week (field 5) are both ?; exactly one of them must be ?, the other says which days to run (for example "* ... ?" for every day)`);
  }
  if (domText === "*" && dowText === "*") {
    return fail(`Day-of-month (field 3) and Day-of-week (field 5) are both *; AWS refuses * in both: put ? in one of them (for example "cron(0 5 * * ? *)")`);
  }
  if (domText !== "?" && dowText !== "?") {
    return fail(`Day-of-month (field 3) ${quote(domText)} and Day-of-week (field 5) ${quote(dowText)} are both set; AWS cannot combine them: put ? in one of them`);
  }
  if (dowText === "?") {
    const upper = domText.toUpperCase();
    if (upper === "L") return { ok: true, selector: { kind: "last-day-of-month" } };
    if (upper === "LW") return { ok: true, selector: { kind: "last-weekday-of-month" } };
    if (/^L-/.test(upper)) return fieldError(dom, domText, "offsets from the last day (L-n) are not part of AWS's documented syntax");
    const nearest = /^(\d{1,2})W$/.exec(upper);
    if (nearest) {
      const day = Number(nearest[1]);
      if (day < 1 || day > 31) return fieldError(dom, domText, `${day} is out of range (1-31)`);
      return { ok: true, selector: { kind: "weekday-nearest-day", day } };
    }
    if (/^\d+[LW]/.test(upper)) return fieldError(dom, domText, "L and W must stand alone in Day-of-month: L, LW, or a single day followed by W such as 15W");
    const values = parseValueField(domText, dom);
    if (!values.ok) return values;
    return { ok: true, selector: { kind: "days-of-month", days: values.values } };
  }

  const upper = dowText.toUpperCase();
  if (upper.includes("#")) {
    const m = /^([A-Z]+|\d+)#(\d+)$/.exec(upper);
    if (!m) return fieldError(dow, dowText, "# must appear once, as day#n (for example 6#3, the third Friday), with nothing else in the field");
    const d = parseValue(m[1], dow, dowText);
    if (!d.ok) return d;
    const nth = Number(m[2]);
    if (nth < 1 || nth > 5) return fieldError(dow, dowText, `the week number ${m[2]} after # must be 1-5`);
    return { ok: true, selector: { kind: "nth-day-of-week-in-month", dayOfWeek: d.value, nth } };
  }
  // L alone is the last day of the week, Saturday (Quartz reads it as 7).
  if (upper === "L") return { ok: true, selector: { kind: "days-of-week", daysOfWeek: [7] } };
  const last = /^([A-Z]+|\d+)L$/.exec(upper);
  if (last) {
    const d = parseValue(last[1], dow, dowText);
    if (!d.ok) return d;
    return { ok: true, selector: { kind: "last-day-of-week-in-month", dayOfWeek: d.value } };
  }
  const values = parseValueField(dowText, dow);
  if (!values.ok) return values;
  return { ok: true, selector: { kind: "days-of-week", daysOfWeek: values.values } };
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic on day numbers (days since 1970-01-01), without Date objects: fast and exact.

/** Days from 1970-01-01 to the given proleptic Gregorian date (month 1-12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date of a day number. */
export function civilFromDays(dayNumber: number): { year: number; month: number; day: number } {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** AWS day of the week, 1 = SUN ... 7 = SAT. 1970-01-01 was a Thursday. */
function awsDayOfWeek(dayNumber: number): number {
  return ((((dayNumber + 4) % 7) + 7) % 7) + 1;
}

/**
 * The days of one month (1-based, ascending) the selector picks, written into `out`; returns how many.
 * `firstDay` is the day number of the 1st.
 */
function matchingDaysOfMonth(selector: DaySelector, firstDay: number, length: number, out: number[]): number {
  let n = 0;
  switch (selector.kind) {
    case "days-of-month":
      for (const d of selector.days) if (d <= length) out[n++] = d;
      return n;
    case "last-day-of-month":
      out[0] = length;
      return 1;
    case "last-weekday-of-month": {
      const dow = awsDayOfWeek(firstDay + length - 1);
      out[0] = dow === 7 ? length - 1 : dow === 1 ? length - 2 : length;
      return 1;
    }
    case "weekday-nearest-day": {
      const d = selector.day;
      if (d > length) return 0;
      const dow = awsDayOfWeek(firstDay + d - 1);
      if (dow === 7) out[0] = d === 1 ? 3 : d - 1; // Saturday: the Friday before, unless that leaves the month
      else if (dow === 1) out[0] = d === length ? d - 2 : d + 1; // Sunday: the Monday after, unless that leaves it
      else out[0] = d;
      return 1;
    }
    case "days-of-week": {
      const firstDow = awsDayOfWeek(firstDay);
      for (let d = 1; d <= length; d++) {
        if (selector.daysOfWeek.includes(((firstDow - 1 + d - 1) % 7) + 1)) out[n++] = d;
      }
      return n;
    }
    case "last-day-of-week-in-month": {
      const lastDow = awsDayOfWeek(firstDay + length - 1);
      out[0] = length - ((lastDow - selector.dayOfWeek + 7) % 7);
      return 1;
    }
    case "nth-day-of-week-in-month": {
      const firstDow = awsDayOfWeek(firstDay);
      const d = 1 + ((selector.dayOfWeek - firstDow + 7) % 7) + 7 * (selector.nth - 1);
      if (d > length) return 0;
      out[0] = d;
      return 1;
    }
  }
}

function hasAnyStartDay(schedule: CronSchedule): boolean {
  const out: number[] = [];
  for (const year of schedule.years) {
    for (const month of schedule.months) {
      if (matchingDaysOfMonth(schedule.days, daysFromCivil(year, month, 1), daysInMonth(year, month), out) > 0) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Time zones: UTC offsets from Intl (full ICU in Node 20), tabulated once per zone and horizon.

export type TimeZoneResult = { ok: true; timeZone: string } | { ok: false; error: string };

/**
 * Checks a `scheduleExpressionTimezone`: absent means UTC; otherwise an IANA name that the runtime's
 * time zone database knows (`America/New_York`, `Etc/UTC`). Returns the name as given.
 */
export function checkScheduleTimeZone(timeZone: unknown): TimeZoneResult {
  if (timeZone === undefined) return { ok: true, timeZone: "UTC" };
  if (typeof timeZone !== "string") return fail(`scheduleExpressionTimezone must be an IANA time zone name such as "America/New_York", not ${describeType(timeZone)}`);
  if (timeZone.trim() === "") return fail(`scheduleExpressionTimezone is empty; leave it out for UTC or give an IANA name such as "Europe/London"`);
  if (timeZone.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(timeZone)) {
    return fail(`scheduleExpressionTimezone ${quote(timeZone)} is not an IANA time zone name such as "America/New_York"`);
  }
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
  } catch {
    return fail(`scheduleExpressionTimezone ${quote(timeZone)} is not a time zone this runtime knows; use an IANA name such as "America/New_York"`);
  }
  return { ok: true, timeZone };
}

/** Offset changes of one zone over a span of UTC minutes: `offsets[i]` is in force from `changesAt[i]`. */
interface OffsetTable {
  readonly initialOffset: number;
  readonly changesAt: readonly number[];
  readonly offsets: readonly number[];
  readonly hasBackwardChange: boolean;
  /** Smallest and largest offset in the span: a local time's UTC instant lies within these of it. */
  readonly minOffset: number;
  readonly maxOffset: number;
}

const PROBE_STEP_MINUTES = 7 * 1440;
const offsetTableCache = new Map<string, OffsetTable>();

/**
 * Probes the zone's offset weekly and bisects each change to the minute. Assumes no zone changes its
 * offset twice within 7 days, which holds for every rule in the tz database's future.
 */
function offsetTable(timeZone: string, fromMinute: number, untilMinute: number): OffsetTable {
  const key = `${timeZone}|${fromMinute}|${untilMinute}`;
  const cached = offsetTableCache.get(key);
  if (cached) return cached;
  const format = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
  const offsetAtMinute = (minute: number): number => parseLongOffset(format.format(minute * 60000));
  const initialOffset = offsetAtMinute(fromMinute);
  const changesAt: number[] = [];
  const offsets: number[] = [];
  let hasBackwardChange = false;
  if (format.resolvedOptions().timeZone !== "UTC") {
    let lo = fromMinute;
    let loOffset = initialOffset;
    while (lo < untilMinute) {
      const hi = Math.min(lo + PROBE_STEP_MINUTES, untilMinute);
      const hiOffset = offsetAtMinute(hi);
      if (hiOffset !== loOffset) {
        let a = lo; // offset loOffset at a; hiOffset at b
        let b = hi;
        while (b - a > 1) {
          const mid = Math.floor((a + b) / 2);
          if (offsetAtMinute(mid) === loOffset) a = mid;
          else b = mid;
        }
        changesAt.push(b);
        offsets.push(hiOffset);
        if (hiOffset < loOffset) hasBackwardChange = true;
      }
      lo = hi;
      loOffset = hiOffset;
    }
  }
  const table = {
    initialOffset,
    changesAt,
    offsets,
    hasBackwardChange,
    minOffset: Math.min(initialOffset, ...offsets),
    maxOffset: Math.max(initialOffset, ...offsets),
  };
  if (offsetTableCache.size >= 64) offsetTableCache.clear();
  offsetTableCache.set(key, table);
  return table;
}

/** "GMT", "GMT+5:30", "GMT-04:00" to minutes east of UTC (seconds, only in pre-1972 history, are rounded). */
function parseLongOffset(text: string): number {
  const m = /GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/.exec(text);
  if (!m) throw new Error(`unexpected time zone offset text ${quote(text)}`);
  if (m[1] === undefined) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0) + Math.round(Number(m[4] ?? 0) / 60);
  return m[1] === "-" ? -minutes : minutes;
}

/** Index of the last change at or before `minute`, or -1. */
function changeIndexAt(table: OffsetTable, minute: number): number {
  let lo = 0;
  let hi = table.changesAt.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (table.changesAt[mid] <= minute) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function offsetAt(table: OffsetTable, minute: number): number {
  const i = changeIndexAt(table, minute);
  return i < 0 ? table.initialOffset : table.offsets[i];
}

// ---------------------------------------------------------------------------------------------
// Enumerating starts and measuring the gaps between them.

export interface StartIntervalOptions {
  /** IANA name the expression is read in (AWS Backup's `scheduleExpressionTimezone`); default UTC. */
  timeZone?: string;
  /** Starts before this instant are ignored; default now. Clamped to 1970-01-01. */
  from?: Date;
  /** Starts after this instant are ignored; default the end of AWS's Year range (2199). */
  until?: Date;
}

export type StartIntervalAnalysis =
  | {
      ok: true;
      /** "repeats": starts until AWS's Year range ends (or `until`); "stops": its Year field ends earlier. */
      status: "repeats" | "stops";
      timeZone: string;
      firstStart: Date;
      lastStart: Date;
      /** Starts between `from` and the end of the horizon. */
      startCount: number;
      /** Largest time between two consecutive starts, in real (UTC) minutes; undefined with a single start. */
      maxIntervalMinutes: number | undefined;
      /** The two consecutive starts that are furthest apart (the first such pair). */
      largestInterval: { from: Date; to: Date } | undefined;
      /** Smallest time between two consecutive starts, in real minutes. */
      minIntervalMinutes: number | undefined;
      /** Smallest gap on the schedule's own wall clock, ignoring daylight saving (what AWS's 60-minute floor is about). */
      minWallClockIntervalMinutes: number | undefined;
    }
  | { ok: false; error: string };

/**
 * Every start of the schedule between `from` and the end of AWS's Year range (2199), and the largest
 * and smallest gaps between consecutive starts, in the schedule's time zone with daylight saving.
 *
 * The horizon is the schedule's whole remaining life, not a sample: the Gregorian calendar only
 * repeats every 400 years (the 28-year cycle breaks at 2100, which is not a leap year), and the tz
 * database's future rules follow that calendar, so scanning to 2199 needs no cycle argument. It is
 * cheap because starts are not stepped through one by one: the minutes and hours fields give the same
 * times every day, so a day whose UTC offset does not change costs O(1) (its first start, last start
 * and the constant largest gap within a day); only the few days around an offset change are walked
 * start by start.
 */
export function analyzeScheduledStarts(schedule: CronSchedule, options: StartIntervalOptions = {}): StartIntervalAnalysis {
  try {
    return analyze(schedule, options);
  } catch (e) {
    return { ok: false, error: `schedule ${quote(String(schedule?.expression))} could not be analysed (${e instanceof Error ? e.message : String(e)})` };
  }
}

/** Parses and analyses in one step; errors from either come back as `{ ok: false, error }`. */
export function analyzeScheduleExpression(expression: unknown, options: StartIntervalOptions = {}): StartIntervalAnalysis {
  const parsed = parseBackupScheduleExpression(expression);
  return parsed.ok ? analyzeScheduledStarts(parsed.schedule, options) : parsed;
}

interface GapState {
  prev: number | undefined;
  first: number | undefined;
  count: number;
  max: number | undefined;
  maxFrom: number;
  maxTo: number;
  min: number | undefined;
}

function analyze(schedule: CronSchedule, options: StartIntervalOptions): StartIntervalAnalysis {
  const zone = checkScheduleTimeZone(options.timeZone);
  if (!zone.ok) return zone;
  const from = options.from ?? new Date();
  const until = options.until;
  if (!(from instanceof Date) || Number.isNaN(from.getTime())) return fail("the analysis start (from) is not a valid date");
  if (until !== undefined && (!(until instanceof Date) || Number.isNaN(until.getTime()))) return fail("the analysis end (until) is not a valid date");

  const domainStart = daysFromCivil(AWS_CRON_YEAR_MIN, 1, 1) * 1440;
  const domainEnd = daysFromCivil(AWS_CRON_YEAR_MAX + 1, 1, 1) * 1440 + 1440; // a day of slack for zones west of UTC
  const fromMinute = Math.max(Math.ceil(from.getTime() / 60000), domainStart);
  const untilMinute = until === undefined ? domainEnd : Math.min(Math.floor(until.getTime() / 60000), domainEnd);
  if (untilMinute < fromMinute) return fail("the analysis end (until) is before its start (from)");

  const lastYear = schedule.years[schedule.years.length - 1];
  const stops = lastYear < AWS_CRON_YEAR_MAX;
  // Whole years, so that repeated analyses (a policy run, a report) share one table per zone.
  const tableStart = daysFromCivil(civilFromDays(Math.floor(fromMinute / 1440)).year, 1, 1) * 1440 - 2 * 1440;
  const tableEnd = daysFromCivil(civilFromDays(Math.floor(untilMinute / 1440)).year + 1, 1, 1) * 1440 + 2 * 1440;
  const table = offsetTable(zone.timeZone, tableStart, tableEnd);

  const times = timesOfDay(schedule);
  // Run once per reading of repeated local times; they differ only in zones that turn clocks back.
  const earlier = scan(schedule, table, times, fromMinute, untilMinute, "earlier");
  const state = table.hasBackwardChange ? worse(earlier, scan(schedule, table, times, fromMinute, untilMinute, "later")) : earlier;

  if (state.first === undefined || state.prev === undefined) {
    const why = stops && civilFromDays(Math.floor(fromMinute / 1440)).year >= lastYear ? `: its Year field ends in ${lastYear}` : "";
    return fail(`schedule ${quote(schedule.expression)} has no start between ${isoMinute(fromMinute)} and ${isoMinute(untilMinute)}${why}`);
  }
  const reachedEnd = until === undefined || untilMinute >= daysFromCivil(lastYear + 1, 1, 1) * 1440 + 1440;
  return {
    ok: true,
    status: stops && reachedEnd ? "stops" : "repeats",
    timeZone: zone.timeZone,
    firstStart: new Date(state.first * 60000),
    lastStart: new Date(state.prev * 60000),
    startCount: state.count,
    maxIntervalMinutes: state.max,
    largestInterval: state.max === undefined ? undefined : { from: new Date(state.maxFrom * 60000), to: new Date(state.maxTo * 60000) },
    minIntervalMinutes: state.min,
    minWallClockIntervalMinutes: wallClockMinInterval(schedule, times, fromMinute, untilMinute, table),
  };
}

function worse(a: GapState, b: GapState): GapState {
  const pickB = (b.max ?? -1) > (a.max ?? -1);
  const chosen = pickB ? b : a;
  const mins = [a.min, b.min].filter((m): m is number => m !== undefined);
  return { ...chosen, min: mins.length ? Math.min(...mins) : undefined };
}

interface TimesOfDay {
  /** Minutes after local midnight, ascending. */
  list: number[];
  /** Largest and smallest gap between consecutive times within one day (undefined with one time). */
  innerMax: number | undefined;
  innerMaxIndex: number;
  innerMin: number | undefined;
}

function timesOfDay(schedule: CronSchedule): TimesOfDay {
  const list: number[] = [];
  for (const h of schedule.hours) for (const m of schedule.minutes) list.push(h * 60 + m);
  let innerMax: number | undefined;
  let innerMin: number | undefined;
  let innerMaxIndex = 0;
  for (let i = 1; i < list.length; i++) {
    const gap = list[i] - list[i - 1];
    if (innerMax === undefined || gap > innerMax) {
      innerMax = gap;
      innerMaxIndex = i - 1;
    }
    if (innerMin === undefined || gap < innerMin) innerMin = gap;
  }
  return { list, innerMax, innerMaxIndex, innerMin };
}

/** Calls `visit(dayNumber)` for each start day in [firstDay, lastDay], ascending. */
function forEachStartDay(schedule: CronSchedule, firstDay: number, lastDay: number, visit: (day: number) => void): void {
  const startYear = civilFromDays(firstDay).year;
  const endYear = civilFromDays(lastDay).year;
  const out: number[] = [];
  for (const year of schedule.years) {
    if (year < startYear) continue;
    if (year > endYear) break;
    for (const month of schedule.months) {
      const first = daysFromCivil(year, month, 1);
      const length = daysInMonth(year, month);
      if (first + length - 1 < firstDay) continue;
      if (first > lastDay) return;
      const n = matchingDaysOfMonth(schedule.days, first, length, out);
      for (let i = 0; i < n; i++) {
        const day = first + out[i] - 1;
        if (day >= firstDay && day <= lastDay) visit(day);
      }
    }
  }
}

function scan(
  schedule: CronSchedule,
  table: OffsetTable,
  times: TimesOfDay,
  fromMinute: number,
  untilMinute: number,
  repeatedLocalTime: "earlier" | "later",
): GapState {
  const state: GapState = { prev: undefined, first: undefined, count: 0, max: undefined, maxFrom: 0, maxTo: 0, min: undefined };
  const visit = (utc: number): void => {
    if (utc < fromMinute || utc > untilMinute) return;
    if (state.prev !== undefined) recordGap(state, state.prev, utc);
    else state.first = utc;
    state.prev = utc;
    state.count++;
  };
  const list = times.list;
  const firstTime = list[0];
  const lastTime = list[list.length - 1];
  // Local days that can hold a start inside [from, until]: offsets are within a day of UTC.
  const firstDay = Math.floor(fromMinute / 1440) - 1;
  const lastDay = Math.floor(untilMinute / 1440) + 1;
  let changeIndex = 0; // first offset change after the current window start (days come in order)
  forEachStartDay(schedule, firstDay, lastDay, (day) => {
    const dayStart = day * 1440;
    // Every UTC instant a start of this day could have lies in [windowStart, windowEnd]. With no
    // offset change inside, each start has exactly one instant, at the offset in force ("clean").
    const windowStart = dayStart + firstTime - table.maxOffset;
    const windowEnd = dayStart + lastTime - table.minOffset;
    while (changeIndex < table.changesAt.length && table.changesAt[changeIndex] <= windowStart) changeIndex++;
    const offset = changeIndex === 0 ? table.initialOffset : table.offsets[changeIndex - 1];
    const clean = changeIndex >= table.changesAt.length || table.changesAt[changeIndex] > windowEnd;
    if (clean) {
      const firstUtc = dayStart + firstTime - offset;
      const lastUtc = dayStart + lastTime - offset;
      if (firstUtc >= fromMinute && lastUtc <= untilMinute) {
        visit(firstUtc);
        if (times.innerMax !== undefined) {
          if (state.max === undefined || times.innerMax > state.max) {
            state.max = times.innerMax;
            state.maxFrom = dayStart + list[times.innerMaxIndex] - offset;
            state.maxTo = state.maxFrom + times.innerMax;
          }
          if (state.min === undefined || (times.innerMin as number) < state.min) state.min = times.innerMin;
          state.prev = lastUtc;
          state.count += list.length - 1;
        }
        return;
      }
      for (const t of list) visit(dayStart + t - offset);
      return;
    }
    // Offset segments over the window: offset segOffsets[k] is in force on [segStarts[k], segStarts[k+1]).
    const segOffsets = [offset];
    const segStarts = [-Infinity];
    let j = changeIndex;
    for (; j < table.changesAt.length && table.changesAt[j] <= windowEnd; j++) {
      segOffsets.push(table.offsets[j]);
      segStarts.push(table.changesAt[j]);
    }
    segStarts.push(j < table.changesAt.length ? table.changesAt[j] : Infinity);
    for (const t of list) {
      // The local time happens at local - offset for each segment that contains that instant:
      // none when the clock jumps over it (skipped), two when it is turned back over it.
      let chosen: number | undefined;
      for (let k = 0; k < segOffsets.length; k++) {
        const utc = dayStart + t - segOffsets[k];
        if (utc < segStarts[k] || utc >= segStarts[k + 1]) continue;
        if (chosen === undefined || (repeatedLocalTime === "earlier" ? utc < chosen : utc > chosen)) chosen = utc;
      }
      if (chosen !== undefined) visit(chosen);
    }
  });
  return state;
}

function recordGap(state: GapState, from: number, to: number): void {
  const gap = to - from;
  if (state.max === undefined || gap > state.max) {
    state.max = gap;
    state.maxFrom = from;
    state.maxTo = to;
  }
  if (state.min === undefined || gap < state.min) state.min = gap;
}

/** Smallest gap between consecutive starts on the wall clock, over the start days in the horizon. */
function wallClockMinInterval(schedule: CronSchedule, times: TimesOfDay, fromMinute: number, untilMinute: number, table: OffsetTable): number | undefined {
  let min = times.innerMin;
  const span = times.list[times.list.length - 1] - times.list[0];
  let prevDay: number | undefined;
  const firstLocalDay = Math.floor((fromMinute + offsetAt(table, fromMinute)) / 1440);
  const lastLocalDay = Math.floor((untilMinute + offsetAt(table, untilMinute)) / 1440);
  forEachStartDay(schedule, firstLocalDay, lastLocalDay, (day) => {
    if (prevDay !== undefined) {
      const gap = (day - prevDay) * 1440 - span;
      if (min === undefined || gap < min) min = gap;
    }
    prevDay = day;
  });
  return min;
}

// ---------------------------------------------------------------------------------------------

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

/** Quotes a value for a message, cut short so that huge input does not flood a report. */
function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** "2026-03-08 07:00 UTC": minute precision, for messages. */
export function isoMinute(minuteOrDate: number | Date): string {
  const ms = typeof minuteOrDate === "number" ? minuteOrDate * 60000 : minuteOrDate.getTime();
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
