import { spawnSync } from "node:child_process";
import { join } from "node:path";

/**
 * With CI=true a missing terraform binary fails the plan tests; elsewhere they are
 * skipped with a warning. Runs one plan suite in a child jest with terraform made unfindable.
 */
const ROOT = join(__dirname, "..", "..");

function runPlanSuiteWithoutTerraform(ci: boolean) {
  const env: NodeJS.ProcessEnv = { ...process.env, TERRAFORM_BINARY_NAME: "/nonexistent/terraform", CI: ci ? "true" : "false" };
  return spawnSync(join(ROOT, "node_modules", ".bin", "jest"), ["--selectProjects", "terraform", "--", "__tests__/terraform/security"], {
    cwd: ROOT,
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
}

it("fails in CI", () => {
  const run = runPlanSuiteWithoutTerraform(true);
  expect(run.status).not.toBe(0);
  expect(run.stderr).toMatch(/needs a terraform binary/);
}, 120_000);

it("skips elsewhere", () => {
  const run = runPlanSuiteWithoutTerraform(false);
  expect(run.status).toBe(0);
  expect(run.stderr).toMatch(/skipped/);
}, 120_000);
