/** The production stack: `orders` (PostgreSQL) and `sessions` (DynamoDB) with every guardrail, in the production account. */
import { type GuardedDatabaseStack, guardedDatabaseStack } from "./guarded-databases";
import { readStackSettings } from "./stack-config";

export function productionProgram(): GuardedDatabaseStack {
  return guardedDatabaseStack(readStackSettings("production"));
}
