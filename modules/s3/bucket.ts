import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketObjectLockConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { type PolicyStatement, policyDocument } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import type { KmsKey } from "../kms-key";

export interface SecureBucketProps {
  readonly naming: Naming;
  /** Component name: the bucket is `lma-<environment>-<component>-<region>-<account>`. */
  readonly component: string;
  /**
   * Customer-managed key for default encryption. Omit only where the writing service cannot use
   * KMS (ALB access logs, CloudFront standard logs): the bucket then uses SSE-S3 (AES256).
   */
  readonly kmsKey?: KmsKey;
  /** Server access logs go to this bucket under `s3-access/<bucket>/`. @default no access logging (only the log bucket itself) */
  readonly accessLogsBucket?: SecureBucket;
  /**
   * Days noncurrent versions are kept before they expire.
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
  /** Extra lifecycle rules (tiering, expiry), appended to the noncurrent-version and multipart rules. */
  readonly lifecycleRules?: readonly S3BucketLifecycleConfigurationRule[];
  /** Object lock in COMPLIANCE mode with this default retention. Must be decided at creation. */
  readonly objectLockRetentionDays?: number;
  /**
   * Terraform refuses to destroy the bucket. Stateful buckets in staging and production set it.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * One S3 bucket with every control a regulated platform expects, none of them optional: versioning,
 * default encryption (KMS with a bucket key, or SSE-S3 where a service requires it), ACLs disabled
 * (bucket owner enforced), all public access blocked, a policy that denies plain HTTP, TLS below 1.2
 * and (with KMS) uploads under any other key, noncurrent-version expiry and multipart cleanup.
 * Other constructs add statements with `addToResourcePolicy`, since a bucket has one policy.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly kmsKey?: KmsKey;
  private readonly policyStatements: PolicyStatement[] = [];

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const { naming } = props;
    this.kmsKey = props.kmsKey;
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: naming.bucketName(props.component),
      forceDestroy: false,
      objectLockEnabled: props.objectLockRetentionDays !== undefined ? true : undefined,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    const bucket = this.bucket.id;

    new S3BucketOwnershipControls(this, "ownership", { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketVersioningA(this, "versioning", { bucket, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket,
      rule: [
        {
          applyServerSideEncryptionByDefault: props.kmsKey
            ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKey.arn }
            : { sseAlgorithm: "AES256" },
          bucketKeyEnabled: props.kmsKey ? true : undefined,
        },
      ],
    });
    if (props.objectLockRetentionDays !== undefined) {
      new S3BucketObjectLockConfigurationA(this, "object-lock", {
        bucket,
        rule: { defaultRetention: { mode: "COMPLIANCE", days: props.objectLockRetentionDays } },
      });
    }
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket,
      rule: [
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays ?? 90 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
        ...(props.lifecycleRules ?? []),
      ],
    });
    if (props.accessLogsBucket) {
      new S3BucketLoggingA(this, "access-logging", {
        bucket,
        targetBucket: props.accessLogsBucket.bucket.id,
        targetPrefix: `s3-access/${naming.bucketName(props.component)}/`,
      });
    }

    this.policyStatements.push(
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": false } },
      },
      {
        Sid: "DenyTlsBelow12",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
        Condition: { NumericLessThan: { "s3:TlsVersion": 1.2 } },
      },
    );
    if (props.kmsKey) {
      // Uploads that ask for another encryption (SSE-S3, or another key) are refused; uploads
      // without a header get the default KMS encryption.
      this.policyStatements.push(
        {
          Sid: "DenyOtherEncryption",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:PutObject",
          Resource: `${this.bucket.arn}/*`,
          Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" } },
        },
        {
          Sid: "DenyOtherKmsKeys",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:PutObject",
          Resource: `${this.bucket.arn}/*`,
          Condition: {
            StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": props.kmsKey.arn },
          },
        },
      );
    }
    new S3BucketPolicy(this, "policy", {
      bucket,
      policy: Lazy.stringValue({ produce: () => policyDocument(this.policyStatements) }),
      // S3 rejects a policy while a public-access change is in flight on the same bucket.
      dependsOn: [this.node.findChild("public-access-block") as S3BucketPublicAccessBlock],
    });
  }

  get arn(): string {
    return this.bucket.arn;
  }

  get name(): string {
    return this.bucket.bucket;
  }

  /** Adds a statement to the bucket's single policy (log delivery, CloudFront OAC, replication …). */
  addToResourcePolicy(statement: PolicyStatement): void {
    this.policyStatements.push(statement);
  }
}
