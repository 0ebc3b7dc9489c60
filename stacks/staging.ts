/**
 * The staging stack: the same components and floors with staging settings, in its own account.
 * Its providers forbid the production accounts (`aws:forbiddenAccountIds`), so run with production
 * credentials it stops at the provider before touching anything.
 */
import { type GuardedDatabaseStack, guardedDatabaseStack } from "./guarded-databases";
import { readStackSettings } from "./stack-config";

export function stagingProgram(): GuardedDatabaseStack {
  return guardedDatabaseStack(readStackSettings("staging"));
}
