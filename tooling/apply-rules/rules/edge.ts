import { block, literal, numeric, referenced, regionOf, reporter, resources } from "../terraform-json";
import type { Rule } from "../types";

const healthCheckTimeoutBelowInterval: Rule = {
  id: "lb-health-check-timeout-below-interval",
  description: "A target group's health-check timeout is shorter than its interval (interval 5–300 s, timeout 2–120 s).",
  source:
    "Elastic Load Balancing User Guide for Application Load Balancers, Health checks for target groups > Health check settings: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html",
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_lb_target_group").flatMap(({ address, body }) => {
      const healthCheck = block(body.health_check);
      const interval = numeric(healthCheck?.interval) ?? 30;
      const timeout = numeric(healthCheck?.timeout);
      const problems: string[] = [];
      if (interval < 5 || interval > 300) problems.push(`health_check.interval ${interval} is outside 5–300 seconds`);
      if (timeout !== undefined && (timeout < 2 || timeout > 120)) problems.push(`health_check.timeout ${timeout} is outside 2–120 seconds`);
      if (timeout !== undefined && timeout >= interval) problems.push(`health_check.timeout ${timeout} must be shorter than interval ${interval}`);
      return problems.map((problem) => report(address, problem));
    });
  },
};

/** Application Load Balancer security policies (predefined names; a typo fails CreateListener). */
export const ALB_SECURITY_POLICIES: readonly string[] = [
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
  "ELBSecurityPolicy-TLS13-1-1-2021-06",
  "ELBSecurityPolicy-TLS13-1-0-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
  "ELBSecurityPolicy-FS-1-2-Res-2020-10",
  "ELBSecurityPolicy-FS-1-2-Res-2019-08",
  "ELBSecurityPolicy-FS-1-2-2019-08",
  "ELBSecurityPolicy-FS-1-1-2019-08",
  "ELBSecurityPolicy-FS-2018-06",
  "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
  "ELBSecurityPolicy-TLS-1-2-2017-01",
  "ELBSecurityPolicy-TLS-1-1-2017-01",
  "ELBSecurityPolicy-2016-08",
  "ELBSecurityPolicy-2015-05",
];

const httpsListenerCertificateAndPolicy: Rule = {
  id: "lb-https-listener-certificate-and-policy",
  description: "An HTTPS listener names a server certificate and one of the predefined ALB security policies.",
  source:
    "Elastic Load Balancing User Guide for Application Load Balancers, Security policies for your Application Load Balancer: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html",
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_lb_listener").flatMap(({ address, body }) => {
      if (literal(body.protocol) !== "HTTPS") return [];
      const problems: string[] = [];
      if (body.certificate_arn === undefined) problems.push("an HTTPS listener needs certificate_arn");
      const policy = literal(body.ssl_policy);
      if (policy !== undefined && !ALB_SECURITY_POLICIES.includes(policy)) problems.push(`ssl_policy "${policy}" is not a predefined ALB security policy`);
      return problems.map((problem) => report(address, problem));
    });
  },
};

const cloudFrontCertificateInUsEast1: Rule = {
  id: "cloudfront-certificate-in-us-east-1",
  description: "A CloudFront distribution's ACM certificate is requested in US East (N. Virginia), us-east-1.",
  source:
    "Amazon CloudFront Developer Guide, Requirements for using SSL/TLS certificates with CloudFront > Certificate issuer / AWS Region for AWS Certificate Manager: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html",
  check({ json }) {
    const report = reporter(this.id);
    return resources(json, "aws_cloudfront_distribution").flatMap(({ address, body }) => {
      const certificate = block(body.viewer_certificate)?.acm_certificate_arn;
      if (certificate === undefined) return [];
      // A validation resource passes its certificate's ARN through; follow it to the certificate.
      let target = referenced(json, certificate);
      if (target?.type === "aws_acm_certificate_validation") target = referenced(json, target.body.certificate_arn) ?? target;
      const region = target ? regionOf(json, target.body) : literal(certificate)?.split(":")[3];
      return region === undefined || region === "us-east-1" ? [] : [report(address, `the viewer certificate is in ${region}; CloudFront uses ACM certificates from us-east-1 only`)];
    });
  },
};

export const EDGE_RULES: readonly Rule[] = [healthCheckTimeoutBelowInterval, httpsListenerCertificateAndPolicy, cloudFrontCertificateInUsEast1];
