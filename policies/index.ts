/**
 * The `database-guardrails` CrossGuard policy pack. The Pulumi CLI starts it with this directory
 * as the working directory (`pulumi preview --policy-pack policies`); it runs the compiled
 * `bin/index.js` (see package.json `main`), so no TypeScript is compiled on each deployment.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, buildPolicies } from "./pack";

new PolicyPack(PACK_NAME, {
  description: "Guardrails for production databases on AWS: deletion protection, backups, recovery point objective, restore safety, account pinning.",
  displayName: "Database guardrails",
  provider: "aws",
  tags: ["aws", "rds", "aurora", "dynamodb", "backup", "iam"],
  policies: buildPolicies(),
});
