/** Staging's shifting and production's warm standby in eu-west-1. */
import { production } from "../../../environments/production";
import { staging } from "../../../environments/staging";
import { listOf, synthRegional } from "../../support/synth";
import { one } from "./find";

describe("staging", () => {
  const { json } = synthRegional(staging, 0);

  it("deploys every service blue/green, shifting 25% a minute", () => {
    expect(listOf(json, "aws_codedeploy_deployment_group")).toHaveLength(staging.services.length);
    expect(listOf(json, "aws_codedeploy_deployment_config")).toEqual([
      expect.objectContaining({
        deployment_config_name: "lma-staging-ecs-linear-25pct-1min",
        traffic_routing_config: { type: "TimeBasedLinear", time_based_linear: { interval: 1, percentage: 25 } },
      }),
    ]);
    for (const group of listOf(json, "aws_codedeploy_deployment_group")) {
      expect((group.blue_green_deployment_config as any).terminate_blue_instances_on_deployment_success.termination_wait_time_in_minutes).toBe(15);
    }
  });

  it("runs 2 tasks per service, scaling 2–4, and analytics on Spot", () => {
    for (const service of listOf(json, "aws_ecs_service")) expect(service.desired_count).toBe(2);
    for (const target of listOf(json, "aws_appautoscaling_target")) expect(target).toMatchObject({ min_capacity: 2, max_capacity: 4 });
    expect((one(json, "aws_ecs_service", "name", "lma-staging-analytics").capacity_provider_strategy as any[])[0].capacity_provider).toBe(
      "FARGATE_SPOT",
    );
  });
});

describe("production's warm standby (eu-west-1)", () => {
  const { json } = synthRegional(production, 1);

  it("runs the region's fixed task count per service and can scale to the catalogue's maximum on failover", () => {
    const fixed = production.regions[1]!.serviceTaskCount as number;
    for (const service of listOf(json, "aws_ecs_service")) expect(service.desired_count).toBe(fixed);
    const targets = listOf(json, "aws_appautoscaling_target");
    expect(targets.map((target) => [target.min_capacity, target.max_capacity]).sort()).toEqual(
      production.services.map((service) => [Math.min(fixed, service.autoscaling.min), service.autoscaling.max]).sort(),
    );
  });

  it("pulls the replicated images from its own region's repositories, which it owns", () => {
    expect(listOf(json, "aws_ecr_repository").map((repository) => repository.name)).toContain("lma-production/loan");
    const definition = one(json, "aws_ecs_task_definition", "family", "lma-production-loan");
    expect(JSON.parse(String(definition.container_definitions))[0].image).toBe(
      `400000000003.dkr.ecr.eu-west-1.amazonaws.com/lma-production/loan:${production.release.version}`,
    );
    expect(listOf(json, "aws_ecr_replication_configuration")).toEqual([]);
  });

  it("scales like the primary (CPU, requests and, for queue consumers, its own broker's queues)", () => {
    const names = listOf(json, "aws_appautoscaling_policy").map((policy) => String(policy.name));
    const queueScaled = production.services.filter((service) => service.autoscaling.queueMessagesPerTask !== undefined);
    // Every trigger scales out and in.
    expect(names).toHaveLength(2 * (2 * production.services.length + queueScaled.length));
  });

  it("deploys rolling, so its task definitions follow the release pins while the primary deploys blue/green", () => {
    expect(listOf(json, "aws_codedeploy_deployment_group")).toEqual([]);
    for (const service of listOf(json, "aws_ecs_service")) expect(service.deployment_controller).toEqual({ type: "ECS" });
  });
});
