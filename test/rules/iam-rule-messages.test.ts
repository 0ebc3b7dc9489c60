/**
 * Whole messages and exact edge behaviour of the three IAM stack rules (iam-no-prod-db-destruction,
 * iam-restore-role-scoped, iam-restore-role-trust): every finding is compared in full (urn, name,
 * deferred flag, and the message with its problem, why and fix), so a changed word, separator,
 * count or branch shows. Covers what the rules' own tests leave open:
 *
 * - no-prod-db-destruction: the misspellings note (none, one, three, "and N more"), a break-glass
 *   role whose trust is unknown or lacks MFA, principals whose policies are deferred or cannot be
 *   verified, users and groups, and customer managed policies attached to nothing (unknown,
 *   unverifiable, unreadable, harmful, harmless).
 * - restore-role-scoped: only roles are judged, the break-glass exemption, deferred and unverifiable
 *   policies, roles that cannot restore, the tag-set list (exactly three, "and N more tag sets"),
 *   "(may be allowed, depending on the request)", "granted by ... and ...", several restores, and
 *   DynamoDB item writes on production tables (the item-write probes).
 * - restore-role-trust: the `maxSessionDurationSeconds` edges (the limit in use shows as "above N"
 *   and a session exactly at it passes), unknown and wrong-typed maxSessionDuration, unknown,
 *   missing and unreadable trust policies, a service-only trust, and the deferred "whether it is a
 *   restore role" finding.
 */
import { BREAK_GLASS_TAG } from "../../components/tags";
import { UNKNOWN } from "../../guard/wire";
import type { Finding } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { iamNoProdDbDestruction } from "../../policies/rules/iam-no-prod-db-destruction";
import { iamRestoreRoleScoped } from "../../policies/rules/iam-restore-role-scoped";
import { type RestoreRoleTrustConfig, iamRestoreRoleTrust } from "../../policies/rules/iam-restore-role-trust";
import { PROD, type StackResourceSpec, TABLE, stackView, urnOf } from "../helpers/stack-view";
import { ACCOUNT, GROUP, GROUP_POLICY, ONCALL, POLICY, ROLE, ROLE_POLICY, USER, USER_POLICY, allow, attach, productionData, role } from "../iam/iam-stacks";

const SETTINGS = DEFAULT_SETTINGS as SharedSettings;

function view(resources: StackResourceSpec[], data: StackResourceSpec[] = productionData()) {
  return stackView({ resources: [...data, ...resources] });
}
const destruction = (resources: StackResourceSpec[]): Finding[] => iamNoProdDbDestruction.check(view(resources), {}, SETTINGS);
/**
 * iam-restore-role-scoped with a settings object of its own for each call: the rule remembers the
 * restore requests it builds per settings object, so each test builds (and so exercises) its own.
 */
const scoped = (resources: StackResourceSpec[], data?: StackResourceSpec[]): Finding[] => iamRestoreRoleScoped.check(view(resources, data), {}, { ...SETTINGS });
/** iam-restore-role-trust with the given config: `undefined` stands for a call with no config at all. */
const trustedWith = (resources: StackResourceSpec[], config: RestoreRoleTrustConfig | undefined): Finding[] =>
  iamRestoreRoleTrust.check(view(resources), config as RestoreRoleTrustConfig, SETTINGS);
const trusted = (resources: StackResourceSpec[]): Finding[] => trustedWith(resources, {});

const urn = (type: string, name: string) => urnOf("dev", type, name);
/** A violation as the rules build it (violationMessage in lib/rule.ts). */
const violation = (type: string, name: string, label: string, problem: string, why: string, fix: string): Finding => ({
  urn: urn(type, name),
  name,
  message: `${label}: ${problem}. Why it matters: ${why} Fix: ${fix}`,
});
/** A deferred finding as the rules build it (deferredFinding in lib/rule.ts). */
const deferred = (type: string, name: string, label: string, what: string): Finding => ({
  deferred: true,
  urn: urn(type, name),
  name,
  message: `${label}: ${what} is unknown until deployment; this check runs again with the real value at \`pulumi up\`.`,
});

const BREAK_GLASS = { [BREAK_GLASS_TAG.key]: BREAK_GLASS_TAG.value };
const MFA = { Bool: { "aws:MultiFactorAuthPresent": "true" } };
const assumedBy = (principal: unknown, extra: Record<string, unknown> = {}) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...extra }] });
const NO_MFA_TRUST = assumedBy({ AWS: ONCALL });
const LEGACY = `arn:aws:iam::${ACCOUNT}:policy/legacy-admin`;
const LEGACY_2 = `arn:aws:iam::${ACCOUNT}:policy/legacy-dba`;
/** A document that parses as JSON but is no valid policy (lower-case Effect). */
const LOWERCASE_ALLOW = '{"Statement": [{"Effect": "allow", "Action": "rds:*", "Resource": "*"}]}';
/** The same mistake twice. */
const LOWERCASE_ALLOW_TWICE = '{"Statement": [{"Effect": "allow", "Action": "rds:*", "Resource": "*"}, {"Effect": "deny", "Action": "rds:*", "Resource": "*"}]}';

/** The first grant reported for a principal allowed rds:DeleteDBInstance on "*": any DB instance tagged production. */
const TAGGED_DB_DELETE = "rds:DeleteDBInstance on arn:aws:rds:*:111111111111:db:* (resource tagged environment=prod)";

describe("iam-no-prod-db-destruction: whole messages", () => {
  const WHY = "whoever holds these permissions can destroy or overwrite production data in one API call, as in the incident where a 17-hour-old snapshot was restored over the live database.";
  const FIX =
    "scope its Allow statements to non-production resources (by ARN, and by aws:ResourceTag / aws:RequestTag conditions that match every spelling of the production tag), or add explicit Deny statements for these actions on production; if it is the break-glass role, tag it as such and require MFA in its trust policy.";
  const UNVERIFIABLE_WHY = "a policy the pack cannot read may grant anything, so it is treated as if it destroyed production (fail closed).";
  const UNVERIFIABLE_FIX = "fix the policy document, define customer managed policies in this stack, or attach AWS managed policies the pack knows; otherwise record a reviewed waiver.";
  const DETACHED_UNREADABLE_WHY = "a policy the pack cannot read may grant anything (fail closed).";
  const DETACHED_FIX = "scope the policy to non-production resources or add explicit Deny statements for production.";
  const roleViolation = (name: string, problem: string, why = WHY, fix = FIX) => violation(ROLE, name, `IAM role "${name}"`, problem, why, fix);

  describe("the misspellings note", () => {
    /** Allows deleting production databases; its Deny names `misspelt` actions and a condition key AWS does not have. */
    const guarded = (misspelt: string[]) => ({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "rds:DeleteDBInstance", Resource: "*" },
        { Sid: "Guard", Effect: "Deny", Action: ["rds:DeleteDBInstance", ...misspelt], Resource: "*", Condition: { StringEqualsIgnoreCase: { "aws:ResourceTags/environment": ["prod", "production"] } } },
      ],
    });
    const GUARD = 'statement "Guard" (#2) of RolePolicy "dba-permissions"';
    const grant = `${TAGGED_DB_DELETE} (may be allowed: ${GUARD}: StringEqualsIgnoreCase aws:ResourceTags/environment: aws:ResourceTags/environment is not known for this request), granted by statement #1 of RolePolicy "dba-permissions"`;
    const noAction = (action: string) => `${GUARD}: no rds action matches "${action}"`;
    const noKey = `${GUARD}: AWS has no condition key "aws:ResourceTags/environment"`;

    it("is left out when every name is right", () => {
      expect(destruction(role("dba", allow("rds:DeleteDBInstance")))).toEqual([
        roleViolation("dba", `can harm production: ${TAGGED_DB_DELETE}, granted by statement #1 of RolePolicy "dba-permissions"`),
      ]);
    });

    it("names a misspelt condition key with the statement that holds it", () => {
      expect(destruction(role("dba", guarded([])))).toEqual([roleViolation("dba", `can harm production: ${grant} (note: ${noKey})`)]);
    });

    it("lists exactly three notes without a count", () => {
      expect(destruction(role("dba", guarded(["rds:StopDbInstances", "rds:RebootDbInstances"])))).toEqual([
        roleViolation("dba", `can harm production: ${grant} (note: ${noAction("rds:StopDbInstances")}; ${noAction("rds:RebootDbInstances")}; ${noKey})`),
      ]);
    });

    it('shows three of four notes and counts the rest ("; and 1 more")', () => {
      expect(destruction(role("dba", guarded(["rds:StopDbInstances", "rds:RebootDbInstances", "rds:ModifyDbInstances"])))).toEqual([
        roleViolation("dba", `can harm production: ${grant} (note: ${noAction("rds:StopDbInstances")}; ${noAction("rds:RebootDbInstances")}; ${noAction("rds:ModifyDbInstances")}; and 1 more)`),
      ]);
    });

    it('counts five notes as "; and 2 more"', () => {
      expect(destruction(role("dba", guarded(["rds:StopDbInstances", "rds:RebootDbInstances", "rds:ModifyDbInstances", "rds:FailoverDbClusters"])))).toEqual([
        roleViolation("dba", `can harm production: ${grant} (note: ${noAction("rds:StopDbInstances")}; ${noAction("rds:RebootDbInstances")}; ${noAction("rds:ModifyDbInstances")}; and 2 more)`),
      ]);
    });
  });

  describe("break-glass roles", () => {
    it("defers a break-glass role whose trust policy is unknown in a preview", () => {
      expect(destruction(role("glass", allow("rds:*"), { tags: BREAK_GLASS, trust: UNKNOWN.string }))).toEqual([
        deferred(ROLE, "glass", 'IAM role "glass"', "its trust policy (to confirm the break-glass role requires MFA)"),
      ]);
    });

    it("fails a break-glass role without MFA, even one with no permissions at all, with the full message", () => {
      const expected = roleViolation(
        "glass",
        `is tagged db-guardrails:break-glass=true (break-glass) but its trust policy does not require MFA: ${ONCALL} can sts:AssumeRole without MFA (statement #1 of trust policy of role "glass")`,
        "the break-glass exemption exists for a role only a named person with MFA can assume; without MFA it is an ordinary role with the power to destroy production.",
        'add Condition {"Bool": {"aws:MultiFactorAuthPresent": "true"}} to every Allow statement of its assumeRolePolicy, or remove the break-glass tag.',
      );
      expect(destruction(role("glass", allow("rds:*"), { tags: BREAK_GLASS, trust: NO_MFA_TRUST }))).toEqual([expected]);
      expect(destruction(role("glass", undefined, { tags: BREAK_GLASS, trust: NO_MFA_TRUST }))).toEqual([expected]);
    });

    it("exempts a break-glass role whose trust policy requires MFA", () => {
      expect(destruction(role("glass", allow("rds:*"), { tags: BREAK_GLASS, trust: assumedBy({ AWS: ONCALL }, { Condition: MFA }) }))).toEqual([]);
    });
  });

  describe("principals whose policies cannot be judged yet, or at all", () => {
    it("defers on every unknown policy document, naming each", () => {
      const fs = destruction([...role("app", UNKNOWN.string), { type: ROLE_POLICY, name: "app-extra", props: { role: "app", policy: UNKNOWN.string } }]);
      expect(fs).toEqual([deferred(ROLE, "app", 'IAM role "app"', 'the document of RolePolicy "app-permissions", RolePolicy "app-extra"')]);
    });

    it("fails closed on policies it cannot read, naming every one", () => {
      const fs = destruction([...role("app", undefined), attach("app", LEGACY), attach("app", LEGACY_2)]);
      expect(fs).toEqual([
        roleViolation(
          "app",
          `its permissions cannot be verified: customer managed policy "${LEGACY}": ${LEGACY} is not defined in this stack, so its document cannot be read; customer managed policy "${LEGACY_2}": ${LEGACY_2} is not defined in this stack, so its document cannot be read`,
          UNVERIFIABLE_WHY,
          UNVERIFIABLE_FIX,
        ),
      ]);
    });

    it("fails closed on a document that does not compile", () => {
      expect(destruction(role("app", LOWERCASE_ALLOW))).toEqual([
        roleViolation("app", 'its permissions cannot be verified: RolePolicy "app-permissions": Statement[0].Effect must be "Allow" or "Deny", not "allow"', UNVERIFIABLE_WHY, UNVERIFIABLE_FIX),
      ]);
    });
  });

  describe("users and groups", () => {
    it('labels a user "IAM user" and a group "IAM group"', () => {
      const fs = destruction([
        { type: USER, name: "alice", props: { name: "alice" } },
        { type: USER_POLICY, name: "alice-policy", props: { user: "alice", policy: JSON.stringify(allow("rds:DeleteDBInstance")) } },
        { type: GROUP, name: "dbas", props: { name: "dbas" } },
        { type: GROUP_POLICY, name: "dbas-policy", props: { group: "dbas", policy: UNKNOWN.string } },
      ]);
      expect(fs).toEqual([
        violation(USER, "alice", 'IAM user "alice"', `can harm production: ${TAGGED_DB_DELETE}, granted by statement #1 of UserPolicy "alice-policy"`, WHY, FIX),
        deferred(GROUP, "dbas", 'IAM group "dbas"', 'the document of GroupPolicy "dbas-policy"'),
      ]);
    });
  });

  describe("customer managed policies attached to no principal", () => {
    const spare = (policy: unknown): StackResourceSpec => ({ type: POLICY, name: "spare", props: policy === undefined ? {} : { policy } });
    const LABEL = 'aws:iam/policy:Policy "spare"';

    it("defers one whose document is unknown in a preview", () => {
      expect(destruction([spare(UNKNOWN.string)])).toEqual([deferred(POLICY, "spare", LABEL, `the document of ${LABEL}`)]);
    });

    it("fails one whose document is not set", () => {
      expect(destruction([spare(undefined)])).toEqual([
        violation(POLICY, "spare", LABEL, `${LABEL} cannot be verified: policy is not set`, DETACHED_UNREADABLE_WHY, "make its document readable, or record a reviewed waiver."),
      ]);
    });

    it("fails one whose document does not compile, naming every problem", () => {
      expect(destruction([spare(LOWERCASE_ALLOW)])).toEqual([
        violation(POLICY, "spare", LABEL, `${LABEL} cannot be verified: ${LABEL}: Statement[0].Effect must be "Allow" or "Deny", not "allow"`, DETACHED_UNREADABLE_WHY, "fix the policy document."),
      ]);
      expect(destruction([spare(LOWERCASE_ALLOW_TWICE)])).toEqual([
        violation(
          POLICY,
          "spare",
          LABEL,
          `${LABEL} cannot be verified: ${LABEL}: Statement[0].Effect must be "Allow" or "Deny", not "allow"; ${LABEL}: Statement[1].Effect must be "Allow" or "Deny", not "deny"`,
          DETACHED_UNREADABLE_WHY,
          "fix the policy document.",
        ),
      ]);
    });

    it("fails one that would harm production", () => {
      expect(destruction([spare(JSON.stringify(allow("rds:DeleteDBInstance")))])).toEqual([
        violation(POLICY, "spare", LABEL, `${LABEL}, attached to no principal of this stack, would let whoever it is attached to harm production: ${TAGGED_DB_DELETE}, granted by statement #1 of ${LABEL}`, WHY, DETACHED_FIX),
      ]);
    });

    it("passes one that cannot harm production", () => {
      expect(destruction([spare(JSON.stringify(allow(["rds:Describe*", "dynamodb:GetItem"])))])).toEqual([]);
    });

    it("reports a RolePolicy whose role is not in the stack under its own type", () => {
      const orphan: StackResourceSpec = { type: ROLE_POLICY, name: "orphan", props: { role: "ghost", policy: JSON.stringify(allow("rds:DeleteDBInstance")) } };
      expect(destruction([orphan])).toEqual([
        violation(
          ROLE_POLICY,
          "orphan",
          'aws:iam/rolePolicy:RolePolicy "orphan"',
          `RolePolicy "orphan", attached to no principal of this stack, would let whoever it is attached to harm production: ${TAGGED_DB_DELETE}, granted by statement #1 of RolePolicy "orphan"`,
          WHY,
          DETACHED_FIX,
        ),
      ]);
    });
  });
});

describe("iam-restore-role-scoped: whole messages", () => {
  const WHY = "a restore role exists to bring back data next to production; if it can also create production-tagged or untagged databases, or touch production, one mistyped identifier overwrites the live database.";
  const FIX =
    'give each restore Allow a condition {"StringEquals": {"aws:RequestTag/environment": "<non-production value>"}} (plain StringEquals: ForAllValues passes requests without tags), allow item writes only on restore-target tables, and deny the destructive actions on production (scoped to database ARNs, not snapshots, so restores from production snapshots still work).';
  const roleViolation = (name: string, problem: string) => violation(ROLE, name, `IAM role "${name}"`, problem, WHY, FIX);
  const INSTANCE = "rds:RestoreDBInstanceFromDBSnapshot";
  const CLUSTER_RESTORE = "rds:RestoreDBClusterFromSnapshot";
  /** A restore with Resource "*" may also restore over the production instance "orders". */
  const overOrders = (by: string) => `it can act on production beyond reading snapshots and recovery points: ${INSTANCE} on arn:aws:rds:us-east-1:111111111111:db:orders (request untagged), granted by ${by}`;
  const STATEMENT_1 = 'statement #1 of RolePolicy "r-permissions"';
  /** Only requests with neither environment nor env tag: no tags, and owner=on-call. */
  const NO_ENVIRONMENT_TAG = { Null: { "aws:RequestTag/env": "true", "aws:RequestTag/environment": "true" } };
  const NOT_TAGGED = "it can restore into databases not tagged non-production:";

  it("judges only roles: a user who may restore is not a restore role", () => {
    expect(
      scoped([
        { type: USER, name: "alice", props: { name: "alice" } },
        { type: USER_POLICY, name: "alice-policy", props: { user: "alice", policy: JSON.stringify(allow(INSTANCE)) } },
      ]),
    ).toEqual([]);
  });

  it("exempts a break-glass role whose trust requires MFA, and judges one without MFA", () => {
    expect(scoped(role("g", allow(INSTANCE), { tags: BREAK_GLASS, trust: assumedBy({ AWS: ONCALL }, { Condition: MFA }) }))).toEqual([]);
    expect(scoped(role("g", allow(INSTANCE, "*", { Condition: NO_ENVIRONMENT_TAG }), { tags: BREAK_GLASS, trust: NO_MFA_TRUST }))).toEqual([
      violation(
        ROLE,
        "g",
        'IAM role "g"',
        `may restore (${INSTANCE}) and ${NOT_TAGGED} ${INSTANCE} into a new database with no tags, tagged only owner=on-call (no environment tag), granted by statement #1 of RolePolicy "g-permissions"; and ${overOrders('statement #1 of RolePolicy "g-permissions"')}`,
        WHY,
        FIX,
      ),
    ]);
  });

  it("defers on unknown policy documents, naming each", () => {
    const fs = scoped([...role("r", UNKNOWN.string), { type: ROLE_POLICY, name: "r-extra", props: { role: "r", policy: UNKNOWN.string } }]);
    expect(fs).toEqual([deferred(ROLE, "r", 'IAM role "r"', 'whether it is a restore role (the document of RolePolicy "r-permissions", RolePolicy "r-extra")')]);
  });

  it("leaves a role with unreadable policies to iam-no-prod-db-destruction", () => {
    expect(scoped([...role("r", allow(INSTANCE)), attach("r", LEGACY)])).toEqual([]);
    expect(scoped(role("r", LOWERCASE_ALLOW))).toEqual([]);
  });

  it("leaves roles that cannot restore to iam-no-prod-db-destruction, whatever they may do to production", () => {
    expect(scoped(role("r", allow("rds:DeleteDBInstance")))).toEqual([]);
    expect(scoped(role("r", allow(["dynamodb:PutItem", "dynamodb:UpdateItem"])))).toEqual([]);
  });

  it("fails a restore that demands only the unrelated tag owner=on-call", () => {
    expect(scoped(role("r", allow(INSTANCE, "*", { Condition: { StringEquals: { "aws:RequestTag/owner": "on-call" } } })))).toEqual([
      roleViolation("r", `may restore (${INSTANCE}) and ${NOT_TAGGED} ${INSTANCE} into a new database tagged only owner=on-call (no environment tag), granted by ${STATEMENT_1}`),
    ]);
  });

  it("names exactly three open tag sets without a count", () => {
    const three = { "ForAllValues:StringEquals": { "aws:TagKeys": ["owner", "Environment"] }, StringEqualsIfExists: { "aws:RequestTag/environment": "prod" } };
    expect(scoped(role("r", allow(INSTANCE, "*", { Condition: three })))).toEqual([
      roleViolation("r", `may restore (${INSTANCE}) and ${NOT_TAGGED} ${INSTANCE} into a new database with no tags, tagged only owner=on-call (no environment tag), tagged Environment=prod, granted by ${STATEMENT_1}; and ${overOrders(STATEMENT_1)}`),
    ]);
  });

  it('names three of four open tag sets and counts the rest ("and 1 more tag sets")', () => {
    const four = { "ForAllValues:StringEquals": { "aws:TagKeys": ["owner", "Environment"] }, StringEqualsIfExists: { "aws:RequestTag/environment": ["prod", "Prod"] } };
    expect(scoped(role("r", allow(INSTANCE, "*", { Condition: four })))).toEqual([
      roleViolation(
        "r",
        `may restore (${INSTANCE}) and ${NOT_TAGGED} ${INSTANCE} into a new database with no tags, tagged only owner=on-call (no environment tag), tagged Environment=prod and 1 more tag sets, granted by ${STATEMENT_1}; and ${overOrders(STATEMENT_1)}`,
      ),
    ]);
  });

  it('says "(may be allowed, depending on the request)" when a condition cannot be decided', () => {
    const unsure = { ...NO_ENVIRONMENT_TAG, IpAddress: { "aws:SourceIp": "10.0.0.0/8" } };
    expect(scoped(role("r", allow(INSTANCE, "*", { Condition: unsure })))).toEqual([
      roleViolation(
        "r",
        `may restore (${INSTANCE}) and ${NOT_TAGGED} ${INSTANCE} into a new database with no tags, tagged only owner=on-call (no environment tag) (may be allowed, depending on the request), granted by ${STATEMENT_1}; and it can act on production beyond reading snapshots and recovery points: ${INSTANCE} on arn:aws:rds:us-east-1:111111111111:db:orders (request untagged) (may be allowed: ${STATEMENT_1}: IpAddress aws:SourceIp: aws:SourceIp is not known for this request), granted by ${STATEMENT_1}`,
      ),
    ]);
  });

  it("names every statement that grants the restore into the new database", () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Sid: "A", Effect: "Allow", Action: INSTANCE, Resource: "*", Condition: NO_ENVIRONMENT_TAG },
        { Sid: "B", Effect: "Allow", Action: INSTANCE, Resource: `arn:aws:rds:*:${ACCOUNT}:db:restore-*`, Condition: NO_ENVIRONMENT_TAG },
      ],
    };
    const A = 'statement "A" (#1) of RolePolicy "r-permissions"';
    const B = 'statement "B" (#2) of RolePolicy "r-permissions"';
    expect(scoped(role("r", policy))).toEqual([
      roleViolation("r", `may restore (${INSTANCE}) and ${NOT_TAGGED} ${INSTANCE} into a new database with no tags, tagged only owner=on-call (no environment tag), granted by ${A} and ${B}; and ${overOrders(A)}`),
    ]);
  });

  it("lists each restore and each restore's open tag sets", () => {
    expect(scoped(role("r", allow([INSTANCE, CLUSTER_RESTORE], "*", { Condition: NO_ENVIRONMENT_TAG })))).toEqual([
      roleViolation(
        "r",
        `may restore (${INSTANCE}, ${CLUSTER_RESTORE}) and ${NOT_TAGGED} ${INSTANCE} into a new database with no tags, tagged only owner=on-call (no environment tag), granted by ${STATEMENT_1}; ${CLUSTER_RESTORE} into a new database with no tags, tagged only owner=on-call (no environment tag), granted by ${STATEMENT_1}; and ${overOrders(STATEMENT_1)}`,
      ),
    ]);
  });

  it("fails a DynamoDB restore role that may write items of production tables (the item-write probes)", () => {
    // Its own production data: the item-write probes are built once per probe list (memoized), so
    // this test must be the one that builds them for the stack it checks.
    const data: StackResourceSpec[] = [{ type: TABLE, name: "sessions", props: { name: "sessions", tags: PROD } }];
    const writes = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"];
    const granted = (action: string) => `${action} on arn:aws:dynamodb:*:111111111111:table/* (resource tagged environment=prod), granted by statement #1 of RolePolicy "t-permissions"`;
    expect(scoped(role("t", allow(["dynamodb:RestoreTableFromBackup", ...writes])), data)).toEqual([
      violation(ROLE, "t", 'IAM role "t"', `may restore (dynamodb:RestoreTableFromBackup) and it can act on production beyond reading snapshots and recovery points: ${writes.map(granted).join("; ")}`, WHY, FIX),
    ]);
    // Item writes kept off production tables pass.
    const offProduction = allow(["dynamodb:RestoreTableFromBackup", ...writes], `arn:aws:dynamodb:*:${ACCOUNT}:table/*`, {
      Condition: { StringNotEqualsIgnoreCase: { "aws:ResourceTag/environment": ["prod", "production"], "aws:ResourceTag/env": ["prod", "production"] }, Null: { "aws:ResourceTag/environment": "false" } },
    });
    expect(scoped(role("t", offProduction), data)).toEqual([]);
  });
});

describe("iam-restore-role-trust: whole messages and the session limit", () => {
  const WHY = "a restore role can recreate databases from production data; who may assume it, and for how long, must be as narrow as a production change.";
  const fix = (limit: number) =>
    `name the people or roles that restore in the trust policy's Principal (never "*" or a whole account without an aws:PrincipalArn condition), require {"Bool": {"aws:MultiFactorAuthPresent": "true"}}, and set maxSessionDuration to at most ${limit}.`;
  const INSTANCE = "rds:RestoreDBInstanceFromDBSnapshot";
  const RESTORE = allow(INSTANCE, `arn:aws:rds:*:${ACCOUNT}:db:restore-*`, { Condition: { StringEquals: { "aws:RequestTag/environment": "restore" } } });
  const WITH_MFA = assumedBy({ AWS: ONCALL }, { Condition: MFA });
  const restorer = (options: { trust?: object | string; maxSessionDuration?: number | string } = {}, policy: object | string = RESTORE) => role("r", policy, { trust: WITH_MFA, ...options });
  const failure = (problem: string, limit = 3600) => violation(ROLE, "r", 'IAM role "r"', `may restore (${INSTANCE}) but ${problem}`, WHY, fix(limit));

  describe("maxSessionDurationSeconds", () => {
    it.each([
      ["unset (default 3600)", undefined, 3600],
      ["no config at all (default 3600)", "none", 3600],
      ["899, below AWS's minimum (default 3600)", 899, 3600],
      ["900, the minimum", 900, 900],
      ["1800", 1800, 1800],
      ["3600, the ceiling", 3600, 3600],
      ["3601, above the ceiling (default 3600)", 3601, 3600],
      ["1800.5, not an integer (default 3600)", 1800.5, 3600],
      ['"1800", a string (default 3600)', "1800", 3600],
    ])("with %s: a session one second longer than the limit fails, one exactly at it passes", (_what, setting, limit) => {
      const config = setting === "none" ? undefined : setting === undefined ? {} : ({ maxSessionDurationSeconds: setting } as unknown as RestoreRoleTrustConfig);
      expect(trustedWith(restorer({ maxSessionDuration: limit + 1 }), config)).toEqual([failure(`maxSessionDuration is ${limit + 1} seconds, above ${limit}`, limit)]);
      expect(trustedWith(restorer({ maxSessionDuration: limit }), config)).toEqual([]);
    });

    it("passes a role without maxSessionDuration under the default limit (AWS's default is one hour)", () => {
      expect(trusted(restorer())).toEqual([]);
    });
  });

  it("defers an unknown maxSessionDuration", () => {
    expect(trusted(restorer({ maxSessionDuration: UNKNOWN.number }))).toEqual([deferred(ROLE, "r", 'IAM role "r"', "maxSessionDuration")]);
  });

  it("fails a maxSessionDuration that is not a number", () => {
    expect(trusted(restorer({ maxSessionDuration: "1h" }))).toEqual([failure("maxSessionDuration is not a number")]);
  });

  it("defers an unknown trust policy, and still reports the session length", () => {
    expect(trusted(restorer({ trust: UNKNOWN.string }))).toEqual([deferred(ROLE, "r", 'IAM role "r"', "its trust policy (assumeRolePolicy)")]);
    expect(trusted(restorer({ trust: UNKNOWN.string, maxSessionDuration: 7200 }))).toEqual([
      deferred(ROLE, "r", 'IAM role "r"', "its trust policy (assumeRolePolicy)"),
      failure("maxSessionDuration is 7200 seconds, above 3600"),
    ]);
  });

  it("fails a role without a trust policy", () => {
    const [roleSpec, ...rest] = restorer();
    const { assumeRolePolicy: _dropped, ...props } = roleSpec!.props!;
    expect(trusted([{ ...roleSpec!, props }, ...rest])).toEqual([failure("its trust policy cannot be verified: the role has no assumeRolePolicy")]);
  });

  it("fails a trust policy it cannot read, naming every problem", () => {
    const broken = '{"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "x"}}, {"Effect": "Allow", "Action": "sts:AssumeRole"}]}';
    expect(trusted(restorer({ trust: broken }))).toEqual([
      failure('its trust policy cannot be verified: Statement[0].Effect must be "Allow" or "Deny", not "allow"; Statement[1] must have exactly one of Principal and NotPrincipal'),
    ]);
  });

  it("names every principal that may assume it without MFA", () => {
    const DBA = `arn:aws:iam::${ACCOUNT}:role/dba`;
    expect(trusted(restorer({ trust: assumedBy({ AWS: [ONCALL, DBA] }) }))).toEqual([
      failure(`it does not require MFA: ${ONCALL} can sts:AssumeRole without MFA (statement #1 of trust policy of role "r"); ${DBA} can sts:AssumeRole without MFA (statement #1 of trust policy of role "r")`),
    ]);
  });

  it("joins every problem of a role that may do several restores", () => {
    const both = allow([INSTANCE, "rds:RestoreDBClusterFromSnapshot"], "*", { Condition: { StringEquals: { "aws:RequestTag/environment": "restore" } } });
    expect(trustedWith(restorer({ trust: assumedBy({ AWS: "*" }), maxSessionDuration: 7200 }, both), { maxSessionDurationSeconds: 1800 })).toEqual([
      violation(
        ROLE,
        "r",
        'IAM role "r"',
        `may restore (${INSTANCE}, rds:RestoreDBClusterFromSnapshot) but statement #1 of trust policy of role "r" admits every AWS principal ("*"); it does not require MFA: any principal it admits can sts:AssumeRole without MFA (statement #1 of trust policy of role "r"); maxSessionDuration is 7200 seconds, above 1800`,
        WHY,
        fix(1800),
      ),
    ]);
  });

  it("needs no MFA from a role only an AWS service assumes", () => {
    expect(trusted(restorer({ trust: assumedBy({ Service: "backup.amazonaws.com" }), maxSessionDuration: 3600 }))).toEqual([]);
  });

  it("judges only roles: a user who may restore has no trust policy to judge", () => {
    expect(
      trusted([
        { type: USER, name: "alice", props: { name: "alice" } },
        { type: USER_POLICY, name: "alice-policy", props: { user: "alice", policy: JSON.stringify(RESTORE) } },
      ]),
    ).toEqual([]);
  });

  it("ignores a role that cannot restore, whatever it trusts", () => {
    expect(trusted(restorer({ trust: assumedBy({ AWS: "*" }), maxSessionDuration: 43200 }, allow(["dynamodb:PutItem", "rds:DeleteDBInstance"])))).toEqual([]);
  });

  it('defers "whether it is a restore role" on unknown policy documents, naming each', () => {
    const fs = trusted([...restorer({}, UNKNOWN.string), { type: ROLE_POLICY, name: "r-extra", props: { role: "r", policy: UNKNOWN.string } }]);
    expect(fs).toEqual([deferred(ROLE, "r", 'IAM role "r"', 'whether it is a restore role (the document of RolePolicy "r-permissions", RolePolicy "r-extra")')]);
  });

  it("leaves a role with unreadable policies to iam-no-prod-db-destruction", () => {
    expect(trusted([...restorer({ trust: assumedBy({ AWS: "*" }) }), attach("r", LEGACY)])).toEqual([]);
  });
});
