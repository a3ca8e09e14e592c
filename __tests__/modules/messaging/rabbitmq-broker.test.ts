import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import { Testing } from "cdktf";
import { BROKER_CREDENTIAL_ROTATION_FUNCTION } from "../../../stacks/data-store-props";
import { RegionalStack } from "../../../stacks/regional-stack";
import { listOf, synthRegional } from "../../support/synth";
import { keyArnRef, matching, only, ref, statement } from "../s3/support";

const primary = synthRegional(production, 0);
const standby = synthRegional(production, 1).json;
const development = synthRegional(dev, 0).json;

describe("production's RabbitMQ broker", () => {
  const [, broker] = only(primary.json, "aws_mq_broker");

  it("is a private mq.m5.large RabbitMQ 3.13 cluster across every data subnet of the region", () => {
    expect(broker).toMatchObject({
      broker_name: "lma-production-rabbitmq",
      engine_type: "RabbitMQ",
      engine_version: "3.13",
      host_instance_type: "mq.m5.large",
      deployment_mode: "CLUSTER_MULTI_AZ",
      publicly_accessible: false,
      auto_minor_version_upgrade: true,
    });
    expect(broker.subnet_ids).toHaveLength(production.regions[0]!.availabilityZones.length);
    expect(broker.security_groups).toEqual([expect.stringMatching(/^\$\{aws_security_group\.security-groups_messaging_group_/)]);
  });

  it("logs, and is patched from the start of production's main window, in the table's own time zone", () => {
    expect(broker.logs).toEqual({ general: true });
    const { windows, timeZone } = production.maintenance;
    expect(broker.maintenance_window_start_time).toEqual({
      day_of_week: { sun: "SUNDAY", mon: "MONDAY", tue: "TUESDAY", wed: "WEDNESDAY", thu: "THURSDAY", fri: "FRIDAY", sat: "SATURDAY" }[windows[0]!.days[0]!],
      time_of_day: windows[0]!.start,
      time_zone: timeZone,
    });
  });

  it("takes its administrator password from Terraform's own generator, never from code, a variable or CI", () => {
    const local = /^\$\{local\.([^.}]+)\}$/.exec(broker.user[0].password)![1]!;
    expect(primary.json.locals![local]).toBe('${join("", [replace(uuid(), "-", ""), replace(uuid(), "-", "")])}');
    expect(broker.user).toEqual([{ username: "lma_admin", password: `\${local.${local}}` }]);
    expect(broker.lifecycle).toEqual({ ignore_changes: ["user"], prevent_destroy: production.deletionProtection });
    // Nothing that keeps a value in state holds the generator's output but the broker itself.
    expect(listOf(primary.json, "terraform_data")).toEqual([]);
    expect(JSON.stringify(broker.user)).not.toMatch(/var\./);
  });

  it("writes every credential's first value write-only, so no apply reads it back or writes it over a rotation", () => {
    const credentials = matching(primary.json, "aws_secretsmanager_secret", (body) => body.name.startsWith("lma-production/rabbitmq/"));
    expect(credentials.length).toBeGreaterThan(1);
    for (const [secret] of credentials) {
      const [, version] = only(primary.json, "aws_secretsmanager_secret_version", (candidate) => candidate.secret_id === ref("aws_secretsmanager_secret", secret, "id"));
      expect(version.secret_string).toBeUndefined();
      expect(version.secret_string_wo).toMatch(/^\$\{jsonencode\(\{"username" = "[a-z_-]+", "password" = local\./);
      expect(version.secret_string_wo_version).toEqual(expect.any(Number));
    }
  });

  it("keeps the administrator's credentials in Secrets Manager under the secrets key, with the password the broker was created with", () => {
    const [secret, body] = only(primary.json, "aws_secretsmanager_secret", (candidate) => candidate.name === "lma-production/rabbitmq/admin");
    expect(body).toMatchObject({ kms_key_id: keyArnRef(primary.json, "lma-production-secrets"), recovery_window_in_days: 30 });
    const [, version] = only(primary.json, "aws_secretsmanager_secret_version", (candidate) => candidate.secret_id === ref("aws_secretsmanager_secret", secret, "id"));
    expect(version.secret_string_wo).toContain(`"password" = ${broker.user[0].password.slice(2, -1)}`);
  });

  it("gives every catalogue service that uses the queue its own credential, never the administrator's", () => {
    const clients = production.services.filter((service) => service.uses?.includes("queue")).map((service) => service.name);
    const credentials = matching(primary.json, "aws_secretsmanager_secret", (body) => body.name.startsWith("lma-production/rabbitmq/clients/"));
    expect(credentials.map(([, body]) => body.name).sort()).toEqual(clients.map((name) => `lma-production/rabbitmq/clients/${name}`).sort());
    for (const [, body] of credentials) expect(body.kms_key_id).toBe(keyArnRef(primary.json, "lma-production-secrets"));
  });

  it("lets Amazon MQ write its log groups through a resource policy for this account only", () => {
    const [, policy] = only(primary.json, "aws_cloudwatch_log_resource_policy", (body) => body.policy_name === "lma-production-rabbitmq-logs");
    expect(statement(policy.policy_document, "AmazonMqWritesBrokerLogs")).toMatchObject({
      Principal: { Service: "mq.amazonaws.com" },
      Resource: `arn:aws:logs:us-east-1:${production.accountId}:log-group:/aws/amazonmq/*`,
      Condition: { StringEquals: { "aws:SourceAccount": production.accountId } },
    });
  });

  it("has a namesake in the standby region with credentials of its own, rotated there", () => {
    const [, standbyBroker] = only(standby, "aws_mq_broker");
    expect(standbyBroker.broker_name).toBe(broker.broker_name);
    const [admin] = only(standby, "aws_secretsmanager_secret", (body) => body.name === "lma-production/rabbitmq/admin");
    only(standby, "aws_secretsmanager_secret_rotation", (body) => body.secret_id === ref("aws_secretsmanager_secret", admin, "id"));
  });
});

describe("the broker's rotation function", () => {
  it.each([
    ["production", production, primary.json],
    ["dev", dev, development],
  ] as const)("in %s is the pinned release artifact at the environment's size", (_, environment, json) => {
    const [, fn] = only(json, "aws_lambda_function", (body) => body.function_name === `lma-${environment.name}-${BROKER_CREDENTIAL_ROTATION_FUNCTION}`);
    const settings = environment.functions[BROKER_CREDENTIAL_ROTATION_FUNCTION]!;
    expect(fn).toMatchObject({
      s3_key: `lambda/${BROKER_CREDENTIAL_ROTATION_FUNCTION}/${environment.release.functions[BROKER_CREDENTIAL_ROTATION_FUNCTION]}.zip`,
      memory_size: settings.memoryMiB,
      timeout: settings.timeoutSeconds,
      reserved_concurrent_executions: settings.reservedConcurrency,
    });
  });

  it("is required: an environment without its pin and sizing is refused, naming the file and the field", () => {
    const { [BROKER_CREDENTIAL_ROTATION_FUNCTION]: _sized, ...functions } = production.functions;
    const { [BROKER_CREDENTIAL_ROTATION_FUNCTION]: _pinned, ...pins } = production.release.functions;
    const without = { ...production, functions, release: { ...production.release, functions: pins } };
    expect(() => new RegionalStack(Testing.app(), without, without.regions[0]!)).toThrow(
      `environments/production.ts: functions: needs "${BROKER_CREDENTIAL_ROTATION_FUNCTION}" (sizing) and environments/releases.json its version`,
    );
  });
});

describe("dev's RabbitMQ broker", () => {
  it("is a single mq.t3.micro instance in one subnet", () => {
    const [, broker] = only(development, "aws_mq_broker");
    expect(broker).toMatchObject({ host_instance_type: "mq.t3.micro", deployment_mode: "SINGLE_INSTANCE", publicly_accessible: false });
    expect(broker.subnet_ids).toHaveLength(1);
  });
});
