/**
 * The edge: DNS-validated ACM certificates, the CloudFront distribution in front of the static
 * assets and the API, each region's Route 53 record of the API name with its alarm-based health,
 * the disaster-recovery fence, and the secret header that ties the ALBs to CloudFront.
 */
export { ApiRecord, type ApiRecordProps, type ApiRouting, type FenceAlarm } from "./api-record";
export { DnsValidatedCertificate, type DnsValidatedCertificateProps } from "./certificate";
export {
  DEFAULT_CONTENT_SECURITY_POLICY,
  MANAGED_POLICIES,
  type StaticAssetsOrigin,
  WebDistribution,
  type WebDistributionProps,
} from "./distribution";
export { ORIGIN_VERIFY_HEADER, ORIGIN_VERIFY_VARIABLE, type OriginVerifyHeader, originVerifyHeader } from "./origin-verify";
export { FENCE_METRIC, fenceAlarmName, PrimaryFence, type PrimaryFenceProps, RegionHealth, type RegionHealthProps } from "./region-health";

/** The names the edge serves in an environment's hosted zone. */
export function edgeNames(zoneName: string) {
  return {
    /** The web front end (CloudFront). */
    app: `app.${zoneName}`,
    /** The API: failover or latency records of the regional ALBs; CloudFront's API origin. */
    api: `api.${zoneName}`,
  } as const;
}
