import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { awsAlertDestinations } from "../environments/observability";
import type { EnvironmentConfig, RegionConfig } from "../environments/types";
import type { DataStoreClient, IDataStore } from "../lib/data-store";
import { amazonMqQueueDepth, declareServiceRepository, REGION_HEALTH_PATH, ServicePlatform } from "../modules/ecs";
import {
  ApiRecord,
  type ApiRouting,
  DnsValidatedCertificate,
  edgeNames,
  fenceAlarmName,
  originVerifyHeader,
  PrimaryFence,
  RegionHealth,
  WebDistribution,
} from "../modules/edge";
import { RedisCache } from "../modules/elasticache";
import { RabbitMqBroker } from "../modules/messaging";
import { PostgresDatabase } from "../modules/rds";
import { LOG_PREFIXES, PlatformBuckets } from "../modules/s3";
import { SearchDomain } from "../modules/search";
import { PlatformFunctions } from "../modules/serverless";
import { SecurityBaseline, SecurityGroupChain } from "../modules/security";
import { Vpc } from "../modules/vpc";
import { AlertSubscriptions, CHATBOT_API_REGIONS, SlackAlertChannels } from "../modules/alert-delivery";
import { DatadogIntegrationRole } from "../modules/datadog-integration";
import {
  type MonitoredDatabase,
  declareAlertRouting,
  monitoringPrefix,
  PlatformMonitoring,
  type PlatformInventory,
  rabbitMqMemoryLimitBytes,
  redisNodeIds,
  severityTopicArn,
  SeverityTopics,
} from "../modules/monitoring";
import { disasterRecoveryOf, standbyRegionOf } from "../lib/disaster-recovery";
import { tagComponent } from "../lib/tags";
import { AwsStack } from "./aws-stack";
import { cacheProps, databaseProps, messagingProps, searchProps, storageProps } from "./data-store-props";
import { computeProps, functionsProps, networkProps, platformService, securityProps } from "./props";

/** Every kind of store a client may name in `uses`, whether or not this region hosts it. */
const DATA_STORE_KINDS: readonly string[] = ["database", "cache", "search", "queue", "documents"];

/**
 * `lma-<environment>-<region>`: everything the platform runs in one region of one environment,
 * composed from the modules. Environments and regions differ only by the data passed in.
 */
export class RegionalStack extends AwsStack {
  readonly region: RegionConfig;
  /** KMS keys, secrets, ECS roles, detection, web ACLs, Shield. */
  readonly security: SecurityBaseline;
  readonly network: Vpc;
  /** Security groups: alb, services[name], database, cache, search, messaging, functions. */
  readonly securityGroups: SecurityGroupChain;
  /** The platform buckets: staticAssets, documents, backups, logs, accessLogs. */
  readonly storage: PlatformBuckets;
  /**
   * PostgreSQL: the primary, or in the standby region its cross-region replica. This and every
   * member below left unset by the standby's foundation phase (`declareFoundation`).
   */
  readonly database?: PostgresDatabase;
  /** Redis, OpenSearch, RabbitMQ and the Lambda functions: in every region, a standby at its standby size. */
  readonly cache?: RedisCache;
  readonly search?: SearchDomain;
  readonly messaging?: RabbitMqBroker;
  readonly functions?: PlatformFunctions;
  /** ECS cluster, ALB, services, repositories, autoscaling, deployments. */
  readonly compute?: ServicePlatform;
  /** This region's record of the API name and its health check. */
  readonly apiRecord?: ApiRecord;
  /** CloudFront, in the environment's primary region stack only. */
  readonly cdn?: WebDistribution;
  /** Severity topics, alarms, CIS alarms, findings routing, dashboard, X-Ray. */
  readonly monitoring?: PlatformMonitoring;
  /** Where the region's alerts go, by severity: the monitoring's topics, in every phase. */
  readonly severityTopics: SeverityTopics;

  /** The stack of one region of an environment: `lma-<environment>-<region>`. */
  static stackName(environment: string, region: string): string {
    return `lma-${environment}-${region}`;
  }

  constructor(scope: Construct, environment: EnvironmentConfig, region: RegionConfig) {
    super(scope, RegionalStack.stackName(environment.name, region.region), { environment, region: region.region, backend: "remote" });
    this.region = region;
    const { naming } = this;

    // ── 1. Security baseline (modules/security): KMS keys per data class, IAM, detection.
    this.security = new SecurityBaseline(this, "security", {
      ...securityProps(environment, region, naming),
      // The CloudFront-scope web ACL lives in us-east-1, whatever the primary region.
      cloudfrontProvider: region.role === "primary" ? this.providerFor("us-east-1") : undefined,
    });
    const logsKey = this.security.keys.logs;

    // ── 2. Network (modules/vpc).
    this.network = new Vpc(this, "network", {
      ...networkProps(region, naming),
      flowLogs: { type: "cloudwatch", kmsKey: logsKey, retentionInDays: environment.logRetentionDays, preventDestroy: environment.deletionProtection },
    });
    new TerraformOutput(this, "vpc_id", { value: this.network.vpcId, description: "VPC id" });
    new TerraformOutput(this, "app_subnet_ids", { value: this.network.subnetIds.app, description: "Private app subnets" });
    new TerraformOutput(this, "data_subnet_ids", { value: this.network.subnetIds.data, description: "Private data subnets" });

    // ── 3. Security groups chain and WAF (modules/security). The web ACLs are in the
    // baseline: `this.security.regionalWebAclArn`, `this.security.cloudfrontWebAclArn`.
    if (!region.cloudfrontOriginPrefixListId) {
      throw new Error(
        `environments/${environment.name}.ts: regions[${environment.regions.indexOf(region)}].cloudfrontOriginPrefixListId: ${region.region} has no known CloudFront origin-facing prefix list; give its id (aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing)`,
      );
    }
    this.securityGroups = new SecurityGroupChain(this, "security-groups", {
      naming,
      vpc: this.network,
      services: environment.services,
      cloudfrontOriginPrefixListId: region.cloudfrontOriginPrefixListId,
    });
    // The ALB side of the secret CloudFront adds to API requests: the regional web ACL refuses
    // requests without it, and so do the ALB's listener rules (compute, below; same variable, same
    // value, in every region's stack).
    const originVerify = originVerifyHeader(this);
    this.security.regionalWebAcl.requireHeader(originVerify);
    // The standby region's fence (modules/edge PrimaryFence): up while this region holds the
    // writer, which keeps the home primary out of DNS. Declared from the first build phase on,
    // since the primary's health check reads it by name.
    const recovery = disasterRecoveryOf(environment, region.region);
    const standbyRegion = standbyRegionOf(environment);
    if (recovery.home === "standby") new PrimaryFence(this, "primary-fence", { naming, fenced: recovery.failedOver });

    // ── 4. Storage: the platform buckets (modules/s3).
    this.storage = new PlatformBuckets(this, "storage", {
      ...storageProps(environment, region, naming),
      dataKey: this.security.keys.data,
      backupsKey: this.security.keys.backups,
      logsKey,
    });
    // The standby's static-assets bucket (a replica) is the CloudFront origin group's second member;
    // the distribution's id is generated in the primary's stack, so the bucket admits this account's distributions.
    if (recovery.home === "standby") this.storage.staticAssets.grantCloudFrontRead(`arn:aws:cloudfront::${environment.accountId}:distribution/*`);

    // ── 4b. Audit trail to the logs bucket (modules/security).
    this.security.enableAuditTrail(this.storage.logs);

    // The standby's first build stops here: what follows needs the primary (lib/disaster-recovery.ts).
    if (recovery.declares === "foundation") {
      this.severityTopics = this.declareFoundation(environment, region);
      return;
    }

    // ── 5. Data stores and functions (modules/rds, elasticache, search, messaging, serverless).
    // The standby hosts the cross-region replica (promoted when `disasterRecovery.activeRegion`
    // names it) and every other store at its standby size, so failover is a resize, not a build;
    // nothing here needs us-east-1 (lib/disaster-recovery.ts).
    const { keys } = this.security;
    // Every function of the stack is checked against the baseline's code-signing configuration.
    const codeSigningConfigArn = this.security.codeSigningConfigArn;
    const rotationWiring = { subnetIds: this.network.subnetIds.app, securityGroup: this.securityGroups.functions, dataKey: keys.data, codeSigningConfigArn };
    const database = new PostgresDatabase(this, "database", {
      ...databaseProps(environment, region, naming, rotationWiring),
      subnetGroupName: this.network.dbSubnetGroupName,
      securityGroup: this.securityGroups.database,
      storageKey: keys.data,
      secretsKey: keys.secrets,
      logsKey: keys.logs,
    });
    this.database = database;
    this.cache = new RedisCache(this, "cache", {
      ...cacheProps(environment, region, naming),
      subnetGroupName: this.network.cacheSubnetGroupName,
      securityGroup: this.securityGroups.cache,
      storageKey: keys.data,
      logsKey: keys.logs,
    });
    this.search = new SearchDomain(this, "search", {
      ...searchProps(environment, region, naming),
      subnetIds: this.network.subnetIds.data,
      securityGroup: this.securityGroups.search,
      storageKey: keys.data,
      logsKey: keys.logs,
    });
    this.messaging = new RabbitMqBroker(this, "messaging", {
      ...messagingProps(environment, region, naming, { ...rotationWiring, logsKey: keys.logs }),
      subnetIds: this.network.subnetIds.data,
      securityGroup: this.securityGroups.messaging,
      secretsKey: keys.secrets,
    });
    this.functions = new PlatformFunctions(this, "functions", {
      ...functionsProps(environment, region, naming),
      codeSigningConfigArn,
      subnetIds: this.network.subnetIds.app,
      securityGroup: this.securityGroups.functions,
      dataKey: keys.data,
      logsKey: keys.logs,
      documents: this.storage.documents,
    });

    // ── 7. Compute: ECR, ECS cluster and services, ALB, deployments (modules/ecs), each service
    // wired to the stores it `uses` through their `bind` (lib/data-store.ts), here and nowhere else.
    const dns = environment.dns;
    const edge = edgeNames(dns.zoneName);
    // The service that also answers the region's `/health`: its target groups are the region's health.
    const healthService = environment.services[0]!.name;
    // ELB and CloudFront check at creation that they may write to the logs bucket.
    const logsBucketPolicy = this.storage.logs.policy;
    const broker = this.messaging;
    const bindings = this.bindUses([
      ...environment.services.map((service) => ({
        uses: service.uses ?? [],
        client: {
          name: service.name,
          taskRole: this.security.taskRole(service.name),
          executionRole: this.security.executionRole(service.name),
          connectable: this.securityGroups.service(service.name),
        },
      })),
      // Scheduled jobs (interest accrual) work on the ledger as their own IAM-authenticated user.
      ...(this.functions
        ? [{ uses: ["database"], client: { name: "scheduled_jobs", taskRole: this.functions.scheduledJobs, connectable: this.securityGroups.functions } }]
        : []),
    ]);
    const apiCertificate = new DnsValidatedCertificate(this, "api-certificate", {
      domainName: edge.api,
      hostedZoneId: dns.hostedZoneId,
    });
    // By ARN where this stack declares the secret, by name where it is a replica (the standby).
    const applicationSecretValueFrom = (name: string) => {
      const secret = this.security.secrets[name];
      if (!secret) throw new Error(`no application secret "${name}" in the security baseline`);
      return secret.valueFrom;
    };
    const compute = new ServicePlatform(this, "compute", {
      ...computeProps(
        environment,
        region,
        naming,
        environment.services.map((service) => platformService(environment, service, bindings.get(service.name)!, applicationSecretValueFrom)),
      ),
      network: {
        vpcId: this.network.vpcId,
        publicSubnetIds: this.network.subnetIds.public,
        appSubnetIds: this.network.subnetIds.app,
      },
      keys: { logs: this.security.keys.logs, images: this.security.keys.data },
      securityGroups: { alb: this.securityGroups.alb, services: this.securityGroups.services },
      roles: { execution: (service) => this.security.executionRole(service), task: (service) => this.security.taskRole(service) },
      sidecarImageRepositoryArns: [this.security.guardDutyAgentRepositoryArn],
      certificateArn: apiCertificate.certificateArn,
      originHeader: originVerify,
      accessLogs: { bucket: this.storage.logs.name, prefix: LOG_PREFIXES.alb, dependsOn: [logsBucketPolicy] },
      webAclArn: this.security.regionalWebAclArn,
      healthCheckService: healthService,
      // Each queue-scaled service consumes the RabbitMQ queue named after it on the default vhost;
      // the standby has no broker, so its services scale on CPU and requests only.
      queueDepthMetric: (service) => (broker ? amazonMqQueueDepth(broker.broker.brokerName, service.name) : undefined),
    });
    this.compute = compute;
    this.security.protectWithShield("alb", compute.loadBalancer.arn);
    new TerraformOutput(this, "alb_dns_name", { value: compute.loadBalancer.dnsName, description: "The region's API load balancer" });
    new TerraformOutput(this, "ecs_cluster_name", { value: compute.cluster.name, description: "ECS cluster" });
    new TerraformOutput(this, "task_definition_arns", {
      value: Object.fromEntries(Object.entries(compute.services).map(([name, service]) => [name, service.taskDefinition.arn])),
      description: "Latest task-definition revision per service: what the pipeline deploys (CodeDeploy under blue/green)",
    });

    // ── 8. Edge: ACM, CloudFront, Route 53 (modules/edge). CloudFront, its certificate
    // and the CloudFront WAF are global and live in the primary region's stack (modules/edge/README.md).
    // Each region writes only its own API record and health check, so the standby never needs the
    // primary's state and can still change its record while us-east-1 is down.
    // Routing needs no Route 53 change to fail over: health comes from CloudWatch alarms in each
    // region, and the home primary's record also reads the standby's fence (docs/disaster-recovery.md).
    const routing: ApiRouting = !standbyRegion
      ? { type: "simple" }
      : recovery.topology === "active-active"
        ? { type: "latency" }
        : { type: "failover", role: recovery.home === "primary" ? "PRIMARY" : "SECONDARY" };
    const healthTargets = compute.services[healthService]!.targets;
    this.apiRecord = new ApiRecord(this, "api-record", {
      hostedZoneId: dns.hostedZoneId,
      name: edge.api,
      region: region.region,
      loadBalancer: { dnsName: compute.loadBalancer.dnsName, zoneId: compute.loadBalancer.zoneId },
      routing,
      health:
        routing.type === "simple"
          ? undefined
          : new RegionHealth(this, "region-health", {
              naming,
              loadBalancerArnSuffix: compute.loadBalancer.arnSuffix,
              targetGroupArnSuffixes: [healthTargets.targetGroup, ...(healthTargets.alternateTargetGroup ? [healthTargets.alternateTargetGroup] : [])].map(
                (group) => group.arnSuffix,
              ),
            }),
      fence: recovery.home === "primary" && standbyRegion ? { alarmName: fenceAlarmName(naming.inRegion(standbyRegion)), region: standbyRegion } : undefined,
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
        originVerify,
        standbyStaticAssetsDomainName: standbyRegion
          ? `${naming.inRegion(standbyRegion).bucketName("static-assets")}.s3.${standbyRegion}.amazonaws.com`
          : undefined,
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

    // ── 9. Monitoring and alert delivery (modules/monitoring, alert-delivery, datadog-integration).
    this.monitoring = this.monitor(environment, region, this.monitoringInventory(environment, region, compute, database));
    this.severityTopics = this.monitoring.topics;

    // ── Outputs (the network's are declared with it).
    new TerraformOutput(this, "database_endpoint", { value: database.endpoint, description: "PostgreSQL writer (or DR replica) host:port" });
    new TerraformOutput(this, "database_port", { value: database.port, description: "PostgreSQL port" });
    if (disasterRecoveryOf(environment, region.region).mode === "active") {
      new TerraformOutput(this, "database_master_secret_arn", {
        value: database.masterSecretArn,
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

  /**
   * The standby's foundation phase (`disasterRecovery.buildPhase: "standby-foundation"`,
   * lib/disaster-recovery.ts, docs/disaster-recovery.md). Declared above: the security baseline
   * (its keys are the ones the primary's secret and bucket replicas name by alias), the network,
   * the security groups, the fence alarm the primary's health check reads, the buckets the
   * primary replicates into and the audit delivery. Added here: the image repositories the
   * primary's registry replicates into (ECR would otherwise create them itself, and this stack
   * could no longer), and the severity topics the primary's Slack channels name, with findings
   * routing and alert delivery: the monitoring of what exists. Left to the complete phase: the
   * database replica and its backup copy (they need the primary's database), and what serves or
   * runs on it: cache, search, broker, functions, cluster, load balancer, services, the API record.
   * Each construct here has the path the complete phase gives it, so phase 3 adds to this state.
   */
  private declareFoundation(environment: EnvironmentConfig, region: RegionConfig): SeverityTopics {
    const { naming } = this;
    const compute = computeProps(environment, region, naming, []);
    const platform = new Construct(this, "compute");
    tagComponent(platform, "compute");
    for (const service of environment.services) {
      declareServiceRepository(platform, service.name, {
        naming,
        kmsKey: this.security.keys.data,
        untaggedRetentionDays: compute.imageRetentionDays,
        releaseImagesKept: compute.releaseImagesKept,
        preventDestroy: compute.deletionProtection ?? true,
      });
    }
    const { topics } = declareAlertRouting(new Construct(this, "monitoring"), {
      prefix: monitoringPrefix(naming),
      accountId: environment.accountId,
      region: region.region,
      topicsKey: this.security.keys.logs,
    });
    this.deliverAlerts(environment, region, topics);
    return topics;
  }

  /** The region's alarms, dashboard and tracing over what this stack built, and where their alerts go. */
  private monitor(environment: EnvironmentConfig, region: RegionConfig, inventory: PlatformInventory): PlatformMonitoring {
    const prefix = monitoringPrefix(this.naming);
    const monitoring = new PlatformMonitoring(this, "monitoring", {
      prefix,
      tracingPrefix: prefix,
      accountId: environment.accountId,
      region: region.region,
      topicsKey: this.security.keys.logs,
      inventory,
      // The multi-region trail and its log group live in the primary region only.
      trailLogGroupName: this.security.auditTrail?.logGroup.name,
      tracedServices: environment.services.map((service) => service.name),
      healthCheckPath: REGION_HEALTH_PATH,
    });
    this.deliverAlerts(environment, region, monitoring.topics);
    return monitoring;
  }

  /**
   * Where alerts go: PagerDuty and email subscriptions here; Slack (one Chatbot configuration per
   * channel per account) and Datadog's integration role once per environment, in the primary region.
   */
  private deliverAlerts(environment: EnvironmentConfig, region: RegionConfig, topics: SeverityTopics): void {
    const { naming } = this;
    const destinations = awsAlertDestinations(environment);
    new AlertSubscriptions(this, "alert-subscriptions", {
      topicArn: (severity) => topics.arnOf(severity),
      lowSeverityEmail: destinations.lowSeverityEmail,
    });
    if (region.role === "primary") {
      const chatbotApiHere = (CHATBOT_API_REGIONS as readonly string[]).includes(region.region);
      new SlackAlertChannels(this, "slack-alerts", {
        naming,
        workspaceId: destinations.slackWorkspaceId,
        channelIds: destinations.slackChannelIds,
        // Other regions' topics by the naming convention: their stacks apply before the primary's.
        topicArns: (severity) =>
          environment.regions.map((other) =>
            other.region === region.region ? topics.arnOf(severity) : severityTopicArn(naming.inRegion(other.region), severity),
          ),
        provider: chatbotApiHere ? undefined : this.providerFor(CHATBOT_API_REGIONS[0]),
      });
      new DatadogIntegrationRole(this, "datadog-integration", { naming, externalId: environment.datadog.awsIntegrationExternalId });
    }
  }

  /** What runs in this region, in CloudWatch's names, read from the constructs built above. */
  private monitoringInventory(environment: EnvironmentConfig, region: RegionConfig, compute: ServicePlatform, database: PostgresDatabase): PlatformInventory {
    const allocatedStorageGiB = environment.database.allocatedStorageGiB;
    const replicating = disasterRecoveryOf(environment, region.region).mode === "standby";
    const databases: MonitoredDatabase[] = [
      { identifier: database.identifier, role: replicating ? "cross-region-replica" : "writer", allocatedStorageGiB },
      ...database.readReplicas.map((replica) => ({ identifier: replica.identifierInput!, role: "reader" as const, allocatedStorageGiB })),
    ];
    const { cache, search, messaging, functions } = this;
    return {
      loadBalancerArnSuffix: compute.loadBalancer.arnSuffix,
      services: environment.services.map((service) => {
        const running = compute.services[service.name]!;
        return {
          name: service.name,
          clusterName: compute.cluster.name,
          serviceName: running.name,
          targetGroupArnSuffix: running.targets.targetGroup.arnSuffix,
          alternateTargetGroupArnSuffix: running.targets.alternateTargetGroup?.arnSuffix,
        };
      }),
      databases,
      cache: cache && {
        replicationGroupId: cache.replicationGroup.replicationGroupIdInput!,
        nodeIds: redisNodeIds({
          replicationGroupId: cache.replicationGroup.replicationGroupIdInput!,
          clusterMode: environment.cache.clusterMode,
          shards: environment.cache.shards,
          replicasPerShard: environment.cache.replicasPerShard,
        }),
      },
      search: search && { domainName: search.domain.domainNameInput!, accountId: environment.accountId, volumeSizeGiB: environment.search.volumeSizeGiB },
      broker: messaging && {
        name: messaging.broker.brokerNameInput!,
        // Each service that uses the queue consumes the RabbitMQ queue named after it (as it scales on).
        queues: environment.services.filter((service) => service.uses?.includes("queue")).map((service) => service.name),
        memoryLimitBytes: rabbitMqMemoryLimitBytes(environment.messaging.instanceType, environment.messaging.engineVersion),
      },
      functions: functions
        ? [
            { name: functions.documentProcessor.functionName, deadLetterQueueName: functions.documentProcessor.failureQueue.queue.nameInput },
            // The notifier is fed by SQS: failed emails land in the email queue's dead-letter queue.
            { name: functions.emailNotifier.functionName, deadLetterQueueName: functions.emailQueue.deadLetterQueue?.queue.nameInput },
            { name: functions.scheduledJobs.functionName, deadLetterQueueName: functions.scheduledJobs.failureQueue.queue.nameInput },
          ]
        : [],
    };
  }

  /**
   * Binds each client to the data stores in its `uses`: the store opens its port to the client,
   * grants it (IAM, or read of its credential) and says what the client must be told. Returns,
   * per client, the merged environment and secrets. A store kind this region does not host
   * (the standby has no cache, search or broker) binds nothing; a kind no store has is an error.
   */
  private bindUses(
    clients: readonly { readonly uses: readonly string[]; readonly client: DataStoreClient }[],
  ): Map<string, { environment: Record<string, string>; secrets: Record<string, string> }> {
    const hosted: (IDataStore | undefined)[] = [this.database, this.cache, this.search, this.messaging, this.storage.documents];
    const stores = new Map(hosted.filter((store) => store !== undefined).map((store) => [store.storeKind, store]));
    const result = new Map<string, { environment: Record<string, string>; secrets: Record<string, string> }>();
    for (const { uses, client } of clients) {
      const bound = { environment: {} as Record<string, string>, secrets: {} as Record<string, string> };
      for (const kind of uses) {
        if (!DATA_STORE_KINDS.includes(kind)) throw new Error(`${client.name} uses "${kind}", which no data store provides (${DATA_STORE_KINDS.join(", ")})`);
        const binding = stores.get(kind)?.bind(client);
        Object.assign(bound.environment, binding?.environment);
        Object.assign(bound.secrets, binding?.secrets);
      }
      result.set(client.name, bound);
    }
    return result;
  }
}
