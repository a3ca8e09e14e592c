import type { EnvironmentConfig } from "../../environments/types";

/** A synthesized stack's cdk.tf.json, parsed. Only the blocks the rules read are typed. */
export interface StackJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly provider?: Record<string, Record<string, unknown>[]>;
  readonly terraform?: Record<string, unknown>;
}

/** What a rule may know beyond the stack it checks. */
export interface RuleContext {
  /** The environment the stack belongs to (absent when the stack name matches none). */
  readonly environment?: Pick<EnvironmentConfig, "name" | "accountId" | "deletionProtection">;
  /** Every image tag a release pin of any environment references (environments/releases.json). */
  readonly pinnedImageTags: readonly string[];
  /** Every stack of the same synthesis, by name, for rules that relate two stacks. */
  readonly stacks: ReadonlyMap<string, StackJson>;
}

export interface RuleInput {
  readonly stackName: string;
  readonly json: StackJson;
  readonly context: RuleContext;
}

export interface Finding {
  readonly rule: string;
  /** Terraform address of the offending resource (`type.name`), or `terraform.backend.s3`. */
  readonly address: string;
  readonly message: string;
}

/** One AWS API rule that `terraform plan` does not check. */
export interface Rule {
  readonly id: string;
  /** The AWS rule in one sentence. */
  readonly description: string;
  /** The AWS document (title and section, with its URL) the rule comes from. */
  readonly source: string;
  check(input: RuleInput): Finding[];
}
