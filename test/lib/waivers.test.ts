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

// Boundaries and message shapes that mutation testing (docs/MUTATION.md) showed were unpinned.
describe("waivers: boundaries", () => {
  it("rejects a month that does not exist, even when the day would survive the roll-over", () => {
    // Date.UTC rolls 2027-13-05 over to 2028-01-05: the day of month alone does not reveal it.
    expect(parseExpiry("2027-13-05")).toBeUndefined();
    expect(parseExpiry("2027-00-15")).toBeUndefined();
    expect(parseExpiry("2027-04-31")).toBeUndefined();
    expect(parseExpiry("2027-04-00")).toBeUndefined();
    expect(parseExpiry("2027-12-31")?.toISOString()).toBe("2027-12-31T23:59:59.999Z");
  });
  it("trims every field before judging and storing it", () => {
    const padded = { rule: "  prod-db-copy-tags-to-snapshot ", resource: " legacy-* ", owner: " team-orders ", reason: `  ${good.reason}  `, expires: " 2026-12-31 " };
    const { active, problems } = checkWaivers([padded], rules, unwaivable, now);
    expect(problems).toEqual([]);
    expect(active).toEqual([{ ...good, index: 0 }]);
  });
  it("accepts a reason of exactly the minimum length and refuses one character less", () => {
    const exact = "x".repeat(20);
    expect(checkWaivers([{ ...good, reason: exact }], rules, unwaivable, now).active).toHaveLength(1);
    expect(checkWaivers([{ ...good, reason: exact.slice(1) }], rules, unwaivable, now).problems[0]).toContain("at least 20 characters");
  });
  it("is in force up to the last millisecond of its expiry day and not one after", () => {
    const lastMs = new Date("2026-11-25T23:59:59.999Z");
    expect(checkWaivers([{ ...good, expires: "2026-11-25" }], rules, unwaivable, lastMs).active).toHaveLength(1);
    const after = new Date(lastMs.getTime() + 1);
    expect(checkWaivers([{ ...good, expires: "2026-11-25" }], rules, unwaivable, after).problems[0]).toContain("it expired on 2026-11-25");
  });
  it("accepts an expiry exactly 366 days away and refuses one millisecond more", () => {
    const end = new Date("2027-11-26T23:59:59.999Z").getTime();
    const exactly = new Date(end - 366 * 86_400_000);
    expect(checkWaivers([{ ...good, expires: "2027-11-26" }], rules, unwaivable, exactly).active).toHaveLength(1);
    const sooner = new Date(exactly.getTime() - 1);
    expect(checkWaivers([{ ...good, expires: "2027-11-26" }], rules, unwaivable, sooner).problems[0]).toContain("more than 366 days away (2027-11-26)");
  });
  it.each([
    [{ ...good, owner: "", reason: "short" }, `Waiver #1 (prod-db-copy-tags-to-snapshot on legacy-*) waives nothing: "owner" (who answers for this exception) is missing; "reason" must say why in at least 20 characters. Fix or remove it in the policy config file.`],
    [{ ...good, resource: "" }, `Waiver #1 (prod-db-copy-tags-to-snapshot on ?) waives nothing: "resource" (a URN or a logical-name pattern) is missing. Fix or remove it in the policy config file.`],
    [{ ...good, rule: "" }, `Waiver #1 (? on legacy-*) waives nothing: "rule" (a rule id) is missing. Fix or remove it in the policy config file.`],
    [{ ...good, rule: "", resource: "" }, `Waiver #1 waives nothing: "rule" (a rule id) is missing; "resource" (a URN or a logical-name pattern) is missing. Fix or remove it in the policy config file.`],
  ])("names the waiver by what it has: %j", (waiver, message) => {
    expect(checkWaivers([waiver], rules, unwaivable, now).problems).toEqual([message]);
  });
  it("numbers each waiver by its place in the list and keeps the good ones", () => {
    const { active, problems } = checkWaivers([good, { ...good, owner: "" }, { ...good, resource: "orders" }], rules, unwaivable, now);
    expect(active.map((w) => w.index)).toEqual([0, 2]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Waiver #2 /);
  });
  it("refuses an array where a waiver object belongs", () => {
    expect(checkWaivers([[good]], rules, unwaivable, now).problems[0]).toContain("Waiver #1 is not an object");
  });
});
