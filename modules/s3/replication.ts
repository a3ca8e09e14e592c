import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { S3BucketReplicationConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-replication-configuration";
import { Construct } from "constructs";
import { type PolicyStatement, policyDocument, serviceTrustPolicy } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import type { KmsKey } from "../kms-key";
import type { SecureBucket } from "./bucket";

export interface BucketReplicationProps {
  readonly naming: Naming;
  /** The bucket whose new object versions are copied. */
  readonly source: SecureBucket;
  /**
   * Region of the destination: the bucket of the same component there, named by the convention
   * (`naming.inRegion(region).bucketName(component)`), created by that region's own stack.
   */
  readonly destinationRegion: Naming["region"];
  /**
   * Alias name (`alias/lma-<env>-<purpose>`) of the key that encrypts replicas in the destination
   * region. Replicas are re-encrypted under the destination region's own key, so the copy stays
   * readable when the source region (and its keys) are gone. Needed when the source holds
   * SSE-KMS objects; without it only SSE-S3 objects replicate.
   * @default none (SSE-KMS objects are not replicated)
   */
  readonly destinationKeyAlias?: string;
  /**
   * Keys that encrypt objects in the source bucket: the bucket's default key and keys other
   * services use for their own objects (CloudTrail in `logs`). The role may decrypt with them only
   * through S3 in the source region; with the bucket's own key, only for this bucket's objects.
   * @default the source bucket's key, if any
   */
  readonly sourceKeys?: readonly KmsKey[];
  /**
   * S3 Replication Time Control: 99.99 % of objects replicated within 15 minutes, with
   * replication metrics and events. Costs extra per GB; worth it where the RPO depends on it.
   * @default false
   */
  readonly replicationTimeControl?: boolean;
}

/**
 * Cross-region replication of one bucket to its namesake in another region of the same account:
 * an IAM role S3 assumes (trust pinned to this account and this bucket), least-privilege reads on
 * the source, replicate-only writes on the destination, KMS decrypt/encrypt only through S3 in
 * each region, and one rule that replicates every new version but not delete markers — a delete
 * on the primary never reaches the DR copy, so a mistaken or malicious delete is recoverable there.
 */
export class BucketReplication extends Construct {
  readonly role: IamRole;
  readonly configuration: S3BucketReplicationConfigurationA;
  /** ARN of the destination bucket (derived from the naming convention). */
  readonly destinationBucketArn: string;

  constructor(scope: Construct, id: string, props: BucketReplicationProps) {
    super(scope, id);
    const { naming, source, destinationRegion } = props;
    const destinationBucket = naming.inRegion(destinationRegion).bucketName(source.component);
    this.destinationBucketArn = `arn:aws:s3:::${destinationBucket}`;
    const sourceArn = `arn:aws:s3:::${naming.bucketName(source.component)}`;
    const sourceKeys = props.sourceKeys ?? (source.kmsKey ? [source.kmsKey] : []);
    const replicatesKmsObjects = props.destinationKeyAlias !== undefined;

    this.role = new IamRole(this, "role", {
      name: naming.globalName(`s3-replication-${source.component}`),
      description: `S3 replication of ${naming.bucketName(source.component)} to ${destinationRegion}`,
      assumeRolePolicy: serviceTrustPolicy("s3.amazonaws.com", naming.accountId, sourceArn),
    });

    const statements: PolicyStatement[] = [
      {
        Sid: "ReadReplicationConfiguration",
        Effect: "Allow",
        Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
        Resource: sourceArn,
      },
      {
        Sid: "ReadSourceVersions",
        Effect: "Allow",
        Action: [
          "s3:GetObjectVersionForReplication",
          "s3:GetObjectVersionAcl",
          "s3:GetObjectVersionTagging",
          "s3:GetObjectRetention",
          "s3:GetObjectLegalHold",
        ],
        Resource: `${sourceArn}/*`,
      },
      {
        Sid: "ReplicateToDestination",
        Effect: "Allow",
        Action: ["s3:ReplicateObject", "s3:ReplicateTags"],
        Resource: `${this.destinationBucketArn}/*`,
      },
    ];
    if (sourceKeys.length > 0 && replicatesKmsObjects) {
      statements.push({
        Sid: "DecryptSourceObjects",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: sourceKeys.map((key) => key.arn),
        Condition: {
          StringEquals: { "kms:ViaService": `s3.${naming.region}.amazonaws.com` },
          // The bucket's own key: S3's context is the bucket's ARN (Bucket Keys) or the object's.
          // Producers' keys (CloudTrail's) carry their own context, so S3-only is their scope.
          ...(props.sourceKeys === undefined
            ? { StringLike: { "kms:EncryptionContext:aws:s3:arn": [sourceArn, `${sourceArn}/*`] } }
            : {}),
        },
      });
    }
    if (replicatesKmsObjects) {
      // The destination key lives in another stack: it is named by its alias, and IAM matches it
      // through `kms:ResourceAliases` (an alias ARN is not a key ARN in a policy's Resource).
      statements.push({
        Sid: "EncryptReplicas",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:GenerateDataKey"],
        Resource: naming.arn("kms", "key/*", { region: destinationRegion }),
        Condition: {
          "ForAnyValue:StringEquals": { "kms:ResourceAliases": [props.destinationKeyAlias!] },
          StringEquals: { "kms:ViaService": `s3.${destinationRegion}.amazonaws.com` },
          StringLike: { "kms:EncryptionContext:aws:s3:arn": [this.destinationBucketArn, `${this.destinationBucketArn}/*`] },
        },
      });
    }
    new IamRolePolicy(this, "policy", {
      name: "replicate",
      role: this.role.name,
      policy: policyDocument(statements),
    });

    const timeControl = props.replicationTimeControl ?? false;
    this.configuration = new S3BucketReplicationConfigurationA(this, "configuration", {
      bucket: source.bucket.id,
      role: this.role.arn,
      rule: [
        {
          id: `to-${destinationRegion}`,
          status: "Enabled",
          priority: 1,
          filter: { prefix: "" },
          deleteMarkerReplication: { status: "Disabled" },
          sourceSelectionCriteria: replicatesKmsObjects
            ? { sseKmsEncryptedObjects: { status: "Enabled" } }
            : undefined,
          destination: {
            bucket: this.destinationBucketArn,
            storageClass: "STANDARD",
            encryptionConfiguration: replicatesKmsObjects
              ? { replicaKmsKeyId: naming.arn("kms", props.destinationKeyAlias!, { region: destinationRegion }) }
              : undefined,
            replicationTime: timeControl ? { status: "Enabled", time: { minutes: 15 } } : undefined,
            metrics: timeControl ? { status: "Enabled", eventThreshold: { minutes: 15 } } : undefined,
          },
        },
      ],
      // S3 refuses a replication configuration on an unversioned bucket.
      dependsOn: [source.versioning],
    });
  }
}
