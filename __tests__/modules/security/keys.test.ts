import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import { Naming } from "../../../lib/naming";
import { DATA_CLASSES, keyAliasArn } from "../../../modules/security";
import { resourceAt, statement, statements, synthFixture } from "./fixture";

const ACCOUNT = production.accountId;
const ROOT = { AWS: `arn:aws:iam::${ACCOUNT}:root` };
const USE_AND_GRANT = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncrypt*",
  "kms:GenerateDataKey*",
  "kms:DescribeKey",
  "kms:CreateGrant",
  "kms:ListGrants",
];

const primary = synthFixture(production, 0).json;
const standby = synthFixture(production, 1).json;
const devPrimary = synthFixture(dev, 0).json;
const keyOf = (json: typeof primary, dataClass: string) => resourceAt(json, "aws_kms_key", `security/keys/${dataClass}/key`);

describe("KMS keys per data class", () => {
  it.each(DATA_CLASSES)("%s: rotation every 365 days, 30-day deletion window, alias lma-production-%s", (dataClass) => {
    expect(keyOf(primary, dataClass)).toMatchObject({ enable_key_rotation: true, rotation_period_in_days: 365, deletion_window_in_days: 30 });
    expect(resourceAt(primary, "aws_kms_alias", `security/keys/${dataClass}/alias`).name).toBe(`alias/lma-production-${dataClass}`);
  });

  it("grants kms:* to the account root only", () => {
    for (const dataClass of DATA_CLASSES) {
      const admin = statements(keyOf(primary, dataClass).policy).filter((candidate) => [candidate.Action].flat().includes("kms:*"));
      expect(admin).toEqual([{ Sid: "AccountRootAdministers", Effect: "Allow", Principal: ROOT, Action: "kms:*", Resource: "*" }]);
    }
  });

  it.each([
    ["data", ["rds", "elasticache", "es", "mq", "s3"]],
    ["logs", ["s3"]],
    ["secrets", ["secretsmanager"]],
    ["backups", ["backup", "rds", "s3"]],
  ])("%s key: usable by the account's principals only through %j", (dataClass, services) => {
    expect(statement(keyOf(primary, dataClass).policy, "UseThroughIntegratedServices")).toEqual({
      Sid: "UseThroughIntegratedServices",
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: USE_AND_GRANT,
      Resource: "*",
      Condition: {
        StringEquals: {
          "kms:CallerAccount": ACCOUNT,
          "kms:ViaService": services.map((service) => `${service}.us-east-1.amazonaws.com`),
        },
      },
    });
  });

  it("the data key's policy has nothing but the root and the integrated services", () => {
    expect(statements(keyOf(primary, "data").policy).map((candidate) => candidate.Sid)).toEqual([
      "AccountRootAdministers",
      "UseThroughIntegratedServices",
    ]);
  });

  it("the logs key lets CloudWatch Logs encrypt only the environment's log groups and the WAF groups", () => {
    const policy = keyOf(primary, "logs").policy;
    const logGroupsOf = (json: typeof primary, region: string) =>
      statements(keyOf(json, "logs").policy)
        .filter((candidate) => String(candidate.Sid).startsWith("CloudWatchLogs"))
        .map((candidate) => {
          expect(candidate.Principal).toEqual({ Service: `logs.${region}.amazonaws.com` });
          expect(candidate.Action).toEqual(["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]);
          return (candidate.Condition as { ArnLike: Record<string, string> }).ArnLike["kms:EncryptionContext:aws:logs:arn"];
        });
    expect(logGroupsOf(primary, "us-east-1").sort()).toEqual([
      `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/lma/production/*`,
      `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:aws-waf-logs-lma-production-cloudfront`,
      `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:aws-waf-logs-lma-production-regional`,
    ]);
    expect(logGroupsOf(standby, "eu-west-1").sort()).toEqual([
      `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/lma/production/*`,
      `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:aws-waf-logs-lma-production-regional`,
    ]);
    expect(statements(policy).some((candidate) => candidate.Principal === "*")).toBe(false);
  });

  it("the DR region has its own four keys, with the same aliases and eu-west-1 conditions", () => {
    for (const dataClass of DATA_CLASSES) {
      expect(resourceAt(standby, "aws_kms_alias", `security/keys/${dataClass}/alias`).name).toBe(`alias/lma-production-${dataClass}`);
      expect(keyOf(standby, dataClass).enable_key_rotation).toBe(true);
    }
    const via = (statement(keyOf(standby, "secrets").policy, "UseThroughIntegratedServices").Condition as {
      StringEquals: Record<string, unknown>;
    }).StringEquals["kms:ViaService"];
    expect(via).toEqual(["secretsmanager.eu-west-1.amazonaws.com"]);
    expect(Object.keys(standby.resource.aws_kms_key!)).toHaveLength(4);
  });

  it("each environment's keys name its own account", () => {
    expect(statement(keyOf(devPrimary, "data").policy, "AccountRootAdministers").Principal).toEqual({ AWS: `arn:aws:iam::${dev.accountId}:root` });
  });

  it("names any region's key by alias ARN, for cross-stack references", () => {
    const naming = new Naming("production", "eu-west-1", ACCOUNT);
    expect(keyAliasArn(naming, "data")).toBe(`arn:aws:kms:eu-west-1:${ACCOUNT}:alias/lma-production-data`);
  });
});
