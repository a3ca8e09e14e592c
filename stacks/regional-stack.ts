import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { EnvironmentConfig, RegionConfig } from "../environments/types";
import { subnetPlanOf } from "../lib/subnets";
import { KmsKey } from "../modules/kms-key";
import { Vpc } from "../modules/vpc";
import { AwsStack } from "./aws-stack";

/**
 * `lma-<environment>-<region>`: everything the platform runs in one region of one environment,
 * composed from the modules. Environments and regions differ only by the data passed in.
 */
export class RegionalStack extends AwsStack {
  readonly region: RegionConfig;
  readonly network: Vpc;

  constructor(scope: Construct, environment: EnvironmentConfig, region: RegionConfig) {
    super(scope, `lma-${environment.name}-${region.region}`, { environment, region: region.region, backend: "s3" });
    this.region = region;
    const { naming } = this;

    // ── 1. Security baseline (modules/security, issue 3): KMS keys per data class, IAM, detection.
    // TODO(issue 3): replace this key with the security baseline's logs key.
    const logsKey = new KmsKey(this, "logs-key", {
      naming,
      alias: "logs",
      description: `CloudWatch Logs of ${naming.prefix} in ${naming.region}`,
    });

    // ── 2. Network (modules/vpc, issue 2).
    this.network = new Vpc(this, "network", {
      naming,
      cidr: region.vpcCidr,
      availabilityZones: region.availabilityZones,
      subnets: subnetPlanOf(region),
      natGateways: region.natGateways,
      flowLogs: { type: "cloudwatch", kmsKey: logsKey, retentionInDays: environment.logRetentionDays },
    });

    // ── 3. Security groups chain and WAF (modules/security, issue 3).

    // ── 4. Storage: the four platform buckets (modules/s3, issue 4).

    // ── 5. Data stores and functions (modules/rds, elasticache, search, messaging, serverless; issue 4).

    // ── 6. Audit trail to the logs bucket (modules/security, issue 3).

    // ── 7. Compute: ECR, ECS cluster and services, ALB, deployments (modules/ecs, issue 5).

    // ── 8. Edge: ACM, CloudFront, Route 53 (modules/edge, issue 5).

    // ── Outputs.
    new TerraformOutput(this, "vpc_id", { value: this.network.vpcId, description: "VPC id" });
    new TerraformOutput(this, "app_subnet_ids", { value: this.network.subnetIds.app, description: "Private app subnets" });
    new TerraformOutput(this, "data_subnet_ids", { value: this.network.subnetIds.data, description: "Private data subnets" });
  }
}
