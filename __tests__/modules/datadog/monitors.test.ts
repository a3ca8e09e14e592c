import {
  AlertMonitor,
  type AlertMonitorProps,
  type Comparator,
  GOLDEN_SIGNALS,
  PlatformMonitors,
  SEVERITIES,
  checkThresholds,
  metric,
  notificationHandle,
  windowMinutes,
} from "../../../modules/datadog";
import { type Body, RUNBOOKS, platform, routing, synthesized, tagsOf } from "./fixtures";

const condition = { timeAggregation: "avg", window: "last_15m", expression: metric("avg", "aws.rds.cpuutilization", { environment: "test" }) } as const;

function alert(overrides: Partial<AlertMonitorProps> = {}): Body {
  const { resources } = synthesized((scope) => {
    new AlertMonitor(scope, "alert", {
      routing,
      name: "test: database CPU",
      severity: "high",
      tier: "data",
      condition: { ...condition, comparator: ">", critical: 90, warning: 80 },
      description: "CPU is high.",
      runbookUrl: `${RUNBOOKS}/database-cpu`,
      tags: { environment: "test" },
      noData: "ignore",
      ...overrides,
    });
  });
  return Object.values(resources("datadog_monitor"))[0]!;
}

/** A warning on the alerting side of `critical` for each comparator. */
const ALERTING_SIDE: Record<Comparator, (critical: number) => number> = { ">": (c) => c + 1, ">=": (c) => c + 1, "<": (c) => c - 1, "<=": (c) => c - 1 };

describe("AlertMonitor", () => {
  it("writes one number into the query and monitor_thresholds", () => {
    const monitor = alert();
    expect(monitor.query.endsWith(` > ${monitor.monitor_thresholds.critical}`)).toBe(true);
    expect(Number(monitor.monitor_thresholds.warning)).toBeLessThan(Number(monitor.monitor_thresholds.critical));
  });

  it.each(Object.keys(ALERTING_SIDE) as Comparator[])("refuses a warning on the alerting side of critical for %s", (comparator) => {
    const critical = 50;
    expect(() => alert({ condition: { ...condition, comparator, critical, warning: ALERTING_SIDE[comparator](critical) } })).toThrow(/OK side of critical/);
    expect(() => alert({ condition: { ...condition, comparator, critical, warning: critical } })).toThrow(/OK side of critical/);
  });

  it.each(SEVERITIES)("carries %s in its tags, priority and one resolvable handle", (severity) => {
    const monitor = alert({ severity });
    expect(tagsOf(monitor)).toMatchObject({ severity, tier: "data", environment: "test" });
    expect(Number(monitor.priority)).toBe(SEVERITIES.indexOf(severity) + 1);
    expect([...monitor.message.matchAll(/@\S+/g)].map((found) => found[0])).toEqual([notificationHandle(routing, severity, "data")]);
  });

  it("waits twice the window before a no-data alert, and renotifies no-data only where it notifies", () => {
    const silent = alert({ noData: "notify", severity: "critical" });
    expect(silent.notify_no_data).toBe(true);
    expect(silent.no_data_timeframe).toBe(2 * windowMinutes(condition.window));
    expect(silent.renotify_statuses).toContain("no data");
    const sparse = alert({ noData: "ignore", severity: "critical" });
    expect(sparse.no_data_timeframe).toBeUndefined();
    expect(sparse.renotify_statuses).not.toContain("no data");
  });

  it("refuses a critical tier with no PagerDuty service", () => {
    expect(() => alert({ severity: "critical", tier: "security" })).toThrow(/no PagerDuty service for tier "security"/);
  });
});

describe("checkThresholds", () => {
  it("refuses a monitor_thresholds.critical that differs from the query's number", () => {
    expect(() => checkThresholds("m", "avg(last_5m):avg:aws.rds.cpuutilization{environment:test} > 90", { critical: "85" })).toThrow(/differs from the query's 90/);
  });
  it("compares numerically, as the API does", () => {
    expect(() => checkThresholds("m", "avg(last_5m):avg:aws.rds.replica_lag{environment:test} > 0.50", { critical: "0.5", warning: "0.25" })).not.toThrow();
  });
  it("refuses a query that does not end in a comparison", () => {
    expect(() => checkThresholds("m", "avg(last_5m):avg:aws.rds.cpuutilization{environment:test}", { critical: "90" })).toThrow(/does not end in a comparison/);
  });
});

describe("PlatformMonitors on a two-service platform", () => {
  const { resources } = synthesized((scope) => void new PlatformMonitors(scope, "monitors", { platform, routing, runbookBaseUrl: RUNBOOKS }));
  const monitors = Object.values(resources("datadog_monitor"));

  it("gives every service a monitor per golden signal, and a backlog monitor only to queue consumers", () => {
    for (const service of platform.services) {
      const own = monitors.filter((monitor) => tagsOf(monitor).service === service.name);
      expect(new Set(own.map((monitor) => tagsOf(monitor).signal))).toEqual(new Set(GOLDEN_SIGNALS));
      expect(own.some((monitor) => monitor.query.includes("message_ready_count"))).toBe(service.queue !== undefined);
    }
  });

  it("judges a queue's backlog against what the service's task ceiling absorbs", () => {
    const consumer = platform.services.find((service) => service.queue)!;
    const backlog = monitors.find((monitor) => tagsOf(monitor).service === consumer.name && monitor.query.includes("message_ready_count"))!;
    expect(Number(backlog.monitor_thresholds.warning)).toBe(consumer.queue!.messagesPerTask * consumer.maxTasks);
  });

  it("alerts on storage below the allocated size, with the warning before the critical", () => {
    const storage = monitors.find((monitor) => monitor.query.includes("aws.rds.free_storage_space"))!;
    const allocatedBytes = platform.database.allocatedStorageGiB * 1024 ** 3;
    expect(Number(storage.monitor_thresholds.critical)).toBeLessThan(Number(storage.monitor_thresholds.warning));
    expect(Number(storage.monitor_thresholds.warning)).toBeLessThan(allocatedBytes);
  });

  it("monitors each read replica and the DR replica in its own region", () => {
    for (const replica of platform.database.readReplicas) expect(monitors.some((monitor) => monitor.query.includes(`dbinstanceidentifier:${replica}}`))).toBe(true);
    const dr = monitors.filter((monitor) => tagsOf(monitor).component === "disaster-recovery");
    expect(dr).toHaveLength(1);
    expect(dr[0]!.query).toContain(`region:${platform.database.drReplica!.region}`);
  });

  it("names the environment in every query and tag set", () => {
    for (const monitor of monitors) {
      expect(monitor.query).toContain(`environment:${platform.environment}`);
      expect(tagsOf(monitor).environment).toBe(platform.environment);
    }
  });

  it("refuses two services with one name (their monitors would share keys)", () => {
    const twice = { ...platform, services: [platform.services[0]!, platform.services[0]!] };
    expect(() => synthesized((scope) => void new PlatformMonitors(scope, "monitors", { platform: twice, routing, runbookBaseUrl: RUNBOOKS }))).toThrow(/share the key/);
  });
});
