/**
 * Every rule of environments/schema.ts refused with one issue naming the file the person edits
 * and the field. Each case edits a committed environment (or the catalogue) the way an author
 * would; expected paths are built from the configuration, not restated.
 */
import { PRODUCTION_SERVICES } from "../../environments/catalogue";
import { dev } from "../../environments/dev";
import { production } from "../../environments/production";
import { KNOWN_REGIONS } from "../../environments/regions";
import { environmentSchema } from "../../environments/schema";
import { APPLICATION_SECRETS } from "../../environments/secrets";
import { staging } from "../../environments/staging";
import type { EnvironmentConfig, ServiceConfig } from "../../environments/types";
import { type ConfigIssue, validateEnvironment, validateEnvironments } from "../../environments/validate";
import { captureError } from "./support";

const fileOf = (config: EnvironmentConfig) => `environments/${config.name}.ts`;
const RELEASES = "environments/releases.json";
const CATALOGUE = "environments/catalogue.ts";

function edited(config: EnvironmentConfig, change: (draft: any) => void): EnvironmentConfig {
  const draft = structuredClone(config) as any;
  change(draft);
  return draft;
}

const issuesOf = (config: EnvironmentConfig): ConfigIssue[] => validateEnvironment({ file: fileOf(config), config });

/** A production-tier environment with a different name: rules key on the tier, not the name. */
const productionTierStaging = edited(staging, (d) => {
  d.tier = "production";
  // What production's tier needs and staging lacks, except the one field each case breaks:
  // production's availability (a standby region, its data tier) in staging's own network.
  d.regions[0].availabilityZones = ["us-east-1a", "us-east-1b", "us-east-1c"];
  d.regions.push({ ...structuredClone(production.regions[1]), vpcCidr: "10.11.0.0/16", subnets: undefined });
  d.fargateSpot = false;
  for (const section of ["database", "cache", "search", "messaging", "storage"] as const) d[section] = structuredClone(production[section]);
});

const firstService = dev.services[0]!;
const servicePath = (config: EnvironmentConfig, service: ServiceConfig, field: string) => `${config.name}.services.${service.name}.${field}`;
const secretRead = PRODUCTION_SERVICES.find((service) => (service.secrets ?? []).length > 0)!;

type Case = [rule: string, config: EnvironmentConfig, file: string, path: string, message: RegExp];

const environmentCases: Case[] = [
  ["tier is declared", edited(dev, (d) => delete d.tier), fileOf(dev), "dev.tier", /Invalid option/],
  ["an unknown field is refused, not dropped", edited(dev, (d) => (d.deletionProtecton = true)), fileOf(dev), "dev.deletionProtecton", /unknown field/],
  ["the deploy role is an IAM role name", edited(dev, (d) => (d.deployRoleName = "no spaces")), fileOf(dev), "dev.deployRoleName", /IAM role name/],
  ["tags are not empty", edited(dev, (d) => (d.tags.costCenter = " ")), fileOf(dev), "dev.tags.costCenter", /must not be empty/],
  ["log retention is a CloudWatch period", edited(dev, (d) => (d.logRetentionDays = 31)), fileOf(dev), "dev.logRetentionDays", /retention periods \(31\)/],
  ["the DNS zone is a zone name", edited(dev, (d) => (d.dns.zoneName = "dev")), fileOf(dev), "dev.dns.zoneName", /DNS zone name/],
  ["the hosted zone id is a Route 53 id", edited(dev, (d) => (d.dns.hostedZoneId = "zone")), fileOf(dev), "dev.dns.hostedZoneId", /Route 53 zone id/],
  ["off-hours crons are cron()", edited(dev, (d) => (d.offHours.scaleUp = "0 11 * * *")), fileOf(dev), "dev.offHours.scaleUp", /cron/],
  ["the WAF limit is at least 10", edited(dev, (d) => (d.security.wafRateLimitPer5Min = 5)), fileOf(dev), "dev.security.wafRateLimitPer5Min", /≥ 10 \(5\)/],
  ["one primary region", edited(dev, (d) => d.regions.push({ ...d.regions[0], region: "us-east-2", availabilityZones: ["us-east-2a", "us-east-2b"], vpcCidr: "10.21.0.0/16", cloudfrontOriginPrefixListId: undefined })), fileOf(dev), "dev.regions", /exactly one primary region \(found 2\)/],
  ["a region listed twice", edited(production, (d) => { d.regions[1].region = "us-east-1"; d.regions[1].availabilityZones = ["us-east-1a", "us-east-1b", "us-east-1c"]; }), fileOf(production), "production.regions[1].region", /listed twice/],
  ["an AZ of another region", edited(dev, (d) => (d.regions[0].availabilityZones[1] = "eu-west-1b")), fileOf(dev), "dev.regions[0].availabilityZones[1]", /not an AZ of us-east-1/],
  ["an AZ listed twice", edited(dev, (d) => (d.regions[0].availabilityZones = ["us-east-1a", "us-east-1a"])), fileOf(dev), "dev.regions[0].availabilityZones", /lists an AZ twice/],
  ["a VPC prefix outside /16–/20", edited(dev, (d) => (d.regions[0].vpcCidr = "10.20.0.0/24")), fileOf(dev), "dev.regions[0].vpcCidr", /\/16 to \/20/],
  ["a standby outside the production tier", edited(staging, (d) => d.regions.push({ ...d.regions[0], region: "eu-west-1", role: "standby", availabilityZones: ["eu-west-1a", "eu-west-1b"], vpcCidr: "10.11.0.0/16", cloudfrontOriginPrefixListId: undefined }) && (d.database.crossRegionReplica = true)), fileOf(staging), "staging.regions[1].role", /only the production tier/],
  ["a subnet smaller than /28", edited(dev, (d) => { d.regions[0].vpcCidr = "10.20.0.0/20"; d.regions[0].subnets = { public: ["10.20.0.0/28", "10.20.0.16/29"], app: ["10.20.1.0/24", "10.20.2.0/24"], data: ["10.20.8.0/28", "10.20.8.16/28"] }; }), fileOf(dev), "dev.regions[0].subnets.public[1]", /minimum subnet/],
  ["one subnet per AZ", edited(dev, (d) => (d.regions[0].subnets = { public: ["10.20.0.0/24"], app: ["10.20.16.0/20", "10.20.32.0/20"], data: ["10.20.128.0/24", "10.20.129.0/24"] })), fileOf(dev), "dev.regions[0].subnets.public", /one CIDR per AZ \(1 for 2 AZs\)/],
  ["a non-Fargate CPU size", edited(dev, (d) => (d.services[0].cpu = 3)), fileOf(dev), servicePath(dev, firstService, "cpu"), /not a Fargate size/],
  ["memory outside the CPU's range", edited(dev, (d) => (d.services[0].memoryMiB = 1024)), fileOf(dev), servicePath(dev, firstService, "memoryMiB"), /not valid for/],
  ["a secret that is not declared", edited(dev, (d) => (d.services[0].secrets = ["credit-bureau-api-kee"])), fileOf(dev), servicePath(dev, firstService, "secrets[0]"), /unknown secret "credit-bureau-api-kee"/],
  ["a data store of an unknown kind", edited(dev, (d) => (d.services[0].uses = ["databse"])), fileOf(dev), servicePath(dev, firstService, "uses[0]"), /unknown data store "databse"/],
  ["a malformed ALB path", edited(dev, (d) => (d.services[0].paths = ["/api/loans with space"])), fileOf(dev), servicePath(dev, firstService, "paths[0]"), /ALB path pattern/],
  ["a privileged container port", edited(dev, (d) => (d.services[0].containerPort = 80)), fileOf(dev), servicePath(dev, firstService, "containerPort"), /unprivileged port/],
  ["a health check without /", edited(dev, (d) => (d.services[0].healthCheckPath = "health")), fileOf(dev), servicePath(dev, firstService, "healthCheckPath"), /must start with \//],
  ["PostgreSQL 16", edited(dev, (d) => (d.database.engineVersion = "15.4")), fileOf(dev), "dev.database.engineVersion", /PostgreSQL 16/],
  ["io2 needs IOPS", edited(production, (d) => delete d.database.iops), fileOf(production), "production.database.iops", /IOPS ≥ 1000/],
  ["a cross-region replica needs a standby", edited(dev, (d) => (d.database.crossRegionReplica = true)), fileOf(dev), "dev.database.crossRegionReplica", /needs a standby region/],
  ["shards need cluster mode", edited(dev, (d) => (d.cache.shards = 2)), fileOf(dev), "dev.cache.shards", /needs clusterMode/],
  ["Multi-AZ cache needs replicas", edited(staging, (d) => (d.cache.replicasPerShard = 0)), fileOf(staging), "staging.cache.multiAz", /at least one replica/],
  ["at most 5 cache replicas", edited(staging, (d) => (d.cache.replicasPerShard = 6)), fileOf(staging), "staging.cache.replicasPerShard", /at most 5/],
  ["search nodes spread evenly", edited(staging, (d) => (d.search.instanceCount = 3)), fileOf(staging), "staging.search.instanceCount", /multiple of zoneAwarenessAzs/],
  ["search spans at most the primary's AZs", edited(staging, (d) => { d.search.zoneAwarenessAzs = 3; d.search.instanceCount = 3; }), fileOf(staging), "staging.search.zoneAwarenessAzs", /primary region has 2/],
  ["dedicated masters need a type", edited(production, (d) => delete d.search.dedicatedMasterType), fileOf(production), "production.search.dedicatedMasterType", /needed with dedicated masters/],
  ["mq.t3.micro cannot cluster", edited(dev, (d) => (d.messaging.deploymentMode = "CLUSTER_MULTI_AZ")), fileOf(dev), "dev.messaging.instanceType", /cannot run a cluster/],
  ["a maintenance window shorter than an hour", edited(dev, (d) => (d.maintenance.windows[0].end = "09:30")), fileOf(dev), "dev.maintenance.windows[0].end", /at least 60 minutes/],
  ["an account service owner outside create/adopt/external", edited(dev, (d) => (d.accountServices.guardDuty = "import")), fileOf(dev), "dev.accountServices.guardDuty", /Invalid option/],
  ["an HCP backend names its organization", edited(dev, (d) => (d.backend = { type: "hcp", organization: "" })), fileOf(dev), "dev.backend.organization", /organization/],
  ["CI roles are role ARNs", edited(dev, (d) => (d.ci.planRoleArn = "lma-dev-github-plan")), fileOf(dev), "dev.ci.planRoleArn", /IAM role ARN/],
  ["the Datadog external id is 32 hex digits", edited(dev, (d) => (d.datadog.awsIntegrationExternalId = "secret")), fileOf(dev), "dev.datadog.awsIntegrationExternalId", /32 hex digits/],
  // Production-tier invariants, on an environment that is not named production.
  ["the production tier keeps deletion protection", edited(productionTierStaging, (d) => (d.deletionProtection = false)), fileOf(staging), "staging.deletionProtection", /deletion protection on/],
  ["the production tier never scales to zero", edited(productionTierStaging, (d) => (d.offHours = dev.offHours)), fileOf(staging), "staging.offHours", /never scales to zero/],
  ["the production tier runs on-demand", edited(productionTierStaging, (d) => (d.fargateSpot = true)), fileOf(staging), "staging.fargateSpot", /on-demand Fargate/],
  ["the production tier spans three AZs", edited(productionTierStaging, (d) => (d.regions[0].availabilityZones = ["us-east-1a", "us-east-1b"])), fileOf(staging), "staging.regions[0].availabilityZones", /at least 3 AZs/],
  ["the production tier's cache is Multi-AZ", edited(productionTierStaging, (d) => { d.cache.multiAz = false; }), fileOf(staging), "staging.cache.multiAz", /production must be Multi-AZ/],
  ["the production tier's search spans AZs", edited(productionTierStaging, (d) => { d.search.zoneAwarenessAzs = 1; }), fileOf(staging), "staging.search.zoneAwarenessAzs", /must span AZs/],
  ["the production tier's broker is a cluster", edited(productionTierStaging, (d) => (d.messaging.deploymentMode = "SINGLE_INSTANCE")), fileOf(staging), "staging.messaging.deploymentMode", /production must be Multi-AZ/],
  ["the production tier keeps 35 days of backups", edited(productionTierStaging, (d) => (d.database.backupRetentionDays = 14)), fileOf(staging), "staging.database.backupRetentionDays", /35 days/],
  ["the production tier egresses through a NAT per AZ", edited(productionTierStaging, (d) => (d.regions[0].natGateways = "single")), fileOf(staging), "staging.regions[0].natGateways", /NAT gateway per AZ/],
  ["the production tier keeps an in-region read replica", edited(productionTierStaging, (d) => (d.database.readReplicas = 0)), fileOf(staging), "staging.database.readReplicas", /in-region read replica/],
  ["the production tier keeps a cross-region replica", edited(productionTierStaging, (d) => { d.regions.pop(); d.database.crossRegionReplica = false; }), fileOf(staging), "staging.database.crossRegionReplica", /replica in its standby region/],
  ["the production tier runs Redis in cluster mode", edited(productionTierStaging, (d) => (d.cache.clusterMode = false)), fileOf(staging), "staging.cache.clusterMode", /cluster mode/],
  ["the production tier keeps 2 Redis replicas per shard", edited(productionTierStaging, (d) => (d.cache.replicasPerShard = 1)), fileOf(staging), "staging.cache.replicasPerShard", /2 replicas per shard/],
  ["the production tier's search has 3 dedicated masters", edited(productionTierStaging, (d) => (d.search.dedicatedMasterCount = 0)), fileOf(staging), "staging.search.dedicatedMasterCount", /3 dedicated masters/],
  ["the production tier audits DDL, roles and writes", edited(productionTierStaging, (d) => (d.database.auditLog = ["ddl"])), fileOf(staging), "staging.database.auditLog", /audits ddl, role, write/],
  ["the production tier keeps loan documents 7 years", edited(productionTierStaging, (d) => (d.storage.documentsNoncurrentVersionDays = 365)), fileOf(staging), "staging.storage.documentsNoncurrentVersionDays", /7 years/],
  ["pgaudit classes are pgaudit's", edited(dev, (d) => (d.database.auditLog = ["writes"])), fileOf(dev), "dev.database.auditLog[0]", /unknown pgaudit class "writes"/],
  ["an OpenSearch version names a minor", edited(dev, (d) => (d.search.engineVersion = "OpenSearch_2.x")), fileOf(dev), "dev.search.engineVersion", /OpenSearch_<major>\.<minor>/],
  ["the staging tier deploys blue/green", edited(staging, (d) => (d.compute.deployment = { strategy: "rolling" })), fileOf(staging), "staging.compute.deployment.strategy", /staging deploys blue\/green/],
  // Cross-references to releases.json.
  ["an image pin for an unknown service", edited(dev, (d) => (d.release.images = { lone: "1.0.0" })), RELEASES, "dev.images.lone", /unknown service/],
  ["a release version that is no image tag", edited(dev, (d) => (d.release.version = "2026 11")), RELEASES, "dev.version", /valid image tag/],
  ["a function version that is not semantic", edited(dev, (d) => (d.release.functions["email-notifier"] = "latest")), RELEASES, "dev.functions.email-notifier", /semantic version/],
  ["an environment missing from releases.json", edited(dev, (d) => delete d.release), RELEASES, "dev", /has no release pins/],
];

describe("every rule names the file and the field", () => {
  it("the committed environments are valid", () => {
    for (const config of [dev, staging, production]) expect(issuesOf(config)).toEqual([]);
  });

  it.each(environmentCases)("%s", (_rule, config, file, path, message) => {
    const issues = issuesOf(config);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toEqual({ file, path, message: expect.stringMatching(message) });
  });
});

describe("the production tier is isolated from the other environments", () => {
  it("an account shared with production is one issue against the production-tier file", () => {
    const environments = [dev, edited(staging, (d) => (d.accountId = production.accountId)), production].map((config) => ({ file: fileOf(config), config }));
    const error = captureError(() => validateEnvironments(environments));
    expect(error.issues).toEqual([
      { file: fileOf(production), path: "production.accountId", message: expect.stringMatching(new RegExp(`also staging's account \\(${fileOf(staging)}\\)`)) },
    ]);
  });

  it("the committed environments each have an account of their own", () => {
    expect(() => validateEnvironments([dev, staging, production].map((config) => ({ file: fileOf(config), config })))).not.toThrow();
  });
});

describe("the catalogue and the secrets are reported where they are declared, once", () => {
  it("a catalogue problem found through every environment is one issue against catalogue.ts", () => {
    const mistake = (d: any) => (d.services.find((service: ServiceConfig) => service.name === secretRead.name).secrets = ["no-such-secret"]);
    const environments = [dev, staging, production].map((config) => ({ file: fileOf(config), config: edited(config, mistake) }));
    const catalogue = { file: CATALOGUE, services: edited({ services: PRODUCTION_SERVICES } as any, mistake).services };
    const error = captureError(() =>
      validateEnvironments(environments, { catalogue, secrets: { file: "environments/secrets.ts", names: Object.keys(APPLICATION_SECRETS) } }),
    );
    const misspelt = error.issues.filter((issue) => issue.message.includes("no-such-secret"));
    expect(misspelt).toEqual([
      { file: CATALOGUE, path: `PRODUCTION_SERVICES.${secretRead.name}.secrets[0]`, message: expect.stringMatching(/unknown secret/) },
    ]);
    // The secret the typo replaced is read by nobody now: reported against secrets.ts, not dropped.
    const orphaned = secretRead.secrets!.filter((name) => !PRODUCTION_SERVICES.some((other) => other !== secretRead && other.secrets?.includes(name)));
    expect(error.issues.filter((issue) => issue.file === "environments/secrets.ts").map((issue) => issue.path)).toEqual(
      orphaned.map((name) => `APPLICATION_SECRETS.${name}`),
    );
  });

  it("a parsed environment carries exactly the declared secrets its services read", () => {
    for (const config of [dev, staging, production]) {
      const read = new Set(config.services.flatMap((service) => service.secrets ?? []));
      expect(config.applicationSecrets.map((secret) => secret.name).sort()).toEqual([...read].sort());
      for (const secret of config.applicationSecrets) {
        expect(secret).toEqual({ name: secret.name, ...APPLICATION_SECRETS[secret.name as keyof typeof APPLICATION_SECRETS] });
      }
    }
  });
});

describe("defaults the schema fills", () => {
  it.each([dev, staging, production])("$name: CI roles in its account, prefix lists from the region table, account services declared", (config) => {
    expect(config.ci.planRoleArn).toBe(`arn:aws:iam::${config.accountId}:role/lma-${config.name}-github-plan`);
    expect(config.ci.applyRoleArn).toBe(`arn:aws:iam::${config.accountId}:role/lma-${config.name}-github-apply`);
    for (const region of config.regions) {
      expect(region.cloudfrontOriginPrefixListId).toBe(KNOWN_REGIONS[region.region].cloudfrontOriginPrefixListId);
    }
    expect(Object.values(config.accountServices).every((owner) => ["create", "adopt", "external"].includes(owner))).toBe(true);
    expect(config.backend.type).toBe("s3");
  });

  it("a parsed configuration parses again to itself", () => {
    for (const config of [dev, staging, production]) expect(environmentSchema.parse(config)).toEqual(config);
  });
});
