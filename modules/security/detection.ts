import { AccessanalyzerAnalyzer } from "@cdktf/provider-aws/lib/accessanalyzer-analyzer";
import { ConfigConfigRule } from "@cdktf/provider-aws/lib/config-config-rule";
import { ConfigConfigurationRecorder } from "@cdktf/provider-aws/lib/config-configuration-recorder";
import { ConfigConfigurationRecorderStatus } from "@cdktf/provider-aws/lib/config-configuration-recorder-status";
import { ConfigDeliveryChannel } from "@cdktf/provider-aws/lib/config-delivery-channel";
import { EbsEncryptionByDefault } from "@cdktf/provider-aws/lib/ebs-encryption-by-default";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { GuarddutyDetectorFeature } from "@cdktf/provider-aws/lib/guardduty-detector-feature";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SecurityhubAccount } from "@cdktf/provider-aws/lib/securityhub-account";
import { SecurityhubFindingAggregator } from "@cdktf/provider-aws/lib/securityhub-finding-aggregator";
import { SecurityhubStandardsSubscription } from "@cdktf/provider-aws/lib/securityhub-standards-subscription";
import { Construct } from "constructs";
import { serviceTrustPolicy } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import { Role } from "../iam-role";
import type { KmsKey } from "../kms-key";
import { LOG_PREFIXES, type SecureBucket } from "../s3";
import { configRuleName, MANAGED_CONFIG_RULES, type ManagedConfigRule } from "./config-rules";

/** Security Hub standards by short key; ARNs are `arn:aws:securityhub:<region>::<path>`. */
export const SECURITY_HUB_STANDARDS = {
  "cis-1.4.0": "standards/cis-aws-foundations-benchmark/v/1.4.0",
  "cis-3.0.0": "standards/cis-aws-foundations-benchmark/v/3.0.0",
  "pci-dss-3.2.1": "standards/pci-dss/v/3.2.1",
  "aws-foundational-1.0.0": "standards/aws-foundational-security-best-practices/v/1.0.0",
} as const;
export type SecurityHubStandard = keyof typeof SECURITY_HUB_STANDARDS;

export interface GuardDutyFeature {
  readonly name: string;
  readonly status: "ENABLED" | "DISABLED";
  readonly additionalConfiguration?: readonly { readonly name: string; readonly status: "ENABLED" | "DISABLED" }[];
}

/**
 * GuardDuty protection plans. The platform runs no EKS and no EC2 fleet: those stay off (said
 * explicitly, so a console click is drift Terraform reverts). Runtime Monitoring manages the
 * agent on Fargate tasks, which the execution role is allowed to pull (iam.ts).
 */
export const GUARDDUTY_FEATURES: readonly GuardDutyFeature[] = [
  { name: "S3_DATA_EVENTS", status: "ENABLED" },
  { name: "EKS_AUDIT_LOGS", status: "DISABLED" },
  { name: "EBS_MALWARE_PROTECTION", status: "ENABLED" },
  { name: "RDS_LOGIN_EVENTS", status: "ENABLED" },
  { name: "LAMBDA_NETWORK_LOGS", status: "ENABLED" },
  {
    name: "RUNTIME_MONITORING",
    status: "ENABLED",
    additionalConfiguration: [
      { name: "ECS_FARGATE_AGENT_MANAGEMENT", status: "ENABLED" },
      { name: "EKS_ADDON_MANAGEMENT", status: "DISABLED" },
      { name: "EC2_AGENT_MANAGEMENT", status: "DISABLED" },
    ],
  },
];

export interface RegionalDetectionProps {
  readonly naming: Naming;
  /**
   * The environment's primary region: records global resources (IAM) and runs the rules on them,
   * and aggregates Security Hub findings of `aggregatedRegions`.
   */
  readonly primaryRegion: boolean;
  /** Regions whose Security Hub findings the primary region aggregates. @default none */
  readonly aggregatedRegions?: readonly string[];
  /**
   * Security Hub standards to subscribe to.
   * @default all of SECURITY_HUB_STANDARDS (CIS and PCI DSS, the frameworks modules/security/README.md maps to; FSBP covers what they do not)
   */
  readonly standards?: readonly SecurityHubStandard[];
  /** @default MANAGED_CONFIG_RULES */
  readonly configRules?: readonly ManagedConfigRule[];
  /** @default none */
  readonly permissionsBoundaryArn?: string;
}

/**
 * Detection in one region of the account: GuardDuty, Security Hub with its standards, AWS Config
 * (recorder, managed rules; the delivery channel comes with `deliverTo`), IAM Access Analyzer and
 * EBS encryption by default. All of these are regional services, so every regional stack has them.
 */
export class RegionalDetection extends Construct {
  readonly guardDuty: GuarddutyDetector;
  readonly securityHub: SecurityhubAccount;
  readonly recorder: ConfigConfigurationRecorder;
  readonly recorderRole: Role;
  readonly configRules: readonly ConfigConfigRule[];
  private readonly naming: Naming;
  private deliveryChannel?: ConfigDeliveryChannel;

  constructor(scope: Construct, id: string, props: RegionalDetectionProps) {
    super(scope, id);
    const { naming } = props;
    this.naming = naming;

    this.guardDuty = new GuarddutyDetector(this, "guardduty", { enable: true, findingPublishingFrequency: "FIFTEEN_MINUTES" });
    for (const feature of GUARDDUTY_FEATURES) {
      new GuarddutyDetectorFeature(this, `guardduty-${feature.name.toLowerCase().replace(/_/g, "-")}`, {
        detectorId: this.guardDuty.id,
        name: feature.name,
        status: feature.status,
        additionalConfiguration: feature.additionalConfiguration?.map((extra) => ({ ...extra })),
      });
    }

    this.securityHub = new SecurityhubAccount(this, "security-hub", {
      enableDefaultStandards: false,
      controlFindingGenerator: "SECURITY_CONTROL",
      autoEnableControls: true,
    });
    for (const standard of props.standards ?? (Object.keys(SECURITY_HUB_STANDARDS) as SecurityHubStandard[])) {
      new SecurityhubStandardsSubscription(this, `standard-${standard}`, {
        standardsArn: `arn:aws:securityhub:${naming.region}::${SECURITY_HUB_STANDARDS[standard]}`,
        dependsOn: [this.securityHub],
      });
    }
    if (props.primaryRegion && (props.aggregatedRegions ?? []).length > 0) {
      new SecurityhubFindingAggregator(this, "security-hub-aggregator", {
        linkingMode: "SPECIFIED_REGIONS",
        specifiedRegions: [...props.aggregatedRegions!],
        dependsOn: [this.securityHub],
      });
    }

    this.recorderRole = new Role(this, "config-recorder-role", {
      name: naming.globalName("config-recorder"),
      description: "AWS Config: reads resource configurations, delivers them to the logs bucket",
      assumeRolePolicy: serviceTrustPolicy("config.amazonaws.com", naming.accountId),
      policyName: "config-delivery",
      permissionsBoundaryArn: props.permissionsBoundaryArn,
    });
    new IamRolePolicyAttachment(this, "config-recorder-read", {
      role: this.recorderRole.roleName,
      policyArn: "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole",
    });
    this.recorder = new ConfigConfigurationRecorder(this, "config-recorder", {
      name: naming.name("config-recorder"),
      roleArn: this.recorderRole.roleArn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: props.primaryRegion },
      recordingMode: { recordingFrequency: "CONTINUOUS" },
    });
    this.configRules = (props.configRules ?? MANAGED_CONFIG_RULES)
      .filter((rule) => props.primaryRegion || !rule.primaryRegionOnly)
      .map(
        (rule) =>
          new ConfigConfigRule(this, `rule-${configRuleName(rule.identifier)}`, {
            name: naming.name(configRuleName(rule.identifier)),
            description: ruleDescription(rule),
            source: { owner: "AWS", sourceIdentifier: rule.identifier },
            inputParameters: rule.parameters ? JSON.stringify(rule.parameters) : undefined,
            dependsOn: [this.recorder],
          }),
      );

    new AccessanalyzerAnalyzer(this, "access-analyzer", { analyzerName: naming.name("account-access"), type: "ACCOUNT" });
    new EbsEncryptionByDefault(this, "ebs-encryption-by-default", { enabled: true });

    this.node.addValidation({
      validate: () => (this.deliveryChannel ? [] : ["AWS Config has no delivery channel: call deliverTo(logsBucket, key)"]),
    });
  }

  /**
   * Starts the recorder, delivering snapshots and history to `bucket` under `config/`, encrypted
   * with `key`. The recorder's role may write only there and use only that key.
   */
  deliverTo(bucket: SecureBucket, key: KmsKey): ConfigDeliveryChannel {
    if (this.deliveryChannel) throw new Error("AWS Config already delivers to a bucket");
    const { naming } = this;
    const objects = `${bucket.arn}/${LOG_PREFIXES.config}/AWSLogs/${naming.accountId}/Config/*`;
    this.recorderRole.addToPrincipalPolicy([
      { Sid: "CheckLogsBucketAcl", Effect: "Allow", Action: ["s3:GetBucketAcl", "s3:ListBucket"], Resource: bucket.arn },
      {
        Sid: "DeliverConfigurationItems",
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: objects,
        Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control" } },
      },
      {
        Sid: "EncryptConfigurationItems",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: key.arn,
        Condition: { StringEquals: { "kms:ViaService": `s3.${naming.region}.amazonaws.com` } },
      },
    ]);
    this.deliveryChannel = new ConfigDeliveryChannel(this, "config-delivery", {
      name: naming.name("config-delivery"),
      s3BucketName: bucket.name,
      s3KeyPrefix: LOG_PREFIXES.config,
      s3KmsKeyArn: key.arn,
      snapshotDeliveryProperties: { deliveryFrequency: "TwentyFour_Hours" },
      dependsOn: [this.recorder],
    });
    new ConfigConfigurationRecorderStatus(this, "config-recorder-status", {
      name: this.recorder.name,
      isEnabled: true,
      dependsOn: [this.deliveryChannel],
    });
    return this.deliveryChannel;
  }
}

function ruleDescription(rule: ManagedConfigRule): string {
  const mapped = [
    rule.cis && `CIS AWS Foundations v1.4.0 ${rule.cis}`,
    rule.pci && `PCI DSS v3.2.1 ${rule.pci}`,
    rule.securityHub && `Security Hub ${rule.securityHub}`,
  ].filter(Boolean);
  return `AWS managed rule ${rule.identifier}${mapped.length ? `: ${mapped.join("; ")}` : ""}`;
}
