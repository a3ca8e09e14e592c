import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ShieldProtection } from "@cdktf/provider-aws/lib/shield-protection";
import { Construct } from "constructs";
import { Grant, type IGrantee } from "../../lib/grants";
import type { Naming } from "../../lib/naming";
import { useProvider } from "../../lib/providers";
import { tagComponent } from "../../lib/tags";
import { KmsKey } from "../kms-key";
import type { SecureBucket } from "../s3";
import { AccountControls, type PasswordPolicy } from "./account-controls";
import { AuditTrail } from "./audit-trail";
import { LambdaCodeSigning } from "./code-signing";
import { type DetectionOwnership, RegionalDetection, type SecurityHubStandard } from "./detection";
import type { Role } from "../iam-role";
import { guardDutyAgentRepositoryArn, type WorkloadIdentity, WorkloadRoles } from "./iam";
import { type DataClass, SecurityKeys } from "./keys";
import { type ApplicationSecretReference, ApplicationSecrets, applicationSecretReferences, type SecretRotation } from "./secrets";
import { WebAcl } from "./waf";

export { AccountControls, DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from "./account-controls";
export { AuditTrail, type AuditTrailProps } from "./audit-trail";
export { LAMBDA_SIGNING_PLATFORM, LambdaCodeSigning, type LambdaCodeSigningProps, PLATFORM_FUNCTIONS_ADDRESSES } from "./code-signing";
export { configRuleName, MANAGED_CONFIG_RULES, MAPPED_VERSIONS, type ManagedConfigRule } from "./config-rules";
export { type AccountServiceMode, declareOwned } from "./ownership";
export {
  CREATE_ALL,
  type DetectionOwnership,
  GUARDDUTY_FEATURES,
  RegionalDetection,
  SECURITY_HUB_STANDARDS,
  type SecurityHubStandard,
} from "./detection";
export { GUARDDUTY_AGENT_ACCOUNTS, guardDutyAgentRepositoryArn, type WorkloadIdentity, WorkloadRoles, type WorkloadRolesProps } from "./iam";
export { DATA_CLASSES, type DataClass, KEY_SPECS, keyAliasArn, SecurityKeys, type SecurityKeysProps } from "./keys";
export { type ApplicationSecretReference, ApplicationSecrets, type SecretRotation, secretName } from "./secrets";
export { internetEgressGroupNames, PORTS, SecurityGroupChain, type SecurityGroupChainProps } from "./security-groups";
export { DEFAULT_MANAGED_RULE_GROUPS, type ManagedRuleGroup, REDACTED_HEADERS, WebAcl } from "./waf";

const CLOUDFRONT_REGION = "us-east-1";

export interface SecurityBaselineProps {
  readonly naming: Naming;
  /**
   * The environment's primary region: it holds what is account-global (password policy, the
   * CloudTrail, Config's global resources, the CloudFront web ACL) and aggregates findings.
   */
  readonly primaryRegion: boolean;
  /** Other regions of the environment, whose Security Hub findings the primary region aggregates. @default none */
  readonly aggregatedRegions?: readonly string[];
  /** The ECS services: a task role and an execution role each; a service's execution role reads the secrets it lists. */
  readonly services: readonly WorkloadIdentity[];
  /** The role Terraform applies as; the keys let it create encrypted resources through their services. */
  readonly deployRoleArn: string;
  /** Which of GuardDuty, Security Hub and Config this stack creates, adopts or leaves to others. @default CREATE_ALL */
  readonly detectionOwnership?: DetectionOwnership;
  /** Days CloudWatch Logs keep the WAF and trail logs. */
  readonly logRetentionDays: number;
  /** WAF rate limit per client IP over 5 minutes. */
  readonly wafRateLimitPer5Min: number;
  /**
   * Shield Advanced protections through `protectWithShield`. They need the account's subscription:
   * the bootstrap stack's when `accountServices.shieldAdvanced` is `create` or `adopt`, the
   * organisation's when `external`. @default false
   */
  readonly shieldAdvanced?: boolean;
  /**
   * Days a deleted secret can still be restored.
   * @default 30 (the longest window: a deleted third-party credential is slow to reissue)
   */
  readonly secretRecoveryWindowInDays?: number;
  /**
   * The us-east-1 provider, for the CloudFront-scope web ACL when the primary region is elsewhere
   * (`stack.providerFor("us-east-1")`).
   * @default the stack's provider (right when the stack's region is us-east-1)
   */
  readonly cloudfrontProvider?: AwsProvider;
  /**
   * Permissions boundary set on every role the baseline creates (task, execution, Config, CloudTrail).
   * @default none (the roles' own policies are already exact)
   */
  readonly permissionsBoundaryArn?: string;
  /** Rotation functions by secret short name. @default none */
  readonly secretRotation?: Readonly<Record<string, SecretRotation>>;
  /**
   * Where the application secrets come from. `declared`: this stack declares them, with a
   * Secrets Manager replica in each of `replicaRegions` (the home primary's stack, towards its
   * standby). `replicated`: they are the replicas of another region's stack, so this stack
   * declares none and its tasks and roles name the replicas (the warm standby).
   * @default { source: "declared" }
   */
  readonly applicationSecrets?: { readonly source: "declared"; readonly replicaRegions?: readonly string[] } | { readonly source: "replicated" };
  /**
   * Create the services' task and execution roles. Off while the stack runs no service yet (the
   * standby's foundation phase, lib/disaster-recovery.ts): the roles would have nothing to allow.
   * @default true
   */
  readonly workloadRoles?: boolean;
  /**
   * Code signing of the stack's Lambda functions (the environment's `security.lambdaCodeSigning`):
   * a Signer profile and the code-signing configuration every function names (`codeSigningConfigArn`).
   * @default none (a stack without functions)
   */
  readonly lambdaCodeSigning?: "enforce" | "warn";
  /** @default DEFAULT_PASSWORD_POLICY */
  readonly passwordPolicy?: PasswordPolicy;
  /** @default every standard in SECURITY_HUB_STANDARDS */
  readonly securityHubStandards?: readonly SecurityHubStandard[];
}

/**
 * The security baseline of one regional stack: KMS keys per data class, the application secrets,
 * the ECS roles, detection (GuardDuty, Security Hub, Config, Access Analyzer), the web ACLs and
 * Shield Advanced protections; in the environment's primary region also the account-wide controls
 * (password policy, MFA enforcement, S3 account public access block) and, through
 * `enableAuditTrail`, the multi-region CloudTrail. Construct it first: everything else uses its keys.
 */
export class SecurityBaseline extends Construct {
  readonly keys: SecurityKeys;
  /** Application secrets by short name (every name in a service's `secrets`), as this region's tasks and roles name them. */
  readonly secrets: Readonly<Record<string, ApplicationSecretReference>>;
  /** The application secrets this stack declares; none where they are replicas (`applicationSecrets`). */
  readonly declaredSecrets?: ApplicationSecrets;
  private readonly workloadRoles?: WorkloadRoles;
  readonly detection: RegionalDetection;
  /** Web ACL for the region's load balancers. */
  readonly regionalWebAcl: WebAcl;
  /** Web ACL for CloudFront, in us-east-1; only in the environment's primary region stack. */
  readonly cloudfrontWebAcl?: WebAcl;
  /** The Lambda functions' signing profile and code-signing configuration (`lambdaCodeSigning`). */
  readonly codeSigning?: LambdaCodeSigning;
  /** Account-wide controls; only in the environment's primary region stack. */
  readonly accountControls?: AccountControls;
  /** Set by `enableAuditTrail` in the primary region stack. */
  auditTrail?: AuditTrail;
  private readonly props: SecurityBaselineProps;
  private auditTrailEnabled = false;

  constructor(scope: Construct, id: string, props: SecurityBaselineProps) {
    super(scope, id);
    tagComponent(this, "security");
    this.props = props;
    const { naming } = props;
    const primary = props.primaryRegion;

    this.keys = new SecurityKeys(this, "keys", { naming, deployRoleArn: props.deployRoleArn });
    const secretsSource = props.applicationSecrets ?? { source: "declared" };
    if (secretsSource.source === "declared") {
      this.declaredSecrets = new ApplicationSecrets(this, "secrets", {
        naming,
        services: props.services,
        kmsKey: this.keys.secrets,
        recoveryWindowInDays: props.secretRecoveryWindowInDays,
        rotation: props.secretRotation,
        replicaRegions: secretsSource.replicaRegions,
      });
    } else if (props.secretRotation && Object.keys(props.secretRotation).length > 0) {
      // A replica takes its value from its primary secret: rotation belongs to the declaring stack.
      throw new Error(`secretRotation given for replicated application secrets (${Object.keys(props.secretRotation).join(", ")}): rotate them where they are declared`);
    }
    this.secrets = applicationSecretReferences(naming, props.services, this.declaredSecrets?.byName);
    if (props.workloadRoles ?? true) {
      this.workloadRoles = new WorkloadRoles(this, "roles", {
        naming,
        services: props.services,
        secrets: this.secrets,
        secretsKey: this.keys.secrets,
        permissionsBoundaryArn: props.permissionsBoundaryArn,
      });
    }
    this.detection = new RegionalDetection(this, "detection", {
      naming,
      primaryRegion: primary,
      aggregatedRegions: primary ? props.aggregatedRegions : [],
      standards: props.securityHubStandards,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
      ownership: props.detectionOwnership,
    });
    if (primary) this.accountControls = new AccountControls(this, "account", { naming, passwordPolicy: props.passwordPolicy });
    if (props.lambdaCodeSigning) {
      // The primary's stack had them under modules/serverless, where functions ran before every region did.
      this.codeSigning = new LambdaCodeSigning(this, "code-signing", { naming, mode: props.lambdaCodeSigning, movedFromPlatformFunctions: primary });
    }

    const waf = { rateLimitPer5Min: props.wafRateLimitPer5Min, logRetentionDays: props.logRetentionDays };
    this.regionalWebAcl = new WebAcl(this, "waf-regional", { naming, scope: "REGIONAL", logsKey: this.keys.logs, ...waf });
    if (primary) this.cloudfrontWebAcl = this.createCloudfrontWebAcl(waf);
  }

  /** ARN of the REGIONAL web ACL, to associate with the region's ALBs. */
  get regionalWebAclArn(): string {
    return this.regionalWebAcl.arn;
  }

  /** ARN of the CLOUDFRONT web ACL (`web_acl_id` of distributions); only in the primary region stack. */
  get cloudfrontWebAclArn(): string {
    if (!this.cloudfrontWebAcl) throw new Error(`${this.props.naming.region} is not the primary region: it has no CloudFront web ACL`);
    return this.cloudfrontWebAcl.arn;
  }

  /** ARN of the code-signing configuration every Lambda function of the stack names. */
  get codeSigningConfigArn(): string {
    if (!this.codeSigning) throw new Error(`${this.props.naming.prefix} in ${this.props.naming.region}: no lambdaCodeSigning given to the security baseline, so functions have no code-signing configuration`);
    return this.codeSigning.arn;
  }

  /** The ECS roles; throws where the baseline was told to create none (`workloadRoles`). */
  get roles(): WorkloadRoles {
    if (!this.workloadRoles) throw new Error(`${this.props.naming.prefix} in ${this.props.naming.region}: the security baseline was built without workload roles (workloadRoles: false)`);
    return this.workloadRoles;
  }

  /** The task-execution role of a service: reads only that service's secrets. */
  executionRole(serviceName: string): Role {
    return this.roles.executionRole(serviceName);
  }

  /** The task role of a service. */
  taskRole(serviceName: string): Role {
    return this.roles.taskRole(serviceName);
  }

  /** Where GuardDuty's Fargate agent (Runtime Monitoring, detection.ts) is pulled from in this region. */
  get guardDutyAgentRepositoryArn(): string {
    return guardDutyAgentRepositoryArn(this.props.naming.region);
  }

  /** The key of a data class. */
  key(dataClass: DataClass): KmsKey {
    return this.keys.of(dataClass);
  }

  /** Lets `grantee` read one application secret (and decrypt it through Secrets Manager only). */
  grantSecretRead(grantee: IGrantee, secretName: string): Grant {
    const secret = this.secrets[secretName];
    if (!secret) throw new Error(`no application secret "${secretName}" (known: ${Object.keys(this.secrets).join(", ")})`);
    const sid = secretName.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
    return Grant.combine(grantee, [
      Grant.addToPrincipal(grantee, [
        { Sid: `ReadSecret${sid}`, Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: secret.iamResource },
      ]),
      this.keys.secrets.grant(grantee, { sid: "DecryptSecretsThroughSecretsManager", actions: "kms:Decrypt", viaService: "secretsmanager" }),
    ]);
  }

  /**
   * Lets `grantee` use a data-class key through one AWS service only (e.g. `sqs`, `s3`): an IAM
   * statement on the key's ARN; the key policy delegates to IAM through the account root.
   */
  grantKeyUse(grantee: IGrantee, dataClass: DataClass, viaService: string, options: { decryptOnly?: boolean } = {}): Grant {
    return this.keys.of(dataClass).grant(grantee, {
      sid: `UseKey${dataClass[0]!.toUpperCase()}${dataClass.slice(1)}Via${viaService.replace(/[^A-Za-z0-9]/g, "")}`,
      actions: options.decryptOnly ? ["kms:Decrypt", "kms:DescribeKey"] : undefined,
      viaService,
    });
  }

  /**
   * Shield Advanced protection of a resource (ALB, CloudFront distribution, Route 53 hosted zone,
   * Elastic IP) when the environment subscribes (`shieldAdvanced`); otherwise
   * nothing. `name` is a short label, e.g. `alb` or `cdn`.
   */
  protectWithShield(name: string, resourceArn: string): ShieldProtection | undefined {
    if (!this.props.shieldAdvanced) return undefined;
    return new ShieldProtection(this, `shield-${name}`, { name: this.props.naming.name(`shield-${name}`), resourceArn });
  }

  /**
   * Wires the audit sinks to the logs bucket: AWS Config's delivery channel (every region) and, in
   * the primary region, the multi-region CloudTrail (to the bucket and a CloudWatch log group).
   * Both encrypt with the bucket's key, or the logs key when the bucket uses SSE-S3.
   */
  enableAuditTrail(bucket: SecureBucket): void {
    if (this.auditTrailEnabled) throw new Error("the audit trail is already enabled");
    this.auditTrailEnabled = true;
    const { naming } = this.props;
    const key = bucket.kmsKey ?? this.keys.logs;
    this.detection.deliverTo(bucket, key);
    if (this.props.primaryRegion) {
      this.auditTrail = new AuditTrail(this, "audit-trail", {
        naming,
        bucket,
        kmsKey: key,
        logRetentionDays: this.props.logRetentionDays,
        permissionsBoundaryArn: this.props.permissionsBoundaryArn,
      });
    }
  }

  private createCloudfrontWebAcl(waf: { rateLimitPer5Min: number; logRetentionDays: number }): WebAcl {
    const { naming } = this.props;
    if (naming.region === CLOUDFRONT_REGION) {
      return new WebAcl(this, "waf-cloudfront", { naming, scope: "CLOUDFRONT", logsKey: this.keys.logs, ...waf });
    }
    if (!this.props.cloudfrontProvider) {
      throw new Error(`the primary region ${naming.region} is not ${CLOUDFRONT_REGION}: pass cloudfrontProvider`);
    }
    // CloudFront-scope ACLs, and the log group and key they log to, live in us-east-1.
    const edge = new Construct(this, "edge");
    useProvider(edge, this.props.cloudfrontProvider);
    const edgeNaming = naming.inRegion(CLOUDFRONT_REGION);
    const edgeLogsKey = new KmsKey(edge, "logs-key", {
      naming: edgeNaming,
      alias: "edge-logs",
      description: `CloudFront WAF logs of ${naming.prefix} in ${CLOUDFRONT_REGION}`,
    });
    return new WebAcl(edge, "waf-cloudfront", { naming: edgeNaming, scope: "CLOUDFRONT", logsKey: edgeLogsKey, ...waf });
  }
}
