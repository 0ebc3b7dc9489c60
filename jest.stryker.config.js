/**
 * Jest for mutation testing (`npm run mutate`): only the in-process tests that import `policies/`
 * and `components/` sources. Tests that spawn processes are left out: the pack tests run the
 * compiled `policies/bin` (a mutant in a `.ts` source is invisible to them unless rebuilt), and a
 * spawned process per mutant would cost seconds each.
 *
 * STRYKER_TEST_FILES (comma-separated globs under test/) narrows the set for a quick slice, e.g.
 * `STRYKER_TEST_FILES=lib/waivers.test.ts npx stryker run --mutate policies/lib/waivers.ts`:
 * Stryker runs every test file related to a mutated file for each mutant, and each one loads
 * `@pulumi/policy`, so a slice against its dedicated tests finds survivors many times faster.
 * The score that counts comes from the full set.
 */
const base = require("./jest.config.js");

const IN_PROCESS_TESTS = [
  "<rootDir>/test/lib/**/*.test.ts",
  "<rootDir>/test/rules/**/*.test.ts",
  "<rootDir>/test/iam/**/*.test.ts",
  "<rootDir>/test/components/**/*.test.ts",
  "<rootDir>/test/stacks/**/*.test.ts",
];

const slice = (process.env.STRYKER_TEST_FILES ?? "")
  .split(",")
  .map((glob) => glob.trim())
  .filter((glob) => glob.length > 0)
  .map((glob) => `<rootDir>/test/${glob}`);

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  // Stryker runs each mutant with jest --findRelatedTests, which follows imports only through files
  // inside `roots`: without the source folders, a test reaching policies/lib/checks.ts through a
  // policies/rules file would not count as related, and the mutant would look untested.
  roots: ["<rootDir>/test", "<rootDir>/policies", "<rootDir>/components", "<rootDir>/stacks", "<rootDir>/guard"],
  modulePathIgnorePatterns: ["<rootDir>/policies/bin"],
  testMatch: slice.length > 0 ? slice : IN_PROCESS_TESTS,
};
