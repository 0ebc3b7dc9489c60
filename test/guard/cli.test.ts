/** `npm run guard`'s arguments and its usage errors (exit 2 before any stack runs). */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UsageError, main, parseArgs } from "../../guard/cli";

describe("guard command line", () => {
  it("parses every option, repeatable --stack and --flag=value forms", () => {
    const o = parseArgs(["--stack", "a", "--stack=b", "--cwd", "x", "--format", "sarif", "--output=out.sarif", "--fail-on", "advisory", "--policy-pack-config", "c.json"]);
    expect(o).toMatchObject({ stacks: ["a", "b"], cwd: path.resolve("x"), format: "sarif", output: path.resolve("out.sarif"), failOn: "advisory", policyPackConfig: path.resolve("c.json") });
    expect(parseArgs([])).toMatchObject({ stacks: [], format: "text", failOn: "mandatory", help: false });
  });
  it.each([
    [["--format", "xml"], "--format must be text, json or sarif"],
    [["--fail-on", "warning"], "--fail-on must be mandatory, advisory or none"],
    [["--stack"], "--stack needs a value"],
    [["--bogus"], 'unknown argument "--bogus"'],
  ])("rejects %j: %s", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
  it("exits 2 on a usage error and 0 on --help, writing to the right stream", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const o = jest.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
    const e = jest.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
    try {
      expect(await main(["--format", "xml"])).toBe(2);
      expect(err.join("")).toContain("guard: --format must be text, json or sarif");
      expect(await main(["--help"])).toBe(0);
      expect(out.join("")).toContain("Usage: npm run guard");
      expect(await main(["--policy-pack-config", path.join(__dirname, "no-such-file.json")])).toBe(2);
      expect(err.join("")).toMatch(/no-such-file\.json/);
      expect(await main(["--cwd", __dirname, "--stack", "nope"])).toBe(2);
      expect(err.join("")).toMatch(/Pulumi\.yaml|Pulumi\.nope\.yaml/);
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  });

  it("--output writes the chosen format to a file while the text report and annotations still print; exit 1 on a mandatory violation", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "guard-cli-"));
    const file = path.join(dir, "report.json");
    const out: string[] = [];
    const o = jest.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
    const e = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const teams = path.resolve(__dirname, "../fixtures/teams");
      const code = await main(["--cwd", teams, "--stack", "no-deletion-protection", "--format", "json", "--output", file], { GITHUB_ACTIONS: "true" });
      expect(code).toBe(1);
      const report = JSON.parse(fs.readFileSync(file, "utf8"));
      expect(report.exitCode).toBe(1);
      expect(report.stacks[0].findings.map((f: { ruleId: string }) => f.ruleId)).toContain("prod-db-deletion-protection");
      const printed = out.join("");
      expect(printed).toContain("MANDATORY  prod-db-deletion-protection");
      expect(printed).toMatch(/^::error file=programs\/database\.ts,line=\d+,.*title=prod-db-deletion-protection::/m);
    } finally {
      o.mockRestore();
      e.mockRestore();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
