import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmMetricQuery } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { CodedeployApp } from "@cdktf/provider-aws/lib/codedeploy-app";
import { CodedeployDeploymentConfig } from "@cdktf/provider-aws/lib/codedeploy-deployment-config";
import { CodedeployDeploymentGroup } from "@cdktf/provider-aws/lib/codedeploy-deployment-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Construct } from "constructs";
import { serviceTrustPolicy } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import type { ApiLoadBalancer } from "./load-balancer";
import { platformNames } from "./names";
import type { IGrantee } from "../../lib/grants";

/**
 * How CodeDeploy moves production traffic from the running (blue) task set to the new (green) one.
 * `canary`: `percentage` first, the rest after `intervalMinutes`. `linear`: `percentage` every
 * `intervalMinutes` until all traffic has moved. `all-at-once`: everything in one step.
 */
export type TrafficShifting =
  | { readonly type: "all-at-once" }
  | { readonly type: "canary" | "linear"; readonly percentage: number; readonly intervalMinutes: number };

/** The AWS-managed policy CodeDeploy needs to run ECS blue/green deployments. */
const CODEDEPLOY_FOR_ECS = "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS";

export interface DeploymentAlarmsProps {
  /** `lma-<env>-<service>`: the alarms are named after it. */
  readonly serviceName: string;
  /** The ALB's `arn_suffix` (the `LoadBalancer` metric dimension). */
  readonly loadBalancerArnSuffix: string;
  /** The service's target groups: both under blue/green, so the alarms follow the live one. */
  readonly targetGroups: readonly LbTargetGroup[];
  /**
   * Share of requests answered 5xx by the tasks that rolls a deployment back.
   * @default 5 (the SLO's 1 % is a monthly budget; a canary at 5 % for two minutes is broken)
   */
  readonly errorRatePercent?: number;
  /**
   * Consecutive one-minute periods over the threshold before the alarm fires.
   * @default 2
   */
  readonly evaluationPeriods?: number;
}

/**
 * The two alarms a deployment is judged by, across the service's target groups: the tasks' 5xx
 * rate and unhealthy targets. CodeDeploy stops and rolls back a blue/green deployment when either
 * fires; ECS does the same for a rolling one (`alarms` on the service).
 */
export class DeploymentAlarms extends Construct {
  readonly errorRate: CloudwatchMetricAlarm;
  readonly unhealthyTargets: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: DeploymentAlarmsProps) {
    super(scope, id);
    const periods = props.evaluationPeriods ?? 2;
    const perGroup = (prefix: string, metricName: string, stat: string): CloudwatchMetricAlarmMetricQuery[] =>
      props.targetGroups.map((group, index) => ({
        id: `${prefix}${index}`,
        returnData: false,
        metric: {
          namespace: "AWS/ApplicationELB",
          metricName,
          dimensions: { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: group.arnSuffix },
          stat,
          period: 60,
        },
      }));
    const sum = (prefix: string) => props.targetGroups.map((_, index) => `FILL(${prefix}${index}, 0)`).join(" + ");

    const errorRatePercent = props.errorRatePercent ?? 5;
    this.errorRate = new CloudwatchMetricAlarm(this, "error-rate", {
      alarmName: `${props.serviceName}-target-5xx-rate`,
      alarmDescription: `Deployment rollback: more than ${errorRatePercent}% of requests answered 5xx by the tasks`,
      comparisonOperator: "GreaterThanThreshold",
      threshold: errorRatePercent,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: "notBreaching",
      metricQuery: [
        ...perGroup("errors", "HTTPCode_Target_5XX_Count", "Sum"),
        ...perGroup("requests", "RequestCount", "Sum"),
        {
          id: "error_rate",
          label: "Target 5xx, % of requests",
          expression: `IF((${sum("requests")}) > 0, 100 * (${sum("errors")}) / (${sum("requests")}), 0)`,
          returnData: true,
        },
      ],
    });
    this.unhealthyTargets = new CloudwatchMetricAlarm(this, "unhealthy-targets", {
      alarmName: `${props.serviceName}-unhealthy-targets`,
      alarmDescription: "Deployment rollback: targets failing the load balancer's health check",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: "notBreaching",
      metricQuery: [
        ...perGroup("unhealthy", "UnHealthyHostCount", "Maximum"),
        { id: "unhealthy_targets", label: "Unhealthy targets", expression: sum("unhealthy"), returnData: true },
      ],
    });
  }

  get alarmNames(): string[] {
    return [this.errorRate.alarmName, this.unhealthyTargets.alarmName];
  }
}

export interface CodeDeployApplicationProps {
  /** The environment's naming convention in this region. */
  readonly naming: Naming;
  /** How production traffic moves to the new task set. */
  readonly trafficShifting: TrafficShifting;
  /** CodeDeploy's service role. @default a role with AWSCodeDeployRoleForECS, trusted by this account's CodeDeploy only */
  readonly role?: IGrantee;
}

/** The CodeDeploy name of a traffic-shifting configuration (custom ones carry their parameters). */
export function deploymentConfigName(naming: Naming, shifting: TrafficShifting): string {
  if (shifting.type === "all-at-once") return "CodeDeployDefault.ECSAllAtOnce";
  return naming.name(`ecs-${shifting.type}-${shifting.percentage}pct-${shifting.intervalMinutes}min`);
}

/**
 * The environment's CodeDeploy application for ECS in one region, its service role, and the
 * traffic-shifting configuration (a custom canary or linear one, or AWS's all-at-once).
 */
export class CodeDeployApplication extends Construct {
  readonly application: CodedeployApp;
  /** ARN of CodeDeploy's service role (given, or the default one). */
  readonly roleArn: string;
  readonly deploymentConfigName: string;

  constructor(scope: Construct, id: string, props: CodeDeployApplicationProps) {
    super(scope, id);
    const { naming, trafficShifting } = props;
    this.application = new CodedeployApp(this, "application", {
      name: platformNames(naming).codeDeployApplication,
      computePlatform: "ECS",
    });
    if (props.role) {
      this.roleArn = props.role.roleArn;
    } else {
      const role = new IamRole(this, "role", {
        name: naming.globalName("codedeploy-ecs"),
        description: `CodeDeploy blue/green deployments of ${naming.prefix} ECS services in ${naming.region}`,
        assumeRolePolicy: serviceTrustPolicy("codedeploy.amazonaws.com", naming.accountId),
      });
      new IamRolePolicyAttachment(this, "role-policy", { role: role.name, policyArn: CODEDEPLOY_FOR_ECS });
      this.roleArn = role.arn;
    }
    if (trafficShifting.type === "all-at-once") {
      this.deploymentConfigName = deploymentConfigName(naming, trafficShifting);
    } else {
      const interval = { interval: trafficShifting.intervalMinutes, percentage: trafficShifting.percentage };
      const config = new CodedeployDeploymentConfig(this, "config", {
        deploymentConfigName: deploymentConfigName(naming, trafficShifting),
        computePlatform: "ECS",
        trafficRoutingConfig:
          trafficShifting.type === "canary"
            ? { type: "TimeBasedCanary", timeBasedCanary: interval }
            : { type: "TimeBasedLinear", timeBasedLinear: interval },
        // Configurations are immutable: a new name replaces the old one after the groups moved.
        lifecycle: { createBeforeDestroy: true },
      });
      this.deploymentConfigName = config.deploymentConfigName;
    }
  }
}

export interface BlueGreenDeploymentProps {
  /** The environment's CodeDeploy application, role and configuration in this region. */
  readonly application: CodeDeployApplication;
  /** `lma-<env>-<service>`: the deployment group's name. */
  readonly serviceName: string;
  /** Attributes of the ECS cluster and service resources. */
  readonly clusterName: string;
  /** The ECS service's `name` attribute. */
  readonly ecsServiceName: string;
  /** Its HTTPS listener carries production traffic, its test listener test traffic. */
  readonly loadBalancer: ApiLoadBalancer;
  /** The target group live traffic starts on. */
  readonly targetGroup: LbTargetGroup;
  /** The target group the replacement task set registers in. */
  readonly alternateTargetGroup: LbTargetGroup;
  /** Alarms that stop and roll back a deployment (`DeploymentAlarms.alarmNames`). */
  readonly alarmNames: readonly string[];
  /**
   * Minutes the original task set keeps running after a successful shift.
   * @default 60
   */
  readonly blueTerminationWaitMinutes?: number;
}

/**
 * The CodeDeploy deployment group of one ECS service: blue/green with traffic control through the
 * HTTPS listener (production) and the test listener, both target groups, automatic rollback when
 * the deployment fails or one of the alarms fires.
 */
export class BlueGreenDeployment extends Construct {
  readonly group: CodedeployDeploymentGroup;

  constructor(scope: Construct, id: string, props: BlueGreenDeploymentProps) {
    super(scope, id);
    const testListener = props.loadBalancer.testListener;
    if (!testListener) throw new Error(`${props.serviceName}: blue/green needs the load balancer's test listener`);
    this.group = new CodedeployDeploymentGroup(this, "group", {
      appName: props.application.application.name,
      deploymentGroupName: props.serviceName,
      serviceRoleArn: props.application.roleArn,
      deploymentConfigName: props.application.deploymentConfigName,
      deploymentStyle: { deploymentType: "BLUE_GREEN", deploymentOption: "WITH_TRAFFIC_CONTROL" },
      blueGreenDeploymentConfig: {
        deploymentReadyOption: { actionOnTimeout: "CONTINUE_DEPLOYMENT" },
        terminateBlueInstancesOnDeploymentSuccess: {
          action: "TERMINATE",
          terminationWaitTimeInMinutes: props.blueTerminationWaitMinutes ?? 60,
        },
      },
      ecsService: { clusterName: props.clusterName, serviceName: props.ecsServiceName },
      loadBalancerInfo: {
        targetGroupPairInfo: {
          prodTrafficRoute: { listenerArns: [props.loadBalancer.httpsListener.arn] },
          testTrafficRoute: { listenerArns: [testListener.arn] },
          targetGroup: [{ name: props.targetGroup.name }, { name: props.alternateTargetGroup.name }],
        },
      },
      autoRollbackConfiguration: { enabled: true, events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] },
      alarmConfiguration: { enabled: true, alarms: [...props.alarmNames] },
    });
  }
}
