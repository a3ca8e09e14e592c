/**
 * Offline plan proof of the security baseline (modules/security) on production's two regional stacks, the
 * ones that exercise both region roles (plans from the global setup's run; see plan-suite.ts).
 */
import { configuredResources, expressionReferences, findResources, type PlanJson, plannedResources } from "../../tooling/terraform-harness";
import { loadEnvironments } from "../../environments";
import { readAppContext } from "../../lib/app-context";
import { disasterRecoveryOf } from "../../lib/disaster-recovery";
import { Naming } from "../../lib/naming";
import { ORIGIN_VERIFY_HEADER, ORIGIN_VERIFY_VARIABLE } from "../../modules/edge/origin-verify";
import {
  DEFAULT_MANAGED_RULE_GROUPS,
  DEFAULT_PASSWORD_POLICY,
  GUARDDUTY_FEATURES,
  MANAGED_CONFIG_RULES,
  PORTS,
  REDACTED_HEADERS,
  SECURITY_HUB_STANDARDS,
  secretName,
} from "../../modules/security";
import { clientAddressOf } from "../../modules/security/waf";
import { RegionalStack } from "../../stacks/regional-stack";
import { planSuite } from "./plan-suite";

const production = loadEnvironments(readAppContext().context).find(({ config }) => config.name === "production")!.config;
const regions = production.regions.map((region) => ({
  ...region,
  stack: RegionalStack.stackName(production.name, region.region),
  naming: new Naming(production.name, region.region, production.accountId),
  recovery: disasterRecoveryOf(production, region.region),
}));
const primary = regions.find((region) => region.role === "primary")!;
const standbys = regions.filter((region) => region.role === "standby");
const PRIMARY = primary.stack;
const STACKS = regions.map((region) => region.stack);
const regionOf = (stack: string) => regions.find((region) => region.stack === stack)!;
const valuesOf = (plan: PlanJson, type: string) => plannedResources(plan, type).map((resource) => resource.values as Record<string, any>);

/** The application secrets the catalogue's services read, by short name. */
const applicationSecrets = [...new Set(production.services.flatMap((service) => service.secrets ?? []))];

type WafRule = { name: string; priority: number; statement: Record<string, any>[] };
const rulesOf = (acl: Record<string, any>) => [...(acl.rule as WafRule[])].sort((a, b) => a.priority - b.priority);
const aclOf = (plan: PlanJson, scope: string) => {
  const acls = valuesOf(plan, "aws_wafv2_web_acl").filter((acl) => acl.scope === scope);
  if (acls.length !== 1) throw new Error(`expected one ${scope} web ACL, found ${acls.length}`);
  return acls[0]!;
};
/** The rules whose statement is of `kind` (e.g. `rate_based_statement`), whatever their position. */
const rulesWith = (acl: Record<string, any>, kind: string) => rulesOf(acl).filter((rule) => (rule.statement[0]?.[kind] ?? []).length > 0);

planSuite("security baseline, planned offline with the AWS provider", STACKS, (planOf) => {
  it.each(STACKS)("%s: every KMS key rotates yearly", (stack) => {
    const keys = valuesOf(planOf(stack), "aws_kms_key");
    expect(keys.length).toBeGreaterThanOrEqual(4);
    for (const key of keys) expect(key).toMatchObject({ enable_key_rotation: true, rotation_period_in_days: 365 });
  });

  it("renders the MFA policy's IAM variable literally (the $${…} escape reaches AWS as ${aws:username})", () => {
    const [policy] = findResources(planOf(PRIMARY), "aws_iam_policy", (resource) => resource.values.name === primary.naming.name("require-mfa"));
    const statement = JSON.parse(String(policy!.values.policy)).Statement.find((candidate: { Sid: string }) => candidate.Sid === "ManageOwnMfa");
    expect(statement.Resource).toBe(`arn:aws:iam::${production.accountId}:user/\${aws:username}`);
  });

  it("plans the password policy in the primary region only", () => {
    expect(valuesOf(planOf(PRIMARY), "aws_iam_account_password_policy")).toEqual([
      expect.objectContaining({
        minimum_password_length: DEFAULT_PASSWORD_POLICY.minimumLength,
        password_reuse_prevention: DEFAULT_PASSWORD_POLICY.reusePrevention,
        max_password_age: DEFAULT_PASSWORD_POLICY.maxAgeDays,
      }),
    ]);
    for (const standby of standbys) expect(valuesOf(planOf(standby.stack), "aws_iam_account_password_policy")).toEqual([]);
  });

  it("plans one multi-region, validated, encrypted trail, in the primary region only", () => {
    expect(valuesOf(planOf(PRIMARY), "aws_cloudtrail")).toEqual([
      expect.objectContaining({
        name: primary.naming.name("trail"),
        is_multi_region_trail: true,
        include_global_service_events: true,
        enable_log_file_validation: true,
        s3_key_prefix: "cloudtrail",
      }),
    ]);
    for (const standby of standbys) expect(valuesOf(planOf(standby.stack), "aws_cloudtrail")).toEqual([]);
  });

  it("plans a CloudFront web ACL in the primary only and a regional web ACL in every region, logged without credentials", () => {
    expect(valuesOf(planOf(PRIMARY), "aws_wafv2_web_acl").map((acl) => acl.scope).sort()).toEqual(["CLOUDFRONT", "REGIONAL"]);
    for (const standby of standbys) expect(valuesOf(planOf(standby.stack), "aws_wafv2_web_acl").map((acl) => acl.scope)).toEqual(["REGIONAL"]);
    for (const stack of STACKS) {
      const logging = valuesOf(planOf(stack), "aws_wafv2_web_acl_logging_configuration");
      expect(logging).toHaveLength(valuesOf(planOf(stack), "aws_wafv2_web_acl").length);
      for (const configuration of logging) {
        expect(configuration.redacted_fields).toEqual(REDACTED_HEADERS.map((header) => expect.objectContaining({ single_header: [{ name: header }] })));
      }
    }
  });

  it.each(STACKS)("%s: the regional web ACL rate-limits the client CloudFront forwards and refuses requests without the origin header before any managed group", (stack) => {
    const plan = planOf(stack);
    const acl = aclOf(plan, "REGIONAL");
    const [rateRule, ...otherRateRules] = rulesWith(acl, "rate_based_statement");
    expect(otherRateRules).toEqual([]);
    expect(rateRule!.statement[0]!.rate_based_statement).toEqual([
      expect.objectContaining({
        limit: production.security.wafRateLimitPer5Min,
        aggregate_key_type: clientAddressOf("REGIONAL").aggregate_key_type,
        forwarded_ip_config: [clientAddressOf("REGIONAL").forwarded_ip_config],
      }),
    ]);
    const [headerRule, ...otherNegations] = rulesWith(acl, "not_statement");
    expect(otherNegations).toEqual([]);
    expect(headerRule).toMatchObject({ action: [expect.objectContaining({ block: [expect.anything()] })] });
    // The value CloudFront sends is the stack's sensitive variable, planned offline with a placeholder.
    const headerValue = (plan.variables as Record<string, { value: string }>)[ORIGIN_VERIFY_VARIABLE]!.value;
    expect(headerRule!.statement[0]!.not_statement[0].statement[0].byte_match_statement).toEqual([
      expect.objectContaining({
        field_to_match: [expect.objectContaining({ single_header: [{ name: ORIGIN_VERIFY_HEADER.toLowerCase() }] })],
        positional_constraint: "EXACTLY",
        search_string: headerValue,
      }),
    ]);
    // Before any managed group: a request without the header costs no inspection.
    const managed = rulesWith(acl, "managed_rule_group_statement");
    expect(managed.map((rule) => rule.name)).toEqual(DEFAULT_MANAGED_RULE_GROUPS.map((group) => group.name));
    expect(headerRule!.priority).toBeLessThan(Math.min(...managed.map((rule) => rule.priority)));
    expect(rulesOf(acl)).toHaveLength(2 + managed.length);
  });

  it("the CloudFront web ACL rate-limits the viewer's own address and needs no origin header", () => {
    const acl = aclOf(planOf(PRIMARY), "CLOUDFRONT");
    expect(rulesWith(acl, "rate_based_statement").map((rule) => rule.statement[0]!.rate_based_statement[0])).toEqual([
      expect.objectContaining({ limit: production.security.wafRateLimitPer5Min, ...clientAddressOf("CLOUDFRONT") }),
    ]);
    expect(rulesWith(acl, "not_statement")).toEqual([]);
    expect(rulesWith(acl, "managed_rule_group_statement").map((rule) => rule.name)).toEqual(DEFAULT_MANAGED_RULE_GROUPS.map((group) => group.name));
  });

  it("declares every application secret once, in the primary, with no value and a replica in each standby region under its own key", () => {
    const plan = planOf(PRIMARY);
    const declared = valuesOf(plan, "aws_secretsmanager_secret").filter((secret) =>
      applicationSecrets.some((name) => secret.name === secretName(primary.naming, name)),
    );
    expect(declared.map((secret) => secret.name).sort()).toEqual(applicationSecrets.map((name) => secretName(primary.naming, name)).sort());
    for (const secret of declared) {
      expect(secret.replica).toEqual(
        expect.arrayContaining(standbys.map((standby) => expect.objectContaining({ region: standby.region, kms_key_id: expect.stringMatching(`^arn:aws:kms:${standby.region}:${production.accountId}:alias/`) }))),
      );
      expect(secret.replica).toHaveLength(standbys.length);
    }
    expect(findResources(plan, "aws_secretsmanager_secret_version", (resource) => resource.address.includes("security_"))).toEqual([]);
  });

  it.each(standbys.map((standby) => standby.stack))("%s: declares no application secret of its own; the replicas' keys are its own aliases", (stack) => {
    const plan = planOf(stack);
    const { region, naming } = regionOf(stack);
    const names = new Set(valuesOf(plan, "aws_secretsmanager_secret").map((secret) => secret.name));
    expect(applicationSecrets.map((name) => secretName(naming, name)).filter((name) => names.has(name))).toEqual([]);
    const aliases = new Set(valuesOf(plan, "aws_kms_alias").map((alias) => naming.arn("kms", alias.name)));
    const replicaKeys = valuesOf(planOf(PRIMARY), "aws_secretsmanager_secret").flatMap((secret) =>
      ((secret.replica ?? []) as { region: string; kms_key_id: string }[]).filter((replica) => replica.region === region).map((replica) => replica.kms_key_id),
    );
    expect(replicaKeys.length).toBeGreaterThan(0);
    for (const key of replicaKeys) expect(aliases).toContain(key);
  });

  it.each(STACKS)("%s: no ingress from the internet; the ALB admits only CloudFront's origin-facing prefix list, on HTTPS", (stack) => {
    const plan = planOf(stack);
    const rules = valuesOf(plan, "aws_vpc_security_group_ingress_rule");
    expect(rules.filter((rule) => rule.cidr_ipv4 === "0.0.0.0/0" || rule.cidr_ipv6 === "::/0")).toEqual([]);
    const fromPrefixLists = rules.filter((rule) => rule.prefix_list_id);
    expect(fromPrefixLists.map((rule) => [rule.prefix_list_id, rule.from_port, rule.to_port, rule.ip_protocol])).toEqual([
      [regionOf(stack).cloudfrontOriginPrefixListId, PORTS.https, PORTS.https, "tcp"],
    ]);
    const albGroups = findResources(plan, "aws_security_group", (group) => group.values.name === regionOf(stack).naming.name("alb")).map((group) => group.address);
    expect(albGroups).toHaveLength(1);
    const albIngress = configuredResources(plan, "aws_vpc_security_group_ingress_rule").filter((rule) =>
      expressionReferences(rule, "security_group_id").includes(albGroups[0]!),
    );
    expect(albIngress.map((rule) => rule.expressions?.prefix_list_id)).toEqual([{ constant_value: regionOf(stack).cloudfrontOriginPrefixListId }]);
  });

  it.each(STACKS)("%s: plans detection: every GuardDuty feature and Security Hub standard, the Config rules of its role", (stack) => {
    const plan = planOf(stack);
    const { region, role } = regionOf(stack);
    // A service another team runs (`external`) is not declared here, so neither are its settings.
    const declared = <T,>(service: keyof typeof production.accountServices, items: readonly T[]) => (production.accountServices[service] === "external" ? [] : items);
    expect(valuesOf(plan, "aws_guardduty_detector_feature").map((feature) => feature.name).sort()).toEqual(
      declared("guardDuty", GUARDDUTY_FEATURES).map((feature) => feature.name).sort(),
    );
    expect(valuesOf(plan, "aws_securityhub_standards_subscription").map((standard) => standard.standards_arn).sort()).toEqual(
      declared("securityHub", Object.values(SECURITY_HUB_STANDARDS)).map((path) => `arn:aws:securityhub:${region}::${path}`).sort(),
    );
    // Global resources are recorded in the primary region only, so their rules run there.
    const rules = MANAGED_CONFIG_RULES.filter((rule) => role === "primary" || !rule.primaryRegionOnly);
    expect(valuesOf(plan, "aws_config_config_rule").map((rule) => rule.source[0].source_identifier).sort()).toEqual(rules.map((rule) => rule.identifier).sort());
  });

  it.each(STACKS)("%s: creates only (nothing is replaced or destroyed on a fresh plan)", (stack) => {
    const actions = new Set((planOf(stack).resource_changes ?? []).flatMap((change) => change.change.actions));
    expect([...actions]).toEqual(["create"]);
  });
});
