import { Construct } from "constructs";
import { policyDocument } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import { Role } from "../iam-role";

/** The AWS account Datadog's integration assumes roles from (Datadog's US and EU sites). */
export const DATADOG_AWS_ACCOUNT_ID = "464622532012";

/**
 * The role Datadog assumes in an environment's account. IAM names are account-wide and the
 * observability stack (`lma-<env>-observability`) links to the role by this name, not by state.
 */
export function datadogIntegrationRoleName(environment: string): string {
  return `lma-${environment}-datadog-integration`;
}

/**
 * What Datadog's AWS integration reads, limited to the services this platform runs: metrics
 * and alarms from CloudWatch, the resources and tags those metrics belong to, X-Ray traces,
 * AWS Health events and CloudTrail's status. Datadog's documented policy also holds write actions
 * (`logs:PutSubscriptionFilter`, `s3:PutBucketNotification`, `sns:Publish`,
 * `events:CreateEventBus`) for its log forwarder, which this platform does not install, and
 * reads for services it does not run (DynamoDB, Kinesis, EMR, Redshift …): both are left out.
 */
export const DATADOG_READ_ACTIONS: readonly string[] = [
  "cloudwatch:Describe*",
  "cloudwatch:Get*",
  "cloudwatch:List*",
  "tag:GetResources",
  "tag:GetTagKeys",
  "tag:GetTagValues",
  "autoscaling:Describe*",
  "application-autoscaling:Describe*",
  "ec2:Describe*",
  "ecs:Describe*",
  "ecs:List*",
  "elasticloadbalancing:Describe*",
  "rds:Describe*",
  "rds:List*",
  "elasticache:Describe*",
  "elasticache:List*",
  "es:ListDomainNames",
  "es:DescribeElasticsearchDomains",
  "es:DescribeDomains",
  "es:ListTags",
  "mq:ListBrokers",
  "mq:DescribeBroker",
  "lambda:List*",
  "lambda:GetPolicy",
  "sqs:ListQueues",
  "sns:List*",
  "s3:ListAllMyBuckets",
  "s3:GetBucketLocation",
  "s3:GetBucketTagging",
  "s3:GetBucketLogging",
  "cloudfront:ListDistributions",
  "cloudfront:GetDistributionConfig",
  "route53:List*",
  "xray:BatchGetTraces",
  "xray:GetTraceSummaries",
  "health:DescribeEvents",
  "health:DescribeEventDetails",
  "health:DescribeAffectedEntities",
  "cloudtrail:DescribeTrails",
  "cloudtrail:GetTrailStatus",
  "logs:DescribeLogGroups",
  "logs:DescribeLogStreams",
  "logs:FilterLogEvents",
];

export interface DatadogIntegrationRoleProps {
  readonly naming: Naming;
  /** The external id Datadog shows for this account (`datadog.awsIntegrationExternalId` of the environment file). */
  readonly externalId: string;
}

/**
 * The IAM role of Datadog's AWS integration: assumable only by Datadog's account presenting the
 * environment's external id (the confused-deputy guard), read-only, one per account (the
 * environment's primary region stack owns it).
 */
export class DatadogIntegrationRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: DatadogIntegrationRoleProps) {
    super(scope, id);
    this.role = new Role(this, "role", {
      name: datadogIntegrationRoleName(props.naming.environment),
      description: "Datadog's AWS integration: reads metrics, tags and resource metadata",
      assumeRolePolicy: policyDocument([
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${DATADOG_AWS_ACCOUNT_ID}:root` },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "sts:ExternalId": props.externalId } },
        },
      ]),
      statements: [{ Sid: "DatadogIntegrationRead", Effect: "Allow", Action: [...DATADOG_READ_ACTIONS], Resource: "*" }],
    });
  }

  get arn(): string {
    return this.role.roleArn;
  }
}
