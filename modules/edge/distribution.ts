import { CloudfrontCachePolicy } from "@cdktf/provider-aws/lib/cloudfront-cache-policy";
import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import { CloudfrontResponseHeadersPolicy } from "@cdktf/provider-aws/lib/cloudfront-response-headers-policy";
import { CloudwatchLogDelivery } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery";
import { CloudwatchLogDeliveryDestination } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery-destination";
import { CloudwatchLogDeliverySource } from "@cdktf/provider-aws/lib/cloudwatch-log-delivery-source";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import type { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";
import { tagComponent } from "../../lib/tags";
import type { OriginVerifyHeader } from "./origin-verify";

/** AWS-managed CloudFront policies (their ids are the same in every account). */
export const MANAGED_POLICIES = {
  /** Cache nothing: API responses are per user. */
  cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
  /** Forward every viewer header, cookie and query string except Host (the origin gets its own name). */
  allViewerExceptHostHeader: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
} as const;

/**
 * A baseline that breaks no single-page application yet blocks framing, plugins and base-tag
 * hijacking; tighten `script-src` and friends per application through `contentSecurityPolicy`.
 */
export const DEFAULT_CONTENT_SECURITY_POLICY =
  "frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'; upgrade-insecure-requests";

/** The static-assets bucket as this construct needs it: readable by one distribution through OAC. */
export interface StaticAssetsOrigin {
  /** The bucket; CloudFront reads its regional endpoint. */
  readonly bucket: S3Bucket;
  /** Adds the bucket-policy (and key-policy) statements that let this distribution read objects. */
  grantCloudFrontRead(distributionArn: string): void;
}

export interface WebDistributionProps {
  /** The environment's naming convention: policies and OAC are `lma-<env>-…` (account-wide names). */
  readonly naming: Naming;
  /** The names viewers use, e.g. `app.lma.example.com`; each gets A and AAAA alias records. */
  readonly domainNames: readonly string[];
  /** Public hosted zone for the alias records. */
  readonly hostedZoneId: string;
  /** An issued us-east-1 certificate covering `domainNames`. */
  readonly certificateArn: string;
  /** Default behaviour: the web front end, read through origin access control. */
  readonly staticAssets: StaticAssetsOrigin;
  /**
   * The standby region's static-assets bucket (its replica), by its regional domain name (built
   * from the naming convention: the bucket is in another stack). With it the default behaviour
   * reads an origin group that falls back to it on errors or when the home bucket's region fails;
   * its bucket policy admits this account's distributions (it cannot name this one's generated id).
   * @default one origin
   */
  readonly standbyStaticAssetsDomainName?: string;
  /** The secret header added to every API origin request, which the ALB side requires. */
  readonly originVerify: OriginVerifyHeader;
  /**
   * The API's DNS name (e.g. `api.lma.example.com`): a Route 53 record, not an ALB, so CloudFront
   * follows the regional failover like every other client.
   */
  readonly apiDomainName: string;
  /** @default "/api/*" */
  readonly apiPathPattern?: string;
  /** The CLOUDFRONT-scope WAF web ACL (an ARN: WAFv2). @default none (the stack always passes one) */
  readonly webAclArn?: string;
  /** Standard logging v2 to this bucket (ARN) under `logsPrefix`. */
  readonly logsBucketArn: string;
  /** @default "cloudfront" */
  readonly logsPrefix?: string;
  /** The logs bucket's policy, which must allow log delivery before the delivery is created. @default none */
  readonly logsBucketPolicy?: ITerraformDependable;
  /**
   * CloudFront's log delivery source must be in us-east-1: a stack elsewhere passes its provider.
   * @default the stack's default provider
   */
  readonly usEast1Provider?: TerraformProvider;
  /** @default DEFAULT_CONTENT_SECURITY_POLICY */
  readonly contentSecurityPolicy?: string;
  /**
   * Edge locations used. `PriceClass_100` (North America and Europe) is cheaper.
   * @default "PriceClass_All" (lowest latency for users anywhere)
   */
  readonly priceClass?: "PriceClass_All" | "PriceClass_200" | "PriceClass_100";
}

const STATIC_ORIGIN = "static-assets";
const STANDBY_STATIC_ORIGIN = "static-assets-standby";
const STATIC_ORIGIN_GROUP = "static-assets-failover";
const API_ORIGIN = "api";

/**
 * Answers from the home bucket that send the request to the standby bucket: missing or refused
 * objects (a replica may have what a failed write left out) and server errors of S3.
 */
export const STATIC_FAILOVER_STATUS_CODES = [403, 404, 500, 502, 503, 504];

/**
 * The platform's CloudFront distribution: static assets from S3 through origin access control
 * (the bucket stays private), `/api/*` to the API's Route 53 name over HTTPS, TLS 1.2 (2021
 * ciphers) minimum for viewers, HTTP/2 and HTTP/3, IPv6, compression, a long-TTL cache policy for
 * assets and none for the API, a response-headers policy with HSTS and a content security policy,
 * the CLOUDFRONT-scope WAF, standard logging v2 to the logs bucket, and alias records.
 */
export class WebDistribution extends Construct {
  readonly distribution: CloudfrontDistribution;
  readonly responseHeadersPolicy: CloudfrontResponseHeadersPolicy;
  readonly staticCachePolicy: CloudfrontCachePolicy;
  readonly originAccessControl: CloudfrontOriginAccessControl;

  constructor(scope: Construct, id: string, props: WebDistributionProps) {
    super(scope, id);
    tagComponent(this, "edge");
    const { naming } = props;
    const standby = props.standbyStaticAssetsDomainName;

    this.originAccessControl = new CloudfrontOriginAccessControl(this, "origin-access-control", {
      name: naming.name("static-assets"),
      description: "CloudFront reads the static-assets bucket; the bucket has no public access",
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    });
    this.staticCachePolicy = new CloudfrontCachePolicy(this, "static-cache-policy", {
      name: naming.name("static-assets"),
      comment: "Static assets: cached up to a year (file names carry content hashes), compressed",
      minTtl: 0,
      defaultTtl: 86_400,
      maxTtl: 31_536_000,
      parametersInCacheKeyAndForwardedToOrigin: {
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
        cookiesConfig: { cookieBehavior: "none" },
        headersConfig: { headerBehavior: "none" },
        queryStringsConfig: { queryStringBehavior: "none" },
      },
    });
    this.responseHeadersPolicy = new CloudfrontResponseHeadersPolicy(this, "security-headers", {
      name: naming.name("security-headers"),
      comment: "HSTS, CSP, no framing, no sniffing, strict referrer",
      securityHeadersConfig: {
        strictTransportSecurity: {
          accessControlMaxAgeSec: 63_072_000,
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentSecurityPolicy: {
          contentSecurityPolicy: props.contentSecurityPolicy ?? DEFAULT_CONTENT_SECURITY_POLICY,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: "DENY", override: true },
        referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
      customHeadersConfig: {
        items: [{ header: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()", override: true }],
      },
      removeHeadersConfig: { items: [{ header: "Server" }] },
    });

    this.distribution = new CloudfrontDistribution(this, "distribution", {
      enabled: true,
      comment: `${naming.prefix}: web front end and API`,
      aliases: [...props.domainNames],
      httpVersion: "http2and3",
      isIpv6Enabled: true,
      priceClass: props.priceClass ?? "PriceClass_All",
      defaultRootObject: "index.html",
      webAclId: props.webAclArn,
      origin: [
        {
          originId: STATIC_ORIGIN,
          domainName: props.staticAssets.bucket.bucketRegionalDomainName,
          originAccessControlId: this.originAccessControl.id,
        },
        ...(standby
          ? [{ originId: STANDBY_STATIC_ORIGIN, domainName: standby, originAccessControlId: this.originAccessControl.id }]
          : []),
        {
          originId: API_ORIGIN,
          domainName: props.apiDomainName,
          customHeader: [{ name: props.originVerify.name, value: props.originVerify.value }],
          connectionAttempts: 3,
          connectionTimeout: 10,
          customOriginConfig: {
            httpPort: 80,
            httpsPort: 443,
            originProtocolPolicy: "https-only",
            originSslProtocols: ["TLSv1.2"],
            originReadTimeout: 30,
            originKeepaliveTimeout: 5,
          },
        },
      ],
      originGroup: standby
        ? [
            {
              originId: STATIC_ORIGIN_GROUP,
              failoverCriteria: { statusCodes: STATIC_FAILOVER_STATUS_CODES },
              member: [{ originId: STATIC_ORIGIN }, { originId: STANDBY_STATIC_ORIGIN }],
            },
          ]
        : undefined,
      defaultCacheBehavior: {
        // An origin group serves GET, HEAD and OPTIONS only, which is all this behaviour allows.
        targetOriginId: standby ? STATIC_ORIGIN_GROUP : STATIC_ORIGIN,
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD", "OPTIONS"],
        cachedMethods: ["GET", "HEAD"],
        compress: true,
        cachePolicyId: this.staticCachePolicy.id,
        responseHeadersPolicyId: this.responseHeadersPolicy.id,
      },
      orderedCacheBehavior: [
        {
          pathPattern: props.apiPathPattern ?? "/api/*",
          targetOriginId: API_ORIGIN,
          // API clients must not be redirected: a redirected POST loses its body.
          viewerProtocolPolicy: "https-only",
          allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
          cachedMethods: ["GET", "HEAD"],
          compress: true,
          cachePolicyId: MANAGED_POLICIES.cachingDisabled,
          originRequestPolicyId: MANAGED_POLICIES.allViewerExceptHostHeader,
          responseHeadersPolicyId: this.responseHeadersPolicy.id,
        },
      ],
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: {
        acmCertificateArn: props.certificateArn,
        sslSupportMethod: "sni-only",
        minimumProtocolVersion: "TLSv1.2_2021",
      },
    });
    props.staticAssets.grantCloudFrontRead(this.distribution.arn);

    // Standard logging v2 (CloudWatch Logs vended delivery): unlike legacy logging it needs no
    // bucket ACLs, which the logs bucket (bucket owner enforced) does not allow.
    const source = new CloudwatchLogDeliverySource(this, "log-source", {
      provider: props.usEast1Provider,
      name: naming.name("cloudfront"),
      logType: "ACCESS_LOGS",
      resourceArn: this.distribution.arn,
    });
    const destination = new CloudwatchLogDeliveryDestination(this, "log-destination", {
      provider: props.usEast1Provider,
      name: naming.name("cloudfront-to-s3"),
      outputFormat: "json",
      deliveryDestinationConfiguration: [{ destinationResourceArn: `${props.logsBucketArn}/${props.logsPrefix ?? "cloudfront"}` }],
    });
    new CloudwatchLogDelivery(this, "log-delivery", {
      provider: props.usEast1Provider,
      deliverySourceName: source.name,
      deliveryDestinationArn: destination.arn,
      dependsOn: props.logsBucketPolicy ? [props.logsBucketPolicy] : undefined,
    });

    for (const name of props.domainNames) {
      for (const type of ["A", "AAAA"]) {
        new Route53Record(this, `alias-${name.replace(/\./g, "-")}-${type}`, {
          zoneId: props.hostedZoneId,
          name,
          type,
          alias: { name: this.distribution.domainName, zoneId: this.distribution.hostedZoneId, evaluateTargetHealth: false },
        });
      }
    }
  }

  get arn(): string {
    return this.distribution.arn;
  }

  get domainName(): string {
    return this.distribution.domainName;
  }
}
