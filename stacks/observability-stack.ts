import { DatadogProvider } from "@cdktf/provider-datadog/lib/provider";
import { PagerdutyProvider } from "@cdktf/provider-pagerduty/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { EnvironmentObservability } from "../environments/observability";
import type { EnvironmentConfig } from "../environments/types";
import { Naming } from "../lib/naming";
import { edgeNames } from "../modules/edge";
import { platformNames, serviceNames } from "../modules/ecs/names";
import {
  type AlertRouting,
  AlertDestinations,
  AwsIntegration,
  BusinessSlaMonitors,
  MaintenanceDowntimes,
  JourneySynthetics,
  type MonitoredPlatform,
  PlatformDashboards,
  PlatformMonitors,
  ServiceCatalogue,
  ServiceLevelObjectives,
} from "../modules/datadog";
import type { Severity as TopicSeverity } from "../modules/monitoring/severity";
import { OnCall } from "../modules/pagerduty";
import { declareBackend } from "./backend";

/** The IAM role Datadog assumes in the environment's account; the AWS stack creates it by this name. */
export function datadogIntegrationRoleName(environment: string): string {
  return `lma-${environment}-datadog-integration`;
}

/**
 * The AWS stacks' severity topics that page (modules/monitoring/severity.ts), the PagerDuty tier
 * whose CloudWatch integration receives each, and the sensitive output holding its events URL.
 * The critical topic mixes every platform tier's alarms; it enters through the API tier's service,
 * whose escalation policy is the platform team's. The apply pipeline reads each output after this
 * stack's apply and passes it to the AWS stacks as the Terraform variable of the same name.
 */
export const PAGERDUTY_CLOUDWATCH_OUTPUTS = {
  critical: { tier: "api", output: "pagerduty_cloudwatch_critical_url" },
  security: { tier: "security", output: "pagerduty_cloudwatch_security_url" },
} as const satisfies Partial<Record<TopicSeverity, { tier: string; output: string }>>;

/** Messages one task absorbs when the catalogue sets no queue scaling step. */
const DEFAULT_MESSAGES_PER_TASK = 50;

/**
 * `lma-<environment>-observability`: Datadog monitors, SLOs, dashboards, synthetics and downtimes,
 * and the PagerDuty on-call path, all derived from the environment's service catalogue and the
 * AWS stacks' naming. Credentials come from the environment at apply time (DD_API_KEY, DD_APP_KEY,
 * PAGERDUTY_TOKEN; TF_VAR_synthetics_user and TF_VAR_synthetics_password): none is in the JSON.
 */
export class ObservabilityStack extends TerraformStack {
  readonly monitors: PlatformMonitors;
  readonly slos: ServiceLevelObjectives;
  readonly onCall: OnCall;

  /**
   * `observability` is `observabilityFor(environment)` (environments/observability.ts). Everything
   * an environment file states (maintenance, the Datadog external id, the tier) is read from
   * `environment`, never repeated there.
   */
  /** The Datadog and PagerDuty stack of an environment: `lma-<environment>-observability`. */
  static stackName(environment: string): string {
    return `lma-${environment}-observability`;
  }

  constructor(scope: Construct, environment: EnvironmentConfig, observability: EnvironmentObservability) {
    super(scope, ObservabilityStack.stackName(environment.name));
    const primaryRegion = environment.regions.find((region) => region.role === "primary") ?? environment.regions[0]!;
    const naming = new Naming(environment.name, primaryRegion.region, environment.accountId);
    const settings = observability.environment;

    const deployRoleArn = `arn:aws:iam::${environment.accountId}:role/${environment.deployRoleName}`;
    declareBackend(this, { backend: environment.backend, naming, stateRoleArn: deployRoleArn });
    this.addOverride("terraform.required_version", ">= 1.10.0");

    new DatadogProvider(this, "datadog", { apiUrl: `https://api.${observability.datadog.site}` });
    new PagerdutyProvider(this, "pagerduty", {});

    const owner = (tier: keyof typeof observability.tiers) => observability.tiers[tier]!;
    this.onCall = new OnCall(this, "on-call", {
      environment: environment.name,
      people: observability.people,
      teams: observability.teams,
      rotation: observability.rotation,
      tiers: Object.fromEntries(
        (Object.keys(observability.tiers) as (keyof typeof observability.tiers)[]).map((tier) => [tier, { ...owner(tier), urgency: settings.urgency[tier]! }]),
      ),
      supportHours: settings.supportHours,
      manageDirectory: observability.ownsOrganisation,
      slack: settings.pagerDutySlack && { workspaceId: observability.slackWorkspaceId, channelId: settings.pagerDutySlack.channelId },
      cloudWatchTiers: Object.values(PAGERDUTY_CLOUDWATCH_OUTPUTS).map((route) => route.tier),
    });
    for (const { tier, output } of Object.values(PAGERDUTY_CLOUDWATCH_OUTPUTS)) {
      new TerraformOutput(this, output, {
        value: this.onCall.cloudWatchEndpoints.get(tier)!,
        sensitive: true,
        description: `PagerDuty events URL of the ${tier} service's CloudWatch integration: the SNS subscription endpoint of the AWS stacks' topic`,
      });
    }

    const pagerDutyServiceNames = Object.fromEntries([...this.onCall.services].map(([tier]) => [tier, `${naming.prefix}-${tier}`]));
    new AlertDestinations(this, "alert-destinations", {
      pagerDutyServices: Object.fromEntries([...this.onCall.datadogIntegrations].map(([tier, integration]) => [pagerDutyServiceNames[tier]!, integration.integrationKey])),
      slackAccount: observability.datadog.slackAccount,
      slackChannels: [settings.slack.high, settings.slack.medium],
    });
    const routing: AlertRouting = {
      pagerDutyServices: pagerDutyServiceNames,
      slackAccount: observability.datadog.slackAccount,
      slackChannels: settings.slack,
      lowSeverityEmail: settings.lowSeverityEmail,
    };
    const runbookBaseUrl = observability.datadog.runbookBaseUrl;

    new AwsIntegration(this, "aws-integration", {
      accountId: environment.accountId,
      roleName: datadogIntegrationRoleName(environment.name),
      externalId: environment.datadog.awsIntegrationExternalId,
      regions: environment.regions.map((region) => region.region),
      environment: environment.name,
    });

    const platform = monitoredPlatform(environment, naming);
    this.monitors = new PlatformMonitors(this, "monitors", { platform, routing, runbookBaseUrl });
    this.slos = new ServiceLevelObjectives(this, "slos", {
      environment: environment.name,
      loadBalancer: platform.loadBalancer,
      targets: observability.slos,
      routing,
      runbookBaseUrl,
    });
    new BusinessSlaMonitors(this, "business-slas", { environment: environment.name, slas: observability.businessSlas, routing, runbookBaseUrl });

    const platformTeam = owner("api").team;
    new PlatformDashboards(this, "dashboards", {
      subjects: {
        environment: environment.name,
        cluster: platform.cluster,
        loadBalancer: platform.loadBalancer,
        services: platform.services,
        database: platform.database.identifier,
        drReplica: platform.database.drReplica,
        cacheGroup: platform.cache?.replicationGroupId,
        searchDomain: platform.search?.domainName,
        broker: platform.broker?.name,
        functions: platform.functions,
        slos: Object.fromEntries([...this.slos.objectives].map(([key, slo]) => [key, slo.id])),
        businessSlas: observability.businessSlas,
        team: platformTeam,
      },
    });

    new JourneySynthetics(this, "synthetics", {
      environment: environment.name,
      apiHost: edgeNames(environment.dns.zoneName).app,
      journeys: observability.journeys,
      locations: settings.synthetics.locations,
      intervalSeconds: settings.synthetics.intervalSeconds,
      routing,
      runbookBaseUrl,
    });

    new MaintenanceDowntimes(this, "maintenance", {
      environment: environment.name,
      timeZone: environment.maintenance.timeZone,
      windows: environment.maintenance.windows,
      trailingMinutes: daylightSavingShiftMinutes(environment.maintenance.timeZone),
    });

    // The Service Catalogue is organisation-wide: one environment's stack owns its entries.
    if (observability.ownsOrganisation) {
      const apiService = this.onCall.services.get("api");
      new ServiceCatalogue(this, "service-catalogue", {
        entries: environment.services.map((service) => ({
          name: service.name,
          description: `LMA ${service.name} service (${service.paths.join(", ")})`,
          team: platformTeam,
          teamEmail: settings.lowSeverityEmail,
          slackChannel: settings.slack.high,
          runbookUrl: `${runbookBaseUrl}/services/${service.name}`,
          pagerDutyUrl: apiService?.htmlUrl,
        })),
      });
    }
  }
}

/**
 * How far a zone's summer clock runs ahead of its standard time (60 for America/New_York, 0 where
 * there is no daylight saving): the AWS stacks' windows, converted at standard time, run this
 * much later on the local clock in summer.
 */
export function daylightSavingShiftMinutes(timeZone: string): number {
  const offsetMinutes = (instant: Date) => {
    const local = new Date(instant.toLocaleString("en-US", { timeZone }));
    const utc = new Date(instant.toLocaleString("en-US", { timeZone: "UTC" }));
    return (local.getTime() - utc.getTime()) / 60_000;
  };
  const january = offsetMinutes(new Date(Date.UTC(2025, 0, 15)));
  const july = offsetMinutes(new Date(Date.UTC(2025, 6, 15)));
  return Math.abs(july - january);
}

/** The environment's monitored resources, named as the AWS stacks name them. */
export function monitoredPlatform(environment: EnvironmentConfig, naming: Naming): MonitoredPlatform {
  const standby = environment.regions.find((region) => region.role === "standby");
  const database = naming.name("postgres");
  const broker = naming.name("rabbitmq");
  return {
    environment: environment.name,
    cluster: platformNames(naming).cluster,
    loadBalancer: platformNames(naming).loadBalancer,
    services: environment.services.map((service) => {
      const names = serviceNames(naming, service.name);
      return {
        name: service.name,
        ecsServiceName: names.service,
        targetGroupName: names.targetGroup,
        maxTasks: service.autoscaling.max,
        queue: service.uses?.includes("queue")
          ? { name: service.name, messagesPerTask: service.autoscaling.queueMessagesPerTask ?? DEFAULT_MESSAGES_PER_TASK }
          : undefined,
      };
    }),
    database: {
      identifier: database,
      allocatedStorageGiB: environment.database.allocatedStorageGiB,
      readReplicas: Array.from({ length: environment.database.readReplicas }, (_, index) => `${database}-replica-${index + 1}`),
      drReplica: environment.database.crossRegionReplica && standby ? { identifier: naming.inRegion(standby.region).name("postgres"), region: standby.region } : undefined,
    },
    cache: { replicationGroupId: naming.name("redis") },
    search: { domainName: naming.name("search"), volumeSizeGiB: environment.search.volumeSizeGiB },
    broker: { name: broker },
    functions: Object.keys(environment.functions).map((name) => naming.name(name)),
    sqsQueues: [naming.name("email-notifications")],
  };
}
