import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Route53HealthCheck } from "@cdktf/provider-aws/lib/route53-health-check";
import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";
import { tagComponent } from "../../lib/tags";

/**
 * Route 53 accepts only single-metric alarms (no metric math) at standard resolution, and reads
 * an alarm by name and region: everything below is one metric per alarm.
 */
const PERIOD_SECONDS = 60;

export interface RegionHealthProps {
  /** The environment's naming in this region: alarms are `lma-<env>-<short>-region-health…`. */
  readonly naming: Naming;
  /** `app/<name>/<id>` of the region's ALB. */
  readonly loadBalancerArnSuffix: string;
  /**
   * The target groups of the service that answers the region's `/health`: one, or two under
   * blue/green (CodeDeploy moves the live task set between them, so either may hold it).
   */
  readonly targetGroupArnSuffixes: readonly string[];
  /**
   * Minutes without a healthy target before the region counts as unhealthy.
   * @default 3 (with Route 53's own reading, about 4 minutes to fail over, inside the 15-minute RTO)
   */
  readonly unhealthyMinutes?: number;
}

/**
 * Whether a region serves: one CloudWatch alarm per target group on the ALB's `HealthyHostCount`
 * (below 1 = ALARM; no data = ALARM, so a region whose metrics stop is unhealthy), each watched by
 * a Route 53 CLOUDWATCH_METRIC health check. Route 53's checkers cannot request `/health` on an ALB
 * that admits only CloudFront; reading an alarm is their data plane and needs no path to the ALB.
 */
export class RegionHealth extends Construct {
  readonly alarms: readonly CloudwatchMetricAlarm[];
  /** One per target group: healthy while that group has a healthy target. */
  readonly targetChecks: readonly Route53HealthCheck[];
  private anyHealthy?: string;

  constructor(scope: Construct, id: string, props: RegionHealthProps) {
    super(scope, id);
    tagComponent(this, "edge");
    if (props.targetGroupArnSuffixes.length === 0) throw new Error("RegionHealth needs the target groups of the region's health service");
    const region = props.naming.region;
    const alarms: CloudwatchMetricAlarm[] = [];
    const checks: Route53HealthCheck[] = [];
    props.targetGroupArnSuffixes.forEach((targetGroup, index) => {
      const suffix = index === 0 ? "" : `-${index + 1}`;
      const alarm = new CloudwatchMetricAlarm(this, `healthy-hosts${suffix}`, {
        alarmName: props.naming.globalName(`region-health${suffix}`),
        alarmDescription: `No healthy target in ${region} (target group ${index + 1} of the health service): Route 53 takes the region out of the API's answers`,
        namespace: "AWS/ApplicationELB",
        metricName: "HealthyHostCount",
        dimensions: { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: targetGroup },
        statistic: "Minimum",
        period: PERIOD_SECONDS,
        evaluationPeriods: props.unhealthyMinutes ?? 3,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
      });
      alarms.push(alarm);
      checks.push(
        new Route53HealthCheck(this, `healthy-hosts-check${suffix}`, {
          type: "CLOUDWATCH_METRIC",
          cloudwatchAlarmName: alarm.alarmName,
          cloudwatchAlarmRegion: region,
          // CloudWatch of a failed region may not answer at all: that region is not serving.
          insufficientDataHealthStatus: "Unhealthy",
          tags: { Name: alarm.alarmName },
        }),
      );
    });
    this.alarms = alarms;
    this.targetChecks = checks;
  }

  /** Healthy while any target group has a healthy target: the one check, or a CALCULATED OR of them. */
  get anyHealthyCheckId(): string {
    if (this.targetChecks.length === 1) return this.targetChecks[0]!.id;
    this.anyHealthy ??= new Route53HealthCheck(this, "any-target-group", {
      type: "CALCULATED",
      childHealthchecks: this.targetChecks.map((check) => check.id),
      childHealthThreshold: 1,
      tags: { Name: `${this.alarms[0]!.alarmNameInput} (any target group)` },
    }).id;
    return this.anyHealthy;
  }
}

/** The fence alarm's name: declared in the standby region's stack, read by the primary's health check. */
export function fenceAlarmName(standbyNaming: Naming): string {
  return standbyNaming.globalName("primary-fence");
}

/** Where the fence metric would be published; nobody publishes it, the alarm's state comes from missing data. */
export const FENCE_METRIC = { namespace: "LMA/DisasterRecovery", metricName: "PrimaryFence" } as const;

export interface PrimaryFenceProps {
  /** The standby region's naming (this stack's). */
  readonly naming: Naming;
  /**
   * The standby region holds the writer (`disasterRecovery.activeRegion` names it): the fence is
   * up and the home primary's API record is unhealthy, whatever its own health.
   */
  readonly fenced: boolean;
}

/**
 * The switch that keeps the home primary out of DNS after a failover without any Route 53 or IAM
 * call: a CloudWatch alarm in the standby region over a metric nobody publishes, so its state is
 * decided by `treat_missing_data` alone — `breaching` (ALARM) when the standby is active,
 * `notBreaching` (OK) otherwise. Applying the standby stack flips it (CloudWatch in the standby
 * region); Route 53's health checkers read it and answer with the SECONDARY record, and keep doing
 * so when the old primary comes back, until an operator fails back.
 */
export class PrimaryFence extends Construct {
  readonly alarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: PrimaryFenceProps) {
    super(scope, id);
    tagComponent(this, "edge");
    this.alarm = new CloudwatchMetricAlarm(this, "alarm", {
      alarmName: fenceAlarmName(props.naming),
      alarmDescription:
        "Disaster-recovery fence: ALARM while the standby region holds the writer, which keeps the home primary's API record out of DNS (docs/disaster-recovery.md)",
      namespace: FENCE_METRIC.namespace,
      metricName: FENCE_METRIC.metricName,
      dimensions: { Environment: props.naming.environment },
      statistic: "Maximum",
      period: PERIOD_SECONDS,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: props.fenced ? "breaching" : "notBreaching",
    });
  }
}
