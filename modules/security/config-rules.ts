/**
 * The AWS Config managed rules every regional stack deploys, each mapped to the controls it gives
 * evidence for: the CIS AWS Foundations Benchmark v3.0.0 recommendation and the PCI DSS v4.0.1
 * requirement (the versions Security Hub subscribes to, detection.ts), and the Security Hub control
 * id (the AWS Foundational Security Best Practices id where FSBP has the control). CIS numbers are
 * Security Hub's own mapping of its controls to v3.0.0; PCI DSS numbers are Security Hub's v4.0.1
 * mapping where it has one (password policy, public access, TLS to S3, key rotation, bucket
 * logging) and otherwise the v4.0.1 requirement whose text the rule gives evidence for. A rule
 * without a number has no counterpart in that version (v3.0.0 dropped the CloudTrail-to-CloudWatch
 * and S3 default-encryption recommendations). The README's control table is checked against this
 * list by the unit tests.
 */
/** The versions `cis` and `pci` numbers refer to: the standards Security Hub subscribes to (detection.ts). */
export const MAPPED_VERSIONS = { cis: "3.0.0", pci: "4.0.1" } as const;

export interface ManagedConfigRule {
  /** The managed rule's identifier (`source.source_identifier`). */
  readonly identifier: string;
  /** Rule parameters, rendered as `input_parameters` JSON (values as strings, as Config wants). */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * The rule evaluates account-global resources (IAM, the root user) or the home-region trail:
   * it runs in the environment's primary region only, where global resources are recorded.
   */
  readonly primaryRegionOnly?: boolean;
  readonly cis?: string;
  readonly pci?: string;
  readonly securityHub?: string;
}

export const MANAGED_CONFIG_RULES: readonly ManagedConfigRule[] = [
  // Logging and audit
  { identifier: "MULTI_REGION_CLOUD_TRAIL_ENABLED", cis: "3.1", pci: "10.2.1", securityHub: "CloudTrail.1" },
  { identifier: "CLOUD_TRAIL_ENCRYPTION_ENABLED", primaryRegionOnly: true, cis: "3.5", pci: "10.3.2", securityHub: "CloudTrail.2" },
  { identifier: "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED", primaryRegionOnly: true, cis: "3.2", pci: "10.3.2, 10.3.4", securityHub: "CloudTrail.4" },
  { identifier: "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED", primaryRegionOnly: true, pci: "10.3.3, 10.4.1", securityHub: "CloudTrail.5" },
  { identifier: "CLOUDTRAIL_S3_DATAEVENTS_ENABLED", cis: "3.8, 3.9", pci: "10.2.1, 10.2.1.1", securityHub: "S3.22, S3.23" },
  { identifier: "VPC_FLOW_LOGS_ENABLED", cis: "3.7", pci: "10.2.1", securityHub: "EC2.6" },
  { identifier: "CLOUDWATCH_LOG_GROUP_ENCRYPTED", pci: "10.3.2" },
  { identifier: "WAFV2_LOGGING_ENABLED", pci: "10.2.1", securityHub: "WAF.11" },
  { identifier: "S3_BUCKET_LOGGING_ENABLED", cis: "3.4", pci: "10.2.1", securityHub: "S3.9" },
  // Identity
  {
    identifier: "IAM_PASSWORD_POLICY",
    primaryRegionOnly: true,
    parameters: {
      RequireUppercaseCharacters: "true",
      RequireLowercaseCharacters: "true",
      RequireSymbols: "true",
      RequireNumbers: "true",
      MinimumPasswordLength: "14",
      PasswordReusePrevention: "24",
      MaxPasswordAge: "90",
    },
    cis: "1.8, 1.9",
    pci: "8.3.6, 8.3.7, 8.3.9",
    securityHub: "IAM.7",
  },
  { identifier: "ROOT_ACCOUNT_MFA_ENABLED", primaryRegionOnly: true, cis: "1.5", pci: "8.4.1", securityHub: "IAM.9" },
  { identifier: "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED", primaryRegionOnly: true, cis: "1.6", pci: "8.4.1", securityHub: "IAM.6" },
  { identifier: "IAM_ROOT_ACCESS_KEY_CHECK", primaryRegionOnly: true, cis: "1.4", pci: "8.2.2", securityHub: "IAM.4" },
  { identifier: "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", primaryRegionOnly: true, cis: "1.10", pci: "8.4.2", securityHub: "IAM.5" },
  {
    identifier: "IAM_USER_UNUSED_CREDENTIALS_CHECK",
    primaryRegionOnly: true,
    parameters: { maxCredentialUsageAge: "45" },
    cis: "1.12",
    pci: "8.2.6",
    securityHub: "IAM.22",
  },
  { identifier: "ACCESS_KEYS_ROTATED", primaryRegionOnly: true, parameters: { maxAccessKeyAge: "90" }, cis: "1.14", pci: "8.3.9, 8.6.3", securityHub: "IAM.3" },
  { identifier: "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS", primaryRegionOnly: true, cis: "1.16", pci: "7.2.1, 7.2.2", securityHub: "IAM.1" },
  { identifier: "IAM_USER_NO_POLICIES_CHECK", primaryRegionOnly: true, cis: "1.15", pci: "7.2.1, 7.2.2", securityHub: "IAM.2" },
  // Encryption and keys
  { identifier: "CMK_BACKING_KEY_ROTATION_ENABLED", cis: "3.6", pci: "3.7.4", securityHub: "KMS.4" },
  { identifier: "KMS_CMK_NOT_SCHEDULED_FOR_DELETION", pci: "3.6.1", securityHub: "KMS.3" },
  { identifier: "EC2_EBS_ENCRYPTION_BY_DEFAULT", cis: "2.2.1", pci: "3.5.1", securityHub: "EC2.7" },
  { identifier: "SECRETSMANAGER_USING_CMK", pci: "8.3.2" },
  { identifier: "RDS_STORAGE_ENCRYPTED", cis: "2.3.1", pci: "3.5.1", securityHub: "RDS.3" },
  { identifier: "ELASTICACHE_REPL_GRP_ENCRYPTED_AT_REST", pci: "3.5.1", securityHub: "ElastiCache.4" },
  { identifier: "ELASTICACHE_REPL_GRP_ENCRYPTED_IN_TRANSIT", pci: "4.2.1", securityHub: "ElastiCache.5" },
  { identifier: "OPENSEARCH_ENCRYPTED_AT_REST", pci: "3.5.1", securityHub: "Opensearch.1" },
  { identifier: "OPENSEARCH_NODE_TO_NODE_ENCRYPTION_CHECK", pci: "4.2.1", securityHub: "Opensearch.3" },
  // S3
  { identifier: "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC", primaryRegionOnly: true, cis: "2.1.4", pci: "1.4.4", securityHub: "S3.1" },
  { identifier: "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", cis: "2.1.4", pci: "1.4.4", securityHub: "S3.8" },
  { identifier: "S3_BUCKET_SSL_REQUESTS_ONLY", cis: "2.1.1", pci: "4.2.1", securityHub: "S3.5" },
  { identifier: "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED", pci: "3.5.1" },
  { identifier: "S3_BUCKET_VERSIONING_ENABLED", pci: "10.3.2", securityHub: "S3.14" },
  // Network exposure
  { identifier: "VPC_DEFAULT_SECURITY_GROUP_CLOSED", cis: "5.4", pci: "1.3.1, 1.3.2", securityHub: "EC2.2" },
  { identifier: "INCOMING_SSH_DISABLED", cis: "5.2, 5.3", pci: "1.3.1", securityHub: "EC2.13" },
  { identifier: "RESTRICTED_INCOMING_TRAFFIC", cis: "5.2", pci: "1.3.1", securityHub: "EC2.19" },
  { identifier: "RDS_INSTANCE_PUBLIC_ACCESS_CHECK", cis: "2.3.3", pci: "1.4.4", securityHub: "RDS.2" },
  { identifier: "RDS_SNAPSHOTS_PUBLIC_PROHIBITED", pci: "1.4.4", securityHub: "RDS.1" },
  { identifier: "OPENSEARCH_IN_VPC_ONLY", pci: "1.4.4", securityHub: "Opensearch.2" },
  { identifier: "ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK", pci: "4.2.1", securityHub: "ELB.1" },
  { identifier: "ALB_HTTP_DROP_INVALID_HEADER_ENABLED", pci: "6.4.1", securityHub: "ELB.4" },
  { identifier: "ALB_WAF_ENABLED", pci: "6.4.2" },
  // Resilience and detection
  { identifier: "RDS_MULTI_AZ_SUPPORT", securityHub: "RDS.5" },
  { identifier: "DB_INSTANCE_BACKUP_ENABLED", securityHub: "RDS.11" },
  { identifier: "GUARDDUTY_ENABLED_CENTRALIZED", pci: "11.5.1", securityHub: "GuardDuty.1" },
  { identifier: "ECS_CONTAINERS_NONPRIVILEGED", pci: "2.2.1", securityHub: "ECS.4" },
  { identifier: "ECS_CONTAINERS_READONLY_ACCESS", pci: "2.2.1", securityHub: "ECS.5" },
];

/** `CLOUD_TRAIL_ENCRYPTION_ENABLED` → `cloud-trail-encryption-enabled`. */
export function configRuleName(identifier: string): string {
  return identifier.toLowerCase().replace(/_/g, "-");
}
