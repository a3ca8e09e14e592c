import { CloudBackend, NamedCloudWorkspace, S3Backend, type TerraformStack } from "cdktf";
import type { BackendConfig } from "../environments/types";
import type { Naming } from "../lib/naming";
import { stateLocation } from "../modules/state-backend";

export interface StackBackendProps {
  readonly backend: BackendConfig;
  /** The stack's naming (its environment, home region and account): where S3 state lives. */
  readonly naming: Naming;
  /** The role Terraform assumes to read and write S3 state. */
  readonly stateRoleArn: string;
}

/** The HCP Terraform workspace of a stack: its name, the environment's project, and its tags. */
export interface HcpWorkspace {
  readonly name: string;
  readonly project: string;
  readonly tags: readonly string[];
}

/**
 * One workspace per stack, named like the stack, in a project per environment (`lma-<env>` unless
 * configured). Terraform 1.11 refuses `tags` beside `name` in the cloud block ("Only one of
 * workspace tags or name is allowed"), so the tags are applied to the workspace when it is created
 * (docs/release-flow.md), not synthesized.
 */
export function hcpWorkspace(stack: TerraformStack, backend: Extract<BackendConfig, { type: "hcp" }>, naming: Naming): HcpWorkspace {
  const name = stack.node.id;
  return { name, project: backend.project ?? naming.prefix, tags: [...(backend.tags ?? []), `environment:${naming.environment}`, `stack:${name}`] };
}

/**
 * Declares a stack's remote state: the environment's state bucket in the stack's home region
 * (S3-native and DynamoDB locking, KMS encryption, reached through the deploy role), or an HCP
 * Terraform workspace (CLI-driven runs, see docs/release-flow.md).
 */
export function declareBackend(stack: TerraformStack, props: StackBackendProps): S3Backend | CloudBackend {
  const { backend, naming } = props;
  if (backend.type === "hcp") {
    const workspace = hcpWorkspace(stack, backend, naming);
    return new CloudBackend(stack, { organization: backend.organization, workspaces: new NamedCloudWorkspace(workspace.name, workspace.project) });
  }
  const id = stack.node.id;
  const state = stateLocation(naming);
  const s3 = new S3Backend(stack, {
    bucket: state.bucket,
    key: `${id}/terraform.tfstate`,
    region: state.region,
    encrypt: true,
    kmsKeyId: naming.arn("kms", state.kmsKeyAlias),
    dynamodbTable: state.lockTable,
    assumeRole: { roleArn: props.stateRoleArn, sessionName: `${id}-state` },
  });
  // S3-native locking (Terraform ≥ 1.10); cdktf 0.21's S3Backend has no typed field for it.
  stack.addOverride("terraform.backend.s3.use_lockfile", true);
  return s3;
}
