/**
 * Offline validate + plan of AWS stacks, without an AWS account.
 *
 *   npm run plan -- <stack> [<stack>…]     the named stacks
 *   npm run plan -- --all                  every AWS-only stack of the synthesized app
 *
 * Options:
 *   --synth              synthesize first even when the output matches the sources
 *   --validate-only      stop after `terraform validate` (no plan, no guard)
 *   --concurrency <n>    stacks at once (default 2: each run loads the 675 MB AWS provider)
 *   --no-cache           run Terraform even if an identical stack was planned before (the
 *                        harness reuses such results from .terraform-work/.cache by default)
 *   --outdir <dir>       cdktf output directory (default cdktf.out)
 *   --work-root <dir>    where the stacks' work directories go (default .terraform-work)
 *
 * The output directory is synthesized again whenever it does not match the sources, cdktf.json or
 * the selection (scripts/run-app.js records what each synthesis was made from), so a plan never
 * shows stale output. Each stack runs in `<work-root>/<stack>/` (a transformed copy of its
 * cdk.tf.json with a local backend, dummy credentials and placeholder variables, see
 * tooling/terraform-harness.ts); its plan JSON is saved as `<work-root>/<stack>/plan.json`.
 * The run ends with the changes per stack and the plan guard's verdict (tooling/plan-guard).
 * Exit code 1 if any stack fails or the guard refuses a plan, 2 on bad usage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadEnvironments } from "../environments";
import { readAppContext } from "../lib/app-context";
import { ALLOW_LIST_FILE, countChanges, environmentOfStack, formatVerdict, type GuardVerdict, guardPlan, readAllowList } from "../tooling/plan-guard";
import {
  DEFAULT_OUTDIR,
  DEFAULT_WORK_ROOT,
  isAwsOnlyStack,
  listStacks,
  REPO_ROOT,
  runStacks,
  synthesizeApp,
  TerraformRunError,
  type StackOutcome,
} from "../tooling/terraform-harness";

const { isSynthesisFresh } = require("./run-app.js") as { isSynthesisFresh(outdir: string, env?: NodeJS.ProcessEnv): boolean };

/** How often a line names the stacks still running, so a long plan is visibly alive in a CI log. */
const PROGRESS_INTERVAL_MS = 20_000;

interface Args {
  stacks: string[];
  all: boolean;
  synth: boolean;
  validateOnly: boolean;
  cache: boolean;
  concurrency: number;
  outdir: string;
  workRoot: string;
}

function usage(message?: string): never {
  if (message) console.error(`error: ${message}`);
  console.error("usage: npm run plan -- [--all | <stack>…] [--synth] [--validate-only] [--no-cache] [--concurrency <n>] [--outdir <dir>] [--work-root <dir>]");
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { stacks: [], all: false, synth: false, validateOnly: false, cache: true, concurrency: 2, outdir: DEFAULT_OUTDIR, workRoot: DEFAULT_WORK_ROOT };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? usage(`${a} needs a value`);
    if (a === "--all") args.all = true;
    else if (a === "--synth") args.synth = true;
    else if (a === "--validate-only") args.validateOnly = true;
    else if (a === "--no-cache") args.cache = false;
    else if (a === "--concurrency") args.concurrency = Number(value());
    else if (a === "--outdir") args.outdir = path.resolve(value());
    else if (a === "--work-root") args.workRoot = path.resolve(value());
    else if (a === "-h" || a === "--help") usage();
    else if (a.startsWith("-")) usage(`unknown option ${a}`);
    else args.stacks.push(a);
  }
  if (!args.all && args.stacks.length === 0) usage("name at least one stack, or --all");
  if (args.all && args.stacks.length > 0) usage("--all and stack names are exclusive");
  if (!Number.isInteger(args.concurrency) || args.concurrency < 1) usage("--concurrency must be a positive integer");
  return args;
}

const rel = (p: string) => path.relative(process.cwd(), p) || ".";

/** A markdown-style table with right-aligned numeric columns. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = header.map((_, i) => rows.some((r) => /^[\d.]+$/.test(r[i])) && rows.every((r) => /^([\d.]+|–)$/.test(r[i])));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

function row(outcome: StackOutcome, validateOnly: boolean, verdict: GuardVerdict | undefined): string[] {
  if (!outcome.ok) {
    const step = outcome.error instanceof TerraformRunError ? ` (${outcome.error.step})` : "";
    return [outcome.stack, `FAILED${step}`, "–", "–", "–", "–", "–", "–"];
  }
  const { result } = outcome;
  const counts = result.plan ? countChanges(result.plan) : undefined;
  const n = (v: number | undefined) => (v === undefined ? "–" : String(v));
  return [
    outcome.stack,
    `${validateOnly ? "valid" : "planned"}${result.cached ? " (cached)" : ""}`,
    n(counts?.add),
    n(counts?.change),
    n(counts?.destroy),
    verdict ? (verdict.passed ? "passed" : "REFUSED") : "–",
    result.durations.total.toFixed(1),
    result.planJsonPath ? rel(result.planJsonPath) : "–",
  ];
}

/** Synthesizes into `outdir` unless it holds a synthesis of the current sources (or `force`). */
function ensureSynthesis(outdir: string, force: boolean): void {
  const fresh = isSynthesisFresh(outdir);
  if (fresh && !force) return;
  const why = force ? "--synth" : fs.existsSync(path.join(outdir, "manifest.json")) ? "the sources, cdktf.json or the selection changed since it was synthesized" : "nothing synthesized yet";
  console.log(`Synthesizing into ${rel(outdir)} (${why}) …`);
  const synth = synthesizeApp({ outdir, inherit: true, timeoutMs: 300_000 });
  console.log(`Synthesized in ${synth.seconds.toFixed(1)} s`);
}

/** The stacks to plan: the named ones (each must exist and be AWS-only), or every AWS-only stack. */
function selectStacks(args: Args): string[] {
  const all = listStacks(args.outdir);
  const elsewhere = (providers: string[]) => `its providers (${providers.join(", ")}) cannot be initialised offline; the pull-request workflow plans it with its credentials`;
  if (args.all) {
    for (const s of all.filter((x) => !isAwsOnlyStack(x))) console.log(`skip ${s.name}: ${elsewhere(s.providers)}`);
    return all.filter(isAwsOnlyStack).map((s) => s.name);
  }
  for (const name of args.stacks) {
    const info = all.find((s) => s.name === name);
    if (!info) usage(`no stack ${name} in ${rel(path.join(args.outdir, "manifest.json"))} (stacks: ${all.map((s) => s.name).join(", ")})`);
    if (!isAwsOnlyStack(info)) usage(`${name}: ${elsewhere(info.providers)}`);
  }
  return args.stacks;
}

/** The plan guard on every plan: refuses destructive changes to stateful resources where the environment protects its data. */
function guardPlans(outcomes: readonly StackOutcome[]): Map<string, GuardVerdict> {
  const { context } = readAppContext();
  const protection = new Map(loadEnvironments(context).map(({ config }) => [config.name as string, config.deletionProtection]));
  const approvals = readAllowList(path.join(REPO_ROOT, ALLOW_LIST_FILE));
  const verdicts = new Map<string, GuardVerdict>();
  for (const outcome of outcomes) {
    if (!outcome.ok || !outcome.result.plan) continue;
    const environment = environmentOfStack(outcome.stack, context.environments);
    verdicts.set(outcome.stack, guardPlan(outcome.result.plan, { stack: outcome.stack, protected: environment ? (protection.get(environment) ?? true) : true, approvals }));
  }
  return verdicts;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  ensureSynthesis(args.outdir, args.synth);
  const names = selectStacks(args);
  if (names.length === 0) usage("no AWS stacks to plan");

  const started = Date.now();
  const running = new Map<string, number>();
  let finished = 0;
  console.log(`${args.validateOnly ? "Validating" : "Planning"} ${names.length} stack(s), ${args.concurrency} at a time, in ${rel(args.workRoot)}/ …`);
  const heartbeat = setInterval(() => {
    const now = Date.now();
    const list = [...running].map(([stack, since]) => `${stack} ${((now - since) / 1000).toFixed(0)} s`);
    if (list.length > 0) console.log(`  …    still running: ${list.join(", ")}`);
  }, PROGRESS_INTERVAL_MS);
  const outcomes = await runStacks(names, {
    outdir: args.outdir,
    workRoot: args.workRoot,
    concurrency: args.concurrency,
    validateOnly: args.validateOnly,
    cache: args.cache,
    onStart: (stack) => {
      running.set(stack, Date.now());
      console.log(`  start ${stack}`);
    },
    onDone: (o) => {
      running.delete(o.stack);
      const progress = `[${++finished}/${names.length}]`;
      if (o.ok && o.result.cached) {
        console.log(`  ok   ${progress} ${o.stack} (cached: same input as an earlier run, ${o.result.cached.key.slice(0, 12)})`);
      } else if (o.ok) {
        const d = o.result.durations;
        const steps = [`init ${d.init}s`, `validate ${d.validate}s`, ...(d.plan !== undefined ? [`plan ${d.plan}s`, `show ${d.show}s`] : [])];
        console.log(`  ok   ${progress} ${o.stack} (${steps.join(", ")})`);
      } else {
        console.log(`  FAIL ${progress} ${o.stack}`);
      }
    },
  }).finally(() => clearInterval(heartbeat));
  const seconds = (Date.now() - started) / 1000;
  const verdicts = args.validateOnly ? new Map<string, GuardVerdict>() : guardPlans(outcomes);

  console.log();
  console.log(table(["stack", "result", "add", "change", "destroy", "plan guard", "seconds", "plan JSON"], outcomes.map((o) => row(o, args.validateOnly, verdicts.get(o.stack)))));
  console.log(`\n${names.length} stack(s) in ${seconds.toFixed(1)} s (work dirs: ${rel(args.workRoot)}/<stack>/)`);

  const failed = outcomes.filter((o): o is Extract<StackOutcome, { ok: false }> => !o.ok);
  for (const f of failed) console.error(`\n--- ${f.stack} ---\n${f.error.message}`);
  if (verdicts.size > 0) console.log(`\nPlan guard (${ALLOW_LIST_FILE}):\n${[...verdicts.values()].map(formatVerdict).join("\n")}`);
  const refused = [...verdicts.values()].filter((verdict) => !verdict.passed);
  if (failed.length > 0 || refused.length > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
