import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import { staging } from "../../../environments/staging";
import type { EnvironmentConfig } from "../../../environments/types";
import { weeklyWindowUtc } from "../../../lib/maintenance";
import { MASTER_SECRET_ROTATION_FUNCTION } from "../../../stacks/data-store-props";
import { dailyWindow, overlaps, weeklyWindow } from "../../../tooling/apply-rules/windows";
import { listOf, synthRegional } from "../../support/synth";
import { keyArnRef, matching, only, ref, statementsOf } from "../s3/support";

const primary = synthRegional(production, 0).json;
const standby = synthRegional(production, 1).json;
const development = synthRegional(dev, 0).json;
const stagingJson = synthRegional(staging, 0).json;
// Failover: the standby region becomes the active one (environments/production.ts disasterRecovery).
const promoted = synthRegional(
  { ...production, disasterRecovery: { ...production.disasterRecovery, activeRegion: production.regions[1]!.region } } as EnvironmentConfig,
  1,
).json;

const instance = (json: typeof primary, identifier: string) =>
  only(json, "aws_db_instance", (body) => body.identifier === identifier);

describe("production's PostgreSQL primary", () => {
  const [logical, db] = instance(primary, "lma-production-postgres");

  it("has production's configured class and storage: db.r6g.xlarge, 500 GB io2 with 12,000 IOPS, autoscaling to 2 TB", () => {
    expect(db).toMatchObject({
      engine: "postgres",
      engine_version: production.database.engineVersion,
      instance_class: "db.r6g.xlarge",
      allocated_storage: 500,
      storage_type: "io2",
      iops: 12000,
      max_allocated_storage: 2000,
    });
  });

  it("is Multi-AZ with 35 days of backups (PITR) that survive the instance", () => {
    expect(db).toMatchObject({ multi_az: true, backup_retention_period: 35, delete_automated_backups: false });
  });

  it("is maintained in the main window of production's maintenance table, and backs up outside it", () => {
    const { windows, timeZone } = production.maintenance;
    expect(db.maintenance_window).toBe(weeklyWindowUtc(windows[0]!, timeZone));
    expect(overlaps(dailyWindow(db.backup_window)!, weeklyWindow(db.maintenance_window)!)).toBe(false);
  });

  it("cannot be deleted by accident: deletion protection, prevent_destroy, a final snapshot", () => {
    expect(db).toMatchObject({
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "lma-production-postgres-final",
      lifecycle: { prevent_destroy: true },
      copy_tags_to_snapshot: true,
    });
  });

  it("encrypts storage and Performance Insights with the data key", () => {
    expect(db).toMatchObject({
      storage_encrypted: true,
      kms_key_id: keyArnRef(primary, "lma-production-data"),
      performance_insights_enabled: true,
      performance_insights_kms_key_id: keyArnRef(primary, "lma-production-data"),
    });
  });

  it("takes its master password write-only from a generated local that also fills the master secret, never RDS's managed mode", () => {
    expect(db.manage_master_user_password).toBeUndefined();
    expect(db.password).toBeUndefined();
    expect(db.password_wo).toMatch(/^\$\{local\.database_master-password_[A-F0-9]+\}$/);
    expect(db.password_wo_version).toBe(1);
    const local = db.password_wo.slice(2, -1).replace(/^local\./, "");
    expect(primary.locals?.[local]).toMatch(/uuid\(\)/);
    const [secretName, secret] = only(primary, "aws_secretsmanager_secret", (body) => body.name === "lma-production/postgres/master");
    expect(secret).toMatchObject({ kms_key_id: keyArnRef(primary, "lma-production-secrets"), recovery_window_in_days: 30, lifecycle: { prevent_destroy: true } });
    const [, value] = only(primary, "aws_secretsmanager_secret_version", (body) => body.secret_id === ref("aws_secretsmanager_secret", secretName, "id"));
    expect(value.secret_string).toBeUndefined();
    expect(value.secret_string_wo).toContain(`"password" = ${db.password_wo.slice(2, -1)}`);
    expect(value.secret_string_wo_version).toBe(db.password_wo_version);
  });

  it("rotates the master secret with the platform's pinned rotation function, which alone may reach the database for it", () => {
    const [secretName] = only(primary, "aws_secretsmanager_secret", (body) => body.name === "lma-production/postgres/master");
    const [functionName, fn] = only(primary, "aws_lambda_function", (body) => body.function_name === `lma-production-${MASTER_SECRET_ROTATION_FUNCTION}`);
    expect(fn.s3_key).toBe(`lambda/${MASTER_SECRET_ROTATION_FUNCTION}/${production.release.functions[MASTER_SECRET_ROTATION_FUNCTION]}.zip`);
    expect(fn.memory_size).toBe(production.functions[MASTER_SECRET_ROTATION_FUNCTION]!.memoryMiB);
    const [, rotation] = only(primary, "aws_secretsmanager_secret_rotation", (body) => body.secret_id === ref("aws_secretsmanager_secret", secretName, "id"));
    expect(rotation.rotation_lambda_arn).toBe(ref("aws_lambda_function", functionName, "arn"));
    expect(rotation.rotation_rules.automatically_after_days).toBeLessThanOrEqual(90);
    const [, permission] = only(primary, "aws_lambda_permission", (body) => body.function_name === ref("aws_lambda_function", functionName, "function_name"));
    expect(permission).toMatchObject({ principal: "secretsmanager.amazonaws.com", source_arn: ref("aws_secretsmanager_secret", secretName, "arn") });
    const [, policy] = only(primary, "aws_iam_role_policy", (body) => body.role === ref("aws_iam_role", fn.role.slice(2, -1).split(".")[1]!, "name"));
    const rotate = statementsOf(policy.policy).find((statement) => statement.Sid === "RotateOwnSecret");
    expect(rotate?.Resource).toBe(ref("aws_secretsmanager_secret", secretName, "arn"));
  });

  it("is private, IAM-authenticated, monitored every 15 s and exports its logs", () => {
    expect(db).toMatchObject({
      publicly_accessible: false,
      iam_database_authentication_enabled: true,
      monitoring_interval: 15,
      enabled_cloudwatch_logs_exports: ["postgresql", "upgrade"],
      ca_cert_identifier: "rds-ca-rsa2048-g1",
      // The major is pinned; RDS applies minors in the maintenance window (docs/version-policy.md).
      auto_minor_version_upgrade: true,
    });
    expect(db.vpc_security_group_ids).toEqual([expect.stringMatching(/^\$\{aws_security_group\.security-groups_database_group_/)]);
  });

  it("exports into KMS log groups created before it, so RDS never creates them unencrypted", () => {
    for (const log of ["postgresql", "upgrade"]) {
      const [groupName, group] = only(primary, "aws_cloudwatch_log_group", (body) => body.name === `/aws/rds/instance/lma-production-postgres/${log}`);
      expect(group).toMatchObject({ kms_key_id: keyArnRef(primary, "lma-production-logs"), retention_in_days: production.logRetentionDays });
      expect(db.depends_on).toContain(`aws_cloudwatch_log_group.${groupName}`);
    }
  });

  it("uses a postgres16 parameter group that forces TLS 1.2+ and logs connections and slow statements", () => {
    const [groupName, group] = only(primary, "aws_db_parameter_group", (body) => body.name === "lma-production-postgres16");
    expect(db.parameter_group_name).toBe(ref("aws_db_parameter_group", groupName, "name"));
    expect(group.family).toBe("postgres16");
    const values = Object.fromEntries(group.parameter.map((p: { name: string; value: string }) => [p.name, p.value]));
    expect(values).toMatchObject({
      "rds.force_ssl": "1",
      ssl_min_protocol_version: "TLSv1.2",
      log_connections: "1",
      log_disconnections: "1",
      log_min_duration_statement: "500",
      "pgaudit.log": production.database.auditLog.join(","),
      "pgaudit.role": "rds_pgaudit",
    });
    expect(values.shared_preload_libraries.split(",")).toContain("pgaudit");
    const preload = group.parameter.find((p: { name: string }) => p.name === "shared_preload_libraries");
    expect(preload.apply_method).toBe("pending-reboot");
  });

  it("keeps the exported server log, where pgaudit writes, as protected as the database", () => {
    const [, group] = only(primary, "aws_cloudwatch_log_group", (body) => body.name === "/aws/rds/instance/lma-production-postgres/postgresql");
    expect(group.lifecycle).toEqual({ prevent_destroy: true });
  });

  it("has an enhanced-monitoring role trusted only by RDS monitoring for this account", () => {
    const [roleName, role] = only(primary, "aws_iam_role", (body) => body.name === "lma-production-use1-postgres-monitoring");
    expect(db.monitoring_role_arn).toBe(ref("aws_iam_role", roleName, "arn"));
    expect(statementsOf(role.assume_role_policy)).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "monitoring.rds.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": production.accountId } },
      },
    ]);
    const attachments = matching(primary, "aws_iam_role_policy_attachment", (body) => body.role === ref("aws_iam_role", roleName, "name"));
    expect(attachments.map(([, body]) => body.policy_arn)).toEqual(["arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"]);
  });

  it("has the configured in-region read replicas, fed by the primary, as monitored and encrypted as it", () => {
    const replicas = listOf(primary, "aws_db_instance").filter((body) => body.replicate_source_db !== undefined);
    expect(replicas).toHaveLength(production.database.readReplicas);
    expect(replicas[0]).toMatchObject({
      identifier: "lma-production-postgres-replica-1",
      replicate_source_db: ref("aws_db_instance", logical, "identifier"),
      instance_class: "db.r6g.xlarge",
      storage_type: "io2",
      iops: 12000,
      performance_insights_kms_key_id: keyArnRef(primary, "lma-production-data"),
      iam_database_authentication_enabled: true,
      publicly_accessible: false,
      skip_final_snapshot: true,
      backup_retention_period: 0,
      storage_encrypted: true,
      kms_key_id: keyArnRef(primary, "lma-production-data"),
      deletion_protection: true,
      lifecycle: { prevent_destroy: true },
    });
    expect(replicas[0]!.password_wo).toBeUndefined();
  });

  it("lets the scheduled jobs connect as their own database user on the writer and the replica, in their role's policy", () => {
    const [, policy] = only(primary, "aws_iam_role_policy", (body) => /^\$\{aws_iam_role\.functions_scheduled-jobs_role_/.test(body.role));
    const replica = instance(primary, "lma-production-postgres-replica-1")[0];
    const connect = statementsOf(policy.policy).filter((candidate) => candidate.Action === "rds-db:connect");
    expect(connect).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Resource: [
          `arn:aws:rds-db:us-east-1:${production.accountId}:dbuser:${ref("aws_db_instance", logical, "resource_id")}/scheduled_jobs`,
          `arn:aws:rds-db:us-east-1:${production.accountId}:dbuser:${ref("aws_db_instance", replica, "resource_id")}/scheduled_jobs`,
        ],
      }),
    ]);
  });

  it("outputs the endpoint, the port and the master secret's ARN", () => {
    expect(primary.output?.database_endpoint?.value).toBe(ref("aws_db_instance", logical, "endpoint"));
    expect(primary.output?.database_port?.value).toBe(ref("aws_db_instance", logical, "port"));
    const [secretName] = only(primary, "aws_secretsmanager_secret", (body) => body.name === "lma-production/postgres/master");
    expect(primary.output?.database_master_secret_arn?.value).toBe(ref("aws_secretsmanager_secret", secretName, "arn"));
  });
});

describe("production's cross-region replica in eu-west-1", () => {
  const [, replica] = instance(standby, "lma-production-postgres");

  it("replicates the primary named by the convention, encrypted with the standby region's own data key", () => {
    expect(replica).toMatchObject({
      replicate_source_db: `arn:aws:rds:us-east-1:${production.accountId}:db:lma-production-postgres`,
      storage_encrypted: true,
      kms_key_id: keyArnRef(standby, "lma-production-data"),
      performance_insights_kms_key_id: keyArnRef(standby, "lma-production-data"),
      deletion_protection: true,
      lifecycle: { prevent_destroy: true },
    });
    expect(replica.db_subnet_group_name).toMatch(/^\$\{aws_db_subnet_group\./);
  });

  it("carries no master secret, engine or size of its own (they come from the source)", () => {
    expect(replica.manage_master_user_password).toBeUndefined();
    expect(replica.password_wo).toBeUndefined();
    const [standbySecret] = only(standby, "aws_secretsmanager_secret", (body) => body.name === "lma-production/postgres/master");
    expect(matching(standby, "aws_secretsmanager_secret_rotation", (body) => body.secret_id === ref("aws_secretsmanager_secret", standbySecret, "id"))).toEqual([]);
    expect(replica.engine).toBeUndefined();
    expect(replica.allocated_storage).toBeUndefined();
  });

  it("is the only database there: no in-region replicas of a replica", () => {
    expect(listOf(standby, "aws_db_instance")).toHaveLength(1);
    expect(standby.output?.database_master_secret_arn).toBeUndefined();
  });

  it("promotes by configuration: no source, Multi-AZ, 35 days of backups, a new master password in a rotated secret in eu-west-1", () => {
    const [, db] = instance(promoted, "lma-production-postgres");
    expect(db.replicate_source_db).toBeUndefined();
    expect(db).toMatchObject({ multi_az: true, backup_retention_period: 35, password_wo_version: 1 });
    expect(db.password_wo).toMatch(/^\$\{local\./);
    const [secretName, secret] = only(promoted, "aws_secretsmanager_secret", (body) => body.name === "lma-production/postgres/master");
    expect(secret.kms_key_id).toBe(keyArnRef(promoted, "lma-production-secrets"));
    only(promoted, "aws_secretsmanager_secret_rotation", (body) => body.secret_id === ref("aws_secretsmanager_secret", secretName, "id"));
  });
});

describe("dev's PostgreSQL: the cheap settings, chosen in configuration", () => {
  const [, db] = instance(development, "lma-dev-postgres");

  it("is db.t4g.medium, 100 GB gp3, single-AZ, 7 days of backups", () => {
    expect(db).toMatchObject({
      instance_class: "db.t4g.medium",
      allocated_storage: 100,
      storage_type: "gp3",
      max_allocated_storage: 200,
      multi_az: false,
      backup_retention_period: 7,
    });
    expect(db.iops).toBeUndefined();
  });

  it("can be deleted without a final snapshot, and has only the configured replicas", () => {
    expect(db).toMatchObject({ deletion_protection: false, skip_final_snapshot: true, lifecycle: { prevent_destroy: false } });
    expect(db.final_snapshot_identifier).toBeUndefined();
    expect(listOf(development, "aws_db_instance")).toHaveLength(1 + dev.database.readReplicas);
  });

  it("keeps every security control of production", () => {
    expect(db).toMatchObject({
      storage_encrypted: true,
      password_wo_version: 1,
      iam_database_authentication_enabled: true,
      performance_insights_enabled: true,
      publicly_accessible: false,
    });
  });
});

describe("staging's PostgreSQL", () => {
  it("is db.r6g.large, 500 GB gp3, Multi-AZ, 14 days of backups, protected", () => {
    const [, db] = instance(stagingJson, "lma-staging-postgres");
    expect(db).toMatchObject({
      instance_class: "db.r6g.large",
      allocated_storage: 500,
      storage_type: "gp3",
      multi_az: true,
      backup_retention_period: 14,
      deletion_protection: true,
      lifecycle: { prevent_destroy: true },
    });
  });
});
