/**
 * prod-db-event-alerts, called directly on stack views: the categories each source type needs,
 * subscriptions by id, by type and for all sources, disabled or elsewhere, and unknowns.
 */
import { UNKNOWN } from "../../guard/wire";
import type { Finding } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { prodDbEventAlerts } from "../../policies/rules/prod-db-event-alerts";
import { CLUSTER, EVENTS, PROD, RDS, type StackResourceSpec, TABLE, prodRds, stackView } from "../helpers/stack-view";

function check(resources: StackResourceSpec[], providers?: Record<string, Record<string, unknown>>): Finding[] {
  return prodDbEventAlerts.check(stackView({ resources, providers }), {}, DEFAULT_SETTINGS as SharedSettings);
}
const violations = (fs: Finding[]) => fs.filter((f) => !f.deferred);
const deferred = (fs: Finding[]) => fs.filter((f) => f.deferred);

function subscription(props: Record<string, unknown>, deps: Record<string, string[]> = {}, name = "alerts"): StackResourceSpec {
  return { type: EVENTS, name, props: { snsTopic: "arn:aws:sns:us-east-1:111111111111:alerts", ...props }, propertyDependencies: deps };
}
const cluster: StackResourceSpec = { type: CLUSTER, name: "ledger", props: { clusterIdentifier: "ledger", engine: "aurora-postgresql", tags: PROD } };

describe("prod-db-event-alerts", () => {
  it("passes an instance subscription with deletion and restoration, and a cluster subscription with deletion and creation", () => {
    expect(check([prodRds("orders"), subscription({ sourceType: "db-instance", sourceIds: ["orders"], eventCategories: ["deletion", "restoration", "failure"] })])).toEqual([]);
    expect(check([cluster, subscription({ sourceType: "db-cluster", sourceIds: ["ledger"], eventCategories: ["deletion", "creation"] })])).toEqual([]);
  });

  it("passes subscriptions for every source or every category, and categories split across subscriptions", () => {
    expect(check([prodRds("orders"), cluster, subscription({})])).toEqual([]);
    expect(check([prodRds("orders"), subscription({ sourceType: "db-instance" })])).toEqual([]);
    expect(check([prodRds("orders"), subscription({ sourceType: "db-instance", eventCategories: ["deletion"] }), subscription({ sourceType: "db-instance", sourceIds: ["ORDERS"], eventCategories: ["restoration"] }, {}, "restores")])).toEqual([]);
  });

  it("fails when a required category is missing, naming it and the source type", () => {
    const fs = check([prodRds("orders"), subscription({ sourceType: "db-instance", sourceIds: ["orders"], eventCategories: ["deletion", "failure"] })]);
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0].message).toContain('RDS instance "orders": no enabled RDS event subscription in its Region and account sends its "restoration" events (source type db-instance)');
    expect(fs[0].message).toContain('eventCategories: ["deletion", "restoration"]');
  });

  it("asks clusters for creation, not restoration (RDS has no restoration category for clusters)", () => {
    const fs = check([cluster, subscription({ sourceType: "db-cluster", eventCategories: ["deletion", "restoration"] })]);
    expect(violations(fs)).toHaveLength(1);
    expect(fs[0].message).toContain('"creation" events (source type db-cluster)');
    expect(fs[0].message).toContain("sourceIds: [ledger.clusterIdentifier]");
  });

  it("fails a disabled subscription, one of another source type or for other databases, and one in another Region", () => {
    expect(violations(check([prodRds("orders"), subscription({ enabled: false })]))).toHaveLength(1);
    expect(violations(check([prodRds("orders"), subscription({ sourceType: "db-cluster" })]))).toHaveLength(1);
    expect(violations(check([prodRds("orders"), subscription({ sourceType: "db-instance", sourceIds: ["users"] })]))).toHaveLength(1);
    const west = { west: { region: "us-west-2", allowedAccountIds: '["111111111111"]' } };
    expect(violations(check([prodRds("orders"), { ...subscription({}), provider: "west" }], west))).toHaveLength(1);
  });

  it("resolves unknown source ids through property dependencies, and defers the ones nothing explains", () => {
    expect(check([prodRds("orders"), subscription({ sourceType: "db-instance", sourceIds: [UNKNOWN.string] }, { sourceIds: ["orders"] })])).toEqual([]);
    expect(violations(check([prodRds("orders"), prodRds("users"), subscription({ sourceType: "db-instance", sourceIds: [UNKNOWN.string] }, { sourceIds: ["orders"] })])).map((f) => f.name)).toEqual(["users"]);
    const fs = check([prodRds("orders"), subscription({ sourceType: "db-instance", sourceIds: [UNKNOWN.string] })]);
    expect(violations(fs)).toEqual([]);
    expect(deferred(fs)[0].message).toContain('whether an RDS event subscription sends its "deletion" and "restoration" events');
    expect(deferred(check([prodRds("orders"), subscription({ enabled: UNKNOWN.bool })]))).toHaveLength(1);
    expect(deferred(check([prodRds("orders", { identifier: UNKNOWN.string }), subscription({ sourceIds: ["orders"] })]))).toHaveLength(1);
  });

  it("reads JSON strings and wrong types, and judges neither DynamoDB tables nor non-production databases", () => {
    expect(check([prodRds("orders"), subscription({ sourceType: "db-instance", sourceIds: '["orders"]', eventCategories: '["deletion","restoration"]' })])).toEqual([]);
    expect(violations(check([prodRds("orders"), subscription({ sourceType: 5, eventCategories: { deletion: true } })]))).toHaveLength(1);
    expect(check([{ type: TABLE, name: "carts", props: { name: "carts", tags: PROD } }, { type: RDS, name: "scratch", props: { identifier: "scratch", tags: {} } }])).toEqual([]);
  });
});


describe("prod-db-event-alerts: whole messages", () => {
  const sub = (name: string, props: Record<string, unknown>): StackResourceSpec => ({ type: EVENTS, name, props: { snsTopic: "arn:aws:sns:us-east-1:111111111111:alerts", ...props } });
  const judged = (resources: StackResourceSpec[]) => check(resources).map((f) => [f.deferred ?? false, f.message]);

  it("names both categories when no subscription sends them", () => {
    expect(judged([prodRds("orders")])).toEqual([[false, "RDS instance \"orders\": no enabled RDS event subscription in its Region and account sends its \"deletion\" and \"restoration\" events (source type db-instance). Why it matters: a deletion of the database, or a restore that replaces it, then goes unnoticed until users miss their data. Fix: add an aws.rds.EventSubscription with snsTopic: <alert topic>.arn, sourceType: \"db-instance\", sourceIds: [orders.identifier] (or no sourceIds for every db-instance) and eventCategories: [\"deletion\", \"restoration\"] (or none for all)."]]);
  });

  it("names only the category that is missing", () => {
    expect(judged([prodRds("orders"), sub("only-deletion", { sourceType: "db-instance", eventCategories: ["deletion"] })])).toEqual([[false, "RDS instance \"orders\": no enabled RDS event subscription in its Region and account sends its \"restoration\" events (source type db-instance). Why it matters: a deletion of the database, or a restore that replaces it, then goes unnoticed until users miss their data. Fix: add an aws.rds.EventSubscription with snsTopic: <alert topic>.arn, sourceType: \"db-instance\", sourceIds: [orders.identifier] (or no sourceIds for every db-instance) and eventCategories: [\"deletion\", \"restoration\"] (or none for all)."]]);
  });

  it("names the subscriptions that send nothing as written, three at most", () => {
    const resources = [cluster, sub("bad", { sourceType: "db-cluster", sourceIds: 42 }), sub("bad2", { sourceType: "db-cluster", sourceIds: true }), sub("bad3", { sourceIds: 1 }), sub("bad4", { sourceIds: 2 })];
    expect(judged(resources)).toEqual([[false, "Aurora/RDS cluster \"ledger\": no enabled RDS event subscription in its Region and account sends its \"deletion\" and \"creation\" events (source type db-cluster); these send nothing as written: RDS event subscription \"bad\": sourceIds is 42, not a list of ARNs; RDS event subscription \"bad2\": sourceIds is true, not a list of ARNs; RDS event subscription \"bad3\": sourceIds is 1, not a list of ARNs (and 1 more). Why it matters: a deletion of the database, or a restore that replaces it, then goes unnoticed until users miss their data. Fix: add an aws.rds.EventSubscription with snsTopic: <alert topic>.arn, sourceType: \"db-cluster\", sourceIds: [ledger.clusterIdentifier] (or no sourceIds for every db-cluster) and eventCategories: [\"deletion\", \"creation\"] (or none for all)."]]);
  });

  it("defers when a subscription's settings are unknown until deployment", () => {
    expect(judged([prodRds("orders"), sub("later", { sourceType: "db-instance", enabled: UNKNOWN.bool })])).toEqual([[true, "RDS instance \"orders\": whether an RDS event subscription sends its \"deletion\" and \"restoration\" events (a subscription's settings, Region or the database's identifier) is unknown until deployment; this check runs again with the real value at `pulumi up`."]]);
  });
});
