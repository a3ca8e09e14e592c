/**
 * `npm run bench [-- --runs <n>] [--skip-tests]`: how close synthesis is to its floor, and what
 * the unit tests cost against one synthesis. In one run, interleaved (machine noise hits all alike):
 *
 *   floor        a node process that loads cdktf and exactly the provider modules the output uses
 *                (from the resource and data types of every synthesized stack), then synthesizes
 *                an empty App: what any synthesis of this output must pay;
 *   app command  cdktf.json's `app` (node scripts/run-app.js: freshness check, compiled app);
 *   in-process   the compiled app timed inside its process (node's own start-up excluded), against
 *                the floor timed the same way inside its process;
 *   unit tests   `npx jest --selectProjects unit`, once, against one app-command synthesis.
 *
 * Prints a markdown table and the ratios, and writes the figures to bench-results/ (gitignored).
 * A benchmark, not a test: it fails only if synthesis fails.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readStackJson, synthesizedStackNames } from "../tooling/stack-json";

const ROOT = path.resolve(__dirname, "..");
const GNU_TIME = "/usr/bin/time";
const GOAL = { app: 2, tests: 4 };

interface Sample {
  /** Wall time of the process, seconds. */
  seconds: number;
  /** Time the process measured itself from its first line to its exit, seconds. */
  inside?: number;
  /** Peak resident set size, MB. */
  rssMb: number;
}

function parseArgs(argv: string[]): { runs: number; skipTests: boolean } {
  const options = { runs: 5, skipTests: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--runs") options.runs = Number(argv[++i]);
    else if (argv[i] === "--skip-tests") options.skipTests = true;
    else {
      console.error(`unknown argument ${argv[i]}\nusage: npm run bench -- [--runs <n>] [--skip-tests]`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(options.runs) || options.runs < 1) {
    console.error("--runs must be a positive integer");
    process.exit(2);
  }
  return options;
}

/** `aws_s3_bucket` → `@cdktf/provider-aws/lib/s3-bucket`; data sources → `…/lib/data-aws-…`. */
function providerModule(type: string, data: boolean): string {
  const [provider, ...rest] = type.split("_");
  const name = data ? `data-${type.replace(/_/g, "-")}` : rest.join("-");
  return `@cdktf/provider-${provider}/lib/${name}`;
}

/** The provider modules the synthesized output needs: one per resource and data type, and each provider's own. */
function providerModulesOf(outdir: string): string[] {
  const modules = new Set<string>();
  for (const stack of synthesizedStackNames(outdir)) {
    const json = readStackJson(outdir, stack);
    // terraform_data and its kin are cdktf's own classes, loaded with cdktf.
    for (const type of Object.keys(json.resource ?? {}).filter((name) => !name.startsWith("terraform_"))) modules.add(providerModule(type, false));
    for (const type of Object.keys(json.data ?? {})) modules.add(providerModule(type, true));
    for (const provider of Object.keys(json.provider ?? {})) modules.add(`@cdktf/provider-${provider}/lib/provider`);
  }
  const missing = [...modules].filter((name) => !fs.existsSync(path.join(ROOT, "node_modules", name)));
  if (missing.length > 0) throw new Error(`no module for ${missing.join(", ")}: the type-to-module mapping needs a case`);
  return [...modules].sort();
}

/** The measured process writes its own elapsed time at exit, from its first line. */
const selfTimed = (body: string) => `"use strict";
const started = process.hrtime.bigint();
process.on("exit", () => require("node:fs").writeFileSync(process.env.LMA_BENCH_INSIDE, String(Number(process.hrtime.bigint() - started) / 1e9)));
${body}
`;

class Bench {
  readonly tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lma-bench-"));
  private seq = 0;

  script(name: string, body: string): string {
    const file = path.join(this.tmp, name);
    fs.writeFileSync(file, selfTimed(body));
    return file;
  }

  /** Runs a shell command from the repository root under GNU time, with CDKTF_OUTDIR set to a fresh directory. */
  run(label: string, command: string, env: Record<string, string> = {}): Sample & { outdir: string } {
    const id = this.seq++;
    const outdir = path.join(this.tmp, `out-${id}`);
    const timeFile = path.join(this.tmp, `time-${id}`);
    const insideFile = path.join(this.tmp, `inside-${id}`);
    const gnuTime = fs.existsSync(GNU_TIME);
    const started = process.hrtime.bigint();
    const result = spawnSync(gnuTime ? `${GNU_TIME} -f %M -o ${timeFile} ${command}` : command, {
      cwd: ROOT,
      shell: true,
      encoding: "utf8",
      env: { ...process.env, ...env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1", LMA_BENCH_INSIDE: insideFile },
      maxBuffer: 64 * 1024 * 1024,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0) throw new Error(`${label} failed (exit ${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
    const rssKb = gnuTime ? Number(fs.readFileSync(timeFile, "utf8").trim().split("\n").pop()) : Number.NaN;
    const inside = fs.existsSync(insideFile) ? Number(fs.readFileSync(insideFile, "utf8")) : undefined;
    return { seconds, inside, rssMb: rssKb / 1024, outdir };
  }

  cleanup(): void {
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

const resolve = (name: string) => require.resolve(name, { paths: [ROOT] });

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const app = (JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")) as { app: string }).app;
  const bench = new Bench();
  const load = os.loadavg()[0]!;
  try {
    process.stderr.write(`warm-up: ${app} (builds dist/ when stale) … `);
    const warm = bench.run("warm-up", app);
    const stacks = synthesizedStackNames(warm.outdir);
    const modules = providerModulesOf(warm.outdir);
    process.stderr.write(`${warm.seconds.toFixed(2)} s, ${stacks.length} stacks, ${modules.length} provider modules\n`);

    const floorScript = bench.script(
      "floor.js",
      [
        `const { App } = require(${JSON.stringify(resolve("cdktf"))});`,
        ...modules.map((name) => `require(${JSON.stringify(resolve(name))});`),
        "new App({ outdir: process.env.CDKTF_OUTDIR }).synth();",
      ].join("\n"),
    );
    const inProcessScript = bench.script(
      "in-process.js",
      `const runApp = require(${JSON.stringify(path.join(ROOT, "scripts", "run-app.js"))});\nprocess.env.LMA_ENVIRONMENTS_DIR ??= ${JSON.stringify(path.join(ROOT, "environments"))};\nrunApp.installTypeScriptHook();\nrequire(require("node:path").join(runApp.OUT_DIR, "main.js")).synthesizeApp();`,
    );
    const node = JSON.stringify(process.execPath);
    const samples = { floor: [] as Sample[], app: [] as Sample[], inProcess: [] as Sample[] };
    for (let i = 0; i < options.runs; i++) {
      process.stderr.write(`run ${i + 1}/${options.runs}: `);
      samples.floor.push(bench.run("floor", `${node} ${floorScript}`));
      samples.app.push(bench.run("app command", app));
      samples.inProcess.push(bench.run("in-process", `${node} ${inProcessScript}`));
      process.stderr.write(`floor ${samples.floor[i]!.seconds.toFixed(2)} s, app ${samples.app[i]!.seconds.toFixed(2)} s, in-process ${samples.inProcess[i]!.inside!.toFixed(2)} s\n`);
    }

    let tests: { seconds: number; status: number | null; summary: string } | undefined;
    if (!options.skipTests) {
      process.stderr.write("unit tests (npx jest --selectProjects unit) … ");
      const started = process.hrtime.bigint();
      const result = spawnSync("npx", ["jest", "--selectProjects", "unit"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" }, maxBuffer: 64 * 1024 * 1024 });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      tests = { seconds, status: result.status, summary: `${result.stdout}${result.stderr}`.match(/^Tests:\s+(.*)$/m)?.[1]?.trim() ?? "no summary" };
      process.stderr.write(`${seconds.toFixed(2)} s (${tests.summary})\n`);
    }

    const wall = (list: Sample[]) => median(list.map((sample) => sample.seconds));
    const inside = (list: Sample[]) => median(list.map((sample) => sample.inside!));
    const rss = (list: Sample[]) => Math.max(...list.map((sample) => sample.rssMb)).toFixed(0);
    const ratios = {
      app: wall(samples.app) / wall(samples.floor),
      inProcess: inside(samples.inProcess) / inside(samples.floor),
      tests: tests ? tests.seconds / wall(samples.app) : undefined,
    };
    const f = (n: number) => n.toFixed(2);
    console.log(
      [
        `Node ${process.version}, ${os.cpus().length} CPUs, load average ${load.toFixed(2)} at start; ${stacks.length} stacks; medians of ${options.runs} runs`,
        "",
        "| measure | wall s | inside the process s | peak RSS MB |",
        "|---|---:|---:|---:|",
        `| floor: cdktf + the ${modules.length} provider modules the output uses, empty App | ${f(wall(samples.floor))} | ${f(inside(samples.floor))} | ${rss(samples.floor)} |`,
        `| app command (\`${app}\`) | ${f(wall(samples.app))} | | ${rss(samples.app)} |`,
        `| in-process (compiled app, timed inside) | ${f(wall(samples.inProcess))} | ${f(inside(samples.inProcess))} | ${rss(samples.inProcess)} |`,
        ...(tests ? [`| unit tests (\`npx jest --selectProjects unit\`${tests.status === 0 ? "" : `, exit ${tests.status}`}: ${tests.summary}) | ${f(tests.seconds)} | | |`] : []),
        "",
        `app command / floor: ${f(ratios.app)}× (goal ≤ ${GOAL.app}×)`,
        `in-process / floor (both timed inside): ${f(ratios.inProcess)}×`,
        ...(ratios.tests !== undefined ? [`unit tests / one app-command synthesis: ${f(ratios.tests)}× (goal ≤ ${GOAL.tests}×)`] : []),
      ].join("\n"),
    );
    const resultsDir = path.join(ROOT, "bench-results");
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    fs.writeFileSync(file, JSON.stringify({ node: process.version, cpus: os.cpus().length, loadAverage: load, stacks, modules, samples, tests, ratios }, null, 2));
    console.log(`\nFigures: ${path.relative(process.cwd(), file)}`);
  } finally {
    bench.cleanup();
  }
}

main();
