import { loadEnvironments } from "../../environments";
import { awsAlertDestinations } from "../../environments/observability";
import type { EnvironmentConfig, ServiceConfig } from "../../environments/types";
import { readAppContext } from "../../lib/app-context";
import { disasterRecoveryOf } from "../../lib/disaster-recovery";
import { Naming } from "../../lib/naming";
import { ALERT_ROUTES, PAGED_SEVERITIES, pagerDutyEndpointVariable, SLACK_SEVERITIES } from "../../modules/alert-delivery";
import { DATADOG_AWS_ACCOUNT_ID } from "../../modules/datadog-integration";
import { CIS_FILTERS, monitoringPrefix, SEVERITIES, type Severity, severityTopicArn, severityTopicName } from "../../modules/monitoring";
import { datadogIntegrationRoleName, PAGERDUTY_CLOUDWATCH_OUTPUTS } from "../../stacks/observability-stack";
import { listOf, policyOf, resourcesOf, stackJson, type SynthesizedStack, synthRegional } from "../support/synth";

/**
 * Every regional stack's monitoring and alert delivery, read from the run's one synthesis and
 * checked against the configuration it was built from (catalogue, regions, alert destinations).
 */
type Body = Record<string, any>;
const environments = loadEnvironments(readAppContext().context).map(({ config }) => config);
const SERVICE_SIGNALS = ["cpu", "memory", "5xx", "latency-p95", "running-below-desired"];

const regionalStacks = environments.flatMap((environment) =>
  environment.regions.map((region) => {
    const naming = new Naming(environment.name, region.region, environment.accountId);
    return [`lma-${environment.name}-${region.region}`, { environment, region, naming, prefix: monitoringPrefix(naming) }] as const;
  }),
);

/** The stack's topics by severity, as the `${aws_sns_topic.<id>.arn}` references alarms and subscriptions use. */
function topicReferences(json: SynthesizedStack): Map<Severity, string> {
  const byName = new Map(Object.entries(resourcesOf(json, "aws_sns_topic")).map(([id, topic]) => [topic.name as string, `\${aws_sns_topic.${id}.arn}`]));
  return new Map(SEVERITIES.map((severity) => [severity, byName.get([...byName.keys()].find((name) => name.endsWith(`-alerts-${severity}`))!)!]));
}

const alarmsOf = (json: SynthesizedStack) => new Map(listOf(json, "aws_cloudwatch_metric_alarm").map((alarm) => [alarm.alarm_name as string, alarm as Body]));

describe.each(regionalStacks)("%s", (name, { environment, region, naming, prefix }) => {
  const json = stackJson(name);
  const topics = topicReferences(json);
  const alarms = alarmsOf(json);
  const primary = region.role === "primary";

  it("has one KMS-encrypted topic per severity, on a key whose policy lets CloudWatch and EventBridge use it", () => {
    const byName = new Map(listOf(json, "aws_sns_topic").map((topic) => [topic.name, topic]));
    expect([...byName.keys()].sort()).toEqual(SEVERITIES.map((severity) => severityTopicName(prefix, severity)).sort());
    const keyIds = new Set([...byName.values()].map((topic) => /^\$\{aws_kms_key\.([^.]+)\.arn\}$/.exec(String(topic.kms_master_key_id))?.[1]));
    expect(keyIds.size).toBe(1);
    const key = resourcesOf(json, "aws_kms_key")[[...keyIds][0]!];
    const services = policyOf(key!.policy).Statement.flatMap((statement: Body) => [statement.Principal?.Service].flat().filter(Boolean));
    expect(services).toEqual(expect.arrayContaining(["cloudwatch.amazonaws.com", "events.amazonaws.com"]));
  });

  it("gives every catalogue service its five alarms, each on its severity's topic", () => {
    for (const service of environment.services) {
      for (const signal of SERVICE_SIGNALS) {
        const alarm = alarms.get(`${prefix}-${service.name}-${signal}`);
        expect(alarm).toBeDefined();
        expect(alarm!.alarm_actions).toEqual([topics.get(alarm!.tags.Severity)]);
      }
    }
  });

  it("sends every alarm action to a topic or scaling policy of this stack", () => {
    const local = new Set([
      ...topics.values(),
      ...Object.keys(resourcesOf(json, "aws_appautoscaling_policy")).map((id) => `\${aws_appautoscaling_policy.${id}.arn}`),
    ]);
    for (const alarm of alarms.values()) {
      for (const action of [...(alarm.alarm_actions ?? []), ...(alarm.ok_actions ?? []), ...(alarm.insufficient_data_actions ?? [])]) {
        expect(local).toContain(action);
      }
      if (alarm.tags?.Severity) expect(alarm.ok_actions).toEqual(alarm.alarm_actions);
    }
  });

  it("has the CIS filters and alarms on the trail's log group exactly where the trail is", () => {
    const trails = listOf(json, "aws_cloudtrail");
    const filters = listOf(json, "aws_cloudwatch_log_metric_filter").filter((filter) => String(filter.name).startsWith(`${prefix}-cis-`));
    expect(trails.length > 0).toBe(primary);
    if (!primary) {
      expect(filters).toEqual([]);
      return;
    }
    const trailGroup = /^\$\{aws_cloudwatch_log_group\.([^.]+)\.arn\}/.exec(String(trails[0]!.cloud_watch_logs_group_arn))![1];
    expect(filters).toHaveLength(CIS_FILTERS.length);
    for (const filter of filters) expect(filter.log_group_name).toBe(`\${aws_cloudwatch_log_group.${trailGroup}.name}`);
    for (const control of CIS_FILTERS) expect(alarms.get(`${prefix}-cis-${control.id}`)?.alarm_actions).toEqual([topics.get("security")]);
  });

  it("routes GuardDuty and Security Hub findings to the security topic", () => {
    const rules = resourcesOf(json, "aws_cloudwatch_event_rule");
    const findingRules = Object.entries(rules).filter(([, rule]) => String(rule.name).endsWith("-findings"));
    expect(findingRules.map(([, rule]) => JSON.parse(String(rule.event_pattern)).source[0]).sort()).toEqual(["aws.guardduty", "aws.securityhub"]);
    const targets = listOf(json, "aws_cloudwatch_event_target");
    for (const [id] of findingRules) {
      expect(targets.filter((target) => target.rule === `\${aws_cloudwatch_event_rule.${id}.name}`).map((target) => target.arn)).toEqual([topics.get("security")]);
    }
  });

  it("has the region's operations dashboard with a row per service", () => {
    const dashboard = listOf(json, "aws_cloudwatch_dashboard").find((candidate) => candidate.dashboard_name === `${prefix}-operations`);
    const titles = JSON.parse(String(dashboard!.dashboard_body)).widgets.map((widget: Body) => String(widget.properties.title ?? ""));
    for (const service of environment.services) expect(titles.filter((title: string) => title.startsWith(`${service.name}:`))).toHaveLength(3);
  });

  it("alarms on the standby's cross-region replica lag as critical, at 5 s, breaching on silence", () => {
    const replica = region.role === "standby" && environment.database.crossRegionReplica && disasterRecoveryOf(environment, region.region).mode === "standby";
    const lag = alarms.get(`${prefix}-${naming.name("postgres")}-replica-lag`);
    if (!replica) {
      expect(lag).toBeUndefined();
      return;
    }
    expect(lag).toMatchObject({ threshold: 5, treat_missing_data: "breaching", metric_name: "ReplicaLag", alarm_actions: [topics.get("critical")] });
    expect(lag!.tags.Severity).toBe("critical");
  });

  it("pages PagerDuty from the paged topics through sensitive variables the observability stack outputs", () => {
    const subscriptions = listOf(json, "aws_sns_topic_subscription");
    for (const severity of PAGED_SEVERITIES) {
      const variable = pagerDutyEndpointVariable(severity);
      expect(variable).toBe(PAGERDUTY_CLOUDWATCH_OUTPUTS[severity].output);
      expect(json.variable?.[variable]).toMatchObject({ sensitive: true, type: "string" });
      expect(json.variable?.[variable]).not.toHaveProperty("default");
      expect(subscriptions.filter((subscription) => subscription.topic_arn === topics.get(severity))).toEqual([
        expect.objectContaining({ protocol: "https", endpoint: `\${var.${variable}}` }),
      ]);
    }
    // No HTTPS endpoint anywhere in the stack is a literal: each is a variable.
    for (const subscription of subscriptions.filter((candidate) => candidate.protocol === "https")) expect(subscription.endpoint).toMatch(/^\$\{var\.[a-z_]+\}$/);
    expect(JSON.stringify(json)).not.toMatch(/events\.pagerduty\.com|integration\/[0-9a-f]{32}/);
  });

  it("mails the low topic to the configured address", () => {
    const email = listOf(json, "aws_sns_topic_subscription").filter((subscription) => subscription.protocol === "email");
    expect(email).toEqual([expect.objectContaining({ topic_arn: topics.get("low"), endpoint: awsAlertDestinations(environment).lowSeverityEmail })]);
  });

  it("posts high and medium to Slack through AWS Chatbot, once per environment, from every region", () => {
    const channels = listOf(json, "aws_chatbot_slack_channel_configuration");
    if (!primary) {
      expect(channels).toEqual([]);
      return;
    }
    const destinations = awsAlertDestinations(environment);
    expect(new Set(channels.map((channel) => channel.slack_channel_id))).toEqual(new Set(SLACK_SEVERITIES.map((severity) => destinations.slackChannelIds[severity])));
    for (const severity of SLACK_SEVERITIES) {
      const channel = channels.find((candidate) => candidate.slack_channel_id === destinations.slackChannelIds[severity])!;
      expect(channel.slack_team_id).toBe(destinations.slackWorkspaceId);
      const expected = environment.regions.map((other) =>
        other.region === region.region ? topics.get(severity) : severityTopicArn(naming.inRegion(other.region), severity),
      );
      expect(channel.sns_topic_arns).toEqual(expect.arrayContaining(expected));
    }
    // Only severities routed to Slack reach a channel.
    const slackTopics = new Set(channels.flatMap((channel) => channel.sns_topic_arns));
    for (const severity of SEVERITIES.filter((candidate) => ALERT_ROUTES[candidate] !== "slack")) expect(slackTopics).not.toContain(topics.get(severity));
  });

  it("has the Datadog integration role in the primary region only, trusting Datadog with the external id, read-only", () => {
    const roles = Object.entries(resourcesOf(json, "aws_iam_role")).filter(([, role]) => role.name === datadogIntegrationRoleName(environment.name));
    expect(roles.length).toBe(primary ? 1 : 0);
    if (!primary) return;
    const [id, role] = roles[0]!;
    expect(policyOf(role.assume_role_policy).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${DATADOG_AWS_ACCOUNT_ID}:root` },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": environment.datadog.awsIntegrationExternalId } },
      },
    ]);
    const policies = listOf(json, "aws_iam_role_policy").filter((policy) => policy.role === `\${aws_iam_role.${id}.id}`);
    const actions = policies.flatMap((policy) => policyOf(policy.policy).Statement.flatMap((statement: Body) => [statement.Action].flat()));
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) expect(action).toMatch(/^[a-z0-9-]+:(Describe|Get|List|BatchGet|Filter|Lookup)[A-Za-z]*\*?$/);
    expect(role.managed_policy_arns ?? []).toEqual([]);
  });
});

describe("a service added to a copy of the catalogue", () => {
  const environment = environments.find((candidate) => candidate.name === "dev") ?? environments[0]!;
  const template = environment.services.at(-1)!;
  const added: ServiceConfig = { ...template, name: "ledger", paths: ["/api/ledger", "/api/ledger/*"] };
  const extended: EnvironmentConfig = { ...environment, services: [...environment.services, added] };
  const { json } = synthRegional(extended, 0);
  const naming = new Naming(extended.name, extended.regions[0]!.region, extended.accountId);
  const prefix = monitoringPrefix(naming);

  it("gets its five alarms, a dashboard row and an X-Ray group, with no other edit", () => {
    const alarms = alarmsOf(json);
    const topics = topicReferences(json);
    for (const signal of SERVICE_SIGNALS) {
      const alarm = alarms.get(`${prefix}-${added.name}-${signal}`);
      expect(alarm?.alarm_actions).toEqual([topics.get(alarm!.tags.Severity)]);
    }
    const dashboard = listOf(json, "aws_cloudwatch_dashboard")[0]!;
    expect(String(dashboard.dashboard_body)).toContain(`${added.name}: latency p95`);
    expect(listOf(json, "aws_xray_group").map((group) => group.filter_expression)).toContain(`service("${added.name}")`);
  });

  it("adds exactly its alarms (and its queue's, when it uses the queue) to the committed stack's monitoring", () => {
    const before = alarmsOf(stackJson(`lma-${environment.name}-${environment.regions[0]!.region}`));
    const addedNames = [...alarmsOf(json).keys()].filter((alarm) => alarm.startsWith(`${prefix}-`) && !before.has(alarm));
    const queue = added.uses?.includes("queue") ? [`${prefix}-queue-${added.name}-depth`] : [];
    expect(addedNames.sort()).toEqual([...SERVICE_SIGNALS.map((signal) => `${prefix}-${added.name}-${signal}`), ...queue].sort());
  });
});
