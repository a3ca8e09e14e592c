import { Testing } from "cdktf";
import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import { configRuleName, MANAGED_CONFIG_RULES, MAPPED_VERSIONS, SECURITY_HUB_STANDARDS } from "../../../modules/security";
import { ref, resourceAt, SecurityFixtureStack, statement, synthFixture } from "./fixture";

const ACCOUNT = production.accountId;
const primary = synthFixture(production, 0).json;
const standby = synthFixture(production, 1).json;
const devJson = synthFixture(dev, 0).json;

describe("GuardDuty", () => {
  it("runs a detector publishing every 15 minutes, in every region", () => {
    for (const json of [primary, standby, devJson]) {
      expect(Object.values(json.resource.aws_guardduty_detector!)).toEqual([
        expect.objectContaining({ enable: true, finding_publishing_frequency: "FIFTEEN_MINUTES" }),
      ]);
    }
  });

  it("turns on S3, malware, RDS login, Lambda and Fargate runtime protection, and keeps EKS off", () => {
    const features = Object.values(primary.resource.aws_guardduty_detector_feature!).map((feature) => ({
      name: feature.name,
      status: feature.status,
      additional: feature.additional_configuration,
    }));
    expect(features.sort((a, b) => String(a.name).localeCompare(String(b.name)))).toEqual([
      { name: "EBS_MALWARE_PROTECTION", status: "ENABLED", additional: undefined },
      { name: "EKS_AUDIT_LOGS", status: "DISABLED", additional: undefined },
      { name: "LAMBDA_NETWORK_LOGS", status: "ENABLED", additional: undefined },
      { name: "RDS_LOGIN_EVENTS", status: "ENABLED", additional: undefined },
      {
        name: "RUNTIME_MONITORING",
        status: "ENABLED",
        additional: [
          { name: "ECS_FARGATE_AGENT_MANAGEMENT", status: "ENABLED" },
          { name: "EKS_ADDON_MANAGEMENT", status: "DISABLED" },
          { name: "EC2_AGENT_MANAGEMENT", status: "DISABLED" },
        ],
      },
      { name: "S3_DATA_EVENTS", status: "ENABLED", additional: undefined },
    ]);
  });
});

describe("Security Hub", () => {
  it("subscribes to every standard of SECURITY_HUB_STANDARDS (CIS v3.0.0, PCI DSS v4.0.1, FSBP) in the stack's region, nothing by default", () => {
    expect(resourceAt(primary, "aws_securityhub_account", "security/detection/security-hub")).toMatchObject({
      enable_default_standards: false,
      control_finding_generator: "SECURITY_CONTROL",
      auto_enable_controls: true,
    });
    const arns = (json: typeof primary) => Object.values(json.resource.aws_securityhub_standards_subscription!).map((s) => s.standards_arn).sort();
    expect(arns(primary)).toEqual(Object.values(SECURITY_HUB_STANDARDS).map((path) => `arn:aws:securityhub:us-east-1::${path}`).sort());
    expect(arns(standby)).toEqual(Object.values(SECURITY_HUB_STANDARDS).map((path) => `arn:aws:securityhub:eu-west-1::${path}`).sort());
  });

  it("aggregates the DR region's findings into the primary region", () => {
    expect(Object.values(primary.resource.aws_securityhub_finding_aggregator!)).toEqual([
      expect.objectContaining({ linking_mode: "SPECIFIED_REGIONS", specified_regions: ["eu-west-1"] }),
    ]);
    expect(standby.resource.aws_securityhub_finding_aggregator).toBeUndefined();
    expect(devJson.resource.aws_securityhub_finding_aggregator).toBeUndefined();
  });
});

describe("AWS Config", () => {
  it("records every supported resource continuously; global ones (IAM) only in the primary region", () => {
    expect(resourceAt(primary, "aws_config_configuration_recorder", "security/detection/config-recorder")).toMatchObject({
      name: "lma-production-config-recorder",
      role_arn: ref(primary, "aws_iam_role", "security/detection/config-recorder-role/role", "arn"),
      recording_group: { all_supported: true, include_global_resource_types: true },
      recording_mode: { recording_frequency: "CONTINUOUS" },
    });
    expect(resourceAt(standby, "aws_config_configuration_recorder", "security/detection/config-recorder").recording_group).toEqual({
      all_supported: true,
      include_global_resource_types: false,
    });
  });

  it("delivers to the logs bucket under config/, KMS-encrypted, and then starts recording", () => {
    expect(resourceAt(primary, "aws_config_delivery_channel", "security/detection/config-delivery")).toMatchObject({
      s3_bucket_name: ref(primary, "aws_s3_bucket", "logs/bucket", "bucket"),
      s3_key_prefix: "config",
      s3_kms_key_arn: ref(primary, "aws_kms_key", "security/keys/logs/key", "arn"),
      snapshot_delivery_properties: { delivery_frequency: "TwentyFour_Hours" },
    });
    expect(resourceAt(primary, "aws_config_configuration_recorder_status", "security/detection/config-recorder-status")).toMatchObject({
      is_enabled: true,
      depends_on: [`aws_config_delivery_channel.${Object.keys(primary.resource.aws_config_delivery_channel!)[0]}`],
    });
  });

  it("lets the recorder's role write only its prefix of the logs bucket, with the AWS-maintained read policy", () => {
    const policy = resourceAt(primary, "aws_iam_role_policy", "security/detection/config-recorder-role/policy").policy;
    expect(statement(policy, "DeliverConfigurationItems").Resource).toBe(
      `${ref(primary, "aws_s3_bucket", "logs/bucket", "arn")}/config/AWSLogs/${ACCOUNT}/Config/*`,
    );
    expect(resourceAt(primary, "aws_iam_role_policy_attachment", "security/detection/config-recorder-read").policy_arn).toBe(
      "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole",
    );
    const trust = JSON.parse(String(resourceAt(primary, "aws_iam_role", "security/detection/config-recorder-role/role").assume_role_policy));
    expect(trust.Statement[0].Condition).toEqual({ StringEquals: { "aws:SourceAccount": ACCOUNT } });
  });

  it("deploys every managed rule in the primary region and the regional ones elsewhere", () => {
    const identifiers = (json: typeof primary) => Object.values(json.resource.aws_config_config_rule!).map((rule) => (rule.source as { source_identifier: string }).source_identifier).sort();
    expect(identifiers(primary)).toEqual(MANAGED_CONFIG_RULES.map((rule) => rule.identifier).sort());
    expect(identifiers(standby)).toEqual(MANAGED_CONFIG_RULES.filter((rule) => !rule.primaryRegionOnly).map((rule) => rule.identifier).sort());
    expect(identifiers(standby)).not.toContain("IAM_PASSWORD_POLICY");
    expect(identifiers(primary)).toHaveLength(46);
  });

  it("checks the password policy with the same figures the account sets", () => {
    const rule = resourceAt(primary, "aws_config_config_rule", `security/detection/rule-${configRuleName("IAM_PASSWORD_POLICY")}`);
    expect(rule.name).toBe("lma-production-iam-password-policy");
    expect(JSON.parse(String(rule.input_parameters))).toEqual({
      RequireUppercaseCharacters: "true",
      RequireLowercaseCharacters: "true",
      RequireSymbols: "true",
      RequireNumbers: "true",
      MinimumPasswordLength: "14",
      PasswordReusePrevention: "24",
      MaxPasswordAge: "90",
    });
    const mapping = MANAGED_CONFIG_RULES.find((candidate) => candidate.identifier === "IAM_PASSWORD_POLICY")!;
    expect(rule.description).toBe(
      `AWS managed rule IAM_PASSWORD_POLICY: CIS AWS Foundations v${MAPPED_VERSIONS.cis} ${mapping.cis}; PCI DSS v${MAPPED_VERSIONS.pci} ${mapping.pci}; Security Hub ${mapping.securityHub}`,
    );
    // The numbers refer to the standard versions Security Hub subscribes to.
    expect(Object.values(SECURITY_HUB_STANDARDS)).toEqual(
      expect.arrayContaining([`standards/cis-aws-foundations-benchmark/v/${MAPPED_VERSIONS.cis}`, `standards/pci-dss/v/${MAPPED_VERSIONS.pci}`]),
    );
    expect(rule.depends_on).toEqual([`aws_config_configuration_recorder.${Object.keys(primary.resource.aws_config_configuration_recorder!)[0]}`]);
  });

  it("refuses to synthesize when nothing delivers Config's records", () => {
    const stack = new SecurityFixtureStack(Testing.app(), production, 0, { withoutAuditTrail: true });
    expect(() => Testing.synth(stack, true)).toThrow(/AWS Config has no delivery channel/);
  });
});

describe("regional account settings", () => {
  it("runs IAM Access Analyzer and EBS encryption by default in every region", () => {
    for (const json of [primary, standby]) {
      expect(Object.values(json.resource.aws_accessanalyzer_analyzer!)).toEqual([
        expect.objectContaining({ analyzer_name: "lma-production-account-access", type: "ACCOUNT" }),
      ]);
      expect(Object.values(json.resource.aws_ebs_encryption_by_default!)).toEqual([expect.objectContaining({ enabled: true })]);
    }
  });
});
