import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";
import { Port, type SecurityGroup } from "../security-group";
import { platformNames } from "./names";

/**
 * TLS 1.3 and TLS 1.2, the latter with forward-secret AEAD ciphers only (ECDHE + AES-GCM). Not
 * the TLS 1.3-only policy: CloudFront connects to its origins with TLS 1.2 at most, and some
 * banking clients and Route 53 health checkers still speak TLS 1.2.
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
   * The ALB's security group; the security baseline opens 443 (and 80, for the redirect) to the
   * internet. Targets are allowed from it through `connections`.
   */
  readonly securityGroup: SecurityGroup;
  /** An issued (validated) ACM certificate in this region for the API's names. */
  readonly certificateArn: string;
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

const NOT_FOUND = {
  type: "fixed-response",
  fixedResponse: { contentType: "application/json", statusCode: "404", messageBody: '{"error":"not found"}' },
};

/**
 * The region's internet-facing Application Load Balancer for the API: HTTPS only (HTTP answers
 * with a permanent redirect), a TLS 1.3 policy, security headers, invalid header fields dropped,
 * deletion protection, access logs, and the regional WAF. Unmatched paths get a 404 from the ALB
 * itself; services add their path rules (`ServiceTargets`).
 */
export class ApiLoadBalancer extends Construct {
  readonly loadBalancer: Lb;
  readonly httpsListener: LbListener;
  readonly httpListener: LbListener;
  /** Blue/green test traffic; present when `testListenerPort` is set. */
  readonly testListener?: LbListener;
  readonly securityGroup: SecurityGroup;
  readonly vpcId: string;

  constructor(scope: Construct, id: string, props: ApiLoadBalancerProps) {
    super(scope, id);
    this.securityGroup = props.securityGroup;
    this.vpcId = props.vpcId;
    const sslPolicy = props.sslPolicy ?? DEFAULT_SSL_POLICY;

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

    this.httpListener = new LbListener(this, "http", {
      loadBalancerArn: this.loadBalancer.arn,
      port: 80,
      protocol: "HTTP",
      defaultAction: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
    });
    this.httpsListener = new LbListener(this, "https", {
      loadBalancerArn: this.loadBalancer.arn,
      port: 443,
      protocol: "HTTPS",
      sslPolicy,
      certificateArn: props.certificateArn,
      defaultAction: [NOT_FOUND],
      ...SECURITY_HEADERS,
    });
    if (props.testListenerPort !== undefined) {
      this.testListener = new LbListener(this, "test", {
        loadBalancerArn: this.loadBalancer.arn,
        port: props.testListenerPort,
        protocol: "HTTPS",
        sslPolicy,
        certificateArn: props.certificateArn,
        defaultAction: [NOT_FOUND],
        ...SECURITY_HEADERS,
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
