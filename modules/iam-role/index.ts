import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { type IGrantee, mergeStatements } from "../../lib/grants";
import { type PolicyStatement, policyDocument } from "../../lib/iam";

export interface RoleProps {
  /** Role name (IAM is global: give a name unique across regions, e.g. `naming.globalName`). */
  readonly name: string;
  readonly description: string;
  /** Trust policy; `serviceTrustPolicy` (lib/iam.ts) pins it to the account and a source ARN. */
  readonly assumeRolePolicy: string;
  /** Name of the role's one inline policy. @default the role's name */
  readonly policyName?: string;
  /** Statements the role always has; grants add more. @default none */
  readonly statements?: readonly PolicyStatement[];
  /** Managed policy that caps every permission of the role. @default none */
  readonly permissionsBoundaryArn?: string;
  /** Maximum session, seconds. @default 3600 */
  readonly maxSessionDuration?: number;
  /** Managed policies attached to the role (AWS-managed service policies only). @default none */
  readonly managedPolicyArns?: readonly string[];
}

/**
 * An IAM role whose permissions are one inline policy, built from exact statements at synthesis.
 * It is the project's only grantee (`IGrantee`, lib/grants.ts): resources grant to it, and a
 * reused Sid with different content is an error rather than a silently dropped statement.
 */
export class Role extends Construct implements IGrantee {
  readonly role: IamRole;
  /** The inline policy; depend on it when a service checks the role's permissions at creation. */
  readonly policy: IamRolePolicy;
  private readonly statements: PolicyStatement[] = [];

  constructor(scope: Construct, id: string, props: RoleProps) {
    super(scope, id);
    mergeStatements(this.statements, props.statements ?? [], `role ${props.name}`, this);
    this.role = new IamRole(this, "role", {
      name: props.name,
      description: props.description,
      assumeRolePolicy: props.assumeRolePolicy,
      permissionsBoundary: props.permissionsBoundaryArn,
      maxSessionDuration: props.maxSessionDuration ?? 3600,
      managedPolicyArns: props.managedPolicyArns ? [...props.managedPolicyArns] : undefined,
    });
    this.policy = new IamRolePolicy(this, "policy", {
      name: props.policyName ?? props.name,
      role: this.role.id,
      policy: Lazy.stringValue({ produce: () => policyDocument(this.statements) }),
    });
    this.node.addValidation({
      validate: () => (this.statements.length === 0 ? [`role ${props.name} has an empty policy`] : []),
    });
  }

  get roleArn(): string {
    return this.role.arn;
  }

  get roleName(): string {
    return this.role.name;
  }

  /** Statements so far (the policy renders from them at synthesis). */
  get policyStatements(): readonly PolicyStatement[] {
    return this.statements;
  }

  addToPrincipalPolicy(statements: readonly PolicyStatement[]): void {
    mergeStatements(this.statements, statements, `role ${this.node.path}`, this);
  }
}
