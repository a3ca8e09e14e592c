import { Route53HealthCheck } from "@cdktf/provider-aws/lib/route53-health-check";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Construct } from "constructs";
import { tagComponent } from "../../lib/tags";
import type { RegionHealth } from "./region-health";

/**
 * How the API name answers: `simple` (one region), `failover` (this region's record is the
 * PRIMARY or the SECONDARY answer) or `latency` (active-active: the nearest healthy region).
 */
export type ApiRouting =
  | { readonly type: "simple" }
  | { readonly type: "failover"; readonly role: "PRIMARY" | "SECONDARY" }
  | { readonly type: "latency" };

/** A CloudWatch alarm in another region whose ALARM state takes this region's record out of DNS. */
export interface FenceAlarm {
  readonly alarmName: string;
  readonly region: string;
}

export interface ApiRecordProps {
  /** The environment's public hosted zone (`dns.hostedZoneId`). */
  readonly hostedZoneId: string;
  /** The API's name, e.g. `api.lma.example.com`. */
  readonly name: string;
  /** This region: the record's set identifier and, for latency routing, its region. */
  readonly region: string;
  /** This region's ALB. */
  readonly loadBalancer: { readonly dnsName: string; readonly zoneId: string };
  /** Simple (one region), failover (this region's role) or latency (active-active). */
  readonly routing: ApiRouting;
  /** Whether the region serves (its alarm-based checks); required for failover and latency routing. */
  readonly health?: RegionHealth;
  /**
   * The home primary's fence (`PrimaryFence` in the standby region's stack, read by name and
   * region): while it is in ALARM this record is unhealthy, whatever the region's own health.
   * @default no fence
   */
  readonly fence?: FenceAlarm;
}

/**
 * This region's record of the API name. Every regional stack owns its own record (with its own
 * set identifier) and its own health checks, so no stack reads another's state. Under `failover`
 * and `latency` the record carries the region's health; with a `fence`, a CALCULATED check that is
 * healthy only while the region is healthy AND the fence is down:
 *
 * Route 53 cannot nest CALCULATED checks reliably, so the condition is flattened into one
 * threshold: the children are the region's target-group checks (n, any one suffices) and n checks
 * of the fence alarm, with threshold n + 1. With the fence down, n fence checks plus at least one
 * healthy target group reach n + 1; with the fence up, at most n children are healthy.
 */
export class ApiRecord extends Construct {
  readonly record: Route53Record;
  /** The check the record carries (absent for simple routing). */
  readonly healthCheckId?: string;
  /** The checks of the fence alarm (only with a fence). */
  readonly fenceChecks: readonly Route53HealthCheck[];

  constructor(scope: Construct, id: string, props: ApiRecordProps) {
    super(scope, id);
    tagComponent(this, "edge");
    const { routing, health, fence } = props;
    const fenceChecks: Route53HealthCheck[] = [];
    if (routing.type !== "simple") {
      if (!health) throw new Error(`${props.name} in ${props.region}: ${routing.type} routing needs the region's health (RegionHealth)`);
      if (fence) {
        const targets = health.targetChecks;
        targets.forEach((_, index) =>
          fenceChecks.push(
            new Route53HealthCheck(this, `fence-check-${index + 1}`, {
              type: "CLOUDWATCH_METRIC",
              cloudwatchAlarmName: fence.alarmName,
              cloudwatchAlarmRegion: fence.region,
              // The fence's region unreachable: keep what it last said (up after a failover, down otherwise).
              insufficientDataHealthStatus: "LastKnownStatus",
              tags: { Name: `${fence.alarmName} (${props.region} record, ${index + 1} of ${targets.length})` },
            }),
          ),
        );
        this.healthCheckId = new Route53HealthCheck(this, "serving", {
          type: "CALCULATED",
          childHealthchecks: [...targets, ...fenceChecks].map((check) => check.id),
          childHealthThreshold: targets.length + 1,
          tags: { Name: `${props.name} ${props.region}: healthy and not fenced` },
        }).id;
      } else {
        this.healthCheckId = health.anyHealthyCheckId;
      }
    }
    this.fenceChecks = fenceChecks;
    this.record = new Route53Record(this, "record", {
      zoneId: props.hostedZoneId,
      name: props.name,
      type: "A",
      // An alias answers with the ALB's own TTL (60 s), so resolvers follow a failover within a minute.
      alias: { name: props.loadBalancer.dnsName, zoneId: props.loadBalancer.zoneId, evaluateTargetHealth: true },
      ...(routing.type === "simple"
        ? {}
        : {
            setIdentifier: props.region,
            healthCheckId: this.healthCheckId,
            ...(routing.type === "failover"
              ? { failoverRoutingPolicy: { type: routing.role } }
              : { latencyRoutingPolicy: { region: props.region } }),
          }),
    });
  }
}
