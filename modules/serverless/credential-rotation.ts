import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import type { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { PolicyStatement } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import type { KmsKey } from "../kms-key";
import type { SecurityGroup } from "../security-group";
import { type FunctionSettings, PlatformFunction } from "./function";

/**
 * What a store needs to have its credential secrets rotated by a function of the platform's
 * releases: the function's pin, sizing and network, and the period.
 */
export interface RotationFunctionProps {
  /** The function's name (`lma-<env>-<functionName>`) and artifact directory (`lambda/<functionName>/`). */
  readonly functionName: string;
  /** The release pin of the function's artifact (`releases.json`). */
  readonly version: string;
  /** Memory, timeout and reserved concurrency of the function. */
  readonly settings: FunctionSettings;
  /** Bucket the release pipeline uploads `lambda/<function>/<version>.zip` to. */
  readonly artifactBucket: string;
  /** App subnets: the function reaches the store and Secrets Manager's interface endpoint from there. */
  readonly subnetIds: readonly string[];
  /** The function's security group; the store admits it where it changes passwords. */
  readonly securityGroup: SecurityGroup;
  /** Encrypts the function's environment and failure queue. */
  readonly dataKey: KmsKey;
  /** Days between rotations of each secret (Secrets Manager allows 1–1000). */
  readonly rotationDays: number;
  /**
   * The stack's Lambda code-signing configuration (modules/security `LambdaCodeSigning`), so the
   * rotation function is deployed only from a signed package like every other function.
   * @default none (the package is not verified)
   */
  readonly codeSigningConfigArn?: string;
}

export interface CredentialRotationProps extends RotationFunctionProps {
  readonly naming: Naming;
  /** The key that encrypts the rotated secrets. */
  readonly secretsKey: KmsKey;
  readonly logsKey: KmsKey;
  readonly logRetentionDays: number;
  readonly description: string;
  /** What the function needs to know beyond Secrets Manager's endpoint, e.g. the store's API. @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** What the function may do beyond rotating its own secrets, e.g. read the store's administrator secret. @default none */
  readonly statements?: readonly PolicyStatement[];
}

export interface RotateOptions {
  /** What must exist before the first rotation (the secret's first value, the store itself). */
  readonly after: readonly ITerraformDependable[];
  /**
   * Rotate on the schedule. Off for a standby's secret that holds no credential yet: its function,
   * role and permission exist, so failover adds only the schedule and no IAM change.
   * @default true
   */
  readonly scheduled?: boolean;
}

/** The ids and statement name one rotated secret's resources get. */
export interface RotatedSecretNames {
  readonly permissionId: string;
  readonly rotationId: string;
  readonly sid: string;
}

const pascal = (name: string) => name.replace(/(^|[-_/])([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase());

/**
 * One of the platform's own functions rotating credential secrets of one store, built, signed
 * and promoted like every other function (modules/serverless). For each secret given to `rotate`,
 * the function may read and stage that secret, Secrets Manager may invoke it for that secret only,
 * and the secret is rotated every `rotationDays`. The secrets key is usable only through Secrets
 * Manager.
 */
export class CredentialRotation extends Construct {
  readonly function: PlatformFunction;
  /** Schedules by secret, in `rotate` order (a secret rotated unscheduled has none). */
  readonly rotations: SecretsmanagerSecretRotation[] = [];
  private readonly rotationDays: number;

  constructor(scope: Construct, id: string, props: CredentialRotationProps) {
    super(scope, id);
    const { naming } = props;
    if (!Number.isInteger(props.rotationDays) || props.rotationDays < 1 || props.rotationDays > 1000) {
      throw new Error(`${props.functionName}: rotationDays must be an integer 1–1000 (${props.rotationDays})`);
    }
    this.rotationDays = props.rotationDays;
    this.function = new PlatformFunction(this, "function", {
      naming,
      name: props.functionName,
      description: props.description,
      config: props.settings,
      version: props.version,
      artifactBucket: props.artifactBucket,
      subnetIds: props.subnetIds,
      securityGroup: props.securityGroup,
      dataKey: props.dataKey,
      logsKey: props.logsKey,
      logRetentionDays: props.logRetentionDays,
      codeSigningConfigArn: props.codeSigningConfigArn,
      // Secrets Manager's endpoint in this region, reached through the VPC's interface endpoint.
      environment: { SECRETS_MANAGER_ENDPOINT: `https://secretsmanager.${naming.region}.amazonaws.com`, ...props.environment },
      statements: [
        // GetRandomPassword has no resource.
        { Sid: "GenerateRandomPassword", Effect: "Allow", Action: "secretsmanager:GetRandomPassword", Resource: "*" },
        {
          Sid: "UseSecretsKeyThroughSecretsManager",
          Effect: "Allow",
          Action: ["kms:Decrypt", "kms:GenerateDataKey"],
          Resource: props.secretsKey.arn,
          Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${naming.region}.amazonaws.com` } },
        },
        ...(props.statements ?? []),
      ],
    });
  }

  /**
   * Rotates `secret` with this function. `name` tells its resources apart (`<name>-invoke`,
   * `<name>-rotation`, Sid `Rotate<Name>Secret`); it must be unique within this rotation.
   */
  rotate(name: string, secret: SecretsmanagerSecret, options: RotateOptions): SecretsmanagerSecretRotation | undefined {
    return this.rotateAs({ permissionId: `${name}-invoke`, rotationId: `${name}-rotation`, sid: `Rotate${pascal(name)}Secret` }, secret, options);
  }

  protected rotateAs(names: RotatedSecretNames, secret: SecretsmanagerSecret, options: RotateOptions): SecretsmanagerSecretRotation | undefined {
    const secretArn = secret.arn;
    this.function.addToPrincipalPolicy([
      {
        Sid: names.sid,
        Effect: "Allow",
        Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
        Resource: secretArn,
      },
    ]);
    const permission = new LambdaPermission(this, names.permissionId, {
      statementId: `SecretsManagerRotates${names.sid.replace(/^Rotate/, "")}`,
      action: "lambda:InvokeFunction",
      functionName: this.function.function.functionName,
      principal: "secretsmanager.amazonaws.com",
      sourceArn: secretArn,
    });
    if (options.scheduled === false) return undefined;
    const rotation = new SecretsmanagerSecretRotation(this, names.rotationId, {
      secretId: secret.id,
      rotationLambdaArn: this.function.function.arn,
      rotationRules: { automaticallyAfterDays: this.rotationDays },
      dependsOn: [permission, ...options.after],
    });
    this.rotations.push(rotation);
    return rotation;
  }
}

