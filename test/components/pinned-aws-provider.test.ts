/** PinnedAwsProvider: the provider arguments, what is registered, and every refusal. */
import { installPulumiMocks, outputValue } from "../helpers/pulumi-mocks";

const env = installPulumiMocks();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { PinnedAwsProvider, pinnedAwsProviderArgs } = require("../../components/pinned-aws-provider") as typeof import("../../components/pinned-aws-provider");

const PRODUCTION = "111111111111";
const STAGING = "222222222222";

/** @pulumi/aws sends list and object provider settings as JSON strings. */
const parsed = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);

describe("pinnedAwsProviderArgs", () => {
  test("a production provider is pinned to its account and tags everything environment=production", () => {
    expect(pinnedAwsProviderArgs("production", { allowedAccountIds: [PRODUCTION], region: "us-east-1", defaultTags: { team: "payments" } })).toEqual({
      region: "us-east-1",
      allowedAccountIds: [PRODUCTION],
      defaultTags: { tags: { environment: "production", team: "payments" } },
    });
  });

  test("a non-production provider forbids the production accounts", () => {
    expect(pinnedAwsProviderArgs("staging", { allowedAccountIds: [STAGING], region: "us-east-1", environment: "staging", productionAccountIds: [PRODUCTION] })).toEqual({
      region: "us-east-1",
      allowedAccountIds: [STAGING],
      forbiddenAccountIds: [PRODUCTION],
      defaultTags: { tags: { environment: "staging" } },
    });
  });

  test("a staging provider pointed at the production account fails here, before anything is touched", () => {
    expect(() => pinnedAwsProviderArgs("staging", { allowedAccountIds: [PRODUCTION], region: "us-east-1", environment: "staging", productionAccountIds: [PRODUCTION] })).toThrow(
      /PinnedAwsProvider "staging": allowedAccountIds includes production account 111111111111, but environment is "staging"/,
    );
  });

  test("a non-production provider must be told the production accounts", () => {
    expect(() => pinnedAwsProviderArgs("staging", { allowedAccountIds: [STAGING], region: "us-east-1", environment: "staging" })).toThrow(/productionAccountIds must be a non-empty list/);
  });

  test("`prod` in any case is production and needs no forbidden list", () => {
    expect(pinnedAwsProviderArgs("p", { allowedAccountIds: [PRODUCTION], region: "eu-west-1", environment: "Prod" }).forbiddenAccountIds).toBeUndefined();
  });

  test("bad input is refused", () => {
    expect(() => pinnedAwsProviderArgs("p", { allowedAccountIds: [], region: "us-east-1" })).toThrow(/allowedAccountIds must be a non-empty list/);
    expect(() => pinnedAwsProviderArgs("p", { allowedAccountIds: ["12345"], region: "us-east-1" })).toThrow(/allowedAccountIds\[0\] = "12345" is invalid/);
    expect(() => pinnedAwsProviderArgs("p", { allowedAccountIds: [PRODUCTION], region: "" })).toThrow(/region = "" is invalid/);
    expect(() => pinnedAwsProviderArgs("p", { allowedAccountIds: [PRODUCTION], region: "us-east-1", assumeRoleArn: "deployer" })).toThrow(/assumeRoleArn = "deployer" is invalid/);
    expect(() => pinnedAwsProviderArgs("p", { allowedAccountIds: [PRODUCTION], region: "us-east-1", defaultTags: { environment: "staging" } })).toThrow(/contradicts environment "production"/);
  });

  test("each refusal names the component, the argument and the rule", () => {
    const refused = (args: unknown) => {
      try {
        pinnedAwsProviderArgs("p", args as never);
      } catch (e) {
        return (e as Error).message;
      }
      return "accepted";
    };
    for (const args of [null, "us-east-1", 7]) expect(refused(args)).toBe('PinnedAwsProvider "p": args must be an object.');
    expect(refused({ allowedAccountIds: ["12345"], region: "us-east-1" })).toBe('PinnedAwsProvider "p": allowedAccountIds[0] = "12345" is invalid: an AWS account id is 12 digits.');
    expect(refused({ allowedAccountIds: [PRODUCTION], region: "Mars" })).toBe('PinnedAwsProvider "p": region = "Mars" is invalid: expected an AWS region such as us-east-1.');
    expect(refused({ allowedAccountIds: [STAGING], region: "us-east-1", environment: "staging", productionAccountIds: ["x"] })).toBe(
      'PinnedAwsProvider "p": productionAccountIds[0] = "x" is invalid: an AWS account id is 12 digits.',
    );
    for (const profile of ["", "  ", 5]) {
      expect(refused({ allowedAccountIds: [PRODUCTION], region: "us-east-1", profile })).toBe('PinnedAwsProvider "p": profile must be a non-empty string when set.');
    }
    expect(refused({ allowedAccountIds: [PRODUCTION], region: "us-east-1", profile: "deploy" })).toBe("accepted");
  });

  test("an assumed role gets a valid session name", () => {
    const args = pinnedAwsProviderArgs("p", { allowedAccountIds: [PRODUCTION], region: "us-east-1", assumeRoleArn: `arn:aws:iam::${PRODUCTION}:role/deployer` });
    expect(args.assumeRoles).toEqual([{ roleArn: `arn:aws:iam::${PRODUCTION}:role/deployer`, sessionName: "db-guardrails-production" }]);
  });
});

describe("PinnedAwsProvider", () => {
  test("registers a pulumi:providers:aws resource with the pinning in its inputs", async () => {
    const provider = new PinnedAwsProvider("staging", { allowedAccountIds: [STAGING], region: "us-west-2", environment: "staging", productionAccountIds: [PRODUCTION] });
    await outputValue(provider.urn);
    await env.settle();
    const registered = env.one("pulumi:providers:aws", "staging");
    expect(registered.inputs.region).toBe("us-west-2");
    expect(parsed(registered.inputs.allowedAccountIds)).toEqual([STAGING]);
    expect(parsed(registered.inputs.forbiddenAccountIds)).toEqual([PRODUCTION]);
    expect(parsed(registered.inputs.defaultTags)).toEqual({ tags: { environment: "staging" } });
    expect(provider.environment).toBe("staging");
    expect(provider.forbiddenAccountIds).toEqual([PRODUCTION]);
  });
});
