import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { ElasticacheSubnetGroup } from "@cdktf/provider-aws/lib/elasticache-subnet-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { NetworkAcl } from "@cdktf/provider-aws/lib/network-acl";
import { NetworkAclRule } from "@cdktf/provider-aws/lib/network-acl-rule";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc as VpcResource } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Construct } from "constructs";
import { policyDocument, serviceTrustPolicy } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import { defaultSubnetPlan } from "../../lib/subnets";
import { tagComponent } from "../../lib/tags";
import type { KmsKey } from "../kms-key";
import { LogGroup } from "../log-group";
import { PORTS } from "../security/security-groups";
import { Port, SecurityGroup } from "../security-group";

/** One CIDR per AZ, in AZ order, for each tier. */
export interface SubnetPlan {
  /** ALB and NAT gateways. */
  readonly public: readonly string[];
  /** ECS tasks, Lambda ENIs, interface endpoints. */
  readonly app: readonly string[];
  /** RDS, ElastiCache, OpenSearch, Amazon MQ. No route to the internet. */
  readonly data: readonly string[];
}

export type SubnetTier = keyof SubnetPlan;

/** One shared NAT gateway (cheap, single-AZ egress) or one per AZ (egress survives an AZ failure). */
export type NatMode = "single" | "per-az";

/** Where flow logs go: an encrypted, expiring log group (default) or an S3 bucket. */
export type FlowLogDestination =
  | {
      readonly type: "cloudwatch";
      readonly kmsKey: KmsKey;
      readonly retentionInDays: number;
      /** Terraform refuses to destroy the log group (flow logs are audit data). @default false */
      readonly preventDestroy?: boolean;
    }
  | { readonly type: "s3"; readonly bucketArn: string };

export interface VpcProps {
  readonly naming: Naming;
  readonly cidr: string;
  /** AZ names in order; subnet CIDRs follow the same order. */
  readonly availabilityZones: readonly string[];
  /** @default `defaultSubnetPlan(cidr, availabilityZones.length)` (public /24, app /20, data /24 per AZ) */
  readonly subnets?: SubnetPlan;
  /**
   * `per-az` keeps egress alive when an AZ fails; `single` is dev's cheaper choice.
   * @default "per-az"
   */
  readonly natGateways?: NatMode;
  /** Flow logs of all traffic (accepted and rejected). Required: a regulated network is always logged. */
  readonly flowLogs: FlowLogDestination;
  /**
   * Interface endpoints in the app subnets, so tasks reach AWS APIs without the internet.
   * @default ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "kms", "sts", "xray", "ssmmessages"]
   */
  readonly interfaceEndpoints?: readonly string[];
  /**
   * Ports the data subnets' network ACL admits from the app subnets.
   * @default PostgreSQL 5432, Redis 6379, OpenSearch 443, AMQPS 5671
   */
  readonly dataStorePorts?: readonly number[];
}

/** Pull images, log, read secrets, decrypt, assume roles, send traces and open ECS Exec sessions privately. */
const DEFAULT_INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "kms", "sts", "xray", "ssmmessages"];
const GATEWAY_ENDPOINTS = ["s3", "dynamodb"] as const;
const ANYWHERE = "0.0.0.0/0";
/** The data tier's listeners: PostgreSQL, Redis, OpenSearch (HTTPS) and RabbitMQ (AMQPS). */
const DEFAULT_DATA_STORE_PORTS = [...new Set([PORTS.postgres, PORTS.redis, PORTS.opensearch, PORTS.amqps])];
/** AWS's default quota of inbound (and of outbound) rules per network ACL. */
const NACL_RULES_PER_DIRECTION = 20;
/** Return traffic to connections opened from inside (NAT, endpoints, clients) uses these ports. */
const EPHEMERAL = { from: 1024, to: 65535 };

/**
 * The platform network: three subnet tiers in every AZ (public for ALB and NAT, private app for
 * tasks, private data with no route out), NAT per AZ or shared, route tables and network ACLs per
 * tier, flow logs, a closed default security group, and endpoints for S3, DynamoDB and the APIs
 * tasks call. Nothing here is looked up at plan time: AZs and CIDRs come from configuration.
 */
export class Vpc extends Construct {
  readonly vpc: VpcResource;
  readonly cidr: string;
  readonly subnetIds: Readonly<Record<SubnetTier, readonly string[]>>;
  readonly routeTableIds: Readonly<Record<SubnetTier, readonly string[]>>;
  readonly natGatewayIds: readonly string[];
  readonly dbSubnetGroupName: string;
  readonly cacheSubnetGroupName: string;
  /** Members of this group may reach the interface endpoints on 443. */
  readonly endpointSecurityGroup: SecurityGroup;
  /** Prefix lists of the S3 and DynamoDB gateway endpoints, for security-group egress rules. */
  readonly gatewayEndpointPrefixListIds: Readonly<Record<(typeof GATEWAY_ENDPOINTS)[number], string>>;

  constructor(scope: Construct, id: string, props: VpcProps) {
    super(scope, id);
    tagComponent(this, "network");
    const { naming, availabilityZones: azs } = props;
    const plan = props.subnets ?? defaultSubnetPlan(props.cidr, azs.length);
    this.cidr = props.cidr;

    this.vpc = new VpcResource(this, "vpc", {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: naming.name("vpc") },
    });
    // Adopting the default group with no rules closes it (CIS 5.4 / FSBP EC2.2).
    new DefaultSecurityGroup(this, "default-security-group", {
      vpcId: this.vpc.id,
      ingress: [],
      egress: [],
      tags: { Name: naming.name("default-closed") },
    });

    const subnets = {} as Record<SubnetTier, Subnet[]>;
    for (const tier of ["public", "app", "data"] as const) {
      subnets[tier] = azs.map(
        (az, index) =>
          new Subnet(this, `${tier}-${az}`, {
            vpcId: this.vpc.id,
            availabilityZone: az,
            cidrBlock: plan[tier][index]!,
            // Nothing gets a public IP implicitly, not even in public subnets: only the ALB and NAT do.
            mapPublicIpOnLaunch: false,
            tags: { Name: naming.name(`${tier}-${az}`), Tier: tier },
          }),
      );
    }
    this.subnetIds = {
      public: subnets.public.map((subnet) => subnet.id),
      app: subnets.app.map((subnet) => subnet.id),
      data: subnets.data.map((subnet) => subnet.id),
    };

    const internetGateway = new InternetGateway(this, "internet-gateway", {
      vpcId: this.vpc.id,
      tags: { Name: naming.name("igw") },
    });
    const natAzs = (props.natGateways ?? "per-az") === "per-az" ? azs : azs.slice(0, 1);
    const natGateways = natAzs.map((az, index) => {
      const eip = new Eip(this, `nat-eip-${az}`, { domain: "vpc", tags: { Name: naming.name(`nat-${az}`) } });
      return new NatGateway(this, `nat-${az}`, {
        allocationId: eip.allocationId,
        subnetId: subnets.public[index]!.id,
        tags: { Name: naming.name(`nat-${az}`) },
        dependsOn: [internetGateway],
      });
    });
    this.natGatewayIds = natGateways.map((nat) => nat.id);

    // Public: one table to the internet gateway.
    const publicTable = this.routeTable(naming, "public", subnets.public);
    new Route(this, "public-internet", { routeTableId: publicTable.id, destinationCidrBlock: ANYWHERE, gatewayId: internetGateway.id });
    // App: a table per AZ, to that AZ's NAT (or the shared one), so switching NAT modes only
    // changes routes, never subnet associations.
    const appTables = azs.map((az, index) => {
      const table = this.routeTable(naming, `app-${az}`, [subnets.app[index]!]);
      const nat = natGateways[Math.min(index, natGateways.length - 1)]!;
      new Route(this, `app-${az}-nat`, { routeTableId: table.id, destinationCidrBlock: ANYWHERE, natGatewayId: nat.id });
      return table;
    });
    // Data: no route out of the VPC at all.
    const dataTable = this.routeTable(naming, "data", subnets.data);
    this.routeTableIds = {
      public: [publicTable.id],
      app: appTables.map((table) => table.id),
      data: [dataTable.id],
    };

    this.networkAcls(naming, subnets, plan, props.cidr, props.dataStorePorts ?? DEFAULT_DATA_STORE_PORTS);
    this.flowLogs(naming, props.flowLogs);

    const endpointPolicy = policyDocument([
      {
        Sid: "OnlyThisAccountsPrincipals",
        Effect: "Allow",
        Principal: "*",
        Action: "*",
        Resource: "*",
        Condition: { StringEquals: { "aws:PrincipalAccount": naming.accountId } },
      },
      {
        // ECR keeps image layers in AWS-owned buckets that image pulls must reach.
        Sid: "EcrImageLayers",
        Effect: "Allow",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: `arn:aws:s3:::prod-${naming.region}-starport-layer-bucket/*`,
      },
    ]);
    const gatewayEndpoints = GATEWAY_ENDPOINTS.map(
      (service) =>
        new VpcEndpoint(this, `endpoint-${service}`, {
          vpcId: this.vpc.id,
          serviceName: `com.amazonaws.${naming.region}.${service}`,
          vpcEndpointType: "Gateway",
          routeTableIds: [...this.routeTableIds.app, ...this.routeTableIds.data],
          policy: service === "s3" ? endpointPolicy : undefined,
          tags: { Name: naming.name(`endpoint-${service}`) },
        }),
    );
    this.gatewayEndpointPrefixListIds = {
      s3: gatewayEndpoints[0]!.prefixListId,
      dynamodb: gatewayEndpoints[1]!.prefixListId,
    };

    this.endpointSecurityGroup = new SecurityGroup(this, "endpoints", {
      naming,
      name: "vpc-endpoints",
      description: "Interface VPC endpoints: HTTPS from inside the VPC",
      vpcId: this.vpc.id,
      defaultPort: Port.tcp(443),
    });
    for (const service of props.interfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS) {
      new VpcEndpoint(this, `endpoint-${service.replace(".", "-")}`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${naming.region}.${service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: this.subnetIds.app as string[],
        securityGroupIds: [this.endpointSecurityGroup.id],
        tags: { Name: naming.name(`endpoint-${service}`) },
      });
    }
    this.endpointSecurityGroup.connections.allowFromCidr(props.cidr, Port.tcp(443), "HTTPS to interface endpoints from the VPC");

    const dbSubnetGroup = new DbSubnetGroup(this, "db-subnet-group", {
      name: naming.name("data"),
      description: "Private data subnets for RDS",
      subnetIds: this.subnetIds.data as string[],
    });
    const cacheSubnetGroup = new ElasticacheSubnetGroup(this, "cache-subnet-group", {
      name: naming.name("data"),
      description: "Private data subnets for ElastiCache",
      subnetIds: this.subnetIds.data as string[],
    });
    this.dbSubnetGroupName = dbSubnetGroup.name;
    this.cacheSubnetGroupName = cacheSubnetGroup.name;
  }

  get vpcId(): string {
    return this.vpc.id;
  }

  private routeTable(naming: Naming, name: string, subnets: readonly Subnet[]): RouteTable {
    const table = new RouteTable(this, `rt-${name}`, {
      vpcId: this.vpc.id,
      tags: { Name: naming.name(`rt-${name}`) },
    });
    subnets.forEach((subnet, index) => {
      new RouteTableAssociation(this, `rt-${name}-${index}`, { routeTableId: table.id, subnetId: subnet.id });
    });
    return table;
  }

  /**
   * Stateless filters per tier, a second line behind security groups:
   * public takes HTTPS/HTTP and return traffic from anywhere; app takes only the VPC and return
   * traffic from its NAT; data takes only the app subnets on the stores' ports, and the data
   * subnets on HTTPS and the unprivileged range (replication between nodes in different AZs, and
   * its responses), and answers only those subnets.
   */
  private networkAcls(naming: Naming, subnets: Record<SubnetTier, Subnet[]>, plan: SubnetPlan, vpcCidr: string, storePorts: readonly number[]): void {
    const tcp = (from: number, to = from) => ({ protocol: "6", fromPort: from, toPort: to });
    const all = { protocol: "-1", fromPort: 0, toPort: 0 };
    const unprivileged = tcp(EPHEMERAL.from, EPHEMERAL.to);
    type Rule = { cidr: string; ports: { protocol: string; fromPort: number; toPort: number } };
    const tiers: Record<SubnetTier, { ingress: Rule[]; egress: Rule[] }> = {
      public: {
        ingress: [
          { cidr: ANYWHERE, ports: tcp(443) },
          { cidr: ANYWHERE, ports: tcp(80) },
          { cidr: vpcCidr, ports: all },
          { cidr: ANYWHERE, ports: unprivileged },
        ],
        egress: [{ cidr: ANYWHERE, ports: all }],
      },
      app: {
        ingress: [
          { cidr: vpcCidr, ports: all },
          { cidr: ANYWHERE, ports: unprivileged },
        ],
        egress: [{ cidr: ANYWHERE, ports: all }],
      },
      data: {
        ingress: [
          ...plan.app.flatMap((cidr) => storePorts.map((port) => ({ cidr, ports: tcp(port) }))),
          ...plan.data.flatMap((cidr) => [
            { cidr, ports: tcp(443) },
            { cidr, ports: unprivileged },
          ]),
        ],
        egress: [
          ...plan.app.map((cidr) => ({ cidr, ports: unprivileged })),
          ...plan.data.flatMap((cidr) => [
            { cidr, ports: tcp(443) },
            { cidr, ports: unprivileged },
          ]),
        ],
      },
    };
    for (const [tier, rules] of Object.entries(tiers) as [SubnetTier, (typeof tiers)[SubnetTier]][]) {
      const acl = new NetworkAcl(this, `nacl-${tier}`, {
        vpcId: this.vpc.id,
        subnetIds: subnets[tier].map((subnet) => subnet.id),
        tags: { Name: naming.name(`nacl-${tier}`) },
      });
      for (const direction of ["ingress", "egress"] as const) {
        if (rules[direction].length > NACL_RULES_PER_DIRECTION) {
          throw new Error(
            `the ${tier} network ACL needs ${rules[direction].length} ${direction} rules, above AWS's default quota of ${NACL_RULES_PER_DIRECTION} (fewer AZs or store ports)`,
          );
        }
        rules[direction].forEach((rule, index) => {
          new NetworkAclRule(this, `nacl-${tier}-${direction}-${index}`, {
            networkAclId: acl.id,
            egress: direction === "egress",
            ruleNumber: 100 + index * 10,
            ruleAction: "allow",
            cidrBlock: rule.cidr,
            ...rule.ports,
          });
        });
      }
    }
  }

  private flowLogs(naming: Naming, destination: FlowLogDestination): void {
    const common = { vpcId: this.vpc.id, trafficType: "ALL", maxAggregationInterval: 60, tags: { Name: naming.name("flow-logs") } };
    if (destination.type === "s3") {
      new FlowLog(this, "flow-log", {
        ...common,
        logDestinationType: "s3",
        logDestination: `${destination.bucketArn}/vpc-flow-logs/`,
        destinationOptions: { fileFormat: "parquet", hiveCompatiblePartitions: true, perHourPartition: true },
      });
      return;
    }
    const logGroup = new LogGroup(this, "flow-log-group", {
      naming,
      name: ["vpc", "flow-logs"],
      kmsKey: destination.kmsKey,
      retentionInDays: destination.retentionInDays,
    });
    if (destination.preventDestroy) logGroup.resource.lifecycle = { preventDestroy: true };
    const role = new IamRole(this, "flow-log-role", {
      name: naming.globalName("vpc-flow-logs"),
      description: "VPC flow logs delivery to its own log group",
      assumeRolePolicy: serviceTrustPolicy(
        "vpc-flow-logs.amazonaws.com",
        naming.accountId,
        naming.arn("ec2", "vpc-flow-log/*"),
      ),
    });
    new IamRolePolicy(this, "flow-log-policy", {
      role: role.id,
      name: "deliver-to-flow-log-group",
      policy: policyDocument([
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: [logGroup.arn, `${logGroup.arn}:*`],
        },
      ]),
    });
    new FlowLog(this, "flow-log", {
      ...common,
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
    });
  }
}
