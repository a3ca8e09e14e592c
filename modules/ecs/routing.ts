import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";
import type { ApiLoadBalancer } from "./load-balancer";
import { pathGroups, serviceNames } from "./names";

export interface ServiceTargetsProps {
  /** The environment's naming convention in this region. */
  readonly naming: Naming;
  /** The catalogue name of the service. */
  readonly service: string;
  /** The region's ALB; its listeners get the rules. */
  readonly loadBalancer: ApiLoadBalancer;
  /** The port targets receive traffic and health checks on. */
  readonly containerPort: number;
  /** @default "/health" */
  readonly healthCheckPath?: string;
  /** Path patterns routed to the service; more than 3 become several rules (`pathGroups`). */
  readonly paths: readonly string[];
  /** First listener-rule priority of the service's block of 10 (see `listenerPriorities`). */
  readonly priority: number;
  /**
   * Blue/green: a second (alternate) target group for the replacement task set, and the same rules
   * on the test listener. CodeDeploy then owns the rules' target groups, so Terraform ignores them.
   * @default false
   */
  readonly blueGreen?: boolean;
  /**
   * Seconds a deregistering task keeps serving in-flight requests.
   * @default 30 (API calls are short; the ALB default of 300 slows every deployment by minutes)
   */
  readonly deregistrationDelaySeconds?: number;
}

/**
 * A service's place behind the ALB: `ip` target groups (Fargate's awsvpc tasks) with a health
 * check `GET <healthCheckPath>` every 30 s, and path rules on the HTTPS listener at priorities
 * that belong to the service, so adding another service never renumbers them. Every rule also
 * requires the load balancer's origin header. The target-group health check needs no rule: ALB
 * nodes send it to each target directly, outside the listeners.
 */
export class ServiceTargets extends Construct {
  /** The target group live traffic starts on. */
  readonly targetGroup: LbTargetGroup;
  /** Blue/green only: where CodeDeploy registers the replacement task set. */
  readonly alternateTargetGroup?: LbTargetGroup;
  readonly rules: readonly LbListenerRule[];
  readonly testRules: readonly LbListenerRule[];

  constructor(scope: Construct, id: string, props: ServiceTargetsProps) {
    super(scope, id);
    const names = serviceNames(props.naming, props.service);
    const targetGroup = (constructId: string, name: string) =>
      new LbTargetGroup(this, constructId, {
        name,
        vpcId: props.loadBalancer.vpcId,
        targetType: "ip",
        protocol: "HTTP",
        protocolVersion: "HTTP1",
        port: props.containerPort,
        deregistrationDelay: String(props.deregistrationDelaySeconds ?? 30),
        healthCheck: {
          enabled: true,
          protocol: "HTTP",
          path: props.healthCheckPath ?? "/health",
          port: "traffic-port",
          interval: 30,
          timeout: 5,
          healthyThreshold: 3,
          unhealthyThreshold: 3,
          matcher: "200",
        },
      });
    this.targetGroup = targetGroup("target-group", names.targetGroup);
    if (props.blueGreen) this.alternateTargetGroup = targetGroup("alternate-target-group", names.alternateTargetGroup);

    const headerCondition = props.loadBalancer.originHeaderCondition;
    const headerValues = headerCondition.httpHeader?.values ?? [];
    let groups: string[][];
    try {
      // The header value is a token: its wildcards cannot be counted, so the variable's value must have none.
      groups = pathGroups(props.paths, { evaluations: headerValues.length, wildcards: 0 });
    } catch (error) {
      throw new Error(`service "${props.service}" paths: ${(error as Error).message}`);
    }
    const rules = (listenerId: string, listenerArn: string) =>
      groups.map(
        (paths, index) =>
          new LbListenerRule(this, `${listenerId}-rule-${index}`, {
            listenerArn,
            priority: props.priority + index,
            condition: [headerCondition, { pathPattern: { values: paths } }],
            action: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
            // CodeDeploy moves the rule between the two target groups on every deployment.
            lifecycle: props.blueGreen ? { ignoreChanges: ["action"] } : undefined,
          }),
      );
    this.rules = rules("https", props.loadBalancer.httpsListener.arn);
    const testListener = props.loadBalancer.testListener;
    if (props.blueGreen && !testListener) {
      throw new Error(`${props.service}: blue/green needs the load balancer's test listener (testListenerPort)`);
    }
    this.testRules = props.blueGreen && testListener ? rules("test", testListener.arn) : [];
  }
}
