import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend, S3Backend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { AwsRegion, EnvironmentConfig } from "../environments/types";
import { Naming } from "../lib/naming";
import { defaultTags } from "../lib/tags";
import { stateLocation } from "../modules/state-backend";

export interface AwsStackProps {
  readonly environment: EnvironmentConfig;
  /** The stack's home region: its default provider and, for remote state, its state bucket. */
  readonly region: AwsRegion;
  /**
   * `s3`: the account's state bucket in this region, DynamoDB and S3-native locking.
   * `local`: only for the bootstrap stack that creates those buckets.
   */
  readonly backend: "s3" | "local";
}

/**
 * What every AWS stack shares: a provider that can only touch the environment's account
 * (`allowed_account_ids`), reached through the deploy role, with the platform's default tags;
 * and its backend. Stacks never read each other's state; links come from the naming convention.
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

    if (props.backend === "local") {
      new LocalBackend(this, { path: `terraform.${id}.tfstate` });
      return;
    }
    const state = stateLocation(this.naming);
    new S3Backend(this, {
      bucket: state.bucket,
      key: `${id}/terraform.tfstate`,
      region: state.region,
      encrypt: true,
      kmsKeyId: this.naming.arn("kms", state.kmsKeyAlias),
      dynamodbTable: state.lockTable,
      assumeRole: { roleArn: this.deployRoleArn, sessionName: `${id}-state` },
    });
    // S3-native locking (Terraform ≥ 1.10); cdktf 0.21's S3Backend has no typed field for it.
    this.addOverride("terraform.backend.s3.use_lockfile", true);
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
