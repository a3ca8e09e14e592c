import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";
import { tagComponent } from "../../lib/tags";
import { KmsKey } from "../kms-key";
import { SecureBucket } from "../s3/bucket";

/** Where a stack's state lives; derived from the naming convention, so stacks never look it up. */
export interface StateLocation {
  readonly bucket: string;
  readonly region: string;
  readonly kmsKeyAlias: string;
  readonly lockTable: string;
}

export function stateLocation(naming: Naming): StateLocation {
  return {
    bucket: naming.bucketName("tfstate"),
    region: naming.region,
    kmsKeyAlias: `alias/${naming.name("tfstate")}`,
    lockTable: naming.name("tfstate-lock"),
  };
}

export interface StateBackendProps {
  readonly naming: Naming;
  /**
   * The roles Terraform reads and writes state as (the deploy role the backends assume): the key
   * policy names them, for use through S3 and DynamoDB only.
   */
  readonly stateRoleArns: readonly string[];
  /** Receives the state bucket's server access logs (every read of the state is recorded). */
  readonly accessLogsBucket: SecureBucket;
  /**
   * Days superseded state versions are kept; versions are the undo history of every apply.
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
}

/**
 * The remote state of one account and region: a versioned, KMS-encrypted, TLS-only bucket with
 * public access blocked, and a DynamoDB lock table with point-in-time recovery. Both are
 * protected from `terraform destroy`. Each region of an environment gets its own, so the DR
 * region's stack can plan and apply while the primary region is down.
 */
export class StateBackend extends Construct {
  readonly location: StateLocation;
  readonly bucket: SecureBucket;
  readonly lockTable: DynamodbTable;
  readonly kmsKey: KmsKey;

  constructor(scope: Construct, id: string, props: StateBackendProps) {
    super(scope, id);
    tagComponent(this, "terraform-state");
    const { naming } = props;
    this.location = stateLocation(naming);
    this.kmsKey = new KmsKey(this, "key", {
      naming,
      alias: "tfstate",
      description: `Terraform state of ${naming.prefix} in ${naming.region}`,
    });
    this.kmsKey.grantViaServices("StateRolesThroughS3AndDynamoDb", props.stateRoleArns, ["s3", "dynamodb"]);
    this.bucket = new SecureBucket(this, "bucket", {
      naming,
      component: "tfstate",
      kmsKey: this.kmsKey,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays ?? 90,
      accessLogsBucket: props.accessLogsBucket,
      preventDestroy: true,
    });
    this.lockTable = new DynamodbTable(this, "lock-table", {
      name: this.location.lockTable,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "LockID",
      attribute: [{ name: "LockID", type: "S" }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: this.kmsKey.arn },
      deletionProtectionEnabled: true,
      lifecycle: { preventDestroy: true },
    });
  }
}
export { BootstrapAccessLogs, type BootstrapAccessLogsProps } from "./access-logs";
