import { EcrPullThroughCacheRule } from "@cdktf/provider-aws/lib/ecr-pull-through-cache-rule";
import { Construct } from "constructs";
import type { AwsRegion, EnvironmentConfig, RegionConfig, ServiceConfig } from "../../environments/types";
import type { PolicyStatement } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import { tagComponent } from "../../lib/tags";
import type { KmsKey } from "../kms-key";
import type { SecurityGroup } from "../security-group";
import { type QueueDepthMetric, ServiceAutoscaling } from "./autoscaling";
import { EcsCluster } from "./cluster";
import { BlueGreenDeployment, CodeDeployApplication, DeploymentAlarms } from "./deployment";
import { grantToRole, type ServiceRole } from "./grants";
import { type AccessLogsDestination, ApiLoadBalancer } from "./load-balancer";
import { listenerPriorities, serviceNames } from "./names";
import { ImageRepository, RegistryReplication } from "./repository";
import { FargateService, XRAY_DAEMON_IMAGE_PATH } from "./service";

/** The test listener's port under blue/green. */
export const TEST_LISTENER_PORT = 8443;

/** The path Route 53 health checks request on each region's ALB. */
export const REGION_HEALTH_PATH = "/health";

/** ECR Public images (the X-Ray daemon) are pulled through the private registry under this prefix. */
export const ECR_PUBLIC_CACHE_PREFIX = "ecr-public";


export interface ServicePlatformProps {
  /** The environment's naming convention in this region. */
  readonly naming: Naming;
  /** The catalogue, compute settings, release pins, Spot, off-hours, retention, deletion protection. */
  readonly environment: EnvironmentConfig;
  /** This region: its role (primary, standby) and its task count. */
  readonly region: RegionConfig;
  /** The VPC, its public subnets (ALB) and its app subnets (tasks). */
  readonly network: {
    /** The VPC id. */
    readonly vpcId: string;
    /** One per AZ, for the ALB. */
    readonly publicSubnetIds: readonly string[];
    /** One per AZ, for the tasks. */
    readonly appSubnetIds: readonly string[];
  };
  /** Customer-managed keys, from the security baseline. */
  readonly keys: {
    /** Container logs, ECS Exec sessions and their log. */
    readonly logs: KmsKey;
    /** ECR image layers. */
    readonly images: KmsKey;
    /** The key of the Secrets Manager secrets the services read; the execution role may decrypt with it. */
    readonly secrets?: KmsKey;
  };
  /** The security-group chain (internet → ALB → services → data). */
  readonly securityGroups: {
    /** The ALB's group. */
    readonly alb: SecurityGroup;
    /** One per catalogue service, by name. */
    readonly services: Readonly<Record<string, SecurityGroup>>;
  };
  /** The ECS roles, from the security baseline. */
  readonly roles: {
    /** Shared by every service: pulls images, writes container logs, reads the services' secrets. */
    readonly execution: ServiceRole;
    /** Each service's own task role. */
    readonly task: (service: string) => ServiceRole;
  };
  /** Secrets Manager ARN of a secret of the catalogue (`ServiceConfig.secrets`), by short name. */
  readonly secretArn: (name: string) => string;
  /** An issued certificate for the API's names in this region (HTTPS and test listeners). */
  readonly certificateArn: string;
  /** ALB access logs: the logs bucket's name, the ALB's prefix in it, and the bucket policy to wait for. */
  readonly accessLogs: AccessLogsDestination;
  /** The REGIONAL WAF web ACL. */
  readonly webAclArn?: string;
  /**
   * Where a service's queue depth is measured; asked only for services with
   * `autoscaling.queueMessagesPerTask`. Returning `undefined` deliberately skips queue scaling in
   * this region (e.g. the standby, which has no broker).
   * @default none: a catalogue with queue-scaled services then fails synthesis, so queue scaling
   * is never dropped by omission
   */
  readonly queueDepthMetric?: (service: ServiceConfig) => QueueDepthMetric | undefined;
  /**
   * Non-secret settings per service (data-store endpoints, bucket names), added to its environment.
   * @default none
   */
  readonly serviceEnvironment?: (service: ServiceConfig) => Readonly<Record<string, string>>;
  /**
   * The service whose listener rule also answers `/health` for the region (Route 53's check), so
   * the check follows that service's blue/green target group.
   * @default the first service of the catalogue
   */
  readonly healthCheckService?: string;
  /**
   * Regions that receive a copy of every image pushed here (the primary region's stack only).
   * @default none
   */
  readonly replicateImagesTo?: readonly AwsRegion[];
  /**
   * The X-Ray daemon image.
   * @default XRAY_DAEMON_IMAGE_PATH through this registry's ECR Public pull-through cache, so tasks
   * without internet egress pull it through the ECR endpoints like their own images
   */
  readonly xrayDaemonImage?: string;
  /**
   * Grant the execution role what these services need: pulls from their repositories, their log
   * streams, their secrets. Turn off when the role already names exactly these (the security
   * baseline's `WorkloadRoles` does, by the same naming convention).
   * @default true
   */
  readonly grantExecutionRole?: boolean;
}

/** `credit-bureau-api-key` → `CREDIT_BUREAU_API_KEY`. */
export function secretEnvironmentName(secret: string): string {
  return secret.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
}

/**
 * Everything that runs the environment's services in one region, built from the service
 * catalogue: the cluster, the ALB, and per catalogue entry an ECR repository, a Fargate service
 * (task definition, log group, target groups, listener rules), autoscaling, deployment alarms and,
 * under blue/green, a CodeDeploy deployment group. A service added to the catalogue gets all of
 * it with no other edit. Security groups, roles, keys, secrets and buckets are passed in.
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
    const { naming, environment, region } = props;
    const { compute } = environment;
    const blueGreen = compute.deployment.strategy === "blue-green";
    const executeCommand = compute.executeCommand ?? false;
    const catalogue = environment.services;
    const healthService = props.healthCheckService ?? catalogue[0]?.name;
    if (!catalogue.some((service) => service.name === healthService)) {
      throw new Error(`healthCheckService "${healthService}" is not in the catalogue`);
    }
    if (catalogue.some((service) => service.paths.includes(REGION_HEALTH_PATH))) {
      throw new Error(`${REGION_HEALTH_PATH} is the region's health check and cannot be a service path`);
    }

    this.cluster = new EcsCluster(this, "cluster", {
      naming,
      kmsKey: props.keys.logs,
      logRetentionInDays: environment.logRetentionDays,
    });
    this.loadBalancer = new ApiLoadBalancer(this, "load-balancer", {
      naming,
      vpcId: props.network.vpcId,
      subnetIds: props.network.publicSubnetIds,
      securityGroup: props.securityGroups.alb,
      certificateArn: props.certificateArn,
      accessLogs: props.accessLogs,
      webAclArn: props.webAclArn,
      deletionProtection: environment.deletionProtection,
      testListenerPort: blueGreen ? TEST_LISTENER_PORT : undefined,
    });
    if (blueGreen) {
      const shifting = compute.deployment.trafficShifting;
      if (!shifting) throw new Error(`${environment.name}: blue-green deployments need compute.deployment.trafficShifting`);
      this.codeDeploy = new CodeDeployApplication(this, "codedeploy", { naming, trafficShifting: shifting });
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
    const pulls: ExecutionNeeds = { repositoryArns: [], logGroupArns: [], secretArns: [] };
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

      const repository = new ImageRepository(scope, "repository", {
        naming,
        name: names.repository,
        kmsKey: props.keys.images,
        retentionDays: compute.imageRetentionDays,
        preventDestroy: environment.deletionProtection,
      });
      const tag = environment.release.images?.[config.name] ?? environment.release.version;
      const secrets = Object.fromEntries(
        (config.secrets ?? []).map((secret) => [secretEnvironmentName(secret), props.secretArn(secret)]),
      );
      const { desiredCount, minCapacity } = taskCounts(config, region);
      const service = new FargateService(scope, "service", {
        naming,
        config,
        image: `${ImageRepository.uri(naming, names.repository)}:${tag}`,
        cluster: this.cluster,
        subnetIds: props.network.appSubnetIds,
        securityGroup,
        taskRole: props.roles.task(config.name),
        executionRole: props.roles.execution,
        logsKey: props.keys.logs,
        logRetentionInDays: environment.logRetentionDays,
        secrets,
        environment: { ...props.serviceEnvironment?.(config), LMA_ENVIRONMENT: environment.name, LMA_REGION_ROLE: region.role },
        desiredCount,
        loadBalancer: this.loadBalancer,
        listenerPriority: priorities.get(config.name)!,
        extraPaths: config.name === healthService ? [REGION_HEALTH_PATH] : [],
        deployment: {
          type: blueGreen ? "blue-green" : "rolling",
          minimumHealthyPercent: compute.deployment.minimumHealthyPercent,
        },
        fargateSpot: environment.fargateSpot && (config.spotEligible ?? false),
        executeCommand,
        xrayDaemonImage,
      });
      pulls.repositoryArns.push(repository.arn);
      pulls.logGroupArns.push(service.logGroup.arn, `${service.logGroup.arn}:log-stream:*`);
      pulls.secretArns.push(...Object.values(secrets).filter((arn) => !pulls.secretArns.includes(arn)));

      const targetGroups = [service.targets.targetGroup, ...(service.targets.alternateTargetGroup ? [service.targets.alternateTargetGroup] : [])];
      const serviceAlarms = new DeploymentAlarms(scope, "deployment-alarms", {
        serviceName: names.service,
        loadBalancerArnSuffix: this.loadBalancer.arnSuffix,
        targetGroups,
      });
      if (!blueGreen) service.rollBackOnAlarms(serviceAlarms.alarmNames);

      const scalesOnQueue = config.autoscaling.queueMessagesPerTask !== undefined;
      if (scalesOnQueue && !props.queueDepthMetric) {
        throw new Error(`service "${config.name}" scales on queue depth: give queueDepthMetric`);
      }
      const queueMetric = scalesOnQueue ? props.queueDepthMetric?.(config) : undefined;
      autoscaling[config.name] = new ServiceAutoscaling(scope, "autoscaling", {
        serviceName: names.service,
        clusterName: this.cluster.name,
        ecsServiceName: service.name,
        minCapacity,
        maxCapacity: config.autoscaling.max,
        loadBalancerArnSuffix: this.loadBalancer.arnSuffix,
        targetGroupArnSuffixes: targetGroups.map((group) => group.arnSuffix),
        queueDepth:
          queueMetric && config.autoscaling.queueMessagesPerTask !== undefined
            ? { metric: queueMetric, messagesPerTask: config.autoscaling.queueMessagesPerTask }
            : undefined,
        offHours: environment.offHours,
      });

      if (this.codeDeploy && service.targets.alternateTargetGroup) {
        deployments[config.name] = new BlueGreenDeployment(scope, "deployment", {
          application: this.codeDeploy,
          serviceName: names.service,
          clusterName: this.cluster.name,
          ecsServiceName: service.name,
          loadBalancer: this.loadBalancer,
          targetGroup: service.targets.targetGroup,
          alternateTargetGroup: service.targets.alternateTargetGroup,
          alarmNames: serviceAlarms.alarmNames,
          blueTerminationWaitMinutes: compute.deployment.blueTerminationWaitMinutes,
        });
      }
      repositories[config.name] = repository;
      services[config.name] = service;
      alarms[config.name] = serviceAlarms;
    }
    grantToRole(
      this,
      "execution-role-policy",
      props.roles.execution,
      "ecs-task-execution",
      executionStatements(naming, props.grantExecutionRole ?? true ? pulls : undefined, props.keys.secrets),
    );
    this.repositories = repositories;
    this.services = services;
    this.autoscaling = autoscaling;
    this.alarms = alarms;
    this.deployments = deployments;
  }
}

/**
 * Desired count and scaling floor of a service in a region: the catalogue's, or the region's
 * fixed count (the warm standby's 1) with the catalogue's maximum kept as ceiling, so the
 * standby can scale to full capacity on failover.
 */
export function taskCounts(config: ServiceConfig, region: RegionConfig): { desiredCount: number; minCapacity: number } {
  const fixed = region.serviceTaskCount;
  if (fixed === undefined || fixed === "catalogue") {
    return { desiredCount: config.desiredCount, minCapacity: config.autoscaling.min };
  }
  const count = Math.min(fixed, config.autoscaling.max);
  return { desiredCount: count, minCapacity: Math.min(count, config.autoscaling.min) };
}

interface ExecutionNeeds {
  readonly repositoryArns: string[];
  readonly logGroupArns: string[];
  readonly secretArns: string[];
}

/**
 * The execution role's statements: always the ECR Public pull-through cache (the sidecar images);
 * with `needs`, also the services' repositories, log streams and secrets, in one statement each so
 * the role's inline policy stays well inside IAM's 10,240 characters as the catalogue grows.
 */
function executionStatements(naming: Naming, needs: ExecutionNeeds | undefined, secretsKey: KmsKey | undefined): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    // Registry authentication is account-wide: the action has no resource-level permission.
    { Sid: "EcrAuthorizationToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
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
  if (!needs) return statements;
  statements.push(
    {
      Sid: "PullServiceImages",
      Effect: "Allow",
      Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      Resource: needs.repositoryArns,
    },
    { Sid: "WriteServiceLogStreams", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: needs.logGroupArns },
  );
  if (needs.secretArns.length > 0) {
    statements.push({ Sid: "ReadServiceSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: needs.secretArns });
    if (secretsKey) {
      statements.push({
        Sid: "DecryptServiceSecrets",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: secretsKey.arn,
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${naming.region}.amazonaws.com` } },
      });
    }
  }
  return statements;
}
