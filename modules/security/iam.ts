import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import type { AwsRegion, ServiceConfig } from "../../environments/types";
import { type PolicyStatement, policyDocument, serviceTrustPolicy } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import type { KmsKey } from "../kms-key";

/**
 * GuardDuty's ECR account per region, hosting the Runtime Monitoring sidecar that GuardDuty adds
 * to Fargate tasks; the execution role pulls it like the services' own images. Typed by
 * `AwsRegion`, so adding a region to the platform fails to compile until it is listed here.
 * Source: GuardDuty user guide, "ECR repository for GuardDuty agent on AWS Fargate".
 */
export const GUARDDUTY_AGENT_ACCOUNTS: Readonly<Record<AwsRegion, string>> = {
  "us-east-1": "593207742271",
  "us-east-2": "307168627858",
  "us-west-2": "733349766148",
  "eu-west-1": "694911143906",
  "eu-west-2": "892757235363",
  "eu-central-1": "323658145986",
};

export interface ServiceRoleProps {
  /** Role name (IAM is global: use `naming.globalName`). */
  readonly name: string;
  readonly description: string;
  /** Trust policy; `serviceTrustPolicy` pins it to the account and, where possible, a source ARN. */
  readonly assumeRolePolicy: string;
  /** Name of the role's inline policy. */
  readonly policyName: string;
  /** Statements the role always has; more come through `addToPolicy` and the grant methods. */
  readonly statements?: readonly PolicyStatement[];
  /** Managed policy that caps every permission of the role. @default none */
  readonly permissionsBoundaryArn?: string;
}

/**
 * An IAM role whose permissions are one inline policy built up from exact statements
 * (`addToPolicy`), rendered at synthesis. Satisfies `GrantableRole` of modules/s3, so buckets
 * can grant to it too.
 */
export class ServiceRole extends Construct {
  readonly role: IamRole;
  /** The inline policy; depend on it when a service checks the role's permissions at creation. */
  readonly policy: IamRolePolicy;
  private readonly statements: PolicyStatement[];

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    this.statements = [...(props.statements ?? [])];
    this.role = new IamRole(this, "role", {
      name: props.name,
      description: props.description,
      assumeRolePolicy: props.assumeRolePolicy,
      permissionsBoundary: props.permissionsBoundaryArn,
      maxSessionDuration: 3600,
    });
    this.policy = new IamRolePolicy(this, "policy", {
      name: props.policyName,
      role: this.role.id,
      policy: Lazy.stringValue({ produce: () => policyDocument(this.statements) }),
    });
    this.node.addValidation({
      validate: () => (this.statements.length === 0 ? [`role ${props.name} has an empty policy`] : []),
    });
  }

  get arn(): string {
    return this.role.arn;
  }

  /** The role's name, for attachments and `GrantableRole`. */
  get name(): string {
    return this.role.name;
  }

  /** Statements so far (the policy renders from them at synthesis). */
  get policyStatements(): readonly PolicyStatement[] {
    return this.statements;
  }

  /** Adds statements to the role's inline policy; a statement whose Sid is already there is skipped. */
  addToPolicy(...statements: PolicyStatement[]): void {
    for (const statement of statements) {
      if (statement.Sid && this.statements.some((existing) => existing.Sid === statement.Sid)) continue;
      this.statements.push(statement);
    }
  }
}

export interface WorkloadRolesProps {
  readonly naming: Naming;
  readonly services: readonly ServiceConfig[];
  /** Application secrets by short name; the execution role reads the ones the catalogue lists. */
  readonly secrets: Readonly<Record<string, SecretsmanagerSecret>>;
  /** The key the secrets are encrypted with. */
  readonly secretsKey: KmsKey;
  /** @default none */
  readonly permissionsBoundaryArn?: string;
}

/** X-Ray's write and sampling APIs have no resource-level permissions (lib/policy-checks.ts). */
const XRAY_WRITE = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "xray:GetSamplingStatisticSummaries",
];

/** The ECR repository of a service by the naming convention: `lma-<env>/<service>`. */
export function ecrRepositoryArn(naming: Naming, service: string): string {
  return naming.arn("ecr", `repository/${naming.prefix}/${service}`);
}

/** The CloudWatch log group a service's containers write to: `/lma/<env>/ecs/<service>`. */
export function serviceLogGroupName(naming: Naming, service: string): string {
  return naming.logGroupName("ecs", service);
}

/**
 * The ECS roles: one shared task-execution role (the ECS agent's identity: image pulls, log
 * streams, secret injection) and one task role per service (the application's identity). Both
 * trust only `ecs-tasks.amazonaws.com` for this account's ECS resources in this region.
 */
export class WorkloadRoles extends Construct {
  readonly executionRole: ServiceRole;
  readonly taskRoles: Readonly<Record<string, ServiceRole>>;

  constructor(scope: Construct, id: string, props: WorkloadRolesProps) {
    super(scope, id);
    const { naming, services } = props;
    const trust = serviceTrustPolicy("ecs-tasks.amazonaws.com", naming.accountId, naming.arn("ecs", "*"));
    const secretArns = [...new Set(services.flatMap((service) => service.secrets ?? []))]
      .sort()
      .map((name) => {
        const secret = props.secrets[name];
        if (!secret) throw new Error(`no secret "${name}" in the security baseline`);
        return secret.arn;
      });
    const logGroupArns = services.map((service) => naming.arn("logs", `log-group:${serviceLogGroupName(naming, service.name)}`));

    this.executionRole = new ServiceRole(this, "execution", {
      name: naming.globalName("ecs-execution"),
      description: "ECS task execution: pulls the services' images, writes their log streams, injects their secrets",
      assumeRolePolicy: trust,
      policyName: "ecs-execution",
      permissionsBoundaryArn: props.permissionsBoundaryArn,
      statements: [
        { Sid: "EcrAuthorizationToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        {
          Sid: "PullServiceImages",
          Effect: "Allow",
          Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
          Resource: [
            ...services.map((service) => ecrRepositoryArn(naming, service.name)),
            // GuardDuty Runtime Monitoring's sidecar (detection.ts turns on its Fargate agent).
            `arn:aws:ecr:${naming.region}:${GUARDDUTY_AGENT_ACCOUNTS[naming.region]}:repository/aws-guardduty-agent-fargate`,
          ],
        },
        {
          Sid: "WriteServiceLogStreams",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: logGroupArns.flatMap((arn) => [arn, `${arn}:log-stream:*`]),
        },
        ...(secretArns.length === 0
          ? []
          : ([
              { Sid: "ReadServiceSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArns },
              {
                Sid: "DecryptServiceSecrets",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: props.secretsKey.arn,
                Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${naming.region}.amazonaws.com` } },
              },
            ] satisfies PolicyStatement[])),
      ],
    });

    const taskRoles: Record<string, ServiceRole> = {};
    for (const service of services) {
      taskRoles[service.name] = new ServiceRole(this, `task-${service.name}`, {
        name: naming.globalName(`${service.name}-task`),
        description: `The ${service.name} service's application identity`,
        assumeRolePolicy: trust,
        policyName: `${service.name}-task`,
        permissionsBoundaryArn: props.permissionsBoundaryArn,
        statements: [{ Sid: "XRayWrite", Effect: "Allow", Action: XRAY_WRITE, Resource: "*" }],
      });
    }
    this.taskRoles = taskRoles;
  }

  /** The task role of a service; throws for a service the catalogue does not have. */
  taskRole(serviceName: string): ServiceRole {
    const role = this.taskRoles[serviceName];
    if (!role) throw new Error(`no task role for service "${serviceName}" (known: ${Object.keys(this.taskRoles).join(", ")})`);
    return role;
  }
}
