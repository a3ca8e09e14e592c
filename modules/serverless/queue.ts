import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { Construct } from "constructs";
import { type PolicyStatement, policyDocument } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import type { KmsKey } from "../kms-key";

export interface EncryptedQueueProps {
  readonly naming: Naming;
  /** Name suffix: the queue is `lma-<environment>-<name>`. */
  readonly name: string;
  readonly kmsKey: KmsKey;
  /** Days a message is kept (1–14). @default 4 (SQS's default) */
  readonly retentionDays?: number;
  /** Seconds a received message stays hidden; at least 6 × the consumer's timeout. @default 30 */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * Messages received this many times without being deleted move to a dead-letter queue
   * (`<name>-dlq`, kept 14 days) created with the queue.
   * @default no dead-letter queue
   */
  readonly maxReceiveCount?: number;
}

/**
 * An SQS queue encrypted with a customer-managed key, whose policy refuses anything but TLS,
 * optionally with its own dead-letter queue (redrive allowed only from this queue).
 */
export class EncryptedQueue extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetterQueue?: EncryptedQueue;
  private readonly props: EncryptedQueueProps;

  constructor(scope: Construct, id: string, props: EncryptedQueueProps) {
    super(scope, id);
    this.props = props;
    const name = props.naming.name(props.name);
    if (props.maxReceiveCount !== undefined) {
      this.deadLetterQueue = new EncryptedQueue(this, "dlq", {
        naming: props.naming,
        name: `${props.name}-dlq`,
        kmsKey: props.kmsKey,
        retentionDays: 14,
      });
    }
    this.queue = new SqsQueue(this, "queue", {
      name,
      kmsMasterKeyId: props.kmsKey.arn,
      // Fewer KMS calls per message; the data key is reused for 5 minutes at most.
      kmsDataKeyReusePeriodSeconds: 300,
      messageRetentionSeconds: (props.retentionDays ?? 4) * 86400,
      visibilityTimeoutSeconds: props.visibilityTimeoutSeconds ?? 30,
      receiveWaitTimeSeconds: 20,
      redrivePolicy: this.deadLetterQueue
        ? JSON.stringify({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount: props.maxReceiveCount })
        : undefined,
    });
    new SqsQueuePolicy(this, "policy", {
      queueUrl: this.queue.url,
      policy: policyDocument([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "sqs:*",
          Resource: this.queue.arn,
          Condition: { Bool: { "aws:SecureTransport": false } },
        },
      ]),
    });
  }

  get arn(): string {
    return this.queue.arn;
  }

  get url(): string {
    return this.queue.url;
  }

  /** Sending messages: `sqs:SendMessage` on this queue and the key through SQS. */
  sendStatements(sid: string): PolicyStatement[] {
    return [
      { Sid: sid, Effect: "Allow", Action: "sqs:SendMessage", Resource: this.arn },
      this.keyStatement(`${sid}Kms`, ["kms:GenerateDataKey", "kms:Decrypt"]),
    ];
  }

  /** Consuming messages (what a Lambda event source mapping needs). */
  consumeStatements(sid: string): PolicyStatement[] {
    return [
      {
        Sid: sid,
        Effect: "Allow",
        Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
        Resource: this.arn,
      },
      this.keyStatement(`${sid}Kms`, ["kms:Decrypt"]),
    ];
  }

  private keyStatement(sid: string, actions: string[]): PolicyStatement {
    return {
      Sid: sid,
      Effect: "Allow",
      Action: actions,
      Resource: this.props.kmsKey.arn,
      Condition: { StringEquals: { "kms:ViaService": `sqs.${this.props.naming.region}.amazonaws.com` } },
    };
  }
}
