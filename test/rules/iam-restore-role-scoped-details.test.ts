/**
 * iam-restore-role-scoped: whole messages where the rule's own tests and iam-rule-messages leave
 * room. Each restore action is judged with its own requests (a role scoped for one restore but not
 * another says which), each role with requests in its own Region and account (roles of one stack in
 * several locations), a break-glass role open to a whole account is no exemption, a DynamoDB
 * restore role is one even without item writes, and the item-write probes name a production table
 * of the stack by its ARN.
 */
import type { Finding } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { iamRestoreRoleScoped } from "../../policies/rules/iam-restore-role-scoped";
import { OTHER_ACCOUNT, type StackResourceSpec, stackView, urnOf } from "../helpers/stack-view";
import { ACCOUNT, ROLE, allow, productionData, role } from "../iam/iam-stacks";

const SETTINGS = DEFAULT_SETTINGS as SharedSettings;
const WHY = "a restore role exists to bring back data next to production; if it can also create production-tagged or untagged databases, or touch production, one mistyped identifier overwrites the live database.";
const FIX =
  'give each restore Allow a condition {"StringEquals": {"aws:RequestTag/environment": "<non-production value>"}} (plain StringEquals: ForAllValues passes requests without tags), allow item writes only on restore-target tables, and deny the destructive actions on production (scoped to database ARNs, not snapshots, so restores from production snapshots still work).';

/**
 * The rule on the stack's production data (instance "orders", table "carts", vault) and `resources`,
 * with a settings object of its own: the rule remembers the restore requests it builds per settings
 * object, so each call builds (and so exercises) its own.
 */
const scoped = (resources: StackResourceSpec[], providers: Record<string, Record<string, unknown>> = {}): Finding[] =>
  iamRestoreRoleScoped.check(stackView({ providers, resources: [...productionData(), ...resources] }), {}, { ...SETTINGS });
const roleViolation = (name: string, problem: string): Finding => ({ urn: urnOf("dev", ROLE, name), name, message: `IAM role "${name}": ${problem}. Why it matters: ${WHY} Fix: ${FIX}` });

const INSTANCE = "rds:RestoreDBInstanceFromDBSnapshot";
const CLUSTER_RESTORE = "rds:RestoreDBClusterFromSnapshot";
const NOT_TAGGED = "it can restore into databases not tagged non-production:";
const BEYOND = "it can act on production beyond reading snapshots and recovery points:";
/** Only requests with neither environment nor env tag: no tags, and owner=on-call. */
const NO_ENVIRONMENT_TAG = { Null: { "aws:RequestTag/env": "true", "aws:RequestTag/environment": "true" } };
/** Every tag set the rule tries, the first three named. */
const EVERY_TAG_SET = "with no tags, tagged only owner=on-call (no environment tag), tagged environment=prod and 35 more tag sets";

/** A role whose resource sits with another provider (its own Region and account). */
function roleAt(provider: string, name: string, policy: object): StackResourceSpec[] {
  const [self, ...rest] = role(name, policy);
  return [{ ...self!, provider }, ...rest];
}

describe("iam-restore-role-scoped: details", () => {
  it("judges each restore action with its own requests", () => {
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Sid: "Instance", Effect: "Allow", Action: INSTANCE, Resource: "*" },
        { Sid: "Cluster", Effect: "Allow", Action: CLUSTER_RESTORE, Resource: "*", Condition: NO_ENVIRONMENT_TAG },
      ],
    };
    const by = (sid: string, n: number) => `statement "${sid}" (#${n}) of RolePolicy "r-permissions"`;
    expect(scoped(role("r", policy))).toEqual([
      roleViolation(
        "r",
        `may restore (${INSTANCE}, ${CLUSTER_RESTORE}) and ${NOT_TAGGED} ${INSTANCE} into a new database ${EVERY_TAG_SET}, granted by ${by("Instance", 1)}; ${CLUSTER_RESTORE} into a new database with no tags, tagged only owner=on-call (no environment tag), granted by ${by("Cluster", 2)}; and ${BEYOND} ${INSTANCE} on arn:aws:rds:us-east-1:111111111111:db:orders (request untagged), granted by ${by("Instance", 1)}`,
      ),
    ]);
  });

  it("builds each role's restore requests in its own Region and account, for roles of one stack in several", () => {
    /** Restores from a snapshot whose every ARN is in `region` and `account`. */
    const restoresIn = (region: string, account: string) => allow(INSTANCE, ["db", "snapshot", "og", "pg", "subgrp"].map((type) => `arn:aws:rds:${region}:${account}:${type}:*`));
    const inWest = restoresIn("eu-west-1", ACCOUNT);
    const inOtherAccount = restoresIn("us-east-1", OTHER_ACCOUNT);
    const providers = { west: { region: "eu-west-1", allowedAccountIds: [ACCOUNT] }, other: { region: "us-east-1", allowedAccountIds: [OTHER_ACCOUNT] } };
    // "east" and "here" live in us-east-1 of ACCOUNT (the default provider): their policies allow no restore there.
    const fs = scoped([...role("east", inWest), ...roleAt("west", "west", inWest), ...role("here", inOtherAccount), ...roleAt("other", "there", inOtherAccount)], providers);
    const open = (name: string) => roleViolation(name, `may restore (${INSTANCE}) and ${NOT_TAGGED} ${INSTANCE} into a new database ${EVERY_TAG_SET}, granted by statement #1 of RolePolicy "${name}-permissions"`);
    expect(fs).toEqual([open("west"), open("there")]);
  });

  it("judges a break-glass role whose MFA trust policy admits a whole account", () => {
    const wholeAccount = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sts:AssumeRole", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }] };
    const policy = allow(INSTANCE, "*", { Condition: NO_ENVIRONMENT_TAG });
    const statement = 'statement #1 of RolePolicy "g-permissions"';
    expect(scoped(role("g", policy, { tags: { [SETTINGS.breakGlassTag.key]: SETTINGS.breakGlassTag.value }, trust: wholeAccount }))).toEqual([
      roleViolation(
        "g",
        `may restore (${INSTANCE}) and ${NOT_TAGGED} ${INSTANCE} into a new database with no tags, tagged only owner=on-call (no environment tag), granted by ${statement}; and ${BEYOND} ${INSTANCE} on arn:aws:rds:us-east-1:111111111111:db:orders (request untagged), granted by ${statement}`,
      ),
    ]);
  });

  it("counts a DynamoDB restore as possible without item writes, and reports what else the role may do to production", () => {
    expect(scoped(role("t", allow(["dynamodb:RestoreTableFromBackup", "dynamodb:DeleteTable"])))).toEqual([
      roleViolation(
        "t",
        `may restore (dynamodb:RestoreTableFromBackup) and ${BEYOND} dynamodb:DeleteTable on arn:aws:dynamodb:*:111111111111:table/* (resource tagged environment=prod), granted by statement #1 of RolePolicy "t-permissions"`,
      ),
    ]);
  });

  it("names the production table of the stack an item write reaches, by its ARN and tags", () => {
    const policy = allow(["dynamodb:RestoreTableFromBackup", "dynamodb:PutItem"], [`arn:aws:dynamodb:*:${ACCOUNT}:table/*/backup/*`, `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/carts`]);
    expect(scoped(role("t", policy))).toEqual([
      roleViolation(
        "t",
        `may restore (dynamodb:RestoreTableFromBackup) and ${BEYOND} dynamodb:PutItem on arn:aws:dynamodb:us-east-1:111111111111:table/carts (resource tagged environment=prod), granted by statement #1 of RolePolicy "t-permissions"`,
      ),
    ]);
  });
});
