import { type EnvironmentConfig, KNOWN_REGIONS, type RegionConfig } from "../environments/types";
import { type MaintenanceWindow, mqMaintenanceStart, offPeakStartUtc, weeklyWindowUtc } from "../lib/maintenance";
import type { Naming } from "../lib/naming";
import type { RedisCacheProps } from "../modules/elasticache";
import type { BrokerCredentialRotationProps, RabbitMqBrokerProps } from "../modules/messaging";
import type { MasterSecretRotationProps, PostgresDatabaseProps } from "../modules/rds";
import type { PlatformBucketsProps } from "../modules/s3";
import type { SearchDomainProps } from "../modules/search";
import { dataServiceSizesOf, disasterRecoveryOf } from "../lib/disaster-recovery";

/**
 * The translation from an environment's configuration (environments/types.ts) to the data-store
 * modules' own props. Only what the environment decides is here; the constructs the stack owns
 * (keys, subnets, security groups) are added where the stores are built, in regional-stack.ts.
 * Every sizing and safety value is passed explicitly, so a module default never silently decides
 * an environment's database, cache, domain or broker.
 */

type Configured<Props, Wired extends keyof Props> = Omit<Props, Wired>;

/** The function that rotates the database's master secret: its release pin and sizing are keyed so. */
export const MASTER_SECRET_ROTATION_FUNCTION = "postgres-rotation";

/** The function that rotates the RabbitMQ broker's credentials, keyed the same way. */
export const BROKER_CREDENTIAL_ROTATION_FUNCTION = "rabbitmq-rotation";

/** Days between password rotations: well inside PCI DSS 8.3.9's 90 days. */
const CREDENTIAL_ROTATION_DAYS = 30;

/** What the stack wires into the rotation function: its network and the key of its environment. */
export type RotationWiring = Pick<MasterSecretRotationProps, "subnetIds" | "securityGroup" | "dataKey" | "codeSigningConfigArn">;

/** The environment's main maintenance window (the first of its table) and the zone it is read in. */
function mainWindow(environment: EnvironmentConfig): { window: MaintenanceWindow; timeZone: EnvironmentConfig["maintenance"]["timeZone"] } {
  const { windows, timeZone } = environment.maintenance;
  return { window: windows[0]!, timeZone };
}

/** RDS and ElastiCache take one weekly range: the main window's first day, in UTC. */
function weeklyMaintenance(environment: EnvironmentConfig): string {
  const { window, timeZone } = mainWindow(environment);
  return weeklyWindowUtc(window, timeZone);
}

const clock = (minuteOfDay: number) => {
  const minutes = ((minuteOfDay % 1440) + 1440) % 1440;
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
};

/**
 * The daily backup (RDS) or snapshot (ElastiCache) window: the hour that ends an hour before the
 * main maintenance window starts, in UTC, so a backup never runs into maintenance (both services
 * refuse overlapping windows) and has finished before anything restarts.
 */
function dailyWindowBeforeMaintenance(environment: EnvironmentConfig): string {
  const { window, timeZone } = mainWindow(environment);
  const { hours, minutes } = offPeakStartUtc(window, timeZone);
  const start = hours * 60 + minutes - 120;
  return `${clock(start)}-${clock(start + 60)}`;
}

/** The environment's break-glass role, by the naming convention (modules/search/README.md). */
export function breakGlassRoleArn(naming: Naming): string {
  return `arn:aws:iam::${naming.accountId}:role/${naming.name("break-glass")}`;
}

/** The environment's primary region, which the standby's database replicates from. */
function primaryOf(environment: EnvironmentConfig): RegionConfig {
  const primary = environment.regions.find((candidate) => candidate.role === "primary");
  if (!primary) throw new Error(`environments/${environment.name}.ts: regions: no region has role "primary"`);
  return primary;
}

export function storageProps(
  environment: EnvironmentConfig,
  region: RegionConfig,
  naming: Naming,
): Configured<PlatformBucketsProps, "dataKey" | "backupsKey" | "logsKey"> {
  const standby = environment.regions.find((candidate) => candidate.role === "standby");
  return {
    naming,
    preventDestroy: environment.deletionProtection,
    logsObjectLock: environment.storage.logsObjectLock,
    documentsNoncurrentVersionDays: environment.storage.documentsNoncurrentVersionDays,
    albLogDeliveryAccountId: KNOWN_REGIONS[region.region].elbAccountId,
    // The primary replicates documents, backups and logs to the standby's namesake buckets;
    // the standby replicates nothing, so it plans and applies with the primary region down.
    replicateTo: region.role === "primary" ? standby?.region : undefined,
  };
}

/** A rotation function's release pin and sizing, or one error naming the files to fix. */
function rotationFunction(
  environment: EnvironmentConfig,
  functionName: string,
  rotates: string,
): Pick<MasterSecretRotationProps, "functionName" | "version" | "settings"> {
  const version = environment.release.functions[functionName];
  const settings = environment.functions[functionName];
  if (!version || !settings) {
    throw new Error(
      `environments/${environment.name}.ts: functions: needs "${functionName}" (sizing) and environments/releases.json its version: it rotates ${rotates}`,
    );
  }
  return { functionName, version, settings };
}

export function databaseProps(
  environment: EnvironmentConfig,
  region: RegionConfig,
  naming: Naming,
  rotation: RotationWiring,
): Configured<PostgresDatabaseProps, "subnetGroupName" | "securityGroup" | "storageKey" | "secretsKey" | "logsKey"> {
  const { database } = environment;
  const name = "postgres";
  const { failedOver } = disasterRecoveryOf(environment, region.region);
  return {
    naming,
    name,
    engineVersion: database.engineVersion,
    instanceClass: database.instanceClass,
    allocatedStorageGiB: database.allocatedStorageGiB,
    maxAllocatedStorageGiB: database.maxAllocatedStorageGiB,
    storageType: database.storageType,
    iops: database.iops,
    multiAz: database.multiAz,
    backupRetentionDays: database.backupRetentionDays,
    readReplicas: database.readReplicas,
    logRetentionDays: environment.logRetentionDays,
    deletionProtection: environment.deletionProtection,
    skipFinalSnapshot: !environment.deletionProtection,
    maintenanceWindow: weeklyMaintenance(environment),
    backupWindow: dailyWindowBeforeMaintenance(environment),
    auditLog: database.auditLog,
    // A replicating standby has the function too, unscheduled until promotion (modules/rds/README.md).
    masterSecretRotation: {
      ...rotationFunction(environment, MASTER_SECRET_ROTATION_FUNCTION, "the database's master secret"),
      ...rotation,
      artifactBucket: naming.bucketName("artifacts"),
      rotationDays: CREDENTIAL_ROTATION_DAYS,
    },
    // The standby's replica names its source by the naming convention, so no state or provider of
    // the primary region is involved and the standby plans with that region down.
    crossRegionSource:
      region.role === "standby"
        ? {
            sourceArn: naming.inRegion(primaryOf(environment).region).arn("rds", `db:${naming.name(name)}`),
            promote: failedOver,
          }
        : undefined,
  };
}

export function cacheProps(
  environment: EnvironmentConfig,
  region: RegionConfig,
  naming: Naming,
): Configured<RedisCacheProps, "subnetGroupName" | "securityGroup" | "storageKey" | "logsKey"> {
  // A standby runs the standby size until failover resizes it in place (lib/disaster-recovery.ts).
  const { cache } = dataServiceSizesOf(environment, region.region);
  return {
    naming,
    engineVersion: cache.engineVersion,
    nodeType: cache.nodeType,
    clusterMode: cache.clusterMode,
    shards: cache.shards,
    replicasPerShard: cache.replicasPerShard,
    multiAz: cache.multiAz,
    snapshotRetentionDays: cache.snapshotRetentionDays,
    logRetentionDays: environment.logRetentionDays,
    maintenanceWindow: weeklyMaintenance(environment),
    snapshotWindow: dailyWindowBeforeMaintenance(environment),
    preventDestroy: environment.deletionProtection,
  };
}

export function searchProps(
  environment: EnvironmentConfig,
  region: RegionConfig,
  naming: Naming,
): Configured<SearchDomainProps, "subnetIds" | "securityGroup" | "storageKey" | "logsKey"> {
  const { search } = dataServiceSizesOf(environment, region.region);
  return {
    naming,
    engineVersion: search.engineVersion,
    instanceType: search.instanceType,
    instanceCount: search.instanceCount,
    volumeSizeGiB: search.volumeSizeGiB,
    zoneAwarenessAzs: search.zoneAwarenessAzs,
    dedicatedMasterCount: search.dedicatedMasterCount,
    dedicatedMasterType: search.dedicatedMasterType,
    logRetentionDays: environment.logRetentionDays,
    // The account's OpenSearch service-linked role comes from the bootstrap stack.
    createServiceLinkedRole: false,
    // OpenSearch's off-peak window runs ten hours a day from the main window's start.
    offPeakStartUtc: offPeakStartUtc(mainWindow(environment).window, mainWindow(environment).timeZone),
    breakGlassRoleArn: breakGlassRoleArn(naming),
    preventDestroy: environment.deletionProtection,
  };
}

export function messagingProps(
  environment: EnvironmentConfig,
  region: RegionConfig,
  naming: Naming,
  rotation: RotationWiring & Pick<BrokerCredentialRotationProps, "logsKey">,
): Configured<RabbitMqBrokerProps, "subnetIds" | "securityGroup" | "secretsKey"> {
  const { messaging } = dataServiceSizesOf(environment, region.region);
  return {
    naming,
    engineVersion: messaging.engineVersion,
    instanceType: messaging.instanceType,
    deploymentMode: messaging.deploymentMode,
    // Queue users also reach the management HTTP API (queue and binding administration).
    clientManagementApiAccess: true,
    // Amazon MQ takes the zone itself, so the window follows the local clock all year.
    maintenanceWindow: mqMaintenanceStart(mainWindow(environment).window, mainWindow(environment).timeZone),
    preventDestroy: environment.deletionProtection,
    credentialRotation: {
      ...rotationFunction(environment, BROKER_CREDENTIAL_ROTATION_FUNCTION, "the RabbitMQ broker's credentials"),
      ...rotation,
      artifactBucket: naming.bucketName("artifacts"),
      rotationDays: CREDENTIAL_ROTATION_DAYS,
      logRetentionDays: environment.logRetentionDays,
    },
  };
}
