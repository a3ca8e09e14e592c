import { dev } from "../../environments/dev";
import { production } from "../../environments/production";
import { staging } from "../../environments/staging";
import type { EnvironmentConfig } from "../../environments/types";
import { type ConfigIssue, validateEnvironment } from "../../environments/validate";

/** Issues of an environment after one edit, as a config author would make it. */
function issuesAfter(config: EnvironmentConfig, change: (draft: any) => void): ConfigIssue[] {
  const draft = structuredClone(config);
  change(draft);
  return validateEnvironment({ file: `environments/${config.name}.ts`, config: draft });
}

describe("storage and function configuration", () => {
  it("the committed environments pass", () => {
    for (const config of [dev, staging, production]) {
      expect(validateEnvironment({ file: `environments/${config.name}.ts`, config })).toEqual([]);
    }
  });

  it.each<[string, EnvironmentConfig, (draft: any) => void, string, RegExp]>([
    [
      "production logs in governance mode",
      production,
      (d) => (d.storage.logsObjectLock.mode = "GOVERNANCE"),
      "production.storage.logsObjectLock.mode",
      /COMPLIANCE mode/,
    ],
    [
      "production logs kept under 7 years",
      production,
      (d) => (d.storage.logsObjectLock.years = 5),
      "production.storage.logsObjectLock.years",
      /7 years \(5\)/,
    ],
    ["an unknown lock mode", dev, (d) => (d.storage.logsObjectLock.mode = "LEGAL"), "dev.storage.logsObjectLock.mode", /COMPLIANCE or GOVERNANCE/],
    [
      "a pinned function without sizing",
      staging,
      (d) => delete d.functions["email-notifier"],
      "staging.functions.email-notifier",
      /pinned in release\.functions but has no sizing/,
    ],
    [
      "memory above Lambda's maximum",
      production,
      (d) => (d.functions["document-processor"].memoryMiB = 20480),
      "production.functions.document-processor.memoryMiB",
      /128–10240 MiB \(20480\)/,
    ],
    [
      "a timeout above 15 minutes",
      dev,
      (d) => (d.functions["scheduled-jobs"].timeoutSeconds = 1200),
      "dev.functions.scheduled-jobs.timeoutSeconds",
      /1–900 s \(1200\)/,
    ],
    [
      "reserved concurrency 0",
      production,
      (d) => (d.functions["email-notifier"].reservedConcurrency = 0),
      "production.functions.email-notifier.reservedConcurrency",
      /0 would stop the function/,
    ],
    [
      "a schedule that is not an expression",
      production,
      (d) => (d.functions["scheduled-jobs"].schedules["loan-interest-accrual"] = "0 1 * * *"),
      "production.functions.scheduled-jobs.schedules.loan-interest-accrual",
      /must be cron\(\.\.\.\) or rate/,
    ],
  ])("rejects %s, naming the file and the field", (_, config, change, path, message) => {
    const issues = issuesAfter(config, change);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: `environments/${config.name}.ts`, path });
    expect(issues[0]!.message).toMatch(message);
  });

  it("rejects sizing for a function that has no artifact pin", () => {
    const issues = issuesAfter(dev, (d) => (d.functions["pdf-renderer"] = { memoryMiB: 512, timeoutSeconds: 30, reservedConcurrency: 1 }));
    expect(issues.map((issue) => issue.path)).toEqual(["dev.functions.pdf-renderer"]);
    expect(issues[0]!.message).toMatch(/no artifact version in release\.functions/);
  });
});

describe("the standby region's database", () => {
  it("requires the cross-region replica when a standby region exists", () => {
    const issues = issuesAfter(production, (d) => (d.database.crossRegionReplica = false));
    expect(issues.map((issue) => [issue.path, issue.message])).toContainEqual([
      "production.database.crossRegionReplica",
      "a standby region needs the cross-region replica to take over",
    ]);
  });

  it("accepts failover in production: the standby region becomes the active one (one setting)", () => {
    const standby = production.regions.find((region) => region.role === "standby")!.region;
    expect(issuesAfter(production, (d) => (d.disasterRecovery.activeRegion = standby))).toEqual([]);
  });

  it("refuses an active region the environment does not have", () => {
    const issues = issuesAfter(dev, (d) => (d.disasterRecovery = { activeRegion: "eu-west-1" }));
    expect(issues).toEqual([{ file: "environments/dev.ts", path: "dev.disasterRecovery.activeRegion", message: expect.stringMatching(/not a region of this environment/) }]);
  });
});
