/**
 * Figures for the IAM evaluator (policies/lib/iam). Prints numbers, asserts nothing.
 * Run: `npm run build && npx ts-node -T bench/iam.bench.ts`
 *
 * Start-up: each figure is taken in a fresh `node` process on the compiled pack (policies/bin),
 * as the engine runs it: loading the evaluator module, the first catalogue lookup (one service),
 * the catalogue files every IAM rule needs (RDS, DynamoDB, AWS Backup), and, for scale, every
 * service in the reference. Throughput: evaluations per second of production probes against
 * realistic and large policy sets, in this process.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { AWS_MANAGED_POLICIES } from "../policies/lib/iam/aws-managed-policies";
import { type AccessRequest, compilePolicies, evaluateAccess, evaluateApiCall } from "../policies/lib/iam/evaluate";
import { type Probe, productionProbes, restoreAuthorizations } from "../policies/lib/iam/probes";

const RUNS = 7;
const root = path.join(__dirname, "..");
const compiled = path.join(root, "policies", "bin", "lib", "iam", "index.js");

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs `body` in a fresh node process after requiring the compiled evaluator; returns [load ms, body ms]. */
function coldRun(body: string): [number, number] {
  const script = `
    const t0 = process.hrtime.bigint();
    const iam = require(${JSON.stringify(compiled)});
    const t1 = process.hrtime.bigint();
    ${body}
    const t2 = process.hrtime.bigint();
    process.stdout.write(JSON.stringify([Number(t1 - t0) / 1e6, Number(t2 - t1) / 1e6]));`;
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8" })) as [number, number];
}

function startup(): void {
  if (!fs.existsSync(compiled)) {
    console.log(`start-up: skipped, ${path.relative(root, compiled)} is missing (run npm run build first)`);
    return;
  }
  const scenarios: Array<[string, string]> = [
    ["module only (no catalogue read)", ""],
    ["first lookup (services list + RDS actions)", `iam.actionCatalogue().action("rds:DeleteDBInstance");`],
    [
      "probes for RDS, Aurora, DynamoDB, Backup",
      `for (const kind of ["rds-instance", "rds-cluster", "dynamodb-table", "backup-vault"]) iam.productionProbes({ kind }, { environment: ["production"] });`,
    ],
    ["every service in the reference (not done by the pack)", `const c = iam.actionCatalogue(); for (const s of c.serviceKeys()) c.serviceActions(s);`],
  ];
  console.log(`start-up, fresh node ${process.version} process, compiled evaluator; median of ${RUNS}`);
  for (const [label, body] of scenarios) {
    const runs = Array.from({ length: RUNS }, () => coldRun(body));
    const load = median(runs.map((r) => r[0]));
    const work = median(runs.map((r) => r[1]));
    console.log(`  ${label.padEnd(56)} require ${load.toFixed(1).padStart(6)} ms   + ${work.toFixed(1).padStart(7)} ms`);
  }
}

function throughput(label: string, inputs: Array<{ name: string; document: unknown }>, probes: AccessRequest[]): void {
  const set = compilePolicies(inputs);
  if (set.problems.length > 0) throw new Error(`${label}: ${set.problems.map((p) => p.message).join("; ")}`);
  const statements = set.statements.length;
  const coldStart = process.hrtime.bigint();
  for (const p of probes) evaluateAccess(set, p); // the first sweep fills the pattern caches
  const coldMs = Number(process.hrtime.bigint() - coldStart) / 1e6;
  let evaluations = 0;
  const started = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < 1e9) {
    for (const p of probes) evaluateAccess(set, p);
    evaluations += probes.length;
    elapsed = Number(process.hrtime.bigint() - started);
  }
  const perSecond = evaluations / (elapsed / 1e9);
  console.log(`  ${label.padEnd(52)} ${String(statements).padStart(3)} statements  ${Math.round(perSecond).toLocaleString("en-US").padStart(10)} evaluations/s  (${((1e6 / perSecond) | 0) || "<1"} µs each; first sweep ${coldMs.toFixed(1)} ms)`);
}

function main(): void {
  startup();

  const tags = { environment: ["prod", "production"], env: ["prod", "production"] };
  const probes: Probe[] = [];
  for (const kind of ["rds-instance", "rds-cluster", "dynamodb-table", "backup-vault"] as const) {
    probes.push(...productionProbes({ kind, name: "orders", location: { account: "123456789012" } }, tags));
  }
  console.log(`\nthroughput: ${probes.length} production probes per policy set (one sweep = what an IAM rule asks of one role), repeated for 1 s`);

  const restoreRole = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "RestoreIntoNonProduction",
        Effect: "Allow",
        Action: ["rds:RestoreDBInstanceFromDBSnapshot", "rds:RestoreDBClusterFromSnapshot", "rds:AddTagsToResource"],
        Resource: "*",
        Condition: { StringEquals: { "aws:RequestTag/environment": ["staging", "restore-test"] }, "ForAllValues:StringEquals": { "aws:TagKeys": ["environment", "owner"] } },
      },
      { Sid: "ReadSnapshots", Effect: "Allow", Action: ["rds:Describe*", "rds:ListTagsForResource"], Resource: "*" },
      {
        Sid: "NeverTouchProduction",
        Effect: "Deny",
        NotAction: ["rds:Describe*", "rds:List*", "rds:RestoreDBInstanceFromDBSnapshot", "rds:RestoreDBClusterFromSnapshot"],
        Resource: "*",
        Condition: { StringEqualsIgnoreCase: { "aws:ResourceTag/environment": ["prod", "production"] } },
      },
    ],
  };
  throughput("restore role (3 statements, conditions)", [{ name: "restore", document: restoreRole }], probes);

  const managed = AWS_MANAGED_POLICIES.map((p) => ({ name: p.name, document: p.document }));
  throughput("every summarized AWS managed policy", managed, probes);

  const large = {
    Version: "2012-10-17",
    Statement: Array.from({ length: 60 }, (_, i) => ({
      Sid: `S${i}`,
      Effect: i % 7 === 0 ? "Deny" : "Allow",
      Action: [`rds:Describe*`, `dynamodb:Get*`, `backup:List*`, `s3:GetObject`, `rds:*Snapshot${i % 3 === 0 ? "*" : ""}`],
      Resource: [`arn:aws:rds:*:123456789012:db:team${i}-*`, `arn:aws:dynamodb:*:*:table/\${aws:PrincipalTag/team}-${i}`, "arn:aws:s3:::bucket/*"],
      Condition: { StringLike: { "aws:ResourceTag/owner": [`team${i}*`] }, BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } },
    })),
  };
  throughput("large customer policy (60 statements, variables)", [{ name: "large", document: large }], probes);

  const restore = restoreAuthorizations({
    action: "rds:RestoreDBInstanceFromDBSnapshot",
    location: { region: "us-east-1", account: "123456789012" },
    target: { name: "orders-copy", requestTags: { environment: "staging" } },
    source: { name: "orders-2024", tags: { environment: "production" } },
  });
  const set = compilePolicies([{ name: "restore", document: restoreRole }]);
  let calls = 0;
  const started = process.hrtime.bigint();
  while (Number(process.hrtime.bigint() - started) < 5e8) {
    evaluateApiCall(set, restore);
    calls++;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`  restore API call (${restore.authorizations.length} authorizations)${" ".repeat(22)}${Math.round(calls / seconds).toLocaleString("en-US").padStart(14)} calls/s`);

  let compiledSets = 0;
  const compileStart = process.hrtime.bigint();
  while (Number(process.hrtime.bigint() - compileStart) < 5e8) {
    compilePolicies([{ name: "large", document: JSON.stringify(large) }]);
    compiledSets++;
  }
  const compileSeconds = Number(process.hrtime.bigint() - compileStart) / 1e9;
  console.log(`  parse + compile the 60-statement policy from JSON${" ".repeat(15)}${Math.round(compiledSets / compileSeconds).toLocaleString("en-US").padStart(10)} policies/s`);
}

main();
