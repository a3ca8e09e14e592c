import { EcrPullThroughCacheRule } from "@cdktf/provider-aws/lib/ecr-pull-through-cache-rule";
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { Grant, type IGrantee } from "../../lib/grants";
import type { PolicyStatement } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import { tagComponent } from "../../lib/tags";
import type { KmsKey } from "../kms-key";
import type { SecurityGroup } from "../security-group";
import { type OffHoursSchedule, type QueueDepthMetric, type ScalingTable, ServiceAutoscaling } from "./autoscaling";
import { EcsCluster } from "./cluster";
import { BlueGreenDeployment, CodeDeployApplication, DeploymentAlarms, type TrafficShifting } from "./deployment";
import { type AccessLogsDestination, ApiLoadBalancer, type OriginHeader } from "./load-balancer";
import { listenerPriorities, serviceNames } from "./names";
import { declareServiceRepository, ImageRepository, RegistryReplication } from "./repository";
import { FargateService, type ServiceSpec, XRAY_DAEMON_IMAGE_PATH } from "./service";

/** The test listener's port under blue/green. */
export const TEST_LISTENER_PORT = 8443;

/**
 * The region's health path, routed to the health service (`healthCheckService`) like its own
 * paths, origin header included. Route 53 does not request it: region health is the health
 * service's `HealthyHostCount` (modules/edge RegionHealth), which the ALB's own target-group checks
 * feed.
 */
export const REGION_HEALTH_PATH = "/health";

/** ECR Public images (the X-Ray daemon) are pulled through the private registry under this prefix. */
export const ECR_PUBLIC_CACHE_PREFIX = "ecr-public";

/** One service of the platform: its shape, capacity, release and what it is told at start. */
export interface PlatformService extends ServiceSpec {
  /** Tasks to run (autoscaling owns the count afterwards). */
  readonly desiredCount: number;
  readonly autoscaling: {
    readonly min: number;
    readonly max: number;
    /** Step scaling on queue depth: scale out above this many visible messages per running task. @default none */
    readonly queueMessagesPerTask?: number;
    /** Scale in below this many messages per running task; required with `queueMessagesPerTask`. */
    readonly queueScaleInMessagesPerTask?: number;
  };
  /** May run on Fargate Spot, where the platform allows it (`fargateSpot`). @default false */
  readonly spotEligible?: boolean;
  /** The image tag to run (the release). */
  readonly imageTag: string;
  /** Plain settings (data-store endpoints, bucket names). @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Environment variable → Secrets Manager ARN, injected at start. The execution role must
   * already be allowed to read each: the secret's owner grants it (lib/data-store.ts `bind`, or
   * the security baseline for application secrets).
   * @default none
   */
  readonly secrets?: Readonly<Record<string, string>>;
}

/**
 * How new releases replace running tasks. `rolling`: ECS replaces tasks in place, guarded by the
 * circuit breaker with rollback. `blue-green`: CodeDeploy shifts traffic to a new task set behind
 * a second target group and rolls back on failure or on the service's alarms.
 */
export type PlatformDeployment =
  | { readonly strategy: "rolling"; readonly minimumHealthyPercent?: number }
  | {
      readonly strategy: "blue-green";
      readonly trafficShifting: TrafficShifting;
      /** Minutes the old task set keeps running after a successful shift. @default 60 */
      readonly blueTerminationWaitMinutes?: number;
      /** @default 100 */
      readonly minimumHealthyPercent?: number;
    };

export interface ServicePlatformProps {
  /** The environment's naming convention in this region. */
  readonly naming: Naming;
  /** The services, in listener-priority order. */
  readonly services: readonly PlatformService[];
  readonly deployment: PlatformDeployment;
  /** The scaling table: thresholds, durations and cooldowns of every service's scaling. */
  readonly scaling: ScalingTable;
  /** Days container logs and ECS Exec session logs are kept. */
  readonly logRetentionDays: number;
  /** Settings every service gets besides its own (e.g. the environment's name). @default none */
  readonly commonEnvironment?: Readonly<Record<string, string>>;
  /**
   * Run every service with this many tasks (the warm standby's 1), keeping each service's
   * `autoscaling.max` as ceiling so the region can scale to full capacity on failover.
   * @default each service's `desiredCount` and `autoscaling.min`
   */
  readonly fixedTaskCount?: number;
  /** Allow Fargate Spot for services marked `spotEligible`. @default false */
  readonly fargateSpot?: boolean;
  /** ECS Exec into running containers, every session logged. @default false */
  readonly executeCommand?: boolean;
  /** Days ECR keeps an untagged image after its push. @default 90 */
  readonly imageRetentionDays?: number;
  /** Release images ECR keeps per repository, newest first; pinned releases must be among them. @default 30 */
  readonly releaseImagesKept?: number;
  /** Scale every service to zero outside working hours. @default always on */
  readonly offHours?: OffHoursSchedule;
  /** ALB deletion protection and `prevent_destroy` on the image repositories. @default true */
  readonly deletionProtection?: boolean;
  /** The VPC, its public subnets (ALB) and its app subnets (tasks). */
  readonly network: {
    /** The VPC id. */
    readonly vpcId: string;
    /** One per AZ, for the ALB. */
    readonly publicSubnetIds: readonly string[];
    /** One per AZ, for the tasks. */
    readonly appSubnetIds: readonly string[];
  };
  /** Customer-managed keys. */
  readonly keys: {
    /** Container logs, ECS Exec sessions and their log. */
    readonly logs: KmsKey;
    /** ECR image layers. */
    readonly images: KmsKey;
  };
  /** The security-group chain (internet → ALB → services → data). */
  readonly securityGroups: {
    /** The ALB's group. */
    readonly alb: SecurityGroup;
    /** One per service, by name. */
    readonly services: Readonly<Record<string, SecurityGroup>>;
  };
  /** The ECS roles; the platform grants them what its own resources need. */
  readonly roles: {
    /**
     * Each service's own execution role: pulls its image, writes its container logs, reads its
     * secrets. One per service, so no service's agent reads another service's credentials.
     */
    readonly execution: (service: string) => IGrantee;
    /** Each service's own task role. */
    readonly task: (service: string) => IGrantee;
  };
  /**
   * Repositories of images AWS adds to the tasks (GuardDuty Runtime Monitoring's agent), which
   * every execution role must pull like its service's own.
   * @default none
   */
  readonly sidecarImageRepositoryArns?: readonly string[];
  /** An issued certificate for the API's names in this region (HTTPS and test listeners). */
  readonly certificateArn: string;
  /**
   * The header CloudFront adds to API requests, its value a token of the sensitive variable
   * (modules/edge `originVerifyHeader`): every listener rule that forwards to a service requires it.
   */
  readonly originHeader: OriginHeader;
  /** ALB access logs: the logs bucket's name, the ALB's prefix in it, and the bucket policy to wait for. */
  readonly accessLogs: AccessLogsDestination;
  /** The REGIONAL WAF web ACL. @default none */
  readonly webAclArn?: string;
  /**
   * Where a service's queue depth is measured; asked only for services with
   * `autoscaling.queueMessagesPerTask`. Returning `undefined` deliberately skips queue scaling in
   * this region (e.g. the standby, which has no broker).
   * @default none: services that scale on queue depth then fail synthesis, so queue scaling
   * is never dropped by omission
   */
  readonly queueDepthMetric?: (service: PlatformService) => QueueDepthMetric | undefined;
  /**
   * The service whose listener rule also answers `/health` for the region, so the path follows
   * that service's blue/green target group (the region's health alarms watch the same groups).
   * @default the first service
   */
  readonly healthCheckService?: string;
  /**
   * Regions that receive a copy of every image pushed here (the primary region's stack only).
   * @default none
   */
  readonly replicateImagesTo?: readonly string[];
  /**
   * The X-Ray daemon image.
   * @default XRAY_DAEMON_IMAGE_PATH through this registry's ECR Public pull-through cache, so tasks
   * without internet egress pull it through the ECR endpoints like their own images
   */
  readonly xrayDaemonImage?: string;
}

/**
 * Everything that runs the environment's services in one region: the cluster, the ALB, and per
 * service an ECR repository, a Fargate service (task definition, log group, target groups,
 * listener rules), autoscaling, deployment alarms and, under blue/green, a CodeDeploy deployment
 * group. A service added to `services` gets all of it with no other edit. Security groups, roles,
 * keys and the services' settings and secrets are passed in; the platform grants the roles what
 * its own resources need (image pulls, log streams, the X-Ray sidecar, ECS Exec).
 */
export class ServicePlatform extends Construct {
  readonly cluster: EcsCluster;
  readonly loadBalancer: ApiLoadBalancer;
  readonly repositories: Readonly<Record<string, ImageRepository>>;
  readonly services: Readonly<Record<string, FargateService>>;
  readonly autoscaling: Readonly<Record<string, ServiceAutoscaling>>;
  readonly alarms: Readonly<Record<string, DeploymentAlarms>>;
  readonly deployments: Readonly<Record<string, BlueGreenDeployment>>;
  readonly codeDeploy?: CodeDeployApplication;
  readonly replication?: RegistryReplication;

  constructor(scope: Construct, id: string, props: ServicePlatformProps) {
    super(scope, id);
    tagComponent(this, "compute");
    const { naming, deployment } = props;
    const blueGreen = deployment.strategy === "blue-green";
    const deletionProtection = props.deletionProtection ?? true;
    const catalogue = props.services;
    const healthService = props.healthCheckService ?? catalogue[0]?.name;
    if (!catalogue.some((service) => service.name === healthService)) {
      throw new Error(`healthCheckService "${healthService}" is not one of the services`);
    }
    if (catalogue.some((service) => service.paths.includes(REGION_HEALTH_PATH))) {
      throw new Error(`${REGION_HEALTH_PATH} is the region's health check and cannot be a service path`);
    }

    this.cluster = new EcsCluster(this, "cluster", {
      naming,
      kmsKey: props.keys.logs,
      logRetentionInDays: props.logRetentionDays,
    });
    this.loadBalancer = new ApiLoadBalancer(this, "load-balancer", {
      naming,
      vpcId: props.network.vpcId,
      subnetIds: props.network.publicSubnetIds,
      securityGroup: props.securityGroups.alb,
      certificateArn: props.certificateArn,
      originHeader: props.originHeader,
      accessLogs: props.accessLogs,
      webAclArn: props.webAclArn,
      deletionProtection,
      testListenerPort: blueGreen ? TEST_LISTENER_PORT : undefined,
    });
    if (deployment.strategy === "blue-green") {
      this.codeDeploy = new CodeDeployApplication(this, "codedeploy", { naming, trafficShifting: deployment.trafficShifting });
    }
    if (props.replicateImagesTo?.length) {
      this.replication = new RegistryReplication(this, "image-replication", { naming, destinations: props.replicateImagesTo });
    }

    new EcrPullThroughCacheRule(this, "ecr-public-cache", {
      ecrRepositoryPrefix: ECR_PUBLIC_CACHE_PREFIX,
      upstreamRegistryUrl: "public.ecr.aws",
    });
    const xrayDaemonImage =
      props.xrayDaemonImage ?? `${ImageRepository.uri(naming, ECR_PUBLIC_CACHE_PREFIX)}/${XRAY_DAEMON_IMAGE_PATH}`;
    const priorities = listenerPriorities(catalogue.map((service) => service.name));
    const repositories: Record<string, ImageRepository> = {};
    const services: Record<string, FargateService> = {};
    const autoscaling: Record<string, ServiceAutoscaling> = {};
    const alarms: Record<string, DeploymentAlarms> = {};
    const deployments: Record<string, BlueGreenDeployment> = {};

    for (const config of catalogue) {
      const names = serviceNames(naming, config.name);
      const securityGroup = props.securityGroups.services[config.name];
      if (!securityGroup) throw new Error(`no security group for service "${config.name}"`);
      const scope = new Construct(this, config.name);
      const executionRole = props.roles.execution(config.name);
      Grant.addToPrincipal(executionRole, executionStatements(naming, config.name, props.sidecarImageRepositoryArns ?? []));

      const repository = declareServiceRepository(this, config.name, {
        naming,
        kmsKey: props.keys.images,
        untaggedRetentionDays: props.imageRetentionDays,
        releaseImagesKept: props.releaseImagesKept,
        preventDestroy: deletionProtection,
      });
      const { desiredCount, minCapacity } = taskCounts(config, props.fixedTaskCount);
      const service = new FargateService(scope, "service", {
        naming,
        config,
        image: `${ImageRepository.uri(naming, names.repository)}:${config.imageTag}`,
        cluster: this.cluster,
        subnetIds: props.network.appSubnetIds,
        securityGroup,
        taskRole: props.roles.task(config.name),
        executionRole,
        logsKey: props.keys.logs,
        logRetentionInDays: props.logRetentionDays,
        secrets: config.secrets,
        environment: { ...config.environment, ...props.commonEnvironment },
        desiredCount,
        loadBalancer: this.loadBalancer,
        listenerPriority: priorities.get(config.name)!,
        extraPaths: config.name === healthService ? [REGION_HEALTH_PATH] : [],
        deployment: { type: blueGreen ? "blue-green" : "rolling", minimumHealthyPercent: deployment.minimumHealthyPercent },
        fargateSpot: (props.fargateSpot ?? false) && (config.spotEligible ?? false),
        executeCommand: props.executeCommand ?? false,
        xrayDaemonImage,
      });

      const targetGroups = [service.targets.targetGroup, ...(service.targets.alternateTargetGroup ? [service.targets.alternateTargetGroup] : [])];
      const serviceAlarms = new DeploymentAlarms(scope, "deployment-alarms", {
        serviceName: names.service,
        loadBalancerArnSuffix: this.loadBalancer.arnSuffix,
        targetGroups,
      });
      if (!blueGreen) service.rollBackOnAlarms(serviceAlarms.alarmNames);

      const { queueMessagesPerTask: queueOut, queueScaleInMessagesPerTask: queueIn } = config.autoscaling;
      if (queueOut !== undefined && !props.queueDepthMetric) {
        throw new Error(`service "${config.name}" scales on queue depth: give queueDepthMetric`);
      }
      if ((queueOut === undefined) !== (queueIn === undefined)) {
        throw new Error(`service "${config.name}": queue scaling needs both queueMessagesPerTask and queueScaleInMessagesPerTask`);
      }
      const queueMetric = queueOut !== undefined ? props.queueDepthMetric?.(config) : undefined;
      autoscaling[config.name] = new ServiceAutoscaling(scope, "autoscaling", {
        serviceName: names.service,
        clusterName: this.cluster.name,
        ecsServiceName: service.name,
        minCapacity,
        maxCapacity: config.autoscaling.max,
        scaling: props.scaling,
        loadBalancerArnSuffix: this.loadBalancer.arnSuffix,
        targetGroupArnSuffixes: targetGroups.map((group) => group.arnSuffix),
        queueDepth:
          queueMetric && queueOut !== undefined && queueIn !== undefined ? { metric: queueMetric, scaleOutAbove: queueOut, scaleInBelow: queueIn } : undefined,
        offHours: props.offHours,
      });

      if (this.codeDeploy && service.targets.alternateTargetGroup && deployment.strategy === "blue-green") {
        deployments[config.name] = new BlueGreenDeployment(scope, "deployment", {
          application: this.codeDeploy,
          serviceName: names.service,
          clusterName: this.cluster.name,
          ecsServiceName: service.name,
          loadBalancer: this.loadBalancer,
          targetGroup: service.targets.targetGroup,
          alternateTargetGroup: service.targets.alternateTargetGroup,
          alarmNames: serviceAlarms.alarmNames,
          blueTerminationWaitMinutes: deployment.blueTerminationWaitMinutes,
        });
      }
      repositories[config.name] = repository;
      services[config.name] = service;
      alarms[config.name] = serviceAlarms;
    }
    if (this.codeDeploy) this.blueGreenOutput(this.codeDeploy, services, deployments);
    this.repositories = repositories;
    this.services = services;
    this.autoscaling = autoscaling;
    this.alarms = alarms;
    this.deployments = deployments;
  }

  /** The `blue_green_deployments` output: per service, what its next CodeDeploy deployment carries. */
  private blueGreenOutput(
    codeDeploy: CodeDeployApplication,
    services: Readonly<Record<string, FargateService>>,
    deployments: Readonly<Record<string, BlueGreenDeployment>>,
  ): void {
    const value = Object.fromEntries(
      Object.entries(services).map(([name, service]) => {
        const network = service.service.networkConfigurationInput!;
        const inputs: Record<keyof BlueGreenDeploymentInputs, unknown> = {
          application: codeDeploy.application.name,
          deploymentGroup: deployments[name]!.group.deploymentGroupName,
          cluster: this.cluster.name,
          service: service.name,
          taskDefinitionArn: service.taskDefinition.arn,
          containerName: service.config.name,
          containerPort: service.containerPort,
          platformVersion: service.service.platformVersionInput,
          subnets: network.subnets,
          securityGroups: network.securityGroups,
          assignPublicIp: network.assignPublicIp ?? false,
          capacityProviderStrategy: service.capacityProviderStrategy,
          enableExecuteCommand: service.service.enableExecuteCommandInput ?? false,
        };
        return [name, inputs];
      }),
    );
    new TerraformOutput(this, "blue-green-deployments", {
      staticId: true,
      value,
      description: "Per blue/green service, what its next CodeDeploy deployment carries (scripts/redeploy.ts)",
    }).overrideLogicalId("blue_green_deployments");
  }
}

/**
 * What a CodeDeploy deployment of one blue/green service carries (the AppSpec's TargetService
 * properties and where to deploy it): the Terraform output `blue_green_deployments`, read by
 * scripts/redeploy.ts. Terraform ignores these attributes on the service
 * (`REFUSED_UNDER_CODE_DEPLOY`), so this output is how their new values reach the tasks.
 */
export interface BlueGreenDeploymentInputs {
  readonly application: string;
  readonly deploymentGroup: string;
  readonly cluster: string;
  readonly service: string;
  readonly taskDefinitionArn: string;
  readonly containerName: string;
  readonly containerPort: number;
  readonly platformVersion: string;
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  readonly assignPublicIp: boolean;
  readonly capacityProviderStrategy: readonly { readonly capacityProvider: string; readonly weight: number; readonly base?: number }[];
  readonly enableExecuteCommand: boolean;
}

/** `credit-bureau-api-key` → `CREDIT_BUREAU_API_KEY`: the environment variable a secret is injected as. */
export function secretEnvironmentName(secret: string): string {
  return secret.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
}

/**
 * Desired count and scaling floor of a service: its own, or a fixed count (the warm standby's 1)
 * with the service's maximum kept as ceiling, so the region can scale to full capacity on failover.
 */
export function taskCounts(
  service: Pick<PlatformService, "desiredCount" | "autoscaling">,
  fixedTaskCount?: number,
): { desiredCount: number; minCapacity: number } {
  if (fixedTaskCount === undefined) return { desiredCount: service.desiredCount, minCapacity: service.autoscaling.min };
  const count = Math.min(fixedTaskCount, service.autoscaling.max);
  return { desiredCount: count, minCapacity: Math.min(count, service.autoscaling.min) };
}

/**
 * One service's execution-role statements for the platform's own resources: the registry token,
 * the service's repository (and AWS's sidecars), its log streams and the ECR Public pull-through
 * cache (the X-Ray daemon). The repository and log group are named by the convention (names.ts),
 * so the policy needs neither to exist first.
 */
function executionStatements(naming: Naming, service: string, sidecarRepositoryArns: readonly string[]): PolicyStatement[] {
  const names = serviceNames(naming, service);
  const logGroupArn = naming.arn("logs", `log-group:${names.logGroup}`);
  return [
    // Registry authentication is account-wide: the action has no resource-level permission.
    { Sid: "EcrAuthorizationToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    {
      Sid: "PullServiceImages",
      Effect: "Allow",
      Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
      Resource: [naming.arn("ecr", `repository/${names.repository}`), ...sidecarRepositoryArns],
    },
    {
      Sid: "WriteServiceLogStreams",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [logGroupArn, `${logGroupArn}:log-stream:*`],
    },
    {
      Sid: "PullThroughEcrPublicCache",
      Effect: "Allow",
      // The first pull of an image creates its cache repository and imports it from upstream.
      Action: [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchImportUpstreamImage",
        "ecr:CreateRepository",
      ],
      Resource: naming.arn("ecr", `repository/${ECR_PUBLIC_CACHE_PREFIX}/*`),
    },
  ];
}
