import type { EnvironmentConfig } from "../../../environments/types";
import { Naming } from "../../../lib/naming";
import { checkStack, formatViolations, type StackJson } from "../../../tooling/policy-checks";
import { internetEgressGroupNames } from "../../../modules/security";
import { ENVIRONMENTS, stackNames, synthBootstrap, synthRegional } from "../../support/synth";

/**
 * The policy checks over every AWS stack the app synthesizes: each regional stack (dev, staging,
 * production primary and standby) and each bootstrap stack. Every module, including later ones, is
 * held to them.
 */
const optionsFor = (environment: EnvironmentConfig) => ({
  internetEgressGroups: internetEgressGroupNames(new Naming(environment.name, environment.regions[0]!.region, environment.accountId), environment.services),
});

const stacks: [string, EnvironmentConfig, StackJson][] = [];
for (const environment of Object.values(ENVIRONMENTS)) {
  environment.regions.forEach((region, index) => {
    stacks.push([`lma-${environment.name}-${region.region}`, environment, synthRegional(environment, index).json]);
  });
  stacks.push([`lma-${environment.name}-bootstrap`, environment, synthBootstrap(environment).json]);
}

describe("policy checks over every synthesized AWS stack", () => {
  it("covers every AWS stack the app synthesizes", () => {
    // The observability stacks hold Datadog and PagerDuty resources only: nothing these checks read.
    const aws = stackNames().filter((name) => !name.endsWith("-observability"));
    expect(stacks.map(([name]) => name).sort()).toEqual(aws);
  });

  it.each(stacks)("%s passes every check", (_name, environment, json) => {
    const violations = checkStack(json, optionsFor(environment));
    if (violations.length > 0) throw new Error(formatViolations(violations));
    expect(violations).toEqual([]);
  });

  it.each(stacks.filter(([name]) => !name.endsWith("bootstrap")))("%s has the resources the checks inspect", (_name, _environment, json) => {
    for (const type of ["aws_kms_key", "aws_cloudwatch_log_group", "aws_s3_bucket", "aws_iam_role_policy", "aws_vpc_security_group_ingress_rule"]) {
      expect(Object.keys(json.resource?.[type] ?? {}).length).toBeGreaterThan(0);
    }
  });
});

describe("each check catches what it must", () => {
  const tf = (resource: Record<string, Record<string, Record<string, unknown>>>): StackJson => ({ resource });
  const policy = (...statements: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

  it("a key without rotation, and kms:* to anyone but the root", () => {
    const violations = checkStack(
      tf({
        aws_kms_key: {
          norotate: { enable_key_rotation: false },
          wide: {
            enable_key_rotation: true,
            policy: policy(
              { Effect: "Allow", Principal: { AWS: "arn:aws:iam::400000000003:root" }, Action: "kms:*", Resource: "*" },
              { Effect: "Allow", Principal: { AWS: "arn:aws:iam::400000000003:role/app" }, Action: ["kms:*"], Resource: "*" },
            ),
          },
        },
      }),
    );
    expect(violations.map((violation) => [violation.check, violation.resource])).toEqual([
      ["kms-rotation", "aws_kms_key.norotate"],
      ["kms-admin", "aws_kms_key.wide"],
    ]);
  });

  it("internet ingress anywhere (the ALB's 443 included), undocumented internet egress, inline and legacy rules", () => {
    const group = (name: string) => ({ name });
    const ref = (logical: string) => `\${aws_security_group.${logical}.id}`;
    const rule = (logical: string, cidr: string, port: number, protocol = "tcp") => ({
      security_group_id: ref(logical),
      cidr_ipv4: cidr,
      ip_protocol: protocol,
      from_port: port,
      to_port: port,
      description: "a rule",
    });
    const violations = checkStack(
      tf({
        aws_security_group: { alb: group("lma-dev-alb"), app: group("lma-dev-svc-loan"), db: group("lma-dev-database"), inline: { name: "x", ingress: [{}] } },
        aws_security_group_rule: { legacy: {} },
        aws_default_security_group: { default: { ingress: [], egress: [] } },
        aws_vpc_security_group_ingress_rule: {
          albFromCloudFront: { ...rule("alb", "", 443), cidr_ipv4: undefined, prefix_list_id: "pl-3b927c52" },
          albHttps: rule("alb", "0.0.0.0/0", 443),
          albHttp: rule("alb", "0.0.0.0/0", 80),
          albHttpsV6: { ...rule("alb", "", 443), cidr_ipv4: undefined, cidr_ipv6: "::/0" },
          dbOpen: rule("db", "0.0.0.0/0", 5432),
          v6: { ...rule("db", "", 5432), cidr_ipv4: undefined, cidr_ipv6: "::/0" },
          internal: { ...rule("db", "10.0.0.0/16", 5432), description: "" },
        },
        aws_vpc_security_group_egress_rule: {
          appHttps: rule("app", "0.0.0.0/0", 443),
          appAll: rule("app", "0.0.0.0/0", -1, "-1"),
          dbHttps: rule("db", "0.0.0.0/0", 443),
        },
      }),
      { internetEgressGroups: ["lma-dev-svc-loan"] },
    );
    expect(violations.map((violation) => violation.resource)).toEqual([
      "aws_security_group.inline",
      "aws_security_group_rule.legacy",
      "aws_vpc_security_group_ingress_rule.albHttps",
      "aws_vpc_security_group_ingress_rule.albHttp",
      "aws_vpc_security_group_ingress_rule.albHttpsV6",
      "aws_vpc_security_group_ingress_rule.dbOpen",
      "aws_vpc_security_group_ingress_rule.v6",
      "aws_vpc_security_group_ingress_rule.internal",
      "aws_vpc_security_group_egress_rule.appAll",
      "aws_vpc_security_group_egress_rule.dbHttps",
    ]);
    expect(violations.every((violation) => violation.check === "security-group")).toBe(true);
  });

  it("Resource \"*\" with scopable actions, Allow *, NotAction, non-literal policies, broad managed policies", () => {
    const violations = checkStack(
      tf({
        aws_iam_role_policy: {
          fine: { policy: policy({ Effect: "Allow", Action: ["ecr:GetAuthorizationToken", "xray:PutTraceSegments"], Resource: "*" }) },
          readOnly: { policy: policy({ Effect: "Allow", Action: ["cloudwatch:GetMetricData", "tag:GetResources"], Resource: "*" }) },
          pattern: { policy: policy({ Sid: "Pattern", Effect: "Allow", Action: ["cloudwatch:Describe*", "cloudwatch:GetMetricData"], Resource: "*" }) },
          s3: { policy: policy({ Sid: "Wide", Effect: "Allow", Action: ["s3:GetObject", "ecr:GetAuthorizationToken"], Resource: "*" }) },
          admin: { policy: policy({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::x" }) },
          deny: { policy: policy({ Effect: "Deny", NotAction: "iam:*", Resource: "*" }) },
          notAction: { policy: policy({ Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::x" }) },
          computed: { policy: "${jsonencode({})}" },
        },
        aws_iam_role_policy_attachment: {
          config: { policy_arn: "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole" },
          own: { policy_arn: "${aws_iam_policy.mine.arn}" },
          admin: { policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" },
        },
      }),
    );
    expect(violations.map((violation) => [violation.check, violation.resource, violation.message])).toEqual([
      // A read-only pattern also matches actions that take a resource: only exact names pass.
      ["iam-wildcard", "aws_iam_role_policy.pattern", 'statement Pattern: Resource "*" with actions that can be scoped: cloudwatch:Describe*'],
      ["iam-wildcard", "aws_iam_role_policy.s3", 'statement Wide: Resource "*" with actions that can be scoped: s3:GetObject'],
      ["iam-wildcard", "aws_iam_role_policy.admin", "statement 0: Allow of every action"],
      ["iam-wildcard", "aws_iam_role_policy.notAction", "statement 0: Allow with NotAction"],
      ["iam-wildcard", "aws_iam_role_policy.computed", "the policy must be a literal JSON document (lib/iam.ts policyDocument)"],
      ["iam-managed-policy", "aws_iam_role_policy_attachment.admin", "arn:aws:iam::aws:policy/AdministratorAccess is not on the managed-policy allow-list"],
    ]);
  });

  it("log groups without KMS or retention", () => {
    const violations = checkStack(
      tf({ aws_cloudwatch_log_group: { ok: { kms_key_id: "k", retention_in_days: 30 }, plain: {}, forever: { kms_key_id: "k", retention_in_days: 0 } } }),
    );
    expect(violations.map((violation) => [violation.resource, violation.message])).toEqual([
      ["aws_cloudwatch_log_group.plain", "kms_key_id is missing"],
      ["aws_cloudwatch_log_group.plain", "retention_in_days is missing (logs would be kept forever)"],
      ["aws_cloudwatch_log_group.forever", "retention_in_days is missing (logs would be kept forever)"],
    ]);
  });

  it("buckets without encryption, versioning, public access block or a TLS-only policy", () => {
    const bucket = "${aws_s3_bucket.b.id}";
    const complete = {
      aws_s3_bucket_server_side_encryption_configuration: { e: { bucket, rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" } }] } },
      aws_s3_bucket_versioning: { v: { bucket, versioning_configuration: { status: "Enabled" } } },
      aws_s3_bucket_public_access_block: {
        p: { bucket, block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true },
      },
      aws_s3_bucket_policy: {
        t: { bucket, policy: policy({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": false } } }) },
      },
    };
    expect(checkStack(tf({ aws_s3_bucket: { b: {} }, ...complete }))).toEqual([]);
    const bare = checkStack(tf({ aws_s3_bucket: { b: {} }, aws_s3_bucket_versioning: { v: { bucket, versioning_configuration: { status: "Suspended" } } } }));
    expect(bare).toEqual([
      {
        check: "s3-bucket",
        resource: "aws_s3_bucket.b",
        message: "no default encryption; versioning is not Enabled; public access is not fully blocked; no policy statement denies non-TLS requests",
      },
    ]);
  });

  it("literal secrets in the configuration", () => {
    const violations = checkStack(
      tf({
        aws_secretsmanager_secret_version: { literal: { secret_string: "hunter2" }, generated: { secret_string: "${jsonencode(x)}" } },
        aws_db_instance: { db: { password: "hunter2" }, managed: { manage_master_user_password: true } },
        aws_mq_broker: { mq: { user: [{ username: "admin", password: "hunter2" }] } },
      }),
    );
    expect(violations.map((violation) => violation.resource)).toEqual([
      "aws_secretsmanager_secret_version.literal",
      "aws_db_instance.db",
      "aws_mq_broker.mq",
    ]);
  });
});
