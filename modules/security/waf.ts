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
  /**
   * Requests per client IP over 5 minutes before the IP is blocked (environment.security). The
   * CLOUDFRONT ACL counts the viewer's source address; the REGIONAL ACL sits behind CloudFront,
   * where the source is a CloudFront edge server, so it counts the client CloudFront names in
   * X-Forwarded-For (see {@link clientAddressOf}).
   */
  readonly rateLimitPer5Min: number;
  /** Encrypts the WAF log group; a key in the web ACL's region. */
  readonly logsKey: KmsKey;
  readonly logRetentionDays: number;
  /** @default DEFAULT_MANAGED_RULE_GROUPS */
  readonly managedRuleGroups?: readonly ManagedRuleGroup[];
}

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

const REQUIRE_HEADER_RULE = "require-origin-verify-header";

/** The header CloudFront writes the viewer's address into (first entry) before it reaches the ALB. */
export const FORWARDED_CLIENT_HEADER = "X-Forwarded-For";

/**
 * What a rate-based rule counts as "the client". Behind CloudFront the source address is an edge
 * server shared by thousands of viewers, and counting it would block busy edges: the REGIONAL ACL
 * counts the first address of X-Forwarded-For, and a request without a valid one counts against
 * the rule (fallback MATCH), so dropping the header is no way around the limit. A viewer can
 * prepend a forged address there; the CLOUDFRONT ACL's limit on the real source address is the
 * one that cannot be dodged, this one keeps one client from using many edges.
 */
export function clientAddressOf(scope: WebAclProps["scope"]): Record<string, unknown> {
  return scope === "CLOUDFRONT"
    ? { aggregate_key_type: "IP" }
    : { aggregate_key_type: "FORWARDED_IP", forwarded_ip_config: { header_name: FORWARDED_CLIENT_HEADER, fallback_behavior: "MATCH" } };
}

/**
 * One WAFv2 web ACL: a per-IP rate limit, the AWS managed rule groups, default allow; logged to an
 * encrypted, expiring CloudWatch log group with credentials redacted.
 */
export class WebAcl extends Construct {
  readonly acl: Wafv2WebAcl;
  readonly logGroup: LogGroup;
  private readonly rules: Wafv2WebAclRule[];
  private readonly metricPrefix: string;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const { naming } = props;
    const kind = props.scope === "REGIONAL" ? "regional" : "cloudfront";
    const name = naming.name(kind);
    const metricPrefix = name.replace(/-/g, "");
    this.metricPrefix = metricPrefix;

    const rules: Wafv2WebAclRule[] = [
      {
        name: "rate-limit-per-ip",
        priority: 0,
        action: { block: {} },
        statement: {
          rate_based_statement: { limit: props.rateLimitPer5Min, ...clientAddressOf(props.scope), evaluation_window_sec: 300 },
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
    this.rules = rules;

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

  /**
   * Blocks (403) every request that lacks `header` with exactly `value`: the secret CloudFront adds
   * to its API origin requests (modules/edge `originVerifyHeader`). The ALB's security group already
   * admits only CloudFront's servers; this refuses requests that come through someone else's
   * distribution. Evaluated right after the rate limit, before any managed rule group.
   */
  requireHeader(header: { readonly name: string; readonly value: string }): void {
    if (this.rules.some((rule) => rule.name === REQUIRE_HEADER_RULE)) throw new Error(`${this.acl.nameInput}: the origin header is already required`);
    this.rules.push({
      name: REQUIRE_HEADER_RULE,
      priority: 1,
      action: { block: {} },
      statement: {
        not_statement: {
          statement: {
            byte_match_statement: {
              field_to_match: { single_header: { name: header.name.toLowerCase() } },
              positional_constraint: "EXACTLY",
              search_string: header.value,
              text_transformation: [{ priority: 0, type: "NONE" }],
            },
          },
        },
      },
      visibilityConfig: visibility(`${this.metricPrefix}RequireOriginVerifyHeader`),
    });
    this.acl.putRule(this.rules);
  }
}
