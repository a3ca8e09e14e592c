import { ChatbotSlackChannelConfiguration } from "@cdktf/provider-aws/lib/chatbot-slack-channel-configuration";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { policyDocument } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import { Role } from "../iam-role";
import type { Severity } from "../monitoring/severity";

/**
 * Who hears each severity's topic: PagerDuty pages (critical, and security for the security
 * team), Slack informs (high, medium), email records (low). Typed over every severity, so a new
 * severity cannot be added without a route.
 */
export const ALERT_ROUTES = {
  critical: "pagerduty",
  security: "pagerduty",
  high: "slack",
  medium: "slack",
  low: "email",
} as const satisfies Record<Severity, "pagerduty" | "slack" | "email">;

type RoutedTo<Channel> = { [S in Severity]: (typeof ALERT_ROUTES)[S] extends Channel ? S : never }[Severity];
export type PagedSeverity = RoutedTo<"pagerduty">;
export type SlackSeverity = RoutedTo<"slack">;

const severitiesRoutedTo = <S extends Severity>(channel: string) =>
  (Object.keys(ALERT_ROUTES) as Severity[]).filter((severity) => ALERT_ROUTES[severity] === channel) as S[];
export const PAGED_SEVERITIES: readonly PagedSeverity[] = severitiesRoutedTo<PagedSeverity>("pagerduty");
export const SLACK_SEVERITIES: readonly SlackSeverity[] = severitiesRoutedTo<SlackSeverity>("slack");

/**
 * The Terraform variable holding the PagerDuty CloudWatch-integration URL a paged severity's topic
 * posts to. The URL embeds the integration key, so it is a sensitive variable set at apply time
 * (`TF_VAR_<name>`) from the observability stack's output of the same name; never in the JSON.
 */
export function pagerDutyEndpointVariable(severity: PagedSeverity): string {
  return `pagerduty_cloudwatch_${severity}_url`;
}

export interface AlertSubscriptionsProps {
  /** The region's topic of each severity (modules/monitoring `SeverityTopics.arnOf`). */
  readonly topicArn: (severity: Severity) => string;
  /** Where low-severity alerts are mailed; SNS asks the mailbox to confirm once. */
  readonly lowSeverityEmail: string;
}

/**
 * A region's deliveries that live beside its topics: the paged severities to PagerDuty's
 * CloudWatch integration over HTTPS (PagerDuty confirms the subscription itself), low to email.
 * Slack is the environment's (`SlackAlertChannels`): AWS Chatbot allows one configuration per
 * channel per account.
 */
export class AlertSubscriptions extends Construct {
  readonly subscriptions: ReadonlyMap<Severity, SnsTopicSubscription>;

  constructor(scope: Construct, id: string, props: AlertSubscriptionsProps) {
    super(scope, id);
    const subscriptions = new Map<Severity, SnsTopicSubscription>();
    for (const severity of PAGED_SEVERITIES) {
      const name = pagerDutyEndpointVariable(severity);
      const endpoint = new TerraformVariable(this, name, {
        type: "string",
        sensitive: true,
        nullable: false,
        description: `PagerDuty CloudWatch integration URL for the ${severity} alerts (the observability stack's output ${name})`,
      });
      // The name the pipeline sets (TF_VAR_<name>), not one derived from the construct path.
      endpoint.overrideLogicalId(name);
      subscriptions.set(
        severity,
        new SnsTopicSubscription(this, `${severity}-pagerduty`, {
          topicArn: props.topicArn(severity),
          protocol: "https",
          endpoint: endpoint.stringValue,
          endpointAutoConfirms: true,
          // PagerDuty's CloudWatch integration reads the SNS envelope (Type, Message, Timestamp).
          rawMessageDelivery: false,
        }),
      );
    }
    subscriptions.set(
      "low",
      new SnsTopicSubscription(this, "low-email", { topicArn: props.topicArn("low"), protocol: "email", endpoint: props.lowSeverityEmail }),
    );
    this.subscriptions = subscriptions;
  }
}

/** Regions where AWS Chatbot's API answers; its configurations are account-wide whichever is used. */
export const CHATBOT_API_REGIONS = ["us-east-2", "us-west-2", "eu-west-1", "ap-southeast-1"] as const;

/**
 * What Chatbot may do with the role: read CloudWatch, to render alarm graphs in the message (AWS
 * Chatbot's "Notification permissions" template). Channel members get no more than this either:
 * the same read-only policy is the channels' guardrail.
 */
/**
 * What Chatbot reads to render an alarm notification (its documented "Notification permissions"
 * are `cloudwatch:Describe*`, `Get*` and `List*` on `*`): the alarm, and the graph image and data
 * of its metric. The graph reads have no resource type, so `*` is their only form; the alarm read
 * is scoped to this account's alarms.
 */
export const CHATBOT_ALARM_READS = ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"] as const;
export const CHATBOT_GRAPH_READS = ["cloudwatch:GetMetricWidgetImage", "cloudwatch:GetMetricData"] as const;
const CHATBOT_GUARDRAIL_POLICY_ARN = "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess";

export interface SlackAlertChannelsProps {
  readonly naming: Naming;
  /** The Slack workspace (team id) authorised once in the AWS Chatbot console. */
  readonly workspaceId: string;
  /** The channel id of each Slack severity. */
  readonly channelIds: Readonly<Record<SlackSeverity, string>>;
  /** Every topic of the severity, in every region of the environment. */
  readonly topicArns: (severity: SlackSeverity) => readonly string[];
  /** A provider in one of {@link CHATBOT_API_REGIONS}. @default the stack's provider */
  readonly provider?: AwsProvider;
}

/**
 * The environment's Slack delivery through AWS Chatbot: one channel configuration per channel,
 * subscribed to that channel's severity topics in every region. An account may configure a
 * channel once, so the environment's primary region stack owns these for all its regions.
 */
export class SlackAlertChannels extends Construct {
  readonly role: Role;
  readonly channels: readonly ChatbotSlackChannelConfiguration[];

  constructor(scope: Construct, id: string, props: SlackAlertChannelsProps) {
    super(scope, id);
    const { naming } = props;
    this.role = new Role(this, "role", {
      name: naming.name("chatbot-alerts"),
      description: "AWS Chatbot: posts the alert topics to Slack with their alarm graphs",
      // Chatbot assumes the role without a source account or ARN to pin; the role can only read CloudWatch.
      assumeRolePolicy: policyDocument([{ Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com" }, Action: "sts:AssumeRole" }]),
      statements: [
        { Sid: "ChatbotReadAlarms", Effect: "Allow", Action: [...CHATBOT_ALARM_READS], Resource: naming.arn("cloudwatch", "alarm:*", { region: "*" }) },
        { Sid: "ChatbotRenderAlarmGraphs", Effect: "Allow", Action: [...CHATBOT_GRAPH_READS], Resource: "*" },
      ],
    });
    const byChannel = new Map<string, SlackSeverity[]>();
    for (const severity of SLACK_SEVERITIES) {
      const channel = props.channelIds[severity];
      byChannel.set(channel, [...(byChannel.get(channel) ?? []), severity]);
    }
    this.channels = [...byChannel].map(
      ([channelId, severities]) =>
        new ChatbotSlackChannelConfiguration(this, `slack-${severities.join("-")}`, {
          configurationName: naming.name(`alerts-${severities.join("-")}`),
          slackTeamId: props.workspaceId,
          slackChannelId: channelId,
          snsTopicArns: severities.flatMap((severity) => props.topicArns(severity)),
          iamRoleArn: this.role.roleArn,
          guardrailPolicyArns: [CHATBOT_GUARDRAIL_POLICY_ARN],
          loggingLevel: "ERROR",
          provider: props.provider,
        }),
    );
  }
}
