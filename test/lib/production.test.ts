import { UNKNOWN } from "../../guard/wire";
import { classifyProduction, matchesPattern, providerDefaultTags } from "../../policies/lib/production";
import { parseSettings } from "../../policies/lib/settings";

const settings = parseSettings({});
const classify = (props: Record<string, unknown>, stackName = "dev", providerProps?: Record<string, unknown>, stackTags?: Map<string, string>) =>
  classifyProduction({ props, stackName, providerProps, stackTags }, settings).production;

describe("what counts as production", () => {
  it.each([
    ["environment", "production"],
    ["Environment", "Production"],
    ["ENV", "PROD"],
    ["env", " prod "],
  ])("tag %s=%s is production (keys and values case-insensitive)", (k, v) => {
    expect(classify({ tags: { [k]: v } })).toBe(true);
  });
  it.each([
    [{ environment: "staging" }],
    [{ environment: "production-like" }],
    [{ stage: "production" }],
    [{}],
  ])("tags %j are not production", (tags) => {
    expect(classify({ tags })).toBe(false);
  });
  it("a resource without tags is not production in a non-production stack", () => {
    expect(classify({})).toBe(false);
  });
  it.each(["prod", "prod-eu", "production", "production-2", "PROD"])("stack %s is production", (stack) => {
    expect(classify({}, stack)).toBe(true);
  });
  it.each(["staging", "preprod", "product", "dev-prod"])("stack %s is not", (stack) => {
    expect(classify({}, stack)).toBe(false);
  });
  it("the provider's defaultTags count, in the JSON-string wire form, and resource tags override them", () => {
    const provider = { defaultTags: JSON.stringify({ tags: { environment: "production" } }) };
    expect(classify({}, "dev", provider)).toBe(true);
    expect(classify({ tags: { environment: "staging" } }, "dev", provider)).toBe(false);
    expect(classify({}, "dev", { defaultTags: { tags: { env: "prod" } } })).toBe(true);
  });
  it("stack tags count", () => {
    expect(classify({}, "dev", undefined, new Map([["environment", "production"]]))).toBe(true);
  });
  it("unknown tags make the verdict unknown, unless the stack name decides", () => {
    expect(classify({ tags: UNKNOWN.object })).toBe("unknown");
    expect(classify({ tags: { environment: UNKNOWN.string } })).toBe("unknown");
    expect(classify({ tags: UNKNOWN.object }, "production")).toBe(true);
    expect(classify({}, "dev", { defaultTags: UNKNOWN.object })).toBe("unknown");
  });
  it("a known production tag wins over another unknown tag", () => {
    expect(classify({ tags: { env: UNKNOWN.string, environment: "prod" } })).toBe(true);
  });
  it("wrong types never throw and never count as production", () => {
    expect(classify({ tags: "not json" })).toBe(false);
    expect(classify({ tags: ["environment", "production"] })).toBe(false);
    expect(classify({ tags: { environment: 42 } })).toBe(false);
    expect(classify({ tags: JSON.stringify({ environment: "production" }) })).toBe(true);
  });
  it("custom settings replace the defaults", () => {
    const custom = parseSettings({ productionStacks: ["live-*"], productionTags: { tier: ["critical"] } });
    expect(classifyProduction({ props: { tags: { Tier: "CRITICAL" } }, stackName: "x" }, custom).production).toBe(true);
    expect(classifyProduction({ props: { tags: { environment: "production" } }, stackName: "x" }, custom).production).toBe(false);
    expect(classifyProduction({ props: {}, stackName: "live-eu" }, custom).production).toBe(true);
  });
  it("patterns match whole names and escape regex characters", () => {
    expect(matchesPattern("prod.x", "prod.x")).toBe(true);
    expect(matchesPattern("prodax", "prod.x")).toBe(false);
    expect(matchesPattern("urn:pulumi:prod::p::t::n", "urn:pulumi:prod::*::n")).toBe(true);
  });
});

// The verdict's reason is what a user reads in every finding; these pin it, and the edges that
// mutation testing (docs/MUTATION.md) showed were open.
describe("production verdicts and their reasons", () => {
  const verdict = (props: Record<string, unknown>, stackName = "dev", providerProps?: Record<string, unknown>, stackTags?: Map<string, string>) =>
    classifyProduction({ props, stackName, providerProps, stackTags }, settings);
  it.each<[string, Record<string, unknown>, string, Record<string, unknown> | undefined, Map<string, string> | undefined, unknown]>([
    ["stack name", {}, "prod-eu", undefined, undefined, { production: true, reason: 'stack "prod-eu" matches productionStacks pattern "prod-*"' }],
    ["stack tag", {}, "dev", undefined, new Map([["team", "orders"], ["Environment", "Production"]]), { production: true, reason: "stack tag Environment=Production" }],
    ["own tag", { tags: { environment: "production" } }, "dev", undefined, undefined, { production: true, reason: "tag environment=production" }],
    ["provider tag", {}, "dev", { defaultTags: { tags: { environment: "production" } } }, undefined, { production: true, reason: "tag environment=production (provider defaultTags)" }],
    ["provider tag beside own tags", { tags: { team: "orders" } }, "dev", { defaultTags: { tags: { environment: "production" } } }, undefined, { production: true, reason: "tag environment=production (provider defaultTags)" }],
    ["own tag among others", { tags: { team: "orders", environment: "production" } }, "dev", undefined, undefined, { production: true, reason: "tag environment=production" }],
    ["own tag over the provider's", { tags: { environment: "production" } }, "dev", { defaultTags: { tags: { environment: "staging" } } }, undefined, { production: true, reason: "tag environment=production" }],
    ["own tags unknown, provider production", { tags: UNKNOWN.object }, "dev", { defaultTags: { tags: { environment: "production" } } }, undefined, { production: true, reason: "tag environment=production (provider defaultTags)" }],
    ["unknown tag value", { tags: { environment: UNKNOWN.string } }, "dev", undefined, undefined, { production: "unknown", reason: 'tag "environment" is unknown until deployment' }],
    ["unknown own tags", { tags: UNKNOWN.object }, "dev", undefined, undefined, { production: "unknown", reason: "tags are unknown until deployment" }],
    ["unknown provider tags", {}, "dev", { defaultTags: UNKNOWN.object }, undefined, { production: "unknown", reason: "the provider's defaultTags are unknown until deployment" }],
    ["stack tags without a production tag", {}, "dev", undefined, new Map([["team", "orders"]]), { production: false }],
    ["empty stack tags", {}, "dev", undefined, new Map(), { production: false }],
  ])("%s", (_label, props, stack, providerProps, stackTags, expected) => {
    expect(verdict(props, stack, providerProps, stackTags)).toEqual(expected);
  });
  it("never matches an empty stack name, even against a pattern of everything", () => {
    const everything = { ...settings, productionStacks: ["*"] };
    expect(classifyProduction({ props: {}, stackName: "" }, everything)).toEqual({ production: false });
    expect(classifyProduction({ props: {}, stackName: "x" }, everything).production).toBe(true);
  });
});

describe("providerDefaultTags", () => {
  it.each<[Record<string, unknown> | undefined, unknown]>([
    [undefined, { state: "absent" }],
    [{}, { state: "absent" }],
    [{ defaultTags: {} }, { state: "absent" }],
    [{ defaultTags: { tags: UNKNOWN.object } }, { state: "unknown" }],
    [{ defaultTags: UNKNOWN.object }, { state: "unknown" }],
    [{ defaultTags: { tags: { environment: "production" } } }, { state: "known", value: { environment: "production" } }],
    [{ defaultTags: '{"tags":{"Environment":"Production"}}' }, { state: "known", value: { Environment: "Production" } }],
    [{ defaultTags: { tags: '{"env":"prod"}' } }, { state: "known", value: { env: "prod" } }],
  ])("reads %j as %j", (providerProps, expected) => {
    expect(providerDefaultTags(providerProps)).toEqual(expected);
  });
});
