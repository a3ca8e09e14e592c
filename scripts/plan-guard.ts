/**
 * `npm run plan-guard -- [--stack <name>] [--summary <file.md>] [--allow-list <file>] <plan.json>…`
 *
 * Refuses plans (JSON of `terraform show -json <planfile>`) that delete or replace a stateful
 * resource (tooling/plan-guard/stateful-resources.ts) in an environment with
 * `deletionProtection: true` (environments/<env>.ts), unless plan-guard.allow.json approves that
 * exact change. Each plan's stack is its directory's name (`.terraform-work/<stack>/plan.json`,
 * `cdktf.out/stacks/<stack>/plan.json`) unless --stack names it.
 * --summary appends one markdown table row per plan (the header when the file is new).
 * Exit 1 when any plan is refused, 2 on bad usage or input.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { loadEnvironments } from "../environments";
import { ConfigValidationError } from "../environments/validate";
import { readAppContext } from "../lib/app-context";
import {
  ALLOW_LIST_FILE,
  environmentOfStack,
  AllowListError,
  formatVerdict,
  type GuardedPlan,
  guardPlan,
  readAllowList,
  VERDICT_MARKDOWN_HEADER,
  verdictMarkdownRow,
} from "../tooling/plan-guard";

class UsageError extends Error {}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      stack: { type: "string" },
      summary: { type: "string" },
      "allow-list": { type: "string", default: join(__dirname, "..", ALLOW_LIST_FILE) },
    },
  });
  if (positionals.length === 0) throw new UsageError("usage: npm run plan-guard -- [--stack <name>] [--summary <file.md>] [--allow-list <file>] <plan.json>…");
  if (values.stack && positionals.length > 1) throw new UsageError("--stack names the stack of a single plan; pass one plan.json with it");

  const approvals = readAllowList(values["allow-list"]!);
  const { context, issues } = readAppContext();
  if (issues.length > 0) throw new ConfigValidationError(issues);
  const protection = new Map(loadEnvironments(context).map(({ config }) => [config.name as string, config.deletionProtection]));

  let refused = 0;
  for (const file of positionals) {
    if (!existsSync(file)) throw new UsageError(`${file}: no such plan JSON (write it with terraform show -json <planfile> > ${file})`);
    const stack = values.stack ?? basename(dirname(file));
    const environment = environmentOfStack(stack, context.environments);
    if (!environment) {
      throw new UsageError(`${file}: cannot tell the environment of stack "${stack}" (expected lma-<${context.environments.join("|")}>-…); pass --stack`);
    }
    const verdict = guardPlan(JSON.parse(readFileSync(file, "utf8")) as GuardedPlan, {
      stack,
      protected: protection.get(environment) ?? true,
      approvals,
    });
    console.log(formatVerdict(verdict));
    if (values.summary) {
      const header = existsSync(values.summary) ? "" : `${VERDICT_MARKDOWN_HEADER}\n`;
      appendFileSync(values.summary, `${header}${verdictMarkdownRow(verdict)}\n`);
    }
    if (!verdict.passed) refused++;
  }
  return refused > 0 ? 1 : 0;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof AllowListError || error instanceof ConfigValidationError)) throw error;
    console.error(error.message);
    process.exitCode = 2;
  }
}
