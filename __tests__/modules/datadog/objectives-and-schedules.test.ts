import {
  AlertDestinations,
  BURN_RATE_WINDOWS,
  JourneySynthetics,
  type JourneySyntheticsProps,
  MaintenanceDowntimes,
  type MaintenanceDowntimesProps,
  SYNTHETICS_CREDENTIAL_INPUTS,
  ServiceLevelObjectives,
  type ServiceLevelTargets,
  rruleDays,
} from "../../../modules/datadog";
import { WEEKDAYS, minutesOfDay } from "../../../lib/maintenance";
import { RUNBOOKS, routing, synthesized, tagsOf } from "./fixtures";

const targets: ServiceLevelTargets = {
  availabilityPercent: 99.9,
  apiLatency: { p95Ms: 200, targetPercent: 99 },
  errorRate: { maxPercent: 1 },
  databaseQuery: { p95Ms: 50, targetPercent: 99 },
};

const slos = (given: ServiceLevelTargets) =>
  synthesized((scope) => void new ServiceLevelObjectives(scope, "slos", { environment: "test", loadBalancer: "lma-test", targets: given, routing, runbookBaseUrl: RUNBOOKS }));

describe("ServiceLevelObjectives", () => {
  const { resources } = slos(targets);
  const objectives = resources("datadog_service_level_objective");
  const burnRates = Object.values(resources("datadog_monitor"));

  it("has a burn-rate monitor per objective and window, each on an objective of this scope", () => {
    expect(burnRates).toHaveLength(Object.keys(objectives).length * BURN_RATE_WINDOWS.length);
    for (const monitor of burnRates) {
      const [, name] = /burn_rate\("\$\{datadog_service_level_objective\.([^.]+)\.id\}"\)/.exec(monitor.query)!;
      expect(objectives[name!]).toBeDefined();
      expect(monitor.query).toContain(`.over("${objectives[name!]!.timeframe}")`);
    }
  });

  it("keeps every burn rate within 1 / (1 − target)", () => {
    for (const monitor of burnRates) {
      const [, name] = /datadog_service_level_objective\.([^.]+)\.id/.exec(monitor.query)!;
      expect(Number(monitor.monitor_thresholds.critical)).toBeLessThanOrEqual(1 / (1 - objectives[name!]!.target_threshold / 100));
    }
  });

  it("refuses a target whose ceiling is below the fastest window's burn rate", () => {
    const fastest = Math.max(...BURN_RATE_WINDOWS.map((window) => window.rate));
    // A target whose 1 / (1 − target) falls just short of the fastest rate.
    const tooLoose = Number((100 * (1 - 1 / fastest) - 0.5).toFixed(2));
    expect(() => slos({ ...targets, availabilityPercent: tooLoose })).toThrow(new RegExp(`burn rate ${fastest} exceeds .* for the ${tooLoose} % availability SLO`));
  });

  it("sets each objective's warning between its target and 100", () => {
    for (const objective of Object.values(objectives)) {
      expect(objective.warning_threshold).toBeGreaterThan(objective.target_threshold);
      expect(objective.warning_threshold).toBeLessThan(100);
    }
  });
});

describe("JourneySynthetics", () => {
  const journeys: JourneySyntheticsProps["journeys"] = [
    { key: "health", description: "health", method: "GET", path: "/health", service: "auth", expectStatus: 200, maxResponseMs: 1000 },
    { key: "login", description: "login", method: "POST", path: "/login", service: "auth", expectStatus: 200, maxResponseMs: 2000, body: '{"user":"{{ LMA_SYNTHETICS_USER }}"}' },
  ];
  const props = (locations: string[]): JourneySyntheticsProps => ({
    environment: "test",
    apiHost: "api.test.example.com",
    journeys,
    locations,
    intervalSeconds: 300,
    routing,
    runbookBaseUrl: RUNBOOKS,
  });

  it("refuses fewer than two locations", () => {
    expect(() => synthesized((scope) => void new JourneySynthetics(scope, "synthetics", props(["aws:us-east-1"])))).toThrow(/at least two locations/);
  });

  it("tests each journey from every location and alerts only when at most all but one disagree", () => {
    const locations = ["aws:us-east-1", "aws:us-west-2"];
    const { resources, json } = synthesized((scope) => void new JourneySynthetics(scope, "synthetics", props(locations)));
    const tests = Object.values(resources("datadog_synthetics_test"));
    expect(tests.map((test) => tagsOf(test).journey).sort()).toEqual(journeys.map((journey) => journey.key).sort());
    for (const test of tests) {
      expect(test.locations).toEqual(locations);
      expect(test.options_list.min_location_failed).toBeLessThanOrEqual(locations.length);
      expect(test.options_list.min_location_failed).toBeGreaterThan(1);
      const usesCredentials = journeys.find((journey) => journey.key === tagsOf(test).journey)!.body?.includes("{{ LMA_SYNTHETICS_") ?? false;
      expect(test.config_variable !== undefined).toBe(usesCredentials);
    }
    // Each credential comes from the sensitive variable people set as TF_VAR_<name>.
    expect(Object.values(resources("datadog_synthetics_global_variable")).map((variable) => [variable.secure, variable.value]).sort()).toEqual(
      SYNTHETICS_CREDENTIAL_INPUTS.map((name) => [true, `\${var.${name}}`]).sort(),
    );
    for (const name of SYNTHETICS_CREDENTIAL_INPUTS) expect(json.variable[name]).toMatchObject({ sensitive: true, nullable: false });
  });
});

describe("MaintenanceDowntimes", () => {
  const windows: MaintenanceDowntimesProps["windows"] = [
    { days: ["sun"], start: "02:00", end: "06:00" },
    { days: ["tue", "thu"], start: "19:00", end: "22:00" },
  ];
  const downtimes = (overrides: Partial<MaintenanceDowntimesProps> = {}) =>
    Object.values(
      synthesized((scope) => void new MaintenanceDowntimes(scope, "maintenance", { environment: "test", timeZone: "America/New_York", windows, ...overrides })).resources(
        "datadog_downtime_schedule",
      ),
    );

  it("repeats each window weekly on its days, for its length plus the trailing minutes, from a matching day", () => {
    const trailingMinutes = 60;
    const recurrences = downtimes({ trailingMinutes }).map((downtime) => downtime.recurring_schedule.recurrence[0]);
    for (const window of windows) {
      const recurrence = recurrences.find((entry) => entry.rrule === `FREQ=WEEKLY;BYDAY=${rruleDays(window.days)}`)!;
      expect(recurrence.duration).toBe(`${minutesOfDay(window.end) - minutesOfDay(window.start) + trailingMinutes}m`);
      const [date, time] = recurrence.start.split("T");
      expect(time).toBe(`${window.start}:00`);
      expect(window.days).toContain(WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]);
    }
  });

  it("refuses a window that ends before it starts, and two windows at the same time", () => {
    expect(() => downtimes({ windows: [{ days: ["sun"], start: "06:00", end: "02:00" }] })).toThrow(/must end after it starts/);
    expect(() => downtimes({ windows: [windows[0]!, windows[0]!] })).toThrow(/two maintenance windows/);
  });
});

describe("AlertDestinations", () => {
  it("gives each PagerDuty service an object keyed by reference and each channel one Slack entry", () => {
    const channels = Object.values(routing.slackChannels);
    const { resources } = synthesized(
      (scope) =>
        void new AlertDestinations(scope, "destinations", {
          pagerDutyServices: Object.fromEntries(Object.values(routing.pagerDutyServices).map((name) => [name, `\${pagerduty_service_integration.${name}.integration_key}`])),
          slackAccount: routing.slackAccount,
          slackChannels: [...channels, ...channels],
        }),
    );
    expect(Object.values(resources("datadog_integration_pagerduty_service_object")).map((object) => object.service_name).sort()).toEqual(Object.values(routing.pagerDutyServices).sort());
    expect(Object.values(resources("datadog_integration_slack_channel")).map((entry) => entry.channel_name).sort()).toEqual(channels.map((channel) => `#${channel}`).sort());
  });
});
