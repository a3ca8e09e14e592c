import type { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { Construct } from "constructs";
import { type PolicyStatement, serviceTrustPolicy } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import { Role } from "../iam-role";
import type { KmsKey } from "../kms-key";

/**
 * GuardDuty's ECR account per region, hosting the Runtime Monitoring sidecar that GuardDuty adds
 * to Fargate tasks; the execution role pulls it like the services' own images. A region missing
 * here fails synthesis (`guardDutyAgentRepositoryArn`), so a new region cannot silently lose it.
 * Source: GuardDuty user guide, "ECR repository for GuardDuty agent on AWS Fargate".
 */
export const GUARDDUTY_AGENT_ACCOUNTS: Readonly<Record<string, string>> = {
  "us-east-1": "593207742271",
  "us-east-2": "307168627858",
  "us-west-2": "733349766148",
  "eu-west-1": "694911143906",
  "eu-west-2": "892757235363",
  "eu-central-1": "323658145986",
};

/** Where GuardDuty's Fargate agent image lives in `region`; throws for a region not in GUARDDUTY_AGENT_ACCOUNTS. */
export function guardDutyAgentRepositoryArn(region: string): string {
  const account = GUARDDUTY_AGENT_ACCOUNTS[region];
  if (!account) throw new Error(`no GuardDuty agent account for ${region}: add it to GUARDDUTY_AGENT_ACCOUNTS (modules/security/iam.ts)`);
  return `arn:aws:ecr:${region}:${account}:repository/aws-guardduty-agent-fargate`;
}

/** One ECS service the roles are for. */
export interface WorkloadIdentity {
  /** The service's name: its task role is `lma-<env>-<region short name>-<name>-task`. */
  readonly name: string;
  /** Application secrets (short names) ECS injects into its tasks. @default none */
  readonly secrets?: readonly string[];
}

export interface WorkloadRolesProps {
  readonly naming: Naming;
  readonly services: readonly WorkloadIdentity[];
  /** Application secrets by short name; the execution role reads the ones `services` list. */
  readonly secrets: Readonly<Record<string, SecretsmanagerSecret>>;
  /** The key the secrets are encrypted with. */
  readonly secretsKey: KmsKey;
  /** @default none */
  readonly permissionsBoundaryArn?: string;
}

/**
 * The ECS roles: one shared task-execution role (the ECS agent's identity: image pulls, log
 * streams, secret injection) and one task role per service (the application's identity). Both
 * trust only `ecs-tasks.amazonaws.com` for this account's ECS resources in this region.
 *
 * The roles start with what this baseline owns — the execution role reads the application
 * secrets the services are injected — and everything else is granted by the construct that owns
 * the resource (`Grant`, lib/grants.ts): image repositories, log groups and the X-Ray sidecar by
 * modules/ecs, data stores by their `bind`.
 */
export class WorkloadRoles extends Construct {
  readonly executionRole: Role;
  readonly taskRoles: Readonly<Record<string, Role>>;

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

    this.executionRole = new Role(this, "execution", {
      name: naming.globalName("ecs-execution"),
      description: "ECS task execution: pulls the services' images, writes their log streams, injects their secrets",
      assumeRolePolicy: trust,
      policyName: "ecs-execution",
      permissionsBoundaryArn: props.permissionsBoundaryArn,
      statements:
        secretArns.length === 0
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
            ] satisfies PolicyStatement[]),
    });

    const taskRoles: Record<string, Role> = {};
    for (const service of services) {
      taskRoles[service.name] = new Role(this, `task-${service.name}`, {
        name: naming.globalName(`${service.name}-task`),
        description: `The ${service.name} service's application identity`,
        assumeRolePolicy: trust,
        policyName: `${service.name}-task`,
        permissionsBoundaryArn: props.permissionsBoundaryArn,
      });
    }
    this.taskRoles = taskRoles;
  }

  /** The task role of a service; throws for a service the roles were not made for. */
  taskRole(serviceName: string): Role {
    const role = this.taskRoles[serviceName];
    if (!role) throw new Error(`no task role for service "${serviceName}" (known: ${Object.keys(this.taskRoles).join(", ")})`);
    return role;
  }
}
