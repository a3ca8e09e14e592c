import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey as KmsKeyResource } from "@cdktf/provider-aws/lib/kms-key";
import { DefaultTokenResolver, Lazy, StringConcat, TerraformStack, Tokenization } from "cdktf";
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
  /**
   * Principals that administer the key (create grants, change the policy, schedule deletion) but
   * cannot use it for cryptography.
   * @default the account root, so IAM policies can delegate administration and the key is never orphaned
   */
  readonly administratorArns?: readonly string[];
}

/**
 * Key administration, as in the KMS default policy's "key administrators" statement: everything
 * but cryptographic use. `kms:Create*` includes CreateGrant, which an administrator needs to hand
 * a service (RDS, EBS …) a grant; grants are audited in CloudTrail like every KMS call.
 */
export const ADMINISTRATION_ACTIONS = [
  "kms:Create*",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
];

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
 * A customer-managed symmetric key with rotation and an alias. Its policy separates
 * administration (the account root, or `administratorArns`: no cryptographic use) from use, and
 * names every principal that uses the key:
 * - AWS services acting as themselves (CloudWatch Logs, CloudTrail …): `grantToService`;
 * - named roles using it only through AWS services (the deploy role creating encrypted resources):
 *   `grantViaServices`;
 * - every IAM role of the stack whose policy uses the key (through `grant` or any statement on the
 *   key's ARN): at synthesis the key policy gets the same actions and conditions for that role.
 *   With administration separated, an IAM statement alone no longer opens the key, so the two
 *   cannot drift: a role's grant is its key-policy entry.
 * Both policies merge statements by Sid; a Sid reused with other content throws.
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
    this.addToResourcePolicy({
      Sid: "KeyAdministration",
      Effect: "Allow",
      Principal: { AWS: [...(props.administratorArns ?? [`arn:aws:iam::${naming.accountId}:root`])] },
      Action: ADMINISTRATION_ACTIONS,
      Resource: "*",
    });
    this.key = new KmsKeyResource(this, "key", {
      description: props.description,
      enableKeyRotation: true,
      rotationPeriodInDays: props.rotationPeriodInDays ?? 365,
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      policy: Lazy.stringValue({ produce: () => policyDocument([...this.statements, ...this.roleUseStatements()]) }),
    });
    this.alias = new KmsAlias(this, "alias", {
      name: `alias/${naming.name(props.alias)}`,
      targetKeyId: this.key.keyId,
    });
  }

  get arn(): string {
    return this.key.arn;
  }

  /**
   * The alias's ARN. Clients that cannot know the generated key id name the key by it (the S3
   * backends' `kms_key_id`); S3 compares that header literally, so a bucket policy that pins the
   * key admits this ARN too.
   */
  get aliasArn(): string {
    return this.alias.arn;
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
   * Lets an IAM role of the account use the key: a statement on the key's ARN in the grantee's
   * own policy, mirrored into the key policy at synthesis (`roleUseStatements`).
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
   * Lets the named principals (e.g. the Terraform deploy role) use the key only through the named
   * AWS services (short names: `rds`, `s3`, `secretsmanager` …, in the key's region): the service
   * encrypts the resources they create with the key and creates the grants its hosts need.
   */
  grantViaServices(sid: string, principalArns: readonly string[], services: readonly string[], options: { decryptOnly?: boolean } = {}): void {
    if (services.length === 0 || principalArns.length === 0) return;
    const { naming } = this;
    this.addToResourcePolicy({
      Sid: sid,
      Effect: "Allow",
      Principal: { AWS: [...principalArns] },
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

  /**
   * The key-policy side of every role of this stack whose inline policy uses the key: per
   * distinct (Sid, actions, conditions), one statement naming those roles. Read at synthesis, when
   * every grant has been made; tokens are compared as the Terraform references they resolve to.
   */
  private roleUseStatements(): PolicyStatement[] {
    const resolve = (value: unknown) =>
      Tokenization.resolve(value, { scope: this, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) }) as unknown;
    const keyArn = resolve(this.key.arn);
    const byContent = new Map<string, { statement: PolicyStatement; roles: string[] }>();
    for (const policy of TerraformStack.of(this).node.findAll()) {
      if (!(policy instanceof IamRolePolicy)) continue;
      const role = /^\$\{aws_iam_role\.([^.}]+)\.(?:id|name)\}$/.exec(String(resolve(policy.roleInput)));
      const document = resolve(policy.policyInput);
      if (!role || typeof document !== "string") continue;
      const roleArn = `\${aws_iam_role.${role[1]}.arn}`;
      for (const statement of (JSON.parse(document) as { Statement: PolicyStatement[] }).Statement) {
        const actions = [statement.Action ?? []].flat();
        const resources = [statement.Resource ?? []].flat();
        if (statement.Effect !== "Allow" || !resources.includes(keyArn as string) || !actions.some((action) => /^kms:/i.test(action))) continue;
        const use: PolicyStatement = { Sid: `Role${statement.Sid ?? ""}`, Effect: "Allow", Action: actions, Resource: "*", ...(statement.Condition ? { Condition: statement.Condition } : {}) };
        const content = JSON.stringify(use);
        const entry = byContent.get(content) ?? { statement: use, roles: [] };
        if (!entry.roles.includes(roleArn)) entry.roles.push(roleArn);
        byContent.set(content, entry);
      }
    }
    const sids = new Set(this.statements.map((statement) => statement.Sid));
    return [...byContent.values()].map(({ statement: { Sid, ...use }, roles }) => {
      let sid = Sid!;
      for (let suffix = 2; sids.has(sid); suffix++) sid = `${Sid}${suffix}`;
      sids.add(sid);
      return { Sid: sid, Principal: { AWS: roles.sort() }, ...use };
    });
  }
}
