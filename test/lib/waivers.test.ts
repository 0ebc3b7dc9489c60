import { checkWaivers, findWaiver, parseExpiry } from "../../policies/lib/waivers";

const rules = new Set(["prod-db-copy-tags-to-snapshot", "prod-db-protect", "prod-db-rpo"]);
const unwaivable = new Set(["prod-db-protect"]);
const now = new Date("2026-11-25T12:00:00Z");
const good = { rule: "prod-db-copy-tags-to-snapshot", resource: "legacy-*", owner: "team-orders", reason: "Legacy database migrated next sprint (PLAT-123)", expires: "2026-12-31" };

describe("waivers", () => {
  it("accepts a well-formed waiver and matches it by name pattern or URN", () => {
    const { active, problems } = checkWaivers([good, { ...good, resource: "urn:pulumi:prod::db::aws:rds/instance:Instance::orders" }], rules, unwaivable, now);
    expect(problems).toEqual([]);
    expect(findWaiver(active, "prod-db-copy-tags-to-snapshot", "urn:x", "legacy-orders")?.index).toBe(0);
    expect(findWaiver(active, "prod-db-copy-tags-to-snapshot", "urn:pulumi:prod::db::aws:rds/instance:Instance::orders", "orders")?.index).toBe(1);
    expect(findWaiver(active, "prod-db-rpo", "urn:x", "legacy-orders")).toBeUndefined();
    expect(findWaiver(active, "prod-db-copy-tags-to-snapshot", "urn:x", "orders")).toBeUndefined();
  });
  it("is valid through its expiry day (UTC)", () => {
    expect(checkWaivers([{ ...good, expires: "2026-11-25" }], rules, unwaivable, now).active).toHaveLength(1);
  });
  it.each([
    [{ ...good, expires: "2026-11-24" }, "it expired on 2026-11-24"],
    [{ ...good, expires: "2026-02-30" }, "not a date in the form YYYY-MM-DD"],
    [{ ...good, expires: "next week" }, "not a date in the form YYYY-MM-DD"],
    [{ ...good, expires: "2030-01-01" }, "more than 366 days away"],
    [{ ...good, expires: undefined }, '"expires" (YYYY-MM-DD) is missing'],
    [{ ...good, reason: "because" }, "at least 20 characters"],
    [{ ...good, owner: "" }, '"owner"'],
    [{ ...good, resource: undefined }, '"resource"'],
    [{ ...good, rule: "no-such-rule" }, "names no rule of this pack"],
    [{ ...good, rule: "prod-db-protect" }, "cannot be waived"],
    [{ ...good, rule: 42 }, '"rule" (a rule id) is missing'],
    ["a string", "is not an object"],
    [null, "is not an object"],
  ])("rejects %j: %s", (waiver, problem) => {
    const { active, problems } = checkWaivers([waiver], rules, unwaivable, now);
    expect(active).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("Waiver #1");
    expect(problems[0]).toContain(problem);
  });
  it("rejects a waivers value that is not a list", () => {
    expect(checkWaivers({}, rules, unwaivable, now).problems[0]).toContain("must be a list");
  });
  it("parses only real calendar dates", () => {
    expect(parseExpiry("2028-02-29")?.toISOString()).toBe("2028-02-29T23:59:59.999Z");
    expect(parseExpiry("2027-02-29")).toBeUndefined();
    expect(parseExpiry("2027-1-2")).toBeUndefined();
  });
});
