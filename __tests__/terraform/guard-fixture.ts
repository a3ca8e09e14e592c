import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { TerraformStack, Testing } from "cdktf";
import { offlineEnv, offlineTransform, type PlanJson, type PlannedResource, writeCliConfig } from "../../tooling/terraform-harness";

/** The knobs the guard's tests turn between the first plan and the second. */
export interface FixtureShape {
  /** The database's storage key; a different key cannot be applied in place (identifier changes can, since provider 5). */
  readonly databaseKmsKeyArn: string;
  readonly withBucket: boolean;
  readonly secretName: string;
}

/** A small AWS-only stack holding one of each kind of data the guard must protect. */
function synthFixture(shape: FixtureShape): Record<string, unknown> {
  const stack = new TerraformStack(Testing.app(), "plan-guard-fixture");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  new DbInstance(stack, "database", {
    identifier: "lma-guard-db",
    engine: "postgres",
    engineVersion: "16.4",
    instanceClass: "db.t4g.micro",
    allocatedStorage: 20,
    username: "platform",
    manageMasterUserPassword: true,
    skipFinalSnapshot: true,
    storageEncrypted: true,
    kmsKeyId: shape.databaseKmsKeyArn,
  });
  if (shape.withBucket) new S3Bucket(stack, "documents", { bucket: "lma-guard-fixture-documents" });
  new SecretsmanagerSecret(stack, "api_key", { name: shape.secretName });
  return JSON.parse(Testing.synth(stack)) as Record<string, unknown>;
}

/**
 * A work directory where the fixture is planned offline the way tooling/terraform-harness.ts plans
 * the real stacks (its transformation, CLI configuration and environment), but against a state
 * file of our making: Terraform sees resources that "exist", so a changed fixture plans deletes
 * and replacements rather than creates.
 */
export class GuardFixture {
  private initialised = false;
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly dir: string,
    private readonly terraform: string,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.env = offlineEnv(writeCliConfig(dir));
  }

  private run(args: string[]): string {
    const result = spawnSync(this.terraform, args, { cwd: this.dir, env: this.env, encoding: "utf8", timeout: 180_000, maxBuffer: 256 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`terraform ${args[0]} failed in ${this.dir}:\n${result.stderr || result.stdout}`);
    return result.stdout;
  }

  /** `plan -refresh=false` of the fixture in this shape, against the current state file (if any). */
  plan(shape: FixtureShape): PlanJson {
    const { json } = offlineTransform(synthFixture(shape));
    fs.writeFileSync(path.join(this.dir, "cdk.tf.json"), JSON.stringify(json, null, 2));
    if (!this.initialised) {
      this.run(["init", "-input=false", "-no-color"]);
      this.initialised = true;
    }
    this.run(["plan", "-input=false", "-refresh=false", "-lock=false", "-no-color", "-out=plan.tfplan"]);
    return JSON.parse(this.run(["show", "-json", "-no-color", "plan.tfplan"])) as PlanJson;
  }

  /**
   * Writes a version-4 state holding every resource of a plan as if applied: its planned values,
   * plus the ids and ARNs AWS would have assigned (unknown at plan time).
   */
  adoptAsState(plan: PlanJson): void {
    const resources = (plan.planned_values?.root_module.resources ?? []).map((resource: PlannedResource) => ({
      mode: resource.mode,
      type: resource.type,
      name: resource.name,
      provider: `provider["${resource.provider_name}"]`,
      instances: [
        {
          schema_version: resource.schema_version ?? 0,
          attributes: {
            ...resource.values,
            id: `${resource.type}-${resource.name}-id`,
            arn: `arn:aws:fixture:us-east-1:400000000003:${resource.type}/${resource.name}`,
          },
          sensitive_attributes: [],
        },
      ],
    }));
    const state = { version: 4, terraform_version: plan.terraform_version, serial: 1, lineage: randomUUID(), outputs: {}, resources };
    fs.writeFileSync(path.join(this.dir, "terraform.tfstate"), JSON.stringify(state, null, 2));
  }
}
