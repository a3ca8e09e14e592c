import { production } from "../../environments/production";
import { homeRegionOf } from "../../lib/disaster-recovery";
import { Naming } from "../../lib/naming";
import { secretEnvironmentName, serviceNames } from "../../modules/ecs";
import { secretName } from "../../modules/security";
import { listOf, type SynthesizedStack } from "../support/synth";
import { productionWith, standbyRegion, synthRegion } from "./modes";

/**
 * The application secrets across the two regions: declared once, in the home primary's stack,
 * with a Secrets Manager replica in the standby region; the standby's tasks and execution roles
 * name those replicas in both modes. Expected names come from the catalogue and the naming convention.
 */
const home = homeRegionOf(production);
const standbyNaming = new Naming(production.name, standbyRegion, production.accountId);
const applicationSecrets = [...new Set(production.services.flatMap((service) => service.secrets ?? []))].sort();
const readers = production.services.filter((service) => (service.secrets ?? []).length > 0);
const replicaArnPattern = (secret: string) => `arn:aws:secretsmanager:${standbyRegion}:${production.accountId}:secret:${secretName(standbyNaming, secret)}-??????`;

type Body = Record<string, any>;
const containerSecrets = (json: SynthesizedStack, service: string): Record<string, string> => {
  const task = listOf(json, "aws_ecs_task_definition").find((candidate) => candidate.family === serviceNames(standbyNaming, service).service)!;
  const containers = JSON.parse(String(task.container_definitions)) as Body[];
  return Object.fromEntries(containers.flatMap((container) => (container.secrets ?? []) as Body[]).map((secret) => [secret.name, secret.valueFrom]));
};
/** Resources of the execution role's inline policy that `secretsmanager:GetSecretValue` is allowed on. */
const secretReads = (json: SynthesizedStack, service: string): string[] => {
  const roleName = standbyNaming.globalName(`${service}-execution`);
  const [roleId] = Object.entries(json.resource.aws_iam_role ?? {}).find(([, role]) => (role as Body).name === roleName)!;
  const policy = listOf(json, "aws_iam_role_policy").find((candidate) => candidate.role === `\${aws_iam_role.${roleId}.id}`)!;
  return (JSON.parse(String(policy.policy)).Statement as Body[])
    .filter((statement) => [statement.Action].flat().includes("secretsmanager:GetSecretValue"))
    .flatMap((statement) => [statement.Resource].flat());
};

it("the catalogue has services reading application secrets (else this file proves nothing)", () => {
  expect(readers.length).toBeGreaterThan(0);
});

describe(`the home primary (${home}) declares each application secret with a replica in ${standbyRegion}`, () => {
  const primary = synthRegion(production, home);
  const declared = listOf(primary, "aws_secretsmanager_secret").filter((secret) => applicationSecrets.map((name) => secretName(standbyNaming, name)).includes(String(secret.name)));

  it("one secret per name, each replicated under the standby's secrets key by alias ARN", () => {
    expect(declared.map((secret) => secret.name).sort()).toEqual(applicationSecrets.map((name) => secretName(standbyNaming, name)).sort());
    for (const secret of declared) {
      expect(secret.replica).toEqual([{ region: standbyRegion, kms_key_id: standbyNaming.arn("kms", `alias/${standbyNaming.prefix}-secrets`) }]);
    }
  });
});

describe.each([
  ["warm standby", production],
  ["failover", productionWith({ activeRegion: standbyRegion })],
])(`the standby region (${standbyRegion}) in %s`, (_mode, environment) => {
  const standby = synthRegion(environment, standbyRegion);

  it("declares no application secret of its own", () => {
    const names = listOf(standby, "aws_secretsmanager_secret").map((secret) => secret.name);
    for (const secret of applicationSecrets) expect(names).not.toContain(secretName(standbyNaming, secret));
  });

  it.each(readers.map((service) => [service.name, service] as const))("%s's tasks read the replicas by name", (_name, service) => {
    const injected = containerSecrets(standby, service.name);
    for (const secret of service.secrets ?? []) expect(injected[secretEnvironmentName(secret)]).toBe(secretName(standbyNaming, secret));
  });

  it.each(production.services.map((service) => [service.name, service] as const))("%s's execution role reads only its own replicas", (_name, service) => {
    const replicas = secretReads(standby, service.name).filter((resource) => resource.startsWith(`arn:aws:secretsmanager:${standbyRegion}:${production.accountId}:secret:${standbyNaming.prefix}/`));
    const stackOwned = secretReads(standby, service.name).filter((resource) => !replicas.includes(resource));
    expect(replicas.sort()).toEqual((service.secrets ?? []).map(replicaArnPattern).sort());
    // Whatever else it reads is a credential this stack declares (a store's `bind`), by reference.
    for (const resource of stackOwned) expect(resource).toMatch(/^\$\{aws_secretsmanager_secret\.[^.]+\.arn\}$/);
  });
});
