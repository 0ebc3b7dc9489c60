import { Secret } from "@pulumi/policy";
import { unknownCheckingProxy } from "@pulumi/policy";
import { UNKNOWN } from "../../guard/wire";
import { describeValue, parseJsonText, readBoolean, readNumber, readObject, readRaw, readStringList, unwrapProperties } from "../../policies/lib/properties";

describe("reading properties in the engine's wire form", () => {
  it("reads through @pulumi/policy's unknown-checking proxy without throwing", () => {
    const proxied = unknownCheckingProxy({ a: UNKNOWN.bool, b: true, nested: { c: UNKNOWN.number } });
    expect(() => (proxied as Record<string, unknown>).a).toThrow(/can't be known during preview/);
    const props = unwrapProperties(proxied);
    expect(readBoolean(props, "a")).toEqual({ state: "unknown" });
    expect(readBoolean(props, "b")).toEqual({ state: "known", value: true });
    expect(readNumber(props, "nested.c")).toEqual({ state: "unknown" });
  });
  it("unwraps secrets to their values", () => {
    const props = unwrapProperties({ s: new Secret(true), list: new Secret(["a"]) });
    expect(readBoolean(props, "s")).toEqual({ state: "known", value: true });
    expect(readStringList(props, "list")).toEqual({ state: "known", value: ["a"] });
  });
  it("says absent, invalid or known for every shape", () => {
    const props = { n: "14", bad: "x", obj: '{"k":"v"}', list: '["a","b"]', arr: [{ enabled: true }], nul: null };
    expect(readNumber(props, "n")).toEqual({ state: "known", value: 14 });
    expect(readNumber(props, "bad").state).toBe("invalid");
    expect(readNumber(props, "missing")).toEqual({ state: "absent" });
    expect(readNumber(props, "nul")).toEqual({ state: "absent" });
    expect(readObject(props, "obj")).toEqual({ state: "known", value: { k: "v" } });
    expect(readStringList(props, "list")).toEqual({ state: "known", value: ["a", "b"] });
    expect(readStringList(props, "obj").state).toBe("invalid");
    expect(readBoolean(props, "arr.enabled")).toEqual({ state: "known", value: true });
    expect(readRaw(props, "n.deeper").state).toBe("invalid");
    expect(readStringList({ l: ["a", UNKNOWN.string] }, "l")).toEqual({ state: "unknown" });
  });
  it("never throws on hostile input", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => unwrapProperties(undefined)).not.toThrow();
    expect(unwrapProperties("str")).toEqual({});
    expect(readRaw({ a: cyclic }, "a.self.self.self").state).toBe("known");
    expect(describeValue(cyclic)).toBe("an object that is not JSON");
    expect(describeValue("x".repeat(500)).length).toBeLessThanOrEqual(60);
  });
});

describe("parseJsonText", () => {
  it("parses every kind of JSON text, after JSON's own whitespace", () => {
    expect(parseJsonText('{"a": 1}')).toEqual({ a: 1 });
    expect(parseJsonText(' \t\r\n["x"]')).toEqual(["x"]);
    expect(parseJsonText('"text"')).toBe("text");
    expect(parseJsonText("-1.5")).toBe(-1.5);
    expect(parseJsonText("0")).toBe(0);
    expect(parseJsonText("9")).toBe(9);
    expect(parseJsonText("true")).toBe(true);
    expect(parseJsonText("false")).toBe(false);
    expect(parseJsonText("null")).toBeNull();
  });

  it("returns undefined for text that is not JSON, without throwing", () => {
    for (const text of ["", "   ", "restorer", "arn:aws:iam::111111111111:role/x", "{", "[1,", "tru", "nul", "'single'", "\u00a0[1]", "+1", ".5"]) {
      expect(parseJsonText(text)).toBeUndefined();
    }
  });
});
