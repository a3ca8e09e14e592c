import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import type { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";
import type { KmsKey } from "../kms-key";
import type { SecurityGroup } from "../security-group";
import { type FunctionSettings, PlatformFunction } from "../serverless/function";

/** What a store needs to have its credential secret rotated by a function of the platform's releases. */
export interface MasterSecretRotationProps {
  /** The function's name (`lma-<env>-<functionName>`) and artifact directory (`lambda/<functionName>/`). */
  readonly functionName: string;
  /** The release pin of the function's artifact (`environments/releases.json`). */
  readonly version: string;
  /** Memory, timeout and reserved concurrency of the function. */
  readonly settings: FunctionSettings;
  /** Bucket the release pipeline uploads `lambda/<function>/<version>.zip` to. */
  readonly artifactBucket: string;
  /** App subnets: the function reaches the store and Secrets Manager's interface endpoint from there. */
  readonly subnetIds: readonly string[];
  /** The function's security group; the store admits it on its port. */
  readonly securityGroup: SecurityGroup;
  /** Encrypts the function's environment and failure queue. */
  readonly dataKey: KmsKey;
  /** Days between rotations (Secrets Manager allows 1–1000). */
  readonly rotationDays: number;
  /**
   * The environment's Lambda code-signing configuration (modules/serverless), so the rotation
   * function is deployed only from a signed package like every other function.
   * @default none (the package is not verified)
   */
  readonly codeSigningConfigArn?: string;
}

export interface SecretRotationProps extends MasterSecretRotationProps {
  readonly naming: Naming;
  /** The secret rotated; its value is the JSON the function reads and writes. */
  readonly secret: SecretsmanagerSecret;
  /** The key that encrypts `secret`. */
  readonly secretsKey: KmsKey;
  readonly logsKey: KmsKey;
  readonly logRetentionDays: number;
  readonly description: string;
  /** What must exist before the first rotation (the secret's first value, the store itself). */
  readonly after: readonly ITerraformDependable[];
  /**
   * Rotate on the schedule. Off for a standby's secret that holds no credential yet: its function,
   * role and permission exist, so failover adds only the schedule and no IAM change.
   * @default true
   */
  readonly scheduled?: boolean;
}

/**
 * A secret rotated by one of the platform's own functions, built, signed and promoted like every
 * other function (modules/serverless). The function may read and stage only this secret and use
 * its key only through Secrets Manager; Secrets Manager may invoke it only for this secret.
 */
export class SecretRotation extends Construct {
  readonly function: PlatformFunction;
  /** Absent while the rotation is not `scheduled`. */
  readonly rotation?: SecretsmanagerSecretRotation;

  constructor(scope: Construct, id: string, props: SecretRotationProps) {
    super(scope, id);
    const { naming, secret } = props;
    if (!Number.isInteger(props.rotationDays) || props.rotationDays < 1 || props.rotationDays > 1000) {
      throw new Error(`${props.functionName}: rotationDays must be an integer 1–1000 (${props.rotationDays})`);
    }
    const secretArn = secret.arn;
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
      environment: { SECRETS_MANAGER_ENDPOINT: `https://secretsmanager.${naming.region}.amazonaws.com` },
      statements: [
        {
          Sid: "RotateOwnSecret",
          Effect: "Allow",
          Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
          Resource: secretArn,
        },
        // GetRandomPassword has no resource.
        { Sid: "GenerateRandomPassword", Effect: "Allow", Action: "secretsmanager:GetRandomPassword", Resource: "*" },
        {
          Sid: "UseSecretsKeyThroughSecretsManager",
          Effect: "Allow",
          Action: ["kms:Decrypt", "kms:GenerateDataKey"],
          Resource: props.secretsKey.arn,
          Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${naming.region}.amazonaws.com` } },
        },
      ],
    });
    const permission = new LambdaPermission(this, "invoke", {
      statementId: "SecretsManagerRotatesOwnSecret",
      action: "lambda:InvokeFunction",
      functionName: this.function.function.functionName,
      principal: "secretsmanager.amazonaws.com",
      sourceArn: secretArn,
    });
    if (props.scheduled === false) return;
    this.rotation = new SecretsmanagerSecretRotation(this, "rotation", {
      secretId: secret.id,
      rotationLambdaArn: this.function.function.arn,
      rotationRules: { automaticallyAfterDays: props.rotationDays },
      dependsOn: [permission, ...props.after],
    });
  }
}
