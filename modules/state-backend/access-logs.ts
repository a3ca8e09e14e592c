import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";
import { S3_ACCESS_LOG_PREFIX, SecureBucket } from "../s3";

export interface BootstrapAccessLogsProps {
  readonly naming: Naming;
  /**
   * Days access logs are kept; they answer "who read the state" in an investigation.
   * @default 365
   */
  readonly retentionDays?: number;
}

/**
 * `lma-<env>-bootstrap-access-logs-<region>-<account>`: S3 server access logs of the bootstrap's
 * buckets in one region (state and artifacts: state holds resource attributes, secrets among them,
 * so every read of it is recorded). Its own bucket because the platform's access-log bucket
 * belongs to the regional stack, which is applied after the bootstrap. S3 delivers server access
 * logs only to a bucket with SSE-S3 default encryption, so this one has no KMS key.
 */
export class BootstrapAccessLogs extends Construct {
  readonly bucket: SecureBucket;

  constructor(scope: Construct, id: string, props: BootstrapAccessLogsProps) {
    super(scope, id);
    const { naming } = props;
    this.bucket = new SecureBucket(this, "bucket", {
      naming,
      component: "bootstrap-access-logs",
      noncurrentVersionExpirationDays: 30,
      lifecycleRules: [{ id: "expire-access-logs", status: "Enabled", filter: [{}], expiration: [{ days: props.retentionDays ?? 365 }] }],
    });
    // Access logs are written by the S3 logging service, only for this account's bootstrap buckets.
    this.bucket.addToResourcePolicy({
      Sid: "AllowS3ServerAccessLogDelivery",
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${this.bucket.arn}/${S3_ACCESS_LOG_PREFIX}/*`,
      Condition: {
        StringEquals: { "aws:SourceAccount": naming.accountId },
        ArnLike: { "aws:SourceArn": `arn:aws:s3:::${naming.prefix}-*` },
      },
    });
  }
}
