import { SCALING_TABLE } from "../environments/schema";
import type { EnvironmentConfig, RegionConfig } from "../environments/types";
import { dataServiceSizesOf, disasterRecoveryOf } from "../lib/disaster-recovery";
import type { Naming } from "../lib/naming";
import { subnetPlanOf } from "../lib/subnets";
import { type PlatformDeployment, type PlatformService, type ServicePlatformProps, secretEnvironmentName } from "../modules/ecs";
import type { PlatformFunctionsProps } from "../modules/serverless";
import type { DetectionOwnership, SecurityBaselineProps } from "../modules/security";
import type { VpcProps } from "../modules/vpc";

/**
 * The translation from an environment's configuration (environments/types.ts) to the props of the
 * security, network, compute and function modules. Only what the environment decides is here; the
 * constructs the stack owns (keys, subnets, security groups, roles) are added where the modules
 * are built, in regional-stack.ts. The data stores' translation is in data-store-props.ts.
 */

/** What the environment's region roles decide for a stack of one region. */
function regionsOf(environment: EnvironmentConfig, region: RegionConfig) {
  return {
    primary: region.role === "primary",
    standbys: environment.regions.filter((other) => other.role === "standby").map((other) => other.region),
  };
}

export function securityProps(
  environment: EnvironmentConfig,
  region: RegionConfig,
  naming: Naming,
): Omit<SecurityBaselineProps, "cloudfrontProvider"> {
  const { primary, standbys } = regionsOf(environment, region);
  return {
    naming,
    primaryRegion: primary,
    aggregatedRegions: environment.regions.filter((other) => other.role !== "primary").map((other) => other.region),
    services: environment.services,
    logRetentionDays: environment.logRetentionDays,
    wafRateLimitPer5Min: environment.security.wafRateLimitPer5Min,
    shieldAdvanced: environment.security.shieldAdvanced,
    deployRoleArn: `arn:aws:iam::${environment.accountId}:role/${environment.deployRoleName}`,
    detectionOwnership: detectionOwnership(environment, region),
    // Outside protected environments a deleted secret's name is free again after a week.
    secretRecoveryWindowInDays: environment.deletionProtection ? 30 : 7,
    // Every regional stack runs functions (the platform's and the stores' rotation functions).
    lambdaCodeSigning: environment.security.lambdaCodeSigning,
    // The standby's tasks read Secrets Manager replicas of the home primary's secrets: one value,
    // set once, readable in the standby with us-east-1 down (docs/disaster-recovery.md).
    applicationSecrets: region.role === "standby" ? { source: "replicated" } : { source: "declared", replicaRegions: primary ? standbys : [] },
    // The standby's foundation runs no service yet (lib/disaster-recovery.ts).
    workloadRoles: disasterRecoveryOf(environment, region.region).declares === "complete",
  };
}

/** The environment's `accountServices` for one region's detection; an adopted detector needs its id. */
function detectionOwnership(environment: EnvironmentConfig, region: RegionConfig): DetectionOwnership {
  const services = environment.accountServices;
  const ids = environment.accountServiceIds;
  const guardDutyDetectorId = ids?.guardDutyDetectorIds?.[region.region];
  if (services.guardDuty === "adopt" && !guardDutyDetectorId) {
    throw new Error(
      `environments/${environment.name}.ts: accountServiceIds.guardDutyDetectorIds.${region.region}: required when accountServices.guardDuty is "adopt" (the detector id it imports)`,
    );
  }
  return {
    guardDuty: services.guardDuty,
    securityHub: services.securityHub,
    config: services.config,
    guardDutyDetectorId,
    configRecorderName: ids?.configRecorderName,
    configDeliveryChannelName: ids?.configDeliveryChannelName,
  };
}

export function networkProps(region: RegionConfig, naming: Naming): Omit<VpcProps, "flowLogs"> {
  return {
    naming,
    cidr: region.vpcCidr,
    availabilityZones: region.availabilityZones,
    subnets: subnetPlanOf(region),
    natGateways: region.natGateways,
  };
}

/**
 * The environment's deployment settings as the compute module's union; blue/green needs a traffic
 * shift. A standby region deploys rolling in every mode: ECS then follows each new task definition
 * (the release pins), where CodeDeploy would leave the services on the old one until a deployment.
 */
function deploymentOf(environment: EnvironmentConfig, region: RegionConfig): PlatformDeployment {
  const { deployment } = environment.compute;
  if (deployment.strategy === "rolling" || region.role === "standby") {
    return { strategy: "rolling", minimumHealthyPercent: deployment.minimumHealthyPercent };
  }
  if (!deployment.trafficShifting) {
    throw new Error(`environments/${environment.name}.ts: compute.deployment.trafficShifting: required with blue-green`);
  }
  return {
    strategy: "blue-green",
    trafficShifting: deployment.trafficShifting,
    blueTerminationWaitMinutes: deployment.blueTerminationWaitMinutes,
    minimumHealthyPercent: deployment.minimumHealthyPercent,
  };
}

/**
 * One service as the compute module runs it: the catalogue entry, its release tag, and what its
 * bindings (`IDataStore.bind`) and application secrets told it.
 */
export function platformService(
  environment: EnvironmentConfig,
  service: EnvironmentConfig["services"][number],
  bound: { readonly environment: Readonly<Record<string, string>>; readonly secrets: Readonly<Record<string, string>> },
  applicationSecretValueFrom: (name: string) => string,
): PlatformService {
  return {
    name: service.name,
    cpu: service.cpu,
    memoryMiB: service.memoryMiB,
    desiredCount: service.desiredCount,
    autoscaling: service.autoscaling,
    paths: service.paths,
    containerPort: service.containerPort,
    healthCheckPath: service.healthCheckPath,
    spotEligible: service.spotEligible,
    imageTag: environment.release.images?.[service.name] ?? environment.release.version,
    environment: bound.environment,
    secrets: {
      ...Object.fromEntries((service.secrets ?? []).map((secret) => [secretEnvironmentName(secret), applicationSecretValueFrom(secret)])),
      ...bound.secrets,
    },
  };
}

export function computeProps(
  environment: EnvironmentConfig,
  region: RegionConfig,
  naming: Naming,
  services: readonly PlatformService[],
): Pick<
  ServicePlatformProps,
  | "naming"
  | "services"
  | "deployment"
  | "logRetentionDays"
  | "commonEnvironment"
  | "fixedTaskCount"
  | "fargateSpot"
  | "executeCommand"
  | "imageRetentionDays"
  | "releaseImagesKept"
  | "scaling"
  | "offHours"
  | "deletionProtection"
  | "replicateImagesTo"
> {
  const { primary, standbys } = regionsOf(environment, region);
  // A region taking traffic runs the catalogue's counts; the fixed count is the standby's.
  const taskCount = disasterRecoveryOf(environment, region.region).capacity === "production" ? undefined : region.serviceTaskCount;
  return {
    naming,
    services,
    deployment: deploymentOf(environment, region),
    logRetentionDays: environment.logRetentionDays,
    commonEnvironment: { LMA_ENVIRONMENT: environment.name, LMA_REGION_ROLE: region.role },
    fixedTaskCount: taskCount === undefined || taskCount === "catalogue" ? undefined : taskCount,
    fargateSpot: environment.fargateSpot,
    executeCommand: environment.compute.executeCommand,
    imageRetentionDays: environment.compute.imageRetentionDays,
    releaseImagesKept: environment.compute.releaseImagesKept,
    scaling: environment.compute.scaling ?? SCALING_TABLE,
    offHours: environment.offHours,
    deletionProtection: environment.deletionProtection,
    // ECR replication is registry-wide: only the primary declares it, towards the standby.
    replicateImagesTo: primary ? standbys : [],
  };
}

export function functionsProps(
  environment: EnvironmentConfig,
  region: RegionConfig,
  naming: Naming,
): Pick<PlatformFunctionsProps, "naming" | "functions" | "versions" | "logRetentionDays" | "emailIdentityArn" | "schedulesEnabled" | "processDocuments"> {
  return {
    schedulesEnabled: dataServiceSizesOf(environment, region.region).scheduledJobsEnabled,
    processDocuments: disasterRecoveryOf(environment, region.region).mode === "active",
    naming,
    functions: environment.functions,
    versions: environment.release.functions,
    logRetentionDays: environment.logRetentionDays,
    emailIdentityArn: naming.arn("ses", `identity/${environment.dns.zoneName}`),
  };
}
