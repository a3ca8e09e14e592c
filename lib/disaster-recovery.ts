/**
 * What a region's stack declares under the environment's `disasterRecovery` setting
 * (environments/schema.ts): whether the region holds the writer, whether it serves, at which size
 * its data services run, and whether its first build is complete. Pure: stacks, tooling and tests
 * read the same answer. docs/disaster-recovery.md is the procedure that changes the setting.
 */
import type { AwsRegion, CacheConfig, EnvironmentConfig, MessagingConfig, SearchConfig } from "../environments/types";

/** `active` holds the writer (and, in warm standby, takes the traffic); `standby` replicates it. */
export type RegionMode = "active" | "standby";
export type Topology = EnvironmentConfig["disasterRecovery"]["topology"];
export type BuildPhase = EnvironmentConfig["disasterRecovery"]["buildPhase"];

export interface RegionDisasterRecovery {
  readonly region: string;
  readonly topology: Topology;
  readonly activeRegion: string;
  readonly buildPhase: BuildPhase;
  /**
   * The home primary is always `active`: failover never changes its stack, so an apply there
   * after it returns does no harm (the fence alarm keeps traffic off it). The standby region is
   * `active` once `activeRegion` names it.
   */
  readonly mode: RegionMode;
  /** The region's `role` in the configuration: where it runs when nothing has failed. */
  readonly home: "primary" | "standby";
  /** The standby region after failover: its replica promoted, at production size. */
  readonly failedOver: boolean;
  /** The home primary while the standby is active: kept out of DNS by the fence, never applied to. */
  readonly fenced: boolean;
  /** Takes traffic: the active region, and every region in active-active. */
  readonly serves: boolean;
  /** Data services and task counts at the environment's production sizes, or the standby sizes. */
  readonly capacity: "production" | "standby";
  /**
   * `foundation`: the standby region during the first build declares only what needs nothing from
   * the primary (network, keys, buckets, repositories, the fence alarm). `complete`: everything.
   */
  readonly declares: "foundation" | "complete";
}

/** The region holding the writer when nothing has failed. */
export function homeRegionOf(environment: EnvironmentConfig): AwsRegion {
  return (environment.regions.find((region) => region.role === "primary") ?? environment.regions[0]!).region;
}

/** The standby region, if the environment has one. */
export function standbyRegionOf(environment: EnvironmentConfig): AwsRegion | undefined {
  return environment.regions.find((region) => region.role === "standby")?.region;
}

export function disasterRecoveryOf(environment: EnvironmentConfig, region: string): RegionDisasterRecovery {
  const config = environment.regions.find((candidate) => candidate.region === region);
  if (!config) throw new Error(`${region} is not a region of ${environment.name} (${environment.regions.map((candidate) => candidate.region).join(", ")})`);
  const { topology, activeRegion, buildPhase } = environment.disasterRecovery;
  const home = config.role;
  const mode: RegionMode = home === "primary" || activeRegion === region ? "active" : "standby";
  const serves = mode === "active" || topology === "active-active";
  return {
    region,
    topology,
    activeRegion,
    buildPhase,
    mode,
    home,
    failedOver: home === "standby" && mode === "active",
    fenced: home === "primary" && activeRegion !== region,
    serves,
    capacity: serves ? "production" : "standby",
    declares: home === "standby" && buildPhase !== "complete" ? "foundation" : "complete",
  };
}

/** The stack each build phase applies, in order: `standby-foundation` → `primary` → `complete`. */
export function stackAppliedIn(environment: EnvironmentConfig, phase: BuildPhase): AwsRegion | undefined {
  return phase === "primary" ? homeRegionOf(environment) : standbyRegionOf(environment);
}

export const BUILD_PHASES: readonly BuildPhase[] = ["standby-foundation", "primary", "complete"];

/** The sizes a region's data services run at: the environment's, or the standby's where it differs. */
export interface DataServiceSizes {
  readonly cache: CacheConfig;
  readonly search: SearchConfig;
  readonly messaging: MessagingConfig;
  /** Scheduled jobs run (EventBridge schedules enabled). */
  readonly scheduledJobsEnabled: boolean;
}

export function dataServiceSizesOf(environment: EnvironmentConfig, region: string): DataServiceSizes {
  const { cache, search, messaging } = environment;
  const { mode, capacity } = disasterRecoveryOf(environment, region);
  const standby = environment.disasterRecovery.standby;
  // Jobs write to the database, so they run where the writer is; an active-active reader does not.
  const scheduledJobsEnabled = mode === "active" || standby.scheduledJobsEnabled;
  if (capacity === "production") return { cache, search, messaging, scheduledJobsEnabled };
  return {
    cache: { ...cache, ...standby.cache },
    search: { ...search, ...standby.search },
    messaging: { ...messaging, ...standby.messaging },
    scheduledJobsEnabled,
  };
}
