/**
 * Properties whose change replaces a database with a restored (or imported) copy, per type: the
 * components put them in `ignoreChanges`, and `prod-db-no-in-place-restore` requires that of every
 * production database. One list, so the two can never disagree.
 */
import { DYNAMODB_TABLE, RDS_CLUSTER, RDS_INSTANCE } from "./tokens";

const RDS_RESTORE_PROPERTIES = ["snapshotIdentifier", "restoreToPointInTime"] as const;
// restoreBackupArn and importTable also create the table from another copy of data.
const TABLE_RESTORE_PROPERTIES = ["restoreSourceName", "restoreSourceTableArn", "restoreDateTime", "restoreToLatestTime", "restoreBackupArn", "importTable"] as const;

export const RESTORE_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  [RDS_INSTANCE]: RDS_RESTORE_PROPERTIES,
  [RDS_CLUSTER]: RDS_RESTORE_PROPERTIES,
  [DYNAMODB_TABLE]: TABLE_RESTORE_PROPERTIES,
};
