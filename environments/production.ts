import { PRODUCTION_SERVICES } from "./catalogue";
import { defineEnvironment, SCHEDULED_JOBS } from "./defaults";

/** Production: us-east-1 serves, eu-west-1 is the warm standby (RTO 15 min, RPO 5 s). */
export const production = defineEnvironment({
  name: "production",
  tier: "production",
  accountId: "400000000003",
  tags: { costCenter: "CC-1040-LMA-PRD", dataClassification: "restricted" },
  regions: [
    {
      region: "us-east-1",
      role: "primary",
      availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
      vpcCidr: "10.0.0.0/16",
      natGateways: "per-az",
    },
    {
      region: "eu-west-1",
      role: "standby",
      // Three AZs, like the primary: after failover the region runs production's shape.
      availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
      vpcCidr: "10.1.0.0/16",
      natGateways: "per-az",
      serviceTaskCount: 1,
    },
  ],
  dns: { zoneName: "lma.example.com", hostedZoneId: "Z0PRDLMAEXAMPLE0003" },
  services: PRODUCTION_SERVICES,
  // Canary: 10% of traffic for 5 minutes under the rollback alarms, then the rest; the old task
  // set stays an hour so a late rollback is a listener switch.
  compute: {
    deployment: {
      strategy: "blue-green",
      trafficShifting: { type: "canary", percentage: 10, intervalMinutes: 5 },
      blueTerminationWaitMinutes: 60,
      minimumHealthyPercent: 100,
    },
    executeCommand: false,
    imageRetentionDays: 90,
  },
  fargateSpot: false,
  database: {
    instanceClass: "db.r6g.xlarge",
    allocatedStorageGiB: 500,
    maxAllocatedStorageGiB: 2000,
    storageType: "io2",
    iops: 12000,
    multiAz: true,
    backupRetentionDays: 35,
    readReplicas: 1,
    crossRegionReplica: true,
  },
  cache: { nodeType: "cache.r6g.large", clusterMode: true, replicasPerShard: 2, multiAz: true, snapshotRetentionDays: 35 },
  search: {
    instanceType: "r6g.large.search",
    instanceCount: 3,
    volumeSizeGiB: 100,
    zoneAwarenessAzs: 3,
    dedicatedMasterCount: 3,
    dedicatedMasterType: "m6g.large.search",
  },
  messaging: { instanceType: "mq.m5.large", deploymentMode: "CLUSTER_MULTI_AZ" },
  // Loan documents are kept seven years, replaced versions included (seed 001's backup table).
  storage: { logsObjectLock: { mode: "COMPLIANCE", years: 7 }, documentsNoncurrentVersionDays: 2555 },
  functions: {
    "document-processor": { memoryMiB: 1024, timeoutSeconds: 120, reservedConcurrency: 50 },
    "email-notifier": { memoryMiB: 256, timeoutSeconds: 60, reservedConcurrency: 20 },
    "scheduled-jobs": { memoryMiB: 1024, timeoutSeconds: 600, reservedConcurrency: 1, schedules: SCHEDULED_JOBS },
    // Rotates the database's master secret (modules/rds/README.md); one rotation at a time.
    "postgres-rotation": { memoryMiB: 256, timeoutSeconds: 120, reservedConcurrency: 1 },
    // Rotates the RabbitMQ administrator's and clients' passwords (modules/messaging/README.md):
    // their rotations start together when the secrets are created, one invocation each.
    "rabbitmq-rotation": { memoryMiB: 256, timeoutSeconds: 120, reservedConcurrency: 5 },
  },
  // Failover: set activeRegion to "eu-west-1" and apply the eu-west-1 stack (docs/disaster-recovery.md).
  // The standby's data services run small until then; failover resizes them in place.
  disasterRecovery: {
    topology: "warm-standby",
    activeRegion: "us-east-1",
    buildPhase: "complete",
    standby: {
      cache: { nodeType: "cache.r6g.large", replicasPerShard: 1 },
      search: { instanceType: "r6g.large.search", instanceCount: 3, dedicatedMasterCount: 0 },
      // Amazon MQ's smallest type that runs a cluster; the mode stays CLUSTER_MULTI_AZ.
      messaging: { instanceType: "mq.m5.large" },
      scheduledJobsEnabled: false,
    },
  },
  deletionProtection: true,
  logRetentionDays: 365,
  security: { shieldAdvanced: true },
  // Placeholder: Datadog shows the external id when the AWS integration is added for the account.
  datadog: { awsIntegrationExternalId: "00000000000000000000000000000003" },
});
