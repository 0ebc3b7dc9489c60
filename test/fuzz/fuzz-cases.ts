/**
 * The fuzz properties of the pack, shared by the jest tests (a few hundred cases) and
 * `fuzz-long.ts` (as many as you like): for each rule, arbitrary property bags on
 * production-tagged resources, through the rule's pure `check` and through the `@pulumi/policy`
 * policy the pack serves.
 *
 * Properties:
 * - nothing throws out of a check or a validation, and no check fails internally (the pack turns
 *   an internal failure into a violation; the fuzz treats one as a bug);
 * - a resource tagged production in any of the forms users write is judged (never "not applicable");
 * - a rule reports nothing on a production resource only when its oracle (oracles.ts) says the
 *   guardrail really is set.
 */
import fc from "fast-check";
import { Secret } from "@pulumi/policy";
import { type ResourceRule, type StackRule, buildStackView, toResourcePolicy, toStackPolicy } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { RESOURCE_RULES, STACK_RULES } from "../../policies/rules";
import { SECRET_SIG_KEY, SECRET_SIG_VALUE } from "../../guard/wire";
import { resourceView } from "../helpers/resource-view";
import { AWS_PROVIDER, COMPLIANT, DATABASE_TYPES, DYNAMODB_TABLE, KEYS_BY_TYPE, RDS_CLUSTER, RDS_INSTANCE, ignoreChangesCandidates, peel } from "./oracles";
import { type BagRecipe, type RecipeOptions, bagRecipe, materializeBag, valueRecipe } from "./property-bags";
import { type Delivery, type FakeResource, NotApplicableError, resourceArgs, stackArgs, stackResources } from "./policy-args";

/** The seed of every fuzz run: `FC_SEED` when set, so a failure can be replayed exactly. */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FC_SEED;
  if (raw === undefined || raw.trim() === "") return 20_250_806;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer, got "${raw}"`);
  return seed;
}

/** How a resource says it is production; every form must make the pack judge it. */
export type ProductionForm = "tags" | "tags-json" | "tags-secret" | "tags-case" | "provider-default-tags" | "fuzzed";
const PRODUCTION_FORMS: readonly ProductionForm[] = ["tags", "tags-json", "tags-secret", "tags-case", "provider-default-tags", "fuzzed"];

/** Applies a production form to a materialized bag (the bag's own `tags` stays only for "fuzzed"). */
function productionProps(bag: Record<string, unknown>, form: ProductionForm, wire: boolean): { props: Record<string, unknown>; providerProps?: Record<string, unknown> } {
  const props = { ...bag };
  const tags = { environment: "production", team: "orders" };
  switch (form) {
    case "tags":
      props.tags = tags;
      return { props };
    case "tags-json":
      props.tags = JSON.stringify(tags);
      return { props };
    case "tags-secret":
      props.tags = wire ? { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, value: tags } : new Secret(tags);
      return { props };
    case "tags-case":
      props.tags = { Environment: " PROD " };
      return { props };
    case "provider-default-tags":
      delete props.tags;
      return { props, providerProps: { region: "us-east-1", defaultTags: JSON.stringify({ tags }) } };
    case "fuzzed":
      return { props };
  }
}

export interface ResourceCase {
  type: string;
  bag: BagRecipe;
  form: ProductionForm;
  protect: boolean;
  ignoreChanges: string[];
  delivery: Delivery;
}

export function resourceCase(rule: ResourceRule<Record<string, unknown>>, deliveries: readonly Delivery[], heavy = false): fc.Arbitrary<ResourceCase> {
  return fc.constantFrom(...rule.appliesTo).chain((type) => {
    const delivery = fc.constantFrom(...deliveries);
    return delivery.chain((d) =>
      fc.record({
        type: fc.constant(type),
        bag: bagRecipe({ wire: d === "wire", heavy }, KEYS_BY_TYPE[type] ?? []),
        form: fc.constantFrom(...PRODUCTION_FORMS),
        protect: fc.boolean(),
        ignoreChanges: fc.array(fc.oneof(fc.constantFrom(...ignoreChangesCandidates(type)), fc.string({ maxLength: 8 })), { maxLength: 3 }),
        delivery: fc.constant(d),
      }),
    );
  });
}

/** A case's properties in its delivery form, and the in-process form of the same bag that the oracles read. */
export function wireForms(c: ResourceCase): { props: Record<string, unknown>; providerProps?: Record<string, unknown>; oracleProps: Record<string, unknown> } {
  const wire = c.delivery === "wire";
  const { props, providerProps } = productionProps(materializeBag(c.bag, { wire }), c.form, wire);
  const oracleProps = wire ? productionProps(materializeBag(c.bag, { wire: false }), c.form, false).props : props;
  return { props, providerProps, oracleProps };
}

/** Why a case failed, or undefined. */
export function judgeResourceCase(rule: ResourceRule<Record<string, unknown>>, c: ResourceCase, via: "check" | "policy"): string | undefined {
  const { props, providerProps, oracleProps } = wireForms(c);
  const definitelyProduction = rule.productionOnly && c.form !== "fuzzed";
  let reported: Array<{ message: string }>;
  if (via === "check") {
    const view = resourceView({ type: c.type, props, protect: c.protect, ignoreChanges: c.ignoreChanges, providerProps });
    if (definitelyProduction && view.production.production !== true) return `production-tagged resource classified ${JSON.stringify(view.production)}`;
    if (rule.productionOnly && view.production.production !== true) return undefined;
    try {
      reported = rule.check(view, {}, DEFAULT_SETTINGS as SharedSettings);
    } catch (e) {
      return `check threw: ${e instanceof Error ? e.stack : String(e)}`;
    }
  } else {
    const resource: FakeResource = {
      type: c.type,
      name: "orders",
      props,
      protect: c.protect,
      ignoreChanges: c.ignoreChanges,
      provider: providerProps ? { type: AWS_PROVIDER, name: "aws", props: providerProps } : undefined,
    };
    const { args, violations, report } = resourceArgs(resource, { stack: "dev", delivery: c.delivery });
    try {
      const validate = toResourcePolicy(rule).validateResource as (a: typeof args, r: typeof report) => void;
      validate(args, report);
    } catch (e) {
      if (e instanceof NotApplicableError) {
        return definitelyProduction ? `production-tagged resource declared not applicable: ${e.reason}` : undefined;
      }
      return `validateResource threw: ${e instanceof Error ? e.stack : String(e)}`;
    }
    reported = violations;
  }
  const internal = reported.find((f) => f.message.includes("failed to evaluate"));
  if (internal) return `internal failure reported: ${internal.message}`;
  if (reported.length === 0 && (definitelyProduction || !rule.productionOnly)) {
    const oracle = COMPLIANT[rule.id];
    if (!oracle) return `no oracle for ${rule.id}`;
    if (!oracle({ type: c.type, props: oracleProps, protect: c.protect, ignoreChanges: c.ignoreChanges })) {
      return `${rule.id} reported nothing on a production ${c.type} whose guardrail is not really set`;
    }
  }
  return undefined;
}

/** One property per resource rule and path ("check": the pure function; "policy": what the server runs). */
export function resourceRuleProperties(heavy = false): Array<{ name: string; property: fc.IProperty<[ResourceCase]> }> {
  return RESOURCE_RULES.flatMap((rule) =>
    (["check", "policy"] as const).map((via) => ({
      name: `${rule.id} via ${via}`,
      // check() takes in-process values; the wire form reaches a rule only through the policy.
      property: fc.property(resourceCase(rule, via === "check" ? ["raw"] : ["wire", "raw"], heavy), (c) => {
        const problem = judgeResourceCase(rule, c, via);
        if (problem) throw new Error(problem);
      }),
    })),
  );
}

const STACK_TYPES: Readonly<Record<string, readonly string[]>> = {
  [RDS_INSTANCE]: KEYS_BY_TYPE[RDS_INSTANCE]!,
  [RDS_CLUSTER]: KEYS_BY_TYPE[RDS_CLUSTER]!,
  [DYNAMODB_TABLE]: KEYS_BY_TYPE[DYNAMODB_TABLE]!,
  "aws:backup/plan:Plan": ["name", "rules", "advancedBackupSettings", "tags"],
  "aws:backup/selection:Selection": ["planId", "iamRoleArn", "resources", "notResources", "selectionTags", "conditions", "name"],
  "aws:backup/vault:Vault": ["name", "forceDestroy", "arn", "kmsKeyArn"],
  "aws:backup/vaultLockConfiguration:VaultLockConfiguration": ["backupVaultName", "changeableForDays", "minRetentionDays", "maxRetentionDays"],
  "aws:backup/restoreTestingPlan:RestoreTestingPlan": ["name", "scheduleExpression", "recoveryPointSelection", "scheduleExpressionTimezone"],
  "aws:backup/restoreTestingSelection:RestoreTestingSelection": ["restoreTestingPlanName", "protectedResourceType", "protectedResourceArns", "protectedResourceConditions", "iamRoleArn"],
  "aws:rds/eventSubscription:EventSubscription": ["sourceType", "sourceIds", "eventCategories", "enabled", "snsTopic"],
  "aws:iam/role:Role": ["name", "assumeRolePolicy", "inlinePolicies", "managedPolicyArns", "maxSessionDuration", "tags", "arn"],
  "aws:iam/policy:Policy": ["name", "policy", "arn"],
  "aws:iam/rolePolicy:RolePolicy": ["role", "policy", "name"],
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
  "aws:iam/user:User": ["name", "tags"],
  "aws:iam/userPolicy:UserPolicy": ["user", "policy"],
  "aws:iam/groupMembership:GroupMembership": ["group", "users"],
  "aws:s3/bucket:Bucket": ["bucket", "tags"],
};

/** Nested keys the stack rules look inside (plan rules, selection tags, policy statements). */
const NESTED_KEYS = [
  "ruleName", "targetVaultName", "schedule", "startWindow", "completionWindow", "enableContinuousBackup", "scheduleExpressionTimezone", "copyActions", "destinationVaultArn", "lifecycle", "deleteAfter",
  "type", "key", "value", "stringEquals", "stringLikes", "stringNotEquals", "stringNotLikes",
  "Version", "Statement", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "Condition", "policy", "name",
];

export interface StackCase {
  resources: Array<{ type: string; bag: BagRecipe; form: ProductionForm; links: Array<[string, number]> }>;
  delivery: Delivery;
}

export function stackCase(deliveries: readonly Delivery[] = ["wire", "raw"], heavy = false): fc.Arbitrary<StackCase> {
  return fc.constantFrom(...deliveries).chain((delivery) => {
    const options: RecipeOptions = { wire: delivery === "wire", heavy };
    const resource = fc.constantFrom(...Object.keys(STACK_TYPES)).chain((type) =>
      fc.record({
        type: fc.constant(type),
        bag: fc.tuple(bagRecipe(options, STACK_TYPES[type]!), fc.array(fc.tuple(fc.constantFrom(...STACK_TYPES[type]!), valueRecipe(options, NESTED_KEYS)), { maxLength: 2 })).map(([a, b]) => [...a, ...b]),
        form: fc.constantFrom(...PRODUCTION_FORMS),
        // Property dependencies on other resources of the stack, by index.
        links: fc.array(fc.tuple(fc.constantFrom(...STACK_TYPES[type]!), fc.nat({ max: 7 })), { maxLength: 3 }),
      }),
    );
    return fc.record({ resources: fc.array(resource, { minLength: 1, maxLength: 8 }), delivery: fc.constant(delivery) });
  });
}

/** The resources of a stack case, named r0, r1, ... */
export function stackFakes(c: StackCase, wire: boolean): FakeResource[] {
  const names = c.resources.map((_, i) => `r${i}`);
  return c.resources.map((r, i) => {
    const { props, providerProps } = productionProps(materializeBag(r.bag, { wire }), r.form, wire);
    const propertyDependencies: Record<string, string[]> = {};
    for (const [property, index] of r.links) {
      const target = names[index % names.length]!;
      (propertyDependencies[property] ??= []).push(target);
    }
    return {
      type: r.type,
      name: names[i]!,
      props,
      provider: { type: AWS_PROVIDER, name: "default_7_48_0", props: providerProps ?? { region: "us-east-1", allowedAccountIds: JSON.stringify(["111111111111"]) } },
      propertyDependencies,
    };
  });
}

/** Why a stack case failed, or undefined. */
export function judgeStackCase(rule: StackRule<Record<string, unknown>>, c: StackCase, via: "check" | "policy"): string | undefined {
  const fakes = stackFakes(c, c.delivery === "wire");
  const settings = DEFAULT_SETTINGS as SharedSettings;
  let reported: Array<{ message: string; urn?: string }>;
  if (via === "check") {
    try {
      const stack = buildStackView(stackResources(fakes, "dev", c.delivery), settings, "dev");
      reported = rule.check(stack, {}, settings);
    } catch (e) {
      return `check threw: ${e instanceof Error ? e.stack : String(e)}`;
    }
  } else {
    const { args, violations, report } = stackArgs(stackResources(fakes, "dev", c.delivery));
    try {
      const validate = toStackPolicy(rule).validateStack as (a: typeof args, r: typeof report) => void;
      validate(args, report);
    } catch (e) {
      return `validateStack threw: ${e instanceof Error ? e.stack : String(e)}`;
    }
    reported = violations;
  }
  const internal = reported.find((f) => f.message.includes("failed to evaluate"));
  if (internal) return `internal failure reported: ${internal.message}`;
  // With no backup selection at all, every production database that is not a read replica is uncovered.
  if (rule.id === "prod-db-backup-coverage" && !c.resources.some((r) => r.type === "aws:backup/selection:Selection")) {
    const inProcess = stackFakes(c, false);
    for (const [i, r] of c.resources.entries()) {
      if (!(DATABASE_TYPES as readonly string[]).includes(r.type) || r.form === "fuzzed") continue;
      const props = inProcess[i]!.props;
      const source = [peel(props.replicateSourceDb), peel(props.replicationSourceIdentifier)];
      if (r.type !== DYNAMODB_TABLE && source.some((s) => typeof s === "string" && s.trim() !== "")) continue;
      const urn = `urn:pulumi:dev::shop::${r.type}::r${i}`;
      if (!reported.some((f) => f.urn === urn || f.message.includes(`"r${i}"`))) return `production database r${i} has no backup selection and no finding`;
    }
  }
  return undefined;
}

export function stackRuleProperties(heavy = false): Array<{ name: string; property: fc.IProperty<[StackCase]> }> {
  return STACK_RULES.flatMap((rule) =>
    (["check", "policy"] as const).map((via) => ({
      name: `${rule.id} via ${via}`,
      property: fc.property(stackCase(["wire", "raw"], heavy), (c) => {
        const problem = judgeStackCase(rule, c, via);
        if (problem) throw new Error(problem);
      }),
    })),
  );
}

