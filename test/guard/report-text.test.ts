import { MAX_TRACE_LINES, formatDuration, formatProgressLine, renderText, shouldUseColor, wrapText } from "../../guard/report/text";
import { REPO_ROOT, deferred, guardRun, packMessage, recoveryRow, resource, richRun, stackResult, violation, waived } from "../helpers/guard-run";

const plain = { color: false, repoRoot: REPO_ROOT };
const ESC = "\u001b";

/** The lines of a section: from its heading to the next blank line. */
function section(text: string, heading: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.trimStart().startsWith(heading));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.trim() === "");
  return lines.slice(start, end < 0 ? undefined : end);
}

describe("renderText", () => {
  test("per stack: a header, a summary line with every count, the resources and the time", () => {
    const text = renderText(richRun(), plain);
    expect(text).toContain("== acme-db / production ==  stacks/production/index.ts");
    expect(text).toContain("  FAIL  2 mandatory · 1 advisory · 1 waived · 1 checked at deployment · 42 resources · 1.3 s");
    expect(text).toContain("  PASS  0 mandatory · 0 advisory · 0 waived · 0 checked at deployment · 17 resources · 610 ms");
  });

  test("violations are grouped by resource, with type, file:line, rule id, level and the whole message", () => {
    const violations = section(renderText(richRun(), { ...plain, width: 0 }), "Violations");
    expect(violations).toEqual([
      "  Violations",
      "    orders (aws:rds/instance:Instance) at stacks/production/index.ts:12:5",
      "      MANDATORY  prod-db-deletion-protection",
      '        RDS instance "orders": deletionProtection is false. Why it matters: without it one API call or one mistaken `pulumi up` deletes the live database. Fix: set deletionProtection: true.',
      "      advisory  prod-db-copy-tags-to-snapshot",
      '        RDS instance "orders": prod-db-copy-tags-to-snapshot is not met. Why it matters: without it one mistaken `pulumi up` can lose the live database. Fix: follow the prod-db-copy-tags-to-snapshot remediation steps.',
      "    Stack-wide",
      "      MANDATORY  guardrail-settings",
      "        Waiver #2 expired on 2031-01-31; it waives nothing. Fix: renew it with a new reason or remove it.",
    ]);
  });

  test("waived findings have their own section with owner, reason and expiry", () => {
    const waivedLines = section(renderText(richRun(), { ...plain, width: 0 }), "Waived").join("\n");
    expect(waivedLines).toContain("sessions (aws:dynamodb/table:Table) at components/production-table.ts:48:23");
    expect(waivedLines).toContain("waiver #1, owner dba-team@acme.example, expires 2031-06-30, reason: Legacy snapshot restore until the migration in Q3 completes");
    expect(section(renderText(richRun(), plain), "Violations").join("\n")).not.toContain("prod-db-encrypted");
  });

  test("checks decided at deployment are shown apart, never among the violations", () => {
    const text = renderText(richRun(), plain);
    const atDeployment = section(text, "Checked at deployment").join("\n");
    expect(atDeployment).toContain("prod-db-backup-retention");
    expect(atDeployment).toContain('RDS instance "ledger": backupRetentionPeriod is unknown until deployment');
    expect(section(text, "Violations").join("\n")).not.toContain("prod-db-backup-retention");
  });

  test("sections with nothing in them are left out", () => {
    const text = renderText(guardRun([stackResult({ findings: [violation("prod-db-encrypted", "mandatory", resource("orders"))] })]), plain);
    expect(text).toContain("  Violations");
    expect(text).not.toContain("Waived");
    expect(text).not.toContain("Checked at deployment");
    expect(text).not.toContain("Remediated");
    expect(text).toContain("Recovery: no production database in this stack.");
    const clean = renderText(guardRun([stackResult()]), plain);
    expect(clean).toContain("No violations.");
    expect(clean).not.toContain("  Violations");
  });

  test("the recovery table has every column, aligned, and says why a row is not ok", () => {
    const table = section(renderText(richRun(), plain), "Recovery").slice(1);
    expect(table[0].split(/\s{2,}/).map((c) => c.trim()).filter(Boolean)).toEqual(["DATABASE", "ENGINE", "COVERED BY", "WORST-CASE RPO", "LIMIT", "STATUS"]);
    const statusColumn = table[0].indexOf("STATUS");
    const limitColumn = table[0].indexOf("LIMIT");
    const rows = table.slice(1, 4);
    expect(rows.map((r) => r.slice(statusColumn))).toEqual(["ok", "ok", "OVER LIMIT"]);
    expect(rows.map((r) => r.slice(limitColumn, statusColumn).trim())).toEqual(["60 min", "60 min", "60 min"]);
    expect(rows[2]).toMatch(/^ {4}ledger +postgres +rule daily \(cron\(0 5 \? \* \* \*\), 480 min window\) +1920 min +60 min +OVER LIMIT$/);
    expect(rows[0]).toContain("rule hourly (cron(0 * ? * * *), 60 min window); continuous backup");
    expect(table[4].trim()).toBe("ledger: a daily rule can start up to 8 h late");
  });

  test("a database nothing covers, or whose cover is decided at deployment, says so", () => {
    const db = resource("orders");
    const run = guardRun([
      stackResult({
        recovery: [
          recoveryRow(db, { coveredBy: [], worstCaseRpoMinutes: null, status: "none", basis: "no backup plan selects it and automated backups are off" }),
          recoveryRow(resource("audit"), { worstCaseRpoMinutes: null, status: "unknown", basis: "the backup plan's schedule is unknown until deployment" }),
        ],
      }),
    ]);
    const table = section(renderText(run, plain), "Recovery");
    expect(table[2]).toMatch(/^ {4}orders +postgres +nothing +- +60 min +NOT COVERED$/);
    expect(table[3]).toMatch(/at deployment$/);
    expect(table.slice(4).map((l) => l.trim())).toEqual([
      "orders: no backup plan selects it and automated backups are off",
      "audit: the backup plan's schedule is unknown until deployment",
    ]);
  });

  test("a stack that threw is shown with its error and a trimmed trace, never as passing", () => {
    const trace = ["Error: Cannot find module './db'", ...Array.from({ length: MAX_TRACE_LINES + 5 }, (_, i) => `    at frame${i} (/work/acme-infra/stacks/dr/index.ts:${i + 1}:1)`)].join("\n");
    const run = guardRun([stackResult({ stack: "dr", error: { message: "Cannot find module './db'", stack: trace } })]);
    const text = renderText(run, plain);
    expect(text).toContain("  ERROR  not checked: the program or the pack failed; this stack has not passed · 42 resources · 1.3 s");
    expect(text).toContain("    Cannot find module './db'\n      at frame0 (");
    expect(text).toContain(`at frame${MAX_TRACE_LINES - 1} (`);
    expect(text).not.toContain(`at frame${MAX_TRACE_LINES} (`);
    expect(text).toContain("      ... 5 more lines");
    expect(text).not.toContain("PASS");
    expect(text.trimEnd().split("\n").slice(-2)).toEqual([
      "ERROR  0 mandatory, 0 advisory, 0 waived, 0 checked at deployment, 1 stack error; 1 of 1 stack not passing.",
      "Exit code 2: a stack could not be checked, or the run itself failed (usage or program error).",
    ]);
  });

  test("the last lines give the overall verdict and what the exit code means", () => {
    expect(renderText(richRun(), plain).trimEnd().split("\n").slice(-2)).toEqual([
      "FAIL  2 mandatory, 1 advisory, 1 waived, 1 checked at deployment, 0 stack errors; 1 of 2 stacks not passing.",
      "Exit code 1: a violation at or above --fail-on mandatory is left.",
    ]);
    expect(renderText(guardRun([stackResult()]), plain).trimEnd().split("\n").pop()).toBe("Exit code 0: no violation at or above --fail-on mandatory is left.");
    const reportOnly = renderText(richRun({ failOn: "none" }), plain);
    expect(reportOnly).toContain("(report only: the mandatory violations would block `pulumi up`)");
    expect(reportOnly.trimEnd().split("\n").pop()).toBe("Exit code 0: report only (--fail-on none): findings never fail the run.");
  });

  test("an exit code that does not match the findings is called out", () => {
    const run = { ...richRun(), exitCode: 0 as const };
    expect(renderText(run, plain)).toContain("Warning: the findings above call for exit code 1, not 0");
  });

  test("long messages wrap at word boundaries and lose nothing, not even the fix", () => {
    const db = resource("orders");
    const message = packMessage(db, "backupRetentionPeriod is 1 day", "a restore can only go back as far as the oldest automated backup, ".repeat(4), "set backupRetentionPeriod: 14 (or more).");
    const text = renderText(guardRun([stackResult({ findings: [violation("prod-db-backup-retention", "mandatory", db, message)] })]), { ...plain, width: 80 });
    const lines = section(text, "Violations").slice(3);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines.map((l) => l.trim()).join(" ")).toBe(message.replace(/ +/g, " ").trim());
    expect(lines[lines.length - 1]).toMatch(/backupRetentionPeriod: 14 \(or more\)\.$/);
  });

  test("colour codes only when colour is on", () => {
    expect(renderText(richRun(), plain)).not.toContain(ESC);
    const coloured = renderText(richRun(), { ...plain, color: true });
    expect(coloured).toContain(`${ESC}[31mFAIL${ESC}[39m`);
    expect(coloured).toContain(`${ESC}[32mPASS${ESC}[39m`);
    expect(coloured.replace(/\u001b\[\d+m/g, "")).toBe(renderText(richRun(), plain));
  });

  test("control characters in names and messages are shown escaped, never sent to the terminal", () => {
    const sneaky = resource(`orders${ESC}[2K`);
    const run = guardRun([stackResult({ findings: [violation("prod-db-encrypted", "mandatory", sneaky, `bad ${ESC}[8mhidden${ESC}[0m`)] })]);
    const text = renderText(run, plain);
    expect(text).not.toContain(ESC);
    expect(text).toContain("orders\\u001b[2K");
    expect(text).toContain("bad \\u001b[8mhidden\\u001b[0m");
  });

  test("waived and deferred findings on the same resource stay in their sections", () => {
    const db = resource("orders");
    const text = renderText(guardRun([stackResult({ findings: [waived("prod-db-encrypted", db), deferred("prod-db-backup-retention", db)] })]), plain);
    expect(text).toContain("  PASS  0 mandatory · 0 advisory · 1 waived · 1 checked at deployment");
    expect(section(text, "Waived").join("\n")).not.toContain("prod-db-backup-retention");
    expect(section(text, "Checked at deployment").join("\n")).not.toContain("prod-db-encrypted");
  });
});

describe("wrapText", () => {
  test("keeps a word longer than the width whole, and keeps paragraph breaks", () => {
    expect(wrapText("a verylongwordthatdoesnotfit b", 10, "  ")).toEqual(["  a", "  verylongwordthatdoesnotfit", "  b"]);
    expect(wrapText("one\ntwo", 80, "> ")).toEqual(["> one", "> two"]);
  });
});

describe("shouldUseColor", () => {
  test.each<[string, { isTTY?: boolean }, NodeJS.ProcessEnv, boolean]>([
    ["a terminal", { isTTY: true }, {}, true],
    ["a pipe or file", { isTTY: false }, {}, false],
    ["a stream that does not say", {}, {}, false],
    ["a terminal with NO_COLOR=1", { isTTY: true }, { NO_COLOR: "1" }, false],
    ["a terminal with NO_COLOR set but empty", { isTTY: true }, { NO_COLOR: "" }, true],
    ["a dumb terminal", { isTTY: true }, { TERM: "dumb" }, false],
    ["a pipe with FORCE_COLOR=1", { isTTY: false }, { FORCE_COLOR: "1" }, true],
    ["a terminal with FORCE_COLOR=0", { isTTY: true }, { FORCE_COLOR: "0" }, false],
    ["FORCE_COLOR and NO_COLOR both set", { isTTY: true }, { FORCE_COLOR: "1", NO_COLOR: "yes" }, false],
  ])("%s", (_name, stream, env, expected) => {
    expect(shouldUseColor(stream, env)).toBe(expected);
  });
});

describe("formatProgressLine", () => {
  test.each<[string, number, number, string]>([
    ["production", 42, 1340, "production: 42 resources captured in 1.3 s"],
    ["staging", 1, 420, "staging: 1 resource captured in 420 ms"],
    ["dr", 0, 125_000, "dr: 0 resources captured in 2 min 05 s"],
    ["odd", -1, Number.NaN, "odd: an unknown number of resources captured in unknown time"],
  ])("%s, %d resources, %d ms", (stack, count, ms, expected) => {
    expect(formatProgressLine(stack, count, ms)).toBe(expected);
  });

  test("durations", () => {
    expect([0, 999, 1000, 59_949, 60_000].map(formatDuration)).toEqual(["0 ms", "999 ms", "1.0 s", "59.9 s", "1 min 00 s"]);
  });
});
