import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import { OpensearchDomain } from "@cdktf/provider-aws/lib/opensearch-domain";
import { Construct } from "constructs";
import type { DataStoreBinding, DataStoreClient, IDataStore } from "../../lib/data-store";
import { Grant, type IGrantee } from "../../lib/grants";
import { policyDocument } from "../../lib/iam";
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
  /** Engine, a concrete minor, e.g. `OpenSearch_2.19` (docs/version-policy.md). */
  readonly engineVersion: string;
  /** Data node type, e.g. `r6g.large.search` (t2/t3 types run without Auto-Tune). */
  readonly instanceType: string;
  /** Data nodes; a multiple of `zoneAwarenessAzs` keeps the zones balanced. */
  readonly instanceCount: number;
  /** gp3 volume per data node, GiB. */
  readonly volumeSizeGiB: number;
  /** AZs the data nodes (and replica shards) are spread over. @default 3 */
  readonly zoneAwarenessAzs?: 1 | 2 | 3;
  /** Dedicated master nodes (0 makes the data nodes elect a master themselves). @default 3 */
  readonly dedicatedMasterCount?: 0 | 3 | 5;
  /** Dedicated master node type. @default instanceType */
  readonly dedicatedMasterType?: string;
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
   * @default a role `lma-<env>-<region>-search-admin` that only `breakGlassRoleArn` may assume,
   * with MFA (no password exists)
   */
  readonly masterUserArn?: string;
  /**
   * The one role that may assume the module's master-user role, and only in a session
   * authenticated with MFA: the environment's break-glass role, `lma-<env>-break-glass` by the
   * naming convention (modules/search/README.md, Break-glass).
   * Needed unless `masterUserArn` is given.
   */
  readonly breakGlassRoleArn?: string;
  /**
   * Terraform refuses to destroy the domain (`prevent_destroy`); OpenSearch has no deletion
   * protection of its own.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Create the account's OpenSearch service-linked role (needed once per account for VPC
   * domains). Only one stack of the account may do it; IAM is global.
   * @default false
   */
  readonly createServiceLinkedRole?: boolean;
  /**
   * Daily off-peak window start (UTC) for service software updates and Auto-Tune, from the
   * environment's maintenance table (OpenSearch runs it ten hours every day).
   */
  readonly offPeakStartUtc: { readonly hours: number; readonly minutes: number };
}

/**
 * An OpenSearch domain in the data subnets: encrypted at rest (KMS) and between nodes, HTTPS only
 * with a TLS 1.2+ policy with forward secrecy, fine-grained access control with an IAM master user
 * (no internal user database, no password), zone awareness and dedicated masters as configured,
 * and slow, error and audit logs in KMS-encrypted log groups.
 */
export class SearchDomain extends Construct implements IConnectable, IDataStore {
  readonly storeKind = "search";
  readonly domain: OpensearchDomain;
  readonly connections: Connections;
  /** The master user's role, when the module created it. */
  readonly adminRole?: IamRole;
  private readonly domainArn: string;
  /** The name suffix (`props.name`), which names this domain in statement ids. */
  private readonly name: string;

  constructor(scope: Construct, id: string, props: SearchDomainProps) {
    super(scope, id);
    tagComponent(this, "search");
    const { naming } = props;
    const zoneAwarenessAzs = props.zoneAwarenessAzs ?? 3;
    const dedicatedMasterCount = props.dedicatedMasterCount ?? 3;
    this.connections = props.securityGroup.connections;
    this.name = props.name ?? "search";
    const domainName = naming.name(this.name);
    if (domainName.length > 28) throw new Error(`OpenSearch domain name ${domainName} is longer than 28 characters`);
    if (props.subnetIds.length < zoneAwarenessAzs) {
      throw new Error(`${domainName}: ${zoneAwarenessAzs} AZs need as many subnets (got ${props.subnetIds.length})`);
    }
    this.domainArn = naming.arn("es", `domain/${domainName}`);
    const zoneAware = zoneAwarenessAzs > 1;

    if (!props.masterUserArn) {
      if (!props.breakGlassRoleArn) throw new Error(`${domainName}: the master-user role needs breakGlassRoleArn, the only role that may assume it`);
      this.adminRole = new IamRole(this, "admin-role", {
        name: naming.globalName(`${this.name}-admin`),
        description: `Fine-grained access control master user of ${domainName}, break-glass with MFA only`,
        assumeRolePolicy: policyDocument([
          {
            Sid: "BreakGlassWithMfa",
            Effect: "Allow",
            Principal: { AWS: props.breakGlassRoleArn },
            Action: "sts:AssumeRole",
            Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
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
        name: ["opensearch", this.name, suffix],
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

    this.domain = new OpensearchDomain(this, "domain", {
      domainName,
      engineVersion: props.engineVersion,
      clusterConfig: {
        instanceType: props.instanceType,
        instanceCount: props.instanceCount,
        zoneAwarenessEnabled: zoneAware,
        zoneAwarenessConfig: zoneAware ? { availabilityZoneCount: zoneAwarenessAzs } : undefined,
        dedicatedMasterEnabled: dedicatedMasterCount > 0,
        dedicatedMasterCount: dedicatedMasterCount > 0 ? dedicatedMasterCount : undefined,
        dedicatedMasterType: dedicatedMasterCount > 0 ? (props.dedicatedMasterType ?? props.instanceType) : undefined,
      },
      ebsOptions: { ebsEnabled: true, volumeType: "gp3", volumeSize: props.volumeSizeGiB },
      vpcOptions: {
        subnetIds: props.subnetIds.slice(0, zoneAwarenessAzs),
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
      autoTuneOptions: NO_AUTO_TUNE.test(props.instanceType)
        ? { desiredState: "DISABLED", rollbackOnDisable: "NO_ROLLBACK" }
        : { desiredState: "ENABLED", rollbackOnDisable: "NO_ROLLBACK", useOffPeakWindow: true },
      offPeakWindowOptions: { enabled: true, offPeakWindow: { windowStartTime: { ...props.offPeakStartUtc } } },
      softwareUpdateOptions: { autoSoftwareUpdateEnabled: true },
      dependsOn: [logPolicy, ...(serviceLinkedRole ? [serviceLinkedRole] : [])],
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
  }

  /** The VPC endpoint (HTTPS). */
  get endpoint(): string {
    return this.domain.endpoint;
  }

  /**
   * Lets `grantee` send HTTP requests to the domain (`es:ESHttp*` on its indices). Inside the
   * domain, fine-grained access control still needs a role mapping for the grantee's ARN.
   */
  grantReadWrite(grantee: IGrantee): Grant {
    const sidPart = this.name.replace(/(^|-)([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase());
    return Grant.addToPrincipal(grantee, [
      {
        Sid: `OpenSearchReadWrite${sidPart}`,
        Effect: "Allow",
        Action: ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"],
        Resource: `${this.domainArn}/*`,
      },
    ]);
  }

  /** Admits `client` on HTTPS, lets its task role query and index, and tells it the endpoint. */
  bind(client: DataStoreClient): DataStoreBinding {
    if (client.connectable) this.connections.allowDefaultPortFrom(client.connectable);
    return { environment: { SEARCH_ENDPOINT: this.endpoint }, secrets: {}, grants: [this.grantReadWrite(client.taskRole)] };
  }
}
