/**
 * `npm run plan` never plans stale output: a cdktf.out made from other sources is synthesized
 * again before Terraform sees it, and the run ends with the changes per stack and the plan guard.
 * The stack's plan comes from the harness's cache, filled by global-setup.ts from the same bytes.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readAppContext } from "../../lib/app-context";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { findTerraform, type PlanJson, REPO_ROOT, resourceChanges } from "../../tooling/terraform-harness";

const { isSynthesisFresh, SYNTHESIS_STAMP } = require("../../scripts/run-app.js") as { isSynthesisFresh(outdir: string): boolean; SYNTHESIS_STAMP: string };

jest.setTimeout(5 * 60_000);

const stack = BootstrapStack.stackName(readAppContext().context.environments[0]!);
const LEFTOVER = "left_by_an_older_synthesis";
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "lma-plan-command-"));
const outdir = path.join(scratch, "cdktf.out");
const workRoot = path.join(scratch, "work");

function plan(): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/plan.ts", stack, "--outdir", outdir, "--work-root", workRoot], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    env: { ...process.env, LMA_STACKS: "", LMA_ENVIRONMENTS: "" },
    timeout: 4 * 60_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const terraformPresent = findTerraform() !== undefined && process.env.LMA_SYNTH_OUT !== undefined;
(terraformPresent ? describe : describe.skip)("npm run plan", () => {
  it("synthesizes a stale output again before planning, and ends with the summary and the plan guard", () => {
    fs.cpSync(process.env.LMA_SYNTH_OUT!, outdir, { recursive: true });
    // What a synthesis of older sources left behind: a resource today's sources no longer declare.
    const file = path.join(outdir, "stacks", stack, "cdk.tf.json");
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    json.resource.aws_s3_bucket[LEFTOVER] = { bucket: "lma-stale-leftover" };
    fs.writeFileSync(file, JSON.stringify(json));
    fs.writeFileSync(path.join(outdir, SYNTHESIS_STAMP), "made from other sources");

    const { status, output } = plan();
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining(`Synthesizing into`) });
    expect(isSynthesisFresh(outdir)).toBe(true);
    const planned = JSON.parse(fs.readFileSync(path.join(workRoot, stack, "plan.json"), "utf8")) as PlanJson;
    expect(resourceChanges(planned).map((change) => change.name)).not.toContain(LEFTOVER);
    expect(output).toMatch(new RegExp(`\\| ${stack} +\\| planned.*\\| passed +\\|`));
    expect(output).toContain(`${stack}: ${resourceChanges(planned).filter((change) => change.change.actions.includes("create")).length} to add, 0 to change, 0 to destroy — plan guard passed`);
  });

  it("plans an output that matches the sources as it is", () => {
    const { status, output } = plan();
    expect(status).toBe(0);
    expect(output).not.toContain("Synthesizing");
  });
});
