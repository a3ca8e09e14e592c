/**
 * `npx tsx scripts/redeploy.ts <environment> <service> [--region <region>] [--outputs <file>] [--create]`
 *
 * Starts (with --create) or prints the CodeDeploy deployment that brings a blue/green service's
 * tasks to what Terraform last applied. Under the CODE_DEPLOY controller ECS refuses to change a
 * service's task definition, network configuration, platform version, capacity providers and
 * ECS Exec through UpdateService, so Terraform ignores them (modules/ecs/service.ts
 * `REFUSED_UNDER_CODE_DEPLOY`) and publishes their applied values in the regional stack's output
 * `blue_green_deployments`; this script turns that output into an AppSpec and a deployment.
 *
 * The output comes from `terraform output -json` of the stack `lma-<environment>-<region>` (run
 * in cdktf.out/stacks/<stack> after `terraform init`), or from --outputs <file> holding that JSON.
 * The region defaults to the environment's primary. ECS Exec is the one setting an AppSpec cannot
 * carry: the script first sends UpdateService with `--enable-execute-command` (or
 * `--disable-execute-command`) alone, which the CODE_DEPLOY controller accepts, and the new task
 * set then starts with it. docs/blue-green.md has the procedures.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadEnvironments } from "../environments";
import type { EnvironmentConfig } from "../environments/types";
import { readAppContext } from "../lib/app-context";
import type { BlueGreenDeploymentInputs } from "../modules/ecs";

const USAGE = "usage: npx tsx scripts/redeploy.ts <environment> <service> [--region <region>] [--outputs <file>] [--create]";
/** The stack output modules/ecs/platform.ts writes. */
export const DEPLOYMENTS_OUTPUT = "blue_green_deployments";

export class RedeployError extends Error {}

/** The region a redeploy targets: the one asked for, or the environment's primary. */
export function targetRegion(environment: EnvironmentConfig, region: string | undefined): string {
  const regions = environment.regions.map((candidate) => candidate.region);
  if (region === undefined) return environment.regions.find((candidate) => candidate.role === "primary")!.region;
  if (!regions.includes(region as (typeof regions)[number])) {
    throw new RedeployError(`${environment.name} runs in ${regions.join(", ")}, not ${region} (environments/${environment.name}.ts: regions)`);
  }
  return region;
}

/** The service's deployment inputs from `terraform output -json`; refuses rolling environments and unknown services. */
export function deploymentInputs(environment: EnvironmentConfig, service: string, outputs: unknown): BlueGreenDeploymentInputs {
  if (environment.compute.deployment.strategy !== "blue-green") {
    throw new RedeployError(
      `${environment.name} deploys rolling (environments/${environment.name}.ts: compute.deployment.strategy): terraform apply replaces its tasks itself`,
    );
  }
  if (!environment.services.some((candidate) => candidate.name === service)) {
    throw new RedeployError(`${environment.name} has no service "${service}" (known: ${environment.services.map((candidate) => candidate.name).join(", ")})`);
  }
  const output = (outputs as Record<string, { value?: Record<string, BlueGreenDeploymentInputs> }> | undefined)?.[DEPLOYMENTS_OUTPUT];
  const inputs = output?.value?.[service];
  if (!inputs) throw new RedeployError(`the stack's outputs have no ${DEPLOYMENTS_OUTPUT}.${service}: apply the stack first`);
  return inputs;
}

/** The ECS AppSpec (CodeDeploy AppSpec reference, "AppSpec 'resources' section for Amazon ECS deployments"). */
export function appSpec(inputs: BlueGreenDeploymentInputs): object {
  return {
    version: 0.0,
    Resources: [
      {
        TargetService: {
          Type: "AWS::ECS::Service",
          Properties: {
            TaskDefinition: inputs.taskDefinitionArn,
            LoadBalancerInfo: { ContainerName: inputs.containerName, ContainerPort: inputs.containerPort },
            PlatformVersion: inputs.platformVersion,
            NetworkConfiguration: {
              AwsvpcConfiguration: {
                Subnets: [...inputs.subnets],
                SecurityGroups: [...inputs.securityGroups],
                AssignPublicIp: inputs.assignPublicIp ? "ENABLED" : "DISABLED",
              },
            },
            CapacityProviderStrategy: inputs.capacityProviderStrategy.map((item) => ({
              CapacityProvider: item.capacityProvider,
              Weight: item.weight,
              Base: item.base ?? 0,
            })),
          },
        },
      },
    ],
  };
}

/** The AWS CLI calls of a redeploy: ECS Exec's flag alone, then the CodeDeploy deployment. */
export function redeployCommands(inputs: BlueGreenDeploymentInputs, region: string, description: string): string[][] {
  const createDeployment = {
    applicationName: inputs.application,
    deploymentGroupName: inputs.deploymentGroup,
    description,
    revision: { revisionType: "AppSpecContent", appSpecContent: { content: JSON.stringify(appSpec(inputs)) } },
  };
  return [
    [
      "ecs",
      "update-service",
      "--region",
      region,
      "--cluster",
      inputs.cluster,
      "--service",
      inputs.service,
      inputs.enableExecuteCommand ? "--enable-execute-command" : "--disable-execute-command",
    ],
    ["deploy", "create-deployment", "--region", region, "--cli-input-json", JSON.stringify(createDeployment)],
  ];
}

function readOutputs(stack: string, file: string | undefined): unknown {
  if (file) return JSON.parse(readFileSync(file, "utf8"));
  const directory = join(__dirname, "..", "cdktf.out", "stacks", stack);
  return JSON.parse(execFileSync("terraform", [`-chdir=${directory}`, "output", "-json"], { encoding: "utf8" }));
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { region: { type: "string" }, outputs: { type: "string" }, create: { type: "boolean", default: false } },
  });
  const [name, service] = positionals;
  if (!name || !service || positionals.length > 2) throw new RedeployError(USAGE);
  const { context, issues } = readAppContext();
  const environment = loadEnvironments(context, undefined, issues).find(({ config }) => config.name === name)?.config;
  if (!environment) throw new RedeployError(`no environment "${name}" in cdktf.json's context`);
  const region = targetRegion(environment, values.region);
  const stack = `lma-${environment.name}-${region}`;
  const inputs = deploymentInputs(environment, service, readOutputs(stack, values.outputs));
  const commands = redeployCommands(inputs, region, `scripts/redeploy.ts: ${stack} ${service}`);
  for (const command of commands) {
    console.log(["aws", ...command.map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : `'${part.replace(/'/g, "'\\''")}'`))].join(" "));
    if (values.create) execFileSync("aws", command, { stdio: "inherit" });
  }
  if (!values.create) console.log("(printed only: add --create to run them)");
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    if (!(error instanceof RedeployError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
