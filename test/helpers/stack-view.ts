/**
 * Builds the `StackView` a stack rule's `check` receives from a short description of the
 * resources, so tests read like the Pulumi program they stand for: resources refer to each other
 * by logical name in `propertyDependencies`, and every resource has a provider (as the engine
 * gives it: explicit, or the default one built from the stack's `aws:*` config).
 */
import type { PlainProps } from "../../policies/lib/properties";
import { unwrapProperties } from "../../policies/lib/properties";
import { type ResourceView, type StackView, productionOf } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";

export const PROVIDER_TYPE = "pulumi:providers:aws";
export const DEFAULT_PROVIDER = "default_7_48_0";
export const ACCOUNT = "111111111111";
export const OTHER_ACCOUNT = "222222222222";
/** What the default provider holds unless a test says otherwise: a pinned account and a Region. */
export const DEFAULT_PROVIDER_PROPS: PlainProps = { region: "us-east-1", allowedAccountIds: JSON.stringify([ACCOUNT]) };

export interface StackResourceSpec {
  type: string;
  name: string;
  props?: PlainProps;
  /** Logical name of a provider in `StackSpec.providers`; default: the default provider. */
  provider?: string;
  /** Property name to the logical names of the resources its value came from. */
  propertyDependencies?: Record<string, string[]>;
}

export interface StackSpec {
  stack?: string;
  settings?: SharedSettings;
  /** Provider name to its properties; `DEFAULT_PROVIDER` may be overridden here. */
  providers?: Record<string, PlainProps>;
  resources: StackResourceSpec[];
}

export function urnOf(stack: string, type: string, name: string): string {
  return `urn:pulumi:${stack}::proj::${type}::${name}`;
}

export function stackView(spec: StackSpec): StackView {
  const stack = spec.stack ?? "dev";
  const settings = spec.settings ?? (DEFAULT_SETTINGS as SharedSettings);
  const providers: Record<string, PlainProps> = { [DEFAULT_PROVIDER]: DEFAULT_PROVIDER_PROPS, ...spec.providers };
  const urnByName = new Map<string, string>();
  for (const r of spec.resources) {
    if (urnByName.has(r.name)) throw new Error(`test stack: two resources named ${r.name}`);
    urnByName.set(r.name, urnOf(stack, r.type, r.name));
  }
  const resolve = (name: string): string => {
    const urn = urnByName.get(name);
    if (!urn) throw new Error(`test stack: no resource named ${name}`);
    return urn;
  };
  const views: ResourceView[] = [];
  for (const [name, raw] of Object.entries(providers)) {
    const props = unwrapProperties(raw);
    views.push({
      type: PROVIDER_TYPE,
      name,
      urn: urnOf(stack, PROVIDER_TYPE, name),
      props,
      opts: { protect: false, ignoreChanges: [] },
      production: productionOf(PROVIDER_TYPE, props, undefined, stack, undefined, settings),
      dependencies: [],
      propertyDependencies: {},
    });
  }
  for (const r of spec.resources) {
    const providerName = r.provider ?? DEFAULT_PROVIDER;
    const providerRaw = providers[providerName];
    if (!providerRaw) throw new Error(`test stack: no provider named ${providerName}`);
    const providerProps = unwrapProperties(providerRaw);
    const props = unwrapProperties(r.props ?? {});
    const propertyDependencies: Record<string, string[]> = {};
    for (const [k, names] of Object.entries(r.propertyDependencies ?? {})) propertyDependencies[k] = names.map(resolve);
    views.push({
      type: r.type,
      name: r.name,
      urn: resolve(r.name),
      props,
      opts: { protect: false, ignoreChanges: [] },
      provider: { type: PROVIDER_TYPE, name: providerName, urn: urnOf(stack, PROVIDER_TYPE, providerName), props: providerProps },
      production: productionOf(r.type, props, providerProps, stack, undefined, settings),
      dependencies: [...new Set(Object.values(propertyDependencies).flat())],
      propertyDependencies,
    });
  }
  return { stackName: stack, resources: views, byUrn: new Map(views.map((v) => [v.urn, v])) };
}

// Type tokens, as the engine sends them.
export const RDS = "aws:rds/instance:Instance";
export const CLUSTER = "aws:rds/cluster:Cluster";
export const TABLE = "aws:dynamodb/table:Table";
export const PLAN = "aws:backup/plan:Plan";
export const SELECTION = "aws:backup/selection:Selection";
export const VAULT = "aws:backup/vault:Vault";
export const LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";
export const RT_PLAN = "aws:backup/restoreTestingPlan:RestoreTestingPlan";
export const RT_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection";
export const EVENTS = "aws:rds/eventSubscription:EventSubscription";

export const PROD = { environment: "production" };

/** A production RDS instance as a preview sends it (its ARN is an output, so absent). */
export function prodRds(name: string, props: PlainProps = {}): StackResourceSpec {
  return { type: RDS, name, props: { identifier: name, tags: PROD, ...props } };
}

/** A vault, a compliance-mode lock on it, a daily plan into it and a selection of `databases` by ARN dependency. */
export function backedUp(databases: string[], options: { schedule?: string; startWindow?: number; continuous?: boolean; lockDays?: number; vault?: string } = {}): StackResourceSpec[] {
  const vault = options.vault ?? "vault";
  const rule: PlainProps = {
    ruleName: "daily",
    targetVaultName: vault,
    schedule: options.schedule ?? "cron(0 5 ? * * *)",
    ...(options.startWindow !== undefined ? { startWindow: options.startWindow } : {}),
    ...(options.continuous !== undefined ? { enableContinuousBackup: options.continuous } : {}),
  };
  return [
    { type: VAULT, name: vault, props: { name: vault } },
    { type: LOCK, name: `${vault}-lock`, props: { backupVaultName: vault, changeableForDays: 3, minRetentionDays: options.lockDays ?? 7 } },
    { type: PLAN, name: "plan", props: { name: "plan", rules: [rule] }, propertyDependencies: { rules: [vault] } },
    {
      type: SELECTION,
      name: "selection",
      props: { planId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", iamRoleArn: "arn:aws:iam::111111111111:role/backup", resources: databases.map(() => "04da6b54-80e4-46f7-96ec-b56ff0331ba9") },
      propertyDependencies: { planId: ["plan"], resources: databases },
    },
  ];
}
