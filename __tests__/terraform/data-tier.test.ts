/**
 * Plan proof of the data tier: what Terraform itself plans, with the real AWS provider, for the
 * database, the data services and the buckets of production (both regions) and dev, against the
 * configuration (environments/*) and, in the standby, the sizes `dataServiceSizesOf` gives it
 * (plans from the global setup's run; see plan-suite.ts).
 */
import {
  configuredResources,
  expressionReferences,
  findResource,
  findResources,
  type PlanJson,
  type PlannedResource,
} from "../../tooling/terraform-harness";
import { loadEnvironments } from "../../environments";
import type { CacheConfig, EnvironmentConfig } from "../../environments/types";
import { readAppContext } from "../../lib/app-context";
import { dataServiceSizesOf, disasterRecoveryOf } from "../../lib/disaster-recovery";
import { Naming } from "../../lib/naming";
import { RegionalStack } from "../../stacks/regional-stack";
import { planSuite } from "./plan-suite";

const configured = (name: string) => loadEnvironments(readAppContext().context).find(({ config }) => config.name === name)!.config;
const production = configured("production");
const dev = configured("dev");

function regionOf(environment: EnvironmentConfig, role: "primary" | "standby") {
  const region = environment.regions.find((candidate) => candidate.role === role)!.region;
  return { region, stack: RegionalStack.stackName(environment.name, region), naming: new Naming(environment.name, region, environment.accountId) };
}
const primary = regionOf(production, "primary");
const standby = regionOf(production, "standby");
const devPrimary = regionOf(dev, "primary");

/** Server access logs stay in their bucket's region: S3 delivers them there, and nothing restores from them. */
const UNREPLICATED_COMPONENTS = ["access-logs"];
/** A platform bucket's component (`documents`, …) from its name `lma-<env>-<component>-<region>-<account>`. */
const componentOf = (naming: Naming, bucket: string) => bucket.slice(`${naming.prefix}-`.length, -`-${naming.region}-${naming.accountId}`.length);

function one(plan: PlanJson, type: string, predicate: (values: Record<string, any>) => boolean): Record<string, any> {
  const found = findResources(plan, type, (resource: PlannedResource) => predicate(resource.values as Record<string, any>));
  if (found.length !== 1) throw new Error(`expected one planned ${type}, found ${found.length}`);
  return found[0]!.values as Record<string, any>;
}

/**
 * The planned values of the `type` resource attached to the bucket called `name`. Its `bucket`
 * argument is the bucket's id, unknown until apply, so the link comes from the configuration.
 */
function ofBucket(plan: PlanJson, type: string, name: string): Record<string, any> {
  const bucket = findResources(plan, "aws_s3_bucket", (r) => (r.values as any).bucket === name);
  if (bucket.length !== 1) throw new Error(`expected one planned bucket ${name}, found ${bucket.length}`);
  const attached = configuredResources(plan, type).filter((r) => expressionReferences(r, "bucket").includes(bucket[0]!.address));
  if (attached.length !== 1) throw new Error(`expected one ${type} on ${name}, found ${attached.length}`);
  const planned = findResource(plan, type, (r) => r.address === attached[0]!.address);
  if (!planned) throw new Error(`${attached[0]!.address} is not planned`);
  return planned.values as Record<string, any>;
}

const bucketNames = (plan: PlanJson) => findResources(plan, "aws_s3_bucket").map((bucket) => String(bucket.values.bucket));

/** The primary database's figures as environments/<name>.ts gives them. */
function databaseOf(environment: EnvironmentConfig) {
  const { database } = environment;
  return {
    engine: "postgres",
    engine_version: database.engineVersion,
    instance_class: database.instanceClass,
    allocated_storage: database.allocatedStorageGiB,
    storage_type: database.storageType,
    multi_az: database.multiAz,
    backup_retention_period: database.backupRetentionDays,
    deletion_protection: environment.deletionProtection,
    skip_final_snapshot: !environment.deletionProtection,
    storage_encrypted: true,
    publicly_accessible: false,
  };
}

/** The replication group's figures for a cache configuration (cluster mode: shards × replicas; else one node group). */
function cacheOf(cache: CacheConfig) {
  return {
    node_type: cache.nodeType,
    multi_az_enabled: cache.multiAz,
    snapshot_retention_limit: cache.snapshotRetentionDays,
    ...(cache.clusterMode
      ? { cluster_mode: "enabled", num_node_groups: cache.shards, replicas_per_node_group: cache.replicasPerShard }
      : { cluster_mode: "disabled", num_cache_clusters: 1 + cache.replicasPerShard }),
    transit_encryption_enabled: true,
  };
}

planSuite("data tier plans", [primary.stack, standby.stack, devPrimary.stack], (planOf) => {
    describe(`production, ${primary.region}`, () => {
      const identifier = primary.naming.name("postgres");

      it("plans the PostgreSQL primary with the configured figures and a write-only master password", () => {
        const db = one(planOf(primary.stack), "aws_db_instance", (values) => values.identifier === identifier);
        expect(db).toMatchObject({
          ...databaseOf(production),
          iops: production.database.iops,
          max_allocated_storage: production.database.maxAllocatedStorageGiB,
          final_snapshot_identifier: `${identifier}-final`,
          iam_database_authentication_enabled: true,
          performance_insights_enabled: true,
          copy_tags_to_snapshot: true,
          delete_automated_backups: false,
          enabled_cloudwatch_logs_exports: ["postgresql", "upgrade"],
        });
        // RDS refuses a cross-region replica of a source with an RDS-managed password
        // (modules/rds/index.ts), so the password is generated into write-only arguments.
        expect(db.manage_master_user_password).toBeNull();
        expect(db.password).toBeNull();
        expect(db.password_wo_version).toBeGreaterThanOrEqual(1);
      });

      it("plans the configured in-region read replicas", () => {
        const replicas = findResources(planOf(primary.stack), "aws_db_instance", (r) => (r.values as any).identifier !== identifier);
        expect(replicas.map((r) => (r.values as any).identifier)).toEqual(
          Array.from({ length: production.database.readReplicas }, (_, index) => `${identifier}-replica-${index + 1}`),
        );
      });

      it("plans Redis at the configured size, encrypted both ways", () => {
        const redis = one(planOf(primary.stack), "aws_elasticache_replication_group", () => true);
        expect(redis).toMatchObject({
          ...cacheOf(production.cache),
          replication_group_id: primary.naming.name("redis"),
          automatic_failover_enabled: true,
          at_rest_encryption_enabled: "true",
          transit_encryption_mode: "required",
          final_snapshot_identifier: `${primary.naming.name("redis")}-final`,
        });
        expect(redis.auth_token).toBeNull();
      });

      it("plans the buckets: versioned, private, KMS except the log sinks, logs under the configured lock", () => {
        const plan = planOf(primary.stack);
        const bucket = (component: string) => primary.naming.bucketName(component);
        for (const name of bucketNames(plan)) {
          expect(ofBucket(plan, "aws_s3_bucket_versioning", name).versioning_configuration).toEqual([{ status: "Enabled" }]);
          expect(ofBucket(plan, "aws_s3_bucket_public_access_block", name)).toMatchObject({
            block_public_acls: true,
            block_public_policy: true,
            ignore_public_acls: true,
            restrict_public_buckets: true,
          });
        }
        expect(one(plan, "aws_s3_bucket", (values) => values.bucket === bucket("logs")).object_lock_enabled).toBe(true);
        const { mode, years } = production.storage.logsObjectLock;
        expect(ofBucket(plan, "aws_s3_bucket_object_lock_configuration", bucket("logs")).rule).toEqual([{ default_retention: [{ mode, years, days: null }] }]);
        const algorithm = (component: string) =>
          ofBucket(plan, "aws_s3_bucket_server_side_encryption_configuration", bucket(component)).rule[0].apply_server_side_encryption_by_default[0]
            .sse_algorithm;
        // ALB access logs and S3 server access logs support SSE-S3 only (modules/s3/index.ts).
        expect(["documents", "backups", "static-assets", "logs", "access-logs"].map(algorithm)).toEqual(["aws:kms", "aws:kms", "aws:kms", "AES256", "AES256"]);
      });

      it("replicates every bucket but the server access logs to its namesake in the standby region", () => {
        const plan = planOf(primary.stack);
        const destinations = findResources(plan, "aws_s3_bucket_replication_configuration").map((r) => (r.values as any).rule[0].destination[0].bucket);
        const replicated = bucketNames(plan)
          .map((name) => componentOf(primary.naming, name))
          .filter((component) => !UNREPLICATED_COMPONENTS.includes(component));
        expect(replicated).toEqual(expect.arrayContaining(["documents", "backups", "logs", "static-assets"]));
        expect(destinations.sort()).toEqual(replicated.map((component) => `arn:aws:s3:::${standby.naming.bucketName(component)}`).sort());
      });
    });

    describe(`production, ${standby.region} (warm standby)`, () => {
      const sizes = dataServiceSizesOf(production, standby.region);
      const recovery = disasterRecoveryOf(production, standby.region);

      it("plans the cross-region replica of the primary (promoted once failed over), and no other database", () => {
        const replica = one(planOf(standby.stack), "aws_db_instance", () => true);
        const name = primary.naming.name("postgres");
        expect(replica).toMatchObject({
          identifier: name,
          replicate_source_db: recovery.failedOver ? null : primary.naming.arn("rds", `db:${name}`),
          storage_encrypted: true,
          deletion_protection: production.deletionProtection,
        });
      });

      it("plans the cache, search and broker at the standby's sizes, under the primary's names", () => {
        const plan = planOf(standby.stack);
        // Standing by, the sizes differ from the primary's: the plan shows the standby's, not production's.
        if (recovery.capacity === "standby") expect(sizes).not.toEqual(dataServiceSizesOf(production, primary.region));
        expect(one(plan, "aws_elasticache_replication_group", () => true)).toMatchObject({
          ...cacheOf(sizes.cache),
          replication_group_id: standby.naming.name("redis"),
        });
        const search = one(plan, "aws_opensearch_domain", () => true);
        expect(search.domain_name).toBe(standby.naming.name("search"));
        expect(search.cluster_config).toEqual([
          expect.objectContaining({
            instance_type: sizes.search.instanceType,
            instance_count: sizes.search.instanceCount,
            dedicated_master_enabled: (sizes.search.dedicatedMasterCount ?? 0) > 0,
          }),
        ]);
        expect(one(plan, "aws_mq_broker", () => true)).toMatchObject({
          broker_name: standby.naming.name("rabbitmq"),
          host_instance_type: sizes.messaging.instanceType,
          deployment_mode: sizes.messaging.deploymentMode,
        });
      });

      it("plans every replication destination bucket, versioned, and replicates nothing itself", () => {
        const plan = planOf(standby.stack);
        const destinations = findResources(planOf(primary.stack), "aws_s3_bucket_replication_configuration").map(
          (r) => String((r.values as any).rule[0].destination[0].bucket).replace("arn:aws:s3:::", ""),
        );
        expect(destinations.length).toBeGreaterThan(0);
        for (const name of destinations) expect(ofBucket(plan, "aws_s3_bucket_versioning", name).versioning_configuration[0].status).toBe("Enabled");
        expect(findResources(plan, "aws_s3_bucket_replication_configuration")).toEqual([]);
      });
    });

    describe("dev", () => {
      it("plans the configured database, deletable without a final snapshot", () => {
        const db = one(planOf(devPrimary.stack), "aws_db_instance", () => true);
        expect(db).toMatchObject(databaseOf(dev));
        expect(db.manage_master_user_password).toBeNull();
        expect(db.password).toBeNull();
      });

      it("plans the configured cache", () => {
        expect(one(planOf(devPrimary.stack), "aws_elasticache_replication_group", () => true)).toMatchObject(cacheOf(dev.cache));
      });

      it("plans the buckets with the configured lock on logs, and no replication", () => {
        const plan = planOf(devPrimary.stack);
        const { mode, years } = dev.storage.logsObjectLock;
        expect(ofBucket(plan, "aws_s3_bucket_object_lock_configuration", devPrimary.naming.bucketName("logs")).rule).toEqual([
          { default_retention: [{ mode, years, days: null }] },
        ]);
        expect(findResources(plan, "aws_s3_bucket_replication_configuration")).toEqual([]);
      });
    });
});
