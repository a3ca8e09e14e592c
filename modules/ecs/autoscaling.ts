import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingScheduledAction } from "@cdktf/provider-aws/lib/appautoscaling-scheduled-action";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
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
  /**
   * Average CPU the service is kept at (modules/ecs/README.md, autoscaling: 70 %).
   * @default 70
   */
  readonly cpuTargetPercent?: number;
  /**
   * Requests per second per task the service is kept at (modules/ecs/README.md, autoscaling: 50).
   * @default 50
   */
  readonly requestsPerTaskPerSecond?: number;
  /** The ALB's `arn_suffix` and the service's target groups' (two under blue/green). */
  readonly loadBalancerArnSuffix: string;
  /** `arn_suffix` of each target group, in order (blue first). */
  readonly targetGroupArnSuffixes: readonly string[];
  /** Step scaling on queue depth per running task (the services' `queueMessagesPerTask`, e.g. document 20, notification 30). */
  readonly queueDepth?: { readonly metric: QueueDepthMetric; readonly messagesPerTask: number };
  /**
   * Seconds between scale-outs (out after 3 minutes, modules/ecs/README.md).
   * @default 180
   */
  readonly scaleOutCooldownSeconds?: number;
  /**
   * Seconds between scale-ins (in after 10 minutes, modules/ecs/README.md): slow to give capacity back, against thrashing.
   * @default 600
   */
  readonly scaleInCooldownSeconds?: number;
  /** Scale to zero outside working hours and back (dev). @default always on */
  readonly offHours?: OffHoursSchedule;
}

/**
 * Application Auto Scaling for one ECS service: target tracking on CPU and on ALB requests per
 * task, optional step scaling on queue depth per task, and optional off-hours scheduled actions.
 *
 * ALB request count: `RequestCountPerTarget` is a per-minute Sum (the average requests each target
 * received in the minute), so 50 requests per second per task is a target value of 3000. Under
 * blue/green the service's traffic sits on either target group, so the policy tracks the sum of
 * both groups' per-target counts (metric math, missing data as 0) instead of a predefined metric
 * that would follow one group and go blind after the first deployment.
 */
export class ServiceAutoscaling extends Construct {
  readonly target: AppautoscalingTarget;
  readonly cpuPolicy: AppautoscalingPolicy;
  readonly requestPolicy: AppautoscalingPolicy;
  readonly queuePolicy?: AppautoscalingPolicy;
  readonly queueAlarm?: CloudwatchMetricAlarm;
  readonly scheduledActions: readonly AppautoscalingScheduledAction[];

  constructor(scope: Construct, id: string, props: ServiceAutoscalingProps) {
    super(scope, id);
    const scaleOutCooldown = props.scaleOutCooldownSeconds ?? 180;
    const scaleInCooldown = props.scaleInCooldownSeconds ?? 600;
    this.target = new AppautoscalingTarget(this, "target", {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: `service/${props.clusterName}/${props.ecsServiceName}`,
      minCapacity: props.minCapacity,
      maxCapacity: props.maxCapacity,
    });
    const onTarget = {
      serviceNamespace: this.target.serviceNamespace,
      scalableDimension: this.target.scalableDimension,
      resourceId: this.target.resourceId,
    };

    const cpuTarget = props.cpuTargetPercent ?? 70;
    this.cpuPolicy = new AppautoscalingPolicy(this, "cpu", {
      name: `${props.serviceName}-cpu-${cpuTarget}`,
      policyType: "TargetTrackingScaling",
      ...onTarget,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: cpuTarget,
        scaleOutCooldown,
        scaleInCooldown,
        predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
      },
    });

    const requestsPerMinute = (props.requestsPerTaskPerSecond ?? 50) * 60;
    const [onlyTargetGroup, ...moreTargetGroups] = props.targetGroupArnSuffixes;
    if (!onlyTargetGroup) throw new Error(`${props.serviceName}: autoscaling needs the service's target group`);
    this.requestPolicy = new AppautoscalingPolicy(this, "requests", {
      name: `${props.serviceName}-requests-per-task`,
      policyType: "TargetTrackingScaling",
      ...onTarget,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: requestsPerMinute,
        scaleOutCooldown,
        scaleInCooldown,
        ...(moreTargetGroups.length === 0
          ? {
              predefinedMetricSpecification: {
                predefinedMetricType: "ALBRequestCountPerTarget",
                resourceLabel: `${props.loadBalancerArnSuffix}/${onlyTargetGroup}`,
              },
            }
          : {
              customizedMetricSpecification: {
                metrics: [
                  ...props.targetGroupArnSuffixes.map((targetGroup, index) => ({
                    id: `tg${index}`,
                    returnData: false,
                    metricStat: {
                      stat: "Sum",
                      metric: {
                        namespace: "AWS/ApplicationELB",
                        metricName: "RequestCountPerTarget",
                        dimensions: [{ name: "TargetGroup", value: targetGroup }],
                      },
                    },
                  })),
                  {
                    id: "requests_per_task",
                    label: "Requests per task per minute, both target groups",
                    expression: props.targetGroupArnSuffixes.map((_, index) => `FILL(tg${index}, 0)`).join(" + "),
                    returnData: true,
                  },
                ],
              },
            }),
      },
    });

    if (props.queueDepth) {
      const { metric, messagesPerTask } = props.queueDepth;
      this.queuePolicy = new AppautoscalingPolicy(this, "queue-depth", {
        name: `${props.serviceName}-queue-depth`,
        policyType: "StepScaling",
        ...onTarget,
        stepScalingPolicyConfiguration: {
          adjustmentType: "ChangeInCapacity",
          cooldown: scaleOutCooldown,
          metricAggregationType: "Maximum",
          // Bounds are relative to the alarm threshold: a backlog twice the threshold adds two
          // tasks at once, four times adds three.
          stepAdjustment: [
            { metricIntervalLowerBound: "0", metricIntervalUpperBound: String(messagesPerTask), scalingAdjustment: 1 },
            { metricIntervalLowerBound: String(messagesPerTask), metricIntervalUpperBound: String(3 * messagesPerTask), scalingAdjustment: 2 },
            { metricIntervalLowerBound: String(3 * messagesPerTask), scalingAdjustment: 3 },
          ],
        },
      });
      this.queueAlarm = new CloudwatchMetricAlarm(this, "queue-depth-alarm", {
        alarmName: `${props.serviceName}-queue-depth-per-task`,
        alarmDescription: `Scale out: more than ${messagesPerTask} queued messages per running task for 3 minutes`,
        comparisonOperator: "GreaterThanThreshold",
        threshold: messagesPerTask,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: "notBreaching",
        alarmActions: [this.queuePolicy.arn],
        metricQuery: [
          {
            id: "messages",
            returnData: false,
            metric: {
              namespace: metric.namespace,
              metricName: metric.metricName,
              dimensions: { ...metric.dimensions },
              stat: metric.statistic ?? "Maximum",
              period: 60,
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
              period: 60,
            },
          },
          {
            id: "messages_per_task",
            label: "Queued messages per running task",
            // With no task running, the whole backlog counts against one task, so it scales out.
            expression: "FILL(messages, 0) / IF(FILL(running, 0) < 1, 1, FILL(running, 0))",
            returnData: true,
          },
        ],
      });
    }

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
}
