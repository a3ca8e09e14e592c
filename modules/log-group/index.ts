import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";
import type { KmsKey } from "../kms-key";

export interface LogGroupProps {
  readonly naming: Naming;
  /** Path under `/lma/<environment>/`, e.g. `["vpc", "flow-logs"]`; or a full name starting with `/`. */
  readonly name: string | readonly string[];
  /** Customer-managed key; the key policy is extended to let CloudWatch Logs use it for this group. */
  readonly kmsKey: KmsKey;
  readonly retentionInDays: number;
}

/** A CloudWatch log group that is always encrypted with a customer-managed key and always expires. */
export class LogGroup extends Construct {
  readonly resource: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: LogGroupProps) {
    super(scope, id);
    const name = typeof props.name === "string" ? props.name : props.naming.logGroupName(...props.name);
    // One key-policy statement covers every group under the environment's prefix, keeping the
    // policy well inside KMS's 32 KB limit however many services there are.
    const environmentPrefix = `${props.naming.logGroupName()}`;
    props.kmsKey.grantToCloudWatchLogs(props.naming, name.startsWith(environmentPrefix) ? `${environmentPrefix}*` : name);
    this.resource = new CloudwatchLogGroup(this, "group", {
      name,
      retentionInDays: props.retentionInDays,
      kmsKeyId: props.kmsKey.arn,
    });
  }

  get name(): string {
    return this.resource.name;
  }

  get arn(): string {
    return this.resource.arn;
  }
}
