import { awsAlertDestinations, observability, observabilityFor, type ObservabilityInput } from "../../environments/observability";
import { DASHBOARD_KINDS, DEFAULT_RECOVERY_POINT_SECONDS, GOLDEN_SIGNALS, SEVERITIES, rruleDays } from "../../modules/datadog";
import { minutesOfDay } from "../../lib/maintenance";
import { CLOUDWATCH_VENDOR_ID, DATADOG_VENDOR_ID } from "../../modules/pagerduty";
import { PAGERDUTY_CLOUDWATCH_OUTPUTS, datadogIntegrationRoleName, daylightSavingShiftMinutes } from "../../stacks/observability-stack";
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

  it("keeps its own state in the environment's configured backend", () => {
    const terraform = json.terraform as Body;
    if (environment.backend.type === "hcp") {
      expect(terraform.cloud.workspaces.name).toBe(`lma-${name}-observability`);
      return;
    }
    const backend = terraform.backend.s3;
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
      expect(integration.vendor).toBe(DATADOG_VENDOR_ID);
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
    // The external id is configuration Datadog shows in its UI, not a credential.
    const text = synthesized[name]!.text.replaceAll(environment.datadog.awsIntegrationExternalId, "");
    for (const provider of Object.values(json.provider ?? {}).flat()) {
      for (const key of ["api_key", "app_key", "token", "user_token"]) expect(provider).not.toHaveProperty(key);
    }
    expect(text).not.toMatch(/\b[0-9a-f]{32}\b|\b[0-9a-f]{40}\b/);
    for (const variable of bodies(json, "datadog_synthetics_global_variable")) expect(variable.value).toMatch(/^\$\{var\./);
    for (const output of Object.values(PAGERDUTY_CLOUDWATCH_OUTPUTS)) expect((json.output as Body)[output.output].sensitive).toBe(true);
  });

  it("links the AWS integration to the environment file's role name and external id", () => {
    const [integration] = bodies(json, "datadog_integration_aws_account") as [Body];
    expect(integration.aws_account_id).toBe(environment.accountId);
    expect(integration.auth_config.aws_auth_config_role).toEqual({ role_name: datadogIntegrationRoleName(name), external_id: environment.datadog.awsIntegrationExternalId });
    expect(integration.aws_regions.include_only).toEqual(environment.regions.map((region) => region.region));
  });

  it("outputs a PagerDuty CloudWatch endpoint per paging topic, on that tier's service", () => {
    const integrations = json.resource.pagerduty_service_integration as Record<string, Body>;
    const services = json.resource.pagerduty_service as Record<string, Body>;
    for (const { tier, output } of Object.values(PAGERDUTY_CLOUDWATCH_OUTPUTS)) {
      const value = (json.output as Body)[output].value as string;
      const [, integrationName] = /\$\{pagerduty_service_integration\.([^.]+)\.integration_key\}/.exec(value)!;
      expect(value).toMatch(/^https:\/\/events\.pagerduty\.com\/integration\/\$\{.+\}\/enqueue$/);
      const integration = integrations[integrationName!]!;
      expect(integration.vendor).toBe(CLOUDWATCH_VENDOR_ID);
      expect(services[referenced(integration.service)[1]]!.name).toBe(`lma-${name}-${tier}`);
    }
  });

  it("mutes monitors in each of the environment file's maintenance windows, in its time zone", () => {
    const { maintenance } = environment;
    const shift = daylightSavingShiftMinutes(maintenance.timeZone);
    const recurrences = bodies(json, "datadog_downtime_schedule").map((downtime) => {
      expect(downtime.recurring_schedule.timezone).toBe(maintenance.timeZone);
      expect(downtime.scope).toBe(`environment:${name}`);
      return downtime.recurring_schedule.recurrence[0];
    });
    const byRule = (a: Body, b: Body) => a.rrule.localeCompare(b.rrule);
    expect(recurrences.sort(byRule)).toEqual(
      maintenance.windows.map((window) => ({
        rrule: `FREQ=WEEKLY;BYDAY=${rruleDays(window.days)}`,
        duration: `${minutesOfDay(window.end) - minutesOfDay(window.start) + shift}m`,
        start: expect.stringMatching(new RegExp(`T${window.start}:00$`)),
      })).sort(byRule),
    );
  });

  it("gives the AWS stacks the Slack workspace, channels and mailbox Datadog notifies", () => {
    const destinations = awsAlertDestinations(environment);
    const channelNames = new Set(bodies(json, "datadog_integration_slack_channel").map((channel) => channel.channel_name.slice(1)));
    expect(channelNames).toEqual(new Set(Object.values(config.environment.slack)));
    expect(Object.keys(destinations.slackChannelIds).sort()).toEqual(Object.keys(config.environment.slack).sort());
    expect(destinations.slackWorkspaceId).toBe(config.slackWorkspaceId);
    expect(metricMonitors.some((monitor) => monitor.message.includes(`@${destinations.lowSeverityEmail}`))).toBe(true);
  });

  it("owns the organisation's PagerDuty users and Service Catalogue only in the production tier", () => {
    const owns = environment.tier === "production";
    expect(config.ownsOrganisation).toBe(owns);
    const people = config.people.map((person) => person.email).sort();
    if (owns) {
      expect(bodies(json, "pagerduty_user").map((user) => user.email).sort()).toEqual(people);
      expect(bodies(json, "datadog_service_definition_yaml")).toHaveLength(environment.services.length);
    } else {
      expect(json.resource.pagerduty_user).toBeUndefined();
      expect(Object.values(json.data!.pagerduty_user!).map((user: Body) => user.email).sort()).toEqual(people);
      expect(json.resource.datadog_service_definition_yaml).toBeUndefined();
    }
  });

  it("pages on the DR replica's lag exactly when the environment has a standby region", () => {
    const standby = environment.regions.find((region) => region.role === "standby");
    const lag = monitors.filter((monitor) => tagsOf(monitor).component === "disaster-recovery");
    if (!standby || !environment.database.crossRegionReplica) {
      expect(lag).toEqual([]);
      return;
    }
    expect(lag).toHaveLength(1);
    expect(lag[0]!.query).toContain(`region:${standby.region}`);
    expect(lag[0]!.query).toMatch(new RegExp(` > ${DEFAULT_RECOVERY_POINT_SECONDS}$`));
    expect(tagsOf(lag[0]!).severity).toBe("critical");
  });

  it("tests every journey from at least two locations", () => {
    const tests = bodies(json, "datadog_synthetics_test");
    expect(tests.map((test) => tagsOf(test).journey).sort()).toEqual(config.journeys.map((journey) => journey.key).sort());
    for (const test of tests) expect(test.locations.length).toBeGreaterThanOrEqual(2);
  });
});

const productionTier = Object.keys(ENVIRONMENTS).filter((name) => ENVIRONMENTS[name as keyof typeof ENVIRONMENTS].tier === "production");

describe.each(productionTier)("lma-%s-observability (production tier)", (name) => {
  const { json, config } = synthesized[name]!;
  const monitors = bodies(json, "datadog_monitor");
  it("has every dashboard, the four SLOs, a monitor per business SLA, the synthetics and the downtimes", () => {
    const titles = bodies(json, "datadog_dashboard_json").map((dashboard) => JSON.parse(dashboard.dashboard).title);
    expect(new Set(titles).size).toBe(DASHBOARD_KINDS.length);
    expect(Object.keys(json.resource.datadog_service_level_objective!)).toHaveLength(Object.keys(config.slos).length);
    expect(monitors.filter((monitor) => tagsOf(monitor)["business-sla"]).map((monitor) => tagsOf(monitor)["business-sla"]).sort()).toEqual(
      config.businessSlas.map((sla) => sla.key).sort(),
    );
    expect(bodies(json, "datadog_synthetics_test")).toHaveLength(config.journeys.length);
    expect(bodies(json, "datadog_downtime_schedule").length).toBeGreaterThan(0);
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
  const edited = (change: (draft: any) => void): ObservabilityInput => {
    const draft = structuredClone(observability);
    change(draft);
    return draft;
  };
  const problems = (input: ObservabilityInput): string => {
    try {
      observabilityFor(ENVIRONMENTS.production, input);
    } catch (error) {
      if (error instanceof ConfigValidationError) return error.message;
      throw error;
    }
    return "";
  };
  it("accepts the committed configuration for every environment", () => {
    for (const environment of Object.values(ENVIRONMENTS)) expect(() => observabilityFor(environment)).not.toThrow();
  });
  it("gives the organisation to the production tier, whatever the environment is called", () => {
    for (const environment of Object.values(ENVIRONMENTS)) {
      for (const tier of ["development", "staging", "production"] as const) {
        expect([environment.name, tier, observabilityFor({ ...environment, tier }).ownsOrganisation]).toEqual([environment.name, tier, tier === "production"]);
      }
    }
  });
  it.each([
    ["an on-call email nobody has", (draft: any) => (draft.teams[0].manager = "ghost@lma.example.com"), "observability.teams[0].manager"],
    ["a time zone PagerDuty rejects", (draft: any) => (draft.rotation.timeZone = "Mars/Olympus"), "observability.rotation.timeZone"],
    ["a single synthetics location", (draft: any) => (draft.environments.production.synthetics.locations = ["aws:us-east-1"]), "observability.environments.production.synthetics.locations"],
    ["a journey on an unknown service", (draft: any) => (draft.journeys[0].service = "billing"), "observability.journeys[0].service"],
    ["support-hours urgency without support hours", (draft: any) => (draft.environments.production.urgency.api = "support_hours"), "observability.environments.production.supportHours"],
    ["a Slack channel name where its id belongs", (draft: any) => (draft.environments.production.slackChannelIds.high = "lma-production-alerts"), "observability.environments.production.slackChannelIds.high"],
    ["a Slack workspace that is not a team id", (draft: any) => (draft.slackWorkspaceId = "lma-eng"), "observability.slackWorkspaceId"],
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
