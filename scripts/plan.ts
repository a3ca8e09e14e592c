/**
 * Offline validate + plan of AWS stacks, without an AWS account.
 *
 *   npm run plan -- <stack> [<stack>…]     the named stacks
 *   npm run plan -- --all                  every AWS-only stack of the synthesized app
 *
 * Options:
 *   --synth              synthesize first (also done when cdktf.out/manifest.json is missing)
 *   --validate-only      stop after `terraform validate`
 *   --concurrency <n>    stacks at once (default 2: each run loads the 675 MB AWS provider)
 *   --no-cache           run Terraform even if an identical stack was planned before (the
 *                        harness reuses such results from .terraform-work/.cache by default)
 *   --outdir <dir>       cdktf output directory (default cdktf.out)
 *
 * Each stack runs in `.terraform-work/<stack>/` (a transformed copy of its cdk.tf.json with a local
 * backend and dummy credentials, see tooling/terraform-harness.ts); its plan JSON is saved as
 * `.terraform-work/<stack>/plan.json`. Exit code 1 if any stack fails, 2 on bad usage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  actionsSummary,
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

interface Args {
  stacks: string[];
  all: boolean;
  synth: boolean;
  validateOnly: boolean;
  cache: boolean;
  concurrency: number;
  outdir: string;
}

function usage(message?: string): never {
  if (message) console.error(`error: ${message}`);
  console.error("usage: npm run plan -- [--all | <stack>…] [--synth] [--validate-only] [--no-cache] [--concurrency <n>] [--outdir <dir>]");
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { stacks: [], all: false, synth: false, validateOnly: false, cache: true, concurrency: 2, outdir: DEFAULT_OUTDIR };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? usage(`${a} needs a value`);
    if (a === "--all") args.all = true;
    else if (a === "--synth") args.synth = true;
    else if (a === "--validate-only") args.validateOnly = true;
    else if (a === "--no-cache") args.cache = false;
    else if (a === "--concurrency") args.concurrency = Number(value());
    else if (a === "--outdir") args.outdir = path.resolve(value());
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

function row(outcome: StackOutcome, validateOnly: boolean): string[] {
  if (!outcome.ok) {
    const step = outcome.error instanceof TerraformRunError ? ` (${outcome.error.step})` : "";
    return [outcome.stack, `FAILED${step}`, "–", "–", "–", "–", "–"];
  }
  const { result } = outcome;
  const s = result.plan ? actionsSummary(result.plan) : undefined;
  const n = (v: number | undefined) => (v === undefined ? "–" : String(v));
  return [
    outcome.stack,
    `${validateOnly ? "valid" : "planned"}${result.cached ? " (cached)" : ""}`,
    n(s?.create),
    n(s?.update),
    s ? String(s.delete + s.replace) : "–",
    result.durations.total.toFixed(1),
    result.planJsonPath ? rel(result.planJsonPath) : "–",
  ];
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));

  if (args.synth || !fs.existsSync(path.join(args.outdir, "manifest.json"))) {
    console.log(`Synthesizing into ${rel(args.outdir)} …`);
    const synth = synthesizeApp({ outdir: args.outdir, inherit: true, timeoutMs: 300_000 });
    console.log(`Synthesized in ${synth.seconds.toFixed(1)} s`);
  }

  const all = listStacks(args.outdir);
  let names: string[];
  if (args.all) {
    names = all.filter(isAwsOnlyStack).map((s) => s.name);
    for (const s of all.filter((x) => !isAwsOnlyStack(x))) {
      console.log(`skip ${s.name}: providers ${s.providers.join(", ") || "none"} cannot be planned offline here`);
    }
  } else {
    names = args.stacks;
    for (const name of names) {
      const info = all.find((s) => s.name === name);
      if (!info) usage(`no stack ${name} in ${rel(path.join(args.outdir, "manifest.json"))} (stacks: ${all.map((s) => s.name).join(", ")})`);
      if (!isAwsOnlyStack(info)) usage(`${name} declares ${info.providers.join(", ")}; only AWS-only stacks can be planned offline here`);
    }
  }
  if (names.length === 0) usage("no AWS stacks to plan");

  const started = Date.now();
  console.log(`${args.validateOnly ? "Validating" : "Planning"} ${names.length} stack(s), ${args.concurrency} at a time, in ${rel(DEFAULT_WORK_ROOT)}/ …`);
  const outcomes = await runStacks(names, {
    outdir: args.outdir,
    workRoot: DEFAULT_WORK_ROOT,
    concurrency: args.concurrency,
    validateOnly: args.validateOnly,
    cache: args.cache,
    onDone: (o) => {
      if (o.ok && o.result.cached) {
        console.log(`  ok   ${o.stack} (cached: same input as an earlier run, ${o.result.cached.key.slice(0, 12)})`);
      } else if (o.ok) {
        const d = o.result.durations;
        const steps = [`init ${d.init}s`, `validate ${d.validate}s`, ...(d.plan !== undefined ? [`plan ${d.plan}s`, `show ${d.show}s`] : [])];
        console.log(`  ok   ${o.stack} (${steps.join(", ")})`);
      } else {
        console.log(`  FAIL ${o.stack}`);
      }
    },
  });
  const seconds = (Date.now() - started) / 1000;

  console.log();
  console.log(table(["stack", "result", "create", "update", "delete/replace", "seconds", "plan JSON"], outcomes.map((o) => row(o, args.validateOnly))));
  console.log(`\n${names.length} stack(s) in ${seconds.toFixed(1)} s (work dirs: ${rel(path.join(REPO_ROOT, ".terraform-work"))}/<stack>/)`);

  const failed = outcomes.filter((o): o is Extract<StackOutcome, { ok: false }> => !o.ok);
  for (const f of failed) console.error(`\n--- ${f.stack} ---\n${f.error.message}`);
  if (failed.length > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
