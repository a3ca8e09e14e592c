/**
 * Offline plan proof of the compute and edge resources (modules/ecs, modules/edge): what
 * Terraform with the real AWS provider plans for production's primary region (blue/green,
 * CloudFront, failover) and for dev (rolling, off-hours). The proof of every stack is
 * stacks.test.ts; plans come from the global setup's run (see plan-suite.ts).
 */
import {
  actionsSummary,
  findResource,
  findResources,
  type PlanJson,
  type PlannedResource,
} from "../../tooling/terraform-harness";
import { loadEnvironments } from "../../environments";
import { readAppContext } from "../../lib/app-context";
import { planSuite } from "./plan-suite";

const configured = (name: string) => loadEnvironments(readAppContext().context).find(({ config }) => config.name === name)!.config;
const production = configured("production");
const dev = configured("dev");
const PRODUCTION = `lma-production-${production.regions[0]!.region}`;
const DEV = `lma-dev-${dev.regions[0]!.region}`;
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

planSuite("compute and edge plans", [PRODUCTION, DEV], (planOf) => {
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

    it("plans the listeners: 80 redirects, 443 and 8443 terminate TLS 1.3", () => {
      const listeners = findResources(planOf(PRODUCTION), "aws_lb_listener").map(values);
      const byPort = Object.fromEntries(listeners.map((listener) => [listener.port, listener]));
      expect(Object.keys(byPort).sort()).toEqual(["443", "80", "8443"]);
      expect(byPort[80]!.default_action[0]).toMatchObject({ type: "redirect", redirect: [expect.objectContaining({ protocol: "HTTPS", status_code: "HTTP_301" })] });
      for (const port of [443, 8443]) {
        expect(byPort[port]).toMatchObject({ protocol: "HTTPS", ssl_policy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06" });
        expect(byPort[port]!.default_action[0]).toMatchObject({ type: "fixed-response" });
      }
    });

    it("plans the ALB with deletion protection, invalid headers dropped and access logs to alb/", () => {
      expect(named(planOf(PRODUCTION), "aws_lb", "lma-production-api")).toMatchObject({
        internal: false,
        enable_deletion_protection: true,
        drop_invalid_header_fields: true,
        access_logs: [expect.objectContaining({ bucket: "lma-production-logs-us-east-1-400000000003", prefix: "alb", enabled: true })],
      });
    });

    it("plans a path rule per service on the HTTPS listener and on the test listener", () => {
      expect(findResources(planOf(PRODUCTION), "aws_lb_listener_rule")).toHaveLength(2 * production.services.length);
    });

    it("plans CloudFront with TLSv1.2_2021, HTTP/3 and two origins, and the API's PRIMARY failover record", () => {
      const plan = planOf(PRODUCTION);
      const [distribution] = findResources(plan, "aws_cloudfront_distribution").map(values);
      expect(distribution).toMatchObject({
        http_version: "http2and3",
        viewer_certificate: [expect.objectContaining({ minimum_protocol_version: "TLSv1.2_2021", ssl_support_method: "sni-only" })],
      });
      expect(distribution!.origin.map((origin: { origin_id: string }) => origin.origin_id).sort()).toEqual(["api", "static-assets"]);
      const record = values(
        findResource(plan, "aws_route53_record", (r) => (r.values as any).name === "api.lma.example.com" && (r.values as any).type === "A"),
      );
      expect(record).toMatchObject({ set_identifier: "us-east-1", failover_routing_policy: [{ type: "PRIMARY" }] });
      expect(values(findResource(plan, "aws_route53_health_check"))).toMatchObject({ type: "HTTPS", resource_path: "/health", port: 443 });
    });

    it("plans immutable, scanned repositories and replication to eu-west-1", () => {
      const plan = planOf(PRODUCTION);
      const repositories = findResources(plan, "aws_ecr_repository").map(values);
      expect(repositories).toHaveLength(production.services.length);
      for (const repository of repositories) {
        expect(repository).toMatchObject({ image_tag_mutability: "IMMUTABLE", image_scanning_configuration: [{ scan_on_push: true }] });
      }
      expect(values(findResource(plan, "aws_ecr_replication_configuration")).replication_configuration[0].rule[0].destination).toEqual([
        { region: "eu-west-1", registry_id: "400000000003" },
      ]);
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
