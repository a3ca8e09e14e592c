import { RedisCache } from "../../../modules/elasticache";
import { exposeBinding, type Fixture, ingressFromClient, output, policyOf, synthDataStore } from "../s3/data-store-fixture";

const REDIS_PORT = 6379;

/** A cache with every optional prop at its default. */
function cache(fixture: Fixture): RedisCache {
  return new RedisCache(fixture.scope, "cache", {
    naming: fixture.naming,
    engineVersion: "7.1",
    nodeType: "cache.t4g.small",
    subnetGroupName: "data",
    securityGroup: fixture.securityGroup("cache", REDIS_PORT),
    storageKey: fixture.key("data"),
    logsKey: fixture.key("logs"),
    logRetentionDays: 30,
    maintenanceWindow: "sun:07:00-sun:11:00",
    snapshotWindow: "05:00-06:00",
  });
}

describe("RedisCache.bind", () => {
  const { json, built } = synthDataStore((fixture) => {
    const store = cache(fixture);
    const client = fixture.client("trade");
    const binding = store.bind(client);
    exposeBinding(fixture, store, client, binding);
    fixture.expose("endpoint", store.endpoint);
    fixture.expose("connect_resources", [store.replicationGroup.arn, store.applicationUser.arn]);
    return { binding, again: store.bind(client) };
  });

  it("admits the client's group on the Redis port", () => {
    expect(ingressFromClient(json)).toEqual([expect.objectContaining({ from_port: REDIS_PORT, to_port: REDIS_PORT })]);
  });

  it("tells the client the endpoint only (IAM authentication: no password to inject)", () => {
    expect(output(json, "environment")).toEqual({ CACHE_ENDPOINT: output(json, "endpoint") });
    expect(output(json, "secrets")).toEqual({});
  });

  it("grants elasticache:Connect on the group and the application user only, in the task role's policy", () => {
    const granted = output(json, "granted");
    expect(granted).toEqual([
      expect.objectContaining({ Effect: "Allow", Action: "elasticache:Connect", Resource: output(json, "connect_resources") }),
    ]);
    expect(policyOf(json, "task_role")).toEqual(granted);
  });

  it("merges a repeated bind into the same statement", () => {
    expect(policyOf(json, "task_role")).toHaveLength(built.again.grants.flatMap((grant) => grant.statements).length);
  });
});

describe("RedisCache defaults", () => {
  it("are highly available: one replica, Multi-AZ, automatic failover, snapshots kept", () => {
    const { json } = synthDataStore((fixture) => cache(fixture));
    const [group] = Object.values(json.resource.aws_elasticache_replication_group ?? {});
    expect(group).toMatchObject({ num_cache_clusters: 2, multi_az_enabled: true, automatic_failover_enabled: true });
    expect(group!.snapshot_retention_limit).toBeGreaterThan(0);
  });
});
