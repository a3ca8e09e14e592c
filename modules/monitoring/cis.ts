import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { Construct } from "constructs";
import { AlarmSet, type AlarmDefinition } from "./alarms";

/**
 * The CIS AWS Foundations Benchmark's monitoring controls (section "Monitoring", 4.1–4.15 in v1.4,
 * Security Hub controls CloudWatch.1–14): one metric filter on the CloudTrail log group and one
 * alarm per event class. Patterns are the benchmark's own, so Security Hub's CIS checks pass.
 */
export const CIS_FILTERS: readonly { readonly id: string; readonly description: string; readonly pattern: string }[] = [
  {
    id: "unauthorized-api-calls",
    description: "Unauthorized API calls",
    pattern: '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
  },
  {
    id: "console-signin-without-mfa",
    description: "Management console sign-in without MFA",
    pattern: '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
  },
  {
    id: "root-account-usage",
    description: "Usage of the root account",
    pattern: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
  },
  {
    id: "iam-policy-changes",
    description: "IAM policy changes",
    pattern: `{ ${[
      "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy",
      "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy",
      "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy",
    ].map((name) => `($.eventName = ${name})`).join(" || ")} }`,
  },
  {
    id: "cloudtrail-changes",
    description: "CloudTrail configuration changes",
    pattern: "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
  },
  {
    id: "console-authentication-failures",
    description: "Management console authentication failures",
    pattern: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
  },
  {
    id: "cmk-disabled-or-deleted",
    description: "Disabling or scheduled deletion of customer-managed KMS keys",
    pattern: "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }",
  },
  {
    id: "s3-bucket-policy-changes",
    description: "S3 bucket policy changes",
    pattern: `{ ($.eventSource = s3.amazonaws.com) && (${[
      "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
      "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication",
    ].map((name) => `($.eventName = ${name})`).join(" || ")}) }`,
  },
  {
    id: "config-changes",
    description: "AWS Config configuration changes",
    pattern: "{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }",
  },
  {
    id: "security-group-changes",
    description: "Security group changes",
    pattern: "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
  },
  {
    id: "nacl-changes",
    description: "Network ACL changes",
    pattern: "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
  },
  {
    id: "network-gateway-changes",
    description: "Network gateway changes",
    pattern: "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
  },
  {
    id: "route-table-changes",
    description: "Route table changes",
    pattern: "{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }",
  },
  {
    id: "vpc-changes",
    description: "VPC changes",
    pattern: "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }",
  },
  {
    id: "organizations-changes",
    description: "AWS Organizations changes",
    pattern: `{ ($.eventSource = organizations.amazonaws.com) && (${[
      "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake",
      "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType",
      "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy",
      "UpdateOrganizationalUnit",
    ].map((name) => `($.eventName = "${name}")`).join(" || ")}) }`,
  },
];

/** Namespace of the CIS metrics; one per environment so accounts sharing a dashboard stay apart. */
export function cisNamespace(prefix: string): string {
  return `${prefix}/CISBenchmark`;
}

export interface CisAlarmsProps {
  /** Name prefix, e.g. `lma-production-use1`. */
  readonly prefix: string;
  /** The CloudTrail log group the filters read. */
  readonly trailLogGroupName: string;
  /** Where the alarms go (the security severity topic). */
  readonly topicArn: string;
}

/** The benchmark's metric filters and alarms; every match is a security alert, no threshold. */
export class CisAlarms extends Construct {
  readonly alarms: AlarmSet;

  constructor(scope: Construct, id: string, props: CisAlarmsProps) {
    super(scope, id);
    const namespace = cisNamespace(props.prefix);
    const definitions: AlarmDefinition[] = CIS_FILTERS.map((filter) => {
      new CloudwatchLogMetricFilter(this, filter.id, {
        name: `${props.prefix}-cis-${filter.id}`,
        logGroupName: props.trailLogGroupName,
        pattern: filter.pattern,
        metricTransformation: { name: filter.id, namespace, value: "1", unit: "Count" },
      });
      return {
        id: `cis-${filter.id}`,
        component: "audit",
        description: `CIS: ${filter.description}`,
        severity: "security" as const,
        metrics: [{ id: "events", namespace, metricName: filter.id, stat: "Sum" }],
        threshold: 1,
        comparison: "GreaterThanOrEqualToThreshold" as const,
        period: 300,
        evaluationPeriods: 1,
      };
    });
    this.alarms = new AlarmSet(this, "alarms", { prefix: props.prefix, alarms: definitions, topicArn: () => props.topicArn });
  }
}
