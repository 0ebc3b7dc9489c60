import { ActionCatalogue, actionCatalogue, iamDataDirectory, unknownActionPatterns, unknownConditionKeys } from "../../policies/lib/iam/action-catalogue";
import { AWS_MANAGED_POLICIES } from "../../policies/lib/iam/aws-managed-policies";
import { parsePolicyDocument } from "../../policies/lib/iam/policy-document";
import { DESTRUCTIVE_ACTIONS, RESTORE_ACTIONS } from "../../policies/lib/iam/probes";

describe("ActionCatalogue", () => {
  it("reads nothing until asked, then one service at a time", () => {
    const catalogue = new ActionCatalogue();
    expect(catalogue.stats().servicesLoaded).toBe(0);
    expect(catalogue.action("rds:DeleteDBInstance")?.name).toBe("DeleteDBInstance");
    expect(catalogue.stats().servicesLoaded).toBe(1);
    catalogue.action("rds:ModifyDBInstance");
    expect(catalogue.stats().servicesLoaded).toBe(1);
  });

  it("finds actions case-insensitively, with their resource types and request condition keys", () => {
    const restore = actionCatalogue().action("RDS:restoredbinstancefromdbsnapshot");
    expect(restore?.name).toBe("RestoreDBInstanceFromDBSnapshot");
    expect(restore?.resourceTypes.filter((r) => r.required).map((r) => r.name)).toEqual(["db", "og", "pg", "subgrp"]);
    expect(restore?.conditionKeys).toEqual(expect.arrayContaining(["aws:RequestTag/${TagKey}", "rds:req-tag/${TagKey}"]));
  });

  it("expands wildcard patterns and reports names AWS does not have", () => {
    const catalogue = actionCatalogue();
    const deletes = catalogue.expand("rds:Delete*");
    expect(deletes.kind).toBe("actions");
    if (deletes.kind === "actions") expect(deletes.actions).toEqual(expect.arrayContaining(["rds:DeleteDBInstance", "rds:DeleteDBCluster", "rds:DeleteDBSnapshot"]));
    expect(catalogue.expand("RDS:deletedbinstance")).toEqual({ kind: "actions", actions: ["rds:DeleteDBInstance"] });
    expect(catalogue.expand("rds:DeleteDbInstances")).toEqual({ kind: "no-such-action", pattern: "rds:DeleteDbInstances" });
    expect(catalogue.expand("rdz:DeleteDBInstance")).toEqual({ kind: "unknown-service", service: "rdz" });
    expect(catalogue.expand("*")).toEqual({ kind: "all-actions" });
  });

  it("knows global and service condition keys, templated ones included", () => {
    const catalogue = actionCatalogue();
    for (const key of ["aws:MultiFactorAuthPresent", "AWS:multifactorauthpresent", "aws:ResourceTag/environment", "aws:TagKeys", "aws:CalledVia", "rds:db-tag/environment", "rds:req-tag/env", "backup:MinRetentionDays"]) {
      expect({ key, exists: catalogue.conditionKeyExists(key) }).toEqual({ key, exists: true });
    }
    for (const key of ["aws:ResourceTags/environment", "aws:MultiFactorAuth", "rds:db-tags/environment", "rdz:db-tag/x", "nocolon"]) {
      expect({ key, exists: catalogue.conditionKeyExists(key) }).toEqual({ key, exists: false });
    }
  });

  it("lints a policy: a misspelt action and a misspelt condition key in a Deny", () => {
    const parsed = parsePolicyDocument({
      Version: "2012-10-17",
      Statement: [
        { Sid: "Guard", Effect: "Deny", Action: ["rds:DeleteDbInstances", "rds:Delete*"], Resource: "*", Condition: { StringEquals: { "aws:ResourceTags/environment": "production" } } },
      ],
    });
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    expect(unknownActionPatterns([parsed.policy])).toEqual([{ policyName: "policy", statementIndex: 0, sid: "Guard", pattern: "rds:DeleteDbInstances", problem: 'no rds action matches "rds:DeleteDbInstances"' }]);
    expect(unknownConditionKeys([parsed.policy])).toEqual([{ policyName: "policy", statementIndex: 0, sid: "Guard", key: "aws:ResourceTags/environment" }]);
  });

  it("fails loudly, not silently, when the data files are missing", () => {
    const broken = new ActionCatalogue("/nonexistent/iam-data");
    expect(() => broken.action("rds:DeleteDBInstance")).toThrow();
    expect(iamDataDirectory()).toMatch(/@cloud-copilot[\\/]iam-data[\\/]data$/);
  });
});

describe("the kit's own IAM vocabulary exists in AWS's reference", () => {
  const catalogue = actionCatalogue();

  it("every destructive action, on the resource type it is judged on", () => {
    const wrong = DESTRUCTIVE_ACTIONS.filter((d) => {
      const action = catalogue.action(d.action);
      return !action || action.name !== d.action.split(":")[1] || !action.resourceTypes.some((r) => r.name === d.resourceType);
    });
    expect(wrong).toEqual([]);
  });

  it("every restore, with each resource type it is authorized against", () => {
    for (const [name, shape] of Object.entries(RESTORE_ACTIONS)) {
      const action = catalogue.action(name);
      expect(action?.name).toBe(name.split(":")[1]);
      for (const slot of shape.slots) {
        for (const a of slot.actions ?? [name]) {
          const types = catalogue.action(a)?.resourceTypes.map((r) => r.name) ?? [];
          expect({ action: a, type: slot.resourceType, listed: types.includes(slot.resourceType) }).toEqual({ action: a, type: slot.resourceType, listed: true });
        }
      }
      // Every resource type AWS requires is probed.
      for (const required of action!.resourceTypes.filter((r) => r.required)) expect(shape.slots.map((s) => s.resourceType)).toContain(required.name);
    }
  });

  it("every action and condition key in the AWS managed policy summaries", () => {
    for (const managed of AWS_MANAGED_POLICIES) {
      const parsed = parsePolicyDocument(managed.document, { name: managed.name });
      if (!parsed.ok) throw new Error(`${managed.name}: ${parsed.problems.join("; ")}`);
      expect({ policy: managed.name, actions: unknownActionPatterns([parsed.policy]), keys: unknownConditionKeys([parsed.policy]) }).toEqual({ policy: managed.name, actions: [], keys: [] });
    }
  });
});
