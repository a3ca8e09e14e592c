import { Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Naming } from "../../lib/naming";
import { KmsKey } from "../../modules/kms-key";
import { subnetPlanOf } from "../../lib/subnets";
import { PORTS } from "../../modules/security/security-groups";
import { Vpc, type VpcProps } from "../../modules/vpc";
import { ENVIRONMENTS, listOf, policyOf, resourcesOf, type SynthesizedStack, synthRegional } from "../support/synth";

/** Synthesizes a bare VPC with the given props in a stack of its own. */
function synthVpc(props: Partial<VpcProps> & Pick<VpcProps, "cidr" | "availabilityZones">): SynthesizedStack {
  const text = Testing.synthScope((scope) => {
    new AwsProvider(scope, "aws", { region: "us-east-1" });
    const naming = new Naming("dev", "us-east-1", "400000000001");
    const kmsKey = new KmsKey(scope, "key", { naming, alias: "logs", description: "logs" });
    new Vpc(scope, "vpc", { naming, flowLogs: { type: "cloudwatch", kmsKey, retentionInDays: 30 }, ...props });
  });
  return JSON.parse(text);
}

// Every region of every environment, with what its configuration says the network must be.
const NETWORKS = Object.values(ENVIRONMENTS).flatMap((environment) =>
  environment.regions.map((region, regionIndex) => {
    const azCount = region.availabilityZones.length;
    return [`${environment.name} ${region.region}`, environment, regionIndex, region.vpcCidr, azCount, region.natGateways === "per-az" ? azCount : 1] as const;
  }),
);

describe.each(NETWORKS)("the %s network", (_name, environment, regionIndex, cidr, azCount, natCount) => {
  const { json } = synthRegional(environment, regionIndex);
  const subnets = listOf(json, "aws_subnet");

  it(`is ${cidr} with DNS support`, () => {
    expect(listOf(json, "aws_vpc")).toEqual([
      expect.objectContaining({ cidr_block: cidr, enable_dns_hostnames: true, enable_dns_support: true }),
    ]);
  });

  it(`has public, app and data subnets in each of its ${azCount} AZs, none assigning public IPs`, () => {
    for (const tier of ["public", "app", "data"]) {
      const inTier = subnets.filter((subnet) => (subnet.tags as Record<string, string>).Tier === tier);
      expect(inTier).toHaveLength(azCount);
      expect(new Set(inTier.map((subnet) => subnet.availability_zone)).size).toBe(azCount);
    }
    expect(subnets.every((subnet) => subnet.map_public_ip_on_launch === false)).toBe(true);
  });

  it(`has ${natCount} NAT gateway(s) and every app route table routes to one`, () => {
    expect(listOf(json, "aws_nat_gateway")).toHaveLength(natCount);
    const natRoutes = listOf(json, "aws_route").filter((route) => route.nat_gateway_id);
    expect(natRoutes).toHaveLength(azCount);
  });

  it("gives the data tier no route out of the VPC", () => {
    const routes = listOf(json, "aws_route");
    expect(routes).toHaveLength(1 + azCount); // the public default route, and one per app table
    const dataTable = Object.keys(resourcesOf(json, "aws_route_table")).find((name) => name.includes("rt-data"));
    expect(dataTable).toBeDefined();
    expect(routes.some((route) => String(route.route_table_id).includes(dataTable!))).toBe(false);
  });
});

describe("a production network in detail", () => {
  const { json } = synthRegional(ENVIRONMENTS.production);

  it("closes the default security group", () => {
    expect(listOf(json, "aws_default_security_group")).toEqual([expect.objectContaining({ ingress: [], egress: [] })]);
  });

  it("computes subnets from the VPC CIDR: public /24, app /20, data /24 per AZ", () => {
    const cidrs = (tier: string) =>
      listOf(json, "aws_subnet")
        .filter((subnet) => (subnet.tags as Record<string, string>).Tier === tier)
        .map((subnet) => subnet.cidr_block);
    expect(cidrs("public")).toEqual(["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]);
    expect(cidrs("app")).toEqual(["10.0.16.0/20", "10.0.32.0/20", "10.0.48.0/20"]);
    expect(cidrs("data")).toEqual(["10.0.128.0/24", "10.0.129.0/24", "10.0.130.0/24"]);
  });

  it("logs all traffic to a KMS-encrypted log group with a retention, through a role limited to it", () => {
    expect(listOf(json, "aws_flow_log")).toEqual([
      expect.objectContaining({ traffic_type: "ALL", log_destination_type: "cloud-watch-logs" }),
    ]);
    const group = listOf(json, "aws_cloudwatch_log_group").find((g) => g.name === "/lma/production/vpc/flow-logs");
    expect(group).toEqual(expect.objectContaining({ retention_in_days: 365, kms_key_id: expect.stringContaining("aws_kms_key") }));
    const role = listOf(json, "aws_iam_role").find((r) => r.name === "lma-production-use1-vpc-flow-logs")!;
    expect(policyOf(role.assume_role_policy).Statement[0]).toMatchObject({
      Principal: { Service: "vpc-flow-logs.amazonaws.com" },
      Condition: { StringEquals: { "aws:SourceAccount": "400000000003" } },
    });
    const policy = listOf(json, "aws_iam_role_policy").find((p) => p.name === "deliver-to-flow-log-group")!;
    expect(policyOf(policy.policy).Statement[0]!.Resource).toEqual([
      expect.stringMatching(/aws_cloudwatch_log_group\..*\.arn/),
      expect.stringMatching(/aws_cloudwatch_log_group\..*\.arn\}:\*/),
    ]);
  });

  it("has gateway endpoints for S3 and DynamoDB on the private route tables", () => {
    const gateways = listOf(json, "aws_vpc_endpoint").filter((endpoint) => endpoint.vpc_endpoint_type === "Gateway");
    expect(gateways.map((endpoint) => endpoint.service_name).sort()).toEqual([
      "com.amazonaws.us-east-1.dynamodb",
      "com.amazonaws.us-east-1.s3",
    ]);
    for (const gateway of gateways) expect(gateway.route_table_ids).toHaveLength(4); // 3 app + 1 data
  });

  it("has private interface endpoints for ECR, Logs, Secrets Manager, KMS, STS, X-Ray and ECS Exec with their own security group", () => {
    const interfaces = listOf(json, "aws_vpc_endpoint").filter((endpoint) => endpoint.vpc_endpoint_type === "Interface");
    expect(interfaces.map((endpoint) => endpoint.service_name).sort()).toEqual(
      ["ecr.api", "ecr.dkr", "kms", "logs", "secretsmanager", "ssmmessages", "sts", "xray"].map((s) => `com.amazonaws.us-east-1.${s}`),
    );
    for (const endpoint of interfaces) {
      expect(endpoint).toMatchObject({ private_dns_enabled: true, subnet_ids: expect.any(Array) });
      expect(endpoint.security_group_ids).toHaveLength(1);
    }
  });

  it("has a network ACL per tier, the data tier admitting only the app subnets on the stores' ports and the data subnets", () => {
    expect(listOf(json, "aws_network_acl")).toHaveLength(3);
    const plan = subnetPlanOf(ENVIRONMENTS.production.regions[0]!);
    const dataRules = Object.entries(resourcesOf(json, "aws_network_acl_rule"))
      .filter(([name]) => name.includes("nacl-data"))
      .map(([, rule]) => rule);
    const storePorts = [PORTS.postgres, PORTS.redis, PORTS.opensearch, PORTS.amqps];
    for (const rule of dataRules) {
      expect(rule.protocol).toBe("6");
      expect([...plan.app, ...plan.data]).toContain(rule.cidr_block);
      expect(rule.rule_action).toBe("allow");
    }
    const fromApp = dataRules.filter((rule) => !rule.egress && plan.app.includes(String(rule.cidr_block)));
    expect(new Set(fromApp.map((rule) => rule.from_port))).toEqual(new Set(storePorts));
    for (const rule of fromApp) expect(rule.to_port).toBe(rule.from_port);
    // AWS's default quota: 20 rules per network ACL and direction.
    for (const egress of [true, false]) expect(dataRules.filter((rule) => rule.egress === egress).length).toBeLessThanOrEqual(20);
  });

  it("keeps the flow-log group from being destroyed where the environment protects deletion", () => {
    const group = listOf(json, "aws_cloudwatch_log_group").find((g) => g.name === "/lma/production/vpc/flow-logs");
    expect(group?.lifecycle).toEqual({ prevent_destroy: ENVIRONMENTS.production.deletionProtection });
  });

  it("has database and cache subnet groups over the data subnets", () => {
    expect(listOf(json, "aws_db_subnet_group")).toEqual([
      expect.objectContaining({ name: "lma-production-data", subnet_ids: expect.arrayContaining([expect.any(String)]) }),
    ]);
    expect(listOf(json, "aws_elasticache_subnet_group")).toHaveLength(1);
  });
});

describe("Vpc options", () => {
  it("uses given subnet CIDRs instead of computing them", () => {
    const json = synthVpc({
      cidr: "10.50.0.0/20",
      availabilityZones: ["us-east-1a", "us-east-1b"],
      subnets: { public: ["10.50.0.0/27", "10.50.0.32/27"], app: ["10.50.4.0/22", "10.50.8.0/22"], data: ["10.50.1.0/27", "10.50.1.32/27"] },
    });
    const byTier = (tier: string) =>
      listOf(json, "aws_subnet")
        .filter((subnet) => (subnet.tags as Record<string, string>).Tier === tier)
        .map((subnet) => subnet.cidr_block);
    expect(byTier("public")).toEqual(["10.50.0.0/27", "10.50.0.32/27"]);
    expect(byTier("app")).toEqual(["10.50.4.0/22", "10.50.8.0/22"]);
    expect(byTier("data")).toEqual(["10.50.1.0/27", "10.50.1.32/27"]);
  });

  it("shares one NAT gateway when asked, still with a route table per AZ", () => {
    const json = synthVpc({ cidr: "10.60.0.0/16", availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"], natGateways: "single" });
    expect(listOf(json, "aws_nat_gateway")).toHaveLength(1);
    expect(listOf(json, "aws_route").filter((route) => route.nat_gateway_id)).toHaveLength(3);
  });

  it("can deliver flow logs to S3 instead, with no role or log group", () => {
    const text = Testing.synthScope((scope) => {
      new AwsProvider(scope, "aws", { region: "us-east-1" });
      const naming = new Naming("dev", "us-east-1", "400000000001");
      new Vpc(scope, "vpc", {
        naming,
        cidr: "10.70.0.0/16",
        availabilityZones: ["us-east-1a", "us-east-1b"],
        flowLogs: { type: "s3", bucketArn: "arn:aws:s3:::lma-dev-logs-us-east-1-400000000001" },
      });
    });
    const json: SynthesizedStack = JSON.parse(text);
    expect(listOf(json, "aws_flow_log")).toEqual([
      expect.objectContaining({
        log_destination_type: "s3",
        log_destination: "arn:aws:s3:::lma-dev-logs-us-east-1-400000000001/vpc-flow-logs/",
      }),
    ]);
    expect(listOf(json, "aws_iam_role")).toHaveLength(0);
    expect(listOf(json, "aws_cloudwatch_log_group")).toHaveLength(0);
  });
});
