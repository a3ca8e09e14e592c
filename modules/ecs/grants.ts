import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { Construct, IConstruct } from "constructs";
import { type PolicyStatement, policyDocument } from "../../lib/iam";

/**
 * An IAM role a service uses, created elsewhere (the security baseline) and passed in. A role that
 * can grow its own policy (`addToPolicy`, like modules/security's `ServiceRole`) gets the
 * statements there, keeping one inline policy per role; any other role gets an inline policy.
 */
export interface ServiceRole extends IConstruct {
  /** The role's name (inline policies attach by name). */
  readonly name: string;
  /** The role's ARN (task definitions and trust reference it). */
  readonly arn: string;
  addToPolicy?(...statements: PolicyStatement[]): void;
}

/** Grants `statements` to `role`: in its own policy when it has one, else as `policyName`. */
export function grantToRole(scope: Construct, id: string, role: ServiceRole, policyName: string, statements: PolicyStatement[]): void {
  if (role.addToPolicy) {
    role.addToPolicy(...statements);
    return;
  }
  new IamRolePolicy(scope, id, { name: policyName, role: role.name, policy: policyDocument(statements) });
}
