/**
 * The databases both reference stacks run: PostgreSQL `orders` and DynamoDB `sessions`, each a
 * GuardedDatabase, on providers pinned to the stack's accounts. Production and staging differ only
 * in their settings (environment, accounts, sizes, people), which come from stack config.
 */
import * as pulumi from "@pulumi/pulumi";
import { GuardedDatabase } from "../components/guarded-database";
import { PinnedAwsProvider } from "../components/pinned-aws-provider";
import type { StackSettings } from "./stack-config";

export interface GuardedDatabaseStack {
  provider: PinnedAwsProvider;
  copyRegionProvider: PinnedAwsProvider;
  orders: GuardedDatabase;
  sessions: GuardedDatabase;
  /** Stack outputs: endpoint, ARNs, role ARN, topic ARNs and worst-case RPO of each database. */
  outputs: Record<string, Record<string, pulumi.Input<unknown>>>;
}

export function guardedDatabaseStack(s: StackSettings): GuardedDatabaseStack {
  const pinning = { allowedAccountIds: s.accountIds, environment: s.environment, productionAccountIds: s.productionAccountIds };
  const provider = new PinnedAwsProvider(s.environment, { ...pinning, region: s.region });
  const copyRegionProvider = new PinnedAwsProvider(`${s.environment}-copy-region`, { ...pinning, region: s.copyRegion });
  const opts: pulumi.ComponentResourceOptions = { providers: [provider] };
  const shared = {
    environment: s.environment,
    copyRegionProvider,
    restorePrincipalArns: s.restorePrincipalArns,
    breakGlassPrincipalArns: s.breakGlassPrincipalArns,
    alertSubscriptions: s.alertSubscriptions,
  };
  const orders = new GuardedDatabase(
    "orders",
    {
      ...shared,
      database: {
        engine: "postgres",
        engineVersion: s.ordersEngineVersion,
        instanceClass: s.ordersInstanceClass,
        dbName: "orders",
        dbSubnetGroupName: s.dbSubnetGroupName,
        vpcSecurityGroupIds: s.vpcSecurityGroupIds,
      },
    },
    opts,
  );
  const sessions = new GuardedDatabase(
    "sessions",
    {
      ...shared,
      table: { hashKey: "sessionId", attributes: [{ name: "sessionId", type: "S" }], ttl: { attributeName: "expiresAt", enabled: true } },
    },
    opts,
  );
  return { provider, copyRegionProvider, orders, sessions, outputs: { orders: orders.exports(), sessions: sessions.exports() } };
}
