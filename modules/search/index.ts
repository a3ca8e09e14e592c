import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import { OpensearchDomain } from "@cdktf/provider-aws/lib/opensearch-domain";
import { Construct } from "constructs";
import type { SearchConfig } from "../../environments/types";
import { type GrantableRole, grantInlinePolicy, policyDocument } from "../../lib/iam";
import type { Naming } from "../../lib/naming";
import { tagComponent } from "../../lib/tags";
import type { KmsKey } from "../kms-key";
import { LogGroup } from "../log-group";
import type { Connections, IConnectable, SecurityGroup } from "../security-group";

/** The domain's logs and the log group each goes to. Audit logs need fine-grained access control. */
const LOG_TYPES = {
  INDEX_SLOW_LOGS: "index-slow",
  SEARCH_SLOW_LOGS: "search-slow",
  ES_APPLICATION_LOGS: "error",
  AUDIT_LOGS: "audit",
} as const;

/** Instance families without Auto-Tune support. */
const NO_AUTO_TUNE = /^(t2|t3)\./;

export interface SearchDomainProps {
  readonly naming: Naming;
  /** Instance type and count, volume, zone awareness and dedicated masters: the environment's `search` block. */
  readonly config: SearchConfig;
  /** Domain name suffix (the domain is `lma-<environment>-<name>`, at most 28 characters). @default "search" */
  readonly name?: string;
  /** Data subnets in AZ order; the domain uses the first `zoneAwarenessAzs` of them. */
  readonly subnetIds: readonly string[];
  /** Bring-your-own security group (the SecurityGroupChain's `search`); exposed as `connections`. */
  readonly securityGroup: SecurityGroup;
  /** Encrypts data at rest (indices, snapshots, swap). */
  readonly storageKey: KmsKey;
  readonly logsKey: KmsKey;
  readonly logRetentionDays: number;
  /**
   * IAM role that is the fine-grained-access-control master user (maps to `all_access`).
   * @default a role `lma-<env>-<region>-search-admin` that principals of this account may assume
   * when their own IAM policy allows it (no password exists)
   */
  readonly masterUserArn?: string;
  /**
   * Create the account's OpenSearch service-linked role (needed once per account for VPC
   * domains). Only one stack of the account may do it; IAM is global.
   * @default false
   */
  readonly createServiceLinkedRole?: boolean;
  /** Daily off-peak window start (UTC hour) for service software updates and Auto-Tune. @default 3 */
  readonly offPeakStartHourUtc?: number;
}

/**
 * An OpenSearch domain in the data subnets: encrypted at rest (KMS) and between nodes, HTTPS only
 * with a TLS 1.2+ policy with forward secrecy, fine-grained access control with an IAM master user
 * (no internal user database, no password), zone awareness and dedicated masters as configured,
 * and slow, error and audit logs in KMS-encrypted log groups.
 */
export class SearchDomain extends Construct implements IConnectable {
  readonly domain: OpensearchDomain;
  readonly connections: Connections;
  /** The master user's role, when the module created it. */
  readonly adminRole?: IamRole;
  private readonly domainArn: string;

  constructor(scope: Construct, id: string, props: SearchDomainProps) {
    super(scope, id);
    tagComponent(this, "search");
    const { naming, config } = props;
    this.connections = props.securityGroup.connections;
    const domainName = naming.name(props.name ?? "search");
    if (domainName.length > 28) throw new Error(`OpenSearch domain name ${domainName} is longer than 28 characters`);
    if (props.subnetIds.length < config.zoneAwarenessAzs) {
      throw new Error(`${domainName}: ${config.zoneAwarenessAzs} AZs need as many subnets (got ${props.subnetIds.length})`);
    }
    this.domainArn = naming.arn("es", `domain/${domainName}`);
    const zoneAware = config.zoneAwarenessAzs > 1;

    if (!props.masterUserArn) {
      this.adminRole = new IamRole(this, "admin-role", {
        name: naming.globalName(`${props.name ?? "search"}-admin`),
        description: `Fine-grained access control master user of ${domainName}`,
        assumeRolePolicy: policyDocument([
          {
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${naming.accountId}:root` },
            Action: "sts:AssumeRole",
          },
        ]),
      });
      new IamRolePolicy(this, "admin-policy", {
        name: "opensearch-admin",
        role: this.adminRole.name,
        policy: policyDocument([{ Sid: "AdministerDomain", Effect: "Allow", Action: "es:ESHttp*", Resource: `${this.domainArn}/*` }]),
      });
    }
    const masterUserArn = props.masterUserArn ?? this.adminRole!.arn;

    const logGroups = Object.entries(LOG_TYPES).map(([logType, suffix]) => ({
      logType,
      group: new LogGroup(this, `${suffix}-logs`, {
        naming,
        name: ["opensearch", props.name ?? "search", suffix],
        kmsKey: props.logsKey,
        retentionInDays: props.logRetentionDays,
      }),
    }));
    // OpenSearch writes through a CloudWatch Logs resource policy, pinned to this domain.
    const logPolicy = new CloudwatchLogResourcePolicy(this, "log-policy", {
      policyName: `${domainName}-logs`,
      policyDocument: policyDocument([
        {
          Sid: "OpenSearchWritesDomainLogs",
          Effect: "Allow",
          Principal: { Service: "es.amazonaws.com" },
          Action: ["logs:PutLogEvents", "logs:CreateLogStream"],
          Resource: logGroups.map(({ group }) => `${group.arn}:*`),
          Condition: {
            StringEquals: { "aws:SourceAccount": naming.accountId },
            ArnLike: { "aws:SourceArn": this.domainArn },
          },
        },
      ]),
    });
    const serviceLinkedRole = props.createServiceLinkedRole
      ? new IamServiceLinkedRole(this, "service-linked-role", { awsServiceName: "opensearchservice.amazonaws.com" })
      : undefined;

    const offPeakHour = props.offPeakStartHourUtc ?? 3;
    this.domain = new OpensearchDomain(this, "domain", {
      domainName,
      engineVersion: config.engineVersion,
      clusterConfig: {
        instanceType: config.instanceType,
        instanceCount: config.instanceCount,
        zoneAwarenessEnabled: zoneAware,
        zoneAwarenessConfig: zoneAware ? { availabilityZoneCount: config.zoneAwarenessAzs } : undefined,
        dedicatedMasterEnabled: config.dedicatedMasterCount > 0,
        dedicatedMasterCount: config.dedicatedMasterCount > 0 ? config.dedicatedMasterCount : undefined,
        dedicatedMasterType: config.dedicatedMasterCount > 0 ? config.dedicatedMasterType : undefined,
      },
      ebsOptions: { ebsEnabled: true, volumeType: "gp3", volumeSize: config.volumeSizeGiB },
      vpcOptions: {
        subnetIds: props.subnetIds.slice(0, config.zoneAwarenessAzs),
        securityGroupIds: [props.securityGroup.id],
      },
      encryptAtRest: { enabled: true, kmsKeyId: props.storageKey.arn },
      nodeToNodeEncryption: { enabled: true },
      domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: "Policy-Min-TLS-1-2-PFS-2023-10" },
      advancedSecurityOptions: {
        enabled: true,
        anonymousAuthEnabled: false,
        internalUserDatabaseEnabled: false,
        masterUserOptions: { masterUserArn },
      },
      // The resource policy admits this account's IAM principals; fine-grained access control
      // then decides what each role may do inside the domain.
      accessPolicies: policyDocument([
        {
          Sid: "AccountPrincipalsThroughFineGrainedAccessControl",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${naming.accountId}:root` },
          Action: "es:ESHttp*",
          Resource: `${this.domainArn}/*`,
        },
      ]),
      logPublishingOptions: logGroups.map(({ logType, group }) => ({
        logType,
        cloudwatchLogGroupArn: group.arn,
        enabled: true,
      })),
      autoTuneOptions: NO_AUTO_TUNE.test(config.instanceType)
        ? { desiredState: "DISABLED", rollbackOnDisable: "NO_ROLLBACK" }
        : { desiredState: "ENABLED", rollbackOnDisable: "NO_ROLLBACK", useOffPeakWindow: true },
      offPeakWindowOptions: { enabled: true, offPeakWindow: { windowStartTime: { hours: offPeakHour, minutes: 0 } } },
      softwareUpdateOptions: { autoSoftwareUpdateEnabled: true },
      dependsOn: [logPolicy, ...(serviceLinkedRole ? [serviceLinkedRole] : [])],
    });
  }

  /** The VPC endpoint (HTTPS). */
  get endpoint(): string {
    return this.domain.endpoint;
  }

  /**
   * Lets `role` send HTTP requests to the domain (`es:ESHttp*` on its indices). Inside the domain,
   * fine-grained access control still needs a role mapping for the role's ARN.
   */
  grantReadWrite(role: GrantableRole): IamRolePolicy {
    return grantInlinePolicy(this, role, "opensearch-read-write", [
      {
        Sid: "QueryAndIndex",
        Effect: "Allow",
        Action: ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"],
        Resource: `${this.domainArn}/*`,
      },
    ]);
  }
}
