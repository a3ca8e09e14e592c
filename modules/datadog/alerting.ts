import { Monitor } from "@cdktf/provider-datadog/lib/monitor";
import { Construct } from "constructs";

/** Alert tiers: critical pages through PagerDuty, high and medium go to Slack, low to email. */
export type Severity = "critical" | "high" | "medium" | "low";
export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low"];

/** Where each severity is delivered; every handle must resolve to a resource of the same stack. */
export interface AlertRouting {
  /** PagerDuty service object name (`@pagerduty-<name>`) per platform tier. */
  readonly pagerDutyServices: Readonly<Record<string, string>>;
  /** The Slack workspace's account name in Datadog's Slack integration. */
  readonly slackAccount: string;
  /** Channel names without `#`. */
  readonly slackChannels: { readonly high: string; readonly medium: string };
  readonly lowSeverityEmail: string;
}

/** The Datadog handle an alert of `severity` on `tier` notifies. */
export function notificationHandle(routing: AlertRouting, severity: Severity, tier: string): string {
  switch (severity) {
    case "critical": {
      const service = routing.pagerDutyServices[tier];
      if (!service) throw new Error(`no PagerDuty service for tier "${tier}"`);
      return `@pagerduty-${service}`;
    }
    case "high":
    case "medium":
      return `@slack-${routing.slackAccount}-${routing.slackChannels[severity]}`;
    case "low":
      return `@${routing.lowSeverityEmail}`;
  }
}

/** Priority, renotification and message of a monitor of `severity` routed to `tier`. */
export function severitySettings(routing: AlertRouting, severity: Severity, tier: string, text: { description: string; runbookUrl: string }) {
  const renotifyInterval = RENOTIFY_MINUTES[severity];
  return {
    priority: PRIORITY[severity],
    renotifyInterval,
    // The handle sits outside conditional blocks so recoveries resolve the PagerDuty incident too.
    message: [text.description, `Runbook: ${text.runbookUrl}`, notificationHandle(routing, severity, tier)].join("\n\n"),
  };
}

/** Monitor priority (1 highest) per severity. */
const PRIORITY: Record<Severity, string> = { critical: "1", high: "2", medium: "3", low: "4" };
/**
 * Minutes between re-notifications while an alert stays open: pages repeat until someone acts,
 * Slack reminders are slower, medium and low notify once. Values from the UI's menu.
 */
const RENOTIFY_MINUTES: Record<Severity, number | undefined> = { critical: 30, high: 120, medium: undefined, low: undefined };

export type Comparator = ">" | ">=" | "<" | "<=";

/** Numbers as Datadog expects them in queries and thresholds: plain decimals, never exponents. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`threshold ${value} is not finite`);
  const text = String(value);
  return /e/i.test(text) ? value.toFixed(6).replace(/\.?0+$/, "") : text;
}

/** `avg:aws.ecs.service.cpuutilization{environment:production,servicename:lma-production-loan}`. */
export function metric(
  spaceAggregation: "avg" | "sum" | "min" | "max",
  name: string,
  filters: Readonly<Record<string, string>>,
  options: { asCount?: boolean } = {},
): string {
  const scope = Object.entries(filters)
    .map(([key, value]) => `${key}:${value}`)
    .join(",");
  return `${spaceAggregation}:${name}{${scope}}${options.asCount ? ".as_count()" : ""}`;
}

/** A metric condition: one threshold number feeds both the query and `monitor_thresholds`. */
export interface MetricCondition {
  readonly timeAggregation: "avg" | "sum" | "min" | "max";
  /** `last_10m`, `last_1h`, `last_1d`… */
  readonly window: string;
  /** A metric (from `metric()`) or arithmetic over several. */
  readonly expression: string;
  readonly comparator: Comparator;
  readonly critical: number;
  /** On the OK side of `critical`. */
  readonly warning?: number;
}

/** Whether `value` lies on the OK side of `threshold`, where an alert of `comparator` does not fire. */
export function onOkSide(comparator: Comparator, value: number, threshold: number): boolean {
  return comparator === ">" || comparator === ">=" ? value < threshold : value > threshold;
}

/**
 * Datadog's API refuses a monitor whose `critical` differs from the number in its query, and a
 * `warning` that is not on the OK side of `critical`; both surface only at apply, so the builders
 * refuse them at synthesis. `query` ends in `<comparator> <number>`, as metric and SLO queries do.
 */
export function checkThresholds(name: string, query: string, thresholds: { readonly critical: string; readonly warning?: string }): void {
  const match = /(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(query);
  if (!match) throw new Error(`monitor "${name}": the query does not end in a comparison with a number: ${query}`);
  const comparator = match[1] as Comparator;
  const inQuery = Number(match[2]);
  const critical = Number(thresholds.critical);
  if (critical !== inQuery) throw new Error(`monitor "${name}": monitor_thresholds.critical ${thresholds.critical} differs from the query's ${match[2]}`);
  if (thresholds.warning !== undefined && !onOkSide(comparator, Number(thresholds.warning), critical)) {
    throw new Error(`monitor "${name}": warning ${thresholds.warning} must be on the OK side of critical (${comparator} ${thresholds.critical})`);
  }
}

export function conditionQuery(condition: MetricCondition): string {
  return `${condition.timeAggregation}(${condition.window}):${condition.expression} ${condition.comparator} ${formatNumber(condition.critical)}`;
}

/** Minutes in a `last_<n><unit>` window. */
export function windowMinutes(window: string): number {
  const match = /^last_(\d+)([mhdw])$/.exec(window);
  if (!match) throw new Error(`unsupported monitor window "${window}"`);
  const unit = { m: 1, h: 60, d: 1440, w: 10080 }[match[2] as "m" | "h" | "d" | "w"];
  return Number(match[1]) * unit;
}

export interface AlertMonitorProps {
  readonly routing: AlertRouting;
  readonly name: string;
  readonly severity: Severity;
  /** PagerDuty tier whose service a critical alert pages. */
  readonly tier: string;
  readonly condition: MetricCondition;
  /** What the alert means and the first thing to check. */
  readonly description: string;
  readonly runbookUrl: string;
  /** Tags besides severity and tier, e.g. `{ environment: "production", service: "loan" }`. */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * `notify`: silence is itself a failure (a service that reports nothing is down).
   * `ignore`: missing data is normal (sparse counts, idle queues).
   */
  readonly noData: "notify" | "ignore";
  /**
   * Seconds Datadog waits before evaluating: CloudWatch metrics reach Datadog 10–20 minutes late
   * through the AWS integration's crawler.
   * @default 900
   */
  readonly evaluationDelaySeconds?: number;
  /**
   * Counts with gaps (5xx, evictions) must not wait for a full window of points.
   * @default true
   */
  readonly requireFullWindow?: boolean;
}

/**
 * One Datadog metric monitor whose query and thresholds come from the same numbers, whose
 * severity is in its tags, priority and notification handle, and whose renotification and
 * no-data behaviour follow its severity and `noData`.
 */
export class AlertMonitor extends Construct {
  readonly monitor: Monitor;
  readonly severity: Severity;

  constructor(scope: Construct, id: string, props: AlertMonitorProps) {
    super(scope, id);
    const { condition, severity } = props;
    this.severity = severity;
    const { priority, renotifyInterval: renotify, message } = severitySettings(props.routing, severity, props.tier, props);
    const notifyNoData = props.noData === "notify";
    const name = `[${severity}] ${props.name}`;
    const query = conditionQuery(condition);
    const monitorThresholds = {
      critical: formatNumber(condition.critical),
      warning: condition.warning === undefined ? undefined : formatNumber(condition.warning),
    };
    checkThresholds(name, query, monitorThresholds);
    this.monitor = new Monitor(this, "monitor", {
      name,
      type: "query alert",
      query,
      message,
      monitorThresholds,
      priority,
      tags: tagList({ ...props.tags, severity, tier: props.tier }),
      notifyNoData,
      // Without an explicit value the provider sends 10 minutes, shorter than most windows here.
      noDataTimeframe: notifyNoData ? 2 * windowMinutes(condition.window) : undefined,
      renotifyInterval: renotify,
      renotifyStatuses: renotify ? (notifyNoData ? ["alert", "no data"] : ["alert"]) : undefined,
      evaluationDelay: props.evaluationDelaySeconds ?? 900,
      requireFullWindow: props.requireFullWindow ?? true,
      newGroupDelay: 300,
      includeTags: true,
    });
  }
}

/** `{ a: "b" }` → `["a:b"]`, sorted so plans do not churn. */
export function tagList(tags: Readonly<Record<string, string>>): string[] {
  return Object.entries(tags)
    .map(([key, value]) => `${key}:${value}`)
    .sort();
}
