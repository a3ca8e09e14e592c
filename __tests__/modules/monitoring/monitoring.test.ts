import { Testing, TerraformStack } from "cdktf";
import {
  ALARM_THRESHOLDS,
  CIS_FILTERS,
  PlatformMonitoring,
  type PlatformInventory,
  type PlatformMonitoringProps,
  SEVERITIES,
  Tracing,
  platformAlarms,
  rabbitMqMemoryLimitBytes,
  redisNodeIds,
} from "../../../modules/monitoring";

type Resource = Record<string, any>;

const grantedServices: string[] = [];
const topicsKey = {
  arn: "arn:aws:kms:us-east-1:400000000003:key/alerts",
  grantToService: (_sid: string, service: string) => void grantedServices.push(service),
};

const inventory: PlatformInventory = {
  loadBalancerArnSuffix: "app/lma-test/abc",
  services: ["loan", "document"].map((name) => ({
    name,
    clusterName: "lma-test",
    serviceName: `lma-test-${name}`,
    targetGroupArnSuffix: `targetgroup/lma-test-${name}/123`,
  })),
  databases: [
    { identifier: "lma-test-postgres", role: "writer", allocatedStorageGiB: 500 },
    { identifier: "lma-test-postgres-replica-1", role: "reader", allocatedStorageGiB: 500 },
    { identifier: "lma-test-postgres-dr", role: "cross-region-replica", allocatedStorageGiB: 500 },
  ],
  cache: { replicationGroupId: "lma-test-redis", nodeIds: ["lma-test-redis-0001-001", "lma-test-redis-0001-002"] },
  search: { domainName: "lma-test-search", accountId: "400000000003", volumeSizeGiB: 100 },
  broker: { name: "lma-test-rabbitmq", queues: ["document", "notification"], memoryLimitBytes: 3_435_973_837 },
  functions: [{ name: "lma-test-document-processing", deadLetterQueueName: "lma-test-document-processing-failures" }, { name: "lma-test-cron" }],
};

function synth(overrides: Partial<PlatformMonitoringProps> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new PlatformMonitoring(stack, "monitoring", {
    prefix: "lma-test-use1",
    tracingPrefix: "lma-test-use1",
    accountId: "400000000003",
    region: "us-east-1",
    topicsKey,
    inventory,
    trailLogGroupName: "/lma/test/cloudtrail",
    tracedServices: inventory.services.map((service) => service.serviceName),
    healthCheckPath: "/health",
    ...overrides,
  });
  return JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Resource>> };
}

const json = synth();
const of = (type: string) => Object.values(json.resource[type] ?? {});
const topicRefs = Object.keys(json.resource.aws_sns_topic).map((id) => `\${aws_sns_topic.${id}.arn}`);

describe("severity topics", () => {
  test("one KMS-encrypted topic per severity", () => {
    const topics = of("aws_sns_topic");
    expect(topics.map((topic) => topic.name).sort()).toEqual(SEVERITIES.map((severity) => `lma-test-use1-alerts-${severity}`).sort());
    for (const topic of topics) expect(topic.kms_master_key_id).toBe(topicsKey.arn);
    expect([...new Set(grantedServices)].sort()).toEqual(["cloudwatch.amazonaws.com", "events.amazonaws.com"]);
  });

  test("only CloudWatch alarms and EventBridge rules of the account may publish", () => {
    for (const policy of of("aws_sns_topic_policy")) {
      const statements = JSON.parse(policy.policy).Statement as Resource[];
      const allowed = statements.filter((statement) => statement.Effect === "Allow");
      expect(allowed.map((statement) => statement.Principal.Service).sort()).toEqual(["cloudwatch.amazonaws.com", "events.amazonaws.com"]);
      for (const statement of allowed) expect(statement.Condition.StringEquals["aws:SourceAccount"]).toBe("400000000003");
    }
  });
});

describe("platform alarms", () => {
  const alarms = of("aws_cloudwatch_metric_alarm");

  test("every alarm notifies a severity topic on ALARM and OK", () => {
    for (const alarm of alarms) {
      expect(alarm.alarm_actions).toHaveLength(1);
      expect(topicRefs).toContain(alarm.alarm_actions[0]);
      expect(alarm.ok_actions).toEqual(alarm.alarm_actions);
      expect(SEVERITIES).toContain(alarm.tags.Severity);
    }
  });

  test("every service has CPU, memory, 5xx, p95 latency and running-below-desired alarms", () => {
    for (const service of inventory.services) {
      for (const signal of ["cpu", "memory", "5xx", "latency-p95", "running-below-desired"]) {
        expect(alarms.map((alarm) => alarm.alarm_name)).toContain(`lma-test-use1-${service.name}-${signal}`);
      }
    }
    const latency = alarms.find((alarm) => alarm.alarm_name === "lma-test-use1-loan-latency-p95")!;
    expect(latency.extended_statistic).toBe("p95");
    expect(latency.threshold).toBe(ALARM_THRESHOLDS.latencyP95Seconds);
  });

  test("the cross-region replica's lag pages at the recovery-point objective and silence counts as breach", () => {
    const lag = alarms.find((alarm) => alarm.alarm_name === "lma-test-use1-lma-test-postgres-dr-replica-lag")!;
    expect(lag.tags.Severity).toBe("critical");
    expect(lag.threshold).toBe(5);
    expect(lag.treat_missing_data).toBe("breaching");
    expect(alarms.some((alarm) => alarm.alarm_name === "lma-test-use1-lma-test-postgres-replica-lag")).toBe(false);
  });

  test("database connections alarm against the 200-per-instance limit", () => {
    const connections = alarms.find((alarm) => alarm.alarm_name === "lma-test-use1-lma-test-postgres-connections")!;
    expect(connections.threshold).toBe(200 * ALARM_THRESHOLDS.databaseConnectionsFraction);
  });

  test("Redis alarms take the worst node", () => {
    const cpu = alarms.find((alarm) => alarm.alarm_name === "lma-test-use1-cache-engine-cpu")!;
    const returned = cpu.metric_query.filter((query: Resource) => query.return_data);
    expect(returned).toEqual([expect.objectContaining({ expression: "MAX([n0,n1])" })]);
    expect(cpu.metric_query.filter((query: Resource) => query.metric).map((query: Resource) => query.metric.dimensions.CacheClusterId)).toEqual(
      inventory.cache!.nodeIds,
    );
  });

  test("a metric-math alarm returns exactly one series", () => {
    for (const alarm of alarms.filter((candidate) => candidate.metric_query)) {
      expect(alarm.metric_query.filter((query: Resource) => query.return_data)).toHaveLength(1);
    }
  });

  test("OpenSearch, RabbitMQ and Lambda are covered", () => {
    const names = alarms.map((alarm) => alarm.alarm_name);
    for (const suffix of ["search-cluster-red", "search-free-storage", "search-jvm-pressure", "broker-memory"]) expect(names).toContain(`lma-test-use1-${suffix}`);
    for (const queue of inventory.broker!.queues) expect(names).toContain(`lma-test-use1-queue-${queue}-depth`);
    for (const fn of inventory.functions) {
      expect(names).toContain(`lma-test-use1-${fn.name}-errors`);
      expect(names).toContain(`lma-test-use1-${fn.name}-throttles`);
    }
    expect(names).toContain("lma-test-use1-lma-test-document-processing-failed-events");
  });

  test("a service added to the inventory gets its alarms", () => {
    const before = platformAlarms(inventory).length;
    const withExtra = platformAlarms({
      ...inventory,
      services: [...inventory.services, { name: "pricing", clusterName: "c", serviceName: "s", targetGroupArnSuffix: "t" }],
    });
    const added = withExtra.filter((alarm) => alarm.component === "pricing");
    expect(added.map((alarm) => alarm.id)).toEqual(["cpu", "memory", "5xx", "latency-p95", "running-below-desired"].map((signal) => `pricing-${signal}`));
    expect(withExtra.length - before).toBe(added.length);
  });
});

describe("CIS benchmark monitoring", () => {
  test("one metric filter on the trail's log group and one security alarm per control", () => {
    const filters = of("aws_cloudwatch_log_metric_filter");
    expect(filters).toHaveLength(CIS_FILTERS.length);
    for (const filter of filters) expect(filter.log_group_name).toBe("/lma/test/cloudtrail");
    const securityTopic = topicRefs.find((ref) => ref.includes("security"));
    const cis = of("aws_cloudwatch_metric_alarm").filter((alarm) => alarm.alarm_name.includes("-cis-"));
    expect(cis).toHaveLength(CIS_FILTERS.length);
    for (const alarm of cis) expect(alarm.alarm_actions).toEqual([securityTopic]);
  });

  test("without a trail there are no CIS filters", () => {
    expect(synth({ trailLogGroupName: undefined }).resource.aws_cloudwatch_log_metric_filter).toBeUndefined();
  });
});

describe("findings routing", () => {
  test("GuardDuty high and above and Security Hub HIGH/CRITICAL go to the security topic", () => {
    const rules = of("aws_cloudwatch_event_rule").map((rule) => JSON.parse(rule.event_pattern));
    const guardDuty = rules.find((pattern) => pattern.source[0] === "aws.guardduty");
    expect(guardDuty.detail.severity).toEqual([{ numeric: [">=", 7] }]);
    const securityHub = rules.find((pattern) => pattern.source[0] === "aws.securityhub");
    expect(securityHub.detail.findings.Severity.Label.sort()).toEqual(["CRITICAL", "HIGH"]);
    const securityTopic = topicRefs.find((ref) => ref.includes("security"));
    for (const target of of("aws_cloudwatch_event_target")) expect(target.arn).toBe(securityTopic);
  });
});

describe("dashboard and tracing", () => {
  test("the dashboard has a row per service and fits the 24-column grid", () => {
    const body = JSON.parse(of("aws_cloudwatch_dashboard")[0].dashboard_body);
    for (const widget of body.widgets) expect(widget.x + widget.width).toBeLessThanOrEqual(24);
    for (const service of inventory.services) {
      expect(body.widgets.filter((widget: Resource) => String(widget.properties.title).startsWith(`${service.name}:`))).toHaveLength(3);
    }
  });

  test("health checks are never sampled; every service has an X-Ray group", () => {
    const rules = of("aws_xray_sampling_rule");
    const health = rules.find((rule) => rule.url_path === "/health")!;
    expect([health.fixed_rate, health.reservoir_size]).toEqual([0, 0]);
    expect(rules.find((rule) => rule.url_path === "*")!.priority).toBeGreaterThan(health.priority);
    const groups = of("aws_xray_group").map((group) => group.filter_expression);
    for (const service of inventory.services) expect(groups).toContain(`service("${service.serviceName}")`);
  });

  test("a name X-Ray would refuse is an error at synthesis", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "long");
    expect(() => new Tracing(stack, "t", { prefix: "lma-production-use1-very-long", serviceNames: ["notification"], healthCheckPath: "/health" })).toThrow(
      /longer than 32 characters/,
    );
  });
});

describe("blue/green target groups", () => {
  test("the target alarms read both target groups, so they watch whichever is live", () => {
    const [service] = inventory.services;
    const alarms = platformAlarms({ ...inventory, services: [{ ...service!, alternateTargetGroupArnSuffix: "targetgroup/lma-test-loan-alt/456" }] });
    const errors = alarms.find((alarm) => alarm.id === "loan-5xx")!;
    const groups = errors.metrics.filter((metric) => metric.dimensions).map((metric) => metric.dimensions!.TargetGroup);
    expect(groups).toEqual([service!.targetGroupArnSuffix, "targetgroup/lma-test-loan-alt/456"]);
    expect(errors.metrics.at(-1)!.expression).toBe("SUM([errors0,errors1])");
    expect(alarms.find((alarm) => alarm.id === "loan-latency-p95")!.metrics.at(-1)!.expression).toBe("MAX([latency0,latency1])");
  });
});

describe("resource shapes", () => {
  test("Redis member ids follow ElastiCache's naming with and without cluster mode", () => {
    expect(redisNodeIds({ replicationGroupId: "g", clusterMode: false, shards: 1, replicasPerShard: 2 })).toEqual(["g-001", "g-002", "g-003"]);
    expect(redisNodeIds({ replicationGroupId: "g", clusterMode: true, shards: 2, replicasPerShard: 1 })).toEqual(["g-0001-001", "g-0001-002", "g-0002-001", "g-0002-002"]);
    expect(() => redisNodeIds({ replicationGroupId: "g", clusterMode: false, shards: 2, replicasPerShard: 1 })).toThrow(/need cluster mode/);
  });

  test("the RabbitMQ memory high-water mark is 0.4 of the instance's memory before 4.0 and 0.6 from 4.0", () => {
    expect(rabbitMqMemoryLimitBytes("mq.m5.large", "3.13")).toBe(Math.round(8 * 1024 ** 3 * 0.4));
    expect(rabbitMqMemoryLimitBytes("mq.m7g.large", "4.2")).toBe(Math.round(8 * 1024 ** 3 * 0.6));
    expect(() => rabbitMqMemoryLimitBytes("mq.x1.huge", "3.13")).toThrow(/mq\.x1\.huge/);
  });
});
