import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import { staging } from "../../../environments/staging";
import { offPeakStartUtc } from "../../../lib/maintenance";
import { listOf, synthRegional } from "../../support/synth";
import { keyArnRef, only, ref, statement, statementsOf } from "../s3/support";

const primary = synthRegional(production, 0).json;
const standby = synthRegional(production, 1).json;
const development = synthRegional(dev, 0).json;
const stagingJson = synthRegional(staging, 0).json;

describe("production's OpenSearch domain", () => {
  const [logical, domain] = only(primary, "aws_opensearch_domain");

  it("is 3 × r6g.large.search with 100 GB gp3 each, zone-aware over 3 AZs, with 3 dedicated masters", () => {
    expect(domain.domain_name).toBe("lma-production-search");
    expect(domain.engine_version).toBe(production.search.engineVersion);
    expect(domain.cluster_config).toEqual({
      instance_type: "r6g.large.search",
      instance_count: 3,
      zone_awareness_enabled: true,
      zone_awareness_config: { availability_zone_count: 3 },
      dedicated_master_enabled: true,
      dedicated_master_count: 3,
      dedicated_master_type: "m6g.large.search",
    });
    expect(domain.ebs_options).toEqual({ ebs_enabled: true, volume_type: "gp3", volume_size: 100 });
  });

  it("lives in one data subnet per configured AZ, behind the chain's search group", () => {
    expect(domain.vpc_options.subnet_ids).toHaveLength(production.search.zoneAwarenessAzs);
    expect(domain.vpc_options.security_group_ids).toEqual([expect.stringMatching(/^\$\{aws_security_group\.security-groups_search_group_/)]);
  });

  it("encrypts at rest with the data key and between nodes; HTTPS only with a TLS 1.2+ policy", () => {
    expect(domain.encrypt_at_rest).toEqual({ enabled: true, kms_key_id: keyArnRef(primary, "lma-production-data") });
    expect(domain.node_to_node_encryption).toEqual({ enabled: true });
    expect(domain.domain_endpoint_options).toEqual({ enforce_https: true, tls_security_policy: "Policy-Min-TLS-1-2-PFS-2023-10" });
  });

  it("uses fine-grained access control with an IAM master user: no internal users, no password", () => {
    const [adminRole] = only(primary, "aws_iam_role", (body) => body.name === "lma-production-use1-search-admin");
    expect(domain.advanced_security_options).toEqual({
      enabled: true,
      anonymous_auth_enabled: false,
      internal_user_database_enabled: false,
      master_user_options: { master_user_arn: ref("aws_iam_role", adminRole, "arn") },
    });
    expect(JSON.stringify(domain)).not.toMatch(/master_user_password/);
  });

  it("publishes index and search slow logs, error and audit logs to KMS log groups through a policy pinned to the domain", () => {
    expect(domain.log_publishing_options.map((option: { log_type: string }) => option.log_type)).toEqual([
      "INDEX_SLOW_LOGS",
      "SEARCH_SLOW_LOGS",
      "ES_APPLICATION_LOGS",
      "AUDIT_LOGS",
    ]);
    for (const suffix of ["index-slow", "search-slow", "error", "audit"]) {
      const [, group] = only(primary, "aws_cloudwatch_log_group", (body) => body.name === `/lma/production/opensearch/search/${suffix}`);
      expect(group.kms_key_id).toBe(keyArnRef(primary, "lma-production-logs"));
    }
    const [policyName, policy] = only(primary, "aws_cloudwatch_log_resource_policy", (body) => body.policy_name === "lma-production-search-logs");
    expect(statement(policy.policy_document, "OpenSearchWritesDomainLogs").Condition).toEqual({
      StringEquals: { "aws:SourceAccount": production.accountId },
      ArnLike: { "aws:SourceArn": `arn:aws:es:us-east-1:${production.accountId}:domain/lma-production-search` },
    });
    expect(domain.depends_on).toContain(`aws_cloudwatch_log_resource_policy.${policyName}`);
  });

  it("has a master-user role only the environment's break-glass role may assume, and only with MFA", () => {
    const [, adminRole] = only(primary, "aws_iam_role", (body) => body.name === "lma-production-use1-search-admin");
    expect(statementsOf(adminRole.assume_role_policy)).toEqual([
      {
        Sid: "BreakGlassWithMfa",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${production.accountId}:role/lma-production-break-glass` },
        Action: "sts:AssumeRole",
        Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
      },
    ]);
  });

  it("updates its software in the off-peak window starting with production's main maintenance window, and cannot be destroyed by Terraform", () => {
    const { windows, timeZone } = production.maintenance;
    expect(domain.off_peak_window_options).toEqual({ enabled: true, off_peak_window: { window_start_time: offPeakStartUtc(windows[0]!, timeZone) } });
    expect(domain.lifecycle).toEqual({ prevent_destroy: true });
  });

  it("admits only this account's principals in its resource policy", () => {
    expect(statementsOf(domain.access_policies)).toEqual([
      {
        Sid: "AccountPrincipalsThroughFineGrainedAccessControl",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${production.accountId}:root` },
        Action: "es:ESHttp*",
        Resource: `arn:aws:es:us-east-1:${production.accountId}:domain/lma-production-search/*`,
      },
    ]);
    expect(primary.output?.search_endpoint?.value).toBe(ref("aws_opensearch_domain", logical, "endpoint"));
  });

  it("leaves OpenSearch's service-linked role to the bootstrap stack (IAM is global)", () => {
    expect(listOf(primary, "aws_iam_service_linked_role")).toEqual([]);
    expect(listOf(standby, "aws_iam_service_linked_role")).toEqual([]);
  });

  it("has a domain in the standby at the standby size, so failover is a resize", () => {
    const size = production.disasterRecovery!.standby!.search!;
    const [domain] = listOf(standby, "aws_opensearch_domain");
    expect(domain.cluster_config).toMatchObject({ instance_type: size.instanceType, instance_count: size.instanceCount });
  });
});

describe("dev and staging OpenSearch", () => {
  it("dev: one t3.small.search node in one subnet, no zone awareness, no masters, no Auto-Tune (t3 lacks it)", () => {
    const [, domain] = only(development, "aws_opensearch_domain");
    expect(domain.cluster_config).toEqual({
      instance_type: "t3.small.search",
      instance_count: 1,
      zone_awareness_enabled: false,
      dedicated_master_enabled: false,
    });
    expect(domain.vpc_options.subnet_ids).toHaveLength(dev.search.zoneAwarenessAzs);
    expect(domain.auto_tune_options.desired_state).toBe("DISABLED");
    expect(domain.encrypt_at_rest.enabled).toBe(true);
    expect(domain.advanced_security_options.enabled).toBe(true);
  });

  it("staging: two r6g.large.search nodes over two AZs", () => {
    const [, domain] = only(stagingJson, "aws_opensearch_domain");
    expect(domain.cluster_config).toMatchObject({
      instance_type: "r6g.large.search",
      instance_count: 2,
      zone_awareness_enabled: true,
      zone_awareness_config: { availability_zone_count: 2 },
    });
    expect(domain.vpc_options.subnet_ids).toHaveLength(staging.search.zoneAwarenessAzs);
  });
});
