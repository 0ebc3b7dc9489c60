/**
 * What every benchmark shares: the packs compared, starting one the way the engine does, medians,
 * ratios and the machine the figures came from. Benchmarks print figures; nothing here asserts.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { type AnalyzerInfo, type PolicyPackClient, startPolicyPack } from "../guard/analyzer-client";
import { reconcilePolicyConfig } from "../guard/policy-config";
import { RESOURCE_RULES, STACK_RULES } from "../policies/rules";

export const REPO_ROOT = path.resolve(__dirname, "..");
/** database-guardrails as users run it: the compiled `policies/bin/index.js`. */
export const OUR_PACK_DIR = path.join(REPO_ROOT, "policies");
/** The floor: a pack on the same `@pulumi/policy` whose policies do nothing. */
export const NOOP_PACK_DIR = path.join(__dirname, "noop-pack");
/** The peer: `@pulumi/awsguard`, in its own folder with its own (old) `@pulumi/aws` and AWS SDK v2. */
export const AWSGUARD_PACK_DIR = path.join(__dirname, "awsguard");

/**
 * Environment that gives the no-op pack as many resource and stack policies as ours (besides its
 * one policy of both kinds, which stands for our settings policy): `@pulumi/policy` deserializes
 * every resource again for each policy it runs, and that cost belongs to the server, not to us.
 */
export function noopPackMirroringOurs(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NOOP_PACK_RESOURCE_POLICIES: String(RESOURCE_RULES.length),
    NOOP_PACK_STACK_POLICIES: String(STACK_RULES.length),
  };
}

export interface StartedPack {
  client: PolicyPackClient;
  info: AnalyzerInfo;
  /** From launch to the port line and a ready connection. */
  toPortMs: number;
  /** From launch to the end of `Configure` (Handshake, ConfigureStack, GetPluginInfo, GetAnalyzerInfo, Configure). */
  toConfigureMs: number;
}

/** Starts a pack and makes the engine's calls up to a completed `Configure` with reconciled config. */
export async function startConfiguredPack(packDir: string, env: NodeJS.ProcessEnv = process.env, stack = "production"): Promise<StartedPack> {
  const start = process.hrtime.bigint();
  const client = await startPolicyPack({ packDir, project: "bench", stack, env });
  const ready = process.hrtime.bigint();
  try {
    await client.handshake();
    await client.configureStack();
    await client.getPluginInfo();
    const info = await client.getAnalyzerInfo();
    await client.configure(reconcilePolicyConfig(info));
    const configured = process.hrtime.bigint();
    return { client, info, toPortMs: Number(ready - start) / 1e6, toConfigureMs: Number(configured - start) / 1e6 };
  } catch (err) {
    await client.close();
    throw err;
  }
}

/** Milliseconds since `start` (from `process.hrtime.bigint()`). */
export function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `median 712.4 ms (min 690.1, max 801.7, n 15)` */
export function describeMs(values: readonly number[], digits = 1): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${median(values).toFixed(digits)} ms (min ${sorted[0]!.toFixed(digits)}, max ${sorted[sorted.length - 1]!.toFixed(digits)}, n ${values.length})`;
}

/** `1.04x (target <= 1.15x: met)`; without a target only the ratio. */
export function describeRatio(ours: number, reference: number, target?: number): string {
  const ratio = ours / reference;
  const text = `${ratio.toFixed(2)}x`;
  if (target === undefined) return text;
  return `${text} (target <= ${target.toFixed(2)}x: ${ratio <= target ? "met" : "NOT MET"})`;
}

/** Load averages now: figures taken under load are not comparable with quiet ones. */
export function loadLine(): string {
  return `load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ")}`;
}

/** The machine, for RESULTS.md: cores, CPU model, memory, Node, load. */
export function machineLine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? "unknown CPU";
  const memoryGiB = (os.totalmem() / 1024 ** 3).toFixed(1);
  return `${cpus.length} cores (${model}), ${memoryGiB} GiB, node ${process.version}, ${loadLine()}`;
}

/** Reads `--name value` from argv, as a positive integer, or the default. */
export function positiveIntegerFlag(argv: readonly string[], name: string, fallback: number): number {
  const index = argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const text = argv[index + 1];
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} needs a positive integer, got ${String(text)}`);
  }
  return value;
}

/**
 * Installs `@pulumi/awsguard` into `bench/awsguard/` on first use. It stays out of the project's
 * dependencies (it pulls `@pulumi/aws` 4 and the v2 AWS SDK). Install scripts stay unapproved: the
 * pack does not need the AWS provider plugin that `@pulumi/aws`'s script would fetch.
 * Returns why it is unavailable, or undefined when it is installed.
 */
export function ensureAwsguardInstalled(): string | undefined {
  const installed = path.join(AWSGUARD_PACK_DIR, "node_modules", "@pulumi", "awsguard", "package.json");
  if (fs.existsSync(installed)) return undefined;
  process.stdout.write(`installing @pulumi/awsguard into ${path.relative(REPO_ROOT, AWSGUARD_PACK_DIR)}/ (first run only)\n`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["install", "--prefix", AWSGUARD_PACK_DIR, "--no-audit", "--no-fund"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (result.error) return `npm could not run: ${result.error.message}`;
  if (result.status !== 0 || !fs.existsSync(installed)) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-5).join("\n");
    return `npm install failed (exit ${String(result.status)}):\n${tail}`;
  }
  return undefined;
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system, ms) used so far by the pack process this process started in `packDir`,
 * read from /proc: unlike wall-clock time it leaves out the client's own encoding and decoding.
 * Undefined where /proc is not available or the process cannot be found.
 */
export function packCpuMs(packDir: string): number | undefined {
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  const wanted = path.resolve(packDir);
  for (const pid of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the parenthesised command name; ppid is the 2nd, utime the 12th, stime the 13th.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) !== process.pid) continue;
      if (fs.readlinkSync(`/proc/${pid}/cwd`) !== wanted) continue;
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
    } catch {
      // The process ended between listing and reading: not ours.
    }
  }
  return undefined;
}
