/**
 * An SNS topic encrypted with its own customer-managed key, a topic policy that lets only the named
 * AWS services publish, and the caller's subscriptions. Shared by DatabaseAlerts (RDS events) and
 * SnapshotSchedule (AWS Backup vault events).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsContext, ConditionBlock, PolicyDocument, PolicyStatement } from "./aws-context";
import { createCustomerManagedKey } from "./customer-managed-key";
import { GuardrailArgumentError } from "./floors";

export interface AlertSubscription {
  /** `email` for people, `https` for a chat webhook or incident tool (it must confirm the SNS subscription). */
  protocol: "email" | "https";
  /** Email address or https URL. May be a secret Output (webhook URLs usually carry a token). */
  endpoint: pulumi.Input<string>;
  /** SNS filter policy (message attributes), for a subscriber that wants only some events. Default none: every event. */
  filterPolicy?: Record<string, unknown>;
}

/** A service allowed to publish to the topic. */
export interface TopicPublisher {
  /** Service principal, e.g. `events.rds.amazonaws.com`. */
  service: string;
  /** Extra condition on the publish statement, given the account id. */
  condition?: (accountId: string) => ConditionBlock;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checkEndpoint(component: string, argument: string, protocol: string, endpoint: string): string {
  if (protocol === "email" && !EMAIL.test(endpoint)) {
    throw new GuardrailArgumentError(component, argument, `= ${JSON.stringify(endpoint)} is not an email address.`);
  }
  if (protocol === "https") {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    // Plain http would send alert contents (and any token in the URL) in clear text.
    if (!url || url.protocol !== "https:") {
      throw new GuardrailArgumentError(component, argument, "is not an https:// URL.");
    }
  }
  return endpoint;
}

/** Checks each subscription now; endpoints that are Outputs (secrets) are checked when they resolve. */
export function validateSubscriptions(component: string, argument: string, value: unknown): AlertSubscription[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new GuardrailArgumentError(component, argument, "must be a list of { protocol, endpoint } objects.");
  }
  return value.map((raw, i) => {
    const where = `${argument}[${i}]`;
    if (raw === null || typeof raw !== "object") throw new GuardrailArgumentError(component, where, "must be a { protocol, endpoint } object.");
    const sub = raw as Record<string, unknown>;
    if (sub.protocol !== "email" && sub.protocol !== "https") {
      throw new GuardrailArgumentError(component, `${where}.protocol`, `must be "email" or "https" (got ${JSON.stringify(sub.protocol)}).`);
    }
    const protocol = sub.protocol;
    let endpoint: pulumi.Input<string>;
    if (typeof sub.endpoint === "string") {
      endpoint = checkEndpoint(component, `${where}.endpoint`, protocol, sub.endpoint);
    } else if (pulumi.Output.isInstance(sub.endpoint) || sub.endpoint instanceof Promise) {
      endpoint = pulumi.output(sub.endpoint as pulumi.Input<string>).apply((e) => checkEndpoint(component, `${where}.endpoint`, protocol, e));
    } else {
      throw new GuardrailArgumentError(component, `${where}.endpoint`, `must be a string (got ${JSON.stringify(sub.endpoint)}).`);
    }
    if (sub.filterPolicy !== undefined && (sub.filterPolicy === null || typeof sub.filterPolicy !== "object" || Array.isArray(sub.filterPolicy))) {
      throw new GuardrailArgumentError(component, `${where}.filterPolicy`, "must be an SNS filter policy object.");
    }
    return { protocol, endpoint, filterPolicy: sub.filterPolicy as Record<string, unknown> | undefined };
  });
}

/**
 * The topic policy: the account manages the topic, the listed services may publish, and nothing is
 * published over plain HTTP.
 */
export function alertTopicPolicy(topicArn: string, accountId: string, partition: string, publishers: TopicPublisher[]): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "AccountManagesTopic",
      Effect: "Allow",
      Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
      Action: [
        "sns:GetTopicAttributes",
        "sns:SetTopicAttributes",
        "sns:AddPermission",
        "sns:RemovePermission",
        "sns:DeleteTopic",
        "sns:Subscribe",
        "sns:ListSubscriptionsByTopic",
        "sns:Publish",
      ],
      Resource: topicArn,
    },
  ];
  for (const p of publishers) {
    const statement: PolicyStatement = {
      Sid: `${p.service.replace(/[^A-Za-z0-9]/g, "")}Publishes`,
      Effect: "Allow",
      Principal: { Service: p.service },
      Action: ["sns:Publish"],
      Resource: topicArn,
    };
    if (p.condition) statement.Condition = p.condition(accountId);
    statements.push(statement);
  }
  statements.push({
    Sid: "DenyPublishingWithoutTls",
    Effect: "Deny",
    Principal: { AWS: "*" },
    Action: ["sns:Publish"],
    Resource: topicArn,
    Condition: { Bool: { "aws:SecureTransport": false } },
  });
  return { Version: "2012-10-17", Statement: statements };
}

export interface AlertTopic {
  key: aws.kms.Key;
  topic: aws.sns.Topic;
  topicPolicy: aws.sns.TopicPolicy;
  subscriptions: aws.sns.TopicSubscription[];
  /** The topic policy as data, for tests and reviews. */
  policyDocument: pulumi.Output<PolicyDocument>;
}

export function createAlertTopic(
  name: string,
  args: {
    displayName: string;
    tags: Record<string, string>;
    context: AwsContext;
    publishers: TopicPublisher[];
    subscriptions: AlertSubscription[];
  },
  opts: pulumi.CustomResourceOptions,
): AlertTopic {
  const key = createCustomerManagedKey(
    `${name}-key`,
    {
      description: `Encrypts the ${args.displayName} SNS topic`,
      tags: args.tags,
      context: args.context,
      services: args.publishers.map((p) => ({ service: p.service, actions: ["kms:GenerateDataKey*", "kms:Decrypt"] })),
    },
    opts,
  );
  const topic = new aws.sns.Topic(name, { displayName: args.displayName, kmsMasterKeyId: key.arn, tags: args.tags }, opts);
  const policyDocument = pulumi
    .all([topic.arn, args.context.accountId, args.context.partition])
    .apply(([arn, accountId, partition]) => alertTopicPolicy(arn, accountId, partition, args.publishers));
  const topicPolicy = new aws.sns.TopicPolicy(`${name}-policy`, { arn: topic.arn, policy: policyDocument.apply((d) => JSON.stringify(d)) }, opts);
  const subscriptions = args.subscriptions.map(
    (s, i) =>
      new aws.sns.TopicSubscription(
        `${name}-${s.protocol}-${i}`,
        {
          topic: topic.arn,
          protocol: s.protocol,
          endpoint: s.endpoint,
          filterPolicy: s.filterPolicy ? JSON.stringify(s.filterPolicy) : undefined,
        },
        opts,
      ),
  );
  return { key, topic, topicPolicy, subscriptions, policyDocument };
}
