import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { Construct } from "constructs";
import { Grant, type IGrantee } from "../../lib/grants";
import type { PolicyStatement } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import type { KmsKey } from "../kms-key";
import { LogGroup } from "../log-group";
import type { SecurityGroup } from "../security-group";
import type { EcsCluster } from "./cluster";
import type { ApiLoadBalancer } from "./load-balancer";
import { serviceNames } from "./names";
import { ServiceTargets } from "./routing";

/** Rolling (ECS, circuit breaker) or blue/green (CodeDeploy) replacement of a service's tasks. */
export type ServiceDeployment =
  | { readonly type: "rolling"; readonly minimumHealthyPercent?: number }
  | { readonly type: "blue-green"; readonly minimumHealthyPercent?: number };

/**
 * The pinned X-Ray daemon, as a path in ECR Public (the image is in maintenance from 2026: plan the
 * move to ADOT). `ServicePlatform` pulls it through the registry's pull-through cache.
 */
export const XRAY_DAEMON_IMAGE_PATH = "xray/aws-xray-daemon:3.3.13";

/** The daemon straight from ECR Public, for services whose tasks reach the internet. */
export const DEFAULT_XRAY_DAEMON_IMAGE = `public.ecr.aws/${XRAY_DAEMON_IMAGE_PATH}`;

/**
 * What the X-Ray daemon sidecar calls. X-Ray's write and sampling APIs have no resource-level
 * permissions (tooling/policy-checks.ts accepts `*` for exactly these).
 */
export const XRAY_WRITE_STATEMENT: PolicyStatement = {
  Sid: "XRayWrite",
  Effect: "Allow",
  Action: [
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:GetSamplingStatisticSummaries",
  ],
  Resource: "*",
};

/** One service's shape: what its task definition, container and routing are made from. */
export interface ServiceSpec {
  /** Lower-case name, e.g. `loan`; used in every resource name of the service. */
  readonly name: string;
  /** vCPU, one of Fargate's sizes: 0.25, 0.5, 1, 2, 4, 8, 16. */
  readonly cpu: number;
  /** Memory in MiB, valid for the chosen vCPU. */
  readonly memoryMiB: number;
  /** Path patterns the ALB routes to this service, e.g. `/api/loans/*`. */
  readonly paths: readonly string[];
  /** Container port. @default 8080 */
  readonly containerPort?: number;
  /** Health-check path (container and target group). @default "/health" */
  readonly healthCheckPath?: string;
}

/**
 * The service attributes ECS `UpdateService` refuses to change under the CODE_DEPLOY controller
 * (Amazon ECS API Reference, UpdateService): Terraform ignores them, and a change to one of them
 * reaches running tasks through a CodeDeploy deployment whose AppSpec carries it
 * (scripts/redeploy.ts, docs/blue-green.md). `enable_execute_command` is applied by the script's
 * own UpdateService call, which sends that flag alone.
 */
export const REFUSED_UNDER_CODE_DEPLOY = [
  "task_definition",
  "load_balancer",
  "network_configuration",
  "platform_version",
  "capacity_provider_strategy",
  "enable_execute_command",
] as const;

/** Non-root user and group the application container runs as. */
export const DEFAULT_CONTAINER_USER = "10001:10001";

export interface FargateServiceProps {
  /** The environment's naming convention in this region. */
  readonly naming: Naming;
  /** Name, vCPU, memory, paths, port, health check. */
  readonly config: ServiceSpec;
  /** Full image reference including the tag, e.g. `<registry>/lma-production/loan:2026.11.12-2`. */
  readonly image: string;
  /** The cluster; its exec key and log group are granted to the task role when exec is on. */
  readonly cluster: EcsCluster;
  /** Private app subnets; tasks never get a public IP. */
  readonly subnetIds: readonly string[];
  /** The service's security group (the baseline chains ALB → service → data stores). */
  readonly securityGroup: SecurityGroup;
  /** The service's own task role; the service grants it X-Ray (and ECS Exec when enabled). */
  readonly taskRole: IGrantee;
  /** The execution role ECS pulls images, writes logs and reads secrets with. */
  readonly executionRole: IGrantee;
  /** Encrypts the container log group. */
  readonly logsKey: KmsKey;
  /** Days the container logs are kept (the environment's `logRetentionDays`). */
  readonly logRetentionInDays: number;
  /**
   * Environment variable → Secrets Manager ARN (or `arn:…:json-key::`), injected by ECS at start.
   * The execution role must already be allowed to read each (the secret's owner grants it).
   * @default none
   */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Plain, non-secret settings for the application. @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Tasks to run now; autoscaling owns the count afterwards (Terraform ignores it). */
  readonly desiredCount: number;
  /** The region's ALB: the service's target groups and rules go on it. */
  readonly loadBalancer: ApiLoadBalancer;
  /** First listener-rule priority of the service's block (see `listenerPriorities`). */
  readonly listenerPriority: number;
  /** Extra path patterns routed here besides `config.paths` (e.g. the region's `/health`). @default none */
  readonly extraPaths?: readonly string[];
  /** @default rolling, minimum healthy 100 % */
  readonly deployment?: ServiceDeployment;
  /**
   * Run on Fargate Spot (mostly; one in five tasks stays on-demand). Only for interruption-tolerant
   * services in environments that allow Spot; the caller decides.
   * @default false
   */
  readonly fargateSpot?: boolean;
  /**
   * ECS Exec into the containers, logged by the cluster's exec configuration.
   * @default false
   */
  readonly executeCommand?: boolean;
  /** @default DEFAULT_XRAY_DAEMON_IMAGE */
  readonly xrayDaemonImage?: string;
  /** @default DEFAULT_CONTAINER_USER */
  readonly containerUser?: string;
  /**
   * Seconds after a task starts before failed load-balancer health checks count.
   * @default 60
   */
  readonly healthCheckGracePeriodSeconds?: number;
  /**
   * The container's own health check (ECS replaces a task that fails it).
   * @default `curl -fsS http://127.0.0.1:<port><healthCheckPath>` (the image must contain curl;
   * distroless images pass their own probe binary here)
   */
  readonly healthCheckCommand?: readonly string[];
  /** @default "X86_64" (Fargate Spot runs x86 only) */
  readonly cpuArchitecture?: "X86_64" | "ARM64";
}

const XRAY_CONTAINER = "xray-daemon";
/** Writable scratch space: the root filesystem is read-only. */
const TMP_VOLUME = "tmp";
/**
 * ECS Exec's agent writes under these paths; with a read-only root filesystem they must be
 * writable volumes (aws/containers-roadmap#1359).
 */
const EXEC_AGENT_VOLUMES = { "exec-agent-state": "/var/lib/amazon", "exec-agent-logs": "/var/log/amazon" };

/**
 * One Fargate service from one `ServiceSpec`: the task definition (its CPU and memory,
 * read-only root filesystem, non-root user, all capabilities dropped, secrets from Secrets Manager,
 * container health check, CloudWatch Logs, an X-Ray daemon sidecar), the service in the private app
 * subnets without public IPs, its target groups and listener rules, and its task role's runtime
 * permissions (X-Ray, and ECS Exec when enabled).
 *
 * Terraform ignores `desired_count` (autoscaling owns it) and, under CodeDeploy, every attribute
 * `UpdateService` refuses there (`REFUSED_UNDER_CODE_DEPLOY`): a new release registers a
 * task-definition revision here and scripts/redeploy.ts starts the CodeDeploy deployment of it.
 */
export class FargateService extends Construct {
  readonly service: EcsService;
  readonly taskDefinition: EcsTaskDefinition;
  readonly logGroup: LogGroup;
  readonly targets: ServiceTargets;
  readonly config: ServiceSpec;
  readonly containerPort: number;
  readonly blueGreen: boolean;
  /** Where the tasks run: Fargate, or mostly Fargate Spot. */
  readonly capacityProviderStrategy: readonly { readonly capacityProvider: string; readonly weight: number; readonly base?: number }[];

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    const { naming, config } = props;
    const names = serviceNames(naming, config.name);
    const port = config.containerPort ?? 8080;
    const healthPath = config.healthCheckPath ?? "/health";
    const deployment = props.deployment ?? { type: "rolling" };
    const executeCommand = props.executeCommand ?? false;
    this.config = config;
    this.containerPort = port;
    this.blueGreen = deployment.type === "blue-green";
    this.capacityProviderStrategy = props.fargateSpot
      ? [
          { capacityProvider: "FARGATE_SPOT", weight: 4 },
          { capacityProvider: "FARGATE", weight: 1 },
        ]
      : [{ capacityProvider: "FARGATE", base: 0, weight: 1 }];

    this.logGroup = new LogGroup(this, "logs", {
      naming,
      name: names.logGroup,
      kmsKey: props.logsKey,
      retentionInDays: props.logRetentionInDays,
    });
    const logging = (streamPrefix: string) => ({
      logDriver: "awslogs",
      options: {
        "awslogs-group": this.logGroup.name,
        "awslogs-region": naming.region,
        "awslogs-stream-prefix": streamPrefix,
        // A slow log pipeline must not block the application; the buffer absorbs bursts.
        mode: "non-blocking",
        "max-buffer-size": "25m",
      },
    });
    const hardening = {
      readonlyRootFilesystem: true,
      privileged: false,
      linuxParameters: { initProcessEnabled: true, capabilities: { drop: ["ALL"] } },
    };
    const writableVolumes: Record<string, string> = {
      [TMP_VOLUME]: "/tmp",
      ...(executeCommand ? EXEC_AGENT_VOLUMES : {}),
    };

    const environment = {
      ...props.environment,
      LMA_SERVICE: config.name,
      PORT: String(port),
      AWS_XRAY_DAEMON_ADDRESS: "127.0.0.1:2000",
    };
    const application = {
      name: config.name,
      image: props.image,
      essential: true,
      user: props.containerUser ?? DEFAULT_CONTAINER_USER,
      ...hardening,
      portMappings: [{ name: "http", containerPort: port, protocol: "tcp", appProtocol: "http" }],
      environment: Object.entries(environment)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ({ name, value })),
      // Omitted when empty: ECS drops empty lists and Terraform would show a diff on every plan.
      ...(Object.keys(props.secrets ?? {}).length > 0
        ? {
            secrets: Object.entries(props.secrets ?? {})
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([name, valueFrom]) => ({ name, valueFrom })),
          }
        : {}),
      mountPoints: Object.entries(writableVolumes).map(([sourceVolume, containerPath]) => ({
        sourceVolume,
        containerPath,
        readOnly: false,
      })),
      healthCheck: {
        command: props.healthCheckCommand ? [...props.healthCheckCommand] : ["CMD-SHELL", `curl -fsS http://127.0.0.1:${port}${healthPath} || exit 1`],
        interval: 30,
        timeout: 5,
        retries: 3,
        startPeriod: 60,
      },
      dependsOn: [{ containerName: XRAY_CONTAINER, condition: "START" }],
      stopTimeout: 30,
      ulimits: [{ name: "nofile", softLimit: 65536, hardLimit: 65536 }],
      logConfiguration: logging("app"),
    };
    const xrayDaemon = {
      name: XRAY_CONTAINER,
      image: props.xrayDaemonImage ?? DEFAULT_XRAY_DAEMON_IMAGE,
      // Tracing must never take the service down with it.
      essential: false,
      user: "1337:1337",
      ...hardening,
      cpu: 32,
      memoryReservation: 256,
      portMappings: [{ containerPort: 2000, protocol: "udp" }],
      logConfiguration: logging("xray"),
    };

    this.taskDefinition = new EcsTaskDefinition(this, "task-definition", {
      family: names.service,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(Math.round(config.cpu * 1024)),
      memory: String(config.memoryMiB),
      executionRoleArn: props.executionRole.roleArn,
      taskRoleArn: props.taskRole.roleArn,
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: props.cpuArchitecture ?? "X86_64" },
      volume: Object.keys(writableVolumes).map((name) => ({ name })),
      containerDefinitions: JSON.stringify([application, xrayDaemon]),
    });

    this.targets = new ServiceTargets(this, "targets", {
      naming,
      service: config.name,
      loadBalancer: props.loadBalancer,
      containerPort: port,
      healthCheckPath: healthPath,
      paths: [...config.paths, ...(props.extraPaths ?? [])],
      priority: props.listenerPriority,
      blueGreen: this.blueGreen,
    });
    props.loadBalancer.allowTo(props.securityGroup, port);

    this.service = new EcsService(this, "service", {
      name: names.service,
      cluster: props.cluster.arn,
      taskDefinition: this.taskDefinition.arn,
      desiredCount: props.desiredCount,
      capacityProviderStrategy: [...this.capacityProviderStrategy],
      platformVersion: "LATEST",
      networkConfiguration: {
        subnets: [...props.subnetIds],
        securityGroups: [props.securityGroup.id],
        assignPublicIp: false,
      },
      loadBalancer: [{ targetGroupArn: this.targets.targetGroup.arn, containerName: config.name, containerPort: port }],
      healthCheckGracePeriodSeconds: props.healthCheckGracePeriodSeconds ?? 60,
      deploymentController: { type: this.blueGreen ? "CODE_DEPLOY" : "ECS" },
      deploymentMinimumHealthyPercent: deployment.minimumHealthyPercent ?? 100,
      deploymentMaximumPercent: 200,
      deploymentCircuitBreaker: this.blueGreen ? undefined : { enable: true, rollback: true },
      enableExecuteCommand: executeCommand,
      enableEcsManagedTags: true,
      propagateTags: "SERVICE",
      waitForSteadyState: false,
      lifecycle: {
        ignoreChanges: this.blueGreen ? ["desired_count", ...REFUSED_UNDER_CODE_DEPLOY] : ["desired_count"],
      },
      // ECS refuses a target group that no listener uses yet, and Spot needs the cluster's providers.
      dependsOn: [...this.targets.rules, props.cluster.capacityProviders],
    });

    this.grantRuntime(props, executeCommand);
  }

  get name(): string {
    return this.service.name;
  }

  /** Rolling deployments: ECS stops and rolls back a deployment while one of these alarms fires. */
  rollBackOnAlarms(alarmNames: readonly string[]): void {
    if (this.blueGreen) throw new Error(`${this.config.name}: blue/green rollback alarms belong to the CodeDeploy deployment group`);
    this.service.putAlarms({ alarmNames: [...alarmNames], enable: true, rollback: true });
  }

  /** X-Ray for the daemon; ECS Exec's control channel, session key and session log when enabled. */
  private grantRuntime(props: FargateServiceProps, executeCommand: boolean): void {
    const statements: PolicyStatement[] = [XRAY_WRITE_STATEMENT];
    if (executeCommand) {
      const cluster = props.cluster;
      statements.push(
        {
          Sid: "EcsExecChannels",
          Effect: "Allow",
          // Session Manager's message channels have no resource-level permissions.
          Action: [
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
          ],
          Resource: "*",
        },
        { Sid: "EcsExecSessionKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: cluster.kmsKey.arn },
        {
          Sid: "EcsExecSessionLog",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: [cluster.execLogGroup.arn, `${cluster.execLogGroup.arn}:*`],
        },
        // The agent checks the log group's encryption before it streams a session.
        { Sid: "EcsExecDescribeLogGroups", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
      );
    }
    Grant.addToPrincipal(props.taskRole, statements);
  }
}
