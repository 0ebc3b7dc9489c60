/**
 * Starts the real `database-guardrails` pack (compiled `policies/bin`, as the CLI runs it) and
 * gives tests the engine's view: reconciled config, then Remediate + Analyze per resource and
 * AnalyzeStack, over gRPC. One pack process per test file.
 */
import * as path from "path";
import { type AnalyzeDiagnostic, type AnalyzerInfo, type PolicyPackClient, startPolicyPack } from "../../guard/analyzer-client";
import { type PolicyPackConfigFile, reconcilePolicyConfig } from "../../guard/policy-config";
import type { WireProperties, WireResource, WireResourceOptions } from "../../guard/wire";

export const PACK_DIR = path.resolve(__dirname, "../../policies");

export interface PackSession {
  client: PolicyPackClient;
  info: AnalyzerInfo;
  /** Reconciles and sends a policy config file's content, as the engine does before analysis. */
  configure(config?: PolicyPackConfigFile): Promise<void>;
  analyze(resource: WireResource): Promise<AnalyzeDiagnostic[]>;
  close(): Promise<void>;
}

export async function startPackSession(stack: string, project = "shop"): Promise<PackSession> {
  const client = await startPolicyPack({ packDir: PACK_DIR, project, stack, dryRun: true });
  await client.handshake();
  await client.configureStack();
  await client.getPluginInfo();
  const info = await client.getAnalyzerInfo();
  const session: PackSession = {
    client,
    info,
    async configure(config) {
      await client.configure(reconcilePolicyConfig(info, config));
    },
    analyze: (r) => client.analyze(r),
    close: () => client.close(),
  };
  await session.configure();
  return session;
}

let counter = 0;
/** A resource in wire form with a URN for this stack. */
export function wireResource(
  stack: string,
  type: string,
  properties: WireProperties,
  options: WireResourceOptions = {},
  extra: Partial<WireResource> = {},
): WireResource {
  const name = extra.name ?? `r${++counter}`;
  return { type, name, urn: `urn:pulumi:${stack}::shop::${type}::${name}`, properties, options, ...extra };
}

/** The diagnostics of one policy. */
export function of(ds: AnalyzeDiagnostic[], policy: string): AnalyzeDiagnostic[] {
  return ds.filter((d) => d.policyName === policy);
}
