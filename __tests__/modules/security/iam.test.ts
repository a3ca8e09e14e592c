import { Testing } from "cdktf";
import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import { ref, resourceAt, SecurityFixtureStack, statement, statements, synthFixture } from "./fixture";

const ACCOUNT = production.accountId;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/lma-workload-boundary`;
const SERVICES = ["loan", "document", "trade", "analytics", "auth", "notification"];
const ECS_TRUST = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "ecs-tasks.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": ACCOUNT },
        ArnLike: { "aws:SourceArn": `arn:aws:ecs:us-east-1:${ACCOUNT}:*` },
      },
    },
  ],
};

// One synthesis, with grants made the way other modules make them.
const app = Testing.app();
const granted = new SecurityFixtureStack(app, production, 0, { baseline: { permissionsBoundaryArn: BOUNDARY } });
granted.security.grantSecretRead("loan", "credit-bureau-api-key");
granted.security.grantSecretRead(granted.security.taskRole("trade"), "market-data-api-key");
granted.security.grantKeyUse("document", "data", "s3");
const json = JSON.parse(Testing.synth(granted, true)) as ReturnType<typeof synthFixture>["json"];
const standby = synthFixture(production, 1).json;
const devJson = synthFixture(dev, 0).json;

const policyOf = (role: string, source = json) => resourceAt(source, "aws_iam_role_policy", `security/roles/${role}/policy`).policy;

describe("ECS execution role (shared)", () => {
  it("is named per region and trusted by ECS tasks of this account and region only", () => {
    const role = resourceAt(json, "aws_iam_role", "security/roles/execution/role");
    expect(role.name).toBe("lma-production-use1-ecs-execution");
    expect(JSON.parse(String(role.assume_role_policy))).toEqual(ECS_TRUST);
    expect(resourceAt(standby, "aws_iam_role", "security/roles/execution/role").name).toBe("lma-production-euw1-ecs-execution");
  });

  it("pulls only the services' repositories (by naming convention) and GuardDuty's runtime agent", () => {
    expect(statement(policyOf("execution"), "PullServiceImages").Resource).toEqual([
      ...SERVICES.map((service) => `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/lma-production/${service}`),
      "arn:aws:ecr:us-east-1:593207742271:repository/aws-guardduty-agent-fargate",
    ]);
    expect(statement(policyOf("execution", standby), "PullServiceImages").Resource).toContain(
      "arn:aws:ecr:eu-west-1:694911143906:repository/aws-guardduty-agent-fargate",
    );
  });

  it("writes only the services' log groups /lma/<env>/ecs/<service>", () => {
    expect(statement(policyOf("execution"), "WriteServiceLogStreams")).toEqual({
      Sid: "WriteServiceLogStreams",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: SERVICES.flatMap((service) => {
        const group = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/lma/production/ecs/${service}`;
        return [group, `${group}:log-stream:*`];
      }),
    });
  });

  it("reads exactly the catalogue's secrets and decrypts them only through Secrets Manager", () => {
    const secretArn = (name: string) => ref(json, "aws_secretsmanager_secret", `security/secrets/${name}`, "arn");
    expect(statement(policyOf("execution"), "ReadServiceSecrets")).toEqual({
      Sid: "ReadServiceSecrets",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: [
        "credit-bureau-api-key",
        "email-provider-api-key",
        "esignature-api-key",
        "identity-provider-client-secret",
        "market-data-api-key",
        "sms-provider-api-key",
      ].map(secretArn),
    });
    expect(statement(policyOf("execution"), "DecryptServiceSecrets")).toEqual({
      Sid: "DecryptServiceSecrets",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: ref(json, "aws_kms_key", "security/keys/secrets/key", "arn"),
      Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
    });
  });

  it("has Resource \"*\" only for the registry token", () => {
    const wildcard = statements(policyOf("execution")).filter((candidate) => candidate.Resource === "*");
    expect(wildcard.map((candidate) => candidate.Action)).toEqual(["ecr:GetAuthorizationToken"]);
  });
});

describe("task roles (one per service)", () => {
  it.each(SERVICES)("%s: its own role, trusted by this account's ECS tasks, X-Ray only by default", (service) => {
    const role = resourceAt(json, "aws_iam_role", `security/roles/task-${service}/role`);
    expect(role.name).toBe(`lma-production-use1-${service}-task`);
    expect(JSON.parse(String(role.assume_role_policy))).toEqual(ECS_TRUST);
    expect(statement(policyOf(`task-${service}`), "XRayWrite").Action).toEqual([
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
      "xray:GetSamplingStatisticSummaries",
    ]);
  });

  it("analytics (no grants) has nothing but X-Ray", () => {
    expect(statements(policyOf("task-analytics")).map((candidate) => candidate.Sid)).toEqual(["XRayWrite"]);
  });

  it("grantSecretRead adds exactly that secret and Secrets-Manager-only decryption", () => {
    expect(statements(policyOf("task-loan"))).toEqual([
      expect.objectContaining({ Sid: "XRayWrite" }),
      {
        Sid: "ReadSecretCreditBureauApiKey",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        Resource: ref(json, "aws_secretsmanager_secret", "security/secrets/credit-bureau-api-key", "arn"),
      },
      {
        Sid: "DecryptSecretsThroughSecretsManager",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: ref(json, "aws_kms_key", "security/keys/secrets/key", "arn"),
        Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
      },
    ]);
    expect(statement(policyOf("task-trade"), "ReadSecretMarketDataApiKey").Resource).toBe(
      ref(json, "aws_secretsmanager_secret", "security/secrets/market-data-api-key", "arn"),
    );
  });

  it("grantKeyUse adds the key's ARN through one service only", () => {
    expect(statement(policyOf("task-document"), "UseKeyDataVias3")).toEqual({
      Sid: "UseKeyDataVias3",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
      Resource: ref(json, "aws_kms_key", "security/keys/data/key", "arn"),
      Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
    });
  });

  it("throws for a service the catalogue does not have", () => {
    expect(() => granted.security.taskRole("payments")).toThrow('no task role for service "payments"');
  });
});

describe("permissions boundary", () => {
  it("is set on every role the baseline creates when given", () => {
    const roles = Object.entries(json.resource.aws_iam_role!)
      .filter(([name]) => name.startsWith("security_"))
      .map(([, role]) => role);
    expect(roles.length).toBe(6 + 3); // tasks, execution, Config recorder, CloudTrail delivery
    for (const role of roles) expect(role.permissions_boundary).toBe(BOUNDARY);
  });

  it("is absent by default", () => {
    const roles = Object.entries(devJson.resource.aws_iam_role!).filter(([name]) => name.startsWith("security_"));
    expect(roles.length).toBe(9);
    for (const [, role] of roles) expect(role.permissions_boundary).toBeUndefined();
  });
});

describe("account-wide IAM controls (primary region only)", () => {
  it("sets the password policy: 14 characters, all classes, 24 remembered, 90-day expiry", () => {
    expect(resourceAt(json, "aws_iam_account_password_policy", "security/account/password-policy")).toMatchObject({
      minimum_password_length: 14,
      require_lowercase_characters: true,
      require_uppercase_characters: true,
      require_numbers: true,
      require_symbols: true,
      allow_users_to_change_password: true,
      password_reuse_prevention: 24,
      max_password_age: 90,
      hard_expiry: false,
    });
  });

  it("denies everything but MFA self-service to humans signed in without MFA", () => {
    const policy = resourceAt(json, "aws_iam_policy", "security/account/require-mfa").policy;
    expect(statement(policy, "DenyEverythingElseWithoutMfa")).toEqual({
      Sid: "DenyEverythingElseWithoutMfa",
      Effect: "Deny",
      NotAction: [
        "iam:CreateVirtualMFADevice",
        "iam:EnableMFADevice",
        "iam:GetUser",
        "iam:ChangePassword",
        "iam:ListMFADevices",
        "iam:ListVirtualMFADevices",
        "iam:ResyncMFADevice",
        "sts:GetSessionToken",
      ],
      Resource: "*",
      Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
    });
    // `$${…}` in Terraform JSON is the literal IAM variable `${aws:username}`.
    expect(statement(policy, "ManageOwnMfa").Resource).toBe(`arn:aws:iam::${ACCOUNT}:user/$\${aws:username}`);
  });

  it("attaches it to the humans group", () => {
    expect(resourceAt(json, "aws_iam_group", "security/account/humans").name).toBe("lma-production-humans");
    expect(resourceAt(json, "aws_iam_group_policy_attachment", "security/account/humans-require-mfa")).toMatchObject({
      group: ref(json, "aws_iam_group", "security/account/humans", "name"),
      policy_arn: ref(json, "aws_iam_policy", "security/account/require-mfa", "arn"),
    });
  });

  it("blocks public S3 access account-wide", () => {
    expect(resourceAt(json, "aws_s3_account_public_access_block", "security/account/s3-account-public-access-block")).toMatchObject({
      account_id: ACCOUNT,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  it("creates none of them in the DR region's stack", () => {
    for (const type of ["aws_iam_account_password_policy", "aws_iam_policy", "aws_iam_group", "aws_s3_account_public_access_block"]) {
      expect(standby.resource[type]).toBeUndefined();
    }
  });
});
