/** The small rules the compute module builds on: names, rule priorities, task counts, config checks. */
import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import { staging } from "../../../environments/staging";
import type { EnvironmentConfig } from "../../../environments/types";
import { validateEnvironment } from "../../../environments/validate";
import { Naming } from "../../../lib/naming";
import {
  boundedName,
  deploymentConfigName,
  listenerPriorities,
  secretEnvironmentName,
  serviceNames,
  taskCounts,
} from "../../../modules/ecs";

const naming = new Naming("production", "us-east-1", "400000000003");

describe("names", () => {
  it("follow the convention and stay within AWS's 32 characters for target groups", () => {
    expect(serviceNames(naming, "loan")).toEqual({
      service: "lma-production-loan",
      repository: "lma-production/loan",
      logGroup: "/lma/production/ecs/loan",
      targetGroup: "lma-production-loan",
      alternateTargetGroup: "lma-production-loan-alt",
    });
    const long = serviceNames(naming, "reconciliationengine");
    expect(long.alternateTargetGroup).toHaveLength(32);
    expect(long.alternateTargetGroup).toMatch(/^lma-production-reconcilia-[0-9a-f]{6}$/);
    expect(long.targetGroup).not.toBe(long.alternateTargetGroup);
  });

  it("are cut only when too long, and deterministically", () => {
    expect(boundedName("short", 32)).toBe("short");
    expect(boundedName("x".repeat(40), 32)).toBe(boundedName("x".repeat(40), 32));
    expect(boundedName("x".repeat(40), 32)).toHaveLength(32);
  });

  it("turn secret short names into environment variables", () => {
    expect(secretEnvironmentName("credit-bureau-api-key")).toBe("CREDIT_BUREAU_API_KEY");
  });

  it("give custom CodeDeploy configurations names that carry their parameters", () => {
    expect(deploymentConfigName(naming, { type: "canary", percentage: 10, intervalMinutes: 5 })).toBe("lma-production-ecs-canary-10pct-5min");
    expect(deploymentConfigName(naming, { type: "all-at-once" })).toBe("CodeDeployDefault.ECSAllAtOnce");
  });
});

describe("listener-rule priorities", () => {
  const names = production.services.map((service) => service.name);

  it("give every service its own block of 10, in ALB's range", () => {
    const priorities = listenerPriorities(names);
    const values = [...priorities.values()];
    expect(new Set(values).size).toBe(names.length);
    for (const value of values) {
      expect(value % 10).toBe(0);
      expect(value).toBeGreaterThanOrEqual(10);
      expect(value + 9).toBeLessThanOrEqual(50_000);
    }
  });

  it("do not depend on the catalogue's order or on other services", () => {
    const base = listenerPriorities(names);
    const reordered = listenerPriorities([...names].reverse());
    const grown = listenerPriorities([...names, "ledger", "payments", "kyc"]);
    for (const name of names) {
      expect(reordered.get(name)).toBe(base.get(name));
      expect(grown.get(name)).toBe(base.get(name));
    }
  });

});

describe("task counts", () => {
  const service = { desiredCount: 3, autoscaling: { min: 2, max: 10 } };

  it("follow the service's own counts without a fixed count", () => {
    expect(taskCounts(service)).toEqual({ desiredCount: 3, minCapacity: 2 });
  });

  it("follow a fixed count (the warm standby's), keeping the service's max as ceiling", () => {
    expect(taskCounts(service, 1)).toEqual({ desiredCount: 1, minCapacity: 1 });
    expect(taskCounts(service, 50)).toEqual({ desiredCount: 10, minCapacity: 2 });
  });
});

describe("compute configuration checks", () => {
  const edited = (config: EnvironmentConfig, change: (draft: any) => void): EnvironmentConfig => {
    const draft = structuredClone(config);
    change(draft);
    return draft;
  };
  const issues = (config: EnvironmentConfig) =>
    validateEnvironment({ file: `environments/${config.name}.ts`, config }).filter((issue) => issue.path.includes("compute"));

  it("accept the committed environments", () => {
    for (const config of [dev, staging, production]) expect(issues(config)).toEqual([]);
  });

  it.each([
    [
      "production dropping below 100% healthy",
      edited(production, (d) => (d.compute.deployment.minimumHealthyPercent = 50)),
      "production.compute.deployment.minimumHealthyPercent",
      /production keeps every task serving during deployments \(50 < 100\)/,
    ],
    [
      "production deploying rolling",
      edited(production, (d) => (d.compute.deployment = { strategy: "rolling" })),
      "production.compute.deployment.strategy",
      /production deploys blue\/green/,
    ],
    [
      "blue/green without traffic shifting",
      edited(staging, (d) => delete d.compute.deployment.trafficShifting),
      "staging.compute.deployment.trafficShifting",
      /need a traffic-shifting configuration/,
    ],
    [
      "a canary of 100%",
      edited(production, (d) => (d.compute.deployment.trafficShifting.percentage = 100)),
      "production.compute.deployment.trafficShifting.percentage",
      /integer 1–99 \(100\)/,
    ],
    [
      "traffic shifting on a rolling deployment",
      edited(dev, (d) => (d.compute.deployment.trafficShifting = { type: "all-at-once" })),
      "dev.compute.deployment.trafficShifting",
      /only blue-green deployments shift traffic/,
    ],
    [
      "a blue termination wait beyond CodeDeploy's two days",
      edited(production, (d) => (d.compute.deployment.blueTerminationWaitMinutes = 3000)),
      "production.compute.deployment.blueTerminationWaitMinutes",
      /0–2880/,
    ],
  ])("report %s with its file and field", (_case, config, path, message) => {
    const found = issues(config);
    expect(found).toEqual([{ file: `environments/${config.name}.ts`, path, message: expect.stringMatching(message) }]);
  });
});
