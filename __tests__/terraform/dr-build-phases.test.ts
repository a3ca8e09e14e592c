/**
 * Building production from nothing, offline (lib/disaster-recovery.ts `BUILD_PHASES`, the order
 * docs/disaster-recovery.md gives): the stack each phase applies (`stackAppliedIn`), synthesized
 * with `disasterRecovery.buildPhase` set to that phase, is validated and planned in order with the
 * harness (tooling/terraform-harness.ts: offline copy, placeholders for variables without default,
 * result cache keyed by the bytes Terraform sees, so the phases whose stack equals the committed
 * configuration's reuse the plans of the run's global setup). Then: what the foundation plans is
 * planned identically by the complete phase, so phase 3 adds to phase 1's state and changes
 * nothing stateful in it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { production } from "../../environments/production";
import { BUILD_PHASES, type BuildPhase, stackAppliedIn } from "../../lib/disaster-recovery";
import { statefulKind } from "../../lib/stateful-resources";
import { RegionalStack } from "../../stacks/regional-stack";
import { findTerraform, type PlanJson, plannedResources, resourceChanges, runStack } from "../../tooling/terraform-harness";
import { productionWith } from "../dr/modes";

jest.setTimeout(15 * 60_000);

const terraform = findTerraform();
const phases = BUILD_PHASES.map((phase) => {
  const region = stackAppliedIn(production, phase);
  if (!region) throw new Error(`environments/production.ts: no region applies build phase ${phase}`);
  return { phase, region, stack: RegionalStack.stackName(production.name, region) };
});

if (!terraform && process.env.CI !== "true") {
  console.warn("Skipping the build-phase plans: no terraform binary.");
  describe.skip("build phases plan offline", () => it("needs terraform", () => undefined));
} else {
  describe("production's build phases plan offline, in order", () => {
    const plans = new Map<BuildPhase, PlanJson>();
    let root: string | undefined;

    beforeAll(async () => {
      if (!terraform) throw new Error("the build-phase plans need a terraform binary (TERRAFORM_BINARY_NAME or terraform on PATH)");
      root = fs.mkdtempSync(path.join(os.tmpdir(), "lma-dr-phases-"));
      for (const { phase, region, stack } of phases) {
        const outdir = path.join(root, `synth-${phase}`);
        const app = new App({ outdir, stackTraces: false });
        new RegionalStack(app, productionWith({ buildPhase: phase }), production.regions.find((candidate) => candidate.region === region)!);
        app.synth();
        const result = await runStack(stack, { outdir, workRoot: path.join(root, `work-${phase}`), terraform });
        plans.set(phase, result.plan!);
      }
    });

    afterAll(() => {
      if (root && !process.env.LMA_KEEP_TF_WORK) fs.rmSync(root, { recursive: true, force: true });
    });

    it.each(phases.map(({ phase, stack }) => [phase, stack]))("%s: %s validates and plans creating everything it declares", (phase) => {
      const changes = resourceChanges(plans.get(phase as BuildPhase)!).filter((change) => change.mode === "managed");
      expect(changes.length).toBeGreaterThan(0);
      expect(changes.filter((change) => change.change.actions.join() !== "create").map((change) => change.address)).toEqual([]);
    });

    it("the complete standby plans every foundation resource, the stateful ones with the same values where both plans know them", () => {
      const [first, , last] = BUILD_PHASES;
      const complete = new Map(plannedResources(plans.get(last!)!).map((resource) => [resource.address, resource]));
      const foundation = plannedResources(plans.get(first!)!);
      expect(foundation.filter((resource) => !complete.has(resource.address)).map((resource) => resource.address)).toEqual([]);
      const stateful = foundation.filter((resource) => statefulKind(resource.type, resource.values));
      expect(stateful.length).toBeGreaterThan(0);
      // An attribute known in one plan only is one the complete phase computes from what it adds
      // (a key policy naming its roles): an in-place update; every attribute known in both is equal.
      for (const resource of stateful) {
        const later = complete.get(resource.address)!.values;
        const known = (values: Record<string, unknown>) => Object.fromEntries(Object.keys(resource.values).filter((key) => key in later).map((key) => [key, values[key]]));
        expect([resource.address, known(resource.values)]).toEqual([resource.address, known(later)]);
      }
    });
  });
}
