import { exposeBinding, ingressFromClient, output, policyOf, synthDataStore } from "../s3/data-store-fixture";
import { only, ref } from "../s3/support";
import { AMQPS_PORT, fixtureBroker, MANAGEMENT_API_PORT } from "./fixture";

describe("RabbitMqBroker.bind", () => {
  const { json, built } = synthDataStore((fixture) => {
    const store = fixtureBroker(fixture);
    const client = fixture.client("notification");
    const binding = store.bind(client);
    exposeBinding(fixture, store, client, binding);
    fixture.expose("endpoint", store.amqpsEndpoint);
    return { binding, again: store.bind(client), clientName: client.name, prefix: fixture.naming.prefix };
  });
  const [secretName, secret] = only(json, "aws_secretsmanager_secret", (body) => body.name === `${built.prefix}/rabbitmq/clients/${built.clientName}`);
  const secretArn = ref("aws_secretsmanager_secret", secretName, "arn");

  it("admits the client's group on AMQPS only (the management API is opt-in)", () => {
    expect(ingressFromClient(json)).toEqual([expect.objectContaining({ from_port: AMQPS_PORT, to_port: AMQPS_PORT })]);
  });

  it("creates the client's own credential under the secrets key, with a password Terraform generates", () => {
    expect(secret.kms_key_id).toBe(output(json, "secrets_key"));
    const [, version] = only(json, "aws_secretsmanager_secret_version", (body) => body.secret_id === ref("aws_secretsmanager_secret", secretName, "id"));
    expect(version.secret_string).toBeUndefined();
    expect(version.secret_string_wo).toContain(`"username" = "${built.clientName}"`);
    expect(version.secret_string_wo).toMatch(/"password" = local\./);
  });

  it("injects username and password by reference and tells the client the endpoint", () => {
    expect(output(json, "secrets")).toEqual({ AMQP_USERNAME: `${secretArn}:username::`, AMQP_PASSWORD: `${secretArn}:password::` });
    expect(output(json, "environment")).toEqual({ AMQP_ENDPOINT: output(json, "endpoint") });
  });

  it("lets the execution role, which injects secrets, read that secret and decrypt through Secrets Manager only", () => {
    const granted = output(json, "granted");
    expect(granted).toEqual([
      expect.objectContaining({ Action: "secretsmanager:GetSecretValue", Resource: secretArn }),
      expect.objectContaining({
        Action: "kms:Decrypt",
        Resource: output(json, "secrets_key"),
        Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
      }),
    ]);
    expect(policyOf(json, "execution_role")).toEqual(granted);
  });

  it("a repeated bind reuses the credential and merges the grant", () => {
    expect(built.again.secrets).toEqual(built.binding.secrets);
    expect(policyOf(json, "execution_role")).toHaveLength(built.again.grants.flatMap((grant) => grant.statements).length);
  });
});

describe("RabbitMqBroker.bind options", () => {
  it("opens the management API too when clientManagementApiAccess is set", () => {
    const { json } = synthDataStore((fixture) => {
      const store = fixtureBroker(fixture, { clientManagementApiAccess: true });
      const client = fixture.client("loan");
      exposeBinding(fixture, store, client, store.bind(client));
    });
    expect(ingressFromClient(json).map((rule) => rule.from_port).sort()).toEqual([AMQPS_PORT, MANAGEMENT_API_PORT].sort());
  });

  it("refuses a client without an execution role: nothing could inject its credential", () => {
    synthDataStore((fixture) => {
      const store = fixtureBroker(fixture);
      expect(() => store.bind(fixture.client("emailer", { executionRole: false }))).toThrow(/emailer: a RabbitMQ client needs an execution role/);
    });
  });
});
