/**
 * Seed 002's active-active topology is an option of the same code (`disasterRecovery.topology`):
 * both regional stacks of production synthesized with it must validate and plan offline like the
 * warm-standby ones, with latency-based API records in both regions and the single writer kept in
 * the home region (docs/disaster-recovery.md). The warm-standby and failover modes are planned by
 * the global setup and dr-rehearsal.test.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { production } from "../../environments/production";
import { homeRegionOf } from "../../lib/disaster-recovery";
import { RegionalStack } from "../../stacks/regional-stack";
import { findTerraform, type PlanJson, plannedResources, resourceChanges, runStack } from "../../tooling/terraform-harness";
import { productionWith } from "../dr/modes";

jest.setTimeout(15 * 60_000);

const terraform = findTerraform();
// Both regions serve at production size, so the standby sizes go, as a person would remove them.
const activeActive = productionWith({ topology: "active-active", standby: undefined });
const home = homeRegionOf(production);

if (!terraform && process.env.CI !== "true") {
  console.warn("Skipping the active-active plans: no terraform binary.");
  describe.skip("active-active plans offline", () => it("needs terraform", () => undefined));
} else {
  describe("production in active-active plans offline", () => {
    const plans = new Map<string, PlanJson>();
    let root: string | undefined;

    beforeAll(async () => {
      if (!terraform) throw new Error("the active-active plans need a terraform binary (TERRAFORM_BINARY_NAME or terraform on PATH)");
      root = fs.mkdtempSync(path.join(os.tmpdir(), "lma-dr-topology-"));
      const outdir = path.join(root, "synth");
      const app = new App({ outdir, stackTraces: false });
      for (const region of activeActive.regions) new RegionalStack(app, activeActive, region);
      app.synth();
      await Promise.all(
        activeActive.regions.map(async (region) => {
          const stack = RegionalStack.stackName(activeActive.name, region.region);
          const result = await runStack(stack, { outdir, workRoot: path.join(root!, "work"), terraform });
          plans.set(region.region, result.plan!);
        }),
      );
    });

    afterAll(() => {
      if (root && !process.env.LMA_KEEP_TF_WORK) fs.rmSync(root, { recursive: true, force: true });
    });

    it.each(activeActive.regions.map((region) => [region.region]))("%s validates and plans only creations", (region) => {
      const changes = resourceChanges(plans.get(region)!).filter((change) => change.mode === "managed");
      expect(changes.length).toBeGreaterThan(0);
      expect(changes.filter((change) => change.change.actions.join() !== "create").map((change) => change.address)).toEqual([]);
    });

    it.each(activeActive.regions.map((region) => [region.region]))("%s answers the API name with a latency record of its own region", (region) => {
      const records = plannedResources(plans.get(region)!).filter((resource) => resource.type === "aws_route53_record");
      const latency = records.filter((record) => (record.values.latency_routing_policy as unknown[] | undefined)?.length);
      expect(latency.map((record) => (record.values.latency_routing_policy as { region: string }[])[0]!.region)).toEqual([region]);
      expect(records.filter((record) => (record.values.failover_routing_policy as unknown[] | undefined)?.length)).toEqual([]);
    });

    it("keeps one writer: only the home region's database is not a replica", () => {
      const writers = activeActive.regions.filter((region) =>
        plannedResources(plans.get(region.region)!).some((resource) => resource.type === "aws_db_instance" && !resource.values.replicate_source_db),
      );
      expect(writers.map((region) => region.region)).toEqual([home]);
    });
  });
}
