import { Testing } from "cdktf";
import { production } from "../../../environments/production";
import { ref, resourceAt, SecurityFixtureStack, statement, synthFixture } from "./fixture";

const ACCOUNT = production.accountId;
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/lma-production-trail`;
const { json, stack } = synthFixture(production, 0);
const standby = synthFixture(production, 1).json;
const bucketArn = ref(json, "aws_s3_bucket", "logs/bucket", "arn");

describe("CloudTrail", () => {
  it("is one multi-region trail with log-file validation, KMS and the CloudWatch copy", () => {
    expect(resourceAt(json, "aws_cloudtrail", "security/audit-trail/cloudtrail")).toMatchObject({
      name: "lma-production-trail",
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_log_file_validation: true,
      enable_logging: true,
      kms_key_id: ref(json, "aws_kms_key", "security/keys/logs/key", "arn"),
      s3_bucket_name: ref(json, "aws_s3_bucket", "logs/bucket", "bucket"),
      s3_key_prefix: "cloudtrail",
      cloud_watch_logs_group_arn: `${ref(json, "aws_cloudwatch_log_group", "security/audit-trail/log-group/group", "arn")}:*`,
      cloud_watch_logs_role_arn: ref(json, "aws_iam_role", "security/audit-trail/cloudwatch-role/role", "arn"),
    });
    expect(stack.security.auditTrail?.trailArn).toBe(TRAIL_ARN);
  });

  it("records management events and S3 object events of every bucket but its own", () => {
    expect(resourceAt(json, "aws_cloudtrail", "security/audit-trail/cloudtrail").advanced_event_selector).toEqual([
      { name: "All management events", field_selector: [{ field: "eventCategory", equals: ["Management"] }] },
      {
        name: "S3 object-level events, except the trail's own bucket",
        field_selector: [
          { field: "eventCategory", equals: ["Data"] },
          { field: "resources.type", equals: ["AWS::S3::Object"] },
          { field: "resources.ARN", not_starts_with: [`${bucketArn}/`] },
        ],
      },
    ]);
  });

  it("may write to the logs bucket only as this trail, only under cloudtrail/AWSLogs/<account>/", () => {
    const policy = resourceAt(json, "aws_s3_bucket_policy", "logs/policy").policy;
    expect(statement(policy, "AuditTrailWrite")).toEqual({
      Sid: "AuditTrailWrite",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${bucketArn}/cloudtrail/AWSLogs/${ACCOUNT}/*`,
      Condition: { StringEquals: { "aws:SourceArn": TRAIL_ARN, "s3:x-amz-acl": "bucket-owner-full-control" } },
    });
    expect(statement(policy, "AuditTrailAclCheck")).toMatchObject({
      Action: "s3:GetBucketAcl",
      Resource: bucketArn,
      Condition: { StringEquals: { "aws:SourceArn": TRAIL_ARN } },
    });
    expect(resourceAt(json, "aws_cloudtrail", "security/audit-trail/cloudtrail").depends_on).toContain(
      `aws_s3_bucket_policy.${Object.keys(json.resource.aws_s3_bucket_policy!)[0]}`,
    );
  });

  it("may encrypt with the logs key only as this trail", () => {
    const policy = resourceAt(json, "aws_kms_key", "security/keys/logs/key").policy;
    expect(statement(policy, "CloudTrailEncryptTrail")).toEqual({
      Sid: "CloudTrailEncryptTrail",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: ["kms:GenerateDataKey*"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceArn": TRAIL_ARN },
        StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*` },
      },
    });
  });

  it("copies to /lma/<env>/cloudtrail (logs key, the environment's retention) through a role only this trail assumes", () => {
    expect(resourceAt(json, "aws_cloudwatch_log_group", "security/audit-trail/log-group/group")).toMatchObject({
      name: "/lma/production/cloudtrail",
      retention_in_days: 365,
      kms_key_id: ref(json, "aws_kms_key", "security/keys/logs/key", "arn"),
    });
    const role = resourceAt(json, "aws_iam_role", "security/audit-trail/cloudwatch-role/role");
    expect(role.name).toBe("lma-production-use1-cloudtrail-to-logs");
    expect(JSON.parse(String(role.assume_role_policy)).Statement[0].Condition).toEqual({
      StringEquals: { "aws:SourceAccount": ACCOUNT },
      ArnLike: { "aws:SourceArn": TRAIL_ARN },
    });
    const policy = resourceAt(json, "aws_iam_role_policy", "security/audit-trail/cloudwatch-role/policy").policy;
    expect(statement(policy, "WriteTrailLogStreams").Resource).toBe(
      `${ref(json, "aws_cloudwatch_log_group", "security/audit-trail/log-group/group", "arn")}:log-stream:*`,
    );
  });

  it("exists only in the primary region's stack (the trail covers every region)", () => {
    expect(standby.resource.aws_cloudtrail).toBeUndefined();
    expect(standby.resource.aws_config_delivery_channel).toBeDefined();
  });

  it("can be enabled once", () => {
    const fresh = new SecurityFixtureStack(Testing.app(), production, 0);
    expect(() => fresh.security.enableAuditTrail(fresh.logsBucket)).toThrow("the audit trail is already enabled");
  });
});
