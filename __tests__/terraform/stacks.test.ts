/**
 * Terratest-style proof of every AWS stack, offline: the whole app is synthesized once, then each
 * AWS stack is `terraform init`-ed against the provider mirror, validated and planned (local
 * backend, dummy credentials, see tooling/terraform-harness.ts), and the tests assert on the JSON of
 * `terraform show -json <plan>`.
 *
 * Adding expectations:
 * - for a stack family that already has a table (REGIONAL, bootstrap), add a column to the table
 *   and an `it` in its `describe.each`;
 * - for something new, add a table and a `describe.each` over it, reading plans with `planOf(stack)`
 *   and the helpers of tooling/terraform-harness.ts (`plannedResources`, `findResource`,
 *   `resourceChanges`, `configuredResources`, …).
 * Prefer this file for plan assertions: each jest test file has its own module registry, so
 * another file synthesizes again (seconds); its plans of unchanged stacks come from the harness's
 * result cache (.terraform-work/.cache, keyed by the exact bytes Terraform sees), not from
 * Terraform. `LMA_TF_CACHE=0` forces Terraform to run.
 *
 * Without a terraform binary the suite is skipped with a warning, except in CI (`CI=true`), where
 * it fails. Run it with `npx jest --selectProjects terraform`. Set `LMA_KEEP_TF_WORK=1` to keep
 * the temp synthesis and work dirs (paths are printed).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadEnvironments } from "../../environments";
import { readAppContext } from "../../lib/app-context";
import { RegionalStack } from "../../stacks/regional-stack";
import {
  actionsSummary,
  configuredResources,
  expressionReferences,
  findResources,
  findTerraform,
  isAwsOnlyStack,
  listStacks,
  loadPlans,
  plannedResources,
  resourceChanges,
  releaseSynthesis,
  synthesizeOnce,
  TerraformRunError,
  type PlanJson,
  type PlanSet,
  type StackRunResult,
  type ValidateJson,
} from "../../tooling/terraform-harness";

jest.setTimeout(10 * 60_000);

// ---------------------------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------------------------

interface RegionalExpectation {
  stack: string;
  cidr: string;
  natGateways: number;
}

/** One row per regional stack `lma-<env>-<region>` of the configuration: its VPC and NAT gateways. */
const REGIONAL: RegionalExpectation[] = loadEnvironments(readAppContext().context).flatMap(({ config }) =>
  config.regions.map((region) => ({
    stack: RegionalStack.stackName(config.name, region.region),
    cidr: region.vpcCidr,
    natGateways: region.natGateways === "single" ? 1 : region.availabilityZones.length,
  })),
);

/** Resource types every bootstrap (state backend) stack must plan. */
const BOOTSTRAP_TYPES = ["aws_s3_bucket", "aws_s3_bucket_versioning", "aws_s3_bucket_public_access_block", "aws_dynamodb_table"];

// ---------------------------------------------------------------------------------------------
// Setup: synthesize at collection time (jest needs the stack names to generate one `it` per
// stack), plan in beforeAll.
// ---------------------------------------------------------------------------------------------

const terraform = findTerraform();
const inCI = process.env.CI === "true";
const synth = terraform ? synthesizeOnce({ timeoutMs: 120_000 }) : undefined;
const stacks = synth ? listStacks(synth.outdir) : [];
const awsStacks = stacks.filter(isAwsOnlyStack).map((s) => s.name);
const bootstrapStacks = awsStacks.filter((name) => name.includes("bootstrap"));

/** Hashes of the synthesized stacks before Terraform runs: the harness must never change cdktf output. */
const synthesizedHashes = new Map(stacks.map((s) => [s.name, sha256(s.synthesizedStackPath)]));

function sha256(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

let plans: PlanSet;

/** The run of a stack; rethrows its Terraform error (with Terraform's output) if it failed. */
function runOf(stack: string): StackRunResult {
  const outcome = plans.outcomes.get(stack);
  if (!outcome) throw new Error(`${stack} was not run (AWS stacks: ${plans.awsStacks.join(", ")})`);
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}

function planOf(stack: string): PlanJson {
  const plan = runOf(stack).plan;
  if (!plan) throw new Error(`${stack} has no plan`);
  return plan;
}

function validateOf(stack: string): ValidateJson {
  const outcome = plans.outcomes.get(stack);
  if (outcome && !outcome.ok && outcome.error instanceof TerraformRunError && outcome.error.partial.validate) {
    return outcome.error.partial.validate;
  }
  return runOf(stack).validate;
}

/** Error diagnostics as readable lines, so a failing expectation shows Terraform's words. */
function errorDiagnostics(v: ValidateJson): string[] {
  return v.diagnostics
    .filter((d) => d.severity === "error")
    .map((d) => `${d.summary}${d.range ? ` (${d.range.filename}:${d.range.start.line})` : ""}${d.detail ? `: ${d.detail}` : ""}`);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

if (!terraform) {
  const why = "no terraform binary (TERRAFORM_BINARY_NAME, PATH, /usr/local/bin/terraform)";
  if (inCI) {
    describe("offline Terraform proof", () => {
      it("has a terraform binary in CI", () => {
        throw new Error(`The offline Terraform proof cannot run: ${why}. Install Terraform in the CI image.`);
      });
    });
  } else {
    console.warn(`Skipping the offline Terraform proof: ${why}.`);
    describe.skip("offline Terraform proof", () => {
      it("needs terraform", () => undefined);
    });
  }
} else {
  describe("offline Terraform proof", () => {
    beforeAll(async () => {
      plans = await loadPlans({ outdir: synth!.outdir, concurrency: 2 });
      const lines = [...plans.outcomes.values()].map((o) => {
        if (!o.ok) return `${o.stack}: FAILED (${o.error.message.split("\n")[0]})`;
        const d = o.result.cached?.durations ?? o.result.durations;
        const cached = o.result.cached ? " (cached result of an identical earlier run; LMA_TF_CACHE=0 to rerun)" : "";
        return `${o.stack}: init ${d.init}s, validate ${d.validate}s, plan ${d.plan}s, show ${d.show}s${cached}`;
      });
      console.info(`Synthesis ${synth!.seconds.toFixed(1)}s; ${plans.awsStacks.length} AWS stacks planned in ${plans.seconds.toFixed(1)}s\n${lines.join("\n")}`);
    });

    afterAll(() => {
      if (process.env.LMA_KEEP_TF_WORK) console.info(`Kept ${synth!.outdir}${plans ? ` and ${plans.workRoot}` : ""}`);
      else {
        releaseSynthesis(synth!);
        if (plans) fs.rmSync(plans.workRoot, { recursive: true, force: true });
      }
    });

    describe("the app", () => {
      it("synthesizes AWS stacks", () => {
        expect(awsStacks.length).toBeGreaterThan(0);
      });

      it("has every expected regional stack", () => {
        expect(awsStacks).toEqual(expect.arrayContaining(REGIONAL.map((r) => r.stack)));
      });

      it("has a bootstrap (state backend) stack", () => {
        expect(bootstrapStacks.length).toBeGreaterThan(0);
      });

      // A stack mixing AWS with Datadog/PagerDuty could not be planned offline, and would silently
      // drop out of this proof (README: every AWS stack plans on its own, offline).
      it("keeps AWS and non-AWS providers in separate stacks", () => {
        const mixed = stacks.filter((s) => s.providers.length > 1 && s.providers.some((p) => p.endsWith("/hashicorp/aws")));
        expect(mixed.map((s) => `${s.name}: ${s.providers.join(", ")}`)).toEqual([]);
      });
    });

    // `.each` refuses an empty table; the "the app" tests above report missing stacks instead.
    const each = <T,>(table: T[]) => (table.length > 0 ? describe.each(table) : () => undefined);

    each(awsStacks)("%s", (stack) => {
      it("validates", () => {
        const validate = validateOf(stack);
        expect(errorDiagnostics(validate)).toEqual([]);
        expect(validate.valid).toBe(true);
      });

      it("plans creations only (no delete, no replace)", () => {
        const summary = actionsSummary(planOf(stack));
        expect(summary.create).toBeGreaterThan(0);
        expect(summary).toEqual(expect.objectContaining({ delete: 0, replace: 0 }));
      });

      it("was planned from an offline copy, leaving the synthesized stack untouched", () => {
        const run = runOf(stack);
        const info = stacks.find((s) => s.name === stack)!;
        expect(sha256(info.synthesizedStackPath)).toBe(synthesizedHashes.get(stack));
        const copy = JSON.parse(fs.readFileSync(path.join(run.workDir, "cdk.tf.json"), "utf8"));
        expect(copy.terraform.backend).toEqual({ local: { path: "terraform.tfstate" } });
        for (const provider of [copy.provider?.aws ?? []].flat()) {
          expect(provider).not.toHaveProperty("assume_role");
          expect(provider).not.toHaveProperty("allowed_account_ids");
        }
      });
    });

    each(bootstrapStacks)("%s (state backend)", (stack) => {
      it.each(BOOTSTRAP_TYPES)("plans an %s", (type) => {
        expect(plannedResources(planOf(stack), type).length).toBeGreaterThan(0);
      });

      it("plans the lock table with point-in-time recovery", () => {
        const tables = findResources(planOf(stack), "aws_dynamodb_table");
        expect(tables.map((t) => ({ address: t.address, pitr: t.values.point_in_time_recovery }))).toEqual(
          tables.map((t) => ({ address: t.address, pitr: [expect.objectContaining({ enabled: true })] })),
        );
      });
    });

    describe.each(REGIONAL)("$stack (regional)", ({ stack, cidr, natGateways }) => {
      it(`plans a VPC with CIDR ${cidr}`, () => {
        const cidrs = findResources(planOf(stack), "aws_vpc").map((v) => v.values.cidr_block);
        expect(cidrs).toContain(cidr);
      });

      it(`plans ${natGateways} NAT gateway(s)`, () => {
        expect(plannedResources(planOf(stack), "aws_nat_gateway")).toHaveLength(natGateways);
      });

      it("plans a VPC flow log attached to a VPC of the stack", () => {
        const plan = planOf(stack);
        expect(plannedResources(plan, "aws_flow_log").length).toBeGreaterThan(0);
        const attached = configuredResources(plan, "aws_flow_log").filter((f) =>
          expressionReferences(f, "vpc_id").some((ref) => ref.startsWith("aws_vpc.") || ref.includes(".aws_vpc.")),
        );
        expect(attached.length).toBeGreaterThan(0);
      });

      // The default security group must allow nothing: either `ingress`/`egress` are planned as
      // empty lists, or they are not configured at all (the provider then removes every rule of
      // the default group when it adopts it).
      it("closes the default security group (no ingress, no egress)", () => {
        const plan = planOf(stack);
        const groups = resourceChanges(plan, "aws_default_security_group");
        expect(groups.length).toBeGreaterThan(0);
        for (const group of groups) {
          const config = configuredResources(plan, "aws_default_security_group").find((c) => group.address.startsWith(c.address));
          for (const rules of ["ingress", "egress"]) {
            const after = group.change.after?.[rules];
            const unknownAndUnset = group.change.after_unknown?.[rules] === true && !(config?.expressions && rules in config.expressions);
            expect({ address: group.address, rules, value: unknownAndUnset ? [] : after }).toEqual({ address: group.address, rules, value: [] });
          }
        }
      });
    });
  });
}
