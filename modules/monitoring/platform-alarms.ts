import type { AlarmDefinition, AlarmMetric } from "./alarms";

/** An ECS service behind the ALB, as CloudWatch names it. */
export interface MonitoredService {
  readonly name: string;
  readonly clusterName: string;
  readonly serviceName: string;
  /** `targetgroup/<name>/<id>`: the target group's `arn_suffix`. */
  readonly targetGroupArnSuffix: string;
  /**
   * Blue/green: the other target group, which serves live traffic after every other deployment;
   * the target alarms then read both, or they would go quiet half the time.
   */
  readonly alternateTargetGroupArnSuffix?: string;
}

/** A PostgreSQL instance: the writer, an in-region reader, or the cross-region DR replica. */
export interface MonitoredDatabase {
  readonly identifier: string;
  readonly role: "writer" | "reader" | "cross-region-replica";
  readonly allocatedStorageGiB: number;
  /** Connections allowed per instance (the platform caps each at 200 through its poolers). @default 200 */
  readonly maxConnections?: number;
}

/** What the platform runs in one region, in the names CloudWatch uses for their metrics. */
export interface PlatformInventory {
  /** `app/<name>/<id>`: the ALB's `arn_suffix`. */
  readonly loadBalancerArnSuffix: string;
  readonly services: readonly MonitoredService[];
  readonly databases: readonly MonitoredDatabase[];
  /** Redis: the replication group's member node ids (`<group>-0001-001` …), known from its shape. */
  readonly cache?: { readonly replicationGroupId: string; readonly nodeIds: readonly string[] };
  /** OpenSearch: the domain and the account it lives in (its metrics carry `ClientId`). */
  readonly search?: { readonly domainName: string; readonly accountId: string; readonly volumeSizeGiB: number };
  /** RabbitMQ: the broker, the queues services consume, and the memory high-water mark in bytes. */
  readonly broker?: { readonly name: string; readonly queues: readonly string[]; readonly memoryLimitBytes: number };
  /** Lambda functions and the queue their failed events land in. */
  readonly functions: readonly { readonly name: string; readonly deadLetterQueueName?: string }[];
}

/**
 * Thresholds, in one place so a reader sees the platform's alerting policy at a glance. The
 * latency figure is the API-latency objective (p95 < 200 ms): a service alarms when its p95 stays
 * above it for 10 minutes, well before the SLO's error budget is at risk.
 */
export const ALARM_THRESHOLDS = {
  serviceCpuPercent: 85,
  serviceMemoryPercent: 85,
  target5xxPerMinute: 10,
  latencyP95Seconds: 0.2,
  elb5xxPerMinute: 10,
  databaseCpuPercent: 80,
  databaseFreeStorageFraction: 0.1,
  databaseConnectionsFraction: 0.8,
  replicaLagSeconds: 5,
  cacheEngineCpuPercent: 80,
  cacheMemoryPercent: 80,
  cacheEvictionsPer5Minutes: 1000,
  cacheReplicationLagSeconds: 5,
  searchFreeStorageFraction: 0.2,
  searchJvmPressurePercent: 85,
  queueDepthMessages: 1000,
  brokerMemoryFraction: 0.8,
} as const;

const MINUTE = 60;

/** Every alarm the region needs, derived from its inventory: a new service gets its alarms here. */
export function platformAlarms(inventory: PlatformInventory): AlarmDefinition[] {
  const t = ALARM_THRESHOLDS;
  const alb = inventory.loadBalancerArnSuffix;
  const alarms: AlarmDefinition[] = [];

  for (const service of inventory.services) {
    const ecs = { ClusterName: service.clusterName, ServiceName: service.serviceName };
    const targetGroups = [service.targetGroupArnSuffix, ...(service.alternateTargetGroupArnSuffix ? [service.alternateTargetGroupArnSuffix] : [])];
    /** A target-group metric of the service, over whichever of its target groups is live (`combine` of both). */
    const targetMetric = (id: string, metricName: string, stat: string, combine: "SUM" | "MAX"): AlarmMetric[] => {
      const perGroup = targetGroups.map((group, index) => ({
        id: targetGroups.length === 1 ? id : `${id}${index}`,
        namespace: "AWS/ApplicationELB",
        metricName,
        dimensions: { TargetGroup: group, LoadBalancer: alb },
        stat,
        ...(targetGroups.length === 1 ? {} : { returnData: false }),
      }));
      return targetGroups.length === 1 ? perGroup : [...perGroup, { id, expression: `${combine}([${perGroup.map((metric) => metric.id).join(",")}])` }];
    };
    const component = service.name;
    alarms.push(
      {
        id: `${service.name}-cpu`,
        component,
        description: `${service.name}: CPU above ${t.serviceCpuPercent} % for 10 minutes (scaling should have absorbed it)`,
        severity: "high",
        metrics: [{ id: "cpu", namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions: ecs, stat: "Average" }],
        threshold: t.serviceCpuPercent,
        comparison: "GreaterThanThreshold",
        period: MINUTE,
        evaluationPeriods: 10,
      },
      {
        id: `${service.name}-memory`,
        component,
        description: `${service.name}: memory above ${t.serviceMemoryPercent} % for 10 minutes (tasks near OOM)`,
        severity: "high",
        metrics: [{ id: "memory", namespace: "AWS/ECS", metricName: "MemoryUtilization", dimensions: ecs, stat: "Maximum" }],
        threshold: t.serviceMemoryPercent,
        comparison: "GreaterThanThreshold",
        period: MINUTE,
        evaluationPeriods: 10,
      },
      {
        id: `${service.name}-5xx`,
        component,
        description: `${service.name}: more than ${t.target5xxPerMinute} 5xx responses a minute, 3 of 5 minutes`,
        severity: "critical",
        metrics: targetMetric("errors", "HTTPCode_Target_5XX_Count", "Sum", "SUM"),
        threshold: t.target5xxPerMinute,
        comparison: "GreaterThanThreshold",
        period: MINUTE,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
      },
      {
        id: `${service.name}-latency-p95`,
        component,
        description: `${service.name}: target response time p95 above ${t.latencyP95Seconds * 1000} ms for 10 minutes`,
        severity: "medium",
        metrics: targetMetric("latency", "TargetResponseTime", "p95", "MAX"),
        threshold: t.latencyP95Seconds,
        comparison: "GreaterThanThreshold",
        period: MINUTE,
        evaluationPeriods: 10,
      },
      {
        // Container Insights publishes both counts; a shortfall for 5 minutes means tasks cannot start.
        id: `${service.name}-running-below-desired`,
        component,
        description: `${service.name}: fewer tasks running than desired for 5 minutes (failed starts, image pulls or capacity)`,
        severity: "high",
        metrics: [
          { id: "running", namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", dimensions: ecs, stat: "Minimum", returnData: false },
          { id: "desired", namespace: "ECS/ContainerInsights", metricName: "DesiredTaskCount", dimensions: ecs, stat: "Maximum", returnData: false },
          { id: "shortfall", expression: "desired - running" },
        ],
        threshold: 0,
        comparison: "GreaterThanThreshold",
        period: MINUTE,
        evaluationPeriods: 5,
      },
    );
  }

  alarms.push(
    {
      id: "alb-5xx",
      component: "alb",
      description: `load balancer: more than ${t.elb5xxPerMinute} of its own 5xx a minute (no healthy target, or overload)`,
      severity: "critical",
      metrics: [{ id: "errors", namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", dimensions: { LoadBalancer: alb }, stat: "Sum" }],
      threshold: t.elb5xxPerMinute,
      comparison: "GreaterThanThreshold",
      period: MINUTE,
      evaluationPeriods: 3,
    },
    {
      id: "alb-rejected-connections",
      component: "alb",
      description: "load balancer: connections rejected (at its connection limit)",
      severity: "medium",
      metrics: [{ id: "rejected", namespace: "AWS/ApplicationELB", metricName: "RejectedConnectionCount", dimensions: { LoadBalancer: alb }, stat: "Sum" }],
      threshold: 0,
      comparison: "GreaterThanThreshold",
      period: 5 * MINUTE,
      evaluationPeriods: 1,
    },
  );

  for (const database of inventory.databases) {
    const dimensions = { DBInstanceIdentifier: database.identifier };
    const component = "database";
    const maxConnections = database.maxConnections ?? 200;
    alarms.push(
      {
        id: `${database.identifier}-cpu`,
        component,
        description: `${database.identifier}: CPU above ${t.databaseCpuPercent} % for 15 minutes`,
        severity: "high",
        metrics: [{ id: "cpu", namespace: "AWS/RDS", metricName: "CPUUtilization", dimensions, stat: "Average" }],
        threshold: t.databaseCpuPercent,
        comparison: "GreaterThanThreshold",
        period: 5 * MINUTE,
        evaluationPeriods: 3,
      },
      {
        id: `${database.identifier}-free-storage`,
        component,
        description: `${database.identifier}: free storage below ${t.databaseFreeStorageFraction * 100} % of ${database.allocatedStorageGiB} GiB`,
        severity: "high",
        metrics: [{ id: "free", namespace: "AWS/RDS", metricName: "FreeStorageSpace", dimensions, stat: "Minimum" }],
        threshold: Math.round(database.allocatedStorageGiB * 1024 ** 3 * t.databaseFreeStorageFraction),
        comparison: "LessThanThreshold",
        period: 5 * MINUTE,
        evaluationPeriods: 2,
      },
      {
        id: `${database.identifier}-connections`,
        component,
        description: `${database.identifier}: connections above ${t.databaseConnectionsFraction * 100} % of the ${maxConnections} per instance`,
        severity: "high",
        metrics: [{ id: "connections", namespace: "AWS/RDS", metricName: "DatabaseConnections", dimensions, stat: "Maximum" }],
        threshold: Math.floor(maxConnections * t.databaseConnectionsFraction),
        comparison: "GreaterThanThreshold",
        period: MINUTE,
        evaluationPeriods: 5,
      },
    );
    if (database.role !== "writer") {
      alarms.push({
        id: `${database.identifier}-replica-lag`,
        component,
        description: `${database.identifier}: replica lag above ${t.replicaLagSeconds} s (the recovery-point objective)${database.role === "cross-region-replica" ? "; DR data loss grows with it" : ""}`,
        // The cross-region lag is the disaster-recovery RPO itself: it pages.
        severity: database.role === "cross-region-replica" ? "critical" : "high",
        metrics: [{ id: "lag", namespace: "AWS/RDS", metricName: "ReplicaLag", dimensions, stat: "Maximum" }],
        threshold: t.replicaLagSeconds,
        comparison: "GreaterThanThreshold",
        period: MINUTE,
        evaluationPeriods: 3,
        // No datapoints from a replica means replication has stopped: that is the failure itself.
        treatMissingData: "breaching",
      });
    }
  }

  if (inventory.cache) {
    const { replicationGroupId, nodeIds } = inventory.cache;
    const perNode = (metricName: string, stat: string) =>
      nodeIds.map((node, index) => ({
        id: `n${index}`,
        namespace: "AWS/ElastiCache",
        metricName,
        dimensions: { CacheClusterId: node },
        stat,
        returnData: false,
      }));
    const maxOver = (metricName: string, stat: string) => [
      ...perNode(metricName, stat),
      { id: "worst", expression: `MAX([${nodeIds.map((_, index) => `n${index}`).join(",")}])` },
    ];
    alarms.push(
      {
        id: "cache-engine-cpu",
        component: "cache",
        description: `${replicationGroupId}: Redis engine CPU above ${t.cacheEngineCpuPercent} % on a node for 15 minutes`,
        severity: "high",
        metrics: maxOver("EngineCPUUtilization", "Average"),
        threshold: t.cacheEngineCpuPercent,
        comparison: "GreaterThanThreshold",
        period: 5 * MINUTE,
        evaluationPeriods: 3,
      },
      {
        id: "cache-memory",
        component: "cache",
        description: `${replicationGroupId}: Redis memory above ${t.cacheMemoryPercent} % on a node`,
        severity: "high",
        metrics: maxOver("DatabaseMemoryUsagePercentage", "Maximum"),
        threshold: t.cacheMemoryPercent,
        comparison: "GreaterThanThreshold",
        period: 5 * MINUTE,
        evaluationPeriods: 2,
      },
      {
        id: "cache-evictions",
        component: "cache",
        description: `${replicationGroupId}: more than ${t.cacheEvictionsPer5Minutes} evictions in 5 minutes (cache too small)`,
        severity: "medium",
        metrics: maxOver("Evictions", "Sum"),
        threshold: t.cacheEvictionsPer5Minutes,
        comparison: "GreaterThanThreshold",
        period: 5 * MINUTE,
        evaluationPeriods: 1,
      },
      {
        id: "cache-replication-lag",
        component: "cache",
        description: `${replicationGroupId}: a replica more than ${t.cacheReplicationLagSeconds} s behind its primary`,
        severity: "medium",
        metrics: maxOver("ReplicationLag", "Maximum"),
        threshold: t.cacheReplicationLagSeconds,
        comparison: "GreaterThanThreshold",
        period: MINUTE,
        evaluationPeriods: 5,
      },
    );
  }

  if (inventory.search) {
    const dimensions = { DomainName: inventory.search.domainName, ClientId: inventory.search.accountId };
    alarms.push(
      {
        id: "search-cluster-red",
        component: "search",
        description: `${inventory.search.domainName}: cluster status red (a primary shard is unassigned; search is partly down)`,
        severity: "critical",
        metrics: [{ id: "red", namespace: "AWS/ES", metricName: "ClusterStatus.red", dimensions, stat: "Maximum" }],
        threshold: 1,
        comparison: "GreaterThanOrEqualToThreshold",
        period: MINUTE,
        evaluationPeriods: 1,
      },
      {
        id: "search-cluster-yellow",
        component: "search",
        description: `${inventory.search.domainName}: cluster status yellow for 10 minutes (replica shards unassigned)`,
        severity: "medium",
        metrics: [{ id: "yellow", namespace: "AWS/ES", metricName: "ClusterStatus.yellow", dimensions, stat: "Maximum" }],
        threshold: 1,
        comparison: "GreaterThanOrEqualToThreshold",
        period: MINUTE,
        evaluationPeriods: 10,
      },
      {
        // FreeStorageSpace is in MiB and, with the Minimum statistic, per node.
        id: "search-free-storage",
        component: "search",
        description: `${inventory.search.domainName}: a node below ${t.searchFreeStorageFraction * 100} % free of ${inventory.search.volumeSizeGiB} GiB`,
        severity: "high",
        metrics: [{ id: "free", namespace: "AWS/ES", metricName: "FreeStorageSpace", dimensions, stat: "Minimum" }],
        threshold: Math.round(inventory.search.volumeSizeGiB * 1024 * t.searchFreeStorageFraction),
        comparison: "LessThanThreshold",
        period: 5 * MINUTE,
        evaluationPeriods: 1,
      },
      {
        id: "search-jvm-pressure",
        component: "search",
        description: `${inventory.search.domainName}: JVM memory pressure above ${t.searchJvmPressurePercent} % for 15 minutes`,
        severity: "high",
        metrics: [{ id: "jvm", namespace: "AWS/ES", metricName: "JVMMemoryPressure", dimensions, stat: "Maximum" }],
        threshold: t.searchJvmPressurePercent,
        comparison: "GreaterThanThreshold",
        period: 5 * MINUTE,
        evaluationPeriods: 3,
      },
    );
  }

  if (inventory.broker) {
    const broker = inventory.broker;
    for (const queue of broker.queues) {
      alarms.push({
        id: `queue-${queue}-depth`,
        component: "queue",
        description: `${broker.name}: queue ${queue} above ${t.queueDepthMessages} messages for 10 minutes (consumers behind)`,
        severity: "high",
        metrics: [
          {
            id: "depth",
            namespace: "AWS/AmazonMQ",
            metricName: "MessageCount",
            dimensions: { Broker: broker.name, VirtualHost: "/", Queue: queue },
            stat: "Maximum",
          },
        ],
        threshold: t.queueDepthMessages,
        comparison: "GreaterThanThreshold",
        period: MINUTE,
        evaluationPeriods: 10,
      });
    }
    alarms.push({
      // Node names are assigned by Amazon MQ, so the worst node is found with a Metrics Insights query.
      id: "broker-memory",
      component: "queue",
      description: `${broker.name}: a node above ${t.brokerMemoryFraction * 100} % of the RabbitMQ memory high-water mark (publishers will be blocked)`,
      severity: "high",
      metrics: [
        {
          id: "memory",
          expression: `SELECT MAX(RabbitMQMemUsed) FROM SCHEMA("AWS/AmazonMQ", Broker, Node) WHERE Broker = '${broker.name}'`,
        },
      ],
      threshold: Math.round(broker.memoryLimitBytes * t.brokerMemoryFraction),
      comparison: "GreaterThanThreshold",
      period: MINUTE,
      evaluationPeriods: 5,
    });
  }

  for (const fn of inventory.functions) {
    const dimensions = { FunctionName: fn.name };
    alarms.push(
      {
        id: `${fn.name}-errors`,
        component: "functions",
        description: `${fn.name}: invocation errors in 2 consecutive 5-minute periods`,
        severity: "medium",
        metrics: [{ id: "errors", namespace: "AWS/Lambda", metricName: "Errors", dimensions, stat: "Sum" }],
        threshold: 0,
        comparison: "GreaterThanThreshold",
        period: 5 * MINUTE,
        evaluationPeriods: 2,
      },
      {
        id: `${fn.name}-throttles`,
        component: "functions",
        description: `${fn.name}: throttled invocations (reserved concurrency or account limit reached)`,
        severity: "medium",
        metrics: [{ id: "throttles", namespace: "AWS/Lambda", metricName: "Throttles", dimensions, stat: "Sum" }],
        threshold: 0,
        comparison: "GreaterThanThreshold",
        period: 5 * MINUTE,
        evaluationPeriods: 1,
      },
    );
    if (fn.deadLetterQueueName) {
      alarms.push({
        id: `${fn.name}-failed-events`,
        component: "functions",
        description: `${fn.name}: events in its failure queue ${fn.deadLetterQueueName} (work that will not be retried)`,
        severity: "high",
        metrics: [
          {
            id: "failed",
            namespace: "AWS/SQS",
            metricName: "ApproximateNumberOfMessagesVisible",
            dimensions: { QueueName: fn.deadLetterQueueName },
            stat: "Maximum",
          },
        ],
        threshold: 0,
        comparison: "GreaterThanThreshold",
        period: 5 * MINUTE,
        evaluationPeriods: 1,
      });
    }
  }
  return alarms;
}
