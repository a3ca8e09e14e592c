/**
 * The data stores' engine versions: the one table the schema's defaults, the modules and the
 * apply-time rule pack (tooling/apply-rules/engine-versions.ts) read. The policy and the reason
 * for each engine are in docs/version-policy.md; change both together.
 *
 * Policy: pin the major (the version the applications are tested on) and let AWS apply minor
 * versions inside the environment's maintenance window, wherever the engine offers automatic
 * minor upgrades. OpenSearch offers none: its minor is pinned here and moved by a change, while
 * its service software (security patches) updates itself in the off-peak window.
 */
export const ENGINE_VERSIONS = {
  checkedOn: "2026-12-02",
  /** RDS for PostgreSQL: `engine_version` is the major; RDS picks the minor and upgrades it. */
  postgres: { major: "16", engineVersion: "16", autoMinorVersionUpgrade: true },
  /** ElastiCache for Redis OSS 7: the API takes `major.minor` (7.1) and upgrades patches itself. */
  redis: { major: "7", engineVersion: "7.1", autoMinorVersionUpgrade: true },
  /**
   * OpenSearch: `engine_version` must name a released minor (`OpenSearch_2.19`); 2.19 is the last
   * minor of the 2.x line the search client supports. Upgrading is a blue/green change.
   */
  opensearch: { major: "2", engineVersion: "OpenSearch_2.19", autoMinorVersionUpgrade: false },
  /** Amazon MQ for RabbitMQ: 3.13 requires automatic minor upgrades (patches in the window). */
  rabbitmq: { major: "3.13", engineVersion: "3.13", autoMinorVersionUpgrade: true },
} as const;

/**
 * RDS minors AWS still creates instances on, for configurations that pin one. A minor missing
 * here fails at apply (AWS blocks new instances on retired minors) or is about to. Refresh with
 * `aws rds describe-db-engine-versions --engine postgres --query 'DBEngineVersions[].EngineVersion'`
 * and update `checkedOn`.
 */
export const OFFERED_MINOR_VERSIONS = {
  checkedOn: ENGINE_VERSIONS.checkedOn,
  source:
    "AWS Health notice for RDS for PostgreSQL (end of standard support on 2026-05-31 for 14.14–14.17, 15.9–15.12, " +
    "16.5–16.8, 17.1–17.4; mandatory upgrades to 14.20, 15.15, 16.11, 17.7 or higher) and " +
    "https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html",
  engines: {
    postgres: { "14": ["14.20"], "15": ["15.15"], "16": ["16.11"], "17": ["17.7"] },
  } as Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>,
} as const;
