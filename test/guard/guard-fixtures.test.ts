/**
 * `npm run guard` end to end on hand-written team stacks (test/fixtures/teams): each stack's
 * program runs under mocks in a child process, the real pack judges it over gRPC, and each stack
 * must fail with exactly the rule ids of the guardrail it weakens. The JSON and SARIF reports of
 * this real run validate against their schemas.
 */
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import AjvDraft04 from "ajv-draft-04";
import type { GuardRun, StackResult } from "../../guard/model";
import { renderGithubAnnotations } from "../../guard/report/annotations";
import { renderJson } from "../../guard/report/json";
import { renderSarif } from "../../guard/report/sarif";
import { renderText } from "../../guard/report/text";
import { runGuard } from "../../guard/run";

const TEAMS = path.resolve(__dirname, "../fixtures/teams");

/** Rule ids reported against each stack, violations only (not waived, not checked at deployment). */
const EXPECTED: Record<string, string[]> = {
  compliant: [],
  "no-deletion-protection": ["prod-db-deletion-protection"],
  unprotected: ["prod-db-protect"],
  "in-place-restore": ["prod-db-no-in-place-restore"],
  // Without a backup plan: nothing selects the database, restores are never tested, and the event
  // subscription the team kept with its backups is gone too.
  "no-backup": ["backup-restore-testing", "prod-db-backup-coverage", "prod-db-event-alerts"],
  // The incident's setup: nightly snapshots, automated backups deleted with the database.
  "daily-only": ["prod-db-final-snapshot", "prod-db-rpo"],
  "unpinned-provider": ["aws-provider-account-pinned"],
};

let run: GuardRun;
const stack = (name: string): StackResult => run.stacks.find((s) => s.stack === name)!;
const violatedRules = (s: StackResult) => [...new Set(s.findings.filter((f) => f.kind === "violation").map((f) => f.ruleId))].sort();

beforeAll(async () => {
  run = await runGuard({ projectDir: TEAMS, failOn: "mandatory" });
}, 120_000);

describe("npm run guard on hand-written team stacks", () => {
  it("finds every stack of the project", () => {
    expect(run.stacks.map((s) => s.stack).sort()).toEqual([...Object.keys(EXPECTED), "throws"].sort());
  });

  it.each(Object.entries(EXPECTED))("stack %s fails with exactly the expected rule ids", (name, rules) => {
    const s = stack(name);
    expect(s.error).toBeUndefined();
    expect(violatedRules(s)).toEqual([...rules].sort());
  });

  it("reports each weakened guardrail at its default level, on the resource that declares it", () => {
    const f = stack("no-deletion-protection").findings.find((x) => x.ruleId === "prod-db-deletion-protection")!;
    expect(f.level).toBe("mandatory");
    expect(f.resource?.name).toBe("orders-db");
    expect(f.resource?.sourcePosition?.uri).toContain("programs/database.ts");
    expect(f.message).toContain("Fix: set deletionProtection: true.");
    const rpo = stack("daily-only").findings.find((x) => x.ruleId === "prod-db-rpo")!;
    expect(rpo.level).toBe("mandatory");
    expect(stack("no-backup").findings.find((x) => x.ruleId === "backup-restore-testing")!.level).toBe("advisory");
  });

  it("a program that throws is an error with its message, never a pass", () => {
    const s = stack("throws");
    expect(s.error?.message).toContain("ORDERS_DB_SIZE_GB must be a number of gigabytes");
    expect(run.exitCode).toBe(2);
    expect(renderText(run, { color: false, repoRoot: TEAMS })).toContain("ORDERS_DB_SIZE_GB must be a number of gigabytes");
  });

  it("the recovery table gives the same figure the rule judged", () => {
    const daily = stack("daily-only").recovery;
    expect(daily).toHaveLength(1);
    // Nightly at 03:00 UTC: 24 h between starts + AWS's 8-hour default start window.
    expect(daily[0]).toMatchObject({ engine: "postgres", worstCaseRpoMinutes: 1440 + 480, maxRpoMinutes: 60, status: "over" });
    expect(stack("compliant").recovery[0]).toMatchObject({ worstCaseRpoMinutes: 5, status: "ok" });
  });

  it("the JSON report of the run validates against its published schema", () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const schema = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../guard/schemas/guard-report.schema.json"), "utf8"));
    const validate = ajv.compile(schema);
    const ok = validate(JSON.parse(renderJson(run)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("the SARIF report of the run validates against SARIF 2.1.0 and points at the declaring line", () => {
    const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false } as never);
    const schema = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../guard/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));
    const validate = ajv.compile(schema);
    const sarif = renderSarif(run, { repoRoot: TEAMS }) as unknown as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[] }[] };
    expect(validate(sarif)).toBe(true);
    const results = sarif.runs.flatMap((r) => r.results);
    const dp = results.find((r) => r.ruleId === "prod-db-deletion-protection")!;
    expect(dp.locations[0]!.physicalLocation.artifactLocation.uri).toBe("programs/database.ts");
    expect(dp.locations[0]!.physicalLocation.region?.startLine).toBeGreaterThan(1);
  });

  it("GitHub annotations name the file and line", () => {
    const lines = renderGithubAnnotations(run, { repoRoot: TEAMS });
    expect(lines.some((l) => /^::error file=programs\/database\.ts,line=\d+.*title=prod-db-deletion-protection::/.test(l))).toBe(true);
  });
});
