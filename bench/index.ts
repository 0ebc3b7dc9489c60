/**
 * `npm run bench`: runs every `bench/*.bench.ts` in its own process, one after another (so they do
 * not compete for the 2 cores), and prints their figures. No assertions: figures only.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const only = process.argv.slice(2);
const files = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n=== ${file} ===\n`);
  const r = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin"), "-T", path.join(__dirname, file)], { stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`${file} failed (exit ${r.status ?? r.signal})\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
