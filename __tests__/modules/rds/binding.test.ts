import { PostgresDatabase } from "../../../modules/rds";
import { exposeBinding, FIXTURE_ACCOUNT, type Fixture, ingressFromClient, output, policyOf, synthDataStore } from "../s3/data-store-fixture";

const POSTGRES_PORT = 5432;

function database(fixture: Fixture, props: { readReplicas?: number } = {}) {
  return new PostgresDatabase(fixture.scope, "database", {
    naming: fixture.naming,
    engineVersion: "16.4",
    instanceClass: "db.t4g.medium",
    allocatedStorageGiB: 20,
    readReplicas: props.readReplicas,
    subnetGroupName: "data",
    securityGroup: fixture.securityGroup("database", POSTGRES_PORT),
    storageKey: fixture.key("data"),
    secretsKey: fixture.key("secrets"),
    logsKey: fixture.key("logs"),
    logRetentionDays: 30,
    maintenanceWindow: "sun:07:00-sun:11:00",
    backupWindow: "05:00-06:00",
    auditLog: ["ddl"],
  });
}

describe("PostgresDatabase.bind", () => {
  const { json, built } = synthDataStore((fixture) => {
    const store = database(fixture, { readReplicas: 1 });
    const client = fixture.client("loan-service");
    const binding = store.bind(client);
    exposeBinding(fixture, store, client, binding);
    fixture.expose("instances", [store.instance.resourceId, ...store.readReplicas.map((replica) => replica.resourceId)]);
    fixture.expose("address", store.address);
    return { store, binding, again: store.bind(client) };
  });

  it("admits the client's group on the database's port, once however often it binds", () => {
    expect(ingressFromClient(json)).toEqual([expect.objectContaining({ from_port: POSTGRES_PORT, to_port: POSTGRES_PORT, ip_protocol: "tcp" })]);
  });

  it("tells the client the writer's address and port, and the database user named after it", () => {
    expect(Object.keys(built.binding.environment).sort()).toEqual(["DATABASE_HOST", "DATABASE_PORT", "DATABASE_USER"]);
    const environment = output(json, "environment");
    expect(environment.DATABASE_HOST).toBe(output(json, "address"));
    expect(environment.DATABASE_USER).toBe("loan_service");
    expect(output(json, "secrets")).toEqual({});
  });

  it("grants rds-db:connect as that user on the writer and every replica, into the task role's policy", () => {
    const user = output(json, "environment").DATABASE_USER;
    const expected = output(json, "instances").map((resourceId: string) => `arn:aws:rds-db:us-east-1:${FIXTURE_ACCOUNT}:dbuser:${resourceId}/${user}`);
    const granted = output(json, "granted");
    expect(granted).toEqual([expect.objectContaining({ Effect: "Allow", Action: "rds-db:connect", Resource: expected })]);
    expect(policyOf(json, "task_role")).toEqual(granted);
  });

  it("binding the same client twice grants the same statement once (same Sid, same content)", () => {
    expect(built.again.grants.flatMap((grant) => grant.statements.map((statement) => statement.Sid))).toEqual(
      built.binding.grants.flatMap((grant) => grant.statements.map((statement) => statement.Sid)),
    );
    expect(policyOf(json, "task_role")).toHaveLength(built.binding.grants.flatMap((grant) => grant.statements).length);
  });

  it("grants nothing to the execution role (IAM authentication needs no injected secret)", () => {
    const executionRoleId = output(json, "execution_role");
    expect(Object.values(json.resource.aws_iam_role_policy ?? {}).filter((policy) => policy.role === executionRoleId).map((policy) => JSON.parse(policy.policy as string).Statement)).toEqual([[]]);
  });
});

describe("PostgresDatabase.grantConnect", () => {
  it("refuses a database user PostgreSQL would not accept", () => {
    synthDataStore((fixture) => {
      const store = database(fixture);
      expect(() => store.grantConnect(fixture.role("job"), "Bad-User")).toThrow(/"Bad-User" is not a PostgreSQL user name/);
      // The role needs a statement to synthesize.
      store.grantConnect(fixture.role("other"), "other");
    });
  });
});
