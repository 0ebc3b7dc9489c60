/**
 * backup-vault-lock, backup-restore-testing and backup-offsite-copy against malformed and unknown
 * inputs, policy config included, with the full message of each finding; and, at the end, the
 * malformed inputs on a production database's backup path that some rule lets pass today (those
 * cases are written as the pack should behave and fail until the sources are fixed).
 */
import { UNKNOWN } from "../../guard/wire";
import type { Finding } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { backupOffsiteCopy } from "../../policies/rules/backup-offsite-copy";
import { backupRestoreTesting } from "../../policies/rules/backup-restore-testing";
import { type BackupVaultLockConfig, backupVaultLock } from "../../policies/rules/backup-vault-lock";
import { prodDbBackupCoverage } from "../../policies/rules/prod-db-backup-coverage";
import { prodDbEventAlerts } from "../../policies/rules/prod-db-event-alerts";
import { prodDbRpo } from "../../policies/rules/prod-db-rpo";
import { ACCOUNT, CLUSTER, EVENTS, LOCK, OTHER_ACCOUNT, PLAN, PROD, RT_PLAN, RT_SELECTION, SELECTION, type StackResourceSpec, TABLE, VAULT, backedUp, prodRds, stackView } from "../helpers/stack-view";

const SETTINGS = DEFAULT_SETTINGS as SharedSettings;
type Providers = Record<string, Record<string, unknown>>;

const violations = (fs: Finding[]) => fs.filter((f) => !f.deferred);
const deferred = (fs: Finding[]) => fs.filter((f) => f.deferred);
const deferredMessage = (label: string, what: string) => `${label}: ${what} is unknown until deployment; this check runs again with the real value at \`pulumi up\`.`;

const PLAN_URN = "urn:pulumi:dev::proj::aws:backup/plan:Plan::plan";
const VAULT_URN = "urn:pulumi:dev::proj::aws:backup/vault:Vault::vault";
const ORDERS_URN = "urn:pulumi:dev::proj::aws:rds/instance:Instance::orders";
const EXTERNAL_VAULT = "arn:aws:backup:us-west-2:222222222222:backup-vault:dr";

/** A selection of `plan` (by dependency) that selects the databases named (by dependency). */
function selectionOf(databases: string[], name = "selection", planName = "plan"): StackResourceSpec {
  return { type: SELECTION, name, props: { planId: UNKNOWN.string, resources: databases.map(() => UNKNOWN.string) }, propertyDependencies: { planId: [planName], resources: databases } };
}

/** The backedUp() stack with the plan's rules (and rule dependencies) replaced. */
function withRules(rules: unknown, deps: string[] = ["vault"], extra: StackResourceSpec[] = []): StackResourceSpec[] {
  return [prodRds("orders"), ...backedUp(["orders"]).map((r) => (r.type === PLAN ? { ...r, props: { name: "plan", rules }, propertyDependencies: deps.length > 0 ? { rules: deps } : {} } : r)), ...extra];
}

// ---------------------------------------------------------------------------------------------

describe("backup-vault-lock: inputs", () => {
  const check = (resources: StackResourceSpec[], config: BackupVaultLockConfig = {}, providers?: Providers) => backupVaultLock.check(stackView({ resources, providers }), config, SETTINGS);
  const WHY = "without a compliance-mode lock anyone with enough IAM rights (or a compromised deploy role) can delete the recovery points together with the database.";
  const vaultViolation = (problem: string, minDays = 7, vault = "vault"): Finding => ({
    urn: `urn:pulumi:dev::proj::aws:backup/vault:Vault::${vault}`,
    name: vault,
    message: `backup vault "${vault}": ${problem}. Why it matters: ${WHY} Fix: add an aws.backup.VaultLockConfiguration with backupVaultName: ${vault}.name, changeableForDays: 3 and minRetentionDays: ${minDays} (or more), and keep forceDestroy unset or false on the vault.`,
  });
  const planViolation = (problem: string, fix = "set it to the name (targetVaultName) or ARN (destinationVaultArn) of a locked vault."): Finding => ({
    urn: PLAN_URN,
    name: "plan",
    message: `backup plan "plan": ${problem}. Why it matters: ${WHY} Fix: ${fix}`,
  });
  const NO_LOCK = "no aws:backup/vaultLockConfiguration:VaultLockConfiguration locks it (add one with backupVaultName: vault.name, changeableForDays: 3, minRetentionDays: 7)";
  const TARGET = 'it receives recovery points of production database "orders" (target of rule "daily" in backup plan "plan") but';
  const stack = (change: (r: StackResourceSpec) => StackResourceSpec | undefined = (r) => r, options = {}) =>
    [prodRds("orders"), ...backedUp(["orders"], options)].map(change).filter((r): r is StackResourceSpec => r !== undefined);
  const withLock = (props: Record<string, unknown>) => stack((r) => (r.type === LOCK ? { ...r, props: { backupVaultName: "vault", ...props } } : r));
  const unlocked = () => stack((r) => (r.type === LOCK ? undefined : r));

  it("gives the whole message of a violation on an unlocked vault", () => {
    expect(check(unlocked())).toEqual([vaultViolation(`${TARGET} ${NO_LOCK}`)]);
  });

  it("accepts minRetentionDays equal to the floor and fails one day below it", () => {
    expect(check(stack(undefined, { lockDays: 1 }), { minVaultLockDays: 1 })).toEqual([]);
    expect(check(stack(undefined, { lockDays: 6 }))).toEqual([vaultViolation(`${TARGET} lock "vault-lock" minRetentionDays is 6, below the required 7 days`)]);
    expect(check(stack(undefined, { lockDays: 29 }), { minVaultLockDays: 30 })).toEqual([vaultViolation(`${TARGET} lock "vault-lock" minRetentionDays is 29, below the required 30 days`, 30)]);
  });

  it.each<[string, unknown, string]>([
    ["zero", 0, "0"],
    ["below one", 0.5, "0.5"],
    ["text", "30", '"30"'],
    ["not a number", Number.NaN, "null"],
    ["infinite", Number.POSITIVE_INFINITY, "null"],
    ["null", null, "null"],
  ])("reports a minVaultLockDays that is %s and falls back to 7 days", (_label, minVaultLockDays, shown) => {
    const fs = check(stack(undefined, { lockDays: 6 }), { minVaultLockDays: minVaultLockDays as number });
    expect(fs).toEqual([
      {
        message: `Policy config: backup-vault-lock.minVaultLockDays is ${shown}, not a number of days >= 1; the default 7 is used. Why it matters: a floor that cannot be read must not silently loosen the check. Fix: set backup-vault-lock.minVaultLockDays to a whole number of days.`,
      },
      vaultViolation(`${TARGET} lock "vault-lock" minRetentionDays is 6, below the required 7 days`),
    ]);
  });

  describe("lockedExternalVaults", () => {
    const copyOutside = () => withRules([{ ruleName: "daily", targetVaultName: "vault", copyActions: [{ destinationVaultArn: EXTERNAL_VAULT }] }]);
    const outside = planViolation(
      `the copy destination #1 of rule "daily", vault ${EXTERNAL_VAULT} (not in this stack), receives recovery points of production database "orders" but is not managed in this stack, so its lock cannot be checked`,
      `verify its compliance-mode lock where it is managed, then add "${EXTERNAL_VAULT}" to lockedExternalVaults in the backup-vault-lock policy config (or manage the vault and its VaultLockConfiguration in this stack).`,
    );
    const configProblem = (shown: string): Finding => ({
      message: `Policy config: backup-vault-lock.lockedExternalVaults is ${shown}, not a list of vault ARNs or names; entries that are not strings are ignored. Why it matters: a vault exempted by mistake would hold production backups unlocked. Fix: list vault ARNs or names as strings.`,
    });

    it("fails a vault outside the stack unless a pattern lists it", () => {
      expect(check(copyOutside())).toEqual([outside]);
      expect(check(copyOutside(), { lockedExternalVaults: [] })).toEqual([outside]);
      expect(check(copyOutside(), { lockedExternalVaults: ["arn:aws:backup:us-west-2:222222222222:backup-vault:d"] })).toEqual([outside]);
      expect(check(copyOutside(), { lockedExternalVaults: ["arn:aws:backup:us-west-2:*:backup-vault:dr"] })).toEqual([]);
    });

    it("matches a target outside the stack by its name", () => {
      const fs = check(withRules([{ ruleName: "daily", targetVaultName: "elsewhere" }], []));
      expect(fs).toEqual([
        planViolation(
          'the target of rule "daily", vault elsewhere (not in this stack), receives recovery points of production database "orders" but is not managed in this stack, so its lock cannot be checked',
          'verify its compliance-mode lock where it is managed, then add "elsewhere" to lockedExternalVaults in the backup-vault-lock policy config (or manage the vault and its VaultLockConfiguration in this stack).',
        ),
      ]);
      expect(check(withRules([{ ruleName: "daily", targetVaultName: "elsewhere" }], []), { lockedExternalVaults: ["else*"] })).toEqual([]);
    });

    it.each<[string, unknown, string, Finding[]]>([
      ["text instead of a list", EXTERNAL_VAULT, `"${EXTERNAL_VAULT}"`, [outside]],
      ["null", null, "null", [outside]],
      ["a list with a number", [42, EXTERNAL_VAULT], `[42,"${EXTERNAL_VAULT}"]`, []],
      ["a list with an empty string", ["", EXTERNAL_VAULT], `["","${EXTERNAL_VAULT}"]`, []],
    ])("reports lockedExternalVaults that are %s and keeps only its non-empty strings", (_label, lockedExternalVaults, shown, rest) => {
      expect(check(copyOutside(), { lockedExternalVaults: lockedExternalVaults as string[] })).toEqual([configProblem(shown), ...rest]);
    });
  });

  it("defers a selected plan whose rules are unknown and depend on no vault", () => {
    expect(check(withRules(UNKNOWN.array, []))).toEqual([
      { deferred: true, urn: PLAN_URN, name: "plan", message: deferredMessage('backup plan "plan"', "its rules, and so the vaults that receive production recovery points") },
    ]);
  });

  it("judges the vaults that unknown rules depend on", () => {
    const fs = check(withRules(UNKNOWN.array, ["vault"]).filter((r) => r.type !== LOCK));
    expect(fs).toEqual([vaultViolation(`it receives recovery points of production database "orders" (vault its rules depend on in backup plan "plan") but ${NO_LOCK}`)]);
    expect(check(withRules(UNKNOWN.array, ["vault"]))).toEqual([]);
  });

  it("defers, rather than fails, the vaults of a plan that only may back up a production database", () => {
    const maybe = unlocked().map((r) => (r.type === SELECTION ? { ...r, propertyDependencies: { planId: ["plan"] } } : r));
    expect(check(maybe)).toEqual([{ deferred: true, urn: VAULT_URN, name: "vault", message: deferredMessage('backup vault "vault"', `whether it is locked well enough for production recovery points (${NO_LOCK})`) }]);
    const maybeForced = maybe.map((r) => (r.type === VAULT ? { ...r, props: { ...r.props, forceDestroy: UNKNOWN.bool } } : r));
    expect(check(maybeForced)).toEqual([
      { deferred: true, urn: VAULT_URN, name: "vault", message: deferredMessage('backup vault "vault"', `whether it is locked well enough for production recovery points (${NO_LOCK}; forceDestroy unknown until deployment)`) },
    ]);
    const noTarget = withRules([{ ruleName: "daily" }], []).map((r) => (r.type === SELECTION ? { ...r, propertyDependencies: { planId: ["plan"] } } : r));
    expect(check(noTarget)).toEqual([
      {
        deferred: true,
        urn: PLAN_URN,
        name: "plan",
        message: deferredMessage('backup plan "plan"', 'whether it backs up production database "orders" (so that: the target of rule "daily" cannot be read: rule "daily" targetVaultName is not set)'),
      },
    ]);
  });

  it("judges a plan once, as certain, when it surely backs up one production database and maybe another", () => {
    const resources = [...withRules([{ ruleName: "daily" }], []), prodRds("users"), { type: SELECTION, name: "maybe", props: { planId: UNKNOWN.string, resources: [UNKNOWN.string] }, propertyDependencies: { planId: ["plan"] } }];
    expect(check(resources)).toEqual([planViolation('the target of rule "daily" cannot be read: rule "daily" targetVaultName is not set')]);
  });

  it("names the first production database of a plan, and reports a vault once across roles and plans", () => {
    const resources = [
      ...unlocked().map((r) => (r.type === SELECTION ? selectionOf(["orders", "users"]) : r)),
      prodRds("users"),
      { type: PLAN, name: "plan2", props: { rules: [{ ruleName: "weekly", targetVaultName: "vault" }] }, propertyDependencies: { rules: ["vault"] } },
      selectionOf(["users"], "selection2", "plan2"),
    ];
    expect(check(resources)).toEqual([vaultViolation(`${TARGET} ${NO_LOCK}`)]);
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ["bad, then good", { minRetentionDays: 1 }, { minRetentionDays: 7 }],
    ["good, then bad", { minRetentionDays: 7 }, { minRetentionDays: 1 }],
  ])("judges the best of several locks on one vault (%s)", (_label, first, second) => {
    const resources = [...unlocked(), { type: LOCK, name: "l1", props: { backupVaultName: "vault", changeableForDays: 3, ...first } }, { type: LOCK, name: "l2", props: { backupVaultName: "vault", changeableForDays: 3, ...second } }];
    expect(check(resources)).toEqual([]);
  });

  it.each<[string, string[]]>([
    ["unknown, then bad", ["unsure", "bad"]],
    ["bad, then unknown", ["bad", "unsure"]],
  ])("prefers a lock that may be good to one that is bad (%s)", (_label, order) => {
    const locks: Record<string, StackResourceSpec> = {
      unsure: { type: LOCK, name: "unsure", props: { backupVaultName: "vault", changeableForDays: UNKNOWN.number, minRetentionDays: 7 } },
      bad: { type: LOCK, name: "bad", props: { backupVaultName: "vault", changeableForDays: 3, minRetentionDays: 1 } },
    };
    expect(check([...unlocked(), ...order.map((n) => locks[n])])).toEqual([
      { deferred: true, urn: VAULT_URN, name: "vault", message: deferredMessage('backup vault "vault"', 'whether it is locked well enough for production recovery points (lock "unsure" changeableForDays unknown until deployment)') },
    ]);
  });

  it.each<[string, Record<string, unknown>, Finding[]]>([
    ["changeableForDays unknown", { changeableForDays: UNKNOWN.number, minRetentionDays: 7 }, [{ deferred: true, urn: VAULT_URN, name: "vault", message: deferredMessage('backup vault "vault"', 'whether it is locked well enough for production recovery points (lock "vault-lock" changeableForDays unknown until deployment)') }]],
    ["changeableForDays not a number", { changeableForDays: "three", minRetentionDays: 7 }, [vaultViolation(`${TARGET} lock "vault-lock" changeableForDays is "three", not a number of days`)]],
    ["changeableForDays as text", { changeableForDays: "3", minRetentionDays: "7" }, []],
    [
      "settings are both unknown",
      { changeableForDays: UNKNOWN.number, minRetentionDays: UNKNOWN.number },
      [
        {
          deferred: true,
          urn: VAULT_URN,
          name: "vault",
          message: deferredMessage('backup vault "vault"', 'whether it is locked well enough for production recovery points (lock "vault-lock" changeableForDays unknown until deployment; lock "vault-lock" minRetentionDays unknown until deployment)'),
        },
      ],
    ],
    ["minRetentionDays unknown", { changeableForDays: 3, minRetentionDays: UNKNOWN.number }, [{ deferred: true, urn: VAULT_URN, name: "vault", message: deferredMessage('backup vault "vault"', 'whether it is locked well enough for production recovery points (lock "vault-lock" minRetentionDays unknown until deployment)') }]],
    [
      "both missing",
      {},
      [
        vaultViolation(
          `${TARGET} lock "vault-lock" has no changeableForDays, so it is a governance-mode lock that can be removed (set changeableForDays, e.g. 3, for compliance mode); lock "vault-lock" sets no minRetentionDays, so recovery points can be deleted at once (set minRetentionDays: 7 or more)`,
        ),
      ],
    ],
  ])("judges a lock whose %s", (_label, props, expected) => {
    expect(check(withLock(props))).toEqual(expected);
  });

  it.each<[string, unknown, Finding[]]>([
    ["true as text", "true", [vaultViolation(`${TARGET} forceDestroy is true, so destroying the vault deletes every recovery point in it (set forceDestroy: false)`)]],
    ["not a boolean", "yes", [vaultViolation(`${TARGET} forceDestroy is "yes", not a boolean`)]],
    ["false as text", "false", []],
    ["false", false, []],
  ])("judges forceDestroy that is %s", (_label, forceDestroy, expected) => {
    expect(check(stack((r) => (r.type === VAULT ? { ...r, props: { ...r.props, forceDestroy } } : r)))).toEqual(expected);
  });

  it("lists every violation of a vault, and leaves out unknowns when it fails anyway", () => {
    const force = (value: unknown) => unlocked().map((r) => (r.type === VAULT ? { ...r, props: { ...r.props, forceDestroy: value } } : r));
    expect(check(force(true))).toEqual([vaultViolation(`${TARGET} forceDestroy is true, so destroying the vault deletes every recovery point in it (set forceDestroy: false); ${NO_LOCK}`)]);
    expect(check(force(UNKNOWN.bool))).toEqual([vaultViolation(`${TARGET} ${NO_LOCK}`)]);
  });

  it("defers a vault that a lock of unknown target in its location may lock, not one in another Region", () => {
    const west = { west: { region: "us-west-2", allowedAccountIds: [ACCOUNT] } };
    const lock = (extra: Partial<StackResourceSpec>): StackResourceSpec => ({ type: LOCK, name: "maybe-lock", props: { backupVaultName: UNKNOWN.string, changeableForDays: 3, minRetentionDays: 7 }, ...extra });
    const MAYBE = { deferred: true, urn: VAULT_URN, name: "vault", message: deferredMessage('backup vault "vault"', "whether it is locked well enough for production recovery points (which vault its VaultLockConfiguration locks unknown until deployment)") };
    expect(check([...unlocked(), lock({})])).toEqual([MAYBE]);
    expect(check([...unlocked(), { type: VAULT, name: "other", props: { name: "other" } }, lock({ propertyDependencies: { backupVaultName: ["vault", "other"] } })])).toEqual([MAYBE]);
    // Linked to another vault for sure, or in another Region: this vault has no lock.
    expect(check([...unlocked(), { type: VAULT, name: "other", props: { name: "other" } }, lock({ propertyDependencies: { backupVaultName: ["other"] } })])).toEqual([vaultViolation(`${TARGET} ${NO_LOCK}`)]);
    expect(check([...unlocked(), lock({ provider: "west" })], {}, west)).toEqual([vaultViolation(`${TARGET} ${NO_LOCK}`)]);
  });

  it("defers copies that are unknown and depend on no vault, not those the rules' dependencies explain", () => {
    const rules = [{ ruleName: "daily", targetVaultName: "vault", copyActions: UNKNOWN.array }];
    expect(check(withRules(rules, []))).toEqual([
      { deferred: true, urn: PLAN_URN, name: "plan", message: deferredMessage('backup plan "plan"', 'the vault that is the copies of rule "daily" (copyActions of rule "daily" are unknown until deployment)') },
    ]);
    expect(check(withRules(rules, ["vault"]))).toEqual([]);
  });

  it("fails copy destinations and rules it cannot read", () => {
    expect(check(withRules([{ ruleName: "daily", targetVaultName: "vault", copyActions: [{ destinationVaultArn: 42 }] }]))).toEqual([
      planViolation('the copy destination #1 of rule "daily" cannot be read: copy action #1 destinationVaultArn is 42, not a vault ARN'),
    ]);
    expect(check(withRules([42]))).toEqual([planViolation('the target of rule "#1" cannot be read: rule #1 is 42, not a rule block')]);
  });

  it("defers a rule that is unknown as a whole", () => {
    expect(check(withRules([UNKNOWN.object], []))).toEqual([
      { deferred: true, urn: PLAN_URN, name: "plan", message: deferredMessage('backup plan "plan"', 'the vault that is the target of rule "#1" (rule #1 is unknown until deployment)') },
      { deferred: true, urn: PLAN_URN, name: "plan", message: deferredMessage('backup plan "plan"', 'the vault that is the copies of rule "#1" (copyActions of rule "#1" are unknown until deployment)') },
    ]);
  });

  it("does not judge a plan outside the stack", () => {
    const resources = [prodRds("orders"), { type: SELECTION, name: "selection", props: { planId: "abc-123", resources: ["*"] } }];
    expect(check(resources)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("backup-restore-testing: inputs", () => {
  const check = (resources: StackResourceSpec[], providers?: Providers, stack?: string) => backupRestoreTesting.check(stackView({ resources, providers, stack }), {}, SETTINGS);
  const rtPlan: StackResourceSpec = { type: RT_PLAN, name: "restore-tests", props: { name: "restore_tests" } };
  const rt = (props: Record<string, unknown>, deps: Record<string, string[]> = {}, name = "rt", provider?: string): StackResourceSpec => ({
    type: RT_SELECTION,
    name,
    props: { restoreTestingPlanName: "restore_tests", ...props },
    propertyDependencies: deps,
    ...(provider ? { provider } : {}),
  });
  const notCovered = (type: string, db = "orders", kind = "RDS instance"): Finding => ({
    urn: `urn:pulumi:dev::proj::${db === "orders" ? "aws:rds/instance:Instance" : db === "ledger" ? "aws:rds/cluster:Cluster" : "aws:dynamodb/table:Table"}::${db}`,
    name: db,
    message: `${kind} "${db}": no AWS Backup restore testing selection covers it (none has protectedResourceType "${type}" with its ARN, "*" or conditions matching its tags in its Region and account). Why it matters: a backup that has never been restored may not restore when the database is lost. Fix: add an aws.backup.RestoreTestingSelection with restoreTestingPlanName: <plan>.name, protectedResourceType: "${type}" and protectedResourceArns: [${db}.arn] for this ${kind}.`,
  });
  const pendingFor = (reasons: string, db = "orders"): Finding => ({
    deferred: true,
    urn: ORDERS_URN,
    name: db,
    message: deferredMessage(`RDS instance "${db}"`, `whether a restore testing selection covers it: ${reasons}`),
  });

  it.each<[string, unknown]>([
    ["absent", undefined],
    ["not a string", 7],
    ["another database's type", "Aurora"],
    ["in the wrong case", "rds"],
  ])("does not count a selection whose protectedResourceType is %s", (_label, protectedResourceType) => {
    const props = protectedResourceType === undefined ? { protectedResourceArns: ["*"] } : { protectedResourceType, protectedResourceArns: ["*"] };
    expect(check([prodRds("orders"), rtPlan, rt(props)])).toEqual([notCovered("RDS")]);
  });

  it("says which part of a selection is unknown", () => {
    expect(check([prodRds("orders"), rtPlan, rt({ protectedResourceType: UNKNOWN.string, protectedResourceArns: ["*"] })])).toEqual([
      pendingFor('restore testing selection "rt" (its protectedResourceType or the cluster\'s engine is unknown until deployment)'),
    ]);
    expect(check([prodRds("orders"), rtPlan, rt({ protectedResourceType: "RDS", protectedResourceConditions: UNKNOWN.object })])).toEqual([
      pendingFor('restore testing selection "rt" (its conditions hold values unknown until deployment)'),
    ]);
    expect(check([prodRds("orders"), rtPlan, rt({ protectedResourceType: "RDS", protectedResourceArns: [UNKNOWN.string] })])).toEqual([
      pendingFor('restore testing selection "rt" (protectedResourceArns: it holds values unknown until deployment that no property dependency explains)'),
    ]);
    expect(check([prodRds("orders"), rtPlan, rt({ protectedResourceType: "RDS", protectedResourceArns: ["*"] }, {}, "rt", "somewhere")], { somewhere: {} })).toEqual([
      pendingFor('restore testing selection "rt" (whether it is in the database\'s Region and account)'),
    ]);
    expect(check([prodRds("orders"), rtPlan, rt({ protectedResourceType: UNKNOWN.string, protectedResourceArns: UNKNOWN.array, protectedResourceConditions: [UNKNOWN.object] })])).toEqual([
      pendingFor(
        'restore testing selection "rt" (its protectedResourceType or the cluster\'s engine is unknown until deployment; protectedResourceArns: the whole list is unknown until deployment; its conditions hold values unknown until deployment)',
      ),
    ]);
  });

  it("gives the database's own reason when its tags are unknown", () => {
    const providers = { default_7_48_0: { region: "us-east-1", allowedAccountIds: [ACCOUNT], defaultTags: UNKNOWN.object } };
    const conditions = { stringEquals: [{ key: "aws:ResourceTag/environment", value: "production" }] };
    expect(check([prodRds("orders"), rtPlan, rt({ protectedResourceType: "RDS", protectedResourceArns: ["*"], protectedResourceConditions: conditions })], providers)).toEqual([
      pendingFor('restore testing selection "rt" (its provider\'s defaultTags are unknown until deployment)'),
    ]);
  });

  it("stops at the first selection that covers the database and lists only the undecided ones before it", () => {
    const unsure = rt({ protectedResourceType: UNKNOWN.string, protectedResourceArns: ["*"] }, {}, "unsure");
    const sure = rt({ protectedResourceType: "RDS", protectedResourceArns: ["*"] }, {}, "sure");
    const wrong = rt({ protectedResourceType: "DynamoDB", protectedResourceArns: ["*"] }, {}, "wrong");
    const unsure2 = rt({ protectedResourceType: "RDS", protectedResourceConditions: UNKNOWN.object }, {}, "unsure2");
    expect(check([prodRds("orders"), rtPlan, unsure, sure])).toEqual([]);
    expect(check([prodRds("orders"), rtPlan, unsure, wrong])).toEqual([pendingFor('restore testing selection "unsure" (its protectedResourceType or the cluster\'s engine is unknown until deployment)')]);
    expect(check([prodRds("orders"), rtPlan, unsure, unsure2])).toEqual([
      pendingFor('restore testing selection "unsure" (its protectedResourceType or the cluster\'s engine is unknown until deployment); restore testing selection "unsure2" (its conditions hold values unknown until deployment)'),
    ]);
  });

  it("considers every selection that depends on the database", () => {
    const dynamo = rt({ protectedResourceType: "DynamoDB", protectedResourceArns: [UNKNOWN.string] }, { protectedResourceArns: ["orders"] }, "first");
    const rds = rt({ protectedResourceType: "RDS", protectedResourceArns: [UNKNOWN.string] }, { protectedResourceArns: ["orders"] }, "second");
    expect(check([prodRds("orders"), rtPlan, dynamo, rds])).toEqual([]);
    expect(check([prodRds("orders"), rtPlan, dynamo])).toEqual([notCovered("RDS")]);
  });

  it("matches an ARN pattern, and not another database's ARN or another account", () => {
    expect(check([prodRds("orders"), rtPlan, rt({ protectedResourceType: "RDS", protectedResourceArns: [`arn:aws:rds:us-east-1:${ACCOUNT}:db:ord*`] })])).toEqual([]);
    expect(check([prodRds("orders"), rtPlan, rt({ protectedResourceType: "RDS", protectedResourceArns: [`arn:aws:rds:us-east-1:${ACCOUNT}:db:users`] })])).toEqual([notCovered("RDS")]);
    const other = { other: { region: "us-east-1", allowedAccountIds: [OTHER_ACCOUNT] } };
    expect(check([prodRds("orders"), rtPlan, rt({ protectedResourceType: "RDS", protectedResourceArns: ["*"] }, {}, "rt", "other")], other)).toEqual([notCovered("RDS")]);
  });

  it("expects the type of each kind, reading a cluster's engine case-insensitively", () => {
    const cluster = (engine: unknown): StackResourceSpec => ({ type: CLUSTER, name: "ledger", props: { clusterIdentifier: "ledger", engine, tags: PROD } });
    expect(check([cluster("AURORA-MYSQL"), rtPlan, rt({ protectedResourceType: "Aurora", protectedResourceArns: ["*"] })])).toEqual([]);
    expect(check([cluster("mysql"), rtPlan, rt({ protectedResourceType: "Aurora", protectedResourceArns: ["*"] })])).toEqual([notCovered("RDS", "ledger", "Aurora/RDS cluster")]);
    expect(check([{ type: TABLE, name: "carts", props: { name: "carts", tags: PROD } }, rtPlan, rt({ protectedResourceType: "RDS", protectedResourceArns: ["*"] })])).toEqual([notCovered("DynamoDB", "carts", "DynamoDB table")]);
  });

  it("names both possible types for a cluster whose engine is unknown", () => {
    const fs = check([{ type: CLUSTER, name: "ledger", props: { clusterIdentifier: "ledger", engine: UNKNOWN.string, tags: PROD } }]);
    expect(fs).toEqual([
      {
        urn: "urn:pulumi:dev::proj::aws:rds/cluster:Cluster::ledger",
        name: "ledger",
        message:
          'Aurora/RDS cluster "ledger": no AWS Backup restore testing selection exists in this stack, so its backups are never restored to prove they work. Why it matters: a backup that has never been restored may not restore when the database is lost. Fix: add an aws.backup.RestoreTestingSelection with restoreTestingPlanName: <plan>.name, protectedResourceType: "Aurora or RDS" and protectedResourceArns: [ledger.arn] for this Aurora/RDS cluster.',
      },
    ]);
  });

  it("does not judge read replicas, and defers a database that may be one", () => {
    expect(check([prodRds("replica", { replicateSourceDb: "orders" })])).toEqual([]);
    expect(check([prodRds("maybe", { replicateSourceDb: UNKNOWN.string })])).toEqual([
      { deferred: true, urn: "urn:pulumi:dev::proj::aws:rds/instance:Instance::maybe", name: "maybe", message: deferredMessage('RDS instance "maybe"', "whether it is a read replica") },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("backup-offsite-copy: inputs", () => {
  const check = (resources: StackResourceSpec[], providers?: Providers) => backupOffsiteCopy.check(stackView({ resources, providers }), {}, SETTINGS);
  const WHY = "a Region outage, or anyone with administrator rights in this account, can take the backups together with the database.";
  const planViolation = (problem: string, rule = "daily"): Finding => ({
    urn: PLAN_URN,
    name: "plan",
    message: `backup plan "plan": ${problem}. Why it matters: ${WHY} Fix: add copyActions: [{ destinationVaultArn: <vault in another Region or account>.arn }] to rule "${rule}" of this plan.`,
  });
  const pending = (rule = "daily"): Finding => ({
    deferred: true,
    urn: PLAN_URN,
    name: "plan",
    message: deferredMessage('backup plan "plan"', `whether rule "${rule}" copies to another Region or account (its copy destination or a Region/account is unknown until deployment)`),
  });
  const copies = (copyActions: unknown, deps: string[] = ["vault"], extra: StackResourceSpec[] = [], targetVaultName: unknown = "vault") => withRules([{ ruleName: "daily", targetVaultName, copyActions }], deps, extra);
  const dr: StackResourceSpec = { type: VAULT, name: "dr", props: { name: "dr", region: "us-west-2" } };
  const local: StackResourceSpec = { type: VAULT, name: "local", props: { name: "local" } };

  it("defers a selected plan whose rules are unknown", () => {
    expect(check(withRules(UNKNOWN.array))).toEqual([{ deferred: true, urn: PLAN_URN, name: "plan", message: deferredMessage('backup plan "plan"', "its rules, and so whether they copy offsite") }]);
  });

  it("lists every copy it cannot read in the message", () => {
    expect(check(copies([{ destinationVaultArn: 42 }, 7]))).toEqual([
      planViolation('rule "daily" (backing up production database "orders") copies only within us-east-1/111111111111 (copy action #1 destinationVaultArn is 42, not a vault ARN; copy action #2 is 7, not a copy action block)'),
    ]);
    expect(check(copies([{ destinationVaultArn: `arn:aws:backup:us-east-1:${ACCOUNT}:backup-vault:other` }]))).toEqual([
      planViolation('rule "daily" (backing up production database "orders") copies only within us-east-1/111111111111'),
    ]);
  });

  it("passes when any one copy leaves the Region or account", () => {
    expect(check(copies([{ destinationVaultArn: 42 }, { destinationVaultArn: `arn:aws:backup:us-east-1:${OTHER_ACCOUNT}:backup-vault:dr` }]))).toEqual([]);
  });

  it("decides an unknown copy among vaults of this stack only when they all agree", () => {
    const west2 = { type: VAULT, name: "dr2", props: { name: "dr2", region: "us-west-2" } };
    expect(check(copies([UNKNOWN.object], ["vault", "dr", "dr2"], [dr, west2]))).toEqual([]);
    expect(check(copies([UNKNOWN.object], ["vault", "local"], [local]))).toEqual([planViolation('rule "daily" (backing up production database "orders") copies only within us-east-1/111111111111')]);
    expect(check(copies([UNKNOWN.object], ["vault", "dr", "local"], [dr, local]))).toEqual([pending()]);
  });

  it("defers a copy to an ARN that names no Region or account", () => {
    expect(check(copies([{ destinationVaultArn: "arn:aws:backup:::backup-vault:dr" }]))).toEqual([pending()]);
  });

  it("measures from the target vault's location, or the plan's when the target is not one vault of this stack", () => {
    const toEast = [{ destinationVaultArn: `arn:aws:backup:us-east-1:${ACCOUNT}:backup-vault:other` }];
    // A target found by name is in the plan's Region; one linked only by dependency may not be.
    expect(check(copies(toEast, ["dr"], [dr], UNKNOWN.string))).toEqual([]);
    expect(check(copies(toEast, ["dr"], [dr], "dr"))).toEqual([planViolation('rule "daily" (backing up production database "orders") copies only within us-east-1/111111111111')]);
    expect(check(copies(toEast, [], [], "elsewhere"))).toEqual([planViolation('rule "daily" (backing up production database "orders") copies only within us-east-1/111111111111')]);
    expect(check(copies(toEast, ["vault", "dr"], [dr], UNKNOWN.string))).toEqual([planViolation('rule "daily" (backing up production database "orders") copies only within us-east-1/111111111111')]);
  });

  it("names an unknown Region of the plan in the message", () => {
    const resources = copies(undefined, [], [], "elsewhere").map((r) => (r.type === PLAN ? { ...r, props: { ...r.props, region: UNKNOWN.string } } : r));
    expect(check(resources)).toEqual([planViolation('rule "daily" (backing up production database "orders") has no copyActions, so every recovery point stays in (region unknown)/111111111111')]);
  });

  it("judges each rule, including rules it cannot read", () => {
    const offsite = { ruleName: "offsite", targetVaultName: "vault", copyActions: [{ destinationVaultArn: EXTERNAL_VAULT }] };
    expect(check(withRules([offsite, { ruleName: "local", targetVaultName: "vault" }]))).toEqual([
      planViolation('rule "local" (backing up production database "orders") has no copyActions, so every recovery point stays in us-east-1/111111111111', "local"),
    ]);
    expect(check(withRules([42]))).toEqual([planViolation('rule "#1" (backing up production database "orders") has no copyActions, so every recovery point stays in us-east-1/111111111111', "#1")]);
    expect(check(withRules([UNKNOWN.object]))).toEqual([pending("#1")]);
  });

  it("judges only plans that surely back up a production database, naming the first one", () => {
    const maybe = [prodRds("orders"), ...backedUp(["orders"]).map((r) => (r.type === SELECTION ? { ...r, propertyDependencies: { planId: ["plan"] } } : r))];
    expect(check(maybe)).toEqual([]);
    const both = [prodRds("users"), prodRds("orders"), ...backedUp(["orders"]).map((r) => (r.type === SELECTION ? selectionOf(["users", "orders"]) : r))];
    expect(check(both)).toEqual([planViolation('rule "daily" (backing up production database "users") has no copyActions, so every recovery point stays in us-east-1/111111111111')]);
  });

  it("passes a copy to a vault of this stack in another account", () => {
    const other = { type: VAULT, name: "other", props: { name: "other" }, provider: "other" };
    expect(check(copies([UNKNOWN.object], ["vault", "other"], [other]), { other: { region: "us-east-1", allowedAccountIds: [OTHER_ACCOUNT] } })).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Known bugs: these cases are written as the pack should behave and fail today.

describe("malformed inputs on a production backup path that once passed or deferred", () => {
  const stackOf = (resources: StackResourceSpec[]) => stackView({ resources });

  it.each<[string, Record<string, unknown>, string]>([
    ["notResources holding a number", { notResources: [42] }, "notResources holds 42, not an ARN"],
    ["conditions that are a number", { conditions: 42 }, "conditions is 42, not a conditions block"],
    ["a condition without value", { conditions: [{ stringEquals: [{ key: "aws:ResourceTag/backup" }] }] }, 'conditions.stringEquals entry {"key":"aws:ResourceTag/backup"} lacks a string key or value'],
    ["selectionTags that are a number", { selectionTags: 42 }, "selectionTags is 42, not a list of tag filters"],
  ])("prod-db-backup-coverage: a selection with %s, which AWS refuses, does not cover the database", (_label, props, note) => {
    const resources = [prodRds("orders"), ...backedUp(["orders"]).map((r) => (r.type === SELECTION ? { ...r, props: { planId: UNKNOWN.string, resources: ["*"], ...props }, propertyDependencies: { planId: ["plan"] } } : r))];
    const fs = prodDbBackupCoverage.check(stackOf(resources), {}, SETTINGS);
    expect(violations(fs).map((f) => f.name)).toEqual(["orders"]);
    expect(fs[0].message).toContain(`backup selection "selection": ${note}`);
  });

  it("prod-db-rpo: a plan rule that is not a rule block is not counted as a daily backup", () => {
    const fs = prodDbRpo.check(stackOf(withRules([42])), { maxRpoMinutes: 3000 }, SETTINGS);
    expect(violations(fs).map((f) => f.name)).toEqual(["orders", "plan"]);
    expect(fs[0].message).toContain('RDS instance "orders": it has no recovery point source');
    expect(fs[1].message).toContain("it is 42, not a rule block");
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["absent", {}, "planId is not set"],
    ["not a string", { planId: 42 }, "planId is 42, not a plan id"],
  ])("prod-db-rpo: a selection whose planId is %s is a violation, not a deferred finding", (_label, planId, named) => {
    const resources = [prodRds("orders"), ...backedUp(["orders"]).map((r) => (r.type === SELECTION ? { ...r, props: { resources: [UNKNOWN.string], ...planId }, propertyDependencies: { resources: ["orders"] } } : r))];
    const fs = prodDbRpo.check(stackOf(resources), {}, SETTINGS);
    expect(deferred(fs)).toEqual([]);
    expect(violations(fs).map((f) => f.name)).toEqual(["orders"]);
    expect(fs[0].message).toContain("it has no recovery point source");
    // The selection selects nothing; prod-db-backup-coverage says why.
    const coverage = prodDbBackupCoverage.check(stackOf(resources), {}, SETTINGS);
    expect(coverage.map((f) => [f.name, f.deferred ?? false])).toEqual([["orders", false]]);
    expect(coverage[0].message).toContain(`backup selection "selection": ${named}, and AWS Backup refuses a selection without its plan`);
  });

  it.each<[string, unknown]>([
    ["a name no vault has", "vault-typo"],
    ["not a string", 42],
    ["absent", undefined],
  ])("backup-vault-lock: a lock whose backupVaultName is %s does not make an unlocked vault's lock unknown", (_label, backupVaultName) => {
    const resources = [prodRds("orders"), ...backedUp(["orders"]).map((r) => (r.type === LOCK ? { ...r, props: { ...r.props, backupVaultName } } : r))];
    const fs = backupVaultLock.check(stackOf(resources), {}, SETTINGS);
    expect(deferred(fs)).toEqual([]);
    expect(violations(fs).map((f) => f.name)).toEqual(["vault"]);
    expect(fs[0].message).toContain("no aws:backup/vaultLockConfiguration:VaultLockConfiguration locks it");
  });

  it.each<[string, number]>([
    ["2", 2],
    ["0", 0],
  ])("backup-vault-lock: a lock whose changeableForDays is %s, below the 3 AWS Backup requires, does not lock the vault", (_label, changeableForDays) => {
    const resources = [prodRds("orders"), ...backedUp(["orders"]).map((r) => (r.type === LOCK ? { ...r, props: { ...r.props, changeableForDays } } : r))];
    const fs = backupVaultLock.check(stackOf(resources), {}, SETTINGS);
    expect(violations(fs).map((f) => f.name)).toEqual(["vault"]);
    expect(fs[0].message).toContain(`changeableForDays is ${changeableForDays}`);
  });

  it.each<[string, Record<string, unknown>]>([
    ["restoreTestingPlanName absent", { protectedResourceType: "RDS", protectedResourceArns: ["*"] }],
    ["restoreTestingPlanName not a string", { restoreTestingPlanName: 42, protectedResourceType: "RDS", protectedResourceArns: ["*"] }],
    ["protectedResourceConditions not a block", { restoreTestingPlanName: "restore_tests", protectedResourceType: "RDS", protectedResourceArns: ["*"], protectedResourceConditions: 42 }],
  ])("backup-restore-testing: a selection with %s does not cover the database", (_label, props) => {
    const resources = [prodRds("orders"), { type: RT_PLAN, name: "restore-tests", props: { name: "restore_tests" } }, { type: RT_SELECTION, name: "rt", props }];
    const fs = backupRestoreTesting.check(stackOf(resources), {}, SETTINGS);
    expect(violations(fs).map((f) => f.name)).toEqual(["orders"]);
  });

  it("prod-db-event-alerts: sourceIds of the wrong type are a violation, not a value unknown until deployment", () => {
    const resources = [prodRds("orders"), { type: EVENTS, name: "events", props: { sourceType: "db-instance", sourceIds: 42, eventCategories: ["deletion", "restoration"], snsTopic: "arn:aws:sns:us-east-1:111111111111:alerts" } }];
    const fs = prodDbEventAlerts.check(stackOf(resources), {}, SETTINGS);
    expect(deferred(fs)).toEqual([]);
    expect(violations(fs).map((f) => f.name)).toEqual(["orders"]);
    expect(fs[0].message).toContain('; these send nothing as written: RDS event subscription "events": sourceIds is 42, not a list of ARNs');
  });
});
