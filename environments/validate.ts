import { dirname, join } from "node:path";
import { type Cidr, cidrContains, cidrsOverlap, parseCidr } from "../lib/cidr";
import { subnetPlanOf } from "../lib/subnets";
import { type EnvironmentConfig, KNOWN_REGIONS, type ServiceConfig } from "./types";

/** One problem in a configuration: where it is and what is wrong. */
export interface ConfigIssue {
  /** The file that holds the value, e.g. `environments/production.ts`. */
  readonly file: string;
  /** Dotted path from the environment, e.g. `production.services.trade.autoscaling.max`. */
  readonly path: string;
  readonly message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}: ${issue.path}: ${issue.message}`;
}

/** Thrown before anything is synthesized; lists every problem, one per line. */
export class ConfigValidationError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `Invalid configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}); nothing was synthesized:\n` +
        issues.map((issue) => `  - ${formatIssue(issue)}`).join("\n"),
    );
    this.name = "ConfigValidationError";
  }
}

/** An environment configuration and the file it came from. */
export interface SourcedEnvironment {
  readonly file: string;
  readonly config: EnvironmentConfig;
}

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

/** The retention periods CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const SERVICE_NAME = /^[a-z][a-z0-9]{1,19}$/;
const ACCOUNT_ID = /^\d{12}$/;
const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const SCHEDULE = /^cron\(.+\)$/;

/** Collects issues with their file and path so every check reads as one line. */
class IssueCollector {
  readonly issues: ConfigIssue[] = [];

  constructor(private readonly file: string) {}

  add(path: string, message: string): void {
    this.issues.push({ file: this.file, path, message });
  }

  check(ok: boolean, path: string, message: string): void {
    if (!ok) this.add(path, message);
  }

  positiveInteger(value: number, path: string): void {
    this.check(Number.isInteger(value) && value > 0, path, `must be a positive integer (${value})`);
  }

  nonNegativeInteger(value: number, path: string): void {
    this.check(Number.isInteger(value) && value >= 0, path, `must be an integer ≥ 0 (${value})`);
  }

  cidr(text: string, path: string): Cidr | undefined {
    const parsed = parseCidr(text);
    this.check(parsed !== undefined, path, `"${text}" is not an IPv4 CIDR on its network boundary`);
    return parsed;
  }
}

/** Validates one environment; returns every problem found (empty when valid). */
export function validateEnvironment({ file, config }: SourcedEnvironment): ConfigIssue[] {
  const issues = new IssueCollector(file);
  const env = config.name;
  const at = (path: string) => `${env}.${path}`;

  issues.check(ACCOUNT_ID.test(config.accountId), at("accountId"), `must be 12 digits ("${config.accountId}")`);
  issues.check(IAM_ROLE_NAME.test(config.deployRoleName), at("deployRoleName"), "must be an IAM role name");
  for (const [key, value] of Object.entries(config.tags)) {
    issues.check(typeof value === "string" && value.trim() !== "", at(`tags.${key}`), "must not be empty");
  }
  issues.check(
    LOG_RETENTION_DAYS.includes(config.logRetentionDays),
    at("logRetentionDays"),
    `must be one of CloudWatch Logs' retention periods (${config.logRetentionDays})`,
  );
  issues.check(/^[a-z0-9.-]+\.[a-z]{2,}$/.test(config.dns.zoneName), at("dns.zoneName"), "must be a DNS zone name");
  issues.check(/^Z[A-Z0-9]{1,31}$/.test(config.dns.hostedZoneId), at("dns.hostedZoneId"), "must be a Route 53 zone id");

  validateRegions(config, issues, at);
  validateServices(config, issues, at);
  validateDataTier(config, issues, at);
  validateStorage(config, issues, at);
  validateStandbyDatabase(config, issues, at);
  validateFunctions(config, issues, at);
  validateCompute(config, issues, at);

  if (config.offHours) {
    issues.check(SCHEDULE.test(config.offHours.scaleDown), at("offHours.scaleDown"), "must be cron(...)");
    issues.check(SCHEDULE.test(config.offHours.scaleUp), at("offHours.scaleUp"), "must be cron(...)");
  }
  issues.positiveInteger(config.security.wafRateLimitPer5Min, at("security.wafRateLimitPer5Min"));
  issues.check(
    config.security.wafRateLimitPer5Min >= 10,
    at("security.wafRateLimitPer5Min"),
    "must be ≥ 10, WAF's minimum for rate-based rules",
  );

  if (env === "production") {
    issues.check(config.deletionProtection, at("deletionProtection"), "production must keep deletion protection on");
    issues.check(config.offHours === undefined, at("offHours"), "production never scales to zero");
    issues.check(!config.fargateSpot, at("fargateSpot"), "production runs on on-demand Fargate only");
  }
  return [...issues.issues, ...validateRelease(config, file)];
}

function validateRegions(config: EnvironmentConfig, issues: IssueCollector, at: (path: string) => string): void {
  if (config.regions.length === 0) {
    issues.add(at("regions"), "must list at least one region");
    return;
  }
  const primaries = config.regions.filter((region) => region.role === "primary").length;
  issues.check(primaries === 1, at("regions"), `must have exactly one primary region (found ${primaries})`);
  issues.check(config.regions[0]?.role === "primary", at("regions[0].role"), "the primary region must come first");

  const seenRegions = new Set<string>();
  const vpcs: { path: string; cidr: Cidr }[] = [];
  config.regions.forEach((region, index) => {
    const path = `regions[${index}]`;
    if (!(region.region in KNOWN_REGIONS)) {
      issues.add(at(`${path}.region`), `unknown region "${region.region}" (known: ${Object.keys(KNOWN_REGIONS).join(", ")})`);
    }
    issues.check(!seenRegions.has(region.region), at(`${path}.region`), `"${region.region}" is listed twice`);
    seenRegions.add(region.region);

    const azs = region.availabilityZones;
    const minimumAzs = config.name === "production" && region.role === "primary" ? 3 : 2;
    issues.check(azs.length >= minimumAzs, at(`${path}.availabilityZones`), `needs at least ${minimumAzs} AZs (found ${azs.length})`);
    issues.check(azs.length <= 4, at(`${path}.availabilityZones`), `at most 4 AZs are supported (found ${azs.length})`);
    azs.forEach((az, azIndex) =>
      issues.check(
        new RegExp(`^${region.region}[a-f]$`).test(az),
        at(`${path}.availabilityZones[${azIndex}]`),
        `"${az}" is not an AZ of ${region.region}`,
      ),
    );
    issues.check(new Set(azs).size === azs.length, at(`${path}.availabilityZones`), "lists an AZ twice");
    if (region.serviceTaskCount !== undefined && region.serviceTaskCount !== "catalogue") {
      issues.positiveInteger(region.serviceTaskCount, at(`${path}.serviceTaskCount`));
    }
    if (region.role === "standby") {
      issues.check(config.name === "production", at(`${path}.role`), "only production has a warm standby region");
    }

    const vpc = issues.cidr(region.vpcCidr, at(`${path}.vpcCidr`));
    if (!vpc) return;
    issues.check(vpc.prefix >= 16 && vpc.prefix <= 20, at(`${path}.vpcCidr`), `prefix must be /16 to /20 (${region.vpcCidr})`);
    for (const other of vpcs) {
      issues.check(!cidrsOverlap(vpc, other.cidr), at(`${path}.vpcCidr`), `${region.vpcCidr} overlaps ${other.path}`);
    }
    vpcs.push({ path: at(`${path}.vpcCidr`), cidr: vpc });
    if (vpc.prefix < 16 || vpc.prefix > 20) return;
    validateSubnets(region, vpc, `${path}.subnets`, issues, at);
  });
}

function validateSubnets(
  region: EnvironmentConfig["regions"][number],
  vpc: Cidr,
  path: string,
  issues: IssueCollector,
  at: (path: string) => string,
): void {
  const plan = subnetPlanOf(region);
  const seen: { path: string; cidr: Cidr }[] = [];
  for (const tier of ["public", "app", "data"] as const) {
    const cidrs = plan[tier];
    issues.check(
      cidrs.length === region.availabilityZones.length,
      at(`${path}.${tier}`),
      `needs one CIDR per AZ (${cidrs.length} for ${region.availabilityZones.length} AZs)`,
    );
    cidrs.forEach((text, index) => {
      const subnetPath = at(`${path}.${tier}[${index}]`);
      const subnet = issues.cidr(text, subnetPath);
      if (!subnet) return;
      issues.check(cidrContains(vpc, subnet), subnetPath, `${text} is outside the VPC ${region.vpcCidr}`);
      issues.check(subnet.prefix <= 28, subnetPath, `${text} is smaller than AWS's minimum subnet (/28)`);
      for (const other of seen) {
        issues.check(!cidrsOverlap(subnet, other.cidr), subnetPath, `${text} overlaps ${other.path}`);
      }
      seen.push({ path: subnetPath, cidr: subnet });
    });
  }
}

function validateServices(config: EnvironmentConfig, issues: IssueCollector, at: (path: string) => string): void {
  if (config.services.length === 0) {
    issues.add(at("services"), "must list at least one service");
    return;
  }
  const names = new Set<string>();
  const paths = new Map<string, string>();
  config.services.forEach((service, index) => {
    const base = SERVICE_NAME.test(service.name) ? `services.${service.name}` : `services[${index}]`;
    issues.check(
      SERVICE_NAME.test(service.name),
      at(`${base}.name`),
      `"${service.name}" must be 2–20 lower-case letters or digits, starting with a letter`,
    );
    issues.check(!names.has(service.name), at(`${base}.name`), `duplicate service "${service.name}"`);
    names.add(service.name);
    validateService(service, base, issues, at);
    issues.check(service.paths.length > 0, at(`${base}.paths`), "must route at least one path");
    service.paths.forEach((pattern, pathIndex) => {
      const patternPath = at(`${base}.paths[${pathIndex}]`);
      issues.check(pattern.startsWith("/"), patternPath, `"${pattern}" must start with /`);
      const owner = paths.get(pattern);
      issues.check(owner === undefined, patternPath, `"${pattern}" is already routed to ${owner}`);
      paths.set(pattern, service.name);
    });
    if (service.spotEligible && config.name === "production") {
      issues.check(!config.fargateSpot, at(`${base}.spotEligible`), "production services do not run on Spot");
    }
  });
}

function validateService(
  service: ServiceConfig,
  base: string,
  issues: IssueCollector,
  at: (path: string) => string,
): void {
  const memory = FARGATE_MEMORY[service.cpu];
  if (!memory) {
    issues.add(at(`${base}.cpu`), `${service.cpu} vCPU is not a Fargate size (0.25, 0.5, 1, 2, 4, 8, 16)`);
  } else {
    issues.check(
      service.memoryMiB >= memory.min && service.memoryMiB <= memory.max && service.memoryMiB % memory.step === 0,
      at(`${base}.memoryMiB`),
      `${service.memoryMiB} MiB is not valid for ${service.cpu} vCPU (${memory.min}–${memory.max} in steps of ${memory.step})`,
    );
  }
  const { min, max, queueMessagesPerTask } = service.autoscaling;
  issues.nonNegativeInteger(min, at(`${base}.autoscaling.min`));
  issues.positiveInteger(max, at(`${base}.autoscaling.max`));
  issues.check(max >= min, at(`${base}.autoscaling.max`), `must be ≥ min (${max} < ${min})`);
  issues.nonNegativeInteger(service.desiredCount, at(`${base}.desiredCount`));
  // With min > max the range is meaningless; that problem is already reported.
  issues.check(
    min > max || (service.desiredCount >= min && service.desiredCount <= max),
    at(`${base}.desiredCount`),
    `must be within autoscaling [min, max] = [${min}, ${max}] (${service.desiredCount})`,
  );
  if (queueMessagesPerTask !== undefined) {
    issues.positiveInteger(queueMessagesPerTask, at(`${base}.autoscaling.queueMessagesPerTask`));
  }
  if (service.containerPort !== undefined) {
    issues.check(
      Number.isInteger(service.containerPort) && service.containerPort >= 1024 && service.containerPort <= 65535,
      at(`${base}.containerPort`),
      `must be an unprivileged port, 1024–65535 (${service.containerPort}); tasks run as non-root`,
    );
  }
  if (service.healthCheckPath !== undefined) {
    issues.check(service.healthCheckPath.startsWith("/"), at(`${base}.healthCheckPath`), "must start with /");
  }
}

function validateDataTier(config: EnvironmentConfig, issues: IssueCollector, at: (path: string) => string): void {
  const production = config.name === "production";
  const { database: db, cache, search, messaging } = config;
  const primaryAzs = config.regions[0]?.availabilityZones.length ?? 0;

  issues.check(/^16(\.\d+)?$/.test(db.engineVersion), at("database.engineVersion"), `must be PostgreSQL 16.x ("${db.engineVersion}")`);
  issues.check(/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(db.instanceClass), at("database.instanceClass"), `"${db.instanceClass}" is not an RDS class`);
  issues.check(db.allocatedStorageGiB >= 20 && db.allocatedStorageGiB <= 65536, at("database.allocatedStorageGiB"), "must be 20–65536 GiB");
  issues.check(
    db.maxAllocatedStorageGiB >= db.allocatedStorageGiB,
    at("database.maxAllocatedStorageGiB"),
    `must be ≥ allocatedStorageGiB (${db.maxAllocatedStorageGiB} < ${db.allocatedStorageGiB})`,
  );
  if (db.storageType === "io2") {
    issues.check(db.iops !== undefined && db.iops >= 1000, at("database.iops"), "io2 storage needs provisioned IOPS ≥ 1000");
  }
  issues.check(db.backupRetentionDays >= 1 && db.backupRetentionDays <= 35, at("database.backupRetentionDays"), "must be 1–35 days");
  issues.nonNegativeInteger(db.readReplicas, at("database.readReplicas"));
  if (db.crossRegionReplica) {
    issues.check(
      config.regions.some((region) => region.role === "standby"),
      at("database.crossRegionReplica"),
      "needs a standby region to host the replica",
    );
  }

  issues.check(/^7(\.\d+)?$/.test(cache.engineVersion), at("cache.engineVersion"), `must be Redis 7.x ("${cache.engineVersion}")`);
  issues.check(/^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(cache.nodeType), at("cache.nodeType"), `"${cache.nodeType}" is not a node type`);
  issues.positiveInteger(cache.shards, at("cache.shards"));
  issues.check(cache.clusterMode || cache.shards === 1, at("cache.shards"), "more than one shard needs clusterMode");
  issues.nonNegativeInteger(cache.replicasPerShard, at("cache.replicasPerShard"));
  issues.check(cache.replicasPerShard <= 5, at("cache.replicasPerShard"), "ElastiCache allows at most 5 replicas per shard");
  if (cache.multiAz) {
    issues.check(cache.replicasPerShard >= 1, at("cache.multiAz"), "Multi-AZ needs at least one replica per shard");
  }
  issues.check(cache.snapshotRetentionDays >= 0 && cache.snapshotRetentionDays <= 35, at("cache.snapshotRetentionDays"), "must be 0–35");

  issues.check(/\.search$/.test(search.instanceType), at("search.instanceType"), `"${search.instanceType}" is not an OpenSearch type`);
  issues.positiveInteger(search.instanceCount, at("search.instanceCount"));
  issues.check(
    search.instanceCount % search.zoneAwarenessAzs === 0,
    at("search.instanceCount"),
    `must be a multiple of zoneAwarenessAzs (${search.instanceCount} over ${search.zoneAwarenessAzs} AZs)`,
  );
  issues.check(
    search.zoneAwarenessAzs <= primaryAzs,
    at("search.zoneAwarenessAzs"),
    `spans ${search.zoneAwarenessAzs} AZs but the primary region has ${primaryAzs}`,
  );
  issues.check(search.volumeSizeGiB >= 10, at("search.volumeSizeGiB"), "must be ≥ 10 GiB");
  if (search.dedicatedMasterCount > 0) {
    issues.check(search.dedicatedMasterType !== undefined, at("search.dedicatedMasterType"), "needed with dedicated masters");
  }

  issues.check(/^mq\./.test(messaging.instanceType), at("messaging.instanceType"), `"${messaging.instanceType}" is not an MQ type`);
  if (messaging.deploymentMode === "CLUSTER_MULTI_AZ") {
    issues.check(messaging.instanceType !== "mq.t3.micro", at("messaging.instanceType"), "mq.t3.micro cannot run a cluster");
  }

  if (production) {
    issues.check(db.multiAz, at("database.multiAz"), "production must be Multi-AZ");
    issues.check(cache.multiAz, at("cache.multiAz"), "production must be Multi-AZ");
    issues.check(search.zoneAwarenessAzs > 1, at("search.zoneAwarenessAzs"), "production must span AZs");
    issues.check(messaging.deploymentMode === "CLUSTER_MULTI_AZ", at("messaging.deploymentMode"), "production must be Multi-AZ");
    issues.check(db.backupRetentionDays >= 35, at("database.backupRetentionDays"), "production keeps 35 days of backups");
  }
}

/** Deployments (SPEC: blue/green in staging and production, rolling in dev), ECS Exec, images. */
function validateCompute(config: EnvironmentConfig, issues: IssueCollector, at: (path: string) => string): void {
  const { deployment, imageRetentionDays } = config.compute;
  const path = "compute.deployment";
  if (deployment.strategy === "blue-green") {
    const shifting = deployment.trafficShifting;
    if (!shifting) {
      issues.add(at(`${path}.trafficShifting`), "blue-green deployments need a traffic-shifting configuration");
    } else if (shifting.type !== "all-at-once") {
      issues.check(
        Number.isInteger(shifting.percentage) && shifting.percentage >= 1 && shifting.percentage <= 99,
        at(`${path}.trafficShifting.percentage`),
        `must be an integer 1–99 (${shifting.percentage})`,
      );
      issues.check(
        Number.isInteger(shifting.intervalMinutes) && shifting.intervalMinutes >= 1 && shifting.intervalMinutes <= 1440,
        at(`${path}.trafficShifting.intervalMinutes`),
        `must be an integer 1–1440 (${shifting.intervalMinutes})`,
      );
    }
  } else {
    issues.check(
      deployment.trafficShifting === undefined,
      at(`${path}.trafficShifting`),
      "only blue-green deployments shift traffic; remove it or set strategy to blue-green",
    );
  }
  if (deployment.blueTerminationWaitMinutes !== undefined) {
    issues.check(deployment.strategy === "blue-green", at(`${path}.blueTerminationWaitMinutes`), "applies to blue-green deployments only");
    issues.check(
      Number.isInteger(deployment.blueTerminationWaitMinutes) &&
        deployment.blueTerminationWaitMinutes >= 0 &&
        deployment.blueTerminationWaitMinutes <= 2880,
      at(`${path}.blueTerminationWaitMinutes`),
      `must be an integer 0–2880, CodeDeploy's range (${deployment.blueTerminationWaitMinutes})`,
    );
  }
  const minimumHealthy = deployment.minimumHealthyPercent ?? 100;
  issues.check(
    Number.isInteger(minimumHealthy) && minimumHealthy >= 0 && minimumHealthy <= 100,
    at(`${path}.minimumHealthyPercent`),
    `must be an integer 0–100 (${minimumHealthy})`,
  );
  if (imageRetentionDays !== undefined) issues.positiveInteger(imageRetentionDays, at("compute.imageRetentionDays"));
  if (config.name === "staging" || config.name === "production") {
    issues.check(
      deployment.strategy === "blue-green",
      at(`${path}.strategy`),
      `${config.name} deploys blue/green with automatic rollback (SPEC)`,
    );
  }
  if (config.name === "production") {
    issues.check(
      minimumHealthy >= 100,
      at(`${path}.minimumHealthyPercent`),
      `production keeps every task serving during deployments (${minimumHealthy} < 100)`,
    );
  }
}

/** A warm standby takes over with the database's cross-region replica; promotion needs one. */
function validateStandbyDatabase(config: EnvironmentConfig, issues: IssueCollector, at: (path: string) => string): void {
  const { crossRegionReplica, promoteStandby } = config.database;
  if (config.regions.some((region) => region.role === "standby")) {
    issues.check(crossRegionReplica, at("database.crossRegionReplica"), "a standby region needs the cross-region replica to take over");
  }
  if (promoteStandby) {
    issues.check(crossRegionReplica, at("database.promoteStandby"), "there is no cross-region replica to promote");
  }
}

/** The logs bucket's Object Lock (SPEC: compliance mode, 7 years in production). */
function validateStorage(config: EnvironmentConfig, issues: IssueCollector, at: (path: string) => string): void {
  const { mode, years } = config.storage.logsObjectLock;
  const path = "storage.logsObjectLock";
  issues.check(mode === "COMPLIANCE" || mode === "GOVERNANCE", at(`${path}.mode`), `must be COMPLIANCE or GOVERNANCE ("${mode}")`);
  issues.check(Number.isInteger(years) && years >= 1 && years <= 100, at(`${path}.years`), `must be an integer 1–100 (${years})`);
  if (config.name === "production") {
    issues.check(mode === "COMPLIANCE", at(`${path}.mode`), "production logs are immutable: COMPLIANCE mode (SPEC)");
    issues.check(years >= 7, at(`${path}.years`), `production keeps logs 7 years (${years})`);
  }
}

/** Lambda sizing: one entry per pinned function, within Lambda's limits; schedules are expressions. */
function validateFunctions(config: EnvironmentConfig, issues: IssueCollector, at: (path: string) => string): void {
  const pinned = new Set(Object.keys(config.release.functions));
  for (const name of pinned) {
    issues.check(name in config.functions, at(`functions.${name}`), "is pinned in release.functions but has no sizing here");
  }
  for (const [name, fn] of Object.entries(config.functions)) {
    const path = `functions.${name}`;
    issues.check(pinned.has(name), at(path), "has no artifact version in release.functions");
    issues.check(
      Number.isInteger(fn.memoryMiB) && fn.memoryMiB >= 128 && fn.memoryMiB <= 10240,
      at(`${path}.memoryMiB`),
      `must be an integer 128–10240 MiB (${fn.memoryMiB})`,
    );
    issues.check(
      Number.isInteger(fn.timeoutSeconds) && fn.timeoutSeconds >= 1 && fn.timeoutSeconds <= 900,
      at(`${path}.timeoutSeconds`),
      `must be an integer 1–900 s (${fn.timeoutSeconds})`,
    );
    issues.check(
      Number.isInteger(fn.reservedConcurrency) && fn.reservedConcurrency >= 1,
      at(`${path}.reservedConcurrency`),
      `must be an integer ≥ 1; 0 would stop the function (${fn.reservedConcurrency})`,
    );
    for (const [job, expression] of Object.entries(fn.schedules ?? {})) {
      issues.check(/^[a-z][a-z0-9-]{0,39}$/.test(job), at(`${path}.schedules.${job}`), "job names are 1–40 lower-case letters, digits or -");
      issues.check(
        /^(cron\([^)]+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/.test(expression),
        at(`${path}.schedules.${job}`),
        `"${expression}" must be cron(...) or rate(n unit)`,
      );
    }
  }
}

/** Release pins live in releases.json beside the environment files (`npm run promote` edits it). */
function validateRelease(config: EnvironmentConfig, file: string): ConfigIssue[] {
  const issues = new IssueCollector(join(dirname(file), "releases.json"));
  const at = (path: string) => `${config.name}.${path.replace(/^release\./, "")}`;
  const { release } = config;
  issues.check(/^[\w.-]{1,128}$/.test(release.version), at("release.version"), `"${release.version}" is not a valid image tag`);
  const serviceNames = new Set(config.services.map((service) => service.name));
  for (const [service, tag] of Object.entries(release.images ?? {})) {
    issues.check(serviceNames.has(service), at(`release.images.${service}`), "pins an image for an unknown service");
    issues.check(/^[\w.-]{1,128}$/.test(tag), at(`release.images.${service}`), `"${tag}" is not a valid image tag`);
  }
  for (const [name, version] of Object.entries(release.functions)) {
    issues.check(/^\d+\.\d+\.\d+$/.test(version), at(`release.functions.${name}`), `"${version}" is not a semantic version`);
  }
  return issues.issues;
}

/**
 * Validates every environment and the rules between them (no two VPCs anywhere may overlap, so
 * environments can later be peered or joined by a transit gateway). Throws with every problem.
 */
export function validateEnvironments(environments: readonly SourcedEnvironment[]): void {
  const issues = environments.flatMap(validateEnvironment);
  const vpcs: { file: string; path: string; cidr: Cidr }[] = [];
  for (const { file, config } of environments) {
    config.regions.forEach((region, index) => {
      const cidr = parseCidr(region.vpcCidr);
      if (!cidr) return;
      const path = `${config.name}.regions[${index}].vpcCidr`;
      for (const other of vpcs) {
        if (other.file !== file && cidrsOverlap(cidr, other.cidr)) {
          issues.push({ file, path, message: `${region.vpcCidr} overlaps ${other.path} (${other.file})` });
        }
      }
      vpcs.push({ file, path, cidr });
    });
  }
  if (issues.length > 0) throw new ConfigValidationError(issues);
}
