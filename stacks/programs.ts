/** Which program a stack runs, by stack name. */
import { productionProgram } from "./production";
import { stagingProgram } from "./staging";
import type { GuardedDatabaseStack } from "./guarded-databases";

export const STACK_PROGRAMS: Readonly<Record<string, () => GuardedDatabaseStack>> = {
  production: productionProgram,
  staging: stagingProgram,
};

/** The program for this stack; an unknown stack name throws rather than deploying a guess. */
export function programForStack(stack: string): () => GuardedDatabaseStack {
  const program = STACK_PROGRAMS[stack];
  if (!program) {
    throw new Error(
      `No reference program for stack "${stack}": this project runs the stacks ${Object.keys(STACK_PROGRAMS).map((s) => `"${s}"`).join(" and ")} ` +
        `(each with its Pulumi.<stack>.yaml). Select one with \`pulumi stack select\`, or add a program in stacks/programs.ts.`,
    );
  }
  return program;
}
