/**
 * `npm run bench [-- --runs <n>] [--skip-tests]` — how fast is the app to synthesize and test?
 *
 * Measures, in one run (synthesis and floor runs interleaved, so machine noise hits both alike):
 *   (a) synthesis of every stack: `node --import tsx main.ts` into a temp outdir (env
 *       CDKTF_OUTDIR), N times (default 5): median wall time and peak RSS;
 *   (b) the floor: a process that loads the same module files (listed by an instrumented first
 *       run of main.ts, see scripts/bench-floor.ts) and synthesizes an empty App;
 *   (c) the ratio synth/floor: the cost of building the stacks over the cost of loading the code;
 *   (d) the unit tests: `npx jest --selectProjects unit`, once, wall time.
 * Prints a markdown table, and writes the figures to bench-results/ (gitignored).
 *
 * A benchmark, not a test: no thresholds. It fails only if synthesis fails; a failing unit-test run
 * is reported, not fatal. It warns when the ratio exceeds 2 (building the stacks costing more than
 * loading the code usually means a hot spot).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { appEntry, REPO_ROOT } from "../tooling/terraform-harness";

const RATIO_WARNING = 2;
const GNU_TIME = "/usr/bin/time";

interface Options {
  runs: number;
  skipTests: boolean;
  entry: string;
}

interface Sample {
  seconds: number;
  /** Peak resident set size, MB. */
  rssMb: number;
}

interface Summary {
  median: number;
  min: number;
  max: number;
  rssMb: number;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { runs: 5, skipTests: false, entry: appEntry() ?? "main.ts" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--runs") opts.runs = Number(argv[++i]);
    else if (a === "--skip-tests") opts.skipTests = true;
    else if (a === "--entry") opts.entry = argv[++i] ?? "";
    else {
      console.error(`unknown argument ${a}\nusage: npm run bench -- [--runs <n>] [--skip-tests] [--entry <file>]`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(opts.runs) || opts.runs < 1) {
    console.error("--runs must be a positive integer");
    process.exit(2);
  }
  return opts;
}

/**
 * Preloaded (`node --require`) into every measured process: at exit it records the process's
 * peak RSS and, when asked, the resolved files in `require.cache` (the app's import graph).
 */
const PRELOAD = `"use strict";
const fs = require("node:fs");
process.on("exit", () => {
  const out = process.env.LMA_BENCH_REPORT;
  if (!out) return;
  const report = { maxRssKb: process.resourceUsage().maxRSS };
  if (process.env.LMA_BENCH_DUMP_MODULES) report.modules = Object.keys(require.cache);
  fs.writeFileSync(out, JSON.stringify(report));
});
`;

interface Report {
  maxRssKb: number;
  modules?: string[];
}

class Bench {
  private readonly tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lma-bench-"));
  readonly preloadFile = path.join(this.tmp, "preload.cjs");
  private readonly gnuTime = fs.existsSync(GNU_TIME);
  private seq = 0;

  constructor() {
    fs.writeFileSync(this.preloadFile, PRELOAD);
  }

  /** Runs `node --require <preload> --import tsx <args>`, under GNU time when available. */
  node(label: string, args: string[], env: Record<string, string> = {}): Sample & { report: Report } {
    const id = this.seq++;
    const reportFile = path.join(this.tmp, `report-${id}.json`);
    const timeFile = path.join(this.tmp, `time-${id}.txt`);
    const nodeArgs = ["--require", this.preloadFile, "--import", "tsx", ...args];
    const [cmd, cmdArgs] = this.gnuTime ? [GNU_TIME, ["-f", "%M", "-o", timeFile, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
    const started = process.hrtime.bigint();
    const res = spawnSync(cmd, cmdArgs, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, LMA_BENCH_REPORT: reportFile },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (res.error || res.status !== 0) {
      throw new Error(`${label} failed (${res.error?.message ?? `exit ${res.status}`}):\n${res.stdout}${res.stderr}`);
    }
    const report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as Report;
    // GNU time's %M covers the process and any child it waited for; the preload's figure is the fallback.
    const rssKb = this.gnuTime ? Number(fs.readFileSync(timeFile, "utf8").trim().split("\n").pop()) : report.maxRssKb;
    return { seconds, rssMb: rssKb / 1024, report };
  }

  /** A path in the bench's temp dir. */
  file(name: string): string {
    return path.join(this.tmp, name);
  }

  cleanup(): void {
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

function summarize(samples: Sample[]): Summary {
  const s = samples.map((x) => x.seconds).sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return {
    median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2,
    min: s[0],
    max: s[s.length - 1],
    rssMb: Math.max(...samples.map((x) => x.rssMb)),
  };
}

function countStacks(outdir: string): number {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, unknown> };
  return Object.keys(manifest.stacks).length;
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  const entry = path.resolve(REPO_ROOT, opts.entry);
  const bench = new Bench();
  const load = os.loadavg()[0];
  try {
    // Warm-up (file cache, tsx's transform cache) and the import graph for the floor.
    process.stderr.write("warm-up synthesis (instrumented) … ");
    const warm = bench.node("warm-up synthesis", [entry], { CDKTF_OUTDIR: bench.file("warm"), LMA_BENCH_DUMP_MODULES: "1" });
    const modules = warm.report.modules ?? [];
    const stacks = countStacks(bench.file("warm"));
    const modulesFile = path.join(bench.file(""), "modules.json");
    fs.writeFileSync(modulesFile, JSON.stringify({ entry, exclude: [bench.preloadFile], modules }));
    process.stderr.write(`${warm.seconds.toFixed(2)} s, ${stacks} stacks, ${modules.length} modules\n`);

    const synth: Sample[] = [];
    const floor: Sample[] = [];
    const floorScript = path.join(REPO_ROOT, "scripts", "bench-floor.ts");
    for (let i = 0; i < opts.runs; i++) {
      process.stderr.write(`run ${i + 1}/${opts.runs}: synthesis … `);
      synth.push(bench.node("synthesis", [entry], { CDKTF_OUTDIR: bench.file(`synth-${i}`) }));
      process.stderr.write(`${synth[i].seconds.toFixed(2)} s; floor … `);
      floor.push(bench.node("floor", [floorScript, modulesFile, bench.file(`floor-${i}`)]));
      process.stderr.write(`${floor[i].seconds.toFixed(2)} s\n`);
    }

    let tests: { seconds: number; status: number | null; summary: string } | undefined;
    if (!opts.skipTests) {
      process.stderr.write("unit tests (npx jest --selectProjects unit) … ");
      const started = process.hrtime.bigint();
      const res = spawnSync("npx", ["jest", "--selectProjects", "unit"], { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const summary = `${res.stdout}${res.stderr}`.match(/^Tests:\s+(.*)$/m)?.[1]?.trim() ?? "no summary";
      tests = { seconds, status: res.status, summary };
      process.stderr.write(`${seconds.toFixed(2)} s (${summary})\n`);
    }

    const s = summarize(synth);
    const f = summarize(floor);
    const ratio = s.median / f.median;
    const fmt = (n: number) => n.toFixed(2);
    const rows = [
      `| synthesis, ${stacks} stacks (\`node --import tsx ${path.relative(REPO_ROOT, entry)}\`) | ${fmt(s.median)} | ${fmt(s.min)} | ${fmt(s.max)} | ${s.rssMb.toFixed(0)} | ${opts.runs} |`,
      `| floor: same ${modules.length} modules, empty app | ${fmt(f.median)} | ${fmt(f.min)} | ${fmt(f.max)} | ${f.rssMb.toFixed(0)} | ${opts.runs} |`,
      `| ratio synthesis / floor | ${fmt(ratio)} | | | | |`,
      ...(tests
        ? [`| unit tests (\`npx jest --selectProjects unit\`)${tests.status === 0 ? "" : ` — exit ${tests.status}`}: ${tests.summary} | ${fmt(tests.seconds)} | | | | 1 |`]
        : []),
    ];
    console.log(
      [
        `Node ${process.version}, ${os.cpus().length} CPUs, load average ${load.toFixed(2)} at start; peak RSS by ${fs.existsSync(GNU_TIME) ? "GNU time" : "process.resourceUsage()"}`,
        "",
        "| measure | median s | min s | max s | peak RSS MB | runs |",
        "|---|---:|---:|---:|---:|---:|",
        ...rows,
      ].join("\n"),
    );
    if (ratio > RATIO_WARNING) {
      console.log(`\nWARNING: synthesis takes ${fmt(ratio)}× the floor (> ${RATIO_WARNING}): building the stacks costs more than loading the code; look for a hot spot.`);
    }
    if (tests && tests.status !== 0) console.log(`\nNote: the unit tests exited with ${tests.status}.`);

    const resultsDir = path.join(REPO_ROOT, "bench-results");
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    fs.writeFileSync(file, JSON.stringify({ node: process.version, cpus: os.cpus().length, loadAverage: load, stacks, modules: modules.length, synth, floor, ratio, tests }, null, 2));
    console.log(`\nFigures: ${path.relative(process.cwd(), file)}`);
  } finally {
    bench.cleanup();
  }
}

main();
