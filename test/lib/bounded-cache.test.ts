/**
 * BoundedCache: the memo the IAM analysis keeps across calls. Its bounds are what keeps a stack of
 * many distinct or huge values from growing the pack's memory without limit.
 */
import { BoundedCache } from "../../policies/lib/bounded-cache";

describe("BoundedCache", () => {
  test("returns what was set, and undefined for a key never set", () => {
    const cache = new BoundedCache<number>(10);
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1);
    expect(cache.get("b")).toBe(2);
    expect(cache.get("c")).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  test("setting a key again replaces its value without growing", () => {
    const cache = new BoundedCache<string>(10);
    cache.set("a", "first");
    cache.set("a", "second");
    expect(cache.get("a")).toBe("second");
    expect(cache.size).toBe(1);
  });

  test("holds exactly maxEntries entries, and starts again when one more is set", () => {
    const cache = new BoundedCache<number>(3);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("c", 3);
    expect(cache.size).toBe(3);
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([1, 2, 3]);
    cache.set("d", 4);
    expect(cache.size).toBe(1);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("c")).toBeUndefined();
    expect(cache.get("d")).toBe(4);
  });

  test("a key longer than maxKeyLength is not remembered; one of exactly that length is", () => {
    const cache = new BoundedCache<number>(10, 5);
    cache.set("123456", 6);
    expect(cache.get("123456")).toBeUndefined();
    expect(cache.size).toBe(0);
    cache.set("12345", 5);
    expect(cache.get("12345")).toBe(5);
    expect(cache.size).toBe(1);
  });

  test("a refused long key does not clear a full cache", () => {
    const cache = new BoundedCache<number>(2, 3);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("long", 9);
    expect(cache.size).toBe(2);
    expect(cache.get("a")).toBe(1);
  });

  test("the default key limit is 4,096 characters", () => {
    const cache = new BoundedCache<number>(10);
    cache.set("k".repeat(4_096), 1);
    cache.set("k".repeat(4_097), 2);
    expect(cache.get("k".repeat(4_096))).toBe(1);
    expect(cache.get("k".repeat(4_097))).toBeUndefined();
  });

  test("undefined and falsy values are stored like any other", () => {
    const cache = new BoundedCache<number | null>(10);
    cache.set("zero", 0);
    cache.set("null", null);
    expect(cache.get("zero")).toBe(0);
    expect(cache.get("null")).toBeNull();
    expect(cache.size).toBe(2);
  });
});
