/**
 * Plan proof of the data tier: what Terraform itself plans, with the real AWS provider,
 * for the database, the cache and the buckets of production (both regions) and dev (plans from the
 * global setup's run; see plan-suite.ts).
 */
import {
  configuredResources,
  expressionReferences,
  findResource,
  findResources,
  type PlanJson,
  type PlannedResource,
} from "../../tooling/terraform-harness";
import { planSuite } from "./plan-suite";

const STACKS = { production: "lma-production-us-east-1", standby: "lma-production-eu-west-1", dev: "lma-dev-us-east-1" } as const;
const PRODUCTION_ACCOUNT = "400000000003";
const DEV_ACCOUNT = "400000000001";

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

planSuite("data tier plans", Object.values(STACKS), (planOf) => {
    describe("production, us-east-1", () => {
      it("plans the PostgreSQL primary with the configured figures", () => {
        const db = one(planOf(STACKS.production), "aws_db_instance", (values) => values.identifier === "lma-production-postgres");
        expect(db).toMatchObject({
          engine: "postgres",
          engine_version: "16.4",
          instance_class: "db.r6g.xlarge",
          allocated_storage: 500,
          storage_type: "io2",
          iops: 12000,
          max_allocated_storage: 2000,
          multi_az: true,
          backup_retention_period: 35,
          deletion_protection: true,
          skip_final_snapshot: false,
          final_snapshot_identifier: "lma-production-postgres-final",
          storage_encrypted: true,
          manage_master_user_password: true,
          iam_database_authentication_enabled: true,
          performance_insights_enabled: true,
          monitoring_interval: 15,
          publicly_accessible: false,
          copy_tags_to_snapshot: true,
          delete_automated_backups: false,
          enabled_cloudwatch_logs_exports: ["postgresql", "upgrade"],
        });
        expect(db.password).toBeNull();
      });

      it("plans exactly one in-region read replica", () => {
        const replicas = findResources(planOf(STACKS.production), "aws_db_instance", (r) => (r.values as any).identifier !== "lma-production-postgres");
        expect(replicas.map((r) => (r.values as any).identifier)).toEqual(["lma-production-postgres-replica-1"]);
      });

      it("plans Redis in cluster mode, 1 shard × (1 + 2 replicas), encrypted both ways", () => {
        const redis = one(planOf(STACKS.production), "aws_elasticache_replication_group", () => true);
        expect(redis).toMatchObject({
          replication_group_id: "lma-production-redis",
          node_type: "cache.r6g.large",
          cluster_mode: "enabled",
          num_node_groups: 1,
          replicas_per_node_group: 2,
          multi_az_enabled: true,
          automatic_failover_enabled: true,
          at_rest_encryption_enabled: "true",
          transit_encryption_enabled: true,
          transit_encryption_mode: "required",
          snapshot_retention_limit: 35,
          final_snapshot_identifier: "lma-production-redis-final",
        });
        expect(redis.auth_token).toBeNull();
      });

      it("plans the buckets: KMS documents and backups, SSE-S3 logs under a 7-year compliance lock", () => {
        const plan = planOf(STACKS.production);
        const bucket = (component: string) => `lma-production-${component}-us-east-1-${PRODUCTION_ACCOUNT}`;
        for (const component of ["static-assets", "documents", "backups", "logs", "access-logs"]) {
          expect(ofBucket(plan, "aws_s3_bucket_versioning", bucket(component)).versioning_configuration).toEqual([{ status: "Enabled" }]);
          expect(ofBucket(plan, "aws_s3_bucket_public_access_block", bucket(component))).toMatchObject({
            block_public_acls: true,
            block_public_policy: true,
            ignore_public_acls: true,
            restrict_public_buckets: true,
          });
        }
        expect(one(plan, "aws_s3_bucket", (values) => values.bucket === bucket("logs")).object_lock_enabled).toBe(true);
        expect(ofBucket(plan, "aws_s3_bucket_object_lock_configuration", bucket("logs")).rule).toEqual([
          { default_retention: [{ mode: "COMPLIANCE", years: 7, days: null }] },
        ]);
        const algorithm = (component: string) =>
          ofBucket(plan, "aws_s3_bucket_server_side_encryption_configuration", bucket(component)).rule[0].apply_server_side_encryption_by_default[0]
            .sse_algorithm;
        expect(["documents", "backups", "static-assets", "logs", "access-logs"].map(algorithm)).toEqual(["aws:kms", "aws:kms", "aws:kms", "AES256", "AES256"]);
      });

      it("plans replication of documents, backups and logs to the standby's buckets", () => {
        const rules = findResources(planOf(STACKS.production), "aws_s3_bucket_replication_configuration").map(
          (r) => (r.values as any).rule[0].destination[0].bucket,
        );
        expect(rules.sort()).toEqual(
          ["backups", "documents", "logs"].map((component) => `arn:aws:s3:::lma-production-${component}-eu-west-1-${PRODUCTION_ACCOUNT}`),
        );
      });
    });

    describe("production, eu-west-1 (warm standby)", () => {
      it("plans the cross-region replica of the primary, and no other database", () => {
        const plan = planOf(STACKS.standby);
        const replica = one(plan, "aws_db_instance", () => true);
        expect(replica).toMatchObject({
          identifier: "lma-production-postgres",
          replicate_source_db: `arn:aws:rds:us-east-1:${PRODUCTION_ACCOUNT}:db:lma-production-postgres`,
          storage_encrypted: true,
          deletion_protection: true,
        });
        expect(findResource(plan, "aws_elasticache_replication_group")).toBeUndefined();
      });

      it("plans the replication destination buckets, versioned", () => {
        const plan = planOf(STACKS.standby);
        for (const component of ["documents", "backups", "logs"]) {
          const name = `lma-production-${component}-eu-west-1-${PRODUCTION_ACCOUNT}`;
          expect(ofBucket(plan, "aws_s3_bucket_versioning", name).versioning_configuration[0].status).toBe("Enabled");
        }
        expect(findResources(plan, "aws_s3_bucket_replication_configuration")).toEqual([]);
      });
    });

    describe("dev", () => {
      it("plans the cheap database: db.t4g.medium, 100 GB gp3, single-AZ, 7 days, deletable", () => {
        const db = one(planOf(STACKS.dev), "aws_db_instance", () => true);
        expect(db).toMatchObject({
          instance_class: "db.t4g.medium",
          allocated_storage: 100,
          storage_type: "gp3",
          multi_az: false,
          backup_retention_period: 7,
          deletion_protection: false,
          skip_final_snapshot: true,
          storage_encrypted: true,
          manage_master_user_password: true,
        });
      });

      it("plans one cache.t4g.small node", () => {
        const redis = one(planOf(STACKS.dev), "aws_elasticache_replication_group", () => true);
        expect(redis).toMatchObject({ node_type: "cache.t4g.small", num_cache_clusters: 1, cluster_mode: "disabled", transit_encryption_enabled: true });
      });

      it("plans the buckets with a 1-year governance lock on logs", () => {
        const plan = planOf(STACKS.dev);
        const logs = `lma-dev-logs-us-east-1-${DEV_ACCOUNT}`;
        expect(ofBucket(plan, "aws_s3_bucket_object_lock_configuration", logs).rule).toEqual([
          { default_retention: [{ mode: "GOVERNANCE", years: 1, days: null }] },
        ]);
        expect(findResources(plan, "aws_s3_bucket_replication_configuration")).toEqual([]);
      });
    });
});
