import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { MqBroker } from "@cdktf/provider-aws/lib/mq-broker";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { DataResource, Fn } from "cdktf";
import { withoutSynthTimeTerraformVersionCheck } from "../../lib/fast-synth";
import { Construct } from "constructs";
import type { MessagingConfig } from "../../environments/types";
import { type GrantableRole, grantInlinePolicy, policyDocument } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import { tagComponent } from "../../lib/tags";
import type { KmsKey } from "../kms-key";
import type { Connections, IConnectable, SecurityGroup } from "../security-group";

export interface RabbitMqBrokerProps {
  readonly naming: Naming;
  /** Engine version, instance type and deployment mode: the environment's `messaging` block. */
  readonly config: MessagingConfig;
  /** Name suffix: the broker is `lma-<environment>-<name>`. @default "rabbitmq" */
  readonly name?: string;
  /** Data subnets in AZ order: a single instance uses the first, a cluster all of them. */
  readonly subnetIds: readonly string[];
  /** Bring-your-own security group (the SecurityGroupChain's `messaging`); exposed as `connections`. */
  readonly securityGroup: SecurityGroup;
  /** Encrypts the administrator's secret in Secrets Manager. */
  readonly secretsKey: KmsKey;
  /** Administrator user name. @default "lma_admin" */
  readonly adminUsername?: string;
  /**
   * Weekly maintenance window start (UTC).
   * @default { dayOfWeek: "SUNDAY", timeOfDay: "06:00" } (after the database and cache windows, so
   * at most one data store restarts at a time)
   */
  readonly maintenanceWindow?: { readonly dayOfWeek: string; readonly timeOfDay: string };
}

/**
 * Amazon MQ for RabbitMQ: a private broker (no public endpoint) in the data subnets, a single
 * instance or a three-node Multi-AZ cluster, general logs to CloudWatch, minor versions applied in
 * the maintenance window, and the administrator's credentials in Secrets Manager.
 *
 * The provider has no write-only password for `aws_mq_broker`, so the password necessarily sits in
 * the (KMS-encrypted, access-restricted) state. It is generated at apply time by Terraform itself
 * (`terraform_data` holding two `uuid()`s, 244 random bits, never re-generated), so it is never in
 * code, in the synthesized JSON, in a variable or in CI; Secrets Manager holds the copy that
 * people and jobs read. Amazon MQ for RabbitMQ encrypts at rest with an AWS-owned key only.
 */
export class RabbitMqBroker extends Construct implements IConnectable {
  readonly broker: MqBroker;
  /** `{ "username", "password" }` of the administrator (for the job that creates application users). */
  readonly adminSecret: SecretsmanagerSecret;
  readonly connections: Connections;
  private readonly secretsKey: KmsKey;
  private readonly naming: Naming;

  constructor(scope: Construct, id: string, props: RabbitMqBrokerProps) {
    super(scope, id);
    tagComponent(this, "messaging");
    const { naming, config } = props;
    this.naming = naming;
    this.secretsKey = props.secretsKey;
    this.connections = props.securityGroup.connections;
    const brokerName = naming.name(props.name ?? "rabbitmq");
    const username = props.adminUsername ?? "lma_admin";
    const cluster = config.deploymentMode === "CLUSTER_MULTI_AZ";

    const generated = withoutSynthTimeTerraformVersionCheck(new DataResource(this, "admin-password", {
      input: { value: `${Fn.replace(Fn.uuid(), "-", "")}${Fn.replace(Fn.uuid(), "-", "")}` },
      // Generated once: later plans evaluate uuid() again, and this keeps the first value.
      lifecycle: { ignoreChanges: ["input"] },
    }));
    const password: string = generated.output.lookup("value");

    this.adminSecret = new SecretsmanagerSecret(this, "admin-secret", {
      name: `${naming.prefix}/${props.name ?? "rabbitmq"}/admin`,
      description: `Administrator of the ${brokerName} broker`,
      kmsKeyId: props.secretsKey.arn,
      recoveryWindowInDays: 30,
    });
    new SecretsmanagerSecretVersion(this, "admin-secret-value", {
      secretId: this.adminSecret.id,
      secretString: Fn.jsonencode({ username, password }),
    });

    // Amazon MQ creates its log groups under /aws/amazonmq/ and needs this policy to write them.
    const logPolicy = new CloudwatchLogResourcePolicy(this, "log-policy", {
      policyName: `${brokerName}-logs`,
      policyDocument: policyDocument([
        {
          Sid: "AmazonMqWritesBrokerLogs",
          Effect: "Allow",
          Principal: { Service: "mq.amazonaws.com" },
          Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: naming.arn("logs", "log-group:/aws/amazonmq/*"),
          Condition: { StringEquals: { "aws:SourceAccount": naming.accountId } },
        },
      ]),
    });

    const window = props.maintenanceWindow ?? { dayOfWeek: "SUNDAY", timeOfDay: "06:00" };
    this.broker = new MqBroker(this, "broker", {
      brokerName,
      engineType: "RabbitMQ",
      engineVersion: config.engineVersion,
      // Amazon MQ requires it for RabbitMQ 3.13 and later; patches land in the maintenance window.
      autoMinorVersionUpgrade: true,
      hostInstanceType: config.instanceType,
      deploymentMode: config.deploymentMode,
      publiclyAccessible: false,
      subnetIds: cluster ? [...props.subnetIds] : [props.subnetIds[0]!],
      securityGroups: [props.securityGroup.id],
      logs: { general: true },
      maintenanceWindowStartTime: { ...window, timeZone: "UTC" },
      applyImmediately: false,
      user: [{ username, password }],
      // RabbitMQ users are managed in the broker after creation (the API cannot change them).
      lifecycle: { ignoreChanges: ["user"] },
      dependsOn: [logPolicy],
    });
  }

  /** AMQPS endpoint(s) of the broker (port 5671). */
  get amqpsEndpoint(): string {
    return Fn.element(this.broker.instances.get(0).endpoints, 0);
  }

  /** Lets `role` read the administrator's secret (GetSecretValue, and decrypt through Secrets Manager). */
  grantReadAdminSecret(role: GrantableRole): IamRolePolicy {
    return grantInlinePolicy(this, role, "mq-admin-secret-read", [
      { Sid: "ReadSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: this.adminSecret.arn },
      {
        Sid: "DecryptSecret",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: this.secretsKey.arn,
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${this.naming.region}.amazonaws.com` } },
      },
    ]);
  }
}
