import { z } from "zod";
import { ENVIRONMENT_NAMES } from "./schema";
import type { EnvironmentConfig } from "./types";
import { type ConfigIssue, ConfigValidationError } from "./validate";

/**
 * The on-call and alerting configuration of the platform: who is paged, in which rotation, on
 * which channels per severity, and the synthetic journeys per environment. `observabilityFor`
 * validates it (every problem names this file and the field) before the observability stack
 * (stacks/observability-stack.ts) builds anything from it. What an environment file already states
 * is not repeated here: maintenance windows (`maintenance`) and the Datadog AWS integration's
 * external id (`datadog.awsIntegrationExternalId`) come from environments/<env>.ts.
 */
export const OBSERVABILITY_FILE = "environments/observability.ts";

const TIERS = ["api", "data", "edge", "security"] as const;
/** Datadog sites with a public API host (https://docs.datadoghq.com/getting_started/site/). */
const DATADOG_SITES = ["datadoghq.com", "us3.datadoghq.com", "us5.datadoghq.com", "datadoghq.eu", "ap1.datadoghq.com", "ddog-gov.com"] as const;

const email = z.email();
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM (24-hour)");
const timeZone = z.string().refine((zone) => Intl.supportedValuesOf("timeZone").includes(zone) || zone === "Etc/UTC", {
  message: "must be an IANA time zone such as America/New_York (PagerDuty rejects the alias UTC; use Etc/UTC)",
});
const slackChannel = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, "must be a Slack channel name without '#', lower case");
/** Slack's channel id (Channel details → About), which AWS Chatbot and PagerDuty address channels by. */
const slackChannelId = z.string().regex(/^[CG][A-Z0-9]{8,}$/, "must be a Slack channel id such as C0123ABCD");
const secondsAligned = (minimum: number) => z.number().int().min(minimum);

const person = z.object({
  name: z.string().min(1),
  email,
});

const team = z.object({
  /** Short key used in resource names, e.g. `platform`. */
  key: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, "must be a lower-case key"),
  name: z.string().min(1).regex(/^[^\\/&<>]*[^\\/&<> ]$/, "must not contain \\ / & < > or end with a space (PagerDuty)"),
  /** Emails, in rotation order: one week each. */
  primary: z.array(email).min(1),
  secondary: z.array(email).min(1),
  /** The engineering manager: last step of the escalation policy. */
  manager: email,
});

const urgency = z.enum(["high", "low", "severity_based", "support_hours"]);

const environment = z.object({
  /** Slack channels (in `datadog.slackAccount`) for high and medium alerts. */
  slack: z.object({ high: slackChannel, medium: slackChannel }),
  /** The ids of the same two channels: AWS Chatbot delivers the AWS stacks' high and medium topics to them. */
  slackChannelIds: z.object({ high: slackChannelId, medium: slackChannelId }),
  /** Low-severity alerts go to this address only (Datadog, and the AWS stacks' low topic). */
  lowSeverityEmail: email,
  /**
   * PagerDuty urgency per tier: `severity_based` makes Datadog alerts high and warnings low;
   * `support_hours` is high inside `supportHours` and low outside.
   */
  urgency: z.record(z.enum(TIERS), urgency),
  supportHours: z
    .object({ timeZone, days: z.array(z.number().int().min(1).max(7)).min(1), start: clock, end: clock })
    .optional(),
  synthetics: z.object({
    /** Managed locations, `aws:<region>`; at least two so one location's outage is not an alert. */
    locations: z.array(z.string().regex(/^aws:[a-z]{2}-[a-z]+-\d$/, "must be a managed location such as aws:us-east-1")).min(2),
    /** 30 s to 7 days (the provider's range for API tests). */
    intervalSeconds: secondsAligned(30).max(604_800),
  }),
  /** PagerDuty's Slack integration: incidents of this environment's services posted to this channel of `slackWorkspaceId`. */
  pagerDutySlack: z.object({ channelId: slackChannelId }).optional(),
});

const journey = z.object({
  key: z.string().regex(/^[a-z][a-z0-9-]*$/),
  description: z.string().min(1),
  method: z.enum(["GET", "POST", "PUT"]),
  /** Path on the environment's API host (`api.<zone>`). */
  path: z.string().startsWith("/"),
  /** Catalogue service the journey exercises: its service tag and its on-call. */
  service: z.string().min(1),
  expectStatus: z.number().int().min(100).max(599),
  /** Request body; `{{ LMA_SYNTHETICS_USER }}` and `{{ LMA_SYNTHETICS_PASSWORD }}` are the test user's global variables. */
  body: z.string().optional(),
  maxResponseMs: z.number().int().positive(),
});

const businessSla = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]*$/, "must be snake_case (it is part of the metric name)"),
  description: z.string().min(1),
  /** Catalogue service that emits the metric and owns the process. */
  service: z.string().min(1),
  /** Share of completions within the deadline, percent. */
  targetPercent: z.number().gt(0).lt(100),
  /** The deadline the application measures each completion against, e.g. `24h`, `10m`, `7d`. */
  deadline: z.string().regex(/^\d+[mhd]$/),
  /** Completions the monitor looks back over, Datadog window syntax. */
  window: z.enum(["last_1h", "last_4h", "last_1d", "last_48h", "last_1w"]),
});

const observabilitySchema = z
  .object({
    /** The Slack workspace (team id) of every channel below: PagerDuty's and AWS Chatbot's Slack connections name it. */
    slackWorkspaceId: z.string().regex(/^T[A-Z0-9]{8,}$/, "must be a Slack workspace id such as T0123ABCD"),
    datadog: z.object({
      site: z.enum(DATADOG_SITES),
      slackAccount: z.string().regex(/^[a-z0-9-]+$/),
      /** Runbooks live under this URL, one page per monitor key (`<base>/<key>`). */
      runbookBaseUrl: z.url({ protocol: /^https$/ }),
    }),
    people: z.array(person).min(1),
    teams: z.array(team).min(1),
    rotation: z.object({
      timeZone,
      /** RFC 3339 instant of a hand-off; later hand-offs follow weekly. Move it to the next hand-off with each roster change. */
      virtualStart: z.iso.datetime({ offset: true }),
      /** Minutes before primary escalates to secondary, and secondary to the manager. */
      escalationMinutes: z.object({ primary: z.number().int().min(1), secondary: z.number().int().min(1) }),
      /** Times the whole policy repeats when nobody acknowledges (0–9). */
      repeats: z.number().int().min(0).max(9),
    }),
    /** Which team answers for each platform tier. */
    tiers: z.record(z.enum(TIERS), z.object({ team: z.string(), description: z.string().min(1) })),
    journeys: z.array(journey).min(1),
    businessSlas: z.array(businessSla),
    slos: z.object({
      availabilityPercent: z.number().gt(0).lt(100),
      apiLatency: z.object({ p95Ms: z.number().positive(), targetPercent: z.number().gt(0).lt(100) }),
      errorRate: z.object({ maxPercent: z.number().gt(0).lt(100) }),
      databaseQuery: z.object({ p95Ms: z.number().positive(), targetPercent: z.number().gt(0).lt(100) }),
    }),
    environments: z.record(z.enum(ENVIRONMENT_NAMES), environment),
  })
  .superRefine((config, context) => {
    const emails = new Set(config.people.map((entry) => entry.email));
    const known = (value: string, path: (string | number)[]) => {
      if (!emails.has(value)) context.addIssue({ code: "custom", path, message: `"${value}" is not in people` });
    };
    config.teams.forEach((entry, index) => {
      entry.primary.forEach((address, position) => known(address, ["teams", index, "primary", position]));
      entry.secondary.forEach((address, position) => known(address, ["teams", index, "secondary", position]));
      known(entry.manager, ["teams", index, "manager"]);
      // The same person first and second in the same week would make the second step a repeat.
      if (entry.primary.length === entry.secondary.length && entry.primary.some((address, week) => entry.secondary[week] === address)) {
        context.addIssue({ code: "custom", path: ["teams", index, "secondary"], message: "must not pair anyone with themselves in the same week" });
      }
    });
    const teamKeys = new Set(config.teams.map((entry) => entry.key));
    for (const tier of TIERS) {
      const owner = config.tiers[tier];
      if (!owner) context.addIssue({ code: "custom", path: ["tiers", tier], message: "every tier needs an owning team" });
      else if (!teamKeys.has(owner.team)) context.addIssue({ code: "custom", path: ["tiers", tier, "team"], message: `"${owner.team}" is not a team key` });
    }
    const channels = new Map<string, string>();
    for (const [name, settings] of Object.entries(config.environments)) {
      for (const tier of TIERS) {
        if (!settings.urgency[tier]) context.addIssue({ code: "custom", path: ["environments", name, "urgency", tier], message: "every tier needs an urgency" });
      }
      if (Object.values(settings.urgency).includes("support_hours") && !settings.supportHours) {
        context.addIssue({ code: "custom", path: ["environments", name, "supportHours"], message: "is required when a tier's urgency is support_hours" });
      }
      // Datadog's Slack integration holds one entry per channel: two environments cannot both own one.
      for (const channel of new Set([settings.slack.high, settings.slack.medium])) {
        const owner = channels.get(channel);
        if (owner) context.addIssue({ code: "custom", path: ["environments", name, "slack"], message: `channel "${channel}" is already ${owner}'s` });
        channels.set(channel, name);
      }
    }
  });

export type ObservabilityConfig = z.infer<typeof observabilitySchema>;
export type ObservabilityInput = z.input<typeof observabilitySchema>;
export type PlatformTier = (typeof TIERS)[number];
export const PLATFORM_TIERS: readonly PlatformTier[] = TIERS;

export const observability: ObservabilityInput = {
  slackWorkspaceId: "T0LMAENG01",
  datadog: { site: "datadoghq.com", slackAccount: "lma-eng", runbookBaseUrl: "https://runbooks.lma.example.com/observability" },
  people: [
    { name: "Ana Lima", email: "ana.lima@lma.example.com" },
    { name: "Ben Okafor", email: "ben.okafor@lma.example.com" },
    { name: "Chloe Martin", email: "chloe.martin@lma.example.com" },
    { name: "Dev Patel", email: "dev.patel@lma.example.com" },
    { name: "Erin Walsh", email: "erin.walsh@lma.example.com" },
    { name: "Farah Haddad", email: "farah.haddad@lma.example.com" },
    { name: "Grace Kim", email: "grace.kim@lma.example.com" },
    { name: "Hugo Silva", email: "hugo.silva@lma.example.com" },
    { name: "Maria Chen", email: "maria.chen@lma.example.com" },
    { name: "Noah Brooks", email: "noah.brooks@lma.example.com" },
  ],
  teams: [
    {
      key: "platform",
      name: "LMA Platform Engineering",
      primary: ["ana.lima@lma.example.com", "ben.okafor@lma.example.com", "chloe.martin@lma.example.com", "dev.patel@lma.example.com"],
      // Shifted by one week against primary, so last week's primary backs up this week's.
      secondary: ["dev.patel@lma.example.com", "ana.lima@lma.example.com", "ben.okafor@lma.example.com", "chloe.martin@lma.example.com"],
      manager: "maria.chen@lma.example.com",
    },
    {
      key: "security",
      name: "LMA Security Engineering",
      primary: ["erin.walsh@lma.example.com", "farah.haddad@lma.example.com", "grace.kim@lma.example.com"],
      secondary: ["grace.kim@lma.example.com", "erin.walsh@lma.example.com", "farah.haddad@lma.example.com"],
      manager: "noah.brooks@lma.example.com",
    },
  ],
  rotation: {
    timeZone: "America/New_York",
    virtualStart: "2025-01-06T09:00:00-05:00",
    escalationMinutes: { primary: 15, secondary: 15 },
    repeats: 2,
  },
  tiers: {
    api: { team: "platform", description: "The catalogue's ECS services behind the API load balancer" },
    data: { team: "platform", description: "PostgreSQL and its DR replica, Redis, OpenSearch, RabbitMQ, Lambda" },
    edge: { team: "platform", description: "Load balancer, CloudFront, DNS and the synthetic journeys" },
    security: { team: "security", description: "GuardDuty, Security Hub and WAF findings" },
  },
  journeys: [
    { key: "health", description: "API health", method: "GET", path: "/api/auth/health", service: "auth", expectStatus: 200, maxResponseMs: 1000 },
    {
      key: "login",
      description: "Synthetic user signs in",
      method: "POST",
      path: "/api/auth/login",
      service: "auth",
      expectStatus: 200,
      body: '{"username":"{{ LMA_SYNTHETICS_USER }}","password":"{{ LMA_SYNTHETICS_PASSWORD }}"}',
      maxResponseMs: 2000,
    },
    { key: "loan-application-read", description: "Read the synthetic loan application", method: "GET", path: "/api/loans/synthetic-check", service: "loan", expectStatus: 200, maxResponseMs: 1500 },
    { key: "document-upload-url", description: "Request a pre-signed document upload URL", method: "POST", path: "/api/documents/upload-url", service: "document", expectStatus: 200, body: '{"contentType":"application/pdf","purpose":"synthetic-check"}', maxResponseMs: 1500 },
  ],
  businessSlas: [
    { key: "application_processing", description: "Loan application processed", service: "loan", targetPercent: 95, deadline: "24h", window: "last_1d" },
    { key: "underwriting_decision", description: "Underwriting decision made", service: "loan", targetPercent: 90, deadline: "48h", window: "last_48h" },
    { key: "document_generation", description: "Loan document generated", service: "document", targetPercent: 99, deadline: "10m", window: "last_4h" },
    { key: "esignature_completion", description: "E-signature envelope completed by every signer", service: "document", targetPercent: 80, deadline: "7d", window: "last_1w" },
    { key: "funding_disbursement", description: "Funds disbursed after approval", service: "trade", targetPercent: 95, deadline: "24h", window: "last_1d" },
  ],
  slos: {
    availabilityPercent: 99.9,
    apiLatency: { p95Ms: 200, targetPercent: 99 },
    errorRate: { maxPercent: 1 },
    databaseQuery: { p95Ms: 50, targetPercent: 99 },
  },
  environments: {
    dev: {
      slack: { high: "lma-dev-alerts", medium: "lma-dev-warnings" },
      slackChannelIds: { high: "C0LMADEVALR", medium: "C0LMADEVWRN" },
      lowSeverityEmail: "lma-dev-alerts@lma.example.com",
      // Dev pages nobody at night: incidents are created, urgency is low.
      urgency: { api: "low", data: "low", edge: "low", security: "high" },
      synthetics: { locations: ["aws:us-east-1", "aws:us-west-2"], intervalSeconds: 900 },
    },
    staging: {
      slack: { high: "lma-staging-alerts", medium: "lma-staging-warnings" },
      slackChannelIds: { high: "C0LMASTGALR", medium: "C0LMASTGWRN" },
      lowSeverityEmail: "lma-staging-alerts@lma.example.com",
      urgency: { api: "support_hours", data: "support_hours", edge: "support_hours", security: "high" },
      supportHours: { timeZone: "America/New_York", days: [1, 2, 3, 4, 5], start: "09:00", end: "18:00" },
      synthetics: { locations: ["aws:us-east-1", "aws:us-west-2"], intervalSeconds: 300 },
    },
    production: {
      slack: { high: "lma-production-alerts", medium: "lma-production-warnings" },
      slackChannelIds: { high: "C0LMAPRDALR", medium: "C0LMAPRDWRN" },
      lowSeverityEmail: "lma-production-alerts@lma.example.com",
      urgency: { api: "severity_based", data: "severity_based", edge: "severity_based", security: "high" },
      synthetics: { locations: ["aws:us-east-1", "aws:us-west-2", "aws:eu-west-1"], intervalSeconds: 60 },
      pagerDutySlack: { channelId: "C0LMAPRDINC" },
    },
  },
};

/** The parts of an environment's configuration (environments/<env>.ts) the observability view depends on. */
export type ObservedEnvironment = Pick<EnvironmentConfig, "name" | "tier" | "services">;

/** Everything the observability stack of one environment needs, validated. */
export type EnvironmentObservability = Omit<ObservabilityConfig, "environments"> & {
  readonly environment: ObservabilityConfig["environments"][EnvironmentConfig["name"]] & {};
  /**
   * PagerDuty users and teams and the Datadog Service Catalogue are organisation-wide: the
   * production tier's stack owns them, the other tiers' stacks look them up.
   */
  readonly ownsOrganisation: boolean;
};

/**
 * Validates the configuration and returns one environment's view of it. Throws
 * `ConfigValidationError` listing every problem with this file and the field, e.g.
 * `environments/observability.ts: observability.teams[0].manager: "x@y" is not in people`.
 * The environment's catalogue checks that journeys and SLAs name real services.
 */
export function observabilityFor(environment: ObservedEnvironment, input: ObservabilityInput = observability): EnvironmentObservability {
  const { name } = environment;
  const parsed = observabilitySchema.safeParse(input);
  const issues: ConfigIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ file: OBSERVABILITY_FILE, path: fieldPath(issue.path), message: issue.message }));
  if (parsed.success) {
    const catalogue = new Set(environment.services.map((service) => service.name));
    const unknownService = (service: string, path: (string | number)[]) => {
      if (!catalogue.has(service)) {
        issues.push({ file: OBSERVABILITY_FILE, path: fieldPath(path), message: `"${service}" is not a service of the ${name} catalogue` });
      }
    };
    parsed.data.journeys.forEach((entry, index) => unknownService(entry.service, ["journeys", index, "service"]));
    parsed.data.businessSlas.forEach((entry, index) => unknownService(entry.service, ["businessSlas", index, "service"]));
    if (!parsed.data.environments[name]) {
      issues.push({ file: OBSERVABILITY_FILE, path: fieldPath(["environments", name]), message: "is missing: every environment needs its alert routing" });
    }
  }
  if (issues.length > 0 || !parsed.success) throw new ConfigValidationError(issues);
  const { environments, ...shared } = parsed.data;
  return { ...shared, environment: environments[name]!, ownsOrganisation: environment.tier === "production" };
}

/**
 * Where the AWS stacks' severity topics (modules/monitoring/severity.ts) deliver, from the same
 * entries Datadog's notifications use: high and medium to the environment's Slack channels
 * through AWS Chatbot, low to the alerts mailbox. Critical and security go to PagerDuty's
 * CloudWatch integrations, whose URLs exist only after the observability stack's apply (see
 * `PAGERDUTY_CLOUDWATCH_OUTPUTS` in stacks/observability-stack.ts).
 */
export function awsAlertDestinations(environment: ObservedEnvironment, input: ObservabilityInput = observability) {
  const view = observabilityFor(environment, input);
  return {
    slackWorkspaceId: view.slackWorkspaceId,
    slackChannelIds: view.environment.slackChannelIds,
    lowSeverityEmail: view.environment.lowSeverityEmail,
  };
}

function fieldPath(path: readonly PropertyKey[]): string {
  return ["observability", ...path].reduce<string>(
    (text, part) => (typeof part === "number" ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)),
    "",
  );
}
