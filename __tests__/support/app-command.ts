import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..");

export interface AppRun {
  code: number | null;
  stderr: string;
  /** Where the run was told to write (`CDKTF_OUTDIR`); absent when it wrote nothing. */
  outdir: string;
}

/**
 * Runs the app as `cdktf synth` does (cdktf.json's `app`, from `cwd`, default the repository) into
 * a fresh temporary output directory, with `env` added to this process's environment.
 */
export function runAppCommand(env: Record<string, string> = {}, cwd = ROOT): Promise<AppRun> {
  const app = JSON.parse(readFileSync(join(cwd, "cdktf.json"), "utf8")).app as string;
  const outdir = join(mkdtempSync(join(tmpdir(), "lma-app-")), "cdktf.out");
  return new Promise((resolve, reject) => {
    const child = spawn(app, { cwd, shell: true, env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env, CDKTF_OUTDIR: outdir } });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr, outdir }));
  });
}
