import * as fs from "node:fs";
import * as path from "node:path";

/** Removes the synthesis of support/global-setup.ts, unless LMA_KEEP_SYNTH is set (its path is printed). */
export default function removeSynthesis(): void {
  const outdir = process.env.LMA_SYNTH_OUT;
  if (!outdir || process.env.LMA_SYNTH_OUT_OWNER !== String(process.pid)) return;
  if (process.env.LMA_KEEP_SYNTH) {
    process.stdout.write(`kept the tests' synthesis in ${outdir}\n`);
    return;
  }
  fs.rmSync(path.dirname(outdir), { recursive: true, force: true });
  delete process.env.LMA_SYNTH_OUT;
}
