import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { MqBroker } from "@cdktf/provider-aws/lib/mq-broker";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Fn, type ITerraformDependable, TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import type { DataStoreBinding, DataStoreClient, IDataStore } from "../../lib/data-store";
import { Grant, type IGrantee } from "../../lib/grants";
import { policyDocument } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import { tagComponent } from "../../lib/tags";
import type { KmsKey } from "../kms-key";
import { type Connections, type IConnectable, Port, type SecurityGroup } from "../security-group";
import { CredentialRotation, type RotationFunctionProps } from "../serverless/credential-rotation";

/** Amazon MQ serves RabbitMQ's web console and management HTTP API on HTTPS. */
const MANAGEMENT_API_PORT = 443;

/** RabbitMQ user names the credentials are created for (letters, digits, `-`, `_`). */
const RABBITMQ_USER = /^[a-z][a-z0-9_-]{0,63}$/;

/**
 * `secret_string_wo_version` of every credential secret's first value. Terraform writes a secret
 * once; from then on only the rotation function changes it, so the version never moves.
 */
const FIRST_VALUE_VERSION = 1;

/** The rotation function of the broker's credentials, and where it writes its logs. */
export interface BrokerCredentialRotationProps extends RotationFunctionProps {
  readonly logsKey: KmsKey;
  readonly logRetentionDays: number;
}

export interface RabbitMqBrokerProps {
  readonly naming: Naming;
  /** RabbitMQ engine version, e.g. "3.13". */
  readonly engineVersion: string;
  /** Broker instance type, e.g. `mq.m5.large` (a cluster needs an m5 type). */
  readonly instanceType: string;
  /**
   * A three-node cluster across AZs, or one instance.
   * @default "CLUSTER_MULTI_AZ" (a single instance loses messages in flight when it fails)
   */
  readonly deploymentMode?: "SINGLE_INSTANCE" | "CLUSTER_MULTI_AZ";
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
   * Weekly maintenance window start in the operations team's zone (Amazon MQ follows that zone's
   * clock, summer time included), from the environment's maintenance table.
   */
  readonly maintenanceWindow: { readonly dayOfWeek: string; readonly timeOfDay: string; readonly timeZone: string };
  /**
   * Terraform refuses to destroy the broker and its credential secrets (`prevent_destroy`);
   * Amazon MQ has no deletion protection of its own.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * `bind` also admits clients to the management HTTP API (port 443), e.g. to declare queues.
   * @default false (clients speak AMQPS only)
   */
  readonly clientManagementApiAccess?: boolean;
  /**
   * Rotates the administrator's and every client's password through the management API (443),
   * authenticated with the administrator's secret; the broker admits the function there.
   * @default no rotation
   */
  readonly credentialRotation?: BrokerCredentialRotationProps;
}

/**
 * Amazon MQ for RabbitMQ: a private broker (no public endpoint) in the data subnets, a single
 * instance or a three-node Multi-AZ cluster, general logs to CloudWatch, minor versions applied in
 * the maintenance window, and the administrator's credentials in Secrets Manager.
 *
 * Every password is generated at apply time by Terraform (two `uuid()`s, 244 random bits) and
 * written to its secret through the write-only `secret_string_wo`, so it is never in code, the
 * synthesized JSON, a variable, CI, or the secrets' state, and an apply never writes an old value
 * over a rotated one. The provider has no write-only password for `aws_mq_broker`: the
 * administrator's first password is in the broker's state, and `credentialRotation` replaces it
 * on the broker as soon as the rotation is created (modules/messaging/README.md). Amazon MQ for
 * RabbitMQ encrypts at rest with an AWS-owned key only.
 */
export class RabbitMqBroker extends Construct implements IConnectable, IDataStore {
  readonly storeKind = "queue";
  readonly broker: MqBroker;
  /** `{ "username", "password" }` of the administrator (for the job that creates application users). */
  readonly adminSecret: SecretsmanagerSecret;
  /** The rotation of the administrator's and the clients' secrets, with `credentialRotation`. */
  readonly credentialRotation?: CredentialRotation;
  readonly connections: Connections;
  /**
   * ARNs read once (the secrets key's, and each secret's in `secretArns`): every attribute read is
   * a new token, and grants compare statements by content to merge a repeated grant.
   */
  private readonly secretsKeyArn: string;
  private readonly secretArns = new Map<SecretsmanagerSecret, string>();
  private readonly naming: Naming;
  /** The name suffix (`props.name`): secrets live under `lma-<env>/<name>/`. */
  private readonly name: string;
  private readonly clientManagementApiAccess: boolean;
  private readonly preventDestroy: boolean;
  /** Each client's credential secret, by client name, created on first `bind`. */
  private readonly clientCredentials = new Map<string, SecretsmanagerSecret>();

  constructor(scope: Construct, id: string, props: RabbitMqBrokerProps) {
    super(scope, id);
    tagComponent(this, "messaging");
    const { naming } = props;
    this.naming = naming;
    this.secretsKeyArn = props.secretsKey.arn;
    this.connections = props.securityGroup.connections;
    this.name = props.name ?? "rabbitmq";
    this.clientManagementApiAccess = props.clientManagementApiAccess ?? false;
    this.preventDestroy = props.preventDestroy ?? true;
    const brokerName = naming.name(this.name);
    const username = props.adminUsername ?? "lma_admin";
    const deploymentMode = props.deploymentMode ?? "CLUSTER_MULTI_AZ";
    const cluster = deploymentMode === "CLUSTER_MULTI_AZ";

    const password = this.generatedPassword("admin-password");
    const admin = this.credentialSecret("admin", `Administrator of the ${brokerName} broker`, username, password);
    this.adminSecret = admin.secret;

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

    this.broker = new MqBroker(this, "broker", {
      brokerName,
      engineType: "RabbitMQ",
      engineVersion: props.engineVersion,
      // Amazon MQ requires it for RabbitMQ 3.13 and later; patches land in the maintenance window.
      autoMinorVersionUpgrade: true,
      hostInstanceType: props.instanceType,
      deploymentMode,
      publiclyAccessible: false,
      subnetIds: cluster ? [...props.subnetIds] : [props.subnetIds[0]!],
      securityGroups: [props.securityGroup.id],
      logs: { general: true },
      maintenanceWindowStartTime: { ...props.maintenanceWindow },
      applyImmediately: false,
      user: [{ username, password }],
      // RabbitMQ users are managed in the broker after creation (the API cannot change them).
      lifecycle: { ignoreChanges: ["user"], preventDestroy: this.preventDestroy },
      dependsOn: [logPolicy],
    });

    if (props.credentialRotation) {
      const { logsKey, logRetentionDays, ...rotationFunction } = props.credentialRotation;
      this.credentialRotation = new CredentialRotation(this, "credential-rotation", {
        ...rotationFunction,
        naming,
        secretsKey: props.secretsKey,
        logsKey,
        logRetentionDays,
        description: `Rotates the passwords of the ${brokerName} broker's users through its management API`,
        // Rotating the administrator's secret includes reading it: that is how the function
        // authenticates to the management API for every user.
        environment: {
          // A cluster's one console URL (HTTPS on 443) is the management API of all its nodes.
          RABBITMQ_MANAGEMENT_URL: this.broker.instances.get(0).consoleUrl,
          RABBITMQ_ADMIN_SECRET_ARN: this.secretArns.get(this.adminSecret)!,
        },
      });
      const port = Port.tcp(MANAGEMENT_API_PORT);
      this.connections.allowFrom(rotationFunction.securityGroup, port, `credential rotation to the RabbitMQ management API on ${port}`);
      this.credentialRotation.rotate("admin", this.adminSecret, { after: [admin.value, this.broker] });
    }
  }

  /** AMQPS endpoint(s) of the broker (port 5671). */
  get amqpsEndpoint(): string {
    return Fn.element(this.broker.instances.get(0).endpoints, 0);
  }

  /** Lets `grantee` read the administrator's secret (GetSecretValue, and decrypt through Secrets Manager). */
  grantReadAdminSecret(grantee: IGrantee): Grant {
    return this.grantReadSecret(grantee, this.adminSecret, "Admin");
  }

  /**
   * The credential secret (`{ "username", "password" }`) of the RabbitMQ user `clientName`, at
   * `lma-<env>/<name>/clients/<clientName>`, created once per client with a password Terraform
   * generates. Amazon MQ's API creates only the administrator; the job that creates application
   * users reads these secrets with the administrator's and creates each user in the broker.
   */
  clientCredential(clientName: string): SecretsmanagerSecret {
    const existing = this.clientCredentials.get(clientName);
    if (existing) return existing;
    if (!RABBITMQ_USER.test(clientName)) throw new Error(`"${clientName}" is not a RabbitMQ user name this broker creates credentials for`);
    const { secret, value } = this.credentialSecret(
      `clients/${clientName}`,
      `RabbitMQ user ${clientName} of the ${this.broker.brokerName} broker`,
      clientName,
      this.generatedPassword(`client-${clientName}-password`),
    );
    this.clientCredentials.set(clientName, secret);
    // The function's PUT /api/users/<name> creates the user if the bootstrap job has not yet.
    this.credentialRotation?.rotate(`client-${clientName}`, secret, { after: [value, this.broker] });
    return secret;
  }

  /**
   * Admits `client` on AMQPS (and the management API when `clientManagementApiAccess`), creates
   * its credential and lets its execution role inject it: RabbitMQ has no IAM authentication.
   */
  bind(client: DataStoreClient): DataStoreBinding {
    if (!client.executionRole) {
      throw new Error(`${client.name}: a RabbitMQ client needs an execution role to inject its credential (Lambda clients are not supported)`);
    }
    if (client.connectable) {
      this.connections.allowDefaultPortFrom(client.connectable);
      if (this.clientManagementApiAccess) {
        const port = Port.tcp(MANAGEMENT_API_PORT);
        this.connections.allowFrom(client.connectable, port, `${client.name} to the RabbitMQ management API on ${port}`);
      }
    }
    const credential = this.clientCredential(client.name);
    return {
      environment: { AMQP_ENDPOINT: this.amqpsEndpoint },
      secrets: { AMQP_USERNAME: `${this.secretArns.get(credential)}:username::`, AMQP_PASSWORD: `${this.secretArns.get(credential)}:password::` },
      grants: [this.grantReadSecret(client.executionRole, credential, client.name)],
    };
  }

  /**
   * 244 random bits from Terraform at apply time (two uuid()s in a local value: unknown while
   * planning, evaluated once per apply, kept in no state). Only write-only arguments and the
   * broker's ignored `user` read it, so a later apply's new value is never sent anywhere.
   */
  private generatedPassword(id: string): string {
    return new TerraformLocal(this, id, Fn.join("", [Fn.replace(Fn.uuid(), "-", ""), Fn.replace(Fn.uuid(), "-", "")])).asString;
  }

  /**
   * A `{ "username", "password" }` secret at `lma-<env>/<name>/<path>` under the secrets key; its
   * first value is write-only, so Terraform never reads it back nor writes it again over a rotation.
   */
  private credentialSecret(path: string, description: string, username: string, password: string): { secret: SecretsmanagerSecret; value: ITerraformDependable } {
    const id = path === "admin" ? "admin-secret" : `${path.replace(/\//g, "-")}-secret`;
    const secret = new SecretsmanagerSecret(this, id, {
      name: `${this.naming.prefix}/${this.name}/${path}`,
      description,
      kmsKeyId: this.secretsKeyArn,
      recoveryWindowInDays: 30,
      lifecycle: { preventDestroy: this.preventDestroy },
    });
    const value = new SecretsmanagerSecretVersion(this, `${id}-value`, {
      secretId: secret.id,
      secretStringWo: Fn.jsonencode({ username, password }),
      secretStringWoVersion: FIRST_VALUE_VERSION,
    });
    this.secretArns.set(secret, secret.arn);
    return { secret, value };
  }

  /** GetSecretValue on `secret` and decrypt with the secrets key through Secrets Manager only. */
  private grantReadSecret(grantee: IGrantee, secret: SecretsmanagerSecret, whose: string): Grant {
    const broker = this.sidPart(this.name);
    return Grant.addToPrincipal(grantee, [
      { Sid: `AmazonMq${broker}Read${this.sidPart(whose)}Credential`, Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: this.secretArns.get(secret)! },
      {
        Sid: `AmazonMq${broker}DecryptCredentials`,
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: this.secretsKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${this.naming.region}.amazonaws.com` } },
      },
    ]);
  }

  private sidPart(name: string): string {
    return name.replace(/(^|[-_])([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase());
  }
}
