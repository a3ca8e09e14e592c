import {
  type PolicyStatement,
  accountOf,
  asList,
  literal,
  referenced,
  regionOf,
  reporter,
  resources,
  statementsOf,
  wildcardMatches,
} from "../terraform-json";
import type { Rule } from "../types";

function actionsOf(statement: PolicyStatement): string[] {
  return asList(statement.Action);
}

function allows(statement: PolicyStatement, action: string): boolean {
  return actionsOf(statement).some((pattern) => wildcardMatches(pattern.toLowerCase(), action.toLowerCase()));
}

function servicePrincipals(statement: PolicyStatement): string[] {
  return typeof statement.Principal === "object" ? asList(statement.Principal.Service) : [];
}

function awsPrincipals(statement: PolicyStatement): string[] {
  if (statement.Principal === "*") return ["*"];
  return typeof statement.Principal === "object" ? asList(statement.Principal.AWS) : [];
}

/** Whether a statement's conditions on the log-group encryption context admit this log group. */
function admitsLogGroup(statement: PolicyStatement, logGroupArn: string): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, conditions]) =>
    Object.entries(conditions).every(([key, value]) => {
      if (key.toLowerCase() !== "kms:encryptioncontext:aws:logs:arn") return true;
      const patterns = asList(value as string | string[]);
      return /Like$/.test(operator) ? patterns.some((pattern) => wildcardMatches(pattern, logGroupArn)) : patterns.includes(logGroupArn);
    }),
  );
}

// What CloudWatch Logs calls on the key when it encrypts a log group's data.
const LOGS_KEY_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey", "kms:DescribeKey"];

const logGroupKeyAllowsLogs: Rule = {
  id: "kms-key-policy-allows-logs-for-log-group",
  description:
    "A log group encrypted with a KMS key needs that key's policy to let logs.<region>.amazonaws.com use it for this log group's ARN (kms:EncryptionContext:aws:logs:arn); otherwise CreateLogGroup/AssociateKmsKey fails.",
  source:
    "Amazon CloudWatch Logs User Guide, Encrypt log data in CloudWatch Logs using AWS KMS > Step 2: Set permissions on the KMS key: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",
  check(input) {
    const { json } = input;
    const report = reporter(this.id);
    const account = accountOf(input);
    return resources(json, "aws_cloudwatch_log_group").flatMap(({ address, body }) => {
      const key = referenced(json, body.kms_key_id);
      const name = literal(body.name);
      const region = regionOf(json, body);
      if (!key || key.type !== "aws_kms_key" || !name || !region || !account) return [];
      const logGroupArn = `arn:aws:logs:${region}:${account}:log-group:${name}`;
      const admitted = statementsOf(key.body.policy).some(
        (statement) =>
          statement.Effect === "Allow" &&
          servicePrincipals(statement).some((service) => service === `logs.${region}.amazonaws.com` || service === "logs.amazonaws.com") &&
          LOGS_KEY_ACTIONS.every((action) => allows(statement, action)) &&
          admitsLogGroup(statement, logGroupArn),
      );
      return admitted ? [] : [report(address, `the policy of ${key.address} does not let logs.${region}.amazonaws.com use the key for ${logGroupArn}`)];
    });
  },
};

const keyPolicyNamesPrincipals: Rule = {
  id: "kms-key-policy-names-principals",
  description:
    'A key policy grants use to named principals (roles), not to "*"/AWS:"*" gated only by conditions such as kms:ViaService and kms:CallerAccount.',
  source:
    "AWS KMS Developer Guide, Key policies > Permissions for AWS services in key policies, and Security best practices for AWS KMS (least privilege): https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-services.html",
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_kms_key").flatMap(({ address, body }) =>
      statementsOf(body.policy)
        .filter((statement) => statement.Effect === "Allow" && awsPrincipals(statement).includes("*"))
        .map((statement) => report(address, `statement ${statement.Sid ?? "(no Sid)"} allows any principal ("*"); name the roles that use the key`)),
    );
  },
};

// Actions of the key administrators' statement in the KMS default policy, which holds no cryptographic operation.
const ADMINISTRATION = ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:UpdateKeyDescription"];
const USE = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"];

const keyAdministrationSeparateFromUse: Rule = {
  id: "kms-key-administration-separate-from-use",
  description: "No key-policy statement gives one principal both key administration and cryptographic use (e.g. kms:*).",
  source:
    "AWS KMS Developer Guide, Default key policy > Allows key administrators to administer the KMS key / Allows key users to use the KMS key: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html",
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_kms_key").flatMap(({ address, body }) =>
      statementsOf(body.policy)
        .filter(
          (statement) =>
            statement.Effect === "Allow" &&
            awsPrincipals(statement).length > 0 &&
            ADMINISTRATION.some((action) => allows(statement, action)) &&
            USE.some((action) => allows(statement, action)),
        )
        .map((statement) =>
          report(address, `statement ${statement.Sid ?? "(no Sid)"} lets ${awsPrincipals(statement).join(", ")} both administer and use the key (${actionsOf(statement).join(", ")})`),
        ),
    );
  },
};

const WAF_LOG_PREFIX = "aws-waf-logs-";

const wafLogDestinationPrefix: Rule = {
  id: "waf-log-destination-prefix",
  description: `A web ACL's log destination (CloudWatch Logs log group, S3 bucket or Firehose stream) has a name starting with "${WAF_LOG_PREFIX}".`,
  source: "AWS WAF Developer Guide, Logging destinations > Sending web ACL traffic logs to an Amazon CloudWatch Logs log group: https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html",
  check({ json }) {
    const report = reporter(this.id);
    const NAME_ATTRIBUTE: Record<string, string> = { aws_cloudwatch_log_group: "name", aws_s3_bucket: "bucket", aws_kinesis_firehose_delivery_stream: "name" };
    return resources(json, "aws_wafv2_web_acl_logging_configuration").flatMap(({ address, body }) =>
      asList(body.log_destination_configs as string[] | undefined).flatMap((destination) => {
        const target = referenced(json, destination);
        const attribute = target ? NAME_ATTRIBUTE[target.type] : undefined;
        // A literal ARN ends with the name: log-group:NAME, :::NAME (S3), deliverystream/NAME.
        const name = target && attribute ? literal(target.body[attribute]) : literal(destination)?.split(/log-group:|:::|deliverystream\//).at(-1)?.replace(/:\*$/, "");
        return name === undefined || name.startsWith(WAF_LOG_PREFIX) ? [] : [report(address, `log destination "${name}" does not start with "${WAF_LOG_PREFIX}"`)];
      }),
    );
  },
};

export const KEY_AND_LOG_RULES: readonly Rule[] = [logGroupKeyAllowsLogs, keyPolicyNamesPrincipals, keyAdministrationSeparateFromUse, wafLogDestinationPrefix];
