import { App, Testing } from "cdktf";
import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import { ref, resourceAt, synthFixture, SecurityFixtureStack } from "./fixture";

const SECRETS = [
  "credit-bureau-api-key",
  "email-provider-api-key",
  "esignature-api-key",
  "identity-provider-client-secret",
  "market-data-api-key",
  "sms-provider-api-key",
];
/** A service that injects application secrets, whose execution role a grant can name. */
const SECRET_USER = production.services.find((service) => (service.secrets ?? []).length > 0)!.name;
const ROTATOR = "arn:aws:lambda:us-east-1:400000000003:function:lma-production-rotate-idp-secret";

const { json, text } = synthFixture(production, 0, {
  baseline: { secretRotation: { "identity-provider-client-secret": { lambdaArn: ROTATOR } } },
});
const devJson = synthFixture(dev, 0).json;

describe("application secrets", () => {
  it("creates one secret per distinct catalogue secret, named lma-<env>/<name>, encrypted with the secrets key", () => {
    expect(Object.keys(json.resource.aws_secretsmanager_secret!)).toHaveLength(SECRETS.length);
    const secretsKey = ref(json, "aws_kms_key", "security/keys/secrets/key", "arn");
    for (const name of SECRETS) {
      expect(resourceAt(json, "aws_secretsmanager_secret", `security/secrets/${name}`)).toMatchObject({
        name: `lma-production/${name}`,
        kms_key_id: secretsKey,
        recovery_window_in_days: 30,
      });
    }
  });

  it("never holds a value: no secret version, no secret_string anywhere in the JSON", () => {
    expect(json.resource.aws_secretsmanager_secret_version).toBeUndefined();
    expect(text).not.toMatch(/secret_string|secret_binary/);
  });

  it("rotates a secret only where a rotation function is given, every 90 days by default", () => {
    expect(Object.values(json.resource.aws_secretsmanager_secret_rotation!)).toEqual([
      expect.objectContaining({
        secret_id: ref(json, "aws_secretsmanager_secret", "security/secrets/identity-provider-client-secret", "id"),
        rotation_lambda_arn: ROTATOR,
        rotation_rules: { automatically_after_days: 90 },
      }),
    ]);
    expect(devJson.resource.aws_secretsmanager_secret_rotation).toBeUndefined();
  });

  it("keeps deleted secrets recoverable for 7 days in dev (no deletion protection), 30 elsewhere", () => {
    expect(resourceAt(devJson, "aws_secretsmanager_secret", "security/secrets/market-data-api-key").recovery_window_in_days).toBe(7);
  });

  it("refuses a rotation for a secret no service uses", () => {
    expect(
      () => new SecurityFixtureStack(Testing.app() as App, production, 0, { baseline: { secretRotation: { "no-such-secret": { lambdaArn: ROTATOR } } } }),
    ).toThrow("rotation given for secrets no service uses: no-such-secret");
  });

  it("exposes the secrets by short name", () => {
    const stack = new SecurityFixtureStack(Testing.app(), production, 0);
    expect(Object.keys(stack.security.secrets).sort()).toEqual(SECRETS);
    expect(() => stack.security.grantSecretRead(stack.security.executionRole(SECRET_USER), "no-such-secret")).toThrow('no application secret "no-such-secret"');
  });
});
