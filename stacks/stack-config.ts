/**
 * Reads a reference stack's settings from its `Pulumi.<stack>.yaml`: region, accounts, principals
 * and alert endpoints never live in code. The account pinning is read from the same `aws:` keys
 * that pin Pulumi's default provider, so the explicit providers and the default one cannot
 * disagree.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AlertSubscription } from "../components/alert-topic";

export interface StackSettings {
  environment: string;
  region: string;
  /** `aws:allowedAccountIds`: the only accounts this stack may touch. */
  accountIds: string[];
  /** Production accounts: the allowed accounts of the production stack, `aws:forbiddenAccountIds` of any other. */
  productionAccountIds: string[];
  /** Region that keeps a copy of every recovery point. */
  copyRegion: string;
  restorePrincipalArns: string[];
  /** Absent: no break-glass role. */
  breakGlassPrincipalArns?: string[];
  alertSubscriptions: AlertSubscription[];
  ordersInstanceClass: string;
  ordersEngineVersion?: string;
  dbSubnetGroupName?: string;
  vpcSecurityGroupIds?: string[];
}

function stringList(config: pulumi.Config, key: string, required: true): string[];
function stringList(config: pulumi.Config, key: string, required: false): string[] | undefined;
function stringList(config: pulumi.Config, key: string, required: boolean): string[] | undefined {
  const value = required ? config.requireObject<unknown>(key) : config.getObject<unknown>(key);
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== "string" || v.trim() === "")) {
    throw new Error(`Stack config ${config.name}:${key} must be a non-empty list of strings (in Pulumi.${pulumi.getStack()}.yaml); got ${JSON.stringify(value)}.`);
  }
  return value as string[];
}

export function readStackSettings(environment: string): StackSettings {
  const aws = new pulumi.Config("aws");
  const project = new pulumi.Config();
  const accountIds = stringList(aws, "allowedAccountIds", true);
  const production = environment === "production";
  const productionAccountIds = production ? accountIds : stringList(aws, "forbiddenAccountIds", true);

  const alertSubscriptions: AlertSubscription[] = (stringList(project, "alertEmails", false) ?? []).map((endpoint) => ({ protocol: "email", endpoint }));
  // A webhook URL usually carries a token: read it as a secret whether or not it was stored encrypted.
  const webhook = project.getSecret("chatWebhookUrl");
  if (webhook !== undefined) alertSubscriptions.push({ protocol: "https", endpoint: webhook });

  return {
    environment,
    region: aws.require("region"),
    accountIds,
    productionAccountIds,
    copyRegion: project.require("copyRegion"),
    restorePrincipalArns: stringList(project, "restorePrincipalArns", true),
    breakGlassPrincipalArns: stringList(project, "breakGlassPrincipalArns", false),
    alertSubscriptions,
    ordersInstanceClass: project.require("ordersInstanceClass"),
    ordersEngineVersion: project.get("ordersEngineVersion"),
    dbSubnetGroupName: project.get("dbSubnetGroupName"),
    vpcSecurityGroupIds: stringList(project, "vpcSecurityGroupIds", false),
  };
}
