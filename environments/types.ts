/**
 * The typed shape of one environment's configuration. Every figure the stacks use comes from an
 * object of this type (environments/dev.ts, staging.ts, production.ts); the stacks hold no
 * environment-specific literals. `validateEnvironment` (environments/validate.ts) checks it.
 */

export type EnvironmentName = "dev" | "staging" | "production";

/** Regions the platform may deploy to. Extend deliberately: each needs its AZ ids and ELB account. */
export const KNOWN_REGIONS = {
  "us-east-1": { shortName: "use1", elbAccountId: "127311923021" },
  "us-east-2": { shortName: "use2", elbAccountId: "033677994240" },
  "us-west-2": { shortName: "usw2", elbAccountId: "797873946194" },
  "eu-west-1": { shortName: "euw1", elbAccountId: "156460612806" },
  "eu-west-2": { shortName: "euw2", elbAccountId: "652711504416" },
  "eu-central-1": { shortName: "euc1", elbAccountId: "054676820928" },
} as const;
export type AwsRegion = keyof typeof KNOWN_REGIONS;

/** `primary` serves traffic; `standby` is production's warm DR copy (SPEC "Disaster recovery"). */
export type RegionRole = "primary" | "standby";

/** One shared NAT gateway (cheap, single-AZ egress) or one per AZ (HA egress). */
export type NatMode = "single" | "per-az";

export interface SubnetPlan {
  /** One CIDR per AZ, in AZ order: ALB and NAT gateways. */
  readonly public: readonly string[];
  /** One CIDR per AZ: ECS tasks, Lambda ENIs, interface endpoints. */
  readonly app: readonly string[];
  /** One CIDR per AZ: RDS, ElastiCache, OpenSearch, Amazon MQ. No route to the internet. */
  readonly data: readonly string[];
}

export interface RegionConfig {
  readonly region: AwsRegion;
  readonly role: RegionRole;
  /** AZ names, e.g. `us-east-1a`. Given, not looked up, so stacks plan offline. */
  readonly availabilityZones: readonly string[];
  readonly vpcCidr: string;
  /** Explicit subnet CIDRs. @default computed from `vpcCidr` by `defaultSubnetPlan`. */
  readonly subnets?: SubnetPlan;
  readonly natGateways: NatMode;
  /**
   * How many ECS tasks each service runs here. `catalogue` uses the service catalogue's counts;
   * a number (the warm standby's 1) runs that many, with the catalogue's maximum as ceiling so the
   * region can scale to full capacity on failover.
   * @default "catalogue"
   */
  readonly serviceTaskCount?: "catalogue" | number;
}

export interface AutoscalingConfig {
  readonly min: number;
  readonly max: number;
  /** Step scaling on queue depth: scale out above this many visible messages per running task. */
  readonly queueMessagesPerTask?: number;
}

export interface ServiceConfig {
  /** Lower-case name, e.g. `loan`; used in every resource name of the service. */
  readonly name: string;
  /** vCPU, one of Fargate's sizes: 0.25, 0.5, 1, 2, 4, 8, 16. */
  readonly cpu: number;
  /** Memory in MiB, valid for the chosen vCPU. */
  readonly memoryMiB: number;
  readonly desiredCount: number;
  readonly autoscaling: AutoscalingConfig;
  /** Path patterns the ALB routes to this service, e.g. `/api/loans/*`. */
  readonly paths: readonly string[];
  /** Container port. @default 8080 */
  readonly containerPort?: number;
  /** Health-check path. @default "/health" */
  readonly healthCheckPath?: string;
  /** May run on Fargate Spot (non-critical work, and only where the environment allows Spot). */
  readonly spotEligible?: boolean;
  /** Secrets Manager secrets (by short name) the service reads, e.g. `credit-bureau-api-key`. */
  readonly secrets?: readonly string[];
  /** Data stores the service uses; drives security-group and IAM grants. */
  readonly uses?: readonly ("database" | "cache" | "search" | "queue" | "documents")[];
}

export interface DatabaseConfig {
  /** @default "16.4" */
  readonly engineVersion: string;
  readonly instanceClass: string;
  readonly allocatedStorageGiB: number;
  /** Storage autoscaling ceiling; equal to `allocatedStorageGiB` turns autoscaling off. */
  readonly maxAllocatedStorageGiB: number;
  readonly storageType: "gp3" | "io2";
  /** Provisioned IOPS (io2, or gp3 above its baseline). */
  readonly iops?: number;
  readonly multiAz: boolean;
  readonly backupRetentionDays: number;
  readonly readReplicas: number;
  /** Production: a replica in the standby region, promotable during DR. */
  readonly crossRegionReplica: boolean;
  /**
   * DR activation: promote the standby region's replica to a standalone, writable primary (with
   * Multi-AZ, backups and its own managed master secret). Irreversible; see modules/rds/README.md.
   * @default false
   */
  readonly promoteStandby?: boolean;
}

export interface CacheConfig {
  /** @default "7.1" */
  readonly engineVersion: string;
  readonly nodeType: string;
  readonly clusterMode: boolean;
  /** Node groups (shards); 1 without cluster mode. */
  readonly shards: number;
  readonly replicasPerShard: number;
  readonly multiAz: boolean;
  readonly snapshotRetentionDays: number;
}

export interface SearchConfig {
  /** @default "OpenSearch_2.13" */
  readonly engineVersion: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly volumeSizeGiB: number;
  /** AZs the data nodes spread over; 1 turns zone awareness off. */
  readonly zoneAwarenessAzs: 1 | 2 | 3;
  readonly dedicatedMasterCount: 0 | 3 | 5;
  readonly dedicatedMasterType?: string;
}

export interface MessagingConfig {
  /** @default "3.13" */
  readonly engineVersion: string;
  readonly instanceType: string;
  readonly deploymentMode: "SINGLE_INSTANCE" | "CLUSTER_MULTI_AZ";
}

/** The platform buckets (modules/s3). */
export interface StorageConfig {
  /**
   * Object Lock default retention of the `logs` bucket. SPEC: immutable, compliance mode, 7
   * years (production). GOVERNANCE lets holders of `s3:BypassGovernanceRetention` delete early.
   */
  readonly logsObjectLock: { readonly mode: "COMPLIANCE" | "GOVERNANCE"; readonly years: number };
}

/** One Lambda function of the platform (modules/serverless); keyed like `release.functions`. */
export interface FunctionConfig {
  /** 128–10240 MiB; CPU scales with it. */
  readonly memoryMiB: number;
  /** 1–900 seconds. */
  readonly timeoutSeconds: number;
  /**
   * Reserved concurrency: the function's ceiling, so a burst cannot exhaust the database's
   * connections or the account's pool. At least 1 (0 would disable the function).
   */
  readonly reservedConcurrency: number;
  /** Scheduled jobs: job name → EventBridge Scheduler expression, `cron(...)` or `rate(...)`, in UTC. */
  readonly schedules?: Readonly<Record<string, string>>;
}

export interface ReleasePins {
  /** The platform release; every service image is tagged with it unless `images` overrides one. */
  readonly version: string;
  /** Per-service image tag overrides. */
  readonly images?: Readonly<Record<string, string>>;
  /** Lambda artifact versions (S3 object keys under `lambda/<function>/`). */
  readonly functions: Readonly<Record<string, string>>;
  /** Written by `npm run promote`: where these pins came from, when, and who approved them. */
  readonly promotion?: { readonly from: string; readonly at: string; readonly approvedBy?: string };
}

export interface OffHoursSchedule {
  /** Cron (UTC) at which services scale to zero, e.g. `cron(0 20 ? * MON-FRI *)`. */
  readonly scaleDown: string;
  /** Cron (UTC) at which services return to their catalogue capacity. */
  readonly scaleUp: string;
}

/**
 * How CodeDeploy moves production traffic from the running (blue) task set to the new (green) one.
 * `canary`: `percentage` first, the rest after `intervalMinutes`. `linear`: `percentage` every
 * `intervalMinutes` until all traffic has moved. `all-at-once`: everything in one step.
 */
export type TrafficShifting =
  | { readonly type: "all-at-once" }
  | { readonly type: "canary" | "linear"; readonly percentage: number; readonly intervalMinutes: number };

export interface DeploymentConfig {
  /**
   * `rolling`: ECS replaces tasks in place, guarded by the deployment circuit breaker with
   * rollback. `blue-green`: CodeDeploy starts a new task set behind a second target group, shifts
   * traffic per `trafficShifting`, and rolls back on failure or on the service's alarms.
   */
  readonly strategy: "rolling" | "blue-green";
  /** Required with `blue-green`, not allowed with `rolling`. */
  readonly trafficShifting?: TrafficShifting;
  /**
   * Blue/green: minutes the old task set keeps running after a successful shift, so a rollback
   * is a listener switch, not a redeployment.
   * @default 60
   */
  readonly blueTerminationWaitMinutes?: number;
  /**
   * Share of the desired tasks that must stay healthy while ECS replaces tasks. Production keeps
   * 100 (validated): capacity never drops during a deployment.
   * @default 100
   */
  readonly minimumHealthyPercent?: number;
}

/** Compute settings of the environment's ECS services (modules/ecs). */
export interface ComputeConfig {
  readonly deployment: DeploymentConfig;
  /**
   * ECS Exec into running containers, every session logged to a KMS-encrypted log group. Off in
   * production: an interactive shell next to customer data is break-glass, turned on by a change.
   * @default false
   */
  readonly executeCommand?: boolean;
  /**
   * Days ECR keeps an image after its push (SPEC: 90). A release older than this must be rebuilt
   * or re-pushed before its tasks are replaced, so keep it above the longest release cycle.
   * @default 90
   */
  readonly imageRetentionDays?: number;
}

export interface EnvironmentConfig {
  readonly name: EnvironmentName;
  /** The AWS account of this environment, 12 digits. */
  readonly accountId: string;
  /** Role the deploy pipeline assumes in `accountId`. */
  readonly deployRoleName: string;
  /** Tag values applied to every resource through the provider's default tags. */
  readonly tags: {
    readonly owner: string;
    readonly costCenter: string;
    readonly dataClassification: "public" | "internal" | "confidential" | "restricted";
  };
  /** Primary first. Production adds the eu-west-1 warm standby. */
  readonly regions: readonly RegionConfig[];
  /** Public DNS: the hosted zone the environment owns (ACM validation, API and CDN names). */
  readonly dns: { readonly zoneName: string; readonly hostedZoneId: string };
  readonly services: readonly ServiceConfig[];
  /** Deployments, ECS Exec and image retention of the services. */
  readonly compute: ComputeConfig;
  /** Allow Fargate Spot for services marked `spotEligible`. */
  readonly fargateSpot: boolean;
  /** Scale services to zero outside working hours (dev only). */
  readonly offHours?: OffHoursSchedule;
  readonly database: DatabaseConfig;
  readonly cache: CacheConfig;
  readonly search: SearchConfig;
  readonly messaging: MessagingConfig;
  readonly storage: StorageConfig;
  /** Lambda sizing and schedules, one entry per function pinned in `release.functions`. */
  readonly functions: Readonly<Record<string, FunctionConfig>>;
  readonly release: ReleasePins;
  /** Deletion protection on stateful resources and `prevent_destroy` in Terraform. */
  readonly deletionProtection: boolean;
  /** Days CloudWatch Logs keep application and infrastructure logs. */
  readonly logRetentionDays: number;
  readonly security: {
    /** WAF rate limit per client IP over 5 minutes. */
    readonly wafRateLimitPer5Min: number;
    /** Shield Advanced protections; requires the account's subscription. */
    readonly shieldAdvanced: boolean;
  };
}
