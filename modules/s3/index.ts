import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";
import { tagComponent } from "../../lib/tags";
import type { KmsKey } from "../kms-key";
import { SecureBucket } from "./bucket";
import { BucketReplication } from "./replication";

export { SecureBucket, type SecureBucketProps } from "./bucket";
export { BucketReplication, type BucketReplicationProps } from "./replication";

/**
 * Key prefixes in the `logs` bucket, one per producer. Producers must write under their prefix:
 * the bucket policy lets each one write only there (`<prefix>/AWSLogs/<account>/…`).
 */
export const LOG_PREFIXES = {
  /** ALB access, connection and health-check logs (`aws_lb.access_logs.prefix`). */
  alb: "alb",
  /** CloudFront standard logging v2 (CloudWatch Logs vended delivery to S3). */
  cloudfront: "cloudfront",
  /** CloudTrail (`aws_cloudtrail.s3_key_prefix`). */
  cloudtrail: "cloudtrail",
  /** AWS Config delivery channel (`aws_config_delivery_channel.s3_key_prefix`). */
  config: "config",
} as const;

/** Prefix of S3 server access logs in the `accessLogs` bucket. */
export const S3_ACCESS_LOG_PREFIX = "s3-access";

export interface LogsObjectLock {
  readonly mode: "COMPLIANCE" | "GOVERNANCE";
  readonly years: number;
}

export interface PlatformBucketsProps {
  readonly naming: Naming;
  /** Encrypts `documents` and `staticAssets` (the data-class key). */
  readonly dataKey: KmsKey;
  /** Encrypts `backups`, kept apart from the data key so a restore path survives a data-key mistake. */
  readonly backupsKey: KmsKey;
  /**
   * The key CloudTrail (and other log producers that can use KMS) encrypt their own objects with
   * in `logs`. Used for cross-region replication: the replication role may decrypt with it and
   * re-encrypts under the DR region's key of the same alias.
   * @default none (KMS-encrypted log objects are not replicated)
   */
  readonly logsKey?: KmsKey;
  /**
   * Terraform refuses to destroy the buckets (`prevent_destroy`).
   * @default true (a bucket of loan documents must not vanish with a `terraform destroy`)
   */
  readonly preventDestroy?: boolean;
  /**
   * Object Lock on `logs`: the default retention every new log object gets.
   * @default { mode: "COMPLIANCE", years: 7 } (immutable logs, kept the seven years audits ask for)
   */
  readonly logsObjectLock?: LogsObjectLock;
  /**
   * Days a replaced or deleted version of a document is kept in `documents` (and its replica).
   * @default 365
   */
  readonly documentsNoncurrentVersionDays?: number;
  /**
   * Days S3 server access logs are kept in `accessLogs`.
   * @default 365 (a year of request history for investigations, as PCI DSS 10.5.1 asks)
   */
  readonly accessLogsRetentionDays?: number;
  /**
   * Replicate `documents`, `backups` and `logs` to the namesake buckets of this region (created by
   * that region's stack, which must be applied first). Replicas are re-encrypted under that
   * region's keys with the same aliases as `dataKey`, `backupsKey` and `logsKey`.
   * @default no replication
   */
  readonly replicateTo?: Naming["region"];
  /**
   * The AWS account that delivers ALB access logs in this region (Elastic Load Balancing's
   * regional account, listed in the ELB documentation); `logs` lets it write under `alb/`.
   */
  readonly albLogDeliveryAccountId: string;
}

/**
 * The platform's buckets, from one `SecureBucket` construct:
 *
 * - `staticAssets`: the web front end, served only through CloudFront origin access control (KMS).
 * - `documents`: loan documents. KMS, Standard → Standard-IA → Glacier Instant Retrieval, noncurrent
 *   versions kept `documentsNoncurrentVersionDays`, replicated to the DR region with Replication Time Control.
 * - `backups`: exports and dumps. Backups key, Standard-IA → Glacier Flexible Retrieval, replicated.
 * - `logs`: the audit sink (ALB, CloudFront, CloudTrail, AWS Config). SSE-S3, because ALB
 *   access-log delivery supports nothing else; CloudTrail still encrypts its own files with KMS.
 *   Object Lock (compliance, 7 years by default). Replicated.
 * - `accessLogs`: S3 server access logs of the four others. A separate bucket because S3 cannot
 *   deliver server access logs to a bucket with Object Lock; SSE-S3, the only encryption it supports.
 */
export class PlatformBuckets extends Construct {
  readonly staticAssets: SecureBucket;
  readonly documents: SecureBucket;
  readonly backups: SecureBucket;
  readonly logs: SecureBucket;
  readonly accessLogs: SecureBucket;
  /**
   * The replication of `documents`, `backups`, `logs` and `staticAssets`, by bucket, when
   * `replicateTo` is set; the replicated front end is CloudFront's failover origin.
   */
  readonly replications: Readonly<Record<"documents" | "backups" | "logs" | "staticAssets", BucketReplication>> | undefined;

  constructor(scope: Construct, id: string, props: PlatformBucketsProps) {
    super(scope, id);
    tagComponent(this, "storage");
    const { naming } = props;
    const preventDestroy = props.preventDestroy ?? true;
    const lock = props.logsObjectLock ?? { mode: "COMPLIANCE", years: 7 };

    this.accessLogs = new SecureBucket(this, "access-logs", {
      naming,
      component: "access-logs",
      preventDestroy,
      noncurrentVersionExpirationDays: 30,
      lifecycleRules: [
        {
          id: "tier-and-expire",
          status: "Enabled",
          filter: [{}],
          transition: [{ days: 30, storageClass: "STANDARD_IA" }],
          expiration: [{ days: props.accessLogsRetentionDays ?? 365 }],
        },
      ],
    });
    this.allowServerAccessLogDelivery(naming);

    this.logs = new SecureBucket(this, "logs", {
      naming,
      component: "logs",
      preventDestroy,
      accessLogsBucket: this.accessLogs,
      objectLockRetentionYears: lock.years,
      objectLockMode: lock.mode,
      lifecycleRules: [
        {
          id: "archive-then-expire-after-retention",
          status: "Enabled",
          filter: [{}],
          transition: [
            { days: 90, storageClass: "STANDARD_IA" },
            { days: 180, storageClass: "GLACIER" },
          ],
          // One day after the lock of the longest calendar span of `years` ends.
          expiration: [{ days: lock.years * 365 + Math.ceil(lock.years / 4) + 1 }],
        },
      ],
    });
    this.allowLogDelivery(naming, props.albLogDeliveryAccountId);

    this.staticAssets = new SecureBucket(this, "static-assets", {
      naming,
      component: "static-assets",
      kmsKey: props.dataKey,
      preventDestroy,
      accessLogsBucket: this.accessLogs,
      noncurrentVersionExpirationDays: 30,
    });

    this.documents = new SecureBucket(this, "documents", {
      naming,
      component: "documents",
      kmsKey: props.dataKey,
      preventDestroy,
      accessLogsBucket: this.accessLogs,
      noncurrentVersionExpirationDays: props.documentsNoncurrentVersionDays ?? 365,
      lifecycleRules: [
        {
          id: "tier-documents",
          status: "Enabled",
          filter: [{}],
          transition: [
            { days: 90, storageClass: "STANDARD_IA" },
            { days: 365, storageClass: "GLACIER_IR" },
          ],
          noncurrentVersionTransition: [{ noncurrentDays: 30, storageClass: "GLACIER_IR" }],
        },
      ],
    });

    this.backups = new SecureBucket(this, "backups", {
      naming,
      component: "backups",
      kmsKey: props.backupsKey,
      preventDestroy,
      accessLogsBucket: this.accessLogs,
      lifecycleRules: [
        {
          id: "tier-backups",
          status: "Enabled",
          filter: [{}],
          transition: [
            { days: 30, storageClass: "STANDARD_IA" },
            { days: 90, storageClass: "GLACIER" },
          ],
        },
      ],
    });

    this.replications = props.replicateTo
      ? this.replicate(naming, props.replicateTo, props)
      : undefined;
  }

  /** Every bucket, e.g. for policy checks. */
  get all(): readonly SecureBucket[] {
    return [this.staticAssets, this.documents, this.backups, this.logs, this.accessLogs];
  }

  private replicate(naming: Naming, region: Naming["region"], props: PlatformBucketsProps) {
    const aliasOf = (key: KmsKey): string => {
      const alias = key.alias.nameInput;
      if (!alias) throw new Error(`KMS key ${key.node.path} has no literal alias to name its DR counterpart by`);
      return alias;
    };
    return {
      documents: new BucketReplication(this, "documents-replication", {
        naming,
        source: this.documents,
        destinationRegion: region,
        destinationKeyAlias: aliasOf(props.dataKey),
        replicationTimeControl: true,
      }),
      backups: new BucketReplication(this, "backups-replication", {
        naming,
        source: this.backups,
        destinationRegion: region,
        destinationKeyAlias: aliasOf(props.backupsKey),
      }),
      // CloudFront's origin group fails over to the DR region's copy when this region's S3 does.
      staticAssets: new BucketReplication(this, "static-assets-replication", {
        naming,
        source: this.staticAssets,
        destinationRegion: region,
        destinationKeyAlias: aliasOf(props.dataKey),
      }),
      logs: new BucketReplication(this, "logs-replication", {
        naming,
        source: this.logs,
        destinationRegion: region,
        destinationKeyAlias: props.logsKey ? aliasOf(props.logsKey) : undefined,
        sourceKeys: props.logsKey ? [props.logsKey] : [],
      }),
    };
  }

  /** The log producers' bucket-policy statements on `logs`, each limited to its prefix and account. */
  private allowLogDelivery(naming: Naming, albLogDeliveryAccountId: string): void {
    const account = naming.accountId;
    const arn = this.logs.arn;
    const under = (prefix: string) => `${arn}/${prefix}/AWSLogs/${account}/*`;
    const fromThisAccount = { "aws:SourceAccount": account };

    // ALB in the regions that predate August 2022 delivers as the regional ELB account, which
    // sends no source-account context: the account-id path segment is the scope.
    this.logs.addToResourcePolicy({
      Sid: "AllowAlbLogDelivery",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${albLogDeliveryAccountId}:root` },
      Action: "s3:PutObject",
      Resource: under(LOG_PREFIXES.alb),
    });
    // CloudWatch Logs vended delivery: CloudFront standard logging v2 (its path suffix is
    // configurable, so the whole prefix). WAF cannot use this bucket: S3 destinations of WAF
    // logs must be named `aws-waf-logs-*`, so WAF logs go to a CloudWatch log group instead.
    this.logs.addToResourcePolicy({
      Sid: "AllowVendedLogDeliveryAclCheck",
      Effect: "Allow",
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Action: "s3:GetBucketAcl",
      Resource: arn,
      Condition: { StringEquals: fromThisAccount, ArnLike: { "aws:SourceArn": `arn:aws:logs:*:${account}:*` } },
    });
    this.logs.addToResourcePolicy({
      Sid: "AllowVendedLogDelivery",
      Effect: "Allow",
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${arn}/${LOG_PREFIXES.cloudfront}/*`,
      Condition: {
        StringEquals: { ...fromThisAccount, "s3:x-amz-acl": "bucket-owner-full-control" },
        ArnLike: { "aws:SourceArn": `arn:aws:logs:*:${account}:*` },
      },
    });
    // CloudTrail and AWS Config add their own statements, pinned to the exact trail and recorder
    // (modules/security: AuditTrail, RegionalDetection.deliverTo), under LOG_PREFIXES.
  }

  /** S3 server access logs from this environment's buckets in this account. */
  private allowServerAccessLogDelivery(naming: Naming): void {
    this.accessLogs.addToResourcePolicy({
      Sid: "AllowS3ServerAccessLogDelivery",
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${this.accessLogs.arn}/${S3_ACCESS_LOG_PREFIX}/*`,
      Condition: {
        StringEquals: { "aws:SourceAccount": naming.accountId },
        ArnLike: { "aws:SourceArn": `arn:aws:s3:::${naming.prefix}-*` },
      },
    });
  }
}
