/**
 * An AWS provider pinned to its account. The provider plugin checks `allowedAccountIds` and
 * `forbiddenAccountIds` against the caller identity when it is configured, before any resource is
 * read or changed, so a staging stack run with production credentials stops there. The type token
 * stays `pulumi:providers:aws`, which is what the policy pack inspects.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GuardrailArgumentError, componentLabel, requireMatching, requireNonEmptyList } from "./floors";
import { ENVIRONMENT_TAG_KEY, guardrailTags, isProductionEnvironment, resolveEnvironment } from "./tags";

export interface PinnedAwsProviderArgs {
  /** Account ids this provider may touch. Required, non-empty, 12-digit ids. */
  allowedAccountIds: string[];
  /** Region, e.g. `us-east-1`. Required: a provider that falls back to the shell's region is not pinned. */
  region: string;
  /** Environment, written into `defaultTags` as `environment=<value>`. Default `"production"`. */
  environment?: string;
  /**
   * Production account ids. Required (non-empty) when `environment` is not production: they become
   * `forbiddenAccountIds`, so this provider can never reach production. Must not overlap
   * `allowedAccountIds`. Ignored for a production provider.
   */
  productionAccountIds?: string[];
  /** Extra default tags for every resource this provider creates. Default none. */
  defaultTags?: Record<string, string>;
  /** Role to assume, e.g. a deployment role in the target account. Default none (ambient credentials). */
  assumeRoleArn?: string;
  /** Shared-config profile. Default none. */
  profile?: string;
}

const ACCOUNT_ID = /^[0-9]{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[\w+=,.@/-]+$/;

/**
 * The `aws.Provider` arguments for a pinned provider, checked. Pure, so the pinning can be tested
 * (and reused by other tools) without creating a provider.
 */
export function pinnedAwsProviderArgs(name: string, args: PinnedAwsProviderArgs): aws.ProviderArgs {
  const component = componentLabel("PinnedAwsProvider", name);
  if (args === null || typeof args !== "object") {
    throw new GuardrailArgumentError(component, "args", "must be an object.");
  }
  const allowed = requireNonEmptyList(component, "allowedAccountIds", args.allowedAccountIds, (id, i) =>
    requireMatching(component, `allowedAccountIds[${i}]`, id, ACCOUNT_ID, "an AWS account id is 12 digits."),
  );
  const region = requireMatching(component, "region", args.region, REGION, "expected an AWS region such as us-east-1.");
  const environment = resolveEnvironment(component, args.environment);
  const production = isProductionEnvironment(environment);

  let forbidden: string[] | undefined;
  if (!production) {
    forbidden = requireNonEmptyList(component, "productionAccountIds", args.productionAccountIds, (id, i) =>
      requireMatching(component, `productionAccountIds[${i}]`, id, ACCOUNT_ID, "an AWS account id is 12 digits."),
    );
    const overlap = allowed.filter((id) => forbidden!.includes(id));
    if (overlap.length > 0) {
      throw new GuardrailArgumentError(
        component,
        "allowedAccountIds",
        `includes production account ${overlap.join(", ")}, but environment is "${environment}": a non-production provider may never reach production.`,
      );
    }
  }
  if (args.assumeRoleArn !== undefined) {
    requireMatching(component, "assumeRoleArn", args.assumeRoleArn, ROLE_ARN, "expected an IAM role ARN.");
  }
  if (args.profile !== undefined && (typeof args.profile !== "string" || args.profile.trim() === "")) {
    throw new GuardrailArgumentError(component, "profile", "must be a non-empty string when set.");
  }

  const providerArgs: aws.ProviderArgs = {
    region,
    allowedAccountIds: [...new Set(allowed)],
    defaultTags: { tags: guardrailTags(component, environment, args.defaultTags) },
  };
  if (forbidden) providerArgs.forbiddenAccountIds = [...new Set(forbidden)];
  if (args.assumeRoleArn) {
    // STS session names allow [\w+=,.@-] and at most 64 characters.
    const sessionName = `db-guardrails-${environment}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
    providerArgs.assumeRoles = [{ roleArn: args.assumeRoleArn, sessionName }];
  }
  if (args.profile) providerArgs.profile = args.profile;
  return providerArgs;
}

/**
 * `new PinnedAwsProvider("production", { allowedAccountIds: ["111111111111"], region: "us-east-1" })`
 * creates an `aws.Provider` that works only in the listed accounts and tags everything it creates
 * with its environment.
 */
export class PinnedAwsProvider extends aws.Provider {
  /** The environment written into this provider's default tags. */
  readonly environment: string;
  /** Account ids this provider may touch. */
  readonly allowedAccountIds: readonly string[];
  /** Account ids this provider refuses (the production accounts, for a non-production provider). */
  readonly forbiddenAccountIds: readonly string[];
  /** The region, as a plain string (the inherited `region` is an Output). */
  readonly pinnedRegion: string;

  constructor(name: string, args: PinnedAwsProviderArgs, opts?: pulumi.ResourceOptions) {
    const providerArgs = pinnedAwsProviderArgs(name, args);
    super(name, providerArgs, opts);
    const tags = (providerArgs.defaultTags as { tags: Record<string, string> }).tags;
    this.environment = tags[ENVIRONMENT_TAG_KEY];
    this.allowedAccountIds = providerArgs.allowedAccountIds as string[];
    this.forbiddenAccountIds = (providerArgs.forbiddenAccountIds as string[] | undefined) ?? [];
    this.pinnedRegion = providerArgs.region as string;
  }
}
