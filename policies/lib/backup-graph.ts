/**
 * One index of a stack's databases and AWS Backup resources, built in a single pass, and which
 * backup selections select each production database.
 *
 * Stack rules about backups all need the same joins (selection to plan, plan rule to vault, vault
 * to lock, selection to database); building them once per rule call keeps the pack linear in the
 * number of resources. No database is matched by scanning every selection: exact ARNs and tags are
 * looked up in maps, ARN patterns in an index of their literal prefixes, and only the selections
 * that can concern a database are evaluated for it.
 *
 * How AWS Backup picks resources (`BackupSelection` API reference, "Assign resources with AWS CLI"
 * in the AWS Backup developer guide, checked 2026; hashicorp/terraform-provider-aws#41274, #49829):
 * - `Resources` (Pulumi `resources`): ARNs or ARN patterns; a resource matching ANY of them is
 *   selected (OR). `*` stands for zero or more characters ("arn:aws:rds:*:*:db:*", "*").
 * - `ListOfTags` (Pulumi `selectionTags`): `STRINGEQUALS` only; a resource whose tag matches ANY
 *   entry is selected (OR). It is evaluated independently of `Resources`: the two are a union, so
 *   `resources: ["*"]` plus a selection tag selects everything.
 * - `Conditions` (Pulumi `conditions`: `stringEquals`, `stringLikes`, `stringNotEquals`,
 *   `stringNotLikes`, keys `aws:ResourceTag/<key>`): a resource must match ALL of them (AND). They
 *   narrow `Resources` ("Select all resources tagged backup=true" is `Resources: ["*"]` plus a
 *   condition). Where AWS documents nothing (conditions together with `ListOfTags`) we take the
 *   narrower reading, so coverage is never overstated. Negated operators on a tag the resource
 *   lacks match, as in IAM, whose Boolean logic the guide says selections follow.
 * - `NotResources` (Pulumi `notResources`): ARNs or patterns excluded from everything above.
 * - Either `Resources` or `ListOfTags` must be non-empty (AWS refuses the selection otherwise).
 * - "Condition operators are case sensitive": tag keys and values compare case-sensitively, unlike
 *   the pack's own production tags.
 * - Backup plans and selections are regional: a selection only picks resources in its own account
 *   and Region, whatever its patterns say.
 *
 * Values unknown during a preview: ids and ARNs of resources created in the same stack are unknown
 * sentinels, and the link is only in `propertyDependencies` (a selection's `resources` depends on
 * the databases whose ARNs it lists, its `planId` on the plan, a plan's `rules` on its vaults). An
 * unknown entry is read through those dependencies: when every unknown entry can be an attribute of
 * a dependency, the dependencies that are databases are selected and nothing else is; when not
 * (no dependencies, or a whole list unknown), every other database is "unknown" for that selection
 * and the rules report a deferred finding rather than guess.
 */
import { isReadReplica } from "./checks";
import {
  type PlainProps,
  type Reading,
  describeValue,
  isUnknownValue,
  parseJsonText,
  readBoolean,
  readObject,
  readRaw,
  readString,
  readStringList,
  toObject,
  unwrapValue,
} from "./properties";
import { providerDefaultTags } from "./production";
import { type Finding, type ResourceView, type StackView, deferredFinding } from "./rule";
import {
  BACKUP_PLAN,
  BACKUP_RESTORE_TESTING_PLAN,
  BACKUP_RESTORE_TESTING_SELECTION,
  BACKUP_SELECTION,
  BACKUP_VAULT,
  BACKUP_VAULT_LOCK,
  DYNAMODB_TABLE,
  RDS_CLUSTER,
  RDS_EVENT_SUBSCRIPTION,
  RDS_INSTANCE,
} from "./tokens";
import { globMatches } from "./glob";

// ---------------------------------------------------------------------------------------------
// Three-valued answers

/** "unknown": depends on a value known only at deployment (or on something the stack cannot show). */
export type Tri = "yes" | "no" | "unknown";

export function triOr(...values: Tri[]): Tri {
  if (values.includes("yes")) return "yes";
  return values.includes("unknown") ? "unknown" : "no";
}

export function triAnd(...values: Tri[]): Tri {
  if (values.includes("no")) return "no";
  return values.includes("unknown") ? "unknown" : "yes";
}

export function triNot(value: Tri): Tri {
  return value === "yes" ? "no" : value === "no" ? "yes" : "unknown";
}

// ---------------------------------------------------------------------------------------------
// Where a resource lives

/** Region and account of a resource, as far as the stack tells them. */
export interface Location {
  region?: string;
  account?: string;
  /**
   * What decides the region when it is not known: resources with the same source share a region
   * (the same provider and no region of their own). Unique per resource when its own `region` is unknown.
   */
  regionSource: string;
  /** What decides the account when it is not known: the provider. */
  accountSource: string;
}

/** Where a resource lives: its own `region` (pulumi-aws 7), its ARN (outputs), its provider. */
export function locationOf(view: ResourceView): Location {
  const providerKey = view.provider?.urn ?? "(default provider)";
  const location: Location = { regionSource: `provider ${providerKey}`, accountSource: `provider ${providerKey}` };
  const providerProps = view.provider?.props;
  const own = readString(view.props, "region");
  if (own.state === "known" && own.value.trim() !== "") {
    location.region = own.value.trim();
    // Its own Region, not its provider's: sharing the provider says nothing about it.
    location.regionSource = `region ${location.region}`;
  } else if (own.state === "unknown") {
    location.regionSource = `resource ${view.urn}`;
  } else if (providerProps) {
    const providerRegion = readString(providerProps, "region");
    if (providerRegion.state === "known" && providerRegion.value.trim() !== "") location.region = providerRegion.value.trim();
  }
  if (providerProps) {
    const allowed = readStringList(providerProps, "allowedAccountIds");
    if (allowed.state === "known") {
      const ids = [...new Set(allowed.value.map((id) => id.trim()).filter((id) => /^\d{12}$/.test(id)))];
      if (ids.length === 1) location.account = ids[0];
    }
  }
  const arn = readString(view.props, "arn");
  if (arn.state === "known") {
    const parsed = parseArn(arn.value);
    if (parsed) {
      if (parsed.region) {
        location.region = parsed.region;
        location.regionSource = `region ${parsed.region}`;
      }
      if (parsed.account) {
        location.account = parsed.account;
        location.accountSource = `account ${parsed.account}`;
      }
    }
  }
  return location;
}

export function sameRegion(a: Location, b: Location): Tri {
  if (a.region !== undefined && b.region !== undefined) return a.region === b.region ? "yes" : "no";
  return a.regionSource === b.regionSource ? "yes" : "unknown";
}

export function sameAccount(a: Location, b: Location): Tri {
  if (a.account !== undefined && b.account !== undefined) return a.account === b.account ? "yes" : "no";
  return a.accountSource === b.accountSource ? "yes" : "unknown";
}

export function sameLocation(a: Location, b: Location): Tri {
  return triAnd(sameRegion(a, b), sameAccount(a, b));
}

export function describeLocation(l: Location): string {
  return `${l.region ?? "(region unknown)"}/${l.account ?? "(account unknown)"}`;
}

/** The ARN partition of a Region. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-iso-")) return "aws-iso";
  if (region.startsWith("eu-isoe-")) return "aws-iso-e";
  return "aws";
}

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/** `arn:partition:service:region:account:resource`; undefined for anything else. */
export function parseArn(text: string): ParsedArn | undefined {
  const parts = text.split(":");
  if (parts.length < 6 || parts[0] !== "arn" || parts[1] === "" || parts[2] === "") return undefined;
  return { partition: parts[1], service: parts[2], region: parts[3], account: parts[4], resource: parts.slice(5).join(":") };
}

// ---------------------------------------------------------------------------------------------
// ARN patterns against ARNs that may have unknown parts

/**
 * Known text, or `undefined` for a part unknown until deployment. An unknown part is never empty
 * and never holds ':' (partitions, Regions, account ids, DB identifiers and table names cannot).
 */
export type ArnTemplate = ReadonlyArray<string | undefined>;


/**
 * Whether `pattern` matches the ARN `template`: "yes" whatever the unknown parts turn out to be,
 * "no" whatever they are, otherwise "unknown". An unknown part matches "for sure" only when a
 * `*` can swallow it whole (a value made of characters the pattern never names can match nothing
 * else); it can match at all when some non-empty text without ':' fits there.
 */
export function matchArnPattern(pattern: string, template: ArnTemplate): Tri {
  if (template.every((part) => part !== undefined)) return globMatches(pattern, template.join("")) ? "yes" : "no";
  if (runPatternAutomaton(pattern, template, false)) return "yes";
  return runPatternAutomaton(pattern, template, true) ? "unknown" : "no";
}

function runPatternAutomaton(pattern: string, template: ArnTemplate, holesCanBeAnything: boolean): boolean {
  const m = pattern.length;
  const closeOver = (states: Uint8Array): Uint8Array => {
    for (let i = 0; i < m; i++) if (states[i] && pattern[i] === "*") states[i + 1] = 1;
    return states;
  };
  let states = closeOver(Object.assign(new Uint8Array(m + 1), { 0: 1 }));
  for (const part of template) {
    if (part === undefined) {
      const next = new Uint8Array(m + 1);
      for (let i = 0; i < m; i++) if (states[i] && pattern[i] === "*") next[i] = 1; // a star swallows the whole unknown part
      // Non-empty text without ':' can lead from i to any later position whose pattern text in
      // between holds no literal ':' (choose the text to fit; stars may take any of it).
      if (holesCanBeAnything) {
        for (let i = 0; i < m; i++) {
          if (!states[i]) continue;
          for (let j = i + 1; j <= m && pattern[j - 1] !== ":"; j++) next[j] = 1;
        }
      }
      states = closeOver(next);
    } else {
      for (const c of part) {
        const next = new Uint8Array(m + 1);
        for (let i = 0; i < m; i++) {
          if (!states[i]) continue;
          if (pattern[i] === "*") next[i] = 1;
          else if (pattern[i] === c) next[i + 1] = 1;
        }
        states = closeOver(next);
      }
    }
    if (!states.some((s) => s === 1)) return false;
  }
  return states[m] === 1;
}

function knownLeadingText(template: ArnTemplate): { text: string; complete: boolean } {
  let text = "";
  for (const part of template) {
    if (part === undefined) return { text, complete: false };
    text += part;
  }
  return { text, complete: true };
}

/** Patterns indexed by their text before the first `*`, so a database meets only the patterns that can match it. */
export class ArnPatternIndex<T> {
  private readonly exact = new Map<string, T[]>();
  private readonly byPrefix = new Map<string, T[]>();
  private readonly prefixLengths = new Set<number>();
  private readonly sorted: { prefix: string; item: T }[] = [];
  private sortedReady = true;

  add(pattern: string, item: T): void {
    const star = pattern.indexOf("*");
    const prefix = star < 0 ? pattern : pattern.slice(0, star);
    const map = star < 0 ? this.exact : this.byPrefix;
    const list = map.get(prefix);
    if (list) list.push(item);
    else map.set(prefix, [item]);
    if (star >= 0) this.prefixLengths.add(prefix.length);
    this.sorted.push({ prefix, item });
    this.sortedReady = false;
  }

  /** Every item whose pattern can match the template (a superset; callers evaluate each). */
  candidates(template: ArnTemplate): T[] {
    const { text, complete } = knownLeadingText(template);
    const out: T[] = [];
    if (complete) out.push(...(this.exact.get(text) ?? []));
    for (const length of this.prefixLengths) {
      if (length > text.length) continue;
      const hit = this.byPrefix.get(text.slice(0, length));
      if (hit) out.push(...hit);
    }
    if (!complete) {
      // Patterns whose literal text runs past the known part into the unknown one.
      if (!this.sortedReady) {
        this.sorted.sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
        this.sortedReady = true;
      }
      let lo = 0;
      let hi = this.sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.sorted[mid].prefix < text) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < this.sorted.length && this.sorted[i].prefix.startsWith(text); i++) {
        if (this.sorted[i].prefix.length > text.length) out.push(this.sorted[i].item);
      }
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Tags

/** A tag value, or `undefined` when the value is unknown until deployment. */
export type TagMap = ReadonlyMap<string, string | undefined>;
export type TagReading = { state: "known"; tags: TagMap } | { state: "unknown"; why: string };

/** The tags AWS will hold for the resource: `tagsAll` when known, else the provider's defaultTags overlaid by `tags`. */
export function effectiveTags(view: ResourceView): TagReading {
  const all = readObject(view.props, "tagsAll");
  if (all.state === "known") return { state: "known", tags: tagMapOf(all.value) };
  const merged = new Map<string, string | undefined>();
  const defaults = providerDefaultTags(view.provider?.props);
  if (defaults.state === "unknown") return { state: "unknown", why: "its provider's defaultTags are unknown until deployment" };
  if (defaults.state === "known") for (const [k, v] of tagMapOf(defaults.value)) merged.set(k, v);
  const own = readObject(view.props, "tags");
  if (own.state === "unknown") return { state: "unknown", why: "its tags are unknown until deployment" };
  if (own.state === "known") for (const [k, v] of tagMapOf(own.value)) merged.set(k, v);
  return { state: "known", tags: merged };
}

function tagMapOf(obj: PlainProps): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const [k, raw] of Object.entries(obj)) {
    const v = unwrapValue(raw);
    if (isUnknownValue(v)) out.set(k, undefined);
    else if (typeof v === "string") out.set(k, v);
    else if (typeof v === "number" || typeof v === "boolean") out.set(k, String(v));
  }
  return out;
}

const RESOURCE_TAG_PREFIX = "aws:resourcetag/";

/** `aws:ResourceTag/env` -> `env`; undefined when the key is not a resource tag key. */
export function resourceTagKey(conditionKey: string): string | undefined {
  return conditionKey.toLowerCase().startsWith(RESOURCE_TAG_PREFIX) ? conditionKey.slice(RESOURCE_TAG_PREFIX.length) : undefined;
}

export type TagOperator = "StringEquals" | "StringLike" | "StringNotEquals" | "StringNotLike";

export interface TagCondition {
  operator: TagOperator;
  /** The condition key as written, e.g. `aws:ResourceTag/backup`. */
  key: string | undefined;
  value: string | undefined;
}

/** One condition against known tags (case-sensitive; negated operators match an absent tag, as in IAM). */
export function evaluateTagCondition(condition: TagCondition, tags: TagReading): Tri {
  if (condition.key === undefined || condition.value === undefined) return "unknown";
  const tagKey = resourceTagKey(condition.key);
  let actual: string | undefined | null = null; // null: the resource has no such tag
  if (tagKey !== undefined) {
    if (tags.state === "unknown") return "unknown";
    if (tags.tags.has(tagKey)) {
      actual = tags.tags.get(tagKey);
      if (actual === undefined) return "unknown";
    }
  }
  const positive = condition.operator === "StringEquals" || condition.operator === "StringLike";
  if (actual === null) return positive ? "no" : "yes";
  const like = condition.operator === "StringLike" || condition.operator === "StringNotLike";
  const hit = like ? globMatches(condition.value, actual as string) : actual === condition.value;
  return positive === hit ? "yes" : "no";
}

export function describeTagCondition(c: TagCondition): string {
  return `${c.key ?? "(unknown key)"} ${c.operator} ${c.value === undefined ? "(unknown value)" : JSON.stringify(c.value)}`;
}

// ---------------------------------------------------------------------------------------------
// Nodes

export type DatabaseKind = "rds-instance" | "rds-cluster" | "dynamodb-table";

export interface DatabaseNode {
  view: ResourceView;
  kind: DatabaseKind;
  /** The name AWS knows it by (DB instance identifier, DB cluster identifier, table name); undefined when unknown. */
  identifier?: string;
  location: Location;
  /** Its ARN, with unknown parts as `undefined`. */
  arn: ArnTemplate;
  tags: TagReading;
}

export interface VaultLockNode {
  view: ResourceView;
  location: Location;
  /** Vaults this lock may configure: one when resolved; several or none when it cannot be told. */
  vaults: VaultNode[];
  /**
   * How the vault was found, or why it was not: "unresolved" when the name is unknown until
   * deployment or matches several vaults (any of `vaults`, or with none listed any vault in its
   * location, may be the one); "none" when it names no vault of this stack (a name no vault has,
   * or a backupVaultName that is absent or not a string), so it locks none of them.
   */
  link: "name" | "dependency" | "unresolved" | "none";
}

export interface VaultNode {
  view: ResourceView;
  /** Its name when known. */
  name?: string;
  location: Location;
  locks: VaultLockNode[];
}

export type VaultReference =
  /** Vaults of this stack; several when only a property dependency links them and the stack cannot tell which one. */
  | { state: "in-stack"; vaults: VaultNode[]; how: string }
  /** A vault this stack does not manage. */
  | { state: "outside-stack"; ref: string; location?: { region?: string; account?: string } }
  | { state: "unknown"; what: string }
  | { state: "invalid"; what: string };

export interface PlanRuleNode {
  plan: PlanNode;
  index: number;
  /** `ruleName`, or `#<n>` when it has none. */
  name: string;
  schedule: Reading<unknown>;
  timezone: Reading<unknown>;
  startWindow: Reading<unknown>;
  continuous: Reading<boolean>;
  target: VaultReference;
  copies: VaultReference[];
  /** `copyActions` itself unknown (so there may be copies the stack cannot show yet). */
  copiesUnknown: boolean;
  /** Set when the element of `rules` is not a rule block at all: the rule backs up nothing. */
  malformed?: string;
}

export interface PlanNode {
  view: ResourceView;
  location: Location;
  rules: PlanRuleNode[];
  /** Problems reading `rules` as a whole. */
  rulesState: "known" | "absent" | "unknown" | "invalid";
  /** Every vault of this stack the plan's rules depend on (targets, copy destinations, air-gapped vaults). */
  vaultDependencies: VaultNode[];
}

export type PlanReference =
  | { state: "in-stack"; plan: PlanNode }
  | { state: "outside-stack"; id: string }
  | { state: "unknown"; what: string }
  /** No plan id AWS Backup would accept (absent or not a string): the selection cannot be created. */
  | { state: "invalid"; what: string };

/** One entry of a list of ARNs as read from a selection. */
interface ArnList {
  state: "known" | "absent" | "unknown" | "invalid";
  patterns: string[];
  /** Entries unknown until deployment. */
  unknownEntries: number;
  /** The whole list is unknown. */
  wholeUnknown: boolean;
  invalid?: string;
  /** Dependencies of the property that are databases / anything else. */
  databaseDependencies: DatabaseNode[];
  otherDependencies: number;
}

export interface SelectionTag {
  type: string | undefined;
  key: string | undefined;
  value: string | undefined;
}

export interface SelectionNode {
  view: ResourceView;
  location: Location;
  plan: PlanReference;
  resources: ArnList;
  notResources: ArnList;
  /** `selectionTags` (AWS `ListOfTags`); `unknown`: the list itself is unknown. */
  tags: SelectionTag[] | "unknown";
  conditions: TagCondition[] | "unknown";
  /** Things AWS would refuse or that make the selection pick nothing, for messages. */
  notes: string[];
  /** Some note is a part AWS Backup refuses or the pack cannot read as written: the selection selects nothing. */
  refused: boolean;
}

export interface EventSubscriptionNode {
  view: ResourceView;
  location: Location;
  enabled: Reading<boolean>;
  sourceType: Reading<string>;
  /** `undefined`: no source ids (every source of the type). */
  sourceIds: { known: string[]; unknownEntries: number; wholeUnknown: boolean; databaseDependencies: DatabaseNode[]; otherDependencies: number } | undefined;
  /** `undefined`: every category. */
  categories: Reading<string[]>;
  /** Why `sourceIds` cannot be read (not a list of identifiers): the subscription delivers nothing. */
  invalid?: string;
}

export interface RestoreTestingPlanNode {
  view: ResourceView;
  location: Location;
  name?: string;
}

export interface RestoreTestingSelectionNode {
  view: ResourceView;
  location: Location;
  plan: { state: "in-stack"; plan: RestoreTestingPlanNode } | { state: "outside-stack"; name: string } | { state: "unknown"; what: string } | { state: "invalid"; what: string };
  resourceType: Reading<string>;
  arns: ArnList;
  conditions: TagCondition[] | "unknown";
  /** Parts AWS Backup refuses or the pack cannot read as written: then it covers nothing. */
  notes: string[];
}

/** Why a candidate selection picks a database, or might. */
export interface SelectionMatch {
  selection: SelectionNode;
  certainty: "yes" | "unknown";
  /** For "unknown": what is not known. */
  reason: string;
}

export interface DatabaseCoverage {
  database: DatabaseNode;
  matches: SelectionMatch[];
  /** Selections that come close but do not select it, and why (for messages). */
  misses: string[];
}

export interface BackupGraph {
  stack: StackView;
  /** Every database of the stack, production or not. */
  databases: DatabaseNode[];
  databaseByUrn: ReadonlyMap<string, DatabaseNode>;
  plans: PlanNode[];
  planByUrn: ReadonlyMap<string, PlanNode>;
  selections: SelectionNode[];
  vaults: VaultNode[];
  vaultByUrn: ReadonlyMap<string, VaultNode>;
  locks: VaultLockNode[];
  eventSubscriptions: EventSubscriptionNode[];
  restoreTestingPlans: RestoreTestingPlanNode[];
  restoreTestingSelections: RestoreTestingSelectionNode[];
  /** Backup selections that pick each database in scope (see `BuildOptions.scope`). */
  coverage: ReadonlyMap<string, DatabaseCoverage>;
}

export interface BuildOptions {
  /** Databases whose coverage is computed: production ones (including "unknown"), or all. Default "production". */
  scope?: "production" | "all";
}

/** The database kinds AWS Backup continuous backup supports (RDS and Aurora; not DynamoDB). */
export function supportsContinuousBackup(kind: DatabaseKind): boolean {
  return kind === "rds-instance" || kind === "rds-cluster";
}

export function isInScope(db: DatabaseNode, scope: "production" | "all"): boolean {
  return scope === "all" || db.view.production.production !== false;
}

// ---------------------------------------------------------------------------------------------
// The pass

const DATABASE_KINDS: Readonly<Record<string, DatabaseKind>> = {
  [RDS_INSTANCE]: "rds-instance",
  [RDS_CLUSTER]: "rds-cluster",
  [DYNAMODB_TABLE]: "dynamodb-table",
};

/** Graphs already built for a stack view: rules that share one view share one graph. */
const graphCache = new WeakMap<StackView, Map<string, BackupGraph>>();

/**
 * Builds the graph in one pass over the resources plus work proportional to the links found
 * (once per stack view and scope; the graph is read-only once built).
 */
export function buildBackupGraph(stack: StackView, options: BuildOptions = {}): BackupGraph {
  const scope = options.scope ?? "production";
  let byScope = graphCache.get(stack);
  if (!byScope) {
    byScope = new Map();
    graphCache.set(stack, byScope);
  }
  const cached = byScope.get(scope);
  if (cached) return cached;
  const graph = buildGraph(stack, scope);
  byScope.set(scope, graph);
  return graph;
}

function buildGraph(stack: StackView, scope: "production" | "all"): BackupGraph {
  const databases: DatabaseNode[] = [];
  const plans: PlanNode[] = [];
  const selectionViews: ResourceView[] = [];
  const vaults: VaultNode[] = [];
  const lockViews: ResourceView[] = [];
  const subscriptionViews: ResourceView[] = [];
  const rtPlans: RestoreTestingPlanNode[] = [];
  const rtSelectionViews: ResourceView[] = [];

  for (const view of stack.resources) {
    const kind = DATABASE_KINDS[view.type];
    if (kind) databases.push(databaseNode(view, kind));
    else if (view.type === BACKUP_VAULT) {
      const name = readString(view.props, "name");
      vaults.push({ view, name: name.state === "known" ? name.value : undefined, location: locationOf(view), locks: [] });
    } else if (view.type === BACKUP_PLAN) plans.push({ view, location: locationOf(view), rules: [], rulesState: "absent", vaultDependencies: [] });
    else if (view.type === BACKUP_SELECTION) selectionViews.push(view);
    else if (view.type === BACKUP_VAULT_LOCK) lockViews.push(view);
    else if (view.type === RDS_EVENT_SUBSCRIPTION) subscriptionViews.push(view);
    else if (view.type === BACKUP_RESTORE_TESTING_PLAN) {
      const name = readString(view.props, "name");
      rtPlans.push({ view, location: locationOf(view), name: name.state === "known" ? name.value : undefined });
    } else if (view.type === BACKUP_RESTORE_TESTING_SELECTION) rtSelectionViews.push(view);
  }

  const databaseByUrn = new Map(databases.map((d) => [d.view.urn, d]));
  const vaultByUrn = new Map(vaults.map((v) => [v.view.urn, v]));
  const planByUrn = new Map(plans.map((p) => [p.view.urn, p]));
  const vaultsByName = groupBy(vaults.filter((v) => v.name !== undefined), (v) => v.name as string);
  const plansById = indexPlansById(plans);

  const locks = lockViews.map((view) => lockNode(view, vaultByUrn, vaultsByName));
  for (const lock of locks) if (lock.link === "name" || lock.link === "dependency") for (const v of lock.vaults) v.locks.push(lock);

  const vaultsByArn = groupBy(
    vaults.filter((v) => readString(v.view.props, "arn").state === "known"),
    (v) => v.view.props.arn as string,
  );
  for (const plan of plans) readPlanRules(plan, { byUrn: vaultByUrn, byName: vaultsByName, byArn: vaultsByArn });

  const selections = selectionViews.map((view) => selectionNode(view, planByUrn, plansById, databaseByUrn));
  const eventSubscriptions = subscriptionViews.map((view) => subscriptionNode(view, databaseByUrn));
  const rtPlansByName = groupBy(rtPlans.filter((p) => p.name !== undefined), (p) => p.name as string);
  const rtPlanByUrn = new Map(rtPlans.map((p) => [p.view.urn, p]));
  const restoreTestingSelections = rtSelectionViews.map((view) => restoreTestingSelectionNode(view, rtPlanByUrn, rtPlansByName, databaseByUrn));

  const inScope = databases.filter((d) => isInScope(d, scope));
  const coverage = computeCoverage(inScope, selections);

  return {
    stack,
    databases,
    databaseByUrn,
    plans,
    planByUrn,
    selections,
    vaults,
    vaultByUrn,
    locks,
    eventSubscriptions,
    restoreTestingPlans: rtPlans,
    restoreTestingSelections,
    coverage,
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function databaseNode(view: ResourceView, kind: DatabaseKind): DatabaseNode {
  const idProp = kind === "rds-instance" ? "identifier" : kind === "rds-cluster" ? "clusterIdentifier" : "name";
  const id = readString(view.props, idProp);
  const identifier = id.state === "known" && id.value.trim() !== "" ? id.value.trim() : undefined;
  const location = locationOf(view);
  const known = readString(view.props, "arn");
  let arn: ArnTemplate;
  if (known.state === "known" && parseArn(known.value)) {
    arn = [known.value];
  } else {
    const partition = location.region !== undefined ? partitionOf(location.region) : undefined;
    const [service, resource] = kind === "dynamodb-table" ? ["dynamodb", "table/"] : ["rds", kind === "rds-instance" ? "db:" : "cluster:"];
    arn = ["arn:", partition, `:${service}:`, location.region, ":", location.account, `:${resource}`, identifier];
  }
  return { view, kind, identifier, location, arn, tags: effectiveTags(view) };
}

/** Plan ids as AWS reports them (the last part of the plan ARN, or an `id` output). */
function indexPlansById(plans: readonly PlanNode[]): Map<string, PlanNode> {
  const out = new Map<string, PlanNode>();
  for (const plan of plans) {
    for (const key of ["id", "arn"]) {
      const r = readString(plan.view.props, key);
      if (r.state !== "known") continue;
      const id = key === "arn" ? r.value.split(":").pop() ?? "" : r.value;
      if (id !== "") out.set(id, plan);
    }
  }
  return out;
}

function dependencyUrns(view: ResourceView, property: string): string[] {
  return view.propertyDependencies?.[property] ?? [];
}

/** A list property element by element, so that one unknown entry keeps the known ones. */
function readArnList(view: ResourceView, property: string, databaseByUrn: ReadonlyMap<string, DatabaseNode>): ArnList {
  const deps = dependencyUrns(view, property);
  const databaseDependencies = deps.map((u) => databaseByUrn.get(u)).filter((d): d is DatabaseNode => d !== undefined);
  const base: ArnList = { state: "known", patterns: [], unknownEntries: 0, wholeUnknown: false, databaseDependencies, otherDependencies: deps.length - databaseDependencies.length };
  const r = readListElements(view.props, property);
  if (r.state === "absent") return { ...base, state: "absent" };
  if (r.state === "unknown") return { ...base, state: "unknown", wholeUnknown: true };
  if (r.state === "invalid") return { ...base, state: "invalid", invalid: `${property} is ${describeValue(r.raw)}, not a list of ARNs` };
  for (const element of r.value) {
    if (isUnknownValue(element)) base.unknownEntries++;
    else if (typeof element === "string") base.patterns.push(element.trim());
    // AWS refuses the whole list, so none of it counts.
    else return { ...base, state: "invalid", patterns: [], unknownEntries: 0, invalid: `${property} holds ${describeValue(element)}, not an ARN` };
  }
  return base;
}

/** A list (or a JSON string holding one) with each element unwrapped; elements may be unknown sentinels. */
function readListElements(props: PlainProps, path: string): Reading<unknown[]> {
  const raw = props[path];
  let value = unwrapValue(raw);
  if (value === undefined || value === null) return { state: "absent" };
  if (isUnknownValue(value)) return { state: "unknown" };
  if (typeof value === "string") {
    const parsed = parseJsonText(value);
    if (parsed === undefined) return { state: "invalid", raw: value, expected: "a list" };
    value = parsed;
  }
  if (!Array.isArray(value)) {
    // A single block sent as an object is one element.
    if (typeof value === "object") return { state: "known", value: [value] };
    return { state: "invalid", raw: value, expected: "a list" };
  }
  return { state: "known", value: value.map((e) => unwrapValue(e)) };
}

/** A nested block (object, or JSON string of one); undefined when it is not one. */
function blockOf(value: unknown): PlainProps | undefined {
  const r = toObject(value);
  return r.state === "known" ? r.value : undefined;
}

function optionalString(props: PlainProps, key: string): string | undefined {
  const r = readString(props, key);
  return r.state === "known" ? r.value : undefined;
}

function lockNode(view: ResourceView, vaultByUrn: ReadonlyMap<string, VaultNode>, vaultsByName: ReadonlyMap<string, VaultNode[]>): VaultLockNode {
  const location = locationOf(view);
  const byDependency = dependencyUrns(view, "backupVaultName").map((u) => vaultByUrn.get(u)).filter((v): v is VaultNode => v !== undefined);
  if (byDependency.length === 1) return { view, location, vaults: byDependency, link: "dependency" };
  const name = readString(view.props, "backupVaultName");
  if (name.state === "known") {
    const named = (vaultsByName.get(name.value) ?? []).filter((v) => sameLocation(v.location, location) !== "no");
    if (named.length === 1) return { view, location, vaults: named, link: "name" };
    return { view, location, vaults: named, link: named.length === 0 ? "none" : "unresolved" };
  }
  if (name.state === "unknown") return { view, location, vaults: byDependency, link: "unresolved" };
  return { view, location, vaults: [], link: "none" };
}

function vaultReferenceByName(name: Reading<string>, location: Location, dependencyVaults: VaultNode[], vaultsByName: ReadonlyMap<string, VaultNode[]>, what: string): VaultReference {
  if (name.state === "known") {
    const named = (vaultsByName.get(name.value) ?? []).filter((v) => sameLocation(v.location, location) !== "no");
    if (named.length > 0) return { state: "in-stack", vaults: named, how: `by name "${name.value}"` };
    return { state: "outside-stack", ref: name.value, location: { region: location.region, account: location.account } };
  }
  if (name.state === "unknown") {
    if (dependencyVaults.length > 0) return { state: "in-stack", vaults: dependencyVaults, how: "by property dependency" };
    return { state: "unknown", what: `${what} is unknown until deployment and depends on no vault of this stack` };
  }
  if (name.state === "absent") return { state: "invalid", what: `${what} is not set` };
  return { state: "invalid", what: `${what} is ${describeValue(name.raw)}, not a vault name` };
}

interface VaultIndex {
  byUrn: ReadonlyMap<string, VaultNode>;
  byName: ReadonlyMap<string, VaultNode[]>;
  byArn: ReadonlyMap<string, VaultNode[]>;
}

function vaultReferenceByArn(arn: Reading<string>, dependencyVaults: VaultNode[], index: VaultIndex, what: string): VaultReference {
  if (arn.state === "unknown") {
    if (dependencyVaults.length > 0) return { state: "in-stack", vaults: dependencyVaults, how: "by property dependency" };
    return { state: "unknown", what: `${what} is unknown until deployment and depends on no vault of this stack` };
  }
  if (arn.state === "absent") return { state: "invalid", what: `${what} is not set` };
  if (arn.state === "invalid") return { state: "invalid", what: `${what} is ${describeValue(arn.raw)}, not a vault ARN` };
  const parsed = parseArn(arn.value);
  if (!parsed || parsed.service !== "backup" || !parsed.resource.startsWith("backup-vault:")) {
    return { state: "invalid", what: `${what} ${JSON.stringify(arn.value)} is not a backup vault ARN (arn:<partition>:backup:<region>:<account>:backup-vault:<name>)` };
  }
  const name = parsed.resource.slice("backup-vault:".length);
  const exact = index.byArn.get(arn.value);
  if (exact) return { state: "in-stack", vaults: exact, how: "by ARN" };
  const target: Location = { region: parsed.region || undefined, account: parsed.account || undefined, regionSource: `arn ${arn.value}`, accountSource: `arn ${arn.value}` };
  const named = (index.byName.get(name) ?? []).filter((v) => sameLocation(v.location, target) === "yes");
  if (named.length > 0) return { state: "in-stack", vaults: named, how: `by ARN ${arn.value}` };
  return { state: "outside-stack", ref: arn.value, location: { region: parsed.region || undefined, account: parsed.account || undefined } };
}

function readPlanRules(plan: PlanNode, vaultIndex: VaultIndex): void {
  const dependencyVaults = dependencyUrns(plan.view, "rules")
    .map((u) => vaultIndex.byUrn.get(u))
    .filter((v): v is VaultNode => v !== undefined);
  plan.vaultDependencies = [...new Set(dependencyVaults)];
  const list = readListElements(plan.view.props, "rules");
  if (list.state !== "known") {
    plan.rulesState = list.state;
    return;
  }
  plan.rulesState = "known";
  list.value.forEach((element, index) => {
    const block = isUnknownValue(element) ? undefined : blockOf(element);
    const fallback = `#${index + 1}`;
    if (!block) {
      plan.rules.push({
        plan,
        index,
        name: fallback,
        schedule: isUnknownValue(element) ? { state: "unknown" } : { state: "invalid", raw: element, expected: "a backup rule block" },
        timezone: { state: "absent" },
        startWindow: { state: "absent" },
        continuous: { state: "absent" },
        target: isUnknownValue(element) ? { state: "unknown", what: `rule ${fallback} is unknown until deployment` } : { state: "invalid", what: `rule ${fallback} is ${describeValue(element)}, not a rule block` },
        copies: [],
        copiesUnknown: isUnknownValue(element),
        ...(isUnknownValue(element) ? {} : { malformed: `it is ${describeValue(element)}, not a rule block` }),
      });
      return;
    }
    const name = optionalString(block, "ruleName")?.trim() || fallback;
    const target = vaultReferenceByName(readString(block, "targetVaultName"), plan.location, dependencyVaults, vaultIndex.byName, `rule "${name}" targetVaultName`);
    // An unknown copy destination is one of the vaults the rules depend on, other than this rule's
    // own target when that is known (a copy into the vault it came from protects nothing).
    const targetVaults = target.state === "in-stack" && target.how !== "by property dependency" ? target.vaults : [];
    const copyCandidates = dependencyVaults.filter((v) => !targetVaults.includes(v));
    const copyDependencies = copyCandidates.length > 0 ? copyCandidates : dependencyVaults;
    const copies: VaultReference[] = [];
    let copiesUnknown = false;
    const copyList = readListElements(block, "copyActions");
    if (copyList.state === "unknown") copiesUnknown = true;
    else if (copyList.state === "invalid") copies.push({ state: "invalid", what: `copyActions is ${describeValue(copyList.raw)}, not a list of copy actions` });
    else if (copyList.state === "known") {
      copyList.value.forEach((c, i) => {
        if (isUnknownValue(c)) {
          copies.push(copyDependencies.length > 0 ? { state: "in-stack", vaults: copyDependencies, how: "by property dependency" } : { state: "unknown", what: `copy action #${i + 1} is unknown until deployment` });
          return;
        }
        const action = blockOf(c);
        if (!action) copies.push({ state: "invalid", what: `copy action #${i + 1} is ${describeValue(c)}, not a copy action block` });
        else copies.push(vaultReferenceByArn(readString(action, "destinationVaultArn"), copyDependencies, vaultIndex, `copy action #${i + 1} destinationVaultArn`));
      });
    }
    plan.rules.push({
      plan,
      index,
      name,
      schedule: readRaw(block, "schedule"),
      timezone: readRaw(block, "scheduleExpressionTimezone"),
      startWindow: readRaw(block, "startWindow"),
      continuous: readBoolean(block, "enableContinuousBackup"),
      target,
      copies,
      copiesUnknown,
    });
  });
}

function planReference(view: ResourceView, planByUrn: ReadonlyMap<string, PlanNode>, plansById: ReadonlyMap<string, PlanNode>): PlanReference {
  const byDependency = [...new Set(dependencyUrns(view, "planId").map((u) => planByUrn.get(u)).filter((p): p is PlanNode => p !== undefined))];
  if (byDependency.length === 1) return { state: "in-stack", plan: byDependency[0] };
  const id = readString(view.props, "planId");
  if (id.state === "known") {
    const plan = plansById.get(id.value);
    return plan ? { state: "in-stack", plan } : { state: "outside-stack", id: id.value };
  }
  if (id.state === "unknown") return { state: "unknown", what: "planId is unknown until deployment and depends on no single backup plan of this stack" };
  return { state: "invalid", what: id.state === "absent" ? "planId is not set" : `planId is ${describeValue(id.raw)}, not a plan id` };
}

function readSelectionTags(view: ResourceView, notes: string[]): SelectionTag[] | "unknown" {
  const list = readListElements(view.props, "selectionTags");
  if (list.state === "absent") return [];
  if (list.state === "unknown") return "unknown";
  if (list.state === "invalid") {
    notes.push(`selectionTags is ${describeValue(list.raw)}, not a list of tag filters`);
    return [];
  }
  const out: SelectionTag[] = [];
  for (const element of list.value) {
    if (isUnknownValue(element)) return "unknown";
    const block = blockOf(element);
    if (!block) {
      notes.push(`selectionTags holds ${describeValue(element)}, not a {type, key, value} block`);
      continue;
    }
    const part = (k: string): string | undefined => {
      const r = readString(block, k);
      return r.state === "known" ? r.value : undefined;
    };
    // Unknown parts are filled in at deployment; an absent or wrong-typed part never will be.
    const brokenPart = ["type", "key", "value"].some((k) => {
      const state = readString(block, k).state;
      return state === "absent" || state === "invalid";
    });
    const tag: SelectionTag = { type: part("type"), key: part("key"), value: part("value") };
    if (brokenPart) {
      notes.push(`selectionTags entry ${describeValue(element)} lacks a string type, key or value`);
      continue;
    }
    if (tag.type !== undefined && tag.type !== "STRINGEQUALS") {
      notes.push(`selectionTags entry type "${tag.type}" is not STRINGEQUALS, the only type AWS Backup accepts there`);
      continue;
    }
    out.push(tag);
  }
  return out;
}

const CONDITION_BLOCKS: ReadonlyArray<[string, TagOperator]> = [
  ["stringEquals", "StringEquals"],
  ["stringLikes", "StringLike"],
  ["stringNotEquals", "StringNotEquals"],
  ["stringNotLikes", "StringNotLike"],
];

/**
 * Condition blocks `{stringEquals: [{key, value}], ...}` (backup selections and restore testing
 * selections). Malformed parts, and operators the resource does not have, go to `notes`; `info`
 * gets what AWS accepts but selects nothing (a key without aws:ResourceTag/).
 */
function readConditionBlocks(blocks: Reading<unknown[]>, operators: ReadonlyArray<[string, TagOperator]>, property: string, notes: string[], info: string[] = notes): TagCondition[] | "unknown" {
  if (blocks.state === "absent") return [];
  if (blocks.state === "unknown") return "unknown";
  if (blocks.state === "invalid") {
    notes.push(`${property} is ${describeValue(blocks.raw)}, not a conditions block`);
    return [];
  }
  const out: TagCondition[] = [];
  for (const element of blocks.value) {
    if (isUnknownValue(element)) return "unknown";
    const block = blockOf(element);
    if (!block) {
      notes.push(`${property} holds ${describeValue(element)}, not a conditions block`);
      continue;
    }
    for (const key of Object.keys(block)) {
      if (!operators.some(([prop]) => prop === key)) notes.push(`${property} has no operator "${key}" (only ${operators.map(([prop]) => prop).join(", ")})`);
    }
    for (const [prop, operator] of operators) {
      const entries = readListElements(block, prop);
      if (entries.state === "absent") continue;
      if (entries.state === "unknown") return "unknown";
      if (entries.state === "invalid") {
        notes.push(`${property}.${prop} is ${describeValue(entries.raw)}, not a list of {key, value}`);
        continue;
      }
      for (const e of entries.value) {
        if (isUnknownValue(e)) return "unknown";
        const kv = blockOf(e);
        if (!kv) {
          notes.push(`${property}.${prop} holds ${describeValue(e)}, not a {key, value} block`);
          continue;
        }
        const key = readString(kv, "key");
        const value = readString(kv, "value");
        if (key.state === "invalid" || key.state === "absent" || value.state === "invalid" || value.state === "absent") {
          notes.push(`${property}.${prop} entry ${describeValue(e)} lacks a string key or value`);
          continue;
        }
        const condition: TagCondition = { operator, key: key.state === "known" ? key.value : undefined, value: value.state === "known" ? value.value : undefined };
        if (condition.key !== undefined && resourceTagKey(condition.key) === undefined) {
          info.push(`condition key "${condition.key}" does not start with aws:ResourceTag/, so it matches no tag`);
        }
        out.push(condition);
      }
    }
  }
  return out;
}

function selectionNode(
  view: ResourceView,
  planByUrn: ReadonlyMap<string, PlanNode>,
  plansById: ReadonlyMap<string, PlanNode>,
  databaseByUrn: ReadonlyMap<string, DatabaseNode>,
): SelectionNode {
  const notes: string[] = [];
  const info: string[] = [];
  const resources = readArnList(view, "resources", databaseByUrn);
  const notResources = readArnList(view, "notResources", databaseByUrn);
  if (resources.invalid) notes.push(resources.invalid);
  if (notResources.invalid) notes.push(notResources.invalid);
  const tags = readSelectionTags(view, notes);
  const conditions = readConditionBlocks(readListElements(view.props, "conditions"), CONDITION_BLOCKS, "conditions", notes, info);
  const hasResources = resources.state === "unknown" || resources.patterns.length > 0 || resources.unknownEntries > 0;
  const hasTags = tags === "unknown" || tags.length > 0;
  if (!hasResources && !hasTags && resources.state !== "invalid") notes.push("it has neither resources nor selectionTags, which AWS Backup refuses (conditions alone select nothing)");
  const plan = planReference(view, planByUrn, plansById);
  if (plan.state === "invalid") notes.push(`${plan.what}, and AWS Backup refuses a selection without its plan`);
  return { view, location: locationOf(view), plan, resources, notResources, tags, conditions, notes: [...notes, ...info], refused: notes.length > 0 };
}

function subscriptionNode(view: ResourceView, databaseByUrn: ReadonlyMap<string, DatabaseNode>): EventSubscriptionNode {
  const ids = readArnList(view, "sourceIds", databaseByUrn);
  let sourceIds: EventSubscriptionNode["sourceIds"];
  if (ids.state === "absent" || (ids.state === "known" && ids.patterns.length === 0 && ids.unknownEntries === 0)) sourceIds = undefined;
  else {
    sourceIds = {
      known: ids.patterns,
      unknownEntries: ids.unknownEntries,
      wholeUnknown: ids.wholeUnknown,
      databaseDependencies: ids.databaseDependencies,
      otherDependencies: ids.otherDependencies,
    };
  }
  return {
    view,
    location: locationOf(view),
    enabled: readBoolean(view.props, "enabled"),
    sourceType: readString(view.props, "sourceType"),
    sourceIds,
    categories: readStringList(view.props, "eventCategories"),
    ...(ids.invalid !== undefined ? { invalid: ids.invalid } : {}),
  };
}

function restoreTestingSelectionNode(
  view: ResourceView,
  planByUrn: ReadonlyMap<string, RestoreTestingPlanNode>,
  plansByName: ReadonlyMap<string, RestoreTestingPlanNode[]>,
  databaseByUrn: ReadonlyMap<string, DatabaseNode>,
): RestoreTestingSelectionNode {
  const location = locationOf(view);
  let plan: RestoreTestingSelectionNode["plan"];
  const byDependency = [...new Set(dependencyUrns(view, "restoreTestingPlanName").map((u) => planByUrn.get(u)).filter((p): p is RestoreTestingPlanNode => p !== undefined))];
  const name = readString(view.props, "restoreTestingPlanName");
  if (byDependency.length === 1) plan = { state: "in-stack", plan: byDependency[0] };
  else if (name.state === "known") {
    const named = (plansByName.get(name.value) ?? []).filter((p) => sameLocation(p.location, location) !== "no");
    plan = named.length > 0 ? { state: "in-stack", plan: named[0] } : { state: "outside-stack", name: name.value };
  } else if (name.state === "unknown") plan = { state: "unknown", what: "restoreTestingPlanName is unknown until deployment and depends on no restore testing plan of this stack" };
  else plan = { state: "invalid", what: name.state === "absent" ? "restoreTestingPlanName is not set" : `restoreTestingPlanName is ${describeValue(name.raw)}, not a plan name` };
  const notes: string[] = [];
  if (plan.state === "invalid") notes.push(`${plan.what}, and AWS Backup refuses a restore testing selection without its plan`);
  const arns = readArnList(view, "protectedResourceArns", databaseByUrn);
  if (arns.invalid) notes.push(arns.invalid);
  // A single block (not a list) in the typings; read as a list of one.
  const conditions = readConditionBlocks(readListElements(view.props, "protectedResourceConditions"), [CONDITION_BLOCKS[0], CONDITION_BLOCKS[2]], "protectedResourceConditions", notes);
  return { view, location, plan, resourceType: readString(view.props, "protectedResourceType"), arns, conditions, notes };
}

// ---------------------------------------------------------------------------------------------
// Coverage

/**
 * How an ARN list (resources, notResources, protectedResourceArns) bears on one database:
 * the dependency rule for unknown entries, then each candidate pattern.
 */
export function arnListMatches(list: ArnListView, db: DatabaseNode, patterns?: readonly string[]): { tri: Tri; why: string } {
  if (list.databaseDependencies.includes(db) && (list.unknownEntries > 0 || list.wholeUnknown)) {
    return { tri: "yes", why: "its ARN (linked by property dependency)" };
  }
  let result: Tri = "no";
  let why = "";
  for (const pattern of patterns ?? list.patterns) {
    const t = matchArnPattern(pattern, db.arn);
    if (t === "yes") return { tri: "yes", why: `pattern ${JSON.stringify(pattern)}` };
    if (t === "unknown" && result === "no") {
      result = "unknown";
      why = `pattern ${JSON.stringify(pattern)} may match its ARN, whose ${unknownArnParts(db)} is unknown until deployment`;
    }
  }
  if (unresolvedUnknownEntries(list) && result === "no") {
    result = "unknown";
    why = list.wholeUnknown ? "the whole list is unknown until deployment" : "it holds values unknown until deployment that no property dependency explains";
  }
  return { tri: result, why };
}

/** The parts of an ARN list the coverage needs (also used for restore testing selections). */
export type ArnListView = Pick<ArnList, "patterns" | "unknownEntries" | "wholeUnknown" | "databaseDependencies" | "otherDependencies">;

/** Unknown entries that the dependency rule cannot explain: they may be anything. */
export function unresolvedUnknownEntries(list: ArnListView): boolean {
  if (list.wholeUnknown) return true;
  if (list.unknownEntries === 0) return false;
  const dependencies = list.databaseDependencies.length + list.otherDependencies;
  return dependencies === 0 || list.unknownEntries > dependencies;
}

function unknownArnParts(db: DatabaseNode): string {
  const [, partition, , region, , account, , identifier] = db.arn;
  const parts: string[] = [];
  if (db.arn.length > 1) {
    if (region === undefined || partition === undefined) parts.push("Region");
    if (account === undefined) parts.push("account");
    if (identifier === undefined) parts.push("identifier");
  }
  return parts.join(" and ") || "ARN";
}

/** All conditions (AND) against the database's tags. */
export function conditionsMatch(conditions: TagCondition[] | "unknown", tags: TagReading): { tri: Tri; failed?: TagCondition } {
  if (conditions === "unknown") return { tri: "unknown" };
  let result: Tri = "yes";
  for (const c of conditions) {
    const t = evaluateTagCondition(c, tags);
    if (t === "no") return { tri: "no", failed: c };
    if (t === "unknown") result = "unknown";
  }
  return { tri: result };
}

function tagIndexKey(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

interface Candidate {
  fromResources: boolean;
  fromTags: boolean;
}

function computeCoverage(databases: readonly DatabaseNode[], selections: readonly SelectionNode[]): Map<string, DatabaseCoverage> {
  const coverage = new Map<string, DatabaseCoverage>();
  for (const db of databases) coverage.set(db.view.urn, { database: db, matches: [], misses: [] });
  if (databases.length === 0 || selections.length === 0) return coverage;

  // Indexes of the databases in scope.
  const exactTags = new Map<string, DatabaseNode[]>();
  const foldedTags = new Map<string, DatabaseNode[]>();
  const tagsPartlyUnknown: DatabaseNode[] = [];
  for (const db of databases) {
    if (db.tags.state === "unknown") {
      tagsPartlyUnknown.push(db);
      continue;
    }
    let partly = false;
    for (const [k, v] of db.tags.tags) {
      if (v === undefined) {
        partly = true;
        continue;
      }
      push(exactTags, tagIndexKey(k, v), db);
      push(foldedTags, tagIndexKey(k.toLowerCase(), v.toLowerCase()), db);
    }
    if (partly) tagsPartlyUnknown.push(db);
  }

  // Resource patterns of every selection, indexed once.
  const patternIndex = new ArnPatternIndex<{ selection: number; pattern: string }>();
  selections.forEach((s, i) => {
    for (const pattern of s.resources.patterns) patternIndex.add(pattern, { selection: i, pattern });
  });

  // Candidates per selection: databases a pattern, a tag or a dependency can concern.
  const candidates: Map<DatabaseNode, Candidate>[] = selections.map(() => new Map());
  const mark = (i: number, db: DatabaseNode, via: keyof Candidate) => {
    const c = candidates[i].get(db);
    if (c) c[via] = true;
    else candidates[i].set(db, { fromResources: via === "fromResources", fromTags: via === "fromTags" });
  };
  for (const db of databases) {
    for (const { selection } of patternIndex.candidates(db.arn)) mark(selection, db, "fromResources");
  }
  const inScope = new Set(databases);
  selections.forEach((s, i) => {
    for (const db of s.resources.databaseDependencies) if (inScope.has(db)) mark(i, db, "fromResources");
    const tagsUndecidable = s.tags === "unknown" || s.tags.some((t) => t.key === undefined || t.value === undefined);
    const everyDatabase = unresolvedUnknownEntries(s.resources) || tagsUndecidable;
    if (everyDatabase) for (const db of databases) mark(i, db, unresolvedUnknownEntries(s.resources) ? "fromResources" : "fromTags");
    if (s.tags !== "unknown") {
      for (const tag of s.tags) {
        if (tag.key === undefined || tag.value === undefined) continue;
        const key = resourceTagKey(tag.key) ?? tag.key;
        for (const db of exactTags.get(tagIndexKey(key, tag.value)) ?? []) mark(i, db, "fromTags");
        for (const db of foldedTags.get(tagIndexKey(key.toLowerCase(), tag.value.toLowerCase())) ?? []) {
          if (!candidates[i].has(db)) coverage.get(db.view.urn)?.misses.push(caseMiss(s, key, tag.value, db));
        }
        for (const db of tagsPartlyUnknown) mark(i, db, "fromTags");
      }
    }
  });

  selections.forEach((s, i) => {
    for (const [db, via] of candidates[i]) {
      const verdict = judgeSelection(s, db, via);
      const entry = coverage.get(db.view.urn);
      if (!entry) continue;
      if (verdict.tri === "no") {
        if (verdict.miss) entry.misses.push(verdict.miss);
      } else entry.matches.push({ selection: s, certainty: verdict.tri, reason: verdict.why });
    }
  });
  return coverage;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function caseMiss(s: SelectionNode, key: string, value: string, db: DatabaseNode): string {
  const actual = db.tags.state === "known" ? [...db.tags.tags].find(([k, v]) => k.toLowerCase() === key.toLowerCase() && v?.toLowerCase() === value.toLowerCase()) : undefined;
  const has = actual ? `${actual[0]}=${actual[1]}` : "a tag that differs only in case";
  return `backup selection "${s.view.name}" selects tag ${key}=${value} but the database has ${has}; AWS Backup compares tag keys and values case-sensitively`;
}

function selectionTagsMatch(tags: SelectionTag[] | "unknown", db: DatabaseNode): Tri {
  if (tags === "unknown") return "unknown";
  let result: Tri = "no";
  for (const tag of tags) {
    if (tag.key === undefined || tag.value === undefined) {
      result = triOr(result, "unknown");
      continue;
    }
    const key = resourceTagKey(tag.key) ?? tag.key;
    if (db.tags.state === "unknown") {
      result = triOr(result, "unknown");
      continue;
    }
    if (!db.tags.tags.has(key)) continue;
    const actual = db.tags.tags.get(key);
    if (actual === undefined) result = triOr(result, "unknown");
    else if (actual === tag.value) return "yes";
  }
  return result;
}

function judgeSelection(s: SelectionNode, db: DatabaseNode, via: Candidate): { tri: Tri; why: string; miss?: string } {
  const label = `backup selection "${s.view.name}"`;
  // A selection AWS Backup would refuse, or whose parts cannot be read as written, selects nothing:
  // reading around the broken part would make it broader than what was asked for. Its notes are
  // named in the messages of the databases left uncovered.
  if (s.refused) return { tri: "no", why: "" };
  const byResources = via.fromResources ? arnListMatches(s.resources, db) : { tri: "no" as Tri, why: "" };
  const byTags = selectionTagsMatch(s.tags, db);
  const included = triOr(byResources.tri, byTags);
  if (included === "no") return { tri: "no", why: "" };
  const conditions = conditionsMatch(s.conditions, db.tags);
  const excluded = arnListMatches(s.notResources, db);
  const region = sameRegion(s.location, db.location);
  const account = sameAccount(s.location, db.location);
  const tri = triAnd(included, conditions.tri, triNot(excluded.tri), region, account);
  if (tri === "no") {
    let miss: string;
    if (excluded.tri === "yes") miss = `${label} would select it but excludes it in notResources (${excluded.why})`;
    else if (conditions.tri === "no" && conditions.failed) miss = `${label} matches it by ${byResources.tri !== "no" ? byResources.why : "tag"} but its condition ${describeTagCondition(conditions.failed)} does not hold for the database's tags (conditions must all hold, case-sensitively)`;
    else if (region === "no") miss = `${label} is in Region ${s.location.region}, the database in ${db.location.region}; a selection only picks resources in its own Region`;
    else miss = `${label} is in account ${s.location.account}, the database in ${db.location.account}; a selection only picks resources in its own account`;
    return { tri, why: "", miss };
  }
  if (tri === "yes") return { tri, why: byResources.tri === "yes" ? byResources.why : "tag" };
  const reasons: string[] = [];
  if (included === "unknown") reasons.push(byResources.tri === "unknown" ? `its resources: ${byResources.why}` : db.tags.state === "unknown" ? `whether its tags match: ${db.tags.why}` : "whether its selection tags match (values unknown until deployment)");
  if (conditions.tri === "unknown") reasons.push(db.tags.state === "unknown" ? `whether its conditions hold: ${db.tags.why}` : "whether its conditions hold (values unknown until deployment)");
  if (excluded.tri === "unknown") reasons.push(`whether notResources excludes it: ${excluded.why}`);
  if (region === "unknown") reasons.push("whether the selection and the database are in the same Region");
  if (account === "unknown") reasons.push("whether the selection and the database are in the same account");
  return { tri, why: reasons.join("; ") };
}

export interface JudgedDatabasesOptions {
  /** Only these kinds. */
  kinds?: readonly DatabaseKind[];
  /**
   * Leave out read replicas (`replicateSourceDb` / `replicationSourceIdentifier`): their data is
   * their source's, recovered with it, as prod-db-final-snapshot also treats them.
   */
  exceptReadReplicas?: boolean;
}

/**
 * The production databases a stack rule judges, and a deferred finding for each database whose
 * production status (or, with `exceptReadReplicas`, replica status) is unknown until deployment.
 * Non-production ones are not judged.
 */
export function productionDatabases(graph: BackupGraph, options: JudgedDatabasesOptions = {}): { databases: DatabaseNode[]; deferred: Finding[] } {
  const databases: DatabaseNode[] = [];
  const deferred: Finding[] = [];
  for (const { database } of graph.coverage.values()) {
    if (options.kinds && !options.kinds.includes(database.kind)) continue;
    const verdict = database.view.production;
    if (verdict.production === "unknown") {
      deferred.push(deferredFinding(database.view, `whether it is production (${verdict.reason})`, database.view.urn));
      continue;
    }
    if (verdict.production !== true) continue;
    if (options.exceptReadReplicas && database.kind !== "dynamodb-table") {
      const replica = isReadReplica(database.view);
      if (replica === "yes") continue;
      if (replica === "unknown") {
        deferred.push(deferredFinding(database.view, "whether it is a read replica", database.view.urn));
        continue;
      }
    }
    databases.push(database);
  }
  return { databases, deferred };
}

// ---------------------------------------------------------------------------------------------
// Labels for messages

export function planLabel(plan: PlanNode): string {
  return `backup plan "${plan.view.name}"`;
}

export function describePlanReference(ref: PlanReference): string {
  if (ref.state === "in-stack") return planLabel(ref.plan);
  if (ref.state === "outside-stack") return `backup plan ${ref.id} (not in this stack)`;
  return `a backup plan (${ref.what})`;
}

export function describeVaultReference(ref: VaultReference): string {
  switch (ref.state) {
    case "in-stack":
      return ref.vaults.length === 1 ? `vault "${ref.vaults[0].view.name}"` : `one of the vaults ${ref.vaults.map((v) => `"${v.view.name}"`).join(", ")}`;
    case "outside-stack":
      return `vault ${ref.ref} (not in this stack)`;
    default:
      return ref.what;
  }
}
