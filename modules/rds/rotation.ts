import type { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import type { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import type { Construct } from "constructs";
import { CredentialRotation, type CredentialRotationProps, type RotateOptions, type RotationFunctionProps } from "../serverless/credential-rotation";

/** The rotation function's pin, sizing, network and period (`PostgresDatabaseProps.masterSecretRotation`). */
export type MasterSecretRotationProps = RotationFunctionProps;

export interface SecretRotationProps extends CredentialRotationProps, RotateOptions {
  /** The secret rotated; its value is the JSON the function reads and writes. */
  readonly secret: SecretsmanagerSecret;
}

/** A store's one rotated secret (the database's master secret): `CredentialRotation` of a single secret. */
export class SecretRotation extends CredentialRotation {
  /** Absent while the rotation is not `scheduled`. */
  readonly rotation?: SecretsmanagerSecretRotation;

  constructor(scope: Construct, id: string, props: SecretRotationProps) {
    super(scope, id, props);
    // The ids the single-secret rotation has always had, so existing stacks keep their addresses.
    this.rotation = this.rotateAs({ permissionId: "invoke", rotationId: "rotation", sid: "RotateOwnSecret" }, props.secret, props);
  }
}
