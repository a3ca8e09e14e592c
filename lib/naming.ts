import { regionShortName } from "./regions";

/**
 * The one naming convention: `lma-<environment>-<component>`. Names that must be unique across
 * the account's regions (IAM) add the region's short name; S3 buckets add region and account so
 * they are globally unique. Cross-stack links are derived from these names, never from state.
 */
export class Naming {
  static readonly PROJECT = "lma";

  constructor(
    /** The environment's name (environments/schema.ts `ENVIRONMENT_NAMES`). */
    readonly environment: string,
    readonly region: string,
    readonly accountId: string,
  ) {}

  /** `us-east-1` → `use1`. */
  get regionShortName(): string {
    return regionShortName(this.region);
  }

  /** `lma-<environment>`: the prefix every resource of the environment shares. */
  get prefix(): string {
    return `${Naming.PROJECT}-${this.environment}`;
  }

  /** A name unique within the region, e.g. `lma-production-loan`. */
  name(component: string): string {
    return `${this.prefix}-${component}`;
  }

  /** A name unique within the account, for global services such as IAM: `lma-production-use1-loan-task`. */
  globalName(component: string): string {
    return `${this.prefix}-${this.regionShortName}-${component}`;
  }

  /** A globally unique S3 bucket name: `lma-production-documents-us-east-1-123456789012`. */
  bucketName(component: string): string {
    return `${this.prefix}-${component}-${this.region}-${this.accountId}`;
  }

  /** CloudWatch Logs group name, e.g. `/lma/production/ecs/loan`. */
  logGroupName(...parts: string[]): string {
    return `/${Naming.PROJECT}/${this.environment}/${parts.join("/")}`;
  }

  /** The same naming, for another region of the environment (e.g. the DR replica's destination). */
  inRegion(region: string): Naming {
    return new Naming(this.environment, region, this.accountId);
  }

  arn(service: string, resource: string, options: { region?: string; account?: string } = {}): string {
    const region = options.region ?? this.region;
    const account = options.account ?? this.accountId;
    return `arn:aws:${service}:${region}:${account}:${resource}`;
  }
}
