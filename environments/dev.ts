import { PRODUCTION_SERVICES, sizedFor } from "./catalogue";
import releases from "./releases.json";
import type { EnvironmentConfig } from "./types";

/** Development: one region, two AZs, and every cheaper setting chosen explicitly. */
export const dev: EnvironmentConfig = {
  name: "dev",
  accountId: "400000000001",
  deployRoleName: "lma-terraform-deploy",
  tags: { owner: "platform-engineering", costCenter: "CC-1040-LMA-DEV", dataClassification: "internal" },
  regions: [
    {
      region: "us-east-1",
      role: "primary",
      availabilityZones: ["us-east-1a", "us-east-1b"],
      vpcCidr: "10.20.0.0/16",
      natGateways: "single",
    },
  ],
  dns: { zoneName: "dev.lma.example.com", hostedZoneId: "Z0DEVLMAEXAMPLE0001" },
  services: sizedFor(PRODUCTION_SERVICES, { desiredCount: 1, min: 1, max: 2 }),
  // Rolling with the circuit breaker: fast feedback; ECS Exec for debugging (sessions are logged).
  compute: { deployment: { strategy: "rolling", minimumHealthyPercent: 100 }, executeCommand: true },
  fargateSpot: true,
  offHours: { scaleDown: "cron(0 22 ? * MON-FRI *)", scaleUp: "cron(0 11 ? * MON-FRI *)" },
  database: {
    engineVersion: "16.4",
    instanceClass: "db.t4g.medium",
    allocatedStorageGiB: 100,
    maxAllocatedStorageGiB: 200,
    storageType: "gp3",
    multiAz: false,
    backupRetentionDays: 7,
    readReplicas: 0,
    crossRegionReplica: false,
  },
  cache: {
    engineVersion: "7.1",
    nodeType: "cache.t4g.small",
    clusterMode: false,
    shards: 1,
    replicasPerShard: 0,
    multiAz: false,
    snapshotRetentionDays: 1,
  },
  search: {
    engineVersion: "OpenSearch_2.13",
    instanceType: "t3.small.search",
    instanceCount: 1,
    volumeSizeGiB: 20,
    zoneAwarenessAzs: 1,
    dedicatedMasterCount: 0,
  },
  messaging: { engineVersion: "3.13", instanceType: "mq.t3.micro", deploymentMode: "SINGLE_INSTANCE" },
  storage: { logsObjectLock: { mode: "GOVERNANCE", years: 1 } },
  functions: {
    "document-processor": { memoryMiB: 512, timeoutSeconds: 120, reservedConcurrency: 5 },
    "email-notifier": { memoryMiB: 256, timeoutSeconds: 60, reservedConcurrency: 2 },
    "scheduled-jobs": {
      memoryMiB: 512,
      timeoutSeconds: 300,
      reservedConcurrency: 1,
      // One run at a time (reserved concurrency 1): a slow run never overlaps the next and double-posts.
      schedules: { "loan-interest-accrual": "cron(0 1 * * ? *)", "covenant-reminders": "cron(0 7 ? * MON-FRI *)" },
    },
  },
  release: releases.dev,
  deletionProtection: false,
  logRetentionDays: 30,
  security: { wafRateLimitPer5Min: 2000, shieldAdvanced: false },
};
