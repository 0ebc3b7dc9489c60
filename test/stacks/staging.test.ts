/**
 * The staging reference stack, run through stacks/index.ts under Pulumi mocks with the sample config
 * of Pulumi.staging.yaml: same components and floors, its own account, and no way to production.
 */
import { acceptsTags, installPulumiMocks, outputValue, stackConfigFromFile } from "../helpers/pulumi-mocks";

const config = stackConfigFromFile("staging");
const env = installPulumiMocks({ stack: "staging", config, accountId: "222222222222" });
/* eslint-disable @typescript-eslint/no-require-imports */
const outputs = require("../../stacks/index") as Record<string, Record<string, unknown>>;
const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
const { programForStack } = require("../../stacks/programs") as typeof import("../../stacks/programs");
const { stagingProgram } = require("../../stacks/staging") as typeof import("../../stacks/staging");
/* eslint-enable @typescript-eslint/no-require-imports */

beforeAll(async () => {
  await outputValue(outputs.orders.databaseArn as never);
  await env.settle();
});

describe("staging stack", () => {
  test("the sample config pins staging to its own account and forbids production", () => {
    expect(JSON.parse(config["aws:allowedAccountIds"])).toEqual(["222222222222"]);
    expect(JSON.parse(config["aws:forbiddenAccountIds"])).toEqual(["111111111111"]);
  });

  test("its providers allow only the staging account and forbid the production account", () => {
    const providers = env.byType("pulumi:providers:aws");
    expect(providers.map((p) => p.name).sort()).toEqual(["staging", "staging-copy-region"]);
    for (const p of providers) {
      expect(JSON.parse(p.inputs.allowedAccountIds)).toEqual(["222222222222"]);
      expect(JSON.parse(p.inputs.forbiddenAccountIds)).toEqual(["111111111111"]);
      expect(JSON.parse(p.inputs.defaultTags)).toEqual({ tags: { environment: "staging" } });
    }
    const providerUrns = providers.map((p) => p.urn);
    for (const r of env.resources.filter((x) => x.custom && x.type.startsWith("aws:"))) {
      expect([r.type, r.name, providerUrns.some((u) => r.provider.startsWith(`${u}::`))]).toEqual([r.type, r.name, true]);
    }
  });

  test("uses the same components with staging settings, and the same floors", () => {
    expect(env.byType("db-guardrails:index:GuardedDatabase").map((r) => r.name).sort()).toEqual(["orders", "sessions"]);
    const orders = env.one("aws:rds/instance:Instance", "orders");
    expect(orders.inputs).toMatchObject({ instanceClass: "db.t4g.medium", deletionProtection: true, skipFinalSnapshot: false, backupRetentionPeriod: 14, multiAz: true });
    expect(orders.protect).toBe(true);
    for (const r of env.resources.filter((x) => x.custom && x.type.startsWith("aws:") && acceptsTags(x.type))) {
      expect([r.type, r.name, r.inputs.tags?.environment]).toEqual([r.type, r.name, "staging"]);
    }
    expect(JSON.parse(env.one("aws:iam/role:Role", "orders-restore").inputs.assumeRolePolicy).Statement[0].Principal).toEqual({ AWS: ["arn:aws:iam::222222222222:role/oncall-database"] });
    // No webhook in the staging sample: email only.
    expect(env.byType("aws:sns/topicSubscription:TopicSubscription").every((s) => s.inputs.protocol === "email")).toBe(true);
  });

  test("exports the same outputs as production", async () => {
    expect(await outputValue(outputs.orders.databaseArn as never)).toBe("arn:aws:rds:us-east-1:222222222222:db:orders");
    expect(outputs.orders.worstCaseRpoMinutes).toBe(5);
    expect(outputs.sessions.worstCaseRpoMinutes).toBe(5);
  });
});

describe("stack selection and misconfiguration", () => {
  test("an unknown stack name throws rather than deploying a guess", () => {
    expect(() => programForStack("dev")).toThrow(/No reference program for stack "dev": this project runs the stacks "production" and "staging"/);
  });

  test("staging pointed at the production account fails before any resource is registered", async () => {
    const before = env.resources.length;
    pulumi.runtime.setAllConfig({ ...config, "aws:allowedAccountIds": JSON.stringify(["111111111111"]) });
    try {
      expect(() => stagingProgram()).toThrow(/PinnedAwsProvider "staging": allowedAccountIds includes production account 111111111111, but environment is "staging"/);
    } finally {
      pulumi.runtime.setAllConfig(config);
    }
    await env.settle();
    expect(env.resources.length).toBe(before);
  });

  test("staging without the production accounts to forbid is refused", () => {
    const withoutForbidden = { ...config };
    delete withoutForbidden["aws:forbiddenAccountIds"];
    pulumi.runtime.setAllConfig(withoutForbidden);
    try {
      expect(() => stagingProgram()).toThrow(/aws:forbiddenAccountIds/);
    } finally {
      pulumi.runtime.setAllConfig(config);
    }
  });

  test("a malformed list in the config is refused with the key's name", () => {
    pulumi.runtime.setAllConfig({ ...config, "db-guardrails:restorePrincipalArns": JSON.stringify("arn:aws:iam::222222222222:role/oncall") });
    try {
      expect(() => stagingProgram()).toThrow(/db-guardrails:restorePrincipalArns must be a non-empty list of strings/);
    } finally {
      pulumi.runtime.setAllConfig(config);
    }
  });
});
