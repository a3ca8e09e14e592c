/**
 * Typed IAM policy documents, rendered to JSON at synthesis (no data source, so plans stay
 * offline). Granting them to a role goes through lib/grants.ts.
 */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: "*" | Readonly<Record<string, string | readonly string[]>>;
  /** The actions; exactly one of `Action` and `NotAction` (the latter only in Deny statements). */
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | boolean | number | readonly string[]>>>>;
}

export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * An IAM policy variable such as `${aws:username}`, escaped so Terraform does not read it as an
 * interpolation (`$${…}` in the synthesized JSON is the literal `${…}` in the policy AWS gets).
 */
export function policyVariable(name: string): string {
  return `$\${${name}}`;
}

/** A trust policy for an AWS service, pinned to this account (confused-deputy protection). */
export function serviceTrustPolicy(
  service: string,
  accountId: string,
  sourceArn?: string,
): string {
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { Service: service },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": accountId },
        ...(sourceArn ? { ArnLike: { "aws:SourceArn": sourceArn } } : {}),
      },
    },
  ]);
}
