/**
 * Production's compute in the primary region, as synthesized: every catalogue service, blue/green
 * through CodeDeploy, the ALB, autoscaling, ECR and its replication.
 */
import { production } from "../../../environments/production";
import { SCALING_TABLE } from "../../../environments/schema";
import { REFUSED_UNDER_CODE_DEPLOY, RELEASE_TAG_PATTERN } from "../../../modules/ecs";
import { listOf, policyOf, synthRegional } from "../../support/synth";
import { all, containersOf, logicalName, one, referenced, rulesRouting } from "./find";

const { json } = synthRegional(production, 0);
const REGISTRY = "400000000003.dkr.ecr.us-east-1.amazonaws.com";

/** The catalogue as rows: name, tasks, vCPU, memory (MiB), autoscaling floor and ceiling. */
const CATALOGUE = production.services.map(
  (service) => [service.name, service.desiredCount, service.cpu, service.memoryMiB, service.autoscaling.min, service.autoscaling.max] as const,
);

describe("production's catalogue services", () => {
  it("are exactly the catalogue's", () => {
    expect(listOf(json, "aws_ecs_service").map((service) => service.name).sort()).toEqual(
      CATALOGUE.map(([name]) => `lma-production-${name}`).sort(),
    );
  });

  describe.each(CATALOGUE)("%s", (name, tasks, vcpu, memoryMiB, min, max) => {
    const service = one(json, "aws_ecs_service", "name", `lma-production-${name}`);
    const taskDefinition = one(json, "aws_ecs_task_definition", "family", `lma-production-${name}`);
    const target = scalableTargetOf(service);

    it(`runs ${tasks} tasks of ${vcpu} vCPU and ${memoryMiB} MiB on on-demand Fargate`, () => {
      expect(service.desired_count).toBe(tasks);
      expect(taskDefinition).toMatchObject({
        cpu: String(vcpu * 1024),
        memory: String(memoryMiB),
        network_mode: "awsvpc",
        requires_compatibilities: ["FARGATE"],
      });
      expect(service.capacity_provider_strategy).toEqual([{ base: 0, capacity_provider: "FARGATE", weight: 1 }]);
    });

    it(`scales between ${min} and ${max} tasks`, () => {
      expect(target).toMatchObject({ min_capacity: min, max_capacity: max, scalable_dimension: "ecs:service:DesiredCount" });
    });

    it("deploys blue/green through its own CodeDeploy deployment group, with rollback on failure and alarms", () => {
      expect(service.deployment_controller).toEqual({ type: "CODE_DEPLOY" });
      expect(service.deployment_minimum_healthy_percent).toBe(100);
      // Every attribute UpdateService refuses under CODE_DEPLOY is ignored (and reaches tasks through CodeDeploy).
      expect(service.lifecycle).toEqual({ ignore_changes: ["desired_count", ...REFUSED_UNDER_CODE_DEPLOY] });
      const group = one(json, "aws_codedeploy_deployment_group", "deployment_group_name", `lma-production-${name}`);
      expect(group).toMatchObject({
        deployment_style: { deployment_option: "WITH_TRAFFIC_CONTROL", deployment_type: "BLUE_GREEN" },
        auto_rollback_configuration: { enabled: true, events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] },
        blue_green_deployment_config: {
          deployment_ready_option: { action_on_timeout: "CONTINUE_DEPLOYMENT" },
          terminate_blue_instances_on_deployment_success: { action: "TERMINATE", termination_wait_time_in_minutes: 60 },
        },
      });
      const pair = (group.load_balancer_info as any).target_group_pair_info;
      expect(pair.target_group.map((tg: { name: string }) => referenced(json, tg.name).name)).toEqual([
        `lma-production-${name}`,
        `lma-production-${name}-alt`,
      ]);
      expect(referenced(json, pair.prod_traffic_route.listener_arns[0]).port).toBe(443);
      expect(referenced(json, pair.test_traffic_route.listener_arns[0]).port).toBe(8443);
      const alarms = (group.alarm_configuration as { alarms: string[]; enabled: boolean }).alarms.map(
        (alarm) => referenced(json, alarm).alarm_name,
      );
      expect(alarms).toEqual([`lma-production-${name}-target-5xx-rate`, `lma-production-${name}-unhealthy-targets`]);
    });

    it(`pulls lma-production/${name} at the release pin, read-only, as a non-root user, with an X-Ray sidecar`, () => {
      const [application, xray] = containersOf(taskDefinition);
      expect(application).toMatchObject({
        name,
        image: `${REGISTRY}/lma-production/${name}:${production.release.version}`,
        readonlyRootFilesystem: true,
        user: "10001:10001",
        privileged: false,
        linuxParameters: { capabilities: { drop: ["ALL"] } },
        healthCheck: { command: ["CMD-SHELL", "curl -fsS http://127.0.0.1:8080/health || exit 1"], interval: 30 },
        logConfiguration: { logDriver: "awslogs", options: expect.objectContaining({ "awslogs-region": "us-east-1" }) },
      });
      expect(xray).toMatchObject({
        name: "xray-daemon",
        image: `${REGISTRY}/ecr-public/xray/aws-xray-daemon:3.3.13`,
        essential: false,
        readonlyRootFilesystem: true,
        portMappings: [{ containerPort: 2000, protocol: "udp" }],
      });
    });

    it("runs in the private app subnets without a public IP", () => {
      const network = service.network_configuration as { assign_public_ip: boolean; subnets: string[] };
      expect(network.assign_public_ip).toBe(false);
      expect(network.subnets.map((subnet) => referenced(json, subnet).tags)).toEqual(
        Array(3).fill(expect.objectContaining({ Tier: "app" })),
      );
    });
  });
});

/** The Application Auto Scaling target of an `aws_ecs_service`. */
function scalableTargetOf(service: Record<string, unknown>): Record<string, unknown> {
  const name = logicalName(json, "aws_ecs_service", service);
  return one(json, "aws_appautoscaling_target", "resource_id", `service/\${aws_ecs_cluster.${clusterName()}.name}/\${aws_ecs_service.${name}.name}`);
}

function clusterName(): string {
  return Object.keys(json.resource.aws_ecs_cluster!)[0]!;
}

describe("secrets", () => {
  it("reach the containers from Secrets Manager by ARN, never as plain environment", () => {
    for (const service of production.services) {
      const [application] = containersOf(one(json, "aws_ecs_task_definition", "family", `lma-production-${service.name}`));
      // Its catalogue secrets, and the broker credential (a JSON key of its own secret) when it uses the queue.
      const expected = [
        ...(service.secrets ?? []).map((secret) => secret.toUpperCase().replace(/-/g, "_")),
        ...(service.uses?.includes("queue") ? ["AMQP_PASSWORD", "AMQP_USERNAME"] : []),
      ].sort();
      expect((application!.secrets ?? []).map((secret: { name: string }) => secret.name)).toEqual(expected);
      for (const secret of application!.secrets ?? []) {
        expect(secret.valueFrom).toMatch(/^\$\{aws_secretsmanager_secret\.[^.]+\.arn\}(:[a-z]+::)?$/);
      }
    }
    for (const definition of listOf(json, "aws_ecs_task_definition")) {
      for (const container of containersOf(definition)) {
        for (const variable of container.environment ?? []) expect(variable.name).not.toMatch(/KEY|SECRET|PASSWORD|TOKEN/);
      }
    }
  });
});

describe("data stores", () => {
  it("reach each service as endpoints in its environment and as IAM grants on its task role", () => {
    const [loan] = containersOf(one(json, "aws_ecs_task_definition", "family", "lma-production-loan"));
    const environment = Object.fromEntries(loan!.environment.map((variable: { name: string; value: string }) => [variable.name, variable.value]));
    expect(Object.keys(environment).sort()).toEqual([
      "AMQP_ENDPOINT",
      "AWS_XRAY_DAEMON_ADDRESS",
      "CACHE_ENDPOINT",
      "DATABASE_HOST",
      "DATABASE_PORT",
      "DATABASE_USER",
      "LMA_ENVIRONMENT",
      "LMA_REGION_ROLE",
      "LMA_SERVICE",
      "PORT",
      "SEARCH_ENDPOINT",
    ]);
    expect(environment.DATABASE_USER).toBe("loan");
    // Every grant lands in the task role's one policy (lib/grants.ts), none beside it.
    const grants = listOf(json, "aws_iam_role_policy").filter(
      (policy) => referenced(json, policy.role).name === "lma-production-use1-document-task",
    );
    expect(grants.map((policy) => policy.name)).toEqual(["document-task"]);
    const actions = (JSON.parse(String(grants[0]!.policy)).Statement as { Action: string | string[] }[]).flatMap((statement) => statement.Action);
    expect(actions).toContain("rds-db:connect");
    expect(actions).toEqual(expect.arrayContaining(["s3:GetObject", "s3:PutObject"]));
  });
});

describe("autoscaling", () => {
  const scaling = production.compute.scaling ?? SCALING_TABLE;
  const alarm = (name: string) => one(json, "aws_cloudwatch_metric_alarm", "alarm_name", name);
  const policyOfAlarm = (found: Record<string, unknown>) => referenced(json, (found.alarm_actions as string[])[0]!);

  /** Out above the threshold for its minutes, in below the lower one for its minutes, each through its own step policy. */
  function expectTrigger(service: string, trigger: string, table: { scaleOutAbove: number; scaleOutMinutes: number; scaleInBelow: number; scaleInMinutes: number }) {
    const high = alarm(`lma-production-${service}-${trigger}-high`);
    expect(high).toMatchObject({
      comparison_operator: "GreaterThanThreshold",
      threshold: table.scaleOutAbove,
      evaluation_periods: table.scaleOutMinutes,
      datapoints_to_alarm: table.scaleOutMinutes,
    });
    const low = alarm(`lma-production-${service}-${trigger}-low`);
    expect(low).toMatchObject({
      comparison_operator: "LessThanThreshold",
      threshold: table.scaleInBelow,
      evaluation_periods: table.scaleInMinutes,
      datapoints_to_alarm: table.scaleInMinutes,
    });
    for (const found of [high, low]) {
      for (const query of found.metric_query as { metric?: { period: number } }[]) if (query.metric) expect(query.metric.period).toBe(60);
    }
    const out = policyOfAlarm(high).step_scaling_policy_configuration as any;
    expect(out.cooldown).toBe(scaling.cooldownSeconds.scaleOut);
    expect(Math.min(...out.step_adjustment.map((step: { scaling_adjustment: number }) => step.scaling_adjustment))).toBeGreaterThan(0);
    const scaleIn = policyOfAlarm(low).step_scaling_policy_configuration as any;
    expect(scaleIn.cooldown).toBe(scaling.cooldownSeconds.scaleIn);
    expect(scaleIn.step_adjustment).toEqual([{ metric_interval_upper_bound: "0", scaling_adjustment: -1 }]);
    return { high, low };
  }

  it.each(production.services.map((service) => service.name))("scales %s on CPU as the scaling table reads", (name) => {
    const { high } = expectTrigger(name, "cpu", scaling.cpuPercent);
    expect((high.metric_query as any[])[0].metric).toMatchObject({ namespace: "AWS/ECS", metric_name: "CPUUtilization", stat: "Average" });
  });

  it.each(production.services.map((service) => service.name))("scales %s on requests per task per second over both blue/green target groups", (name) => {
    const { high } = expectTrigger(name, "requests", scaling.requestsPerTaskPerSecond);
    const queries = high.metric_query as any[];
    expect(queries.map((query) => query.metric?.metric_name ?? query.expression)).toEqual([
      "RequestCountPerTarget",
      "RequestCountPerTarget",
      "(FILL(tg0, 0) + FILL(tg1, 0)) / 60",
    ]);
    expect(queries[0].metric.stat).toBe("Sum");
  });

  const queueScaled = production.services.filter((service) => service.autoscaling.queueMessagesPerTask !== undefined);
  it.each(queueScaled.map((service) => [service.name, service.autoscaling] as const))("scales %s on its RabbitMQ queue depth per task", (name, autoscaling) => {
    const { high } = expectTrigger(name, "queue-depth", {
      scaleOutAbove: autoscaling.queueMessagesPerTask!,
      scaleInBelow: autoscaling.queueScaleInMessagesPerTask!,
      ...scaling.queue,
    });
    const [messages] = high.metric_query as any[];
    expect(messages.metric).toMatchObject({
      namespace: "AWS/AmazonMQ",
      metric_name: "MessageCount",
      dimensions: { VirtualHost: "/", Queue: name },
    });
    expect(referenced(json, messages.metric.dimensions.Broker).broker_name).toBe("lma-production-rabbitmq");
  });

  it("has no target tracking, queue scaling only where the catalogue asks for it, and no off-hours schedule", () => {
    const policies = listOf(json, "aws_appautoscaling_policy");
    expect(policies.every((policy) => policy.policy_type === "StepScaling")).toBe(true);
    expect(policies.filter((policy) => String(policy.name).includes("-queue-depth-")).map((policy) => policy.name).sort()).toEqual(
      queueScaled.flatMap((service) => [`lma-production-${service.name}-queue-depth-scale-in`, `lma-production-${service.name}-queue-depth-scale-out`]).sort(),
    );
    expect(listOf(json, "aws_appautoscaling_scheduled_action")).toEqual([]);
  });
});

describe("CodeDeploy", () => {
  it("shifts production traffic as a 10% canary for 5 minutes", () => {
    expect(listOf(json, "aws_codedeploy_deployment_config")).toEqual([
      expect.objectContaining({
        deployment_config_name: "lma-production-ecs-canary-10pct-5min",
        compute_platform: "ECS",
        traffic_routing_config: { type: "TimeBasedCanary", time_based_canary: { interval: 5, percentage: 10 } },
      }),
    ]);
    expect(listOf(json, "aws_codedeploy_app")).toEqual([expect.objectContaining({ compute_platform: "ECS" })]);
  });

  it("rolls back on a 5xx rate above 5% or on unhealthy targets, measured across both target groups", () => {
    const errorRate = one(json, "aws_cloudwatch_metric_alarm", "alarm_name", "lma-production-trade-target-5xx-rate");
    expect(errorRate.threshold).toBe(5);
    const expression = (errorRate.metric_query as any[]).find((query) => query.return_data).expression;
    expect(expression).toBe(
      "IF((FILL(requests0, 0) + FILL(requests1, 0)) > 0, 100 * (FILL(errors0, 0) + FILL(errors1, 0)) / (FILL(requests0, 0) + FILL(requests1, 0)), 0)",
    );
    const unhealthy = one(json, "aws_cloudwatch_metric_alarm", "alarm_name", "lma-production-trade-unhealthy-targets");
    expect(unhealthy).toMatchObject({ threshold: 1, comparison_operator: "GreaterThanOrEqualToThreshold" });
  });

  it("lets CodeDeploy (and only it) assume its role", () => {
    const role = one(json, "aws_iam_role", "name", "lma-production-use1-codedeploy-ecs");
    expect(policyOf(role.assume_role_policy).Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: "codedeploy.amazonaws.com" },
        Condition: { StringEquals: { "aws:SourceAccount": "400000000003" } },
      }),
    ]);
    expect(listOf(json, "aws_iam_role_policy_attachment")).toContainEqual(
      expect.objectContaining({ policy_arn: "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS" }),
    );
  });
});

describe("the load balancer", () => {
  const alb = one(json, "aws_lb", "name", "lma-production-api");
  const listeners = listOf(json, "aws_lb_listener");

  it("is internet-facing in the public subnets with deletion protection, invalid headers dropped and access logs", () => {
    expect(alb).toMatchObject({
      internal: false,
      load_balancer_type: "application",
      enable_deletion_protection: true,
      drop_invalid_header_fields: true,
      access_logs: { enabled: true, prefix: "alb" },
    });
    expect(referenced(json, (alb.access_logs as { bucket: string }).bucket).bucket).toBe("lma-production-logs-us-east-1-400000000003");
    expect((alb.subnets as string[]).map((subnet) => (referenced(json, subnet).tags as any).Tier)).toEqual(["public", "public", "public"]);
  });

  it("terminates TLS 1.3 (and strong TLS 1.2) with the validated certificate, HTTPS only", () => {
    expect(listeners.map((listener) => [listener.port, listener.protocol, listener.ssl_policy ?? null])).toEqual([
      [443, "HTTPS", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"],
      [8443, "HTTPS", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"],
    ]);
    expect(listeners[0]!.certificate_arn).toMatch(/^\$\{aws_acm_certificate_validation\.[^.]+\.certificate_arn\}$/);
    expect(listeners[0]!.routing_http_response_strict_transport_security_header_value).toBe("max-age=63072000; includeSubDomains; preload");
  });

  it("is protected by the regional WAF web ACL and Shield Advanced", () => {
    const [association] = listOf(json, "aws_wafv2_web_acl_association");
    expect(referenced(json, association!.web_acl_arn).scope).toBe("REGIONAL");
    expect(listOf(json, "aws_shield_protection").map((protection) => protection.name)).toContain("lma-production-shield-alb");
  });

  it("routes each service's paths to its target group, checked with GET /health every 30 s", () => {
    for (const { name, paths } of production.services) {
      const [rule, testRule] = rulesRouting(json, paths[0]!);
      expect((rule!.condition as { path_pattern?: { values: string[] } }[]).flatMap((condition) => condition.path_pattern?.values ?? [])).toEqual(
        expect.arrayContaining([...paths]),
      );
      const group = referenced(json, (rule!.action as { target_group_arn: string }[])[0]!.target_group_arn);
      expect(group).toMatchObject({
        name: `lma-production-${name}`,
        target_type: "ip",
        port: 8080,
        health_check: expect.objectContaining({ path: "/health", interval: 30, matcher: "200" }),
      });
      expect(testRule!.priority).toBe(rule!.priority);
      expect(rule!.lifecycle).toEqual({ ignore_changes: ["action"] });
    }
  });

  it("answers the region's /health through the first service's rule (the health service, whose target groups Route 53's alarms watch)", () => {
    const rules = rulesRouting(json, "/health");
    expect(rules).toHaveLength(2);
    expect(referenced(json, (rules[0]!.action as { target_group_arn: string }[])[0]!.target_group_arn).name).toBe("lma-production-loan");
  });
});

describe("ECR", () => {
  it("has one immutable, scanned, KMS-encrypted repository per service that never expires a pinned release", () => {
    const repositories = listOf(json, "aws_ecr_repository");
    expect(repositories.map((repository) => repository.name).sort()).toEqual(CATALOGUE.map(([name]) => `lma-production/${name}`).sort());
    for (const repository of repositories) {
      expect(repository).toMatchObject({
        image_tag_mutability: "IMMUTABLE",
        image_scanning_configuration: { scan_on_push: true },
        encryption_configuration: [{ encryption_type: "KMS", kms_key: expect.stringMatching(/^\$\{aws_kms_key\./) }],
        lifecycle: { prevent_destroy: true },
      });
    }
    for (const lifecycle of listOf(json, "aws_ecr_lifecycle_policy")) {
      const [releases, untagged] = JSON.parse(String(lifecycle.policy)).rules;
      // Releases by count only, and the pinned release is one of them; only untagged images expire by age.
      expect(releases.selection).toMatchObject({ tagStatus: "tagged", tagPatternList: [RELEASE_TAG_PATTERN], countType: "imageCountMoreThan" });
      expect(production.release.version).toMatch(new RegExp(`^${RELEASE_TAG_PATTERN.replace(/[.]/g, "\\.").replace(/\*/g, ".*")}$`));
      expect(untagged.selection).toMatchObject({ tagStatus: "untagged", countType: "sinceImagePushed", countNumber: production.compute.imageRetentionDays });
    }
  });

  it("replicates this environment's images to eu-west-1", () => {
    expect(listOf(json, "aws_ecr_replication_configuration")).toEqual([
      expect.objectContaining({
        replication_configuration: {
          rule: [
            {
              destination: [{ region: "eu-west-1", registry_id: "400000000003" }],
              repository_filter: [{ filter: "lma-production", filter_type: "PREFIX_MATCH" }],
            },
          ],
        },
      }),
    ]);
  });
});

describe("the cluster", () => {
  it("has Container Insights, encrypted and logged ECS Exec, and both Fargate capacity providers", () => {
    const [cluster] = listOf(json, "aws_ecs_cluster");
    expect(cluster).toMatchObject({ name: "lma-production-services", setting: [{ name: "containerInsights", value: "enabled" }] });
    const exec = (cluster!.configuration as any).execute_command_configuration;
    expect(exec).toMatchObject({ logging: "OVERRIDE", log_configuration: { cloud_watch_encryption_enabled: true } });
    expect(referenced(json, exec.log_configuration.cloud_watch_log_group_name)).toMatchObject({
      name: "/lma/production/ecs/exec",
      retention_in_days: 365,
    });
    expect(listOf(json, "aws_ecs_cluster_capacity_providers")[0]!.capacity_providers).toEqual(["FARGATE", "FARGATE_SPOT"]);
  });

  it("keeps ECS Exec off in production", () => {
    expect(all(json, "aws_ecs_service", "enable_execute_command", true)).toEqual([]);
  });
});
