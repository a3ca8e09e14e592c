import { exposeBinding, FIXTURE_ACCOUNT, output, synthDataStore } from "../s3/data-store-fixture";
import { matching, only, ref, type Resource, statementsOf } from "../s3/support";
import { fixtureBroker, MANAGEMENT_API_PORT } from "./fixture";

const ROTATION_DAYS = 30;
const SIGNING_CONFIG = `arn:aws:lambda:us-east-1:${FIXTURE_ACCOUNT}:code-signing-config:csc-fixture`;
/** What rotating a secret takes; only the secret's own ARN may be its resource. */
const ROTATE_ACTIONS = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"];

describe("RabbitMqBroker with credentialRotation", () => {
  const { json, built } = synthDataStore((fixture) => {
    const functions = fixture.securityGroup("functions");
    const store = fixtureBroker(fixture, {
      credentialRotation: {
        functionName: "rabbitmq-rotation",
        version: "1.0.0",
        settings: { memoryMiB: 256, timeoutSeconds: 120, reservedConcurrency: 2 },
        artifactBucket: "artifacts",
        subnetIds: ["subnet-app"],
        securityGroup: functions,
        dataKey: fixture.key("data"),
        logsKey: fixture.key("logs"),
        logRetentionDays: 30,
        rotationDays: ROTATION_DAYS,
        codeSigningConfigArn: SIGNING_CONFIG,
      },
    });
    const clients = ["loan", "notification"].map((name) => fixture.client(name));
    for (const client of clients) store.bind(client);
    exposeBinding(fixture, store, clients[0]!, store.bind(clients[0]!));
    fixture.expose("functions_group", functions.id);
    return { clients: clients.map((client) => client.name), prefix: fixture.naming.prefix };
  });
  const credentials = matching(json, "aws_secretsmanager_secret", (body) => body.name.startsWith(`${built.prefix}/rabbitmq/`));
  const [fnName, fn] = only(json, "aws_lambda_function", (body) => body.function_name === `${built.prefix}-rabbitmq-rotation`);
  const policy = statementsOf(only(json, "aws_iam_role_policy", (body) => body.role === ref("aws_iam_role", fn.role.slice(2, -1).split(".")[1]!, "name"))[1].policy);

  it("has a credential for the administrator and each bound client", () => {
    expect(credentials.map(([, body]) => body.name).sort()).toEqual(
      ["admin", ...built.clients.map((client) => `clients/${client}`)].map((path) => `${built.prefix}/rabbitmq/${path}`).sort(),
    );
  });

  it.each(["admin", "clients/loan", "clients/notification"])("rotates %s with the pinned function every rotationDays, once its first value and the broker exist", (path) => {
    const [secret] = only(json, "aws_secretsmanager_secret", (body) => body.name === `${built.prefix}/rabbitmq/${path}`);
    const [, rotation] = only(json, "aws_secretsmanager_secret_rotation", (body) => body.secret_id === ref("aws_secretsmanager_secret", secret, "id"));
    expect(rotation).toMatchObject({ rotation_lambda_arn: ref("aws_lambda_function", fnName, "arn"), rotation_rules: { automatically_after_days: ROTATION_DAYS } });
    const [value] = only(json, "aws_secretsmanager_secret_version", (body) => body.secret_id === ref("aws_secretsmanager_secret", secret, "id"));
    const [permission, invoke] = only(json, "aws_lambda_permission", (body) => body.source_arn === ref("aws_secretsmanager_secret", secret, "arn"));
    expect(invoke).toMatchObject({ principal: "secretsmanager.amazonaws.com", action: "lambda:InvokeFunction", function_name: ref("aws_lambda_function", fnName, "function_name") });
    expect(rotation.depends_on).toEqual(
      expect.arrayContaining([`aws_lambda_permission.${permission}`, `aws_secretsmanager_secret_version.${value}`, `aws_mq_broker.${only(json, "aws_mq_broker")[0]}`]),
    );
  });

  it("lets the function stage each rotated secret, and nothing else in Secrets Manager but a random password", () => {
    const secretsStatements = policy.filter((statement: Resource) => [statement.Action].flat().some((action: string) => action.startsWith("secretsmanager:")));
    const rotated = secretsStatements.filter((statement: Resource) => statement.Resource !== "*");
    expect(rotated.map((statement: Resource) => statement.Resource).sort()).toEqual(credentials.map(([secret]) => ref("aws_secretsmanager_secret", secret, "arn")).sort());
    for (const statement of rotated) expect(statement.Action).toEqual(ROTATE_ACTIONS);
    expect(secretsStatements.filter((statement: Resource) => statement.Resource === "*").map((statement: Resource) => statement.Action)).toEqual(["secretsmanager:GetRandomPassword"]);
  });

  it("tells the function the broker's management API and the administrator's secret, and is checked against the code-signing configuration", () => {
    const [admin] = only(json, "aws_secretsmanager_secret", (body) => body.name === `${built.prefix}/rabbitmq/admin`);
    const [broker] = only(json, "aws_mq_broker");
    expect(fn.environment.variables).toMatchObject({
      RABBITMQ_MANAGEMENT_URL: `\${aws_mq_broker.${broker}.instances[0].console_url}`,
      RABBITMQ_ADMIN_SECRET_ARN: ref("aws_secretsmanager_secret", admin, "arn"),
    });
    expect(fn.code_signing_config_arn).toBe(SIGNING_CONFIG);
  });

  it("is admitted by the broker on the management API's port", () => {
    const rules = Object.values(json.resource.aws_vpc_security_group_ingress_rule ?? {}) as Resource[];
    const fromFunction = rules.filter((rule) => rule.security_group_id === output(json, "store_group") && rule.referenced_security_group_id === output(json, "functions_group"));
    expect(fromFunction).toEqual([expect.objectContaining({ from_port: MANAGEMENT_API_PORT, to_port: MANAGEMENT_API_PORT, ip_protocol: "tcp" })]);
  });
});

describe("RabbitMqBroker without credentialRotation", () => {
  it("declares no rotation, function or permission", () => {
    const { json } = synthDataStore((fixture) => {
      const store = fixtureBroker(fixture);
      store.bind(fixture.client("loan"));
    });
    for (const type of ["aws_secretsmanager_secret_rotation", "aws_lambda_function", "aws_lambda_permission"]) expect(matching(json, type)).toEqual([]);
  });
});
