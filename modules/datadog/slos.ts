import { Monitor } from "@cdktf/provider-datadog/lib/monitor";
import { ServiceLevelObjective } from "@cdktf/provider-datadog/lib/service-level-objective";
import { Construct } from "constructs";
import { type AlertRouting, AlertMonitor, type Severity, checkThresholds, formatNumber, metric, severitySettings, tagList } from "./alerting";

/** The platform's service-level objectives, as the stack's configuration states them. */
export interface ServiceLevelTargets {
  /** Requests the load balancer serves without its own 5xx, percent. */
  readonly availabilityPercent: number;
  readonly apiLatency: { readonly p95Ms: number; readonly targetPercent: number };
  readonly errorRate: { readonly maxPercent: number };
  /** Over the application's `lma.database.query.duration` distribution (seconds). */
  readonly databaseQuery: { readonly p95Ms: number; readonly targetPercent: number };
}

/**
 * Multi-window burn-rate alerts for a 30-day SLO (Datadog's table for 30 days, after the SRE
 * workbook): two page on PagerDuty, the slow one opens a Slack ticket.
 */
export const BURN_RATE_WINDOWS: readonly { key: string; long: string; short: string; rate: number; severity: Severity }[] = [
  { key: "fast", long: "1h", short: "5m", rate: 14.4, severity: "critical" },
  { key: "slow", long: "6h", short: "30m", rate: 6, severity: "critical" },
  { key: "ticket", long: "24h", short: "2h", rate: 3, severity: "high" },
];

export const SLO_TIMEFRAME = "30d";

export interface ServiceLevelObjectivesProps {
  readonly environment: string;
  /** ALB name; the `loadbalancer` tag is `app/<name>/<id>`. */
  readonly loadBalancer: string;
  readonly targets: ServiceLevelTargets;
  readonly routing: AlertRouting;
  readonly runbookBaseUrl: string;
}

type SloKey = "availability" | "api-latency" | "error-rate" | "database-query";

/**
 * The four SLOs and, for each, burn-rate monitors that page before the 30-day budget is spent.
 * Availability and error rate count requests (metric SLOs); latency and database query time are
 * judged per 5-minute slice (time-slice SLOs), both kinds accepting burn-rate alerts.
 */
export class ServiceLevelObjectives extends Construct {
  readonly objectives: ReadonlyMap<SloKey, ServiceLevelObjective>;
  readonly burnRateMonitors: readonly Monitor[];

  constructor(scope: Construct, id: string, props: ServiceLevelObjectivesProps) {
    super(scope, id);
    const { environment, targets } = props;
    const balancer = { environment, loadbalancer: `app/${props.loadBalancer}/*` };
    const requests = metric("sum", "aws.applicationelb.request_count", balancer, { asCount: true });
    const tags = (key: SloKey, tier: string) => tagList({ environment, slo: key, tier });
    const errorBudgetTarget = 100 - targets.errorRate.maxPercent;

    const objectives = new Map<SloKey, ServiceLevelObjective>();
    const define = (key: SloKey, tier: string, target: number, body: Pick<ConstructorParameters<typeof ServiceLevelObjective>[2], "type" | "query" | "sliSpecification" | "description">) => {
      const warning = Number((target + (100 - target) / 2).toFixed(3));
      objectives.set(
        key,
        new ServiceLevelObjective(this, key, {
          name: `${environment}: ${key.replace("-", " ")}`,
          ...body,
          thresholds: [{ timeframe: SLO_TIMEFRAME, target, warning }],
          timeframe: SLO_TIMEFRAME,
          targetThreshold: target,
          warningThreshold: warning,
          tags: tags(key, tier),
        }),
      );
    };
    define("availability", "edge", targets.availabilityPercent, {
      type: "metric",
      description: "Requests the API load balancer answered without a 5xx of its own (no healthy target, timeout).",
      query: { numerator: `${requests} - ${metric("sum", "aws.applicationelb.httpcode_elb_5xx", balancer, { asCount: true })}`, denominator: requests },
    });
    define("error-rate", "api", errorBudgetTarget, {
      type: "metric",
      description: `Requests the services answered without a 5xx; the error rate stays below ${targets.errorRate.maxPercent} %.`,
      query: { numerator: `${requests} - ${metric("sum", "aws.applicationelb.httpcode_target_5xx", balancer, { asCount: true })}`, denominator: requests },
    });
    define("api-latency", "api", targets.apiLatency.targetPercent, {
      type: "time_slice",
      description: `5-minute slices whose p95 response time is under ${targets.apiLatency.p95Ms} ms.`,
      sliSpecification: timeSlice(metric("max", "aws.applicationelb.target_response_time.p95", balancer), targets.apiLatency.p95Ms / 1000),
    });
    define("database-query", "data", targets.databaseQuery.targetPercent, {
      type: "time_slice",
      description: `5-minute slices whose p95 database query time (the application's lma.database.query.duration) is under ${targets.databaseQuery.p95Ms} ms.`,
      sliSpecification: timeSlice(`p95:lma.database.query.duration{environment:${environment}}`, targets.databaseQuery.p95Ms / 1000),
    });
    this.objectives = objectives;

    this.burnRateMonitors = [...objectives].flatMap(([key, objective]) => {
      const target = objective.targetThresholdInput!;
      const tier = key === "availability" ? "edge" : key === "database-query" ? "data" : "api";
      return BURN_RATE_WINDOWS.map((window) => {
        // Datadog refuses burn rates above 1 / (1 − target): they could never be reached.
        const ceiling = 1 / (1 - target / 100);
        if (window.rate > ceiling) throw new Error(`burn rate ${window.rate} exceeds ${ceiling} for the ${target} % ${key} SLO`);
        const settings = severitySettings(props.routing, window.severity, tier, {
          description: `The ${key} SLO burns its ${SLO_TIMEFRAME} error budget ${window.rate}× too fast over ${window.long} (confirmed over ${window.short}).`,
          runbookUrl: `${props.runbookBaseUrl}/slo-${key}`,
        });
        const name = `[${window.severity}] ${environment}: ${key} SLO burn rate (${window.long})`;
        const query = `burn_rate("${objective.id}").over("${SLO_TIMEFRAME}").long_window("${window.long}").short_window("${window.short}") > ${formatNumber(window.rate)}`;
        const monitorThresholds = { critical: formatNumber(window.rate) };
        checkThresholds(name, query, monitorThresholds);
        return new Monitor(this, `${key}-burn-${window.key}`, {
          name,
          type: "slo alert",
          query,
          monitorThresholds,
          message: settings.message,
          priority: settings.priority,
          renotifyInterval: settings.renotifyInterval,
          tags: tagList({ environment, slo: key, severity: window.severity, tier, "burn-window": window.long }),
        });
      });
    });
  }
}

function timeSlice(query: string, thresholdSeconds: number) {
  return {
    timeSlice: {
      comparator: "<",
      threshold: thresholdSeconds,
      queryIntervalSeconds: 300,
      query: { formula: { formulaExpression: "query1" }, query: [{ metricQuery: { name: "query1", query, dataSource: "metrics" } }] },
    },
  };
}

/** A business process the application measures against a deadline (see docs/observability.md). */
export interface BusinessSla {
  /** snake_case; the metric is `lma.business.<key>.completed`. */
  readonly key: string;
  readonly description: string;
  readonly service: string;
  readonly targetPercent: number;
  readonly deadline: string;
  readonly window: string;
}

/** The custom metric a business process emits on each completion, tagged `within_sla:true|false`. */
export function businessMetric(key: string): string {
  return `lma.business.${key}.completed`;
}

export interface BusinessSlaMonitorsProps {
  readonly environment: string;
  readonly slas: readonly BusinessSla[];
  readonly routing: AlertRouting;
  readonly runbookBaseUrl: string;
}

/**
 * One monitor per business SLA: the share of completions within the deadline over the SLA's
 * window, from the application's `lma.business.<key>.completed` counts. A breach is a business
 * problem first, so it goes to Slack (high), not to a pager.
 */
export class BusinessSlaMonitors extends Construct {
  readonly monitors: ReadonlyMap<string, AlertMonitor>;

  constructor(scope: Construct, id: string, props: BusinessSlaMonitorsProps) {
    super(scope, id);
    const monitors = new Map<string, AlertMonitor>();
    for (const sla of props.slas) {
      const filters = { environment: props.environment, service: sla.service };
      const name = businessMetric(sla.key);
      monitors.set(
        sla.key,
        new AlertMonitor(this, sla.key, {
          routing: props.routing,
          name: `${props.environment}: ${sla.description} within ${sla.deadline}`,
          severity: "high",
          tier: "api",
          condition: {
            timeAggregation: "sum",
            window: sla.window,
            expression: `100 * ${metric("sum", name, { ...filters, within_sla: "true" }, { asCount: true })} / ${metric("sum", name, filters, { asCount: true })}`,
            comparator: "<",
            critical: sla.targetPercent,
          },
          description: `Fewer than ${sla.targetPercent} % of "${sla.description}" completions met the ${sla.deadline} deadline.`,
          runbookUrl: `${props.runbookBaseUrl}/business-${sla.key}`,
          tags: { environment: props.environment, service: sla.service, "business-sla": sla.key },
          // No completions is not a breach; idle periods (nights, weekends) are normal.
          noData: "ignore",
          // Custom metrics arrive from the agent within seconds, not through the AWS crawler.
          evaluationDelaySeconds: 0,
          requireFullWindow: false,
        }),
      );
    }
    this.monitors = monitors;
  }
}
