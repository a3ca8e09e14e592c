import * as fs from "node:fs";
import * as path from "node:path";
import { loadEnvironments } from "../../environments";
import { readAppContext } from "../../lib/app-context";
import { listStacks, REPO_ROOT } from "../../tooling/terraform-harness";
import { applyOrder, type DeliveryStack, deliveryMatrix, deliveryStacks, stackKind } from "../../.github/scripts/delivery-stacks";
import { synthesis } from "./synthesis";

const { context } = readAppContext();
const environments = loadEnvironments(context);
const configOf = (name: string) => environments.find((e) => e.config.name === name)!.config;

describe("the workflows' stack matrices", () => {
  let outdir: string;
  let cleanup: () => void;
  let stacks: DeliveryStack[];
  let synthesized: string[];

  beforeAll(() => {
    ({ outdir, cleanup } = synthesis());
    stacks = deliveryStacks(outdir, environments, context);
    synthesized = listStacks(outdir).map((s) => s.name);
  }, 180_000);
  afterAll(() => cleanup());

  it("plans every synthesized stack once, with its environment's read-only role and its synthesized directory", () => {
    const { include } = deliveryMatrix(stacks, environments, "plan");
    expect(include.map((e) => e.stack).sort()).toEqual([...synthesized].sort());
    for (const entry of include) {
      expect(entry.role).toBe(configOf(entry.environment).ci.planRoleArn);
      expect(fs.existsSync(path.join(REPO_ROOT, entry.directory, "cdk.tf.json"))).toBe(true);
      expect(configOf(entry.environment).regions.map((r) => r.region)).toContain(entry.region);
    }
  });

  it("applies every stack in exactly one environment's run, with that environment's apply role", () => {
    const applied = context.environments.flatMap((env) => deliveryMatrix(stacks, environments, "apply", env).include);
    expect(applied.map((e) => e.stack).sort()).toEqual([...synthesized].sort());
    for (const entry of applied) expect(entry.role).toBe(configOf(entry.environment).ci.applyRoleArn);
  });

  it("checks drift only where state is remote", () => {
    const { include } = deliveryMatrix(stacks, environments, "drift");
    expect(include.map((e) => e.stack)).toEqual(stacks.filter((s) => s.remoteState).map((s) => s.stack));
    expect(include.length).toBeGreaterThan(0);
  });

  it("applies each environment in disaster-recovery order: bootstrap, standby region, primary region, the rest", () => {
    for (const env of context.environments) {
      const config = configOf(env);
      const order = deliveryMatrix(stacks, environments, "apply", env).include.map((e) => e.stack);
      const position = (predicate: (stack: string) => boolean) => order.map((s, i) => (predicate(s) ? i : -1)).filter((i) => i >= 0);
      const inRole = (role: string) => (stack: string) => config.regions.some((r) => r.role === role && stack.includes(`-${r.region}`));
      expect(order[0]).toBe(`lma-${env}-bootstrap`);
      const standby = position(inRole("standby"));
      const primary = position(inRole("primary"));
      if (standby.length > 0) expect(Math.max(...standby)).toBeLessThan(Math.min(...primary));
      for (const stack of stacks.filter((s) => s.environment === env)) {
        for (const dependency of stack.dependencies) expect(order.indexOf(dependency)).toBeLessThan(order.indexOf(stack.stack));
      }
    }
  });
});

describe("docs/release-flow.md", () => {
  it("shows an environment's apply order as delivery-stacks.ts prints it", () => {
    const { outdir, cleanup } = synthesis();
    try {
      const text = fs.readFileSync(path.join(REPO_ROOT, "docs", "release-flow.md"), "utf8");
      const shown = /which for (\w+) today is:\s*```text\n([^`]*)```/.exec(text);
      expect(shown).not.toBeNull();
      const [, environment, lines] = shown!;
      const order = deliveryMatrix(deliveryStacks(outdir, environments, context), environments, "apply", environment).include.map((entry) => entry.stack);
      expect(lines!.trim().split("\n").map((line) => line.trim())).toEqual(order);
    } finally {
      cleanup();
    }
  }, 180_000);
});

describe("applyOrder", () => {
  const production = configOf("production");
  const primary = production.regions.find((r) => r.role === "primary")!.region;
  const standby = production.regions.find((r) => r.role === "standby")!.region;
  const stack = (name: string, dependencies: string[] = []): DeliveryStack => ({
    stack: name,
    environment: "production",
    region: primary,
    directory: `cdktf.out/stacks/${name}`,
    kind: stackKind(name, production),
    observabilityDirectory: "cdktf.out/stacks/lma-production-observability",
    observability: false,
    remoteState: true,
    dependencies,
    roles: production.ci,
  });

  it("lets a cdktf dependency put a standby stack after the primary (the replica needs its source)", () => {
    const stacks = [
      stack(`lma-production-${standby}-data`, [`lma-production-${primary}`]),
      stack(`lma-production-${primary}`, [`lma-production-${standby}-network`]),
      stack(`lma-production-${standby}-network`),
      stack("lma-production-bootstrap"),
      stack("lma-production-observability"),
    ];
    // Observability right after the bootstrap: the regional stacks take its PagerDuty endpoints as variables.
    expect(applyOrder(stacks, production).map((s) => s.stack)).toEqual([
      "lma-production-bootstrap",
      "lma-production-observability",
      `lma-production-${standby}-network`,
      `lma-production-${primary}`,
      `lma-production-${standby}-data`,
    ]);
  });

  it("refuses a dependency cycle", () => {
    expect(() => applyOrder([stack("lma-production-a", ["lma-production-b"]), stack("lma-production-b", ["lma-production-a"])], production)).toThrow(/dependency cycle/);
  });
});
