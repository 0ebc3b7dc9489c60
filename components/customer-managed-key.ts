/**
 * Customer-managed KMS keys for everything the kit encrypts. Rotation is on and the deletion
 * window is the longest AWS allows (30 days), so a key scheduled for deletion by mistake can be
 * cancelled for a month before the data it protects becomes unreadable.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsContext, PolicyDocument, PolicyStatement } from "./aws-context";

export const KMS_KEY_DELETION_WINDOW_DAYS = 30;

export interface ServiceKeyUse {
  /** Service principal allowed to use the key, e.g. `events.rds.amazonaws.com`. */
  service: string;
  /** KMS actions it needs. */
  actions: string[];
}

/**
 * The key policy: the account administers the key through IAM (AWS's default statement), and the
 * listed AWS services may use it. Services publishing to an encrypted SNS topic need
 * `kms:GenerateDataKey*` and `kms:Decrypt` on the topic's key, or their notifications are dropped.
 */
export function customerManagedKeyPolicy(accountId: string, partition: string, services: ServiceKeyUse[]): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "AccountAdministersKeyThroughIam",
      Effect: "Allow",
      Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
      Action: ["kms:*"],
      Resource: "*",
    },
  ];
  for (const use of services) {
    statements.push({
      Sid: `${use.service.replace(/[^A-Za-z0-9]/g, "")}UsesKey`,
      Effect: "Allow",
      Principal: { Service: use.service },
      Action: [...use.actions],
      Resource: "*",
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

export function createCustomerManagedKey(
  name: string,
  args: { description: string; tags: Record<string, string>; context: AwsContext; services?: ServiceKeyUse[] },
  opts: pulumi.CustomResourceOptions,
): aws.kms.Key {
  const services = args.services ?? [];
  return new aws.kms.Key(
    name,
    {
      description: args.description,
      enableKeyRotation: true,
      deletionWindowInDays: KMS_KEY_DELETION_WINDOW_DAYS,
      policy: pulumi
        .all([args.context.accountId, args.context.partition])
        .apply(([accountId, partition]) => JSON.stringify(customerManagedKeyPolicy(accountId, partition, services))),
      tags: args.tags,
    },
    opts,
  );
}
