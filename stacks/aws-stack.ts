import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Aspects, type IAspect, LocalBackend, TerraformResource, TerraformStack } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import type { AwsRegion, EnvironmentConfig } from "../environments/types";
import { Naming } from "../lib/naming";
import { statefulKind } from "../lib/stateful-resources";
import { defaultTags } from "../lib/tags";
import { declareBackend } from "./backend";

export interface AwsStackProps {
  readonly environment: EnvironmentConfig;
  /** The stack's home region: its default provider and, for remote state, its state bucket. */
  readonly region: AwsRegion;
  /**
   * `remote`: the environment's `backend` (environments/schema.ts): the account's state bucket in
   * this region (stacks/backend.ts), or an HCP Terraform workspace.
   * `local`: only for the bootstrap stack that creates those buckets.
   */
  readonly backend: "remote" | "local";
}

/**
 * `prevent_destroy` on every resource whose loss loses data (lib/stateful-resources.ts: stores,
 * keys, secrets, repositories, buckets, lock tables, audit log groups), so that in an environment
 * with deletion protection no module can forget it. A resource that sets `prevent_destroy: false`
 * itself keeps it, and the apply rule `stateful-resources-protected` reports it.
 */
class PreventDestroyOfStatefulResources implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource)) return;
    const values = node instanceof CloudwatchLogGroup ? { name: node.nameInput } : {};
    if (!statefulKind(node.terraformResourceType, values) || node.lifecycle?.preventDestroy === false) return;
    node.lifecycle = { ...node.lifecycle, preventDestroy: true };
  }
}

/**
 * What every AWS stack shares: a provider that can only touch the environment's account
 * (`allowed_account_ids`), reached through the deploy role, with the platform's default tags; its
 * backend; and, where the environment has deletion protection, `prevent_destroy` on every
 * stateful resource. Stacks never read each other's state; links come from the naming convention.
 */
export abstract class AwsStack extends TerraformStack {
  readonly environment: EnvironmentConfig;
  readonly naming: Naming;
  readonly provider: AwsProvider;
  private readonly regionProviders = new Map<AwsRegion, AwsProvider>();

  protected constructor(scope: Construct, id: string, props: AwsStackProps) {
    super(scope, id);
    this.environment = props.environment;
    this.naming = new Naming(props.environment.name, props.region, props.environment.accountId);
    this.provider = this.awsProvider(props.region);
    this.regionProviders.set(props.region, this.provider);
    // S3-native state locking needs 1.10; Terraform enforces this itself at init.
    this.addOverride("terraform.required_version", ">= 1.10.0");

    if (props.environment.deletionProtection) Aspects.of(this).add(new PreventDestroyOfStatefulResources());

    if (props.backend === "local") new LocalBackend(this, { path: `terraform.${id}.tfstate` });
    else declareBackend(this, { backend: props.environment.backend, naming: this.naming, stateRoleArn: this.deployRoleArn });
  }

  /**
   * cdktf's prepare pass resolves every element one extra time, only to turn references between
   * stacks into `terraform_remote_state` lookups. AWS stacks must not have any (each plans alone,
   * offline; links come from the naming convention), so the pass is skipped: it is half of
   * synthesis. Every stack always has a backend, the other thing the pass ensures. A reference to
   * another stack's resource would show up as an undeclared resource in `terraform validate`.
   */
  override prepareStack(): void {}

  get deployRoleArn(): string {
    return `arn:aws:iam::${this.environment.accountId}:role/${this.environment.deployRoleName}`;
  }

  /** The provider for another region of the account (aliased by region), created on first use. */
  providerFor(region: AwsRegion): AwsProvider {
    let provider = this.regionProviders.get(region);
    if (!provider) {
      provider = this.awsProvider(region, region);
      this.regionProviders.set(region, provider);
    }
    return provider;
  }

  private awsProvider(region: AwsRegion, alias?: string): AwsProvider {
    return new AwsProvider(this, alias ? `aws-${alias}` : "aws", {
      region,
      alias,
      allowedAccountIds: [this.environment.accountId],
      assumeRole: [{ roleArn: this.deployRoleArn, sessionName: `lma-${this.environment.name}-terraform` }],
      defaultTags: [{ tags: defaultTags(this.environment) }],
    });
  }
}
