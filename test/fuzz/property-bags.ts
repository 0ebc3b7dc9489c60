/**
 * Arbitrary property bags for fuzzing the pack, as small recipes that are turned into values only
 * inside a property. A failure then prints a short recipe (`{ k: "huge", length: 1000000 }`), not a
 * megabyte of text, and one recipe yields both forms a bag can take: the engine's wire form (unknown
 * sentinels, secret markers; JSON only) and the in-process form a policy can be handed (Secret
 * objects, NaN, cyclic objects, keys such as `__proto__` as own properties).
 */
import fc from "fast-check";
import { Secret } from "@pulumi/policy";
import { SECRET_SIG_KEY, SECRET_SIG_VALUE, type WireProperties } from "../../guard/wire";

/** Every sentinel the engine uses for a value unknown until deployment (sdk/nodejs/runtime/rpc.ts). */
export const UNKNOWN_SENTINELS = [
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // bool
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
] as const;

/** Keys that trip naive property handling: prototype pollution, and `@pulumi/policy`'s proxy markers. */
export const HOSTILE_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "__isSpecialProxy", "__getSpecialProxyTarget"] as const;

export type Recipe =
  | { k: "lit"; v: null | boolean | number | string }
  | { k: "unknown"; sentinel: string }
  | { k: "secret"; of: Recipe }
  | { k: "huge"; length: number; unit: string }
  | { k: "deep"; depth: number; shape: "array" | "object"; leaf: Recipe }
  | { k: "json"; of: Recipe }
  | { k: "list"; items: Recipe[] }
  | { k: "obj"; entries: Array<[string, Recipe]> }
  /** In-process only: an object that contains itself. */
  | { k: "cyclic"; entries: Array<[string, Recipe]> };

export type BagRecipe = Array<[string, Recipe]>;

export interface RecipeOptions {
  /** Wire form: JSON values only (no NaN, no Infinity, no cycles), as the engine can send. */
  wire: boolean;
  /** Megabyte strings and thousands of nesting levels (the long run); otherwise sizes that keep a case to a millisecond or so. */
  heavy?: boolean;
}

const lit = (v: null | boolean | number | string): Recipe => ({ k: "lit", v });

function scalarRecipe(options: RecipeOptions): fc.Arbitrary<Recipe> {
  const numbers = options.wire
    ? fc.oneof(fc.integer({ min: -1_000, max: 1_000 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1, 14, 35, 36, 1e21, Number.MAX_SAFE_INTEGER))
    : fc.oneof(fc.integer({ min: -1_000, max: 1_000 }), fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, -0, 14, 35));
  const strings = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: "grapheme", maxLength: 8 }),
    // Strings a reader might take for a value of another type.
    fc.constantFrom("true", "false", "TRUE", " true", "1", "0", "14", " 35 ", "0x10", "1e2", "Infinity", "NaN", "", " ", "null", "{}", "[]", "*", "arn:aws:rds:us-east-1:111111111111:db:orders", "111111111111"),
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.boolean().map(lit) },
    { weight: 3, arbitrary: strings.map(lit) },
    { weight: 2, arbitrary: numbers.map(lit) },
    { weight: 1, arbitrary: fc.constant(lit(null)) },
    { weight: 2, arbitrary: fc.constantFrom(...UNKNOWN_SENTINELS).map((sentinel): Recipe => ({ k: "unknown", sentinel })) },
    { weight: 1, arbitrary: fc.record({ length: options.heavy ? fc.constantFrom(10_000, 200_000) : fc.constantFrom(1_000, 10_000), unit: fc.constantFrom("a", "é", "{", "\u0000") }).map((r): Recipe => ({ k: "huge", ...r })) },
  );
}

function depths(options: RecipeOptions): number[] {
  if (options.wire) return options.heavy ? [20, 200] : [20, 50];
  return options.heavy ? [50, 500, 5_000] : [50, 500];
}

/** Keys for nested objects: mostly ordinary, sometimes hostile, sometimes a guardrail name. */
export function keyArbitrary(interesting: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 10 }) },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
    { weight: 3, arbitrary: interesting.length > 0 ? fc.constantFrom(...interesting) : fc.string({ maxLength: 10 }) },
  );
}

/** Any value: scalars, unknowns, secrets, JSON text, lists, objects, deep nesting, cycles (in-process). */
export function valueRecipe(options: RecipeOptions, interestingKeys: readonly string[] = []): fc.Arbitrary<Recipe> {
  const key = keyArbitrary(interestingKeys);
  const { value } = fc.letrec<{ value: Recipe }>((tie) => {
    const inner = tie("value");
    const compound: Array<fc.WeightedArbitrary<Recipe>> = [
      { weight: 4, arbitrary: scalarRecipe(options) },
      { weight: 1, arbitrary: inner.map((of): Recipe => ({ k: "secret", of })) },
      { weight: 1, arbitrary: inner.map((of): Recipe => ({ k: "json", of })) },
      { weight: 1, arbitrary: fc.array(inner, { maxLength: 3 }).map((items): Recipe => ({ k: "list", items })) },
      { weight: 2, arbitrary: fc.array(fc.tuple(key, inner), { maxLength: 4 }).map((entries): Recipe => ({ k: "obj", entries })) },
      {
        weight: 1,
        arbitrary: fc
          // google-protobuf's Struct.fromJavaScript slows down steeply with depth (2 s at 2,000 levels), so
          // the wire form stays at depths the engine's own protobuf limit (10,000 messages) allows cheaply.
          .record({ depth: fc.constantFrom(...depths(options)), shape: fc.constantFrom("array" as const, "object" as const), leaf: scalarRecipe(options) })
          .map((r): Recipe => ({ k: "deep", ...r })),
      },
    ];
    if (!options.wire) {
      compound.push({ weight: 1, arbitrary: fc.array(fc.tuple(key, inner), { maxLength: 3 }).map((entries): Recipe => ({ k: "cyclic", entries })) });
    }
    return { value: fc.oneof({ depthSize: "small", maxDepth: 4 }, ...compound) };
  });
  return value;
}

/**
 * Values that look like what a guardrail property should hold, in every disguise: true and
 * "true", numbers and numeric strings, JSON text, secrets, one-element lists, unknowns.
 */
export function plausibleRecipe(options: RecipeOptions, interestingKeys: readonly string[]): fc.Arbitrary<Recipe> {
  const good = fc.constantFrom<Recipe>(lit(true), lit("true"), lit(false), lit("false"), lit(14), lit(35), lit("14"), lit(1), lit(0), lit("orders-final"), lit(""));
  const nested = fc
    .array(fc.tuple(fc.constantFrom(...interestingKeys, "enabled", "recoveryPeriodInDays"), good), { maxLength: 3 })
    .map((entries): Recipe => ({ k: "obj", entries }));
  return fc.oneof(
    { weight: 4, arbitrary: good },
    { weight: 1, arbitrary: good.map((of): Recipe => ({ k: "secret", of })) },
    { weight: 1, arbitrary: nested },
    { weight: 1, arbitrary: nested.map((of): Recipe => ({ k: "json", of })) },
    { weight: 1, arbitrary: nested.map((of): Recipe => ({ k: "list", items: [of] })) },
    { weight: 3, arbitrary: valueRecipe(options, interestingKeys) },
  );
}

/**
 * A property bag: each of `keys` absent or holding a plausible or arbitrary value, plus a few
 * arbitrary and hostile keys.
 */
export function bagRecipe(options: RecipeOptions, keys: readonly string[]): fc.Arbitrary<BagRecipe> {
  const chosen = fc.array(fc.tuple(fc.constantFrom(...keys), plausibleRecipe(options, keys)), { maxLength: keys.length + 2 });
  const extra = fc.array(fc.tuple(keyArbitrary(keys), valueRecipe(options, keys)), { maxLength: 2 });
  return fc.tuple(chosen, extra).map(([a, b]) => [...a, ...b]);
}

/** Sets an own, enumerable property even for `__proto__` (as JSON.parse does), never the prototype. */
function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The value a recipe stands for; in wire form secrets carry the engine's marker, in-process they are `Secret`s. */
export function materialize(recipe: Recipe, options: RecipeOptions): unknown {
  switch (recipe.k) {
    case "lit":
      return recipe.v;
    case "unknown":
      return recipe.sentinel;
    case "secret": {
      const value = materialize(recipe.of, options);
      return options.wire ? { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, value } : new Secret(value);
    }
    case "huge":
      return recipe.unit.repeat(recipe.length);
    case "deep": {
      let v: unknown = materialize(recipe.leaf, options);
      for (let i = 0; i < recipe.depth; i++) v = recipe.shape === "array" ? [v] : { nested: v };
      return v;
    }
    case "json": {
      // JSON text of the value as the engine would carry it (secrets and cycles do not survive JSON).
      const text = safeJson(materialize(recipe.of, { wire: true }));
      return text ?? "{";
    }
    case "list":
      return recipe.items.map((item) => materialize(item, options));
    case "obj":
      return materializeEntries(recipe.entries, options);
    case "cyclic": {
      const o = materializeEntries(recipe.entries, options);
      defineOwn(o, "self", o);
      defineOwn(o, "list", [o]);
      return o;
    }
  }
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function materializeEntries(entries: ReadonlyArray<[string, Recipe]>, options: RecipeOptions): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, r] of entries) defineOwn(o, k, materialize(r, options));
  return o;
}

/** A whole property bag (a later duplicate key wins, as in an object literal). */
export function materializeBag(bag: BagRecipe, options: RecipeOptions): Record<string, unknown> {
  return materializeEntries(bag, options);
}

/** The wire form of a bag, for the analyzer client. */
export function wireBag(bag: BagRecipe): WireProperties {
  return materializeBag(bag, { wire: true }) as WireProperties;
}
