import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey as KmsKeyResource } from "@cdktf/provider-aws/lib/kms-key";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { Grant, type IGrantee, mergeStatements } from "../../lib/grants";
import { type PolicyStatement, policyDocument } from "../../lib/iam";
import type { Naming } from "../../lib/naming";

export interface KmsKeyProps {
  readonly naming: Naming;
  /** Alias suffix: the key is `alias/lma-<environment>-<alias>`. */
  readonly alias: string;
  readonly description: string;
  /**
   * Days before a scheduled deletion completes; the longest window gives the most time to notice.
   * @default 30
   */
  readonly deletionWindowInDays?: number;
  /**
   * Automatic rotation period; AWS rotates the key material and keeps old versions for decryption.
   * @default 365
   */
  readonly rotationPeriodInDays?: number;
}

/** The actions a service or role needs to use (not manage) a symmetric key. */
const USE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"];
const DECRYPT_ACTIONS = ["kms:Decrypt", "kms:DescribeKey"];
/** What AWS services need beyond use when they encrypt a resource: grants for their own hosts. */
const GRANT_ACTIONS = ["kms:CreateGrant", "kms:ListGrants"];

/** What an IAM principal may do with the key (`KmsKey.grant`). */
export interface KeyGrantOptions {
  /** The statement's Sid in the grantee's policy; one Sid per key and purpose. */
  readonly sid: string;
  /** Exactly these actions. @default use: `kms:Decrypt`, `kms:DescribeKey`, `kms:GenerateDataKey` */
  readonly actions?: string | readonly string[];
  /** Only through this AWS service (short name, e.g. `s3`), in the key's region. @default any caller */
  readonly viaService?: string;
}

export interface ServiceGrantOptions {
  readonly condition?: PolicyStatement["Condition"];
  /** Only `kms:Decrypt` and `kms:DescribeKey`. */
  readonly decryptOnly?: boolean;
  /** Exactly these actions (e.g. CloudTrail needs `kms:GenerateDataKey*` only). Wins over `decryptOnly`. */
  readonly actions?: readonly string[];
}

/**
 * A customer-managed symmetric key with rotation and an alias. Its key policy starts with the
 * account root (so IAM policies can delegate, and the key can never be orphaned) and grows only
 * through `grantTo*` calls: each names the exact principal and actions, rendered at synthesis.
 * IAM principals of the account are granted on their side (`grant`, through `Grant` of
 * lib/grants.ts). Both policies merge statements by Sid; a Sid reused with other content throws.
 */
export class KmsKey extends Construct {
  readonly key: KmsKeyResource;
  readonly alias: KmsAlias;
  private readonly statements: PolicyStatement[] = [];
  private readonly logGroupPatterns = new Set<string>();
  private readonly naming: Naming;

  constructor(scope: Construct, id: string, props: KmsKeyProps) {
    super(scope, id);
    const { naming } = props;
    this.naming = naming;
    this.addToResourcePolicy(
      {
        Sid: "AccountRootAdministers",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${naming.accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
    );
    this.key = new KmsKeyResource(this, "key", {
      description: props.description,
      enableKeyRotation: true,
      rotationPeriodInDays: props.rotationPeriodInDays ?? 365,
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      policy: Lazy.stringValue({ produce: () => policyDocument(this.statements) }),
    });
    this.alias = new KmsAlias(this, "alias", {
      name: `alias/${naming.name(props.alias)}`,
      targetKeyId: this.key.keyId,
    });
  }

  get arn(): string {
    return this.key.arn;
  }

  /** The alias, e.g. `alias/lma-production-data`: the same in every region, so other stacks can name it. */
  get aliasName(): string {
    return this.alias.nameInput!;
  }

  /** The key's policy statements so far (the policy is rendered from them at synthesis). */
  get policyStatements(): readonly PolicyStatement[] {
    return this.statements;
  }

  /** Adds statements to the key policy; merged by Sid (lib/grants.ts `mergeStatements`). */
  addToResourcePolicy(...statements: PolicyStatement[]): void {
    mergeStatements(this.statements, statements, `key policy of ${this.node.path}`, this);
  }

  /**
   * Lets an IAM principal of the account use the key: a statement on the key's ARN in the
   * grantee's own policy (the key policy delegates to IAM through the account root).
   */
  grant(grantee: IGrantee, options: KeyGrantOptions): Grant {
    return Grant.addToPrincipal(grantee, [
      {
        Sid: options.sid,
        Effect: "Allow",
        Action: options.actions ?? ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
        Resource: this.arn,
        ...(options.viaService
          ? { Condition: { StringEquals: { "kms:ViaService": `${options.viaService}.${this.naming.region}.amazonaws.com` } } }
          : {}),
      },
    ]);
  }

  /** Lets an AWS service use the key, optionally only for requests from this account or a source ARN. */
  grantToService(sid: string, service: string, options: ServiceGrantOptions = {}): void {
    this.addToResourcePolicy({
      Sid: sid,
      Effect: "Allow",
      Principal: { Service: service },
      Action: options.actions ?? (options.decryptOnly ? DECRYPT_ACTIONS : USE_ACTIONS),
      Resource: "*",
      ...(options.condition ? { Condition: options.condition } : {}),
    });
  }

  /**
   * Lets principals of this account use the key only through the named AWS services (short names:
   * `rds`, `s3`, `secretsmanager` …, in the key's region), as AWS-managed keys do: the service
   * encrypts its resources with the key and creates the grants its hosts need. Direct calls to KMS
   * still need an IAM permission (the account-root statement delegates to IAM).
   */
  grantViaServices(sid: string, naming: Naming, services: readonly string[], options: { decryptOnly?: boolean } = {}): void {
    if (services.length === 0) return;
    this.addToResourcePolicy({
      Sid: sid,
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: options.decryptOnly ? DECRYPT_ACTIONS : [...USE_ACTIONS, ...GRANT_ACTIONS],
      Resource: "*",
      Condition: {
        StringEquals: {
          "kms:CallerAccount": naming.accountId,
          "kms:ViaService": services.map((service) => `${service}.${naming.region}.amazonaws.com`),
        },
      },
    });
  }

  /** Lets CloudWatch Logs encrypt the log groups whose names match `logGroupPattern` in this region. */
  grantToCloudWatchLogs(naming: Naming, logGroupPattern: string): void {
    if (this.logGroupPatterns.has(logGroupPattern)) return;
    this.logGroupPatterns.add(logGroupPattern);
    this.grantToService(`CloudWatchLogs${this.logGroupPatterns.size}`, `logs.${naming.region}.amazonaws.com`, {
      condition: {
        ArnLike: { "kms:EncryptionContext:aws:logs:arn": naming.arn("logs", `log-group:${logGroupPattern}`) },
      },
    });
  }
}
