import { statefulKind, STATEFUL_RESOURCE_TYPES } from "../../../lib/stateful-resources";
import { type Body, asList, block, literal, numeric, referenced, reporter, resources, truthy } from "../terraform-json";
import type { Rule, StackJson } from "../types";

/**
 * The deletion protection AWS offers for a stateful type (lib/stateful-resources.ts lists the
 * types): a check returning the problem, or nothing. Types absent here have no AWS-side
 * protection; `prevent_destroy` is their only guard.
 */
export const DELETION_PROTECTION: Readonly<Record<string, (body: Body) => string | undefined>> = {
  aws_db_instance: (body) => (truthy(body.deletion_protection) ? undefined : "deletion_protection is not true"),
  aws_rds_cluster: (body) => (truthy(body.deletion_protection) ? undefined : "deletion_protection is not true"),
  aws_dynamodb_table: (body) => (truthy(body.deletion_protection_enabled) ? undefined : "deletion_protection_enabled is not true"),
  aws_kms_key: (body) => (numeric(body.deletion_window_in_days) === 30 ? undefined : "deletion_window_in_days is not 30"),
  aws_secretsmanager_secret: (body) => ((numeric(body.recovery_window_in_days) ?? 30) >= 7 ? undefined : "recovery_window_in_days is below 7"),
  aws_s3_bucket: (body) => (truthy(body.force_destroy) ? "force_destroy is true" : undefined),
  aws_ecr_repository: (body) => (truthy(body.force_delete) ? "force_delete is true" : undefined),
  aws_elasticache_replication_group: (body) => (literal(body.final_snapshot_identifier) ? undefined : "final_snapshot_identifier is not set"),
  aws_backup_vault: (body) => (truthy(body.force_destroy) ? "force_destroy is true" : undefined),
};

/** Log groups that receive audit data: CloudTrail, VPC flow logs, WAF logs (by destination, whatever their name). */
function auditLogGroups(json: StackJson): Set<string> {
  const destinations = [
    ...resources(json, "aws_cloudtrail").map(({ body }) => body.cloud_watch_logs_group_arn),
    ...resources(json, "aws_flow_log").map(({ body }) => body.log_destination),
    ...resources(json, "aws_wafv2_web_acl_logging_configuration").flatMap(({ body }) => asList(body.log_destination_configs as unknown[] | undefined)),
  ];
  // CloudTrail wants the ARN with a ":*" suffix, written as "${…arn}:*".
  return new Set(destinations.flatMap((value) => referenced(json, typeof value === "string" ? value.replace(/:\*$/, "") : value)?.address ?? []));
}

const LOG_GROUP = "aws_cloudwatch_log_group";

const statefulResourcesProtected: Rule = {
  id: "stateful-resources-protected",
  description:
    "In environments with deletion protection, every stateful resource (lib/stateful-resources.ts) has lifecycle.prevent_destroy and the deletion protection AWS offers for its type (DELETION_PROTECTION); log groups count when they hold audit data.",
  source:
    "Amazon RDS User Guide, Deleting a DB instance > Deletion protection; Amazon DynamoDB Developer Guide, Using deletion protection; AWS KMS Developer Guide, Deleting AWS KMS keys (7–30 day waiting period); AWS Secrets Manager User Guide, Delete an AWS Secrets Manager secret (recovery window): https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html",
  check({ json, context }) {
    if (!context.environment?.deletionProtection) return [];
    const report = reporter(this.id);
    const audit = auditLogGroups(json);
    return [...Object.keys(STATEFUL_RESOURCE_TYPES), LOG_GROUP].flatMap((type) =>
      resources(json, type)
        .filter(({ address, body }) => type !== LOG_GROUP || audit.has(address) || statefulKind(type, { name: literal(body.name) }) !== undefined)
        .flatMap(({ address, body }) => {
          const problems = [DELETION_PROTECTION[type]?.(body), block(body.lifecycle)?.prevent_destroy === true ? undefined : "lifecycle.prevent_destroy is not true"];
          return problems.filter((problem): problem is string => problem !== undefined).map((problem) => report(address, `${context.environment!.name}: ${problem}`));
        }),
    );
  },
};

export const STATEFUL_RULES: readonly Rule[] = [statefulResourcesProtected];
