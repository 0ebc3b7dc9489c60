/**
 * The shapes the Pulumi engine sends to a policy pack over the analyzer protocol
 * (`pulumirpc.AnalyzeRequest`, `AnalyzeStackRequest`), as plain JSON-compatible values.
 *
 * Property bags are in the engine's wire form: an unknown value (preview) is one of the
 * `UNKNOWN` sentinel strings, a secret is `{ [SECRET_SIG_KEY]: SECRET_SIG_VALUE, value }`.
 * The capture (guard/capture.ts) produces these; the analyzer client (guard/analyzer-client.ts)
 * turns them into protobuf `Struct`s unchanged, so what the pack sees is what the engine sends.
 */

/** Sentinels for values not known until the deployment (sdk/nodejs/runtime/rpc.ts). */
export const UNKNOWN = {
  string: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  bool: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  number: "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  array: "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  object: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
} as const;

export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** Wraps a value the way the engine marks a secret on the wire. */
export function wireSecret(value: WireValue): WireValue {
  return { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, value };
}

export type WireValue = null | boolean | number | string | WireValue[] | { [key: string]: WireValue };
export type WireProperties = { [key: string]: WireValue };

/** `pulumirpc.AnalyzerProviderResource`. */
export interface WireProvider {
  type: string;
  name: string;
  urn: string;
  properties: WireProperties;
}

/** `pulumirpc.AnalyzerResourceOptions`. */
export interface WireResourceOptions {
  protect?: boolean;
  ignoreChanges?: string[];
  deleteBeforeReplace?: boolean;
  deleteBeforeReplaceDefined?: boolean;
  additionalSecretOutputs?: string[];
  aliases?: string[];
  customTimeouts?: { create?: number; update?: number; delete?: number };
  parent?: string;
}

/** Where the program declared the resource (the Node SDK's `sourcePosition`). */
export interface SourcePosition {
  uri: string;
  line: number;
  column?: number;
}

/** One resource as the engine sends it in `Analyze` (and, with dependencies, in `AnalyzeStack`). */
export interface WireResource {
  type: string;
  name: string;
  urn: string;
  properties: WireProperties;
  options?: WireResourceOptions;
  provider?: WireProvider;
  /** URNs this resource depends on (stack analysis). */
  dependencies?: string[];
  /** Property name to the URNs its value came from (stack analysis). */
  propertyDependencies?: Record<string, string[]>;
  /** Not sent to the pack; kept for reports (SARIF locations). */
  sourcePosition?: SourcePosition;
  /** Custom resource (true) or component (false); the engine only sends custom resources' properties meaningfully. */
  custom?: boolean;
}
