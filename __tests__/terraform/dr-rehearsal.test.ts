/**
 * `npm run dr:rehearse` (tooling/dr-rehearsal.ts) on production: both modes plan offline, and the
 * failover planned against a state made from the standby plan is a resize and a promotion, never a
 * replacement of data or a change the us-east-1 control planes would have to make.
 */
import { production } from "../../environments/production";
import { dataServiceSizesOf, standbyRegionOf } from "../../lib/disaster-recovery";
import { STATEFUL_RESOURCE_TYPES } from "../../lib/stateful-resources";
import { CONTROL_PLANE_PREFIXES, type FailoverChange, failoverConfiguration, formatReport, rehearseFailover, type RehearsalReport, violationsOf } from "../../tooling/dr-rehearsal";
import { findTerraform } from "../../tooling/terraform-harness";

const terraform = findTerraform();
const standbyRegion = standbyRegionOf(production)!;

describe("the rehearsal's verdict", () => {
  const change = (kind: FailoverChange["kind"], type: string, stateful?: string): FailoverChange => ({ address: `${type}.example`, type, kind, attributes: ["kms_key_id"], ...(stateful ? { stateful } : {}) });

  it("refuses a replaced or destroyed stateful resource, and any change to a us-east-1 control-plane resource", () => {
    const database = STATEFUL_RESOURCE_TYPES.aws_db_instance;
    expect(violationsOf([change("replace", "aws_db_instance", database)])).toEqual([expect.stringContaining("replace aws_db_instance.example")]);
    expect(violationsOf([change("delete", "aws_db_instance", database)])).toHaveLength(1);
    for (const prefix of CONTROL_PLANE_PREFIXES) expect(violationsOf([change("update", `${prefix}thing`)])).toHaveLength(1);
  });

  it("accepts resizes, in-place updates and creations, and replacing what holds no data", () => {
    expect(violationsOf([change("resize", "aws_db_instance", STATEFUL_RESOURCE_TYPES.aws_db_instance), change("update", "aws_lambda_function"), change("create", "aws_sns_topic"), change("replace", "aws_lambda_permission")])).toEqual([]);
  });

  it("rehearses the one edit the runbook makes: the standby region becomes the active one", () => {
    expect(failoverConfiguration(production).disasterRecovery.activeRegion).toBe(standbyRegion);
  });
});

if (!terraform && process.env.CI !== "true") {
  it.skip("dr:rehearse on real plans: skipped, no terraform binary", () => {});
} else {
  describe(`dr:rehearse on production's ${standbyRegion} stack`, () => {
    let report: RehearsalReport;
    beforeAll(async () => {
      if (!terraform) throw new Error("the rehearsal needs a terraform binary in CI");
      report = await rehearseFailover({ terraform });
    }, 900_000);

    const ofType = (type: string) => report.changes.filter((change) => change.type === type);

    it("plans both modes offline and finds failover safe: nothing stateful replaced or destroyed, no IAM or Route 53 change", () => {
      expect(report.planned.standby).toBeGreaterThan(0);
      expect(report.planned.failover).toBeGreaterThan(0);
      expect(report.violations).toEqual([]);
      expect(report.changes.filter((change) => change.stateful && (change.kind === "replace" || change.kind === "delete"))).toEqual([]);
      expect(report.changes.filter((change) => CONTROL_PLANE_PREFIXES.some((prefix) => change.type.startsWith(prefix)))).toEqual([]);
      expect(formatReport(report)).toContain("OK: nothing stateful replaced or destroyed");
    });

    it("promotes the replica in place (its source dropped) and raises the fence", () => {
      expect(ofType("aws_db_instance")).toEqual([expect.objectContaining({ kind: "update", attributes: expect.arrayContaining(["replicate_source_db", "multi_az", "backup_retention_period"]) })]);
      expect(ofType("aws_cloudwatch_metric_alarm")).toContainEqual(expect.objectContaining({ kind: "update", attributes: ["treat_missing_data"] }));
    });

    it("raises every service's floor to the catalogue's count, as a resize", () => {
      const targets = ofType("aws_appautoscaling_target").filter((change) => change.address.includes("autoscaling_target"));
      expect(targets).toHaveLength(production.services.length);
      for (const target of targets) expect(target).toMatchObject({ kind: "resize", attributes: ["min_capacity"] });
    });

    it("resizes the data services whose standby size differs, in place", () => {
      const failover = failoverConfiguration(production);
      const sizes = { standby: dataServiceSizesOf(production, standbyRegion), active: dataServiceSizesOf(failover, standbyRegion) };
      const resized = [
        ["aws_elasticache_replication_group", JSON.stringify(sizes.standby.cache) !== JSON.stringify(sizes.active.cache)],
        ["aws_opensearch_domain", JSON.stringify(sizes.standby.search) !== JSON.stringify(sizes.active.search)],
        ["aws_mq_broker", JSON.stringify(sizes.standby.messaging) !== JSON.stringify(sizes.active.messaging)],
      ] as const;
      for (const [type, differs] of resized) {
        if (differs) expect(ofType(type)).toEqual([expect.objectContaining({ kind: expect.stringMatching(/^(update|resize)$/) })]);
        else expect(ofType(type)).toEqual([]);
      }
    });
  });
}
