/**
 * DatabaseAlerts: an encrypted SNS topic, RDS event subscriptions on the production instances and
 * clusters (deletion, restoration, configuration change, failure, failover, low storage at least),
 * optionally an EventBridge rule for DynamoDB control-plane calls, and the caller's subscriptions
 * (email, or an https endpoint such as a chat webhook).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AlertSubscription, type AlertTopic, type TopicPublisher, createAlertTopic, validateSubscriptions } from "./alert-topic";
import { awsContextFor } from "./aws-context";
import { GuardrailArgumentError, componentLabel, requireIncludes } from "./floors";
import { guardrailTags, resolveEnvironment } from "./tags";

export const DATABASE_ALERTS_TYPE = "db-guardrails:index:DatabaseAlerts";

/** RDS event categories for DB instances, as AWS lists them ("Amazon RDS event categories and event messages"). */
export const RDS_INSTANCE_EVENT_CATEGORIES: readonly string[] = [
  "availability",
  "backup",
  "configuration change",
  "creation",
  "deletion",
  "failover",
  "failure",
  "low storage",
  "maintenance",
  "notification",
  "read replica",
  "recovery",
  "restoration",
  "security",
  "security patching",
];
/** What a production instance must always alert on. */
export const REQUIRED_INSTANCE_EVENT_CATEGORIES: readonly string[] = ["deletion", "restoration", "configuration change", "failure", "failover", "low storage"];
export const DEFAULT_INSTANCE_EVENT_CATEGORIES: readonly string[] = [...REQUIRED_INSTANCE_EVENT_CATEGORIES, "availability", "recovery", "maintenance", "notification"];

/** RDS event categories for DB clusters. Clusters have no restoration or low storage category: those come from their instances. */
export const RDS_CLUSTER_EVENT_CATEGORIES: readonly string[] = [
  "configuration change",
  "creation",
  "deletion",
  "failover",
  "failure",
  "global-failover",
  "maintenance",
  "migration",
  "notification",
  "serverless",
];
/** `creation` is how a cluster restore shows: RDS has no restoration category for clusters, and every restore creates one. */
export const REQUIRED_CLUSTER_EVENT_CATEGORIES: readonly string[] = ["deletion", "creation", "configuration change", "failure", "failover"];
export const DEFAULT_CLUSTER_EVENT_CATEGORIES: readonly string[] = [...REQUIRED_CLUSTER_EVENT_CATEGORIES, "maintenance", "notification", "global-failover"];

/** DynamoDB calls that lose, rewind, restore or expose table data, as CloudTrail names them. */
export const DYNAMODB_ALERT_EVENT_NAMES: readonly string[] = [
  "DeleteTable",
  "UpdateTable",
  "UpdateContinuousBackups",
  "UpdateTimeToLive",
  "RestoreTableToPointInTime",
  "RestoreTableFromBackup",
  "DeleteBackup",
  "PutResourcePolicy",
  "DeleteResourcePolicy",
];

export interface DatabaseAlertsArgs {
  /** RDS DB instance identifiers (including Aurora cluster instances). Default none. */
  instanceIdentifiers?: pulumi.Input<string>[];
  /** Aurora DB cluster identifiers. Default none. */
  clusterIdentifiers?: pulumi.Input<string>[];
  /**
   * Alert on DynamoDB control-plane calls (DYNAMODB_ALERT_EVENT_NAMES) in this account and region,
   * through EventBridge. Needs a CloudTrail trail recording management events. Default false.
   */
  watchDynamoDbControlPlane?: boolean;
  /** Who hears about it. Required, at least one: an alert nobody receives is no alert. */
  subscriptions: AlertSubscription[];
  /** Instance event categories. Default DEFAULT_INSTANCE_EVENT_CATEGORIES; must include REQUIRED_INSTANCE_EVENT_CATEGORIES. */
  instanceEventCategories?: string[];
  /** Cluster event categories. Default DEFAULT_CLUSTER_EVENT_CATEGORIES; must include REQUIRED_CLUSTER_EVENT_CATEGORIES. */
  clusterEventCategories?: string[];
  /** Environment tag written on every child. Default `"production"`. */
  environment?: string;
  /** Extra tags on every child. `environment` cannot be overridden here. */
  tags?: Record<string, string>;
}

/** The CloudWatch Events (EventBridge) pattern for DynamoDB control-plane calls. */
export function dynamoDbAlertEventPattern(): Record<string, unknown> {
  return {
    source: ["aws.dynamodb"],
    "detail-type": ["AWS API Call via CloudTrail"],
    detail: { eventSource: ["dynamodb.amazonaws.com"], eventName: [...DYNAMODB_ALERT_EVENT_NAMES] },
  };
}

const sameAccount = (accountId: string) => ({ StringEquals: { "aws:SourceAccount": accountId } });

export interface AlertSettings {
  instances: pulumi.Input<string>[];
  clusters: pulumi.Input<string>[];
  watchDynamoDb: boolean;
  subscriptions: AlertSubscription[];
  instanceEventCategories: string[];
  clusterEventCategories: string[];
  environment: string;
  tags: Record<string, string>;
}

/** DatabaseAlerts' checked settings. Pure; throws on the first violation. */
export function resolveAlertSettings(name: string, args: DatabaseAlertsArgs): AlertSettings {
  const component = componentLabel("DatabaseAlerts", name);
  if (args === null || typeof args !== "object") throw new GuardrailArgumentError(component, "args", "must be an object.");
  const instances = args.instanceIdentifiers ?? [];
  const clusters = args.clusterIdentifiers ?? [];
  if (!Array.isArray(instances) || !Array.isArray(clusters)) {
    throw new GuardrailArgumentError(component, "instanceIdentifiers", "and clusterIdentifiers must be lists.");
  }
  const watchDynamoDb = args.watchDynamoDbControlPlane === true;
  if (instances.length === 0 && clusters.length === 0 && !watchDynamoDb) {
    throw new GuardrailArgumentError(component, "args", "watch nothing: give instanceIdentifiers, clusterIdentifiers or watchDynamoDbControlPlane.");
  }
  const subscriptions = validateSubscriptions(component, "subscriptions", args.subscriptions);
  if (subscriptions.length === 0) {
    throw new GuardrailArgumentError(component, "subscriptions", "must list at least one email or https endpoint: an alert nobody receives is no alert.");
  }
  const instanceEventCategories = requireIncludes(component, "instanceEventCategories", args.instanceEventCategories, {
    defaults: DEFAULT_INSTANCE_EVENT_CATEGORIES,
    required: REQUIRED_INSTANCE_EVENT_CATEGORIES,
    allowed: RDS_INSTANCE_EVENT_CATEGORIES,
    why: "These are the events that mean a production database is being lost, overwritten or is failing.",
    allowedWhy: "RDS accepts only its documented DB instance event categories.",
  });
  const clusterEventCategories = requireIncludes(component, "clusterEventCategories", args.clusterEventCategories, {
    defaults: DEFAULT_CLUSTER_EVENT_CATEGORIES,
    required: REQUIRED_CLUSTER_EVENT_CATEGORIES,
    allowed: RDS_CLUSTER_EVENT_CATEGORIES,
    why: "These are the events that mean a production cluster is being lost, reconfigured or is failing.",
    allowedWhy: "RDS accepts only its documented DB cluster event categories.",
  });
  const environment = resolveEnvironment(component, args.environment);
  const tags = guardrailTags(component, environment, args.tags);
  return { instances, clusters, watchDynamoDb, subscriptions, instanceEventCategories, clusterEventCategories, environment, tags };
}

export class DatabaseAlerts extends pulumi.ComponentResource {
  readonly alertTopic: AlertTopic;
  readonly topicArn: pulumi.Output<string>;
  readonly instanceSubscription?: aws.rds.EventSubscription;
  readonly clusterSubscription?: aws.rds.EventSubscription;
  readonly dynamoDbRule?: aws.cloudwatch.EventRule;
  readonly dynamoDbTarget?: aws.cloudwatch.EventTarget;
  readonly instanceEventCategories: readonly string[];
  readonly clusterEventCategories: readonly string[];

  constructor(name: string, args: DatabaseAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    const { instances, clusters, watchDynamoDb, subscriptions, instanceEventCategories, clusterEventCategories, tags } = resolveAlertSettings(name, args);
    super(DATABASE_ALERTS_TYPE, name, {}, opts);
    this.instanceEventCategories = instanceEventCategories;
    this.clusterEventCategories = clusterEventCategories;

    const child: pulumi.CustomResourceOptions = { parent: this };
    const publishers: TopicPublisher[] = [{ service: "events.rds.amazonaws.com", condition: sameAccount }];
    if (watchDynamoDb) publishers.push({ service: "events.amazonaws.com", condition: sameAccount });
    this.alertTopic = createAlertTopic(
      `${name}-topic`,
      { displayName: `Database alerts (${name})`, tags, context: awsContextFor(this), publishers, subscriptions },
      child,
    );
    this.topicArn = this.alertTopic.topic.arn;
    const afterPolicy: pulumi.CustomResourceOptions = { ...child, dependsOn: [this.alertTopic.topicPolicy] };

    if (instances.length > 0) {
      this.instanceSubscription = new aws.rds.EventSubscription(
        `${name}-instances`,
        { snsTopic: this.topicArn, sourceType: "db-instance", sourceIds: instances, eventCategories: instanceEventCategories, enabled: true, tags },
        afterPolicy,
      );
    }
    if (clusters.length > 0) {
      this.clusterSubscription = new aws.rds.EventSubscription(
        `${name}-clusters`,
        { snsTopic: this.topicArn, sourceType: "db-cluster", sourceIds: clusters, eventCategories: clusterEventCategories, enabled: true, tags },
        afterPolicy,
      );
    }
    if (watchDynamoDb) {
      this.dynamoDbRule = new aws.cloudwatch.EventRule(
        `${name}-dynamodb`,
        { description: "DynamoDB calls that delete, rewind or restore table data", eventPattern: JSON.stringify(dynamoDbAlertEventPattern()), tags },
        child,
      );
      this.dynamoDbTarget = new aws.cloudwatch.EventTarget(`${name}-dynamodb`, { rule: this.dynamoDbRule.name, arn: this.topicArn }, afterPolicy);
    }
    this.registerOutputs({ topicArn: this.topicArn });
  }
}
