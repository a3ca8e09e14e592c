import { DataPagerdutyTeam } from "@cdktf/provider-pagerduty/lib/data-pagerduty-team";
import { DataPagerdutyUser } from "@cdktf/provider-pagerduty/lib/data-pagerduty-user";
import { EscalationPolicy } from "@cdktf/provider-pagerduty/lib/escalation-policy";
import { Schedule } from "@cdktf/provider-pagerduty/lib/schedule";
import { Service, type ServiceConfig } from "@cdktf/provider-pagerduty/lib/service";
import { ServiceIntegration } from "@cdktf/provider-pagerduty/lib/service-integration";
import { SlackConnection } from "@cdktf/provider-pagerduty/lib/slack-connection";
import { Team } from "@cdktf/provider-pagerduty/lib/team";
import { TeamMembership } from "@cdktf/provider-pagerduty/lib/team-membership";
import { User } from "@cdktf/provider-pagerduty/lib/user";
import { Construct } from "constructs";

/** PagerDuty's vendor id of the Datadog integration (asserted by the provider's own tests). */
export const DATADOG_VENDOR_ID = "PAM4FGS";
/** PagerDuty's vendor id of Amazon CloudWatch (asserted by the provider's vendor data-source test). */
export const CLOUDWATCH_VENDOR_ID = "PZQ6AUS";
const WEEK_SECONDS = 7 * 24 * 3600;

export interface OnCallPerson {
  readonly name: string;
  readonly email: string;
}

export interface OnCallTeam {
  readonly key: string;
  readonly name: string;
  /** Emails in rotation order, one week each. */
  readonly primary: readonly string[];
  readonly secondary: readonly string[];
  /** Last step of the escalation policy. */
  readonly manager: string;
}

/** `severity_based`: Datadog alerts are high urgency, warnings low. */
export type UrgencyPolicy = "high" | "low" | "severity_based" | "support_hours";

export interface SupportHours {
  readonly timeZone: string;
  /** 1 = Monday … 7 = Sunday. */
  readonly days: readonly number[];
  /** `HH:MM`. */
  readonly start: string;
  readonly end: string;
}

export interface PlatformTierService {
  readonly team: string;
  readonly description: string;
  readonly urgency: UrgencyPolicy;
}

export interface OnCallProps {
  readonly environment: string;
  readonly people: readonly OnCallPerson[];
  readonly teams: readonly OnCallTeam[];
  readonly rotation: {
    readonly timeZone: string;
    /** A hand-off instant (RFC 3339); rotations turn weekly from it. */
    readonly virtualStart: string;
    readonly escalationMinutes: { readonly primary: number; readonly secondary: number };
    /** Times the policy repeats unacknowledged (0–9). */
    readonly repeats: number;
  };
  /** One PagerDuty service per platform tier. */
  readonly tiers: Readonly<Record<string, PlatformTierService>>;
  /** Required when a tier's urgency is `support_hours`. */
  readonly supportHours?: SupportHours;
  /**
   * `true`: this stack creates the users (invitations) and teams. `false`: it looks them up by
   * email and name, because another environment's stack owns them (PagerDuty users are per account).
   * @default false
   */
  readonly manageDirectory?: boolean;
  /** Posts incidents of every tier's service to a Slack channel. */
  readonly slack?: { readonly workspaceId: string; readonly channelId: string };
  /**
   * Tiers whose service also takes Amazon CloudWatch alarms from SNS (the AWS stacks' severity
   * topics): each gets a CloudWatch integration whose events URL a topic subscribes to.
   * @default none
   */
  readonly cloudWatchTiers?: readonly string[];
  /**
   * PagerDuty's events host: `events.eu.pagerduty.com` for an account in the EU service region.
   * @default "events.pagerduty.com"
   */
  readonly eventsHost?: string;
}

/**
 * The on-call path of one environment: people and teams, weekly primary and secondary schedules
 * per team, an escalation policy per team (primary → secondary → engineering manager, repeated),
 * and a service per platform tier with its urgency rules and a Datadog integration whose key
 * Datadog's service objects use. Names carry the environment, so the three environments' stacks
 * share one PagerDuty account without collisions.
 */
export class OnCall extends Construct {
  /** PagerDuty service per tier. */
  readonly services: ReadonlyMap<string, Service>;
  /** Datadog integration per tier: its `integration_key` is Datadog's service key. */
  readonly datadogIntegrations: ReadonlyMap<string, ServiceIntegration>;
  readonly escalationPolicies: ReadonlyMap<string, EscalationPolicy>;
  readonly schedules: ReadonlyMap<string, { readonly primary: Schedule; readonly secondary: Schedule }>;
  /** Per tier in `cloudWatchTiers`: the HTTPS endpoint an SNS topic subscribes to (holds the integration key). */
  readonly cloudWatchEndpoints: ReadonlyMap<string, string>;

  constructor(scope: Construct, id: string, props: OnCallProps) {
    super(scope, id);
    const prefix = `lma-${props.environment}`;
    const userId = this.directory(props);
    const teamId = this.teams(props, userId);

    const schedules = new Map<string, { primary: Schedule; secondary: Schedule }>();
    const policies = new Map<string, EscalationPolicy>();
    for (const team of props.teams) {
      const schedule = (role: "primary" | "secondary", emails: readonly string[]) =>
        new Schedule(this, `${team.key}-${role}`, {
          name: `${prefix}-${team.key}-${role}`,
          description: `${team.name}: ${role} on call for ${props.environment}, weekly hand-off`,
          timeZone: props.rotation.timeZone,
          teams: [teamId(team.key)],
          layer: [
            {
              name: `Weekly ${role}`,
              start: props.rotation.virtualStart,
              rotationVirtualStart: props.rotation.virtualStart,
              rotationTurnLengthSeconds: WEEK_SECONDS,
              users: emails.map(userId),
            },
          ],
        });
      const pair = { primary: schedule("primary", team.primary), secondary: schedule("secondary", team.secondary) };
      schedules.set(team.key, pair);
      const { primary, secondary } = props.rotation.escalationMinutes;
      policies.set(
        team.key,
        new EscalationPolicy(this, `${team.key}-escalation`, {
          name: `${prefix}-${team.key}`,
          description: `${team.name}: primary, then secondary after ${primary} min, then the engineering manager after ${secondary} min`,
          numLoops: props.rotation.repeats,
          teams: [teamId(team.key)],
          rule: [
            { escalationDelayInMinutes: primary, target: [{ type: "schedule_reference", id: pair.primary.id }] },
            { escalationDelayInMinutes: secondary, target: [{ type: "schedule_reference", id: pair.secondary.id }] },
            { escalationDelayInMinutes: secondary, target: [{ type: "user_reference", id: userId(team.manager) }] },
          ],
        }),
      );
    }
    this.schedules = schedules;
    this.escalationPolicies = policies;

    const services = new Map<string, Service>();
    const integrations = new Map<string, ServiceIntegration>();
    const cloudWatchTiers = new Set(props.cloudWatchTiers ?? []);
    for (const tier of cloudWatchTiers) {
      if (!(tier in props.tiers)) throw new Error(`CloudWatch tier "${tier}" is not a platform tier (${Object.keys(props.tiers).join(", ")})`);
    }
    const cloudWatchEndpoints = new Map<string, string>();
    for (const [tier, settings] of Object.entries(props.tiers)) {
      const policy = policies.get(settings.team);
      if (!policy) throw new Error(`tier "${tier}" names team "${settings.team}", which has no escalation policy`);
      const service = new Service(this, `${tier}-service`, {
        name: `${prefix}-${tier}`,
        description: settings.description,
        escalationPolicy: policy.id,
        acknowledgementTimeout: "1800",
        // Datadog resolves the incident when its monitor recovers.
        autoResolveTimeout: "null",
        alertCreation: "create_alerts_and_incidents",
        ...urgencyRules(settings.urgency, props.supportHours, `${tier}`),
      });
      services.set(tier, service);
      integrations.set(tier, new ServiceIntegration(this, `${tier}-datadog`, { name: "Datadog", service: service.id, vendor: DATADOG_VENDOR_ID }));
      if (cloudWatchTiers.has(tier)) {
        const cloudWatch = new ServiceIntegration(this, `${tier}-cloudwatch`, { name: "Amazon CloudWatch", service: service.id, vendor: CLOUDWATCH_VENDOR_ID });
        cloudWatchEndpoints.set(tier, `https://${props.eventsHost ?? "events.pagerduty.com"}/integration/${cloudWatch.integrationKey}/enqueue`);
      }
      if (props.slack) {
        new SlackConnection(this, `${tier}-slack`, {
          sourceId: service.id,
          sourceType: "service_reference",
          workspaceId: props.slack.workspaceId,
          channelId: props.slack.channelId,
          notificationType: "responder",
          config: [{ events: ["incident.triggered", "incident.acknowledged", "incident.escalated", "incident.resolved", "incident.reopened"] }],
        });
      }
    }
    this.services = services;
    this.datadogIntegrations = integrations;
    this.cloudWatchEndpoints = cloudWatchEndpoints;
  }

  /** Users by email: created here, or looked up where another environment owns them. */
  private directory(props: OnCallProps): (email: string) => string {
    const ids = new Map<string, string>();
    props.people.forEach((person, index) => {
      const id = `person-${index}-${person.email.split("@")[0]!.replace(/[^a-z0-9]/gi, "-")}`;
      ids.set(
        person.email,
        props.manageDirectory
          ? new User(this, id, { name: person.name, email: person.email, role: "user", timeZone: props.rotation.timeZone }).id
          : new DataPagerdutyUser(this, id, { email: person.email }).id,
      );
    });
    return (email) => {
      const id = ids.get(email);
      if (!id) throw new Error(`${email} is on call but not among the people`);
      return id;
    };
  }

  private teams(props: OnCallProps, userId: (email: string) => string): (key: string) => string {
    const ids = new Map<string, string>();
    for (const team of props.teams) {
      if (!props.manageDirectory) {
        ids.set(team.key, new DataPagerdutyTeam(this, `team-${team.key}`, { name: team.name }).id);
        continue;
      }
      const created = new Team(this, `team-${team.key}`, { name: team.name, description: `${team.name} (managed by lma-infra)` });
      ids.set(team.key, created.id);
      for (const email of new Set([...team.primary, ...team.secondary, team.manager])) {
        new TeamMembership(this, `team-${team.key}-${email.split("@")[0]}`, {
          teamId: created.id,
          userId: userId(email),
          role: email === team.manager ? "manager" : "responder",
        });
      }
    }
    return (key) => ids.get(key)!;
  }
}

/** The incident-urgency attributes of a service for a policy. */
export function urgencyRules(policy: UrgencyPolicy, supportHours: SupportHours | undefined, tier: string): Pick<ServiceConfig, "incidentUrgencyRule" | "supportHours" | "scheduledActions"> {
  if (policy !== "support_hours") return { incidentUrgencyRule: { type: "constant", urgency: policy } };
  if (!supportHours) throw new Error(`tier "${tier}" uses support hours, but none are given`);
  return {
    incidentUrgencyRule: {
      type: "use_support_hours",
      // PagerDuty supports only high inside support hours and low outside.
      duringSupportHours: { type: "constant", urgency: "high" },
      outsideSupportHours: { type: "constant", urgency: "low" },
    },
    supportHours: {
      type: "fixed_time_per_day",
      timeZone: supportHours.timeZone,
      daysOfWeek: [...supportHours.days],
      startTime: `${supportHours.start}:00`,
      endTime: `${supportHours.end}:00`,
    },
    // Open low-urgency incidents become high when support hours begin.
    scheduledActions: [{ type: "urgency_change", toUrgency: "high", at: [{ type: "named_time", name: "support_hours_start" }] }],
  };
}
