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
import { configRuleName, MANAGED_CONFIG_RULES, MAPPED_VERSIONS, type ManagedConfigRule } from "./config-rules";
import { type AccountServiceMode, declareOwned } from "./ownership";

/**
 * Security Hub standards by short key; ARNs are `arn:aws:securityhub:<region>::<path>` (the
 * format of every standard since CIS v1.4.0; Security Hub user guide, "Standards reference").
 * PCI DSS v4.0.1 replaces the retired v3.2.1, CIS v3.0.0 the older benchmark versions.
 */
export const SECURITY_HUB_STANDARDS = {
  "cis-3.0.0": "standards/cis-aws-foundations-benchmark/v/3.0.0",
  "pci-dss-4.0.1": "standards/pci-dss/v/4.0.1",
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

/** The ownership of the regional detection services, and the ids `adopt` imports by. */
export interface DetectionOwnership {
  readonly guardDuty: AccountServiceMode;
  readonly securityHub: AccountServiceMode;
  readonly config: AccountServiceMode;
  /** The region's existing detector; `adopt` imports it by this id (GuardDuty generates it). */
  readonly guardDutyDetectorId?: string;
  /** The existing recorder's name (one per region); `adopt` imports it. @default "default" */
  readonly configRecorderName?: string;
  /** The existing delivery channel's name; `adopt` imports it. @default "default" */
  readonly configDeliveryChannelName?: string;
}

/** Every service created by this project: the default when no environment says otherwise. */
export const CREATE_ALL: DetectionOwnership = { guardDuty: "create", securityHub: "create", config: "create" };

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
  /** Which of GuardDuty, Security Hub and Config this project creates, adopts or leaves alone. @default CREATE_ALL */
  readonly ownership?: DetectionOwnership;
}

/**
 * Detection in one region of the account: GuardDuty, Security Hub with its standards, AWS Config
 * (recorder, managed rules; the delivery channel comes with `deliverTo`), IAM Access Analyzer and
 * EBS encryption by default. All of these are regional services, so every regional stack has them.
 */
export class RegionalDetection extends Construct {
  /** Absent when GuardDuty is `external`. */
  readonly guardDuty?: GuarddutyDetector;
  /** Absent when Security Hub is `external`. */
  readonly securityHub?: SecurityhubAccount;
  /** Absent when Config is `external`. */
  readonly recorder?: ConfigConfigurationRecorder;
  readonly recorderRole?: Role;
  readonly configRules: readonly ConfigConfigRule[];
  readonly ownership: DetectionOwnership;
  private readonly naming: Naming;
  private readonly recorderName: string;
  private deliveryChannel?: ConfigDeliveryChannel;

  constructor(scope: Construct, id: string, props: RegionalDetectionProps) {
    super(scope, id);
    const { naming } = props;
    this.naming = naming;
    const ownership = props.ownership ?? CREATE_ALL;
    this.ownership = ownership;

    this.guardDuty = declareOwned(ownership.guardDuty, ownership.guardDutyDetectorId, `GuardDuty in ${naming.region}`, () =>
      new GuarddutyDetector(this, "guardduty", { enable: true, findingPublishingFrequency: "FIFTEEN_MINUTES" }),
    );
    for (const feature of this.guardDuty ? GUARDDUTY_FEATURES : []) {
      new GuarddutyDetectorFeature(this, `guardduty-${feature.name.toLowerCase().replace(/_/g, "-")}`, {
        detectorId: this.guardDuty!.id,
        name: feature.name,
        status: feature.status,
        additionalConfiguration: feature.additionalConfiguration?.map((extra) => ({ ...extra })),
      });
    }

    // Security Hub imports by account id; its standards and aggregator follow it.
    const securityHub = declareOwned(ownership.securityHub, naming.accountId, `Security Hub in ${naming.region}`, () =>
      new SecurityhubAccount(this, "security-hub", {
        enableDefaultStandards: false,
        controlFindingGenerator: "SECURITY_CONTROL",
        autoEnableControls: true,
      }),
    );
    this.securityHub = securityHub;
    for (const standard of securityHub ? (props.standards ?? (Object.keys(SECURITY_HUB_STANDARDS) as SecurityHubStandard[])) : []) {
      new SecurityhubStandardsSubscription(this, `standard-${standard}`, {
        standardsArn: `arn:aws:securityhub:${naming.region}::${SECURITY_HUB_STANDARDS[standard]}`,
        dependsOn: [securityHub!],
      });
    }
    if (securityHub && props.primaryRegion && (props.aggregatedRegions ?? []).length > 0) {
      new SecurityhubFindingAggregator(this, "security-hub-aggregator", {
        linkingMode: "SPECIFIED_REGIONS",
        specifiedRegions: [...props.aggregatedRegions!],
        dependsOn: [securityHub],
      });
    }

    if (ownership.config !== "external") {
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
    }
    // A region has one recorder: an adopted one keeps its name (the name is its import id and
    // changing it would replace it).
    const recorderName = ownership.config === "adopt" ? (ownership.configRecorderName ?? "default") : naming.name("config-recorder");
    this.recorderName = recorderName;
    this.recorder = declareOwned(ownership.config, recorderName, `the AWS Config recorder in ${naming.region}`, () =>
      new ConfigConfigurationRecorder(this, "config-recorder", {
        name: recorderName,
        roleArn: this.recorderRole!.roleArn,
        recordingGroup: { allSupported: true, includeGlobalResourceTypes: props.primaryRegion },
        recordingMode: { recordingFrequency: "CONTINUOUS" },
      }),
    );
    this.configRules = (props.configRules ?? MANAGED_CONFIG_RULES)
      .filter((rule) => props.primaryRegion || !rule.primaryRegionOnly)
      .map(
        (rule) =>
          new ConfigConfigRule(this, `rule-${configRuleName(rule.identifier)}`, {
            name: naming.name(configRuleName(rule.identifier)),
            description: ruleDescription(rule),
            source: { owner: "AWS", sourceIdentifier: rule.identifier },
            inputParameters: rule.parameters ? JSON.stringify(rule.parameters) : undefined,
            dependsOn: this.recorder ? [this.recorder] : undefined,
          }),
      );

    new AccessanalyzerAnalyzer(this, "access-analyzer", { analyzerName: naming.name("account-access"), type: "ACCOUNT" });
    new EbsEncryptionByDefault(this, "ebs-encryption-by-default", { enabled: true });

    this.node.addValidation({
      validate: () => (this.deliveryChannel || !this.recorder ? [] : ["AWS Config has no delivery channel: call deliverTo(logsBucket, key)"]),
    });
  }

  /**
   * Starts the recorder, delivering snapshots and history to `bucket` under `config/`, encrypted
   * with `key`. The recorder's role may write only there and use only that key. Nothing when
   * Config is `external` (its owner chose the delivery).
   */
  deliverTo(bucket: SecureBucket, key: KmsKey): ConfigDeliveryChannel | undefined {
    if (this.deliveryChannel) throw new Error("AWS Config already delivers to a bucket");
    const { naming, recorder, recorderRole } = this;
    if (!recorder || !recorderRole) return undefined;
    const objects = `${bucket.arn}/${LOG_PREFIXES.config}/AWSLogs/${naming.accountId}/Config/*`;
    recorderRole.addToPrincipalPolicy([
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
    const adopt = this.ownership.config === "adopt";
    const channelName = adopt ? (this.ownership.configDeliveryChannelName ?? "default") : naming.name("config-delivery");
    const channel = new ConfigDeliveryChannel(this, "config-delivery", {
      name: channelName,
      s3BucketName: bucket.name,
      s3KeyPrefix: LOG_PREFIXES.config,
      s3KmsKeyArn: key.arn,
      snapshotDeliveryProperties: { deliveryFrequency: "TwentyFour_Hours" },
      dependsOn: [recorder],
    });
    const status = new ConfigConfigurationRecorderStatus(this, "config-recorder-status", {
      name: recorder.name,
      isEnabled: true,
      dependsOn: [channel],
    });
    // Both import by name: the channel's, and the recorder's for its status.
    if (adopt) {
      channel.importFrom(channelName);
      status.importFrom(this.recorderName);
    }
    this.deliveryChannel = channel;
    return channel;
  }
}

function ruleDescription(rule: ManagedConfigRule): string {
  const mapped = [
    rule.cis && `CIS AWS Foundations v${MAPPED_VERSIONS.cis} ${rule.cis}`,
    rule.pci && `PCI DSS v${MAPPED_VERSIONS.pci} ${rule.pci}`,
    rule.securityHub && `Security Hub ${rule.securityHub}`,
  ].filter(Boolean);
  return `AWS managed rule ${rule.identifier}${mapped.length ? `: ${mapped.join("; ")}` : ""}`;
}
