import { Testing } from "cdktf";
import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import type { EnvironmentConfig } from "../../../environments/types";
import { ref, resourceAt, SecurityFixtureStack, statement, synthFixture } from "./fixture";

const ACCOUNT = production.accountId;
const primary = synthFixture(production, 0).json;
const standby = synthFixture(production, 1).json;
/** Dev with a stricter rate limit, to prove the figure comes from the environment. */
const strictDev: EnvironmentConfig = { ...dev, security: { ...dev.security, wafRateLimitPer5Min: 500 } };
const devJson = synthFixture(strictDev, 0).json;
/** An environment whose primary region is not us-east-1: the CloudFront ACL must still be there. */
const euPrimary: EnvironmentConfig = { ...production, regions: [{ ...production.regions[1]!, role: "primary" }] };
const euJson = synthFixture(euPrimary, 0).json;

const EXPECTED_RULES = [
  ["rate-limit-per-ip", 0],
  ["AWSManagedRulesAmazonIpReputationList", 10],
  ["AWSManagedRulesAnonymousIpList", 20],
  ["AWSManagedRulesCommonRuleSet", 30],
  ["AWSManagedRulesKnownBadInputsRuleSet", 40],
  ["AWSManagedRulesSQLiRuleSet", 50],
];
type Rule = { name: string; priority: number; statement: Record<string, Record<string, unknown>>; action?: unknown; override_action?: unknown };
const rulesOf = (acl: Record<string, unknown>) => acl.rule as Rule[];

describe("regional web ACL (ALBs)", () => {
  const acl = resourceAt(primary, "aws_wafv2_web_acl", "security/waf-regional/acl");

  it("is a REGIONAL ACL that allows by default and evaluates the rate limit, then the managed groups", () => {
    expect(acl).toMatchObject({ name: "lma-production-regional", scope: "REGIONAL", default_action: { allow: {} } });
    expect(rulesOf(acl).map((rule) => [rule.name, rule.priority])).toEqual(EXPECTED_RULES);
  });

  it("blocks a client IP over the environment's limit per 5 minutes", () => {
    const rate = rulesOf(acl)[0]!;
    expect(rate.action).toEqual({ block: {} });
    // Behind CloudFront the source IP is an edge server's: the client is the first X-Forwarded-For entry.
    expect(rate.statement).toEqual({
      rate_based_statement: {
        limit: production.security.wafRateLimitPer5Min,
        aggregate_key_type: "FORWARDED_IP",
        forwarded_ip_config: { header_name: "X-Forwarded-For", fallback_behavior: "MATCH" },
        evaluation_window_sec: 300,
      },
    });
    const devRate = rulesOf(resourceAt(devJson, "aws_wafv2_web_acl", "security/waf-regional/acl"))[0]!;
    expect(devRate.statement.rate_based_statement!.limit).toBe(strictDev.security.wafRateLimitPer5Min);
  });

  it("uses AWS managed groups, with only the documented rules set to count", () => {
    const groups = rulesOf(acl).slice(1);
    for (const group of groups) {
      expect(group.override_action).toEqual({ none: {} });
      expect(group.statement.managed_rule_group_statement).toMatchObject({ vendor_name: "AWS", name: group.name });
    }
    const overrides = Object.fromEntries(groups.map((group) => [group.name, group.statement.managed_rule_group_statement!.rule_action_override]));
    expect(overrides).toEqual({
      AWSManagedRulesAmazonIpReputationList: undefined,
      AWSManagedRulesAnonymousIpList: [{ name: "HostingProviderIPList", action_to_use: { count: {} } }],
      AWSManagedRulesCommonRuleSet: [{ name: "SizeRestrictions_BODY", action_to_use: { count: {} } }],
      AWSManagedRulesKnownBadInputsRuleSet: undefined,
      AWSManagedRulesSQLiRuleSet: undefined,
    });
  });

  it("logs to aws-waf-logs-lma-<env>-regional (logs key, retention) with authorization and cookie redacted", () => {
    expect(resourceAt(primary, "aws_cloudwatch_log_group", "security/waf-regional/log-group/group")).toMatchObject({
      name: "aws-waf-logs-lma-production-regional",
      kms_key_id: ref(primary, "aws_kms_key", "security/keys/logs/key", "arn"),
      retention_in_days: 365,
    });
    expect(resourceAt(primary, "aws_wafv2_web_acl_logging_configuration", "security/waf-regional/logging")).toMatchObject({
      resource_arn: ref(primary, "aws_wafv2_web_acl", "security/waf-regional/acl", "arn"),
      log_destination_configs: [ref(primary, "aws_cloudwatch_log_group", "security/waf-regional/log-group/group", "arn")],
      redacted_fields: [{ single_header: { name: "authorization" } }, { single_header: { name: "cookie" } }],
    });
    const delivery = resourceAt(primary, "aws_cloudwatch_log_resource_policy", "security/waf-regional/log-delivery-policy").policy_document;
    expect(statement(delivery, "WafLogDelivery")).toMatchObject({
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Resource: `${ref(primary, "aws_cloudwatch_log_group", "security/waf-regional/log-group/group", "arn")}:*`,
      Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": `arn:aws:logs:us-east-1:${ACCOUNT}:*` } },
    });
  });

  it("exists in the DR region too", () => {
    expect(resourceAt(standby, "aws_wafv2_web_acl", "security/waf-regional/acl").scope).toBe("REGIONAL");
  });
});

describe("CloudFront web ACL", () => {
  it("exists only in the primary region's stack, with the same rules", () => {
    const acl = resourceAt(primary, "aws_wafv2_web_acl", "security/waf-cloudfront/acl");
    expect(acl).toMatchObject({ name: "lma-production-cloudfront", scope: "CLOUDFRONT" });
    expect(rulesOf(acl).map((rule) => [rule.name, rule.priority])).toEqual(EXPECTED_RULES);
    expect(resourceAt(primary, "aws_cloudwatch_log_group", "security/waf-cloudfront/log-group/group").name).toBe(
      "aws-waf-logs-lma-production-cloudfront",
    );
    expect(Object.values(standby.resource.aws_wafv2_web_acl!).map((candidate) => candidate.scope)).toEqual(["REGIONAL"]);
  });

  it("is created in us-east-1, with its log group and key, when the primary region is elsewhere", () => {
    const usEast1 = "aws.us-east-1";
    expect(resourceAt(euJson, "aws_wafv2_web_acl", "security/edge/waf-cloudfront/acl").provider).toBe(usEast1);
    expect(resourceAt(euJson, "aws_cloudwatch_log_group", "security/edge/waf-cloudfront/log-group/group").provider).toBe(usEast1);
    const key = resourceAt(euJson, "aws_kms_key", "security/edge/logs-key/key");
    expect(key.provider).toBe(usEast1);
    expect(key.enable_key_rotation).toBe(true);
    expect(resourceAt(euJson, "aws_kms_alias", "security/edge/logs-key/alias").name).toBe("alias/lma-production-edge-logs");
    expect(statement(key.policy, "CloudWatchLogs1").Principal).toEqual({ Service: "logs.us-east-1.amazonaws.com" });
    // The regional ACL stays in the stack's own region.
    expect(resourceAt(euJson, "aws_wafv2_web_acl", "security/waf-regional/acl").provider).toBeUndefined();
  });

  it("the baseline exposes both ARNs; a standby stack has no CloudFront ACL to give", () => {
    const stack = new SecurityFixtureStack(Testing.app(), production, 1);
    expect(stack.security.regionalWebAclArn).toMatch(/^\$\{TfToken/);
    expect(() => stack.security.cloudfrontWebAclArn).toThrow("eu-west-1 is not the primary region");
  });
});

describe("Shield Advanced", () => {
  it("protects a resource only where the environment subscribes", () => {
    const app = Testing.app();
    const prod = new SecurityFixtureStack(app, production, 0);
    const devStack = new SecurityFixtureStack(app, dev, 0);
    const albArn = "arn:aws:elasticloadbalancing:us-east-1:400000000003:loadbalancer/app/lma-production-api/0123456789abcdef";
    expect(prod.security.protectWithShield("alb", albArn)).toBeDefined();
    expect(devStack.security.protectWithShield("alb", albArn)).toBeUndefined();
    const prodJson = JSON.parse(Testing.synth(prod)) as typeof primary;
    expect(Object.values(prodJson.resource.aws_shield_protection!)).toEqual([
      expect.objectContaining({ name: "lma-production-shield-alb", resource_arn: albArn }),
    ]);
    expect((JSON.parse(Testing.synth(devStack)) as typeof primary).resource.aws_shield_protection).toBeUndefined();
  });
});
