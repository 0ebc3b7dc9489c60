/** The db-guardrails components, for team stacks: `import { GuardedDatabase } from "db-guardrails/components"`. */
export * from "./alert-topic";
export * from "./aws-context";
export * from "./customer-managed-key";
export * from "./database-alerts";
export * from "./floors";
export * from "./guarded-database";
export * from "./pinned-aws-provider";
export * from "./production-database";
export * from "./production-table";
export * from "./restore-role";
export * from "./snapshot-schedule";
export * from "./tags";
