/**
 * Production's compute in the primary region, as synthesized: every catalogue service, blue/green
 * through CodeDeploy, the ALB, autoscaling, ECR and its replication.
 */
import { production } from "../../../environments/production";
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
      expect(service.lifecycle).toEqual({ ignore_changes: ["desired_count", "task_definition", "load_balancer"] });
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
  const policies = listOf(json, "aws_appautoscaling_policy");

  it("tracks 70% CPU on every service, scaling out after 3 minutes and in after 10", () => {
    const cpu = policies.filter((policy) => String(policy.name).endsWith("-cpu-70"));
    expect(cpu).toHaveLength(production.services.length);
    for (const policy of cpu) {
      expect(policy.target_tracking_scaling_policy_configuration).toEqual({
        predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
        target_value: 70,
        scale_out_cooldown: 180,
        scale_in_cooldown: 600,
      });
    }
  });

  it("tracks 50 requests per second per task (3000 a minute) summed over both blue/green target groups", () => {
    const requests = policies.filter((policy) => String(policy.name).endsWith("-requests-per-task"));
    expect(requests).toHaveLength(production.services.length);
    for (const policy of requests) {
      const config = policy.target_tracking_scaling_policy_configuration as any;
      expect(config.target_value).toBe(3000);
      const metrics = config.customized_metric_specification.metrics;
      expect(metrics.map((metric: any) => metric.metric_stat?.metric.metric_name ?? metric.expression)).toEqual([
        "RequestCountPerTarget",
        "RequestCountPerTarget",
        "FILL(tg0, 0) + FILL(tg1, 0)",
      ]);
      expect(metrics[0].metric_stat.stat).toBe("Sum");
    }
  });

  it.each([
    ["document", 20],
    ["notification", 30],
  ])("steps %s out on its RabbitMQ queue depth above %i messages per task", (name, threshold) => {
    const alarm = one(json, "aws_cloudwatch_metric_alarm", "alarm_name", `lma-production-${name}-queue-depth-per-task`);
    expect(alarm).toMatchObject({ threshold, comparison_operator: "GreaterThanThreshold", evaluation_periods: 3 });
    const [messages] = alarm.metric_query as any[];
    expect(messages.metric).toMatchObject({
      namespace: "AWS/AmazonMQ",
      metric_name: "MessageCount",
      dimensions: { VirtualHost: "/", Queue: name },
    });
    expect(referenced(json, messages.metric.dimensions.Broker).broker_name).toBe("lma-production-rabbitmq");
    const policy = referenced(json, (alarm.alarm_actions as string[])[0]);
    expect(policy).toMatchObject({ name: `lma-production-${name}-queue-depth`, policy_type: "StepScaling" });
    expect((policy.step_scaling_policy_configuration as any).cooldown).toBe(180);
  });

  it("gives only document and notification queue-depth scaling, and production no off-hours schedule", () => {
    expect(policies.filter((policy) => policy.policy_type === "StepScaling").map((policy) => policy.name).sort()).toEqual([
      "lma-production-document-queue-depth",
      "lma-production-notification-queue-depth",
    ]);
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

  it("terminates TLS 1.3 (and strong TLS 1.2) with the validated certificate, and redirects HTTP", () => {
    expect(listeners.map((listener) => [listener.port, listener.protocol, listener.ssl_policy ?? null])).toEqual([
      [80, "HTTP", null],
      [443, "HTTPS", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"],
      [8443, "HTTPS", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"],
    ]);
    expect(listeners[0]!.default_action).toEqual([
      { type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } },
    ]);
    expect(listeners[1]!.certificate_arn).toMatch(/^\$\{aws_acm_certificate_validation\.[^.]+\.certificate_arn\}$/);
    expect(listeners[1]!.routing_http_response_strict_transport_security_header_value).toBe("max-age=63072000; includeSubDomains; preload");
  });

  it("is protected by the regional WAF web ACL and Shield Advanced", () => {
    const [association] = listOf(json, "aws_wafv2_web_acl_association");
    expect(referenced(json, association!.web_acl_arn).scope).toBe("REGIONAL");
    expect(listOf(json, "aws_shield_protection").map((protection) => protection.name)).toContain("lma-production-shield-alb");
  });

  it("routes each service's paths to its target group, checked with GET /health every 30 s", () => {
    for (const { name, paths } of production.services) {
      const [rule, testRule] = rulesRouting(json, paths[0]!);
      expect((rule!.condition as { path_pattern: { values: string[] } }[])[0]!.path_pattern.values).toEqual(
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

  it("answers the region's /health (Route 53's check) through the first service's rule", () => {
    const rules = rulesRouting(json, "/health");
    expect(rules).toHaveLength(2);
    expect(referenced(json, (rules[0]!.action as { target_group_arn: string }[])[0]!.target_group_arn).name).toBe("lma-production-loan");
  });
});

describe("ECR", () => {
  it("has one immutable, scanned, KMS-encrypted repository per service, expiring images after 90 days", () => {
    const repositories = listOf(json, "aws_ecr_repository");
    expect(repositories.map((repository) => repository.name).sort()).toEqual(CATALOGUE.map(([name]) => `lma-production/${name}`).sort());
    for (const repository of repositories) {
      expect(repository).toMatchObject({
        image_tag_mutability: "IMMUTABLE",
        image_scanning_configuration: { scan_on_push: true },
        encryption_configuration: [{ encryption_type: "KMS", kms_key: expect.stringMatching(/^\$\{aws_kms_key\./) }],
      });
    }
    for (const lifecycle of listOf(json, "aws_ecr_lifecycle_policy")) {
      expect(JSON.parse(String(lifecycle.policy)).rules).toEqual([
        expect.objectContaining({
          selection: { tagStatus: "any", countType: "sinceImagePushed", countUnit: "days", countNumber: 90 },
          action: { type: "expire" },
        }),
      ]);
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
