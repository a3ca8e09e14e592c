import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import { environmentSchema } from "../../../environments/schema";
import { listOf, synthRegional } from "../../support/synth";
import { bucketNamed, keyArnRef, only, ref, statement, statementsOf } from "../s3/support";

const primary = synthRegional(production, 0).json;
const standby = synthRegional(production, 1).json;
const development = synthRegional(dev, 0).json;
const ACCOUNT = production.accountId;
const NAMES = ["document-processor", "email-notifier", "scheduled-jobs"] as const;
/** Actions that take no resource ARN: the only ones a function role may grant on "*". */
const UNSCOPABLE = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"];

const lambda = (json: typeof primary, name: string) => only(json, "aws_lambda_function", (body) => body.function_name === name);

describe.each(NAMES)("production function %s", (name) => {
  const [logical, fn] = lambda(primary, `lma-production-${name}`);
  const config = production.functions[name]!;

  it("runs the pinned release artifact from the artifacts bucket named by the convention", () => {
    expect(fn).toMatchObject({
      s3_bucket: `lma-production-artifacts-us-east-1-${ACCOUNT}`,
      s3_key: `lambda/${name}/${production.release.functions[name]}.zip`,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
    });
  });

  it("is sized from configuration, with reserved concurrency and X-Ray active tracing", () => {
    expect(fn).toMatchObject({
      memory_size: config.memoryMiB,
      timeout: config.timeoutSeconds,
      reserved_concurrent_executions: config.reservedConcurrency,
      tracing_config: { mode: "Active" },
      kms_key_arn: keyArnRef(primary, "lma-production-data"),
    });
  });

  it("runs in the app subnets behind the chain's functions group", () => {
    expect(fn.vpc_config.subnet_ids).toHaveLength(3);
    expect(fn.vpc_config.subnet_ids.every((id: string) => id.includes("_app"))).toBe(true);
    expect(fn.vpc_config.security_group_ids).toEqual([expect.stringMatching(/^\$\{aws_security_group\.security-groups_functions_group_/)]);
  });

  it("logs JSON into its own KMS log group", () => {
    const [group, body] = only(primary, "aws_cloudwatch_log_group", (candidate) => candidate.name === `/lma/production/lambda/${name}`);
    expect(body).toMatchObject({ kms_key_id: keyArnRef(primary, "lma-production-logs"), retention_in_days: 365 });
    expect(fn.logging_config).toMatchObject({ log_format: "JSON", log_group: ref("aws_cloudwatch_log_group", group, "name") });
  });

  it("sends events that failed every retry to its own KMS failure queue", () => {
    const [, invoke] = only(primary, "aws_lambda_function_event_invoke_config", (body) => body.function_name === ref("aws_lambda_function", logical, "function_name"));
    const [queue, queueBody] = only(primary, "aws_sqs_queue", (body) => body.name === `lma-production-${name}-failures`);
    expect(queueBody.kms_master_key_id).toBe(keyArnRef(primary, "lma-production-data"));
    expect(invoke).toMatchObject({
      maximum_retry_attempts: 2,
      destination_config: { on_failure: { destination: ref("aws_sqs_queue", queue, "arn") } },
    });
  });

  it("has its own role: logs to its group only, no wildcard action, '*' only for X-Ray and EC2 Describe", () => {
    const [role] = only(primary, "aws_iam_role", (body) => body.name === `lma-production-use1-${name}-lambda`);
    expect(fn.role).toBe(ref("aws_iam_role", role, "arn"));
    const policies = listOf(primary, "aws_iam_role_policy").filter((body) => body.role === ref("aws_iam_role", role, "name"));
    const statements = policies.flatMap((policy) => statementsOf(policy.policy));
    expect(statement(policies.find((policy) => policy.name === "function")!.policy, "WriteOwnLogs").Resource).toMatch(
      new RegExp(`^\\$\\{aws_cloudwatch_log_group\\.functions_${name}_logs_group_[A-F0-9]+\\.arn\\}:\\*$`),
    );
    for (const s of statements) {
      expect([s.Action].flat().some((action: string) => action.endsWith(":*") || action === "*")).toBe(false);
      if (s.Resource === "*") expect(UNSCOPABLE).toEqual(expect.arrayContaining([s.Action].flat()));
    }
  });
});

describe("document processing", () => {
  const documents = bucketNamed(primary, `lma-production-documents-us-east-1-${ACCOUNT}`);
  const [processor] = lambda(primary, "lma-production-document-processor");

  it("is triggered by new objects under incoming/ in the documents bucket", () => {
    const [, notification] = only(primary, "aws_s3_bucket_notification");
    expect(notification.bucket).toBe(ref("aws_s3_bucket", documents, "id"));
    expect(notification.lambda_function).toEqual([
      {
        id: "process-incoming-documents",
        lambda_function_arn: ref("aws_lambda_function", processor, "arn"),
        events: ["s3:ObjectCreated:*"],
        filter_prefix: "incoming/",
      },
    ]);
  });

  it("may be invoked by S3 only for that bucket in this account", () => {
    const [permission, body] = only(primary, "aws_lambda_permission", (candidate) => candidate.principal === "s3.amazonaws.com");
    expect(body).toMatchObject({
      action: "lambda:InvokeFunction",
      principal: "s3.amazonaws.com",
      source_arn: ref("aws_s3_bucket", documents, "arn"),
      source_account: ACCOUNT,
      function_name: ref("aws_lambda_function", processor, "function_name"),
    });
    expect(only(primary, "aws_s3_bucket_notification")[1].depends_on).toContain(`aws_lambda_permission.${permission}`);
  });

  it("reads incoming/ and writes processed/ only, with the documents key through S3", () => {
    const [, policy] = only(primary, "aws_iam_role_policy", (body) => body.name === "function" && body.role.includes("document-processor"));
    expect(statement(policy.policy, "ReadIncomingDocuments").Resource).toBe(`${ref("aws_s3_bucket", documents, "arn")}/incoming/*`);
    expect(statement(policy.policy, "WriteProcessedDocuments")).toMatchObject({
      Action: "s3:PutObject",
      Resource: `${ref("aws_s3_bucket", documents, "arn")}/processed/*`,
    });
    expect(statement(policy.policy, "DocumentsKeyThroughS3").Condition).toEqual({
      StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
    });
  });
});

describe("email notifications", () => {
  const [queue, body] = only(primary, "aws_sqs_queue", (candidate) => candidate.name === "lma-production-email-notifications");
  const [dlq, dlqBody] = only(primary, "aws_sqs_queue", (candidate) => candidate.name === "lma-production-email-notifications-dlq");

  it("come from a KMS-encrypted queue that moves a message to its dead-letter queue after 5 receives", () => {
    expect(body).toMatchObject({
      kms_master_key_id: keyArnRef(primary, "lma-production-data"),
      visibility_timeout_seconds: 6 * production.functions["email-notifier"]!.timeoutSeconds,
    });
    expect(JSON.parse(body.redrive_policy)).toEqual({ deadLetterTargetArn: ref("aws_sqs_queue", dlq, "arn"), maxReceiveCount: 5 });
    expect(dlqBody).toMatchObject({ kms_master_key_id: keyArnRef(primary, "lma-production-data"), message_retention_seconds: 14 * 86400 });
  });

  it("are consumed by an event source mapping that reports partial batch failures", () => {
    const [notifier] = lambda(primary, "lma-production-email-notifier");
    const [, mapping] = only(primary, "aws_lambda_event_source_mapping");
    expect(mapping).toMatchObject({
      event_source_arn: ref("aws_sqs_queue", queue, "arn"),
      function_name: ref("aws_lambda_function", notifier, "arn"),
      batch_size: 10,
      function_response_types: ["ReportBatchItemFailures"],
      scaling_config: { maximum_concurrency: production.functions["email-notifier"]!.reservedConcurrency },
    });
  });

  it("are sent through the environment's SES identity only", () => {
    const [, policy] = only(primary, "aws_iam_role_policy", (candidate) => candidate.name === "function" && candidate.role.includes("email-notifier"));
    expect(statement(policy.policy, "SendEmailFromPlatformIdentity").Resource).toBe(`arn:aws:ses:us-east-1:${ACCOUNT}:identity/lma.example.com`);
  });

  it("queues refuse plain HTTP", () => {
    const [, queuePolicy] = only(primary, "aws_sqs_queue_policy", (candidate) => candidate.queue_url === ref("aws_sqs_queue", queue, "url"));
    expect(statement(queuePolicy.policy, "DenyInsecureTransport").Condition).toEqual({ Bool: { "aws:SecureTransport": false } });
  });
});

describe("scheduled jobs", () => {
  const schedules = listOf(primary, "aws_scheduler_schedule");
  const [jobs] = lambda(primary, "lma-production-scheduled-jobs");

  it("one EventBridge Scheduler schedule per configured job, in UTC, with retries and a dead-letter queue", () => {
    const configured = production.functions["scheduled-jobs"]!.schedules!;
    expect(schedules.map((schedule) => [schedule.name, schedule.schedule_expression]).sort()).toEqual(
      Object.entries(configured)
        .map(([job, expression]) => [`lma-production-${job}`, expression])
        .sort(),
    );
    const [failures] = only(primary, "aws_sqs_queue", (body) => body.name === "lma-production-scheduled-jobs-failures");
    for (const schedule of schedules) {
      expect(schedule).toMatchObject({
        schedule_expression_timezone: "UTC",
        flexible_time_window: { mode: "OFF" },
        target: {
          arn: ref("aws_lambda_function", jobs, "arn"),
          retry_policy: { maximum_retry_attempts: 2, maximum_event_age_in_seconds: 3600 },
          dead_letter_config: { arn: ref("aws_sqs_queue", failures, "arn") },
        },
      });
    }
  });

  it("are invoked by a scheduler role that may invoke that one function only", () => {
    const [role, body] = only(primary, "aws_iam_role", (candidate) => candidate.name === "lma-production-use1-scheduled-jobs-scheduler");
    expect(statementsOf(body.assume_role_policy)[0].Condition).toEqual({
      StringEquals: { "aws:SourceAccount": ACCOUNT },
      ArnLike: { "aws:SourceArn": `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/default/lma-production-*` },
    });
    const [, policy] = only(primary, "aws_iam_role_policy", (candidate) => candidate.role === ref("aws_iam_role", role, "name"));
    expect(statement(policy.policy, "InvokeScheduledJobs").Resource).toEqual([
      `arn:aws:lambda:us-east-1:${ACCOUNT}:function:lma-production-scheduled-jobs`,
      `arn:aws:lambda:us-east-1:${ACCOUNT}:function:lma-production-scheduled-jobs:*`,
    ]);
  });

  it("reach the database on 5432 from the functions group only", () => {
    const rules = listOf(primary, "aws_vpc_security_group_ingress_rule").filter(
      (rule) => rule.from_port === 5432 && String(rule.referenced_security_group_id).includes("security-groups_functions_group_"),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]!.security_group_id).toMatch(/security-groups_database_group_/);
  });
});

describe("where the functions run", () => {
  it("in the standby region, idle: replicated documents and scheduled jobs must not be processed twice", () => {
    expect(listOf(standby, "aws_lambda_function").length).toBeGreaterThan(0);
    expect(listOf(standby, "aws_s3_bucket_notification")).toEqual([]);
    expect(listOf(standby, "aws_scheduler_schedule").map((schedule) => schedule.state)).not.toContain("ENABLED");
  });

  it("in dev with dev's pins and sizes", () => {
    const [, fn] = lambda(development, "lma-dev-document-processor");
    expect(fn).toMatchObject({
      s3_key: `lambda/document-processor/${dev.release.functions["document-processor"]}.zip`,
      reserved_concurrent_executions: dev.functions["document-processor"]!.reservedConcurrency,
      memory_size: dev.functions["document-processor"]!.memoryMiB,
    });
  });
});

describe("code signing", () => {
  it.each([
    ["dev", dev, development],
    ["production", production, primary],
  ] as const)("checks every %s function against the pipeline's signing profile, as its configuration says", (_, environment, json) => {
    const [config, body] = only(json, "aws_lambda_code_signing_config", () => true);
    const expected = environment.security.lambdaCodeSigning === "enforce" ? "Enforce" : "Warn";
    expect(body.policies).toEqual({ untrusted_artifact_on_deployment: expected });
    const [profile, profileBody] = only(json, "aws_signer_signing_profile", () => true);
    expect(profileBody.platform_id).toBe("AWSLambda-SHA384-ECDSA");
    expect(body.allowed_publishers).toEqual({ signing_profile_version_arns: [ref("aws_signer_signing_profile", profile, "version_arn")] });
    for (const name of NAMES) {
      expect(lambda(json, `lma-${environment.name}-${name}`)[1].code_signing_config_arn).toBe(ref("aws_lambda_code_signing_config", config, "arn"));
    }
  });

  it("cannot be relaxed outside the development tier", () => {
    const relaxed = environmentSchema.safeParse({ ...production, security: { ...production.security, lambdaCodeSigning: "warn" } });
    expect(relaxed.success).toBe(false);
    expect(relaxed.error?.issues.map((issue) => issue.path.join("."))).toContain("security.lambdaCodeSigning");
  });
});

describe("schedules", () => {
  it("are encrypted with the data key, which the scheduler's role may decrypt", () => {
    const schedules = listOf(primary, "aws_scheduler_schedule");
    expect(schedules.length).toBeGreaterThan(0);
    for (const schedule of schedules) expect(schedule.kms_key_arn).toBe(keyArnRef(primary, "lma-production-data"));
    const [, role] = only(primary, "aws_iam_role", (body) => String(body.name).includes("scheduled-jobs-scheduler"));
    const [, policy] = only(primary, "aws_iam_role_policy", (body) => body.name === "invoke-scheduled-jobs");
    expect(role).toBeDefined();
    expect(statement(policy.policy, "DecryptSchedules")).toMatchObject({ Action: "kms:Decrypt", Resource: keyArnRef(primary, "lma-production-data") });
  });
});
