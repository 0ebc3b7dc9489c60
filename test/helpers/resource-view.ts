/**
 * Builds the `ResourceView` a rule's `check` receives, from properties in the engine's wire form,
 * so unit tests read like the resources they describe.
 */
import { type ResourceView, productionOf } from "../../policies/lib/rule";
import { type PlainProps, unwrapProperties } from "../../policies/lib/properties";
import { DEFAULT_SETTINGS, type SharedSettings, parseSettings } from "../../policies/lib/settings";

export const PRODUCTION_TAGS = { environment: "production" };

/** A production RDS instance (or cluster) whose every guardrail property is set: each rule passes it. */
export const COMPLIANT_RDS_PROPS = {
  tags: PRODUCTION_TAGS,
  deletionProtection: true,
  skipFinalSnapshot: false,
  finalSnapshotIdentifier: "orders-final",
  deleteAutomatedBackups: false,
  backupRetentionPeriod: 14,
  storageEncrypted: true,
  copyTagsToSnapshot: true,
};

/** A production DynamoDB table whose every guardrail property is set. */
export const COMPLIANT_TABLE_PROPS = {
  tags: PRODUCTION_TAGS,
  deletionProtectionEnabled: true,
  pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 35 },
};

export interface ViewSpec {
  type: string;
  name?: string;
  props?: PlainProps;
  protect?: boolean;
  ignoreChanges?: string[];
  providerProps?: PlainProps;
  providerName?: string;
  stack?: string;
  settings?: SharedSettings;
}

export function settingsWith(overrides: Partial<SharedSettings> = {}): SharedSettings {
  return { ...parseSettings({}), ...overrides };
}

export function resourceView(spec: ViewSpec): ResourceView {
  const name = spec.name ?? "orders";
  const props = unwrapProperties(spec.props ?? {});
  const stack = spec.stack ?? "dev";
  const settings = spec.settings ?? (DEFAULT_SETTINGS as SharedSettings);
  const providerProps = spec.providerProps;
  return {
    type: spec.type,
    name,
    urn: `urn:pulumi:${stack}::proj::${spec.type}::${name}`,
    props,
    opts: { protect: spec.protect ?? false, ignoreChanges: spec.ignoreChanges ?? [] },
    provider: providerProps
      ? { type: "pulumi:providers:aws", name: spec.providerName ?? "aws", urn: `urn:pulumi:${stack}::proj::pulumi:providers:aws::${spec.providerName ?? "aws"}`, props: providerProps }
      : undefined,
    production: productionOf(spec.type, props, providerProps, stack, undefined, settings),
  };
}
