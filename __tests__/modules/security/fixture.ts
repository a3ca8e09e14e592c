import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../../../environments/types";
import { Grant } from "../../../lib/grants";
import { Naming } from "../../../lib/naming";
import { XRAY_WRITE_STATEMENT } from "../../../modules/ecs";
import { SecureBucket } from "../../../modules/s3";
import { SecurityBaseline, type SecurityBaselineProps, SecurityGroupChain } from "../../../modules/security";
import { Vpc } from "../../../modules/vpc";
import { networkProps, securityProps } from "../../../stacks/props";
import type { SynthesizedStack } from "../../support/synth";

/** What modules/ecs grants every execution role first: the registry token, which has no resource. */
const ECR_AUTHORIZATION_TOKEN_STATEMENT = { Sid: "EcrAuthorizationToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" } as const;

export interface FixtureOptions {
  /** Extra baseline props (boundary, rotation …). */
  readonly baseline?: Partial<SecurityBaselineProps>;
  /** Skip `enableAuditTrail` (to prove the validation). */
  readonly withoutAuditTrail?: boolean;
  /**
   * Leave the ECS roles as the baseline makes them (task roles empty until the services grant
   * them); otherwise each task role gets the X-Ray grant and each execution role the registry
   * token its ECS service would add.
   */
  readonly withoutServiceGrants?: boolean;
}

/**
 * A stack with only what the security baseline needs around it: the provider(s), the VPC (for the
 * security-group chain) and a logs bucket made with `SecureBucket`, as the regional stack wires them
 * (props translated from the environment by stacks/props.ts).
 */
export class SecurityFixtureStack extends TerraformStack {
  readonly naming: Naming;
  readonly security: SecurityBaseline;
  readonly network: Vpc;
  readonly chain: SecurityGroupChain;
  readonly logsBucket: SecureBucket;

  constructor(scope: Construct, environment: EnvironmentConfig, regionIndex: number, options: FixtureOptions = {}) {
    const region = environment.regions[regionIndex]!;
    super(scope, `fixture-${environment.name}-${region.region}`);
    this.naming = new Naming(environment.name, region.region, environment.accountId);
    new AwsProvider(this, "aws", { region: region.region });
    const cloudfrontProvider =
      region.role === "primary" && region.region !== "us-east-1"
        ? new AwsProvider(this, "aws-us-east-1", { region: "us-east-1", alias: "us-east-1" })
        : undefined;
    this.security = new SecurityBaseline(this, "security", {
      ...securityProps(environment, region, this.naming),
      cloudfrontProvider,
      ...options.baseline,
    });
    if (!options.withoutServiceGrants) {
      for (const role of Object.values(this.security.roles.taskRoles)) Grant.addToPrincipal(role, [XRAY_WRITE_STATEMENT]);
      for (const role of Object.values(this.security.roles.executionRoles)) Grant.addToPrincipal(role, [ECR_AUTHORIZATION_TOKEN_STATEMENT]);
    }
    this.network = new Vpc(this, "network", {
      ...networkProps(region, this.naming),
      flowLogs: { type: "cloudwatch", kmsKey: this.security.keys.logs, retentionInDays: environment.logRetentionDays },
    });
    this.chain = new SecurityGroupChain(this, "security-groups", {
      naming: this.naming,
      vpc: this.network,
      services: environment.services,
      cloudfrontOriginPrefixListId: region.cloudfrontOriginPrefixListId,
    });
    this.logsBucket = new SecureBucket(this, "logs", { naming: this.naming, component: "logs", objectLockRetentionYears: 7 });
    if (!options.withoutAuditTrail) this.security.enableAuditTrail(this.logsBucket);
  }
}

export function synthFixture(
  environment: EnvironmentConfig,
  regionIndex = 0,
  options: FixtureOptions = {},
): { stack: SecurityFixtureStack; json: SynthesizedStack; text: string } {
  const stack = new SecurityFixtureStack(Testing.app(), environment, regionIndex, options);
  const text = Testing.synth(stack, true);
  return { stack, json: JSON.parse(text) as SynthesizedStack, text };
}

type Body = Record<string, unknown>;

/**
 * The logical name of the one resource of `type` at construct path `path` (ids joined by `_`, as
 * cdktf names resources: `security/keys/data/key` → `security_keys_data_key_<hash>`).
 */
export function logicalName(json: SynthesizedStack, type: string, path: string): string {
  const parts = path.split("/");
  // cdktf drops an id that repeats the end of its parent's (`log-group/group` → `log-group`).
  const last = parts.length > 1 && parts[parts.length - 2]!.endsWith(parts[parts.length - 1]!) ? [parts.slice(0, -1)] : [];
  const prefixes = [parts, ...last].map((candidate) => candidate.join("_"));
  const matches = Object.keys(json.resource[type] ?? {}).filter((name) =>
    prefixes.some((prefix) => name.length === prefix.length + 9 && name.startsWith(`${prefix}_`) && /_[0-9A-F]{8}$/.test(name)),
  );
  if (matches.length !== 1) throw new Error(`expected one ${type} at ${path}, found ${matches.length}: ${Object.keys(json.resource[type] ?? {}).join(", ")}`);
  return matches[0]!;
}

/** The resource of `type` at construct path `path`. */
export function resourceAt(json: SynthesizedStack, type: string, path: string): Body {
  return json.resource[type]![logicalName(json, type, path)]!;
}

/** `${<type>.<logical name>.<attribute>}` of the resource at `path`. */
export function ref(json: SynthesizedStack, type: string, path: string, attribute: string): string {
  return `\${${type}.${logicalName(json, type, path)}.${attribute}}`;
}

/** Statements of a policy JSON string. */
export function statements(policy: unknown): Body[] {
  if (typeof policy !== "string") throw new Error(`not a policy string: ${JSON.stringify(policy)}`);
  return (JSON.parse(policy) as { Statement: Body[] }).Statement;
}

/** The statement with a Sid. */
export function statement(policy: unknown, sid: string): Body {
  const found = statements(policy).find((candidate) => candidate.Sid === sid);
  if (!found) throw new Error(`no statement ${sid} in ${String(policy)}`);
  return found;
}
