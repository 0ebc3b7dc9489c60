/**
 * iam-restore-role-trust, called directly on stack views: the components' roles pass; restore roles
 * open to `*`, to a whole account, without MFA, or with long sessions fail.
 */
import { mfaTrustPolicy } from "../../components/restore-role";
import { UNKNOWN } from "../../guard/wire";
import type { Finding } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, type SharedSettings } from "../../policies/lib/settings";
import { type RestoreRoleTrustConfig, iamRestoreRoleTrust } from "../../policies/rules/iam-restore-role-trust";
import { type StackResourceSpec, stackView } from "../helpers/stack-view";
import { ACCOUNT, ONCALL, allow, componentRoles, productionData, role } from "../iam/iam-stacks";

function check(resources: StackResourceSpec[], config: RestoreRoleTrustConfig = {}): Finding[] {
  return iamRestoreRoleTrust.check(stackView({ resources: [...productionData(), ...resources] }), config, DEFAULT_SETTINGS as SharedSettings);
}
const violations = (fs: Finding[]) => fs.filter((f) => !f.deferred);

const restorePolicy = allow("rds:RestoreDBInstanceFromDBSnapshot", `arn:aws:rds:*:${ACCOUNT}:db:restore-*`, { Condition: { StringEquals: { "aws:RequestTag/environment": "restore" } } });
const trust = (statement: Record<string, unknown>) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", ...statement }] });
const mfa = { Bool: { "aws:MultiFactorAuthPresent": "true" } };

describe("iam-restore-role-trust", () => {
  it("passes the components' RestoreRole, BreakGlassRole and AWS Backup service role", () => {
    expect(check(componentRoles())).toEqual([]);
  });

  it("passes a restore role trusting a named role with MFA (by condition or by a Deny), for an hour", () => {
    expect(check(role("restorer", restorePolicy, { trust: trust({ Principal: { AWS: ONCALL }, Condition: mfa }), maxSessionDuration: 3600 }))).toEqual([]);
    const byDeny = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: ONCALL }, Action: "sts:AssumeRole" },
        { Effect: "Deny", Principal: { AWS: "*" }, Action: "sts:AssumeRole", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } },
      ],
    };
    expect(check(role("restorer", restorePolicy, { trust: byDeny }))).toEqual([]);
  });

  it("ignores roles that cannot restore, whatever they trust", () => {
    expect(check(role("app", allow("s3:GetObject"), { trust: trust({ Principal: "*" }) }))).toEqual([]);
  });

  it("fails a trust policy open to *", () => {
    const fs = violations(check(role("restorer", restorePolicy, { trust: trust({ Principal: { AWS: "*" }, Condition: mfa }) })));
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain("may restore (rds:RestoreDBInstanceFromDBSnapshot) but");
    expect(fs[0].message).toContain('admits every AWS principal ("*")');
  });

  it("fails a whole account without a condition naming who, and passes it with aws:PrincipalArn", () => {
    const root = `arn:aws:iam::${ACCOUNT}:root`;
    const fs = violations(check(role("restorer", restorePolicy, { trust: trust({ Principal: { AWS: root }, Condition: mfa }) })));
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain(`admits every principal of account ${ACCOUNT}`);
    const narrowed = trust({ Principal: { AWS: ACCOUNT }, Condition: { ...mfa, ArnEquals: { "aws:PrincipalArn": ONCALL } } });
    expect(check(role("restorer", restorePolicy, { trust: narrowed }))).toEqual([]);
  });

  it("fails a trust policy without MFA, or with MFA it cannot rely on", () => {
    const none = violations(check(role("restorer", restorePolicy, { trust: trust({ Principal: { AWS: ONCALL } }) })));
    expect(none).toHaveLength(1);
    expect(none[0].message).toContain(`it does not require MFA: ${ONCALL} can sts:AssumeRole without MFA (statement #1 of trust policy of role "restorer")`);
    // BoolIfExists lets a request with no MFA information through.
    const ifExists = violations(check(role("restorer", restorePolicy, { trust: trust({ Principal: { AWS: ONCALL }, Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } } }) })));
    expect(ifExists).toHaveLength(1);
    expect(ifExists[0].message).toContain("does not require MFA");
  });

  it("fails NotPrincipal and federated principals (which cannot present MFA)", () => {
    const not = violations(check(role("restorer", restorePolicy, { trust: trust({ NotPrincipal: { AWS: ONCALL }, Condition: mfa }) })));
    expect(not[0].message).toContain("uses NotPrincipal");
    const saml = violations(check(role("restorer", restorePolicy, { trust: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/okta` }, Action: "sts:AssumeRoleWithSAML" }] } })));
    expect(saml[0].message).toContain("can sts:AssumeRoleWithSAML without MFA");
  });

  it("fails a session longer than the limit, and reads the limit from config", () => {
    const long = violations(check(role("restorer", restorePolicy, { maxSessionDuration: 7200 })));
    expect(long).toHaveLength(1);
    expect(long[0].message).toContain("maxSessionDuration is 7200 seconds, above 3600");
    expect(violations(check(role("restorer", restorePolicy, { maxSessionDuration: 3600 }), { maxSessionDurationSeconds: 1800 }))[0].message).toContain("above 1800");
    expect(check(role("restorer", restorePolicy, { maxSessionDuration: 1800 }), { maxSessionDurationSeconds: 1800 })).toEqual([]);
  });

  it("holds an unset maxSessionDuration as AWS's default of one hour against a lower limit", () => {
    // Unset, sessions last 3600 s: within the default limit, above a configured 1800.
    expect(check(role("restorer", restorePolicy))).toEqual([]);
    const fs = violations(check(role("restorer", restorePolicy), { maxSessionDurationSeconds: 1800 }));
    expect(fs).toHaveLength(1);
    expect(fs[0].message).toContain("but maxSessionDuration is not set, so sessions last AWS's default of 3600 seconds, above 1800.");
    expect(fs[0].message).toContain("set maxSessionDuration to at most 1800.");
  });

  it("defers an unknown trust policy or session length, and fails an unreadable trust policy", () => {
    const fs = check(role("restorer", restorePolicy, { trust: UNKNOWN.string, maxSessionDuration: UNKNOWN.number }));
    expect(fs.map((f) => f.deferred)).toEqual([true, true]);
    const broken = violations(check(role("restorer", restorePolicy, { trust: '{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}' })));
    expect(broken[0].message).toContain("its trust policy cannot be verified");
  });

  it("passes the MFA trust policy the components write", () => {
    expect(check(role("restorer", restorePolicy, { trust: mfaTrustPolicy([ONCALL], 900), maxSessionDuration: 900 }))).toEqual([]);
  });
});
