import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmMetricQuery } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import type { Severity } from "./severity";

export type Comparison =
  | "GreaterThanThreshold"
  | "GreaterThanOrEqualToThreshold"
  | "LessThanThreshold"
  | "LessThanOrEqualToThreshold";

/** One metric of an alarm: a CloudWatch metric, or (with `expression`) math over the others. */
export interface AlarmMetric {
  readonly id: string;
  readonly namespace?: string;
  readonly metricName?: string;
  readonly dimensions?: Readonly<Record<string, string>>;
  /** `Average`, `Sum`, `Maximum`, `Minimum` or a percentile such as `p95`. */
  readonly stat?: string;
  /** Metric math or a Metrics Insights query; the alarm evaluates the one with `returnData`. */
  readonly expression?: string;
  readonly returnData?: boolean;
}

/**
 * What an alarm watches and whom it tells, as data: the catalogue of alarms is computed from the
 * platform's inventory (`platformAlarms`), then `AlarmSet` turns each into `aws_cloudwatch_metric_alarm`.
 */
export interface AlarmDefinition {
  /** Unique within the stack; also the alarm name's suffix. */
  readonly id: string;
  readonly description: string;
  readonly severity: Severity;
  readonly metrics: readonly AlarmMetric[];
  readonly threshold: number;
  readonly comparison: Comparison;
  /** Seconds per datapoint. */
  readonly period: number;
  readonly evaluationPeriods: number;
  /** @default evaluationPeriods (every datapoint in the window must breach) */
  readonly datapointsToAlarm?: number;
  /** Missing data is `notBreaching` unless silence itself is the failure (`breaching`). @default "notBreaching" */
  readonly treatMissingData?: "breaching" | "notBreaching" | "missing" | "ignore";
  /** What the alarm is about, for tags and dashboards: a service, `alb`, `database` … */
  readonly component: string;
}

export interface AlarmSetProps {
  /** Alarm name prefix, e.g. `lma-production-use1`. */
  readonly prefix: string;
  readonly alarms: readonly AlarmDefinition[];
  /** The topic of each severity; alarms notify on ALARM and on OK (so an incident auto-resolves). */
  readonly topicArn: (severity: Severity) => string;
}

/** The CloudWatch alarms of a list of definitions, each wired to its severity's topic. */
export class AlarmSet extends Construct {
  readonly alarms: Readonly<Record<string, CloudwatchMetricAlarm>>;

  constructor(scope: Construct, id: string, props: AlarmSetProps) {
    super(scope, id);
    const alarms: Record<string, CloudwatchMetricAlarm> = {};
    for (const definition of props.alarms) {
      if (alarms[definition.id]) throw new Error(`alarm "${definition.id}" is defined twice`);
      const topic = props.topicArn(definition.severity);
      alarms[definition.id] = new CloudwatchMetricAlarm(this, definition.id, {
        alarmName: `${props.prefix}-${definition.id}`,
        alarmDescription: `[${definition.severity}] ${definition.description}`,
        comparisonOperator: definition.comparison,
        threshold: definition.threshold,
        evaluationPeriods: definition.evaluationPeriods,
        datapointsToAlarm: definition.datapointsToAlarm ?? definition.evaluationPeriods,
        treatMissingData: definition.treatMissingData ?? "notBreaching",
        alarmActions: [topic],
        okActions: [topic],
        tags: { Severity: definition.severity, Component: definition.component },
        ...metricArguments(definition),
      });
    }
    this.alarms = alarms;
  }
}

/** A single plain metric becomes the alarm's own fields; anything else becomes `metric_query` blocks. */
function metricArguments(definition: AlarmDefinition) {
  const [only] = definition.metrics;
  if (definition.metrics.length === 1 && only.metricName && !only.expression) {
    const percentile = /^p\d+(\.\d+)?$/.test(only.stat ?? "");
    return {
      namespace: only.namespace,
      metricName: only.metricName,
      dimensions: only.dimensions ? { ...only.dimensions } : undefined,
      period: definition.period,
      ...(percentile ? { extendedStatistic: only.stat } : { statistic: only.stat ?? "Average" }),
    };
  }
  const returned = definition.metrics.filter((metric) => metric.returnData ?? metric.expression !== undefined);
  if (returned.length !== 1) throw new Error(`alarm "${definition.id}": exactly one metric must return data`);
  const metricQuery: CloudwatchMetricAlarmMetricQuery[] = definition.metrics.map((metric) =>
    metric.expression
      ? { id: metric.id, expression: metric.expression, returnData: metric === returned[0], period: metric.expression.startsWith("SELECT") ? definition.period : undefined }
      : {
          id: metric.id,
          returnData: metric === returned[0],
          metric: {
            namespace: metric.namespace,
            metricName: metric.metricName!,
            dimensions: metric.dimensions ? { ...metric.dimensions } : undefined,
            period: definition.period,
            stat: metric.stat ?? "Average",
          },
        },
  );
  return { metricQuery };
}
