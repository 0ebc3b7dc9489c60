/**
 * `npm run guard`: checks Pulumi stacks against the database-guardrails policy pack offline, with
 * no cloud account and no Pulumi CLI, and reports for people (text) and CI (JSON, SARIF, GitHub
 * annotations). Exit codes: 0 no violation at or above --fail-on, 1 one is left, 2 usage or
 * program error.
 */
import * as fs from "fs";
import * as path from "path";
import { CaptureUsageError } from "./capture";
import type { FailOn, GuardRun } from "./model";
import { PolicyConfigError, readPolicyPackConfigFile, type PolicyPackConfigFile } from "./policy-config";
import { renderGithubAnnotations } from "./report/annotations";
import { renderJson } from "./report/json";
import { renderSarif } from "./report/sarif";
import { formatProgressLine, renderText, shouldUseColor } from "./report/text";
import { isFailOn } from "./report/verdict";
import { DEFAULT_PACK_DIR, runGuard } from "./run";

export const USAGE = `Usage: npm run guard -- [options]

Checks every stack of a Pulumi project against the database-guardrails policy pack, offline.

Options:
  --stack NAME                 check this stack (repeatable); default: every Pulumi.<stack>.yaml
  --cwd DIR                    the Pulumi project directory (holds Pulumi.yaml); default: .
  --policy-pack DIR            the policy pack; default: this kit's policies/
  --policy-pack-config FILE    policy config file, same format as pulumi's --policy-pack-config
  --format text|json|sarif     report format; default: text
  --output FILE                write the report in --format to FILE (the text report still prints)
  --fail-on mandatory|advisory|none
                               which violations fail the run (exit 1); default: mandatory
  -h, --help                   this help

Exit codes: 0 pass, 1 a violation at or above --fail-on, 2 usage or program error.
Environment: NO_COLOR disables colour; GITHUB_ACTIONS adds workflow annotations.`;

export type Format = "text" | "json" | "sarif";

export interface CliOptions {
  stacks: string[];
  cwd: string;
  packDir: string;
  policyPackConfig?: string;
  format: Format;
  output?: string;
  failOn: FailOn;
  help: boolean;
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = { stacks: [], cwd: process.cwd(), packDir: DEFAULT_PACK_DIR, format: "text", failOn: "mandatory", help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--stack":
        o.stacks.push(value());
        break;
      case "--cwd":
        o.cwd = path.resolve(value());
        break;
      case "--policy-pack":
        o.packDir = path.resolve(value());
        break;
      case "--policy-pack-config":
        o.policyPackConfig = path.resolve(value());
        break;
      case "--format": {
        const f = value();
        if (f !== "text" && f !== "json" && f !== "sarif") throw new UsageError(`--format must be text, json or sarif, not "${f}"`);
        o.format = f;
        break;
      }
      case "--output":
        o.output = path.resolve(value());
        break;
      case "--fail-on": {
        const f = value();
        if (!isFailOn(f)) throw new UsageError(`--fail-on must be mandatory, advisory or none, not "${f}"`);
        o.failOn = f;
        break;
      }
      case "-h":
      case "--help":
        o.help = true;
        break;
      default:
        throw new UsageError(`unknown argument "${arg}"`);
    }
  }
  return o;
}

function render(run: GuardRun, format: Format, repoRoot: string): string {
  if (format === "json") return renderJson(run);
  if (format === "sarif") return `${JSON.stringify(renderSarif(run, { repoRoot }), null, 2)}\n`;
  return renderText(run, { color: false, repoRoot });
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let options: CliOptions;
  try {
    options = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`guard: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let policyConfig: PolicyPackConfigFile | undefined;
  try {
    if (options.policyPackConfig) policyConfig = readPolicyPackConfigFile(options.policyPackConfig);
    if (!fs.existsSync(path.join(options.packDir, "bin", "index.js")) && !fs.existsSync(path.join(options.packDir, "PulumiPolicy.yaml"))) {
      throw new UsageError(`no policy pack at ${options.packDir}`);
    }
  } catch (e) {
    process.stderr.write(`guard: ${(e as Error).message}\n`);
    return 2;
  }
  const onTerminal = process.stderr.isTTY === true;
  let run: GuardRun;
  try {
    run = await runGuard({
      projectDir: options.cwd,
      stacks: options.stacks,
      packDir: options.packDir,
      policyConfig,
      failOn: options.failOn,
      onStackDone: (r) => {
        if (onTerminal) process.stderr.write(`${formatProgressLine(r.stack, r.resourceCount, r.durationMs)}\n`);
      },
    });
  } catch (e) {
    const usage = e instanceof CaptureUsageError || e instanceof PolicyConfigError || e instanceof UsageError;
    process.stderr.write(`guard: ${usage ? "" : "error: "}${(e as Error).message}\n`);
    return 2;
  }
  const repoRoot = options.cwd;
  const text = renderText(run, { color: shouldUseColor(process.stdout, env), repoRoot });
  if (options.output) {
    fs.mkdirSync(path.dirname(options.output), { recursive: true });
    fs.writeFileSync(options.output, render(run, options.format, repoRoot));
    process.stdout.write(text);
  } else if (options.format === "text") {
    process.stdout.write(text);
  } else {
    // Machine-readable on stdout alone; the people's report goes to stderr.
    process.stdout.write(render(run, options.format, repoRoot));
    process.stderr.write(text);
  }
  if (env.GITHUB_ACTIONS) {
    // Workflow commands go to stdout, unless stdout carries the JSON or SARIF document (the runner reads stderr too).
    const stream = !options.output && options.format !== "text" ? process.stderr : process.stdout;
    for (const line of renderGithubAnnotations(run, { repoRoot })) stream.write(`${line}\n`);
  }
  return run.exitCode;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`guard: error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
