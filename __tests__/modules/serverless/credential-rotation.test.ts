import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
// cdktf's logical-id scheme (TerraformStack.allocateLogicalId): construct path → address.
import { makeUniqueId } from "cdktf/lib/private/unique";
import { SecretRotation } from "../../../modules/rds/rotation";
import { CredentialRotation, type CredentialRotationProps } from "../../../modules/serverless";
import { type Fixture, synthDataStore } from "../s3/data-store-fixture";
import { matching, only, ref } from "../s3/support";

function rotationProps(fixture: Fixture, rotationDays = 30): CredentialRotationProps {
  return {
    naming: fixture.naming,
    functionName: "store-rotation",
    version: "1.0.0",
    settings: { memoryMiB: 256, timeoutSeconds: 60, reservedConcurrency: 1 },
    artifactBucket: "artifacts",
    subnetIds: ["subnet-app"],
    securityGroup: fixture.securityGroup("functions"),
    dataKey: fixture.key("data"),
    secretsKey: fixture.key("secrets"),
    logsKey: fixture.key("logs"),
    logRetentionDays: 30,
    rotationDays,
    description: "rotates the fixture's secrets",
  };
}

const secret = (fixture: Fixture, name: string) => new SecretsmanagerSecret(fixture.scope, `${name}-secret`, { name });

describe("CredentialRotation", () => {
  const { json } = synthDataStore((fixture) => {
    const rotation = new CredentialRotation(fixture.scope, "rotation", rotationProps(fixture));
    rotation.rotate("active", secret(fixture, "active"), { after: [] });
    rotation.rotate("standby", secret(fixture, "standby"), { after: [], scheduled: false });
  });
  const secretNamed = (name: string) => only(json, "aws_secretsmanager_secret", (body) => body.name === name)[0];

  it("schedules only the secrets rotated with `scheduled`", () => {
    const rotations = matching(json, "aws_secretsmanager_secret_rotation");
    expect(rotations.map(([, body]) => body.secret_id)).toEqual([ref("aws_secretsmanager_secret", secretNamed("active"), "id")]);
  });

  it("lets Secrets Manager invoke the function for every rotated secret, scheduled or not, so scheduling later changes no IAM", () => {
    const sources = matching(json, "aws_lambda_permission").map(([, body]) => body.source_arn);
    expect(sources.sort()).toEqual(["active", "standby"].map((name) => ref("aws_secretsmanager_secret", secretNamed(name), "arn")).sort());
  });

  it.each([0, 1001, 1.5])("refuses %s days between rotations", (days) => {
    synthDataStore((fixture) => {
      expect(() => new CredentialRotation(fixture.scope, "rotation", rotationProps(fixture, days))).toThrow(/store-rotation: rotationDays must be an integer 1–1000/);
    });
  });
});

describe("SecretRotation (the database's master secret)", () => {
  it("keeps the addresses its permission and schedule had before rotations were shared (construct ids `invoke` and `rotation`)", () => {
    const { json } = synthDataStore((fixture) => {
      new SecretRotation(fixture.scope, "master-secret-rotation", { ...rotationProps(fixture), secret: secret(fixture, "master"), after: [] });
    });
    expect(matching(json, "aws_lambda_permission").map(([name, body]) => [name, body.statement_id])).toEqual([
      [makeUniqueId(["master-secret-rotation", "invoke"]), "SecretsManagerRotatesOwnSecret"],
    ]);
    expect(matching(json, "aws_secretsmanager_secret_rotation").map(([name]) => name)).toEqual([makeUniqueId(["master-secret-rotation", "rotation"])]);
  });
});
