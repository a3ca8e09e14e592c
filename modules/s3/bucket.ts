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
import type { DataStoreBinding, DataStoreClient, IDataStore } from "../../lib/data-store";
import { Grant, type IGrantee } from "../../lib/grants";
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
  /**
   * Object lock with this default retention in days (mode: `objectLockMode`). Must be decided at
   * creation. @default no object lock
   */
  readonly objectLockRetentionDays?: number;
  /**
   * Object lock default retention in years (calendar years, so leap days need no arithmetic).
   * Use instead of `objectLockRetentionDays`, not with it.
   * @default no object lock
   */
  readonly objectLockRetentionYears?: number;
  /**
   * Object lock mode. COMPLIANCE: nobody, not even the account root, can shorten the retention or
   * delete a locked version. GOVERNANCE: principals with `s3:BypassGovernanceRetention` can.
   * @default "COMPLIANCE" (immutable logs; a weaker mode must be chosen explicitly)
   */
  readonly objectLockMode?: "COMPLIANCE" | "GOVERNANCE";
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
 *
 * As a data store its kind is its component: a service that `uses` `documents` binds to the
 * `documents` bucket, gets read-write access and `DOCUMENTS_BUCKET` (S3 is reached through the
 * VPC's gateway endpoint, so there is no security group to open).
 */
export class SecureBucket extends Construct implements IDataStore {
  readonly bucket: S3Bucket;
  readonly kmsKey?: KmsKey;
  /** Versioning must exist before replication (source and destination) can be configured. */
  readonly versioning: S3BucketVersioningA;
  /** The bucket's single policy; log-delivery services check it at creation, so depend on it. */
  readonly policy: S3BucketPolicy;
  /** The component name given in the props, e.g. `documents`. */
  readonly component: string;
  /** The component: what services name in `uses`. */
  readonly storeKind: string;
  private readonly naming: Naming;
  private readonly policyStatements: PolicyStatement[] = [];
  /**
   * The bucket's and key's ARNs, read once: every attribute read is a new token, and grants
   * compare statements by content to merge a repeated grant.
   */
  private readonly bucketArn: string;
  private readonly kmsKeyArn?: string;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const { naming } = props;
    if (props.objectLockRetentionDays !== undefined && props.objectLockRetentionYears !== undefined) {
      throw new Error(`${naming.bucketName(props.component)}: give objectLockRetentionDays or objectLockRetentionYears, not both`);
    }
    const objectLock = props.objectLockRetentionDays !== undefined || props.objectLockRetentionYears !== undefined;
    this.kmsKey = props.kmsKey;
    this.component = props.component;
    this.storeKind = props.component;
    this.naming = naming;
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: naming.bucketName(props.component),
      forceDestroy: false,
      objectLockEnabled: objectLock ? true : undefined,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    const bucket = this.bucket.id;
    this.bucketArn = this.bucket.arn;
    this.kmsKeyArn = props.kmsKey?.arn;

    new S3BucketOwnershipControls(this, "ownership", { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    this.versioning = new S3BucketVersioningA(this, "versioning", { bucket, versioningConfiguration: { status: "Enabled" } });
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
    if (objectLock) {
      new S3BucketObjectLockConfigurationA(this, "object-lock", {
        bucket,
        rule: {
          defaultRetention: {
            mode: props.objectLockMode ?? "COMPLIANCE",
            days: props.objectLockRetentionDays,
            years: props.objectLockRetentionYears,
          },
        },
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
      // without the headers get the bucket's default KMS encryption. `Null: false` limits each Deny
      // to requests that carry the header: an `…IfExists` operator would also refuse every upload
      // without one, since a missing key makes a negated IfExists condition true. The key may be
      // named by its ARN or its alias ARN (the Terraform S3 backend sends the alias): S3 compares
      // the header literally.
      this.policyStatements.push(
        {
          Sid: "DenyOtherEncryption",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:PutObject",
          Resource: `${this.bucket.arn}/*`,
          Condition: {
            StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
            Null: { "s3:x-amz-server-side-encryption": "false" },
          },
        },
        {
          Sid: "DenyOtherKmsKeys",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:PutObject",
          Resource: `${this.bucket.arn}/*`,
          Condition: {
            StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": [props.kmsKey.arn, props.kmsKey.aliasArn] },
            Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" },
          },
        },
      );
    }
    this.policy = new S3BucketPolicy(this, "policy", {
      bucket,
      policy: Lazy.stringValue({ produce: () => policyDocument(this.policyStatements) }),
      // S3 rejects a policy while a public-access change is in flight on the same bucket.
      dependsOn: [this.node.findChild("public-access-block") as S3BucketPublicAccessBlock],
    });
  }

  get arn(): string {
    return this.bucketArn;
  }

  get name(): string {
    return this.bucket.bucket;
  }

  /** Adds a statement to the bucket's single policy (log delivery, CloudFront OAC, replication …). */
  addToResourcePolicy(statement: PolicyStatement): void {
    this.policyStatements.push(statement);
  }

  /**
   * The statements that let a principal read objects (every version) and list the bucket, and
   * decrypt with the bucket's key through S3 only. For roles that assemble their own policy.
   */
  readStatements(): PolicyStatement[] {
    return [...this.listAndGetStatements(), ...this.keyStatements("Decrypt", ["kms:Decrypt", "kms:DescribeKey"])];
  }

  /**
   * `readStatements` plus writing and deleting objects. Deleting only adds a delete marker (the
   * bucket is versioned); `s3:DeleteObjectVersion`, which destroys data, is never granted.
   */
  readWriteStatements(): PolicyStatement[] {
    return [
      ...this.listAndGetStatements(),
      {
        Sid: `${this.sid}Write`,
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        Resource: `${this.bucketArn}/*`,
      },
      ...this.keyStatements("EncryptDecrypt", ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"]),
    ];
  }

  /** Grants `readStatements` to `grantee`. */
  grantRead(grantee: IGrantee): Grant {
    return Grant.addToPrincipal(grantee, this.readStatements());
  }

  /** Grants `readWriteStatements` to `grantee`. */
  grantReadWrite(grantee: IGrantee): Grant {
    return Grant.addToPrincipal(grantee, this.readWriteStatements());
  }

  /** Lets `client`'s task role read and write objects and tells it the bucket, as `<COMPONENT>_BUCKET`. */
  bind(client: DataStoreClient): DataStoreBinding {
    const variable = `${this.component.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_BUCKET`;
    return { environment: { [variable]: this.name }, secrets: {}, grants: [this.grantReadWrite(client.taskRole)] };
  }

  /**
   * Lets one CloudFront distribution read objects through origin access control (OAC): a bucket
   * policy statement pinned to the distribution's ARN and, with a KMS key, a key-policy statement
   * letting CloudFront decrypt for this account's distributions (the key policy names no single
   * distribution, so the shared key never waits on a distribution to exist). A pattern
   * (`arn:aws:cloudfront::<account>:distribution/*`) admits the account's distributions: a bucket
   * read by a distribution of another stack, whose generated id it cannot name.
   */
  grantCloudFrontRead(distributionArn: string): void {
    this.addToResourcePolicy({
      Sid: "AllowCloudFrontOriginAccessControl",
      Effect: "Allow",
      Principal: { Service: "cloudfront.amazonaws.com" },
      Action: "s3:GetObject",
      Resource: `${this.bucket.arn}/*`,
      Condition: distributionArn.includes("*")
        ? { ArnLike: { "AWS:SourceArn": distributionArn }, StringEquals: { "AWS:SourceAccount": this.naming.accountId } }
        : { StringEquals: { "AWS:SourceArn": distributionArn } },
    });
    this.kmsKey?.grantToService("CloudFrontOacDecrypt", "cloudfront.amazonaws.com", {
      decryptOnly: true,
      condition: { ArnLike: { "AWS:SourceArn": `arn:aws:cloudfront::${this.naming.accountId}:distribution/*` } },
    });
  }

  /** A statement-id prefix unique to this bucket, e.g. `S3Documents`. */
  private get sid(): string {
    return `S3${this.component.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}`;
  }

  private listAndGetStatements(): PolicyStatement[] {
    return [
      { Sid: `${this.sid}List`, Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: this.bucketArn },
      { Sid: `${this.sid}Read`, Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `${this.bucketArn}/*` },
    ];
  }

  /** The key use behind a grant, through S3 only; `use` names it in the Sid (`S3DocumentsKmsDecrypt`). */
  private keyStatements(use: string, actions: readonly string[]): PolicyStatement[] {
    if (!this.kmsKeyArn) return [];
    return [
      {
        Sid: `${this.sid}Kms${use}`,
        Effect: "Allow",
        Action: actions,
        Resource: this.kmsKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `s3.${this.naming.region}.amazonaws.com` } },
      },
    ];
  }
}
