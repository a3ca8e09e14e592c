/** Typed IAM policy documents, rendered to JSON at synthesis (no data source, so plans stay offline). */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: "*" | Readonly<Record<string, string | readonly string[]>>;
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | boolean | number | readonly string[]>>>>;
}

export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
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
