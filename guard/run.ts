/**
 * One offline guardrail check: for each stack, capture its resources under mocks (guard/capture.ts),
 * start the real policy pack as the CLI does (guard/analyzer-client.ts), make the engine's calls
 * for a preview, and turn the pack's answers into a `GuardRun` for the reports.
 */
import * as fs from "fs";
import * as path from "path";
import { type AnalyzeDiagnostic, type AnalyzerInfo, runEngineSequence, startPolicyPack } from "./analyzer-client";
import { captureStack, listStacks, type StackCapture } from "./capture";
import { loadStackConfig, readPulumiProject } from "./capture-config";
import type { FailOn, Finding, FindingKind, FindingResource, GuardRun, RecoveryRow, Remediation, RuleInfo, StackResult } from "./model";
import { REPORT_SCHEMA_VERSION } from "./model";
import type { PolicyPackConfigFile, ReconciledPolicyConfig } from "./policy-config";
import { exitCodeFor, summarize } from "./report/verdict";
import { recoveryRowsFor } from "./recovery-table";
import type { WireResource } from "./wire";
import { DEFERRED_PREFIX, WAIVED_PREFIX } from "../policies/lib/rule";
import { SETTINGS_POLICY, parseSettings } from "../policies/lib/settings";
import { checkWaivers, findWaiver } from "../policies/lib/waivers";
import { ALL_RULES } from "../policies/rules";

export const DEFAULT_PACK_DIR = path.resolve(__dirname, "../policies");

export interface GuardOptions {
  /** The Pulumi project (holds Pulumi.yaml); default the current directory. */
  projectDir: string;
  /** Stacks to check; default every `Pulumi.<stack>.yaml` next to Pulumi.yaml. */
  stacks?: string[];
  packDir?: string;
  /** Content of a `--policy-pack-config` file. */
  policyConfig?: PolicyPackConfigFile;
  failOn: FailOn;
  /** Called when a stack is done (progress line). */
  onStackDone?: (result: StackResult) => void;
  /** Stacks checked at once (each is one program child and one pack process). Default 2. */
  concurrency?: number;
}

/** `@pulumi/policy`'s own message when a validation read an unknown value. */
const POLICY_UNKNOWN = /^can't run (policy|remediation) '.*' from policy pack '.*' during preview/;

export function findingKindOf(message: string): FindingKind {
  if (message.startsWith(DEFERRED_PREFIX) || POLICY_UNKNOWN.test(message)) return "deferred";
  if (message.startsWith(WAIVED_PREFIX)) return "waived";
  return "violation";
}

function packVersion(packDir: string): string {
  try {
    return String(JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8")).version ?? "0.0.0");
  } catch {
    return "0.0.0";
  }
}

function toolVersion(): string {
  try {
    return String(JSON.parse(fs.readFileSync(path.resolve(__dirname, "../package.json"), "utf8")).version ?? "0.0.0");
  } catch {
    return "0.0.0";
  }
}

function resourceOf(r: WireResource | undefined): FindingResource | undefined {
  if (!r) return undefined;
  return { urn: r.urn, type: r.type, name: r.name, ...(r.sourcePosition ? { sourcePosition: r.sourcePosition } : {}) };
}

function toFindings(diags: AnalyzeDiagnostic[], fallbackUrn: string | undefined, byUrn: Map<string, WireResource>, config: ReconciledPolicyConfig): Finding[] {
  const settings = parseSettings(config[SETTINGS_POLICY]?.properties ?? {});
  const waivers = checkWaivers(
    settings.waivers,
    new Set(ALL_RULES.map((r) => r.id)),
    new Set(ALL_RULES.filter((r) => !r.waivable).map((r) => r.id)),
    new Date(),
  ).active;
  return diags.map((d) => {
    const urn = d.urn || fallbackUrn;
    const resource = resourceOf(urn ? byUrn.get(urn) : undefined);
    const kind = findingKindOf(d.message);
    const finding: Finding = { ruleId: d.policyName, level: d.enforcementLevel === "remediate" ? "mandatory" : d.enforcementLevel, kind, message: d.message };
    if (resource) finding.resource = resource;
    if (kind === "waived" && resource) {
      const w = findWaiver(waivers, d.policyName, resource.urn, resource.name);
      if (w) finding.waiver = { owner: w.owner, reason: w.reason, expires: w.expires, index: w.index };
    }
    return finding;
  });
}

function rulesOf(info: AnalyzerInfo, config: ReconciledPolicyConfig): RuleInfo[] {
  return info.policies.map((p) => ({
    id: p.name,
    description: p.description,
    level: config[p.name]?.enforcementLevel ?? p.enforcementLevel,
    ...(p.severity ? { severity: p.severity } : {}),
    ...(p.remediationSteps ? { remediationSteps: p.remediationSteps } : {}),
    ...(p.tags && p.tags.length > 0 ? { tags: p.tags } : {}),
    ...(p.url ? { url: p.url } : {}),
  }));
}

async function checkStack(
  options: GuardOptions,
  stack: string,
  packDir: string,
): Promise<{ result: StackResult; info?: AnalyzerInfo; config?: ReconciledPolicyConfig }> {
  const started = Date.now();
  const capture: StackCapture = await captureStack({ projectDir: options.projectDir, stack });
  const base: StackResult = {
    project: capture.project,
    stack,
    programPath: capture.programPath,
    resourceCount: capture.resources.length,
    durationMs: 0,
    findings: [],
    remediations: [],
    recovery: [],
  };
  if (capture.error) {
    return { result: { ...base, durationMs: Date.now() - started, error: { message: capture.error.message, ...(capture.error.stack ? { stack: capture.error.stack } : {}) } } };
  }
  const project = readPulumiProject(options.projectDir);
  const stackConfig = loadStackConfig(project, stack);
  const pack = await startPolicyPack({
    packDir,
    project: capture.project,
    stack,
    dryRun: true,
    stackConfig: stackConfig.values,
    configSecretKeys: stackConfig.secretKeys,
  });
  try {
    const seq = await runEngineSequence(pack, { resources: capture.resources, policyConfig: options.policyConfig });
    const analyzed = seq.resources.map((r) => r.resource);
    const byUrn = new Map(analyzed.map((r) => [r.urn, r]));
    const findings: Finding[] = [];
    const remediations: Remediation[] = [];
    for (const r of seq.resources) {
      findings.push(...toFindings(r.diagnostics, r.resource.urn, byUrn, seq.config));
      for (const rem of r.remediations) {
        if (!rem.properties) continue;
        const before = capture.resources.find((c) => c.urn === r.resource.urn)?.properties ?? {};
        const changed = Object.keys(rem.properties).filter((k) => JSON.stringify(rem.properties![k]) !== JSON.stringify(before[k]));
        if (changed.length > 0) remediations.push({ ruleId: rem.policyName, resource: resourceOf(r.resource)!, changedProperties: changed });
      }
    }
    findings.push(...toFindings(seq.stackDiagnostics, undefined, byUrn, seq.config));
    const recovery: RecoveryRow[] = recoveryRowsFor(analyzed, stack, seq.config);
    return { result: { ...base, durationMs: Date.now() - started, findings, remediations, recovery }, info: seq.info, config: seq.config };
  } catch (e) {
    const err = e as Error;
    return { result: { ...base, durationMs: Date.now() - started, error: { message: `policy pack: ${err.message}`, ...(err.stack ? { stack: err.stack } : {}) } } };
  } finally {
    await pack.close();
  }
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function runGuard(options: GuardOptions): Promise<GuardRun> {
  const startedAt = new Date().toISOString();
  const packDir = options.packDir ?? DEFAULT_PACK_DIR;
  const stacks = options.stacks && options.stacks.length > 0 ? options.stacks : listStacks(options.projectDir);
  const outcomes = await mapLimited(stacks, options.concurrency ?? 2, async (stack) => {
    const outcome = await checkStack(options, stack, packDir);
    options.onStackDone?.(outcome.result);
    return outcome;
  });
  const withInfo = outcomes.find((o) => o.info && o.config);
  const results = outcomes.map((o) => o.result);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: "db-guardrails", version: toolVersion() },
    pack: { name: withInfo?.info?.name ?? "database-guardrails", version: withInfo?.info?.version ?? packVersion(packDir) },
    startedAt,
    failOn: options.failOn,
    rules: withInfo ? rulesOf(withInfo.info!, withInfo.config!) : [],
    stacks: results,
    summary: summarize(results),
    exitCode: exitCodeFor(results, options.failOn),
  };
}
