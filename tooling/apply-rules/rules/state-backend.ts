import { type PolicyStatement, asList, block, literal, providerAccount, referenced, regionOf, reporter, resources, statementsOf, wildcardMatches } from "../terraform-json";
import type { Rule, StackJson } from "../types";

const KEY_HEADER = "s3:x-amz-server-side-encryption-aws-kms-key-id";

/**
 * The header values a condition value admits. S3 compares the header literally, so a reference to
 * a key's ARN admits only key ARNs and a reference to an alias admits only that alias's ARN.
 */
function admitted(stack: StackJson, value: unknown, region: string, account: string): (header: string) => boolean {
  const target = referenced(stack, value);
  if (target?.type === "aws_kms_key" && target.attribute === "arn") return (header) => wildcardMatches(`arn:aws:kms:${region}:${account}:key/*`, header);
  if (target?.type === "aws_kms_alias" && target.attribute === "arn") {
    const expected = `arn:aws:kms:${region}:${account}:${literal(target.body.name)}`;
    return (header) => header === expected;
  }
  const text = literal(value);
  return (header) => header === text;
}

function deniesPut(statement: PolicyStatement): boolean {
  return statement.Effect === "Deny" && asList(statement.Action).some((action) => wildcardMatches(action.toLowerCase(), "s3:putobject"));
}

const backendKeyMatchesStatePolicy: Rule = {
  id: "state-backend-kms-key-matches-bucket-policy",
  description:
    "The S3 backend's kms_key_id is a value the state bucket's policy admits for s3:x-amz-server-side-encryption-aws-kms-key-id; S3 compares the header literally (an alias ARN never equals a key ARN), and a Deny with StringNotEquals[IfExists] also denies when the header is absent.",
  source:
    "Amazon S3 User Guide, Specifying server-side encryption with AWS KMS (SSE-KMS) > Requiring SSE-KMS for all objects / x-amz-server-side-encryption-aws-kms-key-id: https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-kms-encryption.html; IAM User Guide, IAM JSON policy elements: Condition operators (…IfExists, negated operators with missing keys): https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html",
  check({ json, context }) {
    const backend = block(block(json.terraform?.backend)?.s3);
    const bucketName = literal(backend?.bucket);
    if (!backend || !bucketName) return [];
    const report = reporter(this.id);
    const header = literal(backend.kms_key_id);
    return [...new Set([...context.stacks.values(), json])].flatMap((stack) => {
      const account = providerAccount(stack);
      return resources(stack, "aws_s3_bucket")
        .filter(({ body }) => literal(body.bucket) === bucketName)
        .flatMap((bucket) => {
          const region = regionOf(stack, bucket.body);
          if (!region || !account) return [];
          return resources(stack, "aws_s3_bucket_policy")
            .filter(({ body }) => referenced(stack, body.bucket)?.address === bucket.address)
            .flatMap(({ address: policyAddress, body }) =>
              statementsOf(body.policy)
                .filter(deniesPut)
                .flatMap((statement) =>
                  Object.entries(statement.Condition ?? {})
                    .filter(([operator]) => /^StringNotEquals(IgnoreCase)?(IfExists)?$/.test(operator))
                    .flatMap(([, conditions]) => {
                      const values = conditions[KEY_HEADER];
                      if (values === undefined) return [];
                      const accepts = asList(values as unknown[]).map((value) => admitted(stack, value, region, account));
                      if (header !== undefined && accepts.some((accept) => accept(header))) return [];
                      const sent = header === undefined ? "no kms_key_id (the header is absent)" : `kms_key_id "${header}"`;
                      return [
                        report(
                          "terraform.backend.s3",
                          `${policyAddress} statement ${statement.Sid ?? "(no Sid)"} denies every state write: the backend sends ${sent}, the policy requires ${JSON.stringify(values)}`,
                        ),
                      ];
                    }),
                ),
            );
        });
    });
  },
};

export const STATE_BACKEND_RULES: readonly Rule[] = [backendKeyMatchesStatePolicy];
