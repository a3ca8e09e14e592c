import { XrayGroup } from "@cdktf/provider-aws/lib/xray-group";
import { XraySamplingRule } from "@cdktf/provider-aws/lib/xray-sampling-rule";
import { Construct } from "constructs";

export interface TracingProps {
  /** Name prefix; X-Ray names allow at most 32 characters for rules, so a short prefix, e.g. `lma-prod-use1`. */
  readonly prefix: string;
  /** The services' X-Ray service names (the daemon reports them as named in the task definitions). */
  readonly serviceNames: readonly string[];
  /** The path load balancers and Route 53 poll; traced at 0 % so probes do not crowd out real requests. */
  readonly healthCheckPath: string;
  /** Fraction of requests traced beyond the reservoir. @default 0.05 */
  readonly fixedRate?: number;
  /** Requests per second traced first, whatever the rate. @default 1 */
  readonly reservoirSize?: number;
}

/**
 * X-Ray sampling rules (probes never traced; everything else at a fixed rate after a reservoir)
 * and groups: one per service and one for faults, with X-Ray Insights on, so a trace search or
 * an anomaly notification is one click from the dashboard.
 */
export class Tracing extends Construct {
  readonly groups: Readonly<Record<string, XrayGroup>>;

  constructor(scope: Construct, id: string, props: TracingProps) {
    super(scope, id);
    const rule = (ruleId: string, ruleName: string, priority: number, urlPath: string, fixedRate: number, reservoirSize: number) => {
      if (ruleName.length > 32) throw new Error(`X-Ray sampling rule name "${ruleName}" is longer than 32 characters`);
      return new XraySamplingRule(this, ruleId, {
        ruleName,
        priority,
        version: 1,
        fixedRate,
        reservoirSize,
        urlPath,
        host: "*",
        httpMethod: "*",
        serviceName: "*",
        serviceType: "*",
        resourceArn: "*",
      });
    };
    rule("health-checks", `${props.prefix}-health`, 100, props.healthCheckPath, 0, 0);
    rule("requests", `${props.prefix}-requests`, 1000, "*", props.fixedRate ?? 0.05, props.reservoirSize ?? 1);
    const groups: Record<string, XrayGroup> = {};
    const group = (key: string, filterExpression: string) => {
      const groupName = `${props.prefix}-${key}`;
      if (groupName.length > 32) throw new Error(`X-Ray group name "${groupName}" is longer than 32 characters`);
      groups[key] = new XrayGroup(this, `group-${key}`, {
        groupName,
        filterExpression,
        insightsConfiguration: { insightsEnabled: true, notificationsEnabled: true },
      });
    };
    group("faults", "fault = true");
    for (const service of props.serviceNames) group(service, `service("${service}")`);
    this.groups = groups;
  }
}
