/**
 * The ALB admits a request to a service only with CloudFront's origin header, in every regional
 * stack: each forwarding rule requires `X-Origin-Verify` equal to the sensitive variable, within
 * ALB's condition limits, every catalogue path still routed; everything else gets the listener's
 * 403. Expected values come from the catalogue, the variable and the priority scheme.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import type { EnvironmentConfig } from "../../../environments/types";
import { Naming } from "../../../lib/naming";
import {
  ApiLoadBalancer,
  KNOWN_CLIENT_FALLBACK_PRIORITY,
  listenerPriorities,
  pathGroups,
  REGION_HEALTH_PATH,
  serviceNames,
  TEST_LISTENER_PORT,
} from "../../../modules/ecs";
import { MAX_EVALUATIONS_PER_CONDITION, MAX_EVALUATIONS_PER_RULE, MAX_WILDCARDS_PER_RULE, wildcardCount } from "../../../modules/ecs/names";
import { ORIGIN_VERIFY_HEADER, ORIGIN_VERIFY_VARIABLE, originVerifyHeader } from "../../../modules/edge/origin-verify";
import { SecurityGroup } from "../../../modules/security-group";
import { ENVIRONMENTS, listOf, resourcesOf, type SynthesizedStack, synthRegional } from "../../support/synth";
import { referenced } from "./find";

type Rule = Record<string, any>;
type Condition = { http_header?: { http_header_name: string; values: string[] }; path_pattern?: { values: string[] } };

const VARIABLE_REFERENCE = `\${var.${ORIGIN_VERIFY_VARIABLE}}`;
const conditionsOf = (rule: Rule): Condition[] => rule.condition as Condition[];
const pathsOf = (rule: Rule): string[] => conditionsOf(rule).flatMap((condition) => condition.path_pattern?.values ?? []);
const valuesOf = (condition: Condition): string[] => condition.http_header?.values ?? condition.path_pattern?.values ?? [];
const forwardsTo = (json: SynthesizedStack, rule: Rule): string | undefined => {
  const forward = (rule.action as { type: string; target_group_arn?: string }[]).find((action) => action.type === "forward");
  return forward ? String(referenced(json, forward.target_group_arn).name) : undefined;
};

const stacks: [string, EnvironmentConfig, SynthesizedStack][] = Object.values(ENVIRONMENTS).flatMap((environment) =>
  environment.regions.map((region, index) => [`lma-${environment.name}-${region.region}`, environment, synthRegional(environment, index).json] as [string, EnvironmentConfig, SynthesizedStack]),
);

describe.each(stacks)("%s", (_name, environment, json) => {
  const naming = new Naming(environment.name, environment.regions[0]!.region, environment.accountId);
  const listeners = Object.entries(resourcesOf(json, "aws_lb_listener"));
  const rules = listOf(json, "aws_lb_listener_rule");
  const forwarding = rules.filter((rule) => forwardsTo(json, rule) !== undefined);
  const blueGreen = listeners.some(([, listener]) => listener.port === TEST_LISTENER_PORT);

  it("declares the header's value as a sensitive variable without a default", () => {
    expect((json as any).variable[ORIGIN_VERIFY_VARIABLE]).toMatchObject({ sensitive: true, nullable: false });
    expect((json as any).variable[ORIGIN_VERIFY_VARIABLE].default).toBeUndefined();
  });

  it("listens on HTTPS only (and the blue/green test port), answering 403 by default", () => {
    expect(listeners.map(([, listener]) => [listener.port, listener.protocol]).sort()).toEqual(
      [[443, "HTTPS"], ...(blueGreen ? [[TEST_LISTENER_PORT, "HTTPS"]] : [])].sort(),
    );
    for (const [, listener] of listeners) {
      expect(listener.default_action).toEqual([expect.objectContaining({ type: "fixed-response", fixed_response: expect.objectContaining({ status_code: "403" }) })]);
    }
  });

  it("requires the origin header, with the variable's value, on every forwarding rule", () => {
    expect(forwarding.length).toBeGreaterThan(0);
    for (const rule of forwarding) {
      expect(conditionsOf(rule).filter((condition) => condition.http_header)).toEqual([
        { http_header: { http_header_name: ORIGIN_VERIFY_HEADER, values: [VARIABLE_REFERENCE] } },
      ]);
    }
  });

  it("keeps every rule within ALB's limits: 3 values per condition, 5 per rule, 5 wildcards per rule", () => {
    for (const rule of rules) {
      const conditions = conditionsOf(rule);
      for (const condition of conditions) expect(valuesOf(condition).length).toBeLessThanOrEqual(MAX_EVALUATIONS_PER_CONDITION);
      expect(conditions.flatMap(valuesOf).length).toBeLessThanOrEqual(MAX_EVALUATIONS_PER_RULE);
      expect(pathsOf(rule).reduce((sum, path) => sum + wildcardCount(path), 0)).toBeLessThanOrEqual(MAX_WILDCARDS_PER_RULE);
    }
  });

  it("routes every catalogue path of each service to its target group, on each listener, within the service's priorities", () => {
    const priorities = listenerPriorities(environment.services.map((service) => service.name));
    for (const [listenerName] of listeners) {
      const onListener = forwarding.filter((rule) => rule.listener_arn === `\${aws_lb_listener.${listenerName}.arn}`);
      // Distinct priorities per listener: ALB refuses duplicates.
      expect(new Set(onListener.map((rule) => rule.priority)).size).toBe(onListener.length);
      environment.services.forEach((service, index) => {
        const names = serviceNames(naming, service.name);
        const own = onListener.filter((rule) => [names.targetGroup, names.alternateTargetGroup].includes(forwardsTo(json, rule)!));
        const expected = [...service.paths, ...(index === 0 ? [REGION_HEALTH_PATH] : [])];
        expect(own.flatMap(pathsOf).sort()).toEqual([...expected].sort());
        const first = priorities.get(service.name)!;
        const ruleCount = pathGroups(expected, { evaluations: 1, wildcards: 0 }).length;
        expect(own.map((rule) => Number(rule.priority)).sort((a, b) => a - b)).toEqual(Array.from({ length: ruleCount }, (_, rule) => first + rule));
      });
    }
  });

  it("answers 404 only to requests with the header whose path no service owns, after every service", () => {
    const fallbacks = rules.filter((rule) => forwardsTo(json, rule) === undefined);
    expect(fallbacks).toHaveLength(listeners.length);
    for (const rule of fallbacks) {
      expect(rule).toMatchObject({
        priority: KNOWN_CLIENT_FALLBACK_PRIORITY,
        condition: [{ http_header: { http_header_name: ORIGIN_VERIFY_HEADER, values: [VARIABLE_REFERENCE] } }],
        action: [expect.objectContaining({ type: "fixed-response", fixed_response: expect.objectContaining({ status_code: "404" }) })],
      });
    }
    expect(Math.max(...forwarding.map((rule) => Number(rule.priority)))).toBeLessThan(KNOWN_CLIENT_FALLBACK_PRIORITY);
  });

  it("never writes the header's value into the configuration", () => {
    const literal = rules.flatMap(conditionsOf).flatMap((condition) => condition.http_header?.values ?? []).filter((value) => value !== VARIABLE_REFERENCE);
    expect(literal).toEqual([]);
  });
});

describe("path groups", () => {
  const header = { evaluations: 1, wildcards: 0 };

  it("hold at most 3 patterns (ALB's per-condition limit), in catalogue order", () => {
    const paths = ["/a", "/a/*", "/b", "/b/*", "/c", "/c/*", "/d"];
    const groups = pathGroups(paths, header);
    expect(groups.flat()).toEqual(paths);
    expect(groups.map((group) => group.length)).toEqual([3, 3, 1]);
  });

  it("start a new rule when the wildcards would pass 5", () => {
    const groups = pathGroups(["/a/*/*/*", "/b/*/*", "/c/*"], header);
    expect(groups).toEqual([["/a/*/*/*", "/b/*/*"], ["/c/*"]]);
    expect(() => pathGroups(["/*/*/*/*/*/*"], header)).toThrow(/6 wildcards; a rule allows 5/);
  });

  it("fit the header beside them even when the per-rule limit is the tighter one", () => {
    expect(pathGroups(["/a", "/b", "/c", "/d"], { evaluations: 3, wildcards: 0 }).map((group) => group.length)).toEqual([2, 2]);
  });

  it("refuse more rules than the service's block of 10 priorities", () => {
    const paths = Array.from({ length: 10 * MAX_EVALUATIONS_PER_CONDITION + 1 }, (_, index) => `/p${index}`);
    expect(() => pathGroups(paths, header)).toThrow(/need 11 listener rules; a service has 10/);
  });
});

describe("ApiLoadBalancer", () => {
  const build = (value: (stack: TerraformStack) => string) => {
    const stack = new TerraformStack(Testing.app(), "fixture");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    const naming = new Naming("dev", "us-east-1", "400000000001");
    return new ApiLoadBalancer(stack, "alb", {
      naming,
      vpcId: "vpc-1",
      subnetIds: ["subnet-a", "subnet-b"],
      securityGroup: new SecurityGroup(stack, "alb-group", { naming, name: "alb", description: "ALB", vpcId: "vpc-1" }),
      certificateArn: "arn:aws:acm:us-east-1:400000000001:certificate/1",
      accessLogs: { bucket: "logs", prefix: "alb" },
      originHeader: { name: ORIGIN_VERIFY_HEADER, value: value(stack) },
    });
  };

  it("takes the header's value from a variable, and refuses a literal, which would be written to cdk.tf.json", () => {
    expect(build((stack) => originVerifyHeader(stack).value).originHeaderCondition.httpHeader?.httpHeaderName).toBe(ORIGIN_VERIFY_HEADER);
    expect(() => build(() => "a-secret")).toThrow(/must reference the sensitive variable, not a literal/);
  });
});
