import { PRODUCTION_SERVICES, sizedFor } from "./catalogue";
import { defineEnvironment, SCHEDULED_JOBS } from "./defaults";

/** Development: one region, two AZs, and every cheaper setting chosen explicitly. */
export const dev = defineEnvironment({
  name: "dev",
  tier: "development",
  accountId: "400000000001",
  tags: { costCenter: "CC-1040-LMA-DEV", dataClassification: "internal" },
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
    instanceClass: "db.t4g.medium",
    allocatedStorageGiB: 100,
    maxAllocatedStorageGiB: 200,
    multiAz: false,
    backupRetentionDays: 7,
    // Schema and role changes only: development data is synthetic, writes need no audit trail.
    auditLog: ["ddl", "role"],
  },
  cache: { nodeType: "cache.t4g.small", replicasPerShard: 0, multiAz: false, snapshotRetentionDays: 1 },
  search: { instanceType: "t3.small.search", instanceCount: 1, volumeSizeGiB: 20, zoneAwarenessAzs: 1 },
  messaging: { instanceType: "mq.t3.micro", deploymentMode: "SINGLE_INSTANCE" },
  storage: { logsObjectLock: { mode: "GOVERNANCE", years: 1 } },
  functions: {
    "document-processor": { memoryMiB: 512, timeoutSeconds: 120, reservedConcurrency: 5 },
    "email-notifier": { memoryMiB: 256, timeoutSeconds: 60, reservedConcurrency: 2 },
    "scheduled-jobs": { memoryMiB: 512, timeoutSeconds: 300, reservedConcurrency: 1, schedules: SCHEDULED_JOBS },
    // Rotates the database's master secret (modules/rds/README.md); one rotation at a time.
    "postgres-rotation": { memoryMiB: 256, timeoutSeconds: 120, reservedConcurrency: 1 },
    // Rotates the RabbitMQ administrator's and clients' passwords (modules/messaging/README.md):
    // their rotations start together when the secrets are created, one invocation each.
    "rabbitmq-rotation": { memoryMiB: 256, timeoutSeconds: 120, reservedConcurrency: 5 },
  },
  deletionProtection: false,
  logRetentionDays: 30,
  // Developer builds are unsigned: Lambda deploys them and logs a code-signing warning.
  security: { lambdaCodeSigning: "warn" },
  // Placeholder: Datadog shows the external id when the AWS integration is added for the account.
  datadog: { awsIntegrationExternalId: "00000000000000000000000000000001" },
});
