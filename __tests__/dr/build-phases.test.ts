import { Testing } from "cdktf";
import { production } from "../../environments/production";
import { BUILD_PHASES, disasterRecoveryOf, homeRegionOf, stackAppliedIn } from "../../lib/disaster-recovery";
import { Naming } from "../../lib/naming";
import { serviceNames } from "../../modules/ecs";
import { RegionalStack } from "../../stacks/regional-stack";
import { listOf, type SynthesizedStack } from "../support/synth";
import { productionWith, standbyRegion, synthRegion } from "./modes";

/**
 * Building production from nothing (lib/disaster-recovery.ts `BUILD_PHASES`): the standby's
 * foundation, then the primary, then the complete standby. The foundation must hold everything
 * the primary's stack names in the standby region (so phase 2 finds it) and nothing that needs
 * the primary (so phase 1 applies before it exists); phase 3 only adds to it.
 */
const home = homeRegionOf(production);
const standbyNaming = new Naming(production.name, standbyRegion, production.accountId);
const inPhase = (buildPhase: (typeof BUILD_PHASES)[number]) => productionWith({ buildPhase });

const foundation = synthRegion(inPhase("standby-foundation"), standbyRegion);
const complete = synthRegion(production, standbyRegion);
const primary = synthRegion(inPhase("primary"), home);

type Body = Record<string, any>;
const addresses = (json: SynthesizedStack) =>
  Object.entries(json.resource).flatMap(([type, byName]) => Object.keys(byName as object).map((name) => `${type}.${name}`));
const body = (json: SynthesizedStack, address: string): Body => {
  const [type, name] = address.split(".") as [string, string];
  return (json.resource[type] as Record<string, Body>)[name]!;
};
const declared = (json: SynthesizedStack, type: string, attribute: string) => listOf(json, type).map((resource) => resource[attribute] as string);

describe("the phase setting", () => {
  it("leaves the standby declaring its foundation in the first two phases, and the primary always complete", () => {
    for (const phase of BUILD_PHASES) {
      expect(disasterRecoveryOf(inPhase(phase), standbyRegion).declares).toBe(phase === "complete" ? "complete" : "foundation");
      expect(disasterRecoveryOf(inPhase(phase), home).declares).toBe("complete");
    }
  });

  it.each(BUILD_PHASES.map((phase) => [phase] as const))("%s: the stack it applies synthesizes without an error annotation", (phase) => {
    const environment = inPhase(phase);
    const region = environment.regions.find((candidate) => candidate.region === stackAppliedIn(environment, phase))!;
    // fullSynth runs cdktf's validations (e.g. a role with an empty policy), which Testing.synth skips.
    expect(() => Testing.fullSynth(new RegionalStack(Testing.app(), environment, region))).not.toThrow();
  });

  it("never changes the primary's stack", () => {
    for (const phase of BUILD_PHASES) expect(synthRegion(inPhase(phase), home)).toEqual(primary);
  });
});

describe(`the ${standbyRegion} foundation (phase 1)`, () => {
  it("names nothing in the primary's region", () => {
    const text = JSON.stringify(foundation);
    expect(text).not.toContain(`:${home}:`);
    expect(text).not.toContain(`"${home}"`);
    // The complete standby does (its replica's source), so the check can fail.
    expect(JSON.stringify(complete)).toContain(`:${home}:`);
  });

  it("has no replica, backup copy, store or serving resource: the complete phase adds them", () => {
    const later = [
      "aws_db_instance",
      "aws_db_instance_automated_backups_replication",
      "aws_elasticache_replication_group",
      "aws_opensearch_domain",
      "aws_mq_broker",
      "aws_lambda_function",
      "aws_ecs_cluster",
      "aws_ecs_service",
      "aws_lb",
      "aws_route53_record",
      "aws_route53_health_check",
    ];
    for (const type of later) {
      expect([type, listOf(complete, type).length > 0]).toEqual([type, true]);
      expect([type, listOf(foundation, type)]).toEqual([type, []]);
    }
  });

  it("declares everything the primary's stack names in the standby region", () => {
    const text = JSON.stringify(primary);
    const arns = [...new Set([...text.matchAll(new RegExp(`arn:aws:([a-z0-9-]+):${standbyRegion}:${production.accountId}:([^"\\\\]+)`, "g"))].map((match) => match[0]))];
    expect(arns.length).toBeGreaterThan(0);
    for (const arn of arns) {
      const [, service, resource] = new RegExp(`^arn:aws:([a-z0-9-]+):${standbyRegion}:\\d+:(.+)$`).exec(arn)!;
      if (resource!.endsWith("*")) continue; // a policy's pattern, not a resource the primary needs
      if (service === "kms") expect([arn, declared(foundation, "aws_kms_alias", "name")]).toEqual([arn, expect.arrayContaining([resource])]);
      else if (service === "sns") expect([arn, declared(foundation, "aws_sns_topic", "name")]).toEqual([arn, expect.arrayContaining([resource])]);
      else throw new Error(`the primary names ${arn}: say which phase declares it (and test it here)`);
    }
    const buckets = [...new Set([...text.matchAll(new RegExp(`arn:aws:s3:::([a-z0-9.-]*${standbyRegion}[a-z0-9.-]*)`, "g"))].map((match) => match[1]!))];
    expect(buckets.length).toBeGreaterThan(0);
    expect(declared(foundation, "aws_s3_bucket", "bucket")).toEqual(expect.arrayContaining(buckets));

    const fences = listOf(primary, "aws_route53_health_check").filter((check) => check.cloudwatch_alarm_region === standbyRegion);
    expect(fences.length).toBeGreaterThan(0);
    expect(declared(foundation, "aws_cloudwatch_metric_alarm", "alarm_name")).toEqual(expect.arrayContaining(fences.map((check) => check.cloudwatch_alarm_name)));

    const replicatedImages = listOf(primary, "aws_ecr_replication_configuration").flatMap((configuration) =>
      ((configuration.replication_configuration as Body).rule as Body[]).flatMap((rule) => rule.destination as Body[]),
    );
    expect(replicatedImages.map((destination) => destination.region)).toContain(standbyRegion);
    expect(declared(foundation, "aws_ecr_repository", "name").sort()).toEqual(production.services.map((service) => serviceNames(standbyNaming, service.name).repository).sort());
  });

  it("is a part of the complete standby: same addresses, and the same repositories, buckets, keys' aliases, topics and fence", () => {
    const completeAddresses = new Set(addresses(complete));
    expect(addresses(foundation).filter((address) => !completeAddresses.has(address))).toEqual([]);
    const identical = ["aws_ecr_repository", "aws_ecr_lifecycle_policy", "aws_s3_bucket", "aws_kms_alias", "aws_sns_topic", "aws_cloudwatch_metric_alarm"];
    for (const address of addresses(foundation).filter((candidate) => identical.includes(candidate.split(".")[0]!))) {
      expect([address, body(foundation, address)]).toEqual([address, body(complete, address)]);
    }
    expect(Object.keys(foundation.output ?? {}).filter((name) => !(name in (complete.output ?? {})))).toEqual([]);
  });
});
