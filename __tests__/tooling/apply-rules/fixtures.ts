import releases from "../../../environments/releases.json";
import { OFFERED_MINOR_VERSIONS } from "../../../tooling/apply-rules/engine-versions";
import { pinnedImageTags } from "../../../tooling/apply-rules";
import { ACCOUNT, type RuleFixture, SUBJECT, pair, policy, stack } from "./fixture-kit";

const [offeredMajor, [offeredMinor]] = Object.entries(OFFERED_MINOR_VERSIONS.engines.postgres!)[0]! as [string, string[]];
const PROTECTED = { name: "staging" as const, accountId: ACCOUNT, deletionProtection: true };
// releases.json holds one pin set per environment beside other keys (a schema reference, for one).
const PINS = pinnedImageTags(
  Object.values(releases as Record<string, unknown>)
    .filter((release): release is { version: string; functions: Record<string, string> } => typeof (release as { version?: unknown })?.version === "string")
    .map((release) => ({ release })),
);

/** The release pins of environments/releases.json, which the ECR rule must never expire. */
const withPins = ({ breaks, passes }: RuleFixture): RuleFixture => ({ breaks: { ...breaks, pinnedImageTags: PINS }, passes: { ...passes, pinnedImageTags: PINS } });
const ref = (type: string, name: string, attribute: string) => `\${${type}.${name}.${attribute}}`;
const logsStatement = (condition: string) => ({
  Effect: "Allow",
  Principal: { Service: "logs.us-east-1.amazonaws.com" },
  Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
  Resource: "*",
  Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": condition } },
});
const lifecyclePolicy = (...rules: Record<string, unknown>[]) => JSON.stringify({ rules });
const codeDeployService = (ignore: string[]) => ({
  name: "svc",
  cluster: "c",
  deployment_controller: { type: "CODE_DEPLOY" },
  desired_count: 2,
  task_definition: "td:1",
  load_balancer: [{ target_group_arn: "tg", container_name: "app", container_port: 8080 }],
  network_configuration: { subnets: ["s-1"], security_groups: ["sg-1"] },
  platform_version: "LATEST",
  enable_execute_command: false,
  lifecycle: { ignore_changes: ignore },
});
const stateBucket = (kmsKeyRef: string) =>
  stack({
    aws_kms_key: { key: { deletion_window_in_days: 30 } },
    aws_kms_alias: { alias: { name: "alias/state", target_key_id: ref("aws_kms_key", "key", "key_id") } },
    aws_s3_bucket: { bucket: { bucket: "state-bucket" } },
    aws_s3_bucket_policy: {
      policy: {
        bucket: ref("aws_s3_bucket", "bucket", "id"),
        policy: policy({
          Sid: "DenyOtherKmsKeys",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:PutObject",
          Resource: `${ref("aws_s3_bucket", "bucket", "arn")}/*`,
          Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": kmsKeyRef } },
        }),
      },
    },
  });
const backend = (kms_key_id: string) => stack({}, { terraform: { backend: { s3: { bucket: "state-bucket", key: "k", region: "us-east-1", kms_key_id } } } });

/** One breaking and one passing fragment per rule id of the pack. */
export const FIXTURES: Readonly<Record<string, RuleFixture>> = {
  "iam-role-name": pair("aws_iam_role", { name: "r".repeat(65) }, { name: "r".repeat(64) }),
  "lb-name": pair("aws_lb", { name: "internal-api" }, { name: "lma-production-api" }),
  "lb-target-group-name": pair("aws_lb_target_group", { name: "lma-production-notification-alternate" }, { name: "lma-production-notif-alt" }),
  "elasticache-replication-group-id": pair("aws_elasticache_replication_group", { replication_group_id: "lma--redis" }, { replication_group_id: "lma-redis" }),
  "opensearch-domain-name": pair("aws_opensearch_domain", { domain_name: "lma-production-search-domain1" }, { domain_name: "lma-production-search" }),
  "rds-instance-identifier": pair("aws_db_instance", { identifier: "1-postgres" }, { identifier: "lma-postgres" }),
  "s3-bucket-name": pair("aws_s3_bucket", { bucket: "Lma_Documents" }, { bucket: "lma-documents-111122223333" }),
  "lambda-function-name": pair("aws_lambda_function", { function_name: "lma.document.processor" }, { function_name: "lma-document-processor" }),
  "sqs-queue-name": pair("aws_sqs_queue", { name: "q".repeat(81) }, { name: "lma-email-notifications-dlq" }),
  "kms-alias-name": pair("aws_kms_alias", { name: "alias/aws/lma-data" }, { name: "alias/lma-data" }),
  "mq-broker-name": pair("aws_mq_broker", { broker_name: "lma production" }, { broker_name: "lma-production-rabbitmq" }),

  "rds-engine-version-offered": pair(
    "aws_db_instance",
    { engine: "postgres", engine_version: `${offeredMajor}.0`, auto_minor_version_upgrade: false },
    { engine: "postgres", engine_version: offeredMinor, auto_minor_version_upgrade: false },
  ),
  "rds-managed-password-without-replicas": pair(
    "aws_db_instance",
    { identifier: "primary", manage_master_user_password: true },
    { identifier: "primary", password_wo: "${ephemeral.aws_secretsmanager_secret_version.master.secret_string}" },
    { aws_db_instance: { replica: { identifier: "replica", replicate_source_db: ref("aws_db_instance", SUBJECT, "identifier") } } },
  ),
  "rds-cross-region-replica-kms-key": pair(
    "aws_db_instance",
    { replicate_source_db: `arn:aws:rds:us-east-1:${ACCOUNT}:db:primary` },
    { replicate_source_db: `arn:aws:rds:us-east-1:${ACCOUNT}:db:primary`, kms_key_id: ref("aws_kms_key", "key", "arn") },
  ),
  "rds-performance-insights-retention": pair("aws_db_instance", { performance_insights_retention_period: 30 }, { performance_insights_retention_period: 93 }),
  "rds-backup-window-outside-maintenance": pair(
    "aws_db_instance",
    { backup_window: "04:00-05:00", maintenance_window: "sun:04:30-sun:05:30" },
    { backup_window: "03:00-04:00", maintenance_window: "sun:04:30-sun:05:30" },
  ),
  "rds-max-allocated-storage-above-allocated": pair("aws_db_instance", { allocated_storage: 500, max_allocated_storage: 500 }, { allocated_storage: 500, max_allocated_storage: 2000 }),

  "elasticache-auth-token-needs-transit-encryption": pair(
    "aws_elasticache_replication_group",
    { auth_token: "${ephemeral.random_password.token.result}", transit_encryption_enabled: false },
    { auth_token: "${ephemeral.random_password.token.result}", transit_encryption_enabled: true },
  ),
  "elasticache-failover-needs-replica": pair(
    "aws_elasticache_replication_group",
    { automatic_failover_enabled: true, num_cache_clusters: 1 },
    { automatic_failover_enabled: true, multi_az_enabled: true, num_cache_clusters: 2 },
  ),
  "opensearch-subnets-match-zone-count": pair(
    "aws_opensearch_domain",
    { cluster_config: { zone_awareness_enabled: true, zone_awareness_config: { availability_zone_count: 3 } }, vpc_options: { subnet_ids: ["a", "b"] } },
    { cluster_config: { zone_awareness_enabled: true, zone_awareness_config: { availability_zone_count: 3 } }, vpc_options: { subnet_ids: ["a", "b", "c"] } },
  ),
  "mq-deployment-mode-fits-engine": pair(
    "aws_mq_broker",
    { engine_type: "RabbitMQ", deployment_mode: "CLUSTER_MULTI_AZ", host_instance_type: "mq.t3.micro", subnet_ids: ["a", "b", "c"] },
    { engine_type: "RabbitMQ", deployment_mode: "CLUSTER_MULTI_AZ", host_instance_type: "mq.m5.large", subnet_ids: ["a", "b", "c"] },
  ),
  "secretsmanager-recovery-window": pair("aws_secretsmanager_secret", { recovery_window_in_days: 3 }, { recovery_window_in_days: 30 }),
  "securityhub-standard-current": pair(
    "aws_securityhub_standards_subscription",
    { standards_arn: "arn:aws:securityhub:us-east-1::standards/pci-dss/v/3.2.1" },
    { standards_arn: "arn:aws:securityhub:us-east-1::standards/pci-dss/v/4.0.1" },
  ),

  "ecs-fargate-cpu-memory": pair(
    "aws_ecs_task_definition",
    { requires_compatibilities: ["FARGATE"], cpu: "1024", memory: "1024" },
    { requires_compatibilities: ["FARGATE"], cpu: "1024", memory: "2048" },
  ),
  "ecs-code-deploy-ignores-refused-updates": pair(
    "aws_ecs_service",
    codeDeployService(["desired_count", "task_definition", "load_balancer"]),
    codeDeployService(["desired_count", "task_definition", "load_balancer", "network_configuration", "platform_version", "enable_execute_command"]),
  ),
  "ecr-lifecycle-keeps-release-pins": withPins(
    pair(
      "aws_ecr_lifecycle_policy",
      { policy: lifecyclePolicy({ rulePriority: 1, selection: { tagStatus: "any", countType: "sinceImagePushed", countUnit: "days", countNumber: 90 }, action: { type: "expire" } }) },
      {
        policy: lifecyclePolicy(
          { rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }, action: { type: "expire" } },
          { rulePriority: 2, selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: PINS.length + 10 }, action: { type: "expire" } },
        ),
      },
    ),
  ),

  "kms-key-policy-allows-logs-for-log-group": pair(
    "aws_cloudwatch_log_group",
    { name: "/other/app", kms_key_id: ref("aws_kms_key", "key", "arn") },
    { name: "/lma/staging/app", kms_key_id: ref("aws_kms_key", "key", "arn") },
    { aws_kms_key: { key: { policy: policy(logsStatement(`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/lma/staging/*`)) } } },
  ),
  "kms-key-policy-names-principals": pair(
    "aws_kms_key",
    { policy: policy({ Sid: "Use", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } } }) },
    { policy: policy({ Sid: "Use", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app` }, Action: "kms:Decrypt", Resource: "*" }) },
  ),
  "kms-key-administration-separate-from-use": pair(
    "aws_kms_key",
    { policy: policy({ Sid: "Root", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }) },
    {
      policy: policy(
        { Sid: "Administer", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/key-admin` }, Action: ["kms:Create*", "kms:Put*", "kms:ScheduleKeyDeletion", "kms:Disable*"], Resource: "*" },
        { Sid: "Use", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app` }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" },
      ),
    },
  ),
  "waf-log-destination-prefix": pair(
    "aws_wafv2_web_acl_logging_configuration",
    { log_destination_configs: [ref("aws_cloudwatch_log_group", "waf", "arn")], resource_arn: "acl" },
    { log_destination_configs: [`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:aws-waf-logs-lma`], resource_arn: "acl" },
    { aws_cloudwatch_log_group: { waf: { name: "/lma/waf" } } },
  ),

  "lb-health-check-timeout-below-interval": pair("aws_lb_target_group", { health_check: { interval: 10, timeout: 10 } }, { health_check: { interval: 30, timeout: 5 } }),
  "lb-https-listener-certificate-and-policy": pair(
    "aws_lb_listener",
    { protocol: "HTTPS", ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021" },
    { protocol: "HTTPS", certificate_arn: ref("aws_acm_certificate", "api", "arn"), ssl_policy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06" },
  ),
  "cloudfront-certificate-in-us-east-1": {
    breaks: {
      json: stack(
        {
          aws_acm_certificate: { cdn: { domain_name: "app.example.com" } },
          aws_cloudfront_distribution: { [SUBJECT]: { viewer_certificate: { acm_certificate_arn: ref("aws_acm_certificate", "cdn", "arn") } } },
        },
        {},
        "eu-west-1",
      ),
      address: `aws_cloudfront_distribution.${SUBJECT}`,
    },
    passes: {
      json: {
        ...stack({
          aws_acm_certificate: { cdn: { domain_name: "app.example.com", provider: "aws.us-east-1" } },
          aws_acm_certificate_validation: { cdn: { certificate_arn: ref("aws_acm_certificate", "cdn", "arn") } },
          aws_cloudfront_distribution: { [SUBJECT]: { viewer_certificate: { acm_certificate_arn: ref("aws_acm_certificate_validation", "cdn", "certificate_arn") } } },
        }, {}, "eu-west-1"),
        provider: { aws: [{ region: "eu-west-1" }, { alias: "us-east-1", region: "us-east-1" }] },
      },
    },
  },

  "stateful-resources-protected": {
    breaks: { ...pair("aws_db_instance", { deletion_protection: false }, {}).breaks, environment: PROTECTED },
    passes: { ...pair("aws_db_instance", {}, { deletion_protection: true, lifecycle: { prevent_destroy: true } }).passes, environment: PROTECTED },
  },
  "state-backend-kms-key-matches-bucket-policy": {
    breaks: {
      json: backend(`arn:aws:kms:us-east-1:${ACCOUNT}:alias/state`),
      otherStacks: { bootstrap: stateBucket(ref("aws_kms_key", "key", "arn")) },
      address: "terraform.backend.s3",
    },
    passes: {
      json: backend(`arn:aws:kms:us-east-1:${ACCOUNT}:alias/state`),
      otherStacks: { bootstrap: stateBucket(ref("aws_kms_alias", "alias", "arn")) },
    },
  },
};
