import { Construct } from "constructs";
import { type AlertRouting, AlertMonitor, type MetricCondition, type Severity, metric } from "./alerting";

/** The four golden signals; every catalogue service has at least one monitor per signal. */
export type GoldenSignal = "latency" | "traffic" | "errors" | "saturation";
export const GOLDEN_SIGNALS: readonly GoldenSignal[] = ["latency", "traffic", "errors", "saturation"];

/** One catalogue service, by the names the AWS stacks give its resources. */
export interface MonitoredService {
  /** Catalogue name, e.g. `loan`: the `service` tag of its monitors. */
  readonly name: string;
  /** ECS service name (`servicename` tag of `aws.ecs.*`). */
  readonly ecsServiceName: string;
  /** Target group name; the `targetgroup` tag is `targetgroup/<name>/<id>`. */
  readonly targetGroupName: string;
  /** The autoscaling ceiling: queue backlog is judged against what this many tasks absorb. */
  readonly maxTasks: number;
  /** The RabbitMQ queue it consumes (named after the service), with the messages one task absorbs. */
  readonly queue?: { readonly name: string; readonly messagesPerTask: number };
}

/** The environment's AWS resources, by name, in its primary region unless stated. */
export interface MonitoredPlatform {
  readonly environment: string;
  readonly cluster: string;
  /** ALB name; the `loadbalancer` tag is `app/<name>/<id>`. */
  readonly loadBalancer: string;
  readonly services: readonly MonitoredService[];
  readonly database: {
    readonly identifier: string;
    readonly allocatedStorageGiB: number;
    /** Identifiers of the in-region read replicas. */
    readonly readReplicas: readonly string[];
    /** The cross-region DR replica, whose lag is the recovery point. */
    readonly drReplica?: { readonly identifier: string; readonly region: string };
    /**
     * Connections one instance accepts before refusing clients.
     * @default 200
     */
    readonly maxConnections?: number;
  };
  readonly cache?: { readonly replicationGroupId: string };
  readonly search?: { readonly domainName: string; readonly volumeSizeGiB: number };
  readonly broker?: { readonly name: string };
  /** Lambda function names. */
  readonly functions: readonly string[];
  /** SQS queue names. */
  readonly sqsQueues: readonly string[];
}

export interface PlatformMonitorsProps {
  readonly platform: MonitoredPlatform;
  readonly routing: AlertRouting;
  readonly runbookBaseUrl: string;
  /**
   * Seconds of recovery-point objective: the DR replica lag that pages.
   * @default DEFAULT_RECOVERY_POINT_SECONDS
   */
  readonly recoveryPointSeconds?: number;
}

interface Definition {
  readonly key: string;
  readonly name: string;
  readonly severity: Severity;
  readonly tier: string;
  readonly condition: MetricCondition;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly noData: "notify" | "ignore";
  readonly sparse?: boolean;
  /** Runbook page shared by every instance of the alert (`service-errors`). @default the key */
  readonly runbook?: string;
}

const GIB = 1024 ** 3;

/** The recovery-point objective of the DR replica, seconds: more lag than this pages. */
export const DEFAULT_RECOVERY_POINT_SECONDS = 5;

/**
 * Monitors for every catalogue service (one or more per golden signal) and for every data store,
 * queue, load balancer and function of the environment, plus the DR replication lag. Thresholds
 * derive from the platform's sizes (storage, task ceilings, connection limit), so a resized or
 * added resource is monitored without editing this file.
 */
export class PlatformMonitors extends Construct {
  /** Every monitor, by key (`<service>-<signal>`, `database-cpu`, …). */
  readonly monitors: ReadonlyMap<string, AlertMonitor>;

  constructor(scope: Construct, id: string, props: PlatformMonitorsProps) {
    super(scope, id);
    const { platform } = props;
    const definitions = [
      ...platform.services.flatMap((service) => serviceDefinitions(platform, service)),
      ...loadBalancerDefinitions(platform),
      ...databaseDefinitions(platform, props.recoveryPointSeconds ?? DEFAULT_RECOVERY_POINT_SECONDS),
      ...cacheDefinitions(platform),
      ...searchDefinitions(platform),
      ...brokerDefinitions(platform),
      ...functionDefinitions(platform),
    ];
    const monitors = new Map<string, AlertMonitor>();
    for (const definition of definitions) {
      if (monitors.has(definition.key)) throw new Error(`two monitors share the key "${definition.key}"`);
      monitors.set(
        definition.key,
        new AlertMonitor(this, definition.key, {
          routing: props.routing,
          name: `${platform.environment}: ${definition.name}`,
          severity: definition.severity,
          tier: definition.tier,
          condition: definition.condition,
          description: definition.description,
          runbookUrl: `${props.runbookBaseUrl}/${definition.runbook ?? definition.key}`,
          tags: { environment: platform.environment, ...definition.tags },
          noData: definition.noData,
          requireFullWindow: !definition.sparse,
        }),
      );
    }
    this.monitors = monitors;
  }
}

function serviceDefinitions(platform: MonitoredPlatform, service: MonitoredService): Definition[] {
  const env = { environment: platform.environment };
  const targetGroup = { ...env, targetgroup: `targetgroup/${service.targetGroupName}/*` };
  const ecs = { ...env, clustername: platform.cluster, servicename: service.ecsServiceName };
  const tags = (signal: GoldenSignal) => ({ service: service.name, signal });
  const requests = metric("sum", "aws.applicationelb.request_count", targetGroup, { asCount: true });
  const definitions: Definition[] = [
    {
      key: `${service.name}-latency`,
      name: `${service.name} p95 response time`,
      severity: "high",
      tier: "api",
      condition: { timeAggregation: "avg", window: "last_15m", expression: metric("avg", "aws.applicationelb.target_response_time.p95", targetGroup), comparator: ">", critical: 1, warning: 0.5 },
      description: `The ${service.name} service's 95th-percentile response time at the load balancer is above its threshold (seconds).`,
      tags: tags("latency"),
      noData: "ignore",
    },
    {
      key: `${service.name}-traffic`,
      name: `${service.name} receives no requests`,
      severity: "medium",
      tier: "api",
      condition: { timeAggregation: "sum", window: "last_30m", expression: requests, comparator: "<", critical: 1 },
      description: `No request reached the ${service.name} service's target group for 30 minutes: routing, DNS or the clients are broken.`,
      tags: tags("traffic"),
      // No datapoints is the same failure as zero requests.
      noData: "notify",
      sparse: true,
    },
    {
      key: `${service.name}-errors`,
      name: `${service.name} 5xx rate`,
      severity: "critical",
      tier: "api",
      condition: {
        timeAggregation: "sum",
        window: "last_10m",
        expression: `100 * ${metric("sum", "aws.applicationelb.httpcode_target_5xx", targetGroup, { asCount: true })} / ${requests}`,
        comparator: ">",
        critical: 5,
        warning: 2,
      },
      description: `More than the threshold percentage of the ${service.name} service's responses are 5xx.`,
      tags: tags("errors"),
      noData: "ignore",
      sparse: true,
    },
    {
      key: `${service.name}-cpu`,
      name: `${service.name} CPU`,
      severity: "high",
      tier: "api",
      condition: { timeAggregation: "avg", window: "last_15m", expression: metric("avg", "aws.ecs.service.cpuutilization", ecs), comparator: ">", critical: 90, warning: 80 },
      description: `The ${service.name} service's CPU stays high although autoscaling should add tasks: check the ceiling (${service.maxTasks} tasks).`,
      tags: tags("saturation"),
      noData: "notify",
    },
    {
      key: `${service.name}-memory`,
      name: `${service.name} memory`,
      severity: "high",
      tier: "api",
      condition: { timeAggregation: "avg", window: "last_15m", expression: metric("avg", "aws.ecs.service.memory_utilization", ecs), comparator: ">", critical: 90, warning: 80 },
      description: `The ${service.name} service's memory is close to its task limit: tasks will be killed for running out of memory.`,
      tags: tags("saturation"),
      noData: "ignore",
    },
    {
      key: `${service.name}-unhealthy`,
      name: `${service.name} has no healthy target`,
      severity: "critical",
      tier: "api",
      condition: { timeAggregation: "max", window: "last_10m", expression: metric("min", "aws.applicationelb.healthy_host_count", targetGroup), comparator: "<", critical: 1 },
      description: `No task of the ${service.name} service passes the load balancer's health check: its API answers 503.`,
      tags: tags("errors"),
      noData: "notify",
    },
  ];
  if (service.queue) {
    const absorbed = service.queue.messagesPerTask * service.maxTasks;
    definitions.push({
      key: `${service.name}-queue`,
      name: `${service.name} queue backlog`,
      severity: "high",
      tier: "data",
      condition: {
        timeAggregation: "min",
        window: "last_15m",
        expression: metric("max", "aws.amazonmq.message_ready_count", { environment: platform.environment, broker: platform.broker?.name ?? "*", queue: service.queue.name }),
        comparator: ">",
        critical: 2 * absorbed,
        warning: absorbed,
      },
      description: `The ${service.queue.name} queue holds more messages than ${service.maxTasks} tasks absorb: consumers are failing or at their ceiling.`,
      tags: tags("saturation"),
      noData: "ignore",
    });
  }
  return definitions.map((definition) => ({ ...definition, runbook: definition.key.replace(`${service.name}-`, "service-") }));
}

function loadBalancerDefinitions(platform: MonitoredPlatform): Definition[] {
  const filters = { environment: platform.environment, loadbalancer: `app/${platform.loadBalancer}/*` };
  return [
    {
      key: "load-balancer-5xx",
      name: "load balancer 5xx rate",
      severity: "critical",
      tier: "edge",
      condition: {
        timeAggregation: "sum",
        window: "last_10m",
        expression: `100 * ${metric("sum", "aws.applicationelb.httpcode_elb_5xx", filters, { asCount: true })} / ${metric("sum", "aws.applicationelb.request_count", filters, { asCount: true })}`,
        comparator: ">",
        critical: 2,
        warning: 0.5,
      },
      description: "The load balancer itself answers 5xx (no healthy target, timeouts, connection errors).",
      tags: { component: "load-balancer" },
      noData: "ignore",
      sparse: true,
    },
    {
      key: "load-balancer-rejected",
      name: "load balancer rejects connections",
      severity: "high",
      tier: "edge",
      condition: { timeAggregation: "sum", window: "last_10m", expression: metric("sum", "aws.applicationelb.rejected_connection_count", filters, { asCount: true }), comparator: ">", critical: 0 },
      description: "The load balancer reached its connection limit and refused clients.",
      tags: { component: "load-balancer" },
      noData: "ignore",
      sparse: true,
    },
  ];
}

function databaseDefinitions(platform: MonitoredPlatform, recoveryPointSeconds: number): Definition[] {
  const { database, environment } = platform;
  const primary = { environment, dbinstanceidentifier: database.identifier };
  const maxConnections = database.maxConnections ?? 200;
  const storageBytes = database.allocatedStorageGiB * GIB;
  const tags = { component: "database" };
  const definitions: Definition[] = [
    {
      key: "database-cpu",
      name: "PostgreSQL CPU",
      severity: "high",
      tier: "data",
      condition: { timeAggregation: "avg", window: "last_15m", expression: metric("avg", "aws.rds.cpuutilization", primary), comparator: ">", critical: 90, warning: 80 },
      description: `${database.identifier} CPU is high: look for a slow query or a missing index before scaling the instance.`,
      tags,
      noData: "notify",
    },
    {
      key: "database-storage",
      name: "PostgreSQL free storage",
      severity: "critical",
      tier: "data",
      condition: { timeAggregation: "min", window: "last_15m", expression: metric("min", "aws.rds.free_storage_space", primary), comparator: "<", critical: 0.1 * storageBytes, warning: 0.2 * storageBytes },
      description: `${database.identifier} has less than the threshold of free storage (bytes): writes stop when it runs out.`,
      tags,
      noData: "ignore",
    },
    {
      key: "database-connections",
      name: "PostgreSQL connections",
      severity: "high",
      tier: "data",
      condition: { timeAggregation: "max", window: "last_10m", expression: metric("max", "aws.rds.database_connections", primary), comparator: ">", critical: 0.9 * maxConnections, warning: 0.75 * maxConnections },
      description: `${database.identifier} is close to its ${maxConnections}-connection limit: new connections will be refused.`,
      tags,
      noData: "ignore",
    },
  ];
  for (const replica of database.readReplicas) {
    definitions.push({
      key: `database-replica-lag-${replica}`,
      runbook: "database-replica-lag",
      name: `PostgreSQL read replica ${replica} lag`,
      severity: "medium",
      tier: "data",
      condition: { timeAggregation: "max", window: "last_10m", expression: metric("max", "aws.rds.replica_lag", { environment, dbinstanceidentifier: replica }), comparator: ">", critical: 60, warning: 30 },
      description: `Reads from ${replica} are stale by more than the threshold (seconds).`,
      tags,
      noData: "ignore",
    });
  }
  if (database.drReplica) {
    const { identifier, region } = database.drReplica;
    definitions.push({
      key: "database-dr-replication-lag",
      name: `PostgreSQL DR replica lag (${region})`,
      severity: "critical",
      tier: "data",
      condition: {
        timeAggregation: "max",
        window: "last_5m",
        expression: metric("max", "aws.rds.replica_lag", { environment, dbinstanceidentifier: identifier, region }),
        comparator: ">",
        critical: recoveryPointSeconds,
        warning: recoveryPointSeconds / 2,
      },
      description: `The DR replica ${identifier} in ${region} lags more than the recovery-point objective (${recoveryPointSeconds} s): a failover now would lose data.`,
      tags: { ...tags, component: "disaster-recovery" },
      // A replica that stops reporting has stopped replicating.
      noData: "notify",
    });
  }
  return definitions;
}

function cacheDefinitions(platform: MonitoredPlatform): Definition[] {
  if (!platform.cache) return [];
  const filters = { environment: platform.environment, replication_group_id: platform.cache.replicationGroupId };
  const tags = { component: "cache" };
  return [
    {
      key: "cache-cpu",
      name: "Redis engine CPU",
      severity: "high",
      tier: "data",
      condition: { timeAggregation: "avg", window: "last_15m", expression: metric("max", "aws.elasticache.engine_cpuutilization", filters), comparator: ">", critical: 90, warning: 75 },
      description: "Redis's single engine thread is saturated: latency of every cached call rises.",
      tags,
      noData: "notify",
    },
    {
      key: "cache-memory",
      name: "Redis memory",
      severity: "high",
      tier: "data",
      condition: { timeAggregation: "avg", window: "last_15m", expression: metric("max", "aws.elasticache.database_memory_usage_percentage", filters), comparator: ">", critical: 90, warning: 80 },
      description: "Redis is close to maxmemory: it will evict keys (sessions, rate limits).",
      tags,
      noData: "ignore",
    },
    {
      key: "cache-evictions",
      name: "Redis evictions",
      severity: "medium",
      tier: "data",
      condition: { timeAggregation: "sum", window: "last_15m", expression: metric("sum", "aws.elasticache.evictions", filters, { asCount: true }), comparator: ">", critical: 1000, warning: 100 },
      description: "Redis evicts keys for lack of memory.",
      tags,
      noData: "ignore",
      sparse: true,
    },
    {
      key: "cache-replication-lag",
      name: "Redis replication lag",
      severity: "medium",
      tier: "data",
      condition: { timeAggregation: "max", window: "last_10m", expression: metric("max", "aws.elasticache.replication_lag", filters), comparator: ">", critical: 30, warning: 10 },
      description: "A Redis replica is behind its primary (seconds): a failover would lose recent writes.",
      tags,
      noData: "ignore",
    },
  ];
}

function searchDefinitions(platform: MonitoredPlatform): Definition[] {
  if (!platform.search) return [];
  const filters = { environment: platform.environment, domainname: platform.search.domainName };
  const volumeMiB = platform.search.volumeSizeGiB * 1024;
  const tags = { component: "search" };
  return [
    {
      key: "search-cluster-red",
      name: "OpenSearch cluster red",
      severity: "critical",
      tier: "data",
      condition: { timeAggregation: "max", window: "last_10m", expression: metric("max", "aws.es.cluster_statusred", filters), comparator: ">=", critical: 1 },
      description: "At least one primary shard is unassigned: searches miss data and writes to it fail.",
      tags,
      noData: "notify",
    },
    {
      key: "search-jvm-pressure",
      name: "OpenSearch JVM memory pressure",
      severity: "high",
      tier: "data",
      condition: { timeAggregation: "avg", window: "last_15m", expression: metric("max", "aws.es.jvmmemory_pressure", filters), comparator: ">", critical: 90, warning: 80 },
      description: "OpenSearch heap is nearly full: it will block writes to avoid running out of memory.",
      tags,
      noData: "ignore",
    },
    {
      key: "search-storage",
      name: "OpenSearch free storage",
      severity: "high",
      tier: "data",
      condition: { timeAggregation: "min", window: "last_15m", expression: metric("min", "aws.es.free_storage_space", filters), comparator: "<", critical: 0.1 * volumeMiB, warning: 0.2 * volumeMiB },
      description: "A data node has little free storage (MiB): OpenSearch blocks writes at its flood stage.",
      tags,
      noData: "ignore",
    },
  ];
}

function brokerDefinitions(platform: MonitoredPlatform): Definition[] {
  if (!platform.broker) return [];
  const filters = { environment: platform.environment, broker: platform.broker.name };
  const tags = { component: "queue" };
  return [
    {
      key: "broker-memory",
      name: "RabbitMQ memory",
      severity: "high",
      tier: "data",
      condition: {
        timeAggregation: "avg",
        window: "last_15m",
        expression: `100 * ${metric("max", "aws.amazonmq.rabbit_mqmem_used", filters)} / ${metric("max", "aws.amazonmq.rabbit_mqmem_limit", filters)}`,
        comparator: ">",
        critical: 80,
        warning: 60,
      },
      description: "RabbitMQ nears its memory high-water mark: at the mark it blocks every publisher.",
      tags,
      noData: "notify",
    },
  ];
}

function functionDefinitions(platform: MonitoredPlatform): Definition[] {
  const functions = platform.functions.flatMap((name): Definition[] => {
    const filters = { environment: platform.environment, functionname: name };
    return [
      {
        key: `function-errors-${name}`,
        runbook: "function-errors",
        name: `Lambda ${name} errors`,
        severity: "medium",
        tier: "data",
        condition: { timeAggregation: "sum", window: "last_15m", expression: metric("sum", "aws.lambda.errors", filters, { asCount: true }), comparator: ">", critical: 5, warning: 1 },
        description: `${name} fails: failed events go to its on-failure destination.`,
        tags: { component: "function", function: name },
        noData: "ignore",
        sparse: true,
      },
      {
        key: `function-throttles-${name}`,
        runbook: "function-throttles",
        name: `Lambda ${name} throttles`,
        severity: "low",
        tier: "data",
        condition: { timeAggregation: "sum", window: "last_15m", expression: metric("sum", "aws.lambda.throttles", filters, { asCount: true }), comparator: ">", critical: 10 },
        description: `${name} hits its reserved concurrency: events wait or retry.`,
        tags: { component: "function", function: name },
        noData: "ignore",
        sparse: true,
      },
    ];
  });
  const queues = platform.sqsQueues.map(
    (name): Definition => ({
      key: `sqs-age-${name}`,
      runbook: "sqs-age",
      name: `SQS ${name} oldest message age`,
      severity: "medium",
      tier: "data",
      condition: { timeAggregation: "max", window: "last_15m", expression: metric("max", "aws.sqs.approximate_age_of_oldest_message", { environment: platform.environment, queuename: name }), comparator: ">", critical: 900, warning: 300 },
      description: `Messages wait in ${name} longer than the threshold (seconds): its consumer is failing or throttled.`,
      tags: { component: "queue", queue: name },
      noData: "ignore",
    }),
  );
  return [...functions, ...queues];
}
