import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { type IGrantee, mergeStatements } from "../../lib/grants";
import { type PolicyStatement, policyDocument } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import type { KmsKey } from "../kms-key";
import { LogGroup } from "../log-group";
import type { SecurityGroup } from "../security-group";
import { EncryptedQueue } from "./queue";

/** A function's sizing and, for the scheduled jobs, its schedules. */
export interface FunctionSettings {
  /** 128–10240 MiB; CPU scales with it. */
  readonly memoryMiB: number;
  /** 1–900 seconds. */
  readonly timeoutSeconds: number;
  /**
   * Reserved concurrency: the function's ceiling, so a burst cannot exhaust the database's
   * connections or the account's pool. At least 1 (0 would disable the function).
   */
  readonly reservedConcurrency: number;
  /** Job name → EventBridge Scheduler expression, `cron(...)` or `rate(...)`, in UTC. @default none */
  readonly schedules?: Readonly<Record<string, string>>;
}

export interface PlatformFunctionProps {
  readonly naming: Naming;
  /** Function name suffix, e.g. `document-processor`: the function is `lma-<env>-<name>`. */
  readonly name: string;
  readonly description: string;
  /** Memory, timeout, reserved concurrency. */
  readonly config: FunctionSettings;
  /** The release pin: the artifact is `lambda/<name>/<version>.zip`. */
  readonly version: string;
  /** Bucket holding the build artifacts (named by the convention, filled by the release pipeline). */
  readonly artifactBucket: string;
  /** Private app subnets the function's ENIs live in. */
  readonly subnetIds: readonly string[];
  /** The functions' security group (the SecurityGroupChain's `functions`). */
  readonly securityGroup: SecurityGroup;
  /** Encrypts environment variables and the failure queue. */
  readonly dataKey: KmsKey;
  /** The code-signing configuration Lambda checks the package's signature against. @default none */
  readonly codeSigningConfigArn?: string;
  readonly logsKey: KmsKey;
  readonly logRetentionDays: number;
  /** What the function's own code may do, beyond logs, tracing, VPC networking and its failure queue. @default none */
  readonly statements?: readonly PolicyStatement[];
  /** @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default "nodejs22.x" (the current Node.js LTS runtime on Lambda) */
  readonly runtime?: string;
  /** @default "index.handler" */
  readonly handler?: string;
  /**
   * Asynchronous invocations (S3 notifications, schedules): retries before the event goes to the
   * failure queue.
   * @default 2 (Lambda's maximum: a transient fault gets two more chances)
   */
  readonly asyncRetryAttempts?: number;
}

/**
 * One Lambda function with its own least-privilege role (trust pinned to this function's ARN),
 * code from a versioned S3 artifact, arm64, X-Ray active tracing, reserved concurrency, VPC access
 * in the app subnets, JSON logs in its own KMS-encrypted log group, environment variables
 * encrypted with the data key, and a KMS-encrypted failure queue for asynchronous invocations
 * that exhausted their retries (on-failure destination).
 *
 * The function is the grantee of its role (`IGrantee`, lib/grants.ts): resources grant to it
 * and the statements land in its role's one policy, merged by Sid.
 */
export class PlatformFunction extends Construct implements IGrantee {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: LogGroup;
  /** Events that failed every retry: inspect, fix, then redrive. */
  readonly failureQueue: EncryptedQueue;
  readonly functionName: string;
  /** The function's ARN, built from the convention (usable before the function exists). */
  readonly functionArn: string;
  private readonly statements: PolicyStatement[] = [];

  constructor(scope: Construct, id: string, props: PlatformFunctionProps) {
    super(scope, id);
    const { naming, config } = props;
    this.functionName = naming.name(props.name);
    this.functionArn = naming.arn("lambda", `function:${this.functionName}`);

    this.logGroup = new LogGroup(this, "logs", {
      naming,
      name: ["lambda", props.name],
      kmsKey: props.logsKey,
      retentionInDays: props.logRetentionDays,
    });
    this.failureQueue = new EncryptedQueue(this, "failures", {
      naming,
      name: `${props.name}-failures`,
      kmsKey: props.dataKey,
      retentionDays: 14,
    });

    this.role = new IamRole(this, "role", {
      name: naming.globalName(`${props.name}-lambda`),
      description: `Execution role of ${this.functionName}`,
      // Lambda documents no source-context keys for assuming an execution role, and a condition it
      // does not send would lock the function out; iam:PassRole (deploy role only) guards the role.
      assumeRolePolicy: policyDocument([
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      ]),
    });
    const eniArn = naming.arn("ec2", "network-interface/*");
    this.addToPrincipalPolicy([
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${this.logGroup.arn}:*`,
      },
      // X-Ray's write APIs take no resource.
      { Sid: "Tracing", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
      {
        Sid: "CreateEnisInAppSubnets",
        Effect: "Allow",
        Action: "ec2:CreateNetworkInterface",
        Resource: [
          eniArn,
          ...props.subnetIds.map((subnet) => naming.arn("ec2", `subnet/${subnet}`)),
          naming.arn("ec2", `security-group/${props.securityGroup.id}`),
        ],
      },
      {
        Sid: "ManageOwnEnis",
        Effect: "Allow",
        Action: ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
        Resource: eniArn,
      },
      // EC2's Describe calls take no resource.
      { Sid: "DescribeNetwork", Effect: "Allow", Action: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], Resource: "*" },
      ...this.failureQueue.sendStatements("SendToFailureQueue"),
      ...(props.statements ?? []),
    ]);
    const policy = new IamRolePolicy(this, "policy", {
      name: "function",
      role: this.role.name,
      policy: Lazy.stringValue({ produce: () => policyDocument(this.statements) }),
    });

    this.function = new LambdaFunction(this, "function", {
      functionName: this.functionName,
      description: props.description,
      role: this.role.arn,
      s3Bucket: props.artifactBucket,
      s3Key: `lambda/${props.name}/${props.version}.zip`,
      runtime: props.runtime ?? "nodejs22.x",
      handler: props.handler ?? "index.handler",
      architectures: ["arm64"],
      memorySize: config.memoryMiB,
      timeout: config.timeoutSeconds,
      reservedConcurrentExecutions: config.reservedConcurrency,
      tracingConfig: { mode: "Active" },
      vpcConfig: { subnetIds: [...props.subnetIds], securityGroupIds: [props.securityGroup.id] },
      kmsKeyArn: props.dataKey.arn,
      codeSigningConfigArn: props.codeSigningConfigArn,
      environment: props.environment ? { variables: { ...props.environment } } : undefined,
      loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
      // The role's policy must exist first, or the first invocations fail on missing permissions.
      dependsOn: [policy, this.logGroup.resource],
    });

    new LambdaFunctionEventInvokeConfig(this, "async", {
      functionName: this.function.functionName,
      maximumRetryAttempts: props.asyncRetryAttempts ?? 2,
      maximumEventAgeInSeconds: 6 * 3600,
      destinationConfig: { onFailure: { destination: this.failureQueue.arn } },
    });
  }

  get roleName(): string {
    return this.role.name;
  }

  get roleArn(): string {
    return this.role.arn;
  }

  /** Adds statements to the function's role policy, merged by Sid (lib/grants.ts). */
  addToPrincipalPolicy(statements: readonly PolicyStatement[]): void {
    mergeStatements(this.statements, statements, `role of ${this.node.path}`, this);
  }
}
