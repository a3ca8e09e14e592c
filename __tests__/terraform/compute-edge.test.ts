/**
 * Offline plan proof of the compute and edge resources (modules/ecs, modules/edge): what
 * Terraform with the real AWS provider plans for production's primary region (blue/green,
 * HTTPS-only ALB behind CloudFront, the fenced failover record), its warm standby (rolling, the
 * secondary record, the fence) and dev (rolling, off-hours). The proof of every stack is
 * stacks.test.ts; plans come from the global setup's run (see plan-suite.ts).
 */
import {
  actionsSummary,
  configuredResources,
  expressionReferences,
  findResource,
  findResources,
  type PlanJson,
  type PlannedResource,
} from "../../tooling/terraform-harness";
import { loadEnvironments } from "../../environments";
import { readAppContext } from "../../lib/app-context";
import { disasterRecoveryOf } from "../../lib/disaster-recovery";
import { Naming } from "../../lib/naming";
import { edgeNames, fenceAlarmName, ORIGIN_VERIFY_HEADER, ORIGIN_VERIFY_VARIABLE } from "../../modules/edge";
import { STATIC_FAILOVER_STATUS_CODES } from "../../modules/edge/distribution";
import { DEFAULT_SSL_POLICY, KNOWN_CLIENT_FALLBACK_PRIORITY, listenerPriorities, REGION_HEALTH_PATH, TEST_LISTENER_PORT } from "../../modules/ecs";
import { PORTS } from "../../modules/security";
import { RegionalStack } from "../../stacks/regional-stack";
import { planSuite } from "./plan-suite";

const configured = (name: string) => loadEnvironments(readAppContext().context).find(({ config }) => config.name === name)!.config;
const production = configured("production");
const dev = configured("dev");
const regionOf = (role: "primary" | "standby") => {
  const region = production.regions.find((candidate) => candidate.role === role)!;
  return { ...region, stack: RegionalStack.stackName(production.name, region.region), naming: new Naming(production.name, region.region, production.accountId) };
};
const primary = regionOf("primary");
const standby = regionOf("standby");
const PRODUCTION = primary.stack;
const STANDBY = standby.stack;
const DEV = RegionalStack.stackName(dev.name, dev.regions[0]!.region);
/** Fargate sizes as the task definition states them: CPU units and MiB, as strings. */
const productionServices = production.services.map((service) => ({
  ...service,
  cpuUnits: String(service.cpu * 1024),
  memory: String(service.memoryMiB),
}));
const values = (resource: PlannedResource | undefined) => {
  if (!resource) throw new Error("resource not planned");
  return resource.values as Record<string, any>;
};
const named = (plan: PlanJson, type: string, name: string) => values(findResource(plan, type, (r) => (r.values as any).name === name));
/**
 * Expects the region's record of the API name to be its `role` failover record, and returns the
 * health check it carries (linked through the configuration: the check's id is known after apply).
 */
function failoverHealthCheckOf(plan: PlanJson, region: string, role: "PRIMARY" | "SECONDARY"): PlannedResource {
  const planned = findResources(plan, "aws_route53_record", (r) => (r.values as any).name === edgeNames(production.dns.zoneName).api && (r.values as any).type === "A");
  expect(planned.map(values)).toEqual([expect.objectContaining({ set_identifier: region, failover_routing_policy: [{ type: role }] })]);
  const record = configuredResources(plan, "aws_route53_record").find((candidate) => candidate.address === planned[0]!.address)!;
  const checks = findResources(plan, "aws_route53_health_check").filter((check) => expressionReferences(record, "health_check_id").includes(check.address));
  expect(checks).toHaveLength(1);
  return checks[0]!;
}
/** The alarms on the ALB's healthy targets that Route 53 reads as the region's health. */
const healthyHostAlarms = (plan: PlanJson) =>
  findResources(plan, "aws_cloudwatch_metric_alarm", (r) => (r.values as any).metric_name === "HealthyHostCount").map((alarm) => String(alarm.values.alarm_name));

planSuite("compute and edge plans", [PRODUCTION, STANDBY, DEV], (planOf) => {
  describe(`${PRODUCTION} plan`, () => {
    it("creates only", () => {
      expect(actionsSummary(planOf(PRODUCTION))).toEqual(expect.objectContaining({ delete: 0, replace: 0, update: 0 }));
    });

    it.each(productionServices)("plans the $name service: $desiredCount tasks, $cpuUnits CPU units, $memory MiB, blue/green", ({ name, desiredCount: tasks, cpuUnits: cpu, memory }) => {
      const plan = planOf(PRODUCTION);
      const service = named(plan, "aws_ecs_service", `lma-production-${name}`);
      expect(service).toMatchObject({
        desired_count: tasks,
        deployment_controller: [{ type: "CODE_DEPLOY" }],
        deployment_minimum_healthy_percent: 100,
        network_configuration: [{ assign_public_ip: false }],
        capacity_provider_strategy: [{ capacity_provider: "FARGATE", weight: 1, base: 0 }],
      });
      const task = values(findResource(plan, "aws_ecs_task_definition", (r) => (r.values as any).family === `lma-production-${name}`));
      expect(task).toMatchObject({ cpu, memory, network_mode: "awsvpc", requires_compatibilities: ["FARGATE"] });
      expect(
        findResources(plan, "aws_codedeploy_deployment_group", (r) => (r.values as any).deployment_group_name === `lma-production-${name}`),
      ).toHaveLength(1);
      expect(named(plan, "aws_lb_target_group", `lma-production-${name}`).health_check).toEqual([
        expect.objectContaining({ path: "/health", interval: 30, protocol: "HTTP", matcher: "200" }),
      ]);
    });

    it("plans a scalable target per service, at the catalogue's minimum and maximum", () => {
      const targets = findResources(planOf(PRODUCTION), "aws_appautoscaling_target").map(values);
      // resource_id is service/<cluster>/<service>.
      expect(targets.map((target) => [String(target.resource_id).split("/").pop(), target.min_capacity, target.max_capacity, target.service_namespace]).sort()).toEqual(
        production.services.map((service) => [`lma-production-${service.name}`, service.autoscaling.min, service.autoscaling.max, "ecs"]).sort(),
      );
    });

    it("plans HTTPS listeners only (no port 80: CloudFront reaches the API over HTTPS), TLS 1.3, refusing with 403 by default", () => {
      const listeners = findResources(planOf(PRODUCTION), "aws_lb_listener").map(values);
      expect(listeners.map((listener) => listener.port).sort()).toEqual([PORTS.https, TEST_LISTENER_PORT].sort());
      for (const listener of listeners) {
        expect(listener).toMatchObject({ protocol: "HTTPS", ssl_policy: DEFAULT_SSL_POLICY });
        expect(listener.default_action[0]).toMatchObject({ type: "fixed-response", fixed_response: [expect.objectContaining({ status_code: "403" })] });
      }
    });

    it("plans the ALB with deletion protection, invalid headers dropped and access logs to alb/", () => {
      expect(named(planOf(PRODUCTION), "aws_lb", "lma-production-api")).toMatchObject({
        internal: false,
        enable_deletion_protection: true,
        drop_invalid_header_fields: true,
        access_logs: [expect.objectContaining({ bucket: primary.naming.bucketName("logs"), prefix: "alb", enabled: true })],
      });
    });

    it("plans path rules per service on the HTTPS and test listeners, each requiring the origin header, then a 404 for the header without a known path", () => {
      const plan = planOf(PRODUCTION);
      const headerCondition = {
        http_header: [{ http_header_name: ORIGIN_VERIFY_HEADER, values: [(plan.variables as Record<string, { value: string }>)[ORIGIN_VERIFY_VARIABLE]!.value] }],
      };
      const rules = findResources(plan, "aws_lb_listener_rule").map(values);
      for (const rule of rules) expect(rule.condition).toEqual(expect.arrayContaining([expect.objectContaining(headerCondition)]));
      const forwarding = rules.filter((rule) => rule.action[0].type === "forward");
      const fallbacks = rules.filter((rule) => rule.action[0].type === "fixed-response");
      // Both listeners: the same rules on each.
      expect(fallbacks).toEqual(
        [PORTS.https, TEST_LISTENER_PORT].map(() =>
          expect.objectContaining({ priority: KNOWN_CLIENT_FALLBACK_PRIORITY, action: [expect.objectContaining({ fixed_response: [expect.objectContaining({ status_code: "404" })] })] }),
        ),
      );
      // Each listener routes every path of the catalogue and the region's health path (Route 53's
      // alarms read the health service's targets), each once.
      const pathsOf = (rule: Record<string, any>) => rule.condition.flatMap((condition: Record<string, any>) => condition.path_pattern.flatMap((pattern: { values: string[] }) => pattern.values));
      const routed = forwarding.flatMap(pathsOf).sort();
      const catalogue = [...production.services.flatMap((service) => service.paths), REGION_HEALTH_PATH];
      expect(routed).toEqual([...catalogue, ...catalogue].sort());
      const priorities = listenerPriorities(production.services.map((service) => service.name));
      for (const service of production.services) {
        const first = forwarding.filter((rule) => pathsOf(rule).includes(service.paths[0])).map((rule) => rule.priority);
        expect(first).toEqual([priorities.get(service.name), priorities.get(service.name)]);
      }
      expect(Math.max(...forwarding.map((rule) => rule.priority))).toBeLessThan(KNOWN_CLIENT_FALLBACK_PRIORITY);
    });

    it("plans CloudFront with TLSv1.2_2021 and HTTP/3: the API origin over HTTPS with the origin header, the static assets from an origin group that fails over to the standby's replica", () => {
      const plan = planOf(PRODUCTION);
      const [distribution] = findResources(plan, "aws_cloudfront_distribution").map(values);
      expect(distribution).toMatchObject({
        http_version: "http2and3",
        viewer_certificate: [expect.objectContaining({ minimum_protocol_version: "TLSv1.2_2021", ssl_support_method: "sni-only" })],
      });
      const origins = distribution!.origin as Record<string, any>[];
      const api = origins.find((origin) => origin.domain_name === edgeNames(production.dns.zoneName).api)!;
      // The value is the stack's sensitive variable, planned offline with a placeholder.
      const headerValue = (plan.variables as Record<string, { value: string }>)[ORIGIN_VERIFY_VARIABLE]!.value;
      expect(api).toMatchObject({
        custom_header: [{ name: ORIGIN_VERIFY_HEADER, value: headerValue }],
        custom_origin_config: [expect.objectContaining({ origin_protocol_policy: "https-only" })],
      });
      const [group] = distribution!.origin_group as Record<string, any>[];
      expect(distribution!.origin_group).toHaveLength(1);
      expect(distribution!.default_cache_behavior[0].target_origin_id).toBe(group.origin_id);
      expect(group.failover_criteria).toEqual([{ status_codes: STATIC_FAILOVER_STATUS_CODES }]);
      const [home, failover] = (group.member as { origin_id: string }[]).map((member) => origins.find((origin) => origin.origin_id === member.origin_id)!);
      expect(group.member).toHaveLength(2);
      // The home bucket's domain is known after apply, so its link is the configuration's; the standby's is built from its name.
      const homeBucket = findResource(plan, "aws_s3_bucket", (r) => (r.values as any).bucket === primary.naming.bucketName("static-assets"))!;
      const configuredOrigins = configuredResources(plan, "aws_cloudfront_distribution")[0]!.expressions!.origin as { origin_id: unknown; domain_name: { references?: string[] } }[];
      const homeOrigin = configuredOrigins.find((origin) => JSON.stringify(origin.origin_id) === JSON.stringify({ constant_value: home!.origin_id }))!;
      expect(homeOrigin.domain_name.references).toContain(homeBucket.address);
      expect(failover!.domain_name).toBe(`${standby.naming.bucketName("static-assets")}.s3.${standby.region}.amazonaws.com`);
      expect(origins.map((origin) => origin.origin_id).sort()).toEqual([api.origin_id, home!.origin_id, failover!.origin_id].sort());
    });

    it("plans the API's PRIMARY failover record on a CALCULATED check: a healthy target group here and the standby's fence down", () => {
      const plan = planOf(PRODUCTION);
      const serving = failoverHealthCheckOf(plan, primary.region, "PRIMARY");
      const checks = findResources(plan, "aws_route53_health_check");
      expect(checks.map((check) => (check.values as any).type).filter((type) => type !== "CLOUDWATCH_METRIC" && type !== "CALCULATED")).toEqual([]);
      expect(values(serving).type).toBe("CALCULATED");
      const children = configuredResources(plan, "aws_route53_health_check")
        .find((check) => check.address === serving.address)!;
      const childChecks = checks.filter((check) => expressionReferences(children, "child_healthchecks").includes(check.address)).map(values);
      const targetChecks = childChecks.filter((check) => check.cloudwatch_alarm_region === primary.region);
      const fenceChecks = childChecks.filter((check) => check.cloudwatch_alarm_name === fenceAlarmName(standby.naming));
      // One target check per target group of the health service: the pair CodeDeploy switches between.
      expect(targetChecks.map((check) => check.cloudwatch_alarm_name).sort()).toEqual(healthyHostAlarms(plan).sort());
      expect(healthyHostAlarms(plan)).toHaveLength(2);
      expect(fenceChecks).toEqual(targetChecks.map(() => expect.objectContaining({ type: "CLOUDWATCH_METRIC", cloudwatch_alarm_region: standby.region })));
      expect(childChecks).toHaveLength(targetChecks.length + fenceChecks.length);
      expect(values(serving).child_health_threshold).toBe(targetChecks.length + 1);
    });

    it("plans immutable, scanned repositories and replication to eu-west-1", () => {
      const plan = planOf(PRODUCTION);
      const repositories = findResources(plan, "aws_ecr_repository").map(values);
      expect(repositories).toHaveLength(production.services.length);
      for (const repository of repositories) {
        expect(repository).toMatchObject({ image_tag_mutability: "IMMUTABLE", image_scanning_configuration: [{ scan_on_push: true }] });
      }
      expect(values(findResource(plan, "aws_ecr_replication_configuration")).replication_configuration[0].rule[0].destination).toEqual([
        { region: standby.region, registry_id: production.accountId },
      ]);
    });
  });

  describe(`${STANDBY} plan`, () => {
    const recovery = disasterRecoveryOf(production, standby.region);
    // At the standby's fixed count while it stands by; at the catalogue's once it is the active region.
    const tasksOf = (service: (typeof production.services)[number]) =>
      recovery.capacity === "standby" && typeof standby.serviceTaskCount === "number" ? standby.serviceTaskCount : service.desiredCount;

    it("runs every service rolling (ECS follows the release pins), at the standby's count, with the catalogue's maximum as ceiling", () => {
      const plan = planOf(STANDBY);
      for (const service of production.services) {
        expect(named(plan, "aws_ecs_service", standby.naming.name(service.name))).toMatchObject({
          desired_count: tasksOf(service),
          deployment_controller: [{ type: "ECS" }],
          deployment_circuit_breaker: [{ enable: true, rollback: true }],
        });
      }
      expect(findResources(plan, "aws_codedeploy_deployment_group")).toEqual([]);
      const ceilings = findResources(plan, "aws_appautoscaling_target").map(values);
      expect(ceilings.map((target) => [String(target.resource_id).split("/").pop(), target.max_capacity]).sort()).toEqual(
        production.services.map((service) => [standby.naming.name(service.name), service.autoscaling.max]).sort(),
      );
    });

    it("plans the API's SECONDARY record on its own alarm-based health, and the fence alarm the primary's check reads", () => {
      const plan = planOf(STANDBY);
      const check = failoverHealthCheckOf(plan, standby.region, "SECONDARY");
      // Rolling deployments keep one target group, so its one check is the region's health.
      expect(values(check)).toMatchObject({ type: "CLOUDWATCH_METRIC", cloudwatch_alarm_region: standby.region, cloudwatch_alarm_name: healthyHostAlarms(plan)[0] });
      expect(healthyHostAlarms(plan)).toHaveLength(1);
      // The fence is up (missing data breaches) only once this region holds the writer.
      const fence = values(findResource(plan, "aws_cloudwatch_metric_alarm", (r) => (r.values as any).alarm_name === fenceAlarmName(standby.naming)));
      expect(fence.treat_missing_data).toBe(recovery.failedOver ? "breaching" : "notBreaching");
    });
  });

  describe(`${DEV} plan`, () => {
    it("plans rolling services with the circuit breaker and rollback", () => {
      const services = findResources(planOf(DEV), "aws_ecs_service").map(values);
      expect(services).toHaveLength(dev.services.length);
      for (const service of services) {
        expect(service).toMatchObject({
          desired_count: dev.services.find((candidate) => service.name === `lma-dev-${candidate.name}`)!.desiredCount,
          deployment_controller: [{ type: "ECS" }],
          deployment_circuit_breaker: [{ enable: true, rollback: true }],
        });
      }
    });

    it("plans the configured off-hours schedule for every service: down to zero, then back up", () => {
      const actions = findResources(planOf(DEV), "aws_appautoscaling_scheduled_action").map(values);
      expect(actions).toHaveLength(2 * dev.services.length);
      expect(actions.filter((action) => action.schedule === dev.offHours!.scaleDown)).toEqual(
        Array(dev.services.length).fill(expect.objectContaining({ scalable_target_action: [{ min_capacity: "0", max_capacity: "0" }] })),
      );
    });

    it("plans a simple API record and no CodeDeploy", () => {
      const plan = planOf(DEV);
      expect(findResources(plan, "aws_codedeploy_deployment_group")).toEqual([]);
      const record = values(findResource(plan, "aws_route53_record", (r) => (r.values as any).name === "api.dev.lma.example.com"));
      expect(record.set_identifier).toBeNull();
    });
  });
});
