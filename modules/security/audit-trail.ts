import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { Construct } from "constructs";
import { serviceTrustPolicy } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import { Role } from "../iam-role";
import type { KmsKey } from "../kms-key";
import { LogGroup } from "../log-group";
import { LOG_PREFIXES, type SecureBucket } from "../s3";

export interface AuditTrailProps {
  readonly naming: Naming;
  /** The logs bucket (object lock, replicated): trail files land under `cloudtrail/`. */
  readonly bucket: SecureBucket;
  /** Encrypts the trail's files and its CloudWatch log group (the `logs` key). */
  readonly kmsKey: KmsKey;
  /** Days the trail's CloudWatch copy is kept; the bucket copy is kept for the object-lock period. */
  readonly logRetentionDays: number;
  /**
   * Record S3 object-level (data) events of every bucket except the logs bucket itself, whose
   * recording would log the trail's own writes.
   * @default true (CIS 3.10/3.11: who read or changed a loan document)
   */
  readonly s3DataEvents?: boolean;
  /**
   * Add the bucket-policy statements CloudTrail needs to `bucket`, pinned to this trail's ARN.
   * Turn off only if the bucket's owner already grants this trail.
   * @default true
   */
  readonly grantBucketDelivery?: boolean;
  /** @default none */
  readonly permissionsBoundaryArn?: string;
}

/**
 * The account's CloudTrail: multi-region, global service events, log-file validation, encrypted
 * with the logs key, delivered to the logs bucket and to a CloudWatch log group (for metric
 * filters and alarms). Created once per account, in the environment's primary region.
 */
export class AuditTrail extends Construct {
  readonly trail: Cloudtrail;
  readonly logGroup: LogGroup;
  /** `arn:aws:cloudtrail:<region>:<account>:trail/lma-<env>-trail`, known before the trail exists. */
  readonly trailArn: string;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const { naming, bucket, kmsKey } = props;
    const trailName = naming.name("trail");
    this.trailArn = naming.arn("cloudtrail", `trail/${trailName}`);
    const fromThisTrail = { "aws:SourceArn": this.trailArn };

    // CloudTrail encrypts under its own principal: only this trail, only for this account's trails' context.
    kmsKey.grantToService("CloudTrailEncryptTrail", "cloudtrail.amazonaws.com", {
      actions: ["kms:GenerateDataKey*"],
      condition: {
        StringEquals: fromThisTrail,
        StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${naming.accountId}:trail/*` },
      },
    });
    kmsKey.grantToService("CloudTrailDescribeKey", "cloudtrail.amazonaws.com", {
      actions: ["kms:DescribeKey"],
      condition: { StringEquals: fromThisTrail },
    });

    const policyStatements = props.grantBucketDelivery ?? true;
    if (policyStatements) {
      bucket.addToResourcePolicy({
        Sid: "AuditTrailAclCheck",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:GetBucketAcl",
        Resource: bucket.arn,
        Condition: { StringEquals: fromThisTrail },
      });
      bucket.addToResourcePolicy({
        Sid: "AuditTrailWrite",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${bucket.arn}/${LOG_PREFIXES.cloudtrail}/AWSLogs/${naming.accountId}/*`,
        Condition: { StringEquals: { ...fromThisTrail, "s3:x-amz-acl": "bucket-owner-full-control" } },
      });
    }

    this.logGroup = new LogGroup(this, "log-group", {
      naming,
      name: ["cloudtrail"],
      kmsKey,
      retentionInDays: props.logRetentionDays,
    });
    const deliveryRole = new Role(this, "cloudwatch-role", {
      name: naming.globalName("cloudtrail-to-logs"),
      description: "CloudTrail delivery to its CloudWatch log group",
      assumeRolePolicy: serviceTrustPolicy("cloudtrail.amazonaws.com", naming.accountId, this.trailArn),
      policyName: "deliver-to-trail-log-group",
      permissionsBoundaryArn: props.permissionsBoundaryArn,
      statements: [
        {
          Sid: "WriteTrailLogStreams",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${this.logGroup.arn}:log-stream:*`,
        },
      ],
    });

    this.trail = new Cloudtrail(this, "cloudtrail", {
      name: trailName,
      s3BucketName: bucket.name,
      s3KeyPrefix: LOG_PREFIXES.cloudtrail,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      kmsKeyId: kmsKey.arn,
      cloudWatchLogsGroupArn: `${this.logGroup.arn}:*`,
      cloudWatchLogsRoleArn: deliveryRole.roleArn,
      advancedEventSelector: [
        { name: "All management events", fieldSelector: [{ field: "eventCategory", equalTo: ["Management"] }] },
        ...(props.s3DataEvents ?? true
          ? [
              {
                name: "S3 object-level events, except the trail's own bucket",
                fieldSelector: [
                  { field: "eventCategory", equalTo: ["Data"] },
                  { field: "resources.type", equalTo: ["AWS::S3::Object"] },
                  { field: "resources.ARN", notStartsWith: [`${bucket.arn}/`] },
                ],
              },
            ]
          : []),
      ],
      // CloudTrail checks its bucket permissions and role when the trail is created.
      dependsOn: [deliveryRole.policy, bucket.policy],
    });
  }
}
