import { types } from "util";
import { Secret, unknownCheckingProxy } from "@pulumi/policy";
import { UNKNOWN } from "../../guard/wire";
import {
  describeValue,
  readBoolean,
  readNumber,
  readObject,
  readRaw,
  readString,
  readStringList,
  toObject,
  toStringList,
  unwrapProperties,
  unwrapValue,
} from "../../policies/lib/properties";

/** `layers` unknown-checking proxies around `target`, as the SDK nests them (it uses two). */
function nestedProxies(target: object, layers: number): unknown {
  let current: object = target;
  for (let i = 0; i < layers; i++) current = unknownCheckingProxy(current) as object;
  return current;
}

describe("unwrapProperties and unwrapValue", () => {
  it("gives an empty bag for anything that is not an object", () => {
    for (const raw of [undefined, null, "str", 7, true, ["a"], UNKNOWN.object]) {
      expect(unwrapProperties(raw)).toStrictEqual({});
    }
    expect(unwrapProperties(unknownCheckingProxy(["a"]))).toStrictEqual({});
  });

  it("peels the SDK's proxies, up to four layers deep, leaving a deeper one in place", () => {
    const target = { a: 1 };
    for (let layers = 1; layers <= 4; layers++) {
      expect(unwrapValue(nestedProxies(target, layers))).toBe(target);
    }
    const fifth = unwrapValue(nestedProxies(target, 5));
    expect(fifth).not.toBe(target);
    expect(types.isProxy(fifth)).toBe(true);
    expect((fifth as Record<string, unknown>).__getSpecialProxyTarget).toBe(target);
  });

  it("unwraps a secret holding a proxied object to the plain object", () => {
    const target = { enabled: true };
    expect(unwrapValue(new Secret(unknownCheckingProxy(target)))).toBe(target);
  });

  it("does not peel a plain object whose own keys spell the proxy markers", () => {
    const smuggled = { enabled: true };
    const bag = { __isSpecialProxy: true, __getSpecialProxyTarget: smuggled, enabled: false };
    expect(unwrapValue(bag)).toBe(bag);
    expect(unwrapProperties(bag)).toBe(bag);
    expect(readBoolean(unwrapProperties(bag), "enabled")).toEqual({ state: "known", value: false });
    expect(readBoolean({ block: bag }, "block.enabled")).toEqual({ state: "known", value: false });
  });

  it("reads through a Proxy that is not the SDK's, by its own traps", () => {
    const foreign = new Proxy({ a: 1 }, {});
    expect(unwrapValue(foreign)).toBe(foreign);
    expect(readRaw({ p: foreign }, "p.a")).toEqual({ state: "known", value: 1 });
    expect(unwrapProperties(foreign)).toBe(foreign);
  });

  it("returns a proxy whose traps throw as it is, without throwing", () => {
    const hostile = new Proxy({}, {
      get() {
        throw new Error("trap");
      },
    });
    expect(unwrapValue(hostile)).toBe(hostile);
  });
});

describe("readRaw along a dotted path", () => {
  it("is unknown when a block on the way is unknown, directly or as a list's first element", () => {
    expect(readRaw({ a: UNKNOWN.object }, "a.b")).toEqual({ state: "unknown" });
    expect(readRaw({ a: [UNKNOWN.object] }, "a.b")).toEqual({ state: "unknown" });
    expect(readRaw({ a: { b: [UNKNOWN.object, { c: 1 }] } }, "a.b.c")).toEqual({ state: "unknown" });
  });

  it("is absent when a block on the way is missing, null or an empty list", () => {
    expect(readRaw({}, "a.b")).toEqual({ state: "absent" });
    expect(readRaw({ a: undefined }, "a.b")).toEqual({ state: "absent" });
    expect(readRaw({ a: null }, "a.b")).toEqual({ state: "absent" });
    expect(readRaw({ a: [] }, "a.b")).toEqual({ state: "absent" });
    expect(readRaw({ a: { b: null } }, "a.b.c")).toEqual({ state: "absent" });
  });

  it("reads a block sent as JSON text, as an object or a one-element list", () => {
    expect(readRaw({ a: '{"b": true}' }, "a.b")).toEqual({ state: "known", value: true });
    expect(readRaw({ a: '[{"b": 3}]' }, "a.b")).toEqual({ state: "known", value: 3 });
    expect(readRaw({ a: ['{"b": "x"}'] }, "a.b")).toEqual({ state: "known", value: "x" });
    expect(readRaw({ a: '{"b": {"c": false}}' }, "a.b.c")).toEqual({ state: "known", value: false });
  });

  it("reads a list sent as JSON text by the same rules as a list: empty is absent, an unknown first element unknown", () => {
    expect(readRaw({ a: "[]" }, "a.b")).toEqual({ state: "absent" });
    expect(readRaw({ a: " [ ] " }, "a.b")).toEqual({ state: "absent" });
    expect(readRaw({ a: '["04da6b54-80e4-46f7-96ec-b56ff0331ba9"]' }, "a.b")).toEqual({ state: "unknown" });
    expect(readRaw({ a: '["{\\"b\\": 4}"]' }, "a.b")).toEqual({ state: "known", value: 4 });
    expect(readRaw({ a: ['[{"b": 5}]'] }, "a.b")).toEqual({ state: "known", value: 5 });
  });

  it("says a text that holds no JSON object is an invalid block, quoting the text itself", () => {
    for (const text of ["name", "12", "null", "true", '"quoted"', "arn:aws:s3:::bucket"]) {
      expect(readRaw({ a: text }, "a.b")).toEqual({ state: "invalid", raw: text, expected: "an object" });
    }
  });

  it("says a scalar or a null list element is an invalid block", () => {
    expect(readRaw({ a: 5 }, "a.b")).toEqual({ state: "invalid", raw: 5, expected: "an object" });
    expect(readRaw({ a: false }, "a.b")).toEqual({ state: "invalid", raw: false, expected: "an object" });
    expect(readRaw({ a: [null] }, "a.b")).toEqual({ state: "invalid", raw: null, expected: "an object" });
    expect(readRaw({ a: "[null]" }, "a.b")).toEqual({ state: "invalid", raw: null, expected: "an object" });
  });

  it("parses only text as JSON: a list inside a list is not a block", () => {
    expect(readRaw({ a: [['{"b": 1}']] }, "a.b")).toEqual({ state: "absent" });
  });

  it("reads own keys only", () => {
    expect(readRaw({ a: {} }, "a.toString")).toEqual({ state: "absent" });
    expect(readRaw({}, "constructor")).toEqual({ state: "absent" });
  });
});

describe("readBoolean", () => {
  it("accepts the strings a config value arrives as", () => {
    expect(readBoolean({ b: "true" }, "b")).toEqual({ state: "known", value: true });
    expect(readBoolean({ b: "false" }, "b")).toEqual({ state: "known", value: false });
    expect(readBoolean({ b: false }, "b")).toEqual({ state: "known", value: false });
  });

  it("says any other value is not a boolean", () => {
    for (const value of ["TRUE", "yes", "", 1, 0, {}]) {
      expect(readBoolean({ b: value }, "b")).toEqual({ state: "invalid", raw: value, expected: "a boolean" });
    }
  });
});

describe("readNumber", () => {
  it("accepts a decimal string with surrounding whitespace", () => {
    expect(readNumber({ n: " 14 " }, "n")).toEqual({ state: "known", value: 14 });
    expect(readNumber({ n: "\n2.5\t" }, "n")).toEqual({ state: "known", value: 2.5 });
  });

  it("refuses the forms Number() would take but JSON does not write", () => {
    for (const text of ["0x10", "0b1", "Infinity", "", " ", "1e400"]) {
      expect(readNumber({ n: text }, "n")).toEqual({ state: "invalid", raw: text, expected: "a number" });
    }
  });
});

describe("readString", () => {
  it("reads a string", () => {
    expect(readString({ s: "x" }, "s")).toEqual({ state: "known", value: "x" });
    expect(readString({ s: "" }, "s")).toEqual({ state: "known", value: "" });
    expect(readString({ s: new Secret("hidden") }, "s")).toEqual({ state: "known", value: "hidden" });
  });

  it("passes absent and unknown through", () => {
    expect(readString({}, "s")).toEqual({ state: "absent" });
    expect(readString({ s: UNKNOWN.string }, "s")).toEqual({ state: "unknown" });
  });

  it("says any other value is not a string", () => {
    for (const value of [5, true, ["x"], { k: "v" }]) {
      expect(readString({ s: value }, "s")).toEqual({ state: "invalid", raw: value, expected: "a string" });
    }
  });
});

describe("readStringList and toStringList", () => {
  it("passes absent and unknown through", () => {
    expect(readStringList({}, "l")).toEqual({ state: "absent" });
    expect(readStringList({ l: UNKNOWN.array }, "l")).toEqual({ state: "unknown" });
  });

  it("says text that is not JSON is not a list, quoting the text", () => {
    expect(toStringList("name")).toEqual({ state: "invalid", raw: "name", expected: "a list of strings" });
    expect(readStringList({ l: "arn:aws:iam::111111111111:role/x" }, "l")).toEqual({
      state: "invalid",
      raw: "arn:aws:iam::111111111111:role/x",
      expected: "a list of strings",
    });
  });

  it("says a value that is not a list is not one, quoting what was parsed", () => {
    expect(toStringList(5)).toEqual({ state: "invalid", raw: 5, expected: "a list of strings" });
    expect(toStringList('{"a": 1}')).toEqual({ state: "invalid", raw: { a: 1 }, expected: "a list of strings" });
  });

  it("says a list holding anything but strings is invalid, quoting the whole list", () => {
    expect(toStringList(["a", 5])).toEqual({ state: "invalid", raw: ["a", 5], expected: "a list of strings" });
    expect(toStringList('["a", null]')).toEqual({ state: "invalid", raw: ["a", null], expected: "a list of strings" });
  });

  it("reads secret and proxied elements", () => {
    expect(toStringList(unknownCheckingProxy(["a", "b"]))).toEqual({ state: "known", value: ["a", "b"] });
    expect(toStringList([new Secret("s"), "t"])).toEqual({ state: "known", value: ["s", "t"] });
  });
});

describe("readObject and toObject", () => {
  it("passes absent and unknown through", () => {
    expect(readObject({}, "o")).toEqual({ state: "absent" });
    expect(readObject({ o: UNKNOWN.object }, "o")).toEqual({ state: "unknown" });
  });

  it("says text that is not JSON is not an object, quoting the text", () => {
    expect(toObject("name")).toEqual({ state: "invalid", raw: "name", expected: "an object" });
  });

  it("says null, scalars and lists are not objects, quoting what was parsed", () => {
    for (const value of [null, 5, true, ["a"], []]) {
      expect(toObject(value)).toEqual({ state: "invalid", raw: value, expected: "an object" });
    }
    expect(toObject("null")).toEqual({ state: "invalid", raw: null, expected: "an object" });
    expect(toObject("7")).toEqual({ state: "invalid", raw: 7, expected: "an object" });
    expect(toObject('["a"]')).toEqual({ state: "invalid", raw: ["a"], expected: "an object" });
  });

  it("returns an ordinary map of unwrapped members, unknown members kept as sentinels", () => {
    const r = toObject({ a: new Secret("s"), b: UNKNOWN.string, c: 1 });
    expect(r).toEqual({ state: "known", value: { a: "s", b: UNKNOWN.string, c: 1 } });
    if (r.state !== "known") throw new Error("expected a known map");
    const map = r.value;
    expect(Object.keys(map)).toEqual(["a", "b", "c"]);
    expect(Object.assign({}, map)).toEqual({ a: "s", b: UNKNOWN.string, c: 1 });
    map.a = "changed";
    expect(map.a).toBe("changed");
    delete map.c;
    expect(Object.keys(map)).toEqual(["a", "b"]);
  });

  it("keeps a JSON __proto__ key as a key, never a prototype", () => {
    const r = toObject('{"__proto__": {"polluted": true}, "k": "v"}');
    if (r.state !== "known") throw new Error("expected a known map");
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
    expect(Object.keys(r.value)).toEqual(["__proto__", "k"]);
    expect((r.value as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe("describeValue", () => {
  it("names an unknown value instead of printing its sentinel", () => {
    expect(describeValue(UNKNOWN.string)).toBe("(unknown until deployment)");
    expect(describeValue(UNKNOWN.object)).toBe("(unknown until deployment)");
  });

  it("renders JSON, falling back to String() for what JSON cannot write", () => {
    expect(describeValue({ a: 1 })).toBe('{"a":1}');
    expect(describeValue("x")).toBe('"x"');
    expect(describeValue(undefined)).toBe("undefined");
  });

  it("describes what cannot be rendered by its shape", () => {
    const cyclicList: unknown[] = ["x"];
    cyclicList.push(cyclicList);
    expect(describeValue(cyclicList)).toBe("a list of 2");
    expect(describeValue(10n)).toBe("bigint");
    expect(describeValue({ n: 10n })).toBe("an object that is not JSON");
  });

  it("keeps a rendering of up to 60 characters whole and cuts a longer one to 60 with an ellipsis", () => {
    const sixty = "a".repeat(58); // 60 characters once JSON quotes it
    expect(describeValue(sixty)).toBe(`"${sixty}"`);
    const sixtyOne = "b".repeat(59);
    expect(describeValue(sixtyOne)).toBe(`"${"b".repeat(56)}...`);
    expect(describeValue(sixtyOne)).toHaveLength(60);
  });
});
