/**
 * Offline plan proof of the security baseline (modules/security) on production's two regional stacks, the
 * ones that exercise both region roles (plans from the global setup's run; see plan-suite.ts).
 */
import { findResources, type PlanJson, plannedResources } from "../../tooling/terraform-harness";
import { loadEnvironments } from "../../environments";
import { readAppContext } from "../../lib/app-context";
import { planSuite } from "./plan-suite";

const production = loadEnvironments(readAppContext().context).find(({ config }) => config.name === "production")!.config;
const [PRIMARY, STANDBY] = production.regions.map((region) => `lma-production-${region.region}`) as [string, string];
const valuesOf = (plan: PlanJson, type: string) => plannedResources(plan, type).map((resource) => resource.values);

planSuite("security baseline, planned offline with the AWS provider", [PRIMARY, STANDBY], (planOf) => {
  it.each([PRIMARY, STANDBY])("%s: every KMS key rotates yearly", (stack) => {
    const keys = valuesOf(planOf(stack), "aws_kms_key");
    expect(keys.length).toBeGreaterThanOrEqual(4);
    for (const key of keys) expect(key).toMatchObject({ enable_key_rotation: true, rotation_period_in_days: 365 });
  });

  it("renders the MFA policy's IAM variable literally (the $${…} escape reaches AWS as ${aws:username})", () => {
    const [policy] = findResources(planOf(PRIMARY), "aws_iam_policy", (resource) => resource.values.name === "lma-production-require-mfa");
    const statement = JSON.parse(String(policy!.values.policy)).Statement.find((candidate: { Sid: string }) => candidate.Sid === "ManageOwnMfa");
    expect(statement.Resource).toBe("arn:aws:iam::400000000003:user/${aws:username}");
  });

  it("plans the password policy in the primary region only", () => {
    expect(valuesOf(planOf(PRIMARY), "aws_iam_account_password_policy")).toEqual([
      expect.objectContaining({ minimum_password_length: 14, password_reuse_prevention: 24, max_password_age: 90 }),
    ]);
    expect(valuesOf(planOf(STANDBY), "aws_iam_account_password_policy")).toEqual([]);
  });

  it("plans one multi-region, validated, encrypted trail, in the primary region only", () => {
    expect(valuesOf(planOf(PRIMARY), "aws_cloudtrail")).toEqual([
      expect.objectContaining({
        name: "lma-production-trail",
        is_multi_region_trail: true,
        include_global_service_events: true,
        enable_log_file_validation: true,
        s3_key_prefix: "cloudtrail",
      }),
    ]);
    expect(valuesOf(planOf(STANDBY), "aws_cloudtrail")).toEqual([]);
  });

  it("plans the web ACLs: regional in both regions, CloudFront in the primary, rate limit 2,000", () => {
    const acls = (stack: string) => valuesOf(planOf(stack), "aws_wafv2_web_acl").map((acl) => [acl.name, acl.scope]).sort();
    expect(acls(PRIMARY)).toEqual([
      ["lma-production-cloudfront", "CLOUDFRONT"],
      ["lma-production-regional", "REGIONAL"],
    ]);
    expect(acls(STANDBY)).toEqual([["lma-production-regional", "REGIONAL"]]);
    const regional = valuesOf(planOf(STANDBY), "aws_wafv2_web_acl")[0]!;
    const rules = regional.rule as { name: string; statement: { rate_based_statement: { limit: number }[] }[] }[];
    expect(rules).toHaveLength(6);
    expect(rules.find((rule) => rule.name === "rate-limit-per-ip")!.statement[0]!.rate_based_statement[0]!.limit).toBe(2000);
    for (const logging of valuesOf(planOf(PRIMARY), "aws_wafv2_web_acl_logging_configuration")) {
      expect(logging.redacted_fields).toEqual([
        expect.objectContaining({ single_header: [{ name: "authorization" }] }),
        expect.objectContaining({ single_header: [{ name: "cookie" }] }),
      ]);
    }
  });

  it.each([PRIMARY, STANDBY])("%s: every secret a service reads, with no value in the configuration", (stack) => {
    const secrets = findResources(planOf(stack), "aws_secretsmanager_secret", (resource) => resource.address.includes("security_secrets_"));
    const read = [...new Set(production.services.flatMap((service) => service.secrets ?? []))].map((name) => `lma-production/${name}`);
    expect(secrets.map((secret) => secret.values.name)).toEqual(expect.arrayContaining(read));
    expect(findResources(planOf(stack), "aws_secretsmanager_secret_version", (resource) => resource.address.includes("security_"))).toEqual([]);
  });

  it.each([PRIMARY, STANDBY])("%s: internet ingress only to the ALB on 443 and 80", (stack) => {
    const open = valuesOf(planOf(stack), "aws_vpc_security_group_ingress_rule").filter((rule) => rule.cidr_ipv4 === "0.0.0.0/0");
    expect(open.map((rule) => [rule.from_port, rule.to_port, rule.ip_protocol]).sort()).toEqual([
      [443, 443, "tcp"],
      [80, 80, "tcp"],
    ]);
  });

  it("plans detection in both regions: GuardDuty features, four standards, Config rules (global ones in the primary)", () => {
    for (const stack of [PRIMARY, STANDBY]) {
      expect(valuesOf(planOf(stack), "aws_guardduty_detector_feature")).toHaveLength(6);
      expect(valuesOf(planOf(stack), "aws_securityhub_standards_subscription")).toHaveLength(4);
    }
    expect(valuesOf(planOf(PRIMARY), "aws_config_config_rule")).toHaveLength(46);
    expect(valuesOf(planOf(STANDBY), "aws_config_config_rule")).toHaveLength(33);
  });

  it.each([PRIMARY, STANDBY])("%s: creates only (nothing is replaced or destroyed on a fresh plan)", (stack) => {
    const actions = new Set((planOf(stack).resource_changes ?? []).flatMap((change) => change.change.actions));
    expect([...actions]).toEqual(["create"]);
  });
});
