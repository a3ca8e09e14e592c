import { OFFERED_MINOR_VERSIONS } from "../engine-versions";
import { type ResourceRef, literal, numeric, providerAccount, referenced, regionOf, reporter, resources, truthy } from "../terraform-json";
import type { Rule, StackJson } from "../types";
import { dailyWindow, durationMinutes, overlaps, weeklyWindow } from "../windows";

const engineVersionOffered: Rule = {
  id: "rds-engine-version-offered",
  description:
    "A DB instance pins either a major version with automatic minor upgrades on, or a minor version AWS still offers (OFFERED_MINOR_VERSIONS); AWS refuses to create instances on retired minors.",
  source:
    "Amazon RDS User Guide, Upgrading a DB instance engine version > Automatic minor version upgrades, and Supported DB engines > minor version end of standard support: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.Upgrading.html",
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_db_instance").flatMap(({ address, body }) => {
      const engine = literal(body.engine);
      const version = literal(body.engine_version);
      if (!engine || !version || body.replicate_source_db !== undefined) return [];
      const [major] = version.split(".");
      const autoMinor = body.auto_minor_version_upgrade === undefined || truthy(body.auto_minor_version_upgrade);
      if (version === major) {
        return autoMinor ? [] : [report(address, `engine_version "${version}" pins only the major but auto_minor_version_upgrade is false: the instance would stay on whatever minor AWS picks until it retires`)];
      }
      const offered = OFFERED_MINOR_VERSIONS.engines[engine]?.[major!] ?? [];
      if (offered.includes(version)) return [];
      return [
        report(
          address,
          `${engine} ${version} is not an offered minor (checked ${OFFERED_MINOR_VERSIONS.checkedOn}: ${offered.join(", ") || "none listed"}); pin the major "${major}" with auto_minor_version_upgrade = true, or an offered minor`,
        ),
      ];
    });
  },
};

/** The source instance a replica names, by reference in its own stack or by identifier/ARN anywhere. */
function sourceOf(replicaStack: StackJson, replica: ResourceRef, sources: readonly { stack: StackJson; resource: ResourceRef }[]) {
  const value = replica.body.replicate_source_db;
  const reference = referenced(replicaStack, value);
  if (reference) return sources.find(({ stack, resource }) => stack === replicaStack && resource.address === reference.address);
  const text = literal(value);
  if (!text) return undefined;
  if (!text.startsWith("arn:")) return sources.find(({ stack, resource }) => stack === replicaStack && literal(resource.body.identifier) === text);
  // arn:aws:rds:<region>:<account>:db:<identifier>
  const [, , , region, account, , identifier] = text.split(":");
  return sources.find(
    ({ stack, resource }) =>
      literal(resource.body.identifier) === identifier && regionOf(stack, resource.body) === region && providerAccount(stack) === account,
  );
}

function everyInstance(stacks: Iterable<StackJson>) {
  return [...stacks].flatMap((stack) => resources(stack, "aws_db_instance").map((resource) => ({ stack, resource })));
}

const managedPasswordReplicas: Rule = {
  id: "rds-managed-password-without-replicas",
  description:
    "RDS does not create a read replica of a source whose master password Secrets Manager manages (manage_master_user_password), for every engine but SQL Server.",
  source:
    "Amazon RDS User Guide, Password management with Amazon RDS and AWS Secrets Manager > Limitations: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html",
  check({ json, context }) {
    const report = reporter(this.id);
    const all = everyInstance(new Set([...context.stacks.values(), json]));
    return resources(json, "aws_db_instance").flatMap((source) => {
      if (!truthy(source.body.manage_master_user_password) || literal(source.body.engine)?.startsWith("sqlserver")) return [];
      const replicas = all.filter(
        ({ stack, resource }) => {
          const found = resource.body.replicate_source_db === undefined ? undefined : sourceOf(stack, resource, all);
          return found?.stack === json && found.resource.address === source.address;
        },
      );
      return replicas.map(({ stack, resource }) =>
        report(
          source.address,
          `manage_master_user_password is true, so RDS refuses to create its replica ${literal(resource.body.identifier) ?? resource.address} in ${regionOf(stack, resource.body)}`,
        ),
      );
    });
  },
};

const crossRegionReplicaKey: Rule = {
  id: "rds-cross-region-replica-kms-key",
  description: "An encrypted read replica in another Region names a KMS key of its own Region (kms_key_id); the source's key cannot cross Regions.",
  source:
    "Amazon RDS API Reference, CreateDBInstanceReadReplica, KmsKeyId: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstanceReadReplica.html",
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_db_instance").flatMap(({ address, body }) => {
      const source = literal(body.replicate_source_db);
      if (!source?.startsWith("arn:") || body.kms_key_id !== undefined) return [];
      return [report(address, `replicates ${source} across Regions without kms_key_id; an encrypted source's replica needs a key in its own Region`)];
    });
  },
};

const performanceInsightsRetention: Rule = {
  id: "rds-performance-insights-retention",
  description: "Performance Insights retention is 7, 731, or a multiple of 31 up to 713 days.",
  source:
    "Amazon RDS API Reference, CreateDBInstance, PerformanceInsightsRetentionPeriod: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_db_instance").flatMap(({ address, body }) => {
      const days = numeric(body.performance_insights_retention_period);
      if (days === undefined || days === 7 || days === 731 || (days % 31 === 0 && days >= 31 && days <= 713)) return [];
      return [report(address, `performance_insights_retention_period ${days} is not 7, 731, or 31 × months (1–23)`)];
    });
  },
};

const backupMaintenanceWindows: Rule = {
  id: "rds-backup-window-outside-maintenance",
  description: "The preferred backup window is at least 30 minutes and does not overlap the maintenance window.",
  source:
    "Amazon RDS API Reference, CreateDBInstance, PreferredBackupWindow and PreferredMaintenanceWindow: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_db_instance").flatMap(({ address, body }) => {
      const backupText = literal(body.backup_window);
      const maintenanceText = literal(body.maintenance_window);
      const backup = backupText ? dailyWindow(backupText) : undefined;
      const maintenance = maintenanceText ? weeklyWindow(maintenanceText) : undefined;
      const findings = [];
      if (backupText && !backup) findings.push(report(address, `backup_window "${backupText}" is not hh24:mi-hh24:mi`));
      if (maintenanceText && !maintenance) findings.push(report(address, `maintenance_window "${maintenanceText}" is not ddd:hh24:mi-ddd:hh24:mi`));
      if (backup && durationMinutes(backup, true) < 30) findings.push(report(address, `backup_window "${backupText}" is shorter than 30 minutes`));
      if (maintenance && durationMinutes(maintenance) < 30) findings.push(report(address, `maintenance_window "${maintenanceText}" is shorter than 30 minutes`));
      if (backup && maintenance && overlaps(backup, maintenance)) {
        findings.push(report(address, `backup_window "${backupText}" overlaps maintenance_window "${maintenanceText}"`));
      }
      return findings;
    });
  },
};

const storageAutoscalingCeiling: Rule = {
  id: "rds-max-allocated-storage-above-allocated",
  description: "Storage autoscaling's maximum (max_allocated_storage) is 0 (off) or greater than the allocated storage.",
  source:
    "Amazon RDS User Guide, Managing capacity automatically with Amazon RDS storage autoscaling: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html",
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_db_instance").flatMap(({ address, body }) => {
      const maximum = numeric(body.max_allocated_storage);
      const allocated = numeric(body.allocated_storage);
      if (maximum === undefined || maximum === 0 || allocated === undefined || maximum > allocated) return [];
      return [report(address, `max_allocated_storage ${maximum} GiB is not above allocated_storage ${allocated} GiB`)];
    });
  },
};

export const RDS_RULES: readonly Rule[] = [
  engineVersionOffered,
  managedPasswordReplicas,
  crossRegionReplicaKey,
  performanceInsightsRetention,
  backupMaintenanceWindows,
  storageAutoscalingCeiling,
];
