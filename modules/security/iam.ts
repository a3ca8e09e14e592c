import { Construct } from "constructs";
import { type PolicyStatement, serviceTrustPolicy } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import { Role } from "../iam-role";
import type { KmsKey } from "../kms-key";
import type { ApplicationSecretReference } from "./secrets";

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
  /**
   * The service's name: its roles are `lma-<env>-<region short name>-<name>-task` and
   * `…-<name>-execution` (IAM's 64 characters: the catalogue keeps service names to 20).
   */
  readonly name: string;
  /** Application secrets (short names) ECS injects into its tasks. @default none */
  readonly secrets?: readonly string[];
}

export interface WorkloadRolesProps {
  readonly naming: Naming;
  readonly services: readonly WorkloadIdentity[];
  /** Application secrets by short name; each service's execution role reads the ones it lists. */
  readonly secrets: Readonly<Record<string, Pick<ApplicationSecretReference, "iamResource">>>;
  /** The key the secrets (or, in a region of replicas, the replicas) are encrypted with. */
  readonly secretsKey: KmsKey;
  /** @default none */
  readonly permissionsBoundaryArn?: string;
}

/**
 * The ECS roles, two per service: its task-execution role (the ECS agent's identity for that
 * service: image pulls, log streams, secret injection) and its task role (the application's
 * identity). One execution role per service, so a service's agent can read that service's
 * third-party secrets and nobody else's. All trust only `ecs-tasks.amazonaws.com` for this
 * account's ECS resources in this region.
 *
 * The roles start with what this baseline owns — each execution role reads the application
 * secrets its service is injected — and everything else is granted by the construct that owns
 * the resource (`Grant`, lib/grants.ts): the service's image repository, log group and the X-Ray
 * sidecar by modules/ecs, data-store credentials and IAM access by the stores' `bind`. The secrets
 * key's policy names each execution role through these grants (modules/kms-key).
 */
export class WorkloadRoles extends Construct {
  readonly executionRoles: Readonly<Record<string, Role>>;
  readonly taskRoles: Readonly<Record<string, Role>>;

  constructor(scope: Construct, id: string, props: WorkloadRolesProps) {
    super(scope, id);
    const { naming, services } = props;
    const trust = serviceTrustPolicy("ecs-tasks.amazonaws.com", naming.accountId, naming.arn("ecs", "*"));
    const role = (service: string, purpose: "execution" | "task", description: string, statements: readonly PolicyStatement[] = []) =>
      new Role(this, `${purpose}-${service}`, {
        name: naming.globalName(`${service}-${purpose}`),
        description,
        assumeRolePolicy: trust,
        policyName: `${service}-${purpose}`,
        permissionsBoundaryArn: props.permissionsBoundaryArn,
        statements,
      });

    const executionRoles: Record<string, Role> = {};
    const taskRoles: Record<string, Role> = {};
    for (const service of services) {
      executionRoles[service.name] = role(
        service.name,
        "execution",
        `ECS task execution for ${service.name}: pulls its images, writes its log streams, injects its secrets`,
        secretStatements(naming, service, props.secrets, props.secretsKey),
      );
      taskRoles[service.name] = role(service.name, "task", `The ${service.name} service's application identity`);
    }
    this.executionRoles = executionRoles;
    this.taskRoles = taskRoles;
  }

  /** The task-execution role of a service; throws for a service the roles were not made for. */
  executionRole(serviceName: string): Role {
    return this.roleOf(this.executionRoles, "execution", serviceName);
  }

  /** The task role of a service; throws for a service the roles were not made for. */
  taskRole(serviceName: string): Role {
    return this.roleOf(this.taskRoles, "task", serviceName);
  }

  private roleOf(roles: Readonly<Record<string, Role>>, purpose: string, serviceName: string): Role {
    const role = roles[serviceName];
    if (!role) throw new Error(`no ${purpose} role for service "${serviceName}" (known: ${Object.keys(roles).join(", ")})`);
    return role;
  }
}

/** What one service's execution role needs to inject its own application secrets (none: nothing). */
function secretStatements(
  naming: Naming,
  service: WorkloadIdentity,
  secrets: WorkloadRolesProps["secrets"],
  secretsKey: KmsKey,
): PolicyStatement[] {
  const arns = [...new Set(service.secrets ?? [])].sort().map((name) => {
    const secret = secrets[name];
    if (!secret) throw new Error(`service "${service.name}": no secret "${name}" in the security baseline`);
    return secret.iamResource;
  });
  if (arns.length === 0) return [];
  return [
    { Sid: "ReadServiceSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: arns },
    {
      Sid: "DecryptServiceSecrets",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: secretsKey.arn,
      Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${naming.region}.amazonaws.com` } },
    },
  ];
}
