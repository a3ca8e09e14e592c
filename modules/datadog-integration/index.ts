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
 * AWS Health events and CloudTrail's status. Datadog's documented policy grants `Describe*`,
 * `Get*` and `List*` of each service on `*`, writes for its log forwarder (not installed here) and
 * reads for services this platform does not run: here every action is named exactly, and only
 * actions without resource-level permissions (`DATADOG_UNSCOPED_READS`) are granted on `*`.
 */
export const DATADOG_UNSCOPED_READS: readonly string[] = [
  "cloudwatch:GetMetricData",
  "cloudwatch:GetMetricStatistics",
  "cloudwatch:ListMetrics",
  "tag:GetResources",
  "tag:GetTagKeys",
  "tag:GetTagValues",
  "application-autoscaling:DescribeScalableTargets",
  "application-autoscaling:DescribeScalingPolicies",
  "ec2:DescribeNatGateways",
  "ec2:DescribeVpcs",
  "ecs:ListClusters",
  "ecs:ListServices",
  "elasticloadbalancing:DescribeLoadBalancers",
  "elasticloadbalancing:DescribeTargetGroups",
  "elasticloadbalancing:DescribeTargetHealth",
  "elasticloadbalancing:DescribeTags",
  "rds:DescribeEvents",
  "es:ListDomainNames",
  "mq:ListBrokers",
  "lambda:ListFunctions",
  "sqs:ListQueues",
  "sns:ListTopics",
  "s3:ListAllMyBuckets",
  "cloudfront:ListDistributions",
  "route53:ListHostedZones",
  "route53:ListHealthChecks",
  "xray:BatchGetTraces",
  "xray:GetTraceSummaries",
  "health:DescribeEvents",
  "cloudtrail:DescribeTrails",
  "logs:DescribeLogGroups",
];

/** Reads that name a resource, each granted on the resources of that kind in this account only. */
export const DATADOG_SCOPED_READS: readonly { readonly sid: string; readonly actions: readonly string[]; readonly resource: (accountId: string) => string }[] = [
  { sid: "Alarms", actions: ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"], resource: (account) => `arn:aws:cloudwatch:*:${account}:alarm:*` },
  { sid: "EcsClusters", actions: ["ecs:DescribeClusters", "ecs:ListTagsForResource"], resource: (account) => `arn:aws:ecs:*:${account}:cluster/*` },
  { sid: "EcsServices", actions: ["ecs:DescribeServices", "ecs:ListTagsForResource"], resource: (account) => `arn:aws:ecs:*:${account}:service/*` },
  { sid: "Databases", actions: ["rds:DescribeDBInstances", "rds:ListTagsForResource"], resource: (account) => `arn:aws:rds:*:${account}:db:*` },
  {
    sid: "Caches",
    actions: ["elasticache:DescribeReplicationGroups", "elasticache:DescribeCacheClusters", "elasticache:ListTagsForResource"],
    resource: (account) => `arn:aws:elasticache:*:${account}:*`,
  },
  { sid: "SearchDomains", actions: ["es:DescribeDomains", "es:ListTags"], resource: (account) => `arn:aws:es:*:${account}:domain/*` },
  { sid: "Brokers", actions: ["mq:DescribeBroker", "mq:ListTags"], resource: (account) => `arn:aws:mq:*:${account}:broker:*` },
  { sid: "Functions", actions: ["lambda:GetPolicy", "lambda:ListTags"], resource: (account) => `arn:aws:lambda:*:${account}:function:*` },
  { sid: "Queues", actions: ["sqs:GetQueueAttributes", "sqs:ListQueueTags"], resource: (account) => `arn:aws:sqs:*:${account}:*` },
  { sid: "Topics", actions: ["sns:ListTagsForResource"], resource: (account) => `arn:aws:sns:*:${account}:*` },
  { sid: "Distributions", actions: ["cloudfront:GetDistributionConfig", "cloudfront:ListTagsForResource"], resource: (account) => `arn:aws:cloudfront::${account}:distribution/*` },
  { sid: "HealthEvents", actions: ["health:DescribeEventDetails", "health:DescribeAffectedEntities"], resource: () => "arn:aws:health:*::event/*" },
  { sid: "Trails", actions: ["cloudtrail:GetTrailStatus"], resource: (account) => `arn:aws:cloudtrail:*:${account}:trail/*` },
  { sid: "LogGroups", actions: ["logs:DescribeLogStreams", "logs:FilterLogEvents"], resource: (account) => `arn:aws:logs:*:${account}:log-group:*` },
];

/** Every action the role has, for documentation and tests. */
export const DATADOG_READ_ACTIONS: readonly string[] = [
  ...new Set([...DATADOG_UNSCOPED_READS, ...DATADOG_SCOPED_READS.flatMap((read) => read.actions)]),
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
      statements: [
        // The Service Authorization Reference lists no resource type for these: "*" is their only form.
        { Sid: "DatadogIntegrationReadUnscoped", Effect: "Allow", Action: [...DATADOG_UNSCOPED_READS], Resource: "*" },
        ...DATADOG_SCOPED_READS.map((read) => ({
          Sid: `DatadogIntegrationRead${read.sid}`,
          Effect: "Allow" as const,
          Action: [...read.actions],
          Resource: read.resource(props.naming.accountId),
        })),
      ],
    });
  }

  get arn(): string {
    return this.role.roleArn;
  }
}
