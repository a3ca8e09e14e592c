import { cidrSubnet } from "./cidr";

/** One CIDR per AZ for each subnet tier (environments/schema.ts documents the tiers). */
export interface SubnetPlan {
  readonly public: readonly string[];
  readonly app: readonly string[];
  readonly data: readonly string[];
}

/** What a subnet plan is derived from: a region's VPC, its AZs and, optionally, explicit subnets. */
export interface SubnetPlanSource {
  readonly vpcCidr: string;
  readonly availabilityZones: readonly string[];
  readonly subnets?: SubnetPlan;
}

/**
 * The default subnet plan of a VPC (up to four AZs; a /16 gives):
 *   public  /24 per AZ from x.x.0.0   — ALB and NAT need few addresses
 *   app     /20 per AZ from x.x.16.0  — Fargate tasks, Lambda ENIs and endpoints need many
 *   data    /24 per AZ from x.x.128.0 — databases, caches, search and brokers
 * Sizes scale with the VPC prefix, so a /20 VPC gets /28, /24 and /28 subnets.
 */
export function defaultSubnetPlan(vpcCidr: string, azCount: number): SubnetPlan {
  const azIndexes = Array.from({ length: azCount }, (_, index) => index);
  return {
    public: azIndexes.map((index) => cidrSubnet(vpcCidr, 8, index)),
    app: azIndexes.map((index) => cidrSubnet(vpcCidr, 4, 1 + index)),
    data: azIndexes.map((index) => cidrSubnet(vpcCidr, 8, 128 + index)),
  };
}

export function subnetPlanOf(region: SubnetPlanSource): SubnetPlan {
  return region.subnets ?? defaultSubnetPlan(region.vpcCidr, region.availabilityZones.length);
}
