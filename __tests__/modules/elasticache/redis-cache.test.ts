import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import { staging } from "../../../environments/staging";
import { weeklyWindowUtc } from "../../../lib/maintenance";
import { Naming } from "../../../lib/naming";
import { dailyWindow, overlaps, weeklyWindow } from "../../../tooling/apply-rules/windows";
import { RedisCache } from "../../../modules/elasticache";
import { KmsKey } from "../../../modules/kms-key";
import { SecurityGroup } from "../../../modules/security-group";
import { listOf, synthRegional } from "../../support/synth";
import { keyArnRef, only, ref } from "../s3/support";

const primary = synthRegional(production, 0).json;
const standby = synthRegional(production, 1).json;
const development = synthRegional(dev, 0).json;
const stagingJson = synthRegional(staging, 0).json;

const group = (json: typeof primary, id: string) => only(json, "aws_elasticache_replication_group", (body) => body.replication_group_id === id);

describe("production's Redis", () => {
  const [logical, redis] = group(primary, "lma-production-redis");

  it("is cache.r6g.large in cluster mode: 1 shard, 1 primary + 2 replicas, Multi-AZ, automatic failover", () => {
    expect(redis).toMatchObject({
      engine: "redis",
      engine_version: "7.1",
      node_type: "cache.r6g.large",
      cluster_mode: "enabled",
      num_node_groups: 1,
      replicas_per_node_group: 2,
      multi_az_enabled: true,
      automatic_failover_enabled: true,
    });
    expect(redis.num_cache_clusters).toBeUndefined();
  });

  it("encrypts at rest with the data key and requires TLS in transit", () => {
    expect(redis).toMatchObject({
      at_rest_encryption_enabled: "true",
      kms_key_id: keyArnRef(primary, "lma-production-data"),
      transit_encryption_enabled: true,
      transit_encryption_mode: "required",
    });
  });

  it("requires authentication through an RBAC user group (IAM users), with no AUTH token anywhere", () => {
    const [userGroup, users] = only(primary, "aws_elasticache_user_group", (body) => body.user_group_id === "lma-production-redis");
    expect(redis.user_group_ids).toEqual([ref("aws_elasticache_user_group", userGroup, "user_group_id")]);
    expect(redis.auth_token).toBeUndefined();
    expect(users.user_ids).toHaveLength(2);
    const [, defaultUser] = only(primary, "aws_elasticache_user", (body) => body.user_name === "default");
    expect(defaultUser).toMatchObject({ access_string: "off -@all", authentication_mode: { type: "no-password-required" } });
    const [, app] = only(primary, "aws_elasticache_user", (body) => body.user_name === "lma-production-redis-app");
    expect(app).toMatchObject({ user_id: "lma-production-redis-app", authentication_mode: { type: "iam" } });
    expect(app.access_string).toMatch(/^on ~\* &\* \+@all -@admin -flushall -flushdb$/);
    expect(app.passwords).toBeUndefined();
  });

  it("evicts with allkeys-lru through a redis7 parameter group that matches cluster mode", () => {
    const [parameterGroup, parameters] = only(primary, "aws_elasticache_parameter_group");
    expect(redis.parameter_group_name).toBe(ref("aws_elasticache_parameter_group", parameterGroup, "name"));
    expect(parameters.family).toBe("redis7");
    expect(parameters.parameter).toEqual([
      { name: "maxmemory-policy", value: "allkeys-lru" },
      { name: "cluster-enabled", value: "yes" },
    ]);
  });

  it("keeps the configured snapshots, a final snapshot, and cannot be destroyed by Terraform", () => {
    expect(redis).toMatchObject({
      snapshot_retention_limit: production.cache.snapshotRetentionDays,
      final_snapshot_identifier: "lma-production-redis-final",
      lifecycle: { prevent_destroy: true },
    });
  });

  it("is maintained in production's main window and snapshots outside it", () => {
    const { windows, timeZone } = production.maintenance;
    expect(redis.maintenance_window).toBe(weeklyWindowUtc(windows[0]!, timeZone));
    expect(overlaps(dailyWindow(redis.snapshot_window)!, weeklyWindow(redis.maintenance_window)!)).toBe(false);
  });

  it("delivers slow and engine logs (JSON) to KMS log groups", () => {
    expect(redis.log_delivery_configuration).toEqual([
      expect.objectContaining({ destination_type: "cloudwatch-logs", log_format: "json", log_type: "slow-log" }),
      expect.objectContaining({ destination_type: "cloudwatch-logs", log_format: "json", log_type: "engine-log" }),
    ]);
    for (const log of ["slow-log", "engine-log"]) {
      const [, logGroup] = only(primary, "aws_cloudwatch_log_group", (body) => body.name === `/lma/production/elasticache/redis/${log}`);
      expect(logGroup.kms_key_id).toBe(keyArnRef(primary, "lma-production-logs"));
    }
  });

  it("sits in the cache subnet group behind the chain's cache security group", () => {
    expect(redis.subnet_group_name).toMatch(/^\$\{aws_elasticache_subnet_group\./);
    expect(redis.security_group_ids).toEqual([expect.stringMatching(/^\$\{aws_security_group\.security-groups_cache_group_/)]);
    expect(primary.output?.cache_endpoint?.value).toBe(ref("aws_elasticache_replication_group", logical, "configuration_endpoint_address"));
  });

  it("exists in the standby at the standby size, so failover is a resize", () => {
    const size = production.disasterRecovery!.standby!.cache!;
    expect(listOf(standby, "aws_elasticache_replication_group")).toEqual([
      expect.objectContaining({ node_type: size.nodeType, replicas_per_node_group: size.replicasPerShard }),
    ]);
  });
});

describe("dev and staging Redis", () => {
  it("dev: one cache.t4g.small node, no cluster mode, no failover", () => {
    const [, redis] = group(development, "lma-dev-redis");
    expect(redis).toMatchObject({
      node_type: "cache.t4g.small",
      cluster_mode: "disabled",
      num_cache_clusters: 1,
      automatic_failover_enabled: false,
      multi_az_enabled: false,
      transit_encryption_mode: "required",
      at_rest_encryption_enabled: "true",
    });
    const [, parameters] = only(development, "aws_elasticache_parameter_group");
    expect(parameters.parameter).toEqual([{ name: "maxmemory-policy", value: "allkeys-lru" }]);
  });

  it("staging: cluster mode like production, one shard with one replica, failover", () => {
    const [, redis] = group(stagingJson, "lma-staging-redis");
    expect(redis).toMatchObject({
      node_type: "cache.r6g.large",
      cluster_mode: "enabled",
      num_node_groups: staging.cache.shards,
      replicas_per_node_group: staging.cache.replicasPerShard,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
    });
    expect(staging.cache).toMatchObject({ clusterMode: true, shards: 1, replicasPerShard: 1 });
  });
});

describe("RedisCache", () => {
  const setup = () => {
    const stack = new TerraformStack(Testing.app(), "cache");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    const naming = new Naming("production", "us-east-1", production.accountId);
    const key = new KmsKey(stack, "key", { naming, alias: "data", description: "test" });
    const securityGroup = new SecurityGroup(stack, "sg", { naming, name: "cache", description: "cache", vpcId: "vpc-1" });
    return { stack, naming, key, securityGroup };
  };

  it("refuses cluster mode without replicas (ElastiCache requires automatic failover there)", () => {
    const { stack, naming, key, securityGroup } = setup();
    expect(
      () =>
        new RedisCache(stack, "cache", {
          naming,
          engineVersion: production.cache.engineVersion,
          nodeType: production.cache.nodeType,
          clusterMode: true,
          replicasPerShard: 0,
          multiAz: false,
          subnetGroupName: "subnets",
          securityGroup,
          storageKey: key,
          logsKey: key,
          logRetentionDays: 30,
          maintenanceWindow: "sun:07:00-sun:11:00",
          snapshotWindow: "05:00-06:00",
        }),
    ).toThrow(/cluster mode needs at least one replica per shard/);
  });
});
