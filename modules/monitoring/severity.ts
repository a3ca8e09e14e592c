import type { Naming } from "../../lib/naming";

/**
 * Alert severities, from a page to an email. Each has one SNS topic per region; modules/alert-delivery
 * subscribes the on-call tools to them (critical → PagerDuty, high and medium → Slack, low →
 * email) and `security` carries GuardDuty and Security Hub findings to the security team.
 */
export const SEVERITIES = ["critical", "high", "medium", "low", "security"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The topic name of a severity, `<prefix>-alerts-<severity>`: other stacks derive it too (`severityTopicArn`). */
export function severityTopicName(prefix: string, severity: Severity): string {
  return `${prefix}-alerts-${severity}`;
}

/**
 * The name prefix of a region's monitoring (topics, alarms, rules, dashboard, X-Ray names):
 * `lma-<env>-<region short name>`, unique in the account because dashboards are account-wide.
 */
export function monitoringPrefix(naming: Naming): string {
  return `${naming.prefix}-${naming.regionShortName}`;
}

/** A severity topic's ARN in the naming's region, for stacks that subscribe another region's topics. */
export function severityTopicArn(naming: Naming, severity: Severity): string {
  return naming.arn("sns", severityTopicName(monitoringPrefix(naming), severity));
}
