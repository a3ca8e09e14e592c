import { IntegrationAwsAccount } from "@cdktf/provider-datadog/lib/integration-aws-account";
import { IntegrationPagerdutyServiceObject } from "@cdktf/provider-datadog/lib/integration-pagerduty-service-object";
import { IntegrationSlackChannel } from "@cdktf/provider-datadog/lib/integration-slack-channel";
import { ServiceDefinitionYaml } from "@cdktf/provider-datadog/lib/service-definition-yaml";
import { Construct } from "constructs";

export interface AwsIntegrationProps {
  readonly accountId: string;
  /** The IAM role the AWS stack creates for Datadog: `lma-<env>-datadog-integration`. */
  readonly roleName: string;
  readonly externalId: string;
  /** Regions to collect from: the standby's too, where the DR replica reports its lag. */
  readonly regions: readonly string[];
  readonly environment: string;
}

/**
 * Datadog's AWS integration for the environment's account, through the role the AWS stack
 * creates (linked by name, not state). SQS is collected, unlike the default, for queue ages.
 */
export class AwsIntegration extends Construct {
  readonly account: IntegrationAwsAccount;

  constructor(scope: Construct, id: string, props: AwsIntegrationProps) {
    super(scope, id);
    this.account = new IntegrationAwsAccount(this, "account", {
      awsAccountId: props.accountId,
      awsPartition: "aws",
      accountTags: [`environment:${props.environment}`],
      authConfig: { awsAuthConfigRole: { roleName: props.roleName, externalId: props.externalId } },
      awsRegions: { includeOnly: [...props.regions] },
      // Every block must be present, even empty: the provider rejects a missing one.
      logsConfig: { lambdaForwarder: {} },
      metricsConfig: { namespaceFilters: { excludeOnly: ["AWS/ElasticMapReduce", "AWS/Usage"] }, collectCloudwatchAlarms: true },
      resourcesConfig: {},
      tracesConfig: { xrayServices: {} },
    });
  }
}

export interface AlertDestinationsProps {
  /** PagerDuty service objects: name (the `@pagerduty-<name>` handle) → integration key. */
  readonly pagerDutyServices: Readonly<Record<string, string>>;
  readonly slackAccount: string;
  readonly slackChannels: readonly string[];
}

/**
 * What notification handles resolve to: one PagerDuty service object per PagerDuty service
 * (its key straight from the service's Datadog integration, never a literal) and one entry per
 * Slack channel in Datadog's Slack integration.
 */
export class AlertDestinations extends Construct {
  readonly pagerDuty: ReadonlyMap<string, IntegrationPagerdutyServiceObject>;
  readonly slack: ReadonlyMap<string, IntegrationSlackChannel>;

  constructor(scope: Construct, id: string, props: AlertDestinationsProps) {
    super(scope, id);
    this.pagerDuty = new Map(
      Object.entries(props.pagerDutyServices).map(([name, key]) => [name, new IntegrationPagerdutyServiceObject(this, `pagerduty-${name}`, { serviceName: name, serviceKey: key })]),
    );
    this.slack = new Map(
      [...new Set(props.slackChannels)].map((channel) => [
        channel,
        new IntegrationSlackChannel(this, `slack-${channel}`, {
          accountName: props.slackAccount,
          channelName: `#${channel}`,
          display: { message: true, notified: true, snapshot: true, tags: true, muteButtons: true },
        }),
      ]),
    );
  }
}

export interface CatalogueEntry {
  readonly name: string;
  readonly description: string;
  readonly team: string;
  readonly teamEmail: string;
  readonly slackChannel: string;
  readonly runbookUrl: string;
  readonly dashboardUrl?: string;
  /** `https://<subdomain>.pagerduty.com/service-directory/P…`; omitted until the service exists. */
  readonly pagerDutyUrl?: string;
  readonly repository?: string;
}

/** The Service Catalogue entry (schema v2.2) of one service, as YAML-compatible JSON. */
export function serviceDefinition(entry: CatalogueEntry): Record<string, unknown> {
  return {
    "schema-version": "v2.2",
    "dd-service": entry.name,
    team: entry.team,
    description: entry.description,
    application: "lma",
    tier: "tier1",
    type: "web",
    languages: [],
    contacts: [
      { type: "email", contact: entry.teamEmail, name: "On-call alerts" },
      { type: "slack", contact: `https://slack.com/app_redirect?channel=${entry.slackChannel}`, name: `#${entry.slackChannel}` },
    ],
    links: [
      { name: "Runbook", type: "runbook", url: entry.runbookUrl },
      ...(entry.dashboardUrl ? [{ name: "Operational dashboard", type: "dashboard", url: entry.dashboardUrl }] : []),
      ...(entry.repository ? [{ name: "Source", type: "repo", url: entry.repository }] : []),
    ],
    ...(entry.pagerDutyUrl ? { integrations: { pagerduty: { "service-url": entry.pagerDutyUrl } } } : {}),
    tags: [`service:${entry.name}`],
  };
}

export interface ServiceCatalogueProps {
  readonly entries: readonly CatalogueEntry[];
}

/** One Service Catalogue definition per catalogue service: owner team, on-call, runbook. */
export class ServiceCatalogue extends Construct {
  readonly definitions: ReadonlyMap<string, ServiceDefinitionYaml>;

  constructor(scope: Construct, id: string, props: ServiceCatalogueProps) {
    super(scope, id);
    // JSON is YAML, and the provider compares the parsed documents.
    this.definitions = new Map(
      props.entries.map((entry) => [entry.name, new ServiceDefinitionYaml(this, entry.name, { serviceDefinition: JSON.stringify(serviceDefinition(entry)) })]),
    );
  }
}
