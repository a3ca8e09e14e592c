import { observability, observabilityFor, type ObservabilityInput } from "../../environments/observability";
import { GOLDEN_SIGNALS, SEVERITIES } from "../../modules/datadog";
import { BURN_RATE_WINDOWS } from "../../modules/datadog/slos";
import { ConfigValidationError } from "../../environments/validate";
import { ENVIRONMENTS, type SynthesizedStack } from "../support/synth";
import { synthObservability } from "./observability-support";

type Body = Record<string, any>;
const bodies = (json: SynthesizedStack, type: string): Body[] => Object.values(json.resource[type] ?? {});
const tagsOf = (monitor: Body): Record<string, string> => Object.fromEntries((monitor.tags as string[]).map((tag) => tag.split(/:(.*)/s).slice(0, 2)));
/** `${type.name.attr}` → [type, name]. */
const referenced = (value: string): [string, string] => {
  const match = /^\$\{([a-z_]+)\.([^.]+)\.[a-z_]+\}$/.exec(value);
  if (!match) throw new Error(`not a reference: ${value}`);
  return [match[1]!, match[2]!];
};
const OPPOSITE_SIDE = { ">": (warning: number, critical: number) => warning < critical, ">=": (w: number, c: number) => w < c, "<": (w: number, c: number) => w > c, "<=": (w: number, c: number) => w > c };

const synthesized = Object.fromEntries(Object.entries(ENVIRONMENTS).map(([name, environment]) => [name, synthObservability(environment)]));

describe.each(Object.keys(ENVIRONMENTS))("lma-%s-observability", (name) => {
  const environment = ENVIRONMENTS[name as keyof typeof ENVIRONMENTS];
  const { json, config } = synthesized[name]!;
  const monitors = bodies(json, "datadog_monitor");
  const metricMonitors = monitors.filter((monitor) => monitor.type === "query alert");

  it("has its own S3 backend in the environment's state bucket", () => {
    const backend = (json.terraform as Body).backend.s3;
    expect(backend.key).toBe(`lma-${name}-observability/terraform.tfstate`);
    expect(backend.bucket).toMatch(new RegExp(`^lma-${name}-tfstate-.*-${environment.accountId}$`));
    expect(backend.use_lockfile).toBe(true);
  });

  it("gives every catalogue service a monitor per golden signal", () => {
    for (const service of environment.services) {
      const signals = new Set(metricMonitors.map(tagsOf).filter((tags) => tags.service === service.name).map((tags) => tags.signal));
      for (const signal of GOLDEN_SIGNALS) expect([service.name, signals.has(signal)]).toEqual([service.name, true]);
    }
  });

  it("names a metric and the environment tag in every metric monitor query", () => {
    for (const monitor of metricMonitors) {
      expect(monitor.query).toMatch(/[a-z]+:(aws|lma)\.[a-z0-9_.]+\{/);
      expect(monitor.query).toContain(`environment:${name}`);
      expect(monitor.tags).toContain(`environment:${name}`);
    }
  });

  it("puts critical and warning thresholds equal to, and on the OK side of, the query's", () => {
    for (const monitor of monitors) {
      const match = /(>=|<=|>|<)\s*(-?[\d.]+)\s*$/.exec(monitor.query);
      expect(match).not.toBeNull();
      const [, comparator, number] = match!;
      const critical = Number(monitor.monitor_thresholds.critical);
      expect([monitor.name, critical]).toEqual([monitor.name, Number(number)]);
      if (monitor.monitor_thresholds.warning !== undefined) {
        expect([monitor.name, OPPOSITE_SIDE[comparator as keyof typeof OPPOSITE_SIDE](Number(monitor.monitor_thresholds.warning), critical)]).toEqual([monitor.name, true]);
      }
      if (monitor.type === "slo alert") expect([">", ">="]).toContain(comparator);
    }
  });

  it("carries the severity in tags, priority and a handle that resolves in this stack", () => {
    const pagerDutyObjects = new Set(bodies(json, "datadog_integration_pagerduty_service_object").map((object) => object.service_name));
    const slackChannels = new Set(bodies(json, "datadog_integration_slack_channel").map((channel) => `${channel.account_name}-${channel.channel_name.slice(1)}`));
    for (const monitor of monitors) {
      const severity = tagsOf(monitor).severity as (typeof SEVERITIES)[number];
      expect(SEVERITIES).toContain(severity);
      expect(Number(monitor.priority)).toBe(SEVERITIES.indexOf(severity) + 1);
      const handles = [...(monitor.message as string).matchAll(/@(\S+)/g)].map((found) => found[1]!);
      expect(handles).toHaveLength(1);
      const [handle] = handles as [string];
      if (severity === "critical") expect(pagerDutyObjects.has(handle.replace(/^pagerduty-/, ""))).toBe(true);
      else if (severity === "low") expect(handle).toBe(config.environment.lowSeverityEmail);
      else expect(slackChannels.has(handle.replace(/^slack-/, ""))).toBe(true);
      if (monitor.renotify_statuses) expect(monitor.renotify_interval).toBeGreaterThan(0);
      if (monitor.notify_no_data) expect(monitor.no_data_timeframe).toBeGreaterThanOrEqual(2 * Number(/last_(\d+)m/.exec(monitor.query)?.[1] ?? 0));
    }
  });

  it("routes every critical monitor to a PagerDuty service whose escalation policy reaches scheduled people", () => {
    const objects = Object.fromEntries(bodies(json, "datadog_integration_pagerduty_service_object").map((object) => [object.service_name, object]));
    const integrations = json.resource.pagerduty_service_integration as Record<string, Body>;
    const services = json.resource.pagerduty_service as Record<string, Body>;
    const policies = json.resource.pagerduty_escalation_policy!;
    const schedules = json.resource.pagerduty_schedule!;
    const critical = monitors.filter((monitor) => tagsOf(monitor).severity === "critical");
    expect(critical.length).toBeGreaterThan(0);
    for (const monitor of critical) {
      const object = objects[/@pagerduty-(\S+)/.exec(monitor.message)![1]!]!;
      const integration = integrations[referenced(object.service_key)[1]]!;
      expect(integration.vendor).toBe("PAM4FGS");
      const service = services[referenced(integration.service)[1]]!;
      const policy = policies[referenced(service.escalation_policy)[1]]! as Body;
      const scheduleTargets = policy.rule.flatMap((rule: Body) => rule.target).filter((target: Body) => target.type === "schedule_reference");
      expect(scheduleTargets.length).toBeGreaterThanOrEqual(2);
      for (const target of scheduleTargets) {
        const schedule = schedules[referenced(target.id)[1]]! as Body;
        expect(schedule.layer[0].users.length).toBeGreaterThan(0);
      }
      expect(policy.rule.at(-1).target[0].type).toBe("user_reference");
      for (const rule of policy.rule) expect(rule.escalation_delay_in_minutes).toBeGreaterThanOrEqual(1);
    }
  });

  it("has burn-rate monitors only on SLOs that exist, within Datadog's ceiling", () => {
    const slos = json.resource.datadog_service_level_objective!;
    const burnRates = monitors.filter((monitor) => monitor.type === "slo alert");
    expect(burnRates).toHaveLength(Object.keys(slos).length * BURN_RATE_WINDOWS.length);
    for (const monitor of burnRates) {
      const [, sloName] = referenced(/burn_rate\("([^"]+)"\)/.exec(monitor.query)![1]!);
      const slo = slos[sloName]! as Body;
      expect(slo).toBeDefined();
      expect(monitor.query).toContain(`.over("${slo.timeframe}")`);
      expect(slo.thresholds.map((threshold: Body) => threshold.timeframe)).toContain(slo.timeframe);
      expect(Number(monitor.monitor_thresholds.critical)).toBeLessThanOrEqual(1 / (1 - slo.target_threshold / 100));
    }
  });

  it("uses only declared template variables in dashboards", () => {
    for (const dashboard of bodies(json, "datadog_dashboard_json")) {
      const document = JSON.parse(dashboard.dashboard);
      const declared = new Set(document.template_variables.map((variable: Body) => variable.name));
      expect(declared.size).toBe(document.template_variables.length);
      const used = [...JSON.stringify(document.widgets).matchAll(/\$([a-z_]+)/g)].map((found) => found[1]);
      expect(used.length).toBeGreaterThan(0);
      for (const variable of used) expect(declared.has(variable)).toBe(true);
      expect(document.tags.every((tag: string) => tag.startsWith("team:"))).toBe(true);
    }
  });

  it("writes no credential into the JSON", () => {
    const { text } = synthesized[name]!;
    for (const provider of Object.values(json.provider ?? {}).flat()) {
      for (const key of ["api_key", "app_key", "token", "user_token"]) expect(provider).not.toHaveProperty(key);
    }
    expect(text).not.toMatch(/\b[0-9a-f]{32}\b|\b[0-9a-f]{40}\b/);
    for (const variable of bodies(json, "datadog_synthetics_global_variable")) expect(variable.value).toMatch(/^\$\{var\./);
  });

  it("keeps maintenance downtimes time-zone aware, one per configured window", () => {
    const downtimes = bodies(json, "datadog_downtime_schedule");
    expect(downtimes).toHaveLength(config.environment.maintenance.windows.length);
    for (const downtime of downtimes) {
      expect(downtime.recurring_schedule.timezone).toBe(config.environment.maintenance.timeZone);
      expect(downtime.recurring_schedule.recurrence[0].rrule).not.toMatch(/DTSTART|DTEND|DURATION/);
    }
  });

  it("tests every journey from at least two locations", () => {
    const tests = bodies(json, "datadog_synthetics_test");
    expect(tests.map((test) => tagsOf(test).journey).sort()).toEqual(config.journeys.map((journey) => journey.key).sort());
    for (const test of tests) expect(test.locations.length).toBeGreaterThanOrEqual(2);
  });
});

describe("production", () => {
  const { json, config } = synthesized.production!;
  const monitors = bodies(json, "datadog_monitor");
  it("has the five dashboards, four SLOs, five business-SLA monitors, synthetics and downtimes", () => {
    const titles = bodies(json, "datadog_dashboard_json").map((dashboard) => JSON.parse(dashboard.dashboard).title);
    for (const kind of ["Operational", "Application", "Business processes", "Infrastructure", "Executive"]) expect(titles).toContain(`LMA production: ${kind}`);
    expect(Object.keys(json.resource.datadog_service_level_objective!)).toHaveLength(4);
    expect(monitors.filter((monitor) => tagsOf(monitor)["business-sla"]).map((monitor) => tagsOf(monitor)["business-sla"]).sort()).toEqual(
      config.businessSlas.map((sla) => sla.key).sort(),
    );
    expect(bodies(json, "datadog_downtime_schedule").map((downtime) => downtime.recurring_schedule.recurrence[0])).toEqual([
      { rrule: "FREQ=WEEKLY;BYDAY=SU", duration: "240m", start: expect.stringMatching(/T02:00:00$/) },
      { rrule: "FREQ=WEEKLY;BYDAY=WE", duration: "120m", start: expect.stringMatching(/T02:00:00$/) },
    ]);
  });
  it("pages when the DR replica lags more than 5 seconds", () => {
    const lag = monitors.find((monitor) => monitor.query.includes("aws.rds.replica_lag") && monitor.query.includes("region:eu-west-1"))!;
    expect(lag.query).toMatch(/ > 5$/);
    expect(tagsOf(lag).severity).toBe("critical");
  });
  it("owns the organisation's PagerDuty users, while other environments look them up", () => {
    expect(bodies(json, "pagerduty_user").map((user) => user.email).sort()).toEqual(config.people.map((person) => person.email).sort());
    expect(synthesized.dev!.json.resource.pagerduty_user).toBeUndefined();
    expect(Object.keys(synthesized.dev!.json.data!.pagerduty_user!)).toHaveLength(config.people.length);
  });
});

describe("a service added to the catalogue", () => {
  const environment = ENVIRONMENTS.production;
  const added = { ...environment.services[0]!, name: "servicing", paths: ["/api/servicing", "/api/servicing/*"] };
  const { json } = synthObservability({ ...environment, services: [...environment.services, added] });
  it("gets monitors per golden signal, dashboard widgets and a page route", () => {
    const own = bodies(json, "datadog_monitor").filter((monitor) => tagsOf(monitor).service === "servicing");
    expect(new Set(own.map((monitor) => tagsOf(monitor).signal))).toEqual(new Set(GOLDEN_SIGNALS));
    expect(own.some((monitor) => monitor.message.includes("@pagerduty-lma-production-api"))).toBe(true);
    const operational = bodies(json, "datadog_dashboard_json").map((dashboard) => JSON.parse(dashboard.dashboard)).find((document) => document.title.endsWith("Operational"));
    expect(JSON.stringify(operational)).toContain("servicename:lma-production-servicing");
    expect(bodies(json, "datadog_service_definition_yaml").some((definition) => JSON.parse(definition.service_definition)["dd-service"] === "servicing")).toBe(true);
  });
});

describe("environments/observability.ts validation", () => {
  const services = ENVIRONMENTS.production.services.map((service) => service.name);
  const edited = (change: (draft: any) => void): ObservabilityInput => {
    const draft = structuredClone(observability);
    change(draft);
    return draft;
  };
  const problems = (input: ObservabilityInput): string => {
    try {
      observabilityFor("production", services, input);
    } catch (error) {
      if (error instanceof ConfigValidationError) return error.message;
      throw error;
    }
    return "";
  };
  it("accepts the committed configuration for every environment", () => {
    for (const environment of Object.values(ENVIRONMENTS)) expect(() => observabilityFor(environment.name, environment.services.map((service) => service.name))).not.toThrow();
  });
  it.each([
    ["an on-call email nobody has", (draft: any) => (draft.teams[0].manager = "ghost@lma.example.com"), "observability.teams[0].manager"],
    ["a time zone PagerDuty rejects", (draft: any) => (draft.rotation.timeZone = "Mars/Olympus"), "observability.rotation.timeZone"],
    ["a single synthetics location", (draft: any) => (draft.environments.production.synthetics.locations = ["aws:us-east-1"]), "observability.environments.production.synthetics.locations"],
    ["a journey on an unknown service", (draft: any) => (draft.journeys[0].service = "billing"), "observability.journeys[0].service"],
    ["support-hours urgency without support hours", (draft: any) => (draft.environments.production.urgency.api = "support_hours"), "observability.environments.production.supportHours"],
  ])("names the file and field for %s", (_, change, field) => {
    const message = problems(edited(change));
    expect(message).toContain(`environments/observability.ts: ${field}`);
  });
});

describe("docs/observability.md", () => {
  const text = require("node:fs").readFileSync(require("node:path").join(__dirname, "../../docs/observability.md"), "utf8") as string;
  it("documents every custom metric the monitors and SLOs read", () => {
    const { json } = synthesized.production!;
    const queries = [...bodies(json, "datadog_monitor").map((monitor) => monitor.query), JSON.stringify(json.resource.datadog_service_level_objective)];
    const custom = new Set(queries.flatMap((query) => [...query.matchAll(/\b(lma\.[a-z0-9_.]+?)(?=\{)/g)].map((found) => found[1]!)));
    expect(custom.size).toBeGreaterThan(0);
    for (const name of custom) expect(text).toContain(`\`${name}\``);
  });
});
