/**
 * The edge as synthesized: certificates validated in the environment's zone, CloudFront in the
 * primary region's stack, and each region's own API record and health check.
 */
import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import { listOf, policyOf, synthRegional } from "../../support/synth";
import { one, referenced } from "../ecs/find";

const primary = synthRegional(production, 0).json;
const standby = synthRegional(production, 1).json;
const development = synthRegional(dev, 0).json;

describe("certificates", () => {
  it("are DNS-validated in the environment's hosted zone: the API's in each region, CloudFront's in us-east-1", () => {
    expect(listOf(primary, "aws_acm_certificate").map((certificate) => certificate.domain_name).sort()).toEqual([
      "api.lma.example.com",
      "app.lma.example.com",
    ]);
    expect(listOf(standby, "aws_acm_certificate").map((certificate) => certificate.domain_name)).toEqual(["api.lma.example.com"]);
    for (const json of [primary, standby]) {
      for (const certificate of listOf(json, "aws_acm_certificate")) {
        expect(certificate).toMatchObject({ validation_method: "DNS", lifecycle: { create_before_destroy: true } });
        // The stacks' home providers: us-east-1 for the primary (CloudFront's region), eu-west-1 for the standby.
        expect(certificate.provider).toBeUndefined();
      }
      for (const record of listOf(json, "aws_route53_record").filter((record) => record.for_each !== undefined)) {
        expect(record).toMatchObject({ zone_id: "Z0PRDLMAEXAMPLE0003", allow_overwrite: true, name: "${each.value.resource_record_name}" });
      }
    }
  });
});

describe("CloudFront (production primary)", () => {
  const [distribution] = listOf(primary, "aws_cloudfront_distribution");
  const origins = distribution!.origin as Record<string, any>[];

  it("exists only in the primary region's stack", () => {
    expect(listOf(primary, "aws_cloudfront_distribution")).toHaveLength(1);
    expect(listOf(standby, "aws_cloudfront_distribution")).toEqual([]);
  });

  it("serves app.<zone> over TLS 1.2 (2021) or later with HTTP/2 and HTTP/3, IPv6, and the CloudFront WAF", () => {
    expect(distribution).toMatchObject({
      aliases: ["app.lma.example.com"],
      http_version: "http2and3",
      is_ipv6_enabled: true,
      viewer_certificate: { ssl_support_method: "sni-only", minimum_protocol_version: "TLSv1.2_2021" },
    });
    expect(referenced(primary, distribution!.web_acl_id).scope).toBe("CLOUDFRONT");
    expect(referenced(primary, (distribution!.viewer_certificate as any).acm_certificate_arn).certificate_arn).toBeDefined();
  });

  it("reads static assets through origin access control from both regions' buckets, and sends /api/* to the API's Route 53 name", () => {
    const byId = new Map(origins.map((origin) => [origin.origin_id, origin]));
    expect([...byId.keys()]).toEqual(["static-assets", "static-assets-standby", "api"]);
    for (const id of ["static-assets", "static-assets-standby"]) {
      expect(referenced(primary, byId.get(id)!.origin_access_control_id)).toMatchObject({
        origin_access_control_origin_type: "s3",
        signing_behavior: "always",
        signing_protocol: "sigv4",
      });
    }
    expect(referenced(primary, byId.get("static-assets")!.domain_name).bucket).toBe("lma-production-static-assets-us-east-1-400000000003");
    // The standby's bucket lives in the standby's stack: named by convention, never read from its state.
    expect(byId.get("static-assets-standby")!.domain_name).toBe("lma-production-static-assets-eu-west-1-400000000003.s3.eu-west-1.amazonaws.com");
    expect(listOf(standby, "aws_s3_bucket").map((bucket) => bucket.bucket)).toContain("lma-production-static-assets-eu-west-1-400000000003");
    expect(distribution!.origin_group).toEqual([
      {
        origin_id: "static-assets-failover",
        failover_criteria: { status_codes: [403, 404, 500, 502, 503, 504] },
        member: [{ origin_id: "static-assets" }, { origin_id: "static-assets-standby" }],
      },
    ]);
    expect(byId.get("api")).toMatchObject({
      domain_name: "api.lma.example.com",
      custom_origin_config: { origin_protocol_policy: "https-only", origin_ssl_protocols: ["TLSv1.2"] },
      custom_header: [{ name: "X-Origin-Verify", value: "${var.origin_verify_header}" }],
    });
    expect(distribution!.ordered_cache_behavior).toEqual([
      expect.objectContaining({
        path_pattern: "/api/*",
        target_origin_id: "api",
        viewer_protocol_policy: "https-only",
        compress: true,
        cache_policy_id: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
      }),
    ]);
    expect(distribution!.default_cache_behavior).toMatchObject({ target_origin_id: "static-assets-failover", compress: true, allowed_methods: ["GET", "HEAD", "OPTIONS"] });
  });

  it("lets only this distribution read the static-assets bucket", () => {
    const policy = listOf(primary, "aws_s3_bucket_policy").find((candidate) =>
      String(referenced(primary, candidate.bucket).bucket).includes("static-assets"),
    );
    expect(policyOf(policy!.policy).Statement).toContainEqual(
      expect.objectContaining({
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Condition: { StringEquals: { "AWS:SourceArn": expect.stringMatching(/^\$\{aws_cloudfront_distribution\.[^.]+\.arn\}$/) } },
      }),
    );
  });

  it("lets this account's distributions read the standby's static-assets bucket (the distribution's id is generated in the other stack)", () => {
    const policy = listOf(standby, "aws_s3_bucket_policy").find((candidate) =>
      String(referenced(standby, candidate.bucket).bucket).includes("static-assets"),
    );
    expect(policyOf(policy!.policy).Statement).toContainEqual(
      expect.objectContaining({
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Condition: {
          ArnLike: { "AWS:SourceArn": `arn:aws:cloudfront::${production.accountId}:distribution/*` },
          StringEquals: { "AWS:SourceAccount": production.accountId },
        },
      }),
    );
  });

  it("adds HSTS (two years, preload), a content security policy, and no framing to every response", () => {
    const [headers] = listOf(primary, "aws_cloudfront_response_headers_policy");
    expect((headers!.security_headers_config as any)).toMatchObject({
      strict_transport_security: { access_control_max_age_sec: 63072000, include_subdomains: true, preload: true, override: true },
      content_security_policy: { content_security_policy: expect.stringContaining("frame-ancestors 'none'"), override: true },
      frame_options: { frame_option: "DENY" },
    });
    const behaviours = [distribution!.default_cache_behavior as any, ...(distribution!.ordered_cache_behavior as any[])];
    for (const behaviour of behaviours) expect(referenced(primary, behaviour.response_headers_policy_id)).toBe(headers);
  });

  it("logs (standard logging v2) to the logs bucket under cloudfront/", () => {
    const [destination] = listOf(primary, "aws_cloudwatch_log_delivery_destination");
    expect((destination!.delivery_destination_configuration as any)[0].destination_resource_arn).toMatch(
      /^\$\{aws_s3_bucket\.storage_logs_bucket_[^.]+\.arn\}\/cloudfront$/,
    );
    expect(listOf(primary, "aws_cloudwatch_log_delivery_source")[0]).toMatchObject({ log_type: "ACCESS_LOGS" });
  });

  it("is reached through alias records of app.<zone>", () => {
    const aliases = listOf(primary, "aws_route53_record").filter((record) => record.name === "app.lma.example.com");
    expect(aliases.map((record) => record.type).sort()).toEqual(["A", "AAAA"]);
  });
});

describe("the API's DNS records", () => {
  it.each([
    ["the primary", primary, "PRIMARY", "us-east-1"],
    ["the standby", standby, "SECONDARY", "eu-west-1"],
  ])("%s writes its own failover record, healthy by its ALB's HealthyHostCount alarms", (_name, json, role, region) => {
    const [record] = listOf(json, "aws_route53_record").filter((candidate) => candidate.name === "api.lma.example.com");
    expect(record).toMatchObject({
      type: "A",
      set_identifier: region,
      failover_routing_policy: { type: role },
      alias: { evaluate_target_health: true },
    });
    expect(referenced(json, (record!.alias as { name: string }).name).name).toBe("lma-production-api");
    const check = referenced(json, record!.health_check_id);
    const alarmChecks = role === "PRIMARY" ? (check.child_healthchecks as string[]).map((child) => referenced(json, child)) : [check];
    const ownAlarms = alarmChecks.filter((child) => child.cloudwatch_alarm_region === region);
    expect(ownAlarms.length).toBeGreaterThan(0);
    for (const child of ownAlarms) {
      expect(child).toMatchObject({ type: "CLOUDWATCH_METRIC", insufficient_data_health_status: "Unhealthy" });
      expect(referenced(json, child.cloudwatch_alarm_name)).toMatchObject({
        namespace: "AWS/ApplicationELB",
        metric_name: "HealthyHostCount",
        comparison_operator: "LessThanThreshold",
        threshold: 1,
        treat_missing_data: "breaching",
      });
    }
  });

  it("is a simple alias without health check in a single-region environment", () => {
    const records = listOf(development, "aws_route53_record").filter((candidate) => candidate.name === "api.dev.lma.example.com");
    expect(records).toEqual([expect.objectContaining({ type: "A", alias: expect.objectContaining({ evaluate_target_health: true }) })]);
    expect(records[0]!.set_identifier).toBeUndefined();
    expect(listOf(development, "aws_route53_health_check")).toEqual([]);
  });

  it("never depends on another region's state: the standby's record names only its own resources", () => {
    const text = JSON.stringify(standby);
    expect(text).not.toContain("terraform_remote_state");
    expect(one(standby, "aws_lb", "name", "lma-production-api")).toBeDefined();
  });
});
