import { Testing } from "cdktf";
import { dev } from "../../../environments/dev";
import { production } from "../../../environments/production";
import { Grant } from "../../../lib/grants";
import { ref, resourceAt, SecurityFixtureStack, statement, statements, synthFixture } from "./fixture";

const ACCOUNT = production.accountId;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/lma-workload-boundary`;
const SERVICES = production.services.map((service) => service.name);
const CATALOGUE_SECRETS = [...new Set(production.services.flatMap((service) => service.secrets ?? []))].sort();
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
/** A service with no application secret in the catalogue, whose task role holds only what is granted. */
const WITHOUT_SECRETS = production.services.find((service) => (service.secrets ?? []).length === 0)!.name;
/** Two services with secrets, to grant one secret each. */
const [FIRST, SECOND] = production.services.filter((service) => (service.secrets ?? []).length > 0);

// One synthesis, with grants made the way other modules make them.
const app = Testing.app();
const granted = new SecurityFixtureStack(app, production, 0, { baseline: { permissionsBoundaryArn: BOUNDARY } });
granted.security.grantSecretRead(granted.security.taskRole(FIRST!.name), FIRST!.secrets![0]!);
granted.security.grantSecretRead(granted.security.taskRole(SECOND!.name), SECOND!.secrets![0]!);
granted.security.grantKeyUse(granted.security.taskRole(WITHOUT_SECRETS), "data", "s3");
const json = JSON.parse(Testing.synth(granted, true)) as ReturnType<typeof synthFixture>["json"];
const standby = synthFixture(production, 1).json;
const devJson = synthFixture(dev, 0).json;

const policyOf = (role: string, source = json) => resourceAt(source, "aws_iam_role_policy", `security/roles/${role}/policy`).policy;
/** `credit-bureau-api-key` → `CreditBureauApiKey`, as the grant names its statement. */
const sidOf = (secret: string) => secret.replace(/(^|-)([a-z0-9])/g, (_, __, letter: string) => letter.toUpperCase());

describe("ECS execution roles (one per service)", () => {
  it.each(SERVICES)("%s: its own role, named per region and trusted by ECS tasks of this account and region only", (service) => {
    const role = resourceAt(json, "aws_iam_role", `security/roles/execution-${service}/role`);
    expect(role.name).toBe(`lma-production-use1-${service}-execution`);
    expect(JSON.parse(String(role.assume_role_policy))).toEqual(ECS_TRUST);
    expect(resourceAt(standby, "aws_iam_role", `security/roles/execution-${service}/role`).name).toBe(`lma-production-euw1-${service}-execution`);
  });

  it.each(production.services.map((service) => [service.name, [...(service.secrets ?? [])].sort()] as const))(
    "%s: reads exactly its own catalogue secrets and decrypts them only through Secrets Manager",
    (service, own) => {
      const secretArn = (name: string) => ref(json, "aws_secretsmanager_secret", `security/secrets/${name}`, "arn");
      const baseline = statements(policyOf(`execution-${service}`)).filter((candidate) => candidate.Sid !== "EcrAuthorizationToken");
      expect(baseline).toEqual(
        own.length === 0
          ? []
          : [
              { Sid: "ReadServiceSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: own.map(secretArn) },
              {
                Sid: "DecryptServiceSecrets",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: ref(json, "aws_kms_key", "security/keys/secrets/key", "arn"),
                Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
              },
            ],
      );
    },
  );

  it("together read every catalogue secret, each only from the roles of the services that list it", () => {
    const readers = (secret: string) =>
      SERVICES.filter((service) => statements(policyOf(`execution-${service}`)).some((candidate) => [candidate.Resource].flat().includes(
        ref(json, "aws_secretsmanager_secret", `security/secrets/${secret}`, "arn"),
      )));
    for (const secret of CATALOGUE_SECRETS) {
      expect(readers(secret)).toEqual(production.services.filter((service) => service.secrets?.includes(secret)).map((service) => service.name));
    }
  });

  it("throws for a service the baseline was not made with", () => {
    expect(() => granted.security.executionRole("payments")).toThrow('no execution role for service "payments"');
  });

  it("names GuardDuty's Fargate agent repository of its region, for the services' execution grants", () => {
    expect(granted.security.guardDutyAgentRepositoryArn).toBe("arn:aws:ecr:us-east-1:593207742271:repository/aws-guardduty-agent-fargate");
  });
});

describe("task roles (one per service)", () => {
  it.each(SERVICES)("%s: its own role, trusted by this account's ECS tasks", (service) => {
    const role = resourceAt(json, "aws_iam_role", `security/roles/task-${service}/role`);
    expect(role.name).toBe(`lma-production-use1-${service}-task`);
    expect(JSON.parse(String(role.assume_role_policy))).toEqual(ECS_TRUST);
  });

  it("start empty: a role nobody granted anything fails synthesis", () => {
    const bare = new SecurityFixtureStack(Testing.app(), production, 0, { withoutServiceGrants: true });
    expect(() => Testing.synth(bare, true)).toThrow(/has an empty policy/);
  });

  it("grantSecretRead adds exactly that secret and Secrets-Manager-only decryption", () => {
    const secret = FIRST!.secrets![0]!;
    expect(statements(policyOf(`task-${FIRST!.name}`))).toEqual([
      expect.objectContaining({ Sid: "XRayWrite" }),
      {
        Sid: `ReadSecret${sidOf(secret)}`,
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        Resource: ref(json, "aws_secretsmanager_secret", `security/secrets/${secret}`, "arn"),
      },
      {
        Sid: "DecryptSecretsThroughSecretsManager",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: ref(json, "aws_kms_key", "security/keys/secrets/key", "arn"),
        Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
      },
    ]);
    expect(statement(policyOf(`task-${SECOND!.name}`), `ReadSecret${sidOf(SECOND!.secrets![0]!)}`).Resource).toBe(
      ref(json, "aws_secretsmanager_secret", `security/secrets/${SECOND!.secrets![0]!}`, "arn"),
    );
  });

  it("grantKeyUse adds the key's ARN through one service only", () => {
    expect(statement(policyOf(`task-${WITHOUT_SECRETS}`), "UseKeyDataVias3")).toEqual({
      Sid: "UseKeyDataVias3",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
      Resource: ref(json, "aws_kms_key", "security/keys/data/key", "arn"),
      Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
    });
  });

  it("throws for a service the baseline was not made with", () => {
    expect(() => granted.security.taskRole("payments")).toThrow('no task role for service "payments"');
  });
});

describe("grants merge by Sid (lib/grants.ts through modules/iam-role)", () => {
  const fresh = () => new SecurityFixtureStack(Testing.app(), production, 0);

  it("granting the same statement twice keeps one copy", () => {
    const stack = fresh();
    const role = stack.security.taskRole(WITHOUT_SECRETS);
    stack.security.grantKeyUse(role, "data", "s3");
    stack.security.grantKeyUse(role, "data", "s3");
    expect(role.policyStatements.filter((candidate) => candidate.Sid === "UseKeyDataVias3")).toHaveLength(1);
  });

  it("a reused Sid with different content throws, naming the role and the Sid", () => {
    const stack = fresh();
    const role = stack.security.taskRole(WITHOUT_SECRETS);
    stack.security.grantKeyUse(role, "data", "s3");
    expect(() => Grant.addToPrincipal(role, [{ Sid: "UseKeyDataVias3", Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }])).toThrow(
      new RegExp(`role .*task-${WITHOUT_SECRETS}.*statement Sid "UseKeyDataVias3" is granted twice with different content`),
    );
  });

  it("a statement without a Sid is refused", () => {
    const role = fresh().security.taskRole(WITHOUT_SECRETS);
    expect(() => Grant.addToPrincipal(role, [{ Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }])).toThrow(/needs a Sid/);
  });
});

describe("permissions boundary", () => {
  it("is set on every role the baseline creates when given", () => {
    const roles = Object.entries(json.resource.aws_iam_role!)
      .filter(([name]) => name.startsWith("security_"))
      .map(([, role]) => role);
    // A task role and an execution role per service, Config's recorder and CloudTrail's delivery role.
    expect(roles.length).toBe(2 * SERVICES.length + 2);
    for (const role of roles) expect(role.permissions_boundary).toBe(BOUNDARY);
  });

  it("is absent by default", () => {
    const roles = Object.entries(devJson.resource.aws_iam_role!).filter(([name]) => name.startsWith("security_"));
    expect(roles.length).toBe(2 * dev.services.length + 2);
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
