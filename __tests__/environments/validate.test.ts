import { dev } from "../../environments/dev";
import { production } from "../../environments/production";
import { staging } from "../../environments/staging";
import type { EnvironmentConfig } from "../../environments/types";
import {
  type ConfigIssue,
  type SourcedEnvironment,
  validateEnvironment,
  validateEnvironments,
} from "../../environments/validate";
import { captureError } from "./support";

const sourced = (config: EnvironmentConfig): SourcedEnvironment => ({ file: `environments/${config.name}.ts`, config });
const all = () => [sourced(dev), sourced(staging), sourced(production)];

/** A deep copy of an environment with one change applied, as a config author would make it. */
function edited(config: EnvironmentConfig, change: (draft: any) => void): EnvironmentConfig {
  const draft = structuredClone(config);
  change(draft);
  return draft;
}

function issuesOf(config: EnvironmentConfig): ConfigIssue[] {
  return validateEnvironment(sourced(config));
}

describe("the committed environments", () => {
  it("are valid, each on its own and together", () => {
    for (const environment of all()) expect(validateEnvironment(environment)).toEqual([]);
    expect(() => validateEnvironments(all())).not.toThrow();
  });
});

describe("invalid configuration: one issue naming the file and the field", () => {
  const cases: [string, EnvironmentConfig, string, RegExp][] = [
    [
      "overlapping subnets within a VPC",
      edited(staging, (d) => {
        d.regions[0].subnets = {
          public: ["10.10.0.0/24", "10.10.1.0/24"],
          app: ["10.10.1.0/24", "10.10.32.0/20"],
          data: ["10.10.128.0/24", "10.10.129.0/24"],
        };
      }),
      "staging.regions[0].subnets.app[0]",
      /10\.10\.1\.0\/24 overlaps staging\.regions\[0\]\.subnets\.public\[1\]/,
    ],
    [
      "overlapping VPCs across regions",
      edited(production, (d) => {
        d.regions[1].vpcCidr = "10.0.0.0/16";
      }),
      "production.regions[1].vpcCidr",
      /overlaps production\.regions\[0\]\.vpcCidr/,
    ],
    [
      "autoscaling min above max",
      edited(production, (d) => {
        d.services[2].autoscaling = { min: 12, max: 10 };
        d.services[2].desiredCount = 11;
      }),
      "production.services.trade.autoscaling.max",
      /must be ≥ min \(10 < 12\)/,
    ],
    [
      "desired count outside [min, max]",
      edited(staging, (d) => {
        d.services[0].desiredCount = 7;
      }),
      "staging.services.loan.desiredCount",
      /within autoscaling \[min, max\] = \[2, 4\] \(7\)/,
    ],
    [
      "production database not Multi-AZ",
      edited(production, (d) => {
        d.database.multiAz = false;
      }),
      "production.database.multiAz",
      /production must be Multi-AZ/,
    ],
    [
      "an unknown region",
      edited(dev, (d) => {
        d.regions[0].region = "us-east-9";
        d.regions[0].availabilityZones = ["us-east-9a", "us-east-9b"];
      }),
      "dev.regions[0].region",
      /unknown region "us-east-9"/,
    ],
    [
      "a subnet outside its VPC",
      edited(dev, (d) => {
        d.regions[0].subnets = {
          public: ["10.20.0.0/24", "10.20.1.0/24"],
          app: ["10.20.16.0/20", "10.99.32.0/20"],
          data: ["10.20.128.0/24", "10.20.129.0/24"],
        };
      }),
      "dev.regions[0].subnets.app[1]",
      /10\.99\.32\.0\/20 is outside the VPC 10\.20\.0\.0\/16/,
    ],
    [
      "a duplicate service",
      edited(dev, (d) => {
        d.services.push({ ...d.services[0] , paths: ["/api/loans-v2"] });
      }),
      "dev.services.loan.name",
      /duplicate service "loan"/,
    ],
    [
      "an empty service list",
      edited(dev, (d) => {
        d.services = [];
      }),
      "dev.services",
      /at least one service/,
    ],
    [
      "a malformed account id",
      edited(staging, (d) => {
        d.accountId = "4000-0000-0002";
      }),
      "staging.accountId",
      /must be 12 digits/,
    ],
    [
      "memory that Fargate does not offer for the CPU",
      edited(production, (d) => {
        d.services[5].memoryMiB = 1536;
      }),
      "production.services.notification.memoryMiB",
      /1536 MiB is not valid for 1 vCPU/,
    ],
    [
      "a VPC CIDR that is not a network address",
      edited(dev, (d) => {
        d.regions[0].vpcCidr = "10.20.1.0/16";
      }),
      "dev.regions[0].vpcCidr",
      /not an IPv4 CIDR on its network boundary/,
    ],
    [
      "a storage ceiling below the allocated storage",
      edited(production, (d) => {
        d.database.maxAllocatedStorageGiB = 400;
      }),
      "production.database.maxAllocatedStorageGiB",
      /must be ≥ allocatedStorageGiB \(400 < 500\)/,
    ],
    [
      "production's primary region with two AZs",
      edited(production, (d) => {
        d.regions[0].availabilityZones = ["us-east-1a", "us-east-1b"];
      }),
      "production.regions[0].availabilityZones",
      /needs at least 3 AZs \(found 2\)/,
    ],
    [
      "a path routed to two services",
      edited(dev, (d) => {
        d.services[1].paths = ["/api/loans"];
      }),
      "dev.services.document.paths[0]",
      /"\/api\/loans" is already routed to loan/,
    ],
  ];

  it.each(cases)("%s", (_kind, config, path, message) => {
    const issues = issuesOf(config);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toEqual({ file: `environments/${config.name}.ts`, path, message: expect.stringMatching(message) });
  });
});

describe("validateEnvironments", () => {
  it("reports VPCs that overlap across environments, naming both files", () => {
    const clash = edited(staging, (d) => {
      d.regions[0].vpcCidr = "10.20.0.0/16";
    });
    const error = captureError(() => validateEnvironments([sourced(dev), sourced(clash), sourced(production)]));
    expect(error.issues).toEqual([
      {
        file: "environments/staging.ts",
        path: "staging.regions[0].vpcCidr",
        message: "10.20.0.0/16 overlaps dev.regions[0].vpcCidr (environments/dev.ts)",
      },
    ]);
  });

  it("reports every problem at once, one line each, before anything is synthesized", () => {
    const broken = edited(dev, (d) => {
      d.accountId = "12345";
      d.services[0].autoscaling = { min: 3, max: 1 };
    });
    const error = captureError(() => validateEnvironments([sourced(broken)]));
    expect(error.message.split("\n")).toEqual([
      "Invalid configuration (2 problems); nothing was synthesized:",
      '  - environments/dev.ts: dev.accountId: must be 12 digits ("12345")',
      "  - environments/dev.ts: dev.services.loan.autoscaling.max: must be ≥ min (1 < 3)",
    ]);
  });
});
