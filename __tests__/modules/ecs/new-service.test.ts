/**
 * A service added to an environment's catalogue — one entry, no other edit — gets everything a
 * service has: task definition, service, target groups, listener rules, scaling policies, ECR
 * repository, IAM task role, log group, deployment group and alarms, at priorities that leave
 * every existing service's rules where they were.
 */
import { production } from "../../../environments/production";
import type { EnvironmentConfig, ServiceConfig } from "../../../environments/types";
import { validateEnvironment } from "../../../environments/validate";
import { pathGroups } from "../../../modules/ecs";
import { ORIGIN_VERIFY_HEADER, ORIGIN_VERIFY_VARIABLE } from "../../../modules/edge/origin-verify";
import { listOf, synthRegional } from "../../support/synth";
import { containersOf, one, referenced, rulesRouting } from "./find";

const LEDGER: ServiceConfig = {
  name: "ledger",
  cpu: 1,
  memoryMiB: 2048,
  desiredCount: 2,
  autoscaling: { min: 2, max: 6, queueMessagesPerTask: 40, queueScaleInMessagesPerTask: 8 },
  // More patterns than one listener rule holds, so the service gets several rules of its block.
  paths: ["/api/ledger", "/api/ledger/*", "/api/journal", "/api/journal/*", "/api/accounts/*/ledger"],
  // A declared application secret (a new one would also be declared where the application secrets are).
  secrets: ["market-data-api-key"],
  uses: ["database", "queue"],
};
const withLedger: EnvironmentConfig = { ...production, services: [...production.services, LEDGER] };

const before = synthRegional(production, 0).json;
const { json } = synthRegional(withLedger, 0);

it("the edited configuration is valid", () => {
  expect(validateEnvironment({ file: "environments/production.ts", config: withLedger })).toEqual([]);
});

describe("the added ledger service", () => {
  it("has a task definition of its catalogue size, image and log group", () => {
    const definition = one(json, "aws_ecs_task_definition", "family", "lma-production-ledger");
    expect(definition).toMatchObject({ cpu: "1024", memory: "2048" });
    const [application] = containersOf(definition);
    expect(application).toMatchObject({
      image: `400000000003.dkr.ecr.us-east-1.amazonaws.com/lma-production/ledger:${production.release.version}`,
      // Its catalogue secret, and the broker credential its `queue` binding injects.
      secrets: ["AMQP_PASSWORD", "AMQP_USERNAME", "MARKET_DATA_API_KEY"].map((name) => ({
        name,
        valueFrom: expect.stringMatching(/^\$\{aws_secretsmanager_secret\./),
      })),
    });
    const logGroup = referenced(json, application!.logConfiguration.options["awslogs-group"]);
    expect(logGroup).toMatchObject({ name: "/lma/production/ecs/ledger", retention_in_days: 365, kms_key_id: expect.any(String) });
  });

  it("has a service with its own task role and security group", () => {
    const service = one(json, "aws_ecs_service", "name", "lma-production-ledger");
    expect(service).toMatchObject({ desired_count: 2, deployment_controller: { type: "CODE_DEPLOY" } });
    const definition = one(json, "aws_ecs_task_definition", "family", "lma-production-ledger");
    expect(referenced(json, definition.task_role_arn).name).toBe("lma-production-use1-ledger-task");
    const [group] = (service.network_configuration as { security_groups: string[] }).security_groups;
    expect(referenced(json, group).name).toBe("lma-production-svc-ledger");
  });

  it("has two target groups and listener rules on the HTTPS and test listeners", () => {
    expect(one(json, "aws_lb_target_group", "name", "lma-production-ledger")).toMatchObject({ target_type: "ip" });
    expect(one(json, "aws_lb_target_group", "name", "lma-production-ledger-alt")).toMatchObject({ target_type: "ip" });
    const rules = rulesRouting(json, "/api/ledger");
    expect(rules.map((rule) => referenced(json, rule.listener_arn).port)).toEqual([443, 8443]);
  });

  it("gets as many rules as its paths need on each listener, each requiring the origin header, every path routed", () => {
    const ledgerGroups = ["lma-production-ledger", "lma-production-ledger-alt"];
    const rules = listOf(json, "aws_lb_listener_rule").filter((rule) =>
      (rule.action as { target_group_arn?: string }[]).some((action) => action.target_group_arn && ledgerGroups.includes(String(referenced(json, action.target_group_arn).name))),
    );
    const groups = pathGroups(LEDGER.paths, { evaluations: 1, wildcards: 0 });
    expect(groups.length).toBeGreaterThan(1);
    for (const port of [443, 8443]) {
      const onListener = rules.filter((rule) => referenced(json, rule.listener_arn).port === port);
      expect(onListener).toHaveLength(groups.length);
      const conditions = onListener.map((rule) => rule.condition as { http_header?: { values: string[] }; path_pattern?: { values: string[] } }[]);
      expect(conditions.flat().flatMap((condition) => condition.path_pattern?.values ?? [])).toEqual([...LEDGER.paths]);
      for (const condition of conditions) {
        expect(condition.filter((entry) => entry.http_header)).toEqual([{ http_header: { http_header_name: ORIGIN_VERIFY_HEADER, values: [`\${var.${ORIGIN_VERIFY_VARIABLE}}`] } }]);
      }
    }
  });

  it("has CPU, request and queue-depth scaling between its own min and max", () => {
    expect(
      listOf(json, "aws_appautoscaling_policy")
        .map((policy) => String(policy.name))
        .filter((name) => name.startsWith("lma-production-ledger-"))
        .sort(),
    ).toEqual(
      ["cpu", "queue-depth", "requests"].flatMap((trigger) => [`lma-production-ledger-${trigger}-scale-in`, `lma-production-ledger-${trigger}-scale-out`]),
    );
    expect(one(json, "aws_cloudwatch_metric_alarm", "alarm_name", "lma-production-ledger-queue-depth-high").threshold).toBe(40);
    expect(one(json, "aws_cloudwatch_metric_alarm", "alarm_name", "lma-production-ledger-queue-depth-low").threshold).toBe(8);
    expect(listOf(json, "aws_appautoscaling_target").filter((target) => target.max_capacity === 6)).toHaveLength(1);
  });

  it("has an ECR repository and a CodeDeploy deployment group", () => {
    expect(one(json, "aws_ecr_repository", "name", "lma-production/ledger")).toMatchObject({ image_tag_mutability: "IMMUTABLE" });
    expect(one(json, "aws_codedeploy_deployment_group", "deployment_group_name", "lma-production-ledger")).toBeDefined();
  });

  it("leaves every existing listener rule's priority unchanged", () => {
    const priorities = (stack: typeof json) =>
      Object.fromEntries(
        listOf(stack, "aws_lb_listener_rule").map((rule) => [
          `${referenced(stack, rule.listener_arn).port} ${JSON.stringify(rule.condition)}`,
          rule.priority,
        ]),
      );
    const after = priorities(json);
    for (const [rule, priority] of Object.entries(priorities(before))) expect(after[rule]).toBe(priority);
    expect(new Set(Object.values(after)).size * 2).toBe(Object.values(after).length);
  });
});
