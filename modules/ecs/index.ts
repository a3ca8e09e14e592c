/**
 * Compute: the ECS cluster, the API load balancer, and one Fargate service per entry of `services` with
 * its image repository, routing, autoscaling and deployments. `ServicePlatform` composes them all
 * from its props; the parts are exported for other compositions.
 */
export {
  amazonMqQueueDepth,
  type OffHoursSchedule,
  type QueueDepthMetric,
  type ScalingTable,
  type ScalingTrigger,
  type ScalingTriggerResources,
  ServiceAutoscaling,
  type ServiceAutoscalingProps,
  sqsQueueDepth,
} from "./autoscaling";
export { EcsCluster, type EcsClusterProps } from "./cluster";
export {
  BlueGreenDeployment,
  type BlueGreenDeploymentProps,
  CodeDeployApplication,
  type CodeDeployApplicationProps,
  DeploymentAlarms,
  type DeploymentAlarmsProps,
  deploymentConfigName,
  type TrafficShifting,
} from "./deployment";
export { type AccessLogsDestination, ApiLoadBalancer, type ApiLoadBalancerProps, DEFAULT_SSL_POLICY, type OriginHeader } from "./load-balancer";
export { boundedName, KNOWN_CLIENT_FALLBACK_PRIORITY, listenerPriorities, pathGroups, platformNames, serviceNames } from "./names";
export {
  type BlueGreenDeploymentInputs,
  ECR_PUBLIC_CACHE_PREFIX,
  type PlatformDeployment,
  type PlatformService,
  REGION_HEALTH_PATH,
  secretEnvironmentName,
  ServicePlatform,
  type ServicePlatformProps,
  TEST_LISTENER_PORT,
  taskCounts,
} from "./platform";
export {
  declareServiceRepository,
  ImageRepository,
  type ImageRepositoryProps,
  RELEASE_TAG_PATTERN,
  RegistryReplication,
  type RegistryReplicationProps,
  type ServiceRepositorySettings,
} from "./repository";
export { ServiceTargets, type ServiceTargetsProps } from "./routing";
export {
  DEFAULT_CONTAINER_USER,
  DEFAULT_XRAY_DAEMON_IMAGE,
  FargateService,
  type FargateServiceProps,
  REFUSED_UNDER_CODE_DEPLOY,
  type ServiceDeployment,
  type ServiceSpec,
  XRAY_DAEMON_IMAGE_PATH,
  XRAY_WRITE_STATEMENT,
} from "./service";
