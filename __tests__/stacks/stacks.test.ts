import { loadEnvironments } from "../../environments";
import { readAppContext } from "../../lib/app-context";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { ObservabilityStack } from "../../stacks/observability-stack";
import { RegionalStack } from "../../stacks/regional-stack";
import { type ConfiguredStack, configuredStack, deployRoleArn, stackInvariantViolations } from "../support/stack-invariants";
import { listOf, policyOf, resourcesOf, stackJson, stackNames } from "../support/synth";

/**
 * The stacks of the app, read from the run's one synthesis (support/global-setup.ts), checked
 * against the configuration they were built from: what holds of every stack of any configuration.
 */
const environments = loadEnvironments(readAppContext().context).map(({ config }) => config);
const observabilityStacks = environments.map((environment) => ObservabilityStack.stackName(environment.name));
const stacks: ConfiguredStack[] = stackNames()
  .filter((name) => !observabilityStacks.includes(name))
  .map((name) => configuredStack(name, stackJson(name), environments));
const regional = stacks.filter((stack) => stack.region);
const bootstraps = stacks.filter((stack) => !stack.region);
const table = (list: ConfiguredStack[]) => list.map((stack) => [stack.name, stack] as const);

it("synthesizes, per environment, a bootstrap stack, one stack per region and the observability stack, and nothing else", () => {
  const expected = environments.flatMap((environment) => [
    BootstrapStack.stackName(environment.name),
    ...environment.regions.map((region) => RegionalStack.stackName(environment.name, region.region)),
    ObservabilityStack.stackName(environment.name),
  ]);
  expect(stackNames()).toEqual(expected.sort());
});

describe.each(table(stacks))("%s", (_name, stack) => {
  it("holds every stack invariant: references, account, deploy role, offline plan, backend, catalogue", () => {
    expect(stackInvariantViolations(stack)).toEqual([]);
  });
});

describe.each(table(regional))("%s (regional)", (name, { environment, region, json }) => {
  it("keeps its state in its own region's bucket, encrypted with the state key, with both locks", () => {
    const account = environment.accountId;
    expect(json.terraform.backend).toEqual({
      s3: {
        bucket: `lma-${environment.name}-tfstate-${region!.region}-${account}`,
        key: `${name}/terraform.tfstate`,
        region: region!.region,
        encrypt: true,
        kms_key_id: `arn:aws:kms:${region!.region}:${account}:alias/lma-${environment.name}-tfstate`,
        dynamodb_table: `lma-${environment.name}-tfstate-lock`,
        use_lockfile: true,
        assume_role: { role_arn: deployRoleArn(environment), session_name: `${name}-state` },
      },
    });
  });

  it("tags everything it creates with the environment's owner, cost centre and classification", () => {
    for (const provider of json.provider!.aws!) {
      expect(provider.default_tags).toEqual([
        {
          tags: expect.objectContaining({
            Environment: environment.name,
            Owner: environment.tags.owner,
            CostCenter: environment.tags.costCenter,
            DataClassification: environment.tags.dataClassification,
          }),
        },
      ]);
    }
  });
});

describe.each(table(bootstraps))("%s (bootstrap)", (name, { environment, json }) => {
  const regions = environment.regions.map((region) => region.region);

  it("keeps local state: it creates the remote state", () => {
    expect(json.terraform.backend).toEqual({ local: { path: `terraform.${name}.tfstate` } });
  });

  it("creates a state bucket and an artifact bucket in every region of the environment", () => {
    expect(listOf(json, "aws_s3_bucket").map((bucket) => bucket.bucket)).toEqual(
      expect.arrayContaining(
        regions.flatMap((region) => ["artifacts", "tfstate"].map((component) => `lma-${environment.name}-${component}-${region}-${environment.accountId}`)),
      ),
    );
  });

  it("creates a lock table per region, with point-in-time recovery and KMS, never destroyed", () => {
    const tables = Object.entries(resourcesOf(json, "aws_dynamodb_table"));
    expect(tables).toHaveLength(regions.length);
    for (const [, table] of tables) {
      expect(table).toMatchObject({
        name: `lma-${environment.name}-tfstate-lock`,
        hash_key: "LockID",
        billing_mode: "PAY_PER_REQUEST",
        point_in_time_recovery: { enabled: true },
        server_side_encryption: { enabled: true, kms_key_arn: expect.stringContaining("aws_kms_key") },
        deletion_protection_enabled: true,
        lifecycle: { prevent_destroy: true },
      });
    }
    // Tables outside the primary region go through that region's provider.
    for (const region of regions.slice(1)) {
      expect(tables.filter(([id]) => id.includes(region)).map(([, table]) => table.provider)).toEqual([`aws.${region}`]);
    }
  });

  it("versions, encrypts with a rotating KMS key, blocks public access and never destroys its buckets", () => {
    for (const versioning of listOf(json, "aws_s3_bucket_versioning")) expect(versioning.versioning_configuration).toEqual({ status: "Enabled" });
    // State and artifacts under the KMS key; a bucket receiving S3 server access logs can only use SSE-S3.
    const bucketName = (reference: unknown) => resourcesOf(json, "aws_s3_bucket")[String(reference).split(".")[1]!]?.bucket;
    for (const encryption of listOf(json, "aws_s3_bucket_server_side_encryption_configuration")) {
      const name = String(bucketName(encryption.bucket));
      const kms = /-(tfstate|artifacts)-/.test(name);
      expect({ name, rule: encryption.rule }).toEqual({
        name,
        rule: [
          kms
            ? { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: expect.stringContaining("aws_kms_key") }, bucket_key_enabled: true }
            : expect.objectContaining({ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }),
        ],
      });
    }
    expect(listOf(json, "aws_s3_bucket_server_side_encryption_configuration")).toHaveLength(listOf(json, "aws_s3_bucket").length);
    for (const block of listOf(json, "aws_s3_bucket_public_access_block")) {
      expect(block).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    }
    for (const key of listOf(json, "aws_kms_key")) expect(key).toMatchObject({ enable_key_rotation: true });
    for (const lifecycle of listOf(json, "aws_s3_bucket_lifecycle_configuration")) {
      expect(lifecycle.rule).toContainEqual(expect.objectContaining({ noncurrent_version_expiration: [expect.anything()], status: "Enabled" }));
    }
    for (const bucket of listOf(json, "aws_s3_bucket")) expect(bucket).toMatchObject({ lifecycle: { prevent_destroy: true }, force_destroy: false });
  });

  it("creates the account's OpenSearch service-linked role once", () => {
    expect(listOf(json, "aws_iam_service_linked_role")).toEqual([expect.objectContaining({ aws_service_name: "opensearchservice.amazonaws.com" })]);
  });

  it("denies every request that is not TLS 1.2 or better", () => {
    const policies = listOf(json, "aws_s3_bucket_policy");
    expect(policies).toHaveLength(listOf(json, "aws_s3_bucket").length);
    for (const policy of policies) {
      const statements = policyOf(policy.policy).Statement;
      expect(statements).toContainEqual(expect.objectContaining({ Effect: "Deny", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": false } } }));
      expect(statements).toContainEqual(expect.objectContaining({ Effect: "Deny", Condition: { NumericLessThan: { "s3:TlsVersion": 1.2 } } }));
    }
  });
});
