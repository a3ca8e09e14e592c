import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";
import { KmsKey } from "../kms-key";

/** The data classes that get a key of their own, so one key's compromise or misuse stays contained. */
export const DATA_CLASSES = ["data", "logs", "secrets", "backups"] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

interface KeySpec {
  readonly description: string;
  /**
   * Services through which the deploy role creates resources encrypted with the key
   * (`kms:ViaService`): the service creates the grants its hosts need with the caller's rights.
   * Services that act under their own principal (CloudWatch Logs, CloudTrail) are granted by the
   * construct that wires them, with conditions naming the exact resource; the roles that read and
   * write the data are named from their own grants (modules/kms-key).
   */
  readonly viaServices: readonly string[];
}

/**
 * What each key protects, and the only AWS services that may use it on behalf of the account's
 * principals. Adding a service here is a reviewed change to who can use customer data keys.
 */
export const KEY_SPECS: Readonly<Record<DataClass, KeySpec>> = {
  data: {
    description: "Data stores and documents (RDS, ElastiCache, OpenSearch, Amazon MQ, S3, ECR images, Lambda environments)",
    viaServices: ["rds", "elasticache", "es", "mq", "s3", "ecr", "lambda"],
  },
  logs: {
    description: "Logs and the audit trail (CloudWatch Logs, CloudTrail, log objects in S3)",
    viaServices: ["s3"],
  },
  secrets: {
    description: "Application secrets in Secrets Manager (and the database's master secret)",
    viaServices: ["secretsmanager", "rds"],
  },
  backups: {
    description: "Backups and snapshot copies (AWS Backup, RDS, S3 backups bucket)",
    viaServices: ["backup", "rds", "s3"],
  },
};

/** The ARN of a data class's key alias in any region of the environment (cross-stack references). */
export function keyAliasArn(naming: Naming, dataClass: DataClass): string {
  return naming.arn("kms", `alias/${naming.name(dataClass)}`);
}

export interface SecurityKeysProps {
  readonly naming: Naming;
  /** The role Terraform applies as: it creates the encrypted resources, through `KEY_SPECS[class].viaServices` only. */
  readonly deployRoleArn: string;
}

/** One customer-managed key per data class, in this stack's region. */
export class SecurityKeys extends Construct {
  readonly data: KmsKey;
  readonly logs: KmsKey;
  readonly secrets: KmsKey;
  readonly backups: KmsKey;

  constructor(scope: Construct, id: string, props: SecurityKeysProps) {
    super(scope, id);
    const { naming } = props;
    const create = (dataClass: DataClass): KmsKey => {
      const spec = KEY_SPECS[dataClass];
      const key = new KmsKey(this, dataClass, {
        naming,
        alias: dataClass,
        description: `${spec.description} of ${naming.prefix} in ${naming.region}`,
      });
      key.grantViaServices("DeployRoleCreatesEncryptedResources", [props.deployRoleArn], spec.viaServices);
      return key;
    };
    this.data = create("data");
    this.logs = create("logs");
    this.secrets = create("secrets");
    this.backups = create("backups");
  }

  /** The key of a data class. */
  of(dataClass: DataClass): KmsKey {
    return this[dataClass];
  }

  get all(): readonly KmsKey[] {
    return DATA_CLASSES.map((dataClass) => this[dataClass]);
  }
}
