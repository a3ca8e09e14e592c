import { production } from "../../environments/production";
import type { EnvironmentConfig } from "../../environments/types";
import { parseEnvironment } from "../../environments/validate";
import { standbyRegionOf } from "../../lib/disaster-recovery";
import { Testing } from "cdktf";
import { RegionalStack } from "../../stacks/regional-stack";
import type { SynthesizedStack } from "../support/synth";

/** Production with `disasterRecovery` changed the way a person would edit environments/production.ts, validated. */
export function productionWith(disasterRecovery: Partial<EnvironmentConfig["disasterRecovery"]>): EnvironmentConfig {
  return parseEnvironment({
    file: "environments/production.ts",
    config: { ...production, disasterRecovery: { ...production.disasterRecovery, ...disasterRecovery } } as EnvironmentConfig,
  });
}

export const standbyRegion = standbyRegionOf(production)!;

/** One region's stack of `environment`, synthesized in-process (both modes the same way, so they compare). */
export function synthRegion(environment: EnvironmentConfig, region: string): SynthesizedStack {
  const config = environment.regions.find((candidate) => candidate.region === region)!;
  return JSON.parse(Testing.synth(new RegionalStack(Testing.app(), environment, config))) as SynthesizedStack;
}

/** The standby region's stack in warm-standby mode (the committed configuration) and after failover. */
export function standbyStacks(): { standby: SynthesizedStack; failover: SynthesizedStack; failoverConfig: EnvironmentConfig } {
  const failoverConfig = productionWith({ activeRegion: standbyRegion });
  return { standby: synthRegion(production, standbyRegion), failover: synthRegion(failoverConfig, standbyRegion), failoverConfig };
}
