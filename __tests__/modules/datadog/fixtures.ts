import { Testing } from "cdktf";
import type { Construct } from "constructs";
import type { AlertRouting, MonitoredPlatform } from "../../../modules/datadog";

export type Body = Record<string, any>;

/** Synthesizes what `build` adds to a scope and returns its resources of `type`, by name. */
export function synthesized(build: (scope: Construct) => void): { resources: (type: string) => Record<string, Body>; json: Body } {
  const json = JSON.parse(Testing.synthScope(build)) as Body;
  return { json, resources: (type) => (json.resource?.[type] ?? {}) as Record<string, Body> };
}

export const tagsOf = (resource: Body): Record<string, string> =>
  Object.fromEntries((resource.tags as string[]).map((tag) => tag.split(/:(.*)/s).slice(0, 2)));

export const routing: AlertRouting = {
  pagerDutyServices: { api: "lma-test-api", data: "lma-test-data", edge: "lma-test-edge" },
  slackAccount: "lma-test",
  slackChannels: { high: "test-alerts", medium: "test-warnings" },
  lowSeverityEmail: "alerts@test.example.com",
};

export const RUNBOOKS = "https://runbooks.test.example.com";

/** Two services, one consuming a queue; a database with a read replica and a DR replica; one function. */
export const platform: MonitoredPlatform = {
  environment: "test",
  cluster: "lma-test",
  loadBalancer: "lma-test",
  services: [
    { name: "loan", ecsServiceName: "lma-test-loan", targetGroupName: "lma-test-loan", maxTasks: 4 },
    { name: "document", ecsServiceName: "lma-test-document", targetGroupName: "lma-test-document", maxTasks: 6, queue: { name: "document", messagesPerTask: 20 } },
  ],
  database: {
    identifier: "lma-test-postgres",
    allocatedStorageGiB: 100,
    readReplicas: ["lma-test-postgres-replica-1"],
    drReplica: { identifier: "lma-test-postgres", region: "eu-west-1" },
  },
  cache: { replicationGroupId: "lma-test-redis" },
  search: { domainName: "lma-test-search", volumeSizeGiB: 50 },
  broker: { name: "lma-test-rabbitmq" },
  functions: ["lma-test-document-processor"],
  sqsQueues: ["lma-test-email-notifications"],
};
