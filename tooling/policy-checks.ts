/**
 * Policy checks over a whole synthesized stack (the `cdk.tf.json` of any AWS stack), so every
 * module, present and future, is held to the platform's security baseline:
 *
 * - `kms-rotation`: every `aws_kms_key` rotates its key material.
 * - `kms-admin`: `kms:*` is granted to the account root only (which delegates to IAM), never to a
 *   role, a service or `*`.
 * - `security-group`: rules are separate `aws_vpc_security_group_*_rule` resources with a
 *   description; no ingress from 0.0.0.0/0 or ::/0 at all (the API's ALB admits CloudFront's
 *   origin-facing prefix list only, modules/security/security-groups.ts), egress there only the
 *   documented HTTPS of `internetEgressGroups`; the default security group has no rules.
 * - `iam-wildcard`: an Allow statement with `Resource: "*"` names only actions from
 *   `WILDCARD_RESOURCE_ACTIONS` (exact actions that support no resource-level permission, the
 *   read-only ones in `READ_ONLY_UNSCOPED_ACTIONS`; patterns never match); no Allow
 *   with `Action: "*"`, `NotAction` or `NotResource`; policies are literal JSON documents.
 * - `iam-managed-policy`: AWS managed policies are attached only from `ALLOWED_MANAGED_POLICIES`.
 * - `log-group`: every `aws_cloudwatch_log_group` has `kms_key_id` and a retention.
 * - `s3-bucket`: every `aws_s3_bucket` has default encryption, versioning `Enabled`, a public
 *   access block with all four settings on, and a bucket policy denying non-TLS requests.
 * - `secret-in-config`: no literal secret in the configuration (Secrets Manager versions, database
 *   and broker passwords, cache tokens): it would sit in the JSON, in git and in the state.
 *
 * `checkStack` returns every violation; tests expect none, for every stack of every environment.
 */

/** The synthesized Terraform JSON of a stack (only what the checks read). */
export interface StackJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
}

export interface PolicyViolation {
  readonly check:
    | "kms-rotation"
    | "kms-admin"
    | "security-group"
    | "iam-wildcard"
    | "iam-managed-policy"
    | "log-group"
    | "s3-bucket"
    | "secret-in-config";
  /** `<type>.<logical name>`. */
  readonly resource: string;
  readonly message: string;
}

/**
 * Read-only actions that monitoring integrations (Datadog's role, AWS Chatbot's) need and that the
 * Service Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/,
 * each service's "Actions defined by …" table) lists with an empty "Resource types" column: account
 * listings, metric and trace queries, tag lookups and ELB descriptions. `*` is their only form.
 * Exact names only: a pattern such as `cloudwatch:Describe*` is never accepted on `*`, because it
 * also matches actions that do take a resource. Add an action only after checking that table.
 */
export const READ_ONLY_UNSCOPED_ACTIONS: readonly string[] = [
  // CloudWatch: metric queries and the rendered graph (alarms themselves are scoped).
  "cloudwatch:GetMetricData",
  "cloudwatch:GetMetricStatistics",
  "cloudwatch:ListMetrics",
  "cloudwatch:GetMetricWidgetImage",
  // Resource Groups Tagging API: tag lookups across services.
  "tag:GetResources",
  "tag:GetTagKeys",
  "tag:GetTagValues",
  // Application Auto Scaling and ELB: their Describe actions take no resource.
  "application-autoscaling:DescribeScalableTargets",
  "application-autoscaling:DescribeScalingPolicies",
  "elasticloadbalancing:DescribeLoadBalancers",
  "elasticloadbalancing:DescribeTargetGroups",
  "elasticloadbalancing:DescribeTargetHealth",
  "elasticloadbalancing:DescribeTags",
  // EC2 network descriptions.
  "ec2:DescribeNatGateways",
  // Account-wide listings of each service's resources.
  "ecs:ListClusters",
  "ecs:ListServices",
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
  "cloudtrail:DescribeTrails",
  // X-Ray trace queries and AWS Health's event list.
  "xray:BatchGetTraces",
  "xray:GetTraceSummaries",
  "health:DescribeEvents",
];

/**
 * Actions allowed on `Resource: "*"` because AWS offers no resource-level permission for them
 * (IAM Service Authorization Reference: no resource type, or the resource is the account itself).
 * Adding an action here needs that justification in the line's comment.
 */
export const WILDCARD_RESOURCE_ACTIONS: readonly string[] = [
  // ECR: the registry token is account-wide; image pulls themselves are scoped to repositories.
  "ecr:GetAuthorizationToken",
  // X-Ray: trace submission and sampling have no resource type.
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "xray:GetSamplingStatisticSummaries",
  // CloudWatch custom metrics: no resource type (scope with a cloudwatch:namespace condition).
  "cloudwatch:PutMetricData",
  // IAM self-service for humans setting up MFA: account-level reads.
  "iam:GetAccountPasswordPolicy",
  "iam:ListVirtualMFADevices",
  // ECS Exec's session channel: no resource type.
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  // EC2 Describe* (Lambda in a VPC, ENI lookups): no resource-level permissions.
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSubnets",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeVpcs",
  // ECS Exec's agent lists log groups to find its destination; AWS documents it on "*" (read-only metadata).
  "logs:DescribeLogGroups",
  // Secrets Manager: password generation touches no secret.
  "secretsmanager:GetRandomPassword",
  // Read-only integrations' listings and metric reads (documented above).
  ...READ_ONLY_UNSCOPED_ACTIONS,
];

/**
 * AWS managed policies that may be attached, each narrower than what we would write ourselves or
 * required by the service. Broad ones (AdministratorAccess, PowerUserAccess, *FullAccess,
 * AmazonECSTaskExecutionRolePolicy, which reads every repository and log group) are not here.
 */
export const ALLOWED_MANAGED_POLICIES: readonly string[] = [
  // AWS Config's recorder must describe every supported resource type; AWS maintains the list.
  "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole",
  // RDS enhanced monitoring: writes only to the RDSOSMetrics log group.
  "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
  // Lambda in a VPC: create and delete its own ENIs (no resource-level scoping for ENI creation).
  "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
  // CodeDeploy's service role for ECS blue/green: AWS keeps it in step with the ECS and ELB APIs
  // a deployment calls (trusted by codedeploy.amazonaws.com only).
  "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS",
];

export interface PolicyCheckOptions {
  /**
   * Security groups (by `name`) that may send HTTPS (443 only) to 0.0.0.0/0: the documented
   * exceptions (`internetEgressGroupNames` of modules/security).
   * @default none
   */
  readonly internetEgressGroups?: readonly string[];
  /** @default WILDCARD_RESOURCE_ACTIONS */
  readonly wildcardResourceActions?: readonly string[];
  /** @default ALLOWED_MANAGED_POLICIES */
  readonly managedPolicies?: readonly string[];
}

const ANYWHERE = new Set(["0.0.0.0/0", "::/0"]);
const IAM_POLICY_ATTRIBUTES: Readonly<Record<string, string>> = {
  aws_iam_policy: "policy",
  aws_iam_role_policy: "policy",
  aws_iam_group_policy: "policy",
  aws_iam_user_policy: "policy",
};
const POLICY_ATTACHMENTS = [
  "aws_iam_role_policy_attachment",
  "aws_iam_group_policy_attachment",
  "aws_iam_user_policy_attachment",
  "aws_iam_policy_attachment",
];
/** Attributes that hold a secret; a literal value there is a secret in the JSON and the state. */
const SECRET_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  aws_db_instance: ["password"],
  aws_rds_cluster: ["master_password"],
  aws_docdb_cluster: ["master_password"],
  aws_elasticache_replication_group: ["auth_token"],
};

type Body = Readonly<Record<string, unknown>>;
type Statement = Readonly<Record<string, unknown>>;

const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const isReference = (value: unknown): boolean => typeof value === "string" && value.includes("${");

export function checkStack(stack: StackJson, options: PolicyCheckOptions = {}): PolicyViolation[] {
  const resources = stack.resource ?? {};
  const of = (type: string): [string, Body][] => Object.entries(resources[type] ?? {});
  const violations: PolicyViolation[] = [];
  const add = (check: PolicyViolation["check"], type: string, name: string, message: string) =>
    violations.push({ check, resource: `${type}.${name}`, message });

  // ── KMS
  for (const [name, key] of of("aws_kms_key")) {
    if (key.enable_key_rotation !== true) add("kms-rotation", "aws_kms_key", name, "enable_key_rotation must be true");
    if (typeof key.policy !== "string") continue;
    for (const statement of statementsOrNone(key.policy)) {
      const actions = asList(statement.Action).map(String);
      if (statement.Effect !== "Allow" || !actions.some((action) => action === "kms:*" || action === "*")) continue;
      const principal = statement.Principal as { AWS?: unknown } | undefined;
      if (typeof principal?.AWS !== "string" || !/^arn:aws:iam::\d{12}:root$/.test(principal.AWS)) {
        add("kms-admin", "aws_kms_key", name, `kms:* granted to ${JSON.stringify(statement.Principal)}, not the account root`);
      }
    }
  }

  // ── Security groups
  const groupNames = new Map(of("aws_security_group").map(([name, body]) => [name, String(body.name ?? name)]));
  const groupOf = (rule: Body): string => {
    const match = /^\$\{aws_security_group\.([^.}]+)\.id\}$/.exec(String(rule.security_group_id));
    return (match && groupNames.get(match[1]!)) ?? String(rule.security_group_id);
  };
  const egressGroups = new Set(options.internetEgressGroups ?? []);
  for (const [name, group] of of("aws_security_group")) {
    if (asList(group.ingress).length > 0 || asList(group.egress).length > 0) {
      add("security-group", "aws_security_group", name, "inline rules; use aws_vpc_security_group_*_rule resources");
    }
  }
  for (const [name] of of("aws_security_group_rule")) {
    add("security-group", "aws_security_group_rule", name, "use aws_vpc_security_group_ingress_rule / egress_rule");
  }
  for (const [name, group] of of("aws_default_security_group")) {
    if (asList(group.ingress).length > 0 || asList(group.egress).length > 0) {
      add("security-group", "aws_default_security_group", name, "the default security group must have no rules");
    }
  }
  for (const direction of ["ingress", "egress"] as const) {
    const type = `aws_vpc_security_group_${direction}_rule`;
    for (const [name, rule] of of(type)) {
      if (typeof rule.description !== "string" || rule.description.trim() === "") {
        add("security-group", type, name, "every rule needs a description");
      }
      if (!ANYWHERE.has(String(rule.cidr_ipv4)) && !ANYWHERE.has(String(rule.cidr_ipv6))) continue;
      const group = groupOf(rule);
      const tcpPort = rule.ip_protocol === "tcp" && rule.from_port === rule.to_port ? Number(rule.from_port) : undefined;
      if (direction === "ingress") {
        add("security-group", type, name, `${group}: ingress from anywhere (${describePorts(rule)}); internet traffic enters through CloudFront (its origin-facing prefix list)`);
      } else if (!egressGroups.has(group) || tcpPort !== 443) {
        add("security-group", type, name, `${group}: egress to anywhere (${describePorts(rule)}) is not a documented exception (HTTPS only)`);
      }
    }
  }

  // ── IAM
  const allowedWildcard = new Set(options.wildcardResourceActions ?? WILDCARD_RESOURCE_ACTIONS);
  const checkIamPolicy = (type: string, name: string, policy: unknown) => {
    if (typeof policy !== "string" || policy.startsWith("${")) {
      add("iam-wildcard", type, name, "the policy must be a literal JSON document (lib/iam.ts policyDocument)");
      return;
    }
    let statements: Statement[];
    try {
      statements = statementsOf(policy);
    } catch {
      add("iam-wildcard", type, name, "the policy is not valid JSON");
      return;
    }
    statements.forEach((statement, index) => {
      if (statement.Effect !== "Allow") return;
      const where = `statement ${String(statement.Sid ?? index)}`;
      if (statement.NotAction !== undefined) add("iam-wildcard", type, name, `${where}: Allow with NotAction`);
      if (statement.NotResource !== undefined) add("iam-wildcard", type, name, `${where}: Allow with NotResource`);
      const actions = asList(statement.Action).map(String);
      if (actions.includes("*")) add("iam-wildcard", type, name, `${where}: Allow of every action`);
      if (!asList(statement.Resource).includes("*")) return;
      const unscopable = actions.filter((action) => !allowedWildcard.has(action));
      if (unscopable.length > 0) {
        add("iam-wildcard", type, name, `${where}: Resource "*" with actions that can be scoped: ${unscopable.join(", ")}`);
      }
    });
  };
  for (const [type, attribute] of Object.entries(IAM_POLICY_ATTRIBUTES)) {
    for (const [name, body] of of(type)) checkIamPolicy(type, name, body[attribute]);
  }
  for (const [name, role] of of("aws_iam_role")) {
    for (const inline of asList(role.inline_policy)) {
      const policy = (inline as Body).policy;
      if (policy !== undefined) checkIamPolicy("aws_iam_role", name, policy);
    }
  }
  const managed = new Set(options.managedPolicies ?? ALLOWED_MANAGED_POLICIES);
  const checkManaged = (type: string, name: string, arn: unknown) => {
    if (typeof arn !== "string" || /^\$\{aws_iam_policy\.[^.}]+\.arn\}$/.test(arn)) return;
    if (!managed.has(arn)) add("iam-managed-policy", type, name, `${arn} is not on the managed-policy allow-list`);
  };
  for (const type of POLICY_ATTACHMENTS) {
    for (const [name, attachment] of of(type)) checkManaged(type, name, attachment.policy_arn);
  }
  for (const [name, role] of of("aws_iam_role")) {
    for (const arn of asList(role.managed_policy_arns)) checkManaged("aws_iam_role", name, arn);
  }

  // ── Log groups
  for (const [name, group] of of("aws_cloudwatch_log_group")) {
    if (!group.kms_key_id) add("log-group", "aws_cloudwatch_log_group", name, "kms_key_id is missing");
    if (typeof group.retention_in_days !== "number" || group.retention_in_days <= 0) {
      add("log-group", "aws_cloudwatch_log_group", name, "retention_in_days is missing (logs would be kept forever)");
    }
  }

  // ── Buckets
  const byBucket = (type: string, bucket: string): Body[] =>
    of(type)
      .map(([, body]) => body)
      .filter((body) => body.bucket === `\${aws_s3_bucket.${bucket}.id}` || body.bucket === `\${aws_s3_bucket.${bucket}.bucket}`);
  for (const [name] of of("aws_s3_bucket")) {
    const problems: string[] = [];
    const encrypted = byBucket("aws_s3_bucket_server_side_encryption_configuration", name).some((config) =>
      asList(config.rule).some((rule) => {
        const algorithm = asList((rule as Body).apply_server_side_encryption_by_default)
          .map((defaults) => (defaults as Body).sse_algorithm)
          .find(Boolean);
        return algorithm === "aws:kms" || algorithm === "aws:kms:dsse" || algorithm === "AES256";
      }),
    );
    if (!encrypted) problems.push("no default encryption");
    const versioned = byBucket("aws_s3_bucket_versioning", name).some((versioning) =>
      asList(versioning.versioning_configuration).some((config) => (config as Body).status === "Enabled"),
    );
    if (!versioned) problems.push("versioning is not Enabled");
    const blocked = byBucket("aws_s3_bucket_public_access_block", name).some(
      (block) => block.block_public_acls === true && block.block_public_policy === true && block.ignore_public_acls === true && block.restrict_public_buckets === true,
    );
    if (!blocked) problems.push("public access is not fully blocked");
    const tlsOnly = byBucket("aws_s3_bucket_policy", name).some(
      (policy) =>
        typeof policy.policy === "string" &&
        statementsOrNone(policy.policy).some((statement) => {
          const bool = (statement.Condition as Record<string, Record<string, unknown>> | undefined)?.Bool;
          return statement.Effect === "Deny" && bool !== undefined && String(bool["aws:SecureTransport"]) === "false";
        }),
    );
    if (!tlsOnly) problems.push("no policy statement denies non-TLS requests");
    if (problems.length > 0) add("s3-bucket", "aws_s3_bucket", name, problems.join("; "));
  }

  // ── Secrets
  for (const [name, version] of of("aws_secretsmanager_secret_version")) {
    for (const attribute of ["secret_string", "secret_binary"]) {
      const value = version[attribute];
      if (typeof value === "string" && !isReference(value)) {
        add("secret-in-config", "aws_secretsmanager_secret_version", name, `${attribute} is a literal secret`);
      }
    }
  }
  for (const [type, attributes] of Object.entries(SECRET_ATTRIBUTES)) {
    for (const [name, body] of of(type)) {
      for (const attribute of attributes) {
        const value = body[attribute];
        if (value !== undefined && typeof value === "string" && !isReference(value)) {
          add("secret-in-config", type, name, `${attribute} is a literal secret`);
        }
      }
    }
  }
  for (const [name, broker] of of("aws_mq_broker")) {
    for (const user of asList(broker.user)) {
      const password = (user as Body).password;
      if (typeof password === "string" && !isReference(password)) add("secret-in-config", "aws_mq_broker", name, "a user password is a literal secret");
    }
  }
  return violations;
}

/** Formats violations one per line, for test failure messages. */
export function formatViolations(violations: readonly PolicyViolation[]): string {
  return violations.map((violation) => `[${violation.check}] ${violation.resource}: ${violation.message}`).join("\n");
}

function statementsOf(policy: string): Statement[] {
  const parsed = JSON.parse(policy) as { Statement?: unknown };
  return asList(parsed.Statement) as Statement[];
}

/** `statementsOf`, or none when the policy is not literal JSON (reported by the IAM check). */
function statementsOrNone(policy: string): Statement[] {
  try {
    return statementsOf(policy);
  } catch {
    return [];
  }
}

function describePorts(rule: Body): string {
  if (rule.ip_protocol === "-1") return "all traffic";
  return `${String(rule.ip_protocol)} ${String(rule.from_port)}${rule.to_port !== rule.from_port ? `-${String(rule.to_port)}` : ""}`;
}
