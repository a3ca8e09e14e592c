/**
 * Minor versions AWS still creates instances on, per engine and major. A pinned minor must be
 * listed here; anything else fails at apply (AWS blocks new instances on retired minors) or
 * is about to. Refresh with `aws rds describe-db-engine-versions --engine postgres
 * --query 'DBEngineVersions[].EngineVersion'` and update `checkedOn`.
 */
export const OFFERED_MINOR_VERSIONS = {
  checkedOn: "2026-12-02",
  source:
    "AWS Health notice for RDS for PostgreSQL (end of standard support on 2026-05-31 for 14.14–14.17, 15.9–15.12, " +
    "16.5–16.8, 17.1–17.4; mandatory upgrades to 14.20, 15.15, 16.11, 17.7 or higher) and " +
    "https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html",
  engines: {
    postgres: { "14": ["14.20"], "15": ["15.15"], "16": ["16.11"], "17": ["17.7"] },
  } as Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>,
} as const;
