import * as fs from "node:fs";
import { findTerraform, loadPlans } from "../../tooling/terraform-harness";

/**
 * Plans every AWS stack once, two at a time, before the plan test files start. The harness
 * caches each result under the exact bytes Terraform saw, so the test files (each synthesizing
 * the app again, deterministically) read these results instead of running Terraform four times
 * over on two cores. Failures are left for the test files to report with Terraform's messages.
 */
export default async function planEveryStackOnce(): Promise<void> {
  if (!findTerraform()) return; // each test file decides: fail in CI, skip elsewhere
  const started = Date.now();
  try {
    const plans = await loadPlans({ concurrency: 2 });
    const failed = [...plans.outcomes.values()].filter((outcome) => !outcome.ok).map((outcome) => outcome.stack);
    process.stdout.write(
      `\nterraform: validated and planned ${plans.awsStacks.length} stacks in ${((Date.now() - started) / 1000).toFixed(0)} s` +
        (failed.length ? ` (failed: ${failed.join(", ")})` : "") +
        "\n",
    );
    fs.rmSync(plans.outdir, { recursive: true, force: true });
    fs.rmSync(plans.workRoot, { recursive: true, force: true });
  } catch (error) {
    process.stdout.write(`\nterraform: planning before the tests failed; the test files will report it: ${error}\n`);
  }
}
