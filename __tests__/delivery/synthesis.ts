import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The jest global setup's synthesis (support/global-setup.ts) when there is one, else our own. */
export function synthesis(): { outdir: string; cleanup: () => void } {
  const shared = process.env.LMA_SYNTH_OUT;
  if (shared && fs.existsSync(path.join(shared, "manifest.json"))) return { outdir: shared, cleanup: () => {} };
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "lma-delivery-synth-"));
  (require("../../main") as typeof import("../../main")).buildApp({ outdir }).synth();
  return { outdir, cleanup: () => fs.rmSync(outdir, { recursive: true, force: true }) };
}
