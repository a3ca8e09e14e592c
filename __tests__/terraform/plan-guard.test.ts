import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findTerraform, type PlanJson } from "../../tooling/terraform-harness";
import { type Approval, guardPlan, type GuardVerdict, STATEFUL_RESOURCE_TYPES } from "../../tooling/plan-guard";
import { type FixtureShape, GuardFixture } from "./guard-fixture";

const ROOT = path.join(__dirname, "..", "..");
const STACK = "lma-production-guard-fixture";
const terraform = findTerraform();

const keyArn = (id: string) => `arn:aws:kms:us-east-1:400000000003:key/${id}`;
const applied: FixtureShape = { databaseKmsKeyArn: keyArn("11111111-1111-4111-8111-111111111111"), withBucket: true, secretName: "lma-guard/api-key" };
const changed: FixtureShape = { databaseKmsKeyArn: keyArn("22222222-2222-4222-8222-222222222222"), withBucket: false, secretName: "lma-guard/api-key-v2" };

const byAddress = (verdict: GuardVerdict) => new Map(verdict.unapproved.map((f) => [f.address, f]));

if (!terraform && process.env.CI !== "true") {
  it.skip("plan guard on real plans: skipped, no terraform binary", () => {});
  console.warn("plan guard tests on real plans skipped: no terraform binary (they fail in CI)");
} else {
  describe("plan guard on real offline plans", () => {
    let workDir: string;
    let firstPlan: PlanJson;
    let changedPlan: PlanJson;

    beforeAll(() => {
      if (!terraform) throw new Error("the plan guard tests need a terraform binary in CI");
      workDir = fs.mkdtempSync(path.join(os.tmpdir(), "lma-plan-guard-"));
      const fixture = new GuardFixture(path.join(workDir, STACK), terraform);
      firstPlan = fixture.plan(applied);
      fixture.adoptAsState(firstPlan);
      changedPlan = fixture.plan(changed);
      fs.writeFileSync(path.join(workDir, STACK, "plan.json"), JSON.stringify(changedPlan));
    }, 240_000);

    afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

    it("passes the first plan, which only creates", () => {
      const verdict = guardPlan(firstPlan, { stack: STACK, protected: true, approvals: [] });
      expect(verdict.passed).toBe(true);
      expect(verdict.counts.destroy).toBe(0);
      expect(verdict.counts.add).toBe(firstPlan.resource_changes!.length);
    });

    it("refuses the database re-encrypted with another key (a replacement), the removed bucket and the renamed secret, naming what forces each", () => {
      const verdict = guardPlan(changedPlan, { stack: STACK, protected: true, approvals: [] });
      expect(verdict.passed).toBe(false);
      const findings = byAddress(verdict);
      expect(findings.get("aws_db_instance.database")).toMatchObject({ action: "replace", replacePaths: ["kms_key_id"], kind: STATEFUL_RESOURCE_TYPES.aws_db_instance });
      expect(findings.get("aws_s3_bucket.documents")).toMatchObject({ action: "delete", replacePaths: [], kind: STATEFUL_RESOURCE_TYPES.aws_s3_bucket });
      expect(findings.get("aws_secretsmanager_secret.api_key")).toMatchObject({ action: "replace", replacePaths: ["name"] });
      expect(findings.size).toBe(3);
    });

    it("only reports them where the environment does not protect its data", () => {
      const verdict = guardPlan(changedPlan, { stack: STACK, protected: false, approvals: [] });
      expect(verdict.passed).toBe(true);
      expect(verdict.unapproved).toHaveLength(3);
    });

    it("accepts an allow-listed change and still refuses the others", () => {
      const approval: Approval = { stack: STACK, address: "aws_secretsmanager_secret.api_key", action: "replace", reason: "key rotation moves to a new secret", approved_by: "cab-4711" };
      const verdict = guardPlan(changedPlan, { stack: STACK, protected: true, approvals: [approval] });
      expect(verdict.approved.map((f) => f.address)).toEqual([approval.address]);
      expect([...byAddress(verdict).keys()].sort()).toEqual(["aws_db_instance.database", "aws_s3_bucket.documents"]);
      expect(verdict.passed).toBe(false);
      // An approval is for one action: the same address approved for a delete does not cover a replace.
      const wrongAction = guardPlan(changedPlan, { stack: STACK, protected: true, approvals: [{ ...approval, action: "delete" }] });
      expect(wrongAction.approved).toHaveLength(0);
    });

    describe("command line", () => {
      const runGuard = (...args: string[]) =>
        spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts", "plan-guard.ts"), ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });

      it("exits 1 naming each refused resource and its replace path, and writes the summary row", () => {
        const summary = path.join(workDir, "summary.md");
        const run = runGuard("--summary", summary, path.join(workDir, STACK, "plan.json"));
        expect(run.status).toBe(1);
        expect(run.stdout).toContain("replace aws_db_instance.database: RDS instance or read replica (forced by kms_key_id)");
        expect(run.stdout).toContain("delete aws_s3_bucket.documents");
        expect(run.stdout).toContain("replace aws_secretsmanager_secret.api_key: Secrets Manager secret (forced by name)");
        expect(fs.readFileSync(summary, "utf8")).toMatch(new RegExp(`\\| \`${STACK}\` \\| \\d+ \\| \\d+ \\| \\d+ \\| \\*\\*refused\\*\\*`));
      }, 60_000);

      it("exits 0 once the allow-list approves every refused change", () => {
        const verdict = guardPlan(changedPlan, { stack: STACK, protected: true, approvals: [] });
        const allowList = path.join(workDir, "allow.json");
        const approvals = verdict.unapproved.map((f) => ({ stack: STACK, address: f.address, action: f.action, reason: "fixture", approved_by: "test" }));
        fs.writeFileSync(allowList, JSON.stringify({ approvals }));
        const run = runGuard("--allow-list", allowList, path.join(workDir, STACK, "plan.json"));
        expect(run.stdout).toContain("plan guard passed");
        expect(run.status).toBe(0);
      }, 60_000);

      it("rejects a malformed allow-list with the file and field", () => {
        const allowList = path.join(workDir, "bad-allow.json");
        fs.writeFileSync(allowList, JSON.stringify({ approvals: [{ stack: STACK, address: "aws_s3_bucket.documents", action: "destroy" }] }));
        const run = runGuard("--allow-list", allowList, path.join(workDir, STACK, "plan.json"));
        expect(run.status).toBe(2);
        expect(run.stderr).toContain(`${allowList}: approvals[0].action: must be one of delete, replace`);
        expect(run.stderr).toContain(`${allowList}: approvals[0].reason: must be a non-empty string`);
      }, 60_000);
    });
  });
}
