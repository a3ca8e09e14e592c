/**
 * `lma-<env>-…` → the environment, matched against cdktf.json's list (longest name first, so an
 * environment named like another's prefix cannot be mistaken for it). Stack names come from
 * main.ts (`lma-<environment>-<bootstrap|region|…>`).
 */
export function environmentOfStack(stack: string, environments: readonly string[]): string | undefined {
  return [...environments].sort((a, b) => b.length - a.length).find((env) => stack.startsWith(`lma-${env}-`));
}
