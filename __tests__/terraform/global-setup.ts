import * as fs from "node:fs";
import { findTerraform, loadPlans } from "../../tooling/terraform-harness";
import synthesizeAppOnce from "../support/global-setup";

/**
 * Plans every AWS stack once, two at a time, before the plan test files start, from the run's one
 * synthesis (support/global-setup.ts). The harness caches each result under the exact bytes
 * Terraform saw, so the test files read these results instead of running Terraform again.
 * Failures are left for the test files to report with Terraform's messages.
 */
export default async function planEveryStackOnce(): Promise<void> {
  synthesizeAppOnce();
  if (!findTerraform() || !process.env.LMA_SYNTH_OUT) return; // the test files report it: fail in CI, skip elsewhere
  const started = Date.now();
  try {
    const plans = await loadPlans({ outdir: process.env.LMA_SYNTH_OUT, concurrency: 2 });
    const failed = [...plans.outcomes.values()].filter((outcome) => !outcome.ok).map((outcome) => outcome.stack);
    process.stdout.write(
      `\nterraform: validated and planned ${plans.awsStacks.length} stacks in ${((Date.now() - started) / 1000).toFixed(0)} s` +
        (failed.length ? ` (failed: ${failed.join(", ")})` : "") +
        "\n",
    );
    fs.rmSync(plans.workRoot, { recursive: true, force: true });
  } catch (error) {
    process.stdout.write(`\nterraform: planning before the tests failed; the test files will report it: ${error}\n`);
  }
}
