/** Dev's compute: rolling deployments with the circuit breaker, off-hours scaling to zero, Spot. */
import { dev } from "../../../environments/dev";
import { listOf, synthRegional } from "../../support/synth";
import { containersOf, one, referenced } from "./find";

const { json } = synthRegional(dev, 0);
const services = listOf(json, "aws_ecs_service");

describe("dev deployments", () => {
  it("roll through ECS with the circuit breaker and rollback, never below the desired count", () => {
    expect(services).toHaveLength(dev.services.length);
    for (const service of services) {
      expect(service).toMatchObject({
        deployment_controller: { type: "ECS" },
        deployment_circuit_breaker: { enable: true, rollback: true },
        deployment_minimum_healthy_percent: 100,
        deployment_maximum_percent: 200,
        desired_count: 1,
        lifecycle: { ignore_changes: ["desired_count"] },
      });
    }
  });

  it("also roll back while the service's 5xx or unhealthy-target alarm fires", () => {
    const loan = one(json, "aws_ecs_service", "name", "lma-dev-loan");
    const alarms = loan.alarms as { alarm_names: string[]; enable: boolean; rollback: boolean };
    expect(alarms).toMatchObject({ enable: true, rollback: true });
    expect(alarms.alarm_names.map((name) => referenced(json, name).alarm_name)).toEqual([
      "lma-dev-loan-target-5xx-rate",
      "lma-dev-loan-unhealthy-targets",
    ]);
  });

  it("need no CodeDeploy, second target group or test listener", () => {
    expect(listOf(json, "aws_codedeploy_deployment_group")).toEqual([]);
    expect(listOf(json, "aws_codedeploy_app")).toEqual([]);
    expect(listOf(json, "aws_lb_target_group")).toHaveLength(dev.services.length);
    expect(listOf(json, "aws_lb_listener").map((listener) => listener.port)).toEqual([443]);
    expect(listOf(json, "aws_lb_listener_rule").every((rule) => rule.lifecycle === undefined)).toBe(true);
  });

  it("scale on the requests of the one target group, per task per second", () => {
    const high = one(json, "aws_cloudwatch_metric_alarm", "alarm_name", "lma-dev-trade-requests-high");
    expect((high.metric_query as any[]).map((query) => query.metric?.metric_name ?? query.expression)).toEqual([
      "RequestCountPerTarget",
      "(FILL(tg0, 0)) / 60",
    ]);
  });
});

describe("dev off-hours", () => {
  const actions = listOf(json, "aws_appautoscaling_scheduled_action");

  it("scale every service to zero at the configured time and back to its catalogue capacity", () => {
    // Down and up, per service.
    expect(actions).toHaveLength(2 * dev.services.length);
    for (const service of dev.services) {
      const down = one(json, "aws_appautoscaling_scheduled_action", "name", `lma-dev-${service.name}-off-hours-scale-down`);
      const up = one(json, "aws_appautoscaling_scheduled_action", "name", `lma-dev-${service.name}-off-hours-scale-up`);
      expect(down).toMatchObject({
        schedule: "cron(0 22 ? * MON-FRI *)",
        timezone: "UTC",
        scalable_target_action: { min_capacity: "0", max_capacity: "0" },
      });
      expect(up).toMatchObject({
        schedule: "cron(0 11 ? * MON-FRI *)",
        timezone: "UTC",
        scalable_target_action: { min_capacity: "1", max_capacity: "2" },
      });
      expect(down.resource_id).toBe(up.resource_id);
    }
  });
});

describe("dev capacity", () => {
  it("runs the Spot-eligible analytics service mostly on Fargate Spot, the others on demand", () => {
    expect(one(json, "aws_ecs_service", "name", "lma-dev-analytics").capacity_provider_strategy).toEqual([
      { capacity_provider: "FARGATE_SPOT", weight: 4 },
      { capacity_provider: "FARGATE", weight: 1 },
    ]);
    expect(one(json, "aws_ecs_service", "name", "lma-dev-loan").capacity_provider_strategy).toEqual([
      { base: 0, capacity_provider: "FARGATE", weight: 1 },
    ]);
  });

  it("allows ECS Exec, with writable agent directories next to the read-only root filesystem", () => {
    const loan = one(json, "aws_ecs_service", "name", "lma-dev-loan");
    expect(loan.enable_execute_command).toBe(true);
    const definition = one(json, "aws_ecs_task_definition", "family", "lma-dev-loan");
    expect(definition.volume).toEqual([{ name: "tmp" }, { name: "exec-agent-state" }, { name: "exec-agent-logs" }]);
    expect(containersOf(definition)[0]!.mountPoints.map((mount: { containerPath: string }) => mount.containerPath)).toEqual([
      "/tmp",
      "/var/lib/amazon",
      "/var/log/amazon",
    ]);
  });

  it("switches ALB deletion protection off, as the environment asks", () => {
    expect(listOf(json, "aws_lb")[0]).toMatchObject({ enable_deletion_protection: false, drop_invalid_header_fields: true });
  });

  it("replicates no images (no standby region)", () => {
    expect(listOf(json, "aws_ecr_replication_configuration")).toEqual([]);
  });
});
