/**
 * Alert severities, from a page to an email. Each has one SNS topic per region; the observability
 * stack subscribes the on-call tools to them (critical → PagerDuty, high and medium → Slack,
 * low → email) and `security` carries GuardDuty and Security Hub findings to the security team.
 */
export const SEVERITIES = ["critical", "high", "medium", "low", "security"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The topic name of a severity, `<prefix>-alerts-<severity>`: the observability stack derives it too. */
export function severityTopicName(prefix: string, severity: Severity): string {
  return `${prefix}-alerts-${severity}`;
}
