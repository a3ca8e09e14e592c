import type { ServiceConfig } from "./types";

/**
 * The platform's services at production size. Environments derive their own
 * catalogue from this one (`sizedFor`), so a service added here appears everywhere with its
 * task definition, service, routing, scaling, repository, role, logs, monitors and on-call path.
 */
export const PRODUCTION_SERVICES: readonly ServiceConfig[] = [
  {
    name: "loan", cpu: 2, memoryMiB: 4096, desiredCount: 3, autoscaling: { min: 2, max: 10 },
    paths: ["/api/loans", "/api/loans/*"],
    secrets: ["credit-bureau-api-key"], uses: ["database", "cache", "queue", "search"],
  },
  {
    name: "document", cpu: 2, memoryMiB: 4096, desiredCount: 3,
    autoscaling: { min: 2, max: 10, queueMessagesPerTask: 20, queueScaleInMessagesPerTask: 5 },
    paths: ["/api/documents", "/api/documents/*"],
    secrets: ["esignature-api-key"], uses: ["database", "queue", "documents"],
  },
  {
    name: "trade", cpu: 4, memoryMiB: 8192, desiredCount: 3, autoscaling: { min: 2, max: 10 },
    paths: ["/api/trades", "/api/trades/*"],
    secrets: ["market-data-api-key"], uses: ["database", "cache", "queue"],
  },
  {
    name: "analytics", cpu: 2, memoryMiB: 4096, desiredCount: 2, autoscaling: { min: 2, max: 10 },
    paths: ["/api/analytics", "/api/analytics/*"],
    spotEligible: true, uses: ["database", "search"],
  },
  {
    name: "auth", cpu: 1, memoryMiB: 2048, desiredCount: 2, autoscaling: { min: 2, max: 10 },
    paths: ["/api/auth", "/api/auth/*"],
    secrets: ["identity-provider-client-secret"], uses: ["database", "cache"],
  },
  {
    name: "notification", cpu: 1, memoryMiB: 2048, desiredCount: 2,
    autoscaling: { min: 2, max: 10, queueMessagesPerTask: 30, queueScaleInMessagesPerTask: 10 },
    paths: ["/api/notifications", "/api/notifications/*"],
    secrets: ["email-provider-api-key", "sms-provider-api-key"], uses: ["queue"],
  },
];

/** The catalogue with every service's task counts set for a smaller environment. */
export function sizedFor(
  services: readonly ServiceConfig[],
  size: { desiredCount: number; min: number; max: number },
): ServiceConfig[] {
  return services.map((service) => ({
    ...service,
    desiredCount: size.desiredCount,
    autoscaling: { ...service.autoscaling, min: size.min, max: size.max },
  }));
}
