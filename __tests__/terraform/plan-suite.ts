import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findTerraform, type PlanJson, releaseSynthesis, runStacks, type StackOutcome, synthesizeOnce } from "../../tooling/terraform-harness";

export type PlanOf = (stack: string) => PlanJson;

/**
 * A suite of Terratest-style assertions on the offline plans of some stacks. The stacks come
 * from the run's one synthesis; the plans come from the harness's cache, filled for every stack by
 * global-setup.ts, so a suite costs a synthesis, not Terraform runs. Without a terraform binary
 * the suite fails in CI (`CI=true`) and is skipped elsewhere.
 */
export function planSuite(name: string, stacks: readonly string[], body: (planOf: PlanOf) => void): void {
  jest.setTimeout(10 * 60_000);
  if (!findTerraform()) {
    if (process.env.CI === "true") {
      it(`${name}: has a terraform binary in CI`, () => {
        throw new Error(`${name} needs a terraform binary (TERRAFORM_BINARY_NAME or terraform on PATH)`);
      });
    } else {
      console.warn(`Skipping ${name}: no terraform binary.`);
      describe.skip(name, () => it("needs terraform", () => undefined));
    }
    return;
  }
  describe(name, () => {
    const outcomes = new Map<string, StackOutcome>();
    let workRoot: string | undefined;

    beforeAll(async () => {
      const synth = synthesizeOnce({ timeoutMs: 180_000 });
      workRoot = fs.mkdtempSync(path.join(os.tmpdir(), "lma-tfwork-"));
      for (const outcome of await runStacks([...stacks], { outdir: synth.outdir, workRoot, concurrency: 2 })) {
        outcomes.set(outcome.stack, outcome);
      }
      if (!process.env.LMA_KEEP_TF_WORK) releaseSynthesis(synth);
    });

    afterAll(() => {
      if (workRoot && !process.env.LMA_KEEP_TF_WORK) fs.rmSync(workRoot, { recursive: true, force: true });
    });

    body((stack) => {
      const outcome = outcomes.get(stack);
      if (!outcome) throw new Error(`${stack} was not planned by "${name}" (plans: ${[...outcomes.keys()].join(", ")})`);
      if (!outcome.ok) throw outcome.error;
      if (!outcome.result.plan) throw new Error(`${stack} has no plan`);
      return outcome.result.plan;
    });
  });
}
