import { TerraformStack, Testing } from "cdktf";
import { production } from "../../environments/production";
import type { BackendConfig } from "../../environments/types";
import { Naming } from "../../lib/naming";
import { stateLocation } from "../../modules/state-backend";
import { declareBackend, hcpWorkspace } from "../../stacks/backend";

const primary = production.regions.find((r) => r.role === "primary")!.region;
const naming = new Naming(production.name, primary, production.accountId);
const stateRoleArn = `arn:aws:iam::${production.accountId}:role/${production.deployRoleName}`;
const STACK = `lma-production-${primary}`;

function synthWith(backend: BackendConfig): { terraform: Record<string, any>; stack: TerraformStack } {
  const stack = new TerraformStack(Testing.app(), STACK);
  declareBackend(stack, { backend, naming, stateRoleArn });
  return { stack, terraform: (JSON.parse(Testing.synth(stack)) as { terraform: Record<string, any> }).terraform };
}

describe("declareBackend", () => {
  it("S3: the environment's state bucket in the stack's region, a key per stack, both lockings, the deploy role", () => {
    const { terraform } = synthWith({ type: "s3" });
    const state = stateLocation(naming);
    expect(terraform.cloud).toBeUndefined();
    expect(terraform.backend.s3).toEqual({
      bucket: state.bucket,
      key: `${STACK}/terraform.tfstate`,
      region: primary,
      encrypt: true,
      kms_key_id: naming.arn("kms", state.kmsKeyAlias),
      dynamodb_table: state.lockTable,
      assume_role: { role_arn: stateRoleArn, session_name: `${STACK}-state` },
      use_lockfile: true,
    });
  });

  it("HCP Terraform: a cloud block with the organization and the stack's workspace in the environment's project", () => {
    const backend = { type: "hcp", organization: "lma-platform", tags: ["lma"] } as const;
    const { terraform, stack } = synthWith(backend);
    expect(terraform.backend).toBeUndefined();
    expect(terraform.cloud).toEqual({ organization: "lma-platform", workspaces: { name: STACK, project: naming.prefix } });
    expect(hcpWorkspace(stack, backend, naming).tags).toEqual(["lma", "environment:production", `stack:${STACK}`]);
  });

  it("HCP Terraform: a configured project wins over the environment's default", () => {
    const { terraform } = synthWith({ type: "hcp", organization: "lma-platform", project: "lma-prod-infra" });
    expect(terraform.cloud.workspaces).toEqual({ name: STACK, project: "lma-prod-infra" });
  });
});
