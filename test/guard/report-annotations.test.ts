import * as path from "path";
import { escapeAnnotationData, escapeAnnotationProperty, renderGithubAnnotations } from "../../guard/report/annotations";
import { REPO_ROOT, declaredAt, deferred, guardRun, resource, richRun, stackResult, violation, waived } from "../helpers/guard-run";

const options = { repoRoot: REPO_ROOT };

describe("renderGithubAnnotations", () => {
  test("gives one exact workflow command per finding, errors first, then warnings, waivers and deferred checks", () => {
    expect(renderGithubAnnotations(richRun(), options)).toEqual([
      "::error file=stacks/production/index.ts,line=12,col=5,title=prod-db-deletion-protection::" +
        'RDS instance "orders": deletionProtection is false. Why it matters: without it one API call or one mistaken `pulumi up` deletes the live database. Fix: set deletionProtection: true.',
      // A stack-wide finding points at the stack's program.
      "::error file=stacks/production/index.ts,title=guardrail-settings::Waiver #2 expired on 2031-01-31; it waives nothing. Fix: renew it with a new reason or remove it.",
      "::warning file=stacks/production/index.ts,line=12,col=5,title=prod-db-copy-tags-to-snapshot::" +
        'RDS instance "orders": prod-db-copy-tags-to-snapshot is not met. Why it matters: without it one mistaken `pulumi up` can lose the live database. Fix: follow the prod-db-copy-tags-to-snapshot remediation steps.',
      "::notice file=components/production-table.ts,line=48,col=23,title=prod-db-encrypted (waived until 2031-06-30%2C owner dba-team@acme.example)::" +
        'DynamoDB table "sessions": prod-db-encrypted is not met. Why it matters: an exception is in force. Fix: follow the prod-db-encrypted remediation steps before the waiver expires.',
      // "ledger" has no source position: the program, without a line.
      "::notice file=stacks/production/index.ts,title=prod-db-backup-retention (checked at deployment)::" +
        'RDS instance "ledger": backupRetentionPeriod is unknown until deployment; this check runs again with the real value at `pulumi up`.',
    ]);
  });

  test("escapes %, CR and LF in the message, and also : and , in properties", () => {
    const odd = resource("odd", { at: declaredAt("stacks/a:b,c/100%.ts", 3) });
    const run = guardRun([stackResult({ findings: [violation("rule:x,y", "mandatory", odd, "50% done\r\nnext line: a, b")] })]);
    expect(renderGithubAnnotations(run, options)).toEqual(["::error file=stacks/a%3Ab%2Cc/100%25.ts,line=3,title=rule%3Ax%2Cy::50%25 done%0D%0Anext line: a, b"]);
    expect(escapeAnnotationData("a%b\rc\nd:e,f")).toBe("a%25b%0Dc%0Ad:e,f");
    expect(escapeAnnotationProperty("a%b\rc\nd:e,f")).toBe("a%25b%0Dc%0Ad%3Ae%2Cf");
  });

  test("a message cannot start a workflow command of its own", () => {
    const run = guardRun([stackResult({ findings: [violation("r", "mandatory", resource("x"), "bad\n::add-mask::secret")] })]);
    const lines = renderGithubAnnotations(run, options);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("\n");
    expect(lines[0].endsWith("::bad%0A::add-mask::secret")).toBe(true);
  });

  test("advisories are errors under --fail-on advisory, where they fail the run", () => {
    const run = guardRun([stackResult({ findings: [violation("prod-db-copy-tags-to-snapshot", "advisory", resource("orders"), "advice")] })], { failOn: "advisory" });
    expect(renderGithubAnnotations(run, options)).toEqual(["::error file=stacks/production/index.ts,line=12,col=5,title=prod-db-copy-tags-to-snapshot::advice"]);
  });

  test("a stack that could not be checked is an error titled with the stack, before its findings", () => {
    const run = guardRun([
      stackResult({ findings: [waived("prod-db-encrypted", resource("orders"))] }),
      stackResult({ stack: "staging", programPath: path.join(REPO_ROOT, "stacks/staging/index.ts"), error: { message: "Cannot find module './db'", stack: "Error: Cannot find module './db'\n    at x" } }),
    ]);
    const lines = renderGithubAnnotations(run, options);
    expect(lines[0]).toBe("::error file=stacks/staging/index.ts,title=acme-db/staging::Stack staging could not be checked, so it has not passed: Cannot find module './db'");
    expect(lines[1].startsWith("::notice ")).toBe(true);
  });

  test("a location outside the repository falls back to the program; with neither, no file is named", () => {
    const outside = resource("orders", { at: { uri: "file:///usr/lib/node_modules/x/index.js", line: 9, column: 1 } });
    const inRepo = guardRun([stackResult({ findings: [violation("r", "mandatory", outside, "m")] })]);
    expect(renderGithubAnnotations(inRepo, options)).toEqual(["::error file=stacks/production/index.ts,title=r::m"]);
    const nowhere = guardRun([stackResult({ programPath: "/elsewhere/index.ts", findings: [violation("r", "mandatory", outside, "m")] })]);
    expect(renderGithubAnnotations(nowhere, options)).toEqual(["::error title=r::m"]);
  });

  test("a source position given as a plain path, or with a line that is not a line, still points at the file", () => {
    const plain = resource("a", { at: { uri: path.join(REPO_ROOT, "stacks/x.ts"), line: 7 } });
    const zero = resource("b", { at: { uri: declaredAt("stacks/y.ts", 1).uri, line: 0, column: 4 } });
    const run = guardRun([stackResult({ findings: [violation("r", "mandatory", plain, "m1"), violation("r", "mandatory", zero, "m2")] })]);
    expect(renderGithubAnnotations(run, options)).toEqual(["::error file=stacks/x.ts,line=7,title=r::m1", "::error file=stacks/y.ts,title=r::m2"]);
  });

  test("a passing run has no annotations", () => {
    expect(renderGithubAnnotations(guardRun([stackResult()]), options)).toEqual([]);
    expect(renderGithubAnnotations(guardRun([stackResult({ findings: [deferred("r", resource("x"))] })]), options)).toHaveLength(1);
  });
});
