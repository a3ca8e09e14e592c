import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";
import type { KmsKey } from "../kms-key";
import type { WorkloadIdentity } from "./iam";

/** Rotation of one secret by a rotation function (for secrets whose issuer offers an API). */
export interface SecretRotation {
  /** ARN of the Lambda function that implements the four rotation steps for this secret. */
  readonly lambdaArn: string;
  /**
   * Days between rotations.
   * @default 90 (PCI DSS 8.3.9 asks for at most 90 days where passwords are the only factor)
   */
  readonly afterDays?: number;
}

export interface ApplicationSecretsProps {
  readonly naming: Naming;
  /** The services: every name in any service's `secrets` becomes one secret. */
  readonly services: readonly WorkloadIdentity[];
  /** Encrypts every secret (the `secrets` data-class key). */
  readonly kmsKey: KmsKey;
  /**
   * Days a deleted secret can still be restored.
   * @default 30 (the longest window: a deleted third-party credential is slow to reissue)
   */
  readonly recoveryWindowInDays?: number;
  /**
   * Rotation by short name, for secrets whose issuer supports programmatic rotation.
   * @default none (third-party API keys are rotated by the vendor's process, see README)
   */
  readonly rotation?: Readonly<Record<string, SecretRotation>>;
}

/** The Secrets Manager name of an application secret: `lma-<environment>/<short name>`. */
export function secretName(naming: Naming, shortName: string): string {
  return `${naming.prefix}/${shortName}`;
}

/**
 * The application secrets of the catalogue (third-party API keys and client secrets), one
 * `aws_secretsmanager_secret` each, encrypted with the secrets key. No value is ever set here:
 * the secret is created empty and an operator puts the value (`put-secret-value`), so neither the
 * synthesized JSON nor the Terraform state ever holds it.
 */
export class ApplicationSecrets extends Construct {
  /** Secrets by short name, e.g. `credit-bureau-api-key`. */
  readonly byName: Readonly<Record<string, SecretsmanagerSecret>>;

  constructor(scope: Construct, id: string, props: ApplicationSecretsProps) {
    super(scope, id);
    const { naming } = props;
    const names = [...new Set(props.services.flatMap((service) => service.secrets ?? []))].sort();
    const unknownRotations = Object.keys(props.rotation ?? {}).filter((name) => !names.includes(name));
    if (unknownRotations.length > 0) {
      throw new Error(`rotation given for secrets no service uses: ${unknownRotations.join(", ")}`);
    }
    const byName: Record<string, SecretsmanagerSecret> = {};
    for (const name of names) {
      const users = props.services.filter((service) => service.secrets?.includes(name)).map((service) => service.name);
      const secret = new SecretsmanagerSecret(this, name, {
        name: secretName(naming, name),
        description: `${name} for ${users.join(", ")}; value set out of band, never by Terraform`,
        kmsKeyId: props.kmsKey.arn,
        recoveryWindowInDays: props.recoveryWindowInDays ?? 30,
        tags: { SecretClass: "third-party-credential" },
      });
      const rotation = props.rotation?.[name];
      if (rotation) {
        new SecretsmanagerSecretRotation(this, `${name}-rotation`, {
          secretId: secret.id,
          rotationLambdaArn: rotation.lambdaArn,
          rotationRules: { automaticallyAfterDays: rotation.afterDays ?? 90 },
        });
      }
      byName[name] = secret;
    }
    this.byName = byName;
  }
}
