/** DatabaseAlerts under Pulumi mocks: topic, key, policies, event subscriptions, subscriptions, floors. */
import { installPulumiMocks, outputValue } from "../helpers/pulumi-mocks";

const env = installPulumiMocks();
/* eslint-disable @typescript-eslint/no-require-imports */
const alerts = require("../../components/database-alerts") as typeof import("../../components/database-alerts");
const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
/* eslint-enable @typescript-eslint/no-require-imports */
const { DatabaseAlerts } = alerts;

const subscriptions = [
  { protocol: "email" as const, endpoint: "oncall@example.com" },
  { protocol: "https" as const, endpoint: "https://chat.example.com/hooks/T000/B000" },
];

beforeEach(() => env.reset());

async function create(name: string, args: Partial<import("../../components/database-alerts").DatabaseAlertsArgs>) {
  const component = new DatabaseAlerts(name, { subscriptions, ...args });
  await outputValue(component.urn);
  await env.settle();
  return component;
}

describe("DatabaseAlerts", () => {
  test("an encrypted topic that RDS may publish to, with instance events for deletion, restoration, configuration change, failure, failover and low storage", async () => {
    const component = await create("orders-alerts", { instanceIdentifiers: ["orders"], tags: { team: "payments" } });
    const topic = env.one("aws:sns/topic:Topic", "orders-alerts-topic");
    const key = env.one("aws:kms/key:Key", "orders-alerts-topic-key");
    expect(topic.inputs.kmsMasterKeyId).toBe(key.state.arn);
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(JSON.parse(key.inputs.policy).Statement[1]).toEqual({
      Sid: "eventsrdsamazonawscomUsesKey",
      Effect: "Allow",
      Principal: { Service: "events.rds.amazonaws.com" },
      Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
      Resource: "*",
    });
    const policy = JSON.parse(env.one("aws:sns/topicPolicy:TopicPolicy", "orders-alerts-topic-policy").inputs.policy);
    expect(policy.Statement[1]).toEqual({
      Sid: "eventsrdsamazonawscomPublishes",
      Effect: "Allow",
      Principal: { Service: "events.rds.amazonaws.com" },
      Action: ["sns:Publish"],
      Resource: topic.state.arn,
      Condition: { StringEquals: { "aws:SourceAccount": env.accountId } },
    });
    expect(policy.Statement[2]).toMatchObject({ Sid: "DenyPublishingWithoutTls", Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": false } } });

    const subscription = env.one("aws:rds/eventSubscription:EventSubscription", "orders-alerts-instances");
    expect(subscription.inputs).toMatchObject({ snsTopic: topic.state.arn, sourceType: "db-instance", sourceIds: ["orders"], enabled: true, tags: { environment: "production", team: "payments" } });
    expect(subscription.inputs.eventCategories).toEqual(expect.arrayContaining(["deletion", "restoration", "configuration change", "failure", "failover", "low storage"]));
    // Subscribing only after the topic policy exists, or RDS cannot publish the first events.
    expect(subscription.dependencies).toContain(env.one("aws:sns/topicPolicy:TopicPolicy", "orders-alerts-topic-policy").urn);
    expect(await outputValue(component.topicArn)).toBe(topic.state.arn);
  });

  test("the caller's email and chat webhook subscriptions", async () => {
    await create("orders-alerts", { instanceIdentifiers: ["orders"] });
    expect(env.one("aws:sns/topicSubscription:TopicSubscription", "orders-alerts-topic-email-0").inputs).toMatchObject({ protocol: "email", endpoint: "oncall@example.com" });
    expect(env.one("aws:sns/topicSubscription:TopicSubscription", "orders-alerts-topic-https-1").inputs).toMatchObject({ protocol: "https", endpoint: "https://chat.example.com/hooks/T000/B000" });
  });

  test("a secret webhook URL is accepted as an Output and reaches the engine still marked secret", async () => {
    await create("secret-alerts", { instanceIdentifiers: ["orders"], subscriptions: [{ protocol: "https", endpoint: pulumi.secret("https://chat.example.com/hooks/secret") }] });
    const subscription = env.one("aws:sns/topicSubscription:TopicSubscription", "secret-alerts-topic-https-0");
    // The SDK's wire form of a secret: the signature key and the value.
    expect(subscription.inputs.endpoint).toEqual({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "https://chat.example.com/hooks/secret" });
  });

  test("Aurora: cluster events on the cluster, instance events (low storage) on its instances", async () => {
    await create("billing-alerts", { clusterIdentifiers: ["billing"], instanceIdentifiers: ["billing-1", "billing-2"] });
    const clusters = env.one("aws:rds/eventSubscription:EventSubscription", "billing-alerts-clusters");
    expect(clusters.inputs).toMatchObject({ sourceType: "db-cluster", sourceIds: ["billing"] });
    expect(clusters.inputs.eventCategories).toEqual(expect.arrayContaining(["deletion", "creation", "configuration change", "failure", "failover"]));
    expect(clusters.inputs.eventCategories).not.toContain("low storage");
    expect(env.one("aws:rds/eventSubscription:EventSubscription", "billing-alerts-instances").inputs.sourceIds).toEqual(["billing-1", "billing-2"]);
  });

  test("DynamoDB: an EventBridge rule for destructive table calls, and EventBridge may publish", async () => {
    await create("sessions-alerts", { watchDynamoDbControlPlane: true });
    const rule = env.one("aws:cloudwatch/eventRule:EventRule", "sessions-alerts-dynamodb");
    expect(JSON.parse(rule.inputs.eventPattern)).toEqual({
      source: ["aws.dynamodb"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: { eventSource: ["dynamodb.amazonaws.com"], eventName: expect.arrayContaining(["DeleteTable", "UpdateTable", "UpdateContinuousBackups", "RestoreTableToPointInTime"]) },
    });
    const topic = env.one("aws:sns/topic:Topic", "sessions-alerts-topic");
    expect(env.one("aws:cloudwatch/eventTarget:EventTarget", "sessions-alerts-dynamodb").inputs).toMatchObject({ rule: rule.state.name, arn: topic.state.arn });
    const policy = JSON.parse(env.one("aws:sns/topicPolicy:TopicPolicy", "sessions-alerts-topic-policy").inputs.policy);
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["AccountManagesTopic", "eventsrdsamazonawscomPublishes", "eventsamazonawscomPublishes", "DenyPublishingWithoutTls"]);
    expect(env.byType("aws:rds/eventSubscription:EventSubscription")).toHaveLength(0);
  });

  test("every child is parented to the component; every taggable child carries the environment", async () => {
    await create("orders-alerts", { instanceIdentifiers: ["orders"], environment: "staging" });
    const self = env.one("db-guardrails:index:DatabaseAlerts", "orders-alerts");
    const children = env.descendantsOf(self.urn);
    expect(children.length).toBeGreaterThanOrEqual(6);
    for (const child of children) {
      expect(child.parent).toBe(self.urn);
      if ("tags" in child.inputs) expect(child.inputs.tags).toEqual({ environment: "staging" });
    }
  });
});

describe("DatabaseAlerts floors and bad input", () => {
  test("dropping a required event category throws, naming it", () => {
    expect(() => new DatabaseAlerts("a", { subscriptions, instanceIdentifiers: ["orders"], instanceEventCategories: ["deletion", "failure"] })).toThrow(
      /DatabaseAlerts "a": instanceEventCategories = .* the floor is a list that includes .*missing "restoration", "configuration change", "failover", "low storage"/,
    );
    expect(() => new DatabaseAlerts("b", { subscriptions, clusterIdentifiers: ["billing"], clusterEventCategories: ["deletion"] })).toThrow(/clusterEventCategories = .*missing "creation", "configuration change", "failure", "failover"/);
    expect(() => new DatabaseAlerts("c", { subscriptions, instanceIdentifiers: ["orders"], instanceEventCategories: [...alerts.REQUIRED_INSTANCE_EVENT_CATEGORIES, "lunch"] })).toThrow(/not "lunch"/);
  });
  test("an alert nobody receives, or on nothing, is refused", () => {
    expect(() => new DatabaseAlerts("d", { subscriptions: [], instanceIdentifiers: ["orders"] })).toThrow(/subscriptions must list at least one/);
    expect(() => new DatabaseAlerts("e", { subscriptions })).toThrow(/watch nothing/);
    expect(() => new DatabaseAlerts("f", { subscriptions: [{ protocol: "email", endpoint: "not-an-address" }], instanceIdentifiers: ["orders"] })).toThrow(/is not an email address/);
    expect(() => new DatabaseAlerts("g", { subscriptions: [{ protocol: "https", endpoint: "http://chat.example.com/x" }], instanceIdentifiers: ["orders"] })).toThrow(/is not an https:\/\/ URL/);
  });
});
