import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";
import { tagComponent } from "../../lib/tags";
import { KmsKey } from "../kms-key";
import { SecureBucket } from "../s3/bucket";

export interface ArtifactStoreProps {
  readonly naming: Naming;
  /**
   * The roles that upload artifacts and deploy them (Lambda reads the object with the deployer's
   * rights): the key policy names them, for use through S3 only.
   */
  readonly keyUserRoleArns: readonly string[];
  /** Receives the bucket's server access logs. */
  readonly accessLogsBucket: SecureBucket;
  /**
   * Days a replaced artifact version is kept, so a rollback to the previous release still works.
   * @default 180
   */
  readonly noncurrentVersionExpirationDays?: number;
}

/**
 * `lma-<env>-artifacts-<region>-<account>`: the release pipeline uploads Lambda packages here as
 * `lambda/<function>/<version>.zip`, and the regional stacks deploy the version the release
 * pins name (README.md, "Promote a release"). It lives in the bootstrap stack because it must exist before any
 * regional stack references an artifact in it.
 */
export class ArtifactStore extends Construct {
  readonly bucket: SecureBucket;
  readonly kmsKey: KmsKey;

  constructor(scope: Construct, id: string, props: ArtifactStoreProps) {
    super(scope, id);
    tagComponent(this, "release-artifacts");
    const { naming } = props;
    this.kmsKey = new KmsKey(this, "key", {
      naming,
      alias: "artifacts",
      description: `Release artifacts of ${naming.prefix} in ${naming.region}`,
    });
    this.kmsKey.grantViaServices("ArtifactRolesThroughS3", props.keyUserRoleArns, ["s3"]);
    this.bucket = new SecureBucket(this, "bucket", {
      naming,
      component: "artifacts",
      kmsKey: this.kmsKey,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays ?? 180,
      accessLogsBucket: props.accessLogsBucket,
      preventDestroy: true,
    });
  }
}
