// The floor for bench/: what any pack on @pulumi/policy costs before its policies do anything.
// One policy that is both a resource and a stack policy and does nothing. The per-resource and
// whole-stack benchmarks give it as many resource and stack policies as database-guardrails has
// (NOOP_PACK_RESOURCE_POLICIES, NOOP_PACK_STACK_POLICIES), because @pulumi/policy's server
// deserializes the properties again for every policy it runs: that work is the server's, not ours.
"use strict";
const { PolicyPack } = require("@pulumi/policy");

function policyCount(variable) {
  const text = process.env[variable];
  if (text === undefined || text === "") return 0;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 0 || count > 1000) {
    // Printed to stderr: stdout's first line must stay the port.
    throw new Error(`${variable} must be a whole number from 0 to 1000, got "${text}"`);
  }
  return count;
}

const doNothing = () => {};
const policies = [
  { name: "noop", description: "Does nothing.", enforcementLevel: "mandatory", validateResource: doNothing, validateStack: doNothing },
];
for (let i = 1; i <= policyCount("NOOP_PACK_RESOURCE_POLICIES"); i++) {
  policies.push({ name: `noop-resource-${i}`, description: "Does nothing.", enforcementLevel: "mandatory", validateResource: doNothing });
}
for (let i = 1; i <= policyCount("NOOP_PACK_STACK_POLICIES"); i++) {
  policies.push({ name: `noop-stack-${i}`, description: "Does nothing.", enforcementLevel: "mandatory", validateStack: doNothing });
}

new PolicyPack("noop", { description: "A pack whose policies do nothing (benchmark floor).", policies });
