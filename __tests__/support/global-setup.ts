import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Synthesizes the whole app once per jest run, through the cdktf.json app command (which builds
 * dist/ first when a source changed), into a temporary directory whose path the test workers
 * read from `LMA_SYNTH_OUT` (support/synth.ts). Both jest projects call it; the second call finds
 * the first one's output. A failure is recorded in `LMA_SYNTH_ERROR` for the stack tests to
 * report, so the construct tests still run.
 */
export default function synthesizeAppOnce(): void {
  const existing = process.env.LMA_SYNTH_OUT;
  if (process.env.LMA_SYNTH_ERROR || (existing && fs.existsSync(path.join(existing, "manifest.json")))) return;
  const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lma-jest-synth-")), "cdktf.out");
  const { app } = JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")) as { app: string };
  const started = Date.now();
  const run = spawnSync(app, {
    cwd: ROOT,
    shell: true,
    encoding: "utf8",
    env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1", LMA_STACKS: "", LMA_ENVIRONMENTS: "" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0 || !fs.existsSync(path.join(outdir, "manifest.json"))) {
    process.env.LMA_SYNTH_ERROR = `${app} exited ${run.status ?? run.signal}: ${run.error?.message ?? ""}${run.stdout}${run.stderr}`;
    process.stdout.write(`\nsynthesis for the tests failed; the stack tests report it\n`);
    return;
  }
  process.env.LMA_SYNTH_OUT = outdir;
  process.env.LMA_SYNTH_OUT_OWNER = String(process.pid);
  process.stdout.write(`\nsynthesized the app once for the tests (${app}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
