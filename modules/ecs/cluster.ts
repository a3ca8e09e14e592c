import { EcsCluster as EcsClusterResource } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";
import type { KmsKey } from "../kms-key";
import { LogGroup } from "../log-group";
import { platformNames } from "./names";

export interface EcsClusterProps {
  /** The environment's naming convention in this region. */
  readonly naming: Naming;
  /**
   * Encrypts ECS Exec session data and the exec-session log group. Tasks that may be exec'd into
   * need `kms:Decrypt` on it (FargateService grants it when exec is on).
   */
  readonly kmsKey: KmsKey;
  /** Days the exec-session audit log is kept. */
  readonly logRetentionInDays: number;
  /**
   * Container Insights: `enhanced` adds task- and container-level metrics at a higher price.
   * @default "enabled" (service-level CPU, memory and RunningTaskCount, which queue scaling uses)
   */
  readonly containerInsights?: "enabled" | "enhanced";
}

/**
 * The environment's ECS cluster in one region: Container Insights on, ECS Exec sessions encrypted
 * with a customer-managed key and logged to an encrypted log group, and the FARGATE and
 * FARGATE_SPOT capacity providers (services choose Spot explicitly; the default is on-demand).
 */
export class EcsCluster extends Construct {
  readonly cluster: EcsClusterResource;
  readonly capacityProviders: EcsClusterCapacityProviders;
  /** Where `aws ecs execute-command` sessions are recorded. */
  readonly execLogGroup: LogGroup;
  readonly kmsKey: KmsKey;

  constructor(scope: Construct, id: string, props: EcsClusterProps) {
    super(scope, id);
    const names = platformNames(props.naming);
    this.kmsKey = props.kmsKey;
    this.execLogGroup = new LogGroup(this, "exec-logs", {
      naming: props.naming,
      name: names.execLogGroup,
      kmsKey: props.kmsKey,
      retentionInDays: props.logRetentionInDays,
    });
    this.cluster = new EcsClusterResource(this, "cluster", {
      name: names.cluster,
      setting: [{ name: "containerInsights", value: props.containerInsights ?? "enabled" }],
      configuration: {
        executeCommandConfiguration: {
          kmsKeyId: props.kmsKey.arn,
          logging: "OVERRIDE",
          logConfiguration: {
            cloudWatchLogGroupName: this.execLogGroup.name,
            cloudWatchEncryptionEnabled: true,
          },
        },
      },
    });
    this.capacityProviders = new EcsClusterCapacityProviders(this, "capacity-providers", {
      clusterName: this.cluster.name,
      capacityProviders: ["FARGATE", "FARGATE_SPOT"],
      defaultCapacityProviderStrategy: [{ capacityProvider: "FARGATE", base: 0, weight: 1 }],
    });
  }

  get name(): string {
    return this.cluster.name;
  }

  get arn(): string {
    return this.cluster.arn;
  }
}
