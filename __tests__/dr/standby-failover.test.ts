import { production } from "../../environments/production";
import { dataServiceSizesOf, disasterRecoveryOf, homeRegionOf } from "../../lib/disaster-recovery";
import { STATEFUL_RESOURCE_TYPES } from "../../lib/stateful-resources";
import { listOf, resourcesOf, type SynthesizedStack } from "../support/synth";
import { standbyRegion, standbyStacks } from "./modes";

const { standby, failover, failoverConfig } = standbyStacks();
const home = homeRegionOf(production);
const databaseIdentifier = `lma-${production.name}-postgres`;
const sourceArn = `arn:aws:rds:${home}:${production.accountId}:db:${databaseIdentifier}`;

const database = (json: SynthesizedStack) => listOf(json, "aws_db_instance").find((instance) => instance.identifier === databaseIdentifier)!;
/** Resources of `type` that refer to the database's master secret (other stores have secrets of their own). */
const ofMasterSecret = (json: SynthesizedStack, type: string) => {
  const [key] = Object.entries(resourcesOf(json, "aws_secretsmanager_secret")).find(([, secret]) => secret.name === `lma-${production.name}/postgres/master`)!;
  return listOf(json, type).filter((resource) => String(resource.secret_id) === `\${aws_secretsmanager_secret.${key}.id}`);
};
const only = (json: SynthesizedStack, type: string) => {
  const all = listOf(json, type);
  expect(all).toHaveLength(1);
  return all[0]!;
};

/**
 * Attributes whose change makes Terraform replace the resource (provider 5.100.0's ForceNew
 * arguments), per stateful type the standby declares; failover must not change any of them.
 */
const REPLACING_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  aws_db_instance: ["identifier", "kms_key_id", "storage_encrypted", "db_subnet_group_name", "engine", "username", "db_name", "availability_zone"],
  aws_elasticache_replication_group: ["replication_group_id", "engine", "at_rest_encryption_enabled", "kms_key_id", "subnet_group_name", "cluster_mode", "transit_encryption_enabled"],
  aws_opensearch_domain: ["domain_name", "encrypt_at_rest"],
  aws_mq_broker: ["broker_name", "deployment_mode", "engine_type", "encryption_options", "subnet_ids", "storage_type", "authentication_strategy", "publicly_accessible"],
  aws_s3_bucket: ["bucket", "object_lock_enabled"],
  aws_secretsmanager_secret: ["name"],
  aws_kms_key: ["customer_master_key_spec", "key_usage", "multi_region"],
  aws_ecr_repository: ["name"],
};

describe(`the ${standbyRegion} stack in warm standby (the committed configuration)`, () => {
  const mode = disasterRecoveryOf(production, standbyRegion);
  it("is the standby of the configuration", () => {
    expect([mode.mode, mode.capacity, mode.declares]).toEqual(["standby", "standby", "complete"]);
  });

  it("replicates the home primary's database, named by convention, encrypted with its own key, without credentials", () => {
    const replica = database(standby);
    expect(replica.replicate_source_db).toBe(sourceArn);
    expect(String(replica.kms_key_id)).toMatch(/^\$\{aws_kms_key\./);
    for (const credential of ["username", "password", "password_wo", "db_name", "manage_master_user_password"]) expect(replica[credential]).toBeUndefined();
  });

  it("copies the source's automated backups into its region with its own key", () => {
    const copy = only(standby, "aws_db_instance_automated_backups_replication");
    expect(copy).toMatchObject({ source_db_instance_arn: sourceArn, retention_period: production.database.backupRetentionDays });
    expect(copy.kms_key_id).toBe(database(standby).kms_key_id);
  });

  it("keeps a master secret without a value and a rotation function without a schedule", () => {
    expect(ofMasterSecret(standby, "aws_secretsmanager_secret_version")).toEqual([]);
    expect(ofMasterSecret(standby, "aws_secretsmanager_secret_rotation")).toEqual([]);
    expect(listOf(standby, "aws_lambda_function").map((fn) => fn.function_name)).toContain(`lma-${production.name}-postgres-rotation`);
  });

  it("runs cache, search and broker at the standby sizes, keeping the replacing attributes", () => {
    const sizes = dataServiceSizesOf(production, standbyRegion);
    expect(only(standby, "aws_elasticache_replication_group")).toMatchObject({ node_type: sizes.cache.nodeType });
    expect(only(standby, "aws_opensearch_domain").cluster_config).toMatchObject({ instance_type: sizes.search.instanceType, instance_count: sizes.search.instanceCount });
    expect(only(standby, "aws_mq_broker")).toMatchObject({ host_instance_type: sizes.messaging.instanceType, deployment_mode: production.messaging.deploymentMode });
  });

  it("keeps every scheduled job disabled", () => {
    const schedules = listOf(standby, "aws_scheduler_schedule");
    expect(schedules.length).toBe(Object.keys(production.functions["scheduled-jobs"]!.schedules ?? {}).length);
    for (const schedule of schedules) expect(schedule.state).toBe("DISABLED");
  });

  it("runs the configured standby task count per service, with the catalogue maximum as ceiling, deployed rolling", () => {
    const fixed = production.regions.find((region) => region.region === standbyRegion)!.serviceTaskCount as number;
    const services = listOf(standby, "aws_ecs_service");
    for (const service of production.services) {
      const declared = services.find((candidate) => candidate.name === `lma-${production.name}-${service.name}`)!;
      expect([service.name, declared.desired_count]).toEqual([service.name, Math.min(fixed, service.autoscaling.max)]);
      expect(declared.deployment_controller).not.toEqual(expect.objectContaining({ type: "CODE_DEPLOY" }));
    }
    expect(listOf(standby, "aws_appautoscaling_target").map((target) => target.max_capacity).sort()).toEqual(
      production.services.map((service) => service.autoscaling.max).sort(),
    );
  });
});

describe(`failover: disasterRecovery.activeRegion = ${standbyRegion}`, () => {
  it("promotes the database: no source, Multi-AZ, the environment's backups, applied immediately", () => {
    const promoted = database(failover);
    expect(promoted.replicate_source_db).toBeUndefined();
    expect(promoted).toMatchObject({ multi_az: production.database.multiAz, backup_retention_period: production.database.backupRetentionDays, apply_immediately: true });
    expect(promoted.password_wo).toBeDefined();
  });

  it("writes the new password to the region's master secret and schedules its rotation", () => {
    expect(ofMasterSecret(failover, "aws_secretsmanager_secret_version")).toHaveLength(1);
    expect(ofMasterSecret(failover, "aws_secretsmanager_secret_rotation")).toHaveLength(1);
  });

  it("runs the data services at the environment's production sizes and enables the jobs", () => {
    expect(only(failover, "aws_elasticache_replication_group")).toMatchObject({ node_type: production.cache.nodeType });
    expect(only(failover, "aws_opensearch_domain").cluster_config).toMatchObject({ instance_type: production.search.instanceType, instance_count: production.search.instanceCount });
    expect(only(failover, "aws_mq_broker")).toMatchObject({ host_instance_type: production.messaging.instanceType });
    for (const schedule of listOf(failover, "aws_scheduler_schedule")) expect(schedule.state).toBe("ENABLED");
  });

  it("runs the catalogue's counts", () => {
    const services = listOf(failover, "aws_ecs_service");
    for (const service of production.services) {
      const declared = services.find((candidate) => candidate.name === `lma-${production.name}-${service.name}`)!;
      expect([service.name, declared.desired_count]).toEqual([service.name, service.desiredCount]);
    }
  });

  it("leaves the home primary's stack as it is (the fence keeps traffic off it)", () => {
    expect(disasterRecoveryOf(failoverConfig, home)).toMatchObject({ mode: "active", fenced: true, capacity: "production" });
  });
});

describe("between standby and failover", () => {
  it("no stateful resource disappears or changes an attribute that replaces it", () => {
    const changed: string[] = [];
    for (const type of Object.keys(STATEFUL_RESOURCE_TYPES)) {
      const before = resourcesOf(standby, type);
      const after = resourcesOf(failover, type);
      for (const [name, body] of Object.entries(before)) {
        if (!after[name]) {
          changed.push(`${type}.${name} removed`);
          continue;
        }
        for (const attribute of REPLACING_ATTRIBUTES[type] ?? []) {
          if (JSON.stringify(body[attribute]) !== JSON.stringify(after[name]![attribute])) changed.push(`${type}.${name}.${attribute}`);
        }
      }
    }
    expect(changed).toEqual([]);
  });

  it("changes no IAM or Route 53 resource (their control planes are in us-east-1)", () => {
    const controlPlane = (json: SynthesizedStack) =>
      Object.fromEntries(Object.entries(json.resource ?? {}).filter(([type]) => type.startsWith("aws_iam_") || type.startsWith("aws_route53_")));
    expect(Object.keys(controlPlane(standby)).length).toBeGreaterThan(0);
    expect(controlPlane(failover)).toEqual(controlPlane(standby));
  });

  it.each([
    ["standby", standby],
    ["failover", failover],
  ])("%s mode declares no provider or data source outside the standby region", (_mode, json) => {
    const providers = (json.provider as { aws?: { region?: string; alias?: string }[] }).aws ?? [];
    expect(providers.map((provider) => provider.region)).toEqual(providers.map(() => standbyRegion));
    const dataProviders = Object.values(json.data ?? {}).flatMap((byName) => Object.values(byName as Record<string, { provider?: string }>).map((body) => body.provider));
    expect(dataProviders.filter((provider) => provider !== undefined)).toEqual([]);
  });
});
