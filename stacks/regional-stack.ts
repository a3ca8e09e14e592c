import { TerraformOutput, Token } from "cdktf";
import type { Construct } from "constructs";
import type { EnvironmentConfig, RegionConfig } from "../environments/types";
import { subnetPlanOf } from "../lib/subnets";
import { amazonMqQueueDepth, REGION_HEALTH_PATH, ServicePlatform } from "../modules/ecs";
import { ApiRecord, DnsValidatedCertificate, edgeNames, WebDistribution } from "../modules/edge";
import { RedisCache } from "../modules/elasticache";
import { RabbitMqBroker } from "../modules/messaging";
import { PostgresDatabase } from "../modules/rds";
import { LOG_PREFIXES, PlatformBuckets } from "../modules/s3";
import { SearchDomain } from "../modules/search";
import { PlatformFunctions } from "../modules/serverless";
import { SecurityBaseline, SecurityGroupChain } from "../modules/security";
import { Vpc } from "../modules/vpc";
import { AwsStack } from "./aws-stack";

/**
 * `lma-<environment>-<region>`: everything the platform runs in one region of one environment,
 * composed from the modules. Environments and regions differ only by the data passed in.
 */
export class RegionalStack extends AwsStack {
  readonly region: RegionConfig;
  /** KMS keys, secrets, ECS roles, detection, web ACLs, Shield (section 1). */
  readonly security: SecurityBaseline;
  readonly network: Vpc;
  /** Security groups: alb, services[name], database, cache, search, messaging, functions (section 3). */
  readonly securityGroups: SecurityGroupChain;
  /** The platform buckets (section 4): staticAssets, documents, backups, logs, accessLogs. */
  readonly storage: PlatformBuckets;
  /** PostgreSQL (section 5): the primary, or in the standby region its cross-region replica. */
  readonly database: PostgresDatabase;
  /** Redis, OpenSearch, RabbitMQ and the Lambda functions (section 5): primary region only. */
  readonly cache?: RedisCache;
  readonly search?: SearchDomain;
  readonly messaging?: RabbitMqBroker;
  readonly functions?: PlatformFunctions;
  /** ECS cluster, ALB, services, repositories, autoscaling, deployments (section 7). */
  readonly compute: ServicePlatform;
  /** This region's record of the API name and its health check (section 8). */
  readonly apiRecord: ApiRecord;
  /** CloudFront, in the environment's primary region stack only (section 8). */
  readonly cdn?: WebDistribution;

  constructor(scope: Construct, environment: EnvironmentConfig, region: RegionConfig) {
    super(scope, `lma-${environment.name}-${region.region}`, { environment, region: region.region, backend: "s3" });
    this.region = region;
    const { naming } = this;

    // ── 1. Security baseline (modules/security, issue 3): KMS keys per data class, IAM, detection.
    this.security = new SecurityBaseline(this, "security", {
      naming,
      environment,
      region,
      // The CloudFront-scope web ACL lives in us-east-1, whatever the primary region.
      cloudfrontProvider: region.role === "primary" ? this.providerFor("us-east-1") : undefined,
    });
    const logsKey = this.security.keys.logs;

    // ── 2. Network (modules/vpc, issue 2).
    this.network = new Vpc(this, "network", {
      naming,
      cidr: region.vpcCidr,
      availabilityZones: region.availabilityZones,
      subnets: subnetPlanOf(region),
      natGateways: region.natGateways,
      flowLogs: { type: "cloudwatch", kmsKey: logsKey, retentionInDays: environment.logRetentionDays },
    });

    // ── 3. Security groups chain and WAF (modules/security, issue 3). The web ACLs are in the
    // baseline: `this.security.regionalWebAclArn`, `this.security.cloudfrontWebAclArn`.
    this.securityGroups = new SecurityGroupChain(this, "security-groups", {
      naming,
      vpc: this.network,
      services: environment.services,
    });

    // ── 4. Storage: the four platform buckets (modules/s3, issue 4).
    const standbyRegion = environment.regions.find((candidate) => candidate.role === "standby");
    this.storage = new PlatformBuckets(this, "storage", {
      naming,
      dataKey: this.security.keys.data,
      backupsKey: this.security.keys.backups,
      logsKey,
      preventDestroy: environment.deletionProtection,
      logsObjectLock: environment.storage.logsObjectLock,
      // The primary replicates documents, backups and logs to the standby's namesake buckets;
      // the standby replicates nothing, so it plans and applies with the primary region down.
      replicateTo: region.role === "primary" ? standbyRegion?.region : undefined,
    });

    // ── 5. Data stores and functions (modules/rds, elasticache, search, messaging, serverless; issue 4).
    // The standby hosts the cross-region replica only (promotable by `database.promoteStandby`);
    // cache, search, queue and functions are primary-only, so nothing here needs us-east-1.
    const { keys } = this.security;
    const primaryRegion = environment.regions.find((candidate) => candidate.role === "primary")!;
    const dataStore = { naming, logsKey: keys.logs, logRetentionDays: environment.logRetentionDays };
    this.database = new PostgresDatabase(this, "database", {
      ...dataStore,
      config: environment.database,
      subnetGroupName: this.network.dbSubnetGroupName,
      securityGroup: this.securityGroups.database,
      storageKey: keys.data,
      secretsKey: keys.secrets,
      deletionProtection: environment.deletionProtection,
      skipFinalSnapshot: !environment.deletionProtection,
      crossRegionSource:
        region.role === "standby"
          ? {
              sourceArn: naming.inRegion(primaryRegion.region).arn("rds", `db:${naming.name("postgres")}`),
              promote: environment.database.promoteStandby ?? false,
            }
          : undefined,
    });
    if (region.role === "primary") {
      this.cache = new RedisCache(this, "cache", {
        ...dataStore,
        config: environment.cache,
        subnetGroupName: this.network.cacheSubnetGroupName,
        securityGroup: this.securityGroups.cache,
        storageKey: keys.data,
      });
      this.search = new SearchDomain(this, "search", {
        ...dataStore,
        config: environment.search,
        subnetIds: this.network.subnetIds.data,
        securityGroup: this.securityGroups.search,
        storageKey: keys.data,
        // The account's OpenSearch service-linked role comes from the bootstrap stack.
      });
      this.messaging = new RabbitMqBroker(this, "messaging", {
        naming,
        config: environment.messaging,
        subnetIds: this.network.subnetIds.data,
        securityGroup: this.securityGroups.messaging,
        secretsKey: keys.secrets,
      });
      this.functions = new PlatformFunctions(this, "functions", {
        ...dataStore,
        functions: environment.functions,
        versions: environment.release.functions,
        subnetIds: this.network.subnetIds.app,
        securityGroup: this.securityGroups.functions,
        dataKey: keys.data,
        documents: this.storage.documents,
        emailIdentityArn: naming.arn("ses", `identity/${environment.dns.zoneName}`),
      });
      // Scheduled jobs (interest accrual) work on the ledger as their own IAM-authenticated user.
      this.database.connections.allowDefaultPortFrom(this.securityGroups.functions);
      this.database.grantConnect(this.functions.scheduledJobs.role, "scheduled_jobs");
    }

    // ── 6. Audit trail to the logs bucket (modules/security, issue 3).
    this.security.enableAuditTrail(this.storage.logs);

    // ── 7. Compute: ECR, ECS cluster and services, ALB, deployments (modules/ecs, issue 5).
    const dns = environment.dns;
    const edge = edgeNames(dns.zoneName);
    // ELB and CloudFront check at creation that they may write to the logs bucket.
    const logsBucketPolicy = this.storage.logs.policy;
    const broker = this.messaging;
    // Endpoints (not secrets) of the data stores a service `uses`, as plain environment variables.
    const serviceEnvironment = (uses: ReadonlySet<string>, service: string): Record<string, string> => ({
      ...(uses.has("database")
        ? { DATABASE_HOST: this.database.address, DATABASE_PORT: Token.asString(this.database.port), DATABASE_USER: service }
        : {}),
      ...(uses.has("cache") && this.cache ? { CACHE_ENDPOINT: this.cache.endpoint } : {}),
      ...(uses.has("search") && this.search ? { SEARCH_ENDPOINT: this.search.endpoint } : {}),
      ...(uses.has("queue") && broker ? { AMQP_ENDPOINT: broker.amqpsEndpoint } : {}),
      ...(uses.has("documents") ? { DOCUMENTS_BUCKET: this.storage.documents.name } : {}),
    });
    const apiCertificate = new DnsValidatedCertificate(this, "api-certificate", {
      domainName: edge.api,
      hostedZoneId: dns.hostedZoneId,
    });
    this.compute = new ServicePlatform(this, "compute", {
      naming,
      environment,
      region,
      network: {
        vpcId: this.network.vpcId,
        publicSubnetIds: this.network.subnetIds.public,
        appSubnetIds: this.network.subnetIds.app,
      },
      keys: { logs: this.security.keys.logs, images: this.security.keys.data, secrets: this.security.keys.secrets },
      securityGroups: { alb: this.securityGroups.alb, services: this.securityGroups.services },
      roles: { execution: this.security.executionRole, task: (service) => this.security.taskRole(service) },
      secretArn: (name) => {
        const secret = this.security.secrets[name];
        if (!secret) throw new Error(`no application secret "${name}" in the security baseline`);
        return secret.arn;
      },
      // The baseline's execution role already names these services' repositories, logs and secrets.
      grantExecutionRole: false,
      certificateArn: apiCertificate.certificateArn,
      accessLogs: { bucket: this.storage.logs.name, prefix: LOG_PREFIXES.alb, dependsOn: [logsBucketPolicy] },
      webAclArn: this.security.regionalWebAclArn,
      // Each queue-scaled service consumes the RabbitMQ queue named after it on the default vhost;
      // the standby has no broker, so its services scale on CPU and requests only.
      queueDepthMetric: (service) => (broker ? amazonMqQueueDepth(broker.broker.brokerName, service.name) : undefined),
      serviceEnvironment: (service) => serviceEnvironment(new Set(service.uses ?? []), service.name),
      // ECR replication is registry-wide: only the primary declares it, towards the standby.
      replicateImagesTo:
        region.role === "primary" ? environment.regions.filter((other) => other.role === "standby").map((other) => other.region) : [],
    });
    this.security.protectWithShield("alb", this.compute.loadBalancer.arn);
    // IAM side of the data stores each service `uses` (the network side is the security-group chain).
    for (const service of environment.services) {
      const uses = new Set(service.uses ?? []);
      const role = this.security.taskRole(service.name);
      if (uses.has("database")) this.database.grantConnect(role, service.name);
      if (uses.has("cache")) this.cache?.grantConnect(role);
      if (uses.has("search")) this.search?.grantReadWrite(role);
      if (uses.has("documents")) this.storage.documents.grantReadWrite(role);
    }
    new TerraformOutput(this, "alb_dns_name", { value: this.compute.loadBalancer.dnsName, description: "The region's API load balancer" });
    new TerraformOutput(this, "ecs_cluster_name", { value: this.compute.cluster.name, description: "ECS cluster" });
    new TerraformOutput(this, "task_definition_arns", {
      value: Object.fromEntries(Object.entries(this.compute.services).map(([name, service]) => [name, service.taskDefinition.arn])),
      description: "Latest task-definition revision per service: what the pipeline deploys (CodeDeploy under blue/green)",
    });

    // ── 8. Edge: ACM, CloudFront, Route 53 (modules/edge, issue 5). CloudFront, its certificate
    // and the CloudFront WAF are global and live in the primary region's stack (modules/edge/README.md).
    // Each region writes only its own API record and health check, so the standby never needs the
    // primary's state and can still change its record while us-east-1 is down.
    const multiRegion = environment.regions.some((other) => other.role === "standby");
    this.apiRecord = new ApiRecord(this, "api-record", {
      hostedZoneId: dns.hostedZoneId,
      name: edge.api,
      region: region.region,
      loadBalancer: { dnsName: this.compute.loadBalancer.dnsName, zoneId: this.compute.loadBalancer.zoneId },
      routing: multiRegion ? { type: "failover", role: region.role === "primary" ? "PRIMARY" : "SECONDARY" } : { type: "simple" },
      healthCheckPath: REGION_HEALTH_PATH,
    });
    new TerraformOutput(this, "api_fqdn", { value: edge.api, description: "The API's name (Route 53)" });
    if (region.role === "primary") {
      // CloudFront takes certificates from us-east-1 only.
      const usEast1 = region.region === "us-east-1" ? undefined : this.providerFor("us-east-1");
      const cdnCertificate = new DnsValidatedCertificate(this, "cdn-certificate", {
        domainName: edge.app,
        hostedZoneId: dns.hostedZoneId,
        provider: usEast1,
      });
      this.cdn = new WebDistribution(this, "cdn", {
        naming,
        domainNames: [edge.app],
        hostedZoneId: dns.hostedZoneId,
        certificateArn: cdnCertificate.certificateArn,
        staticAssets: this.storage.staticAssets,
        apiDomainName: edge.api,
        webAclArn: this.security.cloudfrontWebAclArn,
        logsBucketArn: this.storage.logs.arn,
        logsPrefix: LOG_PREFIXES.cloudfront,
        logsBucketPolicy,
        usEast1Provider: usEast1,
      });
      this.security.protectWithShield("cdn", this.cdn.arn);
      this.security.protectWithShield("hosted-zone", `arn:aws:route53:::hostedzone/${dns.hostedZoneId}`);
      new TerraformOutput(this, "cdn_domain_name", { value: this.cdn.domainName, description: "CloudFront distribution" });
    }

    // ── Outputs.
    new TerraformOutput(this, "vpc_id", { value: this.network.vpcId, description: "VPC id" });
    new TerraformOutput(this, "app_subnet_ids", { value: this.network.subnetIds.app, description: "Private app subnets" });
    new TerraformOutput(this, "data_subnet_ids", { value: this.network.subnetIds.data, description: "Private data subnets" });
    new TerraformOutput(this, "database_endpoint", { value: this.database.endpoint, description: "PostgreSQL writer (or DR replica) host:port" });
    new TerraformOutput(this, "database_port", { value: this.database.port, description: "PostgreSQL port" });
    if (region.role === "primary" || environment.database.promoteStandby) {
      new TerraformOutput(this, "database_master_secret_arn", {
        value: this.database.masterSecretArn,
        description: "Secrets Manager ARN of the RDS-managed master credentials",
      });
    }
    if (this.cache) new TerraformOutput(this, "cache_endpoint", { value: this.cache.endpoint, description: "Redis endpoint (TLS, IAM auth)" });
    if (this.search) new TerraformOutput(this, "search_endpoint", { value: this.search.endpoint, description: "OpenSearch VPC endpoint (HTTPS)" });
    if (this.messaging) {
      new TerraformOutput(this, "messaging_admin_secret_arn", { value: this.messaging.adminSecret.arn, description: "RabbitMQ administrator secret" });
    }
    if (this.functions) new TerraformOutput(this, "email_queue_url", { value: this.functions.emailQueue.url, description: "Email notification queue" });
  }
}
