import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { Wafv2WebAcl, type Wafv2WebAclRule } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { Construct } from "constructs";
import { policyDocument } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import type { KmsKey } from "../kms-key";
import { LogGroup } from "../log-group";

/** An AWS managed rule group, and the rules in it that only count instead of blocking. */
export interface ManagedRuleGroup {
  readonly name: string;
  /** Rules overridden to COUNT (still logged and measured), each with the reason in the list below. */
  readonly countOnly?: readonly string[];
}

/**
 * The managed rule groups of both web ACLs, in evaluation order after the rate limit.
 * - IP reputation first: cheapest, drops known bad actors before any inspection.
 * - Anonymous IP: `HostingProviderIPList` only counts, because lenders' and traders' integrations
 *   call the API from cloud hosts; VPNs, Tor and proxies are blocked.
 * - Common (OWASP Top 10): `SizeRestrictions_BODY` only counts, because document uploads exceed its
 *   8 KB body limit; the services enforce their own upload limits.
 * - Known bad inputs (Log4Shell, Java deserialization …) and SQL injection.
 */
export const DEFAULT_MANAGED_RULE_GROUPS: readonly ManagedRuleGroup[] = [
  { name: "AWSManagedRulesAmazonIpReputationList" },
  { name: "AWSManagedRulesAnonymousIpList", countOnly: ["HostingProviderIPList"] },
  { name: "AWSManagedRulesCommonRuleSet", countOnly: ["SizeRestrictions_BODY"] },
  { name: "AWSManagedRulesKnownBadInputsRuleSet" },
  { name: "AWSManagedRulesSQLiRuleSet" },
];

/** Headers never written to WAF logs: credentials and session tokens. */
export const REDACTED_HEADERS = ["authorization", "cookie"] as const;

export interface WebAclProps {
  readonly naming: Naming;
  /** REGIONAL for ALBs (in the stack's region); CLOUDFRONT for distributions (must be in us-east-1). */
  readonly scope: "REGIONAL" | "CLOUDFRONT";
  /** Requests per client IP over 5 minutes before the IP is blocked (environment.security). */
  readonly rateLimitPer5Min: number;
  /** Encrypts the WAF log group; a key in the web ACL's region. */
  readonly logsKey: KmsKey;
  readonly logRetentionDays: number;
  /** @default DEFAULT_MANAGED_RULE_GROUPS */
  readonly managedRuleGroups?: readonly ManagedRuleGroup[];
}

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

/**
 * One WAFv2 web ACL: a per-IP rate limit, the AWS managed rule groups, default allow; logged to an
 * encrypted, expiring CloudWatch log group with credentials redacted.
 */
export class WebAcl extends Construct {
  readonly acl: Wafv2WebAcl;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const { naming } = props;
    const kind = props.scope === "REGIONAL" ? "regional" : "cloudfront";
    const name = naming.name(kind);
    const metricPrefix = name.replace(/-/g, "");

    const rules: Wafv2WebAclRule[] = [
      {
        name: "rate-limit-per-ip",
        priority: 0,
        action: { block: {} },
        statement: {
          rate_based_statement: { limit: props.rateLimitPer5Min, aggregate_key_type: "IP", evaluation_window_sec: 300 },
        },
        visibilityConfig: visibility(`${metricPrefix}RateLimitPerIp`),
      },
      ...(props.managedRuleGroups ?? DEFAULT_MANAGED_RULE_GROUPS).map(
        (group, index): Wafv2WebAclRule => ({
          name: group.name,
          priority: (index + 1) * 10,
          overrideAction: { none: {} },
          statement: {
            managed_rule_group_statement: {
              vendor_name: "AWS",
              name: group.name,
              ...(group.countOnly?.length
                ? { rule_action_override: group.countOnly.map((rule) => ({ name: rule, action_to_use: { count: {} } })) }
                : {}),
            },
          },
          visibilityConfig: visibility(`${metricPrefix}${group.name}`),
        }),
      ),
    ];

    this.acl = new Wafv2WebAcl(this, "acl", {
      name,
      description: `${props.scope === "REGIONAL" ? "Load balancers" : "CloudFront distributions"} of ${naming.prefix}`,
      scope: props.scope,
      defaultAction: { allow: {} },
      rule: rules,
      visibilityConfig: visibility(metricPrefix),
    });

    // WAF requires log groups named `aws-waf-logs-*`.
    this.logGroup = new LogGroup(this, "log-group", {
      naming,
      name: `aws-waf-logs-${name}`,
      kmsKey: props.logsKey,
      retentionInDays: props.logRetentionDays,
    });
    const deliveryPolicy = new CloudwatchLogResourcePolicy(this, "log-delivery-policy", {
      policyName: `${name}-waf-log-delivery`,
      policyDocument: policyDocument([
        {
          Sid: "WafLogDelivery",
          Effect: "Allow",
          Principal: { Service: "delivery.logs.amazonaws.com" },
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${this.logGroup.arn}:*`,
          Condition: {
            StringEquals: { "aws:SourceAccount": naming.accountId },
            ArnLike: { "aws:SourceArn": naming.arn("logs", "*") },
          },
        },
      ]),
    });
    new Wafv2WebAclLoggingConfiguration(this, "logging", {
      resourceArn: this.acl.arn,
      logDestinationConfigs: [this.logGroup.arn],
      redactedFields: REDACTED_HEADERS.map((header) => ({ singleHeader: { name: header } })),
      dependsOn: [deliveryPolicy],
    });
  }

  get arn(): string {
    return this.acl.arn;
  }
}
