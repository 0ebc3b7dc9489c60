/**
 * Three-valued answers for IAM questions. "maybe" is what the evaluator says when AWS's answer
 * depends on something it cannot see (an unknown context key, a value comparison it does not
 * model, an ambiguity in AWS's documentation); callers turn it into the worst case for the
 * question they ask, never into a pass.
 */
export type TriState = "yes" | "no" | "maybe";

export function triFromBoolean(value: boolean): TriState {
  return value ? "yes" : "no";
}

export function triNot(value: TriState): TriState {
  return value === "yes" ? "no" : value === "no" ? "yes" : "maybe";
}

/** Kleene conjunction: any "no" decides; otherwise any "maybe" leaves it open. */
export function triAll(values: Iterable<TriState>): TriState {
  let result: TriState = "yes";
  for (const v of values) {
    if (v === "no") return "no";
    if (v === "maybe") result = "maybe";
  }
  return result;
}

/** Kleene disjunction: any "yes" decides; otherwise any "maybe" leaves it open. */
export function triAny(values: Iterable<TriState>): TriState {
  let result: TriState = "no";
  for (const v of values) {
    if (v === "yes") return "yes";
    if (v === "maybe") result = "maybe";
  }
  return result;
}

/** The answer when several readings of the same question are possible: agreed, or "maybe". */
export function triAgreement(values: Iterable<TriState>): TriState {
  let first: TriState | undefined;
  for (const v of values) {
    if (v === "maybe") return "maybe";
    if (first === undefined) first = v;
    else if (first !== v) return "maybe";
  }
  return first ?? "maybe";
}
