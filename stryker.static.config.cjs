/**
 * Stryker with static mutants run: mutants in code that runs once when a module loads (the
 * destructive-action table of `policies/lib/iam/probes.ts`, `SETTINGS_SCHEMA`, module-level regular
 * expressions). Each one reloads every test file of the slice, so use it only for slices against
 * fast dedicated tests (docs/MUTATION.md, "Static mutants"):
 *   STRYKER_TEST_FILES=iam/probes-details.test.ts npx stryker run stryker.static.config.cjs --mutate policies/lib/iam/probes.ts
 */
module.exports = { ...require("./stryker.config.json"), ignoreStatic: false };
