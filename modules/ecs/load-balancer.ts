import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbListenerRule, type LbListenerRuleCondition } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { type ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";
import { Port, type SecurityGroup } from "../security-group";
import { KNOWN_CLIENT_FALLBACK_PRIORITY, platformNames, wildcardCount } from "./names";

/**
 * TLS 1.3 and TLS 1.2, the latter with forward-secret AEAD ciphers only (ECDHE + AES-GCM). Not
 * the TLS 1.3-only policy: CloudFront connects to its origins with TLS 1.2 at most.
 */
export const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";

export interface ApiLoadBalancerProps {
  /** The environment's naming convention in this region: the ALB is `lma-<env>-api`. */
  readonly naming: Naming;
  /** The VPC of the public subnets and of the services' target groups. */
  readonly vpcId: string;
  /** The public subnets, one per AZ. */
  readonly subnetIds: readonly string[];
  /**
   * The ALB's security group; the security chain admits 443 from CloudFront's origin-facing prefix
   * list only. Targets are allowed from it through `connections`.
   */
  readonly securityGroup: SecurityGroup;
  /** An issued (validated) ACM certificate in this region for the API's names. */
  readonly certificateArn: string;
  /**
   * The secret header CloudFront adds to every request to the API origin (modules/edge
   * `originVerifyHeader`): every forwarding rule requires it, so a request that did not cross
   * CloudFront reaches no service even past the security group and the regional web ACL. The value
   * must be a token (the sensitive Terraform variable), never a literal in cdk.tf.json.
   */
  readonly originHeader: OriginHeader;
  /**
   * Access logs go to this bucket (SSE-S3: ALB log delivery supports nothing else) under `prefix`.
   * ELB checks that it may write there when the ALB is created, so pass the bucket's policy in
   * `dependsOn`.
   */
  readonly accessLogs: AccessLogsDestination;
  /** The REGIONAL WAF web ACL to associate. @default none (the stack always passes one) */
  readonly webAclArn?: string;
  /**
   * Deletion protection on the ALB (anchor: terraform-aws-alb defaults it on since v9).
   * @default true
   */
  readonly deletionProtection?: boolean;
  /** @default DEFAULT_SSL_POLICY */
  readonly sslPolicy?: string;
  /**
   * Port of the test listener that blue/green deployments send test traffic to before shifting
   * production traffic. Not opened to the internet: a validation hook's security group is allowed
   * with `securityGroup.connections.allowFrom(hook, Port.tcp(port))`.
   * @default no test listener (rolling deployments need none); 8443 is the convention
   */
  readonly testListenerPort?: number;
  /**
   * Seconds an idle connection stays open.
   * @default 60
   */
  readonly idleTimeoutSeconds?: number;
}

/** A request header by name and (secret) value. */
export interface OriginHeader {
  readonly name: string;
  readonly value: string;
}

/** Where a load balancer delivers its access logs. */
export interface AccessLogsDestination {
  /** Bucket name. */
  readonly bucket: string;
  /** Key prefix the bucket policy lets ELB write under (`alb`). */
  readonly prefix: string;
  /** The bucket policy that lets ELB write (created before the ALB). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** Response headers the ALB adds to every response (listener attribute header modification). */
const SECURITY_HEADERS = {
  routingHttpResponseStrictTransportSecurityHeaderValue: "max-age=63072000; includeSubDomains; preload",
  routingHttpResponseXContentTypeOptionsHeaderValue: "nosniff",
  routingHttpResponseXFrameOptionsHeaderValue: "DENY",
  routingHttpResponseServerEnabled: false,
};

const fixedResponse = (statusCode: string, error: string) => ({
  type: "fixed-response",
  fixedResponse: { contentType: "application/json", statusCode, messageBody: JSON.stringify({ error }) },
});
/** What a listener answers a request that did not come through CloudFront. */
const FORBIDDEN = fixedResponse("403", "forbidden");
/** What it answers a request from CloudFront for a path no service owns. */
const NOT_FOUND = fixedResponse("404", "not found");

/**
 * The region's internet-facing Application Load Balancer for the API: HTTPS only (CloudFront
 * reaches its origin over HTTPS only, so there is no port-80 listener), a TLS 1.3 policy, security
 * headers, invalid header fields dropped, deletion protection, access logs, and the regional WAF.
 * Services add their path rules (`ServiceTargets`), each also requiring the origin header; a
 * request without it gets a 403 from the listener's default action, one with it but for a path no
 * service owns a 404 (`KNOWN_CLIENT_FALLBACK_PRIORITY`, after every service's rules).
 */
export class ApiLoadBalancer extends Construct {
  readonly loadBalancer: Lb;
  readonly httpsListener: LbListener;
  /** Blue/green test traffic; present when `testListenerPort` is set. */
  readonly testListener?: LbListener;
  readonly securityGroup: SecurityGroup;
  readonly vpcId: string;
  /** The condition every forwarding rule carries: the origin header with the variable's value. */
  readonly originHeaderCondition: LbListenerRuleCondition;

  constructor(scope: Construct, id: string, props: ApiLoadBalancerProps) {
    super(scope, id);
    this.securityGroup = props.securityGroup;
    this.vpcId = props.vpcId;
    const sslPolicy = props.sslPolicy ?? DEFAULT_SSL_POLICY;
    const { originHeader } = props;
    if (!Token.isUnresolved(originHeader.value)) {
      throw new Error(`${originHeader.name}: the origin header's value must reference the sensitive variable, not a literal (it would be written to cdk.tf.json)`);
    }
    if (wildcardCount(originHeader.name) > 0) throw new Error(`${originHeader.name}: a header name has no wildcards`);
    this.originHeaderCondition = { httpHeader: { httpHeaderName: originHeader.name, values: [originHeader.value] } };

    this.loadBalancer = new Lb(this, "alb", {
      name: platformNames(props.naming).loadBalancer,
      internal: false,
      loadBalancerType: "application",
      subnets: [...props.subnetIds],
      securityGroups: [props.securityGroup.id],
      ipAddressType: "ipv4",
      enableDeletionProtection: props.deletionProtection ?? true,
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "defensive",
      enableHttp2: true,
      enableWafFailOpen: false,
      idleTimeout: props.idleTimeoutSeconds ?? 60,
      accessLogs: { bucket: props.accessLogs.bucket, prefix: props.accessLogs.prefix, enabled: true },
      dependsOn: props.accessLogs.dependsOn ? [...props.accessLogs.dependsOn] : undefined,
    });

    this.httpsListener = new LbListener(this, "https", {
      loadBalancerArn: this.loadBalancer.arn,
      port: 443,
      protocol: "HTTPS",
      sslPolicy,
      certificateArn: props.certificateArn,
      defaultAction: [FORBIDDEN],
      ...SECURITY_HEADERS,
    });
    if (props.testListenerPort !== undefined) {
      this.testListener = new LbListener(this, "test", {
        loadBalancerArn: this.loadBalancer.arn,
        port: props.testListenerPort,
        protocol: "HTTPS",
        sslPolicy,
        certificateArn: props.certificateArn,
        defaultAction: [FORBIDDEN],
        ...SECURITY_HEADERS,
      });
    }
    for (const [listenerId, listener] of [["https", this.httpsListener], ["test", this.testListener]] as const) {
      if (!listener) continue;
      new LbListenerRule(this, `${listenerId}-unknown-path`, {
        listenerArn: listener.arn,
        priority: KNOWN_CLIENT_FALLBACK_PRIORITY,
        condition: [this.originHeaderCondition],
        action: [NOT_FOUND],
      });
    }
    if (props.webAclArn) {
      new Wafv2WebAclAssociation(this, "waf", { resourceArn: this.loadBalancer.arn, webAclArn: props.webAclArn });
    }
  }

  get arn(): string {
    return this.loadBalancer.arn;
  }

  /** `app/<name>/<id>`: the `LoadBalancer` dimension of its CloudWatch metrics. */
  get arnSuffix(): string {
    return this.loadBalancer.arnSuffix;
  }

  get dnsName(): string {
    return this.loadBalancer.dnsName;
  }

  get zoneId(): string {
    return this.loadBalancer.zoneId;
  }

  /** Lets the ALB reach a service's tasks on their container port (ingress there, egress here). */
  allowTo(target: SecurityGroup, port: number): void {
    target.connections.allowFrom(this.securityGroup, Port.tcp(port));
  }
}
