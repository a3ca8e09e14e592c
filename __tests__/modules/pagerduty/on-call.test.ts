import { CLOUDWATCH_VENDOR_ID, DATADOG_VENDOR_ID, OnCall, type OnCallProps } from "../../../modules/pagerduty";
import { type Body, synthesized } from "../datadog/fixtures";

const people = ["ada", "bo", "cy", "di", "em"].map((name) => ({ name, email: `${name}@test.example.com` }));
const email = (index: number) => people[index]!.email;

const props: OnCallProps = {
  environment: "test",
  people,
  teams: [{ key: "platform", name: "Platform", primary: [email(0), email(1)], secondary: [email(1), email(2)], manager: email(3) }],
  rotation: { timeZone: "America/New_York", virtualStart: "2025-01-06T09:00:00-05:00", escalationMinutes: { primary: 7, secondary: 11 }, repeats: 2 },
  tiers: {
    api: { team: "platform", description: "API", urgency: "severity_based" },
    data: { team: "platform", description: "Data", urgency: "support_hours" },
  },
  supportHours: { timeZone: "America/New_York", days: [1, 2, 3, 4, 5], start: "09:00", end: "18:00" },
};

function onCall(overrides: Partial<OnCallProps> = {}) {
  const { json, resources } = synthesized((scope) => void new OnCall(scope, "on-call", { ...props, ...overrides }));
  return { json, resources, all: (type: string) => Object.values(resources(type)) };
}

/** `${type.name.attr}` → name. */
const nameIn = (reference: string) => /^\$\{[a-z_]+\.([^.]+)\.[a-z_]+\}$/.exec(reference)![1]!;

describe("OnCall", () => {
  const { resources, all, json } = onCall();
  // With the directory managed here, user references resolve to resources of the same scope.
  const directory = onCall({ manageDirectory: true });
  const team = props.teams[0]!;

  it("escalates primary → secondary → manager with the configured delays and repeats", () => {
    const [policy] = directory.all("pagerduty_escalation_policy") as [Body];
    const { primary, secondary } = props.rotation.escalationMinutes;
    expect(policy.num_loops).toBe(props.rotation.repeats);
    expect(policy.rule.map((rule: Body) => rule.escalation_delay_in_minutes)).toEqual([primary, secondary, secondary]);
    const schedules = directory.resources("pagerduty_schedule");
    const [first, second, last] = policy.rule.map((rule: Body) => rule.target[0]) as [Body, Body, Body];
    expect([first.type, second.type, last.type]).toEqual(["schedule_reference", "schedule_reference", "user_reference"]);
    expect(schedules[nameIn(first.id)]!.name).toBe(`lma-test-${team.key}-primary`);
    expect(schedules[nameIn(second.id)]!.name).toBe(`lma-test-${team.key}-secondary`);
    expect(directory.resources("pagerduty_user")[nameIn(last.id)]!.email).toBe(team.manager);
  });

  it("rotates each schedule weekly through its people in order, from the virtual start", () => {
    const users = directory.resources("pagerduty_user");
    for (const schedule of directory.all("pagerduty_schedule")) {
      const role = schedule.name.endsWith("-primary") ? "primary" : "secondary";
      const [layer] = schedule.layer as [Body];
      expect(layer.rotation_turn_length_seconds).toBe(7 * 24 * 3600);
      expect(layer.rotation_virtual_start).toBe(props.rotation.virtualStart);
      expect(schedule.time_zone).toBe(props.rotation.timeZone);
      expect(layer.users.map((reference: string) => users[nameIn(reference)]?.email)).toEqual(team[role]);
    }
  });

  it("creates users and memberships only when it manages the directory", () => {
    expect(all("pagerduty_user")).toHaveLength(0);
    expect(all("pagerduty_team_membership")).toHaveLength(0);
    expect(Object.values(json.data.pagerduty_user as Record<string, Body>).map((user) => user.email)).toEqual(people.map((person) => person.email));
    const managed = directory;
    expect(managed.all("pagerduty_user").map((user) => user.email)).toEqual(people.map((person) => person.email));
    const roles = managed.all("pagerduty_team_membership").map((membership) => membership.role);
    expect(roles.filter((role) => role === "manager")).toHaveLength(props.teams.length);
    expect(roles).toHaveLength(new Set([...team.primary, ...team.secondary, team.manager]).size);
  });

  it("gives each tier a service on its team's policy, with a Datadog integration", () => {
    const policies = resources("pagerduty_escalation_policy");
    const services = resources("pagerduty_service");
    expect(Object.values(services).map((service) => service.name).sort()).toEqual(Object.keys(props.tiers).map((tier) => `lma-test-${tier}`).sort());
    for (const service of Object.values(services)) expect(policies[nameIn(service.escalation_policy)]!.name).toBe(`lma-test-${team.key}`);
    const datadog = all("pagerduty_service_integration").filter((integration) => integration.vendor === DATADOG_VENDOR_ID);
    expect(datadog.map((integration) => services[nameIn(integration.service)]!.name).sort()).toEqual(Object.values(services).map((service) => service.name).sort());
  });

  it("applies each tier's urgency: constant, or high in support hours and low outside", () => {
    const services = Object.values(resources("pagerduty_service"));
    const of = (tier: string) => services.find((service) => service.name === `lma-test-${tier}`)!;
    expect(of("api").incident_urgency_rule).toEqual({ type: "constant", urgency: "severity_based" });
    expect(of("api").support_hours).toBeUndefined();
    const data = of("data");
    expect(data.incident_urgency_rule.type).toBe("use_support_hours");
    expect(data.support_hours).toMatchObject({ start_time: `${props.supportHours!.start}:00`, end_time: `${props.supportHours!.end}:00`, days_of_week: props.supportHours!.days });
  });

  it("refuses support-hours urgency without support hours, an unknown team and an unknown on-call email", () => {
    expect(() => onCall({ supportHours: undefined })).toThrow(/uses support hours, but none are given/);
    expect(() => onCall({ tiers: { api: { team: "nobody", description: "API", urgency: "high" } } })).toThrow(/team "nobody"/);
    expect(() => onCall({ teams: [{ ...team, manager: "ghost@test.example.com" }] })).toThrow(/ghost@test.example.com is on call but not among the people/);
  });

  it("adds a CloudWatch integration, and its events URL, only on the tiers asked for", () => {
    const tiers = ["api"];
    let endpoints: ReadonlyMap<string, string> = new Map();
    const { resources: withCloudWatch } = synthesized((scope) => {
      endpoints = new OnCall(scope, "on-call", { ...props, cloudWatchTiers: tiers }).cloudWatchEndpoints;
    });
    const services = withCloudWatch("pagerduty_service");
    const cloudWatch = Object.entries(withCloudWatch("pagerduty_service_integration")).filter(([, integration]) => integration.vendor === CLOUDWATCH_VENDOR_ID);
    expect(cloudWatch.map(([, integration]) => services[nameIn(integration.service)]!.name)).toEqual(tiers.map((tier) => `lma-test-${tier}`));
    expect([...endpoints.keys()]).toEqual(tiers);
    expect(endpoints.get("api")).toMatch(/^https:\/\/events\.pagerduty\.com\/integration\/\$\{TfToken\[TOKEN\.\d+\]\}\/enqueue$/);
    expect(() => onCall({ cloudWatchTiers: ["security"] })).toThrow(/"security" is not a platform tier/);
  });

  it("connects every tier's service to Slack only where a channel is configured", () => {
    expect(all("pagerduty_slack_connection")).toHaveLength(0);
    const slack = { workspaceId: "T0TEST0001", channelId: "C0TEST0001" };
    const connections = onCall({ slack }).all("pagerduty_slack_connection");
    expect(connections).toHaveLength(Object.keys(props.tiers).length);
    for (const connection of connections) expect(connection).toMatchObject({ workspace_id: slack.workspaceId, channel_id: slack.channelId, source_type: "service_reference" });
  });
});
