import { type EnvironmentConfig, KNOWN_REGIONS, type RegionConfig } from "../environments/types";
import type { Naming } from "../lib/naming";
import type { RedisCacheProps } from "../modules/elasticache";
import type { RabbitMqBrokerProps } from "../modules/messaging";
import type { PostgresDatabaseProps } from "../modules/rds";
import type { PlatformBucketsProps } from "../modules/s3";
import type { SearchDomainProps } from "../modules/search";

/**
 * The translation from an environment's configuration (environments/types.ts) to the data-store
 * modules' own props. Only what the environment decides is here; the constructs the stack owns
 * (keys, subnets, security groups) are added where the stores are built, in regional-stack.ts.
 * Every sizing and safety value is passed explicitly, so a module default never silently decides
 * an environment's database, cache, domain or broker.
 */

type Configured<Props, Wired extends keyof Props> = Omit<Props, Wired>;

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
    albLogDeliveryAccountId: KNOWN_REGIONS[region.region].elbAccountId,
    // The primary replicates documents, backups and logs to the standby's namesake buckets;
    // the standby replicates nothing, so it plans and applies with the primary region down.
    replicateTo: region.role === "primary" ? standby?.region : undefined,
  };
}

export function databaseProps(
  environment: EnvironmentConfig,
  region: RegionConfig,
  naming: Naming,
): Configured<PostgresDatabaseProps, "subnetGroupName" | "securityGroup" | "storageKey" | "secretsKey" | "logsKey"> {
  const { database } = environment;
  const name = "postgres";
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
    // The standby's replica names its source by the naming convention, so no state or provider of
    // the primary region is involved and the standby plans with that region down.
    crossRegionSource:
      region.role === "standby"
        ? {
            sourceArn: naming.inRegion(primaryOf(environment).region).arn("rds", `db:${naming.name(name)}`),
            promote: database.promoteStandby ?? false,
          }
        : undefined,
  };
}

export function cacheProps(
  environment: EnvironmentConfig,
  naming: Naming,
): Configured<RedisCacheProps, "subnetGroupName" | "securityGroup" | "storageKey" | "logsKey"> {
  const { cache } = environment;
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
  };
}

export function searchProps(
  environment: EnvironmentConfig,
  naming: Naming,
): Configured<SearchDomainProps, "subnetIds" | "securityGroup" | "storageKey" | "logsKey"> {
  const { search } = environment;
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
  };
}

export function messagingProps(
  environment: EnvironmentConfig,
  naming: Naming,
): Configured<RabbitMqBrokerProps, "subnetIds" | "securityGroup" | "secretsKey"> {
  const { messaging } = environment;
  return {
    naming,
    engineVersion: messaging.engineVersion,
    instanceType: messaging.instanceType,
    deploymentMode: messaging.deploymentMode,
    // Queue users also reach the management HTTP API (queue and binding administration).
    clientManagementApiAccess: true,
  };
}
