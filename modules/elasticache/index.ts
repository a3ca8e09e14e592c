import { ElasticacheParameterGroup } from "@cdktf/provider-aws/lib/elasticache-parameter-group";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheUser } from "@cdktf/provider-aws/lib/elasticache-user";
import { ElasticacheUserGroup } from "@cdktf/provider-aws/lib/elasticache-user-group";
import { Construct } from "constructs";
import type { DataStoreBinding, DataStoreClient, IDataStore } from "../../lib/data-store";
import { Grant, type IGrantee } from "../../lib/grants";
import type { Naming } from "../../lib/naming";
import { tagComponent } from "../../lib/tags";
import type { KmsKey } from "../kms-key";
import { LogGroup } from "../log-group";
import type { Connections, IConnectable, SecurityGroup } from "../security-group";

export interface RedisCacheProps {
  readonly naming: Naming;
  /** Redis engine version, e.g. "7.1"; its major picks the parameter-group family. */
  readonly engineVersion: string;
  /** Node type, e.g. `cache.r7g.large`. */
  readonly nodeType: string;
  /** Shard the keyspace (cluster mode enabled). @default false (one primary and its replicas) */
  readonly clusterMode?: boolean;
  /** Shards (node groups), with `clusterMode` only. @default 1 */
  readonly shards?: number;
  /** Replicas per shard; at least one gives automatic failover. @default 1 */
  readonly replicasPerShard?: number;
  /** Spread primary and replicas over AZs, failing over across them. @default true (needs a replica) */
  readonly multiAz?: boolean;
  /** Days of daily snapshots kept (0 turns snapshots off). @default 7 */
  readonly snapshotRetentionDays?: number;
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
   * @default "allkeys-lru" (the cache holds only re-computable data, so the least recently used goes)
   */
  readonly maxmemoryPolicy?: string;
  /**
   * Commands the application user may run (Redis ACL syntax, after `on`).
   * @default "~* &* +@all -@admin -flushall -flushdb" (every key and channel; no administration
   * and no wiping the cache from a compromised task)
   */
  readonly applicationAccess?: string;
  /** Daily snapshot window (UTC, `hh24:mi-hh24:mi`, at least 60 minutes), outside the maintenance window. */
  readonly snapshotWindow: string;
  /** Weekly maintenance window (UTC, `ddd:hh24:mi-ddd:hh24:mi`), from the environment's maintenance table. */
  readonly maintenanceWindow: string;
  /**
   * Terraform refuses to destroy the replication group (`prevent_destroy`). ElastiCache has no
   * deletion protection of its own; the final snapshot is the other guard.
   * @default true
   */
  readonly preventDestroy?: boolean;
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
export class RedisCache extends Construct implements IConnectable, IDataStore {
  readonly storeKind = "cache";
  readonly replicationGroup: ElasticacheReplicationGroup;
  readonly parameterGroup: ElasticacheParameterGroup;
  readonly userGroup: ElasticacheUserGroup;
  /** The RBAC user applications connect as (IAM authentication; `userId` = `userName`). */
  readonly applicationUser: ElasticacheUser;
  readonly connections: Connections;
  private readonly clusterMode: boolean;
  /** The name suffix (`props.name`), which names this cache in statement ids. */
  private readonly name: string;
  /** What `grantConnect` names, read once so a repeated grant has identical content and merges. */
  private readonly connectResources: readonly string[];

  constructor(scope: Construct, id: string, props: RedisCacheProps) {
    super(scope, id);
    tagComponent(this, "cache");
    const { naming } = props;
    const clusterMode = props.clusterMode ?? false;
    const replicasPerShard = props.replicasPerShard ?? 1;
    const multiAz = props.multiAz ?? true;
    this.clusterMode = clusterMode;
    this.connections = props.securityGroup.connections;
    this.name = props.name ?? "redis";
    const groupId = naming.name(this.name);
    const replicated = replicasPerShard > 0;
    if (clusterMode && !replicated) {
      throw new Error(`${groupId}: cluster mode needs at least one replica per shard (automatic failover is mandatory)`);
    }
    if (multiAz && !replicated) throw new Error(`${groupId}: Multi-AZ needs at least one replica`);
    const major = props.engineVersion.split(".")[0]!;

    this.parameterGroup = new ElasticacheParameterGroup(this, "parameters", {
      name: `${groupId}${major}${clusterMode ? "-cluster" : ""}`,
      family: `redis${major}`,
      description: `Redis ${major}, ${props.maxmemoryPolicy ?? "allkeys-lru"} eviction${clusterMode ? ", cluster mode" : ""}`,
      parameter: [
        { name: "maxmemory-policy", value: props.maxmemoryPolicy ?? "allkeys-lru" },
        // The cluster-enabled flag must match the replication group's cluster mode.
        ...(clusterMode ? [{ name: "cluster-enabled", value: "yes" }] : []),
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
      name: ["elasticache", this.name, "slow-log"],
      kmsKey: props.logsKey,
      retentionInDays: props.logRetentionDays,
    });
    const engineLog = new LogGroup(this, "engine-log", {
      naming,
      name: ["elasticache", this.name, "engine-log"],
      kmsKey: props.logsKey,
      retentionInDays: props.logRetentionDays,
    });

    const finalSnapshot = props.finalSnapshot ?? true;
    this.replicationGroup = new ElasticacheReplicationGroup(this, "replication-group", {
      replicationGroupId: groupId,
      description: `Redis ${props.engineVersion} cache of ${naming.prefix}`,
      engine: "redis",
      engineVersion: props.engineVersion,
      nodeType: props.nodeType,
      port: 6379,
      parameterGroupName: this.parameterGroup.name,
      ...(clusterMode
        ? { clusterMode: "enabled", numNodeGroups: props.shards ?? 1, replicasPerNodeGroup: replicasPerShard }
        : { clusterMode: "disabled", numCacheClusters: 1 + replicasPerShard }),
      automaticFailoverEnabled: replicated,
      multiAzEnabled: multiAz,
      subnetGroupName: props.subnetGroupName,
      securityGroupIds: [props.securityGroup.id],
      atRestEncryptionEnabled: "true",
      kmsKeyId: props.storageKey.arn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      userGroupIds: [this.userGroup.userGroupId],
      snapshotRetentionLimit: props.snapshotRetentionDays ?? 7,
      snapshotWindow: props.snapshotWindow,
      finalSnapshotIdentifier: finalSnapshot ? `${groupId}-final` : undefined,
      maintenanceWindow: props.maintenanceWindow,
      autoMinorVersionUpgrade: "true",
      applyImmediately: false,
      logDeliveryConfiguration: [
        { destinationType: "cloudwatch-logs", destination: slowLog.name, logFormat: "json", logType: "slow-log" },
        { destinationType: "cloudwatch-logs", destination: engineLog.name, logFormat: "json", logType: "engine-log" },
      ],
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    this.connectResources = [this.replicationGroup.arn, this.applicationUser.arn];
  }

  /** Configuration endpoint (cluster mode) or primary endpoint: what clients connect to. */
  get endpoint(): string {
    return this.clusterMode
      ? this.replicationGroup.configurationEndpointAddress
      : this.replicationGroup.primaryEndpointAddress;
  }

  /**
   * Lets `grantee` authenticate to the cache as the application user with an IAM token
   * (`elasticache:Connect` on this replication group and that user only).
   */
  grantConnect(grantee: IGrantee): Grant {
    const sidPart = this.name.replace(/(^|-)([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase());
    return Grant.addToPrincipal(grantee, [
      {
        Sid: `ElastiCacheConnect${sidPart}`,
        Effect: "Allow",
        Action: "elasticache:Connect",
        Resource: this.connectResources,
      },
    ]);
  }

  /** Admits `client` on 6379, lets its task role connect with IAM, and tells it the endpoint. */
  bind(client: DataStoreClient): DataStoreBinding {
    if (client.connectable) this.connections.allowDefaultPortFrom(client.connectable);
    return { environment: { CACHE_ENDPOINT: this.endpoint }, secrets: {}, grants: [this.grantConnect(client.taskRole)] };
  }
}
