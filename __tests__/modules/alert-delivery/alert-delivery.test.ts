import { Testing, TerraformStack } from "cdktf";
import { Naming } from "../../../lib/naming";
import {
  ALERT_ROUTES,
  AlertSubscriptions,
  CHATBOT_GRAPH_READS,
  PAGED_SEVERITIES,
  pagerDutyEndpointVariable,
  SLACK_SEVERITIES,
  SlackAlertChannels,
} from "../../../modules/alert-delivery";
import { SEVERITIES } from "../../../modules/monitoring";

type Body = Record<string, any>;
const naming = new Naming("dev", "us-east-1", "400000000001");
const topicArn = (severity: string) => `arn:aws:sns:us-east-1:400000000001:lma-dev-use1-alerts-${severity}`;

function synth(build: (stack: TerraformStack) => void) {
  const stack = new TerraformStack(Testing.app(), "test");
  build(stack);
  return JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Body>>; variable?: Record<string, Body> };
}

describe("routes", () => {
  test("every severity has exactly one route, and each channel kind is used", () => {
    expect(Object.keys(ALERT_ROUTES).sort()).toEqual([...SEVERITIES].sort());
    expect([...PAGED_SEVERITIES, ...SLACK_SEVERITIES, "low"].sort()).toEqual([...SEVERITIES].sort());
  });
});

describe("AlertSubscriptions", () => {
  const json = synth((stack) => new AlertSubscriptions(stack, "alerts", { topicArn, lowSeverityEmail: "alerts@example.com" }));
  const subscriptions = Object.values(json.resource.aws_sns_topic_subscription!);

  test("paged severities post to PagerDuty through a sensitive variable without default, named for the pipeline", () => {
    for (const severity of PAGED_SEVERITIES) {
      const name = pagerDutyEndpointVariable(severity);
      expect(json.variable![name]).toEqual(expect.objectContaining({ type: "string", sensitive: true, nullable: false }));
      expect(json.variable![name]).not.toHaveProperty("default");
      expect(subscriptions.filter((subscription) => subscription.topic_arn === topicArn(severity))).toEqual([
        expect.objectContaining({ protocol: "https", endpoint: `\${var.${name}}`, endpoint_auto_confirms: true }),
      ]);
    }
  });

  test("low goes to the mailbox; Slack severities get no subscription here", () => {
    expect(subscriptions.filter((subscription) => subscription.protocol === "email")).toEqual([
      expect.objectContaining({ topic_arn: topicArn("low"), endpoint: "alerts@example.com" }),
    ]);
    for (const severity of SLACK_SEVERITIES) expect(subscriptions.map((subscription) => subscription.topic_arn)).not.toContain(topicArn(severity));
  });
});

describe("SlackAlertChannels", () => {
  const build = (channelIds: Record<(typeof SLACK_SEVERITIES)[number], string>) =>
    synth((stack) => new SlackAlertChannels(stack, "slack", {
      naming,
      workspaceId: "T0TESTWS01",
      channelIds,
      topicArns: (severity) => [topicArn(severity), `arn:aws:sns:eu-west-1:400000000001:lma-dev-euw1-alerts-${severity}`],
    }));

  test("one Chatbot configuration per channel with its severities' topics from every region", () => {
    const json = build({ high: "C0HIGH0001", medium: "C0MEDIUM01" });
    const channels = Object.values(json.resource.aws_chatbot_slack_channel_configuration!);
    expect(channels.map((channel) => [channel.slack_channel_id, channel.sns_topic_arns.length]).sort()).toEqual([["C0HIGH0001", 2], ["C0MEDIUM01", 2]]);
    for (const channel of channels) {
      expect(channel.slack_team_id).toBe("T0TESTWS01");
      expect(channel.guardrail_policy_arns).toEqual(["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]);
    }
  });

  test("severities sharing a channel share its one configuration (an account may configure a channel once)", () => {
    const channels = Object.values(build({ high: "C0SHARED01", medium: "C0SHARED01" }).resource.aws_chatbot_slack_channel_configuration!);
    expect(channels).toHaveLength(1);
    expect(channels[0]!.sns_topic_arns).toHaveLength(SLACK_SEVERITIES.length * 2);
  });

  test("Chatbot's role is assumable by Chatbot only and reads CloudWatch only", () => {
    const json = build({ high: "C0HIGH0001", medium: "C0MEDIUM01" });
    const role = Object.values(json.resource.aws_iam_role!)[0]!;
    expect(JSON.parse(role.assume_role_policy).Statement.map((statement: Body) => statement.Principal)).toEqual([{ Service: "chatbot.amazonaws.com" }]);
    const statements: Body[] = Object.values(json.resource.aws_iam_role_policy!).flatMap((policy) => JSON.parse(policy.policy).Statement);
    // Exact CloudWatch reads; "*" only for those without a resource type (tooling/policy-checks.ts).
    for (const action of statements.flatMap((statement) => statement.Action)) expect(action).toMatch(/^cloudwatch:(Describe|Get|List)[A-Za-z]+$/);
    expect(statements.find((statement) => statement.Sid === "ChatbotReadAlarms")!.Resource).toMatch(/^arn:aws:cloudwatch:\*:\d{12}:alarm:\*$/);
    expect(statements.filter((statement) => statement.Resource === "*").flatMap((statement) => statement.Action)).toEqual([...CHATBOT_GRAPH_READS]);
  });
});
