/**
 * The AWS resource types whose deletion loses data or identity that cannot be recreated by
 * applying again: a replaced database comes back empty, a deleted KMS key makes everything it
 * encrypted unreadable, a replaced secret gets a new ARN every consumer still points at.
 * The one list: the plan guard (tooling/plan-guard), the apply rule `stateful-resources-protected`
 * (tooling/apply-rules/rules/stateful.ts) and the stacks' `prevent_destroy` (stacks/aws-stack.ts)
 * all read it.
 */
export const STATEFUL_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  aws_db_instance: "RDS instance or read replica",
  aws_rds_cluster: "Aurora cluster",
  aws_rds_global_cluster: "Aurora global cluster",
  aws_elasticache_replication_group: "ElastiCache replication group",
  aws_elasticache_cluster: "ElastiCache cluster",
  aws_elasticache_global_replication_group: "ElastiCache Global Datastore",
  aws_elasticache_serverless_cache: "ElastiCache serverless cache",
  aws_s3_bucket: "S3 bucket",
  aws_dynamodb_table: "DynamoDB table",
  aws_kms_key: "KMS key",
  aws_kms_replica_key: "KMS replica key",
  aws_secretsmanager_secret: "Secrets Manager secret",
  aws_opensearch_domain: "OpenSearch domain",
  aws_mq_broker: "Amazon MQ broker",
  aws_ecr_repository: "ECR repository",
  aws_backup_vault: "AWS Backup vault",
  aws_backup_logically_air_gapped_vault: "AWS Backup air-gapped vault",
  aws_route53_zone: "Route 53 hosted zone",
};

/**
 * Log groups are mostly disposable application output, except those that hold the audit record:
 * the CloudTrail copy, VPC flow logs, and WAF logs (which AWS requires to be named
 * `aws-waf-logs-*`). Names follow lib/naming.ts (`/lma/<environment>/<path>`).
 */
export const AUDIT_LOG_GROUP_PATTERNS: readonly RegExp[] = [/^aws-waf-logs-/, /\/cloudtrail(\/|$)/, /\/flow-logs(\/|$)/];

const LOG_GROUP_TYPE = "aws_cloudwatch_log_group";

/**
 * What a resource is, when losing it loses data; undefined when it is disposable. `values` are
 * the resource's attributes before the change (a log group is judged by its name).
 */
export function statefulKind(type: string, values: Record<string, unknown> | null | undefined): string | undefined {
  if (type === LOG_GROUP_TYPE) {
    const name = values?.name;
    return typeof name === "string" && AUDIT_LOG_GROUP_PATTERNS.some((pattern) => pattern.test(name)) ? "audit log group" : undefined;
  }
  return STATEFUL_RESOURCE_TYPES[type];
}
