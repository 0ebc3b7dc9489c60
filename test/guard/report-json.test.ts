import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { GuardRun } from "../../guard/model";
import { REPORT_SCHEMA_VERSION } from "../../guard/model";
import { GUARD_REPORT_SCHEMA_PATH, renderJson } from "../../guard/report/json";
import { guardRun, richRun, stackResult } from "../helpers/guard-run";

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "../..", GUARD_REPORT_SCHEMA_PATH), "utf8"));
const ajv = new Ajv2020({ allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

function errorsOf(document: unknown): string {
  return validate(document) ? "" : ajv.errorsText(validate.errors);
}

/** The same object with the keys of every nested object in reverse order. */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .reverse()
        .map(([k, v]) => [k, reversedKeys(v)]),
    ) as T;
  }
  return value;
}

describe("renderJson", () => {
  test("the report of a run with every kind of finding, a stack error and recovery rows is valid against the schema", () => {
    const run = richRun();
    run.stacks.push(stackResult({ stack: "dr", resourceCount: 0, durationMs: 15, error: { message: "Cannot find module './db'", stack: "Error: Cannot find module './db'\n    at Object.<anonymous> (stacks/dr/index.ts:3:1)" } }));
    const document = JSON.parse(renderJson(run));
    expect(errorsOf(document)).toBe("");
    // Nothing of the model is lost.
    expect(document).toEqual(JSON.parse(JSON.stringify(run)));
  });

  test("is pretty-printed and ends with a newline", () => {
    const text = renderJson(richRun());
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.split("\n")[1]).toBe(`  "schemaVersion": "${REPORT_SCHEMA_VERSION}",`);
  });

  test("key order does not depend on the order the checker filled the model in", () => {
    const run = richRun();
    expect(renderJson(reversedKeys(run))).toBe(renderJson(run));
    const keys = Object.keys(JSON.parse(renderJson(reversedKeys(run))));
    expect(keys).toEqual(["schemaVersion", "tool", "pack", "startedAt", "failOn", "exitCode", "summary", "rules", "stacks"]);
  });

  test("a policy without a documentation page has no url (the protocol sends an empty string)", () => {
    const run = guardRun([stackResult()], { rules: [{ id: "a", description: "A.", level: "mandatory", url: "" }, { id: "b", description: "B.", level: "advisory", url: "https://example.com/b" }] });
    const document = JSON.parse(renderJson(run));
    expect(document.rules[0]).not.toHaveProperty("url");
    expect(document.rules[1].url).toBe("https://example.com/b");
    expect(errorsOf(document)).toBe("");
  });

  test("writes only the model's fields", () => {
    const run = { ...guardRun([stackResult()]), internal: "not part of the report" } as GuardRun;
    expect(JSON.parse(renderJson(run))).not.toHaveProperty("internal");
  });
});

describe("guard-report.schema.json", () => {
  test("identifies itself and pins the major version", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(typeof schema.$id).toBe("string");
    expect(typeof schema.title).toBe("string");
    expect(new RegExp(schema.properties.schemaVersion.pattern).test(REPORT_SCHEMA_VERSION)).toBe(true);
  });

  test("describes every property it defines", () => {
    const undocumented: string[] = [];
    const visit = (node: unknown, where: string) => {
      if (!node || typeof node !== "object") return;
      const n = node as Record<string, unknown>;
      if (n.properties && typeof n.properties === "object") {
        for (const [name, sub] of Object.entries(n.properties as Record<string, Record<string, unknown>>)) {
          if (typeof sub.description !== "string" || sub.description.trim() === "") undocumented.push(`${where}.${name}`);
          visit(sub, `${where}.${name}`);
        }
      }
      for (const key of ["$defs", "items"]) {
        const child = n[key];
        if (key === "$defs" && child) for (const [name, def] of Object.entries(child as object)) visit(def, `#/$defs/${name}`);
        else if (child) visit(child, `${where}[${key}]`);
      }
    };
    visit(schema, "#");
    expect(undocumented).toEqual([]);
  });

  const broken: Array<[string, (doc: Record<string, any>) => void]> = [
    ["a major version this schema does not describe", (d) => (d.schemaVersion = "2.0.0")],
    ["a missing exit code", (d) => delete d.exitCode],
    ["an exit code the CLI never gives", (d) => (d.exitCode = 3)],
    ["an unknown --fail-on", (d) => (d.failOn = "warning")],
    ["a start time that is not a date-time", (d) => (d.startedAt = "yesterday")],
    ["a finding of an unknown kind", (d) => (d.stacks[0].findings[0].kind = "ignored")],
    ["a finding at an unknown level", (d) => (d.stacks[0].findings[0].level = "error")],
    ["a waived finding without its waiver", (d) => delete d.stacks[0].findings.find((f: { kind: string }) => f.kind === "waived").waiver],
    ["a waiver expiry that is not a date", (d) => (d.stacks[0].findings.find((f: { kind: string }) => f.kind === "waived").waiver.expires = "next year")],
    ["a recovery status outside the enum", (d) => (d.stacks[0].recovery[0].status = "fine")],
    ["a recovery row without its limit", (d) => delete d.stacks[0].recovery[0].maxRpoMinutes],
    ["a source position at line 0", (d) => (d.stacks[0].findings[0].resource.sourcePosition.line = 0)],
    ["a field the model does not have", (d) => (d.stacks[0].extra = true)],
    ["a negative count", (d) => (d.summary.mandatory = -1)],
  ];
  test.each(broken)("rejects %s", (_name, breakIt) => {
    const document = JSON.parse(renderJson(richRun()));
    expect(errorsOf(document)).toBe("");
    breakIt(document);
    expect(errorsOf(document)).not.toBe("");
  });
});
