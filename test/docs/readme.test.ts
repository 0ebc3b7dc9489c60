/**
 * The README is the contract with the platform engineer who reads it once: every rule id with its
 * real default level and settings, and the two set-up commands CI runs.
 */
import * as fs from "fs";
import * as path from "path";
import { RESOURCE_RULES, SETTINGS_RULE, STACK_RULES } from "../../policies/rules";
import { SETTINGS_SCHEMA } from "../../policies/lib/settings";

const ROOT = path.resolve(__dirname, "../..");
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const rows = new Map(
  readme
    .split("\n")
    .filter((l) => l.startsWith("| `"))
    .map((l) => [l.split("|")[1]!.trim().replace(/`/g, ""), l] as const),
);

describe("README", () => {
  const all = [SETTINGS_RULE, ...RESOURCE_RULES, ...STACK_RULES];
  it.each(all.map((r) => [r.id, r] as const))("documents %s with its default level, waivability and settings", (_id, rule) => {
    const row = rows.get(rule.id);
    expect(row).toBeDefined();
    const cells = row!.split("|").map((c) => c.trim());
    const isStack = STACK_RULES.includes(rule as never) || rule === SETTINGS_RULE;
    expect(cells[2]).toBe(`${rule.enforcementLevel}${isStack ? " (stack)" : ""}`);
    expect(cells[4]!.replace(/\*/g, "")).toBe(rule.waivable ? "yes" : "no");
    for (const setting of Object.keys(rule.configSchema?.properties ?? {})) expect(cells[5]).toContain(`\`${setting}\``);
  });

  it("documents every shared setting", () => {
    for (const setting of Object.keys(SETTINGS_SCHEMA.properties)) expect(rows.has(setting)).toBe(true);
  });

  it("gives the two set-up commands, and CI runs exactly the test command", () => {
    expect(readme).toContain("npm ci && npm run guard");
    expect(readme).toMatch(/^npm test\b/m);
    const ci = fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8");
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).toMatch(/^npm test$/m);
  });
});
