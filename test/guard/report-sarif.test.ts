import * as fs from "fs";
import * as path from "path";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import { renderSarif } from "../../guard/report/sarif";
import { REPO_ROOT, declaredAt, deferred, guardRun, resource, richRun, stackResult, violation, waived } from "../helpers/guard-run";

const sarifSchema = JSON.parse(fs.readFileSync(path.join(__dirname, "../../guard/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));
// The schema's `language` pattern ("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$") is not valid with
// the `u` flag ajv uses by default; without it, it compiles as JSON Schema's ECMA 262 regexes do.
const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validateSarif = ajv.compile(sarifSchema);

function sarifErrors(log: unknown): string {
  // Validate what would be written to the file, not the in-memory object.
  return validateSarif(JSON.parse(JSON.stringify(log))) ? "" : ajv.errorsText(validateSarif.errors);
}

const options = { repoRoot: REPO_ROOT };

describe("renderSarif", () => {
  test("is valid SARIF 2.1.0 for a run with every kind of finding and a stack that failed", () => {
    const run = richRun();
    run.stacks.push(stackResult({ stack: "dr", error: { message: "Cannot find module './db'", stack: "Error: Cannot find module './db'\n    at x" } }));
    const log = renderSarif(run, options);
    expect(sarifErrors(log)).toBe("");
    expect(log.$schema).toBe("https://json.schemastore.org/sarif-2.1.0.json");
    expect(log.version).toBe("2.1.0");
  });

  test("the SARIF schema rejects a broken log, so the check above can fail", () => {
    const log = JSON.parse(JSON.stringify(renderSarif(richRun(), options)));
    log.runs[0].results[0].level = "fatal";
    expect(sarifErrors(log)).not.toBe("");
  });

  test("one run per stack, each in its own code scanning category", () => {
    const log = renderSarif(richRun(), options);
    expect(log.runs.map((r) => r.automationDetails.id)).toEqual(["db-guardrails/acme-db/production/", "db-guardrails/acme-db/staging/"]);
    expect(log.runs.every((r) => r.tool.driver.name === "db-guardrails" && r.tool.driver.version === "0.1.0")).toBe(true);
  });

  test("one rule per policy id, with help from its remediation steps and a level from its enforcement level", () => {
    const run = richRun();
    const rules = renderSarif(run, options).runs[0].tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(run.rules.map((r) => r.id));
    const deletion = rules.find((r) => r.id === "prod-db-deletion-protection")!;
    expect(deletion.shortDescription.text).toBe("Production databases have AWS deletion protection enabled.");
    expect(deletion.help.text).toContain("Set deletionProtection: true (RDS, Aurora) or deletionProtectionEnabled: true (DynamoDB).");
    expect(deletion.help.markdown).toContain("**How to fix:** Set deletionProtection: true");
    expect(deletion.defaultConfiguration.level).toBe("error");
    expect(deletion.properties["security-severity"]).toBe("9.5");
    expect(deletion.properties.tags).toEqual(expect.arrayContaining(["security", "rds", "deletion"]));
    expect(rules.find((r) => r.id === "prod-db-copy-tags-to-snapshot")!.defaultConfiguration.level).toBe("warning");
  });

  test("a rule's documentation page is its help URI; a rule without a severity is not a security rule", () => {
    const run = guardRun([stackResult()], { rules: [{ id: "a", description: "A.", level: "mandatory", url: "https://example.com/a" }, { id: "b", description: "B.", level: "disabled", url: "" }] });
    const [a, b] = renderSarif(run, options).runs[0].tool.driver.rules;
    expect(a.helpUri).toBe("https://example.com/a");
    expect(a.help.text).toContain("The pack gives no remediation steps");
    expect(a.properties.tags).not.toContain("security");
    expect(a.properties).not.toHaveProperty("security-severity");
    expect(b).not.toHaveProperty("helpUri");
    expect(b.defaultConfiguration).toEqual({ level: "note", enabled: false });
    expect(sarifErrors(renderSarif(run, options))).toBe("");
  });

  test("results: violations at their level, waived findings left out, deferred findings as notes outside the results", () => {
    const production = renderSarif(richRun(), options).runs[0];
    expect(production.results.map((r) => [r.ruleId, r.level])).toEqual([
      ["prod-db-deletion-protection", "error"],
      ["prod-db-copy-tags-to-snapshot", "warning"],
      ["guardrail-settings", "error"],
    ]);
    for (const result of production.results) {
      expect(production.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
    }
    expect(JSON.stringify(production.results)).not.toContain("prod-db-encrypted");
    const notes = production.invocations[0].toolExecutionNotifications;
    expect(notes.map((n) => [n.level, n.associatedRule?.id])).toEqual([["note", "prod-db-backup-retention"]]);
    expect(notes[0].message.text).toMatch(/^Checked at deployment: /);
    expect(production.invocations[0].executionSuccessful).toBe(true);
  });

  test("a result points at the file, line and column that declare the resource, relative to the repository root", () => {
    const [first] = renderSarif(richRun(), options).runs[0].results;
    expect(first.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "stacks/production/index.ts", uriBaseId: "%SRCROOT%" },
      region: { startLine: 12, startColumn: 5 },
    });
    expect(first.locations[0].logicalLocations).toEqual([{ name: "orders", fullyQualifiedName: "urn:pulumi:production::acme-db::aws:rds/instance:Instance::orders", kind: "resource" }]);
  });

  test("falls back to the stack's program, line 1, only without a source position in the repository", () => {
    const none = resource("a", { at: null });
    const outside = resource("b", { at: { uri: "file:///opt/other/index.ts", line: 4 } });
    const inside = resource("c", { at: declaredAt("components/my db.ts", 30) });
    const run = guardRun([stackResult({ findings: [violation("r", "mandatory", none), violation("r", "mandatory", outside), violation("r", "mandatory", inside)] })]);
    const locations = renderSarif(run, options).runs[0].results.map((r) => r.locations[0].physicalLocation);
    expect(locations).toEqual([
      { artifactLocation: { uri: "stacks/production/index.ts", uriBaseId: "%SRCROOT%" }, region: { startLine: 1 } },
      { artifactLocation: { uri: "stacks/production/index.ts", uriBaseId: "%SRCROOT%" }, region: { startLine: 1 } },
      // A URI, so the space is encoded.
      { artifactLocation: { uri: "components/my%20db.ts", uriBaseId: "%SRCROOT%" }, region: { startLine: 30 } },
    ]);
    expect(sarifErrors(renderSarif(run, options))).toBe("");
  });

  test("no URI is absolute and the source root is declared", () => {
    const log = renderSarif(richRun(), options);
    const uris = JSON.stringify(log.runs.map((r) => r.results)).match(/"uri":"[^"]*"/g) ?? [];
    expect(uris.length).toBeGreaterThan(0);
    for (const uri of uris) expect(uri).not.toMatch(/"uri":"(file:|\/)/);
    expect(log.runs[0].originalUriBaseIds["%SRCROOT%"].uri).toMatch(/^file:\/\/.*\/$/);
  });

  test("fingerprints are stable across runs, follow the resource when its line moves, and tell resources apart", () => {
    const at = (line: number) => guardRun([stackResult({ findings: [violation("prod-db-encrypted", "mandatory", resource("orders", { at: declaredAt("stacks/production/index.ts", line) }), "m")] })]);
    const fingerprint = (run: ReturnType<typeof at>) => renderSarif(run, options).runs[0].results[0].partialFingerprints.primaryLocationLineHash;
    expect(fingerprint(at(12))).toBe(fingerprint(at(12)));
    expect(fingerprint(at(40))).toBe(fingerprint(at(12)));
    const other = guardRun([stackResult({ findings: [violation("prod-db-encrypted", "mandatory", resource("payments"), "m")] })]);
    expect(fingerprint(other)).not.toBe(fingerprint(at(12)));
    const twice = guardRun([stackResult({ findings: [violation("r", "mandatory", resource("x"), "first"), violation("r", "mandatory", resource("x"), "second")] })]);
    const [a, b] = renderSarif(twice, options).runs[0].results.map((r) => r.partialFingerprints.primaryLocationLineHash);
    expect(a).not.toBe(b);
    expect(a.split(":")[0]).toBe(b.split(":")[0]);
  });

  test("a stack that failed is an unsuccessful invocation with an error notification", () => {
    const run = guardRun([stackResult({ error: { message: "TypeError: cannot read properties of undefined (reading 'id')", stack: "TypeError: ...\n    at main (stacks/production/index.ts:9:3)" } })]);
    const [sarifRun] = renderSarif(run, options).runs;
    expect(sarifRun.invocations[0].executionSuccessful).toBe(false);
    expect(sarifRun.invocations[0].exitCode).toBe(2);
    const [note] = sarifRun.invocations[0].toolExecutionNotifications;
    expect(note.level).toBe("error");
    expect(note.message.text).toContain("TypeError: cannot read properties of undefined (reading 'id')");
    expect(sarifRun.results).toEqual([]);
  });

  test("no stack checked is not an empty pass", () => {
    const log = renderSarif(guardRun([]), options);
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0].invocations[0].executionSuccessful).toBe(false);
    expect(sarifErrors(log)).toBe("");
  });

  test("a rule id the pack did not describe still gets a rule, so its index resolves", () => {
    const run = guardRun([stackResult({ findings: [violation("prod-db-new-rule", "mandatory", resource("orders"), "m"), waived("prod-db-other", resource("orders")), deferred("prod-db-third", resource("orders"))] })]);
    const [sarifRun] = renderSarif(run, options).runs;
    const ids = sarifRun.tool.driver.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(["prod-db-new-rule", "prod-db-third"]));
    expect(sarifRun.tool.driver.rules[sarifRun.results[0].ruleIndex].id).toBe("prod-db-new-rule");
    expect(sarifErrors(renderSarif(run, options))).toBe("");
  });
});
