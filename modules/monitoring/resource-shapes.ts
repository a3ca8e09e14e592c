/**
 * CloudWatch names and limits that AWS derives from a resource's shape rather than reporting
 * through a Terraform attribute: computed here, so the alarms need no data source (and the stacks
 * still plan offline).
 */

export interface ReplicationGroupShape {
  readonly replicationGroupId: string;
  readonly clusterMode: boolean;
  /** Node groups; 1 without cluster mode. */
  readonly shards: number;
  readonly replicasPerShard: number;
}

/**
 * The member clusters ElastiCache creates for a replication group, which its metrics carry as
 * `CacheClusterId`: `<group>-<shard:4>-<node:3>` with cluster mode (`lma-production-redis-0001-001`),
 * `<group>-<node:3>` without (`lma-production-redis-001`); node 1 is the first primary.
 */
export function redisNodeIds(shape: ReplicationGroupShape): string[] {
  const nodes = Array.from({ length: 1 + shape.replicasPerShard }, (_, index) => String(index + 1).padStart(3, "0"));
  if (!shape.clusterMode) {
    if (shape.shards !== 1) throw new Error(`${shape.replicationGroupId}: ${shape.shards} shards need cluster mode`);
    return nodes.map((node) => `${shape.replicationGroupId}-${node}`);
  }
  return Array.from({ length: shape.shards }, (_, index) => String(index + 1).padStart(4, "0")).flatMap((shard) =>
    nodes.map((node) => `${shape.replicationGroupId}-${shard}-${node}`),
  );
}

/** Memory of each Amazon MQ broker instance type, GiB (the EC2 instance behind it). */
const BROKER_MEMORY_GIB: Readonly<Record<string, number>> = {
  "mq.t3.micro": 1,
  "mq.m5.large": 8,
  "mq.m5.xlarge": 16,
  "mq.m5.2xlarge": 32,
  "mq.m5.4xlarge": 64,
  "mq.m7g.medium": 4,
  "mq.m7g.large": 8,
  "mq.m7g.xlarge": 16,
  "mq.m7g.2xlarge": 32,
  "mq.m7g.4xlarge": 64,
  "mq.m7g.8xlarge": 128,
  "mq.m7g.12xlarge": 192,
  "mq.m7g.16xlarge": 256,
};

/**
 * RabbitMQ's memory high-water mark in bytes: the point where it blocks publishers. Amazon MQ
 * keeps RabbitMQ's default `vm_memory_high_watermark` (not configurable there), 0.4 of the node's
 * memory up to RabbitMQ 3.x and 0.6 from 4.0.
 */
export function rabbitMqMemoryLimitBytes(instanceType: string, engineVersion: string): number {
  const memoryGiB = BROKER_MEMORY_GIB[instanceType];
  if (memoryGiB === undefined) {
    throw new Error(`no memory size known for Amazon MQ instance type "${instanceType}" (known: ${Object.keys(BROKER_MEMORY_GIB).join(", ")})`);
  }
  const major = Number.parseInt(engineVersion, 10);
  const watermark = major >= 4 ? 0.6 : 0.4;
  return Math.round(memoryGiB * 1024 ** 3 * watermark);
}
