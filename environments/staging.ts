import { PRODUCTION_SERVICES, sizedFor } from "./catalogue";
import releases from "./releases.json";
import type { EnvironmentConfig } from "./types";

/** Staging: production's shape at a smaller size, so promotions rehearse the real thing. */
export const staging: EnvironmentConfig = {
  name: "staging",
  accountId: "400000000002",
  deployRoleName: "lma-terraform-deploy",
  tags: { owner: "platform-engineering", costCenter: "CC-1040-LMA-STG", dataClassification: "confidential" },
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
    engineVersion: "16.4",
    instanceClass: "db.r6g.large",
    allocatedStorageGiB: 500,
    maxAllocatedStorageGiB: 1000,
    storageType: "gp3",
    multiAz: true,
    backupRetentionDays: 14,
    readReplicas: 0,
    crossRegionReplica: false,
  },
  cache: {
    engineVersion: "7.1",
    nodeType: "cache.r6g.large",
    clusterMode: false,
    shards: 1,
    replicasPerShard: 1,
    multiAz: true,
    snapshotRetentionDays: 7,
  },
  search: {
    engineVersion: "OpenSearch_2.13",
    instanceType: "r6g.large.search",
    instanceCount: 2,
    volumeSizeGiB: 50,
    zoneAwarenessAzs: 2,
    dedicatedMasterCount: 0,
  },
  messaging: { engineVersion: "3.13", instanceType: "mq.m5.large", deploymentMode: "SINGLE_INSTANCE" },
  storage: { logsObjectLock: { mode: "COMPLIANCE", years: 7 } },
  functions: {
    "document-processor": { memoryMiB: 1024, timeoutSeconds: 120, reservedConcurrency: 10 },
    "email-notifier": { memoryMiB: 256, timeoutSeconds: 60, reservedConcurrency: 5 },
    "scheduled-jobs": {
      memoryMiB: 512,
      timeoutSeconds: 300,
      reservedConcurrency: 1,
      // One run at a time (reserved concurrency 1): a slow run never overlaps the next and double-posts.
      schedules: { "loan-interest-accrual": "cron(0 1 * * ? *)", "covenant-reminders": "cron(0 7 ? * MON-FRI *)" },
    },
  },
  release: releases.staging,
  deletionProtection: true,
  logRetentionDays: 90,
  security: { wafRateLimitPer5Min: 2000, shieldAdvanced: false },
};
