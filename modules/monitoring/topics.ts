import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { Construct } from "constructs";
import { policyDocument } from "../../lib/iam";
import { SEVERITIES, type Severity, severityTopicName } from "./severity";

/** The part of a customer-managed key a topic needs: its ARN and a way to let a service use it. */
export interface TopicKey {
  readonly arn: string;
  grantToService(sid: string, service: string, options?: { condition?: Record<string, Record<string, string | string[]>> }): void;
}

export interface SeverityTopicsProps {
  /** Name prefix, e.g. `lma-production`. */
  readonly prefix: string;
  readonly accountId: string;
  readonly region: string;
  /** Encrypts the topics; CloudWatch and EventBridge get use of it for this account's alarms and rules. */
  readonly key: TopicKey;
}

/**
 * One KMS-encrypted SNS topic per severity. Only CloudWatch alarms and EventBridge rules of this
 * account may publish: a topic that anyone in the account can publish to pages people on forged
 * alerts. Subscriptions are modules/alert-delivery's.
 */
export class SeverityTopics extends Construct {
  readonly topics: Readonly<Record<Severity, SnsTopic>>;

  constructor(scope: Construct, id: string, props: SeverityTopicsProps) {
    super(scope, id);
    const sourceAccount = { StringEquals: { "aws:SourceAccount": props.accountId } };
    // CloudWatch and EventBridge publish with the key through SNS: they need GenerateDataKey and Decrypt.
    for (const [sid, service] of [
      ["AlarmTopicsCloudWatch", "cloudwatch.amazonaws.com"],
      ["AlarmTopicsEventBridge", "events.amazonaws.com"],
    ] as const) {
      props.key.grantToService(sid, service, { condition: sourceAccount });
    }
    const topics = {} as Record<Severity, SnsTopic>;
    for (const severity of SEVERITIES) {
      const topic = new SnsTopic(this, severity, {
        name: severityTopicName(props.prefix, severity),
        kmsMasterKeyId: props.key.arn,
        tags: { Severity: severity },
      });
      new SnsTopicPolicy(this, `${severity}-policy`, {
        arn: topic.arn,
        policy: policyDocument([
          {
            Sid: "PublishFromCloudWatchAlarms",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topic.arn,
            Condition: {
              StringEquals: { "aws:SourceAccount": props.accountId },
              ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${props.region}:${props.accountId}:alarm:*` },
            },
          },
          {
            Sid: "PublishFromEventBridgeRules",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topic.arn,
            Condition: {
              StringEquals: { "aws:SourceAccount": props.accountId },
              ArnLike: { "aws:SourceArn": `arn:aws:events:${props.region}:${props.accountId}:rule/*` },
            },
          },
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "sns:Publish",
            Resource: topic.arn,
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ]),
      });
      topics[severity] = topic;
    }
    this.topics = topics;
  }

  arnOf(severity: Severity): string {
    return this.topics[severity].arn;
  }
}
