/**
 * scripts/redeploy.ts and the `blue_green_deployments` output it reads: the output carries, for
 * every blue/green service, exactly what Terraform ignores on the service, and the script turns it
 * into an AppSpec and the AWS CLI calls of a CodeDeploy deployment.
 */
import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import type { BlueGreenDeploymentInputs } from "../../../modules/ecs";
import { appSpec, DEPLOYMENTS_OUTPUT, deploymentInputs, RedeployError, redeployCommands, targetRegion } from "../../../scripts/redeploy";
import { synthRegional } from "../../support/synth";
import { one } from "./find";

const { json } = synthRegional(production, 0);
const output = (json as unknown as { output: Record<string, { value: Record<string, BlueGreenDeploymentInputs> }> }).output[DEPLOYMENTS_OUTPUT]!;
/** What `terraform output -json` prints: the synthesized references stand in for the applied values. */
const terraformOutputs = { [DEPLOYMENTS_OUTPUT]: { value: output.value, type: "object", sensitive: false } };

describe("the blue_green_deployments output", () => {
  it("has every catalogue service", () => {
    expect(Object.keys(output.value).sort()).toEqual(production.services.map((service) => service.name).sort());
  });

  it.each(production.services.map((service) => service.name))("carries what the %s service's own resources say", (name) => {
    const service = one(json, "aws_ecs_service", "name", `lma-production-${name}`);
    const inputs = output.value[name]!;
    const network = service.network_configuration as { subnets: string[]; security_groups: string[]; assign_public_ip: boolean };
    expect(inputs.subnets).toEqual(network.subnets);
    expect(inputs.securityGroups).toEqual(network.security_groups);
    expect(inputs.assignPublicIp).toBe(network.assign_public_ip);
    expect(inputs.taskDefinitionArn).toBe(service.task_definition);
    expect(inputs.platformVersion).toBe(service.platform_version);
    expect(inputs.enableExecuteCommand).toBe(service.enable_execute_command);
    expect(inputs.capacityProviderStrategy.map((item) => item.capacityProvider)).toEqual(
      (service.capacity_provider_strategy as { capacity_provider: string }[]).map((item) => item.capacity_provider),
    );
    const [loadBalancer] = service.load_balancer as { container_name: string; container_port: number }[];
    expect([inputs.containerName, inputs.containerPort]).toEqual([loadBalancer!.container_name, loadBalancer!.container_port]);
  });
});

describe("scripts/redeploy.ts", () => {
  const service = production.services[0]!.name;
  const inputs = deploymentInputs(production, service, terraformOutputs);

  it("writes an ECS AppSpec with the applied task definition, container, port, network and capacity", () => {
    const [resource] = (appSpec(inputs) as { Resources: { TargetService: { Type: string; Properties: any } }[] }).Resources;
    expect(resource!.TargetService.Type).toBe("AWS::ECS::Service");
    expect(resource!.TargetService.Properties).toMatchObject({
      TaskDefinition: inputs.taskDefinitionArn,
      LoadBalancerInfo: { ContainerName: inputs.containerName, ContainerPort: inputs.containerPort },
      PlatformVersion: inputs.platformVersion,
      NetworkConfiguration: { AwsvpcConfiguration: { Subnets: inputs.subnets, SecurityGroups: inputs.securityGroups, AssignPublicIp: "DISABLED" } },
    });
  });

  it("sets ECS Exec alone through UpdateService, then deploys the AppSpec through the service's deployment group", () => {
    const [exec, deploy] = redeployCommands(inputs, "us-east-1", "test");
    expect(exec).toEqual([
      "ecs",
      "update-service",
      "--region",
      "us-east-1",
      "--cluster",
      inputs.cluster,
      "--service",
      inputs.service,
      production.compute.executeCommand ? "--enable-execute-command" : "--disable-execute-command",
    ]);
    expect(deploy!.slice(0, 4)).toEqual(["deploy", "create-deployment", "--region", "us-east-1"]);
    const request = JSON.parse(deploy![5]!);
    expect(request).toMatchObject({ applicationName: inputs.application, deploymentGroupName: inputs.deploymentGroup, revision: { revisionType: "AppSpecContent" } });
    expect(JSON.parse(request.revision.appSpecContent.content)).toEqual(appSpec(inputs));
  });

  it("targets the primary region unless told otherwise, and only the environment's regions", () => {
    expect(targetRegion(production, undefined)).toBe(production.regions.find((region) => region.role === "primary")!.region);
    const standby = production.regions.find((region) => region.role === "standby")!.region;
    expect(targetRegion(production, standby)).toBe(standby);
    expect(() => targetRegion(production, "ap-south-1")).toThrow(RedeployError);
  });

  it("refuses rolling environments, unknown services and unapplied stacks", () => {
    expect(() => deploymentInputs(dev, service, terraformOutputs)).toThrow(/deploys rolling .*compute\.deployment\.strategy/);
    expect(() => deploymentInputs(production, "nonexistent", terraformOutputs)).toThrow(/no service "nonexistent"/);
    expect(() => deploymentInputs(production, service, {})).toThrow(/apply the stack first/);
  });
});
