/**
 * The engine-version policy is stated once (environments/engine-versions.ts) and described in
 * docs/version-policy.md: the page names every version and the date of the table, and every
 * environment runs the table's versions with the upgrades the policy turns on.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dev } from "../../../environments/dev";
import { ENGINE_VERSIONS } from "../../../environments/engine-versions";
import { production } from "../../../environments/production";
import { staging } from "../../../environments/staging";
import { synthRegional } from "../../support/synth";
import { only } from "../s3/support";

const page = readFileSync(join(__dirname, "../../../docs/version-policy.md"), "utf8");
const ENGINES = ["postgres", "redis", "opensearch", "rabbitmq"] as const;

describe("docs/version-policy.md", () => {
  it("states the table's date and every engine's version", () => {
    expect(page).toContain(`**${ENGINE_VERSIONS.checkedOn}**`);
    for (const engine of ENGINES) expect(page).toContain(`\`${ENGINE_VERSIONS[engine].engineVersion}\``);
  });
});

describe.each([dev, staging, production])("$name runs the table's versions", (environment) => {
  const { json } = synthRegional(environment, 0);

  it("PostgreSQL, Redis, OpenSearch and RabbitMQ at the table's version, minors upgraded where the engine offers it", () => {
    const [, database] = only(json, "aws_db_instance", (body) => body.engine === "postgres");
    const [, cache] = only(json, "aws_elasticache_replication_group");
    const [, search] = only(json, "aws_opensearch_domain");
    const [, broker] = only(json, "aws_mq_broker");
    expect([database.engine_version, cache.engine_version, search.engine_version, broker.engine_version]).toEqual(
      ENGINES.map((engine) => ENGINE_VERSIONS[engine].engineVersion),
    );
    expect(database.auto_minor_version_upgrade).toBe(ENGINE_VERSIONS.postgres.autoMinorVersionUpgrade);
    expect(cache.auto_minor_version_upgrade).toBe(String(ENGINE_VERSIONS.redis.autoMinorVersionUpgrade));
    expect(broker.auto_minor_version_upgrade).toBe(ENGINE_VERSIONS.rabbitmq.autoMinorVersionUpgrade);
    expect(search.software_update_options).toEqual({ auto_software_update_enabled: true });
  });
});
