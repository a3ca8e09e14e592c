import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import type { EnvironmentConfig } from "../../../environments/types";
import { Naming } from "../../../lib/naming";
import { serviceNames } from "../../../modules/ecs/names";
import { guardDutyAgentRepositoryArn, secretName } from "../../../modules/security";
import { replicatedSecretReference } from "../../../modules/security/secrets";
import { synthRegional } from "../../support/synth";
import { keyNamed, matching, only, ref, type Resource, statementsOf } from "../s3/support";

/**
 * Each service's execution role, as the whole regional stack grants it: the security baseline
 * (its application secrets), modules/ecs (registry, repository, log group, sidecars) and the
 * stores' `bind` (credentials it injects). Expected values come from the catalogue.
 */
const CASES = [
  ["production primary", production, 0],
  ["production standby", production, 1],
  ["dev", dev, 0],
] as const;

describe.each(CASES)("%s: one execution role per service", (_, environment: EnvironmentConfig, regionIndex) => {
  const region = environment.regions[regionIndex]!;
  const { json } = synthRegional(environment, regionIndex);
  const naming = new Naming(environment.name, region.region, environment.accountId);
  /** The standby reads Secrets Manager's replicas of the primary's secrets (__tests__/dr/application-secrets.test.ts). */
  const secretResource = (secret: string) =>
    region.role === "standby"
      ? replicatedSecretReference(naming, secret).iamResource
      : ref("aws_secretsmanager_secret", only(json, "aws_secretsmanager_secret", (body) => body.name === secretName(naming, secret))[0], "arn");
  /** Credentials a store's `bind` injects: the broker's per-client secret, where this region has a broker. */
  const boundCredentials = (service: EnvironmentConfig["services"][number]) =>
    service.uses?.includes("queue") ? matching(json, "aws_secretsmanager_secret", (body) => body.name === `${naming.prefix}/rabbitmq/clients/${service.name}`).map(([name]) => name) : [];
  const roleOf = (service: string) => only(json, "aws_iam_role", (body) => body.name === naming.globalName(`${service}-execution`))[0];
  const policyOf = (role: string) => only(json, "aws_iam_role_policy", (body) => body.role === ref("aws_iam_role", role, "id"))[1].policy;
  const resourcesFor = (statements: Resource[], action: string) =>
    statements.filter((statement) => [statement.Action].flat().includes(action)).flatMap((statement) => [statement.Resource].flat());

  it.each(environment.services.map((service) => [service.name, service] as const))("%s reads exactly its own secrets, repository and log group", (_name, service) => {
    const role = roleOf(service.name);
    const statements = statementsOf(policyOf(role));
    const names = serviceNames(naming, service.name);

    const ownSecrets = (service.secrets ?? []).map(secretResource);
    const ownCredentials = boundCredentials(service).map((secret) => ref("aws_secretsmanager_secret", secret, "arn"));
    expect(resourcesFor(statements, "secretsmanager:GetSecretValue").sort()).toEqual([...ownSecrets, ...ownCredentials].sort());

    const repositories = resourcesFor(statements, "ecr:BatchGetImage").filter((arn) => !arn.includes(":repository/ecr-public/"));
    expect(repositories.sort()).toEqual([naming.arn("ecr", `repository/${names.repository}`), guardDutyAgentRepositoryArn(region.region)].sort());

    const logGroup = naming.arn("logs", `log-group:${names.logGroup}`);
    expect(resourcesFor(statements, "logs:PutLogEvents").sort()).toEqual([logGroup, `${logGroup}:log-stream:*`].sort());
  });

  it("no execution role is shared: each service's task definition names its own", () => {
    for (const service of environment.services) {
      const [, task] = only(json, "aws_ecs_task_definition", (body) => body.family === serviceNames(naming, service.name).service);
      expect(task.execution_role_arn).toBe(ref("aws_iam_role", roleOf(service.name), "arn"));
    }
  });

  it("the secrets key's policy names exactly the execution roles that decrypt through Secrets Manager", () => {
    const decrypting = environment.services
      .filter((service) => (service.secrets ?? []).length > 0 || boundCredentials(service).length > 0)
      .map((service) => ref("aws_iam_role", roleOf(service.name), "arn"));
    const key = json.resource.aws_kms_key![keyNamed(json, `${naming.prefix}-secrets`)] as Resource;
    const named = statementsOf(key.policy)
      .filter((statement) => statement.Effect === "Allow" && [statement.Action].flat().includes("kms:Decrypt"))
      .flatMap((statement) => [statement.Principal?.AWS ?? []].flat())
      .filter((principal: string) => principal.startsWith("${aws_iam_role.") && /execution/.test(principal));
    for (const role of decrypting) expect(named).toContain(role);
    expect(new Set(named)).toEqual(new Set(decrypting));
  });
});
