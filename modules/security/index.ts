import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { ShieldProtection } from "@cdktf/provider-aws/lib/shield-protection";
import { Construct } from "constructs";
import type { EnvironmentConfig, RegionConfig } from "../../environments/types";
import type { Naming } from "../../lib/naming";
import { useProvider } from "../../lib/providers";
import { tagComponent } from "../../lib/tags";
import { KmsKey } from "../kms-key";
import type { SecureBucket } from "../s3";
import { AccountControls, type PasswordPolicy } from "./account-controls";
import { AuditTrail } from "./audit-trail";
import { RegionalDetection, type SecurityHubStandard } from "./detection";
import { type ServiceRole, WorkloadRoles } from "./iam";
import { type DataClass, SecurityKeys } from "./keys";
import { ApplicationSecrets, type SecretRotation } from "./secrets";
import { WebAcl } from "./waf";

export { AccountControls, DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from "./account-controls";
export { AuditTrail, type AuditTrailProps } from "./audit-trail";
export { configRuleName, MANAGED_CONFIG_RULES, type ManagedConfigRule } from "./config-rules";
export { GUARDDUTY_FEATURES, RegionalDetection, SECURITY_HUB_STANDARDS, type SecurityHubStandard } from "./detection";
export { ecrRepositoryArn, GUARDDUTY_AGENT_ACCOUNTS, ServiceRole, serviceLogGroupName, WorkloadRoles } from "./iam";
export { DATA_CLASSES, type DataClass, KEY_SPECS, keyAliasArn, SecurityKeys } from "./keys";
export { ApplicationSecrets, type SecretRotation, secretName } from "./secrets";
export { internetEgressGroupNames, PORTS, SecurityGroupChain, type SecurityGroupChainProps } from "./security-groups";
export { DEFAULT_MANAGED_RULE_GROUPS, type ManagedRuleGroup, REDACTED_HEADERS, WebAcl } from "./waf";

const CLOUDFRONT_REGION = "us-east-1";

export interface SecurityBaselineProps {
  readonly naming: Naming;
  readonly environment: EnvironmentConfig;
  /** The stack's region: its role decides what is account-global (primary) and what is regional. */
  readonly region: RegionConfig;
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
  /** Application secrets by short name (catalogue `ServiceConfig.secrets`). */
  readonly secrets: Readonly<Record<string, SecretsmanagerSecret>>;
  readonly roles: WorkloadRoles;
  readonly detection: RegionalDetection;
  /** Web ACL for the region's load balancers. */
  readonly regionalWebAcl: WebAcl;
  /** Web ACL for CloudFront, in us-east-1; only in the environment's primary region stack. */
  readonly cloudfrontWebAcl?: WebAcl;
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
    const { naming, environment, region } = props;
    const primary = region.role === "primary";

    this.keys = new SecurityKeys(this, "keys", { naming });
    this.secrets = new ApplicationSecrets(this, "secrets", {
      naming,
      services: environment.services,
      kmsKey: this.keys.secrets,
      recoveryWindowInDays: environment.deletionProtection ? 30 : 7,
      rotation: props.secretRotation,
    }).byName;
    this.roles = new WorkloadRoles(this, "roles", {
      naming,
      services: environment.services,
      secrets: this.secrets,
      secretsKey: this.keys.secrets,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
    });
    this.detection = new RegionalDetection(this, "detection", {
      naming,
      primaryRegion: primary,
      aggregatedRegions: primary ? environment.regions.filter((other) => other.role !== "primary").map((other) => other.region) : [],
      standards: props.securityHubStandards,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
    });
    if (primary) this.accountControls = new AccountControls(this, "account", { naming, passwordPolicy: props.passwordPolicy });

    const waf = { rateLimitPer5Min: environment.security.wafRateLimitPer5Min, logRetentionDays: environment.logRetentionDays };
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

  /** The shared ECS task-execution role. */
  get executionRole(): ServiceRole {
    return this.roles.executionRole;
  }

  /** The task role of a service. */
  taskRole(serviceName: string): ServiceRole {
    return this.roles.taskRole(serviceName);
  }

  /** The key of a data class. */
  key(dataClass: DataClass): KmsKey {
    return this.keys.of(dataClass);
  }

  /** Lets `role` read one application secret (and decrypt it through Secrets Manager only). */
  grantSecretRead(role: ServiceRole | string, secretName: string): void {
    const secret = this.secrets[secretName];
    if (!secret) throw new Error(`no application secret "${secretName}" (known: ${Object.keys(this.secrets).join(", ")})`);
    const target = typeof role === "string" ? this.taskRole(role) : role;
    const sid = secretName.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
    target.addToPolicy(
      { Sid: `ReadSecret${sid}`, Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: secret.arn },
      {
        Sid: "DecryptSecretsThroughSecretsManager",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: this.keys.secrets.arn,
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${this.props.naming.region}.amazonaws.com` } },
      },
    );
  }

  /**
   * Lets `role` use a data-class key through one AWS service only (e.g. `sqs`, `s3`): an IAM
   * statement on the key's ARN; the key policy delegates to IAM through the account root.
   */
  grantKeyUse(role: ServiceRole | string, dataClass: DataClass, viaService: string, options: { decryptOnly?: boolean } = {}): void {
    const target = typeof role === "string" ? this.taskRole(role) : role;
    const key = this.keys.of(dataClass);
    target.addToPolicy({
      Sid: `UseKey${dataClass[0]!.toUpperCase()}${dataClass.slice(1)}Via${viaService.replace(/[^A-Za-z0-9]/g, "")}`,
      Effect: "Allow",
      Action: options.decryptOnly ? ["kms:Decrypt", "kms:DescribeKey"] : ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
      Resource: key.arn,
      Condition: { StringEquals: { "kms:ViaService": `${viaService}.${this.props.naming.region}.amazonaws.com` } },
    });
  }

  /**
   * Shield Advanced protection of a resource (ALB, CloudFront distribution, Route 53 hosted zone,
   * Elastic IP) when the environment subscribes (`environment.security.shieldAdvanced`); otherwise
   * nothing. `name` is a short label, e.g. `alb` or `cdn`.
   */
  protectWithShield(name: string, resourceArn: string): ShieldProtection | undefined {
    if (!this.props.environment.security.shieldAdvanced) return undefined;
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
    const { naming, environment, region } = this.props;
    const key = bucket.kmsKey ?? this.keys.logs;
    this.detection.deliverTo(bucket, key);
    if (region.role === "primary") {
      this.auditTrail = new AuditTrail(this, "audit-trail", {
        naming,
        bucket,
        kmsKey: key,
        logRetentionDays: environment.logRetentionDays,
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
