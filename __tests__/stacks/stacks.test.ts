import { ENVIRONMENTS, listOf, policyOf, synthBootstrap, synthRegional } from "../support/synth";

describe("every regional stack", () => {
  const stacks = [
    ["lma-dev-us-east-1", synthRegional(ENVIRONMENTS.dev).json, "400000000001", "us-east-1"],
    ["lma-staging-us-east-1", synthRegional(ENVIRONMENTS.staging).json, "400000000002", "us-east-1"],
    ["lma-production-us-east-1", synthRegional(ENVIRONMENTS.production, 0).json, "400000000003", "us-east-1"],
    ["lma-production-eu-west-1", synthRegional(ENVIRONMENTS.production, 1).json, "400000000003", "eu-west-1"],
  ] as const;

  it.each(stacks)("%s keeps its state in its own region's bucket, encrypted, with both locks", (name, json, account, region) => {
    const environment = name.split("-")[1];
    expect(json.terraform.backend).toEqual({
      s3: {
        bucket: `lma-${environment}-tfstate-${region}-${account}`,
        key: `${name}/terraform.tfstate`,
        region,
        encrypt: true,
        kms_key_id: `arn:aws:kms:${region}:${account}:alias/lma-${environment}-tfstate`,
        dynamodb_table: `lma-${environment}-tfstate-lock`,
        use_lockfile: true,
        assume_role: { role_arn: `arn:aws:iam::${account}:role/lma-terraform-deploy`, session_name: `${name}-state` },
      },
    });
  });

  it.each(stacks)("%s can only touch its account, through the deploy role, tagging everything", (name, json, account, region) => {
    const environment = name.split("-")[1]!;
    const providers = json.provider!.aws!;
    expect(providers[0]).toEqual({
      region,
      allowed_account_ids: [account],
      assume_role: [{ role_arn: `arn:aws:iam::${account}:role/lma-terraform-deploy`, session_name: `lma-${environment}-terraform` }],
      default_tags: [
        {
          tags: {
            Project: "lma",
            Environment: environment,
            Component: "platform",
            Owner: "platform-engineering",
            CostCenter: expect.stringMatching(/^CC-1040-LMA-/),
            DataClassification: expect.any(String),
            ManagedBy: "terraform-cdktf",
          },
        },
      ],
    });
    for (const provider of providers) expect(provider).toMatchObject({ allowed_account_ids: [account] });
  });

  it.each(stacks)("%s reads nothing from other stacks or from AWS at plan time", (_name, json) => {
    const dataSources = Object.keys(json.data ?? {});
    expect(dataSources.filter((type) => !["aws_partition", "aws_region", "aws_iam_policy_document"].includes(type))).toEqual([]);
  });

  it("the standby region has no provider for the primary region, so it plans while us-east-1 is down", () => {
    const standby = stacks[3][1];
    expect(standby.provider!.aws!.map((provider) => provider.region)).toEqual(["eu-west-1"]);
  });
});

describe("the bootstrap stack", () => {
  const { json } = synthBootstrap(ENVIRONMENTS.production);

  it("keeps local state: it creates the remote state", () => {
    expect(json.terraform.backend).toEqual({ local: { path: "terraform.lma-production-bootstrap.tfstate" } });
  });

  it("creates a state bucket, lock table and artifact bucket in every region of the environment", () => {
    expect(listOf(json, "aws_s3_bucket").map((bucket) => bucket.bucket).sort()).toEqual([
      "lma-production-artifacts-eu-west-1-400000000003",
      "lma-production-artifacts-us-east-1-400000000003",
      "lma-production-tfstate-eu-west-1-400000000003",
      "lma-production-tfstate-us-east-1-400000000003",
    ]);
    const tables = listOf(json, "aws_dynamodb_table");
    expect(tables).toHaveLength(2);
    for (const table of tables) {
      expect(table).toMatchObject({
        name: "lma-production-tfstate-lock",
        hash_key: "LockID",
        billing_mode: "PAY_PER_REQUEST",
        point_in_time_recovery: { enabled: true },
        server_side_encryption: { enabled: true, kms_key_arn: expect.stringContaining("aws_kms_key") },
        deletion_protection_enabled: true,
        lifecycle: { prevent_destroy: true },
      });
    }
    const euTable = Object.entries(json.resource.aws_dynamodb_table!).find(([name]) => name.includes("eu-west-1"))![1];
    expect(euTable.provider).toBe("aws.eu-west-1");
  });

  it("versions, encrypts with a rotating KMS key, blocks public access and expires old versions", () => {
    for (const versioning of listOf(json, "aws_s3_bucket_versioning")) {
      expect(versioning.versioning_configuration).toEqual({ status: "Enabled" });
    }
    for (const encryption of listOf(json, "aws_s3_bucket_server_side_encryption_configuration")) {
      expect(encryption.rule).toEqual([
        {
          apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: expect.stringContaining("aws_kms_key") },
          bucket_key_enabled: true,
        },
      ]);
    }
    for (const block of listOf(json, "aws_s3_bucket_public_access_block")) {
      expect(block).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    }
    for (const key of listOf(json, "aws_kms_key")) expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    const lifecycles = Object.entries(json.resource.aws_s3_bucket_lifecycle_configuration!);
    expect(lifecycles).toHaveLength(4);
    for (const [name, lifecycle] of lifecycles) {
      const days = name.includes("artifacts") ? 180 : 90;
      expect(lifecycle.rule).toContainEqual(
        expect.objectContaining({ noncurrent_version_expiration: [{ noncurrent_days: days }], status: "Enabled" }),
      );
    }
    for (const bucket of listOf(json, "aws_s3_bucket")) expect(bucket).toMatchObject({ lifecycle: { prevent_destroy: true }, force_destroy: false });
  });

  it("creates the account's OpenSearch service-linked role once", () => {
    expect(listOf(json, "aws_iam_service_linked_role")).toEqual([
      expect.objectContaining({ aws_service_name: "opensearchservice.amazonaws.com" }),
    ]);
    expect(listOf(synthBootstrap(ENVIRONMENTS.dev).json, "aws_iam_service_linked_role")).toHaveLength(1);
  });

  it("denies every request that is not TLS 1.2 or better", () => {
    for (const policy of listOf(json, "aws_s3_bucket_policy")) {
      const statements = policyOf(policy.policy).Statement;
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: "Deny", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": false } } }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: "Deny", Condition: { NumericLessThan: { "s3:TlsVersion": 1.2 } } }),
      );
    }
  });
});
