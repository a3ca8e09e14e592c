import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import { Naming } from "../../../lib/naming";
import { ADMINISTRATION_ACTIONS } from "../../../modules/kms-key";
import { DATA_CLASSES, KEY_SPECS, keyAliasArn } from "../../../modules/security";
import { ref, resourceAt, statement, statements, synthFixture } from "./fixture";

const ACCOUNT = production.accountId;
const ROOT = { AWS: [`arn:aws:iam::${ACCOUNT}:root`] };
const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/${production.deployRoleName}`;
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

  it("the account root administers every key without using it, and nobody gets kms:*", () => {
    for (const dataClass of DATA_CLASSES) {
      const policy = keyOf(primary, dataClass).policy;
      expect(statement(policy, "KeyAdministration")).toEqual({ Sid: "KeyAdministration", Effect: "Allow", Principal: ROOT, Action: ADMINISTRATION_ACTIONS, Resource: "*" });
      expect(ADMINISTRATION_ACTIONS.some((action) => /^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey)/.test(action))).toBe(false);
      expect(statements(policy).filter((candidate) => [candidate.Action].flat().includes("kms:*"))).toEqual([]);
    }
  });

  it.each(Object.entries(KEY_SPECS))("%s key: the deploy role creates encrypted resources only through its services", (dataClass, spec) => {
    expect(statement(keyOf(primary, dataClass).policy, "DeployRoleCreatesEncryptedResources")).toEqual({
      Sid: "DeployRoleCreatesEncryptedResources",
      Effect: "Allow",
      Principal: { AWS: [DEPLOY_ROLE] },
      Action: USE_AND_GRANT,
      Resource: "*",
      Condition: {
        StringEquals: {
          "kms:CallerAccount": ACCOUNT,
          "kms:ViaService": spec.viaServices.map((service) => `${service}.us-east-1.amazonaws.com`),
        },
      },
    });
  });

  it("no key policy allows any principal (\"*\")", () => {
    for (const json of [primary, standby, devPrimary]) {
      for (const key of Object.values(json.resource.aws_kms_key!)) {
        for (const candidate of statements(key.policy)) {
          expect(candidate.Principal).not.toBe("*");
          expect([(candidate.Principal as { AWS?: unknown } | undefined)?.AWS ?? []].flat()).not.toContain("*");
        }
      }
    }
  });

  it("every role that reads a secret is named in the secrets key's policy, with the grant's own actions and conditions", () => {
    const key = ref(primary, "aws_kms_key", "security/keys/secrets/key", "arn");
    const keyPolicy = statements(keyOf(primary, "secrets").policy);
    const rolePolicies = Object.values(primary.resource.aws_iam_role_policy!);
    const granted = rolePolicies.flatMap((rolePolicy) =>
      statements(rolePolicy.policy)
        .filter((candidate) => [candidate.Resource].flat().includes(key))
        .map((candidate) => ({ role: String(rolePolicy.role).replace(/\.(id|name)\}$/, ".arn}"), candidate })),
    );
    expect(granted.length).toBeGreaterThan(0);
    for (const { role, candidate } of granted) {
      expect(keyPolicy).toContainEqual(
        expect.objectContaining({
          Sid: `Role${String(candidate.Sid)}`,
          Principal: { AWS: expect.arrayContaining([role]) },
          Action: [candidate.Action].flat(),
          Resource: "*",
          ...(candidate.Condition ? { Condition: candidate.Condition } : {}),
        }),
      );
    }
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
    const via = (statement(keyOf(standby, "secrets").policy, "DeployRoleCreatesEncryptedResources").Condition as {
      StringEquals: Record<string, unknown>;
    }).StringEquals["kms:ViaService"];
    expect(via).toEqual(KEY_SPECS.secrets.viaServices.map((service) => `${service}.eu-west-1.amazonaws.com`));
    expect(Object.keys(standby.resource.aws_kms_key!)).toHaveLength(4);
  });

  it("each environment's keys name its own account", () => {
    expect(statement(keyOf(devPrimary, "data").policy, "KeyAdministration").Principal).toEqual({ AWS: [`arn:aws:iam::${dev.accountId}:root`] });
    expect(statement(keyOf(devPrimary, "data").policy, "DeployRoleCreatesEncryptedResources").Principal).toEqual({
      AWS: [`arn:aws:iam::${dev.accountId}:role/${dev.deployRoleName}`],
    });
  });

  it("names any region's key by alias ARN, for cross-stack references", () => {
    const naming = new Naming("production", "eu-west-1", ACCOUNT);
    expect(keyAliasArn(naming, "data")).toBe(`arn:aws:kms:eu-west-1:${ACCOUNT}:alias/lma-production-data`);
  });
});
