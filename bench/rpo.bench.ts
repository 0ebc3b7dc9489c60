/**
 * Timings of the cron / RPO maths (policies/lib/cron.ts, rpo.ts). Prints figures, asserts nothing.
 * Run: npx ts-node bench/rpo.bench.ts
 *
 * "first" is the first analysis in a zone in this process: it includes tabulating the zone's UTC
 * offsets up to 2199 (cached afterwards). "median" and "max" are over the repeated runs that follow.
 */
import { analyzeScheduleExpression, parseBackupScheduleExpression } from "../policies/lib/cron";
import { worstCaseRpo } from "../policies/lib/rpo";

const RUNS = 20;
const from = new Date();

const cases: [label: string, expression: string, timeZone?: string][] = [
  ["hourly", "cron(0 * ? * * *)"],
  ["every 15 min", "cron(0/15 * * * ? *)"],
  ["every minute", "cron(* * * * ? *)"],
  ["daily", "cron(0 5 ? * * *)"],
  ["weekdays", "cron(0 5 ? * MON-FRI *)"],
  ["month end", "cron(0 0 L * ? *)"],
  ["15W", "cron(0 12 15W * ? *)"],
  ["third Friday", "cron(0 9 ? * 6#3 *)"],
  ["last Friday", "cron(0 9 ? * 6L *)"],
  ["daily New York", "cron(30 1 * * ? *)", "America/New_York"],
  ["hourly New York", "cron(0 * ? * * *)", "America/New_York"],
  ["every 15 min New York", "cron(0/15 * * * ? *)", "America/New_York"],
  ["every minute New York", "cron(* * * * ? *)", "America/New_York"],
  ["daily London", "cron(30 1 * * ? *)", "Europe/London"],
  ["hourly Lord Howe", "cron(0 * ? * * *)", "Australia/Lord_Howe"],
  ["daily Casablanca", "cron(0 3 * * ? *)", "Africa/Casablanca"],
  ["weekdays Tokyo", "cron(0 5 ? * MON-FRI *)", "Asia/Tokyo"],
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const pad = (text: string | number, width: number) => String(text).padStart(width);
console.log(`from ${from.toISOString()} to the end of 2199; ${RUNS} runs after the first`);
console.log(`${"case".padEnd(24)} ${pad("first ms", 9)} ${pad("median ms", 10)} ${pad("max ms", 8)} ${pad("starts", 10)} ${pad("max gap min", 12)}`);
for (const [label, expression, timeZone] of cases) {
  const times: number[] = [];
  let first = 0;
  let summary = "";
  for (let i = 0; i <= RUNS; i++) {
    const start = performance.now();
    const result = analyzeScheduleExpression(expression, { timeZone, from });
    const elapsed = performance.now() - start;
    if (i === 0) first = elapsed;
    else times.push(elapsed);
    summary = result.ok ? `${pad(result.startCount, 10)} ${pad(String(result.maxIntervalMinutes), 12)}` : `error: ${result.error}`;
  }
  console.log(`${label.padEnd(24)} ${pad(first.toFixed(2), 9)} ${pad(median(times).toFixed(2), 10)} ${pad(Math.max(...times).toFixed(2), 8)} ${summary}`);
}

const expressions = cases.map(([, expression]) => expression);
let start = performance.now();
const parseRounds = 2000;
for (let i = 0; i < parseRounds; i++) for (const e of expressions) parseBackupScheduleExpression(e);
console.log(`parse: ${(((performance.now() - start) / (parseRounds * expressions.length)) * 1000).toFixed(2)} us per expression`);

start = performance.now();
const assessment = worstCaseRpo({
  pointInTimeSurvivesDeletion: false,
  snapshotRules: [
    { name: "hourly", scheduleExpression: "cron(0 * ? * * *)", startWindowMinutes: 60 },
    { name: "daily", scheduleExpression: "cron(0 5 ? * * *)", scheduleExpressionTimezone: "America/New_York" },
    { name: "monthly", scheduleExpression: "cron(0 0 L * ? *)", startWindowMinutes: 120 },
  ],
});
console.log(`worstCaseRpo with 3 rules (warm zones): ${(performance.now() - start).toFixed(2)} ms -> ${assessment.worstCaseMinutes} min (${assessment.basis})`);
