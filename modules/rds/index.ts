import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbInstanceAutomatedBackupsReplication } from "@cdktf/provider-aws/lib/db-instance-automated-backups-replication";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Fn, TerraformLocal, Token } from "cdktf";
import { Construct } from "constructs";
import type { DataStoreBinding, DataStoreClient, IDataStore } from "../../lib/data-store";
import { Grant, type IGrantee } from "../../lib/grants";
import { serviceTrustPolicy } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import { tagComponent } from "../../lib/tags";
import type { KmsKey } from "../kms-key";
import { LogGroup } from "../log-group";
import type { Connections, IConnectable, SecurityGroup } from "../security-group";
import { type MasterSecretRotationProps, SecretRotation } from "./rotation";

export type { MasterSecretRotationProps } from "./rotation";

/** PostgreSQL logs RDS can export to CloudWatch Logs; `postgresql` carries pgaudit's records. */
const LOG_EXPORTS = ["postgresql", "upgrade"] as const;

/** The pgaudit classes `pgaudit.log` accepts. */
export type PgauditClass = "read" | "write" | "function" | "role" | "ddl" | "misc" | "misc_set" | "all";

/**
 * Libraries loaded at start: pg_stat_statements (RDS's own default, kept) and pgaudit. Changing
 * the list takes a reboot, so it is a static parameter.
 */
const PRELOADED_LIBRARIES = ["pg_stat_statements", "pgaudit"];

/** RDS's own policy for the enhanced-monitoring agent (CloudWatch Logs `RDSOSMetrics` only). */
const ENHANCED_MONITORING_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole";

/** The primary of a cross-region replica, named by the convention in its own region. */
export interface CrossRegionSource {
  /** ARN of the source instance, e.g. `arn:aws:rds:us-east-1:<account>:db:lma-production-postgres`. */
  readonly sourceArn: string;
  /**
   * Promote the replica to a standalone, writable primary (failover). Terraform removes
   * `replicate_source_db`, which promotes it, and applies Multi-AZ, the backup retention and a new
   * master password (written to this region's master secret, whose rotation is then scheduled)
   * immediately. Nothing is replaced and no IAM changes: the secret and its rotation function
   * exist while replicating. Promotion cannot be undone (failback re-seeds, docs/disaster-recovery.md).
   * @default false
   */
  readonly promote?: boolean;
}

/** PostgreSQL's user-name rule (unquoted identifiers), which IAM database users must follow. */
const POSTGRES_USER = /^[a-z_][a-z0-9_]{0,62}$/;

/** `loan_service` → `LoanService`: a name as part of a statement id (letters and digits only). */
function sidPart(name: string): string {
  return name.replace(/(^|[-_])([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase());
}

export interface PostgresDatabaseProps {
  readonly naming: Naming;
  /**
   * Engine version. A major ("16") lets RDS apply minor upgrades in the maintenance window; a
   * pinned minor ("16.11") moves only through configuration (docs/version-policy.md).
   */
  readonly engineVersion: string;
  /** Instance class of the primary and its in-region replicas, e.g. `db.r6g.xlarge`. */
  readonly instanceClass: string;
  /** Storage at creation, GiB. */
  readonly allocatedStorageGiB: number;
  /** Ceiling for storage autoscaling, GiB. @default allocatedStorageGiB (no autoscaling) */
  readonly maxAllocatedStorageGiB?: number;
  /** @default "gp3" */
  readonly storageType?: "gp3" | "io2";
  /** Provisioned IOPS (required by io2). @default the storage type's baseline */
  readonly iops?: number;
  /** A synchronous standby in another AZ with automatic failover. @default true */
  readonly multiAz?: boolean;
  /** Days of automated backups (point-in-time recovery). @default 35 (the most RDS keeps) */
  readonly backupRetentionDays?: number;
  /** In-region read replicas `<identifier>-replica-N`. @default 0 */
  readonly readReplicas?: number;
  /** Identifier suffix: the instance is `lma-<environment>-<name>`. @default "postgres" */
  readonly name?: string;
  /** The data subnets' DB subnet group (`Vpc.dbSubnetGroupName`). */
  readonly subnetGroupName: string;
  /** Bring-your-own security group (the SecurityGroupChain's `database`); exposed as `connections`. */
  readonly securityGroup: SecurityGroup;
  /** Encrypts storage, snapshots, replicas in this region and Performance Insights. */
  readonly storageKey: KmsKey;
  /** Encrypts the master secret in Secrets Manager. */
  readonly secretsKey: KmsKey;
  /** Encrypts the exported PostgreSQL and upgrade logs. */
  readonly logsKey: KmsKey;
  /** Days the exported logs are kept (the environment's `logRetentionDays`). */
  readonly logRetentionDays: number;
  /**
   * Deletion protection on the instances and `prevent_destroy` on the primary.
   * @default true (a ledger must be deleted on purpose, in two steps)
   */
  readonly deletionProtection?: boolean;
  /**
   * Skip the final snapshot when the instance is deleted. Only for disposable environments.
   * @default false (deleting the database always leaves `<identifier>-final`)
   */
  readonly skipFinalSnapshot?: boolean;
  /**
   * Statements slower than this are logged with their text (`log_min_duration_statement`).
   * @default 500 (well above the SLO's 50 ms p95, so only outliers are logged, not the workload)
   */
  readonly slowStatementMs?: number;
  /**
   * Extra parameters for the parameter group (name → value, applied immediately; static
   * parameters must say `pending-reboot` through `staticParameters`).
   * @default none
   */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Static parameters, applied at the next reboot. @default none */
  readonly staticParameters?: Readonly<Record<string, string>>;
  /**
   * Enhanced monitoring granularity (seconds: 1, 5, 10, 15, 30 or 60).
   * @default 15 (OS metrics fine enough to see a 1-minute CPU or I/O spike, at a small cost)
   */
  readonly monitoringIntervalSeconds?: 1 | 5 | 10 | 15 | 30 | 60;
  /**
   * Performance Insights retention in days (7 is free; 31–731 in months' steps cost extra).
   * @default 7
   */
  readonly performanceInsightsRetentionDays?: number;
  /** Daily backup window (UTC, `hh24:mi-hh24:mi`), outside the maintenance window. */
  readonly backupWindow: string;
  /** Weekly maintenance window (UTC, `ddd:hh24:mi-ddd:hh24:mi`), from the environment's maintenance table. */
  readonly maintenanceWindow: string;
  /** Statement classes pgaudit logs (`pgaudit.log`) into the exported `postgresql` log. */
  readonly auditLog: readonly PgauditClass[];
  /** Initial database. @default "lma" */
  readonly databaseName?: string;
  /** Master user name; its password lives in the master secret (below). @default "lma_admin" */
  readonly masterUsername?: string;
  /**
   * Bump to have Terraform set a new generated master password (write-only, through `password_wo`)
   * and store it in the master secret, e.g. after a failed rotation left the two apart.
   * @default 1
   */
  readonly masterPasswordVersion?: number;
  /**
   * The function that rotates the master secret, and how often. Absent: the secret keeps the
   * password Terraform generated until `masterPasswordVersion` is bumped.
   * @default no rotation
   */
  readonly masterSecretRotation?: MasterSecretRotationProps;
  /**
   * Make this instance a cross-region read replica of `sourceArn` (the DR region) instead of a
   * primary. It has no in-region replicas and no master secret until promoted.
   * @default a primary
   */
  readonly crossRegionSource?: CrossRegionSource;
}

/**
 * PostgreSQL on RDS, primary or cross-region replica, with every control on: KMS storage and
 * Performance Insights, a master password that Terraform generates into a write-only argument
 * and a KMS-encrypted secret (never in state or plan) and a function rotates, a parameter group
 * that refuses plain-text connections, loads pgaudit and logs connections and slow statements,
 * logs exported to KMS-encrypted log groups created before the instance (so RDS never creates
 * them unencrypted), enhanced monitoring, IAM database authentication, backups with copy-tags, a
 * final snapshot, deletion protection and `prevent_destroy`. RDS's own managed master password
 * (`manage_master_user_password`) is not used: RDS refuses read replicas of such a source.
 */
export class PostgresDatabase extends Construct implements IConnectable, IDataStore {
  readonly storeKind = "database";
  readonly instance: DbInstance;
  readonly readReplicas: readonly DbInstance[];
  readonly parameterGroup: DbParameterGroup;
  readonly monitoringRole: IamRole;
  /** `{ engine, host, port, username, password, dbname }` of the master user (a primary only). */
  readonly masterSecret?: SecretsmanagerSecret;
  /** The master secret's rotation, when `masterSecretRotation` is given. */
  readonly rotation?: SecretRotation;
  /**
   * The source's automated backups (snapshots and transaction logs) copied into this region, with
   * this region's key: a logical corruption replicates to the replica, and this is what restores
   * it here. On a cross-region replica only; kept after promotion (it copies until the source is gone).
   */
  readonly backupCopy?: DbInstanceAutomatedBackupsReplication;
  readonly connections: Connections;
  /** The instance identifier, e.g. `lma-production-postgres`. */
  readonly identifier: string;
  private readonly naming: Naming;
  private readonly isPrimary: boolean;
  /** The identifier suffix (`props.name`), which names this database in statement ids. */
  private readonly name: string;
  /**
   * `resource_id` of the writer and each replica, read once: every attribute read is a new
   * token, and grants compare statements by content to merge a repeated grant.
   */
  private readonly resourceIds: readonly string[];

  constructor(scope: Construct, id: string, props: PostgresDatabaseProps) {
    super(scope, id);
    tagComponent(this, "database");
    const { naming } = props;
    this.naming = naming;
    this.connections = props.securityGroup.connections;
    this.name = props.name ?? "postgres";
    if (!POSTGRES_USER.test(this.name.replace(/-/g, "_"))) throw new Error(`database name "${this.name}" must be lower-case letters, digits, "-" or "_"`);
    this.identifier = naming.name(this.name);
    const source = props.crossRegionSource;
    const promoted = source?.promote ?? false;
    const replicating = source !== undefined && !promoted;
    this.isPrimary = source === undefined || promoted;
    const deletionProtection = props.deletionProtection ?? true;
    const major = props.engineVersion.split(".")[0]!;

    this.parameterGroup = new DbParameterGroup(this, "parameters", {
      name: naming.name(`postgres${major}`),
      family: `postgres${major}`,
      description: `TLS-only PostgreSQL ${major} with pgaudit, connection and slow-statement logging`,
      parameter: [
        ...Object.entries({
          // pgaudit writes its records to the server log, which RDS exports (LOG_EXPORTS).
          "pgaudit.log": props.auditLog.join(","),
          // Object auditing is granted to this role in the database (`GRANT … TO rds_pgaudit`).
          "pgaudit.role": "rds_pgaudit",
          "rds.force_ssl": "1",
          ssl_min_protocol_version: "TLSv1.2",
          log_connections: "1",
          log_disconnections: "1",
          log_min_duration_statement: String(props.slowStatementMs ?? 500),
          log_lock_waits: "1",
          ...props.parameters,
        }).map(([name, value]) => ({ name, value, applyMethod: "immediate" })),
        ...Object.entries({ shared_preload_libraries: PRELOADED_LIBRARIES.join(","), ...props.staticParameters }).map(([name, value]) => ({ name, value, applyMethod: "pending-reboot" })),
      ],
      lifecycle: { createBeforeDestroy: true },
    });

    this.monitoringRole = new IamRole(this, "monitoring-role", {
      name: naming.globalName(`${this.name}-monitoring`),
      description: `Enhanced monitoring of ${this.identifier}`,
      assumeRolePolicy: serviceTrustPolicy("monitoring.rds.amazonaws.com", naming.accountId),
    });
    new IamRolePolicyAttachment(this, "monitoring-policy", {
      role: this.monitoringRole.name,
      policyArn: ENHANCED_MONITORING_POLICY,
    });

    // A bare major ("16") lets RDS apply minor upgrades in the maintenance window
    // (docs/version-policy.md); a pinned minor moves only through configuration.
    const pinnedMinor = props.engineVersion.includes(".");
    const common = {
      instanceClass: props.instanceClass,
      storageType: props.storageType ?? "gp3",
      iops: props.iops,
      maxAllocatedStorage:
        (props.maxAllocatedStorageGiB ?? 0) > props.allocatedStorageGiB ? props.maxAllocatedStorageGiB : undefined,
      parameterGroupName: this.parameterGroup.name,
      vpcSecurityGroupIds: [props.securityGroup.id],
      publiclyAccessible: false,
      port: 5432,
      iamDatabaseAuthenticationEnabled: true,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: props.storageKey.arn,
      performanceInsightsRetentionPeriod: props.performanceInsightsRetentionDays ?? 7,
      monitoringInterval: props.monitoringIntervalSeconds ?? 15,
      monitoringRoleArn: this.monitoringRole.arn,
      enabledCloudwatchLogsExports: [...LOG_EXPORTS],
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: !pinnedMinor,
      allowMajorVersionUpgrade: false,
      // A standby's changes are failover steps, each wanted now, not in the maintenance window.
      applyImmediately: source !== undefined,
      caCertIdentifier: "rds-ca-rsa2048-g1",
      maintenanceWindow: props.maintenanceWindow,
      deletionProtection,
    };

    const primaryLogs = this.logGroups("logs", this.identifier, props, deletionProtection);
    const username = props.masterUsername ?? "lma_admin";
    const databaseName = props.databaseName ?? "lma";
    const passwordVersion = props.masterPasswordVersion ?? 1;
    // Known only at apply (uuid() is), evaluated once per run and given to the two write-only
    // arguments below, so neither the plan nor the state ever holds it; 244 random bits.
    const generatedPassword = this.isPrimary
      ? new TerraformLocal(this, "master-password", Fn.join("", [Fn.replace(Fn.uuid(), "-", ""), Fn.replace(Fn.uuid(), "-", "")]))
      : undefined;
    this.instance = new DbInstance(this, "instance", {
      ...common,
      identifier: this.identifier,
      ...(replicating
        ? {
            // Engine, version, storage size, database and user come from the source.
            replicateSourceDb: source!.sourceArn,
            multiAz: false,
            backupRetentionPeriod: 0,
          }
        : {
            replicateSourceDb: undefined,
            engine: source ? undefined : "postgres",
            engineVersion: source ? undefined : props.engineVersion,
            allocatedStorage: source ? undefined : props.allocatedStorageGiB,
            dbName: source ? undefined : databaseName,
            username: source ? undefined : username,
            // A promoted replica gets a new password of its own region's secret at promotion.
            passwordWo: generatedPassword!.asString,
            passwordWoVersion: passwordVersion,
            multiAz: props.multiAz ?? true,
            backupRetentionPeriod: props.backupRetentionDays ?? 35,
            backupWindow: props.backupWindow,
          }),
      // A cross-region replica must name this region's key; in-region the key is set once.
      storageEncrypted: true,
      kmsKeyId: props.storageKey.arn,
      dbSubnetGroupName: props.subnetGroupName,
      // Automated backups outlive the instance for their retention: a mistaken delete is recoverable.
      deleteAutomatedBackups: false,
      skipFinalSnapshot: props.skipFinalSnapshot ?? false,
      finalSnapshotIdentifier: props.skipFinalSnapshot ? undefined : `${this.identifier}-final`,
      dependsOn: primaryLogs.map((group) => group.resource),
      lifecycle: { preventDestroy: deletionProtection },
    });

    const replicaCount = this.isPrimary && source === undefined ? (props.readReplicas ?? 0) : 0;
    this.readReplicas = Array.from({ length: replicaCount }, (_, index) => {
      const identifier = `${this.identifier}-replica-${index + 1}`;
      return new DbInstance(this, `replica-${index + 1}`, {
        ...common,
        identifier,
        replicateSourceDb: this.instance.identifier,
        multiAz: false,
        backupRetentionPeriod: 0,
        // RDS would inherit the source's key; stating it keeps the encryption visible and checked.
        storageEncrypted: true,
        kmsKeyId: props.storageKey.arn,
        // A replica holds no data of its own: it is rebuilt from the primary, never snapshotted.
        skipFinalSnapshot: true,
        // The readers serve traffic: removing one is a deliberate change like removing the primary.
        dependsOn: this.logGroups(`replica-${index + 1}-logs`, identifier, props, deletionProtection).map((group) => group.resource),
        lifecycle: { preventDestroy: deletionProtection },
      });
    });
    // A replicating standby keeps an empty secret and an unscheduled rotation in its own region,
    // so promotion writes the new password there without creating IAM (us-east-1's control plane).
    if (generatedPassword || source) {
      this.masterSecret = new SecretsmanagerSecret(this, "master-secret", {
        name: `${naming.prefix}/${this.name}/master`,
        description: `Master user of ${this.identifier}, rotated by ${props.masterSecretRotation ? "its rotation function" : "nobody"}`,
        kmsKeyId: props.secretsKey.arn,
        recoveryWindowInDays: 30,
        lifecycle: { preventDestroy: deletionProtection },
      });
      // The shape RDS's PostgreSQL single-user rotation reads and writes.
      const masterSecretValue = generatedPassword && new SecretsmanagerSecretVersion(this, "master-secret-value", {
        secretId: this.masterSecret.id,
        secretStringWo: Fn.jsonencode({
          engine: "postgres",
          host: this.instance.address,
          port: 5432,
          username,
          dbname: databaseName,
          password: generatedPassword.asString,
        }),
        secretStringWoVersion: passwordVersion,
      });
      if (props.masterSecretRotation) {
        this.rotation = new SecretRotation(this, "master-secret-rotation", {
          ...props.masterSecretRotation,
          naming,
          secret: this.masterSecret,
          secretsKey: props.secretsKey,
          logsKey: props.logsKey,
          logRetentionDays: props.logRetentionDays,
          description: `Rotates the master password of ${this.identifier} (PostgreSQL single-user rotation)`,
          after: masterSecretValue ? [masterSecretValue, this.instance] : [this.instance],
          scheduled: masterSecretValue !== undefined,
        });
        this.connections.allowDefaultPortFrom(props.masterSecretRotation.securityGroup, "master-secret rotation function");
      }
    }
    if (source) {
      this.backupCopy = new DbInstanceAutomatedBackupsReplication(this, "backup-copy", {
        sourceDbInstanceArn: source.sourceArn,
        kmsKeyId: props.storageKey.arn,
        retentionPeriod: props.backupRetentionDays ?? 35,
      });
    }
    this.resourceIds = [this.instance, ...this.readReplicas].map((instance) => instance.resourceId);
  }

  /** `host:port` of the writer. */
  get endpoint(): string {
    return this.instance.endpoint;
  }

  get address(): string {
    return this.instance.address;
  }

  get port(): number {
    return this.instance.port;
  }

  /** ARN of the master secret (absent on an unpromoted cross-region replica). */
  get masterSecretArn(): string {
    if (!this.masterSecret) throw new Error(`${this.identifier} is a replica: its master secret lives with the source`);
    return this.masterSecret.arn;
  }

  /** Reader endpoints of the in-region replicas. */
  get readerAddresses(): string[] {
    return this.readReplicas.map((replica) => replica.address);
  }

  /**
   * Lets `grantee` connect as database user `dbUser` with an IAM authentication token
   * (`rds-db:connect` on that user of the writer and of every replica, nothing else). The user
   * must exist in PostgreSQL with `GRANT rds_iam TO <dbUser>`.
   */
  grantConnect(grantee: IGrantee, dbUser: string): Grant {
    if (!POSTGRES_USER.test(dbUser)) throw new Error(`"${dbUser}" is not a PostgreSQL user name`);
    return Grant.addToPrincipal(grantee, [
      {
        Sid: `RdsConnect${sidPart(this.name)}As${sidPart(dbUser)}`,
        Effect: "Allow",
        Action: "rds-db:connect",
        Resource: this.resourceIds.map((resourceId) => this.naming.arn("rds-db", `dbuser:${resourceId}/${dbUser}`)),
      },
    ]);
  }

  /**
   * Admits `client` on 5432, lets its task role connect as the database user named after it (a
   * hyphen becomes `_`), and tells it the writer's host, port and user.
   */
  bind(client: DataStoreClient): DataStoreBinding {
    if (client.connectable) this.connections.allowDefaultPortFrom(client.connectable);
    const dbUser = client.name.replace(/-/g, "_");
    return {
      environment: { DATABASE_HOST: this.address, DATABASE_PORT: Token.asString(this.port), DATABASE_USER: dbUser },
      secrets: {},
      grants: [this.grantConnect(client.taskRole, dbUser)],
    };
  }

  /**
   * The KMS-encrypted groups RDS exports into; created first so RDS never makes them itself. The
   * `postgresql` group holds pgaudit's audit records, protected like the database.
   */
  private logGroups(id: string, identifier: string, props: PostgresDatabaseProps, protect: boolean): LogGroup[] {
    return LOG_EXPORTS.map((log) => {
      const group = new LogGroup(this, `${id}-${log}`, {
        naming: props.naming,
        name: `/aws/rds/instance/${identifier}/${log}`,
        kmsKey: props.logsKey,
        retentionInDays: props.logRetentionDays,
      });
      if (log === "postgresql" && protect) group.resource.lifecycle = { preventDestroy: true };
      return group;
    });
  }
}
