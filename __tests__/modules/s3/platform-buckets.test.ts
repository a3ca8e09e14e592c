import { Role } from "../../../modules/iam-role";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import { Naming } from "../../../lib/naming";
import { KmsKey } from "../../../modules/kms-key";
import { SecureBucket } from "../../../modules/s3";
import { type SynthesizedStack, listOf, synthRegional } from "../../support/synth";
import { bucketNamed, keyArnRef, matching, ofBucket, only, ref, statement, statementsOf } from "./support";

const PRODUCTION_ACCOUNT = production.accountId;
const primary = synthRegional(production, 0).json;
const standby = synthRegional(production, 1).json;
const development = synthRegional(dev, 0).json;

const name = (component: string, region = "us-east-1", account = PRODUCTION_ACCOUNT) => `lma-production-${component}-${region}-${account}`;
const COMPONENTS = ["static-assets", "documents", "backups", "logs", "access-logs"];

describe("the platform buckets, production primary", () => {
  it("are the four platform buckets plus the access-log sink, named by the convention", () => {
    const names = listOf(primary, "aws_s3_bucket").map((bucket) => bucket.bucket);
    for (const component of COMPONENTS) expect(names).toContain(name(component));
  });

  it.each(COMPONENTS)("%s: versioned, owner-enforced, fully private, kept from terraform destroy", (component) => {
    expect(ofBucket(primary, "aws_s3_bucket_versioning", name(component)).versioning_configuration).toEqual({ status: "Enabled" });
    expect(ofBucket(primary, "aws_s3_bucket_ownership_controls", name(component)).rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
    expect(ofBucket(primary, "aws_s3_bucket_public_access_block", name(component))).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const [, bucket] = only(primary, "aws_s3_bucket", (body) => body.bucket === name(component));
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    expect(bucket.force_destroy).toBe(false);
  });

  it.each(COMPONENTS)("%s: its policy refuses plain HTTP and TLS below 1.2", (component) => {
    const { policy } = ofBucket(primary, "aws_s3_bucket_policy", name(component));
    expect(statement(policy, "DenyInsecureTransport")).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": false } } });
    expect(statement(policy, "DenyTlsBelow12")).toMatchObject({ Effect: "Deny", Condition: { NumericLessThan: { "s3:TlsVersion": 1.2 } } });
  });

  it.each([
    ["static-assets", "lma-production-data"],
    ["documents", "lma-production-data"],
    ["backups", "lma-production-backups"],
  ])("%s is encrypted with the %s key (bucket key on) and refuses uploads under any other", (component, alias) => {
    const [rule] = ofBucket(primary, "aws_s3_bucket_server_side_encryption_configuration", name(component)).rule;
    expect(rule).toEqual({
      apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: keyArnRef(primary, alias) },
      bucket_key_enabled: true,
    });
    const { policy } = ofBucket(primary, "aws_s3_bucket_policy", name(component));
    // Only uploads that name a key are checked (Null: false), against the key's ARN or its alias ARN.
    const { Condition } = statement(policy, "DenyOtherKmsKeys");
    expect(Condition.Null).toEqual({ "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" });
    expect(Condition.StringNotEquals["s3:x-amz-server-side-encryption-aws-kms-key-id"]).toEqual([
      keyArnRef(primary, alias),
      expect.stringMatching(/^\$\{aws_kms_alias\.[^.]+\.arn\}$/),
    ]);
  });

  it.each(["logs", "access-logs"])("%s uses SSE-S3, the only encryption ALB and S3 log delivery accept", (component) => {
    const [rule] = ofBucket(primary, "aws_s3_bucket_server_side_encryption_configuration", name(component)).rule;
    expect(rule.apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "AES256" });
  });

  it("locks every log object in compliance mode for 7 years, and expires it only after the lock", () => {
    const [, logs] = only(primary, "aws_s3_bucket", (body) => body.bucket === name("logs"));
    expect(logs.object_lock_enabled).toBe(true);
    expect(ofBucket(primary, "aws_s3_bucket_object_lock_configuration", name("logs")).rule).toEqual({
      default_retention: { mode: "COMPLIANCE", years: 7 },
    });
    const rules = ofBucket(primary, "aws_s3_bucket_lifecycle_configuration", name("logs")).rule;
    const archive = rules.find((rule: { id: string }) => rule.id === "archive-then-expire-after-retention");
    expect(archive.expiration).toEqual([{ days: 2558 }]);
    expect(archive.expiration[0].days).toBeGreaterThan(7 * 365 + 2);
  });

  it("sends no server access logs to the locked bucket (S3 cannot deliver to Object Lock buckets)", () => {
    const [, accessLogs] = only(primary, "aws_s3_bucket", (body) => body.bucket === name("access-logs"));
    expect(accessLogs.object_lock_enabled).toBeUndefined();
    const accessLogsBucket = bucketNamed(primary, name("access-logs"));
    for (const component of ["static-assets", "documents", "backups", "logs"]) {
      expect(ofBucket(primary, "aws_s3_bucket_logging", name(component))).toMatchObject({
        target_bucket: ref("aws_s3_bucket", accessLogsBucket, "id"),
        target_prefix: `s3-access/${name(component)}/`,
      });
    }
    expect(matching(primary, "aws_s3_bucket_logging", (body) => body.bucket === ref("aws_s3_bucket", accessLogsBucket, "id"))).toEqual([]);
  });

  it("tiers documents Standard → Standard-IA → Glacier Instant Retrieval and keeps old versions as configured", () => {
    const rules = ofBucket(primary, "aws_s3_bucket_lifecycle_configuration", name("documents")).rule;
    expect(rules.find((rule: { id: string }) => rule.id === "tier-documents")).toMatchObject({
      status: "Enabled",
      transition: [
        { days: 90, storage_class: "STANDARD_IA" },
        { days: 365, storage_class: "GLACIER_IR" },
      ],
    });
    expect(rules.find((rule: { id: string }) => rule.id === "expire-noncurrent-versions").noncurrent_version_expiration).toEqual([
      { noncurrent_days: production.storage.documentsNoncurrentVersionDays },
    ]);
  });

  it("tiers backups Standard → Standard-IA → Glacier", () => {
    const rules = ofBucket(primary, "aws_s3_bucket_lifecycle_configuration", name("backups")).rule;
    expect(rules.find((rule: { id: string }) => rule.id === "tier-backups").transition).toEqual([
      { days: 30, storage_class: "STANDARD_IA" },
      { days: 90, storage_class: "GLACIER" },
    ]);
  });

  it("lets the regional ELB account write ALB logs only under alb/AWSLogs/<account>/", () => {
    const { policy } = ofBucket(primary, "aws_s3_bucket_policy", name("logs"));
    const bucket = bucketNamed(primary, name("logs"));
    expect(statement(policy, "AllowAlbLogDelivery")).toEqual({
      Sid: "AllowAlbLogDelivery",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::127311923021:root" },
      Action: "s3:PutObject",
      Resource: `${ref("aws_s3_bucket", bucket, "arn")}/alb/AWSLogs/${PRODUCTION_ACCOUNT}/*`,
    });
  });

  it("lets CloudWatch Logs vended delivery (CloudFront logging v2) write under cloudfront/, for this account only", () => {
    const { policy } = ofBucket(primary, "aws_s3_bucket_policy", name("logs"));
    expect(statement(policy, "AllowVendedLogDelivery")).toMatchObject({
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Action: "s3:PutObject",
      Condition: {
        StringEquals: { "aws:SourceAccount": PRODUCTION_ACCOUNT, "s3:x-amz-acl": "bucket-owner-full-control" },
        ArnLike: { "aws:SourceArn": `arn:aws:logs:*:${PRODUCTION_ACCOUNT}:*` },
      },
    });
  });

  it("lets S3 server access logging write only from this environment's buckets in this account", () => {
    const { policy } = ofBucket(primary, "aws_s3_bucket_policy", name("access-logs"));
    expect(statement(policy, "AllowS3ServerAccessLogDelivery")).toMatchObject({
      Principal: { Service: "logging.s3.amazonaws.com" },
      Condition: {
        StringEquals: { "aws:SourceAccount": PRODUCTION_ACCOUNT },
        ArnLike: { "aws:SourceArn": "arn:aws:s3:::lma-production-*" },
      },
    });
  });
});

describe("cross-region replication to the warm standby", () => {
  const replicationOf = (component: string) => ofBucket(primary, "aws_s3_bucket_replication_configuration", name(component));

  it("replicates documents, backups, logs and static assets (CloudFront's failover origin), and nothing else", () => {
    expect(listOf(primary, "aws_s3_bucket_replication_configuration")).toHaveLength(4);
  });

  it.each([
    ["documents", "lma-production-data", true],
    ["static-assets", "lma-production-data", false],
    ["backups", "lma-production-backups", false],
    ["logs", "lma-production-logs", false],
  ])("%s: to its eu-west-1 namesake, re-encrypted under the DR region's %s key", (component, alias, timeControl) => {
    const [rule] = replicationOf(component).rule;
    expect(rule).toMatchObject({
      id: "to-eu-west-1",
      status: "Enabled",
      delete_marker_replication: { status: "Disabled" },
      source_selection_criteria: { sse_kms_encrypted_objects: { status: "Enabled" } },
      destination: {
        bucket: `arn:aws:s3:::${name(component, "eu-west-1")}`,
        encryption_configuration: { replica_kms_key_id: `arn:aws:kms:eu-west-1:${PRODUCTION_ACCOUNT}:alias/${alias}` },
      },
    });
    if (timeControl) {
      expect(rule.destination.replication_time).toEqual({ status: "Enabled", time: { minutes: 15 } });
      expect(rule.destination.metrics).toEqual({ status: "Enabled", event_threshold: { minutes: 15 } });
    } else {
      expect(rule.destination.replication_time).toBeUndefined();
    }
  });

  it("waits for versioning, which S3 requires before replication", () => {
    const config = replicationOf("documents");
    expect(config.depends_on.some((dependency: string) => dependency.startsWith("aws_s3_bucket_versioning."))).toBe(true);
  });

  it("gives the documents role S3-only, bucket-scoped KMS rights in each region", () => {
    const [, role] = only(primary, "aws_iam_role", (body) => body.name === "lma-production-use1-s3-replication-documents");
    expect(statementsOf(role.assume_role_policy)[0]).toMatchObject({
      Principal: { Service: "s3.amazonaws.com" },
      Condition: {
        StringEquals: { "aws:SourceAccount": PRODUCTION_ACCOUNT },
        ArnLike: { "aws:SourceArn": `arn:aws:s3:::${name("documents")}` },
      },
    });
    const [, policy] = only(primary, "aws_iam_role_policy", (body) => body.name === "replicate" && body.role.includes("documents-replication"));
    expect(statement(policy.policy, "EncryptReplicas")).toEqual({
      Sid: "EncryptReplicas",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:GenerateDataKey"],
      Resource: `arn:aws:kms:eu-west-1:${PRODUCTION_ACCOUNT}:key/*`,
      Condition: {
        "ForAnyValue:StringEquals": { "kms:ResourceAliases": ["alias/lma-production-data"] },
        StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
        StringLike: {
          "kms:EncryptionContext:aws:s3:arn": [
            `arn:aws:s3:::${name("documents", "eu-west-1")}`,
            `arn:aws:s3:::${name("documents", "eu-west-1")}/*`,
          ],
        },
      },
    });
    expect(statement(policy.policy, "DecryptSourceObjects")).toMatchObject({
      Resource: [keyArnRef(primary, "lma-production-data")],
      Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
    });
    expect(statement(policy.policy, "ReplicateToDestination").Action).toEqual(["s3:ReplicateObject", "s3:ReplicateTags"]);
  });

  it("lets the logs role decrypt CloudTrail's KMS objects through S3 and re-encrypt them under the DR logs key", () => {
    const [, policy] = only(primary, "aws_iam_role_policy", (body) => body.name === "replicate" && body.role.includes("logs-replication"));
    expect(statement(policy.policy, "DecryptSourceObjects")).toEqual({
      Sid: "DecryptSourceObjects",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: [keyArnRef(primary, "lma-production-logs")],
      Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
    });
    expect(statement(policy.policy, "EncryptReplicas").Condition["ForAnyValue:StringEquals"]).toEqual({
      "kms:ResourceAliases": ["alias/lma-production-logs"],
    });
  });
});

describe("the standby region's buckets", () => {
  it("are the replication destinations, in eu-west-1, encrypted with eu-west-1 keys", () => {
    const names = listOf(standby, "aws_s3_bucket").map((bucket) => bucket.bucket);
    for (const component of ["documents", "backups", "logs"]) expect(names).toContain(name(component, "eu-west-1"));
    const [rule] = ofBucket(standby, "aws_s3_bucket_server_side_encryption_configuration", name("documents", "eu-west-1")).rule;
    expect(rule.apply_server_side_encryption_by_default.kms_master_key_id).toBe(keyArnRef(standby, "lma-production-data"));
    expect(ofBucket(standby, "aws_s3_bucket_versioning", name("documents", "eu-west-1")).versioning_configuration.status).toBe("Enabled");
  });

  it("replicate nothing back, and use no provider but eu-west-1's (plannable with us-east-1 down)", () => {
    expect(listOf(standby, "aws_s3_bucket_replication_configuration")).toEqual([]);
    expect(standby.provider?.aws?.map((provider) => provider.region)).toEqual(["eu-west-1"]);
  });
});

describe("dev's buckets", () => {
  const devName = (component: string) => `lma-dev-${component}-us-east-1-${dev.accountId}`;

  it("lock logs in governance mode for 1 year (configuration), not the production 7-year compliance lock", () => {
    expect(ofBucket(development, "aws_s3_bucket_object_lock_configuration", devName("logs")).rule).toEqual({
      default_retention: { mode: "GOVERNANCE", years: 1 },
    });
  });

  it("can be destroyed and replicate nowhere", () => {
    const [, documents] = only(development, "aws_s3_bucket", (body) => body.bucket === devName("documents"));
    expect(documents.lifecycle).toEqual({ prevent_destroy: false });
    expect(listOf(development, "aws_s3_bucket_replication_configuration")).toEqual([]);
  });
});

describe("SecureBucket grants", () => {
  const app = Testing.app();
  const stack = new TerraformStack(app, "grants");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const naming = new Naming("production", "us-east-1", PRODUCTION_ACCOUNT);
  const key = new KmsKey(stack, "key", { naming, alias: "data", description: "test" });
  const bucket = new SecureBucket(stack, "documents", { naming, component: "documents", kmsKey: key });
  const reader = new Role(stack, "reader", { name: "reader", description: "reads documents", assumeRolePolicy: "{}" });
  const writer = new Role(stack, "writer", { name: "writer", description: "writes documents", assumeRolePolicy: "{}" });
  bucket.grantRead(reader);
  bucket.grantReadWrite(writer);
  bucket.grantCloudFrontRead("arn:aws:cloudfront::400000000003:distribution/E123");
  const json = JSON.parse(Testing.synth(stack)) as SynthesizedStack;
  const policyFor = (role: string) => only(json, "aws_iam_role_policy", (body) => body.name === role)[1];

  it("grantRead: get and list, and decrypt only through S3 in the bucket's region", () => {
    const read = policyFor("reader");
    const actions = statementsOf(read.policy).flatMap((s) => s.Action);
    expect(actions).toEqual(["s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject", "s3:GetObjectVersion", "kms:Decrypt", "kms:DescribeKey"]);
    expect(statement(read.policy, "S3DocumentsKmsDecrypt").Condition).toEqual({ StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } });
  });

  it("grantReadWrite: adds put and delete (a delete marker) but never DeleteObjectVersion", () => {
    const write = policyFor("writer");
    const actions = statementsOf(write.policy).flatMap((s) => s.Action);
    expect(actions).toEqual(expect.arrayContaining(["s3:PutObject", "s3:DeleteObject", "kms:GenerateDataKey"]));
    expect(actions).not.toContain("s3:DeleteObjectVersion");
    expect(actions).not.toContain("s3:*");
  });

  it("grantCloudFrontRead: one distribution in the bucket policy, the account's distributions in the key policy", () => {
    const [, policy] = only(json, "aws_s3_bucket_policy");
    expect(statement(policy.policy, "AllowCloudFrontOriginAccessControl")).toMatchObject({
      Principal: { Service: "cloudfront.amazonaws.com" },
      Action: "s3:GetObject",
      Condition: { StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::400000000003:distribution/E123" } },
    });
    const [, kmsKey] = only(json, "aws_kms_key");
    expect(statement(kmsKey.policy, "CloudFrontOacDecrypt")).toMatchObject({
      Action: ["kms:Decrypt", "kms:DescribeKey"],
      Condition: { ArnLike: { "AWS:SourceArn": "arn:aws:cloudfront::400000000003:distribution/*" } },
    });
  });
});
