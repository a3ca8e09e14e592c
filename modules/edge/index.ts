/**
 * The edge: DNS-validated ACM certificates, the CloudFront distribution in front of the static
 * assets and the API, and each region's Route 53 record of the API name with its health check.
 */
export { ApiRecord, type ApiRecordProps, type ApiRouting } from "./api-record";
export { DnsValidatedCertificate, type DnsValidatedCertificateProps } from "./certificate";
export {
  DEFAULT_CONTENT_SECURITY_POLICY,
  MANAGED_POLICIES,
  type StaticAssetsOrigin,
  WebDistribution,
  type WebDistributionProps,
} from "./distribution";

/** The names the edge serves in an environment's hosted zone. */
export function edgeNames(zoneName: string) {
  return {
    /** The web front end (CloudFront). */
    app: `app.${zoneName}`,
    /** The API: failover or latency records of the regional ALBs; CloudFront's API origin. */
    api: `api.${zoneName}`,
  } as const;
}
