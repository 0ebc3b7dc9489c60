/**
 * Parses IAM policy documents (identity, trust and resource policies) given as objects or JSON
 * strings into a normalized form, and says precisely what is wrong with those it cannot read.
 *
 * The parser is strict where AWS's grammar is: a document it rejects is one AWS would refuse or
 * one whose meaning it cannot be sure of, and the evaluator answers "cannot verify" for it. It is
 * never lenient on a guess: an unknown condition operator, an Effect of "allow", an action with a
 * wildcard in its service prefix are problems, not ignored.
 */
import { type ConditionClause, parseConditionOperator } from "./conditions";

export type PolicyKind = "identity" | "trust" | "resource";
export type Effect = "Allow" | "Deny";

export interface PrincipalSet {
  /** `"Principal": "*"`: everyone, signed or not. */
  readonly everyone: boolean;
  readonly aws: readonly string[];
  readonly service: readonly string[];
  readonly federated: readonly string[];
  readonly canonicalUser: readonly string[];
}

export interface PolicyStatement {
  /** Zero-based position in the Statement array (0 for a single statement object). */
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  readonly action: { readonly negated: boolean; readonly patterns: readonly string[] };
  /** Absent in trust policies, which name no resource. */
  readonly resource?: { readonly negated: boolean; readonly patterns: readonly string[] };
  /** Present in trust and resource policies only. */
  readonly principal?: { readonly negated: boolean; readonly principals: PrincipalSet };
  readonly conditions: readonly ConditionClause[];
}

export interface ParsedPolicy {
  readonly name: string;
  readonly kind: PolicyKind;
  readonly version?: string;
  /** Policy variables are substituted only under Version 2012-10-17; elsewhere `${...}` is literal. */
  readonly variablesEnabled: boolean;
  readonly statements: readonly PolicyStatement[];
}

export type PolicyParseResult = { ok: true; policy: ParsedPolicy } | { ok: false; name: string; kind: PolicyKind; problems: string[] };

export interface ParseOptions {
  /** Used in messages: the resource or policy the document belongs to. */
  name?: string;
  /** Default "identity". */
  kind?: PolicyKind;
}

const TOP_LEVEL_KEYS = new Set(["Version", "Id", "Statement"]);
const STATEMENT_KEYS = new Set(["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"]);
const PRINCIPAL_TYPES: Readonly<Record<string, keyof Omit<PrincipalSet, "everyone">>> = {
  AWS: "aws",
  Service: "service",
  Federated: "federated",
  CanonicalUser: "canonicalUser",
};
const VERSIONS = new Set(["2012-10-17", "2008-10-17"]);
/** `service:ActionPattern`: the service prefix is literal (AWS rejects wildcards in it). */
const ACTION_SHAPE = /^[A-Za-z0-9][A-Za-z0-9-]*:[^\s:]+$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `"${value.length > 60 ? value.slice(0, 57) + "..." : value}"`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/** A string or a non-empty array of strings, as most elements take. */
function stringList(value: unknown, where: string, problems: string[]): string[] | undefined {
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string")) return value as string[];
  problems.push(`${where} must be a string or a non-empty array of strings, not ${describe(value)}`);
  return undefined;
}

function parsePrincipals(value: unknown, where: string, problems: string[]): PrincipalSet | undefined {
  const set = { everyone: false, aws: [] as string[], service: [] as string[], federated: [] as string[], canonicalUser: [] as string[] };
  if (value === "*") return { ...set, everyone: true };
  if (!isRecord(value) || Object.keys(value).length === 0) {
    problems.push(`${where} must be "*" or an object such as {"AWS": [...]}, not ${describe(value)}`);
    return undefined;
  }
  for (const [type, ids] of Object.entries(value)) {
    const field = PRINCIPAL_TYPES[type];
    if (!field || !Object.prototype.hasOwnProperty.call(PRINCIPAL_TYPES, type)) {
      problems.push(`${where} has unknown principal type "${type}" (expected AWS, Service, Federated or CanonicalUser)`);
      continue;
    }
    const list = stringList(ids, `${where}.${type}`, problems);
    if (list) set[field].push(...list);
  }
  return set;
}

function parseConditions(value: unknown, where: string, problems: string[]): ConditionClause[] {
  if (!isRecord(value)) {
    problems.push(`${where} must be an object of operators, not ${describe(value)}`);
    return [];
  }
  const clauses: ConditionClause[] = [];
  for (const [operatorName, block] of Object.entries(value)) {
    const operator = parseConditionOperator(operatorName);
    if (!operator) {
      problems.push(`${where} uses unknown condition operator "${operatorName}"`);
      continue;
    }
    if (!isRecord(block) || Object.keys(block).length === 0) {
      problems.push(`${where}.${operatorName} must be a non-empty object of condition keys, not ${describe(block)}`);
      continue;
    }
    for (const [key, raw] of Object.entries(block)) {
      const list = Array.isArray(raw) ? raw : [raw];
      if (key.trim() === "") {
        problems.push(`${where}.${operatorName} has an empty condition key`);
        continue;
      }
      if (list.length === 0 || !list.every((v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean")) {
        problems.push(`${where}.${operatorName}["${key}"] must be a string, number, boolean or a non-empty array of them, not ${describe(raw)}`);
        continue;
      }
      clauses.push({ operator, key, values: list.map((v) => String(v)) });
    }
  }
  return clauses;
}

function parseStatement(raw: unknown, index: number, kind: PolicyKind, problems: string[]): PolicyStatement | undefined {
  const where = `Statement[${index}]`;
  if (!isRecord(raw)) {
    problems.push(`${where} must be an object, not ${describe(raw)}`);
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_KEYS.has(key)) problems.push(`${where} has unknown element "${key}"`);
  }
  let sid: string | undefined;
  if (raw.Sid !== undefined) {
    if (typeof raw.Sid !== "string") problems.push(`${where}.Sid must be a string, not ${describe(raw.Sid)}`);
    // IAM refuses other Sids in identity policies: "Statement IDs (SID) must be alpha-numeric".
    else if (kind === "identity" && !/^[0-9A-Za-z]*$/.test(raw.Sid)) problems.push(`${where}.Sid "${raw.Sid}" is not alphanumeric, which IAM refuses in an identity policy`);
    else sid = raw.Sid;
  }
  const label = sid ? `${where} ("${sid}")` : where;
  const effect = raw.Effect;
  if (effect !== "Allow" && effect !== "Deny") problems.push(`${label}.Effect must be "Allow" or "Deny", not ${describe(effect)}`);

  const hasAction = raw.Action !== undefined;
  const hasNotAction = raw.NotAction !== undefined;
  let action: PolicyStatement["action"] | undefined;
  if (hasAction === hasNotAction) {
    problems.push(`${label} must have exactly one of Action and NotAction`);
  } else {
    const element = hasAction ? "Action" : "NotAction";
    const patterns = stringList(raw[element], `${label}.${element}`, problems);
    if (patterns) {
      for (const p of patterns) {
        if (p !== "*" && !ACTION_SHAPE.test(p)) problems.push(`${label}.${element} "${p}" is not "*" or "service:action" with a literal service prefix`);
      }
      action = { negated: hasNotAction, patterns };
    }
  }

  const hasResource = raw.Resource !== undefined;
  const hasNotResource = raw.NotResource !== undefined;
  let resource: PolicyStatement["resource"];
  if (hasResource && hasNotResource) problems.push(`${label} must not have both Resource and NotResource`);
  else if (kind === "trust" && (hasResource || hasNotResource)) problems.push(`${label} is in a trust policy, which must not name a Resource`);
  else if (kind !== "trust" && !hasResource && !hasNotResource) problems.push(`${label} must have Resource or NotResource`);
  else if (hasResource || hasNotResource) {
    const element = hasResource ? "Resource" : "NotResource";
    const patterns = stringList(raw[element], `${label}.${element}`, problems);
    if (patterns) {
      for (const p of patterns) {
        if (p !== "*" && !p.startsWith("arn:")) problems.push(`${label}.${element} "${p}" is neither "*" nor an ARN`);
      }
      resource = { negated: hasNotResource, patterns };
    }
  }

  const hasPrincipal = raw.Principal !== undefined;
  const hasNotPrincipal = raw.NotPrincipal !== undefined;
  let principal: PolicyStatement["principal"];
  if (kind === "identity" && (hasPrincipal || hasNotPrincipal)) problems.push(`${label} is in an identity policy, which must not name a Principal`);
  else if (kind !== "identity" && hasPrincipal === hasNotPrincipal) problems.push(`${label} must have exactly one of Principal and NotPrincipal`);
  else if (hasPrincipal || hasNotPrincipal) {
    const element = hasPrincipal ? "Principal" : "NotPrincipal";
    const principals = parsePrincipals(raw[element], `${label}.${element}`, problems);
    if (principals) principal = { negated: hasNotPrincipal, principals };
  }

  const conditions = raw.Condition === undefined ? [] : parseConditions(raw.Condition, `${label}.Condition`, problems);
  if (problems.length > before || !action) return undefined;
  return { index, sid, effect: effect as Effect, action, resource, principal, conditions };
}

function decode(document: unknown, problems: string[]): Record<string, unknown> | undefined {
  let value = document;
  if (typeof document === "string") {
    try {
      value = JSON.parse(document);
    } catch (e) {
      problems.push(`the document is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
      return undefined;
    }
  }
  if (!isRecord(value)) {
    problems.push(`the document must be a JSON object, not ${describe(value)}`);
    return undefined;
  }
  return value;
}

export function parsePolicyDocument(document: unknown, options: ParseOptions = {}): PolicyParseResult {
  const name = options.name ?? "policy";
  const kind = options.kind ?? "identity";
  const problems: string[] = [];
  const doc = decode(document, problems);
  if (!doc) return { ok: false, name, kind, problems };
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL_KEYS.has(key)) problems.push(`the document has unknown element "${key}"`);
  }
  let version: string | undefined;
  if (doc.Version !== undefined) {
    if (typeof doc.Version === "string" && VERSIONS.has(doc.Version)) version = doc.Version;
    else problems.push(`Version must be "2012-10-17" or "2008-10-17", not ${describe(doc.Version)}`);
  }
  if (doc.Id !== undefined && typeof doc.Id !== "string") problems.push(`Id must be a string, not ${describe(doc.Id)}`);
  const rawStatements = doc.Statement;
  let list: unknown[] = [];
  if (Array.isArray(rawStatements)) {
    if (rawStatements.length === 0) problems.push("Statement must not be empty");
    list = rawStatements;
  } else if (isRecord(rawStatements)) {
    list = [rawStatements];
  } else {
    problems.push(`Statement must be an object or an array of objects, not ${rawStatements === undefined ? "missing" : describe(rawStatements)}`);
  }
  const statements: PolicyStatement[] = [];
  list.forEach((raw, index) => {
    const statement = parseStatement(raw, index, kind, problems);
    if (statement) statements.push(statement);
  });
  // IAM: "Statement IDs (SID) in a single policy must be unique."
  const sids = statements.flatMap((st) => (st.sid ? [st.sid] : []));
  for (const sid of new Set(sids.filter((sid, i) => sids.indexOf(sid) !== i))) problems.push(`Sid "${sid}" names more than one statement; IAM requires each Sid of a policy to be unique`);
  // The IAM API takes a policy document of characters U+0009, U+000A, U+000D and U+0020-U+00FF only.
  // Checked on what the statements hold (anything else in the document is already an unknown
  // element), never by serializing it again: an object document may share members many times.
  const outside = statements.map(characterOutsideIam).find((c) => c !== undefined);
  if (outside !== undefined) problems.push(`the document holds the character U+${outside.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}, outside what the IAM API accepts (U+0020-U+00FF, tab and line breaks)`);
  if (problems.length > 0) return { ok: false, name, kind, problems };
  return { ok: true, policy: { name, kind, version, variablesEnabled: version === "2012-10-17", statements } };
}

/** `statement "AllowRestore" (#2) of policy "restore-role-inline"`: how messages name a statement. */
export function describeStatement(policyName: string, statement: { index: number; sid?: string }): string {
  const which = statement.sid ? `statement "${statement.sid}" (#${statement.index + 1})` : `statement #${statement.index + 1}`;
  // A name that already reads as a label (`RolePolicy "restore"`) is not quoted again.
  return `${which} of ${policyName.includes('"') ? policyName : `policy "${policyName}"`}`;
}

const OUTSIDE_IAM = /[^\u0009\u000A\u000D\u0020-\u00FF]/;

function characterOutsideIam(statement: PolicyStatement): string | undefined {
  const p = statement.principal?.principals;
  const texts = [
    statement.sid ?? "",
    ...statement.action.patterns,
    ...(statement.resource?.patterns ?? []),
    ...(p ? [...p.aws, ...p.service, ...p.federated, ...p.canonicalUser] : []),
    ...statement.conditions.flatMap((c) => [c.key, ...c.values]),
  ];
  for (const text of texts) {
    const found = OUTSIDE_IAM.exec(text);
    if (found) return found[0];
  }
  return undefined;
}
