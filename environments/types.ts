/**
 * The typed shape of the configuration, inferred from its schema (environments/schema.ts), where
 * every field is documented. `EnvironmentConfig` is what the stacks read: parsed, defaults filled.
 * `EnvironmentInput` is what an environment file writes (defaulted fields optional).
 */
import type { z } from "zod";
import type { environmentSchema, releasePinsSchema } from "./schema";

export { type AwsRegion, KNOWN_REGIONS } from "./regions";

/** Deeply read-only: configuration is data the stacks read, never change. */
type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer Item)[]
    ? readonly DeepReadonly<Item>[]
    : T extends object
      ? { readonly [Key in keyof T]: DeepReadonly<T[Key]> }
      : T;

export type EnvironmentConfig = DeepReadonly<z.output<typeof environmentSchema>>;
/** An environment file's content; `release` comes from releases.json (environments/defaults.ts). */
export type EnvironmentInput = DeepReadonly<Omit<z.input<typeof environmentSchema>, "release">>;

export type EnvironmentName = EnvironmentConfig["name"];
export type EnvironmentTier = EnvironmentConfig["tier"];

export type RegionConfig = EnvironmentConfig["regions"][number];
export type RegionRole = RegionConfig["role"];
export type NatMode = RegionConfig["natGateways"];
export type SubnetPlan = NonNullable<RegionConfig["subnets"]>;

export type ServiceConfig = EnvironmentConfig["services"][number];
export type AutoscalingConfig = ServiceConfig["autoscaling"];
export type DataStoreKind = NonNullable<ServiceConfig["uses"]>[number];
export type ApplicationSecret = EnvironmentConfig["applicationSecrets"][number];

export type DatabaseConfig = EnvironmentConfig["database"];
export type CacheConfig = EnvironmentConfig["cache"];
export type SearchConfig = EnvironmentConfig["search"];
export type MessagingConfig = EnvironmentConfig["messaging"];
export type StorageConfig = EnvironmentConfig["storage"];
export type FunctionConfig = EnvironmentConfig["functions"][string];

export type ReleasePins = DeepReadonly<z.output<typeof releasePinsSchema>>;
export type OffHoursSchedule = NonNullable<EnvironmentConfig["offHours"]>;
export type ComputeConfig = EnvironmentConfig["compute"];
export type DeploymentConfig = ComputeConfig["deployment"];
export type TrafficShifting = NonNullable<DeploymentConfig["trafficShifting"]>;

export type MaintenanceConfig = EnvironmentConfig["maintenance"];
export type AccountServices = EnvironmentConfig["accountServices"];
export type AccountServiceOwnership = AccountServices[keyof AccountServices];
export type BackendConfig = EnvironmentConfig["backend"];
export type CiRoles = EnvironmentConfig["ci"];
export type DatadogConfig = EnvironmentConfig["datadog"];
