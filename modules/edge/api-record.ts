import { Route53HealthCheck } from "@cdktf/provider-aws/lib/route53-health-check";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Construct } from "constructs";
import { tagComponent } from "../../lib/tags";

/**
 * How the API name answers: `simple` (one region), `failover` (this region's record is the
 * PRIMARY or the SECONDARY answer) or `latency` (active-active: the nearest healthy region).
 */
export type ApiRouting =
  | { readonly type: "simple" }
  | { readonly type: "failover"; readonly role: "PRIMARY" | "SECONDARY" }
  | { readonly type: "latency" };

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
  /**
   * Path the Route 53 health check requests over HTTPS on this region's ALB.
   * @default "/health"
   */
  readonly healthCheckPath?: string;
  /**
   * Seconds between checks from each checker region (10 costs more and fails over sooner).
   * @default 30
   */
  readonly healthCheckIntervalSeconds?: 10 | 30;
  /**
   * Consecutive failures before the region counts as unhealthy.
   * @default 3 (with 30 s: about 90 s to fail over, well inside the 15-minute RTO)
   */
  readonly healthCheckFailureThreshold?: number;
}

/**
 * This region's record of the API name. Every regional stack owns its own record (with its own
 * set identifier) and its own health check, so no stack reads another's state and the standby
 * can change its record while the primary region is down. Under `failover` and `latency` a
 * health check on `GET /health` decides whether Route 53 answers with this region.
 */
export class ApiRecord extends Construct {
  readonly record: Route53Record;
  readonly healthCheck?: Route53HealthCheck;

  constructor(scope: Construct, id: string, props: ApiRecordProps) {
    super(scope, id);
    tagComponent(this, "edge");
    const { routing } = props;
    if (routing.type !== "simple") {
      this.healthCheck = new Route53HealthCheck(this, "health-check", {
        type: "HTTPS",
        fqdn: props.loadBalancer.dnsName,
        port: 443,
        resourcePath: props.healthCheckPath ?? "/health",
        requestInterval: props.healthCheckIntervalSeconds ?? 30,
        failureThreshold: props.healthCheckFailureThreshold ?? 3,
        enableSni: true,
        measureLatency: routing.type === "latency",
        tags: { Name: `${props.name} ${props.region}` },
      });
    }
    this.record = new Route53Record(this, "record", {
      zoneId: props.hostedZoneId,
      name: props.name,
      type: "A",
      alias: { name: props.loadBalancer.dnsName, zoneId: props.loadBalancer.zoneId, evaluateTargetHealth: true },
      ...(routing.type === "simple"
        ? {}
        : {
            setIdentifier: props.region,
            healthCheckId: this.healthCheck?.id,
            ...(routing.type === "failover"
              ? { failoverRoutingPolicy: { type: routing.role } }
              : { latencyRoutingPolicy: { region: props.region } }),
          }),
    });
  }
}
