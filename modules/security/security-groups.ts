import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";
import { tagComponent } from "../../lib/tags";
import { Port, SecurityGroup } from "../security-group";
import type { Vpc } from "../vpc";

/** Ports of the chain. */
export const PORTS = {
  https: 443,
  serviceDefault: 8080,
  postgres: 5432,
  redis: 6379,
  opensearch: 443,
  amqps: 5671,
  rabbitmqConsole: 443,
} as const;

const ANYWHERE = "0.0.0.0/0";

/**
 * Who may send HTTPS to the internet (through NAT). A service does when it holds third-party
 * credentials (`secrets` in the catalogue): each secret is the key of a partner API it calls
 * (credit bureau, e-signature, market data, identity provider, e-mail and SMS providers).
 * Lambda functions do too (the e-mail notifier calls the e-mail provider). Nothing else does.
 * `tooling/policy-checks.ts` accepts 0.0.0.0/0 egress only for the groups this returns, on 443.
 */
export function internetEgressGroupNames(naming: Naming, services: readonly ChainService[]): string[] {
  return [
    ...services.filter((service) => (service.secrets ?? []).length > 0).map((service) => naming.name(`svc-${service.name}`)),
    naming.name("functions"),
  ];
}

/** One ECS service of the chain. */
export interface ChainService {
  readonly name: string;
  /** The port the ALB reaches its tasks on. @default 8080 */
  readonly containerPort?: number;
  /**
   * Third-party credentials the service holds (secret short names): a service with any calls
   * partner APIs, so its group may send HTTPS to the internet. @default none
   */
  readonly secrets?: readonly string[];
}

export interface SecurityGroupChainProps {
  readonly naming: Naming;
  readonly vpc: Vpc;
  /** One group per service, reached from the ALB on the service's port. */
  readonly services: readonly ChainService[];
  /**
   * CloudFront's origin-facing managed prefix list in this region (`cloudfrontOriginPrefixListId`
   * of the region's configuration): the only source the ALB admits, on 443, so every client
   * crosses the distribution and its web ACL. HTTP is not admitted at all: CloudFront reaches the
   * API over HTTPS only, and viewers are redirected by CloudFront itself.
   * @default none: the ALB admits nothing from outside the VPC
   */
  readonly cloudfrontOriginPrefixListId?: string;
  /**
   * Tasks and functions may send HTTPS to addresses inside the VPC, which GuardDuty Runtime
   * Monitoring needs: its agent reports to a VPC endpoint that GuardDuty creates with its own
   * security group, so no group reference is possible. The targets' ingress rules still decide.
   * @default true (detection.ts turns on Runtime Monitoring for Fargate)
   */
  readonly runtimeMonitoringEgress?: boolean;
}

/**
 * The platform's security groups as one chain: CloudFront → ALB (443, from CloudFront's
 * origin-facing prefix list only) →
 * each service on its container port → the data stores. Every rule is its own resource with a
 * description; data stores have no egress at all; the services reach AWS APIs through the VPC
 * endpoints and S3's gateway, and only services with partner APIs reach the internet, on 443.
 * Which service reaches which store is not decided here: the store's `bind` (lib/data-store.ts)
 * opens its port to the client through `connections` when the regional stack wires a `uses`.
 */
export class SecurityGroupChain extends Construct {
  readonly alb: SecurityGroup;
  /** One group per service, by service name. */
  readonly services: Readonly<Record<string, SecurityGroup>>;
  readonly database: SecurityGroup;
  readonly cache: SecurityGroup;
  readonly search: SecurityGroup;
  readonly messaging: SecurityGroup;
  /** Lambda functions in the VPC. */
  readonly functions: SecurityGroup;

  constructor(scope: Construct, id: string, props: SecurityGroupChainProps) {
    super(scope, id);
    tagComponent(this, "security");
    const { naming, vpc } = props;
    const group = (name: string, description: string, port?: number) =>
      new SecurityGroup(this, name, {
        naming,
        name,
        description,
        vpcId: vpc.vpcId,
        defaultPort: port === undefined ? undefined : Port.tcp(port),
      });

    this.alb = group("alb", "API load balancer: HTTPS from CloudFront's origin-facing servers only", PORTS.https);
    if (props.cloudfrontOriginPrefixListId) {
      this.alb.connections.allowFromPrefixList(
        "cloudfront",
        props.cloudfrontOriginPrefixListId,
        Port.tcp(PORTS.https),
        "HTTPS from CloudFront's origin-facing servers (managed prefix list); clients cannot skip its web ACL",
      );
    }

    this.database = group("database", "RDS PostgreSQL: from the services that use it", PORTS.postgres);
    this.cache = group("cache", "ElastiCache Redis: from the services that use it", PORTS.redis);
    this.search = group("search", "OpenSearch (HTTPS): from the services that use it", PORTS.opensearch);
    this.messaging = group("messaging", "Amazon MQ RabbitMQ (AMQPS, console): from the services that use it", PORTS.amqps);
    this.functions = group("functions", "Lambda functions in the VPC");

    const internetEgress = new Set(internetEgressGroupNames(naming, props.services));
    const services: Record<string, SecurityGroup> = {};
    for (const service of props.services) {
      const port = service.containerPort ?? PORTS.serviceDefault;
      const serviceGroup = group(`svc-${service.name}`, `The ${service.name} service's tasks`, port);
      serviceGroup.connections.allowDefaultPortFrom(this.alb, `ALB to ${service.name} tasks on ${port} (traffic and health checks)`);
      this.allowAwsApis(serviceGroup, props);
      if (internetEgress.has(naming.name(`svc-${service.name}`))) {
        serviceGroup.connections.allowToCidr(ANYWHERE, Port.tcp(PORTS.https), `${service.name} to its partner APIs over HTTPS (through NAT)`);
      }
      services[service.name] = serviceGroup;
    }
    this.services = services;

    this.allowAwsApis(this.functions, props);
    this.functions.connections.allowToCidr(ANYWHERE, Port.tcp(PORTS.https), "Functions to partner APIs over HTTPS (through NAT)");
  }

  /** The service's group; throws for a service the chain was not made with. */
  service(name: string): SecurityGroup {
    const found = this.services[name];
    if (!found) throw new Error(`no security group for service "${name}"`);
    return found;
  }

  /** Interface endpoints (ECR, Logs, Secrets Manager, KMS, STS) and S3 through its gateway (image layers, documents). */
  private allowAwsApis(source: SecurityGroup, props: SecurityGroupChainProps): void {
    const { vpc } = props;
    vpc.endpointSecurityGroup.connections.allowDefaultPortFrom(source);
    source.connections.allowToPrefixList("s3", vpc.gatewayEndpointPrefixListIds.s3, Port.tcp(PORTS.https), "S3 through the gateway endpoint");
    if (props.runtimeMonitoringEgress ?? true) {
      source.connections.allowToCidr(vpc.cidr, Port.tcp(PORTS.https), "HTTPS inside the VPC (GuardDuty Runtime Monitoring endpoint)");
    }
  }
}
