import { Construct } from "constructs";
import { AlarmSet } from "./alarms";
import { CisAlarms } from "./cis";
import { OperationsDashboard } from "./dashboard";
import { FindingsRouting } from "./findings";
import { type PlatformInventory, platformAlarms } from "./platform-alarms";
import { SeverityTopics, type TopicKey } from "./topics";
import { Tracing } from "./tracing";

export * from "./alarms";
export * from "./cis";
export * from "./dashboard";
export * from "./findings";
export * from "./platform-alarms";
export * from "./resource-shapes";
export * from "./severity";
export * from "./topics";
export * from "./tracing";

export interface PlatformMonitoringProps {
  /** Name prefix of topics, alarms, rules and the dashboard, e.g. `lma-production-use1`. */
  readonly prefix: string;
  /** A shorter prefix for X-Ray, whose names stop at 32 characters, e.g. `lma-prod-use1`. */
  readonly tracingPrefix: string;
  readonly accountId: string;
  readonly region: string;
  /** Encrypts the severity topics. */
  readonly topicsKey: TopicKey;
  /** What runs in the region, in CloudWatch's names. */
  readonly inventory: PlatformInventory;
  /** The CloudTrail log group for the CIS filters. @default none: no CIS alarms (a region without a trail) */
  readonly trailLogGroupName?: string;
  /** Route GuardDuty and Security Hub findings. @default true */
  readonly routeFindings?: boolean;
  /** X-Ray service names of the services. */
  readonly tracedServices: readonly string[];
  readonly healthCheckPath: string;
}

/**
 * The severity topics and the findings routing of a region, under `scope` (`topics`, `findings`):
 * what a region needs before it runs anything to watch. `PlatformMonitoring` declares them the
 * same way at the same paths, so a stack that starts with this (a standby's foundation) and later
 * adds the rest changes nothing already applied.
 */
export function declareAlertRouting(
  scope: Construct,
  props: Pick<PlatformMonitoringProps, "prefix" | "accountId" | "region" | "topicsKey" | "routeFindings">,
): { topics: SeverityTopics; findings?: FindingsRouting } {
  const topics = new SeverityTopics(scope, "topics", { prefix: props.prefix, accountId: props.accountId, region: props.region, key: props.topicsKey });
  const findings = (props.routeFindings ?? true) ? new FindingsRouting(scope, "findings", { prefix: props.prefix, topicArn: topics.arnOf("security") }) : undefined;
  return { topics, findings };
}

/**
 * A region's monitoring, AWS-native: severity topics, the platform's alarms, the CIS benchmark's
 * alarms, findings routing, a dashboard and X-Ray sampling. People are reached through the
 * topics, which modules/alert-delivery subscribes to PagerDuty, Slack and email.
 */
export class PlatformMonitoring extends Construct {
  readonly topics: SeverityTopics;
  readonly alarms: AlarmSet;
  readonly cis?: CisAlarms;
  readonly findings?: FindingsRouting;
  readonly dashboard: OperationsDashboard;
  readonly tracing: Tracing;

  constructor(scope: Construct, id: string, props: PlatformMonitoringProps) {
    super(scope, id);
    const routing = declareAlertRouting(this, props);
    this.topics = routing.topics;
    this.findings = routing.findings;
    const topicArn = (severity: Parameters<SeverityTopics["arnOf"]>[0]) => this.topics.arnOf(severity);
    this.alarms = new AlarmSet(this, "alarms", { prefix: props.prefix, alarms: platformAlarms(props.inventory), topicArn });
    if (props.trailLogGroupName) {
      this.cis = new CisAlarms(this, "cis", {
        prefix: props.prefix,
        trailLogGroupName: props.trailLogGroupName,
        topicArn: topicArn("security"),
      });
    }
    this.dashboard = new OperationsDashboard(this, "dashboard", {
      name: `${props.prefix}-operations`,
      region: props.region,
      inventory: props.inventory,
      alarmArns: Object.values(this.alarms.alarms).map((alarm) => alarm.arn),
    });
    this.tracing = new Tracing(this, "tracing", {
      prefix: props.tracingPrefix,
      serviceNames: props.tracedServices,
      healthCheckPath: props.healthCheckPath,
    });
  }
}
