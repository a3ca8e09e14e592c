/**
 * Small fixtures for the data-store construct tests: keys, security groups and clients (a task
 * role, an execution role and a client security group), synthesized with `Testing.synthScope`
 * so a store can be built and bound without synthesizing a whole environment.
 */
import { TerraformOutput, Testing } from "cdktf";
import type { Construct } from "constructs";
import type { DataStoreBinding, DataStoreClient, IDataStore } from "../../../lib/data-store";
import { Naming } from "../../../lib/naming";
import { Role } from "../../../modules/iam-role";
import { KmsKey } from "../../../modules/kms-key";
import { Port, SecurityGroup } from "../../../modules/security-group";
import type { SynthesizedStack } from "../../support/synth";
import { type Resource, only, statementsOf } from "./support";

export const FIXTURE_ACCOUNT = "123456789012";

/** A bound client: the fixture's roles and group, kept concrete so tests can find their resources. */
export interface FixtureClient extends DataStoreClient {
  readonly taskRole: Role;
  readonly executionRole?: Role;
  readonly connectable?: SecurityGroup;
}

export interface Fixture {
  readonly scope: Construct;
  readonly naming: Naming;
  key(alias: string): KmsKey;
  securityGroup(name: string, port?: number): SecurityGroup;
  role(name: string): Role;
  /** A service client named `name`: task role, execution role (ECS) and its own group. */
  client(name: string, options?: { executionRole?: boolean; connectable?: boolean }): FixtureClient;
  /** Makes `value` (tokens included) readable in the synthesized JSON as `output[name].value`. */
  expose(name: string, value: unknown): void;
}

/** Runs `build` in a fresh scope and returns what it built with the synthesized JSON. */
export function synthDataStore<T>(build: (fixture: Fixture) => T): { json: SynthesizedStack; built: T } {
  let built: T | undefined;
  const text = Testing.synthScope((scope) => {
    const naming = new Naming("dev", "us-east-1", FIXTURE_ACCOUNT);
    const securityGroup = (name: string, port?: number) =>
      new SecurityGroup(scope as Construct, `${name}-group`, {
        naming,
        name,
        description: name,
        vpcId: "vpc-1",
        defaultPort: port === undefined ? undefined : Port.tcp(port),
      });
    const role = (name: string) => new Role(scope as Construct, `${name}-role`, { name, description: name, assumeRolePolicy: "{}" });
    built = build({
      scope: scope as Construct,
      naming,
      key: (alias) => new KmsKey(scope as Construct, `${alias}-key`, { naming, alias, description: alias }),
      securityGroup,
      role,
      client: (name, options = {}) => ({
        name,
        taskRole: role(`${name}-task`),
        executionRole: options.executionRole === false ? undefined : role(`${name}-execution`),
        connectable: options.connectable === false ? undefined : securityGroup(`svc-${name}`, 8080),
      }),
      expose: (name, value) => new TerraformOutput(scope as Construct, name, { value }),
    });
  });
  return { json: JSON.parse(text) as SynthesizedStack, built: built as T };
}

/** Exposes what a binding returned and granted, and the ids that name the store's and client's resources. */
export function exposeBinding(fixture: Fixture, store: IDataStore, client: FixtureClient, binding: DataStoreBinding): void {
  fixture.expose("environment", binding.environment);
  fixture.expose("secrets", binding.secrets);
  fixture.expose("granted", binding.grants.flatMap((grant) => grant.statements));
  fixture.expose("store_group", store.connections?.securityGroupId ?? "");
  fixture.expose("client_group", client.connectable?.id ?? "");
  fixture.expose("task_role", client.taskRole.role.id);
  fixture.expose("execution_role", client.executionRole?.role.id ?? "");
}

export function output(json: SynthesizedStack, name: string): any {
  const found = json.output?.[name];
  if (!found) throw new Error(`no output ${name}`);
  return found.value;
}

/** The statements of the inline policy of the role whose id is exposed as `roleOutput`. */
export function policyOf(json: SynthesizedStack, roleOutput: "task_role" | "execution_role"): Resource[] {
  const roleId = output(json, roleOutput);
  return statementsOf(only(json, "aws_iam_role_policy", (body) => body.role === roleId)[1].policy);
}

/** The ingress rules of the store's group that admit the client's group (ids as exposed). */
export function ingressFromClient(json: SynthesizedStack): Resource[] {
  const storeGroup = output(json, "store_group");
  const clientGroup = output(json, "client_group");
  const rules = Object.values(json.resource.aws_vpc_security_group_ingress_rule ?? {}) as Resource[];
  return rules.filter((rule) => rule.security_group_id === storeGroup && rule.referenced_security_group_id === clientGroup);
}
