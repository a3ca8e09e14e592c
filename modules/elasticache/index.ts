import { ElasticacheParameterGroup } from "@cdktf/provider-aws/lib/elasticache-parameter-group";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheUser } from "@cdktf/provider-aws/lib/elasticache-user";
import { ElasticacheUserGroup } from "@cdktf/provider-aws/lib/elasticache-user-group";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import type { CacheConfig } from "../../environments/types";
import { type GrantableRole, grantInlinePolicy } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import { tagComponent } from "../../lib/tags";
import type { KmsKey } from "../kms-key";
import { LogGroup } from "../log-group";
import type { Connections, IConnectable, SecurityGroup } from "../security-group";

export interface RedisCacheProps {
  readonly naming: Naming;
  /** Node type, cluster mode, shards, replicas, Multi-AZ, snapshots: the environment's `cache` block. */
  readonly config: CacheConfig;
  /** Name suffix: the replication group is `lma-<environment>-<name>`. @default "redis" */
  readonly name?: string;
  /** The data subnets' cache subnet group (`Vpc.cacheSubnetGroupName`). */
  readonly subnetGroupName: string;
  /** Bring-your-own security group (the SecurityGroupChain's `cache`); exposed as `connections`. */
  readonly securityGroup: SecurityGroup;
  /** Encrypts data at rest and snapshots. */
  readonly storageKey: KmsKey;
  /** Encrypts the slow-log and engine-log groups. */
  readonly logsKey: KmsKey;
  readonly logRetentionDays: number;
  /**
   * Eviction policy when memory is full.
   * @default "allkeys-lru" (SPEC: LRU eviction; the cache holds only re-computable data)
   */
  readonly maxmemoryPolicy?: string;
  /**
   * Commands the application user may run (Redis ACL syntax, after `on`).
   * @default "~* &* +@all -@admin -flushall -flushdb" (every key and channel; no administration
   * and no wiping the cache from a compromised task)
   */
  readonly applicationAccess?: string;
  /** Daily snapshot window (UTC). @default "02:00-03:00" (quiet in the US and before Europe's day) */
  readonly snapshotWindow?: string;
  /** Weekly maintenance window (UTC), not overlapping the snapshot window. @default "sun:05:30-sun:06:30" */
  readonly maintenanceWindow?: string;
  /**
   * Keep `<id>-final` when the replication group is deleted.
   * @default true (the snapshot costs little; a restore may save a cold start under load)
   */
  readonly finalSnapshot?: boolean;
}

/**
 * Redis 7 on ElastiCache as a replication group: cluster mode with shards and replicas per shard
 * (or one primary and replicas without it), Multi-AZ with automatic failover, KMS at rest, TLS
 * required in transit, RBAC authentication with IAM (no password exists anywhere), an LRU
 * parameter group, daily snapshots and a final snapshot, slow and engine logs to KMS log groups.
 */
export class RedisCache extends Construct implements IConnectable {
  readonly replicationGroup: ElasticacheReplicationGroup;
  readonly parameterGroup: ElasticacheParameterGroup;
  readonly userGroup: ElasticacheUserGroup;
  /** The RBAC user applications connect as (IAM authentication; `userId` = `userName`). */
  readonly applicationUser: ElasticacheUser;
  readonly connections: Connections;
  private readonly clusterMode: boolean;

  constructor(scope: Construct, id: string, props: RedisCacheProps) {
    super(scope, id);
    tagComponent(this, "cache");
    const { naming, config } = props;
    this.clusterMode = config.clusterMode;
    this.connections = props.securityGroup.connections;
    const groupId = naming.name(props.name ?? "redis");
    const replicated = config.replicasPerShard > 0;
    if (config.clusterMode && !replicated) {
      throw new Error(`${groupId}: cluster mode needs at least one replica per shard (automatic failover is mandatory)`);
    }
    if (config.multiAz && !replicated) throw new Error(`${groupId}: Multi-AZ needs at least one replica`);
    const major = config.engineVersion.split(".")[0]!;

    this.parameterGroup = new ElasticacheParameterGroup(this, "parameters", {
      name: `${groupId}${major}${config.clusterMode ? "-cluster" : ""}`,
      family: `redis${major}`,
      description: `Redis ${major}, ${props.maxmemoryPolicy ?? "allkeys-lru"} eviction${config.clusterMode ? ", cluster mode" : ""}`,
      parameter: [
        { name: "maxmemory-policy", value: props.maxmemoryPolicy ?? "allkeys-lru" },
        // The cluster-enabled flag must match the replication group's cluster mode.
        ...(config.clusterMode ? [{ name: "cluster-enabled", value: "yes" }] : []),
      ],
      lifecycle: { createBeforeDestroy: true },
    });

    // RBAC needs a user named "default" in every group; this one is switched off, so a client
    // that does not authenticate as the application user gets nothing.
    const disabledDefault = new ElasticacheUser(this, "default-user", {
      userId: `${groupId}-default`,
      userName: "default",
      engine: "redis",
      accessString: "off -@all",
      authenticationMode: { type: "no-password-required" },
    });
    this.applicationUser = new ElasticacheUser(this, "application-user", {
      // IAM authentication requires the user id and name to be the same.
      userId: `${groupId}-app`,
      userName: `${groupId}-app`,
      engine: "redis",
      accessString: `on ${props.applicationAccess ?? "~* &* +@all -@admin -flushall -flushdb"}`,
      authenticationMode: { type: "iam" },
    });
    this.userGroup = new ElasticacheUserGroup(this, "user-group", {
      userGroupId: groupId,
      engine: "redis",
      userIds: [disabledDefault.userId, this.applicationUser.userId],
    });

    const slowLog = new LogGroup(this, "slow-log", {
      naming,
      name: ["elasticache", props.name ?? "redis", "slow-log"],
      kmsKey: props.logsKey,
      retentionInDays: props.logRetentionDays,
    });
    const engineLog = new LogGroup(this, "engine-log", {
      naming,
      name: ["elasticache", props.name ?? "redis", "engine-log"],
      kmsKey: props.logsKey,
      retentionInDays: props.logRetentionDays,
    });

    const finalSnapshot = props.finalSnapshot ?? true;
    this.replicationGroup = new ElasticacheReplicationGroup(this, "replication-group", {
      replicationGroupId: groupId,
      description: `Redis ${config.engineVersion} cache of ${naming.prefix}`,
      engine: "redis",
      engineVersion: config.engineVersion,
      nodeType: config.nodeType,
      port: 6379,
      parameterGroupName: this.parameterGroup.name,
      ...(config.clusterMode
        ? { clusterMode: "enabled", numNodeGroups: config.shards, replicasPerNodeGroup: config.replicasPerShard }
        : { clusterMode: "disabled", numCacheClusters: 1 + config.replicasPerShard }),
      automaticFailoverEnabled: replicated,
      multiAzEnabled: config.multiAz,
      subnetGroupName: props.subnetGroupName,
      securityGroupIds: [props.securityGroup.id],
      atRestEncryptionEnabled: "true",
      kmsKeyId: props.storageKey.arn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      userGroupIds: [this.userGroup.userGroupId],
      snapshotRetentionLimit: config.snapshotRetentionDays,
      snapshotWindow: props.snapshotWindow ?? "02:00-03:00",
      finalSnapshotIdentifier: finalSnapshot ? `${groupId}-final` : undefined,
      maintenanceWindow: props.maintenanceWindow ?? "sun:05:30-sun:06:30",
      autoMinorVersionUpgrade: "true",
      applyImmediately: false,
      logDeliveryConfiguration: [
        { destinationType: "cloudwatch-logs", destination: slowLog.name, logFormat: "json", logType: "slow-log" },
        { destinationType: "cloudwatch-logs", destination: engineLog.name, logFormat: "json", logType: "engine-log" },
      ],
    });
  }

  /** Configuration endpoint (cluster mode) or primary endpoint: what clients connect to. */
  get endpoint(): string {
    return this.clusterMode
      ? this.replicationGroup.configurationEndpointAddress
      : this.replicationGroup.primaryEndpointAddress;
  }

  /**
   * Lets `role` authenticate to the cache as the application user with an IAM token
   * (`elasticache:Connect` on this replication group and that user only).
   */
  grantConnect(role: GrantableRole): IamRolePolicy {
    return grantInlinePolicy(this, role, "elasticache-connect", [
      {
        Sid: "ConnectWithIamToken",
        Effect: "Allow",
        Action: "elasticache:Connect",
        Resource: [this.replicationGroup.arn, this.applicationUser.arn],
      },
    ]);
  }
}
