/**
 * The configuration's one declaration: the zod schema below gives the TypeScript types
 * (environments/types.ts), the checks (environments/validate.ts turns its issues into
 * `file: path: message` lines) and the JSON Schema of releases.json (environments/releases.schema.json).
 * Each rule is stated once, here, with its reason; cross-field rules are refinements.
 */
import { z } from "zod";
import { type Cidr, cidrContains, cidrsOverlap, parseCidr } from "../lib/cidr";
import { MAINTENANCE_TIME_ZONES, type MaintenanceTimeZone, WEEKDAYS, minutesOfDay } from "../lib/maintenance";
import { subnetPlanOf } from "../lib/subnets";
import { KNOWN_REGIONS, REGION_NAMES } from "./regions";
import { MAINTENANCE_BY_TIER } from "./maintenance";
import { ENGINE_VERSIONS } from "./engine-versions";
import { declaredSecrets } from "./secrets";

type Context = z.core.$RefinementCtx;
type Path = (string | number)[];

const report = (ctx: Context, path: Path, message: string) => ctx.addIssue({ code: "custom", path, message });

/** An integer in [min, max]; the message names the range and the value given. */
function integer(min: number, max = Number.MAX_SAFE_INTEGER, unit = "") {
  const range = max === Number.MAX_SAFE_INTEGER ? (min === 0 ? "≥ 0" : `≥ ${min}`) : `${min}–${max}${unit}`;
  return z.number().refine((value) => Number.isInteger(value) && value >= min && value <= max, {
    error: (issue) => `must be an integer ${range} (${String(issue.input)})`,
  });
}

/** A string matching `pattern`; `what` completes "is not …". */
function matching(pattern: RegExp, what: string) {
  return z.string().regex(pattern, { error: (issue) => `"${String(issue.input)}" is not ${what}` });
}

const TIERS = ["development", "staging", "production"] as const;

/**
 * The environments there can be; each is part of every resource name (`lma-<name>-…`) and has a
 * file `environments/<name>.ts`. cdktf.json's context lists the ones synthesized.
 */
export const ENVIRONMENT_NAMES = ["dev", "staging", "production"] as const;

// ---------------------------------------------------------------------------------------------
// Regions and networks
// ---------------------------------------------------------------------------------------------

const cidrText = z.string().refine((text) => parseCidr(text) !== undefined, {
  error: (issue) => `"${String(issue.input)}" is not an IPv4 CIDR on its network boundary`,
});

const subnetPlanSchema = z.strictObject({
  /** One CIDR per AZ, in AZ order: ALB and NAT gateways. */
  public: z.array(cidrText),
  /** One CIDR per AZ: ECS tasks, Lambda ENIs, interface endpoints. */
  app: z.array(cidrText),
  /** One CIDR per AZ: RDS, ElastiCache, OpenSearch, Amazon MQ. No route to the internet. */
  data: z.array(cidrText),
});

/** /16 to /20: room for the default subnet plan (lib/subnets.ts). */
const vpcPrefixFits = (vpc: Cidr) => vpc.prefix >= 16 && vpc.prefix <= 20;

/** AWS's smallest subnet is a /28. */
const SMALLEST_SUBNET_PREFIX = 28;

const regionSchema = z
  .strictObject({
    region: z.enum(REGION_NAMES, {
      error: (issue) => `unknown region "${String(issue.input)}" (known: ${REGION_NAMES.join(", ")})`,
    }),
    /** `primary` serves traffic; `standby` is the warm disaster-recovery copy (production tier only). */
    role: z.enum(["primary", "standby"]),
    /** AZ names, e.g. `us-east-1a`. Given, not looked up, so stacks plan offline. At most 4 (the subnet plan's room). */
    availabilityZones: z.array(z.string()).max(4, { error: (issue) => `at most 4 AZs are supported (found ${(issue.input as unknown[]).length})` }),
    vpcCidr: cidrText,
    /** Explicit subnet CIDRs. @default computed from `vpcCidr` by `defaultSubnetPlan` (lib/subnets.ts). */
    subnets: subnetPlanSchema.optional(),
    /** One shared NAT gateway (cheap, single-AZ egress) or one per AZ (HA egress). */
    natGateways: z.enum(["single", "per-az"]),
    /**
     * How many ECS tasks each service runs here. `catalogue` uses the service catalogue's counts;
     * a number (the warm standby's 1) runs that many, with the catalogue's maximum as ceiling so the
     * region can scale to full capacity on failover.
     * @default "catalogue"
     */
    serviceTaskCount: z.union([z.literal("catalogue"), integer(1)]).optional(),
    /**
     * CloudFront's origin-facing managed prefix list in this region, for security-group rules that
     * admit only CloudFront. @default the region's id in environments/regions.ts
     */
    cloudfrontOriginPrefixListId: matching(/^pl-[0-9a-f]{8,17}$/, "a prefix list id").optional(),
  })
  .superRefine((region, ctx) => {
    const azs = region.availabilityZones;
    azs.forEach((az, index) => {
      if (!new RegExp(`^${region.region}[a-f]$`).test(az)) {
        report(ctx, ["availabilityZones", index], `"${az}" is not an AZ of ${region.region}`);
      }
    });
    if (new Set(azs).size !== azs.length) report(ctx, ["availabilityZones"], "lists an AZ twice");
    const vpc = parseCidr(region.vpcCidr);
    if (vpc && !vpcPrefixFits(vpc)) report(ctx, ["vpcCidr"], `prefix must be /16 to /20 (${region.vpcCidr})`);
  })
  .transform((region) => ({
    ...region,
    cloudfrontOriginPrefixListId: region.cloudfrontOriginPrefixListId ?? KNOWN_REGIONS[region.region].cloudfrontOriginPrefixListId,
  }));

// ---------------------------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------------------------

/** Fargate's valid memory sizes (MiB) for each vCPU size. */
const FARGATE_MEMORY: Readonly<Record<number, { min: number; max: number; step: number }>> = {
  0.25: { min: 512, max: 2048, step: 512 },
  0.5: { min: 1024, max: 4096, step: 1024 },
  1: { min: 2048, max: 8192, step: 1024 },
  2: { min: 4096, max: 16384, step: 1024 },
  4: { min: 8192, max: 30720, step: 1024 },
  8: { min: 16384, max: 61440, step: 4096 },
  16: { min: 32768, max: 122880, step: 8192 },
};

/** Lower-case, used in every resource name of the service; 20 characters keep those names under AWS limits. */
export const SERVICE_NAME = /^[a-z][a-z0-9]{1,19}$/;

/** The data stores a service may use: each kind is one store of the regional stack, reached through its contract. */
export const DATA_STORE_KINDS = ["database", "cache", "search", "queue", "documents"] as const;

/**
 * An ALB path pattern: starts with `/`, at most 128 characters of the set ALB accepts
 * (letters, digits and `_-.$/~"'@:+&`, with `*` and `?` as wildcards).
 */
const PATH_PATTERN = /^\/[A-Za-z0-9_\-.$/~"'@:+&*?]{0,127}$/;

const autoscalingSchema = z.strictObject({
  min: integer(0),
  max: integer(1),
  /** Step scaling on queue depth: scale out above this many visible messages per running task. */
  queueMessagesPerTask: integer(1).optional(),
  /**
   * Scale in below this many messages per running task (for `compute.scaling.queue.scaleInMinutes`);
   * required with `queueMessagesPerTask` and below it, so a scale-out does not immediately undo itself.
   */
  queueScaleInMessagesPerTask: integer(0).optional(),
});

const serviceSchema = z
  .strictObject({
    name: z.string().regex(SERVICE_NAME, {
      error: (issue) => `"${String(issue.input)}" must be 2–20 lower-case letters or digits, starting with a letter`,
    }),
    /** vCPU, one of Fargate's sizes. */
    cpu: z.number(),
    /** Memory in MiB, valid for the chosen vCPU (Fargate's table above). */
    memoryMiB: z.number(),
    /** Within `autoscaling` [min, max]. */
    desiredCount: integer(0),
    autoscaling: autoscalingSchema,
    /** Path patterns the ALB routes to this service, e.g. `/api/loans/*`; each claimed by one service only. */
    paths: z
      .array(matching(PATH_PATTERN, "an ALB path pattern (/, then up to 127 of A–Z a–z 0–9 _-.$/~\"'@:+&*?)"))
      .min(1, { error: "must route at least one path" }),
    /** Container port; unprivileged because tasks run as non-root. @default 8080 */
    containerPort: z
      .number()
      .refine((port) => Number.isInteger(port) && port >= 1024 && port <= 65535, {
        error: (issue) => `must be an unprivileged port, 1024–65535 (${String(issue.input)}); tasks run as non-root`,
      })
      .optional(),
    /** Health-check path. @default "/health" */
    healthCheckPath: z.string().startsWith("/", { error: "must start with /" }).optional(),
    /** May run on Fargate Spot (non-critical work, and only where the environment allows Spot). */
    spotEligible: z.boolean().optional(),
    /** Application secrets (names declared in environments/secrets.ts) the service reads. */
    secrets: z.array(z.string()).optional(),
    /** Data stores the service uses: network access, credentials and endpoints follow from this list. */
    uses: z
      .array(z.enum(DATA_STORE_KINDS, { error: (issue) => `unknown data store "${String(issue.input)}" (known: ${DATA_STORE_KINDS.join(", ")})` }))
      .optional(),
  })
  .superRefine((service, ctx) => {
    const memory = FARGATE_MEMORY[service.cpu];
    if (!memory) {
      report(ctx, ["cpu"], `${service.cpu} vCPU is not a Fargate size (${Object.keys(FARGATE_MEMORY).sort((a, b) => +a - +b).join(", ")})`);
    } else if (service.memoryMiB < memory.min || service.memoryMiB > memory.max || service.memoryMiB % memory.step !== 0) {
      report(ctx, ["memoryMiB"], `${service.memoryMiB} MiB is not valid for ${service.cpu} vCPU (${memory.min}–${memory.max} in steps of ${memory.step})`);
    }
    const { min, max, queueMessagesPerTask: queueOut, queueScaleInMessagesPerTask: queueIn } = service.autoscaling;
    if (queueOut !== undefined && queueIn === undefined) {
      report(ctx, ["autoscaling", "queueScaleInMessagesPerTask"], "required with queueMessagesPerTask (the scale-in threshold)");
    } else if (queueOut === undefined && queueIn !== undefined) {
      report(ctx, ["autoscaling", "queueScaleInMessagesPerTask"], "applies only with queueMessagesPerTask");
    } else if (queueOut !== undefined && queueIn !== undefined && queueIn >= queueOut) {
      report(ctx, ["autoscaling", "queueScaleInMessagesPerTask"], `must be below queueMessagesPerTask (${queueIn} ≥ ${queueOut})`);
    }
    if (max < min) {
      report(ctx, ["autoscaling", "max"], `must be ≥ min (${max} < ${min})`);
    } else if (service.desiredCount < min || service.desiredCount > max) {
      // With min > max the range is meaningless; that problem is reported above.
      report(ctx, ["desiredCount"], `must be within autoscaling [min, max] = [${min}, ${max}] (${service.desiredCount})`);
    }
  });

/**
 * A list of services: names unique (they name resources), every ALB path claimed once (a second
 * claim would be unreachable behind the first listener rule).
 */
export const serviceListSchema = z
  .array(serviceSchema)
  .min(1, { error: "must list at least one service" })
  .superRefine((services, ctx) => {
    const names = new Set<string>();
    const owners = new Map<string, string>();
    services.forEach((service, index) => {
      if (names.has(service.name)) report(ctx, [index, "name"], `duplicate service "${service.name}"`);
      names.add(service.name);
      service.paths.forEach((pattern, pathIndex) => {
        const owner = owners.get(pattern);
        if (owner !== undefined) report(ctx, [index, "paths", pathIndex], `"${pattern}" is already routed to ${owner}`);
        else owners.set(pattern, service.name);
      });
    });
  });

/** Every secret a service names must be declared; `declared` are the names an environment carries. */
export function checkSecretReferences(
  services: readonly { secrets?: readonly string[] | undefined }[],
  declared: readonly string[],
  ctx: Context,
  prefix: Path,
): void {
  services.forEach((service, index) =>
    (service.secrets ?? []).forEach((name, secretIndex) => {
      if (!declared.includes(name)) {
        report(ctx, [...prefix, index, "secrets", secretIndex], `unknown secret "${name}": declare it in environments/secrets.ts (declared: ${declared.join(", ")})`);
      }
    }),
  );
}

/** The service catalogue (environments/catalogue.ts) on its own, checked against the declared secrets. */
export const catalogueSchema = serviceListSchema.superRefine((services, ctx) =>
  checkSecretReferences(services, declaredSecrets().map((secret) => secret.name), ctx, []),
);

const secretDeclarationSchema = z.strictObject({
  name: matching(/^[a-z][a-z0-9-]{1,62}$/, "a secret name (lower-case letters, digits and -)"),
  /** What the secret is and who issues it; becomes the Secrets Manager description. */
  description: z.string().min(1, { error: "must not be empty" }),
  /** A rotation function rotates it; otherwise the issuer's own process does (third-party keys). */
  rotated: z.boolean(),
});

// ---------------------------------------------------------------------------------------------
// Data tier, storage, functions
// ---------------------------------------------------------------------------------------------

/** pgaudit's statement classes (https://github.com/pgaudit/pgaudit#pgauditlog). */
const PGAUDIT_CLASSES = ["read", "write", "function", "role", "ddl", "misc", "misc_set", "all"] as const;

const databaseSchema = z.strictObject({
  /**
   * PostgreSQL 16 (the applications' tested major version). The major alone lets RDS apply minor
   * versions in the maintenance window (docs/version-policy.md); a pinned minor must be one AWS
   * still offers (the rule pack's `rds-engine-version-offered`).
   */
  engineVersion: matching(/^16(\.\d+)?$/, "PostgreSQL 16 or 16.x").default(ENGINE_VERSIONS.postgres.engineVersion),
  /**
   * pgaudit's statement classes (`pgaudit.log`), e.g. `["ddl", "role", "write"]`: schema and
   * privilege changes and every write to the ledger. `read` logs every query; `all` is every class.
   * @default ["ddl", "role", "write"]
   */
  auditLog: z
    .array(z.enum(PGAUDIT_CLASSES, { error: (issue) => `unknown pgaudit class "${String(issue.input)}" (known: ${PGAUDIT_CLASSES.join(", ")})` }))
    .min(1, { error: "must name at least one pgaudit class" })
    .default(["ddl", "role", "write"]),
  instanceClass: matching(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "an RDS class"),
  /** RDS's range for gp3 and io2. */
  allocatedStorageGiB: z.number().refine((size) => size >= 20 && size <= 65536, { error: "must be 20–65536 GiB" }),
  /** Storage autoscaling ceiling, ≥ `allocatedStorageGiB`; equal turns autoscaling off. */
  maxAllocatedStorageGiB: z.number(),
  storageType: z.enum(["gp3", "io2"]).default("gp3"),
  /** Provisioned IOPS (io2 needs ≥ 1000, or gp3 above its baseline). */
  iops: z.number().optional(),
  multiAz: z.boolean(),
  /** RDS keeps 1–35 days. */
  backupRetentionDays: z.number().refine((days) => days >= 1 && days <= 35, { error: "must be 1–35 days" }),
  readReplicas: integer(0).default(0),
  /** A replica in the standby region, promoted when `disasterRecovery.activeRegion` names that region; needs a standby region. */
  crossRegionReplica: z.boolean().default(false),
}).superRefine((db, ctx) => {
  if (db.maxAllocatedStorageGiB < db.allocatedStorageGiB) {
    report(ctx, ["maxAllocatedStorageGiB"], `must be ≥ allocatedStorageGiB (${db.maxAllocatedStorageGiB} < ${db.allocatedStorageGiB})`);
  }
  if (db.storageType === "io2" && (db.iops === undefined || db.iops < 1000)) report(ctx, ["iops"], "io2 storage needs provisioned IOPS ≥ 1000");
});

const cacheSchema = z.strictObject({
  /** Redis 7 (the applications' client supports 7.x). */
  engineVersion: matching(/^7\.\d+$/, "Redis 7.x (ElastiCache takes major.minor)").default(ENGINE_VERSIONS.redis.engineVersion),
  nodeType: matching(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, "a node type"),
  clusterMode: z.boolean().default(false),
  /** Node groups (shards); more than one needs cluster mode. */
  shards: integer(1).default(1),
  /** ElastiCache allows at most 5 replicas per shard; Multi-AZ needs at least one. */
  replicasPerShard: integer(0).refine((count) => count <= 5, { error: "ElastiCache allows at most 5 replicas per shard" }),
  multiAz: z.boolean(),
  snapshotRetentionDays: z.number().refine((days) => days >= 0 && days <= 35, { error: "must be 0–35" }),
}).superRefine((cache, ctx) => {
  if (!cache.clusterMode && cache.shards !== 1) report(ctx, ["shards"], "more than one shard needs clusterMode");
  if (cache.multiAz && cache.replicasPerShard < 1) report(ctx, ["multiAz"], "Multi-AZ needs at least one replica per shard");
});

const searchSchema = z.strictObject({
  /** A released OpenSearch minor; OpenSearch has no automatic minor upgrades (docs/version-policy.md). */
  engineVersion: matching(/^OpenSearch_\d+\.\d+$/, "an OpenSearch version (OpenSearch_<major>.<minor>)").default(ENGINE_VERSIONS.opensearch.engineVersion),
  instanceType: matching(/\.search$/, "an OpenSearch type"),
  /** Data nodes, a multiple of `zoneAwarenessAzs` so each AZ holds the same share. */
  instanceCount: integer(1),
  /** OpenSearch's smallest EBS volume is 10 GiB. */
  volumeSizeGiB: z.number().refine((size) => size >= 10, { error: "must be ≥ 10 GiB" }),
  /** AZs the data nodes spread over (at most the primary region's AZs); 1 turns zone awareness off. */
  zoneAwarenessAzs: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  dedicatedMasterCount: z.union([z.literal(0), z.literal(3), z.literal(5)]).default(0),
  /** Needed with dedicated masters. */
  dedicatedMasterType: z.string().optional(),
}).superRefine((search, ctx) => {
  if (search.instanceCount % search.zoneAwarenessAzs !== 0) {
    report(ctx, ["instanceCount"], `must be a multiple of zoneAwarenessAzs (${search.instanceCount} over ${search.zoneAwarenessAzs} AZs)`);
  }
  if (search.dedicatedMasterCount > 0 && search.dedicatedMasterType === undefined) report(ctx, ["dedicatedMasterType"], "needed with dedicated masters");
});

const messagingSchema = z.strictObject({
  /** RabbitMQ major.minor; Amazon MQ applies patch versions in the maintenance window. */
  engineVersion: matching(/^3\.\d+$/, "a RabbitMQ version (3.<minor>)").default(ENGINE_VERSIONS.rabbitmq.engineVersion),
  /** mq.t3.micro cannot run a cluster. */
  instanceType: matching(/^mq\./, "an MQ type"),
  deploymentMode: z.enum(["SINGLE_INSTANCE", "CLUSTER_MULTI_AZ"]),
}).superRefine((messaging, ctx) => {
  if (messaging.deploymentMode === "CLUSTER_MULTI_AZ" && messaging.instanceType === "mq.t3.micro") {
    report(ctx, ["instanceType"], "mq.t3.micro cannot run a cluster");
  }
});

/** The platform buckets (modules/s3). */
const storageSchema = z.strictObject({
  /**
   * Object Lock default retention of the `logs` bucket. GOVERNANCE lets holders of
   * `s3:BypassGovernanceRetention` delete early; the production tier keeps COMPLIANCE for 7 years.
   * @default COMPLIANCE for 7 years
   */
  logsObjectLock: z
    .strictObject({
      mode: z.enum(["COMPLIANCE", "GOVERNANCE"], {
        error: (issue) => `must be COMPLIANCE or GOVERNANCE ("${String(issue.input)}")`,
      }),
      years: integer(1, 100),
    })
    .default({ mode: "COMPLIANCE", years: 7 }),
  /**
   * Days a replaced or deleted version of a loan document is kept before it expires. Loan
   * documents are kept seven years (the backup table of seed 001), so the production tier keeps
   * at least 2555 days.
   * @default 365
   */
  documentsNoncurrentVersionDays: integer(1).default(365),
});

/** A scheduled job's EventBridge Scheduler expression, in UTC. */
const SCHEDULE_EXPRESSION = /^(cron\([^)]+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/;

/** One Lambda function of the platform (modules/serverless); keyed like `release.functions`. */
const functionSchema = z.strictObject({
  /** CPU scales with memory. */
  memoryMiB: integer(128, 10240, " MiB"),
  /** Lambda's limit is 15 minutes. */
  timeoutSeconds: integer(1, 900, " s"),
  /**
   * Reserved concurrency: the function's ceiling, so a burst cannot exhaust the database's
   * connections or the account's pool. At least 1: 0 would stop the function.
   */
  reservedConcurrency: z.number().refine((count) => Number.isInteger(count) && count >= 1, {
    error: (issue) => `must be an integer ≥ 1; 0 would stop the function (${String(issue.input)})`,
  }),
  /** Scheduled jobs: job name → `cron(...)` or `rate(n unit)`, in UTC. */
  schedules: z
    .record(
      z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, { error: "job names are 1–40 lower-case letters, digits or -" }),
      z.string().regex(SCHEDULE_EXPRESSION, { error: (issue) => `"${String(issue.input)}" must be cron(...) or rate(n unit)` }),
    )
    .optional(),
});

// ---------------------------------------------------------------------------------------------
// Disaster recovery (lib/disaster-recovery.ts reads it; docs/disaster-recovery.md operates it)
// ---------------------------------------------------------------------------------------------

/**
 * The standby region's data services while it does not hold the writer. Only attributes AWS
 * changes in place can differ from the production sizes, so failover is a resize: Redis keeps
 * its cluster mode and shard count (node type and replicas resize online), OpenSearch keeps its
 * volumes (type, count and masters change by an in-place blue/green), Amazon MQ keeps its
 * deployment mode (SINGLE_INSTANCE ↔ CLUSTER_MULTI_AZ replaces the broker; the type does not).
 * Each part defaults to the environment's own size.
 */
const standbySizesSchema = z.strictObject({
  cache: z.strictObject({ nodeType: matching(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, "a node type"), replicasPerShard: integer(0, 5) }).optional(),
  search: z
    .strictObject({
      instanceType: matching(/\.search$/, "an OpenSearch type"),
      instanceCount: integer(1),
      dedicatedMasterCount: z.union([z.literal(0), z.literal(3), z.literal(5)]),
      dedicatedMasterType: z.string().optional(),
    })
    .optional(),
  messaging: z.strictObject({ instanceType: matching(/^mq\./, "an MQ type") }).optional(),
  /**
   * Scheduled jobs stay off while the region is standby: the primary runs them against the same
   * data, and a second run would double-post. @default false
   */
  scheduledJobsEnabled: z.boolean().default(false),
});

const disasterRecoverySchema = z.strictObject({
  /**
   * `warm-standby`: one region serves and holds the writer, the other runs small and takes over
   * by failover. `active-active`: both serve (latency routing); the writer stays in `activeRegion`.
   * @default "warm-standby"
   */
  topology: z.enum(["warm-standby", "active-active"]).default("warm-standby"),
  /**
   * The region that holds the writer and takes the traffic. Failover = the standby region, then
   * apply the standby stack; failback = back to the home primary after re-seeding
   * (docs/disaster-recovery.md). @default the region with role `primary`
   */
  activeRegion: z.enum(REGION_NAMES).optional(),
  /**
   * Building the environment from nothing: `standby-foundation` (apply the standby stack: network,
   * keys, buckets, repositories), `primary` (apply the primary stack, whose replication targets now
   * exist), then `complete` (apply the standby stack again: replica, backups, services).
   * @default "complete"
   */
  buildPhase: z.enum(["standby-foundation", "primary", "complete"]).default("complete"),
  /** Sizes of the standby region's data services while it is not active. */
  standby: standbySizesSchema.default({ scheduledJobsEnabled: false }),
});

// ---------------------------------------------------------------------------------------------
// Release pins (environments/releases.json)
// ---------------------------------------------------------------------------------------------

const IMAGE_TAG = /^[\w.-]{1,128}$/;

export const releasePinsSchema = z
  .strictObject(
    {
      version: matching(IMAGE_TAG, "a valid image tag").meta({ description: "The platform release: every service image is tagged with it unless `images` overrides one." }),
      images: z
        .record(z.string(), matching(IMAGE_TAG, "a valid image tag"))
        .optional()
        .meta({ description: "Per-service image tag overrides, keyed by a service name of the environment." }),
      functions: z
        .record(z.string(), matching(/^\d+\.\d+\.\d+$/, "a semantic version"))
        .meta({ description: "Lambda artifact versions (semantic versions, S3 keys under lambda/<function>/): one per function of the environment." }),
      promotion: z
        .strictObject({ from: z.string(), at: z.string(), approvedBy: z.string().optional() })
        .optional()
        .meta({ description: "Written by npm run promote: the environment the pins came from, when, and who approved them." }),
    },
    { error: (issue) => (issue.input === undefined ? "has no release pins: add the environment to releases.json (copy its predecessor's pins)" : undefined) },
  )
  .meta({ id: "ReleasePins", description: "The release pins of one environment." });

/** releases.json: environment name → its pins; `$schema` points editors at releases.schema.json. */
export const releasesFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    ...Object.fromEntries(ENVIRONMENT_NAMES.map((name) => [name, releasePinsSchema.optional()])),
  })
  .meta({ title: "lma-infra release pins", description: "Release pins per environment, edited by npm run promote." });

// ---------------------------------------------------------------------------------------------
// Account and delivery settings
// ---------------------------------------------------------------------------------------------

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** AWS's shortest maintenance window that every engine accepts (ElastiCache: 60 minutes). */
const SHORTEST_WINDOW_MINUTES = 60;

const maintenanceWindowSchema = z
  .strictObject({
    /** Weekdays the window repeats on. */
    days: z.array(z.enum(WEEKDAYS)).min(1, { error: "must name at least one day" }),
    /** Local start and end, `HH:MM`, within one day. */
    start: matching(HH_MM, "a time HH:MM"),
    end: matching(HH_MM, "a time HH:MM"),
  })
  .superRefine((window, ctx) => {
    if (!HH_MM.test(window.start) || !HH_MM.test(window.end)) return;
    const length = minutesOfDay(window.end) - minutesOfDay(window.start);
    if (length < SHORTEST_WINDOW_MINUTES) {
      report(ctx, ["end"], `must be at least ${SHORTEST_WINDOW_MINUTES} minutes after start, the same day (${window.start}–${window.end})`);
    }
  });

/**
 * When managed services may patch and restart, in `timeZone` (lib/maintenance.ts converts to
 * each service's format). `windows[0]` is the main window, the rest are second windows for
 * services that take more than one.
 * @default the tier's table in environments/defaults.ts
 */
const maintenanceSchema = z.strictObject({
  timeZone: z.enum(Object.keys(MAINTENANCE_TIME_ZONES) as [MaintenanceTimeZone, ...MaintenanceTimeZone[]]),
  windows: z.array(maintenanceWindowSchema).min(1, { error: "must list at least one window" }),
});

/**
 * Who owns an account-wide service: `create` = this project creates it; `adopt` = it exists and
 * Terraform imports it; `external` = managed elsewhere (e.g. an organisation's delegated admin),
 * nothing is declared.
 */
const ownership = z.enum(["create", "adopt", "external"]);

const accountServicesSchema = z.strictObject({
  /** GuardDuty detector per region (modules/security). @default "create" */
  guardDuty: ownership.default("create"),
  /** Security Hub account and standards per region (modules/security). @default "create" */
  securityHub: ownership.default("create"),
  /** AWS Config recorder and delivery channel per region (modules/security). @default "create" */
  config: ownership.default("create"),
  /** OpenSearch's service-linked role, once per account (the bootstrap stack). @default "create" */
  openSearchServiceLinkedRole: ownership.default("create"),
  /**
   * The Shield Advanced subscription (a one-year commitment, bought outside Terraform). The
   * protections themselves follow `security.shieldAdvanced`. @default "external"
   */
  shieldAdvanced: ownership.default("external"),
});

/** What `adopt` in `accountServices` imports by, where the existing resource's id is not derivable. */
const accountServiceIdsSchema = z.strictObject({
  /** GuardDuty's detector id in each region, when `guardDuty` is `adopt` (GuardDuty generates it). */
  guardDutyDetectorIds: z.record(z.string(), matching(/^[0-9a-f]{32}$/, "a GuardDuty detector id (32 hex digits)")).optional(),
  /** The existing AWS Config recorder's name (one per region), when `config` is `adopt`. @default "default" */
  configRecorderName: z.string().min(1, { error: "must not be empty" }).optional(),
  /** The existing AWS Config delivery channel's name, when `config` is `adopt`. @default "default" */
  configDeliveryChannelName: z.string().min(1, { error: "must not be empty" }).optional(),
});

/** Where stacks keep their Terraform state. */
const backendSchema = z.discriminatedUnion("type", [
  /** The S3 bucket and lock table of the environment's bootstrap stack. */
  z.strictObject({ type: z.literal("s3") }),
  /** HCP Terraform: one workspace per stack in `organization` (and `project`), tagged with `tags`. */
  z.strictObject({
    type: z.literal("hcp"),
    organization: z.string().min(1, { error: "must name the HCP Terraform organization" }),
    project: z.string().min(1).optional(),
    tags: z.array(z.string().min(1)).optional(),
  }),
]);

const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,64}$/;

/** GitHub Actions' OIDC roles in the environment's account. @default `lma-<env>-github-plan` / `-apply` */
const ciSchema = z.strictObject({
  /** Read-only role `terraform plan` assumes on pull requests. */
  planRoleArn: matching(ROLE_ARN, "an IAM role ARN"),
  /** Role `terraform apply` assumes after merge (and approval where required). */
  applyRoleArn: matching(ROLE_ARN, "an IAM role ARN"),
});

/** Datadog's AWS integration: the external id its role trust policy requires (not a secret). */
const datadogSchema = z.strictObject({
  awsIntegrationExternalId: matching(/^[0-9a-f]{32}$/, "a Datadog external id (32 hex digits)"),
});

// ---------------------------------------------------------------------------------------------
// Compute
// ---------------------------------------------------------------------------------------------

/**
 * How CodeDeploy moves traffic from the running (blue) task set to the new (green) one.
 * `canary`: `percentage` first, the rest after `intervalMinutes`. `linear`: `percentage` every
 * `intervalMinutes` until all traffic has moved. `all-at-once`: everything in one step.
 */
const trafficShiftingSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("all-at-once") }),
  z.strictObject({
    type: z.enum(["canary", "linear"]),
    percentage: integer(1, 99),
    intervalMinutes: integer(1, 1440),
  }),
]);

const deploymentSchema = z
  .strictObject({
    /**
     * `rolling`: ECS replaces tasks in place, guarded by the deployment circuit breaker with
     * rollback. `blue-green`: CodeDeploy starts a new task set behind a second target group, shifts
     * traffic per `trafficShifting`, and rolls back on failure or on the service's alarms.
     * Staging and production tiers deploy blue/green.
     */
    strategy: z.enum(["rolling", "blue-green"]),
    /** Required with `blue-green`, not allowed with `rolling`. */
    trafficShifting: trafficShiftingSchema.optional(),
    /**
     * Blue/green only: minutes the old task set keeps running after a successful shift, so a
     * rollback is a listener switch, not a redeployment. CodeDeploy allows up to two days.
     * @default 60
     */
    blueTerminationWaitMinutes: z
      .number()
      .refine((minutes) => Number.isInteger(minutes) && minutes >= 0 && minutes <= 2880, {
        error: (issue) => `must be an integer 0–2880, CodeDeploy's range (${String(issue.input)})`,
      })
      .optional(),
    /**
     * Share of the desired tasks that must stay healthy while ECS replaces tasks; the production
     * tier keeps 100 so capacity never drops during a deployment.
     * @default 100
     */
    minimumHealthyPercent: integer(0, 100).optional(),
  })
  .superRefine((deployment, ctx) => {
    if (deployment.strategy === "blue-green" && !deployment.trafficShifting) {
      report(ctx, ["trafficShifting"], "blue-green deployments need a traffic-shifting configuration");
    }
    if (deployment.strategy === "rolling" && deployment.trafficShifting) {
      report(ctx, ["trafficShifting"], "only blue-green deployments shift traffic; remove it or set strategy to blue-green");
    }
    if (deployment.strategy !== "blue-green" && deployment.blueTerminationWaitMinutes !== undefined) {
      report(ctx, ["blueTerminationWaitMinutes"], "applies to blue-green deployments only");
    }
  });

/** One scaling trigger: out above a threshold held for some minutes, in below a lower one held longer. */
const scalingTriggerSchema = z
  .strictObject({
    scaleOutAbove: z.number().positive({ error: "must be positive" }),
    scaleOutMinutes: integer(1, 60, " minutes"),
    scaleInBelow: z.number().nonnegative({ error: "must be ≥ 0" }),
    scaleInMinutes: integer(1, 60, " minutes"),
  })
  .superRefine((trigger, ctx) => {
    if (trigger.scaleInBelow >= trigger.scaleOutAbove) {
      report(ctx, ["scaleInBelow"], `must be below scaleOutAbove (${trigger.scaleInBelow} ≥ ${trigger.scaleOutAbove}), or scaling thrashes`);
    }
  });

/**
 * The platform's scaling table: CPU (percent of the task's vCPU) and ALB requests (per task per
 * second) for every service; queue depth per running task for services with
 * `autoscaling.queueMessagesPerTask` (their thresholds are per service, the durations here);
 * cooldowns after each scaling activity, against thrashing.
 */
const scalingSchema = z.strictObject({
  cpuPercent: scalingTriggerSchema,
  requestsPerTaskPerSecond: scalingTriggerSchema,
  queue: z.strictObject({ scaleOutMinutes: integer(1, 60, " minutes"), scaleInMinutes: integer(1, 60, " minutes") }),
  cooldownSeconds: z.strictObject({ scaleOut: integer(0, 3600, " s"), scaleIn: integer(0, 3600, " s") }),
});

/** The platform's scaling table (modules/ecs/README.md, Autoscaling): the default of `compute.scaling`. */
export const SCALING_TABLE: z.output<typeof scalingSchema> = {
  cpuPercent: { scaleOutAbove: 70, scaleOutMinutes: 3, scaleInBelow: 30, scaleInMinutes: 10 },
  requestsPerTaskPerSecond: { scaleOutAbove: 50, scaleOutMinutes: 3, scaleInBelow: 20, scaleInMinutes: 10 },
  queue: { scaleOutMinutes: 3, scaleInMinutes: 5 },
  cooldownSeconds: { scaleOut: 180, scaleIn: 600 },
};

/** Compute settings of the environment's ECS services (modules/ecs). */
const computeSchema = z.strictObject({
  deployment: deploymentSchema,
  /**
   * ECS Exec into running containers, every session logged to a KMS-encrypted log group. Off in
   * production: an interactive shell next to customer data is break-glass, turned on by a change.
   * @default false
   */
  executeCommand: z.boolean().optional(),
  /**
   * Days ECR keeps an untagged image after its push. Release-tagged images never expire by age:
   * `releaseImagesKept` keeps them by count (modules/ecs/README.md, ECR).
   * @default 90
   */
  imageRetentionDays: integer(1).optional(),
  /**
   * Release images each repository keeps, newest pushes first; every release an environment pins
   * must be among them (the apply rule `ecr-lifecycle-keeps-release-pins` checks the pins).
   * @default 30
   */
  releaseImagesKept: integer(1).optional(),
  /** The scaling table every service scales by. @default SCALING_TABLE */
  scaling: scalingSchema.optional(),
});

// ---------------------------------------------------------------------------------------------
// The environment
// ---------------------------------------------------------------------------------------------

/** The retention periods CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** EventBridge cron, in UTC. */
const CRON = /^cron\(.+\)$/;


const environmentShape = {
  name: z.enum(ENVIRONMENT_NAMES, {
    error: (issue) => `unknown environment "${String(issue.input)}": add it to ENVIRONMENT_NAMES in environments/schema.ts`,
  }),
  /**
   * What the environment is for. Rules that protect customers (deletion protection, Multi-AZ,
   * 35-day backups, immutable logs, on-demand capacity, blue/green with full capacity) key on
   * `production`; `staging` rehearses production's deployments; `development` may be cheap.
   */
  tier: z.enum(TIERS),
  /** The AWS account of this environment. */
  accountId: z.string().regex(/^\d{12}$/, { error: (issue) => `must be 12 digits ("${String(issue.input)}")` }),
  /** Role the deploy pipeline assumes in `accountId`. @default "lma-terraform-deploy" */
  deployRoleName: z.string().regex(/^[\w+=,.@-]{1,64}$/, { error: "must be an IAM role name" }).default("lma-terraform-deploy"),
  /** Tag values applied to every resource through the provider's default tags. */
  tags: z.strictObject({
    /** @default "platform-engineering" */
    owner: z.string().trim().min(1, { error: "must not be empty" }).default("platform-engineering"),
    costCenter: z.string().trim().min(1, { error: "must not be empty" }),
    dataClassification: z.enum(["public", "internal", "confidential", "restricted"]),
  }),
  /** Primary first; a production tier adds a warm standby. */
  regions: z.array(regionSchema).min(1, { error: "must list at least one region" }),
  /** Public DNS: the hosted zone the environment owns (ACM validation, API and CDN names). */
  dns: z.strictObject({
    zoneName: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, { error: "must be a DNS zone name" }),
    hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, { error: "must be a Route 53 zone id" }),
  }),
  services: serviceListSchema,
  /**
   * The application secrets this environment's services may read (secrets the services do not
   * read are dropped from the parsed configuration, so a stack creates exactly these).
   * @default every secret declared in environments/secrets.ts
   */
  applicationSecrets: z.array(secretDeclarationSchema).default(declaredSecrets),
  /** Deployments, ECS Exec and image retention of the services. */
  compute: computeSchema,
  /** Allow Fargate Spot for services marked `spotEligible` (never in the production tier). */
  fargateSpot: z.boolean(),
  /** Scale services to zero outside working hours (never in the production tier); crons in UTC. */
  offHours: z
    .strictObject({
      /** Cron at which services scale to zero, e.g. `cron(0 20 ? * MON-FRI *)`. */
      scaleDown: z.string().regex(CRON, { error: "must be cron(...)" }),
      /** Cron at which services return to their catalogue capacity. */
      scaleUp: z.string().regex(CRON, { error: "must be cron(...)" }),
    })
    .optional(),
  database: databaseSchema,
  cache: cacheSchema,
  search: searchSchema,
  messaging: messagingSchema,
  storage: storageSchema.default({ logsObjectLock: { mode: "COMPLIANCE", years: 7 }, documentsNoncurrentVersionDays: 365 }),
  /** Lambda sizing and schedules, one entry per function pinned in `release.functions`. */
  functions: z.record(z.string(), functionSchema),
  /** The environment's pins from environments/releases.json. */
  release: releasePinsSchema,
  /** Deletion protection on stateful resources and `prevent_destroy` in Terraform (always on in the production tier). */
  deletionProtection: z.boolean(),
  /** Days CloudWatch Logs keep application and infrastructure logs; one of the periods it accepts. */
  logRetentionDays: z.number().refine((days) => LOG_RETENTION_DAYS.includes(days), {
    error: (issue) => `must be one of CloudWatch Logs' retention periods (${String(issue.input)})`,
  }),
  security: z
    .strictObject({
      /** WAF rate limit per client IP over 5 minutes; WAF's minimum for rate-based rules is 10. */
      wafRateLimitPer5Min: integer(10).default(2000),
      /** Shield Advanced protections; requires the account's subscription (`accountServices.shieldAdvanced`). */
      shieldAdvanced: z.boolean().default(false),
      /**
       * Lambda code signing: `enforce` refuses code not signed by the release pipeline's signing
       * profile; `warn` deploys it and logs a warning (developer builds). Staging and production enforce.
       * @default "enforce"
       */
      lambdaCodeSigning: z.enum(["enforce", "warn"]).default("enforce"),
    })
    .default({ wafRateLimitPer5Min: 2000, shieldAdvanced: false, lambdaCodeSigning: "enforce" }),
  maintenance: maintenanceSchema.optional(),
  accountServices: accountServicesSchema.default({
    guardDuty: "create",
    securityHub: "create",
    config: "create",
    openSearchServiceLinkedRole: "create",
    shieldAdvanced: "external",
  }),
  /** Ids of existing account services that `accountServices` adopts. */
  accountServiceIds: accountServiceIdsSchema.optional(),
  /** @default `{ type: "s3" }` */
  backend: backendSchema.default({ type: "s3" }),
  ci: ciSchema.optional(),
  datadog: datadogSchema,
  /** Failover, topology and the first build's order; meaningful with a standby region. */
  disasterRecovery: disasterRecoverySchema.default({ topology: "warm-standby", buildPhase: "complete", standby: { scheduledJobsEnabled: false } }),
};

type EnvironmentFields = z.output<z.ZodObject<typeof environmentShape>>;

/** Production's primary survives the loss of an AZ with two left; elsewhere two AZs suffice. */
const minimumPrimaryAzs = (tier: EnvironmentFields["tier"]) => (tier === "production" ? 3 : 2);

/** Regions: one primary, listed first; each region once; AZ count by tier; VPCs that do not overlap. */
function checkRegions(env: EnvironmentFields, ctx: Context): void {
  const primaries = env.regions.filter((region) => region.role === "primary").length;
  if (primaries !== 1) report(ctx, ["regions"], `must have exactly one primary region (found ${primaries})`);
  if (env.regions[0]?.role !== "primary") report(ctx, ["regions", 0, "role"], "the primary region must come first");
  const seen = new Set<string>();
  const vpcs: { index: number; cidr: Cidr }[] = [];
  env.regions.forEach((region, index) => {
    if (seen.has(region.region)) report(ctx, ["regions", index, "region"], `"${region.region}" is listed twice`);
    seen.add(region.region);
    const minimumAzs = region.role === "primary" ? minimumPrimaryAzs(env.tier) : 2;
    if (region.availabilityZones.length < minimumAzs) {
      report(ctx, ["regions", index, "availabilityZones"], `needs at least ${minimumAzs} AZs (found ${region.availabilityZones.length})`);
    }
    if (region.role === "standby" && env.tier !== "production") {
      report(ctx, ["regions", index, "role"], "only the production tier has a warm standby region");
    }
    const cidr = parseCidr(region.vpcCidr);
    if (!cidr) return;
    for (const other of vpcs) {
      if (cidrsOverlap(cidr, other.cidr)) {
        report(ctx, ["regions", index, "vpcCidr"], `${region.vpcCidr} overlaps ${env.name}.regions[${other.index}].vpcCidr`);
      }
    }
    vpcs.push({ index, cidr });
    if (vpcPrefixFits(cidr)) checkSubnets(env.name, region, index, cidr, ctx);
  });
}

/** Subnets: one per AZ and tier, inside the VPC, at least AWS's minimum size, none overlapping. */
function checkSubnets(envName: string, region: EnvironmentFields["regions"][number], index: number, vpc: Cidr, ctx: Context): void {
  const plan = subnetPlanOf(region);
  const azCount = region.availabilityZones.length;
  const seen: { path: string; cidr: Cidr }[] = [];
  for (const tier of ["public", "app", "data"] as const) {
    if (plan[tier].length !== azCount) {
      report(ctx, ["regions", index, "subnets", tier], `needs one CIDR per AZ (${plan[tier].length} for ${azCount} AZs)`);
    }
    plan[tier].forEach((text, subnetIndex) => {
      const subnet = parseCidr(text);
      if (!subnet) return;
      const path = ["regions", index, "subnets", tier, subnetIndex];
      if (!cidrContains(vpc, subnet)) report(ctx, path, `${text} is outside the VPC ${region.vpcCidr}`);
      if (subnet.prefix > SMALLEST_SUBNET_PREFIX) report(ctx, path, `${text} is smaller than AWS's minimum subnet (/28)`);
      for (const other of seen) {
        if (cidrsOverlap(subnet, other.cidr)) report(ctx, path, `${text} overlaps ${other.path}`);
      }
      seen.push({ path: `${envName}.regions[${index}].subnets.${tier}[${subnetIndex}]`, cidr: subnet });
    });
  }
}

/**
 * Names one part of the configuration gives another must exist where they are declared: secrets
 * the services read, the functions pinned in releases.json and sized here, the services an image
 * pin names. A stale name would otherwise create an empty resource or drop a real one.
 */
function checkReferences(env: EnvironmentFields, ctx: Context): void {
  checkSecretReferences(env.services, env.applicationSecrets.map((secret) => secret.name), ctx, ["services"]);
  const pinned = new Set(Object.keys(env.release.functions));
  for (const name of pinned) {
    if (!(name in env.functions)) report(ctx, ["functions", name], "is pinned in release.functions but has no sizing here");
  }
  for (const name of Object.keys(env.functions)) {
    if (!pinned.has(name)) report(ctx, ["functions", name], "has no artifact version in release.functions");
  }
  const services = new Set(env.services.map((service) => service.name));
  for (const name of Object.keys(env.release.images ?? {})) {
    if (!services.has(name)) report(ctx, ["release", "images", name], "pins an image for an unknown service");
  }
}

/** Data-tier rules that span sections: zone awareness within the primary's AZs, the standby's replica. */
function checkDataTier(env: EnvironmentFields, ctx: Context): void {
  const primaryAzs = env.regions[0]?.availabilityZones.length ?? 0;
  // Too few AZs in the primary is reported once, on the region (checkRegions), not again here.
  if (env.search.zoneAwarenessAzs > primaryAzs && primaryAzs >= minimumPrimaryAzs(env.tier)) {
    report(ctx, ["search", "zoneAwarenessAzs"], `spans ${env.search.zoneAwarenessAzs} AZs but the primary region has ${primaryAzs}`);
  }
  const hasStandby = env.regions.some((region) => region.role === "standby");
  if (env.database.crossRegionReplica && !hasStandby) {
    report(ctx, ["database", "crossRegionReplica"], "needs a standby region to host the replica");
  }
  if (hasStandby && !env.database.crossRegionReplica) {
    report(ctx, ["database", "crossRegionReplica"], "a standby region needs the cross-region replica to take over");
  }
}

/**
 * Failover and first-build settings: the active region is one of the environment's, a build phase
 * or a second topology needs a standby region, and the standby sizes keep every attribute AWS
 * would replace the resource for (lib/disaster-recovery.ts applies them).
 */
function checkDisasterRecovery(env: EnvironmentFields, ctx: Context): void {
  const dr = env.disasterRecovery;
  const path = (...rest: Path): Path => ["disasterRecovery", ...rest];
  const names = env.regions.map((region) => region.region);
  if (dr.activeRegion !== undefined && !names.includes(dr.activeRegion)) {
    report(ctx, path("activeRegion"), `"${dr.activeRegion}" is not a region of this environment (${names.join(", ")})`);
  }
  const standbyIndex = env.regions.findIndex((region) => region.role === "standby");
  const sized = (["cache", "search", "messaging"] as const).filter((part) => dr.standby[part] !== undefined);
  if (standbyIndex < 0) {
    if (dr.topology !== "warm-standby") report(ctx, path("topology"), `${dr.topology} needs a standby region to serve from`);
    if (dr.buildPhase !== "complete") report(ctx, path("buildPhase"), "orders the first build of a standby region, and this environment has none");
    for (const part of sized) report(ctx, path("standby", part), "sizes a standby region this environment does not have");
    return;
  }
  const standby = env.regions[standbyIndex]!;
  if (dr.buildPhase !== "complete" && dr.activeRegion === standby.region) {
    report(ctx, path("buildPhase"), `${standby.region} cannot be the active region before its build is complete`);
  }
  if (dr.topology === "active-active") {
    for (const part of sized) report(ctx, path("standby", part), "active-active runs both regions at production size; remove the standby size");
  }
  if (env.search.zoneAwarenessAzs > standby.availabilityZones.length) {
    report(
      ctx,
      ["regions", standbyIndex, "availabilityZones"],
      `the standby hosts the search domain across search.zoneAwarenessAzs = ${env.search.zoneAwarenessAzs} AZs (found ${standby.availabilityZones.length})`,
    );
  }
  const { cache, search, messaging } = dr.standby;
  if (cache && env.cache.multiAz && cache.replicasPerShard < 1) {
    report(ctx, path("standby", "cache", "replicasPerShard"), "must be ≥ 1: the standby keeps cache.multiAz, which needs a replica per shard");
  }
  if (search && search.instanceCount % env.search.zoneAwarenessAzs !== 0) {
    report(ctx, path("standby", "search", "instanceCount"), `must be a multiple of search.zoneAwarenessAzs, which the standby keeps (${search.instanceCount} over ${env.search.zoneAwarenessAzs} AZs)`);
  }
  if (search && search.dedicatedMasterCount > 0 && search.dedicatedMasterType === undefined) {
    report(ctx, path("standby", "search", "dedicatedMasterType"), "needed with dedicated masters");
  }
  if (messaging && env.messaging.deploymentMode === "CLUSTER_MULTI_AZ" && messaging.instanceType === "mq.t3.micro") {
    report(
      ctx,
      path("standby", "messaging", "instanceType"),
      "mq.t3.micro cannot run a cluster, and the standby keeps messaging.deploymentMode CLUSTER_MULTI_AZ (changing the mode replaces the broker)",
    );
  }
}

/** What pgaudit must log in the production tier: schema and role changes, and writes to the ledger. */
const PRODUCTION_AUDIT_CLASSES = ["ddl", "role", "write"] as const;

/** Seven years of loan documents (seed 001's backup table), in days. */
const DOCUMENT_RETENTION_DAYS = 7 * 365;

/**
 * The production tier's invariants: customer data survives an AZ and a mistake, logs are
 * immutable for 7 years, capacity is on-demand and never drops during a deployment. Staging
 * deploys like production so every promotion rehearses it.
 */
function checkTier(env: EnvironmentFields, ctx: Context): void {
  const deployment = env.compute.deployment;
  if (env.tier !== "development" && deployment.strategy !== "blue-green") {
    report(ctx, ["compute", "deployment", "strategy"], `${env.tier} deploys blue/green with automatic rollback`);
  }
  if (env.tier !== "development" && env.security.lambdaCodeSigning !== "enforce") {
    report(ctx, ["security", "lambdaCodeSigning"], `${env.tier} runs only signed Lambda code: enforce`);
  }
  if (env.tier !== "production") return;
  const minimumHealthy = deployment.minimumHealthyPercent ?? 100;
  const rules: [boolean, Path, string][] = [
    [env.deletionProtection, ["deletionProtection"], "production must keep deletion protection on"],
    [env.offHours === undefined, ["offHours"], "production never scales to zero"],
    [!env.fargateSpot, ["fargateSpot"], "production runs on on-demand Fargate only"],
    [env.database.multiAz, ["database", "multiAz"], "production must be Multi-AZ"],
    [env.cache.multiAz, ["cache", "multiAz"], "production must be Multi-AZ"],
    // With instanceCount a multiple of the AZs (searchSchema), 3 AZs also means at least 3 data nodes.
    [env.search.zoneAwarenessAzs === 3, ["search", "zoneAwarenessAzs"], `production must span AZs: 3 (${env.search.zoneAwarenessAzs})`],
    [env.search.dedicatedMasterCount >= 3, ["search", "dedicatedMasterCount"], `production elects its master among 3 dedicated masters (${env.search.dedicatedMasterCount})`],
    [env.database.readReplicas >= 1, ["database", "readReplicas"], "production keeps an in-region read replica"],
    [env.database.crossRegionReplica, ["database", "crossRegionReplica"], "production keeps a replica in its standby region"],
    [env.cache.clusterMode, ["cache", "clusterMode"], "production runs Redis in cluster mode"],
    [env.cache.replicasPerShard >= 2, ["cache", "replicasPerShard"], `production keeps 2 replicas per shard for automatic failover (${env.cache.replicasPerShard})`],
    [
      PRODUCTION_AUDIT_CLASSES.every((name) => env.database.auditLog.includes(name) || env.database.auditLog.includes("all")),
      ["database", "auditLog"],
      `production audits ${PRODUCTION_AUDIT_CLASSES.join(", ")} (${env.database.auditLog.join(", ")})`,
    ],
    [
      env.storage.documentsNoncurrentVersionDays >= DOCUMENT_RETENTION_DAYS,
      ["storage", "documentsNoncurrentVersionDays"],
      `production keeps loan documents 7 years: at least ${DOCUMENT_RETENTION_DAYS} days (${env.storage.documentsNoncurrentVersionDays})`,
    ],
    [env.messaging.deploymentMode === "CLUSTER_MULTI_AZ", ["messaging", "deploymentMode"], "production must be Multi-AZ"],
    [env.database.backupRetentionDays >= 35, ["database", "backupRetentionDays"], "production keeps 35 days of backups"],
    [env.storage.logsObjectLock.mode === "COMPLIANCE", ["storage", "logsObjectLock", "mode"], "production logs are immutable: COMPLIANCE mode"],
    [env.storage.logsObjectLock.years >= 7, ["storage", "logsObjectLock", "years"], `production keeps logs 7 years (${env.storage.logsObjectLock.years})`],
    [
      minimumHealthy >= 100,
      ["compute", "deployment", "minimumHealthyPercent"],
      `production keeps every task serving during deployments (${minimumHealthy} < 100)`,
    ],
  ];
  env.regions.forEach((region, index) => {
    if (region.natGateways !== "per-az") report(ctx, ["regions", index, "natGateways"], "production egresses through a NAT gateway per AZ");
  });
  for (const [holds, path, message] of rules) if (!holds) report(ctx, path, message);
}

/** Where the writer lives when nothing has failed: the region with role `primary` (the first). */
const homeRegionOf = (env: EnvironmentFields) => (env.regions.find((region) => region.role === "primary") ?? env.regions[0]!).region;

/** The GitHub OIDC roles' default names: `lma-<env>-github-plan` and `lma-<env>-github-apply`. */
export function defaultCiRoles(name: string, accountId: string): { planRoleArn: string; applyRoleArn: string } {
  const role = (purpose: string) => `arn:aws:iam::${accountId}:role/lma-${name}-github-${purpose}`;
  return { planRoleArn: role("plan"), applyRoleArn: role("apply") };
}

/**
 * One environment. Parsing fills the defaults (tier's maintenance table, CI role names, region
 * prefix lists) and keeps only the application secrets the services read, so a parsed
 * configuration parses again to itself.
 */
export const environmentSchema = z
  .strictObject(environmentShape)
  .superRefine((env, ctx) => {
    checkRegions(env, ctx);
    checkReferences(env, ctx);
    checkDataTier(env, ctx);
    checkDisasterRecovery(env, ctx);
    checkTier(env, ctx);
  })
  .transform((env) => {
    const read = new Set(env.services.flatMap((service) => service.secrets ?? []));
    return {
      ...env,
      applicationSecrets: env.applicationSecrets.filter((secret) => read.has(secret.name)),
      maintenance: env.maintenance ?? MAINTENANCE_BY_TIER[env.tier],
      ci: env.ci ?? defaultCiRoles(env.name, env.accountId),
      disasterRecovery: { ...env.disasterRecovery, activeRegion: env.disasterRecovery.activeRegion ?? homeRegionOf(env) },
    };
  });
