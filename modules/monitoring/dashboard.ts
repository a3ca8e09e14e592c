import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { Construct } from "constructs";
import type { PlatformInventory } from "./platform-alarms";

export interface OperationsDashboardProps {
  /** Dashboard name, e.g. `lma-production-use1-operations`. */
  readonly name: string;
  readonly region: string;
  readonly inventory: PlatformInventory;
  /** Alarm ARNs shown as a status board at the top. */
  readonly alarmArns: readonly string[];
}

type Metric = readonly (string | Record<string, string>)[];
interface Widget {
  readonly type: "metric" | "alarm" | "text";
  readonly width: number;
  readonly height: number;
  readonly properties: Record<string, unknown>;
}

const HALF = 12;
const THIRD = 8;

/**
 * The region's operational dashboard: alarm status, then one row per service (traffic and
 * errors, p95 latency, CPU and memory), then the load balancer and each data store. Derived from
 * the same inventory as the alarms, so a new service appears in both.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const { inventory, region } = props;
    // An alarm-status widget shows at most 100 alarms.
    if (props.alarmArns.length > 100) throw new Error(`dashboard ${props.name}: ${props.alarmArns.length} alarms, an alarm widget shows at most 100`);
    const graph = (title: string, metrics: Metric[], width = THIRD, stat = "Average"): Widget => ({
      type: "metric",
      width,
      height: 6,
      properties: { title, region, metrics, stat, period: 60, view: "timeSeries" },
    });
    const alb = inventory.loadBalancerArnSuffix;
    const widgets: Widget[] = [
      { type: "text", width: 24, height: 1, properties: { markdown: `# ${props.name}` } },
      { type: "alarm", width: 24, height: 4, properties: { title: "Alarms", alarms: [...props.alarmArns] } },
      graph("ALB requests and 5xx", [
        ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", alb, { stat: "Sum" }],
        ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", alb, { stat: "Sum" }],
        ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", alb, { stat: "Sum" }],
      ], HALF),
      graph("ALB target response time p95", [["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", alb, { stat: "p95" }]], HALF),
    ];
    for (const service of inventory.services) {
      const target = ["TargetGroup", service.targetGroupArnSuffix, "LoadBalancer", alb];
      const ecs = ["ClusterName", service.clusterName, "ServiceName", service.serviceName];
      widgets.push(
        graph(`${service.name}: requests and 5xx`, [
          ["AWS/ApplicationELB", "RequestCount", ...target, { stat: "Sum" }],
          ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ...target, { stat: "Sum" }],
        ]),
        graph(`${service.name}: latency p95`, [["AWS/ApplicationELB", "TargetResponseTime", ...target, { stat: "p95" }]]),
        graph(`${service.name}: CPU, memory, tasks`, [
          ["AWS/ECS", "CPUUtilization", ...ecs],
          ["AWS/ECS", "MemoryUtilization", ...ecs],
          ["ECS/ContainerInsights", "RunningTaskCount", ...ecs, { yAxis: "right" }],
        ]),
      );
    }
    for (const database of inventory.databases) {
      const dims = ["DBInstanceIdentifier", database.identifier];
      widgets.push(
        graph(`${database.identifier}: CPU and connections`, [
          ["AWS/RDS", "CPUUtilization", ...dims],
          ["AWS/RDS", "DatabaseConnections", ...dims, { yAxis: "right" }],
        ], HALF),
        graph(`${database.identifier}: latency and lag`, [
          ["AWS/RDS", "ReadLatency", ...dims],
          ["AWS/RDS", "WriteLatency", ...dims],
          ...(database.role === "writer" ? [] : [["AWS/RDS", "ReplicaLag", ...dims, { yAxis: "right" }]]),
        ], HALF),
      );
    }
    if (inventory.cache) {
      widgets.push(
        graph(
          "Redis: engine CPU and memory",
          inventory.cache.nodeIds.flatMap((node) => [
            ["AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId", node],
            ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", node],
          ]),
          HALF,
        ),
      );
    }
    if (inventory.search) {
      const dims = ["DomainName", inventory.search.domainName, "ClientId", inventory.search.accountId];
      widgets.push(
        graph("OpenSearch: status and JVM pressure", [
          ["AWS/ES", "ClusterStatus.red", ...dims, { stat: "Maximum" }],
          ["AWS/ES", "ClusterStatus.yellow", ...dims, { stat: "Maximum" }],
          ["AWS/ES", "JVMMemoryPressure", ...dims, { yAxis: "right", stat: "Maximum" }],
        ], HALF),
      );
    }
    if (inventory.broker) {
      const broker = inventory.broker;
      widgets.push(
        graph(
          "RabbitMQ: queue depth",
          broker.queues.map((queue) => ["AWS/AmazonMQ", "MessageCount", "Broker", broker.name, "VirtualHost", "/", "Queue", queue, { stat: "Maximum" }]),
          HALF,
        ),
      );
    }
    if (inventory.functions.length > 0) {
      widgets.push(
        graph(
          "Lambda: errors and throttles",
          inventory.functions.flatMap((fn) => [
            ["AWS/Lambda", "Errors", "FunctionName", fn.name, { stat: "Sum" }],
            ["AWS/Lambda", "Throttles", "FunctionName", fn.name, { stat: "Sum" }],
          ]),
          HALF,
        ),
      );
    }
    this.dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: props.name,
      dashboardBody: JSON.stringify({ widgets: layout(widgets) }),
    });
  }
}

/** Places widgets left to right in rows of 24 columns, as the dashboard grid expects. */
function layout(widgets: readonly Widget[]) {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return widgets.map((widget) => {
    if (x + widget.width > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const placed = { ...widget, x, y };
    x += widget.width;
    rowHeight = Math.max(rowHeight, widget.height);
    return placed;
  });
}
