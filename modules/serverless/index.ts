import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { Construct } from "constructs";
import { Grant, type IGrantee } from "../../lib/grants";
import { type PolicyStatement, policyDocument, serviceTrustPolicy } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import { tagComponent } from "../../lib/tags";
import type { KmsKey } from "../kms-key";
import type { SecureBucket } from "../s3/bucket";
import type { SecurityGroup } from "../security-group";
import { type FunctionSettings, PlatformFunction } from "./function";
import { EncryptedQueue } from "./queue";

export { type FunctionSettings, PlatformFunction, type PlatformFunctionProps } from "./function";
export { EncryptedQueue, type EncryptedQueueProps } from "./queue";
export {
  CredentialRotation,
  type CredentialRotationProps,
  type RotateOptions,
  type RotationFunctionProps,
} from "./credential-rotation";

/** The platform's functions, by the name `functions` and `versions` are keyed by. */
export const FUNCTION_NAMES = {
  documentProcessor: "document-processor",
  emailNotifier: "email-notifier",
  scheduledJobs: "scheduled-jobs",
} as const;

/** Key prefixes of `documents` the document processor reads from and writes to. */
export const DOCUMENT_PREFIXES = { incoming: "incoming/", processed: "processed/" } as const;

export interface PlatformFunctionsProps {
  readonly naming: Naming;
  /** Sizing and schedules per function, keyed by FUNCTION_NAMES. */
  readonly functions: Readonly<Record<string, FunctionSettings>>;
  /** Artifact versions per function, keyed by FUNCTION_NAMES: the release pins. */
  readonly versions: Readonly<Record<string, string>>;
  /**
   * Bucket the release pipeline uploads `lambda/<function>/<version>.zip` to.
   * @default `naming.bucketName("artifacts")`, e.g. `lma-production-artifacts-us-east-1-<account>`
   */
  readonly artifactBucket?: string;
  /** Private app subnets. */
  readonly subnetIds: readonly string[];
  /** The functions' security group (SecurityGroupChain `functions`). */
  readonly securityGroup: SecurityGroup;
  /** Encrypts queues and environment variables. */
  readonly dataKey: KmsKey;
  readonly logsKey: KmsKey;
  readonly logRetentionDays: number;
  /** New objects under `incoming/` trigger the document processor. */
  readonly documents: SecureBucket;
  /** SES identity the email notifier sends from, e.g. `arn:aws:ses:<region>:<account>:identity/<domain>`. */
  readonly emailIdentityArn: string;
  /**
   * The stack's code-signing configuration (modules/security `LambdaCodeSigning`, from the
   * environment's `security.lambdaCodeSigning`): every function is checked against it.
   */
  readonly codeSigningConfigArn: string;
  /**
   * Scheduled jobs run. A warm standby keeps its schedules disabled (the jobs write to the ledger,
   * which only the active region holds); failover enables them in place.
   * @default true
   */
  readonly schedulesEnabled?: boolean;
  /**
   * New documents trigger the processor. Off where the region does not hold the writer: a warm
   * standby's documents bucket receives the primary's documents by replication, already processed
   * there. Failover adds the trigger in place. @default true
   */
  readonly processDocuments?: boolean;
}

/**
 * The platform's three Lambda workloads (modules/serverless/README.md), scaled to zero between events:
 *
 * - `documentProcessor`: S3 `ObjectCreated` under `incoming/` in `documents` invokes it (the
 *   permission is pinned to the bucket's ARN and account); it reads `incoming/` and writes
 *   `processed/` only.
 * - `emailNotifier`: consumes the `email-notifications` queue (KMS, dead-letter queue after 5
 *   receives, partial batch failures reported) and sends through one SES identity.
 * - `scheduledJobs`: EventBridge Scheduler invokes it per configured job (UTC cron), with retries
 *   and a dead-letter queue; reserved concurrency keeps runs from overlapping.
 *
 * Each has its own role, log group, failure queue, X-Ray tracing and VPC access (see PlatformFunction).
 */
export class PlatformFunctions extends Construct {
  readonly documentProcessor: PlatformFunction;
  readonly emailNotifier: PlatformFunction;
  readonly scheduledJobs: PlatformFunction;
  /** Producers (the notification service) send email requests here. */
  readonly emailQueue: EncryptedQueue;
  readonly schedules: readonly SchedulerSchedule[];

  constructor(scope: Construct, id: string, props: PlatformFunctionsProps) {
    super(scope, id);
    tagComponent(this, "functions");
    const { naming } = props;
    const artifactBucket = props.artifactBucket ?? naming.bucketName("artifacts");
    const common = {
      codeSigningConfigArn: props.codeSigningConfigArn,
      naming,
      artifactBucket,
      subnetIds: props.subnetIds,
      securityGroup: props.securityGroup,
      dataKey: props.dataKey,
      logsKey: props.logsKey,
      logRetentionDays: props.logRetentionDays,
    };
    const settings = (name: string) => {
      const config = props.functions[name];
      const version = props.versions[name];
      if (!config || !version) throw new Error(`function ${name} needs functions["${name}"] and versions["${name}"]`);
      return { name, config, version };
    };

    this.documentProcessor = this.documentProcessing(props, common, settings(FUNCTION_NAMES.documentProcessor));

    const notifier = settings(FUNCTION_NAMES.emailNotifier);
    this.emailQueue = new EncryptedQueue(this, "email-queue", {
      naming,
      name: "email-notifications",
      kmsKey: props.dataKey,
      // AWS's guidance for Lambda consumers: six times the function's timeout.
      visibilityTimeoutSeconds: 6 * notifier.config.timeoutSeconds,
      maxReceiveCount: 5,
    });
    this.emailNotifier = new PlatformFunction(this, "email-notifier", {
      ...common,
      ...notifier,
      description: "Sends the platform's email notifications from the email-notifications queue",
      environment: { EMAIL_IDENTITY_ARN: props.emailIdentityArn },
      statements: [
        ...this.emailQueue.consumeStatements("ConsumeEmailQueue"),
        {
          Sid: "SendEmailFromPlatformIdentity",
          Effect: "Allow",
          Action: ["ses:SendEmail", "ses:SendRawEmail"],
          Resource: props.emailIdentityArn,
        },
      ],
    });
    new LambdaEventSourceMapping(this, "email-queue-mapping", {
      functionName: this.emailNotifier.function.arn,
      eventSourceArn: this.emailQueue.arn,
      batchSize: 10,
      maximumBatchingWindowInSeconds: 5,
      // One failed message is retried alone instead of the whole batch.
      functionResponseTypes: ["ReportBatchItemFailures"],
      // Below reserved concurrency, so polling never throttles the function.
      scalingConfig: { maximumConcurrency: Math.max(2, notifier.config.reservedConcurrency) },
      dependsOn: [this.emailNotifier.function],
    });

    const jobs = settings(FUNCTION_NAMES.scheduledJobs);
    this.scheduledJobs = new PlatformFunction(this, "scheduled-jobs", {
      ...common,
      ...jobs,
      description: "Runs the platform's scheduled jobs (EventBridge Scheduler)",
    });
    this.schedules = this.scheduleJobs(naming, jobs.config, props.dataKey, props.schedulesEnabled ?? true);
  }

  /** Lets `grantee` (e.g. the notification service's task role) queue emails. */
  grantSendEmail(grantee: IGrantee): Grant {
    return Grant.addToPrincipal(grantee, this.emailQueue.sendStatements("QueueEmail"));
  }

  private documentProcessing(
    props: PlatformFunctionsProps,
    common: Omit<ConstructorParameters<typeof PlatformFunction>[2], "name" | "config" | "version" | "description">,
    settings: { name: string; config: FunctionSettings; version: string },
  ): PlatformFunction {
    const bucket = props.documents;
    const statements: PolicyStatement[] = [
      {
        Sid: "ReadIncomingDocuments",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:GetObjectVersion"],
        Resource: `${bucket.arn}/${DOCUMENT_PREFIXES.incoming}*`,
      },
      {
        Sid: "WriteProcessedDocuments",
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: `${bucket.arn}/${DOCUMENT_PREFIXES.processed}*`,
      },
      ...(bucket.kmsKey
        ? [
            {
              Sid: "DocumentsKeyThroughS3",
              Effect: "Allow" as const,
              Action: ["kms:Decrypt", "kms:GenerateDataKey"],
              Resource: bucket.kmsKey.arn,
              Condition: { StringEquals: { "kms:ViaService": `s3.${props.naming.region}.amazonaws.com` } },
            },
          ]
        : []),
    ];
    const processor = new PlatformFunction(this, "document-processor", {
      ...common,
      ...settings,
      description: "Processes loan documents uploaded under incoming/ in the documents bucket",
      environment: { DOCUMENTS_BUCKET: bucket.name, OUTPUT_PREFIX: DOCUMENT_PREFIXES.processed },
      statements,
    });
    const permission = new LambdaPermission(this, "documents-invoke", {
      statementId: "DocumentsBucketObjectCreated",
      action: "lambda:InvokeFunction",
      functionName: processor.function.functionName,
      principal: "s3.amazonaws.com",
      sourceArn: bucket.arn,
      sourceAccount: props.naming.accountId,
    });
    if (props.processDocuments === false) return processor;
    // A bucket has one notification configuration; this module owns the documents bucket's.
    new S3BucketNotification(this, "documents-notification", {
      bucket: bucket.bucket.id,
      lambdaFunction: [
        {
          id: "process-incoming-documents",
          lambdaFunctionArn: processor.function.arn,
          events: ["s3:ObjectCreated:*"],
          filterPrefix: DOCUMENT_PREFIXES.incoming,
        },
      ],
      dependsOn: [permission],
    });
    return processor;
  }

  private scheduleJobs(naming: Naming, config: FunctionSettings, dataKey: KmsKey, enabled: boolean): SchedulerSchedule[] {
    const entries = Object.entries(config.schedules ?? {});
    if (entries.length === 0) return [];
    const scheduleArns = naming.arn("scheduler", `schedule/default/${naming.prefix}-*`);
    const role = new IamRole(this, "scheduler-role", {
      name: naming.globalName("scheduled-jobs-scheduler"),
      description: "EventBridge Scheduler invoking the scheduled-jobs function",
      assumeRolePolicy: serviceTrustPolicy("scheduler.amazonaws.com", naming.accountId, scheduleArns),
    });
    new IamRolePolicy(this, "scheduler-policy", {
      name: "invoke-scheduled-jobs",
      role: role.name,
      policy: policyDocument([
        {
          Sid: "InvokeScheduledJobs",
          Effect: "Allow",
          Action: "lambda:InvokeFunction",
          Resource: [this.scheduledJobs.functionArn, `${this.scheduledJobs.functionArn}:*`],
        },
        ...this.scheduledJobs.failureQueue.sendStatements("DeadLetter"),
        // Schedules are encrypted with the data key; Scheduler decrypts a schedule's payload as this role.
        { Sid: "DecryptSchedules", Effect: "Allow", Action: "kms:Decrypt", Resource: dataKey.arn },
      ]),
    });
    return entries.map(
      ([job, expression]) =>
        new SchedulerSchedule(this, `schedule-${job}`, {
          name: naming.name(job),
          description: `Scheduled job ${job}`,
          scheduleExpression: expression,
          scheduleExpressionTimezone: "UTC",
          kmsKeyArn: dataKey.arn,
          flexibleTimeWindow: { mode: "OFF" },
          state: enabled ? "ENABLED" : "DISABLED",
          target: {
            arn: this.scheduledJobs.function.arn,
            roleArn: role.arn,
            input: JSON.stringify({ job }),
            retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
            deadLetterConfig: { arn: this.scheduledJobs.failureQueue.arn },
          },
        }),
    );
  }
}
