import type { EnvironmentConfig } from "../../environments/types";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { RegionalStack } from "../../stacks/regional-stack";
import { listOf, type SynthesizedStack, undeclaredReferences } from "../../tooling/stack-json";

/** A stack of the app, with the configuration it was built from. */
export interface ConfiguredStack {
  readonly name: string;
  readonly environment: EnvironmentConfig;
  /** The region of a regional stack; undefined for the bootstrap stack. */
  readonly region?: EnvironmentConfig["regions"][number];
  readonly json: SynthesizedStack;
}

/** Data sources that read nothing from AWS or from other stacks at plan time. */
export const OFFLINE_DATA_SOURCES = ["aws_partition", "aws_region", "aws_iam_policy_document"];

/** Which configured AWS stack a synthesized stack name is: a bootstrap or a regional stack. */
export function configuredStack(name: string, json: SynthesizedStack, environments: readonly EnvironmentConfig[]): ConfiguredStack {
  for (const environment of environments) {
    if (name === BootstrapStack.stackName(environment.name)) return { name, environment, json };
    const region = environment.regions.find((candidate) => name === RegionalStack.stackName(environment.name, candidate.region));
    if (region) return { name, environment, region, json };
  }
  throw new Error(`${name} is no AWS stack of the configured environments (${environments.map((environment) => environment.name).join(", ")})`);
}

export const deployRoleArn = (environment: EnvironmentConfig) => `arn:aws:iam::${environment.accountId}:role/${environment.deployRoleName}`;

/**
 * What must hold of every stack of any configuration, as a list of problems (empty when it holds):
 * the rules the README's "Design rules" state, checked on the JSON against the configuration, so a
 * new service or environment is held to them without a test naming it.
 */
export function stackInvariantViolations({ name, environment, region, json }: ConfiguredStack): string[] {
  const problems = undeclaredReferences(json).map((reference) => `reference to nothing declared in the stack: ${reference}`);
  const home = region?.region ?? environment.regions[0]!.region;
  const providers = json.provider?.aws ?? [];
  if (providers[0]?.region !== home) problems.push(`default aws provider in ${String(providers[0]?.region)}, not ${home}`);
  for (const provider of providers) {
    const where = `provider ${String(provider.alias ?? "default")}`;
    if (JSON.stringify(provider.allowed_account_ids) !== JSON.stringify([environment.accountId])) problems.push(`${where}: may touch accounts other than ${environment.accountId}`);
    const roles = (provider.assume_role as { role_arn?: string }[] | undefined)?.map((role) => role.role_arn);
    if (JSON.stringify(roles) !== JSON.stringify([deployRoleArn(environment)])) problems.push(`${where}: not through the deploy role`);
  }
  const reads = Object.keys(json.data ?? {}).filter((type) => !OFFLINE_DATA_SOURCES.includes(type));
  if (reads.length > 0) problems.push(`reads at plan time: ${reads.join(", ")}`);

  const backend = json.terraform.backend as Record<string, Record<string, unknown>> | undefined;
  if (!region) {
    if (backend?.local?.path !== `terraform.${name}.tfstate`) problems.push(`bootstrap stack without its local state file: ${JSON.stringify(backend)}`);
    const buckets = listOf(json, "aws_s3_bucket").map((bucket) => bucket.bucket);
    for (const { region: each } of environment.regions) {
      const stateBucket = `lma-${environment.name}-tfstate-${each}-${environment.accountId}`;
      if (!buckets.includes(stateBucket)) problems.push(`no state bucket ${stateBucket}`);
    }
    return problems;
  }

  const state = backend?.s3;
  if (!state || state.key !== `${name}/terraform.tfstate` || state.region !== region.region || state.encrypt !== true || state.use_lockfile !== true) {
    problems.push(`state not in its own region's bucket, encrypted and locked: ${JSON.stringify(backend)}`);
  }
  if (region.role === "standby" && providers.some((provider) => provider.region !== region.region)) {
    problems.push(`the standby region has a provider for another region: it could not plan while that region is down`);
  }
  const named = (type: string, key: string) => new Set(listOf(json, type).map((resource) => resource[key]));
  const services = named("aws_ecs_service", "name");
  const taskFamilies = named("aws_ecs_task_definition", "family");
  const targetGroups = named("aws_lb_target_group", "name");
  for (const service of environment.services) {
    const serviceName = `lma-${environment.name}-${service.name}`;
    if (!services.has(serviceName)) problems.push(`catalogue service ${service.name} has no ECS service ${serviceName}`);
    if (!taskFamilies.has(serviceName)) problems.push(`catalogue service ${service.name} has no task definition ${serviceName}`);
    if (!targetGroups.has(serviceName)) problems.push(`catalogue service ${service.name} has no target group ${serviceName}`);
  }
  if (services.size !== environment.services.length) problems.push(`${services.size} ECS services for ${environment.services.length} catalogue services`);
  return problems;
}
