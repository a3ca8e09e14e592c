import { block, literal, numeric, reporter, resources, truthy } from "../terraform-json";
import type { Rule } from "../types";

const CREATE_REPLICATION_GROUP =
  "Amazon ElastiCache API Reference, CreateReplicationGroup: https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html";

const authTokenNeedsTransitEncryption: Rule = {
  id: "elasticache-auth-token-needs-transit-encryption",
  description: "An AUTH token can be set only on replication groups with in-transit encryption enabled.",
  source: `${CREATE_REPLICATION_GROUP} (AuthToken)`,
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_elasticache_replication_group")
      .filter(({ body }) => body.auth_token !== undefined && !truthy(body.transit_encryption_enabled))
      .map(({ address }) => report(address, "auth_token is set but transit_encryption_enabled is not true"));
  },
};

const failoverNeedsReplica: Rule = {
  id: "elasticache-failover-needs-replica",
  description:
    "Automatic failover needs at least one replica (num_cache_clusters ≥ 2 or replicas_per_node_group ≥ 1); Multi-AZ and cluster mode need automatic failover.",
  source: `${CREATE_REPLICATION_GROUP} (AutomaticFailoverEnabled, MultiAZEnabled, NumCacheClusters)`,
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_elasticache_replication_group").flatMap(({ address, body }) => {
      const failover = truthy(body.automatic_failover_enabled);
      const findings = [];
      const clusters = numeric(body.num_cache_clusters);
      const replicasPerShard = numeric(body.replicas_per_node_group);
      const replicas = replicasPerShard ?? (clusters === undefined ? undefined : clusters - 1);
      if (failover && replicas !== undefined && replicas < 1) findings.push(report(address, "automatic_failover_enabled needs at least one replica"));
      if (truthy(body.multi_az_enabled) && !failover) findings.push(report(address, "multi_az_enabled needs automatic_failover_enabled"));
      if (literal(body.cluster_mode) === "enabled" && !failover) findings.push(report(address, "cluster_mode enabled needs automatic_failover_enabled"));
      return findings;
    });
  },
};

const zoneAwarenessSubnets: Rule = {
  id: "opensearch-subnets-match-zone-count",
  description:
    "A VPC domain has one subnet per Availability Zone it uses: availability_zone_count (default 2) with zone awareness, otherwise exactly one.",
  source:
    "Amazon OpenSearch Service API Reference, ZoneAwarenessConfig, AvailabilityZoneCount: https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_ZoneAwarenessConfig.html",
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_opensearch_domain").flatMap(({ address, body }) => {
      const subnets = block(body.vpc_options)?.subnet_ids;
      if (!Array.isArray(subnets)) return [];
      const cluster = block(body.cluster_config);
      const zones = truthy(cluster?.zone_awareness_enabled) ? (numeric(block(cluster?.zone_awareness_config)?.availability_zone_count) ?? 2) : 1;
      return subnets.length === zones ? [] : [report(address, `vpc_options names ${subnets.length} subnets for ${zones} Availability Zone(s)`)];
    });
  },
};

const brokerDeploymentMode: Rule = {
  id: "mq-deployment-mode-fits-engine",
  description:
    "SINGLE_INSTANCE uses one subnet; ACTIVE_STANDBY_MULTI_AZ is ActiveMQ-only with two subnets; CLUSTER_MULTI_AZ is RabbitMQ-only, needs a subnet when private, and mq.t3.micro runs single-instance only.",
  source:
    "Amazon MQ REST API Reference, Brokers, CreateBrokerInput subnetIds and deploymentMode: https://docs.aws.amazon.com/amazon-mq/latest/api-reference/brokers.html; Amazon MQ Developer Guide, Amazon MQ for RabbitMQ broker instance types: https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/rmq-broker-instance-types.html",
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_mq_broker").flatMap(({ address, body }) => {
      const mode = literal(body.deployment_mode) ?? "SINGLE_INSTANCE";
      const engine = (literal(body.engine_type) ?? "").toLowerCase();
      const subnets = Array.isArray(body.subnet_ids) ? body.subnet_ids.length : undefined;
      const problems: string[] = [];
      if (mode === "SINGLE_INSTANCE" && subnets !== undefined && subnets !== 1) problems.push(`SINGLE_INSTANCE takes one subnet, not ${subnets}`);
      if (mode === "ACTIVE_STANDBY_MULTI_AZ") {
        if (engine === "rabbitmq") problems.push("RabbitMQ does not offer ACTIVE_STANDBY_MULTI_AZ");
        if (subnets !== undefined && subnets !== 2) problems.push(`ACTIVE_STANDBY_MULTI_AZ takes two subnets, not ${subnets}`);
      }
      if (mode === "CLUSTER_MULTI_AZ") {
        if (engine === "activemq") problems.push("ActiveMQ does not offer CLUSTER_MULTI_AZ");
        if (!truthy(body.publicly_accessible) && !subnets) problems.push("a private CLUSTER_MULTI_AZ broker needs at least one subnet");
        if (literal(body.host_instance_type) === "mq.t3.micro") problems.push("mq.t3.micro runs single-instance brokers only");
      }
      return problems.map((problem) => report(address, problem));
    });
  },
};

const secretRecoveryWindow: Rule = {
  id: "secretsmanager-recovery-window",
  description: "A secret's recovery window is 7–30 days, or 0 (delete without recovery).",
  source:
    "AWS Secrets Manager API Reference, DeleteSecret, RecoveryWindowInDays: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html",
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_secretsmanager_secret").flatMap(({ address, body }) => {
      const days = numeric(body.recovery_window_in_days);
      if (days === undefined || days === 0 || (days >= 7 && days <= 30)) return [];
      return [report(address, `recovery_window_in_days ${days} is neither 0 nor 7–30`)];
    });
  },
};

/** Security Hub standards that AWS has replaced with a newer version of the same benchmark. */
export const SUPERSEDED_STANDARDS: readonly { pattern: RegExp; name: string; successor: string }[] = [
  { pattern: /standards\/pci-dss\/v\/3\.2\.1$/, name: "PCI DSS v3.2.1", successor: "pci-dss/v/4.0.1" },
  { pattern: /cis-aws-foundations-benchmark\/v\/1\.2\.0$/, name: "CIS AWS Foundations Benchmark v1.2.0", successor: "cis-aws-foundations-benchmark/v/3.0.0 or later" },
  { pattern: /cis-aws-foundations-benchmark\/v\/1\.4\.0$/, name: "CIS AWS Foundations Benchmark v1.4.0", successor: "cis-aws-foundations-benchmark/v/3.0.0 or later" },
];

const currentStandards: Rule = {
  id: "securityhub-standard-current",
  description: "Security Hub subscriptions use the current version of each standard (PCI DSS v4.0.1, not the retired v3.2.1; CIS v3.0.0 or later).",
  source: "AWS Security Hub User Guide, Security Hub standards reference: https://docs.aws.amazon.com/securityhub/latest/userguide/standards-reference.html",
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_securityhub_standards_subscription").flatMap(({ address, body }) => {
      const arn = literal(body.standards_arn) ?? "";
      const superseded = SUPERSEDED_STANDARDS.find(({ pattern }) => pattern.test(arn));
      return superseded ? [report(address, `${superseded.name} is superseded; subscribe to ${superseded.successor}`)] : [];
    });
  },
};

export const MANAGED_SERVICE_RULES: readonly Rule[] = [
  authTokenNeedsTransitEncryption,
  failoverNeedsReplica,
  zoneAwarenessSubnets,
  brokerDeploymentMode,
  secretRecoveryWindow,
  currentStandards,
];

