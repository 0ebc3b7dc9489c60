/**
 * aws-provider-account-pinned: every AWS provider, explicit or the default one built from the
 * stack's `aws:*` config, has a non-empty `allowedAccountIds`, so credentials for the wrong account
 * fail at the provider before anything is touched. In a non-production stack the allowed ids must
 * not include any configured `productionAccountIds`. Judges every stack, production or not.
 */
import { describeValue, readStringList } from "../lib/properties";
import type { Finding, ResourceRule } from "../lib/rule";
import { deferredFinding, violationMessage } from "../lib/rule";
import { AWS_PROVIDER } from "../lib/tokens";

function isDefaultProvider(name: string): boolean {
  return name.startsWith("default");
}

export const awsProviderAccountPinned: ResourceRule = {
  id: "aws-provider-account-pinned",
  description: "Every AWS provider is pinned to its accounts, and non-production stacks cannot reach production accounts.",
  enforcementLevel: "mandatory",
  severity: "critical",
  waivable: true,
  tags: ["aws", "provider", "account"],
  remediationSteps: "Set allowedAccountIds on the provider (or aws:allowedAccountIds in the stack config for the default provider); keep production account ids out of non-production stacks.",
  appliesTo: [AWS_PROVIDER],
  productionOnly: false,
  check(provider, _config, settings) {
    const fixFor = (ids: string) =>
      isDefaultProvider(provider.name)
        ? `set aws:allowedAccountIds in the stack config (pulumi config set --path 'aws:allowedAccountIds[0]' ${ids}), or pass an explicit provider with allowedAccountIds.`
        : `set allowedAccountIds: ["${ids}"] on this provider.`;
    const why = "an unpinned provider deploys to whatever account the shell's credentials point at: the way a staging change lands on production.";
    const allowed = readStringList(provider.props, "allowedAccountIds");
    switch (allowed.state) {
      case "unknown":
        return [deferredFinding(provider, "allowedAccountIds")];
      case "absent":
        return [{ message: violationMessage({ resource: provider, problem: "allowedAccountIds is not set", why, fix: fixFor("<account id>") }) }];
      case "invalid":
        return [{ message: violationMessage({ resource: provider, problem: `allowedAccountIds is ${describeValue(allowed.raw)}, not a list of account ids`, why, fix: fixFor("<account id>") }) }];
    }
    const ids = allowed.value.map((id) => id.trim()).filter((id) => id !== "");
    if (ids.length === 0) {
      return [{ message: violationMessage({ resource: provider, problem: "allowedAccountIds is empty", why, fix: fixFor("<account id>") }) }];
    }
    const findings: Finding[] = [];
    const malformed = ids.filter((id) => !/^\d{12}$/.test(id));
    if (malformed.length > 0) {
      findings.push({
        message: violationMessage({
          resource: provider,
          problem: `allowedAccountIds holds ${malformed.map((m) => `"${m}"`).join(", ")}, which is not a 12-digit AWS account id`,
          why: "the provider would then refuse every account, or the pin was meant for another account than it names.",
          fix: "list the 12-digit account ids of the accounts this stack deploys to.",
        }),
      });
    }
    if (settings.productionAccountIds.length > 0) {
      if (provider.production.production === "unknown") {
        findings.push(deferredFinding(provider, `whether this provider is for production (${provider.production.reason})`));
      } else if (provider.production.production === false) {
        const reached = ids.filter((id) => settings.productionAccountIds.includes(id));
        if (reached.length > 0) {
          findings.push({
            message: violationMessage({
              resource: provider,
              problem: `this non-production stack's provider allows the production account ${reached.join(", ")}`,
              why: "a staging or test deployment could then create, change or delete production resources.",
              fix: `remove ${reached.join(", ")} from allowedAccountIds and add it to forbiddenAccountIds.`,
            }),
          });
        }
      }
    }
    return findings;
  },
};
