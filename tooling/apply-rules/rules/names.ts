import { literal, reporter, resources } from "../terraform-json";
import type { Rule } from "../types";

/** A naming constraint: returns what is wrong with the name, or undefined. */
type NameCheck = (name: string) => string | undefined;

const maxLength = (limit: number): NameCheck => (name) => (name.length > limit ? `is ${name.length} characters, more than ${limit}` : undefined);
const minLength = (limit: number): NameCheck => (name) => (name.length < limit ? `is ${name.length} characters, fewer than ${limit}` : undefined);
const pattern = (expression: RegExp, meaning: string): NameCheck => (name) => (expression.test(name) ? undefined : `must ${meaning}`);
const forbidden = (expression: RegExp, meaning: string): NameCheck => (name) => (expression.test(name) ? `must not ${meaning}` : undefined);

/** One rule per API name parameter: the checks run on literal names (apply-time names are skipped). */
function nameRule(spec: { id: string; type: string; attribute: string; checks: NameCheck[]; description: string; source: string }): Rule {
  return {
    id: spec.id,
    description: spec.description,
    source: spec.source,
    check({ json }) {
      const report = reporter(spec.id);
      return resources(json, spec.type).flatMap(({ address, body }) => {
        const name = literal(body[spec.attribute]);
        if (name === undefined) return [];
        return spec.checks.flatMap((check) => {
          const problem = check(name);
          return problem ? [report(address, `${spec.attribute} "${name}" ${problem}`)] : [];
        });
      });
    },
  };
}

// ELBv2 states the same constraint for load balancer and target group names.
const elbName: NameCheck[] = [
  maxLength(32),
  pattern(/^[A-Za-z0-9-]+$/, "contain only alphanumeric characters and hyphens"),
  forbidden(/^-|-$/, "begin or end with a hyphen"),
];

// RDS and ElastiCache identifiers share a shape: a letter first, no trailing or doubled hyphen.
const letterFirstIdentifier: NameCheck[] = [
  pattern(/^[A-Za-z][A-Za-z0-9-]*$/, "begin with a letter and contain only letters, digits and hyphens"),
  forbidden(/-$|--/, "end with a hyphen or contain two consecutive hyphens"),
];

export const NAME_RULES: readonly Rule[] = [
  nameRule({
    id: "iam-role-name",
    type: "aws_iam_role",
    attribute: "name",
    checks: [maxLength(64), pattern(/^[\w+=,.@-]+$/, "match [\\w+=,.@-]+")],
    description: "An IAM role name is 1–64 characters of [\\w+=,.@-].",
    source: "IAM API Reference, CreateRole, RoleName: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
  }),
  nameRule({
    id: "lb-name",
    type: "aws_lb",
    attribute: "name",
    checks: [...elbName, forbidden(/^internal-/, 'begin with "internal-"')],
    description: 'A load balancer name is at most 32 alphanumeric characters or hyphens, not starting or ending with a hyphen nor starting with "internal-".',
    source: "Elastic Load Balancing API Reference, CreateLoadBalancer, Name: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
  }),
  nameRule({
    id: "lb-target-group-name",
    type: "aws_lb_target_group",
    attribute: "name",
    checks: elbName,
    description: "A target group name is at most 32 alphanumeric characters or hyphens, not starting or ending with a hyphen.",
    source: "Elastic Load Balancing API Reference, CreateTargetGroup, Name: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
  }),
  nameRule({
    id: "elasticache-replication-group-id",
    type: "aws_elasticache_replication_group",
    attribute: "replication_group_id",
    checks: [maxLength(40), ...letterFirstIdentifier],
    description: "A replication group id is 1–40 letters, digits or hyphens, starting with a letter, without a trailing or doubled hyphen.",
    source: "Amazon ElastiCache API Reference, CreateReplicationGroup, ReplicationGroupId: https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html",
  }),
  nameRule({
    id: "opensearch-domain-name",
    type: "aws_opensearch_domain",
    attribute: "domain_name",
    checks: [minLength(3), maxLength(28), pattern(/^[a-z][a-z0-9-]+$/, "match [a-z][a-z0-9\\-]+")],
    description: "An OpenSearch domain name is 3–28 lowercase letters, digits or hyphens, starting with a letter.",
    source: "Amazon OpenSearch Service API Reference, CreateDomain, DomainName: https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_CreateDomain.html",
  }),
  nameRule({
    id: "rds-instance-identifier",
    type: "aws_db_instance",
    attribute: "identifier",
    checks: [maxLength(63), ...letterFirstIdentifier],
    description: "A DB instance identifier is 1–63 letters, digits or hyphens, starting with a letter, without a trailing or doubled hyphen.",
    source: "Amazon RDS API Reference, CreateDBInstance, DBInstanceIdentifier: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
  }),
  nameRule({
    id: "s3-bucket-name",
    type: "aws_s3_bucket",
    attribute: "bucket",
    checks: [
      minLength(3),
      maxLength(63),
      pattern(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, "contain only lowercase letters, digits, dots and hyphens, and begin and end with a letter or digit"),
      forbidden(/\.\./, "contain two adjacent periods"),
      forbidden(/^\d+\.\d+\.\d+\.\d+$/, "be formatted as an IP address"),
      forbidden(/^(xn--|sthree-|amzn-s3-demo-)/, "begin with a reserved prefix (xn--, sthree-, amzn-s3-demo-)"),
      forbidden(/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/, "end with a reserved suffix (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3)"),
    ],
    description: "A general purpose bucket name is 3–63 lowercase letters, digits, dots and hyphens, with the reserved prefixes and suffixes excluded.",
    source: "Amazon S3 User Guide, General purpose bucket naming rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
  }),
  nameRule({
    id: "lambda-function-name",
    type: "aws_lambda_function",
    attribute: "function_name",
    checks: [maxLength(64), pattern(/^[A-Za-z0-9_-]+$/, "contain only letters, digits, hyphens and underscores")],
    description: "A Lambda function name (not an ARN) is at most 64 letters, digits, hyphens or underscores.",
    source: "AWS Lambda API Reference, CreateFunction, FunctionName: https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html",
  }),
  nameRule({
    id: "sqs-queue-name",
    type: "aws_sqs_queue",
    attribute: "name",
    checks: [maxLength(80), pattern(/^[A-Za-z0-9_-]+(\.fifo)?$/, "contain only alphanumeric characters, hyphens and underscores (plus .fifo)")],
    description: "A queue name is at most 80 alphanumeric characters, hyphens or underscores; a FIFO queue's ends in .fifo.",
    source: "Amazon SQS API Reference, CreateQueue, QueueName: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
  }),
  nameRule({
    id: "kms-alias-name",
    type: "aws_kms_alias",
    attribute: "name",
    checks: [
      maxLength(256),
      pattern(/^alias\/[A-Za-z0-9/_-]+$/, 'begin with "alias/" and contain only letters, digits, "/", "_" and "-"'),
      forbidden(/^alias\/aws\//, 'begin with "alias/aws/", which AWS reserves for AWS managed keys'),
    ],
    description: 'An alias name begins with "alias/", is at most 256 characters of [a-zA-Z0-9/_-], and never begins with "alias/aws/".',
    source: "AWS KMS API Reference, CreateAlias, AliasName: https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html",
  }),
  nameRule({
    id: "mq-broker-name",
    type: "aws_mq_broker",
    attribute: "broker_name",
    checks: [maxLength(50), pattern(/^[A-Za-z0-9_-]+$/, "contain only letters, digits, hyphens and underscores")],
    description: "A broker name is 1–50 letters, digits, hyphens or underscores.",
    source: "Amazon MQ REST API Reference, Brokers, CreateBrokerInput brokerName: https://docs.aws.amazon.com/amazon-mq/latest/api-reference/brokers.html",
  }),
];
