import { PRODUCTION_SERVICES } from "./catalogue";
import releases from "./releases.json";
import type { EnvironmentConfig } from "./types";

/** Production: us-east-1 serves, eu-west-1 is the warm standby (RTO 15 min, RPO 5 s). */
export const production: EnvironmentConfig = {
  name: "production",
  accountId: "400000000003",
  deployRoleName: "lma-terraform-deploy",
  tags: { owner: "platform-engineering", costCenter: "CC-1040-LMA-PRD", dataClassification: "restricted" },
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
      availabilityZones: ["eu-west-1a", "eu-west-1b"],
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
    engineVersion: "16.4",
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
  cache: {
    engineVersion: "7.1",
    nodeType: "cache.r6g.large",
    clusterMode: true,
    shards: 1,
    replicasPerShard: 2,
    multiAz: true,
    snapshotRetentionDays: 35,
  },
  search: {
    engineVersion: "OpenSearch_2.13",
    instanceType: "r6g.large.search",
    instanceCount: 3,
    volumeSizeGiB: 100,
    zoneAwarenessAzs: 3,
    dedicatedMasterCount: 3,
    dedicatedMasterType: "m6g.large.search",
  },
  messaging: { engineVersion: "3.13", instanceType: "mq.m5.large", deploymentMode: "CLUSTER_MULTI_AZ" },
  storage: { logsObjectLock: { mode: "COMPLIANCE", years: 7 } },
  functions: {
    "document-processor": { memoryMiB: 1024, timeoutSeconds: 120, reservedConcurrency: 50 },
    "email-notifier": { memoryMiB: 256, timeoutSeconds: 60, reservedConcurrency: 20 },
    "scheduled-jobs": {
      memoryMiB: 1024,
      timeoutSeconds: 600,
      reservedConcurrency: 1,
      // One run at a time (reserved concurrency 1): a slow run never overlaps the next and double-posts.
      schedules: { "loan-interest-accrual": "cron(0 1 * * ? *)", "covenant-reminders": "cron(0 7 ? * MON-FRI *)" },
    },
  },
  release: releases.production,
  deletionProtection: true,
  logRetentionDays: 365,
  security: { wafRateLimitPer5Min: 2000, shieldAdvanced: true },
};
