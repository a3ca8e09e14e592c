import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingScheduledAction } from "@cdktf/provider-aws/lib/appautoscaling-scheduled-action";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmMetricQuery } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";

/** A CloudWatch metric whose value is the number of messages waiting for a service. */
export interface QueueDepthMetric {
  /** CloudWatch namespace, e.g. `AWS/AmazonMQ`. */
  readonly namespace: string;
  /** e.g. `MessageCount`. */
  readonly metricName: string;
  /** The metric's dimensions, e.g. Broker, VirtualHost, Queue. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** @default "Maximum" (the worst minute of a queue is what workers must absorb) */
  readonly statistic?: string;
}

/**
 * Messages ready in a RabbitMQ queue of an Amazon MQ broker (`AWS/AmazonMQ` `MessageCount`,
 * dimensions Broker, VirtualHost, Queue). For a cluster deployment, `broker` is the broker name.
 */
export function amazonMqQueueDepth(broker: string, queue: string, virtualHost = "/"): QueueDepthMetric {
  return { namespace: "AWS/AmazonMQ", metricName: "MessageCount", dimensions: { Broker: broker, VirtualHost: virtualHost, Queue: queue } };
}

/** Visible messages of an SQS queue, should a service consume from SQS instead. */
export function sqsQueueDepth(queueName: string): QueueDepthMetric {
  return { namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: queueName } };
}

/** Scale a service to zero outside working hours and back (cron expressions in UTC). */
export interface OffHoursSchedule {
  /** When the service scales to zero, e.g. `cron(0 20 ? * MON-FRI *)`. */
  readonly scaleDown: string;
  /** When the service returns to its own capacity. */
  readonly scaleUp: string;
}

/** One trigger of the scaling table: out above a threshold held some minutes, in below a lower one held longer. */
export interface ScalingTrigger {
  readonly scaleOutAbove: number;
  readonly scaleOutMinutes: number;
  readonly scaleInBelow: number;
  readonly scaleInMinutes: number;
}

/** The platform's scaling table (the configuration's `SCALING_TABLE`, or an environment's `compute.scaling`). */
export interface ScalingTable {
  /** Average CPU of the service's tasks, percent. */
  readonly cpuPercent: ScalingTrigger;
  /** ALB requests per running task per second. */
  readonly requestsPerTaskPerSecond: ScalingTrigger;
  /** How long a queue's depth per task must hold (its thresholds are the service's own). */
  readonly queue: { readonly scaleOutMinutes: number; readonly scaleInMinutes: number };
  /** Seconds after a scaling activity before the next one in the same direction. */
  readonly cooldownSeconds: { readonly scaleOut: number; readonly scaleIn: number };
}

export interface ServiceAutoscalingProps {
  /** `lma-<env>-<service>`: used in policy and alarm names. */
  readonly serviceName: string;
  /** Resource attributes (not literals), so the target waits for the cluster and the service. */
  readonly clusterName: string;
  /** The ECS service's `name` attribute. */
  readonly ecsServiceName: string;
  /** Fewest tasks autoscaling may run (the service's `autoscaling.min`, or the region's fixed count). */
  readonly minCapacity: number;
  /** Most tasks autoscaling may run (the service's `autoscaling.max`). */
  readonly maxCapacity: number;
  /** Thresholds, durations and cooldowns. */
  readonly scaling: ScalingTable;
  /** The ALB's `arn_suffix` and the service's target groups' (two under blue/green). */
  readonly loadBalancerArnSuffix: string;
  /** `arn_suffix` of each target group, in order (blue first). */
  readonly targetGroupArnSuffixes: readonly string[];
  /**
   * Queue depth per running task: out above `scaleOutAbove`, in below `scaleInBelow` (the
   * service's `queueMessagesPerTask` and `queueScaleInMessagesPerTask`).
   * @default no queue scaling
   */
  readonly queueDepth?: { readonly metric: QueueDepthMetric; readonly scaleOutAbove: number; readonly scaleInBelow: number };
  /** Scale to zero outside working hours and back (dev). @default always on */
  readonly offHours?: OffHoursSchedule;
}

/** The scale-out and scale-in policies of one trigger, each with the alarm that invokes it. */
export interface ScalingTriggerResources {
  readonly scaleOutPolicy: AppautoscalingPolicy;
  readonly scaleOutAlarm: CloudwatchMetricAlarm;
  readonly scaleInPolicy: AppautoscalingPolicy;
  readonly scaleInAlarm: CloudwatchMetricAlarm;
}

/** CloudWatch evaluates the scaling alarms every minute, so "for N minutes" is N one-minute periods. */
const PERIOD_SECONDS = 60;

/**
 * Application Auto Scaling for one ECS service, exactly as the scaling table reads: per trigger
 * (CPU, ALB requests per task, and queue depth per task where the service has one) a step-scaling
 * policy out, invoked by an alarm above the out threshold for its minutes, and one in, invoked by
 * an alarm below the in threshold for its (longer) minutes. Target tracking cannot express this:
 * it derives its scale-in alarm from the same target (at 90 % of it, after 15 minutes), so "in
 * below 30 %" against "out above 70 %" needs explicit alarms. When one trigger asks for more
 * tasks and another for fewer at the same time, Application Auto Scaling applies the policy that
 * gives the larger capacity, so scale-out wins.
 *
 * Scale-out steps grow with the excess over the threshold: +1 task, +2 above 125 % of it, +3 above
 * 150 %; scale-in removes one task per cooldown.
 *
 * ALB requests: `RequestCountPerTarget` is a per-minute Sum (the average requests each target
 * received in the minute); the alarms divide it by 60 and add both target groups under
 * blue/green (missing data as 0), because the service's traffic sits on either.
 */
export class ServiceAutoscaling extends Construct {
  readonly target: AppautoscalingTarget;
  readonly cpu: ScalingTriggerResources;
  readonly requests: ScalingTriggerResources;
  readonly queue?: ScalingTriggerResources;
  readonly scheduledActions: readonly AppautoscalingScheduledAction[];
  private readonly props: ServiceAutoscalingProps;

  constructor(scope: Construct, id: string, props: ServiceAutoscalingProps) {
    super(scope, id);
    this.props = props;
    const { scaling } = props;
    this.target = new AppautoscalingTarget(this, "target", {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: `service/${props.clusterName}/${props.ecsServiceName}`,
      minCapacity: props.minCapacity,
      maxCapacity: props.maxCapacity,
    });

    this.cpu = this.trigger("cpu", "average CPU, %", scaling.cpuPercent, "Average", [
      {
        id: "cpu",
        returnData: true,
        metric: {
          namespace: "AWS/ECS",
          metricName: "CPUUtilization",
          dimensions: { ClusterName: props.clusterName, ServiceName: props.ecsServiceName },
          stat: "Average",
          period: PERIOD_SECONDS,
        },
      },
    ]);

    if (props.targetGroupArnSuffixes.length === 0) throw new Error(`${props.serviceName}: autoscaling needs the service's target group`);
    this.requests = this.trigger("requests", "ALB requests per task per second", scaling.requestsPerTaskPerSecond, "Average", [
      ...props.targetGroupArnSuffixes.map((targetGroup, index) => ({
        id: `tg${index}`,
        returnData: false,
        metric: {
          namespace: "AWS/ApplicationELB",
          metricName: "RequestCountPerTarget",
          dimensions: { TargetGroup: targetGroup },
          stat: "Sum",
          period: PERIOD_SECONDS,
        },
      })),
      {
        id: "requests_per_task_per_second",
        label: "Requests per task per second, all target groups",
        expression: `(${props.targetGroupArnSuffixes.map((_, index) => `FILL(tg${index}, 0)`).join(" + ")}) / ${PERIOD_SECONDS}`,
        returnData: true,
      },
    ]);

    if (props.queueDepth) {
      const { metric, scaleOutAbove, scaleInBelow } = props.queueDepth;
      const trigger = { scaleOutAbove, scaleInBelow, scaleOutMinutes: scaling.queue.scaleOutMinutes, scaleInMinutes: scaling.queue.scaleInMinutes };
      this.queue = this.trigger("queue-depth", "queued messages per running task", trigger, "Maximum", [
        {
          id: "messages",
          returnData: false,
          metric: {
            namespace: metric.namespace,
            metricName: metric.metricName,
            dimensions: { ...metric.dimensions },
            stat: metric.statistic ?? "Maximum",
            period: PERIOD_SECONDS,
          },
        },
        {
          id: "running",
          returnData: false,
          metric: {
            namespace: "ECS/ContainerInsights",
            metricName: "RunningTaskCount",
            dimensions: { ClusterName: props.clusterName, ServiceName: props.ecsServiceName },
            stat: "Average",
            period: PERIOD_SECONDS,
          },
        },
        {
          id: "messages_per_task",
          label: "Queued messages per running task",
          // With no task running, the whole backlog counts against one task, so it scales out.
          expression: "FILL(messages, 0) / IF(FILL(running, 0) < 1, 1, FILL(running, 0))",
          returnData: true,
        },
      ]);
    }

    const onTarget = this.onTarget();
    this.scheduledActions = props.offHours
      ? [
          new AppautoscalingScheduledAction(this, "off-hours-scale-down", {
            name: `${props.serviceName}-off-hours-scale-down`,
            ...onTarget,
            schedule: props.offHours.scaleDown,
            timezone: "UTC",
            scalableTargetAction: { minCapacity: "0", maxCapacity: "0" },
          }),
          new AppautoscalingScheduledAction(this, "off-hours-scale-up", {
            name: `${props.serviceName}-off-hours-scale-up`,
            ...onTarget,
            schedule: props.offHours.scaleUp,
            timezone: "UTC",
            scalableTargetAction: { minCapacity: String(props.minCapacity), maxCapacity: String(props.maxCapacity) },
          }),
        ]
      : [];
  }

  /** Every scaling alarm of the service (out and in, per trigger). */
  get alarms(): CloudwatchMetricAlarm[] {
    return [this.cpu, this.requests, ...(this.queue ? [this.queue] : [])].flatMap((trigger) => [trigger.scaleOutAlarm, trigger.scaleInAlarm]);
  }

  private onTarget() {
    return {
      serviceNamespace: this.target.serviceNamespace,
      scalableDimension: this.target.scalableDimension,
      resourceId: this.target.resourceId,
    };
  }

  /** The out and in policies of one trigger and their alarms on `metricQuery` (one query returns the data). */
  private trigger(
    name: string,
    what: string,
    trigger: ScalingTrigger,
    aggregation: "Average" | "Maximum",
    metricQuery: CloudwatchMetricAlarmMetricQuery[],
  ): ScalingTriggerResources {
    const { serviceName, scaling } = this.props;
    const out = trigger.scaleOutAbove;
    const scaleOutPolicy = new AppautoscalingPolicy(this, `${name}-scale-out`, {
      name: `${serviceName}-${name}-scale-out`,
      policyType: "StepScaling",
      ...this.onTarget(),
      stepScalingPolicyConfiguration: {
        adjustmentType: "ChangeInCapacity",
        cooldown: scaling.cooldownSeconds.scaleOut,
        metricAggregationType: aggregation,
        // Bounds are relative to the alarm threshold.
        stepAdjustment: [
          { metricIntervalLowerBound: "0", metricIntervalUpperBound: String(out / 4), scalingAdjustment: 1 },
          { metricIntervalLowerBound: String(out / 4), metricIntervalUpperBound: String(out / 2), scalingAdjustment: 2 },
          { metricIntervalLowerBound: String(out / 2), scalingAdjustment: 3 },
        ],
      },
    });
    const scaleInPolicy = new AppautoscalingPolicy(this, `${name}-scale-in`, {
      name: `${serviceName}-${name}-scale-in`,
      policyType: "StepScaling",
      ...this.onTarget(),
      stepScalingPolicyConfiguration: {
        adjustmentType: "ChangeInCapacity",
        cooldown: scaling.cooldownSeconds.scaleIn,
        metricAggregationType: aggregation,
        stepAdjustment: [{ metricIntervalUpperBound: "0", scalingAdjustment: -1 }],
      },
    });
    const alarm = (direction: "high" | "low", threshold: number, minutes: number, policy: AppautoscalingPolicy) =>
      new CloudwatchMetricAlarm(this, `${name}-${direction}`, {
        alarmName: `${serviceName}-${name}-${direction}`,
        alarmDescription: `Scale ${direction === "high" ? "out" : "in"}: ${what} ${direction === "high" ? "above" : "below"} ${threshold} for ${minutes} minutes`,
        comparisonOperator: direction === "high" ? "GreaterThanThreshold" : "LessThanThreshold",
        threshold,
        evaluationPeriods: minutes,
        datapointsToAlarm: minutes,
        // No data (no traffic, no tasks) is no reason to add tasks, and no proof there is nothing to do.
        treatMissingData: direction === "high" ? "notBreaching" : "missing",
        alarmActions: [policy.arn],
        metricQuery,
      });
    return {
      scaleOutPolicy,
      scaleOutAlarm: alarm("high", out, trigger.scaleOutMinutes, scaleOutPolicy),
      scaleInPolicy,
      scaleInAlarm: alarm("low", trigger.scaleInBelow, trigger.scaleInMinutes, scaleInPolicy),
    };
  }
}
