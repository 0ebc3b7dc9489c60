/**
 * The account and partition a component is deployed into, read from the component's own provider
 * (invokes inherit the provider of their `parent`), so policy documents name the right account
 * without the caller having to repeat it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface AwsContext {
  accountId: pulumi.Output<string>;
  partition: pulumi.Output<string>;
}

export function awsContextFor(parent: pulumi.Resource, provider?: pulumi.ProviderResource): AwsContext {
  const opts: pulumi.InvokeOutputOptions = provider ? { parent, provider } : { parent };
  return {
    accountId: aws.getCallerIdentityOutput({}, opts).accountId,
    partition: aws.getPartitionOutput({}, opts).partition,
  };
}

/** IAM policy document shapes, as plain data so tests can read them statement by statement. */
export type ConditionBlock = Record<string, Record<string, string | string[] | boolean | number>>;

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Principal?: { AWS?: string | string[]; Service?: string | string[] };
  Action: string[];
  Resource?: string | string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}
