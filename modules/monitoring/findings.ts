import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { Construct } from "constructs";

export interface FindingsRoutingProps {
  /** Name prefix, e.g. `lma-production-use1`. */
  readonly prefix: string;
  /** The security severity topic. */
  readonly topicArn: string;
  /** GuardDuty severity from which a finding alerts (7 = high; GuardDuty's scale is 1–10). @default 7 */
  readonly guardDutyMinimumSeverity?: number;
}

/**
 * GuardDuty and Security Hub findings that need a person, routed by EventBridge to the security
 * topic: GuardDuty at high severity and above, Security Hub's HIGH and CRITICAL findings while
 * new and active (suppressed or resolved ones do not re-alert).
 */
export class FindingsRouting extends Construct {
  readonly rules: readonly CloudwatchEventRule[];

  constructor(scope: Construct, id: string, props: FindingsRoutingProps) {
    super(scope, id);
    const patterns = {
      guardduty: {
        source: ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        detail: { severity: [{ numeric: [">=", props.guardDutyMinimumSeverity ?? 7] }] },
      },
      securityhub: {
        source: ["aws.securityhub"],
        "detail-type": ["Security Hub Findings - Imported"],
        detail: {
          findings: {
            Severity: { Label: ["HIGH", "CRITICAL"] },
            Workflow: { Status: ["NEW"] },
            RecordState: ["ACTIVE"],
          },
        },
      },
    };
    this.rules = Object.entries(patterns).map(([source, pattern]) => {
      const rule = new CloudwatchEventRule(this, source, {
        name: `${props.prefix}-${source}-findings`,
        description: `High and critical ${source} findings to the security alert topic`,
        eventPattern: JSON.stringify(pattern),
      });
      new CloudwatchEventTarget(this, `${source}-to-topic`, { rule: rule.name, arn: props.topicArn, targetId: "security-topic" });
      return rule;
    });
  }
}
