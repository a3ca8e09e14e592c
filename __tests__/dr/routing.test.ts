/**
 * Routing without a control-plane change: which record each region writes, what makes it healthy,
 * and how the standby's fence alarm keeps the home primary out of DNS after a failover, in warm
 * standby, after failover and in active-active; the edge that only CloudFront can cross.
 */
import { production } from "../../environments/production";
import { disasterRecoveryOf, homeRegionOf } from "../../lib/disaster-recovery";
import { Naming } from "../../lib/naming";
import { edgeNames, fenceAlarmName, ORIGIN_VERIFY_HEADER, ORIGIN_VERIFY_VARIABLE } from "../../modules/edge";
import { FORWARDED_CLIENT_HEADER } from "../../modules/security/waf";
import { allResources, ENVIRONMENTS, listOf, stackJson, stackNames, type SynthesizedStack } from "../support/synth";
import { productionWith, standbyRegion, synthRegion } from "./modes";

type Body = Record<string, any>;
const home = homeRegionOf(production);
const apiName = edgeNames(production.dns.zoneName).api;
const fenceName = fenceAlarmName(new Naming(production.name, standbyRegion, production.accountId));
const variableReference = `\${var.${ORIGIN_VERIFY_VARIABLE}}`;

const failoverConfig = productionWith({ activeRegion: standbyRegion });
// Active-active runs both regions at production size: the standby sizes go, as a person would remove them.
const activeActiveConfig = productionWith({ topology: "active-active", standby: { scheduledJobsEnabled: production.disasterRecovery.standby.scheduledJobsEnabled } });
const stacks = {
  standby: { home: synthRegion(production, home), standby: synthRegion(production, standbyRegion) },
  failover: { home: synthRegion(failoverConfig, home), standby: synthRegion(failoverConfig, standbyRegion) },
  activeActive: { home: synthRegion(activeActiveConfig, home), standby: synthRegion(activeActiveConfig, standbyRegion) },
};

const apiRecord = (json: SynthesizedStack) => {
  const records = listOf(json, "aws_route53_record").filter((record) => record.name === apiName);
  expect(records).toHaveLength(1);
  return records[0]!;
};

/** `${type.name.attr}` → the body of that resource in `json`. */
function resolve(json: SynthesizedStack, reference: unknown): Body {
  const match = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$/.exec(String(reference));
  if (!match) throw new Error(`not a reference: ${String(reference)}`);
  const found = allResources(json).find(([type, name]) => type === match[1] && name === match[2]);
  if (!found) throw new Error(`${String(reference)} is not declared in the stack`);
  return found[2] as Body;
}

/** The CloudWatch alarm a CLOUDWATCH_METRIC check reads: a literal name (another stack's) or a reference (this stack's). */
function alarmNameOf(json: SynthesizedStack, check: Body): string {
  const name = String(check.cloudwatch_alarm_name);
  return name.startsWith("${") ? String(resolve(json, name).alarm_name) : name;
}

/**
 * Route 53's verdict on a check, given which alarms are OK (true) or in ALARM (false): a
 * CLOUDWATCH_METRIC check follows its alarm, a CALCULATED one counts its healthy children.
 */
function healthy(json: SynthesizedStack, check: Body, alarmOk: ReadonlyMap<string, boolean>): boolean {
  if (check.type === "CLOUDWATCH_METRIC") {
    const state = alarmOk.get(alarmNameOf(json, check));
    if (state === undefined) throw new Error(`no state given for alarm ${alarmNameOf(json, check)}`);
    return state;
  }
  if (check.type === "CALCULATED") {
    const up = (check.child_healthchecks as string[]).filter((child) => healthy(json, resolve(json, child), alarmOk)).length;
    return up >= Number(check.child_health_threshold);
  }
  throw new Error(`unexpected health check type ${String(check.type)}`);
}

/** The alarms a record's health depends on, by name. */
function alarmsBehind(json: SynthesizedStack, check: Body): string[] {
  if (check.type === "CLOUDWATCH_METRIC") return [alarmNameOf(json, check)];
  return [...new Set((check.child_healthchecks as string[]).flatMap((child) => alarmsBehind(json, resolve(json, child))))];
}

/** Every OK/ALARM combination of `alarms`. */
function everyState(alarms: readonly string[]): Map<string, boolean>[] {
  return Array.from({ length: 2 ** alarms.length }, (_, bits) => new Map(alarms.map((alarm, index) => [alarm, ((bits >> index) & 1) === 1])));
}

const fenceOf = (json: SynthesizedStack) => listOf(json, "aws_cloudwatch_metric_alarm").filter((alarm) => alarm.alarm_name === fenceName);

describe("warm standby: records and health", () => {
  const { home: primary, standby } = stacks.standby;

  it("the home primary answers PRIMARY while its ALB has a healthy target AND the standby's fence is down, in every combination of alarm states", () => {
    const record = apiRecord(primary);
    expect(record.failover_routing_policy).toEqual({ type: "PRIMARY" });
    const check = resolve(primary, record.health_check_id);
    const alarms = alarmsBehind(primary, check);
    const own = alarms.filter((alarm) => alarm !== fenceName);
    expect(alarms).toContain(fenceName);
    expect(own.length).toBeGreaterThan(0);
    for (const state of everyState(alarms)) {
      const expected = state.get(fenceName) === true && own.some((alarm) => state.get(alarm));
      expect(healthy(primary, check, state)).toBe(expected);
    }
  });

  it("reads the fence by name in the standby region (no cross-stack reference), keeping its last state if that region's CloudWatch is unreachable", () => {
    const fenceChecks = listOf(primary, "aws_route53_health_check").filter((check) => check.cloudwatch_alarm_name === fenceName);
    expect(fenceChecks.length).toBeGreaterThan(0);
    for (const check of fenceChecks) {
      expect(check).toMatchObject({ type: "CLOUDWATCH_METRIC", cloudwatch_alarm_region: standbyRegion, insufficient_data_health_status: "LastKnownStatus" });
    }
    expect(fenceOf(primary)).toEqual([]);
  });

  it("the standby answers SECONDARY on its own HealthyHostCount alarm; its fence is declared there and down (missing data = OK)", () => {
    const record = apiRecord(standby);
    expect(record).toMatchObject({ failover_routing_policy: { type: "SECONDARY" }, set_identifier: standbyRegion, alias: { evaluate_target_health: true } });
    const check = resolve(standby, record.health_check_id);
    expect(alarmsBehind(standby, check)).not.toContain(fenceName);
    expect(fenceOf(standby)).toEqual([expect.objectContaining({ treat_missing_data: "notBreaching", comparison_operator: "GreaterThanOrEqualToThreshold" })]);
  });

  it("counts a region whose HealthyHostCount stops reporting as unhealthy", () => {
    for (const json of [primary, standby]) {
      const own = listOf(json, "aws_cloudwatch_metric_alarm").filter((alarm) => alarm.metric_name === "HealthyHostCount" && alarm.alarm_name !== fenceName);
      const readByRoute53 = new Set(listOf(json, "aws_route53_health_check").filter((check) => check.type === "CLOUDWATCH_METRIC").map((check) => alarmNameOf(json, check)));
      const regional = own.filter((alarm) => readByRoute53.has(String(alarm.alarm_name)));
      expect(regional.length).toBeGreaterThan(0);
      for (const alarm of regional) expect(alarm).toMatchObject({ treat_missing_data: "breaching", namespace: "AWS/ApplicationELB", statistic: "Minimum" });
    }
  });
});

describe("failover: one setting, no Route 53 or IAM change", () => {
  it("puts the fence up in the standby's stack (missing data = ALARM), so the home primary's record turns unhealthy and DNS answers SECONDARY", () => {
    expect(fenceOf(stacks.failover.standby)).toEqual([expect.objectContaining({ treat_missing_data: "breaching" })]);
    const record = apiRecord(stacks.failover.home);
    const check = resolve(stacks.failover.home, record.health_check_id);
    const allOk = new Map(alarmsBehind(stacks.failover.home, check).map((alarm) => [alarm, alarm !== fenceName]));
    // Even with every target of the old primary healthy again: no split brain.
    expect(healthy(stacks.failover.home, check, allOk)).toBe(false);
  });

  it("leaves the home primary's stack exactly as it was: an apply there after it returns changes nothing", () => {
    expect(stacks.failover.home).toEqual(stacks.standby.home);
    expect(disasterRecoveryOf(failoverConfig, home).fenced).toBe(true);
  });

  it("changes no aws_route53_* and no aws_iam_* resource in the standby's stack between the two modes", () => {
    for (const prefix of ["aws_route53_", "aws_iam_"]) {
      const of = (json: SynthesizedStack) => allResources(json).filter(([type]) => type.startsWith(prefix));
      expect(of(stacks.failover.standby)).toEqual(of(stacks.standby.standby));
    }
  });
});

describe("active-active: the same code, latency records", () => {
  it("both regions answer by latency, each on its own health; the home primary still reads the fence", () => {
    for (const [region, json] of [
      [home, stacks.activeActive.home],
      [standbyRegion, stacks.activeActive.standby],
    ] as const) {
      const record = apiRecord(json);
      expect(record).toMatchObject({ set_identifier: region, latency_routing_policy: { region } });
      expect(record.failover_routing_policy).toBeUndefined();
    }
    expect(alarmsBehind(stacks.activeActive.home, resolve(stacks.activeActive.home, apiRecord(stacks.activeActive.home).health_check_id))).toContain(fenceName);
  });

  it("differs from warm standby in the records' routing policy only, as far as Route 53 is concerned", () => {
    for (const side of ["home", "standby"] as const) {
      const checks = (json: SynthesizedStack) => listOf(json, "aws_route53_health_check");
      expect(checks(stacks.activeActive[side])).toEqual(checks(stacks.standby[side]));
      const { failover_routing_policy: warm, ...warmRest } = apiRecord(stacks.standby[side]);
      const { latency_routing_policy: latency, ...latencyRest } = apiRecord(stacks.activeActive[side]);
      expect(warm).toBeDefined();
      expect(latency).toBeDefined();
      expect(latencyRest).toEqual(warmRest);
    }
  });
});

describe("edge: only CloudFront reaches the ALB, and it must say the secret", () => {
  const regionalStacks = stackNames().filter((name) => /^lma-[a-z]+-[a-z]+-[a-z]+-\d$/.test(name));

  it.each(regionalStacks)("%s: the ALB admits only the region's CloudFront origin-facing prefix list, on 443", (name) => {
    const json = stackJson(name);
    const environment = ENVIRONMENTS[name.split("-")[1] as keyof typeof ENVIRONMENTS];
    const region = environment.regions.find((candidate) => name === `lma-${environment.name}-${candidate.region}`)!;
    const albGroup = Object.entries(json.resource.aws_security_group ?? {}).find(([, group]) => String(group.name).endsWith("-alb"))![0];
    const ingress = listOf(json, "aws_vpc_security_group_ingress_rule");
    const albIngress = ingress.filter((rule) => rule.security_group_id === `\${aws_security_group.${albGroup}.id}`);
    expect(albIngress).toEqual([expect.objectContaining({ prefix_list_id: expect.stringMatching(/^pl-/), from_port: 443, to_port: 443, ip_protocol: "tcp" })]);
    expect(albIngress[0]!.prefix_list_id).toBe(region.cloudfrontOriginPrefixListId);
    expect(ingress.filter((rule) => rule.cidr_ipv4 === "0.0.0.0/0" || rule.cidr_ipv6 === "::/0")).toEqual([]);
  });

  it.each(regionalStacks)("%s: the header value is a sensitive variable without default, never a literal", (name) => {
    const json = stackJson(name) as SynthesizedStack & { variable?: Record<string, Body> };
    const variable = json.variable?.[ORIGIN_VERIFY_VARIABLE];
    expect(variable).toMatchObject({ type: "string", sensitive: true, nullable: false });
    expect(variable).not.toHaveProperty("default");
    // ALB header conditions are case-insensitive and read * and ? as wildcards: Terraform refuses such values.
    expect(variable!.validation).toEqual([expect.objectContaining({ condition: expect.stringContaining("^[A-Za-z0-9]{32,128}$") })]);
    const acl = listOf(json, "aws_wafv2_web_acl").find((candidate) => candidate.scope === "REGIONAL")!;
    const required = (acl.rule as Body[]).find((rule) => rule.statement?.not_statement)!;
    expect(required.action).toEqual({ block: {} });
    expect(required.statement.not_statement.statement.byte_match_statement).toMatchObject({
      field_to_match: { single_header: { name: ORIGIN_VERIFY_HEADER.toLowerCase() } },
      positional_constraint: "EXACTLY",
      search_string: variableReference,
    });
    for (const distribution of listOf(json, "aws_cloudfront_distribution")) {
      const api = (distribution.origin as Body[]).find((origin) => origin.custom_origin_config);
      expect(api!.custom_header).toEqual([{ name: ORIGIN_VERIFY_HEADER, value: variableReference }]);
    }
  });

  it.each(regionalStacks)("%s: the regional rate limit counts the client CloudFront forwards; the CloudFront one the source address", (name) => {
    const json = stackJson(name);
    for (const acl of listOf(json, "aws_wafv2_web_acl")) {
      const rate = (acl.rule as Body[]).find((rule) => rule.statement?.rate_based_statement)!.statement.rate_based_statement;
      if (acl.scope === "REGIONAL") {
        expect(rate).toMatchObject({ aggregate_key_type: "FORWARDED_IP", forwarded_ip_config: { header_name: FORWARDED_CLIENT_HEADER, fallback_behavior: "MATCH" } });
      } else {
        expect(rate).toMatchObject({ aggregate_key_type: "IP" });
        expect(rate.forwarded_ip_config).toBeUndefined();
      }
    }
  });
});
