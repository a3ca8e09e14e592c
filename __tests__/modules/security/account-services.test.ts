import { Testing } from "cdktf";
import { production } from "../../../environments/production";
import type { EnvironmentConfig } from "../../../environments/types";
import { type AccountServiceMode, type DetectionOwnership, GUARDDUTY_FEATURES, SECURITY_HUB_STANDARDS } from "../../../modules/security";
import { BootstrapStack } from "../../../stacks/bootstrap-stack";
import { synthFixture } from "./fixture";

type Json = ReturnType<typeof synthFixture>["json"] & { import?: { to: string; id: string }[] };

const primary = production.regions[0]!;
const DETECTOR_ID = "0123456789abcdef0123456789abcdef";
const MODES: readonly AccountServiceMode[] = ["create", "adopt", "external"];

/** The primary region's detection with every service in `mode` (adopted ones with their ids). */
function detectionIn(mode: AccountServiceMode, ids: Partial<DetectionOwnership> = {}): Json {
  const ownership: DetectionOwnership = { guardDuty: mode, securityHub: mode, config: mode, guardDutyDetectorId: DETECTOR_ID, ...ids };
  return synthFixture(production, 0, { baseline: { detectionOwnership: ownership } }).json as Json;
}

const countOf = (json: Json, type: string) => Object.keys(json.resource[type] ?? {}).length;
/** Import blocks by resource type: `aws_guardduty_detector` → its import ids. */
const importsOf = (json: Json) => {
  const byType = new Map<string, string[]>();
  for (const block of json.import ?? []) {
    const type = block.to.split(".")[0]!;
    byType.set(type, [...(byType.get(type) ?? []), block.id]);
  }
  return byType;
};

describe("GuardDuty, Security Hub and Config follow accountServices", () => {
  const json = Object.fromEntries(MODES.map((mode) => [mode, detectionIn(mode)])) as Record<AccountServiceMode, Json>;

  it("create and adopt declare the detector with its features, the hub with every standard, the recorder and its channel", () => {
    for (const mode of ["create", "adopt"] as const) {
      expect(countOf(json[mode], "aws_guardduty_detector")).toBe(1);
      expect(countOf(json[mode], "aws_guardduty_detector_feature")).toBe(GUARDDUTY_FEATURES.length);
      expect(countOf(json[mode], "aws_securityhub_account")).toBe(1);
      expect(countOf(json[mode], "aws_securityhub_standards_subscription")).toBe(Object.keys(SECURITY_HUB_STANDARDS).length);
      for (const type of ["aws_config_configuration_recorder", "aws_config_delivery_channel", "aws_config_configuration_recorder_status"]) {
        expect(countOf(json[mode], type)).toBe(1);
      }
    }
  });

  it("create imports nothing", () => {
    expect(json.create.import ?? []).toEqual([]);
  });

  it("adopt imports the detector by its id, the hub by the account, the recorder and channel by their existing names", () => {
    const imports = importsOf(json.adopt);
    expect(imports.get("aws_guardduty_detector")).toEqual([DETECTOR_ID]);
    expect(imports.get("aws_securityhub_account")).toEqual([production.accountId]);
    expect(imports.get("aws_config_configuration_recorder")).toEqual(["default"]);
    expect(imports.get("aws_config_delivery_channel")).toEqual(["default"]);
    expect(imports.get("aws_config_configuration_recorder_status")).toEqual(["default"]);
    // The adopted recorder keeps its name: renaming it would replace it.
    expect(Object.values(json.adopt.resource.aws_config_configuration_recorder!)[0]!.name).toBe("default");
  });

  it("adopt imports the recorder and channel by the names the environment gives", () => {
    const imports = importsOf(detectionIn("adopt", { configRecorderName: "aws-controltower-BaselineConfigRecorder", configDeliveryChannelName: "aws-controltower-BaselineConfigDeliveryChannel" }));
    expect(imports.get("aws_config_configuration_recorder")).toEqual(["aws-controltower-BaselineConfigRecorder"]);
    expect(imports.get("aws_config_delivery_channel")).toEqual(["aws-controltower-BaselineConfigDeliveryChannel"]);
  });

  it("external declares none of them, keeps the managed Config rules and still synthesizes without errors", () => {
    for (const type of [
      "aws_guardduty_detector",
      "aws_guardduty_detector_feature",
      "aws_securityhub_account",
      "aws_securityhub_standards_subscription",
      "aws_securityhub_finding_aggregator",
      "aws_config_configuration_recorder",
      "aws_config_delivery_channel",
    ]) {
      expect(countOf(json.external, type)).toBe(0);
    }
    expect(countOf(json.external, "aws_config_config_rule")).toBe(countOf(json.create, "aws_config_config_rule"));
    expect(() => Testing.fullSynth(synthFixture(production, 0, { baseline: { detectionOwnership: { guardDuty: "external", securityHub: "external", config: "external" } } }).stack)).not.toThrow();
  });

  it("adopting GuardDuty without the region's detector id fails, naming the environment file and field", () => {
    const adopting: EnvironmentConfig = { ...production, accountServices: { ...production.accountServices, guardDuty: "adopt" } };
    expect(() => synthFixture(adopting, 0)).toThrow(
      `environments/production.ts: accountServiceIds.guardDutyDetectorIds.${primary.region}: required when accountServices.guardDuty is "adopt"`,
    );
  });
});

describe("the bootstrap's account-wide services follow accountServices", () => {
  const bootstrapWith = (mode: AccountServiceMode): Json => {
    const environment: EnvironmentConfig = {
      ...production,
      accountServices: { ...production.accountServices, openSearchServiceLinkedRole: mode, shieldAdvanced: mode },
    };
    return JSON.parse(Testing.synth(new BootstrapStack(Testing.app(), environment))) as Json;
  };

  it("create declares the OpenSearch service-linked role and a renewing Shield Advanced subscription that a destroy leaves alone", () => {
    const json = bootstrapWith("create");
    expect(Object.values(json.resource.aws_iam_service_linked_role!)).toEqual([expect.objectContaining({ aws_service_name: "opensearchservice.amazonaws.com" })]);
    expect(Object.values(json.resource.aws_shield_subscription!)).toEqual([expect.objectContaining({ auto_renew: "ENABLED", skip_destroy: true })]);
    expect(json.import ?? []).toEqual([]);
  });

  it("adopt imports the role by its fixed ARN and the subscription by the account id", () => {
    const imports = importsOf(bootstrapWith("adopt"));
    expect(imports.get("aws_iam_service_linked_role")).toEqual([
      `arn:aws:iam::${production.accountId}:role/aws-service-role/opensearchservice.amazonaws.com/AWSServiceRoleForAmazonOpenSearchService`,
    ]);
    expect(imports.get("aws_shield_subscription")).toEqual([production.accountId]);
  });

  it("external declares neither", () => {
    const json = bootstrapWith("external");
    expect(json.resource.aws_iam_service_linked_role).toBeUndefined();
    expect(json.resource.aws_shield_subscription).toBeUndefined();
  });
});
