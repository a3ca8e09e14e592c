import { PRODUCTION_SERVICES, sizedFor } from "./catalogue";
import { defineEnvironment, SCHEDULED_JOBS } from "./defaults";

/** Staging: production's shape at a smaller size, so promotions rehearse the real thing. */
export const staging = defineEnvironment({
  name: "staging",
  tier: "staging",
  accountId: "400000000002",
  tags: { costCenter: "CC-1040-LMA-STG", dataClassification: "confidential" },
  regions: [
    {
      region: "us-east-1",
      role: "primary",
      availabilityZones: ["us-east-1a", "us-east-1b"],
      vpcCidr: "10.10.0.0/16",
      natGateways: "per-az",
    },
  ],
  dns: { zoneName: "staging.lma.example.com", hostedZoneId: "Z0STGLMAEXAMPLE0002" },
  services: sizedFor(PRODUCTION_SERVICES, { desiredCount: 2, min: 2, max: 4 }),
  // Blue/green like production, shifted linearly so every promotion rehearses a gradual shift.
  compute: {
    deployment: {
      strategy: "blue-green",
      trafficShifting: { type: "linear", percentage: 25, intervalMinutes: 1 },
      blueTerminationWaitMinutes: 15,
    },
    executeCommand: true,
  },
  fargateSpot: true,
  database: {
    instanceClass: "db.r6g.large",
    allocatedStorageGiB: 500,
    maxAllocatedStorageGiB: 1000,
    multiAz: true,
    backupRetentionDays: 14,
  },
  // Cluster mode like production (one shard, one replica), so cluster-mode clients are exercised before release.
  cache: { nodeType: "cache.r6g.large", clusterMode: true, shards: 1, replicasPerShard: 1, multiAz: true, snapshotRetentionDays: 7 },
  search: { instanceType: "r6g.large.search", instanceCount: 2, volumeSizeGiB: 50, zoneAwarenessAzs: 2 },
  messaging: { instanceType: "mq.m5.large", deploymentMode: "SINGLE_INSTANCE" },
  functions: {
    "document-processor": { memoryMiB: 1024, timeoutSeconds: 120, reservedConcurrency: 10 },
    "email-notifier": { memoryMiB: 256, timeoutSeconds: 60, reservedConcurrency: 5 },
    "scheduled-jobs": { memoryMiB: 512, timeoutSeconds: 300, reservedConcurrency: 1, schedules: SCHEDULED_JOBS },
    // Rotates the database's master secret (modules/rds/README.md); one rotation at a time.
    "postgres-rotation": { memoryMiB: 256, timeoutSeconds: 120, reservedConcurrency: 1 },
    // Rotates the RabbitMQ administrator's and clients' passwords (modules/messaging/README.md):
    // their rotations start together when the secrets are created, one invocation each.
    "rabbitmq-rotation": { memoryMiB: 256, timeoutSeconds: 120, reservedConcurrency: 5 },
  },
  deletionProtection: true,
  logRetentionDays: 90,
  // Placeholder: Datadog shows the external id when the AWS integration is added for the account.
  datadog: { awsIntegrationExternalId: "00000000000000000000000000000002" },
});
