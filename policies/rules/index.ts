/** Every rule of the pack, in the order the pack runs them. Rule ids are public and stable. */
import type { ResourceRule, StackRule } from "../lib/rule";
import { awsProviderAccountPinned } from "./aws-provider-account-pinned";
import { backupOffsiteCopy } from "./backup-offsite-copy";
import { backupRestoreTesting } from "./backup-restore-testing";
import { backupVaultLock } from "./backup-vault-lock";
import { guardrailSettings } from "./guardrail-settings";
import { iamNoProdDbDestruction } from "./iam-no-prod-db-destruction";
import { iamRestoreRoleScoped } from "./iam-restore-role-scoped";
import { iamRestoreRoleTrust } from "./iam-restore-role-trust";
import { prodDbBackupCoverage } from "./prod-db-backup-coverage";
import { prodDbBackupRetention } from "./prod-db-backup-retention";
import { prodDbCopyTagsToSnapshot } from "./prod-db-copy-tags-to-snapshot";
import { prodDbDeletionProtection } from "./prod-db-deletion-protection";
import { prodDbEncrypted } from "./prod-db-encrypted";
import { prodDbEventAlerts } from "./prod-db-event-alerts";
import { prodDbFinalSnapshot } from "./prod-db-final-snapshot";
import { prodDbNoIgnoredGuardrails } from "./prod-db-no-ignored-guardrails";
import { prodDbNoInPlaceRestore } from "./prod-db-no-in-place-restore";
import { prodDbProtect } from "./prod-db-protect";
import { prodDbRpo } from "./prod-db-rpo";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const RESOURCE_RULES: ReadonlyArray<ResourceRule<any>> = [
  prodDbDeletionProtection,
  prodDbProtect,
  prodDbFinalSnapshot,
  prodDbBackupRetention,
  prodDbNoInPlaceRestore,
  prodDbNoIgnoredGuardrails,
  prodDbEncrypted,
  prodDbCopyTagsToSnapshot,
  awsProviderAccountPinned,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const STACK_RULES: ReadonlyArray<StackRule<any>> = [
  prodDbBackupCoverage,
  prodDbRpo,
  backupVaultLock,
  backupOffsiteCopy,
  backupRestoreTesting,
  prodDbEventAlerts,
  iamNoProdDbDestruction,
  iamRestoreRoleScoped,
  iamRestoreRoleTrust,
];

/** The settings policy, which also validates waivers; it runs before every other rule. */
export const SETTINGS_RULE = guardrailSettings;

export const ALL_RULES: ReadonlyArray<{ id: string; waivable: boolean }> = [SETTINGS_RULE, ...RESOURCE_RULES, ...STACK_RULES];
